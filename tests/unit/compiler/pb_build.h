/*
 * pb_build.h - test helper: a small protobuf writer for building ONNX
 * models byte by byte (test_onnx_reader.c, test_onnx_import.c). Fields are
 * appended in the order called; a sub-message is built in its own pb_t and
 * appended (and freed) by pb_msg. Test-only; everything is static inline.
 */
#ifndef BNNC_TEST_PB_BUILD_H
#define BNNC_TEST_PB_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t *p;
    size_t n, cap;
} pb_t;

/* Append n bytes (growing the buffer; a failed allocation fails the test). */
static inline void put(pb_t *b, const void *src, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    if (n)
        memcpy(b->p + b->n, src, n);
    b->n += n;
}

static inline void varint(pb_t *b, uint64_t v)
{
    do {
        uint8_t c = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            c |= 0x80;
        put(b, &c, 1);
    } while (v);
}

static inline void key(pb_t *b, unsigned field, unsigned wire)
{
    varint(b, (uint64_t)field << 3 | wire);
}

static inline void f_varint(pb_t *b, unsigned field, uint64_t v)
{
    key(b, field, 0);
    varint(b, v);
}

static inline void f_bytes(pb_t *b, unsigned field, const void *p, size_t n)
{
    key(b, field, 2);
    varint(b, n);
    put(b, p, n);
}

static inline void f_str(pb_t *b, unsigned field, const char *s)
{
    f_bytes(b, field, s, strlen(s));
}

/* Append sub as a length-delimited field and free it. */
static inline void f_msg(pb_t *b, unsigned field, pb_t *sub)
{
    f_bytes(b, field, sub->p, sub->n);
    free(sub->p);
    memset(sub, 0, sizeof *sub);
}

static inline void le32(pb_t *b, uint32_t u)
{
    for (int i = 0; i < 4; i++) {
        uint8_t c = (uint8_t)(u >> (8 * i));
        put(b, &c, 1);
    }
}

static inline void le64(pb_t *b, uint64_t u)
{
    for (int i = 0; i < 8; i++) {
        uint8_t c = (uint8_t)(u >> (8 * i));
        put(b, &c, 1);
    }
}

/* A fixed32 field holding the float f's bits. */
static inline void f_float(pb_t *b, unsigned field, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    key(b, field, 5);
    le32(b, u);
}

#endif
