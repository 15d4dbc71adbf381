#!/usr/bin/env bash
# Runs every test of track: installs what is missing (as root), builds with
# gcc and runs the whole ctest suite, builds again with ASan+UBSan and runs
# the whole suite again, then builds everything with clang (warnings are
# errors there too) with the libFuzzer targets and runs their short CI runs.
#
#   scripts/test.sh            everything
#   scripts/test.sh --quick    gcc build and suite only
#   TRACK_TEST_LABEL=epilog scripts/test.sh --quick   one label
#
# Exit status: 0 when every test passed, 1 otherwise.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=lib/deps.sh
. scripts/lib/deps.sh

quick=0
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option '$a' (see --help)" >&2; exit 2 ;;
  esac
done

track_ensure_packages
jobs=${TRACK_TEST_JOBS:-2}
label=${TRACK_TEST_LABEL:-}
builddir=${TRACK_BUILD_DIR:-$top/build}
passed=0
failed=0
status=0

# run_suite NAME CMAKE-ARGS... : configure, build, run ctest; add up results.
run_suite() {
  local name=$1; shift
  local dir="$builddir/$name" log
  echo "=== $name: configure and build"
  cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log"; echo "$name: configure failed" >&2; status=1; return; }
  cmake --build "$dir" -j"$jobs" >"$dir.build.log" 2>&1 ||
    { tail -n 60 "$dir.build.log"; echo "$name: build failed" >&2; status=1; return; }
  echo "=== $name: ctest"
  log="$dir.ctest.log"
  local args=(--test-dir "$dir" -j"$jobs" --output-on-failure --timeout 900)
  [ -n "$label" ] && args+=(-L "$label")
  [ "$name" = clang-fuzz ] && args+=(-L fuzz)
  ctest "${args[@]}" 2>&1 | tee "$log" || status=1
  local line p f
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
  if [ -n "$line" ]; then
    f=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    p=$(( $(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line") - f ))
    passed=$((passed + p)); failed=$((failed + f))
    [ "$f" -eq 0 ] || status=1
  elif ! grep -q 'No tests were found' "$log"; then
    status=1
  fi
}

mkdir -p "$builddir"
run_suite gcc -DCMAKE_C_COMPILER=gcc -DTRACK_WERROR=ON
if [ "$quick" -eq 0 ]; then
  run_suite asan -DCMAKE_C_COMPILER=gcc -DTRACK_WERROR=ON -DTRACK_SANITIZE=ON
  run_suite clang-fuzz -DCMAKE_C_COMPILER=clang -DTRACK_WERROR=ON -DTRACK_FUZZ=ON
fi

echo "all suites: $passed passed, $failed failed"
exit "$status"
