"""Write the reference face crops used by the face-api expression parity check.

Usage: python make_faceapi_crops.py <repo_root> <out.f32>

Not run by build.sh: the crops are inputs of the parity check and are
committed (reference/faceapi_expression_crops.f32), so the check does not
depend on Pillow's resampling. Needs numpy and pillow; written with
pillow 13.0.0 (record the version if you ever regenerate them).

Each crop is 112x112 RGB, values 0..255 stored as float32 (little-endian,
row-major N x 112 x 112 x 3, no header). A face crop is the square of side
1.3 x the hand-drawn face box of tests/fixtures/photos/expectations.json,
centred on the box centre, resized with Pillow BILINEAR (which filters when
shrinking) straight from the photo (`Image.resize(..., box=...)`, float box).
The last crop is flat grey 128.
"""
import json
import os
import sys

import numpy as np
from PIL import Image, ImageOps

SIZE = 112
SCALE = 1.3
# (photo, index of the face in expectations.json, why it is in the set)
FACES = [
    ("skimage_astronaut.png", 0, "frontal, happy"),
    ("matplotlib_grace_hopper.jpg", 0, "frontal, glasses, neutral"),
    ("faceapi_sample3.jpg", 0, "middle woman, smile with teeth"),
    ("faceapi_sample5.jpg", 2, "bottom-left woman, mouth open, brows raised"),
    ("faceapi_sample6.jpg", 0, "3rd from left, kissing pout"),
]
GREY = 128.0


def crop(img: Image.Image, box) -> np.ndarray:
    x, y, w, h = box
    side = SCALE * max(w, h)
    cx, cy = x + w / 2.0, y + h / 2.0
    b = (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
    if b[0] < 0 or b[1] < 0 or b[2] > img.width or b[3] > img.height:
        raise SystemExit(f"crop box {b} leaves the {img.size} image")
    out = img.resize((SIZE, SIZE), resample=Image.BILINEAR, box=b)
    return np.asarray(out, dtype=np.float32)


def main() -> None:
    root, dst = sys.argv[1], sys.argv[2]
    photos = os.path.join(root, "tests", "fixtures", "photos")
    with open(os.path.join(photos, "expectations.json")) as f:
        exp = json.load(f)["photos"]
    crops = []
    for name, idx, why in FACES:
        img = ImageOps.exif_transpose(Image.open(os.path.join(photos, name))).convert("RGB")
        box = exp[name]["faces"][idx]["box"]
        crops.append(crop(img, box))
        print(f"{name} face {idx} box {box}: {why}")
    crops.append(np.full((SIZE, SIZE, 3), GREY, dtype=np.float32))
    arr = np.ascontiguousarray(np.stack(crops), dtype="<f4")
    assert arr.shape == (len(FACES) + 1, SIZE, SIZE, 3)
    with open(dst, "wb") as f:
        f.write(arr.tobytes())
    print(f"wrote {dst}: {arr.shape}")


if __name__ == "__main__":
    main()
