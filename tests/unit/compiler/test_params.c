/*
 * test_params.c - the weight-file reader (frontend/params.c, npz.c).
 *
 * Byte images are built here field by field for every record kind and
 * container; real files written by MXNet 1.9.1 and numpy (see
 * data/params/README.md) are compared with the values MXNet read back
 * (data/params/expected.json). Malformed input must give the exact error
 * message, and every truncation of every valid image must fail cleanly.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <zlib.h>

#include "frontend/mxnet/params.h"

#define TAG_V1 0xF993FAC8u
#define TAG_V2 0xF993FAC9u
#define TAG_V3 0xF993FACAu

/* ------------------------------------------------------- byte builder */

typedef struct {
    uint8_t *p;
    size_t n, cap;
} buf_t;

static void put(buf_t *b, const void *src, size_t n)
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

static void u16(buf_t *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(b, x, 2);
}

static void u32(buf_t *b, uint32_t v)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    put(b, x, 4);
}

static void u64(buf_t *b, uint64_t v)
{
    uint8_t x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    put(b, x, 8);
}

static void i32(buf_t *b, int32_t v) { u32(b, (uint32_t)v); }
static void i64(buf_t *b, int64_t v) { u64(b, (uint64_t)v); }

static void f32s(buf_t *b, const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        u32(b, u);
    }
}

static void list_head(buf_t *b, uint64_t n)
{
    u64(b, 0x112);
    u64(b, 0);
    u64(b, n);
}

static void names(buf_t *b, size_t k, const char *const *nm)
{
    u64(b, k);
    for (size_t i = 0; i < k; i++) {
        u64(b, strlen(nm[i]));
        put(b, nm[i], strlen(nm[i]));
    }
}

static void shape(buf_t *b, int ndim, const int64_t *dims)
{
    i32(b, ndim);
    for (int i = 0; i < ndim; i++)
        i64(b, dims[i]);
}

/* Dense V2 (or V3 with tag TAG_V3) record with ctx cpu(0). */
static void rec_v23(buf_t *b, uint32_t tag, int ndim, const int64_t *dims,
                    int dtype, const void *data, size_t nbytes)
{
    u32(b, tag);
    i32(b, 0);
    shape(b, ndim, dims);
    i32(b, 1);
    i32(b, 0);
    i32(b, dtype);
    put(b, data, nbytes);
}

static void rec_v1(buf_t *b, int ndim, const int64_t *dims, int dtype,
                   const void *data, size_t nbytes)
{
    u32(b, TAG_V1);
    u32(b, (uint32_t)ndim);
    for (int i = 0; i < ndim; i++)
        i64(b, dims[i]);
    i32(b, 1);
    i32(b, 0);
    i32(b, dtype);
    put(b, data, nbytes);
}

static void rec_legacy(buf_t *b, int ndim, const uint32_t *dims, int dtype,
                       const void *data, size_t nbytes)
{
    u32(b, (uint32_t)ndim);
    for (int i = 0; i < ndim; i++)
        u32(b, dims[i]);
    i32(b, 1);
    i32(b, 0);
    i32(b, dtype);
    put(b, data, nbytes);
}

/* row_sparse V2 record of float32 rows x cols with nnz stored rows.
 * Returns the offset of the row indices. */
static size_t rec_rsp(buf_t *b, int64_t rows, int64_t cols, int64_t nnz,
                      const float *vals, const int64_t *idx)
{
    int64_t s[2] = {nnz, cols}, d[2] = {rows, cols}, a[1] = {nnz};
    size_t off;
    u32(b, TAG_V2);
    i32(b, 1);
    shape(b, 2, s);
    shape(b, 2, d);
    i32(b, 1);
    i32(b, 0);
    i32(b, 0);
    i32(b, 6);
    shape(b, 1, a);
    f32s(b, vals, (size_t)(nnz * cols));
    off = b->n;
    for (int64_t i = 0; i < nnz; i++)
        i64(b, idx[i]);
    return off;
}

/* csr V2 record of float32; returns the offset of the column indices,
 * *ptr_off gets the offset of indptr. */
static size_t rec_csr(buf_t *b, int64_t rows, int64_t cols, int64_t nnz,
                      const float *vals, int64_t nptr, const int64_t *indptr,
                      const int64_t *indices, size_t *ptr_off)
{
    int64_t s[1] = {nnz}, d[2] = {rows, cols}, p[1] = {nptr}, q[1] = {nnz};
    size_t off;
    u32(b, TAG_V2);
    i32(b, 2);
    shape(b, 1, s);
    shape(b, 2, d);
    i32(b, 1);
    i32(b, 0);
    i32(b, 0);
    i32(b, 6);
    shape(b, 1, p);
    i32(b, 6);
    shape(b, 1, q);
    f32s(b, vals, (size_t)nnz);
    if (ptr_off)
        *ptr_off = b->n;
    for (int64_t i = 0; i < nptr; i++)
        i64(b, indptr[i]);
    off = b->n;
    for (int64_t i = 0; i < nnz; i++)
        i64(b, indices[i]);
    return off;
}

/* .npy image: magic, version major.0, header dict padded with spaces and
 * '\n' so that data starts at a multiple of 64, then the data. */
static void npy(buf_t *b, int major, const char *dict, const void *data,
                size_t n)
{
    size_t pre = major == 1 ? 10 : 12, hl = strlen(dict) + 1;
    size_t pad = (64 - (pre + hl) % 64) % 64;
    put(b, "\x93NUMPY", 6);
    put(b, (uint8_t[]){(uint8_t)major, 0}, 2);
    if (major == 1)
        u16(b, (uint16_t)(hl + pad));
    else
        u32(b, (uint32_t)(hl + pad));
    put(b, dict, strlen(dict));
    for (size_t i = 0; i < pad; i++)
        put(b, " ", 1);
    put(b, "\n", 1);
    put(b, data, n);
}

typedef struct {
    const char *name;
    const uint8_t *data;
    size_t n;
    int method;      /* 0 stored, 8 deflate, other: written as is */
    int bad_crc;
} zmember;

static void deflate_raw(const uint8_t *in, size_t n, buf_t *out)
{
    z_stream zs;
    uint8_t tmp[4096];
    int zr;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, -15, 8,
                                  Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    do {
        zs.next_out = tmp;
        zs.avail_out = sizeof tmp;
        zr = deflate(&zs, Z_FINISH);
        put(out, tmp, sizeof tmp - zs.avail_out);
    } while (zr == Z_OK);
    assert_int_equal(zr, Z_STREAM_END);
    deflateEnd(&zs);
}

/* ZIP archive of members; with zip64 the central directory stores sizes
 * and offsets in ZIP64 extra fields and a ZIP64 end record is written. */
static void make_zip(buf_t *b, const zmember *m, size_t count, int zip64)
{
    size_t lho[16], cd;
    uint32_t crc[16];
    size_t csz[16];
    assert_true(count <= 16);
    for (size_t i = 0; i < count; i++) {
        buf_t z = {0};
        if (m[i].method == 8)
            deflate_raw(m[i].data, m[i].n, &z);
        else
            put(&z, m[i].data, m[i].n);
        crc[i] = (uint32_t)crc32(0, m[i].data, (uInt)m[i].n) ^
                 (m[i].bad_crc ? 1u : 0u);
        csz[i] = z.n;
        lho[i] = b->n;
        u32(b, 0x04034b50);
        u16(b, 20);
        u16(b, 0);
        u16(b, (uint16_t)m[i].method);
        u16(b, 0);
        u16(b, 0x21);
        u32(b, crc[i]);
        u32(b, (uint32_t)z.n);
        u32(b, (uint32_t)m[i].n);
        u16(b, (uint16_t)strlen(m[i].name));
        u16(b, 0);
        put(b, m[i].name, strlen(m[i].name));
        put(b, z.p, z.n);
        free(z.p);
    }
    cd = b->n;
    for (size_t i = 0; i < count; i++) {
        u32(b, 0x02014b50);
        u16(b, 20);
        u16(b, 20);
        u16(b, m[i].method == 99 ? 1 : 0); /* 99: encrypted, stored */
        u16(b, (uint16_t)(m[i].method == 99 ? 0 : m[i].method));
        u16(b, 0);
        u16(b, 0x21);
        u32(b, crc[i]);
        u32(b, zip64 ? 0xFFFFFFFFu : (uint32_t)csz[i]);
        u32(b, zip64 ? 0xFFFFFFFFu : (uint32_t)m[i].n);
        u16(b, (uint16_t)strlen(m[i].name));
        u16(b, zip64 ? 28 : 0);
        u16(b, 0);
        u16(b, 0);
        u16(b, 0);
        u32(b, 0);
        u32(b, zip64 ? 0xFFFFFFFFu : (uint32_t)lho[i]);
        put(b, m[i].name, strlen(m[i].name));
        if (zip64) {
            u16(b, 1);
            u16(b, 24);
            u64(b, m[i].n);
            u64(b, csz[i]);
            u64(b, lho[i]);
        }
    }
    if (zip64) {
        size_t z64 = b->n;
        u32(b, 0x06064b50);
        u64(b, 44);
        u16(b, 45);
        u16(b, 45);
        u32(b, 0);
        u32(b, 0);
        u64(b, count);
        u64(b, count);
        u64(b, z64 - cd);
        u64(b, cd);
        u32(b, 0x07064b50);
        u32(b, 0);
        u64(b, z64);
        u32(b, 1);
        u32(b, 0x06054b50);
        u16(b, 0);
        u16(b, 0);
        u16(b, 0xFFFF);
        u16(b, 0xFFFF);
        u32(b, 0xFFFFFFFFu);
        u32(b, 0xFFFFFFFFu);
        u16(b, 0);
        return;
    }
    u32(b, 0x06054b50);
    u16(b, 0);
    u16(b, 0);
    u16(b, (uint16_t)count);
    u16(b, (uint16_t)count);
    u32(b, (uint32_t)(b->n - 12 - cd));
    u32(b, (uint32_t)cd);
    u16(b, 0);
}

