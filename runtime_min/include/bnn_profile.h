/*
 * bnn_profile.h - the tick counter of a generated model's per-step
 * profiling (-D<PREFIX>_PROFILE). Only a model file compiled with
 * profiling includes it; everything here is static.
 *
 * bnn_profile_now() counts:
 *   - on Cortex-M, CPU cycles from the DWT cycle counter where there is
 *     one that counts (Armv7-M, Armv8-M Mainline; enabled on first use),
 *     else SysTick counts: SysTick is started on the processor clock (24
 *     bits, free running, no interrupt) unless it already runs, in which
 *     case it counts at the clock it was set up with. A step longer than
 *     2^32 cycles (DWT) or than one SysTick period is undercounted;
 *   - elsewhere, nanoseconds from clock_gettime(CLOCK_MONOTONIC) (the
 *     including file defines _POSIX_C_SOURCE before any system header).
 */
#ifndef BNN_PROFILE_H
#define BNN_PROFILE_H

#include <stdint.h>

#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'

#define BNN_PROFILE_REG_(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define BNN_PROFILE_DEMCR 0xE000EDFCu
#define BNN_PROFILE_DWT_CTRL 0xE0001000u
#define BNN_PROFILE_DWT_CYCCNT 0xE0001004u
#define BNN_PROFILE_DWT_LAR 0xE0001FB0u
#define BNN_PROFILE_SYST_CSR 0xE000E010u
#define BNN_PROFILE_SYST_RVR 0xE000E014u
#define BNN_PROFILE_SYST_CVR 0xE000E018u

/* 0: not started, 1: DWT_CYCCNT, 2: SysTick (24 bits, counting down) */
static int bnn_profile_clock_;
static uint32_t bnn_profile_last_;
static uint64_t bnn_profile_total_;

static inline void bnn_profile_start_(void)
{
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || \
    defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
    volatile int spin;
    uint32_t c0;
    BNN_PROFILE_REG_(BNN_PROFILE_DEMCR) |= 1u << 24; /* TRCENA */
    BNN_PROFILE_REG_(BNN_PROFILE_DWT_LAR) = 0xC5ACCE55u; /* unlock (M7) */
    BNN_PROFILE_REG_(BNN_PROFILE_DWT_CTRL) |= 1u;    /* CYCCNTENA */
    c0 = BNN_PROFILE_REG_(BNN_PROFILE_DWT_CYCCNT);
    for (spin = 0; spin < 16; spin++)
        ;
    /* the cycle counter is optional: use it only when it counts */
    if (BNN_PROFILE_REG_(BNN_PROFILE_DWT_CYCCNT) != c0) {
        bnn_profile_clock_ = 1;
        bnn_profile_last_ = BNN_PROFILE_REG_(BNN_PROFILE_DWT_CYCCNT);
        return;
    }
#endif
    if (!(BNN_PROFILE_REG_(BNN_PROFILE_SYST_CSR) & 1u)) { /* not enabled */
        BNN_PROFILE_REG_(BNN_PROFILE_SYST_RVR) = 0xFFFFFFu;
        BNN_PROFILE_REG_(BNN_PROFILE_SYST_CVR) = 0u;
        BNN_PROFILE_REG_(BNN_PROFILE_SYST_CSR) = 5u; /* processor clock, on */
    }
    bnn_profile_clock_ = 2;
    bnn_profile_last_ = BNN_PROFILE_REG_(BNN_PROFILE_SYST_CVR);
}

static inline uint64_t bnn_profile_now(void)
{
    uint32_t v, last;
    if (!bnn_profile_clock_)
        bnn_profile_start_();
    last = bnn_profile_last_;
    if (bnn_profile_clock_ == 1) {
        v = BNN_PROFILE_REG_(BNN_PROFILE_DWT_CYCCNT);
        bnn_profile_total_ += (uint32_t)(v - last); /* mod 2^32 */
    } else {
        uint32_t period = (BNN_PROFILE_REG_(BNN_PROFILE_SYST_RVR) & 0xFFFFFFu) + 1u;
        v = BNN_PROFILE_REG_(BNN_PROFILE_SYST_CVR);
        bnn_profile_total_ += last >= v ? last - v : last + period - v;
    }
    bnn_profile_last_ = v;
    return bnn_profile_total_;
}

#else

#include <time.h>

static inline uint64_t bnn_profile_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif

#endif /* BNN_PROFILE_H */
