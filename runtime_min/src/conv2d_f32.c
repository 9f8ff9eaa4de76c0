/*
 * conv2d_f32.c - float 2-D convolution, NHWC, direct (no im2col buffer).
 *
 * The weight layout [groups][og/16][k_h][k_w][cg][16] puts the output channels of
 * one tap and input channel next to each other, so the kernel vectorises
 * over output channels: a register tile holds CONV_PX output pixels of one
 * output row times CONV_OB output channels; for every (tap, input channel)
 * it broadcasts one input value per pixel and multiplies it into the tile.
 *
 * For one kernel row ky, the input elements of the taps kx = 0..k_w-1 of a
 * pixel are contiguous in NHWC when the dilation along x is 1 and there is
 * a single group, in the same order as the weights (kx, ci). The reduction
 * over (kx, ci) is then one loop of k_w*in_c steps (21 for a 7x7 RGB stem,
 * 576 for a 3x3 conv over 64 channels); otherwise it is k_w loops of cg.
 *
 * Borders are not handled with per-tap checks: the taps of a pixel that
 * fall inside the image form a contiguous range of ky and of kx, so border
 * pixels run the same tile code over a shorter range, one pixel at a time.
 * Depthwise convolution (one input and one output channel per group)
 * vectorises over channels instead, with the weights of a block of
 * channels transposed into a small local tile.
 *
 * Rounding: every product is rounded, then added (no fused multiply-add:
 * the runtime is built with -ffp-contract=off). Every output is the sum
 * over taps in the order (ky, kx, ci) starting from 0, then + bias, then
 * the activation. That order does not depend on the tile sizes or on the
 * vector width, so the result is the same on every target.
 * BNN_CONV_ORDER_FMA (bnn.h) has tiles of its own (the *_fma functions
 * below and the variants' fma kits): each output starts at its bias and
 * takes the taps in the same order, each with one fused multiply-add.
 *
 * Per-ISA variants (runtime_min/arch/) replace only the register tile
 * (fconv_tile) and reuse the driver below through bnn_conv2d_f32_run; see
 * bnn_float_internal.h.
 */
#include "bnn.h"
#include "bnn_float_internal.h"

#include <float.h>
#include <stddef.h>
#include <string.h>

#define CONV_OB BNN_CONV_OB
#define CONV_PX BNN_CONV_PX
#define DW_CB 16   /* channels per depthwise block */
#define DW_TAPS 16 /* taps of weights held per depthwise chunk */

typedef bnn_conv_red conv_red;
typedef bnn_conv_taps conv_taps;

/* Bias, activation and store of nb channels of one pixel. */
static inline void conv_store(const float *restrict acc, int32_t nb,
                              const float *restrict bias, int relu,
                              float *restrict dst)
{
    for (int32_t j = 0; j < nb; ++j) {
        float v = acc[j];
        if (bias)
            v += bias[j];
        dst[j] = relu ? bnn_fl_relu(v) : v;
    }
}

/*
 * One register tile: np (1..CONV_PX) pixels x CONV_OB channels, summed over
 * all valid taps, then stored with bias and activation to dst (pixels
 * `ops` floats apart). The body always computes CONV_PX pixels (missing
 * ones repeat pixel 0 and are not stored): one fixed statement per pixel
 * keeps the channel loop innermost and large, which is the shape that
 * compilers reliably vectorise over channels with the tile in registers
 * (smaller bodies get vectorised along the reduction instead).
 */
static void fconv_tile(int32_t np, const conv_red *r, const conv_taps *t,
                      const float *bias, int relu, float *dst, ptrdiff_t ops)
{
    float acc[CONV_PX][CONV_OB];
    const ptrdiff_t og = r->og;
    const int32_t nseg = r->contiguous ? 1 : t->nkx;
    const int32_t len = r->contiguous ? t->nkx * r->cg : r->cg;
    const ptrdiff_t s1 = np > 1 ? t->pstep : 0;
    const ptrdiff_t s2 = np > 2 ? 2 * t->pstep : 0;
    const ptrdiff_t s3 = np > 3 ? 3 * t->pstep : 0;
    for (int q = 0; q < CONV_PX; ++q)
        for (int j = 0; j < CONV_OB; ++j)
            acc[q][j] = 0.0f;
    for (int32_t ky = 0; ky < t->nky; ++ky)
        for (int32_t s = 0; s < nseg; ++s) {
            const float *restrict a0 = t->a + ky * t->a_ky + s * r->kx_in;
            const float *restrict a1 = a0 + s1;
            const float *restrict a2 = a0 + s2;
            const float *restrict a3 = a0 + s3;
            const float *restrict ws = t->w + ky * t->w_ky + s * r->kx_w;
            for (int32_t i = 0; i < len; ++i) {
                const float *restrict wr = ws + i * og;
                const float x0 = a0[i], x1 = a1[i], x2 = a2[i], x3 = a3[i];
                for (int j = 0; j < CONV_OB; ++j) {
                    const float wj = wr[j];
                    acc[0][j] += x0 * wj;
                    acc[1][j] += x1 * wj;
                    acc[2][j] += x2 * wj;
                    acc[3][j] += x3 * wj;
                }
            }
        }
    for (int32_t q = 0; q < np; ++q)
        conv_store(acc[q], CONV_OB, bias, relu, dst + q * ops);
}

/* As fconv_tile for one pixel and nb < CONV_OB channels (the last tile of a
 * group whose og is not a multiple of CONV_OB). */
static void conv_tile_part(const conv_red *r, const conv_taps *t, int32_t nb,
                           const float *restrict bias, int relu,
                           float *restrict dst)
{
    float acc[CONV_OB];
    const ptrdiff_t og = r->og;
    const int32_t nseg = r->contiguous ? 1 : t->nkx;
    const int32_t len = r->contiguous ? t->nkx * r->cg : r->cg;
    for (int j = 0; j < CONV_OB; ++j)
        acc[j] = 0.0f;
    for (int32_t ky = 0; ky < t->nky; ++ky)
        for (int32_t s = 0; s < nseg; ++s) {
            const float *restrict as = t->a + ky * t->a_ky + s * r->kx_in;
            const float *restrict ws = t->w + ky * t->w_ky + s * r->kx_w;
            for (int32_t i = 0; i < len; ++i) {
                const float *restrict wr = ws + i * og;
                const float x = as[i];
                for (int32_t j = 0; j < nb; ++j)
                    acc[j] += x * wr[j];
            }
        }
    conv_store(acc, nb, bias, relu, dst);
}

