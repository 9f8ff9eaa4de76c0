/*
 * insn_count.c - instruction counts from SysTick under QEMU -icount (see
 * insn_count.h).
 */
#include "insn_count.h"

#if !defined(INSN_COUNT_TICK_PS) || !defined(INSN_COUNT_INSN_PS)
#error "define INSN_COUNT_TICK_PS and INSN_COUNT_INSN_PS"
#endif
#if INSN_COUNT_TICK_PS >= INSN_COUNT_INSN_PS
#error "an instruction must last longer than a SysTick period"
#endif

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_RELOAD 0xFFFFFFu

static volatile uint32_t wraps;

void SysTick_Handler(void);
void SysTick_Handler(void)
{
    wraps++;
}

void insn_count_start(void)
{
    SYST_RVR = SYST_RELOAD;
    SYST_CVR = 0;
    SYST_CSR = 7u; /* enable, interrupt on wrap, processor clock */
}

uint64_t insn_count_now(void)
{
    uint32_t w, v;
    uint64_t ticks;
    do {
        w = wraps;
        v = SYST_CVR;
    } while (w != wraps);
    ticks = (uint64_t)w * (SYST_RELOAD + 1u) + (SYST_RELOAD - v);
    return (ticks * INSN_COUNT_TICK_PS + INSN_COUNT_INSN_PS - 1u) / INSN_COUNT_INSN_PS;
}
