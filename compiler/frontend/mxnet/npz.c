/*
 * npz.c - MXNet 2.0 weight files: .npz archives (a ZIP of .npy members,
 * STORED by MXNet and np.savez, DEFLATEd by np.savez_compressed) and
 * single .npy files.
 *
 * ZIP: the central directory is authoritative. The end-of-central-
 * directory record is searched backwards; a ZIP64 locator just before it
 * (and ZIP64 extra fields in entries, which numpy always writes) supplies
 * 64-bit counts, sizes and offsets. Sizes come from the central directory,
 * so members written with a data descriptor (bit 3, zeros in the local
 * header) read the same way. Every member's CRC-32 is checked.
 *
 * .npy: "\x93NUMPY", version 1.0 (u16 header length), 2.0 or 3.0 (u32),
 * then a Python dict literal with exactly 'descr', 'fortran_order' and
 * 'shape', then the raw data. Accepted descr: little-endian (or byte-order
 * free) f2 f4 f8 i1 u1 b1 i2 u2 i4 u4 i8 u8, and the structured
 * [('bfloat16', '<u2')] that MXNet 2.0 writes for bfloat16. Big-endian,
 * complex, string, object and other structured types are rejected; so is
 * an opaque 'V2' (ml_dtypes' bfloat16 saves as that, but the file does not
 * say what it holds). fortran_order True is transposed to C order.
 */
#include "params.h"
#include "params_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <zlib.h>

#include "../../util/mem.h"

#define SIG_LOCAL   0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD    0x06054b50u
#define SIG_Z64LOC  0x07064b50u
#define SIG_Z64EOCD 0x06064b50u

/* DEFLATE cannot expand better than about 1032:1; larger declared sizes
 * are corrupt (or a bomb) and are refused before allocating. */
#define DEFLATE_MAX_RATIO 1032u

/* ------------------------------------------------------------ .npy */

typedef struct {
    const char *s;   /* header text */
    size_t n, i;
    size_t off;      /* cursor offset of s[0] */
    mx_cursor *c;
} hscan;

