/*
 * pack_avx2.c - sign packing of float channels for x86 AVX2
 * (bnn_pack_f32_b__avx2, bnn_pack_affine_f32_b__avx2; the portable
 * kernels are in src/pack.c). Compiles to nothing unless BNN_PACK_avx2.
 *
 * An ordered compare of 8 floats with 0 (NaN < 0 and -0.0 < 0 are false,
 * the det_sign convention) and vmovmskps give 8 bits; four of them are one
 * packed word, LSB first. With the affine map the product and the sum are
 * rounded separately, as in the portable loop, so both give the same bits.
 * Channels past c in the last word are not loaded (masked loads) and
 * their bits are 0.
 */
#include "bnn_internal.h"

#if BNN_PACK_avx2

#include <immintrin.h>

/* Bits of 8 channels from x (n of them valid, 1..8). */
BNN_ALWAYS_INLINE uint32_t pack8_avx2(const float *x, const float *mul, const float *add,
                                      int32_t n)
{
    __m256 v;
    if (n >= 8) {
        v = _mm256_loadu_ps(x);
        if (mul) {
            v = _mm256_mul_ps(v, _mm256_loadu_ps(mul));
            v = _mm256_add_ps(v, _mm256_loadu_ps(add));
        }
    } else {
        const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(n),
                                             _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        v = _mm256_maskload_ps(x, m);
        if (mul) {
            v = _mm256_mul_ps(v, _mm256_maskload_ps(mul, m));
            v = _mm256_add_ps(v, _mm256_maskload_ps(add, m));
        }
        return (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ)) &
               ((1u << n) - 1u);
    }
    return (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ));
}

/* The rows of both entry points; mul NULL: no affine map. */
static void pack_rows_avx2(int32_t pixels, int32_t c, const float *in, int32_t in_pixel_stride,
                           const float *mul, const float *add, uint32_t *out,
                           int32_t out_pixel_stride)
{
    const int32_t nw = bnn_words(c);
    for (int32_t p = 0; p < pixels; p++) {
        const float *x = in + (size_t)p * (size_t)in_pixel_stride;
        uint32_t *o = out + (size_t)p * (size_t)out_pixel_stride;
        int32_t w = 0;
        /* whole words: four full vectors each */
        if (mul)
            for (; (w + 1) * BNN_WORD_BITS <= c; w++) {
                const int32_t ch = w * BNN_WORD_BITS;
                o[w] = pack8_avx2(x + ch, mul + ch, add + ch, 8) |
                       pack8_avx2(x + ch + 8, mul + ch + 8, add + ch + 8, 8) << 8 |
                       pack8_avx2(x + ch + 16, mul + ch + 16, add + ch + 16, 8) << 16 |
                       pack8_avx2(x + ch + 24, mul + ch + 24, add + ch + 24, 8) << 24;
            }
        else
            for (; (w + 1) * BNN_WORD_BITS <= c; w++) {
                const int32_t ch = w * BNN_WORD_BITS;
                o[w] = pack8_avx2(x + ch, NULL, NULL, 8) |
                       pack8_avx2(x + ch + 8, NULL, NULL, 8) << 8 |
                       pack8_avx2(x + ch + 16, NULL, NULL, 8) << 16 |
                       pack8_avx2(x + ch + 24, NULL, NULL, 8) << 24;
            }
        /* the last, partial word */
        for (; w < nw; w++) {
            const int32_t ch = w * BNN_WORD_BITS;
            uint32_t bits = 0;
            for (int32_t j = 0; j < BNN_WORD_BITS / 8 && ch + 8 * j < c; j++) {
                const int32_t c0 = ch + 8 * j;
                bits |= pack8_avx2(x + c0, mul ? mul + c0 : NULL, mul ? add + c0 : NULL, c - c0)
                        << (8 * j);
            }
            o[w] = bits;
        }
    }
}

BNN_API bnn_status bnn_pack_f32_b__avx2(const bnn_channels_params *p, const float *in,
                                        uint32_t *out)
{
    if (bnn_pack_check(p, in, out) != BNN_OK)
        return BNN_ARG_ERROR;
    pack_rows_avx2(p->pixels, p->c, in, p->in_pixel_stride, NULL, NULL, out,
                   p->out_pixel_stride);
    return BNN_OK;
}

BNN_API bnn_status bnn_pack_affine_f32_b__avx2(const bnn_channels_params *p, const float *in,
                                               uint32_t *out)
{
    if (bnn_pack_check(p, in, out) != BNN_OK || !p->mul || !p->add)
        return BNN_ARG_ERROR;
    pack_rows_avx2(p->pixels, p->c, in, p->in_pixel_stride, p->mul, p->add, out,
                   p->out_pixel_stride);
    return BNN_OK;
}

#endif
