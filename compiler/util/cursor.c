/*
 * cursor.c - bounds-checked little-endian reads over a byte range (see
 * cursor.h).
 */
#include "cursor.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>


uint16_t bc_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t bc_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

uint64_t bc_le64(const uint8_t *p)
{
    return (uint64_t)bc_le32(p) | (uint64_t)bc_le32(p + 4) << 32;
}

int bc_fail_at(const bc_cursor *c, size_t off, const char *fmt, ...)
{
    char msg[BNNC_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return bnnc_errf(c->err, "%s: byte %zu: %s%s%s", c->label, c->base + off,
                     c->ctx, c->ctx[0] ? ": " : "", msg);
}

int bc_rd_bytes(bc_cursor *c, size_t n, const char *what, const uint8_t **p)
{
    size_t left = c->len - c->pos;
    if (n > left)
        return bc_fail_at(c, c->pos,
                           "truncated: %s needs %zu bytes, %zu left", what, n,
                           left);
    *p = c->buf + c->pos;
    c->pos += n;
    return 0;
}

int bc_rd_u16(bc_cursor *c, const char *what, uint16_t *v)
{
    const uint8_t *p = NULL;
    if (bc_rd_bytes(c, 2, what, &p))
        return -1;
    *v = bc_le16(p);
    return 0;
}

int bc_rd_u32(bc_cursor *c, const char *what, uint32_t *v)
{
    const uint8_t *p = NULL;
    if (bc_rd_bytes(c, 4, what, &p))
        return -1;
    *v = bc_le32(p);
    return 0;
}

int bc_rd_i32(bc_cursor *c, const char *what, int32_t *v)
{
    uint32_t u;
    if (bc_rd_u32(c, what, &u))
        return -1;
    *v = u <= INT32_MAX ? (int32_t)u : (int32_t)(u - 0x80000000u) - INT32_MAX - 1;
    return 0;
}

int bc_rd_u64(bc_cursor *c, const char *what, uint64_t *v)
{
    const uint8_t *p = NULL;
    if (bc_rd_bytes(c, 8, what, &p))
        return -1;
    *v = bc_le64(p);
    return 0;
}

/* Two's complement u64 -> i64 without implementation-defined casts. */
int64_t bc_u64_to_i64(uint64_t u)
{
    return u <= INT64_MAX ? (int64_t)u
                          : (int64_t)(u - 0x8000000000000000u) - INT64_MAX - 1;
}

int bc_rd_i64(bc_cursor *c, const char *what, int64_t *v)
{
    uint64_t u;
    if (bc_rd_u64(c, what, &u))
        return -1;
    *v = bc_u64_to_i64(u);
    return 0;
}

int bc_shape_count(const bc_cursor *c, size_t off, int ndim,
                    const int64_t *dims, uint64_t *count)
{
    const uint64_t limit = (uint64_t)1 << 62;
    uint64_t p = 1;
    int zero = 0;
    for (int i = 0; i < ndim; i++) {
        uint64_t d = (uint64_t)dims[i];
        if (d == 0) {
            zero = 1;
            continue;
        }
        if (p > limit / d) {
            char s[8 * 22 + 4];
            bc_fmt_shape(s, sizeof s, ndim, dims);
            return bc_fail_at(c, off,
                               "shape %s has more than 2^62 elements", s);
        }
        p *= d;
    }
    *count = zero ? 0 : p;
    return 0;
}

void bc_fmt_shape(char *buf, size_t size, int ndim, const int64_t *dims)
{
    size_t n = 0;
    n += (size_t)snprintf(buf, size, "(");
    for (int i = 0; i < ndim && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%lld", i ? ", " : "",
                              (long long)dims[i]);
    if (n < size)
        snprintf(buf + n, size - n, ndim == 1 ? ",)" : ")");
}

void bc_fmt_name(char *dst, size_t size, const char *name, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (o + 8 >= size) {
            memcpy(dst + o, "...", 4);
            return;
        }
        if (ch < 0x20 || ch == 0x7f || ch == '\'' || ch == '\\')
            o += (size_t)snprintf(dst + o, size - o, "\\x%02x", ch);
        else
            dst[o++] = (char)ch;
    }
    dst[o] = '\0';
}

