/*
 * bench_kernels.c - single-thread throughput of the binary conv kernels of
 * runtime_min against the popcount roofline measured in the same run.
 * A benchmark, not a test: it checks nothing but that the kernels agree.
 *
 * Roofline: the rate of xor + popcount + add on L1-resident data, in
 * binary MACs per second (one MAC = one bit of the reduction), for each
 * instruction set a variant uses:
 *   avx512    zmm xor + vpopcntd + vpaddd, 6x4 register tile;
 *   avx2      ymm xor + pshufb nibble-table popcount + byte adds, byte
 *             accumulators folded with vpsadbw;
 *   portable  64-bit scalar xor + popcnt + add, 3x2 register tile (the
 *             instruction the portable C kernel's popcount maps to; built
 *             with -march=native the compiler may vectorise the portable
 *             kernel, whose ratio can then exceed 1).
 * Layers: daBNN's 3x3 pad-1 set, binary in -> bits out (bnn_bconv2d_b_b,
 * pad -1), per compiled-in variant, plus a float32 conv of the same shape
 * (bnn_conv2d_f32 when the runtime has it, BENCH_HAVE_FLOAT_CONV); then
 * the convolutions of a binary ResNet-18 with float output
 * (bnn_bconv2d_b_f32): the 1x1 shortcuts and the 3x3 convs before the
 * residual adds, alone and adding a residual tensor in the same pass.
 * binary MACs = out_h * out_w * out_c * k_h * k_w * in_c. Every figure is
 * the median of `reps` timed runs after a warm-up; each roofline is the
 * best median over several measurements taken between the layers. Also
 * reported: a binary dense layer at batch 1 (4096 bits -> 1000).
 * Then the float kernels (bench_kernels_float.h): float convolutions of
 * every kind against the float32 peak measured in the same run, the
 * activations without libm, and subnormal activations with and without
 * flush-to-zero.
 *
 * int8 (bnn_int8.h): each compiled-in variant of the int8 conv, dense and
 * depthwise kernels on ResNet-18-like layers, in GOPS (2 ops per MAC) and
 * as a ratio to the int8 multiply-accumulate peak of the instructions the
 * variant uses, measured by the same binary (see "int8 dot-product peaks").
 *
 * --min reports the fastest of the timed runs instead of the median (on
 * a machine shared with other work, the run least disturbed); --no-float
 * leaves the float section out.
 *
 * Usage: bench_kernels [--json] [--reps N] [--no-float] [--min]
 */
#define _POSIX_C_SOURCE 199309L
#include "bnn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) && (defined(__AVX2__) || defined(__AVX512F__))
#include <immintrin.h>
#endif

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int g_reps = 101;
static int g_min = 0; /* --min: fastest run instead of the median */

/* The binary variants compiled into the runtime (family BIN: every binary
 * kernel has the same list), portable first, the public functions' last. */
static const char *g_bin[16];
static int g_nbin;

static void list_binary_variants(void)
{
    int count, i;
    const bnn_kernel_variant *all = bnn_kernel_variants(&count);
    for (i = 0; i < count && g_nbin < 16; i++)
        if (!strcmp(all[i].kernel, "bnn_bconv2d_b_b"))
            g_bin[g_nbin++] = all[i].variant;
}

/* Median seconds per call of fn(ctx). Each timed run is short (>= 50 us,
 * one call of a layer), so that on a shared machine few runs are hit by
 * a context switch and the median stays clean. */
static double time_median(void (*fn)(void *), void *ctx)
{
    double t0, dt, times[1001];
    long iters = 1, i;
    int r;
    fn(ctx); /* warm-up */
    for (;;) {
        t0 = now_s();
        for (i = 0; i < iters; i++)
            fn(ctx);
        dt = now_s() - t0;
        if (dt > 50e-6 || iters > (1L << 28))
            break;
        iters *= 2;
    }
    for (r = 0; r < g_reps; r++) {
        t0 = now_s();
        for (i = 0; i < iters; i++)
            fn(ctx);
        times[r] = (now_s() - t0) / (double)iters;
    }
    qsort(times, (size_t)g_reps, sizeof times[0], cmp_double);
    return times[g_min ? 0 : g_reps / 2];
}

static uint32_t g_rng = 0x12345678u;
static uint32_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 17;
    g_rng ^= g_rng << 5;
    return g_rng;
}

/* ---- rooflines ---------------------------------------------------------- */

#define RL_WORDS 2048 /* 8 KB of "weights" and of "inputs": L1 resident */
static uint32_t rl_w[RL_WORDS] __attribute__((aligned(64)));
static uint32_t rl_x[RL_WORDS] __attribute__((aligned(64)));
static volatile uint64_t rl_sink;
#define RL_REPS 64

/* The roofline loops are written in assembly so that the ceiling does not
 * depend on how a compiler allocates registers. */
#if defined(__x86_64__) && defined(__AVX512VPOPCNTDQ__) && defined(__AVX512F__)
#define HAVE_RL_AVX512 1
/* Per step: 4 zmm weight loads, 6 broadcast input words, 24 x (vpxord,
 * vpopcntd, vpaddd) into 24 accumulators: 24 * 512 MACs. */
