#!/bin/sh
# check-inspect-unsupported.sh BNNC PREFIX INPUT: a model the frontend
# reads but compile rejects (PREFIX's max pooling turned into sum pooling)
# is still described by `bnnc inspect` (exit 0), whose text and JSON say
# that compile rejects it and why; `inspect --plan` and `compile` fail
# with the same reason (exit 1).
set -eu
bnnc=$1 prefix=$2 input=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed 's/"pool_type": "max"/"pool_type": "sum"/' "$prefix-symbol.json" > "$tmp/m-symbol.json"
cp "$prefix-0000.params" "$tmp/m-0000.params"
fail() { echo "check-inspect-unsupported: $*" >&2; exit 1; }
grep -q '"pool_type": "sum"' "$tmp/m-symbol.json" || fail "no max pooling in $prefix"
text=$("$bnnc" inspect "$tmp/m" 0 --input "$input") || fail "inspect failed"
last=$(printf '%s\n' "$text" | tail -1)
case $last in
"compile: not supported: "*"sum pooling"*) ;;
*) fail "last line of inspect: $last" ;;
esac
json=$("$bnnc" inspect "$tmp/m" 0 --input "$input" --json | tr -d ' \t') ||
    fail "inspect --json failed"
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
