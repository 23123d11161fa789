#!/usr/bin/env bash
# How long fixing one face of a 12 MP photo takes (PATCH
# /api/v1/faces/tasks/{id}/faces/{index}, answered once the result is painted
# again and stored), against the release binary on a throwaway SQLite
# database and media folder. Target: median <= 150 ms on this machine.
#
# Run:   bash bench/corrections.sh             (cargo build --release first)
#        SKIP_BUILD=1 bash bench/corrections.sh
# Knobs: RUNS (30), VENV (a Python venv with Pillow; default
# /tmp/igemoji-pillow-venv, made on first use). Takes under a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

venv=${VENV:-/tmp/igemoji-pillow-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import PIL' 2>/dev/null || "$venv/bin/pip" install -q "Pillow==10.4.0"

bench_binary
bench_init
bench_start "$work/data"
"$venv/bin/python" bench/corrections_bench.py --base "$base" --runs "${RUNS:-30}"
