#!/usr/bin/env bash
# Memory of the release server at rest, a few seconds after it answers
# /healthz: its resident set (anonymous and file-backed), and how much of the
# binary sits in the page cache. A container's memory counts the page cache
# its processes read, so "anonymous + binary in page cache" is the figure a
# memory limit sees; `ps` shows only the resident set.
# Usage: bench/idle-memory.sh   (SKIP_BUILD=1 to use the built binary,
# IGEMOJI_BINARY=path to measure another one)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_init
if [ -n "${IGEMOJI_BINARY:-}" ]; then binary=$IGEMOJI_BINARY; else bench_binary; fi

# Start from a cold binary, so the page cache holds only what this run reads
# (written pages must reach the disk before they can be dropped).
sync "$binary"
python3 - "$binary" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
os.close(fd)
PY

bench_start "$work/data"
sleep "${SETTLE_SECONDS:-5}"
kib() { awk -v key="$1:" '$1 == key {print $2}' "/proc/$pid/status"; }
rss=$(kib VmRSS); anonymous=$(kib RssAnon); file=$(kib RssFile)
cached=$(fincore --bytes --noheadings --output RES "$binary" | awk '{print int($1 / 1024)}')
mib() { awk -v kib="$1" 'BEGIN {printf "%.1f MiB", kib / 1024}'; }
echo "binary: $(du -h "$binary" | cut -f1)"
echo "resident set: $(mib "$rss") (anonymous $(mib "$anonymous"), file-backed $(mib "$file"))"
echo "binary in the page cache: $(mib "$cached")"
echo "anonymous + binary in the page cache: $(mib $((anonymous + cached)))"
