/*
 * bnn_internal.h - helpers shared by the binary kernel files of
 * runtime_min. Everything here is static inline (or a macro) so that each
 * kernel file stays self-contained: the compiler's --standalone mode
 * copies the kernel files a model uses, with this header, into one
 * generated C file.
 */
#ifndef BNN_INTERNAL_H
#define BNN_INTERNAL_H

#include "bnn.h"
#include "bnn_variants.h"

/* Portable popcount. GCC lowers __builtin_popcount to a libgcc call on
 * targets without a popcount instruction (Cortex-M, RISC-V without Zbb),
 * so the explicit SWAR form is used there. */
static inline uint32_t bnn_popcount32(uint32_t x)
{
#if defined(__GNUC__) && (defined(__POPCNT__) || defined(__riscv_zbb) || \
                          defined(__aarch64__))
    return (uint32_t)__builtin_popcount(x);
#else
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return (x * 0x01010101u) >> 24;
#endif
}

/* Mask of the valid bits of the last word holding n bits (n > 0). */
static inline uint32_t bnn_tail_mask(int32_t n)
{
    uint32_t r = bnn_bit_of(n);
    return r ? ((1u << r) - 1u) : 0xFFFFFFFFu;
}

/* Bits [bit, bit + n) of a packed pixel as the low n bits of a word
 * (1 <= n <= BNN_WORD_BITS), higher bits 0. Reads only the words holding
 * those bits, so it never reads past the last word of the pixel. */
static inline uint32_t bnn_load_bits(const uint32_t *px, int32_t bit,
                                     int32_t n)
{
    uint32_t sh = bnn_bit_of(bit);
    const uint32_t *w = px + bnn_word_of(bit);
    uint32_t v = w[0] >> sh;
    if (sh != 0 && (int32_t)sh + n > BNN_WORD_BITS)
        v |= w[1] << (BNN_WORD_BITS - sh);
    return v & bnn_low_bits(n);
}

/* The three output transforms of the binary conv and dense kernels. */
typedef enum {
    BNN_OUT_I32 = 0,
    BNN_OUT_F32 = 1,
    BNN_OUT_B = 2
} bnn_out_kind;

/* Output bit of channel c for the exact dot product `dot` (bnn.h):
 * 1 (value -1) iff dir == 0 ? dot < thresh : dot > thresh. */
static inline uint32_t bnn_thresh_bit(int32_t dot, int32_t thresh,
                                      uint8_t dir)
{
    return dir ? (uint32_t)(dot > thresh) : (uint32_t)(dot < thresh);
}

/* Float output of channel c: rounded product, then rounded sum (the
 * runtime is built with -ffp-contract=off, so no fma is formed). */
static inline float bnn_affine_out(int32_t dot, float mul, float add)
{
    float t = (float)dot * mul;
    return t + add;
}

/* The _b_f32 integer transform of a bconv2d (bnn.h): kernels compute
 * dot + dot_offset directly, as (nk + bnn_bconv2d_f32_offset) - 2 * sums,
 * and clamp it to [*lo, *hi] (the clamp bounds moved by the offset; the
 * whole int32 range without a clamp). Both are no-ops for other kinds. */
static inline int32_t bnn_bconv2d_f32_offset(const bnn_bconv2d_params *p, bnn_out_kind kind)
{
    return kind == BNN_OUT_F32 ? p->dot_offset : 0;
}

static inline void bnn_bconv2d_f32_clamp(const bnn_bconv2d_params *p, bnn_out_kind kind,
                                         int32_t *lo, int32_t *hi)
{
    if (kind == BNN_OUT_F32 && p->dot_clamp) {
        *lo = p->dot_lo + p->dot_offset;
        *hi = p->dot_hi + p->dot_offset;
    } else {
        *lo = INT32_MIN;
        *hi = INT32_MAX;
    }
}

