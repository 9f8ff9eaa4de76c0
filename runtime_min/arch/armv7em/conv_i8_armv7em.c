/*
 * conv_i8_armv7em.c - int8 conv2d and dense for Armv7E-M (Cortex-M4/M7/
 * M33/M55 with DSP; bnn_conv2d_i8_*__armv7em, bnn_dense_i8_*__armv7em).
 * Compiles to nothing unless BNN_I8_armv7em.
 *
 * SMLAD adds two 16 x 16-bit products to a 32-bit sum. A packed quad of
 * one channel is one word (4 signed bytes): SXTB16 of it and of it rotated
 * by 8 give the halfword pairs (w0, w2) and (w1, w3). The gathered rows
 * hold q itself (BNN_I8_ROWS_S8_ZP); SXTAB16 with -in_zp in both halves
 * turns a pixel's quad into (q0 - zp, q2 - zp) and (q1 - zp, q3 - zp)
 * (|q - zp| <= 255, no overflow), so no weight-sum correction is needed
 * and out-of-image taps (q = in_zp) add 0. The register tile is 2 pixels x
 * 2 channels: per quad 2 + 2 words unpacked, 8 SMLAD (16 MACs).
 * Requantisation is the scalar bnn_i8_out (SMULL for the 64-bit product).
 */
#include "bnn_i8_internal.h"

#if BNN_I8_armv7em

#include <arm_acle.h>

#define I8_V7EM_TILE_P 2

static inline uint32_t i8_v7em_ror8(uint32_t v)
{
    return (v >> 8) | (v << 24);
}

static inline uint32_t i8_v7em_word(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Sums of np (1 or 2) pixels x channels l and l + 1 of the block. */
static void i8_v7em_dot_2x2(const bnn_i8_tile *t, int np, int32_t l, int32_t s[2][2])
{
    const uint8_t *a0 = t->a, *a1 = t->a + (np > 1 ? t->a_stride : 0);
    const int8_t *w = t->w + (size_t)l * 4u;
    int32_t nz = (int32_t)((uint32_t)(uint16_t)(int16_t)-t->in_zp * 0x00010001u);
    int32_t s00 = 0, s01 = 0, s10 = 0, s11 = 0, q;
    for (q = 0; q < t->kq; q++, w += 64) {
        uint32_t x0 = i8_v7em_word(a0 + (size_t)q * 4u), x1 = i8_v7em_word(a1 + (size_t)q * 4u);
        uint32_t w0 = i8_v7em_word(w), w1 = i8_v7em_word(w + 4);
        int32_t x0e = __sxtab16(nz, (int32_t)x0), x0o = __sxtab16(nz, (int32_t)i8_v7em_ror8(x0));
        int32_t x1e = __sxtab16(nz, (int32_t)x1), x1o = __sxtab16(nz, (int32_t)i8_v7em_ror8(x1));
        int32_t w0e = __sxtb16((int32_t)w0), w0o = __sxtb16((int32_t)i8_v7em_ror8(w0));
        int32_t w1e = __sxtb16((int32_t)w1), w1o = __sxtb16((int32_t)i8_v7em_ror8(w1));
        s00 = __smlad(x0e, w0e, s00);
        s00 = __smlad(x0o, w0o, s00);
        s01 = __smlad(x0e, w1e, s01);
        s01 = __smlad(x0o, w1o, s01);
        s10 = __smlad(x1e, w0e, s10);
        s10 = __smlad(x1o, w0o, s10);
        s11 = __smlad(x1e, w1e, s11);
        s11 = __smlad(x1o, w1o, s11);
    }
    s[0][0] = s00;
    s[0][1] = s01;
    s[1][0] = s10;
    s[1][1] = s11;
}

static void i8_v7em_tile(const bnn_i8_tile *t)
{
    int32_t l, s[2][2];
    int p, j;
    for (l = 0; l < t->nvalid; l += 2) {
        i8_v7em_dot_2x2(t, t->np, l, s);
        for (p = 0; p < t->np; p++)
            for (j = 0; j < 2 && l + j < t->nvalid; j++) {
                int32_t i = l + j;
                int32_t v = bnn_i8_wrap((uint32_t)s[p][j] + (uint32_t)t->bias[i]);
                if (t->kind == BNN_I8_OUT_I32)
                    ((int32_t *)t->out[p])[i] = v;
                else
                    ((int8_t *)t->out[p])[i] =
                        bnn_i8_out(v, t->mult[i], t->lsh[i] - t->rsh[i], t->out_zp,
                                   t->act_min, t->act_max);
            }
    }
}

BNN_API bnn_status bnn_conv2d_i8_i8__armv7em(const bnn_conv2d_i8_params *p, const int8_t *in,
                                             int8_t *out, void *scratch)
{
    return bnn_conv2d_i8_run(p, in, out, scratch, BNN_I8_OUT_I8, BNN_I8_ROWS_S8_ZP,
                             i8_v7em_tile, I8_V7EM_TILE_P, 1);
}

BNN_API bnn_status bnn_conv2d_i8_i32__armv7em(const bnn_conv2d_i8_params *p,
                                              const int8_t *in, int32_t *out, void *scratch)
{
    return bnn_conv2d_i8_run(p, in, out, scratch, BNN_I8_OUT_I32, BNN_I8_ROWS_S8_ZP,
                             i8_v7em_tile, I8_V7EM_TILE_P, 1);
}

BNN_I8_DENSE_ENTRIES(armv7em)

#endif
