#!/bin/bash
# Every man page renders with man -l (no groff warnings, a NAME section), and
# lists exactly the long options its command's --help lists (so a new option
# needs its man entry, and a removed one takes it along). track.conf(5) lists
# exactly the keys of docs/config.md.
#
#   man_test.sh MANDIR SRC CMD=PAGE...   (PAGE relative to MANDIR, e.g.
#                                         /path/track-ingest=track-ingest.1)
set -euo pipefail
fail() { echo "FAIL [man]: $*" >&2; exit 1; }
command -v man >/dev/null || { echo "SKIP [man]: no man (apt-get install man-db)" >&2; exit 77; }
mandir=$1 src=$2; shift 2
T=$(mktemp -d /tmp/tm.XXXXXX)
trap 'rm -rf "$T"' EXIT

render() { # page -> text on stdout; warnings fail
  MANWIDTH=80 man -l --warnings "$mandir/$1" >"$T/text" 2>"$T/warn" || fail "$1: man -l failed"
  [ ! -s "$T/warn" ] || fail "$1: groff warnings: $(head -n 3 "$T/warn")"
  grep -q '^NAME' "$T/text" || fail "$1: no NAME section"
  [ "$(wc -l < "$T/text")" -gt 15 ] || fail "$1: suspiciously short"
}

pages=0
for pair in "$@"; do
  cmd=${pair%%=*} page=${pair#*=}
  render "$page"
  # Options: every --long-option the help names, against every option entry
  # of the man source (lines that start with *--x* or *-x*, *--x*).
  "$cmd" --help 2>&1 | grep -o -- '--[a-z][a-z0-9-]*' | sort -u > "$T/help"
  grep -E '^\*-' "$mandir/$page.scd" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u > "$T/man"
  if ! diff "$T/help" "$T/man" > "$T/diff"; then
    fail "$page and $(basename "$cmd") --help differ in options (< only in --help, > only in the page): $(tr '\n' ' ' < "$T/diff")"
  fi
  echo "ok: $page renders, $(wc -l < "$T/man") options as in --help"
  pages=$((pages + 1))
done

render track.conf.5
sed -n 's/^| `\([a-z_]*\)` |.*/\1/p' "$src/docs/config.md" | sort > "$T/keys"
sed -n 's/^\*\([a-z_]*\)\*$/\1/p' "$mandir/track.conf.5.scd" | sort > "$T/mankeys"
diff "$T/keys" "$T/mankeys" > "$T/diff" || fail "track.conf.5 and docs/config.md differ in keys: $(tr '\n' ' ' < "$T/diff")"
echo "ok: track.conf.5 renders, $(wc -l < "$T/keys") keys as in docs/config.md"
# Every page built is tested: a new page needs its command here.
n=$(find "$mandir" -maxdepth 1 -name '*.[0-9]' | wc -l)
[ "$n" = $((pages + 1)) ] || fail "$n pages built, $((pages + 1)) tested"
echo "man: all checks passed"
