/*
 * fuse_pool.c - a float convolution whose result is only sign-packed, or
 * only max-pooled, is computed row by row inside one step.
 *
 * Requires: lower (before plan: the tensors are still plain arena
 * tensors). Establishes:
 *   1. no LK_CONV_F32 step (but depthwise ones) writes a tensor read only
 *      by a chain of per-element steps (LK_ACT, LK_ACT_FAST, per-channel
 *      LK_AFFINE), at
 *      most one max or average pooling and more per-element steps, ending
 *      in LK_PACK or LK_PACK_AFFINE: the chain becomes one
 *      bnn_conv2d_pack_f32_b step (LK_CONV_PACK_F32_B), and none of its
 *      float tensors exists any more (the digits stem: 8 KB of floats
 *      for 256 bytes of bits; the MNIST LeNet stem: 147 KB + 36 KB for
 *      1 KB). The kernel keeps one row of the convolution (the window's
 *      height of rows when pooling windows overlap) and one pooled row.
 *   2. no other LK_CONV_F32 step writes a tensor that only an
 *      LK_MAXPOOL_F32 step reads, except depthwise convolutions (the
 *      fused kernel works row by row, the depthwise path does not).
 *
 * The fused kernels produce the convolution's rows into a ring of
 * min(pool k_h, conv out_h) rows in their scratch and pool them as they
 * come, so the convolution's output tensor disappears from the arena
 * (3.2 MB for a 224x224 ResNet stem, against a 86 KB ring) and is never
 * written out and read back. Every value is computed as by the separate
 * kernels, in the same order, so the result is bit-identical.
 *
 * A fused step replaces the last step of its chain, which keeps its place:
 * between the convolution and that step nothing else reads the chain's
 * tensors, and the convolution's input is not written by anyone (tensors
 * are written once before plan), so computing the chain later changes
 * nothing. Each fused step records the bytes of the tensors it no longer
 * writes and the scratch it takes (inspect --plan prints both).
 */
#include "lower.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/mem.h"

/* Is step `conv` a convolution whose output may be computed row by row
 * (plain arena tensor, dense, no scratch, not depthwise)? */
static int row_conv(const lir_program *p, const lir_step *conv)
{
    const bnn_conv2d_params *q = &conv->p.conv;
    const lir_tensor *t = &p->t[conv->out];
    if (conv->kind != LK_CONV_F32 || conv->scratch >= 0 || t->storage != LIR_ARENA ||
        q->out_pixel_stride != q->out_c || t->stride != q->out_c)
        return 0;
    return !(q->in_c / q->groups == 1 && q->out_c / q->groups == 1);
}

/* The only reader of tensor t, reading it as its first input, or -1. */
static int sole_reader(const lir_program *p, int t, const int *readers,
                       const int *last_reader)
{
    int r = last_reader[t];
    if (readers[t] != 1 || p->s[r].in[0] != t || p->s[r].n_in != 1)
        return -1;
    return r;
}

/* A float tensor that a chain step may consume: plain, dense, in the
 * arena, c channels. */
static int chain_tensor(const lir_program *p, int t, int32_t c)
{
    const lir_tensor *x = &p->t[t];
    return x->dt == LIR_F32 && x->storage == LIR_ARENA && x->c == c && x->stride == c;
}

/* One per-element step of a chain as the runtime's bnn_ew_op, its constant
 * slots in *mul and *add (appended to `consts`); 0 when the step is not
 * one the kernel takes. */
static int chain_op(const lir_program *p, const lir_step *s, int32_t c, bnn_ew_op *op,
                    signed char *mul, signed char *add, int *consts, int *nc)
{
    memset(op, 0, sizeof *op);
    *mul = *add = -1;
    if (s->kind == LK_ACT || s->kind == LK_ACT_FAST) {
        op->kind = s->kind == LK_ACT_FAST ? BNN_EW_ACT_FAST : BNN_EW_ACT;
        op->act = s->p.act.act;
        op->alpha = s->p.act.alpha;
        return 1;
    }
    /* per channel: c values each (a scalar map only when c is 1) */
    if (s->kind != LK_AFFINE || s->p.affine.c != c || s->n_consts != 2 ||
        p->c[s->consts[0]].count != (size_t)c || p->c[s->consts[1]].count != (size_t)c ||
        *nc + 2 > LIR_STEP_CONSTS)
        return 0;
    op->kind = BNN_EW_AFFINE;
    *mul = (signed char)*nc;
    consts[(*nc)++] = s->consts[0];
    *add = (signed char)*nc;
    consts[(*nc)++] = s->consts[1];
    return 1;
}

