#!/usr/bin/env bash
# Rebuilds the web app (web/ → static/). With --check, fails when the result
# differs from the committed static/ (CI uses this; the build is deterministic).
#
# The web app's API types (web/src/api/schema.ts) are generated first from the
# server's OpenAPI document, so they cannot drift from what the server sends;
# --check fails on a stale schema.ts too. The document is the file named by
# IGEMOJI_OPENAPI_JSON when set (e.g. one written by a binary already built),
# otherwise the server prints it (`igemoji openapi`, through cargo run).
set -euo pipefail
# Made absolute before the cd below, so a path relative to the caller works.
openapi_json="${IGEMOJI_OPENAPI_JSON:+$(realpath -e "$IGEMOJI_OPENAPI_JSON")}"
cd "$(dirname "$0")/.."

if [ -z "$openapi_json" ]; then
  openapi_json="$(mktemp)"
  trap 'rm -f "$openapi_json"' EXIT
  cargo run --quiet --locked --bin igemoji -- openapi > "$openapi_json"
fi

(cd web && npm ci --no-audit --no-fund --loglevel=error \
  && node scripts/generate-api-schema.mjs "$openapi_json" \
  && npm run build --silent)

if [ "${1:-}" = "--check" ]; then
  # Stale means modified, or untracked (new and never committed), for both.
  generated=(static web/src/api/schema.ts)
  if ! git diff --quiet -- "${generated[@]}" \
    || [ -n "$(git ls-files --others --exclude-standard -- "${generated[@]}")" ]; then
    echo "static/ or web/src/api/schema.ts is out of date: run scripts/build-web.sh and commit them" >&2
    git status --short -- "${generated[@]}" >&2
    exit 1
  fi
  echo "static/ and web/src/api/schema.ts match web/ and the server's API"
fi
