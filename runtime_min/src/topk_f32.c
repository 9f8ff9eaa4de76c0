/*
 * topk_f32.c - the k best elements along one axis and their indices
 * (bnn.h: bnn_topk_f32), ONNX TopK and ArgMax.
 */
#include "bnn.h"

#include <stddef.h>

/* a ranks before b (values va, vb at indices ia, ib): a larger (smaller)
 * value, NaN counting as the largest; equal values by index. */
static int before(float va, int64_t ia, float vb, int64_t ib, int largest, int last_index)
{
    const int na = va != va, nb = vb != vb;
    if (na || nb) {
        if (na != nb)
            return largest ? na : nb;
    } else if (va != vb) {
        return largest ? va > vb : va < vb;
    }
    return last_index ? ia > ib : ia < ib;
}

BNN_API bnn_status bnn_topk_f32(const bnn_topk_params *p, const float *in, float *values,
                                int64_t *indices, float *scratch)
{
    if (!p || !in || (!values && !indices) || (!values && !scratch) || p->outer <= 0 ||
        p->len <= 0 || p->inner <= 0 || p->k <= 0 || p->k > p->len)
        return BNN_ARG_ERROR;
    const int32_t len = p->len, k = p->k;
    const size_t inner = (size_t)p->inner;
    int64_t ibuf[1];
    for (int32_t o = 0; o < p->outer; ++o)
        for (size_t i = 0; i < inner; ++i) {
            const float *x = in + ((size_t)o * (size_t)len) * inner + i;
            /* the best so far, kept sorted: value v[r], index ix[r] at rank r
             * (strided into the outputs, or in scratch) */
            const size_t out0 = ((size_t)o * (size_t)k) * inner + i;
            float *v = values ? values + out0 : scratch;
            const size_t vs = values ? inner : 1;
            int64_t *ix = indices ? indices + out0 : ibuf;
            const size_t is = indices ? inner : 0;
            int32_t n = 0;
            for (int32_t j = 0; j < len; ++j) {
                const float xj = x[(size_t)j * inner];
                int32_t r = n;
                /* the rank xj takes among the n kept */
                while (r > 0 && before(xj, j, v[(size_t)(r - 1) * vs],
                                       indices ? ix[(size_t)(r - 1) * is] : 0, p->largest,
                                       p->last_index))
                    --r;
                if (r >= k)
                    continue;
                for (int32_t m = (n < k ? n : k - 1); m > r; --m) {
                    v[(size_t)m * vs] = v[(size_t)(m - 1) * vs];
                    if (indices)
                        ix[(size_t)m * is] = ix[(size_t)(m - 1) * is];
                }
                v[(size_t)r * vs] = xj;
                if (indices)
                    ix[(size_t)r * is] = j;
                if (n < k)
                    ++n;
            }
        }
    return BNN_OK;
}
