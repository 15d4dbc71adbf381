#!/bin/bash
# Upgrading the database host: `track-ingest --migrate` is the only step.
# A database made and loaded by an older track-ingest (built here from the
# source of an older commit: TRACK_UPGRADE_FROM, default dbf1ec3, the last
# commit before the packages) is migrated by this one; then nothing loaded
# before has changed, the new ingester goes on loading (end halves of runs
# the old one loaded merge into their rows), reports work, track-doctor says
# the schema is current. Skipped (77) when that commit is not in the clone.
#
#   migrate_test.sh TRACK_INGEST GEN_RECORDS TRACK_DOCTOR TRACK_REPORT SRC
set -euo pipefail
TI=$1 GEN=$2 DOCTOR=$3 REPORT=$4 SRC=$5
skip() { echo "SKIP [migrate]: $*" >&2; exit 77; }
fail() { echo "FAIL [migrate]: $*" >&2; exit 1; }
newest() { ls "$1" | sed -n 's/^\([0-9]\{4\}\)_.*/\1/p' | sort | tail -n 1; }
FROM=${TRACK_UPGRADE_FROM:-dbf1ec3}
git -C "$SRC" cat-file -e "$FROM^{commit}" 2>/dev/null ||
  skip "commit $FROM is not in this clone (shallow?); set TRACK_UPGRADE_FROM"
# When that commit already has this tree's newest migration, upgrade from the
# commit before that migration came, so there is always one to run.
if [ -z "${TRACK_UPGRADE_FROM:-}" ] &&
   git -C "$SRC" ls-tree --name-only "$FROM" sql/migrations/ | grep -q "/$(newest "$SRC/sql/migrations")_"; then
  added=$(git -C "$SRC" log --diff-filter=A --format=%H -n 1 -- "sql/migrations/$(newest "$SRC/sql/migrations")_*")
  FROM=$(git -C "$SRC" rev-parse --short "$added^")
fi
H=$SRC/tests/harness/mariadb.sh
T=$(mktemp -d /tmp/tu.XXXXXX)
cleanup() { bash "$H" stop "$T/db" >/dev/null 2>&1 || true; rm -rf "$T"; }
trap cleanup EXIT
export ASAN_OPTIONS=detect_leaks=0

# --- the old track-ingest, from the old source
mkdir -p "$T/old"
git -C "$SRC" archive "$FROM" | tar -x -C "$T/old"
cmake -S "$T/old" -B "$T/oldb" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
  -DTRACK_WERROR=OFF >"$T/old.log" 2>&1 || { tail -n 20 "$T/old.log"; fail "old configure"; }
cmake --build "$T/oldb" --target track-ingest -j"${TRACK_TEST_JOBS:-2}" >>"$T/old.log" 2>&1 ||
  { tail -n 20 "$T/old.log"; fail "old build"; }
OLD=$T/oldb/ingest/track-ingest
old_v=$(newest "$T/old/sql/migrations" | sed 's/^0*//')
new_v=$(newest "$SRC/sql/migrations" | sed 's/^0*//')
[ "$old_v" -lt "$new_v" ] || fail "$FROM has schema $old_v, this tree $new_v: nothing to migrate"
echo "ok: track-ingest of $FROM built (schema $old_v); this tree's schema is $new_v"

bash "$H" start "$T/db" >/dev/null
A=$T/archive
mkdir -p "$A"; chmod 2770 "$A"
printf 'archive_dir = %s\ndb_option_file = %s\n' "$A" "$T/db/client.cnf" > "$T/track.conf"
export TRACK_CONFIG=$T/track.conf
sql() { bash "$H" sql "$T/db" track -N -B -e "$1"; }
# What the old version loaded, independent of ids and of columns added later.
dump() {
  sql "SELECT HEX(r.run_uuid), r.has_start, r.has_end, IFNULL(r.job_id,''), r.uid, r.user,
         r.syshost, r.host, HEX(r.exe_path), HEX(r.cmdline), r.start_time, IFNULL(r.end_time,''),
         IFNULL(r.exit_status,''), IFNULL(r.term_signal,''), eo.build_id,
         (SELECT GROUP_CONCAT(HEX(o.path),'/',o.build_id ORDER BY o.path SEPARATOR ',')
            FROM track_run_object ro JOIN track_object o ON o.id = ro.object_id WHERE ro.run_id = r.id)
       FROM track_run r JOIN track_object eo ON eo.id = r.exe_object_id ORDER BY r.run_uuid;
       SELECT link_uuid, user, HEX(output), time FROM track_link ORDER BY link_uuid"
}