static void rl_avx512(void *ctx)
{
    uint32_t out[16];
    int i, reps = RL_REPS;
    uint64_t t = 0;
    const uint32_t *wp = rl_w, *xp = rl_x;
    (void)ctx;
    __asm__ volatile(
        "vpxord %%zmm0, %%zmm0, %%zmm0\n"
        "vpxord %%zmm1, %%zmm1, %%zmm1\n"
        "vpxord %%zmm2, %%zmm2, %%zmm2\n"
        "vpxord %%zmm3, %%zmm3, %%zmm3\n"
        "vpxord %%zmm4, %%zmm4, %%zmm4\n"
        "vpxord %%zmm5, %%zmm5, %%zmm5\n"
        "vpxord %%zmm6, %%zmm6, %%zmm6\n"
        "vpxord %%zmm7, %%zmm7, %%zmm7\n"
        "vpxord %%zmm8, %%zmm8, %%zmm8\n"
        "vpxord %%zmm9, %%zmm9, %%zmm9\n"
        "vpxord %%zmm10, %%zmm10, %%zmm10\n"
        "vpxord %%zmm11, %%zmm11, %%zmm11\n"
        "vpxord %%zmm12, %%zmm12, %%zmm12\n"
        "vpxord %%zmm13, %%zmm13, %%zmm13\n"
        "vpxord %%zmm14, %%zmm14, %%zmm14\n"
        "vpxord %%zmm15, %%zmm15, %%zmm15\n"
        "vpxord %%zmm16, %%zmm16, %%zmm16\n"
        "vpxord %%zmm17, %%zmm17, %%zmm17\n"
        "vpxord %%zmm18, %%zmm18, %%zmm18\n"
        "vpxord %%zmm19, %%zmm19, %%zmm19\n"
        "vpxord %%zmm20, %%zmm20, %%zmm20\n"
        "vpxord %%zmm21, %%zmm21, %%zmm21\n"
        "vpxord %%zmm22, %%zmm22, %%zmm22\n"
        "vpxord %%zmm23, %%zmm23, %%zmm23\n"
        "2:\n"
        "mov %[w], %%rax\n"
        "mov %[x], %%rdx\n"
        "mov %[steps], %%esi\n"
        "1:\n"
        "vmovdqa64 0(%%rax), %%zmm24\n"
        "vmovdqa64 64(%%rax), %%zmm25\n"
        "vmovdqa64 128(%%rax), %%zmm26\n"
        "vmovdqa64 192(%%rax), %%zmm27\n"
        "vpbroadcastd 0(%%rdx), %%zmm28\n"
        "vpxord %%zmm24, %%zmm28, %%zmm29\n"
        "vpopcntd %%zmm29, %%zmm29\n"
        "vpaddd %%zmm29, %%zmm0, %%zmm0\n"
        "vpxord %%zmm25, %%zmm28, %%zmm30\n"
        "vpopcntd %%zmm30, %%zmm30\n"
        "vpaddd %%zmm30, %%zmm1, %%zmm1\n"
        "vpxord %%zmm26, %%zmm28, %%zmm31\n"
        "vpopcntd %%zmm31, %%zmm31\n"
        "vpaddd %%zmm31, %%zmm2, %%zmm2\n"
        "vpxord %%zmm27, %%zmm28, %%zmm29\n"
        "vpopcntd %%zmm29, %%zmm29\n"
        "vpaddd %%zmm29, %%zmm3, %%zmm3\n"
        "vpbroadcastd 4(%%rdx), %%zmm28\n"
        "vpxord %%zmm24, %%zmm28, %%zmm30\n"
        "vpopcntd %%zmm30, %%zmm30\n"
        "vpaddd %%zmm30, %%zmm4, %%zmm4\n"
        "vpxord %%zmm25, %%zmm28, %%zmm31\n"
        "vpopcntd %%zmm31, %%zmm31\n"
        "vpaddd %%zmm31, %%zmm5, %%zmm5\n"
        "vpxord %%zmm26, %%zmm28, %%zmm29\n"
        "vpopcntd %%zmm29, %%zmm29\n"
        "vpaddd %%zmm29, %%zmm6, %%zmm6\n"
        "vpxord %%zmm27, %%zmm28, %%zmm30\n"
        "vpopcntd %%zmm30, %%zmm30\n"
        "vpaddd %%zmm30, %%zmm7, %%zmm7\n"
        "vpbroadcastd 8(%%rdx), %%zmm28\n"
        "vpxord %%zmm24, %%zmm28, %%zmm31\n"
        "vpopcntd %%zmm31, %%zmm31\n"
        "vpaddd %%zmm31, %%zmm8, %%zmm8\n"
        "vpxord %%zmm25, %%zmm28, %%zmm29\n"
        "vpopcntd %%zmm29, %%zmm29\n"
        "vpaddd %%zmm29, %%zmm9, %%zmm9\n"
        "vpxord %%zmm26, %%zmm28, %%zmm30\n"
        "vpopcntd %%zmm30, %%zmm30\n"
        "vpaddd %%zmm30, %%zmm10, %%zmm10\n"
        "vpxord %%zmm27, %%zmm28, %%zmm31\n"
        "vpopcntd %%zmm31, %%zmm31\n"
        "vpaddd %%zmm31, %%zmm11, %%zmm11\n"
        "vpbroadcastd 12(%%rdx), %%zmm28\n"
        "vpxord %%zmm24, %%zmm28, %%zmm29\n"
        "vpopcntd %%zmm29, %%zmm29\n"
        "vpaddd %%zmm29, %%zmm12, %%zmm12\n"
        "vpxord %%zmm25, %%zmm28, %%zmm30\n"
        "vpopcntd %%zmm30, %%zmm30\n"
        "vpaddd %%zmm30, %%zmm13, %%zmm13\n"
        "vpxord %%zmm26, %%zmm28, %%zmm31\n"
        "vpopcntd %%zmm31, %%zmm31\n"
        "vpaddd %%zmm31, %%zmm14, %%zmm14\n"
        "vpxord %%zmm27, %%zmm28, %%zmm29\n"
        "vpopcntd %%zmm29, %%zmm29\n"
        "vpaddd %%zmm29, %%zmm15, %%zmm15\n"
        "vpbroadcastd 16(%%rdx), %%zmm28\n"
        "vpxord %%zmm24, %%zmm28, %%zmm30\n"
        "vpopcntd %%zmm30, %%zmm30\n"
        "vpaddd %%zmm30, %%zmm16, %%zmm16\n"
        "vpxord %%zmm25, %%zmm28, %%zmm31\n"
        "vpopcntd %%zmm31, %%zmm31\n"
        "vpaddd %%zmm31, %%zmm17, %%zmm17\n"
        "vpxord %%zmm26, %%zmm28, %%zmm29\n"
        "vpopcntd %%zmm29, %%zmm29\n"
        "vpaddd %%zmm29, %%zmm18, %%zmm18\n"
        "vpxord %%zmm27, %%zmm28, %%zmm30\n"
        "vpopcntd %%zmm30, %%zmm30\n"
        "vpaddd %%zmm30, %%zmm19, %%zmm19\n"
        "vpbroadcastd 20(%%rdx), %%zmm28\n"
        "vpxord %%zmm24, %%zmm28, %%zmm31\n"
        "vpopcntd %%zmm31, %%zmm31\n"
        "vpaddd %%zmm31, %%zmm20, %%zmm20\n"
        "vpxord %%zmm25, %%zmm28, %%zmm29\n"
        "vpopcntd %%zmm29, %%zmm29\n"
        "vpaddd %%zmm29, %%zmm21, %%zmm21\n"
        "vpxord %%zmm26, %%zmm28, %%zmm30\n"
        "vpopcntd %%zmm30, %%zmm30\n"
        "vpaddd %%zmm30, %%zmm22, %%zmm22\n"
        "vpxord %%zmm27, %%zmm28, %%zmm31\n"
        "vpopcntd %%zmm31, %%zmm31\n"
        "vpaddd %%zmm31, %%zmm23, %%zmm23\n"
        "add $256, %%rax\n"
        "add $24, %%rdx\n"
        "dec %%esi\n"
        "jnz 1b\n"
        "dec %%ecx\n"
        "jnz 2b\n"
        "vpaddd %%zmm1, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm2, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm3, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm4, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm5, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm6, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm7, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm8, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm9, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm10, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm11, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm12, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm13, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm14, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm15, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm16, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm17, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm18, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm19, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm20, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm21, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm22, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm23, %%zmm0, %%zmm0\n"
        "vmovdqu64 %%zmm0, %[out]\n"
        : [out] "=m"(out), "+c"(reps)
        : [w] "m"(wp), [x] "m"(xp), [steps] "i"(RL_WORDS / 64)
        : "rax", "rdx", "rsi", "memory", "zmm0", "zmm1", "zmm2", "zmm3", "zmm4", "zmm5",
          "zmm6", "zmm7", "zmm8", "zmm9", "zmm10", "zmm11", "zmm12", "zmm13", "zmm14",
          "zmm15", "zmm16", "zmm17", "zmm18", "zmm19", "zmm20", "zmm21", "zmm22", "zmm23",
          "zmm24", "zmm25", "zmm26", "zmm27", "zmm28", "zmm29", "zmm30", "zmm31");
    for (i = 0; i < 16; i++)
        t += out[i];
    rl_sink += t;
}
static const double rl_avx512_macs = (double)RL_REPS * (RL_WORDS / 64) * 24.0 * 512.0;
#endif

#if defined(__x86_64__) && defined(__AVX2__)
#define HAVE_RL_AVX2 1
/* Per step: 2 ymm weight loads, 3 broadcast input words, 6 x (vpxor,
 * shift, 2 and, 2 vpshufb, 2 vpaddb) into 6 byte accumulators: 6 * 256
 * MACs; the byte accumulators are folded with vpsadbw every 31 steps (a
 * byte gains at most 8 per step). */
