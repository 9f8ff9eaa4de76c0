#!/bin/sh
# check-inspect-unsupported.sh BNNC PREFIX INPUT: a model the frontend
# reads but compile rejects (PREFIX's max pooling turned into sum pooling)
# is still described by `bnnc inspect`, whose text and JSON say that
# compile rejects it and why, with exit status 2; `inspect --plan` and `compile` fail
# with the same reason (exit 1).
set -eu
bnnc=$1 prefix=$2 input=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed 's/"pool_type": "max"/"pool_type": "sum"/' "$prefix-symbol.json" > "$tmp/m-symbol.json"
cp "$prefix-0000.params" "$tmp/m-0000.params"
fail() { echo "check-inspect-unsupported: $*" >&2; exit 1; }
grep -q '"pool_type": "sum"' "$tmp/m-symbol.json" || fail "no max pooling in $prefix"
rc=0
text=$("$bnnc" inspect "$tmp/m" 0 --input "$input") || rc=$?
[ "$rc" -eq 2 ] || fail "inspect exit status $rc, not 2"
last=$(printf '%s\n' "$text" | tail -1)
case $last in
"compile: not supported: "*"sum pooling"*) ;;
*) fail "last line of inspect: $last" ;;
esac
rc=0
"$bnnc" inspect "$tmp/m" 0 --input "$input" --json > "$tmp/json" || rc=$?
[ "$rc" -eq 2 ] || fail "inspect --json exit status $rc, not 2"
json=$(tr -d ' \t' < "$tmp/json")
printf '%s\n' "$json" | grep -q '^"supported":false,' || fail "JSON: not \"supported\": false"
printf '%s\n' "$json" | grep -q '^"error":".*sumpooling' || fail "JSON: no error naming sum pooling"
if "$bnnc" inspect "$tmp/m" 0 --input "$input" --plan >/dev/null 2>"$tmp/err"; then
    fail "inspect --plan accepted the model"
fi
grep -q "sum pooling" "$tmp/err" || fail "inspect --plan: $(cat "$tmp/err")"
if "$bnnc" compile "$tmp/m" 0 --input "$input" -o "$tmp/net.c" 2>"$tmp/err"; then
    fail "compile accepted the model"
fi
grep -q "sum pooling" "$tmp/err" || fail "compile: $(cat "$tmp/err")"
echo "inspect: $last"
