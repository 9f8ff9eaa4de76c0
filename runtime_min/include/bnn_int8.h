/*
 * bnn_int8.h - int8 kernels with TensorFlow Lite's integer semantics, for
 * models read from .tflite files and for float layers run in int8.
 *
 * Same rules as bnn.h (C99, no allocation, no I/O, const parameter
 * structs, BNN_ARG_ERROR with nothing written on a violated constraint).
 * Tensors are NHWC. Activations are asymmetric int8 (real value =
 * scale * (q - zero_point)), weights symmetric int8 per output channel
 * (zero point 0), biases int32 with scale in_scale * w_scale[c] and zero
 * point 0, exactly as TFLite's reference kernels (default build, double
 * rounding; docs/runtime-int8-kernels.md gives every formula).
 *
 * Integer arithmetic wraps: accumulators, the left shift of the
 * requantisation and the addition of the output zero point are computed
 * modulo 2^32 (what TFLite's C++ does on every target, where overflow is
 * formally undefined), so every variant gives the same bits even for
 * biases and multipliers at the int32 limits.
 */
#ifndef BNN_INT8_H
#define BNN_INT8_H

#include "bnn.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Fixed-point requantisation (gemmlowp / TFLite), usable at compile time
 * ------------------------------------------------------------------------ */

/* SaturatingRoundingDoublingHighMul: a * b / 2^31 rounded to nearest
 * with ties toward +infinity (the nudge 2^30 or 1 - 2^30, then a division
 * that truncates: 1.5 -> 2, -1.5 -> -1), INT32_MIN * INT32_MIN saturating
 * to INT32_MAX. Equal to floor((a*b + 2^30) / 2^31). */
static inline int32_t bnn_i8_srdhm(int32_t a, int32_t b)
{
    int64_t ab, nudge;
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    ab = (int64_t)a * (int64_t)b;
    nudge = ab >= 0 ? ((int64_t)1 << 30) : 1 - ((int64_t)1 << 30);
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* RoundingDivideByPOT: x / 2^e rounded to nearest, ties away from zero
 * (0 <= e <= 31). Needs an arithmetic right shift of negative values, as
 * every supported compiler gives. */
static inline int32_t bnn_i8_rdbpot(int32_t x, int32_t e)
{
    int32_t mask = (int32_t)(((int64_t)1 << e) - 1);
    int32_t rem = x & mask;
    int32_t thr = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> e) + (rem > thr ? 1 : 0);
}

/* MultiplyByQuantizedMultiplier: x * mult * 2^(shift - 31) with TFLite's
 * two roundings; shift in [-31, 30]. The left shift wraps modulo 2^32. */
static inline int32_t bnn_i8_mbqm(int32_t x, int32_t mult, int32_t shift)
{
    int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    return bnn_i8_rdbpot(bnn_i8_srdhm((int32_t)((uint32_t)x << left), mult), right);
}

/* QuantizeMultiplier: the (mult, shift) with real ~= mult * 2^(shift - 31),
 * mult in [2^30, 2^31) (0 for real == 0, and for reals below 2^-32, as
 * TFLite; shift 32, which no kernel accepts, for an infinite or NaN real).
 * A kernel accepts shift in [-31, 30]. */
static inline void bnn_i8_quantize_multiplier(double real, int32_t *mult, int32_t *shift)
{
    int e = 0;
    double q;
    int64_t qf;
    if (real == 0.0) {
        *mult = 0;
        *shift = 0;
        return;
    }
    if (!(fabs(real) <= DBL_MAX)) { /* inf or NaN: a shift every kernel refuses */
        *mult = 0;
        *shift = 32;
        return;
    }
    q = frexp(real, &e);
    qf = (int64_t)round(q * 2147483648.0);
    if (qf == ((int64_t)1 << 31)) {
        qf /= 2;
        e++;
    }
    if (e < -31) {
        e = 0;
        qf = 0;
    }
    *mult = (int32_t)qf;
    *shift = (int32_t)e;
}

/* TFLite's fused-activation clamp of an int8 tensor (scale, zero_point):
 * act 0 none, 1 RELU, 2 RELU_N1_TO_1, 3 RELU6 (ActivationFunctionType);
 * a bound v becomes zero_point + round(v / scale), the division in float,
 * round half away from zero, intersected with [-128, 127]. */
