#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bnnc_quiet = 0;

int bnnc_errf(bnnc_err *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int bnnc_err_prefix(bnnc_err *err, const char *fmt, ...)
{
    if (err) {
        char buf[2 * BNNC_ERR_MAX + 2];
        size_t n;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, BNNC_ERR_MAX, fmt, ap);
        va_end(ap);
        n = strlen(buf);
        buf[n++] = ':';
        buf[n++] = ' ';
        memcpy(buf + n, err->msg, strlen(err->msg) + 1);
        memcpy(err->msg, buf, BNNC_ERR_MAX - 1);
        err->msg[BNNC_ERR_MAX - 1] = '\0';
    }
    return -1;
}

void bnnc_bug_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "bnnc: internal error at %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

void bnnc_warnf(const char *fmt, ...)
{
    char msg[BNNC_ERR_MAX];
    va_list ap;
    if (bnnc_quiet)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "warning: %s\n", msg);
}

const char *bnnc_excerpt(const char *s, char *buf, size_t size)
{
    size_t len = strlen(s), keep = size > 40 ? size - 40 : 0, i;
    if (len <= keep) {
        for (i = 0; i < len; i++)
            buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
        buf[len] = '\0';
        return buf;
    }
    for (i = 0; i < keep; i++)
        buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    snprintf(buf + keep, size - keep, "... (%zu bytes)", len);
    return buf;
}
