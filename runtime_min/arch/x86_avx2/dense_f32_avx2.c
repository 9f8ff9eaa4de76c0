/*
 * dense_f32_avx2.c - row block of the float dense layer for x86 AVX2
 * (bnn_dense_f32__avx2). Compiles to nothing unless BNN_F32_avx2.
 *
 * As dense_f32_avx512.c with the 16 partial sums of a row in two ymm
 * registers (lanes 0-7 and 8-15), whose sum is the first step of the
 * portable fold: same arithmetic, bit-identical results. A block is 4
 * rows: eight accumulators and two input vectors in 16 registers. While a
 * block runs, the weight lines of the next block are prefetched (as on
 * AVX-512): an ImageNet classifier's 2 MB of weights come from memory
 * once per run, which the prefetch makes about 1.3x faster (512 -> 1000
 * on Zen 3, caches flushed between calls: 12-14 GB/s without, 15-21 GB/s
 * with it).
 */
#include "bnn_float_internal.h"

#if BNN_F32_avx2

#include <immintrin.h>

#define AVX2_ROWS 4

/* The pairwise tree of dense_fold on lanes lo (0-7) and hi (8-15). */
static inline float dense_avx2_fold(__m256 lo, __m256 hi)
{
    __m256 t8 = _mm256_add_ps(lo, hi);
    __m128 t4 = _mm_add_ps(_mm256_castps256_ps128(t8),
                           _mm256_extractf128_ps(t8, 1));
    __m128 t2 = _mm_add_ps(t4, _mm_movehl_ps(t4, t4));
    return _mm_cvtss_f32(_mm_add_ss(t2, _mm_shuffle_ps(t2, t2, 1)));
}

/* NR rows (a constant after inlining); the first next_nr rows of the
 * next block (at w + NR*k) are prefetched, one 64-byte line of each per
 * step of 16 floats. */
BNN_FL_INLINE void dense_avx2_rows(const int NR, int32_t next_nr, int32_t k, const float *x,
                             const float *w, const float *bias, int relu,
                             float *out)
{
    __m256 lo[AVX2_ROWS], hi[AVX2_ROWS];
    for (int r = 0; r < NR; ++r)
        lo[r] = hi[r] = _mm256_setzero_ps();
    int32_t kk = 0;
    for (; kk + BNN_DENSE_LANES <= k; kk += BNN_DENSE_LANES) {
        const __m256 xl = _mm256_loadu_ps(x + kk);
        const __m256 xh = _mm256_loadu_ps(x + kk + 8);
        for (int r = 0; r < NR; ++r) {
            const float *wr = w + (ptrdiff_t)r * k + kk;
            if (r < next_nr)
                _mm_prefetch((const char *)(wr + (ptrdiff_t)NR * k), _MM_HINT_T0);
            lo[r] = _mm256_add_ps(lo[r],
                                  _mm256_mul_ps(xl, _mm256_loadu_ps(wr)));
            hi[r] = _mm256_add_ps(hi[r],
                                  _mm256_mul_ps(xh, _mm256_loadu_ps(wr + 8)));
        }
    }
    for (int r = 0; r < NR; ++r) {
        float v = bnn_dense_tail(dense_avx2_fold(lo[r], hi[r]), kk, k, x,
                                 w + (ptrdiff_t)r * k, bias, r);
        out[r] = relu ? bnn_fl_relu(v) : v;
    }
}

static void dense_rows_avx2(int32_t nr, int32_t next_nr, int32_t k,
                            const float *x, const float *w, const float *bias,
                            int relu, float *out)
{
    if (nr == AVX2_ROWS) {
        dense_avx2_rows(AVX2_ROWS, next_nr, k, x, w, bias, relu, out);
        return;
    }
    /* The last, partial block: there is no next block to prefetch. */
    for (int32_t r = 0; r < nr; ++r)
        dense_avx2_rows(1, 0, k, x, w + (ptrdiff_t)r * k, bias ? bias + r : NULL,
                  relu, out + r);
}

BNN_API bnn_status bnn_dense_f32__avx2(const bnn_dense_params *p,
                               const float *in, float *out)
{
    return bnn_dense_f32_run(p, in, out, dense_rows_avx2, AVX2_ROWS);
}

#endif
