/*
 * test_ops_binary.c - bnn_binary_f32 (add, sub, mul, div of two tensors),
 * bnn_binary_pixel_f32 (a one-channel map broadcast over NHWC channels)
 * and bnn_channel_mean_f32.
 *
 * add, sub, mul and div are exact: each is one IEEE operation, and the
 * double result of the same two float operands rounded to float is that
 * operation's correctly rounded float result (53 >= 2*24 + 2), so the
 * double reference is compared bit for bit, sign of zero included.
 *
 * Channel mean: bit for bit against the compensated sum of bnn_ops.h
 * written out in the test, and within
 *     |got - ref| <= FLT_EPSILON * |ref| + 2 * FLT_EPSILON * sum|x| / c
 * of a double reference: the compensated float sum is off by at most
 * (2u + O(c u^2)) sum|x| with u = FLT_EPSILON / 2, and the final division
 * adds half an ulp of the result.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bnn_ops.h"

static unsigned rng_state;
static float frand(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((rng_state >> 8) & 0xFFFF) / 32768.0f - 1.0f;
}

static int same(float a, float b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return a == b && !signbit(a) == !signbit(b);
}

static const bnn_binary_op all_ops[4] = {BNN_BIN_ADD, BNN_BIN_SUB,
                                         BNN_BIN_MUL, BNN_BIN_DIV};

/* a op b, computed in double and rounded once to float (exact, see top). */
static float ref_bin(bnn_binary_op op, float a, float b)
{
    double x = a, y = b;
    switch (op) {
    case BNN_BIN_ADD: return (float)(x + y);
    case BNN_BIN_SUB: return (float)(x - y);
    case BNN_BIN_MUL: return (float)(x * y);
    case BNN_BIN_DIV: return (float)(x / y);
    }
    return NAN;
}

/*
 * Recorded from MXNet 1.9.1 (CPU):
 *   a = mx.nd.array([1, -1, 0, nan, 3, -0.0, 1e30, 0.1, 16777216, -7])
 *   b = mx.nd.array([0, 0, 0, 1, 7, 1, 1e-30, 3, 1, -0.0])
 *   mx.nd.broadcast_add / broadcast_sub / broadcast_mul / broadcast_div(a, b)
 */
enum { NB = 10 };
static const float mx_a[NB] = {1.0f, -1.0f, 0.0f, NAN, 3.0f, -0.0f,
                               1.00000002e+30f, 0.100000001f, 16777216.0f,
                               -7.0f};
static const float mx_b[NB] = {0.0f, 0.0f, 0.0f, 1.0f, 7.0f, 1.0f, 1e-30f,
                               3.0f, 1.0f, -0.0f};
static const float mx_bin[4][NB] = {
    {1.0f, -1.0f, 0.0f, NAN, 10.0f, 1.0f, 1.00000002e+30f, 3.0999999f,
     16777216.0f, -7.0f},
    {1.0f, -1.0f, 0.0f, NAN, -4.0f, -1.0f, 1.00000002e+30f, -2.9000001f,
     16777215.0f, -7.0f},
    {0.0f, -0.0f, 0.0f, NAN, 21.0f, -0.0f, 1.0f, 0.300000012f, 16777216.0f,
     0.0f},
    {INFINITY, -INFINITY, NAN, NAN, 0.428571433f, -0.0f, INFINITY,
     0.0333333351f, 16777216.0f, INFINITY},
};

static void test_binary_mxnet_values(void **state)
{
    (void)state;
    float out[NB];
    for (int o = 0; o < 4; ++o) {
        assert_int_equal(
            bnn_binary_f32(&(bnn_binary_params){.op = all_ops[o], .n = NB}, mx_a, mx_b, out),
            BNN_OK);
        for (int i = 0; i < NB; ++i) {
            if (!same(out[i], mx_bin[o][i]))
                fprintf(stderr, "op %d i %d: got %.9g want %.9g\n", o, i,
                        (double)out[i], (double)mx_bin[o][i]);
            assert_true(same(out[i], mx_bin[o][i]));
        }
    }
}

