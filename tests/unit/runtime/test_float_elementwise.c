/*
 * test_float_elementwise.c - activations (MXNet definitions, checked
 * against values recorded from MXNet and a double reference), PReLU,
 * affine, add, channel copies, padding, softmax and layout changes.
 *
 * Exact where the operation is exact (relu, leaky, prelu, add, affine's
 * two roundings, copies, padding, layouts). Transcendental activations:
 * |got - ref| <= 4 eps |ref| + 2 eps |x| against double precision, where
 * 4 eps covers the float libm functions (<= 2 ulp each) and the few
 * float roundings of the formula, and 2 eps |x| covers the cancellation in
 * 1 + erf(x/sqrt2) for negative x that MXNet's own float formula has.
 * Softmax: 8 eps relative per element (one exp, one sum rounded ~len
 * times but bounded by len*eps relative to the sum, one division) plus
 * len*eps*|ref|.
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

/* Equal as floats, including NaN == NaN and the sign of zero. */
static int same(float a, float b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return a == b && signbit(a) == signbit(b);
}

static int near_ulps(float got, float want, int ulps)
{
    if (isnan(want) || want == 0.0f || isinf(want))
        return same(got, want);
    return fabs((double)got - (double)want) <=
           ulps * (double)FLT_EPSILON * fabs((double)want);
}

/*
 * Recorded from MXNet 1.9.1 CPU operators (MXNET_MKLDNN_ENABLED=0, the
 * reference CPU kernels; oneDNN differs for relu(NaN) and softrelu(-30)):
 *   x = mx.nd.array([nan, -0.0, 0.0, -1, 1, 25, 20, 19.5, -30])
 *   mx.nd.Activation(x, act_type=T)          T = relu ... softsign
 *   mx.nd.LeakyReLU(x, act_type=T, slope=0.25)  T = leaky, elu, selu, gelu
 */
static const float mx_x[9] = {NAN, -0.0f, 0.0f, -1.0f, 1.0f, 25.0f, 20.0f,
                              19.5f, -30.0f};
typedef struct {
    bnn_act act;
    int exact;
    float want[9];
} mx_row;
static const mx_row mx_rows[] = {
    {BNN_ACT_RELU, 1, {NAN, 0.0f, 0.0f, 0.0f, 1.0f, 25.0f, 20.0f, 19.5f, 0.0f}},
    {BNN_ACT_SIGMOID, 0, {NAN, 0.5f, 0.5f, 0.2689414322376251f,
                          0.7310585975646973f, 1.0f, 1.0f, 1.0f,
                          9.357623589846195e-14f}},
    {BNN_ACT_TANH, 0, {NAN, -0.0f, 0.0f, -0.7615941762924194f,
                       0.7615941762924194f, 1.0f, 1.0f, 1.0f, -1.0f}},
    {BNN_ACT_SOFTRELU, 0, {NAN, 0.6931471824645996f, 0.6931471824645996f,
                           0.3132616877555847f, 1.31326162815094f, 25.0f,
                           20.0f, 19.5f, 9.357622912219837e-14f}},
    {BNN_ACT_SOFTSIGN, 1, {NAN, -0.0f, 0.0f, -0.5f, 0.5f, 0.9615384340286255f,
                           0.9523809552192688f, 0.9512194991111755f,
                           -0.9677419066429138f}},
    {BNN_ACT_LEAKY, 1, {NAN, -0.0f, 0.0f, -0.25f, 1.0f, 25.0f, 20.0f, 19.5f,
                        -7.5f}},
    {BNN_ACT_ELU, 0, {NAN, -0.0f, 0.0f, -0.15803013741970062f, 1.0f, 25.0f,
                      20.0f, 19.5f, -0.25f}},
    {BNN_ACT_SELU, 0, {NAN, -0.0f, 0.0f, -1.1113307476043701f,
                       1.0507010221481323f, 26.26752471923828f,
                       21.014020919799805f, 20.488670349121094f,
                       -1.7580993175506592f}},
    {BNN_ACT_GELU, 0, {NAN, -0.0f, 0.0f, -0.15865525603294373f,
                       0.8413447141647339f, 25.0f, 20.0f, 19.5f, -0.0f}},
};

