/*
 * bnn_float_internal.h - small helpers shared by the float kernel files of
 * runtime_min. Everything is static inline so that every kernel file stays
 * self-contained when the compiler's --standalone mode copies it into a
 * generated C file.
 */
#ifndef BNN_FLOAT_INTERNAL_H
#define BNN_FLOAT_INTERNAL_H

#include "bnn.h"
#include "bnn_variants.h"

#include <float.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Force inlining of the register-tile helpers: they take their tile sizes
 * as arguments and only become fixed-size, vectorisable loops once the
 * constants are propagated into them. */
#if defined(__GNUC__)
#define BNN_FL_INLINE static inline __attribute__((always_inline))
#else
#define BNN_FL_INLINE static inline
#endif

/* ------------------------------------------------------------------------
 * Float conv2d variants. conv2d_f32.c holds the portable kernel (the
 * oracle, bnn_conv2d_f32__portable) and the driver that walks output
 * rows, channel blocks and borders; an ISA variant only supplies the
 * register tile (CONV_PX pixels x CONV_OB channels) and calls the driver
 * with it. bnn_conv2d_f32 calls the best variant compiled in (family F32
 * of bnn_variants.h, which also declares every variant). Every variant
 * performs the same roundings in the same order, so all give
 * bit-identical results.
 * ------------------------------------------------------------------------ */
#define BNN_CONV_PX 4     /* output pixels per portable register tile */
#define BNN_CONV_PX_MAX 8 /* most output pixels any variant's tile takes */
#define BNN_CONV_OB 16    /* output channels per register tile */

/* Reduction layout shared by every tile of one convolution. */
typedef struct {
    int32_t og;         /* output channels per group (weight row length) */
    int32_t cg;         /* input channels per group */
    int32_t contiguous; /* 1: the taps of one kernel row are one segment */
    ptrdiff_t kx_in;    /* input offset between taps kx and kx+1 */
    ptrdiff_t kx_w;     /* weight offset between taps kx and kx+1 */
} bnn_conv_red;

/* Where the taps of one tile live. `a` points at the input element of
 * (pixel 0, first valid ky, first valid kx, group channel 0); pixels are
 * `pstep` floats apart and kernel rows `a_ky`. `w` points at the weights
 * of (first valid ky, first valid kx, ci 0, first channel of the tile);
 * kernel rows are `w_ky` floats apart. nky x nkx taps are valid (both 0
 * when none is). */
typedef struct {
    const float *a;
    ptrdiff_t pstep, a_ky;
    const float *w;
    ptrdiff_t w_ky;
    int32_t nky, nkx;
} bnn_conv_taps;

/*
 * A register tile: np (1..px) consecutive output pixels x BNN_CONV_OB
 * output channels, px being the tile width the variant gave the driver.
 * Sums the valid taps in the order (ky, kx, ci), each product rounded
 * then added to a sum starting at 0,
 * then adds bias[j] (when bias is not NULL), applies relu (when relu),
 * and stores channel j of pixel q to dst[q*ops + j].
 */
typedef void (*bnn_conv_tile_fn)(int32_t np, const bnn_conv_red *r,
                                 const bnn_conv_taps *t,
                                 const float *bias, int relu, float *dst,
                                 ptrdiff_t ops);

/* Where the taps of a border tile live: pixels whose kernel windows are
 * partly outside the image along x. `row` points at the input element
 * of (first valid ky, x 0, group channel 0), kernel rows `a_ky` floats
 * apart, pixels `in_c` floats apart; tap kx of pixel q reads input x
 * x0 + q*sx + kx*dx, which lies inside the image exactly for kx in
 * [kx_lo[q], kx_hi[q]) (possibly empty). `w` points at the weights of
 * (first valid ky, kx 0, ci 0, first channel of the tile), kernel rows
 * `w_ky` floats apart; nky kernel rows are valid; kw is k_w, in_w the
 * image width. */
typedef struct {
    const float *row;
    ptrdiff_t a_ky, in_c;
    const float *w;
    ptrdiff_t w_ky;
    int32_t nky, kw, x0, sx, dx, in_w;
    int32_t kx_lo[BNN_CONV_PX_MAX], kx_hi[BNN_CONV_PX_MAX];
    /* 1 when every weight of the convolution is finite: then a tap
     * outside the image may be computed as a product with 0 instead of
     * being skipped (a sum that starts at +0 is never -0, so adding +-0
     * leaves it unchanged), which a NaN or infinite weight would not
     * allow (0 * inf is NaN) */
    int finite;
} bnn_conv_btaps;

/* A border tile: as bnn_conv_tile_fn for np (1..px) consecutive output
 * pixels of which some have taps outside the image, each pixel summing
 * only its valid taps, in the same order. */
