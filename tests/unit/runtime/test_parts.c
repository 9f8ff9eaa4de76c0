/*
 * test_parts.c - the part entry points (bnn_part.h) against the kernels
 * they divide: for 1 to 5 parts, every part run alone writes only output
 * elements of the whole call, each with the whole call's bits, no element
 * is written by two parts, and all parts together write exactly the whole
 * call's output (strided outputs included: the gaps stay untouched).
 * Sizes are awkward on purpose: channel counts that are not multiples of
 * the blocks, fewer blocks than parts, grouped convolutions (divided by
 * rows, or not at all).
 *
 * The whole call is the reference here: the kernels themselves are tested
 * against independent oracles by the other runtime tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bnn.h"

#define SENTINEL 0xA5u

static uint32_t rng = 12345u;
static uint32_t urand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}
static float frand(void)
{
    return (float)(urand() >> 8 & 0xFFFF) / 32768.0f - 1.0f;
}

/* 64-byte aligned, filled with random words (inputs, weights) */
static void *rand_buf(size_t bytes)
{
    size_t n = (bytes + 63) / 64 * 64, i;
    uint32_t *p = aligned_alloc(64, n);
    assert_non_null(p);
    for (i = 0; i < n / 4; i++)
        p[i] = urand();
    return p;
}
static float *rand_floats(size_t n)
{
    float *p = rand_buf(n * sizeof(float));
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = frand();
    return p;
}
static void *sentinel_buf(size_t bytes)
{
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
    assert_non_null(p);
    memset(p, SENTINEL, bytes);
    return p;
}

/* A call: part < 0 is the whole kernel call, else part `part` of nparts;
 * it writes into out. */
typedef bnn_status (*call_fn)(const void *ctx, void *out, int part, int nparts);

/* The checks of the file comment, for a call writing `bytes` of output
 * in units of `unit` bytes (4: floats and words). */
static void check_parts(const char *what, call_fn call, const void *ctx, size_t bytes)
{
    unsigned char *whole = sentinel_buf(bytes), *all = sentinel_buf(bytes),
                  *one = sentinel_buf(bytes), *owner = calloc(bytes / 4, 1);
    size_t i, written = 0;
    int np, part;
    assert_non_null(owner);
    assert_int_equal(call(ctx, whole, -1, 0), BNN_OK);
    for (i = 0; i < bytes; i += 4)
        written += memcmp(whole + i, one + i, 4) != 0;
    assert_true(written > 0);
    for (np = 1; np <= 5; np++) {
        memset(all, SENTINEL, bytes);
        memset(owner, 0, bytes / 4);
        for (part = np - 1; part >= 0; part--) { /* any order */
            memset(one, SENTINEL, bytes);
            assert_int_equal(call(ctx, one, part, np), BNN_OK);
            assert_int_equal(call(ctx, all, part, np), BNN_OK);
            for (i = 0; i < bytes; i += 4) {
                static const unsigned char s[4] = {SENTINEL, SENTINEL, SENTINEL, SENTINEL};
                if (!memcmp(one + i, s, 4))
                    continue;
                if (memcmp(one + i, whole + i, 4) || owner[i / 4]) {
                    fprintf(stderr, "%s: %d parts: part %d writes unit %zu%s\n", what, np,
                            part, i / 4, owner[i / 4] ? " written by another part" : " wrong");
                    fail();
                }
                owner[i / 4] = (unsigned char)(part + 1);
            }
        }
        if (memcmp(all, whole, bytes)) {
            for (i = 0; i < bytes && all[i] == whole[i]; i++)
                ;
            fprintf(stderr, "%s: %d parts: byte %zu differs from the whole call\n", what, np,
                    i);
            fail();
        }
    }
    assert_int_equal(call(ctx, all, 0, 0), BNN_ARG_ERROR); /* part outside [0, nparts) */
    assert_int_equal(call(ctx, all, 2, 2), BNN_ARG_ERROR);
    free(whole);
    free(all);
    free(one);
    free(owner);
}

/* ---- binary convolution ---- */

typedef struct {
    bnn_bconv2d_params p;
    const uint32_t *in;
    void *scratch;
    int bits;
} bconv_ctx;

