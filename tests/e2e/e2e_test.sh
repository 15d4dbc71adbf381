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

# Every job has runs, all as the demo user, with its own job id.
for j in "$job_pipeline" "$job_selfbuilt" "$job_python" "$job_failing" "$job_parallel" "$job_timelimit"; do
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
           track_module_set, track_env_set, track_env_pair, track_link" | awk '{print $2}' | tr '\n' ' '; }
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
