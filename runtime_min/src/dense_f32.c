/*
 * dense_f32.c - float fully connected layer (GEMV for batch 1).
 *
 * Weights are row-major [out_c][k]. DENSE_ROWS output rows are computed
 * together so that every loaded input vector is used DENSE_ROWS times;
 * each row keeps DENSE_LANES independent partial sums (lane j sums the
 * elements k = j mod DENSE_LANES), which the compiler maps to vector
 * registers without having to reassociate anything.
 *
 * Summation order of one output, the same on every target and for every
 * row blocking: the DENSE_LANES partial sums over whole chunks, folded by
 * a fixed pairwise tree, then the k mod DENSE_LANES tail elements in
 * order, then + bias, then the activation. Products and sums are rounded
 * separately (no fused multiply-add).
 */
#include "bnn.h"
#include "bnn_float_internal.h"

#include <stddef.h>

#define DENSE_ROWS 4
#define DENSE_LANES 16

/* Folds DENSE_LANES partial sums in a fixed order. */
static inline float dense_fold(const float *s)
{
    float t[DENSE_LANES / 2];
    for (int j = 0; j < DENSE_LANES / 2; ++j)
        t[j] = s[j] + s[j + DENSE_LANES / 2];
    for (int j = 0; j < DENSE_LANES / 4; ++j)
        t[j] = t[j] + t[j + DENSE_LANES / 4];
    for (int j = 0; j < DENSE_LANES / 8; ++j)
        t[j] = t[j] + t[j + DENSE_LANES / 8];
    return t[0] + t[1];
}

/* nr (constant after inlining) consecutive outputs for one input row x:
 * out[r] = act(dot(x, w + r*k) + bias[r]). */
BNN_FL_INLINE void dense_rows(int nr, int32_t k, const float *restrict x,
                              const float *restrict w,
                              const float *restrict bias, int relu,
                              float *restrict out)
{
    float s[DENSE_ROWS][DENSE_LANES];
    for (int r = 0; r < nr; ++r)
        for (int j = 0; j < DENSE_LANES; ++j)
            s[r][j] = 0.0f;
    int32_t kk = 0;
    for (; kk + DENSE_LANES <= k; kk += DENSE_LANES)
        for (int r = 0; r < nr; ++r) {
            const float *restrict wr = w + (ptrdiff_t)r * k + kk;
            for (int j = 0; j < DENSE_LANES; ++j)
                s[r][j] += x[kk + j] * wr[j];
        }
    for (int r = 0; r < nr; ++r) {
        const float *restrict wr = w + (ptrdiff_t)r * k;
        float v = dense_fold(s[r]);
        for (int32_t i = kk; i < k; ++i)
            v += x[i] * wr[i];
        if (bias)
            v += bias[r];
        out[r] = relu ? bnn_fl_relu(v) : v;
    }
}

/* Reads n rows of k floats (rows k apart), writes n rows of out_c floats
 * (out_row_stride apart). Constraints: sizes > 0, out_row_stride >= out_c,
 * act NONE or RELU. */
BNN_API bnn_status bnn_dense_f32(const bnn_dense_params *p, const float *in,
                         float *out)
{
    if (!p || !in || !out || !p->weights || p->n <= 0 || p->k <= 0 ||
        p->out_c <= 0 || p->out_row_stride < p->out_c ||
        (p->act != BNN_ACT_NONE && p->act != BNN_ACT_RELU))
        return BNN_ARG_ERROR;
    const int relu = p->act == BNN_ACT_RELU;
    const int32_t k = p->k;
    int32_t o = 0;
    /* Output blocks outermost: a block's weight rows stay in cache while
     * every input row of the batch uses them. */
    for (; o + DENSE_ROWS <= p->out_c; o += DENSE_ROWS)
        for (int32_t r = 0; r < p->n; ++r)
            dense_rows(DENSE_ROWS, k, in + (ptrdiff_t)r * k,
                       p->weights + (ptrdiff_t)o * k,
                       p->bias ? p->bias + o : NULL, relu,
                       out + (ptrdiff_t)r * p->out_row_stride + o);
    for (; o < p->out_c; ++o)
        for (int32_t r = 0; r < p->n; ++r)
            dense_rows(1, k, in + (ptrdiff_t)r * k,
                       p->weights + (ptrdiff_t)o * k,
                       p->bias ? p->bias + o : NULL, relu,
                       out + (ptrdiff_t)r * p->out_row_stride + o);
    return BNN_OK;
}
