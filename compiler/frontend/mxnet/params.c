/*
 * params.c - the MXNet NDArray list reader (magic 0x112), container
 * sniffing, names, lookups and dtype conversions. The .npz/.npy part lives
 * in npz.c.
 *
 * List layout (all little-endian, no padding): u64 magic 0x112, u64
 * reserved, u64 N, N records, u64 K (0 or N), K names (u64 length +
 * bytes). Each record is dispatched on its first u32: V3 0xF993FACA,
 * V2 0xF993FAC9, V1 0xF993FAC8, anything else is a legacy record whose
 * first u32 is ndim.
 *
 *   legacy  ndim u32 [0 = none, record ends], dims u32 x ndim,
 *           dev_type i32, dev_id i32, dtype i32, data
 *   V1      tag, ndim u32 [0 = none], dims i64 x ndim, ctx, dtype, data
 *   V2/V3   tag, stype i32, [storage shape if sparse], shape,
 *           [none: record ends], ctx, dtype, [aux dtype + aux shape per
 *           aux array if sparse], data, [aux data if sparse]
 *
 * A shape is i32 ndim then ndim x i64. V2 ndim 0 means none; V3 ndim -1 or
 * any dim -1 means none and V3 ndim 0 is a one-element scalar. Sparse data
 * holds only the stored values (prod(storage shape) elements); row_sparse
 * has one aux array (row indices), csr two (indptr, column indices).
 */
#include "params.h"
#include "params_impl.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../util/mem.h"

#define TAG_V1 0xF993FAC8u
#define TAG_V2 0xF993FAC9u
#define TAG_V3 0xF993FACAu
#define LIST_MAGIC 0x112u

/* Densified sparse arrays are not bounded by the file size; cap them. */
#define MX_MAX_DENSE_BYTES ((uint64_t)256 << 20)

static void free_arrays(mx_array *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(a[i].key);
        free(a[i].data);
    }
    free(a);
}

void mx_params_free(mx_params *p)
{
    if (!p)
        return;
    free_arrays(p->arrays, p->count);
    free(p->path);
    memset(p, 0, sizeof *p);
}

/* --------------------------------------------------------- the records */

/* A sparse record's parts, kept until the names are known so that their
 * validation errors can name the array. Offsets are file offsets. */
typedef struct {
    size_t index;
    int stype;                   /* 1 row_sparse, 2 csr */
    int s_ndim;                  /* storage shape */
    int64_t s_dims[MX_MAX_NDIM];
    size_t s_off;                /* offset of the storage shape */
    uint64_t s_count;
    size_t values_off;
    int aux_dtype[2];
    int aux_ndim[2];
    int64_t aux_dim0[2];
    uint64_t aux_count[2];
    size_t aux_desc_off[2];
    size_t aux_off[2];
} sparse_rec;

typedef struct {
    sparse_rec *r;
    size_t n, cap;
} sparse_list;

static const char *const stype_names[] = {"dense", "row_sparse", "csr"};

/* Read a TShape (i32 ndim, i64 dims). With allow_unknown (V3), ndim -1
 * and dims -1 set *unknown instead of failing. */
static int read_shape(mx_cursor *c, const char *what, int allow_unknown,
                      int *ndim, int64_t *dims, int *unknown)
{
    size_t off = c->pos;
    int32_t nd;
    char buf[64];
    *unknown = 0;
    snprintf(buf, sizeof buf, "%s ndim", what);
    if (bc_rd_i32(c, buf, &nd))
        return -1;
    if (nd == -1 && allow_unknown) {
        *unknown = 1;
        *ndim = 0;
        return 0;
    }
    if (nd < 0)
        return bc_fail_at(c, off, "%s ndim %d is negative", what, nd);
    if (nd > MX_MAX_NDIM)
        return bc_fail_at(c, off, "%s ndim %d is more than %d", what, nd,
                           MX_MAX_NDIM);
    snprintf(buf, sizeof buf, "%s dims", what);
    if (c->len - c->pos < (size_t)nd * 8)
        return bc_fail_at(c, c->pos,
                           "truncated: %s needs %zu bytes, %zu left", buf,
                           (size_t)nd * 8, c->len - c->pos);
    for (int i = 0; i < nd; i++) {
        size_t doff = c->pos;
        if (bc_rd_i64(c, buf, &dims[i]))
            return -1;
        if (dims[i] == -1 && allow_unknown) {
            *unknown = 1;
        } else if (dims[i] < 0) {
            return bc_fail_at(c, doff, "%s dimension %d is %lld (negative)",
                               what, i, (long long)dims[i]);
        }
    }
    *ndim = nd;
    return 0;
}