#if !defined(BNN_CONV_NO_ORDER_FMA)
/* BNN_CONV_ORDER_FMA: as fconv_tile, each sum starting at the bias and
 * taking every tap with one fused multiply-add (bnn_fmaf). Generated code
 * that asks for no such convolution defines BNN_CONV_NO_ORDER_FMA and
 * leaves these tiles (and the software fma of cores without one) out. */
static void fconv_tile_fma(int32_t np, const conv_red *r, const conv_taps *t,
                           const float *bias, int relu, float *dst, ptrdiff_t ops)
{
    float acc[CONV_PX][CONV_OB];
    const ptrdiff_t og = r->og;
    const int32_t nseg = r->contiguous ? 1 : t->nkx;
    const int32_t len = r->contiguous ? t->nkx * r->cg : r->cg;
    const ptrdiff_t s1 = np > 1 ? t->pstep : 0;
    const ptrdiff_t s2 = np > 2 ? 2 * t->pstep : 0;
    const ptrdiff_t s3 = np > 3 ? 3 * t->pstep : 0;
    for (int q = 0; q < CONV_PX; ++q)
        for (int j = 0; j < CONV_OB; ++j)
            acc[q][j] = bias ? bias[j] : 0.0f;
    for (int32_t ky = 0; ky < t->nky; ++ky)
        for (int32_t s = 0; s < nseg; ++s) {
            const float *restrict a0 = t->a + ky * t->a_ky + s * r->kx_in;
            const float *restrict a1 = a0 + s1;
            const float *restrict a2 = a0 + s2;
            const float *restrict a3 = a0 + s3;
            const float *restrict ws = t->w + ky * t->w_ky + s * r->kx_w;
            for (int32_t i = 0; i < len; ++i) {
                const float *restrict wr = ws + i * og;
                const float x0 = a0[i], x1 = a1[i], x2 = a2[i], x3 = a3[i];
                for (int j = 0; j < CONV_OB; ++j) {
                    const float wj = wr[j];
                    acc[0][j] = bnn_fmaf(x0, wj, acc[0][j]);
                    acc[1][j] = bnn_fmaf(x1, wj, acc[1][j]);
                    acc[2][j] = bnn_fmaf(x2, wj, acc[2][j]);
                    acc[3][j] = bnn_fmaf(x3, wj, acc[3][j]);
                }
            }
        }
    for (int32_t q = 0; q < np; ++q)
        conv_store(acc[q], CONV_OB, NULL, relu, dst + q * ops);
}

/* As conv_tile_part in BNN_CONV_ORDER_FMA. */
static void conv_tile_part_fma(const conv_red *r, const conv_taps *t, int32_t nb,
                               const float *restrict bias, int relu,
                               float *restrict dst)
{
    float acc[CONV_OB];
    const ptrdiff_t og = r->og;
    const int32_t nseg = r->contiguous ? 1 : t->nkx;
    const int32_t len = r->contiguous ? t->nkx * r->cg : r->cg;
    for (int32_t j = 0; j < nb; ++j)
        acc[j] = bias ? bias[j] : 0.0f;
    for (int32_t ky = 0; ky < t->nky; ++ky)
        for (int32_t s = 0; s < nseg; ++s) {
            const float *restrict as = t->a + ky * t->a_ky + s * r->kx_in;
            const float *restrict ws = t->w + ky * t->w_ky + s * r->kx_w;
            for (int32_t i = 0; i < len; ++i) {
                const float *restrict wr = ws + i * og;
                const float x = as[i];
                for (int32_t j = 0; j < nb; ++j)
                    acc[j] = bnn_fmaf(x, wr[j], acc[j]);
            }
        }
    conv_store(acc, nb, NULL, relu, dst);
}

static const bnn_conv_kit portable_fma_kit = {fconv_tile_fma, CONV_PX, NULL, NULL, 0,
                                              NULL, 1, NULL, 0, 0, NULL, NULL, 0, 0};
#define PORTABLE_FMA_KIT (&portable_fma_kit)
#else
#define PORTABLE_FMA_KIT NULL
#endif

/* The kit that computes p's order: kit itself, or its variant's
 * BNN_CONV_ORDER_FMA kit (the portable one when it has none). */
static const bnn_conv_kit *order_kit(const bnn_conv2d_params *p, const bnn_conv_kit *kit)
{
    if (p->order != BNN_CONV_ORDER_FMA || kit->fma)
        return kit;
    return kit->fma_kit ? kit->fma_kit : PORTABLE_FMA_KIT;
}

/* Valid tap range [*lo, *hi) along one axis for the output position whose
 * window starts at input coordinate `start`. */
static void tap_range(int32_t start, int32_t k, int32_t dil, int32_t in,
                      int32_t *lo, int32_t *hi)
{
    int32_t l = 0, h = k;
    if (start < 0)
        l = (-start + dil - 1) / dil;
    if (start + (k - 1) * dil >= in)
        h = (in - 1 - start) / dil + 1;
    if (h < l)
        h = l;
    *lo = l;
    *hi = h;
}

/* The taps of a border tile of np columns from input column ix0. */
static void border_taps(const bnn_conv2d_params *p, int finite, const float *a_row,
                        const float *w_row, ptrdiff_t a_ky, ptrdiff_t w_ky, int32_t nky,
                        int32_t ix0, int32_t np, bnn_conv_btaps *b)
{
    b->row = a_row;
    b->a_ky = a_ky;
    b->in_c = p->in_c;
    b->w = w_row;
    b->w_ky = w_ky;
    b->nky = nky;
    b->kw = p->k_w;
    b->x0 = ix0;
    b->sx = p->stride_w;
    b->dx = p->dil_w;
    b->in_w = p->in_w;
    b->finite = finite;
    for (int32_t q = 0; q < np; ++q)
        tap_range(ix0 + q * p->stride_w, p->k_w, p->dil_w, p->in_w,
                  &b->kx_lo[q], &b->kx_hi[q]);
}

/* A kit's border tile over np columns from input column ix0: kept out
 * of conv_out_row so that its taps table is on the stack only when a
 * variant has a border tile (microcontrollers have none). */
BNN_NOINLINE void border_tile(const bnn_conv2d_params *p, const conv_red *r,
                              const bnn_conv_kit *kit, int finite,
                              const float *a_row, const float *w_row,
                              ptrdiff_t a_ky, ptrdiff_t w_ky, int32_t nky,
                              int32_t ix0, int32_t np, const float *bias,
                              int relu, float *d)
{
    bnn_conv_btaps b;
    border_taps(p, finite, a_row, w_row, a_ky, w_ky, nky, ix0, np, &b);
    kit->btile(np, r, &b, bias, relu, d, p->out_pixel_stride);
}