static inline int32_t bnn_clamp_i32(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Stores output channel o of a pixel or row whose output starts at
 * element (i32/f32) or word (bits) `base` of out: the dot itself, its
 * affine map (+ res[o] when res, the residual of that pixel, is not
 * NULL), or its threshold bit ORed into a word cleared beforehand. */
static inline void bnn_store_dot(bnn_out_kind kind, void *out, size_t base, int32_t o,
                                 int32_t dot, const float *mul, const float *add,
                                 const int32_t *thresh, const uint8_t *dir,
                                 const float *res)
{
    if (kind == BNN_OUT_I32) {
        ((int32_t *)out)[base + (size_t)o] = dot;
    } else if (kind == BNN_OUT_F32) {
        float v = bnn_affine_out(dot, mul[o], add[o]);
        ((float *)out)[base + (size_t)o] = res ? v + res[o] : v;
    } else {
        ((uint32_t *)out)[base + (size_t)bnn_word_of(o)] |=
            bnn_thresh_bit(dot, thresh[o], dir[o]) << bnn_bit_of(o);
    }
}

/* The residual of output pixel pix of a _b_f32 conv (NULL when none). */
static inline const float *bnn_residual_px(const bnn_bconv2d_params *p, size_t pix)
{
    return p->residual ? p->residual + pix * (size_t)p->residual_pixel_stride : NULL;
}

/* The output rows [*lo, *hi) of the n*out_h rows a binary conv2d call
 * computes (bnn.h: row_lo, row_hi; both 0 mean every row). */
static inline void bnn_bconv2d_rows(const bnn_bconv2d_params *p, int32_t *lo, int32_t *hi)
{
    *lo = p->row_lo;
    *hi = p->row_lo || p->row_hi ? p->row_hi : p->n * p->out_h;
}

/* Checks every documented constraint of a binary conv2d call producing
 * `kind` output (bnn.h), including a non-null, 64-byte aligned scratch
 * (every variant demands it, so that a call valid on one target is valid
 * on all); returns BNN_OK or BNN_ARG_ERROR. */
static inline bnn_status bnn_bconv2d_check(const bnn_bconv2d_params *p,
                                           const void *in, const void *out,
                                           const void *scratch,
                                           bnn_out_kind kind)
{
    if (!p || !in || !out || !p->weights || !scratch ||
        ((uintptr_t)scratch & 63u) != 0)
        return BNN_ARG_ERROR;
    if (p->n <= 0 || p->in_h <= 0 || p->in_w <= 0 || p->in_c <= 0 ||
        p->out_h <= 0 || p->out_w <= 0 || p->out_c <= 0 || p->k_h <= 0 ||
        p->k_w <= 0 || p->stride_h <= 0 || p->stride_w <= 0 ||
        p->pad_h < 0 || p->pad_w < 0 || p->dil_h <= 0 || p->dil_w <= 0 ||
        p->groups <= 0)
        return BNN_ARG_ERROR;
    if (p->in_c % p->groups != 0 || p->out_c % p->groups != 0)
        return BNN_ARG_ERROR;
    if (p->pad_mode != BNN_PAD_PLUS_ONE && p->pad_mode != BNN_PAD_MINUS_ONE &&
        p->pad_mode != BNN_PAD_ZERO)
        return BNN_ARG_ERROR;
    if (bnn_conv_out_size(p->in_h, p->k_h, p->stride_h, p->pad_h,
                          p->dil_h) != p->out_h ||
        bnn_conv_out_size(p->in_w, p->k_w, p->stride_w, p->pad_w,
                          p->dil_w) != p->out_w)
        return BNN_ARG_ERROR;
    /* K must fit the int32 accumulators with room for the doubling. */
    if ((int64_t)p->k_h * p->k_w * (p->in_c / p->groups) > (1 << 29))
        return BNN_ARG_ERROR;
    if ((int64_t)p->n * p->out_h > INT32_MAX)
        return BNN_ARG_ERROR;
    if ((p->row_lo || p->row_hi) &&
        (p->row_lo < 0 || p->row_lo > p->row_hi ||
         (int64_t)p->row_hi > (int64_t)p->n * p->out_h))
        return BNN_ARG_ERROR;
    switch (kind) {
    case BNN_OUT_I32:
        return p->out_pixel_stride >= p->out_c ? BNN_OK : BNN_ARG_ERROR;
    case BNN_OUT_F32:
        if (!p->mul || !p->add)
            return BNN_ARG_ERROR;
        if (p->residual && p->residual_pixel_stride < p->out_c)
            return BNN_ARG_ERROR;
        if (p->dot_offset < -(1 << 29) || p->dot_offset > (1 << 29))
            return BNN_ARG_ERROR;
        if (p->dot_clamp && (p->dot_lo < -(1 << 29) || p->dot_lo > p->dot_hi ||
                             p->dot_hi > (1 << 29)))
            return BNN_ARG_ERROR;
        return p->out_pixel_stride >= p->out_c ? BNN_OK : BNN_ARG_ERROR;
    case BNN_OUT_B:
        if (!p->thresh || !p->dir)
            return BNN_ARG_ERROR;
        return p->out_pixel_stride >= bnn_words(p->out_c) ? BNN_OK
                                                          : BNN_ARG_ERROR;
    }
    return BNN_ARG_ERROR;
}

/* Checks the constraints of a binary dense call (bnn.h). */
static inline bnn_status bnn_bdense_check(const bnn_bdense_params *p,
                                          const void *in, const void *out,
                                          bnn_out_kind kind)
{
    if (!p || !in || !out || !p->weights)
        return BNN_ARG_ERROR;
    if (p->n <= 0 || p->in_words <= 0 || p->k <= 0 || p->out_c <= 0 ||
        (int64_t)p->k > (int64_t)p->in_words * BNN_WORD_BITS || p->k > (1 << 29))
        return BNN_ARG_ERROR;
    switch (kind) {
    case BNN_OUT_I32:
        return p->out_row_stride >= p->out_c ? BNN_OK : BNN_ARG_ERROR;
    case BNN_OUT_F32:
        if (!p->mul || !p->add)
            return BNN_ARG_ERROR;
        return p->out_row_stride >= p->out_c ? BNN_OK : BNN_ARG_ERROR;
    case BNN_OUT_B:
        if (!p->thresh || !p->dir)
            return BNN_ARG_ERROR;
        return p->out_row_stride >= bnn_words(p->out_c) ? BNN_OK
                                                        : BNN_ARG_ERROR;
    }
    return BNN_ARG_ERROR;
}

/* True when a variant can run the conv with whole-word group slices and
 * 16-channel blocks that never straddle two groups: one group, or groups
 * whose input and output channel counts are multiples of BNN_WORD_BITS
 * and 16. The SIMD variants fall back to the portable kernel otherwise. */
static inline int bnn_bconv2d_word_aligned(const bnn_bconv2d_params *p)
{
    int32_t cg = p->in_c / p->groups, og = p->out_c / p->groups;
    return p->groups == 1 || (cg % BNN_WORD_BITS == 0 && og % BNN_OC_BLOCK == 0);
}

/*
 * Scratch layout shared by the SIMD variants of bconv2d (all offsets are
 * multiples of 64 bytes from the 64-byte aligned scratch pointer):
 *   pad pixel   bnn_words(in_c) words, rounded up to 16 words: the value
 *               of an out-of-image pixel (0 for PLUS_ONE and ZERO, the
 *               true channel bits set for MINUS_ONE);
 *   tap table   BNN_BCONV2D_BATCH pointer slots of 8 bytes per tap, for
 *               the taps of a batch of border pixels;
 *   steps       k_h*k_w*bnn_words(in_c) slots of 8 bytes: the input word
 *               offset of every (tap, word) step of an interior pixel;
 *   thresholds  2 * ceil(out_c/16)*16 int32: the b_b thresholds moved to
 *               the popcount domain (bnn_fill_bthr); only for more than
 *               BNN_BCONV2D_BTHR_STACK output channels (bnn_bthr_in_scratch),
 *               fewer are kept on the stack of the variant using them;
 *   correction  BNN_PAD_ZERO only: k_h*k_w rows of ceil(out_c/16)*16 int32,
 *               row t holding in_c/groups - 2*popcount(filter tap t) per
 *               output channel, the exact dot of a +1 tap, subtracted
 *               for every padded tap.
 * bnn_bconv2d_scratch_bytes() in bnn.h gives the total.
 */
static inline size_t bnn_scratch_pad_off(const bnn_bconv2d_params *p)
{
    (void)p;
    return 0;
}

static inline size_t bnn_scratch_taps_off(const bnn_bconv2d_params *p)
{
    return ((size_t)bnn_words(p->in_c) + 15u) / 16u * 64u;
}

static inline size_t bnn_scratch_steps_off(const bnn_bconv2d_params *p)
{
    return bnn_scratch_taps_off(p) +
           (size_t)p->k_h * (size_t)p->k_w * BNN_BCONV2D_BATCH * 8u;
}

static inline size_t bnn_scratch_bthr_off(const bnn_bconv2d_params *p)
{
    size_t steps = (size_t)p->k_h * (size_t)p->k_w *
                   (size_t)bnn_words(p->in_c) * 8u;
    return bnn_scratch_steps_off(p) + (steps + 63u) / 64u * 64u;
}

/* Do the popcount-domain thresholds take scratch (else: the stack)? */
static inline int bnn_bthr_in_scratch(const bnn_bconv2d_params *p)
{
    return p->out_c > BNN_BCONV2D_BTHR_STACK;
}

static inline size_t bnn_scratch_corr_off(const bnn_bconv2d_params *p)
{
    return bnn_scratch_bthr_off(p) +
           (bnn_bthr_in_scratch(p) ? 2u * (((size_t)p->out_c + 15u) / 16u * 16u) * 4u : 0u);
}

/* Clamps a 64-bit value into int32. */
static inline int32_t bnn_clamp32(int64_t v)
{
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

/*
 * The b_b threshold test in the popcount domain, for outputs whose exact
 * dot is nk - 2*s (s = popcount sum, 0 <= s <= nk): fills T = bthr[o] and
 * M = bthr[stride + o] (stride = ceil(out_c/16)*16; lanes past out_c get
 * T = INT32_MAX, M = 0: bit 0) so that bit = (s ^ M) > T, signed:
 *   dir 0: dot < th  <=>  2s > nk - th  <=>  s > floor((nk - th)/2):
 *          M = 0, T = floor((nk - th)/2);
 *   dir 1: dot > th  <=>  2s < nk - th  <=>  s < B, B = ceil((nk - th)/2)
 *          <=>  ~s > ~B:  M = -1, T = ~B.
 * Bounds are computed in 64 bits and clamped; clamping keeps the answer
 * for every s in [0, nk] (INT32_MIN / INT32_MAX thresholds included).
 */
static inline void bnn_fill_bthr(const bnn_bconv2d_params *p, int32_t nk,
                                 int32_t *bthr)
{
    size_t stride = ((size_t)p->out_c + 15u) / 16u * 16u, o;
    for (o = 0; o < stride; o++) {
        int32_t t = INT32_MAX, m = 0;
        if (o < (size_t)p->out_c) {
            int64_t num = (int64_t)nk - (int64_t)p->thresh[o];
            int64_t fl = num >= 0 ? num / 2 : -((-num + 1) / 2);
            if (p->dir[o]) {
                int64_t ce = num >= 0 ? (num + 1) / 2 : -((-num) / 2);
                m = -1;
                t = (int32_t)~(uint32_t)bnn_clamp32(ce);
            } else {
                t = bnn_clamp32(fl);
            }
        }
        bthr[o] = t;
        bthr[stride + o] = m;
    }
}

/* Fills the pad pixel (bnn_words(in_c) words) for the conv's pad mode. */
static inline void bnn_fill_pad_pixel(const bnn_bconv2d_params *p,
                                      uint32_t *pad)
{
    int32_t w, cw = bnn_words(p->in_c);
    uint32_t v = p->pad_mode == BNN_PAD_MINUS_ONE ? 0xFFFFFFFFu : 0u;
    for (w = 0; w < cw; w++)
        pad[w] = v;
    pad[cw - 1] &= bnn_tail_mask(p->in_c);
}

/* Fills the BNN_PAD_ZERO correction table (see the scratch layout):
 * corr[t * stride + o] for every tap t and output channel o < out_c,
 * stride = ceil(out_c/16)*16; lanes past out_c are 0. */
static inline void bnn_fill_zero_corr(const bnn_bconv2d_params *p,
                                      int32_t *corr)
{
    int32_t cg = p->in_c / p->groups, cw = bnn_words(cg);
    int32_t nblk = (p->out_c + 15) / 16, kt = p->k_h * p->k_w;
    int32_t t, b, w, l;
    for (b = 0; b < nblk; b++)
        for (t = 0; t < kt; t++) {
            const uint32_t *wt = p->weights + ((size_t)b * (size_t)kt +
                                               (size_t)t) * (size_t)cw * 16u;
            int32_t *c = corr + (size_t)t * (size_t)nblk * 16u + (size_t)b * 16u;
            for (l = 0; l < 16; l++) {
                int32_t pc = 0;
                for (w = 0; w < cw; w++)
                    pc += (int32_t)bnn_popcount32(wt[w * 16 + l]);
                c[l] = b * 16 + l < p->out_c ? cg - 2 * pc : 0;
            }
        }
}

/* Writes output channels [o0, o0 + 16) (clipped to out_c) of one output
 * pixel or row from their exact dot products dot[16], in plain C; out_px
 * and the b_b word rule as for bnn_emit16_avx512 (o0 a multiple of 16). */
static inline void bnn_emit16_scalar(bnn_out_kind kind, void *out_px,
                                     int32_t o0, int32_t out_c,
                                     const int32_t *dot, const float *mul,
                                     const float *add, const int32_t *thresh,
                                     const uint8_t *dir, const float *res)
{
    int32_t l, n = out_c - o0 < 16 ? out_c - o0 : 16;
    uint32_t bits = 0;
    for (l = 0; l < n; l++) {
        int32_t o = o0 + l;
        if (kind == BNN_OUT_I32)
            ((int32_t *)out_px)[o] = dot[l];
        else if (kind == BNN_OUT_F32)
            ((float *)out_px)[o] = res ? bnn_affine_out(dot[l], mul[o], add[o]) + res[o]
                                       : bnn_affine_out(dot[l], mul[o], add[o]);
        else
            bits |= bnn_thresh_bit(dot[l], thresh[o], dir[o]) << l;
    }
    if (kind == BNN_OUT_B) {
        uint32_t *w = (uint32_t *)out_px + bnn_word_of(o0);
        if (bnn_bit_of(o0) == 0)
            *w = bits;
        else
            *w |= bits << bnn_bit_of(o0);
    }
}

#if BNN_BIN_armv7em
#include <arm_acle.h>

/* popcount(v) as 8 nibble counts (each 0..4): the first two SWAR steps. */
static inline uint32_t bnn_nibble_counts(uint32_t v)
{
    v = v - ((v >> 1) & 0x55555555u);
    return (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
}

/*
 * sum_i popcount(x[i] ^ w[16*i]) for i < n, for Armv7E-M without a
 * popcount instruction: SWAR to nibble counts per word, three words'
 * nibbles summed (at most 12, no carry), one fold to bytes, and USADA8
 * adds the four bytes to the total: about 8 ALU ops per word instead of
 * a libgcc call.
 */
static inline uint32_t bnn_dot_swar(const uint32_t *x, const uint32_t *w,
                                    int32_t n)
{
    uint32_t acc = 0, s;
    int32_t i = 0;
    for (; i + 3 <= n; i += 3, w += 48) {
        s = bnn_nibble_counts(x[i] ^ w[0]) + bnn_nibble_counts(x[i + 1] ^ w[16]) +
            bnn_nibble_counts(x[i + 2] ^ w[32]);
        s = (s & 0x0F0F0F0Fu) + ((s >> 4) & 0x0F0F0F0Fu);
        acc = __usada8(s, 0, acc);
    }
    for (; i < n; i++, w += 16) {
        s = bnn_nibble_counts(x[i] ^ w[0]);
        s = (s & 0x0F0F0F0Fu) + ((s >> 4) & 0x0F0F0F0Fu);
        acc = __usada8(s, 0, acc);
    }
    return acc;
}
#endif

/* Checks the arguments every bnn_pack_*f32_b variant shares (bnn.h). */
static inline bnn_status bnn_pack_check(const bnn_channels_params *p, const float *in,
                                        const uint32_t *out)
{
    if (!p || p->pixels < 0 || p->c <= 0 || p->in_pixel_stride < p->c ||
        p->out_pixel_stride < bnn_words(p->c) || (p->pixels > 0 && (!in || !out)))
        return BNN_ARG_ERROR;
    return BNN_OK;
}

#if BNN_BIN_avx512
#include <immintrin.h>

/* Writes output channels [o0, o0 + 16) (clipped to out_c) of one output
 * pixel or row from their exact dot products d. out_px points at the
 * pixel's first element (f32/i32) or word (b). For BNN_OUT_B, o0 is a
 * multiple of 16 and the 16 bits go to half (o0/16) & 1 of word
 * bnn_word_of(o0):
 * the low half writes the whole word (high half 0), the high half is
 * OR-ed in, so blocks must be emitted in increasing order per pixel. */
BNN_ALWAYS_INLINE void bnn_emit16_avx512(bnn_out_kind kind, void *out_px,
                                         int32_t o0, int32_t out_c,
                                         __m512i d, const float *mul,
                                         const float *add,
                                         const int32_t *thresh,
                                         const uint8_t *dir, const float *res)
{
    int32_t nv = out_c - o0;
    __mmask16 m =
        (__mmask16)(nv >= 16 ? 0xFFFFu : (1u << (uint32_t)nv) - 1u);
    if (kind == BNN_OUT_I32) {
        _mm512_mask_storeu_epi32((int32_t *)out_px + o0, m, d);
    } else if (kind == BNN_OUT_F32) {
        __m512 f = _mm512_cvtepi32_ps(d);
        __m512 t = _mm512_mul_ps(f, _mm512_maskz_loadu_ps(m, mul + o0));
        t = _mm512_add_ps(t, _mm512_maskz_loadu_ps(m, add + o0));
        if (res)
            t = _mm512_add_ps(t, _mm512_maskz_loadu_ps(m, res + o0));
        _mm512_mask_storeu_ps((float *)out_px + o0, m, t);
    } else {
        __m512i th = _mm512_maskz_loadu_epi32(m, thresh + o0);
        __m512i dv = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, dir + o0));
        __mmask16 dm = _mm512_test_epi32_mask(dv, dv);
        __mmask16 lt = _mm512_cmplt_epi32_mask(d, th);
        __mmask16 gt = _mm512_cmpgt_epi32_mask(d, th);
        uint32_t bits = (uint32_t)(((lt & ~dm) | (gt & dm)) & m);
        uint32_t *w = (uint32_t *)out_px + bnn_word_of(o0);
        if (bnn_bit_of(o0) == 0)
            *w = bits;
        else
            *w |= bits << bnn_bit_of(o0);
    }
}
#endif

#if BNN_BIN_avx2
#include <immintrin.h>

/* Writes output channels [o0, o0 + 8) (clipped to out_c) of one output
 * pixel or row from their exact dot products d; o0 is a multiple of 8.
 * out_px as for bnn_emit16_avx512. For BNN_OUT_B the 8 bits go to bits
 * bnn_bit_of(o0) .. of word bnn_word_of(o0): the first byte of a word writes the whole
 * word, later ones are OR-ed in (emit in increasing o0 per pixel). */
BNN_ALWAYS_INLINE void bnn_emit8_avx2(bnn_out_kind kind, void *out_px,
                                      int32_t o0, int32_t out_c, __m256i d,
                                      const float *mul, const float *add,
                                      const int32_t *thresh,
                                      const uint8_t *dir, const float *res)
{
    uint32_t bits = 0;
    if (o0 + 8 <= out_c) {
        if (kind == BNN_OUT_I32) {
            _mm256_storeu_si256((__m256i *)(void *)((int32_t *)out_px + o0), d);
            return;
        }
        if (kind == BNN_OUT_F32) {
            __m256 t = _mm256_mul_ps(_mm256_cvtepi32_ps(d),
                                     _mm256_loadu_ps(mul + o0));
            t = _mm256_add_ps(t, _mm256_loadu_ps(add + o0));
            if (res)
                t = _mm256_add_ps(t, _mm256_loadu_ps(res + o0));
            _mm256_storeu_ps((float *)out_px + o0, t);
            return;
        }
        {
            __m256i th = _mm256_loadu_si256((const __m256i *)(const void *)(thresh + o0));
            __m256i dv = _mm256_cvtepu8_epi32(
                _mm_loadl_epi64((const __m128i *)(const void *)(dir + o0)));
            __m256i lt = _mm256_cmpgt_epi32(th, d), gt = _mm256_cmpgt_epi32(d, th);
            __m256i dm = _mm256_cmpeq_epi32(dv, _mm256_setzero_si256());
            __m256i r = _mm256_blendv_epi8(gt, lt, dm);
            bits = (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(r));
        }
    } else {
        int32_t v[8], l;
        _mm256_storeu_si256((__m256i *)(void *)v, d);
        for (l = 0; l < 8 && o0 + l < out_c; l++) {
            int32_t o = o0 + l;
            if (kind == BNN_OUT_I32)
                ((int32_t *)out_px)[o] = v[l];
            else if (kind == BNN_OUT_F32)
                ((float *)out_px)[o] = res ? bnn_affine_out(v[l], mul[o], add[o]) + res[o]
                                           : bnn_affine_out(v[l], mul[o], add[o]);
            else
                bits |= bnn_thresh_bit(v[l], thresh[o], dir[o]) << l;
        }
        if (kind != BNN_OUT_B)
            return;
    }
    {
        uint32_t *w = (uint32_t *)out_px + bnn_word_of(o0);
        if (bnn_bit_of(o0) == 0)
            *w = bits;
        else
            *w |= bits << bnn_bit_of(o0);
    }
}
#endif

#endif