static int read_dtype(mx_cursor *c, const char *what, int *dtype)
{
    size_t off = c->pos;
    int32_t d;
    if (bc_rd_i32(c, what, &d))
        return -1;
    if (!mx_dtype_size(d))
        return bc_fail_at(c, off, "%s flag %d is unknown", what, d);
    *dtype = d;
    return 0;
}

/* Skip count elements of size bytes, failing if they are not all there.
 * Returns the offset of the first one in *off. */
static int skip_payload(mx_cursor *c, uint64_t count, size_t size,
                        const char *what, size_t *off)
{
    size_t left = c->len - c->pos;
    *off = c->pos;
    if (count > left / size)
        return bc_fail_at(c, c->pos,
                           "truncated: %s needs %llu x %zu bytes, %zu left",
                           what, (unsigned long long)count, size, left);
    c->pos += (size_t)count * size;
    return 0;
}

/* Parse record #index at c->pos into a (and, for sparse ones, sp). */
static int parse_record(mx_cursor *c, size_t index, mx_array *a,
                        sparse_list *sp)
{
    size_t off = c->pos, doff;
    uint32_t tag;
    int stype = 0, unknown = 0, ndim = 0, dtype = 0;
    int32_t i32;
    sparse_rec srec;
    uint64_t count = 0;
    size_t esize;

    snprintf(c->ctx, sizeof c->ctx, "array #%zu", index);
    a->file_offset = off;
    if (bc_rd_u32(c, "record tag", &tag))
        return -1;
    memset(&srec, 0, sizeof srec);
    if (tag == TAG_V1) {
        uint32_t nd;
        a->record = MX_REC_V1;
        if (bc_rd_u32(c, "ndim", &nd))
            return -1;
        if (nd > MX_MAX_NDIM)
            return bc_fail_at(c, c->pos - 4, "ndim %u is more than %d", nd,
                               MX_MAX_NDIM);
        ndim = (int)nd;
        if (c->len - c->pos < (size_t)ndim * 8)
            return bc_fail_at(c, c->pos,
                               "truncated: dims need %zu bytes, %zu left",
                               (size_t)ndim * 8, c->len - c->pos);
        for (int i = 0; i < ndim; i++) {
            if (bc_rd_i64(c, "dims", &a->shape[i]))
                return -1;
            if (a->shape[i] < 0)
                return bc_fail_at(c, c->pos - 8,
                                   "dimension %d is %lld (negative)", i,
                                   (long long)a->shape[i]);
        }
    } else if (tag == TAG_V2 || tag == TAG_V3) {
        int v3 = tag == TAG_V3;
        a->record = v3 ? MX_REC_V3 : MX_REC_V2;
        if (bc_rd_i32(c, "storage type", &i32))
            return -1;
        if (v3 && i32 != 0)
            return bc_fail_at(c, c->pos - 4,
                               "storage type %d in a V3 record (V3 records "
                               "are always dense)", i32);
        if (i32 < 0 || i32 > 2)
            return bc_fail_at(c, c->pos - 4,
                               "storage type %d is unknown (0 dense, 1 "
                               "row_sparse, 2 csr)", i32);
        stype = i32;
        if (stype) {
            int unk;
            srec.stype = stype;
            srec.s_off = c->pos;
            if (read_shape(c, "storage shape", 0, &srec.s_ndim, srec.s_dims,
                           &unk))
                return -1;
        }
        if (read_shape(c, "shape", v3, &ndim, a->shape, &unknown))
            return -1;
        if (!v3 && ndim == 0)
            unknown = 1;
    } else {
        a->record = MX_REC_LEGACY;
        if (tag > MX_MAX_NDIM)
            return bc_fail_at(c, off,
                               "record tag 0x%08x is not V1/V2/V3 and, read "
                               "as a legacy ndim, is more than %d",
                               tag, MX_MAX_NDIM);
        ndim = (int)tag;
        if (c->len - c->pos < (size_t)ndim * 4)
            return bc_fail_at(c, c->pos,
                               "truncated: dims need %zu bytes, %zu left",
                               (size_t)ndim * 4, c->len - c->pos);
        for (int i = 0; i < ndim; i++) {
            uint32_t d;
            if (bc_rd_u32(c, "dims", &d))
                return -1;
            a->shape[i] = d;
        }
    }
    if (a->record != MX_REC_V2 && a->record != MX_REC_V3 && ndim == 0)
        unknown = 1;
    if (unknown) {
        /* None array: the record ends after the shape. */
        a->is_none = 1;
        a->ndim = 0;
        memset(a->shape, 0, sizeof a->shape);
        c->ctx[0] = '\0';
        return 0;
    }
    a->ndim = ndim;
    if (bc_shape_count(c, off, ndim, a->shape, &count))
        return -1;
    if (bc_rd_i32(c, "dev_type", &i32) || bc_rd_i32(c, "dev_id", &i32))
        return -1;
    if (read_dtype(c, "dtype", &dtype))
        return -1;
    a->dtype = dtype;
    esize = mx_dtype_size(dtype);
    if (stype) {
        int naux = stype == 1 ? 1 : 2;
        if (bc_shape_count(c, srec.s_off, srec.s_ndim, srec.s_dims,
                            &srec.s_count))
            return -1;
        for (int k = 0; k < naux; k++) {
            int unk;
            int64_t dims[MX_MAX_NDIM];
            srec.aux_desc_off[k] = c->pos;
            if (read_dtype(c, "aux dtype", &srec.aux_dtype[k]))
                return -1;
            if (read_shape(c, "aux shape", 0, &srec.aux_ndim[k], dims, &unk))
                return -1;
            srec.aux_dim0[k] = srec.aux_ndim[k] ? dims[0] : 0;
            if (bc_shape_count(c, srec.aux_desc_off[k], srec.aux_ndim[k],
                                dims, &srec.aux_count[k]))
                return -1;
        }
        if (skip_payload(c, srec.s_count, esize, "sparse values",
                         &srec.values_off))
            return -1;
        for (int k = 0; k < naux; k++)
            if (skip_payload(c, srec.aux_count[k],
                             mx_dtype_size(srec.aux_dtype[k]),
                             stype == 1 ? "row indices"
                                        : k ? "column indices" : "indptr",
                             &srec.aux_off[k]))
                return -1;
        srec.index = index;
        {
            void *p = sp->r;
            xgrow(&p, &sp->cap, sp->n + 1, sizeof srec);
            sp->r = p;
            sp->r[sp->n++] = srec;
        }
        a->sparse = stype;
        a->count = (size_t)count;
        c->ctx[0] = '\0';
        return 0;
    }
    if (skip_payload(c, count, esize, "data", &doff))
        return -1;
    a->count = (size_t)count;
    a->nbytes = (size_t)count * esize;
    if (a->nbytes) {
        a->data = xmalloc(a->nbytes);
        memcpy(a->data, c->buf + doff, a->nbytes);
    }
    c->ctx[0] = '\0';
    return 0;
}

