/*
 * concat_f32.c - channel copies into a wider NHWC tensor (concatenation
 * along channels).
 */
#include "bnn.h"

#include <stddef.h>
#include <string.h>

/* out[p*out_pixel_stride + dst_c_offset + ch] = in[p*in_pixel_stride + ch]
 * for ch < c; other channels of out are untouched. Requires
 * in_pixel_stride >= c and out_pixel_stride >= dst_c_offset + c. The
 * source and destination may overlap only as the same memory (a producer
 * that already wrote in place), which copies nothing harmful. */
BNN_API bnn_status bnn_copy_channels_f32(const bnn_channels_params *p,
                                         const float *in, float *out)
{
    if (!p)
        return BNN_ARG_ERROR;
    const int32_t pixels = p->pixels, c = p->c, dst_c_offset = p->dst_c_offset;
    const int32_t in_pixel_stride = p->in_pixel_stride;
    const int32_t out_pixel_stride = p->out_pixel_stride;
    if (pixels < 0 || c <= 0 || !in || !out || dst_c_offset < 0 ||
        (in_pixel_stride < c && in_pixel_stride != 0) || out_pixel_stride < c ||
        dst_c_offset > out_pixel_stride - c)
        return BNN_ARG_ERROR;
    for (int32_t px = 0; px < pixels; ++px) {
        const float *src = in + (ptrdiff_t)px * in_pixel_stride;
        float *dst = out + (ptrdiff_t)px * out_pixel_stride + dst_c_offset;
        if (src != dst)
            memmove(dst, src, (size_t)c * sizeof(float));
    }
    return BNN_OK;
}

#if BNN_PARTS
/* Part of a call: pixels [p0, p1), at least 4096 floats per part
 * (bnn_part.h). */
BNN_API bnn_status bnn_copy_channels_f32_part(const bnn_channels_params *p,
                                              const float *in, float *out, int32_t part,
                                              int32_t nparts)
{
    bnn_channels_params q;
    int64_t lo, hi;
    if (!p || p->pixels < 0 || p->c <= 0 || !in || !out || part < 0 || part >= nparts)
        return BNN_ARG_ERROR;
    if (!bnn_part_range(p->pixels, 1, (4096 + p->c - 1) / p->c, part, nparts, &lo, &hi))
        return BNN_OK;
    q = *p;
    q.pixels = (int32_t)(hi - lo);
    return bnn_copy_channels_f32(&q, in + lo * p->in_pixel_stride,
                                 out + lo * p->out_pixel_stride);
}
#endif
