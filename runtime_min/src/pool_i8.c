/*
 * pool_i8.c - int8 max and average pooling and the H x W mean with
 * TFLite's integer semantics (bnn_maxpool_i8, bnn_avgpool_i8,
 * bnn_mean_hw_i8 in bnn_int8.h), portable C99.
 */
#include "bnn_i8_internal.h"

/* The in-image range [*lo, *hi) of the i8_pool_window of output o along one axis
 * (start o*s - pad, length k). */
static void i8_pool_window(int32_t o, int32_t k, int32_t s, int32_t pad, int32_t in, int32_t *lo,
                   int32_t *hi)
{
    int32_t start = o * s - pad;
    *lo = start < 0 ? 0 : start;
    *hi = start + k < in ? start + k : in;
}

static bnn_status i8_pool_check(const bnn_pool2d_i8_params *p, const int8_t *in,
                             const int8_t *out)
{
    int32_t o, lo, hi;
    if (!p || !in || !out || p->n <= 0 || p->in_h <= 0 || p->in_w <= 0 || p->c <= 0 ||
        p->out_h <= 0 || p->out_w <= 0 || p->k_h <= 0 || p->k_w <= 0 || p->stride_h <= 0 ||
        p->stride_w <= 0 || p->pad_top < 0 || p->pad_left < 0 || p->act_min < -128 ||
        p->act_max > 127 || p->act_min > p->act_max)
        return BNN_ARG_ERROR;
    /* every i8_pool_window holds an in-image tap */
    for (o = 0; o < p->out_h; o++) {
        i8_pool_window(o, p->k_h, p->stride_h, p->pad_top, p->in_h, &lo, &hi);
        if (hi <= lo)
            return BNN_ARG_ERROR;
    }
    for (o = 0; o < p->out_w; o++) {
        i8_pool_window(o, p->k_w, p->stride_w, p->pad_left, p->in_w, &lo, &hi);
        if (hi <= lo)
            return BNN_ARG_ERROR;
    }
    return BNN_OK;
}

/* Average pooling: the sum of each window's in-image taps divided by
 * their count, rounded half away from zero, then the clamp. */
static void i8_avgpool(const bnn_pool2d_i8_params *p, const int8_t *in, int8_t *out)
{
    int32_t n, oy, ox, y, x, ch, y0, y1, x0, x1;
    for (n = 0; n < p->n; n++)
        for (oy = 0; oy < p->out_h; oy++) {
            i8_pool_window(oy, p->k_h, p->stride_h, p->pad_top, p->in_h, &y0, &y1);
            for (ox = 0; ox < p->out_w; ox++) {
                int8_t *o = out + (((size_t)n * (size_t)p->out_h + (size_t)oy) *
                                       (size_t)p->out_w + (size_t)ox) * (size_t)p->c;
                int32_t cnt;
                i8_pool_window(ox, p->k_w, p->stride_w, p->pad_left, p->in_w, &x0, &x1);
                cnt = (y1 - y0) * (x1 - x0);
                for (ch = 0; ch < p->c; ch++) {
                    int32_t acc = 0, v;
                    for (y = y0; y < y1; y++)
                        for (x = x0; x < x1; x++) {
                            int32_t q = in[(((size_t)n * (size_t)p->in_h + (size_t)y) *
                                                (size_t)p->in_w + (size_t)x) * (size_t)p->c +
                                           (size_t)ch];
                            acc += q;
                        }
                    v = acc > 0 ? (acc + cnt / 2) / cnt : (acc - cnt / 2) / cnt;
                    o[ch] = (int8_t)(v < p->act_min ? p->act_min : v > p->act_max ? p->act_max : v);
                }
            }
        }
}

/* Max pooling with the channels innermost, 64 at a time in a local
 * running maximum: each in-image tap of a window is a contiguous run of
 * bytes maxed into it (a loop compilers vectorise, the local array being
 * alias-free), then the clamp and the store. The maximum does not depend
 * on the order of the taps. */
