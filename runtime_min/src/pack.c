/*
 * pack.c - float <-> bit conversion (det_sign semantics: x < 0 is -1, so
 * 0, -0.0 and NaN are +1; a compare, never the float's sign bit) and
 * binary channel copies. The sign packing is a dispatched kernel (family
 * PACK in bnn_variants.h) with AVX2 and AVX-512 variants
 * (arch/x86_avx2/pack_avx2.c, arch/x86_avx512/pack_avx512.c: a vector
 * compare is a packed byte or half-word); everything else is portable
 * only.
 */
#include "bnn_internal.h"

/* Sign bits of the c channels of each pixel, after the affine map
 * x * mul[ch] + add[ch] (two roundings) when mul is not NULL. */
static void pack_rows(int32_t pixels, int32_t c, const float *in,
                      int32_t in_pixel_stride, const float *mul,
                      const float *add, uint32_t *out, int32_t out_pixel_stride)
{
    int32_t p, w, nw = bnn_words(c);
    for (p = 0; p < pixels; p++) {
        const float *x = in + (size_t)p * (size_t)in_pixel_stride;
        uint32_t *o = out + (size_t)p * (size_t)out_pixel_stride;
        for (w = 0; w < nw; w++) {
            const int32_t ch0 = w * BNN_WORD_BITS;
            int32_t j, n = c - ch0 < BNN_WORD_BITS ? c - ch0 : BNN_WORD_BITS;
            uint32_t bits = 0;
            if (mul)
                for (j = 0; j < n; j++) {
                    float y = x[ch0 + j] * mul[ch0 + j];
                    y = y + add[ch0 + j];
                    bits |= (uint32_t)(y < 0.0f) << j;
                }
            else
                for (j = 0; j < n; j++)
                    bits |= (uint32_t)(x[ch0 + j] < 0.0f) << j;
            o[w] = bits;
        }
    }
}

BNN_API bnn_status bnn_pack_f32_b__portable(const bnn_channels_params *p,
                                            const float *in, uint32_t *out)
{
    if (bnn_pack_check(p, in, out) != BNN_OK)
        return BNN_ARG_ERROR;
    pack_rows(p->pixels, p->c, in, p->in_pixel_stride, NULL, NULL, out,
              p->out_pixel_stride);
    return BNN_OK;
}

BNN_API bnn_status bnn_pack_affine_f32_b__portable(const bnn_channels_params *p,
                                                   const float *in, uint32_t *out)
{
    if (bnn_pack_check(p, in, out) != BNN_OK || !p->mul || !p->add)
        return BNN_ARG_ERROR;
    pack_rows(p->pixels, p->c, in, p->in_pixel_stride, p->mul, p->add, out,
              p->out_pixel_stride);
    return BNN_OK;
}

BNN_API bnn_status bnn_pack_f32_b(const bnn_channels_params *p, const float *in,
                                  uint32_t *out)
{
    return BNN_BEST(PACK, bnn_pack_f32_b)(p, in, out);
}

BNN_API bnn_status bnn_pack_affine_f32_b(const bnn_channels_params *p,
                                         const float *in, uint32_t *out)
{
    return BNN_BEST(PACK, bnn_pack_affine_f32_b)(p, in, out);
}

BNN_API bnn_status bnn_unpack_b_f32(const bnn_channels_params *p,
                                    const uint32_t *in, float *out)
{
    int32_t px, ch;
    if (!p || p->pixels < 0 || p->c <= 0 || p->in_pixel_stride < bnn_words(p->c) ||
        p->out_pixel_stride < p->c)
        return BNN_ARG_ERROR;
    const int32_t pixels = p->pixels, c = p->c;
    for (px = 0; px < pixels; px++) {
        const uint32_t *x = in + (size_t)px * (size_t)p->in_pixel_stride;
        float *o = out + (size_t)px * (size_t)p->out_pixel_stride;
        for (ch = 0; ch < c; ch++)
            o[ch] = ((x[bnn_word_of(ch)] >> bnn_bit_of(ch)) & 1u) ? -1.0f : 1.0f;
    }
    return BNN_OK;
}

/* Writes the low n bits (1..BNN_WORD_BITS, higher bits of v are 0) of v
 * to bits [bit, bit + n) of a packed row, keeping every other bit. */
static void put_bits(uint32_t *row, int32_t bit, int32_t n, uint32_t v)
{
    uint32_t sh = bnn_bit_of(bit);
    uint32_t *w = row + bnn_word_of(bit);
    uint32_t m = bnn_low_bits(n);
    w[0] = (w[0] & ~(m << sh)) | (v << sh);
    if (sh != 0 && (int32_t)sh + n > BNN_WORD_BITS)
        w[1] = (w[1] & ~(m >> (BNN_WORD_BITS - sh))) | (v >> (BNN_WORD_BITS - sh));
}

