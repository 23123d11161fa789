"""Which crop of a BlazeFace (full range) detection should emotion_faceapi.onnx
get? Sweeps the crop geometry on people-labelled faces and compares with the
old emotion_fer.onnx on the same faces (models/README.md, "Crop for
emotion_faceapi.onnx").

    python models/tools/tune_faceapi_crop.py models/ tests/fixtures/ --rotate
    python models/tools/tune_faceapi_crop.py models/ tests/fixtures/ --rotate --antialias

Other options: --json FILE (per-face probabilities at the chosen cell),
--scales 1.2,1.3,... and --shifts=-0.05,0,... (another grid; it must hold
fer's current and the chosen cell), --chosen SCALE,SHIFT,ROLL01 (the cell
reported in detail; default CHOSEN below).
Prints markdown tables and summaries on stdout; deterministic (no random
numbers). Needs numpy, pillow, onnxruntime (1.18.1 was used), e.g.
`python3 -m venv /tmp/crop-venv && /tmp/crop-venv/bin/pip install numpy pillow onnxruntime==1.18.1`.
About 40 s for 58 faces on one core (all models run with one thread).

Faces (all paths relative to the fixtures folder given):
* `photos/expectations.json` ("faces": box [x,y,w,h], expression
  {primary, accepted, clear}); faces with no accepted label are not scored;
  `photos/faceapi_sample3_rot90_exif6.jpg` is a copy of faceapi_sample3.jpg
  and is left out (it would count those faces twice).
* `expressions/labels.json` if it exists ({"photos": {"<path relative to the
  fixtures folder>": {"faces": [{"box", "expression", "clear", "accepted"} or
  {"box", "skip": true}]}}}). A photo listed in both files is counted once:
  its labels.json faces win, and an expectations.json face is added only if
  no labels.json face of the same photo overlaps it (IoU > 0.5).

Detection is BlazeFace full range as the Rust engine runs it
(src/analysis/detect.rs with the default tiles_per_side = 2): the whole photo
letterboxed, plus overlapping tiles (20 % overlap) unless every face found is
at least 1/12 of the long side; tile detections touching an inner tile edge
are dropped; everything merged by score-weighted NMS (IoU 0.3). (The engine's
128-px "glance" pass and its pre-shrinking of photos over 768 px per tile side
are left out: they change which faces are found, not the crop.) Decoding is
`reference_pipeline.BlazeFace`. Labelled faces are matched one-to-one to
detections by IoU >= 0.3 (greedy, as `evaluate_fixtures.py`); only matched,
non-skipped faces are scored.

Crop geometry (as `reference_pipeline.face_crop` and src/analysis/classify.rs):
square of side `scale * max(w, h)` around the box centre moved up by
`shift * max(w, h)` in the face's own frame, rotated so the eye line
(keypoints 0 -> 1) is level if "roll" is on; bilinear sampling with pixel
centres at +0.5 and clamp-to-edge outside the photo; 112x112 RGB for
faceapi, 64x64 gray 0.299R+0.587G+0.114B for fer. `--antialias` averages
ceil(S/out)^2 (at most 4x4) bilinear sub-samples per output pixel instead of
one (nearer to the engine's area averaging for big faces).

Scored per face: a hit = top-1 label among the face's accepted labels; "p" =
probability mass on the accepted labels; classes are the faces' primary
labels. Variants: faceapi RGB; faceapi on the gray crop replicated to 3
channels; faceapi on the mirrored crop alone; faceapi "flip" = mean of the
softmax of the crop and of the mirrored crop; fer. Also the face-api-native
cut (axis-aligned box, no margin, black outside the photo).

Reported too: for every cell the plateau score = mean hits (then mean p)
of the cell and its 8 neighbours (scale +-1 step, shift +-1 step, same
roll), and per variant and roll the best cell by that score among the cells
whose whole neighbourhood is inside the grid. The setting is chosen on such
a plateau, not on the single best cell (single cells are noisy: the model's
answer jumps with small crop changes); CHOSEN is the decision written up in
models/README.md. Then: faceapi at CHOSEN vs fer at its current setting
(hits, top-1 = primary, p, clear faces, per class, discordant faces), flip
averaging over the whole grid and per face, roll on/off on the faces tilted
by >= 10 degrees, and with --rotate every photo turned by +-30 degrees
(detected again) to see what roll correction does for strongly tilted faces;
confusion tables; the faceapi model's run time.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evaluate_fixtures  # noqa: E402
import reference_pipeline as rp  # noqa: E402
from evaluate_fixtures import iou  # noqa: E402
from PIL import Image  # noqa: E402

LABELS = ["neutral", "happy", "sad", "angry", "fear", "disgust", "surprise"]
ALIASES = {"fearful": "fear", "disgusted": "disgust", "surprised": "surprise"}
FER_ORDER = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
FER_TO_OURS = [FER_ORDER.index(k) for k in LABELS]   # fer probs[FER_TO_OURS] -> our order

SCALES = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5]
SHIFTS = [-0.1, -0.05, 0.0, 0.05, 0.1]
ROLLS = [True, False]
FER_CURRENT = (1.4, 0.05, True)
# Decided from the tables this script prints (models/README.md, "Crop for
# emotion_faceapi.onnx"); --chosen overrides it.
CHOSEN = (1.3, 0.0, True)
TILTED = 10.0          # degrees of eye-line roll for the "tilted faces" line
ROTATE_CHECK = 30.0    # degrees the photos are turned by with --rotate

DUPLICATES = {"photos/faceapi_sample3_rot90_exif6.jpg"}   # copy of faceapi_sample3.jpg
SAME_FACE_IOU = 0.5
TILES_PER_SIDE = 2
TILE_OVERLAP = 0.2
LARGE_FACE_SHARE = 1.0 / 12.0


def match(dets, faces):
    """evaluate_fixtures' greedy IoU matching, keyed by face: face index -> det index."""
    return {j: i for i, j in evaluate_fixtures.match(dets, faces).items()}


