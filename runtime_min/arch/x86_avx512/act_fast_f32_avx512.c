/*
 * act_fast_f32_avx512.c - bnn_act_fast_f32, bnn_exp_fast_f32 and
 * bnn_softmax_fast_f32 on 16 lanes of AVX-512 (bnn_*__avx512). Compiles
 * to nothing unless BNN_ACT_avx512.
 *
 * The functions come from bnn_vmath_impl.h, instantiated on __m512: the
 * same operations as the portable kernel (src/act_fast_f32.c), so the
 * results are bit-identical. Tails are masked loads and stores. The
 * activations that need no transcendental function run the portable
 * code.
 */
#include "bnn_act_fast.h"

#if BNN_ACT_avx512

#include <immintrin.h>
#include <math.h>

#define VM_F __m512
#define VM_U __m512i
#define VM_M __mmask16
#define VM_FN(name) bnn_vm_##name##_avx512
#define vm_f(c) _mm512_set1_ps(c)
#define vm_u(c) _mm512_set1_epi32((int)(c))
#define vm_add(a, b) _mm512_add_ps(a, b)
#define vm_sub(a, b) _mm512_sub_ps(a, b)
#define vm_mul(a, b) _mm512_mul_ps(a, b)
#define vm_div(a, b) _mm512_div_ps(a, b)
#define vm_lt(a, b) _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ)
#define vm_gt(a, b) _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ)
#define vm_sel(m, a, b) _mm512_mask_blend_ps(m, b, a)
#define vm_bits(x) _mm512_castps_si512(x)
#define vm_float(u) _mm512_castsi512_ps(u)
#define vm_uadd(a, b) _mm512_add_epi32(a, b)
#define vm_and(a, b) _mm512_and_si512(a, b)
#define vm_or(a, b) _mm512_or_si512(a, b)
#define vm_shl23(a) _mm512_slli_epi32(a, 23)
#include "bnn_vmath_impl.h"

/* out = F(in) over n floats, 16 at a time, the tail masked. */
#define MAP16(F)                                                               \
    do {                                                                       \
        size_t i_ = 0;                                                         \
        for (; i_ + 16 <= n; i_ += 16)                                         \
            _mm512_storeu_ps(out + i_, F(_mm512_loadu_ps(in + i_)));           \
        if (i_ < n) {                                                          \
            __mmask16 m_ = (__mmask16)((1u << (unsigned)(n - i_)) - 1u);                 \
            _mm512_mask_storeu_ps(out + i_, m_,                                \
                                  F(_mm512_maskz_loadu_ps(m_, in + i_)));      \
        }                                                                      \
    } while (0)

BNN_ACT_FAST_ENTRIES(avx512, MAP16)

/* One row: the summation order of bnn_fl_fold_sum16 (lane j of the
 * accumulator is partial sum j; the fold takes halves). */
static void softmax_row_avx512(int32_t len, const float *x, float *y)
{
    __m512 mv = _mm512_set1_ps(-INFINITY), s = _mm512_setzero_ps();
    int32_t i;
    __mmask16 tail = (__mmask16)((1u << (unsigned)(len % 16)) - 1u);
    const int32_t full = len - len % 16;
    for (i = 0; i < full; i += 16)
        mv = _mm512_max_ps(mv, _mm512_loadu_ps(x + i));
    if (tail)
        mv = _mm512_mask_max_ps(mv, tail, mv, _mm512_maskz_loadu_ps(tail, x + i));
    /* Any maximum will do where the row holds a NaN (the result is NaN
     * throughout); otherwise max is exact in any order. */
    const __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(mv));
    for (i = 0; i < full; i += 16) {
        __m512 e = bnn_vm_exp_avx512(_mm512_sub_ps(_mm512_loadu_ps(x + i), m));
        _mm512_storeu_ps(y + i, e);
        s = _mm512_add_ps(s, e);
    }
    if (tail) {
        __m512 e = bnn_vm_exp_avx512(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, x + i), m));
        _mm512_mask_storeu_ps(y + i, tail, e);
        s = _mm512_mask_add_ps(s, tail, s, e);
    }
    __m256 s8 = _mm256_add_ps(_mm512_castps512_ps256(s),
                              _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(s), 1)));
    __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    __m128 s1 = _mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1));
    const __m512 sum = _mm512_set1_ps(_mm_cvtss_f32(s1));
    for (i = 0; i < full; i += 16)
        _mm512_storeu_ps(y + i, _mm512_div_ps(_mm512_loadu_ps(y + i), sum));
    if (tail)
        _mm512_mask_storeu_ps(y + i, tail,
                              _mm512_div_ps(_mm512_maskz_loadu_ps(tail, y + i), sum));
}

BNN_API bnn_status bnn_softmax_fast_f32__avx512(const bnn_softmax_params *p,
                                                const float *in, float *out)
{
    if (!p || p->rows < 0 || p->len <= 0 || !in || !out)
        return BNN_ARG_ERROR;
    const int32_t rows = p->rows, len = p->len;
    for (int32_t r = 0; r < rows; ++r)
        softmax_row_avx512(len, in + (ptrdiff_t)r * len, out + (ptrdiff_t)r * len);
    return BNN_OK;
}

#endif
