/*
 * quant_i8_avx2.c - quantisation of float input to int8 and back for x86
 * AVX2 (bnn_quantize_f32_i8__avx2, bnn_dequantize_i8_f32__avx2; the
 * portable kernels are in src/quant_i8.c). Compiles to nothing unless
 * BNN_PACK_avx2.
 *
 * The portable formula, 8 lanes at a time and 32 values per step:
 * q = clamp(round(x / scale) + zp) with the IEEE division, round half away
 * from zero as truncation toward zero moved one step away from zero when
 * the (exact) fraction is at least one half, the rounded value clamped to
 * [-1000, 1000] before the integer conversion (NaN to -1000: vmaxps
 * returns its second operand when the first is NaN), then the signed
 * saturating packs (the clamp to [-128, 127]); the packs interleave 128-bit
 * halves, which one cross-lane permutation puts back in order. The last
 * n % 32 values take the portable loop. Dequantisation converts q - zp
 * (exact in int32 and in float) and multiplies once, as the portable
 * (float)(q - zp) * scale. One scale and zero point per tensor;
 * per-channel parameters take the portable loop.
 */
#include "bnn_i8_internal.h"

#if BNN_PACK_avx2

#include <immintrin.h>

/* round(x / s) + zp of 8 lanes as int32 (before the int8 clamp). */
BNN_ALWAYS_INLINE __m256i quant8_avx2(const float *x, __m256 s, __m256i zp)
{
    const __m256 half = _mm256_set1_ps(0.5f), mhalf = _mm256_set1_ps(-0.5f);
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 t = _mm256_div_ps(_mm256_loadu_ps(x), s);
    __m256 r = _mm256_round_ps(t, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    __m256 d = _mm256_sub_ps(t, r);
    r = _mm256_add_ps(r, _mm256_and_ps(_mm256_cmp_ps(d, half, _CMP_GE_OQ), one));
    r = _mm256_sub_ps(r, _mm256_and_ps(_mm256_cmp_ps(d, mhalf, _CMP_LE_OQ), one));
    r = _mm256_min_ps(_mm256_max_ps(r, _mm256_set1_ps(-1000.0f)), _mm256_set1_ps(1000.0f));
    return _mm256_add_epi32(_mm256_cvttps_epi32(r), zp);
}

BNN_API bnn_status bnn_quantize_f32_i8__avx2(const bnn_quant_i8_params *p, const float *in,
                                             int8_t *out)
{
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    size_t i, n;
    __m256 s;
    __m256i zp;
    if (!p || p->channels != 1 || p->inner < 1 || p->n < 32 || !in || !out || !p->scale ||
        !p->zero_point)
        return bnn_quantize_f32_i8__portable(p, in, out);
    if (!bnn_i8_zp_ok(p->zero_point[0]))
        return BNN_ARG_ERROR;
    n = p->n;
    s = _mm256_set1_ps(p->scale[0]);
    zp = _mm256_set1_epi32(p->zero_point[0]);
    for (i = 0; i + 32 <= n; i += 32) {
        __m256i a = quant8_avx2(in + i, s, zp), b = quant8_avx2(in + i + 8, s, zp);
        __m256i c = quant8_avx2(in + i + 16, s, zp), d = quant8_avx2(in + i + 24, s, zp);
        /* bytes a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7 */
        __m256i q = _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
        _mm256_storeu_si256((__m256i *)(void *)(out + i), _mm256_permutevar8x32_epi32(q, order));
    }
    if (i < n) {
        bnn_quant_i8_params tail = *p;
        tail.n = n - i;
        return bnn_quantize_f32_i8__portable(&tail, in + i, out + i);
    }
    return BNN_OK;
}

BNN_API bnn_status bnn_dequantize_i8_f32__avx2(const bnn_quant_i8_params *p,
                                               const int8_t *in, float *out)
{
    size_t i, n;
    __m256 s;
    __m256i zp;
    if (!p || p->channels != 1 || p->inner < 1 || p->n < 8 || !in || !out || !p->scale ||
        !p->zero_point)
        return bnn_dequantize_i8_f32__portable(p, in, out);
    if (!bnn_i8_zp_ok(p->zero_point[0]))
        return BNN_ARG_ERROR;
    n = p->n;
    s = _mm256_set1_ps(p->scale[0]);
    zp = _mm256_set1_epi32(p->zero_point[0]);
    for (i = 0; i + 8 <= n; i += 8) {
        int64_t q8;
        __m256i q;
        memcpy(&q8, in + i, 8);
        q = _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(q8));
        _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(q, zp)), s));
    }
    if (i < n) {
        bnn_quant_i8_params tail = *p;
        tail.n = n - i;
        return bnn_dequantize_i8_f32__portable(&tail, in + i, out + i);
    }
    return BNN_OK;
}

#endif
