#!/usr/bin/env bash
# Short libFuzzer run of track-elf's parser (label fuzz). The seed corpus is
# made here from real files: a stamped program, its stripped copy, a shared
# library, a watermark object, a static program, and the broken variants of
# corrupt.py. Arguments: FUZZER STAMP SECONDS.
set -euo pipefail
FUZZER=$(realpath "$1") STAMP=$(realpath "$2") SECS=${3:-30}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/track-elf-fuzz.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T"
mkdir seeds work
printf '#include <stdio.h>\nint main(void){puts("x");return 0;}\n' > p.c
"$STAMP" -o seeds/stamp.o >/dev/null
cc p.c seeds/stamp.o -o seeds/prog -Wl,-rpath,/opt/x
strip -o seeds/prog.stripped seeds/prog
cc -shared -fPIC -x c /dev/null -o seeds/lib.so -Wl,-soname,lib.so -Wl,--enable-new-dtags,-rpath,/r
cc -static p.c -o big.static && head -c 65536 big.static > seeds/static.head
python3 "$HERE/corrupt.py" seeds/prog seeds >/dev/null
# Sanitizer options: stop at the first problem, report leaks too.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  "$FUZZER" -max_total_time="$SECS" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 work seeds 2>&1 | tail -n 20
echo "PASS: fuzz_elfinfo ran ${SECS}s without a finding"