static void i8_maxpool(const bnn_pool2d_i8_params *p, const int8_t *in, int8_t *out)
{
    const size_t c = (size_t)p->c, row = (size_t)p->in_w * c;
    const int8_t lo = (int8_t)p->act_min, hi = (int8_t)p->act_max;
    int32_t n, oy, ox, y, x, y0, y1, x0, x1;
    size_t c0, ch, nc;
    int8_t m[64];
    for (n = 0; n < p->n; n++)
        for (oy = 0; oy < p->out_h; oy++) {
            i8_pool_window(oy, p->k_h, p->stride_h, p->pad_top, p->in_h, &y0, &y1);
            for (ox = 0; ox < p->out_w; ox++) {
                int8_t *o = out + (((size_t)n * (size_t)p->out_h + (size_t)oy) *
                                       (size_t)p->out_w + (size_t)ox) * c;
                i8_pool_window(ox, p->k_w, p->stride_w, p->pad_left, p->in_w, &x0, &x1);
                for (c0 = 0; c0 < c; c0 += nc) {
                    nc = c - c0 < 64u ? c - c0 : 64u;
                    for (ch = 0; ch < 64u; ch++)
                        m[ch] = -128;
                    for (y = y0; y < y1; y++) {
                        const int8_t *r =
                            in + ((size_t)n * (size_t)p->in_h + (size_t)y) * row + c0;
                        for (x = x0; x < x1; x++) {
                            const int8_t *v = r + (size_t)x * c;
                            if (nc == 64u) {
                                for (ch = 0; ch < 64u; ch++)
                                    m[ch] = v[ch] > m[ch] ? v[ch] : m[ch];
                            } else {
                                for (ch = 0; ch < nc; ch++)
                                    m[ch] = v[ch] > m[ch] ? v[ch] : m[ch];
                            }
                        }
                    }
                    for (ch = 0; ch < nc; ch++)
                        o[c0 + ch] = m[ch] < lo ? lo : m[ch] > hi ? hi : m[ch];
                }
            }
        }
}

BNN_API bnn_status bnn_maxpool_i8(const bnn_pool2d_i8_params *p, const int8_t *in,
                                  int8_t *out)
{
    if (i8_pool_check(p, in, out) != BNN_OK)
        return BNN_ARG_ERROR;
    i8_maxpool(p, in, out);
    return BNN_OK;
}

BNN_API bnn_status bnn_avgpool_i8(const bnn_pool2d_i8_params *p, const int8_t *in,
                                  int8_t *out)
{
    if (i8_pool_check(p, in, out) != BNN_OK)
        return BNN_ARG_ERROR;
    /* the i8_pool_window sums fit int32: at most 2^31 / 128 taps */
    if ((int64_t)p->k_h * p->k_w > ((int64_t)1 << 24))
        return BNN_ARG_ERROR;
    i8_avgpool(p, in, out);
    return BNN_OK;
}

BNN_API bnn_status bnn_mean_hw_i8(int32_t n, int32_t h, int32_t w, int32_t c, int32_t in_zp,
                                  int32_t out_zp, int32_t mult, int32_t shift,
                                  const int8_t *in, int8_t *out)
{
    int32_t b, ch, hw;
    size_t i;
    if (!in || !out || n <= 0 || h <= 0 || w <= 0 || c <= 0 || !bnn_i8_zp_ok(in_zp) ||
        !bnn_i8_zp_ok(out_zp) || shift < -31 || shift > 30 ||
        (int64_t)h * w > ((int64_t)1 << 23))
        return BNN_ARG_ERROR;
    hw = h * w;
    for (b = 0; b < n; b++)
        for (ch = 0; ch < c; ch++) {
            int32_t acc = 0;
            const int8_t *x = in + (size_t)b * (size_t)hw * (size_t)c + (size_t)ch;
            for (i = 0; i < (size_t)hw; i++)
                acc += x[i * (size_t)c] - in_zp;
            acc = bnn_i8_mbqm(acc, mult, shift);
            acc = acc > 0 ? (acc + hw / 2) / hw : (acc - hw / 2) / hw;
            acc += out_zp;
            out[(size_t)b * (size_t)c + (size_t)ch] =
                (int8_t)(acc < -128 ? -128 : acc > 127 ? 127 : acc);
        }
    return BNN_OK;
}

BNN_API bnn_status bnn_mean_i8(const bnn_mean_i8_params *p, const int8_t *in, int8_t *out)
{
    if (!p)
        return BNN_ARG_ERROR;
    return bnn_mean_hw_i8(p->n, p->h, p->w, p->c, p->in_zp, p->out_zp, p->mult, p->shift, in,
                          out);
}
