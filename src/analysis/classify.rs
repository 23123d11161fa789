//! Expression classification with fer's mini-Xception (FER2013): a 64×64
//! gray crop of the face, levelled on the eye line.

use std::path::Path;
use std::sync::Arc;

use image::RgbImage;
use tract_onnx::prelude::*;

use super::detect::Detection;
use super::kernels::optimized_with_fast_kernels;
use super::resample::LumaPatch;
use super::{AnalysisError, ExpressionScores, Point};

const INPUT_SIZE: usize = 64;
/// The crop is a square this many times the detected box's side: BlazeFace
/// boxes are tighter than the Haar boxes fer was trained on. 1.4 and a small
/// upward shift agreed best with hand labels (see models/README.md, "Crop").
const CROP_SCALE: f32 = 1.4;
const CROP_SHIFT_UP: f32 = 0.05;

pub struct ExpressionClassifier {
    model: Arc<TypedRunnableModel>,
}

impl ExpressionClassifier {
    pub fn load(path: &Path) -> Result<ExpressionClassifier, AnalysisError> {
        let load_error = |error: TractError| AnalysisError::ModelLoad {
            path: path.to_path_buf(),
            message: format!("{error:#}"),
        };
        let model = tract_onnx::onnx()
            .model_for_path(path)
            .and_then(|model| {
                model.with_input_fact(0, f32::fact([1, INPUT_SIZE, INPUT_SIZE, 1]).into())
            })
            .and_then(|model| model.into_typed())
            .and_then(optimized_with_fast_kernels)
            .and_then(|model| model.into_runnable())
            .map_err(load_error)?;
        Ok(ExpressionClassifier { model })
    }

    pub fn classify(
        &self,
        image: &RgbImage,
        detection: &Detection,
        roll_degrees: f32,
    ) -> Result<ExpressionScores, AnalysisError> {
        let crop = crop_face(image, detection, roll_degrees);
        self.classify_crop(&crop)
    }

    /// Runs the model on a prepared 64×64 input (values in [-1, 1]).
    pub fn classify_crop(&self, crop: &[f32]) -> Result<ExpressionScores, AnalysisError> {
        let inference = |error: TractError| AnalysisError::Inference(format!("{error:#}"));
        let tensor =
            Tensor::from_shape(&[1, INPUT_SIZE, INPUT_SIZE, 1], crop).map_err(inference)?;
        let outputs = self.model.run(tvec!(tensor.into())).map_err(inference)?;
        let view = outputs[0].to_plain_array_view::<f32>().map_err(inference)?;
        let values: Vec<f32> = view.iter().copied().collect();
        let probabilities: [f32; 7] = values
            .try_into()
            .map_err(|_| AnalysisError::Inference("classifier did not give 7 values".into()))?;
        Ok(ExpressionScores::from_probabilities(probabilities))
    }
}

/// The classifier's input: a square around the face, rotated so the eyes
/// are level, sampled from the full-resolution image with enough
/// sub-samples per output pixel to avoid aliasing.
fn crop_face(image: &RgbImage, detection: &Detection, roll_degrees: f32) -> Vec<f32> {
    let face = &detection.bounding_box;
    let face_side = face.width.max(face.height);
    let side = face_side * CROP_SCALE;
    let (sin, cos) = roll_degrees.to_radians().sin_cos();
    // "Up" is the face's up, which turns with the head.
    let centre = Point {
        x: face.center().x + CROP_SHIFT_UP * face_side * sin,
        y: face.center().y - CROP_SHIFT_UP * face_side * cos,
    };
    let pixel = side / INPUT_SIZE as f32;
    // Big faces are first averaged over blocks of about one output pixel,
    // so two by two sub-samples per output pixel are enough.
    let block = (pixel.floor() as u32).max(1);
    let reach = side / 2.0 * (sin.abs() + cos.abs()) + 2.0 * block as f32;
    let patch = LumaPatch::of(
        image,
        (centre.x - reach, centre.y - reach),
        (centre.x + reach, centre.y + reach),
        block,
    );
    let pixel_in_patch = pixel / block as f32;
    let subsamples = pixel_in_patch.ceil().clamp(1.0, 4.0) as usize;
    let mut crop = Vec::with_capacity(INPUT_SIZE * INPUT_SIZE);
    for row in 0..INPUT_SIZE {
        for column in 0..INPUT_SIZE {
            let mut sum = 0.0;
            for sy in 0..subsamples {
                for sx in 0..subsamples {
                    let u = (column as f32 + (sx as f32 + 0.5) / subsamples as f32) * pixel
                        - side / 2.0;
                    let v =
                        (row as f32 + (sy as f32 + 0.5) / subsamples as f32) * pixel - side / 2.0;
                    sum += patch.sample(centre.x + u * cos - v * sin, centre.y + u * sin + v * cos);
                }
            }
            let luma = sum / (subsamples * subsamples) as f32;
            crop.push((luma / 255.0 - 0.5) * 2.0);
        }
    }
    crop
}
