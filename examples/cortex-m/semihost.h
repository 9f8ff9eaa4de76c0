/*
 * semihost.h - the two Arm semihosting calls a bare-metal test or demo
 * needs: write text to the debugger's console and stop with a status.
 * QEMU serves them with -semihosting; a debug probe (OpenOCD, pyOCD)
 * serves them when semihosting is enabled there. Without a debugger the
 * BKPT instruction halts the core, so production firmware replaces these
 * two functions by a UART driver and a reset.
 */
#ifndef SEMIHOST_H
#define SEMIHOST_H

/* Write a NUL-terminated string (SYS_WRITE0). */
void semihost_write(const char *s);

/* Stop the program: the emulator exits with `status` (SYS_EXIT_EXTENDED). */
void semihost_exit(int status) __attribute__((noreturn));

/* Formatting helpers on top of semihost_write: decimal and 8-digit hex. */
void semihost_write_int(long v);
void semihost_write_hex32(unsigned long v);

#endif
