#!/usr/bin/env bash
# How often the expression read on a face agrees with people's labels, on the
# labelled photos of tests/fixtures/expressions/labels.json: per class, the
# 7x7 confusion matrix, and the faces found against the faces expected.
#
#   bench/accuracy.sh [--model faceapi|fer|both] [--binary PATH] [--check] [--record]
#
#   --model    which classifier (analysis.expression_model); default both
#   --binary   the igemoji binary (default: the release build, built if missing)
#   --check    fail when a model agrees on fewer faces, or finds fewer, than
#              recorded in bench/accuracy-floor.json (the test command runs this)
#   --record   write this run's figures to bench/accuracy-floor.json
set -euo pipefail
cd "$(dirname "$0")/.."

models=(faceapi fer)
binary=
floor_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --model) [ "$2" = both ] || models=("$2"); shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    --check) floor_args=(--floor bench/accuracy-floor.json); shift ;;
    --record) floor_args=(--record bench/accuracy-floor.json); shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

if [ -z "$binary" ]; then
  binary="${CARGO_TARGET_DIR:-$HOME/.cache/igemoji/target}/release/igemoji"
  [ -x "$binary" ] || cargo build --release --locked --quiet
fi

labels=tests/fixtures/expressions/labels.json
mapfile -t photos < <(python3 -c '
import json, sys
for rel in sorted(json.load(open(sys.argv[1]))["photos"]):
    print("tests/fixtures/" + rel)
' "$labels")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for model in "${models[@]}"; do
  IGEMOJI__ANALYSIS__EXPRESSION_MODEL=$model "$binary" analyze --json "${photos[@]}" \
    > "$work/$model.json"
  python3 bench/accuracy.py "$labels" "$work/$model.json" --model "$model" "${floor_args[@]}"
  echo
done
