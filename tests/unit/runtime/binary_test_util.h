/*
 * binary_test_util.h - independent oracles and checkers for the binary
 * kernels, shared by the CMocka tests (test_binary_*.c) and the cross
 * driver (tests/cross/runtime_equivalence.c), which has no CMocka.
 *
 * The oracle works on plain +-1 integer values (int8 arrays), padding
 * taps with +1, -1 or 0 by value, and packs bits itself; it shares no code
 * with the kernels. Every check runs every compiled-in variant
 * (bnn_variants.h) and the public function, compares each against the
 * oracle exactly and against the portable variant bit for bit (including
 * the untouched gaps of strided outputs), and returns the number of
 * failures, printing the first few to stderr.
 *
 * The binary kernels share their variant names (family BIN): a check runs
 * the variants of bnn_bconv2d_b_i32 (or bnn_bdense_b_i32) and looks up the
 * other transforms' entry points under the same names.
 */
#ifndef BINARY_TEST_UTIL_H
#define BINARY_TEST_UTIL_H

#include "bnn.h"
#include "variant_test_util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BT_SENTINEL 0xA5A5A5A5u

#if defined(__GNUC__)
#define BT_UNUSED __attribute__((unused))
#else
#define BT_UNUSED
#endif

static BT_UNUSED uint32_t bt_rng_state = 1;

static BT_UNUSED void bt_seed(uint32_t s)
{
    bt_rng_state = s ? s : 1;
}

static BT_UNUSED uint32_t bt_rand(void)
{
    uint32_t x = bt_rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    bt_rng_state = x;
    return x;
}

/* Random +-1 value. */
static BT_UNUSED int8_t bt_pm1(void)
{
    return (bt_rand() >> 7) & 1u ? (int8_t)-1 : (int8_t)1;
}

/* 64-byte aligned buffer filled with 0xA5 (freed with bt_free); malloc
 * based, since bare-metal C libraries may lack aligned_alloc. */
static BT_UNUSED void *bt_alloc(size_t bytes)
{
    size_t n = (bytes + 63u) / 64u * 64u + 64u;
    unsigned char *raw = (unsigned char *)malloc(n + sizeof(void *));
    unsigned char *p;
    if (!raw) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    p = raw + sizeof(void *);
    p += (64u - (size_t)((uintptr_t)p % 64u)) % 64u;
    memcpy(p - sizeof(void *), &raw, sizeof raw);
    memset(p, 0xA5, (bytes + 63u) / 64u * 64u);
    return p;
}

static BT_UNUSED void bt_free(void *p)
{
    void *raw;
    memcpy(&raw, (unsigned char *)p - sizeof(void *), sizeof raw);
    free(raw);
}

/* Fills a buffer of `words` 32-bit words with the sentinel. */
static BT_UNUSED void bt_fill(void *buf, size_t words)
{
    uint32_t *w = (uint32_t *)buf;
    size_t i;
    for (i = 0; i < words; i++)
        w[i] = BT_SENTINEL;
}

/* Packs c +-1 values into words: -1 -> bit 1, element i -> bit i%32 of
 * word i/32, tail bits 0. */
static BT_UNUSED void bt_pack(const int8_t *v, int32_t c, uint32_t *out)
{
    int32_t i;
    for (i = 0; i < (c + 31) / 32; i++)
        out[i] = 0;
    for (i = 0; i < c; i++)
        if (v[i] < 0)
            out[i / 32] |= 1u << (i % 32);
}

/* Expected float output: rounded product, then rounded sum. */
static BT_UNUSED float bt_affine(int32_t dot, float mul, float add)
{
    volatile float t = (float)dot * mul;
    volatile float r = t + add;
    return r;
}

static BT_UNUSED int bt_bit(int32_t dot, int32_t th, uint8_t dir)
{
    return dir ? dot > th : dot < th;
}

typedef bnn_status (*bt_conv_i32_fn)(const bnn_bconv2d_params *, const uint32_t *,
                                      int32_t *, void *);
typedef bnn_status (*bt_conv_f32_fn)(const bnn_bconv2d_params *, const uint32_t *,
                                      float *, void *);
typedef bnn_status (*bt_conv_b_fn)(const bnn_bconv2d_params *, const uint32_t *,
                                    uint32_t *, void *);
typedef bnn_status (*bt_dense_i32_fn)(const bnn_bdense_params *, const uint32_t *,
                                       int32_t *);
typedef bnn_status (*bt_dense_f32_fn)(const bnn_bdense_params *, const uint32_t *,
                                       float *);
typedef bnn_status (*bt_dense_b_fn)(const bnn_bdense_params *, const uint32_t *,
                                     uint32_t *);

/* The three conv (or dense) entry points of binary variant `name`, all
 * required; reports and returns 0 when one is missing. */
static BT_UNUSED int bt_conv_fns(const char *name, bt_conv_i32_fn *i, bt_conv_f32_fn *f,
                                 bt_conv_b_fn *b)
{
    *i = (bt_conv_i32_fn)bnn_variant_fn("bnn_bconv2d_b_i32", name);
    *f = (bt_conv_f32_fn)bnn_variant_fn("bnn_bconv2d_b_f32", name);
    *b = (bt_conv_b_fn)bnn_variant_fn("bnn_bconv2d_b_b", name);
    if (*i && *f && *b)
        return 1;
    fprintf(stderr, "binary conv variant %s lacks an output transform\n", name);
    return 0;
}

