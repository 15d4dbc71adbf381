#!/usr/bin/env bash
# Links real programs and shared libraries through the wrapper with one
# compiler (argument: gcc or clang): executables, -shared, -static, -r and
# -flto; every final link carries a fresh signature and leaves a link record,
# -r gets none, nothing is left in TMPDIR.
set -euo pipefail
CC=$1
. "$(dirname "$0")/lib.sh"
need_root
cd "$T"
cat > hello.c <<'C'
#include <stdio.h>
int main(void) { puts("hello"); return 0; }
C
cat > foo.c <<'C'
int foo(int x) { return x * 2; }
C
cat > usefoo.c <<'C'
#include <stdio.h>
int foo(int);
int main(void) { printf("%d\n", foo(21)); return 0; }
C
cat > a.c <<'C'
int a(void) { return 1; }
C
W=(-B "$WRAPDIR/")
nrec=0

note "$CC: executable"
$CC "${W[@]}" hello.c -o hello
[ "$(./hello)" = hello ] || fail "hello does not run"
s_hello=$(sig hello)
[[ $s_hello =~ $uuid_re ]] || fail "hello: no signature ('$s_hello')"
check_link_record hello "$s_hello"; nrec=$((nrec + 1))

note "$CC: the same link again gets a new signature"
$CC "${W[@]}" hello.c -o hello2
s_hello2=$(sig hello2)
[[ $s_hello2 =~ $uuid_re ]] && [ "$s_hello2" != "$s_hello" ] || fail "second link: '$s_hello2' vs '$s_hello'"
nrec=$((nrec + 1))

note "$CC: shared library and a program using it (runpath)"
$CC "${W[@]}" -shared -fPIC foo.c -o libfoo.so -Wl,-soname,libfoo.so
s_lib=$(sig libfoo.so)
[[ $s_lib =~ $uuid_re ]] || fail "libfoo.so: no signature"
check_link_record libfoo.so "$s_lib"; nrec=$((nrec + 1))
$CC "${W[@]}" usefoo.c -o usefoo -L. -lfoo -Wl,--enable-new-dtags,-rpath,"$T"
[ "$(./usefoo)" = 42 ] || fail "usefoo does not run"
s_use=$(sig usefoo)
[[ $s_use =~ $uuid_re ]] && [ "$s_use" != "$s_lib" ] || fail "usefoo: signature '$s_use'"
check_link_record usefoo "$s_use"; nrec=$((nrec + 1))
"$TRACK_ELF" --json usefoo libfoo.so | python3 -c '
import json, sys
u, l = json.load(sys.stdin)
assert u["needed"][0] == "libfoo.so", u["needed"]
assert u["runpath"] == sys.argv[1], u["runpath"]
assert u["static"] is False and u["interpreter"]
assert l["type"] == "shared-library" and l["soname"] == "libfoo.so", l
' "$T" || fail "track-elf output for usefoo/libfoo.so"
# The record lists -lfoo resolved through -L with the library's ids.
python3 - "$SPOOLJOB"/link.*."$s_use".json "$s_lib" <<'PY' || fail "usefoo record objects"
import json, sys
d = json.load(open(sys.argv[1]))
libs = [o for o in d["objects"] if o["path"].endswith("libfoo.so")]
assert libs and libs[0]["signature"] == sys.argv[2], d["objects"]
PY

note "$CC: -static"
$CC "${W[@]}" -static hello.c -o hello_static
[ "$(./hello_static)" = hello ] || fail "static hello does not run"
s_st=$(sig hello_static)
[[ $s_st =~ $uuid_re ]] || fail "hello_static: no signature"
"$TRACK_ELF" --json hello_static | python3 -c '
import json, sys; d = json.load(sys.stdin)[0]; assert d["static"] is True and d["interpreter"] is None, d' ||
  fail "hello_static is not reported static"
check_link_record hello_static "$s_st"; nrec=$((nrec + 1))

note "$CC: -r is not stamped; the final link of its output has one signature"
$CC -c a.c -o a.o
$CC -c foo.c -o foo.o
$CC "${W[@]}" -r a.o foo.o -o af.o
[ -z "$(sig af.o)" ] || fail "-r output carries a signature"
$CC "${W[@]}" usefoo.c af.o -o usefoo_r
[ "$(./usefoo_r)" = 42 ] || fail "usefoo_r does not run"
n=$(readelf -nW usefoo_r | grep -c '^  track ' || true)
[ "$n" = 1 ] || fail "usefoo_r has $n track notes, expected 1"
nrec=$((nrec + 1))

note "$CC: -flto"
$CC "${W[@]}" -flto -O2 hello.c -o hello_lto
[ "$(./hello_lto)" = hello ] || fail "hello_lto does not run"
s_lto=$(sig hello_lto)
[[ $s_lto =~ $uuid_re ]] || fail "hello_lto: no signature"
check_link_record hello_lto "$s_lto"; nrec=$((nrec + 1))

note "$CC: --version through the wrapper is untouched"
"$WRAPDIR/ld" --version | head -n 1 | grep -q 'GNU ld' || fail "ld --version"

got=$(ls "$SPOOLJOB"/link.*.json | wc -l)
[ "$got" = "$nrec" ] || fail "$got link records, expected $nrec"
ls -a "$SPOOLJOB" | grep -q '\.tmp$' && fail "temp record left in the spool"
no_temp_left
echo "PASS: $CC wrapper links"
