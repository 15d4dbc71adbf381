#!/bin/bash
# Ingest benchmark (docs/performance.md "## ingest").
#   bench/ingest/bench.sh BUILD_DIR [RUNS] [EXES]
# Starts a private MariaDB, generates RUNS start+end pairs over EXES distinct
# executables (gen_records), then side by side in one run:
#  1. track-ingest of the archive (records/s, end to end: read, parse,
#     validate, load, commit, move to done/);
#  2. the ceiling: the same rows (mariadb-dump of the loaded tables, large
#     multi-row INSERTs) loaded into a fresh database with the mariadb client;
#  3. bytes per run: data + indexes of all track_% tables (information_schema
#     after ANALYZE) / runs.
# BASELINE=/path/to/other/track-ingest also times that binary on a copy of
# the same archive (into its own database) in the same run, just before
# track-ingest: an A/B of two builds under the same machine conditions.
# Long crash loop: CRASH_RUNS=20000 CRASH_LOOPS=50 ctest -R ingest.crash.
set -euo pipefail
B=$(cd "${1:?usage: bench.sh BUILD_DIR [RUNS] [EXES]}" && pwd); RUNS=${2:-20000}; EXES=${3:-300}
HARNESS="$(cd "$(dirname "$0")/../../tests/harness" && pwd)/mariadb.sh"
T=$(mktemp -d /tmp/ib.XXXXXX)
trap '"$HARNESS" stop "$T/db" || true; rm -rf "$T"' EXIT
MARIADB_EXTRA_ARGS="--innodb-buffer-pool-size=512M --innodb-log-file-size=512M" "$HARNESS" start "$T/db"
sql() { "$HARNESS" sql "$T/db" "$@"; }
A=$T/archive
"$B/bench/ingest/gen_records" "$A" "$RUNS" --exes "$EXES"
nrec=$(find "$A" -name '*.json' | wc -l)
bytes=$(du -sb "$A" | cut -f1)
printf 'archive_dir = %s\ndb_option_file = %s\n' "$A" "$T/db/client.cnf" > "$T/track.conf"
export TRACK_CONFIG=$T/track.conf
"$B/ingest/track-ingest" --migrate --quiet
if [ -n "${BASELINE:-}" ]; then
    cp -a "$A" "$T/barchive"
    "$HARNESS" createdb "$T/db" base
    printf 'archive_dir = %s\ndb_option_file = %s\n' "$T/barchive" "$T/db/base.cnf" > "$T/base.conf"
    TRACK_CONFIG=$T/base.conf "$BASELINE" --migrate --quiet
    sync
    t0=$(date +%s.%N)
    TRACK_CONFIG=$T/base.conf "$BASELINE" --no-progress
    t1=$(date +%s.%N)
    base_s=$(echo "$t1 - $t0" | bc -l)
fi
sync
t0=$(date +%s.%N)
"$B/ingest/track-ingest" --no-progress
t1=$(date +%s.%N)
ingest_s=$(echo "$t1 - $t0" | bc -l)

# ceiling: the same rows as big multi-row INSERTs
mariadb-dump --no-defaults --socket="$T/db/sock" -uroot --no-create-info --skip-triggers \
    --extended-insert --net-buffer-length=1048576 --skip-add-locks --skip-disable-keys \
    track > "$T/rows.sql"
"$HARNESS" createdb "$T/db" ceil
printf 'archive_dir = %s/none\ndb_option_file = %s\n' "$T" "$T/db/ceil.cnf" > "$T/ceil.conf"
TRACK_CONFIG=$T/ceil.conf "$B/ingest/track-ingest" --migrate --quiet
sql ceil -e "DELETE FROM track_schema_version"
t0=$(date +%s.%N)
( echo "SET autocommit=0;"; cat "$T/rows.sql"; echo "COMMIT;" ) | sql ceil
t1=$(date +%s.%N)
ceil_s=$(echo "$t1 - $t0" | bc -l)

sql track -N -e "ANALYZE TABLE $(sql track -N -e "SELECT GROUP_CONCAT(table_name) FROM information_schema.tables WHERE table_schema='track' AND table_type='BASE TABLE'")" >/dev/null
read -r runs dbbytes <<<"$(sql track -N -e "SELECT (SELECT COUNT(*) FROM track_run), SUM(data_length+index_length) FROM information_schema.tables WHERE table_schema='track' AND table_type='BASE TABLE'")"
runbytes=$(sql track -N -e "SELECT data_length+index_length FROM information_schema.tables WHERE table_schema='track' AND table_name='track_run'")
echo "records:        $nrec ($((bytes / nrec)) bytes each on average), runs $runs, executables $EXES"
printf 'track-ingest:   %.2f s  %.0f records/s\n' "$ingest_s" "$(echo "$nrec / $ingest_s" | bc -l)"
printf 'ceiling:        %.2f s  %.0f records/s (same rows, multi-row INSERTs via mariadb client)\n' "$ceil_s" "$(echo "$nrec / $ceil_s" | bc -l)"
printf 'ratio:          %.0f %% of the ceiling\n' "$(echo "100 * $ceil_s / $ingest_s" | bc -l)"
if [ -n "${BASELINE:-}" ]; then
    printf 'baseline:       %.2f s  %.0f records/s, %.0f %% of the ceiling (%s)\n' "$base_s" \
        "$(echo "$nrec / $base_s" | bc -l)" "$(echo "100 * $ceil_s / $base_s" | bc -l)" "$BASELINE"
fi
printf 'database:       %d bytes for %d runs = %.0f bytes/run (track_run alone %.0f bytes/run)\n' \
    "$dbbytes" "$runs" "$(echo "$dbbytes / $runs" | bc -l)" "$(echo "$runbytes / $runs" | bc -l)"