static BT_UNUSED int bt_dense_fns(const char *name, bt_dense_i32_fn *i, bt_dense_f32_fn *f,
                                  bt_dense_b_fn *b)
{
    *i = (bt_dense_i32_fn)bnn_variant_fn("bnn_bdense_b_i32", name);
    *f = (bt_dense_f32_fn)bnn_variant_fn("bnn_bdense_b_f32", name);
    *b = (bt_dense_b_fn)bnn_variant_fn("bnn_bdense_b_b", name);
    if (*i && *f && *b)
        return 1;
    fprintf(stderr, "binary dense variant %s lacks an output transform\n", name);
    return 0;
}

typedef struct {
    int32_t n, in_h, in_w, in_c, out_c;
    int32_t k_h, k_w, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w;
    int32_t groups;
    int32_t extra_stride; /* added to the natural output pixel stride */
} bt_conv_shape;

static BT_UNUSED int bt_report(int *fails, const char *what, const char *variant,
                     size_t idx, long long got, long long want)
{
    if (*fails < 8)
        fprintf(stderr, "  mismatch %s [%s] at %zu: got %lld, want %lld\n",
                what, variant, idx, got, want);
    (*fails)++;
    return 0;
}

static BT_UNUSED int32_t bt_out_size(int32_t in, int32_t k, int32_t s, int32_t p,
                           int32_t d)
{
    return (in + 2 * p - (d * (k - 1) + 1)) / s + 1;
}

/* Runs one conv shape with one pad mode through every variant and
 * transform; returns the number of mismatches. */
