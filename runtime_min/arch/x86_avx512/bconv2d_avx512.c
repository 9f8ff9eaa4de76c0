/*
 * bconv2d_avx512.c - binary conv2d for x86 AVX-512 with VPOPCNTD
 * (bnn_bconv2d_b_*__avx512). Compiles to nothing unless BNN_BIN_avx512.
 *
 * Register tile: up to UK_P_AVX512 (4) output pixels x 4 blocks of 16 output
 * channels, one zmm accumulator (16 x int32 popcount sums) each. For every
 * (tap, input word) step the tile loads the 4 weight vectors of that
 * position (the weight layout keeps the 16 channels of a block together),
 * broadcasts the matching input word of each pixel and does
 * xor + vpopcntd + add per (pixel, block): 512 binary MACs per 3 ops.
 *
 * Full tiles (conv_tile_full_*: 4 pixels x 4 blocks, interior or border)
 * carry most of the work and are written so that gcc keeps their 16
 * accumulators in registers; they write b_b bits by comparing the popcount
 * sums with thresholds moved to the popcount domain once per call
 * (bnn_fill_bthr): 2 ops per 16 channels, and f32 floats with the mul and
 * add of the 4 blocks loaded once for the 4 pixels and the dot converted
 * by one exact fma (f32_dot_fma): 4 ops and a store per 16 channels, 5
 * with a residual. Partial tiles use the generic conv_tile_avx512.
 *
 * The pixel walk around the tiles (batching into interior and border
 * pixels, the pad pixel, the tap table, the BNN_PAD_ZERO correction
 * table, the fallback to the portable kernel) is bconv2d_driver.h.
 */
#include "bnn_internal.h"

#if BNN_BIN_avx512

#define UK_P_AVX512 4 /* output pixels per register tile (conv_tile_full: 4) */
#define UK_B 4 /* 16-channel blocks per register tile (conv_tile_full: 4) */

/* The bit outputs below put two 16-channel masks in one packed word. */
typedef char bnn_two_blocks_per_word[BNN_WORD_BITS == 2 * BNN_OC_BLOCK ? 1 : -1];

#define BCONV2D_ISA avx512
#define BCONV2D_TILE_P UK_P_AVX512
#define BCONV2D_BTHR
#include "bconv2d_driver.h" /* conv_ctx_avx512, conv_batch_avx512 */

/*
 * The f32 transform's first step in the FMA form: the float of dot =
 * nk - 2 s for 16 popcount sums s, as fma(float(s), -2, nkf), one
 * conversion and one fused multiply-add instead of a subtraction, a
 * shift and a conversion. Exact, and equal to converting the integer
 * dot, when nk and every s are integers of magnitude <= 2^24: both are
 * then floats, the product and sum are formed exactly and rounded once,
 * as the conversion rounds (f32_fma_exact decides it per call).
 */
BNN_ALWAYS_INLINE __m512 f32_dot_fma(__m512i s, float nkf)
{
    return _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), _mm512_set1_ps(-2.0f),
                           _mm512_set1_ps(nkf));
}

/* Whether a _b_f32 call may use f32_dot_fma: no clamp of the dot (the
 * clamp needs the integer), |nk| <= 2^24 and popcount sums of at most
 * smax <= 2^24. */
