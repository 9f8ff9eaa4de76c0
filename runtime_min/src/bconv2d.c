/*
 * bconv2d.c - binary 2-D convolution, portable C99 (the oracle every other
 * variant is tested against), and the public entry points, which call the
 * best variant compiled in (bnn_variants.h).
 *
 * The portable kernel handles every shape bnn.h allows: any kernel size,
 * stride, dilation and padding mode, and groups of any channel count (a
 * group slice that does not start on a word boundary is read with bit
 * extraction). For each output pixel and block of 16 output channels it
 * accumulates popcount(input word XOR weight word) over the taps, 16
 * lanes at a time in the weight layout's order, then turns the count into
 * the exact dot product:
 *     dot = n * cg - 2 * popcount_sum
 * where cg = in_c/groups and n is the number of taps counted: all of them
 * for PLUS_ONE (pad word 0) and MINUS_ONE (pad word = true bits set), the
 * in-image ones for ZERO (an out-of-image tap adds exactly 0).
 */
#include "bnn_internal.h"

/* Accumulates, for output channels [o0, o0+16) restricted to group g, the
 * popcount sums of one output pixel into acc[16]; returns the number of
 * taps counted. px(iy, ix) is the input pixel at (iy, ix) of image `img`;
 * out-of-image taps use the pad mode. Lanes of other groups get garbage
 * the caller ignores. */
static int32_t bconv_pixel_block(const bnn_bconv2d_params *p,
                                 const uint32_t *img, int32_t oy, int32_t ox,
                                 int32_t blk, int32_t g, uint32_t acc[16])
{
    int32_t cg = p->in_c / p->groups, cw = bnn_words(cg);
    int32_t cwin = bnn_words(p->in_c);
    /* whole-word group slices: read words, no bit extraction */
    int aligned = p->groups == 1 || cg % BNN_WORD_BITS == 0;
    int32_t ky, kx, w, l, taps = 0;
    uint32_t a[16]; /* local: the weights cannot alias it */
    for (l = 0; l < 16; l++)
        a[l] = 0;
    for (ky = 0; ky < p->k_h; ky++) {
        int32_t iy = oy * p->stride_h - p->pad_h + ky * p->dil_h;
        for (kx = 0; kx < p->k_w; kx++) {
            int32_t ix = ox * p->stride_w - p->pad_w + kx * p->dil_w;
            int inside = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w;
            const uint32_t *src =
                inside ? img + ((size_t)iy * (size_t)p->in_w + (size_t)ix) *
                                   (size_t)cwin
                       : NULL;
            const uint32_t *wt =
                p->weights + bnn_bconv2d_weight_index(p->k_h, p->k_w, cg,
                                                      blk * 16, ky, kx, 0);
            if (!inside && p->pad_mode == BNN_PAD_ZERO)
                continue;
            taps++;
            for (w = 0; w < cw; w++) {
                int32_t nb = cg - BNN_WORD_BITS * w < BNN_WORD_BITS
                                 ? cg - BNN_WORD_BITS * w
                                 : BNN_WORD_BITS;
                uint32_t x;
                if (src)
                    x = aligned ? src[g * cw + w]
                                : bnn_load_bits(src, g * cg + BNN_WORD_BITS * w, nb);
                else if (p->pad_mode == BNN_PAD_MINUS_ONE)
                    x = bnn_low_bits(nb);
                else
                    x = 0;
                for (l = 0; l < 16; l++)
                    a[l] += bnn_popcount32(x ^ wt[w * 16 + l]);
            }
        }
    }
    for (l = 0; l < 16; l++)
        acc[l] = a[l];
    return taps;
}

/* The portable kernel for all three output transforms (for _b_f32 the
 * dot passed on is already offset and clamped). Assumes the parameters
 * passed bnn_bconv2d_check. */
