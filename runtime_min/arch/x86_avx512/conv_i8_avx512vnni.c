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

#define VNNI_TILE_P 4
#define VNNI_TILE_NB 4

#if defined(__clang__)
#define VNNI_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define VNNI_UNROLL _Pragma("GCC unroll 16")
#else
#define VNNI_UNROLL
#endif

/* bnn_i8_mbqm on 16 lanes, per-lane multiplier and shifts. */
BNN_ALWAYS_INLINE __m512i vnni_mbqm(__m512i x, __m512i m, __m512i ls, __m512i rs)
{
    const __m512i ones = _mm512_set1_epi32(1), imin = _mm512_set1_epi32(INT32_MIN);
    const __m512i nudge = _mm512_set1_epi64((int64_t)1 << 30);
    __m512i ev, od, r, mask, rem, thr;
    __mmask16 sat;
    x = _mm512_sllv_epi32(x, ls);
    ev = _mm512_add_epi64(_mm512_mul_epi32(x, m), nudge);
    od = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(m, 32)),
                          nudge);
    r = _mm512_mask_blend_epi32((__mmask16)0xAAAA, _mm512_srli_epi64(ev, 31),
                                _mm512_slli_epi64(od, 1));
    sat = _mm512_cmpeq_epi32_mask(x, imin) & _mm512_cmpeq_epi32_mask(m, imin);
    r = _mm512_mask_mov_epi32(r, sat, _mm512_set1_epi32(INT32_MAX));
    mask = _mm512_sub_epi32(_mm512_sllv_epi32(ones, rs), ones);
    rem = _mm512_and_si512(r, mask);
    thr = _mm512_add_epi32(_mm512_srli_epi32(mask, 1), _mm512_srli_epi32(r, 31));
    r = _mm512_srav_epi32(r, rs);
    return _mm512_mask_add_epi32(r, _mm512_cmpgt_epi32_mask(rem, thr), r, ones);
}

/* Bias, requantisation and the masked store of block b of pixel q. */
BNN_ALWAYS_INLINE void vnni_store(const bnn_i8_tile *t, int q, int b, __m512i acc)
{
    int32_t nv = t->nvalid - b * 16;
    __mmask16 m = (__mmask16)(nv >= 16 ? 0xFFFFu : (1u << (uint32_t)nv) - 1u);
    const int32_t l0 = b * 16;
    __m512i v = _mm512_add_epi32(acc, _mm512_loadu_si512(t->bias + l0));
    if (t->kind == BNN_I8_OUT_I32) {
        _mm512_mask_storeu_epi32((int32_t *)t->out[q] + l0, m, v);
        return;
    }
    v = vnni_mbqm(v, _mm512_loadu_si512(t->mult + l0), _mm512_loadu_si512(t->lsh + l0),
                    _mm512_loadu_si512(t->rsh + l0));
    v = _mm512_add_epi32(v, _mm512_set1_epi32(t->out_zp));
    v = _mm512_max_epi32(v, _mm512_set1_epi32(t->act_min));
    v = _mm512_min_epi32(v, _mm512_set1_epi32(t->act_max));
    _mm_mask_storeu_epi8((int8_t *)t->out[q] + l0, m, _mm512_cvtsepi32_epi8(v));
}

/* P pixels x NB blocks; P and NB are constants after inlining, so acc[][]
 * lives in registers. */
BNN_ALWAYS_INLINE void vnni_tile_body(const int P, const int NB, const bnn_i8_tile *t)
{
    __m512i acc[VNNI_TILE_P][VNNI_TILE_NB];
    const uint8_t *a = t->a;
    const int8_t *w = t->w;
    const size_t as = t->a_stride, wb = t->w_block;
    int32_t q;
    int p, b;
    VNNI_UNROLL
    for (p = 0; p < P; p++)
        VNNI_UNROLL
        for (b = 0; b < NB; b++)
            acc[p][b] = _mm512_setzero_si512();
    for (q = 0; q < t->kq; q++) {
        __m512i wv[VNNI_TILE_NB];
        VNNI_UNROLL
        for (b = 0; b < NB; b++)
            wv[b] = _mm512_loadu_si512(w + (size_t)b * wb + (size_t)q * 64u);
        VNNI_UNROLL
        for (p = 0; p < P; p++) {
            int32_t x4;
            __m512i av;
            memcpy(&x4, a + (size_t)p * as + (size_t)q * 4u, 4);
            av = _mm512_set1_epi32(x4);
            VNNI_UNROLL
            for (b = 0; b < NB; b++)
                acc[p][b] = _mm512_dpbusd_epi32(acc[p][b], av, wv[b]);
        }
    }
    VNNI_UNROLL
    for (p = 0; p < P; p++)
        VNNI_UNROLL
        for (b = 0; b < NB; b++)
            vnni_store(t, p, b, acc[p][b]);
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
