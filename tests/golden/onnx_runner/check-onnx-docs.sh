#!/bin/sh
# check-onnx-docs.sh SOURCE_DIR
# docs/SUPPORTED.md's ONNX section names every operator row of
# compiler/frontend/onnx/ops.c (as `Op`).
src=$1
doc=$(sed -n '/^## ONNX/,/^## Rejected/p' "$src/docs/SUPPORTED.md")
ops=$(sed -n 's/^ *{DOM_[A-Z]*, "\([A-Za-z]*\)", op_[a-z_]*},$/\1/p' \
      "$src/compiler/frontend/onnx/ops.c")
[ -n "$ops" ] || { echo "FAIL: no operator rows found in ops.c"; exit 1; }
fail=0 n=0
for op in $ops; do
  n=$((n + 1))
  echo "$doc" | grep -q "\`$op\`" || { echo "FAIL: docs/SUPPORTED.md does not list $op"; fail=1; }
done
echo "$n operators checked"
exit $fail
