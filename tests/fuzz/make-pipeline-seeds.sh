#!/bin/sh
# make-pipeline-seeds.sh FIXTURES_DIR OUT_DIR
# One fuzz_pipeline input per golden fixture: its input shapes as
# NAME=dims lines, its symbol JSON, "\n#PARAMS\n" and its params file
# (fixtures over 256 KB are left out: the fuzzer mutates small models).
set -eu
fx=$1; out=$2
mkdir -p "$out"
n=0
for meta in "$fx"/*/meta.json; do
  d=$(dirname "$meta"); c=$(basename "$d")
  [ -f "$d/$c-symbol.json" ] && [ -f "$d/$c-0000.params" ] || continue
  size=$(($(wc -c < "$d/$c-symbol.json") + $(wc -c < "$d/$c-0000.params")))
  [ "$size" -le 262144 ] || continue
  {
    sed -n 's/.*"inputs": *{\([^}]*\)}.*/\1/p' "$meta" | head -1 |
      sed 's/"\([^"]*\)": *\[\([^]]*\)\]/\1=\2\n/g; s/ //g' | sed 's/^,//' | grep '='
    cat "$d/$c-symbol.json"
    printf '\n#PARAMS\n'
    cat "$d/$c-0000.params"
  } > "$out/$c"
  n=$((n + 1))
done
echo "$n seeds in $out"
