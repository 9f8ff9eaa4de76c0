#!/bin/sh
# expect-error.sh EXPECT_FILE CMD...: CMD must exit with status 1 and print
# a message containing the text of EXPECT_FILE (a bad-input test).
expect=$(cat "$1")
shift
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne 1 ]; then
  echo "FAIL: exit status $rc, expected 1"
  exit 1
fi
case "$out" in
  *"$expect"*) exit 0 ;;
esac
echo "FAIL: the message does not contain \"$expect\""
exit 1
