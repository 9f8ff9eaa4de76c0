/*
 * prelu_i8.c - int8 PReLU and leaky ReLU with TFLite's integer semantics
 * (bnn_prelu_i8 in bnn_int8.h: reference_ops::BroadcastPrelu4DSlow and
 * QuantizeLeakyRelu), portable C99.
 */
#include "bnn_i8_internal.h"

static int shift_ok(int32_t s)
{
    return s >= -31 && s <= 30;
}

BNN_API bnn_status bnn_prelu_i8(const bnn_prelu_i8_params *p, const int8_t *in, int8_t *out)
{
    size_t i;
    int32_t ch = 0;
    if (!p || p->c < 1 || !bnn_i8_zp_ok(p->in_zp) || !bnn_i8_zp_ok(p->out_zp) ||
        !bnn_i8_zp_ok(p->alpha_zp) || !shift_ok(p->pos_shift) || !shift_ok(p->neg_shift) ||
        (p->n > 0 && (!in || !out)))
        return BNN_ARG_ERROR;
    for (i = 0; i < p->n; i++) {
        int32_t x = in[i] - p->in_zp, v;
        if (x >= 0)
            v = bnn_i8_mbqm(x, p->pos_mult, p->pos_shift);
        else if (p->alpha)
            v = bnn_i8_mbqm(x * (p->alpha[ch] - p->alpha_zp), p->neg_mult, p->neg_shift);
        else
            v = bnn_i8_mbqm(x, p->neg_mult, p->neg_shift);
        v += p->out_zp;
        out[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
        if (++ch == p->c)
            ch = 0;
    }
    return BNN_OK;
}
