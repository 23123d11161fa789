//! IGE-MOJI's image engine: find every face in a photo, read its
//! expression, paste emojis onto it and encode the result.
//!
//! Pure computation over image bytes with two ONNX models run by tract:
//! BlazeFace (full range) finds faces and eye keypoints; face-api.js's
//! FaceExpressionNet (or fer's mini-Xception) classifies a crop levelled on
//! the eye line. A crate of its own, so that it cannot reach HTTP, the
//! database or the async runtime: every call is blocking and CPU-bound.

mod annotate;
mod classify;
mod decode;
mod detect;
mod encode;
mod expression;
mod kernels;
mod models;
mod paste;
mod resample;

use std::borrow::Cow;
use std::time::{Duration, Instant};

use image::RgbImage;
use serde::Serialize;

pub use annotate::annotate;
pub use decode::{ACCEPTED_MEDIA_TYPES, DecodedPhoto, PhotoHeader, decode_photo, probe_photo};
pub use encode::{EncodeError, encode_jpeg, encode_png, photo_thumbnail, thumbnail};
pub use expression::{Expression, ExpressionScores};
pub use kernels::optimized_with_fast_kernels;
pub use models::{ModelFolder, ModelSource};
pub use paste::{COVER_SCALE, Canvas, Emoji, Premultiplied, paste_emoji};
pub use resample::shrink_by_blocks;

use classify::ExpressionClassifier;
pub use classify::ExpressionModel;
use detect::FaceDetector;

pub const DETECTOR_MODEL_FILE: &str = "face_detection_full_range.onnx";

#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes; at most {limit} bytes are accepted")]
    TooLarge { size: usize, limit: usize },
    #[error("the image is {width}x{height} pixels; at most {limit} pixels are accepted")]
    TooManyPixels { width: u32, height: u32, limit: u64 },
    #[error("not a supported image: use JPEG, PNG, WebP or GIF")]
    UnsupportedFormat,
    #[error("the image data is corrupt or truncated: {0}")]
    Corrupt(String),
    #[error("cannot load the model {source_name}: {message}")]
    ModelLoad {
        source_name: String,
        message: String,
    },
    #[error("model inference failed: {0}")]
    Inference(String),
    /// The analysis panicked: a bug the same photo would hit again.
    #[error("the analysis crashed: {0}")]
    Crashed(String),
}

impl AnalysisError {
    /// A stable machine-readable name for the error.
    pub fn code(&self) -> &'static str {
        match self {
            AnalysisError::Empty => "empty_file",
            AnalysisError::TooLarge { .. } => "file_too_large",
            AnalysisError::TooManyPixels { .. } => "too_many_pixels",
            AnalysisError::UnsupportedFormat => "unsupported_format",
            AnalysisError::Corrupt(_) => "corrupt_image",
            AnalysisError::ModelLoad { .. } => "model_load_failed",
            AnalysisError::Inference(_) => "inference_failed",
            AnalysisError::Crashed(_) => "analysis_crashed",
        }
    }
}

/// The bytes of one model file, or a `ModelLoad` error naming it.
fn read_model(models: &dyn ModelSource, file: &str) -> Result<Cow<'static, [u8]>, AnalysisError> {
    models.read(file).map_err(|error| AnalysisError::ModelLoad {
        source_name: models.describe(file),
        message: error.to_string(),
    })
}

/// What the engine accepts; everything else is refused before decoding.
#[derive(Debug, Clone, Copy)]
pub struct AnalysisLimits {
    pub max_bytes: usize,
    pub max_pixels: u64,
}

impl Default for AnalysisLimits {
    fn default() -> Self {
        AnalysisLimits {
            max_bytes: 15 * 1024 * 1024,
            max_pixels: 50_000_000,
        }
    }
}

/// Tuning of the detector.
#[derive(Debug, Clone, Copy)]
pub struct DetectionOptions {
    /// Faces scoring below this are dropped.
    pub min_score: f32,
    /// Besides the whole photo, also search an N×N grid of overlapping tiles
    /// (N = this), which finds small, distant faces; 1 turns tiling off.
    pub tiles_per_side: u32,
}

