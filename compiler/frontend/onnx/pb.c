/*
 * pb.c - the protobuf wire reader (see pb.h).
 *
 * Every read is checked against the end of the message it belongs to,
 * and every message's end against its parent's (pb_scan() refuses a
 * length past the end before pb_enter() can use it), so no byte outside
 * the buffer is ever touched. Lengths are compared as "n > end - pos",
 * never as "pos + n > end", so a 64-bit length cannot wrap.
 */
#include "pb.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int pb_fail(pb_ctx *ctx, size_t off, const pb_msg_desc *msg,
            const char *field, const char *fmt, ...)
{
    char text[BNNC_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (!msg)
        return bnnc_errf(ctx->err, "%s: byte %zu%s: %s", ctx->label, off,
                         ctx->where, text);
    return bnnc_errf(ctx->err, "%s: byte %zu%s: %s%s%s: %s", ctx->label, off,
                     ctx->where, msg->name, field ? "." : "",
                     field ? field : "", text);
}

size_t pb_where_push(pb_ctx *ctx, const char *fmt, ...)
{
    size_t mark = ctx->where_len;
    size_t room = sizeof ctx->where - mark;
    va_list ap;
    int n;
    if (room <= 3)
        return mark;
    ctx->where[mark] = ':';
    ctx->where[mark + 1] = ' ';
    va_start(ap, fmt);
    n = vsnprintf(ctx->where + mark + 2, room - 2, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    ctx->where_len = mark + 2 + ((size_t)n < room - 2 ? (size_t)n : room - 3);
    ctx->where[ctx->where_len] = '\0';
    return mark;
}

void pb_where_pop(pb_ctx *ctx, size_t mark)
{
    ctx->where_len = mark;
    ctx->where[mark] = '\0';
}

void pb_root(pb_ctx *ctx, const pb_msg_desc *desc, pb_msg *out)
{
    out->ctx = ctx;
    out->desc = desc;
    out->start = out->pos = 0;
    out->end = ctx->len;
}

void pb_enter(const pb_msg *m, const pb_field *f, const pb_msg_desc *desc,
              pb_msg *out)
{
    out->ctx = m->ctx;
    out->desc = desc;
    out->start = out->pos = f->val_off;
    out->end = f->val_off + f->len;
}

static int field_index(const pb_msg_desc *d, uint32_t number)
{
    for (size_t i = 0; i < d->n_fields; i++)
        if (d->fields[i].number == number)
            return (int)i;
    return -1;
}

const char *pb_field_name(const pb_msg *m, const pb_field *f, char *buf,
                          size_t size)
{
    if (f->index >= 0)
        return m->desc->fields[f->index].name;
    snprintf(buf, size, "field %u", (unsigned)f->number);
    return buf;
}

int pb_varint(pb_ctx *ctx, size_t *pos, size_t end, const pb_msg_desc *msg,
              const char *field, uint64_t *v)
{
    uint64_t x = 0;
    size_t start = *pos, p = *pos;
    for (int i = 0; i < 10; i++, p++) {
        uint8_t b;
        if (p >= end)
            return pb_fail(ctx, start, msg, field,
                           "varint truncated at byte %zu (the %s ends there)",
                           p, field ? "field" : "message");
        b = ctx->buf[p];
        if (i == 9 && b > 1)
            return pb_fail(ctx, start, msg, field,
                           b & 0x80 ? "varint longer than 10 bytes"
                                    : "varint overflows 64 bits");
        x |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *pos = p + 1;
            *v = x;
            return 0;
        }
    }
    return pb_fail(ctx, start, msg, field, "varint longer than 10 bytes");
}

/* Read one key and its value's extent at m->pos; fills f and moves the
 * cursor past the record. */
static int read_record(pb_msg *m, pb_field *f)
{
    pb_ctx *c = m->ctx;
    uint64_t key;
    char nb[32];
    const char *fname;
    f->key_off = m->pos;
    if (pb_varint(c, &m->pos, m->end, m->desc, NULL, &key))
        return -1;
    if ((key >> 3) == 0 || (key >> 3) > 0x1fffffff)
        return pb_fail(c, f->key_off, m->desc, NULL,
                       "invalid field number %llu in key 0x%llx",
                       (unsigned long long)(key >> 3),
                       (unsigned long long)key);
    f->number = (uint32_t)(key >> 3);
    f->wire = (int)(key & 7);
    f->index = field_index(m->desc, f->number);
    f->val_off = m->pos;
    f->u = 0;
    f->len = 0;
    fname = pb_field_name(m, f, nb, sizeof nb);
    switch (f->wire) {
    case PB_VARINT:
        return pb_varint(c, &m->pos, m->end, m->desc, fname, &f->u);
    case PB_I64:
        if (m->end - m->pos < 8)
            return pb_fail(c, f->key_off, m->desc, fname,
                           "8-byte value truncated (%zu bytes left)",
                           m->end - m->pos);
        f->u = pb_le64(c->buf + m->pos);
        m->pos += 8;
        return 0;
    case PB_I32:
        if (m->end - m->pos < 4)
            return pb_fail(c, f->key_off, m->desc, fname,
                           "4-byte value truncated (%zu bytes left)",
                           m->end - m->pos);
        f->u = pb_le32(c->buf + m->pos);
        m->pos += 4;
        return 0;
    case PB_LEN: {
        uint64_t n;
        if (pb_varint(c, &m->pos, m->end, m->desc, fname, &n))
            return -1;
        if (n > m->end - m->pos)
            return pb_fail(c, f->key_off, m->desc, fname,
                           "length %llu runs past the end of the %s "
                           "(%zu bytes left)",
                           (unsigned long long)n, m->desc->name,
                           m->end - m->pos);
        f->val_off = m->pos;
        f->len = (size_t)n;
        m->pos += (size_t)n;
        return 0;
    }
    case PB_SGROUP:
    case PB_EGROUP:
        return pb_fail(c, f->key_off, m->desc, fname,
                       "wire type %d (group) is not used by ONNX", f->wire);
    default:
        return pb_fail(c, f->key_off, m->desc, fname,
                       "invalid wire type %d", f->wire);
    }
}

static const char *wire_name(int w)
{
    switch (w) {
    case PB_VARINT: return "varint";
    case PB_I64: return "64-bit";
    case PB_LEN: return "length-delimited";
    case PB_I32: return "32-bit";
    default: return "invalid";
    }
}

/* The wire type a scalar kind's elements use (packed or not). */
static int elem_wire(pb_kind k)
{
    switch (k) {
    case PB_K_VARINT: case PB_K_REP_VARINT: return PB_VARINT;
    case PB_K_I32: case PB_K_REP_I32: return PB_I32;
    case PB_K_I64: case PB_K_REP_I64: return PB_I64;
    default: return PB_LEN;
    }
}

static int is_repeated_scalar(pb_kind k)
{
    return k == PB_K_REP_VARINT || k == PB_K_REP_I32 || k == PB_K_REP_I64;
}

/* Elements in the packed payload of f; checks that it holds whole
 * elements (varints terminated, none longer than 10 bytes). */
static int packed_count(const pb_msg *m, const pb_field *f, pb_kind k,
                        size_t *n)
{
    const char *name = m->desc->fields[f->index].name;
    if (k == PB_K_REP_I32 || k == PB_K_REP_I64) {
        size_t w = k == PB_K_REP_I32 ? 4 : 8;
        if (f->len % w)
            return pb_fail(m->ctx, f->val_off, m->desc, name,
                           "packed payload of %zu bytes is not a whole "
                           "number of %zu-byte values", f->len, w);
        *n = f->len / w;
        return 0;
    }
    *n = 0;
    for (size_t p = f->val_off, end = f->val_off + f->len; p < end;) {
        uint64_t v;
        if (pb_varint(m->ctx, &p, end, m->desc, name, &v))
            return -1;
        (*n)++;
    }
    return 0;
}

int pb_scan(const pb_msg *m, pb_scan_result *r)
{
    pb_msg cur = *m;
    pb_field f;
    for (size_t i = 0; i < PB_MAX_FIELDS; i++) {
        r->count[i] = 0;
        r->last_off[i] = r->last_val[i] = SIZE_MAX;
        r->last_len[i] = 0;
    }
    while (cur.pos < cur.end) {
        const pb_field_desc *d;
        int want;
        if (read_record(&cur, &f))
            return -1;
        if (f.index < 0)
            continue;   /* unknown field: skipped by its wire type */
        d = &m->desc->fields[f.index];
        want = elem_wire(d->kind);
        if (is_repeated_scalar(d->kind) && f.wire == PB_LEN) {
            size_t n = 0;
            if (packed_count(&cur, &f, d->kind, &n))
                return -1;
            r->count[f.index] += n;
        } else if (f.wire != want) {
            return pb_fail(m->ctx, f.key_off, m->desc, d->name,
                           "wire type %d (%s) where %s is declared %s",
                           f.wire, wire_name(f.wire), d->name,
                           wire_name(want));
        } else {
            if (d->kind == PB_K_MSG && r->count[f.index])
                return pb_fail(m->ctx, f.key_off, m->desc, d->name,
                               "appears twice (message fields are not "
                               "merged)");
            r->count[f.index]++;
        }
        r->last_off[f.index] = f.key_off;
        r->last_val[f.index] = f.val_off;
        r->last_len[f.index] = f.len;
    }
    return 0;
}

int pb_next(pb_msg *m, pb_field *f)
{
    if (m->pos >= m->end)
        return 0;
    return read_record(m, f) ? -1 : 1;
}

void pb_rep_begin(const pb_msg *m, const pb_field *f, pb_rep_iter *it)
{
    pb_kind k = f->index >= 0 ? m->desc->fields[f->index].kind : PB_K_REP_VARINT;
    it->m = m;
    it->f = f;
    it->kind = elem_wire(k);
    it->single_left = f->wire != PB_LEN;
    it->pos = f->wire == PB_LEN ? f->val_off : 0;
    it->end = f->wire == PB_LEN ? f->val_off + f->len : 0;
}

int pb_rep_next(pb_rep_iter *it, uint64_t *v, size_t *off)
{
    const pb_msg *m = it->m;
    const char *name = it->f->index >= 0
                           ? m->desc->fields[it->f->index].name : "?";
    if (it->f->wire != PB_LEN) {
        if (!it->single_left)
            return 0;
        it->single_left = 0;
        *v = it->f->u;
        if (off)
            *off = it->f->val_off;
        return 1;
    }
    if (it->pos >= it->end)
        return 0;
    if (off)
        *off = it->pos;
    switch (it->kind) {
    case PB_VARINT:
        return pb_varint(m->ctx, &it->pos, it->end, m->desc, name, v) ? -1
                                                                       : 1;
    case PB_I32:
        if (it->end - it->pos < 4)
            return pb_fail(m->ctx, it->pos, m->desc, name,
                           "packed 4-byte value truncated");
        *v = pb_le32(m->ctx->buf + it->pos);
        it->pos += 4;
        return 1;
    default:
        if (it->end - it->pos < 8)
            return pb_fail(m->ctx, it->pos, m->desc, name,
                           "packed 8-byte value truncated");
        *v = pb_le64(m->ctx->buf + it->pos);
        it->pos += 8;
        return 1;
    }
}

int pb_int32(const pb_msg *m, const pb_field *f, int32_t *v)
{
    int64_t s = (int64_t)f->u;
    if (s < INT32_MIN || s > INT32_MAX) {
        char nb[32];
        return pb_fail(m->ctx, f->val_off, m->desc,
                       pb_field_name(m, f, nb, sizeof nb),
                       "value %lld is outside the int32 range",
                       (long long)s);
    }
    *v = (int32_t)s;
    return 0;
}

float pb_f32(uint64_t bits)
{
    uint32_t u = (uint32_t)bits;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

double pb_f64(uint64_t bits)
{
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

uint32_t pb_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

uint64_t pb_le64(const uint8_t *p)
{
    return (uint64_t)pb_le32(p) | (uint64_t)pb_le32(p + 4) << 32;
}