static bnn_status bconv_call(const void *c, void *out, int part, int nparts)
{
    const bconv_ctx *x = c;
    if (x->bits)
        return part < 0 ? bnn_bconv2d_b_b(&x->p, x->in, out, x->scratch)
                        : bnn_bconv2d_b_b_part(&x->p, x->in, out, x->scratch, part, nparts);
    return part < 0 ? bnn_bconv2d_b_f32(&x->p, x->in, out, x->scratch)
                    : bnn_bconv2d_b_f32_part(&x->p, x->in, out, x->scratch, part, nparts);
}

/* n images of h x w pixels; with a residual (f32 only) when res */
static void bconv_case_at(int n, int h, int w, int in_c, int out_c, int k, int stride, int pad,
                          int groups, bnn_pad_mode mode, int bits, int res)
{
    bconv_ctx x;
    int i, extra = bits ? 1 : 5;
    size_t wwords;
    int32_t *thresh;
    uint8_t *dir;
    float *mul, *add;
    char what[128];
    memset(&x, 0, sizeof x);
    x.p.n = n;
    x.p.in_h = h;
    x.p.in_w = w;
    x.p.in_c = in_c;
    x.p.k_h = x.p.k_w = k;
    x.p.stride_h = x.p.stride_w = stride;
    x.p.pad_h = x.p.pad_w = pad;
    x.p.dil_h = x.p.dil_w = 1;
    x.p.out_h = (h + 2 * pad - k) / stride + 1;
    x.p.out_w = (w + 2 * pad - k) / stride + 1;
    x.p.out_c = out_c;
    x.p.groups = groups;
    x.p.pad_mode = mode;
    x.p.out_pixel_stride = bits ? bnn_words(out_c) + extra : out_c + extra;
    wwords = bnn_bconv2d_weight_words(out_c, k, k, in_c / groups);
    x.p.weights = rand_buf(wwords * 4);
    thresh = rand_buf((size_t)out_c * 4);
    dir = rand_buf((size_t)out_c);
    mul = rand_floats((size_t)out_c);
    add = rand_floats((size_t)out_c);
    for (i = 0; i < out_c; i++) {
        thresh[i] = (int32_t)(urand() % (uint32_t)(k * k * in_c + 1)) - k * k * in_c / 2;
        dir[i] = (uint8_t)(urand() & 1u);
    }
    x.p.thresh = thresh;
    x.p.dir = dir;
    x.p.mul = mul;
    x.p.add = add;
    x.in = rand_buf((size_t)n * h * w * bnn_words(in_c) * 4);
    {
        /* tail bits of each input pixel 0, as the layout requires */
        uint32_t *in = (uint32_t *)x.in;
        int cw = bnn_words(in_c), px;
        for (px = 0; px < n * h * w && in_c % 32; px++)
            in[px * cw + cw - 1] &= (1u << (in_c % 32)) - 1u;
    }
    x.bits = bits;
    if (res && !bits) {
        x.p.residual_pixel_stride = out_c + 2;
        x.p.residual = rand_floats((size_t)n * (size_t)x.p.out_h * (size_t)x.p.out_w *
                                   (size_t)x.p.residual_pixel_stride);
    }
    x.scratch = rand_buf(bnn_bconv2d_scratch_size(&x.p));
    snprintf(what, sizeof what, "bconv2d_b_%s n%d %dx%d %d->%d k%d s%d p%d g%d%s",
             bits ? "b" : "f32", n, h, w, in_c, out_c, k, stride, pad, groups,
             x.p.residual ? " +residual" : "");
    check_parts(what, bconv_call, &x,
                (size_t)n * (size_t)x.p.out_h * (size_t)x.p.out_w *
                    (size_t)x.p.out_pixel_stride * 4u);
    free((void *)x.p.residual);
    free((void *)x.p.weights);
    free(thresh);
    free(dir);
    free(mul);
    free(add);
    free((void *)x.in);
    free(x.scratch);
}

/* one 9x7 image, no residual */
static void bconv_case(int in_c, int out_c, int k, int stride, int pad, int groups,
                       bnn_pad_mode mode, int bits)
{
    bconv_case_at(1, 9, 7, in_c, out_c, k, stride, pad, groups, mode, bits, 0);
}

/* Calls divided by channels (small images, the weights larger than the
 * input), and by output rows (the input larger than the weights, or
 * grouped): rows of two images, row counts that do not divide, borders
 * in every part, 1x1 and strided convolutions, residuals. */
