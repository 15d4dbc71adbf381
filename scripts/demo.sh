#!/usr/bin/env bash
# The whole of track on one machine, end to end:
#   installs missing Debian packages, builds, installs into a private prefix,
#   starts a private MariaDB and a private single-node Slurm (munge, slurmctld,
#   slurmd) whose Prolog, TaskProlog and Epilog are track's, creates a
#   non-root demo user, submits realistic jobs, waits for them, runs
#   track-ingest and prints the main reports, then tears everything down.
#
#   scripts/demo.sh           run it (as root; see below otherwise)
#   scripts/demo.sh --keep    leave the servers running and say how to reach them
#   scripts/demo.sh --build-dir DIR   install from an existing build instead of
#                             building (the e2e test passes its own build tree)
#   scripts/demo.sh --no-slurmdbd   a cluster without Slurm accounting: job facts
#                             come from the records alone
#   TRACK_DEMO_DIR=/tmp/td    where everything goes (keep it short: unix sockets)
#   TRACK_DEMO_LOOP_RUNS=N    runs per loop of the "loops" job (default 100; the
#                             bounded-spool run of issue 17: 12500, 100,000 runs)
#
# It writes $TRACK_DEMO_DIR/jobs.env (job ids by name) for the e2e test.
#
# Not root: it says so and runs a few programs tracked into a private spool,
# printing their records (no Slurm, no database: those need root here).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/deps.sh
. "$top/scripts/lib/deps.sh"

keep=0
build=
accounting=1
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1 ;;
    --no-slurmdbd) accounting=0 ;;
    --build-dir) [ $# -ge 2 ] || { echo "demo.sh: --build-dir needs a directory" >&2; exit 2; }
                 build=$(cd "$2" && pwd); shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "demo.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { echo "demo.sh: $*" >&2; exit 1; }

track_ensure_packages || die "cannot install the packages it needs"

demo=${TRACK_DEMO_DIR:-/tmp/track-demo}
prefix="$demo/prefix"
mkdir -p "$demo"
chmod 755 "$demo"

if [ -z "$build" ]; then
  build="$top/build/demo"
  say "build and install into $prefix"
  cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DTRACK_CONFIG_FILE="$demo/track.conf" -DBUILD_TESTING=OFF >/dev/null
  cmake --build "$build" -j"$(nproc)" >/dev/null
else
  say "install $build into $prefix"
fi
cmake --install "$build" --prefix "$prefix" >/dev/null
# Every component finds the config through TRACK_CONFIG, whatever path was
# compiled in; jobs inherit it from sbatch's environment.
export TRACK_CONFIG="$demo/track.conf"
libtrack="$prefix/lib/track/libtrack.so"
[ -f "$libtrack" ] || libtrack=$(find "$prefix" -name libtrack.so | head -n 1)
# Under the sanitizer build the runtime must be preloaded first.
preload=${TRACK_PRELOAD_PREFIX:+$TRACK_PRELOAD_PREFIX:}$libtrack
slurmdir=$(dirname "$(find "$prefix" -name task-prolog.sh | head -n 1)")
echo "installed: $(cd "$prefix" && find . -type f \( -name 'track-*' -o -name '*.so' -o -name ld \) | sort | tr '\n' ' ')"

# --------------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
  say "not root: no Slurm and no database here; running programs tracked instead"
  # A root-owned sticky directory is the only spool root libtrack accepts;
  # /dev/shm is one. Records go to /dev/shm/<uid>/nojob/.
  spool=/dev/shm
  cat > "$demo/track.conf" <<EOF
spool_dir = $spool
syshost = demo
EOF
  jobdir="$spool/$(id -u)/nojob"
  before=$(ls "$jobdir" 2>/dev/null | wc -l || true)
  LD_PRELOAD="$preload" sh -c 'ls / | sort | head -n 3 >/dev/null'
  LD_PRELOAD="$preload" python3 -c 'import decimal, json; print(json.dumps({"pi": str(decimal.Decimal(355)/113)}))'
  LD_PRELOAD="$preload" sh -c 'exit 3' || true
  say "records written to $jobdir ($(( $(ls "$jobdir" | wc -l) - before )) new)"
  for f in $(ls -t "$jobdir" | head -n 6); do
    echo "--- $f"; head -c 600 "$jobdir/$f"; echo
  done
  exit 0
fi

# --------------------------------------------------------------------------
# Root: the real thing. Servers a previous --keep left running are stopped
# (by the pids their harness recorded) and everything starts afresh.
bash "$top/tests/harness/slurm.sh" stop "$demo/slurm" >/dev/null 2>&1 || true
bash "$top/tests/harness/mariadb.sh" stop "$demo/db" >/dev/null 2>&1 || true
rm -rf "$demo/spool" "$demo/archive" "$demo/slurm" "$demo/db"
getent group track >/dev/null || groupadd --system track
id trackdemo >/dev/null 2>&1 || useradd -m -s /bin/bash trackdemo
cat > "$demo/track.conf" <<EOF
syshost = demo
spool_dir = $demo/spool
archive_dir = $demo/archive
archive_group = track
db_option_file = $demo/db/client.cnf
env = OMP_NUM_THREADS,SLURM_JOB_NAME,PYTHONPATH
slurm_accounting = $([ "$accounting" -eq 1 ] && echo yes || echo no)
# Small, so that the "loops" job goes past it (docs/libtrack.md "The budget").
job_max_records = 200
EOF
chmod 644 "$demo/track.conf"
chmod 755 "$demo"
# Slurm runs the scripts with no environment of ours: the settings file
# beside them names the config, the epilog binary and the library.
cat > "$slurmdir/track-slurm.conf" <<EOF
TRACK_CONFIG=$demo/track.conf
TRACK_EPILOG=$prefix/sbin/track-epilog
TRACK_PRELOAD=$preload
EOF

cleanup() {
  if [ "$keep" -eq 1 ]; then return; fi
  say "tear down"
  bash "$top/tests/harness/slurm.sh" stop "$demo/slurm" || true
  bash "$top/tests/harness/mariadb.sh" stop "$demo/db" || true
}
trap cleanup EXIT

say "private MariaDB"
bash "$top/tests/harness/mariadb.sh" start "$demo/db"
"$prefix/bin/track-ingest" --migrate --defaults-file "$demo/db/client.cnf"

say "private Slurm with track's Prolog, TaskProlog and Epilog$([ "$accounting" -eq 1 ] && echo ", slurmdbd on the same MariaDB")"
SLURM_DBD_MARIADB=$([ "$accounting" -eq 1 ] && echo "$demo/db") \
SLURM_PROLOG="$slurmdir/prolog.sh" \
SLURM_EPILOG="$slurmdir/epilog.sh" \
SLURM_TASKPROLOG="$slurmdir/task-prolog.sh" \
  bash "$top/tests/harness/slurm.sh" start "$demo/slurm"
# shellcheck disable=SC1091 # written by slurm.sh at run time
. "$demo/slurm/env"
export SLURM_CONF

say "jobs as user trackdemo"
work=/home/trackdemo/demo
runuser -u trackdemo -- mkdir -p "$work"
cat > "$work/hello.c" <<'EOF'
#include <math.h>
#include <stdio.h>
int main(void) { printf("hello from a self-built code: %.3f\n", sqrt(2.0)); return 0; }
EOF
chown trackdemo: "$work/hello.c"
# The spool root exists on every node from boot (tmpfiles.d or `track-epilog
# prepare`); the linker wrapper writes its link record there.
"$prefix/sbin/track-epilog" prepare --uid "$(id -u trackdemo)"
# Built through the watermark linker wrapper: its signature leads back here.
runuser -u trackdemo -- env TRACK_CONFIG="$demo/track.conf" \
  gcc -B "$prefix/libexec/track/" -O2 -o "$work/hello" "$work/hello.c" -lm
# An MPI program (Debian's Open MPI: mpicc, mpirun).
cat > "$work/mpi_hello.c" <<'EOF'
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int r, s; MPI_Init(&argc, &argv); MPI_Comm_rank(MPI_COMM_WORLD, &r);
  MPI_Comm_size(MPI_COMM_WORLD, &s); sleep(2); printf("rank %d of %d\n", r, s); MPI_Finalize();
  return argc > 1 && r == 0 ? atoi(argv[1]) : 0; }
