#!/bin/bash
# track-ingest against a real private MariaDB (tests/harness/mariadb.sh).
#   ingest_test.sh CASE TRACK_INGEST GEN_RECORDS
# Each case starts its own server in its own temp dir (ctest -j works) and
# stops it by pid on exit. Cases: basic bytes content shuffle dups malformed
# crash server_stop lock schema config.
set -euo pipefail

case_=$1; TI=$2; GEN=$3
HARNESS="$(cd "$(dirname "$0")/../harness" && pwd)/mariadb.sh"
T=$(mktemp -d /tmp/ti.XXXXXX)
started=
cleanup() {
    local rc=$?
    for p in ${KILL_PIDS:-}; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    [ -n "$started" ] && "$HARNESS" stop "$T/db" || true
    if [ $rc -ne 0 ]; then
        echo "--- FAILED ($case_); server log tail:" >&2
        tail -5 "$T/db/error.log" 2>/dev/null >&2 || true
    fi
    rm -rf "$T"
    exit $rc
}
trap cleanup EXIT
fail() { echo "FAIL [$case_]: $*" >&2; exit 1; }

"$HARNESS" start "$T/db"; started=1
A=$T/archive
mkdir -p "$A"; chmod 2770 "$A"
cat > "$T/track.conf" <<CONF
archive_dir = $A
db_option_file = $T/db/client.cnf
CONF
export TRACK_CONFIG=$T/track.conf
sql() { "$HARNESS" sql "$T/db" "${DB:-track}" -N -B "$@"; }
ingest() { "$TI" --no-progress "$@"; }

