/*
 * pad_f32.c - constant padding of an NHWC float tensor.
 */
#include "bnn.h"

#include <stddef.h>
#include <string.h>

/* Writes n x (h+top+bottom) x (w+left+right) x c floats: the input in the
 * middle, `value` everywhere else. in and out must not overlap. */
BNN_API bnn_status bnn_pad2d_f32(const bnn_pad2d_params *p, const float *in,
                         float *out)
{
    if (!p || !in || !out || p->n <= 0 || p->h <= 0 || p->w <= 0 ||
        p->c <= 0 || p->top < 0 || p->bottom < 0 || p->left < 0 ||
        p->right < 0)
        return BNN_ARG_ERROR;
    const int32_t ow = p->w + p->left + p->right;
    const int32_t oh = p->h + p->top + p->bottom;
    const size_t row_in = (size_t)p->w * (size_t)p->c;
    const size_t row_out = (size_t)ow * (size_t)p->c;
    const size_t left = (size_t)p->left * (size_t)p->c;
    const size_t right = (size_t)p->right * (size_t)p->c;
    for (int32_t n = 0; n < p->n; ++n)
        for (int32_t y = 0; y < oh; ++y) {
            float *dst = out + ((size_t)n * (size_t)oh + (size_t)y) * row_out;
            int32_t iy = y - p->top;
            if (iy < 0 || iy >= p->h) {
                for (size_t i = 0; i < row_out; ++i)
                    dst[i] = p->value;
                continue;
            }
            for (size_t i = 0; i < left; ++i)
                dst[i] = p->value;
            memcpy(dst + left,
                   in + ((size_t)n * (size_t)p->h + (size_t)iy) * row_in,
                   row_in * sizeof(float));
            for (size_t i = 0; i < right; ++i)
                dst[left + row_in + i] = p->value;
        }
    return BNN_OK;
}