/* ----------------------------------------------------------- helpers */

static void parse_ok(const buf_t *b, mx_params *p)
{
    bnnc_err e = {{0}};
    int rc = mx_params_parse(b->p, b->n, "t.params", p, &e);
    if (rc)
        fail_msg("unexpected error: %s", e.msg);
}

static void expect_err(const buf_t *b, const char *msg)
{
    bnnc_err e = {{0}};
    mx_params p;
    int rc = mx_params_parse(b->p, b->n, "t.params", &p, &e);
    assert_int_equal(rc, -1);
    assert_string_equal(e.msg, msg);
    assert_null(p.arrays);
    assert_int_equal(p.count, 0);
}

static void expect_errf(const buf_t *b, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    expect_err(b, msg);
}

/* Every strict prefix of b must fail with a message about "t.params". */
static void truncations_fail(const buf_t *b)
{
    for (size_t n = 0; n < b->n; n++) {
        bnnc_err e = {{0}};
        mx_params p;
        uint8_t *copy = malloc(n ? n : 1);
        assert_non_null(copy);
        memcpy(copy, b->p, n);
        if (mx_params_parse(copy, n, "t.params", &p, &e) != -1)
            fail_msg("prefix of %zu of %zu bytes parsed", n, b->n);
        assert_int_equal(strncmp(e.msg, "t.params: ", 10), 0);
        free(copy);
    }
}

static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static void assert_shape(const mx_array *a, int ndim, const int64_t *dims)
{
    assert_int_equal(a->ndim, ndim);
    for (int i = 0; i < ndim; i++)
        assert_int_equal(a->shape[i], dims[i]);
}

/* ---------------------------------------------------- record kinds */

/* The legacy layout of a 0.9-era file: ndim as the first u32, u32 dims. */
static void test_legacy_records(void **state)
{
    buf_t b = {0};
    float v10[10], v10b[10];
    uint32_t d1[1] = {10}, d2[2] = {10, 1};
    const char *nm[3] = {"arg:pred_bias", "arg:pred_weight", "arg:nothing"};
    mx_params p;
    (void)state;
    for (int i = 0; i < 10; i++) {
        v10[i] = (float)i * 0.5f;
        v10b[i] = -(float)i;
    }
    list_head(&b, 3);
    rec_legacy(&b, 1, d1, 0, v10, 40);
    rec_legacy(&b, 2, d2, 0, v10b, 40);
    u32(&b, 0); /* ndim 0: none, record ends */
    names(&b, 3, nm);
    parse_ok(&b, &p);
    assert_int_equal(p.count, 3);
    assert_string_equal(p.path, "t.params");
    assert_int_equal(p.arrays[0].record, MX_REC_LEGACY);
    assert_string_equal(p.arrays[0].key, "arg:pred_bias");
    assert_string_equal(p.arrays[0].name, "pred_bias");
    assert_int_equal(p.arrays[0].key_kind, MX_KEY_ARG);
    assert_int_equal(p.arrays[0].file_offset, 24);
    assert_shape(&p.arrays[0], 1, (int64_t[]){10});
    assert_int_equal(p.arrays[0].count, 10);
    assert_int_equal(p.arrays[0].nbytes, 40);
    assert_int_equal(p.arrays[0].dtype, MX_F32);
    for (size_t i = 0; i < 10; i++)
        assert_true(mx_array_get(&p.arrays[0], i) == (double)i * 0.5);
    assert_shape(&p.arrays[1], 2, (int64_t[]){10, 1});
    assert_int_equal(p.arrays[1].file_offset, 24 + 60);
    assert_true(mx_array_get(&p.arrays[1], 9) == -9.0);
    assert_true(p.arrays[2].is_none);
    assert_int_equal(p.arrays[2].count, 0);
    assert_null(p.arrays[2].data);
    assert_int_equal(p.arrays[2].dtype, -1);
    assert_int_equal(p.arrays[2].record, MX_REC_LEGACY);
    mx_params_free(&p);
    truncations_fail(&b);
    free(b.p);
}

static void test_v1_records(void **state)
{
    buf_t b = {0};
    float v[2] = {1.0f, -3.5f};
    int32_t iv[6] = {-1, 2, -3, 4, -5, 6};
    mx_params p;
    (void)state;
    list_head(&b, 3);
    rec_v1(&b, 2, (int64_t[]){1, 2}, 0, v, 8);
    rec_v1(&b, 0, NULL, 0, NULL, 0); /* written as tag + ndim 0 only */
    b.n -= 12;                        /* drop ctx and dtype again */
    rec_v1(&b, 3, (int64_t[]){1, 2, 3}, 4, iv, 24);
    u64(&b, 0);
    parse_ok(&b, &p);
    assert_int_equal(p.count, 3);
    assert_int_equal(p.arrays[0].record, MX_REC_V1);
    assert_shape(&p.arrays[0], 2, (int64_t[]){1, 2});
    assert_true(mx_array_get(&p.arrays[0], 1) == -3.5);
    assert_true(p.arrays[1].is_none);
    assert_int_equal(p.arrays[1].record, MX_REC_V1);
    assert_int_equal(p.arrays[2].dtype, MX_I32);
    assert_shape(&p.arrays[2], 3, (int64_t[]){1, 2, 3});
    assert_int_equal(p.arrays[2].file_offset, 24 + 44 + 8);
    for (size_t i = 0; i < 6; i++)
        assert_true(mx_array_get(&p.arrays[2], i) == iv[i]);
    /* No names: keys are empty, names too. */
    assert_string_equal(p.arrays[2].key, "");
    assert_string_equal(p.arrays[2].name, "");
    assert_int_equal(p.arrays[2].key_kind, MX_KEY_BARE);
    mx_params_free(&p);
    truncations_fail(&b);
    free(b.p);
}

static void test_v2_records(void **state)
{
    buf_t b = {0};
    float v[6] = {1, 2, 3, 4, 5, 6};
    const char *nm[3] = {"aux:bn_moving_var", "none", "zero"};
    mx_params p;
    (void)state;
    list_head(&b, 3);
    rec_v23(&b, TAG_V2, 2, (int64_t[]){2, 3}, 0, v, 24);
    u32(&b, TAG_V2); /* none: stype 0, ndim 0, record ends */
    i32(&b, 0);
    i32(&b, 0);
    rec_v23(&b, TAG_V2, 3, (int64_t[]){4, 0, 2}, 1, NULL, 0);
    names(&b, 3, nm);
    parse_ok(&b, &p);
    assert_int_equal(p.count, 3);
    assert_int_equal(p.arrays[0].record, MX_REC_V2);
    assert_int_equal(p.arrays[0].key_kind, MX_KEY_AUX);
    assert_string_equal(p.arrays[0].name, "bn_moving_var");
    assert_int_equal(p.arrays[0].count, 6);
    assert_true(mx_array_get(&p.arrays[0], 5) == 6.0);
    assert_true(p.arrays[1].is_none);
    assert_int_equal(p.arrays[1].ndim, 0);
    /* Zero-size: ctx and dtype present, no data. */
    assert_false(p.arrays[2].is_none);
    assert_shape(&p.arrays[2], 3, (int64_t[]){4, 0, 2});
    assert_int_equal(p.arrays[2].count, 0);
    assert_int_equal(p.arrays[2].nbytes, 0);
    assert_int_equal(p.arrays[2].dtype, MX_F64);
    mx_params_free(&p);
    truncations_fail(&b);
    free(b.p);
}

