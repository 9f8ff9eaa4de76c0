/*
 * conv2d_f32_avx512.c - register tiles of the float conv2d for x86
 * AVX-512 (bnn_conv2d_f32__avx512). Compiles to nothing unless
 * BNN_F32_avx512.
 *
 * Same arithmetic as the portable fconv_tile in src/conv2d_f32.c on a
 * wider tile: 8 pixels x 16 channels in eight zmm accumulators. Per
 * (tap, input channel) one weight vector is loaded once and multiplied by
 * the broadcast input value of each pixel, then added (separate multiply
 * and add, as the portable code: every output is still summed on its own
 * in the order (ky, kx, ci), so results are bit-identical). One weight
 * load serves eight products; the portable 4-pixel shape reaches about
 * 75% of peak on the 7x7 stem, this one about 87% (scripts/bench-float).
 * Runs of at most 4 pixels (borders, row ends) use a 4-pixel body so that
 * they do not pay for 8. A 32-channel tile (two weight vectors per
 * broadcast) measured slower than this one on AVX-512 and is not used.
 *
 * Written with intrinsics because compilers do not reliably keep the
 * weight vector in a register when vectorising the portable loops.
 */
#include "bnn_float_internal.h"

#if BNN_F32_avx512

#include <immintrin.h>

#define TILE_PX 8

#if defined(__clang__)
#define TILE_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define TILE_UNROLL _Pragma("GCC unroll 16")
#else
#define TILE_UNROLL
#endif

/* NPX pixels (np of them stored) x 16 channels; NPX is a constant after
 * inlining, so c[] lives in registers. */
BNN_FL_INLINE void tile_body(const int NPX, int32_t np,
                             const bnn_conv_red *r, const bnn_conv_taps *t,
                             const float *bias, int relu, float *dst,
                             ptrdiff_t ops)
{
    const ptrdiff_t og = r->og;
    const int32_t nseg = r->contiguous ? 1 : t->nkx;
    const int32_t len = r->contiguous ? t->nkx * r->cg : r->cg;
    /* Missing pixels repeat pixel 0; their sums are not stored. */
    ptrdiff_t so[TILE_PX];
    __m512 c[TILE_PX];
    TILE_UNROLL
    for (int q = 0; q < NPX; ++q) {
        so[q] = q < np ? q * t->pstep : 0;
        c[q] = _mm512_setzero_ps();
    }
    for (int32_t ky = 0; ky < t->nky; ++ky)
        for (int32_t s = 0; s < nseg; ++s) {
            const float *a = t->a + ky * t->a_ky + s * r->kx_in;
            const float *w = t->w + ky * t->w_ky + s * r->kx_w;
            for (int32_t i = 0; i < len; ++i, w += og) {
                const __m512 wv = _mm512_loadu_ps(w);
                TILE_UNROLL
                for (int q = 0; q < NPX; ++q)
                    c[q] = _mm512_add_ps(
                        c[q], _mm512_mul_ps(wv, _mm512_set1_ps(a[so[q] + i])));
            }
        }
    const __m512 b = bias ? _mm512_loadu_ps(bias) : _mm512_setzero_ps();
    for (int32_t q = 0; q < np; ++q) {
        /* + bias only when present: x + 0.0f would turn -0.0 into +0.0. */
        __m512 y = bias ? _mm512_add_ps(c[q], b) : c[q];
        if (relu) {
            /* MXNet relu: keep x when x > 0 or x is NaN, else +0. */
            __mmask16 keep = _mm512_cmp_ps_mask(y, _mm512_setzero_ps(),
                                                _CMP_NLE_UQ);
            y = _mm512_maskz_mov_ps(keep, y);
        }
        _mm512_storeu_ps(dst + q * ops, y);
    }
}

static void fconv_tile_avx512(int32_t np, const bnn_conv_red *r,
                             const bnn_conv_taps *t, const float *bias,
                             int relu, float *dst, ptrdiff_t ops)
{
    if (np > 4)
        tile_body(8, np, r, t, bias, relu, dst, ops);
    else
        tile_body(4, np, r, t, bias, relu, dst, ops);
}

BNN_API bnn_status bnn_conv2d_f32__avx512(const bnn_conv2d_params *p,
                                  const float *in, float *out, void *scratch)
{
    (void)scratch;
    return bnn_conv2d_f32_run(p, in, out, fconv_tile_avx512, TILE_PX);
}

BNN_API bnn_status bnn_conv2d_maxpool_f32__avx512(
    const bnn_conv2d_maxpool_params *p, const float *in, float *out,
    void *scratch)
{
    return bnn_conv2d_maxpool_f32_run(p, in, out, scratch, fconv_tile_avx512,
                                      TILE_PX);
}

#endif