# ---------------------------------------------------------------- faces

def norm_label(x):
    x = x.strip().lower()
    return ALIASES.get(x, x)


def load_faces(fixtures):
    """Returns {photo path relative to fixtures: [face]}, face = dict(box,
    primary, accepted, clear, skip, source), and a description of the sets."""
    photos = {}
    sources = []
    lpath = os.path.join(fixtures, "expressions", "labels.json")
    if os.path.exists(lpath):
        sources.append("expressions/labels.json")
        for rel, entry in json.load(open(lpath))["photos"].items():
            rel = os.path.normpath(rel)
            if rel in DUPLICATES:
                continue
            faces = photos.setdefault(rel, [])
            for f in entry["faces"]:
                if f.get("skip") or not f.get("expression"):
                    faces.append(dict(box=f["box"], skip=True, source="labels"))
                    continue
                primary = norm_label(f["expression"])
                acc = [norm_label(a) for a in (f.get("accepted") or [primary])]
                if primary not in acc:
                    acc.insert(0, primary)
                faces.append(dict(box=f["box"], primary=primary, accepted=acc,
                                  clear=bool(f.get("clear")), skip=False, source="labels"))
    epath = os.path.join(fixtures, "photos", "expectations.json")
    sources.append("photos/expectations.json")
    for name, entry in json.load(open(epath))["photos"].items():
        rel = os.path.normpath(os.path.join("photos", name))
        if rel in DUPLICATES:
            continue
        faces = photos.setdefault(rel, [])
        have = list(faces)
        for f in entry["faces"]:
            if any(iou(f["box"], g["box"]) > SAME_FACE_IOU for g in have):
                continue   # already labelled in labels.json
            e = f.get("expression") or {}
            acc = [norm_label(a) for a in e.get("accepted") or []]
            if not acc:
                faces.append(dict(box=f["box"], skip=True, source="expectations"))
                continue
            primary = norm_label(e.get("primary") or acc[0])
            faces.append(dict(box=f["box"], primary=primary, accepted=acc,
                              clear=bool(e.get("clear")), skip=False, source="expectations"))
    for rel, faces in photos.items():
        for f in faces:
            for a in f.get("accepted", []):
                assert a in LABELS, (rel, a)
    return photos, sources


