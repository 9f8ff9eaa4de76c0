/*
 * test_float_dense.c - bnn_dense_f32 against a double precision
 * reference: k = 1, 15, 16, 17, 130, 512 (below, at and past the 16-lane
 * chunk), out_c below, at and past the row blocks of the variants (4 and
 * 8) and not a multiple of them, batch > 1, bias and relu, wider output
 * rows (the padding between rows must stay untouched). Every compiled-in
 * variant must give the portable kernel's results bit for bit.
 *
 * Tolerance: a float sum of k rounded products plus a bias, folded in a
 * different order than the reference; the recursive summation bound
 * (k + 2) * 2^-24 * (sum |x*w| + |bias|) holds for any order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bnn.h"
#include "bnn_float_internal.h"
#include "variant_test_util.h"

typedef bnn_status (*dense_fn)(const bnn_dense_params *, const float *, float *);

#define SENTINEL -777.0f

static unsigned rng_state;
static float frand(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((rng_state >> 8) & 0xFFFF) / 32768.0f - 1.0f;
}

static int check_dense(int n, int k, int out_c, int extra, int relu,
                       int use_bias, unsigned seed)
{
    const int rs = out_c + extra;
    float *in = malloc(sizeof(float) * (size_t)n * (size_t)k);
    float *w = malloc(sizeof(float) * (size_t)out_c * (size_t)k);
    float *bias = malloc(sizeof(float) * (size_t)out_c);
    float *out = malloc(sizeof(float) * (size_t)n * (size_t)rs);
    assert_non_null(in);
    assert_non_null(w);
    assert_non_null(bias);
    assert_non_null(out);
    rng_state = seed;
    for (int i = 0; i < n * k; ++i)
        in[i] = frand();
    for (int i = 0; i < out_c * k; ++i)
        w[i] = frand();
    for (int i = 0; i < out_c; ++i)
        bias[i] = frand();
    for (int i = 0; i < n * rs; ++i)
        out[i] = SENTINEL;
    bnn_dense_params p;
    memset(&p, 0, sizeof p);
    p.n = n;
    p.k = k;
    p.out_c = out_c;
    p.weights = w;
    p.bias = use_bias ? bias : NULL;
    p.act = relu ? BNN_ACT_RELU : BNN_ACT_NONE;
    p.out_row_stride = rs;
    assert_int_equal(bnn_dense_f32(&p, in, out), BNN_OK);
    int bad = 0;
    /* Same roundings in the same order in every variant. */
    const size_t nout = (size_t)n * (size_t)rs;
    float *out_p = malloc(sizeof(float) * nout);
    float *out_v = malloc(sizeof(float) * nout);
    assert_non_null(out_p);
    assert_non_null(out_v);
    for (size_t i = 0; i < nout; ++i)
        out_p[i] = SENTINEL;
    assert_int_equal(bnn_dense_f32__portable(&p, in, out_p), BNN_OK);
    const char *names[VT_MAX_VARIANTS];
    bnn_any_fn fns[VT_MAX_VARIANTS];
    const int nv = vt_variants("bnn_dense_f32", names, fns);
    assert_true(nv >= 1);
    for (int v = 0; v < nv; ++v) {
        for (size_t i = 0; i < nout; ++i)
            out_v[i] = SENTINEL;
        assert_int_equal(((dense_fn)fns[v])(&p, in, out_v), BNN_OK);
        if (memcmp(out_v, out_p, sizeof(float) * nout) != 0) {
            fprintf(stderr, "n%d k%d out_c%d: variant %s differs from portable\n",
                    n, k, out_c, names[v]);
            ++bad;
        }
    }
    if (memcmp(out, out_p, sizeof(float) * nout) != 0) {
        fprintf(stderr, "n%d k%d out_c%d: bnn_dense_f32 differs from portable\n",
                n, k, out_c);
        ++bad;
    }
    free(out_p);
    free(out_v);
    for (int r = 0; r < n; ++r)
        for (int o = 0; o < rs; ++o) {
            float got = out[r * rs + o];
            if (o >= out_c) {
                if (got != SENTINEL)
                    ++bad;
                continue;
            }
            double s = 0, mag = 0;
            for (int i = 0; i < k; ++i) {
                double t = (double)in[r * k + i] * w[o * k + i];
                s += t;
                mag += fabs(t);
            }
            if (use_bias) {
                s += bias[o];
                mag += fabs(bias[o]);
            }
            if (relu && s < 0)
                s = 0;
            double tol = (k + 2) * ldexp(1.0, -24) * mag + 1e-30;
            if (!(fabs(got - s) <= tol)) {
                if (bad++ < 5)
                    fprintf(stderr, "n%d k%d o%d r%d: got %.9g want %.9g\n", n,
                            k, o, r, (double)got, s);
            }
        }
    free(in);
    free(w);
    free(bias);
    free(out);
    return bad;
}

