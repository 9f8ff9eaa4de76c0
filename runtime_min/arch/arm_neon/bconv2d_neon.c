/*
 * bconv2d_neon.c - binary conv2d for AArch64 Advanced SIMD
 * (bnn_bconv2d_b_*__neon). Compiles to nothing unless BNN_HAVE_NEON.
 *
 * Register tile: up to UK_P_NEON output pixels x one block of 16 output
 * channels (four q registers of 4 channels). For every (tap, input word)
 * it loads the block's four weight vectors, duplicates each pixel's input
 * word and does eor + cnt (byte counts) + uadalp into 16-bit accumulators
 * (3 ops per 128 binary MACs, no horizontal reduction in the loop). A
 * 16-bit lane gains at most 16 per step, so every 4095 steps the lanes are
 * widened into per-channel 32-bit sums (uadalp again).
 *
 * Pixel batching, the pad pixel, the tap table of border pixels and the
 * exact integer correction for BNN_PAD_ZERO are as in the AVX-512 variant
 * (bconv2d_avx512.c). Falls back to the portable kernel when
 * !bnn_bconv2d_word_aligned() (groups whose channel counts are not
 * multiples of 32 in and 16 out).
 */
#include "bnn_internal.h"

#if BNN_HAVE_NEON
#include <arm_neon.h>

#define UK_P_NEON 4 /* output pixels per register tile */

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
} conv_ctx_neon;

/* Output pixels waiting for a tile. base[] is the input at tap (0, 0) of
 * each interior pixel; border pixels keep their taps in ctx->taps. */
typedef struct {
    int np;
    size_t pix[UK_P_NEON];
    const uint32_t *base[UK_P_NEON];
} conv_batch_neon;

#define NEON_FOLD_STEPS 4095

/* Widens the 16-bit accumulators a16[4] into s32[4] and clears them. */
BNN_ALWAYS_INLINE void conv_fold_neon(uint16x8_t a16[4], uint32x4_t s32[4])
{
    int h;
    for (h = 0; h < 4; h++) {
        s32[h] = vpadalq_u16(s32[h], a16[h]);
        a16[h] = vdupq_n_u16(0);
    }
}

/* One (tap, word) step of np pixels whose input words are x[q]. */
BNN_ALWAYS_INLINE void conv_step(const uint32_t *w, const uint32_t *x, int np,
                                 uint16x8_t a16[][4])
{
    uint32x4_t w0 = vld1q_u32(w), w1 = vld1q_u32(w + 4);
    uint32x4_t w2 = vld1q_u32(w + 8), w3 = vld1q_u32(w + 12);
    int q;
    for (q = 0; q < np; q++) {
        uint32x4_t v = vdupq_n_u32(x[q]);
        a16[q][0] = vpadalq_u8(a16[q][0], vcntq_u8(vreinterpretq_u8_u32(veorq_u32(v, w0))));
        a16[q][1] = vpadalq_u8(a16[q][1], vcntq_u8(vreinterpretq_u8_u32(veorq_u32(v, w1))));
        a16[q][2] = vpadalq_u8(a16[q][2], vcntq_u8(vreinterpretq_u8_u32(veorq_u32(v, w2))));
        a16[q][3] = vpadalq_u8(a16[q][3], vcntq_u8(vreinterpretq_u8_u32(veorq_u32(v, w3))));
    }
}

/*
 * The register tile: the batch's np pixels (a constant after inlining) x
 * block blk of group g. Reads every tap of every pixel (interior: base +
 * step offsets; border: the tap table), then writes the outputs.
 */
BNN_ALWAYS_INLINE void conv_tile_neon(const conv_ctx_neon *c, const conv_batch_neon *bt,
                                 int np, int indirect, int32_t blk, int32_t g)
{
    const bnn_bconv2d_params *p = c->p;
    uint16x8_t a16[UK_P_NEON][4];
    uint32x4_t s32[UK_P_NEON][4];
    const uint32_t *w = p->weights + (size_t)blk * c->wbs;
    const uint32_t *base[UK_P_NEON];
    uint32_t x[UK_P_NEON];
    int32_t goff = g * c->cwg, cwg = c->cwg, t, wd, k, cnt = 0;
    int q, h;
    for (q = 0; q < np; q++) {
        base[q] = indirect ? NULL : bt->base[q] + goff;
        for (h = 0; h < 4; h++) {
            a16[q][h] = vdupq_n_u16(0);
            s32[q][h] = vdupq_n_u32(0);
        }
    }
    if (!indirect) {
        const ptrdiff_t *steps = c->steps;
        int32_t nsteps = c->kt * cwg;
        for (k = 0; k < nsteps; k++, w += 16) {
            ptrdiff_t ix = steps[k];
            for (q = 0; q < np; q++)
                x[q] = base[q][ix];
            conv_step(w, x, np, a16);
            if (++cnt == NEON_FOLD_STEPS) {
                for (q = 0; q < np; q++)
                    conv_fold_neon(a16[q], s32[q]);
                cnt = 0;
            }
        }
    } else {
        for (t = 0; t < c->kt; t++) {
            const uint32_t *a[UK_P_NEON];
            for (q = 0; q < np; q++)
                a[q] = c->taps[t * BNN_BCONV2D_BATCH + q] + goff;
            for (wd = 0; wd < cwg; wd++, w += 16) {
                for (q = 0; q < np; q++)
                    x[q] = a[q][wd];
                conv_step(w, x, np, a16);
                if (++cnt == NEON_FOLD_STEPS) {
                    for (q = 0; q < np; q++)
                        conv_fold_neon(a16[q], s32[q]);
                    cnt = 0;
                }
            }
        }
    }

    /* Outputs: dot = nk - 2*s, minus the ZERO correction of every padded
     * tap of a border pixel. */
    for (q = 0; q < np; q++) {
        size_t off = bt->pix[q] * (size_t)p->out_pixel_stride;
        void *opx = c->kind == BNN_OUT_I32   ? (void *)((int32_t *)c->out + off)
                    : c->kind == BNN_OUT_F32 ? (void *)((float *)c->out + off)
                                             : (void *)((uint32_t *)c->out + off);
        int32_t dot[16];
        int32_t o0 = blk * 16;
        conv_fold_neon(a16[q], s32[q]);
        for (h = 0; h < 4; h++) {
            int32x4_t d = vsubq_s32(vdupq_n_s32(c->nk),
                                    vshlq_n_s32(vreinterpretq_s32_u32(s32[q][h]), 1));
            if (indirect && c->corr)
                for (t = 0; t < c->kt; t++)
                    if (c->taps[t * BNN_BCONV2D_BATCH + q] == c->pad)
                        d = vsubq_s32(d, vld1q_s32(c->corr + (size_t)t * (size_t)c->nblk * 16u +
                                                   (size_t)o0 + (size_t)(4 * h)));
            vst1q_s32(dot + 4 * h, d);
        }
        bnn_emit16_scalar(c->kind, opx, o0, p->out_c, dot, p->mul, p->add,
                          p->thresh, p->dir);
    }
}

