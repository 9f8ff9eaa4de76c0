/*
 * strbuf.h - a growing string for code generation.
 */
#ifndef BNNC_UTIL_STRBUF_H
#define BNNC_UTIL_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

typedef struct {
    char *s;
    size_t len, cap;
} strbuf;

void sb_init(strbuf *b);
void sb_free(strbuf *b);
void sb_add(strbuf *b, const char *s);
void sb_addn(strbuf *b, const char *s, size_t n);
void sb_printf(strbuf *b, const char *fmt, ...) BNNC_PRINTF(2, 3);
void sb_vprintf(strbuf *b, const char *fmt, va_list ap);

#endif
