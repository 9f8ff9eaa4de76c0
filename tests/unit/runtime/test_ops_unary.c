/*
 * test_ops_unary.c - bnn_unary_f32: abs, sign, clip, max/min with a
 * scalar, power and reverse division by a scalar.
 *
 * Exact (bit for bit, including the sign of zero) for abs, sign, clip,
 * max, min and rdiv: each is a comparison, a copy or one IEEE division,
 * and a float division equals the double quotient of the same two floats
 * rounded to float (53 >= 2*24 + 2 bits, so the double rounding is
 * harmless). pow: relative error <= 2 FLT_EPSILON against double pow of
 * the same float operands (powf is within 1 ulp on common libms; glibc's
 * is what MXNet calls, so on glibc the recorded values match exactly).
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

/* Equal as floats, NaN == NaN (any sign or payload), sign of zero kept. */
static int same(float a, float b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return a == b && !signbit(a) == !signbit(b);
}

/* |got - want| <= ulps * FLT_EPSILON * |want|; NaN, zero and infinite
 * wants must match exactly. */
static int near_rel(float got, double want, double ulps)
{
    if (isnan(want) || want == 0.0 || isinf(want))
        return same(got, (float)want);
    return fabs((double)got - want) <= ulps * FLT_EPSILON * fabs(want);
}

/*
 * Recorded from MXNet 1.9.1 (CPU, numpy 1.23.5) with
 *   x = mx.nd.array([nan, -0.0, 0.0, -1.5, 2.5, inf, -inf, 1e-45, -3.0, 0.7])
 * and the expression in the comment of each row (mx.nd.abs, mx.nd.sign,
 * mx.nd.clip, mx.nd._internal._maximum_scalar / _minimum_scalar /
 * _power_scalar / _rdiv_scalar). The scalar is passed as MXNet casts it,
 * (float)scalar. Identical with MXNET_MKLDNN_ENABLED=0 and =1.
 */
enum { NX = 10 };
static const float mx_x[NX] = {NAN, -0.0f, 0.0f, -1.5f, 2.5f, INFINITY,
                               -INFINITY, 1e-45f, -3.0f, 0.7f};
