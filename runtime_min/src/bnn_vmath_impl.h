/*
 * bnn_vmath_impl.h - exp, sigmoid, tanh and GELU in float arithmetic
 * without libm, written once for every kernel variant.
 *
 * This is a template without include guard. A kernel file defines the
 * vector vocabulary below for its instruction set (portable C: one float
 * per "vector"), includes this file, and gets static inline functions
 * VM_FN(exp), VM_FN(sigmoid), VM_FN(tanh), VM_FN(gelu) of one VM_F. Every
 * variant performs the same IEEE operations, each rounded once, in the
 * same order (no fused multiply-add: the runtime is built with
 * -ffp-contract=off), so all variants give bit-identical results; the
 * error bounds proven for the portable instance (exhaustive test,
 * tests/unit/runtime/test_act_fast_exhaustive.c) hold for every variant.
 *
 *   VM_F, VM_U, VM_M      vector of float, of uint32, of comparison results
 *   VM_FN(name)           name of a generated function (suffix per ISA)
 *   vm_f(c), vm_u(c)      broadcast a float / uint32 constant
 *   vm_add(a, b), vm_sub, vm_mul, vm_div      IEEE float operations
 *   vm_lt(a, b), vm_gt(a, b)    ordered compares (false when a NaN is in)
 *   vm_sel(m, a, b)       per lane m ? a : b
 *   vm_bits(x), vm_float(u)     reinterpret float <-> uint32
 *   vm_uadd(a, b), vm_and(a, b), vm_or(a, b)     uint32 operations
 *   vm_shl23(u)           u << 23 (uint32, high bits lost)
 *
 * The file #undefs all of them at its end, so the next instance can
 * define its own. Constants are defined once (BNN_VM_* macros).
 *
 * Error bounds against the exact function, in units in the last place of
 * the float result (subnormal results in units of 2^-149), proven for
 * every float input by tests/unit/runtime/test_act_fast_exhaustive.c
 * (largest error seen in brackets):
 *   exp      <= 1 ulp  (0.78)  +inf above 88.72, 0 below -103.98
 *   sigmoid  <= 2 ulp  (1.97)
 *   tanh     <= 2 ulp  (1.33)
 *   gelu     <= 6 ulp  (5.40)  for x < -0.5: the product of e^(-x^2/2)
 *                              and a fitted polynomial, each factor and
 *                              product rounded; <= 2 ulp (1.90) elsewhere.
 *                              (MXNet's float formula 0.5 x (1 + erf(x /
 *                              sqrt 2)) loses all relative accuracy for
 *                              x < -5, where 1 + erf cancels.)
 * NaN gives NaN; +-inf give the limits (gelu(-inf) is NaN, as MXNet's
 * formula).
 *
 * Against the libm kernels (bnn_act_f32's float formulas, expf), which
 * the compiler used for tanh, sigmoid and softmax before it selected
 * these: tanh <= 3 ulp, exp <= 2 ulp, sigmoid <= 4 ulp where both results
 * are normal (MXNet's 1 / (1 + expf(-x)) rounds three times, and below
 * 2^-126 loses its relative accuracy); measured 2, 1 and 3 ulp with
 * glibc 2.36 (tests/unit/runtime/test_act_fast.c, test_against_libm).
 */
#if !defined(VM_F) || !defined(VM_FN)
#error "bnn_vmath_impl.h: define the vector vocabulary first"
#endif

#ifndef BNN_VM_LOG2E
#define BNN_VM_LOG2E 1.44269502f    /* log2(e) rounded to float */
#define BNN_VM_LN2_HI 0.693359375f  /* 355/512: k * LN2_HI is exact */
#define BNN_VM_LN2_LO -2.12194440e-4f /* ln 2 - LN2_HI */
#define BNN_VM_MAGIC 12582912.0f    /* 1.5 * 2^23: (t + MAGIC) - MAGIC
                                     * rounds |t| < 2^22 to an integer */
#define BNN_VM_MAGIC_BITS 0x4B400000u
#define BNN_VM_EXP_LO -104.0f /* e^x < 2^-150 below: the result rounds to 0 */
#define BNN_VM_EXP_HI 89.0f   /* e^x > FLT_MAX above */
/* (e^r - 1 - r) / r^2 on |r| <= ln(2)/2: near-minimax (Chebyshev) fit,
 * relative error 1e-8 with the coefficients rounded to float. */
#define BNN_VM_E7 1.98912690e-4f
#define BNN_VM_E6 1.39339000e-3f
#define BNN_VM_E5 8.33331048e-3f
#define BNN_VM_E4 4.16664630e-2f
#define BNN_VM_E3 1.66666672e-1f
#define BNN_VM_E2 0.5f
/* tanh: x + x^3 * P(x^2) for |x| < TANH_T (Chebyshev fit of
 * (tanh(s) - s) / s^3 in u = s^2 on [0, 1], relative error 7e-8), else
 * 1 - 2 / (e^(2|x|) + 1) with the sign of x; |x| is capped at TANH_CAP,
 * beyond which tanh rounds to 1. */
