#!/bin/bash
# check-linear-time.sh BNNC WORKDIR LIMIT_SECONDS
#
# Compile time grows linearly with the model: hostile graphs of 50,000
# nodes (a chain of _copy, a chain of ReLU, 25,000 tensors all live at
# once) and one node with 100,000 attributes each compile in at most
# LIMIT_SECONDS of CPU time, and a quarter of each takes at least an
# eighth of the time of the whole (linear growth makes it a quarter,
# quadratic growth a sixteenth; each timing is the least of three runs,
# and timings under 0.2 s are too small to compare).
set -euo pipefail
bnnc=$1; work=$2; limit=$3
rm -rf "$work"; mkdir -p "$work"; cd "$work"
# an empty params file: list magic, reserved, 0 arrays, 0 names
printf '\x12\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0' > empty.params

head_tail() { # NODES_FILE HEAD
  printf '], "arg_nodes": [0], "heads": [[%d, 0, 0]], "attrs": {"mxnet_version": ["int", 10901]}}\n' "$2"
}

gen() { # KIND N
  local kind=$1 n=$2
  {
    printf '{"nodes": [{"op": "null", "name": "data", "inputs": []}'
    case $kind in
      copy) awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++)
              printf ", {\"op\": \"_copy\", \"name\": \"c%d\", \"inputs\": [[%d, 0, 0]]}", i, i - 1 }'
            head_tail x "$n" ;;
      relu) awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++)
              printf ", {\"op\": \"Activation\", \"name\": \"r%d\", \"attrs\": {\"act_type\": \"relu\"}, \"inputs\": [[%d, 0, 0]]}", i, i - 1 }'
            head_tail x "$n" ;;
      wide) awk -v n="$n" 'BEGIN { h = n / 2
              for (i = 1; i <= h; i++)
                printf ", {\"op\": \"Activation\", \"name\": \"r%d\", \"attrs\": {\"act_type\": \"relu\"}, \"inputs\": [[0, 0, 0]]}", i
              prev = 1
              for (i = 2; i <= h; i++) {
                printf ", {\"op\": \"elemwise_add\", \"name\": \"a%d\", \"inputs\": [[%d, 0, 0], [%d, 0, 0]]}", i, prev, i
                prev = h + i - 1 }
              printf "], \"arg_nodes\": [0], \"heads\": [[%d, 0, 0]], \"attrs\": {\"mxnet_version\": [\"int\", 10901]}}\n", prev }' ;;
      attrs) awk -v n="$n" 'BEGIN {
              printf ", {\"op\": \"Activation\", \"name\": \"a\", \"inputs\": [[0, 0, 0]], \"attrs\": {\"act_type\": \"relu\""
              for (i = 1; i <= n; i++) printf ", \"k%d\": \"%d\"", i, i
              printf "}}" }'
             head_tail x 1 ;;
    esac
  } > "$kind$n-symbol.json"
  cp empty.params "$kind$n-0000.params"
}

cpu1() { # MODEL -> CPU seconds of one compile
  local TIMEFORMAT='%U %S' t
  t=$( { time "$bnnc" compile "$1" 0 --input data=1,4 -q -o "$1.c" >/dev/null 2>&1; } 2>&1 )
  awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%.3f", a[1] + a[2] }'
}

cpu() { # MODEL -> the least CPU seconds of three compiles (other work on
        # the machine inflates single timings: caches, page faults)
  local a b c
  a=$(cpu1 "$1"); b=$(cpu1 "$1"); c=$(cpu1 "$1")
  awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { m = a; if (b < m) m = b; if (c < m) m = c; printf "%.3f", m }'
}

status=0
for case in copy:50000 relu:50000 wide:50000 attrs:100000; do
  kind=${case%%:*}; n=${case##*:}; q=$((n / 4))
  gen "$kind" "$n"; gen "$kind" "$q"
  t_full=$(cpu "$kind$n"); t_quarter=$(cpu "$kind$q")
  [ -s "$kind$n.c" ] || { echo "FAIL: $kind $n: no C written"; status=1; continue; }
  verdict=ok
  if awk -v t="$t_full" -v l="$limit" 'BEGIN { exit !(t > l) }'; then
    verdict="over the ${limit} s limit"; status=1
  elif awk -v f="$t_full" -v q="$t_quarter" 'BEGIN { exit !(f > 0.2 && q * 8 < f) }'; then
    verdict="grows faster than linearly"; status=1
  fi
  printf '%-6s %7d: %6.3f s CPU (a quarter: %6.3f s)  %s\n' "$kind" "$n" "$t_full" "$t_quarter" "$verdict"
done
exit $status
