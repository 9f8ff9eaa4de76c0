/*
 * conv_pack_f32.c - a float convolution streamed to bits
 * (bnn_conv2d_pack_f32_b, bnn.h): the convolution row by row (the driver
 * of conv2d_f32.c, bnn_conv_row, with the variant's register tiles), the
 * per-element steps, max or average pooling and sign-packing of each row,
 * through the public kernels of those steps.
 *
 * Per-ISA variants (runtime_min/arch/<isa>/conv_pack_f32_<isa>.c) only
 * pass their convolution kit (bnn_conv_kit__<isa>) to
 * bnn_conv2d_pack_f32_b_run; the rest is this file's, so every variant
 * gives the bits of the portable one.
 */
#include "bnn.h"
#include "bnn_float_internal.h"
#include "bnn_ops.h"

#include <float.h>
#include <stddef.h>
#include <string.h>

/* The pooled row is accumulated one convolution
 * row at a time, in the order of the window's rows: for max pooling
 * bnn_fl_max_rows over one row continues from the maxima so far exactly
 * as over several rows; average pooling adds rows, then columns, in the
 * order of bnn_avgpool_f32, and divides at the end. With non-overlapping
 * windows (stride_h >= k_h) a row is computed just before the one window
 * that reads it; otherwise rows stay in a ring of min(k_h, out_h) rows,
 * as in bnn_conv2d_maxpool_f32_run. */

BNN_API size_t bnn_conv2d_pack_f32_b_scratch_size(const bnn_conv2d_pack_params *p)
{
    return p ? bnn_conv2d_pack_f32_b_scratch_bytes(p) : 0;
}

/* The steps ops[0..n-1] over `pixels` pixels of c floats, in place.
 * bnnc --standalone defines BNN_STREAM_NO_<KERNEL> for the kernels none of
 * the model's streamed steps calls, so that their files need not be in
 * the generated file (such a step then fails with BNN_ARG_ERROR). */
static bnn_status ew_chain(const bnn_ew_op *ops, int32_t n, int32_t pixels, int32_t c,
                           float *x)
{
    (void)pixels; /* unused when every step is left out */
    (void)c;
    (void)x;
    for (int32_t i = 0; i < n; ++i) {
        bnn_status st = BNN_ARG_ERROR;
        if (ops[i].kind == BNN_EW_AFFINE) {
#if !defined(BNN_STREAM_NO_AFFINE)
            bnn_affine_params a;
            a.pixels = pixels;
            a.c = c;
            a.mul = ops[i].mul;
            a.add = ops[i].add;
            st = bnn_affine_f32(&a, x, x);
#endif
        } else {
            bnn_act_params a;
            a.act = ops[i].act;
            a.alpha = ops[i].alpha;
            a.n = (size_t)pixels * (size_t)c;
            (void)a;
#if !defined(BNN_STREAM_NO_ACT_FAST)
            if (ops[i].kind == BNN_EW_ACT_FAST)
                st = bnn_act_fast_f32(&a, x, x);
#endif
#if !defined(BNN_STREAM_NO_ACT)
            if (ops[i].kind == BNN_EW_ACT)
                st = bnn_act_f32(&a, x, x);
#endif
        }
        if (st != BNN_OK)
            return st;
    }
    return BNN_OK;
}

/* Sign-packs one row of `pixels` pixels of c floats. */
static bnn_status pack_row(const bnn_conv2d_pack_params *mp, int32_t pixels, int32_t c,
                           const float *row, uint32_t *dst)
{
    bnn_channels_params k;
    memset(&k, 0, sizeof k);
    k.pixels = pixels;
    k.c = c;
    k.in_pixel_stride = c;
    k.out_pixel_stride = mp->out_pixel_stride;
    k.mul = mp->mul;
    k.add = mp->add;
#if !defined(BNN_STREAM_NO_PACK_AFFINE)
    if (mp->mul)
        return bnn_pack_affine_f32_b(&k, row, dst);
#endif
#if !defined(BNN_STREAM_NO_PACK)
    if (!mp->mul)
        return bnn_pack_f32_b(&k, row, dst);
#endif
    (void)row;
    (void)dst;
    return BNN_ARG_ERROR;
}