# ---------------------------------------------------------------- detection

def weighted_nms(dets):
    dets = sorted(dets, key=lambda d: -d["score"])
    out = []
    while dets:
        best = dets[0]
        group = [d for d in dets if iou(best["box_px"], d["box_px"]) > 0.3]
        dets = [d for d in dets if iou(best["box_px"], d["box_px"]) <= 0.3]
        w = np.array([d["score"] for d in group])
        box = (np.array([d["box_px"] for d in group]) * w[:, None]).sum(0) / w.sum()
        kp = (np.array([d["keypoints_px"] for d in group]) * w[:, None, None]).sum(0) / w.sum()
        out.append({"score": best["score"], "box_px": [float(v) for v in box],
                    "keypoints_px": [[float(x), float(y)] for x, y in kp]})
    return out


def tile_regions(w, h, tiles=TILES_PER_SIDE, input_size=192):
    """src/analysis/detect.rs regions() without the whole-image region:
    [(left, top, side, inner_edges)]."""
    long = max(w, h)
    if tiles < 2 or long < input_size * 1.5:
        return []
    side = long / (tiles * (1.0 - TILE_OVERLAP) + TILE_OVERLAP)

    def starts(length):
        if length <= side:
            return [(length - side) / 2.0]
        steps = (length - side) / (side * (1.0 - TILE_OVERLAP))
        count = int(math.ceil(steps - 1e-3)) + 1
        return [i * (length - side) / (count - 1) for i in range(count)]
    out = []
    for top in starts(h):
        for left in starts(w):
            out.append((left, top, side, [left > 0.5, top > 0.5, left + side < w - 0.5,
                                          top + side < h - 0.5]))
    return out


def cuts(region, box):
    left, top, side, (il, it, ir, ib) = region
    m = side * 0.02
    x, y, w, h = box
    return ((il and x < left + m) or (it and y < top + m)
            or (ir and x + w > left + side - m) or (ib and y + h > top + side - m))


def detect(blaze, img):
    """BlazeFace full range as the engine runs it (see the module doc)."""
    w, h = img.size
    long = max(w, h)
    cands = blaze.detect(img)
    if not (cands and all(max(d["box_px"][2:]) >= long * LARGE_FACE_SHARE for d in cands)):
        for reg in tile_regions(w, h):
            left, top, side, _ = reg
            # PIL pads the part outside the photo with black, like the letterbox
            tile = img.crop((round(left), round(top), round(left) + round(side),
                             round(top) + round(side)))
            for d in blaze.detect(tile):
                d["box_px"][0] += round(left)
                d["box_px"][1] += round(top)
                d["keypoints_px"] = [[x + round(left), y + round(top)] for x, y in d["keypoints_px"]]
                if not cuts(reg, d["box_px"]):
                    cands.append(d)
    return weighted_nms(cands)


# ---------------------------------------------------------------- crops

def sample(arr, px, py, black=False):
    """Bilinear sampling of arr (H, W, C) at float pixel coordinates (pixel
    centres at integer + 0.5 already removed by the caller), clamp-to-edge
    (or black outside the photo if black)."""
    H, W = arr.shape[:2]
    x0 = np.floor(px).astype(np.int64)
    y0 = np.floor(py).astype(np.int64)
    fx, fy = (px - x0)[..., None], (py - y0)[..., None]

    def at(yy, xx):
        v = arr[np.clip(yy, 0, H - 1), np.clip(xx, 0, W - 1)]
        if black:
            inside = (yy >= 0) & (yy < H) & (xx >= 0) & (xx < W)
            v = v * inside[..., None]
        return v
    top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx
    bot = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx
    return top * (1 - fy) + bot * fy


