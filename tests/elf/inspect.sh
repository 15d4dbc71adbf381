#!/usr/bin/env bash
# track-stamp and track-elf on real files: a hand-stamped link, stripped files
# (also with no section headers at all), static and shared files, JSON output,
# hostile bytes, and truncated or corrupted files (one clear line, no crash).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$T"
cat > hello.c <<'C'
#include <stdio.h>
int main(void) { puts("hello"); return 0; }
C

note "track-stamp: object, UUID, manual link"
u=$("$TRACK_STAMP" -o stamp.o)
[[ $u =~ $uuid_re ]] || fail "track-stamp printed '$u'"
readelf -SW stamp.o | grep -E '\.note\.track\.signature +NOTE .* A ' >/dev/null ||
  fail "stamp.o: no allocatable SHT_NOTE .note.track.signature"
readelf -SW stamp.o | grep -q '\.note\.GNU-stack' || fail "stamp.o: no .note.GNU-stack"
[ "$(sig stamp.o)" = "$u" ] || fail "track-elf stamp.o: '$(sig stamp.o)', expected $u"
gcc hello.c stamp.o -o hello -Wl,--build-id
[ "$(./hello)" = hello ] || fail "hand-stamped hello does not run"
[ "$(sig hello)" = "$u" ] || fail "hello: signature '$(sig hello)', expected $u"
readelf -lW hello | grep -q 'GNU_STACK.* RW ' || fail "stamped hello asks for an executable stack"
u2=$("$TRACK_STAMP" -o stamp2.o)
[ "$u2" != "$u" ] || fail "two stamps share a UUID"
"$TRACK_STAMP" -o stamp3.o --uuid 01234567-89ab-cdef-0123-456789abcdef >/dev/null
[ "$(sig stamp3.o)" = 01234567-89ab-cdef-0123-456789abcdef ] || fail "--uuid not used"

note "track-stamp: a link record per stamp, accepted by the readers' parser"
for x in "$u" "$u2" 01234567-89ab-cdef-0123-456789abcdef; do
  rec=$(ls "$SPOOLJOB"/link.*."$x".json 2>/dev/null) || fail "no link record for stamp $x"
  grep -q '"output":"stamp' "$rec" || fail "$rec: does not name the stamp object"
  "$REC_CHECK" "$rec" || fail "$rec: rejected by rec_parse"
done
before=$(ls "$SPOOLJOB" | wc -l)
u4=$("$TRACK_STAMP" -o stamp4.o --no-record)
[ "$(ls "$SPOOLJOB" | wc -l)" = "$before" ] || fail "--no-record wrote a link record"
[ "$(sig stamp4.o)" = "$u4" ] || fail "--no-record: stamp4.o signature"
no_temp_left
[ "$(ls "$TMPDIR" | wc -l)" = 0 ] || fail "TMPDIR not empty: $(ls "$TMPDIR")"

note "track-stamp: errors and usage"
set +e
"$TRACK_STAMP" >/dev/null 2>err; st=$?
[ "$st" = 2 ] || fail "no -o: exit $st, expected 2"
"$TRACK_STAMP" -o x.o --uuid NOT-A-UUID >/dev/null 2>err; st=$?
[ "$st" = 2 ] || fail "bad --uuid: exit $st"
TRACK_AS=/bin/false "$TRACK_STAMP" -o bad.o >out 2>err; st=$?
set -e
[ "$st" = 1 ] && [ ! -s out ] && [ "$(wc -l < err)" = 1 ] && grep -q 'bad.o' err ||
  fail "failing assembler: exit $st, stderr '$(cat err)'"
[ ! -e bad.o ] || fail "failed stamp left bad.o"
"$TRACK_STAMP" --help | grep -q 'Exit status' || fail "track-stamp --help"
"$TRACK_ELF" --help | grep -q 'Exit status' || fail "track-elf --help"

