/*
 * bnn_ops.h - float kernels for the elementwise, reduction and layout
 * operators of MXNet graphs that are not convolutions, dense layers or
 * pooling: unary ops with scalar parameters, elementwise binary ops,
 * per-pixel broadcasts, channel means, uint8 input conversion and axis
 * permutation.
 *
 * Same rules as bnn.h: C99, no allocation, no I/O, no globals; inputs
 * are const; every kernel checks its arguments on entry and returns
 * BNN_ARG_ERROR without writing anything when a documented constraint is
 * violated. All arithmetic is float (no double), one IEEE rounding per
 * operation as written (the runtime is built with -ffp-contract=off).
 *
 * The results follow MXNet 1.9.1's CPU operators bit for bit on the same
 * libm; the notes below give the exact definitions, including NaN, signed
 * zero and infinity cases, as observed with MXNet 1.9.1.
 */
#ifndef BNN_OPS_H
#define BNN_OPS_H

#include "bnn.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Elementwise unary ops with scalar parameters
 * ------------------------------------------------------------------------
 *
 * MXNet parses the scalar attributes as double and casts them to the
 * data type, so the compiler passes (float)scalar as a and b.
 *
 *   BNN_UN_ABS     fabsf(x): -0.0 -> +0.0, NaN stays NaN.          (abs)
 *   BNN_UN_SIGN    x < 0 ? -1 : x > 0 ? +1 : +0. So sign(+-0) = +0 and
 *                  sign(NaN) = +0 (MXNet returns 0 for NaN).       (sign)
 *   BNN_UN_CLIP    x > b ? b : x < a ? a : x, with a = a_min,
 *                  b = a_max. NaN stays NaN, -0.0 inside the range
 *                  stays -0.0, a NaN bound is never taken. MXNet does
 *                  not reject a > b; the same formula then gives b for
 *                  x > b and a for every other non-NaN x.          (clip)
 *   BNN_UN_MAX_S   x is NaN ? x : x > a ? x : a. A NaN a gives NaN for
 *                  every x; max(-0.0, +0.0 scalar) = +0.0 and
 *                  max(+0.0, -0.0 scalar) = -0.0 (the scalar wins ties).
 *                                                       (_maximum_scalar)
 *   BNN_UN_MIN_S   x is NaN ? x : x < a ? x : a (same tie rule).
 *                                                       (_minimum_scalar)
 *   BNN_UN_POW_S   powf(x, a) with C99 special cases: negative x with a
 *                  non-integer exponent is NaN, x^0 = 1 even for NaN,
 *                  (-0)^-1 = -inf, (-2)^3 = -8.              (_power_scalar)
 *   BNN_UN_RDIV_S  a / x (IEEE division): a/+-0 = +-inf for a != 0,
 *                  0/0 = NaN, 0/(-1.5) = -0.0.               (_rdiv_scalar)
 *   BNN_UN_ROUND   the nearest integer, halves to the even one (2.5 -> 2,
 *                  3.5 -> 4, -2.5 -> -2), whatever the rounding mode:
 *                  TFLite's ROUND (floor, then up when the rest is above
 *                  one half, or exactly one half and the floor odd).
 *                  As TFLite, -0.4 and -0.5 give +0.0 (the floor -1,
 *                  plus one), -0.0 stays -0.0, +-inf and NaN stay. (ROUND)
 * b is used only by BNN_UN_CLIP; a by every op except ABS, SIGN and ROUND.
 */
typedef enum {
    BNN_UN_ABS,
    BNN_UN_SIGN,
    BNN_UN_CLIP,
    BNN_UN_MAX_S,
    BNN_UN_MIN_S,
    BNN_UN_POW_S,
    BNN_UN_RDIV_S,
    BNN_UN_ROUND
} bnn_unary_op;

typedef struct {
    bnn_unary_op op;
    float a, b;
    size_t n;
} bnn_unary_params;

/* out[i] = op(in[i]; a, b) for n floats. out may equal in (any other
 * overlap is not allowed). Errors: unknown op; n > 0 with a NULL pointer. */
