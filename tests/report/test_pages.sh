#!/usr/bin/env bash
# The HTML pages in a real browser: the report dataset (gen_dataset.py) is
# loaded by the real track-ingest; `track-report dashboard -o DIR` and `job N
# --format html` write their pages; headless Chromium renders each to a PNG
# (it must not be blank and must show the charts' colours) and dumps its DOM,
# which must hold the totals `summary --format json` prints for the window
# (dashboard) and the job's runs, ends and libraries (`job --format json`).
# The pages must be self-contained: no script, no src/href, no url().
#
#   test_pages.sh TRACK_INGEST TRACK_REPORT SOURCE_DIR
set -euo pipefail
ingest=$1 report=$2 src=$3
harness=$src/tests/harness/mariadb.sh
command -v chromium >/dev/null || { echo "test_pages: chromium not installed (scripts/lib/deps.sh)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/trh.XXXXXX)
cleanup() { "$harness" stop "$tmp/db" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "test_pages: $*" >&2; exit 1; }

MARIADB_EXTRA_ARGS="--default-time-zone=+00:00" "$harness" start "$tmp/db"
python3 "$src/tests/report/gen_dataset.py" "$tmp/archive" "$tmp/model.json"
printf 'archive_dir = %s\n' "$tmp/archive" > "$tmp/track.conf"
export TRACK_CONFIG=$tmp/track.conf
cnf=$tmp/db/client.cnf
"$ingest" --migrate --defaults-file "$cnf" --quiet
"$ingest" --defaults-file "$cnf" --quiet
win=(--since 2024-03-01 --until 2024-03-31)

# browser PAGE PNG DOM: screenshot and DOM of a local file, private profile
browser() {
    local args=(--headless --no-sandbox --disable-gpu --user-data-dir="$tmp/chrome"
                --window-size=1400,3000)
    timeout 300 chromium "${args[@]}" --screenshot="$2" "file://$1" 2>/dev/null ||
        fail "chromium could not render $1"
    timeout 300 chromium "${args[@]}" --dump-dom "file://$1" > "$3" 2>/dev/null ||
        fail "chromium could not dump $1"
    [ -s "$2" ] && [ -s "$3" ] || fail "chromium wrote no screenshot or DOM for $1"
}
selfcontained() {
    ! grep -Eiq '<script|<link|<img|<iframe|src=|href=|url\(|@import' "$1" ||
        fail "$1 refers to something outside itself: $(grep -Eio '<script|<link|<img|<iframe|src=|href=|url\(|@import' "$1" | head -1)"
}

# the dashboard
mkdir "$tmp/www"
"$report" dashboard -o "$tmp/www" "${win[@]}" --defaults-file "$cnf"
[ -f "$tmp/www/index.html" ] && [ ! -e "$tmp/www/.index.html.tmp" ] || fail "no index.html (or a temp file left)"
selfcontained "$tmp/www/index.html"
browser "$tmp/www/index.html" "$tmp/dash.png" "$tmp/dash.dom"
# the bars of the first three series of the stacked charts and the failures chart
python3 "$src/tests/report/check_pages.py" png "$tmp/dash.png" 0.02 4e79a7 f28e2b e15759 76b7b2
"$report" summary "${win[@]}" --defaults-file "$cnf" --format json > "$tmp/summary.json"
mapfile -t pats < <(python3 - "$tmp/summary.json" <<'PY'
import json, re, sys
from decimal import Decimal
doc = json.load(open(sys.argv[1]), parse_float=Decimal)
row = doc["rows"][0]
for k in doc["columns"]:
    print('<td class="n" id="total-%s">%s</td>' % (re.escape(k), re.escape(str(row[k]))))
print(re.escape("track: %s to %s" % (doc["since"], doc["until"])))
PY
)
[ "${#pats[@]}" -ge 10 ] || fail "summary JSON gave too few totals"
python3 "$src/tests/report/check_pages.py" dom "$tmp/dash.dom" "${pats[@]}" \
    'id="core-hours-by-executable"' 'id="core-hours-by-user"' 'id="failures-per-day"' \
    'id="top-executables"' 'id="top-libraries"' 'id="top-modules"' 'id="top-users"' \
    '<svg[^>]*>' '/usr/lib/x86_64-linux-gnu/libc\.so\.6' 'gcc/12\.2'

# the installed cron line and the systemd unit's command, as written (the
# default window: the last 30 days, empty here), into a directory of their own
for f in "$src/report/systemd/track-dashboard.cron" "$src/report/systemd/track-dashboard.service"; do
    line=$(grep -E '^(ExecStart=|[0-9*])' "$f" | grep track-report | sed -E 's/^ExecStart=//; s/^([^ ]+ ){6}//')
    [ -n "$line" ] || fail "$f: no track-report command line"
    read -r -a cmd <<<"$line"
    [ "${cmd[0]}" = /usr/local/bin/track-report ] && [ "${cmd[1]}" = dashboard ] || fail "$f: $line"
    out=$tmp/cron-$(basename "$f"); mkdir "$out"
    "$report" "${cmd[@]:1:2}" "$out" "${cmd[@]:4}" --defaults-file "$cnf" ||
        fail "$f: the command failed: $line"
    grep -q 'id="total-runs">0<' "$out/index.html" || fail "$f: no page for the last 30 days"
done

# the job page: the job with the most runs
job=$(python3 - "$tmp/model.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8", errors="surrogateescape"))
jobs = {}
for r in m["runs"]:
    if r["job"] and r["syshost"] == "alpha":
        jobs[r["job"]["id"]] = jobs.get(r["job"]["id"], 0) + 1
print(max(jobs, key=lambda j: (jobs[j], j)))
PY
)
"$report" job "$job" --syshost alpha --format html --defaults-file "$cnf" > "$tmp/job.html"
"$report" job "$job" --syshost alpha --format json --defaults-file "$cnf" > "$tmp/job.json"
selfcontained "$tmp/job.html"
browser "$tmp/job.html" "$tmp/job.png" "$tmp/job.dom"
python3 "$src/tests/report/check_pages.py" png "$tmp/job.png" 0.01 4e79a7 f28e2b
mapfile -t pats < <(python3 - "$tmp/job.json" <<'PY'
import json, re, sys
rows = json.load(open(sys.argv[1]))["rows"]
failed = sum(1 for r in rows if r["end"] not in ("exit 0", "exec"))
print('id="job-runs">%d<' % len(rows))
print('id="job-failed">%d<' % failed)
for r in rows:   # each program's row: its pid, then its end, in tree order
    print(re.escape(">%s</td>" % r["pid"]) + ".*?" + re.escape(">%s</td>" % r["end"]))

PY
)
python3 "$src/tests/report/check_pages.py" dom "$tmp/job.dom" "${pats[@]}" \
    "track: job $job on alpha" 'id="libraries-table"' '/usr/lib/x86_64-linux-gnu/libc\.so\.6' \
    'id="modules-table"' '<svg[^>]*>'
echo "test_pages: dashboard and job $job rendered and checked"
