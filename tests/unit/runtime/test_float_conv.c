/*
 * test_float_conv.c - bnn_conv2d_f32 against an independent double
 * precision NHWC convolution on awkward shapes (channels 1..130, 1-pixel
 * and odd images, kernels 1..7, stride 2, dilation 2, groups, depthwise
 * incl. more taps than one depthwise chunk, channel multipliers, wider
 * destinations), every compiled-in variant bit for bit against the
 * portable kernel, and the argument checks.
 *
 * BNN_CONV_ORDER_FMA (every single-group case again): every variant bit
 * for bit against an independent loop of C99 fmaf from the bias, the
 * convolution + max pooling too; bnn_fmaf_soft against fmaf, including
 * sums that a plain double-then-float rounding gets wrong.
 *
 * Weights are addressed through bnn_conv2d_weight_index; a test below
 * checks that function against the layout bnn.h documents.
 *
 * Tolerance: each output is a float sum of K rounded products plus a bias.
 * With u = 2^-24, the recursive-summation bound gives
 *     |got - exact| <= (K + 2) * u * (sum |x*w| + |bias|)
 * (K + 1 roundings of the sum, one of each product). The test allows that
 * bound (plus 1e-30 for exact zeros). A wrong tap, channel or group gives
 * errors of the order of a whole term, far above it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bnn.h"
#include "bnn_float_internal.h"
#include "variant_test_util.h"

typedef bnn_status (*conv_fn)(const bnn_conv2d_params *, const float *, float *, void *);
typedef bnn_status (*conv_maxpool_fn)(const bnn_conv2d_maxpool_params *, const float *,
                                      float *, void *);

#define SENTINEL 12345.0f

typedef struct {
    int n, in_h, in_w, in_c, out_c, k_h, k_w, s_h, s_w, p_h, p_w, d_h, d_w,
        groups, extra_stride, relu, bias;
} conv_case;

static unsigned rng_state;
static float frand(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((rng_state >> 8) & 0xFFFF) / 32768.0f - 1.0f;
}

static int out_dim(int in, int k, int s, int p, int d)
{
    return (in + 2 * p - (d * (k - 1) + 1)) / s + 1;
}

/* The order fill_params sets (the FMA tests switch it). */
static bnn_conv_order fill_order = BNN_CONV_ORDER_SUM;

static void fill_params(const conv_case *c, bnn_conv2d_params *p)
{
    memset(p, 0, sizeof *p);
    p->order = fill_order;
    p->n = c->n;
    p->in_h = c->in_h;
    p->in_w = c->in_w;
    p->in_c = c->in_c;
    p->out_c = c->out_c;
    p->k_h = c->k_h;
    p->k_w = c->k_w;
    p->stride_h = c->s_h;
    p->stride_w = c->s_w;
    p->pad_h = c->p_h;
    p->pad_w = c->p_w;
    p->dil_h = c->d_h;
    p->dil_w = c->d_w;
    p->groups = c->groups;
    p->out_h = out_dim(c->in_h, c->k_h, c->s_h, c->p_h, c->d_h);
    p->out_w = out_dim(c->in_w, c->k_w, c->s_w, c->p_w, c->d_w);
    p->out_pixel_stride = c->out_c + c->extra_stride;
    p->act = c->relu ? BNN_ACT_RELU : BNN_ACT_NONE;
}

/* Returns the number of mismatches (printing the first few). */
static int check_case(const conv_case *c, unsigned seed)
{
    bnn_conv2d_params p;
    fill_params(c, &p);
    const int cg = c->in_c / c->groups, og = c->out_c / c->groups;
    const size_t nin = (size_t)c->n * c->in_h * c->in_w * c->in_c;
    const size_t nw = (size_t)c->groups * c->k_h * c->k_w * cg * og;
    const size_t npix = (size_t)c->n * p.out_h * p.out_w;
    const size_t nout = npix * (size_t)p.out_pixel_stride;
    float *in = malloc(nin * sizeof(float));
    float *w = malloc(nw * sizeof(float));
    float *bias = malloc((size_t)c->out_c * sizeof(float));
    float *out = malloc(nout * sizeof(float));
    float *out_p = malloc(nout * sizeof(float));
    assert_non_null(in);
    assert_non_null(w);
    assert_non_null(bias);
    assert_non_null(out);
    assert_non_null(out_p);
    rng_state = seed;
    for (size_t i = 0; i < nin; ++i)
        in[i] = frand();
    for (size_t i = 0; i < nw; ++i)
        w[i] = frand();
    for (int i = 0; i < c->out_c; ++i)
        bias[i] = frand();
    for (size_t i = 0; i < nout; ++i)
        out[i] = out_p[i] = SENTINEL;
    p.weights = w;
    p.bias = c->bias ? bias : NULL;
    assert_int_equal(bnn_conv2d_f32_scratch_size(&p), 0);
    assert_int_equal(bnn_conv2d_f32_scratch_bytes(&p), 0); /* the compiler sizes with it */
    assert_int_equal(bnn_conv2d_f32(&p, in, out, NULL), BNN_OK);
    assert_int_equal(bnn_conv2d_f32__portable(&p, in, out_p, NULL), BNN_OK);

    int bad = 0;
    /* Every compiled-in variant performs the same roundings in the same
     * order as the portable kernel: bit-identical results. */
    const char *names[VT_MAX_VARIANTS];
    bnn_any_fn fns[VT_MAX_VARIANTS];
    int nv = vt_variants("bnn_conv2d_f32", names, fns);
    assert_true(nv >= 1);
    for (int v = 0; v < nv; ++v) {
        float *out_v = malloc(nout * sizeof(float));
        assert_non_null(out_v);
        for (size_t i = 0; i < nout; ++i)
            out_v[i] = SENTINEL;
        assert_int_equal(((conv_fn)fns[v])(&p, in, out_v, NULL), BNN_OK);
        if (memcmp(out_v, out_p, nout * sizeof(float)) != 0) {
            fprintf(stderr, "variant %s differs from portable\n", names[v]);
            ++bad;
        }
        free(out_v);
    }
    if (memcmp(out, out_p, nout * sizeof(float)) != 0) {
        fprintf(stderr, "bnn_conv2d_f32 differs from portable\n");
        ++bad;
    }
    for (int n = 0; n < c->n; ++n)
        for (int oy = 0; oy < p.out_h; ++oy)
            for (int ox = 0; ox < p.out_w; ++ox)
                for (int o = 0; o < p.out_pixel_stride; ++o) {
                    size_t oi = (((size_t)n * p.out_h + oy) * p.out_w + ox) *
                                    p.out_pixel_stride + o;
                    if (o >= c->out_c) {
                        if (out[oi] != SENTINEL) {
                            if (bad++ < 5)
                                fprintf(stderr, "extra channel %d written\n", o);
                        }
                        continue;
                    }
                    int g = o / og, oo = o % og;
                    double sum = 0.0, mag = 0.0;
                    int K = 0;
                    for (int ky = 0; ky < c->k_h; ++ky)
                        for (int kx = 0; kx < c->k_w; ++kx) {
                            int iy = oy * c->s_h - c->p_h + ky * c->d_h;
                            int ix = ox * c->s_w - c->p_w + kx * c->d_w;
                            for (int ci = 0; ci < cg; ++ci) {
                                ++K;
                                if (iy < 0 || iy >= c->in_h || ix < 0 ||
                                    ix >= c->in_w)
                                    continue;
                                double x = in[(((size_t)n * c->in_h + iy) *
                                                   c->in_w + ix) * c->in_c +
                                              (size_t)g * cg + ci];
                                double wv = w[bnn_conv2d_weight_index(
                                    c->k_h, c->k_w, cg, og, g, ky, kx, ci, oo)];
                                sum += x * wv;
                                mag += fabs(x * wv);
                            }
                        }
                    if (c->bias) {
                        sum += bias[o];
                        mag += fabs(bias[o]);
                    }
                    if (c->relu && sum < 0)
                        sum = 0;
                    double tol = (K + 2) * ldexp(1.0, -24) * mag + 1e-30;
                    if (!(fabs(out[oi] - sum) <= tol)) {
                        if (bad++ < 5)
                            fprintf(stderr,
                                    "n%d y%d x%d o%d: got %.9g want %.9g "
                                    "(tol %.3g)\n",
                                    n, oy, ox, o, (double)out[oi], sum, tol);
                    }
                }
    free(in);
    free(w);
    free(bias);
    free(out);
    free(out_p);
    return bad;
}

