/*
 * add_f32.c - elementwise sum of two float tensors (residual joins).
 */
#include "bnn.h"

#include <stddef.h>

/* out[i] = a[i] + b[i] for n floats; out may be a or b. */
BNN_API bnn_status bnn_add_f32(const bnn_eltwise_params *p, const float *a,
                               const float *b, float *out)
{
    if (!p || (p->n && (!a || !b || !out)))
        return BNN_ARG_ERROR;
    const size_t n = p->n;
    for (size_t i = 0; i < n; ++i)
        out[i] = a[i] + b[i];
    return BNN_OK;
}