/*
 * One output row of one group and one block of nb output channels
 * (starting at group channel ob0). `in_img` is image n of the input,
 * `dst` the first output pixel of the row at channel g*og + ob0. Columns
 * [ox_lo, ox_hi) have their whole window inside the image. Full blocks
 * go to the kit's tile (interior runs) and btile (tiles holding border
 * pixels; without a btile, border pixels go one at a time to tile), blocks
 * of 8 to tile8 for interior runs (and border pixels, one at a time, when
 * the kit's tile8_any), everything else to conv_tile_part. Only columns
 * [ox_b, ox_e) are computed.
 * r is the block's reduction (block_reduction): its og is nb.
 */
static void conv_out_row(const bnn_conv2d_params *p, const conv_red *r,
                         const bnn_conv_kit *kit, int finite, const float *in_img,
                         int32_t g, int32_t oy, int32_t ob0, int32_t nb,
                         int32_t ox_lo, int32_t ox_hi, int32_t ox_b, int32_t ox_e,
                         float *dst)
{
    const int32_t cg = r->cg, og = p->out_c / p->groups;
    const ptrdiff_t ops = p->out_pixel_stride;
    const float *bias = p->bias ? p->bias + g * og + ob0 : NULL;
    const int relu = p->act == BNN_ACT_RELU;
    const int32_t iy0 = oy * p->stride_h - p->pad_h;
    int32_t ky_lo, ky_hi;
    tap_range(iy0, p->k_h, p->dil_h, p->in_h, &ky_lo, &ky_hi);
    conv_taps t;
    t.pstep = (ptrdiff_t)p->stride_w * p->in_c;
    t.a_ky = (ptrdiff_t)p->dil_h * p->in_w * p->in_c;
    t.w_ky = (ptrdiff_t)p->k_w * cg * nb;
    const int32_t nky = ky_hi - ky_lo;
    const float *a_row = in_img, *w_row = p->weights;
    if (nky > 0) {
        a_row += (ptrdiff_t)(iy0 + ky_lo * p->dil_h) * p->in_w * p->in_c +
                 (ptrdiff_t)g * cg;
        w_row += bnn_conv2d_weight_index(p->k_h, p->k_w, cg, og, g, ky_lo, 0, 0, ob0);
    }
    const int full = nb == CONV_OB;
    const int eight = nb == 8 && kit->tile8 != NULL;
    const int32_t px = full ? kit->px : eight ? kit->px8 : 1;

    if (ox_lo < ox_b)
        ox_lo = ox_b;
    if (ox_hi > ox_e)
        ox_hi = ox_e;
    int32_t ox = ox_b;
    while (ox < ox_e) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        float *d = dst + (ptrdiff_t)ox * ops;
        int32_t np = 1;
        if (full && kit->btile && nky > 0 && (ox < ox_lo || ox >= ox_hi ||
                                              ox + px > ox_hi)) {
            /* a tile of px columns holding border pixels */
            np = ox_e - ox < px ? ox_e - ox : px;
            if (ox >= ox_lo && ox + np <= ox_hi) {
                /* all interior after all (the row's last tile) */
            } else {
                border_tile(p, r, kit, finite, a_row, w_row, t.a_ky, t.w_ky, nky,
                            ix0, np, bias, relu, d);
                ox += np;
                continue;
            }
        }
        int32_t kx_lo = 0, kx_hi = p->k_w;
        if ((full || eight) && ox >= ox_lo && ox < ox_hi) {
            if (np == 1)
                np = ox_hi - ox < px ? ox_hi - ox : px;
        } else {
            np = 1;
            tap_range(ix0, p->k_w, p->dil_w, p->in_w, &kx_lo, &kx_hi);
        }
        t.nky = nky;
        t.nkx = kx_hi - kx_lo;
        t.a = a_row;
        t.w = w_row;
        if (nky > 0 && t.nkx > 0) {
            t.a += (ptrdiff_t)(ix0 + kx_lo * p->dil_w) * p->in_c;
            t.w += (size_t)kx_lo * (size_t)cg * (size_t)nb;
        } else {
            t.nky = t.nkx = 0; /* no tap inside the image: bias only */
        }
        if (full)
            kit->tile(np, r, &t, bias, relu, d, ops);
        else if (eight && (kit->tile8_any || (ox >= ox_lo && ox < ox_hi)))
            kit->tile8(np, r, &t, bias, relu, d, ops);
#if !defined(BNN_CONV_NO_ORDER_FMA)
        else if (kit->fma)
            conv_tile_part_fma(r, &t, nb, bias, relu, d);
#endif
        else
            conv_tile_part(r, &t, nb, bias, relu, d);
        ox += np;
    }
}

/* Channels of the block of a group's output channels starting at ob0:
 * CONV_OB, or what is left at the end of the group. */
static int32_t block_width(int32_t og, int32_t ob0)
{
    return og - ob0 < CONV_OB ? og - ob0 : CONV_OB;
}

/* The reduction of the block of nb output channels: its weights are
 * [k_h][k_w][cg][nb] (bnn_conv2d_weight_index), so the tiles read rows of
 * nb floats. */
static void block_reduction(const conv_red *r, int32_t nb, conv_red *rb)
{
    *rb = *r;
    rb->og = nb;
    rb->kx_w = (ptrdiff_t)r->cg * nb;
}

#if BNN_CONV_HAVE_WIDE
/* A border tile of the kit's wide tile over np columns from input column
 * ix0 (as border_tile); returns its wbtile's answer. */
BNN_NOINLINE int border_wtile(const bnn_conv2d_params *p, const conv_red *r,
                              const bnn_conv_kit *kit, int finite,
                              const float *a_row, const float *w_row,
                              ptrdiff_t a_ky, ptrdiff_t w_ky, ptrdiff_t wblk,
                              int32_t nky, int32_t ix0, int32_t np, int32_t nbk,
                              const float *bias, int relu, float *d)
{
    bnn_conv_btaps b;
    border_taps(p, finite, a_row, w_row, a_ky, w_ky, nky, ix0, np, &b);
    return kit->wbtile(np, nbk, r, &b, wblk, bias, relu, d, p->out_pixel_stride);
}

/*
 * One output row of one group and nbk (2..kit->wnb) full blocks of 16
 * output channels from group channel ob0, through the kit's wide tile:
 * interior runs of up to wpx columns go to wtile, tiles holding border
 * pixels to wbtile, and what it declines to conv_out_row block by block.
 * r is a block's reduction (block_reduction with 16).
 */