static void test_bconv(void **state)
{
    (void)state;
    bconv_case_at(2, 19, 16, 64, 64, 3, 1, 1, 1, BNN_PAD_PLUS_ONE, 1, 0);
    bconv_case_at(2, 19, 16, 64, 64, 3, 1, 1, 1, BNN_PAD_ZERO, 0, 1);
    bconv_case_at(1, 13, 5, 64, 48, 1, 1, 0, 1, BNN_PAD_PLUS_ONE, 0, 1);
    bconv_case_at(1, 13, 5, 64, 48, 1, 1, 0, 1, BNN_PAD_PLUS_ONE, 1, 0);
    bconv_case_at(1, 15, 9, 64, 128, 1, 2, 0, 1, BNN_PAD_PLUS_ONE, 0, 0);
    bconv_case_at(1, 16, 12, 32, 16, 3, 2, 1, 1, BNN_PAD_MINUS_ONE, 1, 0);
    bconv_case_at(1, 12, 8, 64, 64, 3, 1, 1, 2, BNN_PAD_ZERO, 0, 1); /* grouped: rows */
    bconv_case(64, 64, 3, 1, 1, 1, BNN_PAD_PLUS_ONE, 1);
    bconv_case(64, 100, 3, 2, 1, 1, BNN_PAD_MINUS_ONE, 1);
    bconv_case(32, 65, 1, 1, 0, 1, BNN_PAD_PLUS_ONE, 1);
    bconv_case(64, 160, 3, 1, 1, 1, BNN_PAD_ZERO, 1);
    bconv_case(64, 64, 3, 1, 1, 1, BNN_PAD_PLUS_ONE, 0);
    bconv_case(96, 40, 3, 2, 1, 1, BNN_PAD_ZERO, 0);
    bconv_case(32, 17, 1, 1, 0, 1, BNN_PAD_PLUS_ONE, 0);
    bconv_case(64, 64, 3, 1, 1, 2, BNN_PAD_PLUS_ONE, 0); /* grouped, 9 rows: rows or part 0 */
}

/* ---- binary dense ---- */

typedef struct {
    bnn_bdense_params p;
    const uint32_t *in;
    int bits;
} bdense_ctx;

static bnn_status bdense_call(const void *c, void *out, int part, int nparts)
{
    const bdense_ctx *x = c;
    if (x->bits)
        return part < 0 ? bnn_bdense_b_b(&x->p, x->in, out)
                        : bnn_bdense_b_b_part(&x->p, x->in, out, part, nparts);
    return part < 0 ? bnn_bdense_b_f32(&x->p, x->in, out)
                    : bnn_bdense_b_f32_part(&x->p, x->in, out, part, nparts);
}

static void test_bdense(void **state)
{
    static const int outs[] = {10, 33, 100, 1000};
    int i, bits;
    (void)state;
    for (bits = 0; bits < 2; bits++)
        for (i = 0; i < 4; i++) {
            bdense_ctx x;
            int32_t *thresh = rand_buf((size_t)outs[i] * 4);
            uint8_t *dir = rand_buf((size_t)outs[i]);
            int o;
            memset(&x, 0, sizeof x);
            x.p.n = 2;
            x.p.in_words = 8;
            x.p.k = 250;
            x.p.out_c = outs[i];
            {
                /* bits past k are 0 in the weights, as the layout requires */
                size_t nw = bnn_bdense_weight_words(outs[i], 8), j;
                uint32_t *wt = rand_buf(nw * 4);
                for (j = 0; j < nw; j++)
                    if (j / 16 % 8 == 7)
                        wt[j] &= (1u << (250 - 224)) - 1u;
                x.p.weights = wt;
            }
            x.p.out_row_stride = (bits ? bnn_words(outs[i]) : outs[i]) + 3;
            for (o = 0; o < outs[i]; o++) {
                thresh[o] = (int32_t)(urand() % 250u) - 125;
                dir[o] = (uint8_t)(urand() & 1u);
            }
            x.p.thresh = thresh;
            x.p.dir = dir;
            x.p.mul = rand_floats((size_t)outs[i]);
            x.p.add = rand_floats((size_t)outs[i]);
            {
                uint32_t *in = rand_buf(2 * 8 * 4);
                in[7] &= (1u << (250 - 224)) - 1u;
                in[15] &= (1u << (250 - 224)) - 1u;
                x.in = in;
            }
            x.bits = bits;
            check_parts(bits ? "bdense_b_b" : "bdense_b_f32", bdense_call, &x,
                        2u * (size_t)x.p.out_row_stride * 4u);
            free((void *)x.p.weights);
            free(thresh);
            free(dir);
            free((void *)x.p.mul);
            free((void *)x.p.add);
            free((void *)x.in);
        }
}

