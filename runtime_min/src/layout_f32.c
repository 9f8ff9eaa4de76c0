/*
 * layout_f32.c - NCHW <-> NHWC conversion of float tensors at the edges
 * of a network (MXNet is NCHW, the runtime NHWC). Exact copies.
 */
#include "bnn.h"

#include <stddef.h>

static int layout_args_ok(int32_t n, int32_t c, int32_t h, int32_t w,
                          const float *in, const float *out)
{
    return n > 0 && c > 0 && h > 0 && w > 0 && in && out && in != out;
}

/* out[((b*h + y)*w + x)*c + ch] = in[((b*c + ch)*h + y)*w + x]. in and out
 * must not overlap. */
BNN_API bnn_status bnn_nchw_to_nhwc_f32(int32_t n, int32_t c, int32_t h, int32_t w,
                                const float *in, float *out)
{
    if (!layout_args_ok(n, c, h, w, in, out))
        return BNN_ARG_ERROR;
    const size_t hw = (size_t)h * (size_t)w;
    for (int32_t b = 0; b < n; ++b) {
        const float *src = in + (size_t)b * (size_t)c * hw;
        float *dst = out + (size_t)b * (size_t)c * hw;
        for (size_t p = 0; p < hw; ++p)
            for (int32_t ch = 0; ch < c; ++ch)
                dst[p * (size_t)c + (size_t)ch] = src[(size_t)ch * hw + p];
    }
    return BNN_OK;
}

/* The same layout change with a per-channel affine map applied on the
 * way (a BatchNorm on the network input): out = in * mul[ch] + add[ch],
 * two roundings, exactly as bnn_nchw_to_nhwc_f32 then bnn_affine_f32. */
BNN_API bnn_status bnn_nchw_to_nhwc_affine_f32(int32_t n, int32_t c, int32_t h, int32_t w,
                                       const float *mul, const float *add,
                                       const float *in, float *out)
{
    if (!layout_args_ok(n, c, h, w, in, out) || !mul || !add)
        return BNN_ARG_ERROR;
    const size_t hw = (size_t)h * (size_t)w;
    for (int32_t b = 0; b < n; ++b) {
        const float *src = in + (size_t)b * (size_t)c * hw;
        float *dst = out + (size_t)b * (size_t)c * hw;
        for (int32_t ch = 0; ch < c; ++ch) {
            const float m = mul[ch], a = add[ch];
            const float *s = src + (size_t)ch * hw;
            for (size_t p = 0; p < hw; ++p) {
                float v = s[p] * m;
                dst[p * (size_t)c + (size_t)ch] = v + a;
            }
        }
    }
    return BNN_OK;
}

/* out[((b*c + ch)*h + y)*w + x] = in[((b*h + y)*w + x)*c + ch]. in and out
 * must not overlap. */
BNN_API bnn_status bnn_nhwc_to_nchw_f32(int32_t n, int32_t c, int32_t h, int32_t w,
                                const float *in, float *out)
{
    if (!layout_args_ok(n, c, h, w, in, out))
        return BNN_ARG_ERROR;
    const size_t hw = (size_t)h * (size_t)w;
    for (int32_t b = 0; b < n; ++b) {
        const float *src = in + (size_t)b * (size_t)c * hw;
        float *dst = out + (size_t)b * (size_t)c * hw;
        for (int32_t ch = 0; ch < c; ++ch)
            for (size_t p = 0; p < hw; ++p)
                dst[(size_t)ch * hw + p] = src[p * (size_t)c + (size_t)ch];
    }
    return BNN_OK;
}