/* An aux (index) element as a signed value; u64 above INT64_MAX becomes
 * -1 so that range checks reject it. */
static int64_t load_index(const uint8_t *p, int dtype)
{
    switch (dtype) {
    case MX_U8: case MX_BOOL: return p[0];
    case MX_I8: return (int8_t)p[0];
    case MX_I16: return (int16_t)bc_le16(p);
    case MX_U16: return bc_le16(p);
    case MX_I32: return (int32_t)bc_le32(p);
    case MX_U32: return bc_le32(p);
    case MX_I64: return bc_u64_to_i64(bc_le64(p));
    case MX_U64: {
        uint64_t u = bc_le64(p);
        return u <= INT64_MAX ? (int64_t)u : -1;
    }
    default: return -1;
    }
}

static int is_index_dtype(int d)
{
    return d == MX_U8 || d == MX_I8 || d == MX_I16 || d == MX_U16 ||
           d == MX_I32 || d == MX_U32 || d == MX_I64 || d == MX_U64;
}

/* Validate sparse record r against its array a (shape, dtype already
 * set) and write the dense payload into a->data. */
static int densify(mx_cursor *c, const sparse_rec *r, mx_array *a)
{
    const char *aux_what[2];
    size_t esize = mx_dtype_size(a->dtype);
    uint64_t dense;
    char s1[MX_MAX_NDIM * 22 + 4], s2[MX_MAX_NDIM * 22 + 4];

    aux_what[0] = r->stype == 1 ? "row indices" : "indptr";
    aux_what[1] = "column indices";
    for (int k = 0; k < (r->stype == 1 ? 1 : 2); k++) {
        if (!is_index_dtype(r->aux_dtype[k]))
            return bc_fail_at(c, r->aux_desc_off[k],
                               "%s have dtype %s, not an integer type",
                               aux_what[k], mx_dtype_name(r->aux_dtype[k]));
        if (r->aux_ndim[k] != 1)
            return bc_fail_at(c, r->aux_desc_off[k] + 4,
                               "%s are %d-D, expected 1-D", aux_what[k],
                               r->aux_ndim[k]);
    }
    if (a->count > MX_MAX_DENSE_BYTES / esize) {
        bc_fmt_shape(s1, sizeof s1, a->ndim, a->shape);
        return bc_fail_at(c, a->file_offset,
                           "dense form of shape %s %s is more than %llu "
                           "bytes", s1, mx_dtype_name(a->dtype),
                           (unsigned long long)MX_MAX_DENSE_BYTES);
    }
    dense = a->count * esize;
    a->nbytes = (size_t)dense;
    a->data = dense ? xcalloc(1, (size_t)dense) : NULL;

    if (r->stype == 1) {
        /* row_sparse: storage shape (nnz_rows, shape[1:]); row r of the
         * values goes to dense row idx[r]. */
        uint64_t nnz = r->s_ndim ? (uint64_t)r->s_dims[0] : 0;
        size_t isz = mx_dtype_size(r->aux_dtype[0]);
        size_t row_bytes;
        int64_t prev = -1;
        int ok = r->s_ndim == a->ndim;
        for (int i = 1; ok && i < a->ndim; i++)
            ok = r->s_dims[i] == a->shape[i];
        if (!ok || (int64_t)nnz > a->shape[0]) {
            bc_fmt_shape(s1, sizeof s1, r->s_ndim, r->s_dims);
            bc_fmt_shape(s2, sizeof s2, a->ndim, a->shape);
            return bc_fail_at(c, r->s_off,
                               "row_sparse storage shape %s does not fit "
                               "shape %s", s1, s2);
        }
        if ((uint64_t)r->aux_dim0[0] != nnz)
            return bc_fail_at(c, r->aux_desc_off[0] + 4,
                               "%llu row indices for %llu stored rows",
                               (unsigned long long)r->aux_dim0[0],
                               (unsigned long long)nnz);
        row_bytes = nnz ? (size_t)(r->s_count / nnz) * esize : 0;
        for (uint64_t k = 0; k < nnz; k++) {
            size_t ioff = r->aux_off[0] + (size_t)k * isz;
            int64_t idx = load_index(c->buf + ioff, r->aux_dtype[0]);
            if (idx < 0 || idx >= a->shape[0])
                return bc_fail_at(c, ioff,
                                   "row index %lld (entry %llu) is outside "
                                   "[0, %lld)", (long long)idx,
                                   (unsigned long long)k,
                                   (long long)a->shape[0]);
            if (idx <= prev)
                return bc_fail_at(c, ioff,
                                   "row indices are not strictly "
                                   "increasing: %lld after %lld (entry %llu)",
                                   (long long)idx, (long long)prev,
                                   (unsigned long long)k);
            prev = idx;
            if (row_bytes)
                memcpy(a->data + (size_t)idx * row_bytes,
                       c->buf + r->values_off + (size_t)k * row_bytes,
                       row_bytes);
        }
        return 0;
    }

    /* csr: values and column indices of nnz entries, indptr of rows+1
     * (or empty when nnz is 0); row i owns entries indptr[i]..indptr[i+1],
     * columns strictly increasing within a row. */
    {
        int64_t rows, cols, nnz;
        size_t psz = mx_dtype_size(r->aux_dtype[0]);
        size_t isz = mx_dtype_size(r->aux_dtype[1]);
        if (a->ndim != 2) {
            bc_fmt_shape(s1, sizeof s1, a->ndim, a->shape);
            return bc_fail_at(c, a->file_offset, "csr shape %s is not 2-D",
                               s1);
        }
        rows = a->shape[0];
        cols = a->shape[1];
        if (r->s_ndim != 1) {
            bc_fmt_shape(s1, sizeof s1, r->s_ndim, r->s_dims);
            return bc_fail_at(c, r->s_off, "csr storage shape %s is not 1-D",
                               s1);
        }
        nnz = r->s_dims[0];
        if (r->aux_dim0[1] != nnz)
            return bc_fail_at(c, r->aux_desc_off[1] + 4,
                               "%lld column indices for %lld values",
                               (long long)r->aux_dim0[1], (long long)nnz);
        if (r->aux_dim0[0] == 0 && nnz == 0)
            return 0;
        if (r->aux_dim0[0] != rows + 1)
            return bc_fail_at(c, r->aux_desc_off[0] + 4,
                               "indptr has %lld entries, expected rows + 1 "
                               "= %lld", (long long)r->aux_dim0[0],
                               (long long)rows + 1);
        {
            int64_t start = load_index(c->buf + r->aux_off[0], r->aux_dtype[0]);
            if (start != 0)
                return bc_fail_at(c, r->aux_off[0],
                                   "indptr[0] is %lld, expected 0",
                                   (long long)start);
        }
        for (int64_t i = 0; i < rows; i++) {
            size_t poff = r->aux_off[0] + (size_t)(i + 1) * psz;
            int64_t lo = load_index(c->buf + poff - psz, r->aux_dtype[0]);
            int64_t hi = load_index(c->buf + poff, r->aux_dtype[0]);
            int64_t prev = -1;
            if (hi < lo || hi > nnz)
                return bc_fail_at(c, poff,
                                   "indptr[%lld] is %lld, outside [%lld, "
                                   "%lld]", (long long)i + 1, (long long)hi,
                                   (long long)lo, (long long)nnz);
            if (i + 1 == rows && hi != nnz)
                return bc_fail_at(c, poff,
                                   "indptr[%lld] is %lld, expected nnz = "
                                   "%lld", (long long)rows, (long long)hi,
                                   (long long)nnz);
            for (int64_t j = lo; j < hi; j++) {
                size_t ioff = r->aux_off[1] + (size_t)j * isz;
                int64_t col = load_index(c->buf + ioff, r->aux_dtype[1]);
                if (col < 0 || col >= cols)
                    return bc_fail_at(c, ioff,
                                       "column index %lld (row %lld) is "
                                       "outside [0, %lld)", (long long)col,
                                       (long long)i, (long long)cols);
                if (col <= prev)
                    return bc_fail_at(c, ioff,
                                       "column indices of row %lld are not "
                                       "strictly increasing: %lld after %lld",
                                       (long long)i, (long long)col,
                                       (long long)prev);
                prev = col;
                memcpy(a->data + ((size_t)i * (size_t)cols + (size_t)col) * esize,
                       c->buf + r->values_off + (size_t)j * esize, esize);
            }
        }
        if (rows == 0 && nnz != 0)
            return bc_fail_at(c, r->aux_off[0],
                               "indptr[0] is 0, expected nnz = %lld",
                               (long long)nnz);
    }
    return 0;
}