/* V3: ndim 0 is a real scalar; ndim -1 or a dim -1 is none. */
static void test_v3_records(void **state)
{
    buf_t b = {0};
    float s = 3.5f, v[2] = {-1, 1};
    const char *nm[5] = {"scalar", "none_ndim", "none_dim", "zero", "vec"};
    mx_params p;
    (void)state;
    list_head(&b, 5);
    rec_v23(&b, TAG_V3, 0, NULL, 0, &s, 4);
    u32(&b, TAG_V3);
    i32(&b, 0);
    i32(&b, -1);
    u32(&b, TAG_V3);
    i32(&b, 0);
    shape(&b, 2, (int64_t[]){3, -1});
    rec_v23(&b, TAG_V3, 2, (int64_t[]){2, 0}, 0, NULL, 0);
    rec_v23(&b, TAG_V3, 1, (int64_t[]){2}, 0, v, 8);
    names(&b, 5, nm);
    parse_ok(&b, &p);
    assert_int_equal(p.count, 5);
    assert_int_equal(p.arrays[0].record, MX_REC_V3);
    assert_false(p.arrays[0].is_none);
    assert_int_equal(p.arrays[0].ndim, 0);
    assert_int_equal(p.arrays[0].count, 1);
    assert_true(mx_array_get(&p.arrays[0], 0) == 3.5);
    assert_true(p.arrays[1].is_none);
    assert_true(p.arrays[2].is_none);
    assert_false(p.arrays[3].is_none);
    assert_int_equal(p.arrays[3].count, 0);
    assert_true(mx_array_get(&p.arrays[4], 0) == -1.0);
    assert_ptr_equal(mx_params_find(&p, "vec"), &p.arrays[4]);
    mx_params_free(&p);
    truncations_fail(&b);
    free(b.p);
}

/* ------------------------------------------------------------ dtypes */

