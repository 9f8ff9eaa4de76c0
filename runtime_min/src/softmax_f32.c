/*
 * softmax_f32.c - softmax over the rows of a rows x len float matrix, as
 * MXNet computes it: subtract the row maximum, exponentiate, divide every
 * element by the float sum of the exponentials.
 */
#include "bnn.h"

#include <math.h>
#include <stddef.h>

/* Each row normalised on its own; in == out allowed. Rows containing
 * +inf or NaN give NaN, as in MXNet. */
BNN_API bnn_status bnn_softmax_f32(const bnn_softmax_params *p, const float *in,
                                   float *out)
{
    if (!p || p->rows < 0 || p->len <= 0 || !in || !out)
        return BNN_ARG_ERROR;
    const int32_t rows = p->rows, len = p->len;
    for (int32_t r = 0; r < rows; ++r) {
        const float *x = in + (ptrdiff_t)r * len;
        float *y = out + (ptrdiff_t)r * len;
        float m = x[0];
        for (int32_t i = 1; i < len; ++i)
            if (x[i] > m)
                m = x[i];
        float sum = 0.0f;
        for (int32_t i = 0; i < len; ++i) {
            float e = expf(x[i] - m);
            y[i] = e;
            sum += e;
        }
        for (int32_t i = 0; i < len; ++i)
            y[i] = y[i] / sum;
    }
    return BNN_OK;
}
