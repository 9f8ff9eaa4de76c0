/*
 * flexbuf.c - bounds-checked FlexBuffers reader (see flexbuf.h).
 *
 * Layout reminders (all little-endian): the last byte of the buffer is the
 * root's width W, the byte before it the root's packed type P (type P >> 2,
 * child width 1 << (P & 3)), and the W bytes before that the root value.
 * A vector's element count is stored in the width-sized slot just before
 * its first element; an untyped vector is followed by one packed type byte
 * per element. A map is an untyped vector of values preceded by three
 * width-sized slots: offset to the keys vector, the keys' width, count.
 */
#include "flexbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int flx_fail(flx_reader *r, size_t pos, const char *fmt, ...)
{
    char msg[BNNC_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return bnnc_errf(r->err, "%s: byte %zu: %s%s%s", r->label, r->base + pos,
                     r->ctx ? r->ctx : "", r->ctx && r->ctx[0] ? ": " : "", msg);
}

const char *flx_type_name(unsigned type)
{
    static const char *const names[] = {
        "null", "int", "uint", "float", "key", "string", "indirect int",
        "indirect uint", "indirect float", "map", "vector", "int vector",
        "uint vector", "float vector", "key vector", "string vector",
        "int vector of 2", "uint vector of 2", "float vector of 2",
        "int vector of 3", "uint vector of 3", "float vector of 3",
        "int vector of 4", "uint vector of 4", "float vector of 4", "blob", "bool"};
    if (type < sizeof names / sizeof names[0])
        return names[type];
    return type == FLX_VECTOR_BOOL ? "bool vector" : "unknown type";
}

static int known_type(unsigned t)
{
    return t <= FLX_BOOL || t == FLX_VECTOR_BOOL;
}

static int valid_width(uint64_t w)
{
    return w == 1 || w == 2 || w == 4 || w == 8;
}

/* Unsigned little-endian value of w bytes at pos (pos + w <= size). */
static uint64_t load_uint(const flx_reader *r, size_t pos, unsigned w)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < w; i++)
        v |= (uint64_t)r->buf[pos + i] << (8 * i);
    return v;
}

static int64_t load_int(const flx_reader *r, size_t pos, unsigned w)
{
    uint64_t v = load_uint(r, pos, w), sign = (uint64_t)1 << (8 * w - 1);
    if (w < 8 && (v & sign))
        v |= ~(uint64_t)0 << (8 * w);
    return v <= INT64_MAX ? (int64_t)v : (int64_t)(v - 0x8000000000000000u) + INT64_MIN;
}

/* Follow the backward offset of width w stored at pos (pos + w <= size). */
static int indirect(flx_reader *r, size_t pos, unsigned w, size_t *target)
{
    uint64_t off = load_uint(r, pos, w);
    if (off == 0)
        return flx_fail(r, pos, "offset 0 points at itself");
    if (off > pos)
        return flx_fail(r, pos, "offset %llu points before the start of the "
                        "custom options", (unsigned long long)off);
    *target = pos - (size_t)off;
    return 0;
}

static void make_ref(flx_ref *out, size_t pos, unsigned width, uint8_t packed)
{
    out->pos = pos;
    out->width = (uint8_t)width;
    out->type = (uint8_t)(packed >> 2);
    out->child_width = (uint8_t)(1u << (packed & 3));
}

int flx_open(flx_reader *r, const uint8_t *buf, size_t size, const char *label,
             size_t base, const char *ctx, bnnc_err *err, flx_ref *root)
{
    unsigned w;
    memset(r, 0, sizeof *r);
    memset(root, 0, sizeof *root);
    r->buf = buf;
    r->size = size;
    r->label = label;
    r->base = base;
    r->ctx = ctx;
    r->err = err;
    if (size < 3)
        return flx_fail(r, 0, "FlexBuffer of %zu bytes is too small (at least 3)",
                        size);
    w = buf[size - 1];
    if (!valid_width(w))
        return flx_fail(r, size - 1, "FlexBuffer root width %u is not 1, 2, 4 or 8", w);
    if (size < 2 + (size_t)w)
        return flx_fail(r, 0, "FlexBuffer of %zu bytes cannot hold a root of width %u",
                        size, w);
    make_ref(root, size - 2 - w, w, buf[size - 2]);
    if (!known_type(root->type))
        return flx_fail(r, size - 2, "FlexBuffer root has unknown type %u", root->type);
    return 0;
}

