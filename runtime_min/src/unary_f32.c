/*
 * unary_f32.c - elementwise unary ops with scalar parameters, with the
 * exact definitions of MXNet 1.9.1's CPU operators (abs, sign, clip,
 * _maximum_scalar, _minimum_scalar, _power_scalar, _rdiv_scalar) and
 * TFLite's ROUND; see bnn_ops.h for the NaN, signed-zero and infinity
 * cases.
 */
#include "bnn.h"
#include "bnn_ops.h"

#include <math.h>
#include <stddef.h>

/* TFLite's RoundToNearest: halves to even, independent of the rounding
 * mode. Past 2^23 every float is an integer and the rest is 0; for +-inf
 * and NaN the rest is NaN and f + 1 is x. */
static float round_even(float x)
{
    float f = floorf(x), d = x - f;
    return d < 0.5f || (d == 0.5f && fmodf(f, 2.0f) == 0.0f) ? f : f + 1.0f;
}

/* out[i] = op(in[i]; a, b) for n floats; in == out allowed. */
BNN_API bnn_status bnn_unary_f32(const bnn_unary_params *p, const float *in,
                                 float *out)
{
    size_t i;
    if (!p || (p->n && (!in || !out)))
        return BNN_ARG_ERROR;
    const size_t n = p->n;
    const float a = p->a, b = p->b;
    switch (p->op) {
    case BNN_UN_ABS:
        for (i = 0; i < n; ++i)
            out[i] = fabsf(in[i]);
        break;
    case BNN_UN_SIGN:
        /* Compares only: NaN and both zeros give +0. */
        for (i = 0; i < n; ++i) {
            float x = in[i];
            out[i] = x < 0.0f ? -1.0f : (x > 0.0f ? 1.0f : 0.0f);
        }
        break;
    case BNN_UN_CLIP:
        /* Upper bound tested first, as MXNet; NaN fails both tests. */
        for (i = 0; i < n; ++i) {
            float x = in[i];
            out[i] = x > b ? b : (x < a ? a : x);
        }
        break;
    case BNN_UN_MAX_S:
        for (i = 0; i < n; ++i) {
            float x = in[i];
            out[i] = (x != x || x > a) ? x : a;
        }
        break;
    case BNN_UN_MIN_S:
        for (i = 0; i < n; ++i) {
            float x = in[i];
            out[i] = (x != x || x < a) ? x : a;
        }
        break;
    case BNN_UN_POW_S:
        for (i = 0; i < n; ++i)
            out[i] = powf(in[i], a);
        break;
    case BNN_UN_RDIV_S:
        for (i = 0; i < n; ++i)
            out[i] = a / in[i];
        break;
    case BNN_UN_ROUND:
        for (i = 0; i < n; ++i)
            out[i] = round_even(in[i]);
        break;
    default:
        return BNN_ARG_ERROR;
    }
    return BNN_OK;
}
