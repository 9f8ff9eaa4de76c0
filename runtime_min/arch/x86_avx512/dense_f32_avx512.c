/*
 * dense_f32_avx512.c - row block of the float dense layer for x86 AVX-512
 * (bnn_dense_f32__avx512). Compiles to nothing unless BNN_F32_avx512.
 *
 * Same arithmetic as the portable row block in src/dense_f32.c: the 16
 * partial sums of one output row are the 16 lanes of one zmm register
 * (lane j sums the elements k = j mod 16, a rounded product then a
 * rounded add per element), folded by the same pairwise tree, then the
 * tail, bias and activation in the same order, so results are
 * bit-identical. A block is 8 rows: eight accumulators, and each input
 * vector loaded once serves eight rows. While a block runs, the weight
 * lines of the next block are prefetched: the classifier of an ImageNet
 * model reads megabytes of weights once per run, from beyond L2.
 */
#include "bnn_float_internal.h"

#if BNN_F32_avx512

#include <immintrin.h>

#define AVX512_ROWS 8

#if defined(__clang__)
#define DENSE_ROW_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define DENSE_ROW_UNROLL _Pragma("GCC unroll 8")
#else
#define DENSE_ROW_UNROLL
#endif

/* The pairwise tree of dense_fold on the lanes of s. */
static inline float dense_avx512_fold(__m512 s)
{
    __m256 t8 = _mm256_add_ps(_mm512_castps512_ps256(s),
                              _mm512_extractf32x8_ps(s, 1));
    __m128 t4 = _mm_add_ps(_mm256_castps256_ps128(t8),
                           _mm256_extractf128_ps(t8, 1));
    __m128 t2 = _mm_add_ps(t4, _mm_movehl_ps(t4, t4));
    return _mm_cvtss_f32(_mm_add_ss(t2, _mm_shuffle_ps(t2, t2, 1)));
}

/* NR rows (a constant after inlining); the first next_nr rows of the
 * next block (at w + NR*k) are prefetched. */
BNN_FL_INLINE void dense_avx512_rows(const int NR, int32_t next_nr, int32_t k,
                             const float *x, const float *w,
                             const float *bias, int relu, float *out)
{
    __m512 s[AVX512_ROWS];
    DENSE_ROW_UNROLL
    for (int r = 0; r < NR; ++r)
        s[r] = _mm512_setzero_ps();
    int32_t kk = 0;
    for (; kk + BNN_DENSE_LANES <= k; kk += BNN_DENSE_LANES) {
        const __m512 xv = _mm512_loadu_ps(x + kk);
        DENSE_ROW_UNROLL
        for (int r = 0; r < NR; ++r) {
            const float *wr = w + (ptrdiff_t)r * k + kk;
            if (r < next_nr)
                _mm_prefetch((const char *)(wr + (ptrdiff_t)NR * k),
                             _MM_HINT_T0);
            s[r] = _mm512_add_ps(s[r], _mm512_mul_ps(xv, _mm512_loadu_ps(wr)));
        }
    }
    for (int r = 0; r < NR; ++r) {
        float v = bnn_dense_tail(dense_avx512_fold(s[r]), kk, k, x,
                                 w + (ptrdiff_t)r * k, bias, r);
        out[r] = relu ? bnn_fl_relu(v) : v;
    }
}

static void dense_rows_avx512(int32_t nr, int32_t next_nr, int32_t k,
                              const float *x, const float *w,
                              const float *bias, int relu, float *out)
{
    if (nr == AVX512_ROWS) {
        dense_avx512_rows(AVX512_ROWS, next_nr, k, x, w, bias, relu, out);
        return;
    }
    /* The last, partial block: there is no next block to prefetch. */
    for (int32_t r = 0; r < nr; ++r)
        dense_avx512_rows(1, 0, k, x, w + (ptrdiff_t)r * k,
                          bias ? bias + r : NULL, relu, out + r);
}

BNN_API bnn_status bnn_dense_f32__avx512(const bnn_dense_params *p,
                                 const float *in, float *out)
{
    return bnn_dense_f32_run(p, in, out, dense_rows_avx512, AVX512_ROWS);
}

#endif
