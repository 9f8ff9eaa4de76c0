/*
 * conv_i8_avx2.c - int8 conv2d and dense for x86 AVX2
 * (bnn_conv2d_i8_*__avx2, bnn_dense_i8_*__avx2). Compiles to nothing
 * unless BNN_I8_avx2.
 *
 * vpmaddubsw would saturate (255 * 127 * 2 > 32767), so the products are
 * taken in 16 bits without any saturation risk: the 16 bytes holding 4
 * channels x 4 quad values of the packed weights are sign-extended to 16
 * words, the 4 input values of the pixel's quad (signed, BNN_I8_ROWS_S8)
 * are sign-extended and broadcast, and vpmaddwd adds pairs of products
 * (|pair| <= 2 * 128 * 128) into int32 lanes: lane 2i holds channel i's
 * values 0-1 of each quad, lane 2i+1 its values 2-3; a final vphaddd folds
 * them. The driver folds -in_zp * (sum of weights) into the bias. The
 * register tile is 2 pixels x 1 block of 16 channels (8 ymm accumulators).
 * Requantisation uses the integer steps of bnn_i8_mbqm on 8 lanes.
 */
#include "bnn_i8_internal.h"

#if BNN_I8_avx2

#include <immintrin.h>

#define I8_AVX2_TILE_P 2

/* bnn_i8_mbqm on 8 lanes, per-lane multiplier and shifts. */
BNN_ALWAYS_INLINE __m256i i8_avx2_mbqm(__m256i x, __m256i m, __m256i ls, __m256i rs)
{
    const __m256i ones = _mm256_set1_epi32(1), imin = _mm256_set1_epi32(INT32_MIN);
    const __m256i nudge = _mm256_set1_epi64x((int64_t)1 << 30);
    __m256i ev, od, r, mask, rem, thr, sat;
    x = _mm256_sllv_epi32(x, ls);
    ev = _mm256_add_epi64(_mm256_mul_epi32(x, m), nudge);
    od = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(m, 32)),
                          nudge);
    r = _mm256_blend_epi32(_mm256_srli_epi64(ev, 31), _mm256_slli_epi64(od, 1), 0xAA);
    sat = _mm256_and_si256(_mm256_cmpeq_epi32(x, imin), _mm256_cmpeq_epi32(m, imin));
    r = _mm256_blendv_epi8(r, _mm256_set1_epi32(INT32_MAX), sat);
    mask = _mm256_sub_epi32(_mm256_sllv_epi32(ones, rs), ones);
    rem = _mm256_and_si256(r, mask);
    thr = _mm256_add_epi32(_mm256_srli_epi32(mask, 1), _mm256_srli_epi32(r, 31));
    r = _mm256_srav_epi32(r, rs);
    return _mm256_sub_epi32(r, _mm256_cmpgt_epi32(rem, thr));
}

/* Requantised 8 lanes from lane l0 of the tile's tables. */
BNN_ALWAYS_INLINE __m256i i8_avx2_out8(const bnn_i8_tile *t, int32_t l0, __m256i v)
{
    v = i8_avx2_mbqm(v, _mm256_loadu_si256((const __m256i *)(const void *)(t->mult + l0)),
                  _mm256_loadu_si256((const __m256i *)(const void *)(t->lsh + l0)),
                  _mm256_loadu_si256((const __m256i *)(const void *)(t->rsh + l0)));
    v = _mm256_add_epi32(v, _mm256_set1_epi32(t->out_zp));
    v = _mm256_max_epi32(v, _mm256_set1_epi32(t->act_min));
    return _mm256_min_epi32(v, _mm256_set1_epi32(t->act_max));
}

/* The 16 channels of one pixel from its four accumulators (channels
 * 4c..4c+3 in acc[c], two lanes each): bias, requantisation, store. Not
 * inlined, so that GCC keeps the accumulators of the loop in registers
 * without copying them every iteration. */