static void rl_avx2(void *ctx)
{
    static const uint8_t lut[32] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                    0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
    static const uint8_t m4[32] = {15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
                                   15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15};
    uint64_t out[4];
    int reps = RL_REPS;
    const uint32_t *wp = rl_w, *xp = rl_x;
    (void)ctx;
    __asm__ volatile(
        "vpxor %%ymm8, %%ymm8, %%ymm8\n"
        "vpxor %%ymm15, %%ymm15, %%ymm15\n"
        "vmovdqu %[lut], %%ymm6\n"
        "vmovdqu %[m4], %%ymm7\n"
        "2:\n"
        "mov %[w], %%rax\n"
        "mov %[x], %%rdx\n"
        "mov %[blocks], %%esi\n"
        "3:\n"
        "vpxor %%ymm0, %%ymm0, %%ymm0\n"
        "vpxor %%ymm1, %%ymm1, %%ymm1\n"
        "vpxor %%ymm2, %%ymm2, %%ymm2\n"
        "vpxor %%ymm3, %%ymm3, %%ymm3\n"
        "vpxor %%ymm4, %%ymm4, %%ymm4\n"
        "vpxor %%ymm5, %%ymm5, %%ymm5\n"
        "mov $31, %%edi\n"
        "1:\n"
        "vmovdqa (%%rax), %%ymm9\n"
        "vmovdqa 32(%%rax), %%ymm10\n"
        "vpbroadcastd 0(%%rdx), %%ymm11\n"
        "vpxor %%ymm9, %%ymm11, %%ymm12\n"
        "vpsrlw $4, %%ymm12, %%ymm13\n"
        "vpand %%ymm7, %%ymm12, %%ymm12\n"
        "vpand %%ymm7, %%ymm13, %%ymm13\n"
        "vpshufb %%ymm12, %%ymm6, %%ymm12\n"
        "vpshufb %%ymm13, %%ymm6, %%ymm13\n"
        "vpaddb %%ymm12, %%ymm0, %%ymm0\n"
        "vpaddb %%ymm13, %%ymm0, %%ymm0\n"
        "vpxor %%ymm10, %%ymm11, %%ymm12\n"
        "vpsrlw $4, %%ymm12, %%ymm13\n"
        "vpand %%ymm7, %%ymm12, %%ymm12\n"
        "vpand %%ymm7, %%ymm13, %%ymm13\n"
        "vpshufb %%ymm12, %%ymm6, %%ymm12\n"
        "vpshufb %%ymm13, %%ymm6, %%ymm13\n"
        "vpaddb %%ymm12, %%ymm1, %%ymm1\n"
        "vpaddb %%ymm13, %%ymm1, %%ymm1\n"
        "vpbroadcastd 4(%%rdx), %%ymm11\n"
        "vpxor %%ymm9, %%ymm11, %%ymm12\n"
        "vpsrlw $4, %%ymm12, %%ymm13\n"
        "vpand %%ymm7, %%ymm12, %%ymm12\n"
        "vpand %%ymm7, %%ymm13, %%ymm13\n"
        "vpshufb %%ymm12, %%ymm6, %%ymm12\n"
        "vpshufb %%ymm13, %%ymm6, %%ymm13\n"
        "vpaddb %%ymm12, %%ymm2, %%ymm2\n"
        "vpaddb %%ymm13, %%ymm2, %%ymm2\n"
        "vpxor %%ymm10, %%ymm11, %%ymm12\n"
        "vpsrlw $4, %%ymm12, %%ymm13\n"
        "vpand %%ymm7, %%ymm12, %%ymm12\n"
        "vpand %%ymm7, %%ymm13, %%ymm13\n"
        "vpshufb %%ymm12, %%ymm6, %%ymm12\n"
        "vpshufb %%ymm13, %%ymm6, %%ymm13\n"
        "vpaddb %%ymm12, %%ymm3, %%ymm3\n"
        "vpaddb %%ymm13, %%ymm3, %%ymm3\n"
        "vpbroadcastd 8(%%rdx), %%ymm11\n"
        "vpxor %%ymm9, %%ymm11, %%ymm12\n"
        "vpsrlw $4, %%ymm12, %%ymm13\n"
        "vpand %%ymm7, %%ymm12, %%ymm12\n"
        "vpand %%ymm7, %%ymm13, %%ymm13\n"
        "vpshufb %%ymm12, %%ymm6, %%ymm12\n"
        "vpshufb %%ymm13, %%ymm6, %%ymm13\n"
        "vpaddb %%ymm12, %%ymm4, %%ymm4\n"
        "vpaddb %%ymm13, %%ymm4, %%ymm4\n"
        "vpxor %%ymm10, %%ymm11, %%ymm12\n"
        "vpsrlw $4, %%ymm12, %%ymm13\n"
        "vpand %%ymm7, %%ymm12, %%ymm12\n"
        "vpand %%ymm7, %%ymm13, %%ymm13\n"
        "vpshufb %%ymm12, %%ymm6, %%ymm12\n"
        "vpshufb %%ymm13, %%ymm6, %%ymm13\n"
        "vpaddb %%ymm12, %%ymm5, %%ymm5\n"
        "vpaddb %%ymm13, %%ymm5, %%ymm5\n"
        "add $64, %%rax\n"
        "add $12, %%rdx\n"
        "dec %%edi\n"
        "jnz 1b\n"
        "vpsadbw %%ymm15, %%ymm0, %%ymm0\n"
        "vpaddq %%ymm0, %%ymm8, %%ymm8\n"
        "vpsadbw %%ymm15, %%ymm1, %%ymm1\n"
        "vpaddq %%ymm1, %%ymm8, %%ymm8\n"
        "vpsadbw %%ymm15, %%ymm2, %%ymm2\n"
        "vpaddq %%ymm2, %%ymm8, %%ymm8\n"
        "vpsadbw %%ymm15, %%ymm3, %%ymm3\n"
        "vpaddq %%ymm3, %%ymm8, %%ymm8\n"
        "vpsadbw %%ymm15, %%ymm4, %%ymm4\n"
        "vpaddq %%ymm4, %%ymm8, %%ymm8\n"
        "vpsadbw %%ymm15, %%ymm5, %%ymm5\n"
        "vpaddq %%ymm5, %%ymm8, %%ymm8\n"
        "dec %%esi\n"
        "jnz 3b\n"
        "dec %%ecx\n"
        "jnz 2b\n"
        "vmovdqu %%ymm8, %[out]\n"
        : [out] "=m"(out), "+c"(reps)
        : [w] "m"(wp), [x] "m"(xp), [blocks] "i"(4), [lut] "m"(lut), [m4] "m"(m4)
        : "rax", "rdx", "rsi", "rdi", "memory", "ymm0", "ymm1", "ymm2", "ymm3", "ymm4",
          "ymm5", "ymm6", "ymm7", "ymm8", "ymm9", "ymm10", "ymm11", "ymm12", "ymm13",
          "ymm14", "ymm15");
    rl_sink += out[0] + out[1] + out[2] + out[3];
}
static const double rl_avx2_macs = (double)RL_REPS * 4.0 * 31.0 * 6.0 * 256.0;
#endif

#if defined(__x86_64__) && defined(__POPCNT__)
#define HAVE_RL_SCALAR 1
/* Per step: 3 input and 2 weight 64-bit words, 6 x (xor, popcnt, add) into
 * 6 accumulators: 6 * 64 MACs. */
static void rl_scalar(void *ctx)
{
    uint64_t out;
    int reps = RL_REPS;
    const uint32_t *wp = rl_w, *xp = rl_x;
    (void)ctx;
    __asm__ volatile(
        "xor %%r8, %%r8\n"
        "xor %%r9, %%r9\n"
        "xor %%r10, %%r10\n"
        "xor %%r11, %%r11\n"
        "xor %%r12, %%r12\n"
        "xor %%r13, %%r13\n"
        "2:\n"
        "mov %[w], %%rax\n"
        "mov %[x], %%rdx\n"
        "mov %[steps], %%esi\n"
        "1:\n"
        "mov 0(%%rdx), %%rbx\n"
        "mov 8(%%rdx), %%r14\n"
        "mov 16(%%rdx), %%r15\n"
        "mov %%rbx, %%rdi\n"
        "xor 0(%%rax), %%rdi\n"
        "popcnt %%rdi, %%rdi\n"
        "add %%rdi, %%r8\n"
        "mov %%rbx, %%rdi\n"
        "xor 8(%%rax), %%rdi\n"
        "popcnt %%rdi, %%rdi\n"
        "add %%rdi, %%r9\n"
        "mov %%r14, %%rdi\n"
        "xor 0(%%rax), %%rdi\n"
        "popcnt %%rdi, %%rdi\n"
        "add %%rdi, %%r10\n"
        "mov %%r14, %%rdi\n"
        "xor 8(%%rax), %%rdi\n"
        "popcnt %%rdi, %%rdi\n"
        "add %%rdi, %%r11\n"
        "mov %%r15, %%rdi\n"
        "xor 0(%%rax), %%rdi\n"
        "popcnt %%rdi, %%rdi\n"
        "add %%rdi, %%r12\n"
        "mov %%r15, %%rdi\n"
        "xor 8(%%rax), %%rdi\n"
        "popcnt %%rdi, %%rdi\n"
        "add %%rdi, %%r13\n"
        "add $16, %%rax\n"
        "add $24, %%rdx\n"
        "dec %%esi\n"
        "jnz 1b\n"
        "dec %%ecx\n"
        "jnz 2b\n"
        "add %%r9, %%r8\n"
        "add %%r10, %%r8\n"
        "add %%r11, %%r8\n"
        "add %%r12, %%r8\n"
        "add %%r13, %%r8\n"
        "mov %%r8, %[out]\n"
        : [out] "=m"(out), "+c"(reps)
        : [w] "m"(wp), [x] "m"(xp), [steps] "i"(RL_WORDS / 2 / 3)
        : "rax", "rbx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
          "r14", "r15", "memory", "cc");
    rl_sink += out;
}
static const double rl_scalar_macs = (double)RL_REPS * (RL_WORDS / 2 / 3) * 6.0 * 64.0;
#endif


/* ---- int8 dot-product peaks ------------------------------------------- */

/* The multiply-accumulate rate of the instructions each int8 variant is
 * built on, on L1-resident data, in int8 MACs per second (one MAC = one
 * product added; GOPS = 2 * MACs):
 *   avx512vnni  vpdpbusd zmm, 4 weight vectors x 6 broadcast inputs into
 *               24 accumulators: 24 * 64 MACs per step;
 *   avx2        vpmaddwd + vpaddd on 16-bit values (what the AVX2 variant
 *               runs), 4 weight vectors x 2 broadcasts: 8 * 16 MACs;
 *   portable    scalar imul + add, 6 independent chains in registers (built
 *               with -march=native the compiler may vectorise the portable
 *               kernel, whose ratio can then exceed 1). */
