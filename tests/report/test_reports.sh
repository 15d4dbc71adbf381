#!/usr/bin/env bash
# Report test: generates the fixed dataset (gen_dataset.py), loads it with
# the real track-ingest into a private MariaDB (tests/harness/mariadb.sh,
# time zone +00:00 so report dates are UTC days), then check_reports.py runs
# every report and compares it with values computed from the dataset model.
#
#   test_reports.sh TRACK_INGEST TRACK_REPORT SOURCE_DIR
set -euo pipefail
ingest=$1 report=$2 src=$3
harness=$src/tests/harness/mariadb.sh
tmp=$(mktemp -d /tmp/trp.XXXXXX)   # short: the socket path must fit 108 bytes
cleanup() { "$harness" stop "$tmp/db" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT

MARIADB_EXTRA_ARGS="--default-time-zone=+00:00" "$harness" start "$tmp/db"
python3 "$src/tests/report/gen_dataset.py" "$tmp/archive" "$tmp/model.json"
printf 'archive_dir = %s\n' "$tmp/archive" > "$tmp/track.conf"
export TRACK_CONFIG=$tmp/track.conf
"$ingest" --migrate --defaults-file "$tmp/db/client.cnf" --quiet
"$ingest" --defaults-file "$tmp/db/client.cnf" --quiet
if find "$tmp/archive" -path '*quarantine*' -type f | grep -q .; then
    echo "test_reports: track-ingest quarantined dataset files:" >&2
    find "$tmp/archive" -path '*quarantine*' -name '*.reason' -exec cat {} + >&2
    exit 1
fi
# a server that is not there: the report must fail with exit 1, one line
printf '[client]\nsocket=%s/no-such-socket\nuser=root\n[track]\ndatabase=track\n' "$tmp" > "$tmp/bad.cnf"
export REPORT_BAD_CNF=$tmp/bad.cnf
export TRACK_INGEST_BIN=$ingest   # check_reports refreshes the software roll-up with rules
python3 "$src/tests/report/check_reports.py" "$report" "$tmp/db/client.cnf" "$tmp/model.json" \
    mariadb --no-defaults --socket="$tmp/db/sock" -uroot track