static void test_dtype_table(void **state)
{
    static const struct { int d; size_t size; const char *name; } t[] = {
        {0, 4, "float32"}, {1, 8, "float64"}, {2, 2, "float16"},
        {3, 1, "uint8"},   {4, 4, "int32"},   {5, 1, "int8"},
        {6, 8, "int64"},   {7, 1, "bool"},    {8, 2, "int16"},
        {9, 2, "uint16"},  {10, 4, "uint32"}, {11, 8, "uint64"},
        {12, 2, "bfloat16"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        assert_int_equal(mx_dtype_size(t[i].d), t[i].size);
        assert_string_equal(mx_dtype_name(t[i].d), t[i].name);
    }
    assert_int_equal(mx_dtype_size(13), 0);
    assert_int_equal(mx_dtype_size(-1), 0);
    assert_string_equal(mx_dtype_name(13), "unknown");
    assert_string_equal(mx_dtype_name(-1), "unknown");
}

/* One V2 record per dtype flag 0..12 with awkward values; the conversions
 * must be exact (f16 subnormals, infinities, NaN payloads, bf16). */
static void test_every_dtype(void **state)
{
    buf_t b = {0};
    mx_params p;
    float f32v[3] = {1.5f, -0.0f, 1e-45f};
    double f64v[3] = {1e300, -2.5, 5e-324};
    uint16_t f16v[11] = {0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00,
                         0xc000, 0x7bff, 0x7c00, 0xfc00, 0x7e01};
    uint8_t u8v[3] = {0, 1, 255};
    int32_t i32v[3] = {INT32_MIN, -1, INT32_MAX};
    int8_t i8v[3] = {-128, -1, 127};
    int64_t i64v[3] = {-((int64_t)1 << 53), -1, (int64_t)1 << 53};
    uint8_t boolv[3] = {1, 0, 1};
    int16_t i16v[3] = {INT16_MIN, -2, INT16_MAX};
    uint16_t u16v[3] = {0, 1, 65535};
    uint32_t u32v[3] = {0, 7, UINT32_MAX};
    uint64_t u64v[3] = {0, 12345678901ull, (uint64_t)1 << 63};
    uint16_t bf16v[6] = {0x3f80, 0xc040, 0x0001, 0x7f80, 0xff80, 0x7fc1};
    float out[16];
    (void)state;

    list_head(&b, 13);
    rec_v23(&b, TAG_V2, 1, (int64_t[]){3}, 0, f32v, 12);
    rec_v23(&b, TAG_V2, 1, (int64_t[]){3}, 1, f64v, 24);
    rec_v23(&b, TAG_V2, 1, (int64_t[]){11}, 2, f16v, 22);
    rec_v23(&b, TAG_V2, 1, (int64_t[]){3}, 3, u8v, 3);
    rec_v23(&b, TAG_V2, 1, (int64_t[]){3}, 4, i32v, 12);
    rec_v23(&b, TAG_V2, 1, (int64_t[]){3}, 5, i8v, 3);
    rec_v23(&b, TAG_V2, 1, (int64_t[]){3}, 6, i64v, 24);
    rec_v23(&b, TAG_V2, 1, (int64_t[]){3}, 7, boolv, 3);
    rec_v23(&b, TAG_V2, 1, (int64_t[]){3}, 8, i16v, 6);
    rec_v23(&b, TAG_V2, 1, (int64_t[]){3}, 9, u16v, 6);
    rec_v23(&b, TAG_V2, 1, (int64_t[]){3}, 10, u32v, 12);
    rec_v23(&b, TAG_V2, 1, (int64_t[]){3}, 11, u64v, 24);
    rec_v23(&b, TAG_V2, 1, (int64_t[]){6}, 12, bf16v, 12);
    u64(&b, 0);
    parse_ok(&b, &p);
    assert_int_equal(p.count, 13);
    for (int d = 0; d < 13; d++)
        assert_int_equal(p.arrays[d].dtype, d);

    /* float32 */
    assert_true(mx_array_get(&p.arrays[0], 0) == 1.5);
    assert_true(mx_array_get(&p.arrays[0], 1) == 0.0 &&
                signbit(mx_array_get(&p.arrays[0], 1)));
    assert_true(mx_array_get(&p.arrays[0], 2) == ldexp(1, -149));
    /* float64 */
    assert_true(mx_array_get(&p.arrays[1], 0) == 1e300);
    assert_true(mx_array_get(&p.arrays[1], 2) == 5e-324);
    mx_array_to_f32(&p.arrays[1], out);
    assert_true(out[0] == INFINITY && out[1] == -2.5f && out[2] == 0.0f);
    /* float16 */
    {
        const mx_array *h = &p.arrays[2];
        assert_true(mx_array_get(h, 0) == 0.0 && !signbit(mx_array_get(h, 0)));
        assert_true(mx_array_get(h, 1) == 0.0 && signbit(mx_array_get(h, 1)));
        assert_true(mx_array_get(h, 2) == ldexp(1, -24));
        assert_true(mx_array_get(h, 3) == 1023 * ldexp(1, -24));
        assert_true(mx_array_get(h, 4) == ldexp(1, -14));
        assert_true(mx_array_get(h, 5) == 1.0);
        assert_true(mx_array_get(h, 6) == -2.0);
        assert_true(mx_array_get(h, 7) == 65504.0);
        assert_true(mx_array_get(h, 8) == INFINITY);
        assert_true(mx_array_get(h, 9) == -INFINITY);
        assert_true(isnan(mx_array_get(h, 10)));
        mx_array_to_f32(h, out);
        assert_int_equal(f32_bits(out[1]), 0x80000000u);
        assert_int_equal(f32_bits(out[2]), 0x33800000u); /* 2^-24 */
        assert_int_equal(f32_bits(out[3]), 0x387fc000u); /* 1023 * 2^-24 */
        assert_int_equal(f32_bits(out[4]), 0x38800000u); /* 2^-14 */
        assert_int_equal(f32_bits(out[7]), 0x477fe000u); /* 65504 */
        assert_int_equal(f32_bits(out[8]), 0x7f800000u);
        assert_int_equal(f32_bits(out[9]), 0xff800000u);
        assert_int_equal(f32_bits(out[10]), 0x7fc02000u); /* payload kept */
    }
    /* integers */
    assert_true(mx_array_get(&p.arrays[3], 2) == 255.0);
    assert_true(mx_array_get(&p.arrays[4], 0) == (double)INT32_MIN);
    assert_true(mx_array_get(&p.arrays[4], 2) == (double)INT32_MAX);
    assert_true(mx_array_get(&p.arrays[5], 0) == -128.0);
    assert_true(mx_array_get(&p.arrays[6], 0) == -9007199254740992.0);
    assert_true(mx_array_get(&p.arrays[6], 2) == 9007199254740992.0);
    assert_true(mx_array_get(&p.arrays[7], 0) == 1.0);
    assert_true(mx_array_get(&p.arrays[7], 1) == 0.0);
    assert_true(mx_array_get(&p.arrays[8], 0) == -32768.0);
    assert_true(mx_array_get(&p.arrays[9], 2) == 65535.0);
    assert_true(mx_array_get(&p.arrays[10], 2) == 4294967295.0);
    assert_true(mx_array_get(&p.arrays[11], 1) == 12345678901.0);
    assert_true(mx_array_get(&p.arrays[11], 2) == 9223372036854775808.0);
    mx_array_to_f32(&p.arrays[5], out);
    assert_true(out[0] == -128.0f && out[1] == -1.0f && out[2] == 127.0f);
    /* bfloat16: the top half of a float32 */
    {
        const mx_array *h = &p.arrays[12];
        assert_true(mx_array_get(h, 0) == 1.0);
        assert_true(mx_array_get(h, 1) == -3.0);
        assert_true(mx_array_get(h, 2) == ldexp(1, -133));
        assert_true(mx_array_get(h, 3) == INFINITY);
        assert_true(mx_array_get(h, 4) == -INFINITY);
        assert_true(isnan(mx_array_get(h, 5)));
        mx_array_to_f32(h, out);
        for (int i = 0; i < 6; i++)
            assert_int_equal(f32_bits(out[i]), (uint32_t)bf16v[i] << 16);
    }
    /* raw bytes kept */
    assert_memory_equal(p.arrays[2].data, f16v, 22);
    assert_memory_equal(p.arrays[12].data, bf16v, 12);
    mx_params_free(&p);
    free(b.p);
}

/* BMXNet stores packed words as float32/float64: NaN and denormal bit
 * patterns must come through untouched. */
static void test_packed_words_keep_bits(void **state)
{
    static const uint32_t w32[8] = {0xFFFFFFFFu, 0x7FC00001u, 0x7F800001u,
                                    0xFFA00000u, 0x00000001u, 0x807FFFFFu,
                                    0x80000000u, 0xAAAAAAAAu};
    static const uint64_t w64[4] = {0xFFFFFFFFFFFFFFFFull,
                                    0x7FF0000000000001ull,
                                    0x000FFFFFFFFFFFFFull,
                                    0xFFF4000000000001ull};
    buf_t b = {0};
    mx_params p;
    float out[8];
    const char *nm[2] = {"arg:qconv_weight", "arg:qfc_weight"};
    (void)state;
    list_head(&b, 2);
    rec_v23(&b, TAG_V2, 4, (int64_t[]){2, 1, 2, 2}, 0, w32, 32);
    rec_v23(&b, TAG_V2, 2, (int64_t[]){2, 2}, 1, w64, 32);
    names(&b, 2, nm);
    parse_ok(&b, &p);
    assert_memory_equal(p.arrays[0].data, w32, 32);
    assert_memory_equal(p.arrays[1].data, w64, 32);
    mx_array_to_f32(&p.arrays[0], out);
    assert_memory_equal(out, w32, 32);
    mx_params_free(&p);
    free(b.p);
}

/* ------------------------------------------------------------ sparse */

static void test_row_sparse(void **state)
{
    buf_t b = {0};
    mx_params p;
    float vals[4] = {1, 2, 3, 4};
    const char *nm[2] = {"arg:emb", "zero"};
    static const float dense[10] = {0, 0, 1, 2, 0, 0, 3, 4, 0, 0};
    float out[10];
    (void)state;
    list_head(&b, 2);
    rec_rsp(&b, 5, 2, 2, vals, (int64_t[]){1, 3});
    rec_rsp(&b, 3, 2, 0, NULL, NULL);
    names(&b, 2, nm);
    parse_ok(&b, &p);
    assert_int_equal(p.arrays[0].sparse, 1);
    assert_int_equal(p.arrays[0].record, MX_REC_V2);
    assert_shape(&p.arrays[0], 2, (int64_t[]){5, 2});
    assert_int_equal(p.arrays[0].count, 10);
    assert_int_equal(p.arrays[0].nbytes, 40);
    mx_array_to_f32(&p.arrays[0], out);
    assert_memory_equal(out, dense, sizeof dense);
    assert_int_equal(p.arrays[1].sparse, 1);
    assert_int_equal(p.arrays[1].count, 6);
    for (size_t i = 0; i < 6; i++)
        assert_true(mx_array_get(&p.arrays[1], i) == 0.0);
    mx_params_free(&p);
    truncations_fail(&b);
    free(b.p);
}

static void test_csr(void **state)
{
    buf_t b = {0};
    mx_params p;
    float vals[3] = {1, 2, 3};
    const char *nm[3] = {"w", "zero", "zero_noptr"};
    static const float dense[12] = {1, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0, 0};
    float out[12];
    (void)state;
    list_head(&b, 3);
    rec_csr(&b, 3, 4, 3, vals, 4, (int64_t[]){0, 2, 2, 3},
            (int64_t[]){0, 2, 1}, NULL);
    rec_csr(&b, 2, 3, 0, NULL, 3, (int64_t[]){0, 0, 0}, NULL, NULL);
    rec_csr(&b, 2, 3, 0, NULL, 0, NULL, NULL, NULL);
    names(&b, 3, nm);
    parse_ok(&b, &p);
    assert_int_equal(p.arrays[0].sparse, 2);
    assert_shape(&p.arrays[0], 2, (int64_t[]){3, 4});
    mx_array_to_f32(&p.arrays[0], out);
    assert_memory_equal(out, dense, sizeof dense);
    for (int k = 1; k < 3; k++) {
        assert_int_equal(p.arrays[k].sparse, 2);
        assert_int_equal(p.arrays[k].count, 6);
        for (size_t i = 0; i < 6; i++)
            assert_true(mx_array_get(&p.arrays[k], i) == 0.0);
    }
    mx_params_free(&p);
    truncations_fail(&b);
    free(b.p);
}

static void test_sparse_errors(void **state)
{
    float vals[4] = {1, 2, 3, 4};
    const char *nm[1] = {"arg:emb"};
    size_t off, poff;
    (void)state;
    {   /* row index past the end */
        buf_t b = {0};
        list_head(&b, 1);
        off = rec_rsp(&b, 5, 2, 2, vals, (int64_t[]){1, 5});
        names(&b, 1, nm);
        expect_errf(&b, "t.params: byte %zu: array 'arg:emb' (row_sparse): "
                        "row index 5 (entry 1) is outside [0, 5)", off + 8);
        free(b.p);
    }
    {   /* repeated row */
        buf_t b = {0};
        list_head(&b, 1);
        off = rec_rsp(&b, 5, 2, 2, vals, (int64_t[]){3, 3});
        u64(&b, 0);
        expect_errf(&b, "t.params: byte %zu: array #0 (row_sparse): row "
                        "indices are not strictly increasing: 3 after 3 "
                        "(entry 1)", off + 8);
        free(b.p);
    }
    {   /* negative row */
        buf_t b = {0};
        list_head(&b, 1);
        off = rec_rsp(&b, 5, 2, 2, vals, (int64_t[]){-1, 3});
        names(&b, 1, nm);
        expect_errf(&b, "t.params: byte %zu: array 'arg:emb' (row_sparse): "
                        "row index -1 (entry 0) is outside [0, 5)", off);
        free(b.p);
    }
    {   /* more stored rows than rows */
        buf_t b = {0};
        list_head(&b, 1);
        rec_rsp(&b, 1, 2, 2, vals, (int64_t[]){0, 1});
        names(&b, 1, nm);
        expect_err(&b, "t.params: byte 32: array 'arg:emb' (row_sparse): "
                       "row_sparse storage shape (2, 2) does not fit shape "
                       "(1, 2)");
        free(b.p);
    }
    {   /* csr column out of range */
        buf_t b = {0};
        list_head(&b, 1);
        off = rec_csr(&b, 3, 4, 3, vals, 4, (int64_t[]){0, 2, 2, 3},
                      (int64_t[]){0, 4, 1}, NULL);
        names(&b, 1, nm);
        expect_errf(&b, "t.params: byte %zu: array 'arg:emb' (csr): column "
                        "index 4 (row 0) is outside [0, 4)", off + 8);
        free(b.p);
    }
    {   /* csr columns not increasing in a row */
        buf_t b = {0};
        list_head(&b, 1);
        off = rec_csr(&b, 3, 4, 3, vals, 4, (int64_t[]){0, 2, 2, 3},
                      (int64_t[]){2, 0, 1}, NULL);
        names(&b, 1, nm);
        expect_errf(&b, "t.params: byte %zu: array 'arg:emb' (csr): column "
                        "indices of row 0 are not strictly increasing: 0 "
                        "after 2", off + 8);
        free(b.p);
    }
    {   /* indptr decreasing */
        buf_t b = {0};
        list_head(&b, 1);
        rec_csr(&b, 3, 4, 3, vals, 4, (int64_t[]){0, 2, 1, 3},
                (int64_t[]){0, 2, 1}, &poff);
        names(&b, 1, nm);
        expect_errf(&b, "t.params: byte %zu: array 'arg:emb' (csr): "
                        "indptr[2] is 1, outside [2, 3]", poff + 16);
        free(b.p);
    }
    {   /* indptr does not end at nnz */
        buf_t b = {0};
        list_head(&b, 1);
        rec_csr(&b, 3, 4, 3, vals, 4, (int64_t[]){0, 1, 1, 2},
                (int64_t[]){0, 2, 1}, &poff);
        names(&b, 1, nm);
        expect_errf(&b, "t.params: byte %zu: array 'arg:emb' (csr): "
                        "indptr[3] is 2, expected nnz = 3", poff + 24);
        free(b.p);
    }
    {   /* indptr of the wrong length */
        buf_t b = {0};
        list_head(&b, 1);
        rec_csr(&b, 3, 4, 3, vals, 3, (int64_t[]){0, 2, 3},
                (int64_t[]){0, 2, 1}, NULL);
        names(&b, 1, nm);
        expect_err(&b, "t.params: byte 80: array 'arg:emb' (csr): indptr has "
                       "3 entries, expected rows + 1 = 4");
        free(b.p);
    }
    {   /* float aux array */
        buf_t b = {0};
        list_head(&b, 1);
        rec_rsp(&b, 5, 2, 2, vals, (int64_t[]){1, 3});
        b.p[24 + 60] = 1; /* aux dtype int64 -> float64, same size */
        names(&b, 1, nm);
        expect_err(&b, "t.params: byte 84: array 'arg:emb' (row_sparse): "
                       "row indices have dtype float64, not an integer "
                       "type");
        free(b.p);
    }
    {   /* a dense form far larger than the file */
        buf_t b = {0};
        list_head(&b, 1);
        rec_csr(&b, (int64_t)1 << 20, (int64_t)1 << 20, 0, NULL, 0, NULL,
                NULL, NULL);
        names(&b, 1, nm);
        expect_err(&b, "t.params: byte 24: array 'arg:emb' (csr): dense form "
                       "of shape (1048576, 1048576) float32 is more than "
                       "268435456 bytes");
        free(b.p);
    }
    {   /* csr that is not 2-D */
        buf_t b = {0};
        list_head(&b, 1);
        u32(&b, TAG_V2);
        i32(&b, 2);
        shape(&b, 1, (int64_t[]){0});
        shape(&b, 1, (int64_t[]){4});
        i32(&b, 1); i32(&b, 0); i32(&b, 0);
        i32(&b, 6); shape(&b, 1, (int64_t[]){0});
        i32(&b, 6); shape(&b, 1, (int64_t[]){0});
        names(&b, 1, nm);
        expect_err(&b, "t.params: byte 24: array 'arg:emb' (csr): csr shape "
                       "(4,) is not 2-D");
        free(b.p);
    }
}

/* ------------------------------------------------------------- names */

static void test_names_and_find(void **state)
{
    buf_t b = {0};
    mx_params p;
    float v = 1;
    const char *nm[5] = {"arg:x", "aux:x", "features.0.weight", "arg:",
                         "ARG:y"};
    (void)state;
    list_head(&b, 5);
    for (int i = 0; i < 5; i++) {
        v = (float)i;
        rec_v23(&b, TAG_V2, 1, (int64_t[]){1}, 0, &v, 4);
    }
    names(&b, 5, nm);
    parse_ok(&b, &p);
    assert_int_equal(p.arrays[0].key_kind, MX_KEY_ARG);
    assert_int_equal(p.arrays[1].key_kind, MX_KEY_AUX);
    assert_string_equal(p.arrays[1].name, "x");
    assert_int_equal(p.arrays[2].key_kind, MX_KEY_BARE);
    assert_string_equal(p.arrays[2].name, "features.0.weight");
    assert_int_equal(p.arrays[3].key_kind, MX_KEY_ARG);
    assert_string_equal(p.arrays[3].name, "");
    assert_int_equal(p.arrays[4].key_kind, MX_KEY_BARE); /* case matters */
    assert_ptr_equal(mx_params_find(&p, "x"), &p.arrays[0]);
    assert_ptr_equal(mx_params_find(&p, "aux:x"), &p.arrays[1]);
    assert_ptr_equal(mx_params_find(&p, "features.0.weight"), &p.arrays[2]);
    assert_ptr_equal(mx_params_find(&p, "ARG:y"), &p.arrays[4]);
    assert_null(mx_params_find(&p, "y"));
    assert_null(mx_params_find(&p, "nope"));
    mx_params_free(&p);
    free(b.p);
}

static void test_duplicates_and_trailing_bytes(void **state)
{
    buf_t b = {0};
    mx_params p;
    float v;
    const char *nm[4] = {"a", "b", "a", "a"};
    (void)state;
    list_head(&b, 4);
    for (int i = 0; i < 4; i++) {
        v = (float)i;
        rec_v23(&b, TAG_V2, 1, (int64_t[]){1}, 0, &v, 4);
    }
    names(&b, 4, nm);
    put(&b, "junk", 4);
    parse_ok(&b, &p);
    assert_int_equal(p.count, 2);
    assert_string_equal(p.arrays[0].key, "a");
    assert_true(mx_array_get(&p.arrays[0], 0) == 0.0);
    assert_string_equal(p.arrays[1].key, "b");
    assert_true(mx_array_get(&p.arrays[1], 0) == 1.0);
    mx_params_free(&p);
    free(b.p);
}

/* ---------------------------------------------------------- errors */

static void test_container_errors(void **state)
{
    (void)state;
    {
        buf_t b = {0};
        expect_err(&b, "t.params: byte 0: file is empty");
    }
    {
        buf_t b = {0};
        const char *s = "version https://git-lfs.github.com/spec/v1\n"
                        "oid sha256:0123\nsize 123\n";
        put(&b, s, strlen(s));
        expect_err(&b, "t.params: byte 0: this is a Git LFS pointer, not a "
                       "params file; run `git lfs pull`");
        free(b.p);
    }
    {
        buf_t b = {0};
        put(&b, "abc", 3);
        expect_err(&b, "t.params: byte 0: file is 3 bytes long (61 62 63), "
                       "too short for a params file");
        free(b.p);
    }
    {
        buf_t b = {0};
        put(&b, "<!DOCTYPE html>", 15);
        expect_err(&b, "t.params: byte 0: unknown format, first bytes 3c 21 "
                       "44 4f 43 54 59 50; expected an MXNet NDArray list "
                       "(magic 0x112), a .npz or a .npy");
        free(b.p);
    }
    {
        buf_t b = {0};
        put(&b, "{\"nodes\": []}", 13);
        expect_err(&b, "t.params: byte 0: unknown format, first bytes 7b 22 "
                       "6e 6f 64 65 73 22 (this looks like JSON: the symbol "
                       "file?); expected an MXNet NDArray list (magic "
                       "0x112), a .npz or a .npy");
        free(b.p);
    }
    {
        buf_t b = {0};
        u64(&b, 0x113);
        u64(&b, 0);
        expect_err(&b, "t.params: byte 0: unknown format, first bytes 13 01 "
                       "00 00 00 00 00 00; expected an MXNet NDArray list "
                       "(magic 0x112), a .npz or a .npy");
        free(b.p);
    }
    {
        bnnc_err e;
        mx_params p;
        assert_int_equal(mx_params_load("/nonexistent/x.params", &p, &e), -1);
        assert_string_equal(e.msg, "/nonexistent/x.params: cannot open: No "
                                   "such file or directory");
    }
}

static void test_list_errors(void **state)
{
    float v[3] = {1, 2, 3};
    (void)state;
    {   /* K not in {0, N} */
        buf_t b = {0};
        const char *nm[2] = {"a", "b"};
        list_head(&b, 1);
        rec_v23(&b, TAG_V2, 1, (int64_t[]){3}, 0, v, 12);
        names(&b, 2, nm);
        expect_err(&b, "t.params: byte 68: name count 2 must be 0 or the "
                       "array count 1");
        free(b.p);
    }
    {   /* unknown dtype flag */
        buf_t b = {0};
        list_head(&b, 1);
        rec_v23(&b, TAG_V2, 1, (int64_t[]){3}, 42, v, 12);
        u64(&b, 0);
        expect_err(&b, "t.params: byte 52: array #0: dtype flag 42 is "
                       "unknown");
        free(b.p);
    }
    {   /* negative dtype flag in a legacy record */
        buf_t b = {0};
        list_head(&b, 2);
        rec_legacy(&b, 1, (uint32_t[]){3}, 0, v, 12);
        rec_legacy(&b, 1, (uint32_t[]){3}, -1, v, 12);
        u64(&b, 0);
        expect_err(&b, "t.params: byte 72: array #1: dtype flag -1 is "
                       "unknown");
        free(b.p);
    }
    {   /* negative dims in V2 and V1 */
        buf_t b = {0};
        list_head(&b, 1);
        rec_v23(&b, TAG_V2, 2, (int64_t[]){2, -3}, 0, v, 12);
        expect_err(&b, "t.params: byte 44: array #0: shape dimension 1 is -3 "
                       "(negative)");
        b.n = 0;
        list_head(&b, 1);
        rec_v1(&b, 1, (int64_t[]){-1}, 0, v, 12);
        expect_err(&b, "t.params: byte 32: array #0: dimension 0 is -1 "
                       "(negative)");
        free(b.p);
    }
    {   /* V2 -1 is not "unknown" (only V3) and V3 ndim -2 */
        buf_t b = {0};
        list_head(&b, 1);
        u32(&b, TAG_V2);
        i32(&b, 0);
        i32(&b, -1);
        expect_err(&b, "t.params: byte 32: array #0: shape ndim -1 is "
                       "negative");
        b.n = 0;
        list_head(&b, 1);
        u32(&b, TAG_V3);
        i32(&b, 0);
        i32(&b, -2);
        expect_err(&b, "t.params: byte 32: array #0: shape ndim -2 is "
                       "negative");
        free(b.p);
    }
    {   /* ndim > 32 */
        buf_t b = {0};
        list_head(&b, 1);
        u32(&b, 33);
        expect_err(&b, "t.params: byte 24: array #0: record tag 0x00000021 "
                       "is not V1/V2/V3 and, read as a legacy ndim, is more "
                       "than 32");
        b.n = 0;
        list_head(&b, 1);
        u32(&b, TAG_V2);
        i32(&b, 0);
        i32(&b, 33);
        expect_err(&b, "t.params: byte 32: array #0: shape ndim 33 is more "
                       "than 32");
        b.n = 0;
        list_head(&b, 1);
        u32(&b, TAG_V1);
        u32(&b, 0x80000000u);
        expect_err(&b, "t.params: byte 28: array #0: ndim 2147483648 is more "
                       "than 32");
        free(b.p);
    }
    {   /* storage types */
        buf_t b = {0};
        list_head(&b, 1);
        u32(&b, TAG_V3);
        i32(&b, 1);
        expect_err(&b, "t.params: byte 28: array #0: storage type 1 in a V3 "
                       "record (V3 records are always dense)");
        b.n = 0;
        list_head(&b, 1);
        u32(&b, TAG_V2);
        i32(&b, 3);
        expect_err(&b, "t.params: byte 28: array #0: storage type 3 is "
                       "unknown (0 dense, 1 row_sparse, 2 csr)");
        free(b.p);
    }
    {   /* dims whose product overflows */
        buf_t b = {0};
        int64_t big = (int64_t)1 << 31;
        list_head(&b, 1);
        rec_v23(&b, TAG_V2, 3, (int64_t[]){big, big, big}, 0, NULL, 0);
        expect_err(&b, "t.params: byte 24: array #0: shape (2147483648, "
                       "2147483648, 2147483648) has more than 2^62 elements");
        b.n = 0;
        list_head(&b, 1);
        rec_v23(&b, TAG_V2, 2, (int64_t[]){INT64_MAX, INT64_MAX}, 0, NULL, 0);
        expect_err(&b, "t.params: byte 24: array #0: shape "
                       "(9223372036854775807, 9223372036854775807) has more "
                       "than 2^62 elements");
        /* The non-zero dims are checked even when a zero dim makes the
         * element count 0... */
        b.n = 0;
        list_head(&b, 1);
        rec_v23(&b, TAG_V2, 3, (int64_t[]){INT64_MAX, 0, 5}, 0, NULL, 0);
        expect_err(&b, "t.params: byte 24: array #0: shape "
                       "(9223372036854775807, 0, 5) has more than 2^62 "
                       "elements");
        /* ...and when they are sane the array is simply empty. */
        b.n = 0;
        list_head(&b, 1);
        rec_v23(&b, TAG_V2, 3, (int64_t[]){(int64_t)1 << 40, 0, 1 << 20}, 0,
                NULL, 0);
        u64(&b, 0);
        {
            mx_params p;
            parse_ok(&b, &p);
            assert_int_equal(p.arrays[0].count, 0);
            mx_params_free(&p);
        }
        /* Fits in 2^62 elements, but not in the file. */
        b.n = 0;
        list_head(&b, 1);
        rec_v23(&b, TAG_V2, 2, (int64_t[]){1 << 30, 1 << 30}, 0, v, 12);
        expect_err(&b, "t.params: byte 64: array #0: truncated: data needs "
                       "1152921504606846976 x 4 bytes, 12 left");
        free(b.p);
    }
    {   /* huge counts */
        buf_t b = {0};
        list_head(&b, 10000001);
        expect_err(&b, "t.params: byte 16: array count 10000001 is more than "
                       "10000000");
        b.n = 0;
        list_head(&b, UINT64_MAX);
        expect_err(&b, "t.params: byte 16: array count 18446744073709551615 "
                       "is more than 10000000");
        b.n = 0;
        list_head(&b, 1000);
        put(&b, "0123456789", 10);
        expect_err(&b, "t.params: byte 16: array count 1000 cannot fit in the "
                       "10 bytes left (a record takes at least 4)");
        b.n = 0;
        list_head(&b, 1);
        rec_v23(&b, TAG_V2, 1, (int64_t[]){1}, 0, v, 4);
        u64(&b, 1);
        u64(&b, UINT64_MAX);
        expect_err(&b, "t.params: byte 68: name #0: name length "
                       "18446744073709551615 is more than 65536");
        b.n = 0;
        list_head(&b, 1);
        rec_v23(&b, TAG_V2, 1, (int64_t[]){1}, 0, v, 4);
        u64(&b, 1);
        u64(&b, 5);
        put(&b, "ab", 2);
        expect_err(&b, "t.params: byte 76: name #0: truncated: name needs 5 "
                       "bytes, 2 left");
        b.n = 0;
        list_head(&b, 1);
        rec_v23(&b, TAG_V2, 1, (int64_t[]){1}, 0, v, 4);
        u64(&b, 1);
        u64(&b, 3);
        put(&b, "a\0b", 3);
        expect_err(&b, "t.params: byte 76: name #0: name contains a NUL "
                       "byte");
        free(b.p);
    }
    {   /* truncated payload and missing name count */
        buf_t b = {0};
        list_head(&b, 1);
        rec_v23(&b, TAG_V2, 1, (int64_t[]){3}, 0, v, 8);
        expect_err(&b, "t.params: byte 56: array #0: truncated: data needs 3 "
                       "x 4 bytes, 8 left");
        b.n = 0;
        list_head(&b, 1);
        rec_v23(&b, TAG_V2, 1, (int64_t[]){3}, 0, v, 12);
        expect_err(&b, "t.params: byte 68: truncated: name count needs 8 "
                       "bytes, 0 left");
        free(b.p);
    }
}

/* -------------------------------------------------------- npy / npz */

static void test_npy_headers(void **state)
{
    static const float f[6] = {0, 1, 2, 3, 4, 5};
    mx_params p;
    (void)state;
    for (int major = 1; major <= 3; major++) {
        buf_t b = {0};
        npy(&b, major, "{'descr': '<f4', 'fortran_order': False, 'shape': "
                       "(2, 3), }", f, 24);
        parse_ok(&b, &p);
        assert_int_equal(p.count, 1);
        assert_int_equal(p.arrays[0].record, MX_REC_NPY);
        assert_string_equal(p.arrays[0].key, "");
        assert_shape(&p.arrays[0], 2, (int64_t[]){2, 3});
        assert_memory_equal(p.arrays[0].data, f, 24);
        assert_int_equal(p.arrays[0].file_offset, 0);
        mx_params_free(&p);
        truncations_fail(&b);
        free(b.p);
    }
    {   /* Fortran order: memory holds columns first */
        buf_t b = {0};
        static const float fo[6] = {0, 3, 1, 4, 2, 5};
        npy(&b, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': "
                   "(2, 3), }", fo, 24);
        parse_ok(&b, &p);
        assert_memory_equal(p.arrays[0].data, f, 24);
        mx_params_free(&p);
        free(b.p);
    }
    {   /* 3-D Fortran order */
        buf_t b = {0};
        float src[24], want[24];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++) {
                    want[(i * 3 + j) * 4 + k] = (float)(100 * i + 10 * j + k);
                    src[i + 2 * (j + 3 * k)] = (float)(100 * i + 10 * j + k);
                }
        npy(&b, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': "
                   "(2, 3, 4), }", src, 96);
        parse_ok(&b, &p);
        assert_memory_equal(p.arrays[0].data, want, 96);
        mx_params_free(&p);
        free(b.p);
    }
    {   /* scalar, Python 2 longs, double quotes, key order */
        buf_t b = {0};
        double d = -0.25;
        npy(&b, 1, "{\"shape\": (), \"fortran_order\": False, \"descr\": "
                   "\"<f8\"}", &d, 8);
        parse_ok(&b, &p);
        assert_int_equal(p.arrays[0].ndim, 0);
        assert_int_equal(p.arrays[0].count, 1);
        assert_true(mx_array_get(&p.arrays[0], 0) == -0.25);
        mx_params_free(&p);
        b.n = 0;
        npy(&b, 1, "{'descr': '|u1', 'fortran_order': False, 'shape': "
                   "(2L, 1L)}", "\x07\xff", 2);
        parse_ok(&b, &p);
        assert_shape(&p.arrays[0], 2, (int64_t[]){2, 1});
        assert_true(mx_array_get(&p.arrays[0], 1) == 255.0);
        mx_params_free(&p);
        free(b.p);
    }
    {   /* every descr */
        static const struct { const char *descr; int dtype; } t[] = {
            {"<f2", MX_F16}, {"<f4", MX_F32}, {"<f8", MX_F64},
            {"|u1", MX_U8},  {"<i4", MX_I32}, {"|i1", MX_I8},
            {"<i8", MX_I64}, {"|b1", MX_BOOL}, {"<i2", MX_I16},
            {"<u2", MX_U16}, {"<u4", MX_U32}, {"<u8", MX_U64},
            {"<u1", MX_U8},  {">i1", MX_I8},
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
            buf_t b = {0};
            char dict[128];
            snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': "
                                        "False, 'shape': (1,), }", t[i].descr);
            npy(&b, 1, dict, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
            parse_ok(&b, &p);
            assert_int_equal(p.arrays[0].dtype, t[i].dtype);
            assert_memory_equal(p.arrays[0].data, "\x01\x02\x03\x04\x05\x06"
                                "\x07\x08", mx_dtype_size(t[i].dtype));
            mx_params_free(&p);
            free(b.p);
        }
    }
    {   /* MXNet 2.0's bfloat16 */
        buf_t b = {0};
        uint16_t h[2] = {0x3f80, 0xbf00};
        npy(&b, 1, "{'descr': [('bfloat16', '<u2')], 'fortran_order': "
                   "False, 'shape': (2,), }", h, 4);
        parse_ok(&b, &p);
        assert_int_equal(p.arrays[0].dtype, MX_BF16);
        assert_true(mx_array_get(&p.arrays[0], 1) == -0.5);
        mx_params_free(&p);
        free(b.p);
    }
}

