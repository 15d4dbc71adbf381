#!/bin/bash
# A private single-node Slurm (munged + slurmctld + slurmd) for tests and
# demos (facts: /work/shared/notes/real-servers.md). Root only.
#
#   slurm.sh start DIR   munge key/socket, slurm.conf, state, spool, logs and
#                        pid files under DIR (keep DIR short: unix sockets
#                        are limited to 108 bytes); random free ports; node
#                        named `hostname -s`, partition `test`. Optional
#                        environment: SLURM_PROLOG, SLURM_EPILOG,
#                        SLURM_TASKPROLOG (absolute script paths),
#                        SLURM_EXTRA_CONF (more slurm.conf lines),
#                        SLURM_DBD_MARIADB (a running tests/harness/mariadb.sh
#                        DIR: also start slurmdbd on that server, database
#                        slurm_acct, cluster registered, so that sacct
#                        works; without it accounting is off).
#                        Waits until the node is idle. Writes DIR/env:
#                        SLURM_CONF, SLURM_NODE, SLURM_PARTITION, MUNGE_SOCKET,
#                        SLURM_CLUSTER, SLURM_ACCOUNTING (1 or 0) and the
#                        daemons' pids, for sourcing.
#   slurm.sh stop DIR    scontrol shutdown, SIGTERM to munged, then waits for
#                        exactly the pids it started (SIGKILL after 15 s).
#   slurm.sh wait DIR JOBID [TIMEOUT]
#                        waits until the job has finished and its Epilog has
#                        run (no longer PENDING/RUNNING/COMPLETING); prints
#                        the final JobState.
#
# Every daemon runs in the foreground, started here with `&`, so the pid we
# record is the daemon's own: stop never looks processes up by name.
set -euo pipefail

die() { echo "slurm.sh: $*" >&2; exit 1; }
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: slurm.sh start|stop|wait DIR [JOBID]"
[ "$(id -u)" = 0 ] || die "needs root (munged runs as munge, slurmd as root)"

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pid_alive PID: running and not a zombie.
pid_alive() {
    local st
    [ -r "/proc/$1/stat" ] || return 1
    st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    [ "$st" != Z ] && [ -n "$st" ]
}

wait_gone() { # pid seconds
    local i
    for i in $(seq 1 $(( $2 * 10 ))); do
        pid_alive "$1" || return 0
        sleep 0.1
    done
    return 1
}

start() {
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ ${#dir} -lt 70 ] || die "$dir: path too long for unix sockets (keep it under 70 bytes)"
    [ ! -e "$dir/env" ] || die "$dir: already started (remove $dir/env after a stop)"
    for t in munged mungekey slurmctld slurmd scontrol sinfo setpriv; do
        command -v "$t" >/dev/null || die "$t not found (packages munge slurmctld slurmd slurm-client)"
    done
    # munged runs as munge and refuses keys/sockets in places others could
    # write: the munge dir is its own, its parents must be traversable.
    chmod 755 "$dir"
    mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
    chown munge:munge "$dir/munge"
    chmod 755 "$dir/munge"
    rm -f "$dir/munge/munge.key"   # a key left by an earlier run: mungekey will not overwrite it
    mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null 2>&1 ||
        die "mungekey --create failed"
    chown munge:munge "$dir/munge/munge.key"
    chmod 600 "$dir/munge/munge.key"
    setpriv --reuid=munge --regid=munge --init-groups \
        munged --foreground --socket="$dir/munge/sock" --key-file="$dir/munge/munge.key" \
        --log-file="$dir/munge/munged.log" --pid-file="$dir/munge/munged.pid" \
        --seed-file="$dir/munge/munged.seed" </dev/null >"$dir/log/munged.out" 2>&1 &
    echo $! > "$dir/munged.ownpid"
    for _ in $(seq 1 100); do [ -S "$dir/munge/sock" ] && break; sleep 0.05; done
    [ -S "$dir/munge/sock" ] || die "munged did not start, see $dir/munge/munged.log $dir/log/munged.out"

    local node line ctl_port d_port dbd_port=0 acct_conf db_sock=""
    if [ -n "${SLURM_DBD_MARIADB:-}" ]; then
        command -v slurmdbd >/dev/null || die "slurmdbd not found (packages slurmdbd slurm-wlm-mysql-plugin)"
        [ -f "$SLURM_DBD_MARIADB/env" ] || die "$SLURM_DBD_MARIADB: no running MariaDB (mariadb.sh start first)"
        db_sock=$(. "$SLURM_DBD_MARIADB/env" && echo "$MARIADB_SOCKET")
    fi
    node=$(hostname -s)
    line=$(slurmd -C | head -1)
    case "$line" in NodeName=*) ;; *) die "slurmd -C printed '$line'" ;; esac
    for _ in $(seq 1 50); do
        ctl_port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
        d_port=$((ctl_port + 1))
        dbd_port=$((ctl_port + 2))
        port_free "$ctl_port" && port_free "$d_port" && port_free "$dbd_port" && break
    done
    acct_conf="AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none"
    if [ -n "$db_sock" ]; then
        # slurmctld talks to slurmdbd through munge, but AuthInfo=socket= is
        # not used for that connection: AccountingStoragePass names the socket.
        acct_conf="AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$dbd_port
AccountingStoragePass=$dir/munge/sock
JobAcctGatherType=jobacct_gather/linux"
    fi
    cat > "$dir/slurm.conf" <<EOF