static const conv_case cases[] = {
    /* n  h   w   ci   co  kh kw sh sw ph pw dh dw g  xs relu bias */
    {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0},
    {1, 1, 1, 3, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1},
    {1, 5, 7, 3, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1},
    {2, 7, 5, 5, 17, 5, 5, 2, 2, 2, 2, 1, 1, 1, 3, 1, 1},
    {1, 9, 11, 17, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1},
    {1, 13, 9, 64, 130, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1},
    {1, 9, 9, 130, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1, 0, 0, 0},
    {1, 23, 19, 3, 64, 7, 7, 2, 2, 3, 3, 1, 1, 1, 0, 1, 1}, /* stem */
    {1, 11, 13, 3, 16, 7, 7, 2, 2, 3, 3, 1, 1, 1, 5, 0, 1},
    {1, 9, 10, 17, 33, 3, 3, 1, 1, 2, 2, 2, 2, 1, 0, 0, 1}, /* dilation */
    {1, 8, 9, 16, 32, 3, 5, 1, 2, 2, 1, 2, 1, 1, 0, 1, 1},
    {1, 7, 7, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 2, 0, 0, 1}, /* groups 2 */
    {1, 6, 5, 34, 10, 3, 3, 2, 1, 1, 1, 1, 1, 2, 7, 1, 1},
    {1, 9, 7, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, 5, 0, 0, 1},   /* depthwise */
    {1, 11, 12, 130, 130, 3, 3, 1, 1, 1, 1, 1, 1, 130, 2, 1, 1},
    {2, 10, 9, 17, 17, 5, 5, 2, 2, 2, 2, 1, 1, 17, 0, 0, 1}, /* 25 taps */
    {1, 12, 11, 33, 33, 7, 7, 1, 1, 3, 3, 1, 1, 33, 0, 1, 0},
    {1, 9, 9, 16, 16, 3, 3, 1, 1, 2, 2, 2, 2, 16, 0, 0, 1},
    {1, 1, 1, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 64, 0, 0, 1},
    {1, 7, 5, 3, 6, 3, 3, 1, 1, 1, 1, 1, 1, 3, 0, 0, 1},   /* multiplier 2 */
    {1, 6, 6, 4, 64, 3, 3, 1, 1, 0, 0, 1, 1, 4, 0, 1, 1},
    {1, 4, 3, 5, 7, 5, 5, 1, 1, 4, 4, 1, 1, 1, 0, 0, 1},   /* pad >= in */
    {1, 56, 56, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1},
    /* border tiles: rows wider than a tile, padded, every kernel width */
    {1, 19, 21, 3, 16, 7, 7, 2, 2, 3, 3, 1, 1, 1, 0, 1, 1},
    {1, 9, 30, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1},
    {1, 6, 5, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1},  /* out_w < 8 */
    {1, 7, 23, 5, 48, 5, 5, 1, 1, 2, 2, 1, 1, 1, 0, 0, 1},
    {1, 7, 20, 6, 16, 5, 5, 2, 3, 4, 4, 1, 1, 1, 0, 1, 1},  /* pad >= k-1 */
    {1, 6, 9, 16, 64, 3, 3, 1, 1, 5, 5, 1, 1, 1, 0, 0, 1},  /* pad > k: empty windows */
    {1, 5, 13, 24, 32, 3, 3, 2, 1, 6, 6, 1, 1, 1, 0, 1, 1},
    {1, 5, 1, 16, 32, 3, 3, 1, 9, 1, 5, 1, 1, 1, 0, 0, 1},  /* window past the image */
    {1, 8, 25, 16, 32, 3, 3, 1, 1, 2, 2, 1, 2, 1, 0, 0, 1}, /* dil_w 2 */
    {1, 8, 27, 32, 32, 3, 3, 1, 2, 1, 1, 1, 1, 2, 1, 1, 1}, /* groups, og 16 */
    /* groups with 8 output channels (and 16 + 8) */
    {1, 14, 17, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 4, 0, 1, 1},
    {1, 13, 19, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 8, 3, 0, 1},
    {2, 9, 11, 48, 48, 3, 3, 2, 2, 1, 1, 1, 1, 2, 0, 1, 1},
    {1, 9, 12, 16, 16, 3, 3, 1, 1, 2, 2, 2, 2, 2, 0, 0, 0},
    {1, 7, 9, 8, 8, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1},
    {2, 5, 7, 24, 40, 1, 1, 1, 1, 0, 0, 1, 1, 1, 3, 1, 1}, /* 1x1: one row */
    {1, 10, 21, 24, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1},
    /* depthwise: channel tails, strides, kernel sizes, dilation */
    {1, 12, 19, 20, 20, 3, 3, 1, 1, 1, 1, 1, 1, 20, 0, 1, 1},
    {1, 11, 18, 40, 40, 3, 3, 2, 2, 1, 1, 1, 1, 40, 4, 0, 1},
    {2, 9, 17, 16, 16, 5, 5, 1, 1, 2, 2, 1, 1, 16, 0, 1, 0},
    {1, 13, 15, 32, 32, 7, 7, 2, 2, 3, 3, 1, 1, 32, 0, 1, 1},
    {1, 10, 14, 24, 24, 3, 3, 1, 1, 2, 2, 2, 2, 24, 0, 0, 1},
    {1, 8, 13, 16, 16, 3, 5, 2, 1, 1, 2, 1, 1, 16, 0, 1, 1},
    {1, 9, 10, 17, 17, 1, 1, 2, 2, 0, 0, 1, 1, 17, 0, 0, 1},
    {1, 5, 6, 16, 16, 3, 3, 1, 1, 3, 3, 1, 1, 16, 0, 1, 1},  /* pad > k-1 */
    {1, 6, 9, 16, 16, 5, 3, 1, 1, 2, 1, 2, 2, 16, 0, 0, 1},  /* dil 2 both */
    {1, 9, 11, 18, 18, 3, 3, 1, 1, 1, 1, 3, 3, 18, 0, 0, 1}, /* dil 3: generic */
    {1, 11, 10, 24, 24, 9, 7, 1, 1, 4, 3, 1, 1, 24, 0, 1, 1}, /* 63 taps */
    {2, 6, 29, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8, 3, 1, 1},  /* 8 channels */
    {1, 7, 31, 48, 48, 3, 3, 1, 1, 1, 1, 1, 1, 48, 0, 0, 0}, /* 3 blocks */
    {1, 9, 26, 36, 36, 5, 5, 2, 2, 2, 2, 1, 1, 36, 1, 1, 1},
    {1, 20, 35, 16, 16, 7, 7, 1, 1, 3, 3, 1, 1, 16, 0, 1, 1},
    {1, 12, 21, 144, 144, 3, 3, 1, 1, 1, 1, 1, 1, 144, 0, 1, 1}, /* 2 chunks */
};

