/*
 * conv_i8_avx512vnni.c - int8 conv2d and dense for x86 AVX-512 with VNNI
 * (bnn_conv2d_i8_*__avx512vnni, bnn_dense_i8_*__avx512vnni). Compiles to
 * nothing unless BNN_I8_avx512vnni.
 *
 * vpdpbusd multiplies unsigned bytes by signed bytes: the gathered input
 * rows hold q + 128 (BNN_I8_ROWS_U8, q ^ 0x80), the packed weights stay
 * signed, and the driver folds -(in_zp + 128) * (sum of the channel's
 * weights) into the bias. A 16-lane accumulator is one block of 16 output
 * channels: per quad of the reduction, 4 input bytes of a pixel are
 * broadcast and one vpdpbusd adds 4 products to each channel. The register
 * tile is up to 4 pixels x 4 blocks (16 zmm accumulators), so each weight
 * vector is used by 4 pixels and each broadcast by 4 blocks.
 *
 * Requantisation is vectorised with the same integer steps as the scalar
 * bnn_i8_mbqm: vpsllvd (wrapping left shift), two vpmuldq for the 64-bit
 * products of SaturatingRoundingDoublingHighMul (whose result is bits
 * 31..62 of a*b + 2^30), the INT32_MIN * INT32_MIN case patched, then
 * RoundingDivideByPOT as (x >> e) + (remainder > threshold).
 */
#include "bnn_i8_internal.h"

#if BNN_I8_avx512vnni

#include <immintrin.h>

#if defined(__GNUC__)
/* Keeps v in a register: without it GCC reloads the weight vector from
 * memory as an operand of each pixel's vpdpbusd, and the loads, not the
 * dot products, set the pace. */
#define VNNI_PIN(v) __asm__("" : "+v"(v))
#else
#define VNNI_PIN(v) ((void)0)
#endif

#define VNNI_TILE_P 4
#define VNNI_TILE_NB 4

/* Bias, requantisation and masked stores of the tile's accumulators
 * acc[p][b] (p < np, b < nb): per block, the tables are loaded once for
 * all pixels, then bnn_i8_mbqm on 16 lanes (vpsllvd; the 64-bit products
 * of vpmuldq, whose bits 31..62 are SRDHM; the INT32_MIN * INT32_MIN lanes
 * patched; RDBPOT as (x >> e) + (rem > thr)), the zero point and the
 * clamp. Not inlined into the tiles: their accumulation loops then keep
 * the accumulators in registers without copying them every iteration. */
BNN_NOINLINE void vnni_store(const bnn_i8_tile *t, __m512i acc[VNNI_TILE_P][VNNI_TILE_NB])
{
    const __m512i ones = _mm512_set1_epi32(1), imin = _mm512_set1_epi32(INT32_MIN);
    const __m512i imax = _mm512_set1_epi32(INT32_MAX);
    const __m512i nudge = _mm512_set1_epi64((int64_t)1 << 30);
    const __m512i zp = _mm512_set1_epi32(t->out_zp), lo = _mm512_set1_epi32(t->act_min);
    const __m512i hi = _mm512_set1_epi32(t->act_max);
    int b, p;
    for (b = 0; b < t->nb; b++) {
        const int32_t l0 = b * 16, nv = t->nvalid - l0;
        const __mmask16 m = (__mmask16)(nv >= 16 ? 0xFFFFu : (1u << (uint32_t)nv) - 1u);
        const __m512i bias = _mm512_loadu_si512(t->bias + l0);
        __m512i mu, ls, rs, mask, half, mu_odd;
        __mmask16 mu_min;
        if (t->kind == BNN_I8_OUT_I32) {
            for (p = 0; p < t->np; p++)
                _mm512_mask_storeu_epi32((int32_t *)t->out[p] + l0, m,
                                         _mm512_add_epi32(acc[p][b], bias));
            continue;
        }
        mu = _mm512_loadu_si512(t->mult + l0);
        ls = _mm512_loadu_si512(t->lsh + l0);
        rs = _mm512_loadu_si512(t->rsh + l0);
        mask = _mm512_sub_epi32(_mm512_sllv_epi32(ones, rs), ones);
        half = _mm512_srli_epi32(mask, 1);
        mu_odd = _mm512_srli_epi64(mu, 32);
        mu_min = _mm512_cmpeq_epi32_mask(mu, imin);
        for (p = 0; p < t->np; p++) {
            __m512i x = _mm512_sllv_epi32(_mm512_add_epi32(acc[p][b], bias), ls);
            __m512i ev = _mm512_add_epi64(_mm512_mul_epi32(x, mu), nudge);
            __m512i od = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), mu_odd),
                                          nudge);
            __m512i r = _mm512_mask_blend_epi32((__mmask16)0xAAAA, _mm512_srli_epi64(ev, 31),
                                                _mm512_slli_epi64(od, 1));
            __m512i rem, thr;
            r = _mm512_mask_mov_epi32(r, _mm512_mask_cmpeq_epi32_mask(mu_min, x, imin), imax);
            rem = _mm512_and_si512(r, mask);
            thr = _mm512_add_epi32(half, _mm512_srli_epi32(r, 31));
            r = _mm512_srav_epi32(r, rs);
            r = _mm512_mask_add_epi32(r, _mm512_cmpgt_epi32_mask(rem, thr), r, ones);
            r = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(r, zp), lo), hi);
            _mm_mask_storeu_epi8((int8_t *)t->out[p] + l0, m, _mm512_cvtsepi32_epi8(r));
        }
    }
}