# --- the old version's database, loaded by the old version; 25 end halves
# wait for the new one
"$OLD" --migrate >/dev/null 2>&1 || fail "old --migrate"
"$GEN" "$A" 400 --links 5 --seed 1 >/dev/null
mkdir -p "$T/later"
mapfile -t ends < <(find "$A" -name '*.zzz.*.json' | sort)
mv "${ends[@]:0:25}" "$T/later/"
"$OLD" --quiet --no-progress || fail "old ingest"
[ "$(sql "SELECT MAX(version) FROM track_schema_version")" = "$old_v" ] || fail "old schema is not $old_v"
[ "$(sql "SELECT COUNT(*) FROM track_run WHERE has_end = 0")" = 25 ] || fail "expected 25 runs without an end"
dump > "$T/before"
echo "ok: old track-ingest loaded $(sql "SELECT COUNT(*) FROM track_run") runs into schema $old_v"

# --- before the migration the new tools refuse, and say what to do
st=0; "$TI" --quiet 2>"$T/err" || st=$?
[ "$st" = 4 ] || fail "new ingest on the old schema: exit $st"
grep -q -- "--migrate" "$T/err" || fail "new ingest on the old schema does not say --migrate: $(cat "$T/err")"
st=0; "$DOCTOR" --check database >/dev/null 2>"$T/err" || st=$?
[ "$st" = 1 ] && grep -q "schema version $old_v, this track expects $new_v: run track-ingest --migrate" "$T/err" ||
  fail "track-doctor on the old schema: exit $st: $(cat "$T/err")"
echo "ok: before --migrate: track-ingest exits 4, track-doctor says 'schema version $old_v, this track expects $new_v'"

# --- the upgrade: one command
"$TI" --migrate >/dev/null 2>&1 || fail "new --migrate"
[ "$(sql "SELECT MAX(version) FROM track_schema_version")" = "$new_v" ] || fail "schema is not $new_v after --migrate"
dump > "$T/after"
cmp -s "$T/before" "$T/after" || { diff "$T/before" "$T/after" | head -n 5; fail "--migrate changed loaded data"; }
"$TI" --migrate >/dev/null 2>&1 || fail "second --migrate"
dump > "$T/again"
cmp -s "$T/before" "$T/again" || fail "a second --migrate changed loaded data"
"$DOCTOR" --check database >/dev/null 2>"$T/err" || fail "track-doctor after --migrate: $(cat "$T/err")"
echo "ok: --migrate $old_v -> $new_v: the $(wc -l < "$T/before") loaded rows unchanged, rerun harmless, track-doctor: current"

# --- and the new version carries on
month=$(ls "$A" | grep -E '^[0-9]{6}$' | sed -n 1p)
mkdir -p "$A/$month"; mv "$T/later"/* "$A/$month/"
"$GEN" "$A" 100 --seed 2 >/dev/null
"$TI" --quiet --no-progress || fail "new ingest after the migration"
[ "$(sql "SELECT COUNT(*) FROM track_run WHERE has_end = 0")" = 0 ] || fail "end halves did not merge into the old rows"
[ "$(sql "SELECT COUNT(*) FROM track_run")" = 500 ] || fail "expected 500 runs, got $(sql "SELECT COUNT(*) FROM track_run")"
"$REPORT" summary --since 2000-01-01 --until 2100-01-01 --format csv >"$T/summary" 2>&1 || fail "track-report: $(cat "$T/summary")"
[ "$(head -n 1 "$T/summary" | cut -d, -f1)" = runs ] && [ "$(sed -n 2p "$T/summary" | cut -d, -f1)" = 500 ] ||
  fail "summary does not count 500 runs: $(head -n 3 "$T/summary")"
echo "ok: new ingest merged the 25 held-back ends into old rows, loaded 100 more; track-report summary: 500 runs"
echo "migrate: all checks passed"