static void test_conv_cases(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        int b = check_case(&cases[i], 1000u + (unsigned)i);
        if (b)
            fprintf(stderr, "case %zu: %d mismatches\n", i, b);
        bad += b;
    }
    assert_int_equal(bad, 0);
}

/* Weights that are inf or NaN: a tap outside the image is skipped, not
 * multiplied by a padding zero (0 * inf would be NaN), by every variant
 * alike. Compared bit for bit with portable (NaN with NaN). */
static void test_conv_nonfinite_weights(void **state)
{
    (void)state;
    static const conv_case nf_cases[] = {
        {1, 9, 21, 3, 16, 7, 7, 2, 2, 3, 3, 1, 1, 1, 0, 0, 1},
        {1, 7, 19, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1},
        {1, 9, 19, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 4, 0, 0, 1},
        {1, 9, 20, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 32, 0, 0, 1},
        {1, 9, 20, 16, 16, 5, 5, 2, 2, 2, 2, 1, 1, 16, 0, 1, 1},
        {1, 9, 21, 3, 64, 7, 7, 2, 2, 3, 3, 1, 1, 1, 0, 0, 1}, /* stem, wide tiles */
        {1, 7, 19, 16, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1},
    };
    const char *names[VT_MAX_VARIANTS];
    bnn_any_fn fns[VT_MAX_VARIANTS];
    int nv = vt_variants("bnn_conv2d_f32", names, fns), bad = 0;
    assert_true(nv >= 1);
    /* every case in BNN_CONV_ORDER_SUM, then the single-group ones in
     * BNN_CONV_ORDER_FMA */
    const size_t ncase = sizeof nf_cases / sizeof nf_cases[0];
    for (size_t kk = 0; kk < 2 * ncase; ++kk) {
        const size_t k = kk % ncase;
        const conv_case *c = &nf_cases[k];
        if (kk >= ncase && c->groups != 1)
            continue;
        bnn_conv2d_params p;
        fill_order = kk >= ncase ? BNN_CONV_ORDER_FMA : BNN_CONV_ORDER_SUM;
        fill_params(c, &p);
        fill_order = BNN_CONV_ORDER_SUM;
        const int cg = c->in_c / c->groups, og = c->out_c / c->groups;
        const size_t nin = (size_t)c->n * c->in_h * c->in_w * c->in_c;
        const size_t nw = (size_t)c->groups * c->k_h * c->k_w * cg * og;
        const size_t nout = (size_t)c->n * p.out_h * p.out_w * (size_t)p.out_pixel_stride;
        float *in = malloc(nin * sizeof(float)), *w = malloc(nw * sizeof(float));
        float *bias = malloc((size_t)c->out_c * sizeof(float));
        float *ref = malloc(nout * sizeof(float)), *out = malloc(nout * sizeof(float));
        assert_true(in && w && bias && ref && out);
        rng_state = 77u + (unsigned)k;
        for (size_t i = 0; i < nin; ++i)
            in[i] = frand();
        for (size_t i = 0; i < nw; ++i)
            w[i] = frand();
        for (int i = 0; i < c->out_c; ++i)
            bias[i] = frand();
        /* taps kx = 0 of half the (ci, output) pairs: outputs whose
         * window starts left of the image skip them and stay finite */
        for (int g = 0; g < c->groups; ++g)
            for (int oi = 0; oi < og; ++oi)
                for (int ky = 0; ky < c->k_h; ++ky)
                    for (int ci = 0; ci < cg; ++ci)
                        if ((oi + ci) % 2 == 0) {
                            size_t i = bnn_conv2d_weight_index(c->k_h, c->k_w, cg, og, g,
                                                               ky, 0, ci, oi);
                            w[i] = i % 3 == 0 ? INFINITY : i % 3 == 1 ? -INFINITY : NAN;
                        }
        p.weights = w;
        p.bias = c->bias ? bias : NULL;
        assert_int_equal(bnn_conv2d_f32__portable(&p, in, ref, NULL), BNN_OK);
        int finite = 0;
        for (size_t i = 0; i < nout; ++i)
            finite += isfinite(ref[i]) != 0;
        assert_true(finite > 0); /* border outputs that skip the inf taps */
        for (int v = 0; v < nv; ++v) {
            assert_int_equal(((conv_fn)fns[v])(&p, in, out, NULL), BNN_OK);
            for (size_t i = 0; i < nout; ++i)
                if (!(isnan(out[i]) && isnan(ref[i])) &&
                    memcmp(&out[i], &ref[i], sizeof(float)) != 0) {
                    if (bad++ < 5)
                        fprintf(stderr, "case %zu %s [%zu]: %g, portable %g\n", k,
                                names[v], i, (double)out[i], (double)ref[i]);
                }
        }
        free(in);
        free(w);
        free(bias);
        free(ref);
        free(out);
    }
    assert_int_equal(bad, 0);
}

