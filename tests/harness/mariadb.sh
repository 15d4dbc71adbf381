#!/bin/bash
# A private MariaDB for tests (docs: /work/shared/notes/real-servers.md).
#
#   mariadb.sh start DIR        datadir, socket, pid, log under DIR (keep DIR
#                               short: unix sockets are limited to 108 bytes);
#                               random free port on 127.0.0.1; database `track`;
#                               writes DIR/client.cnf ([client] + [track]).
#   mariadb.sh createdb DIR DB  another database; writes DIR/DB.cnf whose
#                               [track] group selects it (one DB per test).
#   mariadb.sh sql DIR DB       runs the mariadb client on DB (stdin / args).
#   mariadb.sh restart DIR      starts the server again on the existing datadir
#                               (after stop: tests of a server that went away).
#   mariadb.sh stop DIR         shutdown, then waits for exactly the pid it
#                               started (kill -9 of that pid as a last resort).
#
# MARIADB_EXTRA_ARGS (unquoted, split on blanks) adds server options (bench).
# DIR/env holds MARIADB_SOCKET, MARIADB_PORT, MARIADB_PID for sourcing.
# --no-defaults must come first (else /etc/mysql moves the socket).
set -euo pipefail

die() { echo "mariadb.sh: $*" >&2; exit 1; }

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: mariadb.sh start|stop|createdb|sql DIR [DB]"

write_cnf() { # file db
    cat > "$1" <<CNF
[client]
socket=$dir/sock
user=root
[track]
database=$2
CNF
    chmod 600 "$1"
}

case "$cmd" in
start|restart)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ ${#dir} -lt 90 ] || die "$dir: path too long for a unix socket"
    [ ! -e "$dir/pid" ] || die "$dir: a server seems to run already (pid file $dir/pid)"
    # A private tmpdir: concurrent bootstraps sharing /tmp collide on their
    # temporary tables ("Unknown table 'mysql.tmp_user_sys'").
    mkdir -p "$dir/tmp"
    [ "$cmd" = restart ] || mariadb-install-db --no-defaults --datadir="$dir/data" --tmpdir="$dir/tmp" --user=root \
        --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 \
        || die "mariadb-install-db failed, see $dir/install.log"
    for attempt in 1 2 3 4 5 6 7 8; do
        port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
        mariadbd --no-defaults --user=root --datadir="$dir/data" --tmpdir="$dir/tmp" --socket="$dir/sock" \
            --port="$port" --bind-address=127.0.0.1 --skip-name-resolve --skip-log-bin \
            --pid-file="$dir/pid" --log-error="$dir/error.log" \
            --innodb-buffer-pool-size=128M --innodb-log-file-size=64M ${MARIADB_EXTRA_ARGS:-} \
            --innodb-flush-log-at-trx-commit=1 --max-connections=50 \
            </dev/null >/dev/null 2>&1 &
        pid=$!
        for _ in $(seq 1 300); do
            if mariadb-admin --no-defaults --socket="$dir/sock" -uroot ping >/dev/null 2>&1; then
                break 2
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        # Did not come up (port taken?): make sure it is gone, try another port.
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        rm -f "$dir/pid"
        pid=
    done
    [ -n "${pid:-}" ] || die "mariadbd did not start, see $dir/error.log"
    printf 'MARIADB_SOCKET=%q\nMARIADB_PORT=%q\nMARIADB_PID=%q\n' "$dir/sock" "$port" "$pid" > "$dir/env"
    [ "$cmd" = restart ] && exit 0
    mariadb --no-defaults --socket="$dir/sock" -uroot \
        -e "CREATE DATABASE IF NOT EXISTS track CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" \
        || die "cannot create database track"
    write_cnf "$dir/client.cnf" track
    ;;
createdb)
    db=${3:?database name}
    [[ $db =~ ^[A-Za-z0-9_]+$ ]] || die "bad database name '$db'"
    mariadb --no-defaults --socket="$dir/sock" -uroot \
        -e "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" \
        || die "cannot create database $db"
    write_cnf "$dir/$db.cnf" "$db"
    ;;
sql)
    db=${3:?database name}; shift 3
    exec mariadb --no-defaults --socket="$dir/sock" -uroot "$db" "$@"
    ;;
stop)
    [ -f "$dir/env" ] || exit 0
    # shellcheck disable=SC1091
    . "$dir/env"
    mariadb-admin --no-defaults --socket="$MARIADB_SOCKET" -uroot shutdown >/dev/null 2>&1 || true
    for _ in $(seq 1 200); do
        kill -0 "$MARIADB_PID" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$MARIADB_PID" 2>/dev/null; then
        kill -9 "$MARIADB_PID" 2>/dev/null || true
    fi
    wait "$MARIADB_PID" 2>/dev/null || true
    rm -f "$dir/env" "$dir/pid"
    ;;
*)
    die "unknown command '$cmd'"
    ;;
esac