typedef void (*bnn_conv_btile_fn)(int32_t np, const bnn_conv_red *r,
                                  const bnn_conv_btaps *t, const float *bias,
                                  int relu, float *dst, ptrdiff_t ops);

/* A wide tile: as bnn_conv_tile_fn for np (1..wpx) interior pixels and
 * nbk (2..wnb) consecutive full blocks of 16 output channels at once;
 * block b's weights are at t->w + b * wblk, its bias at bias + 16 * b
 * and its outputs at dst + 16 * b. Holding several blocks per pixel lets
 * one broadcast input value feed nbk vectors of weights. */
typedef void (*bnn_conv_wtile_fn)(int32_t np, int32_t nbk, const bnn_conv_red *r,
                                  const bnn_conv_taps *t, ptrdiff_t wblk,
                                  const float *bias, int relu, float *dst,
                                  ptrdiff_t ops);

/* The wide tile of np (1..wpx) pixels of which some are border pixels;
 * returns 0 when it cannot compute them exactly (the driver then takes
 * them block by block). */
typedef int (*bnn_conv_wbtile_fn)(int32_t np, int32_t nbk, const bnn_conv_red *r,
                                  const bnn_conv_btaps *t, ptrdiff_t wblk,
                                  const float *bias, int relu, float *dst,
                                  ptrdiff_t ops);

/* A whole depthwise convolution (one input and one output channel per
 * group), checked arguments, BNN_CONV_ORDER_SUM (or BNN_CONV_ORDER_BIAS
 * when the kit's dw_bias) and at most BNN_CONV_DW_TAPS_MAX taps (larger
 * kernels take the portable one): as conv2d_f32.c's portable one, the
 * taps of each output in (ky, kx) order. */
#define BNN_CONV_DW_TAPS_MAX 49
typedef void (*bnn_conv_dw_fn)(const bnn_conv2d_params *p, const float *in,
                               float *out);

/*
 * fmaf(a, b, c) from double arithmetic: a * b + c with a single rounding
 * to float. a * b is exact in double (24 + 24 bits); s = a*b + c is
 * rounded to double and its error e found exactly (two-sum); when s is
 * inexact and its last bit is 0, s moves one double ulp towards the exact
 * value (rounding to odd), so that rounding s to float, 29 bits coarser,
 * rounds the exact value once. Infinities and NaNs go through unchanged.
 */
static inline float bnn_fmaf_soft(float a, float b, float c)
{
    const double p = (double)a * (double)b, z = (double)c;
    double s = p + z;
    const double v = s - p;
    const double e = (p - (s - v)) + (z - v);
    if (e != 0.0 && s - s == 0.0) {
        uint64_t u;
        memcpy(&u, &s, sizeof u);
        if (!(u & 1u)) {
            /* one ulp away from 0 when e has s's sign, else towards it */
            if ((e > 0.0) == (s > 0.0))
                ++u;
            else
                --u;
            memcpy(&s, &u, sizeof s);
        }
    }
    return (float)s;
}

/* a * b + c with a single rounding, the step of BNN_CONV_ORDER_FMA: the
 * fused multiply-add instruction when the target has one (the compiler
 * then defines __FP_FAST_FMAF, and can vectorise it), else
 * bnn_fmaf_soft, which gives the same result. */
static inline float bnn_fmaf(float a, float b, float c)
{
#if defined(__FP_FAST_FMAF)
    return __builtin_fmaf(a, b, c);
#else
    return bnn_fmaf_soft(a, b, c);
#endif
}

/*
 * What a variant gives the conv2d driver. `tile` (px pixels, 1..
 * BNN_CONV_PX_MAX) is required; the others may be NULL, and the driver
 * then uses the portable code for that case:
 *   btile     border pixels of full 16-channel blocks, up to px at a
 *             time (without it, border pixels go one at a time to tile);
 *   tile8     interior pixels, up to px8 (1..BNN_CONV_PX_MAX) at a time,
 *             of an 8-channel block (a group with 8 output channels, or
 *             the last 8 of a group with 16k + 8), as tile with
 *             BNN_CONV_OB read as 8;
 *   dw        depthwise convolutions;
 *   tile8_any 1 when tile8 also takes one border pixel at a time (np = 1,
 *             any range of valid taps); 0: those go to the portable code.
 *   dw_bias   1 when dw also computes BNN_CONV_ORDER_BIAS (each sum starts
 *             at the bias); 0: that order goes to the portable code.
 * fma is 1 in a kit whose tiles compute BNN_CONV_ORDER_FMA: each sum
 * starts at bias[j] (0 when bias is NULL), every tap is one fused
 * multiply-add (bnn_fmaf's result), and the store applies only relu.
 * fma_kit, in a kit of the other order, is the variant's kit for
 * convolutions that ask for BNN_CONV_ORDER_FMA (NULL: the portable one).
 *   wtile     with wpx (1..BNN_CONV_PX_MAX) and wnb (2..BNN_CONV_WNB_MAX):
 *             interior pixels of 2..wnb full blocks at once (see
 *             bnn_conv_wtile_fn); NULL: block by block;
 *   wbtile    the same for tiles holding border pixels (NULL: those go
 *             block by block).
 */