BNN_API bnn_status bnn_unary_f32(const bnn_unary_params *p, const float *in,
                                 float *out);

/* ------------------------------------------------------------------------
 * Elementwise binary ops
 * ------------------------------------------------------------------------
 * One IEEE float operation per element, as MXNet's elemwise_* and
 * broadcast_* operators: x/0 = +-inf, 0/0 = NaN, NaN propagates.
 */
typedef enum {
    BNN_BIN_ADD,
    BNN_BIN_SUB,
    BNN_BIN_MUL,
    BNN_BIN_DIV
} bnn_binary_op;

typedef struct {
    bnn_binary_op op;
    size_t n;
} bnn_binary_params;

/* out[i] = a[i] op b[i] for n floats (SUB is a - b, DIV is a / b).
 * out may equal a or b. Errors: unknown op; n > 0 with a NULL pointer. */
BNN_API bnn_status bnn_binary_f32(const bnn_binary_params *p, const float *a,
                                  const float *b, float *out);

/* Broadcast of a one-channel map over the channels of an NHWC tensor:
 *     out[p*c + ch] = in[p*c + ch] op map[p]
 * for pixels x c floats (SUB subtracts and DIV divides by the map; the
 * XNOR-Net input scaling is MUL). This is broadcast_<op>(x, k) of an NCHW
 * x and a (n, 1, h, w) k, in NHWC. out may equal in; map must not overlap
 * out unless c == 1 and map == out. Errors: unknown op, pixels < 0,
 * c <= 0, a NULL pointer. */
typedef struct {
    bnn_binary_op op;
    int32_t pixels, c;
} bnn_binary_pixel_params;

BNN_API bnn_status bnn_binary_pixel_f32(const bnn_binary_pixel_params *p,
                                        const float *in, const float *map,
                                        float *out);

/* ------------------------------------------------------------------------
 * Channel mean
 * ------------------------------------------------------------------------
 * out[p] = (sum over ch of in[p*c + ch]) / c for pixels x c floats: MXNet's
 * mean(x, axis=1, keepdims=True) of the NCHW tensor, in NHWC.
 *
 * The sum runs in channel order in float with MXNet's compensated
 * summation (mshadow red::sum), starting from s = +0, r = 0:
 *     y = x - r;  t = s + y;  r = isinf(t) ? 0 : (t - s) - y;  s = t;
 * then out = s / (float)c. This reproduces MXNet 1.9.1 bit for bit,
 * including mean(-0.0, ...) = +0.0, mean(inf, 1) = inf, mean(inf, -inf)
 * = NaN and results that a plain running sum would round differently.
 * out may equal in (out[p] is written after pixel p is read, and never
 * lands on a later pixel). Errors: pixels < 0, c <= 0, a NULL pointer.
 */
typedef struct {
    int32_t pixels, c;
} bnn_channel_mean_params;

BNN_API bnn_status bnn_channel_mean_f32(const bnn_channel_mean_params *p,
                                        const float *in, float *out);

/* ------------------------------------------------------------------------
 * Input conversion and permutation
 * ------------------------------------------------------------------------ */

/* uint8 NCHW network input to float NHWC with per-channel normalisation
 * (bnn_layout_params of bnn.h: n, c, h, w, mean and std):
 *     out[((b*h + y)*w + x)*c + ch] =
 *         ((float)in[((b*c + ch)*h + y)*w + x] - mean[ch]) / std[ch]
 * two float roundings (subtraction, then division, as MXNet's
 * broadcast_sub then broadcast_div). mean == NULL means 0 and std == NULL
 * means 1 (both exact). A std of 0 is not rejected: it gives +-inf or NaN
 * like MXNet. Errors: n, c, h or w <= 0; in or out NULL. */
BNN_API bnn_status bnn_u8_nchw_to_nhwc_f32(const bnn_layout_params *p,
                                           const uint8_t *in, float *out);

#define BNN_PERMUTE_MAX_DIMS 6

