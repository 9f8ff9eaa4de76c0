/*
 * bconv2d_avx2.c - binary conv2d for x86 AVX2 (bnn_bconv2d_b_*__avx2).
 * Compiles to nothing unless BNN_HAVE_AVX2.
 *
 * AVX2 has no vector popcount: a byte's count is the sum of two table
 * lookups (vpshufb) on its nibbles. Register tile: up to UK_P_AVX2 output
 * pixels x one block of 16 output channels (two ymm halves); for every
 * (tap, input word) it loads the block's two weight vectors, broadcasts
 * each pixel's input word and adds xor + nibble-table counts into byte
 * accumulators (8 ops per 256 binary MACs). A byte gains at most 8 per
 * step, so every 31 steps the bytes are folded into per-channel int32
 * sums (vpmaddubsw + vpmaddwd).
 *
 * Pixel batching, the pad pixel, the tap table of border pixels and the
 * exact integer correction for BNN_PAD_ZERO are as in the AVX-512 variant
 * (bconv2d_avx512.c). Falls back to the portable kernel when
 * !bnn_bconv2d_word_aligned() (groups whose channel counts are not
 * multiples of 32 in and 16 out).
 */
#include "bnn_internal.h"

#if BNN_HAVE_AVX2

#define UK_P_AVX2 4 /* output pixels per register tile */

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
} conv_ctx_avx2;

/* Output pixels waiting for a tile. base[] is the input at tap (0, 0) of
 * each interior pixel; border pixels keep their taps in ctx->taps. */
typedef struct {
    int np;
    size_t pix[UK_P_AVX2];
    const uint32_t *base[UK_P_AVX2];
} conv_batch_avx2;

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
            bnn_emit8_avx2(c->kind, opx, o0, p->out_c, d, p->mul, p->add,
                           p->thresh, p->dir);
        }
    }
}

typedef void (*conv_tile_fn_avx2)(const conv_ctx_avx2 *, const conv_batch_avx2 *, int32_t,
                             int32_t);

#define TILE_FN_AVX2(NP, IND)                                                       \
    BNN_NOINLINE void conv_tile_##NP##_##IND(                                  \
        const conv_ctx_avx2 *c, const conv_batch_avx2 *bt, int32_t blk, int32_t g)       \
    {                                                                          \
        conv_tile_avx2(c, bt, NP, IND, blk, g);                                     \
    }
TILE_FN_AVX2(1, 0)
TILE_FN_AVX2(2, 0)
TILE_FN_AVX2(3, 0)
TILE_FN_AVX2(4, 0)
TILE_FN_AVX2(1, 1)
TILE_FN_AVX2(2, 1)
TILE_FN_AVX2(3, 1)
TILE_FN_AVX2(4, 1)

/* Computes every output channel of the batch's pixels and writes them. */
static void conv_flush_avx2(const conv_ctx_avx2 *c, conv_batch_avx2 *bt, int indirect)
{
    static const conv_tile_fn_avx2 tab[2][UK_P_AVX2] = {
        {conv_tile_1_0, conv_tile_2_0, conv_tile_3_0, conv_tile_4_0},
        {conv_tile_1_1, conv_tile_2_1, conv_tile_3_1, conv_tile_4_1}};
    int32_t g, bi;
    if (bt->np == 0)
        return;
    for (g = 0; g < c->p->groups; g++)
        for (bi = 0; bi < c->bpg; bi++)
            tab[indirect][bt->np - 1](c, bt, g * c->bpg + bi, g);
    bt->np = 0;
}

/* Adds the border pixel (n, oy, ox) to its batch: one tap table column. */
static void conv_add_border_avx2(conv_ctx_avx2 *c, conv_batch_avx2 *border, const uint32_t *img,
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
    if (++border->np == UK_P_AVX2)
        conv_flush_avx2(c, border, 1);
}

/* Walks the output pixels in raster order, batching interior and border
 * pixels separately. Interior columns of a row whose taps all lie inside
 * the image form one range [ox_lo, ox_hi), walked with pointer steps. */
static void conv_run_avx2(conv_ctx_avx2 *c, const uint32_t *in)
{
    const bnn_bconv2d_params *p = c->p;
    conv_batch_avx2 inner, border;
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
                    conv_add_border_avx2(c, &border, img, oy, ox, pix + (size_t)ox);
                continue;
            }
            for (ox = 0; ox < ox_lo; ox++)
                conv_add_border_avx2(c, &border, img, oy, ox, pix + (size_t)ox);
            if (ox_lo < ox_hi) { /* then ox_lo*stride_w - pad_w >= 0 */
                const uint32_t *a =
                    img + ((size_t)iy0 * (size_t)p->in_w +
                           (size_t)(ox_lo * p->stride_w - p->pad_w)) * (size_t)c->cwin;
                for (ox = ox_lo; ox < ox_hi; ox++, a += xstep) {
                    inner.base[inner.np] = a;
                    inner.pix[inner.np] = pix + (size_t)ox;
                    if (++inner.np == UK_P_AVX2)
                        conv_flush_avx2(c, &inner, 0);
                }
            }
            for (ox = ox_hi; ox < p->out_w; ox++)
                conv_add_border_avx2(c, &border, img, oy, ox, pix + (size_t)ox);
        }
    }
    conv_flush_avx2(c, &inner, 0);
    conv_flush_avx2(c, &border, 1);
}

/* Checks, falls back to portable where needed, sets up scratch and runs. */
static bnn_status conv_entry_avx2(const bnn_bconv2d_params *p, const uint32_t *in,
                             void *out, void *scratch, bnn_out_kind kind)
{
    conv_ctx_avx2 c;
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
    conv_run_avx2(&c, in);
    return BNN_OK;
}

BNN_API bnn_status bnn_bconv2d_b_i32__avx2(const bnn_bconv2d_params *p,
                                     const uint32_t *in, int32_t *out,
                                     void *scratch)
{
    return conv_entry_avx2(p, in, out, scratch, BNN_OUT_I32);
}

BNN_API bnn_status bnn_bconv2d_b_f32__avx2(const bnn_bconv2d_params *p,
                                     const uint32_t *in, float *out,
                                     void *scratch)
{
    return conv_entry_avx2(p, in, out, scratch, BNN_OUT_F32);
}

BNN_API bnn_status bnn_bconv2d_b_b__avx2(const bnn_bconv2d_params *p,
                                   const uint32_t *in, uint32_t *out,
                                   void *scratch)
{
    return conv_entry_avx2(p, in, out, scratch, BNN_OUT_B);
}

#endif
