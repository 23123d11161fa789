#!/usr/bin/env python3
"""Benchmark IGE-MOJI's engine against the Python `fer` library.

Run through bench/fer-compare.sh, which prepares the pinned venv; see
bench/README.md. Usage:

    fer_compare.py [IGEMOJI_BINARY|-] [PHOTOS...] [--repeat N] [--out FILE]
                   [--fer-model keras|tflite|both] [--fer-only]

What is measured, per photo:
  * fer: FER(mtcnn=False) (OpenCV Haar cascade + mini-Xception), single thread
    (TF intra/inter op threads 1, TFLite num_threads 1, cv2.setNumThreads(1)).
    One warm-up call, then N timed calls of cv2.imread(photo) +
    detect_emotions(image); the median is reported (decode time is kept
    separately in the JSON). cv2.imread applies EXIF orientation.
  * igemoji: one process per photo, `BINARY analyze --json PHOTO x (N+1)`;
    the timing is the median of the binary's own per-photo `elapsed_ms` over
    the N entries after the first (so model loading and process start-up do
    not count). Faces come from the first entry.
Faces are matched to tests/fixtures/photos/expectations.json (by file name)
with IoU >= 0.3, one-to-one, greedy by IoU (the rule its README suggests).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PHOTO_DIR = REPO / "tests" / "fixtures" / "photos"
LABELS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}
IOU_MIN = 0.3


# --------------------------------------------------------------------------
# arguments


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="bench/fer-compare.sh",
        description="Compare igemoji with the Python fer library (speed, faces, expressions).",
    )
    p.add_argument(
        "positional",
        nargs="*",
        metavar="[IGEMOJI_BINARY|-] [PHOTOS...]",
        help="the igemoji binary (default ${CARGO_TARGET_DIR:-target}/release/igemoji; '-' = default; "
        "a first argument ending in an image suffix is taken as a photo), then photos "
        "(default tests/fixtures/photos/*.jpg *.png)",
    )
    p.add_argument("--repeat", type=int, default=5, help="timed runs per photo and engine after one warm-up (default 5)")
    p.add_argument("--out", default="/tmp/fer-compare.json", help="raw results as JSON (default /tmp/fer-compare.json)")
    p.add_argument(
        "--fer-model",
        choices=["keras", "tflite", "both"],
        default="both",
        help="fer's classifier: keras = emotion_model.hdf5 (mini-Xception, what older fer always used and "
        "what igemoji's emotion_fer.onnx was converted from), tflite = emotion_model_quantized.tflite "
        "(fer 25.x's default, use_tflite=True); default both",
    )
    p.add_argument("--fer-only", action="store_true", help="do not run the igemoji binary")
    p.add_argument("--timeout", type=float, default=600.0, help="limit for one igemoji process, s (default 600)")
    p.add_argument(
        "--igemoji-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the igemoji process (repeatable), e.g. a thread-count setting",
    )
    p.add_argument(
        "--expectations",
        default=str(DEFAULT_PHOTO_DIR / "expectations.json"),
        help="hand-checked faces (default tests/fixtures/photos/expectations.json)",
    )
    a = p.parse_intermixed_args(argv)
    if a.repeat < 1:
        p.error("--repeat must be at least 1")

    pos = list(a.positional)
    binary = None
    if pos and Path(pos[0]).suffix.lower() not in IMAGE_SUFFIXES:
        binary = pos.pop(0)
    if binary in (None, "-", ""):
        target = os.environ.get("CARGO_TARGET_DIR") or str(REPO / "target")
        binary = str(Path(target) / "release" / "igemoji")
    a.binary = binary
    if pos:
        a.photos = pos
    else:
        a.photos = sorted(str(p) for p in DEFAULT_PHOTO_DIR.glob("*.jpg")) + sorted(
            str(p) for p in DEFAULT_PHOTO_DIR.glob("*.png")
        )
    if not a.photos:
        p.error("no photos")
    for ph in a.photos:
        if not Path(ph).is_file():
            p.error(f"not a file: {ph}")
    for kv in a.igemoji_env:
        if "=" not in kv:
            p.error(f"--igemoji-env wants KEY=VALUE, got {kv!r}")
    return a


# --------------------------------------------------------------------------
# geometry and scoring


def iou(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def greedy_match(boxes_a, boxes_b, thr=IOU_MIN) -> dict[int, tuple[int, float]]:
    """One-to-one matching, greedy by IoU: {index in a: (index in b, IoU)}."""
    pairs = []
    for i, a in enumerate(boxes_a):
        for j, b in enumerate(boxes_b):
            v = iou(a, b)
            if v >= thr:
                pairs.append((v, i, j))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_a, used_b, out = set(), set(), {}
    for v, i, j in pairs:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        out[i] = (j, v)
    return out


def dominant(scores: dict) -> str | None:
    if not scores:
        return None
    best = None
    for label in LABELS:  # ties: first in label order
        if label in scores and (best is None or scores[label] > scores[best]):
            best = label
    return best


def score_engine(dets: list[dict], faces: list[dict] | None) -> dict | None:
    """Match one engine's detections of one photo to the expected faces."""
    if faces is None:
        return None
    m = greedy_match([d["box"] for d in dets], [f["box"] for f in faces])
    face_to_det = {fj: (di, v) for di, (fj, v) in m.items()}
    s = {
        "required": 0, "required_found": 0, "faces": len(faces), "faces_found": 0,
        "false_positives": len(dets) - len(m),
        "unmatched_detections": [i for i in range(len(dets)) if i not in m],
        "judged_found": 0, "judged_agree": 0, "judged_total": 0,
        "clear_found": 0, "clear_agree": 0, "clear_total": 0,
        "per_face": [],
    }
    for fj, f in enumerate(faces):
        exp = f.get("expression") or {}
        accepted = exp.get("accepted") or []
        clear = bool(exp.get("clear")) and bool(accepted)
        s["required"] += bool(f.get("required"))
        s["judged_total"] += bool(accepted)
        s["clear_total"] += clear
        row = {"face": fj, "detection": None, "iou": None, "expression": None, "agrees": None}
        if fj in face_to_det:
            di, v = face_to_det[fj]
            label = dets[di]["expression"]
            agrees = (label in accepted) if accepted else None
            row.update(detection=di, iou=round(v, 3), expression=label, agrees=agrees)
            s["faces_found"] += 1
            s["required_found"] += bool(f.get("required"))
            if accepted:
                s["judged_found"] += 1
                s["judged_agree"] += bool(agrees)
            if clear:
                s["clear_found"] += 1
                s["clear_agree"] += bool(agrees)
        s["per_face"].append(row)
    return s


