#!/bin/sh
# check-onnx.sh BNNC ONNX_EXPECT WORKDIR CASE_DIR OUTPUTS -- VERIFY_ARGS...
# An ONNX fixture through the generated C: the oracle's outputs (the
# comma-separated OUTPUTS files of CASE_DIR, in graph order) are joined
# into one expected array, and bnnc verify must agree with it within
# 1e-4 of its largest magnitude (the output's scale), top-1 included.
set -e
bnnc=$1 expect=$2 work=$3 dir=$4 outs=$5
shift 5
[ "$1" = "--" ] && shift
mkdir -p "$work"
files=
for o in $(echo "$outs" | tr ',' ' '); do files="$files $dir/$o"; done
# shellcheck disable=SC2086
scale=$("$expect" "$work/expected.npy" $files)
atol=$(awk -v s="$scale" 'BEGIN { a = 1e-4 * s; if (a < 1e-30) a = 1e-30; printf "%.9g", a }')
out=$("$bnnc" verify "$dir/model.onnx" "$@" --expect "$work/expected.npy" \
      --atol "$atol" --rtol 0 -q 2>&1) || { printf '%s\n' "$out"; exit 1; }
printf '%s\n' "$out"
# every row's largest output is the oracle's (top-1 agreement n/n)
echo "$out" | grep -Eq 'top-1 agreement ([0-9]+)/\1 ' || { echo "FAIL: top-1 differs"; exit 1; }