static void conv_out_row_wide(const bnn_conv2d_params *p, const conv_red *r,
                              const bnn_conv_kit *kit, int finite, const float *in_img,
                              int32_t g, int32_t oy, int32_t ob0, int32_t nbk,
                              int32_t ox_lo, int32_t ox_hi, float *dst)
{
    const int32_t cg = r->cg, og = p->out_c / p->groups;
    const ptrdiff_t ops = p->out_pixel_stride;
    const ptrdiff_t wblk = (ptrdiff_t)p->k_h * p->k_w * cg * CONV_OB;
    const float *bias = p->bias ? p->bias + g * og + ob0 : NULL;
    const int relu = p->act == BNN_ACT_RELU;
    const int32_t iy0 = oy * p->stride_h - p->pad_h;
    int32_t ky_lo, ky_hi;
    tap_range(iy0, p->k_h, p->dil_h, p->in_h, &ky_lo, &ky_hi);
    const int32_t nky = ky_hi - ky_lo;
    conv_taps t;
    t.pstep = (ptrdiff_t)p->stride_w * p->in_c;
    t.a_ky = (ptrdiff_t)p->dil_h * p->in_w * p->in_c;
    t.w_ky = (ptrdiff_t)p->k_w * cg * CONV_OB;
    t.nky = nky;
    t.nkx = p->k_w;
    const float *a_row = in_img, *w_row = p->weights;
    if (nky > 0) {
        a_row += (ptrdiff_t)(iy0 + ky_lo * p->dil_h) * p->in_w * p->in_c +
                 (ptrdiff_t)g * cg;
        w_row += bnn_conv2d_weight_index(p->k_h, p->k_w, cg, og, g, ky_lo, 0, 0, ob0);
    }
    /* the row in tiles of as equal a width as wpx allows (7 columns:
     * 4 + 3, not 6 + 1) */
    const int32_t ntile = (p->out_w + kit->wpx - 1) / kit->wpx;
    const int32_t base = p->out_w / ntile, extra = p->out_w % ntile;
    for (int32_t ox = 0, k = 0; ox < p->out_w; ++k) {
        const int32_t np = base + (k < extra);
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        float *d = dst + (ptrdiff_t)ox * ops;
        if (nky > 0 && ox >= ox_lo && ox + np <= ox_hi) {
            t.a = a_row + (ptrdiff_t)ix0 * p->in_c;
            t.w = w_row;
            kit->wtile(np, nbk, r, &t, wblk, bias, relu, d, ops);
        } else if (!(nky > 0 && kit->wbtile &&
                     border_wtile(p, r, kit, finite, a_row, w_row, t.a_ky, t.w_ky, wblk,
                                  nky, ix0, np, nbk, bias, relu, d))) {
            for (int32_t b = 0; b < nbk; ++b)
                conv_out_row(p, r, kit, finite, in_img, g, oy, ob0 + b * CONV_OB, CONV_OB,
                             ox_lo, ox_hi, ox, ox + np, dst + b * CONV_OB);
        }
        ox += np;
    }
}

#endif

/* Full blocks of 16 output channels from ob0 that the kit's wide tile
 * takes at once (0 or 1: none; go block by block). */
static int32_t wide_blocks(const bnn_conv_kit *kit, int32_t og, int32_t ob0)
{
#if BNN_CONV_HAVE_WIDE
    const int32_t full = (og - ob0) / CONV_OB;
    if (!kit->wtile || full < 2)
        return 0;
    return full < kit->wnb ? full : kit->wnb;
#else
    (void)kit, (void)og, (void)ob0;
    return 0;
#endif
}

/* Every block of output channels of row oy of group g (dst at the row's
 * first pixel, channel g*og). */
static void conv_row_blocks(const bnn_conv2d_params *p, const conv_red *r,
                            const bnn_conv_kit *kit, int finite, const float *in_img,
                            int32_t g, int32_t oy, int32_t ox_lo, int32_t ox_hi,
                            float *dst)
{
    const int32_t og = p->out_c / p->groups;
    conv_red rb;
    for (int32_t ob0 = 0; ob0 < og;) {
#if BNN_CONV_HAVE_WIDE
        const int32_t nbk = wide_blocks(kit, og, ob0);
        if (nbk) {
            block_reduction(r, CONV_OB, &rb);
            conv_out_row_wide(p, &rb, kit, finite, in_img, g, oy, ob0, nbk, ox_lo, ox_hi,
                              dst + ob0);
            ob0 += nbk * CONV_OB;
            continue;
        }
#endif
        const int32_t nb = block_width(og, ob0);
        block_reduction(r, nb, &rb);
        conv_out_row(p, &rb, kit, finite, in_img, g, oy, ob0, nb, ox_lo, ox_hi, 0,
                     p->out_w, dst + ob0);
        ob0 += nb;
    }
}

/* 1 when every weight is finite (bnn_conv_btaps.finite); checked only
 * when the kit has a border tile and there are border columns. */
static int weights_finite(const bnn_conv2d_params *p, const bnn_conv_kit *kit,
                          int32_t ox_lo, int32_t ox_hi)
{
    if ((!kit->btile && !kit->wbtile) || (ox_lo == 0 && ox_hi == p->out_w))
        return 0;
    const size_t n = (size_t)p->k_h * (size_t)p->k_w * (size_t)(p->in_c / p->groups) *
                     (size_t)p->out_c;
    uint32_t bad = 0;
    for (size_t i = 0; i < n; ++i) { /* exponent all ones: inf or NaN */
        uint32_t u;
        memcpy(&u, &p->weights[i], sizeof u);
        bad |= (~u & 0x7F800000u) == 0u;
    }
    return !bad;
}

/* The reduction layout of a (non-depthwise) convolution's tiles. */
static void conv_reduction(const bnn_conv2d_params *p, conv_red *r)
{
    r->cg = p->in_c / p->groups;
    r->og = p->out_c / p->groups;
    r->contiguous = p->groups == 1 && p->dil_w == 1;
    r->kx_in = (ptrdiff_t)p->dil_w * p->in_c;
    r->kx_w = (ptrdiff_t)r->cg * r->og;
}

