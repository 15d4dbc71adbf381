#!/usr/bin/env bash
# track_jobs_prepare (summary, jobs, utilisation) before and after, side by
# side on one server: loads the report benchmark's data (bulk_load.sql,
# NRUNS runs, DIVERSE as in run_bench.sh) with the build's schema, installs
# an older definition of the procedure from git under the name
# track_jobs_prepare_old with copies of the three report scripts calling
# it, then runs each report old, new, old, new, ... (N times each) over
# the 30-day window and compares the CSV outputs byte for byte. Prints the
# times, best / median, and "identical" or "DIFFERENT". Not part of ctest.
#
#   bench/report/prepare_bench.sh BUILD_DIR [NRUNS]
#   OLD=REV:FILE   the older procedure (default
#                  HEAD:sql/migrations/0015_jobs_prepare_keys.sql)
#   DIVERSE=P      P % of runs with an object set of their own (default 0)
#   N=3            runs of each report and SQL
#   SLURM=1        also give a third of the jobs Slurm facts (track_job
#                  rows, a ninth starting before the window), to compare
#                  the Slurm path
# docs/performance.md "Issue 18" has the figures.
set -euo pipefail
build=$(cd "$1" && pwd); nruns=${2:-100000}
src=$(cd "$(dirname "$0")/../.." && pwd)
old=${OLD:-HEAD:sql/migrations/0015_jobs_prepare_keys.sql}
n=${N:-3}
harness=$src/tests/harness/mariadb.sh
ingest=$build/ingest/track-ingest report=$build/report/track-report
tmp=$(mktemp -d /tmp/tpb.XXXXXX)
cleanup() { "$harness" stop "$tmp/db" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT

mkdir -p "$tmp/mtmp" "$tmp/old"
MARIADB_EXTRA_ARGS="--default-time-zone=+00:00 --innodb-buffer-pool-size=2G --tmpdir=$tmp/mtmp" "$harness" start "$tmp/db"
printf 'archive_dir = %s/archive\n' "$tmp" > "$tmp/track.conf"
export TRACK_CONFIG=$tmp/track.conf
"$ingest" --migrate --defaults-file "$tmp/db/client.cnf" --quiet
{ echo "SET @nruns = $nruns, @diverse = ${DIVERSE:-0};"; cat "$src/bench/report/bulk_load.sql"; } |
    "$harness" sql "$tmp/db" track >/dev/null
if [ -n "${SLURM:-}" ]; then
    "$harness" sql "$tmp/db" track <<'SQL'
INSERT INTO track_job (syshost, job_id, job_display, user, account, `partition`, state, exit_code,
                       start_time, end_time, elapsed, alloc_cpus)
SELECT syshost, job_id, job_id, MIN(user), CONCAT('sl-', MIN(account)), 'slurmpart',
       IF(CRC32(job_id) % 2 = 0, 'COMPLETED', 'FAILED'), CRC32(job_id) % 2,
       IF(CRC32(job_id) % 9 = 0, UNIX_TIMESTAMP('2024-03-01') - 100, FLOOR(MIN(start_time)) - 5),
       IF(CRC32(job_id) % 4 = 0, NULL, CEIL(MAX(COALESCE(end_time, start_time))) + 60),
       CEIL(MAX(COALESCE(end_time, start_time)) - MIN(start_time)) + 65, 1 + CRC32(job_id) % 16
FROM track_run WHERE job_id IS NOT NULL AND CRC32(job_id) % 3 = 0 GROUP BY syshost, job_id;
SQL
fi
# the old procedure under another name: statements end at lines ending in
# ';' (as track-ingest --migrate splits a migration), sent with DELIMITER
git -C "$src" show "$old" | python3 -c '
import sys
out, cur = ["DELIMITER //"], []
for line in sys.stdin:
    cur.append(line.rstrip("\n"))
    if line.rstrip().endswith(";"):
        st = "\n".join(cur).rstrip()[:-1]
        cur = []
        if "track_jobs_prepare" in st and "track_schema_version" not in st:
            out.append(st.replace("track_jobs_prepare", "track_jobs_prepare_old") + "//")
out.append("DELIMITER ;")
print("\n".join(out))' | "$harness" sql "$tmp/db" track
for r in summary jobs utilisation; do
    sed 's/CALL track_jobs_prepare(/CALL track_jobs_prepare_old(/' "$src/sql/reports/$r.sql" > "$tmp/old/$r.sql"
done

timed() { # SQL-DIR OUT REPORT
    local s e; s=$(date +%s.%N)
    "$report" "$3" --since 2024-03-01 --until 2024-03-31 --defaults-file "$tmp/db/client.cnf" \
        --format csv --sql-dir "$1" > "$2"
    e=$(date +%s.%N)
    awk "BEGIN{printf \"%.2f\", $e - $s}"
}
stat() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{printf "%.2f / %.2f", a[1], a[int((NR+1)/2)]}'; }
printf '%-12s %-28s %-28s %s\n' report "old: runs (best / median)" "new: runs (best / median)" output
for r in summary jobs utilisation; do
    o=() w=()
    for _ in $(seq "$n"); do
        o+=("$(timed "$tmp/old" "$tmp/old.csv" "$r")")
        w+=("$(timed "$src/sql/reports" "$tmp/new.csv" "$r")")
    done
    same=identical; cmp -s "$tmp/old.csv" "$tmp/new.csv" || same=DIFFERENT
    printf '%-12s %-28s %-28s %s\n' "$r" "${o[*]} ($(stat "${o[@]}"))" "${w[*]} ($(stat "${w[@]}"))" "$same"
done
