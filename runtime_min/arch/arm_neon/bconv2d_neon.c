/*
 * bconv2d_neon.c - binary conv2d for AArch64 Advanced SIMD
 * (bnn_bconv2d_b_*__neon). Compiles to nothing unless BNN_BIN_neon.
 *
 * Register tile: up to UK_P_NEON output pixels x one block of 16 output
 * channels (four q registers of 4 channels). For every (tap, input word)
 * it loads the block's four weight vectors, duplicates each pixel's input
 * word and does eor + cnt (byte counts) + uadalp into 16-bit accumulators
 * (3 ops per 128 binary MACs, no horizontal reduction in the loop). A
 * 16-bit lane gains at most 16 per step, so every 4095 steps the lanes are
 * widened into per-channel 32-bit sums (uadalp again).
 *
 * The pixel walk around the tiles (batching, the pad pixel, the tap table
 * of border pixels, the exact integer correction for BNN_PAD_ZERO, the
 * fallback to the portable kernel) is bconv2d_driver.h.
 */
#include "bnn_internal.h"

#if BNN_BIN_neon
#include <arm_neon.h>

#define UK_P_NEON 4 /* output pixels per register tile */

#define BCONV2D_ISA neon
#define BCONV2D_TILE_P UK_P_NEON
#include "bconv2d_driver.h" /* conv_ctx_neon, conv_batch_neon */

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
            if (c->kind == BNN_OUT_F32)
                d = vminq_s32(vmaxq_s32(d, vdupq_n_s32(c->lo)), vdupq_n_s32(c->hi));
            vst1q_s32(dot + 4 * h, d);
        }
        bnn_emit16_scalar(c->kind, opx, o0, p->out_c, dot, p->mul, p->add,
                          p->thresh, p->dir,
                          c->kind == BNN_OUT_F32 ? bnn_residual_px(p, bt->pix[q]) : NULL);
    }
}

#define BCONV2D_TILE conv_tile_neon
#include "bconv2d_driver.h" /* the walk, bnn_bconv2d_b_*__neon */

#endif
