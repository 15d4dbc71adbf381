#!/usr/bin/env bash
# Daily roll-up test: the report dataset (gen_dataset.py) is loaded by the
# real track-ingest in three shuffled runs with small batches: first the end
# records of most runs (ends before their starts), then half of the rest,
# then the remainder plus copies of files already loaded (duplicates). After
# each run, `track-ingest --verify-rollup` must find the roll-up equal to a
# recomputation from scratch; at the end the per-day numbers (daily) and the
# summary must equal those computed from the model (check_reports.py), a
# damaged roll-up row must be found, and a day left marked (a crash between
# a batch and the refresh) must be recomputed by the next run. The config
# names a software rules file, so that the software roll-up (migration
# 0023) has packages to count; it is checked the same way.
#
#   test_rollup.sh TRACK_INGEST TRACK_REPORT SOURCE_DIR
set -euo pipefail
ingest=$1 report=$2 src=$3
harness=$src/tests/harness/mariadb.sh
tmp=$(mktemp -d /tmp/trr.XXXXXX)
cleanup() { "$harness" stop "$tmp/db" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "test_rollup: $*" >&2; exit 1; }

MARIADB_EXTRA_ARGS="--default-time-zone=+00:00" "$harness" start "$tmp/db"
python3 "$src/tests/report/gen_dataset.py" "$tmp/all" "$tmp/model.json"
mkdir -p "$tmp/archive"
printf 'prefix /usr/lib/x86_64-linux-gnu os/debian12\nprefix /usr/bin os/debian12\nprefix /opt/openblas openblas/0.3\nprefix /opt/foo foo\nexe py* python\n' \
    > "$tmp/software.rules"
printf 'archive_dir = %s\nsoftware_map = %s\n' "$tmp/archive" "$tmp/software.rules" > "$tmp/track.conf"
export TRACK_CONFIG=$tmp/track.conf
cnf=$tmp/db/client.cnf
"$ingest" --migrate --defaults-file "$cnf" --quiet

