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

/* bnn_i8_store16_neon, not inlined (see there). */
BNN_NOINLINE void neondot_store(const bnn_i8_tile *t, int q, const int32x4_t acc[4])
{
    bnn_i8_store16_neon(t, q, acc);
}

#define NEONDOT_TILE_P 4

/* The sdots of one quad for pixel p (its 4 values in every lane). */
#define NEONDOT_PIX(p)                                                          \
    if (P > p) {                                                                \
        int32_t x4;                                                             \
        int8x16_t av;                                                           \
        memcpy(&x4, a + (size_t)p * t->a_stride + (size_t)q * 4u, 4);           \
        av = vreinterpretq_s8_s32(vdupq_n_s32(x4));                             \
        a##p##0 = vdotq_s32(a##p##0, w0, av);                                   \
        a##p##1 = vdotq_s32(a##p##1, w1, av);                                   \
        a##p##2 = vdotq_s32(a##p##2, w2, av);                                   \
        a##p##3 = vdotq_s32(a##p##3, w3, av);                                   \
    }
#define NEONDOT_STORE(p)                                                        \
    if (P > p) {                                                                \
        int32x4_t r[4];                                                         \
        r[0] = a##p##0, r[1] = a##p##1, r[2] = a##p##2, r[3] = a##p##3;         \
        neondot_store(t, p, r);                                           \
    }

/* P pixels x one block (P a constant after inlining); named accumulators
 * stay in registers. */
BNN_ALWAYS_INLINE void neondot_tile_body(const int P, const bnn_i8_tile *t)
{
    const uint8_t *a = t->a;
    const int8_t *w = t->w;
    int32x4_t a00 = vdupq_n_s32(0), a01 = a00, a02 = a00, a03 = a00;
    int32x4_t a10 = a00, a11 = a00, a12 = a00, a13 = a00;
    int32x4_t a20 = a00, a21 = a00, a22 = a00, a23 = a00;
    int32x4_t a30 = a00, a31 = a00, a32 = a00, a33 = a00;
    int32_t q;
    for (q = 0; q < t->kq; q++) {
        const int8_t *wq = w + (size_t)q * 64u;
        int8x16_t w0 = vld1q_s8(wq), w1 = vld1q_s8(wq + 16);
        int8x16_t w2 = vld1q_s8(wq + 32), w3 = vld1q_s8(wq + 48);
        NEONDOT_PIX(0)
        NEONDOT_PIX(1)
        NEONDOT_PIX(2)
        NEONDOT_PIX(3)
    }
    NEONDOT_STORE(0)
    NEONDOT_STORE(1)
    NEONDOT_STORE(2)
    NEONDOT_STORE(3)
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
