/*
 * bnn_fpenv.h - flush-to-zero / denormals-are-zero for the duration of a
 * network run, and the caller's floating-point mode restored afterwards.
 *
 * Why: trained networks often carry "dead" BatchNorm channels (moving
 * variance near 1e-39) whose float activations are subnormal. On x86 and
 * many Arm cores an arithmetic instruction with a subnormal operand or
 * result takes a slow path (tens to hundreds of cycles), so a float
 * convolution over such a tensor can run ten times slower. With subnormal
 * inputs read as zero and subnormal results written as zero, the slow path
 * is never taken. The effect on results: a value that would have been
 * subnormal (|x| < 2^-126 ~ 1.18e-38) becomes a zero of the same sign;
 * every normal result is unchanged unless it is computed from such a
 * value. Networks never depend on those magnitudes.
 *
 *     bnn_fpenv saved;
 *     bnn_fpenv_enter(&saved);   -- sets the mode, remembers the old one
 *     ... run the network ...
 *     bnn_fpenv_leave(&saved);   -- restores the old mode bits
 *
 * Enter and leave pair up on one thread (the mode is per thread / per
 * core); nested pairs are fine. leave() restores only the mode bits that
 * enter() changed: exception flags raised in between stay raised.
 *
 * What each target does (BNN_FPENV_SUPPORTED is 1 where the mode exists):
 *   x86 with SSE (every x86-64)   MXCSR: FTZ (bit 15) and DAZ (bit 6).
 *                                 The x87 unit is not touched (float code
 *                                 on x86-64 does not use it).
 *   AArch64                       FPCR.FZ (bit 24): subnormal inputs and
 *                                 results of single and double precision
 *                                 are flushed (half precision, FZ16, is
 *                                 left alone).
 *   32-bit Arm with an FPU in     FPSCR.FZ (bit 24) (Cortex-M4F/M7/M33/M55,
 *   use (__ARM_FP)                Armv7-A VFP; NEON arithmetic on Armv7-A
 *                                 flushes regardless). On Cortex-M, an
 *                                 exception handler starts with FPDSCR's
 *                                 defaults, not this mode.
 *   everything else               no operation, BNN_FPENV_SUPPORTED 0:
 *                                 RISC-V's F extension has no flush-to-zero
 *                                 mode (subnormals are handled in hardware
 *                                 at full speed on most cores), soft-float
 *                                 targets have no mode register.
 *
 * Everything is static inline, so generated code can call it without
 * linking anything (GCC/clang inline assembly; MSVC on x86 uses
 * <xmmintrin.h>).
 */
#ifndef BNN_FPENV_H
#define BNN_FPENV_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The caller's mode, as saved by bnn_fpenv_enter. */
typedef struct {
    uint64_t reg; /* MXCSR, FPCR or FPSCR before enter (0 when unsupported) */
} bnn_fpenv;

#if (defined(__GNUC__) || defined(__clang__)) && \
    (defined(__x86_64__) || (defined(__i386__) && defined(__SSE__)))
#define BNN_FPENV_SUPPORTED 1
#define BNN_FPENV_MASK 0x8040u /* MXCSR FTZ | DAZ */
static inline uint64_t bnn_fpenv_read(void)
{
    uint32_t r;
    __asm__ __volatile__("stmxcsr %0" : "=m"(r) : : "memory");
    return r;
}
static inline void bnn_fpenv_write(uint64_t v)
{
    uint32_t r = (uint32_t)v;
    __asm__ __volatile__("ldmxcsr %0" : : "m"(r) : "memory");
}
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <xmmintrin.h>
#define BNN_FPENV_SUPPORTED 1
#define BNN_FPENV_MASK 0x8040u
static inline uint64_t bnn_fpenv_read(void)
{
    return _mm_getcsr();
}
static inline void bnn_fpenv_write(uint64_t v)
{
    _mm_setcsr((unsigned int)v);
}
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__aarch64__)
#define BNN_FPENV_SUPPORTED 1
#define BNN_FPENV_MASK 0x1000000u /* FPCR FZ */
static inline uint64_t bnn_fpenv_read(void)
{
    uint64_t r;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(r) : : "memory");
    return r;
}
static inline void bnn_fpenv_write(uint64_t v)
{
    __asm__ __volatile__("msr fpcr, %0" : : "r"(v) : "memory");
}
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__arm__) && \
    defined(__ARM_FP)
#define BNN_FPENV_SUPPORTED 1
#define BNN_FPENV_MASK 0x1000000u /* FPSCR FZ */
static inline uint64_t bnn_fpenv_read(void)
{
    uint32_t r;
    __asm__ __volatile__("vmrs %0, fpscr" : "=r"(r) : : "memory");
    return r;
}
static inline void bnn_fpenv_write(uint64_t v)
{
    uint32_t r = (uint32_t)v;
    __asm__ __volatile__("vmsr fpscr, %0" : : "r"(r) : "memory");
}
#else
#define BNN_FPENV_SUPPORTED 0
#define BNN_FPENV_MASK 0u
static inline uint64_t bnn_fpenv_read(void)
{
    return 0;
}
static inline void bnn_fpenv_write(uint64_t v)
{
    (void)v;
}
#endif

/* Saves the current mode in *saved and turns flush-to-zero (and, on x86,
 * denormals-are-zero) on. */
static inline void bnn_fpenv_enter(bnn_fpenv *saved)
{
    uint64_t r = bnn_fpenv_read();
    saved->reg = r;
    if ((r & BNN_FPENV_MASK) != BNN_FPENV_MASK)
        bnn_fpenv_write(r | BNN_FPENV_MASK);
}

/* Puts the mode bits back as they were before the matching enter; other
 * bits (exception flags, rounding mode) keep their current value. */
static inline void bnn_fpenv_leave(const bnn_fpenv *saved)
{
    uint64_t r = bnn_fpenv_read();
    uint64_t want = (r & ~(uint64_t)BNN_FPENV_MASK) |
                    (saved->reg & (uint64_t)BNN_FPENV_MASK);
    if (want != r)
        bnn_fpenv_write(want);
}

#ifdef __cplusplus
}
#endif

#endif /* BNN_FPENV_H */
