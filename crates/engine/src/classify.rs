//! Expression classification of a face crop levelled on the eye line, by
//! one of two models: face-api.js's FaceExpressionNet (112×112 colour, the
//! default) or fer's mini-Xception (64×64 gray, FER2013).

use crate::ModelSource;
use std::sync::Arc;

use image::RgbImage;
use serde::{Deserialize, Serialize};
use tract_onnx::prelude::*;

use super::detect::Detection;
use super::expression::Expression;
use super::kernels::optimized_with_fast_kernels;
use super::resample::{LumaPatch, Patch, RgbPatch};
use super::{AnalysisError, ExpressionScores, Point, read_model};

/// Which model reads the expressions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpressionModel {
    /// face-api.js's FaceExpressionNet: agrees with people more often.
    #[default]
    Faceapi,
    /// fer's mini-Xception, the earlier default.
    Fer,
}

impl ExpressionModel {
    pub fn file_name(self) -> &'static str {
        match self {
            ExpressionModel::Faceapi => "emotion_faceapi.onnx",
            ExpressionModel::Fer => "emotion_fer.onnx",
        }
    }

    fn input(self) -> ModelInput {
        match self {
            ExpressionModel::Faceapi => ModelInput {
                side: 112,
                channels: 3,
                // Chosen on the labelled photos (models/README.md, "Crop for
                // emotion_faceapi.onnx"): 1.2 to 1.4 agree alike, and so do
                // mirror bars from 0.8 to 0.95.
                crop_scale: 1.3,
                crop_shift_up: 0.0,
                mirror_below: Some(0.9),
                output_order: [
                    Expression::Neutral,
                    Expression::Happy,
                    Expression::Sad,
                    Expression::Angry,
                    Expression::Fear,
                    Expression::Disgust,
                    Expression::Surprise,
                ],
            },
            // BlazeFace boxes are tighter than the Haar boxes fer was trained
            // on: 1.4 and a small upward shift agreed best with hand labels
            // (models/README.md, "Crop").
            ExpressionModel::Fer => ModelInput {
                side: 64,
                channels: 1,
                crop_scale: 1.4,
                crop_shift_up: 0.05,
                mirror_below: None,
                output_order: Expression::ALL,
            },
        }
    }
}

/// What a model expects: a square crop of `side` pixels, NHWC, and its
/// outputs in `output_order`.
#[derive(Debug, Clone, Copy)]
struct ModelInput {
    side: usize,
    channels: usize,
    /// The crop's side in detected-box sides.
    crop_scale: f32,
    /// How far the crop's centre moves up the face, in box sides.
    crop_shift_up: f32,
    /// Average the reading of the crop and of its mirror image when the
    /// crop's top score is below this.
    mirror_below: Option<f32>,
    output_order: [Expression; 7],
}

pub struct ExpressionClassifier {
    model: Arc<TypedRunnableModel>,
    kind: ExpressionModel,
    input: ModelInput,
}

impl ExpressionClassifier {
    pub fn load(
        models: &dyn ModelSource,
        kind: ExpressionModel,
    ) -> Result<ExpressionClassifier, AnalysisError> {
        let bytes = read_model(models, kind.file_name())?;
        let input = kind.input();
        let load_error = |error: TractError| AnalysisError::ModelLoad {
            source_name: models.describe(kind.file_name()),
            message: format!("{error:#}"),
        };
        let model = tract_onnx::onnx()
            .model_for_read(&mut bytes.as_ref())
            .and_then(|model| {
                model.with_input_fact(
                    0,
                    f32::fact([1, input.side, input.side, input.channels]).into(),
                )
            })
            .and_then(|model| model.into_typed())
            .and_then(optimized_with_fast_kernels)
            .and_then(|model| model.into_runnable())
            .map_err(load_error)?;
        Ok(ExpressionClassifier { model, kind, input })
    }

    pub fn classify(
        &self,
        image: &RgbImage,
        detection: &Detection,
        roll_degrees: f32,
    ) -> Result<ExpressionScores, AnalysisError> {
        let crop = self.crop(image, detection, roll_degrees);
        self.classify_crop(&crop)
    }

    /// The model's input for a face: fer takes gray values in [-1, 1],
    /// FaceExpressionNet RGB values in [0, 255] (it normalises them itself).
    pub fn crop(&self, image: &RgbImage, detection: &Detection, roll_degrees: f32) -> Vec<f32> {
        let geometry = CropGeometry::of(detection, roll_degrees, &self.input);
        match self.kind {
            ExpressionModel::Fer => geometry
                .sample(image, LumaPatch::of)
                .into_iter()
                .map(|[luma]| (luma / 255.0 - 0.5) * 2.0)
                .collect(),
            ExpressionModel::Faceapi => geometry
                .sample(image, RgbPatch::of)
                .into_iter()
                .flatten()
                .collect(),
        }
    }

