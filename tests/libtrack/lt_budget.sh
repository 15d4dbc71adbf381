#!/bin/sh
# libtrack_budget: real programs under LD_PRELOAD in a plain SLURM_JOB_ID
# spool with a small budget (job_max_records), 8 parallel loops (lt_spawn).
# Checks: the job directory never holds more than 2 x budget record files
# plus the tally files (and a writer's temp file per loop), every run is
# either recorded or tallied (exactly the count lt_spawn made, per exit
# class), no run is "unknown", and the tallied wall time is below the
# fork-to-wait time lt_spawn measured.
# LT_BUDGET_RUNS (default 4000; the issue's 100000: LT_BUDGET_RUNS=100000) runs in all; LT_BUDGET_MAX (default 100).
set -eu
: "${LT_LIB:?}" "${LT_SPAWN:?}" "${TALLY_DUMP:?}"
RUNS=${LT_BUDGET_RUNS:-4000}
MAX=${LT_BUDGET_MAX:-100}
LOOPS=8
[ "$(id -u)" = 0 ] || { echo "skip: needs root (a root-owned spool root)"; exit 77; }
d=$(mktemp -d /tmp/lt_budget.XXXXXX)
trap 'kill "$mon" 2>/dev/null || true; rm -rf "$d"' EXIT
mkdir "$d/spool"; chmod 1777 "$d/spool"
printf 'spool_dir = %s/spool\njob_max_records = %s\nsyshost = budget\n' "$d" "$MAX" > "$d/conf"
job=$d/spool/0/4711

# The monitor: the most entries the job directory ever held.
(
    most=0
    while :; do
        n=$(ls -A "$job" 2>/dev/null | wc -l)
        [ "$n" -gt "$most" ] && { most=$n; echo "$most" > "$d/most"; }
        [ -e "$d/stop" ] && exit 0
        sleep 0.02
    done
) &
mon=$!

pre=$LT_LIB
[ -n "${LT_PRELOAD_PREFIX:-}" ] && pre="$LT_PRELOAD_PREFIX:$LT_LIB"
start=$(date +%s)
TRACK_CONFIG=$d/conf SLURM_JOB_ID=4711 LT_SPAWN_PRELOAD=$pre \
    ASAN_OPTIONS=detect_leaks=0:handle_segv=0:handle_abort=0:allow_user_segv_handler=1 \
    "$LT_SPAWN" $LOOPS $((RUNS / LOOPS)) > "$d/spawn"
touch "$d/stop"; wait "$mon"
echo "$((RUNS)) runs in $(( $(date +%s) - start )) s"

get() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
"$TALLY_DUMP" "$job/tally.slots" > "$d/tally"
cat "$d/spawn" "$d/tally" | grep -v '^slot ' | tr '\n' ' '; echo
fail=0
most=$(cat "$d/most")
recs=$(ls "$job" | grep -c '^run\..*\.aaa\.' || true)
ends=$(ls "$job" | grep -c '^run\..*\.zzz\.' || true)
echo "most entries $most; $recs start records, $ends end records"
# Records: at most MAX runs of two files; plus tally.count, tally.slots and
# one writer's temp file per loop at any instant.
[ "$recs" -le "$MAX" ] || { echo "FAIL: $recs runs recorded, budget $MAX"; fail=1; }
[ "$most" -le $((2 * MAX + 2 + LOOPS)) ] || { echo "FAIL: the job directory held $most entries"; fail=1; }
[ "$(get "$d/tally" unknown)" = 0 ] || { echo "FAIL: unknown runs"; fail=1; }
for c in ok error signal; do
    case $c in
        ok) r=$(grep -l '"exit_status":0,' "$job"/run.*.zzz.* | wc -l) ;;
        error) r=$(grep -L -e '"exit_status":0,' -e '"signal":' "$job"/run.*.zzz.* | wc -l) ;;
        signal) r=$(grep -l '"signal":' "$job"/run.*.zzz.* | wc -l) ;;
    esac
    t=$(get "$d/tally" "runs_$c"); s=$(get "$d/spawn" "runs_$c")
    [ $((t + r)) -eq "$s" ] || { echo "FAIL: $c: $t tallied + $r recorded != $s run"; fail=1; }
done
[ "$(get "$d/tally" wall_us)" -le "$(get "$d/spawn" wall_us)" ] ||
    { echo "FAIL: tallied wall time above the measured one"; fail=1; }
[ "$(get "$d/tally" core_us)" = "$(get "$d/tally" wall_us)" ] ||
    { echo "FAIL: core time != wall time for one-core runs"; fail=1; }
[ $fail = 0 ] && echo ok
exit $fail
