/*
 * conv2d_f32_avx512.c - float conv2d for x86 AVX-512
 * (bnn_conv2d_f32__avx512, bnn_conv2d_maxpool_f32__avx512). Compiles to
 * nothing unless BNN_F32_avx512.
 *
 * The same arithmetic as the portable kernel (src/conv2d_f32.c): every
 * output is its own sum over the valid taps in the order (ky, kx, ci),
 * each product rounded and then added (separate multiply and add), then
 * + bias and relu; so results are bit-identical. What this file adds is
 * the driver's kit (bnn_float_internal.h):
 *
 *   tile   8 pixels x 16 channels in eight zmm accumulators. Per (tap,
 *          input channel) one weight vector is loaded once and multiplied
 *          by the broadcast input value of each pixel. Runs of at most 4
 *          pixels use a 4-pixel body.
 *   btile  the same for tiles holding border pixels (the first and last
 *          tiles of a row when there is padding): the reduction is cut
 *          into segments over which the set of pixels whose tap is inside
 *          the image does not change; a pixel outside the segment's set
 *          adds nothing (masked add: its sum is not touched, exactly as if
 *          the tap were skipped) and reads a harmless address. Without it
 *          a border pixel costs as much as a tile of 4.
 *   tile8  8 pixels x 8 channels in ymm accumulators, for groups with 8
 *          output channels (grouped convolutions) or the last 8 of a
 *          group; border pixels one at a time (tile8_any).
 *   dw     depthwise: 16 channels per zmm (two ymm halves where 256-bit
 *          operations are faster, BNN_FL_VEC256), 8 output pixels of a
 *          row per tile; each input vector is loaded once per kernel row
 *          and multiplied into every output of the tile that uses it
 *          (ascending input x is ascending kx for each output, so the
 *          order of the sums is kept); pixels whose window leaves the
 *          image along x go one at a time over their valid taps. Sums
 *          start at 0 and take the bias last (BNN_CONV_ORDER_SUM), or
 *          start at the bias (BNN_CONV_ORDER_BIAS, dw_bias).
 *
 * and a second kit for BNN_CONV_ORDER_FMA (bnn.h), whose tile starts each
 * sum at the bias and adds every tap with one vfmadd.
 *
 * Written with intrinsics because compilers do not reliably keep the
 * weight vector in a register when vectorising the portable loops.
 */
#include "bnn_float_internal.h"

#if BNN_F32_avx512

#include <immintrin.h>
#include <string.h>

#define X5_PX 8

#if defined(__clang__)
#define X5_UNROLL _Pragma("unroll")
#define X5_UNROLL_ALL _Pragma("unroll 3")
#elif defined(__GNUC__)
#define X5_UNROLL _Pragma("GCC unroll 16")
#define X5_UNROLL_ALL _Pragma("GCC unroll 3")
#else
#define X5_UNROLL
#define X5_UNROLL_ALL
#endif

/*
 * Vector width of the 16-channel tiles. AMD Zen 4 executes 512-bit
 * operations in two 256-bit halves, and a mix of 512-bit multiplies and
 * adds reaches only about 83% of its float peak (measured), while the
 * same work in 256-bit operations (twice as many, AVX-512VL encodings,
 * 32 registers) reaches the peak. Cores with two full 512-bit units
 * (Intel server parts, Zen 5) do the opposite: 256-bit operations get
 * half their peak. The compiler's tuning tells them apart (-march=native
 * on Zen 4 tunes for znver3 with GCC 12 and clang 14, znver4 later);
 * BNN_FL_VEC256 (0 or 1) overrides it. Both widths compute exactly the
 * same operations per output channel.
 */
#if !defined(BNN_FL_VEC256)
#if defined(__tune_znver3__) || defined(__tune_znver4__) || defined(__znver3__) || \
    defined(__znver4__)
#define BNN_FL_VEC256 1
#else
#define BNN_FL_VEC256 0
#endif
#endif

#if !BNN_FL_VEC256
/* Bias, relu (MXNet's: keep x when x > 0 or NaN, else +0) and store of
 * one pixel's 16 channels. + bias only when present: x + 0.0f would turn
 * -0.0 into +0.0. */
BNN_FL_INLINE void x5_store16(__m512 y, const float *bias, int relu, float *dst)
{
    if (bias)
        y = _mm512_add_ps(y, _mm512_loadu_ps(bias));
    if (relu)
        y = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_NLE_UQ), y);
    _mm512_storeu_ps(dst, y);
}
#endif

BNN_FL_INLINE void x5_store8(__m256 y, const float *bias, int relu, float *dst)
{
    if (bias)
        y = _mm256_add_ps(y, _mm256_loadu_ps(bias));
    if (relu)
        y = _mm256_maskz_mov_ps(_mm256_cmp_ps_mask(y, _mm256_setzero_ps(), _CMP_NLE_UQ), y);
    _mm256_storeu_ps(dst, y);
}

/* ------------------------------------------------------------- tile */

#if defined(__GNUC__)
/* Keep a broadcast in a register: without it the compiler folds the
 * scalar load into every multiply that uses it (two per pixel). */
#define X5_PIN_YMM(v) __asm__("" : "+v"(v))
/* An opaque copy of a pointer: loads through it are not moved out of
 * the enclosing loop. */
#define X5_PIN_PTR(p) __asm__("" : "+r"(p))
#else
#define X5_PIN_YMM(v) ((void)0)
#define X5_PIN_PTR(p) ((void)0)
#endif

#if BNN_FL_VEC256
/*
 * NPX (4 or 8) pixels (np of them stored) x 16 channels as two ymm halves
 * each, in named variables: GCC 12 keeps arrays of vectors in memory
 * across this loop (a store per accumulator and step).
 */
