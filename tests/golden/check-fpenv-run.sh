#!/bin/sh
# check-fpenv-run.sh BNNC RUNTIME_LIB MODEL_PREFIX INPUT_DIMS WORKDIR [LINK_FLAGS]
#
# The generated run and the caller's floating-point mode (fpenv_run.c):
# with the default --denormals flush, the run flushes subnormals and puts
# the caller's mode back on success, on a failing step (the early exit of
# <PREFIX>_RUN_STEP) and with profiling on; -DNET_KEEP_DENORMALS and
# --denormals keep leave the mode alone; --denormals keep with
# -DNET_FLUSH_DENORMALS flushes again. The model must have exactly one
# bnn_dense_f32 step (the wrapped one).
set -eu
bnnc=$1; lib=$2; model=$3; dims=$4; work=$5
# the flags RUNTIME_LIB was built with that the link needs (a sanitizer
# build's -fsanitize=...)
ldflags=${6:-}
rm -rf "$work"; mkdir -p "$work"; cd "$work"
src=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAIL: $*"; exit 1; }

build_run() { # NAME NET_C EXPECT_FLUSH CFLAGS...
  name=$1; netc=$2; flush=$3; shift 3
  step=$(sed -n 's/.*NET_RUN_STEP(\([0-9]*\), .*bnn_dense_f32(.*/\1/p' "$netc")
  [ "$(echo "$step" | wc -w)" -eq 1 ] || fail "$netc: not one bnn_dense_f32 step"
  cc -std=c99 -O2 -Wall -Wextra -Werror -I"$src/runtime_min/include" -I"$(dirname "$netc")" \
     -Dbnn_dense_f32=fpenv_dense_f32 "$@" -c "$netc" -o "$name-net.o"
  cc -std=c99 -O2 -Wall -Wextra -Werror -I"$src/runtime_min/include" -I"$(dirname "$netc")" \
     -DFAIL_STEP="$step" -DEXPECT_FLUSH="$flush" -c "$src/tests/golden/fpenv_run.c" -o "$name-main.o"
  # shellcheck disable=SC2086
  cc $ldflags "$name-net.o" "$name-main.o" "$lib" -lm -o "$name"
  echo "== $name (dense step $step)"
  "./$name" || fail "$name"
}

mkdir flush keep
"$bnnc" compile "$model" 0 --input "data=$dims" -q -o flush/net.c
"$bnnc" compile "$model" 0 --input "data=$dims" --denormals keep -q -o keep/net.c
grep -q 'bnn_fpenv_enter' flush/net.c || fail "no bnn_fpenv_enter in the generated run"
# the only returns of the run: the two argument checks (before the mode
# changes) and the one exit after bnn_fpenv_leave
rets=$(sed -n '/^int net_run_with_arena/,/^}/p' flush/net.c | sed -n 's/^ *return \([^;]*\);.*/\1/p' | tr '\n' ' ')
[ "$rets" = "-1 -2 rc " ] || fail "the run returns at: $rets"
! grep -q 'return (step)' flush/net.c || fail "a step still returns on its own"

build_run default flush/net.c 1
build_run profiled flush/net.c 1 -DNET_PROFILE -DNET_PROFILE_QUIET
build_run keep-macro flush/net.c 0 -DNET_KEEP_DENORMALS
build_run keep-option keep/net.c 0
build_run keep-option-flush-macro keep/net.c 1 -DNET_FLUSH_DENORMALS
if cc -c -I"$src/runtime_min/include" -Iflush -DNET_KEEP_DENORMALS -DNET_FLUSH_DENORMALS \
      flush/net.c -o both.o 2>/dev/null; then
  fail "both macros accepted"
fi
echo "the caller's floating-point mode survives every exit of the run"
