#!/bin/bash
# Ingest benchmark (docs/performance.md "## ingest").
#   bench/ingest/bench.sh BUILD_DIR [RUNS] [EXES]
# Starts a private MariaDB, generates RUNS start+end pairs over EXES distinct
# executables (gen_records), then ROUNDS times (default 3), interleaved:
#  1. track-ingest of a fresh copy of the archive into a fresh database
#     (records/s, end to end: read, parse, validate, load, commit, move to
#     done/);
#  2. the ceiling: the same rows (mariadb-dump of the tables track-ingest
#     loaded in round 1, large multi-row INSERTs) loaded into a fresh
#     database with the mariadb client.
# It prints every round and the medians; the ratio is median ceiling time /
# median track-ingest time. One ceiling per run moved with the machine by as
# much as the gap under study (0.63-1.10 s for the same rows), so both sides
# are measured several times, alternating.
# Nothing is deleted before the end (archive copies, databases): on this
# ext4 (mount option discard) deleting 40,000 files slowed the next round.
# Then bytes per run: data + indexes of all track_% tables (information_schema
# after ANALYZE) / runs, from round 1's database.
# BASELINE=/path/to/other/track-ingest also times that binary in every round
# (its own fresh copy and database), before track-ingest in odd rounds and
# after it in even ones: an A/B of two builds under the same conditions.
# TIME=1 adds each ingest's user and system CPU seconds (/usr/bin/time, package time).
# COLD=1 (root) drops the page cache before every timed load, both sides:
# what a cron ingest finds when the records were written hours before.
# Long crash loop: CRASH_RUNS=20000 CRASH_LOOPS=50 ctest -R ingest.crash.
set -euo pipefail
B=$(cd "${1:?usage: bench.sh BUILD_DIR [RUNS] [EXES]}" && pwd); RUNS=${2:-20000}; EXES=${3:-300}
ROUNDS=${ROUNDS:-3}
HARNESS="$(cd "$(dirname "$0")/../../tests/harness" && pwd)/mariadb.sh"
T=$(mktemp -d /tmp/ib.XXXXXX)
trap '"$HARNESS" stop "$T/db" || true; rm -rf "$T"' EXIT
MARIADB_EXTRA_ARGS="--innodb-buffer-pool-size=512M --innodb-log-file-size=512M" "$HARNESS" start "$T/db"
sql() { "$HARNESS" sql "$T/db" "$@"; }
A=$T/archive
"$B/bench/ingest/gen_records" "$A" "$RUNS" --exes "$EXES"
nrec=$(find "$A" -name '*.json' | wc -l)
bytes=$(du -sb "$A" | cut -f1)

