#!/usr/bin/env bash
# Cost of linking through the watermark wrapper, measured side by side with
# plain links in the same run: N links of a small C program (compile once,
# link many), plain `gcc` vs `gcc -B <wrapper-dir>/`, alternating; and in
# the same loop the driver's version query the wrapper makes per link for the
# record's "compiler" (docs/watermarks.md), to show its share.
# Usage: bench/elf/link_overhead.sh BUILD_DIR [N]   (root: needs a spool root)
set -euo pipefail
B=$(realpath "$1") N=${2:-50}
T=$(mktemp -d /tmp/track-elf-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -m 1777 "$T/spool"; chmod 1777 "$T/spool"
printf 'spool_dir = %s\n' "$T/spool" > "$T/conf"
export TRACK_CONFIG="$T/conf"
cd "$T"
printf '#include <stdio.h>\nint main(void){puts("x");return 0;}\n' > p.c
gcc -c p.c -o p.o
plain=0 wrapped=0 probe=0
now() { date +%s%N; }
for _ in $(seq "$N"); do
  t0=$(now); gcc p.o -o a; t1=$(now)
  gcc -B "$B/elf/wrapper-dir/" p.o -o b; t2=$(now)
  gcc -dumpfullversion -dumpversion >/dev/null; t3=$(now)
  plain=$((plain + t1 - t0)); wrapped=$((wrapped + t2 - t1)); probe=$((probe + t3 - t2))
done
[ "$(ls "$T/spool"/*/nojob | wc -l)" = "$N" ] || { echo "expected $N link records" >&2; exit 1; }
awk -v p="$plain" -v w="$wrapped" -v v="$probe" -v n="$N" 'BEGIN {
  printf "links: %d each\nplain gcc link:   %.2f ms\nthrough wrapper:  %.2f ms\nratio wrapped/plain: %.2f\n",
         n, p / n / 1e6, w / n / 1e6, w / p
  printf "version query (gcc -dumpfullversion -dumpversion): %.2f ms = %.0f%% of the wrapped link\n",
         v / n / 1e6, 100 * v / w }'