impl Default for DetectionOptions {
    fn default() -> Self {
        DetectionOptions {
            min_score: 0.5,
            tiles_per_side: 2,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

/// In image pixels, from the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct BoundingBox {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl BoundingBox {
    pub fn center(&self) -> Point {
        Point {
            x: self.x + self.width / 2.0,
            y: self.y + self.height / 2.0,
        }
    }

    pub fn intersection_over_union(&self, other: &BoundingBox) -> f32 {
        let left = self.x.max(other.x);
        let top = self.y.max(other.y);
        let right = (self.x + self.width).min(other.x + other.width);
        let bottom = (self.y + self.height).min(other.y + other.height);
        if right <= left || bottom <= top {
            return 0.0;
        }
        let intersection = (right - left) * (bottom - top);
        intersection / (self.width * self.height + other.width * other.height - intersection)
    }
}

/// Face landmarks in image pixels, named from the person's point of view:
/// the person's right eye appears on the left of the image.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Keypoints {
    pub right_eye: Point,
    pub left_eye: Point,
    pub nose: Point,
    pub mouth: Point,
    pub right_ear: Point,
    pub left_ear: Point,
}

#[derive(Debug, Clone, Serialize)]
pub struct Face {
    #[serde(rename = "box")]
    pub bounding_box: BoundingBox,
    pub score: f32,
    pub keypoints: Keypoints,
    /// Head tilt: the angle of the eye line, clockwise positive, in degrees.
    pub roll_degrees: f32,
    pub expression: Expression,
    pub scores: ExpressionScores,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct StageTimings {
    #[serde(with = "millis")]
    pub decode: Duration,
    #[serde(with = "millis")]
    pub detect: Duration,
    #[serde(with = "millis")]
    pub classify: Duration,
}

#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// Size of the upright image (after EXIF orientation).
    pub width: u32,
    pub height: u32,
    pub faces: Vec<Face>,
    pub timings: StageTimings,
}

/// The loaded models. Loaded and optimised once, then shared by all threads.
pub struct Analyzer {
    detector: FaceDetector,
    classifier: ExpressionClassifier,
    limits: AnalysisLimits,
    detection: DetectionOptions,
}

impl Analyzer {
    /// Loads the models from `models`: the ones built into the server's
    /// binary, or a folder ([`ModelFolder`]).
    pub fn load(
        models: &dyn ModelSource,
        limits: AnalysisLimits,
        detection: DetectionOptions,
        expression_model: ExpressionModel,
    ) -> Result<Analyzer, AnalysisError> {
        Ok(Analyzer {
            detector: FaceDetector::load(models, DETECTOR_MODEL_FILE)?,
            classifier: ExpressionClassifier::load(models, expression_model)?,
            limits,
            detection,
        })
    }

    pub fn limits(&self) -> AnalysisLimits {
        self.limits
    }

    /// Decodes `bytes` (applying EXIF orientation) and analyses every face.
    /// Blocking and CPU-bound: call it from a blocking thread.
    pub fn analyze(&self, bytes: &[u8]) -> Result<Analysis, AnalysisError> {
        let started = Instant::now();
        let photo = decode_photo(bytes, &self.limits)?;
        let rgb = photo.image.into_rgb8();
        let decode = started.elapsed();
        let mut analysis = self.analyze_image(&rgb)?;
        analysis.timings.decode = decode;
        Ok(analysis)
    }

    /// Analyses an already decoded, upright image.
    pub fn analyze_image(&self, image: &RgbImage) -> Result<Analysis, AnalysisError> {
        let started = Instant::now();
        let detections = self.detector.detect(image, &self.detection)?;
        let detect = started.elapsed();

        let started = Instant::now();
        let faces = detections
            .into_iter()
            .map(|detection| {
                let roll_degrees = detection.roll_degrees();
                let scores = self.classifier.classify(image, &detection, roll_degrees)?;
                Ok(Face {
                    bounding_box: detection.bounding_box,
                    score: detection.score,
                    keypoints: detection.keypoints,
                    roll_degrees,
                    expression: scores.dominant(),
                    scores,
                })
            })
            .collect::<Result<Vec<_>, AnalysisError>>()?;
        Ok(Analysis {
            width: image.width(),
            height: image.height(),
            faces,
            timings: StageTimings {
                decode: Duration::ZERO,
                detect,
                classify: started.elapsed(),
            },
        })
    }
}

mod millis {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(
        value: &Duration,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(value.as_secs_f64() * 1000.0)
    }
}