/* Output columns [*lo, *hi) whose whole window lies inside the image. */
static void interior_cols(const bnn_conv2d_params *p, int32_t *lo,
                          int32_t *hi)
{
    int32_t l = 0, h = p->out_w;
    while (l < h && l * p->stride_w - p->pad_w < 0)
        ++l;
    while (h > l && (h - 1) * p->stride_w - p->pad_w +
                            (p->k_w - 1) * p->dil_w >= p->in_w)
        --h;
    *lo = l;
    *hi = h;
}

/*
 * np (1..CONV_PX) depthwise output pixels whose windows lie inside the
 * image, DW_CB channels, the nt taps of the current chunk:
 * acc[q][j] += x[q*pstep + off[t] + j] * wt[t][j], with `x` the input at
 * the first pixel's window origin and the channel block start. As in
 * fconv_tile, the body always computes CONV_PX pixels (missing ones repeat
 * pixel 0; their sums are discarded by the caller).
 */
static void dw_tile(int32_t np, const float *restrict x, ptrdiff_t pstep,
                    const ptrdiff_t *restrict off, int32_t nt,
                    const float (*restrict wt)[DW_CB],
                    float (*restrict acc)[DW_CB])
{
    const ptrdiff_t s1 = np > 1 ? pstep : 0;
    const ptrdiff_t s2 = np > 2 ? 2 * pstep : 0;
    const ptrdiff_t s3 = np > 3 ? 3 * pstep : 0;
    float a[CONV_PX][DW_CB];
    for (int q = 0; q < CONV_PX; ++q)
        for (int j = 0; j < DW_CB; ++j)
            a[q][j] = acc[q][j];
    for (int32_t t = 0; t < nt; ++t) {
        const float *restrict x0 = x + off[t];
        const float *restrict x1 = x0 + s1;
        const float *restrict x2 = x0 + s2;
        const float *restrict x3 = x0 + s3;
        const float *restrict w = wt[t];
        for (int j = 0; j < DW_CB; ++j) {
            const float wj = w[j];
            a[0][j] += x0[j] * wj;
            a[1][j] += x1[j] * wj;
            a[2][j] += x2[j] * wj;
            a[3][j] += x3[j] * wj;
        }
    }
    for (int q = 0; q < CONV_PX; ++q)
        for (int j = 0; j < DW_CB; ++j)
            acc[q][j] = a[q][j];
}

/*
 * Depthwise: output channel c reads only input channel c (cg = og = 1).
 * Works on blocks of DW_CB channels, vectorised over channels; the weights
 * of up to DW_TAPS taps of a block are transposed into a local tile
 * [tap][channel]. With more taps than DW_TAPS, later chunks add onto the
 * partial sums stored in the output, which keeps the summation order
 * (taps in (ky, kx) order, then bias; BNN_CONV_ORDER_BIAS: bias, then the
 * taps) of a single pass.
 */
static void conv_depthwise(const bnn_conv2d_params *p, const float *in,
                           float *out)
{
    const int32_t C = p->in_c, kw = p->k_w;
    const int32_t taps = p->k_h * p->k_w;
    const ptrdiff_t ops = p->out_pixel_stride;
    const int relu = p->act == BNN_ACT_RELU;
    const float *bias0 = p->order == BNN_CONV_ORDER_BIAS ? p->bias : NULL;
    float wt[DW_TAPS][DW_CB];
    ptrdiff_t off[DW_TAPS];
    int32_t tky[DW_TAPS], tkx[DW_TAPS];
    const float(*wtc)[DW_CB] = (const float(*)[DW_CB])wt;
    const ptrdiff_t pstep = (ptrdiff_t)p->stride_w * C;
    int32_t ox_lo, ox_hi;
    interior_cols(p, &ox_lo, &ox_hi);
    for (int32_t n = 0; n < p->n; ++n) {
        const float *in_img = in + (size_t)n * (size_t)p->in_h *
                                       (size_t)p->in_w * (size_t)C;
        float *out_img = out + (size_t)n * (size_t)p->out_h *
                                   (size_t)p->out_w * (size_t)ops;
        for (int32_t c0 = 0; c0 < C; c0 += DW_CB) {
            const int32_t nb = C - c0 < DW_CB ? C - c0 : DW_CB;
            for (int32_t t0 = 0; t0 < taps; t0 += DW_TAPS) {
                const int32_t nt = taps - t0 < DW_TAPS ? taps - t0 : DW_TAPS;
                const int first = t0 == 0, last = t0 + nt == taps;
                for (int32_t t = 0; t < nt; ++t) {
                    tky[t] = (t0 + t) / kw;
                    tkx[t] = (t0 + t) % kw;
                    off[t] = ((ptrdiff_t)tky[t] * p->dil_h * p->in_w +
                              (ptrdiff_t)tkx[t] * p->dil_w) * C;
                    for (int32_t j = 0; j < DW_CB; ++j)
                        wt[t][j] = j < nb ? p->weights[(size_t)(c0 + j) *
                                                           (size_t)taps +
                                                       (size_t)(t0 + t)]
                                          : 0.0f;
                }
                for (int32_t oy = 0; oy < p->out_h; ++oy) {
                    const int32_t iy0 = oy * p->stride_h - p->pad_h;
                    int32_t ky_lo, ky_hi;
                    tap_range(iy0, p->k_h, p->dil_h, p->in_h, &ky_lo, &ky_hi);
                    const int row_full = ky_lo == 0 && ky_hi == p->k_h;
                    int32_t ox = 0;
                    while (ox < p->out_w) {
                        const int32_t ix0 = ox * p->stride_w - p->pad_w;
                        float *dst = out_img +
                                     ((ptrdiff_t)oy * p->out_w + ox) * ops + c0;
                        /* Window origin relative to the image; may lie in
                         * the padding, so only valid taps are added to it. */
                        const ptrdiff_t org =
                            ((ptrdiff_t)iy0 * p->in_w + ix0) * C + c0;
                        float acc[CONV_PX][DW_CB];
                        int32_t np = 1;
                        if (row_full && nb == DW_CB && ox >= ox_lo &&
                            ox < ox_hi) {
                            np = ox_hi - ox < CONV_PX ? ox_hi - ox : CONV_PX;
                            for (int32_t q = 0; q < CONV_PX; ++q)
                                for (int j = 0; j < DW_CB; ++j)
                                    acc[q][j] = q >= np ? 0.0f
                                                : !first ? dst[q * ops + j]
                                                : bias0  ? bias0[c0 + j]
                                                         : 0.0f;
                            dw_tile(np, in_img + org, pstep, off, nt, wtc,
                                    acc);
                        } else {
                            int32_t kx_lo, kx_hi;
                            tap_range(ix0, kw, p->dil_w, p->in_w, &kx_lo,
                                      &kx_hi);
                            for (int j = 0; j < DW_CB; ++j)
                                acc[0][j] = j >= nb ? 0.0f
                                            : !first ? dst[j]
                                            : bias0  ? bias0[c0 + j]
                                                     : 0.0f;
                            for (int32_t t = 0; t < nt; ++t) {
                                if (tky[t] < ky_lo || tky[t] >= ky_hi ||
                                    tkx[t] < kx_lo || tkx[t] >= kx_hi)
                                    continue;
                                const float *xt = in_img + (org + off[t]);
                                for (int32_t j = 0; j < nb; ++j)
                                    acc[0][j] += xt[j] * wt[t][j];
                            }
                        }
                        for (int32_t q = 0; q < np; ++q) {
                            if (last)
                                conv_store(acc[q], nb,
                                           p->bias && !bias0 ? p->bias + c0 : NULL,
                                           relu, dst + q * ops);
                            else
                                for (int32_t j = 0; j < nb; ++j)
                                    dst[q * ops + j] = acc[q][j];
                        }
                        ox += np;
                    }
                }
            }
        }
    }
}