static inline void bnn_i8_act_range(int act, float scale, int32_t zero_point,
                                    int32_t *act_min, int32_t *act_max)
{
    int32_t lo = -128, hi = 127, q;
    if (act == 1 || act == 3) {
        q = zero_point + (int32_t)roundf(0.0f / scale);
        lo = q > lo ? q : lo;
    }
    if (act == 3) {
        q = zero_point + (int32_t)roundf(6.0f / scale);
        hi = q < hi ? q : hi;
    }
    if (act == 2) {
        q = zero_point + (int32_t)roundf(-1.0f / scale);
        lo = q > lo ? q : lo;
        q = zero_point + (int32_t)roundf(1.0f / scale);
        hi = q < hi ? q : hi;
    }
    *act_min = lo;
    *act_max = hi;
}

/* ------------------------------------------------------------------------
 * Packed int8 weights of convolutions and dense layers
 * ------------------------------------------------------------------------
 *
 * The weights of one group (og = out_c/groups output channels, each a row
 * of k values; OHWI flattens to rows of k = k_h*k_w*(in_c/groups) in the
 * order (ky, kx, ci), a dense layer's [out_c][in_c] is already rows) are
 * stored in blocks of BNN_I8_OC_BLOCK output channels, each block as
 * ceil(k/4) quads of [16 channels][4 consecutive k], zero where k or the
 * channel runs out:
 *     byte ((b * kq + k/4) * 16 + lane) * 4 + k%4
 * for block b = group * ceil(og/16) + (o % og) / 16, lane (o % og) % 16.
 * After the last block, one little-endian int32 per (block, lane): the sum
 * of that channel's weights (0 for unused lanes), which the kernels need
 * to turn a zero point into a constant. bnn_i8_pack_weights() writes this
 * layout; the array needs no particular alignment.
 */
#define BNN_I8_OC_BLOCK 16

static inline int32_t bnn_i8_weight_blocks(int32_t out_c, int32_t groups)
{
    return groups * ((out_c / groups + BNN_I8_OC_BLOCK - 1) / BNN_I8_OC_BLOCK);
}

/* Bytes of packed weights for out_c rows of k in `groups` groups. */
static inline size_t bnn_i8_weight_bytes(int32_t out_c, int32_t groups, int32_t k)
{
    size_t kq = ((size_t)k + 3u) / 4u;
    return (size_t)bnn_i8_weight_blocks(out_c, groups) * (kq * 64u + 64u);
}

/* Byte index of weight (o, kk) in the packed layout. */
static inline size_t bnn_i8_weight_index(int32_t out_c, int32_t groups, int32_t k,
                                         int32_t o, int32_t kk)
{
    int32_t og = out_c / groups, bpg = (og + BNN_I8_OC_BLOCK - 1) / BNN_I8_OC_BLOCK;
    size_t kq = ((size_t)k + 3u) / 4u;
    size_t b = (size_t)(o / og) * (size_t)bpg + (size_t)((o % og) / BNN_I8_OC_BLOCK);
    size_t lane = (size_t)((o % og) % BNN_I8_OC_BLOCK);
    return ((b * kq + (size_t)kk / 4u) * BNN_I8_OC_BLOCK + lane) * 4u + (size_t)kk % 4u;
}

/* Packs rows w[out_c][k] (groups dividing out_c) into `packed`
 * (bnn_i8_weight_bytes(out_c, groups, k) bytes). */
static inline void bnn_i8_pack_weights(int32_t out_c, int32_t groups, int32_t k,
                                       const int8_t *w, int8_t *packed)
{
    int32_t o, kk, nblk = bnn_i8_weight_blocks(out_c, groups);
    int32_t og = out_c / groups, bpg = (og + BNN_I8_OC_BLOCK - 1) / BNN_I8_OC_BLOCK;
    size_t kq = ((size_t)k + 3u) / 4u, i, nb = bnn_i8_weight_bytes(out_c, groups, k);
    uint8_t *sums = (uint8_t *)packed + (size_t)nblk * kq * 64u;
    for (i = 0; i < nb; i++)
        packed[i] = 0;
    for (o = 0; o < out_c; o++) {
        uint32_t s = 0;
        size_t lane = (size_t)((o / og) * bpg + (o % og) / BNN_I8_OC_BLOCK) *
                          BNN_I8_OC_BLOCK + (size_t)((o % og) % BNN_I8_OC_BLOCK);
        for (kk = 0; kk < k; kk++) {
            int32_t v = w[(size_t)o * (size_t)k + (size_t)kk];
            packed[bnn_i8_weight_index(out_c, groups, k, o, kk)] = (int8_t)v;
            s += (uint32_t)v;
        }
        sums[lane * 4u] = (uint8_t)s;
        sums[lane * 4u + 1u] = (uint8_t)(s >> 8);
        sums[lane * 4u + 2u] = (uint8_t)(s >> 16);
        sums[lane * 4u + 3u] = (uint8_t)(s >> 24);
    }
}

