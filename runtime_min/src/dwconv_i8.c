/*
 * dwconv_i8.c - int8 depthwise conv2d with TFLite's integer semantics
 * (bnn_dwconv2d_i8_i8 in bnn_int8.h), portable C99.
 *
 * For each output pixel the in-image taps are walked once and every tap
 * adds (q - in_zp) * w to a run of up to DWI8_CB output channels kept in a
 * local array: the channel loop is innermost and contiguous in the input,
 * the weights ([k_h][k_w][out_c]) and the accumulators, a shape compilers
 * vectorise. Sums are modulo 2^32 (bnn_int8.h).
 */
#include "bnn_i8_internal.h"

#define DWI8_CB 64 /* output channels per run */

BNN_API bnn_status bnn_dwconv2d_i8_i8(const bnn_dwconv2d_i8_params *p, const int8_t *in,
                                      int8_t *out)
{
    int32_t oc_n, n, oy, ox, c0, ky, kx, j;
    if (!p || !in || !out || !p->weights || !p->out_mult || !p->out_shift)
        return BNN_ARG_ERROR;
    if (p->n <= 0 || p->in_h <= 0 || p->in_w <= 0 || p->in_c <= 0 || p->out_h <= 0 ||
        p->out_w <= 0 || p->mult <= 0 || p->k_h <= 0 || p->k_w <= 0 || p->stride_h <= 0 ||
        p->stride_w <= 0 || p->dil_h <= 0 || p->dil_w <= 0 || p->pad_top < 0 ||
        p->pad_left < 0 || (int64_t)p->in_c * p->mult > INT32_MAX / 2)
        return BNN_ARG_ERROR;
    oc_n = p->in_c * p->mult;
    if (p->out_pixel_stride < oc_n || !bnn_i8_zp_ok(p->in_zp) || !bnn_i8_zp_ok(p->out_zp) ||
        p->act_min < -128 || p->act_max > 127 || p->act_min > p->act_max)
        return BNN_ARG_ERROR;
    for (j = 0; j < oc_n; j++)
        if (p->out_shift[j] < -31 || p->out_shift[j] > 30)
            return BNN_ARG_ERROR;
    for (n = 0; n < p->n; n++)
        for (oy = 0; oy < p->out_h; oy++)
            for (ox = 0; ox < p->out_w; ox++) {
                int8_t *o = out + (((size_t)n * (size_t)p->out_h + (size_t)oy) *
                                       (size_t)p->out_w + (size_t)ox) *
                                      (size_t)p->out_pixel_stride;
                for (c0 = 0; c0 < oc_n; c0 += DWI8_CB) {
                    int32_t nc = oc_n - c0 < DWI8_CB ? oc_n - c0 : DWI8_CB;
                    uint32_t acc[DWI8_CB];
                    for (j = 0; j < nc; j++)
                        acc[j] = (uint32_t)(p->bias ? p->bias[c0 + j] : 0);
                    for (ky = 0; ky < p->k_h; ky++) {
                        int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
                        if (iy < 0 || iy >= p->in_h)
                            continue;
                        for (kx = 0; kx < p->k_w; kx++) {
                            int32_t ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
                            const int8_t *x, *w;
                            if (ix < 0 || ix >= p->in_w)
                                continue;
                            x = in + (((size_t)n * (size_t)p->in_h + (size_t)iy) *
                                          (size_t)p->in_w + (size_t)ix) * (size_t)p->in_c;
                            w = p->weights + ((size_t)ky * (size_t)p->k_w + (size_t)kx) *
                                                 (size_t)oc_n + (size_t)c0;
                            if (p->mult == 1)
                                for (j = 0; j < nc; j++)
                                    acc[j] += (uint32_t)((x[c0 + j] - p->in_zp) * w[j]);
                            else
                                for (j = 0; j < nc; j++)
                                    acc[j] += (uint32_t)((x[(c0 + j) / p->mult] - p->in_zp) *
                                                         w[j]);
                        }
                    }
                    for (j = 0; j < nc; j++)
                        o[c0 + j] = bnn_i8_out(bnn_i8_wrap(acc[j]), p->out_mult[c0 + j],
                                               p->out_shift[c0 + j], p->out_zp, p->act_min,
                                               p->act_max);
                }
            }
    return BNN_OK;
}