/* qsort has no context argument in C11, so the arrays being sorted are
 * reached through this pointer while drop_duplicates runs (parsing is
 * therefore not thread-safe). Orders by key, then by position. */
static const mx_array *sort_arrays;

static int cmp_by_key(const void *x, const void *y)
{
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    int r = strcmp(sort_arrays[i].key, sort_arrays[j].key);
    if (r)
        return r;
    return i < j ? -1 : i > j;
}

/* Drop arrays whose key repeats an earlier one (first wins), warning. */
static void drop_duplicates(mx_list *l, const char *label)
{
    size_t *idx, nkeep = 0;
    unsigned char *drop;
    if (l->n < 2)
        return;
    idx = xmalloc(l->n * sizeof *idx);
    drop = xcalloc(l->n, 1);
    for (size_t i = 0; i < l->n; i++)
        idx[i] = i;
    sort_arrays = l->a;
    qsort(idx, l->n, sizeof *idx, cmp_by_key);
    sort_arrays = NULL;
    for (size_t i = 1, first = idx[0]; i < l->n; i++) {
        const mx_array *a0 = &l->a[first], *cur = &l->a[idx[i]];
        if (cur->key[0] && !strcmp(a0->key, cur->key)) {
            char nm[200];
            bc_fmt_name(nm, sizeof nm, cur->key, strlen(cur->key));
            bnnc_warnf("%s: byte %zu: array '%s' appears again (first at "
                       "byte %zu); keeping the first", label,
                       cur->file_offset, nm, a0->file_offset);
            drop[idx[i]] = 1;
        } else {
            first = idx[i];
        }
    }
    for (size_t i = 0; i < l->n; i++) {
        if (drop[i]) {
            free(l->a[i].key);
            free(l->a[i].data);
        } else {
            l->a[nkeep++] = l->a[i];
        }
    }
    l->n = nkeep;
    free(idx);
    free(drop);
}

