/*
 * bnn_i8_internal.h - what the int8 kernel files share: argument checks,
 * the packed-weight helpers the kernels read, and the driver every SIMD
 * variant of the int8 conv/dense kernels runs around its register tile
 * (conv_i8.c). Static inline or declarations only, so that a kernel file
 * stays self-contained in a --standalone copy.
 */
#ifndef BNN_I8_INTERNAL_H
#define BNN_I8_INTERNAL_H

#include "bnn.h"
#include "bnn_variants.h"

#include <string.h>

/* bnn_i8_rdbpot and the vector forms rely on an arithmetic right shift of
 * negative values. */
typedef char bnn_i8_arithmetic_shift_check[(-8 >> 1) == -4 ? 1 : -1];

/* Wrapping int32 arithmetic (bnn_int8.h: sums are taken modulo 2^32). */
static inline int32_t bnn_i8_wrap(uint32_t v)
{
    return v <= (uint32_t)INT32_MAX ? (int32_t)v : -(int32_t)(~v) - 1;
}

/* The sum of weights of (block, lane), from the int32 after the blocks. */
static inline int32_t bnn_i8_weight_sum(const int8_t *packed, int32_t nblk, int32_t kq,
                                        int32_t lane)
{
    const uint8_t *s = (const uint8_t *)packed + (size_t)nblk * (size_t)kq * 64u +
                       (size_t)lane * 4u;
    return bnn_i8_wrap((uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 |
                       (uint32_t)s[3] << 24);
}

/* The requantised int8 output of accumulator acc (bnn_int8.h). */
static inline int8_t bnn_i8_out(int32_t acc, int32_t mult, int32_t shift, int32_t zp,
                                int32_t lo, int32_t hi)
{
    int32_t v = bnn_i8_wrap((uint32_t)bnn_i8_mbqm(acc, mult, shift) + (uint32_t)zp);
    return (int8_t)(v < lo ? lo : v > hi ? hi : v);
}

static inline int bnn_i8_zp_ok(int32_t zp)
{
    return zp >= -128 && zp <= 127;
}

/* Checks every documented constraint of an int8 conv2d call (bnn_int8.h);
 * out_i8: the _i8 output (requantisation arrays and ranges needed). */
static inline bnn_status bnn_conv2d_i8_check(const bnn_conv2d_i8_params *p,
                                             const void *in, const void *out,
                                             const void *scratch, int out_i8)
{
    int32_t o;
    if (!p || !in || !out || !p->weights || !scratch || ((uintptr_t)scratch & 63u) != 0)
        return BNN_ARG_ERROR;
    if (p->n <= 0 || p->in_h <= 0 || p->in_w <= 0 || p->in_c <= 0 || p->out_h <= 0 ||
        p->out_w <= 0 || p->out_c <= 0 || p->k_h <= 0 || p->k_w <= 0 ||
        p->stride_h <= 0 || p->stride_w <= 0 || p->dil_h <= 0 || p->dil_w <= 0 ||
        p->pad_top < 0 || p->pad_left < 0 || p->groups <= 0)
        return BNN_ARG_ERROR;
    if (p->in_c % p->groups != 0 || p->out_c % p->groups != 0 ||
        p->out_pixel_stride < p->out_c || !bnn_i8_zp_ok(p->in_zp))
        return BNN_ARG_ERROR;
    if ((int64_t)p->k_h * p->k_w * (p->in_c / p->groups) > ((int64_t)1 << 24))
        return BNN_ARG_ERROR;
    if (!out_i8)
        return BNN_OK;
    if (!p->out_mult || !p->out_shift || !bnn_i8_zp_ok(p->out_zp) || p->act_min < -128 ||
        p->act_max > 127 || p->act_min > p->act_max)
        return BNN_ARG_ERROR;
    for (o = 0; o < p->out_c; o++)
        if (p->out_shift[o] < -31 || p->out_shift[o] > 30)
            return BNN_ARG_ERROR;
    return BNN_OK;
}

/* The conv2d parameters of a dense layer: n images of 1 x 1 x in_c. */
static inline bnn_conv2d_i8_params bnn_dense_i8_as_conv(const bnn_dense_i8_params *d)
{
    bnn_conv2d_i8_params c;
    memset(&c, 0, sizeof c);
    c.n = d->n;
    c.in_h = c.in_w = c.out_h = c.out_w = 1;
    c.in_c = d->in_c;
    c.out_c = d->out_c;
    c.k_h = c.k_w = c.stride_h = c.stride_w = c.dil_h = c.dil_w = c.groups = 1;
    c.in_zp = d->in_zp;
    c.out_zp = d->out_zp;
    c.act_min = d->act_min;
    c.act_max = d->act_max;
    c.weights = d->weights;
    c.bias = d->bias;
    c.out_mult = d->out_mult;
    c.out_shift = d->out_shift;
    c.out_pixel_stride = d->out_row_stride;
    return c;
}

/* ------------------------------------------------------------------------
 * The driver of the SIMD conv/dense variants (conv_i8.c)
 * ------------------------------------------------------------------------
 *
 * It walks the output pixels in raster order in tiles of up to tile_p
 * pixels; for each tile and group it gathers each pixel's k inputs in the
 * order of the packed weights (ky, kx, ci; out-of-image taps take the
 * input zero point, the tail up to a whole quad 0) into a row of scratch,
 * in the representation the variant asks for, and calls the variant's
 * tile for every run of up to tile_nb blocks of 16 output channels.
 */
typedef enum {
    BNN_I8_OUT_I8 = 0,
    BNN_I8_OUT_I32 = 1
} bnn_i8_out_kind;

/* How the gathered rows hold an input q, and the effective bias the tile
 * gets (bias + the zero-point terms, per output channel o with weight sum
 * S_o):
 *   S8      q itself (a pad tap: in_zp),        bias - in_zp * S_o
 *   U8      q + 128 as uint8 (q ^ 0x80),        bias - (in_zp + 128) * S_o
 *   S8_ZP   q itself; the tile subtracts in_zp, bias */
typedef enum {
    BNN_I8_ROWS_S8 = 0,
    BNN_I8_ROWS_U8 = 1,
    BNN_I8_ROWS_S8_ZP = 2
} bnn_i8_rows;

/* One call of a tile: np pixels (1..tile_p) x nb blocks (1..tile_nb). */
typedef struct {
    const uint8_t *a;     /* row of pixel q: a + q * a_stride, kq * 4 bytes */
    size_t a_stride;      /* a multiple of 64 */
    int32_t np, nb, kq;
    const int8_t *w;      /* packed weights of the first block */
    size_t w_block;       /* bytes from one block to the next (kq * 64) */
    const int32_t *bias;  /* effective bias of each lane of the nb blocks */
    const int32_t *mult;  /* requantisation per lane (BNN_I8_OUT_I8) */
    const int32_t *lsh;   /* max(shift, 0) per lane */
    const int32_t *rsh;   /* max(-shift, 0) per lane */
    int32_t in_zp, out_zp, act_min, act_max;
    int32_t nvalid;       /* channels to store, from lane 0 of the first block */
    bnn_i8_out_kind kind;
    void *out[BNN_I8_TILE_ROWS]; /* output of pixel q at its first channel */
} bnn_i8_tile;

typedef void (*bnn_i8_tile_fn)(const bnn_i8_tile *t);

/* Checks the call, fills the per-lane tables in scratch and runs the
 * whole convolution with `tile` (tile_p <= BNN_I8_TILE_ROWS pixels,
 * tile_nb blocks at most per call). */
BNN_API bnn_status bnn_conv2d_i8_run(const bnn_conv2d_i8_params *p, const int8_t *in,
                                     void *out, void *scratch, bnn_i8_out_kind kind,
                                     bnn_i8_rows rows, bnn_i8_tile_fn tile, int32_t tile_p,
                                     int32_t tile_nb);

/* The dense entry points of a variant whose conv entry points are
 * name__ISA: dense = conv over n images of 1 x 1 pixel. */
#define BNN_I8_DENSE_ENTRIES(ISA)                                               \
    BNN_API bnn_status bnn_dense_i8_i8__##ISA(const bnn_dense_i8_params *p,    \
                                              const int8_t *in, int8_t *out,     \
                                              void *scratch)                     \
    {                                                                            \
        bnn_conv2d_i8_params c;                                                  \
        if (!p)                                                                  \
            return BNN_ARG_ERROR;                                                \
        c = bnn_dense_i8_as_conv(p);                                             \
        return bnn_conv2d_i8_i8__##ISA(&c, in, out, scratch);                    \
    }                                                                            \
    BNN_API bnn_status bnn_dense_i8_i32__##ISA(const bnn_dense_i8_params *p,   \
                                               const int8_t *in, int32_t *out,   \
                                               void *scratch)                    \
    {                                                                            \
        bnn_conv2d_i8_params c;                                                  \
        if (!p)                                                                  \
            return BNN_ARG_ERROR;                                                \
        c = bnn_dense_i8_as_conv(p);                                             \
        return bnn_conv2d_i8_i32__##ISA(&c, in, out, scratch);                   \
    }