static int f32_fma_exact(const bnn_bconv2d_params *p, int32_t nk, int64_t smax)
{
    return !p->dot_clamp && nk >= -(1 << 24) && nk <= (1 << 24) && smax <= (1 << 24);
}

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
                if (bnn_bit_of(o0) == 0)
                    opx[bnn_word_of(o0)] = bits;
                else
                    opx[bnn_word_of(o0)] |= bits << bnn_bit_of(o0);
            }
        }
        return;
    }
    for (q = 0; q < np; q++) {
        size_t off = bt->pix[q] * (size_t)p->out_pixel_stride;
        void *opx = c->kind == BNN_OUT_I32 ? (void *)((int32_t *)c->out + off)
                                           : (void *)((float *)c->out + off);
        const float *res = c->kind == BNN_OUT_F32 ? bnn_residual_px(p, bt->pix[q]) : NULL;
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
            if (c->kind == BNN_OUT_F32)
                d = _mm512_min_epi32(_mm512_max_epi32(d, _mm512_set1_epi32(c->lo)),
                                     _mm512_set1_epi32(c->hi));
            bnn_emit16_avx512(c->kind, opx, o0, p->out_c, d, p->mul, p->add,
                              p->thresh, p->dir, res);
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
                       bt->pix[P] * (size_t)p->out_pixel_stride +         \
                       bnn_word_of(blk0 * BNN_OC_BLOCK);                       \
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
    if (c->kind == BNN_OUT_F32 && !(indirect && c->corr) &&
        (blk0 + 4) * BNN_OC_BLOCK <= p->out_c &&
        f32_fma_exact(p, c->nk, (int64_t)c->kt * cwg * BNN_WORD_BITS)) {
        /* Floats of 4 whole blocks: mul and add loaded once for the 4
         * pixels, the dot's float in the FMA form, the residual added. */
        const float nkf = (float)c->nk;
        const size_t o0 = (size_t)blk0 * BNN_OC_BLOCK;
        const __m512 m0 = _mm512_loadu_ps(p->mul + o0), m1 = _mm512_loadu_ps(p->mul + o0 + 16);
        const __m512 m2 = _mm512_loadu_ps(p->mul + o0 + 32);
        const __m512 m3 = _mm512_loadu_ps(p->mul + o0 + 48);
        const __m512 a0 = _mm512_loadu_ps(p->add + o0), a1 = _mm512_loadu_ps(p->add + o0 + 16);
        const __m512 a2 = _mm512_loadu_ps(p->add + o0 + 32);
        const __m512 a3 = _mm512_loadu_ps(p->add + o0 + 48);
        const float *res = p->residual;
        const size_t ops = (size_t)p->out_pixel_stride, rps = (size_t)p->residual_pixel_stride;
#define EMIT_F32_1(P, B)                                                       \
    do {                                                                       \
        __m512 t_ = _mm512_add_ps(_mm512_mul_ps(f32_dot_fma(s##P##B, nkf), m##B), a##B); \
        if (r_)                                                                \
            t_ = _mm512_add_ps(t_, _mm512_loadu_ps(r_ + 16 * B));              \
        _mm512_storeu_ps(o_ + 16 * B, t_);                                     \
    } while (0)
#define EMIT_F32(P)                                                            \
    do {                                                                       \
        float *o_ = (float *)c->out + bt->pix[P] * ops + o0;                   \
        const float *r_ = res ? res + bt->pix[P] * rps + o0 : NULL;            \
        EMIT_F32_1(P, 0);                                                      \
        EMIT_F32_1(P, 1);                                                      \
        EMIT_F32_1(P, 2);                                                      \
        EMIT_F32_1(P, 3);                                                      \
    } while (0)
        EMIT_F32(0);
        EMIT_F32(1);
        EMIT_F32(2);
        EMIT_F32(3);
#undef EMIT_F32
#undef EMIT_F32_1
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

/* ------------------------------------------------------------------
 * 1x1 convolutions without padding and with one group (the shortcuts of
 * residual networks, transition layers): output pixel (n, oy, ox) reads
 * input pixel (n, oy*stride_h, ox*stride_w), so the convolution is a
 * product of the pixel rows with the weight rows. The loop keeps 4 blocks
 * (64 channels) of weights in L1 and walks every pixel for them and
 * writes each output once, with the transform (and the residual) applied
 * in registers: for K <= 64 and K <= 128 bits (2 or 4 words per pixel,
 * most shortcuts) with the 8 or 16 weight vectors in registers, one
 * pixel at a time; for other K 4 pixels at a time in 16 named
 * accumulators. The f32 mul and add of the 4 blocks are loaded once per
 * group. The driver's pixel walk and tile dispatch cost more than such a
 * short reduction.
 * ------------------------------------------------------------------ */

/* Everything a 1x1 row needs, set once per call and channel block. */
typedef struct {
    const bnn_bconv2d_params *p;
    const uint32_t *w; /* weights of block blk */
    size_t wbs;        /* words between two weight blocks */
    int32_t cw;        /* input words per pixel */
    int32_t blk;       /* first block of the group of 4 */
    const int32_t *bthr_t, *bthr_m;
    void *out;
    /* copies of the parameters the stores use: the compiler cannot keep
     * fields of *p in registers across stores through float pointers */
    const float *mul, *add, *res;
    size_t ops, rps; /* output and residual pixel strides */
    int32_t nk;      /* in_c: the reduction length (f32: + dot_offset) */
    int32_t lo, hi;  /* f32: clamp of the offset dot */
    float nkf;       /* f32, FMA form: nk as a float */
} c1x1;

/* The f32 transform's mul and add of the 4 blocks of a group, loaded
 * once per group and kept in registers over its pixels. */
typedef struct {
    __m512 m0, m1, m2, m3, a0, a1, a2, a3;
} c1x1_ma;

/* Output of one block of one pixel from its popcount sums s (dot =
 * nk - 2 s). KIND: 0 i32, 1 f32, 2 bits; RES: f32 adds the residual;
 * FULL: the block's 16 channels all exist (else masked by m); FMA: f32
 * without a clamp and in the exact range of f32_dot_fma. opx, rpx: the
 * pixel's output and residual at channel 16 * c->blk (element pointers;
 * for bits a word pointer); b: the block within the group of 4; mv, av:
 * the block's mul and add (f32). */
BNN_ALWAYS_INLINE void out1x1(const int KIND, const int RES, const int FULL, const int FMA,
                              const c1x1 cv, void *opx, const float *rpx, int32_t b,
                              __m512i s, __mmask16 m, __m512 mv, __m512 av)
{
    const c1x1 *c = &cv;
    if (KIND == 2) {
        const int32_t o0 = (c->blk + b) * 16;
        uint32_t bits = (uint32_t)_mm512_cmpgt_epi32_mask(
            _mm512_xor_si512(s, _mm512_loadu_si512(c->bthr_m + o0)),
            _mm512_loadu_si512(c->bthr_t + o0));
        uint32_t *w = (uint32_t *)opx + (bnn_word_of(o0) - bnn_word_of(c->blk * 16));
        if (!FULL)
            bits &= (uint32_t)m;
        if (bnn_bit_of(o0) == 0)
            *w = bits;
        else
            *w |= bits << bnn_bit_of(o0);
        return;
    }
    if (KIND == 0) {
        const __m512i d =
            _mm512_sub_epi32(_mm512_set1_epi32(c->nk), _mm512_slli_epi32(s, 1));
        int32_t *o = (int32_t *)opx + 16 * b;
        if (FULL)
            _mm512_storeu_si512(o, d);
        else
            _mm512_mask_storeu_epi32(o, m, d);
        return;
    }
    float *o = (float *)opx + 16 * b;
    __m512 t;
    if (FMA) {
        t = f32_dot_fma(s, c->nkf);
    } else {
        const __m512i d =
            _mm512_sub_epi32(_mm512_set1_epi32(c->nk), _mm512_slli_epi32(s, 1));
        t = _mm512_cvtepi32_ps(_mm512_min_epi32(
            _mm512_max_epi32(d, _mm512_set1_epi32(c->lo)), _mm512_set1_epi32(c->hi)));
    }
    t = _mm512_add_ps(_mm512_mul_ps(t, mv), av);
    if (RES)
        t = _mm512_add_ps(t, FULL ? _mm512_loadu_ps(rpx + 16 * b)
                                  : _mm512_maskz_loadu_ps(m, rpx + 16 * b));
    if (FULL)
        _mm512_storeu_ps(o, t);
    else
        _mm512_mask_storeu_ps(o, m, t);
}

/* The output pointer of pixel pix at channel 16 * c->blk (out1x1's opx),
 * and its residual pointer (rpx). */
BNN_ALWAYS_INLINE void *out1x1_px(const int KIND, const c1x1 *c, size_t pix)
{
    if (KIND == 2)
        return (uint32_t *)c->out + pix * c->ops + (size_t)bnn_word_of(c->blk * 16);
    if (KIND == 0)
        return (int32_t *)c->out + pix * c->ops + (size_t)c->blk * 16u;
    return (float *)c->out + pix * c->ops + (size_t)c->blk * 16u;
}

BNN_ALWAYS_INLINE const float *res1x1_px(const int RES, const c1x1 *c, size_t pix)
{
    return RES ? c->res + pix * c->rps + (size_t)c->blk * 16u : NULL;
}

#if defined(__clang__)
#define TILE1_UNROLL _Pragma("unroll 4")
#elif defined(__GNUC__)
#define TILE1_UNROLL _Pragma("GCC unroll 4")
#else
#define TILE1_UNROLL
#endif

#define ACC1(P, xv)                                                            \
    s##P##0 = _mm512_add_epi32(s##P##0, _mm512_popcnt_epi32(_mm512_xor_si512(xv, w0))); \
    s##P##1 = _mm512_add_epi32(s##P##1, _mm512_popcnt_epi32(_mm512_xor_si512(xv, w1))); \
    s##P##2 = _mm512_add_epi32(s##P##2, _mm512_popcnt_epi32(_mm512_xor_si512(xv, w2))); \
    s##P##3 = _mm512_add_epi32(s##P##3, _mm512_popcnt_epi32(_mm512_xor_si512(xv, w3)))
#define OUT4(P)                                                                \
    do {                                                                       \
        void *const o_ = out1x1_px(KIND, c, pix + P);                          \
        const float *const r_ = res1x1_px(RES, c, pix + P);                    \
        out1x1(KIND, RES, 1, FMA, cv, o_, r_, 0, s##P##0, 0xFFFF, ma.m0, ma.a0); \
        out1x1(KIND, RES, 1, FMA, cv, o_, r_, 1, s##P##1, 0xFFFF, ma.m1, ma.a1); \
        out1x1(KIND, RES, 1, FMA, cv, o_, r_, 2, s##P##2, 0xFFFF, ma.m2, ma.a2); \
        out1x1(KIND, RES, 1, FMA, cv, o_, r_, 3, s##P##3, 0xFFFF, ma.m3, ma.a3); \
    } while (0)

/*
 * nx output pixels of one row (first pixel pix, input row `a`, pixels xs
 * words apart) x the 4 full blocks from c->blk, 4 pixels at a time in 16
 * named accumulators (GCC keeps arrays of vectors in memory here), then
 * one at a time.
 */
BNN_ALWAYS_INLINE void row1x1_4(const int KIND, const int RES, const int FMA, const c1x1 cv,
                                const c1x1_ma ma, const uint32_t *a, size_t xs, int32_t nx,
                                size_t pix)
{
    const c1x1 *c = &cv;
    const int32_t cw = c->cw;
    const size_t wbs = c->wbs;
    int32_t x = 0;
    for (; x + 4 <= nx; x += 4, a += 4 * xs, pix += 4) {
        const uint32_t *a0 = a, *a1 = a + xs, *a2 = a + 2 * xs, *a3 = a + 3 * xs;
        const uint32_t *w = c->w;
        __m512i s00 = _mm512_setzero_si512(), s01 = s00, s02 = s00, s03 = s00;
        __m512i s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        __m512i s20 = s00, s21 = s00, s22 = s00, s23 = s00;
        __m512i s30 = s00, s31 = s00, s32 = s00, s33 = s00;
        TILE1_UNROLL
        for (int32_t k = 0; k < cw; k++, w += 16) {
            const __m512i w0 = _mm512_loadu_si512(w), w1 = _mm512_loadu_si512(w + wbs);
            const __m512i w2 = _mm512_loadu_si512(w + 2 * wbs);
            const __m512i w3 = _mm512_loadu_si512(w + 3 * wbs);
            const __m512i x0 = _mm512_set1_epi32((int)a0[k]);
            const __m512i x1 = _mm512_set1_epi32((int)a1[k]);
            const __m512i x2 = _mm512_set1_epi32((int)a2[k]);
            const __m512i x3 = _mm512_set1_epi32((int)a3[k]);
            ACC1(0, x0);
            ACC1(1, x1);
            ACC1(2, x2);
            ACC1(3, x3);
        }
        OUT4(0);
        OUT4(1);
        OUT4(2);
        OUT4(3);
    }
    for (; x < nx; x++, a += xs, pix++) {
        const uint32_t *w = c->w;
        __m512i s00 = _mm512_setzero_si512(), s01 = s00, s02 = s00, s03 = s00;
        for (int32_t k = 0; k < cw; k++, w += 16) {
            const __m512i w0 = _mm512_loadu_si512(w), w1 = _mm512_loadu_si512(w + wbs);
            const __m512i w2 = _mm512_loadu_si512(w + 2 * wbs);
            const __m512i w3 = _mm512_loadu_si512(w + 3 * wbs);
            const __m512i x0 = _mm512_set1_epi32((int)a[k]);
            ACC1(0, x0);
        }
        OUT4(0);
    }
}

/*
 * As row1x1_4 for pixels of 2 words (K <= 64): the 8 weight vectors of
 * the 4 blocks stay in registers for the row, so a pixel costs 2
 * broadcasts, 20 popcount operations and its 4 outputs; one pixel at a
 * time (4 accumulators: no pressure on the 32 registers).
 */
BNN_ALWAYS_INLINE void row1x1_w2(const int KIND, const int RES, const int FMA, const c1x1 cv,
                                 const c1x1_ma ma, const uint32_t *a, size_t xs, int32_t nx,
                                 size_t pix)
{
    const c1x1 *c = &cv;
    const uint32_t *w = c->w;
    const size_t wbs = c->wbs;
    const __m512i w00 = _mm512_loadu_si512(w), w01 = _mm512_loadu_si512(w + 16);
    const __m512i w10 = _mm512_loadu_si512(w + wbs), w11 = _mm512_loadu_si512(w + wbs + 16);
    const __m512i w20 = _mm512_loadu_si512(w + 2 * wbs);
    const __m512i w21 = _mm512_loadu_si512(w + 2 * wbs + 16);
    const __m512i w30 = _mm512_loadu_si512(w + 3 * wbs);
    const __m512i w31 = _mm512_loadu_si512(w + 3 * wbs + 16);
    for (int32_t x = 0; x < nx; x++, a += xs, pix++) {
        const __m512i x0 = _mm512_set1_epi32((int)a[0]), x1 = _mm512_set1_epi32((int)a[1]);
#define POP2(B)                                                                \
    _mm512_add_epi32(_mm512_popcnt_epi32(_mm512_xor_si512(x0, w##B##0)),       \
                     _mm512_popcnt_epi32(_mm512_xor_si512(x1, w##B##1)))
        const __m512i s00 = POP2(0), s01 = POP2(1), s02 = POP2(2), s03 = POP2(3);
#undef POP2
        OUT4(0);
    }
}

/* As row1x1_w2 for pixels of 4 words (K <= 128): 16 weight vectors in
 * registers. */
BNN_ALWAYS_INLINE void row1x1_w4(const int KIND, const int RES, const int FMA, const c1x1 cv,
                                 const c1x1_ma ma, const uint32_t *a, size_t xs, int32_t nx,
                                 size_t pix)
{
    const c1x1 *c = &cv;
    const uint32_t *w = c->w;
    const size_t wbs = c->wbs;
#define LDW(B)                                                                 \
    const __m512i w##B##0 = _mm512_loadu_si512(w + B * wbs);                   \
    const __m512i w##B##1 = _mm512_loadu_si512(w + B * wbs + 16);              \
    const __m512i w##B##2 = _mm512_loadu_si512(w + B * wbs + 32);              \
    const __m512i w##B##3 = _mm512_loadu_si512(w + B * wbs + 48)
    LDW(0);
    LDW(1);
    LDW(2);
    LDW(3);
#undef LDW
    for (int32_t x = 0; x < nx; x++, a += xs, pix++) {
        const __m512i x0 = _mm512_set1_epi32((int)a[0]), x1 = _mm512_set1_epi32((int)a[1]);
        const __m512i x2 = _mm512_set1_epi32((int)a[2]), x3 = _mm512_set1_epi32((int)a[3]);
#define POP4(B)                                                                \
    _mm512_add_epi32(                                                          \
        _mm512_add_epi32(_mm512_popcnt_epi32(_mm512_xor_si512(x0, w##B##0)),   \
                         _mm512_popcnt_epi32(_mm512_xor_si512(x1, w##B##1))),  \
        _mm512_add_epi32(_mm512_popcnt_epi32(_mm512_xor_si512(x2, w##B##2)),   \
                         _mm512_popcnt_epi32(_mm512_xor_si512(x3, w##B##3))))
        const __m512i s00 = POP4(0), s01 = POP4(1), s02 = POP4(2), s03 = POP4(3);
#undef POP4
        OUT4(0);
    }
}
#undef OUT4

/* As row1x1_4 for nb (1..3) blocks, the last of which may be partial. */
BNN_ALWAYS_INLINE void row1x1_n(const int KIND, const int RES, const int FMA, const c1x1 cv,
                                int32_t nb, const uint32_t *a, size_t xs, int32_t nx,
                                size_t pix)
{
    const c1x1 *c = &cv;
    const int32_t out_c = c->p->out_c;
    for (int32_t x = 0; x < nx; x++, a += xs, pix++) {
        __m512i s[3];
        int32_t b;
        for (b = 0; b < 3; b++)
            s[b] = _mm512_setzero_si512();
        const uint32_t *w = c->w;
        for (int32_t k = 0; k < c->cw; k++, w += 16) {
            const __m512i xv = _mm512_set1_epi32((int)a[k]);
            for (b = 0; b < nb; b++)
                s[b] = _mm512_add_epi32(
                    s[b], _mm512_popcnt_epi32(_mm512_xor_si512(
                              xv, _mm512_loadu_si512(w + (size_t)b * c->wbs))));
        }
        for (b = 0; b < nb; b++) {
            const int32_t o0 = (c->blk + b) * 16, nv = out_c - o0;
            const __mmask16 m = (__mmask16)(nv >= 16 ? 0xFFFFu : (1u << (uint32_t)nv) - 1u);
            __m512 mv = _mm512_setzero_ps(), av = mv;
            if (KIND == 1) {
                mv = _mm512_maskz_loadu_ps(m, c->mul + o0);
                av = _mm512_maskz_loadu_ps(m, c->add + o0);
            }
            out1x1(KIND, RES, 0, FMA, cv, out1x1_px(KIND, c, pix), res1x1_px(RES, c, pix), b,
                   s[b], m, mv, av);
        }
    }
}

/* Every output row for one group of blocks, one instance per output
 * transform (constants after inlining). */
#define ROWS1X1(NAME, KIND, RES, FMA)                                          \
    BNN_NOINLINE void NAME(const c1x1 *cp, int32_t nb, const uint32_t *in)    \
    {                                                                          \
        /* a local copy: vector stores may alias anything, so fields read \
         * through a pointer would be reloaded after each store */         \
        const c1x1 cv = *cp, *c = &cv;                                         \
        const bnn_bconv2d_params *p = c->p;                                    \
        const size_t xs = (size_t)p->stride_w * (size_t)c->cw;                 \
        c1x1_ma ma;                                                            \
        ma.m0 = ma.m1 = ma.m2 = ma.m3 = _mm512_setzero_ps();                   \
        ma.a0 = ma.a1 = ma.a2 = ma.a3 = ma.m0;                                 \
        if (KIND == 1 && nb == 4) {                                            \
            const float *mp = c->mul + (size_t)c->blk * 16u;                   \
            const float *ap = c->add + (size_t)c->blk * 16u;                   \
            ma.m0 = _mm512_loadu_ps(mp), ma.m1 = _mm512_loadu_ps(mp + 16);     \
            ma.m2 = _mm512_loadu_ps(mp + 32), ma.m3 = _mm512_loadu_ps(mp + 48); \
            ma.a0 = _mm512_loadu_ps(ap), ma.a1 = _mm512_loadu_ps(ap + 16);     \
            ma.a2 = _mm512_loadu_ps(ap + 32), ma.a3 = _mm512_loadu_ps(ap + 48); \
        }                                                                      \
        int32_t r0, r1;                                                        \
        bnn_bconv2d_rows(p, &r0, &r1);                                         \
        for (int32_t r = r0; r < r1; r++) {                                    \
            const int32_t n = r / p->out_h, oy = r - n * p->out_h;             \
            const uint32_t *a =                                                \
                in + (((size_t)n * (size_t)p->in_h +                           \
                       (size_t)oy * (size_t)p->stride_h) *                     \
                      (size_t)p->in_w) * (size_t)c->cw;                        \
            const size_t pix =                                                 \
                ((size_t)n * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w; \
            if (nb == 4 && c->cw == 2)                                         \
                row1x1_w2(KIND, RES, FMA, cv, ma, a, xs, p->out_w, pix);       \
            else if (nb == 4 && c->cw == 4)                                    \
                row1x1_w4(KIND, RES, FMA, cv, ma, a, xs, p->out_w, pix);       \
            else if (nb == 4)                                                  \
                row1x1_4(KIND, RES, FMA, cv, ma, a, xs, p->out_w, pix);        \
            else                                                               \
                row1x1_n(KIND, RES, FMA, cv, nb, a, xs, p->out_w, pix);        \
        }                                                                      \
    }
ROWS1X1(rows1x1_i32, 0, 0, 0)
ROWS1X1(rows1x1_f32, 1, 0, 0)
ROWS1X1(rows1x1_f32_res, 1, 1, 0)
ROWS1X1(rows1x1_f32_fma, 1, 0, 1)
ROWS1X1(rows1x1_f32_res_fma, 1, 1, 1)
ROWS1X1(rows1x1_b, 2, 0, 0)
#undef ROWS1X1
#undef ACC1
#undef TILE1_UNROLL

typedef void (*rows1x1_fn)(const c1x1 *, int32_t, const uint32_t *);

static int conv1x1_applies(const bnn_bconv2d_params *p)
{
    return p->k_h == 1 && p->k_w == 1 && p->pad_h == 0 && p->pad_w == 0 &&
           p->groups == 1;
}

/* The whole 1x1 convolution (checked arguments): 4 blocks (64 output
 * channels) at a time over every pixel, their weights in L1. */
static void conv1x1_avx512(const bnn_bconv2d_params *p, const uint32_t *in, void *out,
                           void *scratch, bnn_out_kind kind)
{
    const int32_t nblk = (p->out_c + 15) / 16;
    rows1x1_fn rows;
    c1x1 c;
    c.p = p;
    c.cw = bnn_words(p->in_c);
    c.wbs = (size_t)c.cw * 16u;
    c.bthr_t = c.bthr_m = NULL;
    c.out = out;
    c.mul = p->mul;
    c.add = p->add;
    c.res = p->residual;
    c.ops = (size_t)p->out_pixel_stride;
    c.rps = (size_t)p->residual_pixel_stride;
    c.nk = p->in_c + bnn_bconv2d_f32_offset(p, kind);
    c.nkf = (float)c.nk;
    bnn_bconv2d_f32_clamp(p, kind, &c.lo, &c.hi);
    /* the thresholds of up to BNN_BCONV2D_BTHR_STACK channels (8 KB) */
    int32_t bthr_stack[2 * BNN_BCONV2D_BTHR_STACK];
    if (kind == BNN_OUT_B) {
        int32_t *bthr = bnn_bthr_in_scratch(p)
                            ? (int32_t *)(void *)((char *)scratch + bnn_scratch_bthr_off(p))
                            : bthr_stack;
        bnn_fill_bthr(p, p->in_c, bthr);
        c.bthr_t = bthr;
        c.bthr_m = bthr + (size_t)nblk * 16u;
    }
    if (kind == BNN_OUT_I32)
        rows = rows1x1_i32;
    else if (kind == BNN_OUT_B)
        rows = rows1x1_b;
    else if (f32_fma_exact(p, c.nk, (int64_t)c.cw * BNN_WORD_BITS))
        rows = p->residual ? rows1x1_f32_res_fma : rows1x1_f32_fma;
    else
        rows = p->residual ? rows1x1_f32_res : rows1x1_f32;
    for (int32_t blk = 0; blk < nblk; blk += 4) {
        const int32_t nb = nblk - blk < 4 ? nblk - blk : 4;
        /* the last group goes through row1x1_n when its last block is
         * partial */
        const int32_t nbf = nb == 4 && (blk + 4) * 16 > p->out_c ? 3 : nb;
        c.blk = blk;
        c.w = p->weights + (size_t)blk * c.wbs;
        rows(&c, nbf, in);
        if (nbf < nb) { /* the partial fourth block */
            c.blk = blk + 3;
            c.w = p->weights + (size_t)(blk + 3) * c.wbs;
            rows(&c, 1, in);
        }
    }
}

#define BCONV2D_FAST(p, in, out, scratch, kind)                                \
    (conv1x1_applies(p) ? (conv1x1_avx512(p, in, out, scratch, kind), 1) : 0)

#include "bconv2d_driver.h" /* the walk, bnn_bconv2d_b_*__avx512 */

#endif
