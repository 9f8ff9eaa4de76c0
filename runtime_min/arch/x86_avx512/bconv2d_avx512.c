/*
 * bconv2d_avx512.c - binary conv2d for x86 AVX-512 with VPOPCNTD
 * (bnn_bconv2d_b_*__avx512). Compiles to nothing unless BNN_HAVE_AVX512.
 *
 * Register tile: up to UK_P_AVX512 (4) output pixels x 4 blocks of 16 output
 * channels, one zmm accumulator (16 x int32 popcount sums) each. For every
 * (tap, input word) step the tile loads the 4 weight vectors of that
 * position (the weight layout keeps the 16 channels of a block together),
 * broadcasts the matching input word of each pixel and does
 * xor + vpopcntd + add per (pixel, block): 512 binary MACs per 3 ops.
 *
 * Output pixels are taken in raster order and sorted into two batches:
 *   interior pixels, whose taps all lie in the image: step k of a pixel
 *     reads base[steps[k]] (the step offsets are computed once per call),
 *     one flat loop over all (tap, word) steps;
 *   border pixels: a table in scratch holds one pointer per (tap, pixel),
 *     out-of-image taps pointing at the pad pixel in scratch (bits 0 for
 *     PLUS_ONE and ZERO, the true channel bits set for MINUS_ONE).
 * A batch runs when it holds UK_P_AVX512 pixels (they may span rows and images).
 * BNN_PAD_ZERO is computed as PLUS_ONE and made exact by subtracting, per
 * padded tap of a border pixel, the precomputed dot of a +1 tap
 * (bnn_fill_zero_corr): an integer correction, so b_b output is exact too.
 *
 * Full tiles (conv_tile_full_*: 4 pixels x 4 blocks, interior or border)
 * carry most of the work and are written so that gcc keeps their 16
 * accumulators in registers; they write b_b bits by comparing the popcount
 * sums with thresholds moved to the popcount domain once per call
 * (bnn_fill_bthr): 2 ops per 16 channels. Partial tiles use the generic
 * conv_tile_avx512.
 *
 * Falls back to the portable kernel for grouped convolutions whose group
 * channel counts are not multiples of 32 (input) and 16 (output), i.e.
 * when !bnn_bconv2d_word_aligned().
 */
#include "bnn_internal.h"

#if BNN_HAVE_AVX512

#define UK_P_AVX512 4 /* output pixels per register tile (conv_tile_full: 4) */
#define UK_B 4 /* 16-channel blocks per register tile (conv_tile_full: 4) */

/* Everything the tiles of one call share. */
typedef struct {
    const bnn_bconv2d_params *p;
    void *out;
    bnn_out_kind kind;
    int32_t cg, cwg, cwin, kt, nblk, bpg, nk;
    ptrdiff_t rowoff, coloff; /* words between taps ky/ky+1 and kx/kx+1 */
    size_t wbs;               /* words between two weight blocks */
    const uint32_t *pad;      /* pad pixel (cwin words) */
    const uint32_t **taps;    /* border table [kt][BNN_BCONV2D_BATCH] */
    const int32_t *corr;      /* ZERO: [kt][nblk*16] */
    const ptrdiff_t *steps;   /* input word offset of each (tap, word) */
    const int32_t *bthr;      /* b_b: [2][nblk*16] popcount-domain T, M */
} conv_ctx_avx512;

/* Output pixels waiting for a tile. base[] is the input at tap (0, 0) of
 * each interior pixel; border pixels keep their taps in ctx->taps. */
typedef struct {
    int np;
    size_t pix[UK_P_AVX512];
    const uint32_t *base[UK_P_AVX512];
} conv_batch_avx512;

/*
 * Writes the outputs of one register tile: pixel q of the batch, blocks
 * blk0 .. blk0+nb-1, from the popcount sums s[q][b]. dot = nk - 2*s, minus
 * the ZERO correction of every padded tap for border pixels. Blocks are
 * written in increasing order (bnn_emit16_avx512's b_b contract).
 */
