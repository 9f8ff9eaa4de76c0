/*
 * cursor.h - a cursor over one byte range of an untrusted file, for the
 * binary readers (MXNet params, .npz/.npy).
 *
 * Every read checks the remaining length first; on failure it records
 * "<label>: byte <base+pos>: <ctx>: <msg>" in the error and returns -1,
 * so callers just propagate.
 */
#ifndef BNNC_UTIL_CURSOR_H
#define BNNC_UTIL_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct {
    const uint8_t *buf;  /* start of the range */
    size_t len;          /* bytes in the range */
    size_t pos;          /* next byte to read */
    size_t base;         /* file offset of buf[0], for messages */
    const char *label;   /* file name, or a longer "file: entry ..." */
    char ctx[256];       /* "array #3", "array 'x'", or "" */
    bnnc_err *err;
} bc_cursor;

/* Record "<label>: byte <base+off>: [<ctx>: ]<msg>"; returns -1. */
int bc_fail_at(const bc_cursor *c, size_t off, const char *fmt, ...) BNNC_PRINTF(3, 4);

/* Reads at c->pos, advancing it; -1 (with "truncated" message naming
 * what) when fewer bytes remain. */
int bc_rd_bytes(bc_cursor *c, size_t n, const char *what, const uint8_t **p);
int bc_rd_u16(bc_cursor *c, const char *what, uint16_t *v);
int bc_rd_u32(bc_cursor *c, const char *what, uint32_t *v);
int bc_rd_i32(bc_cursor *c, const char *what, int32_t *v);
int bc_rd_u64(bc_cursor *c, const char *what, uint64_t *v);
int bc_rd_i64(bc_cursor *c, const char *what, int64_t *v);

/* Two's complement u64 -> i64 without implementation-defined casts. */
int64_t bc_u64_to_i64(uint64_t u);

/* Little-endian loads from possibly unaligned memory. */
uint16_t bc_le16(const uint8_t *p);
uint32_t bc_le32(const uint8_t *p);
uint64_t bc_le64(const uint8_t *p);

/* Element count of a shape: 1 for ndim 0, 0 when a dim is 0. Fails (at
 * off) when the product of the non-zero dims exceeds 2^62. */
int bc_shape_count(const bc_cursor *c, size_t off, int ndim, const int64_t *dims,
                   uint64_t *count);

/* Format "(2, 3)" into buf. */
void bc_fmt_shape(char *buf, size_t size, int ndim, const int64_t *dims);

/* Copy name into dst (size bytes) escaping non-printable bytes and
 * quotes, cut with "..." when long; for messages. */
void bc_fmt_name(char *dst, size_t size, const char *name, size_t n);

#endif
