/*
 * test_float_pool.c - bnn_maxpool_f32 / bnn_avgpool_f32: MXNet window
 * semantics (valid and full conventions, windows reaching past the padded
 * extent, count_include_pad on and off, global pooling) against an
 * independent reference, and fixed outputs recorded from MXNet itself.
 *
 * Max pooling is exact. Average pooling sums at most k_h*k_w floats and
 * divides once: the tolerance is (k_h*k_w + 1) * 2^-24 * sum|x| / divisor.
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

static unsigned rng_state;
static float frand(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((rng_state >> 8) & 0xFFFF) / 32768.0f - 1.0f;
}

static int pool_out(int in, int k, int s, int p, int full)
{
    int span = in + 2 * p - k;
    return (full ? (span + s - 1) / s : span / s) + 1;
}

/* Reference for one output: MXNet's CPU pooling, per axis
 * start = o*s - p, end = min(start + k, in + p), divisor before clipping. */
static double ref_pool(const float *in, const bnn_pool2d_params *p, int n,
                       int oy, int ox, int ch, int is_max, double *mag)
{
    int hs = oy * p->stride_h - p->pad_h, ws = ox * p->stride_w - p->pad_w;
    int he = hs + p->k_h, we = ws + p->k_w;
    if (he > p->in_h + p->pad_h)
        he = p->in_h + p->pad_h;
    if (we > p->in_w + p->pad_w)
        we = p->in_w + p->pad_w;
    int size = (he - hs) * (we - ws);
    int h0 = hs < 0 ? 0 : hs, w0 = ws < 0 ? 0 : ws;
    int h1 = he > p->in_h ? p->in_h : he, w1 = we > p->in_w ? p->in_w : we;
    double m = -FLT_MAX, s = 0;
    int cnt = 0;
    *mag = 0;
    for (int y = h0; y < h1; ++y)
        for (int x = w0; x < w1; ++x) {
            double v = in[(((size_t)n * p->in_h + y) * p->in_w + x) * p->c + ch];
            if (v > m)
                m = v;
            s += v;
            *mag += fabs(v);
            ++cnt;
        }
    if (is_max)
        return m;
    int div = p->count_include_pad ? size : cnt;
    if (div <= 0)
        return 0.0;
    *mag /= div;
    return s / div;
}

static int check_pool(int n, int h, int w, int c, int k_h, int k_w, int s_h,
                      int s_w, int p_h, int p_w, int full, int cip,
                      unsigned seed)
{
    bnn_pool2d_params p;
    memset(&p, 0, sizeof p);
    p.n = n;
    p.in_h = h;
    p.in_w = w;
    p.c = c;
    p.k_h = k_h;
    p.k_w = k_w;
    p.stride_h = s_h;
    p.stride_w = s_w;
    p.pad_h = p_h;
    p.pad_w = p_w;
    p.count_include_pad = cip;
    p.out_h = pool_out(h, k_h, s_h, p_h, full);
    p.out_w = pool_out(w, k_w, s_w, p_w, full);
    size_t nin = (size_t)n * h * w * c;
    size_t nout = (size_t)n * p.out_h * p.out_w * c;
    float *in = malloc(nin * sizeof(float));
    float *mx = malloc(nout * sizeof(float));
    float *av = malloc(nout * sizeof(float));
    assert_non_null(in);
    assert_non_null(mx);
    assert_non_null(av);
    rng_state = seed;
    for (size_t i = 0; i < nin; ++i)
        in[i] = frand();
    assert_int_equal(bnn_maxpool_f32(&p, in, mx), BNN_OK);
    assert_int_equal(bnn_avgpool_f32(&p, in, av), BNN_OK);
    int bad = 0;
    for (int b = 0; b < n; ++b)
        for (int oy = 0; oy < p.out_h; ++oy)
            for (int ox = 0; ox < p.out_w; ++ox)
                for (int ch = 0; ch < c; ++ch) {
                    size_t oi = (((size_t)b * p.out_h + oy) * p.out_w + ox) * c + ch;
                    double mag;
                    double wm = ref_pool(in, &p, b, oy, ox, ch, 1, &mag);
                    double wa = ref_pool(in, &p, b, oy, ox, ch, 0, &mag);
                    double tol = (k_h * k_w + 1) * ldexp(1.0, -24) * mag + 1e-30;
                    if ((double)mx[oi] != wm || !(fabs(av[oi] - wa) <= tol)) {
                        if (bad++ < 5)
                            fprintf(stderr,
                                    "%dx%d k%dx%d s%d,%d p%d,%d full%d cip%d "
                                    "(%d,%d,%d): max %.9g/%.9g avg %.9g/%.9g\n",
                                    h, w, k_h, k_w, s_h, s_w, p_h, p_w, full,
                                    cip, oy, ox, ch, (double)mx[oi], wm,
                                    (double)av[oi], wa);
                    }
                }
    free(in);
    free(mx);
    free(av);
    return bad;
}

static void test_pool_shapes(void **state)
{
    (void)state;
    int bad = 0;
    unsigned seed = 3;
    for (int full = 0; full < 2; ++full)
        for (int cip = 0; cip < 2; ++cip) {
            bad += check_pool(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, full, cip, seed++);
            bad += check_pool(1, 5, 5, 3, 3, 3, 2, 2, 1, 1, full, cip, seed++);
            bad += check_pool(2, 7, 9, 17, 3, 3, 2, 2, 1, 1, full, cip, seed++);
            bad += check_pool(1, 5, 5, 5, 2, 2, 2, 2, 1, 1, full, cip, seed++);
            bad += check_pool(1, 6, 7, 64, 3, 2, 3, 2, 1, 1, full, cip, seed++);
            bad += check_pool(1, 9, 11, 130, 5, 5, 3, 3, 2, 2, full, cip, seed++);
            bad += check_pool(1, 4, 4, 3, 3, 3, 3, 3, 2, 2, full, cip, seed++);
            bad += check_pool(1, 13, 1, 5, 3, 1, 2, 1, 0, 0, full, cip, seed++);
            bad += check_pool(1, 7, 7, 17, 7, 7, 1, 1, 0, 0, full, cip, seed++);
        }
    assert_int_equal(bad, 0);
}

