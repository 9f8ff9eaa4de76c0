/*
 * gather_f32.c - whole pixels of an NHWC float tensor gathered by row and
 * column maps (bnn.h: bnn_gather_hw_f32).
 */
#include "bnn.h"

#include <stddef.h>
#include <string.h>

static int map_ok(const int32_t *m, int32_t n, int32_t limit)
{
    for (int32_t i = 0; i < n; ++i)
        if (m[i] < -1 || m[i] >= limit)
            return 0;
    return 1;
}

BNN_API bnn_status bnn_gather_hw_f32(const bnn_gather_hw_params *p, const float *in,
                                     float *out)
{
    if (!p || !in || !out || !p->src_h || !p->src_w || p->n <= 0 || p->in_h <= 0 ||
        p->in_w <= 0 || p->c <= 0 || p->out_h <= 0 || p->out_w <= 0 ||
        !map_ok(p->src_h, p->out_h, p->in_h) || !map_ok(p->src_w, p->out_w, p->in_w))
        return BNN_ARG_ERROR;
    const size_t c = (size_t)p->c;
    for (int32_t b = 0; b < p->n; ++b)
        for (int32_t y = 0; y < p->out_h; ++y) {
            float *dst = out + (((size_t)b * (size_t)p->out_h + (size_t)y) * (size_t)p->out_w) * c;
            const int32_t sy = p->src_h[y];
            const float *row =
                sy < 0 ? NULL
                       : in + (((size_t)b * (size_t)p->in_h + (size_t)sy) * (size_t)p->in_w) * c;
            for (int32_t x = 0; x < p->out_w; ++x, dst += c) {
                const int32_t sx = p->src_w[x];
                if (!row || sx < 0) {
                    for (size_t i = 0; i < c; ++i)
                        dst[i] = p->fill;
                } else {
                    memcpy(dst, row + (size_t)sx * c, c * sizeof(float));
                }
            }
        }
    return BNN_OK;
}
