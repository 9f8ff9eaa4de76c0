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

#if BNN_PARTS
/* Part of a call: elements [i0, i1), multiples of 16, at least 4096 per
 * part (bnn_part.h). */
BNN_API bnn_status bnn_add_f32_part(const bnn_eltwise_params *p, const float *a,
                                    const float *b, float *out, int32_t part,
                                    int32_t nparts)
{
    bnn_eltwise_params q;
    int64_t lo, hi;
    if (!p || (p->n && (!a || !b || !out)) || part < 0 || part >= nparts)
        return BNN_ARG_ERROR;
    if (!bnn_part_range((int64_t)p->n, 16, 4096, part, nparts, &lo, &hi))
        return BNN_OK;
    q.n = (size_t)(hi - lo);
    return bnn_add_f32(&q, a + lo, b + lo, out + lo);
}
#endif
