#!/bin/sh
# check-api-edges.sh BNNC MODEL_PREFIX INPUT_DIMS INPUT_NPY WORKDIR
#
# Edges of the generated API and of writing it:
#   - the longest accepted --prefix (40 characters) gives C that builds,
#     links and runs; one character more is refused with the limit;
#   - <prefix>_run_with_arena returns -2 for an arena that is not 64-byte
#     aligned and 0 for an aligned one, with the same output as _run;
#   - a compile that fails late (m4 cannot run) leaves an existing net.c
#     and net.h as they were and no temporary files.
set -eu
bnnc=$1; model=$2; dims=$3; input=$4; work=$5
rm -rf "$work"; mkdir -p "$work"; cd "$work"
src=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAIL: $*"; exit 1; }

p=abcdefghijklmnopqrstuvwxyz0123456789ABCD
[ ${#p} -eq 40 ] || fail "test prefix is ${#p} characters"
"$bnnc" compile "$model" 0 --input "data=$dims" --prefix "$p" --standalone -q -o net.c
P=$(echo "$p" | tr a-z A-Z)
cat > main.c <<EOF
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "net.h"
static float in[${P}_INPUT_SIZE], a[${P}_OUTPUT_SIZE], b[${P}_OUTPUT_SIZE];
static unsigned char arena[${P}_ARENA_SIZE + 128] __attribute__((aligned(64)));
int main(void)
{
    FILE *f = fopen("$input", "rb");
    long n;
    int r1, r2, r3;
    if (!f || fseek(f, -(long)sizeof in, SEEK_END) || fread(in, 1, sizeof in, f) != sizeof in)
        return 10;
    fclose(f);
    r1 = ${p}_run(in, a);
    r2 = ${p}_run_with_arena(in, b, arena + 1);
    r3 = ${p}_run_with_arena(in, b, arena + 64);
    n = memcmp(a, b, sizeof a);
    printf("run %d, misaligned %d, aligned %d, same output %s\n", r1, r2, r3, n ? "no" : "yes");
    return !(r1 == 0 && r2 == -2 && r3 == 0 && n == 0);
}
EOF
cc -std=c99 -O2 -Wall -Wextra -Werror net.c main.c -lm -o run
./run || fail "the generated API did not behave"

out=$("$bnnc" compile "$model" 0 --input "data=$dims" --prefix "${p}x" -o long.c 2>&1) && fail "41-character prefix accepted"
echo "$out" | grep -q "at most 40" || fail "no limit in: $out"

echo old > net.c; echo old > net.h
out=$(BNNC_M4=/bin/false "$bnnc" compile "$model" 0 --input "data=$dims" -o net.c 2>&1) \
  && fail "compile succeeded without m4"
echo "$out"
[ "$(cat net.c)" = old ] && [ "$(cat net.h)" = old ] || fail "a failed compile changed net.c/net.h"
[ -z "$(ls | grep tmp-)" ] || fail "temporary files left: $(ls | grep tmp-)"
echo "API edges: long prefix, arena alignment, atomic outputs"
