#!/usr/bin/env bash
# Builds the release binary and gathers what it reads at run time into one
# folder, laid out as its working directory:
#   scripts/build-release.sh OUT_DIR
#   → OUT_DIR/igemoji, config.toml, static/, models/, assets/emoji/
# The Dockerfile runs this; so can CI. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 1 ]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
out="$1"
target_dir="${CARGO_TARGET_DIR:-target}"

cargo build --release --locked --bin igemoji

mkdir -p "$out/models" "$out/assets/emoji"
install -m 0755 "$target_dir/release/igemoji" "$out/igemoji"
cp config.toml "$out/"
cp -R static "$out/"
# Only the networks and their licences, not the scripts that rebuild them.
cp models/*.onnx models/README.md "$out/models/"
cp -R models/LICENSES "$out/models/"
# The SVGs with their licence and attribution files, not build.sh.
cp -R assets/emoji/twemoji assets/emoji/openmoji assets/emoji/README.md "$out/assets/emoji/"

echo "release in $out"
