#!/bin/bash
# Runs inside install_test.sh's fresh root (an overlay of the host's / in a
# private mount namespace): install, upgrade, the pipeline against the
# installed files, purge. Everything here uses the installed paths and the
# installed config; the test harness only starts MariaDB and Slurm.
#
#   in_root.sh TMP DIST V2 V3 SRC
set -euo pipefail
T=$1 DIST=$2 V2=$3 V3=$4 SRC=$5
export DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin
fail() { echo "FAIL: $*" >&2; for l in "$T"/*.log; do [ -f "$l" ] && tail -n 5 "$l" | sed "s|^|  $(basename "$l"): |" >&2; done; exit 1; }
ok() { echo "ok: $*"; }
H=$SRC/tests/harness
debs() { ls "$1"/track-common_*.deb "$1"/track-node_*.deb "$1"/track-db_*.deb "$1"/track-build_*.deb; }
stop_servers() {
  bash "$H/slurm.sh" stop /tmp/ps >/dev/null 2>&1 || true
  bash "$H/mariadb.sh" stop /tmp/pd >/dev/null 2>&1 || true
}
trap stop_servers EXIT

# --- install v1; the layout is the documented one (docs/packaging.md)
dpkg -i $(debs "$DIST") </dev/null >"$T/dpkg1.log" 2>&1 || fail "dpkg -i"
for f in /etc/track/track.conf /usr/sbin/track-doctor /usr/sbin/track-epilog \
         /usr/lib/x86_64-linux-gnu/track/libtrack.so /usr/libexec/track/slurm/prolog.sh \
         /usr/libexec/track/slurm/epilog.sh /usr/libexec/track/slurm/task-prolog.sh \
         /usr/lib/tmpfiles.d/track.conf /usr/bin/track-ingest /usr/bin/track-report \
         /usr/share/track/sql/reports/summary.sql /lib/systemd/system/track-ingest.timer \
         /usr/share/track/ingest/track-ingest.cron /usr/bin/track-elf /usr/bin/track-stamp \
         /lib/systemd/system/track-dashboard.timer /usr/share/track/report/track-dashboard.cron \
         /usr/libexec/track/ld /usr/share/man/man5/track.conf.5.gz; do
  [ -e "$f" ] || fail "$f not installed"
done
[ "$(dpkg-query -W -f='${Conffiles}' track-common | awk '{print $1}')" = /etc/track/track.conf ] ||
  fail "/etc/track/track.conf is not a conffile"
grep -q '/usr/bin/track-ingest' /lib/systemd/system/track-ingest.service || fail "service names another track-ingest"
for f in /lib/systemd/system/track-dashboard.service /usr/share/track/report/track-dashboard.cron; do
  grep -q '/usr/bin/track-report dashboard' "$f" || fail "$f names another track-report"
done
ok "installed $(dpkg-query -W -f='${Version}' track-common): $(dpkg -L track-common track-node track-db track-build | grep -c '^/.*[^/]$' ) paths"

# --- the administrator's change survives upgrades
sed -i 's/^#syshost = .*/syshost = pkgtest/' /etc/track/track.conf
grep -q '^syshost = pkgtest$' /etc/track/track.conf || fail "could not edit the config"
cp /etc/track/track.conf "$T/conf.admin"
# v2: the packaged config did not change. No question, no force option.
dpkg -i $(debs "$V2") </dev/null >"$T/dpkg2.log" 2>&1 || fail "upgrade to v2"
cmp -s /etc/track/track.conf "$T/conf.admin" || fail "upgrade to v2 changed the config"
ok "upgrade to $(dpkg-query -W -f='${Version}' track-common) kept the changed config, no question asked"
# v3: the packaged config changed too. Unattended upgrades keep the admin's
# (--force-confold) and leave the new one as track.conf.dpkg-dist.
dpkg -i --force-confdef --force-confold $(debs "$V3") </dev/null >"$T/dpkg3.log" 2>&1 || fail "upgrade to v3"
cmp -s /etc/track/track.conf "$T/conf.admin" || fail "upgrade to v3 changed the config"
grep -q 'gained in' /etc/track/track.conf.dpkg-dist || fail "no track.conf.dpkg-dist with the packaged config"
ok "upgrade to $(dpkg-query -W -f='${Version}' track-common) with a changed packaged config kept the admin's; new one in track.conf.dpkg-dist"
rm -f /etc/track/track.conf.dpkg-dist

# --- the database host, as docs/packaging.md says
made_group=0 made_user=0
getent group track >/dev/null || { groupadd --system track; made_group=1; }
id track >/dev/null 2>&1 || { useradd --system -g track -d /nonexistent -s /usr/sbin/nologin track; made_user=1; }
id pkguser >/dev/null 2>&1 && fail "user pkguser exists already"
useradd -m -s /bin/bash pkguser
bash "$H/mariadb.sh" start /tmp/pd >"$T/mariadb.log" 2>&1 || fail "mariadb"
install -m 0640 -o root -g track /tmp/pd/client.cnf /etc/track/my.cnf   # the config's db_option_file
track-ingest --migrate >"$T/migrate.log" 2>&1 || fail "track-ingest --migrate"
ok "track-ingest --migrate with the installed config and /etc/track/my.cnf"

# --- a compute node: slurm.conf names the installed scripts, nothing else
SLURM_PROLOG=/usr/libexec/track/slurm/prolog.sh SLURM_EPILOG=/usr/libexec/track/slurm/epilog.sh \
SLURM_TASKPROLOG=/usr/libexec/track/slurm/task-prolog.sh \
  bash "$H/slurm.sh" start /tmp/ps >"$T/slurm.log" 2>&1 || fail "slurm"
# shellcheck disable=SC1091
. /tmp/ps/env; export SLURM_CONF
job=$(runuser -u pkguser -- env SLURM_CONF="$SLURM_CONF" sbatch --parsable -D /tmp -o /dev/null \
      --wrap 'ls / >/dev/null; /usr/bin/python3 -c "import json"; sh -c "exit 3" || true')
st=$(bash "$H/slurm.sh" wait /tmp/ps "$job" 120)
[ "$st" = COMPLETED ] || fail "job $job: $st"
[ "$(sinfo -h -N -o %T)" = idle ] || fail "node not idle after the job: $(sinfo -h -N -o %T)"
n=$(find /var/lib/track/archive -name '*.json' | wc -l)
if [ "$n" -lt 4 ]; then
  { ls -la /var/lib/track; track-epilog --no-syslog sweep --min-age 0; } 2>&1 | sed -n 1,20p
  fail "only $n records in /var/lib/track/archive"
fi
[ "$(stat -c %U:%G:%a /dev/shm/track)" = root:root:1777 ] || fail "spool root $(stat -c %U:%G:%a /dev/shm/track)"
ok "job $job as pkguser: $n records in /var/lib/track/archive via the installed Prolog/TaskProlog/Epilog"

# --- the ingester as the service account, then reports
runuser -u track -- track-ingest --quiet >"$T/ingest.log" 2>&1 || fail "track-ingest as track"
q() { bash "$H/mariadb.sh" sql /tmp/pd track -N -B -e "$1"; }
[ "$(q "SELECT COUNT(*) FROM track_run WHERE job_id='$job' AND exe_path='/usr/bin/ls' AND syshost='pkgtest'")" = 1 ] ||
  fail "no ls run of job $job with syshost pkgtest in the database"
[ "$(q "SELECT exit_status FROM track_run WHERE job_id='$job' AND exe_path LIKE '%python3%'")" = 0 ] ||
  fail "python3 run missing"
track-report job "$job" >"$T/report.log" 2>&1 || fail "track-report job"
grep -q '/usr/bin/ls' "$T/report.log" || fail "track-report job does not show ls"
track-report summary --format json >"$T/summary.log" 2>&1 || fail "track-report summary"
ok "ingested as user track; track-report job/summary from /usr/share/track/sql"

# --- track-doctor with no option: both roles are installed here
track-doctor >"$T/doctor.out" 2>"$T/doctor.err" || { cat "$T/doctor.out" "$T/doctor.err"; fail "track-doctor exit $?"; }
for c in config spool libtrack archive database slurm; do
  grep -q "^$c: ok$" "$T/doctor.out" || fail "track-doctor: $c not ok"
done
ok "track-doctor (no options): $(tail -n 1 "$T/doctor.out")"
chmod o+w /var/lib/track/archive
st=0; track-doctor >/dev/null 2>"$T/doctor.err" || st=$?
[ "$st" = 1 ] && grep -q "archive: .*writable by others" "$T/doctor.err" || fail "track-doctor missed an archive writable by others"
chmod o-w /var/lib/track/archive

# --- man pages, installed and found by man
for p in track-ingest track-report track-elf track-stamp track-epilog track-doctor track.conf; do
  # man -w finds it the way `man NAME` does; -l renders without leaving
  # a formatted copy in /var/cache/man (man-db's cache, not ours).
  f=$(man -w "$p") || fail "man does not find $p"
  MANWIDTH=80 man -l "$f" 2>/dev/null | grep -q '^NAME' || fail "man $p"
done
ok "man finds and renders every page"

# --- remove, then purge. Site data (archive, option file, accounts) is the
# administrator's: it goes first, as on a host being retired.
stop_servers
rm -rf /var/lib/track/archive /etc/track/my.cnf /dev/shm/track /tmp/pd /tmp/ps
userdel -r pkguser 2>/dev/null
[ "$made_user" = 0 ] || userdel track
[ "$made_group" = 0 ] || groupdel track
dpkg -r track-build track-db track-node track-common </dev/null >"$T/remove.log" 2>&1 || fail "dpkg -r"
[ -f /etc/track/track.conf ] || fail "remove (not purge) dropped the conffile"
dpkg -P track-build track-db track-node track-common </dev/null >"$T/purge.log" 2>&1 || fail "dpkg -P"
for p in /etc/track /usr/libexec/track /usr/share/track /usr/lib/x86_64-linux-gnu/track /var/lib/track; do
  [ ! -e "$p" ] || fail "$p left after purge: $(find "$p" | head -n 5 | tr '\n' ' ')"
done
ok "removed (config kept), then purged"
echo "in_root: all checks passed"