static int conv_args_ok(const bnn_conv2d_params *p, const float *in,
                        const float *out)
{
    if (!p || !in || !out || !p->weights)
        return 0;
    if (p->n <= 0 || p->in_h <= 0 || p->in_w <= 0 || p->in_c <= 0 ||
        p->out_h <= 0 || p->out_w <= 0 || p->out_c <= 0 || p->k_h <= 0 ||
        p->k_w <= 0 || p->stride_h <= 0 || p->stride_w <= 0 ||
        p->pad_h < 0 || p->pad_w < 0 || p->dil_h <= 0 || p->dil_w <= 0 ||
        p->groups <= 0)
        return 0;
    if (p->in_c % p->groups || p->out_c % p->groups)
        return 0;
    if (p->act != BNN_ACT_NONE && p->act != BNN_ACT_RELU)
        return 0;
    if (p->order != BNN_CONV_ORDER_SUM &&
        (p->order != BNN_CONV_ORDER_FMA || p->groups != 1) &&
        (p->order != BNN_CONV_ORDER_BIAS || p->groups != p->in_c ||
         p->groups != p->out_c))
        return 0;
#if defined(BNN_CONV_NO_ORDER_FMA)
    if (p->order == BNN_CONV_ORDER_FMA)
        return 0;
#endif
    if (p->out_pixel_stride < p->out_c)
        return 0;
    return bnn_conv_out_size(p->in_h, p->k_h, p->stride_h, p->pad_h,
                           p->dil_h) == p->out_h &&
           bnn_conv_out_size(p->in_w, p->k_w, p->stride_w, p->pad_w,
                           p->dil_w) == p->out_w;
}

BNN_API size_t bnn_conv2d_f32_scratch_size(const bnn_conv2d_params *p)
{
    (void)p;
    return 0;
}

static int kit_ok(const bnn_conv_kit *kit)
{
    return kit && kit->tile && kit->px >= 1 && kit->px <= BNN_CONV_PX_MAX &&
           (!kit->tile8 || (kit->px8 >= 1 && kit->px8 <= BNN_CONV_PX_MAX)) &&
           (!kit->wtile || (kit->wpx >= 1 && kit->wpx <= BNN_CONV_PX_MAX &&
                            kit->wnb >= 2 && kit->wnb <= BNN_CONV_WNB_MAX));
}

/* Checks the arguments and runs the convolution with the variant's kit
 * (what the kit lacks uses the portable code, which performs the same
 * roundings in the same order). */
BNN_FL_INLINE void conv_blocks(const bnn_conv2d_params *p, const float *in, float *out,
                       const bnn_conv_kit *kit);

/* 1x1, stride 1: output pixel i reads input pixel i, so the batch of
 * images is one row of n*h*w pixels (tiles run across rows). Not inlined:
 * the copy of the parameters is on the stack only for these. */
BNN_NOINLINE void conv_1x1(const bnn_conv2d_params *p, const float *in, float *out,
                           const bnn_conv_kit *kit)
{
    bnn_conv2d_params flat = *p;
    flat.n = 1;
    flat.in_h = flat.out_h = 1;
    flat.in_w = flat.out_w = p->n * p->in_h * p->in_w;
    conv_blocks(&flat, in, out, kit);
}

BNN_API bnn_status bnn_conv2d_f32_run(const bnn_conv2d_params *p, const float *in,
                              float *out, const bnn_conv_kit *kit)
{
    if (!conv_args_ok(p, in, out) || !kit_ok(kit))
        return BNN_ARG_ERROR;
    kit = order_kit(p, kit);
    const int32_t cg = p->in_c / p->groups, og = p->out_c / p->groups;
    if (cg == 1 && og == 1 && !kit->fma) {
        /* the variants' depthwise kernels sum in BNN_CONV_ORDER_SUM, and
         * in BNN_CONV_ORDER_BIAS when the kit says so */
        if (kit->dw && p->k_h * p->k_w <= BNN_CONV_DW_TAPS_MAX &&
            (p->order == BNN_CONV_ORDER_SUM ||
             (p->order == BNN_CONV_ORDER_BIAS && kit->dw_bias)))
            kit->dw(p, in, out);
        else
            conv_depthwise(p, in, out);
        return BNN_OK;
    }
    if (p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 &&
        p->pad_h == 0 && p->pad_w == 0 &&
        (int64_t)p->n * p->in_h * p->in_w <= INT32_MAX)
        conv_1x1(p, in, out, kit);
    else
        conv_blocks(p, in, out, kit);
    return BNN_OK;
}

