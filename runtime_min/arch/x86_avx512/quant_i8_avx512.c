/*
 * quant_i8_avx512.c - quantisation of float input to int8 and back for x86
 * AVX-512 (bnn_quantize_f32_i8__avx512, bnn_dequantize_i8_f32__avx512; the
 * portable kernels are in src/quant_i8.c). Compiles to nothing unless
 * BNN_PACK_avx512.
 *
 * The portable formula, 16 lanes at a time: q = clamp(round(x / scale) +
 * zp) with the IEEE division, round half away from zero as truncation
 * toward zero moved one step away from zero when the (exact) fraction is
 * at least one half, the rounded value clamped to [-1000, 1000] before the
 * integer conversion (NaN to -1000: the max instruction returns its second
 * operand when the first is NaN), so every float gives the portable
 * kernel's int8. Dequantisation converts q - zp (exact in int32 and in
 * float) and multiplies once, as the portable (float)(q - zp) * scale.
 * One scale and zero point per tensor; per-channel parameters take the
 * portable loop.
 */
#include "bnn_i8_internal.h"

#if BNN_PACK_avx512

#include <immintrin.h>

static inline __mmask16 quant_lanes(size_t n)
{
    return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1u);
}

BNN_API bnn_status bnn_quantize_f32_i8__avx512(const bnn_quant_i8_params *p, const float *in,
                                               int8_t *out)
{
    size_t i, n;
    __m512 s, half, one, lo, hi;
    __m512i zp, qlo, qhi;
    if (!p || p->channels != 1 || p->inner < 1 || p->n == 0 || !in || !out || !p->scale ||
        !p->zero_point)
        return bnn_quantize_f32_i8__portable(p, in, out);
    if (!bnn_i8_zp_ok(p->zero_point[0]))
        return BNN_ARG_ERROR;
    n = p->n;
    s = _mm512_set1_ps(p->scale[0]);
    half = _mm512_set1_ps(0.5f);
    one = _mm512_set1_ps(1.0f);
    lo = _mm512_set1_ps(-1000.0f);
    hi = _mm512_set1_ps(1000.0f);
    zp = _mm512_set1_epi32(p->zero_point[0]);
    qlo = _mm512_set1_epi32(-128);
    qhi = _mm512_set1_epi32(127);
    for (i = 0; i < n; i += 16) {
        __mmask16 m = quant_lanes(n - i);
        __m512 t = _mm512_div_ps(_mm512_maskz_loadu_ps(m, in + i), s);
        __m512 r = _mm512_roundscale_ps(t, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
        __m512 d = _mm512_sub_ps(t, r);
        __m512i q;
        r = _mm512_mask_add_ps(r, _mm512_cmp_ps_mask(d, half, _CMP_GE_OQ), r, one);
        r = _mm512_mask_sub_ps(r, _mm512_cmp_ps_mask(d, _mm512_sub_ps(_mm512_setzero_ps(), half),
                                                     _CMP_LE_OQ),
                               r, one);
        r = _mm512_min_ps(_mm512_max_ps(r, lo), hi);
        q = _mm512_add_epi32(_mm512_cvttps_epi32(r), zp);
        q = _mm512_min_epi32(_mm512_max_epi32(q, qlo), qhi);
        _mm_mask_storeu_epi8(out + i, m, _mm512_cvtepi32_epi8(q));
    }
    return BNN_OK;
}

BNN_API bnn_status bnn_dequantize_i8_f32__avx512(const bnn_quant_i8_params *p,
                                                 const int8_t *in, float *out)
{
    size_t i, n;
    __m512 s;
    __m512i zp;
    if (!p || p->channels != 1 || p->inner < 1 || p->n == 0 || !in || !out || !p->scale ||
        !p->zero_point)
        return bnn_dequantize_i8_f32__portable(p, in, out);
    if (!bnn_i8_zp_ok(p->zero_point[0]))
        return BNN_ARG_ERROR;
    n = p->n;
    s = _mm512_set1_ps(p->scale[0]);
    zp = _mm512_set1_epi32(p->zero_point[0]);
    for (i = 0; i < n; i += 16) {
        __mmask16 m = quant_lanes(n - i);
        __m512i q = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, in + i));
        _mm512_mask_storeu_ps(out + i, m,
                              _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(q, zp)), s));
    }
    return BNN_OK;
}

#endif
