/*
 * conv_i8_neondot.c - int8 conv2d and dense for AArch64 with the
 * dot-product extension (bnn_conv2d_i8_*__neondot,
 * bnn_dense_i8_*__neondot). Compiles to nothing unless BNN_I8_neondot.
 *
 * sdot multiplies signed bytes: the gathered rows hold q itself
 * (BNN_I8_ROWS_S8) and the driver folds -in_zp * (sum of the channel's
 * weights) into the bias. The 16 bytes of one packed quad for 4 channels
 * (4 channels x 4 values) against the pixel's 4 values repeated in every
 * lane give 4 channel sums per sdot. The register tile is 4 pixels x one
 * block of 16 channels (16 accumulators); each weight register serves 4
 * pixels. Requantisation and store: bnn_i8_store16_neon.
 */
#include "bnn_i8_internal.h"

#if BNN_I8_neondot

#include <arm_neon.h>

#define NEONDOT_TILE_P 4

/* P pixels x one block (P a constant after inlining). */
BNN_ALWAYS_INLINE void neondot_tile_body(const int P, const bnn_i8_tile *t)
{
    int32x4_t acc[NEONDOT_TILE_P][4];
    const uint8_t *a = t->a;
    const int8_t *w = t->w;
    int32_t q;
    int p, c;
    for (p = 0; p < P; p++)
        for (c = 0; c < 4; c++)
            acc[p][c] = vdupq_n_s32(0);
    for (q = 0; q < t->kq; q++) {
        int8x16_t wv[4];
        for (c = 0; c < 4; c++)
            wv[c] = vld1q_s8(w + (size_t)q * 64u + 16u * (size_t)c);
        for (p = 0; p < P; p++) {
            int32_t x4;
            int8x16_t av;
            memcpy(&x4, a + (size_t)p * t->a_stride + (size_t)q * 4u, 4);
            av = vreinterpretq_s8_s32(vdupq_n_s32(x4));
            for (c = 0; c < 4; c++)
                acc[p][c] = vdotq_s32(acc[p][c], wv[c], av);
        }
    }
    for (p = 0; p < P; p++)
        bnn_i8_store16_neon(t, p, acc[p]);
}

static void neondot_tile(const bnn_i8_tile *t)
{
    switch (t->np) {
    case 4:
        neondot_tile_body(4, t);
        break;
    case 3:
        neondot_tile_body(3, t);
        break;
    case 2:
        neondot_tile_body(2, t);
        break;
    default:
        neondot_tile_body(1, t);
        break;
    }
}

BNN_API bnn_status bnn_conv2d_i8_i8__neondot(const bnn_conv2d_i8_params *p, const int8_t *in,
                                             int8_t *out, void *scratch)
{
    return bnn_conv2d_i8_run(p, in, out, scratch, BNN_I8_OUT_I8, BNN_I8_ROWS_S8, neondot_tile,
                             NEONDOT_TILE_P, 1);
}

BNN_API bnn_status bnn_conv2d_i8_i32__neondot(const bnn_conv2d_i8_params *p,
                                              const int8_t *in, int32_t *out, void *scratch)
{
    return bnn_conv2d_i8_run(p, in, out, scratch, BNN_I8_OUT_I32, BNN_I8_ROWS_S8, neondot_tile,
                             NEONDOT_TILE_P, 1);
}

BNN_I8_DENSE_ENTRIES(neondot)

#endif
