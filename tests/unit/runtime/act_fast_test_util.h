/*
 * act_fast_test_util.h - references and checkers for bnn_exp_fast_f32,
 * bnn_act_fast_f32 (sigmoid, tanh, gelu) and bnn_softmax_fast_f32,
 * shared by the CMocka tests (test_act_fast.c, the exhaustive
 * test_act_fast_exhaustive.c) and the cross driver
 * (tests/cross/runtime_equivalence.c).
 *
 * The reference of a function at a float x is computed in double
 * precision: the libm double function where the result depends on x
 * (2^-8 <= |x| < the saturation bound), the first terms of its Taylor
 * series below 2^-8 (truncation error < 2^-60 relative), and the exact
 * limit beyond the saturation bound, where the true value rounds to it in
 * float (|x| >= 128 for exp and sigmoid, >= 16 for tanh and gelu; e.g.
 * tanh(16) = 1 - 2.5e-14 rounds to 1, -16 Phi(-16) = -1e-56 to -0).
 * Errors are in ulp of the float result at the reference: 2^(e-23) for
 * |ref| in [2^e, 2^(e+1)), 2^-149 below 2^-126. A +-inf result is right
 * when the reference rounds to it; a NaN result when the reference is NaN.
 */
#ifndef ACT_FAST_TEST_UTIL_H
#define ACT_FAST_TEST_UTIL_H

#include "bnn.h"
#include "bnn_act_fast.h"
#include "variant_test_util.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if defined(__GNUC__)
#define AF_UNUSED __attribute__((unused))
#else
#define AF_UNUSED
#endif

typedef enum { AF_EXP, AF_SIGMOID, AF_TANH, AF_GELU, AF_NUM } af_func;

static AF_UNUSED const char *const af_names[AF_NUM] = {"exp", "sigmoid", "tanh",
                                                       "gelu"};
/* The bounds bnn.h states, in ulp: gelu is within 6 ulp below -0.5 and
 * within 2 elsewhere. */
static AF_UNUSED const double af_bound[AF_NUM] = {1.0, 2.0, 2.0, 6.0};
static AF_UNUSED double af_bound_at(af_func f, float x)
{
    return f == AF_GELU && !(x < -0.5f) ? 2.0 : af_bound[f];
}