EOF
chown trackdemo: "$work/mpi_hello.c"
runuser -u trackdemo -- mpicc -O2 -o "$work/mpi_hello" "$work/mpi_hello.c"
echo "hello=$work/hello" > "$demo/built.env"
echo "mpi_hello=$work/mpi_hello" >> "$demo/built.env"
echo "hello's watermark: $("$prefix/bin/track-elf" "$work/hello" | grep -i signature || true)"

submit() { # name sbatch-args... -- script
  local name=$1; shift
  runuser -u trackdemo -- env SLURM_CONF="$SLURM_CONF" TRACK_CONFIG="$TRACK_CONFIG" \
    ASAN_OPTIONS=detect_leaks=0 sbatch --parsable -J "$name" \
    -o "$work/$name.out" -D "$work" "$@"
}
declare -A jobs
jobs[pipeline]=$(submit pipeline --wrap 'ls /usr/lib | sort | uniq -c | sort -rn | head -n 3; grep -c model /proc/cpuinfo')
jobs[selfbuilt]=$(submit selfbuilt --wrap "OMP_NUM_THREADS=2 $work/hello")
# LOADEDMODULES is what environment modules (Lmod, Tcl modules) set.
jobs[python]=$(submit python --wrap "export LOADEDMODULES=gcc/12.2.0:python/3.11:openblas/0.3.21; /usr/bin/python3 -c 'import decimal, json, ctypes, sqlite3; print(json.dumps({\"pi\": str(decimal.Decimal(355)/113)}))'")
jobs[failing]=$(submit failing --wrap "/usr/bin/python3 -c 'import sys; sys.exit(3)'")
jobs[parallel]=$(submit parallel -n 2 --wrap 'srun -n 2 /bin/hostname')
jobs[timelimit]=$(submit timelimit --time=1 --wrap 'sleep 600')
# MPI: Open MPI's mpirun in a 2-task batch job (the program exits 3), and
# srun's PMIx plugin (the one Debian's Open MPI 4.1 works with).
jobs[mpirun]=$(submit mpirun -n 2 --wrap "mpirun -np 2 $work/mpi_hello 3")
jobs[srunmpi]=$(submit srunmpi -n 2 --wrap "srun --mpi=pmix -n 2 $work/mpi_hello")
jobs[nested]=$(submit nested --wrap "bash -c 'sh -c \"sleep 2; $work/hello\"'")
# 8 parallel shell loops of 100 short runs each: past job_max_records = 200
# the runs are tallied, not recorded (801 runs with the batch shell).
loop_runs=${TRACK_DEMO_LOOP_RUNS:-100}
[[ $loop_runs =~ ^[1-9][0-9]{0,6}$ ]] || die "TRACK_DEMO_LOOP_RUNS='$loop_runs': expected a number of runs, 1 to 9999999"
jobs[loops]=$(submit loops --wrap "for l in 1 2 3 4 5 6 7 8; do (i=0; while [ \$i -lt $loop_runs ]; do /bin/true; i=\$((i + 1)); done) & done; wait")
names="pipeline selfbuilt python failing parallel timelimit mpirun srunmpi nested loops"
: > "$demo/jobs.env"
for n in $names; do
  echo "submitted $n as job ${jobs[$n]}"
  echo "job_$n=${jobs[$n]}" >> "$demo/jobs.env"
