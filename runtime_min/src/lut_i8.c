/*
 * lut_i8.c - an int8 elementwise function by a 256-entry table
 * (bnn_lut_i8 in bnn_int8.h), portable C99.
 */
#include "bnn_i8_internal.h"

BNN_API bnn_status bnn_lut_i8(const bnn_lut_i8_params *p, const int8_t *in, int8_t *out)
{
    size_t i;
    if (!p || (p->n > 0 && (!in || !out || !p->table)))
        return BNN_ARG_ERROR;
    for (i = 0; i < p->n; i++)
        out[i] = p->table[(int32_t)in[i] + 128];
    return BNN_OK;
}