static void test_act_mxnet_values(void **state)
{
    (void)state;
    float out[9];
    for (size_t r = 0; r < sizeof mx_rows / sizeof mx_rows[0]; ++r) {
        assert_int_equal(
            bnn_act_f32(&(bnn_act_params){.act = mx_rows[r].act, .alpha = 0.25f, .n = 9}, mx_x,
                        out),
            BNN_OK);
        for (int i = 0; i < 9; ++i) {
            int ok = mx_rows[r].exact ? same(out[i], mx_rows[r].want[i])
                                      : near_ulps(out[i], mx_rows[r].want[i], 2);
            if (!ok)
                fprintf(stderr, "act %d x=%g: got %.9g want %.9g\n",
                        (int)mx_rows[r].act, (double)mx_x[i], (double)out[i],
                        (double)mx_rows[r].want[i]);
            assert_true(ok);
        }
    }
}

static double ref_act(bnn_act a, double alpha, double x)
{
    switch (a) {
    case BNN_ACT_RELU: return x > 0 ? x : 0;
    case BNN_ACT_SIGMOID: return 1 / (1 + exp(-x));
    case BNN_ACT_TANH: return tanh(x);
    case BNN_ACT_SOFTRELU: return x > 20 ? x : log1p(exp(x));
    case BNN_ACT_SOFTSIGN: return x / (1 + fabs(x));
    case BNN_ACT_LEAKY: return x > 0 ? x : alpha * x;
    case BNN_ACT_ELU: return x > 0 ? x : alpha * expm1(x);
    case BNN_ACT_SELU:
        return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * expm1(x));
    case BNN_ACT_GELU: return 0.5 * x * (1 + erf(x / sqrt(2.0)));
    default: return x;
    }
}

static void test_act_random(void **state)
{
    (void)state;
    enum { N = 4001 };
    static float in[N], out[N];
    rng_state = 17;
    for (int i = 0; i < N; ++i)
        in[i] = frand() * 12.0f; /* [-12, 12) */
    static const bnn_act acts[] = {BNN_ACT_NONE, BNN_ACT_RELU, BNN_ACT_SIGMOID,
                                   BNN_ACT_TANH, BNN_ACT_SOFTRELU,
                                   BNN_ACT_SOFTSIGN, BNN_ACT_LEAKY,
                                   BNN_ACT_ELU, BNN_ACT_SELU, BNN_ACT_GELU};
    const float alpha = 0.1f; /* LEAKY/ELU use the alpha passed */
    for (size_t a = 0; a < sizeof acts / sizeof acts[0]; ++a) {
        assert_int_equal(
            bnn_act_f32(&(bnn_act_params){.act = acts[a], .alpha = alpha, .n = N}, in, out),
            BNN_OK);
        int bad = 0;
        for (int i = 0; i < N; ++i) {
            double want = ref_act(acts[a], alpha, in[i]);
            double tol = 4 * FLT_EPSILON * fabs(want) +
                         2 * FLT_EPSILON * fabs((double)in[i]);
            if (acts[a] == BNN_ACT_NONE || acts[a] == BNN_ACT_RELU)
                tol = 0;
            if (acts[a] == BNN_ACT_LEAKY)
                tol = 0.5 * FLT_EPSILON * fabs(want); /* one rounding */
            if (!(fabs(out[i] - want) <= tol) && bad++ < 3)
                fprintf(stderr, "act %d x=%.9g: got %.9g want %.9g\n",
                        (int)acts[a], (double)in[i], (double)out[i], want);
        }
        assert_int_equal(bad, 0);
    }
    /* In place. */
    memcpy(out, in, sizeof in);
    assert_int_equal(
        bnn_act_f32(&(bnn_act_params){.act = BNN_ACT_TANH, .alpha = 0, .n = N}, out, out), BNN_OK);
    for (int i = 0; i < N; ++i)
        assert_true(out[i] == tanhf(in[i]));
}

