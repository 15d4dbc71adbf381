#!/bin/bash
# track-epilog tests: one attack or failure per case (ep_test.sh CASE).
# Each case builds a private spool (tmpfs, under /dev/shm) and a private
# archive (disk, under /tmp), runs the real track-epilog against a private
# config, and asserts exactly what was archived, quarantined, removed and
# kept. A canary file (root-only, outside spool and archive) must keep its
# content and atime and never show up in the archive. Exit 77 = skipped.
set -euo pipefail

case_name=${1:?usage: ep_test.sh CASE}
: "${EP_BIN:?EP_BIN: path of track-epilog}" "${EP_MKREC:?EP_MKREC: path of ep_mkrec}"

fail() { echo "FAIL [$case_name]: $*" >&2; [ -s "${ERR:-/dev/null}" ] && sed 's/^/  stderr: /' "$ERR" >&2; exit 1; }
skip() { echo "SKIP [$case_name]: $*" >&2; exit 77; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root (chown, mount)"; }

W=$(mktemp -d /dev/shm/ep-test.XXXXXX)
A=$(mktemp -d /tmp/ep-arch.XXXXXX)
MOUNTED=()
cleanup() {
    for m in "${MOUNTED[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
    rm -rf "$W" "$A"
}
trap cleanup EXIT

ME=$(id -u)
if [ "$ME" = 0 ]; then U=4242; OTHER=4343; else U=$ME; OTHER=$((ME + 1)); fi
GROUP=$(id -gn)
SPOOL=$W/spool
ARCH=$A/archive
JOB=77
JD=$SPOOL/$U/$JOB
CONF=$W/track.conf
ERR=$W/stderr
OUT=$W/stdout
MONTH=202411        # ep_mkrec's default time: 2024-11-21
NOW_MONTH=$(date +%Y%m)   # where files without a record name's date go
mkdir -m 1777 "$SPOOL"; chmod 1777 "$SPOOL"
mkdir "$W/orig"

write_conf() {
    cat > "$CONF" <<EOF
spool_dir = $SPOOL
archive_dir = $ARCH
archive_group = $GROUP
max_record_bytes = 8192
syshost = testhost
$*
EOF
    chmod 644 "$CONF"
}
write_conf

mkjob() {   # mkjob [JOB]: the user's job directory, 0700, theirs
    local d=$SPOOL/$U/${1:-$JOB}
    mkdir -p "$d"; chmod 700 "$SPOOL/$U" "$d"
    [ "$ME" = 0 ] && chown "$U:$U" "$SPOOL/$U" "$d"
    return 0
}
# mkrec DIR N [ep_mkrec options]: writes N records owned by U, claiming the
# job the directory is named after (none in nojob/); names on stdout
mkrec() {
    local d=$1 n=$2 job=(); shift 2
    local own=(); [ "$ME" = 0 ] && own=(--owner "$U:$U")
    case ${d##*/} in
    nojob) job=(--job -) ;;
    *[!0-9]*|'') ;;
    *) job=(--job "${d##*/}") ;;
    esac
    "$EP_MKREC" "$d" "$n" --uid "$U" "${own[@]}" "${job[@]}" "$@"
}
save_orig() { cp -p "$1"/run.* "$W/orig/" 2>/dev/null || true; }

ep() {  # ep ARGS...: runs track-epilog, stdout to $OUT, stderr to $ERR; sets RC
    set +e
    "$EP_BIN" --config "$CONF" --no-syslog "$@" >"$OUT" 2>"$ERR"
    RC=$?
    set -e
}
collect() { ep --strict collect --job "${1:-$JOB}" --uid "$U"; }
expect_rc() { [ "$RC" = "$1" ] || fail "exit status $RC, expected $1"; }
expect_err() { grep -q -- "$1" "$ERR" || fail "stderr lacks '$1'"; }

# Sorted non-dot file names in a directory ("" if it does not exist).
names() { [ -d "$1" ] && (cd "$1" && ls -A | grep -v '^\.' | sort) || true; }
count() { names "$1" | grep -c . || true; }
dotfiles() { [ -d "$1" ] && (cd "$1" && ls -A | grep '^\.' | sort) || true; }

expect_archived() {  # every name given is in the archive month, same bytes, 0640
    local n
    for n in "$@"; do
        [ -f "$ARCH/$MONTH/$n" ] || fail "$n not in the archive"
        cmp -s "$ARCH/$MONTH/$n" "$W/orig/$n" || fail "$n: archive copy differs"
        [ "$(stat -c %a:%U:%G "$ARCH/$MONTH/$n")" = "640:$(id -un):$GROUP" ] ||
            fail "$n: mode/owner $(stat -c %a:%U:%G "$ARCH/$MONTH/$n")"
    done
}
expect_count() { local c; c=$(count "$1"); [ "$c" = "$2" ] || fail "$1 holds $c files, expected $2: $(names "$1" | tr '\n' ' ')"; }
expect_no_temps() {
    local t
    t=$(find "$ARCH" -name '.*.tmp' 2>/dev/null | head -5)
    [ -z "$t" ] || fail "temp files left in the archive: $t"
}
expect_gone() { [ ! -e "$1" ] && [ ! -L "$1" ] || fail "$1 still exists"; }
expect_quarantined() {  # NAME REASON-PATTERN
    local q=$ARCH/quarantine/${3:-$MONTH}/$1
    [ -f "$q" ] || fail "$1 not in quarantine ($(names "$ARCH/quarantine/$MONTH" | tr '\n' ' '))"
    [ -f "$q.reason" ] || fail "$1.reason missing"
    grep -q -- "$2" "$q.reason" || fail "$1.reason lacks '$2': $(cat "$q.reason")"
    [ "$(stat -c %a "$q")" = 640 ] || fail "$1: quarantine mode $(stat -c %a "$q")"
}

