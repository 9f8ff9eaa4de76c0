/*
 * bdense.c - binary dense (fully connected) layer, portable C99 (the
 * oracle), and the public entry points, which call the best variant
 * compiled in (bnn_variants.h).
 *
 * Row r's output channel o is dot = k - 2 * sum_w popcount(in[r][w] XOR
 * W[o][w]); bits outside the k true bits are 0 in both operands, so they
 * add nothing. The weights of 16 output channels for one input word are
 * contiguous ([ceil(out_c/16)][in_words][16]), so the inner loop runs over
 * those 16 lanes.
 */
#include "bnn_internal.h"

/* Portable kernel for all three transforms; assumes bnn_bdense_check. */
static void bdense_portable(const bnn_bdense_params *p, const uint32_t *in,
                            void *out, bnn_out_kind kind)
{
    int32_t nblk = (p->out_c + 15) / 16, owords = bnn_words(p->out_c);
    int32_t r, b, w, l;
    uint32_t acc[16];
    for (r = 0; r < p->n; r++) {
        const uint32_t *x = in + (size_t)r * (size_t)p->in_words;
        size_t base = (size_t)r * (size_t)p->out_row_stride;
        if (kind == BNN_OUT_B)
            for (l = 0; l < owords; l++)
                ((uint32_t *)out)[base + (size_t)l] = 0;
        for (b = 0; b < nblk; b++) {
            const uint32_t *wt =
                p->weights + (size_t)b * (size_t)p->in_words * 16u;
            int32_t o0 = b * 16, o;
            int32_t o1 = o0 + 16 < p->out_c ? o0 + 16 : p->out_c;
            for (l = 0; l < 16; l++)
                acc[l] = 0;
            for (w = 0; w < p->in_words; w++) {
                uint32_t xw = x[w];
                for (l = 0; l < 16; l++)
                    acc[l] += bnn_popcount32(xw ^ wt[w * 16 + l]);
            }
            for (o = o0; o < o1; o++) {
                int32_t dot = p->k - 2 * (int32_t)acc[o - o0];
                bnn_store_dot(kind, out, base, o, dot, p->mul, p->add,
                              p->thresh, p->dir, NULL);
            }
        }
    }
}

BNN_API bnn_status bnn_bdense_b_i32__portable(const bnn_bdense_params *p,
                                      const uint32_t *in, int32_t *out)
{
    if (bnn_bdense_check(p, in, out, BNN_OUT_I32) != BNN_OK)
        return BNN_ARG_ERROR;
    bdense_portable(p, in, out, BNN_OUT_I32);
    return BNN_OK;
}

BNN_API bnn_status bnn_bdense_b_f32__portable(const bnn_bdense_params *p,
                                      const uint32_t *in, float *out)
{
    if (bnn_bdense_check(p, in, out, BNN_OUT_F32) != BNN_OK)
        return BNN_ARG_ERROR;
    bdense_portable(p, in, out, BNN_OUT_F32);
    return BNN_OK;
}

BNN_API bnn_status bnn_bdense_b_b__portable(const bnn_bdense_params *p,
                                    const uint32_t *in, uint32_t *out)
{
    if (bnn_bdense_check(p, in, out, BNN_OUT_B) != BNN_OK)
        return BNN_ARG_ERROR;
    bdense_portable(p, in, out, BNN_OUT_B);
    return BNN_OK;
}

BNN_API bnn_status bnn_bdense_b_i32(const bnn_bdense_params *p, const uint32_t *in,
                            int32_t *out)
{
    return BNN_BEST(BIN, bnn_bdense_b_i32)(p, in, out);
}

BNN_API bnn_status bnn_bdense_b_f32(const bnn_bdense_params *p, const uint32_t *in,
                            float *out)
{
    return BNN_BEST(BIN, bnn_bdense_b_f32)(p, in, out);
}

BNN_API bnn_status bnn_bdense_b_b(const bnn_bdense_params *p, const uint32_t *in,
                          uint32_t *out)
{
    return BNN_BEST(BIN, bnn_bdense_b_b)(p, in, out);
}

#if BNN_PARTS
/* Part of a call: output channels [o0, o1) (bnn_part.h); o0 a multiple
 * of 32 for bits (whole words), 16 for floats (the weight block). */
static bnn_status bdense_part(const bnn_bdense_params *p, const uint32_t *in, void *out,
                              int32_t part, int32_t nparts, bnn_out_kind kind)
{
    bnn_bdense_params q;
    int64_t lo, hi;
    if (!p || part < 0 || part >= nparts || bnn_bdense_check(p, in, out, kind) != BNN_OK)
        return BNN_ARG_ERROR;
    if (!bnn_part_range(p->out_c, kind == BNN_OUT_B ? BNN_WORD_BITS : BNN_OC_BLOCK, 0, part,
                        nparts, &lo, &hi))
        return BNN_OK;
    q = *p;
    q.out_c = (int32_t)(hi - lo);
    q.weights = p->weights + bnn_bdense_weight_index(p->in_words, (int32_t)lo, 0);
    if (kind == BNN_OUT_B) {
        q.thresh = p->thresh + lo;
        q.dir = p->dir + lo;
        return bnn_bdense_b_b(&q, in, (uint32_t *)out + lo / BNN_WORD_BITS);
    }
    q.mul = p->mul + lo;
    q.add = p->add + lo;
    return bnn_bdense_b_f32(&q, in, (float *)out + lo);
}

BNN_API bnn_status bnn_bdense_b_f32_part(const bnn_bdense_params *p, const uint32_t *in,
                                         float *out, int32_t part, int32_t nparts)
{
    return bdense_part(p, in, out, part, nparts, BNN_OUT_F32);
}

BNN_API bnn_status bnn_bdense_b_b_part(const bnn_bdense_params *p, const uint32_t *in,
                                       uint32_t *out, int32_t part, int32_t nparts)
{
    return bdense_part(p, in, out, part, nparts, BNN_OUT_B);
}
#endif