static void bconv2d_portable(const bnn_bconv2d_params *p, const uint32_t *in,
                             void *out, bnn_out_kind kind)
{
    int32_t cg = p->in_c / p->groups, og = p->out_c / p->groups;
    int32_t nblk = (p->out_c + 15) / 16, owords = bnn_words(p->out_c);
    size_t img_words = (size_t)p->in_h * (size_t)p->in_w *
                       (size_t)bnn_words(p->in_c);
    int32_t n, oy, ox, b, g, l, dlo, dhi, r, r0, r1;
    int32_t off = bnn_bconv2d_f32_offset(p, kind);
    uint32_t acc[16];
    bnn_bconv2d_f32_clamp(p, kind, &dlo, &dhi);
    bnn_bconv2d_rows(p, &r0, &r1);
    for (r = r0; r < r1; r++) {
        const uint32_t *img;
        n = r / p->out_h;
        oy = r - n * p->out_h;
        img = in + (size_t)n * img_words;
        for (ox = 0; ox < p->out_w; ox++) {
            size_t pix = ((size_t)n * (size_t)p->out_h + (size_t)oy) *
                             (size_t)p->out_w + (size_t)ox;
            size_t base = pix * (size_t)p->out_pixel_stride;
            const float *res = kind == BNN_OUT_F32 ? bnn_residual_px(p, pix) : NULL;
            if (kind == BNN_OUT_B)
                for (l = 0; l < owords; l++)
                    ((uint32_t *)out)[base + (size_t)l] = 0;
            for (b = 0; b < nblk; b++) {
                int32_t o0 = b * 16;
                int32_t o1 = o0 + 16 < p->out_c ? o0 + 16 : p->out_c;
                for (g = o0 / og; g <= (o1 - 1) / og; g++) {
                    int32_t taps = bconv_pixel_block(p, img, oy, ox, b,
                                                     g, acc);
                    int32_t lo = g * og > o0 ? g * og : o0;
                    int32_t hi = (g + 1) * og < o1 ? (g + 1) * og : o1;
                    int32_t o;
                    for (o = lo; o < hi; o++) {
                        int32_t dot = bnn_clamp_i32(
                            taps * cg + off - 2 * (int32_t)acc[o - o0], dlo, dhi);
                        bnn_store_dot(kind, out, base, o, dot, p->mul,
                                      p->add, p->thresh, p->dir, res);
                    }
                }
            }
        }
    }
}

BNN_API size_t bnn_bconv2d_scratch_size(const bnn_bconv2d_params *p)
{
    return bnn_bconv2d_scratch_bytes(p);
}

BNN_API bnn_status bnn_bconv2d_b_i32__portable(const bnn_bconv2d_params *p,
                                       const uint32_t *in, int32_t *out,
                                       void *scratch)
{
    if (bnn_bconv2d_check(p, in, out, scratch, BNN_OUT_I32) != BNN_OK)
        return BNN_ARG_ERROR;
    bconv2d_portable(p, in, out, BNN_OUT_I32);
    return BNN_OK;
}

BNN_API bnn_status bnn_bconv2d_b_f32__portable(const bnn_bconv2d_params *p,
                                       const uint32_t *in, float *out,
                                       void *scratch)
{
    if (bnn_bconv2d_check(p, in, out, scratch, BNN_OUT_F32) != BNN_OK)
        return BNN_ARG_ERROR;
    bconv2d_portable(p, in, out, BNN_OUT_F32);
    return BNN_OK;
}

BNN_API bnn_status bnn_bconv2d_b_b__portable(const bnn_bconv2d_params *p,
                                     const uint32_t *in, uint32_t *out,
                                     void *scratch)
{
    if (bnn_bconv2d_check(p, in, out, scratch, BNN_OUT_B) != BNN_OK)
        return BNN_ARG_ERROR;
    bconv2d_portable(p, in, out, BNN_OUT_B);
    return BNN_OK;
}

BNN_API bnn_status bnn_bconv2d_b_i32(const bnn_bconv2d_params *p, const uint32_t *in,
                             int32_t *out, void *scratch)
{
    return BNN_BEST(BIN, bnn_bconv2d_b_i32)(p, in, out, scratch);
}

BNN_API bnn_status bnn_bconv2d_b_f32(const bnn_bconv2d_params *p, const uint32_t *in,
                             float *out, void *scratch)
{
    return BNN_BEST(BIN, bnn_bconv2d_b_f32)(p, in, out, scratch);
}

BNN_API bnn_status bnn_bconv2d_b_b(const bnn_bconv2d_params *p, const uint32_t *in,
                           uint32_t *out, void *scratch)
{
    return BNN_BEST(BIN, bnn_bconv2d_b_b)(p, in, out, scratch);
}

