"""Render the selfie segmentation reference masks and print what they look like.

Usage: python render_selfie_masks.py <models_dir> <photos_dir> <out_dir>
  e.g. python models/tools/render_selfie_masks.py models tests/fixtures/photos /tmp/selfie-masks

Needs numpy and pillow (not run by build.sh). For every reference input writes
<out_dir>/<name>.png: the input | the mask (white = 1) | the cut-out (input
where mask > 0.5, checkerboard elsewhere), 256x256 each. Prints per input the
fraction of pixels above 0.5, the mean of the 8x8 corners and, for photos, the
mask at the centre of every hand-checked face box of
<photos_dir>/expectations.json (box scaled to 256x256 like the photo) and the
mean of the mask over the middle half of each box.
"""
import json
import os
import sys

import numpy as np
from PIL import Image


def main() -> None:
    models_dir, photos_dir, out_dir = sys.argv[1:4]
    ref_dir = os.path.join(models_dir, "reference")
    with open(os.path.join(ref_dir, "selfie_segmentation_inputs.json")) as f:
        desc = json.load(f)
    with open(os.path.join(ref_dir, "selfie_segmentation.json")) as f:
        ref = json.load(f)
    with open(os.path.join(photos_dir, "expectations.json")) as f:
        expectations = json.load(f)["photos"]
    xs = np.fromfile(os.path.join(ref_dir, desc["file"]), dtype="<f4").reshape(desc["shape"])
    masks = np.fromfile(os.path.join(ref_dir, ref["masks_file"]),
                        dtype="<f4").reshape(ref["masks_shape"])[..., 0]
    os.makedirs(out_dir, exist_ok=True)
    side = xs.shape[1]
    yy, xx = np.mgrid[0:side, 0:side]
    checker = np.where(((yy // 16 + xx // 16) % 2)[..., None] == 0, 200, 150).astype(np.uint8)
    for entry, x, m in zip(desc["inputs"], xs, masks):
        img = np.rint(x * 255).astype(np.uint8)
        mask_img = np.repeat(np.rint(m * 255).astype(np.uint8)[..., None], 3, axis=2)
        cut = np.where((m > 0.5)[..., None], img, np.repeat(checker, 3, axis=2))
        Image.fromarray(np.concatenate([img, mask_img, cut], axis=1)).save(
            os.path.join(out_dir, entry["name"] + ".png"))
        c = 8
        corners = [m[:c, :c].mean(), m[:c, -c:].mean(), m[-c:, :c].mean(), m[-c:, -c:].mean()]
        line = (f"{entry['name']:>24}: > 0.5: {(m > 0.5).mean():.3f}, "
                f"mean {m.mean():.3f}, corners TL/TR/BL/BR "
                + "/".join(f"{v:.2f}" for v in corners))
        photo = os.path.basename(entry["source"])
        if photo in expectations:
            w, h = entry["source_size"]
            sx, sy = side / w, side / h
            faces = []
            for face in expectations[photo]["faces"]:
                bx, by, bw, bh = face["box"]
                cx, cy = int((bx + bw / 2) * sx), int((by + bh / 2) * sy)
                x0, x1 = int((bx + bw / 4) * sx), int((bx + 3 * bw / 4) * sx) + 1
                y0, y1 = int((by + bh / 4) * sy), int((by + 3 * bh / 4) * sy) + 1
                faces.append(f"{m[cy, cx]:.3f} (box middle mean {m[y0:y1, x0:x1].mean():.3f})")
            line += "; face centres: " + ", ".join(faces)
        print(line)
    print(f"PNG renders in {out_dir}")


if __name__ == "__main__":
    main()