static AF_UNUSED float af_from_bits(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static AF_UNUSED uint32_t af_bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

/* e^d for |d| < 2^-8, to 2^-60 relative. */
static AF_UNUSED double af_exp_series(double d)
{
    return 1.0 + d * (1.0 + d * (1.0 / 2 + d * (1.0 / 6 + d * (1.0 / 24 +
                 d * (1.0 / 120 + d * (1.0 / 720 + d / 5040))))));
}

/* The exact function at float x, in double (see the file comment). */
static AF_UNUSED double af_ref(af_func f, float xf)
{
    const double x = xf, a = fabs(x);
    if (xf != xf)
        return NAN;
    switch (f) {
    case AF_EXP:
        if (a < 0x1p-8)
            return af_exp_series(x);
        if (a >= 128.0)
            return x > 0 ? INFINITY : 0.0;
        return exp(x);
    case AF_SIGMOID:
        if (a < 0x1p-8)
            return 1.0 / (1.0 + af_exp_series(-x));
        if (a >= 128.0)
            return x > 0 ? 1.0 : 0.0;
        return 1.0 / (1.0 + exp(-x));
    case AF_TANH:
        if (a < 0x1p-8) {
            double x2 = x * x;
            return x * (1.0 + x2 * (-1.0 / 3 + x2 * (2.0 / 15 + x2 * (-17.0 / 315 +
                        x2 * (62.0 / 2835)))));
        }
        if (a >= 16.0)
            return x > 0 ? 1.0 : -1.0;
        return tanh(x);
    case AF_GELU:
        if (a < 0x1p-8) {
            /* x Phi(x), Phi(x) = 1/2 + x/sqrt(2 pi) (1 - x^2/6 + x^4/40 - x^6/336) */
            double x2 = x * x;
            return x * (0.5 + x * 0.3989422804014327 *
                                  (1.0 + x2 * (-1.0 / 6 + x2 * (1.0 / 40 - x2 / 336))));
        }
        if (isinf(x))
            return x > 0 ? x : NAN;
        if (a >= 16.0)
            return x > 0 ? x : -0.0;
        return 0.5 * x * erfc(-x * 0.70710678118654752440);
    default:
        return NAN;
    }
}

/* Error of got against ref in float ulp (HUGE_VAL when wrong in kind). */
static AF_UNUSED double af_err_ulps(float got, double ref)
{
    double a = fabs(ref), ulp;
    int e;
    if (ref != ref)
        return got != got ? 0.0 : HUGE_VAL;
    if (got != got)
        return HUGE_VAL;
    if (isinf(got)) /* right iff ref rounds to it: |ref| >= 2^128 - 2^103 */
        return (a >= 0x1.ffffffp127 && (got > 0) == (ref > 0)) ? 0.0 : HUGE_VAL;
    if (isinf(ref))
        return HUGE_VAL;
    if (a < 0x1p-126) {
        ulp = 0x1p-149;
    } else {
        frexp(a, &e); /* a in [2^(e-1), 2^e) */
        ulp = ldexp(1.0, e - 24);
    }
    return fabs((double)got - ref) / ulp;
}

/* Equal bit for bit, or both NaN (NaN payloads may differ between
 * instruction sets). */
static AF_UNUSED int af_same(float a, float b)
{
    return (a != a && b != b) || af_bits(a) == af_bits(b);
}

typedef bnn_status (*af_act_fn)(const bnn_act_params *, const float *, float *);
typedef bnn_status (*af_exp_fn)(const bnn_eltwise_params *, const float *, float *);
typedef bnn_status (*af_softmax_fn)(const bnn_softmax_params *, const float *, float *);

/* Calls of the three kernels (any variant) with their parameters spelled
 * out. */
static AF_UNUSED bnn_status af_act(af_act_fn f, bnn_act act, float alpha, size_t n, const float *in,
                                   float *out)
{
    const bnn_act_params p = {.act = act, .alpha = alpha, .n = n};
    return f(&p, in, out);
}

static AF_UNUSED bnn_status af_exp(af_exp_fn f, size_t n, const float *in, float *out)
{
    const bnn_eltwise_params p = {.n = n};
    return f(&p, in, out);
}

static AF_UNUSED bnn_status af_softmax(af_softmax_fn f, int32_t rows, int32_t len, const float *in,
                                       float *out)
{
    const bnn_softmax_params p = {.rows = rows, .len = len};
    return f(&p, in, out);
}

/* Runs function f of variant v (index into the kernel's variant list,
 * vt_variants) on n inputs. */
static AF_UNUSED bnn_status af_run(af_func f, int v, size_t n, const float *in,
                                   float *out)
{
    static const bnn_act acts[AF_NUM] = {BNN_ACT_NONE, BNN_ACT_SIGMOID, BNN_ACT_TANH,
                                         BNN_ACT_GELU};
    const char *names[VT_MAX_VARIANTS];
    bnn_any_fn fns[VT_MAX_VARIANTS];
    if (f == AF_EXP) {
        int nv = vt_variants("bnn_exp_fast_f32", names, fns);
        return v < nv ? af_exp((af_exp_fn)fns[v], n, in, out) : BNN_ARG_ERROR;
    } else {
        int nv = vt_variants("bnn_act_fast_f32", names, fns);
        return v < nv ? af_act((af_act_fn)fns[v], acts[f], 0.0f, n, in, out) : BNN_ARG_ERROR;
    }
}

/* The variants of the three kernels, which are of one family: the same
 * count and names for each. */
static AF_UNUSED int af_num_variants(void)
{
    const char *names[VT_MAX_VARIANTS];
    int n = vt_variants("bnn_act_fast_f32", names, NULL);
    return n < 1 ? 1 : n;
}

static AF_UNUSED const char *af_variant_name(int v)
{
    const char *names[VT_MAX_VARIANTS];
    int nv = vt_variants("bnn_act_fast_f32", names, NULL);
    return v < nv ? names[v] : "?";
}

/* Special inputs every check includes. */
static AF_UNUSED const uint32_t af_special[] = {
    0x00000000u, 0x80000000u, 0x00000001u, 0x80000001u, 0x007FFFFFu, 0x807FFFFFu,
    0x00800000u, 0x80800000u, 0x7F7FFFFFu, 0xFF7FFFFFu, 0x7F800000u, 0xFF800000u,
    0x7FC00000u, 0xFFC00000u, 0x7F800001u, 0x7FBFFFFFu,
    0x42B17217u, 0x42B17218u, 0x42B17219u, /* around ln(FLT_MAX) = 88.7228 */
    0xC2CFF1B4u, 0xC2CFF1B5u, 0xC2CFF1B6u, /* around -103.97 (2^-150) */
    0xC2AEAC4Fu, 0xC2AEAC50u, 0xC2AEAC51u, /* around -87.34 (2^-126) */
    0x3F800000u, 0xBF800000u, 0x3F200000u, 0xBF200000u, /* +-1, +-0.625 */
    0x3F266666u, 0xBF266666u, 0x41100000u, 0xC1100000u, /* +-0.65, +-9 */
    0x41140000u, 0xC1140000u, 0x41680000u, 0xC1680000u, /* +-9.25, +-14.5 */
    0x41800000u, 0xC1800000u, 0x43000000u, 0xC3000000u, /* +-16, +-128 */
};
#define AF_NUM_SPECIAL (sizeof af_special / sizeof af_special[0])

/*
 * Checks f on n inputs: every variant bit-identical to portable (variant
 * 0), and portable within the stated bound. Updates *worst (largest error
 * seen) and *worst_x. Returns the number of failures, printing the first
 * few.
 */
static AF_UNUSED long af_check_block(af_func f, size_t n, const float *in, float *ref_out,
                                     float *out, double *worst, float *worst_x,
                                     double *worst_tight, long *printed)
{
    long fails = 0;
    int nv = af_num_variants(), v;
    size_t i;
    if (af_run(f, 0, n, in, ref_out) != BNN_OK)
        return 1;
    for (i = 0; i < n; ++i) {
        double e = af_err_ulps(ref_out[i], af_ref(f, in[i]));
        if (e > *worst) {
            *worst = e;
            *worst_x = in[i];
        }
        if (af_bound_at(f, in[i]) < af_bound[f] && e > *worst_tight)
            *worst_tight = e;
        if (e > af_bound_at(f, in[i])) {
            if ((*printed)++ < 5)
                fprintf(stderr, "%s(%.9g) = %.9g, reference %.9g: %.3g ulp > %g\n",
                        af_names[f], (double)in[i], (double)ref_out[i],
                        af_ref(f, in[i]), e, af_bound_at(f, in[i]));
            fails++;
        }
    }
    for (v = 1; v < nv; ++v) {
        if (af_run(f, v, n, in, out) != BNN_OK)
            return fails + 1;
        for (i = 0; i < n; ++i)
            if (!af_same(out[i], ref_out[i])) {
                if ((*printed)++ < 5)
                    fprintf(stderr, "%s %s(%.9g) = %.9g, portable %.9g\n", af_variant_name(v),
                            af_names[f], (double)in[i], (double)out[i],
                            (double)ref_out[i]);
                fails++;
            }
    }
    return fails;
}

/* The thresholds of the implementation and of float's range, around
 * which af_check_sampled tests every float in a window. */
static AF_UNUSED const float af_edges[] = {0.5f, 0.65f, 1.0f, 1.25f, 9.25f, 14.5f, 16.0f, 88.7228f,
                                           87.3365f, 103.972f, 128.0f, 0x1p-8f};

/*
 * Every function on: the special inputs, every stride-th float bit
 * pattern, and all floats within +-window patterns of each edge (both
 * signs). Returns the number of failures and prints the largest errors.
 */
static AF_UNUSED long af_check_sampled(uint32_t stride, uint32_t window)
{
    enum { CH = 4096 };
    static float in[CH], ref[CH], out[CH];
    long fails = 0, printed = 0;
    int f;
    for (f = 0; f < AF_NUM; ++f) {
        double worst = 0.0, wt = 0.0;
        float wx = 0.0f;
        size_t n = 0, e;
        uint64_t u;
        for (e = 0; e < AF_NUM_SPECIAL; ++e)
            in[n++] = af_from_bits(af_special[e]);
        fails += af_check_block((af_func)f, n, in, ref, out, &worst, &wx, &wt, &printed);
        n = 0;
        for (u = 0; u < (1ull << 32); u += stride) {
            in[n++] = af_from_bits((uint32_t)u);
            if (n == CH) {
                fails += af_check_block((af_func)f, n, in, ref, out, &worst, &wx, &wt, &printed);
                n = 0;
            }
        }
        for (e = 0; e < sizeof af_edges / sizeof af_edges[0]; ++e) {
            int sgn;
            for (sgn = 0; sgn < 2; ++sgn) {
                uint32_t c = af_bits(af_edges[e]) | (sgn ? 0x80000000u : 0u), k;
                for (k = 0; k < 2 * window; ++k) {
                    in[n++] = af_from_bits(c - window + k);
                    if (n == CH) {
                        fails += af_check_block((af_func)f, n, in, ref, out, &worst,
                                                &wx, &wt, &printed);
                        n = 0;
                    }
                }
            }
        }
        if (n)
            fails += af_check_block((af_func)f, n, in, ref, out, &worst, &wx, &wt, &printed);
        printf("%-8s sampled: max error %.4f ulp at %.9g (bound %g)", af_names[f], worst,
               (double)wx, af_bound[f]);
        if (f == AF_GELU)
            printf(", %.4f ulp for x >= -0.5 (bound 2)", wt);
        printf("\n");
    }
    return fails;
}

/* Softmax of one row in double, and the bound the float kernel must meet
 * at each element: the exponential's argument x_i - max is rounded
 * (relative effect |x_i - max| 2^-24 on e^(x_i - max), as in any float
 * softmax), the exponential is within 1 ulp, the 16-lane sum within
 * (len/16 + 4) rounding steps, the division 0.5 ulp. */
static AF_UNUSED double af_softmax_tol(double ref, double arg, int32_t len)
{
    return fabs(ref) * 0x1p-23 * (4.0 + (double)len / 16.0 + 4.0 + fabs(arg)) + 0x1p-149;
}

/*
 * Softmax: every variant bit-identical to portable (rows of every length
 * 1..70 and a row of 1000, in place and not), portable within
 * af_softmax_tol of a double reference, rows holding NaN or +inf all NaN.
 */
static AF_UNUSED long af_check_softmax(uint32_t seed)
{
    enum { MAXL = 1000, ROWS = 3 };
    static float in[ROWS * MAXL], ref[ROWS * MAXL], out[ROWS * MAXL];
    bnn_any_fn afns[VT_MAX_VARIANTS];
    af_softmax_fn fns[VT_MAX_VARIANTS];
    const char *names[VT_MAX_VARIANTS];
    int nv = vt_variants("bnn_softmax_fast_f32", names, afns), v;
    long fails = 0;
    int32_t len;
    if (nv < 1)
        return 1;
    for (v = 0; v < nv; ++v)
        fns[v] = (af_softmax_fn)afns[v];
    for (len = 1; len <= MAXL; len = len < 70 ? len + 1 : MAXL + (len == MAXL)) {
        int32_t i, r, n = ROWS * len;
        for (i = 0; i < n; ++i) {
            seed = seed * 1664525u + 1013904223u;
            in[i] = (float)((int32_t)(seed >> 8) - (1 << 23)) * 0x1p-19f; /* +-16 */
        }
        if (len > 3) {
            in[len + 1] = NAN;            /* row 1 */
            in[2 * len + 2] = INFINITY;   /* row 2 */
        }
        if (af_softmax(fns[0], ROWS, len, in, ref) != BNN_OK)
            return fails + 1;
        for (v = 0; v < nv && len == 1; ++v)
            fails += fns[v](NULL, in, out) != BNN_ARG_ERROR;
        for (r = 0; r < ROWS; ++r) {
            const float *x = in + r * len, *y = ref + r * len;
            double m = x[0], sum = 0.0;
            int bad = 0;
            for (i = 0; i < len; ++i) {
                bad |= x[i] != x[i] || isinf(x[i]);
                m = x[i] > m ? x[i] : m;
            }
            for (i = 0; i < len; ++i)
                sum += exp((double)x[i] - m);
            for (i = 0; i < len; ++i) {
                double want = exp((double)x[i] - m) / sum;
                int ok = bad ? y[i] != y[i]
                             : fabs((double)y[i] - want) <=
                                   af_softmax_tol(want, (double)x[i] - m, len);
                if (!ok) {
                    if (fails < 5)
                        fprintf(stderr, "softmax len %d row %d [%d] = %.9g, want %.9g\n",
                                (int)len, (int)r, (int)i, (double)y[i], want);
                    fails++;
                }
            }
        }
        for (v = 1; v < nv; ++v) {
            int inplace;
            for (inplace = 0; inplace < 2; ++inplace) {
                if (inplace)
                    memcpy(out, in, (size_t)n * sizeof(float));
                if (af_softmax(fns[v], ROWS, len, inplace ? out : in, out) != BNN_OK)
                    return fails + 1;
                for (i = 0; i < n; ++i)
                    if (!af_same(out[i], ref[i])) {
                        if (fails < 5)
                            fprintf(stderr, "softmax %s len %d [%d] = %.9g, portable %.9g\n",
                                    names[v], (int)len, (int)i, (double)out[i],
                                    (double)ref[i]);
                        fails++;
                    }
            }
        }
    }
    return fails;
}

/*
 * Lengths 0..40 of every activation bnn_act_fast_f32 takes, in place and
 * not: variants equal to portable, nothing written past n; the exact
 * activations equal to bnn_act_f32; the others rejected by every variant.
 */
static AF_UNUSED long af_check_lengths(void)
{
    enum { N = 48 };
    static const bnn_act ok[] = {BNN_ACT_NONE,     BNN_ACT_RELU,  BNN_ACT_SIGMOID,
                                 BNN_ACT_TANH,     BNN_ACT_SOFTSIGN, BNN_ACT_LEAKY,
                                 BNN_ACT_GELU};
    static const bnn_act rejected[] = {BNN_ACT_SOFTRELU, BNN_ACT_ELU, BNN_ACT_SELU,
                                       (bnn_act)99};
    float in[N], ref[N + 1], out[N + 1], exact[N];
    const char *names[VT_MAX_VARIANTS];
    bnn_any_fn any[VT_MAX_VARIANTS];
    af_act_fn fns[VT_MAX_VARIANTS];
    af_exp_fn efns[VT_MAX_VARIANTS];
    int nv = vt_variants("bnn_act_fast_f32", names, any), v;
    long fails = 0;
    size_t a, n, i;
    if (nv < 1 || vt_variants("bnn_exp_fast_f32", names, NULL) != nv)
        return 1;
    for (v = 0; v < nv; ++v)
        fns[v] = (af_act_fn)any[v];
    (void)vt_variants("bnn_exp_fast_f32", names, any);
    for (v = 0; v < nv; ++v)
        efns[v] = (af_exp_fn)any[v];
    for (i = 0; i < N; ++i)
        in[i] = (float)((int)(i * 37 % 29) - 14) * 0.37f;
    in[3] = NAN;
    in[5] = -0.0f;
    in[7] = INFINITY;
    in[8] = -INFINITY;
    for (a = 0; a < sizeof ok / sizeof ok[0]; ++a)
        for (n = 0; n <= 40; ++n) {
            ref[n] = out[n] = 12345.0f;
            if (af_act(fns[0], ok[a], 0.25f, n, in, ref) != BNN_OK) {
                fprintf(stderr, "act %d n %d rejected\n", (int)ok[a], (int)n);
                fails++;
            }
            if (ok[a] == BNN_ACT_NONE || ok[a] == BNN_ACT_RELU || ok[a] == BNN_ACT_LEAKY ||
                ok[a] == BNN_ACT_SOFTSIGN) {
                bnn_act_f32(&(bnn_act_params){.act = ok[a], .alpha = 0.25f, .n = n}, in, exact);
                for (i = 0; i < n; ++i)
                    if (!af_same(ref[i], exact[i])) {
                        fprintf(stderr, "act %d [%d]: %.9g, bnn_act_f32 %.9g\n", (int)ok[a],
                                (int)i, (double)ref[i], (double)exact[i]);
                        fails++;
                    }
            }
            for (v = 0; v < nv; ++v) {
                memcpy(out, in, n * sizeof(float));
                if (af_act(fns[v], ok[a], 0.25f, n, out, out) != BNN_OK) /* in place */
                    fails++;
                for (i = 0; i < n; ++i)
                    fails += !af_same(out[i], ref[i]);
                fails += out[n] != 12345.0f || ref[n] != 12345.0f;
                if (a == 0) { /* exp, once per length */
                    float e0[N + 1], e1[N + 1];
                    e0[n] = e1[n] = 12345.0f;
                    af_exp(efns[0], n, in, e0);
                    af_exp(efns[v], n, in, e1);
                    for (i = 0; i < n; ++i)
                        fails += !af_same(e0[i], e1[i]);
                    fails += e1[n] != 12345.0f;
                }
            }
        }
    for (v = 0; v < nv; ++v) {
        for (a = 0; a < sizeof rejected / sizeof rejected[0]; ++a)
            fails += af_act(fns[v], rejected[a], 0.0f, 4, in, out) != BNN_ARG_ERROR;
        fails += af_act(fns[v], BNN_ACT_TANH, 0.0f, 4, NULL, out) != BNN_ARG_ERROR;
        fails += af_act(fns[v], BNN_ACT_TANH, 0.0f, 4, in, NULL) != BNN_ARG_ERROR;
        fails += af_act(fns[v], BNN_ACT_TANH, 0.0f, 0, NULL, NULL) != BNN_OK;
        fails += af_exp(efns[v], 4, NULL, out) != BNN_ARG_ERROR;
        fails += fns[v](NULL, in, out) != BNN_ARG_ERROR;
        fails += efns[v](NULL, in, out) != BNN_ARG_ERROR;
    }
    /* the public function is one of the variants */
    fails += af_act(fns[0], BNN_ACT_TANH, 0.0f, 40, in, ref) != BNN_OK;
    fails += bnn_act_fast_f32(&(bnn_act_params){.act = BNN_ACT_TANH, .alpha = 0.0f, .n = 40}, in,
                              out) != BNN_OK;
    for (i = 0; i < 40; ++i)
        fails += !af_same(out[i], ref[i]);
    if (fails)
        fprintf(stderr, "act_fast lengths: %ld failures\n", fails);
    return fails;
}

#endif