/* ---- float convolution, streamed convolution, dense ---- */

typedef struct {
    bnn_conv2d_params p;
    bnn_conv2d_pack_params s;
    bnn_conv2d_maxpool_params m;
    const float *in;
    void *scratch;
    int streamed; /* 1: conv2d_pack_f32_b; 2: conv2d_maxpool_f32 */
} conv_ctx;

static bnn_status conv_call(const void *c, void *out, int part, int nparts)
{
    const conv_ctx *x = c;
    if (x->streamed == 2)
        return part < 0 ? bnn_conv2d_maxpool_f32(&x->m, x->in, out, x->scratch)
                        : bnn_conv2d_maxpool_f32_part(&x->m, x->in, out, x->scratch, part,
                                                      nparts);
    if (x->streamed)
        return part < 0 ? bnn_conv2d_pack_f32_b(&x->s, x->in, out, x->scratch)
                        : bnn_conv2d_pack_f32_b_part(&x->s, x->in, out, x->scratch, part,
                                                     nparts);
    return part < 0 ? bnn_conv2d_f32(&x->p, x->in, out, x->scratch)
                    : bnn_conv2d_f32_part(&x->p, x->in, out, x->scratch, part, nparts);
}

static void conv_case(int in_c, int out_c, int k, int stride, int groups, int streamed,
                      int pooled)
{
    conv_ctx x;
    int h = 11, w = 10, pad = k / 2;
    size_t scr;
    char what[128];
    memset(&x, 0, sizeof x);
    x.p.n = 1;
    x.p.in_h = h;
    x.p.in_w = w;
    x.p.in_c = in_c;
    x.p.k_h = x.p.k_w = k;
    x.p.stride_h = x.p.stride_w = stride;
    x.p.pad_h = x.p.pad_w = pad;
    x.p.dil_h = x.p.dil_w = 1;
    x.p.out_h = (h + 2 * pad - k) / stride + 1;
    x.p.out_w = (w + 2 * pad - k) / stride + 1;
    x.p.out_c = out_c;
    x.p.groups = groups;
    x.p.weights = rand_floats((size_t)k * k * (size_t)(in_c / groups) * (size_t)out_c);
    x.p.bias = rand_floats((size_t)out_c);
    x.p.act = BNN_ACT_RELU;
    x.p.out_pixel_stride = out_c + 3;
    x.in = rand_floats((size_t)h * w * in_c);
    x.streamed = streamed;
    if (streamed == 2) {
        /* the pooled pixels out_c + 3 floats apart (conv.out_pixel_stride) */
        x.m.conv = x.p;
        x.m.pool.n = 1;
        x.m.pool.in_h = x.p.out_h;
        x.m.pool.in_w = x.p.out_w;
        x.m.pool.c = out_c;
        x.m.pool.k_h = x.m.pool.k_w = 3;
        x.m.pool.stride_h = x.m.pool.stride_w = 2;
        x.m.pool.pad_h = x.m.pool.pad_w = 1;
        x.m.pool.out_h = (x.p.out_h + 2 - 3) / 2 + 1;
        x.m.pool.out_w = (x.p.out_w + 2 - 3) / 2 + 1;
        scr = bnn_conv2d_maxpool_f32_scratch_size(&x.m);
    } else if (streamed) {
        x.s.conv = x.p;
        x.s.conv.act = BNN_ACT_NONE;
        x.s.n_pre = 1;
        x.s.pre[0].kind = BNN_EW_AFFINE;
        x.s.pre[0].mul = rand_floats((size_t)out_c);
        x.s.pre[0].add = rand_floats((size_t)out_c);
        x.s.pool_kind = pooled ? BNN_POOL_MAX : BNN_POOL_NONE;
        if (pooled) {
            x.s.pool.n = 1;
            x.s.pool.in_h = x.p.out_h;
            x.s.pool.in_w = x.p.out_w;
            x.s.pool.c = out_c;
            x.s.pool.k_h = x.s.pool.k_w = 3;
            x.s.pool.stride_h = x.s.pool.stride_w = 2;
            x.s.pool.pad_h = x.s.pool.pad_w = 1;
            x.s.pool.out_h = (x.p.out_h + 2 - 3) / 2 + 1;
            x.s.pool.out_w = (x.p.out_w + 2 - 3) / 2 + 1;
            x.s.n_post = 1;
            x.s.post[0].kind = BNN_EW_ACT;
            x.s.post[0].act = BNN_ACT_RELU;
        }
        x.s.mul = rand_floats((size_t)out_c);
        x.s.add = rand_floats((size_t)out_c);
        x.s.out_pixel_stride = bnn_words(out_c) + 1;
        scr = bnn_conv2d_pack_f32_b_scratch_size(&x.s);
    } else {
        scr = bnn_conv2d_f32_scratch_size(&x.p);
    }
    x.scratch = rand_buf(scr ? scr : 64);
    snprintf(what, sizeof what, "%s %d->%d k%d s%d g%d%s",
             streamed == 2 ? "conv2d_maxpool_f32"
             : streamed    ? "conv2d_pack_f32_b"
                           : "conv2d_f32",
             in_c, out_c, k, stride, groups, pooled ? " max pool" : "");
    if (streamed == 2) {
        check_parts(what, conv_call, &x,
                    (size_t)x.m.pool.out_h * (size_t)x.m.pool.out_w *
                        (size_t)x.p.out_pixel_stride * 4u);
    } else if (streamed) {
        int oh = pooled ? x.s.pool.out_h : x.p.out_h, ow = pooled ? x.s.pool.out_w : x.p.out_w;
        check_parts(what, conv_call, &x,
                    (size_t)oh * (size_t)ow * (size_t)x.s.out_pixel_stride * 4u);
        free((void *)x.s.pre[0].mul);
        free((void *)x.s.pre[0].add);
        free((void *)x.s.mul);
        free((void *)x.s.add);
    } else {
        check_parts(what, conv_call, &x,
                    (size_t)x.p.out_h * (size_t)x.p.out_w * (size_t)x.p.out_pixel_stride * 4u);
    }
    free((void *)x.p.weights);
    free((void *)x.p.bias);
    free((void *)x.in);
    free(x.scratch);
}

