/*
 * bconv2d_avx2.c - binary conv2d for x86 AVX2 (bnn_bconv2d_b_*__avx2).
 * Compiles to nothing unless BNN_BIN_avx2.
 *
 * AVX2 has no vector popcount: a byte's count is the sum of two table
 * lookups (vpshufb) on its nibbles. Register tile: up to UK_P_AVX2 output
 * pixels x one block of 16 output channels (two ymm halves); for every
 * (tap, input word) it loads the block's two weight vectors, broadcasts
 * each pixel's input word and adds xor + nibble-table counts into byte
 * accumulators (8 ops per 256 binary MACs). A byte gains at most 8 per
 * step, so every 31 steps the bytes are folded into per-channel int32
 * sums (vpmaddubsw + vpmaddwd). Bit outputs compare those sums with
 * thresholds moved to the popcount domain (bnn_fill_bthr) and write a
 * block's 16 bits at once; float outputs of a whole block load mul and
 * add once for the tile's pixels. Both fixed costs of a tile weigh most
 * on short reductions (64 input channels: 18 steps per output).
 *
 * The pixel walk around the tiles (batching, the pad pixel, the tap table
 * of border pixels, the exact integer correction for BNN_PAD_ZERO, the
 * fallback to the portable kernel) is bconv2d_driver.h; 1x1 convolutions
 * without padding take a shorter path of their own (conv1x1_avx2).
 */
#include "bnn_internal.h"

#if BNN_BIN_avx2

#define UK_P_AVX2 4 /* output pixels per register tile */

#define BCONV2D_ISA avx2
#define BCONV2D_TILE_P UK_P_AVX2
#define BCONV2D_BTHR /* b_b: thresholds in the popcount domain */
#include "bconv2d_driver.h" /* conv_ctx_avx2, conv_batch_avx2 */

/* Adds the fold of byte accumulators a8 (two ymm halves of 16 channels)
 * into s32[16] and clears them. */
BNN_ALWAYS_INLINE void conv_fold_avx2(__m256i a8[2], int32_t *s32)
{
    const __m256i ones8 = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1);
    int h;
    for (h = 0; h < 2; h++) {
        __m256i t = _mm256_madd_epi16(_mm256_maddubs_epi16(a8[h], ones8), ones16);
        __m256i *d = (__m256i *)(void *)(s32 + 8 * h);
        _mm256_storeu_si256(d, _mm256_add_epi32(_mm256_loadu_si256(d), t));
        a8[h] = _mm256_setzero_si256();
    }
}

/* Adds the nibble-table popcount of x ^ w to the byte accumulator. */
BNN_ALWAYS_INLINE __m256i conv_pc_add(__m256i acc, __m256i x, __m256i w,
                                      __m256i lut, __m256i m4)
{
    __m256i v = _mm256_xor_si256(x, w);
    acc = _mm256_add_epi8(acc, _mm256_shuffle_epi8(lut, _mm256_and_si256(v, m4)));
    return _mm256_add_epi8(
        acc, _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(v, 4), m4)));
}

/*
 * The register tile: the batch's np pixels (a constant after inlining) x
 * block blk of group g. Reads every tap of every pixel (interior: base +
 * step offsets; border: the tap table), then writes the outputs.
 */
