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

/* The compensated sum of x[k*c + j] over j, step j, for `np` pixels at
 * once: every pixel keeps its own order of operations, so blocking only
 * adds independent work (and SIMD lanes) to the serial chain of one sum. */
#define MEAN_BLOCK 16

static void mean_block(int32_t np, int32_t c, const float *x, float *out)
{
    float s[MEAN_BLOCK], r[MEAN_BLOCK];
    const float fc = (float)c;
    int32_t k, j;
    for (k = 0; k < np; ++k)
        s[k] = r[k] = 0.0f;
    for (j = 0; j < c; ++j)
        for (k = 0; k < np; ++k) {
            float y = x[(ptrdiff_t)k * c + j] - r[k];
            float t = s[k] + y;
            r[k] = isinf(t) ? 0.0f : (t - s[k]) - y;
            s[k] = t;
        }
    for (k = 0; k < np; ++k)
        out[k] = s[k] / fc;
}

/* out[p] = sum_ch in[p*c + ch] / c (see bnn_ops.h for the exact sum).
 * out == in allowed: the block of pixels [p, p + MEAN_BLOCK) is read in
 * full before out[p ..] is written, and out[p + k] lies before every later
 * pixel's input (p + k < (p + MEAN_BLOCK) * c). */
BNN_API bnn_status bnn_channel_mean_f32(const bnn_channel_mean_params *p,
                                        const float *in, float *out)
{
    if (!p || p->pixels < 0 || p->c <= 0 || !in || !out)
        return BNN_ARG_ERROR;
    const int32_t pixels = p->pixels, c = p->c;
    for (int32_t px = 0; px < pixels; px += MEAN_BLOCK) {
        int32_t np = pixels - px < MEAN_BLOCK ? pixels - px : MEAN_BLOCK;
        mean_block(np, c, in + (ptrdiff_t)px * c, out + px);
    }
    return BNN_OK;
}