# fresh database NAME for binary BIN with its config in $T/NAME.conf
# (archive_dir ARCH); prints nothing.
prep_db() { # NAME BIN ARCH
    "$HARNESS" createdb "$T/db" "$1"
    printf 'archive_dir = %s\ndb_option_file = %s\n' "$3" "$T/db/$1.cnf" > "$T/$1.conf"
    TRACK_CONFIG=$T/$1.conf "$2" --migrate --quiet
}
# seconds of one ingest by BIN into a fresh database NAME from a fresh
# copy of the archive
time_ingest() { # NAME BIN
    rm -rf "$T/a-$1"
    cp -a "$A" "$T/a-$1"
    prep_db "$1" "$2" "$T/a-$1"
    sync
    cold
    local t0 t1
    t0=$(date +%s.%N)
    if [ -n "${TIME:-}" ]; then
        TRACK_CONFIG=$T/$1.conf /usr/bin/time -f "%U %S" -o "$T/$1.cpu" "$2" --no-progress --quiet
    else
        TRACK_CONFIG=$T/$1.conf "$2" --no-progress --quiet
    fi
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}
cpu_of() { [ -z "${TIME:-}" ] || awk '{printf " (cpu user %.2f sys %.2f)", $1, $2}' "$T/$1.cpu"; }
time_ceiling() { # NAME
    prep_db "$1" "$B/ingest/track-ingest" "$T/none"
    sql "$1" -e "DELETE FROM track_schema_version"
    sync
    cold
    local t0 t1
    t0=$(date +%s.%N)
    ( echo "SET autocommit=0;"; cat "$T/rows.sql"; echo "COMMIT;" ) | sql "$1"
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}
# COLD=1: empty the page cache (after the sync of the caller). Checked here,
# not inside cold(): it runs in $(...), where a failure would not stop us.
[ -z "${COLD:-}" ] || [ -w /proc/sys/vm/drop_caches ] || { echo "COLD=1 needs root" >&2; exit 1; }
cold() { [ -z "${COLD:-}" ] || echo 1 > /proc/sys/vm/drop_caches; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

ing=(); cei=(); bas=()
for r in $(seq 1 "$ROUNDS"); do
    # The two binaries take turns going first: whichever follows the other's
    # 40,000 renames and copy may find the file system busier.
    if [ -n "${BASELINE:-}" ] && [ $((r % 2)) = 1 ]; then
        bas+=("$(time_ingest "base$r" "$BASELINE")")
    fi
    ing+=("$(time_ingest "ing$r" "$B/ingest/track-ingest")")
    if [ -n "${BASELINE:-}" ] && [ $((r % 2)) = 0 ]; then
        bas+=("$(time_ingest "base$r" "$BASELINE")")
    fi
    if [ "$r" = 1 ]; then
        mariadb-dump --no-defaults --socket="$T/db/sock" -uroot --no-create-info --skip-triggers \
            --extended-insert --net-buffer-length=1048576 --skip-add-locks --skip-disable-keys \
            ing1 > "$T/rows.sql"
    fi
    cei+=("$(time_ceiling "ceil$r")")
    line=$(printf 'round %d: track-ingest %.2f s%s, ceiling %.2f s, %.0f %%' "$r" "${ing[-1]}" \
        "$(cpu_of "ing$r")" "${cei[-1]}" "$(echo "100 * ${cei[-1]} / ${ing[-1]}" | bc -l)")
    [ -z "${BASELINE:-}" ] || line+=$(printf '; baseline %.2f s%s, %.0f %%' "${bas[-1]}" \
        "$(cpu_of "base$r")" "$(echo "100 * ${cei[-1]} / ${bas[-1]}" | bc -l)")
    echo "$line"
done
ing_m=$(printf '%s\n' "${ing[@]}" | median)
cei_m=$(printf '%s\n' "${cei[@]}" | median)

sql ing1 -N -e "ANALYZE TABLE $(sql ing1 -N -e "SELECT GROUP_CONCAT(table_name) FROM information_schema.tables WHERE table_schema='ing1' AND table_type='BASE TABLE'")" >/dev/null
read -r runs dbbytes <<<"$(sql ing1 -N -e "SELECT (SELECT COUNT(*) FROM track_run), SUM(data_length+index_length) FROM information_schema.tables WHERE table_schema='ing1' AND table_type='BASE TABLE'")"
runbytes=$(sql ing1 -N -e "SELECT data_length+index_length FROM information_schema.tables WHERE table_schema='ing1' AND table_name='track_run'")
echo "records:        $nrec ($((bytes / nrec)) bytes each on average), runs $runs, executables $EXES, $ROUNDS rounds (medians below)"
printf 'track-ingest:   %.2f s  %.0f records/s\n' "$ing_m" "$(echo "$nrec / $ing_m" | bc -l)"
printf 'ceiling:        %.2f s  %.0f records/s (same rows, multi-row INSERTs via mariadb client)\n' "$cei_m" "$(echo "$nrec / $cei_m" | bc -l)"
printf 'ratio:          %.0f %% of the ceiling\n' "$(echo "100 * $cei_m / $ing_m" | bc -l)"
if [ -n "${BASELINE:-}" ]; then
    bas_m=$(printf '%s\n' "${bas[@]}" | median)
    printf 'baseline:       %.2f s  %.0f records/s, %.0f %% of the ceiling (%s)\n' "$bas_m" \
        "$(echo "$nrec / $bas_m" | bc -l)" "$(echo "100 * $cei_m / $bas_m" | bc -l)" "$BASELINE"
fi
printf 'database:       %d bytes for %d runs = %.0f bytes/run (track_run alone %.0f bytes/run)\n' \
    "$dbbytes" "$runs" "$(echo "$dbbytes / $runs" | bc -l)" "$(echo "$runbytes / $runs" | bc -l)"