BNN_ALWAYS_INLINE void conv_tile_store(const conv_ctx_avx512 *c, const conv_batch_avx512 *bt,
                                       int indirect, int np, int nb,
                                       int32_t blk0, __m512i s[UK_P_AVX512][UK_B])
{
    const bnn_bconv2d_params *p = c->p;
    __m512i nk = _mm512_set1_epi32(c->nk);
    int q, b;
    int32_t t;
    if (c->kind == BNN_OUT_B) {
        /* Hoisted per block: thresholds and the dir lane mask. */
        __m512i th[UK_B];
        __mmask16 dm[UK_B], vm[UK_B];
        for (b = 0; b < nb; b++) {
            int32_t o0 = (blk0 + b) * 16, nv = p->out_c - o0;
            vm[b] = (__mmask16)(nv >= 16 ? 0xFFFFu : (1u << (uint32_t)nv) - 1u);
            th[b] = _mm512_maskz_loadu_epi32(vm[b], p->thresh + o0);
            dm[b] = _mm512_test_epi32_mask(
                _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(vm[b], p->dir + o0)),
                _mm512_set1_epi32(0xFF));
        }
        for (q = 0; q < np; q++) {
            uint32_t *opx = (uint32_t *)c->out +
                            bt->pix[q] * (size_t)p->out_pixel_stride;
            for (b = 0; b < nb; b++) {
                int32_t o0 = (blk0 + b) * 16;
                __m512i d = _mm512_sub_epi32(nk, _mm512_slli_epi32(s[q][b], 1));
                uint32_t bits;
                if (indirect && c->corr)
                    for (t = 0; t < c->kt; t++)
                        if (c->taps[t * BNN_BCONV2D_BATCH + q] == c->pad)
                            d = _mm512_sub_epi32(
                                d, _mm512_loadu_si512(c->corr +
                                                      (size_t)t * (size_t)c->nblk * 16u +
                                                      (size_t)o0));
                bits = (uint32_t)(uint16_t)(
                    (_mm512_mask_cmpgt_epi32_mask(dm[b], d, th[b]) |
                     _mm512_mask_cmplt_epi32_mask((__mmask16)~dm[b], d, th[b])) &
                    vm[b]);
                if ((o0 & 16) == 0)
                    opx[o0 >> 5] = bits;
                else
                    opx[o0 >> 5] |= bits << 16;
            }
        }
        return;
    }
    for (q = 0; q < np; q++) {
        size_t off = bt->pix[q] * (size_t)p->out_pixel_stride;
        void *opx = c->kind == BNN_OUT_I32 ? (void *)((int32_t *)c->out + off)
                                           : (void *)((float *)c->out + off);
        for (b = 0; b < nb; b++) {
            int32_t o0 = (blk0 + b) * 16;
            __m512i d = _mm512_sub_epi32(nk, _mm512_slli_epi32(s[q][b], 1));
            if (indirect && c->corr)
                for (t = 0; t < c->kt; t++)
                    if (c->taps[t * BNN_BCONV2D_BATCH + q] == c->pad)
                        d = _mm512_sub_epi32(
                            d, _mm512_loadu_si512(c->corr +
                                                  (size_t)t * (size_t)c->nblk * 16u +
                                                  (size_t)o0));
            bnn_emit16_avx512(c->kind, opx, o0, p->out_c, d, p->mul, p->add,
                              p->thresh, p->dir);
        }
    }
}

/*
 * The register tile: the batch's np pixels x nb blocks (constants after
 * inlining) starting at block blk0 of group g. Reads every tap of every
 * pixel (interior: base + offsets; border: the tap table), accumulates in
 * registers and writes the outputs.
 */