# stage N: moves the stage's files (chosen by a seeded shuffle) into the archive
python3 - "$tmp/all" "$tmp/stages" <<'PY'
import os, random, sys
src, out = sys.argv[1], sys.argv[2]
files = sorted(os.path.join(m, f) for m in os.listdir(src) for f in os.listdir(os.path.join(src, m)))
rnd = random.Random(18)
rnd.shuffle(files)
ends = [f for f in files if ".zzz." in f]
first = set(ends[: len(ends) * 2 // 3])            # ends before their starts
rest = [f for f in files if f not in first]
second = set(rest[: len(rest) // 2])
third = [f for f in rest if f not in second]
os.makedirs(out)
for i, part in enumerate((sorted(first), sorted(second), third), 1):
    with open(os.path.join(out, str(i)), "w") as fh:
        fh.write("".join(p + "\n" for p in part))
PY
stage() {
    while read -r rel; do
        mkdir -p "$tmp/archive/$(dirname "$rel")"
        mv "$tmp/all/$rel" "$tmp/archive/$rel"
    done < "$tmp/stages/$1"
}
verify() {   # $1: what; the roll-up must equal a recomputation
    local out rc=0
    out=$("$ingest" --verify-rollup --defaults-file "$cnf") || rc=$?
    echo "$1: $out"
    [ "$rc" -eq 0 ] && [ "$(grep -c ': equal$' <<<"$out")" = 3 ] ||
        fail "$1: roll-up differs (exit $rc)"
}
stage 1; "$ingest" --defaults-file "$cnf" --quiet --batch 7; verify "ends first"
stage 2; "$ingest" --defaults-file "$cnf" --quiet --batch 5; verify "half of the rest"
stage 3
# duplicates: 40 files already loaded (and moved to done/) come again
find "$tmp/archive/done" -type f -name 'run.*' | sort | awk 'NR % 5 == 0' | head -n 40 |
    while read -r f; do cp "$f" "$tmp/archive/$(basename "$(dirname "$f")")/"; done
"$ingest" --defaults-file "$cnf" --quiet --batch 3; verify "the rest and duplicates"
if find "$tmp/archive" -path '*quarantine*' -type f | grep -q .; then
    find "$tmp/archive" -path '*quarantine*' -name '*.reason' -exec cat {} + >&2
    fail "files were quarantined"
fi

sql() { "$harness" sql "$tmp/db" track -N -e "$1"; }
# the check can fail: a damaged row is found
sql "UPDATE track_rollup_group SET failures = failures + 1 WHERE day = '2024-03-05' LIMIT 1"
rc=0; out=$("$ingest" --verify-rollup --defaults-file "$cnf") || rc=$?
[ "$rc" -eq 7 ] && grep -q 'track_rollup_group 2024-03-05: 2 rows differ' <<<"$out" ||
    fail "a damaged row was not found (exit $rc): $out"
sql "UPDATE track_rollup_group SET failures = failures - 1 WHERE day = '2024-03-05' LIMIT 1"
# and in the software roll-up: a package's runs, a user key of a package
sql "UPDATE track_rollup_sw SET runs = runs + 1 WHERE day = '2024-03-05' LIMIT 1"
sql "UPDATE track_rollup_sw_user SET user_key = user_key + 1 WHERE day = '2024-03-06' ORDER BY user_key DESC LIMIT 1"
rc=0; out=$("$ingest" --verify-rollup --defaults-file "$cnf") || rc=$?
[ "$rc" -eq 7 ] && grep -q 'track_rollup_sw 2024-03-05: 2 rows differ' <<<"$out" &&
    grep -q 'track_rollup_sw_job/_user 2024-03-06: 2 rows differ' <<<"$out" &&
    grep -q '^roll-up: .*: equal$' <<<"$out" ||
    fail "a damaged software roll-up row was not found (exit $rc): $out"
sql "UPDATE track_rollup_sw SET runs = runs - 1 WHERE day = '2024-03-05' LIMIT 1"
sql "UPDATE track_rollup_sw_user SET user_key = user_key - 1 WHERE day = '2024-03-06' ORDER BY user_key DESC LIMIT 1"
verify "software roll-up repaired"
# the per-job roll-up too: a damaged job row and a damaged per-name row
jk=$(sql "SELECT job_key FROM track_rollup_job ORDER BY job_key LIMIT 1")
sql "UPDATE track_rollup_job SET failures = failures + 1 WHERE job_key = $jk"
sql "UPDATE track_rollup_job_name SET core_seconds = core_seconds + 1 ORDER BY job_key DESC LIMIT 1"
nk=$(sql "SELECT job_key FROM track_rollup_job_name ORDER BY job_key DESC LIMIT 1")
rc=0; out=$("$ingest" --verify-rollup --defaults-file "$cnf") || rc=$?
[ "$rc" -eq 7 ] && grep -q "track_rollup_job key $jk: differs" <<<"$out" &&
    grep -q "track_rollup_job_name key $nk: differs" <<<"$out" &&
    grep -q '^roll-up: .*: equal$' <<<"$out" ||
    fail "a damaged job row was not found (exit $rc): $out"
# a job still marked (a crash before the refresh) is not compared, and the
# reports compute it afresh instead of reading its damaged row
sql "INSERT INTO track_rollup_job_dirty (job_key) VALUES ($jk), ($nk)"
out=$("$ingest" --verify-rollup --defaults-file "$cnf") || fail "verify with pending jobs: $out"
grep -q '2 jobs waiting for a refresh' <<<"$out" || fail "pending jobs not reported: $out"
REPORT_ONLY=jobs python3 "$src/tests/report/check_reports.py" "$report" "$cnf" "$tmp/model.json" ||
    fail "jobs report with marked, damaged jobs"
"$ingest" --defaults-file "$cnf" --quiet
[ "$(sql 'SELECT COUNT(*) FROM track_rollup_job_dirty')" = 0 ] || fail "job marks left after a run"
verify "jobs after the recovery"
# another not_applications in the config: every job is recomputed for it
printf 'archive_dir = %s\nnot_applications = nothing\nsoftware_map = %s\n' "$tmp/archive" \
    "$tmp/software.rules" > "$tmp/apps.conf"
out=$(TRACK_CONFIG=$tmp/apps.conf "$ingest" --refresh-rollup --defaults-file "$cnf")
n=$(sql "SELECT COUNT(*) FROM track_rollup_job")
grep -q "and $n jobs recomputed" <<<"$out" || fail "not_applications changed: $out (of $n jobs)"
[ "$(sql "SELECT not_applications FROM track_rollup_job_info")" = nothing ] ||
    fail "not_applications not recorded"
verify "jobs for other globs"
REPORT_ONLY=jobs python3 "$src/tests/report/check_reports.py" "$report" "$cnf" "$tmp/model.json" ||
    fail "jobs report with the roll-up made for other globs"
"$ingest" --refresh-rollup --defaults-file "$cnf" >/dev/null

# a crash after a batch's commit, before the refresh: the day stays marked,
# is not compared, and the next run (even without files) recomputes it
sql "INSERT INTO track_rollup_dirty (day) VALUES ('2024-03-05')"
out=$("$ingest" --verify-rollup --defaults-file "$cnf") || fail "verify with a pending day: $out"
grep -q '^roll-up: .*1 days waiting for a refresh' <<<"$out" &&
    grep -q '^software roll-up: .*1 days waiting for a refresh' <<<"$out" || fail "pending day not reported: $out"
"$ingest" --defaults-file "$cnf" --quiet
[ "$(sql 'SELECT COUNT(*) FROM track_rollup_dirty') $(sql 'SELECT COUNT(*) FROM track_sw_dirty')" = "0 0" ] ||
    fail "marks left after a run"
verify "after the recovery"

# an exec across midnight, in a database of its own: a run without an end
# (day 1, failed) is replaced by exec after midnight; loading the child
# (day 2) must recompute day 1, where the parent is no longer a failure.
# And a start that moves its row: the end record (stage 1) says the run
# started on 04-12 and names as parent a run of 04-08 without an end, with
# the same pid (so that one was replaced by exec); the start (stage 2, first
# wins) says 04-13 and no parent: 04-12 must lose the run, 04-13 gain it,
# and 04-08's run becomes a failure again. ingest_days.c's mark before the
# rows is what finds 04-12 and 04-08.
"$harness" createdb "$tmp/db" xday
mkdir -p "$tmp/x/archive"
printf 'archive_dir = %s/x/archive\n' "$tmp" > "$tmp/x/track.conf"
TRACK_CONFIG=$tmp/x/track.conf "$ingest" --migrate --defaults-file "$tmp/db/xday.cnf" --quiet
python3 - "$tmp/x" <<'PY'
import json, os, sys
base = {"schema": 1, "syshost": "alpha", "host": "alpha-n01", "uid": 4000, "gid": 4000, "user": "erin",
        "pid": 4242, "ppid": 1, "cwd": "/home/erin", "modules": [], "env": {},
        "job": {"id": "77", "account": "phys", "partition": "cpu", "num_tasks": 1, "cpus_per_task": 1}}
par = "11111111-2222-4333-8444-555555555555"
kid = "66666666-7777-4888-9999-aaaaaaaaaaaa"
def rec(stage, name, extra):
    d = os.path.join(sys.argv[1], stage, "202404")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "w") as f:
        f.write(json.dumps(dict(base, **extra)).replace('"@T', "").replace('@"', ""))
rec("1", "run.alpha.2024_04_10_23_59_59_5000.erin.aaa.%s.json" % par,
    {"run_uuid": par, "kind": "start", "start_time": "@T1712793599.500000@",
     "exe": {"path": "/usr/bin/python3"}, "cmdline": ["python3", "x.py"], "objects": []})
kidrec = {"run_uuid": kid, "parent_uuid": par, "start_time": "@T1712793600.200000@",
          "exe": {"path": "/opt/app/bin/app"}, "cmdline": ["app"], "objects": []}
rec("2", "run.alpha.2024_04_11_00_00_00_2000.erin.aaa.%s.json" % kid, dict(kidrec, kind="start"))
rec("2", "run.alpha.2024_04_11_00_00_00_2000.erin.zzz.%s.json" % kid,
    dict(kidrec, kind="end", end_time="@T1712793610.200000@", run_time="@T10.000000@",
         utime="@T5.000000@", stime="@T0.000000@", maxrss_kb=1000, exit_status=0))
old = "22222222-3333-4444-8555-666666666666"
mov = "33333333-4444-4555-8666-777777777777"
rec("1", "run.alpha.2024_04_08_12_00_00_0000.erin.aaa.%s.json" % old,
    dict(base, run_uuid=old, kind="start", pid=5151, start_time="@T1712577600.000000@",
         exe={"path": "/usr/bin/bash"}, cmdline=["bash"], objects=[]))
movrec = dict(base, run_uuid=mov, pid=5151, exe={"path": "/opt/app/bin/app"}, cmdline=["app"],
              objects=[])
rec("1", "run.alpha.2024_04_12_23_59_50_0000.erin.zzz.%s.json" % mov,
    dict(movrec, kind="end", parent_uuid=old, start_time="@T1712966390.000000@",
         end_time="@T1712966420.000000@", run_time="@T30.000000@", utime="@T1.000000@",
         stime="@T0.000000@", maxrss_kb=1000, exit_status=0))
rec("2", "run.alpha.2024_04_13_00_00_05_0000.erin.aaa.%s.json" % mov,
    dict(movrec, kind="start", start_time="@T1712966405.000000@"))
PY
xsql() { "$harness" sql "$tmp/db" xday -N -e "$1"; }
for st in 1 2; do
    mv "$tmp/x/$st/202404" "$tmp/x/archive/"
    TRACK_CONFIG=$tmp/x/track.conf "$ingest" --defaults-file "$tmp/db/xday.cnf" --quiet
    rmdir "$tmp/x/archive/202404" 2>/dev/null || true
    f=$(xsql "SELECT COALESCE(SUM(failures), -1) FROM track_rollup_group WHERE day = '2024-04-10'")
    [ "$f" = "$((2 - st))" ] || fail "exec across midnight, stage $st: day 1 has $f failures, expected $((2 - st))"
    got=$(xsql "SELECT CONCAT_WS(' ', (SELECT COALESCE(SUM(runs), 0) FROM track_rollup_group WHERE day = '2024-04-12'),
                (SELECT COALESCE(SUM(runs), 0) FROM track_rollup_group WHERE day = '2024-04-13'),
                (SELECT COALESCE(SUM(failures), -1) FROM track_rollup_group WHERE day = '2024-04-08'))")
    want=$([ "$st" = 1 ] && echo "1 0 0" || echo "0 1 1")
    [ "$got" = "$want" ] || fail "a start that moves its row, stage $st: runs on 04-12, 04-13, failures on 04-08: $got, expected $want"
done
out=$(TRACK_CONFIG=$tmp/x/track.conf "$ingest" --verify-rollup --defaults-file "$tmp/db/xday.cnf") ||
    fail "exec across midnight: $out"
# job 77 has runs on four days (04-08, 04-10, 04-11, 04-13): `software`
# from the software roll-up counts it once (the days' counts less the
# repeats of the jobs that span days)
got=$(TRACK_CONFIG=$tmp/x/track.conf "$report" software --defaults-file "$tmp/db/xday.cnf" \
      --since 2024-04-01 --until 2024-05-01 --format csv | sed -n 2p | cut -d, -f1,6,7)
[ "$got" = "executables,4,1" ] || fail "a job across days in software: $got, expected executables,4,1"

# per-day numbers and the summary against the model
REPORT_ONLY=daily,summary,libraries python3 "$src/tests/report/check_reports.py" "$report" "$cnf" "$tmp/model.json"
