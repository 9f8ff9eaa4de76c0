#!/bin/sh
# check-threads.sh N CMD...
# CMD (a bnnc verify --threads N, or check-onnx.sh passing it on) must exit
# 0 and report that net_run_parallel on 1 to N threads gave net_run's
# outputs bit for bit: a build that silently ran no parallel check fails.
set -u
n=$1; shift
out=$("$@" 2>&1); rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne 0 ]; then
  echo "FAIL: exit status $rc"
  exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq "net_run_parallel on 1 to $n threads: all [0-9]+ outputs equal net_run's bit for bit"; then
  echo "FAIL: no bit-for-bit check of net_run_parallel on 1 to $n threads"
  exit 1
fi