/* The chain from convolution step ci to a sign-pack, as one
 * bnn_conv2d_pack_f32_b step in *f, with the steps it takes (the pack
 * last) in chain[0..*n-1] and its constants in consts[0..*nc-1]; 0 when
 * there is none. */
static int stream_chain(const lir_program *p, int ci, const int *readers,
                        const int *last_reader, lir_conv_pack *f, int *chain, int *n,
                        int *consts, int *nc)
{
    const lir_step *conv = &p->s[ci];
    const int32_t c = conv->p.conv.out_c;
    int cur = conv->out, k;
    if (!row_conv(p, conv) || !chain_tensor(p, cur, c))
        return 0;
    memset(f, 0, sizeof *f);
    memset(f->pre_mul, -1, sizeof f->pre_mul);
    memset(f->pre_add, -1, sizeof f->pre_add);
    memset(f->post_mul, -1, sizeof f->post_mul);
    memset(f->post_add, -1, sizeof f->post_add);
    f->k.conv = conv->p.conv;
    *nc = 0;
    for (k = 0; k < conv->n_consts; k++)
        consts[(*nc)++] = conv->consts[k];
    f->weights = 0;
    f->bias = (signed char)(conv->n_consts > 1 ? 1 : -1);
    f->mul = f->add = -1;
    *n = 0;
    for (;;) {
        int r = sole_reader(p, cur, readers, last_reader);
        const lir_step *s;
        if (r < 0 || *n >= 16)
            return 0;
        s = &p->s[r];
        chain[(*n)++] = r;
        if (s->kind == LK_PACK || s->kind == LK_PACK_AFFINE) {
            const bnn_channels_params *q = &s->p.copy.k;
            if (q->c != c || q->in_pixel_stride != c || q->dst_c_offset != 0 ||
                s->p.copy.in_offset != 0 || q->out_pixel_stride < bnn_words(c))
                return 0;
            if (s->kind == LK_PACK_AFFINE) {
                if (s->n_consts != 2 || *nc + 2 > LIR_STEP_CONSTS)
                    return 0;
                f->mul = (signed char)*nc;
                consts[(*nc)++] = s->consts[0];
                f->add = (signed char)*nc;
                consts[(*nc)++] = s->consts[1];
            }
            f->k.out_pixel_stride = q->out_pixel_stride;
            return 1;
        }
        if (!chain_tensor(p, s->out, c))
            return 0;
        if (s->kind == LK_MAXPOOL_F32 || s->kind == LK_AVGPOOL_F32) {
            if (f->k.pool_kind != BNN_POOL_NONE)
                return 0;
            f->k.pool_kind = s->kind == LK_MAXPOOL_F32 ? BNN_POOL_MAX : BNN_POOL_AVG;
            f->k.pool = s->p.pool;
        } else if (f->k.pool_kind == BNN_POOL_NONE) {
            if (f->k.n_pre >= BNN_STREAM_MAX_OPS ||
                !chain_op(p, s, c, &f->k.pre[f->k.n_pre], &f->pre_mul[f->k.n_pre],
                          &f->pre_add[f->k.n_pre], consts, nc))
                return 0;
            f->k.n_pre++;
        } else {
            if (f->k.n_post >= BNN_STREAM_MAX_OPS ||
                !chain_op(p, s, c, &f->k.post[f->k.n_post], &f->post_mul[f->k.n_post],
                          &f->post_add[f->k.n_post], consts, nc))
                return 0;
            f->k.n_post++;
        }
        cur = s->out;
    }
}

/* Step `pi` (the chain's pack) becomes the streamed step; the convolution
 * and the other steps of the chain are marked for pass_fuse_pool to
 * drop. */