/* ------------------------------------------------------------------------
 * Convolution and dense
 * ------------------------------------------------------------------------
 *
 * conv2d (TFLite CONV_2D; a depthwise convolution with depth multiplier 1
 * is also groups == in_c, but bnn_dwconv2d_i8_i8 is faster for it):
 *   acc[n,y,x,o] = bias[o] + sum over ky, kx, ci of
 *       w[o,ky,kx,ci] * (in[n, y*stride_h - pad_top + ky*dil_h,
 *                             x*stride_w - pad_left + kx*dil_w,
 *                             g*cg + ci] - in_zp)
 *   with g = o / (out_c/groups), cg = in_c/groups, taps outside the image
 *   skipped (the same as padding with in_zp), bias NULL meaning 0;
 *   _i8:  out = clamp(mbqm(acc, out_mult[o], out_shift[o]) + out_zp,
 *                     act_min, act_max)
 *   _i32: out = acc.
 * Output pixels are out_pixel_stride elements apart (>= out_c), so a layer
 * can write into a channel slice of a wider tensor.
 *
 * Constraints: all sizes > 0; groups divides in_c and out_c; pad_top,
 * pad_left >= 0; stride, dilation > 0; in_zp, out_zp in [-128, 127];
 * -128 <= act_min <= act_max <= 127; out_shift[o] in [-31, 30] (_i8);
 * k_h*k_w*in_c/groups <= 2^24. The output size is any out_h, out_w >= 1
 * (windows may lie partly or wholly in the padding). scratch: at least
 * bnn_conv2d_i8_scratch_bytes(p) bytes, 64-byte aligned, non-null.
 */
typedef struct {
    int32_t n, in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t dil_h, dil_w;
    int32_t groups;
    int32_t in_zp, out_zp;
    int32_t act_min, act_max;
    const int8_t *weights;    /* bnn_i8_pack_weights of OHWI [out_c][k_h][k_w][cg] */
    const int32_t *bias;      /* out_c, or NULL */
    const int32_t *out_mult;  /* out_c (_i8 output) */
    const int32_t *out_shift; /* out_c (_i8 output) */
    int32_t out_pixel_stride;
} bnn_conv2d_i8_params;

/* Rows of input taps each variant gathers at once (see the scratch). */
#define BNN_I8_TILE_ROWS 4

/* Bytes of scratch every variant of the int8 conv and dense kernels fits
 * in: four int32 per (block, lane) of the packed weights (the effective
 * bias and the requantisation of each output channel), then
 * BNN_I8_TILE_ROWS rows of the reduction (k rounded up to 64 bytes). */
static inline size_t bnn_conv2d_i8_scratch_bytes(const bnn_conv2d_i8_params *p)
{
    size_t k = (size_t)p->k_h * (size_t)p->k_w * (size_t)(p->in_c / (p->groups > 0 ? p->groups : 1));
    size_t lanes = (size_t)bnn_i8_weight_blocks(p->out_c, p->groups > 0 ? p->groups : 1) *
                   BNN_I8_OC_BLOCK;
    return lanes * 16u + BNN_I8_TILE_ROWS * ((k + 63u) / 64u * 64u);
}

BNN_API bnn_status bnn_conv2d_i8_i8(const bnn_conv2d_i8_params *p, const int8_t *in,
                                    int8_t *out, void *scratch);
BNN_API bnn_status bnn_conv2d_i8_i32(const bnn_conv2d_i8_params *p, const int8_t *in,
                                     int32_t *out, void *scratch);

