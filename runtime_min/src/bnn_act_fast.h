/*
 * bnn_act_fast.h - variants of bnn_act_fast_f32 and bnn_softmax_fast_f32
 * (act_fast_f32.c and arch/<isa>/act_fast_f32_<isa>.c) and what they share.
 */
#ifndef BNN_ACT_FAST_H
#define BNN_ACT_FAST_H

#include "bnn.h"
#include "bnn_float_internal.h"
#include "bnn_variants.h"

/* The activations bnn_act_fast_f32 takes (bnn.h). */
static inline int bnn_fl_act_fast_ok(bnn_act act)
{
    return act == BNN_ACT_NONE || act == BNN_ACT_RELU ||
           act == BNN_ACT_SIGMOID || act == BNN_ACT_TANH ||
           act == BNN_ACT_SOFTSIGN || act == BNN_ACT_LEAKY ||
           act == BNN_ACT_GELU;
}

/* Softmax sums the exponentials of a row in BNN_FL_SUM_LANES interleaved
 * partial sums: element i is added to sum i % 16, in increasing i, each
 * starting at +0; bnn_fl_fold_sum16 then folds them pairwise
 * (s[j] += s[j + h] for h = 8, 4, 2, 1), the order of a vector reduction
 * by halves. Every variant sums in this order. */
#define BNN_FL_SUM_LANES 16
static inline float bnn_fl_fold_sum16(float s[BNN_FL_SUM_LANES])
{
    for (int h = BNN_FL_SUM_LANES / 2; h >= 1; h /= 2)
        for (int j = 0; j < h; ++j)
            s[j] += s[j + h];
    return s[0];
}

/* The entry points bnn_act_fast_f32__<sfx> and bnn_exp_fast_f32__<sfx>
 * of an ISA variant: its file instantiates bnn_vmath_impl.h with
 * VM_FN(name) = bnn_vm_<name>_<sfx> and defines MAP(F), which stores
 * F(x) for the n floats of in to out, n vectors at a time with its own
 * tail handling. The activations that need no transcendental function
 * run the portable code. */
#define BNN_ACT_FAST_ENTRIES(sfx, MAP)                                         \
    BNN_API bnn_status bnn_act_fast_f32__##sfx(const bnn_act_params *p,        \
                                               const float *in, float *out)    \
    {                                                                          \
        if (!p || !bnn_fl_act_fast_ok(p->act) || (p->n && (!in || !out)))      \
            return BNN_ARG_ERROR;                                              \
        const size_t n = p->n;                                                 \
        switch (p->act) {                                                      \
        case BNN_ACT_SIGMOID:                                                  \
            MAP(bnn_vm_sigmoid_##sfx);                                         \
            return BNN_OK;                                                     \
        case BNN_ACT_TANH:                                                     \
            MAP(bnn_vm_tanh_##sfx);                                            \
            return BNN_OK;                                                     \
        case BNN_ACT_GELU:                                                     \
            MAP(bnn_vm_gelu_##sfx);                                            \
            return BNN_OK;                                                     \
        default:                                                               \
            return bnn_act_fast_f32__portable(p, in, out);                     \
        }                                                                      \
    }                                                                          \
    BNN_API bnn_status bnn_exp_fast_f32__##sfx(const bnn_eltwise_params *p,    \
                                               const float *in, float *out)    \
    {                                                                          \
        if (!p || (p->n && (!in || !out)))                                     \
            return BNN_ARG_ERROR;                                              \
        const size_t n = p->n;                                                 \
        MAP(bnn_vm_exp_##sfx);                                                 \
        return BNN_OK;                                                         \
    }

/* The variants of bnn_act_fast_f32, bnn_exp_fast_f32 and
 * bnn_softmax_fast_f32 (family ACT) are declared by bnn_variants.h. */

#endif