/* BNN_CONV_ORDER_FMA keeps a sum of -0: a bias of -0 plus products of -0
 * (inputs -0, positive weights) stays -0 exactly, and a tap outside the
 * image adds nothing, so every output is -0 (no relu). A variant that
 * computed border taps as products with a padding +0 would get +0 there
 * (-0 + +0 = +0). The single-group stem and 3x3 shapes, whose border
 * pixels may go through wide tiles, in every variant. */
static void test_conv_fma_negative_zero(void **state)
{
    (void)state;
    static const conv_case zc[] = {
        {1, 11, 21, 3, 64, 7, 7, 2, 2, 3, 3, 1, 1, 1, 0, 0, 1},
        {1, 7, 19, 16, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1},
        {1, 6, 13, 8, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1},
    };
    const char *names[VT_MAX_VARIANTS];
    bnn_any_fn fns[VT_MAX_VARIANTS];
    int nv = vt_variants("bnn_conv2d_f32", names, fns), bad = 0;
    assert_true(nv >= 1);
    for (size_t k = 0; k < sizeof zc / sizeof zc[0]; ++k) {
        const conv_case *c = &zc[k];
        bnn_conv2d_params p;
        fill_order = BNN_CONV_ORDER_FMA;
        fill_params(c, &p);
        fill_order = BNN_CONV_ORDER_SUM;
        const size_t nin = (size_t)c->n * c->in_h * c->in_w * c->in_c;
        const size_t nw = (size_t)c->k_h * c->k_w * c->in_c * c->out_c;
        const size_t nout = (size_t)c->n * p.out_h * p.out_w * (size_t)p.out_pixel_stride;
        float *in = malloc(nin * sizeof(float)), *w = malloc(nw * sizeof(float));
        float *bias = malloc((size_t)c->out_c * sizeof(float));
        float *out = malloc(nout * sizeof(float));
        assert_true(in && w && bias && out);
        rng_state = 91u + (unsigned)k;
        for (size_t i = 0; i < nin; ++i)
            in[i] = -0.0f;
        for (size_t i = 0; i < nw; ++i)
            w[i] = fabsf(frand()) + 0.125f;
        for (int i = 0; i < c->out_c; ++i)
            bias[i] = -0.0f;
        p.weights = w;
        p.bias = bias;
        for (int v = -1; v < nv; ++v) {
            conv_fn fn = v < 0 ? bnn_conv2d_f32__portable : (conv_fn)fns[v];
            assert_int_equal(fn(&p, in, out, NULL), BNN_OK);
            for (size_t i = 0; i < nout; ++i)
                if (out[i] != 0.0f || !signbit(out[i])) {
                    if (bad++ < 5)
                        fprintf(stderr, "case %zu %s [%zu]: %g, want -0\n", k,
                                v < 0 ? "portable" : names[v], i, (double)out[i]);
                }
        }
        free(in);
        free(w);
        free(bias);
        free(out);
    }
    assert_int_equal(bad, 0);
}

/* bnn_conv2d_weight_index against the documented layout: per group,
 * blocks of 16 output channels (the last one og % 16 wide), each
 * [k_h][k_w][cg][nb]; every index once, all of [0, count). */
static void test_conv_weight_layout(void **state)
{
    (void)state;
    static const int dims[][5] = {/* kh kw cg og groups */
                                  {3, 3, 5, 40, 2}, {1, 1, 7, 16, 1}, {7, 7, 3, 64, 1},
                                  {3, 3, 1, 1, 9},  {2, 3, 4, 8, 3},  {3, 1, 2, 17, 1}};
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; ++d) {
        const int kh = dims[d][0], kw = dims[d][1], cg = dims[d][2], og = dims[d][3];
        const int groups = dims[d][4];
        const size_t count = (size_t)groups * kh * kw * cg * og;
        unsigned char *seen = calloc(count, 1);
        assert_non_null(seen);
        size_t want = 0;
        for (int g = 0; g < groups; ++g)
            for (int b0 = 0; b0 < og; b0 += 16) {
                const int nb = og - b0 < 16 ? og - b0 : 16;
                for (int ky = 0; ky < kh; ++ky)
                    for (int kx = 0; kx < kw; ++kx)
                        for (int ci = 0; ci < cg; ++ci)
                            for (int l = 0; l < nb; ++l, ++want) {
                                size_t i = bnn_conv2d_weight_index(kh, kw, cg, og, g, ky,
                                                                   kx, ci, b0 + l);
                                assert_int_equal(i, want);
                                seen[i] = 1;
                            }
            }
        assert_int_equal(want, count);
        for (size_t i = 0; i < count; ++i)
            assert_true(seen[i]);
        free(seen);
    }
}

/* Exact small case: 3x3 input 1..9, one channel, 3x3 kernel of ones with
 * pad 1 gives the 3x3 neighbourhood sums; bias -20 and relu clip them. */
static void test_conv_exact_values(void **state)
{
    (void)state;
    float in[9], w[9], out[9];
    const float bias = -20.0f;
    static const float want[9] = {0, 1, 0, 7, 25, 13, 4, 19, 8};
    for (int i = 0; i < 9; ++i) {
        in[i] = (float)(i + 1);
        w[i] = 1.0f;
    }
    conv_case c = {1, 3, 3, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1};
    bnn_conv2d_params p;
    fill_params(&c, &p);
    p.weights = w;
    p.bias = &bias;
    assert_int_equal(bnn_conv2d_f32(&p, in, out, NULL), BNN_OK);
    for (int i = 0; i < 9; ++i)
        assert_true(out[i] == want[i]);
}