# Everything that defines the loaded data, independent of auto-increment ids.
dump() {
    sql -e "
    SELECT HEX(r.run_uuid), HEX(IFNULL(r.parent_uuid,'')), r.has_start, r.has_end,
      IFNULL(r.job_id,''), IFNULL(r.step_id,''), IFNULL(r.\`partition\`,''), r.uid, r.gid,
      r.user, IFNULL(r.user_claimed,''), r.syshost, r.host, HEX(r.exe_path), HEX(r.cwd),
      HEX(r.cmdline), r.start_time, IFNULL(r.end_time,''), IFNULL(r.run_time,''),
      IFNULL(r.exit_status,''), IFNULL(r.term_signal,''), IFNULL(r.utime,''),
      IFNULL(r.maxrss_kb,''), r.num_tasks, r.num_cores, r.truncated,
      HEX(eo.path), eo.build_id, eo.signature,
      (SELECT GROUP_CONCAT(HEX(o.path),'/',o.build_id,'/',o.signature ORDER BY o.path SEPARATOR ',')
         FROM track_run_object ro JOIN track_object o ON o.id = ro.object_id WHERE ro.run_id = r.id),
      (SELECT GROUP_CONCAT(HEX(m.name) ORDER BY m.name) FROM track_run_module rm
         JOIN track_module m ON m.id = rm.module_id WHERE rm.run_id = r.id),
      (SELECT GROUP_CONCAT(HEX(n.name),'=',HEX(e.value) ORDER BY n.name) FROM track_run_env e
         JOIN track_env_name n ON n.id = e.name_id WHERE e.run_id = r.id)
    FROM track_run r JOIN track_object eo ON eo.id = r.exe_object_id ORDER BY r.run_uuid;
    SELECT l.link_uuid, l.user, HEX(l.output), HEX(l.cmdline), l.time,
      (SELECT GROUP_CONCAT(HEX(o.path) ORDER BY o.path) FROM track_link_object lo
         JOIN track_object o ON o.id = lo.object_id WHERE lo.link_id = l.id)
    FROM track_link l ORDER BY l.link_uuid;"
}
count() { sql -e "SELECT COUNT(*) FROM $1"; }
# the summary line's "N new runs, N merged, N duplicates, N links" as "N N N N"
counts() { sed -n 's/.*loaded [0-9]* records (\([0-9]*\) new runs, \([0-9]*\) merged, \([0-9]*\) duplicates, \([0-9]*\) links[,)].*/\1 \2 \3 \4/p'; }
nfiles() { find "$1" -type f -name '*.json' 2>/dev/null | wc -l; }

ingest --migrate >/dev/null

case $case_ in
basic)
    "$GEN" "$A" 300 --links 7 --weird --start-only 10 --end-only 10
    total=$(nfiles "$A")
    # three months (the reader opens files ahead within one month only);
    # a run's halves may sit in different months
    mkdir -p "$A/202410" "$A/202412"
    ls "$A/202411" | sed -n '1~3p' | while read -r f; do mv "$A/202411/$f" "$A/202410/"; done
    ls "$A/202411" | sed -n '1~5p' | while read -r f; do mv "$A/202411/$f" "$A/202412/"; done
    out=$(ingest --batch 97 2>&1) || fail "first ingest failed: $out"
    echo "$out"
    [ "$(count track_run)" = 300 ] || fail "expected 300 runs, got $(count track_run)"
    [ "$(count track_link)" = 7 ] || fail "expected 7 links"
    [ "$(nfiles "$A/done")" = "$total" ] || fail "not every file moved to done/"
    [ "$(find "$A" -maxdepth 2 -name '*.json' -path '*/2024*' | wc -l)" = 0 ] || fail "files left"
    [ "$(sql -e 'SELECT COUNT(*) FROM track_run WHERE has_start=0')" -ge 1 ] || fail "no end-only run"
    [ "$(sql -e 'SELECT COUNT(*) FROM track_run WHERE has_end=0')" -ge 1 ] || fail "no start-only run"
    [ "$(sql -e 'SELECT COUNT(*) FROM track_run WHERE num_cores < 1 OR num_cores <> num_tasks*cpus_per_task')" = 0 ] || fail "num_cores"
    [ "$(sql -e 'SELECT COUNT(*) FROM track_run WHERE term_signal=11 AND exit_status IS NULL')" -ge 1 ] || fail "signal runs"
    # every run has its complete object list (40 + dlopen extras for ends)
    [ "$(sql -e 'SELECT MIN(c) FROM (SELECT COUNT(*) c FROM track_run_object GROUP BY run_id) x')" -ge 40 ] || fail "object lists"
    [ "$(sql -e 'SELECT COUNT(DISTINCT run_id) FROM track_run_env')" = 300 ] || fail "env"
    d1=$(dump | md5sum)
    # again: nothing to do, nothing changes
    out=$(ingest 2>&1); echo "$out"
    echo "$out" | grep -q "loaded 0 records" || fail "second run loaded something: $out"
    # the same files again from done/: all duplicates, same database
    find "$A/done" -name 'run*.json' | sed -n 1,50p | while read -r f; do cp -p "$f" "$A/202411/"; done
    out=$(ingest 2>&1); echo "$out"
    echo "$out" | grep -q "50 duplicates" || echo "$out" | grep -q "package records)" || fail "$out"
    [ "$(dump | md5sum)" = "$d1" ] || fail "database changed by re-ingesting done/ files"
    # quiet: no output at all on success
    cp -p "$(find "$A/done" -name 'run*.json' | sed -n 1p)" "$A/202411/"
    out=$(ingest --quiet 2>&1); [ -z "$out" ] || fail "--quiet printed: $out"
    ;;
bytes)
    # a hand-written record: bytes that are not UTF-8 (\udcXX), quotes, SQL
    # metacharacters in every byte field; they must come back exactly.
    u=0192f0c4-5a6b-7c8d-9e0f-a1b2c3d4e5f6
    name="run.c1.2024_11_21_19_00_00_1234.o_brien.aaa.$u.json"
    mkdir -p "$A/202411"
    W="x\\\\'\\\"; DROP TABLE track_run; -- \\udcff\\udc80%_\\u00e9"
    cat > "$A/202411/$name" <<JSON
{"schema":1,"kind":"start","run_uuid":"$u","syshost":"c1","host":"n1","uid":4242,"gid":42,"user":"o'brien","pid":7,"ppid":1,"start_time":1732215600.000001,"exe":{"path":"/bin/$W","build_id":"00ff","signature":""},"cmdline":["a b","$W",""],"cwd":"/tmp/$W","modules":["m/$W"],"env":{"V$W":"$W"},"objects":[{"path":"/lib/$W","build_id":"abcd"}]}
JSON
    ingest || fail "ingest failed"
    [ "$(count track_run)" = 1 ] || fail "record not loaded (see quarantine: $(cat "$A"/quarantine/*/*.reason 2>/dev/null))"
    # expected bytes of W: x\'"; DROP TABLE track_run; -- FF 80 %_ C3 A9
    WH=$(printf "x\\\\'\"; DROP TABLE track_run; -- \xff\x80%%_\xc3\xa9" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
    [ "$(sql -e 'SELECT HEX(cwd) FROM track_run')" = "$(printf '/tmp/' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)$WH" ] || fail "cwd bytes: $(sql -e 'SELECT HEX(cwd) FROM track_run') vs $WH"
    [ "$(sql -e 'SELECT HEX(cmdline) FROM track_run')" = "$(printf 'a b' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)00${WH}00" ] || fail "cmdline bytes"
    [ "$(sql -e 'SELECT HEX(value) FROM track_run_env')" = "$WH" ] || fail "env value bytes"
    [ "$(sql -e 'SELECT HEX(name) FROM track_module')" = "$(printf 'm/' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)$WH" ] || fail "module bytes"
    [ "$(sql -e "SELECT COUNT(*) FROM track_run WHERE user_claimed IS NULL AND user='o''brien' OR user_claimed='o''brien'")" = 1 ] || fail "user with a quote"
    [ "$(sql -e 'SELECT start_time FROM track_run')" = "1732215600.000001" ] || fail "microseconds"
    ;;
content)
    # Records whose exe, object list, module list and env list hold the same
    # bytes split at other places: the loader's content caches (hash of the
    # pieces, exact comparison) must keep them apart. One record per batch,
    # so every record after the first probes caches the others filled.
    mkdir -p "$A/202411"
    i=0
    for v in "x|abcd|ab|cd|V|ab" "xab|cd|a|bcd|Va|b" "xabcd||abc|d|Vab|"; do
        IFS='|' read -r p b m1 m2 en ev <<<"$v"
        i=$((i + 1))
        u=0192f0c4-5a6b-7c8d-9e0f-a1b2c3d4e5f$i
        cat > "$A/202411/run.c1.2024_11_21_19_00_0${i}_0000.alice.aaa.$u.json" <<JSON
{"schema":1,"kind":"start","run_uuid":"$u","syshost":"c1","host":"n1","uid":1000,"gid":1000,"user":"alice","pid":7,"ppid":1,"start_time":173221560$i.000000,"exe":{"path":"/bin/$p","build_id":"$b","signature":""},"cmdline":["a"],"cwd":"/","modules":["$m1","$m2"],"env":{"$en":"$ev"},"objects":[{"path":"/lib/$p","build_id":"$b"},{"path":"/lib/z","build_id":""}]}
JSON
    done
    ingest --batch 1 >/dev/null || fail "ingest failed"
    [ "$(count track_run)" = 3 ] || fail "expected 3 runs: $(cat "$A"/quarantine/*/*.reason 2>/dev/null)"
    for col in exe_object_id object_set_id module_set_id env_set_id; do
        [ "$(sql -e "SELECT COUNT(DISTINCT $col) FROM track_run")" = 3 ] || fail "$col: runs with different content share an id"
    done
    got=$(sql -e "SELECT CONCAT(o.path, '|', o.build_id) FROM track_run r JOIN track_run_object ro ON ro.run_id = r.id JOIN track_object o ON o.id = ro.object_id WHERE o.path <> '/lib/z' ORDER BY r.start_time" | tr '\n' ' ')
    [ "$got" = "/lib/x|abcd /lib/xab|cd /lib/xabcd| " ] || fail "objects: $got"
    got=$(sql -e "SELECT CONCAT(n.name, '=', e.value) FROM track_run r JOIN track_run_env e ON e.run_id = r.id JOIN track_env_name n ON n.id = e.name_id ORDER BY r.start_time" | tr '\n' ' ')
    [ "$got" = "V=ab Va=b Vab= " ] || fail "env: $got"
    got=$(sql -e "SELECT GROUP_CONCAT(m.name ORDER BY m.name) FROM track_run r JOIN track_run_module rm ON rm.run_id = r.id JOIN track_module m ON m.id = rm.module_id GROUP BY r.id ORDER BY r.start_time" | tr '\n' ' ')
    [ "$got" = "ab,cd a,bcd abc,d " ] || fail "modules: $got"
    ;;
shuffle)
    "$GEN" "$T/src" 400 --links 5 --weird
    # reference: everything at once into a second database
    "$HARNESS" createdb "$T/db" ref
    mkdir -p "$T/refarch"; cp -a "$T/src/." "$T/refarch/"
    printf 'archive_dir = %s\ndb_option_file = %s\n' "$T/refarch" "$T/db/ref.cnf" > "$T/ref.conf"
    TRACK_CONFIG=$T/ref.conf "$TI" --migrate >/dev/null
    refsum=$(TRACK_CONFIG=$T/ref.conf "$TI" --no-progress --batch 37 2>&1 | counts)
    ref=$(DB=ref dump | md5sum)
    # ends first, in their own run; then starts in small random batches
    mkdir -p "$A/202411"
    find "$T/src" -name '*.zzz.*' -exec mv -t "$A/202411/" {} +
    ingest --batch 50 2>&1 | counts > "$T/sums"
    [ "$(sql -e 'SELECT COUNT(*) FROM track_run WHERE has_start=1')" = 0 ] || fail "starts before their turn"
    ls "$T/src/202411" | shuf > "$T/order"
    split -l 97 "$T/order" "$T/part."
    for p in "$T"/part.*; do
        while read -r f; do mv "$T/src/202411/$f" "$A/202411/"; done < "$p"
        ingest --batch $(( (RANDOM % 200) + 1 )) 2>&1 | counts >> "$T/sums"
    done
    [ "$(dump | md5sum)" = "$ref" ] || { diff <(DB=ref dump) <(dump) | head -5; fail "shuffled load differs from one clean load"; }
    # every run is one new record and, once complete, one merged, in any order
    got=$(awk '{for (i = 1; i <= 4; i++) s[i] += $i} END {print s[1], s[2], s[3], s[4]}' "$T/sums")
    [ "$got" = "$refsum" ] || fail "summary counts of the shuffled runs ($got) differ from one clean load ($refsum)"
    ;;
dups)
    # Two starts and two ends with one uuid (a file sent twice with other
    # contents, or a forged one): the first loaded of each kind wins, in one
    # batch (name order) as across runs, and the summary counts records.
    u=0192f0c4-5a6b-7c8d-9e0f-a1b2c3d4e5f6
    put() { # dir kind nnnn cwd [exit]
        local tag=aaa extra=
        [ "$2" = end ] && tag=zzz extra=",\"end_time\":1732215601.5,\"run_time\":1.0,\"exit_status\":$5,\"utime\":0.1,\"stime\":0.1,\"maxrss_kb\":10"
        mkdir -p "$1/202411"
        printf '{"schema":1,"kind":"%s","run_uuid":"%s","syshost":"c1","host":"n1","uid":1000,"gid":1000,"user":"alice","pid":7,"ppid":1,"start_time":1732215600.5,"exe":{"path":"/bin/x"},"cmdline":["x"],"cwd":"%s","objects":[{"path":"/lib%s"}]%s}' \
            "$2" "$u" "$4" "$4" "$extra" > "$1/202411/run.c1.2024_11_21_19_00_00_$3.alice.$tag.$u.json"
    }
    four() { put "$1" start 0001 /s1; put "$1" end 0001 /e1 1; put "$1" start 0002 /s2; put "$1" end 0002 /e2 2; }
    row() { sql -e "SELECT r.cwd, r.exit_status, o.path FROM track_run r JOIN track_run_object ro ON ro.run_id = r.id JOIN track_object o ON o.id = ro.object_id"; }
    # one batch: the pair S1+E1 is one row, S2 and E2 change nothing
    four "$A"
    got=$(ingest 2>&1 | counts)
    [ "$got" = "1 1 2 0" ] || fail "one batch: counts $got"
    [ "$(row)" = "$(printf '/s1\t1\t/lib/e1')" ] || fail "one batch: the first records did not win: $(row)"
    d1=$(dump | md5sum)
    # the same, one record per batch (single-row statements)
    sql -e "DELETE FROM track_run"
    rm -rf "${A:?}/202411" "$A/done"; four "$A"
    got=$(ingest --batch 1 2>&1 | counts)
    [ "$got" = "1 1 2 0" ] || fail "batch 1: counts $got"
    [ "$(dump | md5sum)" = "$d1" ] || fail "batch 1: another row than one batch: $(row)"
    # E2 alone first: it stays the end; then S1 and E1 as a pair merge the start
    sql -e "DELETE FROM track_run"
    rm -rf "${A:?}/202411" "$A/done"; four "$T/later"
    mkdir -p "$A/202411"; mv "$T/later/202411/"*_0002.alice.zzz.* "$A/202411/"
    got=$(ingest 2>&1 | counts)
    [ "$got" = "1 0 0 0" ] || fail "end first: counts $got"
    mv "$T/later/202411/"* "$A/202411/"
    got=$(ingest 2>&1 | counts)
    [ "$got" = "0 1 2 0" ] || fail "then the rest: counts $got"
    [ "$(row)" = "$(printf '/s1\t2\t/lib/e2')" ] || fail "the end loaded first did not stay: $(row)"
    # everything again: nothing changes
    cp -p "$A"/done/202411/* "$A/202411/"
    got=$(ingest 2>&1 | counts)
    [ "$got" = "0 0 4 0" ] || fail "again: counts $got"
    [ "$(row)" = "$(printf '/s1\t2\t/lib/e2')" ] || fail "changed by loading again: $(row)"
    ;;
malformed)
    "$GEN" "$A" 20
    good=$(nfiles "$A")
    M=$A/202411
    u() { printf '0192f0c4-5a6b-7c8d-9e0f-%012d' "$1"; }
    base() { # uuid user -> a valid start record body with a placeholder
        printf '{"schema":1,"kind":"start","run_uuid":"%s","syshost":"c1","host":"n1","uid":1,"gid":1,"user":"%s","pid":7,"ppid":1,"start_time":1732215600.5,"exe":{"path":"/bin/x"},"cmdline":["x"],"objects":[]%s}' "$1" "$2" "${3:-}"
    }
    nm() { echo "run.c1.2024_11_21_19_00_00_0000.alice.aaa.$(u "$1").json"; }
    base "$(u 1)" alice | head -c 60 > "$M/$(nm 1)"                           # truncated
    base "$(u 2)" alice | sed 's/"uid":1/"uid":"1"/' > "$M/$(nm 2)"            # wrong type
    base "$(u 3)" alice | sed 's/"host":"n1",//' > "$M/$(nm 3)"                # missing key
    base "$(u 4)" alice ",\"cwd\":\"$(head -c 5000 /dev/zero | tr '\0' a)\"" > "$M/$(nm 4)"  # huge string
    head -c 300000 /dev/zero | tr '\0' ' ' > "$M/$(nm 5)"                       # over max_record_bytes
    base "$(u 6)" alice | sed 's|/bin/x|/bin/\xff\xfe|' > "$M/$(nm 6)"          # raw invalid UTF-8
    base "$(u 7)" bob > "$M/$(nm 7)"                                            # name says alice
    base "$(u 8)" alice > "$M/$(nm 9)"                                          # uuid mismatch
    base "$(u 10)" alice | sed 's/"schema":1/"schema":2/' > "$M/$(nm 10)"      # schema
    printf '' > "$M/$(nm 11)"                                                   # empty
    ln -s /etc/passwd "$M/$(nm 12)"                                             # symlink
    mkfifo "$M/$(nm 13)"                                                        # FIFO
    echo '{}' > "$M/notes.txt"                                                  # not a record name
    base "$(u 14)" alice | sed 's/"objects":\[\]/"objects":[{"path":"\/l","build_id":"XYZ"}]/' > "$M/$(nm 14)"
    bad=14
    out=$(ingest 2>&1) || fail "ingest failed on a malformed corpus: $out"
    echo "$out" | grep quarantined | head -20
    q=$(find "$A/quarantine/202411" -mindepth 1 ! -name '*.reason' | wc -l)
    [ "$q" = "$bad" ] || fail "expected $bad quarantined files, got $q"
    [ "$(find "$A/quarantine" -name '*.reason' | wc -l)" = "$bad" ] || fail "reason files"
    for f in "$A"/quarantine/202411/*.reason; do
        [ "$(wc -l < "$f")" = 1 ] || fail "$f: reason is not one line"
    done
    grep -q "uid" "$A/quarantine/202411/$(nm 2).reason" || fail "wrong-type reason does not name uid"
    grep -q "host" "$A/quarantine/202411/$(nm 3).reason" || fail "missing-key reason does not name host"
    grep -q "cwd" "$A/quarantine/202411/$(nm 4).reason" || fail "huge-string reason does not name cwd"
    grep -q "max_record_bytes" "$A/quarantine/202411/$(nm 5).reason" || fail "size reason"
    grep -q "user" "$A/quarantine/202411/$(nm 7).reason" || fail "name mismatch reason"
    grep -q "symlink" "$A/quarantine/202411/$(nm 12).reason" || fail "symlink reason"
    [ "$(count track_run)" = 20 ] || fail "good records not all loaded"
    [ "$(nfiles "$A/done")" = "$good" ] || fail "good files not moved"
    ;;
crash)
    n=${CRASH_RUNS:-1500}; loops=${CRASH_LOOPS:-6}
    "$GEN" "$T/src" "$n" --links 10 --start-only 5 --end-only 5
    "$HARNESS" createdb "$T/db" ref
    mkdir -p "$T/refarch"; cp -a "$T/src/." "$T/refarch/"
    printf 'archive_dir = %s\ndb_option_file = %s\n' "$T/refarch" "$T/db/ref.cnf" > "$T/ref.conf"
    TRACK_CONFIG=$T/ref.conf "$TI" --migrate >/dev/null
    TRACK_CONFIG=$T/ref.conf "$TI" --no-progress >/dev/null
    ref=$(DB=ref dump | md5sum)
    cp -a "$T/src/." "$A/"
    for i in $(seq 1 "$loops"); do
        "$TI" --no-progress --quiet --batch $(( (RANDOM % 300) + 20 )) 2>/dev/null &
        pid=$!; KILL_PIDS=$pid
        sleep "0.$(( RANDOM % 40 + 5 ))"
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        KILL_PIDS=
        echo "crash loop $i: $(nfiles "$A/done") files done"
    done
    out=$(ingest 2>&1) || fail "final run failed: $out"
    echo "$out"
    [ "$(find "$A" -path "$A/2024*" -name '*.json' | wc -l)" = 0 ] || fail "files left in the archive"
    [ -z "$(find "$A/quarantine" -type f 2>/dev/null)" ] || fail "crash produced quarantined files"
    [ "$(dump | md5sum)" = "$ref" ] || { diff <(DB=ref dump) <(dump) | head -5; fail "database after kill -9 loop differs from one clean ingest"; }
    ;;
server_stop)
    "$GEN" "$A" 3000
    total=$(nfiles "$A")
    "$TI" --no-progress --batch 50 > "$T/out" 2>&1 &
    pid=$!; KILL_PIDS=$pid
    for _ in $(seq 1 200); do [ "$(nfiles "$A/done")" -gt 200 ] && break; sleep 0.02; done
    "$HARNESS" stop "$T/db"
    rc=0; wait "$pid" || rc=$?; KILL_PIDS=
    cat "$T/out"
    [ "$rc" = 2 ] || fail "expected exit 2 when the server goes away, got $rc"
    grep -q "rolled back" "$T/out" || fail "no clear message about the lost connection"
    "$HARNESS" restart "$T/db"
    out=$(ingest 2>&1) || fail "resume failed: $out"
    echo "$out"
    [ "$(nfiles "$A/done")" = "$total" ] || fail "not everything loaded after the restart"
    [ "$(count track_run)" = 3000 ] || fail "expected 3000 runs, got $(count track_run)"
    [ "$(sql -e 'SELECT COUNT(*) FROM track_run WHERE has_start=0 OR has_end=0')" = 0 ] || fail "halves missing"
    ;;
lock)
    "$GEN" "$A" 5
    echo "4242@elsewhere" > "$A/.track-ingest.lock"
    # this shell holds the lock (its own open file description) meanwhile
    exec 9<>"$A/.track-ingest.lock"
    flock -n 9 || fail "cannot take the lock for the test"
    rc=0; out=$(ingest 2>&1) || rc=$?
    echo "$out"
    [ "$rc" = 3 ] || fail "expected exit 3 with the lock held, got $rc"
    echo "$out" | grep -q "4242@elsewhere" || fail "message does not name the holder"
    [ "$(count track_run)" = 0 ] || fail "loaded despite the lock"
    flock -u 9; exec 9>&-
    ingest >/dev/null || fail "ingest after the lock was released failed"
    [ "$(count track_run)" = 5 ] || fail "not loaded after release"
    grep -q "^[0-9]*@" "$A/.track-ingest.lock" || fail "lock file does not name pid@host"
    ;;
schema)
    "$GEN" "$A" 3
    "$HARNESS" createdb "$T/db" empty
    printf 'archive_dir = %s\ndb_option_file = %s\n' "$A" "$T/db/empty.cnf" > "$T/e.conf"
    rc=0; out=$(TRACK_CONFIG=$T/e.conf "$TI" 2>&1) || rc=$?
    [ "$rc" = 4 ] && echo "$out" | grep -q -- "--migrate" || fail "no-schema: rc=$rc $out"
    sql -e "UPDATE track_schema_version SET version = 99"
    rc=0; out=$(ingest 2>&1) || rc=$?
    [ "$rc" = 4 ] && echo "$out" | grep -q "newer" || fail "newer schema: rc=$rc $out"
    sql -e "UPDATE track_schema_version SET version = 0"
    rc=0; out=$(ingest 2>&1) || rc=$?
    [ "$rc" = 4 ] || fail "older schema accepted"
    ingest --migrate >/dev/null || fail "migrate over version 0"
    ingest >/dev/null || fail "load after migrate"
    [ "$(count track_run)" = 3 ] || fail "not loaded"
    [ "$(nfiles "$A/202411")" = 0 ] || fail "files left"
    ;;
config)
    echo "bogus_key = 1" >> "$T/track.conf"
    rc=0; out=$(ingest 2>&1) || rc=$?
    [ "$rc" = 1 ] && echo "$out" | grep -q "track.conf:3" || fail "unknown key: rc=$rc $out"
    printf 'archive_dir = %s\ndb_option_file = %s/nope.cnf\n' "$A" "$T" > "$T/track.conf"
    rc=0; out=$(ingest 2>&1) || rc=$?
    [ "$rc" = 1 ] && echo "$out" | grep -q "nope.cnf" || fail "missing option file: rc=$rc $out"
    printf 'archive_dir = %s/missing\ndb_option_file = %s/db/client.cnf\n' "$T" "$T" > "$T/track.conf"
    rc=0; out=$(ingest 2>&1) || rc=$?
    [ "$rc" = 5 ] && echo "$out" | grep -q "missing" || fail "missing archive: rc=$rc $out"
    rc=0; "$TI" --month 2024 2>/dev/null || rc=$?
    [ "$rc" = 1 ] || fail "bad --month accepted"
    "$TI" --help | grep -q "Exit status" || fail "--help lacks exit codes"
    ;;
*)
    fail "unknown case"
    ;;
esac
echo "ok [$case_]"
