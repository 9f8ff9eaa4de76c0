/*
 * pool_f32.c - float max and average pooling, NHWC, with the window
 * arithmetic of MXNet's CPU pooling:
 *   start = o*stride - pad, end = min(start + k, in + pad)   (per axis)
 *   avg divisor with count_include_pad: (end_h - start_h)*(end_w - start_w)
 *     computed before clipping, so padding counts but positions past the
 *     padded extent (reachable by `full` windows) do not;
 *   the window is then clipped to [0, in); without count_include_pad the
 *     divisor is the clipped window size;
 *   max uses only clipped (in-image) elements; a window with none gives
 *     -FLT_MAX, avg of an empty window gives 0 (MXNet 1.9.1 behaviour).
 * out_h/out_w may follow either the `valid` (floor) or the `full` (ceil)
 * convention; global pooling is k = in, pad 0.
 */
#include "bnn.h"
#include "bnn_float_internal.h"

#include <float.h>
#include <stddef.h>

static int pool_args_ok(const bnn_pool2d_params *p, const float *in,
                        const float *out)
{
    return p && in && out && p->n > 0 && p->c > 0 &&
           bnn_fl_pool_dim_ok(p->in_h, p->out_h, p->k_h, p->stride_h,
                              p->pad_h) &&
           bnn_fl_pool_dim_ok(p->in_w, p->out_w, p->k_w, p->stride_w,
                              p->pad_w);
}

/* Output rows [oy0, oy1) of every image of a checked call. */
BNN_FL_INLINE void maxpool_rows(const bnn_pool2d_params *p, const float *in, float *out,
                                int32_t oy0, int32_t oy1)
{
    const int32_t c = p->c;
    const ptrdiff_t row = (ptrdiff_t)p->in_w * c;
    for (int32_t n = 0; n < p->n; ++n) {
        const float *img = in + (ptrdiff_t)n * p->in_h * row;
        for (int32_t oy = oy0; oy < oy1; ++oy) {
            int32_t y0, y1, x0, x1;
            bnn_fl_pool_window(oy, p->k_h, p->stride_h, p->pad_h, p->in_h,
                               &y0, &y1);
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                float *dst = out + (((ptrdiff_t)n * p->out_h + oy) *
                                        p->out_w + ox) * c;
                bnn_fl_pool_window(ox, p->k_w, p->stride_w, p->pad_w,
                                   p->in_w, &x0, &x1);
                for (int32_t j = 0; j < c; ++j)
                    dst[j] = -FLT_MAX;
                bnn_fl_max_rows(img + (ptrdiff_t)y0 * row, row, y1 - y0, x0,
                                x1, c, dst);
            }
        }
    }
}

/* Reads n x in_h x in_w x c, writes n x out_h x out_w x c. */
BNN_API bnn_status bnn_maxpool_f32(const bnn_pool2d_params *p, const float *in,
                           float *out)
{
    if (!pool_args_ok(p, in, out))
        return BNN_ARG_ERROR;
    maxpool_rows(p, in, out, 0, p->out_h);
    return BNN_OK;
}

/* Output rows [oy0, oy1) of every image of a checked call. */
BNN_FL_INLINE void avgpool_rows(const bnn_pool2d_params *p, const float *in, float *out,
                                int32_t oy0, int32_t oy1)
{
    const int32_t c = p->c;
    for (int32_t n = 0; n < p->n; ++n)
        for (int32_t oy = oy0; oy < oy1; ++oy) {
            int32_t y0, y1, x0, x1;
            int32_t lh = bnn_fl_pool_window(oy, p->k_h, p->stride_h,
                                            p->pad_h, p->in_h, &y0, &y1);
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                int32_t lw = bnn_fl_pool_window(ox, p->k_w, p->stride_w,
                                                p->pad_w, p->in_w, &x0, &x1);
                int32_t div = p->count_include_pad ? lh * lw
                                                   : (y1 - y0) * (x1 - x0);
                float *dst = out + (((ptrdiff_t)n * p->out_h + oy) * p->out_w +
                                    ox) * c;
                for (int32_t j = 0; j < c; ++j)
                    dst[j] = 0.0f;
                for (int32_t y = y0; y < y1; ++y)
                    for (int32_t x = x0; x < x1; ++x) {
                        const float *src =
                            in + (((ptrdiff_t)n * p->in_h + y) * p->in_w + x) * c;
                        for (int32_t j = 0; j < c; ++j)
                            dst[j] += src[j];
                    }
                if (div > 0) {
                    const float d = (float)div;
                    for (int32_t j = 0; j < c; ++j)
                        dst[j] = dst[j] / d;
                }
            }
        }
}

BNN_API bnn_status bnn_avgpool_f32(const bnn_pool2d_params *p, const float *in,
                           float *out)
{
    if (!pool_args_ok(p, in, out))
        return BNN_ARG_ERROR;
    avgpool_rows(p, in, out, 0, p->out_h);
    return BNN_OK;
}

#if BNN_PARTS
/* Parts of the float poolings: output rows [oy0, oy1) of every image, at
 * least 4096 output floats per part (bnn_part.h). */
BNN_API bnn_status bnn_maxpool_f32_part(const bnn_pool2d_params *p, const float *in,
                                        float *out, int32_t part, int32_t nparts)
{
    int64_t lo, hi, per = (int64_t)p->n * p->out_w * p->c;
    if (!pool_args_ok(p, in, out) || part < 0 || part >= nparts)
        return BNN_ARG_ERROR;
    if (bnn_part_range(p->out_h, 1, per > 4096 ? 1 : 4096 / per, part, nparts,
                       &lo, &hi))
        maxpool_rows(p, in, out, (int32_t)lo, (int32_t)hi);
    return BNN_OK;
}

BNN_API bnn_status bnn_avgpool_f32_part(const bnn_pool2d_params *p, const float *in,
                                        float *out, int32_t part, int32_t nparts)
{
    int64_t lo, hi, per = (int64_t)p->n * p->out_w * p->c;
    if (!pool_args_ok(p, in, out) || part < 0 || part >= nparts)
        return BNN_ARG_ERROR;
    if (bnn_part_range(p->out_h, 1, per > 4096 ? 1 : 4096 / per, part, nparts,
                       &lo, &hi))
        avgpool_rows(p, in, out, (int32_t)lo, (int32_t)hi);
    return BNN_OK;
}
#endif
