/*
 * pack_avx512.c - sign packing of float channels for x86 AVX-512
 * (bnn_pack_f32_b__avx512, bnn_pack_affine_f32_b__avx512; the portable
 * kernels are in src/pack.c). Compiles to nothing unless BNN_PACK_avx512.
 *
 * A compare of 16 floats with 0 gives a 16-bit mask whose bit j is
 * (x[j] < 0): two of them are one packed word, LSB first. The compare is
 * ordered (NaN < 0 is false, -0.0 < 0 is false), the det_sign convention;
 * with the affine map the product and the sum are rounded separately as
 * in the portable loop, so both give the same bits. The channels past c
 * in the last word are not loaded, and their bits are 0.
 */
#include "bnn_internal.h"

#if BNN_PACK_avx512

#include <immintrin.h>

/* Bits of 16 channels (lanes outside m are neither loaded nor set). */
BNN_ALWAYS_INLINE uint32_t pack16_avx512(const float *x, const float *mul,
                                         const float *add, __mmask16 m)
{
    __m512 v = _mm512_maskz_loadu_ps(m, x);
    if (mul) {
        v = _mm512_mul_ps(v, _mm512_maskz_loadu_ps(m, mul));
        v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, add));
    }
    return (uint32_t)_mm512_mask_cmp_ps_mask(m, v, _mm512_setzero_ps(),
                                             _CMP_LT_OQ);
}

/* Mask of the first n (<= 16, may be <= 0) lanes. */
static inline __mmask16 lanes_avx512(int32_t n)
{
    return n >= 16 ? (__mmask16)0xFFFF
                   : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1u);
}

/* The rows of both entry points; mul NULL: no affine map. */
static void pack_rows_avx512(int32_t pixels, int32_t c, const float *in,
                             int32_t in_pixel_stride, const float *mul,
                             const float *add, uint32_t *out,
                             int32_t out_pixel_stride)
{
    const int32_t nw = bnn_words(c);
    for (int32_t p = 0; p < pixels; p++) {
        const float *x = in + (size_t)p * (size_t)in_pixel_stride;
        uint32_t *o = out + (size_t)p * (size_t)out_pixel_stride;
        for (int32_t w = 0; w < nw; w++) {
            /* channels [ch, ch + BNN_WORD_BITS) clipped to c: two 16-lane
             * halves */
            const int32_t ch = w * BNN_WORD_BITS;
            const float *mw = mul ? mul + ch : NULL, *aw = mul ? add + ch : NULL;
            const __mmask16 lo = lanes_avx512(c - ch), hi = lanes_avx512(c - ch - 16);
            uint32_t bits = pack16_avx512(x + ch, mw, aw, lo);
            if (hi)
                bits |= pack16_avx512(x + ch + 16, mw ? mw + 16 : NULL,
                                      mw ? aw + 16 : NULL, hi) << 16;
            o[w] = bits;
        }
    }
}

BNN_API bnn_status bnn_pack_f32_b__avx512(const bnn_channels_params *p,
                                          const float *in, uint32_t *out)
{
    if (bnn_pack_check(p, in, out) != BNN_OK)
        return BNN_ARG_ERROR;
    pack_rows_avx512(p->pixels, p->c, in, p->in_pixel_stride, NULL, NULL, out,
                     p->out_pixel_stride);
    return BNN_OK;
}

BNN_API bnn_status bnn_pack_affine_f32_b__avx512(const bnn_channels_params *p,
                                                 const float *in, uint32_t *out)
{
    if (bnn_pack_check(p, in, out) != BNN_OK || !p->mul || !p->add)
        return BNN_ARG_ERROR;
    pack_rows_avx512(p->pixels, p->c, in, p->in_pixel_stride, p->mul, p->add, out,
                     p->out_pixel_stride);
    return BNN_OK;
}

#endif
