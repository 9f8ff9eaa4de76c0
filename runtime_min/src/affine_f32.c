/*
 * affine_f32.c - per-channel affine transform (folded BatchNorm, scale,
 * offset) over NHWC pixels.
 */
#include "bnn.h"

#include <stddef.h>

/* y = x * mul[ch] + add[ch] with two roundings; a NULL mul or add is
 * skipped (not applied as 1 or 0, so -0.0 and NaN payloads pass through
 * unchanged). in == out allowed. */
BNN_API bnn_status bnn_affine_f32(int32_t pixels, int32_t c, const float *mul,
                          const float *add, const float *in, float *out)
{
    if (pixels < 0 || c <= 0 || !in || !out)
        return BNN_ARG_ERROR;
    for (int32_t p = 0; p < pixels; ++p) {
        const float *x = in + (ptrdiff_t)p * c;
        float *y = out + (ptrdiff_t)p * c;
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
