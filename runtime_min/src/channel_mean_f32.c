/*
 * channel_mean_f32.c - mean over the channels of an NHWC tensor (MXNet
 * mean(x, axis=1, keepdims=True) of the NCHW tensor), summed exactly as
 * MXNet's mshadow red::sum does: compensated summation in channel order,
 * with the compensation reset when the running sum becomes infinite.
 */
#include "bnn.h"
#include "bnn_ops.h"

#include <math.h>
#include <stddef.h>

/* out[p] = sum_ch in[p*c + ch] / c (see bnn_ops.h for the exact sum).
 * out == in allowed: out[p] lies at or before in[p*c], which has already
 * been read, and before every later pixel. */
bnn_status bnn_channel_mean_f32(int32_t pixels, int32_t c, const float *in,
                                float *out)
{
    if (pixels < 0 || c <= 0 || !in || !out)
        return BNN_ARG_ERROR;
    const float fc = (float)c;
    for (int32_t p = 0; p < pixels; ++p) {
        const float *x = in + (ptrdiff_t)p * c;
        float s = 0.0f, r = 0.0f;
        for (int32_t j = 0; j < c; ++j) {
            float y = x[j] - r;
            float t = s + y;
            r = isinf(t) ? 0.0f : (t - s) - y;
            s = t;
        }
        out[p] = s / fc;
    }
    return BNN_OK;
}