/* softrelu returns x itself above 20 (log1p(exp(x)) would overflow to inf
 * at x > 88); SELU uses MXNet's constants; leaky/elu take alpha as
 * passed (MXNet's LeakyReLU default slope is 0.25, the compiler passes
 * whatever the node says). */
static void test_act_specifics(void **state)
{
    (void)state;
    const float x[4] = {20.5f, 100.0f, 1000.0f, 3.0e38f};
    float y[4];
    assert_int_equal(
        bnn_act_f32(&(bnn_act_params){.act = BNN_ACT_SOFTRELU, .alpha = 0, .n = 4}, x, y), BNN_OK);
    for (int i = 0; i < 4; ++i)
        assert_true(y[i] == x[i]);
    const float one[2] = {1.0f, -50.0f};
    assert_int_equal(
        bnn_act_f32(&(bnn_act_params){.act = BNN_ACT_SELU, .alpha = 0, .n = 2}, one, y), BNN_OK);
    assert_true(y[0] == 1.0507009873554805f);
    assert_true(near_ulps(y[1], -1.0507009873554805f * 1.6732632423543772f, 2));
    const float neg[1] = {-2.0f};
    assert_int_equal(
        bnn_act_f32(&(bnn_act_params){.act = BNN_ACT_LEAKY, .alpha = 0.01f, .n = 1}, neg, y),
        BNN_OK);
    assert_true(y[0] == -0.02f);
    assert_int_equal(
        bnn_act_f32(&(bnn_act_params){.act = BNN_ACT_LEAKY, .alpha = 0.25f, .n = 1}, neg, y),
        BNN_OK);
    assert_true(y[0] == -0.5f);
    assert_int_equal(
        bnn_act_f32(&(bnn_act_params){.act = BNN_ACT_ELU, .alpha = 1.0f, .n = 1}, neg, y), BNN_OK);
    assert_true(near_ulps(y[0], (float)expm1(-2.0), 2));
    /* gelu(x) = 0.5 x (1 + erf(x/sqrt2)); at x = 1: 0.841344746. */
    assert_int_equal(
        bnn_act_f32(&(bnn_act_params){.act = BNN_ACT_GELU, .alpha = 0, .n = 1}, one, y), BNN_OK);
    assert_true(near_ulps(y[0], 0.8413447460685429f, 2));
    assert_int_equal(bnn_act_f32(&(bnn_act_params){.act = (bnn_act)99, .alpha = 0, .n = 1}, one, y),
                     BNN_ARG_ERROR);
}

static void test_prelu_affine_add(void **state)
{
    (void)state;
    enum { P = 7, C = 5 };
    float in[P * C], out[P * C], b[P * C], slope[C], mul[C], add[C];
    rng_state = 5;
    for (int i = 0; i < P * C; ++i) {
        in[i] = frand() * 4;
        b[i] = frand();
    }
    in[3] = -0.0f;
    in[4] = NAN;
    for (int c = 0; c < C; ++c) {
        slope[c] = frand();
        mul[c] = frand() * 3;
        add[c] = frand();
    }
    assert_int_equal(
        bnn_prelu_f32(&(bnn_prelu_params){.pixels = P, .c = C, .slope = slope}, in, out), BNN_OK);
    for (int i = 0; i < P * C; ++i) {
        float x = in[i];
        assert_true(same(out[i], x > 0 ? x : slope[i % C] * x));
    }
    assert_int_equal(
        bnn_affine_f32(&(bnn_affine_params){.pixels = P, .c = C, .mul = mul, .add = add}, in, out),
        BNN_OK);
    for (int i = 0; i < P * C; ++i) {
        volatile float prod = in[i] * mul[i % C]; /* rounded on its own */
        float want = prod + add[i % C];
        assert_true(same(out[i], want));
    }
    assert_int_equal(
        bnn_affine_f32(&(bnn_affine_params){.pixels = P, .c = C, .mul = NULL, .add = add}, in, out),
        BNN_OK);
    for (int i = 0; i < P * C; ++i)
        assert_true(same(out[i], in[i] + add[i % C]));
    assert_int_equal(
        bnn_affine_f32(&(bnn_affine_params){.pixels = P, .c = C, .mul = mul, .add = NULL}, in, out),
        BNN_OK);
    for (int i = 0; i < P * C; ++i)
        assert_true(same(out[i], in[i] * mul[i % C]));
    assert_int_equal(
        bnn_affine_f32(&(bnn_affine_params){.pixels = P, .c = C, .mul = NULL, .add = NULL}, in,
                       out),
        BNN_OK);
    for (int i = 0; i < P * C; ++i)
        assert_true(same(out[i], in[i]));
    memcpy(out, in, sizeof in); /* in place */
    assert_int_equal(
        bnn_affine_f32(&(bnn_affine_params){.pixels = P, .c = C, .mul = mul, .add = add}, out, out),
        BNN_OK);
    for (int i = 0; i < P * C; ++i) {
        volatile float prod = in[i] * mul[i % C];
        assert_true(same(out[i], prod + add[i % C]));
    }
    assert_int_equal(bnn_add_f32(&(bnn_eltwise_params){.n = P * C}, in, b, out), BNN_OK);
    for (int i = 0; i < P * C; ++i)
        assert_true(same(out[i], in[i] + b[i]));
    assert_int_equal(bnn_add_f32(&(bnn_eltwise_params){.n = P * C}, in, b, b),
                     BNN_OK); /* in place */
    for (int i = 0; i < P * C; ++i)
        assert_true(same(b[i], out[i]));
    assert_int_equal(
        bnn_prelu_f32(&(bnn_prelu_params){.pixels = P, .c = 0, .slope = slope}, in, out),
        BNN_ARG_ERROR);
}

