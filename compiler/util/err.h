/*
 * err.h - the two error channels of the compiler.
 *
 * User and model errors (bad files, unsupported ops, wrong shapes) are
 * recorded in a bnnc_err by the function that finds them and returned as
 * -1; the CLI prints "error: <msg>" and exits 1. Messages name the file
 * and the MXNet node (or the byte offset) they are about. Parsers never
 * exit, so fuzzers and unit tests can drive them.
 *
 * Internal bugs go through BNNC_BUG(), which prints file:line and aborts.
 */
#ifndef BNNC_UTIL_ERR_H
#define BNNC_UTIL_ERR_H

#include <stddef.h>

#define BNNC_ERR_MAX 1024

typedef struct {
    char msg[BNNC_ERR_MAX];
} bnnc_err;

#if defined(__GNUC__)
#define BNNC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define BNNC_NORETURN __attribute__((noreturn))
#else
#define BNNC_PRINTF(f, a)
#define BNNC_NORETURN
#endif

/* Format a message into err (if non-NULL) and return -1. */
int bnnc_errf(bnnc_err *err, const char *fmt, ...) BNNC_PRINTF(2, 3);

/* Prefix an existing message: "<prefix>: <old message>". Returns -1. */
int bnnc_err_prefix(bnnc_err *err, const char *fmt, ...) BNNC_PRINTF(2, 3);

void bnnc_bug_at(const char *file, int line, const char *fmt, ...)
    BNNC_PRINTF(3, 4) BNNC_NORETURN;
#define BNNC_BUG(...) bnnc_bug_at(__FILE__, __LINE__, __VA_ARGS__)
#define BNNC_ASSERT(c) \
    do { if (!(c)) BNNC_BUG("assertion failed: %s", #c); } while (0)

/* Warnings go to stderr unless silenced (tests, fuzzers). */
extern int bnnc_quiet;
/* s for a message: control characters as '?', and, when longer than fits
 * in buf (size >= 48 is sensible), its start followed by its length.
 * Returns buf. */
const char *bnnc_excerpt(const char *s, char *buf, size_t size);

void bnnc_warnf(const char *fmt, ...) BNNC_PRINTF(1, 2);

#endif
