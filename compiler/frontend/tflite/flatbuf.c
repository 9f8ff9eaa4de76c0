/*
 * flatbuf.c - bounds-checked FlatBuffers reader (see flatbuf.h).
 *
 * Positions are size_t byte offsets from the start of the buffer. Every
 * sum below is formed only after its terms are known to be at most
 * FB_MAX_SIZE (< 2^31), so none can overflow a 64-bit size_t; the one
 * product, count * element size, is guarded by a division first.
 */
#include "flatbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

uint16_t fb_load_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t fb_load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

uint64_t fb_load_u64(const uint8_t *p)
{
    return (uint64_t)fb_load_u32(p) | (uint64_t)fb_load_u32(p + 4) << 32;
}

int fb_fail(fb_reader *r, size_t pos, const char *fmt, ...)
{
    char msg[BNNC_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return bnnc_errf(r->err, "%s: byte %zu: %s%s%s", r->label, pos, r->ctx,
                     r->ctx[0] ? ": " : "", msg);
}

void fb_set_ctx(fb_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->ctx, sizeof r->ctx, fmt, ap);
    va_end(ap);
}

int fb_open(fb_reader *r, const uint8_t *buf, size_t size, const char *label,
            const char *ident, bnnc_err *err)
{
    memset(r, 0, sizeof *r);
    r->buf = buf;
    r->size = size;
    r->label = label;
    r->err = err;
    r->max_tables = FB_MAX_TABLES;
    r->max_depth = FB_MAX_DEPTH;
    if (size < FB_MIN_SIZE)
        return fb_fail(r, 0, "file of %zu bytes is too small for a FlatBuffer "
                       "(at least %u)", size, FB_MIN_SIZE);
    if (size > FB_MAX_SIZE)
        return fb_fail(r, 0, "FlatBuffer of %zu bytes is larger than the format "
                       "allows (%zu)", size, FB_MAX_SIZE);
    if (ident && memcmp(buf + 4, ident, 4) != 0) {
        char got[16];
        int printable = 1;
        for (int i = 4; i < 8; i++)
            if (buf[i] < 0x20 || buf[i] >= 0x7f || buf[i] == '\'')
                printable = 0;
        if (printable)
            snprintf(got, sizeof got, "'%c%c%c%c'", buf[4], buf[5], buf[6], buf[7]);
        else
            snprintf(got, sizeof got, "%02x %02x %02x %02x", buf[4], buf[5], buf[6],
                     buf[7]);
        return fb_fail(r, 4, "file identifier is %s, not '%.4s'", got, ident);
    }
    return 0;
}

static int follow(fb_reader *r, size_t p, size_t *target);

/* The table at pos, at nesting depth depth: checks as described in
 * flatbuf.h and counts it against the table limit. */
static int open_table(fb_reader *r, size_t pos, unsigned depth, fb_table *t)
{
    int64_t vt;
    int32_t s;
    memset(t, 0, sizeof *t);
    if (depth > r->max_depth)
        return fb_fail(r, pos, "tables nested deeper than %u", r->max_depth);
    if (++r->tables > r->max_tables)
        return fb_fail(r, pos, "more than %zu tables: refusing to read further",
                       r->max_tables);
    if (pos % 4)
        return fb_fail(r, pos, "table at a position that is not a multiple of 4");
    if (pos + 4 > r->size)
        return fb_fail(r, pos, "table runs past the end of the file");
    s = (int32_t)fb_load_u32(r->buf + pos);
    vt = (int64_t)pos - s;
    if (vt < 0 || vt + 4 > (int64_t)r->size)
        return fb_fail(r, pos, "vtable offset %ld points to byte %lld, outside the "
                       "%zu-byte FlatBuffer", (long)s, (long long)vt, r->size);
    if (vt % 2)
        return fb_fail(r, pos, "vtable at odd byte %lld", (long long)vt);
    t->pos = pos;
    t->vt = (size_t)vt;
    t->depth = depth;
    t->vt_size = fb_load_u16(r->buf + t->vt);
    t->inline_size = fb_load_u16(r->buf + t->vt + 2);
    if (t->vt_size < 4 || t->vt_size % 2)
        return fb_fail(r, pos, "vtable at byte %zu has invalid size %u", t->vt,
                       t->vt_size);
    if (t->vt + t->vt_size > r->size)
        return fb_fail(r, pos, "vtable at byte %zu of %u bytes runs past the end "
                       "of the file", t->vt, t->vt_size);
    if (t->inline_size < 4 || pos + t->inline_size > r->size)
        return fb_fail(r, pos, "table of %u inline bytes (vtable at byte %zu) %s",
                       t->inline_size, t->vt,
                       t->inline_size < 4 ? "is smaller than its vtable offset"
                                          : "runs past the end of the file");
    return 0;
}

/* Position of field id of t holding size bytes: 0 when absent, 1 with
 * *pos set when present, -1 when the field lies outside the table or the
 * buffer or is misaligned. */