def cross_agreement(dets_a: list[dict], dets_b: list[dict]) -> dict:
    """Faces found by both engines (IoU >= 0.3) and whether their labels agree."""
    m = greedy_match([d["box"] for d in dets_a], [d["box"] for d in dets_b])
    pairs = []
    for i, (j, v) in sorted(m.items()):
        la, lb = dets_a[i]["expression"], dets_b[j]["expression"]
        pairs.append({"a": i, "b": j, "iou": round(v, 3), "a_expression": la, "b_expression": lb, "agree": la == lb})
    return {"both": len(pairs), "agree": sum(p["agree"] for p in pairs), "pairs": pairs}


def median(xs):
    return statistics.median(xs) if xs else None


# --------------------------------------------------------------------------
# fer


class FerRunner:
    def __init__(self, variants: list[str]):
        warnings.filterwarnings("ignore")
        import cv2
        import tensorflow as tf

        # must happen before TF creates its thread pools (first op)
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        cv2.setNumThreads(1)
        import logging
        import importlib.resources

        import fer
        from fer.fer import FER

        logging.getLogger("fer").setLevel(logging.WARNING)
        self.cv2, self.tf = cv2, tf
        self.versions = {"fer": fer.__version__, "tensorflow": tf.__version__, "opencv": cv2.__version__}
        import numpy

        self.versions["numpy"] = numpy.__version__
        self.detectors = {}
        for v in variants:
            t0 = time.perf_counter()
            if v == "tflite":
                # fer creates tf.lite.Interpreter(model_path) without num_threads and
                # caches it on the class; put a single-threaded one in that cache first.
                path = importlib.resources.files("fer") / "data" / "emotion_model_quantized.tflite"
                interp = tf.lite.Interpreter(model_path=str(path), num_threads=1)
                interp.allocate_tensors()
                FER._tflite_interpreter_cache = interp
                det = FER(mtcnn=False, use_tflite=True)
            else:
                det = FER(mtcnn=False, use_tflite=False)
            self.detectors["fer-" + v] = (det, round((time.perf_counter() - t0) * 1000, 1))

    def run(self, name: str, photo: str, repeat: int) -> dict:
        cv2 = self.cv2
        det, _ = self.detectors[name]
        img = cv2.imread(photo)
        if img is None:
            return {"error": {"code": "decode", "message": f"cv2.imread could not read {photo}"}}
        try:
            raw = det.detect_emotions(img)  # warm-up; also the result that is scored
            total, decode, detect = [], [], []
            cpu0 = time.process_time()
            wall0 = time.perf_counter()
            for _ in range(repeat):
                t0 = time.perf_counter()
                im = cv2.imread(photo)
                t1 = time.perf_counter()
                det.detect_emotions(im)
                t2 = time.perf_counter()
                decode.append((t1 - t0) * 1000)
                detect.append((t2 - t1) * 1000)
                total.append((t2 - t0) * 1000)
            cpu = time.process_time() - cpu0
            wall = time.perf_counter() - wall0
        except Exception as e:  # noqa: BLE001 - a benchmark reports and goes on
            return {"error": {"code": type(e).__name__, "message": str(e)}}
        dets = []
        for r in raw:
            x, y, w, h = (int(v) for v in r["box"])
            scores = {k: float(r["emotions"].get(k, 0.0)) for k in LABELS}
            dets.append({"box": [x, y, w, h], "expression": dominant(scores), "scores": scores})
        return {
            "width": int(img.shape[1]), "height": int(img.shape[0]),
            "ms": round(median(total), 2), "decode_ms": round(median(decode), 2),
            "detect_ms": round(median(detect), 2),
            "runs_ms": [round(t, 2) for t in total],
            "cpu_per_wall": round(cpu / wall, 2) if wall > 0 else None,
            "detections": dets,
        }