#if defined(__x86_64__) && defined(__AVX512VNNI__) && defined(__AVX512F__)
#define HAVE_PK_VNNI 1
static void pk_vnni(void *ctx)
{
    uint32_t out[16];
    int i, reps = RL_REPS;
    uint64_t t = 0;
    const uint32_t *wp = rl_w, *xp = rl_x;
    (void)ctx;
    __asm__ volatile(
        "vpxord %%zmm0, %%zmm0, %%zmm0\n"
        "vmovdqa64 %%zmm0, %%zmm1\n"
        "vmovdqa64 %%zmm0, %%zmm2\n"
        "vmovdqa64 %%zmm0, %%zmm3\n"
        "vmovdqa64 %%zmm0, %%zmm4\n"
        "vmovdqa64 %%zmm0, %%zmm5\n"
        "vmovdqa64 %%zmm0, %%zmm6\n"
        "vmovdqa64 %%zmm0, %%zmm7\n"
        "vmovdqa64 %%zmm0, %%zmm8\n"
        "vmovdqa64 %%zmm0, %%zmm9\n"
        "vmovdqa64 %%zmm0, %%zmm10\n"
        "vmovdqa64 %%zmm0, %%zmm11\n"
        "vmovdqa64 %%zmm0, %%zmm12\n"
        "vmovdqa64 %%zmm0, %%zmm13\n"
        "vmovdqa64 %%zmm0, %%zmm14\n"
        "vmovdqa64 %%zmm0, %%zmm15\n"
        "vmovdqa64 %%zmm0, %%zmm16\n"
        "vmovdqa64 %%zmm0, %%zmm17\n"
        "vmovdqa64 %%zmm0, %%zmm18\n"
        "vmovdqa64 %%zmm0, %%zmm19\n"
        "vmovdqa64 %%zmm0, %%zmm20\n"
        "vmovdqa64 %%zmm0, %%zmm21\n"
        "vmovdqa64 %%zmm0, %%zmm22\n"
        "vmovdqa64 %%zmm0, %%zmm23\n"
        "2:\n"
        "mov %[w], %%rax\n"
        "mov %[x], %%rdx\n"
        "mov %[steps], %%esi\n"
        "1:\n"
        "vmovdqa64 0(%%rax), %%zmm24\n"
        "vmovdqa64 64(%%rax), %%zmm25\n"
        "vmovdqa64 128(%%rax), %%zmm26\n"
        "vmovdqa64 192(%%rax), %%zmm27\n"
        "vpbroadcastd 0(%%rdx), %%zmm28\n"
        "vpbroadcastd 4(%%rdx), %%zmm29\n"
        "vpbroadcastd 8(%%rdx), %%zmm30\n"
        "vpdpbusd %%zmm24, %%zmm28, %%zmm0\n"
        "vpdpbusd %%zmm25, %%zmm28, %%zmm1\n"
        "vpdpbusd %%zmm26, %%zmm28, %%zmm2\n"
        "vpdpbusd %%zmm27, %%zmm28, %%zmm3\n"
        "vpdpbusd %%zmm24, %%zmm29, %%zmm4\n"
        "vpdpbusd %%zmm25, %%zmm29, %%zmm5\n"
        "vpdpbusd %%zmm26, %%zmm29, %%zmm6\n"
        "vpdpbusd %%zmm27, %%zmm29, %%zmm7\n"
        "vpdpbusd %%zmm24, %%zmm30, %%zmm8\n"
        "vpdpbusd %%zmm25, %%zmm30, %%zmm9\n"
        "vpdpbusd %%zmm26, %%zmm30, %%zmm10\n"
        "vpdpbusd %%zmm27, %%zmm30, %%zmm11\n"
        "vpbroadcastd 12(%%rdx), %%zmm28\n"
        "vpbroadcastd 16(%%rdx), %%zmm29\n"
        "vpbroadcastd 20(%%rdx), %%zmm30\n"
        "vpdpbusd %%zmm24, %%zmm28, %%zmm12\n"
        "vpdpbusd %%zmm25, %%zmm28, %%zmm13\n"
        "vpdpbusd %%zmm26, %%zmm28, %%zmm14\n"
        "vpdpbusd %%zmm27, %%zmm28, %%zmm15\n"
        "vpdpbusd %%zmm24, %%zmm29, %%zmm16\n"
        "vpdpbusd %%zmm25, %%zmm29, %%zmm17\n"
        "vpdpbusd %%zmm26, %%zmm29, %%zmm18\n"
        "vpdpbusd %%zmm27, %%zmm29, %%zmm19\n"
        "vpdpbusd %%zmm24, %%zmm30, %%zmm20\n"
        "vpdpbusd %%zmm25, %%zmm30, %%zmm21\n"
        "vpdpbusd %%zmm26, %%zmm30, %%zmm22\n"
        "vpdpbusd %%zmm27, %%zmm30, %%zmm23\n"
        "add $256, %%rax\n"
        "add $24, %%rdx\n"
        "dec %%esi\n"
        "jnz 1b\n"
        "dec %%ecx\n"
        "jnz 2b\n"
        "vpaddd %%zmm1, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm2, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm3, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm4, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm5, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm6, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm7, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm8, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm9, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm10, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm11, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm12, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm13, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm14, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm15, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm16, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm17, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm18, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm19, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm20, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm21, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm22, %%zmm0, %%zmm0\n"
        "vpaddd %%zmm23, %%zmm0, %%zmm0\n"
        "vmovdqu64 %%zmm0, %[out]\n"
        : [out] "=m"(out), "+c"(reps)
        : [w] "m"(wp), [x] "m"(xp), [steps] "i"(RL_WORDS / 64)
        : "rax", "rdx", "rsi", "memory", "zmm0", "zmm1", "zmm2", "zmm3", "zmm4", "zmm5",
          "zmm6", "zmm7", "zmm8", "zmm9", "zmm10", "zmm11", "zmm12", "zmm13", "zmm14",
          "zmm15", "zmm16", "zmm17", "zmm18", "zmm19", "zmm20", "zmm21", "zmm22", "zmm23",
          "zmm24", "zmm25", "zmm26", "zmm27", "zmm28", "zmm29", "zmm30");
    for (i = 0; i < 16; i++)
        t += out[i];
    rl_sink += t;
}
static const double pk_vnni_macs = (double)RL_REPS * (RL_WORDS / 64) * 24.0 * 64.0;
#endif

#if defined(__x86_64__) && defined(__AVX2__)
#define HAVE_PK_AVX2 1
static void pk_avx2(void *ctx)
{
    uint32_t out[8];
    int i, reps = RL_REPS;
    uint64_t t = 0;
    const uint32_t *wp = rl_w, *xp = rl_x;
    (void)ctx;
    __asm__ volatile(
        "vpxor %%ymm0, %%ymm0, %%ymm0\n"
        "vmovdqa %%ymm0, %%ymm1\n"
        "vmovdqa %%ymm0, %%ymm2\n"
        "vmovdqa %%ymm0, %%ymm3\n"
        "vmovdqa %%ymm0, %%ymm4\n"
        "vmovdqa %%ymm0, %%ymm5\n"
        "vmovdqa %%ymm0, %%ymm6\n"
        "vmovdqa %%ymm0, %%ymm7\n"
        "2:\n"
        "mov %[w], %%rax\n"
        "mov %[x], %%rdx\n"
        "mov %[steps], %%esi\n"
        "1:\n"
        "vmovdqa 0(%%rax), %%ymm8\n"
        "vmovdqa 32(%%rax), %%ymm9\n"
        "vmovdqa 64(%%rax), %%ymm10\n"
        "vmovdqa 96(%%rax), %%ymm11\n"
        "vpbroadcastq 0(%%rdx), %%ymm12\n"
        "vpbroadcastq 8(%%rdx), %%ymm13\n"
        "vpmaddwd %%ymm8, %%ymm12, %%ymm14\n"
        "vpaddd %%ymm14, %%ymm0, %%ymm0\n"
        "vpmaddwd %%ymm9, %%ymm12, %%ymm15\n"
        "vpaddd %%ymm15, %%ymm1, %%ymm1\n"
        "vpmaddwd %%ymm10, %%ymm12, %%ymm14\n"
        "vpaddd %%ymm14, %%ymm2, %%ymm2\n"
        "vpmaddwd %%ymm11, %%ymm12, %%ymm15\n"
        "vpaddd %%ymm15, %%ymm3, %%ymm3\n"
        "vpmaddwd %%ymm8, %%ymm13, %%ymm14\n"
        "vpaddd %%ymm14, %%ymm4, %%ymm4\n"
        "vpmaddwd %%ymm9, %%ymm13, %%ymm15\n"
        "vpaddd %%ymm15, %%ymm5, %%ymm5\n"
        "vpmaddwd %%ymm10, %%ymm13, %%ymm14\n"
        "vpaddd %%ymm14, %%ymm6, %%ymm6\n"
        "vpmaddwd %%ymm11, %%ymm13, %%ymm15\n"
        "vpaddd %%ymm15, %%ymm7, %%ymm7\n"
        "add $128, %%rax\n"
        "add $16, %%rdx\n"
        "dec %%esi\n"
        "jnz 1b\n"
        "dec %%ecx\n"
        "jnz 2b\n"
        "vpaddd %%ymm1, %%ymm0, %%ymm0\n"
        "vpaddd %%ymm2, %%ymm0, %%ymm0\n"
        "vpaddd %%ymm3, %%ymm0, %%ymm0\n"
        "vpaddd %%ymm4, %%ymm0, %%ymm0\n"
        "vpaddd %%ymm5, %%ymm0, %%ymm0\n"
        "vpaddd %%ymm6, %%ymm0, %%ymm0\n"
        "vpaddd %%ymm7, %%ymm0, %%ymm0\n"
        "vmovdqu %%ymm0, %[out]\n"
        : [out] "=m"(out), "+c"(reps)
        : [w] "m"(wp), [x] "m"(xp), [steps] "i"(RL_WORDS / 32)
        : "rax", "rdx", "rsi", "memory", "ymm0", "ymm1", "ymm2", "ymm3", "ymm4", "ymm5",
          "ymm6", "ymm7", "ymm8", "ymm9", "ymm10", "ymm11", "ymm12", "ymm13", "ymm14",
          "ymm15");
    for (i = 0; i < 8; i++)
        t += out[i];
    rl_sink += t;
}
static const double pk_avx2_macs = (double)RL_REPS * (RL_WORDS / 32) * 8.0 * 16.0;
#endif