/* The NDArray list container; buf starts with the 0x112 magic. */
static int parse_list(const uint8_t *buf, size_t len, const char *label,
                      mx_list *l, bnnc_err *err)
{
    mx_cursor c = {buf, len, 0, 0, label, "", err};
    uint64_t magic, reserved, n, k;
    sparse_list sp = {NULL, 0, 0};
    int rc = -1;

    if (bc_rd_u64(&c, "magic", &magic) ||
        bc_rd_u64(&c, "reserved field", &reserved) ||
        bc_rd_u64(&c, "array count", &n))
        return -1;
    (void)magic;
    (void)reserved;
    if (n > MX_MAX_ARRAYS)
        return bc_fail_at(&c, 16, "array count %llu is more than %u",
                           (unsigned long long)n, MX_MAX_ARRAYS);
    if (n > (len - c.pos) / 4)
        return bc_fail_at(&c, 16,
                           "array count %llu cannot fit in the %zu bytes "
                           "left (a record takes at least 4)",
                           (unsigned long long)n, len - c.pos);
    for (uint64_t i = 0; i < n; i++)
        if (parse_record(&c, (size_t)i, mx__push(l), &sp))
            goto out;

    {
        size_t koff = c.pos;
        if (bc_rd_u64(&c, "name count", &k))
            goto out;
        if (k != 0 && k != n) {
            bc_fail_at(&c, koff,
                        "name count %llu must be 0 or the array count %llu",
                        (unsigned long long)k, (unsigned long long)n);
            goto out;
        }
    }
    for (uint64_t i = 0; i < k; i++) {
        size_t noff = c.pos;
        uint64_t nl;
        const uint8_t *p = NULL;
        snprintf(c.ctx, sizeof c.ctx, "name #%llu", (unsigned long long)i);
        if (bc_rd_u64(&c, "name length", &nl))
            goto out;
        if (nl > MX_MAX_NAME) {
            bc_fail_at(&c, noff, "name length %llu is more than %u",
                        (unsigned long long)nl, MX_MAX_NAME);
            goto out;
        }
        if (bc_rd_bytes(&c, (size_t)nl, "name", &p))
            goto out;
        if (memchr(p, 0, (size_t)nl)) {
            bc_fail_at(&c, noff + 8, "name contains a NUL byte");
            goto out;
        }
        mx__set_key(&l->a[i], (const char *)p, (size_t)nl);
    }
    c.ctx[0] = '\0';
    for (size_t i = 0; i < l->n; i++)
        if (!l->a[i].key)
            mx__set_key(&l->a[i], "", 0);
    if (c.pos < len)
        bnnc_warnf("%s: byte %zu: %zu trailing bytes after the names "
                   "ignored", label, c.pos, len - c.pos);

    for (size_t i = 0; i < sp.n; i++) {
        mx_array *a = &l->a[sp.r[i].index];
        char nm[200];
        if (a->key[0]) {
            bc_fmt_name(nm, sizeof nm, a->key, strlen(a->key));
            snprintf(c.ctx, sizeof c.ctx, "array '%s' (%s)", nm,
                     stype_names[sp.r[i].stype]);
        } else {
            snprintf(c.ctx, sizeof c.ctx, "array #%zu (%s)", sp.r[i].index,
                     stype_names[sp.r[i].stype]);
        }
        if (densify(&c, &sp.r[i], a))
            goto out;
    }
    rc = 0;
out:
    free(sp.r);
    return rc;
}

