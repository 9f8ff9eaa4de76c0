/*
 * bdense_avx2.c - binary dense for x86 AVX2 (bnn_bdense_b_*__avx2).
 * Compiles to nothing unless BNN_BIN_avx2.
 *
 * Tile: up to DENSE_R_AVX2 rows x one block of 16 output channels; per input
 * word the block's two weight vectors are loaded once and every row's
 * word is broadcast; popcount by nibble table into byte accumulators,
 * folded into int32 every 31 words (see bconv2d_avx2.c). Handles every
 * shape; no fallback.
 */
#include "bnn_internal.h"

#if BNN_BIN_avx2

#define DENSE_R_AVX2 4

BNN_ALWAYS_INLINE __m256i dense_pc_add(__m256i acc, __m256i x, __m256i w,
                                       __m256i lut, __m256i m4)
{
    __m256i v = _mm256_xor_si256(x, w);
    acc = _mm256_add_epi8(acc, _mm256_shuffle_epi8(lut, _mm256_and_si256(v, m4)));
    return _mm256_add_epi8(
        acc, _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(v, 4), m4)));
}

/* Popcount sums of rows [0, nr) of x (in_words apart) against the block
 * of weights at w, written to s32[r*16 + lane]. */
BNN_ALWAYS_INLINE void dense_tile_avx2(const uint32_t *x, int32_t in_words,
                                  const uint32_t *w, int nr, int32_t *s32)
{
    const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                         0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const __m256i ones8 = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1);
    __m256i a8[DENSE_R_AVX2][2], s[DENSE_R_AVX2][2];
    int32_t k0, k, k1;
    int r, h;
    for (r = 0; r < nr; r++)
        for (h = 0; h < 2; h++)
            s[r][h] = _mm256_setzero_si256();
    for (k0 = 0; k0 < in_words; k0 = k1) {
        k1 = in_words - k0 > 31 ? k0 + 31 : in_words;
        for (r = 0; r < nr; r++)
            a8[r][0] = a8[r][1] = _mm256_setzero_si256();
        for (k = k0; k < k1; k++) {
            const uint32_t *wk = w + (size_t)k * 16u;
            __m256i w0 = _mm256_loadu_si256((const __m256i *)(const void *)wk);
            __m256i w1 = _mm256_loadu_si256((const __m256i *)(const void *)(wk + 8));
            for (r = 0; r < nr; r++) {
                __m256i v = _mm256_set1_epi32(
                    (int)x[(size_t)r * (size_t)in_words + (size_t)k]);
                a8[r][0] = dense_pc_add(a8[r][0], v, w0, lut, m4);
                a8[r][1] = dense_pc_add(a8[r][1], v, w1, lut, m4);
            }
        }
        for (r = 0; r < nr; r++)
            for (h = 0; h < 2; h++)
                s[r][h] = _mm256_add_epi32(
                    s[r][h], _mm256_madd_epi16(_mm256_maddubs_epi16(a8[r][h], ones8),
                                               ones16));
    }
    for (r = 0; r < nr; r++)
        for (h = 0; h < 2; h++)
            _mm256_storeu_si256((__m256i *)(void *)(s32 + r * 16 + h * 8), s[r][h]);
}

#define DENSE_FN_AVX2(NR)                                                           \
    BNN_NOINLINE void dense_tile_##NR(const uint32_t *x, int32_t in_words,     \
                                      const uint32_t *w, int32_t *s32)         \
    {                                                                          \
        dense_tile_avx2(x, in_words, w, NR, s32);                                   \
    }
DENSE_FN_AVX2(1)
DENSE_FN_AVX2(2)
DENSE_FN_AVX2(3)
DENSE_FN_AVX2(4)

typedef void (*dense_tile_fn_avx2)(const uint32_t *, int32_t, const uint32_t *,
                              int32_t *);

static bnn_status dense_entry_avx2(const bnn_bdense_params *p, const uint32_t *in,
                              void *out, bnn_out_kind kind)
{
    static const dense_tile_fn_avx2 tab[DENSE_R_AVX2] = {dense_tile_1, dense_tile_2,
                                               dense_tile_3, dense_tile_4};
    int32_t s32[DENSE_R_AVX2 * 16];
    int32_t nblk, r0, nr, b, r, h;
    if (bnn_bdense_check(p, in, out, kind) != BNN_OK)
        return BNN_ARG_ERROR;
    nblk = (p->out_c + 15) / 16;
    for (r0 = 0; r0 < p->n; r0 += nr) {
        nr = p->n - r0 < DENSE_R_AVX2 ? p->n - r0 : DENSE_R_AVX2;
        for (b = 0; b < nblk; b++) {
            tab[nr - 1](in + (size_t)r0 * (size_t)p->in_words, p->in_words,
                        p->weights + (size_t)b * (size_t)p->in_words * 16u, s32);
            for (r = 0; r < nr; r++) {
                size_t off = (size_t)(r0 + r) * (size_t)p->out_row_stride;
                void *opx = kind == BNN_OUT_I32   ? (void *)((int32_t *)out + off)
                            : kind == BNN_OUT_F32 ? (void *)((float *)out + off)
                                                  : (void *)((uint32_t *)out + off);
                for (h = 0; h < 2 && b * 16 + 8 * h < p->out_c; h++) {
                    __m256i sv = _mm256_loadu_si256(
                        (const __m256i *)(const void *)(s32 + r * 16 + 8 * h));
                    __m256i d = _mm256_sub_epi32(_mm256_set1_epi32(p->k),
                                                 _mm256_slli_epi32(sv, 1));
                    bnn_emit8_avx2(kind, opx, b * 16 + 8 * h, p->out_c, d, p->mul,
                                   p->add, p->thresh, p->dir, NULL);
                }
            }
        }
    }
    return BNN_OK;
}

BNN_API bnn_status bnn_bdense_b_i32__avx2(const bnn_bdense_params *p,
                                  const uint32_t *in, int32_t *out)
{
    return dense_entry_avx2(p, in, out, BNN_OUT_I32);
}

BNN_API bnn_status bnn_bdense_b_f32__avx2(const bnn_bdense_params *p,
                                  const uint32_t *in, float *out)
{
    return dense_entry_avx2(p, in, out, BNN_OUT_F32);
}

BNN_API bnn_status bnn_bdense_b_b__avx2(const bnn_bdense_params *p, const uint32_t *in,
                                uint32_t *out)
{
    return dense_entry_avx2(p, in, out, BNN_OUT_B);
}

#endif
