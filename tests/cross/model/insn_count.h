/*
 * insn_count.h - an instruction counter for Cortex-M under QEMU with
 * -icount: SysTick on the processor clock, wraps counted by its
 * interrupt. With -icount shift=N every instruction advances QEMU's
 * virtual clock by exactly 2^N ns; when that is longer than one SysTick
 * period, the number of ticks since start identifies the number of
 * instructions exactly: insns = ceil(ticks * tick period / 2^N ns).
 * Build with -DINSN_COUNT_TICK_PS=<SysTick period in ps> and
 * -DINSN_COUNT_INSN_PS=<2^N * 1000>.
 */
#ifndef INSN_COUNT_H
#define INSN_COUNT_H

#include <stdint.h>

/* Start SysTick (reload 2^24 - 1, processor clock, wrap interrupt). */
void insn_count_start(void);

/* Instructions executed since insn_count_start() (plus a constant). */
uint64_t insn_count_now(void);

#endif
