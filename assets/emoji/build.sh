#!/usr/bin/env bash
# Rebuild the built-in emoji art in assets/emoji/ from pinned npm packages.
#
#   bash assets/emoji/build.sh          # (re)write twemoji/, openmoji/, SHA256SUMS
#   bash assets/emoji/build.sh --check  # rebuild in a temp dir, compare, exit 1 on difference
#
# Needs: bash, npm (registry access), tar, sha256sum, diff.
# Files are copied verbatim from the package tarballs, so the output is
# byte-for-byte deterministic. The tarballs themselves are pinned by sha256.
set -euo pipefail
export LC_ALL=C

TWEMOJI_PKG="@twemoji/svg@15.0.0"
TWEMOJI_TGZ_SHA256="1d2907557a422c7c4e3feca50ef915c39da1db3d76b4a4d7e73fb59bce4403c3"
OPENMOJI_PKG="openmoji@17.0.0"
OPENMOJI_TGZ_SHA256="55ee7d13485dec86e9f38c1f3a645a13382d33ff97c0cd845ee824b0aef45e68"

# expression -> codepoint (lower-case hex); keep sorted by expression.
EXPRESSIONS=(angry disgust fear happy neutral sad surprise)
declare -A CODEPOINT=(
    [angry]=1f620
    [disgust]=1f922
    [fear]=1f628
    [happy]=1f604
    [neutral]=1f610
    [sad]=1f622
    [surprise]=1f62e
)

EMOJI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Everything this script owns inside EMOJI_DIR (README.md and build.sh are hand-written).
MANAGED=(twemoji openmoji SHA256SUMS)

usage() {
    echo "usage: $0 [--check]" >&2
    exit 2
}

MODE=build
case "${1:-}" in
    "") ;;
    --check) MODE=check ;;
    -h|--help) usage ;;
    *) usage ;;
esac
[ "$#" -le 1 ] || usage

