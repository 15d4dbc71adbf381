#!/bin/bash
# Leak check of a tracked program: valgrind --leak-check=full, with libtrack
# preloaded and writing into a private spool. Fails if valgrind reports any
# loss whose stack involves libtrack, or if no record was written.
#   lt_valgrind.sh LIBTRACK [PROG ARGS...]     (default PROG: /bin/ls /)
set -euo pipefail
lib=${1:?usage: lt_valgrind.sh LIBTRACK [PROG ARGS...]}
shift
[ $# -gt 0 ] || set -- /bin/ls /
command -v valgrind >/dev/null || { echo "valgrind not installed" >&2; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -m 1777 "$tmp/spool"
echo "spool_dir = $tmp/spool" > "$tmp/track.conf"
TRACK_CONFIG=$tmp/track.conf LD_PRELOAD=$lib \
  valgrind --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=definite \
           --num-callers=30 --log-file="$tmp/vg.log" "$@" > /dev/null
records=$(find "$tmp/spool" -name 'run.*.json' | wc -l)
grep -E "definitely lost|indirectly lost|possibly lost|still reachable|ERROR SUMMARY" "$tmp/vg.log" | sed 's/^==[0-9]*== //'
echo "records written: $records"
if grep -q -i "libtrack\|lt_\(init\|on_exit\|rec\|obj\)" "$tmp/vg.log"; then
  echo "FAIL: valgrind reports something involving libtrack:" >&2
  grep -n -i -B3 -A20 "libtrack" "$tmp/vg.log" >&2 | head -80
  exit 1
fi
[ "$records" -ge 1 ] || { echo "FAIL: no record written" >&2; exit 1; }
echo "ok: nothing libtrack allocated is lost"