BNN_ALWAYS_INLINE void conv_tile_avx2(const conv_ctx_avx2 *c, const conv_batch_avx2 *bt,
                                 int np, int indirect, int32_t blk, int32_t g)
{
    const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                         0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const bnn_bconv2d_params *p = c->p;
    __m256i a8[UK_P_AVX2][2];
    int32_t s32[UK_P_AVX2][16];
    const uint32_t *w = p->weights + (size_t)blk * c->wbs;
    const uint32_t *base[UK_P_AVX2];
    int32_t goff = g * c->cwg, cwg = c->cwg, t, wd, k, cnt = 0;
    int q, l;
    for (q = 0; q < np; q++) {
        base[q] = indirect ? NULL : bt->base[q] + goff;
        a8[q][0] = a8[q][1] = _mm256_setzero_si256();
        for (l = 0; l < 16; l++)
            s32[q][l] = 0;
    }
    if (!indirect) {
        const ptrdiff_t *steps = c->steps;
        int32_t nsteps = c->kt * cwg;
        for (k = 0; k < nsteps; k++, w += 16) {
            ptrdiff_t ix = steps[k];
            __m256i w0 = _mm256_loadu_si256((const __m256i *)(const void *)w);
            __m256i w1 = _mm256_loadu_si256((const __m256i *)(const void *)(w + 8));
            for (q = 0; q < np; q++) {
                __m256i x = _mm256_set1_epi32((int)base[q][ix]);
                a8[q][0] = conv_pc_add(a8[q][0], x, w0, lut, m4);
                a8[q][1] = conv_pc_add(a8[q][1], x, w1, lut, m4);
            }
            if (++cnt == 31) {
                for (q = 0; q < np; q++)
                    conv_fold_avx2(a8[q], s32[q]);
                cnt = 0;
            }
        }
    } else {
        for (t = 0; t < c->kt; t++) {
            const uint32_t *a[UK_P_AVX2];
            for (q = 0; q < np; q++)
                a[q] = c->taps[t * BNN_BCONV2D_BATCH + q] + goff;
            for (wd = 0; wd < cwg; wd++, w += 16) {
                __m256i w0 = _mm256_loadu_si256((const __m256i *)(const void *)w);
                __m256i w1 = _mm256_loadu_si256((const __m256i *)(const void *)(w + 8));
                for (q = 0; q < np; q++) {
                    __m256i x = _mm256_set1_epi32((int)a[q][wd]);
                    a8[q][0] = conv_pc_add(a8[q][0], x, w0, lut, m4);
                    a8[q][1] = conv_pc_add(a8[q][1], x, w1, lut, m4);
                }
                if (++cnt == 31) {
                    for (q = 0; q < np; q++)
                        conv_fold_avx2(a8[q], s32[q]);
                    cnt = 0;
                }
            }
        }
    }
    for (q = 0; q < np; q++)
        conv_fold_avx2(a8[q], s32[q]);

    if (c->kind == BNN_OUT_B && !(indirect && c->corr)) {
        /* Bits straight from the popcount sums (bnn_fill_bthr): bit =
         * (s ^ M) > T, the block's 16 bits written at once (an even
         * block starts its word, an odd one fills its upper half). */
        const int32_t *tt = c->bthr + (size_t)blk * 16u;
        const int32_t *tm = c->bthr + (size_t)c->nblk * 16u + (size_t)blk * 16u;
        const __m256i t0 = _mm256_loadu_si256((const __m256i *)(const void *)tt);
        const __m256i t1 = _mm256_loadu_si256((const __m256i *)(const void *)(tt + 8));
        const __m256i m0 = _mm256_loadu_si256((const __m256i *)(const void *)tm);
        const __m256i m1 = _mm256_loadu_si256((const __m256i *)(const void *)(tm + 8));
        for (q = 0; q < np; q++) {
            uint32_t *o = (uint32_t *)c->out + bt->pix[q] * (size_t)p->out_pixel_stride +
                          (size_t)(blk / 2);
            __m256i s0 = _mm256_loadu_si256((const __m256i *)(const void *)s32[q]);
            __m256i s1 = _mm256_loadu_si256((const __m256i *)(const void *)(s32[q] + 8));
            uint32_t bits =
                (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(
                    _mm256_cmpgt_epi32(_mm256_xor_si256(s0, m0), t0))) |
                (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(
                    _mm256_cmpgt_epi32(_mm256_xor_si256(s1, m1), t1)))
                    << 8;
            if (blk & 1)
                *o |= bits << 16;
            else
                *o = bits;
        }
        return;
    }

    if (c->kind == BNN_OUT_F32 && !(indirect && c->corr) && (blk + 1) * 16 <= p->out_c) {
        /* Floats of a whole block: mul and add loaded once for the
         * pixels, (float)(clamped dot) * mul + add (+ residual), as
         * bnn_emit8_avx2 computes them. */
        const size_t o0 = (size_t)blk * 16u;
        const __m256 mu0 = _mm256_loadu_ps(p->mul + o0), mu1 = _mm256_loadu_ps(p->mul + o0 + 8);
        const __m256 ad0 = _mm256_loadu_ps(p->add + o0), ad1 = _mm256_loadu_ps(p->add + o0 + 8);
        const __m256i nkv = _mm256_set1_epi32(c->nk);
        const __m256i lov = _mm256_set1_epi32(c->lo), hiv = _mm256_set1_epi32(c->hi);
        const int clamp = c->lo != INT32_MIN || c->hi != INT32_MAX;
        for (q = 0; q < np; q++) {
            float *o = (float *)c->out + bt->pix[q] * (size_t)p->out_pixel_stride + o0;
            const float *r = p->residual
                                 ? p->residual + bt->pix[q] * (size_t)p->residual_pixel_stride + o0
                                 : NULL;
            __m256i d0 = _mm256_sub_epi32(
                nkv, _mm256_slli_epi32(_mm256_loadu_si256((const __m256i *)(const void *)s32[q]), 1));
            __m256i d1 = _mm256_sub_epi32(
                nkv, _mm256_slli_epi32(
                         _mm256_loadu_si256((const __m256i *)(const void *)(s32[q] + 8)), 1));
            __m256 f0, f1;
            if (clamp) {
                d0 = _mm256_min_epi32(_mm256_max_epi32(d0, lov), hiv);
                d1 = _mm256_min_epi32(_mm256_max_epi32(d1, lov), hiv);
            }
            f0 = _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(d0), mu0), ad0);
            f1 = _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(d1), mu1), ad1);
            if (r) {
                f0 = _mm256_add_ps(f0, _mm256_loadu_ps(r));
                f1 = _mm256_add_ps(f1, _mm256_loadu_ps(r + 8));
            }
            _mm256_storeu_ps(o, f0);
            _mm256_storeu_ps(o + 8, f1);
        }
        return;
    }

    /* Outputs: dot = nk - 2*s, minus the ZERO correction of every padded
     * tap of a border pixel; halves in increasing channel order. */
    for (q = 0; q < np; q++) {
        size_t off = bt->pix[q] * (size_t)p->out_pixel_stride;
        void *opx = c->kind == BNN_OUT_I32   ? (void *)((int32_t *)c->out + off)
                    : c->kind == BNN_OUT_F32 ? (void *)((float *)c->out + off)
                                             : (void *)((uint32_t *)c->out + off);
        int h;
        for (h = 0; h < 2; h++) {
            int32_t o0 = blk * 16 + 8 * h;
            __m256i d;
            if (o0 >= p->out_c)
                break;
            d = _mm256_sub_epi32(
                _mm256_set1_epi32(c->nk),
                _mm256_slli_epi32(_mm256_loadu_si256((const __m256i *)(const void *)(s32[q] + 8 * h)), 1));
            if (indirect && c->corr)
                for (t = 0; t < c->kt; t++)
                    if (c->taps[t * BNN_BCONV2D_BATCH + q] == c->pad)
                        d = _mm256_sub_epi32(
                            d, _mm256_loadu_si256((const __m256i *)(const void *)(
                                   c->corr + (size_t)t * (size_t)c->nblk * 16u + (size_t)o0)));
            if (c->kind == BNN_OUT_F32)
                d = _mm256_min_epi32(_mm256_max_epi32(d, _mm256_set1_epi32(c->lo)),
                                     _mm256_set1_epi32(c->hi));
            bnn_emit8_avx2(c->kind, opx, o0, p->out_c, d, p->mul, p->add,
                           p->thresh, p->dir,
                           c->kind == BNN_OUT_F32 ? bnn_residual_px(p, bt->pix[q]) : NULL);
        }
    }
}

