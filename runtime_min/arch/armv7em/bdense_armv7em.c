/*
 * bdense_armv7em.c - binary dense for Armv7E-M with the DSP extension
 * (bnn_bdense_b_*__armv7em). Compiles to nothing unless BNN_BIN_armv7em.
 * Each output channel is one bnn_dot_swar (SWAR nibble counts, three words
 * per byte fold, USADA8) over the row and the channel's strided weights.
 * Handles every shape; no fallback.
 */
#include "bnn_internal.h"

#if BNN_BIN_armv7em

static bnn_status dense_entry_armv7em(const bnn_bdense_params *p, const uint32_t *in,
                              void *out, bnn_out_kind kind)
{
    int32_t dot[16];
    int32_t r, b, l;
    if (bnn_bdense_check(p, in, out, kind) != BNN_OK)
        return BNN_ARG_ERROR;
    for (r = 0; r < p->n; r++) {
        const uint32_t *x = in + (size_t)r * (size_t)p->in_words;
        size_t off = (size_t)r * (size_t)p->out_row_stride;
        void *opx = kind == BNN_OUT_I32   ? (void *)((int32_t *)out + off)
                    : kind == BNN_OUT_F32 ? (void *)((float *)out + off)
                                          : (void *)((uint32_t *)out + off);
        for (b = 0; b < (p->out_c + 15) / 16; b++) {
            const uint32_t *wt = p->weights + (size_t)b * (size_t)p->in_words * 16u;
            for (l = 0; l < 16; l++)
                dot[l] = p->k - 2 * (int32_t)bnn_dot_swar(x, wt + l, p->in_words);
            bnn_emit16_scalar(kind, opx, b * 16, p->out_c, dot, p->mul, p->add,
                              p->thresh, p->dir, NULL);
        }
    }
    return BNN_OK;
}

BNN_API bnn_status bnn_bdense_b_i32__armv7em(const bnn_bdense_params *p,
                                     const uint32_t *in, int32_t *out)
{
    return dense_entry_armv7em(p, in, out, BNN_OUT_I32);
}

BNN_API bnn_status bnn_bdense_b_f32__armv7em(const bnn_bdense_params *p,
                                     const uint32_t *in, float *out)
{
    return dense_entry_armv7em(p, in, out, BNN_OUT_F32);
}

BNN_API bnn_status bnn_bdense_b_b__armv7em(const bnn_bdense_params *p,
                                   const uint32_t *in, uint32_t *out)
{
    return dense_entry_armv7em(p, in, out, BNN_OUT_B);
}

#endif
