#!/bin/bash
# The Debian packages, installed for real into a fresh root and removed again.
#
# 1. scripts/package.sh builds them (lintian must find no errors), unless
#    PKG_DIST names a directory that already holds them.
# 2. The fresh root: an overlay of this system's / (read-only lower layer,
#    private upper layer) in a private mount namespace, with its own /dev/shm
#    (so /dev/shm/track is the packages' default spool, nobody else's), entered
#    with chroot. dpkg runs there with its maintainer scripts, on a copy of
#    this system's dpkg database, without touching the machine. A debootstrap
#    chroot would be a barer root, but it fetches ~200 MB and needs a mirror;
#    this takes a second, and the upper layer shows byte for byte what the
#    packages left behind. Runtime dependencies are checked separately
#    (every NEEDED library's package is in Depends).
# 3. In the root (in_root.sh): install, upgrade twice (config kept; with a
#    changed packaged config too), then the pipeline against the installed
#    files only: MariaDB, `track-ingest --migrate`, a Slurm whose
#    Prolog/TaskProlog/Epilog are the installed scripts, a job as a user,
#    the ingester as the service account, reports, track-doctor with no
#    option at all (exit 0), the installed man pages; then purge.
# 4. Outside: every file the upper layer holds must be bookkeeping (dpkg's
#    database and log, man-db's cache, account backups), and none of it may
#    still name a track package.
# Root only; skipped (77) where overlay mounts are not allowed.
set -euo pipefail
skip() { echo "SKIP [package]: $*" >&2; exit 77; }
fail() { echo "FAIL [package]: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root (dpkg, mounts)"
SRC=${1:?source dir}
HERE=$(cd "$(dirname "$0")" && pwd)

T=$(mktemp -d /tmp/tp.XXXXXX)
cleanup() {
  # The namespace (and its mounts) ends with the unshare'd shell; only files remain.
  rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$T/upper" "$T/work" "$T/root"
unshare -m --propagation private true 2>/dev/null || skip "unshare -m not allowed here"
unshare -m --propagation private sh -c "mount -t overlay overlay -o lowerdir=/,upperdir=$T/upper,workdir=$T/work $T/root" \
  2>/dev/null || skip "overlay mounts not allowed here"
rm -rf "$T/upper" "$T/work"; mkdir -p "$T/upper" "$T/work"

# --- 1. build
if [ -n "${PKG_DIST:-}" ]; then
  dist=$PKG_DIST
else
  dist=$T/dist
  bash "$SRC/scripts/package.sh" --out "$dist" > "$T/package.log" 2>&1 || { tail -n 40 "$T/package.log"; fail "package.sh failed"; }
  grep -q "lintian: no errors" "$T/package.log" || fail "lintian did not pass"
  echo "ok: packages built, lintian: no errors"
fi
for p in track-common track-node track-db track-build; do
  ls "$dist"/${p}_*.deb >/dev/null 2>&1 || fail "no $p package in $dist"
done

# --- runtime dependencies: each NEEDED library of each ELF file in a package
# belongs to a package named in its Depends (or to libc6, or to itself).
for deb in "$dist"/*.deb; do
  pkg=$(dpkg-deb -f "$deb" Package)
  deps=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/^ *//;s/[ (].*//')
  x=$T/x/$pkg; mkdir -p "$x"; dpkg-deb -x "$deb" "$x"
  while IFS= read -r f; do
    file -b "$f" | grep -q '^ELF' || continue
    for lib in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
      path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ && !f {print $NF; f = 1}')
      [ -n "$path" ] || fail "$pkg: ${f#"$x"}: needs $lib, not found on this system"
      owner=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | sed -n 1p | cut -d: -f1) ||
        owner=$(dpkg -S "$path" 2>/dev/null | sed -n 1p | cut -d: -f1)
      grep -qx "$owner" <<<"$deps" || fail "$pkg: ${f#"$x"} needs $lib from $owner, which is not in Depends: $deps"
    done
  done < <(find "$x" -type f)
  echo "ok: $pkg: every NEEDED library comes from Depends ($(echo $deps | tr ' ' ','))"
done

# --- upgrades: the same files with a higher version (v2), and a v3 whose
# packaged config changed too (both sides changed: dpkg keeps the admin's).
v1=$(dpkg-deb -f "$dist"/track-common_*.deb Version)
repack() { # deb version outdir [edit-config]
  local d=$T/re/$(basename "$1")
  rm -rf "$d"; mkdir -p "$d" "$3"
  dpkg-deb -R "$1" "$d"
  sed -i "s/^Version: .*/Version: $2/; s/track-common (= [^)]*)/track-common (= $2)/" "$d/DEBIAN/control"
  if [ -n "${4:-}" ] && [ -f "$d/etc/track/track.conf" ]; then
    echo "# a line the packaged config gained in $2" >> "$d/etc/track/track.conf"
    (cd "$d" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort |
       xargs md5sum > DEBIAN/md5sums)
  fi
  dpkg-deb -b --root-owner-group "$d" "$3/" >/dev/null
}
for deb in "$dist"/*.deb; do
  repack "$deb" "$v1+t2" "$T/v2"
  repack "$deb" "$v1+t3" "$T/v3" edit
done

# --- 2./3. the fresh root
unshare -m --propagation private bash -c '
  set -e
  T=$1; SRC=$2
  mount -t overlay overlay -o lowerdir=/,upperdir=$T/upper,workdir=$T/work $T/root
  mount --rbind /proc $T/root/proc
  mount --rbind /sys $T/root/sys
  mount --rbind /dev $T/root/dev
  mount -t tmpfs -o mode=1777 tmpfs $T/root/dev/shm
  mkdir -p $T/root/run/pkgtest
  mount --bind $T $T/root/run/pkgtest
  exec chroot $T/root /bin/bash "$SRC/tests/package/in_root.sh" /run/pkgtest "$3" /run/pkgtest/v2 /run/pkgtest/v3 "$SRC"
' sh "$T" "$SRC" "$( [ "$dist" = "$T/dist" ] && echo /run/pkgtest/dist || echo "$dist")" 2>&1 | tee "$T/in_root.out" | sed 's/^/  root: /'
[ "${PIPESTATUS[0]}" = 0 ] || fail "in the fresh root (above)"
grep -q "^in_root: all checks passed" "$T/in_root.out" || fail "in_root.sh did not finish"

# --- 4. what is left in the root after the purge
# Files the upper layer holds: copy-ups of existing files (identical ones are
# not changes), new files, and whiteouts (deleted files).
left=$T/left; : > "$left"
(cd "$T/upper" && find . -mindepth 1 \( -type f -o -type l -o -type c \) -printf '%P\n') | sort |
while IFS= read -r f; do
  if [ -c "$T/upper/$f" ]; then echo "deleted /$f" >> "$left"; continue; fi
  if [ -f "/$f" ] && [ ! -L "/$f" ] && cmp -s "/$f" "$T/upper/$f"; then continue; fi
  echo "/$f" >> "$left"
done
# New directories (not in the lower layer).
(cd "$T/upper" && find . -mindepth 1 -type d -printf '%P\n') | while IFS= read -r d; do
  [ -d "/$d" ] || echo "/$d/" >> "$left"
done
allowed='^/(var/lib/dpkg/(status|status-old|available|diversions|statoverride|lock.*|triggers/.*|info/format|info/[a-z0-9.+-]*\.(list|md5sums|triggers))|var/log/(dpkg|alternatives)\.log|var/log/(lastlog|faillog)|etc/\.pwd\.lock|var/cache/(man|debconf|ldconfig)/.*|etc/(passwd|group|shadow|gshadow|subuid|subgid)-?|etc/ld\.so\.cache|root/\..*|run/pkgtest/?)$'
unexpected=$(grep -Ev "$allowed" "$left" || true)
[ -z "$unexpected" ] || fail "left behind after the purge: $(echo $unexpected)"
grep -q '^Package: track-' "$T/upper/var/lib/dpkg/status" && fail "dpkg still lists a track package"
named=$(grep -v '^/run/pkgtest' "$left" | grep -i 'track' || true)
[ -z "$named" ] || fail "paths naming track left behind: $(echo $named)"
for f in $(grep -v '^deleted' "$left"); do
  case "$f" in */var/log/*|*/) continue ;; esac
  [ -f "$T/upper$f" ] && grep -l 'track-\(common\|node\|db\|build\)' "$T/upper$f" 2>/dev/null | grep -v '/var/lib/dpkg/status-old' &&
    fail "$f still names a track package"
done
echo "ok: after the purge only bookkeeping is left ($(wc -l < "$left") files: $(sed 's|^/||' "$left" | tr '\n' ' ' | cut -c1-300))"
echo "package: all checks passed"