/* dot = nk - 2 * (fold of the byte accumulator a), clamped, then
 * (float)dot * mul + add (+ residual), as bnn_emit8_avx2 computes it. The
 * fold multiplies the bytes by -2 (vpmaddubsw: bytes <= 8 * 31, pairs >=
 * -992), so that the dot is one add away. */
#define C1_OUT(a, mu, ad, res, o)                                                   \
    do {                                                                            \
        __m256i d_ = _mm256_add_epi32(                                              \
            nkv, _mm256_madd_epi16(_mm256_maddubs_epi16((a), m2), ones16));          \
        __m256 f_;                                                                  \
        if (clamp)                                                                  \
            d_ = _mm256_min_epi32(_mm256_max_epi32(d_, lov), hiv);                  \
        f_ = _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(d_), (mu)), (ad));      \
        if (res)                                                                    \
            f_ = _mm256_add_ps(f_, _mm256_loadu_ps(res));                           \
        _mm256_storeu_ps((o), f_);                                                  \
    } while (0)

/*
 * Float outputs of a 1x1 convolution whose output channels are whole
 * blocks: C1_P pixels of a row at once (fewer at its end), so that each
 * block's weight vectors, mul and add are loaded once for them and their
 * 2 * C1_P byte accumulators are independent chains. One pixel at a time
 * the tile is latency-bound (a block of 64 input channels is 2 words, then
 * a fold and an output transform): on Zen 3, with the residual, 56x56x64
 * -> 64 went from 0.33 to 0.47 of the roofline, 64 -> 128 at stride 2 from
 * 0.33 to 0.50, 128 -> 256 at stride 2 from 0.51 to 0.67 (2 and 3 pixels
 * measured as 4, 6 and 8 slower).
 */
