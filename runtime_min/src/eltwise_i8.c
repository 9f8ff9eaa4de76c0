/*
 * eltwise_i8.c - int8 element-wise add, sub and mul with TFLite's integer
 * semantics (bnn_add_i8, bnn_sub_i8, bnn_mul_i8 in bnn_int8.h), portable
 * C99. b is broadcast by repetition: out[i] uses b[i % b_len].
 */
#include "bnn_i8_internal.h"

static bnn_status i8_eltwise_check(const bnn_eltwise_i8_params *p, size_t n, const int8_t *a,
                                size_t b_len, const int8_t *b, const int8_t *out, int i8_addsub)
{
    if (!p || !bnn_i8_zp_ok(p->a_zp) || !bnn_i8_zp_ok(p->b_zp) || !bnn_i8_zp_ok(p->out_zp) ||
        p->act_min < -128 || p->act_max > 127 || p->act_min > p->act_max ||
        p->out_shift < -31 || p->out_shift > 30)
        return BNN_ARG_ERROR;
    if (i8_addsub && (p->left_shift < 0 || p->left_shift > 30 || p->a_shift < -31 ||
                   p->a_shift > 30 || p->b_shift < -31 || p->b_shift > 30))
        return BNN_ARG_ERROR;
    if (n == 0)
        return BNN_OK;
    if (!a || !b || !out || b_len == 0 || n % b_len != 0)
        return BNN_ARG_ERROR;
    return BNN_OK;
}

/* sign +1: add, -1: sub. */
static void i8_addsub(const bnn_eltwise_i8_params *p, size_t n, const int8_t *a, size_t b_len,
                   const int8_t *b, int8_t *out, int sign)
{
    size_t i, j = 0;
    for (i = 0; i < n; i++) {
        int32_t da = a[i] - p->a_zp, db = b[j] - p->b_zp;
        int32_t sa = bnn_i8_mbqm(bnn_i8_wrap((uint32_t)da << p->left_shift), p->a_mult,
                                 p->a_shift);
        int32_t sb = bnn_i8_mbqm(bnn_i8_wrap((uint32_t)db << p->left_shift), p->b_mult,
                                 p->b_shift);
        uint32_t raw = sign > 0 ? (uint32_t)sa + (uint32_t)sb : (uint32_t)sa - (uint32_t)sb;
        out[i] = bnn_i8_out(bnn_i8_wrap(raw), p->out_mult, p->out_shift, p->out_zp,
                            p->act_min, p->act_max);
        if (++j == b_len)
            j = 0;
    }
}

BNN_API bnn_status bnn_add_i8(const bnn_eltwise_i8_params *p, size_t n, const int8_t *a,
                              size_t b_len, const int8_t *b, int8_t *out)
{
    if (i8_eltwise_check(p, n, a, b_len, b, out, 1) != BNN_OK)
        return BNN_ARG_ERROR;
    i8_addsub(p, n, a, b_len, b, out, 1);
    return BNN_OK;
}

BNN_API bnn_status bnn_sub_i8(const bnn_eltwise_i8_params *p, size_t n, const int8_t *a,
                              size_t b_len, const int8_t *b, int8_t *out)
{
    if (i8_eltwise_check(p, n, a, b_len, b, out, 1) != BNN_OK)
        return BNN_ARG_ERROR;
    i8_addsub(p, n, a, b_len, b, out, -1);
    return BNN_OK;
}

BNN_API bnn_status bnn_mul_i8(const bnn_eltwise_i8_params *p, size_t n, const int8_t *a,
                              size_t b_len, const int8_t *b, int8_t *out)
{
    size_t i, j = 0;
    if (i8_eltwise_check(p, n, a, b_len, b, out, 0) != BNN_OK)
        return BNN_ARG_ERROR;
    for (i = 0; i < n; i++) {
        int32_t prod = (a[i] - p->a_zp) * (b[j] - p->b_zp);
        out[i] = bnn_i8_out(prod, p->out_mult, p->out_shift, p->out_zp, p->act_min,
                            p->act_max);
        if (++j == b_len)
            j = 0;
    }
    return BNN_OK;
}