/* Adds one row (pool.in_w pixels of c floats) into the pooled row acc. */
static void pool_row(const bnn_pool2d_params *pp, int32_t kind, const float *row,
                     float *acc)
{
    const int32_t c = pp->c;
    for (int32_t qx = 0; qx < pp->out_w; ++qx) {
        int32_t x0, x1;
        float *dst = acc + (ptrdiff_t)qx * c;
        bnn_fl_pool_window(qx, pp->k_w, pp->stride_w, pp->pad_w, pp->in_w, &x0, &x1);
        if (kind == BNN_POOL_MAX) {
            bnn_fl_max_rows(row, 0, 1, x0, x1, c, dst);
        } else {
            for (int32_t x = x0; x < x1; ++x) {
                const float *src = row + (ptrdiff_t)x * c;
                for (int32_t j = 0; j < c; ++j)
                    dst[j] += src[j];
            }
        }
    }
}

/* Average pooling's division of the pooled row py (bnn_avgpool_f32). */
static void avg_divide(const bnn_pool2d_params *pp, int32_t lh, int32_t y0, int32_t y1,
                       float *acc)
{
    for (int32_t qx = 0; qx < pp->out_w; ++qx) {
        int32_t x0, x1;
        int32_t lw = bnn_fl_pool_window(qx, pp->k_w, pp->stride_w, pp->pad_w, pp->in_w,
                                        &x0, &x1);
        int32_t div = pp->count_include_pad ? lh * lw : (y1 - y0) * (x1 - x0);
        float *dst = acc + (ptrdiff_t)qx * pp->c;
        if (div > 0) {
            const float d = (float)div;
            for (int32_t j = 0; j < pp->c; ++j)
                dst[j] = dst[j] / d;
        }
    }
}

static int stream_args_ok(const bnn_conv2d_pack_params *mp, const bnn_conv2d_params *pc,
                          const uint32_t *out, const void *scratch)
{
    const bnn_pool2d_params *pp = &mp->pool;
    if (!out || !scratch || mp->n_pre < 0 ||
        mp->n_pre > BNN_STREAM_MAX_OPS || mp->n_post < 0 ||
        mp->n_post > BNN_STREAM_MAX_OPS || (!mp->mul) != (!mp->add) ||
        mp->out_pixel_stride < bnn_words(pc->out_c))
        return 0;
    if (mp->pool_kind == BNN_POOL_NONE)
        return mp->n_post == 0;
    if (mp->pool_kind != BNN_POOL_MAX && mp->pool_kind != BNN_POOL_AVG)
        return 0;
    return pp->n == pc->n && pp->in_h == pc->out_h && pp->in_w == pc->out_w &&
           pp->c == pc->out_c &&
           bnn_fl_pool_dim_ok(pp->in_h, pp->out_h, pp->k_h, pp->stride_h, pp->pad_h) &&
           bnn_fl_pool_dim_ok(pp->in_w, pp->out_w, pp->k_w, pp->stride_w, pp->pad_w);
}

BNN_API bnn_status bnn_conv2d_pack_f32_b_run(const bnn_conv2d_pack_params *mp,
                                             const float *in, uint32_t *out,
                                             void *scratch, const bnn_conv_kit *kit)
{
    if (!mp)
        return BNN_ARG_ERROR;
    const bnn_pool2d_params *pp = &mp->pool;
    /* Rows of the ring are dense: out_c floats per pixel. */
    bnn_conv2d_params pc = mp->conv;
    bnn_conv_rows st;
    pc.out_pixel_stride = pc.out_c;
    if (!bnn_conv_rows_init(&pc, in, kit, &st) || !stream_args_ok(mp, &pc, out, scratch))
        return BNN_ARG_ERROR; /* depthwise too: not row by row */
    const int32_t rows = bnn_conv2d_pack_ring_rows(mp);
    const ptrdiff_t row = (ptrdiff_t)pc.out_w * pc.out_c;
    float *ring = (float *)scratch;
    float *acc = (float *)(void *)((char *)scratch +
                                   ((size_t)rows * (size_t)row * sizeof(float) + 63u) /
                                       64u * 64u);
    const int pooled = mp->pool_kind != BNN_POOL_NONE;
    const int32_t oh = pooled ? pp->out_h : pc.out_h, ow = pooled ? pp->out_w : pc.out_w;
    bnn_status s;
    for (int32_t n = 0; n < pc.n; ++n) {
        const float *in_img = in + (size_t)n * (size_t)pc.in_h *
                                       (size_t)pc.in_w * (size_t)pc.in_c;
        uint32_t *out_img = out + (size_t)n * (size_t)oh * (size_t)ow *
                                      (size_t)mp->out_pixel_stride;
        int32_t next = 0; /* first convolution row not yet computed */
        for (int32_t py = 0; py < oh; ++py) {
            int32_t y0 = py, y1 = py + 1, lh = 1;
            if (pooled) {
                lh = bnn_fl_pool_window(py, pp->k_h, pp->stride_h, pp->pad_h, pp->in_h,
                                        &y0, &y1);
                const float init = mp->pool_kind == BNN_POOL_MAX ? -FLT_MAX : 0.0f;
                for (ptrdiff_t j = 0; j < (ptrdiff_t)ow * pp->c; ++j)
                    acc[j] = init;
            }
            if (next < y0)
                next = y0; /* rows no window reads are skipped */
            for (int32_t y = y0; y < y1; ++y) {
                float *src = ring + (ptrdiff_t)(y % rows) * row;
                if (y >= next) {
                    bnn_conv_row(&pc, &st, kit, in_img, y, src);
                    s = ew_chain(mp->pre, mp->n_pre, pc.out_w, pc.out_c, src);
                    if (s != BNN_OK)
                        return s;
                    next = y + 1;
                }
                if (pooled)
                    pool_row(pp, mp->pool_kind, src, acc);
            }
            const float *res = ring;
            if (pooled) {
                if (mp->pool_kind == BNN_POOL_AVG)
                    avg_divide(pp, lh, y0, y1, acc);
                s = ew_chain(mp->post, mp->n_post, ow, pp->c, acc);
                if (s != BNN_OK)
                    return s;
                res = acc;
            }
            s = pack_row(mp, ow, pc.out_c, res,
                         out_img + (size_t)py * (size_t)ow * (size_t)mp->out_pixel_stride);
            if (s != BNN_OK)
                return s;
        }
    }
    return BNN_OK;
}