#define BNN_VM_TANH_T 1.0f
#define BNN_VM_TANH_CAP 9.25f
#define BNN_VM_T8 1.42793186e-4f
#define BNN_VM_T7 -9.23500862e-4f
#define BNN_VM_T6 3.20680346e-3f
#define BNN_VM_T5 -8.69784784e-3f
#define BNN_VM_T4 2.18295492e-2f
#define BNN_VM_T3 -5.39634153e-2f
#define BNN_VM_T2 1.33333102e-1f
#define BNN_VM_T1 -3.33333343e-1f
/* GELU(x) = x * Phi(x), Phi the standard normal CDF:
 *   |x| < GELU_A (x < 0) or GELU_A2 (x >= 0):  Phi(x) = 1/2 + x S(x^2),
 *                  S a Chebyshev fit of (Phi(s) - 1/2) / s in u = s^2 on
 *                  [0, GELU_A2^2] (relative error 1e-10);
 *   otherwise:     Phi(-|x|) = q = e^(-x^2/2) t K(t), t = 1 / (1 + |x|/2),
 *                  K a Chebyshev fit of Phi(-s) e^(s^2/2) / t on the t of
 *                  [GELU_A, GELU_CAP] (relative error 3e-9), and
 *                  Phi(x) = q (x < 0) or 1 - q (x >= 0).
 * (1/2 - |x| S cancels too much beyond GELU_A; 1 - q is accurate
 * beyond GELU_A2 = 1.25, where q < 0.11.)
 * x^2 is split into p + err exactly (Dekker's product; Veltkamp's split
 * by 4097 needs no fused multiply-add), and e^(-x^2/2) is computed as
 * e^(-p/2 - err/2) (exp_lo): a rounded x^2 alone would be off by
 * x^2/2 * 2^-24 in the exponent, many ulp at |x| = 10. |x| is capped at
 * GELU_CAP, where q (and so GELU of a negative x) is below 2^-150. */
#define BNN_VM_GELU_A 0.65f
#define BNN_VM_GELU_A2 1.25f
#define BNN_VM_GELU_CAP 14.5f
#define BNN_VM_GS6 4.76927880e-7f
#define BNN_VM_GS5 -9.06247169e-6f
#define BNN_VM_GS4 1.15039315e-4f
#define BNN_VM_GS3 -1.18711544e-3f
#define BNN_VM_GS2 9.97350179e-3f
#define BNN_VM_GS1 -6.64903745e-2f
#define BNN_VM_GS0 3.98942292e-1f
#define BNN_VM_GK9 4.724964130e-02f
#define BNN_VM_GK8 -1.062191500e-01f
#define BNN_VM_GK7 -6.429748240e-02f
#define BNN_VM_GK6 4.091556370e-01f
#define BNN_VM_GK5 -4.101585450e-01f
#define BNN_VM_GK4 4.731594770e-02f
#define BNN_VM_GK3 2.550666220e-02f
#define BNN_VM_GK2 1.528521030e-01f
#define BNN_VM_GK1 1.992324290e-01f
#define BNN_VM_GK0 1.994785370e-01f
#include <string.h>
/* float <-> uint32 bit patterns for the portable instance */
static inline uint32_t bnn_vm_f2u(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}
static inline float bnn_vm_u2f(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}
#endif

/* 2^k for an integer-valued float k in [-126, 127], from its bits
 * (k + MAGIC holds k + 0x400000 in its low bits). */
static inline VM_F VM_FN(pow2i)(VM_F k)
{
    VM_U b = vm_bits(vm_add(k, vm_f(BNN_VM_MAGIC)));
    return vm_float(vm_shl23(vm_uadd(b, vm_u(127u - BNN_VM_MAGIC_BITS))));
}

/*
 * e^x. x = k ln2 + r with k = round(x log2 e): r_hi = x - k LN2_HI is
 * exact (k LN2_HI has at most 17 significant bits and is within a factor
 * 2 of x, or k = 0) and r_lo = -k LN2_LO is rounded once (|r_lo| < 0.04).
 * e^r = 1 + r + r^2 Q(r) is summed as s + (c + (r_lo + r^2 Q(r))), where
 * s + c = 1 + r_hi exactly (Fast2Sum) and r = r_hi + r_lo rounded, so
 * that only the last addition rounds at the scale of the result. The result is
 * scaled by 2^k as 2^k1 * 2^k2 (k1 = round(k/2)), so that both factors
 * are normal and a subnormal result is rounded once, by the last multiply.
 */