# The canary: root-only, same filesystem as the spool (so hard links work),
# atime == mtime so that any read would move its atime (relatime).
CANARY=$W/canary
echo "CANARY-SECRET-$$-$RANDOM" > "$CANARY"
chmod 600 "$CANARY"
touch -d '2001-01-01 00:00:00' "$CANARY"
CANARY_SUM=$(sha256sum < "$CANARY")
# Reading it for the sum moved its atime; set it back to the mtime so that
# any later read moves it again (relatime). The atime is checked before the
# content, since checking the content reads it.
touch -a -d '2001-01-01 00:00:00' "$CANARY"
CANARY_ATIME=$(stat -c %X "$CANARY")
check_canary() {
    [ "$(stat -c %X "$CANARY")" = "$CANARY_ATIME" ] || fail "canary was read (atime moved)"
    [ "$(sha256sum < "$CANARY")" = "$CANARY_SUM" ] || fail "canary content changed"
    touch -a -d '2001-01-01 00:00:00' "$CANARY"   # our own read, for the next check
    if [ -d "$ARCH" ] && grep -rq "CANARY-SECRET" "$ARCH"; then fail "canary content in the archive"; fi
    return 0
}
# Checking the canary reads it: only ever compare after the last check.
canary_sum_check_last() { check_canary; }

# Trust cases: records of the current time (the job's lifetime), so the
# archive month is the current one.
trust_now() { NOW=$(date +%s); MONTH=$(date -d "@$NOW" +%Y%m); }
expect_trust() {  # REASON: names in $W/names archived, the one in $W/forged quarantined
    expect_archived $(cat "$W/names")
    expect_count "$ARCH/$MONTH" "$(wc -l < "$W/names")"
    expect_quarantined "$(cat "$W/forged")" "$1"
    expect_count "$ARCH/quarantine/$MONTH" 2
    expect_err "quarantined: ${1#reason: }"
    expect_gone "$JD"
}

check_dirs() {  # archive directories root:<group> 2770 (owner: us)
    local d
    for d in "$ARCH" "$ARCH/done" "$ARCH/quarantine" "$@"; do
        [ "$(stat -c %a:%U:%G "$d")" = "2770:$(id -un):$GROUP" ] ||
            fail "$d: $(stat -c %a:%U:%G "$d"), expected 2770:$(id -un):$GROUP"
    done
}

case "$case_name" in
basic)
    mkjob
    mkrec "$JD" 10 > "$W/names"
    save_orig "$JD"
    collect; expect_rc 0
    expect_archived $(cat "$W/names")
    expect_count "$ARCH/$MONTH" 10
    expect_count "$ARCH/quarantine" 0
    expect_gone "$JD"
    [ -d "$SPOOL/$U" ] || fail "the user's directory was removed"
    expect_no_temps
    check_dirs "$ARCH/$MONTH"
    expect_err "10 archived, 0 quarantined"
    # No job directory: nothing to do, still success.
    collect; expect_rc 0
    check_canary ;;

dryrun)
    mkjob
    mkrec "$JD" 4 > "$W/names"
    ep --strict --dry-run collect --job "$JOB" --uid "$U"; expect_rc 0
    [ "$(grep -c '^archive ' "$OUT")" = 4 ] || fail "dry run printed: $(cat "$OUT")"
    expect_count "$JD" 4
    [ ! -e "$ARCH" ] || fail "dry run created the archive"
    check_canary ;;

rerun_identical)
    # A run killed after its renames but before removing the spool files:
    # the rerun finds identical copies and just removes the spool files.
    mkjob
    mkrec "$JD" 6 > "$W/names"
    save_orig "$JD"
    collect; expect_rc 0
    mkjob; cp -p "$W"/orig/run.* "$JD/"
    collect; expect_rc 0
    expect_count "$ARCH/$MONTH" 6
    expect_archived $(cat "$W/names")
    expect_gone "$JD"
    expect_count "$ARCH/quarantine" 0
    check_canary ;;

collision)
    # A different file already holds a record's name in the archive (a
    # forged copy of someone's record): never overwritten, ours quarantined.
    mkjob
    mkrec "$JD" 3 > "$W/names"
    save_orig "$JD"
    victim=$(head -1 "$W/names")
    collect; expect_rc 0
    # same name, valid, different content
    sed 's/--flag/--flog/' "$W/orig/$victim" > "$W/forged"; mkjob; cp "$W/forged" "$JD/$victim"
    [ "$ME" = 0 ] && chown "$U:$U" "$JD/$victim"
    collect; expect_rc 1
    cmp -s "$ARCH/$MONTH/$victim" "$W/orig/$victim" || fail "archived record was overwritten"
    expect_quarantined "$victim" "different file"
    cmp -s "$ARCH/quarantine/$MONTH/$victim" "$W/forged" || fail "quarantine copy differs"
    expect_gone "$JD"
    check_canary ;;

