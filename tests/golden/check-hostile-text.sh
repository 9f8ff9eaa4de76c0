#!/bin/sh
# check-hostile-text.sh BNNC WORKDIR
#
# Text in a symbol file that no real model has: a NUL inside a name (as the
# JSON escape \u0000 and as a raw byte) is an error with its position, not
# a name silently cut short; a 4 MB attribute value and a 1 MB node name
# are shortened in messages or refused (every line stays under 1 KB)
# instead of being echoed in full.
set -eu
bnnc=$1; work=$2
rm -rf "$work"; mkdir -p "$work"; cd "$work"
printf '\022\001\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0' > m-0000.params
fail() { echo "FAIL: $*"; exit 1; }

expect_error() { # TEXT: compile must exit 1 with TEXT in a message of short lines
  out=$("$bnnc" compile m-symbol.json m-0000.params --input data=1,4 -o m.c 2>&1) && rc=0 || rc=$?
  echo "$out" | cut -c1-200
  [ "$rc" -eq 1 ] || fail "exit status $rc, expected 1"
  echo "$out" | grep -qF -- "$1" || fail "no '$1' in the message"
  long=$(echo "$out" | awk 'length > 1024' | wc -l)
  [ "$long" -eq 0 ] || fail "a message line is longer than 1 KB"
}

tail_json='], "arg_nodes": [0], "heads": [[1, 0, 0]], "attrs": {"mxnet_version": ["int", 10901]}}'

# a NUL written as \u0000 in a node name
printf '{"nodes": [{"op": "null", "name": "data", "inputs": []}, {"op": "Activation", "name": "relu\\u0000x", "attrs": {"act_type": "relu"}, "inputs": [[0, 0, 0]]}%s\n' \
  "$tail_json" > m-symbol.json
expect_error "a NUL character"

# an escaped backslash before u0000 is not a NUL
printf '{"nodes": [{"op": "null", "name": "data", "inputs": []}, {"op": "Activation", "name": "relu\\\\u0000x", "attrs": {"act_type": "relu"}, "inputs": [[0, 0, 0]]}%s\n' \
  "$tail_json" > m-symbol.json
"$bnnc" compile m-symbol.json m-0000.params --input data=1,4 -q -o m.c || fail "\\\\u0000 rejected"

# a raw NUL byte
printf '{"nodes": [{"op": "null", "name": "da\0ta", "inputs": []}%s\n' "$tail_json" > m-symbol.json
expect_error "a NUL character"

# a 4 MB attribute value that does not parse
big=$(head -c 4194304 /dev/zero | tr '\0' 'x')
printf '{"nodes": [{"op": "null", "name": "data", "inputs": []}, {"op": "LeakyReLU", "name": "leaky0", "attrs": {"act_type": "leaky", "slope": "%s"}, "inputs": [[0, 0, 0]]}%s\n' \
  "$big" "$tail_json" > m-symbol.json
expect_error "(4194304 bytes)"

# a 1 MB node name
name=$(head -c 1048576 /dev/zero | tr '\0' 'n')
printf '{"nodes": [{"op": "null", "name": "data", "inputs": []}, {"op": "_contrib_Fancy", "name": "%s", "inputs": [[0, 0, 0]]}%s\n' \
  "$name" "$tail_json" > m-symbol.json
expect_error "node 1 has a name of 1048576 bytes"
echo "hostile text: NULs refused, long text shortened"
