#!/bin/sh
# expect.sh STATUS [+TEXT | -TEXT | !FILE]... -- CMD...
# CMD must exit with STATUS; its output (stdout and stderr together) must
# contain every +TEXT and no -TEXT; no !FILE may exist afterwards.
want=$1
shift
checks=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  checks="$checks
$1"
  shift
done
shift
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
fail() { echo "FAIL: $*"; exit 1; }
[ "$rc" -eq "$want" ] || fail "exit status $rc, expected $want"
printf '%s\n' "$checks" | {
  while IFS= read -r c; do
    case "$c" in
      "") ;;
      +*) case "$out" in *"${c#+}"*) ;; *) fail "the output does not contain \"${c#+}\"" ;; esac ;;
      -*) case "$out" in *"${c#-}"*) fail "the output contains \"${c#-}\"" ;; esac ;;
      !*) [ ! -e "${c#!}" ] || fail "${c#!} exists" ;;
    esac
  done
}
