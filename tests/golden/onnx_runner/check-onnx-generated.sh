#!/bin/sh
# check-onnx-generated.sh BNNC WORKDIR MODEL.onnx [INPUT_ARGS...]
# As check-generated.sh, for an ONNX model: the generated C must be
# byte-identical across runs and build without warnings with gcc (also
# -march=native), clang and arm-none-eabi-gcc when installed, linked
# against runtime_min headers and --standalone.
set -e
bnnc=$1; work=$2; model=$3; shift 3
rm -rf "$work"; mkdir -p "$work/a" "$work/b" "$work/s"
src=$(cd "$(dirname "$0")/../../.." && pwd)
"$bnnc" compile "$model" "$@" -q -o "$work/a/net.c"
cp "$work/a/net.c" "$work/a/net.h" "$work/b/"
"$bnnc" compile "$model" "$@" -q -o "$work/a/net.c"
cmp "$work/a/net.c" "$work/b/net.c"
cmp "$work/a/net.h" "$work/b/net.h"
"$bnnc" compile "$model" "$@" -q --standalone -o "$work/s/net.c"
flags="-std=c99 -Wall -Wextra -Wpedantic -Werror -O2 -c"
inc="-I$src/runtime_min/include"
gcc $flags $inc "$work/a/net.c" -o "$work/a/net.o"
gcc $flags "$work/s/net.c" -o "$work/s/net.o"
gcc $flags -march=native "$work/s/net.c" -o "$work/s/net-native.o"
if command -v clang >/dev/null; then
  clang $flags $inc "$work/a/net.c" -o "$work/a/net-clang.o"
  clang $flags "$work/s/net.c" -o "$work/s/net-clang.o"
fi
if command -v arm-none-eabi-gcc >/dev/null; then
  m4f="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
  arm-none-eabi-gcc $flags $m4f $inc "$work/a/net.c" -o "$work/a/net-m4.o"
  arm-none-eabi-gcc $flags $m4f "$work/s/net.c" -o "$work/s/net-m4.o"
fi
echo "generated code: deterministic, warning-free"