#if defined(__x86_64__)
#define HAVE_PK_SCALAR 1
static void pk_scalar(void *ctx)
{
    uint64_t out;
    int reps = RL_REPS;
    (void)ctx;
    __asm__ volatile(
        "xor %%r8d, %%r8d\n"
        "xor %%r9d, %%r9d\n"
        "xor %%r10d, %%r10d\n"
        "xor %%r11d, %%r11d\n"
        "xor %%r12d, %%r12d\n"
        "xor %%r13d, %%r13d\n"
        "mov $-77, %%ebx\n"
        "mov $93, %%r14d\n"
        "mov $-5, %%r15d\n"
        "2:\n"
        "mov %[steps], %%esi\n"
        "1:\n"
        "mov %%ebx, %%edi\n"
        "imul %%r14d, %%edi\n"
        "add %%edi, %%r8d\n"
        "mov %%r14d, %%edi\n"
        "imul %%r15d, %%edi\n"
        "add %%edi, %%r9d\n"
        "mov %%r15d, %%edi\n"
        "imul %%ebx, %%edi\n"
        "add %%edi, %%r10d\n"
        "mov %%ebx, %%edx\n"
        "imul %%ebx, %%edx\n"
        "add %%edx, %%r11d\n"
        "mov %%r14d, %%edx\n"
        "imul %%r14d, %%edx\n"
        "add %%edx, %%r12d\n"
        "mov %%r15d, %%edx\n"
        "imul %%r15d, %%edx\n"
        "add %%edx, %%r13d\n"
        "dec %%esi\n"
        "jnz 1b\n"
        "dec %%ecx\n"
        "jnz 2b\n"
        "add %%r9, %%r8\n"
        "add %%r10, %%r8\n"
        "add %%r11, %%r8\n"
        "add %%r12, %%r8\n"
        "add %%r13, %%r8\n"
        "mov %%r8, %[out]\n"
        : [out] "=m"(out), "+c"(reps)
        : [steps] "i"(RL_WORDS)
        : "rbx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
          "memory", "cc");
    rl_sink += out;
}
static const double pk_scalar_macs = (double)RL_REPS * RL_WORDS * 6.0;
#endif

/* ---- layers -------------------------------------------------------------- */

typedef struct {
    int hw, c;
} layer_shape;

static const layer_shape layers[] = {{56, 64}, {28, 128}, {14, 256}, {7, 512}};

/* Binary convolutions with float output of a binary ResNet-18: the 1x1
 * shortcuts (pad 0) and the 3x3 convs before the residual adds (pad 1,
 * k = 3). */
typedef struct {
    int hw, in_c, out_c, stride, k;
} shortcut_shape;

static const shortcut_shape shortcuts[] = {
    {56, 64, 64, 1, 1},  {56, 64, 128, 2, 1},  {28, 128, 256, 2, 1}, {14, 256, 512, 2, 1},
    {56, 64, 64, 1, 3},  {28, 128, 128, 1, 3}, {14, 256, 256, 1, 3}, {7, 512, 512, 1, 3}};

typedef struct {
    bnn_bconv2d_params p;
    const uint32_t *in;
    uint32_t *out;
    void *scratch;
    bnn_status (*fn)(const bnn_bconv2d_params *, const uint32_t *, uint32_t *,
                     void *);
} bin_ctx;

static void run_bin(void *v)
{
    bin_ctx *c = (bin_ctx *)v;
    c->fn(&c->p, c->in, c->out, c->scratch);
}

typedef struct {
    bnn_bdense_params p;
    const uint32_t *in;
    uint32_t *out;
    bnn_status (*fn)(const bnn_bdense_params *, const uint32_t *, uint32_t *);
} dense_ctx;

static void run_dense(void *v)
{
    dense_ctx *c = (dense_ctx *)v;
    c->fn(&c->p, c->in, c->out);
}

#if defined(BENCH_HAVE_FLOAT_CONV)
typedef struct {
    bnn_conv2d_params p;
    const float *in;
    float *out;
    void *scratch;
} flt_ctx;

static void run_flt(void *v)
{
    flt_ctx *c = (flt_ctx *)v;
    bnn_conv2d_f32(&c->p, c->in, c->out, c->scratch);
}
#endif

typedef struct {
    bnn_bconv2d_params p;
    const uint32_t *in;
    float *out;
    void *scratch;
    bnn_status (*fn)(const bnn_bconv2d_params *, const uint32_t *, float *, void *);
} binf_ctx;

static void run_binf(void *v)
{
    binf_ctx *c = (binf_ctx *)v;
    c->fn(&c->p, c->in, c->out, c->scratch);
}

static void *xalloc(size_t bytes)
{
    void *p = aligned_alloc(64, (bytes + 63u) / 64u * 64u);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    memset(p, 0, (bytes + 63u) / 64u * 64u);
    return p;
}

#if defined(BENCH_HAVE_FLOAT_CONV)
#include "bench_kernels_float.h"
#endif

/* Seconds per float conv of the layer (3x3, pad 1), or 0 when the runtime
 * has no float conv. */
static double time_float(int hw, int c)
{
#if defined(BENCH_HAVE_FLOAT_CONV)
    flt_ctx f;
    size_t i, nin = (size_t)hw * (size_t)hw * (size_t)c;
    size_t nw = 9u * (size_t)c * (size_t)c;
    float *in = (float *)xalloc(nin * 4u), *w = (float *)xalloc(nw * 4u);
    float *out = (float *)xalloc(nin * 4u);
    size_t ss;
    double t;
    for (i = 0; i < nin; i++)
        in[i] = (float)((int)(rnd() % 2001u) - 1000) / 1000.0f;
    for (i = 0; i < nw; i++)
        w[i] = (float)((int)(rnd() % 2001u) - 1000) / 1000.0f;
    memset(&f, 0, sizeof f);
    f.p.n = 1;
    f.p.in_h = f.p.in_w = f.p.out_h = f.p.out_w = hw;
    f.p.in_c = f.p.out_c = c;
    f.p.k_h = f.p.k_w = 3;
    f.p.stride_h = f.p.stride_w = f.p.dil_h = f.p.dil_w = 1;
    f.p.pad_h = f.p.pad_w = 1;
    f.p.groups = 1;
    f.p.weights = w;
    f.p.bias = NULL;
    f.p.act = BNN_ACT_NONE;
    f.p.out_pixel_stride = c;
    ss = bnn_conv2d_f32_scratch_size(&f.p);
    f.scratch = ss ? xalloc(ss) : NULL;
    f.in = in;
    f.out = out;
    if (bnn_conv2d_f32(&f.p, in, out, f.scratch) != BNN_OK) {
        fprintf(stderr, "bnn_conv2d_f32 failed\n");
        exit(1);
    }
    t = time_median(run_flt, &f);
    free(in);
    free(w);
    free(out);
    free(f.scratch);
    return t;
#else
    (void)hw;
    (void)c;
    return 0.0;
#endif
}

typedef struct {
    char variant[16];
    void (*fn)(void *);
    double macs;     /* binary MACs per call of fn */
    double roofline; /* best median rate seen, MACs/s */
} roof_entry;

typedef struct {
    char shape[40];
    char variant[16];
    double rate, t, tf, fgflops;
} layer_result;

typedef struct {
    char variant[16];
    double rate, t;
} dense_result;

/* Binary dense (GEMV at batch 1: 4096 bits -> 1000 outputs, bits out),
 * per variant; weights (512 KB) stream from L2, so it is bandwidth-bound. */
static int bench_dense(dense_result *out)
{
    dense_ctx d;
    int32_t in_words = 128, out_c = 1000, i;
    size_t ww = bnn_bdense_weight_words(out_c, in_words), i2;
    uint32_t *w = (uint32_t *)xalloc(ww * 4u), *in = (uint32_t *)xalloc((size_t)in_words * 4u);
    uint32_t *o = (uint32_t *)xalloc(64u * 4u);
    int32_t *th = (int32_t *)xalloc((size_t)out_c * 4u);
    uint8_t *dir = (uint8_t *)xalloc((size_t)out_c);
    int v, n = 0;
    for (i2 = 0; i2 < ww; i2++)
        w[i2] = rnd();
    for (i = 0; i < in_words; i++)
        in[i] = rnd();
    memset(&d, 0, sizeof d);
    d.p.n = 1;
    d.p.in_words = in_words;
    d.p.k = in_words * 32;
    d.p.out_c = out_c;
    d.p.weights = w;
    d.p.out_row_stride = 32;
    d.p.thresh = th;
    d.p.dir = dir;
    d.in = in;
    d.out = o;
    for (v = g_nbin - 1; v >= 0; v--) {
        d.fn = (bnn_status(*)(const bnn_bdense_params *, const uint32_t *, uint32_t *))
            bnn_variant_fn("bnn_bdense_b_b", g_bin[v]);
        snprintf(out[n].variant, sizeof out[n].variant, "%s", g_bin[v]);
        out[n].t = time_median(run_dense, &d);
        out[n].rate = 4096.0 * 1000.0 / out[n].t;
        n++;
    }
    free(w);
    free(in);
    free(o);
    free(th);
    free(dir);
    return n;
}