static int hfail(const hscan *h, const char *what)
{
    char near[24];
    size_t k = 0;
    for (size_t j = h->i; j < h->n && k < 16; j++) {
        unsigned char ch = (unsigned char)h->s[j];
        near[k++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    while (k > 0 && near[k - 1] == ' ') /* header padding */
        k--;
    near[k] = '\0';
    return bc_fail_at(h->c, h->off + h->i, ".npy header: %s (at \"%s\")",
                       what, near);
}

static void hws(hscan *h)
{
    while (h->i < h->n && (h->s[h->i] == ' ' || h->s[h->i] == '\t' ||
                           h->s[h->i] == '\n' || h->s[h->i] == '\r'))
        h->i++;
}

/* Consume ch (after whitespace) if present. */
static int hacc(hscan *h, char ch)
{
    hws(h);
    if (h->i < h->n && h->s[h->i] == ch) {
        h->i++;
        return 1;
    }
    return 0;
}

/* A quoted string without escapes; *p, *len point into the header. */
static int hstr(hscan *h, const char **p, size_t *len)
{
    char q;
    size_t start;
    hws(h);
    if (h->i >= h->n || (h->s[h->i] != '\'' && h->s[h->i] != '"'))
        return hfail(h, "expected a quoted string");
    q = h->s[h->i++];
    start = h->i;
    while (h->i < h->n && h->s[h->i] != q) {
        if (h->s[h->i] == '\\')
            return hfail(h, "escapes in strings are not supported");
        h->i++;
    }
    if (h->i >= h->n)
        return hfail(h, "unterminated string");
    *p = h->s + start;
    *len = h->i - start;
    h->i++;
    return 0;
}

static int hword(hscan *h, const char *w)
{
    size_t n = strlen(w);
    hws(h);
    if (h->n - h->i >= n && !memcmp(h->s + h->i, w, n)) {
        h->i += n;
        return 1;
    }
    return 0;
}

/* Map a descr string to a dtype flag, or fail with the reason. */
static int descr_dtype(hscan *h, const char *d, size_t n, int *dtype)
{
    static const struct { char code[3]; int dtype; } tab[] = {
        {"f2", MX_F16}, {"f4", MX_F32}, {"f8", MX_F64}, {"i1", MX_I8},
        {"u1", MX_U8},  {"b1", MX_BOOL}, {"i2", MX_I16}, {"u2", MX_U16},
        {"i4", MX_I32}, {"u4", MX_U32}, {"i8", MX_I64}, {"u8", MX_U64},
    };
    char shown[40];
    size_t at = h->off + (size_t)(d - h->s); /* the string's first byte */
    bc_fmt_name(shown, sizeof shown, d, n);
    if (n == 3 && strchr("<>|=", d[0])) {
        for (size_t k = 0; k < sizeof tab / sizeof tab[0]; k++) {
            if (memcmp(d + 1, tab[k].code, 2))
                continue;
            if (mx_dtype_size(tab[k].dtype) > 1 && d[0] == '>')
                return bc_fail_at(h->c, at,
                                   ".npy descr '%s' is big-endian; only "
                                   "little-endian data is supported", shown);
            if (mx_dtype_size(tab[k].dtype) > 1 && d[0] != '<')
                return bc_fail_at(h->c, at,
                                   ".npy descr '%s' does not give the byte "
                                   "order of a multi-byte type", shown);
            *dtype = tab[k].dtype;
            return 0;
        }
        if (d[1] == 'V' && d[2] == '2')
            return bc_fail_at(h->c, at,
                               ".npy descr '%s' is an opaque 2-byte type "
                               "(ml_dtypes writes bfloat16 this way but the "
                               "file does not say so); save as float32 or "
                               "as [('bfloat16', '<u2')]", shown);
    }
    return bc_fail_at(h->c, at, ".npy descr '%s' is not supported",
                       shown);
}

/* Parse the header dict into dtype, fortran order and shape. */
static int parse_header(hscan *h, int *dtype, int *fortran, int *ndim,
                        int64_t *dims)
{
    int have_d = 0, have_f = 0, have_s = 0;
    if (!hacc(h, '{'))
        return hfail(h, "expected '{'");
    while (!hacc(h, '}')) {
        const char *k;
        size_t kn;
        if (hstr(h, &k, &kn))
            return -1;
        if (!hacc(h, ':'))
            return hfail(h, "expected ':'");
        if (kn == 5 && !memcmp(k, "descr", 5) && !have_d) {
            have_d = 1;
            if (hacc(h, '[')) {
                /* Structured: only MXNet's bfloat16 is understood. */
                const char *f, *t;
                size_t fn, tn;
                if (!hacc(h, '(') || hstr(h, &f, &fn) || !hacc(h, ',') ||
                    hstr(h, &t, &tn) || !hacc(h, ')'))
                    return hfail(h, "structured descr is not [('name', "
                                    "'type')]");
                hacc(h, ',');
                if (!hacc(h, ']'))
                    return hfail(h, "structured descr with more than one "
                                    "field is not supported");
                if (!(fn == 8 && !memcmp(f, "bfloat16", 8) && tn == 3 &&
                      !memcmp(t, "<u2", 3)))
                    return hfail(h, "structured descr other than "
                                    "[('bfloat16', '<u2')] is not supported");
                *dtype = MX_BF16;
            } else {
                const char *d;
                size_t dn;
                if (hstr(h, &d, &dn) || descr_dtype(h, d, dn, dtype))
                    return -1;
            }
        } else if (kn == 13 && !memcmp(k, "fortran_order", 13) && !have_f) {
            have_f = 1;
            if (hword(h, "True"))
                *fortran = 1;
            else if (hword(h, "False"))
                *fortran = 0;
            else
                return hfail(h, "fortran_order is not True or False");
        } else if (kn == 5 && !memcmp(k, "shape", 5) && !have_s) {
            have_s = 1;
            *ndim = 0;
            if (!hacc(h, '('))
                return hfail(h, "shape is not a tuple");
            while (!hacc(h, ')')) {
                uint64_t v = 0;
                size_t start;
                hws(h);
                start = h->i;
                while (h->i < h->n && h->s[h->i] >= '0' && h->s[h->i] <= '9') {
                    unsigned dig = (unsigned)(h->s[h->i] - '0');
                    if (v > ((uint64_t)INT64_MAX - dig) / 10)
                        return hfail(h, "shape dimension is too large");
                    v = v * 10 + dig;
                    h->i++;
                }
                if (h->i == start)
                    return hfail(h, "shape dimension is not a non-negative "
                                    "integer");
                if (h->i < h->n && h->s[h->i] == 'L')
                    h->i++; /* Python 2 long */
                if (*ndim == MX_MAX_NDIM)
                    return hfail(h, "shape has more than 32 dimensions");
                dims[(*ndim)++] = (int64_t)v;
                if (!hacc(h, ',')) {
                    if (!hacc(h, ')'))
                        return hfail(h, "expected ',' or ')' in shape");
                    break;
                }
            }
        } else {
            char kshown[80];
            bc_fmt_name(kshown, sizeof kshown, k, kn);
            h->i = (size_t)(k - h->s);
            return bc_fail_at(h->c, h->off + h->i,
                               ".npy header: key '%s' is unknown or repeated",
                               kshown);
        }
        if (!hacc(h, ',')) {
            if (!hacc(h, '}'))
                return hfail(h, "expected ',' or '}'");
            break;
        }
    }
    hws(h);
    if (h->i != h->n)
        return hfail(h, "text after the dict");
    if (!have_d || !have_f || !have_s)
        return bc_fail_at(h->c, h->off, ".npy header lacks '%s'",
                           !have_d ? "descr"
                                   : !have_f ? "fortran_order" : "shape");
    return 0;
}

/* Copy a Fortran-ordered array (all dims > 0) into C order. */
static void fortran_to_c(uint8_t *dst, const uint8_t *src, int ndim,
                         const int64_t *dims, size_t count, size_t es)
{
    size_t fstride[MX_MAX_NDIM], idx[MX_MAX_NDIM] = {0}, soff = 0;
    fstride[0] = 1;
    for (int k = 1; k < ndim; k++)
        fstride[k] = fstride[k - 1] * (size_t)dims[k - 1];
    for (size_t i = 0; i < count; i++) {
        memcpy(dst + i * es, src + soff * es, es);
        for (int k = ndim - 1; k >= 0; k--) {
            soff += fstride[k];
            if (++idx[k] < (size_t)dims[k])
                break;
            soff -= fstride[k] * (size_t)dims[k];
            idx[k] = 0;
        }
    }
}

/* Parse one .npy image (the whole cursor range) into a. */
static int parse_npy(mx_cursor *c, mx_array *a)
{
    const uint8_t *p, *ver, *hdr, *data;
    uint32_t hlen;
    int fortran = 0;
    uint64_t count = 0;
    size_t es;
    hscan h;

    a->record = MX_REC_NPY;
    a->file_offset = c->base + c->pos;
    if (bc_rd_bytes(c, 6, ".npy magic", &p))
        return -1;
    if (memcmp(p, "\x93NUMPY", 6))
        return bc_fail_at(c, c->pos - 6, "not a .npy (bad magic)");
    if (bc_rd_bytes(c, 2, ".npy version", &ver))
        return -1;
    if (ver[0] < 1 || ver[0] > 3 || ver[1] != 0)
        return bc_fail_at(c, c->pos - 2, ".npy version %u.%u is unknown",
                           ver[0], ver[1]);
    if (ver[0] == 1) {
        uint16_t l16;
        if (bc_rd_u16(c, ".npy header length", &l16))
            return -1;
        hlen = l16;
    } else if (bc_rd_u32(c, ".npy header length", &hlen)) {
        return -1;
    }
    if (bc_rd_bytes(c, hlen, ".npy header", &hdr))
        return -1;
    h.s = (const char *)hdr;
    h.n = hlen;
    h.i = 0;
    h.off = c->pos - hlen;
    h.c = c;
    if (parse_header(&h, &a->dtype, &fortran, &a->ndim, a->shape))
        return -1;
    if (bc_shape_count(c, h.off, a->ndim, a->shape, &count))
        return -1;
    es = mx_dtype_size(a->dtype);
    if (count > (c->len - c->pos) / es)
        return bc_fail_at(c, c->pos,
                           "truncated: .npy data needs %llu x %zu bytes, %zu "
                           "left", (unsigned long long)count, es,
                           c->len - c->pos);
    a->count = (size_t)count;
    a->nbytes = a->count * es;
    data = c->buf + c->pos;
    c->pos += a->nbytes;
    if (!a->nbytes)
        return 0;
    a->data = xmalloc(a->nbytes);
    if (fortran && a->ndim > 1)
        fortran_to_c(a->data, data, a->ndim, a->shape, a->count, es);
    else
        memcpy(a->data, data, a->nbytes);
    return 0;
}

int mx__parse_npy_file(const uint8_t *buf, size_t len, const char *label,
                       mx_list *l, bnnc_err *err)
{
    mx_cursor c = {buf, len, 0, 0, label, "", err};
    mx_array *a = mx__push(l);
    mx__set_key(a, "", 0);
    if (parse_npy(&c, a))
        return -1;
    if (c.pos < len)
        bnnc_warnf("%s: byte %zu: %zu trailing bytes after the .npy data "
                   "ignored", label, c.pos, len - c.pos);
    return 0;
}

/* ------------------------------------------------------------ ZIP */

typedef struct {
    uint16_t flags, method;
    uint32_t crc;
    uint64_t csize, usize, lho;
    const uint8_t *name;
    size_t name_len;
    size_t off;        /* of the central directory entry */
} zentry;

/* Take 64-bit values from the ZIP64 extra field (id 1) for the fields
 * whose 32-bit value is 0xFFFFFFFF, in the order usize, csize, lho. */
static int zip64_extra(mx_cursor *c, const uint8_t *ex, size_t n,
                       size_t ex_off, zentry *e)
{
    int need_u = e->usize == 0xFFFFFFFFu, need_c = e->csize == 0xFFFFFFFFu;
    int need_l = e->lho == 0xFFFFFFFFu;
    size_t i = 0;
    if (!need_u && !need_c && !need_l)
        return 0;
    while (n - i >= 4) {
        uint16_t id = bc_le16(ex + i), sz = bc_le16(ex + i + 2);
        size_t j = i + 4;
        if (sz > n - j)
            return bc_fail_at(c, ex_off + i, "extra field block of %u bytes "
                               "overruns the entry", sz);
        if (id == 1) {
            uint64_t *want[3];
            int nw = 0;
            if (need_u)
                want[nw++] = &e->usize;
            if (need_c)
                want[nw++] = &e->csize;
            if (need_l)
                want[nw++] = &e->lho;
            if ((size_t)sz < (size_t)nw * 8)
                return bc_fail_at(c, ex_off + i, "ZIP64 extra field has %u "
                                   "bytes, needs %d", sz, nw * 8);
            for (int k = 0; k < nw; k++)
                *want[k] = bc_le64(ex + j + 8 * (size_t)k);
            return 0;
        }
        i = j + sz;
    }
    return bc_fail_at(c, ex_off, "sizes are 0xFFFFFFFF but there is no ZIP64 "
                       "extra field");
}

/* Inflate a raw DEFLATE stream of exactly usize output bytes. */
static int inflate_member(mx_cursor *c, size_t off, const uint8_t *in,
                          uint64_t csize, uint64_t usize, uint8_t **outp)
{
    z_stream zs;
    uint8_t *out;
    uint64_t in_left = csize, out_left = usize;
    int zr;

    if (usize / DEFLATE_MAX_RATIO > csize + 1)
        return bc_fail_at(c, off, "declared inflated size %llu is impossible "
                           "for %llu compressed bytes",
                           (unsigned long long)usize,
                           (unsigned long long)csize);
    if (usize > SIZE_MAX)
        return bc_fail_at(c, off, "inflated size %llu does not fit in memory",
                           (unsigned long long)usize);
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
        return bc_fail_at(c, off, "cannot start zlib: %s",
                           zs.msg ? zs.msg : "unknown error");
    out = xmalloc((size_t)usize);
    zs.next_in = in;
    zs.next_out = out;
    do {
        uInt ain = in_left > (1u << 30) ? (1u << 30) : (uInt)in_left;
        uInt aout = out_left > (1u << 30) ? (1u << 30) : (uInt)out_left;
        zs.avail_in = ain;
        zs.avail_out = aout;
        zr = inflate(&zs, Z_NO_FLUSH);
        in_left -= ain - zs.avail_in;
        out_left -= aout - zs.avail_out;
    } while (zr == Z_OK);
    if (zr != Z_STREAM_END || out_left) {
        const char *why = zr == Z_DATA_ERROR ? (zs.msg ? zs.msg : "bad data")
                          : zr == Z_STREAM_END ? "ends early"
                          : "is truncated or longer than declared";
        inflateEnd(&zs);
        free(out);
        return bc_fail_at(c, off, "DEFLATE data %s (declared %llu bytes, "
                           "%llu missing)", why, (unsigned long long)usize,
                           (unsigned long long)out_left);
    }
    inflateEnd(&zs);
    *outp = out;
    return 0;
}

/* Check a member's CRC-32. Fuzzing builds skip it so that mutations reach
 * the .npy parser. */
static int check_crc(mx_cursor *c, size_t off, const uint8_t *p, uint64_t n,
                     uint32_t want)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    (void)c; (void)off; (void)p; (void)n; (void)want;
    return 0;
#else
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = crc32(crc, p, k);
        p += k;
        n -= k;
    }
    if ((uint32_t)crc != want)
        return bc_fail_at(c, off, "CRC-32 is 0x%08x, the directory says "
                           "0x%08x", (unsigned)crc, (unsigned)want);
    return 0;
#endif
}

