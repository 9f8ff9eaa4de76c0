/*
 * stack_usage.c - stack painting (see stack_usage.h).
 */
#include "stack_usage.h"

#define STACK_PATTERN 0xC5AC5AC5u

extern uint32_t __stack_limit[];

__attribute__((noinline)) void stack_paint(void)
{
    uintptr_t sp = stack_pointer();
    volatile uint32_t *p = __stack_limit;
    while ((uintptr_t)p < sp - 64u)
        *p++ = STACK_PATTERN;
}

uint32_t stack_used(uintptr_t top)
{
    const volatile uint32_t *p = __stack_limit;
    while ((uintptr_t)p < top && *p == STACK_PATTERN)
        p++;
    return (uint32_t)(top - (uintptr_t)p);
}