/* Re-measures every roofline and keeps the best median: the roofline is
 * a ceiling, and on a shared machine a single measurement can be low. */
static void measure_rooflines(roof_entry *roofs, int nroofs)
{
    int i;
    for (i = 0; i < nroofs; i++) {
        double r = roofs[i].macs / time_median(roofs[i].fn, NULL);
        if (r > roofs[i].roofline)
            roofs[i].roofline = r;
    }
}

static double roofline_of(const roof_entry *roofs, int nroofs, const char *v)
{
    int i;
    for (i = 0; i < nroofs; i++)
        if (!strcmp(roofs[i].variant, v))
            return roofs[i].roofline;
    return 0.0;
}


/* ---- int8 layers --------------------------------------------------------- */

/* Float layers of the binary networks run in int8 (and TFLite int8 layers):
 * ResNet-18's stem and shortcut shapes, 3x3 convs, the classifier at batch
 * 1 and 16, a depthwise conv. MACs count the products of in-image taps
 * and padded ones alike (the usual convention). */
typedef struct {
    const char *name;
    int kind; /* 0 conv2d, 1 dense, 2 depthwise */
    int n, hw, cin, cout, k, stride, pad;
} i8_layer;

static const i8_layer i8_layers[] = {
    {"stem 7x7/2 224x224x3->64", 0, 1, 224, 3, 64, 7, 2, 3},
    {"3x3 56x56x64->64", 0, 1, 56, 64, 64, 3, 1, 1},
    {"3x3/2 56x56x64->128", 0, 1, 56, 64, 128, 3, 2, 1},
    {"1x1/2 56x56x64->128", 0, 1, 56, 64, 128, 1, 2, 0},
    {"3x3 14x14x256->256", 0, 1, 14, 256, 256, 3, 1, 1},
    {"3x3 7x7x512->512", 0, 1, 7, 512, 512, 3, 1, 1},
    {"dense 512->1000 n1", 1, 1, 1, 512, 1000, 1, 1, 0},
    {"dense 512->1000 n16", 1, 16, 1, 512, 1000, 1, 1, 0},
    {"dw 3x3 56x56x128", 2, 1, 56, 128, 128, 3, 1, 1},
};

typedef struct {
    int kind;
    bnn_conv2d_i8_params c;
    bnn_dense_i8_params d;
    bnn_dwconv2d_i8_params dw;
    const int8_t *in;
    int8_t *out;
    void *scratch;
    bnn_any_fn fn;
} i8_ctx;

typedef bnn_status (*i8_conv_fn)(const bnn_conv2d_i8_params *, const int8_t *, int8_t *, void *);
typedef bnn_status (*i8_dense_fn)(const bnn_dense_i8_params *, const int8_t *, int8_t *, void *);
typedef bnn_status (*i8_dw_fn)(const bnn_dwconv2d_i8_params *, const int8_t *, int8_t *);

static bnn_status run_i8_status(i8_ctx *c)
{
    if (c->kind == 0)
        return ((i8_conv_fn)c->fn)(&c->c, c->in, c->out, c->scratch);
    if (c->kind == 1)
        return ((i8_dense_fn)c->fn)(&c->d, c->in, c->out, c->scratch);
    return ((i8_dw_fn)c->fn)(&c->dw, c->in, c->out);
}

static void run_i8(void *v)
{
    (void)run_i8_status((i8_ctx *)v);
}

typedef struct {
    char layer[40];
    char variant[16];
    double t, macs;
} i8_result;

/* Every int8 layer through every compiled-in variant of its kernel, each
 * checked equal to the variant the public function runs; returns the
 * number of results. */
static int bench_int8(i8_result *res, int max, roof_entry *peaks, int npeaks)
{
    int l, nres = 0, saved = g_reps;
    if (g_reps > 21)
        g_reps = 21; /* the large layers take milliseconds per call */
    for (l = 0; l < (int)(sizeof i8_layers / sizeof i8_layers[0]); l++) {
        const i8_layer *L = &i8_layers[l];
        static const char *const kernels[] = {"bnn_conv2d_i8_i8", "bnn_dense_i8_i8",
                                              "bnn_dwconv2d_i8_i8"};
        int32_t oh = (L->hw + 2 * L->pad - L->k) / L->stride + 1;
        int32_t kk = L->kind == 2 ? L->k * L->k : L->k * L->k * L->cin;
        size_t nin = (size_t)L->n * (size_t)L->hw * (size_t)L->hw * (size_t)L->cin;
        size_t nout = (size_t)L->n * (size_t)oh * (size_t)oh * (size_t)L->cout;
        size_t nw = L->kind == 2 ? (size_t)kk * (size_t)L->cout : (size_t)L->cout * (size_t)kk;
        int8_t *in = (int8_t *)xalloc(nin), *w = (int8_t *)xalloc(nw);
        int8_t *packed = (int8_t *)xalloc(bnn_i8_weight_bytes(L->cout, 1, kk));
        int8_t *ref = (int8_t *)xalloc(nout), *out = (int8_t *)xalloc(nout);
        int32_t *bias = (int32_t *)xalloc((size_t)L->cout * 4u);
        int32_t *mult = (int32_t *)xalloc((size_t)L->cout * 4u);
        int32_t *shift = (int32_t *)xalloc((size_t)L->cout * 4u);
        double macs = (double)nout * (double)kk;
        const char *names[8];
        bnn_any_fn fns[8];
        int count, i, nv = 0, v;
        const bnn_kernel_variant *all = bnn_kernel_variants(&count);
        i8_ctx c;
        size_t i2;
        for (i2 = 0; i2 < nin; i2++)
            in[i2] = (int8_t)(rnd() >> 24);
        for (i2 = 0; i2 < nw; i2++)
            w[i2] = (int8_t)(rnd() >> 24);
        for (i = 0; i < L->cout; i++) {
            bias[i] = (int32_t)(rnd() % 20001u) - 10000;
            mult[i] = (int32_t)(0x40000000u + (rnd() & 0x3FFFFFFFu));
            shift[i] = -10 - (int32_t)(rnd() % 4u);
        }
        memset(&c, 0, sizeof c);
        c.kind = L->kind;
        c.in = in;
        if (L->kind == 0) {
            bnn_i8_pack_weights(L->cout, 1, kk, w, packed);
            c.c.n = L->n;
            c.c.in_h = c.c.in_w = L->hw;
            c.c.in_c = L->cin;
            c.c.out_h = c.c.out_w = oh;
            c.c.out_c = L->cout;
            c.c.k_h = c.c.k_w = L->k;
            c.c.stride_h = c.c.stride_w = L->stride;
            c.c.pad_top = c.c.pad_left = L->pad;
            c.c.dil_h = c.c.dil_w = c.c.groups = 1;
            c.c.in_zp = -3;
            c.c.out_zp = 5;
            c.c.act_min = -128;
            c.c.act_max = 127;
            c.c.weights = packed;
            c.c.bias = bias;
            c.c.out_mult = mult;
            c.c.out_shift = shift;
            c.c.out_pixel_stride = L->cout;
            c.scratch = xalloc(bnn_conv2d_i8_scratch_bytes(&c.c));
        } else if (L->kind == 1) {
            bnn_i8_pack_weights(L->cout, 1, kk, w, packed);
            c.d.n = L->n;
            c.d.in_c = L->cin;
            c.d.out_c = L->cout;
            c.d.in_zp = -3;
            c.d.out_zp = 5;
            c.d.act_min = -128;
            c.d.act_max = 127;
            c.d.weights = packed;
            c.d.bias = bias;
            c.d.out_mult = mult;
            c.d.out_shift = shift;
            c.d.out_row_stride = L->cout;
            c.scratch = xalloc(bnn_dense_i8_scratch_bytes(&c.d));
        } else {
            c.dw.n = L->n;
            c.dw.in_h = c.dw.in_w = L->hw;
            c.dw.in_c = L->cin;
            c.dw.out_h = c.dw.out_w = oh;
            c.dw.mult = L->cout / L->cin;
            c.dw.k_h = c.dw.k_w = L->k;
            c.dw.stride_h = c.dw.stride_w = L->stride;
            c.dw.pad_top = c.dw.pad_left = L->pad;
            c.dw.dil_h = c.dw.dil_w = 1;
            c.dw.in_zp = -3;
            c.dw.out_zp = 5;
            c.dw.act_min = -128;
            c.dw.act_max = 127;
            c.dw.weights = w;
            c.dw.bias = bias;
            c.dw.out_mult = mult;
            c.dw.out_shift = shift;
            c.dw.out_pixel_stride = L->cout;
        }
        for (i = 0; i < count && nv < 8; i++)
            if (!strcmp(all[i].kernel, kernels[L->kind])) {
                names[nv] = all[i].variant;
                fns[nv++] = all[i].fn;
            }
        for (v = nv - 1; v >= 0 && nres < max; v--) {
            i8_result *r = &res[nres++];
            c.fn = fns[v];
            c.out = v == nv - 1 ? ref : out;
            if (run_i8_status(&c) != BNN_OK) {
                fprintf(stderr, "%s: %s failed\n", L->name, names[v]);
                exit(1);
            }
            if (c.out != ref && memcmp(out, ref, nout) != 0) {
                fprintf(stderr, "%s: %s disagrees with %s\n", L->name, names[v], names[nv - 1]);
                exit(1);
            }
            snprintf(r->layer, sizeof r->layer, "%s", L->name);
            snprintf(r->variant, sizeof r->variant, "%s", names[v]);
            r->t = time_median(run_i8, &c);
            r->macs = macs;
        }
        free(in);
        free(w);
        free(packed);
        free(ref);
        free(out);
        free(bias);
        free(mult);
        free(shift);
        free(c.scratch);
        measure_rooflines(peaks, npeaks);
    }
    g_reps = saved;
    return nres;
}