static BT_UNUSED int bt_check_conv(const bt_conv_shape *s, bnn_pad_mode pm,
                         uint32_t seed)
{
    int32_t oh = bt_out_size(s->in_h, s->k_h, s->stride_h, s->pad_h, s->dil_h);
    int32_t ow = bt_out_size(s->in_w, s->k_w, s->stride_w, s->pad_w, s->dil_w);
    int32_t cg = s->in_c / s->groups, og = s->out_c / s->groups;
    int32_t cwin = bnn_words(s->in_c), owords = bnn_words(s->out_c);
    size_t npx = (size_t)s->n * (size_t)s->in_h * (size_t)s->in_w;
    size_t nopx = (size_t)s->n * (size_t)oh * (size_t)ow;
    size_t nw = (size_t)s->out_c * (size_t)s->k_h * (size_t)s->k_w * (size_t)cg;
    int32_t st_e = s->out_c + s->extra_stride;
    int32_t st_b = owords + s->extra_stride;
    int8_t *xv = (int8_t *)malloc(npx * (size_t)s->in_c);
    int8_t *wv = (int8_t *)malloc(nw);
    int32_t *ref = (int32_t *)malloc(nopx * (size_t)s->out_c * sizeof(int32_t));
    uint32_t *in = (uint32_t *)bt_alloc(npx * (size_t)cwin * 4u);
    size_t wwords = bnn_bconv2d_weight_words(s->out_c, s->k_h, s->k_w, cg);
    uint32_t *wts = (uint32_t *)bt_alloc(wwords * 4u);
    float *mul = (float *)malloc((size_t)s->out_c * sizeof(float));
    float *add = (float *)malloc((size_t)s->out_c * sizeof(float));
    int32_t *th = (int32_t *)malloc((size_t)s->out_c * sizeof(int32_t));
    uint8_t *dir = (uint8_t *)malloc((size_t)s->out_c);
    size_t out_e = nopx * (size_t)st_e, out_b = nopx * (size_t)st_b;
    int32_t *ref_i = (int32_t *)bt_alloc(out_e * 4u);
    int32_t *port_i = (int32_t *)bt_alloc(out_e * 4u);
    int32_t *got_i = (int32_t *)bt_alloc(out_e * 4u);
    float *ref_f = (float *)bt_alloc(out_e * 4u);
    float *port_f = (float *)bt_alloc(out_e * 4u);
    float *got_f = (float *)bt_alloc(out_e * 4u);
    uint32_t *ref_b = (uint32_t *)bt_alloc(out_b * 4u);
    uint32_t *port_b = (uint32_t *)bt_alloc(out_b * 4u);
    uint32_t *got_b = (uint32_t *)bt_alloc(out_b * 4u);
    /* residual tensor (pixels st_e + 1 floats apart), the expected
     * b_f32 + residual, and its output */
    int32_t st_r = st_e + 1;
    float *res = (float *)bt_alloc(nopx * (size_t)st_r * 4u);
    float *ref_r = (float *)bt_alloc(out_e * 4u);
    float *got_r = (float *)bt_alloc(out_e * 4u);
    bnn_bconv2d_params p;
    void *scratch;
    size_t i, scratch_bytes;
    int32_t n, oy, ox, o, ky, kx, ci;
    int fails = 0, v, nv;
    const char *vnames[VT_MAX_VARIANTS];

    bt_seed(seed);
    for (i = 0; i < npx * (size_t)s->in_c; i++)
        xv[i] = bt_pm1();
    for (i = 0; i < nw; i++)
        wv[i] = bt_pm1();
    for (i = 0; i < npx; i++)
        bt_pack(xv + i * (size_t)s->in_c, s->in_c, in + i * (size_t)cwin);

    /* Weights: wv[((o*k_h + ky)*k_w + kx)*cg + ci], packed into the
     * documented layout [o/16][ky][kx][word][o%16] with its index written
     * out here, and cross-checked against bnn_bconv2d_weight_index. */
    memset(wts, 0, wwords * 4u);
    for (o = 0; o < s->out_c; o++)
        for (ky = 0; ky < s->k_h; ky++)
            for (kx = 0; kx < s->k_w; kx++)
                for (ci = 0; ci < cg; ci++) {
                    size_t cw = (size_t)((cg + 31) / 32);
                    size_t idx = ((((size_t)(o / 16) * (size_t)s->k_h +
                                    (size_t)ky) * (size_t)s->k_w +
                                   (size_t)kx) * cw + (size_t)(ci / 32)) * 16u +
                                 (size_t)(o % 16);
                    if (idx != bnn_bconv2d_weight_index(s->k_h, s->k_w, cg, o,
                                                        ky, kx, ci / 32))
                        bt_report(&fails, "weight_index", "-", idx, 0, 0);
                    if (wv[(((size_t)o * (size_t)s->k_h + (size_t)ky) *
                                (size_t)s->k_w + (size_t)kx) * (size_t)cg +
                           (size_t)ci] < 0)
                        wts[idx] |= 1u << (ci % 32);
                }

    /* The oracle: plain +-1 convolution with padding by value. */
    for (n = 0; n < s->n; n++)
        for (oy = 0; oy < oh; oy++)
            for (ox = 0; ox < ow; ox++)
                for (o = 0; o < s->out_c; o++) {
                    int32_t g = o / og, dot = 0;
                    for (ky = 0; ky < s->k_h; ky++)
                        for (kx = 0; kx < s->k_w; kx++) {
                            int32_t iy = oy * s->stride_h - s->pad_h +
                                         ky * s->dil_h;
                            int32_t ix = ox * s->stride_w - s->pad_w +
                                         kx * s->dil_w;
                            int inside = iy >= 0 && iy < s->in_h && ix >= 0 &&
                                         ix < s->in_w;
                            for (ci = 0; ci < cg; ci++) {
                                int32_t x, w;
                                if (inside)
                                    x = xv[(((size_t)n * (size_t)s->in_h +
                                             (size_t)iy) * (size_t)s->in_w +
                                            (size_t)ix) * (size_t)s->in_c +
                                           (size_t)(g * cg + ci)];
                                else
                                    x = pm == BNN_PAD_PLUS_ONE    ? 1
                                        : pm == BNN_PAD_MINUS_ONE ? -1
                                                                  : 0;
                                w = wv[(((size_t)o * (size_t)s->k_h +
                                         (size_t)ky) * (size_t)s->k_w +
                                        (size_t)kx) * (size_t)cg +
                                       (size_t)ci];
                                dot += x * w;
                            }
                        }
                    ref[(((size_t)n * (size_t)oh + (size_t)oy) * (size_t)ow +
                         (size_t)ox) * (size_t)s->out_c + (size_t)o] = dot;
                }

    /* Transforms: random affine; thresholds around the dots, some equal
     * to an actual dot (ties), some constant-channel sentinels. */
    for (o = 0; o < s->out_c; o++) {
        int32_t kk = s->k_h * s->k_w * cg;
        mul[o] = (float)((int32_t)(bt_rand() % 2001u) - 1000) / 377.0f;
        add[o] = (float)((int32_t)(bt_rand() % 2001u) - 1000) / 13.0f;
        dir[o] = (uint8_t)(bt_rand() & 1u);
        switch (o % 7) {
        case 0:
            th[o] = ref[(size_t)(bt_rand() % (uint32_t)nopx) *
                        (size_t)s->out_c + (size_t)o];
            break;
        case 1:
            th[o] = INT32_MIN;
            break;
        case 2:
            th[o] = INT32_MAX;
            break;
        default:
            th[o] = (int32_t)(bt_rand() % (uint32_t)(2 * kk + 5)) - kk - 2;
        }
    }

    for (i = 0; i < nopx * (size_t)st_r; i++) {
        uint32_t r = bt_rand();
        res[i] = r % 97u == 0 ? -0.0f : (float)((int32_t)(r % 4001u) - 2000) / 7.0f;
    }

    bt_fill(ref_i, out_e);
    bt_fill(ref_f, out_e);
    bt_fill(ref_r, out_e);
    bt_fill(ref_b, out_b);
    for (i = 0; i < nopx; i++) {
        for (o = 0; o < s->out_c; o++) {
            int32_t d = ref[i * (size_t)s->out_c + (size_t)o];
            ref_i[i * (size_t)st_e + (size_t)o] = d;
            ref_f[i * (size_t)st_e + (size_t)o] = bt_affine(d, mul[o], add[o]);
            {
                volatile float sum = ref_f[i * (size_t)st_e + (size_t)o] +
                                     res[i * (size_t)st_r + (size_t)o];
                ref_r[i * (size_t)st_e + (size_t)o] = sum;
            }
        }
        for (o = 0; o < owords; o++)
            ref_b[i * (size_t)st_b + (size_t)o] = 0;
        for (o = 0; o < s->out_c; o++)
            if (bt_bit(ref[i * (size_t)s->out_c + (size_t)o], th[o], dir[o]))
                ref_b[i * (size_t)st_b + (size_t)(o / 32)] |= 1u << (o % 32);
    }

    memset(&p, 0, sizeof p);
    p.n = s->n;
    p.in_h = s->in_h;
    p.in_w = s->in_w;
    p.in_c = s->in_c;
    p.out_h = oh;
    p.out_w = ow;
    p.out_c = s->out_c;
    p.k_h = s->k_h;
    p.k_w = s->k_w;
    p.stride_h = s->stride_h;
    p.stride_w = s->stride_w;
    p.pad_h = s->pad_h;
    p.pad_w = s->pad_w;
    p.dil_h = s->dil_h;
    p.dil_w = s->dil_w;
    p.groups = s->groups;
    p.pad_mode = pm;
    p.weights = wts;
    p.mul = mul;
    p.add = add;
    p.thresh = th;
    p.dir = dir;
    scratch_bytes = bnn_bconv2d_scratch_size(&p);
    if (scratch_bytes != bnn_bconv2d_scratch_bytes(&p))
        bt_report(&fails, "scratch size", "-", 0, (long long)scratch_bytes,
                  (long long)bnn_bconv2d_scratch_bytes(&p));
    scratch = bt_alloc(scratch_bytes);

    nv = vt_variants("bnn_bconv2d_b_i32", vnames, NULL);
    if (nv < 1)
        bt_report(&fails, "variant list", "-", 0, nv, 1);
    for (v = 0; v <= nv; v++) {
        /* v == nv: the public entry points. */
        const char *name = v < nv ? vnames[v] : "public";
        bt_conv_i32_fn fi = bnn_bconv2d_b_i32;
        bt_conv_f32_fn ff = bnn_bconv2d_b_f32;
        bt_conv_b_fn fb = bnn_bconv2d_b_b;
        int32_t *oi = v == 0 ? port_i : got_i;
        float *of = v == 0 ? port_f : got_f;
        uint32_t *ob = v == 0 ? port_b : got_b;
        bnn_status r1, r2, r3;
        if (v < nv && !bt_conv_fns(name, &fi, &ff, &fb)) {
            bt_report(&fails, "entry points", name, 0, 0, 1);
            continue;
        }
        bt_fill(oi, out_e);
        bt_fill(of, out_e);
        bt_fill(ob, out_b);
        p.out_pixel_stride = st_e;
        memset(scratch, 0xCD, scratch_bytes);
        r1 = fi(&p, in, oi, scratch);
        memset(scratch, 0xCD, scratch_bytes);
        r2 = ff(&p, in, of, scratch);
        p.out_pixel_stride = st_b;
        memset(scratch, 0xCD, scratch_bytes);
        r3 = fb(&p, in, ob, scratch);
        if (r1 != BNN_OK || r2 != BNN_OK || r3 != BNN_OK)
            bt_report(&fails, "status", name, 0, r1 * 100 + r2 * 10 + r3, 0);
        /* b_f32 with a residual: as the conv then bnn_add_f32, bit for
         * bit; then in place (the output holds the residual) */
        for (n = 0; n < 2; n++) {
            p.out_pixel_stride = st_e;
            bt_fill(got_r, out_e);
            if (n == 0) {
                p.residual = res;
                p.residual_pixel_stride = st_r;
            } else {
                for (i = 0; i < nopx; i++)
                    memcpy(got_r + i * (size_t)st_e, res + i * (size_t)st_r,
                           (size_t)s->out_c * 4u);
                p.residual = got_r;
                p.residual_pixel_stride = st_e;
            }
            memset(scratch, 0xCD, scratch_bytes);
            r3 = ff(&p, in, got_r, scratch);
            if (r3 != BNN_OK)
                bt_report(&fails, "residual status", name, 0, r3, 0);
            for (i = 0; i < out_e; i++)
                if (memcmp(&got_r[i], &ref_r[i], 4) != 0)
                    bt_report(&fails, n ? "b_f32 + residual in place" : "b_f32 + residual",
                              name, i, (long long)(got_r[i] * 1000.0f),
                              (long long)(ref_r[i] * 1000.0f));
            p.residual = NULL;
            p.residual_pixel_stride = 0;
        }
        /* b_f32 with dot_offset = -K and a clamp (Larq Compute Engine's
         * output transform): against LCE's own formula
         * (float)(K - clamp(dot)) * (-mul) + add, bit for bit */
        for (n = 0; n < 3; n++) {
            int32_t kk = s->k_h * s->k_w * cg, lo = n == 1 ? 0 : -1, hi = n == 1 ? kk : 1;
            p.out_pixel_stride = st_e;
            p.dot_offset = -kk;
            p.dot_clamp = n > 0;
            p.dot_lo = lo;
            p.dot_hi = hi;
            bt_fill(got_r, out_e);
            memset(scratch, 0xCD, scratch_bytes);
            r3 = ff(&p, in, got_r, scratch);
            if (r3 != BNN_OK)
                bt_report(&fails, "offset status", name, 0, r3, 0);
            for (i = 0; i < nopx; i++)
                for (o = 0; o < s->out_c; o++) {
                    int32_t d = ref[i * (size_t)s->out_c + (size_t)o];
                    volatile float t, e;
                    if (n > 0)
                        d = d < lo ? lo : d > hi ? hi : d;
                    t = (float)(kk - d) * -mul[o];
                    e = t + add[o];
                    if (memcmp(&got_r[i * (size_t)st_e + (size_t)o], (const void *)&e, 4))
                        bt_report(&fails, "b_f32 offset/clamp vs LCE form", name,
                                  i * (size_t)st_e + (size_t)o,
                                  (long long)(got_r[i * (size_t)st_e + (size_t)o] * 1000.0f),
                                  (long long)(e * 1000.0f));
                }
            p.dot_offset = p.dot_clamp = p.dot_lo = p.dot_hi = 0;
        }
        /* a row range (row_lo, row_hi): the rows [rlo, rhi) of the n*oh
         * rows as in the whole call, nothing else written; i32, b and
         * f32 with a residual */
        {
            int32_t rows = s->n * oh, rlo = rows / 3, rhi = rows - rows / 4, kind;
            p.row_lo = rlo;
            p.row_hi = rhi;
            for (kind = 0; kind < 3; kind++) {
                size_t units = kind == 1 ? out_b : out_e, per_row = units / (size_t)rows;
                const uint32_t *want = kind == 0   ? (const uint32_t *)(const void *)ref_i
                                       : kind == 1 ? ref_b
                                                   : (const uint32_t *)(const void *)ref_r;
                uint32_t *got = (uint32_t *)(void *)got_r;
                bnn_status rr;
                bt_fill(got, units);
                memset(scratch, 0xCD, scratch_bytes);
                p.out_pixel_stride = kind == 1 ? st_b : st_e;
                p.residual = kind == 2 ? res : NULL;
                p.residual_pixel_stride = kind == 2 ? st_r : 0;
                rr = kind == 0   ? fi(&p, in, (int32_t *)(void *)got, scratch)
                     : kind == 1 ? fb(&p, in, got, scratch)
                                 : ff(&p, in, got_r, scratch);
                if (rr != BNN_OK)
                    bt_report(&fails, "row range status", name, (size_t)kind, rr, 0);
                for (i = 0; i < units; i++) {
                    int in_rows = i / per_row >= (size_t)rlo && i / per_row < (size_t)rhi;
                    uint32_t e = in_rows ? want[i] : BT_SENTINEL;
                    if (got[i] != e)
                        bt_report(&fails, kind == 0   ? "b_i32 row range"
                                          : kind == 1 ? "b_b row range"
                                                      : "b_f32 + residual row range",
                                  name, i, got[i], e);
                }
            }
            p.residual = NULL;
            p.residual_pixel_stride = 0;
            p.row_lo = p.row_hi = 0;
        }
        for (i = 0; i < out_e; i++) {
            if ((uint32_t)oi[i] != (uint32_t)ref_i[i])
                bt_report(&fails, "b_i32 vs oracle", name, i, oi[i], ref_i[i]);
            if (memcmp(&of[i], &ref_f[i], 4) != 0)
                bt_report(&fails, "b_f32 vs oracle", name, i,
                          (long long)(of[i] * 1000.0f),
                          (long long)(ref_f[i] * 1000.0f));
            if (v > 0 && (oi[i] != port_i[i] || memcmp(&of[i], &port_f[i], 4)))
                bt_report(&fails, "vs portable", name, i, oi[i], port_i[i]);
        }
        for (i = 0; i < out_b; i++) {
            if (ob[i] != ref_b[i])
                bt_report(&fails, "b_b vs oracle", name, i, ob[i], ref_b[i]);
            if (v > 0 && ob[i] != port_b[i])
                bt_report(&fails, "b_b vs portable", name, i, ob[i], port_b[i]);
        }
    }
    if (fails)
        fprintf(stderr,
                "conv %dx%dx%d->%d n%d k%dx%d s%d,%d p%d,%d d%d,%d g%d pad%d: "
                "%d mismatches\n",
                s->in_h, s->in_w, s->in_c, s->out_c, s->n, s->k_h, s->k_w,
                s->stride_h, s->stride_w, s->pad_h, s->pad_w, s->dil_h,
                s->dil_w, s->groups, (int)pm, fails);

    free(xv);
    free(wv);
    free(ref);
    bt_free(in);
    bt_free(wts);
    free(mul);
    free(add);
    free(th);
    free(dir);
    bt_free(ref_i);
    bt_free(port_i);
    bt_free(got_i);
    bt_free(ref_f);
    bt_free(port_f);
    bt_free(got_f);
    bt_free(ref_b);
    bt_free(port_b);
    bt_free(got_b);
    bt_free(res);
    bt_free(ref_r);
    bt_free(got_r);
    bt_free(scratch);
    return fails;
}

