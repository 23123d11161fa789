"""Write the committed reference inputs of selfie_segmentation.onnx.

Usage: python make_selfie_inputs.py <photos_dir> <models_dir>
  e.g. python models/tools/make_selfie_inputs.py tests/fixtures/photos models

Needs numpy and pillow (not part of build.sh: the inputs are committed, like
reference/faceapi_expression_crops.f32; build.sh only reads them).

Writes <models_dir>/reference/:
  selfie_segmentation_inputs.f32   N x 256 x 256 x 3 float32 little-endian,
                                   row-major (NHWC, RGB, values k/255 in [0, 1])
  selfie_segmentation_inputs.json  what each of the N inputs is

Photos: decoded with Pillow, EXIF orientation applied, converted to RGB,
resized to 256x256 WITHOUT keeping the aspect ratio (MediaPipe's own selfie
segmentation graph does the same: ImageToTensorCalculator with
keep_aspect_ratio false) with Pillow's BILINEAR filter (antialiased when
shrinking), then x = f32(u8) / 255.
Synthetic: v[n] = floor(128 + 127 * sin(0.37 n)) computed in f64 (1..255),
x[n] = f32(v[n]) / 255, n = 0 .. 196607 row-major over [1, 256, 256, 3].
Every input is an 8-bit image divided by 255, so MediaPipe's own runtime (which
takes 8-bit images) can be fed exactly the same values
(tools/selfie_mediapipe_check.py).
"""
import hashlib
import json
import math
import os
import sys

import numpy as np
import PIL
from PIL import Image, ImageOps

SIDE = 256
# (name, photo file or None for the synthetic input, what it shows)
INPUTS = [
    ("skimage_astronaut", "skimage_astronaut.png",
     "portrait, one person (head to waist, orange space suit, helmet in her arm), "
     "US flag and a shuttle model behind"),
    ("matplotlib_grace_hopper", "matplotlib_grace_hopper.jpg",
     "portrait, one person (head and chest, dark uniform), US flag and blue backdrop behind"),
    ("faceapi_sample6", "faceapi_sample6.jpg",
     "four women standing close together, knees up, window blinds and a wall behind"),
    ("synthetic", None,
     "v[n] = floor(128 + 127 sin(0.37 n)), n row-major over [1,256,256,3]; x = v / 255"),
]


def synthetic_u8():
    n = SIDE * SIDE * 3
    v = [math.floor(128.0 + 127.0 * math.sin(0.37 * float(i))) for i in range(n)]
    return np.asarray(v, dtype=np.uint8).reshape(SIDE, SIDE, 3)


def photo_u8(path):
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im).convert("RGB")
        size = im.size
        im = im.resize((SIDE, SIDE), Image.Resampling.BILINEAR)
        return np.asarray(im, dtype=np.uint8), size


def main() -> None:
    photos_dir, models_dir = sys.argv[1], sys.argv[2]
    ref_dir = os.path.join(models_dir, "reference")
    os.makedirs(ref_dir, exist_ok=True)
    arrays, described = [], []
    for index, (name, photo, what) in enumerate(INPUTS):
        entry = {"index": index, "name": name, "shows": what}
        if photo is None:
            u8 = synthetic_u8()
            entry["source"] = "synthetic"
        else:
            path = os.path.join(photos_dir, photo)
            u8, size = photo_u8(path)
            with open(path, "rb") as f:
                sha = hashlib.sha256(f.read()).hexdigest()
            entry["source"] = f"tests/fixtures/photos/{photo}"
            entry["source_sha256"] = sha
            entry["source_size"] = list(size)
            entry["resize"] = (f"Pillow {PIL.__version__} resize to {SIDE}x{SIDE} BILINEAR, "
                               "aspect ratio not kept")
        x = u8.astype(np.float32) / np.float32(255.0)
        arrays.append(x)
        entry["first_values"] = [float(v) for v in x.reshape(-1)[:4]]
        entry["mean"] = float(x.mean())
        described.append(entry)
    data = np.ascontiguousarray(np.stack(arrays), dtype="<f4")
    fname = "selfie_segmentation_inputs.f32"
    with open(os.path.join(ref_dir, fname), "wb") as f:
        f.write(data.tobytes())
    manifest = {
        "file": fname,
        "shape": list(data.shape),
        "layout": "NHWC, RGB",
        "dtype": "float32 little-endian, row-major, no header",
        "values": "8-bit value / 255 (f32 division), in [0, 1]",
        "written_by": "models/tools/make_selfie_inputs.py",
        "inputs": described,
    }
    with open(os.path.join(ref_dir, "selfie_segmentation_inputs.json"), "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"wrote {fname}: {data.shape}, {data.nbytes} bytes; "
          + ", ".join(e["name"] for e in described))


if __name__ == "__main__":
    main()
