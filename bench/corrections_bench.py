#!/usr/bin/env python3
"""How long a person waits for a corrected face: PATCH
/api/v1/faces/tasks/{id}/faces/{index} on a finished task of a 12 MP photo,
run by bench/corrections.sh against a started server.

Makes a 4000x3000 JPEG (quality 90) of faceapi_sample5.jpg (5 faces) with
Pillow, uploads it once with a logged-in user and waits until done, then sends
WARMUP + RUNS corrections one after another, cycling the faces and the
expressions, and prints the median, p90 and max of the answer times (each
answer comes once the new result is painted and stored). Reuses
tasks_load.py's client.
"""
import argparse
import json
import statistics
import time
from io import BytesIO

from tasks_load import BOUNDARY, FIXTURES, Http, Photo, first_template_id, log_in, percentile

EXPRESSIONS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
TARGET_MEDIAN = 0.150


def photo_12mp():
    from PIL import Image

    with Image.open(FIXTURES / "faceapi_sample5.jpg") as source:
        big = source.convert("RGB").resize((4000, 3000), Image.LANCZOS)
    out = BytesIO()
    big.save(out, "JPEG", quality=90)
    return Photo("sample5_12mp.jpg", 12.0, "image/jpeg", out.getvalue())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()

    http_ = Http(args.base)
    token = log_in(http_, "corrector")
    emoji_id = first_template_id(http_)
    photo = photo_12mp()
    auth = {"Authorization": f"Bearer {token}"}
    form_headers = {**auth, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    started = time.monotonic()
    status, _, answer = http_.request("POST", "/api/v1/faces/", photo.form(emoji_id), form_headers)
    if status != 202:
        raise SystemExit(f"the upload answered {status}: {answer[:200]!r}")
    task_id = json.loads(answer)["task_id"]
    while True:
        status, _, answer = http_.request("GET", f"/api/v1/faces/tasks/{task_id}?wait=10",
                                          headers=auth)
        task = json.loads(answer)
        if task["status"] in ("done", "failed"):
            break
    if task["status"] != "done":
        raise SystemExit(f"the 12 MP photo failed: {task['error']}")
    faces = task["faces"]
    analysed = time.monotonic() - started
    print(f"12 MP photo ({len(photo.data) / 1e6:.1f} MB JPEG), {len(faces)} faces, "
          f"analysed in {analysed:.2f} s")

    headers = {**auth, "Content-Type": "application/json"}
    times = []
    for n in range(args.warmup + args.runs):
        index = n % len(faces)
        body = json.dumps({"expression": EXPRESSIONS[n % len(EXPRESSIONS)]}).encode()
        start = time.monotonic()
        status, _, answer = http_.request(
            "PATCH", f"/api/v1/faces/tasks/{task_id}/faces/{index}", body, headers
        )
        elapsed = time.monotonic() - start
        if status != 200:
            raise SystemExit(f"correction {n} answered {status}: {answer[:200]!r}")
        if n >= args.warmup:
            times.append(elapsed)
    median = statistics.median(times)
    verdict = "ok" if median <= TARGET_MEDIAN else "MISSED"
    print(f"{args.runs} corrections: median {median * 1000:.0f} ms (target <= "
          f"{TARGET_MEDIAN * 1000:.0f} ms: {verdict}), p90 {percentile(times, 0.9) * 1000:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