/* Read member e (central directory already parsed) into a new array. */
static int read_member(mx_cursor *c, const zentry *e, mx_list *l)
{
    const uint8_t *lh, *data;
    size_t data_off, key_len;
    uint8_t *inflated = NULL;
    char shown[200];
    mx_array *a;
    int rc;

    bc_fmt_name(shown, sizeof shown, (const char *)e->name, e->name_len);
    snprintf(c->ctx, sizeof c->ctx, "entry '%s'", shown);
    if (memchr(e->name, 0, e->name_len))
        return bc_fail_at(c, e->off + 46, "name contains a NUL byte");
    if (e->flags & 0x41)
        return bc_fail_at(c, e->off + 8, "member is encrypted");
    if (e->method != 0 && e->method != 8)
        return bc_fail_at(c, e->off + 10, "compression method %u is not "
                           "supported (only 0 stored and 8 deflate)",
                           e->method);
    if (e->name_len < 4 || memcmp(e->name + e->name_len - 4, ".npy", 4))
        return bc_fail_at(c, e->off + 46, "member is not a .npy file");
    if (e->name_len >= 11 &&
        !memcmp(e->name + e->name_len - 11, "/format.npy", 11))
        return bc_fail_at(c, e->off + 46, "member belongs to a sparse array "
                           "saved as a folder; sparse arrays in .npz are not "
                           "supported (save them dense)");
    key_len = e->name_len - 4;

    if (e->lho > c->len || c->len - e->lho < 30)
        return bc_fail_at(c, e->off + 42, "local header offset %llu is "
                           "outside the file", (unsigned long long)e->lho);
    c->pos = (size_t)e->lho;
    if (bc_rd_bytes(c, 30, "local header", &lh))
        return -1;
    if (bc_le32(lh) != SIG_LOCAL)
        return bc_fail_at(c, (size_t)e->lho, "no local header signature");
    {
        uint16_t nl = bc_le16(lh + 26), el = bc_le16(lh + 28);
        const uint8_t *lname, *lextra;
        if (bc_rd_bytes(c, nl, "local name", &lname) ||
            bc_rd_bytes(c, el, "local extra field", &lextra))
            return -1;
        if (nl != e->name_len || memcmp(lname, e->name, nl))
            return bc_fail_at(c, (size_t)e->lho + 30, "local header names a "
                               "different member");
    }
    data_off = c->pos;
    if (e->csize > c->len - data_off)
        return bc_fail_at(c, data_off, "truncated: member data needs %llu "
                           "bytes, %zu left", (unsigned long long)e->csize,
                           c->len - data_off);
    data = c->buf + data_off;
    if (e->method == 0) {
        if (e->usize != e->csize)
            return bc_fail_at(c, e->off + 20, "stored member has compressed "
                               "size %llu but size %llu",
                               (unsigned long long)e->csize,
                               (unsigned long long)e->usize);
    } else if (inflate_member(c, data_off, data, e->csize, e->usize,
                              &inflated)) {
        return -1;
    }
    if (check_crc(c, data_off, inflated ? inflated : data, e->usize, e->crc)) {
        free(inflated);
        return -1;
    }

    a = mx__push(l);
    mx__set_key(a, (const char *)e->name, key_len);
    bc_fmt_name(shown, sizeof shown, a->key, key_len);
    if (!inflated) {
        mx_cursor m = {data, (size_t)e->usize, 0, data_off, c->label, "",
                       c->err};
        snprintf(m.ctx, sizeof m.ctx, "array '%s'", shown);
        rc = parse_npy(&m, a);
        if (!rc && m.pos < m.len)
            bnnc_warnf("%s: byte %zu: %s: %zu trailing bytes after the .npy "
                       "data ignored", c->label, data_off + m.pos, m.ctx,
                       m.len - m.pos);
    } else {
        char label[BNNC_ERR_MAX / 2];
        mx_cursor m = {inflated, (size_t)e->usize, 0, 0, label, "", c->err};
        snprintf(label, sizeof label, "%s: array '%s' (deflated at byte %zu)",
                 c->label, shown, data_off);
        rc = parse_npy(&m, a);
        a->file_offset = data_off;
        if (!rc && m.pos < m.len)
            bnnc_warnf("%s: byte %zu: %zu trailing bytes after the .npy "
                       "data ignored", label, m.pos, m.len - m.pos);
        free(inflated);
    }
    c->ctx[0] = '\0';
    return rc;
}

