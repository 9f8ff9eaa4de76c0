/*
 * semihost.c - Arm semihosting over BKPT 0xAB (M-profile): operation in
 * r0, argument in r1, result in r0.
 */
#include "semihost.h"

#include <stdint.h>

#define SYS_WRITE0 0x04u
#define SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

static uintptr_t semihost_call(uintptr_t op, const void *arg)
{
    register uintptr_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void semihost_write(const char *s)
{
    (void)semihost_call(SYS_WRITE0, s);
}

void semihost_exit(int status)
{
    const uintptr_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uintptr_t)status};
    (void)semihost_call(SYS_EXIT_EXTENDED, block);
    for (;;) {
    }
}

void semihost_write_int(long v)
{
    char buf[24], *p = buf + sizeof buf - 1;
    unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
    *p = '\0';
    do {
        *--p = (char)('0' + u % 10u);
        u /= 10u;
    } while (u);
    if (v < 0)
        *--p = '-';
    semihost_write(p);
}

void semihost_write_hex32(unsigned long v)
{
    static const char digits[] = "0123456789abcdef";
    char buf[9];
    int i;
    for (i = 7; i >= 0; i--) {
        buf[i] = digits[v & 0xfu];
        v >>= 4;
    }
    buf[8] = '\0';
    semihost_write(buf);
}
