#!/usr/bin/env bash
# The link record's "compiler" (docs/watermarks.md "Compiler"): the driver
# found in the process chain above the wrapper and its version, for gcc,
# gfortran, cc, clang, Open MPI's mpicc/mpif90 (a binary that
# runs the driver) and MPICH's mpicc (a shell script); none when the linker
# is run directly; and a driver whose -dumpfullversion is slow, garbage or
# failing costs at most the deadline and records no version.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root
cd "$T"
cat > hello.c <<'C'
int main(void) { return 0; }
C
printf 'program p\nend program p\n' > p.f90
W=(-B "$WRAPDIR/")
# cc_of OUTPUT: "name|version|wrapper|path" of OUTPUT's link record ("none")
cc_of() {
  local f
  f=$(ls "$SPOOLJOB"/link.*."$(sig "$1")".json)
  "$REC_CHECK" "$f" >/dev/null || fail "link record of $1 rejected by rec_parse"
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1])).get("compiler")
print("none" if c is None else "%s|%s|%s|%s" % (c["name"], c["version"], c["wrapper"], c["path"]))' "$f"
}
expect_cc() { # OUTPUT NAME VERSION-REGEX WRAPPER
  local got; got=$(cc_of "$1")
  IFS='|' read -r n v w p <<<"$got"
  [ "$n" = "$2" ] && [[ $v =~ $3 ]] && [ "$w" = "$4" ] && [ -x "$p" ] ||
    fail "$1: compiler '$got', expected name $2, version ~ $3, wrapper '$4', an executable path"
  note "$1: $got"
}
gccv=$(gcc -dumpfullversion)

gcc "${W[@]}" hello.c -o c_gcc;        expect_cc c_gcc gcc "^$gccv\$" ""
gfortran "${W[@]}" p.f90 -o c_f90;     expect_cc c_f90 gfortran "^$gccv\$" ""
cc "${W[@]}" hello.c -o c_cc;          expect_cc c_cc gcc "^$gccv\$" ""
if command -v clang >/dev/null; then
  clangv=$(clang -dumpversion)
  clang "${W[@]}" hello.c -o c_clang;            expect_cc c_clang clang "^$clangv\$" ""
fi
if command -v mpicc.openmpi >/dev/null; then
  mpicc.openmpi "${W[@]}" hello.c -o c_ompi;  expect_cc c_ompi gcc "^$gccv\$" mpicc
  mpif90.openmpi "${W[@]}" p.f90 -o c_ompif;  expect_cc c_ompif gfortran "^$gccv\$" mpif90
fi
if command -v mpicc.mpich >/dev/null; then
  mpicc.mpich "${W[@]}" hello.c -o c_mpich;   expect_cc c_mpich gcc "^$gccv\$" mpicc
fi

note "the linker run directly: no compiler"
gcc -c hello.c -o hello.o
"$WRAPDIR/ld" -o c_ld hello.o -e main 2>/dev/null
[ "$(cc_of c_ld)" = none ] || fail "ld run directly: compiler '$(cc_of c_ld)'"

note "a driver whose version query misbehaves"
mkdir fake
cp "$FAKECC" fake/x86_64-linux-gnu-gcc-99
export FAKECC_LD=$WRAPDIR/ld
for mode in ok garbage slow; do
  t0=$(date +%s)
  FAKECC_MODE=$mode fake/x86_64-linux-gnu-gcc-99 -o "c_$mode" hello.o -e main ||
    fail "fake driver ($mode): the link failed"
  dt=$(( $(date +%s) - t0 ))
  [ "$dt" -le 10 ] || fail "fake driver ($mode): the link took ${dt}s"
  if [ "$mode" = ok ]; then v='^7\.5\.0$'; else v='^$'; fi
  expect_cc "c_$mode" gcc "$v" ""
done
pgrep -f "x86_64-linux-gnu-gcc-99 -dumpfullversion" >/dev/null && fail "the slow version query was left running"
no_temp_left
echo "wrapper_compiler: ok"