/*
 * Dense (TFLite FULLY_CONNECTED): n rows of in_c values,
 *   acc[r,o] = bias[o] + sum_i w[o,i] * (in[r,i] - in_zp)
 * then the output as for conv2d; rows out_row_stride elements apart.
 * Weights bnn_i8_pack_weights(out_c, 1, in_c, ...). Same constraints;
 * scratch: bnn_dense_i8_scratch_bytes(p) bytes, 64-byte aligned.
 */
typedef struct {
    int32_t n, in_c, out_c;
    int32_t in_zp, out_zp;
    int32_t act_min, act_max;
    const int8_t *weights;
    const int32_t *bias;
    const int32_t *out_mult;
    const int32_t *out_shift;
    int32_t out_row_stride;
} bnn_dense_i8_params;

static inline size_t bnn_dense_i8_scratch_bytes(const bnn_dense_i8_params *p)
{
    size_t lanes = (size_t)bnn_i8_weight_blocks(p->out_c, 1) * BNN_I8_OC_BLOCK;
    return lanes * 16u + BNN_I8_TILE_ROWS * (((size_t)p->in_c + 63u) / 64u * 64u);
}

BNN_API bnn_status bnn_dense_i8_i8(const bnn_dense_i8_params *p, const int8_t *in,
                                   int8_t *out, void *scratch);
BNN_API bnn_status bnn_dense_i8_i32(const bnn_dense_i8_params *p, const int8_t *in,
                                    int32_t *out, void *scratch);

/*
 * Dense with float output (a classifier computed in int8 without rounding
 * its logits to 256 levels): the int32 accumulators of d (as _i32; d's
 * out_zp, act_min, act_max, out_mult and out_shift are not used) become
 *   out[r,o] = (float)acc[r,o] * out_scale[o] + out_bias[o]
 * (product and sum rounded separately; out_bias NULL meaning no sum),
 * rows d.out_row_stride floats apart. The accumulators are written into
 * out first, then converted in place, so no scratch beyond the dense
 * layer's own. Same constraints as dense; out_scale non-null.
 */
typedef struct {
    bnn_dense_i8_params d;
    const float *out_scale; /* out_c: input scale x weight scale */
    const float *out_bias;  /* out_c, or NULL */
} bnn_dense_i8_f32_params;

BNN_API bnn_status bnn_dense_i8_f32(const bnn_dense_i8_f32_params *p, const int8_t *in,
                                    float *out, void *scratch);

/*
 * Depthwise conv2d (TFLite DEPTHWISE_CONV_2D): output channel
 * o = ic * mult + m reads input channel ic = o / mult;
 *   acc = bias[o] + sum over taps of w[ky][kx][o] * (in[.., ic] - in_zp)
 * then as conv2d (_i8 output). Weights in TFLite's own layout
 * [k_h][k_w][out_c], out_c = in_c * mult. Same constraints as conv2d
 * (mult >= 1); no scratch.
 */
typedef struct {
    int32_t n, in_h, in_w, in_c;
    int32_t out_h, out_w, mult;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t dil_h, dil_w;
    int32_t in_zp, out_zp;
    int32_t act_min, act_max;
    const int8_t *weights;
    const int32_t *bias;
    const int32_t *out_mult;
    const int32_t *out_shift;
    int32_t out_pixel_stride; /* >= in_c * mult */
} bnn_dwconv2d_i8_params;

BNN_API bnn_status bnn_dwconv2d_i8_i8(const bnn_dwconv2d_i8_params *p, const int8_t *in,
                                      int8_t *out);

/* ------------------------------------------------------------------------
 * Conversions
 * ------------------------------------------------------------------------
 *
 * Element i of an n-element tensor belongs to channel (i / inner) % channels
 * (channels 1: per tensor; inner 1: the last axis).
 *   quantize (TFLite QUANTIZE, float in):
 *     q = clamp((int32)round(x / scale[ch]) + zero_point[ch], -128, 127),
 *     the division in float, round half away from zero; +-inf saturate,
 *     NaN gives -128 (TFLite leaves it undefined).
 *   dequantize (TFLite DEQUANTIZE): x = (float)(q - zero_point[ch]) * scale[ch]
 *     (one rounding: the product is exact in double).
 * Errors: channels < 1, inner < 1, NULL pointers with n > 0, a zero point
 * outside [-128, 127].
 */