typedef struct {
    bnn_unary_op op;
    float a, b;
    float want[NX];
} mx_row;
static const mx_row mx_rows[] = {
    /* abs(x) */
    {BNN_UN_ABS, 0.0f, 0.0f,
     {NAN, 0.0f, 0.0f, 1.5f, 2.5f, INFINITY, INFINITY, 1.40129846e-45f, 3.0f,
      0.699999988f}},
    /* sign(x) */
    {BNN_UN_SIGN, 0.0f, 0.0f,
     {0.0f, 0.0f, 0.0f, -1.0f, 1.0f, 1.0f, -1.0f, 1.0f, -1.0f, 1.0f}},
    /* clip(x, -1, 2) */
    {BNN_UN_CLIP, -1.0f, 2.0f,
     {NAN, -0.0f, 0.0f, -1.0f, 2.0f, 2.0f, -1.0f, 1.40129846e-45f, -1.0f,
      0.699999988f}},
    /* clip(x, 0, 1) */
    {BNN_UN_CLIP, 0.0f, 1.0f,
     {NAN, -0.0f, 0.0f, 0.0f, 1.0f, 1.0f, 0.0f, 1.40129846e-45f, 0.0f,
      0.699999988f}},
    /* clip(x, 2, 1) */
    {BNN_UN_CLIP, 2.0f, 1.0f,
     {NAN, 2.0f, 2.0f, 2.0f, 1.0f, 1.0f, 2.0f, 2.0f, 2.0f, 2.0f}},
    /* _maximum_scalar(x, scalar=0) */
    {BNN_UN_MAX_S, 0.0f, 0.0f,
     {NAN, 0.0f, 0.0f, 0.0f, 2.5f, INFINITY, 0.0f, 1.40129846e-45f, 0.0f,
      0.699999988f}},
    /* _maximum_scalar(x, scalar=-0.0) */
    {BNN_UN_MAX_S, -0.0f, 0.0f,
     {NAN, -0.0f, -0.0f, -0.0f, 2.5f, INFINITY, -0.0f, 1.40129846e-45f, -0.0f,
      0.699999988f}},
    /* _maximum_scalar(x, scalar=nan) */
    {BNN_UN_MAX_S, NAN, 0.0f,
     {NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN}},
    /* _minimum_scalar(x, scalar=0) */
    {BNN_UN_MIN_S, 0.0f, 0.0f,
     {NAN, 0.0f, 0.0f, -1.5f, 0.0f, 0.0f, -INFINITY, 0.0f, -3.0f, 0.0f}},
    /* _minimum_scalar(x, scalar=-0.0) */
    {BNN_UN_MIN_S, -0.0f, 0.0f,
     {NAN, -0.0f, -0.0f, -1.5f, -0.0f, -0.0f, -INFINITY, -0.0f, -3.0f, -0.0f}},
    /* _minimum_scalar(x, scalar=1) */
    {BNN_UN_MIN_S, 1.0f, 0.0f,
     {NAN, -0.0f, 0.0f, -1.5f, 1.0f, 1.0f, -INFINITY, 1.40129846e-45f, -3.0f,
      0.699999988f}},
    /* _power_scalar(x, scalar=2) */
    {BNN_UN_POW_S, 2.0f, 0.0f,
     {NAN, 0.0f, 0.0f, 2.25f, 6.25f, INFINITY, INFINITY, 0.0f, 9.0f,
      0.48999998f}},
    /* _power_scalar(x, scalar=3) */
    {BNN_UN_POW_S, 3.0f, 0.0f,
     {NAN, -0.0f, 0.0f, -3.375f, 15.625f, INFINITY, -INFINITY, 0.0f, -27.0f,
      0.342999995f}},
    /* _power_scalar(x, scalar=0.5) */
    {BNN_UN_POW_S, 0.5f, 0.0f,
     {NAN, 0.0f, 0.0f, NAN, 1.58113885f, INFINITY, INFINITY, 3.74339207e-23f,
      NAN, 0.836660028f}},
    /* _power_scalar(x, scalar=-1) */
    {BNN_UN_POW_S, -1.0f, 0.0f,
     {NAN, -INFINITY, INFINITY, -0.666666687f, 0.400000006f, 0.0f, -0.0f,
      INFINITY, -0.333333343f, 1.42857146f}},
    /* _power_scalar(x, scalar=0) */
    {BNN_UN_POW_S, 0.0f, 0.0f,
     {1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f}},
    /* _power_scalar(x, scalar=1/3) */
    {BNN_UN_POW_S, 0.333333343f, 0.0f,
     {NAN, 0.0f, 0.0f, NAN, 1.35720885f, INFINITY, INFINITY, 1.11903354e-15f,
      NAN, 0.887903988f}},
    /* _rdiv_scalar(x, scalar=1) */
    {BNN_UN_RDIV_S, 1.0f, 0.0f,
     {NAN, -INFINITY, INFINITY, -0.666666687f, 0.400000006f, 0.0f, -0.0f,
      INFINITY, -0.333333343f, 1.42857146f}},
    /* _rdiv_scalar(x, scalar=-2) */
    {BNN_UN_RDIV_S, -2.0f, 0.0f,
     {NAN, INFINITY, -INFINITY, 1.33333337f, -0.800000012f, -0.0f, 0.0f,
      -INFINITY, 0.666666687f, -2.85714293f}},
    /* _rdiv_scalar(x, scalar=0) */
    {BNN_UN_RDIV_S, 0.0f, 0.0f,
     {NAN, NAN, NAN, -0.0f, 0.0f, 0.0f, -0.0f, 0.0f, -0.0f, 0.0f}},
    /* _rdiv_scalar(x, scalar=0.1) */
    {BNN_UN_RDIV_S, 0.100000001f, 0.0f,
     {NAN, -INFINITY, INFINITY, -0.0666666701f, 0.0399999991f, 0.0f, -0.0f,
      INFINITY, -0.0333333351f, 0.142857149f}},
};

