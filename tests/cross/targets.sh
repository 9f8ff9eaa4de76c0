# targets.sh - the cross targets of scripts/cross-test and scripts/footprint:
# compiler, CPU flags, how a program is linked and how it runs under QEMU.
# Sourced (bash); defines xt_* functions and variables, runs nothing.
#
#   target         compiler                  runs on
#   cortex-m0plus  arm-none-eabi-gcc (soft)  qemu-system-arm mps2-an385*
#   cortex-m4      arm-none-eabi-gcc         qemu-system-arm mps2-an386
#   cortex-m7      arm-none-eabi-gcc         qemu-system-arm mps2-an500
#   cortex-m33     arm-none-eabi-gcc         qemu-system-arm mps2-an505
#   cortex-m55     arm-none-eabi-gcc         qemu-system-arm mps3-an547
#   aarch64        aarch64-linux-gnu-gcc     qemu-aarch64 (user mode)
#   riscv64        riscv64-linux-gnu-gcc     qemu-riscv64 (user mode), rv64gc
#   riscv64-zbb    riscv64-linux-gnu-gcc     qemu-riscv64 -cpu rv64,zbb=true
#   rv32imc        riscv64-unknown-elf-gcc   qemu-system-riscv32 virt, bare metal
#                  + picolibc (semihosting)
#
# * QEMU has no Cortex-M0+ board: the Armv6-M build runs on the Cortex-M3
#   of mps2-an385, which executes the Armv6-M instruction set (but does not
#   fault on unaligned accesses as an M0+ would).
# Bare-metal Cortex-M programs use examples/cortex-m/ (start-up code,
# semihosting, linker scripts); their output is the semihosting console.

XT_ROOT=${XT_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
XT_EXAMPLE=$XT_ROOT/examples/cortex-m
XT_TARGETS=(cortex-m0plus cortex-m4 cortex-m7 cortex-m33 cortex-m55
            aarch64 riscv64 riscv64-zbb rv32imc)
XT_CORTEX_M=(cortex-m0plus cortex-m4 cortex-m7 cortex-m33 cortex-m55)

# Warnings every cross build uses (the generated code, drivers, start-up).
XT_WARN=(-std=c99 -Wall -Wextra -Wpedantic -Werror -ffp-contract=off)
# The runtime's own, stricter set (runtime_min/CMakeLists.txt).
XT_RT_WARN=("${XT_WARN[@]}" -Wshadow -Wstrict-prototypes -Wmissing-prototypes
            -Wwrite-strings -Wundef -Wconversion -Wdouble-promotion -Wcast-qual)

# xt_target NAME: set XT_CC, XT_CPU (array of CPU flags; for rv32imc also
# the C library's specs, so that compiling alone finds its headers), XT_KIND
# (cortex-m | linux | rv32), XT_BOARD, XT_LDS, XT_SYSROOT, XT_QEMU,
# XT_QEMU_CPU, XT_TOOLS (array), XT_SYSTICK_PS (SysTick period in ps).
xt_target() {
    XT_BOARD="" XT_LDS="" XT_SYSROOT="" XT_QEMU_CPU="" XT_SYSTICK_PS=""
    case "$1" in
    cortex-m0plus) XT_CPU=(-mcpu=cortex-m0plus -mthumb -mfloat-abi=soft)
                   XT_BOARD=mps2-an385 XT_LDS=mps2.ld XT_SYSTICK_PS=40000 ;;
    cortex-m4)     XT_CPU=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16)
                   XT_BOARD=mps2-an386 XT_LDS=mps2.ld XT_SYSTICK_PS=40000 ;;
    cortex-m7)     XT_CPU=(-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16)
                   XT_BOARD=mps2-an500 XT_LDS=mps2.ld XT_SYSTICK_PS=40000 ;;
    cortex-m33)    XT_CPU=(-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16)
                   XT_BOARD=mps2-an505 XT_LDS=mps2-an505.ld XT_SYSTICK_PS=40000 ;;
    cortex-m55)    XT_CPU=(-mcpu=cortex-m55 -mthumb -mfloat-abi=hard)
                   XT_BOARD=mps3-an547 XT_LDS=mps3-an547.ld XT_SYSTICK_PS=31250 ;;
    aarch64)       XT_CPU=() XT_SYSROOT=/usr/aarch64-linux-gnu ;;
    riscv64)       XT_CPU=(-march=rv64gc) XT_SYSROOT=/usr/riscv64-linux-gnu
                   XT_QEMU_CPU=rv64 ;;
    riscv64-zbb)   XT_CPU=(-march=rv64gc_zbb) XT_SYSROOT=/usr/riscv64-linux-gnu
                   XT_QEMU_CPU=rv64,zbb=true ;;
    rv32imc)       XT_CPU=(-march=rv32imc -mabi=ilp32 --specs=picolibc.specs) ;;
    *) echo "targets.sh: unknown target $1" >&2; return 1 ;;
    esac
    case "$1" in
    cortex-m*) XT_KIND=cortex-m XT_CC=arm-none-eabi-gcc XT_QEMU=qemu-system-arm ;;
    aarch64)   XT_KIND=linux XT_CC=aarch64-linux-gnu-gcc XT_QEMU=qemu-aarch64 ;;
    riscv64*)  XT_KIND=linux XT_CC=riscv64-linux-gnu-gcc XT_QEMU=qemu-riscv64 ;;
    rv32imc)   XT_KIND=rv32 XT_CC=riscv64-unknown-elf-gcc XT_QEMU=qemu-system-riscv32 ;;
    esac
    XT_TOOLS=("$XT_CC" "$XT_QEMU")
}

