#!/usr/bin/env bash
# Property-based API tests with Schemathesis: starts the release binary on
# free ports with a temporary data folder, signs up a user for a bearer
# token, and runs `st run` against the OpenAPI document the binary serves at
# /api/v1/openapi.json.
#
#   IGEMOJI_BIN                the binary to test (default:
#                              ${CARGO_TARGET_DIR:-target}/release/igemoji,
#                              built with cargo when it is missing)
#   SCHEMATHESIS_MAX_EXAMPLES  test cases per operation (default: 30)
#   SCHEMATHESIS_REPORT_DIR    where the JUnit and NDJSON reports go
#                              (default: a new folder under /tmp, printed)
#   Arguments are passed on to `st run`, e.g. --seed 1 or --exclude-checks X.
#
# The uploads run separately (see below). DELETE /api/v1/users/me deletes the token's own account, which would turn
# every later call of the main run into a 401, so it gets a second short run
# with a throwaway account. The exit status is the first non-zero status of
# the two runs, or 0.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

readonly schemathesis_version="4.32.5"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/igemoji/schemathesis"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-30}"

if [ -n "${IGEMOJI_BIN:-}" ]; then
  bin="$IGEMOJI_BIN"
  [ -x "$bin" ] || { echo "schemathesis: IGEMOJI_BIN=$bin is not an executable file" >&2; exit 1; }
else
  bin="${CARGO_TARGET_DIR:-target}/release/igemoji"
  [ -x "$bin" ] || cargo build --release --locked --quiet
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

if [ "$("$venv/bin/st" --version 2> /dev/null || true)" != "st, version $schemathesis_version" ]; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

work_dir="$(mktemp -d)"
report_dir="${SCHEMATHESIS_REPORT_DIR:-$(mktemp -d /tmp/igemoji-schemathesis.XXXXXX)}"
mkdir -p "$report_dir"
read -r port admin_port < <(python3 -c '
import socket
a, b = socket.socket(), socket.socket()
a.bind(("127.0.0.1", 0))
b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])
')
base="http://127.0.0.1:$port"

env --chdir="$work_dir" \
  IGEMOJI__SERVER__BIND="127.0.0.1:$port" \
  IGEMOJI__ADMIN__BIND="127.0.0.1:$admin_port" \
  IGEMOJI__TASKS__ANONYMOUS_UPLOADS=100000 \
  IGEMOJI__LIMITS__LOGIN_MAX_FAILURES=100000 \
  IGEMOJI__LOG__LEVEL=warn \
  "$bin" serve > "$work_dir/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2> /dev/null || true
  wait "$server" 2> /dev/null || true
  rm -rf "$work_dir"
}
trap cleanup EXIT

for _ in $(seq 1 150); do
  curl -fs "$base/healthz" > /dev/null && break
  kill -0 "$server" 2> /dev/null || break
  sleep 0.2
done
curl -fs "$base/healthz" > /dev/null || { cat "$work_dir/server.log" >&2; exit 1; }

# Signs up a user and prints a bearer token for it.
token_for() {
  local body="{\"username\":\"$1\",\"password\":\"schemathesis-password\"}"
  curl -fsS -X POST "$base/api/v1/users/" -H 'Content-Type: application/json' -d "$body" > /dev/null
  curl -fsS -X POST "$base/api/v1/users/auth" -H 'Content-Type: application/json' -d "$body" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}
token="$(token_for schemathesis)"
throwaway_token="$(token_for schemathesis-delete)"

run_st() {
  local name="$1"
  shift
  (cd "$work_dir" && "$venv/bin/st" run "$base/api/v1/openapi.json" \
    --checks all --max-examples "$max_examples" \
    --report junit,ndjson --report-dir "$report_dir" \
    --report-junit-path "$report_dir/$name.xml" --report-ndjson-path "$report_dir/$name.ndjson" \
    "$@")
}

# The uploads take images; schemathesis fills binary fields with random
# bytes, PDFs and ZIPs, which are rightly refused (415, or 422 for an unknown
# template id), so those operations run without positive_data_acceptance.
uploads=(--include-operation-id upload --include-operation-id upload_alias --include-operation-id create)
status=0
run_st main -H "Authorization: Bearer $token" --exclude-operation-id delete_me \
  --exclude-operation-id upload --exclude-operation-id upload_alias --exclude-operation-id create \
  "$@" || status=$?
uploads_status=0
run_st uploads -H "Authorization: Bearer $token" "${uploads[@]}" \
  --exclude-checks positive_data_acceptance "$@" || uploads_status=$?
[ "$status" -ne 0 ] || status=$uploads_status
delete_status=0
run_st delete-me -H "Authorization: Bearer $throwaway_token" --include-operation-id delete_me "$@" ||
  delete_status=$?
[ "$status" -ne 0 ] || status=$delete_status

if ! kill -0 "$server" 2> /dev/null; then
  echo "schemathesis: the server stopped during the run; its log:" >&2
  cat "$work_dir/server.log" >&2
  status=1
fi
echo "schemathesis: reports in $report_dir"
trap - EXIT
cleanup
exit "$status"
