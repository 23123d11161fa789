"""Write parity reference tensors for the three ONNX models.

Usage: python make_reference.py <fer_hdf5> <short.tflite> <full.tflite> <models_dir>

The input of every model is generated, not stored:
    x[n] = f32( sin(0.37 * n) )   for n = 0, 1, ..., N-1
computed in f64 (n as f64 * 0.37, then sin, then rounded to f32) and laid out
in the model's own NHWC order (row-major over N, H, W, C). The values lie in
[-1, 1], which is the input range of all three models.

Outputs of the ORIGINAL framework (Keras for fer, tf.lite.Interpreter with one
thread for BlazeFace) are written to <models_dir>/reference/, and
onnxruntime's outputs on the ONNX files are compared against them.
"""
import json
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
import tensorflow as tf  # noqa: E402

TOL = 1e-4


def gen_input(shape):
    n = int(np.prod(shape))
    vals = [math.sin(0.37 * float(i)) for i in range(n)]
    return np.asarray(vals, dtype=np.float64).astype(np.float32).reshape(shape)


def ort_run(path, feed):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, feed)))


def write_bin(path, arr):
    arr = np.ascontiguousarray(arr, dtype="<f4")
    with open(path, "wb") as f:
        f.write(arr.tobytes())
    return os.path.basename(path)


def main() -> None:
    fer_h5, short_tfl, full_tfl, models_dir = sys.argv[1:5]
    ref_dir = os.path.join(models_dir, "reference")
    os.makedirs(ref_dir, exist_ok=True)
    manifest = {
        "input_formula": "x[n] = f32(sin(0.37 * n)), n = 0..N-1 computed in f64, "
                         "row-major over the model's NHWC input shape",
        "tolerance_abs": TOL,
        "models": {},
    }
    failures = []

    # ---- fer (Keras) ----
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.models.load_model(fer_h5, compile=False)
    x = gen_input((1, 64, 64, 1))
    ref = model(x, training=False).numpy().astype(np.float32)
    got = ort_run(os.path.join(models_dir, "emotion_fer.onnx"), {"input": x})["predictions"]
    diff = float(np.max(np.abs(got - ref)))
    if diff > TOL:
        failures.append(f"emotion_fer: max abs diff {diff}")
    manifest["models"]["emotion_fer.onnx"] = {
        "reference_framework": f"Keras (tensorflow {tf.__version__}), model(x, training=False)",
        "input": {"name": "input", "shape": [1, 64, 64, 1], "dtype": "float32",
                  "first_values": [float(v) for v in x.reshape(-1)[:4]]},
        "outputs": {"predictions": {
            "shape": [1, 7],
            "labels": ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"],
            "values": [float(v) for v in ref.reshape(-1)]}},
        "onnxruntime_max_abs_diff": diff,
    }

    # ---- BlazeFace (TFLite) ----
    for key, tfl, onnx_name, size, stride in [
        ("short", short_tfl, "face_detection_short_range.onnx", 128, 1),
        ("full", full_tfl, "face_detection_full_range.onnx", 192, 3),
    ]:
        interp = tf.lite.Interpreter(model_path=tfl, num_threads=1)
        interp.allocate_tensors()
        inp = interp.get_input_details()[0]
        x = gen_input((1, size, size, 3))
        interp.set_tensor(inp["index"], x)
        interp.invoke()
        outs = {d["name"]: interp.get_tensor(d["index"]).copy() for d in interp.get_output_details()}
        got = ort_run(os.path.join(models_dir, onnx_name), {inp["name"]: x})
        entry = {
            "reference_framework": f"tf.lite.Interpreter (tensorflow {tf.__version__}), num_threads=1",
            "input": {"name": inp["name"], "shape": [1, size, size, 3], "dtype": "float32",
                      "layout": "NHWC", "first_values": [float(v) for v in x.reshape(-1)[:4]]},
            "outputs": {},
        }
        worst = 0.0
        for name, ref in outs.items():
            d = float(np.max(np.abs(got[name] - ref)))
            worst = max(worst, d)
            rows = ref.shape[1]
            if ref.shape[-1] == 16 and stride > 1:
                sel = ref[0, ::stride, :]
                note = f"rows n = 0, {stride}, {2 * stride}, ... ({sel.shape[0]} of {rows} anchors)"
            else:
                sel = ref[0]
                note = f"all {rows} rows"
            fname = write_bin(os.path.join(ref_dir, f"blazeface_{key}_{name}.f32"), sel)
            entry["outputs"][name] = {
                "full_shape": list(ref.shape),
                "stored_file": fname,
                "stored_shape": list(sel.shape),
                "stored_rows": note,
                "row_stride": stride if ref.shape[-1] == 16 else 1,
                "dtype": "float32 little-endian, row-major, no header",
                "onnxruntime_max_abs_diff": d,
            }
        if worst > TOL:
            failures.append(f"{onnx_name}: max abs diff {worst}")
        entry["onnxruntime_max_abs_diff"] = worst
        manifest["models"][onnx_name] = entry

    with open(os.path.join(ref_dir, "reference.json"), "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")
    for name, e in manifest["models"].items():
        print(f"{name}: onnxruntime vs original max abs diff = {e['onnxruntime_max_abs_diff']:.3e}")
    if failures:
        print("PARITY FAILURE: " + "; ".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
