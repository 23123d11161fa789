#!/usr/bin/env bash
# Peak RSS of `igemoji analyze` on a 12-megapixel JPEG (4000x3000, made from
# a fixture group photo), plus its wall time. Usage: bench/analysis-memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${CARGO_TARGET_DIR:-target}/release/igemoji")
[ -x "$binary" ] || { echo "build first: cargo build --release" >&2; exit 2; }

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
venv="${VENV:-/tmp/igemoji-pillow-venv}"
[ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q "Pillow==10.4.0"; }
"$venv/bin/python" - "$work/12mp.jpg" <<'PY'
import sys
from PIL import Image
Image.open("tests/fixtures/photos/faceapi_sample5.jpg").convert("RGB") \
    .resize((4000, 3000), Image.BILINEAR).save(sys.argv[1], quality=90)
PY
echo "photo: $(du -h "$work/12mp.jpg" | cut -f1) 4000x3000"
/usr/bin/time -f "peak RSS %M KiB, wall %e s" "$binary" analyze "$work/12mp.jpg"