static void test_unary_mxnet_values(void **state)
{
    (void)state;
    float out[NX];
    int bad = 0;
    for (size_t r = 0; r < sizeof mx_rows / sizeof mx_rows[0]; ++r) {
        const mx_row *m = &mx_rows[r];
        assert_int_equal(
            bnn_unary_f32(&(bnn_unary_params){.op = m->op, .a = m->a, .b = m->b, .n = NX}, mx_x,
                          out),
            BNN_OK);
        for (int i = 0; i < NX; ++i) {
            int ok = m->op == BNN_UN_POW_S ? near_rel(out[i], m->want[i], 2)
                                           : same(out[i], m->want[i]);
            if (!ok && bad++ < 10)
                fprintf(stderr,
                        "row %zu op %d a=%g x=%g: got %.9g want %.9g\n",
                        r, (int)m->op, (double)m->a, (double)mx_x[i],
                        (double)out[i], (double)m->want[i]);
        }
    }
    assert_int_equal(bad, 0);
}

/* The definitions of bnn_ops.h written out again, for random inputs with
 * zeros, NaNs and infinities mixed in. */
static float ref_exact(bnn_unary_op op, float a, float b, float x)
{
    switch (op) {
    case BNN_UN_ABS: return x < 0 || (x == 0 && signbit(x)) ? -x : x;
    case BNN_UN_SIGN: return x < 0 ? -1.0f : x > 0 ? 1.0f : 0.0f;
    case BNN_UN_CLIP: return x > b ? b : x < a ? a : x;
    case BNN_UN_MAX_S: return isnan(x) ? x : x > a ? x : a;
    case BNN_UN_MIN_S: return isnan(x) ? x : x < a ? x : a;
    case BNN_UN_RDIV_S: return (float)((double)a / (double)x);
    default: return NAN;
    }
}

static void fill_special(float *v, int n, float scale)
{
    static const float sp[] = {0.0f, -0.0f, NAN, INFINITY, -INFINITY,
                               1.0f, -1.0f, FLT_MIN, -FLT_MAX};
    for (int i = 0; i < n; ++i)
        v[i] = (i % 7 == 3) ? sp[(i / 7) % 9] : frand() * scale;
}

static void test_unary_exact_random(void **state)
{
    (void)state;
    enum { N = 1003 };
    static float in[N], out[N], io[N];
    static const bnn_unary_op ops[] = {BNN_UN_ABS, BNN_UN_SIGN, BNN_UN_CLIP,
                                       BNN_UN_MAX_S, BNN_UN_MIN_S,
                                       BNN_UN_RDIV_S};
    static const float sa[][2] = {{-0.5f, 0.75f}, {0.0f, 6.0f}, {-0.0f, 1.0f},
                                  {3.0f, -3.0f}, {NAN, 1.0f}, {1.0f, NAN},
                                  {-INFINITY, INFINITY}, {0.3f, 0.3f}};
    rng_state = 11;
    fill_special(in, N, 4.0f);
    for (size_t o = 0; o < sizeof ops / sizeof ops[0]; ++o)
        for (size_t s = 0; s < sizeof sa / sizeof sa[0]; ++s) {
            float a = sa[s][0], b = sa[s][1];
            int bad = 0;
            assert_int_equal(
                bnn_unary_f32(&(bnn_unary_params){.op = ops[o], .a = a, .b = b, .n = N}, in, out),
                BNN_OK);
            memcpy(io, in, sizeof in);
            assert_int_equal(
                bnn_unary_f32(&(bnn_unary_params){.op = ops[o], .a = a, .b = b, .n = N}, io, io),
                BNN_OK);
            for (int i = 0; i < N; ++i) {
                float want = ref_exact(ops[o], a, b, in[i]);
                if ((!same(out[i], want) || !same(io[i], want)) && bad++ < 3)
                    fprintf(stderr,
                            "op %d a=%g b=%g x=%.9g: got %.9g want %.9g\n",
                            (int)ops[o], (double)a, (double)b, (double)in[i],
                            (double)out[i], (double)want);
            }
            assert_int_equal(bad, 0);
        }
}