/* Every block of output channels of every row, with the variant's kit. */
BNN_FL_INLINE void conv_blocks(const bnn_conv2d_params *p, const float *in, float *out,
                        const bnn_conv_kit *kit)
{
    const int32_t og = p->out_c / p->groups;
    conv_red r, rb;
    conv_reduction(p, &r);
    int32_t ox_lo, ox_hi;
    interior_cols(p, &ox_lo, &ox_hi);
    const int finite = weights_finite(p, kit, ox_lo, ox_hi);
    const ptrdiff_t ops = p->out_pixel_stride;
    for (int32_t n = 0; n < p->n; ++n) {
        const float *in_img = in + (size_t)n * (size_t)p->in_h *
                                       (size_t)p->in_w * (size_t)p->in_c;
        float *out_img = out + (size_t)n * (size_t)p->out_h *
                                   (size_t)p->out_w * (size_t)ops;
        if (p->groups > 1) {
            /* grouped: every group of a row while the row's input is in
             * cache (the weights of a group are small) */
            for (int32_t oy = 0; oy < p->out_h; ++oy)
                for (int32_t g = 0; g < p->groups; ++g)
                    conv_row_blocks(p, &r, kit, finite, in_img, g, oy, ox_lo, ox_hi,
                                    out_img + (ptrdiff_t)oy * p->out_w * ops +
                                        (ptrdiff_t)g * og);
            continue;
        }
        /* one block of output channels (or the wide tile's blocks) over
         * every row while its weights are in cache */
        for (int32_t ob0 = 0; ob0 < og;) {
            const int32_t nbk = wide_blocks(kit, og, ob0);
            const int32_t nb = nbk ? CONV_OB : block_width(og, ob0);
            block_reduction(&r, nb, &rb);
            for (int32_t oy = 0; oy < p->out_h; ++oy) {
                float *dst = out_img + (ptrdiff_t)oy * p->out_w * ops + ob0;
#if BNN_CONV_HAVE_WIDE
                if (nbk)
                    conv_out_row_wide(p, &rb, kit, finite, in_img, 0, oy, ob0, nbk, ox_lo,
                                      ox_hi, dst);
                else
#endif
                    conv_out_row(p, &rb, kit, finite, in_img, 0, oy, ob0, nb, ox_lo, ox_hi,
                                 0, p->out_w, dst);
            }
            ob0 += nbk ? nbk * CONV_OB : nb;
        }
    }
}

/* ------------------------------------------------------------------------
 * Convolution + max pooling. The convolution's output rows are produced
 * into a ring of min(pool.k_h, out_h) rows (slot oy % rows) just before
 * the first pooling window that needs them; a window's rows y0..y1-1 are
 * then all in the ring (at most pool.k_h consecutive rows), and a new row
 * only replaces one below y0. Each convolution output and each maximum
 * is computed exactly as by the separate kernels.
 * ------------------------------------------------------------------------ */

static int32_t ring_rows(const bnn_conv2d_maxpool_params *mp)
{
    return mp->pool.k_h < mp->conv.out_h ? mp->pool.k_h : mp->conv.out_h;
}

BNN_API size_t bnn_conv2d_maxpool_f32_scratch_size(
    const bnn_conv2d_maxpool_params *p)
{
    return p ? bnn_conv2d_maxpool_f32_scratch_bytes(p) : 0;
}

BNN_API bnn_status bnn_conv2d_maxpool_f32_run(
    const bnn_conv2d_maxpool_params *mp, const float *in, float *out,
    void *scratch, const bnn_conv_kit *kit)
{
    if (!mp || !scratch || !kit_ok(kit))
        return BNN_ARG_ERROR;
    const bnn_pool2d_params *pp = &mp->pool;
    /* Rows of the ring are dense: out_c floats per pixel. Pooled pixels
     * are conv.out_pixel_stride floats apart (0: dense). */
    bnn_conv2d_params pc = mp->conv;
    const ptrdiff_t ops = mp->conv.out_pixel_stride ? mp->conv.out_pixel_stride : pp->c;
    pc.out_pixel_stride = pc.out_c;
    if (!conv_args_ok(&pc, in, out) || pp->n != pc.n || ops < pp->c ||
        pp->in_h != pc.out_h || pp->in_w != pc.out_w || pp->c != pc.out_c ||
        !bnn_fl_pool_dim_ok(pp->in_h, pp->out_h, pp->k_h, pp->stride_h,
                            pp->pad_h) ||
        !bnn_fl_pool_dim_ok(pp->in_w, pp->out_w, pp->k_w, pp->stride_w,
                            pp->pad_w))
        return BNN_ARG_ERROR;
    const int32_t cg = pc.in_c / pc.groups, og = pc.out_c / pc.groups;
    if (cg == 1 && og == 1)
        return BNN_ARG_ERROR; /* depthwise: not row by row */
    kit = order_kit(&pc, kit);
    conv_red r;
    conv_reduction(&pc, &r);
    int32_t ox_lo, ox_hi;
    interior_cols(&pc, &ox_lo, &ox_hi);
    const int finite = weights_finite(&pc, kit, ox_lo, ox_hi);
    const int32_t rows = ring_rows(mp);
    const ptrdiff_t row = (ptrdiff_t)pc.out_w * pc.out_c;
    float *ring = (float *)scratch;
    for (int32_t n = 0; n < pc.n; ++n) {
        const float *in_img = in + (size_t)n * (size_t)pc.in_h *
                                       (size_t)pc.in_w * (size_t)pc.in_c;
        float *out_img = out + (size_t)n * (size_t)pp->out_h *
                                   (size_t)pp->out_w * (size_t)ops;
        int32_t next = 0; /* first convolution row not yet computed */
        for (int32_t py = 0; py < pp->out_h; ++py) {
            int32_t y0, y1;
            bnn_fl_pool_window(py, pp->k_h, pp->stride_h, pp->pad_h,
                               pp->in_h, &y0, &y1);
            if (next < y0)
                next = y0; /* rows no window reads are skipped */
            for (; next < y1; ++next) {
                float *dst = ring + (ptrdiff_t)(next % rows) * row;
                for (int32_t g = 0; g < pc.groups; ++g)
                    conv_row_blocks(&pc, &r, kit, finite, in_img, g, next, ox_lo, ox_hi,
                                    dst + (ptrdiff_t)g * og);
            }
            for (int32_t qx = 0; qx < pp->out_w; ++qx) {
                int32_t x0, x1;
                float *dst = out_img + ((ptrdiff_t)py * pp->out_w + qx) * ops;
                bnn_fl_pool_window(qx, pp->k_w, pp->stride_w, pp->pad_w,
                                   pp->in_w, &x0, &x1);
                for (int32_t j = 0; j < pp->c; ++j)
                    dst[j] = -FLT_MAX;
                /* rows y0..y1-1 in order: slots y0 % rows up to the end
                 * of the ring, then from slot 0 */
                const int32_t s0 = y0 % rows;
                const int32_t n0 = y1 - y0 < rows - s0 ? y1 - y0 : rows - s0;
                bnn_fl_max_rows(ring + (ptrdiff_t)s0 * row, row, n0, x0, x1,
                                pp->c, dst);
                bnn_fl_max_rows(ring, row, y1 - y0 - n0, x0, x1, pp->c, dst);
            }
        }
    }
    return BNN_OK;
}