def crop(arr, det, scale, shift, roll, out, antialias=False, black=False):
    """The square crop of reference_pipeline.face_crop on any channels;
    returns (out, out, C) float32 0..255."""
    x, y, w, h = det["box_px"]
    side = max(w, h)
    s = side * scale
    cx, cy = x + w / 2, y + h / 2
    if roll:
        (ex0, ey0), (ex1, ey1) = det["keypoints_px"][0], det["keypoints_px"][1]
        theta = math.atan2(ey1 - ey0, ex1 - ex0)
    else:
        theta = 0.0
    c, sn = math.cos(theta), math.sin(theta)
    cx += shift * side * sn
    cy -= shift * side * c
    k = min(4, max(1, math.ceil(s / out))) if antialias else 1
    n = out * k
    idx = (np.arange(n, dtype=np.float64) + 0.5) / n - 0.5
    u, v = np.meshgrid(idx * s, idx * s)
    px = cx + u * c - v * sn - 0.5
    py = cy + u * sn + v * c - 0.5
    r = sample(arr, px, py, black)
    if k > 1:
        r = r.reshape(out, k, out, k, -1).mean(axis=(1, 3))
    return r.astype(np.float32)


def faceapi_native_crop(arr, det, out=112):
    """What face-api itself does with a detector box: axis-aligned, no margin,
    black-padded to a square (the BlazeFace box is square already), black
    outside the photo, bilinear to out x out."""
    return crop(arr, det, 1.0, 0.0, False, out, black=True)


def to_gray(rgb):
    return rgb[..., 0:1] * 0.299 + rgb[..., 1:2] * 0.587 + rgb[..., 2:3] * 0.114


# ---------------------------------------------------------------- models

def session(path):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


class Models:
    def __init__(self, models_dir):
        self.faceapi = session(os.path.join(models_dir, "emotion_faceapi.onnx"))
        self.fer = session(os.path.join(models_dir, "emotion_fer.onnx"))

    def faceapi_probs(self, rgb112):
        """(112,112,3) 0..255 -> our label order (same as face-api's)."""
        return self.faceapi.run(["scores"], {"input": rgb112[None].astype(np.float32)})[0][0]

    def fer_probs(self, gray64):
        x = ((gray64 / 255.0 - 0.5) * 2.0).reshape(1, 64, 64, 1).astype(np.float32)
        return self.fer.run(["predictions"], {"input": x})[0][0][FER_TO_OURS]


# ---------------------------------------------------------------- scoring

def score(probs, faces):
    """probs (N, 7), faces: list -> (hits, mean p, per-face hit array)."""
    hit = np.array([LABELS[int(np.argmax(p))] in f["accepted"] for p, f in zip(probs, faces)])
    pacc = np.array([sum(p[LABELS.index(a)] for a in f["accepted"]) for p, f in zip(probs, faces)])
    return int(hit.sum()), float(pacc.mean()), hit


def per_class(hit, faces):
    out = {}
    for h, f in zip(hit, faces):
        a = out.setdefault(f["primary"], [0, 0])
        a[0] += int(h)
        a[1] += 1
    return out


def plateau(table):
    """table[(scale, shift)] = (hits, p) -> same keys, (mean hits, mean p) of
    the cell and its grid neighbours (scale +-1 step, shift +-1 step)."""
    out = {}
    for i, sc in enumerate(SCALES):
        for j, sh in enumerate(SHIFTS):
            cells = [table[(SCALES[a], SHIFTS[b])]
                     for a in range(max(0, i - 1), min(len(SCALES), i + 2))
                     for b in range(max(0, j - 1), min(len(SHIFTS), j + 2))]
            out[(sc, sh)] = (statistics.mean(c[0] for c in cells), statistics.mean(c[1] for c in cells))
    return out


