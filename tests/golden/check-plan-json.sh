#!/bin/sh
# check-plan-json.sh BNNC MODEL... : `bnnc inspect MODEL... --plan --json`
# holds the layer document and the memory plan, whose arena and lower
# bound are those `bnnc inspect MODEL... --plan` prints, whose largest
# live_bytes is the lower bound, and which lists buffers and steps.
set -eu
bnnc=$1
shift
text=$("$bnnc" inspect "$@" --plan)
arena=$(printf '%s\n' "$text" | sed -n 's/^memory plan: arena \([0-9]*\) bytes, lower bound.*/\1/p')
lower=$(printf '%s\n' "$text" | sed -n 's/^memory plan: .*lower bound \([0-9]*\) bytes.*/\1/p')
if [ -z "$arena" ] || [ -z "$lower" ]; then
    echo "check-plan-json: no plan header in the text output" >&2
    exit 1
fi
json=$("$bnnc" inspect "$@" --plan --json | tr -d ' \t')
# every value of a numeric field (one line when they agree: arena_bytes
# and lower_bound are in "compile" and in "plan")
field() { printf '%s\n' "$json" | sed -n "s/^\"$1\":\([0-9]*\),*$/\1/p" | sort -u; }
fail() { echo "check-plan-json: $*" >&2; exit 1; }
[ "$(field arena_bytes)" = "$arena" ] || fail "arena_bytes $(field arena_bytes), text plan $arena"
[ "$(field lower_bound)" = "$lower" ] || fail "lower_bound $(field lower_bound), text plan $lower"
peak=$(field live_bytes | sort -n | tail -1)
printf '%s\n' "$json" | grep -q '^"supported":true,' || fail "compile not reported as supported"
[ "$peak" = "$lower" ] || fail "largest live_bytes $peak, lower bound $lower"
for k in layers totals plan buffers steps first_step last_step kernel; do
    printf '%s\n' "$json" | grep -q "^\"$k\":" || fail "no \"$k\" in the JSON"
done
echo "plan JSON: arena $arena bytes, lower bound $lower bytes, as the text plan"
