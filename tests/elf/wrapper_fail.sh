#!/usr/bin/env bash
# The wrapper never breaks a link: no spool, bad config, failing assembler,
# failing or crashing real linker, a TRACK_REAL_LD that is the wrapper itself.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root
cd "$T"
cat > hello.c <<'C'
#include <stdio.h>
int main(void) { puts("hello"); return 0; }
C
cat > undef.c <<'C'
int missing(void);
int main(void) { return missing(); }
C
W=(-B "$WRAPDIR/")
gcc -c hello.c -o hello.o
gcc -c undef.c -o undef.o

# unstamped_ok DESCRIPTION: links hello through the wrapper in the current
# environment; the link must succeed, the program run, no signature, no record.
unstamped_ok() {
  rm -f h
  gcc "${W[@]}" hello.o -o h || fail "$1: link failed"
  [ "$(./h)" = hello ] || fail "$1: program does not run"
  [ -z "$(sig h)" ] || fail "$1: output is stamped"
  no_temp_left
}

note "spool root missing"
printf 'spool_dir = %s\n' "$T/nonexistent" > bad1.conf
TRACK_CONFIG=$T/bad1.conf unstamped_ok "missing spool"
note "spool root not sticky"
mkdir -m 0777 loose; chmod 0777 loose
printf 'spool_dir = %s\n' "$T/loose" > bad2.conf
TRACK_CONFIG=$T/bad2.conf unstamped_ok "non-sticky spool"
[ -z "$(ls loose)" ] || fail "wrote into a non-sticky spool root"
note "user directory not writable (owned by someone else)"
mkdir -m 1777 sp3; chmod 1777 sp3; mkdir -m 0700 "sp3/$(id -u)"; chown 65534 "sp3/$(id -u)"
printf 'spool_dir = %s\n' "$T/sp3" > bad3.conf
TRACK_CONFIG=$T/bad3.conf unstamped_ok "foreign user dir"
note "config file unreadable (a directory)"
TRACK_CONFIG=$T unstamped_ok "config is a directory"
note "assembler fails"
TRACK_AS=/bin/false unstamped_ok "assembler fails"
TRACK_AS=$T/nonexistent-as unstamped_ok "assembler missing"
note "TRACK_DISABLE=1"
TRACK_DISABLE=1 unstamped_ok "disabled"
[ -z "$(find "$T/spool" -type f)" ] || fail "records written although every attempt failed"

note "a failing link keeps the real linker's exit status and output"
set +e
gcc hello.o undef.o -o u1 2> plain.err; plain=$?
gcc "${W[@]}" hello.o undef.o -o u2 2> wrapped.err; wrapped=$?
ld --no-such-option 2>/dev/null; plain_ld=$?
"$WRAPDIR/ld" --no-such-option 2>/dev/null; wrapped_ld=$?
set -e
[ "$plain" -ne 0 ] && [ "$plain" = "$wrapped" ] || fail "exit status $wrapped, plain gcc $plain"
[ "$plain_ld" = "$wrapped_ld" ] || fail "ld exit status $wrapped_ld, plain $plain_ld"
grep -q 'undefined reference to `missing' wrapped.err || fail "linker message lost: $(cat wrapped.err)"
[ -z "$(find "$T/spool" -type f)" ] || fail "a failed link left a record"
no_temp_left

note "the real linker's exit status passes through (TRACK_REAL_LD)"
printf '#!/bin/sh\nexit 3\n' > ld3; chmod +x ld3
set +e
TRACK_REAL_LD=$T/ld3 gcc "${W[@]}" hello.o -o x3 2>/dev/null; st=$?
TRACK_REAL_LD=$T/ld3 "$WRAPDIR/ld" -o x3 hello.o; st2=$?
set -e
[ "$st2" = 3 ] || fail "wrapper exit $st2, real linker exit 3"
[ "$st" -ne 0 ] || fail "gcc succeeded although the linker failed"
no_temp_left

note "a linker killed by a signal kills the wrapper with the same signal"
printf '#!/bin/sh\nkill -SEGV $$\n' > ldsegv; chmod +x ldsegv
set +e
TRACK_REAL_LD=$T/ldsegv "$WRAPDIR/ld" -o xs hello.o 2>/dev/null; st=$?
set -e
[ "$st" = $((128 + 11)) ] || fail "wrapper exit $st, expected 139 (SIGSEGV)"
no_temp_left

note "TRACK_REAL_LD naming the wrapper (or a symlink to it) does not recurse"
ln -s "$WRAPDIR/ld" selfld
for self in "$WRAPDIR/ld" "$T/selfld"; do
  rm -f h
  TRACK_REAL_LD=$self timeout 60 gcc "${W[@]}" hello.o -o h || fail "link with TRACK_REAL_LD=$self"
  [ "$(./h)" = hello ] && [ -n "$(sig h)" ] || fail "TRACK_REAL_LD=$self: not linked/stamped"
done
note "a TRACK_REAL_LD script that calls the wrapper again does not loop"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$WRAPDIR/ld" > loopld; chmod +x loopld
rm -f h
TRACK_REAL_LD=$T/loopld timeout 60 gcc "${W[@]}" hello.o -o h || fail "link through a looping TRACK_REAL_LD"
[ "$(./h)" = hello ] || fail "loop: program does not run"
n=$(readelf -nW h | grep -c '^  track ' || true)
[ "$n" = 1 ] || fail "loop: $n track notes, expected 1"
no_temp_left

note "a signal to the wrapper during the link is passed on, temp files removed"
printf '#!/bin/sh\nexec sleep 30\n' > ldslow; chmod +x ldslow
TRACK_REAL_LD=$T/ldslow "$WRAPDIR/ld" -o xs hello.o &
wpid=$!
for _ in $(seq 50); do
  [ -n "$(find "$TMPDIR" -name 'track-*')" ] && break
  sleep 0.1
done
[ -n "$(find "$TMPDIR" -name 'track-*')" ] || fail "wrapper made no temp dir while linking"
kill -TERM "$wpid"
set +e
wait "$wpid"; st=$?
set -e
[ "$st" = $((128 + 15)) ] || fail "wrapper exit $st after SIGTERM, expected 143"
no_temp_left
echo "PASS: wrapper failure modes"