def md_table(table, n, title, smooth=None, mark=None):
    lines = [f"{title} (hits of {n}, mean p on accepted"
             + ("; [plateau mean hits]" if smooth else "") + ")", "",
             "| shift \\ scale | " + " | ".join(f"{s:.1f}" for s in SCALES) + " |",
             "| --- |" + " --- |" * len(SCALES)]
    for sh in SHIFTS:
        row = []
        for sc in SCALES:
            h, p = table[(sc, sh)]
            cell = f"{h}, {p:.2f}".replace("0.", ".", 1)
            if smooth:
                cell += f" [{smooth[(sc, sh)][0]:.1f}]"
            if mark == (sc, sh):
                cell = f"**{cell}**"
            row.append(cell)
        lines.append(f"| {sh:+.2f} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def main():
    global SCALES, SHIFTS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("models_dir")
    ap.add_argument("fixtures")
    ap.add_argument("--json", help="write per-face probabilities here")
    ap.add_argument("--antialias", action="store_true",
                    help="sweep with sub-sampled (area-like) crops instead of single bilinear taps")
    ap.add_argument("--scales", help="comma-separated crop scales (default %s)" % ",".join(map(str, SCALES)))
    ap.add_argument("--shifts", help="comma-separated upward shifts (default %s)" % ",".join(map(str, SHIFTS)))
    ap.add_argument("--chosen", help="scale,shift,roll(0/1) to report in detail (default %s)"
                    % ",".join(str(float(v)) for v in CHOSEN))
    ap.add_argument("--rotate", action="store_true",
                    help="also turn every photo by +-%g degrees and compare roll correction on/off"
                    % ROTATE_CHECK)
    args = ap.parse_args()
    chosen = CHOSEN
    if args.chosen:
        a = args.chosen.split(",")
        chosen = (float(a[0]), float(a[1]), bool(int(a[2])))
    if args.scales:
        SCALES = [float(v) for v in args.scales.split(",")]
    if args.shifts:
        SHIFTS = [float(v) for v in args.shifts.split(",")]
    for name, k in (("fer's current", FER_CURRENT), ("the chosen", chosen)):
        if k[0] not in SCALES or k[1] not in SHIFTS:
            ap.error("the grid must contain %s setting %s" % (name, k))

    photos, sources = load_faces(args.fixtures)
    blaze = rp.BlazeFace(args.models_dir, "full")
    models = Models(args.models_dir)

    faces = []          # scored faces, each with its detection and image index
    unmatched = []
    arrays = []
    t0 = time.time()
    for rel in sorted(photos):
        img = rp.load_upright(os.path.join(args.fixtures, rel))
        dets = detect(blaze, img)
        m = match(dets, photos[rel])
        arr = np.asarray(img, dtype=np.float32)
        used = False
        for j, f in enumerate(photos[rel]):
            if f["skip"]:
                continue
            if j not in m:
                unmatched.append((rel, f))
                continue
            f = dict(f, photo=rel, det=dets[m[j]], img=len(arrays))
            faces.append(f)
            used = True
        if used:
            arrays.append(arr)
        else:
            arrays.append(None)
    n = len(faces)
    print(f"# {n} scored faces ({len(unmatched)} labelled faces not detected) from "
          f"{len(photos)} photos, sets: {', '.join(sources)}; detection {time.time() - t0:.0f} s",
          flush=True)
    classes = {}
    for f in faces:
        classes[f["primary"]] = classes.get(f["primary"], 0) + 1
    by_source = {}
    for f in faces:
        by_source[f["source"]] = by_source.get(f["source"], 0) + 1
    print("faces per primary class:", json.dumps(dict(sorted(classes.items(), key=lambda kv: -kv[1]))))
    print("faces per label file:", json.dumps(by_source), "; clear:", sum(f["clear"] for f in faces))
    for rel, f in unmatched:
        print(f"  not detected: {rel} {f['box']} {f.get('primary')}")

    # probabilities for every variant and geometry: P[variant][(scale, shift, roll)] = (N, 7)
    variants = ["rgb", "mirror", "flip", "gray", "fer"]
    P = {v: {} for v in variants}
    t0 = time.time()
    for roll in ROLLS:
        for sc in SCALES:
            for sh in SHIFTS:
                key = (sc, sh, roll)
                rows = {v: [] for v in variants}
                for f in faces:
                    arr = arrays[f["img"]]
                    c = crop(arr, f["det"], sc, sh, roll, 112, args.antialias)
                    a = models.faceapi_probs(c)
                    b = models.faceapi_probs(c[:, ::-1])
                    g = models.faceapi_probs(np.repeat(to_gray(c), 3, axis=2))
                    c64 = crop(arr, f["det"], sc, sh, roll, 64, args.antialias)
                    e = models.fer_probs(to_gray(c64)[..., 0])
                    rows["rgb"].append(a)
                    rows["mirror"].append(b)
                    rows["flip"].append((a + b) / 2)
                    rows["gray"].append(g)
                    rows["fer"].append(e)
                for v in variants:
                    P[v][key] = np.array(rows[v])
        print(f"  roll {'on' if roll else 'off'} done ({time.time() - t0:.0f} s)", flush=True)
    native = np.array([models.faceapi_probs(faceapi_native_crop(arrays[f["img"]], f["det"]))
                       for f in faces])

    # tables
    res = {v: {k: score(p, faces) for k, p in P[v].items()} for v in variants}
    picks = {}
    print()
    for v in variants:
        for roll in ROLLS:
            tab = {(sc, sh): res[v][(sc, sh, roll)][:2] for sc in SCALES for sh in SHIFTS}
            sm = plateau(tab)
            picks[(v, roll)] = best_interior(sm, tab)
            mark = chosen[:2] if (v != "fer" and roll == chosen[2]) else None
            if v == "fer" and roll == FER_CURRENT[2]:
                mark = FER_CURRENT[:2]
            print(md_table(tab, n, f"**{v}**, roll correction {'on' if roll else 'off'}",
                           smooth=sm, mark=mark))
            print()

    print("Plateau picks (cell whose 3x3 neighbourhood, all inside the grid, has the most "
          "mean hits, then mean p), and the single best cell:")
    for v in variants:
        for roll in ROLLS:
            k = picks[(v, roll)]
            h, p, _ = res[v][k + (roll,)]
            cells = {kk: vv for kk, vv in res[v].items() if kk[2] == roll}
            rb = max(cells.items(), key=lambda kv: (kv[1][0], kv[1][1]))
            print(f"  {v:6s} roll {'on ' if roll else 'off'}: scale {k[0]} shift {k[1]:+.2f}: {h}/{n} "
                  f"p {p:.3f}; single best cell scale {rb[0][0]} shift {rb[0][1]:+.2f}: "
                  f"{rb[1][0]}/{n} p {rb[1][1]:.3f}")

    print()
    print(f"At the chosen faceapi geometry {chosen} vs fer at its current {FER_CURRENT}:")
    rows = [("faceapi rgb", P["rgb"][chosen]), ("faceapi mirrored only", P["mirror"][chosen]),
            ("faceapi flip-averaged", P["flip"][chosen]), ("faceapi gray", P["gray"][chosen]),
            ("faceapi native cut (box, no margin/roll, black)", native),
            ("fer current", P["fer"][FER_CURRENT]), ("fer at faceapi's geometry", P["fer"][chosen])]
    cls_order = sorted(classes, key=lambda c: -classes[c])
    print("| variant | hits | top-1 = primary | mean p | clear faces | "
          + " | ".join(cls_order) + " |")
    print("| --- | --- | --- | --- | --- |" + " --- |" * len(cls_order))
    clear_idx = [i for i, f in enumerate(faces) if f["clear"]]
    hits = {}
    for name, pr in rows:
        h, p, hit = score(pr, faces)
        strict = sum(LABELS[int(np.argmax(q))] == f["primary"] for q, f in zip(pr, faces))
        hits[name] = hit
        pc = per_class(hit, faces)
        print(f"| {name} | {h}/{n} | {strict}/{n} | {p:.3f} | {int(hit[clear_idx].sum())}/{len(clear_idx)} | "
              + " | ".join(f"{pc[c][0]}/{pc[c][1]}" for c in cls_order) + " |")
    a, b = hits["faceapi rgb"], hits["fer current"]
    print(f"faceapi right & fer wrong: {int((a & ~b).sum())}, fer right & faceapi wrong: "
          f"{int((~a & b).sum())}, both right {int((a & b).sum())}, both wrong {int((~a & ~b).sum())}")
    a, c = hits["faceapi flip-averaged"], hits["fer current"]
    print(f"faceapi flip right & fer wrong: {int((a & ~c).sum())}, fer right & faceapi flip wrong: "
          f"{int((~a & c).sum())}")
    a, b = hits["faceapi flip-averaged"], hits["faceapi rgb"]
    print(f"flip right & single wrong: {int((a & ~b).sum())}, single right & flip wrong: "
          f"{int((~a & b).sum())}")

    # flip over the whole sweep, and which faces it moves
    print()
    diffs = [res["flip"][k][0] - res["rgb"][k][0] for k in res["rgb"]]
    dps = [res["flip"][k][1] - res["rgb"][k][1] for k in res["rgb"]]
    print(f"flip - single over all {len(diffs)} geometries: hits mean {statistics.mean(diffs):+.2f} "
          f"(min {min(diffs):+d}, max {max(diffs):+d}, better in {sum(d > 0 for d in diffs)}, "
          f"worse in {sum(d < 0 for d in diffs)}), p mean {statistics.mean(dps):+.4f}")
    rate_single = np.mean([res["rgb"][k][2] for k in res["rgb"]], axis=0)
    rate_flip = np.mean([res["flip"][k][2] for k in res["rgb"]], axis=0)
    moved = [(rate_flip[i] - rate_single[i], i) for i in range(n)
             if abs(rate_flip[i] - rate_single[i]) >= 0.1]
    print(f"faces whose hit rate over the {len(diffs)} geometries moves by >= 0.1 with flip "
          f"({sum(d > 0 for d, _ in moved)} up, {sum(d < 0 for d, _ in moved)} down):")
    for d, i in sorted(moved, reverse=True):
        f = faces[i]
        print(f"  {d:+.2f} ({rate_single[i]:.2f} -> {rate_flip[i]:.2f}) {f['photo']} {f['box']} {f['primary']}")

    # roll correction on the tilted faces
    print()
    tilted = [i for i, f in enumerate(faces) if abs(roll_degrees(f["det"])) >= TILTED]
    near = [(sc, sh) for sc in SCALES for sh in SHIFTS
            if abs(sc - chosen[0]) < 0.11 and abs(sh - chosen[1]) < 0.051]
    print(f"{len(tilted)} faces with |roll| >= {TILTED} deg (BlazeFace eye line); their hits "
          f"at the chosen scale/shift, and mean over its {len(near)} neighbouring cells:")
    for v in ("rgb", "flip"):
        for roll in ROLLS:
            at = int(res[v][chosen[:2] + (roll,)][2][tilted].sum())
            mean_near = statistics.mean(int(res[v][k + (roll,)][2][tilted].sum()) for k in near)
            print(f"  {v:4s} roll {'on ' if roll else 'off'}: {at}/{len(tilted)} (neighbourhood mean "
                  f"{mean_near:.1f})")

    if args.rotate:
        print()
        rotation_check(args, blaze, models, photos, chosen)

    # confusion at the chosen setting, primary label vs top-1
    for name, pr in [("faceapi rgb (chosen)", P["rgb"][chosen]),
                     ("faceapi flip (chosen)", P["flip"][chosen]),
                     ("fer current", P["fer"][FER_CURRENT])]:
        print(f"\nconfusion, {name}: rows = primary label, columns = top-1")
        print("| primary | " + " | ".join(LABELS) + " |")
        print("| --- |" + " --- |" * len(LABELS))
        for c in cls_order:
            cnt = [0] * 7
            for p, f in zip(pr, faces):
                if f["primary"] == c:
                    cnt[int(np.argmax(p))] += 1
            print(f"| {c} | " + " | ".join(str(x) for x in cnt) + " |")

    # timing of the faceapi model alone
    x = crop(arrays[faces[0]["img"]], faces[0]["det"], *chosen, 112)
    ts = []
    for _ in range(200):
        t = time.perf_counter()
        models.faceapi_probs(x)
        ts.append(time.perf_counter() - t)
    print(f"\nemotion_faceapi run, 1 thread: median {statistics.median(ts) * 1e3:.2f} ms, "
          f"min {min(ts) * 1e3:.2f} ms (flip doubles it)")

    if args.json:
        out = {"labels": LABELS, "chosen": list(chosen), "fer_current": list(FER_CURRENT),
               "antialias": args.antialias,
               "faces": [{"photo": f["photo"], "box": f["box"], "primary": f["primary"],
                          "accepted": f["accepted"], "clear": f["clear"], "source": f["source"],
                          "det_box": [round(v, 1) for v in f["det"]["box_px"]],
                          "roll_degrees": round(roll_degrees(f["det"]), 1),
                          "faceapi": [round(float(v), 4) for v in P["rgb"][chosen][i]],
                          "faceapi_flip": [round(float(v), 4) for v in P["flip"][chosen][i]],
                          "fer_current": [round(float(v), 4) for v in P["fer"][FER_CURRENT][i]]}
                         for i, f in enumerate(faces)]}
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)


