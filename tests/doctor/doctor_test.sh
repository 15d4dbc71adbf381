#!/bin/bash
# track-doctor against a real setup: a private config, spool, archive, a real
# MariaDB (tests/harness/mariadb.sh) migrated by the real track-ingest, a
# slurm.conf naming the build's Slurm scripts, the build's libtrack.so. First
# the correct setup must pass (exit 0, nothing on stderr); then each broken
# variant must exit 1 with a line naming the problem, and pass again once
# repaired. Root only (exit 77 otherwise): the spool and archive are root's.
#
#   doctor_test.sh DOCTOR INGEST LIBTRACK SLURM_SCRIPTS SRC
set -euo pipefail

skip() { echo "SKIP [doctor]: $*" >&2; exit 77; }
fail() { echo "FAIL [doctor]: $*" >&2; [ -f "$D/out" ] && sed 's/^/  out: /' "$D/out" >&2; \
         [ -f "$D/err" ] && sed 's/^/  err: /' "$D/err" >&2; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root (root-owned spool and archive)"
DOCTOR=$1 INGEST=$2 LIBTRACK=$3 SLURMDIR=$4 SRC=$5
PRELOAD=${TRACK_PRELOAD_PREFIX:+$TRACK_PRELOAD_PREFIX:}$LIBTRACK
export ASAN_OPTIONS=detect_leaks=0

D=$(mktemp -d /tmp/td.XXXXXX)
chmod 755 "$D"
cleanup() { bash "$SRC/tests/harness/mariadb.sh" stop "$D/db" >/dev/null 2>&1 || true; rm -rf "$D"; }
trap cleanup EXIT

getent group track >/dev/null || groupadd --system track
bash "$SRC/tests/harness/mariadb.sh" start "$D/db" >/dev/null
"$INGEST" --migrate --quiet --defaults-file "$D/db/client.cnf" --config /dev/null 2>/dev/null \
  || "$INGEST" --migrate --quiet --defaults-file "$D/db/client.cnf"

mkdir -m 1777 "$D/spool"
mkdir "$D/archive" "$D/archive/202611"
chgrp track "$D/archive" "$D/archive/202611"
chmod 2770 "$D/archive" "$D/archive/202611"
echo '{}' > "$D/archive/202611/x.json"
chgrp track "$D/archive/202611/x.json"; chmod 0640 "$D/archive/202611/x.json"
cat > "$D/track.conf" <<CONF
# a comment line
syshost = doctortest
spool_dir = $D/spool
archive_dir = $D/archive
db_option_file = $D/db/client.cnf
CONF
chmod 644 "$D/track.conf"
cat > "$D/slurm.conf" <<CONF
ClusterName=doctortest
Prolog=$SLURMDIR/prolog.sh
Epilog=$SLURMDIR/epilog.sh   # a comment
TaskProlog="$SLURMDIR/task-prolog.sh"
CONF

doctor() { # args... : runs the doctor on the private setup; sets $st
  st=0
  "$DOCTOR" --config "$D/track.conf" --check spool,libtrack,archive,database,slurm \
    --libtrack "$PRELOAD" --slurm-conf "$D/slurm.conf" --slurm-scripts "$SLURMDIR" "$@" \
    >"$D/out" 2>"$D/err" || st=$?
}
expect_ok() { # what
  doctor
  [ "$st" = 0 ] || fail "$1: exit $st, expected 0"
  [ ! -s "$D/err" ] || fail "$1: stderr not empty"
  grep -q '^all checks passed$' "$D/out" || fail "$1: no 'all checks passed'"
  echo "ok: $1"
}
expect_problem() { # what pattern : exit 1 and a stderr line matching pattern
  doctor
  [ "$st" = 1 ] || fail "$1: exit $st, expected 1"
  grep -q -- "$2" "$D/err" || fail "$1: no problem line matching '$2'"
  n=$(wc -l < "$D/err")
  grep -q "^$n problems\?$" "$D/out" || fail "$1: stderr has $n lines, the report says otherwise"
  echo "ok: $1: $(grep -m1 -- "$2" "$D/err")"
}

# --- the correct setup
expect_ok "correct setup"
grep -q "^  spool_dir *= $D/spool *(line 3)$" "$D/out" || fail "spool_dir not shown as set on line 3"
grep -q "^  after_ingest *= keep *(default)$" "$D/out" || fail "after_ingest not shown as a default"
grep -q "wrote a start and an end record" "$D/out" || fail "libtrack check did not see records"
grep -q "schema version .* (current)" "$D/out" || fail "schema not reported current"
[ -z "$(ls -A "$D/spool")" ] || fail "the libtrack check left something in the real spool"
ls /tmp/track-doctor.* >/dev/null 2>&1 && fail "a private directory was left in /tmp"

# --- JSON: every key of docs/config.md, with its source
doctor --json
[ "$st" = 0 ] || fail "--json: exit $st"
sed -n 's/^| `\([a-z_]*\)` |.*/\1/p' "$SRC/docs/config.md" | sort > "$D/doc_keys"
python3 - "$D/out" "$D/doc_keys" <<'PY' || fail "--json output"
import json, sys
d = json.load(open(sys.argv[1]))
keys = open(sys.argv[2]).read().split()
s = {x["key"]: x for x in d["config"]["settings"]}
assert d["ok"] is True and d["problems"] == 0, d
assert sorted(s) == sorted(keys), ("doctor keys differ from docs/config.md", sorted(s), keys)
assert s["spool_dir"]["source"] == "file" and s["spool_dir"]["line"] == 3, s["spool_dir"]
assert s["ranks"]["source"] == "default" and "line" not in s["ranks"], s["ranks"]
names = [c["name"] for c in d["checks"]]
assert names == ["config", "spool", "libtrack", "archive", "database", "slurm"], names
assert all(c["status"] == "ok" for c in d["checks"]), d["checks"]
PY
echo "ok: --json lists the $(wc -l < "$D/doc_keys") keys of docs/config.md with their sources"
# Every key is also in the example config (set or commented out).
while read -r k; do
  grep -q "^#\?$k = " "$SRC/etc/track.conf.example" || fail "key $k missing from etc/track.conf.example"
done < "$D/doc_keys"

# --- a bad config line
cp "$D/track.conf" "$D/track.conf.good"
echo "bogus_key = 1" >> "$D/track.conf"
expect_problem "bad config line" "track.conf:6: unknown key 'bogus_key'"
cp "$D/track.conf.good" "$D/track.conf"
sed -i 's/^archive_dir = .*/archive_dir = relative/' "$D/track.conf"
expect_problem "bad config value" "track.conf:4: archive_dir must be an absolute path"
cp "$D/track.conf.good" "$D/track.conf"
chmod 666 "$D/track.conf"
expect_problem "config writable by others" "track-epilog refuses a config"
chmod 644 "$D/track.conf"

# --- the spool
chown nobody "$D/spool"
expect_problem "spool owned by a user" "spool: .*/spool: owned by nobody"
chown root "$D/spool"; chmod 755 "$D/spool"
expect_problem "spool not sticky and world-writable" "mode 0755, must be 1777"
chmod 1777 "$D/spool"
mkdir -m 700 "$D/spool/4242"
expect_problem "a user directory of the wrong owner" "spool/4242: owned by root"
rmdir "$D/spool/4242"
expect_ok "spool repaired"

# --- libtrack
doctor --libtrack /nonexistent/libtrack.so
[ "$st" = 1 ] && grep -q "libtrack: /nonexistent/libtrack.so: No such file" "$D/err" \
  || fail "a missing libtrack.so is not named"
echo "ok: missing libtrack.so"

# --- the archive
chmod o+w "$D/archive/202611"
expect_problem "archive writable by others" "archive: .*/202611: mode 2772: writable by others"
chmod o-w "$D/archive/202611"
chmod 0644 "$D/archive/202611/x.json"
expect_problem "archive file readable by others" "may be read by others, e.g. .*/x.json (mode 0644"
chmod 0640 "$D/archive/202611/x.json"
chgrp root "$D/archive/202611"
expect_problem "archive month of the wrong group" "202611: group root (gid 0), must be archive_group track"
chgrp track "$D/archive/202611"; chmod 2770 "$D/archive/202611"
chown nobody "$D/archive"
expect_problem "archive owned by a user" "archive: .*/archive: not secure"
chown root "$D/archive"
expect_ok "archive repaired"

# --- the database
bash "$SRC/tests/harness/mariadb.sh" stop "$D/db" >/dev/null
expect_problem "stopped database" "database: cannot connect with option file $D/db/client.cnf, group \[track\]: Can't connect"
bash "$SRC/tests/harness/mariadb.sh" restart "$D/db" >/dev/null
expect_ok "database started again"
v=$(bash "$SRC/tests/harness/mariadb.sh" sql "$D/db" track -N -B -e "SELECT MAX(version) FROM track_schema_version")
bash "$SRC/tests/harness/mariadb.sh" sql "$D/db" track -e \
  "DELETE FROM track_schema_version; INSERT INTO track_schema_version (version) VALUES ($((v - 1)))"
expect_problem "old schema" "database: schema version $((v - 1)), this track expects $v: run track-ingest --migrate"
"$INGEST" --migrate --quiet --defaults-file "$D/db/client.cnf" --config "$D/track.conf"
expect_ok "schema migrated"
bash "$SRC/tests/harness/mariadb.sh" sql "$D/db" track -e "DROP TABLE track_schema_version"
expect_problem "no schema" "no track schema in this database: run track-ingest --migrate"
"$INGEST" --migrate --quiet --defaults-file "$D/db/client.cnf" --config "$D/track.conf"
chmod 644 "$D/db/client.cnf"
expect_problem "option file readable by others" "others may read the password"
chmod 600 "$D/db/client.cnf"

# --- slurm.conf
cp "$D/slurm.conf" "$D/slurm.conf.good"
sed -i '/^Epilog=/d' "$D/slurm.conf"
expect_problem "no Epilog in slurm.conf" "slurm: no Epilog= in $D/slurm.conf"
sed -i "s|^Prolog=.*|Prolog=/etc/slurm/other-prolog.sh|" "$D/slurm.conf"
expect_problem "another Prolog" "Prolog=/etc/slurm/other-prolog.sh (.*slurm.conf:2) does not run track's"
# A site Prolog that calls track's is fine; so is an Include.
printf '#!/bin/sh\n%s/prolog.sh\n' "$SLURMDIR" > "$D/site-prolog.sh"; chmod 755 "$D/site-prolog.sh"
{ echo "Prolog=$D/site-prolog.sh"; echo "Include epilog.conf"; echo "TaskProlog=$SLURMDIR/task-prolog.sh"; } > "$D/slurm.conf"
echo "Epilog=$SLURMDIR/epilog.sh" > "$D/epilog.conf"
expect_ok "site Prolog calling track's, Epilog from an Include"
cp "$D/slurm.conf.good" "$D/slurm.conf"

# --- several problems at once: one line each
chmod o+w "$D/archive/202611"; chown nobody "$D/spool"
doctor
[ "$st" = 1 ] && [ "$(wc -l < "$D/err")" = 2 ] || fail "two problems: exit $st, $(wc -l < "$D/err") lines"
echo "ok: two problems, two lines"
chmod o-w "$D/archive/202611"; chown root "$D/spool"

# --- usage errors
st=0; "$DOCTOR" --check bogus >/dev/null 2>&1 || st=$?
[ "$st" = 2 ] || fail "--check bogus: exit $st, expected 2"
echo "doctor: all checks passed"
