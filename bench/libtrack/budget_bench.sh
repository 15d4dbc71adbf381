#!/bin/bash
# The bounded spool (job_max_records), two figures for docs/performance.md
# "Budget":
#  1. per-process cost of a run past the budget (tallied) against a run
#     that writes its start and end records, side by side: lt_bench in
#     alternating rounds, each with its untracked and empty-preload baseline;
#  2. spool bytes of one job against the number of runs, with a budget of
#     BUDGET runs: apparent size and tmpfs memory (allocated blocks).
#   bench/libtrack/budget_bench.sh BUILD_DIR [ROUNDS] [SPAWNS]
# (BUDGET, default 1000, and SIZES, the run counts of part 2, from the environment)
set -euo pipefail
B=${1:?usage: budget_bench.sh BUILD_DIR [ROUNDS] [SPAWNS]}
ROUNDS=${2:-6} N=${3:-300} BUDGET=${BUDGET:-1000}
LIB=$B/libtrack/libtrack.so EMPTY=$B/bench/libtrack/lt_empty.so LTB=$B/bench/libtrack/lt_bench
T=$(mktemp -d /dev/shm/bb.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -m 1777 "$T/spool"; chmod 1777 "$T/spool"
printf 'spool_dir = %s/spool\njob_max_records = 0\n' "$T" > "$T/rec.conf"
printf 'spool_dir = %s/spool\njob_max_records = 1\n' "$T" > "$T/tally.conf"

cost() {  # CONF JOB: CPU per process of libtrack minus the empty preload's, and wall median
    "$LTB" -n "$N" -c "$1" -e "SLURM_JOB_ID=$2" "$LIB" "$EMPTY" /bin/true |
        awk '/CPU per process/ { gsub(",", ""); e = $8; l = $11 }
             /^  libtrack  *median/ { m = $3 } END { printf "%.1f %.1f\n", l - e, m }'
}
# CPU time of the children (wait4): far less disturbed by other load than
# wall time, which on a shared 2-core machine is mostly waiting.
echo "1. per process, /bin/true, $N spawns per mode per round, $ROUNDS rounds: libtrack's CPU"
echo "   beyond an empty preload library (rec = start and end records, tally = past the budget)"
for r in $(seq "$ROUNDS"); do
    rm -rf "$T/spool"/*
    read -r rc rm < <(cost "$T/rec.conf" 11)
    read -r tc tm < <(cost "$T/tally.conf" 12)
    echo "  round $r: records +$rc us CPU (wall median $rm us), tallied +$tc us CPU (wall median $tm us)"
    echo "$rc $tc" >> "$T/costs"
done
sort -n -k1 "$T/costs" | awk '{ a[NR] = $1 } END { printf "  median: records +%.1f us CPU", a[int((NR + 1) / 2)] }'
sort -n -k2 "$T/costs" | awk '{ a[NR] = $2 } END { printf ", tallied +%.1f us CPU\n", a[int((NR + 1) / 2)] }'

echo "2. spool of one job, budget $BUDGET runs: runs, files, apparent bytes, tmpfs bytes"
printf 'spool_dir = %s/spool\njob_max_records = %s\n' "$T" "$BUDGET" > "$T/b.conf"
done_=0
for n in ${SIZES-100 1000 2000 5000 10000}; do
    rm -rf "$T/spool"/*; done_=0
    TRACK_CONFIG=$T/b.conf SLURM_JOB_ID=99 LD_PRELOAD=$LIB \
        bash -c "for ((i = 0; i < $n; i++)); do /bin/true; done"
    d=$T/spool/0/99
    printf '  %6d runs: %5d files, %10d bytes apparent, %10d bytes of tmpfs\n' "$n" \
        "$(ls "$d" | wc -l)" "$(du -sb --apparent-size "$d" | cut -f1)" "$(du -sB1 "$d" | cut -f1)"
done
