#!/usr/bin/env bash
# Builds the release binary, which carries its models, web app and template
# art, and gathers it with the licences of what it carries:
#   scripts/build-release.sh OUT_DIR
#   → OUT_DIR/igemoji, OUT_DIR/licenses/{models,emoji}/
# The Dockerfile runs this; so does CI. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 1 ]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
out="$1"
target_dir="${CARGO_TARGET_DIR:-target}"

cargo build --release --locked --bin igemoji

mkdir -p "$out/licenses/models" "$out/licenses/emoji"
install -m 0755 "$target_dir/release/igemoji" "$out/igemoji"
cp models/README.md "$out/licenses/models/"
cp -R models/LICENSES/. "$out/licenses/models/"
cp assets/emoji/README.md "$out/licenses/emoji/"
for set in twemoji openmoji; do
  mkdir -p "$out/licenses/emoji/$set"
  find "assets/emoji/$set" -maxdepth 1 -type f ! -name '*.svg' -exec cp {} "$out/licenses/emoji/$set/" \;
done

echo "release in $out"