/* ------------------------------------------------------------------------
 * One output row at a time, for the streamed kernels of other files
 * (conv_pack_f32.c); the same tiles, in the same order, as conv_blocks.
 * ------------------------------------------------------------------------ */

BNN_API int bnn_conv_rows_init(const bnn_conv2d_params *p, const float *in,
                               const bnn_conv_kit *kit, bnn_conv_rows *st)
{
    if (!st || !kit_ok(kit) || !conv_args_ok(p, in, in) ||
        (p->in_c / p->groups == 1 && p->out_c / p->groups == 1))
        return 0;
    kit = order_kit(p, kit);
    conv_reduction(p, &st->r);
    interior_cols(p, &st->ox_lo, &st->ox_hi);
    st->finite = weights_finite(p, kit, st->ox_lo, st->ox_hi);
    return 1;
}

BNN_API void bnn_conv_row(const bnn_conv2d_params *p, const bnn_conv_rows *st,
                          const bnn_conv_kit *kit, const float *in_img, int32_t oy,
                          float *dst)
{
    const int32_t og = p->out_c / p->groups;
    kit = order_kit(p, kit);
    for (int32_t g = 0; g < p->groups; ++g)
        conv_row_blocks(p, &st->r, kit, st->finite, in_img, g, oy, st->ox_lo, st->ox_hi,
                        dst + (ptrdiff_t)g * og);
}

static const bnn_conv_kit portable_kit = {fconv_tile, CONV_PX, NULL, NULL, 0, NULL, 0,
                                          PORTABLE_FMA_KIT, 0, 0, NULL, NULL, 0, 0};

BNN_API bnn_status bnn_conv2d_f32__portable(const bnn_conv2d_params *p,
                                    const float *in, float *out,
                                    void *scratch)
{
    (void)scratch;
    return bnn_conv2d_f32_run(p, in, out, &portable_kit);
}

BNN_API bnn_status bnn_conv2d_maxpool_f32__portable(
    const bnn_conv2d_maxpool_params *p, const float *in, float *out,
    void *scratch)
{
    return bnn_conv2d_maxpool_f32_run(p, in, out, scratch, &portable_kit);
}

BNN_API const bnn_conv_kit *bnn_conv_kit__portable(void)
{
    return &portable_kit;
}

/* Reads in (n x in_h x in_w x in_c), writes out_c channels of every output
 * pixel (channels past out_c of a wider destination are untouched). The
 * scratch pointer is unused (scratch size is 0) and may be NULL. */
BNN_API bnn_status bnn_conv2d_f32(const bnn_conv2d_params *p, const float *in,
                          float *out, void *scratch)
{
    return BNN_BEST(F32, bnn_conv2d_f32)(p, in, out, scratch);
}

/* Reads in (n x in_h x in_w x in_c), writes the pooled tensor (n x
 * pool.out_h x pool.out_w x out_c); scratch holds
 * bnn_conv2d_maxpool_f32_scratch_size(p) bytes. */
BNN_API bnn_status bnn_conv2d_maxpool_f32(const bnn_conv2d_maxpool_params *p,
                                  const float *in, float *out, void *scratch)
{
    return BNN_BEST(F32, bnn_conv2d_maxpool_f32)(p, in, out, scratch);
}


#if BNN_PARTS
/* Part of a call: output channels [o0, o1), o0 a multiple of 16, the
 * weight block (bnn_part.h); a single group only. Every output is the
 * same sum in the same order as in one call (the top of this file). */
BNN_API bnn_status bnn_conv2d_f32_part(const bnn_conv2d_params *p, const float *in,
                                       float *out, void *scratch, int32_t part,
                                       int32_t nparts)
{
    bnn_conv2d_params q;
    int64_t lo, hi;
    if (!conv_args_ok(p, in, out) || part < 0 || part >= nparts)
        return BNN_ARG_ERROR;
    if (!bnn_part_range(p->out_c, 16, 0, part, p->groups == 1 ? nparts : 1, &lo, &hi))
        return BNN_OK;
    if (p->groups != 1)
        return bnn_conv2d_f32(p, in, out, scratch);
    q = *p;
    q.out_c = (int32_t)(hi - lo);
    q.weights = p->weights + bnn_conv2d_weight_index(p->k_h, p->k_w, p->in_c, p->out_c, 0,
                                                     0, 0, 0, (int32_t)lo);
    if (p->bias)
        q.bias = p->bias + lo;
    return bnn_conv2d_f32(&q, in, out + lo, scratch);
}

/* Part of a call: output channels [o0, o1), o0 a multiple of 16 (the
 * weight block), a single group only: the convolution of those channels
 * and their pooling, written at channel o0 of pooled pixels as far apart
 * as in the whole call (conv.out_pixel_stride, or pool.c when 0). Each
 * part's ring holds its own channels, in its own scratch. Every output is
 * the same sum and the same maximum, in the same order, as in one call. */
BNN_API bnn_status bnn_conv2d_maxpool_f32_part(const bnn_conv2d_maxpool_params *p,
                                               const float *in, float *out, void *scratch,
                                               int32_t part, int32_t nparts)
{
    bnn_conv2d_maxpool_params q;
    bnn_conv2d_params whole;
    int64_t lo, hi;
    if (!p || part < 0 || part >= nparts)
        return BNN_ARG_ERROR;
    whole = p->conv;
    whole.out_pixel_stride = whole.out_c; /* the ring's; the pooled one is checked by the kernel */
    if (!conv_args_ok(&whole, in, out))
        return BNN_ARG_ERROR;
    if (!bnn_part_range(p->conv.out_c, 16, 0, part, p->conv.groups == 1 ? nparts : 1, &lo,
                        &hi))
        return BNN_OK;
    if (p->conv.groups != 1 || p->pool.c != p->conv.out_c)
        return part ? BNN_OK : bnn_conv2d_maxpool_f32(p, in, out, scratch);
    q = *p;
    q.conv.out_c = (int32_t)(hi - lo);
    q.pool.c = q.conv.out_c;
    q.conv.out_pixel_stride = p->conv.out_pixel_stride ? p->conv.out_pixel_stride : p->pool.c;
    q.conv.weights = p->conv.weights + bnn_conv2d_weight_index(p->conv.k_h, p->conv.k_w,
                                                               p->conv.in_c, p->conv.out_c, 0,
                                                               0, 0, 0, (int32_t)lo);
    if (p->conv.bias)
        q.conv.bias = p->conv.bias + lo;
    return bnn_conv2d_maxpool_f32(&q, in, out + lo, scratch);
}
#endif