BNN_NOINLINE void i8_avx2_store(const bnn_i8_tile *t, int q, const __m256i acc[4])
{
    __m256i lo = _mm256_permute4x64_epi64(_mm256_hadd_epi32(acc[0], acc[1]), 0xD8);
    __m256i hi = _mm256_permute4x64_epi64(_mm256_hadd_epi32(acc[2], acc[3]), 0xD8);
    int32_t nv = t->nvalid < 16 ? t->nvalid : 16;
    lo = _mm256_add_epi32(lo, _mm256_loadu_si256((const __m256i *)(const void *)t->bias));
    hi = _mm256_add_epi32(hi, _mm256_loadu_si256((const __m256i *)(const void *)(t->bias + 8)));
    if (t->kind == BNN_I8_OUT_I32) {
        int32_t tmp[16];
        _mm256_storeu_si256((__m256i *)(void *)tmp, lo);
        _mm256_storeu_si256((__m256i *)(void *)(tmp + 8), hi);
        memcpy(t->out[q], tmp, (size_t)nv * 4u);
        return;
    }
    {
        __m256i w16 = _mm256_permute4x64_epi64(
            _mm256_packs_epi32(i8_avx2_out8(t, 0, lo), i8_avx2_out8(t, 8, hi)), 0xD8);
        __m256i b8 = _mm256_permute4x64_epi64(_mm256_packs_epi16(w16, w16), 0x08);
        if (nv == 16) {
            _mm_storeu_si128((__m128i *)t->out[q], _mm256_castsi256_si128(b8));
        } else {
            int8_t tmp[16];
            _mm_storeu_si128((__m128i *)(void *)tmp, _mm256_castsi256_si128(b8));
            memcpy(t->out[q], tmp, (size_t)nv);
        }
    }
}

/* The products of one quad for pixel p into its four accumulators. */
#define I8_AVX2_PIX(p)                                                          \
    if (P > p) {                                                                \
        int32_t x4;                                                             \
        __m256i av;                                                             \
        memcpy(&x4, a + (size_t)p * t->a_stride + (size_t)q * 4u, 4);           \
        av = _mm256_broadcastq_epi64(_mm_cvtepi8_epi16(_mm_cvtsi32_si128(x4)));  \
        a##p##0 = _mm256_add_epi32(a##p##0, _mm256_madd_epi16(w0, av));         \
        a##p##1 = _mm256_add_epi32(a##p##1, _mm256_madd_epi16(w1, av));         \
        a##p##2 = _mm256_add_epi32(a##p##2, _mm256_madd_epi16(w2, av));         \
        a##p##3 = _mm256_add_epi32(a##p##3, _mm256_madd_epi16(w3, av));         \
    }

/* P pixels x one block (P a constant after inlining); the accumulators
 * are named variables, so that GCC keeps them in registers. */
BNN_ALWAYS_INLINE void i8_avx2_tile_body(const int P, const bnn_i8_tile *t)
{
    const uint8_t *a = t->a;
    const int8_t *w = t->w;
    __m256i a00 = _mm256_setzero_si256(), a01 = a00, a02 = a00, a03 = a00;
    __m256i a10 = a00, a11 = a00, a12 = a00, a13 = a00;
    int32_t q;
    for (q = 0; q < t->kq; q++) {
        const int8_t *wq = w + (size_t)q * 64u;
        __m256i w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)wq));
        __m256i w1 =
            _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(wq + 16)));
        __m256i w2 =
            _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(wq + 32)));
        __m256i w3 =
            _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(wq + 48)));
        I8_AVX2_PIX(0)
        I8_AVX2_PIX(1)
    }
    {
        __m256i r0[4], r1[4];
        r0[0] = a00, r0[1] = a01, r0[2] = a02, r0[3] = a03;
        r1[0] = a10, r1[1] = a11, r1[2] = a12, r1[3] = a13;
        i8_avx2_store(t, 0, r0);
        if (P > 1)
            i8_avx2_store(t, 1, r1);
    }
}

static void i8_avx2_tile(const bnn_i8_tile *t)
{
    if (t->np == 2)
        i8_avx2_tile_body(2, t);
    else
        i8_avx2_tile_body(1, t);
}

BNN_API bnn_status bnn_conv2d_i8_i8__avx2(const bnn_conv2d_i8_params *p, const int8_t *in,
                                          int8_t *out, void *scratch)
{
    return bnn_conv2d_i8_run(p, in, out, scratch, BNN_I8_OUT_I8, BNN_I8_ROWS_S8, i8_avx2_tile,
                             I8_AVX2_TILE_P, 1);
}

BNN_API bnn_status bnn_conv2d_i8_i32__avx2(const bnn_conv2d_i8_params *p, const int8_t *in,
                                           int32_t *out, void *scratch)
{
    return bnn_conv2d_i8_run(p, in, out, scratch, BNN_I8_OUT_I32, BNN_I8_ROWS_S8, i8_avx2_tile,
                             I8_AVX2_TILE_P, 1);
}

BNN_I8_DENSE_ENTRIES(avx2)

#endif