int flx_int(flx_reader *r, const flx_ref *ref, int64_t *out)
{
    size_t q = 0;
    uint64_t u;
    *out = 0;
    switch (ref->type) {
    case FLX_INT:
        *out = load_int(r, ref->pos, ref->width);
        return 0;
    case FLX_UINT:
    case FLX_BOOL:
        u = load_uint(r, ref->pos, ref->width);
        break;
    case FLX_INDIRECT_INT:
    case FLX_INDIRECT_UINT:
        if (indirect(r, ref->pos, ref->width, &q))
            return -1;
        if (q + ref->child_width > r->size)
            return flx_fail(r, q, "integer of %u bytes runs past the end of the "
                            "custom options", ref->child_width);
        if (ref->type == FLX_INDIRECT_INT) {
            *out = load_int(r, q, ref->child_width);
            return 0;
        }
        u = load_uint(r, q, ref->child_width);
        break;
    default:
        return flx_fail(r, ref->pos, "expected an integer, found a %s",
                        flx_type_name(ref->type));
    }
    if (u > INT64_MAX)
        return flx_fail(r, ref->pos, "unsigned value %llu is too large",
                        (unsigned long long)u);
    *out = (int64_t)u;
    return 0;
}

/* Float of w bytes at pos (pos + w <= size). */
static int load_float(flx_reader *r, size_t pos, unsigned w, double *out)
{
    if (w == 4) {
        uint32_t b = (uint32_t)load_uint(r, pos, 4);
        float f;
        memcpy(&f, &b, 4);
        *out = f;
        return 0;
    }
    if (w == 8) {
        uint64_t b = load_uint(r, pos, 8);
        memcpy(out, &b, 8);
        return 0;
    }
    return flx_fail(r, pos, "float of %u bytes (only 4 and 8 exist)", w);
}

int flx_float(flx_reader *r, const flx_ref *ref, double *out)
{
    size_t q = 0;
    int64_t i;
    *out = 0;
    switch (ref->type) {
    case FLX_FLOAT:
        return load_float(r, ref->pos, ref->width, out);
    case FLX_INDIRECT_FLOAT:
        if (indirect(r, ref->pos, ref->width, &q))
            return -1;
        if (q + ref->child_width > r->size)
            return flx_fail(r, q, "float of %u bytes runs past the end of the "
                            "custom options", ref->child_width);
        return load_float(r, q, ref->child_width, out);
    case FLX_INT: case FLX_UINT: case FLX_BOOL:
    case FLX_INDIRECT_INT: case FLX_INDIRECT_UINT:
        if (flx_int(r, ref, &i))
            return -1;
        *out = (double)i;
        return 0;
    default:
        return flx_fail(r, ref->pos, "expected a number, found a %s",
                        flx_type_name(ref->type));
    }
}

/* The key (NUL-terminated string) at pos: checks the NUL is in the buffer
 * within FLX_MAX_KEY bytes. */
static int key_at(flx_reader *r, size_t pos, size_t *len)
{
    size_t left = r->size - pos;
    const uint8_t *nul = memchr(r->buf + pos, 0, left < FLX_MAX_KEY + 1 ? left
                                                                         : FLX_MAX_KEY + 1);
    if (!nul)
        return flx_fail(r, pos, left <= FLX_MAX_KEY
                        ? "key has no terminating NUL before the end of the custom options"
                        : "key longer than %u bytes", FLX_MAX_KEY);
    *len = (size_t)(nul - (r->buf + pos));
    return 0;
}