static void test_npy_errors(void **state)
{
    (void)state;
    /* The offset is that of needle in the header, which starts at 10. */
    static const struct { const char *dict, *needle, *msg; } t[] = {
        {"{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", ">f4",
         "t.params: byte %zu: .npy descr '>f4' is big-endian; only "
         "little-endian data is supported"},
        {"{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }", "|f4",
         "t.params: byte %zu: .npy descr '|f4' does not give the byte order "
         "of a multi-byte type"},
        {"{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", "<c8",
         "t.params: byte %zu: .npy descr '<c8' is not supported"},
        {"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", "|O",
         "t.params: byte %zu: .npy descr '|O' is not supported"},
        {"{'descr': '|V2', 'fortran_order': False, 'shape': (1,), }", "|V2",
         "t.params: byte %zu: .npy descr '|V2' is an opaque 2-byte type "
         "(ml_dtypes writes bfloat16 this way but the file does not say "
         "so); save as float32 or as [('bfloat16', '<u2')]"},
        {"{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, "
         "'shape': (1,), }", "('y'",
         "t.params: byte %zu: .npy header: structured descr with more than "
         "one field is not supported (at \"('y', '<f4')], '\")"},
        {"{'descr': '<f4', 'shape': (1,), }", "{",
         "t.params: byte %zu: .npy header lacks 'fortran_order'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}",
         "x'", "t.params: byte %zu: .npy header: key 'x' is unknown or "
         "repeated"},
        {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False}",
         "descr': '<f4', 'f", "t.params: byte %zu: .npy header: key 'descr' "
         "is unknown or repeated"},
        {"{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", "0,",
         "t.params: byte %zu: .npy header: fortran_order is not True or "
         "False (at \"0, 'shape': (1,)\")"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", "-1",
         "t.params: byte %zu: .npy header: shape dimension is not a "
         "non-negative integer (at \"-1,), }\")"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': "
         "(99999999999999999999,), }", "99,)",
         "t.params: byte %zu: .npy header: shape dimension is too large (at "
         "\"99,), }\")"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2 3), }",
         "3)", "t.params: byte %zu: .npy header: expected ',' or ')' in "
         "shape (at \"3), }\")"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } x", " x",
         "t.params: byte %zu: .npy header: text after the dict (at \"x\")"},
        {"['descr']", "[", "t.params: byte %zu: .npy header: expected '{' "
         "(at \"['descr']\")"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        buf_t b = {0};
        size_t at = 10 + (size_t)(strstr(t[i].dict, t[i].needle) - t[i].dict);
        if (t[i].needle[0] == ' ')
            at++;
        npy(&b, 1, t[i].dict, "\0\0\0\0\0\0\0\0", 8);
        expect_errf(&b, t[i].msg, at);
        free(b.p);
    }
    {
        buf_t b = {0};
        npy(&b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': "
                   "(4, 1), }", "\0\0\0\0", 4);
        expect_err(&b, "t.params: byte 128: truncated: .npy data needs 4 x 4 "
                       "bytes, 4 left");
        b.p[6] = 4;
        expect_err(&b, "t.params: byte 6: .npy version 4.0 is unknown");
        b.n = 0;
        /* a shape whose element count overflows */
        npy(&b, 2, "{'descr': '<f4', 'fortran_order': False, 'shape': "
                   "(4611686018427387904, 2), }", "", 0);
        expect_err(&b, "t.params: byte 12: shape (4611686018427387904, 2) "
                       "has more than 2^62 elements");
        free(b.p);
    }
}