/* ---------------------------------------------------------- the API */

static int starts_with(const uint8_t *buf, size_t len, const char *s)
{
    size_t n = strlen(s);
    return len >= n && !memcmp(buf, s, n);
}

int mx_params_parse(const uint8_t *buf, size_t len, const char *label,
                    mx_params *out, bnnc_err *err)
{
    mx_list l = {NULL, 0, 0};
    int rc;

    memset(out, 0, sizeof *out);
    if (!label)
        label = "<params>";
    if (len == 0)
        return bnnc_errf(err, "%s: byte 0: file is empty", label);
    if (starts_with(buf, len, "version https://git-lfs"))
        return bnnc_errf(err,
                         "%s: byte 0: this is a Git LFS pointer, not a params "
                         "file; run `git lfs pull`", label);
    if (starts_with(buf, len, "PK\x03\x04") ||
        starts_with(buf, len, "PK\x05\x06")) {
        rc = mx__parse_npz(buf, len, label, &l, err);
    } else if (starts_with(buf, len, "\x93NUMPY")) {
        rc = mx__parse_npy_file(buf, len, label, &l, err);
    } else if (len >= 8 && bc_le64(buf) == LIST_MAGIC) {
        rc = parse_list(buf, len, label, &l, err);
    } else {
        char hex[3 * 8 + 1];
        size_t n = len < 8 ? len : 8, j = 0;
        const char *hint = "";
        for (size_t i = 0; i < n; i++)
            j += (size_t)snprintf(hex + j, sizeof hex - j, "%s%02x",
                                  i ? " " : "", buf[i]);
        if (buf[0] == '{' || buf[0] == '[')
            hint = " (this looks like JSON: the symbol file?)";
        if (len < 8)
            return bnnc_errf(err,
                             "%s: byte 0: file is %zu bytes long (%s), too "
                             "short for a params file", label, len, hex);
        return bnnc_errf(err,
                         "%s: byte 0: unknown format, first bytes %s%s; "
                         "expected an MXNet NDArray list (magic 0x112), a "
                         ".npz or a .npy", label, hex, hint);
    }
    if (rc) {
        free_arrays(l.a, l.n);
        return -1;
    }
    drop_duplicates(&l, label);
    out->path = xstrdup(label);
    out->arrays = l.a;
    out->count = l.n;
    return 0;
}

