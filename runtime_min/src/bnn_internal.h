/*
 * bnn_internal.h - helpers shared by the kernel files of runtime_min.
 * Everything here is static inline so that each kernel file stays
 * self-contained (the compiler's --standalone mode copies kernel files
 * into the generated C file).
 */
#ifndef BNN_INTERNAL_H
#define BNN_INTERNAL_H

#include "bnn.h"

/* Portable popcount. GCC lowers __builtin_popcount to a libgcc call on
 * targets without a popcount instruction (Cortex-M, RISC-V without Zbb),
 * so the explicit SWAR form is used there. */
static inline uint32_t bnn_popcount32(uint32_t x)
{
#if defined(__GNUC__) && (defined(__POPCNT__) || defined(__riscv_zbb) || \
                          defined(__aarch64__))
    return (uint32_t)__builtin_popcount(x);
#else
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return (x * 0x01010101u) >> 24;
#endif
}

/* Mask of the valid bits of the last word holding n bits. */
static inline uint32_t bnn_tail_mask(int32_t n)
{
    uint32_t r = (uint32_t)n & 31u;
    return r ? ((1u << r) - 1u) : 0xFFFFFFFFu;
}

#endif