BNN_ALWAYS_INLINE void conv_tile_avx512(const conv_ctx_avx512 *c, const conv_batch_avx512 *bt,
                                 int np, int nb, int indirect, int32_t cw_const,
                                 int32_t blk0, int32_t g)
{
    __m512i s[UK_P_AVX512][UK_B];
    const uint32_t *w = c->p->weights + (size_t)blk0 * c->wbs;
    const uint32_t *base[UK_P_AVX512];
    int32_t goff = g * c->cwg, kh = c->p->k_h, kw = c->p->k_w;
    int32_t cwg = cw_const ? cw_const : c->cwg;
    size_t wbs = c->wbs;
    int32_t ky, kx, wd, t = 0;
    int p, b;
    for (p = 0; p < np; p++) {
        base[p] = indirect ? NULL : bt->base[p] + goff;
        for (b = 0; b < nb; b++)
            s[p][b] = _mm512_setzero_si512();
    }
    if (!indirect) {
        /* Interior: one flat loop over the (tap, word) steps, the input
         * word of step k of pixel p being base[p][steps[k]]. */
        const ptrdiff_t *steps = c->steps;
        int32_t k, nsteps = c->kt * cwg;
        for (k = 0; k < nsteps; k++, w += 16) {
            ptrdiff_t ix = steps[k];
            __m512i wv[UK_B];
            for (b = 0; b < nb; b++)
                wv[b] = _mm512_loadu_si512(w + (size_t)b * wbs);
            for (p = 0; p < np; p++) {
                __m512i x = _mm512_set1_epi32((int)base[p][ix]);
                for (b = 0; b < nb; b++)
                    s[p][b] = _mm512_add_epi32(
                        s[p][b], _mm512_popcnt_epi32(_mm512_xor_si512(x, wv[b])));
            }
        }
        conv_tile_store(c, bt, indirect, np, nb, blk0, s);
        return;
    }
    for (ky = 0; ky < kh; ky++)
        for (kx = 0; kx < kw; kx++, t++) {
            const uint32_t *a[UK_P_AVX512];
            for (p = 0; p < np; p++)
                a[p] = c->taps[t * BNN_BCONV2D_BATCH + p] + goff;
            for (wd = 0; wd < cwg; wd++, w += 16) {
                __m512i wv[UK_B];
                for (b = 0; b < nb; b++)
                    wv[b] = _mm512_loadu_si512(w + (size_t)b * wbs);
                for (p = 0; p < np; p++) {
                    __m512i x = _mm512_set1_epi32((int)a[p][wd]);
                    for (b = 0; b < nb; b++)
                        s[p][b] = _mm512_add_epi32(
                            s[p][b],
                            _mm512_popcnt_epi32(_mm512_xor_si512(x, wv[b])));
                }
            }
        }
    conv_tile_store(c, bt, indirect, np, nb, blk0, s);
}

/*
 * The full tile, UK_P_AVX512 (4) pixels x 4 blocks, interior (steps table) or
 * border (tap table), written with one named variable per accumulator:
 * gcc 12 keeps a 2-D array of __m512i in memory across the step loop (a
 * load and a store per accumulator and step), named variables stay in
 * registers. Same computation as conv_tile_avx512(c, bt, 4, 4, indirect, ...).
 */
#define ACC_STEP(P, xv)                                                        \
    s##P##0 = _mm512_add_epi32(s##P##0, _mm512_popcnt_epi32(_mm512_xor_si512(xv, w0))); \
    s##P##1 = _mm512_add_epi32(s##P##1, _mm512_popcnt_epi32(_mm512_xor_si512(xv, w1))); \
    s##P##2 = _mm512_add_epi32(s##P##2, _mm512_popcnt_epi32(_mm512_xor_si512(xv, w2))); \
    s##P##3 = _mm512_add_epi32(s##P##3, _mm512_popcnt_epi32(_mm512_xor_si512(xv, w3)))

