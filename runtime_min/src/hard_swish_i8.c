/*
 * hard_swish_i8.c - int8 hard swish with TFLite's semantics
 * (bnn_hard_swish_i8 in bnn_int8.h: reference_ops::HardSwish, 16-bit
 * fixed point), portable C99.
 */
#include "bnn_i8_internal.h"

/* gemmlowp's 16-bit SaturatingRoundingDoublingHighMul */
static int16_t srdhm16(int16_t a, int16_t b)
{
    int32_t ab = (int32_t)a * (int32_t)b;
    int32_t nudge = ab >= 0 ? (1 << 14) : 1 - (1 << 14);
    if (a == INT16_MIN && b == INT16_MIN)
        return INT16_MAX;
    return (int16_t)((ab + nudge) / (1 << 15));
}

/* TFLite's SaturatingDoublingHighMul: the same without the rounding nudge
 * (the quotient truncates toward zero) */
static int16_t sdhm16(int16_t a, int16_t b)
{
    if (a == INT16_MIN && b == INT16_MIN)
        return INT16_MAX;
    return (int16_t)(((int32_t)a * (int32_t)b) / (1 << 15));
}

static int16_t sat_shl16(int16_t v, int32_t amount)
{
    int32_t r = (int32_t)v * (1 << amount);
    return (int16_t)(r > INT16_MAX ? INT16_MAX : r < INT16_MIN ? INT16_MIN : r);
}

/* RoundingDivideByPOT on 16 bits: nearest, ties away from zero */
static int16_t rdbpot16(int16_t x, int32_t e)
{
    int32_t mask = (1 << e) - 1, rem = x & mask, thr = (mask >> 1) + (x < 0 ? 1 : 0);
    return (int16_t)((x >> e) + (rem > thr ? 1 : 0));
}

BNN_API bnn_status bnn_hard_swish_i8(const bnn_hard_swish_i8_params *p, const int8_t *in,
                                     int8_t *out)
{
    size_t i;
    if (!p || !bnn_i8_zp_ok(p->in_zp) || !bnn_i8_zp_ok(p->out_zp) || p->out_exp > 0 ||
        p->out_exp < -15 || p->relu_exp < -15 || p->relu_exp > 15 || (p->n > 0 && (!in || !out)))
        return BNN_ARG_ERROR;
    for (i = 0; i < p->n; i++) {
        int16_t x = (int16_t)(in[i] - p->in_zp);
        int16_t hires = (int16_t)(x * (1 << 7));
        int16_t pre = srdhm16(hires, p->out_mult);
        int16_t relu = hires;
        int32_t v;
        if (p->relu_exp > 0)
            relu = sat_shl16(relu, p->relu_exp - 1);
        relu = srdhm16(relu, p->relu_mult);
        if (p->relu_exp > 0)
            relu = sat_shl16(relu, 1);
        if (p->relu_exp < 0)
            relu = rdbpot16(relu, -p->relu_exp);
        relu = (int16_t)((relu + (1 << 15)) >> 1);
        v = rdbpot16(sdhm16(relu, pre), -p->out_exp) + p->out_zp;
        out[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
    }
    return BNN_OK;
}
