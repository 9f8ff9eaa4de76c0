/*
 * conv2d_f32_avx512.c - register tile of the float conv2d for x86
 * AVX-512 (bnn_conv2d_f32__avx512). Compiles to nothing unless
 * BNN_FL_HAVE_AVX512.
 *
 * Same tile and same arithmetic as the portable fconv_tile in
 * src/conv2d_f32.c: 4 pixels x 16 channels in four zmm accumulators; per
 * (tap, input channel) one weight vector is loaded once and multiplied by
 * the broadcast input value of each pixel, then added (separate multiply
 * and add, as the portable code, so results are bit-identical). Written
 * with intrinsics because compilers do not reliably keep the weight
 * vector in a register when vectorising the portable loops: reloading it
 * per pixel makes the tile load-bound at about 60% of peak.
 */
#include "bnn_float_internal.h"

#if BNN_FL_HAVE_AVX512

#include <immintrin.h>

static void fconv_tile_avx512(int32_t np, const bnn_conv_red *r,
                             const bnn_conv_taps *t, const float *bias,
                             int relu, float *dst, ptrdiff_t ops)
{
    const ptrdiff_t og = r->og;
    const int32_t nseg = r->contiguous ? 1 : t->nkx;
    const int32_t len = r->contiguous ? t->nkx * r->cg : r->cg;
    /* Missing pixels repeat pixel 0; their sums are not stored. */
    const ptrdiff_t s1 = np > 1 ? t->pstep : 0;
    const ptrdiff_t s2 = np > 2 ? 2 * t->pstep : 0;
    const ptrdiff_t s3 = np > 3 ? 3 * t->pstep : 0;
    __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
    for (int32_t ky = 0; ky < t->nky; ++ky)
        for (int32_t s = 0; s < nseg; ++s) {
            const float *a0 = t->a + ky * t->a_ky + s * r->kx_in;
            const float *a1 = a0 + s1, *a2 = a0 + s2, *a3 = a0 + s3;
            const float *w = t->w + ky * t->w_ky + s * r->kx_w;
            for (int32_t i = 0; i < len; ++i, w += og) {
                const __m512 wv = _mm512_loadu_ps(w);
                c0 = _mm512_add_ps(c0, _mm512_mul_ps(wv, _mm512_set1_ps(a0[i])));
                c1 = _mm512_add_ps(c1, _mm512_mul_ps(wv, _mm512_set1_ps(a1[i])));
                c2 = _mm512_add_ps(c2, _mm512_mul_ps(wv, _mm512_set1_ps(a2[i])));
                c3 = _mm512_add_ps(c3, _mm512_mul_ps(wv, _mm512_set1_ps(a3[i])));
            }
        }
    const __m512 b = bias ? _mm512_loadu_ps(bias) : _mm512_setzero_ps();
    __m512 c[4];
    c[0] = c0;
    c[1] = c1;
    c[2] = c2;
    c[3] = c3;
    for (int32_t q = 0; q < np; ++q) {
        /* + bias only when present: x + 0.0f would turn -0.0 into +0.0. */
        __m512 v = bias ? _mm512_add_ps(c[q], b) : c[q];
        if (relu) {
            /* MXNet relu: keep x when x > 0 or x is NaN, else +0. */
            __mmask16 keep = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(),
                                                _CMP_NLE_UQ);
            v = _mm512_maskz_mov_ps(keep, v);
        }
        _mm512_storeu_ps(dst + q * ops, v);
    }
}

BNN_API bnn_status bnn_conv2d_f32__avx512(const bnn_conv2d_params *p,
                                  const float *in, float *out, void *scratch)
{
    (void)scratch;
    return bnn_conv2d_f32_run(p, in, out, fconv_tile_avx512);
}

#endif
