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
CONF
now() { date +%s.%N; }
fs=$(stat -f -c %T "$A")
echo "spool: tmpfs $S; archive: $fs $A; records: $N"

best_collect=999; best_cp=999
for round in 1 2 3; do
    rm -rf "$S/spool/$U" "$A/archive" "$A/cp"
    mkdir -p -m 700 "$S/spool/$U/1"
    "$MK" "$S/spool/$U/1" "$N" --uid "$U" > /dev/null
    bytes=$(du -sb "$S/spool/$U/1" | cut -f1)
    sync
    # floor: plain copy + one syncfs
    t0=$(now); cp -r "$S/spool/$U/1" "$A/cp"; sync -f "$A/cp"; t1=$(now)
    c=$(echo "$t1 - $t0" | bc)
    sync
    t0=$(now)
    "$EP" --config "$S/conf" --no-syslog --quiet --strict collect --job 1 --uid "$U"
    t1=$(now)
    e=$(echo "$t1 - $t0" | bc)
    got=$(ls "$A/archive"/*/ | grep -c '^run\.')
    [ "$got" = "$N" ] || { echo "archived $got of $N" >&2; exit 1; }
    [ ! -e "$S/spool/$U/1" ] || { echo "spool not emptied" >&2; exit 1; }
    printf 'round %d: collect %.3f s (%.0f records/s), cp+syncfs %.3f s, ratio %.2f, %d bytes\n' \
        "$round" "$e" "$(echo "$N / $e" | bc -l)" "$c" "$(echo "$e / $c" | bc -l)" "$bytes"
    best_collect=$(echo "if ($e < $best_collect) $e else $best_collect" | bc)
    best_cp=$(echo "if ($c < $best_cp) $c else $best_cp" | bc)
done
printf 'best: collect %.3f s = %.0f records/s (target >= 20000); cp+syncfs %.3f s; collect/cp %.2f\n' \
    "$best_collect" "$(echo "$N / $best_collect" | bc -l)" "$best_cp" "$(echo "$best_collect / $best_cp" | bc -l)"
