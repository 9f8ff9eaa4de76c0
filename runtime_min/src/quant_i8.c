/*
 * quant_i8.c - float <-> int8 conversions, int8 requantisation and
 * channel copies with TFLite's semantics (bnn_quantize_f32_i8,
 * bnn_dequantize_i8_f32, bnn_requantize_i8_i8, bnn_copy_channels_i8 in
 * bnn_int8.h), portable C99; quantisation and dequantisation also have
 * AVX2 and AVX-512 variants (arch/x86_avx2/quant_i8_avx2.c,
 * arch/x86_avx512/quant_i8_avx512.c).
 */
#include "bnn_i8_internal.h"

#include <math.h>

static bnn_status i8_quant_check(const bnn_quant_i8_params *p, const void *in, const void *out)
{
    int32_t c;
    if (!p || p->channels < 1 || p->inner < 1)
        return BNN_ARG_ERROR;
    if (p->n == 0)
        return BNN_OK;
    if (!in || !out || !p->scale || !p->zero_point)
        return BNN_ARG_ERROR;
    for (c = 0; c < p->channels; c++)
        if (!bnn_i8_zp_ok(p->zero_point[c]))
            return BNN_ARG_ERROR;
    return BNN_OK;
}

/* q = clamp(round(x / scale) + zp): float division, round half away from
 * zero (roundf), the rounded value clamped before the integer conversion
 * so that it is defined for every float. */
static int8_t i8_quantize1(float x, float scale, int32_t zp)
{
    float r = roundf(x / scale);
    int32_t q;
    if (r != r)
        return -128;
    if (r > 1000.0f)
        r = 1000.0f;
    if (r < -1000.0f)
        r = -1000.0f;
    q = (int32_t)r + zp;
    return (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
}

BNN_API bnn_status bnn_quantize_f32_i8__portable(const bnn_quant_i8_params *p,
                                                 const float *in, int8_t *out)
{
    size_t i;
    if (i8_quant_check(p, in, out) != BNN_OK)
        return BNN_ARG_ERROR;
    if (p->channels == 1) {
        const float s = p->scale[0];
        const int32_t zp = p->zero_point[0];
        for (i = 0; i < p->n; i++)
            out[i] = i8_quantize1(in[i], s, zp);
        return BNN_OK;
    }
    for (i = 0; i < p->n; i++) {
        size_t c = i / p->inner % (size_t)p->channels;
        out[i] = i8_quantize1(in[i], p->scale[c], p->zero_point[c]);
    }
    return BNN_OK;
}

BNN_API bnn_status bnn_quantize_f32_i8(const bnn_quant_i8_params *p, const float *in,
                                       int8_t *out)
{
    return BNN_BEST(PACK, bnn_quantize_f32_i8)(p, in, out);
}

/* x = (float)(q - zp) * scale: the exact product rounded once, as
 * TFLite's scale * (q - zp). */
BNN_API bnn_status bnn_dequantize_i8_f32__portable(const bnn_quant_i8_params *p,
                                                   const int8_t *in, float *out)
{
    size_t i;
    if (i8_quant_check(p, in, out) != BNN_OK)
        return BNN_ARG_ERROR;
    if (p->channels == 1) {
        const float s = p->scale[0];
        const int32_t zp = p->zero_point[0];
        for (i = 0; i < p->n; i++)
            out[i] = (float)(in[i] - zp) * s;
        return BNN_OK;
    }
    for (i = 0; i < p->n; i++) {
        size_t c = i / p->inner % (size_t)p->channels;
        out[i] = (float)(in[i] - p->zero_point[c]) * p->scale[c];
    }
    return BNN_OK;
}

BNN_API bnn_status bnn_dequantize_i8_f32(const bnn_quant_i8_params *p, const int8_t *in,
                                         float *out)
{
    return BNN_BEST(PACK, bnn_dequantize_i8_f32)(p, in, out);
}

BNN_API bnn_status bnn_requantize_i8_i8(size_t n, int32_t in_zp, int32_t out_zp,
                                        int32_t mult, int32_t shift, int32_t act_min,
                                        int32_t act_max, const int8_t *in, int8_t *out)
{
    size_t i;
    if (!bnn_i8_zp_ok(in_zp) || !bnn_i8_zp_ok(out_zp) || shift < -31 || shift > 30 ||
        act_min < -128 || act_max > 127 || act_min > act_max || (n > 0 && (!in || !out)))
        return BNN_ARG_ERROR;
    for (i = 0; i < n; i++)
        out[i] = bnn_i8_out(in[i] - in_zp, mult, shift, out_zp, act_min, act_max);
    return BNN_OK;
}

BNN_API bnn_status bnn_copy_channels_i8(int32_t pixels, int32_t c, const int8_t *in,
                                        int32_t in_pixel_stride, int8_t *out,
                                        int32_t out_pixel_stride, int32_t dst_c_offset)
{
    int32_t p;
    if (pixels < 0 || c <= 0 || dst_c_offset < 0 || in_pixel_stride < c ||
        (int64_t)out_pixel_stride < (int64_t)dst_c_offset + c || (pixels > 0 && (!in || !out)))
        return BNN_ARG_ERROR;
    for (p = 0; p < pixels; p++)
        memcpy(out + (size_t)p * (size_t)out_pixel_stride + (size_t)dst_c_offset,
               in + (size_t)p * (size_t)in_pixel_stride, (size_t)c);
    return BNN_OK;
}

BNN_API bnn_status bnn_requantize_i8(const bnn_requantize_i8_params *p, const int8_t *in,
                                     int8_t *out)
{
    if (!p)
        return BNN_ARG_ERROR;
    return bnn_requantize_i8_i8(p->n, p->in_zp, p->out_zp, p->mult, p->shift, p->act_min,
                                p->act_max, in, out);
}

BNN_API bnn_status bnn_copy_channels_p_i8(const bnn_channels_params *p, const int8_t *in,
                                          int8_t *out)
{
    if (!p)
        return BNN_ARG_ERROR;
    return bnn_copy_channels_i8(p->pixels, p->c, in, p->in_pixel_stride, out,
                                p->out_pixel_stride, p->dst_c_offset);
}
