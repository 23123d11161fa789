"""Compare the stored selfie segmentation reference masks with MediaPipe's own
runtime (the `mediapipe` PyPI package, custom op Convolution2DTransposeBias
included).

Usage (in a venv with mediapipe, NOT the build venv; build.sh does this when
SELFIE_MEDIAPIPE_CHECK=1):
    python selfie_mediapipe_check.py <selfie_segmentation.tflite> <models_dir>

Runs MediaPipe's Python "solution" mp.solutions.selfie_segmentation
(model_selection=0: graph selfie_segmentation_cpu.binarypb =
ImageToTensorCalculator 256x256 to [0, 1] without keeping the aspect ratio ->
InferenceCalculator with MediaPipe's custom-op resolver ->
TensorsToSegmentationCalculator back to the image size) on every reference
input given as the 8-bit image it came from (all reference inputs are
u8 / 255). The images are already 256x256, so the pre- and post-processing
are identities and the mask is the model's raw output.

The solution normally loads mediapipe/modules/selfie_segmentation/
selfie_segmentation.tflite from the wheel. That file carries an extra TFLite
metadata block but the same 360 tensors as the npm package's file; to run the
npm file itself, MediaPipe's resource directory is pointed at a temp folder
that holds it under the same relative path (the graph file still comes from
the wheel). Both files are run and reported.

Prints the max abs difference per input against
reference/selfie_segmentation_masks.f32 (tf.lite.Interpreter on the patched
model, see selfie_reference.py); exits 1 above 1e-4.
"""
import hashlib
import json
import os
import shutil
import sys
import tempfile

import numpy as np

TOL = 1e-4
REL = "mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite"


def run_solution(images):
    import mediapipe as mp
    with mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0) as seg:
        return [seg.process(img).segmentation_mask.copy() for img in images]


def main() -> None:
    tflite_path, models_dir = sys.argv[1], sys.argv[2]
    ref_dir = os.path.join(models_dir, "reference")
    with open(os.path.join(ref_dir, "selfie_segmentation_inputs.json")) as f:
        desc = json.load(f)
    with open(os.path.join(ref_dir, "selfie_segmentation.json")) as f:
        ref_desc = json.load(f)
    xs = np.fromfile(os.path.join(ref_dir, desc["file"]), dtype="<f4").reshape(desc["shape"])
    refs = np.fromfile(os.path.join(ref_dir, ref_desc["masks_file"]),
                       dtype="<f4").reshape(ref_desc["masks_shape"])
    images = []
    for x in xs:
        u8 = np.rint(x * 255.0)
        if np.max(np.abs(u8 / 255.0 - x)) > 1e-6:
            raise SystemExit("error: a reference input is not an 8-bit image / 255")
        images.append(np.ascontiguousarray(u8.astype(np.uint8)))

    import mediapipe as mp
    from mediapipe.python import solution_base
    wheel_root = os.path.dirname(os.path.dirname(os.path.abspath(mp.__file__)))
    with open(os.path.join(wheel_root, REL), "rb") as f:
        wheel_sha = hashlib.sha256(f.read()).hexdigest()
    with open(tflite_path, "rb") as f:
        npm_sha = hashlib.sha256(f.read()).hexdigest()

    results = {f"wheel model ({wheel_sha[:12]}...)": run_solution(images)}

    # the npm file through the same graph: resources from a temp dir
    real_resource_util = solution_base.resource_util
    tmp = tempfile.mkdtemp(prefix="selfie-mp-")
    try:
        os.makedirs(os.path.dirname(os.path.join(tmp, REL)))
        shutil.copyfile(tflite_path, os.path.join(tmp, REL))

        class Redirect:
            @staticmethod
            def set_resource_dir(_root):
                real_resource_util.set_resource_dir(tmp)

        solution_base.resource_util = Redirect
        results[f"npm model ({npm_sha[:12]}...)"] = run_solution(images)
    finally:
        solution_base.resource_util = real_resource_util
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"mediapipe {mp.__version__}: MediaPipe runtime vs stored reference masks "
          "(max abs diff per input)")
    worst = 0.0
    for label, masks in results.items():
        diffs = [float(np.max(np.abs(m - r[:, :, 0]))) for m, r in zip(masks, refs)]
        worst = max(worst, max(diffs))
        names = [e["name"] for e in desc["inputs"]]
        print(f"  {label}: " + ", ".join(f"{n} {d:.2e}" for n, d in zip(names, diffs)))
    a, b = results.values()
    print(f"  npm model vs wheel model: {max(float(np.max(np.abs(p - q))) for p, q in zip(a, b)):.2e}")
    if worst > TOL:
        print(f"MEDIAPIPE PARITY FAILURE: {worst:.3e} > {TOL}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