note "track-elf: stripped, no section headers, static, static-pie"
base=$(bid hello)
[ -n "$base" ] || fail "hello has no build-id"
strip --strip-all -o hello.stripped hello
python3 - hello hello.noshdr <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[0x28:0x30] = bytes(8)        # e_shoff
b[0x3c:0x40] = bytes(4)        # e_shnum, e_shstrndx
open(sys.argv[2], "wb").write(b)
PY
chmod +x hello.noshdr
[ "$(./hello.noshdr)" = hello ] || fail "hello.noshdr does not run"
for f in hello.stripped hello.noshdr; do
  [ "$(sig $f)" = "$u" ] || fail "$f: signature lost"
  [ "$(bid $f)" = "$base" ] || fail "$f: build-id lost"
  "$TRACK_ELF" --json $f | python3 -c '
import json, sys; d = json.load(sys.stdin)[0]
assert d["needed"] == ["libc.so.6"] and d["interpreter"] and d["static"] is False, d' ||
    fail "$f: needed/interpreter"
done
gcc -static hello.c stamp.o -o hello.static
"$TRACK_ELF" --json hello.static | python3 -c '
import json, sys; d = json.load(sys.stdin)[0]
assert d["static"] is True and d["type"] == "executable" and d["needed"] == [], d' ||
  fail "static executable misreported"
if gcc -static-pie hello.c -o hello.spie 2>/dev/null && ./hello.spie >/dev/null; then
  "$TRACK_ELF" --json hello.spie | python3 -c '
import json, sys; d = json.load(sys.stdin)[0]
assert d["static"] is True and d["type"] == "static-pie-executable", d' ||
    fail "static-pie executable misreported"
fi

note "track-elf: text and JSON output, hostile bytes in strings"
gcc -shared -fPIC -x c /dev/null -o libodd.so -Wl,-soname,libodd.so \
  -Wl,-rpath,"$(printf '/opt/\377\033[31m/lib')" -Wl,--disable-new-dtags
"$TRACK_ELF" libodd.so > odd.txt
grep -q 'rpath: *\/opt\/\\xff\\x1b\[31m\/lib' odd.txt || fail "raw bytes not escaped in text: $(grep rpath odd.txt)"
"$TRACK_ELF" --json hello libodd.so stamp.o /bin/sh > all.json
python3 -m json.tool all.json >/dev/null || fail "--json output is not valid JSON"
python3 - all.json <<'PY' || fail "--json content"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 4
assert d[1]["rpath"] == "/opt/\udcff\x1b[31m/lib", repr(d[1]["rpath"])
assert d[1]["runpath"] is None and d[1]["type"] == "shared-library"
assert d[2]["type"] == "relocatable" and d[2]["signature"]
PY
"$TRACK_ELF" --json > empty.json 2>/dev/null && fail "no FILE accepted" || true

note "track-elf: broken files get one line naming them, exit 1, never a crash"
mkdir bad
python3 "$(dirname "$0")/corrupt.py" hello bad > variants
mkfifo bad/fifo
echo "error bad/fifo" >> variants
echo "error $T/bad" >> variants
echo "error /dev/null" >> variants
echo "error $T/does-not-exist" >> variants
n=0
while read -r expect f; do
  set +e
  timeout 20 "$TRACK_ELF" "$f" > out 2> err; st=$?
  timeout 20 "$TRACK_ELF" --json "$f" > jout 2> jerr; jst=$?
  set -e
  n=$((n + 1))
  [ "$st" -le 1 ] && [ "$jst" -le 1 ] || fail "$f: exit $st/$jst (crash or hang)"
  [ "$st" = "$jst" ] || fail "$f: text exit $st, json exit $jst"
  python3 -m json.tool jout >/dev/null || fail "$f: --json output invalid even on error"
  if [ "$st" = 1 ]; then
    [ "$(wc -l < err)" = 1 ] || fail "$f: error is not one line: $(cat err)"
    grep -qF "track-elf: error: $f: " err || fail "$f: error does not name the file: $(cat err)"
  else
    [ "$expect" = any ] || fail "$f: accepted, expected an error; output: $(cat out)"
  fi
done < variants
[ "$n" -gt 60 ] || fail "only $n variants"
set +e
"$TRACK_ELF" hello bad/empty hello.stripped > mixed 2> mixerr; st=$?
set -e
[ "$st" = 1 ] && [ "$(grep -c '^  signature' mixed)" = 2 ] || fail "one bad file among good ones: exit $st"
echo "PASS: track-stamp and track-elf ($n broken variants)"