static void test_copy_channels(void **state)
{
    (void)state;
    enum { P = 5, CA = 3, CB = 17, W = 24 };
    float a[P * CA], b[P * (CB + 2)], out[P * W];
    for (int i = 0; i < P * CA; ++i)
        a[i] = (float)i + 0.5f;
    for (int i = 0; i < P * (CB + 2); ++i)
        b[i] = -(float)i;
    for (int i = 0; i < P * W; ++i)
        out[i] = 999.0f;
    assert_int_equal(bnn_copy_channels_f32(&(bnn_channels_params){.pixels = P,
                                                                  .c = CA,
                                                                  .in_pixel_stride = CA,
                                                                  .out_pixel_stride = W,
                                                                  .dst_c_offset = 0},
                                           a, out),
                     BNN_OK);
    assert_int_equal(bnn_copy_channels_f32(&(bnn_channels_params){.pixels = P,
                                                                  .c = CB,
                                                                  .in_pixel_stride = CB + 2,
                                                                  .out_pixel_stride = W,
                                                                  .dst_c_offset = CA},
                                           b, out),
                     BNN_OK);
    for (int p = 0; p < P; ++p)
        for (int c = 0; c < W; ++c) {
            float v = out[p * W + c];
            if (c < CA)
                assert_true(v == a[p * CA + c]);
            else if (c < CA + CB)
                assert_true(v == b[p * (CB + 2) + c - CA]);
            else
                assert_true(v == 999.0f);
        }
    assert_int_equal(bnn_copy_channels_f32(&(bnn_channels_params){.pixels = P,
                                                                  .c = CB,
                                                                  .in_pixel_stride = CB + 2,
                                                                  .out_pixel_stride = W,
                                                                  .dst_c_offset = 8},
                                           b, out),
                     BNN_ARG_ERROR);
    /* in_pixel_stride 0: the same 4 values into channels [20, 24) of every
     * pixel, the other channels untouched */
    assert_int_equal(bnn_copy_channels_f32(&(bnn_channels_params){.pixels = P,
                                                                  .c = 4,
                                                                  .in_pixel_stride = 0,
                                                                  .out_pixel_stride = W,
                                                                  .dst_c_offset = CA + CB},
                                           a, out),
                     BNN_OK);
    for (int p = 0; p < P; ++p)
        for (int c = 0; c < W; ++c) {
            float v = out[p * W + c];
            if (c < CA)
                assert_true(v == a[p * CA + c]);
            else if (c < CA + CB)
                assert_true(v == b[p * (CB + 2) + c - CA]);
            else
                assert_true(v == a[c - CA - CB]);
        }
}

