//! tract's outputs on the committed ONNX files, optimised as the engine
//! optimises them (with its own kernels), equal the original framework's
//! (Keras, TFLite), recorded by models/build.sh.

use igemoji_engine::optimized_with_fast_kernels;
use serde_json::Value;
use tract_onnx::prelude::*;

use crate::helpers::repo_path;

/// The reference input: x[n] = sin(0.37 n), row-major over the NHWC shape.
fn reference_input(shape: &[usize]) -> Tensor {
    let count: usize = shape.iter().product();
    let values: Vec<f32> = (0..count).map(|n| (0.37 * n as f64).sin() as f32).collect();
    Tensor::from_shape(shape, &values).unwrap()
}

/// A committed model, optimised as the engine optimises it.
fn load(model_file: &str, shape: &[usize]) -> std::sync::Arc<TypedRunnableModel> {
    tract_onnx::onnx()
        .model_for_path(repo_path("models").join(model_file))
        .unwrap()
        .with_input_fact(0, f32::fact(shape).into())
        .unwrap()
        .into_typed()
        .and_then(optimized_with_fast_kernels)
        .unwrap()
        .into_runnable()
        .unwrap()
}

fn run(model_file: &str, shape: &[usize]) -> Vec<(Vec<usize>, Vec<f32>)> {
    let model = load(model_file, shape);
    let outputs = model.run(tvec!(reference_input(shape).into())).unwrap();
    outputs
        .iter()
        .map(|output| {
            let view = output.to_plain_array_view::<f32>().unwrap();
            (view.shape().to_vec(), view.iter().copied().collect())
        })
        .collect()
}

fn reference() -> Value {
    let text = std::fs::read_to_string(repo_path("models/reference/reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn stored_f32(file: &str) -> Vec<f32> {
    std::fs::read(repo_path("models/reference").join(file))
        .unwrap()
        .chunks_exact(4)
        .map(|bytes| f32::from_le_bytes(bytes.try_into().unwrap()))
        .collect()
}

fn assert_close(actual: &[f32], expected: &[f32], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    let mut worst = 0.0f32;
    for (a, e) in actual.iter().zip(expected) {
        let difference = (a - e).abs();
        assert!(difference <= 1e-3 + 1e-5 * e.abs(), "{what}: {a} vs {e}");
        worst = worst.max(difference);
    }
    eprintln!("{what}: max abs difference {worst:e}");
}

#[test]
fn the_expression_classifier_matches_keras() {
    let outputs = run("emotion_fer.onnx", &[1, 64, 64, 1]);
    let expected: Vec<f32> =
        reference()["models"]["emotion_fer.onnx"]["outputs"]["predictions"]["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap() as f32)
            .collect();
    assert_close(&outputs[0].1, &expected, "fer predictions");
}

/// The stored rows of a detector output (every `stride`-th row of `width`).
fn rows(values: &[f32], width: usize, stride: usize) -> Vec<f32> {
    values
        .chunks_exact(width)
        .step_by(stride)
        .flatten()
        .copied()
        .collect()
}

fn check_detector(model_file: &str, size: usize) {
    let outputs = run(model_file, &[1, size, size, 3]);
    let model = &reference()["models"][model_file]["outputs"];
    for (name, spec) in model.as_object().unwrap() {
        let width = spec["full_shape"][2].as_u64().unwrap() as usize;
        let stride = spec["row_stride"].as_u64().unwrap() as usize;
        let (_, actual) = outputs
            .iter()
            .find(|(shape, _)| shape.last() == Some(&width))
            .unwrap_or_else(|| panic!("{model_file} has an output of width {width}"));
        let expected = stored_f32(spec["stored_file"].as_str().unwrap());
        assert_close(
            &rows(actual, width, stride),
            &expected,
            &format!("{model_file} {name}"),
        );
    }
}

#[test]
fn the_full_range_detector_matches_tflite() {
    check_detector("face_detection_full_range.onnx", 192);
}

#[test]
fn the_short_range_detector_matches_tflite() {
    check_detector("face_detection_short_range.onnx", 128);
}

/// face-api.js's own JavaScript (tfjs, CPU) on real face crops, recorded by
/// models/build.sh, against tract running the converted model.
#[test]
fn the_faceapi_expression_net_matches_face_api_js() {
    const SIDE: usize = 112;
    let model = load("emotion_faceapi.onnx", &[1, SIDE, SIDE, 3]);
    let text = std::fs::read_to_string(repo_path("models/reference/faceapi_expression_tfjs.json"))
        .unwrap();
    let recorded: Value = serde_json::from_str(&text).unwrap();
    let crops = stored_f32(recorded["crops_file"].as_str().unwrap());
    let expected = recorded["scores"].as_array().unwrap();
    assert_eq!(crops.len(), expected.len() * SIDE * SIDE * 3);
    let mut worst = 0.0f32;
    for (crop, scores) in crops.chunks_exact(SIDE * SIDE * 3).zip(expected) {
        let input = Tensor::from_shape(&[1, SIDE, SIDE, 3], crop).unwrap();
        let output = model.run(tvec!(input.into())).unwrap();
        let actual = output[0].to_plain_array_view::<f32>().unwrap();
        for (a, e) in actual.iter().zip(scores.as_array().unwrap()) {
            let difference = (a - e.as_f64().unwrap() as f32).abs();
            worst = worst.max(difference);
        }
    }
    eprintln!("faceapi expression scores: max abs difference {worst:e}");
    assert!(worst <= 1e-4, "max abs difference {worst:e} > 1e-4");
}

/// MediaPipe's selfie segmentation: tract on the converted ONNX against the
/// TFLite masks models/build.sh recorded for four 256x256 inputs (three
/// photos of people and a synthetic one).
#[test]
fn selfie_segmentation_matches_tflite() {
    let model = load("selfie_segmentation.onnx", &[1, 256, 256, 3]);
    let inputs = stored_f32("selfie_segmentation_inputs.f32");
    let masks = stored_f32("selfie_segmentation_masks.f32");
    let (input_len, mask_len) = (256 * 256 * 3, 256 * 256);
    assert_eq!(inputs.len(), 4 * input_len);
    assert_eq!(masks.len(), 4 * mask_len);
    for (index, (input, mask)) in inputs
        .chunks_exact(input_len)
        .zip(masks.chunks_exact(mask_len))
        .enumerate()
    {
        let tensor = Tensor::from_shape(&[1, 256, 256, 3], input).unwrap();
        let outputs = model.run(tvec!(tensor.into())).unwrap();
        let view = outputs[0].to_plain_array_view::<f32>().unwrap();
        assert_eq!(view.shape(), &[1, 256, 256, 1]);
        let worst = view
            .iter()
            .zip(mask)
            .map(|(a, e)| (a - e).abs())
            .fold(0.0f32, f32::max);
        eprintln!("selfie mask {index}: max abs difference {worst:e}");
        assert!(
            worst <= 1e-4,
            "selfie mask {index}: max abs difference {worst:e}"
        );
    }
}