/* MXNet relu: NaN passes, -0.0 becomes +0. */
static void test_conv_relu_nan(void **state)
{
    (void)state;
    float in[2] = {NAN, 1.0f}, w[2 * 16], out[16];
    for (int i = 0; i < 32; ++i)
        w[i] = i < 16 ? 1.0f : (i == 16 ? -1.0f : 0.0f);
    conv_case c = {1, 1, 1, 2, 16, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0};
    bnn_conv2d_params p;
    fill_params(&c, &p);
    p.weights = w;
    assert_int_equal(bnn_conv2d_f32(&p, in, out, NULL), BNN_OK);
    for (int i = 0; i < 16; ++i)
        assert_true(isnan(out[i]));
    in[0] = 0.0f;
    in[1] = 0.0f;
    w[0] = -1.0f;
    assert_int_equal(bnn_conv2d_f32(&p, in, out, NULL), BNN_OK);
    for (int i = 0; i < 16; ++i) {
        assert_true(out[i] == 0.0f);
        assert_false(signbit(out[i]));
    }
}

/* The entry point, the portable kernel and every compiled-in variant on
 * p and in, bit for bit against want (nout floats; got is scratch).
 * Returns the number that differ, naming each and its first element. */
static int check_entry_points(const bnn_conv2d_params *p, const float *in, const float *want,
                              float *got, size_t nout, const char *ref)
{
    const char *names[2 + VT_MAX_VARIANTS] = {"bnn_conv2d_f32", "bnn_conv2d_f32__portable"};
    bnn_any_fn fns[2 + VT_MAX_VARIANTS] = {(bnn_any_fn)bnn_conv2d_f32,
                                           (bnn_any_fn)bnn_conv2d_f32__portable};
    int nf = 2 + vt_variants("bnn_conv2d_f32", names + 2, fns + 2), bad = 0;
    for (int f = 0; f < nf; ++f) {
        for (size_t i = 0; i < nout; ++i)
            got[i] = SENTINEL;
        assert_int_equal(((conv_fn)fns[f])(p, in, got, NULL), BNN_OK);
        if (memcmp(got, want, nout * sizeof(float)) != 0) {
            size_t i;
            for (i = 0; i < nout && memcmp(&got[i], &want[i], sizeof(float)) == 0; ++i)
                ;
            fprintf(stderr, "%s: element %zu is %a, %s gives %a\n", names[f], i,
                    (double)got[i], ref, (double)want[i]);
            ++bad;
        }
    }
    return bad;
}

/* n values of frand() */
static void fill_frand(float *v, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        v[i] = frand();
}

/* BNN_CONV_ORDER_FMA for one case: the entry point, the portable kernel
 * and every variant against acc = bias; acc = fmaf(x, w, acc) over the
 * valid taps in (ky, kx, ci) order; relu. Returns the mismatches. */
static int check_fma_case(const conv_case *c, unsigned seed)
{
    bnn_conv2d_params p;
    fill_order = BNN_CONV_ORDER_FMA;
    fill_params(c, &p);
    fill_order = BNN_CONV_ORDER_SUM;
    const int cg = c->in_c, og = c->out_c;
    const size_t nin = (size_t)c->n * c->in_h * c->in_w * c->in_c;
    const size_t nw = (size_t)c->k_h * c->k_w * cg * og;
    const size_t nout = (size_t)c->n * p.out_h * p.out_w * (size_t)p.out_pixel_stride;
    float *in = malloc(nin * sizeof(float)), *w = malloc(nw * sizeof(float));
    float *bias = malloc((size_t)og * sizeof(float)), *want = malloc(nout * sizeof(float));
    float *got = malloc(nout * sizeof(float));
    assert_true(in && w && bias && want && got);
    rng_state = seed;
    fill_frand(in, nin);
    fill_frand(w, nw);
    fill_frand(bias, (size_t)og);
    p.weights = w;
    p.bias = c->bias ? bias : NULL;
    for (size_t i = 0; i < nout; ++i)
        want[i] = SENTINEL;
    for (int n = 0; n < c->n; ++n)
        for (int oy = 0; oy < p.out_h; ++oy)
            for (int ox = 0; ox < p.out_w; ++ox)
                for (int o = 0; o < og; ++o) {
                    float acc = c->bias ? bias[o] : 0.0f;
                    for (int ky = 0; ky < c->k_h; ++ky)
                        for (int kx = 0; kx < c->k_w; ++kx) {
                            int iy = oy * c->s_h - c->p_h + ky * c->d_h;
                            int ix = ox * c->s_w - c->p_w + kx * c->d_w;
                            if (iy < 0 || iy >= c->in_h || ix < 0 || ix >= c->in_w)
                                continue;
                            for (int ci = 0; ci < cg; ++ci)
                                acc = fmaf(in[(((size_t)n * c->in_h + iy) * c->in_w + ix) *
                                                  c->in_c + ci],
                                           w[bnn_conv2d_weight_index(c->k_h, c->k_w, cg, og,
                                                                     0, ky, kx, ci, o)],
                                           acc);
                        }
                    if (c->relu && !(acc > 0.0f))
                        acc = 0.0f;
                    want[(((size_t)n * p.out_h + oy) * p.out_w + ox) * p.out_pixel_stride +
                         o] = acc;
                }
    int bad = check_entry_points(&p, in, want, got, nout, "fmaf");
    free(in);
    free(w);
    free(bias);
    free(want);
    free(got);
    return bad;
}

static void test_conv_fma_order(void **state)
{
    (void)state;
    int bad = 0, n = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        if (cases[i].groups != 1)
            continue;
        int b = check_fma_case(&cases[i], 3000u + (unsigned)i);
        if (b)
            fprintf(stderr, "fma case %zu: %d mismatches\n", i, b);
        bad += b;
        ++n;
    }
    assert_true(n == 25);
    assert_int_equal(bad, 0);
}

/* BNN_CONV_ORDER_BIAS (depthwise only) for one depthwise case: the entry
 * point, the portable kernel and every variant against acc = bias, then
 * acc += x * w (each product rounded) over the valid taps in (ky, kx)
 * order; relu. Returns the mismatches. */