/* Results that follow from the definitions alone. */
static void test_unary_specifics(void **state)
{
    (void)state;
    float y[4];
    /* sign never copies the sign bit: -0.0 and NaN give +0. */
    const float z[4] = {-0.0f, NAN, -NAN, FLT_TRUE_MIN};
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = BNN_UN_SIGN, .a = 0, .b = 0, .n = 4}, z, y),
        BNN_OK);
    assert_true(same(y[0], 0.0f) && same(y[1], 0.0f) && same(y[2], 0.0f));
    assert_true(y[3] == 1.0f);
    /* abs clears the sign of NaN too. */
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = BNN_UN_ABS, .a = 0, .b = 0, .n = 4}, z, y), BNN_OK);
    assert_true(same(y[0], 0.0f) && isnan(y[2]) && !signbit(y[2]));
    /* clip keeps -0.0 when 0 is the lower bound, and NaN bounds are never
     * taken. */
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = BNN_UN_CLIP, .a = 0.0f, .b = 1.0f, .n = 1}, z, y),
        BNN_OK);
    assert_true(same(y[0], -0.0f));
    const float w[3] = {-5.0f, 0.5f, 5.0f};
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = BNN_UN_CLIP, .a = NAN, .b = NAN, .n = 3}, w, y),
        BNN_OK);
    assert_true(y[0] == -5.0f && y[1] == 0.5f && y[2] == 5.0f);
    /* (-2)^3 = -8, (-2)^0.5 = NaN, 0^-1 = inf, x^1 = x. */
    const float m2[1] = {-2.0f};
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = BNN_UN_POW_S, .a = 3.0f, .b = 0, .n = 1}, m2, y),
        BNN_OK);
    assert_true(y[0] == -8.0f);
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = BNN_UN_POW_S, .a = 0.5f, .b = 0, .n = 1}, m2, y),
        BNN_OK);
    assert_true(isnan(y[0]));
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = BNN_UN_POW_S, .a = -1.0f, .b = 0, .n = 1}, z, y),
        BNN_OK);
    assert_true(y[0] == -INFINITY);
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = BNN_UN_POW_S, .a = 1.0f, .b = 0, .n = 3}, w, y),
        BNN_OK);
    assert_true(y[0] == -5.0f && y[1] == 0.5f && y[2] == 5.0f);
    /* rdiv: a / +-0 is +-inf, 0 / 0 is NaN. */
    const float zz[2] = {0.0f, -0.0f};
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = BNN_UN_RDIV_S, .a = 3.0f, .b = 0, .n = 2}, zz, y),
        BNN_OK);
    assert_true(y[0] == INFINITY && y[1] == -INFINITY);
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = BNN_UN_RDIV_S, .a = 0.0f, .b = 0, .n = 2}, zz, y),
        BNN_OK);
    assert_true(isnan(y[0]) && isnan(y[1]));
}

/* pow against double pow of the same float operands. */
static void test_unary_pow_tolerance(void **state)
{
    (void)state;
    enum { N = 2000 };
    static float in[N], out[N];
    static const float exps[] = {0.5f, 1.0f / 3.0f, 2.0f, 3.0f, -1.5f, 2.2f,
                                 0.1f, -2.0f, 7.0f};
    rng_state = 23;
    for (int i = 0; i < N; ++i)
        in[i] = (frand() + 1.0f) * 4.0f + 1e-3f; /* (0, 8] */
    for (size_t e = 0; e < sizeof exps / sizeof exps[0]; ++e) {
        float a = exps[e];
        int bad = 0;
        int integral = a == floorf(a);
        /* Integral exponents: negative bases too. */
        if (integral)
            for (int i = 0; i < N; i += 2)
                in[i] = -in[i];
        assert_int_equal(
            bnn_unary_f32(&(bnn_unary_params){.op = BNN_UN_POW_S, .a = a, .b = 0, .n = N}, in, out),
            BNN_OK);
        for (int i = 0; i < N; ++i) {
            double want = pow((double)in[i], (double)a);
            if (!near_rel(out[i], want, 2) && bad++ < 3)
                fprintf(stderr, "pow(%.9g, %.9g): got %.9g want %.17g\n",
                        (double)in[i], (double)a, (double)out[i], want);
        }
        assert_int_equal(bad, 0);
        if (integral)
            for (int i = 0; i < N; i += 2)
                in[i] = -in[i];
    }
}