int flx_string(flx_reader *r, const flx_ref *ref, const char **s, size_t *len)
{
    size_t data = 0, n = 0;
    unsigned bw = ref->child_width;
    uint64_t count;
    *s = NULL;
    *len = 0;
    if (ref->type != FLX_KEY && ref->type != FLX_STRING && ref->type != FLX_BLOB)
        return flx_fail(r, ref->pos, "expected a string, found a %s",
                        flx_type_name(ref->type));
    if (indirect(r, ref->pos, ref->width, &data))
        return -1;
    if (ref->type == FLX_KEY) {
        if (key_at(r, data, &n))
            return -1;
        *s = (const char *)r->buf + data;
        *len = n;
        return 0;
    }
    if (data < bw)
        return flx_fail(r, data, "string length lies before the start of the "
                        "custom options");
    count = load_uint(r, data - bw, bw);
    n = ref->type == FLX_STRING ? 1 : 0;   /* room for the NUL */
    if (count > r->size - data || r->size - data - count < n)
        return flx_fail(r, data - bw, "%s of %llu bytes runs past the end of the "
                        "custom options", ref->type == FLX_STRING ? "string" : "blob",
                        (unsigned long long)count);
    if (n && r->buf[data + count] != 0)
        return flx_fail(r, data + (size_t)count, "string is not NUL-terminated");
    *s = (const char *)r->buf + data;
    *len = (size_t)count;
    return 0;
}

int flx_vector_of(flx_reader *r, const flx_ref *ref, flx_vector *v)
{
    size_t data = 0;
    unsigned bw = ref->child_width, t = ref->type;
    uint64_t count;
    memset(v, 0, sizeof *v);
    if (!(t == FLX_MAP || t == FLX_VECTOR || (t >= FLX_VECTOR_INT && t <= FLX_VECTOR_KEY) ||
          (t >= FLX_VECTOR_INT2 && t <= FLX_VECTOR_FLOAT4) || t == FLX_VECTOR_BOOL))
        return flx_fail(r, ref->pos, "expected a vector, found a %s", flx_type_name(t));
    if (indirect(r, ref->pos, ref->width, &data))
        return -1;
    v->data = data;
    v->width = (uint8_t)bw;
    if (t >= FLX_VECTOR_INT2 && t <= FLX_VECTOR_FLOAT4) {
        v->typed = 1;
        v->count = 2 + (t - FLX_VECTOR_INT2) / 3;
        v->elem_type = (uint8_t)(FLX_INT + (t - FLX_VECTOR_INT2) % 3);
        if (v->count > (r->size - data) / bw)
            return flx_fail(r, data, "vector of %zu elements of %u bytes runs past "
                            "the end of the custom options", v->count, bw);
        return 0;
    }
    if (data < bw)
        return flx_fail(r, data, "vector length lies before the start of the custom "
                        "options");
    count = load_uint(r, data - bw, bw);
    if (t == FLX_MAP || t == FLX_VECTOR) {
        if (count > (r->size - data) / (bw + 1u))
            return flx_fail(r, data - bw, "vector of %llu elements of %u bytes and "
                            "their types runs past the end of the custom options",
                            (unsigned long long)count, bw);
        v->count = (size_t)count;
        v->types = data + v->count * bw;
        for (size_t i = 0; i < v->count; i++) {
            unsigned et = r->buf[v->types + i] >> 2;
            if (!known_type(et))
                return flx_fail(r, v->types + i, "element %zu has unknown type %u",
                                i, et);
        }
        return 0;
    }
    if (count > (r->size - data) / bw)
        return flx_fail(r, data - bw, "vector of %llu elements of %u bytes runs past "
                        "the end of the custom options", (unsigned long long)count, bw);
    v->typed = 1;
    v->count = (size_t)count;
    v->elem_type = (uint8_t)(t == FLX_VECTOR_BOOL ? FLX_BOOL
                                                  : FLX_INT + (t - FLX_VECTOR_INT));
    return 0;
}

void flx_vector_at(const flx_reader *r, const flx_vector *v, size_t i, flx_ref *out)
{
    if (i >= v->count)
        BNNC_BUG("FlexBuffer vector element %zu of %zu", i, v->count);
    if (v->typed) {
        out->pos = v->data + i * v->width;
        out->width = v->width;
        out->type = v->elem_type;
        out->child_width = 1;
    } else {
        make_ref(out, v->data + i * v->width, v->width, r->buf[v->types + i]);
    }
}