typedef struct {
    size_t n;
    int32_t channels;
    size_t inner;
    const float *scale;
    const int32_t *zero_point;
} bnn_quant_i8_params;

BNN_API bnn_status bnn_quantize_f32_i8(const bnn_quant_i8_params *p, const float *in,
                                       int8_t *out);
BNN_API bnn_status bnn_dequantize_i8_f32(const bnn_quant_i8_params *p, const int8_t *in,
                                         float *out);

/* Requantize, n elements:
 * out = clamp(mbqm(q - in_zp, mult, shift) + out_zp, act_min, act_max),
 * (mult, shift) = QuantizeMultiplier(in_scale / out_scale). With
 * [-128, 127] it is TFLite's QUANTIZE between int8 tensors; with the
 * bnn_i8_act_range of RELU, RELU6 or RELU_N1_TO_1 it is TFLite's int8
 * RELU, RELU6, RELU_N1_TO_1 (ReluX). In place allowed. */
BNN_API bnn_status bnn_requantize_i8_i8(size_t n, int32_t in_zp, int32_t out_zp,
                                        int32_t mult, int32_t shift, int32_t act_min,
                                        int32_t act_max, const int8_t *in, int8_t *out);

/* bnn_requantize_i8_i8 with its arguments in a parameter struct (the
 * form generated code calls). */
typedef struct {
    size_t n;
    int32_t in_zp, out_zp;
    int32_t mult, shift;
    int32_t act_min, act_max;
} bnn_requantize_i8_params;

BNN_API bnn_status bnn_requantize_i8(const bnn_requantize_i8_params *p, const int8_t *in,
                                     int8_t *out);

/* Copy c channels of every pixel into a wider tensor (concatenation of
 * tensors with the same scale and zero point):
 * out[p*out_pixel_stride + dst_c_offset + ch] = in[p*in_pixel_stride + ch]. */
BNN_API bnn_status bnn_copy_channels_i8(int32_t pixels, int32_t c, const int8_t *in,
                                        int32_t in_pixel_stride, int8_t *out,
                                        int32_t out_pixel_stride, int32_t dst_c_offset);
/* The same with bnn.h's channel-copy parameters (pixels, c, strides,
 * dst_c_offset). */
BNN_API bnn_status bnn_copy_channels_p_i8(const bnn_channels_params *p, const int8_t *in,
                                          int8_t *out);

/* ------------------------------------------------------------------------
 * Element-wise arithmetic (TFLite ADD, SUB, MUL)
 * ------------------------------------------------------------------------
 *
 * out[i] = f(a[i], b[i % b_len]) for i < n, b_len dividing n (b_len == n:
 * same shapes; 1: a scalar; the channel count of an NHWC a: a per-channel
 * b). With da = a - a_zp, db = b - b_zp:
 *   add/sub: left_shift = 20 (TFLite's int8 value),
 *     sa = mbqm(da * 2^left_shift, a_mult, a_shift),
 *     sb = mbqm(db * 2^left_shift, b_mult, b_shift),
 *     out = clamp(mbqm(sa +- sb, out_mult, out_shift) + out_zp, act_min, act_max)
 *     with a_mult/a_shift = QM(s_a / (2 max(s_a, s_b))), b the same, and
 *     out = QM(2 max(s_a, s_b) / (2^left_shift s_out));
 *   mul: out = clamp(mbqm(da * db, out_mult, out_shift) + out_zp, ...),
 *     out = QM(s_a s_b / s_out); a_mult.. are unused.
 * In place (out == a) allowed.
 */
typedef struct {
    int32_t a_zp, b_zp, out_zp;
    int32_t left_shift;
    int32_t a_mult, a_shift, b_mult, b_shift;
    int32_t out_mult, out_shift;
    int32_t act_min, act_max;
} bnn_eltwise_i8_params;

BNN_API bnn_status bnn_add_i8(const bnn_eltwise_i8_params *p, size_t n, const int8_t *a,
                              size_t b_len, const int8_t *b, int8_t *out);
BNN_API bnn_status bnn_sub_i8(const bnn_eltwise_i8_params *p, size_t n, const int8_t *a,
                              size_t b_len, const int8_t *b, int8_t *out);
