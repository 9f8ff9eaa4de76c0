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
BNN_API bnn_status bnn_u8_nchw_to_nhwc_f32(const bnn_layout_params *p,
                                           const uint8_t *in, float *out)
{
    if (!p || p->n <= 0 || p->c <= 0 || p->h <= 0 || p->w <= 0 || !in || !out)
        return BNN_ARG_ERROR;
    const int32_t n = p->n, c = p->c;
    const float *mean = p->mean, *std = p->std;
    const size_t hw = (size_t)p->h * (size_t)p->w;
    for (int32_t b = 0; b < n; ++b) {
        const uint8_t *src = in + (size_t)b * (size_t)c * hw;
        float *dst = out + (size_t)b * (size_t)c * hw;
        for (int32_t ch = 0; ch < c; ++ch) {
            const float m = mean ? mean[ch] : 0.0f;
            const float s = std ? std[ch] : 1.0f;
            const uint8_t *plane = src + (size_t)ch * hw;
            float *d = dst + ch;
            for (size_t i = 0; i < hw; ++i)
                d[i * (size_t)c] = ((float)plane[i] - m) / s;
        }
    }
    return BNN_OK;
}
