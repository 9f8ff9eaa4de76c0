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
 * pixels x 8 channels. Depthwise convolutions have a kernel of their own:
 * 8 channels x up to 8 pixels of a row; the weights of a kernel row are
 * held in registers and each input column is loaded once per kernel row
 * and multiplied into every output of the tile that uses it.
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

#if defined(__clang__)
#define FC_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define FC_UNROLL _Pragma("GCC unroll 32")
#else
#define FC_UNROLL
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
 * the last 8 of a group): NPX (8, 4, or 1 for a border pixel with fewer
 * taps) pixels x 8 channels, one ymm each
 * (named), in the sum order. CG > 0 is the group's input channel count
 * known at compile time, which unrolls the per-tap loop of CG channels:
 * for 8 (DenseNet stems' num_group 4 3x3 convolution) that is faster.
 * Unrolling 4 (their num_group 8 one) made GCC keep 32 broadcast
 * addresses and spill them: 0.22 against 0.33 of the peak as a loop.
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
                __m256 wv = _mm256_loadu_ps(w);
                BNN_FL_PIN_YMM(wv);
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
    else if (np > 4)
        fconv_tile8_body(8, 0, np, r, t, bias, relu, dst, ops);
    else if (np > 1)
        fconv_tile8_body(4, 0, np, r, t, bias, relu, dst, ops);
    else /* border pixels come one at a time, with fewer taps */
        fconv_tile8_body(1, 0, np, r, t, bias, relu, dst, ops);
}

static void fconv_tile_avx2(int32_t np, const bnn_conv_red *r,
                           const bnn_conv_taps *t, const float *bias,
                           int relu, float *dst, ptrdiff_t ops)
{
    fconv_tile_np(0, np, r, t, bias, relu, dst, ops);
}

/* --------------------------------------------------------------- dw */

#define DWA_TAPS BNN_CONV_DW_TAPS_MAX
#define DWA_CHUNK 16 /* 8-channel blocks whose weights are held at a time */

/*
 * Depthwise, in the sum orders of the portable kernel: each output is the
 * sum over its valid taps in (ky, kx) order from 0, then + bias
 * (BNN_CONV_ORDER_SUM), or from the bias (BNN_CONV_ORDER_BIAS); relu. The
 * functions below take the bias to add at the end (`bias`) and the one
 * the sums start at (`first`), each NULL when not used.
 * Blocks of 8 channels, one ymm. Pixels whose kernel window lies inside
 * the image along x go P at a time through dw_tile_avx2; the others one at
 * a time through dw_pixel_avx2 over their valid taps. The last block of a
 * channel count that is not a multiple of 8 (FULLC = 0) uses masked loads
 * and stores (vmaskmovps: masked lanes are neither read nor written); the
 * weights are transposed to [tap][8] with zeros past the last channel.
 */
#define DWA_LD(p) (FULLC ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, m))
/* + bias (only when present: x + 0.0f would turn -0.0 into +0), relu as
 * MXNet (keep x when x > 0 or NaN, else +0), store */
#define DWA_OUT1(v, o)                                                        \
    do {                                                                      \
        __m256 y_ = v;                                                        \
        if (bias)                                                             \
            y_ = _mm256_add_ps(y_, DWA_LD(bias));                             \
        if (relu)                                                             \
            y_ = _mm256_and_ps(                                               \
                y_, _mm256_cmp_ps(y_, _mm256_setzero_ps(), _CMP_NLE_UQ));     \
        if (FULLC)                                                            \
            _mm256_storeu_ps(o, y_);                                          \
        else                                                                  \
            _mm256_maskstore_ps(o, m, y_);                                    \
    } while (0)
/* acc Q += x * wk; Q a constant, dead cases folded away */
#define DWA_ACC(Q)                                                            \
    case Q:                                                                   \
        a##Q = _mm256_add_ps(a##Q, _mm256_mul_ps(x, wk));                     \
        break;
