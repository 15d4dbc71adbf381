#!/bin/bash
# The demo's flow as a test: scripts/demo.sh --keep --build-dir <this build>
# installs into a private prefix, starts a private MariaDB and Slurm with
# track's Prolog/TaskProlog/Epilog, runs the demo jobs as a non-root user,
# collects and ingests. Then this script checks the database against facts
# it gets independently (job ids from sbatch, track-elf of the files on
# disk, the node state from sinfo), and that a second ingest of the same
# files changes nothing. Root only (exit 77 otherwise).
set -euo pipefail

skip() { echo "SKIP [e2e]: $*" >&2; exit 77; }
fail() { echo "FAIL [e2e]: $*" >&2; [ -f "$D/demo.log" ] && tail -n 40 "$D/demo.log" >&2; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root (Slurm daemons, a demo user)"
: "${E2E_SRC:?}" "${E2E_BUILD:?}"

D=$(mktemp -d /tmp/te.XXXXXX)
cleanup() {
  bash "$E2E_SRC/tests/harness/slurm.sh" stop "$D/slurm" >/dev/null 2>&1 || true
  bash "$E2E_SRC/tests/harness/mariadb.sh" stop "$D/db" >/dev/null 2>&1 || true
  rm -rf "$D"
}
trap cleanup EXIT

TRACK_DEMO_DIR=$D bash "$E2E_SRC/scripts/demo.sh" --keep --build-dir "$E2E_BUILD" \
  >"$D/demo.log" 2>&1 || fail "demo.sh failed"
# shellcheck disable=SC1091
. "$D/jobs.env"
# shellcheck disable=SC1091
. "$D/built.env"
# shellcheck disable=SC1091
. "$D/slurm/env"
export SLURM_CONF TRACK_CONFIG="$D/track.conf"
P=$D/prefix

q() { bash "$E2E_SRC/tests/harness/mariadb.sh" sql "$D/db" track -N -B -e "$1"; }
expect() { # description expected actual
  [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
  echo "ok: $1 = $3"
}

# The node never drained: every Epilog and Prolog exited 0.
expect "node state" idle "$(sinfo -h -N -o %T)"
# Nothing left in the spool: every record was collected.
expect "records left in the spool" 0 "$(find "$D/spool" -name '*.json' | wc -l)"

all_jobs="$job_pipeline $job_selfbuilt $job_python $job_failing $job_parallel $job_timelimit
          $job_mpirun $job_srunmpi $job_nested $job_loops"
# The bounded spool: the loops job (8 parallel loops of TRACK_DEMO_LOOP_RUNS,
# default 100, /bin/true and its batch shell) went past job_max_records =
# 200; every run is counted, recorded or tallied, and the Epilog left no
# tally file behind.
expect "tally files left in the spool" 0 "$(find "$D/spool" -name 'tally.*' | wc -l)"
loop_runs=${TRACK_DEMO_LOOP_RUNS:-100}
expect "runs of the loops job, recorded and tallied" $((8 * loop_runs + 1)) \
  "$(q "SELECT (SELECT COUNT(*) FROM track_run WHERE job_id='$job_loops') +
               (SELECT COALESCE(SUM(runs), 0) FROM track_tally WHERE job_id='$job_loops')")"
expect "the loops job's recorded runs are within its budget" 1 \
  "$(q "SELECT COUNT(*) <= 200 FROM track_run WHERE job_id='$job_loops'")"
expect "tallied runs of the loops job by /bin/true, exit 0" 1 \
  "$(q "SELECT SUM(runs) >= $((8 * loop_runs + 1 - 200)) FROM track_tally
          WHERE job_id='$job_loops' AND exit_class = 'ok' AND exe_path LIKE '%/true'")"
# The tally rows carry the job's partition as the Epilog had it from slurmd
# (SLURM_JOB_PARTITION): the same as the job's records (migration 0016).
expect "the loops job's tallies in its partition" 1 \
  "$(q "SELECT COUNT(*) > 0 AND MIN(t.\`partition\` = (SELECT MAX(r.\`partition\`) FROM track_run r
          WHERE r.job_id='$job_loops')) FROM track_tally t WHERE t.job_id='$job_loops'")"
# Every job has runs, all as the demo user, with its own job id.
for j in $all_jobs; do
  n=$(q "SELECT COUNT(*) FROM track_run WHERE job_id='$j'")
  [ "$n" -gt 0 ] || fail "job $j has no runs in the database"
  expect "users of job $j" trackdemo "$(q "SELECT GROUP_CONCAT(DISTINCT user) FROM track_run WHERE job_id='$j'")"
done
expect "runs with a uid other than trackdemo's" 0 \
  "$(q "SELECT COUNT(*) FROM track_run WHERE job_id IS NOT NULL AND uid <> $(id -u trackdemo)")"

# Exit statuses.
expect "python3 in the failing job exits 3" 3 \
  "$(q "SELECT exit_status FROM track_run WHERE job_id='$job_failing' AND exe_path LIKE '%python3%'")"
expect "failing runs in the pipeline job" 0 \
  "$(q "SELECT COUNT(*) FROM track_run WHERE job_id='$job_pipeline' AND (has_end=0 OR exit_status<>0)")"
for p in ls sort uniq head grep; do
  n=$(q "SELECT COUNT(*) FROM track_run WHERE job_id='$job_pipeline' AND exe_path LIKE '%/$p'")
  [ "$n" -ge 1 ] || fail "no run of $p in the pipeline job"
done

# The job killed at its time limit: sleep has no end record or ended on a signal.
expect "sleep killed at the time limit (no end, or a signal end)" 1 \
  "$(q "SELECT COUNT(*) FROM track_run WHERE job_id='$job_timelimit' AND exe_path LIKE '%/sleep'
        AND (has_end=0 OR term_signal IS NOT NULL)")"

# The parallel step: hostname recorded once (rank 0), with its task count.
expect "hostname runs in the parallel step" 1 \
  "$(q "SELECT COUNT(*) FROM track_run WHERE job_id='$job_parallel' AND exe_path LIKE '%/hostname'")"
expect "task count of that run" 2 \
  "$(q "SELECT num_tasks FROM track_run WHERE job_id='$job_parallel' AND exe_path LIKE '%/hostname'")"

# Slurm accounting: for every job, track's job row and step rows equal what
# sacct says (asked here directly, -P columns).
expect "slurm_accounting in the demo's config" 1 "${SLURM_ACCOUNTING:-0}"
for j in $all_jobs; do
  s=$(sacct -n -P -j "$j" -o JobIDRaw,State,ExitCode,ElapsedRaw,AllocCPUS,NTasks | awk -F'|' -v j="$j" '
      { split($2, st, " "); split($3, ec, ":"); id = $1; sub("^" j "\\.?", "", id)
        printf "%s|%s|%s|%s|%s|%s|%s\n", (id == "" ? "-" : id), st[1], ec[1], ec[2], $4, $5, ($6 == "" ? "-" : $6) }' | sort)
  t=$(q "SELECT '-', state, exit_code, exit_signal, elapsed, alloc_cpus, '-' FROM track_job WHERE job_id='$j'
         UNION ALL SELECT step_id, state, exit_code, exit_signal, elapsed, alloc_cpus, COALESCE(ntasks, '-')
         FROM track_job_step WHERE job_id='$j'" | tr '\t' '|' | sort)
  [ -n "$s" ] || fail "sacct knows nothing of job $j"
  expect "job $j and its steps, track vs sacct" "$s" "$t"
done
expect "state of the time-limit job" TIMEOUT "$(q "SELECT state FROM track_job WHERE job_id='$job_timelimit'")"
expect "state and exit code of the failing job" "FAILED 3" \
  "$(q "SELECT CONCAT(state, ' ', exit_code) FROM track_job WHERE job_id='$job_failing'")"
expect "tasks of the srun --mpi=pmix step" 2 \
  "$(q "SELECT ntasks FROM track_job_step WHERE job_id='$job_srunmpi' AND step_id='0'")"

# MPI: the program appears once per launch, as rank 0 of a world of 2
# (mpirun in a 2-task batch job; srun --mpi=pmix -n 2), not once per rank.
for j in "$job_mpirun" "$job_srunmpi"; do
  expect "mpi_hello runs in job $j (rank, world size)" "1 0 2" \
    "$(q "SELECT CONCAT(COUNT(*), ' ', MIN(mpi_rank), ' ', MIN(mpi_size)) FROM track_run
          WHERE job_id='$j' AND exe_path LIKE '%/mpi_hello'")"
done
expect "launcher of the mpirun job's rank" openmpi \
  "$(q "SELECT mpi_launcher FROM track_run WHERE job_id='$job_mpirun' AND exe_path LIKE '%/mpi_hello'")"
expect "the batch script of the mpirun job is one task" 1 \
  "$(q "SELECT MAX(num_tasks) FROM track_run WHERE job_id='$job_mpirun' AND exe_path NOT LIKE '%/mpi_hello'")"

# Core-hours (track-report jobs, JSON): for every job the tracked core-hours
# are at most the allocation, the facts come from Slurm, and the MPI jobs'
# type is the MPI program; in the mpirun job only the program counts (its
# run time x 2 ranks), not the shell or orterun around it.
"$P/bin/track-report" jobs --format json --defaults-file "$D/db/client.cnf" > "$D/jobs.json" ||
  fail "track-report jobs failed"
"$P/bin/track-report" summary --format json --defaults-file "$D/db/client.cnf" > "$D/summary.json" ||
  fail "track-report summary failed"
"$P/bin/track-report" utilisation --format json --defaults-file "$D/db/client.cnf" > "$D/util.json" ||
  fail "track-report utilisation failed"
mpi_cs=$(q "SELECT run_time * 2 FROM track_run WHERE job_id='$job_mpirun' AND exe_path LIKE '%/mpi_hello'")
python3 - "$D/jobs.json" "$D/summary.json" "$D/util.json" "$mpi_cs" "$job_mpirun" "$job_srunmpi" \
  "$job_nested" $all_jobs <<'PY' || fail "job core-hours"
import json, sys
from decimal import Decimal
jobs = json.load(open(sys.argv[1]), parse_float=Decimal)["rows"]
summ = json.load(open(sys.argv[2]), parse_float=Decimal)["rows"][0]
util = json.load(open(sys.argv[3]), parse_float=Decimal)["rows"]
mpi_cs, j_mpirun, j_srun, j_nested = Decimal(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7]
want = set(sys.argv[8:])
by = {r["job_id"]: r for r in jobs}
bad = []
if not want <= set(by):
    bad.append("jobs report lacks %s" % sorted(want - set(by)))
for j, r in by.items():
    if r["tracked_core_hours"] > r["alloc_core_hours"]:
        bad.append("job %s: tracked %s > allocated %s" % (j, r["tracked_core_hours"], r["alloc_core_hours"]))
    if r["source"] != "slurm":
        bad.append("job %s: source %s" % (j, r["source"]))
for j in (j_mpirun, j_srun):
    if by.get(j, {}).get("job_type") != "mpi_hello":
        bad.append("job %s: type %r, expected mpi_hello" % (j, by.get(j, {}).get("job_type")))
if by.get(j_nested, {}).get("job_type") != "sleep":
    bad.append("job %s (two nested shells): type %r, expected sleep" % (j_nested, by.get(j_nested, {}).get("job_type")))
got = by.get(j_mpirun, {}).get("tracked_core_hours", Decimal(-1))
if abs(got - mpi_cs / 3600) > Decimal("0.0001"):
    bad.append("mpirun job: tracked %s core-hours, expected mpi_hello's %s" % (got, mpi_cs / 3600))
if summ["job_source"] != "slurm" or summ["tracked_core_hours"] > summ["alloc_core_hours"]:
    bad.append("summary: %r" % summ)
if not any(u["section"] == "user" and u["name"] == "trackdemo" and u["jobs"] == len(by) for u in util):
    bad.append("utilisation: no trackdemo row with %d jobs" % len(by))
for b in bad:
    print("FAIL [e2e]: " + b, file=sys.stderr)
print("ok: %d jobs: tracked <= allocated, source slurm, MPI job types, mpirun job = its program" % len(by))
sys.exit(1 if bad else 0)
PY

# The self-built program: its watermark, as track-elf reads it from the file,
# is in its run and leads to its link record.
sig=$("$P/bin/track-elf" --json "$hello" | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d[0] if isinstance(d,list) else d; print(d.get("signature",""))')
[ -n "$sig" ] || fail "track-elf finds no signature in $hello"
expect "signature of the self-built run" "$sig" \
  "$(q "SELECT o.signature FROM track_run r JOIN track_object o ON o.id=r.exe_object_id WHERE r.job_id='$job_selfbuilt' AND r.exe_path='$hello'")"
expect "link record of that signature" 1 "$(q "SELECT COUNT(*) FROM track_link WHERE link_uuid='$sig'")"

# Libraries and build-ids of the python run (C extension modules loaded with
# dlopen included) match track-elf of the files on disk.
run=$(q "SELECT id FROM track_run WHERE job_id='$job_python' AND exe_path LIKE '%python3%' LIMIT 1")
[ -n "$run" ] || fail "no python3 run"
q "SELECT o.path, o.build_id FROM track_run_object ro JOIN track_object o ON o.id=ro.object_id
   WHERE ro.run_id=$run" > "$D/objects.tsv"
grep -q '_ctypes' "$D/objects.tsv" || fail "the dlopen'ed _ctypes module is not among the python run's objects"
grep -q '_decimal' "$D/objects.tsv" || fail "the dlopen'ed _decimal module is not among the python run's objects"
checked=0
while IFS=$'\t' read -r path bid; do
  [ -f "$path" ] || continue
  disk=$("$P/bin/track-elf" --json "$path" | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d[0] if isinstance(d,list) else d; print(d.get("build_id",""))')
  [ "$disk" = "$bid" ] || fail "$path: build-id $bid in the database, $disk on disk"
  checked=$((checked + 1))
done < "$D/objects.tsv"
[ "$checked" -ge 5 ] || fail "only $checked objects checked against track-elf"
echo "ok: $checked objects of the python run match track-elf"

# A second ingest of the same files changes nothing: put every loaded file
# back into the archive and ingest again.
sum() { q "CHECKSUM TABLE track_run, track_object, track_object_set, track_object_set_member,
           track_module_set, track_env_set, track_env_pair, track_link, track_job,
           track_job_step" | awk '{print $2}' | tr '\n' ' '; }
before=$(sum)
nfiles=0
for f in $(find "$D/archive/done" -name '*.json'); do
  month=$(basename "$(dirname "$f")")
  cp -p "$f" "$D/archive/$month/"
  nfiles=$((nfiles + 1))
done
[ "$nfiles" -gt 0 ] || fail "no ingested files in done/"
"$P/bin/track-ingest" --quiet --defaults-file "$D/db/client.cnf" || fail "second ingest failed"
expect "tables after a second ingest of $nfiles files" "$before" "$(sum)"
echo "e2e: all checks passed"
