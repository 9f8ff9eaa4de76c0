/*
 * bconv2d_armv7em.c - binary conv2d for Armv7E-M with the DSP extension
 * (Cortex-M4/M7/M33; bnn_bconv2d_b_*__armv7em). Compiles to nothing
 * unless BNN_BIN_armv7em.
 *
 * Small code first: one output pixel at a time. The pixel's input words
 * of every (tap, word) step are gathered into a contiguous column in
 * scratch (the pad pixel's words for out-of-image taps), then each output
 * channel is one bnn_dot_swar over that column and the channel's strided
 * weights (SWAR nibble counts, summed three words at a time, USADA8).
 * BNN_PAD_ZERO: computed as PLUS_ONE, then the precomputed dot of each
 * padded +1 tap is subtracted (exact, integer).
 *
 * Scratch: the column uses the "steps" area of the layout in
 * bnn_internal.h (k_h*k_w*bnn_words(in_c) 8-byte slots, at least the
 * k_h*k_w*words(in_c/groups) words needed). The checks, the fallback to
 * the portable kernel and the entry points are bconv2d_driver.h.
 */
#include "bnn_internal.h"

#if BNN_BIN_armv7em

/* The conv of a checked, word-aligned call. Always inlined into the entry
 * (bconv2d_driver.h): left to GCC, a model's binary convs ran 10 % more
 * instructions on a Cortex-M4 (scripts/cortex-m-cost). */
BNN_ALWAYS_INLINE void conv_pixels_armv7em(const bnn_bconv2d_params *p, const uint32_t *in,
                                           void *out, void *scratch, bnn_out_kind kind)
{
    char *sc = (char *)scratch;
    uint32_t *pad, *col;
    int32_t *corr = NULL;
    int32_t cg, cwg, cwin, kt, nblk, bpg, nk, n, oy, ox, g, bi, ky, kx, w, l, lo, hi, r, r0, r1;
    size_t wbs;
    int32_t dot[16];
    cg = p->in_c / p->groups;
    cwg = bnn_words(cg);
    cwin = bnn_words(p->in_c);
    kt = p->k_h * p->k_w;
    nblk = (p->out_c + 15) / 16;
    bpg = p->groups == 1 ? nblk : p->out_c / p->groups / 16;
    nk = kt * cg + bnn_bconv2d_f32_offset(p, kind);
    bnn_bconv2d_f32_clamp(p, kind, &lo, &hi);
    wbs = (size_t)kt * (size_t)cwg * 16u;
    pad = (uint32_t *)(void *)(sc + bnn_scratch_pad_off(p));
    col = (uint32_t *)(void *)(sc + bnn_scratch_steps_off(p));
    bnn_fill_pad_pixel(p, pad);
    if (p->pad_mode == BNN_PAD_ZERO) {
        corr = (int32_t *)(void *)(sc + bnn_scratch_corr_off(p));
        bnn_fill_zero_corr(p, corr);
    }
    bnn_bconv2d_rows(p, &r0, &r1);
    for (r = r0; r < r1; r++) /* row oy of image n */
        for (n = r / p->out_h, oy = r - n * p->out_h, ox = 0; ox < p->out_w; ox++) {
            size_t pix = ((size_t)n * (size_t)p->out_h + (size_t)oy) *
                             (size_t)p->out_w + (size_t)ox;
            size_t off = pix * (size_t)p->out_pixel_stride;
            void *opx = kind == BNN_OUT_I32   ? (void *)((int32_t *)out + off)
                        : kind == BNN_OUT_F32 ? (void *)((float *)out + off)
                                              : (void *)((uint32_t *)out + off);
            const float *res = kind == BNN_OUT_F32 ? bnn_residual_px(p, pix) : NULL;
            for (g = 0; g < p->groups; g++) {
                uint32_t *cp = col;
                for (ky = 0; ky < p->k_h; ky++)
                    for (kx = 0; kx < p->k_w; kx++) {
                        int32_t iy = oy * p->stride_h - p->pad_h + ky * p->dil_h;
                        int32_t ix = ox * p->stride_w - p->pad_w + kx * p->dil_w;
                        const uint32_t *src = pad;
                        if (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w)
                            src = in + (((size_t)n * (size_t)p->in_h + (size_t)iy) *
                                            (size_t)p->in_w + (size_t)ix) *
                                           (size_t)cwin;
                        for (w = 0; w < cwg; w++)
                            *cp++ = src[g * cwg + w];
                    }
                for (bi = 0; bi < bpg; bi++) {
                    int32_t blk = g * bpg + bi;
                    const uint32_t *wt = p->weights + (size_t)blk * wbs;
                    for (l = 0; l < 16; l++)
                        dot[l] = nk - 2 * (int32_t)bnn_dot_swar(col, wt + l, kt * cwg);
                    if (corr)
                        for (ky = 0; ky < p->k_h; ky++)
                            for (kx = 0; kx < p->k_w; kx++) {
                                int32_t iy = oy * p->stride_h - p->pad_h + ky * p->dil_h;
                                int32_t ix = ox * p->stride_w - p->pad_w + kx * p->dil_w;
                                const int32_t *cr =
                                    corr + (size_t)(ky * p->k_w + kx) * (size_t)nblk * 16u +
                                    (size_t)blk * 16u;
                                if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w)
                                    for (l = 0; l < 16; l++)
                                        dot[l] -= cr[l];
                            }
                    if (kind == BNN_OUT_F32)
                        for (l = 0; l < 16; l++)
                            dot[l] = bnn_clamp_i32(dot[l], lo, hi);
                    bnn_emit16_scalar(kind, opx, blk * 16, p->out_c, dot, p->mul,
                                      p->add, p->thresh, p->dir, res);
                }
            }
        }
}

#define BCONV2D_ISA armv7em
#define BCONV2D_PIXELS conv_pixels_armv7em
#include "bconv2d_driver.h" /* checks, fallback, bnn_bconv2d_b_*__armv7em */

#endif