/* ROUND (TFLite): hand values from its definition (halves to even; -0.4
 * and -0.5 give +0.0, the floor -1 plus one), then random values against
 * C's rint under the default rounding mode, which also takes halves to
 * the even neighbour (the sign of a zero result aside), on either side of
 * 2^23, where floats stop having a fraction. */
static void test_unary_round(void **state)
{
    static const float x[] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 3.5f, -3.5f,
                              0.49999997f, -0.4f, -0.0f, 0.0f, 2.4999998f, 2.5000002f,
                              8388607.5f, 8388609.0f, -8388609.0f, 1e30f,
                              INFINITY, -INFINITY, NAN, 0.6666667f, 2.0f, -7.0f};
    static const float want[] = {0.0f, 2.0f, 2.0f, 0.0f, -2.0f, -2.0f, 4.0f, -4.0f,
                                 0.0f, 0.0f, -0.0f, 0.0f, 2.0f, 3.0f,
                                 8388608.0f, 8388609.0f, -8388609.0f, 1e30f,
                                 INFINITY, -INFINITY, NAN, 1.0f, 2.0f, -7.0f};
    enum { NH = sizeof x / sizeof x[0], N = 4000 };
    static float in[N], out[N];
    float o[NH];
    (void)state;
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = BNN_UN_ROUND, .n = NH}, x, o), BNN_OK);
    for (int i = 0; i < NH; ++i) {
        if (!same(o[i], want[i]))
            fprintf(stderr, "round(%.9g) = %.9g, want %.9g\n", (double)x[i], (double)o[i],
                    (double)want[i]);
        assert_true(same(o[i], want[i]));
    }
    rng_state = 5;
    for (int i = 0; i < N; ++i)
        in[i] = i % 4 == 0 ? (float)(i / 4 - 500) * 0.5f
                           : frand() * (i % 4 == 1 ? 10.0f : i % 4 == 2 ? 1e7f : 1e3f);
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = BNN_UN_ROUND, .n = N}, in, out), BNN_OK);
    for (int i = 0; i < N; ++i)
        assert_true(out[i] == rintf(in[i]));
}

static void test_unary_args(void **state)
{
    (void)state;
    float v[2] = {1.0f, 2.0f}, o[2] = {7.0f, 7.0f};
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = (bnn_unary_op)99, .a = 0, .b = 0, .n = 2}, v, o),
        BNN_ARG_ERROR);
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = (bnn_unary_op)-1, .a = 0, .b = 0, .n = 2}, v, o),
        BNN_ARG_ERROR);
    assert_true(o[0] == 7.0f && o[1] == 7.0f); /* nothing written */
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = BNN_UN_ABS, .a = 0, .b = 0, .n = 2}, NULL, o),
        BNN_ARG_ERROR);
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = BNN_UN_ABS, .a = 0, .b = 0, .n = 2}, v, NULL),
        BNN_ARG_ERROR);
    /* n == 0 touches nothing, so NULL is fine. */
    assert_int_equal(
        bnn_unary_f32(&(bnn_unary_params){.op = BNN_UN_POW_S, .a = 2, .b = 0, .n = 0}, NULL, NULL),
        BNN_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unary_mxnet_values),
        cmocka_unit_test(test_unary_exact_random),
        cmocka_unit_test(test_unary_specifics),
        cmocka_unit_test(test_unary_pow_tolerance),
        cmocka_unit_test(test_unary_round),
        cmocka_unit_test(test_unary_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
