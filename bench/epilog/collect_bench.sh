#!/bin/bash
# collect of RECORDS (default 10000) records from a tmpfs spool to an
# archive on local disk, durability kept (syncfs + directory fsync before
# the spool files go). Side by side in the same run, on the same files and
# disk: `cp` of the job directory plus `sync -f` (one syncfs, no checks, no
# rename, no spool removal) as the floor. Target: >= 20,000 records/s.
#
#   bash bench/epilog/collect_bench.sh BUILD_DIR [RECORDS] [ARCHIVE_PARENT]
#
# ARCHIVE_PARENT (default /var/tmp) must be on a local disk, not tmpfs.
# ROUNDS=N (default 5) rounds; each round times the floor and collect on
# fresh copies of the same records; the summary gives the best and the
# median, and the spread (min..max) of the collect/cp ratio per round.
# BASELINE=/path/to/another/track-epilog also times that binary in every
# round (e.g. one built from an older commit), for an A/B in the same run.
set -euo pipefail
B=${1:?usage: collect_bench.sh BUILD_DIR [RECORDS] [ARCHIVE_PARENT]}
N=${2:-10000}
P=${3:-/var/tmp}
EP=$B/epilog/track-epilog
MK=$B/tests/epilog/ep_mkrec
[ -x "$EP" ] && [ -x "$MK" ] || { echo "build track-epilog and ep_mkrec in $B first" >&2; exit 1; }
S=$(mktemp -d /dev/shm/epb.XXXXXX)
A=$(mktemp -d "$P/epb.XXXXXX")
trap 'rm -rf "$S" "$A"' EXIT
U=$(id -u)
mkdir -m 1777 "$S/spool"; chmod 1777 "$S/spool"
cat > "$S/conf" <<CONF
spool_dir = $S/spool
archive_dir = $A/archive
archive_group = $(id -gn)
syshost = testhost
CONF
now() { date +%s.%N; }
fs=$(stat -f -c %T "$A")
echo "spool: tmpfs $S; archive: $fs $A; records: $N"

ROUNDS=${ROUNDS:-5}
BASELINE=${BASELINE:-}
mkspool() {
    rm -rf "$S/spool/$U" "$A/archive"
    mkdir -p -m 700 "$S/spool/$U/1"
    "$MK" "$S/spool/$U/1" "$N" --uid "$U" --job 1 > /dev/null
    sync
}
run_collect() {   # run_collect BINARY: prints seconds; checks the result
    local t0 t1 got
    t0=$(now)
    "$1" --config "$S/conf" --no-syslog --quiet --strict collect --job 1 --uid "$U"
    t1=$(now)
    got=$(ls "$A/archive"/*/ | grep -c '^run\.')
    [ "$got" = "$N" ] || { echo "$1: archived $got of $N" >&2; exit 1; }
    [ ! -e "$S/spool/$U/1" ] || { echo "$1: spool not emptied" >&2; exit 1; }
    echo "$t1 - $t0" | bc
}
: > "$S/times"
for round in $(seq "$ROUNDS"); do
    mkspool
    bytes=$(du -sb "$S/spool/$U/1" | cut -f1)
    rm -rf "$A/cp"
    # floor: plain copy + one syncfs
    t0=$(now); cp -r "$S/spool/$U/1" "$A/cp"; sync -f "$A/cp"; t1=$(now)
    c=$(echo "$t1 - $t0" | bc)
    sync
    base=-
    # With a baseline, even rounds run it first: neither binary always
    # follows the same thing.
    if [ -n "$BASELINE" ] && [ $((round % 2)) = 0 ]; then
        base=$(run_collect "$BASELINE"); mkspool; e=$(run_collect "$EP")
    else
        e=$(run_collect "$EP")
        if [ -n "$BASELINE" ]; then mkspool; base=$(run_collect "$BASELINE"); fi
    fi
    printf 'round %d: collect %.3f s (%.0f records/s), cp+syncfs %.3f s, ratio %.2f, baseline %s, %d bytes\n' \
        "$round" "$e" "$(echo "$N / $e" | bc -l)" "$c" "$(echo "$e / $c" | bc -l)" "$base" "$bytes"
    bratio=-; [ "$base" = - ] || bratio=$(echo "$base / $c" | bc -l)
    echo "$e $c $(echo "$e / $c" | bc -l) $base $bratio" >> "$S/times"
done
col() { cut -d' ' -f"$1" "$S/times" | sort -g; }
med() { col "$1" | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
best_collect=$(col 1 | head -1); best_cp=$(col 2 | head -1)
printf 'best:   collect %.3f s = %.0f records/s (target >= 20000); cp+syncfs %.3f s\n' \
    "$best_collect" "$(echo "$N / $best_collect" | bc -l)" "$best_cp"
printf 'median: collect %.3f s = %.0f records/s; cp+syncfs %.3f s; collect/cp ratio median %.2f, spread %.2f..%.2f over %d rounds\n' \
    "$(med 1)" "$(echo "$N / $(med 1)" | bc -l)" "$(med 2)" "$(med 3)" "$(col 3 | head -1)" "$(col 3 | tail -1)" "$ROUNDS"
if [ -n "$BASELINE" ]; then
    printf 'baseline %s: best %.3f s, median %.3f s = %.0f records/s; baseline/cp ratio median %.2f, spread %.2f..%.2f\n' "$BASELINE" \
        "$(col 4 | head -1)" "$(med 4)" "$(echo "$N / $(med 4)" | bc -l)" "$(med 5)" "$(col 5 | head -1)" "$(col 5 | tail -1)"
fi