BNN_API bnn_status bnn_mul_i8(const bnn_eltwise_i8_params *p, size_t n, const int8_t *a,
                              size_t b_len, const int8_t *b, int8_t *out);

/* ------------------------------------------------------------------------
 * Pooling, padding, mean
 * ------------------------------------------------------------------------
 *
 * Pooling (TFLite MAX_POOL_2D, AVERAGE_POOL_2D; input and output share
 * scale and zero point): the window of output (y, x) starts at
 * (y*stride_h - pad_top, x*stride_w - pad_left), k_h x k_w, and only its
 * in-image taps count;
 *   max: the largest q;
 *   avg: s = sum of q, c = number of taps,
 *        out = s > 0 ? (s + c/2) / c : (s - c/2) / c  (C division);
 * then clamp to [act_min, act_max]. Every window must hold an in-image tap.
 */
typedef struct {
    int32_t n, in_h, in_w, c;
    int32_t out_h, out_w;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t act_min, act_max;
} bnn_pool2d_i8_params;

BNN_API bnn_status bnn_maxpool_i8(const bnn_pool2d_i8_params *p, const int8_t *in,
                                  int8_t *out);
BNN_API bnn_status bnn_avgpool_i8(const bnn_pool2d_i8_params *p, const int8_t *in,
                                  int8_t *out);

/* Constant padding of an NHWC tensor (TFLite PAD of an int8 tensor pads
 * with its zero point): out is n x (h+top+bottom) x (w+left+right) x c. */
typedef struct {
    int32_t n, h, w, c;
    int32_t top, bottom, left, right;
    int8_t value;
} bnn_pad2d_i8_params;

BNN_API bnn_status bnn_pad2d_i8(const bnn_pad2d_i8_params *p, const int8_t *in,
                                int8_t *out);

/* Mean over H and W of an NHWC tensor (TFLite MEAN, axes (1, 2), int8,
 * the 4-D path of reference_integer_ops::Mean): for each (n, c),
 *   s = sum of (q - in_zp) over the h*w pixels, t = mbqm(s, mult, shift)
 *   with (mult, shift) = QM(in_scale / out_scale),
 *   out = clamp((t > 0 ? (t + hw/2) / hw : (t - hw/2) / hw) + out_zp, -128, 127).
 * out holds n x c values. */
BNN_API bnn_status bnn_mean_hw_i8(int32_t n, int32_t h, int32_t w, int32_t c, int32_t in_zp,
                                  int32_t out_zp, int32_t mult, int32_t shift,
                                  const int8_t *in, int8_t *out);

/* PReLU and leaky ReLU (TFLite PRELU, LEAKY_RELU), n elements whose
 * channel is i % c: with x = q - in_zp,
 *   x >= 0: out = mbqm(x, pos_mult, pos_shift) + out_zp
 *   x <  0: out = mbqm(x * (alpha[i % c] - alpha_zp), neg_mult, neg_shift)
 *                 + out_zp (PRELU, alpha a per-channel int8 tensor), or
 *           out = mbqm(x, neg_mult, neg_shift) + out_zp (LEAKY_RELU: alpha
 *                 NULL, the slope is in neg_mult)
 * clamped to [-128, 127]. (pos, neg) = QM(s_in / s_out),
 * QM(s_in * s_alpha / s_out) (leaky: s_in * alpha / s_out). In place
 * allowed. Errors: c < 1, zero points outside [-128, 127], shifts outside
 * [-31, 30], NULL tensors with n > 0. */
typedef struct {
    size_t n;
    int32_t c;
    int32_t in_zp, out_zp, alpha_zp;
    int32_t pos_mult, pos_shift, neg_mult, neg_shift;
    const int8_t *alpha;
} bnn_prelu_i8_params;

BNN_API bnn_status bnn_prelu_i8(const bnn_prelu_i8_params *p, const int8_t *in, int8_t *out);

/* Softmax along the last axis (TFLite SOFTMAX, int8 in and out, the float
 * lookup table of its optimized kernel), rows of len values: with m the
 * largest q of a row and T[k] = table[255 - m + k],
 *   sum = T[q_0] + T[q_1] + ... (float, in order),
 *   inv = 1.0f / (sum * out_scale),
 *   out = clamp((int32)roundf(T[q] * inv) + out_zp, -128, 127),
 * where table[255 - v] = expf(-in_scale * beta * v) for v in [0, 255]
 * (bnn_softmax_i8_table; TFLite's out_scale is 1/256, out_zp -128). */
