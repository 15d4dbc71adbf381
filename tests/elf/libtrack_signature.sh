#!/usr/bin/env bash
# End to end: a program and a shared library linked through the wrapper
# (gcc and clang) carry their signatures into libtrack's start and end
# records (exe.signature, objects[].signature), the same ones track-elf and
# the link records show. Needs LIBTRACK (path of libtrack.so).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root
[ -f "$LIBTRACK" ] || fail "LIBTRACK=$LIBTRACK is not built"
cd "$T"
cat > libw.c <<'C'
int w_twice(int x) { return 2 * x; }
C
cat > mainw.c <<'C'
#include <stdio.h>
int w_twice(int);
int main(void) { printf("%d\n", w_twice(21)); return 0; }
C
for CC in gcc clang; do
  note "$CC: stamped program + stamped library under libtrack"
  rm -rf "$T/spool"/* out-$CC
  mkdir out-$CC
  $CC -B "$WRAPDIR/" -shared -fPIC libw.c -o out-$CC/libw.so
  $CC -B "$WRAPDIR/" mainw.c -o out-$CC/mainw -Lout-$CC -lw -Wl,-rpath,"$T/out-$CC"
  s_exe=$(sig out-$CC/mainw); s_lib=$(sig out-$CC/libw.so)
  [[ $s_exe =~ $uuid_re && $s_lib =~ $uuid_re ]] || fail "$CC: outputs not stamped"
  check_link_record out-$CC/mainw "$s_exe"
  check_link_record out-$CC/libw.so "$s_lib"
  out=$(env LD_PRELOAD="${PRELOAD_PREFIX:+$PRELOAD_PREFIX:}$LIBTRACK" ASAN_OPTIONS=detect_leaks=0 \
        "$T/out-$CC/mainw")
  [ "$out" = 42 ] || fail "$CC: program output '$out'"
  python3 - "$SPOOLJOB" "$T/out-$CC" "$s_exe" "$s_lib" "$(bid out-$CC/mainw)" "$(bid out-$CC/libw.so)" <<'PY' ||
import glob, json, os, sys
spool, outdir, s_exe, s_lib, b_exe, b_lib = sys.argv[1:]
recs = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(spool, "run.*.json")))]
mine = [r for r in recs if r["exe"]["path"] == os.path.join(outdir, "mainw")]
kinds = sorted(r["kind"] for r in mine)
assert kinds == ["end", "start"], "records for mainw: %s (all: %s)" % (kinds, [r["exe"]["path"] for r in recs])
for r in mine:
    assert r["exe"]["signature"] == s_exe, (r["kind"], r["exe"])
    assert r["exe"]["build_id"] == b_exe, (r["kind"], r["exe"])
    libs = [o for o in r["objects"] if o["path"].endswith("/libw.so")]
    assert len(libs) == 1, (r["kind"], r["objects"])
    assert libs[0]["signature"] == s_lib and libs[0]["build_id"] == b_lib, libs
    others = [o for o in r["objects"] if not o["path"].endswith("/libw.so")]
    assert all(o["signature"] == "" for o in others), others
print("ok", s_exe, s_lib)
PY
    fail "$CC: signatures not in libtrack's records"
done
echo "PASS: signatures round-trip through libtrack records"
