/*
 * bdense_neon.c - binary dense for AArch64 Advanced SIMD
 * (bnn_bdense_b_*__neon). Compiles to nothing unless BNN_BIN_neon.
 *
 * Tile: up to DENSE_R_NEON rows x one block of 16 output channels; per input
 * word the block's four weight vectors are loaded once, eor + cnt + uadalp
 * into 16-bit accumulators, widened to 32 bits every 4095 words (see
 * bconv2d_neon.c). Handles every shape; no fallback.
 */
#include "bnn_internal.h"

#if BNN_BIN_neon
#include <arm_neon.h>

#define DENSE_R_NEON 4

/* Popcount sums of rows [0, nr) of x (in_words apart) against the block
 * of weights at w, written to s[r*16 + lane]. */
BNN_ALWAYS_INLINE void dense_tile_neon(const uint32_t *x, int32_t in_words,
                                  const uint32_t *w, int nr, int32_t *s)
{
    uint16x8_t a16[DENSE_R_NEON][4];
    uint32x4_t s32[DENSE_R_NEON][4];
    int32_t k0, k1, k;
    int r, h;
    for (r = 0; r < nr; r++)
        for (h = 0; h < 4; h++)
            s32[r][h] = vdupq_n_u32(0);
    for (k0 = 0; k0 < in_words; k0 = k1) {
        k1 = in_words - k0 > 4095 ? k0 + 4095 : in_words;
        for (r = 0; r < nr; r++)
            for (h = 0; h < 4; h++)
                a16[r][h] = vdupq_n_u16(0);
        for (k = k0; k < k1; k++) {
            const uint32_t *wk = w + (size_t)k * 16u;
            uint32x4_t w0 = vld1q_u32(wk), w1 = vld1q_u32(wk + 4);
            uint32x4_t w2 = vld1q_u32(wk + 8), w3 = vld1q_u32(wk + 12);
            for (r = 0; r < nr; r++) {
                uint32x4_t v = vdupq_n_u32(x[(size_t)r * (size_t)in_words + (size_t)k]);
                a16[r][0] = vpadalq_u8(a16[r][0], vcntq_u8(vreinterpretq_u8_u32(veorq_u32(v, w0))));
                a16[r][1] = vpadalq_u8(a16[r][1], vcntq_u8(vreinterpretq_u8_u32(veorq_u32(v, w1))));
                a16[r][2] = vpadalq_u8(a16[r][2], vcntq_u8(vreinterpretq_u8_u32(veorq_u32(v, w2))));
                a16[r][3] = vpadalq_u8(a16[r][3], vcntq_u8(vreinterpretq_u8_u32(veorq_u32(v, w3))));
            }
        }
        for (r = 0; r < nr; r++)
            for (h = 0; h < 4; h++)
                s32[r][h] = vpadalq_u16(s32[r][h], a16[r][h]);
    }
    for (r = 0; r < nr; r++)
        for (h = 0; h < 4; h++)
            vst1q_s32(s + r * 16 + 4 * h, vreinterpretq_s32_u32(s32[r][h]));
}

#define DENSE_FN_NEON(NR)                                                           \
    BNN_NOINLINE void dense_tile_##NR(const uint32_t *x, int32_t in_words,     \
                                      const uint32_t *w, int32_t *s)           \
    {                                                                          \
        dense_tile_neon(x, in_words, w, NR, s);                                     \
    }
DENSE_FN_NEON(1)
DENSE_FN_NEON(2)
DENSE_FN_NEON(3)
DENSE_FN_NEON(4)

typedef void (*dense_tile_fn_neon)(const uint32_t *, int32_t, const uint32_t *,
                              int32_t *);

static bnn_status dense_entry_neon(const bnn_bdense_params *p, const uint32_t *in,
                              void *out, bnn_out_kind kind)
{
    static const dense_tile_fn_neon tab[DENSE_R_NEON] = {dense_tile_1, dense_tile_2,
                                               dense_tile_3, dense_tile_4};
    int32_t s[DENSE_R_NEON * 16], dot[16];
    int32_t nblk, r0, nr, b, r, l;
    if (bnn_bdense_check(p, in, out, kind) != BNN_OK)
        return BNN_ARG_ERROR;
    nblk = (p->out_c + 15) / 16;
    for (r0 = 0; r0 < p->n; r0 += nr) {
        nr = p->n - r0 < DENSE_R_NEON ? p->n - r0 : DENSE_R_NEON;
        for (b = 0; b < nblk; b++) {
            tab[nr - 1](in + (size_t)r0 * (size_t)p->in_words, p->in_words,
                        p->weights + (size_t)b * (size_t)p->in_words * 16u, s);
            for (r = 0; r < nr; r++) {
                size_t off = (size_t)(r0 + r) * (size_t)p->out_row_stride;
                void *opx = kind == BNN_OUT_I32   ? (void *)((int32_t *)out + off)
                            : kind == BNN_OUT_F32 ? (void *)((float *)out + off)
                                                  : (void *)((uint32_t *)out + off);
                for (l = 0; l < 16; l++)
                    dot[l] = p->k - 2 * s[r * 16 + l];
                bnn_emit16_scalar(kind, opx, b * 16, p->out_c, dot, p->mul,
                                  p->add, p->thresh, p->dir, NULL);
            }
        }
    }
    return BNN_OK;
}

BNN_API bnn_status bnn_bdense_b_i32__neon(const bnn_bdense_params *p,
                                  const uint32_t *in, int32_t *out)
{
    return dense_entry_neon(p, in, out, BNN_OUT_I32);
}

BNN_API bnn_status bnn_bdense_b_f32__neon(const bnn_bdense_params *p,
                                  const uint32_t *in, float *out)
{
    return dense_entry_neon(p, in, out, BNN_OUT_F32);
}

BNN_API bnn_status bnn_bdense_b_b__neon(const bnn_bdense_params *p, const uint32_t *in,
                                uint32_t *out)
{
    return dense_entry_neon(p, in, out, BNN_OUT_B);
}

#endif