int main(int argc, char **argv)
{
    roof_entry roofs[8], peaks[8];
    layer_result res[96];
    dense_result dres[8];
    i8_result i8res[64];
    int nroofs = 0, nres = 0, ndres, json = 0, i, l, v, npeaks = 0, ni8 = 0;
    int no_float = 0;
    double best_roof = 0.0, t0;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            g_reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--no-float"))
            no_float = 1;
        else if (!strcmp(argv[i], "--min"))
            g_min = 1;
        else {
            fprintf(stderr, "usage: %s [--json] [--reps N] [--no-float] [--min]\n",
                    argv[0]);
            return 2;
        }
    }
    if (g_reps < 1)
        g_reps = 1;
    if (g_reps > 1001)
        g_reps = 1001;
    for (i = 0; i < RL_WORDS; i++) {
        rl_w[i] = rnd();
        rl_x[i] = rnd();
    }
    list_binary_variants();

    /* The instruction sets the compiled-in variants use. */
    for (v = 0; v < g_nbin; v++) {
        const char *name = g_bin[v];
        roof_entry *r = &roofs[nroofs];
        r->fn = NULL;
        r->roofline = 0.0;
        if (!strcmp(name, "portable")) {
#if defined(HAVE_RL_SCALAR)
            r->fn = rl_scalar;
            r->macs = rl_scalar_macs;
#endif
        }
#if defined(HAVE_RL_AVX2)
        else if (!strcmp(name, "avx2")) {
            r->fn = rl_avx2;
            r->macs = rl_avx2_macs;
        }
#endif
#if defined(HAVE_RL_AVX512)
        else if (!strcmp(name, "avx512")) {
            r->fn = rl_avx512;
            r->macs = rl_avx512_macs;
        }
#endif
        if (r->fn) {
            snprintf(r->variant, sizeof r->variant, "%s", name);
            nroofs++;
        }
    }
    /* Warm-up: let the core reach its sustained clock. */
    t0 = now_s();
    while (now_s() - t0 < 0.3)
        for (i = 0; i < nroofs; i++)
            roofs[i].fn(NULL);
    measure_rooflines(roofs, nroofs);

    for (l = 0; l < (int)(sizeof layers / sizeof layers[0]); l++) {
        int hw = layers[l].hw, c = layers[l].c, cw = (c + 31) / 32;
        size_t npx = (size_t)hw * (size_t)hw;
        size_t wwords = bnn_bconv2d_weight_words(c, 3, 3, c);
        uint32_t *in = (uint32_t *)xalloc(npx * (size_t)cw * 4u);
        uint32_t *w = (uint32_t *)xalloc(wwords * 4u);
        uint32_t *ref = (uint32_t *)xalloc(npx * (size_t)cw * 4u);
        uint32_t *out = (uint32_t *)xalloc(npx * (size_t)cw * 4u);
        int32_t *th = (int32_t *)xalloc((size_t)c * 4u);
        uint8_t *dir = (uint8_t *)xalloc((size_t)c);
        double macs = (double)npx * c * 9.0 * c;
        double tf = time_float(hw, c);
        double fgflops = tf > 0.0 ? 2.0 * macs / tf * 1e-9 : 0.0;
        char shape[40];
        bin_ctx b;
        size_t i2;
        snprintf(shape, sizeof shape, "%dx%dx%d->%d 3x3", hw, hw, c, c);
        for (i2 = 0; i2 < npx * (size_t)cw; i2++)
            in[i2] = rnd();
        if (c % 32)
            for (i2 = 0; i2 < npx; i2++)
                in[i2 * (size_t)cw + (size_t)cw - 1] &= (1u << (c % 32)) - 1u;
        for (i2 = 0; i2 < wwords; i2++)
            w[i2] = rnd();
        for (i = 0; i < c; i++) {
            th[i] = (int32_t)(rnd() % 61u) - 30;
            dir[i] = (uint8_t)(rnd() & 1u);
        }
        memset(&b, 0, sizeof b);
        b.p.n = 1;
        b.p.in_h = b.p.in_w = b.p.out_h = b.p.out_w = hw;
        b.p.in_c = b.p.out_c = c;
        b.p.k_h = b.p.k_w = 3;
        b.p.stride_h = b.p.stride_w = b.p.dil_h = b.p.dil_w = 1;
        b.p.pad_h = b.p.pad_w = 1;
        b.p.groups = 1;
        b.p.pad_mode = BNN_PAD_MINUS_ONE;
        b.p.weights = w;
        b.p.out_pixel_stride = cw;
        b.p.thresh = th;
        b.p.dir = dir;
        b.in = in;
        b.scratch = xalloc(bnn_bconv2d_scratch_size(&b.p));
        for (v = g_nbin - 1; v >= 0; v--) {
            const char *vname = g_bin[v];
            layer_result *r = &res[nres++];
            b.fn = (bnn_status(*)(const bnn_bconv2d_params *, const uint32_t *,
                                  uint32_t *, void *))bnn_variant_fn("bnn_bconv2d_b_b", vname);
            b.out = v == g_nbin - 1 ? ref : out;
            if (b.fn(&b.p, in, b.out, b.scratch) != BNN_OK) {
                fprintf(stderr, "%s: %s failed\n", shape, vname);
                return 1;
            }
            if (b.out != ref && memcmp(out, ref, npx * (size_t)cw * 4u) != 0) {
                fprintf(stderr, "%s: %s disagrees with %s\n", shape, vname,
                        g_bin[g_nbin - 1]);
                return 1;
            }
            snprintf(r->shape, sizeof r->shape, "%s", shape);
            snprintf(r->variant, sizeof r->variant, "%s", vname);
            r->t = time_median(run_bin, &b);
            r->rate = macs / r->t;
            r->tf = tf;
            r->fgflops = fgflops;
        }
        free(in);
        free(w);
        free(ref);
        free(out);
        free(th);
        free(dir);
        free(b.scratch);
        measure_rooflines(roofs, nroofs);
    }

    /* binary convolutions with float output (the shortcuts and the 3x3
     * convs before the residual adds of a binary ResNet), alone and
     * adding a residual tensor */
    for (l = 0; l < (int)(sizeof shortcuts / sizeof shortcuts[0]); l++) {
        const shortcut_shape *sc = &shortcuts[l];
        int32_t pad = sc->k / 2, cw = (sc->in_c + 31) / 32;
        int32_t oh = (sc->hw + 2 * pad - sc->k) / sc->stride + 1;
        size_t npx = (size_t)sc->hw * (size_t)sc->hw, nopx = (size_t)oh * (size_t)oh;
        size_t wwords = bnn_bconv2d_weight_words(sc->out_c, sc->k, sc->k, sc->in_c);
        uint32_t *in = (uint32_t *)xalloc(npx * (size_t)cw * 4u);
        uint32_t *w = (uint32_t *)xalloc(wwords * 4u);
        float *mul = (float *)xalloc((size_t)sc->out_c * 4u);
        float *add = (float *)xalloc((size_t)sc->out_c * 4u);
        float *res_t = (float *)xalloc(nopx * (size_t)sc->out_c * 4u);
        float *ref = (float *)xalloc(nopx * (size_t)sc->out_c * 4u);
        float *out = (float *)xalloc(nopx * (size_t)sc->out_c * 4u);
        double macs = (double)nopx * sc->out_c * sc->in_c * sc->k * sc->k;
        binf_ctx b;
        size_t i2;
        int withres;
        for (i2 = 0; i2 < npx * (size_t)cw; i2++)
            in[i2] = rnd();
        for (i2 = 0; i2 < wwords; i2++)
            w[i2] = rnd();
        for (i = 0; i < sc->out_c; i++) {
            mul[i] = 0.01f * (float)(i % 7 + 1);
            add[i] = 0.5f - 0.01f * (float)(i % 11);
        }
        for (i2 = 0; i2 < nopx * (size_t)sc->out_c; i2++)
            res_t[i2] = (float)(rnd() % 1000u) * 0.001f;
        memset(&b, 0, sizeof b);
        b.p.n = 1;
        b.p.in_h = b.p.in_w = sc->hw;
        b.p.out_h = b.p.out_w = oh;
        b.p.in_c = sc->in_c;
        b.p.out_c = sc->out_c;
        b.p.k_h = b.p.k_w = sc->k;
        b.p.stride_h = b.p.stride_w = sc->stride;
        b.p.pad_h = b.p.pad_w = pad;
        b.p.dil_h = b.p.dil_w = 1;
        b.p.groups = 1;
        b.p.pad_mode = BNN_PAD_PLUS_ONE;
        b.p.weights = w;
        b.p.out_pixel_stride = sc->out_c;
        b.p.mul = mul;
        b.p.add = add;
        b.in = in;
        b.scratch = xalloc(bnn_bconv2d_scratch_size(&b.p));
        for (withres = 0; withres < 2; withres++) {
            char shape[40];
            snprintf(shape, sizeof shape, "%dx%d/%d %dx%dx%d->%d f32%s", sc->k, sc->k,
                     sc->stride, sc->hw, sc->hw, sc->in_c, sc->out_c,
                     withres ? " +res" : "");
#if defined(BNN_FPENV_H) /* a runtime with residual outputs */
            b.p.residual = withres ? res_t : NULL;
            b.p.residual_pixel_stride = withres ? sc->out_c : 0;
#else
            if (withres)
                break;
#endif
            for (v = g_nbin - 1; v >= 0; v--) {
                const char *vname = g_bin[v];
                layer_result *r = &res[nres++];
                b.fn = (bnn_status(*)(const bnn_bconv2d_params *, const uint32_t *, float *,
                                      void *))bnn_variant_fn("bnn_bconv2d_b_f32", vname);
                b.out = v == g_nbin - 1 ? ref : out;
                if (b.fn(&b.p, in, b.out, b.scratch) != BNN_OK ||
                    (b.out != ref &&
                     memcmp(out, ref, nopx * (size_t)sc->out_c * 4u) != 0)) {
                    fprintf(stderr, "%s: %s failed or disagrees\n", shape, vname);
                    return 1;
                }
                snprintf(r->shape, sizeof r->shape, "%s", shape);
                snprintf(r->variant, sizeof r->variant, "%s", vname);
                r->t = time_median(run_binf, &b);
                r->rate = macs / r->t;
                r->tf = 0.0;
                r->fgflops = 0.0;
            }
        }
        free(in);
        free(w);
        free(mul);
        free(add);
        free(res_t);
        free(ref);
        free(out);
        free(b.scratch);
        measure_rooflines(roofs, nroofs);
    }

    ndres = bench_dense(dres);

    /* int8: the peak of each instruction set an int8 variant uses */
    {
        int count;
        const bnn_kernel_variant *all = bnn_kernel_variants(&count);
        for (i = 0; i < count && npeaks < 8; i++) {
            roof_entry *r = &peaks[npeaks];
            if (strcmp(all[i].kernel, "bnn_conv2d_i8_i8") != 0)
                continue;
            r->fn = NULL;
            r->roofline = 0.0;
#if defined(HAVE_PK_SCALAR)
            if (!strcmp(all[i].variant, "portable"))
                r->fn = pk_scalar, r->macs = pk_scalar_macs;
#endif
#if defined(HAVE_PK_AVX2)
            if (!strcmp(all[i].variant, "avx2"))
                r->fn = pk_avx2, r->macs = pk_avx2_macs;
#endif
#if defined(HAVE_PK_VNNI)
            if (!strcmp(all[i].variant, "avx512vnni"))
                r->fn = pk_vnni, r->macs = pk_vnni_macs;
#endif
            if (r->fn) {
                snprintf(r->variant, sizeof r->variant, "%s", all[i].variant);
                npeaks++;
            }
        }
        measure_rooflines(peaks, npeaks);
        ni8 = bench_int8(i8res, 64, peaks, npeaks);
    }

    for (i = 0; i < nroofs; i++)
        if (roofs[i].roofline > best_roof)
            best_roof = roofs[i].roofline;
    if (json) {
        printf("{\"roofline_bmacs_per_s\": %.6g, \"rooflines\": {", best_roof);
        for (i = 0; i < nroofs; i++)
            printf("%s\"%s\": %.6g", i ? ", " : "", roofs[i].variant, roofs[i].roofline);
        printf("}, \"layers\": [");
    } else {
        printf("popcount roofline (xor+popcount+add, L1, 1 thread), binary MACs/s:\n");
        for (i = 0; i < nroofs; i++)
            printf("  %-9s %10.1f G\n", roofs[i].variant, roofs[i].roofline * 1e-9);
        printf("\n%-29s %-9s %10s %10s %8s %10s %9s %8s\n", "layer", "variant", "time ms",
               "GMAC/s", "ratio", "float ms", "GFLOP/s", "speedup");
    }
    for (i = 0; i < nres; i++) {
        const layer_result *r = &res[i];
        double roof = roofline_of(roofs, nroofs, r->variant);
        double ratio = roof > 0.0 ? r->rate / roof : 0.0;
        double speedup = r->tf > 0.0 ? r->tf / r->t : 0.0;
        if (json)
            printf("%s{\"shape\": \"%s\", \"variant\": \"%s\", \"bmacs_per_s\": %.6g, "
                   "\"ratio_to_roofline\": %.4f, \"float_gflops\": %.4g, "
                   "\"speedup_vs_float\": %.2f, \"time_ms\": %.4f, \"float_time_ms\": %.4f}",
                   i ? ", " : "", r->shape, r->variant, r->rate, ratio, r->fgflops,
                   speedup, r->t * 1e3, r->tf * 1e3);
        else
            printf("%-29s %-9s %10.4f %10.1f %8.3f %10.3f %9.1f %8.1f\n", r->shape,
                   r->variant, r->t * 1e3, r->rate * 1e-9, ratio, r->tf * 1e3,
                   r->fgflops, speedup);
    }
    if (json)
        printf("], \"dense_4096x1000\": [");
    else
        printf("\nbinary dense 4096 bits -> 1000, batch 1 (weights from L2):\n");
    for (i = 0; i < ndres; i++) {
        if (json)
            printf("%s{\"variant\": \"%s\", \"bmacs_per_s\": %.6g, \"time_ms\": %.4f}",
                   i ? ", " : "", dres[i].variant, dres[i].rate, dres[i].t * 1e3);
        else
            printf("  %-9s %10.4f ms %10.1f GMAC/s\n", dres[i].variant, dres[i].t * 1e3,
                   dres[i].rate * 1e-9);
    }
    if (json) {
        printf("], \"int8_peaks_macs_per_s\": {");
        for (i = 0; i < npeaks; i++)
            printf("%s\"%s\": %.6g", i ? ", " : "", peaks[i].variant, peaks[i].roofline);
        printf("}, \"int8_layers\": [");
    } else {
        printf("\nint8 dot-product peaks (L1, 1 thread), int8 MACs/s:\n");
        for (i = 0; i < npeaks; i++)
            printf("  %-11s %10.1f G\n", peaks[i].variant, peaks[i].roofline * 1e-9);
        printf("\n%-26s %-11s %10s %9s %8s\n", "int8 layer", "variant", "time ms", "GOPS",
               "ratio");
    }
    for (i = 0; i < ni8; i++) {
        const i8_result *r = &i8res[i];
        /* the depthwise kernel has no variants: its peak is the scalar one */
        double peak = roofline_of(peaks, npeaks, r->variant);
        double rate = r->macs / r->t, ratio = peak > 0.0 ? rate / peak : 0.0;
        if (json)
            printf("%s{\"layer\": \"%s\", \"variant\": \"%s\", \"gops\": %.6g, "
                   "\"ratio_to_peak\": %.4f, \"time_ms\": %.4f}",
                   i ? ", " : "", r->layer, r->variant, 2.0 * rate * 1e-9, ratio, r->t * 1e3);
        else
            printf("%-26s %-11s %10.4f %9.1f %8.3f\n", r->layer, r->variant, r->t * 1e3,
                   2.0 * rate * 1e-9, ratio);
    }
#if defined(BENCH_HAVE_FLOAT_CONV)
    if (!no_float) {
        if (json)
            printf("], ");
        bench_float_section(json);
        if (json)
            printf("}\n");
    } else if (json) {
        printf("]}\n");
    }
#else
    (void)no_float;
    if (json)
        printf("]}\n");
#endif
    return rl_sink == 42 ? 3 : 0;
}