static void test_pad(void **state)
{
    (void)state;
    bnn_pad2d_params p = {2, 3, 1, 5, 1, 2, 0, 3, -1.5f};
    float in[2 * 3 * 1 * 5], out[2 * 6 * 4 * 5];
    for (int i = 0; i < 30; ++i)
        in[i] = (float)i;
    assert_int_equal(bnn_pad2d_f32(&p, in, out), BNN_OK);
    for (int n = 0; n < 2; ++n)
        for (int y = 0; y < 6; ++y)
            for (int x = 0; x < 4; ++x)
                for (int c = 0; c < 5; ++c) {
                    float v = out[((n * 6 + y) * 4 + x) * 5 + c];
                    int iy = y - 1, ix = x;
                    if (iy >= 0 && iy < 3 && ix < 1)
                        assert_true(v == in[((n * 3 + iy) * 1 + ix) * 5 + c]);
                    else
                        assert_true(v == -1.5f);
                }
    p.left = -1;
    assert_int_equal(bnn_pad2d_f32(&p, in, out), BNN_ARG_ERROR);
}

/* Gather by row/column maps: nearest upsampling x2 by rows, a crop by
 * columns with a -1 (fill) column, on 2 images of 3 channels. */
static void test_gather_hw(void **state)
{
    (void)state;
    static const int32_t src_h[] = {0, 0, 1, 1, 2, 2, -1};
    static const int32_t src_w[] = {3, -1, 1};
    bnn_gather_hw_params p = {2, 3, 4, 3, 7, 3, src_h, src_w, 9.5f};
    float in[2 * 3 * 4 * 3], out[2 * 7 * 3 * 3];
    int32_t bad_h[7];
    for (int i = 0; i < 72; ++i)
        in[i] = (float)i * 0.25f - 3.0f;
    assert_int_equal(bnn_gather_hw_f32(&p, in, out), BNN_OK);
    for (int n = 0; n < 2; ++n)
        for (int y = 0; y < 7; ++y)
            for (int x = 0; x < 3; ++x)
                for (int c = 0; c < 3; ++c) {
                    float v = out[((n * 7 + y) * 3 + x) * 3 + c];
                    if (src_h[y] < 0 || src_w[x] < 0)
                        assert_true(v == 9.5f);
                    else
                        assert_true(v == in[((n * 3 + src_h[y]) * 4 + src_w[x]) * 3 + c]);
                }
    /* maps out of range are refused before anything is written */
    memcpy(bad_h, src_h, sizeof bad_h);
    bad_h[3] = 3;
    p.src_h = bad_h;
    out[0] = 123.0f;
    assert_int_equal(bnn_gather_hw_f32(&p, in, out), BNN_ARG_ERROR);
    assert_true(out[0] == 123.0f);
    bad_h[3] = -2;
    assert_int_equal(bnn_gather_hw_f32(&p, in, out), BNN_ARG_ERROR);
}

static void test_softmax(void **state)
{
    (void)state;
    enum { R = 4, L = 130 };
    static float in[R * L], out[R * L];
    rng_state = 9;
    for (int i = 0; i < R * L; ++i)
        in[i] = frand() * 10;
    for (int i = 0; i < L; ++i) {
        in[L + i] = 1000.0f + (float)(i % 7); /* exp would overflow */
        in[2 * L + i] = -1000.0f - (float)(i % 3);
    }
    in[3 * L + 5] = 80.0f; /* one dominant entry */
    assert_int_equal(bnn_softmax_f32(&(bnn_softmax_params){.rows = R, .len = L}, in, out), BNN_OK);
    for (int r = 0; r < R; ++r) {
        double m = -INFINITY, s = 0, total = 0;
        for (int i = 0; i < L; ++i)
            m = fmax(m, in[r * L + i]);
        for (int i = 0; i < L; ++i)
            s += exp((double)in[r * L + i] - m);
        for (int i = 0; i < L; ++i) {
            double want = exp((double)in[r * L + i] - m) / s;
            double got = out[r * L + i];
            double tol = (8 + L) * FLT_EPSILON * want + 1e-45;
            if (!(fabs(got - want) <= tol))
                fprintf(stderr, "softmax r%d i%d: %.9g vs %.9g\n", r, i, got,
                        want);
            assert_true(fabs(got - want) <= tol);
            total += got;
        }
        assert_true(fabs(total - 1.0) < 1e-5);
    }
    /* In place, one row, len 1 gives exactly 1. */
    float one[3] = {5.0f, -3.0f, 1e30f};
    assert_int_equal(bnn_softmax_f32(&(bnn_softmax_params){.rows = 3, .len = 1}, one, one), BNN_OK);
    for (int i = 0; i < 3; ++i)
        assert_true(one[i] == 1.0f);
    /* Two equal large values: exactly one half each. */
    float two[2] = {3.0e38f, 3.0e38f};
    assert_int_equal(bnn_softmax_f32(&(bnn_softmax_params){.rows = 1, .len = 2}, two, two), BNN_OK);
    assert_true(two[0] == 0.5f && two[1] == 0.5f);
}

