#!/bin/sh
# check-readme.sh SOURCE_DIR WORK_DIR
# The README's commands work as printed, for a new user on a fresh copy of
# the tree: the command blocks are read from the README text itself (so a
# changed README changes what runs) and run unmodified, in order, with
# HOME pointing into WORK_DIR:
#   README.md "Build and install"     build, cmake --install, PATH
#   README.md "Usage"                 the bnnc lines, with the installed bnnc
#                                     (MXNet, then TensorFlow Lite and ONNX)
#   README.md "Embedded targets"      the firmware build and QEMU run
#   examples/cortex-m/README.md "Build and run from a fresh clone"
# and the firmware prints the lines the Cortex-M README shows ("..." stands
# for lines left out), whose stack figure must also be the one
# docs/FOOTPRINT.md measured for the model and core. Exits 77 (skipped)
# without arm-none-eabi-gcc or qemu-system-arm unless BNNC_REQUIRE_CROSS=1.
set -eu
src=$(cd "$1" && pwd)
work=$2
fail() { echo "check-readme: $*" >&2; exit 1; }
for tool in arm-none-eabi-gcc qemu-system-arm; do
  if ! command -v "$tool" >/dev/null; then
    [ "${BNNC_REQUIRE_CROSS:-0}" = 1 ] && fail "$tool is missing"
    echo "check-readme: $tool missing, skipped"
    exit 77
  fi
done

# block FILE HEADING [AFTER]: the first indented (4 spaces) block after the
# line HEADING (and after the line AFTER, when given), without the indent.
block() {
  awk -v h="$2" -v a="${3:-}" '
    $0 == h { inh = 1; seen = (a == ""); next }
    inh && !seen && index($0, a) { seen = 1; next }
    inh && seen && /^    / { sub(/^    /, ""); print; got = 1; next }
    inh && seen && got && !/^$/ { exit }
  ' "$1"
}

rm -rf "$work"
mkdir -p "$work/home" "$work/copy"
# a fresh copy: the files git tracks (and new ones it does not ignore), as
# they are in the working tree; no build directory
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$src" && git ls-files -z --cached --others --exclude-standard |
     xargs -0 tar -cf - --no-recursion) | (cd "$work/copy" && tar -xf -)
else
  (cd "$src" && tar -cf - --exclude=./build .) | (cd "$work/copy" && tar -xf -)
fi

readme=$work/copy/README.md
fwreadme=$work/copy/examples/cortex-m/README.md
block "$readme" "## Build and install" > "$work/install.sh"
block "$readme" "## Usage" > "$work/usage.sh"
block "$readme" "## Usage" "only fixes a dynamic dimension" > "$work/usage-onefile.sh"
block "$readme" "## Embedded targets" > "$work/firmware.sh"
block "$fwreadme" "## Build and run from a fresh clone (Debian 12)" > "$work/fw-clone.sh"
block "$fwreadme" "## Build and run from a fresh clone (Debian 12)" "The run prints:" > "$work/fw-expected.txt"
for f in install.sh usage.sh usage-onefile.sh firmware.sh fw-clone.sh fw-expected.txt; do
  [ -s "$work/$f" ] || fail "no command block found for $f (README structure changed?)"
done
grep -q '^cmake --install' "$work/install.sh" || fail "README.md: no cmake --install line"
grep -q '^bnnc ' "$work/usage.sh" || fail "README.md: no bnnc line under Usage"

run() {   # run NAME SCRIPT: the README lines, as one shell script
  echo "== $1"
  cat "$2"
  (cd "$work/copy" && HOME=$work/home sh -e "$2") >"$work/$1.log" 2>&1 ||
    { tail -n 30 "$work/$1.log"; fail "$1: a README command failed"; }
}
# install and usage share the shell (PATH is set by the install block)
cat "$work/install.sh" "$work/usage.sh" "$work/usage-onefile.sh" > "$work/install-usage.sh"
run install-usage "$work/install-usage.sh"
[ -x "$work/home/.local/bin/bnnc" ] || fail "bnnc is not in ~/.local/bin after the install"
[ -f "$work/copy/net.c" ] && [ -f "$work/copy/net.h" ] && [ -f "$work/copy/digits.c" ] ||
  fail "the Usage compile lines did not write net.c, net.h and digits.c"
grep -q '^verify: 3600 outputs' "$work/install-usage.log" || fail "the Usage verify line did not verify"
[ -f "$work/copy/digits_onnx.c" ] || fail "the Usage ONNX compile line did not write digits_onnx.c"
grep -q '^verify: 10 outputs' "$work/install-usage.log" || fail "the Usage ONNX verify line did not verify"
grep -q 'LceBconv2d  *binary_conv' "$work/install-usage.log" || fail "the Usage TFLite inspect line did not show the binary conv"

run firmware "$work/firmware.sh"
rm -rf "$work/copy/build/fw"
run fw-clone "$work/fw-clone.sh"

# the run prints the README's lines, in order ("..." skips lines)
awk -v lf="$work/fw-clone.log" '
  BEGIN { n = 0; while ((getline l < lf) > 0) out[n++] = l; i = 0 }
  $0 == "..." { skip = 1; next }
  {
    while (i < n && out[i] != $0) {
      if (!skip && started) { print "expected: " $0; print "got:      " out[i]; bad = 1; exit 1 }
      i++
    }
    if (i == n) { print "not printed: " $0; bad = 1; exit 1 }
    i++; started = 1; skip = 0
  }
  END { exit bad }
' "$work/fw-expected.txt" || fail "the firmware does not print what examples/cortex-m/README.md shows"

# one stack figure: the README's is the one docs/FOOTPRINT.md measured
stack=$(sed -n 's/.*stack used by digits_run \([0-9]*\) bytes.*/\1/p' "$work/fw-expected.txt")
cpu=$(sed -n 's/^bnnc digits demo on \(.*\)$/\1/p' "$work/fw-expected.txt")
foot=$(awk -F'|' -v c="$cpu" '$2 ~ /^ *digits *$/ && $3 ~ "^ *" c " *$" { gsub(/[ ,]/, "", $9); print $9 }' \
         "$work/copy/docs/FOOTPRINT.md")
[ -n "$stack" ] && [ "$stack" = "$foot" ] ||
  fail "examples/cortex-m/README.md shows $stack bytes of stack, docs/FOOTPRINT.md $foot for digits on $cpu"
echo "README commands: install, usage and firmware work as printed; stack $stack bytes as in docs/FOOTPRINT.md"
