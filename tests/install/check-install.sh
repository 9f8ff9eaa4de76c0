#!/bin/sh
# check-install.sh BUILD_DIR SOURCE_DIR WORK_DIR
# `cmake --install BUILD_DIR --prefix WORK_DIR/prefix` installs bnnc, the
# runtime, every public header, the CMake package and the pkg-config file;
# an application outside the tree (consumer/) builds against that prefix
# with find_package(bnnc) + bnnc_add_model(), and a plain
# `cc ... $(pkg-config --cflags --libs bnnc-runtime)` build links the
# installed bnnc's output with the installed runtime. Both run the digits
# demo network on its 360 held-out images and must agree with MXNet's
# probabilities (examples/digits/heldout_probs.npy) in every top-1 and
# within 1e-4.
set -eu
build=$1; src=$2; work=$3
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
fail() { echo "check-install: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >"$work/install.log"
for f in bin/bnnc lib/libruntime_min.a lib/cmake/bnnc/bnncConfig.cmake \
         lib/cmake/bnnc/bnncConfigVersion.cmake lib/cmake/bnnc/bnncTargets.cmake \
         lib/cmake/bnnc/bnnc.cmake lib/cmake/bnnc/npy2c.cmake lib/pkgconfig/bnnc-runtime.pc; do
  [ -f "$prefix/$f" ] || fail "$f not installed"
done
for h in "$src"/runtime_min/include/*.h; do
  [ -f "$prefix/include/bnnc/${h##*/}" ] || fail "public header ${h##*/} not installed"
done
"$prefix/bin/bnnc" --version

digits=$src/examples/digits
# classify exits non-zero unless every top-1 agrees with MXNet's
check_run() {
  "$@" "$digits/heldout_x.npy" "$digits/heldout_y.npy" "$digits/heldout_probs.npy" >"$work/run.out" \
    || { cat "$work/run.out"; fail "$1: predictions differ from MXNet's"; }
  grep -E '^(top-1 agreement|max \|probability diff\|)' "$work/run.out"
  awk -F': *' '/^max \|probability diff\|/ { exit !($2 + 0 <= 1e-4) }' "$work/run.out" \
    || fail "$1: probabilities differ from MXNet's by more than 1e-4"
}

echo "== CMake: find_package(bnnc) and bnnc_add_model() outside the tree"
cmake -S "$src/tests/install/consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
      -DDIGITS="$digits" >"$work/cmake.log"
grep -q "^bnnc_DIR:PATH=$prefix/lib/cmake/bnnc\$" "$work/cmake/CMakeCache.txt" \
  || fail "the consumer did not find the installed package"
cmake --build "$work/cmake" >"$work/build.log" || { cat "$work/build.log"; fail "consumer build failed"; }
grep -q "$prefix/bin/bnnc" "$work/cmake/CMakeFiles/classify.dir/build.make" \
  || fail "the consumer did not generate its model with the installed bnnc"
check_run "$work/cmake/classify"

echo "== cc with pkg-config --cflags --libs bnnc-runtime"
mkdir -p "$work/cc"
"$prefix/bin/bnnc" compile "$digits/digits" 0 --input data=1,1,8,8 -o "$work/cc/digits.c" -q
flags=$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs bnnc-runtime)
echo "cc ... $flags"
# shellcheck disable=SC2086
cc -std=c99 -O2 -Wall -Wextra -Werror -I"$work/cc" "$work/cc/digits.c" "$digits/classify.c" \
   $flags -o "$work/cc/classify"
check_run "$work/cc/classify"
echo "install: bnnc, runtime_min, headers, CMake package and pkg-config file work from $prefix"