static void test_layout(void **state)
{
    (void)state;
    enum { N = 2, C = 3, H = 5, W = 7 };
    float nchw[N * C * H * W], nhwc[N * C * H * W], back[N * C * H * W];
    for (int i = 0; i < N * C * H * W; ++i)
        nchw[i] = (float)i;
    assert_int_equal(
        bnn_nchw_to_nhwc_f32(&(bnn_layout_params){.n = N, .c = C, .h = H, .w = W}, nchw, nhwc),
        BNN_OK);
    for (int n = 0; n < N; ++n)
        for (int c = 0; c < C; ++c)
            for (int y = 0; y < H; ++y)
                for (int x = 0; x < W; ++x)
                    assert_true(nhwc[((n * H + y) * W + x) * C + c] ==
                                nchw[((n * C + c) * H + y) * W + x]);
    assert_int_equal(
        bnn_nhwc_to_nchw_f32(&(bnn_layout_params){.n = N, .c = C, .h = H, .w = W}, nhwc, back),
        BNN_OK);
    assert_memory_equal(back, nchw, sizeof nchw);
    /* C = 1 and H = W = 1 are plain copies. */
    assert_int_equal(
        bnn_nchw_to_nhwc_f32(&(bnn_layout_params){.n = 1, .c = 1, .h = H, .w = W}, nchw, nhwc),
        BNN_OK);
    assert_memory_equal(nhwc, nchw, sizeof(float) * H * W);
    assert_int_equal(
        bnn_nhwc_to_nchw_f32(&(bnn_layout_params){.n = 1, .c = 17, .h = 1, .w = 1}, nchw, nhwc),
        BNN_OK);
    assert_memory_equal(nhwc, nchw, sizeof(float) * 17);
    assert_int_equal(
        bnn_nchw_to_nhwc_f32(&(bnn_layout_params){.n = 1, .c = 0, .h = H, .w = W}, nchw, nhwc),
        BNN_ARG_ERROR);
    {
        /* layout change with an affine map on the way: bit-identical to
         * the layout change followed by bnn_affine_f32 */
        const float mul[C] = {0.37f, -1.5f, 0.0f}, add[C] = {-0.2f, 3.25f, -0.0f};
        float ref[N * C * H * W], fused[N * C * H * W];
        for (int i = 0; i < N * C * H * W; ++i)
            nchw[i] = (float)(i % 13) * 0.731f - 4.1f;
        assert_int_equal(
            bnn_nchw_to_nhwc_f32(&(bnn_layout_params){.n = N, .c = C, .h = H, .w = W}, nchw, ref),
            BNN_OK);
        assert_int_equal(
            bnn_affine_f32(
                &(bnn_affine_params){.pixels = N * H * W, .c = C, .mul = mul, .add = add}, ref,
                ref),
            BNN_OK);
        assert_int_equal(
            bnn_nchw_to_nhwc_affine_f32(
                &(bnn_layout_params){.n = N, .c = C, .h = H, .w = W, .mul = mul, .add = add}, nchw,
                fused),
            BNN_OK);
        assert_memory_equal(fused, ref, sizeof ref);
        assert_int_equal(
            bnn_nchw_to_nhwc_affine_f32(
                &(bnn_layout_params){.n = N, .c = C, .h = H, .w = W, .mul = NULL, .add = add}, nchw,
                fused),
            BNN_ARG_ERROR);
    }
    {
        /* the same for channel counts other than the RGB fast path */
        static const int cs[] = {1, 2, 4};
        const float mul[4] = {0.37f, -1.5f, 0.0f, 2.5f};
        const float add[4] = {-0.2f, 3.25f, -0.0f, 0.125f};
        float ref[N * 4 * H * W], fused[N * 4 * H * W];
        for (size_t k = 0; k < sizeof cs / sizeof cs[0]; ++k) {
            const int c = cs[k];
            float *src = malloc(sizeof(float) * (size_t)(N * c * H * W));
            assert_non_null(src);
            for (int i = 0; i < N * c * H * W; ++i)
                src[i] = (float)(i % 11) * 0.529f - 2.3f;
            assert_int_equal(bnn_nchw_to_nhwc_f32(
                                 &(bnn_layout_params){.n = N, .c = c, .h = H, .w = W}, src, ref),
                             BNN_OK);
            assert_int_equal(
                bnn_affine_f32(
                    &(bnn_affine_params){.pixels = N * H * W, .c = c, .mul = mul, .add = add}, ref,
                    ref),
                BNN_OK);
            assert_int_equal(
                bnn_nchw_to_nhwc_affine_f32(
                    &(bnn_layout_params){.n = N, .c = c, .h = H, .w = W, .mul = mul, .add = add},
                    src, fused),
                BNN_OK);
            assert_memory_equal(fused, ref, sizeof(float) * (size_t)(N * c * H * W));
            free(src);
        }
    }
}


