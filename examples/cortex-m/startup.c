/*
 * startup.c - reset and exception vectors for a Cortex-M (Armv6-M,
 * Armv7-M, Armv8-M, Armv8.1-M) running from the linker scripts beside
 * this file: copy .data from flash, clear .bss, give the FPU (and on
 * Armv8.1-M the MVE unit) full access when the build uses it, run main()
 * and report its status over semihosting.
 *
 * Linker symbols: __data_load (flash copy of .data), __data_start,
 * __data_end, __bss_start, __bss_end, __stack_top (initial stack pointer).
 */
#include <stdint.h>

#include "semihost.h"

extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[], __stack_top[];

int main(void);
void Reset_Handler(void);
void Default_Handler(void);
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));

void Reset_Handler(void)
{
    uint32_t *src = __data_load, *dst = __data_start;
    while (dst < __data_end)
        *dst++ = *src++;
    for (dst = __bss_start; dst < __bss_end; dst++)
        *dst = 0;
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
    /* CPACR: full access to CP10 and CP11 (FPU and MVE). */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    semihost_exit(main());
}

/* Any other exception is a fault here: say so and stop with status 3. */
void Default_Handler(void)
{
    semihost_write("fault: unexpected exception\n");
    semihost_exit(3);
}

typedef void (*vector)(void);

__attribute__((section(".vectors"), used)) static const vector vectors[16] = {
    (vector)(uintptr_t)__stack_top, Reset_Handler,
    Default_Handler, /* NMI */
    Default_Handler, /* HardFault */
    Default_Handler, /* MemManage */
    Default_Handler, /* BusFault */
    Default_Handler, /* UsageFault */
    Default_Handler, /* SecureFault */
    0, 0, 0,
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMonitor */
    0,
    Default_Handler, /* PendSV */
    SysTick_Handler};
