/*
 * requant_i8.h - the integer parameters of TFLite's int8 operators,
 * computed at compile time from the float scales of their tensors as
 * TFLite's Prepare functions do (double arithmetic on the float scales,
 * QuantizeMultiplier, the fused activation as a quantised clamp).
 * lower.c writes them into the runtime's parameter structs (bnn_int8.h).
 */
#ifndef BNNC_PASSES_REQUANT_I8_H
#define BNNC_PASSES_REQUANT_I8_H

#include <stdint.h>

#include "bnn_int8.h"

/* (mult, shift) of real multiplier in_scale / out_scale (RELU, RELU6,
 * QUANTIZE between int8 tensors, MEAN). Returns 0, or -1 when the shift
 * falls outside the kernels' [-31, 30]. */
int requant_i8_ratio(double in_scale, double out_scale, int32_t *mult, int32_t *shift);

/* The same with the ratio computed in float, as TFLite's int8 ReLU does. */
int requant_i8_ratio_f32(float in_scale, float out_scale, int32_t *mult, int32_t *shift);

/* PRELU and LEAKY_RELU: x >= 0 scaled by in / out, x < 0 (times the
 * quantised alpha for PRELU) by in * a / out, a being the alpha tensor's
 * scale or the leaky ReLU's slope; TFLite computes both in float.
 * Returns 0 or -1 as above. */
int requant_i8_prelu(float in_scale, float a, float out_scale, int32_t *pos_mult,
                     int32_t *pos_shift, int32_t *neg_mult, int32_t *neg_shift);

/* Per output channel o of a convolution or dense layer:
 * QuantizeMultiplier(in_scale * w_scale[o] / out_scale), w_scale holding
 * out_c values (per channel) or 1 (per tensor). Returns 0 or -1 as above. */
int requant_i8_channels(double in_scale, const float *w_scale, int n_w_scale,
                        double out_scale, int32_t out_c, int32_t *mult, int32_t *shift);

/* ADD and SUB: left shift 20, each input scaled by s / (2 max(sa, sb)),
 * the sum by 2 max(sa, sb) / (2^20 so); MUL: the product by sa sb / so.
 * Fills the multipliers and shifts of p (zero points and clamp are the
 * caller's). Returns 0 or -1 as above. */
int requant_i8_addsub(double sa, double sb, double so, bnn_eltwise_i8_params *p);
int requant_i8_mul(double sa, double sb, double so, bnn_eltwise_i8_params *p);

/* The 256-entry table of an int8 function of one int8 value, as TFLite's
 * LUTPopulate<int8_t> computes it when it prepares LOGISTIC (and its
 * other table-driven int8 activations), every step in float: entry
 * q + 128 = clamp(roundf(fn(in_scale * (q - in_zp)) * (1 / out_scale))
 * + out_zp, -128, 127), roundf rounding half away from zero. */
void requant_i8_lut(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp,
                    float (*fn)(float), int8_t table[256]);

#endif