/* Axis permutation of a row-major tensor with 1..6 dims, as
 * numpy.transpose(in, perm) and MXNet transpose(axes=perm): the input has
 * shape[0..ndim), output axis i has size shape[perm[i]], and
 * out[idx] = in[idx'] with idx'[perm[i]] = idx[i]. Entries past ndim are
 * ignored. Exact copies. in and out must not overlap.
 * Errors: ndim outside 1..6; a NULL pointer; in == out; a shape entry
 * <= 0; perm not a permutation of 0..ndim-1; more than SIZE_MAX /
 * sizeof(float) elements. */
typedef struct {
    int32_t ndim;
    int32_t shape[BNN_PERMUTE_MAX_DIMS];
    int32_t perm[BNN_PERMUTE_MAX_DIMS];
} bnn_permute_params;

BNN_API bnn_status bnn_permute_f32(const bnn_permute_params *p, const float *in,
                                   float *out);

/* ------------------------------------------------------------------------
 * Shapes
 * ------------------------------------------------------------------------ */

/* Output size of a convolution along one axis, or -1 when the dilated
 * kernel does not fit into the padded input. */
static inline int32_t bnn_conv_out_size(int32_t in, int32_t k, int32_t stride,
                                        int32_t pad, int32_t dil)
{
    int64_t span = (int64_t)dil * (k - 1) + 1;
    int64_t num = (int64_t)in + 2 * (int64_t)pad - span;
    if (num < 0 || stride <= 0)
        return -1;
    return (int32_t)(num / stride + 1);
}

/* ------------------------------------------------------------------------
 * Scratch sizes available without linking the runtime
 * ------------------------------------------------------------------------ */

/* Bytes of caller scratch bnn_conv2d_f32 needs; always equal to
 * bnn_conv2d_f32_scratch_size(p) (the float conv needs none). */
static inline size_t bnn_conv2d_f32_scratch_bytes(const bnn_conv2d_params *p)
{
    (void)p;
    return 0;
}

/* Bytes of caller scratch bnn_conv2d_maxpool_f32 needs (the ring of
 * convolution output rows); equal to bnn_conv2d_maxpool_f32_scratch_size,
 * 0 when the sizes are not positive. */
static inline size_t bnn_conv2d_maxpool_f32_scratch_bytes(
    const bnn_conv2d_maxpool_params *p)
{
    int32_t rows = p->pool.k_h < p->conv.out_h ? p->pool.k_h : p->conv.out_h;
    if (rows <= 0 || p->conv.out_w <= 0 || p->conv.out_c <= 0)
        return 0;
    return (size_t)rows * (size_t)p->conv.out_w * (size_t)p->conv.out_c *
           sizeof(float);
}

/* Rows of convolution output bnn_conv2d_pack_f32_b keeps: 1, or the
 * pooling window's height when windows overlap along y. */
static inline int32_t bnn_conv2d_pack_ring_rows(const bnn_conv2d_pack_params *p)
{
    if (p->pool_kind == BNN_POOL_NONE || p->pool.stride_h >= p->pool.k_h)
        return 1;
    return p->pool.k_h < p->conv.out_h ? p->pool.k_h : p->conv.out_h;
}

/* Bytes of caller scratch bnn_conv2d_pack_f32_b needs: the ring of
 * convolution rows, and with pooling one pooled row; equal to
 * bnn_conv2d_pack_f32_b_scratch_size, 0 when the sizes are not positive. */
static inline size_t bnn_conv2d_pack_f32_b_scratch_bytes(const bnn_conv2d_pack_params *p)
{
    size_t ring, pooled = 0;
    if (p->conv.out_w <= 0 || p->conv.out_c <= 0)
        return 0;
    ring = (size_t)bnn_conv2d_pack_ring_rows(p) * (size_t)p->conv.out_w *
           (size_t)p->conv.out_c * sizeof(float);
    if (p->pool_kind != BNN_POOL_NONE && p->pool.out_w > 0)
        pooled = (size_t)p->pool.out_w * (size_t)p->conv.out_c * sizeof(float);
    /* the pooled row starts 64-byte aligned, as the ring does */
    return (ring + 63u) / 64u * 64u + pooled;
}

#ifdef __cplusplus
}
#endif

#endif /* BNN_OPS_H */
