#!/usr/bin/env bash
# Runs every test of IGE-MOJI. Unit and API tests always run on SQLite; the
# API tests run again on PostgreSQL and MariaDB when their server URLs are set:
#   IGEMOJI_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test
#   IGEMOJI_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test
# Each API test creates (and drops) its own database on that server.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== unit and API tests on SQLite"
cargo test --locked --all-targets

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
