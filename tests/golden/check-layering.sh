#!/bin/sh
# check-layering.sh SRC_DIR OBJ_DIR
#
# The compiler's layering, as docs/compiler.md draws it:
#   1. nothing under compiler/ir, compiler/passes, compiler/codegen or
#      compiler/util includes a frontend or driver header;
#   2. no files include each other in a circle (#include "..." lines);
#   3. no object files call each other in a circle: file A uses a symbol
#      file B defines and B, through any chain, one that A defines (read
#      from the objects of bnnc_core under OBJ_DIR with nm).
set -eu
src=$1; obj=$2
cd "$src/compiler"
fail=0

bad=$(grep -rnE '#include "[^"]*(frontend|driver)/' ir passes codegen util || true)
if [ -n "$bad" ]; then
  echo "FAIL: a lower layer includes a frontend or driver header:"
  echo "$bad"
  fail=1
fi

# the edges: "from to" per line, then a cycle search over them
cycles() {
  awk '
    { adj[$1] = adj[$1] " " $2; nodes[$1] = 1; nodes[$2] = 1 }
    function dfs(v,   n, i, a) {
      state[v] = 1; stack[++depth] = v
      n = split(adj[v], a, " ")
      for (i = 1; i <= n; i++) {
        if (state[a[i]] == 1) { report(a[i]); continue }
        if (!state[a[i]]) dfs(a[i])
      }
      state[v] = 2; depth--
    }
    function report(w,   i, s) {
      s = w
      for (i = depth; i >= 1 && stack[i] != w; i--) s = stack[i] " -> " s
      print "  " w " -> " s; found = 1
    }
    END { for (v in nodes) if (!state[v]) dfs(v); exit found }'
}

# 2. includes, resolved against the including file's folder
inc=$(find . -name '*.[ch]' | sort | while read -r f; do
  d=$(dirname "$f")
  sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | while read -r h; do
    t=$(realpath -m --relative-to=. "$d/$h")
    if [ -f "$t" ]; then echo "${f#./} $t"; fi
  done
done)
if ! out=$(echo "$inc" | cycles); then
  echo "FAIL: files include each other in a circle:"
  echo "$out"
  fail=1
fi

# 3. symbol references between the objects
refs=$(find "$obj" -name '*.o' | sort | while read -r o; do
  f=${o#"$obj"/}
  nm "$o" | awk -v f="${f%.o}" 'NF == 3 && $2 ~ /^[TDBRC]$/ { print "D", f, $3 }
                                NF == 2 && $1 == "U" { print "U", f, $2 }'
done | awk '$1 == "D" { def[$3] = $2; next }
            { use[NR] = $2 " " $3 }
            END { for (k in use) { split(use[k], a, " ");
                    if ((a[2] in def) && def[a[2]] != a[1]) print a[1], def[a[2]] } }' | sort -u)
[ -n "$refs" ] || { echo "FAIL: no symbol references read from $obj"; exit 1; }
if ! out=$(echo "$refs" | cycles); then
  echo "FAIL: files call each other in a circle:"
  echo "$out"
  fail=1
fi
[ "$fail" = 0 ] || exit 1
echo "layering: $(echo "$inc" | wc -l) includes and $(echo "$refs" | wc -l) file-to-file references, no circle"
