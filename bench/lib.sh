# shellcheck shell=bash
# Shared by the bench/*-load.sh scripts; source it from the repository root
# after `set -euo pipefail`. It finds (or builds) the release binary, runs it
# on a throwaway data directory with the settings overridden through the
# environment, waits for /healthz, and stops it again.
#
#   bench_init            makes $work (a temp dir) and removes it, and stops
#                         the server, when the script exits
#   bench_binary          cargo build --release unless SKIP_BUILD is set;
#                         sets $binary
#   bench_start DIR [VAR=VALUE...]
#                         starts $binary from the repository root (so models/,
#                         static/ and assets/emoji/ resolve) with its database
#                         and media in DIR; sets $pid, $port, $admin_port, $base
#   bench_stop            SIGTERM, then waits for the server to exit
#   bench_rss_mib PID     the process's resident set size in MiB
#   bench_need_wrk        installs wrk if missing

bench_target_dir=${CARGO_TARGET_DIR:-$HOME/.cache/igemoji/target}
# 40 hex characters; a fresh one per run (tokens do not outlive the run).
bench_jwt_secret=$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
pid=

bench_init() {
  work=$(mktemp -d)
  trap bench_cleanup EXIT
}

bench_cleanup() {
  bench_stop
  rm -rf "$work"
}

bench_binary() {
  if [ -z "${SKIP_BUILD:-}" ]; then
    CARGO_TARGET_DIR=$bench_target_dir cargo build --release --locked --quiet
  fi
  binary=$bench_target_dir/release/igemoji
  if [ ! -x "$binary" ]; then
    echo "no binary at $binary: build it (or run without SKIP_BUILD)" >&2
    exit 2
  fi
}

bench_start() {
  local data=$1
  shift
  mkdir -p "$data"
  port=$((20000 + RANDOM % 20000))
  admin_port=$((port + 1))
  base="http://127.0.0.1:$port"
  env IGEMOJI__DATABASE__URL="sqlite://$data/igemoji.db?mode=rwc" \
    IGEMOJI__STORAGE__URL="file://$data/media" \
    IGEMOJI__SERVER__BIND="127.0.0.1:$port" \
    IGEMOJI__ADMIN__BIND="127.0.0.1:$admin_port" \
    IGEMOJI__AUTH__JWT_SECRET="$bench_jwt_secret" \
    IGEMOJI__LOG__LEVEL=warn \
    IGEMOJI__SERVER__SHUTDOWN_TIMEOUT=5s \
    "$@" "$binary" >>"$data/server.log" 2>&1 &
  pid=$!
  local _
  for _ in $(seq 1 300); do # 60 s: migrations, models, built-in templates
    if curl -fs -o /dev/null "$base/healthz"; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "igemoji exited during start-up; its log:" >&2
      tail -n 30 "$data/server.log" >&2
      pid=
      exit 1
    fi
    sleep 0.2
  done
  echo "igemoji did not answer $base/healthz within 60 s; its log:" >&2
  tail -n 30 "$data/server.log" >&2
  exit 1
}

bench_stop() {
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  local _
  for _ in $(seq 1 150); do # 30 s
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "igemoji did not stop within 30 s of SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  pid=
}

bench_rss_mib() {
  awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"
}

bench_need_wrk() {
  command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
}