static void test_npz(void **state)
{
    static const float w[6] = {1, 2, 3, 4, 5, 6};
    static const double v[2] = {0.5, -1};
    buf_t nw = {0}, nv = {0};
    mx_params p;
    (void)state;
    npy(&nw, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
        w, 24);
    npy(&nv, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
        v, 16);
    for (int mode = 0; mode < 4; mode++) {
        buf_t b = {0};
        int method = mode & 1 ? 8 : 0, zip64 = mode >> 1;
        zmember m[2] = {{"arg:conv0_weight.npy", nw.p, nw.n, method, 0},
                        {"aux:bn0_var.npy", nv.p, nv.n, method, 0}};
        make_zip(&b, m, 2, zip64);
        parse_ok(&b, &p);
        assert_int_equal(p.count, 2);
        assert_string_equal(p.arrays[0].key, "arg:conv0_weight");
        assert_string_equal(p.arrays[0].name, "conv0_weight");
        assert_int_equal(p.arrays[0].record, MX_REC_NPY);
        assert_memory_equal(p.arrays[0].data, w, 24);
        assert_int_equal(p.arrays[1].key_kind, MX_KEY_AUX);
        assert_memory_equal(p.arrays[1].data, v, 16);
        assert_int_equal(p.arrays[0].file_offset, 30 + 20);
        mx_params_free(&p);
        truncations_fail(&b);
        free(b.p);
    }
    {   /* a repeated member name: the first one wins */
        buf_t b = {0};
        zmember m[2] = {{"w.npy", nw.p, nw.n, 0, 0}, {"w.npy", nv.p, nv.n, 8, 0}};
        make_zip(&b, m, 2, 0);
        parse_ok(&b, &p);
        assert_int_equal(p.count, 1);
        assert_int_equal(p.arrays[0].dtype, MX_F32);
        mx_params_free(&p);
        free(b.p);
    }
    {   /* empty archive */
        buf_t b = {0};
        make_zip(&b, NULL, 0, 0);
        parse_ok(&b, &p);
        assert_int_equal(p.count, 0);
        mx_params_free(&p);
        free(b.p);
    }
    {   /* errors */
        buf_t b = {0};
        zmember m = {"w.npy", nw.p, nw.n, 0, 1};
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION /* fuzz builds skip CRCs */
        make_zip(&b, &m, 1, 0);
        expect_errf(&b, "t.params: byte 35: entry 'w.npy': CRC-32 is 0x%08x, "
                        "the directory says 0x%08x",
                    (unsigned)crc32(0, nw.p, (uInt)nw.n),
                    (unsigned)crc32(0, nw.p, (uInt)nw.n) ^ 1u);
        b.n = 0;
#endif
        m.bad_crc = 0;
        m.method = 12;
        make_zip(&b, &m, 1, 0);
        expect_errf(&b, "t.params: byte %zu: entry 'w.npy': compression "
                        "method 12 is not supported (only 0 stored and 8 "
                        "deflate)", 35 + nw.n + 10);
        b.n = 0;
        m.method = 99;
        make_zip(&b, &m, 1, 0);
        expect_errf(&b, "t.params: byte %zu: entry 'w.npy': member is "
                        "encrypted", 35 + nw.n + 8);
        b.n = 0;
        m.method = 0;
        m.name = "w.txt";
        make_zip(&b, &m, 1, 0);
        expect_errf(&b, "t.params: byte %zu: entry 'w.txt': member is not a "
                        ".npy file", 35 + nw.n + 46);
        b.n = 0;
        m.name = "emb/format.npy";
        make_zip(&b, &m, 1, 0);
        expect_errf(&b, "t.params: byte %zu: entry 'emb/format.npy': member "
                        "belongs to a sparse array saved as a folder; sparse "
                        "arrays in .npz are not supported (save them dense)",
                    44 + nw.n + 46);
        b.n = 0;
        m.name = "w.npy";
        m.data = (const uint8_t *)"\x93NUMPX";
        m.n = 6;
        make_zip(&b, &m, 1, 0);
        expect_err(&b, "t.params: byte 35: array 'w': not a .npy (bad magic)");
        b.n = 0;
        m.method = 8;
        make_zip(&b, &m, 1, 0);
        expect_err(&b, "t.params: array 'w' (deflated at byte 35): byte 0: "
                       "not a .npy (bad magic)");
        /* a deflate bomb claim: 1 MB from a few bytes */
        b.p[b.n - 22 - 51 + 24] = 0;
        b.p[b.n - 22 - 51 + 25] = 0;
        b.p[b.n - 22 - 51 + 26] = 0x10;
        expect_errf(&b, "t.params: byte 35: entry 'w.npy': declared inflated "
                        "size 1048576 is impossible for %u compressed bytes",
                    (unsigned)(b.p[b.n - 22 - 51 + 20] |
                               b.p[b.n - 22 - 51 + 21] << 8));
        b.n = 0;
        {
            static const char junk[] = "PK\x03\x04 and then nothing useful";
            put(&b, junk, sizeof junk - 1);
            expect_errf(&b, "t.params: byte %zu: truncated ZIP: no end of "
                            "central directory record", sizeof junk - 1);
        }
        free(b.p);
    }
    {   /* corrupt deflate data */
        buf_t b = {0};
        zmember m = {"w.npy", nw.p, nw.n, 8, 0};
        make_zip(&b, &m, 1, 0);
        b.p[35] = 0xff; /* invalid block type */
        expect_errf(&b, "t.params: byte 35: entry 'w.npy': DEFLATE data "
                        "invalid block type (declared %zu bytes, %zu "
                        "missing)", nw.n, nw.n);
        free(b.p);
    }
    free(nw.p);
    free(nv.p);
}

