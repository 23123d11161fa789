#!/usr/bin/env bash
# Compare IGE-MOJI's in-process face + expression engine with the Python `fer`
# library (OpenCV Haar cascade + mini-Xception), the stack the original product
# used: speed per photo (single thread), faces found against the hand-checked
# expectations of tests/fixtures/photos, expression agreement, and how often
# the two engines agree with each other on the same face.
#
#   bench/fer-compare.sh [IGEMOJI_BINARY|-] [PHOTOS...] [options]
#
#   IGEMOJI_BINARY  default ${CARGO_TARGET_DIR:-target}/release/igemoji ("-" = default);
#                   it is NOT built by this script: run `cargo build --release` first
#   PHOTOS          default tests/fixtures/photos/*.jpg *.png
#   --repeat N      timed repetitions per photo and engine after one warm-up (default 5)
#   --out FILE      raw results as JSON (default /tmp/fer-compare.json)
#   --fer-model M   keras | tflite | both (default both; see bench/README.md)
#   --fer-only      skip the igemoji binary (only fer is run and scored)
#   --timeout S     limit for one igemoji process, in seconds (default 600)
#
# The venv lives outside the repo: $VENV (default /tmp/igemoji-fer-venv). It is
# created with Python 3.11 ($PYTHON, python3.11 or ~/.pyenv/versions/3.11.7)
# and filled with the pinned packages below the first time (~3-4 min: mostly
# tensorflow-cpu); later runs reuse it. Not run by CI.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${VENV:-/tmp/igemoji-fer-venv}"

# ---- pinned versions -------------------------------------------------------
# fer is installed with --no-deps: its declared dependencies pull in
# facenet-pytorch (torch), moviepy, ffmpeg-python, pandas, matplotlib and
# opencv-contrib-python, none of which FER(mtcnn=False).detect_emotions needs.
# What fer.fer / fer.utils import at run time: cv2, numpy, tensorflow,
# pkg_resources (setuptools < 81), requests, PIL.
FER_PKG="fer==25.10.3"
PKGS=(
    "tensorflow-cpu==2.15.1"
    "numpy==1.26.4"                       # "numpy<2": TF 2.15 is built against numpy 1.x
    "opencv-python-headless==4.10.0.84"
    "Pillow==10.4.0"
    "requests==2.32.3"
    "setuptools==70.3.0"                  # provides pkg_resources, used by fer.fer
)
STAMP_TEXT="$FER_PKG ${PKGS[*]}"

find_python() {
    if [[ -n "${PYTHON:-}" ]]; then echo "$PYTHON"; return; fi
    local c
    for c in python3.11 "$HOME/.pyenv/versions/3.11.7/bin/python3" python3; do
        if command -v "$c" >/dev/null 2>&1 &&
           "$c" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null; then
            command -v "$c"; return
        fi
    done
    echo "error: no Python 3.11 found (tensorflow-cpu 2.15 needs 3.9-3.11); set PYTHON=/path/to/python3.11" >&2
    exit 1
}

if [[ ! -x "$VENV/bin/python" ]]; then
    PY="$(find_python)"
    echo "==> creating venv $VENV with $PY" >&2
    "$PY" -m venv "$VENV"
fi
VPY="$VENV/bin/python"
"$VPY" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' ||
    { echo "error: $VENV is not a Python 3.11 venv (remove it or set VENV=...)" >&2; exit 1; }

export TF_CPP_MIN_LOG_LEVEL=2 CUDA_VISIBLE_DEVICES=""
STAMP="$VENV/.igemoji-fer-compare-pins"
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$STAMP_TEXT" ]]; then
    echo "==> installing pinned packages into $VENV (first time: a few minutes)" >&2
    "$VPY" -m pip install --quiet --disable-pip-version-check "${PKGS[@]}"
    "$VPY" -m pip install --quiet --disable-pip-version-check --no-deps "$FER_PKG"
    "$VPY" - <<'PY'
import warnings
warnings.filterwarnings("ignore")
import cv2, numpy, PIL, requests, pkg_resources  # noqa: F401
from fer.fer import FER  # noqa: F401
assert numpy.__version__.startswith("1."), numpy.__version__
PY
    echo "$STAMP_TEXT" > "$STAMP"
fi

# Single-threaded runs: fer_compare.py also sets TF's intra/inter op threads,
# the TFLite interpreter's threads and cv2.setNumThreads to 1.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1
exec "$VPY" "$HERE/fer_compare.py" "$@"