typedef void (*conv_tile_fn_neon)(const conv_ctx_neon *, const conv_batch_neon *, int32_t,
                             int32_t);

#define TILE_FN_NEON(NP, IND)                                                       \
    BNN_NOINLINE void conv_tile_##NP##_##IND(                                  \
        const conv_ctx_neon *c, const conv_batch_neon *bt, int32_t blk, int32_t g)       \
    {                                                                          \
        conv_tile_neon(c, bt, NP, IND, blk, g);                                     \
    }
TILE_FN_NEON(1, 0)
TILE_FN_NEON(2, 0)
TILE_FN_NEON(3, 0)
TILE_FN_NEON(4, 0)
TILE_FN_NEON(1, 1)
TILE_FN_NEON(2, 1)
TILE_FN_NEON(3, 1)
TILE_FN_NEON(4, 1)

/* Computes every output channel of the batch's pixels and writes them. */
static void conv_flush_neon(const conv_ctx_neon *c, conv_batch_neon *bt, int indirect)
{
    static const conv_tile_fn_neon tab[2][UK_P_NEON] = {
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
static void conv_add_border_neon(conv_ctx_neon *c, conv_batch_neon *border, const uint32_t *img,
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
    if (++border->np == UK_P_NEON)
        conv_flush_neon(c, border, 1);
}

/* Walks the output pixels in raster order, batching interior and border
 * pixels separately. Interior columns of a row whose taps all lie inside
 * the image form one range [ox_lo, ox_hi), walked with pointer steps. */
static void conv_run_neon(conv_ctx_neon *c, const uint32_t *in)
{
    const bnn_bconv2d_params *p = c->p;
    conv_batch_neon inner, border;
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
                    conv_add_border_neon(c, &border, img, oy, ox, pix + (size_t)ox);
                continue;
            }
            for (ox = 0; ox < ox_lo; ox++)
                conv_add_border_neon(c, &border, img, oy, ox, pix + (size_t)ox);
            if (ox_lo < ox_hi) { /* then ox_lo*stride_w - pad_w >= 0 */
                const uint32_t *a =
                    img + ((size_t)iy0 * (size_t)p->in_w +
                           (size_t)(ox_lo * p->stride_w - p->pad_w)) * (size_t)c->cwin;
                for (ox = ox_lo; ox < ox_hi; ox++, a += xstep) {
                    inner.base[inner.np] = a;
                    inner.pix[inner.np] = pix + (size_t)ox;
                    if (++inner.np == UK_P_NEON)
                        conv_flush_neon(c, &inner, 0);
                }
            }
            for (ox = ox_hi; ox < p->out_w; ox++)
                conv_add_border_neon(c, &border, img, oy, ox, pix + (size_t)ox);
        }
    }
    conv_flush_neon(c, &inner, 0);
    conv_flush_neon(c, &border, 1);
}

/* Checks, falls back to portable where needed, sets up scratch and runs. */
static bnn_status conv_entry_neon(const bnn_bconv2d_params *p, const uint32_t *in,
                             void *out, void *scratch, bnn_out_kind kind)
{
    conv_ctx_neon c;
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
    conv_run_neon(&c, in);
    return BNN_OK;
}

BNN_API bnn_status bnn_bconv2d_b_i32__neon(const bnn_bconv2d_params *p,
                                     const uint32_t *in, int32_t *out,
                                     void *scratch)
{
    return conv_entry_neon(p, in, out, scratch, BNN_OUT_I32);
}

BNN_API bnn_status bnn_bconv2d_b_f32__neon(const bnn_bconv2d_params *p,
                                     const uint32_t *in, float *out,
                                     void *scratch)
{
    return conv_entry_neon(p, in, out, scratch, BNN_OUT_F32);
}

BNN_API bnn_status bnn_bconv2d_b_b__neon(const bnn_bconv2d_params *p,
                                   const uint32_t *in, uint32_t *out,
                                   void *scratch)
{
    return conv_entry_neon(p, in, out, scratch, BNN_OUT_B);
}

#endif