/* -------------------------------------------------- real MXNet files */

/* The files written by scripts/gen-params-testdata. */
static const char *params_data_dir(void)
{
    return BNNC_TEST_DATA_DIR "/unit/compiler/data/params";
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *s;
    long n;
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return s;
}

static int record_kind(const char *s)
{
    if (!strcmp(s, "V2")) return MX_REC_V2;
    if (!strcmp(s, "V3")) return MX_REC_V3;
    if (!strcmp(s, "npy")) return MX_REC_NPY;
    fail_msg("unknown record kind %s", s);
    return -1;
}

static void check_array(const char *file, const mx_array *a, const cJSON *x)
{
    const cJSON *shp = cJSON_GetObjectItem(x, "shape");
    const cJSON *vals = cJSON_GetObjectItem(x, "values");
    const char *hex = cJSON_GetObjectItem(x, "hex")->valuestring;
    const char *sparse = cJSON_GetObjectItem(x, "sparse")->valuestring;
    int sp = !strcmp(sparse, "row_sparse") ? 1 : !strcmp(sparse, "csr") ? 2 : 0;
    size_t i = 0;
    const cJSON *v;

    if (strcmp(a->key, cJSON_GetObjectItem(x, "key")->valuestring))
        fail_msg("%s: key '%s', expected '%s'", file, a->key,
                 cJSON_GetObjectItem(x, "key")->valuestring);
    assert_string_equal(mx_dtype_name(a->dtype),
                        cJSON_GetObjectItem(x, "dtype")->valuestring);
    assert_int_equal(a->record,
                     record_kind(cJSON_GetObjectItem(x, "record")->valuestring));
    assert_int_equal(a->sparse, sp);
    assert_false(a->is_none);
    assert_int_equal(a->ndim, cJSON_GetArraySize(shp));
    cJSON_ArrayForEach(v, shp)
        assert_int_equal(a->shape[i++], (int64_t)v->valuedouble);
    assert_int_equal(a->nbytes * 2, strlen(hex));
    for (i = 0; i < a->nbytes; i++) {
        unsigned byte;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &byte), 1);
        if (a->data[i] != byte)
            fail_msg("%s: '%s' byte %zu is %02x, expected %02x", file, a->key,
                     i, a->data[i], byte);
    }
    assert_int_equal(a->count, (size_t)cJSON_GetArraySize(vals));
    i = 0;
    cJSON_ArrayForEach(v, vals) {
        double got = mx_array_get(a, i);
        if (cJSON_IsString(v)) {
            if (!strcmp(v->valuestring, "nan"))
                assert_true(isnan(got));
            else
                assert_true(got == (!strcmp(v->valuestring, "inf")
                                        ? INFINITY : -INFINITY));
        } else if (got != v->valuedouble) {
            fail_msg("%s: '%s'[%zu] = %.17g, expected %.17g", file, a->key, i,
                     got, v->valuedouble);
        }
        i++;
    }
}

