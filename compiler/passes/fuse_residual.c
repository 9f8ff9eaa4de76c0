/*
 * fuse_residual.c - a residual add after a binary convolution with float
 * output becomes that convolution's output step.
 *
 * Requires: lower, before fuse_pool and plan (tensors are written once and
 * are plain arena tensors). Establishes: no LK_ADD step reads a tensor
 * that an LK_BCONV_F32 step writes and nothing else reads, when the add's
 * other operand is complete before that convolution runs; such a
 * convolution takes the other operand as its residual (in[1]) and writes
 * the add's output (LK_BCONV_F32_ADD: bnn_bconv2d_b_f32 with
 * params.residual, set by the generated code in a stack copy of the
 * parameters, as the address is known only at run time).
 *
 * Exactness: bnn_bconv2d_b_f32 with a residual computes, per output,
 * ((float)dot * mul + add) + residual with the roundings of the
 * convolution followed by bnn_add_f32, and float addition is commutative
 * (a + b and b + a are the same float, NaN and signed zeros included), so
 * which operand of the add the convolution wrote does not matter: the
 * result is bit-identical. In a residual unit whose shortcut is itself a
 * binary convolution (conv2 and a 1x1 shortcut, both float out), the one
 * that runs later takes the other's output as its residual.
 *
 * The add works on n floats, so both operands and its output are dense
 * tensors of one geometry; the convolution keeps that geometry. The
 * residual must be complete when the convolution runs: every step writing
 * it comes before the convolution. The add's output is written only by the
 * add, and nothing reads it before the add, so writing it earlier changes
 * nothing. Each fused step records the bytes of the float tensor it no
 * longer writes (inspect --plan lists it with the other fusions); plan.c
 * may then compute the sum over the residual in place.
 */
#include "lower.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/mem.h"

/* Same extent, dense: what bnn_add_f32 assumes of its operands. */
static int same_dense(const lir_tensor *a, const lir_tensor *b)
{
    return a->dt == LIR_F32 && b->dt == LIR_F32 && a->n == b->n && a->h == b->h &&
           a->w == b->w && a->c == b->c && a->stride == a->c && b->stride == b->c;
}

/* Step index of the convolution that may take add step `ai`'s operand k
 * into its output, or -1. */
static int fusable_conv(const lir_program *p, int ai, int k, const int *readers,
                        const int *writer, const int *last_writer, const int *writers)
{
    const lir_step *add = &p->s[ai];
    int x = add->in[k], r = add->in[1 - k], ci = writer[x];
    const lir_step *conv;
    if (ci < 0 || readers[x] != 1 || writers[x] != 1 || x == r)
        return -1;
    conv = &p->s[ci];
    if (conv->kind != LK_BCONV_F32 || conv->n_in != 1)
        return -1;
    if (p->t[x].storage != LIR_ARENA || !same_dense(&p->t[x], &p->t[r]) ||
        !same_dense(&p->t[x], &p->t[add->out]) || conv->p.bconv.out_pixel_stride != p->t[x].c)
        return -1;
    /* the residual is complete before the convolution runs */
    if (last_writer[r] >= ci)
        return -1;
    /* the add's output is written by the add alone */
    if (writers[add->out] != 1)
        return -1;
    return ci;
}

int pass_fuse_residual(lir_program *p, bnnc_err *err)
{
    int i, k, changed = 0;
    size_t nt = (size_t)(p->nt ? p->nt : 1);
    int *readers = xcalloc(nt, sizeof *readers), *writers = xcalloc(nt, sizeof *writers);
    int *writer = xmalloc(nt * sizeof *writer), *last_writer = xmalloc(nt * sizeof *last_writer);
    unsigned char *drop = xcalloc((size_t)(p->ns ? p->ns : 1), 1);
    size_t unfused = plan_lower_bound(p);
    (void)err;
    for (i = 0; i < p->nt; i++)
        writer[i] = last_writer[i] = -1;
    for (i = 0; i < p->ns; i++) {
        for (k = 0; k < p->s[i].n_in; k++)
            readers[p->s[i].in[k]]++;
        writers[p->s[i].out]++;
        if (writer[p->s[i].out] < 0)
            writer[p->s[i].out] = i;
        last_writer[p->s[i].out] = i;
    }
    for (i = 0; i < p->ns; i++) {
        lir_step *add = &p->s[i], *conv;
        int c0, c1, ci, kx, r, what;
        char text[sizeof add->what];
        if (add->kind != LK_ADD || add->n_in != 2)
            continue;
        c0 = fusable_conv(p, i, 0, readers, writer, last_writer, writers);
        c1 = fusable_conv(p, i, 1, readers, writer, last_writer, writers);
        if (c0 < 0 && c1 < 0)
            continue;
        /* the later convolution takes the earlier one's output */
        kx = c1 > c0 ? 1 : 0;
        ci = kx ? c1 : c0;
        r = add->in[1 - kx];
        conv = &p->s[ci];
        conv->kind = LK_BCONV_F32_ADD;
        conv->in[1] = r;
        conv->n_in = 2;
        conv->p.bconv.residual_pixel_stride = p->t[r].stride;
        conv->fused_bytes += p->t[add->in[kx]].bytes;
        writer[add->out] = ci;
        conv->out = add->out;
        what = snprintf(text, sizeof text, "%s; + %s", conv->what,
                        add->node_name[0] ? add->node_name : "residual");
        if (what > 0)
            memcpy(conv->what, text, sizeof conv->what);
        conv->what[sizeof conv->what - 1] = '\0';
        drop[i] = 1;
        changed = 1;
    }
    if (changed) {
        lir_drop_steps(p, drop);
        p->unfused_bound = unfused;
    }
    free(readers);
    free(writers);
    free(writer);
    free(last_writer);
    free(drop);
    return 0;
}