    /// Runs the model on a prepared input (see [`Self::crop`]). When
    /// FaceExpressionNet is unsure, also on the mirrored crop, and averages
    /// the two: its reading jumps with small changes of the crop, and the
    /// average agreed with people on 4 more of 58 faces (models/README.md).
    /// Sure readings (a quarter of those faces were below the bar) were
    /// never changed by it, so they skip the second run.
    pub fn classify_crop(&self, crop: &[f32]) -> Result<ExpressionScores, AnalysisError> {
        let mut values = self.run(crop)?;
        let top = values.iter().copied().fold(0.0f32, f32::max);
        if self.input.mirror_below.is_some_and(|bar| top < bar) {
            let mirrored = mirror_rows(crop, self.input.side, self.input.channels);
            for (value, other) in values.iter_mut().zip(self.run(&mirrored)?) {
                *value = (*value + other) / 2.0;
            }
        }
        let mut probabilities = [0.0f32; 7];
        for (expression, value) in self.input.output_order.iter().zip(values) {
            let slot = Expression::ALL
                .iter()
                .position(|candidate| candidate == expression)
                .unwrap_or_default();
            probabilities[slot] = value;
        }
        Ok(ExpressionScores::from_probabilities(probabilities))
    }

    fn run(&self, crop: &[f32]) -> Result<[f32; 7], AnalysisError> {
        let inference = |error: TractError| AnalysisError::Inference(format!("{error:#}"));
        let ModelInput { side, channels, .. } = self.input;
        let tensor = Tensor::from_shape(&[1, side, side, channels], crop).map_err(inference)?;
        let outputs = self.model.run(tvec!(tensor.into())).map_err(inference)?;
        let view = outputs[0].to_plain_array_view::<f32>().map_err(inference)?;
        let values: Vec<f32> = view.iter().copied().collect();
        values.try_into().map_err(|values: Vec<f32>| {
            AnalysisError::Inference(format!(
                "the classifier gave {} values, not 7",
                values.len()
            ))
        })
    }
}

/// The crop seen in a mirror: each row of `side` pixels reversed.
fn mirror_rows(crop: &[f32], side: usize, channels: usize) -> Vec<f32> {
    crop.chunks_exact(side * channels)
        .flat_map(|row| row.chunks_exact(channels).rev().flatten().copied())
        .collect()
}

/// Builds a patch of an image: its corners and the side of its blocks.
type PatchOf<const C: usize> = fn(&RgbImage, (f32, f32), (f32, f32), u32) -> Patch<C>;

/// A square around the face, turned so the eyes are level.
#[derive(Clone, Copy)]
struct CropGeometry {
    centre: Point,
    /// The square's side in image pixels.
    side: f32,
    /// Image pixels per output pixel.
    pixel: f32,
    sin: f32,
    cos: f32,
    output_side: usize,
}

impl CropGeometry {
    fn of(detection: &Detection, roll_degrees: f32, input: &ModelInput) -> CropGeometry {
        let face = &detection.bounding_box;
        let face_side = face.width.max(face.height);
        let side = face_side * input.crop_scale;
        let (sin, cos) = roll_degrees.to_radians().sin_cos();
        // "Up" is the face's up, which turns with the head.
        let shift = input.crop_shift_up * face_side;
        CropGeometry {
            centre: Point {
                x: face.center().x + shift * sin,
                y: face.center().y - shift * cos,
            },
            side,
            pixel: side / input.side as f32,
            sin,
            cos,
            output_side: input.side,
        }
    }

    /// Samples the square from the full-resolution image, row by row, with
    /// enough sub-samples per output pixel to avoid aliasing: big faces are
    /// first averaged over blocks of about one output pixel, so two by two
    /// sub-samples are then enough.
    fn sample<const C: usize>(&self, image: &RgbImage, patch_of: PatchOf<C>) -> Vec<[f32; C]> {
        let CropGeometry {
            centre,
            side,
            pixel,
            sin,
            cos,
            output_side,
        } = *self;
        let block = (pixel.floor() as u32).max(1);
        let reach = side / 2.0 * (sin.abs() + cos.abs()) + 2.0 * block as f32;
        let patch = patch_of(
            image,
            (centre.x - reach, centre.y - reach),
            (centre.x + reach, centre.y + reach),
            block,
        );
        let subsamples = (pixel / block as f32).ceil().clamp(1.0, 4.0) as usize;
        let weight = 1.0 / (subsamples * subsamples) as f32;
        let offset = |index: usize, sub: usize| {
            (index as f32 + (sub as f32 + 0.5) / subsamples as f32) * pixel - side / 2.0
        };
        let mut crop = Vec::with_capacity(output_side * output_side);
        for row in 0..output_side {
            for column in 0..output_side {
                let mut sum = [0.0f32; C];
                for sy in 0..subsamples {
                    let v = offset(row, sy);
                    for sx in 0..subsamples {
                        let u = offset(column, sx);
                        let value = patch
                            .sample(centre.x + u * cos - v * sin, centre.y + u * sin + v * cos);
                        for (total, channel) in sum.iter_mut().zip(value) {
                            *total += channel;
                        }
                    }
                }
                crop.push(sum.map(|total| total * weight));
            }
        }
        crop
    }
}

#[cfg(test)]
mod tests {
    use super::mirror_rows;

    #[test]
    fn mirroring_reverses_the_pixels_of_each_row_and_keeps_their_channels() {
        let crop = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        assert_eq!(
            mirror_rows(&crop, 2, 2),
            [3.0, 4.0, 1.0, 2.0, 7.0, 8.0, 5.0, 6.0]
        );
    }
}
