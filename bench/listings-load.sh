#!/usr/bin/env bash
# Load test of the template listings against the release binary on this
# machine, on SQLite holding 10,000 templates (~10% private) and 100,000 uses
# (Zipf-like over the templates, spread over the last 30 days):
#   GET /api/v1/emojis/?page=1     the gallery's first page
#   GET /api/v1/emojis/top3        all-time ranking
#   GET /api/v1/emojis/top3?days=7 ranking over the last week
# each with wrk, 64 connections, 2 threads, 10 s (after a 2 s warm-up run).
# Prints requests/s and latency p50/p99 per endpoint.
# Target: >= 5,000 requests/s each (printed beside the figures; missing it
# does not fail the script).
#
# The data: the server starts once on a temp dir (migrations, built-in
# templates), stops, bench/listings_seed.py inserts the rows with python3's
# sqlite3, and the server starts again. Listings are cached in the process
# (2 s TTL), so this measures mostly cache hits plus one rebuild per 2 s.
#
# Run:   bash bench/listings-load.sh             (cargo build --release first)
#        SKIP_BUILD=1 bash bench/listings-load.sh  (reuse the built binary)
# The binary is $CARGO_TARGET_DIR/release/igemoji (default target dir
# ~/.cache/igemoji/target). Knobs: DURATION (10s), CONNECTIONS (64),
# TEMPLATES (10000), USES (100000). Exits non-zero only if it could not
# measure.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
target_rps=5000

bench_need_wrk
bench_binary
bench_init
echo "binary: $binary ($(date -r "$binary" '+%F %T'))"

bench_start "$work/data"
bench_stop
python3 bench/listings_seed.py "$work/data/igemoji.db" \
  --templates "${TEMPLATES:-10000}" --uses "${USES:-100000}"
bench_start "$work/data"

paths=("/api/v1/emojis/?page=1" "/api/v1/emojis/top3" "/api/v1/emojis/top3?days=7")
for path in "${paths[@]}"; do # the answers are what the seed should give
  curl -fsS "$base$path" -o "$work/answer.json"
  python3 - "$path" "$work/answer.json" <<'PY'
import json, sys
path, answer = sys.argv[1], json.load(open(sys.argv[2]))
items = answer["items"]
expected = 20 if "page" in path else 3
if len(items) != expected or any(item["visibility"] != "public" for item in items):
    sys.exit(f"{path}: expected {expected} public items, got {answer}")
total = f", total {answer['total']}" if "total" in answer else ""
print(f"{path}: use_count {[item['use_count'] for item in items[:3]]}...{total}")
PY
done
echo "server RSS before load: $(bench_rss_mib "$pid") MiB"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# wrk prints latencies as e.g. 812.00us, 1.53ms or 1.02s; this gives ms.
to_ms() {
  awk -v t="$1" 'BEGIN {
    v = t + 0
    if (t ~ /us$/) v /= 1000; else if (t ~ /ms$/) v += 0; else if (t ~ /m$/) v *= 60000; else if (t ~ /s$/) v *= 1000
    printf "%.2f", v }'
}

results=()
for path in "${paths[@]}"; do
  wrk -t2 -c"$connections" -d2s "$base$path" >/dev/null # warm-up
  wrk -t2 -c"$connections" -d"$duration" --latency "$base$path" >"$work/wrk.txt"
  rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt")
  socket=$(awk -F': ' '/Socket errors/ {print $2}' "$work/wrk.txt")
  verdict=$(awk -v r="$rps" -v t="$target_rps" 'BEGIN {print (r >= t) ? "ok" : "MISSED"}')
  results+=("$(printf '%-30s %10s %9s %9s   >= %d  %-6s %s' "$path" "$rps" "$p50" "$p99" \
    "$target_rps" "$verdict" "${non2xx:+non-2xx $non2xx }${socket:+socket errors: $socket}")")
done

echo
echo "== $connections connections, 2 wrk threads, $duration each"
printf '%-30s %10s %9s %9s   %s\n' "endpoint" "req/s" "p50 ms" "p99 ms" "target req/s"
printf '%s\n' "${results[@]}"
echo
echo "server RSS after load: $(bench_rss_mib "$pid") MiB"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
