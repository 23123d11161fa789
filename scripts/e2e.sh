#!/usr/bin/env bash
# End-to-end tests of the web app in a real browser: builds the release
# binary, starts it on a free port with a temporary data folder, and runs
# web/e2e/journey.mjs (Playwright driving Debian's Chromium) against it.
# Screenshots of every page at phone and desktop width go to
# $SCREENSHOT_DIR (default: a new folder under /tmp, printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/igemoji/target}"
if ! command -v chromium > /dev/null; then
  echo "e2e: Chromium is missing; install it with: apt-get install chromium" >&2
  exit 1
fi
[ -d web/node_modules ] || (cd web && npm ci --no-audit --no-fund --loglevel=error)
cargo build --release --locked --quiet

data_dir="$(mktemp -d)"
screenshots="${SCREENSHOT_DIR:-$(mktemp -d /tmp/igemoji-e2e-screenshots.XXXXXX)}"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
admin_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
IGEMOJI__SERVER__BIND="127.0.0.1:$port" \
IGEMOJI__ADMIN__BIND="127.0.0.1:$admin_port" \
IGEMOJI__DATABASE__URL="sqlite://$data_dir/igemoji.db?mode=rwc" \
IGEMOJI__STORAGE__URL="file://$data_dir/media" \
IGEMOJI__AUTH__DEV_SECRET_FILE="$data_dir/jwt-secret" \
IGEMOJI__LOG__LEVEL=warn \
  "$CARGO_TARGET_DIR/release/igemoji" > "$data_dir/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2> /dev/null || true
  wait "$server" 2> /dev/null || true
  rm -rf "$data_dir"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" > /dev/null && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$port/healthz" > /dev/null || { cat "$data_dir/server.log" >&2; exit 1; }

(cd web && BASE_URL="http://127.0.0.1:$port" SCREENSHOT_DIR="$screenshots" \
  FACE_PHOTO="$PWD/../tests/fixtures/photos/skimage_astronaut.png" node e2e/journey.mjs)
echo "e2e: screenshots of every page at 375 px and 1280 px: $screenshots"
