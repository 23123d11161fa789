"""Compare emotion_faceapi.onnx (onnxruntime) with face-api.js's own outputs.

Usage: python faceapi_parity.py <emotion_faceapi.onnx> <crops.f32> <tfjs.json>

<tfjs.json> is written by faceapi_reference.mjs (face-api 1.7.15 with tfjs's
cpu backend) on the same crops. Exits 1 if any probability differs by more
than 1e-4 or the label order is not face-api's.
"""
import json
import sys

import numpy as np
import onnxruntime as ort

TOL = 1e-4
LABELS = ["neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"]


def main() -> None:
    onnx_path, crops_path, ref_path = sys.argv[1:4]
    with open(ref_path) as f:
        ref = json.load(f)
    if ref["labels"] != LABELS:
        raise SystemExit(f"label order {ref['labels']} is not {LABELS}")
    want = np.asarray(ref["scores"], dtype=np.float64)
    crops = np.fromfile(crops_path, dtype="<f4").reshape(-1, 112, 112, 3)
    if crops.shape[0] != want.shape[0]:
        raise SystemExit(f"{crops.shape[0]} crops but {want.shape[0]} reference rows")

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(onnx_path, so, providers=["CPUExecutionProvider"])
    got = np.concatenate([sess.run(["scores"], {"input": c[None]})[0] for c in crops]).astype(np.float64)

    diff = np.abs(got - want)
    worst = float(diff.max())
    for k, (g, w) in enumerate(zip(got, want)):
        print(f"crop {k}: face-api {LABELS[int(w.argmax())]} {w.max():.4f}, "
              f"onnx {LABELS[int(g.argmax())]} {g.max():.4f}, max abs diff {diff[k].max():.3e}")
    print(f"emotion_faceapi.onnx: onnxruntime {ort.__version__} vs face-api.js "
          f"{ref['face_api_version']} (tfjs {ref['tfjs_version']} {ref['tfjs_backend']}) "
          f"max abs diff = {worst:.3e}")
    if worst > TOL or not np.array_equal(got.argmax(1), want.argmax(1)):
        print(f"PARITY FAILURE: max abs diff {worst} > {TOL} or top-1 differs", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
