/*
 * layout_u8_f32.c - uint8 NCHW network input to normalised float NHWC,
 * the first step of a model compiled for 8-bit image input.
 */
#include "bnn.h"
#include "bnn_ops.h"

#include <stddef.h>

/* out[((b*h + y)*w + x)*c + ch] = ((float)in[((b*c + ch)*h + y)*w + x] -
 * mean[ch]) / std[ch]; NULL mean is 0 and NULL std is 1, which are exact
 * (x - 0 and x / 1 change nothing), so one formula serves every case. */
BNN_API bnn_status bnn_u8_nchw_to_nhwc_f32(int32_t n, int32_t c, int32_t h,
                                   int32_t w, const float *mean,
                                   const float *std, const uint8_t *in,
                                   float *out)
{
    if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || !in || !out)
        return BNN_ARG_ERROR;
    const size_t hw = (size_t)h * (size_t)w;
    for (int32_t b = 0; b < n; ++b) {
        const uint8_t *src = in + (size_t)b * (size_t)c * hw;
        float *dst = out + (size_t)b * (size_t)c * hw;
        for (int32_t ch = 0; ch < c; ++ch) {
            const float m = mean ? mean[ch] : 0.0f;
            const float s = std ? std[ch] : 1.0f;
            const uint8_t *plane = src + (size_t)ch * hw;
            float *d = dst + ch;
            for (size_t p = 0; p < hw; ++p)
                d[p * (size_t)c] = ((float)plane[p] - m) / s;
        }
    }
    return BNN_OK;
}
