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

/* bnn_i8_store16_neon, not inlined (see there). */
BNN_NOINLINE void i8_neon_store(const bnn_i8_tile *t, int q, const int32x4_t acc[4])
{
    bnn_i8_store16_neon(t, q, acc);
}

#define I8_NEON_TILE_P 2

/* The products of one quad for pixel p: two channels per smull. */
#define I8_NEON_MAC(acc, wv, av) acc = vpadalq_s16(acc, vmull_s8(wv, av))
#define I8_NEON_PIX(p)                                                          \
    if (P > p) {                                                                \
        int32_t x4;                                                             \
        int8x8_t av;                                                            \
        memcpy(&x4, a + (size_t)p * t->a_stride + (size_t)q * 4u, 4);           \
        av = vreinterpret_s8_s32(vdup_n_s32(x4));                               \
        I8_NEON_MAC(a##p##0, vget_low_s8(w0), av);                              \
        I8_NEON_MAC(a##p##1, vget_high_s8(w0), av);                             \
        I8_NEON_MAC(a##p##2, vget_low_s8(w1), av);                              \
        I8_NEON_MAC(a##p##3, vget_high_s8(w1), av);                             \
        I8_NEON_MAC(a##p##4, vget_low_s8(w2), av);                              \
        I8_NEON_MAC(a##p##5, vget_high_s8(w2), av);                             \
        I8_NEON_MAC(a##p##6, vget_low_s8(w3), av);                              \
        I8_NEON_MAC(a##p##7, vget_high_s8(w3), av);                             \
    }
#define I8_NEON_STORE(p)                                                        \
    if (P > p) {                                                                \
        int32x4_t r[4];                                                         \
        r[0] = vpaddq_s32(a##p##0, a##p##1);                                    \
        r[1] = vpaddq_s32(a##p##2, a##p##3);                                    \
        r[2] = vpaddq_s32(a##p##4, a##p##5);                                    \
        r[3] = vpaddq_s32(a##p##6, a##p##7);                                    \
        i8_neon_store(t, p, r);                                           \
    }

/* P pixels x one block (P a constant after inlining); accumulator 2c
 * holds channels 4c, 4c+1 and 2c+1 channels 4c+2, 4c+3, two lanes each. */
BNN_ALWAYS_INLINE void i8_neon_tile_body(const int P, const bnn_i8_tile *t)
{
    const uint8_t *a = t->a;
    const int8_t *w = t->w;
    int32x4_t a00 = vdupq_n_s32(0), a01 = a00, a02 = a00, a03 = a00;
    int32x4_t a04 = a00, a05 = a00, a06 = a00, a07 = a00;
    int32x4_t a10 = a00, a11 = a00, a12 = a00, a13 = a00;
    int32x4_t a14 = a00, a15 = a00, a16 = a00, a17 = a00;
    int32_t q;
    for (q = 0; q < t->kq; q++) {
        const int8_t *wq = w + (size_t)q * 64u;
        int8x16_t w0 = vld1q_s8(wq), w1 = vld1q_s8(wq + 16);
        int8x16_t w2 = vld1q_s8(wq + 32), w3 = vld1q_s8(wq + 48);
        I8_NEON_PIX(0)
        I8_NEON_PIX(1)
    }
    I8_NEON_STORE(0)
    I8_NEON_STORE(1)
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