# xt_missing NAME: print the tools (and libraries) NAME needs that are not
# installed; empty when everything is there.
xt_missing() {
    local t miss=()
    xt_target "$1" || return 1
    for t in "${XT_TOOLS[@]}"; do
        command -v "$t" >/dev/null 2>&1 || miss+=("$t")
    done
    if command -v "$XT_CC" >/dev/null 2>&1; then
        case "$XT_KIND" in
        cortex-m) [ -f "$("$XT_CC" "${XT_CPU[@]}" -print-file-name=libc_nano.a)" ] ||
                      miss+=(libnewlib-arm-none-eabi) ;;
        rv32) "$XT_CC" --specs=picolibc.specs -E -x c /dev/null >/dev/null 2>&1 ||
                  miss+=(picolibc-riscv64-unknown-elf) ;;
        linux) [ -d "$XT_SYSROOT/lib" ] || miss+=("libc6-dev for $XT_SYSROOT") ;;
        esac
    fi
    echo "${miss[*]}"
}

# xt_link NAME OUT.elf [compiler and linker arguments...]: compile and link
# a program for NAME with its start-up code and C library. The caller
# passes optimisation, warnings, sources and include paths.
xt_link() {
    local name=$1 out=$2
    shift 2
    xt_target "$name" || return 1
    case "$XT_KIND" in
    cortex-m)
        "$XT_CC" "${XT_CPU[@]}" -DBNNC_SEMIHOST -I"$XT_EXAMPLE" "$@" \
            "$XT_EXAMPLE/startup.c" "$XT_EXAMPLE/semihost.c" "$XT_EXAMPLE/stack_usage.c" \
            -T"$XT_EXAMPLE/$XT_LDS" -L"$XT_EXAMPLE" -nostartfiles --specs=nano.specs \
            -Wl,--gc-sections -lm -o "$out" ;;
    linux)
        "$XT_CC" "${XT_CPU[@]}" "$@" -lm -o "$out" ;;
    rv32)
        # QEMU virt: RAM at 0x80000000, where -bios none starts; 2 MiB of
        # code and constants, then 2 MiB of data and stack.
        "$XT_CC" "${XT_CPU[@]}" --oslib=semihost --crt0=hosted \
            "$@" -Wl,--gc-sections -lm \
            -Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x200000 \
            -Wl,--defsym=__ram=0x80200000 -Wl,--defsym=__ram_size=0x200000 -o "$out" ;;
    esac
}