static int check_bias_case(const conv_case *c, unsigned seed)
{
    bnn_conv2d_params p;
    fill_params(c, &p);
    p.order = BNN_CONV_ORDER_BIAS;
    const int C = c->in_c, taps = c->k_h * c->k_w;
    const size_t nin = (size_t)c->n * c->in_h * c->in_w * C;
    const size_t nw = (size_t)taps * C;
    const size_t nout = (size_t)c->n * p.out_h * p.out_w * (size_t)p.out_pixel_stride;
    float *in = malloc(nin * sizeof(float)), *w = malloc(nw * sizeof(float));
    float *bias = malloc((size_t)C * sizeof(float)), *want = malloc(nout * sizeof(float));
    float *got = malloc(nout * sizeof(float));
    assert_true(in && w && bias && want && got);
    rng_state = seed;
    fill_frand(in, nin);
    fill_frand(w, nw);
    fill_frand(bias, (size_t)C);
    p.weights = w;
    p.bias = c->bias ? bias : NULL;
    for (size_t i = 0; i < nout; ++i)
        want[i] = SENTINEL;
    for (int n = 0; n < c->n; ++n)
        for (int oy = 0; oy < p.out_h; ++oy)
            for (int ox = 0; ox < p.out_w; ++ox)
                for (int o = 0; o < C; ++o) {
                    float acc = c->bias ? bias[o] : 0.0f;
                    for (int ky = 0; ky < c->k_h; ++ky)
                        for (int kx = 0; kx < c->k_w; ++kx) {
                            int iy = oy * c->s_h - c->p_h + ky * c->d_h;
                            int ix = ox * c->s_w - c->p_w + kx * c->d_w;
                            if (iy < 0 || iy >= c->in_h || ix < 0 || ix >= c->in_w)
                                continue;
                            /* the product rounded to float before the add */
                            volatile float prod =
                                in[(((size_t)n * c->in_h + iy) * c->in_w + ix) * C + o] *
                                w[bnn_conv2d_weight_index(c->k_h, c->k_w, 1, 1, o, ky, kx,
                                                          0, 0)];
                            acc += prod;
                        }
                    if (c->relu && !(acc > 0.0f))
                        acc = 0.0f;
                    want[(((size_t)n * p.out_h + oy) * p.out_w + ox) * p.out_pixel_stride +
                         o] = acc;
                }
    int bad = check_entry_points(&p, in, want, got, nout, "the bias-first sum");
    free(in);
    free(w);
    free(bias);
    free(want);
    free(got);
    return bad;
}

#define BIAS_CASES 23 /* the depthwise cases above */
static void test_conv_bias_order(void **state)
{
    (void)state;
    int bad = 0, n = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        const conv_case *c = &cases[i];
        if (c->groups != c->in_c || c->out_c != c->in_c)
            continue;
        int b = check_bias_case(c, 5000u + (unsigned)i);
        if (b)
            fprintf(stderr, "bias-first case %zu: %d mismatches\n", i, b);
        bad += b;
        ++n;
    }
    fprintf(stderr, "bias-first cases: %d\n", n);
    assert_true(n == BIAS_CASES);
    assert_int_equal(bad, 0);
}

/* bnn_fmaf_soft against C99 fmaf: random operands over many exponents,
 * sums that cancel, and products that are float midpoints plus or minus a
 * term far below double precision (rounding a*b + c to double, then to
 * float, rounds them the wrong way). */
static void test_fmaf_soft(void **state)
{
    (void)state;
    int bad = 0;
    rng_state = 77u;
    for (int i = 0; i < 2000000; ++i) {
        float a = ldexpf(frand(), (int)(rng_state % 40u) - 20);
        float b = ldexpf(frand(), (int)((rng_state >> 8) % 40u) - 20);
        float c = i % 3 == 0 ? -a * b : ldexpf(frand(), (int)((rng_state >> 16) % 60u) - 40);
        float got = bnn_fmaf_soft(a, b, c), want = fmaf(a, b, c);
        if (memcmp(&got, &want, sizeof got) != 0 && bad++ < 5)
            fprintf(stderr, "fmaf(%a, %a, %a): %a, want %a\n", (double)a, (double)b,
                    (double)c, (double)got, (double)want);
    }
    /* (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: halfway between two floats */
    const float x = 1.0f + 0x1p-12f;
    const float tiny[] = {0x1p-80f, -0x1p-80f, 0x1p-60f, -0x1p-60f, 0.0f};
    for (int s = 0; s < 2; ++s)
        for (size_t k = 0; k < sizeof tiny / sizeof tiny[0]; ++k) {
            float a = s ? -x : x;
            float got = bnn_fmaf_soft(a, x, tiny[k]), want = fmaf(a, x, tiny[k]);
            if (memcmp(&got, &want, sizeof got) != 0 && bad++ < 10)
                fprintf(stderr, "fmaf(%a, %a, %a): %a, want %a\n", (double)a, (double)x,
                        (double)tiny[k], (double)got, (double)want);
        }
    /* the midpoint cases do differ from rounding twice */
    assert_true((float)((double)x * x + 0x1p-80) != fmaf(x, x, 0x1p-80f));
    assert_true(isnan(bnn_fmaf_soft(INFINITY, 0.0f, 1.0f)));
    assert_true(bnn_fmaf_soft(INFINITY, 2.0f, 1.0f) == INFINITY);
    assert_true(bnn_fmaf_soft(FLT_MAX, 2.0f, 0.0f) == INFINITY);
    assert_int_equal(bad, 0);
}

static void test_conv_arg_errors(void **state)
{
    (void)state;
    float in[64], w[64], out[64];
    for (int i = 0; i < 64; ++i) {
        in[i] = w[i] = 1.0f;
        out[i] = SENTINEL;
    }
    conv_case c = {1, 4, 4, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0};
    bnn_conv2d_params p;
    fill_params(&c, &p);
    p.weights = w;
    p.out_h = 3; /* should be 4 */
    assert_int_equal(bnn_conv2d_f32(&p, in, out, NULL), BNN_ARG_ERROR);
    fill_params(&c, &p);
    p.weights = w;
    p.groups = 3; /* does not divide 2 */
    assert_int_equal(bnn_conv2d_f32(&p, in, out, NULL), BNN_ARG_ERROR);
    fill_params(&c, &p);
    p.weights = w;
    p.out_pixel_stride = 1;
    assert_int_equal(bnn_conv2d_f32(&p, in, out, NULL), BNN_ARG_ERROR);
    fill_params(&c, &p);
    p.weights = w;
    p.act = BNN_ACT_SIGMOID;
    assert_int_equal(bnn_conv2d_f32(&p, in, out, NULL), BNN_ARG_ERROR);
    fill_params(&c, &p);
    assert_int_equal(bnn_conv2d_f32(&p, in, out, NULL), BNN_ARG_ERROR);
    fill_params(&c, &p);
    p.weights = w;
    p.order = BNN_CONV_ORDER_BIAS; /* depthwise only */
    assert_int_equal(bnn_conv2d_f32(&p, in, out, NULL), BNN_ARG_ERROR);
    fill_params(&c, &p);
    p.weights = w;
    p.order = (bnn_conv_order)3; /* no such order */
    assert_int_equal(bnn_conv2d_f32(&p, in, out, NULL), BNN_ARG_ERROR);
    conv_case g2 = {1, 4, 4, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1, 2, 0, 0, 0};
    fill_params(&g2, &p);
    p.weights = w;
    p.order = BNN_CONV_ORDER_FMA; /* single group only */
    assert_int_equal(bnn_conv2d_f32(&p, in, out, NULL), BNN_ARG_ERROR);
    for (int i = 0; i < 64; ++i)
        assert_true(out[i] == SENTINEL);
}