#define DWA_OUT(Q)                                                            \
    if (P > Q && np > Q)                                                      \
        DWA_OUT1(a##Q, d + Q * ops);
/* weight vector of tap kx of the current kernel row (kx a constant) */
#define DWA_W(kx)                                                             \
    ((kx) == 0 ? w0 : (kx) == 1 ? w1 : (kx) == 2 ? w2 : (kx) == 3 ? w3        \
     : (kx) == 4 ? w4 : (kx) == 5 ? w5 : w6)
#define DWA_WLD(kx)                                                           \
    if (KW > kx) {                                                            \
        w##kx = _mm256_loadu_ps(wr + kx * 8);                                 \
        BNN_FL_PIN_YMM(w##kx);                                                \
    }

/*
 * np (1..P) pixels from input column ix0, all their taps inside the image
 * along x. Per kernel row the KW weight vectors are loaded into registers
 * and every input column is loaded once and multiplied into each output
 * of the tile that uses it: ascending input x is ascending kx for each
 * output, so every sum keeps the (ky, kx) order. P accumulators + KW
 * weights + the column and a product fit the 16 ymm registers: P = 8 for
 * KW up to 5 and 6 for KW = 7 (10 for 3x3 would fit too, but GCC then
 * spilled accumulators and it was slower). Columns past the tile's np
 * pixels are not read (FULL = 0): they repeat the last one, into sums
 * that are not stored.
 */
BNN_FL_INLINE void dw_tile_avx2(const int KW, const int S, const int DIL, const int P,
                                const int FULL, const int FULLC, const bnn_conv2d_params *p,
                                int32_t np, const float *img, int32_t iy0, int32_t ix0,
                                int32_t ky_lo, int32_t ky_hi, const float (*wt)[8], __m256i m,
                                const float *bias, const float *first, float *d)
{
    const int NCOL = (P - 1) * S + (KW - 1) * DIL + 1;
    const ptrdiff_t C = p->in_c, ops = p->out_pixel_stride;
    const int relu = p->act == BNN_ACT_RELU;
    const int ncol = FULL ? NCOL : (np - 1) * S + (KW - 1) * DIL + 1;
    const __m256 z = _mm256_setzero_ps();
    __m256 a0 = first ? DWA_LD(first) : z, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    __m256 a6 = a0, a7 = a0;
    __m256 w0 = z, w1 = z, w2 = z, w3 = z, w4 = z, w5 = z, w6 = z;
    for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
        const float *xp = img + ((ptrdiff_t)(iy0 + ky * p->dil_h) * p->in_w + ix0) * C;
        const float *wr = wt[ky * KW];
        DWA_WLD(0)
        DWA_WLD(1)
        DWA_WLD(2)
        DWA_WLD(3)
        DWA_WLD(4)
        DWA_WLD(5)
        DWA_WLD(6)
        FC_UNROLL
        for (int j = 0; j < NCOL; ++j) {
            __m256 x = DWA_LD(xp);
            BNN_FL_PIN_YMM(x);
            if (j + 1 < ncol)
                xp += C;
            FC_UNROLL
            for (int kx = 0; kx < KW; ++kx) {
                const int qs = j - kx * DIL;
                if (qs < 0 || qs % S != 0 || qs / S >= P)
                    continue;
                const __m256 wk = DWA_W(kx);
                switch (qs / S) {
                    DWA_ACC(0)
                    DWA_ACC(1)
                    DWA_ACC(2)
                    DWA_ACC(3)
                    DWA_ACC(4)
                    DWA_ACC(5)
                    DWA_ACC(6)
                    DWA_ACC(7)
                default:
                    break;
                }
            }
        }
    }
    DWA_OUT(0)
    DWA_OUT(1)
    DWA_OUT(2)
    DWA_OUT(3)
    DWA_OUT(4)
    DWA_OUT(5)
    DWA_OUT(6)
    DWA_OUT(7)
    (void)w0, (void)w1, (void)w2, (void)w3, (void)w4, (void)w5, (void)w6;
}

/* One pixel with input column ix0 over its valid taps kx in [kx_lo, kx_hi)
 * (any kernel shape). */
BNN_FL_INLINE void dw_pixel_avx2(const int FULLC, const bnn_conv2d_params *p,
                                 const float *img, int32_t iy0, int32_t ix0, int32_t ky_lo,
                                 int32_t ky_hi, int32_t kx_lo, int32_t kx_hi,
                                 const float (*wt)[8], __m256i m, const float *bias,
                                 const float *first, float *d)
{
    const ptrdiff_t C = p->in_c;
    const int relu = p->act == BNN_ACT_RELU;
    __m256 acc = first ? DWA_LD(first) : _mm256_setzero_ps();
    for (int32_t ky = ky_lo; ky < ky_hi; ++ky)
        for (int32_t kx = kx_lo; kx < kx_hi; ++kx) {
            const float *x = img + ((ptrdiff_t)(iy0 + ky * p->dil_h) * p->in_w + ix0 +
                                    kx * p->dil_w) * C;
            acc = _mm256_add_ps(acc,
                                _mm256_mul_ps(DWA_LD(x), _mm256_loadu_ps(wt[ky * p->k_w + kx])));
        }
    DWA_OUT1(acc, d);
}
#undef DWA_ACC
#undef DWA_OUT
#undef DWA_OUT1
#undef DWA_LD
#undef DWA_W
#undef DWA_WLD

/*
 * Every output row of channel blocks [b0, b0 + nbk); wt holds their
 * transposed weights, [block][tap][8]. Within a row, each group of P
 * pixels (or border pixel) is computed for every block before the next:
 * the input columns it reads (P + KW - 1 per kernel row, all channels)
 * stay in L1 for all the blocks. Going along the whole row block by block
 * instead reads columns C floats apart, which for C a power of two fall
 * into a few cache sets and evict each other. KW = 0: a shape without a
 * tile, every pixel through dw_pixel_avx2.
 */
BNN_FL_INLINE void dw_rows_avx2(const int KW, const int S, const int DIL,
                                const bnn_conv2d_params *p, const float *img, int32_t b0,
                                int32_t nbk, const float (*wt)[DWA_TAPS][8], float *oimg)
{
    const int P = KW <= 5 ? 8 : 6;
    const ptrdiff_t ops = p->out_pixel_stride;
    /* output columns whose taps all lie inside the image */
    int32_t ox_lo = 0, ox_hi = p->out_w;
    while (ox_lo < ox_hi && ox_lo * p->stride_w - p->pad_w < 0)
        ++ox_lo;
    while (ox_hi > ox_lo &&
           (ox_hi - 1) * p->stride_w - p->pad_w + (p->k_w - 1) * p->dil_w >= p->in_w)
        --ox_hi;
    /* the last block may be partial: lane i is live when i < its width */
    const int32_t nlast = p->in_c - (b0 + nbk - 1) * 8 < 8 ? p->in_c - (b0 + nbk - 1) * 8 : 8;
    const __m256i mlast = _mm256_cmpgt_epi32(_mm256_set1_epi32(nlast),
                                             _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const int32_t nfull = nlast == 8 ? nbk : nbk - 1;
    const float *bias0 = p->bias ? p->bias + (ptrdiff_t)b0 * 8 : NULL;
    const float *bend = p->order == BNN_CONV_ORDER_BIAS ? NULL : bias0;
    const float *bfirst = p->order == BNN_CONV_ORDER_BIAS ? bias0 : NULL;
    const float *img0 = img + (ptrdiff_t)b0 * 8;
    for (int32_t oy = 0; oy < p->out_h; ++oy) {
        const int32_t iy0 = oy * p->stride_h - p->pad_h;
        int32_t ky_lo = 0, ky_hi = p->k_h;
        while (ky_lo < ky_hi && iy0 + ky_lo * p->dil_h < 0)
            ++ky_lo;
        while (ky_hi > ky_lo && iy0 + (ky_hi - 1) * p->dil_h >= p->in_h)
            --ky_hi;
        float *drow = oimg + (ptrdiff_t)oy * p->out_w * ops + (ptrdiff_t)b0 * 8;
        for (int32_t ox = 0; ox < p->out_w;) {
            const int32_t ix0 = ox * p->stride_w - p->pad_w;
            float *d = drow + (ptrdiff_t)ox * ops;
#define DWA_BLOCKS(CALL)                                                      \
    for (int32_t b = 0; b < nbk; ++b) {                                       \
        const float *xb = img0 + b * 8, *bb = bend ? bend + b * 8 : NULL;     \
        const float *bf = bfirst ? bfirst + b * 8 : NULL;                     \
        float *db = d + b * 8;                                                \
        if (b < nfull)                                                        \
            CALL(1, mlast);                                                   \
        else                                                                  \
            CALL(0, mlast);                                                   \
    }
            if (KW && ox >= ox_lo && ox < ox_hi) {
                const int32_t np = ox_hi - ox < P ? ox_hi - ox : P;
#define DWA_TILE_FULL(FC, M)                                                  \
    dw_tile_avx2(KW, S, DIL, P, 1, FC, p, np, xb, iy0, ix0, ky_lo, ky_hi, wt[b], M, bb, bf, db)
#define DWA_TILE_PART(FC, M)                                                  \
    dw_tile_avx2(KW, S, DIL, P, 0, FC, p, np, xb, iy0, ix0, ky_lo, ky_hi, wt[b], M, bb, bf, db)
                if (np == P)
                    DWA_BLOCKS(DWA_TILE_FULL)
                else
                    DWA_BLOCKS(DWA_TILE_PART)
                ox += np;
            } else {
                int32_t kx_lo = 0, kx_hi = p->k_w;
                while (kx_lo < kx_hi && ix0 + kx_lo * p->dil_w < 0)
                    ++kx_lo;
                while (kx_hi > kx_lo && ix0 + (kx_hi - 1) * p->dil_w >= p->in_w)
                    --kx_hi;
#define DWA_PIXEL(FC, M)                                                      \
    dw_pixel_avx2(FC, p, xb, iy0, ix0, ky_lo, ky_hi, kx_lo, kx_hi, wt[b], M, bb, bf, db)
                DWA_BLOCKS(DWA_PIXEL)
                ++ox;
            }
#undef DWA_BLOCKS
#undef DWA_TILE_FULL
#undef DWA_TILE_PART
#undef DWA_PIXEL
        }
    }
}

/* A chunk of blocks, with the tile of the kernel's shape when it has one. */
static void dw_chunk_avx2(const bnn_conv2d_params *p, const float *img, int32_t b0,
                          int32_t nbk, const float (*wt)[DWA_TAPS][8], float *oimg)
{
    const int32_t kw = p->k_w, s = p->stride_w, d = p->dil_w;
#define DWA_CASE(KW, S, DIL)                                                  \
    if (kw == KW && s == S && d == DIL) {                                     \
        dw_rows_avx2(KW, S, DIL, p, img, b0, nbk, wt, oimg);                  \
        return;                                                               \
    }
    DWA_CASE(3, 1, 1)
    DWA_CASE(3, 2, 1)
    DWA_CASE(5, 1, 1)
    DWA_CASE(5, 2, 1)
    DWA_CASE(7, 1, 1)
    DWA_CASE(7, 2, 1)
    DWA_CASE(3, 1, 2)
#undef DWA_CASE
    dw_rows_avx2(0, 1, 1, p, img, b0, nbk, wt, oimg);
}

/* The kit's depthwise kernel (BNN_CONV_ORDER_SUM or BNN_CONV_ORDER_BIAS,
 * at most DWA_TAPS taps: bnn_conv2d_f32_run checks both). */
static void fconv_dw_avx2(const bnn_conv2d_params *p, const float *in, float *out)
{
    const int32_t C = p->in_c, taps = p->k_h * p->k_w, nblk = (C + 7) / 8;
    const ptrdiff_t ops = p->out_pixel_stride;
    float wt[DWA_CHUNK][DWA_TAPS][8]; /* 25 KB */
    for (int32_t n = 0; n < p->n; ++n) {
        const float *img = in + (size_t)n * (size_t)p->in_h * (size_t)p->in_w * (size_t)C;
        float *oimg = out + (size_t)n * (size_t)p->out_h * (size_t)p->out_w * (size_t)ops;
        for (int32_t b0 = 0; b0 < nblk; b0 += DWA_CHUNK) {
            const int32_t nbk = nblk - b0 < DWA_CHUNK ? nblk - b0 : DWA_CHUNK;
            for (int32_t b = 0; b < nbk; ++b)
                for (int32_t t = 0; t < taps; ++t)
                    for (int32_t j = 0; j < 8; ++j) {
                        const int32_t c = (b0 + b) * 8 + j;
                        wt[b][t][j] = c < C ? p->weights[(size_t)c * (size_t)taps + (size_t)t]
                                            : 0.0f;
                    }
            dw_chunk_avx2(p, img, b0, nbk, (const float(*)[DWA_TAPS][8])wt, oimg);
        }
    }
}
#undef DWA_TAPS
#undef DWA_CHUNK

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
                                          NULL, 1, NULL, 0, 0, NULL, NULL, 0, 0};
#define FC_FMA_KIT (&avx2_fma_kit)
#else
#define FC_FMA_KIT NULL
#endif
static const bnn_conv_kit avx2_kit = {fconv_tile_avx2, FC_PX, NULL, fconv_tile8_avx2, 8,
                                      fconv_dw_avx2, 0, FC_FMA_KIT, 1, 1, NULL, NULL, 0, 0};
#undef FC_FMA_KIT
#undef FC_HAVE_FMA
#undef FC_PX
#undef FC_UNROLL

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