static void test_binary_exact_inplace(void **state)
{
    (void)state;
    enum { N = 1001 };
    static float a[N], b[N], out[N], io[N];
    rng_state = 3;
    for (int i = 0; i < N; ++i) {
        a[i] = frand() * 100.0f;
        b[i] = frand() * 3.0f;
    }
    b[7] = 0.0f;
    b[8] = -0.0f;
    a[9] = NAN;
    a[10] = INFINITY;
    b[10] = INFINITY;
    for (int o = 0; o < 4; ++o) {
        bnn_binary_op op = all_ops[o];
        int bad = 0;
        assert_int_equal(bnn_binary_f32(&(bnn_binary_params){.op = op, .n = N}, a, b, out), BNN_OK);
        for (int i = 0; i < N; ++i)
            if (!same(out[i], ref_bin(op, a[i], b[i])) && bad++ < 3)
                fprintf(stderr, "op %d: %.9g, %.9g -> %.9g\n", o,
                        (double)a[i], (double)b[i], (double)out[i]);
        assert_int_equal(bad, 0);
        memcpy(io, a, sizeof a); /* out == a */
        assert_int_equal(bnn_binary_f32(&(bnn_binary_params){.op = op, .n = N}, io, b, io), BNN_OK);
        assert_memory_equal(io, out, sizeof out);
        memcpy(io, b, sizeof b); /* out == b */
        assert_int_equal(bnn_binary_f32(&(bnn_binary_params){.op = op, .n = N}, a, io, io), BNN_OK);
        assert_memory_equal(io, out, sizeof out);
        memcpy(io, a, sizeof a); /* a == b == out */
        assert_int_equal(bnn_binary_f32(&(bnn_binary_params){.op = op, .n = N}, io, io, io),
                         BNN_OK);
        for (int i = 0; i < N; ++i)
            assert_true(same(io[i], ref_bin(op, a[i], a[i])));
    }
}

static void test_binary_pixel(void **state)
{
    (void)state;
    enum { P = 13, C = 19 };
    static float in[P * C], map[P], out[P * C], io[P * C];
    rng_state = 8;
    for (int i = 0; i < P * C; ++i)
        in[i] = frand() * 10.0f;
    for (int p = 0; p < P; ++p)
        map[p] = frand() + 0.01f;
    map[3] = 0.0f;
    map[4] = -0.0f;
    map[5] = NAN;
    in[2 * C + 1] = -0.0f;
    for (int o = 0; o < 4; ++o) {
        bnn_binary_op op = all_ops[o];
        /* All widths up to C, so the channel loop sees every remainder. */
        for (int c = 1; c <= C; ++c) {
            assert_int_equal(
                bnn_binary_pixel_f32(&(bnn_binary_pixel_params){.op = op, .pixels = P, .c = c}, in,
                                     map, out),
                BNN_OK);
            for (int p = 0; p < P; ++p)
                for (int ch = 0; ch < c; ++ch)
                    assert_true(same(out[p * c + ch],
                                     ref_bin(op, in[p * c + ch], map[p])));
            memcpy(io, in, sizeof in); /* in place */
            assert_int_equal(
                bnn_binary_pixel_f32(&(bnn_binary_pixel_params){.op = op, .pixels = P, .c = c}, io,
                                     map, io),
                BNN_OK);
            assert_memory_equal(io, out, sizeof(float) * (size_t)(P * c));
        }
        /* c == 1 with out == map. */
        memcpy(io, map, sizeof map);
        assert_int_equal(bnn_binary_pixel_f32(
                             &(bnn_binary_pixel_params){.op = op, .pixels = P, .c = 1}, in, io, io),
                         BNN_OK);
        for (int p = 0; p < P; ++p)
            assert_true(same(io[p], ref_bin(op, in[p], map[p])));
    }
    /* Zero pixels write nothing. */
    out[0] = 42.0f;
    assert_int_equal(
        bnn_binary_pixel_f32(&(bnn_binary_pixel_params){.op = BNN_BIN_MUL, .pixels = 0, .c = 3}, in,
                             map, out),
        BNN_OK);
    assert_true(out[0] == 42.0f);
}

