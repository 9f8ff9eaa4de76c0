/*
 * act_f32.c - elementwise activations and PReLU with the exact
 * definitions of MXNet's CPU operators (Activation, LeakyReLU):
 *   relu      x > 0 ? x : 0, NaN passes through
 *   sigmoid   1 / (1 + exp(-x))
 *   tanh      tanh(x)
 *   softrelu  x > 20 ? x : log1p(exp(x))
 *   softsign  x / (1 + |x|)
 *   leaky     x > 0 ? x : alpha * x          (alpha = MXNet's slope)
 *   elu       x > 0 ? x : alpha * expm1(x)
 *   selu      lambda * (x > 0 ? x : alpha_s * expm1(x)),
 *             alpha_s = 1.6732632423543772, lambda = 1.0507009873554805
 *   gelu      0.5 * x * (1 + erf(x / sqrt(2)))
 * All in float arithmetic with the float libm functions.
 */
#include "bnn.h"
#include "bnn_float_internal.h"

#include <math.h>
#include <stddef.h>

#define SELU_ALPHA 1.6732632423543772f
#define SELU_LAMBDA 1.0507009873554805f
#define GELU_SQRT2 1.4142135623730951f

/* out[i] = act(in[i]) for n floats; alpha is used by LEAKY and ELU.
 * in == out allowed. */
BNN_API bnn_status bnn_act_f32(const bnn_act_params *p, const float *in,
                               float *out)
{
    if (!p || (p->n && (!in || !out)))
        return BNN_ARG_ERROR;
    const size_t n = p->n;
    const float alpha = p->alpha;
    size_t i;
    switch (p->act) {
    case BNN_ACT_NONE:
        if (in != out)
            for (i = 0; i < n; ++i)
                out[i] = in[i];
        break;
    case BNN_ACT_RELU:
        for (i = 0; i < n; ++i)
            out[i] = bnn_fl_relu(in[i]);
        break;
    case BNN_ACT_SIGMOID:
        for (i = 0; i < n; ++i)
            out[i] = 1.0f / (1.0f + expf(-in[i]));
        break;
    case BNN_ACT_TANH:
        for (i = 0; i < n; ++i)
            out[i] = tanhf(in[i]);
        break;
    case BNN_ACT_SOFTRELU:
        for (i = 0; i < n; ++i) {
            float x = in[i];
            out[i] = x > 20.0f ? x : log1pf(expf(x));
        }
        break;
    case BNN_ACT_SOFTSIGN:
        for (i = 0; i < n; ++i)
            out[i] = in[i] / (1.0f + fabsf(in[i]));
        break;
    case BNN_ACT_LEAKY:
        for (i = 0; i < n; ++i) {
            float x = in[i];
            out[i] = x > 0.0f ? x : alpha * x;
        }
        break;
    case BNN_ACT_ELU:
        for (i = 0; i < n; ++i) {
            float x = in[i];
            out[i] = x > 0.0f ? x : alpha * expm1f(x);
        }
        break;
    case BNN_ACT_SELU:
        for (i = 0; i < n; ++i) {
            float x = in[i];
            out[i] = SELU_LAMBDA * (x > 0.0f ? x : SELU_ALPHA * expm1f(x));
        }
        break;
    case BNN_ACT_GELU:
        for (i = 0; i < n; ++i) {
            float x = in[i];
            out[i] = 0.5f * x * (1.0f + erff(x / GELU_SQRT2));
        }
        break;
    default:
        return BNN_ARG_ERROR;
    }
    return BNN_OK;
}

/* out = x > 0 ? x : slope[ch] * x over pixels x c (NaN passes through as
 * slope * NaN). in == out allowed. */
BNN_API bnn_status bnn_prelu_f32(const bnn_prelu_params *p, const float *in,
                                 float *out)
{
    if (!p || p->pixels < 0 || p->c <= 0 || !p->slope || !in || !out)
        return BNN_ARG_ERROR;
    const int32_t pixels = p->pixels, c = p->c;
    const float *slope = p->slope;
    for (int32_t px = 0; px < pixels; ++px) {
        const float *x = in + (ptrdiff_t)px * c;
        float *y = out + (ptrdiff_t)px * c;
        for (int32_t j = 0; j < c; ++j)
            y[j] = x[j] > 0.0f ? x[j] : slope[j] * x[j];
    }
    return BNN_OK;
}

#if BNN_PARTS
/* Part of a call: elements [i0, i1), multiples of 16, at least 4096 per
 * part (bnn_part.h). */
BNN_API bnn_status bnn_act_f32_part(const bnn_act_params *p, const float *in, float *out,
                                    int32_t part, int32_t nparts)
{
    bnn_act_params q;
    int64_t lo, hi;
    if (!p || (p->n && (!in || !out)) || part < 0 || part >= nparts)
        return BNN_ARG_ERROR;
    if (!bnn_part_range((int64_t)p->n, 16, 4096, part, nparts, &lo, &hi))
        return BNN_OK;
    q = *p;
    q.n = (size_t)(hi - lo);
    return bnn_act_f32(&q, in + lo, out + lo);
}
#endif
