#!/bin/sh
# check-m4-names.sh BNNC FIXTURE_DIR CASE INPUT_DIMS WORKDIR
#
# Names in a model are data, never m4 input. For every builtin of GNU m4
# (as `m4 -P` spells them: m4_esyscmd, m4_dnl, ...), alone and as a call
# that would run a command, the model is compiled with that text as
#   - its file name (<name>-symbol.json / <name>-0000.params),
#   - the name of its data input (and --input <name>=...),
#   - the name of one of its layers,
# and, for the identifiers among them, as --prefix. Each compile must
# succeed, write the text verbatim where the model's names go (provenance,
# layer comments), leave every other line of net.c and net.h as for the
# unrenamed model, and run no command (no marker file appears, bnnc's
# temporary directories are removed). The models renamed in the riskiest
# ways are also built and run against MXNet's output (bnnc verify).
set -eu
bnnc=$1; fx=$2; case=$3; dims=$4; work=$5
rm -rf "$work"
mkdir -p "$work/tmp" "$work/ref"
work=$(cd "$work" && pwd)
TMPDIR=$work/tmp
export TMPDIR
cd "$work"

builtins="__file__ __gnu__ __line__ __program__ __unix__ builtin changecom
changequote debugfile debugmode decr define defn divert divnum dnl dumpdef
errprint esyscmd eval format ifdef ifelse include incr index indir len
m4exit m4wrap maketemp mkstemp patsubst popdef pushdef regexp shift sinclude
substr syscmd sysval traceoff traceon translit undefine undivert"

fail() { echo "FAIL: $*"; exit 1; }

# the model's lines that do not carry a name: provenance, names in
# comments, the profile table and include lines left out
strip_names() {
  grep -v -e '^ \* ' -e '^/\* ' -e '^    /\* ' -e '#include' -e '_profile_hook(' "$1" \
    | sed -e 's/^\/\*.*\*\/$//' || true
}

# A renamed node's name also goes into C identifiers (its tensors t_<name>,
# its constants <prefix>_<name>_<role>, letters, digits and '_' kept) and
# into its step's profiling label: put the original name back there, so
# that every other difference still shows.
ident() { printf '%s' "$1" | tr -c 'A-Za-z0-9_' '_' | cut -c1-"$2"; }
unrename() { # file renamed original
  awk -v a="\"$2\"" -v b="\"$3\"" -v ta="t_$(ident "$2" 40)" -v tb="t_$(ident "$3" 40)" \
      -v ca="net_$(ident "$2" 32)_" -v cb="net_$(ident "$3" 32)_" '
    function swap(s, x, y,   out, i) {
      out = ""
      while ((i = index(s, x)) > 0) { out = out substr(s, 1, i - 1) y; s = substr(s, i + length(x)) }
      return out s
    }
    # whole identifiers only: a tensor name, or a constant name starting so
    function idents(s,   out, tok) {
      out = ""
      while (match(s, /[A-Za-z_][A-Za-z0-9_]*/)) {
        tok = substr(s, RSTART, RLENGTH)
        if (tok == ta)
          tok = tb
        else if (index(tok, ca) == 1)
          tok = cb substr(tok, length(ca) + 1)
        out = out substr(s, 1, RSTART - 1) tok
        s = substr(s, RSTART + RLENGTH)
      }
      return out s
    }
    { print idents(swap($0, a, b)) }' "$1"
}

"$bnnc" compile "$fx/$case-symbol.json" "$fx/$case-0000.params" --input "data=$dims" \
        -q -o ref/net.c
strip_names ref/net.c > ref/net.c.cmp
strip_names ref/net.h > ref/net.h.cmp

# a layer of the fixture to rename: the first op node after the input
layer=$(sed -n 's/.*"op": "\([A-Za-z_]*\)".*/\1/p' "$fx/$case-symbol.json" | head -1)
layer_name=$(grep -o '"name": "[^"]*"' "$fx/$case-symbol.json" \
             | sed 's/"name": "\(.*\)"/\1/' | grep -v -e '^data$' -e '_weight$' -e '_bias$' \
             | head -1)
[ -n "$layer_name" ] || fail "no layer name in the fixture"

