/*
 * requant_i8.c - compile-time requantisation parameters of the int8
 * operators (requant_i8.h). The formulas are TFLite's (kernel_util.cc
 * PopulateConvolutionQuantizationParams, add.cc / sub.cc / mul.cc Prepare,
 * quantize.cc, reduce.cc, activations.cc, prelu.cc): every scale is the
 * float the model stores, widened to double before it is multiplied or
 * divided, except in the activations (ReLU, leaky ReLU, PReLU), whose
 * Prepare divides the floats in float; each real multiplier goes through
 * QuantizeMultiplier (bnn_i8_quantize_multiplier, the runtime's copy).
 */
#include "requant_i8.h"

#include <float.h>
#include <math.h>

/* 0, or -1 when the multiplier is out of the kernels' range (also for
 * an infinite or NaN ratio of extreme scales). */
static int quantize(double real, int32_t *mult, int32_t *shift)
{
    if (!(fabs(real) <= DBL_MAX))
        return -1;
    bnn_i8_quantize_multiplier(real, mult, shift);
    return *shift < -31 || *shift > 30 ? -1 : 0;
}

int requant_i8_ratio(double in_scale, double out_scale, int32_t *mult, int32_t *shift)
{
    return quantize(in_scale / out_scale, mult, shift);
}

int requant_i8_ratio_f32(float in_scale, float out_scale, int32_t *mult, int32_t *shift)
{
    float r = in_scale / out_scale;
    return quantize((double)r, mult, shift);
}

int requant_i8_prelu(float in_scale, float a, float out_scale, int32_t *pos_mult,
                     int32_t *pos_shift, int32_t *neg_mult, int32_t *neg_shift)
{
    float pos = in_scale / out_scale, neg = in_scale * a / out_scale;
    if (quantize((double)pos, pos_mult, pos_shift) || quantize((double)neg, neg_mult, neg_shift))
        return -1;
    return 0;
}

int requant_i8_channels(double in_scale, const float *w_scale, int n_w_scale,
                        double out_scale, int32_t out_c, int32_t *mult, int32_t *shift)
{
    int32_t o;
    for (o = 0; o < out_c; o++) {
        double ws = (double)w_scale[n_w_scale == 1 ? 0 : o];
        if (quantize(in_scale * ws / out_scale, &mult[o], &shift[o]))
            return -1;
    }
    return 0;
}

int requant_i8_addsub(double sa, double sb, double so, bnn_eltwise_i8_params *p)
{
    double twice_max = 2.0 * (sa > sb ? sa : sb);
    p->left_shift = 20;
    if (quantize(sa / twice_max, &p->a_mult, &p->a_shift) ||
        quantize(sb / twice_max, &p->b_mult, &p->b_shift) ||
        quantize(twice_max / ((double)(1 << p->left_shift) * so), &p->out_mult, &p->out_shift))
        return -1;
    return 0;
}

int requant_i8_mul(double sa, double sb, double so, bnn_eltwise_i8_params *p)
{
    p->left_shift = 0;
    p->a_mult = p->b_mult = 0;
    p->a_shift = p->b_shift = 0;
    return quantize(sa * sb / so, &p->out_mult, &p->out_shift);
}

void requant_i8_lut(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp,
                    float (*fn)(float), int8_t table[256])
{
    float inv = 1.0f / out_scale;
    int32_t q;
    for (q = -128; q <= 127; q++) {
        float x = in_scale * (float)(q - in_zp);
        float v = roundf(fn(x) * inv) + (float)out_zp;
        /* the clamp before the conversion: the same as TFLite's for
         * every value an int32 holds, and defined beyond (NaN: -128) */
        table[q + 128] = (int8_t)(v >= 127.0f ? 127 : !(v > -128.0f) ? -128 : (int32_t)v);
    }
}