ClusterName=tracktest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctl_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/sock
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
$acct_conf
JobCompType=jobcomp/none
SelectType=select/cons_tres
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
MinJobAge=300
${SLURM_PROLOG:+Prolog=$SLURM_PROLOG}
${SLURM_EPILOG:+Epilog=$SLURM_EPILOG}
${SLURM_TASKPROLOG:+TaskProlog=$SLURM_TASKPROLOG}
${SLURM_EXTRA_CONF:-}
$line NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF=$dir/slurm.conf
    [ -z "$db_sock" ] || start_dbd "$node" "$dbd_port" "$db_sock"
    slurmctld -D -c -f "$dir/slurm.conf" </dev/null >"$dir/log/slurmctld.out" 2>&1 &
    echo $! > "$dir/slurmctld.ownpid"
    for _ in $(seq 1 100); do
        scontrol ping 2>/dev/null | grep -q "is UP" && break
        pid_alive "$(cat "$dir/slurmctld.ownpid")" || die "slurmctld died, see $dir/log/slurmctld.log"
        sleep 0.1
    done
    scontrol ping 2>/dev/null | grep -q "is UP" || die "slurmctld not up, see $dir/log/slurmctld.log"
    slurmd -D -f "$dir/slurm.conf" </dev/null >"$dir/log/slurmd.out" 2>&1 &
    echo $! > "$dir/slurmd.ownpid"
    local state=""
    for _ in $(seq 1 150); do
        state=$(sinfo -h -N -o %T 2>/dev/null | head -1)
        [ "$state" = idle ] && break
        pid_alive "$(cat "$dir/slurmd.ownpid")" || die "slurmd died, see $dir/log/slurmd.log"
        sleep 0.1
    done
    [ "$state" = idle ] || die "node state '$state', not idle; see $dir/log/slurmd.log"
    cat > "$dir/env" <<EOF
SLURM_CONF=$dir/slurm.conf
SLURM_NODE=$node
SLURM_PARTITION=test
MUNGE_SOCKET=$dir/munge/sock
SLURM_CLUSTER=tracktest
SLURM_ACCOUNTING=$([ -n "$db_sock" ] && echo 1 || echo 0)
SLURMDBD_PID=$(cat "$dir/slurmdbd.ownpid" 2>/dev/null || echo "")
SLURMCTLD_PID=$(cat "$dir/slurmctld.ownpid")
SLURMD_PID=$(cat "$dir/slurmd.ownpid")
MUNGED_PID=$(cat "$dir/munged.ownpid")
EOF
}

# start_dbd NODE PORT MARIADB_SOCKET: slurmdbd in the foreground, the
# cluster registered. slurmdbd reads slurmdbd.conf beside $SLURM_CONF (mode
# 0600, owned by SlurmUser, else fatal) and has no socket option: the client
# library takes MYSQL_UNIX_PORT from the environment.
start_dbd() {
    cat > "$dir/slurmdbd.conf" <<EOF
AuthType=auth/munge
AuthInfo=socket=$dir/munge/sock
DbdHost=$1
DbdAddr=127.0.0.1
DbdPort=$2
SlurmUser=root
PidFile=$dir/slurmdbd.pid
LogFile=$dir/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=root
StorageLoc=slurm_acct
EOF
    chmod 600 "$dir/slurmdbd.conf"
    MYSQL_UNIX_PORT=$3 slurmdbd -D </dev/null >"$dir/log/slurmdbd.out" 2>&1 &
    echo $! > "$dir/slurmdbd.ownpid"
    local i
    for i in $(seq 1 300); do
        port_free "$2" || break
        pid_alive "$(cat "$dir/slurmdbd.ownpid")" || die "slurmdbd died, see $dir/log/slurmdbd.log"
        sleep 0.1
    done
    ! port_free "$2" || die "slurmdbd not listening on $2, see $dir/log/slurmdbd.log"
    for i in $(seq 1 50); do
        sacctmgr -i add cluster tracktest >/dev/null 2>&1 || true
        sacctmgr -n -P list cluster format=cluster 2>/dev/null | grep -qx tracktest && return 0
        sleep 0.2
    done
    die "cannot register the cluster with slurmdbd, see $dir/log/slurmdbd.log"
}

stop() {
    dir=$(cd "$dir" && pwd)
    local p
    export SLURM_CONF=$dir/slurm.conf
    if [ -f "$dir/slurmctld.ownpid" ] && pid_alive "$(cat "$dir/slurmctld.ownpid")"; then
        timeout 10 scontrol shutdown >/dev/null 2>&1 || true
    fi
    for f in slurmd slurmctld slurmdbd munged; do
        [ -f "$dir/$f.ownpid" ] || continue
        p=$(cat "$dir/$f.ownpid")
        pid_alive "$p" || continue
        # scontrol shutdown stops slurmctld and slurmd; TERM whatever is left.
        wait_gone "$p" 3 || kill -TERM "$p" 2>/dev/null || true
        wait_gone "$p" 15 || { kill -KILL "$p" 2>/dev/null || true; wait_gone "$p" 5 || true; }
    done
    rm -f "$dir/env"
}

wait_job() {
    local job=${3:?job id} limit=${4:-120} state=""
    dir=$(cd "$dir" && pwd)
    export SLURM_CONF=$dir/slurm.conf
    for _ in $(seq 1 $(( limit * 10 ))); do
        state=$(scontrol show job "$job" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
        case "$state" in
        ""|PENDING|RUNNING|COMPLETING|CONFIGURING|SUSPENDED) ;;
        *) echo "$state"; return 0 ;;
        esac
        sleep 0.1
    done
    echo "TIMEOUT($state)"
    return 1
}

case "$cmd" in
start) start ;;
stop) stop ;;
wait) wait_job "$@" ;;
*) die "unknown command '$cmd'" ;;
esac
