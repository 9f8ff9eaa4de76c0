#!/bin/sh
# check-threads-pool.sh BNNC RUNTIME_LIB MODEL_PREFIX INPUT_DIMS WORKDIR TSAN [LINK_FLAGS]
#
# The worker pool of a --threads file (threads_pool.c): repeated runs on
# growing and shrinking thread counts, net_threads_init and
# net_threads_shutdown, an idle pool that sleeps, two callers at once, a
# failing step, each run's outputs equal to net_run's bit for bit. Built
# standalone with the atomic barrier, with -DNET_THREADS_MUTEX, with
# -DNET_NO_THREADS, with profiling (the hook called once per step of a
# parallel run, by the calling thread), under ThreadSanitizer when TSAN is 1 (a data race
# makes the program exit non-zero), and against RUNTIME_LIB with the
# model's bnn_dense_f32 step wrapped to fail on demand. The standalone
# builds use the portable kernels (the pool does not depend on them; the
# threads_* tests run the host's SIMD kernels on several threads). The
# compiler is $CC, or cc.
set -eu
bnnc=$1; lib=$2; model=$3; dims=$4; work=$5; tsan=$6
ldflags=${7:-}
src=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$work"; mkdir -p "$work"; cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
warn="-std=c99 -Wall -Wextra -Werror"

mkdir standalone linked
"$bnnc" compile "$model" 0 --input "data=$dims" --threads --standalone -q -o standalone/net.c
"$bnnc" compile "$model" 0 --input "data=$dims" --threads -q -o linked/net.c

build_run() { # NAME CFLAGS...
  name=$1; shift
  # shellcheck disable=SC2086
  ${CC:-cc} $warn -O2 -DBNN_FORCE_PORTABLE=1 -pthread -DBNN_PART_NO_MINIMUM=1 -Istandalone "$@" \
     standalone/net.c "$src/tests/golden/threads_pool.c" -lm -o "$name"
  echo "== $name"
  "./$name" || fail "$name"
}

build_run atomics
build_run mutex -DNET_THREADS_MUTEX
build_run no-threads -DNET_NO_THREADS
build_run profile -DNET_PROFILE -DNET_PROFILE_USER_HOOK
if [ "$tsan" = 1 ]; then
  build_run tsan -O1 -g -fsanitize=thread
fi

step=$(sed -n 's/.*NET_PART_STEP(\([0-9]*\), "[^"]*", bnn_dense_f32_part(.*/\1/p' linked/net.c)
[ "$(echo "$step" | wc -w)" -eq 1 ] || fail "linked/net.c: not one bnn_dense_f32 step"
inc="-I$src/runtime_min/include -Ilinked"
# shellcheck disable=SC2086
${CC:-cc} $warn -O2 $inc -pthread -Dbnn_dense_f32_part=pool_dense_f32_part -c linked/net.c -o net.o
# shellcheck disable=SC2086
${CC:-cc} $warn -O2 $inc -pthread -DFAIL_STEP="$step" -c "$src/tests/golden/threads_pool.c" -o main.o
# shellcheck disable=SC2086
${CC:-cc} $ldflags -pthread net.o main.o "$lib" -lm -o failing
echo "== failing (dense step $step)"
./failing || fail failing
echo "the worker pool passed every check in every build"