static inline VM_F VM_FN(exp_lo)(VM_F x, VM_F lo);

static inline VM_F VM_FN(exp)(VM_F x)
{
    return VM_FN(exp_lo)(x, vm_f(0.0f));
}

/* e^(x + lo) for |lo| < ulp(x): lo joins r_lo (exp() passes +0, which
 * changes nothing: r_lo + 0 = r_lo). */
static inline VM_F VM_FN(exp_lo)(VM_F x, VM_F lo)
{
    VM_F k, k1, rh, rl, r, s, c, q, y;
    x = vm_sel(vm_lt(x, vm_f(BNN_VM_EXP_LO)), vm_f(BNN_VM_EXP_LO), x);
    x = vm_sel(vm_gt(x, vm_f(BNN_VM_EXP_HI)), vm_f(BNN_VM_EXP_HI), x);
    k = vm_sub(vm_add(vm_mul(x, vm_f(BNN_VM_LOG2E)), vm_f(BNN_VM_MAGIC)),
               vm_f(BNN_VM_MAGIC));
    rh = vm_sub(x, vm_mul(k, vm_f(BNN_VM_LN2_HI)));
    rl = vm_add(vm_mul(k, vm_f(-BNN_VM_LN2_LO)), lo);
    r = vm_add(rh, rl);
    q = vm_add(vm_mul(vm_f(BNN_VM_E7), r), vm_f(BNN_VM_E6));
    q = vm_add(vm_mul(q, r), vm_f(BNN_VM_E5));
    q = vm_add(vm_mul(q, r), vm_f(BNN_VM_E4));
    q = vm_add(vm_mul(q, r), vm_f(BNN_VM_E3));
    q = vm_add(vm_mul(q, r), vm_f(BNN_VM_E2));
    s = vm_add(vm_f(1.0f), rh);
    c = vm_add(vm_sub(vm_f(1.0f), s), rh);
    y = vm_add(s, vm_add(c, vm_add(rl, vm_mul(vm_mul(r, r), q))));
    k1 = vm_sub(vm_add(vm_mul(k, vm_f(0.5f)), vm_f(BNN_VM_MAGIC)),
                vm_f(BNN_VM_MAGIC));
    return vm_mul(vm_mul(y, VM_FN(pow2i)(k1)), VM_FN(pow2i)(vm_sub(k, k1)));
}

/* |x| (sign bit cleared). */
static inline VM_F VM_FN(abs)(VM_F x)
{
    return vm_float(vm_and(vm_bits(x), vm_u(0x7FFFFFFFu)));
}

/*
 * 1 / (1 + e^-x), as e / (1 + e) with e = e^x for x < 0 and 1 / (1 + e)
 * with e = e^-x otherwise: one exp of -|x| <= 0, no overflow, and tiny
 * results for very negative x keep their relative accuracy (the
 * textbook float formula gives 0 below x = -88.7). The denominator
 * d + c = 1 + e exactly (Fast2Sum); the quotient n / d is corrected by
 * -(n/d) (c/d), which removes the rounding error of 1 + e.
 */
static inline VM_F VM_FN(sigmoid)(VM_F x)
{
    VM_F e = VM_FN(exp)(vm_sub(vm_f(0.0f), VM_FN(abs)(x)));
    VM_F n = vm_sel(vm_lt(x, vm_f(0.0f)), e, vm_f(1.0f));
    VM_F d = vm_add(vm_f(1.0f), e);
    VM_F c = vm_add(vm_sub(vm_f(1.0f), d), e);
    VM_F y = vm_div(n, d);
    return vm_sub(y, vm_mul(y, vm_div(c, d)));
}

/* tanh: odd polynomial near 0, 1 - 2/(e^2|x| + 1) elsewhere, both for
 * |x|, then the sign bit of x (so tanh(-x) = -tanh(x) bit for bit, and
 * tanh(-0) = -0). */
static inline VM_F VM_FN(tanh)(VM_F x)
{
    VM_F a = VM_FN(abs)(x), x2 = vm_mul(x, x), p, ys, ac, e, yb;
    p = vm_add(vm_mul(vm_f(BNN_VM_T8), x2), vm_f(BNN_VM_T7));
    p = vm_add(vm_mul(p, x2), vm_f(BNN_VM_T6));
    p = vm_add(vm_mul(p, x2), vm_f(BNN_VM_T5));
    p = vm_add(vm_mul(p, x2), vm_f(BNN_VM_T4));
    p = vm_add(vm_mul(p, x2), vm_f(BNN_VM_T3));
    p = vm_add(vm_mul(p, x2), vm_f(BNN_VM_T2));
    p = vm_add(vm_mul(p, x2), vm_f(BNN_VM_T1));
    ys = vm_add(a, vm_mul(vm_mul(a, x2), p));
    /* NaN fails the compare and stays NaN */
    ac = vm_sel(vm_gt(a, vm_f(BNN_VM_TANH_CAP)), vm_f(BNN_VM_TANH_CAP), a);
    e = VM_FN(exp)(vm_add(ac, ac));
    yb = vm_sub(vm_f(1.0f), vm_div(vm_f(2.0f), vm_add(e, vm_f(1.0f))));
    yb = vm_sel(vm_lt(a, vm_f(BNN_VM_TANH_T)), ys, yb);
    return vm_float(vm_or(vm_bits(yb), vm_and(vm_bits(x), vm_u(0x80000000u))));
}

