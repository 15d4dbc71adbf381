#!/usr/bin/env bash
# Builds track's Debian packages into dist/: track-common, track-node,
# track-db, track-build (docs/packaging.md), then runs lintian on them
# (errors fail the build).
#
#   scripts/package.sh                  build from the working tree into dist/
#   scripts/package.sh --out DIR        into DIR instead
#   scripts/package.sh --version V      with version V (debian/changelog's otherwise)
#   scripts/package.sh --no-lintian     skip lintian
#
# The tree (tracked and new files, not ignored ones) is copied to a private
# directory first: dpkg-buildpackage writes its results next to the source
# tree, and nothing of the build lands in the working tree.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/dist
version=
lint=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=${2:?--out needs a directory}; shift ;;
    --version) version=${2:?--version needs a version}; shift ;;
    --no-lintian) lint=0 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
# shellcheck source=lib/deps.sh
. "$top/scripts/lib/deps.sh"
track_ensure_packages

work=$(mktemp -d /tmp/track-pkg.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=$work/track
mkdir -p "$src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$top" && git ls-files -z --cached --others --exclude-standard |
     while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
     tar --null -T - -cf -) | tar -xf - -C "$src"
else   # a source tarball: everything but build and output directories
  (cd "$top" && tar --exclude='./build*' --exclude=./dist --exclude=./.git -cf - .) | tar -xf - -C "$src"
fi
if [ -n "$version" ]; then
  sed -i "1s/^track ([^)]*)/track ($version)/" "$src/debian/changelog"
fi
echo "package.sh: building track $(sed -n "1s/^track (\([^)]*\)).*/\1/p" "$src/debian/changelog")"
(cd "$src" && DEB_BUILD_OPTIONS="parallel=${TRACK_PACKAGE_JOBS:-2}" \
   dpkg-buildpackage -b -us -uc >"$work/build.log" 2>&1) || {
  tail -n 60 "$work/build.log"; echo "package.sh: dpkg-buildpackage failed" >&2; exit 1; }
mkdir -p "$out"
debs=()
for f in "$work"/*.deb; do
  cp "$f" "$out/"
  debs+=("$out/$(basename "$f")")
done
printf '%s\n' "${debs[@]}"
if [ "$lint" -eq 1 ]; then
  # Errors fail; warnings and the rest are printed for the reader.
  lintian --fail-on error --no-tag-display-limit "${debs[@]}" || {
    echo "package.sh: lintian found errors" >&2; exit 1; }
  echo "package.sh: lintian: no errors"
fi