static void test_dense_shapes(void **state)
{
    (void)state;
    static const int ks[] = {1, 15, 16, 17, 130, 512};
    static const int ocs[] = {1, 3, 4, 5, 7, 8, 9, 16, 17, 23, 64};
    int bad = 0;
    unsigned seed = 7;
    for (size_t a = 0; a < sizeof ks / sizeof ks[0]; ++a)
        for (size_t b = 0; b < sizeof ocs / sizeof ocs[0]; ++b) {
            bad += check_dense(1, ks[a], ocs[b], 0, 0, 1, seed++);
            bad += check_dense(3, ks[a], ocs[b], 2, 1, 1, seed++);
            bad += check_dense(2, ks[a], ocs[b], 0, 1, 0, seed++);
        }
    bad += check_dense(1, 512, 1000, 0, 0, 1, 99u);
    assert_int_equal(bad, 0);
}

/* Exact: integers small enough that every partial sum is exact. */
static void test_dense_exact(void **state)
{
    (void)state;
    float in[20], w[3 * 20], out[3];
    const float bias[3] = {1.0f, -1000.0f, 0.5f};
    for (int i = 0; i < 20; ++i) {
        in[i] = (float)(i + 1);
        w[i] = 1.0f;
        w[20 + i] = (float)(i % 2 ? -1 : 1);
        w[40 + i] = (float)i;
    }
    bnn_dense_params p;
    memset(&p, 0, sizeof p);
    p.n = 1;
    p.k = 20;
    p.out_c = 3;
    p.weights = w;
    p.bias = bias;
    p.act = BNN_ACT_RELU;
    p.out_row_stride = 3;
    assert_int_equal(bnn_dense_f32(&p, in, out), BNN_OK);
    assert_true(out[0] == 211.0f);  /* 210 + 1 */
    assert_true(out[1] == 0.0f);    /* -10 - 1000, relu */
    assert_true(out[2] == 2660.5f); /* sum i*(i+1), i < 20 = 2660 */
    p.out_row_stride = 2;
    assert_int_equal(bnn_dense_f32(&p, in, out), BNN_ARG_ERROR);
    p.out_row_stride = 3;
    p.act = BNN_ACT_TANH;
    assert_int_equal(bnn_dense_f32(&p, in, out), BNN_ARG_ERROR);
}

/* The variants this build of the library has, for the test log. */
static void test_dense_variants_listed(void **state)
{
    (void)state;
    const char *names[VT_MAX_VARIANTS];
    int nv = vt_variants("bnn_dense_f32", names, NULL);
    assert_true(nv >= 1);
    assert_string_equal(names[0], "portable");
    for (int v = 0; v < nv; ++v)
        fprintf(stderr, "dense_f32 variant: %s\n", names[v]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dense_variants_listed),
        cmocka_unit_test(test_dense_shapes),
        cmocka_unit_test(test_dense_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
