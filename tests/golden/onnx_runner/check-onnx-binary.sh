#!/bin/sh
# check-onnx-binary.sh BNNC ONNX_DIR CASE:COUNT...
# Each listed ONNX fixture must compile with exactly COUNT binary layers
# (bnnc inspect's totals): the conventions that binarise (QONNX
# BipolarQuant, FINN MultiThreshold, ONNX Sign with its zeros, dabnn's
# -1 padding) run on the binary kernels, not silently as float layers.
bnnc=$1 dir=$2
shift 2
fail=0
for spec in "$@"; do
  case=${spec%%:*} want=${spec#*:}
  got=$("$bnnc" inspect "$dir/$case/model.onnx" 2>&1 | sed -n 's/^totals: [0-9]* layers, \([0-9]*\) binary.*/\1/p')
  if [ "$got" != "$want" ]; then
    echo "FAIL: $case: ${got:-no} binary layers, expected $want"
    fail=1
  else
    echo "ok: $case: $got binary layers"
  fi
done
exit $fail
