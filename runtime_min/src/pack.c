/*
 * pack.c - float <-> bit conversion (det_sign semantics) and binary
 * channel copies.
 */
#include "bnn_internal.h"

bnn_status bnn_pack_f32_b(int32_t pixels, int32_t c, const float *in,
                          int32_t in_pixel_stride, uint32_t *out,
                          int32_t out_pixel_stride)
{
    int32_t p, w, nw = bnn_words(c);
    if (pixels < 0 || c <= 0 || in_pixel_stride < c ||
        out_pixel_stride < nw)
        return BNN_ARG_ERROR;
    for (p = 0; p < pixels; p++) {
        const float *x = in + (size_t)p * (size_t)in_pixel_stride;
        uint32_t *o = out + (size_t)p * (size_t)out_pixel_stride;
        for (w = 0; w < nw; w++) {
            int32_t j, n = c - w * 32 < 32 ? c - w * 32 : 32;
            uint32_t bits = 0;
            for (j = 0; j < n; j++)
                bits |= (uint32_t)(x[w * 32 + j] < 0.0f) << j;
            o[w] = bits;
        }
    }
    return BNN_OK;
}

bnn_status bnn_unpack_b_f32(int32_t pixels, int32_t c, const uint32_t *in,
                            int32_t in_pixel_stride, float *out,
                            int32_t out_pixel_stride)
{
    int32_t p, ch;
    if (pixels < 0 || c <= 0 || in_pixel_stride < bnn_words(c) ||
        out_pixel_stride < c)
        return BNN_ARG_ERROR;
    for (p = 0; p < pixels; p++) {
        const uint32_t *x = in + (size_t)p * (size_t)in_pixel_stride;
        float *o = out + (size_t)p * (size_t)out_pixel_stride;
        for (ch = 0; ch < c; ch++)
            o[ch] = ((x[ch >> 5] >> (ch & 31)) & 1u) ? -1.0f : 1.0f;
    }
    return BNN_OK;
}

bnn_status bnn_copy_channels_b(int32_t pixels, int32_t c, const uint32_t *in,
                               int32_t in_pixel_stride, uint32_t *out,
                               int32_t out_pixel_stride, int32_t dst_c_offset)
{
    int32_t p, ch;
    if (pixels < 0 || c <= 0 || dst_c_offset < 0 ||
        in_pixel_stride < bnn_words(c) ||
        out_pixel_stride < bnn_words(dst_c_offset + c))
        return BNN_ARG_ERROR;
    for (p = 0; p < pixels; p++) {
        const uint32_t *x = in + (size_t)p * (size_t)in_pixel_stride;
        uint32_t *o = out + (size_t)p * (size_t)out_pixel_stride;
        for (ch = 0; ch < c; ch++) {
            int32_t d = dst_c_offset + ch;
            uint32_t bit = (x[ch >> 5] >> (ch & 31)) & 1u;
            uint32_t m = 1u << (d & 31);
            o[d >> 5] = (o[d >> 5] & ~m) | (bit ? m : 0u);
        }
    }
    return BNN_OK;
}
