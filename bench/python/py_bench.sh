#!/bin/bash
# Cost of the Python package hook (docs/python.md, figures in
# docs/performance.md "Python package hook"):
#   bench/python/py_bench.sh BUILD_DIR [N] [PROGRAM...]
# default program: /usr/bin/python3 -c "import numpy". lt_bench interleaves
# untracked, an empty preload library and libtrack, N spawns each; it runs
# three times: libtrack without the hook, libtrack with the hook installed
# as an administrator would (.pth and a compiled module in a site directory:
# here the user site of a private HOME), and with PYTHONPATH (the trial way,
# through sitecustomize.py). The hook writes its record into lt_bench's
# private spool with the run records.
set -euo pipefail
B=$(cd "$1" && pwd); N=${2:-200}; shift; [ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- /usr/bin/python3 -c "import numpy"
H=$(mktemp -d /tmp/pyb.XXXXXX)
trap 'rm -rf "$H"' EXIT
site=$H/.local/lib/python3.11/site-packages
mkdir -p "$site"
cp "$B/python/track_packages.py" "$B/python/track-packages.pth" "$site/"
/usr/bin/python3 -m compileall -q "$site/track_packages.py"
bench=$B/bench/libtrack/lt_bench
lib=$B/libtrack/libtrack.so
empty=$B/bench/libtrack/lt_empty.so
echo "== libtrack, no hook"
"$bench" -n "$N" "$lib" "$empty" "$@"
echo "== libtrack + hook (.pth and compiled module in a site directory: PYTHONUSERBASE's)"
"$bench" -n "$N" -e PYTHONUSERBASE="$H/.local" "$lib" "$empty" "$@"
echo "== libtrack + hook (PYTHONPATH=$B/python, sitecustomize.py)"
"$bench" -n "$N" -e PYTHONPATH="$B/python" "$lib" "$empty" "$@"