/* Convolution + max pooling against the two separate kernels, bit for
 * bit: stem shape, pooling windows that overlap, that skip rows (stride
 * > k), `full` (ceil) output sizes, windows taller than the image, border
 * windows in the padding, groups, partial channel blocks, batch 2, with
 * and without relu and bias; every compiled-in entry point. */
typedef struct {
    conv_case c;
    int k_h, k_w, s_h, s_w, p_h, p_w, full;
} conv_pool_case;

static const conv_pool_case pool_cases[] = {
    {{1, 37, 41, 3, 64, 7, 7, 2, 2, 3, 3, 1, 1, 1, 0, 1, 1}, 3, 3, 2, 2, 1, 1, 0},
    {{1, 23, 19, 3, 16, 7, 7, 2, 2, 3, 3, 1, 1, 1, 0, 1, 0}, 3, 3, 2, 2, 1, 1, 1},
    {{2, 13, 11, 8, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1}, 2, 2, 2, 2, 0, 0, 0},
    {{1, 12, 12, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1}, 1, 1, 3, 2, 0, 0, 0},
    {{1, 9, 10, 6, 48, 3, 3, 1, 1, 0, 0, 1, 1, 2, 0, 1, 1}, 3, 2, 1, 2, 1, 0, 1},
    {{1, 5, 6, 4, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1}, 9, 4, 1, 3, 2, 1, 0},
    {{1, 3, 3, 2, 17, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1}, 3, 3, 1, 1, 1, 1, 0},
    {{1, 15, 22, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 8, 0, 1, 1}, 3, 3, 2, 2, 1, 1, 0},
    {{1, 20, 26, 3, 32, 7, 7, 2, 2, 3, 3, 1, 1, 1, 0, 1, 1}, 3, 3, 2, 2, 1, 1, 0},
};

static int pool_out(int in, int k, int s, int p, int full)
{
    int span = in + 2 * p - k;
    return (full ? (span + s - 1) / s : span / s) + 1;
}

static int check_conv_pool(const conv_pool_case *pc, unsigned seed)
{
    bnn_conv2d_maxpool_params mp;
    memset(&mp, 0, sizeof mp);
    fill_params(&pc->c, &mp.conv);
    mp.conv.out_pixel_stride = mp.conv.out_c;
    bnn_pool2d_params *pp = &mp.pool;
    pp->n = mp.conv.n;
    pp->in_h = mp.conv.out_h;
    pp->in_w = mp.conv.out_w;
    pp->c = mp.conv.out_c;
    pp->k_h = pc->k_h;
    pp->k_w = pc->k_w;
    pp->stride_h = pc->s_h;
    pp->stride_w = pc->s_w;
    pp->pad_h = pc->p_h;
    pp->pad_w = pc->p_w;
    pp->out_h = pool_out(pp->in_h, pp->k_h, pp->stride_h, pp->pad_h, pc->full);
    pp->out_w = pool_out(pp->in_w, pp->k_w, pp->stride_w, pp->pad_w, pc->full);
    const conv_case *c = &pc->c;
    const int cg = c->in_c / c->groups, og = c->out_c / c->groups;
    const size_t nin = (size_t)c->n * c->in_h * c->in_w * c->in_c;
    const size_t nw = (size_t)c->groups * c->k_h * c->k_w * cg * og;
    const size_t nconv = (size_t)c->n * mp.conv.out_h * mp.conv.out_w *
                         (size_t)c->out_c;
    const size_t nout = (size_t)c->n * pp->out_h * pp->out_w * (size_t)c->out_c;
    float *in = malloc(nin * sizeof(float));
    float *w = malloc(nw * sizeof(float));
    float *bias = malloc((size_t)c->out_c * sizeof(float));
    float *conv = malloc(nconv * sizeof(float));
    float *want = malloc(nout * sizeof(float));
    float *got = malloc((nout + 1) * sizeof(float));
    assert_true(in && w && bias && conv && want && got);
    rng_state = seed;
    for (size_t i = 0; i < nin; ++i)
        in[i] = frand();
    for (size_t i = 0; i < nw; ++i)
        w[i] = frand();
    for (int i = 0; i < c->out_c; ++i)
        bias[i] = frand();
    mp.conv.weights = w;
    mp.conv.bias = c->bias ? bias : NULL;
    assert_int_equal(bnn_conv2d_f32__portable(&mp.conv, in, conv, NULL),
                     BNN_OK);
    assert_int_equal(bnn_maxpool_f32(pp, conv, want), BNN_OK);

    const size_t sbytes = bnn_conv2d_maxpool_f32_scratch_size(&mp);
    const int rows = pp->k_h < mp.conv.out_h ? pp->k_h : mp.conv.out_h;
    assert_int_equal(sbytes, (size_t)rows * mp.conv.out_w * c->out_c * 4u);
    assert_int_equal(sbytes, bnn_conv2d_maxpool_f32_scratch_bytes(&mp));
    /* exactly the scratch asked for: sanitizer builds catch overruns */
    void *scratch = malloc(sbytes);
    assert_non_null(scratch);

    /* the entry point, then every compiled-in variant */
    const char *names[1 + VT_MAX_VARIANTS] = {"bnn_conv2d_maxpool_f32"};
    bnn_any_fn fns[1 + VT_MAX_VARIANTS] = {(bnn_any_fn)bnn_conv2d_maxpool_f32};
    int nf = 1 + vt_variants("bnn_conv2d_maxpool_f32", names + 1, fns + 1);
    assert_true(nf >= 2);
    int bad = 0;
    for (int f = 0; f < nf; ++f) {
        for (size_t i = 0; i <= nout; ++i)
            got[i] = SENTINEL;
        assert_int_equal(((conv_maxpool_fn)fns[f])(&mp, in, got, scratch), BNN_OK);
        if (memcmp(got, want, nout * sizeof(float)) != 0 ||
            got[nout] != SENTINEL) {
            fprintf(stderr, "%s differs from conv2d + maxpool\n", names[f]);
            ++bad;
        }
        /* into channels of a wider tensor: pooled pixels 5 floats further
         * apart, the floats between them untouched */
        const size_t pix = nout / (size_t)c->out_c, ws = (size_t)c->out_c + 5;
        float *wide = malloc(pix * ws * sizeof(float));
        assert_non_null(wide);
        for (size_t i = 0; i < pix * ws; ++i)
            wide[i] = SENTINEL;
        mp.conv.out_pixel_stride = (int32_t)ws;
        assert_int_equal(((conv_maxpool_fn)fns[f])(&mp, in, wide, scratch), BNN_OK);
        mp.conv.out_pixel_stride = mp.conv.out_c;
        for (size_t q = 0; q < pix; ++q) {
            if (memcmp(wide + q * ws, want + q * (size_t)c->out_c,
                       (size_t)c->out_c * sizeof(float)) != 0)
                ++bad;
            for (size_t j = (size_t)c->out_c; j < ws; ++j)
                bad += wide[q * ws + j] != SENTINEL;
        }
        if (bad)
            fprintf(stderr, "%s: strided output differs\n", names[f]);
        free(wide);
    }
    free(scratch);
    free(in);
    free(w);
    free(bias);
    free(conv);
    free(want);
    free(got);
    return bad;
}