for tool in npm tar sha256sum diff; do
    command -v "$tool" >/dev/null || { echo "error: '$tool' not found in PATH" >&2; exit 2; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ige-moji-emoji.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# fetch PKG EXPECTED_SHA256 -> prints path of the downloaded tarball
fetch() {
    local pkg="$1" want="$2" dl="$WORK/dl" tgz got
    mkdir -p "$dl"
    # --pack-destination keeps npm from writing anywhere but the temp dir.
    tgz="$(cd "$dl" && npm pack --silent --pack-destination "$dl" "$pkg" | tail -n 1)"
    tgz="$dl/$tgz"
    [ -f "$tgz" ] || { echo "error: npm pack $pkg produced no tarball" >&2; exit 1; }
    got="$(sha256sum "$tgz" | cut -d' ' -f1)"
    if [ "$got" != "$want" ]; then
        echo "error: $pkg tarball sha256 $got, expected $want" >&2
        exit 1
    fi
    printf '%s\n' "$tgz"
}

# extract TGZ DEST MEMBER... (members are paths inside the tarball)
extract() {
    local tgz="$1" dest="$2"
    shift 2
    mkdir -p "$dest"
    tar -xzf "$tgz" -C "$dest" "$@"
}

# build OUT: write the managed files into directory OUT
build() {
    local out="$1" tgz x e cp_lc cp_uc members
    mkdir -p "$out/twemoji" "$out/openmoji"

    # --- Twemoji (jdecked/twemoji graphics, repackaged by @twemoji/svg) ---
    tgz="$(fetch "$TWEMOJI_PKG" "$TWEMOJI_TGZ_SHA256")"
    x="$WORK/x-twemoji"
    members=(package/license)
    for e in "${EXPRESSIONS[@]}"; do members+=("package/${CODEPOINT[$e]}.svg"); done
    extract "$tgz" "$x" "${members[@]}"
    for e in "${EXPRESSIONS[@]}"; do
        cp "$x/package/${CODEPOINT[$e]}.svg" "$out/twemoji/$e.svg"
    done
    # The npm package's own licence file (MIT, from the packager), kept verbatim.
    cp "$x/package/license" "$out/twemoji/LICENSE-npm-package-MIT"
    # The package ships no CC licence text for the graphics, so write a note.
    cat >"$out/twemoji/LICENSE" <<EOF
Twemoji graphics
================

The SVG files in this directory are Twemoji graphics, copied verbatim from
the npm package ${TWEMOJI_PKG} (files package/<codepoint>.svg), which
redistributes the Twemoji artwork maintained at https://github.com/jdecked/twemoji
(originally https://github.com/twitter/twemoji).

Copyright Twitter, Inc and other contributors.
Graphics licensed under CC-BY 4.0: https://creativecommons.org/licenses/by/4.0/

Required attribution:
  Emoji graphics: Twemoji by Twitter, Inc and other contributors, licensed CC-BY 4.0

The files have been renamed (<codepoint>.svg -> <expression>.svg) but not
otherwise modified.

The npm package declares "license": "MIT" and ships only an MIT licence file
(Copyright (c) 2023 Samuel Kopp, the packager); it is kept verbatim alongside
as LICENSE-npm-package-MIT. The upstream Twemoji project licenses its
graphics under CC-BY 4.0, and that is the licence these files are used under.
EOF

    # --- OpenMoji ---
    tgz="$(fetch "$OPENMOJI_PKG" "$OPENMOJI_TGZ_SHA256")"
    x="$WORK/x-openmoji"
    members=(package/LICENSE.txt)
    for e in "${EXPRESSIONS[@]}"; do
        cp_uc="$(printf '%s' "${CODEPOINT[$e]}" | tr 'a-f' 'A-F')"
        members+=("package/color/svg/$cp_uc.svg")
    done
    extract "$tgz" "$x" "${members[@]}"
    for e in "${EXPRESSIONS[@]}"; do
        cp_uc="$(printf '%s' "${CODEPOINT[$e]}" | tr 'a-f' 'A-F')"
        cp "$x/package/color/svg/$cp_uc.svg" "$out/openmoji/$e.svg"
    done
    # Full CC BY-SA 4.0 legal text shipped in the package.
    cp "$x/package/LICENSE.txt" "$out/openmoji/LICENSE.txt"

    # --- checksums of the 14 SVGs, paths relative to assets/emoji ---
    (
        cd "$out"
        for set in twemoji openmoji; do
            for e in "${EXPRESSIONS[@]}"; do
                sha256sum "$set/$e.svg"
            done
        done
    ) >"$out/SHA256SUMS"

    chmod 0644 "$out"/SHA256SUMS "$out"/twemoji/* "$out"/openmoji/*
    chmod 0755 "$out/twemoji" "$out/openmoji"
}

STAGE="$WORK/out"
build "$STAGE"

if [ "$MODE" = check ]; then
    status=0
    for m in "${MANAGED[@]}"; do
        if [ ! -e "$EMOJI_DIR/$m" ]; then
            echo "missing: $m" >&2
            status=1
        elif ! diff -r "$STAGE/$m" "$EMOJI_DIR/$m" >/dev/null; then
            diff -rq "$STAGE/$m" "$EMOJI_DIR/$m" >&2 || true
            status=1
        fi
    done
    if [ "$status" -ne 0 ]; then
        echo "assets/emoji is out of date: run bash assets/emoji/build.sh" >&2
        exit 1
    fi
    echo "assets/emoji is up to date"
    exit 0
fi

for m in "${MANAGED[@]}"; do
    rm -rf "${EMOJI_DIR:?}/$m"
    cp -R "$STAGE/$m" "$EMOJI_DIR/$m"
done
(cd "$EMOJI_DIR" && sha256sum --quiet -c SHA256SUMS)
echo "wrote $(wc -l <"$EMOJI_DIR/SHA256SUMS") SVGs to $EMOJI_DIR"