junk_names)
    mkjob
    mkrec "$JD" 2 > "$W/names"
    save_orig "$JD"
    for n in notes.txt .hidden run.bad.json $'we\nird' x.reason; do echo "junk $n" > "$JD/$n"; done
    [ "$ME" = 0 ] && chown "$U:$U" "$JD"/*  "$JD"/.hidden
    mkdir "$JD/subdir"; [ "$ME" = 0 ] && chown "$U:$U" "$JD/subdir"
    collect; expect_rc 1
    expect_archived $(cat "$W/names")
    expect_count "$ARCH/$MONTH" 2
    for q in notes.txt _hidden run.bad.json we_ird x.reason_; do
        expect_quarantined "$q" "not a record name" "$NOW_MONTH"
    done
    expect_count "$ARCH/quarantine/$NOW_MONTH" 10
    [ "$(names "$JD")" = subdir ] || fail "spool job dir holds: $(ls -A "$JD")"
    [ -z "$(dotfiles "$JD")" ] || fail "dot file left: $(dotfiles "$JD")"
    expect_err "subdir: a directory"
    check_canary ;;

temp_files)
    mkjob
    mkrec "$JD" 2 > "$W/names"
    save_orig "$JD"
    echo '{"partial' > "$JD/.$(head -1 "$W/names").tmp"
    collect; expect_rc 0      # info only: a dead writer's temp is not a problem
    expect_archived $(cat "$W/names")
    expect_count "$ARCH/quarantine/$MONTH" 0
    expect_gone "$JD"
    expect_no_temps
    check_canary ;;

symlink_jobdir)
    # <uid>/<job> is a symlink to a directory full of valid-looking records
    # and the canary: never followed, removed.
    mkdir -p "$SPOOL/$U"; chmod 700 "$SPOOL/$U"; [ "$ME" = 0 ] && chown "$U:$U" "$SPOOL/$U"
    mkdir "$W/target"; mkrec "$W/target" 3 > "$W/names"
    ln "$CANARY" "$W/target/canary-link" 2>/dev/null || true
    before=$(ls -A "$W/target" | sort)
    ln -s "$W/target" "$JD"
    collect; expect_rc 1
    expect_gone "$JD"
    [ "$(ls -A "$W/target" | sort)" = "$before" ] || fail "symlink target changed"
    [ ! -e "$ARCH/$MONTH" ] || [ "$(count "$ARCH/$MONTH")" = 0 ] || fail "records behind the symlink were archived"
    expect_err "symbolic link"
    rm -f "$W/target/canary-link"
    check_canary ;;

symlink_record)
    mkjob
    mkrec "$JD" 2 > "$W/names"
    save_orig "$JD"
    bad=run.testhost.2024_11_21_18_40_00_1234.tester.aaa.01a1ff76-0000-7000-8000-000000000001.json
    ln -s "$CANARY" "$JD/$bad"
    collect; expect_rc 1
    expect_archived $(cat "$W/names")
    expect_count "$ARCH/$MONTH" 2
    expect_count "$ARCH/quarantine/$MONTH" 0
    expect_gone "$JD/$bad"
    expect_err "symbolic link"
    check_canary ;;

fifo_record)
    mkjob
    mkrec "$JD" 2 > "$W/names"
    save_orig "$JD"
    bad=run.testhost.2024_11_21_18_40_00_1234.tester.zzz.01a1ff76-0000-7000-8000-000000000002.json
    mkfifo "$JD/$bad"; [ "$ME" = 0 ] && chown "$U:$U" "$JD/$bad"
    set +e
    timeout 30 "$EP_BIN" --config "$CONF" --no-syslog --strict collect --job "$JOB" --uid "$U" 2>"$ERR"
    RC=$?
    set -e
    [ "$RC" != 124 ] || fail "collect hung on a FIFO"
    expect_rc 1
    expect_archived $(cat "$W/names")
    expect_gone "$JD"
    expect_err "FIFO"
    check_canary ;;

oversize)
    mkjob
    mkrec "$JD" 1 > "$W/names"
    save_orig "$JD"
    mkrec "$JD" 1 --pad 20000 > "$W/big"
    big=$(cat "$W/big")
    cp "$JD/$big" "$W/big.orig"
    collect; expect_rc 1
    expect_archived $(cat "$W/names")
    expect_quarantined "$big" "max_record_bytes = 8192"
    [ "$(stat -c %s "$ARCH/quarantine/$MONTH/$big")" = 8192 ] || fail "quarantine copy is not the 8192-byte head"
    cmp -s -n 8192 "$ARCH/quarantine/$MONTH/$big" "$W/big.orig" || fail "quarantine head differs"
    expect_gone "$JD"
    check_canary ;;

forged_uid)
    mkjob
    mkrec "$JD" 1 > "$W/names"
    save_orig "$JD"
    mkrec "$JD" 1 --json-uid "$OTHER" > "$W/forged"
    collect; expect_rc 1
    expect_archived $(cat "$W/names")
    expect_quarantined "$(cat "$W/forged")" "owners disagree"
    grep -q "record uid $OTHER" "$ARCH/quarantine/$MONTH/$(cat "$W/forged").reason" || fail "reason lacks the forged uid"
    expect_err "quarantined: owners disagree"
    expect_gone "$JD"
    check_canary ;;

max_files)
    write_conf "epilog_max_files = 5"
    mkjob
    mkrec "$JD" 12 > "$W/names"
    save_orig "$JD"
    collect; expect_rc 1
    expect_count "$ARCH/$MONTH" 5
    expect_count "$JD" 7
    expect_err "epilog_max_files = 5"
    collect; collect
    expect_rc 0
    expect_archived $(cat "$W/names")
    expect_gone "$JD"
    check_canary ;;

bad_config)
    mkjob
    mkrec "$JD" 2 > /dev/null
    write_conf "no_such_key = 1"
    collect; expect_rc 3
    grep -q "$CONF:[0-9]*:.*no_such_key" "$ERR" || fail "error does not name file:line and key: $(cat "$ERR")"
    ep collect --job "$JOB" --uid "$U"; expect_rc 0   # without --strict: never drain the node
    expect_count "$JD" 2
    write_conf; chmod 666 "$CONF"
    collect; expect_rc 3
    expect_err "not writable by others"
    expect_count "$JD" 2
    chmod 644 "$CONF"
    ep --strict collect --job "x/../1" --uid "$U"; expect_rc 3
    expect_err "not a job id"
    ep --strict bogus; expect_rc 2
    ep --strict collect --min-age x; expect_rc 2
    ep --help; expect_rc 0
    grep -q "exit status" "$OUT" || fail "--help lacks the exit codes"
    check_canary ;;

insecure_archive)
    mkjob
    mkrec "$JD" 2 > /dev/null
    mkdir -m 777 "$A/ww"; chmod 777 "$A/ww"
    write_conf; sed -i "s|^archive_dir = .*|archive_dir = $A/ww/archive|" "$CONF"
    collect; expect_rc 3
    expect_err "not secure"
    expect_count "$JD" 2
    [ ! -e "$A/ww/archive" ] || fail "archive created under a world-writable directory"
    # An archive that is a symlink (someone else's tree) is refused too.
    mkdir -m 700 "$A/elsewhere"; ln -s "$A/elsewhere" "$ARCH"
    chmod 755 "$A/ww"
    mkjob; mkrec "$JD" 1 > /dev/null
    write_conf; collect; expect_rc 1   # realpath'd: a symlink made by the owner is fine
    expect_err "elsewhere: mode was 0700, setting 2770"
    expect_count "$A/elsewhere/$MONTH" 3
    rm -rf "$ARCH" "$A/elsewhere"
    check_canary ;;

missing_group)
    mkjob
    mkrec "$JD" 2 > /dev/null
    write_conf; sed -i "s|^archive_group = .*|archive_group = no-such-group-x|" "$CONF"
    collect; expect_rc 3
    expect_err "archive_group = no-such-group-x: no such group"
    expect_count "$JD" 2
    check_canary ;;

unwritable_archive)
    need_root
    mkdir -p "$A/ro"
    mount -t tmpfs -o size=4m tmpfs "$A/ro" || skip "cannot mount tmpfs"
    MOUNTED+=("$A/ro")
    write_conf; sed -i "s|^archive_dir = .*|archive_dir = $A/ro/archive|" "$CONF"
    ARCH=$A/ro/archive
    mkjob; mkrec "$JD" 3 > "$W/names"; save_orig "$JD"
    ep --strict prepare        # creates nothing in the archive; make the root by a first run
    collect; expect_rc 0
    mkjob; mkrec "$JD" 3 > "$W/names2"; save_orig "$JD"
    mount -o remount,ro "$A/ro"
    collect; expect_rc 1
    expect_err "Read-only file system"
    expect_count "$JD" 3
    for n in $(cat "$W/names2"); do cmp -s "$JD/$n" "$W/orig/$n" || fail "$n changed in the spool"; done
    mount -o remount,rw "$A/ro"
    collect; expect_rc 0
    expect_archived $(cat "$W/names" "$W/names2")
    check_canary ;;

hardlink_root)
    need_root
    mkjob
    mkrec "$JD" 2 > "$W/names"
    save_orig "$JD"
    bad=run.testhost.2024_11_21_18_40_00_1234.tester.aaa.01a1ff76-0000-7000-8000-000000000003.json
    ln "$CANARY" "$JD/$bad"
    collect; expect_rc 1
    expect_archived $(cat "$W/names")
    expect_count "$ARCH/$MONTH" 2
    expect_count "$ARCH/quarantine/$MONTH" 0
    expect_gone "$JD/$bad"
    [ "$(stat -c %h "$CANARY")" = 1 ] || fail "canary link count $(stat -c %h "$CANARY")"
    expect_err "hard link"
    check_canary ;;

foreign_owner)
    need_root
    mkjob
    mkrec "$JD" 1 > "$W/names"
    save_orig "$JD"
    mkrec "$JD" 1 > "$W/foreign"; chown "$OTHER:$OTHER" "$JD/$(cat "$W/foreign")"
    collect; expect_rc 1
    expect_archived $(cat "$W/names")
    expect_quarantined "$(cat "$W/foreign")" "file owner uid $OTHER"
    expect_gone "$JD"
    check_canary ;;

foreign_uid_dir)
    # Someone else created <spool>/<U> before U did: everything in it is
    # theirs to claim, nothing is archived as U's.
    need_root
    mkjob
    mkrec "$JD" 2 > "$W/names"
    chown -R "$OTHER:$OTHER" "$SPOOL/$U"
    collect; expect_rc 1
    [ "$(count "$ARCH/$MONTH")" = 0 ] || fail "records of a foreign directory were archived"
    for n in $(cat "$W/names"); do expect_quarantined "$n" "directory owner uid $OTHER"; done
    expect_gone "$JD"
    check_canary ;;

full_archive)
    need_root
    mkdir -p "$A/small"
    mount -t tmpfs -o size=200k,mode=755 tmpfs "$A/small" || skip "cannot mount tmpfs"
    MOUNTED+=("$A/small")
    write_conf; sed -i "s|^archive_dir = .*|archive_dir = $A/small/archive|" "$CONF"
    ARCH=$A/small/archive
    mkjob
    mkrec "$JD" 150 > "$W/names"
    save_orig "$JD"
    collect; expect_rc 1
    expect_err "No space left on device"
    a=$(count "$ARCH/$MONTH"); s=$(count "$JD")
    [ "$a" -gt 0 ] && [ "$s" -gt 0 ] || fail "expected a partial move, got archive $a spool $s"
    [ $((a + s)) -ge 150 ] || fail "records lost: archive $a + spool $s < 150"
    for n in $(cat "$W/names"); do
        if [ -f "$JD/$n" ]; then cmp -s "$JD/$n" "$W/orig/$n" || fail "$n changed in the spool"
        else cmp -s "$ARCH/$MONTH/$n" "$W/orig/$n" || fail "$n neither in spool nor archive"; fi
    done
    expect_no_temps
    mount -o remount,size=16m "$A/small"
    collect; expect_rc 0
    expect_archived $(cat "$W/names")
    expect_count "$ARCH/$MONTH" 150
    expect_gone "$JD"
    check_canary ;;

prepare_fresh)
    need_root
    rmdir "$SPOOL"
    ep --strict prepare --uid "$U" --gid "$U"; expect_rc 0
    [ "$(stat -c %a:%u:%g "$SPOOL")" = 1777:0:0 ] || fail "root: $(stat -c %a:%u:%g "$SPOOL")"
    [ "$(stat -c %a:%u:%g "$SPOOL/$U")" = "700:$U:$U" ] || fail "user dir: $(stat -c %a:%u:%g "$SPOOL/$U")"
    ep --strict prepare --uid "$U" --gid "$U"; expect_rc 0
    if grep -v "created" "$ERR" | grep -q .; then fail "second prepare logged: $(cat "$ERR")"; fi
    # Slurm's environment instead of options.
    SLURM_JOB_UID=$OTHER SLURM_JOB_GID=$OTHER "$EP_BIN" --config "$CONF" --no-syslog --strict prepare 2>"$ERR" ||
        fail "prepare from SLURM_JOB_UID failed"
    [ "$(stat -c %a:%u "$SPOOL/$OTHER")" = "700:$OTHER" ] || fail "SLURM_JOB_UID dir: $(stat -c %a:%u "$SPOOL/$OTHER")"
    check_canary ;;

prepare_symlink_root)
    need_root
    rmdir "$SPOOL"
    mkdir -m 777 "$W/evil"; chmod 777 "$W/evil"; echo keep > "$W/evil/file"
    ln -s "$W/evil" "$SPOOL"
    ep --strict prepare --uid "$U"; expect_rc 1
    expect_err "symbolic link"
    [ ! -L "$SPOOL" ] && [ "$(stat -c %a:%u "$SPOOL")" = 1777:0 ] || fail "root not replaced"
    [ "$(stat -c %a "$W/evil")" = 777 ] && [ "$(cat "$W/evil/file")" = keep ] || fail "symlink target touched"
    [ ! -e "$W/evil/$U" ] || fail "user dir created through the symlink"
    [ "$(stat -c %a:%u "$SPOOL/$U")" = "700:$U" ] || fail "user dir wrong"
    # collect refuses a symlinked root (prepare is the only one to repair it)
    mv "$SPOOL" "$W/real"; ln -s "$W/evil" "$SPOOL"
    collect; expect_rc 3
    expect_err "refused"
    check_canary ;;

prepare_foreign_uid_dir)
    need_root
    mkdir -m 755 "$SPOOL/$U"; chown "$OTHER:$OTHER" "$SPOOL/$U"; echo planted > "$SPOOL/$U/planted"
    ep --strict prepare --uid "$U" --gid "$U"; expect_rc 1
    expect_err "owned by uid $OTHER"
    [ "$(stat -c %a:%u "$SPOOL/$U")" = "700:$U" ] || fail "user dir: $(stat -c %a:%u "$SPOOL/$U")"
    aside=$(ls -d "$SPOOL"/.$U.bad.* 2>/dev/null | head -1)
    [ -n "$aside" ] && [ "$(cat "$aside/planted")" = planted ] || fail "foreign dir not kept aside"
    # wrong mode of the user's own dir: fixed
    chmod 755 "$SPOOL/$U"
    ep --strict prepare --uid "$U"; expect_rc 1
    expect_err "mode was 0755"
    [ "$(stat -c %a "$SPOOL/$U")" = 700 ] || fail "mode not fixed"
    # a symlink in its place: removed, replaced
    rm -rf "$SPOOL/$U"; ln -s /etc "$SPOOL/$U"
    ep --strict prepare --uid "$U"; expect_rc 1
    [ ! -L "$SPOOL/$U" ] && [ "$(stat -c %a:%u "$SPOOL/$U")" = "700:$U" ] || fail "symlink not replaced"
    [ "$(stat -c %u /etc)" = 0 ] || fail "/etc touched"
    check_canary ;;

prepare_foreign_root)
    need_root
    chown "$OTHER" "$SPOOL"
    ep --strict prepare; expect_rc 1
    expect_err "owned by uid $OTHER"
    [ "$(stat -c %a:%u "$SPOOL")" = 1777:0 ] || fail "root not replaced"
    ls -d "$W"/.spool.bad.* >/dev/null 2>&1 || fail "foreign root not moved aside"
    check_canary ;;

sweep)
    need_root
    old=$(date -d '-2 hours' +%s)
    mkjob nojob; mkrec "$SPOOL/$U/nojob" 3 > "$W/nojob"; save_orig "$SPOOL/$U/nojob"
    mkjob 88; mkrec "$SPOOL/$U/88" 2 > "$W/gone"; save_orig "$SPOOL/$U/88"
    mkjob 99; mkrec "$SPOOL/$U/99" 2 > "$W/running"
    echo partial > "$SPOOL/$U/nojob/.old.tmp"; touch -d "@$old" "$SPOOL/$U/nojob/.old.tmp"
    echo partial > "$SPOOL/$U/nojob/.young.tmp"
    touch -d "@$old" "$SPOOL/$U/88"
    mkjob 1; mkrec "$SPOOL/$U/1" 1 > "$W/first"; save_orig "$SPOOL/$U/1"
    collect 1; expect_rc 0  # creates the archive tree
    echo x > "$ARCH/$MONTH/.stale.tmp"; touch -d "@$old" "$ARCH/$MONTH/.stale.tmp"
    echo x > "$ARCH/$MONTH/.fresh.tmp"
    ep --strict sweep --min-age 3600; expect_rc 0
    expect_archived $(cat "$W/nojob" "$W/gone" "$W/first")
    expect_count "$ARCH/$MONTH" 6
    expect_gone "$SPOOL/$U/88"
    [ -d "$SPOOL/$U/nojob" ] || fail "nojob removed"
    [ "$(ls -A "$SPOOL/$U/nojob")" = .young.tmp ] || fail "nojob holds: $(ls -A "$SPOOL/$U/nojob")"
    expect_count "$SPOOL/$U/99" 2
    expect_gone "$ARCH/$MONTH/.stale.tmp"
    [ -f "$ARCH/$MONTH/.fresh.tmp" ] || fail "a young archive temp was removed"
    check_canary ;;

lock_planted)
    need_root
    mkjob
    mkrec "$JD" 2 > "$W/names"; save_orig "$JD"
    ln -s "$CANARY" "$SPOOL/.track-epilog.lock"
    collect; expect_rc 1
    expect_err "not our lock file"
    expect_archived $(cat "$W/names")
    [ "$(stat -c %F:%u:%a "$SPOOL/.track-epilog.lock")" = "regular empty file:0:600" ] || fail "lock not replaced"
    # a lock file owned by a user
    mkjob; mkrec "$JD" 1 > /dev/null
    rm "$SPOOL/.track-epilog.lock"; touch "$SPOOL/.track-epilog.lock"; chown "$OTHER" "$SPOOL/.track-epilog.lock"
    collect; expect_rc 1
    expect_gone "$JD"
    check_canary ;;

syslog)
    # What an admin sees in syslog: the same one-line messages as on stderr,
    # ident track-epilog[pid], facility daemon. A datagram socket at /dev/log
    # stands in for the syslog daemon; only where none exists (never hijack a
    # real one), and removed afterwards.
    need_root
    [ -e /dev/log ] && skip "/dev/log exists (a syslog daemon runs here): not replaced"
    command -v python3 >/dev/null || skip "python3 missing"
    LOG=$W/syslog.txt
    python3 - "$LOG" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[1], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
PY
    LOGGER=$!
    stop_logger() { kill "$LOGGER" 2>/dev/null || true; wait "$LOGGER" 2>/dev/null || true; rm -f /dev/log; }
    trap 'stop_logger; cleanup' EXIT
    for _ in $(seq 1 100); do [ -e "$LOG.ready" ] && break; sleep 0.05; done
    [ -S /dev/log ] || fail "the stand-in syslog socket did not appear"
    mkjob
    mkrec "$JD" 2 > /dev/null; save_orig "$JD"
    write_conf "no_such_key = 1"
    set +e; "$EP_BIN" --config "$CONF" --strict collect --job "$JOB" --uid "$U" >"$OUT" 2>"$ERR"; RC=$?; set -e
    expect_rc 3
    write_conf
    set +e; "$EP_BIN" --config "$CONF" --strict collect --job "$JOB" --uid "$U" >"$OUT" 2>"$ERR"; RC=$?; set -e
    expect_rc 0
    expect_count "$JD" 0
    sleep 0.2   # datagrams are queued; let the reader write them out
    # <27> = daemon.err, <30> = daemon.info (RFC 3164 as glibc sends it)
    grep -aq "^<27>.*track-epilog\[[0-9]*\]: error: $CONF:[0-9]*:.*no_such_key" "$LOG" ||
        fail "no daemon.err line naming $CONF and the key: $(cat "$LOG")"
    grep -aq "^<30>.*track-epilog\[[0-9]*\]: collect .*2 archived" "$LOG" ||
        fail "no daemon.info summary of the collect: $(cat "$LOG")"
    ! grep -aq "^<3[0-9]>.*error" "$LOG" || fail "an error logged at info priority: $(cat "$LOG")"
    check_canary ;;

# ---- Trust (docs/trust.md): a record may only speak for the job, the
# cluster and the node it was collected from, and for the job's lifetime.
# Each case: honest records of the job are archived, the one forged claim
# goes to quarantine with a reason that starts with the claim's key.
trust_job)
    # job 77's user writes a record that says it ran in job 88 (someone
    # else's job): without a stamp too, the directory names the job.
    trust_now; mkjob
    mkrec "$JD" 2 --time "$NOW" > "$W/names"; save_orig "$JD"
    mkrec "$JD" 1 --time "$NOW" --job 88 > "$W/forged"
    collect; expect_rc 1
    expect_trust "reason: job.id: record claims job '88', collected from job $JOB"
    expect_err "no job stamp"
    # a run record in a job directory that claims no job at all
    mkjob; mkrec "$JD" 1 --time "$NOW" --job - > "$W/forged"
    collect; expect_rc 1
    expect_quarantined "$(cat "$W/forged")" "reason: job.id: record claims no job"
    check_canary ;;

trust_array)
    # Array task 70_3 (job id 77); a record claims task 4 of the same array,
    # another claims array ids for a job that is not an array job. The
    # array ids come from the Prolog's stamp (prepare --array: what the
    # Prolog script learned from squeue).
    trust_now; mkjob
    ep --strict prepare --uid "$U" --job "$JOB" --array 70_3; expect_rc 0
    [ "$(stat -c %a:%u "$SPOOL/.track-jobs")" = "700:$ME" ] || fail "stamp dir: $(stat -c %a:%u "$SPOOL/.track-jobs")"
    grep -qx "array=70_3" "$SPOOL/.track-jobs/$JOB" || fail "stamp: $(cat "$SPOOL/.track-jobs/$JOB")"
    mkrec "$JD" 2 --time "$NOW" --array 70_3 > "$W/names"; save_orig "$JD"
    mkrec "$JD" 1 --time "$NOW" --array 70_4 > "$W/forged"
    collect; expect_rc 1
    expect_trust "reason: job.array_task: record claims '4', job $JOB's is '3'"
    expect_gone "$SPOOL/.track-jobs/$JOB"
    ep --strict prepare --uid "$U" --job "$JOB" --array ''; expect_rc 0
    mkjob; mkrec "$JD" 1 --time "$NOW" --array 70_3 > "$W/forged"
    collect; expect_rc 1
    expect_quarantined "$(cat "$W/forged")" "reason: job.array_id: record claims '70', job $JOB has none"
    # slurmd's environment of the Epilog counts too (newer Slurm sets it)
    mkjob; mkrec "$JD" 1 --time "$NOW" --array 70_5 > "$W/forged"
    SLURM_ARRAY_JOB_ID=70 SLURM_ARRAY_TASK_ID=3 collect; expect_rc 1
    expect_quarantined "$(cat "$W/forged")" "reason: job.array_task: record claims '5'"
    check_canary ;;

trust_partition)
    trust_now; mkjob
    mkrec "$JD" 2 --time "$NOW" --partition batch > "$W/names"; save_orig "$JD"
    mkrec "$JD" 1 --time "$NOW" --partition gpu > "$W/forged"
    SLURM_JOB_PARTITION=batch collect; expect_rc 1
    expect_trust "reason: job.partition: record claims 'gpu', job $JOB's is 'batch'"
    check_canary ;;

trust_syshost)
    trust_now; mkjob
    mkrec "$JD" 2 --time "$NOW" > "$W/names"; save_orig "$JD"
    mkrec "$JD" 1 --time "$NOW" --syshost othercluster > "$W/forged"
    collect; expect_rc 1
    expect_trust "reason: syshost: record claims 'othercluster', this cluster is 'testhost'"
    check_canary ;;

trust_host)
    trust_now; mkjob
    mkrec "$JD" 2 --time "$NOW" > "$W/names"; save_orig "$JD"
    mkrec "$JD" 1 --time "$NOW" --host othernode > "$W/forged"
    collect; expect_rc 1
    expect_trust "reason: host: record claims 'othernode', this node is '$(uname -n)'"
    check_canary ;;

trust_start)
    # The Prolog's stamp says when the job started on this node; a record
    # that claims to have started a year earlier is refused, as is one from
    # after the collection. A user's directory is no evidence: its mtime is
    # set back too, and changes nothing.
    trust_now; mkjob
    ep --strict prepare --uid "$U" --job "$JOB"; expect_rc 0
    mkrec "$JD" 2 --time "$NOW" > "$W/names"; save_orig "$JD"
    old=$((NOW - 366 * 86400)); OLD_MONTH=$(date -d "@$old" +%Y%m)
    mkrec "$JD" 1 --time "$old" > "$W/forged"
    touch -d "@$old" "$JD"
    collect; expect_rc 1
    expect_archived $(cat "$W/names")
    expect_count "$ARCH/$MONTH" 2
    expect_quarantined "$(cat "$W/forged")" "reason: start_time: record claims $old, 3162[0-9]* s before job $JOB started" "$OLD_MONTH"
    expect_gone "$JD"
    ep --strict prepare --uid "$U" --job "$JOB"; expect_rc 0
    mkjob; mkrec "$JD" 1 --time $((NOW + 86400)) > "$W/forged"
    collect; expect_rc 1
    expect_quarantined "$(cat "$W/forged")" "reason: start_time: record claims $((NOW + 86400)), .* after this collection" "$(date -d "@$((NOW + 86400))" +%Y%m)"
    check_canary ;;

trust_stamp_planted)
    # The user creates <spool>/.track-jobs (the spool root is world-writable)
    # with a stamp that moves the job's start back a year: collect does not
    # use it, prepare moves it aside.
    trust_now; mkjob
    mkdir -m 700 "$SPOOL/.track-jobs"
    old=$((NOW - 366 * 86400))
    printf 'track-epilog job stamp 1\njob=%s\nuid=%s\nstart=%s\nsyshost=testhost\n' "$JOB" "$U" "$old" > "$SPOOL/.track-jobs/$JOB"
    if [ "$ME" = 0 ]; then chown -R "$OTHER" "$SPOOL/.track-jobs"; else chmod 755 "$SPOOL/.track-jobs"; fi
    mkrec "$JD" 1 --time "$NOW" > "$W/names"; save_orig "$JD"
    collect; expect_rc 1
    expect_err ".track-jobs: not used"
    expect_archived $(cat "$W/names")
    ep --strict prepare --uid "$U" --job "$JOB"; expect_rc 1
    [ "$(stat -c %a:%u "$SPOOL/.track-jobs")" = "700:$ME" ] || fail "planted stamp dir not replaced"
    grep -q "start=$old" "$SPOOL/.track-jobs/$JOB" && fail "planted stamp kept"
    check_canary ;;

trust_sweep)
    # sweep knows less: nojob/ holds no job's records, and an abandoned job
    # directory's job is its name (and its stamp, when the Prolog left one).
    trust_now
    old=$(date -d '-2 hours' +%s)
    mkjob nojob; mkrec "$SPOOL/$U/nojob" 2 --time "$NOW" > "$W/names"
    mkrec "$SPOOL/$U/nojob" 1 --time "$NOW" --job 77 > "$W/forged_nojob"
    mkjob 88; mkrec "$SPOOL/$U/88" 2 --time "$NOW" >> "$W/names"
    mkrec "$SPOOL/$U/88" 1 --time "$NOW" --job 99 > "$W/forged_88"
    ep --strict prepare --uid "$U" --job 89; expect_rc 0
    mkjob 89; mkrec "$SPOOL/$U/89" 1 --time "$NOW" >> "$W/names"
    mkrec "$SPOOL/$U/89" 1 --time $((NOW - 366 * 86400)) > "$W/forged_89"
    save_orig "$SPOOL/$U/nojob"; save_orig "$SPOOL/$U/88"; save_orig "$SPOOL/$U/89"
    touch -d "@$old" "$SPOOL/$U/88" "$SPOOL/$U/89"
    ep --strict sweep --min-age 3600; expect_rc 1
    expect_archived $(cat "$W/names")
    expect_count "$ARCH/$MONTH" 5
    expect_quarantined "$(cat "$W/forged_nojob")" "reason: job.id: record claims job '77', but lies in nojob/"
    expect_quarantined "$(cat "$W/forged_88")" "reason: job.id: record claims job '99', collected from job 88"
    expect_quarantined "$(cat "$W/forged_89")" "reason: start_time: .* before job 89 started" "$(date -d "@$((NOW - 366 * 86400))" +%Y%m)"
    expect_gone "$SPOOL/$U/88"; expect_gone "$SPOOL/$U/89"
    expect_gone "$SPOOL/.track-jobs/89"
    check_canary ;;

crash_short)
    # kill -9 collect at random instants, then rerun: every record exactly
    # once. bench/epilog/crash.sh is the long version.
    N=${EP_CRASH_RECORDS:-2000}
    ROUNDS=${EP_CRASH_ROUNDS:-8}
    mkjob
    mkrec "$JD" "$N" > "$W/names"
    save_orig "$JD"
    for r in $(seq "$ROUNDS"); do
        "$EP_BIN" --config "$CONF" --no-syslog --quiet collect --job "$JOB" --uid "$U" 2>>"$W/kills" &
        pid=$!
        sleep "0.$(printf '%03d' $((RANDOM % 120)))"
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        # Invariant at every instant: each record in the spool or the archive.
        for n in $(cat "$W/names"); do
            [ -f "$JD/$n" ] || [ -f "$ARCH/$MONTH/$n" ] || fail "round $r: $n lost"
        done
    done
    collect; expect_rc 0
    expect_count "$ARCH/$MONTH" "$N"
    for n in $(cat "$W/names"); do cmp -s "$ARCH/$MONTH/$n" "$W/orig/$n" || fail "$n differs"; done
    [ "$(find "$ARCH" -type f | wc -l)" = "$N" ] || fail "archive holds extra files: $(find "$ARCH" -type f | grep -v "/$MONTH/run" | head)"
    expect_no_temps
    expect_gone "$JD"
    check_canary ;;

tally_real)
    # Real runs of uid U under libtrack past a budget of 2: the two first
    # runs as records, the seven others in tally.slots, one tally record.
    need_root; trust_now
    write_conf "job_max_records = 2"
    mkjob; chmod 711 "$W"
    pre=$EP_LIBTRACK; [ -n "${TRACK_PRELOAD_PREFIX:-}" ] && pre="$TRACK_PRELOAD_PREFIX:$pre"
    setpriv --reuid "$U" --regid "$U" --clear-groups env TRACK_CONFIG="$CONF" SLURM_JOB_ID=$JOB \
        ASAN_OPTIONS=detect_leaks=0 PRE="$pre" /bin/sh -c \
        'export LD_PRELOAD=$PRE; for i in 1 2 3 4 5 6 7; do /bin/true; done; /bin/false; /bin/false; :'
    [ -f "$JD/tally.slots" ] || fail "no tally file: $(ls "$JD")"
    [ "$(ls "$JD" | grep -c '^run\.')" = 4 ] || fail "expected 4 record files: $(ls "$JD")"
    collect; expect_rc 0
    expect_count "$ARCH/$MONTH" 5
    t=$(ls "$ARCH/$MONTH" | grep '^tally\.testhost\.') || fail "no tally record"
    python3 - "$ARCH/$MONTH/$t" "$U" <<'PY' || fail "tally record: $(cat "$ARCH/$MONTH/$t")"
import json, sys
r = json.load(open(sys.argv[1]))
by = {(t["path"], t["class"]): t["runs"] for t in r["tallies"]}
assert r["kind"] == "tally" and r["uid"] == int(sys.argv[2]) and r["job"]["id"] == "77", r
assert r["syshost"] == "testhost" and r["runs"] == 7 and r["unknown"] == 0, r
assert by == {("/usr/bin/true", "ok"): 5, ("/usr/bin/false", "error"): 2}, by
assert all(t["core_us"] == t["wall_us"] for t in r["tallies"]), r
PY
    expect_err "7 runs tallied"
    expect_gone "$JD"
    check_canary ;;

tally_forged)
    # Each forgery in its own collect: quarantined whole, with its reason.
    need_root; trust_now
    mkjob
    ep prepare --job $JOB --uid "$U"; expect_rc 0
    n=0
    for f in "uid:owners disagree" "job:job: tally claims job '88'" "cpu:cpu: slot 7" \
             "wall:wall: slot 7" "early:first_start: tally claims" \
             "garbage:not a valid tally file" "owner:owners disagree: file owner uid $OTHER"; do
        flaw=${f%%:*} why=${f#*:}
        mkjob
        ep prepare --job $JOB --uid "$U"
        "$EP_MKTALLY" "$JD/tally.slots" "$U" $JOB "$flaw"
        chown "$U:$U" "$JD/tally.slots"
        [ "$flaw" = owner ] && chown "$OTHER" "$JD/tally.slots"
        collect; expect_rc 1
        q=tally.slots; [ $n -gt 0 ] && q=tally.slots.$n
        expect_quarantined "$q" "$why"
        expect_count "$ARCH/$MONTH" 0
        n=$((n + 1))
    done
    # A symlink in place of the tally is removed unopened (like any symlink
    # in a job directory); its target is never read.
    mkjob
    "$EP_MKTALLY" "$W/target" "$U" $JOB; touch -a -d '2001-01-01' "$W/target"
    ta=$(stat -c %X "$W/target")
    ln -s "$W/target" "$JD/tally.slots"
    collect; expect_rc 1
    expect_err "tally.slots: removed: a symbolic link"
    [ "$(stat -c %X "$W/target")" = "$ta" ] || fail "symlink target was read"
    expect_count "$ARCH/$MONTH" 0
    # The honest one passes.
    mkjob
    "$EP_MKTALLY" "$JD/tally.slots" "$U" $JOB; chown "$U:$U" "$JD/tally.slots"
    collect; expect_rc 0
    expect_count "$ARCH/$MONTH" 1
    check_canary ;;

tally_rerun)
    # kill -9 collect of records and a tally at random instants, then
    # rerun: exactly one tally record, identical whenever it was written.
    need_root; trust_now
    mkjob
    mkrec "$JD" 1500 --time "$NOW" > "$W/names"
    "$EP_MKTALLY" "$JD/tally.slots" "$U" $JOB; chown "$U:$U" "$JD/tally.slots"
    for r in 1 2 3 4 5 6; do
        "$EP_BIN" --config "$CONF" --no-syslog --quiet collect --job "$JOB" --uid "$U" 2>>"$W/kills" &
        pid=$!
        sleep "0.$(printf '%03d' $((RANDOM % 150)))"
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        [ -f "$JD/tally.slots" ] || [ "$(ls "$ARCH/$MONTH" | grep -c '^tally\.')" = 1 ] ||
            fail "round $r: the tally is neither in the spool nor archived"
    done
    collect; expect_rc 0
    [ "$(ls "$ARCH/$MONTH" | grep -c '^tally\.')" = 1 ] || fail "tally records: $(ls "$ARCH/$MONTH" | grep '^tally')"
    expect_count "$ARCH/$MONTH" 1501
    expect_no_temps
    expect_gone "$JD" ;;

*)
    fail "unknown case" ;;
esac
echo "PASS [$case_name]"
