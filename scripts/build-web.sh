#!/usr/bin/env bash
# Rebuilds the web app (web/ → static/). With --check, fails when the result
# differs from the committed static/ (CI uses this; the build is deterministic).
set -euo pipefail
cd "$(dirname "$0")/.."

(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)

if [ "${1:-}" = "--check" ]; then
  if ! git diff --quiet -- static || [ -n "$(git ls-files --others --exclude-standard -- static)" ]; then
    echo "static/ is out of date: run scripts/build-web.sh and commit static/" >&2
    git status --short -- static >&2
    exit 1
  fi
  echo "static/ matches web/"
fi
