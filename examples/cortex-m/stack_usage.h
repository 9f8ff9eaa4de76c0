/*
 * stack_usage.h - measure how much stack a call uses: fill the unused
 * part of the stack with a pattern, make the call, then find the deepest
 * word the pattern no longer holds. Needs the linker symbol
 * __stack_limit (lowest stack address) of sections.ld.
 *
 *     uintptr_t top = stack_pointer();
 *     stack_paint();
 *     net_run(in, out);
 *     used = stack_used(top);
 */
#ifndef STACK_USAGE_H
#define STACK_USAGE_H

#include <stdint.h>

/* The current stack pointer. */
static inline uintptr_t stack_pointer(void)
{
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

/* Fill [__stack_limit, this function's stack pointer - 64) with the
 * pattern. */
void stack_paint(void);

/* Bytes between `top` and the deepest word that lost the pattern. */
uint32_t stack_used(uintptr_t top);

#endif
