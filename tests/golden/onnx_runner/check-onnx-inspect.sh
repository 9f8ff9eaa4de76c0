#!/bin/sh
# check-onnx-inspect.sh BNNC ONNX_DIR CASE...
# bnnc inspect on ONNX fixtures: exit 0; the header names the one model
# file (no separate weights file); every layer row has its own name (the
# helper nodes a binary layer on ONNX Sign becomes are told apart); the
# totals line is there; --json names the model and no params file.
bnnc=$1 dir=$2
shift 2
fail=0
for case in "$@"; do
  m=$dir/$case/model.onnx
  out=$("$bnnc" inspect "$m" 2>&1) || { echo "FAIL: $case: inspect exited $?"; echo "$out"; fail=1; continue; }
  head=$(echo "$out" | sed -n 1p)
  [ "$head" = "model: $m" ] || { echo "FAIL: $case: header '$head'"; fail=1; }
  dups=$(echo "$out" | awk '/^ +# +name/ { t = 1; next } t && NF == 0 { t = 0 } t { print $2 }' |
         sort | uniq -d)
  [ -z "$dups" ] || { echo "FAIL: $case: layer names repeated: $dups"; fail=1; }
  echo "$out" | grep -Eq '^totals: [0-9]+ layers, [0-9]+ binary' ||
    { echo "FAIL: $case: no totals line"; fail=1; }
  json=$("$bnnc" inspect "$m" --json 2>&1) || { echo "FAIL: $case: inspect --json"; fail=1; }
  echo "$json" | grep -q "\"symbol\":[[:space:]]*\"$m\"" ||
    { echo "FAIL: $case: --json does not name the model"; fail=1; }
  if echo "$json" | grep -q '"params":'; then
    echo "FAIL: $case: --json names a params file"; fail=1
  fi
  [ $fail -eq 0 ] && echo "ok: $case"
done
exit $fail