static void test_conv_maxpool_cases(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof pool_cases / sizeof pool_cases[0]; ++i) {
        int b = check_conv_pool(&pool_cases[i], 2000u + (unsigned)i);
        if (b)
            fprintf(stderr, "conv+maxpool case %zu: %d mismatches\n", i, b);
        bad += b;
    }
    assert_int_equal(bad, 0);
}

/* The same with BNN_CONV_ORDER_FMA (single-group cases): the fused kernel
 * of every variant against the portable fma convolution then max
 * pooling. */
static void test_conv_maxpool_fma(void **state)
{
    (void)state;
    int bad = 0, n = 0;
    fill_order = BNN_CONV_ORDER_FMA;
    for (size_t i = 0; i < sizeof pool_cases / sizeof pool_cases[0]; ++i) {
        if (pool_cases[i].c.groups != 1)
            continue;
        int b = check_conv_pool(&pool_cases[i], 4000u + (unsigned)i);
        if (b)
            fprintf(stderr, "fma conv+maxpool case %zu: %d mismatches\n", i, b);
        bad += b;
        ++n;
    }
    fill_order = BNN_CONV_ORDER_SUM;
    assert_true(n == 7);
    assert_int_equal(bad, 0);
}

/* Mismatched pooling input, depthwise convolutions and a missing scratch
 * are rejected without writing. */
static void test_conv_maxpool_arg_errors(void **state)
{
    (void)state;
    const conv_case cc = {1, 6, 6, 2, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1};
    float in[72], w[288], out[64], scratch[288];
    bnn_conv2d_maxpool_params mp;
    for (int i = 0; i < 72; ++i)
        in[i] = 1.0f;
    for (int i = 0; i < 288; ++i)
        w[i] = 0.5f;
    memset(&mp, 0, sizeof mp);
    fill_params(&cc, &mp.conv);
    mp.conv.weights = w;
    mp.pool = (bnn_pool2d_params){1, 6, 6, 16, 2, 2, 3, 3, 3, 3, 0, 0, 0};
    assert_int_equal(bnn_conv2d_maxpool_f32_scratch_size(&mp),
                     3u * 6u * 16u * 4u);
    for (int i = 0; i < 64; ++i)
        out[i] = SENTINEL;
    assert_int_equal(bnn_conv2d_maxpool_f32(&mp, in, out, scratch), BNN_OK);
    /* every window holds only positives: 2 channels x 9 taps x 0.5 = 9 */
    assert_true(out[0] == 9.0f);
    for (int i = 0; i < 64; ++i)
        out[i] = SENTINEL;
    assert_int_equal(bnn_conv2d_maxpool_f32(&mp, in, out, NULL),
                     BNN_ARG_ERROR);
    mp.pool.in_h = 5;
    assert_int_equal(bnn_conv2d_maxpool_f32(&mp, in, out, scratch),
                     BNN_ARG_ERROR);
    mp.pool.in_h = 6;
    mp.pool.c = 15;
    assert_int_equal(bnn_conv2d_maxpool_f32(&mp, in, out, scratch),
                     BNN_ARG_ERROR);
    mp.pool.c = 16;
    mp.pool.out_h = 3;
    assert_int_equal(bnn_conv2d_maxpool_f32(&mp, in, out, scratch),
                     BNN_ARG_ERROR);
    const conv_case dw = {1, 6, 6, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1, 2, 0, 0, 1};
    fill_params(&dw, &mp.conv);
    mp.conv.weights = w;
    mp.pool = (bnn_pool2d_params){1, 6, 6, 2, 2, 2, 3, 3, 3, 3, 0, 0, 0};
    assert_int_equal(bnn_conv2d_maxpool_f32(&mp, in, out, scratch),
                     BNN_ARG_ERROR);
    for (int i = 0; i < 64; ++i)
        assert_true(out[i] == SENTINEL);
}

/* The variants this build of the library has, for the test log. */
static void test_conv_variants_listed(void **state)
{
    (void)state;
    const char *names[VT_MAX_VARIANTS];
    int nv = vt_variants("bnn_conv2d_f32", names, NULL);
    assert_true(nv >= 1);
    assert_string_equal(names[0], "portable");
    for (int v = 0; v < nv; ++v)
        fprintf(stderr, "conv2d_f32 variant: %s\n", names[v]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_variants_listed),
        cmocka_unit_test(test_conv_cases),
        cmocka_unit_test(test_conv_weight_layout),
        cmocka_unit_test(test_conv_exact_values),
        cmocka_unit_test(test_conv_nonfinite_weights),
        cmocka_unit_test(test_conv_relu_nan),
        cmocka_unit_test(test_conv_fma_order),
        cmocka_unit_test(test_conv_fma_negative_zero),
        cmocka_unit_test(test_conv_bias_order),
        cmocka_unit_test(test_fmaf_soft),
        cmocka_unit_test(test_conv_maxpool_fma),
        cmocka_unit_test(test_conv_arg_errors),
        cmocka_unit_test(test_conv_maxpool_cases),
        cmocka_unit_test(test_conv_maxpool_arg_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
