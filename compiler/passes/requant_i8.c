/*
 * requant_i8.c - compile-time requantisation parameters of the int8
 * operators (requant_i8.h). The formulas are TFLite's (kernel_util.cc
 * PopulateConvolutionQuantizationParams, add.cc / sub.cc / mul.cc Prepare,
 * activations.cc ReluPrepare, quantize.cc, reduce.cc): every scale is the
 * float the model stores, widened to double before it is multiplied or
 * divided, and each real multiplier goes through QuantizeMultiplier
 * (bnn_i8_quantize_multiplier, the runtime's copy of it).
 */
#include "requant_i8.h"

static int quantize(double real, int32_t *mult, int32_t *shift)
{
    bnn_i8_quantize_multiplier(real, mult, shift);
    return *shift < -31 || *shift > 30 ? -1 : 0;
}

int requant_i8_ratio(double in_scale, double out_scale, int32_t *mult, int32_t *shift)
{
    return quantize(in_scale / out_scale, mult, shift);
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