/* Word at a time: each source word (tail masked) is placed at bit
 * dst_c_offset + BNN_WORD_BITS*w of the destination pixel with put_bits. */
BNN_API bnn_status bnn_copy_channels_b(const bnn_channels_params *p,
                                       const uint32_t *in, uint32_t *out)
{
    int32_t px, w;
    if (!p)
        return BNN_ARG_ERROR;
    const int32_t pixels = p->pixels, c = p->c, nw = bnn_words(c);
    const int32_t dst_c_offset = p->dst_c_offset;
    if (pixels < 0 || c <= 0 || dst_c_offset < 0 ||
        p->in_pixel_stride < nw ||
        p->out_pixel_stride < bnn_words(dst_c_offset + c))
        return BNN_ARG_ERROR;
    for (px = 0; px < pixels; px++) {
        const uint32_t *x = in + (size_t)px * (size_t)p->in_pixel_stride;
        uint32_t *o = out + (size_t)px * (size_t)p->out_pixel_stride;
        for (w = 0; w < nw; w++) {
            int32_t n = c - BNN_WORD_BITS * w < BNN_WORD_BITS ? c - BNN_WORD_BITS * w
                                                                : BNN_WORD_BITS;
            uint32_t v = x[w] & bnn_low_bits(n);
            put_bits(o, dst_c_offset + BNN_WORD_BITS * w, n, v);
        }
    }
    return BNN_OK;
}

#if BNN_PARTS
/* Range of pixels [*p0, *p1) of a part of a channel kernel's call, at
 * least 2048 input elements per part (bnn_part.h); 0 when empty. */
static int channels_part(const bnn_channels_params *p, int32_t part, int32_t nparts,
                         bnn_channels_params *q, int64_t *lo)
{
    int64_t hi;
    if (!bnn_part_range(p->pixels, 1, (2048 + p->c - 1) / p->c, part, nparts, lo, &hi))
        return 0;
    *q = *p;
    q->pixels = (int32_t)(hi - *lo);
    return 1;
}

/* Checks of the whole call (nothing is divided when they fail). */
static int channels_part_ok(const bnn_channels_params *p, const void *in, const void *out,
                            int32_t part, int32_t nparts)
{
    return p && p->pixels >= 0 && p->c > 0 && (p->pixels == 0 || (in && out)) && part >= 0 &&
           part < nparts;
}

/* Parts of the channel kernels: pixels [p0, p1). */
BNN_API bnn_status bnn_pack_f32_b_part(const bnn_channels_params *p, const float *in,
                                       uint32_t *out, int32_t part, int32_t nparts)
{
    bnn_channels_params q;
    int64_t lo;
    if (!channels_part_ok(p, in, out, part, nparts))
        return BNN_ARG_ERROR;
    if (!channels_part(p, part, nparts, &q, &lo))
        return part ? BNN_OK : bnn_pack_f32_b(p, in, out);
    return bnn_pack_f32_b(&q, in + lo * p->in_pixel_stride, out + lo * p->out_pixel_stride);
}

BNN_API bnn_status bnn_pack_affine_f32_b_part(const bnn_channels_params *p,
                                              const float *in, uint32_t *out, int32_t part,
                                              int32_t nparts)
{
    bnn_channels_params q;
    int64_t lo;
    if (!channels_part_ok(p, in, out, part, nparts))
        return BNN_ARG_ERROR;
    if (!channels_part(p, part, nparts, &q, &lo))
        return part ? BNN_OK : bnn_pack_affine_f32_b(p, in, out);
    return bnn_pack_affine_f32_b(&q, in + lo * p->in_pixel_stride,
                                 out + lo * p->out_pixel_stride);
}

BNN_API bnn_status bnn_unpack_b_f32_part(const bnn_channels_params *p, const uint32_t *in,
                                         float *out, int32_t part, int32_t nparts)
{
    bnn_channels_params q;
    int64_t lo;
    if (!channels_part_ok(p, in, out, part, nparts))
        return BNN_ARG_ERROR;
    if (!channels_part(p, part, nparts, &q, &lo))
        return part ? BNN_OK : bnn_unpack_b_f32(p, in, out);
    return bnn_unpack_b_f32(&q, in + lo * p->in_pixel_stride, out + lo * p->out_pixel_stride);
}
#endif
