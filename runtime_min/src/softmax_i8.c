/*
 * softmax_i8.c - int8 softmax with TFLite's semantics (bnn_softmax_i8 in
 * bnn_int8.h: the float lookup table of optimized_ops::Softmax, the path
 * TFLite takes for int8 on x86), portable C99.
 */
#include "bnn_i8_internal.h"

#include <math.h>

BNN_API bnn_status bnn_softmax_i8(const bnn_softmax_i8_params *p, const int8_t *in,
                                  int8_t *out)
{
    int32_t r, j;
    if (!p || p->rows < 0 || p->len < 1 || !p->table || !bnn_i8_zp_ok(p->out_zp) ||
        !(p->out_scale > 0.0f) || (p->rows > 0 && (!in || !out)))
        return BNN_ARG_ERROR;
    for (r = 0; r < p->rows; r++) {
        const int8_t *x = in + (size_t)r * (size_t)p->len;
        int8_t *y = out + (size_t)r * (size_t)p->len;
        int32_t max = -128;
        float sum = 0.0f, inv;
        const float *t;
        for (j = 0; j < p->len; j++)
            max = x[j] > max ? x[j] : max;
        /* t[q] = exp(-scale * beta * (max - q)) */
        t = p->table + 255 - max;
        for (j = 0; j < p->len; j++)
            sum += t[x[j]];
        inv = 1.0f / (sum * p->out_scale);
        for (j = 0; j < p->len; j++) {
            int32_t v = (int32_t)roundf(t[x[j]] * inv) + p->out_zp;
            y[j] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
        }
    }
    return BNN_OK;
}