def best_interior(sm, tab):
    """The cell with the best plateau score among those whose whole 3x3
    neighbourhood lies inside the grid (so the plateau is known on every
    side); ties broken by the plateau's mean p, then the cell's own hits and p."""
    cells = [(sc, sh) for i, sc in enumerate(SCALES) for j, sh in enumerate(SHIFTS)
             if 0 < i < len(SCALES) - 1 and 0 < j < len(SHIFTS) - 1] or list(sm)
    return max(cells, key=lambda k: (round(sm[k][0], 6), round(sm[k][1], 6)) + tab[k])


def roll_degrees(det):
    (x0, y0), (x1, y1) = det["keypoints_px"][0], det["keypoints_px"][1]
    return math.degrees(math.atan2(y1 - y0, x1 - x0))


def rotation_check(args, blaze, models, photos, chosen):
    """Every photo turned by +-ROTATE_CHECK degrees (Pillow, bicubic, canvas
    expanded, black corners), detected again, labelled boxes carried along
    (same size, rotated centre), and the faces classified at the chosen
    scale/shift with roll correction on and off."""
    sc, sh, _ = chosen
    tot = {}
    n = 0
    for rel in sorted(photos):
        base = rp.load_upright(os.path.join(args.fixtures, rel))
        w, h = base.size
        for ang in (ROTATE_CHECK, -ROTATE_CHECK):
            img = base.rotate(ang, resample=Image.BICUBIC, expand=True)
            W, H = img.size
            t = math.radians(ang)   # PIL turns counter-clockwise for positive angles
            faces = []
            for f in photos[rel]:
                x, y, bw, bh = f["box"]
                dx, dy = x + bw / 2 - w / 2, y + bh / 2 - h / 2
                cx = W / 2 + dx * math.cos(t) + dy * math.sin(t)
                cy = H / 2 - dx * math.sin(t) + dy * math.cos(t)
                faces.append(dict(f, box=[cx - bw / 2, cy - bh / 2, bw, bh]))
            dets = detect(blaze, img)
            m = match(dets, faces)
            arr = np.asarray(img, dtype=np.float32)
            for j, f in enumerate(faces):
                if f["skip"]:
                    continue
                n += 1
                if j not in m:
                    tot["not detected"] = tot.get("not detected", 0) + 1
                    continue
                d = dets[m[j]]
                for roll in ROLLS:
                    c = crop(arr, d, sc, sh, roll, 112, args.antialias)
                    a = models.faceapi_probs(c)
                    b = models.faceapi_probs(c[:, ::-1])
                    c64 = crop(arr, d, *FER_CURRENT[:2], roll, 64, args.antialias)
                    e = models.fer_probs(to_gray(c64)[..., 0])
                    for name, pr in (("faceapi", a), ("faceapi flip", (a + b) / 2), ("fer", e)):
                        key = f"{name} roll {'on' if roll else 'off'}"
                        tot[key] = tot.get(key, 0) + int(LABELS[int(np.argmax(pr))] in f["accepted"])
    print(f"Photos turned by +-{ROTATE_CHECK} deg: {n} labelled faces, "
          f"{tot.get('not detected', 0)} not detected; hits (faceapi at scale {sc} shift {sh:+.2f}, "
          f"fer at {FER_CURRENT[0]} / {FER_CURRENT[1]:+.2f}):")
    for k in sorted(tot):
        if k != "not detected":
            print(f"  {k}: {tot[k]}/{n}")

if __name__ == "__main__":
    main()
