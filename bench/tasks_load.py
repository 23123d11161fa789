#!/usr/bin/env python3
"""Photo-upload load test, run by bench/tasks-load.sh against a started server.

1. Makes the photo set: the fixture photos (tests/fixtures/photos/*.jpg|png,
   0.25-1.3 MP) plus upscaled copies (1.8-11.8 MP, JPEG quality 90) in
   WORK/photos. Needs Pillow (the script runs this with its venv's python);
   everything else is the standard library.
2. Signs up and logs in a few users; every request below carries a Bearer
   token (anonymous uploads are rate-limited per address).
3. Unloaded: one ~1 MP photo uploaded alone, 1 warm-up + N timed runs; the
   median upload->done time. Then every photo of the set
   alone, once: the single-photo times of the same mix the load sends, and
   (from the admin /metrics) the mean time of each stage: decode, detect and
   classify (the engine) and compose (pasting and encoding the result).
4. Load: CLIENTS threads (one keep-alive connection each) upload UPLOADS
   photos between them, round-robin over the shuffled photo set. 503 queue_full is backpressure:
   wait Retry-After and send the same photo again. Anything else is an error.
   The server's VmRSS is sampled every 100 ms throughout.

Every task is followed with GET /api/v1/faces/tasks/{id}?wait=10, which the
server answers as soon as the task is done or failed, as the web app does:
the times are not rounded up to a poll interval.

Prints the figures beside the targets. Exit status: 0 when it measured
(whether or not the targets were met), 1 when it could not.
"""

import argparse
import glob
import http.client
import json
import math
import os
import random
import re
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "photos"
UNLOADED_PHOTO = "faceapi_sample3.jpg"  # 1280x900, 1.15 MP
# (fixture, width of the upscaled copy; the aspect ratio is kept)
UPSCALED = [
    ("faceapi_sample2.jpg", 1600),  # 1.8 MP
    ("faceapi_sample5.jpg", 2000),  # 2.9 MP
    ("faceapi_sample1.jpg", 2400),  # 3.8 MP
    ("faceapi_sample6.jpg", 2800),  # 6.3 MP
    ("faceapi_sample4.jpg", 3200),  # 7.7 MP
    ("faceapi_sample3.jpg", 4000),  # 11.2 MP
    ("deface_city.jpg", 4096),  # 11.8 MP, a street with many small faces
]
MAX_PHOTO_BYTES = 15_000_000  # the server's analysis.max_bytes is 15 MiB
BOUNDARY = "igemoji-bench-boundary-7d1f0c"
PASSWORD = "bench password"
TASK_TIMEOUT = 300.0  # seconds from the accepted upload to done/failed
UPLOAD_GIVE_UP = 300.0  # seconds of 503 retries for one photo


@dataclass
class Photo:
    name: str
    megapixels: float
    content_type: str
    data: bytes

    def form(self, emoji_id):
        """The multipart body: emoji_id, then the photo as `image`."""
        head = (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="emoji_id"\r\n\r\n'
            f"{emoji_id}\r\n"
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="image"; filename="{self.name}"\r\n'
            f"Content-Type: {self.content_type}\r\n\r\n"
        ).encode()
        return head + self.data + f"\r\n--{BOUNDARY}--\r\n".encode()


@dataclass
class Outcome:
    photo: Photo
    result: str  # "done", "failed" or "error"
    seconds: float = None  # accepted upload's start -> done seen
    seconds_with_503: float = None  # first attempt's start -> done seen
    server_seconds: float = None  # the task's created_at -> finished_at


