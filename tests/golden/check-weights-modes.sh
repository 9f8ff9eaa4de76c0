#!/bin/sh
# check-weights-modes.sh BNNC WORKDIR FIXTURES_DIR CASE...
#
# --weights array, string and blob store the same constants: for each
# fixture the three builds (warning-free with -Wpedantic) give the same
# output bytes, and that output agrees with MXNet's (bnnc verify checks
# the array build). The blob build works whatever directory the compiler
# runs in (the .bin is found through __FILE__), and cross-compiles for
# Cortex-M when arm-none-eabi-gcc is installed.
set -eu
bnnc=$1; work=$2; fx=$3; shift 3
rm -rf "$work"; mkdir -p "$work"
work=$(cd "$work" && pwd)
fail() { echo "FAIL: $*"; exit 1; }
flags="-std=c99 -O2 -Wall -Wextra -Wpedantic -Werror"

for case in "$@"; do
  dir=$fx/$case
  inputs=$(sed -n 's/.*"inputs": *{\([^}]*\)}.*/\1/p' "$dir/meta.json" | head -1 |
           sed 's/"\([^"]*\)": *\[\([^]]*\)\]/--input \1=\2/g; s/ //g; s/,--input/ --input/g; s/--input/--input /g')
  for mode in array string blob; do
    d=$work/$case/$mode
    mkdir -p "$d"
    # shellcheck disable=SC2086
    "$bnnc" compile "$dir/$case" 0 $inputs --standalone --weights "$mode" -q -o "$d/net.c"
    cat > "$d/main.c" <<'EOF'
#include <stdio.h>
#include "net.h"
static float in[NET_INPUT_SIZE], out[NET_OUTPUT_SIZE];
int main(int argc, char **argv)
{
    FILE *f = fopen(argv[1], "rb");
    size_t n;
    (void)argc;
    if (!f || fseek(f, -(long)sizeof in, SEEK_END) || fread(in, 1, sizeof in, f) != sizeof in)
        return 2;
    fclose(f);
    if (net_run(in, out))
        return 3;
    n = fwrite(out, 1, sizeof out, stdout);
    return n != sizeof out;
}
EOF
    # the blob build from another directory, with a path relative to it
    (cd "$work/$case" && gcc $flags -I"$mode" "$mode/net.c" "$mode/main.c" -lm -o "$mode/run") \
      || fail "$case: $mode build"
    "$d/run" "$dir/input.npy" > "$d/out.bin" || fail "$case: $mode run"
  done
  [ "$(ls "$work/$case/blob")" != "" ] && [ -f "$work/$case/blob/net.c.bin" ] || fail "$case: no blob"
  cmp "$work/$case/array/out.bin" "$work/$case/string/out.bin" || fail "$case: string differs"
  cmp "$work/$case/array/out.bin" "$work/$case/blob/out.bin" || fail "$case: blob differs"
  (cd / && gcc $flags -c "$work/$case/blob/net.c" -o "$work/$case/blob/abs.o") \
    || fail "$case: blob build by absolute path"
  if command -v clang >/dev/null; then
    for mode in string blob; do
      clang $flags -c "$work/$case/$mode/net.c" -o "$work/$case/$mode/clang.o" \
        || fail "$case: $mode with clang"
    done
  fi
  if command -v arm-none-eabi-gcc >/dev/null; then
    for mode in string blob; do
      arm-none-eabi-gcc $flags -mcpu=cortex-m4 -mthumb -c "$work/$case/$mode/net.c" \
        -o "$work/$case/$mode/m4.o" || fail "$case: $mode for Cortex-M4"
    done
  fi
  echo "$case: array, string and blob builds give the same $(wc -c < "$work/$case/array/out.bin") output bytes"
done