#if BNN_PARTS
/* Whether a call is divided by output rows rather than by output
 * channels. Each part of a row split reads its rows' input and all the
 * weights; each part of a channel split reads all the input and its
 * channels' weights. Rows are taken when the input is at least as large
 * as the weights, which is where the early layers of a network are
 * (large images, few channels: a channel split there also puts every
 * worker's outputs into the same cache lines, when a pixel's output is
 * a few words), and for grouped convolutions, whose channels cannot be
 * divided. A split by rows needs at least two rows per part. */
static int bconv2d_by_rows(const bnn_bconv2d_params *p, int32_t rows, int32_t nparts)
{
    size_t in_words = (size_t)p->n * (size_t)p->in_h * (size_t)p->in_w *
                      (size_t)bnn_words(p->in_c);
    size_t w_words = bnn_bconv2d_weight_words(p->out_c, p->k_h, p->k_w, p->in_c / p->groups);
    return rows >= 2 * nparts && (p->groups != 1 || in_words >= w_words);
}

/* Part of a call (bnn_part.h): either output rows [r0, r1), as a call of
 * the kernel on those rows (bnn.h: row_lo, row_hi), or output channels
 * [o0, o1), as a call on the weights, per-channel constants and outputs
 * of those channels; o0 is then a multiple of `align` channels (32 for
 * bits, so that the part writes whole words; 16 for floats, the weight
 * block). */
static bnn_status bconv2d_part(const bnn_bconv2d_params *p, const uint32_t *in, void *out,
                               void *scratch, int32_t part, int32_t nparts, bnn_out_kind kind)
{
    bnn_bconv2d_params q;
    int64_t lo, hi;
    int32_t align = kind == BNN_OUT_B ? BNN_WORD_BITS : BNN_OC_BLOCK, r0, r1;
    if (!p || part < 0 || part >= nparts ||
        bnn_bconv2d_check(p, in, out, scratch, kind) != BNN_OK)
        return BNN_ARG_ERROR;
    bnn_bconv2d_rows(p, &r0, &r1);
    if (bconv2d_by_rows(p, r1 - r0, nparts)) {
        if (!bnn_part_range(r1 - r0, 1, 0, part, nparts, &lo, &hi))
            return BNN_OK;
        q = *p;
        q.row_lo = r0 + (int32_t)lo;
        q.row_hi = r0 + (int32_t)hi;
        return kind == BNN_OUT_B ? bnn_bconv2d_b_b(&q, in, (uint32_t *)out, scratch)
                                 : bnn_bconv2d_b_f32(&q, in, (float *)out, scratch);
    }
    if (!bnn_part_range(p->out_c, align, 0, part, p->groups == 1 ? nparts : 1, &lo, &hi))
        return BNN_OK;
    q = *p;
    q.out_c = (int32_t)(hi - lo);
    q.weights = p->weights + bnn_bconv2d_weight_index(p->k_h, p->k_w, p->in_c, (int32_t)lo,
                                                      0, 0, 0);
    if (kind == BNN_OUT_B) {
        q.thresh = p->thresh + lo;
        q.dir = p->dir + lo;
        return bnn_bconv2d_b_b(&q, in, (uint32_t *)out + lo / BNN_WORD_BITS, scratch);
    }
    q.mul = p->mul + lo;
    q.add = p->add + lo;
    if (p->residual)
        q.residual = p->residual + lo;
    return bnn_bconv2d_b_f32(&q, in, (float *)out + lo, scratch);
}

BNN_API bnn_status bnn_bconv2d_b_f32_part(const bnn_bconv2d_params *p, const uint32_t *in,
                                          float *out, void *scratch, int32_t part,
                                          int32_t nparts)
{
    return bconv2d_part(p, in, out, scratch, part, nparts, BNN_OUT_F32);
}

BNN_API bnn_status bnn_bconv2d_b_b_part(const bnn_bconv2d_params *p, const uint32_t *in,
                                        uint32_t *out, void *scratch, int32_t part,
                                        int32_t nparts)
{
    return bconv2d_part(p, in, out, scratch, part, nparts, BNN_OUT_B);
}
#endif