static int field_pos(fb_reader *r, const fb_table *t, unsigned id, size_t size,
                     size_t *pos)
{
    size_t slot = 4 + 2 * (size_t)id, p;
    uint16_t off;
    *pos = 0;
    if (slot >= t->vt_size)
        return 0;
    off = fb_load_u16(r->buf + t->vt + slot);
    if (off == 0)
        return 0;
    if (off < 4 || off + size > t->inline_size)
        return fb_fail(r, t->pos, "field %u at table offset %u (%zu bytes) lies "
                       "outside the table's %u inline bytes", id, off, size,
                       t->inline_size);
    p = t->pos + off;
    if (p + size > r->size)
        return fb_fail(r, p, "field %u runs past the end of the file", id);
    if (p % size)
        return fb_fail(r, p, "field %u of %zu bytes is not aligned to %zu", id,
                       size, size);
    *pos = p;
    return 1;
}

int fb_root(fb_reader *r, fb_table *t)
{
    size_t target = 0;
    memset(t, 0, sizeof *t);
    if (follow(r, 0, &target))
        return -1;
    return open_table(r, target, 1, t);
}

int fb_has(const fb_reader *r, const fb_table *t, unsigned id)
{
    size_t slot = 4 + 2 * (size_t)id;
    return slot < t->vt_size && fb_load_u16(r->buf + t->vt + slot) != 0;
}

/* Scalar field of size bytes: *raw its bits, or def_bits when absent. */
static int scalar(fb_reader *r, const fb_table *t, unsigned id, size_t size,
                  uint64_t def_bits, uint64_t *raw)
{
    size_t p;
    int rc = field_pos(r, t, id, size, &p);
    *raw = def_bits;
    if (rc <= 0)
        return rc;
    switch (size) {
    case 1: *raw = r->buf[p]; break;
    case 2: *raw = fb_load_u16(r->buf + p); break;
    case 4: *raw = fb_load_u32(r->buf + p); break;
    default: *raw = fb_load_u64(r->buf + p); break;
    }
    return 0;
}

int fb_u8(fb_reader *r, const fb_table *t, unsigned id, uint8_t def, uint8_t *out)
{
    uint64_t v;
    int rc = scalar(r, t, id, 1, def, &v);
    *out = (uint8_t)v;
    return rc;
}

int fb_i8(fb_reader *r, const fb_table *t, unsigned id, int8_t def, int8_t *out)
{
    uint64_t v;
    int rc = scalar(r, t, id, 1, (uint8_t)def, &v);
    uint8_t b = (uint8_t)v;
    *out = (int8_t)(b < 128 ? (int)b : (int)b - 256);
    return rc;
}

int fb_bool(fb_reader *r, const fb_table *t, unsigned id, int def, int *out)
{
    uint64_t v;
    int rc = scalar(r, t, id, 1, def ? 1 : 0, &v);
    *out = v != 0;
    return rc;
}

int fb_i32(fb_reader *r, const fb_table *t, unsigned id, int32_t def, int32_t *out)
{
    uint64_t v;
    int rc = scalar(r, t, id, 4, (uint32_t)def, &v);
    uint32_t u = (uint32_t)v;
    *out = u <= INT32_MAX ? (int32_t)u : (int32_t)(u - 0x80000000u) + INT32_MIN;
    return rc;
}

int fb_u32(fb_reader *r, const fb_table *t, unsigned id, uint32_t def, uint32_t *out)
{
    uint64_t v;
    int rc = scalar(r, t, id, 4, def, &v);
    *out = (uint32_t)v;
    return rc;
}

int fb_u64(fb_reader *r, const fb_table *t, unsigned id, uint64_t def, uint64_t *out)
{
    return scalar(r, t, id, 8, def, out);
}

int fb_f32(fb_reader *r, const fb_table *t, unsigned id, float def, float *out)
{
    uint32_t bits;
    uint64_t v;
    int rc;
    memcpy(&bits, &def, 4);
    rc = scalar(r, t, id, 4, bits, &v);
    bits = (uint32_t)v;
    memcpy(out, &bits, 4);
    return rc;
}

/* Follow the uoffset stored at p: *target = p + value. */
static int follow(fb_reader *r, size_t p, size_t *target)
{
    uint32_t o;
    if (p % 4)
        return fb_fail(r, p, "offset at a position that is not a multiple of 4");
    if (p + 4 > r->size)
        return fb_fail(r, p, "offset runs past the end of the file");
    o = fb_load_u32(r->buf + p);
    if (o == 0)
        return fb_fail(r, p, "offset 0 points at itself");
    if (o > 0x7FFFFFFFu)
        return fb_fail(r, p, "offset %lu is larger than 2^31 - 1", (unsigned long)o);
    if (p + o >= r->size)
        return fb_fail(r, p, "offset %lu points to byte %zu, past the end of the "
                       "%zu-byte FlatBuffer", (unsigned long)o, p + o, r->size);
    *target = p + o;
    return 0;
}

