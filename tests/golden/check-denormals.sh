#!/bin/sh
# check-denormals.sh BNNC FIXTURE_DIR INPUT_DIMS WORKDIR
#
# A fixture with dead BatchNorm channels (subnormal activations in MXNet's
# run, see its meta.json) run by the generated code with the default
# --denormals flush and with --denormals keep: both agree with MXNet
# within verify's tolerance, and their outputs are the same bits. With
# flush-to-zero, a subnormal activation is read as a zero of its sign:
# summed into a float conv it moves the sum by < 2^-126 times the filter's
# |weights|, below half an ulp of any result above ~1e-30; reaching a
# sign it would turn -1e-39 into -0 (+1), which the compiler prevents by
# scaling sign-only dead channels out of the subnormal range (fold_float.c).
set -eu
bnnc=$1; dir=$2; dims=$3; work=$4
case=$(basename "$dir")
rm -rf "$work"; mkdir -p "$work"
for m in flush keep; do
  echo "== --denormals $m"
  "$bnnc" verify "$dir/$case" 0 --input "data=$dims" --in "$dir/input.npy" \
    --expect "$dir/output.npy" --denormals "$m" --keep "$work/$m" -q
done
cmp "$work/flush/output.bin" "$work/keep/output.bin" || {
  echo "FAIL: flush and keep give different outputs"; exit 1; }
grep -q 'bnn_fpenv_enter' "$work/flush/net.c" || { echo "FAIL: flush run without bnn_fpenv_enter"; exit 1; }
grep -q 'define NET_FLUSH_DENORMALS_ 1 /\* the default' "$work/flush/net.c" || {
  echo "FAIL: flush is not the default of the flush build"; exit 1; }
if grep -q 'define NET_FLUSH_DENORMALS_ 1 /\* the default' "$work/keep/net.c"; then
  echo "FAIL: --denormals keep still flushes by default"; exit 1
fi
echo "$case: flush and keep outputs identical, both within tolerance of MXNet"
