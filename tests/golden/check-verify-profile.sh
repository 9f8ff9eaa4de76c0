#!/bin/sh
# check-verify-profile.sh BNNC DIR: `bnnc verify --profile` on the float
# LeNet fixture (DIR/float_lenet), three ways:
#   default flags   built with -O3 -march=native (as scripts/bench builds),
#                   every step names its kernel and the variant it ran, and
#                   the float convolution's variant is the one the host's
#                   compiler selects for -march=native (avx512 when it
#                   predefines AVX-512 F/BW/VL, else avx2 with AVX2, neon on
#                   AArch64, else portable);
#   --portable      -O2 -DBNN_FORCE_PORTABLE=1: every variant is portable;
#   --cflags -O1    the explicit flags win over --portable.
set -eu
bnnc=$1
m=$2
fail() { echo "check-verify-profile: $*" >&2; exit 1; }
run() {
    "$bnnc" verify "$m/float_lenet" 0 --input data=1,1,16,16 --in "$m/input.npy" \
        --expect "$m/output.npy" --profile --profile-runs 3 "$@" > profile.out
    cat profile.out
    grep -q '^profile: 9 steps, median of 3 runs' profile.out || fail "no profile header"
    # step, node, kernel, variant, microseconds, share
    rows=$(grep -Ec '^ +[1-9] +[a-z0-9_]+ +[a-z0-9_]+ +(portable|avx2|avx512|neon|armv7em) +[0-9]+[.][0-9]+ +[0-9.]+%' profile.out)
    [ "$rows" -eq 9 ] || fail "$rows of 9 step rows"
    grep -Eq '^ +5 +convolution1 +conv2d_maxpool_f32 ' profile.out || fail "no fused conv step"
    grep -q 'total (sum of medians)' profile.out || fail "no total"
}
variant() { awk -v s="$1" '$1 == s { print $4 }' profile.out; }

macros=$(${CC:-cc} -O3 -march=native -dM -E -x c /dev/null 2>/dev/null || true)
has() { printf '%s\n' "$macros" | grep -q "#define $1 "; }
want=portable
if has __AVX512F__ && has __AVX512BW__ && has __AVX512VL__; then want=avx512
elif has __AVX2__; then want=avx2
elif has __aarch64__ && has __ARM_NEON; then want=neon
fi

run
grep -q -- '-O3 -march=native' profile.out || fail "default flags are not -O3 -march=native"
got=$(variant 2)
[ "$got" = "$want" ] || fail "default build: conv2d_f32 ran $got, the host selects $want"

run --portable
grep -q -- '-O2 -DBNN_FORCE_PORTABLE=1' profile.out || fail "--portable flags"
[ "$(grep -Ec ' portable +[0-9]+[.][0-9]+ +[0-9.]+%' profile.out)" -eq 9 ] ||
    fail "--portable: a step ran another variant than portable"

run --portable --cflags -O1
grep -q '(cc -O1 -DNET_PROFILE)' profile.out || fail "--cflags does not win over --portable"
echo "verify --profile: default $want, --portable all portable, --cflags wins"