#define BNN_CONV_WNB_MAX 4
/* 1 when a compiled-in variant has a wide tile: the driver's wide path
 * (and its stack) exists only then. */
#define BNN_CONV_HAVE_WIDE BNN_F32_avx512
typedef struct bnn_conv_kit {
    bnn_conv_tile_fn tile;
    int32_t px;
    bnn_conv_btile_fn btile;
    bnn_conv_tile_fn tile8;
    int32_t px8;
    bnn_conv_dw_fn dw;
    int fma;
    const struct bnn_conv_kit *fma_kit;
    int tile8_any;
    int dw_bias;
    bnn_conv_wtile_fn wtile;
    bnn_conv_wbtile_fn wbtile;
    int32_t wpx, wnb;
} bnn_conv_kit;

/* The conv2d driver (conv2d_f32.c): checks arguments, then computes the
 * whole convolution with the variant's kit. */
BNN_API bnn_status bnn_conv2d_f32_run(const bnn_conv2d_params *p, const float *in,
                              float *out, const bnn_conv_kit *kit);

/* The convolution + max pooling driver: as bnn_conv2d_f32_run for the
 * convolution, whose rows go through a ring in scratch into the pooling
 * (bnn_conv2d_maxpool_f32 in bnn.h). */
BNN_API bnn_status bnn_conv2d_maxpool_f32_run(
    const bnn_conv2d_maxpool_params *mp, const float *in, float *out,
    void *scratch, const bnn_conv_kit *kit);

/* A convolution computed one output row at a time (conv2d_f32.c): the
 * reduction, the interior columns and whether the weights are finite,
 * set once by bnn_conv_rows_init (0 for bad arguments or a depthwise
 * convolution, which does not go row by row). bnn_conv_row writes output
 * row oy of the image at in_img (out_c floats per pixel, out_w pixels) to
 * dst, exactly as bnn_conv2d_f32_run would. */
typedef struct {
    bnn_conv_red r;
    int32_t ox_lo, ox_hi;
    int finite;
} bnn_conv_rows;

BNN_API int bnn_conv_rows_init(const bnn_conv2d_params *p, const float *in,
                               const bnn_conv_kit *kit, bnn_conv_rows *st);
BNN_API void bnn_conv_row(const bnn_conv2d_params *p, const bnn_conv_rows *st,
                          const bnn_conv_kit *kit, const float *in_img, int32_t oy,
                          float *dst);

/* The register tiles of the portable conv2d and of each compiled-in
 * variant (conv2d_f32.c, arch/<isa>/conv2d_f32_<isa>.c). */
BNN_API const bnn_conv_kit *bnn_conv_kit__portable(void);
#if BNN_F32_avx2
BNN_API const bnn_conv_kit *bnn_conv_kit__avx2(void);
#endif
#if BNN_F32_avx512
BNN_API const bnn_conv_kit *bnn_conv_kit__avx512(void);
#endif

/* The streamed convolution to bits: as bnn_conv2d_f32_run for the
 * convolution (bnn_conv2d_pack_f32_b in bnn.h). */
BNN_API bnn_status bnn_conv2d_pack_f32_b_run(const bnn_conv2d_pack_params *mp,
                                             const float *in, uint32_t *out,
                                             void *scratch, const bnn_conv_kit *kit);

/* ------------------------------------------------------------------------
 * Float dense variants. dense_f32.c holds the portable row block and the
 * driver (bnn_dense_f32_run) that walks blocks of output rows and the
 * batch; an ISA variant supplies only the row block. All variants sum in
 * the same order (see dense_f32.c), so all give bit-identical results.
 * ------------------------------------------------------------------------ */
#define BNN_DENSE_LANES 16 /* partial sums per output row */

/* nr (1..block) consecutive outputs for one input row x:
 * out[r] = act(dot(x, w + r*k) + bias[r]), bias NULL meaning none. The
 * next block holds next_nr rows (0 for none), whose weights start at
 * w + nr*k: a variant may prefetch them. */