# xt_run NAME PROGRAM OUTFILE [ICOUNT_SHIFT]: run PROGRAM under QEMU with
# its console output in OUTFILE; returns the program's exit status (124
# after a 600 s timeout). ICOUNT_SHIFT (Cortex-M) makes every instruction
# last 2^shift ns of virtual time (-icount), for insn_count.c.
xt_run() {
    local name=$1 prog=$2 out=$3 shift_=${4:-}
    local icount=()
    xt_target "$name" || return 1
    rm -f "$out"
    [ -n "$shift_" ] && icount=(-icount "shift=$shift_,align=off,sleep=off")
    case "$XT_KIND" in
    cortex-m)
        timeout 600 qemu-system-arm -M "$XT_BOARD" -display none -serial null -monitor none \
            "${icount[@]}" -chardev "file,id=semihost,path=$out" \
            -semihosting-config enable=on,target=native,chardev=semihost -kernel "$prog" ;;
    linux)
        local cpu=()
        [ -n "$XT_QEMU_CPU" ] && cpu=(-cpu "$XT_QEMU_CPU")
        timeout 600 "$XT_QEMU" "${cpu[@]}" -L "$XT_SYSROOT" "$prog" >"$out" ;;
    rv32)
        timeout 600 qemu-system-riscv32 -M virt -bios none -display none -serial null \
            -monitor none -chardev "file,id=semihost,path=$out" \
            -semihosting-config enable=on,target=native,chardev=semihost -kernel "$prog" ;;
    esac
}

# xt_runtime_lib NAME DIR: compile every runtime_min source for NAME with
# the runtime's warnings as errors (-O2) into DIR/libruntime_min.a. Prints
# the compiler's messages on failure.
xt_runtime_lib() {
    local name=$1 dir=$2 src
    xt_target "$name" || return 1
    mkdir -p "$dir/obj"
    rm -f "$dir/obj/"*.o "$dir/libruntime_min.a"
    local srcs=("$XT_ROOT"/runtime_min/src/*.c "$XT_ROOT"/runtime_min/arch/*/*.c)
    printf '%s\n' "${srcs[@]}" | xargs -P 2 -I{} sh -c '
        s={}; o="$0/obj/$(basename "$(dirname "$s")")_$(basename "${s%.c}").o"
        "$@" -c "$s" -o "$o"' "$dir" "$XT_CC" "${XT_CPU[@]}" -O2 "${XT_RT_WARN[@]}" \
        -ffunction-sections -fdata-sections \
        -I"$XT_ROOT/runtime_min/include" -I"$XT_ROOT/runtime_min/src" || return 1
    local ar=${XT_CC%gcc}ar
    "$ar" rcs "$dir/libruntime_min.a" "$dir/obj/"*.o
}

# xt_bnnc WORK: print the path of a host bnnc: $BNNC when set, else one
# built (without tests) in WORK/host. Returns 1 when the build fails.
xt_bnnc() {
    if [ -n "${BNNC:-}" ]; then
        echo "$BNNC"
        return 0
    fi
    cmake -S "$XT_ROOT" -B "$1/host" -DCMAKE_BUILD_TYPE=Release -DBNNC_BUILD_TESTS=OFF \
        >/dev/null &&
        cmake --build "$1/host" -j2 --target bnnc >/dev/null || return 1
    echo "$1/host/bnnc"
}

# The models scripts/footprint and scripts/cortex-m-cost measure:
# name|symbol file|params file|input shape|inputs (.npy)
XT_MODELS=(
  "digits|examples/digits/digits-symbol.json|examples/digits/digits-0000.params|1,1,8,8|examples/digits/heldout_x.npy"
  "resnete|tests/golden/fixtures/bmx2_raw_resnete/bmx2_raw_resnete-symbol.json|tests/golden/fixtures/bmx2_raw_resnete/bmx2_raw_resnete-0000.params|1,3,8,8|tests/golden/fixtures/bmx2_raw_resnete/input.npy"
  "resnet-unit|tests/golden/fixtures/bmx1_resnet_unit/bmx1_resnet_unit-symbol.json|tests/golden/fixtures/bmx1_resnet_unit/bmx1_resnet_unit-0000.params|1,3,8,8|tests/golden/fixtures/bmx1_resnet_unit/input.npy"
  "lenet-mnist|tests/golden/fixtures/bmx1_lenet_mnist/bmx1_lenet_mnist-symbol.json|tests/golden/fixtures/bmx1_lenet_mnist/bmx1_lenet_mnist-0000.params|1,1,28,28|tests/golden/fixtures/bmx1_lenet_mnist/input.npy"
)