static void fuse_stream(lir_program *p, int ci, const lir_conv_pack *f, const int *chain,
                        int n, const int *consts, int nc, unsigned char *drop)
{
    int pi = chain[n - 1], k, scratch;
    size_t gone = p->t[p->s[ci].out].bytes, sbytes;
    char what[sizeof p->s[0].what], op[sizeof p->s[0].src_op];
    int len;
    lir_step *pack, *conv;
    sbytes = bnn_conv2d_pack_f32_b_scratch_bytes(&f->k);
    scratch = lir_tensor_add(p, LIR_U8, 1, 1, 1, (int32_t)sbytes, "conv rows");
    p->t[scratch].scratch = 1;
    pack = &p->s[pi];
    conv = &p->s[ci];
    len = snprintf(what, sizeof what, "%.80s; then", conv->what);
    for (k = 0; k < n; k++) {
        const lir_step *s = &p->s[chain[k]];
        if (len < (int)sizeof what)
            len += snprintf(what + len, sizeof what - (size_t)len, "%s %s", k ? "," : "",
                            lir_kind_name(s->kind));
        /* the maps of the pooling (per-element steps wrote over their
         * input: they took no memory of their own) */
        if (k < n - 1 && (s->kind == LK_MAXPOOL_F32 || s->kind == LK_AVGPOOL_F32))
            gone += p->t[s->out].bytes;
    }
    if (len < (int)sizeof what)
        snprintf(what + len, sizeof what - (size_t)len, ", row by row");
    snprintf(op, sizeof op, "%.23s+%.23s", conv->src_op, pack->src_op);
    pack->kind = LK_CONV_PACK_F32_B;
    pack->p.conv_pack = *f;
    pack->in[0] = conv->in[0];
    pack->n_in = 1;
    pack->scratch = scratch;
    pack->n_consts = nc;
    for (k = 0; k < nc; k++) {
        pack->consts[k] = consts[k];
        p->c[consts[k]].step = pi;
    }
    pack->node = conv->node;
    memcpy(pack->node_name, conv->node_name, sizeof pack->node_name);
    memcpy(pack->src_op, op, sizeof pack->src_op);
    memcpy(pack->what, what, sizeof pack->what);
    pack->fused_bytes = gone;
    pack->fused_scratch = sbytes;
    drop[ci] = 1;
    for (k = 0; k < n - 1; k++)
        drop[chain[k]] = 1;
}

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
    pool->fused_bytes = p->t[conv->out].bytes;
    pool->fused_scratch = p->t[scratch].bytes;
}

int pass_fuse_pool(lir_program *p, bnnc_err *err)
{
    int i, k, pi, changed = 0;
    int *readers = xcalloc((size_t)(p->nt ? p->nt : 1), sizeof *readers);
    int *last_reader = xcalloc((size_t)(p->nt ? p->nt : 1), sizeof *last_reader);
    unsigned char *drop = xcalloc((size_t)(p->ns ? p->ns : 1), 1);
    size_t unfused = plan_lower_bound(p);
    (void)err;
    for (i = 0; i < p->ns; i++)
        for (k = 0; k < p->s[i].n_in; k++) {
            readers[p->s[i].in[k]]++;
            last_reader[p->s[i].in[k]] = i;
        }
    /* 1. convolutions streamed to bits */
    for (i = 0; i < p->ns; i++) {
        lir_conv_pack f;
        int chain[16], n, consts[LIR_STEP_CONSTS], nc;
        if (!drop[i] && stream_chain(p, i, readers, last_reader, &f, chain, &n, consts, &nc)) {
            fuse_stream(p, i, &f, chain, n, consts, nc, drop);
            changed = 1;
        }
    }
    /* 2. convolutions into max pooling */
    for (i = 0; i < p->ns; i++)
        if (!drop[i] && fusable(p, &p->s[i], readers, last_reader, &pi)) {
            fuse(p, i, pi);
            drop[i] = 1;
            changed = 1;
        }
    if (changed) {
        /* drop the fused convolutions; constants follow their steps */
        lir_drop_steps(p, drop);
        if (!p->unfused_bound) /* fuse_residual may have taken it first */
            p->unfused_bound = unfused;
    }
    free(readers);
    free(last_reader);
    free(drop);
    return 0;
}
