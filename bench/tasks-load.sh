#!/usr/bin/env bash
# Load test of photo uploads (POST /api/v1/faces/, then
# GET /api/v1/faces/tasks/{id}?wait=10 until done) against the release binary on this machine,
# on a throwaway SQLite database and media folder.
#
# Measures, with bench/tasks_load.py:
#   * unloaded: one ~1 MP photo (faceapi_sample3.jpg) uploaded alone,
#     1 warm-up + 5 runs, median upload->done time; then each photo of the
#     load's set alone, once: median upload->done, mean task time, and the
#     mean time per stage (decode, detect, classify, compose) from /metrics;
#   * load: 16 clients (logged-in users, one keep-alive connection each)
#     upload 200 photos between them: the fixture photos (0.25-1.3 MP) and
#     upscaled copies (1.8-11.8 MP) made with Pillow into a temp dir; each
#     upload followed until done/failed; 503 queue_full waits
#     Retry-After and resends. Reports wall time, completed tasks/s,
#     median/p95 upload->done, errors (other statuses, failed tasks,
#     exceptions), deliberate 503s, and the server's peak RSS (VmRSS sampled
#     every 100 ms, and the kernel's VmHWM).
#
# Targets (printed beside the figures; missing one does not fail the script):
#   tasks/s >= 80% of (cores / single-photo time), the single-photo time being
#     $SINGLE_PHOTO_SECONDS if set, else the set's mean engine time
#     (decode+detect+classify); also printed against the mean whole task;
#   median upload->done <= 3x the set's unloaded median;
#   no errors other than 503 queue_full;
#   peak RSS <= 300 MB.
#
# Run:   bash bench/tasks-load.sh             (cargo build --release first)
#        SKIP_BUILD=1 bash bench/tasks-load.sh  (reuse the built binary)
# The binary is $CARGO_TARGET_DIR/release/igemoji (default target dir
# ~/.cache/igemoji/target). Other knobs: CLIENTS (16), UPLOADS (200),
# SINGLE_PHOTO_SECONDS, MAX_QUEUED (tasks.max_queued; default the config's),
# OUT (write the raw outcomes as JSON there), VENV (default /tmp/igemoji-pillow-venv: Python venv with Pillow==10.4.0,
# made on first use). Takes ~2-5 minutes on 2 cores. Exits non-zero only if
# it could not measure.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

venv=${VENV:-/tmp/igemoji-pillow-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import PIL' 2>/dev/null || "$venv/bin/pip" install -q "Pillow==10.4.0"

bench_binary
bench_init
echo "binary: $binary ($(date -r "$binary" '+%F %T'))"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_start "$work/data" ${MAX_QUEUED:+IGEMOJI__TASKS__MAX_QUEUED=$MAX_QUEUED}
echo "server idle RSS: $(bench_rss_mib "$pid") MiB"

"$venv/bin/python" bench/tasks_load.py --base "$base" --admin "http://127.0.0.1:$admin_port" --pid "$pid" --work "$work" \
  --clients "${CLIENTS:-16}" --uploads "${UPLOADS:-200}" ${OUT:+--json "$OUT"}

echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
warnings=$(grep -cE ' (WARN|ERROR) ' "$work/data/server.log" || true)
echo "server log: $warnings warning/error lines"
if [ "$warnings" -gt 0 ]; then
  grep -E ' (WARN|ERROR) ' "$work/data/server.log" | tail -n 5
fi