static void test_real_mxnet_files(void **state)
{
    const char *dir = params_data_dir();
    char path[1200];
    size_t len, nfiles = 0;
    char *text;
    cJSON *root, *files, *f;
    (void)state;
    snprintf(path, sizeof path, "%s/expected.json", dir);
    text = read_file(path, &len);
    root = cJSON_Parse(text);
    assert_non_null(root);
    assert_string_equal(cJSON_GetObjectItem(root, "mxnet")->valuestring,
                        "1.9.1");
    files = cJSON_GetObjectItem(root, "files");
    cJSON_ArrayForEach(f, files) {
        mx_params p;
        bnnc_err e;
        const cJSON *x;
        size_t i = 0;
        snprintf(path, sizeof path, "%s/%s", dir, f->string);
        if (mx_params_load(path, &p, &e))
            fail_msg("%s", e.msg);
        assert_string_equal(p.path, path);
        if (p.count != (size_t)cJSON_GetArraySize(f))
            fail_msg("%s: %zu arrays, expected %d", f->string, p.count,
                     cJSON_GetArraySize(f));
        cJSON_ArrayForEach(x, f)
            check_array(f->string, &p.arrays[i++], x);
        mx_params_free(&p);

        /* Every truncation of a real file fails cleanly. */
        {
            size_t n;
            uint8_t *bytes = (uint8_t *)read_file(path, &n);
            buf_t b = {bytes, n, n};
            truncations_fail(&b);
            free(bytes);
        }
        nfiles++;
    }
    assert_int_equal(nfiles, 11);
    {   /* a few spot checks of what MXNet wrote */
        mx_params p;
        bnnc_err e;
        const mx_array *a;
        snprintf(path, sizeof path, "%s/checkpoint-0000.params", dir);
        assert_int_equal(mx_params_load(path, &p, &e), 0);
        a = mx_params_find(&p, "bn1_moving_var");
        assert_non_null(a);
        assert_int_equal(a->key_kind, MX_KEY_AUX);
        a = mx_params_find(&p, "fc1_weight");
        assert_non_null(a);
        assert_int_equal(a->key_kind, MX_KEY_ARG);
        assert_shape(a, 2, (int64_t[]){3, 2});
        mx_params_free(&p);
        snprintf(path, sizeof path, "%s/v3.params", dir);
        assert_int_equal(mx_params_load(path, &p, &e), 0);
        a = mx_params_find(&p, "scalar");
        assert_int_equal(a->record, MX_REC_V3);
        assert_int_equal(a->ndim, 0);
        assert_true(mx_array_get(a, 0) == 3.5);
        mx_params_free(&p);
    }
    cJSON_Delete(root);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legacy_records),
        cmocka_unit_test(test_v1_records),
        cmocka_unit_test(test_v2_records),
        cmocka_unit_test(test_v3_records),
        cmocka_unit_test(test_dtype_table),
        cmocka_unit_test(test_every_dtype),
        cmocka_unit_test(test_packed_words_keep_bits),
        cmocka_unit_test(test_row_sparse),
        cmocka_unit_test(test_csr),
        cmocka_unit_test(test_sparse_errors),
        cmocka_unit_test(test_names_and_find),
        cmocka_unit_test(test_duplicates_and_trailing_bytes),
        cmocka_unit_test(test_container_errors),
        cmocka_unit_test(test_list_errors),
        cmocka_unit_test(test_npy_headers),
        cmocka_unit_test(test_npy_errors),
        cmocka_unit_test(test_npz),
        cmocka_unit_test(test_real_mxnet_files),
    };
    bnnc_quiet = 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