n=0
check_one() { # kind name
  kind=$1; name=$2; d="$work/$kind-$n"
  mkdir -p "$d"
  case $kind in
    file)
      cp "$fx/$case-symbol.json" "$d/$name-symbol.json"
      cp "$fx/$case-0000.params" "$d/$name-0000.params"
      (cd "$d" && "$bnnc" compile "$name-symbol.json" "$name-0000.params" \
                  --input "data=$dims" -q -o net.c) || fail "$kind '$name': compile failed"
      grep -qF " * symbol:  $name-symbol.json" "$d/net.c" || fail "$kind '$name': name not in provenance"
      ;;
    input)
      sed "s/\"name\": \"data\"/\"name\": \"$name\"/" "$fx/$case-symbol.json" > "$d/m-symbol.json"
      cp "$fx/$case-0000.params" "$d/m-0000.params"
      (cd "$d" && "$bnnc" compile m-symbol.json m-0000.params --input "$name=$dims" -q \
                  -o net.c) || fail "$kind '$name': compile failed"
      grep -qF "$name (" "$d/net.c" || fail "$kind '$name': input name not in the summary"
      ;;
    layer)
      sed "s/\"name\": \"$layer_name\"/\"name\": \"$name\"/" "$fx/$case-symbol.json" \
          > "$d/m-symbol.json"
      cp "$fx/$case-0000.params" "$d/m-0000.params"
      (cd "$d" && "$bnnc" compile m-symbol.json m-0000.params --input "data=$dims" -q \
                  -o net.c) || fail "$kind '$name': compile failed"
      grep -qF "/* $name (" "$d/net.c" || fail "$kind '$name': layer name not in its comment"
      ;;
    prefix)
      (cd "$d" && "$bnnc" compile "$fx/$case-symbol.json" "$fx/$case-0000.params" \
                  --input "data=$dims" --prefix "$name" -q -o net.c) \
        || fail "$kind '$name': compile failed"
      grep -q "^int ${name}_run(" "$d/net.c" || fail "prefix '$name': no ${name}_run"
      grep -q "^#define $(echo "$name" | tr a-z A-Z)_INPUT_SIZE " "$d/net.h" \
        || fail "prefix '$name': no INPUT_SIZE in the header"
      n=$((n + 1))
      return
      ;;
  esac
  case $kind in
    input) orig=data ;;
    layer) orig=$layer_name ;;
    *) orig=$name ;;
  esac
  unrename "$d/net.c" "$name" "$orig" > "$d/net.c.orig"
  strip_names "$d/net.c.orig" | cmp -s - ref/net.c.cmp || fail "$kind '$name': net.c differs"
  strip_names "$d/net.h" | cmp -s - ref/net.h.cmp || fail "$kind '$name': net.h differs"
  n=$((n + 1))
}

for b in $builtins; do
  for name in "m4_$b" "m4_$b(touch ran-$b)" "m4_$b(m4_syscmd(touch ran2-$b))"; do
    check_one file "$name"
    check_one input "$name"
    check_one layer "$name"
  done
  check_one prefix "m4_$b"
done

# the most dangerous ones built and run against MXNet's output
for name in "m4_esyscmd(touch ran-v)" "m4_dnl" "m4_m4exit(0)" "m4_divert(-1)" \
            "m4_changequote([,])" "m4_undivert(net.c.m4)" "m4_include(model.m4)"; do
  sed "s/\"name\": \"data\"/\"name\": \"$name\"/" "$fx/$case-symbol.json" > v-symbol.json
  cp "$fx/$case-0000.params" v-0000.params
  "$bnnc" verify v-symbol.json v-0000.params --input "$name=$dims" --in "$fx/input.npy" \
          --expect "$fx/output.npy" -q || fail "verify with input '$name'"
done

ran=$(find "$work" / -maxdepth 1 -name 'ran*' 2>/dev/null | head -1; \
      find "$work" -name 'ran*' 2>/dev/null | head -1)
[ -z "$ran" ] || fail "a command ran: $ran exists"
left=$(ls -A "$work/tmp")
[ -z "$left" ] || fail "temporary files left behind: $left"
echo "m4 names: $n models compiled, names kept as data, no command run"
