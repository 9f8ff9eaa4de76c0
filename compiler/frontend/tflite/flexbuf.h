/*
 * flexbuf.h - a bounds-checked reader for FlexBuffers.
 *
 * Enough of the format for the custom options of TFLite custom operators:
 * the root value, inline and indirect scalars (int, uint, float, bool),
 * strings and keys, maps with sorted keys, untyped vectors and typed
 * vectors (variable length and the fixed 2/3/4-element kinds).
 *
 * Every offset is checked before it is followed (FlexBuffers offsets point
 * backwards: target = position - value), every width must be 1, 2, 4 or 8,
 * every element count is capped by the bytes that are left, keys must be
 * NUL-terminated inside the buffer, at most FLX_MAX_KEY bytes long, sorted,
 * unique and together no longer than the buffer (so checking a map is
 * linear in its size). The reader never recurses by itself: a caller follows one
 * level at a time, so hostile nesting costs nothing. Errors read
 * "<label>: byte <pos>: <ctx>: <what>", where pos counts from the start of
 * the file (base + position in the FlexBuffer).
 */
#ifndef BNNC_FRONTEND_TFLITE_FLEXBUF_H
#define BNNC_FRONTEND_TFLITE_FLEXBUF_H

#include <stddef.h>
#include <stdint.h>

#include "../../util/err.h"

#define FLX_MAX_KEY 4096u

enum {
    FLX_NULL = 0, FLX_INT = 1, FLX_UINT = 2, FLX_FLOAT = 3, FLX_KEY = 4,
    FLX_STRING = 5, FLX_INDIRECT_INT = 6, FLX_INDIRECT_UINT = 7,
    FLX_INDIRECT_FLOAT = 8, FLX_MAP = 9, FLX_VECTOR = 10, FLX_VECTOR_INT = 11,
    FLX_VECTOR_UINT = 12, FLX_VECTOR_FLOAT = 13, FLX_VECTOR_KEY = 14,
    FLX_VECTOR_STRING_DEPRECATED = 15, FLX_VECTOR_INT2 = 16,
    FLX_VECTOR_UINT2 = 17, FLX_VECTOR_FLOAT2 = 18, FLX_VECTOR_INT3 = 19,
    FLX_VECTOR_UINT3 = 20, FLX_VECTOR_FLOAT3 = 21, FLX_VECTOR_INT4 = 22,
    FLX_VECTOR_UINT4 = 23, FLX_VECTOR_FLOAT4 = 24, FLX_BLOB = 25, FLX_BOOL = 26,
    FLX_VECTOR_BOOL = 36
};

typedef struct {
    const uint8_t *buf;
    size_t size;
    const char *label;    /* file name */
    size_t base;          /* file position of buf[0], for messages */
    const char *ctx;      /* context for messages ("" if none) */
    bnnc_err *err;
} flx_reader;

/* A value: stored at pos in width bytes (inline scalar or offset), of
 * type type; child_width is the width of what an offset points to. */
typedef struct {
    size_t pos;
    uint8_t width;
    uint8_t type;
    uint8_t child_width;
} flx_ref;

typedef struct {
    size_t data;          /* position of element 0 */
    size_t count;
    uint8_t width;        /* bytes per element */
    uint8_t elem_type;    /* typed vectors: the element type */
    int typed;
    size_t types;         /* untyped vectors: position of the type bytes */
} flx_vector;

typedef struct {
    flx_vector values;    /* untyped */
    flx_vector keys;      /* typed, FLX_KEY */
} flx_map;

/* Set up r over buf[0..size) and read the root value. */
int flx_open(flx_reader *r, const uint8_t *buf, size_t size, const char *label,
             size_t base, const char *ctx, bnnc_err *err, flx_ref *root);

/* Name of a type ("int", "map", ...). */
const char *flx_type_name(unsigned type);

/* Integer value of an INT, UINT, BOOL, INDIRECT_INT or INDIRECT_UINT
 * (a UINT above INT64_MAX is an error). */
int flx_int(flx_reader *r, const flx_ref *ref, int64_t *out);
/* Value of a FLOAT or INDIRECT_FLOAT (4 or 8 bytes), or of an integer. */
int flx_float(flx_reader *r, const flx_ref *ref, double *out);
/* A STRING, KEY or BLOB: pointer into the buffer and length in bytes.
 * Strings and keys are NUL-terminated there. */
int flx_string(flx_reader *r, const flx_ref *ref, const char **s, size_t *len);

/* The elements of any vector type (untyped, typed, fixed-length) or of a
 * map's values. */
int flx_vector_of(flx_reader *r, const flx_ref *ref, flx_vector *v);
/* Element i < v->count. */
void flx_vector_at(const flx_reader *r, const flx_vector *v, size_t i, flx_ref *out);
/* A map: keys checked (NUL-terminated, sorted, unique). */
int flx_map_of(flx_reader *r, const flx_ref *ref, flx_map *m);
/* Key i of a map checked by flx_map_of. */
const char *flx_map_key(const flx_reader *r, const flx_map *m, size_t i);
/* The value of key in m: 1 and *out when found, 0 when absent. */
int flx_map_find(const flx_reader *r, const flx_map *m, const char *key, flx_ref *out);

/* Record an error at buffer position pos; returns -1. */
int flx_fail(flx_reader *r, size_t pos, const char *fmt, ...) BNNC_PRINTF(3, 4);

#endif
