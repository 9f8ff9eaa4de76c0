/*
 * binary_f32.c - elementwise binary ops on two float tensors of the same
 * shape, and the broadcast of a one-channel map over the channels of an
 * NHWC tensor (MXNet broadcast_* against a (n, 1, h, w) operand, e.g. the
 * XNOR-Net input scaling map). One IEEE float operation per element.
 */
#include "bnn.h"
#include "bnn_ops.h"

#include <stddef.h>

/* out[i] = a[i] op b[i] for n floats; out may be a or b (every element is
 * read before it is written). */
BNN_API bnn_status bnn_binary_f32(const bnn_binary_params *p, const float *a,
                                  const float *b, float *out)
{
    size_t i;
    if (!p || (p->n && (!a || !b || !out)))
        return BNN_ARG_ERROR;
    const size_t n = p->n;
    switch (p->op) {
    case BNN_BIN_ADD:
        for (i = 0; i < n; ++i)
            out[i] = a[i] + b[i];
        break;
    case BNN_BIN_SUB:
        for (i = 0; i < n; ++i)
            out[i] = a[i] - b[i];
        break;
    case BNN_BIN_MUL:
        for (i = 0; i < n; ++i)
            out[i] = a[i] * b[i];
        break;
    case BNN_BIN_DIV:
        for (i = 0; i < n; ++i)
            out[i] = a[i] / b[i];
        break;
    default:
        return BNN_ARG_ERROR;
    }
    return BNN_OK;
}

/* out[p*c + ch] = in[p*c + ch] op map[p] over pixels x c floats. map[p] is
 * read once before pixel p is written, so out == in works, and so does
 * out == map when c == 1. */
BNN_API bnn_status bnn_binary_pixel_f32(const bnn_binary_pixel_params *p,
                                        const float *in, const float *map,
                                        float *out)
{
    if (!p || p->pixels < 0 || p->c <= 0 || !in || !map || !out)
        return BNN_ARG_ERROR;
    const bnn_binary_op op = p->op;
    const int32_t pixels = p->pixels, c = p->c;
    if (op != BNN_BIN_ADD && op != BNN_BIN_SUB && op != BNN_BIN_MUL &&
        op != BNN_BIN_DIV)
        return BNN_ARG_ERROR;
    for (int32_t px = 0; px < pixels; ++px) {
        const float *x = in + (ptrdiff_t)px * c;
        float *y = out + (ptrdiff_t)px * c;
        const float m = map[px];
        int32_t j;
        switch (op) {
        case BNN_BIN_ADD:
            for (j = 0; j < c; ++j)
                y[j] = x[j] + m;
            break;
        case BNN_BIN_SUB:
            for (j = 0; j < c; ++j)
                y[j] = x[j] - m;
            break;
        case BNN_BIN_MUL:
            for (j = 0; j < c; ++j)
                y[j] = x[j] * m;
            break;
        case BNN_BIN_DIV:
            for (j = 0; j < c; ++j)
                y[j] = x[j] / m;
            break;
        }
    }
    return BNN_OK;
}
