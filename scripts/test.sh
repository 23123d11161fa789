#!/usr/bin/env bash
# Runs every test of IGE-MOJI: model and art checksums, the web app's unit
# tests, the Rust unit and API tests, the browser end-to-end journey against
# the release binary (scripts/e2e.sh; needs Debian's chromium) and the
# expression accuracy floor (bench/accuracy.sh --check). Unit and API tests
# always run on SQLite; the API tests run again on PostgreSQL and MariaDB
# when their server URLs are set:
#   IGEMOJI_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test
#   IGEMOJI_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test
# Each API test creates (and drops) its own database on that server.
# The API tests also run once with their media on S3: a SeaweedFS server from
# PyPI (scripts/s3-server.sh) started here on loopback; IGEMOJI_TEST_S3=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== committed models match models/SHA256SUMS"
(cd models && sha256sum --quiet -c SHA256SUMS)
echo "== committed emoji art matches assets/emoji/SHA256SUMS"
(cd assets/emoji && sha256sum --quiet -c SHA256SUMS)

echo "== web app unit tests (Vitest)"
[ -d web/node_modules ] || (cd web && npm ci --no-audit --no-fund --loglevel=error)
(cd web && npm test --silent)

echo "== unit and API tests on SQLite"
cargo test --locked --workspace --all-targets

for backend in POSTGRES MYSQL; do
  url_var="IGEMOJI_TEST_${backend}_URL"
  url="${!url_var:-}"
  if [ -n "$url" ]; then
    echo "== API tests on ${backend,,} ($url)"
    IGEMOJI_TEST_DATABASE_URL="$url" cargo test --locked --test api
  else
    echo "== API tests on ${backend,,}: skipped ($url_var is not set)"
  fi
done

if [ "${IGEMOJI_TEST_S3:-1}" != 0 ]; then
  echo "== API tests with media on S3 (SeaweedFS)"
  s3_dir="$(mktemp -d)"
  s3_port="${IGEMOJI_TEST_S3_PORT:-18333}"
  trap 'scripts/s3-server.sh kill "$s3_dir" || true; rm -rf "$s3_dir"' EXIT
  scripts/s3-server.sh start "$s3_dir" "$s3_port" igemoji > /dev/null
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=testtest \
    IGEMOJI_TEST_S3_URL=s3://igemoji IGEMOJI_TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port" \
    cargo test --locked --test api
  scripts/s3-server.sh kill "$s3_dir"
fi

echo "== end-to-end journey in Chromium against the release binary"
scripts/e2e.sh

echo "== expression accuracy on the labelled photos stays at its recorded floor"
bench/accuracy.sh --check --binary "${CARGO_TARGET_DIR:-$HOME/.cache/igemoji/target}/release/igemoji"