/* Offset field id of t: 0 absent, 1 present with *target, -1 error. */
static int offset_field(fb_reader *r, const fb_table *t, unsigned id, size_t *target)
{
    size_t p;
    int rc = field_pos(r, t, id, 4, &p);
    if (rc <= 0)
        return rc;
    return follow(r, p, target) ? -1 : 1;
}

int fb_table_field(fb_reader *r, const fb_table *t, unsigned id, fb_table *child,
                   int *present)
{
    size_t target = 0;
    int rc = offset_field(r, t, id, &target);
    memset(child, 0, sizeof *child);
    *present = 0;
    if (rc <= 0)
        return rc;
    *present = 1;
    return open_table(r, target, t->depth + 1, child);
}

/* The vector at pos with elements of elem bytes. */
static int open_vec(fb_reader *r, size_t pos, size_t elem, fb_vec *v)
{
    uint32_t n;
    memset(v, 0, sizeof *v);
    if (pos % 4)
        return fb_fail(r, pos, "vector at a position that is not a multiple of 4");
    if (pos + 4 > r->size)
        return fb_fail(r, pos, "vector length runs past the end of the file");
    n = fb_load_u32(r->buf + pos);
    if ((size_t)n > (r->size - pos - 4) / elem)
        return fb_fail(r, pos, "vector of %lu elements of %zu bytes runs past the "
                       "end of the file (%zu bytes left)", (unsigned long)n, elem,
                       r->size - pos - 4);
    if ((pos + 4) % elem)
        return fb_fail(r, pos, "vector elements of %zu bytes are not aligned to %zu",
                       elem, elem);
    v->pos = pos;
    v->data = pos + 4;
    v->count = n;
    v->elem_size = elem;
    return 0;
}

int fb_vec_field(fb_reader *r, const fb_table *t, unsigned id, size_t elem_size,
                 fb_vec *v, int *present)
{
    size_t target = 0;
    int rc;
    memset(v, 0, sizeof *v);
    *present = 0;
    if (elem_size != 1 && elem_size != 2 && elem_size != 4 && elem_size != 8)
        BNNC_BUG("vector element size %zu", elem_size);
    rc = offset_field(r, t, id, &target);
    if (rc <= 0)
        return rc;
    *present = 1;
    return open_vec(r, target, elem_size, v);
}

int fb_str_field(fb_reader *r, const fb_table *t, unsigned id, const char **s,
                 size_t *len, int *present)
{
    fb_vec v;
    *s = NULL;
    *len = 0;
    if (fb_vec_field(r, t, id, 1, &v, present) || !*present)
        return *present ? -1 : 0;
    if (v.data + v.count >= r->size)
        return fb_fail(r, v.pos, "string of %zu bytes has no terminating NUL before "
                       "the end of the file", v.count);
    if (r->buf[v.data + v.count] != 0)
        return fb_fail(r, v.data + v.count, "string of %zu bytes is not "
                       "NUL-terminated", v.count);
    *s = (const char *)r->buf + v.data;
    *len = v.count;
    return 0;
}

int fb_union_field(fb_reader *r, const fb_table *t, unsigned type_id, uint8_t *type,
                   fb_table *value, int *present)
{
    memset(value, 0, sizeof *value);
    *present = 0;
    if (fb_u8(r, t, type_id, 0, type))
        return -1;
    if (*type == 0)
        return 0;
    return fb_table_field(r, t, type_id + 1, value, present);
}

int fb_vec_table(fb_reader *r, const fb_vec *v, size_t i, unsigned parent_depth,
                 fb_table *child)
{
    size_t target;
    memset(child, 0, sizeof *child);
    if (i >= v->count || v->elem_size != 4)
        BNNC_BUG("vector element %zu of %zu", i, v->count);
    if (follow(r, v->data + 4 * i, &target))
        return -1;
    return open_table(r, target, parent_depth + 1, child);
}

static const uint8_t *elem(const fb_reader *r, const fb_vec *v, size_t i, size_t size)
{
    if (i >= v->count || v->elem_size != size)
        BNNC_BUG("vector element %zu of %zu (%zu bytes, read as %zu)", i, v->count,
                 v->elem_size, size);
    return r->buf + v->data + i * size;
}

uint8_t fb_vec_u8(const fb_reader *r, const fb_vec *v, size_t i)
{
    return *elem(r, v, i, 1);
}

int32_t fb_vec_i32(const fb_reader *r, const fb_vec *v, size_t i)
{
    uint32_t u = fb_load_u32(elem(r, v, i, 4));
    return u <= INT32_MAX ? (int32_t)u : (int32_t)(u - 0x80000000u) + INT32_MIN;
}

int64_t fb_vec_i64(const fb_reader *r, const fb_vec *v, size_t i)
{
    uint64_t u = fb_load_u64(elem(r, v, i, 8));
    return u <= INT64_MAX ? (int64_t)u : (int64_t)(u - 0x8000000000000000u) + INT64_MIN;
}

float fb_vec_f32(const fb_reader *r, const fb_vec *v, size_t i)
{
    uint32_t u = fb_load_u32(elem(r, v, i, 4));
    float f;
    memcpy(&f, &u, 4);
    return f;
}