BNN_ALWAYS_INLINE void conv_tile_full_body(const conv_ctx_avx512 *c,
                                           const conv_batch_avx512 *bt, int indirect,
                                           int32_t blk0, int32_t g)
{
    const uint32_t *w = c->p->weights + (size_t)blk0 * c->wbs;
    int32_t goff = g * c->cwg, cwg = c->cwg;
    size_t wbs = c->wbs;
    int32_t k;
    __m512i s00 = _mm512_setzero_si512(), s01 = s00, s02 = s00, s03 = s00;
    __m512i s10 = s00, s11 = s00, s12 = s00, s13 = s00;
    __m512i s20 = s00, s21 = s00, s22 = s00, s23 = s00;
    __m512i s30 = s00, s31 = s00, s32 = s00, s33 = s00;
    const bnn_bconv2d_params *p = c->p;
    if (!indirect) {
        const uint32_t *b0 = bt->base[0] + goff, *b1 = bt->base[1] + goff;
        const uint32_t *b2 = bt->base[2] + goff, *b3 = bt->base[3] + goff;
        const ptrdiff_t *steps = c->steps;
        int32_t nsteps = c->kt * cwg;
        for (k = 0; k < nsteps; k++, w += 16) {
            ptrdiff_t ix = steps[k];
            __m512i w0 = _mm512_loadu_si512(w), w1 = _mm512_loadu_si512(w + wbs);
            __m512i w2 = _mm512_loadu_si512(w + 2 * wbs);
            __m512i w3 = _mm512_loadu_si512(w + 3 * wbs);
            __m512i x0 = _mm512_set1_epi32((int)b0[ix]);
            __m512i x1 = _mm512_set1_epi32((int)b1[ix]);
            __m512i x2 = _mm512_set1_epi32((int)b2[ix]);
            __m512i x3 = _mm512_set1_epi32((int)b3[ix]);
            ACC_STEP(0, x0);
            ACC_STEP(1, x1);
            ACC_STEP(2, x2);
            ACC_STEP(3, x3);
        }
    } else {
        int32_t t, wd;
        for (t = 0; t < c->kt; t++) {
            const uint32_t *const *tp = c->taps + t * BNN_BCONV2D_BATCH;
            const uint32_t *a0 = tp[0] + goff, *a1 = tp[1] + goff;
            const uint32_t *a2 = tp[2] + goff, *a3 = tp[3] + goff;
            for (wd = 0; wd < cwg; wd++, w += 16) {
                __m512i w0 = _mm512_loadu_si512(w), w1 = _mm512_loadu_si512(w + wbs);
                __m512i w2 = _mm512_loadu_si512(w + 2 * wbs);
                __m512i w3 = _mm512_loadu_si512(w + 3 * wbs);
                __m512i x0 = _mm512_set1_epi32((int)a0[wd]);
                __m512i x1 = _mm512_set1_epi32((int)a1[wd]);
                __m512i x2 = _mm512_set1_epi32((int)a2[wd]);
                __m512i x3 = _mm512_set1_epi32((int)a3[wd]);
                ACC_STEP(0, x0);
                ACC_STEP(1, x1);
                ACC_STEP(2, x2);
                ACC_STEP(3, x3);
            }
        }
    }
    if (c->kind == BNN_OUT_B && !(indirect && c->corr)) {
        /* Popcount-domain thresholds (bthr): bit = (s ^ M) > T. blk0 is
         * even, so the 4 blocks fill words blk0/2 and blk0/2 + 1. */
        const int32_t *bt_t = c->bthr + (size_t)blk0 * 16u;
        const int32_t *bt_m = c->bthr + (size_t)c->nblk * 16u + (size_t)blk0 * 16u;
        __m512i t0 = _mm512_loadu_si512(bt_t), t1 = _mm512_loadu_si512(bt_t + 16);
        __m512i t2 = _mm512_loadu_si512(bt_t + 32), t3 = _mm512_loadu_si512(bt_t + 48);
        __m512i m0 = _mm512_loadu_si512(bt_m), m1 = _mm512_loadu_si512(bt_m + 16);
        __m512i m2 = _mm512_loadu_si512(bt_m + 32), m3 = _mm512_loadu_si512(bt_m + 48);
#define EMIT_BITS(P)                                                           \
    do {                                                                       \
        uint32_t *o_ = (uint32_t *)c->out +                                    \
                       bt->pix[P] * (size_t)p->out_pixel_stride + (blk0 >> 1); \
        o_[0] = (uint32_t)_mm512_cmpgt_epi32_mask(_mm512_xor_si512(s##P##0, m0), t0) | \
                (uint32_t)_mm512_cmpgt_epi32_mask(_mm512_xor_si512(s##P##1, m1), t1) << 16; \
        o_[1] = (uint32_t)_mm512_cmpgt_epi32_mask(_mm512_xor_si512(s##P##2, m2), t2) | \
                (uint32_t)_mm512_cmpgt_epi32_mask(_mm512_xor_si512(s##P##3, m3), t3) << 16; \
    } while (0)
        EMIT_BITS(0);
        EMIT_BITS(1);
        EMIT_BITS(2);
        EMIT_BITS(3);
#undef EMIT_BITS
        return;
    }
    {
        __m512i acc[UK_P_AVX512][UK_B];
        acc[0][0] = s00, acc[0][1] = s01, acc[0][2] = s02, acc[0][3] = s03;
        acc[1][0] = s10, acc[1][1] = s11, acc[1][2] = s12, acc[1][3] = s13;
        acc[2][0] = s20, acc[2][1] = s21, acc[2][2] = s22, acc[2][3] = s23;
        acc[3][0] = s30, acc[3][1] = s31, acc[3][2] = s32, acc[3][3] = s33;
        conv_tile_store(c, bt, indirect, UK_P_AVX512, 4, blk0, acc);
    }
}

BNN_NOINLINE void conv_tile_full_0(const conv_ctx_avx512 *c, const conv_batch_avx512 *bt,
                                   int32_t blk0, int32_t g)
{
    conv_tile_full_body(c, bt, 0, blk0, g);
}

BNN_NOINLINE void conv_tile_full_1(const conv_ctx_avx512 *c, const conv_batch_avx512 *bt,
                                   int32_t blk0, int32_t g)
{
    conv_tile_full_body(c, bt, 1, blk0, g);
}

typedef void (*conv_tile_fn_avx512)(const conv_ctx_avx512 *, const conv_batch_avx512 *, int32_t,
                             int32_t);

#define TILE_FN_AVX512(NP, NB, IND)                                                   \
    BNN_NOINLINE void conv_tile_##NP##_##NB##_##IND(                           \
        const conv_ctx_avx512 *c, const conv_batch_avx512 *bt, int32_t blk0, int32_t g)      \
    {                                                                          \
        conv_tile_avx512(c, bt, NP, NB, IND, 0, blk0, g);                             \
    }
#define TILE_FNS_P(NP)                                                         \
    TILE_FN_AVX512(NP, 4, 0) TILE_FN_AVX512(NP, 2, 0) TILE_FN_AVX512(NP, 1, 0)                      \
    TILE_FN_AVX512(NP, 4, 1) TILE_FN_AVX512(NP, 2, 1) TILE_FN_AVX512(NP, 1, 1)
TILE_FNS_P(1)
TILE_FNS_P(2)
TILE_FNS_P(3)
TILE_FNS_P(4)

#define TILE_ROW(NP, IND)                                                      \
    {                                                                          \
        conv_tile_##NP##_4_##IND, conv_tile_##NP##_2_##IND,                    \
            conv_tile_##NP##_1_##IND                                           \
    }

/* Computes every output channel of the batch's pixels and writes them. */
static void conv_flush_avx512(const conv_ctx_avx512 *c, conv_batch_avx512 *bt, int indirect)
{
    static const conv_tile_fn_avx512 tab[2][UK_P_AVX512][3] = {
        {TILE_ROW(1, 0), TILE_ROW(2, 0), TILE_ROW(3, 0), TILE_ROW(4, 0)},
        {TILE_ROW(1, 1), TILE_ROW(2, 1), TILE_ROW(3, 1), TILE_ROW(4, 1)}};
    int32_t g, bi, nb;
    if (bt->np == 0)
        return;
    for (g = 0; g < c->p->groups; g++)
        for (bi = 0; bi < c->bpg; bi += nb) {
            int32_t left = c->bpg - bi;
            nb = left >= 4 ? 4 : left >= 2 ? 2 : 1;
            if (nb == 4 && bt->np == UK_P_AVX512 &&
                (c->kind != BNN_OUT_B || (g * c->bpg + bi) % 2 == 0)) {
                (indirect ? conv_tile_full_1 : conv_tile_full_0)(
                    c, bt, g * c->bpg + bi, g);
                continue;
            }
            tab[indirect][bt->np - 1][nb == 4 ? 0 : nb == 2 ? 1 : 2](
                c, bt, g * c->bpg + bi, g);
        }
    bt->np = 0;
}

/* Adds the border pixel (n, oy, ox) to its batch: one tap table column. */
static void conv_add_border_avx512(conv_ctx_avx512 *c, conv_batch_avx512 *border, const uint32_t *img,
                            int32_t oy, int32_t ox, size_t pix)
{
    const bnn_bconv2d_params *p = c->p;
    int32_t iy0 = oy * p->stride_h - p->pad_h, ix0 = ox * p->stride_w - p->pad_w;
    int32_t ky, kx;
    for (ky = 0; ky < p->k_h; ky++) {
        int32_t iy = iy0 + ky * p->dil_h;
        for (kx = 0; kx < p->k_w; kx++) {
            int32_t ix = ix0 + kx * p->dil_w;
            const uint32_t *a = c->pad;
            if (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w)
                a = img + ((size_t)iy * (size_t)p->in_w + (size_t)ix) * (size_t)c->cwin;
            c->taps[(ky * p->k_w + kx) * BNN_BCONV2D_BATCH + border->np] = a;
        }
    }
    border->pix[border->np] = pix;
    if (++border->np == UK_P_AVX512)
        conv_flush_avx512(c, border, 1);
}

/* Walks the output pixels in raster order, batching interior and border
 * pixels separately. Interior columns of a row whose taps all lie inside
 * the image form one range [ox_lo, ox_hi), walked with pointer steps. */
static void conv_run_avx512(conv_ctx_avx512 *c, const uint32_t *in)
{
    const bnn_bconv2d_params *p = c->p;
    conv_batch_avx512 inner, border;
    int32_t n, oy, ox, ox_lo, ox_hi;
    size_t img_words = (size_t)p->in_h * (size_t)p->in_w * (size_t)c->cwin;
    size_t xstep = (size_t)p->stride_w * (size_t)c->cwin;
    int32_t span_w = (p->k_w - 1) * p->dil_w;
    inner.np = border.np = 0;
    /* ox is interior iff ox*s - pad >= 0 and ox*s - pad + span_w < in_w */
    ox_lo = (p->pad_w + p->stride_w - 1) / p->stride_w;
    ox_hi = p->in_w - 1 - span_w + p->pad_w < 0
                ? 0
                : (p->in_w - 1 - span_w + p->pad_w) / p->stride_w + 1;
    if (ox_hi > p->out_w)
        ox_hi = p->out_w;
    if (ox_lo > ox_hi)
        ox_lo = ox_hi;
    for (n = 0; n < p->n; n++) {
        const uint32_t *img = in + (size_t)n * img_words;
        for (oy = 0; oy < p->out_h; oy++) {
            int32_t iy0 = oy * p->stride_h - p->pad_h;
            size_t pix = ((size_t)n * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w;
            int row_in = iy0 >= 0 && iy0 + (p->k_h - 1) * p->dil_h < p->in_h;
            if (!row_in) {
                for (ox = 0; ox < p->out_w; ox++)
                    conv_add_border_avx512(c, &border, img, oy, ox, pix + (size_t)ox);
                continue;
            }
            for (ox = 0; ox < ox_lo; ox++)
                conv_add_border_avx512(c, &border, img, oy, ox, pix + (size_t)ox);
            if (ox_lo < ox_hi) { /* then ox_lo*stride_w - pad_w >= 0 */
                const uint32_t *a =
                    img + ((size_t)iy0 * (size_t)p->in_w +
                           (size_t)(ox_lo * p->stride_w - p->pad_w)) * (size_t)c->cwin;
                for (ox = ox_lo; ox < ox_hi; ox++, a += xstep) {
                    inner.base[inner.np] = a;
                    inner.pix[inner.np] = pix + (size_t)ox;
                    if (++inner.np == UK_P_AVX512)
                        conv_flush_avx512(c, &inner, 0);
                }
            }
            for (ox = ox_hi; ox < p->out_w; ox++)
                conv_add_border_avx512(c, &border, img, oy, ox, pix + (size_t)ox);
        }
    }
    conv_flush_avx512(c, &inner, 0);
    conv_flush_avx512(c, &border, 1);
}

/* Checks, falls back to portable where needed, sets up scratch and runs. */
static bnn_status conv_entry_avx512(const bnn_bconv2d_params *p, const uint32_t *in,
                             void *out, void *scratch, bnn_out_kind kind)
{
    conv_ctx_avx512 c;
    char *sc = (char *)scratch;
    if (bnn_bconv2d_check(p, in, out, scratch, kind) != BNN_OK)
        return BNN_ARG_ERROR;
    if (!bnn_bconv2d_word_aligned(p)) {
        if (kind == BNN_OUT_I32)
            return bnn_bconv2d_b_i32__portable(p, in, (int32_t *)out, scratch);
        if (kind == BNN_OUT_F32)
            return bnn_bconv2d_b_f32__portable(p, in, (float *)out, scratch);
        return bnn_bconv2d_b_b__portable(p, in, (uint32_t *)out, scratch);
    }
    c.p = p;
    c.out = out;
    c.kind = kind;
    c.cg = p->in_c / p->groups;
    c.cwg = bnn_words(c.cg);
    c.cwin = bnn_words(p->in_c);
    c.kt = p->k_h * p->k_w;
    c.nblk = (p->out_c + 15) / 16;
    c.bpg = p->groups == 1 ? c.nblk : p->out_c / p->groups / 16;
    c.nk = c.kt * c.cg;
    c.rowoff = (ptrdiff_t)p->dil_h * p->in_w * c.cwin;
    c.coloff = (ptrdiff_t)p->dil_w * c.cwin;
    c.wbs = (size_t)c.kt * (size_t)c.cwg * 16u;
    c.pad = (const uint32_t *)(void *)(sc + bnn_scratch_pad_off(p));
    bnn_fill_pad_pixel(p, (uint32_t *)(void *)(sc + bnn_scratch_pad_off(p)));
    c.taps = (const uint32_t **)(void *)(sc + bnn_scratch_taps_off(p));
    c.corr = NULL;
    if (p->pad_mode == BNN_PAD_ZERO) {
        int32_t *corr = (int32_t *)(void *)(sc + bnn_scratch_corr_off(p));
        bnn_fill_zero_corr(p, corr);
        c.corr = corr;
    }
    {
        ptrdiff_t *steps = (ptrdiff_t *)(void *)(sc + bnn_scratch_steps_off(p));
        int32_t ky, kx, wd, k = 0;
        for (ky = 0; ky < p->k_h; ky++)
            for (kx = 0; kx < p->k_w; kx++)
                for (wd = 0; wd < c.cwg; wd++)
                    steps[k++] = ky * c.rowoff + kx * c.coloff + wd;
        c.steps = steps;
    }
    c.bthr = NULL;
    if (kind == BNN_OUT_B) {
        int32_t *bthr = (int32_t *)(void *)(sc + bnn_scratch_bthr_off(p));
        bnn_fill_bthr(p, c.nk, bthr);
        c.bthr = bthr;
    }
    conv_run_avx512(&c, in);
    return BNN_OK;
}

BNN_API bnn_status bnn_bconv2d_b_i32__avx512(const bnn_bconv2d_params *p,
                                     const uint32_t *in, int32_t *out,
                                     void *scratch)
{
    return conv_entry_avx512(p, in, out, scratch, BNN_OUT_I32);
}

BNN_API bnn_status bnn_bconv2d_b_f32__avx512(const bnn_bconv2d_params *p,
                                     const uint32_t *in, float *out,
                                     void *scratch)
{
    return conv_entry_avx512(p, in, out, scratch, BNN_OUT_F32);
}

BNN_API bnn_status bnn_bconv2d_b_b__avx512(const bnn_bconv2d_params *p,
                                   const uint32_t *in, uint32_t *out,
                                   void *scratch)
{
    return conv_entry_avx512(p, in, out, scratch, BNN_OUT_B);
}

#endif
