#!/bin/sh
# check-tflite-unsupported.sh BNNC CMD MODEL TEXT1 TEXT2 [ARGS...]: `BNNC CMD
# MODEL ARGS` (compile or inspect) must exit with status 1 and print an
# error line containing both texts (what is rejected, and where).
bnnc=$1 cmd=$2 model=$3 t1=$4 t2=$5
shift 5
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
if [ "$cmd" = compile ]; then
  out=$("$bnnc" compile "$model" "$@" -o "$dir/net.c" 2>&1)
else
  out=$("$bnnc" "$cmd" "$model" "$@" 2>&1)
fi
rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne 1 ]; then
  echo "FAIL: exit status $rc, expected 1"
  exit 1
fi
if [ -e "$dir/net.c" ]; then
  echo "FAIL: a rejected model left generated code"
  exit 1
fi
if printf '%s\n' "$out" | grep -F -- "$t1" | grep -qF -- "$t2"; then
  exit 0
fi
echo "FAIL: no error line contains \"$t1\" and \"$t2\""
exit 1