/* Global pooling: kernel = whole input, pad 0. */
static void test_pool_global(void **state)
{
    (void)state;
    float in[3 * 5 * 2], out[2];
    for (int i = 0; i < 30; ++i)
        in[i] = (float)(i % 2 ? i : -i);
    bnn_pool2d_params p;
    memset(&p, 0, sizeof p);
    p.n = 1;
    p.in_h = 3;
    p.in_w = 5;
    p.c = 2;
    p.out_h = p.out_w = 1;
    p.k_h = 3;
    p.k_w = 5;
    p.stride_h = p.stride_w = 1;
    p.count_include_pad = 1;
    assert_int_equal(bnn_avgpool_f32(&p, in, out), BNN_OK);
    assert_true(out[0] == -210.0f / 15.0f); /* -(0+2+...+28)/15 */
    assert_true(out[1] == 225.0f / 15.0f);  /* (1+3+...+29)/15 */
    assert_int_equal(bnn_maxpool_f32(&p, in, out), BNN_OK);
    assert_true(out[0] == 0.0f);
    assert_true(out[1] == 29.0f);
    p.out_h = 2; /* neither valid nor full */
    assert_int_equal(bnn_maxpool_f32(&p, in, out), BNN_ARG_ERROR);
}

/*
 * Recorded from MXNet 1.9.1 (CPU, MXNET_MKLDNN_ENABLED=0; the default
 * oneDNN path gives the same values here):
 *   a = mx.nd.array(np.arange(1, 26, dtype=np.float32).reshape(1,1,5,5))
 *   mx.nd.Pooling(a, kernel=(3,3), stride=(2,2), pad=(1,1), pool_type=T,
 *                 pooling_convention='full', count_include_pad=C)
 *   mx.nd.Pooling(a, kernel=(2,2), stride=(2,2), pad=(1,1), ...)  (4x4
 *                 output: the last row and column of windows start in the
 *                 right padding and contain no image element)
 */
static void test_pool_mxnet_values(void **state)
{
    (void)state;
    static const float avg3_cip[9] = {1.7777777910232544f, 3.6666667461395264f,
                                      3.1111111640930176f, 7.666666507720947f,
                                      13.0f, 9.666666984558105f,
                                      8.44444465637207f, 13.666666984558105f,
                                      9.777777671813965f};
    static const float avg3_nocip[9] = {4.0f, 5.5f, 7.0f, 11.5f, 13.0f,
                                        14.5f, 19.0f, 20.5f, 22.0f};
    static const float max3[9] = {7, 9, 10, 17, 19, 20, 22, 24, 25};
    static const float avg2_cip[16] = {0.25f, 1.25f, 2.25f, 0, 4.25f, 10, 12, 0,
                                       9.25f, 20, 22, 0, 0, 0, 0, 0};
    static const float avg2_nocip[16] = {1, 2.5f, 4.5f, 0, 8.5f, 10, 12, 0,
                                         18.5f, 20, 22, 0, 0, 0, 0, 0};
    const float L = -FLT_MAX; /* MXNet's initial max: lowest float */
    const float max2[16] = {1, 3, 5, L, 11, 13, 15, L, 21, 23, 25, L,
                            L, L, L, L};
    float in[25], out[16];
    for (int i = 0; i < 25; ++i)
        in[i] = (float)(i + 1);
    bnn_pool2d_params p;
    memset(&p, 0, sizeof p);
    p.n = 1;
    p.in_h = p.in_w = 5;
    p.c = 1;
    p.k_h = p.k_w = 3;
    p.stride_h = p.stride_w = 2;
    p.pad_h = p.pad_w = 1;
    p.out_h = p.out_w = 3;
    p.count_include_pad = 1;
    assert_int_equal(bnn_avgpool_f32(&p, in, out), BNN_OK);
    for (int i = 0; i < 9; ++i)
        assert_float_equal(out[i], avg3_cip[i], 4e-7f * avg3_cip[i]);
    p.count_include_pad = 0;
    assert_int_equal(bnn_avgpool_f32(&p, in, out), BNN_OK);
    for (int i = 0; i < 9; ++i)
        assert_true(out[i] == avg3_nocip[i]);
    assert_int_equal(bnn_maxpool_f32(&p, in, out), BNN_OK);
    for (int i = 0; i < 9; ++i)
        assert_true(out[i] == max3[i]);

    p.k_h = p.k_w = 2;
    p.out_h = p.out_w = 4;
    p.count_include_pad = 1;
    assert_int_equal(bnn_avgpool_f32(&p, in, out), BNN_OK);
    for (int i = 0; i < 16; ++i)
        assert_true(out[i] == avg2_cip[i]);
    p.count_include_pad = 0;
    assert_int_equal(bnn_avgpool_f32(&p, in, out), BNN_OK);
    for (int i = 0; i < 16; ++i)
        assert_true(out[i] == avg2_nocip[i]);
    assert_int_equal(bnn_maxpool_f32(&p, in, out), BNN_OK);
    for (int i = 0; i < 16; ++i)
        assert_true(out[i] == max2[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_shapes),
        cmocka_unit_test(test_pool_global),
        cmocka_unit_test(test_pool_mxnet_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
