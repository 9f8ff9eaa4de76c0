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
 *
 * A second kit computes BNN_CONV_ORDER_FMA (bnn.h) with the same tile,
 * each sum starting at the bias and taking every tap with one vfmadd.
 */
#include "bnn_float_internal.h"

#if BNN_F32_avx2

#include <immintrin.h>

#if defined(__GNUC__)
#define BNN_FL_PIN_YMM(v) __asm__("" : "+x"(v))
#else
#define BNN_FL_PIN_YMM(v) ((void)0)
#endif

/* vfmadd needs FMA next to AVX2 (every AVX2 CPU but a few VIA ones):
 * without it the BNN_CONV_ORDER_FMA kit is the portable one. */
#if defined(__FMA__)
#define FC_HAVE_FMA 1
#define FC_FMADD(a, b, c) _mm256_fmadd_ps(a, b, c)
#else
#define FC_HAVE_FMA 0
#define FC_FMADD(a, b, c) (c) /* never reached: FUSED is 0 */
#endif

/* One tap of the tile: the two weight vectors (kept in registers:
 * without the pin GCC folds the loads into each of the four multiplies
 * and the tile becomes load-bound, about 45% of peak) times the input
 * value of each pixel; FUSED selects one vfmadd per product
 * (BNN_CONV_ORDER_FMA) or a rounded product then an add. */
#define FC_TAP(FUSED, w, a)                                                   \
    do {                                                                      \
        __m256 wl_ = _mm256_loadu_ps(w), wh_ = _mm256_loadu_ps((w) + 8);      \
        BNN_FL_PIN_YMM(wl_);                                                  \
        BNN_FL_PIN_YMM(wh_);                                                  \
        FC_ACC(FUSED, c0, wl_, wh_, _mm256_broadcast_ss(a));                  \
        FC_ACC(FUSED, c1, wl_, wh_, _mm256_broadcast_ss((a) + s1));           \
        FC_ACC(FUSED, c2, wl_, wh_, _mm256_broadcast_ss((a) + s2));           \
        FC_ACC(FUSED, c3, wl_, wh_, _mm256_broadcast_ss((a) + s3));           \
    } while (0)
#define FC_ACC(FUSED, C, wl, wh, xv)                                          \
    do {                                                                      \
        const __m256 x_ = (xv);                                               \
        if (FUSED) {                                                          \
            C##l = FC_FMADD(x_, wl, C##l);                                    \
            C##h = FC_FMADD(x_, wh, C##h);                                    \
        } else {                                                              \
            C##l = _mm256_add_ps(C##l, _mm256_mul_ps(wl, x_));                \
            C##h = _mm256_add_ps(C##h, _mm256_mul_ps(wh, x_));                \
        }                                                                     \
    } while (0)

/*
 * The tile of both orders. FUSED = 0: sums from 0, products rounded, bias
 * added at the end; FUSED = 1 (BNN_CONV_ORDER_FMA): sums from the bias, one
 * fused multiply-add per tap. When the weights of the taps are one run
 * (every kernel column valid, one segment per kernel row) the taps are
 * one loop whose input pointer jumps to the next kernel row, which saves
 * the short inner loop's exit at each kernel row (the 7x7 stem on 3
 * channels has 21 taps per row).
 */
BNN_FL_INLINE void fconv_body_avx2(const int FUSED, int32_t np, const bnn_conv_red *r,
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
    __m256 c0l = _mm256_setzero_ps(), c0h = c0l;
    if (FUSED && bias) {
        c0l = _mm256_loadu_ps(bias);
        c0h = _mm256_loadu_ps(bias + 8);
    }
    __m256 c1l = c0l, c1h = c0h, c2l = c0l, c2h = c0h, c3l = c0l, c3h = c0h;
    if (nseg == 1 && t->nky > 1 && t->w_ky == (ptrdiff_t)len * og) {
        const float *a = t->a, *w = t->w;
        const ptrdiff_t jump = t->a_ky - len;
        const int32_t n = t->nky * len;
        int32_t left = len; /* taps left in the current kernel row */
        for (int32_t j = 0; j < n; ++j, w += og) {
            FC_TAP(FUSED, w, a);
            --left;
            a += 1 + (left == 0 ? jump : 0);
            left = left == 0 ? len : left;
        }
    } else {
        for (int32_t ky = 0; ky < t->nky; ++ky)
            for (int32_t s = 0; s < nseg; ++s) {
                const float *a = t->a + ky * t->a_ky + s * r->kx_in;
                const float *w = t->w + ky * t->w_ky + s * r->kx_w;
                for (int32_t i = 0; i < len; ++i, ++a, w += og)
                    FC_TAP(FUSED, w, a);
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
            if (!FUSED && bias)
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

#undef FC_TAP
#undef FC_ACC
#undef FC_FMADD

static void fconv_tile_avx2(int32_t np, const bnn_conv_red *r,
                           const bnn_conv_taps *t, const float *bias,
                           int relu, float *dst, ptrdiff_t ops)
{
    fconv_body_avx2(0, np, r, t, bias, relu, dst, ops);
}

#if FC_HAVE_FMA
/* BNN_CONV_ORDER_FMA. Border pixels come one at a time and blocks of
 * fewer than 16 channels go to the portable code, whose roundings are the
 * same. */
static void fconv_tile_fma_avx2(int32_t np, const bnn_conv_red *r,
                                const bnn_conv_taps *t, const float *bias,
                                int relu, float *dst, ptrdiff_t ops)
{
    fconv_body_avx2(1, np, r, t, bias, relu, dst, ops);
}

static const bnn_conv_kit avx2_fma_kit = {fconv_tile_fma_avx2, BNN_CONV_PX, NULL, NULL, 0,
                                          NULL, 1, NULL};
#define FC_FMA_KIT (&avx2_fma_kit)
#else
#define FC_FMA_KIT NULL
#endif
static const bnn_conv_kit avx2_kit = {fconv_tile_avx2, BNN_CONV_PX, NULL, NULL, 0, NULL,
                                      0, FC_FMA_KIT};
#undef FC_FMA_KIT
#undef FC_HAVE_FMA

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
