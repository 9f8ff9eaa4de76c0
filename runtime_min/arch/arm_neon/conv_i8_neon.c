/*
 * conv_i8_neon.c - int8 conv2d and dense for AArch64 Advanced SIMD
 * without the dot-product extension (bnn_conv2d_i8_*__neon,
 * bnn_dense_i8_*__neon). Compiles to nothing unless BNN_I8_neon.
 *
 * smull multiplies 8 signed bytes into 16-bit products (|q * w| <= 2^14,
 * no overflow) and sadalp adds neighbouring products into int32 lanes:
 * the 8 bytes of two channels' quads against the pixel's 4 values twice
 * give (channel 0 values 0-1, 0 2-3, channel 1 0-1, 1 2-3), folded with
 * addp at the end. The gathered rows hold q itself (BNN_I8_ROWS_S8) and
 * the driver folds -in_zp * (sum of weights) into the bias. The register
 * tile is 2 pixels x one block of 16 channels (16 accumulators).
 */
#include "bnn_i8_internal.h"

#if BNN_I8_neon

#include <arm_neon.h>

#define I8_NEON_TILE_P 2

/* P pixels x one block (P a constant after inlining). */
BNN_ALWAYS_INLINE void i8_neon_tile_body(const int P, const bnn_i8_tile *t)
{
    int32x4_t acc[I8_NEON_TILE_P][8];
    const uint8_t *a = t->a;
    const int8_t *w = t->w;
    int32_t q;
    int p, c;
    for (p = 0; p < P; p++)
        for (c = 0; c < 8; c++)
            acc[p][c] = vdupq_n_s32(0);
    for (q = 0; q < t->kq; q++) {
        int8x16_t wv[4];
        for (c = 0; c < 4; c++)
            wv[c] = vld1q_s8(w + (size_t)q * 64u + 16u * (size_t)c);
        for (p = 0; p < P; p++) {
            int32_t x4;
            int8x8_t av;
            memcpy(&x4, a + (size_t)p * t->a_stride + (size_t)q * 4u, 4);
            av = vreinterpret_s8_s32(vdup_n_s32(x4));
            for (c = 0; c < 4; c++) {
                acc[p][2 * c] = vpadalq_s16(acc[p][2 * c], vmull_s8(vget_low_s8(wv[c]), av));
                acc[p][2 * c + 1] =
                    vpadalq_s16(acc[p][2 * c + 1], vmull_s8(vget_high_s8(wv[c]), av));
            }
        }
    }
    for (p = 0; p < P; p++) {
        int32x4_t sums[4];
        for (c = 0; c < 4; c++)
            sums[c] = vpaddq_s32(acc[p][2 * c], acc[p][2 * c + 1]);
        bnn_i8_store16_neon(t, p, sums);
    }
}

static void i8_neon_tile(const bnn_i8_tile *t)
{
    if (t->np == 2)
        i8_neon_tile_body(2, t);
    else
        i8_neon_tile_body(1, t);
}

BNN_API bnn_status bnn_conv2d_i8_i8__neon(const bnn_conv2d_i8_params *p, const int8_t *in,
                                          int8_t *out, void *scratch)
{
    return bnn_conv2d_i8_run(p, in, out, scratch, BNN_I8_OUT_I8, BNN_I8_ROWS_S8, i8_neon_tile,
                             I8_NEON_TILE_P, 1);
}

BNN_API bnn_status bnn_conv2d_i8_i32__neon(const bnn_conv2d_i8_params *p, const int8_t *in,
                                           int32_t *out, void *scratch)
{
    return bnn_conv2d_i8_run(p, in, out, scratch, BNN_I8_OUT_I32, BNN_I8_ROWS_S8, i8_neon_tile,
                             I8_NEON_TILE_P, 1);
}

BNN_I8_DENSE_ENTRIES(neon)

#endif
