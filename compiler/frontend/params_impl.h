/*
 * params_impl.h - internals shared by the params readers (params.c for the
 * NDArray list, npz.c for .npz/.npy). Not part of the frontend's API.
 *
 * A cursor walks one byte range. Every read checks the remaining length
 * first; on failure it records "<label>: byte <base+pos>: <ctx>: <msg>" in
 * the error and returns -1, so callers just propagate.
 */
#ifndef BNNC_FRONTEND_PARAMS_IMPL_H
#define BNNC_FRONTEND_PARAMS_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "params.h"

#define MX_MAX_ARRAYS 10000000u   /* N, K and zip entries */
#define MX_MAX_NAME   65536u      /* bytes in one name */

typedef struct {
    const uint8_t *buf;  /* start of the range */
    size_t len;          /* bytes in the range */
    size_t pos;          /* next byte to read */
    size_t base;         /* file offset of buf[0], for messages */
    const char *label;   /* file name, or a longer "file: entry ..." */
    char ctx[256];       /* "array #3", "array 'x'", or "" */
    bnnc_err *err;
} mx_cursor;

/* The array list being built. */
typedef struct {
    mx_array *a;
    size_t n, cap;
} mx_list;

/* Record "<label>: byte <base+off>: [<ctx>: ]<msg>"; returns -1. */
int mx__fail_at(const mx_cursor *c, size_t off, const char *fmt, ...)
    BNNC_PRINTF(3, 4);

/* Reads at c->pos, advancing it; -1 (with "truncated" message naming
 * what) when fewer bytes remain. */
int mx__rd_bytes(mx_cursor *c, size_t n, const char *what, const uint8_t **p);
int mx__rd_u16(mx_cursor *c, const char *what, uint16_t *v);
int mx__rd_u32(mx_cursor *c, const char *what, uint32_t *v);
int mx__rd_i32(mx_cursor *c, const char *what, int32_t *v);
int mx__rd_u64(mx_cursor *c, const char *what, uint64_t *v);
int mx__rd_i64(mx_cursor *c, const char *what, int64_t *v);

/* Little-endian loads from possibly unaligned memory. */
uint16_t mx__le16(const uint8_t *p);
uint32_t mx__le32(const uint8_t *p);
uint64_t mx__le64(const uint8_t *p);

/* Element count of a shape: 1 for ndim 0, 0 when a dim is 0. Fails (at
 * off) when the product of the non-zero dims exceeds 2^62. */
int mx__shape_count(const mx_cursor *c, size_t off, int ndim,
                    const int64_t *dims, uint64_t *count);

/* Format "(2, 3)" into buf. */
void mx__fmt_shape(char *buf, size_t size, int ndim, const int64_t *dims);

/* Copy name into dst (size bytes) escaping non-printable bytes and
 * quotes, cut with "..." when long; for messages. */
void mx__fmt_name(char *dst, size_t size, const char *name, size_t n);

/* Append a zeroed array to the list and return it. */
mx_array *mx__push(mx_list *l);

/* Set key (n bytes, no NUL inside), name and key_kind of a. */
void mx__set_key(mx_array *a, const char *key, size_t n);

/* Parse a .npz (ZIP) or a single .npy image into l. */
int mx__parse_npz(const uint8_t *buf, size_t len, const char *label,
                  mx_list *l, bnnc_err *err);
int mx__parse_npy_file(const uint8_t *buf, size_t len, const char *label,
                       mx_list *l, bnnc_err *err);

#endif