int mx_params_load(const char *path, mx_params *out, bnnc_err *err)
{
    FILE *f;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    struct stat st;
    int rc;

    memset(out, 0, sizeof *out);
    f = fopen(path, "rb");
    if (!f)
        return bnnc_errf(err, "%s: cannot open: %s", path, strerror(errno));
    /* a regular file is read in one piece of its own size (no doubling
     * buffer: models are hundreds of MB); anything else in chunks */
    cap = 65536;
    if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode) && st.st_size >= 0)
        cap = (size_t)st.st_size + 1;
    buf = xmalloc(cap);
    for (;;) {
        size_t got;
        if (len == cap) {
            void *p = buf;
            xgrow(&p, &cap, cap + 65536, 1);
            buf = p;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        rc = bnnc_errf(err, "%s: read error: %s", path, strerror(errno));
        fclose(f);
        free(buf);
        return rc;
    }
    fclose(f);
    rc = mx_params_parse(buf, len, path, out, err);
    free(buf);
    return rc;
}

const mx_array *mx_params_find(const mx_params *p, const char *name)
{
    for (size_t i = 0; i < p->count; i++)
        if (p->arrays[i].name && !strcmp(p->arrays[i].name, name))
            return &p->arrays[i];
    for (size_t i = 0; i < p->count; i++)
        if (p->arrays[i].key && !strcmp(p->arrays[i].key, name))
            return &p->arrays[i];
    return NULL;
}