#define T_ACC(Q)                                                               \
    if (Q < NPX) {                                                             \
        __m256 x_ = _mm256_broadcast_ss(a##Q + i);                             \
        X5_PIN_YMM(x_);                                                        \
        l##Q = _mm256_add_ps(l##Q, _mm256_mul_ps(wl, x_));                     \
        h##Q = _mm256_add_ps(h##Q, _mm256_mul_ps(wh, x_));                     \
    }
/* One reduction step for every pixel of the tile. */
#define T_STEP()                                                               \
    do {                                                                       \
        const __m256 wl = _mm256_loadu_ps(w), wh = _mm256_loadu_ps(w + 8);     \
        T_ACC(0)                                                               \
        T_ACC(1)                                                               \
        T_ACC(2)                                                               \
        T_ACC(3)                                                               \
        T_ACC(4)                                                               \
        T_ACC(5)                                                               \
        T_ACC(6)                                                               \
        T_ACC(7)                                                               \
    } while (0)
#define T_OUT(Q)                                                               \
    if (Q < NPX && Q < np) {                                                   \
        x5_store8(l##Q, bias, relu, dst + Q * ops);                               \
        x5_store8(h##Q, bias ? bias + 8 : NULL, relu, dst + Q * ops + 8);         \
    }
BNN_FL_INLINE void x5_tile_body(const int NPX, const int LEN, int32_t np,
                                const bnn_conv_red *r, const bnn_conv_taps *t,
                                const float *bias, int relu, float *dst, ptrdiff_t ops)
{
    const ptrdiff_t og = r->og;
    const int32_t nseg = r->contiguous ? 1 : t->nkx;
    /* LEN: the steps of a kernel row when a constant (the stem's 7 x 3),
     * which unrolls the short loop whose exit would cost a misprediction
     * per kernel row */
    const int32_t len = LEN ? LEN : r->contiguous ? t->nkx * r->cg : r->cg;
    /* missing pixels repeat pixel 0; their sums are not stored */
    const ptrdiff_t s1 = np > 1 ? t->pstep : 0, s2 = np > 2 ? 2 * t->pstep : 0;
    const ptrdiff_t s3 = np > 3 ? 3 * t->pstep : 0, s4 = np > 4 ? 4 * t->pstep : 0;
    const ptrdiff_t s5 = np > 5 ? 5 * t->pstep : 0, s6 = np > 6 ? 6 * t->pstep : 0;
    const ptrdiff_t s7 = np > 7 ? 7 * t->pstep : 0;
    __m256 l0 = _mm256_setzero_ps(), h0 = l0, l1 = l0, h1 = l0, l2 = l0, h2 = l0;
    __m256 l3 = l0, h3 = l0, l4 = l0, h4 = l0, l5 = l0, h5 = l0, l6 = l0, h6 = l0;
    __m256 l7 = l0, h7 = l0;
    for (int32_t ky = 0; ky < t->nky; ++ky)
        for (int32_t s = 0; s < nseg; ++s) {
            const float *a0 = t->a + ky * t->a_ky + s * r->kx_in;
            const float *a1 = a0 + s1, *a2 = a0 + s2, *a3 = a0 + s3;
            const float *a4 = a0 + s4, *a5 = a0 + s5, *a6 = a0 + s6, *a7 = a0 + s7;
            const float *w = t->w + ky * t->w_ky + s * r->kx_w;
            (void)a4, (void)a5, (void)a6, (void)a7;
            if (LEN) {
                X5_UNROLL_ALL
                for (int32_t i = 0; i < LEN; ++i, w += og)
                    T_STEP();
            } else {
                for (int32_t i = 0; i < len; ++i, w += og)
                    T_STEP();
            }
        }
    T_OUT(0)
    T_OUT(1)
    T_OUT(2)
    T_OUT(3)
    T_OUT(4)
    T_OUT(5)
    T_OUT(6)
    T_OUT(7)
}
#undef T_ACC
#undef T_STEP
#undef T_OUT
#else

/* NPX pixels (np of them stored) x 16 channels; NPX is a constant after
 * inlining, so c[] lives in registers. LEN as in the version above. */
BNN_FL_INLINE void x5_tile_body(const int NPX, const int LEN, int32_t np,
                                const bnn_conv_red *r, const bnn_conv_taps *t,
                                const float *bias, int relu, float *dst, ptrdiff_t ops)
{
    const ptrdiff_t og = r->og;
    const int32_t nseg = r->contiguous ? 1 : t->nkx;
    const int32_t len = LEN ? LEN : r->contiguous ? t->nkx * r->cg : r->cg;
    /* Missing pixels repeat pixel 0; their sums are not stored. */
    ptrdiff_t so[X5_PX];
    __m512 c[X5_PX];
    X5_UNROLL
    for (int q = 0; q < NPX; ++q) {
        so[q] = q < np ? q * t->pstep : 0;
        c[q] = _mm512_setzero_ps();
    }
    for (int32_t ky = 0; ky < t->nky; ++ky)
        for (int32_t s = 0; s < nseg; ++s) {
            const float *a = t->a + ky * t->a_ky + s * r->kx_in;
            const float *w = t->w + ky * t->w_ky + s * r->kx_w;
            if (LEN) {
                X5_UNROLL_ALL
                for (int32_t i = 0; i < LEN; ++i, w += og) {
                    const __m512 wv = _mm512_loadu_ps(w);
                    X5_UNROLL
                    for (int q = 0; q < NPX; ++q)
                        c[q] = _mm512_add_ps(
                            c[q], _mm512_mul_ps(wv, _mm512_set1_ps(a[so[q] + i])));
                }
            } else {
                for (int32_t i = 0; i < len; ++i, w += og) {
                    const __m512 wv = _mm512_loadu_ps(w);
                    X5_UNROLL
                    for (int q = 0; q < NPX; ++q)
                        c[q] = _mm512_add_ps(
                            c[q], _mm512_mul_ps(wv, _mm512_set1_ps(a[so[q] + i])));
                }
            }
        }
    for (int32_t q = 0; q < np; ++q)
        x5_store16(c[q], bias, relu, dst + q * ops);
}
#endif

static void fconv_tile_avx512(int32_t np, const bnn_conv_red *r,
                              const bnn_conv_taps *t, const float *bias,
                              int relu, float *dst, ptrdiff_t ops)
{
#if BNN_FL_VEC256
    if (np > 6 && r->contiguous && t->nkx * r->cg == 21)
        x5_tile_body(8, 21, np, r, t, bias, relu, dst, ops);
    else if (np > 6)
        x5_tile_body(8, 0, np, r, t, bias, relu, dst, ops);
    else if (np > 4)
        x5_tile_body(6, 0, np, r, t, bias, relu, dst, ops);
    else if (np > 2)
        x5_tile_body(4, 0, np, r, t, bias, relu, dst, ops);
    else
        x5_tile_body(2, 0, np, r, t, bias, relu, dst, ops);
#else
    if (np > 4 && r->contiguous && t->nkx * r->cg == 21)
        x5_tile_body(8, 21, np, r, t, bias, relu, dst, ops);
    else if (np > 4)
        x5_tile_body(8, 0, np, r, t, bias, relu, dst, ops);
    else
        x5_tile_body(4, 0, np, r, t, bias, relu, dst, ops);
#endif
}

/* ------------------------------------------------------------ btile */

/*
 * Border tile: up to 8 pixels x 16 channels, as two halves of 4 pixels
 * (two ymm each, named variables; 4 write masks fit the 7 mask registers
 * usable as such). The reduction of a kernel row is cut into segments
 * over which the set of pixels whose tap lies inside the image does not
 * change (the same for every kernel row); in a segment, pixel Q adds its
 * products only where mQ is set (masked add: the sum is untouched
 * otherwise, exactly as if the tap were skipped) and reads a harmless
 * address (the weights) when it is not.
 */
#define B_ACC(Q)                                                               \
    if (Q < NPX) {                                                             \
        __m256 x_ = _mm256_broadcast_ss(a##Q + i);                             \
        X5_PIN_YMM(x_);                                                           \
        l##Q = _mm256_mask_add_ps(l##Q, m##Q, l##Q, _mm256_mul_ps(wl, x_));    \
        h##Q = _mm256_mask_add_ps(h##Q, m##Q, h##Q, _mm256_mul_ps(wh, x_));    \
    }
#define B_SET(Q)                                                               \
    if (Q < NPX) {                                                             \
        const int on_ = (seg->on >> (q0 + Q)) & 1;                             \
        m##Q = on_ ? (__mmask8)0xFF : (__mmask8)0;                             \
        a##Q = on_ ? rowk + (seg->off[q0 + Q] + seg->s0) : wk;                 \
    }
#define B_OUT(Q)                                                               \
    if (Q < NPX && q0 + Q < np) {                                              \
        x5_store8(l##Q, bias, relu, dst + (q0 + Q) * ops);                        \
        x5_store8(h##Q, bias ? bias + 8 : NULL, relu, dst + (q0 + Q) * ops + 8);  \
    }

/* Segments of a tile: at most 2 * X5_PX + 1 boundaries' worth for a
 * contiguous reduction, one per kx otherwise. */
#define X5_BSEG_MAX 24

/* A segment: steps [s0, s0 + len) of a kernel row, weights from ws
 * (relative to the row's), pixel q active when bit q of `on` is set,
 * reading the row at off[q] + step. */
typedef struct {
    int32_t s0, len;
    ptrdiff_t ws;
    unsigned on;
    ptrdiff_t off[X5_PX];
} x5_bseg;

/* Pixels q0..q0+NPX-1 of the tile over every kernel row and segment
 * (NPX 4 or 8; with 8, one of the masks lives in memory: 7 mask
 * registers can serve as write masks). */
BNN_FL_INLINE void x5_btile_part(const int NPX, int32_t q0, int32_t np, const bnn_conv_red *r,
                              const bnn_conv_btaps *t, const x5_bseg *segs, int32_t nseg,
                              const float *bias, int relu, float *dst, ptrdiff_t ops)
{
    const ptrdiff_t og = r->og;
    const unsigned qmask = (NPX == 8 ? 255u : 15u) << q0;
    __m256 l0 = _mm256_setzero_ps(), h0 = l0, l1 = l0, h1 = l0, l2 = l0, h2 = l0;
    __m256 l3 = l0, h3 = l0, l4 = l0, h4 = l0, l5 = l0, h5 = l0, l6 = l0, h6 = l0;
    __m256 l7 = l0, h7 = l0;
    const float *a0 = NULL, *a1 = NULL, *a2 = NULL, *a3 = NULL, *a4 = NULL, *a5 = NULL;
    const float *a6 = NULL, *a7 = NULL;
    __mmask8 m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0, m6 = 0, m7 = 0;
    for (int32_t ky = 0; ky < t->nky; ++ky) {
        const float *rowk = t->row + ky * t->a_ky;
        const float *wk = t->w + ky * t->w_ky;
        for (int32_t k = 0; k < nseg; ++k) {
            const x5_bseg *seg = &segs[k];
            if (!(seg->on & qmask))
                continue;
            B_SET(0)
            B_SET(1)
            B_SET(2)
            B_SET(3)
            B_SET(4)
            B_SET(5)
            B_SET(6)
            B_SET(7)
            const float *w = wk + seg->ws;
            for (int32_t i = 0; i < seg->len; ++i, w += og) {
                const __m256 wl = _mm256_loadu_ps(w), wh = _mm256_loadu_ps(w + 8);
                B_ACC(0)
                B_ACC(1)
                B_ACC(2)
                B_ACC(3)
                B_ACC(4)
                B_ACC(5)
                B_ACC(6)
                B_ACC(7)
            }
        }
    }
    B_OUT(0)
    B_OUT(1)
    B_OUT(2)
    B_OUT(3)
    B_OUT(4)
    B_OUT(5)
    B_OUT(6)
    B_OUT(7)
}

/* Floats of the zero-padded copy of a border tile's input window (32 KB
 * of stack): enough for the 7x7/2 stem on 3 channels and for 3x3 kernels
 * on up to 256 channels. The copy is made for each block of 16 output
 * channels; with more input channels, copying costs more than the masked
 * tile. */
#define X5_PATCH_MAX 8192

/* Copies the nky kernel rows of a border tile's input window, ncol
 * columns from input column x0 (in_c floats each), into patch (rows
 * ncol * in_c floats apart) with zeros where it lies outside the image.
 * The columns inside the image, [j0, j1), are one span of the row; a
 * window wholly in the padding has none. */
static void x5_patch_copy(float *patch, const bnn_conv_btaps *t, int32_t x0, int32_t ncol)
{
    const ptrdiff_t C = t->in_c, rowf = (ptrdiff_t)ncol * C;
    const int32_t j0 = x0 < 0 ? (-x0 < ncol ? -x0 : ncol) : 0;
    int32_t j1 = t->in_w - x0;
    j1 = j1 > ncol ? ncol : j1 < j0 ? j0 : j1;
    for (int32_t ky = 0; ky < t->nky; ++ky) {
        const float *src = t->row + ky * t->a_ky;
        float *d = patch + ky * rowf;
        memset(d, 0, (size_t)j0 * (size_t)C * sizeof(float));
        if (j1 > j0)
            memcpy(d + (ptrdiff_t)j0 * C, src + (ptrdiff_t)(x0 + j0) * C,
                   (size_t)(j1 - j0) * (size_t)C * sizeof(float));
        memset(d + (ptrdiff_t)j1 * C, 0, (size_t)(ncol - j1) * (size_t)C * sizeof(float));
    }
}

/*
 * A border tile through the ordinary tile: the input window of its np
 * pixels (nky kernel rows, every column the pixels reach) copied with
 * zeros where it lies outside the image. Exact only with finite weights
 * (t->finite): an outside tap then adds a product +-0, which leaves the
 * sum unchanged. Returns 0 when the window does not fit X5_PATCH_MAX.
 */
static int x5_btile_patch(int32_t np, const bnn_conv_red *r, const bnn_conv_btaps *t,
                       const float *bias, int relu, float *dst, ptrdiff_t ops)
{
    float patch[X5_PATCH_MAX];
    const int32_t ncol = (np - 1) * t->sx + (t->kw - 1) * t->dx + 1;
    const ptrdiff_t C = t->in_c, rowf = (ptrdiff_t)ncol * C;
    if (rowf * t->nky > X5_PATCH_MAX)
        return 0;
    x5_patch_copy(patch, t, t->x0, ncol);
    bnn_conv_taps tp;
    tp.a = patch;
    tp.pstep = (ptrdiff_t)t->sx * C;
    tp.a_ky = rowf;
    tp.w = t->w;
    tp.w_ky = t->w_ky;
    tp.nky = t->nky;
    tp.nkx = t->kw;
    fconv_tile_avx512(np, r, &tp, bias, relu, dst, ops);
    return 1;
}

static void fconv_btile_avx512(int32_t np, const bnn_conv_red *r,
                               const bnn_conv_btaps *t, const float *bias,
                               int relu, float *dst, ptrdiff_t ops)
{
    const int32_t cg = r->cg, kwid = t->kw;
    if (t->finite && r->contiguous && x5_btile_patch(np, r, t, bias, relu, dst, ops))
        return;
    x5_bseg segs[X5_BSEG_MAX];
    int32_t nseg = 0;
    if (!r->contiguous && kwid > X5_BSEG_MAX) {
        /* wide kernels with groups or dilation: one pixel at a time */
        for (int32_t q = 0; q < np; ++q) {
            bnn_conv_taps t1;
            t1.nky = t->nky;
            t1.nkx = t->kx_hi[q] - t->kx_lo[q];
            t1.a = t->row + (ptrdiff_t)(t->x0 + q * t->sx + t->kx_lo[q] * t->dx) * t->in_c;
            t1.w = t->w + t->kx_lo[q] * r->kx_w;
            t1.pstep = 0;
            t1.a_ky = t->a_ky;
            t1.w_ky = t->w_ky;
            if (t1.nkx <= 0)
                t1.nky = t1.nkx = 0;
            fconv_tile_avx512(1, r, &t1, bias, relu, dst + q * ops, ops);
        }
        return;
    }
    if (r->contiguous) {
        /* one reduction of kwid*cg steps; boundaries at every pixel's
         * lo*cg and hi*cg */
        int32_t b[2 * X5_PX + 2], nb = 0;
        b[nb++] = 0;
        b[nb++] = kwid * cg;
        for (int32_t q = 0; q < np; ++q) {
            b[nb++] = t->kx_lo[q] * cg;
            b[nb++] = t->kx_hi[q] * cg;
        }
        for (int i = 1; i < nb; ++i) /* insertion sort, few entries */
            for (int j = i; j > 0 && b[j - 1] > b[j]; --j) {
                int32_t x = b[j];
                b[j] = b[j - 1];
                b[j - 1] = x;
            }
        for (int k = 0; k + 1 < nb; ++k) {
            x5_bseg *sg = &segs[nseg];
            sg->s0 = b[k];
            sg->len = b[k + 1] - b[k];
            sg->ws = (ptrdiff_t)b[k] * r->og;
            sg->on = 0;
            if (sg->len <= 0)
                continue;
            for (int32_t q = 0; q < X5_PX; ++q) {
                sg->off[q] = 0;
                if (q < np && t->kx_lo[q] * cg <= b[k] && b[k + 1] <= t->kx_hi[q] * cg) {
                    sg->on |= 1u << q;
                    sg->off[q] = (ptrdiff_t)(t->x0 + q * t->sx) * t->in_c;
                }
            }
            if (sg->on)
                ++nseg;
        }
    } else {
        /* one segment of cg steps per kx */
        for (int32_t kx = 0; kx < kwid; ++kx) {
            x5_bseg *sg = &segs[nseg];
            sg->s0 = 0;
            sg->len = cg;
            sg->ws = kx * r->kx_w;
            sg->on = 0;
            for (int32_t q = 0; q < X5_PX; ++q) {
                sg->off[q] = 0;
                if (q < np && t->kx_lo[q] <= kx && kx < t->kx_hi[q]) {
                    sg->on |= 1u << q;
                    sg->off[q] = (ptrdiff_t)(t->x0 + q * t->sx + kx * t->dx) * t->in_c;
                }
            }
            if (sg->on)
                ++nseg;
        }
    }
    if (np > 4)
        x5_btile_part(8, 0, np, r, t, segs, nseg, bias, relu, dst, ops);
    else
        x5_btile_part(4, 0, np, r, t, segs, nseg, bias, relu, dst, ops);
}
#undef B_ACC
#undef B_SET
#undef B_OUT

/* ------------------------------------------------------------ tile8 */

/*
 * NPX (8, 4, or 1 for a border pixel with fewer taps) pixels x 8
 * channels, one ymm each (named variables), for blocks of 8 output
 * channels. CG > 0 is the group's input channel count
 * known at compile time (4 and 8, the grouped convolutions of DenseNet
 * stems), which unrolls the per-tap loop of grouped convolutions.
 */
#define E_ACC(Q) c##Q = _mm256_add_ps(c##Q, _mm256_mul_ps(wv, _mm256_broadcast_ss(a##Q + i)))
#define E_OUT(Q)                                                               \
    if (Q < np)                                                                \
        x5_store8(c##Q, bias, relu, dst + Q * ops);
BNN_FL_INLINE void x5_tile8_body(const int NPX, const int CG, int32_t np,
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
            if (NPX == 8) {
                X5_UNROLL
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
            } else if (NPX == 4) {
                (void)a4, (void)a5, (void)a6, (void)a7;
                X5_UNROLL
                for (int32_t i = 0; i < len; ++i, w += og) {
                    const __m256 wv = _mm256_loadu_ps(w);
                    E_ACC(0);
                    E_ACC(1);
                    E_ACC(2);
                    E_ACC(3);
                }
            } else {
                (void)a1, (void)a2, (void)a3, (void)a4, (void)a5, (void)a6, (void)a7;
                for (int32_t i = 0; i < len; ++i, w += og) {
                    const __m256 wv = _mm256_loadu_ps(w);
                    E_ACC(0);
                }
            }
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

static void fconv_tile8_avx512(int32_t np, const bnn_conv_red *r,
                               const bnn_conv_taps *t, const float *bias,
                               int relu, float *dst, ptrdiff_t ops)
{
    const int grouped = !r->contiguous;
    if (grouped && r->cg == 8 && np > 4)
        x5_tile8_body(8, 8, np, r, t, bias, relu, dst, ops);
    else if (grouped && r->cg == 4 && np > 4)
        x5_tile8_body(8, 4, np, r, t, bias, relu, dst, ops);
    else if (np > 4)
        x5_tile8_body(8, 0, np, r, t, bias, relu, dst, ops);
    else if (np > 1)
        x5_tile8_body(4, 0, np, r, t, bias, relu, dst, ops);
    else /* border pixels come one at a time, with fewer taps */
        x5_tile8_body(1, 0, np, r, t, bias, relu, dst, ops);
}

/* --------------------------------------------------------------- dw */

#define X5_DW_P 8     /* output pixels per depthwise tile */
#define X5_DW_TAPS 49 /* kernel taps held per channel block (7x7) */

/*
 * Depthwise, 16 channels (two ymm halves, lane masks cml and cmh) of one
 * output row. Pixels whose kernel window lies inside the image along x
 * go X5_DW_P at a time through x5_dw_tile (named accumulators; KW, S, DIL are
 * constants after inlining); the others one at a time through x5_dw_pixel
 * over their valid taps. Sums in (ky, kx) order, then bias, relu and the
 * stores. img points at image n at channel c0, wt at the transposed
 * weights [tap][16], d at the row's first output pixel at channel c0.
 */
#if BNN_FL_VEC256
/* acc Q += x * w (both halves); Q a constant, dead cases folded away */
#define D_UPD(Q, XL, XH, WL, WH)                                               \
    switch (Q) {                                                               \
    case 0: l0 = _mm256_add_ps(l0, _mm256_mul_ps(XL, WL)); h0 = _mm256_add_ps(h0, _mm256_mul_ps(XH, WH)); break; \
    case 1: l1 = _mm256_add_ps(l1, _mm256_mul_ps(XL, WL)); h1 = _mm256_add_ps(h1, _mm256_mul_ps(XH, WH)); break; \
    case 2: l2 = _mm256_add_ps(l2, _mm256_mul_ps(XL, WL)); h2 = _mm256_add_ps(h2, _mm256_mul_ps(XH, WH)); break; \
    case 3: l3 = _mm256_add_ps(l3, _mm256_mul_ps(XL, WL)); h3 = _mm256_add_ps(h3, _mm256_mul_ps(XH, WH)); break; \
    case 4: l4 = _mm256_add_ps(l4, _mm256_mul_ps(XL, WL)); h4 = _mm256_add_ps(h4, _mm256_mul_ps(XH, WH)); break; \
    case 5: l5 = _mm256_add_ps(l5, _mm256_mul_ps(XL, WL)); h5 = _mm256_add_ps(h5, _mm256_mul_ps(XH, WH)); break; \
    case 6: l6 = _mm256_add_ps(l6, _mm256_mul_ps(XL, WL)); h6 = _mm256_add_ps(h6, _mm256_mul_ps(XH, WH)); break; \
    case 7: l7 = _mm256_add_ps(l7, _mm256_mul_ps(XL, WL)); h7 = _mm256_add_ps(h7, _mm256_mul_ps(XH, WH)); break; \
    default: break;                                                            \
    }
#define D_OUT1(v, bs, m, o)                                                    \
    do {                                                                       \
        __m256 y_ = v;                                                         \
        if (bs)                                                                \
            y_ = _mm256_add_ps(y_, _mm256_maskz_loadu_ps(m, bs));              \
        if (relu)                                                              \
            y_ = _mm256_maskz_mov_ps(                                          \
                _mm256_cmp_ps_mask(y_, _mm256_setzero_ps(), _CMP_NLE_UQ), y_); \
        _mm256_mask_storeu_ps(o, m, y_);                                       \
    } while (0)
#define D_OUT(Q)                                                               \
    if (Q < np) {                                                              \
        D_OUT1(l##Q, bias, cml, d + Q * ops);                                  \
        D_OUT1(h##Q, bias8, cmh, d + Q * ops + 8);                             \
    }

/*
 * np (1..X5_DW_P) pixels from input column ix0, all their taps inside the
 * image along x. Each input column of a kernel row is loaded once and
 * multiplied into every output of the tile that uses it: ascending input
 * x is ascending kx for each output, so every sum keeps the (ky, kx)
 * order. Columns past the last pixel are not read: the tile's columns
 * are those of its np pixels.
 */
BNN_FL_INLINE void x5_dw_tile(const int KW, const int S, const int DIL, const int FULL,
                           const bnn_conv2d_params *p, int32_t np, const float *img,
                           int32_t iy0, int32_t ix0, int32_t ky_lo, int32_t ky_hi,
                           const float (*wt)[16], __mmask8 cml, __mmask8 cmh,
                           const float *bfirst, const float *bias, float *d)
{
    const int NCOL = (X5_DW_P - 1) * S + (KW - 1) * DIL + 1;
    const ptrdiff_t C = p->in_c, ops = p->out_pixel_stride;
    const int relu = p->act == BNN_ACT_RELU;
    /* columns that exist: those of the np pixels (all when FULL) */
    const int ncol = FULL ? NCOL : (np - 1) * S + (KW - 1) * DIL + 1;
    __m256 l0 = bfirst ? _mm256_maskz_loadu_ps(cml, bfirst) : _mm256_setzero_ps();
    __m256 h0 = bfirst ? _mm256_maskz_loadu_ps(cmh, bfirst + 8) : _mm256_setzero_ps();
    __m256 l1 = l0, h1 = h0, l2 = l0, h2 = h0;
    __m256 l3 = l0, h3 = h0, l4 = l0, h4 = h0, l5 = l0, h5 = h0, l6 = l0, h6 = h0;
    __m256 l7 = l0, h7 = h0;
    for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
        const float *x = img + ((ptrdiff_t)(iy0 + ky * p->dil_h) * p->in_w + ix0) * C;
        const float *wk = wt[ky * KW];
        X5_UNROLL
        for (int j = 0; j < NCOL; ++j, x += j < ncol ? C : 0) {
            /* columns past the tile's pixels repeat the last one: their
             * products go to outputs beyond np, never stored */
            const __m256 xl = _mm256_maskz_loadu_ps(cml, x);
            const __m256 xh = _mm256_maskz_loadu_ps(cmh, x + 8);
            X5_UNROLL
            for (int kx = 0; kx < KW; ++kx) {
                const int qs = j - kx * DIL;
                if (qs < 0 || qs % S != 0 || qs / S >= X5_DW_P)
                    continue;
                const __m256 wl = _mm256_loadu_ps(wk + kx * 16);
                const __m256 wh = _mm256_loadu_ps(wk + kx * 16 + 8);
                D_UPD(qs / S, xl, xh, wl, wh)
            }
        }
    }
    const float *bias8 = bias ? bias + 8 : NULL;
    D_OUT(0)
    D_OUT(1)
    D_OUT(2)
    D_OUT(3)
    D_OUT(4)
    D_OUT(5)
    D_OUT(6)
    D_OUT(7)
}

/* One pixel with input column ix0, its valid taps kx in [kx_lo, kx_hi). */
static void x5_dw_pixel(const bnn_conv2d_params *p, const float *img, int32_t iy0,
                     int32_t ix0, int32_t ky_lo, int32_t ky_hi, int32_t kx_lo,
                     int32_t kx_hi, const float (*wt)[16], __mmask8 cml, __mmask8 cmh,
                     const float *bfirst, const float *bias, float *d)
{
    const ptrdiff_t C = p->in_c;
    const int relu = p->act == BNN_ACT_RELU;
    __m256 l0 = bfirst ? _mm256_maskz_loadu_ps(cml, bfirst) : _mm256_setzero_ps();
    __m256 h0 = bfirst ? _mm256_maskz_loadu_ps(cmh, bfirst + 8) : _mm256_setzero_ps();
    for (int32_t ky = ky_lo; ky < ky_hi; ++ky)
        for (int32_t kx = kx_lo; kx < kx_hi; ++kx) {
            const float *x = img + ((ptrdiff_t)(iy0 + ky * p->dil_h) * p->in_w + ix0 +
                                    kx * p->dil_w) * C;
            const float *w = wt[ky * p->k_w + kx];
            l0 = _mm256_add_ps(l0, _mm256_mul_ps(_mm256_maskz_loadu_ps(cml, x),
                                                 _mm256_loadu_ps(w)));
            h0 = _mm256_add_ps(h0, _mm256_mul_ps(_mm256_maskz_loadu_ps(cmh, x + 8),
                                                 _mm256_loadu_ps(w + 8)));
        }
    D_OUT1(l0, bias, cml, d);
    D_OUT1(h0, bias ? bias + 8 : NULL, cmh, d + 8);
}
#else
/*
 * Cores with two full 512-bit units: each pixel's 16 channels in one zmm
 * (half the multiplies and adds of two ymm halves), lane mask cml | cmh.
 */
/* acc Q += x * w; Q a constant, dead cases folded away */
#define D_UPD(Q, X, W)                                                         \
    switch (Q) {                                                               \
    case 0: z0 = _mm512_add_ps(z0, _mm512_mul_ps(X, W)); break;                \
    case 1: z1 = _mm512_add_ps(z1, _mm512_mul_ps(X, W)); break;                \
    case 2: z2 = _mm512_add_ps(z2, _mm512_mul_ps(X, W)); break;                \
    case 3: z3 = _mm512_add_ps(z3, _mm512_mul_ps(X, W)); break;                \
    case 4: z4 = _mm512_add_ps(z4, _mm512_mul_ps(X, W)); break;                \
    case 5: z5 = _mm512_add_ps(z5, _mm512_mul_ps(X, W)); break;                \
    case 6: z6 = _mm512_add_ps(z6, _mm512_mul_ps(X, W)); break;                \
    case 7: z7 = _mm512_add_ps(z7, _mm512_mul_ps(X, W)); break;                \
    default: break;                                                            \
    }
#define D_OUT1(v, bs, m, o)                                                    \
    do {                                                                       \
        __m512 y_ = v;                                                         \
        if (bs)                                                                \
            y_ = _mm512_add_ps(y_, _mm512_maskz_loadu_ps(m, bs));              \
        if (relu)                                                              \
            y_ = _mm512_maskz_mov_ps(                                          \
                _mm512_cmp_ps_mask(y_, _mm512_setzero_ps(), _CMP_NLE_UQ), y_); \
        _mm512_mask_storeu_ps(o, m, y_);                                       \
    } while (0)
#define D_OUT(Q)                                                               \
    if (Q < np)                                                                \
        D_OUT1(z##Q, bias, cm, d + Q * ops);

/* As the two-half version above: np (1..X5_DW_P) pixels from input
 * column ix0, every input column of a kernel row loaded once. */
BNN_FL_INLINE void x5_dw_tile(const int KW, const int S, const int DIL, const int FULL,
                           const bnn_conv2d_params *p, int32_t np, const float *img,
                           int32_t iy0, int32_t ix0, int32_t ky_lo, int32_t ky_hi,
                           const float (*wt)[16], __mmask8 cml, __mmask8 cmh,
                           const float *bfirst, const float *bias, float *d)
{
    const int NCOL = (X5_DW_P - 1) * S + (KW - 1) * DIL + 1;
    const ptrdiff_t C = p->in_c, ops = p->out_pixel_stride;
    const int relu = p->act == BNN_ACT_RELU;
    const __mmask16 cm = (__mmask16)(cml | ((unsigned)cmh << 8));
    const int ncol = FULL ? NCOL : (np - 1) * S + (KW - 1) * DIL + 1;
    __m512 z0 = bfirst ? _mm512_maskz_loadu_ps(cm, bfirst) : _mm512_setzero_ps();
    __m512 z1 = z0, z2 = z0, z3 = z0, z4 = z0, z5 = z0, z6 = z0, z7 = z0;
    for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
        const float *x = img + ((ptrdiff_t)(iy0 + ky * p->dil_h) * p->in_w + ix0) * C;
        const float *wk = wt[ky * KW];
        X5_UNROLL
        for (int j = 0; j < NCOL; ++j, x += j < ncol ? C : 0) {
            const __m512 xv = _mm512_maskz_loadu_ps(cm, x);
            X5_UNROLL
            for (int kx = 0; kx < KW; ++kx) {
                const int qs = j - kx * DIL;
                if (qs < 0 || qs % S != 0 || qs / S >= X5_DW_P)
                    continue;
                const __m512 wv = _mm512_loadu_ps(wk + kx * 16);
                D_UPD(qs / S, xv, wv)
            }
        }
    }
    D_OUT(0)
    D_OUT(1)
    D_OUT(2)
    D_OUT(3)
    D_OUT(4)
    D_OUT(5)
    D_OUT(6)
    D_OUT(7)
}

/* One pixel with input column ix0, its valid taps kx in [kx_lo, kx_hi). */
static void x5_dw_pixel(const bnn_conv2d_params *p, const float *img, int32_t iy0,
                     int32_t ix0, int32_t ky_lo, int32_t ky_hi, int32_t kx_lo,
                     int32_t kx_hi, const float (*wt)[16], __mmask8 cml, __mmask8 cmh,
                     const float *bfirst, const float *bias, float *d)
{
    const ptrdiff_t C = p->in_c;
    const int relu = p->act == BNN_ACT_RELU;
    const __mmask16 cm = (__mmask16)(cml | ((unsigned)cmh << 8));
    __m512 z0 = bfirst ? _mm512_maskz_loadu_ps(cm, bfirst) : _mm512_setzero_ps();
    for (int32_t ky = ky_lo; ky < ky_hi; ++ky)
        for (int32_t kx = kx_lo; kx < kx_hi; ++kx) {
            const float *x = img + ((ptrdiff_t)(iy0 + ky * p->dil_h) * p->in_w + ix0 +
                                    kx * p->dil_w) * C;
            z0 = _mm512_add_ps(z0, _mm512_mul_ps(_mm512_maskz_loadu_ps(cm, x),
                                                 _mm512_loadu_ps(wt[ky * p->k_w + kx])));
        }
    D_OUT1(z0, bias, cm, d);
}
#endif
#undef D_UPD
#undef D_OUT1
#undef D_OUT

/* Valid tap range [*lo, *hi) along x for input column ix0. */
static void x5_dw_xrange(const bnn_conv2d_params *p, int32_t ix0, int32_t *lo, int32_t *hi)
{
    int32_t l = 0, h = p->k_w;
    while (l < h && ix0 + l * p->dil_w < 0)
        ++l;
    while (h > l && ix0 + (h - 1) * p->dil_w >= p->in_w)
        --h;
    *lo = l;
    *hi = h;
}

#define X5_DW_CHUNK 8 /* 16-channel blocks whose weights are held at a time */

/* Lane masks, bias pointers and offset of block b of a chunk. */
typedef struct {
    __mmask8 cml, cmh;
    const float *bfirst, *bias; /* the sum's start (ORDER_BIAS), its last add */
    int32_t c0;
} x5_dw_blk;

/*
 * Output row oy of channel blocks blk[0..nbk): each tile of pixels (or
 * border pixel) is computed for every block before the next, so that
 * the blocks of an input pixel (adjacent cache lines) are read together
 * while they are in L1; a block at a time would read a row's input once
 * per block and, with 32 or more channels, miss L1 on most of it.
 */
BNN_FL_INLINE void x5_dw_row(const int KW, const int S, const int DIL,
                             const bnn_conv2d_params *p, int32_t oy, int32_t ox_lo,
                             int32_t ox_hi, const float *img, int32_t nbk,
                             const x5_dw_blk *blk, const float (*wt)[X5_DW_TAPS][16],
                             float *drow)
{
    const ptrdiff_t ops = p->out_pixel_stride;
    const int32_t iy0 = oy * p->stride_h - p->pad_h;
    int32_t ky_lo = 0, ky_hi = p->k_h;
    while (ky_lo < ky_hi && iy0 + ky_lo * p->dil_h < 0)
        ++ky_lo;
    while (ky_hi > ky_lo && iy0 + (ky_hi - 1) * p->dil_h >= p->in_h)
        --ky_hi;
    for (int32_t ox = 0; ox < p->out_w;) {
        const int32_t ix0 = ox * S - p->pad_w;
        float *d = drow + (ptrdiff_t)ox * ops;
        if (ox >= ox_lo && ox < ox_hi) {
            const int32_t np = ox_hi - ox < X5_DW_P ? ox_hi - ox : X5_DW_P;
            for (int32_t b = 0; b < nbk; ++b) {
                const x5_dw_blk *k = &blk[b];
                if (np == X5_DW_P)
                    x5_dw_tile(KW, S, DIL, 1, p, np, img + k->c0, iy0, ix0, ky_lo, ky_hi,
                               wt[b], k->cml, k->cmh, k->bfirst, k->bias, d + k->c0);
                else
                    x5_dw_tile(KW, S, DIL, 0, p, np, img + k->c0, iy0, ix0, ky_lo, ky_hi,
                               wt[b], k->cml, k->cmh, k->bfirst, k->bias, d + k->c0);
            }
            ox += np;
        } else {
            int32_t kx_lo, kx_hi;
            x5_dw_xrange(p, ix0, &kx_lo, &kx_hi);
            for (int32_t b = 0; b < nbk; ++b) {
                const x5_dw_blk *k = &blk[b];
                x5_dw_pixel(p, img + k->c0, iy0, ix0, ky_lo, ky_hi, kx_lo, kx_hi, wt[b],
                            k->cml, k->cmh, k->bfirst, k->bias, d + k->c0);
            }
            ++ox;
        }
    }
}

/*
 * Every output row of channel blocks [b0, b0 + nbk) (at most X5_DW_CHUNK).
 * wt holds the transposed weights of the chunk, [block][tap][16].
 */
BNN_FL_INLINE void x5_dw_rows(const int KW, const int S, const int DIL,
                           const bnn_conv2d_params *p, const float *img, int32_t b0,
                           int32_t nbk, const float (*wt)[X5_DW_TAPS][16], float *oimg)
{
    const ptrdiff_t ops = p->out_pixel_stride;
    const int bf = p->order == BNN_CONV_ORDER_BIAS;
    x5_dw_blk blk[X5_DW_CHUNK];
    /* output columns whose taps all lie inside the image */
    int32_t ox_lo = 0, ox_hi = p->out_w;
    while (ox_lo < ox_hi && ox_lo * S - p->pad_w < 0)
        ++ox_lo;
    while (ox_hi > ox_lo && (ox_hi - 1) * S - p->pad_w + (KW - 1) * DIL >= p->in_w)
        --ox_hi;
    for (int32_t b = 0; b < nbk; ++b) {
        const int32_t c0 = (b0 + b) * 16;
        const int32_t nb = p->in_c - c0 < 16 ? p->in_c - c0 : 16;
        const uint32_t cm = (1u << (unsigned)nb) - 1u;
        const float *bb = p->bias ? p->bias + c0 : NULL;
        blk[b].cml = (__mmask8)(cm & 0xFFu);
        blk[b].cmh = (__mmask8)(cm >> 8);
        blk[b].bfirst = bf ? bb : NULL;
        blk[b].bias = bf ? NULL : bb;
        blk[b].c0 = c0;
    }
    for (int32_t oy = 0; oy < p->out_h; ++oy)
        x5_dw_row(KW, S, DIL, p, oy, ox_lo, ox_hi, img, nbk, blk, wt,
                  oimg + (ptrdiff_t)oy * p->out_w * ops);
}

/* A chunk of blocks for the kernel's shape (constant sizes for the
 * common ones; x5_dw_shape_ok). */
static void x5_dw_chunk(const bnn_conv2d_params *p, const float *img, int32_t b0, int32_t nbk,
                     const float (*wt)[X5_DW_TAPS][16], float *oimg)
{
    const int32_t kw = p->k_w, s = p->stride_w, d = p->dil_w;
#define X5_DW_CASE(KW, S, DIL)                                                    \
    if (kw == KW && s == S && d == DIL) {                                      \
        x5_dw_rows(KW, S, DIL, p, img, b0, nbk, wt, oimg);                        \
        return;                                                                \
    }
    X5_DW_CASE(3, 1, 1)
    X5_DW_CASE(3, 2, 1)
    X5_DW_CASE(5, 1, 1)
    X5_DW_CASE(5, 2, 1)
    X5_DW_CASE(7, 1, 1)
    X5_DW_CASE(7, 2, 1)
    X5_DW_CASE(3, 1, 2)
    X5_DW_CASE(1, 1, 1)
    X5_DW_CASE(1, 2, 1)
#undef X5_DW_CASE
}

static int x5_dw_shape_ok(const bnn_conv2d_params *p)
{
    static const int32_t shapes[][3] = {{3, 1, 1}, {3, 2, 1}, {5, 1, 1}, {5, 2, 1}, {7, 1, 1},
                                        {7, 2, 1}, {3, 1, 2}, {1, 1, 1}, {1, 2, 1}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; ++i)
        if (p->k_w == shapes[i][0] && p->stride_w == shapes[i][1] &&
            p->dil_w == shapes[i][2])
            return p->k_h * p->k_w <= X5_DW_TAPS;
    return 0;
}

/* The portable depthwise kernel (conv2d_f32.c is not linked to it by
 * name: this variant has its own for the shapes it does not cover). */
static void x5_dw_generic(const bnn_conv2d_params *p, const float *in, float *out);

static void fconv_dw_avx512(const bnn_conv2d_params *p, const float *in, float *out)
{
    if (!x5_dw_shape_ok(p)) {
        x5_dw_generic(p, in, out);
        return;
    }
    const int32_t C = p->in_c, taps = p->k_h * p->k_w, nblk = (C + 15) / 16;
    const ptrdiff_t ops = p->out_pixel_stride;
    float wt[X5_DW_CHUNK][X5_DW_TAPS][16]; /* 25 KB */
    for (int32_t n = 0; n < p->n; ++n) {
        const float *img = in + (size_t)n * (size_t)p->in_h * (size_t)p->in_w * (size_t)C;
        float *oimg = out + (size_t)n * (size_t)p->out_h * (size_t)p->out_w * (size_t)ops;
        for (int32_t b0 = 0; b0 < nblk; b0 += X5_DW_CHUNK) {
            const int32_t nbk = nblk - b0 < X5_DW_CHUNK ? nblk - b0 : X5_DW_CHUNK;
            for (int32_t b = 0; b < nbk; ++b)
                for (int32_t t = 0; t < taps; ++t)
                    for (int32_t j = 0; j < 16; ++j) {
                        const int32_t c = (b0 + b) * 16 + j;
                        wt[b][t][j] = c < C ? p->weights[(size_t)c * (size_t)taps + (size_t)t]
                                            : 0.0f;
                    }
            x5_dw_chunk(p, img, b0, nbk, (const float(*)[X5_DW_TAPS][16])wt, oimg);
        }
    }
}

/* Depthwise shapes fconv_dw_avx512 does not cover: the same sums one
 * output at a time, 16 channels per vector. */
static void x5_dw_generic(const bnn_conv2d_params *p, const float *in, float *out)
{
    const int32_t C = p->in_c, taps = p->k_h * p->k_w;
    const ptrdiff_t ops = p->out_pixel_stride;
    const int relu = p->act == BNN_ACT_RELU;
    /* BNN_CONV_ORDER_BIAS: each sum starts at the bias */
    const float *bfirst = p->order == BNN_CONV_ORDER_BIAS ? p->bias : NULL;
    for (int32_t n = 0; n < p->n; ++n) {
        const float *img = in + (size_t)n * (size_t)p->in_h * (size_t)p->in_w * (size_t)C;
        float *oimg = out + (size_t)n * (size_t)p->out_h * (size_t)p->out_w * (size_t)ops;
        for (int32_t c0 = 0; c0 < C; c0 += 16) {
            const int32_t nb = C - c0 < 16 ? C - c0 : 16;
            const __mmask16 cm = (__mmask16)((1u << (unsigned)nb) - 1u);
            const __m512i widx = _mm512_mullo_epi32(
                _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                _mm512_set1_epi32(taps));
            for (int32_t oy = 0; oy < p->out_h; ++oy)
                for (int32_t ox = 0; ox < p->out_w; ++ox) {
                    __m512 acc = bfirst ? _mm512_maskz_loadu_ps(cm, bfirst + c0)
                                        : _mm512_setzero_ps();
                    for (int32_t ky = 0; ky < p->k_h; ++ky) {
                        const int32_t iy = oy * p->stride_h - p->pad_h + ky * p->dil_h;
                        if (iy < 0 || iy >= p->in_h)
                            continue;
                        for (int32_t kx = 0; kx < p->k_w; ++kx) {
                            const int32_t ix = ox * p->stride_w - p->pad_w + kx * p->dil_w;
                            if (ix < 0 || ix >= p->in_w)
                                continue;
                            const __m512 xv = _mm512_maskz_loadu_ps(
                                cm, img + ((ptrdiff_t)iy * p->in_w + ix) * C + c0);
                            const __m512 wv = _mm512_mask_i32gather_ps(
                                _mm512_setzero_ps(), cm, widx,
                                p->weights + (size_t)c0 * (size_t)taps +
                                    (size_t)(ky * p->k_w + kx),
                                4);
                            acc = _mm512_add_ps(acc, _mm512_mul_ps(xv, wv));
                        }
                    }
                    if (p->bias && !bfirst)
                        acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(cm, p->bias + c0));
                    if (relu)
                        acc = _mm512_maskz_mov_ps(
                            _mm512_cmp_ps_mask(acc, _mm512_setzero_ps(), _CMP_NLE_UQ), acc);
                    _mm512_mask_storeu_ps(oimg + ((ptrdiff_t)oy * p->out_w + ox) * ops + c0,
                                          cm, acc);
                }
        }
    }
}

/* ------------------------------------------------------- fma tile */

/*
 * BNN_CONV_ORDER_FMA: NPX pixels (np of them stored) x 16 channels, each
 * sum starting at the bias and taking every tap with one fused
 * multiply-add (vfmadd, the rounding of bnn_fmaf), then relu. The fma
 * kit has only this tile: border pixels come one at a time and blocks of
 * fewer than 16 channels go to the portable code, whose roundings are
 * the same.
 */
BNN_FL_INLINE void x5_fma_body(const int NPX, int32_t np, const bnn_conv_red *r,
                               const bnn_conv_taps *t, const float *bias, int relu,
                               float *dst, ptrdiff_t ops)
{
    const ptrdiff_t og = r->og;
    const int32_t nseg = r->contiguous ? 1 : t->nkx;
    const int32_t len = r->contiguous ? t->nkx * r->cg : r->cg;
    const __m512 b = bias ? _mm512_loadu_ps(bias) : _mm512_setzero_ps();
    /* missing pixels repeat pixel 0; their sums are not stored */
    ptrdiff_t so[X5_PX];
    __m512 c[X5_PX];
    X5_UNROLL
    for (int q = 0; q < NPX; ++q) {
        so[q] = q < np ? q * t->pstep : 0;
        c[q] = b;
    }
    for (int32_t ky = 0; ky < t->nky; ++ky)
        for (int32_t s = 0; s < nseg; ++s) {
            const float *a = t->a + ky * t->a_ky + s * r->kx_in;
            const float *w = t->w + ky * t->w_ky + s * r->kx_w;
            for (int32_t i = 0; i < len; ++i, w += og) {
                const __m512 wv = _mm512_loadu_ps(w);
                X5_UNROLL
                for (int q = 0; q < NPX; ++q)
                    c[q] = _mm512_fmadd_ps(_mm512_set1_ps(a[so[q] + i]), wv, c[q]);
            }
        }
    for (int32_t q = 0; q < np; ++q) {
        __m512 y = c[q];
        if (relu)
            y = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_NLE_UQ),
                                    y);
        _mm512_storeu_ps(dst + q * ops, y);
    }
}

static void fconv_tile_fma_avx512(int32_t np, const bnn_conv_red *r,
                                  const bnn_conv_taps *t, const float *bias, int relu,
                                  float *dst, ptrdiff_t ops)
{
    if (np > 4)
        x5_fma_body(8, np, r, t, bias, relu, dst, ops);
    else if (np > 1)
        x5_fma_body(4, np, r, t, bias, relu, dst, ops);
    else
        x5_fma_body(1, np, r, t, bias, relu, dst, ops);
}

/* ------------------------------------------------------ fma wide */

#define X5_WPX 6 /* pixels of the wide tile */
#define X5_WNB 4 /* blocks of 16 channels it holds at most */

/*
 * BNN_CONV_ORDER_FMA over NPX pixels (np of them stored) x NB blocks of
 * 16 channels: NB x NPX accumulators (24 of the 32 zmm at most). Per
 * reduction step NB weight vectors are loaded and each pixel's input
 * value is broadcast once and multiplied into all of them, so loads are
 * (NB + NPX) per NB x NPX fused multiply-adds instead of (1 + NPX) per
 * NPX: the 16-channel tile is bound by loads on cores with two 512-bit
 * FMA units. Every sum is still the bias, then every tap in (ky, kx, ci)
 * order, one vfmadd each. LEN as in x5_tile_body (the stem's 21 steps per
 * kernel row, unrolled).
 */
BNN_FL_INLINE void x5_wide_body(const int NB, const int NPX, const int LEN, int32_t np,
                                const bnn_conv_red *r, const bnn_conv_taps *t,
                                ptrdiff_t wblk, const float *bias, int relu, float *dst,
                                ptrdiff_t ops)
{
    const ptrdiff_t og = r->og;
    const int32_t nseg = r->contiguous ? 1 : t->nkx;
    const int32_t len = LEN ? LEN : r->contiguous ? t->nkx * r->cg : r->cg;
    ptrdiff_t so[X5_WPX];
    __m512 c[X5_WNB][X5_WPX];
    X5_UNROLL
    for (int q = 0; q < NPX; ++q)
        so[q] = q < np ? q * t->pstep : 0; /* missing pixels repeat pixel 0 */
    X5_UNROLL
    for (int b = 0; b < NB; ++b) {
        const __m512 bv = bias ? _mm512_loadu_ps(bias + 16 * b) : _mm512_setzero_ps();
        X5_UNROLL
        for (int q = 0; q < NPX; ++q)
            c[b][q] = bv;
    }
    for (int32_t ky = 0; ky < t->nky; ++ky)
        for (int32_t s = 0; s < nseg; ++s) {
            const float *a = t->a + ky * t->a_ky + s * r->kx_in;
            const float *w = t->w + ky * t->w_ky + s * r->kx_w;
#define W_STEP()                                                               \
    do {                                                                       \
        __m512 wv[X5_WNB];                                                     \
        X5_UNROLL                                                              \
        for (int b = 0; b < NB; ++b)                                           \
            wv[b] = _mm512_loadu_ps(w + b * wblk);                             \
        X5_UNROLL                                                              \
        for (int q = 0; q < NPX; ++q) {                                        \
            __m512 x_ = _mm512_set1_ps(a[so[q] + i]);                          \
            X5_PIN_YMM(x_);                                                    \
            X5_UNROLL                                                          \
            for (int b = 0; b < NB; ++b)                                       \
                c[b][q] = _mm512_fmadd_ps(x_, wv[b], c[b][q]);                 \
        }                                                                      \
    } while (0)
            if (LEN) {
                X5_UNROLL_ALL
                for (int32_t i = 0; i < LEN; ++i, w += og)
                    W_STEP();
            } else {
                for (int32_t i = 0; i < len; ++i, w += og)
                    W_STEP();
            }
#undef W_STEP
        }
    X5_UNROLL
    for (int q = 0; q < NPX; ++q)
        X5_UNROLL
        for (int b = 0; b < NB; ++b) {
            __m512 y = c[b][q];
            if (relu)
                y = _mm512_maskz_mov_ps(
                    _mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_NLE_UQ), y);
            if (q < np)
                _mm512_storeu_ps(dst + q * ops + 16 * b, y);
        }
}

/* np of 5 or 6 pixels take the 6-pixel body, 4, 3 and 2 their own, 1
 * the 2-pixel one (one accumulator chain per block would leave the FMA
 * units waiting on its latency) */
#define X5_WIDE_NB(NB)                                                         \
    do {                                                                       \
        if (stem)                                                              \
            x5_wide_body(NB, X5_WPX, 21, np, r, t, wblk, bias, relu, dst, ops); \
        else if (np > 4)                                                       \
            x5_wide_body(NB, X5_WPX, 0, np, r, t, wblk, bias, relu, dst, ops);  \
        else if (np == 4)                                                      \
            x5_wide_body(NB, 4, 0, np, r, t, wblk, bias, relu, dst, ops);       \
        else if (np == 3)                                                      \
            x5_wide_body(NB, 3, 0, np, r, t, wblk, bias, relu, dst, ops);       \
        else                                                                   \
            x5_wide_body(NB, 2, 0, np, r, t, wblk, bias, relu, dst, ops);       \
    } while (0)

static void fconv_wtile_fma_avx512(int32_t np, int32_t nbk, const bnn_conv_red *r,
                                   const bnn_conv_taps *t, ptrdiff_t wblk,
                                   const float *bias, int relu, float *dst, ptrdiff_t ops)
{
    const int stem = np > 4 && r->contiguous && t->nkx * r->cg == 21;
    if (nbk == 4)
        X5_WIDE_NB(4);
    else if (nbk == 3)
        X5_WIDE_NB(3);
    else
        X5_WIDE_NB(2);
}
#undef X5_WIDE_NB

/*
 * Border pixels of the wide tile: their input window copied with zeros
 * outside the image (as x5_btile_patch) and run through the wide tile,
 * as many pixels at a time as fit X5_PATCH_MAX. A tap outside the image
 * then adds fma(0, w, sum): exactly the sum when w is finite and the sum
 * is not -0. A sum is -0 only while it is still a bias of -0 (x + y
 * rounds to -0 only when both are -0), so the copy is used only with
 * finite weights and no bias of -0; otherwise, or when not even one
 * pixel's window fits, it returns 0 and the driver goes block by block.
 */
static int fconv_wbtile_fma_avx512(int32_t np, int32_t nbk, const bnn_conv_red *r,
                                   const bnn_conv_btaps *t, ptrdiff_t wblk,
                                   const float *bias, int relu, float *dst, ptrdiff_t ops)
{
    float patch[X5_PATCH_MAX];
    const ptrdiff_t C = t->in_c;
    int32_t npp = np; /* pixels per copy */
    while (npp > 0 &&
           ((ptrdiff_t)(npp - 1) * t->sx + (ptrdiff_t)(t->kw - 1) * t->dx + 1) * C * t->nky >
               X5_PATCH_MAX)
        --npp;
    if (!t->finite || !r->contiguous || npp == 0)
        return 0;
    if (bias) {
        __mmask16 neg0 = 0;
        for (int32_t b = 0; b < nbk; ++b)
            neg0 |= _mm512_cmpeq_epi32_mask(_mm512_loadu_si512(bias + 16 * b),
                                            _mm512_set1_epi32((int)0x80000000u));
        if (neg0)
            return 0;
    }
    for (int32_t q0 = 0; q0 < np; q0 += npp) {
        const int32_t nq = np - q0 < npp ? np - q0 : npp;
        const int32_t x0 = t->x0 + q0 * t->sx;
        const int32_t ncol = (nq - 1) * t->sx + (t->kw - 1) * t->dx + 1;
        const ptrdiff_t rowf = (ptrdiff_t)ncol * C;
        x5_patch_copy(patch, t, x0, ncol);
        bnn_conv_taps tp;
        tp.a = patch;
        tp.pstep = (ptrdiff_t)t->sx * C;
        tp.a_ky = rowf;
        tp.w = t->w;
        tp.w_ky = t->w_ky;
        tp.nky = t->nky;
        tp.nkx = t->kw;
        fconv_wtile_fma_avx512(nq, nbk, r, &tp, wblk, bias, relu, dst + q0 * ops, ops);
    }
    return 1;
}

static const bnn_conv_kit avx512_fma_kit = {fconv_tile_fma_avx512, X5_PX, NULL, NULL, 0,
                                            NULL, 1, NULL, 0, 0, fconv_wtile_fma_avx512,
                                            fconv_wbtile_fma_avx512, X5_WPX, X5_WNB};

static const bnn_conv_kit avx512_kit = {fconv_tile_avx512, X5_PX, fconv_btile_avx512,
                                        fconv_tile8_avx512, X5_PX, fconv_dw_avx512, 0,
                                        &avx512_fma_kit, 1, 1, NULL, NULL, 0, 0};

BNN_API bnn_status bnn_conv2d_f32__avx512(const bnn_conv2d_params *p,
                                  const float *in, float *out, void *scratch)
{
    (void)scratch;
    return bnn_conv2d_f32_run(p, in, out, &avx512_kit);
}

#undef X5_PX
#undef X5_WPX
#undef X5_WNB
#undef X5_UNROLL
#undef X5_UNROLL_ALL
#undef X5_PIN_YMM
#undef X5_PIN_PTR
#undef X5_BSEG_MAX
#undef X5_PATCH_MAX
#undef X5_DW_P
#undef X5_DW_TAPS
#undef X5_DW_CHUNK

BNN_API bnn_status bnn_conv2d_maxpool_f32__avx512(
    const bnn_conv2d_maxpool_params *p, const float *in, float *out,
    void *scratch)
{
    return bnn_conv2d_maxpool_f32_run(p, in, out, scratch, &avx512_kit);
}

BNN_API const bnn_conv_kit *bnn_conv_kit__avx512(void)
{
    return &avx512_kit;
}

#endif
