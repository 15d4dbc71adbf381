#!/bin/bash
# track-epilog under a real Slurm: munged + slurmctld + slurmd started by
# tests/harness/slurm.sh in a private directory, with our prolog.sh,
# epilog.sh and task-prolog.sh (build-tree copies, pointing at the build
# tree's track-epilog and libtrack.so) and a private config (private spool
# and archive). A batch job runs as a non-root user (tracktest) and runs a
# few programs, tracked by libtrack.so preloaded by the TaskProlog. Asserts:
# the job's records arrive in the archive, the spool is empty afterwards,
# the node is idle, not drained; records of forged claims (another job,
# array task, cluster, host, a start a year before the job) are
# quarantined. Root only (exit 77 otherwise).
set -euo pipefail

skip() { echo "SKIP [epilog_slurm]: $*" >&2; exit 77; }
fail() { echo "FAIL [epilog_slurm]: $*" >&2; dump; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (munged, slurmd, a test user)"
: "${EP_BIN:?}" "${EP_SLURM_DIR:?}" "${EP_HARNESS:?}" "${EP_MKREC:?}"
for t in munged slurmctld slurmd sbatch scontrol sinfo setpriv; do
    command -v "$t" >/dev/null || skip "$t not installed (munge slurmctld slurmd slurm-client)"
done
TUSER=tracktest
if ! id "$TUSER" >/dev/null 2>&1; then
    useradd -m "$TUSER" || skip "cannot create user $TUSER"
fi
TUID=$(id -u "$TUSER")

W=$(mktemp -d /tmp/tsl.XXXXXX)          # short: unix sockets live below it
S=$(mktemp -d /dev/shm/tsl.XXXXXX)
chmod 755 "$W" "$S"
started=0
dump() {
    [ -d "$W" ] || return 0
    for f in "$W"/slurm/log/slurmd.log "$W"/out/*; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }
    done
    return 0
}
cleanup() {
    [ "$started" = 1 ] && bash "$EP_HARNESS" stop "$W/slurm" || true
    rm -rf "$W" "$S"
}
trap cleanup EXIT

# Private config: libtrack in the job and track-epilog in Prolog/Epilog
# both read it (TRACK_CONFIG).
cat > "$W/track.conf" <<EOF
spool_dir = $S/spool
archive_dir = $W/archive
archive_group = root
EOF
chmod 644 "$W/track.conf"

# The scripts as built, unmodified, plus the settings file beside them.
mkdir "$W/scripts"
cp "$EP_SLURM_DIR"/prolog.sh "$EP_SLURM_DIR"/epilog.sh "$EP_SLURM_DIR"/task-prolog.sh "$W/scripts/"
chmod 755 "$W/scripts"/*.sh
LIB=${EP_LIBTRACK:-}
if [ -n "$LIB" ] && [ -f "$LIB" ]; then
    USE_LIBTRACK=1
    PRELOAD=${TRACK_PRELOAD_PREFIX:+$TRACK_PRELOAD_PREFIX:}$LIB
else
    USE_LIBTRACK=0
    PRELOAD=
    echo "NOTE [epilog_slurm]: $LIB not built; the job writes records with ep_mkrec" >&2
fi
cat > "$W/scripts/track-slurm.conf" <<EOF
TRACK_CONFIG=$W/track.conf
${PRELOAD:+TRACK_PRELOAD=$PRELOAD}
EOF
chmod 644 "$W/scripts/track-slurm.conf"
# The test user must reach the build tree's binaries (and libtrack).
for f in "$EP_BIN" "$EP_MKREC" ${LIB:+"$LIB"}; do
    [ -e "$f" ] || continue
    runuser -u "$TUSER" -- test -r "$f" || fail "$TUSER cannot read $f (directory permissions)"
done
cp "$EP_MKREC" "$W/ep_mkrec"; chmod 755 "$W/ep_mkrec"

SLURM_PROLOG=$W/scripts/prolog.sh SLURM_EPILOG=$W/scripts/epilog.sh \
SLURM_TASKPROLOG=$W/scripts/task-prolog.sh \
    bash "$EP_HARNESS" start "$W/slurm" || fail "the Slurm harness did not start"
started=1
# shellcheck disable=SC1091
. "$W/slurm/env"
export SLURM_CONF

mkdir -m 1777 "$W/out"; chmod 1777 "$W/out"
cat > "$W/job.sh" <<EOF
#!/bin/bash
echo "LD_PRELOAD=\${LD_PRELOAD:-}"
if [ "$USE_LIBTRACK" = 0 ]; then
    d=$S/spool/\$(id -u)/\$SLURM_JOB_ID
    mkdir -p -m 700 "\$d"
    $W/ep_mkrec "\$d" 4 --uid \$(id -u) --user $TUSER --syshost "\$SLURM_CLUSTER_NAME" \
        --job "\$SLURM_JOB_ID" --time "\$(date +%s)" >/dev/null
fi
/bin/true
/bin/ls / > /dev/null
/usr/bin/id
srun /bin/hostname
EOF
chmod 755 "$W/job.sh"
submit() {
    runuser -u "$TUSER" -- env SLURM_CONF="$SLURM_CONF" TRACK_CONFIG="$W/track.conf" \
        ASAN_OPTIONS=detect_leaks=0 \
        sbatch --parsable -o "$W/out/job-%j.out" -D "$W/out" "$W/job.sh"
}
JOB=$(submit) || fail "sbatch failed"
state=$(bash "$EP_HARNESS" wait "$W/slurm" "$JOB" 120) || fail "job $JOB: $state"
[ "$state" = COMPLETED ] || fail "job $JOB ended $state"
grep -q "LD_PRELOAD=.*libtrack.so" "$W/out/job-$JOB.out" || [ "$USE_LIBTRACK" = 0 ] ||
    fail "the TaskProlog did not preload libtrack: $(head -1 "$W/out/job-$JOB.out")"

# Records in the archive: owned by the archive, of this job and user.
recs=$(find "$W/archive" -path "$W/archive/quarantine" -prune -o -name 'run.*.json' -print | sort)
nrec=$(printf '%s\n' "$recs" | grep -c . || true)
if [ "$USE_LIBTRACK" = 1 ]; then
    [ "$nrec" -ge 6 ] || fail "expected start and end records of >= 3 programs, got $nrec: $recs"
    for p in /usr/bin/true /usr/bin/ls /usr/bin/id /usr/bin/hostname; do
        grep -l "\"path\":\"$p\"" $recs >/dev/null || grep -l "\"path\":\"${p#/usr}\"" $recs >/dev/null ||
            fail "no record of $p"
    done
    for r in $recs; do
        grep -q "\"uid\":$TUID," "$r" || fail "$r: not uid $TUID"
        grep -q "\"id\":\"$JOB\"" "$r" || fail "$r: not job $JOB"
    done
else
    [ "$nrec" = 4 ] || fail "expected 4 records, got $nrec"
fi
q=$(find "$W/archive/quarantine" -type f | head -3)
[ -z "$q" ] || fail "quarantined: $q $(cat "$q"* 2>/dev/null | head -5)"
[ ! -e "$S/spool/$TUID/$JOB" ] || fail "job spool dir still there: $(ls -A "$S/spool/$TUID/$JOB")"
[ "$(stat -c %a:%u "$S/spool/$TUID")" = "700:$TUID" ] || fail "the Prolog did not prepare the user dir"
[ "$(stat -c %a:%u "$S/spool")" = "1777:0" ] || fail "spool root wrong"
[ "$(stat -c %a:%u "$S/spool/.track-jobs")" = "700:0" ] || fail "the Prolog made no stamp directory"
[ ! -e "$S/spool/.track-jobs/$JOB" ] || fail "the Epilog left job $JOB's stamp"
node_state=$(sinfo -h -N -o %T | head -1)
[ "$node_state" = idle ] || fail "node is '$node_state', not idle"

# An Epilog that meets a hostile spool still exits 0: plant a FIFO record
# in the next job's directory from inside the job; the node stays idle.
cat > "$W/job2.sh" <<EOF
#!/bin/bash
d=$S/spool/\$(id -u)/\$SLURM_JOB_ID
mkdir -p -m 700 "\$d"
mkfifo "\$d/run.x.2024_11_21_18_40_00_1234.u.aaa.01a1ff76-0000-7000-8000-000000000009.json"
ln -s /etc/shadow "\$d/run.x.2024_11_21_18_40_00_1234.u.zzz.01a1ff76-0000-7000-8000-000000000009.json"
/bin/true
EOF
chmod 755 "$W/job2.sh"
JOB2=$(runuser -u "$TUSER" -- env SLURM_CONF="$SLURM_CONF" TRACK_CONFIG="$W/track.conf" \
       ASAN_OPTIONS=detect_leaks=0 sbatch --parsable -o "$W/out/job-%j.out" -D "$W/out" "$W/job2.sh") ||
    fail "sbatch (job 2) failed"
state=$(bash "$EP_HARNESS" wait "$W/slurm" "$JOB2" 120) || fail "job $JOB2: $state"
[ "$state" = COMPLETED ] || fail "job $JOB2 ended $state"
[ ! -e "$S/spool/$TUID/$JOB2" ] || fail "job 2 spool dir still there: $(ls -lA "$S/spool/$TUID/$JOB2")"
node_state=$(sinfo -h -N -o %T | head -1)
[ "$node_state" = idle ] || fail "node is '$node_state' after a hostile spool, not idle"
# Forged claims (docs/trust.md), through the real Prolog and Epilog: an
# array task writes, besides libtrack's honest records, one record per
# forged claim. The Prolog's stamp (array ids from squeue, the start) and
# slurmd's environment (job id, partition, cluster) are what the Epilog
# checks them against: each forgery is quarantined naming its claim, the
# honest records are archived.
cat > "$W/job3.sh" <<EOF
#!/bin/bash
d=$S/spool/\$(id -u)/\$SLURM_JOB_ID
mkdir -p -m 700 "\$d"
now=\$(date +%s)
mk() {   # mk TAG [ep_mkrec options]: one record, an honest one but for the options
    local tag=\$1; shift
    $W/ep_mkrec "\$d" 1 --uid \$(id -u) --user $TUSER --syshost "\$SLURM_CLUSTER_NAME" \
        --job "\$SLURM_JOB_ID" --partition "\$SLURM_JOB_PARTITION" --time "\$now" \
        --array "\${SLURM_ARRAY_JOB_ID}_\$SLURM_ARRAY_TASK_ID" "\$@" > "$W/out/\$tag.\$SLURM_JOB_ID"
}
mk honest
mk job --job $JOB
mk task --array "\${SLURM_ARRAY_JOB_ID}_\$((SLURM_ARRAY_TASK_ID + 1))"
mk cluster --syshost othercluster
mk host --host othernode
mk start --time \$((now - 366 * 86400))
/bin/true
EOF
chmod 755 "$W/job3.sh"
JOB3=$(runuser -u "$TUSER" -- env SLURM_CONF="$SLURM_CONF" TRACK_CONFIG="$W/track.conf" \
       ASAN_OPTIONS=detect_leaks=0 sbatch --parsable -a 5 -o "$W/out/job-%j.out" -D "$W/out" "$W/job3.sh") ||
    fail "sbatch (job 3) failed"
state=$(bash "$EP_HARNESS" wait "$W/slurm" "$JOB3" 120) || fail "job $JOB3: $state"
[ "$state" = COMPLETED ] || fail "job $JOB3 ended $state"
t=$(ls "$W"/out/honest.* 2>/dev/null | head -1) || true
[ -n "$t" ] || fail "job 3 wrote no records: $(cat "$W"/out/job-"$JOB3"*.out)"
TJOB=${t##*.}    # the array task's own job id
[ -f "$W/archive/$(date +%Y%m)/$(cat "$W/out/honest.$TJOB")" ] || fail "job 3's honest record not archived"
if [ "$USE_LIBTRACK" = 1 ]; then
    grep -l "\"id\":\"$TJOB\"" $(find "$W/archive" -path "$W/archive/quarantine" -prune -o -name 'run.*.json' -print) |
        xargs grep -l '"path":"[^"]*/true"' >/dev/null || fail "job 3's libtrack record of true not archived"
fi
for c in "job:job.id: record claims job '$JOB'" "task:job.array_task: record claims" \
         "cluster:syshost: record claims 'othercluster'" "host:host: record claims 'othernode'" \
         "start:start_time: record claims .* before job $TJOB started"; do
    tag=${c%%:*}; pat=${c#*:}
    n=$(cat "$W/out/$tag.$TJOB")
    q=$(find "$W/archive/quarantine" -name "$n.reason" | head -1)
    [ -n "$q" ] || fail "forged $tag claim not quarantined ($n)"
    grep -q "^reason: $pat" "$q" || fail "forged $tag: reason $(grep '^reason' "$q")"
done
nq=$(find "$W/archive/quarantine" -name '*.reason' | wc -l)
[ "$nq" = 5 ] || fail "quarantine holds $nq records, expected the 5 forged ones"
[ ! -e "$S/spool/$TUID/$TJOB" ] || fail "job 3 spool dir still there: $(ls -A "$S/spool/$TUID/$TJOB")"
[ ! -e "$S/spool/.track-jobs/$TJOB" ] || fail "the Epilog left job $TJOB's stamp"
node_state=$(sinfo -h -N -o %T | head -1)
[ "$node_state" = idle ] || fail "node is '$node_state' after job 3, not idle"
echo "PASS [epilog_slurm]: job $JOB: $nrec records archived; job $JOB2 (FIFO + symlink) node idle;" \
     "array task $TJOB: 5 forged claims quarantined, honest records archived"
