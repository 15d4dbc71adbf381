#!/bin/bash
# The long crash test: kill -9 collect of RECORDS records at random
# instants, ROUNDS times, checking after each kill that no record is lost,
# then rerun: every record exactly once (tests/epilog/ep_test.sh crash_short
# is the short ctest version of the same code).
#
#   bash bench/epilog/crash.sh BUILD_DIR [RECORDS=5000] [ROUNDS=60]
set -euo pipefail
B=${1:?usage: crash.sh BUILD_DIR [RECORDS] [ROUNDS]}
here=$(cd "$(dirname "$0")" && pwd)
EP_BIN=$B/epilog/track-epilog EP_MKREC=$B/tests/epilog/ep_mkrec \
EP_CRASH_RECORDS=${2:-5000} EP_CRASH_ROUNDS=${3:-60} \
    exec bash "$here/../../tests/epilog/ep_test.sh" crash_short