#if BNN_I8_neon
#include <arm_neon.h>

/* bnn_i8_mbqm on 4 lanes (AArch64): vshl (wrapping left shift), vqrdmulh
 * (exactly SaturatingRoundingDoublingHighMul), then RoundingDivideByPOT as
 * TFLite's NEON code does it: a rounding shift right after subtracting 1
 * from negative values (saturating, which only touches INT32_MIN, whose
 * result it does not change). */
static inline int32x4_t bnn_i8_mbqm_neon(int32x4_t x, int32x4_t m, int32x4_t ls,
                                         int32x4_t rs)
{
    int32x4_t neg_e = vnegq_s32(rs), fix;
    x = vqrdmulhq_s32(vshlq_s32(x, ls), m);
    fix = vshrq_n_s32(vandq_s32(x, neg_e), 31);
    return vrshlq_s32(vqaddq_s32(x, fix), neg_e);
}

/* Bias, requantisation and store of the 16 channels of one pixel held in
 * acc[0..3] (channels 4c..4c+3 in acc[c]). The tiles call it through a
 * function of their own that is not inlined: their accumulation loops then
 * keep the accumulators in registers. */
static inline void bnn_i8_store16_neon(const bnn_i8_tile *t, int q, const int32x4_t acc[4])
{
    int32x4_t v[4];
    int32_t nv = t->nvalid < 16 ? t->nvalid : 16, c;
    for (c = 0; c < 4; c++)
        v[c] = vaddq_s32(acc[c], vld1q_s32(t->bias + 4 * c));
    if (t->kind == BNN_I8_OUT_I32) {
        int32_t tmp[16];
        for (c = 0; c < 4; c++)
            vst1q_s32(tmp + 4 * c, v[c]);
        memcpy(t->out[q], tmp, (size_t)nv * 4u);
        return;
    }
    for (c = 0; c < 4; c++) {
        v[c] = bnn_i8_mbqm_neon(v[c], vld1q_s32(t->mult + 4 * c), vld1q_s32(t->lsh + 4 * c),
                                vld1q_s32(t->rsh + 4 * c));
        v[c] = vaddq_s32(v[c], vdupq_n_s32(t->out_zp));
        v[c] = vmaxq_s32(v[c], vdupq_n_s32(t->act_min));
        v[c] = vminq_s32(v[c], vdupq_n_s32(t->act_max));
    }
    {
        int16x8_t lo = vcombine_s16(vmovn_s32(v[0]), vmovn_s32(v[1]));
        int16x8_t hi = vcombine_s16(vmovn_s32(v[2]), vmovn_s32(v[3]));
        int8x16_t b = vcombine_s8(vmovn_s16(lo), vmovn_s16(hi));
        if (nv == 16) {
            vst1q_s8((int8_t *)t->out[q], b);
        } else {
            int8_t tmp[16];
            vst1q_s8(tmp, b);
            memcpy(t->out[q], tmp, (size_t)nv);
        }
    }
}
#endif

#endif
