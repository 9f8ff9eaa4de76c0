/*
 * pad_i8.c - constant padding of an NHWC int8 tensor (bnn_pad2d_i8 in
 * bnn_int8.h; TFLite PAD of an int8 tensor pads with its zero point).
 */
#include "bnn_i8_internal.h"

/* Writes n x (h+top+bottom) x (w+left+right) x c values: the input in the
 * middle, `value` everywhere else. in and out must not overlap. */
BNN_API bnn_status bnn_pad2d_i8(const bnn_pad2d_i8_params *p, const int8_t *in,
                                int8_t *out)
{
    int32_t n, y, oh, ow;
    size_t row_in, row_out, left, right;
    if (!p || !in || !out || p->n <= 0 || p->h <= 0 || p->w <= 0 || p->c <= 0 ||
        p->top < 0 || p->bottom < 0 || p->left < 0 || p->right < 0)
        return BNN_ARG_ERROR;
    ow = p->w + p->left + p->right;
    oh = p->h + p->top + p->bottom;
    row_in = (size_t)p->w * (size_t)p->c;
    row_out = (size_t)ow * (size_t)p->c;
    left = (size_t)p->left * (size_t)p->c;
    right = (size_t)p->right * (size_t)p->c;
    for (n = 0; n < p->n; n++)
        for (y = 0; y < oh; y++) {
            int8_t *dst = out + ((size_t)n * (size_t)oh + (size_t)y) * row_out;
            int32_t iy = y - p->top;
            if (iy < 0 || iy >= p->h) {
                memset(dst, (uint8_t)p->value, row_out);
                continue;
            }
            memset(dst, (uint8_t)p->value, left);
            memcpy(dst + left, in + ((size_t)n * (size_t)p->h + (size_t)iy) * row_in, row_in);
            memset(dst + left + row_in, (uint8_t)p->value, right);
        }
    return BNN_OK;
}
