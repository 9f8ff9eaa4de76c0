/*
 * bdense_avx512.c - binary dense for x86 AVX-512 with VPOPCNTD
 * (bnn_bdense_b_*__avx512). Compiles to nothing unless BNN_BIN_avx512.
 *
 * Tile: up to DENSE_R_AVX512 rows x 4 blocks of 16 output channels, one zmm
 * accumulator each; per input word it loads the 4 weight vectors once and
 * broadcasts the word of every row (xor + vpopcntd + add). At batch 1 the
 * layer streams its weights once, so it is bound by memory bandwidth.
 * Handles every shape; no fallback.
 */
#include "bnn_internal.h"

#if BNN_BIN_avx512

#define DENSE_R_AVX512 4

/* Popcount sums of rows [0, nr) of x (in_words apart) against nb blocks
 * of weights starting at w (blocks in_words*16 words apart), written to
 * acc[r*64 + b*16 + lane]. nr and nb are constants after inlining. */
BNN_ALWAYS_INLINE void dense_tile_avx512(const uint32_t *x, int32_t in_words,
                                  const uint32_t *w, int nr, int nb,
                                  int32_t *acc)
{
    __m512i s[DENSE_R_AVX512][4];
    size_t bs = (size_t)in_words * 16u;
    int32_t k;
    int r, b;
    for (r = 0; r < nr; r++)
        for (b = 0; b < nb; b++)
            s[r][b] = _mm512_setzero_si512();
    for (k = 0; k < in_words; k++, w += 16) {
        __m512i wv[4];
        for (b = 0; b < nb; b++)
            wv[b] = _mm512_loadu_si512(w + (size_t)b * bs);
        for (r = 0; r < nr; r++) {
            __m512i v = _mm512_set1_epi32((int)x[(size_t)r * (size_t)in_words +
                                                 (size_t)k]);
            for (b = 0; b < nb; b++)
                s[r][b] = _mm512_add_epi32(
                    s[r][b], _mm512_popcnt_epi32(_mm512_xor_si512(v, wv[b])));
        }
    }
    for (r = 0; r < nr; r++)
        for (b = 0; b < nb; b++)
            _mm512_storeu_si512(acc + r * 64 + b * 16, s[r][b]);
}

#define DENSE_FN_AVX512(NR, NB)                                                       \
    BNN_NOINLINE void dense_tile_##NR##_##NB(const uint32_t *x,                \
                                             int32_t in_words,                 \
                                             const uint32_t *w, int32_t *acc)  \
    {                                                                          \
        dense_tile_avx512(x, in_words, w, NR, NB, acc);                               \
    }
#define DENSE_FNS(NR) DENSE_FN_AVX512(NR, 4) DENSE_FN_AVX512(NR, 2) DENSE_FN_AVX512(NR, 1)
DENSE_FNS(1)
DENSE_FNS(2)
DENSE_FNS(3)
DENSE_FNS(4)

typedef void (*dense_tile_fn_avx512)(const uint32_t *, int32_t, const uint32_t *,
                              int32_t *);

static bnn_status dense_entry_avx512(const bnn_bdense_params *p, const uint32_t *in,
                              void *out, bnn_out_kind kind)
{
    static const dense_tile_fn_avx512 tab[DENSE_R_AVX512][3] = {
        {dense_tile_1_4, dense_tile_1_2, dense_tile_1_1},
        {dense_tile_2_4, dense_tile_2_2, dense_tile_2_1},
        {dense_tile_3_4, dense_tile_3_2, dense_tile_3_1},
        {dense_tile_4_4, dense_tile_4_2, dense_tile_4_1}};
    int32_t acc[DENSE_R_AVX512 * 64];
    int32_t nblk, r0, nr, b0, nb, r, b;
    if (bnn_bdense_check(p, in, out, kind) != BNN_OK)
        return BNN_ARG_ERROR;
    nblk = (p->out_c + 15) / 16;
    for (r0 = 0; r0 < p->n; r0 += nr) {
        nr = p->n - r0 < DENSE_R_AVX512 ? p->n - r0 : DENSE_R_AVX512;
        for (b0 = 0; b0 < nblk; b0 += nb) {
            nb = nblk - b0 >= 4 ? 4 : nblk - b0 >= 2 ? 2 : 1;
            tab[nr - 1][nb == 4 ? 0 : nb == 2 ? 1 : 2](
                in + (size_t)r0 * (size_t)p->in_words, p->in_words,
                p->weights + (size_t)b0 * (size_t)p->in_words * 16u, acc);
            for (r = 0; r < nr; r++) {
                size_t off = (size_t)(r0 + r) * (size_t)p->out_row_stride;
                void *opx = kind == BNN_OUT_I32   ? (void *)((int32_t *)out + off)
                            : kind == BNN_OUT_F32 ? (void *)((float *)out + off)
                                                  : (void *)((uint32_t *)out + off);
                for (b = 0; b < nb; b++) {
                    __m512i s = _mm512_loadu_si512(acc + r * 64 + b * 16);
                    __m512i d = _mm512_sub_epi32(_mm512_set1_epi32(p->k),
                                                 _mm512_slli_epi32(s, 1));
                    bnn_emit16_avx512(kind, opx, (b0 + b) * 16, p->out_c, d,
                                      p->mul, p->add, p->thresh, p->dir, NULL);
                }
            }
        }
    }
    return BNN_OK;
}

BNN_API bnn_status bnn_bdense_b_i32__avx512(const bnn_bdense_params *p,
                                    const uint32_t *in, int32_t *out)
{
    return dense_entry_avx512(p, in, out, BNN_OUT_I32);
}

BNN_API bnn_status bnn_bdense_b_f32__avx512(const bnn_bdense_params *p,
                                    const uint32_t *in, float *out)
{
    return dense_entry_avx512(p, in, out, BNN_OUT_F32);
}

BNN_API bnn_status bnn_bdense_b_b__avx512(const bnn_bdense_params *p,
                                  const uint32_t *in, uint32_t *out)
{
    return dense_entry_avx512(p, in, out, BNN_OUT_B);
}

#endif
