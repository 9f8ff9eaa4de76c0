/*
 * flatbuf.h - a bounds-checked reader for FlatBuffers.
 *
 * Reads tables, vectors, strings and unions of a FlatBuffer in memory
 * without the flatbuffers library and without generated code. Every read
 * is checked the way the FlatBuffers verifier checks it, at the moment it
 * is made: offsets (4-aligned, non-zero, below 2^31, target inside the
 * buffer), tables (4-aligned, vtable 2-aligned, even vtable size, vtable
 * inside the buffer, each present field inside the buffer, inside the
 * table's declared inline size and aligned to its own size), vectors and
 * strings (4-aligned, element count times element size without overflow
 * and inside the buffer, elements aligned to their size, strings
 * NUL-terminated inside the buffer). Table nesting depth and the number of
 * tables opened are limited, so a hostile buffer cannot make a reader loop
 * or recurse without bound.
 *
 * All values are little-endian and read byte by byte, so the host's byte
 * order and the buffer's alignment in memory do not matter. Failures
 * return -1 with "<label>: byte <pos>: <context>: <what was wrong>" in the
 * reader's error; the context is a short description the caller keeps up to
 * date (e.g. "subgraph 0, tensor 5").
 */
#ifndef BNNC_FRONTEND_TFLITE_FLATBUF_H
#define BNNC_FRONTEND_TFLITE_FLATBUF_H

#include <stddef.h>
#include <stdint.h>

#include "../../util/err.h"

/* The largest FlatBuffer the format can address (FlatBuffers asserts
 * size < 2^31 - 1). Larger files keep data beyond this point. */
#define FB_MAX_SIZE ((size_t)0x7FFFFFFE)
#define FB_MIN_SIZE 12u            /* root offset, a table and its vtable */
#define FB_MAX_DEPTH 64u
#define FB_MAX_TABLES 1000000u

typedef struct {
    const uint8_t *buf;
    size_t size;          /* bytes checked against; <= FB_MAX_SIZE */
    const char *label;    /* file name for messages */
    bnnc_err *err;
    size_t tables;        /* tables opened so far */
    size_t max_tables;
    unsigned max_depth;
    char ctx[160];        /* what is being read, for messages; may be "" */
} fb_reader;

typedef struct {
    size_t pos;           /* the table's position */
    size_t vt;            /* its vtable's position */
    uint16_t vt_size;     /* vtable size in bytes (vt[0]) */
    uint16_t inline_size; /* table inline size in bytes (vt[1]) */
    unsigned depth;       /* 1 for the root table */
} fb_table;

typedef struct {
    size_t pos;           /* position of the element count */
    size_t data;          /* position of element 0 */
    size_t count;
    size_t elem_size;
} fb_vec;

/* Set up r over buf[0..size). Fails unless FB_MIN_SIZE <= size <=
 * FB_MAX_SIZE and, when ident is non-NULL, bytes 4..7 equal its 4
 * characters. */
int fb_open(fb_reader *r, const uint8_t *buf, size_t size, const char *label,
            const char *ident, bnnc_err *err);

/* Record an error at byte pos ("<label>: byte <pos>: <ctx>: <msg>");
 * returns -1. */
int fb_fail(fb_reader *r, size_t pos, const char *fmt, ...) BNNC_PRINTF(3, 4);

/* Set the context used in messages (printf-style). */
void fb_set_ctx(fb_reader *r, const char *fmt, ...) BNNC_PRINTF(2, 3);

/* Open the root table. */
int fb_root(fb_reader *r, fb_table *t);

/* Whether field id of t is present (in the vtable and non-zero). */
int fb_has(const fb_reader *r, const fb_table *t, unsigned id);

/* Scalar fields: *out is the field's value, or def when it is absent. */
int fb_u8(fb_reader *r, const fb_table *t, unsigned id, uint8_t def, uint8_t *out);
int fb_i8(fb_reader *r, const fb_table *t, unsigned id, int8_t def, int8_t *out);
int fb_bool(fb_reader *r, const fb_table *t, unsigned id, int def, int *out);
int fb_i32(fb_reader *r, const fb_table *t, unsigned id, int32_t def, int32_t *out);
int fb_u32(fb_reader *r, const fb_table *t, unsigned id, uint32_t def, uint32_t *out);
int fb_u64(fb_reader *r, const fb_table *t, unsigned id, uint64_t def, uint64_t *out);
int fb_f32(fb_reader *r, const fb_table *t, unsigned id, float def, float *out);

/* Offset fields. Each sets *present to 0 (and leaves the output zeroed)
 * when the field is absent, 1 otherwise. */
int fb_table_field(fb_reader *r, const fb_table *t, unsigned id, fb_table *child,
                   int *present);
/* A vector of elem_size-byte scalars (elem_size 1, 2, 4 or 8) or of
 * offsets (elem_size 4). */
int fb_vec_field(fb_reader *r, const fb_table *t, unsigned id, size_t elem_size,
                 fb_vec *v, int *present);
/* A string: *s points into the buffer, NUL-terminated after *len bytes
 * (which may contain NULs of their own). */
int fb_str_field(fb_reader *r, const fb_table *t, unsigned id, const char **s,
                 size_t *len, int *present);
/* A union: *type is the type byte (0 = NONE, also when absent); when it is
 * non-zero and the value field is present, *value is that table and
 * *present 1. The value is not opened when type is NONE. */
int fb_union_field(fb_reader *r, const fb_table *t, unsigned type_id, uint8_t *type,
                   fb_table *value, int *present);

/* Element i (< v->count) of a vector of tables, opened at depth
 * parent_depth + 1. */
int fb_vec_table(fb_reader *r, const fb_vec *v, size_t i, unsigned parent_depth,
                 fb_table *child);

/* Elements of checked scalar vectors (i < v->count, size matching). */
uint8_t fb_vec_u8(const fb_reader *r, const fb_vec *v, size_t i);
int32_t fb_vec_i32(const fb_reader *r, const fb_vec *v, size_t i);
int64_t fb_vec_i64(const fb_reader *r, const fb_vec *v, size_t i);
float fb_vec_f32(const fb_reader *r, const fb_vec *v, size_t i);

/* Little-endian loads (no checks; callers check bounds). */
uint16_t fb_load_u16(const uint8_t *p);
uint32_t fb_load_u32(const uint8_t *p);
uint64_t fb_load_u64(const uint8_t *p);

#endif
