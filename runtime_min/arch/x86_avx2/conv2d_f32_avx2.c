/*
 * conv2d_f32_avx2.c - register tile of the float conv2d for x86 AVX2
 * (bnn_conv2d_f32__avx2). Compiles to nothing unless BNN_F32_avx2.
 *
 * Same arithmetic as the portable fconv_tile in src/conv2d_f32.c: up to
 * 6 pixels x 16 channels in ymm accumulators (two per pixel); per (tap,
 * input channel) the two weight vectors are loaded once and multiplied by
 * the broadcast input value of each pixel, then added (separate multiply
 * and add, so results are bit-identical to the portable kernel). 12
 * accumulators + 2 weights + 1 broadcast fit in the 16 ymm registers of
 * AVX2. Blocks of 8 channels (grouped convolutions) have a tile of 8
 * pixels x 8 channels.
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

#define FC_PX 6 /* output pixels per register tile */

/* vfmadd needs FMA next to AVX2 (every AVX2 CPU but a few VIA ones):
 * without it the BNN_CONV_ORDER_FMA kit is the portable one. */
#if defined(__FMA__)
#define FC_HAVE_FMA 1
#define FC_FMADD(a, b, c) _mm256_fmadd_ps(a, b, c)
#else
#define FC_HAVE_FMA 0
#define FC_FMADD(a, b, c) (c) /* never reached: FUSED is 0 */
#endif

/* Pixel Q of the tile takes one tap (named accumulators: with arrays GCC
 * keeps the sums in registers but also stores them at every tap). */
#define FC_PIX(Q)                                                             \
    if (P > Q) {                                                              \
        const __m256 x_ = _mm256_broadcast_ss(a##Q + i);                      \
        if (FUSED) {                                                          \
            l##Q = FC_FMADD(x_, wl, l##Q);                                    \
            h##Q = FC_FMADD(x_, wh, h##Q);                                    \
        } else {                                                              \
            l##Q = _mm256_add_ps(l##Q, _mm256_mul_ps(wl, x_));                \
            h##Q = _mm256_add_ps(h##Q, _mm256_mul_ps(wh, x_));                \
        }                                                                     \
    }
/* Pixel Q's output: + bias (sum order only, and only when present:
 * x + 0.0f would turn -0.0 into +0), relu as MXNet (keep x when x > 0 or
 * x is NaN, else +0), store. */
#define FC_OUT(Q)                                                             \
    if (P > Q && np > Q) {                                                    \
        __m256 v_[2];                                                         \
        v_[0] = l##Q;                                                         \
        v_[1] = h##Q;                                                         \
        for (int hh_ = 0; hh_ < 2; ++hh_) {                                   \
            __m256 v = v_[hh_];                                               \
            if (!FUSED && bias)                                               \
                v = _mm256_add_ps(v, _mm256_loadu_ps(bias + 8 * hh_));        \
            if (relu)                                                         \
                v = _mm256_and_ps(                                            \
                    v, _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_NLE_UQ));   \
            _mm256_storeu_ps(dst + Q * ops + 8 * hh_, v);                     \
        }                                                                     \
    }

/*
 * The tile of both orders: P pixels (a constant after inlining; np <= P of
 * them stored) x 16 channels in 2P accumulators. FUSED = 0: sums from 0,
 * products rounded, bias added at the end; FUSED = 1 (BNN_CONV_ORDER_FMA):
 * sums from the bias, one fused multiply-add per tap. Per tap the two
 * weight vectors are loaded once, kept in registers (without the pin GCC
 * folds the loads into each multiply and the tile becomes load-bound) and
 * multiplied by the broadcast input of each pixel; each pixel has its own
 * pointer into the segment of taps and all share one index.
 */