# --------------------------------------------------------------------------
# igemoji


def run_igemoji(binary: str, photo: str, repeat: int, timeout: float, env: dict) -> dict:
    # cwd = the repo, so that its config.toml is used (the models are built into the binary)
    args = [os.path.abspath(binary), "analyze", "--json"] + [os.path.abspath(photo)] * (repeat + 1)
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(args, capture_output=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL, cwd=REPO)
    except subprocess.TimeoutExpired:
        return {"error": {"code": "timeout", "message": f"no answer within {timeout:g} s"}}
    except OSError as e:
        return {"error": {"code": "exec", "message": str(e)}}
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    stderr_tail = proc.stderr.decode("utf-8", "replace")[-2000:]
    try:
        doc = json.loads(proc.stdout)
    except ValueError as e:
        return {"error": {"code": f"exit {proc.returncode}, no JSON", "message": f"{e}; stderr: {stderr_tail.strip()[-500:]}"}}
    if not isinstance(doc, list) or len(doc) != repeat + 1:
        n = len(doc) if isinstance(doc, list) else type(doc).__name__
        return {"error": {"code": "format", "message": f"expected a JSON array of {repeat + 1} entries, got {n}"}}
    for entry in doc:
        if isinstance(entry, dict) and entry.get("error"):
            err = entry["error"]
            return {"error": {"code": str(err.get("code")), "message": str(err.get("message"))}}
    try:
        elapsed = [float(e["elapsed_ms"]) for e in doc]
        first = doc[0]
        dets = []
        for f in first["faces"]:
            b = f["box"]
            scores = {k: float(v) for k, v in (f.get("scores") or {}).items()}
            label = f.get("expression") or dominant(scores)
            dets.append({
                "box": [float(b["x"]), float(b["y"]), float(b["width"]), float(b["height"])],
                "expression": label, "scores": scores,
                "score": f.get("score"), "roll_degrees": f.get("roll_degrees"),
            })
        width, height = first.get("width"), first.get("height")
        counts = {len(e["faces"]) for e in doc}
    except (KeyError, TypeError, ValueError) as e:
        return {"error": {"code": "format", "message": f"unexpected entry layout: {type(e).__name__}: {e}"}}
    timed = elapsed[1:]
    stages = {}  # the binary's own stage timings (decode/detect/classify), median over the timed entries
    for e in doc[1:]:
        for k, v in (e.get("timings") or {}).items():
            if isinstance(v, (int, float)):
                stages.setdefault(k, []).append(float(v))
    return {
        "width": width, "height": height,
        "ms": round(median(timed), 2),
        "first_ms": round(elapsed[0], 2),
        "stage_ms": {k: round(median(v), 2) for k, v in stages.items()},
        "runs_ms": [round(t, 2) for t in timed],
        "process_wall_ms": round(wall * 1000, 1),
        # wall time not covered by elapsed_ms: start-up, model loading, output
        "startup_ms_est": round(wall * 1000 - sum(elapsed), 1),
        # CPU seconds of the whole process over its wall time (>1: more than one core used)
        "cpu_per_wall": round(cpu / wall, 2) if wall > 0 else None,
        "exit_code": proc.returncode,
        "consistent_repeats": len(counts) == 1,
        "detections": dets,
    }


