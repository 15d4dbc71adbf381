#!/bin/bash
# The bounded spool end to end, without Slurm (a plain SLURM_JOB_ID): real
# programs under LD_PRELOAD in 8 parallel loops (lt_spawn) past a small
# job_max_records, the real track-epilog collect, the real track-ingest
# into a private MariaDB (tests/harness/mariadb.sh), the real track-report.
# Checks: summary's runs = what lt_spawn ran, tallied_runs = the tally
# file's count, core-hours = the recorded runs' plus the tally's to
# rounding; users, executables, failures, who-used and the daily roll-up
# (by day and by executable) agree, --account and --partition select the
# tallied runs by their job's (the Epilog's) account and partition, and
# the roll-up equals a recomputation; loading the archive again changes
# nothing (exactly once).
# The job reports count the tallied runs too: jobs' failures, tracked
# core-hours, span and job type equal those computed from the archived
# record files, and a job of tallied runs only (a tally file as libtrack
# writes it, ep_mktally, collected by the real Epilog) is a job there.
#   tally_test.sh LIBTRACK LT_SPAWN TALLY_DUMP TRACK_EPILOG TRACK_INGEST TRACK_REPORT EP_MKTALLY
# TALLY_TEST_RUNS (default 4000; the issue's run: 100000), TALLY_TEST_MAX (100).
set -euo pipefail
LIB=$1 SPAWN=$2 DUMP=$3 EP=$4 TI=$5 TR=$6 MKTALLY=$7
RUNS=${TALLY_TEST_RUNS:-4000}
MAX=${TALLY_TEST_MAX:-100}
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
HARNESS="$(cd "$(dirname "$0")/../harness" && pwd)/mariadb.sh"
T=$(mktemp -d /tmp/tt.XXXXXX)
started=
cleanup() {
    local rc=$?
    [ -n "$started" ] && "$HARNESS" stop "$T/db" >/dev/null 2>&1 || true
    rm -rf "$T"
    exit $rc
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

MARIADB_EXTRA_ARGS="--default-time-zone=+00:00" "$HARNESS" start "$T/db"; started=1
mkdir -m 1777 "$T/spool"; chmod 1777 "$T/spool"
cat > "$T/track.conf" <<CONF
spool_dir = $T/spool
archive_dir = $T/archive
archive_group = $(id -gn)
syshost = tallyhost
job_max_records = $MAX
db_option_file = $T/db/client.cnf
CONF
export TRACK_CONFIG=$T/track.conf
job=$T/spool/0/4711
pre=$LIB; [ -n "${TRACK_PRELOAD_PREFIX:-}" ] && pre="$TRACK_PRELOAD_PREFIX:$LIB"

SLURM_JOB_ID=4711 SLURM_JOB_ACCOUNT=acct1 SLURM_JOB_PARTITION=part1 LT_SPAWN_PRELOAD=$pre ASAN_OPTIONS=detect_leaks=0:handle_abort=0 \
    "$SPAWN" 8 $((RUNS / 8)) > "$T/spawn"
get() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
# One program that runs only past the budget: a path only ever tallied
# (no record, so no object in the database).
SLURM_JOB_ID=4711 SLURM_JOB_ACCOUNT=acct1 SLURM_JOB_PARTITION=part1 LD_PRELOAD=$pre \
    ASAN_OPTIONS=detect_leaks=0 /bin/echo tallied-only > /dev/null
"$DUMP" "$job/tally.slots" > "$T/tally"
grep -q "/echo " "$T/tally" || fail "echo was not tallied: $(cat "$T/tally")"
made=$(( $(get "$T/spawn" runs) + 1 ))
tallied=$(get "$T/tally" runs)
files=$(ls "$job" | wc -l)
echo "$made runs made, $tallied tallied, $files files in the job directory"
[ "$files" -le $((2 * MAX + 2)) ] || fail "$files files in the spool, budget $MAX"
# Core-seconds the spool holds: the end records' run_time (one core each)
# plus the tally's core time.
rec_cs=$(cat "$job"/run.*.zzz.* | python3 -c '
import json, sys
print(sum(json.loads(l)["run_time"] for l in sys.stdin if l.strip()))')
want_ch=$(python3 -c "print(round(($rec_cs + $(get "$T/tally" core_us) / 1e6) / 3600, 2))")

"$EP" --no-syslog --quiet collect --job 4711 --uid 0 --account acct1 --partition part1 ||
    fail "collect"
[ ! -e "$job" ] || fail "job directory still there: $(ls "$job" | head)"
"$TI" --migrate --quiet
"$TI" --no-progress --quiet
find "$T/archive/quarantine" -type f | grep -q . && fail "quarantined: $(find "$T/archive/quarantine" -name '*.reason' -exec cat {} +)"

since=$(date -u -d yesterday +%F)
summary() { "$TR" summary --since "$since" --format json; }
summary > "$T/s1"
python3 - "$T/s1" "$made" "$tallied" "$want_ch" <<'PY' || fail "summary: $(cat "$T/s1")"
import json, sys
row = json.load(open(sys.argv[1]))["rows"][0]
made, tallied, want = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
assert int(row["runs"]) == made, (row["runs"], made)
assert int(row["tallied_runs"]) == tallied, (row["tallied_runs"], tallied)
assert int(row["jobs"]) == 1 and int(row["users"]) == 1, row
assert abs(float(row["core_hours"]) - want) <= 0.011, (row["core_hours"], want)
# /bin/true, /bin/false (one path each, whatever /bin is), lt_spawn, echo
assert int(row["executables"]) == 4, row
print("summary: %s runs (%s tallied), %s core-hours" % (row["runs"], row["tallied_runs"], row["core_hours"]))
PY
"$TR" users --since "$since" --format json > "$T/u1"
python3 - "$T/u1" "$made" "$tallied" <<'PY' || fail "users: $(cat "$T/u1")"
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
assert len(rows) == 1 and int(rows[0]["runs"]) == int(sys.argv[2]), rows
assert int(rows[0]["tallied_runs"]) == int(sys.argv[3]) and int(rows[0]["jobs"]) == 1, rows
PY
# --account/--partition: the tally rows carry the job's (migration 0016).
for f in "--account acct1" "--partition part1" "--account other" "--partition other"; do
    # shellcheck disable=SC2086  # two words: option and value
    "$TR" summary --since "$since" --format json $f > "$T/sf"
    want=$made; [[ $f == *other ]] && want=0
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["rows"][0]; assert int(r["runs"]) == int(sys.argv[2]), r' \
        "$T/sf" "$want" || fail "summary $f: $(cat "$T/sf")"
done
# executables: "all runs" rankings count every run; serial/parallel only the
# recorded ones (a tally keeps no task count). failures: by class.
"$TR" executables --since "$since" --format json > "$T/e1"
"$TR" failures --since "$since" --format json > "$T/f1"
"$TR" who-used --since "$since" --library true --format json > "$T/w1"
python3 - "$T/e1" "$T/f1" "$T/w1" "$T/spawn" "$T/tally" <<'PY' || fail "executables/failures/who-used"
import json, sys
kv = lambda f: {l.split()[0]: l.split()[1] for l in open(f) if len(l.split()) == 2}
spawn, tally = kv(sys.argv[4]), kv(sys.argv[5])
made, tallied = int(spawn["runs"]) + 1, int(tally["runs"]) + int(tally["unknown"])
ex = json.load(open(sys.argv[1]))["rows"]
sec = lambda s: [r for r in ex if r["section"] == s]
allr = sec("all runs by runs")
assert sum(int(r["runs"]) for r in allr) == made, allr
assert all(int(r["jobs"]) == 1 and int(r["users"]) == 1 for r in allr), allr
ser = sum(int(r["runs"]) for r in sec("serial runs by runs") + sec("parallel runs by runs"))
assert ser == made - tallied, (ser, made, tallied)
fl = json.load(open(sys.argv[2]))["rows"]
failed = sum(int(r["failed"]) for r in fl)
want = int(spawn["runs_error"]) + int(spawn["runs_signal"]) + int(tally["unknown"])
assert failed == want, (failed, want, fl)
assert sum(int(r["nonzero_exit"]) for r in fl) >= int(spawn["runs_error"]), fl
wu = json.load(open(sys.argv[3]))["rows"]
kinds = {r["loaded_as"] for r in wu}
assert kinds == {"executable", "executable (tallied)"}, wu
assert sum(int(r["runs"]) for r in wu) == int(spawn["runs_ok"]), (wu, spawn)
print("executables: %d runs; failures: %d; who-used true: %d runs" % (made, failed, int(spawn["runs_ok"])))
PY
# The daily roll-up (migration 0012) counts the tallied runs too, and
# equals a recomputation from scratch.
"$TI" --verify-rollup > "$T/verify" 2>&1 || fail "verify-rollup: $(cat "$T/verify")"
"$TR" daily --since "$since" --format json > "$T/d1"
python3 - "$T/d1" "$made" <<'PY' || fail "daily: $(cat "$T/d1")"
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
assert sum(int(r["runs"]) for r in rows) == int(sys.argv[2]), rows
assert all(int(r["jobs"]) == 1 for r in rows), rows
PY
"$TR" daily --since "$since" --by executable --format json > "$T/d2"
python3 - "$T/d2" "$made" <<'PY' || fail "daily --by executable: $(cat "$T/d2")"
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
assert sum(int(r["runs"]) for r in rows) == int(sys.argv[2]), rows
assert all(r["executable"].startswith("/") for r in rows), rows
assert any(r["executable"].endswith("/echo") for r in rows), rows
PY
# Exactly once: every loaded file back into the archive and loaded again.
for d in "$T/archive/done"/*/; do cp -p "$d"* "$T/archive/$(basename "$d")/"; done
"$TI" --no-progress --quiet
summary > "$T/s2"
cmp -s <(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows"])' "$T/s1") \
       <(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows"])' "$T/s2") ||
    fail "a second load changed the summary: $(cat "$T/s2")"
"$TI" --verify-rollup > "$T/verify" 2>&1 || fail "verify-rollup after the reload: $(cat "$T/verify")"

# The job reports (track_jobs_prepare) count tallied runs: job 4712 has
# tallied runs only (3 of /bin/true on 2 cores, 1 of /usr/bin/false).
mkdir -m 700 "$T/spool/0/4712"
"$MKTALLY" "$T/spool/0/4712/tally.slots" 0 4712
"$EP" --no-syslog --quiet collect --job 4712 --uid 0 --account acct2 --partition part2 ||
    fail "collect of job 4712"
"$TI" --no-progress --quiet
"$TR" jobs --since "$since" --format json > "$T/j1"
"$TR" utilisation --since "$since" --format json > "$T/ut1"
python3 - "$T/j1" "$T/ut1" "$T/archive" <<'PY' || fail "jobs: $(cat "$T/j1")"
import json, os, sys
from decimal import Decimal as D
jobs = {r["job_id"]: r for r in json.load(open(sys.argv[1]))["rows"]}
util = json.load(open(sys.argv[2]))["rows"]
# the archived records, as the Epilog wrote them (loaded twice above: once each)
runs, tallies = {}, {}
for d, _, files in os.walk(sys.argv[3]):
    for f in files:
        if not f.endswith(".json") or "quarantine" in d:
            continue
        rec = json.loads(open(os.path.join(d, f), "rb").read())
        if rec["kind"] == "tally":
            tallies[rec["tally_uuid"]] = rec
        elif rec["kind"] in ("start", "end"):
            r = runs.setdefault(rec["run_uuid"], {})
            if rec["kind"] == "end" or "start_time" not in r:
                r.update(rec)
def expect(job):
    rs = [r for r in runs.values() if r.get("job", {}).get("id") == job]
    ts = [e for t in tallies.values() if t["job"]["id"] == job for e in t["tallies"]]
    fail = sum(1 for r in rs if r["kind"] == "end" and (r.get("signal") is not None or r.get("exit_status", 0) != 0))
    fail += sum(e["runs"] for e in ts if e["class"] != "ok")
    starts = [D(str(r["start_time"])) for r in rs] + [D(str(e["first_start"])) for e in ts if "first_start" in e]
    ends = [D(str(r.get("end_time", r["start_time"]))) for r in rs] + [D(str(e["last_start"])) for e in ts if "last_start" in e]
    cs = {}
    for r in rs:
        if r["kind"] == "end":
            n = r["exe"]["path"].rsplit("/", 1)[-1]
            cs[n] = cs.get(n, D(0)) + D(str(r["run_time"]))
    for e in ts:
        if e.get("path"):
            n = e["path"].rsplit("/", 1)[-1]
            cs[n] = cs.get(n, D(0)) + D(e.get("core_us", 0)) / 1000000
    top = max(cs.values())
    return {"failures": fail, "span": max(ends) - min(starts), "app_cs": sum(cs.values()),
            "job_type": min(n for n, v in cs.items() if v == top)}
for job in ("4711", "4712"):
    assert job in jobs, ("job %s missing from the jobs report" % job, sorted(jobs))
    row, want = jobs[job], expect(job)
    assert int(row["failures"]) == want["failures"], (job, row, want)
    assert row["job_type"] == want["job_type"], (job, row, want)
    assert abs(int(row["elapsed"]) - want["span"]) <= 1, (job, row, want)
    alloc = D(int(row["elapsed"]) * int(row["alloc_cpus"])) / 3600
    assert abs(D(str(row["alloc_core_hours"])) - alloc) <= D("0.00005"), (job, row, want)
    assert abs(D(str(row["tracked_core_hours"])) - min(want["app_cs"] / 3600, alloc)) <= D("0.0001"), (job, row, want)
    print("job %s: %s failures, type %s, elapsed %s s, tracked %s of %s core-hours" % (
        job, row["failures"], row["job_type"], row["elapsed"], row["tracked_core_hours"], row["alloc_core_hours"]))
# the job of tallies only: no first run to tell its state; 2 cores (its
# tally's core time over wall time)
assert jobs["4712"]["state"] == "UNKNOWN" and jobs["4712"]["alloc_cpus"] in (2, "2"), jobs["4712"]
assert jobs["4712"]["account"] == "acct2" and jobs["4712"]["partition"] == "part2", jobs["4712"]
assert jobs["4711"]["account"] == "acct1" and jobs["4711"]["partition"] == "part1", jobs["4711"]
users = [r for r in util if r["section"] == "user"]
assert len(users) == 1 and int(users[0]["jobs"]) == 2, util
accounts = {r["name"]: int(r["jobs"]) for r in util if r["section"] == "account"}
assert accounts == {"acct1": 1, "acct2": 1}, util
PY
echo ok
