/*
 * fpenv_test_util.h - the check of bnn_fpenv_enter / bnn_fpenv_leave
 * (bnn_fpenv.h), shared by the CMocka test (test_fpenv.c) and the cross
 * driver (tests/cross/runtime_equivalence.c), so that it runs on the x86
 * host and under QEMU for AArch64 (FPCR), Cortex-M4F (FPSCR) and RISC-V
 * (no such mode: the calls must change nothing).
 *
 * Operands come from volatile variables so that no product is folded at
 * compile time; the mode register accesses clobber memory, so those loads
 * and stores stay on their side of enter and leave.
 */
#ifndef FPENV_TEST_UTIL_H
#define FPENV_TEST_UTIL_H

#include "bnn.h"

#include <stdio.h>
#include <string.h>

static volatile float ft_sub = 1e-40f;   /* subnormal */
static volatile float ft_one = 1.0f;
static volatile float ft_big = 1e10f;    /* sub * big = 1e-30: normal */
static volatile float ft_small = 1e-20f; /* small^2 = 1e-40: subnormal */
static volatile float ft_sink;

#define FT_EXPECT(cond, what)                                                  \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fpenv: %s\n", what);                              \
            fails++;                                                           \
        }                                                                      \
    } while (0)

/* 1 when x is a nonzero subnormal float. */
static int ft_is_sub(float x)
{
    return x != 0.0f && (x < 1.17549435e-38f && x > -1.17549435e-38f);
}

/* Arithmetic under the current mode: a subnormal operand with a normal
 * result (1e-40 * 1e10: only denormals-are-zero / input flushing makes it
 * 0), subnormal operands with subnormal results (times one, plus zero
 * through two kernels) and a subnormal result of normal operands (1e-20
 * squared: flush-to-zero). Returns
 * 1 when all are flushed to zero, 0 when all are subnormal, -1 when they
 * disagree. */
static int ft_flushing(void)
{
    float a = ft_sub * ft_one;
    float b = ft_small * ft_small;
    float c = ft_sub * ft_big;
    static const float mul[2] = {1.0f, 1.0f}, add[2] = {0.0f, 0.0f};
    float in[2], out[2], sum[2];
    in[0] = ft_sub;
    in[1] = -ft_sub;
    /* x * 1 + 0 and x + 0 through the runtime's kernels */
    if (bnn_affine_f32(&(bnn_affine_params){.pixels = 1, .c = 2, .mul = mul, .add = add}, in,
                       out) != BNN_OK ||
        bnn_add_f32(&(bnn_eltwise_params){.n = 2}, in, add, sum) != BNN_OK)
        return -1;
    ft_sink = a + b + c;
    if (a == 0.0f && b == 0.0f && c == 0.0f && out[0] == 0.0f && out[1] == 0.0f &&
        sum[0] == 0.0f && sum[1] == 0.0f)
        return 1;
    if (ft_is_sub(a) && ft_is_sub(b) && c > 9.9e-31f && c < 1.01e-30f &&
        ft_is_sub(out[0]) && ft_is_sub(out[1]) &&
        ft_is_sub(sum[0]) && ft_is_sub(sum[1]))
        return 0;
    return -1;
}

/* Runs every check; returns the number of failures (printed to stderr). */
static int ft_check_fpenv(void)
{
    int fails = 0;
    const uint64_t mask = BNN_FPENV_MASK;
    const uint64_t orig = bnn_fpenv_read();
    bnn_fpenv a, b;
    volatile float x = 1.5f, y = 2.25f;

    /* Start from the mode off. */
    bnn_fpenv_write(orig & ~mask);
    FT_EXPECT(ft_flushing() == 0, "subnormals flushed before enter");

    bnn_fpenv_enter(&a);
    FT_EXPECT((a.reg & mask) == 0, "enter saved the wrong mode");
    FT_EXPECT(x * y == 3.375f, "normal product changed inside");
    if (BNN_FPENV_SUPPORTED) {
        FT_EXPECT((bnn_fpenv_read() & mask) == mask, "mode bits not set by enter");
        FT_EXPECT(ft_flushing() == 1, "subnormal inputs or results not zero inside");
    } else {
        FT_EXPECT(mask == 0 && bnn_fpenv_read() == 0 && a.reg == 0,
                  "unsupported target reports a mode register");
        FT_EXPECT(ft_flushing() == 0, "unsupported target changed arithmetic");
    }
    /* Nested pair: the inner leave keeps the outer mode. */
    bnn_fpenv_enter(&b);
    bnn_fpenv_leave(&b);
    FT_EXPECT((bnn_fpenv_read() & mask) == mask, "nested leave dropped the mode");
    bnn_fpenv_leave(&a);
    FT_EXPECT((bnn_fpenv_read() & mask) == 0, "leave did not restore the mode off");
    FT_EXPECT(ft_flushing() == 0, "subnormals still flushed after leave");

    /* A caller that had the mode on keeps it. */
    bnn_fpenv_write(orig | mask);
    bnn_fpenv_enter(&a);
    bnn_fpenv_leave(&a);
    FT_EXPECT((bnn_fpenv_read() & mask) == mask, "leave turned the caller's mode off");

#if BNN_FPENV_SUPPORTED && (defined(__x86_64__) || defined(__i386__))
    /* x86: FTZ without DAZ (one bit of two) comes back exactly. */
    bnn_fpenv_write((orig & ~mask) | 0x8000u);
    bnn_fpenv_enter(&a);
    FT_EXPECT((bnn_fpenv_read() & mask) == mask, "enter from FTZ-only");
    bnn_fpenv_leave(&a);
    FT_EXPECT((bnn_fpenv_read() & mask) == 0x8000u, "FTZ-only not restored");
    /* Rounding mode (bits 13-14) and exception masks are not touched. */
    bnn_fpenv_write((orig & ~mask & ~(uint64_t)0x6000u) | 0x4000u);
    bnn_fpenv_enter(&a);
    FT_EXPECT((bnn_fpenv_read() & 0x7F80u) == 0x4000u + (orig & 0x1F80u),
              "enter changed rounding or exception masks");
    bnn_fpenv_leave(&a);
    FT_EXPECT((bnn_fpenv_read() & 0x7F80u) == 0x4000u + (orig & 0x1F80u),
              "leave changed rounding or exception masks");
#endif

    bnn_fpenv_write(orig);
    FT_EXPECT(bnn_fpenv_read() == orig, "could not restore the original mode");
    return fails;
}

#endif