#define C1_P 4
BNN_ALWAYS_INLINE void conv1x1_f32_px_avx2(const int P, const bnn_bconv2d_params *p,
                                           const uint32_t *const x[C1_P], float *const o[C1_P],
                                           const float *const rs[C1_P], int32_t cw, int32_t nblk,
                                           __m256i nkv, __m256i lov, __m256i hiv, int clamp)
{
    const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                         0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i m4 = _mm256_set1_epi8(0x0F), m2 = _mm256_set1_epi8(-2);
    const __m256i ones16 = _mm256_set1_epi16(1);
    const uint32_t *w = p->weights;
    int32_t blk, wd;
    int q;
    for (blk = 0; blk < nblk; blk++) {
        const size_t o0 = (size_t)blk * 16u;
        const __m256 mu0 = _mm256_loadu_ps(p->mul + o0), mu1 = _mm256_loadu_ps(p->mul + o0 + 8);
        const __m256 ad0 = _mm256_loadu_ps(p->add + o0), ad1 = _mm256_loadu_ps(p->add + o0 + 8);
        __m256i a[C1_P][2];
        for (q = 0; q < P; q++)
            a[q][0] = a[q][1] = _mm256_setzero_si256();
        for (wd = 0; wd < cw; wd++, w += 16) {
            const __m256i w0 = _mm256_loadu_si256((const __m256i *)(const void *)w);
            const __m256i w1 = _mm256_loadu_si256((const __m256i *)(const void *)(w + 8));
            for (q = 0; q < P; q++) {
                const __m256i xv = _mm256_set1_epi32((int)x[q][wd]);
                a[q][0] = conv_pc_add(a[q][0], xv, w0, lut, m4);
                a[q][1] = conv_pc_add(a[q][1], xv, w1, lut, m4);
            }
        }
        for (q = 0; q < P; q++) {
            const float *res = rs[q] ? rs[q] + o0 : NULL;
            C1_OUT(a[q][0], mu0, ad0, res, o[q] + o0);
            C1_OUT(a[q][1], mu1, ad1, res ? res + 8 : NULL, o[q] + o0 + 8);
        }
    }
}

/*
 * 1x1 convolutions without padding and with one group (the shortcuts of
 * residual networks): output pixel (n, oy, ox) reads input pixel
 * (n, oy*stride_h, ox*stride_w) alone, so each output block is a short
 * reduction over that pixel's words. Done one pixel and one block at a
 * time with the byte accumulators, their fold and the output transform
 * in registers: the general walk's batching, tap tables and int32 sums
 * in memory cost more than a reduction of a few words (2 for 64 input
 * channels). Up to 31 words per pixel (992 channels: a byte accumulator
 * gains at most 8 per word); i32 output and longer reductions take the
 * general walk. Returns 1 when it computed the call.
 */