/* Every kernel taking its parameters in a struct rejects a NULL struct
 * (and writes nothing), whatever its tensors. */
static void test_null_params(void **state)
{
    float in[4] = {1.0f, -2.0f, 3.0f, -4.0f}, out[4] = {7.0f, 7.0f, 7.0f, 7.0f};
    uint32_t bits[1] = {0xA5A5A5A5u}, bits2[1] = {0xA5A5A5A5u};
    const uint8_t u8[4] = {1, 2, 3, 4};
    (void)state;
    assert_int_equal(bnn_nchw_to_nhwc_f32(NULL, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_nhwc_to_nchw_f32(NULL, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_nchw_to_nhwc_affine_f32(NULL, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_u8_nchw_to_nhwc_f32(NULL, u8, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_permute_f32(NULL, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_pack_f32_b(NULL, in, bits), BNN_ARG_ERROR);
    assert_int_equal(bnn_pack_affine_f32_b(NULL, in, bits), BNN_ARG_ERROR);
    assert_int_equal(bnn_unpack_b_f32(NULL, bits, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_copy_channels_b(NULL, bits, bits2), BNN_ARG_ERROR);
    assert_int_equal(bnn_copy_channels_f32(NULL, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_affine_f32(NULL, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_act_f32(NULL, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_act_fast_f32(NULL, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_prelu_f32(NULL, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_add_f32(NULL, in, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_exp_fast_f32(NULL, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_unary_f32(NULL, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_binary_f32(NULL, in, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_binary_pixel_f32(NULL, in, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_channel_mean_f32(NULL, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_softmax_f32(NULL, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_softmax_fast_f32(NULL, in, out), BNN_ARG_ERROR);
    for (int i = 0; i < 4; i++)
        assert_true(out[i] == 7.0f);
    assert_int_equal(bits[0], 0xA5A5A5A5u);
    assert_int_equal(bits2[0], 0xA5A5A5A5u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_act_mxnet_values),
        cmocka_unit_test(test_act_random),
        cmocka_unit_test(test_act_specifics),
        cmocka_unit_test(test_prelu_affine_add),
        cmocka_unit_test(test_copy_channels),
        cmocka_unit_test(test_pad),
        cmocka_unit_test(test_gather_hw),
        cmocka_unit_test(test_softmax),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_null_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
