/*
 * act_fast_f32.c - activations and softmax without a libm call per
 * element: bnn_act_fast_f32 and bnn_softmax_fast_f32 (bnn.h), portable C
 * (the oracle) and the public entry points, which call the best variant
 * compiled in (family ACT of bnn_variants.h).
 *
 * exp, sigmoid, tanh and GELU come from bnn_vmath_impl.h, instantiated
 * here for one float at a time (bnn_vmath_scalar.h, which the compiler
 * instantiates too); the loops below are plain and vectorisable. The ISA variants (arch/x86_avx512/act_fast_f32_avx512.c,
 * arch/x86_avx2/act_fast_f32_avx2.c, arch/arm_neon/act_fast_f32_neon.c)
 * instantiate the same template on their vectors and give bit-identical
 * results: same operations, same order, and for softmax the same
 * summation order (below).
 */
#include "bnn.h"
#include "bnn_act_fast.h"

#include <stddef.h>
#include <stdint.h>

#define VM_FN(name) bnn_vm_##name##_portable
#include "bnn_vmath_scalar.h"

/* The activations bnn_act_fast_f32 computes itself, one element at a
 * time (the others are rejected). Exact ones as in act_f32.c. */
static float act_one(bnn_act act, float alpha, float x)
{
    switch (act) {
    case BNN_ACT_RELU:
        return bnn_fl_relu(x);
    case BNN_ACT_SIGMOID:
        return bnn_vm_sigmoid_portable(x);
    case BNN_ACT_TANH:
        return bnn_vm_tanh_portable(x);
    case BNN_ACT_SOFTSIGN:
        return x / (1.0f + bnn_vm_abs_portable(x));
    case BNN_ACT_LEAKY:
        return x > 0.0f ? x : alpha * x;
    case BNN_ACT_GELU:
        return bnn_vm_gelu_portable(x);
    default:
        return x;
    }
}

/* out[i] = F(in[i]) for n floats: a plain loop, which compilers
 * vectorise at -O3 (GCC 12 at -O2 does not). */
#define ACT_LOOP(F)                                                            \
    do {                                                                       \
        for (size_t i_ = 0; i_ < n; ++i_)                                      \
            out[i_] = F(in[i_]);                                               \
    } while (0)

BNN_API bnn_status bnn_act_fast_f32__portable(const bnn_act_params *p, const float *in,
                                              float *out)
{
    if (!p || !bnn_fl_act_fast_ok(p->act) || (p->n && (!in || !out)))
        return BNN_ARG_ERROR;
    const size_t n = p->n;
    switch (p->act) {
    case BNN_ACT_SIGMOID:
        ACT_LOOP(bnn_vm_sigmoid_portable);
        break;
    case BNN_ACT_TANH:
        ACT_LOOP(bnn_vm_tanh_portable);
        break;
    case BNN_ACT_GELU:
        ACT_LOOP(bnn_vm_gelu_portable);
        break;
    default:
        for (size_t i = 0; i < n; ++i)
            out[i] = act_one(p->act, p->alpha, in[i]);
        break;
    }
    return BNN_OK;
}

BNN_API bnn_status bnn_exp_fast_f32__portable(const bnn_eltwise_params *p,
                                              const float *in, float *out)
{
    if (!p || (p->n && (!in || !out)))
        return BNN_ARG_ERROR;
    const size_t n = p->n;
    ACT_LOOP(bnn_vm_exp_portable);
    return BNN_OK;
}

/* Softmax of one row, portable: the maximum, e_i = exp(x_i - max) stored
 * in y, their sum in BNN_FL_SUM_LANES interleaved partial sums (element i
 * goes to sum i % 16, in increasing i) folded pairwise, then y_i / sum. */
static void softmax_row(int32_t len, const float *x, float *y)
{
    float m = x[0], s[BNN_FL_SUM_LANES];
    for (int32_t i = 1; i < len; ++i)
        if (x[i] > m)
            m = x[i];
    for (int j = 0; j < BNN_FL_SUM_LANES; ++j)
        s[j] = 0.0f;
    int32_t i = 0;
    for (; i + BNN_FL_SUM_LANES <= len; i += BNN_FL_SUM_LANES)
        for (int j = 0; j < BNN_FL_SUM_LANES; ++j) {
            float e = bnn_vm_exp_portable(x[i + j] - m);
            y[i + j] = e;
            s[j] += e;
        }
    for (int j = 0; i + j < len; ++j) {
        float e = bnn_vm_exp_portable(x[i + j] - m);
        y[i + j] = e;
        s[j] += e;
    }
    const float sum = bnn_fl_fold_sum16(s);
    for (i = 0; i < len; ++i)
        y[i] = y[i] / sum;
}

BNN_API bnn_status bnn_softmax_fast_f32__portable(const bnn_softmax_params *p,
                                                  const float *in, float *out)
{
    if (!p || p->rows < 0 || p->len <= 0 || !in || !out)
        return BNN_ARG_ERROR;
    const int32_t rows = p->rows, len = p->len;
    for (int32_t r = 0; r < rows; ++r)
        softmax_row(len, in + (ptrdiff_t)r * len, out + (ptrdiff_t)r * len);
    return BNN_OK;
}


/* out[i] = act(in[i]) for n floats, in == out allowed; see bnn.h for the
 * activations supported and the error bounds. */
BNN_API bnn_status bnn_act_fast_f32(const bnn_act_params *p, const float *in,
                                    float *out)
{
    return BNN_BEST(ACT, bnn_act_fast_f32)(p, in, out);
}

/* out[i] = e^in[i] for n floats, in == out allowed. */
BNN_API bnn_status bnn_exp_fast_f32(const bnn_eltwise_params *p, const float *in,
                                    float *out)
{
    return BNN_BEST(ACT, bnn_exp_fast_f32)(p, in, out);
}

/* Rows of len floats, each normalised on its own; in == out allowed. */
BNN_API bnn_status bnn_softmax_fast_f32(const bnn_softmax_params *p,
                                        const float *in, float *out)
{
    return BNN_BEST(ACT, bnn_softmax_fast_f32)(p, in, out);
}

#if BNN_PARTS
/* Part of a call: elements [i0, i1), multiples of 16, at least 4096 per
 * part (bnn_part.h). */
BNN_API bnn_status bnn_act_fast_f32_part(const bnn_act_params *p, const float *in,
                                         float *out, int32_t part, int32_t nparts)
{
    bnn_act_params q;
    int64_t lo, hi;
    if (!p || (p->n && (!in || !out)) || part < 0 || part >= nparts)
        return BNN_ARG_ERROR;
    if (!bnn_part_range((int64_t)p->n, 16, 4096, part, nparts, &lo, &hi))
        return BNN_OK;
    q = *p;
    q.n = (size_t)(hi - lo);
    return bnn_act_fast_f32(&q, in + lo, out + lo);
}
#endif