static int conv1x1_avx2(const bnn_bconv2d_params *p, const uint32_t *in, void *out,
                        bnn_out_kind kind)
{
    const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                         0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i m4 = _mm256_set1_epi8(0x0F), ones8 = _mm256_set1_epi8(1);
    const __m256i ones16 = _mm256_set1_epi16(1);
    const int32_t cw = bnn_words(p->in_c), nblk = (p->out_c + 15) / 16;
    const size_t wbs = (size_t)cw * 16u;
    int32_t nk = p->in_c + bnn_bconv2d_f32_offset(p, kind), lo, hi, n, oy, ox, blk, wd, r, r0,
            r1;
    int clamp;
    __m256i nkv, lov, hiv;
    if (p->k_h != 1 || p->k_w != 1 || p->pad_h || p->pad_w || p->groups != 1 ||
        kind == BNN_OUT_I32 || cw > 31)
        return 0;
    bnn_bconv2d_f32_clamp(p, kind, &lo, &hi);
    clamp = lo != INT32_MIN || hi != INT32_MAX;
    nkv = _mm256_set1_epi32(nk);
    lov = _mm256_set1_epi32(lo);
    hiv = _mm256_set1_epi32(hi);
    bnn_bconv2d_rows(p, &r0, &r1);
    if (kind == BNN_OUT_F32 && p->out_c % 16 == 0) {
        for (r = r0; r < r1; r++) /* row oy of image n */
            for (n = r / p->out_h, oy = r - n * p->out_h, ox = 0; ox < p->out_w;) {
                const uint32_t *x[C1_P];
                float *o[C1_P];
                const float *rs[C1_P];
                int np = p->out_w - ox < C1_P ? p->out_w - ox : C1_P, q;
                for (q = 0; q < np; q++, ox++) {
                    size_t pix = ((size_t)n * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w +
                                 (size_t)ox;
                    x[q] = in + (((size_t)n * (size_t)p->in_h + (size_t)oy * (size_t)p->stride_h) *
                                     (size_t)p->in_w +
                                 (size_t)ox * (size_t)p->stride_w) *
                                    (size_t)cw;
                    o[q] = (float *)out + pix * (size_t)p->out_pixel_stride;
                    rs[q] = bnn_residual_px(p, pix);
                }
                if (np == C1_P)
                    conv1x1_f32_px_avx2(C1_P, p, x, o, rs, cw, nblk, nkv, lov, hiv, clamp);
                else
                    for (q = 0; q < np; q++)
                        conv1x1_f32_px_avx2(1, p, x + q, o + q, rs + q, cw, nblk, nkv, lov, hiv,
                                            clamp);
            }
        return 1;
    }
    for (r = r0; r < r1; r++) /* row oy of image n */
        for (n = r / p->out_h, oy = r - n * p->out_h, ox = 0; ox < p->out_w; ox++) {
            size_t pix = ((size_t)n * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w +
                         (size_t)ox;
            const uint32_t *x =
                in + (((size_t)n * (size_t)p->in_h + (size_t)oy * (size_t)p->stride_h) *
                          (size_t)p->in_w +
                      (size_t)ox * (size_t)p->stride_w) *
                         (size_t)cw;
            void *opx = kind == BNN_OUT_F32
                            ? (void *)((float *)out + pix * (size_t)p->out_pixel_stride)
                            : (void *)((uint32_t *)out + pix * (size_t)p->out_pixel_stride);
            const float *res = kind == BNN_OUT_F32 ? bnn_residual_px(p, pix) : NULL;
            for (blk = 0; blk < nblk; blk++) {
                const uint32_t *w = p->weights + (size_t)blk * wbs;
                __m256i a0 = _mm256_setzero_si256(), a1 = a0, d;
                for (wd = 0; wd < cw; wd++, w += 16) {
                    __m256i xv = _mm256_set1_epi32((int)x[wd]);
                    a0 = conv_pc_add(a0, xv,
                                     _mm256_loadu_si256((const __m256i *)(const void *)w),
                                     lut, m4);
                    a1 = conv_pc_add(
                        a1, xv, _mm256_loadu_si256((const __m256i *)(const void *)(w + 8)),
                        lut, m4);
                }
                /* dot = nk - 2 * sums, channels blk*16 .. + 7, then + 8 .. + 15 */
                d = _mm256_sub_epi32(
                    nkv, _mm256_slli_epi32(
                             _mm256_madd_epi16(_mm256_maddubs_epi16(a0, ones8), ones16), 1));
                if (clamp)
                    d = _mm256_min_epi32(_mm256_max_epi32(d, lov), hiv);
                bnn_emit8_avx2(kind, opx, blk * 16, p->out_c, d, p->mul, p->add, p->thresh,
                               p->dir, res);
                if (blk * 16 + 8 >= p->out_c)
                    break;
                d = _mm256_sub_epi32(
                    nkv, _mm256_slli_epi32(
                             _mm256_madd_epi16(_mm256_maddubs_epi16(a1, ones8), ones16), 1));
                if (clamp)
                    d = _mm256_min_epi32(_mm256_max_epi32(d, lov), hiv);
                bnn_emit8_avx2(kind, opx, blk * 16 + 8, p->out_c, d, p->mul, p->add,
                               p->thresh, p->dir, res);
            }
        }
    return 1;
}

#undef C1_OUT
#undef C1_P

#define BCONV2D_FAST(p, in, out, scratch, kind) conv1x1_avx2((p), (in), (out), (kind))
#define BCONV2D_TILE conv_tile_avx2
#include "bconv2d_driver.h" /* the walk, bnn_bconv2d_b_*__avx2 */

#endif