BNN_FL_INLINE void fconv_body_avx2(const int FUSED, const int P, int32_t np,
                                   const bnn_conv_red *r, const bnn_conv_taps *t,
                                   const float *bias, int relu, float *dst, ptrdiff_t ops)
{
    const ptrdiff_t og = r->og;
    const int32_t nseg = r->contiguous ? 1 : t->nkx;
    const int32_t len = r->contiguous ? t->nkx * r->cg : r->cg;
    /* missing pixels repeat pixel 0; their sums are not stored */
    const ptrdiff_t s1 = np > 1 ? t->pstep : 0, s2 = np > 2 ? 2 * t->pstep : 0;
    const ptrdiff_t s3 = np > 3 ? 3 * t->pstep : 0, s4 = np > 4 ? 4 * t->pstep : 0;
    const ptrdiff_t s5 = np > 5 ? 5 * t->pstep : 0;
    __m256 l0 = _mm256_setzero_ps(), h0 = l0;
    if (FUSED && bias) {
        l0 = _mm256_loadu_ps(bias);
        h0 = _mm256_loadu_ps(bias + 8);
    }
    __m256 l1 = l0, h1 = h0, l2 = l0, h2 = h0, l3 = l0, h3 = h0, l4 = l0, h4 = h0;
    __m256 l5 = l0, h5 = h0;
    for (int32_t ky = 0; ky < t->nky; ++ky)
        for (int32_t s = 0; s < nseg; ++s) {
            const float *a0 = t->a + ky * t->a_ky + s * r->kx_in;
            const float *a1 = a0 + s1, *a2 = a0 + s2, *a3 = a0 + s3, *a4 = a0 + s4;
            const float *a5 = a0 + s5;
            const float *w = t->w + ky * t->w_ky + s * r->kx_w;
            for (int32_t i = 0; i < len; ++i, w += og) {
                __m256 wl = _mm256_loadu_ps(w), wh = _mm256_loadu_ps(w + 8);
                BNN_FL_PIN_YMM(wl);
                BNN_FL_PIN_YMM(wh);
                FC_PIX(0)
                FC_PIX(1)
                FC_PIX(2)
                FC_PIX(3)
                FC_PIX(4)
                FC_PIX(5)
            }
            (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
        }
    FC_OUT(0)
    FC_OUT(1)
    FC_OUT(2)
    FC_OUT(3)
    FC_OUT(4)
    FC_OUT(5)
    (void)l1, (void)h1, (void)l2, (void)h2, (void)l3, (void)h3;
    (void)l4, (void)h4, (void)l5, (void)h5;
}

#undef FC_PIX
#undef FC_OUT

/* The body for np pixels: 6 (8 would not fit 16 ymm registers: 12
 * accumulators, 2 weights, 1 broadcast), or the smallest that holds them,
 * so that the last tile of a row and border pixels (one at a time) do not
 * cost a whole 6-pixel tile. */
BNN_FL_INLINE void fconv_tile_np(const int FUSED, int32_t np, const bnn_conv_red *r,
                                 const bnn_conv_taps *t, const float *bias, int relu,
                                 float *dst, ptrdiff_t ops)
{
    if (np > 4)
        fconv_body_avx2(FUSED, 6, np, r, t, bias, relu, dst, ops);
    else if (np > 2)
        fconv_body_avx2(FUSED, 4, np, r, t, bias, relu, dst, ops);
    else
        fconv_body_avx2(FUSED, 2, np, r, t, bias, relu, dst, ops);
}

#undef FC_FMADD

/*
 * Blocks of 8 output channels (grouped convolutions with 8 per group, and
 * the last 8 of a group): NPX (8 or 4) pixels x 8 channels, one ymm each
 * (named), in the sum order. CG > 0 is the group's input channel count
 * known at compile time (4 and 8, the grouped 3x3 convolutions of
 * DenseNet stems), which unrolls their per-tap loop of CG channels.
 * Without this tile such blocks went to the portable code one pixel at a
 * time (0.05 of the FMA peak).
 */
#define E_ACC(Q)                                                              \
    if (NPX > Q)                                                              \
        c##Q = _mm256_add_ps(c##Q, _mm256_mul_ps(wv, _mm256_broadcast_ss(a##Q + i)))
#define E_OUT(Q)                                                              \
    if (Q < np) {                                                             \
        __m256 v_ = c##Q;                                                     \
        if (bias)                                                             \
            v_ = _mm256_add_ps(v_, _mm256_loadu_ps(bias));                    \
        if (relu)                                                             \
            v_ = _mm256_and_ps(                                               \
                v_, _mm256_cmp_ps(v_, _mm256_setzero_ps(), _CMP_NLE_UQ));     \
        _mm256_storeu_ps(dst + Q * ops, v_);                                  \
    }
BNN_FL_INLINE void fconv_tile8_body(const int NPX, const int CG, int32_t np,
                                    const bnn_conv_red *r, const bnn_conv_taps *t,
                                    const float *bias, int relu, float *dst, ptrdiff_t ops)
{
    const ptrdiff_t og = r->og;
    const int32_t nseg = r->contiguous ? 1 : t->nkx;
    const int32_t len = CG ? CG : r->contiguous ? t->nkx * r->cg : r->cg;
    const ptrdiff_t s1 = np > 1 ? t->pstep : 0, s2 = np > 2 ? 2 * t->pstep : 0;
    const ptrdiff_t s3 = np > 3 ? 3 * t->pstep : 0, s4 = np > 4 ? 4 * t->pstep : 0;
    const ptrdiff_t s5 = np > 5 ? 5 * t->pstep : 0, s6 = np > 6 ? 6 * t->pstep : 0;
    const ptrdiff_t s7 = np > 7 ? 7 * t->pstep : 0;
    __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
    __m256 c6 = c0, c7 = c0;
    for (int32_t ky = 0; ky < t->nky; ++ky)
        for (int32_t s = 0; s < nseg; ++s) {
            const float *a0 = t->a + ky * t->a_ky + s * r->kx_in;
            const float *a1 = a0 + s1, *a2 = a0 + s2, *a3 = a0 + s3;
            const float *a4 = a0 + s4, *a5 = a0 + s5, *a6 = a0 + s6, *a7 = a0 + s7;
            const float *w = t->w + ky * t->w_ky + s * r->kx_w;
            for (int32_t i = 0; i < len; ++i, w += og) {
                const __m256 wv = _mm256_loadu_ps(w);
                E_ACC(0);
                E_ACC(1);
                E_ACC(2);
                E_ACC(3);
                E_ACC(4);
                E_ACC(5);
                E_ACC(6);
                E_ACC(7);
            }
            (void)a4, (void)a5, (void)a6, (void)a7;
        }
    E_OUT(0)
    E_OUT(1)
    E_OUT(2)
    E_OUT(3)
    E_OUT(4)
    E_OUT(5)
    E_OUT(6)
    E_OUT(7)
}
#undef E_ACC
#undef E_OUT

static void fconv_tile8_avx2(int32_t np, const bnn_conv_red *r, const bnn_conv_taps *t,
                             const float *bias, int relu, float *dst, ptrdiff_t ops)
{
    const int grouped = !r->contiguous;
    if (grouped && r->cg == 8 && np > 4)
        fconv_tile8_body(8, 8, np, r, t, bias, relu, dst, ops);
    else if (grouped && r->cg == 4 && np > 4)
        fconv_tile8_body(8, 4, np, r, t, bias, relu, dst, ops);
    else if (np > 4)
        fconv_tile8_body(8, 0, np, r, t, bias, relu, dst, ops);
    else
        fconv_tile8_body(4, 0, np, r, t, bias, relu, dst, ops);
}

static void fconv_tile_avx2(int32_t np, const bnn_conv_red *r,
                           const bnn_conv_taps *t, const float *bias,
                           int relu, float *dst, ptrdiff_t ops)
{
    fconv_tile_np(0, np, r, t, bias, relu, dst, ops);
}

#if FC_HAVE_FMA
/* BNN_CONV_ORDER_FMA. Border pixels come one at a time and blocks of
 * fewer than 16 channels go to the portable code, whose roundings are the
 * same. */
static void fconv_tile_fma_avx2(int32_t np, const bnn_conv_red *r,
                                const bnn_conv_taps *t, const float *bias,
                                int relu, float *dst, ptrdiff_t ops)
{
    fconv_tile_np(1, np, r, t, bias, relu, dst, ops);
}

static const bnn_conv_kit avx2_fma_kit = {fconv_tile_fma_avx2, FC_PX, NULL, NULL, 0,
                                          NULL, 1, NULL};
#define FC_FMA_KIT (&avx2_fma_kit)
#else
#define FC_FMA_KIT NULL
#endif
static const bnn_conv_kit avx2_kit = {fconv_tile_avx2, FC_PX, NULL, fconv_tile8_avx2, 8, NULL,
                                      0, FC_FMA_KIT};
#undef FC_FMA_KIT
#undef FC_HAVE_FMA
#undef FC_PX

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
