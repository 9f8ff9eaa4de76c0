/*
 * maxpool_b.c - max pooling of sign bits. The max of +-1 values is +1
 * (bit 0) unless every value is -1 (bit 1), so the pooled word is the
 * bitwise AND of the window's words; tail bits stay 0. Windows follow the
 * MXNet geometry of bnn_pool2d_params and use only in-image pixels.
 * Portable only: the loop over a pixel's words is plain AND, which
 * compilers vectorise.
 */
#include "bnn_internal.h"

/* In-image range [*lo, *hi) of the window of output o along one axis. */
static void pool_range(int32_t o, int32_t k, int32_t stride, int32_t pad,
                       int32_t in, int32_t *lo, int32_t *hi)
{
    int32_t start = o * stride - pad;
    int32_t end = start + k < in + pad ? start + k : in + pad;
    *lo = start > 0 ? start : 0;
    *hi = end < in ? end : in;
}

/* 1 when every window along an axis holds at least one in-image element. */
static int pool_axis_ok(int32_t out, int32_t k, int32_t stride, int32_t pad,
                        int32_t in)
{
    int32_t o, lo, hi;
    for (o = 0; o < out; o++) {
        pool_range(o, k, stride, pad, in, &lo, &hi);
        if (lo >= hi)
            return 0;
    }
    return 1;
}

/* Output rows [oy0, oy1) of every image of a checked call. */
BNN_ALWAYS_INLINE void maxpool_b_rows(const bnn_pool2d_params *p, const uint32_t *in,
                                  uint32_t *out, int32_t oy0, int32_t oy1)
{
    int32_t cw = bnn_words(p->c), n, oy, ox, y, x, w;
    for (n = 0; n < p->n; n++) {
        const uint32_t *img =
            in + (size_t)n * (size_t)p->in_h * (size_t)p->in_w * (size_t)cw;
        for (oy = oy0; oy < oy1; oy++) {
            int32_t y0, y1;
            pool_range(oy, p->k_h, p->stride_h, p->pad_h, p->in_h, &y0, &y1);
            for (ox = 0; ox < p->out_w; ox++) {
                int32_t x0, x1;
                uint32_t *o = out + (((size_t)n * (size_t)p->out_h +
                                      (size_t)oy) * (size_t)p->out_w +
                                     (size_t)ox) * (size_t)cw;
                pool_range(ox, p->k_w, p->stride_w, p->pad_w, p->in_w, &x0,
                           &x1);
                for (w = 0; w < cw; w++)
                    o[w] = 0xFFFFFFFFu;
                for (y = y0; y < y1; y++)
                    for (x = x0; x < x1; x++) {
                        const uint32_t *s =
                            img + ((size_t)y * (size_t)p->in_w + (size_t)x) *
                                      (size_t)cw;
                        for (w = 0; w < cw; w++)
                            o[w] &= s[w];
                    }
            }
        }
    }
}

/* The checks of bnn_maxpool_b (bnn.h). */
static int maxpool_b_ok(const bnn_pool2d_params *p, const uint32_t *in, const uint32_t *out)
{
    if (!p || !in || !out || p->n <= 0 || p->in_h <= 0 || p->in_w <= 0 ||
        p->c <= 0 || p->out_h <= 0 || p->out_w <= 0 || p->k_h <= 0 ||
        p->k_w <= 0 || p->stride_h <= 0 || p->stride_w <= 0 ||
        p->pad_h < 0 || p->pad_w < 0)
        return 0;
    return pool_axis_ok(p->out_h, p->k_h, p->stride_h, p->pad_h, p->in_h) &&
           pool_axis_ok(p->out_w, p->k_w, p->stride_w, p->pad_w, p->in_w);
}

BNN_API bnn_status bnn_maxpool_b(const bnn_pool2d_params *p, const uint32_t *in,
                         uint32_t *out)
{
    if (!maxpool_b_ok(p, in, out))
        return BNN_ARG_ERROR;
    maxpool_b_rows(p, in, out, 0, p->out_h);
    return BNN_OK;
}

#if BNN_PARTS
/* Part of a call: output rows [oy0, oy1) of every image, at least 1024
 * output words per part (bnn_part.h). */
BNN_API bnn_status bnn_maxpool_b_part(const bnn_pool2d_params *p, const uint32_t *in,
                                      uint32_t *out, int32_t part, int32_t nparts)
{
    int64_t lo, hi, per;
    if (!maxpool_b_ok(p, in, out) || part < 0 || part >= nparts)
        return BNN_ARG_ERROR;
    per = (int64_t)p->n * p->out_w * bnn_words(p->c);
    if (bnn_part_range(p->out_h, 1, per > 1024 ? 1 : 1024 / per, part, nparts,
                       &lo, &hi))
        maxpool_b_rows(p, in, out, (int32_t)lo, (int32_t)hi);
    return BNN_OK;
}
#endif