/* GELU(x) = x Phi(x) (see BNN_VM_GELU_A). -inf gives NaN, as the
 * formula 0.5 x (1 + erf(x / sqrt 2)) does. */
static inline VM_F VM_FN(gelu)(VM_F x)
{
    VM_F a = VM_FN(abs)(x), u, c, ah, al, p, err, e, d, t, xt, k, s, q, yn, yp;
    a = vm_sel(vm_gt(a, vm_f(BNN_VM_GELU_CAP)), vm_f(BNN_VM_GELU_CAP), a);
    /* small |x|: s = |x| S(x^2) */
    u = vm_mul(a, a);
    s = vm_add(vm_mul(vm_f(BNN_VM_GS6), u), vm_f(BNN_VM_GS5));
    s = vm_add(vm_mul(s, u), vm_f(BNN_VM_GS4));
    s = vm_add(vm_mul(s, u), vm_f(BNN_VM_GS3));
    s = vm_add(vm_mul(s, u), vm_f(BNN_VM_GS2));
    s = vm_add(vm_mul(s, u), vm_f(BNN_VM_GS1));
    s = vm_add(vm_mul(s, u), vm_f(BNN_VM_GS0));
    s = vm_mul(a, s);
    /* large |x|: a^2 = p + err exactly, p = u */
    c = vm_mul(a, vm_f(4097.0f));
    ah = vm_sub(c, vm_sub(c, a));
    al = vm_sub(a, ah);
    p = u;
    err = vm_add(vm_add(vm_sub(vm_mul(ah, ah), p), vm_mul(vm_add(ah, ah), al)),
                 vm_mul(al, al));
    e = VM_FN(exp_lo)(vm_mul(p, vm_f(-0.5f)), vm_mul(err, vm_f(-0.5f)));
    d = vm_add(vm_f(1.0f), vm_mul(a, vm_f(0.5f)));
    t = vm_div(vm_f(1.0f), d);
    xt = vm_div(x, d);
    k = vm_add(vm_mul(vm_f(BNN_VM_GK9), t), vm_f(BNN_VM_GK8));
    k = vm_add(vm_mul(k, t), vm_f(BNN_VM_GK7));
    k = vm_add(vm_mul(k, t), vm_f(BNN_VM_GK6));
    k = vm_add(vm_mul(k, t), vm_f(BNN_VM_GK5));
    k = vm_add(vm_mul(k, t), vm_f(BNN_VM_GK4));
    k = vm_add(vm_mul(k, t), vm_f(BNN_VM_GK3));
    k = vm_add(vm_mul(k, t), vm_f(BNN_VM_GK2));
    k = vm_add(vm_mul(k, t), vm_f(BNN_VM_GK1));
    k = vm_add(vm_mul(k, t), vm_f(BNN_VM_GK0));
    /* x < 0: x q (1/2 - s is exact, Sterbenz), with the large |x|
     * product ordered ((x t) K) e so that a subnormal result is rounded
     * once; x >= 0: x/2 + x s, or x (1 - q) */
    q = vm_mul(vm_mul(t, k), e);
    yn = vm_sel(vm_lt(a, vm_f(BNN_VM_GELU_A)), vm_mul(x, vm_sub(vm_f(0.5f), s)),
                vm_mul(vm_mul(xt, k), e));
    yp = vm_sel(vm_lt(a, vm_f(BNN_VM_GELU_A2)), vm_add(vm_mul(x, vm_f(0.5f)), vm_mul(x, s)),
                vm_mul(x, vm_sub(vm_f(1.0f), q)));
    return vm_sel(vm_lt(x, vm_f(0.0f)), yn, yp);
}

#undef VM_F
#undef VM_U
#undef VM_M
#undef VM_FN
#undef vm_f
#undef vm_u
#undef vm_add
#undef vm_sub
#undef vm_mul
#undef vm_div
#undef vm_lt
#undef vm_gt
#undef vm_sel
#undef vm_bits
#undef vm_float
#undef vm_uadd
#undef vm_and
#undef vm_or
#undef vm_shl23