static void test_conv(void **state)
{
    (void)state;
    conv_case(3, 64, 7, 2, 1, 0, 0);
    conv_case(16, 40, 3, 1, 1, 0, 0);
    conv_case(8, 16, 3, 1, 1, 0, 0);
    conv_case(8, 8, 3, 1, 8, 0, 0);  /* depthwise: part 0 */
    conv_case(16, 32, 3, 1, 4, 0, 0); /* grouped: part 0 */
    conv_case(3, 64, 7, 2, 1, 1, 1);
    conv_case(3, 100, 3, 1, 1, 1, 0);
    conv_case(16, 70, 3, 2, 1, 1, 1);
    conv_case(3, 64, 7, 2, 1, 2, 1);  /* conv + max pool: channel blocks */
    conv_case(16, 40, 3, 1, 1, 2, 1); /* a short last block */
    conv_case(16, 32, 3, 1, 4, 2, 1); /* grouped: part 0 */
}

typedef struct {
    bnn_dense_params p;
    const float *in;
} dense_ctx;

static bnn_status dense_call(const void *c, void *out, int part, int nparts)
{
    const dense_ctx *x = c;
    return part < 0 ? bnn_dense_f32(&x->p, x->in, out)
                    : bnn_dense_f32_part(&x->p, x->in, out, part, nparts);
}

static void test_dense(void **state)
{
    static const int outs[] = {10, 37, 1000};
    int i;
    (void)state;
    for (i = 0; i < 3; i++) {
        dense_ctx x;
        memset(&x, 0, sizeof x);
        x.p.n = 2;
        x.p.k = 515;
        x.p.out_c = outs[i];
        x.p.weights = rand_floats((size_t)515 * (size_t)outs[i]);
        x.p.bias = rand_floats((size_t)outs[i]);
        x.p.act = BNN_ACT_NONE;
        x.p.out_row_stride = outs[i] + 2;
        x.in = rand_floats(2 * 515);
        check_parts("dense_f32", dense_call, &x, 2u * (size_t)x.p.out_row_stride * 4u);
        free((void *)x.p.weights);
        free((void *)x.p.bias);
        free((void *)x.in);
    }
}

