/*
 * dense_f32.c - float fully connected layer (GEMV for batch 1).
 *
 * Weights are row-major [out_c][k]. A block of output rows is computed
 * together so that every loaded input vector is used once per row of the
 * block; each row keeps DENSE_LANES independent partial sums (lane j sums
 * the elements k = j mod DENSE_LANES).
 *
 * Summation order of one output, the same on every target, in every
 * variant and for every row blocking: the DENSE_LANES partial sums over
 * whole chunks, folded by a fixed pairwise tree (dense_fold), then the
 * k mod DENSE_LANES tail elements in order, then + bias, then the
 * activation. Products and sums are rounded separately (no fused
 * multiply-add). The x86 variants (dense_f32_avx512.c, dense_f32_avx2.c)
 * hold the partial sums of a row in vector registers, which compilers do
 * not reliably do for the portable loops below; they supply only the row
 * block (bnn_dense_rows_fn) and reuse the driver.
 */
#include "bnn.h"
#include "bnn_float_internal.h"

#include <stddef.h>

#define DENSE_ROWS 4
#define DENSE_LANES BNN_DENSE_LANES

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
        float v = bnn_dense_tail(dense_fold(s[r]), kk, k, x, wr, bias, r);
        out[r] = relu ? bnn_fl_relu(v) : v;
    }
}

static void dense_rows_portable(int32_t nr, int32_t next_nr, int32_t k,
                                const float *x, const float *w,
                                const float *bias, int relu, float *out)
{
    (void)next_nr;
    if (nr == DENSE_ROWS)
        dense_rows(DENSE_ROWS, k, x, w, bias, relu, out);
    else
        for (int32_t r = 0; r < nr; ++r)
            dense_rows(1, k, x, w + (ptrdiff_t)r * k, bias ? bias + r : NULL,
                       relu, out + r);
}

/* Reads n rows of k floats (rows k apart), writes n rows of out_c floats
 * (out_row_stride apart). Constraints: sizes > 0, out_row_stride >= out_c,
 * act NONE or RELU. */
BNN_API bnn_status bnn_dense_f32_run(const bnn_dense_params *p, const float *in,
                             float *out, bnn_dense_rows_fn rows,
                             int32_t block)
{
    if (!p || !in || !out || !p->weights || p->n <= 0 || p->k <= 0 ||
        p->out_c <= 0 || p->out_row_stride < p->out_c ||
        (p->act != BNN_ACT_NONE && p->act != BNN_ACT_RELU))
        return BNN_ARG_ERROR;
    const int relu = p->act == BNN_ACT_RELU;
    const int32_t k = p->k;
    /* Output blocks outermost: a block's weight rows stay in cache while
     * every input row of the batch uses them. */
    for (int32_t o = 0; o < p->out_c; o += block) {
        const int32_t nr = p->out_c - o < block ? p->out_c - o : block;
        const int32_t left = p->out_c - o - nr;
        const int32_t next_nr = left < block ? left : block;
        for (int32_t r = 0; r < p->n; ++r)
            rows(nr, r + 1 == p->n ? next_nr : 0, k, in + (ptrdiff_t)r * k,
                 p->weights + (ptrdiff_t)o * k, p->bias ? p->bias + o : NULL, relu,
                 out + (ptrdiff_t)r * p->out_row_stride + o);
    }
    return BNN_OK;
}

BNN_API bnn_status bnn_dense_f32__portable(const bnn_dense_params *p,
                                   const float *in, float *out)
{
    return bnn_dense_f32_run(p, in, out, dense_rows_portable, DENSE_ROWS);
}

BNN_API bnn_status bnn_dense_f32(const bnn_dense_params *p, const float *in,
                         float *out)
{
    return BNN_BEST(F32, bnn_dense_f32)(p, in, out);
}

#if BNN_PARTS
/* Part of a call: output channels [o0, o1), o0 a multiple of 16
 * (bnn_part.h). Every output's summation order is that of one call
 * (see the top of this file: it does not depend on the row blocking). */
BNN_API bnn_status bnn_dense_f32_part(const bnn_dense_params *p, const float *in,
                                      float *out, int32_t part, int32_t nparts)
{
    bnn_dense_params q;
    int64_t lo, hi;
    if (!p || !in || !out || !p->weights || p->k <= 0 || p->out_c <= 0 || part < 0 ||
        part >= nparts)
        return BNN_ARG_ERROR;
    if (!bnn_part_range(p->out_c, 16, 0, part, nparts, &lo, &hi))
        return BNN_OK;
    q = *p;
    q.out_c = (int32_t)(hi - lo);
    q.weights = p->weights + lo * p->k;
    if (p->bias)
        q.bias = p->bias + lo;
    return bnn_dense_f32(&q, in, out + lo);
}
#endif