/* The conv shapes every build checks: channel counts around word and
 * block edges, 1x1 and odd images, 1x1..7x7 kernels, strides, dilation,
 * rectangular geometry, groups (word-aligned and not), batches, strided
 * outputs. */
static BT_UNUSED const bt_conv_shape bt_conv_shapes[] = {
    /* n  ih iw  ic  oc kh kw sh sw ph pw dh dw  g extra */
    {1, 5, 5, 1, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0},
    {1, 7, 5, 31, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3},
    {1, 1, 1, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0},
    {1, 9, 7, 33, 33, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
    {1, 6, 5, 63, 48, 5, 5, 1, 1, 2, 2, 1, 1, 1, 0},
    {1, 8, 8, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0},
    {1, 5, 7, 65, 20, 1, 1, 1, 1, 0, 0, 1, 1, 1, 2},
    {1, 7, 7, 96, 80, 7, 7, 1, 1, 3, 3, 1, 1, 1, 0},
    {1, 9, 9, 130, 33, 3, 3, 1, 1, 2, 2, 2, 2, 1, 5},
    {1, 11, 13, 64, 130, 3, 3, 2, 2, 1, 1, 1, 1, 1, 0},
    {1, 9, 8, 40, 24, 3, 5, 2, 1, 1, 2, 1, 2, 1, 1},
    {2, 6, 7, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0},
    {1, 3, 5, 33, 64, 1, 1, 2, 2, 1, 1, 1, 1, 1, 0},
    {1, 1, 9, 128, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0},
    {1, 8, 8, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 2, 0},
    {1, 7, 6, 128, 64, 3, 3, 1, 1, 1, 1, 1, 1, 4, 1},
    {1, 6, 6, 96, 32, 3, 3, 1, 1, 1, 1, 1, 1, 2, 0},
    {1, 5, 5, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8, 0},
    {1, 6, 5, 130, 26, 3, 3, 1, 2, 1, 1, 1, 1, 2, 0},
    {1, 15, 15, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0},
    {1, 7, 7, 128, 128, 3, 3, 1, 1, 1, 1, 1, 1, 2, 0},
    {1, 6, 6, 96, 144, 3, 3, 1, 1, 1, 1, 1, 1, 3, 1},
    {1, 10, 9, 256, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0},
    {1, 6, 7, 33, 60, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2},
    /* 1x1 without padding (a path of its own on AVX-512): blocks of 4
     * and fewer, rows of 4 pixels and not, strides, batches */
    {1, 8, 9, 64, 64, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0},
    {2, 9, 11, 64, 128, 1, 1, 2, 2, 0, 0, 1, 1, 1, 1},
    {1, 7, 6, 128, 256, 1, 1, 2, 2, 0, 0, 1, 1, 1, 0},
    {1, 5, 13, 96, 48, 1, 1, 1, 1, 0, 0, 1, 1, 1, 2},
    {1, 3, 7, 32, 20, 1, 1, 1, 3, 0, 0, 1, 1, 1, 0},
    {1, 4, 4, 200, 80, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0},
    /* more of the 1x1 path: K of 2 words not a multiple of 32 with a
     * partial fourth block (60), 4 words with a partial group after a
     * full one (100), 8 and 3 words, strides 2 and (2, 1), rows of 7,
     * 5 and 6 pixels, batches, strided outputs */
    {1, 6, 7, 40, 60, 1, 1, 1, 1, 0, 0, 1, 1, 1, 3},
    {2, 7, 9, 100, 100, 1, 1, 2, 2, 0, 0, 1, 1, 1, 0},
    {1, 9, 5, 256, 70, 1, 1, 2, 1, 0, 0, 1, 1, 1, 1},
    {1, 5, 6, 80, 64, 1, 1, 1, 1, 0, 0, 1, 1, 1, 5},
    {1, 13, 13, 64, 128, 1, 1, 2, 2, 0, 0, 1, 1, 1, 0},
    /* 3x3 float output: whole 4-block tiles then a partial block */
    {1, 9, 10, 64, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2},
};

#define BT_NUM_CONV_SHAPES ((int)(sizeof bt_conv_shapes / sizeof bt_conv_shapes[0]))

#define BT_NUM_RANDOM_SHAPES 60

/* Random small conv shape number i from the generator state *seed:
 * channel counts 1..140, groups among the common divisors up to 8 (every
 * fourth shape word-aligned groups when in_c >= 64), kernels 1..5,
 * strides 1..3, dilation 1..2, padding 0..3, images 1..9 (grown until the
 * dilated kernel fits), batch 1..2, output stride gaps 0..2. */
static BT_UNUSED void bt_random_conv_shape(int i, uint32_t *seed, bt_conv_shape *s)
{
    int32_t g, cands[8], nc = 0;
    *seed = *seed * 1664525u + 1013904223u;
    s->n = 1 + (int32_t)((*seed >> 8) % 2u);
    s->in_c = 1 + (int32_t)((*seed >> 12) % 140u);
    *seed = *seed * 1664525u + 1013904223u;
    s->out_c = 1 + (int32_t)((*seed >> 8) % 140u);
    for (g = 1; g <= 8; g++)
        if (s->in_c % g == 0 && s->out_c % g == 0)
            cands[nc++] = g;
    s->groups = cands[(*seed >> 20) % (uint32_t)nc];
    if (i % 4 == 0 && s->in_c >= 64) {
        s->in_c = 64;
        s->out_c = 32 * (1 + (int32_t)((*seed >> 24) % 3u));
        s->groups = 2;
    }
    *seed = *seed * 1664525u + 1013904223u;
    s->k_h = 1 + (int32_t)((*seed >> 8) % 5u);
    s->k_w = 1 + (int32_t)((*seed >> 11) % 5u);
    s->stride_h = 1 + (int32_t)((*seed >> 14) % 3u);
    s->stride_w = 1 + (int32_t)((*seed >> 16) % 3u);
    s->dil_h = 1 + (int32_t)((*seed >> 18) % 2u);
    s->dil_w = 1 + (int32_t)((*seed >> 19) % 2u);
    s->pad_h = (int32_t)((*seed >> 20) % 4u);
    s->pad_w = (int32_t)((*seed >> 22) % 4u);
    *seed = *seed * 1664525u + 1013904223u;
    s->in_h = 1 + (int32_t)((*seed >> 8) % 9u);
    s->in_w = 1 + (int32_t)((*seed >> 12) % 9u);
    s->extra_stride = (int32_t)((*seed >> 16) % 3u);
    while (s->in_h + 2 * s->pad_h < s->dil_h * (s->k_h - 1) + 1)
        s->in_h++;
    while (s->in_w + 2 * s->pad_w < s->dil_w * (s->k_w - 1) + 1)
        s->in_w++;
}

/* Dense: n rows of in_words words whose value-carrying bits are those of
 * `segments` segments of seg_bits bits, each starting on a word boundary
 * (as when a binary H x W x C tensor with C % 32 != 0 is flattened), so
 * k = segments * seg_bits. */
typedef struct {
    int32_t n, segments, seg_bits, out_c, extra_stride;
} bt_dense_shape;

static BT_UNUSED int bt_check_dense(const bt_dense_shape *s, uint32_t seed)
{
    int32_t segw = (s->seg_bits + 31) / 32;
    int32_t in_words = s->segments * segw, k = s->segments * s->seg_bits;
    int32_t owords = bnn_words(s->out_c);
    int32_t st_e = s->out_c + s->extra_stride, st_b = owords + s->extra_stride;
    size_t nx = (size_t)s->n * (size_t)k, nwv = (size_t)s->out_c * (size_t)k;
    int8_t *xv = (int8_t *)malloc(nx), *wv = (int8_t *)malloc(nwv);
    uint32_t *in = (uint32_t *)bt_alloc((size_t)s->n * (size_t)in_words * 4u);
    size_t wwords = bnn_bdense_weight_words(s->out_c, in_words);
    uint32_t *wts = (uint32_t *)bt_alloc(wwords * 4u);
    float *mul = (float *)malloc((size_t)s->out_c * sizeof(float));
    float *add = (float *)malloc((size_t)s->out_c * sizeof(float));
    int32_t *th = (int32_t *)malloc((size_t)s->out_c * sizeof(int32_t));
    uint8_t *dir = (uint8_t *)malloc((size_t)s->out_c);
    int32_t *ref = (int32_t *)malloc((size_t)s->n * (size_t)s->out_c * 4u);
    size_t out_e = (size_t)s->n * (size_t)st_e, out_b = (size_t)s->n * (size_t)st_b;
    int32_t *ref_i = (int32_t *)bt_alloc(out_e * 4u);
    int32_t *got_i = (int32_t *)bt_alloc(out_e * 4u);
    float *ref_f = (float *)bt_alloc(out_e * 4u);
    float *got_f = (float *)bt_alloc(out_e * 4u);
    uint32_t *ref_b = (uint32_t *)bt_alloc(out_b * 4u);
    uint32_t *got_b = (uint32_t *)bt_alloc(out_b * 4u);
    bnn_bdense_params p;
    int32_t r, o, j, sg;
    size_t i;
    int fails = 0, v, nv;
    const char *vnames[VT_MAX_VARIANTS];

    bt_seed(seed);
    for (i = 0; i < nx; i++)
        xv[i] = bt_pm1();
    for (i = 0; i < nwv; i++)
        wv[i] = bt_pm1();
    for (r = 0; r < s->n; r++)
        for (sg = 0; sg < s->segments; sg++)
            bt_pack(xv + (size_t)r * (size_t)k + (size_t)sg * (size_t)s->seg_bits,
                    s->seg_bits,
                    in + (size_t)r * (size_t)in_words + (size_t)sg * (size_t)segw);
    memset(wts, 0, wwords * 4u);
    for (o = 0; o < s->out_c; o++)
        for (sg = 0; sg < s->segments; sg++)
            for (j = 0; j < s->seg_bits; j++) {
                int32_t w = sg * segw + j / 32;
                size_t idx = ((size_t)(o / 16) * (size_t)in_words + (size_t)w) *
                                 16u + (size_t)(o % 16);
                if (idx != bnn_bdense_weight_index(in_words, o, w))
                    bt_report(&fails, "dense weight_index", "-", idx, 0, 0);
                if (wv[(size_t)o * (size_t)k + (size_t)(sg * s->seg_bits + j)] < 0)
                    wts[idx] |= 1u << (j % 32);
            }
    for (r = 0; r < s->n; r++)
        for (o = 0; o < s->out_c; o++) {
            int32_t dot = 0;
            for (j = 0; j < k; j++)
                dot += xv[(size_t)r * (size_t)k + (size_t)j] *
                       wv[(size_t)o * (size_t)k + (size_t)j];
            ref[(size_t)r * (size_t)s->out_c + (size_t)o] = dot;
        }
    for (o = 0; o < s->out_c; o++) {
        mul[o] = (float)((int32_t)(bt_rand() % 2001u) - 1000) / 377.0f;
        add[o] = (float)((int32_t)(bt_rand() % 2001u) - 1000) / 13.0f;
        dir[o] = (uint8_t)(bt_rand() & 1u);
        th[o] = o % 5 == 0 ? ref[(size_t)(bt_rand() % (uint32_t)s->n) *
                                     (size_t)s->out_c + (size_t)o]
                : o % 5 == 1 ? (o % 2 ? INT32_MIN : INT32_MAX)
                : (int32_t)(bt_rand() % (uint32_t)(2 * k + 5)) - k - 2;
    }
    bt_fill(ref_i, out_e);
    bt_fill(ref_f, out_e);
    bt_fill(ref_b, out_b);
    for (r = 0; r < s->n; r++) {
        for (o = 0; o < s->out_c; o++) {
            int32_t d = ref[(size_t)r * (size_t)s->out_c + (size_t)o];
            ref_i[(size_t)r * (size_t)st_e + (size_t)o] = d;
            ref_f[(size_t)r * (size_t)st_e + (size_t)o] = bt_affine(d, mul[o], add[o]);
        }
        for (o = 0; o < owords; o++)
            ref_b[(size_t)r * (size_t)st_b + (size_t)o] = 0;
        for (o = 0; o < s->out_c; o++)
            if (bt_bit(ref[(size_t)r * (size_t)s->out_c + (size_t)o], th[o], dir[o]))
                ref_b[(size_t)r * (size_t)st_b + (size_t)(o / 32)] |= 1u << (o % 32);
    }
    memset(&p, 0, sizeof p);
    p.n = s->n;
    p.in_words = in_words;
    p.k = k;
    p.out_c = s->out_c;
    p.weights = wts;
    p.mul = mul;
    p.add = add;
    p.thresh = th;
    p.dir = dir;
    nv = vt_variants("bnn_bdense_b_i32", vnames, NULL);
    if (nv < 1)
        bt_report(&fails, "variant list", "-", 0, nv, 1);
    for (v = 0; v <= nv; v++) {
        /* v == nv: the public entry points. */
        const char *name = v < nv ? vnames[v] : "public";
        bt_dense_i32_fn fi = bnn_bdense_b_i32;
        bt_dense_f32_fn ff = bnn_bdense_b_f32;
        bt_dense_b_fn fb = bnn_bdense_b_b;
        bnn_status r1, r2, r3;
        if (v < nv && !bt_dense_fns(name, &fi, &ff, &fb)) {
            bt_report(&fails, "entry points", name, 0, 0, 1);
            continue;
        }
        bt_fill(got_i, out_e);
        bt_fill(got_f, out_e);
        bt_fill(got_b, out_b);
        p.out_row_stride = st_e;
        r1 = fi(&p, in, got_i);
        r2 = ff(&p, in, got_f);
        p.out_row_stride = st_b;
        r3 = fb(&p, in, got_b);
        if (r1 != BNN_OK || r2 != BNN_OK || r3 != BNN_OK)
            bt_report(&fails, "dense status", name, 0, r1 * 100 + r2 * 10 + r3, 0);
        for (i = 0; i < out_e; i++) {
            if (got_i[i] != ref_i[i])
                bt_report(&fails, "dense b_i32", name, i, got_i[i], ref_i[i]);
            if (memcmp(&got_f[i], &ref_f[i], 4) != 0)
                bt_report(&fails, "dense b_f32", name, i,
                          (long long)(got_f[i] * 1000.0f),
                          (long long)(ref_f[i] * 1000.0f));
        }
        for (i = 0; i < out_b; i++)
            if (got_b[i] != ref_b[i])
                bt_report(&fails, "dense b_b", name, i, got_b[i], ref_b[i]);
    }
    if (fails)
        fprintf(stderr, "dense n%d %dx%d bits -> %d: %d mismatches\n", s->n,
                s->segments, s->seg_bits, s->out_c, fails);
    free(xv);
    free(wv);
    bt_free(in);
    bt_free(wts);
    free(mul);
    free(add);
    free(th);
    free(dir);
    free(ref);
    bt_free(ref_i);
    bt_free(got_i);
    bt_free(ref_f);
    bt_free(got_f);
    bt_free(ref_b);
    bt_free(got_b);
    return fails;
}

static BT_UNUSED const bt_dense_shape bt_dense_shapes[] = {
    /* n seg bits oc extra */
    {1, 1, 1, 1, 0},
    {1, 1, 31, 17, 1},
    {3, 1, 32, 32, 0},
    {2, 1, 33, 33, 2},
    {5, 1, 63, 64, 0},
    {1, 1, 64, 65, 0},
    {4, 1, 65, 96, 3},
    {7, 1, 130, 130, 0},
    {1, 49, 20, 10, 0},
    {2, 4, 96, 1000, 0},
    {6, 1, 4096, 48, 1},
};

#define BT_NUM_DENSE_SHAPES ((int)(sizeof bt_dense_shapes / sizeof bt_dense_shapes[0]))

#endif
