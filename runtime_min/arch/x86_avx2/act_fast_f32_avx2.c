/*
 * act_fast_f32_avx2.c - bnn_act_fast_f32, bnn_exp_fast_f32 and
 * bnn_softmax_fast_f32 on 8 lanes of AVX2 (bnn_*__avx2). Compiles to
 * nothing unless BNN_ACT_avx2.
 *
 * The functions come from bnn_vmath_impl.h, instantiated on __m256: the
 * same operations as the portable kernel (src/act_fast_f32.c), so the
 * results are bit-identical. Tails go through a zero-padded vector. The
 * activations that need no transcendental function run the portable
 * code.
 */
#include "bnn_act_fast.h"

#if BNN_ACT_avx2

#include <immintrin.h>
#include <math.h>
#include <string.h>

#define VM_F __m256
#define VM_U __m256i
#define VM_M __m256
#define VM_FN(name) bnn_vm_##name##_avx2
#define vm_f(c) _mm256_set1_ps(c)
#define vm_u(c) _mm256_set1_epi32((int)(c))
#define vm_add(a, b) _mm256_add_ps(a, b)
#define vm_sub(a, b) _mm256_sub_ps(a, b)
#define vm_mul(a, b) _mm256_mul_ps(a, b)
#define vm_div(a, b) _mm256_div_ps(a, b)
#define vm_lt(a, b) _mm256_cmp_ps(a, b, _CMP_LT_OQ)
#define vm_gt(a, b) _mm256_cmp_ps(a, b, _CMP_GT_OQ)
#define vm_sel(m, a, b) _mm256_blendv_ps(b, a, m)
#define vm_bits(x) _mm256_castps_si256(x)
#define vm_float(u) _mm256_castsi256_ps(u)
#define vm_uadd(a, b) _mm256_add_epi32(a, b)
#define vm_and(a, b) _mm256_and_si256(a, b)
#define vm_or(a, b) _mm256_or_si256(a, b)
#define vm_shl23(a) _mm256_slli_epi32(a, 23)
#include "bnn_vmath_impl.h"

/* out = F(in) over n floats, 8 at a time; the tail through a padded
 * vector. */
#define MAP8(F)                                                                \
    do {                                                                       \
        size_t i_ = 0;                                                         \
        for (; i_ + 8 <= n; i_ += 8)                                           \
            _mm256_storeu_ps(out + i_, F(_mm256_loadu_ps(in + i_)));           \
        if (i_ < n) {                                                          \
            float b_[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};    \
            memcpy(b_, in + i_, (n - i_) * sizeof(float));                     \
            _mm256_storeu_ps(b_, F(_mm256_loadu_ps(b_)));                      \
            memcpy(out + i_, b_, (n - i_) * sizeof(float));                    \
        }                                                                      \
    } while (0)

BNN_ACT_FAST_ENTRIES(avx2, MAP8)

/* One row, in the summation order of bnn_fl_fold_sum16: partial sums
 * 0-7 in lo, 8-15 in hi; lanes past the row add +0 (a no-op). */
static void softmax_row_avx2(int32_t len, const float *x, float *y)
{
    float m = x[0];
    for (int32_t i = 1; i < len; ++i)
        m = x[i] > m ? x[i] : m;
    const __m256 mv = _mm256_set1_ps(m);
    __m256 lo = _mm256_setzero_ps(), hi = lo;
    for (int32_t i = 0; i < len; i += 16) {
        float b[16];
        const int32_t nb = len - i < 16 ? len - i : 16;
        const float *src = x + i;
        if (nb < 16) {
            for (int j = 0; j < 16; ++j)
                b[j] = j < nb ? x[i + j] : -INFINITY;
            src = b;
        }
        __m256 e0 = bnn_vm_exp_avx2(_mm256_sub_ps(_mm256_loadu_ps(src), mv));
        __m256 e1 = bnn_vm_exp_avx2(_mm256_sub_ps(_mm256_loadu_ps(src + 8), mv));
        if (nb < 16) {
            /* padded lanes: exactly +0 */
            const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
            e0 = _mm256_and_ps(e0, _mm256_castsi256_ps(_mm256_cmpgt_epi32(
                                       _mm256_set1_epi32(nb), lane)));
            e1 = _mm256_and_ps(e1, _mm256_castsi256_ps(_mm256_cmpgt_epi32(
                                       _mm256_set1_epi32(nb - 8), lane)));
            _mm256_storeu_ps(b, e0);
            _mm256_storeu_ps(b + 8, e1);
            memcpy(y + i, b, (size_t)nb * sizeof(float));
        } else {
            _mm256_storeu_ps(y + i, e0);
            _mm256_storeu_ps(y + i + 8, e1);
        }
        lo = _mm256_add_ps(lo, e0);
        hi = _mm256_add_ps(hi, e1);
    }
    __m256 s8 = _mm256_add_ps(lo, hi);
    __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    __m128 s1 = _mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1));
    const __m256 sum = _mm256_set1_ps(_mm_cvtss_f32(s1));
    int32_t i = 0;
    for (; i + 8 <= len; i += 8)
        _mm256_storeu_ps(y + i, _mm256_div_ps(_mm256_loadu_ps(y + i), sum));
    for (; i < len; ++i)
        y[i] = y[i] / _mm_cvtss_f32(s1);
}

BNN_API bnn_status bnn_softmax_fast_f32__avx2(const bnn_softmax_params *p,
                                              const float *in, float *out)
{
    if (!p || p->rows < 0 || p->len <= 0 || !in || !out)
        return BNN_ARG_ERROR;
    const int32_t rows = p->rows, len = p->len;
    for (int32_t r = 0; r < rows; ++r)
        softmax_row_avx2(len, in + (ptrdiff_t)r * len, out + (ptrdiff_t)r * len);
    return BNN_OK;
}

#endif