typedef void (*bnn_dense_rows_fn)(int32_t nr, int32_t next_nr, int32_t k,
                                  const float *x, const float *w,
                                  const float *bias, int relu, float *out);

/* The end of one output: the folded partial sums `v` of the whole chunks
 * (elements below kk), then x[i]*w[i] for kk <= i < k in order, then
 * + bias[r] when bias is not NULL. */
static inline float bnn_dense_tail(float v, int32_t kk, int32_t k,
                                   const float *x, const float *w,
                                   const float *bias, int32_t r)
{
    for (int32_t i = kk; i < k; ++i)
        v += x[i] * w[i];
    if (bias)
        v += bias[r];
    return v;
}

BNN_API bnn_status bnn_dense_f32_run(const bnn_dense_params *p, const float *in,
                             float *out, bnn_dense_rows_fn rows,
                             int32_t block);

/* Pooling window of output o along one axis, MXNet semantics: start =
 * o*s - pad, end = min(start + k, in + pad); *lo, *hi: the window clipped
 * to [0, in) (empty when *hi == *lo). Returns end - start, the divisor
 * length before clipping. */
static inline int32_t bnn_fl_pool_window(int32_t o, int32_t k, int32_t s,
                                         int32_t pad, int32_t in,
                                         int32_t *lo, int32_t *hi)
{
    int32_t start = o * s - pad;
    int32_t end = start + k < in + pad ? start + k : in + pad;
    int32_t len = end - start;
    *lo = start < 0 ? 0 : start;
    *hi = end > in ? in : end;
    if (*hi < *lo)
        *hi = *lo;
    return len;
}

/* Is `out` a valid pooled extent of `in` with window k, stride s and
 * padding pad, under the `valid` (floor) or the `full` (ceil) convention? */
static inline int bnn_fl_pool_dim_ok(int32_t in, int32_t out, int32_t k,
                                     int32_t s, int32_t pad)
{
    if (in <= 0 || out <= 0 || k <= 0 || s <= 0 || pad < 0)
        return 0;
    int64_t span = (int64_t)in + 2 * (int64_t)pad - k;
    if (span < 0)
        return 0;
    int64_t lo = span / s + 1, hi = (span + s - 1) / s + 1;
    return out == lo || out == hi;
}

/* Max pooling over part of a window, c channels: for the nrows rows at
 * base + r*row_stride (r < nrows) and columns x0 <= x < x1, in that order,
 * dst[j] = v when v > dst[j] for v = row[x*c + j]. Start dst at -FLT_MAX
 * (the value of an empty window, as in MXNet); a NaN never replaces the
 * current maximum, as in MXNet's CPU pooling. Channels go in blocks of
 * BNN_FL_POOL_CB held in registers across the window, a shape compilers
 * vectorise even at -O2. */
#define BNN_FL_POOL_CB 16
/* GCC -O3 unrolls the 16-channel loop into scalar code before it
 * vectorises it; kept as a loop it becomes one vector max per tap. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 8
#define BNN_FL_NO_UNROLL _Pragma("GCC unroll 1")
#else
#define BNN_FL_NO_UNROLL
#endif
static inline void bnn_fl_max_rows(const float *base, ptrdiff_t row_stride,
                                   int32_t nrows, int32_t x0, int32_t x1,
                                   int32_t c, float *restrict dst)
{
    int32_t j = 0;
    for (; j + BNN_FL_POOL_CB <= c; j += BNN_FL_POOL_CB) {
        float m[BNN_FL_POOL_CB];
        /* copies, not loops: GCC assembles the array element by element
         * from a loop, then reloads it whole (a stalled store forward) */
        memcpy(m, dst + j, sizeof m);
        for (int32_t r = 0; r < nrows; ++r)
            for (int32_t x = x0; x < x1; ++x) {
                const float *restrict src =
                    base + r * row_stride + (ptrdiff_t)x * c + j;
                BNN_FL_NO_UNROLL
                for (int k = 0; k < BNN_FL_POOL_CB; ++k)
                    m[k] = src[k] > m[k] ? src[k] : m[k];
            }
        memcpy(dst + j, m, sizeof m);
    }
    for (; j < c; ++j) {
        float m = dst[j];
        for (int32_t r = 0; r < nrows; ++r)
            for (int32_t x = x0; x < x1; ++x) {
                const float v = base[r * row_stride + (ptrdiff_t)x * c + j];
                m = v > m ? v : m;
            }
        dst[j] = m;
    }
}

/* MXNet's relu: NaN propagates, everything not > 0 (including -0.0)
 * becomes +0. */
static inline float bnn_fl_relu(float x)
{
    return (x > 0.0f || x != x) ? x : 0.0f;
}

#endif