/* The compensated sum of bnn_ops.h (MXNet's mshadow red::sum), float. */
static float ref_mean_kahan(const float *x, int c)
{
    volatile float s = 0.0f, r = 0.0f;
    for (int j = 0; j < c; ++j) {
        volatile float y = x[j] - r;
        volatile float t = s + y;
        if (isinf(t)) {
            r = 0.0f;
        } else {
            volatile float d = t - s;
            r = d - y;
        }
        s = t;
    }
    return s / (float)c;
}

/*
 * Recorded from MXNet 1.9.1 (CPU): rows of 4 channels
 *   mx.nd.mean(mx.nd.array(rows.reshape(12, 4, 1, 1)), axis=1,
 *              keepdims=True)
 * (mean over the channel axis of an NCHW tensor). Rows 2, 9 and 10 differ
 * from a plain running float sum (0.25, 0.25, 4194304); row 0 would be NaN
 * without the reset of the compensation at infinity.
 */
static const float mx_mean_in[12][4] = {
    {INFINITY, 1.0f, 2.0f, 3.0f},
    {1.0f, INFINITY, 2.0f, 3.0f},
    {1.0f, 2.99999989e-08f, 2.99999989e-08f, 2.99999989e-08f},
    {INFINITY, -INFINITY, 0.0f, 0.0f},
    {100000000.0f, 1.0f, 1.0f, 1.0f},
    {0.100000001f, 0.200000003f, 0.300000012f, 0.400000006f},
    {-0.0f, -0.0f, -0.0f, -0.0f},
    {NAN, 1.0f, 1.0f, 1.0f},
    {3.00000001e+38f, 3.00000001e+38f, -1.0f, 1.0f},
    {1.0f, 2.99999989e-08f, 2.99999989e-08f, 5.00000006e-08f},
    {16777216.0f, 1.0f, 1.0f, 1.0f},
    {-3.00000001e+38f, 9.99999968e+37f, 0.5f, 0.25f},
};
static const float mx_mean_out[12] = {
    INFINITY, INFINITY, 0.25000003f, NAN, 25000000.0f, 0.25f, 0.0f, NAN,
    INFINITY, 0.25000003f, 4194305.0f, -5.00000035e+37f};

static void test_mean_mxnet_values(void **state)
{
    (void)state;
    float out[12];
    assert_int_equal(bnn_channel_mean_f32(&(bnn_channel_mean_params){.pixels = 12, .c = 4},
                                          &mx_mean_in[0][0], out),
                     BNN_OK);
    for (int p = 0; p < 12; ++p) {
        if (!same(out[p], mx_mean_out[p]))
            fprintf(stderr, "mean row %d: got %.9g want %.9g\n", p,
                    (double)out[p], (double)mx_mean_out[p]);
        assert_true(same(out[p], mx_mean_out[p]));
    }
    /* c == 1: 0 + x, so -0.0 becomes +0.0 (MXNet 1.9.1 gives the same for
     * mean over an axis of size 1). */
    const float one[4] = {-0.0f, NAN, 3.5f, -INFINITY};
    assert_int_equal(
        bnn_channel_mean_f32(&(bnn_channel_mean_params){.pixels = 4, .c = 1}, one, out), BNN_OK);
    assert_true(same(out[0], 0.0f) && isnan(out[1]) && out[2] == 3.5f &&
                out[3] == -INFINITY);
}

/* XNOR-Net input scaling as MXNet computes it on an NCHW (1, 3, 1, 2)
 * tensor d = [0.5, -1.5, 2.0, -0.25, 3.0, 1.0]:
 *   k = mx.nd.mean(mx.nd.abs(d), axis=1, keepdims=True)
 *   mx.nd.broadcast_mul(d, k)   (and broadcast_div, broadcast_sub)
 * recorded from MXNet 1.9.1 and given here in NHWC. */