# --------------------------------------------------------------------------
# report


def fmt_ms(v):
    return "-" if v is None else (f"{v:.1f}" if v < 1000 else f"{v:.0f}")


def fmt_ratio(v):
    return "-" if v is None else f"{v:.2f}"


def frac(a, b):
    return f"{a}/{b}" if b else "-"


def pct(a, b):
    return f"{a}/{b} ({100 * a / b:.0f}%)" if b else "-"


def load_expectations(path: str) -> dict:
    try:
        with open(path) as f:
            return json.load(f).get("photos", {})
    except FileNotFoundError:
        print(f"warning: no expectations file {path}: faces will not be scored", file=sys.stderr)
        return {}


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    expectations = load_expectations(a.expectations)
    run_igemoji_too = not a.fer_only
    if run_igemoji_too and not (os.path.isfile(a.binary) and os.access(a.binary, os.X_OK)):
        print(
            f"error: igemoji binary not found or not executable: {a.binary}\n"
            "       build it first (cargo build --release), pass its path as the first argument, "
            "or use --fer-only",
            file=sys.stderr,
        )
        return 2
    variants = ["keras", "tflite"] if a.fer_model == "both" else [a.fer_model]
    fer_names = ["fer-" + v for v in variants]
    engines = fer_names + (["igemoji"] if run_igemoji_too else [])

    print(f"loading fer ({', '.join(variants)}) ...", file=sys.stderr)
    fer = FerRunner(variants)
    env = dict(os.environ)
    for kv in a.igemoji_env:
        k, v = kv.split("=", 1)
        env[k] = v

    load_before = os.getloadavg()
    t_start = time.time()
    photos = []
    for ph in a.photos:
        name = Path(ph).name
        exp = expectations.get(name)
        faces = None
        if exp is not None:
            faces = [{**f, "box": [float(v) for v in f["box"]]} for f in exp["faces"]]
        entry = {"photo": ph, "name": name, "expected_faces": faces, "engines": {}}
        print(f"  {name}: ", end="", file=sys.stderr, flush=True)
        for en in fer_names:
            entry["engines"][en] = fer.run(en, ph, a.repeat)
            print(f"{en} ", end="", file=sys.stderr, flush=True)
        if run_igemoji_too:
            entry["engines"]["igemoji"] = run_igemoji(a.binary, ph, a.repeat, a.timeout, env)
            print("igemoji", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        for en in engines:
            r = entry["engines"][en]
            # a failed photo counts as "no face found" so every engine has the same denominators
            r["score"] = score_engine([] if "error" in r else r["detections"], faces)
        entry["cross"] = {}
        for i, x in enumerate(engines):
            for y in engines[i + 1:]:
                rx, ry = entry["engines"][x], entry["engines"][y]
                if "error" not in rx and "error" not in ry:
                    entry["cross"][f"{x} vs {y}"] = cross_agreement(rx["detections"], ry["detections"])
        photos.append(entry)
    load_after = os.getloadavg()

    # ---- per-photo tables ----
    for entry in photos:
        faces = entry["expected_faces"]
        size = next((f"{r['width']}x{r['height']}" for r in entry["engines"].values() if "width" in r), "?")
        if faces is None:
            head = "no expectations"
        else:
            head = f"{len(faces)} expected faces, {sum(bool(f.get('required')) for f in faces)} required"
        print(f"\n== {entry['name']} ({size}; {head})")
        print(f"  {'engine':<12} {'ms':>8} {'found req':>9} {'found all':>9} {'FP':>3} {'expr judged':>11} {'expr clear':>10}")
        for en in engines:
            r = entry["engines"][en]
            if "error" in r:
                print(f"  {en:<12} ERROR {r['error']['code']}: {r['error']['message']}")
                continue
            s = r["score"]
            if s is None:
                print(f"  {en:<12} {fmt_ms(r['ms']):>8} {len(r['detections']):>9} faces")
                continue
            print(
                f"  {en:<12} {fmt_ms(r['ms']):>8} {frac(s['required_found'], s['required']):>9} "
                f"{frac(s['faces_found'], s['faces']):>9} {s['false_positives']:>3} "
                f"{frac(s['judged_agree'], s['judged_found']):>11} {frac(s['clear_agree'], s['clear_found']):>10}"
            )
        if faces:
            cols = [en for en in engines if "error" not in entry["engines"][en]]
            print(f"  {'#':>3} {'expected box':<20} {'accepted':<22}" + "".join(f" {en:<16}" for en in cols))
            for fj, f in enumerate(faces):
                exp = f.get("expression") or {}
                acc = "/".join(exp.get("accepted") or []) or "n/a"
                if exp.get("clear"):
                    acc += " (clear)"
                if not f.get("required"):
                    acc += " opt"
                box = "[" + ",".join(str(int(v)) for v in f["box"]) + "]"
                cells = []
                for en in cols:
                    row = entry["engines"][en]["score"]["per_face"][fj]
                    if row["detection"] is None:
                        cells.append("-")
                    else:
                        mark = {True: "ok", False: "X", None: ""}[row["agrees"]]
                        cells.append(f"{row['expression']} {mark}".strip())
                print(f"  {fj:>3} {box:<20} {acc[:22]:<22}" + "".join(f" {c:<16}" for c in cells))
        for k, c in entry["cross"].items():
            print(f"  {k}: {c['both']} faces found by both, same expression on {c['agree']}")
        ig = entry["engines"].get("igemoji", {})
        if ig.get("consistent_repeats") is False:
            print("  note: igemoji reported different face counts for the repeats of this photo")

    # ---- summary ----
    summary = {"engines": {}, "cross": {}}
    for en in engines:
        rs = [p["engines"][en] for p in photos]
        ok = [r for r in rs if "error" not in r]
        scored = [r["score"] for r in rs if r["score"] is not None]
        tot = {k: sum(s[k] for s in scored) for k in (
            "required", "required_found", "faces", "faces_found", "false_positives",
            "judged_found", "judged_agree", "judged_total", "clear_found", "clear_agree", "clear_total")}
        summary["engines"][en] = {
            "photos": len(rs), "errors": len(rs) - len(ok),
            "median_ms_per_photo": median([r["ms"] for r in ok]),
            "sum_of_medians_ms": round(sum(r["ms"] for r in ok), 2) if ok else None,
            "median_cpu_per_wall": median([r["cpu_per_wall"] for r in ok if r.get("cpu_per_wall") is not None]),
            **tot,
        }
        if en == "igemoji":
            summary["engines"][en]["median_startup_ms_est"] = median([r["startup_ms_est"] for r in ok])
    for p in photos:
        for k, c in p["cross"].items():
            t = summary["cross"].setdefault(k, {"both": 0, "agree": 0})
            t["both"] += c["both"]
            t["agree"] += c["agree"]

    print(f"\n== summary ({len(photos)} photos, median of {a.repeat} runs after 1 warm-up, single-threaded fer; "
          f"load average {load_before[0]:.2f} -> {load_after[0]:.2f})")
    print(f"  {'engine':<12} {'median ms':>9} {'sum ms':>8} {'recall req':>15} {'all faces':>15} {'FP':>3} "
          f"{'expr clear':>14} {'expr judged':>14} {'cpu/wall':>8}")
    for en in engines:
        s = summary["engines"][en]
        print(
            f"  {en:<12} {fmt_ms(s['median_ms_per_photo']):>9} {fmt_ms(s['sum_of_medians_ms']):>8} "
            f"{pct(s['required_found'], s['required']):>15} {pct(s['faces_found'], s['faces']):>15} "
            f"{s['false_positives']:>3} {pct(s['clear_agree'], s['clear_found']):>14} "
            f"{pct(s['judged_agree'], s['judged_found']):>14} "
            f"{fmt_ratio(s['median_cpu_per_wall']):>8}"
            + (f"  ({s['errors']} photos failed)" if s["errors"] else "")
        )
    print("  (expr: dominant expression in the accepted labels, over the faces the engine found; "
          f"clear faces in set: {summary['engines'][engines[0]]['clear_total']}, "
          f"judged: {summary['engines'][engines[0]]['judged_total']})")
    if "igemoji" in engines:
        ig = summary["engines"]["igemoji"]
        if ig["median_startup_ms_est"] is not None:
            print(f"  igemoji start-up + model loading (not counted): ~{ig['median_startup_ms_est']:.0f} ms per process")
        ratios = {}
        for fn in fer_names:
            # over the photos both engines processed
            both = [(p["engines"][fn]["ms"], p["engines"]["igemoji"]["ms"]) for p in photos
                    if "error" not in p["engines"][fn] and "error" not in p["engines"]["igemoji"]]
            if not both or min(i for _, i in both) <= 0:
                continue
            r = ratios[fn] = {
                "photos": len(both),
                "ratio_of_medians": round(median([f for f, _ in both]) / median([i for _, i in both]), 2),
                "ratio_of_sums": round(sum(f for f, _ in both) / sum(i for _, i in both), 2),
                "median_per_photo_ratio": round(median([f / i for f, i in both]), 2),
            }
            print(f"  speed ratio {fn} / igemoji: {r['ratio_of_medians']}x (median ms per photo), "
                  f"{r['ratio_of_sums']}x (all photos), per-photo median {r['median_per_photo_ratio']}x"
                  + (f" (on the {len(both)} photos both processed)" if len(both) != len(photos) else ""))
        summary["speed_ratio"] = ratios
    for k, t in summary["cross"].items():
        print(f"  agreement {k}: {pct(t['agree'], t['both'])} of the faces both found have the same dominant expression")

    meta = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(t_start)),
        "duration_s": round(time.time() - t_start, 1),
        "args": {"binary": a.binary if run_igemoji_too else None, "photos": a.photos, "repeat": a.repeat,
                 "fer_model": a.fer_model, "igemoji_env": a.igemoji_env, "expectations": a.expectations},
        "iou_min": IOU_MIN,
        "versions": fer.versions,
        "fer_model_load_ms": {k: v[1] for k, v in fer.detectors.items()},
        "python": sys.version.split()[0],
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "cpu": cpu_model(),
                    "loadavg_before": load_before, "loadavg_after": load_after},
        "threads": {"tf_intra_op": 1, "tf_inter_op": 1, "tflite_num_threads": 1, "cv2": fer.cv2.getNumThreads(),
                    "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS")},
        "pip_freeze": pip_freeze(),
    }
    out = {"meta": meta, "photos": photos, "summary": summary}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
    print(f"\nraw results: {a.out}")
    failed = any("error" in r for p in photos for r in p["engines"].values())
    return 1 if failed else 0


def cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def pip_freeze() -> list[str]:
    try:
        r = subprocess.run([sys.executable, "-m", "pip", "freeze", "--disable-pip-version-check"],
                           capture_output=True, text=True, timeout=60)
        return r.stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return []


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
