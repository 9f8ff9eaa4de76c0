/*
 * fuse_pool.c - a float convolution whose only reader is a max pooling
 * becomes one bnn_conv2d_maxpool_f32 step.
 *
 * Requires: lower (before plan: the convolution's output is still a plain
 * arena tensor). Establishes: no LK_CONV_F32 step writes a tensor that
 * only an LK_MAXPOOL_F32 step reads, except depthwise convolutions (the
 * fused kernel works row by row, the depthwise path does not).
 *
 * The fused kernel produces the convolution's rows into a ring of
 * min(pool k_h, conv out_h) rows in its scratch and pools them as they
 * come, so the convolution's output tensor disappears from the arena
 * (3.2 MB for a 224x224 ResNet stem, against a 86 KB ring) and is never
 * written out and read back. Every value is computed as by the two
 * kernels, so the result is bit-identical.
 */
#include "lower.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/mem.h"

/* readers[t]: steps reading tensor t; last_reader[t]: the last of them. */
static int fusable(const lir_program *p, const lir_step *conv, const int *readers,
                   const int *last_reader, int *pool_at)
{
    const bnn_conv2d_params *q = &conv->p.conv;
    const lir_tensor *t = &p->t[conv->out];
    int r;
    if (conv->kind != LK_CONV_F32 || conv->scratch >= 0 || t->storage != LIR_ARENA ||
        q->out_pixel_stride != q->out_c || t->stride != q->out_c)
        return 0;
    if (q->in_c / q->groups == 1 && q->out_c / q->groups == 1)
        return 0; /* depthwise */
    r = last_reader[conv->out];
    if (readers[conv->out] != 1 || p->s[r].kind != LK_MAXPOOL_F32 ||
        p->s[r].in[0] != conv->out)
        return 0;
    *pool_at = r;
    return 1;
}

/* Step `ci` (the convolution) is merged into step `pi` (the pooling),
 * which keeps its place: between the two nothing reads the convolution's
 * output, so computing it later changes nothing. The convolution step is
 * left for pass_fuse_pool to drop. */
static void fuse(lir_program *p, int ci, int pi)
{
    lir_step *pool = &p->s[pi];
    const lir_step *conv = &p->s[ci];
    bnn_conv2d_maxpool_params mp;
    char what[sizeof pool->what], op[sizeof pool->src_op];
    int k, scratch;

    mp.conv = conv->p.conv;
    mp.pool = pool->p.pool;
    scratch = lir_tensor_add(p, LIR_U8, 1, 1, 1,
                             (int32_t)bnn_conv2d_maxpool_f32_scratch_bytes(&mp),
                             "conv rows");
    p->t[scratch].scratch = 1;
    pool = &p->s[pi];
    conv = &p->s[ci];
    /* built aside: the compiler cannot tell the two steps apart */
    snprintf(what, sizeof what, "%.100s; then %.52s", conv->what, pool->what);
    snprintf(op, sizeof op, "%.23s+%.23s", conv->src_op, pool->src_op);
    pool->kind = LK_CONV_MAXPOOL_F32;
    pool->p.conv_pool = mp;
    pool->in[0] = conv->in[0];
    pool->n_in = 1;
    pool->scratch = scratch;
    pool->n_consts = conv->n_consts;
    for (k = 0; k < conv->n_consts; k++) {
        pool->consts[k] = conv->consts[k];
        p->c[conv->consts[k]].step = pi;
    }
    /* named after the convolution, which does nearly all the work */
    pool->node = conv->node;
    memcpy(pool->node_name, conv->node_name, sizeof pool->node_name);
    memcpy(pool->src_op, op, sizeof pool->src_op);
    memcpy(pool->what, what, sizeof pool->what);
}

int pass_fuse_pool(lir_program *p, bnnc_err *err)
{
    int i, k, pi, kept = 0, changed = 0;
    int *readers = xcalloc((size_t)(p->nt ? p->nt : 1), sizeof *readers);
    int *last_reader = xcalloc((size_t)(p->nt ? p->nt : 1), sizeof *last_reader);
    unsigned char *drop = xcalloc((size_t)(p->ns ? p->ns : 1), 1);
    (void)err;
    for (i = 0; i < p->ns; i++)
        for (k = 0; k < p->s[i].n_in; k++) {
            readers[p->s[i].in[k]]++;
            last_reader[p->s[i].in[k]] = i;
        }
    for (i = 0; i < p->ns; i++)
        if (fusable(p, &p->s[i], readers, last_reader, &pi)) {
            fuse(p, i, pi);
            drop[i] = 1;
            changed = 1;
        }
    if (changed) {
        /* drop the fused convolutions; constants follow their steps */
        int *renum = xmalloc(sizeof *renum * (size_t)p->ns);
        for (i = 0; i < p->ns; i++) {
            renum[i] = kept;
            if (!drop[i])
                p->s[kept++] = p->s[i];
        }
        for (k = 0; k < p->nc; k++)
            if (p->c[k].step < p->ns)
                p->c[k].step = renum[p->c[k].step];
        p->ns = kept;
        free(renum);
        lir_lifetimes(p);
    }
    free(readers);
    free(last_reader);
    free(drop);
    return 0;
}