BNN_API bnn_status bnn_conv2d_pack_f32_b__portable(const bnn_conv2d_pack_params *p,
                                                  const float *in, uint32_t *out,
                                                  void *scratch)
{
    return bnn_conv2d_pack_f32_b_run(p, in, out, scratch, bnn_conv_kit__portable());
}

/* Reads in (n x in_h x in_w x in_c), writes the packed bits of the
 * (pooled) result; scratch holds bnn_conv2d_pack_f32_b_scratch_size(p)
 * bytes. */
BNN_API bnn_status bnn_conv2d_pack_f32_b(const bnn_conv2d_pack_params *p, const float *in,
                                         uint32_t *out, void *scratch)
{
    return BNN_BEST(F32, bnn_conv2d_pack_f32_b)(p, in, out, scratch);
}

#if BNN_PARTS
/* Part of a call: output channels [o0, o1), o0 a multiple of 32 so that
 * the part writes whole words (bnn_part.h); a single group only. The
 * convolution, the per-element steps, the pooling and the packing of a
 * channel do not read other channels, so the part is the same call on the
 * weights and per-channel constants of its channels. */
BNN_API bnn_status bnn_conv2d_pack_f32_b_part(const bnn_conv2d_pack_params *p,
                                              const float *in, uint32_t *out, void *scratch,
                                              int32_t part, int32_t nparts)
{
    bnn_conv2d_pack_params q;
    int64_t lo, hi;
    int32_t i;
    if (!p || !in || !out || !p->conv.weights || p->conv.out_c <= 0 ||
        p->conv.groups <= 0 || part < 0 || part >= nparts)
        return BNN_ARG_ERROR;
    if (!bnn_part_range(p->conv.out_c, BNN_WORD_BITS, 0, part,
                        p->conv.groups == 1 ? nparts : 1, &lo, &hi))
        return BNN_OK;
    if (p->conv.groups != 1)
        return bnn_conv2d_pack_f32_b(p, in, out, scratch);
    q = *p;
    q.conv.out_c = (int32_t)(hi - lo);
    q.conv.weights = p->conv.weights +
                     bnn_conv2d_weight_index(p->conv.k_h, p->conv.k_w, p->conv.in_c,
                                             p->conv.out_c, 0, 0, 0, 0, (int32_t)lo);
    if (p->conv.bias)
        q.conv.bias = p->conv.bias + lo;
    if (p->pool_kind != BNN_POOL_NONE)
        q.pool.c = q.conv.out_c;
    for (i = 0; i < BNN_STREAM_MAX_OPS; i++) {
        if (q.pre[i].mul)
            q.pre[i].mul += lo;
        if (q.pre[i].add)
            q.pre[i].add += lo;
        if (q.post[i].mul)
            q.post[i].mul += lo;
        if (q.post[i].add)
            q.post[i].add += lo;
    }
    if (q.mul)
        q.mul += lo;
    if (q.add)
        q.add += lo;
    return bnn_conv2d_pack_f32_b(&q, in, out + lo / BNN_WORD_BITS, scratch);
}
#endif