int mx__parse_npz(const uint8_t *buf, size_t len, const char *label,
                  mx_list *l, bnnc_err *err)
{
    mx_cursor c = {buf, len, 0, 0, label, "", err};
    size_t eocd = 0, lo;
    int found = 0;
    uint64_t entries, cd_size, cd_off;
    const uint8_t *p;

    if (len < 22)
        return bc_fail_at(&c, 0, "truncated ZIP: %zu bytes, no end of "
                           "central directory", len);
    lo = len - 22 > 65535 ? len - 22 - 65535 : 0;
    for (size_t i = len - 22 + 1; i-- > lo;) {
        if (bc_le32(buf + i) == SIG_EOCD &&
            bc_le16(buf + i + 20) <= len - 22 - i) {
            eocd = i;
            found = 1;
            break;
        }
    }
    if (!found)
        return bc_fail_at(&c, len, "truncated ZIP: no end of central "
                           "directory record");
    p = buf + eocd;
    if (bc_le16(p + 4) != 0 || bc_le16(p + 6) != 0 ||
        bc_le16(p + 8) != bc_le16(p + 10))
        return bc_fail_at(&c, eocd, "multi-part ZIP archives are not "
                           "supported");
    entries = bc_le16(p + 10);
    cd_size = bc_le32(p + 12);
    cd_off = bc_le32(p + 16);
    if (eocd >= 20 && bc_le32(buf + eocd - 20) == SIG_Z64LOC) {
        /* ZIP64: locator -> ZIP64 end of central directory. */
        const uint8_t *loc = buf + eocd - 20, *z;
        uint64_t zoff = bc_le64(loc + 8);
        if (bc_le32(loc + 4) != 0 || bc_le32(loc + 16) > 1)
            return bc_fail_at(&c, eocd - 20, "multi-part ZIP archives are "
                               "not supported");
        if (zoff > eocd - 20 || eocd - 20 - zoff < 56)
            return bc_fail_at(&c, eocd - 20, "ZIP64 end of central directory "
                               "offset %llu is invalid",
                               (unsigned long long)zoff);
        z = buf + zoff;
        if (bc_le32(z) != SIG_Z64EOCD)
            return bc_fail_at(&c, (size_t)zoff, "no ZIP64 end of central "
                               "directory signature");
        if (bc_le32(z + 16) != 0 || bc_le32(z + 20) != 0 ||
            bc_le64(z + 24) != bc_le64(z + 32))
            return bc_fail_at(&c, (size_t)zoff, "multi-part ZIP archives are "
                               "not supported");
        entries = bc_le64(z + 32);
        cd_size = bc_le64(z + 40);
        cd_off = bc_le64(z + 48);
    }
    if (entries > MX_MAX_ARRAYS)
        return bc_fail_at(&c, eocd, "%llu ZIP entries is more than %u",
                           (unsigned long long)entries, MX_MAX_ARRAYS);
    if (cd_off > len || cd_size > len - cd_off)
        return bc_fail_at(&c, eocd, "central directory (offset %llu, %llu "
                           "bytes) is outside the file",
                           (unsigned long long)cd_off,
                           (unsigned long long)cd_size);
    if (entries > cd_size / 46)
        return bc_fail_at(&c, eocd, "%llu ZIP entries cannot fit in a %llu "
                           "byte central directory",
                           (unsigned long long)entries,
                           (unsigned long long)cd_size);

    {
        size_t pos = (size_t)cd_off;
        for (uint64_t i = 0; i < entries; i++) {
            zentry e;
            const uint8_t *h, *extra, *comment;
            uint16_t elen, clen;
            mx_cursor dc = {buf, (size_t)(cd_off + cd_size), pos, 0, label,
                            "", err};
            snprintf(dc.ctx, sizeof dc.ctx, "ZIP entry #%llu",
                     (unsigned long long)i);
            e.off = pos;
            if (bc_rd_bytes(&dc, 46, "central directory entry", &h))
                return -1;
            if (bc_le32(h) != SIG_CENTRAL)
                return bc_fail_at(&dc, pos, "no central directory "
                                   "signature");
            e.flags = bc_le16(h + 8);
            e.method = bc_le16(h + 10);
            e.crc = bc_le32(h + 16);
            e.csize = bc_le32(h + 20);
            e.usize = bc_le32(h + 24);
            e.name_len = bc_le16(h + 28);
            elen = bc_le16(h + 30);
            clen = bc_le16(h + 32);
            e.lho = bc_le32(h + 42);
            if (bc_rd_bytes(&dc, e.name_len, "entry name", &e.name) ||
                bc_rd_bytes(&dc, elen, "extra field", &extra) ||
                bc_rd_bytes(&dc, clen, "entry comment", &comment))
                return -1;
            if (zip64_extra(&dc, extra, elen, pos + 46 + e.name_len, &e))
                return -1;
            pos = dc.pos;
            if (read_member(&c, &e, l))
                return -1;
        }
    }
    return 0;
}
