#!/usr/bin/env bash
# Load test of live mode (WebSocket /api/v1/faces/live) against the release
# binary on this machine, with bench/live_load.py: CONNECTIONS (8) clients
# each send FPS (10) 640x480 JPEG frames a second, one face each, for
# SECONDS_EACH (20). Reports frames answered and dropped, the server's time per frame and
# the round trip (p50, p95), the server's CPU and peak RSS.
# Target (issue 20): p95 round trip <= 80 ms with <= 5 % of frames dropped.
#
# Run:   bash bench/live-load.sh              (cargo build --release first)
#        SKIP_BUILD=1 bash bench/live-load.sh (reuse the built binary)
# VENV (default /tmp/igemoji-live-venv): Python venv with Pillow and
# websockets, made on first use. WORKERS sets analysis.workers (live frames
# share its threads with uploads).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

venv=${VENV:-/tmp/igemoji-live-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import PIL, websockets' 2>/dev/null ||
  "$venv/bin/pip" install -q "Pillow==10.4.0" "websockets==15.0.1"

bench_binary
bench_init
echo "binary: $binary ($(date -r "$binary" '+%F %T'))"
bench_start "$work/data" ${WORKERS:+IGEMOJI__ANALYSIS__WORKERS=$WORKERS}
"$venv/bin/python" bench/live_load.py --base "$base" --pid "$pid" \
  --photo tests/fixtures/photos/matplotlib_grace_hopper.jpg \
  --connections "${CONNECTIONS:-8}" --fps "${FPS:-10}" --seconds "${SECONDS_EACH:-20}"