class Http:
    """One keep-alive connection; reopened when the server closed it."""

    def __init__(self, base):
        url = urlsplit(base)
        self.host, self.port = url.hostname, url.port
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        for _ in range(2):
            fresh = self.conn is None
            if fresh:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if fresh:
                    raise
                continue  # a reused connection the server had closed: once more
            if response.will_close:
                self.close()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Stats:
    """Counters shared by the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.errors = Counter()
        self.deliberate_503 = 0

    def error(self, kind):
        with self.lock:
            self.errors[kind] += 1

    def backpressure(self):
        with self.lock:
            self.deliberate_503 += 1


class RssSampler(threading.Thread):
    """Largest VmRSS of the server process, read every `interval` seconds."""

    def __init__(self, pid, interval=0.1):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kib = 0
        self.lost = False
        self.stopped = threading.Event()

    def run(self):
        while True:
            try:
                self.peak_kib = max(self.peak_kib, proc_status_kib(self.pid, "VmRSS"))
            except OSError:
                self.lost = True  # the server exited
                return
            if self.stopped.wait(self.interval):
                return


def proc_status_kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise OSError(f"no {field} in /proc/{pid}/status")


def parse_time(text):
    """RFC 3339 as the API writes it (up to 9 fraction digits) -> datetime."""
    match = re.fullmatch(r"(.+?)(\.\d+)?(Z|[+-]\d\d:\d\d)", text)
    if not match:
        raise ValueError(f"not an RFC 3339 time: {text!r}")
    whole, fraction, zone = match.groups()
    moment = datetime.fromisoformat(whole + ("+00:00" if zone == "Z" else zone))
    if fraction:
        moment += timedelta(microseconds=round(float(fraction) * 1e6))
    return moment


def error_code(body):
    try:
        return json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return body[:80].decode(errors="replace") or "-"


def retry_after(headers):
    try:
        return max(0.1, float(headers.get("retry-after", "1")))
    except ValueError:
        return 1.0


# --- photos ---------------------------------------------------------------


def make_photos(out_dir):
    from PIL import Image  # only this step needs Pillow

    out_dir.mkdir(parents=True, exist_ok=True)
    photos = []
    for path in sorted(glob.glob(str(FIXTURES / "*.jpg")) + glob.glob(str(FIXTURES / "*.png"))):
        photos.append(load_photo(Path(path), Image))
    for name, width in UPSCALED:
        with Image.open(FIXTURES / name) as image:
            height = round(image.height * width / image.width)
            path = out_dir / f"{Path(name).stem}_{width}x{height}.jpg"
            image.convert("RGB").resize((width, height), Image.LANCZOS).save(path, quality=90)
        photos.append(load_photo(path, Image))
    for photo in photos:
        if len(photo.data) > MAX_PHOTO_BYTES:
            raise SystemExit(f"{photo.name} is {len(photo.data)} bytes, over {MAX_PHOTO_BYTES}")
    return photos


def load_photo(path, Image):
    with Image.open(path) as image:
        megapixels = image.width * image.height / 1e6
        content_type = "image/png" if image.format == "PNG" else "image/jpeg"
    return Photo(path.name, megapixels, content_type, path.read_bytes())


# --- API --------------------------------------------------------------------


def log_in(http_, username):
    credentials = json.dumps({"username": username, "password": PASSWORD}).encode()
    json_headers = {"Content-Type": "application/json"}
    status, _, body = http_.request("POST", "/api/v1/users/", credentials, json_headers)
    if status not in (201, 409):
        raise SystemExit(f"sign-up of {username} answered {status}: {body[:200]!r}")
    status, _, body = http_.request("POST", "/api/v1/users/auth", credentials, json_headers)
    if status != 200:
        raise SystemExit(f"login of {username} answered {status}: {body[:200]!r}")
    return json.loads(body)["access_token"]


def first_template_id(http_):
    status, _, body = http_.request("GET", "/api/v1/emojis/")
    if status != 200:
        raise SystemExit(f"GET /api/v1/emojis/ answered {status}: {body[:200]!r}")
    items = json.loads(body)["items"]
    if not items:
        raise SystemExit("GET /api/v1/emojis/ lists no template (built-ins not seeded?)")
    return items[0]["id"]


def upload_until_done(http_, token, emoji_id, photo, stats):
    """Uploads one photo and follows its task; never raises."""
    try:
        return upload_and_follow(http_, token, emoji_id, photo, stats)
    except Exception as error:  # noqa: BLE001 - any failure is one counted error
        http_.close()
        stats.error(f"exception {type(error).__name__}: {str(error)[:80]}")
        return Outcome(photo, "error")


def upload_and_follow(http_, token, emoji_id, photo, stats):
    auth = {"Authorization": f"Bearer {token}"}
    upload_headers = {**auth, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    body = photo.form(emoji_id)
    first_start = time.monotonic()
    while True:
        start = time.monotonic()
        status, headers, answer = http_.request("POST", "/api/v1/faces/", body, upload_headers)
        if status == 202:
            task_id = json.loads(answer)["task_id"]
            break
        if status != 503:
            stats.error(f"upload HTTP {status} {error_code(answer)}")
            return Outcome(photo, "error")
        code = error_code(answer)
        if code == "queue_full":
            stats.backpressure()
        else:
            stats.error(f"upload HTTP 503 {code}")
        if time.monotonic() - first_start > UPLOAD_GIVE_UP:
            stats.error("upload still refused after 300 s of 503s")
            return Outcome(photo, "error")
        time.sleep(retry_after(headers))

    path = f"/api/v1/faces/tasks/{task_id}?wait=10"
    while True:
        status, _, answer = http_.request("GET", path, headers=auth)
        now = time.monotonic()
        if status == 200:
            task = json.loads(answer)
            if task["status"] == "done":
                server = parse_time(task["finished_at"]) - parse_time(task["created_at"])
                return Outcome(
                    photo, "done", now - start, now - first_start, server.total_seconds()
                )
            if task["status"] == "failed":
                stats.error(f"task failed: {(task.get('error') or {}).get('code')}")
                return Outcome(photo, "failed")
        else:
            stats.error(f"poll HTTP {status} {error_code(answer)}")
            if status < 500:
                return Outcome(photo, "error")
        if now - start > TASK_TIMEOUT:
            stats.error(f"task not finished within {TASK_TIMEOUT:.0f} s")
            return Outcome(photo, "error")


# --- phases -----------------------------------------------------------------


def unloaded(base, token, emoji_id, photo, runs):
    """Median upload->done of one photo sent alone, after a warm-up."""
    http_ = Http(base)
    stats = Stats()
    outcomes = [
        upload_until_done(http_, token, emoji_id, photo, stats) for _ in range(runs + 1)
    ][1:]
    http_.close()
    done = [o for o in outcomes if o.result == "done"]
    if stats.errors or len(done) != runs:
        raise SystemExit(f"the unloaded runs failed: {dict(stats.errors)}")
    return (
        statistics.median(o.seconds for o in done),
        statistics.median(o.server_seconds for o in done),
    )


def stage_seconds(admin):
    """{stage: (sum of seconds, count)} of analysis_duration_seconds."""
    with urlopen(f"{admin}/metrics", timeout=10) as response:
        text = response.read().decode()
    totals = {}
    for match in re.finditer(
        r'^analysis_duration_seconds_(sum|count)\{stage="(\w+)"\} (\S+)$', text, re.M
    ):
        kind, stage, value = match.groups()
        seconds, count = totals.get(stage, (0.0, 0))
        if kind == "sum":
            seconds = float(value)
        else:
            count = int(float(value))
        totals[stage] = (seconds, count)
    return totals


def unloaded_set(base, admin, token, emoji_id, photos):
    """Every photo alone once: upload->done and server times, and the mean
    seconds per stage over these tasks."""
    http_ = Http(base)
    stats = Stats()
    before = stage_seconds(admin)
    outcomes = [upload_until_done(http_, token, emoji_id, p, stats) for p in photos]
    after = stage_seconds(admin)
    http_.close()
    if stats.errors or any(o.result != "done" for o in outcomes):
        raise SystemExit(f"the unloaded runs failed: {dict(stats.errors)}")
    return outcomes, stages_per_task(before, after, len(photos))


def stages_per_task(before, after, tasks):
    """Mean seconds per task by stage between two stage_seconds() readings."""
    stages = {}
    for stage, (seconds, count) in after.items():
        old_seconds, old_count = before.get(stage, (0.0, 0))
        if count > old_count:
            stages[stage] = (seconds - old_seconds) / tasks
    return stages


def format_stages(stages):
    return " ".join(f"{k} {v * 1000:.0f} ms" for k, v in sorted(stages.items()))


def loaded(base, tokens, emoji_id, photos, clients, uploads):
    stats = Stats()
    outcomes = []
    outcomes_lock = threading.Lock()
    taken = iter(range(uploads))

    def client(index):
        http_ = Http(base)
        token = tokens[index % len(tokens)]
        while True:
            with outcomes_lock:
                number = next(taken, None)
            if number is None:
                break
            photo = photos[number % len(photos)]
            outcome = upload_until_done(http_, token, emoji_id, photo, stats)
            with outcomes_lock:
                outcomes.append(outcome)
        http_.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - start, outcomes, stats


# --- report -----------------------------------------------------------------


def percentile(values, fraction):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(round(fraction * len(ordered), 9)) - 1)]


def verdict(ok):
    return "ok" if ok else "MISSED"


def line(label, value, target=""):
    print(f"  {label:<28} {value:<14} {target}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--admin", required=True, help="http://127.0.0.1:ADMIN_PORT (metrics)")
    parser.add_argument("--pid", type=int, required=True, help="the server's process id")
    parser.add_argument("--work", type=Path, required=True, help="a scratch directory")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--users", type=int, default=4, help="accounts the clients share")
    parser.add_argument("--unloaded-runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the raw outcomes here")
    args = parser.parse_args()

    cores = len(os.sched_getaffinity(0))
    photos = make_photos(args.work / "photos")
    random.Random(1).shuffle(photos)  # big and small photos spread over the run
    unloaded_photo = next(p for p in photos if p.name == UNLOADED_PHOTO)
    sizes = sorted(p.megapixels for p in photos)
    print(f"photos: {len(photos)}, {sizes[0]:.2f}-{sizes[-1]:.1f} MP, "
          f"{sum(len(p.data) for p in photos) / 1e6:.1f} MB in all")

    setup = Http(args.base)
    tokens = [log_in(setup, f"bench{i}") for i in range(1, args.users + 1)]
    emoji_id = first_template_id(setup)
    setup.close()

    sampler = RssSampler(args.pid)
    sampler.start()

    print(f"\n== unloaded: {UNLOADED_PHOTO} ({unloaded_photo.megapixels:.2f} MP) alone, "
          f"1 warm-up + {args.unloaded_runs} runs")
    single, single_server = unloaded(args.base, tokens[0], emoji_id, unloaded_photo,
                                     args.unloaded_runs)
    line("median upload->done", f"{single:.3f} s", f"(server created->finished {single_server:.3f} s)")

    print(f"\n== unloaded: each of the {len(photos)} photos alone, once")
    alone, stages = unloaded_set(args.base, args.admin, tokens[0], emoji_id, photos)
    mix_mean = statistics.mean(o.server_seconds for o in alone)
    mix_median = statistics.median(o.seconds for o in alone)
    engine = sum(stages.get(stage, 0.0) for stage in ("decode", "detect", "classify"))
    line("upload->done", f"median {mix_median:.3f} s",
         f"mean {statistics.mean(o.seconds for o in alone):.3f} s")
    line("server created->finished", f"mean {mix_mean:.3f} s")
    line("mean per photo, by stage", format_stages(stages))
    line("engine (decode+detect+classify)", f"mean {engine:.3f} s")

    print(f"\n== load: {args.clients} clients, {args.uploads} uploads, {args.users} users")
    before_load = stage_seconds(args.admin)
    wall, outcomes, stats = loaded(args.base, tokens, emoji_id, photos, args.clients,
                                   args.uploads)
    load_stages = stages_per_task(before_load, stage_seconds(args.admin),
                                  sum(o.result == "done" for o in outcomes) or 1)
    sampler.stopped.set()
    sampler.join()
    try:
        high_water_kib = proc_status_kib(args.pid, "VmHWM")
    except OSError:
        high_water_kib = 0
        stats.error("the server process is gone")

    done = [o for o in outcomes if o.result == "done"]
    errors = sum(stats.errors.values())
    # The load sends the whole set round-robin, so its single-photo time is
    # the set's mean; the engine benchmark's figure can be given instead.
    env_single = os.environ.get("SINGLE_PHOTO_SECONDS")
    analysis = float(env_single) if env_single else engine
    throughput = len(done) / wall
    throughput_target = 0.8 * cores / analysis
    task_target = 0.8 * cores / mix_mean
    latency_target = 3 * mix_median
    peak_mb = max(sampler.peak_kib, high_water_kib) * 1024 / 1e6

    line("wall time", f"{wall:.1f} s")
    line("tasks done", f"{len(done)} of {args.uploads}")
    line("completed tasks/s", f"{throughput:.2f}",
         f"target >= {throughput_target:.2f} (80% of {cores} cores / {analysis:.3f} s "
         f"{'SINGLE_PHOTO_SECONDS' if env_single else 'mean engine time of the set'})  "
         f"{verdict(throughput >= throughput_target)}")
    line("", "", f"vs whole tasks: >= {task_target:.2f} (80% of {cores} cores / {mix_mean:.3f} s "
         f"mean unloaded task)  {verdict(throughput >= task_target)}")
    # Beside the unloaded stage means: how much slower the same work runs
    # when every core is busy, and what the cores spend outside the stages.
    line("mean per task, by stage", format_stages(load_stages),
         f"(cores x wall per task: {cores * wall / max(len(done), 1) * 1000:.0f} ms)")
    if done:
        median = statistics.median(o.seconds for o in done)
        line("upload->done median", f"{median:.2f} s",
             f"target <= {latency_target:.2f} s (3x the set's unloaded median)  "
             f"{verdict(median <= latency_target)}")
        line("upload->done p95", f"{percentile([o.seconds for o in done], 0.95):.2f} s")
        if stats.deliberate_503:
            waits = [o.seconds_with_503 for o in done]
            line("  with 503 waits: median", f"{statistics.median(waits):.2f} s",
                 f"p95 {percentile(waits, 0.95):.2f} s")
        line("server created->finished", f"{statistics.median(o.server_seconds for o in done):.2f} s",
             "(median)")
    else:
        line("upload->done median", "-", f"target <= {latency_target:.2f} s  MISSED")
    line("errors (other than 503)", str(errors), f"target 0  {verdict(errors == 0)}")
    for kind, count in stats.errors.most_common():
        print(f"      {count:>5}  {kind}")
    line("deliberate 503s (queue_full)", str(stats.deliberate_503))
    line("peak RSS", f"{peak_mb:.0f} MB",
         f"target <= 300 MB  {verdict(peak_mb <= 300)}  (sampled {sampler.peak_kib / 1024:.0f} MiB, "
         f"VmHWM {high_water_kib / 1024:.0f} MiB)")

    print("\n  by photo size            done  upload->done median  server median")
    for label, low, high in (("< 1 MP", 0, 1), ("1-4 MP", 1, 4), ("4-12 MP", 4, 99)):
        group = [o for o in done if low <= o.photo.megapixels < high]
        if group:
            print(f"  {label:<24} {len(group):>5}  "
                  f"{statistics.median(o.seconds for o in group):>17.2f} s"
                  f"  {statistics.median(o.server_seconds for o in group):>11.2f} s")

    if args.json:
        args.json.write_text(json.dumps({
            "wall_seconds": wall,
            "unloaded_seconds": single,
            "unloaded_set": [
                {"photo": o.photo.name, "seconds": o.seconds, "server_seconds": o.server_seconds}
                for o in alone
            ],
            "unloaded_stage_seconds": stages,
            "deliberate_503": stats.deliberate_503,
            "errors": dict(stats.errors),
            "peak_rss_kib": sampler.peak_kib,
            "vmhwm_kib": high_water_kib,
            "outcomes": [
                {"photo": o.photo.name, "megapixels": round(o.photo.megapixels, 2),
                 "result": o.result, "seconds": o.seconds, "server_seconds": o.server_seconds}
                for o in outcomes
            ],
        }, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
