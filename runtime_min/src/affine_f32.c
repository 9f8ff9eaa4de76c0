/*
 * affine_f32.c - per-channel affine transform (folded BatchNorm, scale,
 * offset) over NHWC pixels.
 */
#include "bnn.h"

#include <stddef.h>

/* y = x * mul[ch] + add[ch] with two roundings; a NULL mul or add is
 * skipped (not applied as 1 or 0, so -0.0 and NaN payloads pass through
 * unchanged). in == out allowed. */
BNN_API bnn_status bnn_affine_f32(const bnn_affine_params *p, const float *in,
                                  float *out)
{
    if (!p || p->pixels < 0 || p->c <= 0 || !in || !out)
        return BNN_ARG_ERROR;
    const int32_t pixels = p->pixels, c = p->c;
    const float *mul = p->mul, *add = p->add;
    for (int32_t px = 0; px < pixels; ++px) {
        const float *x = in + (ptrdiff_t)px * c;
        float *y = out + (ptrdiff_t)px * c;
        if (mul && add)
            for (int32_t j = 0; j < c; ++j)
                y[j] = x[j] * mul[j] + add[j];
        else if (mul)
            for (int32_t j = 0; j < c; ++j)
                y[j] = x[j] * mul[j];
        else if (add)
            for (int32_t j = 0; j < c; ++j)
                y[j] = x[j] + add[j];
        else if (x != y)
            for (int32_t j = 0; j < c; ++j)
                y[j] = x[j];
    }
    return BNN_OK;
}

#if BNN_PARTS
/* Part of a call: pixels [p0, p1), at least 4096 floats per part
 * (bnn_part.h). */
BNN_API bnn_status bnn_affine_f32_part(const bnn_affine_params *p, const float *in,
                                       float *out, int32_t part, int32_t nparts)
{
    bnn_affine_params q;
    int64_t lo, hi;
    if (!p || p->pixels < 0 || p->c <= 0 || !in || !out || part < 0 || part >= nparts)
        return BNN_ARG_ERROR;
    if (!bnn_part_range(p->pixels, 1, (4096 + p->c - 1) / p->c, part, nparts, &lo, &hi))
        return BNN_OK;
    q = *p;
    q.pixels = (int32_t)(hi - lo);
    return bnn_affine_f32(&q, in + lo * p->c, out + lo * p->c);
}
#endif