static void test_xnor_scaling_chain(void **state)
{
    (void)state;
    const float d[6] = {0.5f, 2.0f, 3.0f, -1.5f, -0.25f, 1.0f};
    const float want_k[2] = {1.83333337f, 0.916666687f};
    const float want[3][6] = {
        /* broadcast_mul */
        {0.916666687f, 3.66666675f, 5.5f, -1.375f, -0.229166672f,
         0.916666687f},
        /* broadcast_div */
        {0.272727281f, 1.09090912f, 1.63636363f, -1.63636363f, -0.272727281f,
         1.09090912f},
        /* broadcast_sub */
        {-1.33333337f, 0.166666627f, 1.16666663f, -2.41666675f,
         -1.16666675f, 0.0833333135f},
    };
    static const bnn_binary_op ops[3] = {BNN_BIN_MUL, BNN_BIN_DIV,
                                         BNN_BIN_SUB};
    float ad[6], k[2], out[6];
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = BNN_UN_ABS, .a = 0, .b = 0, .n = 6}, d, ad),
        BNN_OK);
    assert_int_equal(bnn_channel_mean_f32(&(bnn_channel_mean_params){.pixels = 2, .c = 3}, ad, k),
                     BNN_OK);
    assert_true(k[0] == want_k[0] && k[1] == want_k[1]);
    for (int o = 0; o < 3; ++o) {
        assert_int_equal(
            bnn_binary_pixel_f32(&(bnn_binary_pixel_params){.op = ops[o], .pixels = 2, .c = 3}, d,
                                 k, out),
            BNN_OK);
        for (int i = 0; i < 6; ++i)
            assert_true(out[i] == want[o][i]);
    }
}

static void test_mean_random(void **state)
{
    (void)state;
    enum { P = 37, CMAX = 300 };
    static float in[P * CMAX], out[P], io[P * CMAX];
    static const int cs[] = {1, 2, 3, 7, 31, 32, 33, 64, 255, 300};
    rng_state = 99;
    for (int i = 0; i < P * CMAX; ++i)
        in[i] = frand() * 1000.0f + (i % 5 == 0 ? 3000.0f : 0.0f);
    for (size_t k = 0; k < sizeof cs / sizeof cs[0]; ++k) {
        int c = cs[k], bad = 0;
        assert_int_equal(
            bnn_channel_mean_f32(&(bnn_channel_mean_params){.pixels = P, .c = c}, in, out), BNN_OK);
        for (int p = 0; p < P; ++p) {
            const float *x = in + p * c;
            double sum = 0, abs_sum = 0;
            for (int j = 0; j < c; ++j) {
                sum += x[j];
                abs_sum += fabs((double)x[j]);
            }
            double ref = sum / c;
            double tol =
                FLT_EPSILON * fabs(ref) + 2 * FLT_EPSILON * abs_sum / c;
            if (!same(out[p], ref_mean_kahan(x, c)) && bad++ < 3)
                fprintf(stderr, "mean c=%d p=%d: got %.9g, compensated %.9g\n",
                        c, p, (double)out[p], (double)ref_mean_kahan(x, c));
            if (!(fabs(out[p] - ref) <= tol) && bad++ < 3)
                fprintf(stderr, "mean c=%d p=%d: got %.9g, double %.17g\n", c,
                        p, (double)out[p], ref);
        }
        assert_int_equal(bad, 0);
        /* In place: the means land on the first P floats. */
        memcpy(io, in, sizeof(float) * (size_t)(P * c));
        assert_int_equal(
            bnn_channel_mean_f32(&(bnn_channel_mean_params){.pixels = P, .c = c}, io, io), BNN_OK);
        assert_memory_equal(io, out, sizeof out);
    }
}