/* ---- elementwise, packing, pooling ---- */

enum { EW_ADD, EW_ACT, EW_ACT_FAST, EW_AFFINE, EW_PACK, EW_PACK_AFFINE, EW_UNPACK, EW_COPY,
       EW_MAXPOOL, EW_AVGPOOL, EW_MAXPOOL_B };

typedef struct {
    int kind;
    size_t n;
    bnn_channels_params ch;
    bnn_pool2d_params pool;
    const float *mul, *add;
    const void *a, *b;
} ew_ctx;

static bnn_status ew_call(const void *c, void *out, int part, int nparts)
{
    const ew_ctx *x = c;
    bnn_eltwise_params e;
    bnn_act_params ac;
    bnn_affine_params af;
    e.n = x->n;
    ac.act = BNN_ACT_TANH;
    ac.alpha = 0.0f;
    ac.n = x->n;
    af.pixels = x->ch.pixels;
    af.c = x->ch.c;
    af.mul = x->mul;
    af.add = x->add;
    switch (x->kind) {
    case EW_ADD:
        return part < 0 ? bnn_add_f32(&e, x->a, x->b, out)
                        : bnn_add_f32_part(&e, x->a, x->b, out, part, nparts);
    case EW_ACT:
        return part < 0 ? bnn_act_f32(&ac, x->a, out)
                        : bnn_act_f32_part(&ac, x->a, out, part, nparts);
    case EW_ACT_FAST:
        return part < 0 ? bnn_act_fast_f32(&ac, x->a, out)
                        : bnn_act_fast_f32_part(&ac, x->a, out, part, nparts);
    case EW_AFFINE:
        return part < 0 ? bnn_affine_f32(&af, x->a, out)
                        : bnn_affine_f32_part(&af, x->a, out, part, nparts);
    case EW_PACK:
        return part < 0 ? bnn_pack_f32_b(&x->ch, x->a, out)
                        : bnn_pack_f32_b_part(&x->ch, x->a, out, part, nparts);
    case EW_PACK_AFFINE:
        return part < 0 ? bnn_pack_affine_f32_b(&x->ch, x->a, out)
                        : bnn_pack_affine_f32_b_part(&x->ch, x->a, out, part, nparts);
    case EW_UNPACK:
        return part < 0 ? bnn_unpack_b_f32(&x->ch, x->a, out)
                        : bnn_unpack_b_f32_part(&x->ch, x->a, out, part, nparts);
    case EW_COPY:
        return part < 0 ? bnn_copy_channels_f32(&x->ch, x->a, out)
                        : bnn_copy_channels_f32_part(&x->ch, x->a, out, part, nparts);
    case EW_MAXPOOL:
        return part < 0 ? bnn_maxpool_f32(&x->pool, x->a, out)
                        : bnn_maxpool_f32_part(&x->pool, x->a, out, part, nparts);
    case EW_AVGPOOL:
        return part < 0 ? bnn_avgpool_f32(&x->pool, x->a, out)
                        : bnn_avgpool_f32_part(&x->pool, x->a, out, part, nparts);
    default:
        return part < 0 ? bnn_maxpool_b(&x->pool, x->a, out)
                        : bnn_maxpool_b_part(&x->pool, x->a, out, part, nparts);
    }
}

