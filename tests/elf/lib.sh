# Shared helpers for the elf test scripts (sourced; bash, set -euo pipefail).
# Every test gets a private directory (removed on exit), a private config
# whose spool root is a root-owned sticky directory inside it, and TMPDIR
# pointing into it so that leftover temp files can be detected.
# Environment from ctest: BIN (build dir of elf/), WRAPDIR (wrapper-dir).

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "--- $*"; }

T=$(mktemp -d /tmp/track-elf-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -m 1777 "$T/spool"
chmod 1777 "$T/spool"
mkdir "$T/tmp"
printf 'spool_dir = %s\nsyshost = testhost\n' "$T/spool" > "$T/track.conf"
export TRACK_CONFIG="$T/track.conf"
export TMPDIR="$T/tmp"
unset TRACK_REAL_LD TRACK_AS TRACK_LD_ACTIVE TRACK_DISABLE SLURM_JOB_ID || true
export USER=${USER:-root}
TRACK_ELF="$BIN/track-elf"
TRACK_STAMP="$BIN/track-stamp"
SPOOLJOB="$T/spool/$(id -u)/nojob"

need_root() {
  # The spool root must be owned by root (spool_open_job_dir checks it).
  [ "$(id -u)" = 0 ] || { echo "SKIP: needs root (root-owned spool root)"; exit 77; }
}

# sig FILE: the watermark signature track-elf reports ("" if none).
sig() {
  "$TRACK_ELF" --json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["signature"] or "")'
}
# bid FILE: the build-id track-elf reports ("" if none).
bid() {
  "$TRACK_ELF" --json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["build_id"] or "")'
}
uuid_re='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'

# no_temp_left: nothing of ours (track-ld.*) may remain in TMPDIR.
no_temp_left() {
  local left
  left=$(find "$TMPDIR" -mindepth 1 -name 'track-*' -print)
  [ -z "$left" ] || fail "temporary files left behind: $left"
}

# check_link_record OUTPUT SIGNATURE: exactly one link record for SIGNATURE
# exists in the spool, names OUTPUT, carries its build-id, is valid JSON with
# the documented keys, mode 0600.
check_link_record() {
  local out=$1 s=$2 f
  f=$(ls "$SPOOLJOB"/link.*."$s".json 2>/dev/null || true)
  [ -n "$f" ] || fail "no link record for $out ($s) in $SPOOLJOB"
  [ "$(stat -c %a "$f")" = 600 ] || fail "$f: mode $(stat -c %a "$f"), expected 600"
  python3 - "$f" "$out" "$s" "$(bid "$out")" <<'PY' || fail "link record $f is wrong"
import json, sys
f, out, s, b = sys.argv[1:]
d = json.load(open(f))
for k in ("schema", "kind", "link_uuid", "syshost", "host", "user", "uid", "gid", "time",
          "cwd", "output", "output_build_id", "linker", "cmdline", "objects"):
    assert k in d, "missing key " + k
assert d["schema"] == 1 and d["kind"] == "link", d
assert d["link_uuid"] == s, (d["link_uuid"], s)
assert d["syshost"] == "testhost", d["syshost"]
assert d["output"].endswith(out.split("/")[-1]), (d["output"], out)
assert d["output_build_id"] == b, (d["output_build_id"], b)
assert isinstance(d["cmdline"], list) and d["cmdline"][0] == d["linker"]
assert not any("track-signature.o" in w for w in d["cmdline"]), "temp object in cmdline"
assert all(set(o) == {"path", "build_id", "signature"} for o in d["objects"])
assert len(d["objects"]) > 0
PY
  # And the readers' own parser (track-epilog, track-ingest) accepts it.
  "$REC_CHECK" "$f" || fail "link record $f rejected by rec_parse"
}
