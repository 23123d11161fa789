"""Score `igemoji analyze --json` against the people-labelled faces of
tests/fixtures/expressions/labels.json (standard library only).

    python3 bench/accuracy.py LABELS ANALYZE_JSON [--model NAME]
        [--floor FLOOR_JSON] [--record FLOOR_JSON] [--report OUT_JSON]

A labelled face is found when a detection overlaps its box (IoU >= 0.3, best
pairs first, one detection per face). It agrees when the detection's top
expression is one of the face's accepted labels (the label itself for a
clear face). Faces marked "skip" (tiny, turned away) are neither expected
nor counted as extra when found.

--floor fails (exit 1) when the agreement of MODEL is below the one recorded
in FLOOR_JSON, or when fewer faces are found; --record writes the figures.
"""
import argparse
import json
import os
import sys

EXPRESSIONS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
MATCH_IOU = 0.3


def iou(a, b):
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def match(detections, faces):
    """Detection index -> labelled face index, greedy by overlap."""
    pairs = sorted(
        ((iou(d, f["box"]), i, j) for i, d in enumerate(detections) for j, f in enumerate(faces)),
        reverse=True,
    )
    used_d, used_f, out = set(), set(), {}
    for overlap, i, j in pairs:
        if overlap < MATCH_IOU or i in used_d or j in used_f:
            continue
        used_d.add(i)
        used_f.add(j)
        out[i] = j
    return out


def detection_box(face):
    b = face["box"]
    return [b["x"], b["y"], b["width"], b["height"]]


def score(labels, reports, fixtures_dir):
    by_path = {os.path.realpath(r["path"]): r for r in reports}
    confusion = {e: {p: 0 for p in EXPRESSIONS} for e in EXPRESSIONS}
    per_class = {e: {"faces": 0, "found": 0, "agree": 0} for e in EXPRESSIONS}
    extra = 0
    misses = []
    # (top score, agrees) of every found face, to choose where the web app
    # says "not sure".
    confidence = []
    for rel, photo in sorted(labels["photos"].items()):
        report = by_path.get(os.path.realpath(os.path.join(fixtures_dir, rel)))
        if report is None or "error" in report:
            raise SystemExit(f"no analysis for {rel}: {report and report.get('error')}")
        faces = photo["faces"]
        detections = [detection_box(f) for f in report["faces"]]
        matched = match(detections, faces)
        extra += sum(1 for i in range(len(detections)) if i not in matched)
        found = {j: report["faces"][i] for i, j in matched.items()}
        for j, face in enumerate(faces):
            if face.get("skip"):
                continue
            label = face["expression"]
            accepted = face.get("accepted") or [label]
            per_class[label]["faces"] += 1
            detected = found.get(j)
            if detected is None:
                misses.append(f"{rel} face {j + 1} ({label}): not found")
                continue
            per_class[label]["found"] += 1
            predicted = detected["expression"]
            confusion[label][predicted] += 1
            confidence.append((detected["scores"][predicted], predicted in accepted))
            if predicted in accepted:
                per_class[label]["agree"] += 1
            else:
                top = detected["scores"][predicted]
                misses.append(f"{rel} face {j + 1}: labelled {label}, read {predicted} ({top:.2f})")
    total = {k: sum(c[k] for c in per_class.values()) for k in ("faces", "found", "agree")}
    return {
        "per_class": per_class,
        "total": total,
        "agreement": total["agree"] / total["found"] if total["found"] else 0.0,
        "confusion": confusion,
        "extra_detections": extra,
        "confidence": confidence,
        "disagreements": misses,
    }


def print_report(model, result):
    print(f"model: {model}")
    print(f"{'label':<10}{'faces':>6}{'found':>7}{'agree':>7}{'agreement':>11}")
    for e in EXPRESSIONS:
        c = result["per_class"][e]
        share = f"{100 * c['agree'] / c['found']:.0f} %" if c["found"] else "-"
        print(f"{e:<10}{c['faces']:>6}{c['found']:>7}{c['agree']:>7}{share:>11}")
    t = result["total"]
    print(f"{'all':<10}{t['faces']:>6}{t['found']:>7}{t['agree']:>7}{100 * result['agreement']:>9.1f} %")
    strict = sum(result["confusion"][e][e] for e in EXPRESSIONS)
    print(f"{'':<10}top expression = people's first label: {strict} of {t['found']} "
          f"({100 * strict / max(t['found'], 1):.1f} %; 'agree' also counts the other labels "
          "people accepted on an ambiguous face)")
    print(f"faces found: {t['found']} of {t['faces']} expected; "
          f"{result['extra_detections']} detections matched no labelled face")
    print()
    print("confusion (rows: people's label, columns: the model's top expression)")
    print(" " * 10 + "".join(f"{p[:7]:>8}" for p in EXPRESSIONS))
    for e in EXPRESSIONS:
        print(f"{e:<10}" + "".join(f"{result['confusion'][e][p]:>8}" for p in EXPRESSIONS))
    print()
    print("agreement by the top expression's score (the web app marks faces below")
    print("UNSURE_BELOW in web/src/lib/faces.ts as not sure)")
    for low, high in [(0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)]:
        band = [agrees for top, agrees in result["confidence"] if low <= top < high]
        if band:
            print(f"  {low:.1f}-{min(high, 1.0):.1f}: {sum(band)} of {len(band)} agree")
    if result["disagreements"]:
        print()
        print("disagreements and misses:")
        for line in result["disagreements"]:
            print(f"  {line}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("labels")
    parser.add_argument("analysis")
    parser.add_argument("--model", default="faceapi")
    parser.add_argument("--floor")
    parser.add_argument("--record")
    parser.add_argument("--report")
    args = parser.parse_args()
    labels = json.load(open(args.labels))
    reports = json.load(open(args.analysis))
    fixtures_dir = os.path.dirname(os.path.dirname(os.path.abspath(args.labels)))
    result = score(labels, reports, fixtures_dir)
    print_report(args.model, result)
    if args.report:
        json.dump(result, open(args.report, "w"), indent=1)
    if args.record:
        floors = json.load(open(args.record)) if os.path.exists(args.record) else {}
        floors[args.model] = {
            "agree": result["total"]["agree"],
            "found": result["total"]["found"],
            "faces": result["total"]["faces"],
        }
        with open(args.record, "w") as out:
            json.dump(floors, out, indent=1, sort_keys=True)
            out.write("\n")
        print(f"recorded in {args.record}")
    if args.floor:
        floor = json.load(open(args.floor)).get(args.model)
        if floor is None:
            sys.exit(f"no floor recorded for {args.model} in {args.floor}")
        t = result["total"]
        if t["agree"] < floor["agree"] or t["found"] < floor["found"]:
            sys.exit(
                f"accuracy floor broken for {args.model}: {t['agree']} agreeing of "
                f"{t['found']} found, recorded {floor['agree']} of {floor['found']}"
            )
        print(f"floor kept: {t['agree']} agreeing >= {floor['agree']}, "
              f"{t['found']} found >= {floor['found']}")


if __name__ == "__main__":
    main()
