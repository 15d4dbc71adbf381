#!/usr/bin/env bash
# Report benchmark: 1,000,000 runs (40,000,000 run-object rows through the
# object sets) bulk-loaded into the real schema (track-ingest --migrate, then
# bulk_load.sql), then every report over a 30-day window, each run 3 times;
# prints the best and the median wall time per report. Not part of ctest.
#
#   bench/report/run_bench.sh BUILD_DIR [NRUNS]
#   OLD_SQL=DIR bench/report/run_bench.sh BUILD_DIR [NRUNS]
#   ONLY="summary jobs" bench/report/run_bench.sh ...   only these reports
#   DIVERSE=10 bench/report/run_bench.sh BUILD_DIR [NRUNS]
#   SWMAP=1 bench/report/run_bench.sh ...   with a site's software_map
#   (ONLY="dashboard" times the dashboard alone; it runs last)
#
# DIVERSE=P gives P % of the runs an object set of their own (~40 members;
# bulk_load.sql's @diverse): the diversity Python runs with different
# extension modules produce (issue 18). After the load, the roll-ups (daily,
# per job, and software with the config's map) are computed once by
# `track-ingest --refresh-rollup` (timed and printed).
#
# SWMAP=1 gives the config a software_map of 302 rules, as a site that
# names its software would have: a prefix per second package directory of
# the dataset (5 versions), a prefix per third Python extension directory,
# /usr/bin as the OS, one rule naming a single library file and one
# executable-name rule. Without it nothing is attributed, which hides most
# of the cost of `software` (one package, one (package, set) pair per set).
#
# With OLD_SQL (a directory of older report scripts, e.g. made with
# `git archive REV sql/reports | tar -x -C /tmp/old`), each report runs with
# the old and the build's SQL interleaved (old, new, old, new, ...) on the
# same data, and the two CSV outputs must be byte-identical: the side-by-side
# figures of docs/performance.md "## report".
#
# The target is <= 2 s per report (docs/performance.md, "## report").
set -euo pipefail
build=$(cd "$1" && pwd); nruns=${2:-1000000}
src=$(cd "$(dirname "$0")/../.." && pwd)
harness=$src/tests/harness/mariadb.sh
ingest=$build/ingest/track-ingest report=$build/report/track-report
tmp=$(mktemp -d /tmp/trb.XXXXXX)
cleanup() { "$harness" stop "$tmp/db" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT

mkdir -p "$tmp/mtmp"   # server temp files: private, not /tmp
MARIADB_EXTRA_ARGS="--default-time-zone=+00:00 --innodb-buffer-pool-size=4G --tmpdir=$tmp/mtmp" "$harness" start "$tmp/db"
printf 'archive_dir = %s/archive\n' "$tmp" > "$tmp/track.conf"
if [ -n "${SWMAP:-}" ]; then
    {
        for i in $(seq 0 2 399); do echo "prefix /opt/sw/pkg$i pkg$i/$((i % 5)).0"; done
        for i in $(seq 0 3 299); do echo "prefix /opt/py/site/pkg$i py$i"; done
        echo "prefix /usr/bin os/debian12"
        echo "prefix /opt/sw/pkg1/lib/libfam1.so.3 special/1"
        echo "exe app1* App1"
    } > "$tmp/software.map"
    printf 'software_map = %s/software.map\n' "$tmp" >> "$tmp/track.conf"
fi
export TRACK_CONFIG=$tmp/track.conf
"$ingest" --migrate --defaults-file "$tmp/db/client.cnf" --quiet
t0=$(date +%s.%N)
{ echo "SET @nruns = $nruns, @diverse = ${DIVERSE:-0};"; cat "$src/bench/report/bulk_load.sql"; } |
    "$harness" sql "$tmp/db" track >/dev/null
t1=$(date +%s.%N)
rows=$("$harness" sql "$tmp/db" track -N -e "SELECT COUNT(*) FROM track_run_object")
sets=$("$harness" sql "$tmp/db" track -N -e "SELECT COUNT(DISTINCT object_set_id) FROM track_run")
printf 'loaded %s runs (%s distinct object sets), %s run-object rows in %.0f s\n' "$nruns" "$sets" "$rows" "$(awk "BEGIN{print $t1 - $t0}")"
t0=$(date +%s.%N)
"$ingest" --refresh-rollup --defaults-file "$tmp/db/client.cnf" >/dev/null
t1=$(date +%s.%N)
printf "roll-up (every day and job, and the software roll-up) computed in %.1f s\n" "$(awk "BEGIN{print $t1 - $t0}")"

win=(--since 2024-03-01 --until 2024-03-31)
cases=(
  "summary"
  "executables"
  "libraries"
  "who-used --library libfam7.so*"
  "who-used --build-id $(printf 'b7' | sha1sum | cut -c1-40)"
  "modules"
  "users"
  "job 4242"
  "failures"
  "env OMP_NUM_THREADS"
  "jobs"
  "utilisation"
  "daily"
  "daily --by executable"
  "daily --by user"
  "daily --by application"
  "software"
  "compilers"
  "packages"
)
# one timed run: $1 = SQL dir ("" = the build's), $2 = output file, rest = report args
timed() {
    local dir=$1 out=$2; shift 2
    local s e; s=$(date +%s.%N)
    "$report" "$@" "${win[@]}" --defaults-file "$tmp/db/client.cnf" --format csv \
        ${dir:+--sql-dir "$dir"} >"$out" || return 1
    e=$(date +%s.%N)
    awk "BEGIN{printf \"%.2f\", $e - $s}"
}
newdir=$src/sql/reports
if [ -n "${OLD_SQL:-}" ]; then
    printf '%-40s %-20s %-20s %s\n' report "old SQL (s)" "new SQL (s)" output
else
    printf '%-40s %8s %8s\n' report best_s median_s
fi
for c in "${cases[@]}"; do
    read -r -a args <<<"$c"
    [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" ${args[0]} "* ]] || continue
    if [ -n "${OLD_SQL:-}" ]; then
        old=() new=()
        for _ in 1 2 3; do
            t=$(timed "$OLD_SQL" "$tmp/old.csv" "${args[@]}") || exit 1; old+=("$t")
            t=$(timed "$newdir" "$tmp/new.csv" "${args[@]}") || exit 1; new+=("$t")
        done
        same=identical; cmp -s "$tmp/old.csv" "$tmp/new.csv" || same=DIFFERENT
        printf '%-40s %-20s %-20s %s\n' "$c" "${old[*]}" "${new[*]}" "$same"
        continue
    fi
    times=()
    # a report that fails stops the benchmark (its time would mean nothing)
    for _ in 1 2 3; do t=$(timed "" /dev/null "${args[@]}") || exit 1; times+=("$t"); done
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    printf '%-40s %8.2f %8.2f\n' "$c" "$(sed -n 1p <<<"$sorted")" "$(sed -n 2p <<<"$sorted")"
done
# the dashboard: several scripts and one page (not CSV)
if [ -z "${ONLY:-}${OLD_SQL:-}" ] || [[ " ${ONLY:-} " == *" dashboard "* ]]; then
    mkdir -p "$tmp/www"
    times=()
    for _ in 1 2 3; do
        s=$(date +%s.%N)
        "$report" dashboard -o "$tmp/www" "${win[@]}" --defaults-file "$tmp/db/client.cnf"
        e=$(date +%s.%N)
        times+=("$(awk "BEGIN{printf \"%.2f\", $e - $s}")")
    done
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    printf '%-40s %8.2f %8.2f\n' "dashboard -o DIR" "$(sed -n 1p <<<"$sorted")" "$(sed -n 2p <<<"$sorted")"
fi