/* P pixels x NB blocks, P and NB constants after inlining. The 16
 * accumulators are named variables (an array of vectors makes GCC copy
 * registers every iteration); the unused ones are dead code. */
#define VNNI_ACC(p)                                                             \
    __m512i a##p##0 = _mm512_setzero_si512(), a##p##1 = a##p##0, a##p##2 = a##p##0, \
            a##p##3 = a##p##0
#define VNNI_PIX(p)                                                             \
    if (P > p) {                                                                \
        int32_t x4;                                                             \
        __m512i av;                                                             \
        memcpy(&x4, a + (size_t)p * as + (size_t)q * 4u, 4);                    \
        av = _mm512_set1_epi32(x4);                                             \
        a##p##0 = _mm512_dpbusd_epi32(a##p##0, av, w0);                         \
        if (NB > 1)                                                             \
            a##p##1 = _mm512_dpbusd_epi32(a##p##1, av, w1);                     \
        if (NB > 2)                                                             \
            a##p##2 = _mm512_dpbusd_epi32(a##p##2, av, w2);                     \
        if (NB > 3)                                                             \
            a##p##3 = _mm512_dpbusd_epi32(a##p##3, av, w3);                     \
    }
#define VNNI_KEEP(p)                                                            \
    if (P > p) {                                                                \
        acc[p][0] = a##p##0;                                                    \
        if (NB > 1)                                                             \
            acc[p][1] = a##p##1;                                                \
        if (NB > 2)                                                             \
            acc[p][2] = a##p##2;                                                \
        if (NB > 3)                                                             \
            acc[p][3] = a##p##3;                                                \
    }

BNN_ALWAYS_INLINE void vnni_tile_body(const int P, const int NB, const bnn_i8_tile *t)
{
    const uint8_t *a = t->a;
    const int8_t *w = t->w;
    const size_t as = t->a_stride, wb = t->w_block;
    int32_t q;
    VNNI_ACC(0);
    VNNI_ACC(1);
    VNNI_ACC(2);
    VNNI_ACC(3);
    for (q = 0; q < t->kq; q++) {
        const int8_t *wq = w + (size_t)q * 64u;
        __m512i w0 = _mm512_loadu_si512(wq), w1 = w0, w2 = w0, w3 = w0;
        if (NB > 1)
            w1 = _mm512_loadu_si512(wq + wb);
        if (NB > 2)
            w2 = _mm512_loadu_si512(wq + 2 * wb);
        if (NB > 3)
            w3 = _mm512_loadu_si512(wq + 3 * wb);
        /* one load per weight vector, not one per pixel */
        VNNI_PIN(w0);
        VNNI_PIN(w1);
        VNNI_PIN(w2);
        VNNI_PIN(w3);
        VNNI_PIX(0)
        VNNI_PIX(1)
        VNNI_PIX(2)
        VNNI_PIX(3)
    }
    {
        __m512i acc[VNNI_TILE_P][VNNI_TILE_NB];
        VNNI_KEEP(0)
        VNNI_KEEP(1)
        VNNI_KEEP(2)
        VNNI_KEEP(3)
        vnni_store(t, acc);
    }
}

#define VNNI_TILE_CASE(P, NB)                                                   \
    case (P - 1) * VNNI_TILE_NB + NB - 1:                                       \
        vnni_tile_body(P, NB, t);                                               \
        break;

static void vnni_tile(const bnn_i8_tile *t)
{
    switch ((t->np - 1) * VNNI_TILE_NB + t->nb - 1) {
        VNNI_TILE_CASE(1, 1) VNNI_TILE_CASE(1, 2) VNNI_TILE_CASE(1, 3) VNNI_TILE_CASE(1, 4)
        VNNI_TILE_CASE(2, 1) VNNI_TILE_CASE(2, 2) VNNI_TILE_CASE(2, 3) VNNI_TILE_CASE(2, 4)
        VNNI_TILE_CASE(3, 1) VNNI_TILE_CASE(3, 2) VNNI_TILE_CASE(3, 3) VNNI_TILE_CASE(3, 4)
        VNNI_TILE_CASE(4, 1) VNNI_TILE_CASE(4, 2) VNNI_TILE_CASE(4, 3) VNNI_TILE_CASE(4, 4)
    default:
        break;
    }
}

BNN_API bnn_status bnn_conv2d_i8_i8__avx512vnni(const bnn_conv2d_i8_params *p,
                                                const int8_t *in, int8_t *out, void *scratch)
{
    return bnn_conv2d_i8_run(p, in, out, scratch, BNN_I8_OUT_I8, BNN_I8_ROWS_U8,
                             vnni_tile, VNNI_TILE_P, VNNI_TILE_NB);
}

BNN_API bnn_status bnn_conv2d_i8_i32__avx512vnni(const bnn_conv2d_i8_params *p,
                                                 const int8_t *in, int32_t *out,
                                                 void *scratch)
{
    return bnn_conv2d_i8_run(p, in, out, scratch, BNN_I8_OUT_I32, BNN_I8_ROWS_U8,
                             vnni_tile, VNNI_TILE_P, VNNI_TILE_NB);
}

BNN_I8_DENSE_ENTRIES(avx512vnni)

#endif
