#!/bin/sh
# check-snapshot.sh EXPECTED_FILE CMD...
# CMD's output (stdout and stderr) must equal EXPECTED_FILE byte for byte;
# a difference is printed. To accept a deliberate change, run the test
# with BNNC_UPDATE_SNAPSHOTS=1 (it rewrites the file) and review the diff.
# Paths of this checkout in the output are written as <src>.
set -eu
expected=$1; shift
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
"$@" > "$out" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
  cat "$out"
  echo "FAIL: exit status $rc"
  exit 1
fi
sed -i "s|$src|<src>|g" "$out"
if [ "${BNNC_UPDATE_SNAPSHOTS:-0}" = 1 ]; then
  cp "$out" "$expected"
  echo "updated $expected"
  exit 0
fi
if ! diff -u "$expected" "$out"; then
  echo "FAIL: output differs from $expected (BNNC_UPDATE_SNAPSHOTS=1 accepts it)"
  exit 1
fi
echo "same as $expected"