typedef struct {
    int32_t rows, len;
    float out_scale;
    int32_t out_zp;
    const float *table; /* 256 values */
} bnn_softmax_i8_params;

/* The table of a softmax of input scale in_scale and beta, as TFLite's
 * PopulateSoftmaxLookupTable (float arithmetic, expf). */
static inline void bnn_softmax_i8_table(float in_scale, float beta, float table[256])
{
    float s = -in_scale * beta;
    int32_t v;
    for (v = 0; v <= 255; v++)
        table[255 - v] = expf(s * (float)v);
}

BNN_API bnn_status bnn_softmax_i8(const bnn_softmax_i8_params *p, const int8_t *in,
                                  int8_t *out);

/* Hard swish x * relu6(x + 3) / 6 (TFLite HARD_SWISH, int8), n elements,
 * in TFLite's 16-bit fixed point (reference_ops::HardSwish): with
 * h = (q - in_zp) * 2^7, p = srdhm16(h, out_mult), the "relu-ish" value
 * r = h scaled by (relu_mult, relu_exp) with saturation, mapped from
 * [-1, 1] to [0, 1] as (r + 2^15) >> 1, then
 * out = clamp(rdbpot(sdhm16(r, p), -out_exp) + out_zp, -128, 127),
 * sdhm16 being the doubling high product without rounding. The int16
 * multipliers are bnn_i8_hard_swish_multipliers'. out_exp in [-15, 0],
 * relu_exp in [-15, 15]. */
typedef struct {
    size_t n;
    int32_t in_zp, out_zp;
    int16_t out_mult, relu_mult;
    int32_t out_exp, relu_exp;
} bnn_hard_swish_i8_params;

/* TFLite's HardSwishPrepare: the hires input scale s_in / 128, out =
 * QM(hires / s_out), relu = QM(hires / (3 / 32768)), each multiplier
 * rounded to its top 16 bits (DownScaleInt32ToInt16Multiplier), the
 * quotients in float. */
static inline void bnn_i8_hard_swish_multipliers(float in_scale, float out_scale,
                                                 bnn_hard_swish_i8_params *p)
{
    float hires = (1.0f / 128.0f) * in_scale;
    float om = hires / out_scale, rm = hires / (3.0f / 32768.0f);
    int32_t m, s;
    bnn_i8_quantize_multiplier((double)om, &m, &s);
    p->out_mult = (int16_t)(m >= INT32_MAX - (1 << 15) ? INT16_MAX : (m + (1 << 15)) >> 16);
    p->out_exp = s;
    bnn_i8_quantize_multiplier((double)rm, &m, &s);
    p->relu_mult = (int16_t)(m >= INT32_MAX - (1 << 15) ? INT16_MAX : (m + (1 << 15)) >> 16);
    p->relu_exp = s;
}

BNN_API bnn_status bnn_hard_swish_i8(const bnn_hard_swish_i8_params *p, const int8_t *in,
                                     int8_t *out);

/* An int8 function of one int8 value, by table: out[i] = table[in[i] + 128]
 * for n elements (in == out allowed). The compiler fills the 256 entries
 * from the operator's quantisation, as TFLite's LUTPopulate does for its
 * int8 LOGISTIC, so one kernel serves every int8 elementwise function of
 * one input. */
typedef struct {
    size_t n;
    const int8_t *table; /* 256 values, entry q + 128 for input q */
} bnn_lut_i8_params;

BNN_API bnn_status bnn_lut_i8(const bnn_lut_i8_params *p, const int8_t *in, int8_t *out);

/* bnn_mean_hw_i8 with its arguments in a parameter struct. */
typedef struct {
    int32_t n, h, w, c;
    int32_t in_zp, out_zp;
    int32_t mult, shift;
} bnn_mean_i8_params;

BNN_API bnn_status bnn_mean_i8(const bnn_mean_i8_params *p, const int8_t *in, int8_t *out);

#ifdef __cplusplus
}
#endif

#endif /* BNN_INT8_H */
