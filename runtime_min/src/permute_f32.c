/*
 * permute_f32.c - axis permutation of a row-major float tensor (MXNet
 * transpose, numpy.transpose) with up to BNN_PERMUTE_MAX_DIMS axes.
 *
 * The output is written in order. Axes of size 1 are dropped and output
 * axes that are also adjacent, in the same order, in the input are merged,
 * so that e.g. NCHW -> NHWC becomes a 3-axis walk and an identity
 * permutation becomes one contiguous copy. The innermost merged axis is
 * copied as a run: contiguous when its input stride is 1, strided
 * otherwise.
 */
#include "bnn.h"
#include "bnn_ops.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Checks the arguments (bnn_ops.h) and fills the total element count. */
static int permute_args_ok(const bnn_permute_params *p, const float *in,
                           const float *out, size_t *total)
{
    uint32_t seen = 0;
    size_t t = 1;
    if (!p || p->ndim < 1 || p->ndim > BNN_PERMUTE_MAX_DIMS || !in || !out ||
        in == out)
        return 0;
    const int32_t ndim = p->ndim, *shape = p->shape, *perm = p->perm;
    for (int32_t i = 0; i < ndim; ++i) {
        if (shape[i] <= 0 || perm[i] < 0 || perm[i] >= ndim ||
            ((seen >> perm[i]) & 1u) != 0)
            return 0;
        seen |= 1u << perm[i];
        if (t > SIZE_MAX / sizeof(float) / (size_t)shape[i])
            return 0;
        t *= (size_t)shape[i];
    }
    *total = t;
    return 1;
}

/* out[idx] = in[idx'] with idx'[perm[i]] = idx[i], row-major both. */
BNN_API bnn_status bnn_permute_f32(const bnn_permute_params *p, const float *in,
                                   float *out)
{
    size_t total, istride[BNN_PERMUTE_MAX_DIMS];
    size_t size[BNN_PERMUTE_MAX_DIMS], stride[BNN_PERMUTE_MAX_DIMS];
    size_t pos[BNN_PERMUTE_MAX_DIMS];
    int32_t i, nd = 0;

    if (!permute_args_ok(p, in, out, &total))
        return BNN_ARG_ERROR;
    const int32_t ndim = p->ndim, *shape = p->shape, *perm = p->perm;

    /* Row-major input strides. */
    istride[ndim - 1] = 1;
    for (i = ndim - 1; i > 0; --i)
        istride[i - 1] = istride[i] * (size_t)shape[i];

    /* Output axes with their input strides, without size-1 axes; an axis
     * whose input stride equals the next one's extent times stride is
     * merged into it. */
    for (i = 0; i < ndim; ++i) {
        size_t sz = (size_t)shape[perm[i]], st = istride[perm[i]];
        if (sz == 1)
            continue;
        if (nd > 0 && stride[nd - 1] == sz * st) {
            size[nd - 1] *= sz;
            stride[nd - 1] = st;
            continue;
        }
        size[nd] = sz;
        stride[nd] = st;
        ++nd;
    }
    if (nd == 0 || (nd == 1 && stride[0] == 1)) {
        memcpy(out, in, total * sizeof(float));
        return BNN_OK;
    }

    /* Walk the outer nd-1 axes as an odometer (input offset `off`); copy
     * the innermost as a run of size[nd-1] elements, input stride
     * stride[nd-1]. */
    {
        const size_t run = size[nd - 1], rs = stride[nd - 1];
        const size_t runs = total / run;
        size_t off = 0;
        float *dst = out;
        for (i = 0; i < nd; ++i)
            pos[i] = 0;
        for (size_t r = 0; r < runs; ++r, dst += run) {
            const float *src = in + off;
            if (rs == 1)
                memcpy(dst, src, run * sizeof(float));
            else
                for (size_t k = 0; k < run; ++k)
                    dst[k] = src[k * rs];
            for (i = nd - 2; i >= 0; --i) {
                off += stride[i];
                if (++pos[i] < size[i])
                    break;
                off -= stride[i] * size[i];
                pos[i] = 0;
            }
        }
    }
    return BNN_OK;
}