/* ------------------------------------------------------- conversions */

/* IEEE binary16 bits -> binary32 bits, exact (NaN payloads kept). */
static uint32_t f16_bits_to_f32(uint16_t h)
{
    uint32_t s = (uint32_t)(h & 0x8000u) << 16;
    uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
    if (e == 0x1f)
        return s | 0x7f800000u | m << 13;
    if (e == 0) {
        if (m == 0)
            return s;
        e = 113; /* exponent of 2^-14 in binary32, before normalising */
        while (!(m & 0x400u)) {
            m <<= 1;
            e--;
        }
        return s | e << 23 | (m & 0x3ffu) << 13;
    }
    return s | (e + 112) << 23 | m << 13;
}

static float bits_to_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

double mx_array_get(const mx_array *a, size_t i)
{
    const uint8_t *p = NULL;
    BNNC_ASSERT(a->data && i < a->count);
    p = a->data + i * mx_dtype_size(a->dtype);
    switch (a->dtype) {
    case MX_F32: return bits_to_f32(bc_le32(p));
    case MX_F64: {
        uint64_t u = bc_le64(p);
        double d;
        memcpy(&d, &u, 8);
        return d;
    }
    case MX_F16: return bits_to_f32(f16_bits_to_f32(bc_le16(p)));
    case MX_BF16: return bits_to_f32((uint32_t)bc_le16(p) << 16);
    case MX_U8: return p[0];
    case MX_BOOL: return p[0];
    case MX_I8: return (int8_t)p[0];
    case MX_I16: return (int16_t)bc_le16(p);
    case MX_U16: return bc_le16(p);
    case MX_I32: return (int32_t)bc_le32(p);
    case MX_U32: return bc_le32(p);
    case MX_I64: return (double)bc_u64_to_i64(bc_le64(p));
    case MX_U64: return (double)bc_le64(p);
    default: BNNC_BUG("array with dtype %d", a->dtype);
    }
}

void mx_array_to_f32(const mx_array *a, float *dst)
{
    size_t n = a->data ? a->count : 0;
    switch (a->dtype) {
    case MX_F32:
        for (size_t i = 0; i < n; i++)
            dst[i] = bits_to_f32(bc_le32(a->data + 4 * i));
        return;
    case MX_F16:
        for (size_t i = 0; i < n; i++)
            dst[i] = bits_to_f32(f16_bits_to_f32(bc_le16(a->data + 2 * i)));
        return;
    case MX_BF16:
        for (size_t i = 0; i < n; i++)
            dst[i] = bits_to_f32((uint32_t)bc_le16(a->data + 2 * i) << 16);
        return;
    default:
        for (size_t i = 0; i < n; i++)
            dst[i] = (float)mx_array_get(a, i);
    }
}
