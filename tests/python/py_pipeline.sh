#!/bin/bash
# Python package records through the whole chain: Debian's python3 with
# numpy and PyYAML tracked (libtrack + the hook) in a job's spool directory,
# track-epilog collect (a forged package record quarantined), track-ingest
# into a private MariaDB (tests/harness/mariadb.sh), again (nothing
# changes), then the reports.
#   py_pipeline.sh LIBTRACK HOOKDIR TRACK_EPILOG TRACK_INGEST TRACK_REPORT
set -euo pipefail

LIB=$1; HOOK=$2; EP=$3; TI=$4; TR=$5
HARNESS="$(cd "$(dirname "$0")/../harness" && pwd)/mariadb.sh"
PY=/usr/bin/python3
skip() { echo "SKIP [python pipeline]: $*" >&2; exit 77; }
fail() { echo "FAIL [python pipeline]: $*" >&2; exit 1; }
[ -x $PY ] && $PY -c 'import numpy, yaml' 2>/dev/null || skip "python3-numpy, python3-yaml missing"

T=$(mktemp -d /tmp/tpy.XXXXXX)
started=
cleanup() {
    local rc=$?
    [ -n "$started" ] && "$HARNESS" stop "$T/db" || true
    rm -rf "$T"
    exit $rc
}
trap cleanup EXIT
chmod 755 "$T"

"$HARNESS" start "$T/db"; started=1
SPOOL=$T/spool; A=$T/archive
mkdir -m 1777 "$SPOOL"; chmod 1777 "$SPOOL"
cat > "$T/track.conf" <<CONF
spool_dir = $SPOOL
archive_dir = $A
archive_group = $(id -gn)
syshost = pyhost
db_option_file = $T/db/client.cnf
CONF
chmod 644 "$T/track.conf"
export TRACK_CONFIG=$T/track.conf
sql() { "$HARNESS" sql "$T/db" track -N -B -e "$1"; }
expect() { [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"; echo "ok: $1 = $3"; }

# run JOB USER PROGRAM: a tracked Python run with the hook, in JOB
run() {
    env -i PATH=/usr/bin:/bin HOME="$T" USER="$2" TRACK_CONFIG="$TRACK_CONFIG" \
        SLURM_JOB_ID="$1" SLURM_CLUSTER_NAME=pyhost PYTHONPATH="$HOOK" \
        LD_PRELOAD="${TRACK_PRELOAD_PREFIX:+$TRACK_PRELOAD_PREFIX:}$LIB" \
        ASAN_OPTIONS=detect_leaks=0 $PY -c "$3" >/dev/null
}
U=$(id -u)
run 501 alice 'import numpy, yaml'
run 501 alice 'import numpy, yaml'          # the same packages: the same set
run 501 alice 'import yaml'
run 502 alice 'import numpy'
run 502 alice 'import json'                 # no distribution: an empty set
JD=$SPOOL/$U/501
expect "package records in job 501" 3 "$(find "$JD" -name 'pkg.*' | wc -l)"
# A forged package record in job 501's directory claiming job 999: the
# Epilog's job check applies to package records too.
f=$(find "$JD" -name 'pkg.*' | head -1)
fu=01234567-89ab-7def-8001-0203040506aa
sed -e 's/"id":"501"/"id":"999"/' -e "s/\"run_uuid\":\"[0-9a-f-]*\"/\"run_uuid\":\"$fu\"/" "$f" \
    > "$JD/$(basename "$f" | sed "s/[0-9a-f-]\{36\}\.json$/$fu.json/")"

"$EP" --no-syslog --quiet collect --job 501 --uid "$U" 2>"$T/ep.err" || true
grep -q "quarantined: job.id: record claims job '999', collected from job 501" "$T/ep.err" ||
    fail "forged package record not quarantined: $(cat "$T/ep.err")"
"$EP" --no-syslog --quiet collect --job 502 --uid "$U" 2>>"$T/ep.err" || true
expect "records left in the spool" 0 "$(find "$SPOOL" -name '*.json' | wc -l)"
expect "package records archived" 5 "$(find "$A" -path '*/quarantine' -prune -o -name 'pkg.*.json' -print | wc -l)"

"$TI" --migrate >/dev/null
out=$("$TI" --no-progress 2>&1) || fail "track-ingest: $out"
echo "$out"
echo "$out" | grep -q "5 package records)" || fail "summary: $out"
expect "python runs" 5 "$(sql 'SELECT COUNT(*) FROM track_py_run')"
expect "each python run has its run" 5 "$(sql 'SELECT COUNT(*) FROM track_py_run p JOIN track_run r
    ON r.run_uuid = p.run_uuid AND r.uid = p.uid AND r.syshost = p.syshost')"
nv=$($PY -c 'import numpy; print(numpy.__version__)')
expect "packages stored once" "PyYAML $(dpkg-query -W -f='${Version}' python3-yaml | cut -d- -f1),numpy $nv" \
    "$(sql "SELECT GROUP_CONCAT(CONCAT(name,' ',version) ORDER BY name SEPARATOR ',') FROM track_py_package")"
expect "distinct package sets" 4 "$(sql 'SELECT COUNT(*) FROM track_py_package_set')"
expect "set of the two numpy+yaml runs" 1 "$(sql "SELECT COUNT(DISTINCT package_set_id) FROM track_py_run
    WHERE npackages = 2")"
expect "empty set" 0 "$(sql "SELECT npackages FROM track_py_run p JOIN track_run r ON r.run_uuid = p.run_uuid
    WHERE r.job_id = '502' AND p.npackages = 0")"
expect "sources" system "$(sql 'SELECT GROUP_CONCAT(DISTINCT source) FROM track_py_package_set_member')"
expect "jobs, interpreter" "501 3.11 system,502 3.11 system" "$(sql "SELECT GROUP_CONCAT(DISTINCT CONCAT(job_id,' ',
    SUBSTRING_INDEX(py_version,'.',2),' ',py_environment) ORDER BY job_id SEPARATOR ',') FROM track_py_run")"

# Loading the same files again: duplicates, nothing changes.
dump() { sql "SELECT HEX(p.run_uuid), p.uid, p.job_id, p.py_version, HEX(p.py_executable), s.skey,
    (SELECT GROUP_CONCAT(k.name, k.version, m.source ORDER BY k.name) FROM track_py_package_set_member m
       JOIN track_py_package k ON k.id = m.package_id WHERE m.set_id = p.package_set_id)
    FROM track_py_run p JOIN track_py_package_set s ON s.id = p.package_set_id ORDER BY 1"; }
d1=$(dump)
find "$A/done" -name 'pkg.*.json' | while read -r f; do cp -p "$f" "$A/$(basename "$(dirname "$f")")/"; done
out=$("$TI" --no-progress 2>&1) || fail "track-ingest again: $out"
echo "$out" | grep -q "loaded 5 records (0 new runs, 0 merged, 5 duplicates, 0 links, 0 package records)" ||
    fail "second load: $out"
[ "$(dump)" = "$d1" ] || fail "database changed by loading the package records again"
echo "ok: loading again changes nothing"

if [ -n "$TR" ] && "$TR" --help 2>/dev/null | grep -q packages; then
    . "$(dirname "$0")/py_reports.sh"
fi
echo "python pipeline: ok"
