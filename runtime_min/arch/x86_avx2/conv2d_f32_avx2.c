/*
 * conv2d_f32_avx2.c - register tile of the float conv2d for x86 AVX2
 * (bnn_conv2d_f32__avx2). Compiles to nothing unless BNN_F32_avx2.
 *
 * Same tile and arithmetic as the portable fconv_tile in src/conv2d_f32.c:
 * 4 pixels x 16 channels in eight ymm accumulators (two per pixel); per
 * (tap, input channel) the two weight vectors are loaded once and
 * multiplied by the broadcast input value of each pixel, then added
 * (separate multiply and add, so results are bit-identical to the
 * portable kernel). 8 accumulators + 2 weights + 1 broadcast fit in the
 * 16 ymm registers of AVX2.
 */
#include "bnn_float_internal.h"

#if BNN_F32_avx2

#include <immintrin.h>

#if defined(__GNUC__)
#define BNN_FL_PIN_YMM(v) __asm__("" : "+x"(v))
#else
#define BNN_FL_PIN_YMM(v) ((void)0)
#endif

static void fconv_tile_avx2(int32_t np, const bnn_conv_red *r,
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
    __m256 c0l = _mm256_setzero_ps(), c0h = c0l, c1l = c0l, c1h = c0l;
    __m256 c2l = c0l, c2h = c0l, c3l = c0l, c3h = c0l;
    for (int32_t ky = 0; ky < t->nky; ++ky)
        for (int32_t s = 0; s < nseg; ++s) {
            const float *a0 = t->a + ky * t->a_ky + s * r->kx_in;
            const float *a1 = a0 + s1, *a2 = a0 + s2, *a3 = a0 + s3;
            const float *w = t->w + ky * t->w_ky + s * r->kx_w;
            for (int32_t i = 0; i < len; ++i, w += og) {
                __m256 wl = _mm256_loadu_ps(w);
                __m256 wh = _mm256_loadu_ps(w + 8);
                /* Keep the weights in registers: without this GCC folds
                 * the loads into each of the four multiplies, and the
                 * tile becomes load-bound (about 45% of peak). */
                BNN_FL_PIN_YMM(wl);
                BNN_FL_PIN_YMM(wh);
                __m256 x = _mm256_broadcast_ss(a0 + i);
                c0l = _mm256_add_ps(c0l, _mm256_mul_ps(wl, x));
                c0h = _mm256_add_ps(c0h, _mm256_mul_ps(wh, x));
                x = _mm256_broadcast_ss(a1 + i);
                c1l = _mm256_add_ps(c1l, _mm256_mul_ps(wl, x));
                c1h = _mm256_add_ps(c1h, _mm256_mul_ps(wh, x));
                x = _mm256_broadcast_ss(a2 + i);
                c2l = _mm256_add_ps(c2l, _mm256_mul_ps(wl, x));
                c2h = _mm256_add_ps(c2h, _mm256_mul_ps(wh, x));
                x = _mm256_broadcast_ss(a3 + i);
                c3l = _mm256_add_ps(c3l, _mm256_mul_ps(wl, x));
                c3h = _mm256_add_ps(c3h, _mm256_mul_ps(wh, x));
            }
        }
    __m256 c[4][2];
    c[0][0] = c0l;
    c[0][1] = c0h;
    c[1][0] = c1l;
    c[1][1] = c1h;
    c[2][0] = c2l;
    c[2][1] = c2h;
    c[3][0] = c3l;
    c[3][1] = c3h;
    for (int32_t q = 0; q < np; ++q)
        for (int h = 0; h < 2; ++h) {
            __m256 v = c[q][h];
            /* + bias only when present: x + 0.0f would turn -0.0 into +0. */
            if (bias)
                v = _mm256_add_ps(v, _mm256_loadu_ps(bias + 8 * h));
            if (relu) {
                /* MXNet relu: keep x when x > 0 or x is NaN, else +0. */
                __m256 keep = _mm256_cmp_ps(v, _mm256_setzero_ps(),
                                            _CMP_NLE_UQ);
                v = _mm256_and_ps(v, keep);
            }
            _mm256_storeu_ps(dst + q * ops + 8 * h, v);
        }
}

/* BNN_CONV_ORDER_FMA goes to the portable fma kit (fma_kit NULL), which
 * compilers vectorise with FMA instructions when the target has them. */
static const bnn_conv_kit avx2_kit = {fconv_tile_avx2, BNN_CONV_PX, NULL, NULL, 0, NULL,
                                      0, NULL};

BNN_API bnn_status bnn_conv2d_f32__avx2(const bnn_conv2d_params *p, const float *in,
                                float *out, void *scratch)
{
    (void)scratch;
    return bnn_conv2d_f32_run(p, in, out, &avx2_kit);
}

BNN_API bnn_status bnn_conv2d_maxpool_f32__avx2(
    const bnn_conv2d_maxpool_params *p, const float *in, float *out,
    void *scratch)
{
    return bnn_conv2d_maxpool_f32_run(p, in, out, scratch, &avx2_kit);
}

BNN_API const bnn_conv_kit *bnn_conv_kit__avx2(void)
{
    return &avx2_kit;
}

#endif