/* Position of the NUL-terminated key i of a checked key vector. */
static size_t key_pos(const flx_reader *r, const flx_vector *keys, size_t i)
{
    size_t kp = keys->data + i * keys->width;
    return kp - (size_t)load_uint(r, kp, keys->width);
}

int flx_map_of(flx_reader *r, const flx_ref *ref, flx_map *m)
{
    size_t data = 0, kop = 0, kdata = 0, len = 0, prev = 0;
    uint64_t kbw, kcount;
    unsigned bw = ref->child_width;
    memset(m, 0, sizeof *m);
    if (ref->type != FLX_MAP)
        return flx_fail(r, ref->pos, "expected a map, found a %s",
                        flx_type_name(ref->type));
    if (flx_vector_of(r, ref, &m->values))
        return -1;
    data = m->values.data;
    if (data < 3 * (size_t)bw)
        return flx_fail(r, data, "map header lies before the start of the custom "
                        "options");
    kop = data - 3 * (size_t)bw;
    if (indirect(r, kop, bw, &kdata))
        return -1;
    kbw = load_uint(r, kop + bw, bw);
    if (!valid_width(kbw))
        return flx_fail(r, kop + bw, "map key width %llu is not 1, 2, 4 or 8",
                        (unsigned long long)kbw);
    if (kdata < kbw)
        return flx_fail(r, kdata, "map key count lies before the start of the "
                        "custom options");
    kcount = load_uint(r, kdata - (size_t)kbw, (unsigned)kbw);
    if (kcount != m->values.count)
        return flx_fail(r, kdata - (size_t)kbw, "map has %llu keys but %zu values",
                        (unsigned long long)kcount, m->values.count);
    if (kcount > (r->size - kdata) / kbw)
        return flx_fail(r, kdata - (size_t)kbw, "map keys run past the end of the "
                        "custom options");
    m->keys.data = kdata;
    m->keys.count = (size_t)kcount;
    m->keys.width = (uint8_t)kbw;
    m->keys.typed = 1;
    m->keys.elem_type = FLX_KEY;
    for (size_t i = 0, total = 0; i < m->keys.count; i++) {
        size_t kp = kdata + i * (size_t)kbw, k = 0;
        if (indirect(r, kp, (unsigned)kbw, &k) || key_at(r, k, &len))
            return -1;
        /* distinct keys written by an encoder do not overlap, so their
         * bytes fit in the buffer; overlapping ones would make checking
         * them quadratic */
        total += len + 1;
        if (total > r->size)
            return flx_fail(r, kp, "map keys overlap (%zu key bytes in a buffer of %zu)",
                            total, r->size);
        if (i && strcmp((const char *)r->buf + prev, (const char *)r->buf + k) >= 0) {
            char a[64], b[64];
            return flx_fail(r, kp, "map keys '%s' and '%s' are %s",
                            bnnc_excerpt((const char *)r->buf + prev, a, sizeof a),
                            bnnc_excerpt((const char *)r->buf + k, b, sizeof b),
                            strcmp((const char *)r->buf + prev,
                                   (const char *)r->buf + k) ? "not sorted"
                                                             : "duplicates");
        }
        prev = k;
    }
    return 0;
}

const char *flx_map_key(const flx_reader *r, const flx_map *m, size_t i)
{
    if (i >= m->keys.count)
        BNNC_BUG("FlexBuffer map key %zu of %zu", i, m->keys.count);
    return (const char *)r->buf + key_pos(r, &m->keys, i);
}

int flx_map_find(const flx_reader *r, const flx_map *m, const char *key, flx_ref *out)
{
    for (size_t i = 0; i < m->keys.count; i++)
        if (!strcmp(flx_map_key(r, m, i), key)) {
            flx_vector_at(r, &m->values, i, out);
            return 1;
        }
    memset(out, 0, sizeof *out);
    return 0;
}