static void test_elementwise(void **state)
{
    static const char *const names[] = {"add_f32", "act_f32", "act_fast_f32", "affine_f32",
                                        "pack_f32_b", "pack_affine_f32_b", "unpack_b_f32",
                                        "copy_channels_f32"};
    int kind;
    (void)state;
    for (kind = EW_ADD; kind <= EW_COPY; kind++) {
        ew_ctx x;
        int pixels = 1237, c = 37;
        size_t out_bytes;
        memset(&x, 0, sizeof x);
        x.kind = kind;
        x.n = 50021; /* above the minimum of 5 parts */
        x.ch.pixels = pixels;
        x.ch.c = c;
        x.ch.in_pixel_stride = kind == EW_UNPACK ? bnn_words(c) + 1 : c + 2;
        x.ch.out_pixel_stride = kind == EW_PACK || kind == EW_PACK_AFFINE ? bnn_words(c) + 1
                                                                          : c + 5;
        x.ch.dst_c_offset = kind == EW_COPY ? 3 : 0;
        x.mul = x.ch.mul = rand_floats((size_t)c);
        x.add = x.ch.add = rand_floats((size_t)c);
        if (kind == EW_UNPACK)
            x.a = rand_buf((size_t)pixels * (size_t)x.ch.in_pixel_stride * 4u);
        else
            x.a = rand_floats(kind <= EW_ACT_FAST ? x.n
                                                  : (size_t)pixels * (size_t)x.ch.in_pixel_stride);
        x.b = rand_floats(x.n);
        if (kind == EW_AFFINE)
            x.ch.in_pixel_stride = x.ch.out_pixel_stride = c; /* dense pixels */
        if (kind == EW_UNPACK) {
            uint32_t *in = (uint32_t *)x.a;
            int px;
            for (px = 0; px < pixels; px++)
                in[px * x.ch.in_pixel_stride + 1] &= (1u << (c - 32)) - 1u;
        }
        out_bytes = kind <= EW_ACT_FAST ? x.n * 4u
                    : kind == EW_AFFINE ? (size_t)pixels * (size_t)c * 4u
                                        : (size_t)pixels * (size_t)x.ch.out_pixel_stride * 4u;
        check_parts(names[kind], ew_call, &x, out_bytes);
        free((void *)x.mul);
        free((void *)x.add);
        free((void *)x.a);
        free((void *)x.b);
    }
}

static void test_pool(void **state)
{
    int kind, n;
    (void)state;
    for (kind = EW_MAXPOOL; kind <= EW_MAXPOOL_B; kind++)
        for (n = 1; n <= 2; n++) {
            ew_ctx x;
            int c = kind == EW_MAXPOOL_B ? 200 : 64, cw = bnn_words(c);
            size_t px_in = kind == EW_MAXPOOL_B ? (size_t)cw : (size_t)c;
            memset(&x, 0, sizeof x);
            x.kind = kind;
            x.pool.n = n;
            x.pool.in_h = 56;
            x.pool.in_w = 33;
            x.pool.c = c;
            x.pool.k_h = x.pool.k_w = 3;
            x.pool.stride_h = x.pool.stride_w = 2;
            x.pool.pad_h = x.pool.pad_w = 1;
            x.pool.count_include_pad = 1;
            x.pool.out_h = (56 + 2 - 3) / 2 + 1;
            x.pool.out_w = (33 + 2 - 3) / 2 + 1;
            x.a = kind == EW_MAXPOOL_B ? rand_buf((size_t)n * 56 * 33 * px_in * 4u)
                                       : (void *)rand_floats((size_t)n * 56 * 33 * px_in);
            check_parts(kind == EW_MAXPOOL ? "maxpool_f32" : kind == EW_AVGPOOL ? "avgpool_f32"
                                                                                : "maxpool_b",
                        ew_call, &x,
                        (size_t)n * (size_t)x.pool.out_h * (size_t)x.pool.out_w * px_in * 4u);
            free((void *)x.a);
        }
}

/* bnn_part_range: whole blocks, balanced, empty parts beyond the blocks */
static void test_range(void **state)
{
    int64_t lo, hi;
    (void)state;
    assert_true(bnn_part_range(100, 16, 0, 0, 3, &lo, &hi));
    assert_true(lo == 0 && hi == 32);
    assert_true(bnn_part_range(100, 16, 0, 1, 3, &lo, &hi));
    assert_true(lo == 32 && hi == 64);
    assert_true(bnn_part_range(100, 16, 0, 2, 3, &lo, &hi));
    assert_true(lo == 64 && hi == 100);
    assert_false(bnn_part_range(20, 16, 0, 2, 3, &lo, &hi)); /* 2 blocks, 3 parts */
#ifndef BNN_PART_NO_MINIMUM
    assert_false(bnn_part_range(5000, 16, 4096, 1, 2, &lo, &hi)); /* too small */
    assert_true(bnn_part_range(5000, 16, 4096, 0, 2, &lo, &hi));
    assert_true(lo == 0 && hi == 5000);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range),      cmocka_unit_test(test_bconv),
        cmocka_unit_test(test_bdense),     cmocka_unit_test(test_conv),
        cmocka_unit_test(test_dense),      cmocka_unit_test(test_elementwise),
        cmocka_unit_test(test_pool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