done

say "waiting for the jobs (the time-limit job takes about 90 s)"
for n in $names; do
  st=$(bash "$top/tests/harness/slurm.sh" wait "$demo/slurm" "${jobs[$n]}" $((300 + loop_runs / 10)))
  echo "$n (job ${jobs[$n]}): $st"
done
state=$(sinfo -h -N -o %T)
echo "node state: $state"

# What ran outside jobs (the link of hello) waits in the nojob spool: on a
# real site a cron `track-epilog sweep` collects it.
"$prefix/sbin/track-epilog" sweep --min-age 0

say "archive after the Epilogs and the sweep"
# (awk, not head: head's early exit would kill sort with SIGPIPE under pipefail)
find "$demo/archive" -name '*.json' | sed "s|$demo/archive/||" | sort | awk 'NR <= 20' 
echo "($(find "$demo/archive" -name '*.json' | wc -l) records; spool now holds $(find "$demo/spool" -name '*.json' | wc -l))"

say "track-ingest"
"$prefix/bin/track-ingest" --defaults-file "$demo/db/client.cnf"

say "reports"
for r in summary executables libraries failures users modules; do
  echo "--- track-report $r"
  "$prefix/bin/track-report" "$r" --defaults-file "$demo/db/client.cnf" --limit 8
done
for r in jobs utilisation; do
  echo "--- track-report $r"
  "$prefix/bin/track-report" "$r" --defaults-file "$demo/db/client.cnf" --limit 12
done
echo "--- track-report job ${jobs[parallel]}"
"$prefix/bin/track-report" job "${jobs[parallel]}" --defaults-file "$demo/db/client.cnf"
echo "--- track-report who-used --library '*libm.so*'"
"$prefix/bin/track-report" who-used --library '*libm.so*' --defaults-file "$demo/db/client.cnf"
echo "--- track-report daily --by executable"
"$prefix/bin/track-report" daily --by executable --defaults-file "$demo/db/client.cnf" --limit 8
echo "--- track-ingest --verify-rollup"
"$prefix/bin/track-ingest" --verify-rollup --defaults-file "$demo/db/client.cnf"
echo "--- track-report dashboard -o $demo/www; track-report job ${jobs[parallel]} --format html"
mkdir -p "$demo/www"
"$prefix/bin/track-report" dashboard -o "$demo/www" --defaults-file "$demo/db/client.cnf"
"$prefix/bin/track-report" job "${jobs[parallel]}" --format html --defaults-file "$demo/db/client.cnf" \
  > "$demo/www/job-${jobs[parallel]}.html"
ls -l "$demo/www" | awk 'NR > 1 {print $5, $9}'

if [ "$keep" -eq 1 ]; then
  say "left running (--keep)"
  cat <<EOF
  export SLURM_CONF=$SLURM_CONF TRACK_CONFIG=$demo/track.conf
  $prefix/bin/track-report summary --defaults-file $demo/db/client.cnf
  mariadb --defaults-file=$demo/db/client.cnf --defaults-group-suffix= track
  stop:  bash $top/tests/harness/slurm.sh stop $demo/slurm; bash $top/tests/harness/mariadb.sh stop $demo/db
EOF
fi
