#!/usr/bin/env bash
# Load test of the users API against the release binary on this machine.
# Measures: username check (a database read), token check, logins per second,
# token-check latency while logins saturate the blocking pool, and idle RSS.
# Usage: bench/users-load.sh [duration, default 15s]
# (SKIP_BUILD=1 reuses $CARGO_TARGET_DIR/release/igemoji, default target dir
# ~/.cache/igemoji/target; see bench/lib.sh.)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
duration=${1:-15s}
connections=64

bench_need_wrk
bench_binary
bench_init
bench_start "$work/data" IGEMOJI__LIMITS__LOGIN_MAX_FAILURES=1000000

sleep 2
echo "idle RSS: $(awk '/VmRSS/ {print $2/1024 " MiB"}' /proc/$pid/status)"

curl -fs -X POST "$base/api/v1/users/" -H 'content-type: application/json' \
  -d '{"username":"bench","password":"bench password"}' >/dev/null
token=$(curl -fs -X POST "$base/api/v1/users/auth" -H 'content-type: application/json' \
  -d '{"username":"bench","password":"bench password"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')

cat > "$work/login.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"username":"bench","password":"bench password"}'
wrk.headers["Content-Type"] = "application/json"
LUA

echo; echo "== GET /api/v1/users/?username=x ($connections connections, $duration)"
wrk -t2 -c$connections -d"$duration" --latency "$base/api/v1/users/?username=xyz" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket"
echo; echo "== GET /api/v1/users/auth ($connections connections, $duration)"
wrk -t2 -c$connections -d"$duration" --latency -H "Authorization: Bearer $token" "$base/api/v1/users/auth" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket"
echo; echo "== POST /api/v1/users/auth, logins (8 connections, $duration)"
wrk -t1 -c8 -d"$duration" --latency -s "$work/login.lua" "$base/api/v1/users/auth" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket"
echo; echo "== token checks while logins saturate the blocking pool"
wrk -t1 -c16 -d"$duration" -s "$work/login.lua" "$base/api/v1/users/auth" >/dev/null &
login_load=$!
sleep 1
wrk -t1 -c16 -d"$duration" --latency -H "Authorization: Bearer $token" "$base/api/v1/users/auth" | grep -E "Requests/sec|50%|99%|Non-2xx"
wait $login_load
echo; echo "RSS after load: $(awk '/VmRSS/ {print $2/1024 " MiB"}' /proc/$pid/status)"
