#!/usr/bin/env bash
# A small make project (a shared library, a static archive and two programs)
# built with CC='gcc -B <wrapper-dir>/': every final link is stamped and
# recorded, the archive's objects are not, a rebuild stamps anew.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root
mkdir "$T/proj"
cd "$T/proj"
cat > util.c <<'C'
int util_add(int a, int b) { return a + b; }
C
cat > core.c <<'C'
int core_mul(int a, int b) { return a * b; }
C
cat > app.c <<'C'
#include <stdio.h>
int util_add(int, int);
int core_mul(int, int);
int main(void) { printf("%d\n", util_add(core_mul(6, 7), 0)); return 0; }
C
cat > tool.c <<'C'
#include <stdio.h>
int core_mul(int, int);
int main(void) { printf("%d\n", core_mul(3, 3)); return 0; }
C
cat > Makefile <<'M'
CFLAGS ?= -O2
all: app tool
libutil.so: util.c
	$(CC) $(CFLAGS) -shared -fPIC -o $@ $<
libcore.a: core.o
	$(AR) rcs $@ $^
app: app.o libutil.so libcore.a
	$(CC) -o $@ app.o -L. -lutil libcore.a -Wl,-rpath,$(CURDIR)
tool: tool.o libcore.a
	$(CC) -o $@ tool.o libcore.a
clean:
	rm -f *.o *.a *.so app tool
M
make -s -j2 CC="gcc -B $WRAPDIR/" >/dev/null
[ "$(./app)" = 42 ] && [ "$(./tool)" = 9 ] || fail "programs do not run"
for f in app tool libutil.so; do
  s=$(sig $f)
  [[ $s =~ $uuid_re ]] || fail "$f not stamped"
  check_link_record "$f" "$s"
done
for f in core.o app.o libcore.a; do
  [ -z "$("$TRACK_ELF" --json $f 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["signature"] or "")' 2>/dev/null || true)" ] ||
    fail "$f carries a signature"
done
[ "$(ls "$SPOOLJOB"/link.*.json | wc -l)" = 3 ] || fail "expected 3 link records"
# The app's record lists the library it linked, with that library's signature.
python3 - "$SPOOLJOB"/link.*."$(sig app)".json "$(sig libutil.so)" <<'PY' || fail "app's record"
import json, sys
d = json.load(open(sys.argv[1]))
paths = [o["path"] for o in d["objects"]]
assert any(p.endswith("/libutil.so") for p in paths) and "libcore.a" in paths, paths
lib = [o for o in d["objects"] if o["path"].endswith("/libutil.so")][0]
assert lib["signature"] == sys.argv[2], lib
PY
old=$(sig app)
make -s clean && make -s CC="gcc -B $WRAPDIR/" >/dev/null
[ "$(sig app)" != "$old" ] || fail "a rebuild kept the old signature"
no_temp_left
echo "PASS: make project through the wrapper"