static void test_binary_args(void **state)
{
    (void)state;
    float a[3] = {1, 2, 3}, m[1] = {2}, o[3] = {5, 5, 5};
    assert_int_equal(bnn_binary_f32(&(bnn_binary_params){.op = (bnn_binary_op)4, .n = 3}, a, a, o),
                     BNN_ARG_ERROR);
    assert_int_equal(bnn_binary_f32(&(bnn_binary_params){.op = BNN_BIN_ADD, .n = 3}, NULL, a, o),
                     BNN_ARG_ERROR);
    assert_int_equal(bnn_binary_f32(&(bnn_binary_params){.op = BNN_BIN_ADD, .n = 3}, a, NULL, o),
                     BNN_ARG_ERROR);
    assert_int_equal(bnn_binary_f32(&(bnn_binary_params){.op = BNN_BIN_ADD, .n = 3}, a, a, NULL),
                     BNN_ARG_ERROR);
    assert_int_equal(
        bnn_binary_f32(&(bnn_binary_params){.op = BNN_BIN_DIV, .n = 0}, NULL, NULL, NULL), BNN_OK);
    assert_int_equal(
        bnn_binary_pixel_f32(
            &(bnn_binary_pixel_params){.op = (bnn_binary_op)7, .pixels = 1, .c = 3}, a, m, o),
        BNN_ARG_ERROR);
    assert_int_equal(
        bnn_binary_pixel_f32(&(bnn_binary_pixel_params){.op = BNN_BIN_MUL, .pixels = -1, .c = 3}, a,
                             m, o),
        BNN_ARG_ERROR);
    assert_int_equal(
        bnn_binary_pixel_f32(&(bnn_binary_pixel_params){.op = BNN_BIN_MUL, .pixels = 1, .c = 0}, a,
                             m, o),
        BNN_ARG_ERROR);
    assert_int_equal(
        bnn_binary_pixel_f32(&(bnn_binary_pixel_params){.op = BNN_BIN_MUL, .pixels = 1, .c = 3}, a,
                             NULL, o),
        BNN_ARG_ERROR);
    assert_int_equal(
        bnn_binary_pixel_f32(&(bnn_binary_pixel_params){.op = BNN_BIN_MUL, .pixels = 1, .c = 3},
                             NULL, m, o),
        BNN_ARG_ERROR);
    assert_int_equal(
        bnn_binary_pixel_f32(&(bnn_binary_pixel_params){.op = BNN_BIN_MUL, .pixels = 1, .c = 3}, a,
                             m, NULL),
        BNN_ARG_ERROR);
    assert_int_equal(bnn_channel_mean_f32(&(bnn_channel_mean_params){.pixels = -1, .c = 3}, a, o),
                     BNN_ARG_ERROR);
    assert_int_equal(bnn_channel_mean_f32(&(bnn_channel_mean_params){.pixels = 1, .c = 0}, a, o),
                     BNN_ARG_ERROR);
    assert_int_equal(bnn_channel_mean_f32(&(bnn_channel_mean_params){.pixels = 1, .c = 3}, NULL, o),
                     BNN_ARG_ERROR);
    assert_int_equal(bnn_channel_mean_f32(&(bnn_channel_mean_params){.pixels = 1, .c = 3}, a, NULL),
                     BNN_ARG_ERROR);
    for (int i = 0; i < 3; ++i)
        assert_true(o[i] == 5.0f); /* nothing written by a rejected call */
    assert_int_equal(bnn_channel_mean_f32(&(bnn_channel_mean_params){.pixels = 0, .c = 3}, a, o),
                     BNN_OK);
    assert_true(o[0] == 5.0f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binary_mxnet_values),
        cmocka_unit_test(test_binary_exact_inplace),
        cmocka_unit_test(test_binary_pixel),
        cmocka_unit_test(test_mean_mxnet_values),
        cmocka_unit_test(test_xnor_scaling_chain),
        cmocka_unit_test(test_mean_random),
        cmocka_unit_test(test_binary_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
