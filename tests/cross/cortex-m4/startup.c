/*
 * startup.c - minimal Cortex-M4 start-up for running test drivers on
 * QEMU's mps2-an386 board with semihosting: the vector table (initial
 * stack pointer, reset handler), FPU enable for the hard-float ABI, then
 * newlib's semihosting start-up (_start from rdimon-crt0.o), which clears
 * .bss, calls main and passes its status to the host on exit.
 */
#include <stdint.h>

extern void _start(void);
extern uint32_t __stack_top;

void Reset_Handler(void);
void Fault_Handler(void);
void _init(void);
void _fini(void);

void Reset_Handler(void)
{
    /* CPACR: full access to CP10 and CP11 (the FPU). */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb");
    _start();
    for (;;) {
    }
}

/* A fault stops the test; the host's timeout reports it. */
void Fault_Handler(void)
{
    for (;;) {
    }
}

/* Constructors and destructors are not used. */
void _init(void)
{
}

void _fini(void)
{
}

__attribute__((section(".vectors"), used)) static const void *const vectors[16] = {
    &__stack_top,          (const void *)Reset_Handler, (const void *)Fault_Handler,
    (const void *)Fault_Handler, (const void *)Fault_Handler, (const void *)Fault_Handler,
    (const void *)Fault_Handler};
