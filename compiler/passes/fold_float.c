/*
 * fold_float.c - fold BatchNorm and ReLU into the float convolution or
 * dense layer they follow.
 *
 * Requires: fold_thresholds (binary layers have taken their own
 * BatchNorms). Establishes: a BatchNorm (axis 1) whose input is a float
 * conv/dense used nowhere else is gone, its scale multiplied into that
 * layer's weights and its shift into the bias; a ReLU that is the only
 * consumer of such a layer is applied by the layer itself.
 *
 * For output channel o, BatchNorm computes
 *     y = (x - mean) / sqrt(var + eps) * g + beta = x * m + a,
 *     m = g / sqrt(var + eps),  a = beta - mean * m
 * and x = sum(w * in) + b, so y = sum((w * m) * in) + (b * m + a). The
 * products are formed in double and rounded once to float; the result
 * differs from MXNet's separate BatchNorm only by float rounding (the
 * golden tests bound it). BatchNorm before a padded convolution is not
 * folded: the zero padding would then pad the unnormalised input.
 *
 * Dead channels and flush-to-zero. A trained network's dead BatchNorm
 * channels (gamma, beta and the filters decayed to ~1e-20 and below) make
 * w * m and b * m + a subnormal. The generated run flushes subnormals to
 * zero (bnn_fpenv.h), which would turn such a channel into exact zeros;
 * harmless where floats are summed further, but a sign taken of it would
 * read -1e-39 as -0, i.e. +1. When every consumer takes only the sign,
 * sign(k * y) = sign(y) for any k > 0, so a channel whose largest folded
 * constant is below 2^-64 is multiplied by the power of two that brings
 * it to [1, 2): exact, and its values stay far from the subnormal range.
 * Other channels keep their constants bit for bit.
 */
#include "passes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../util/mem.h"

/* A constant input of n that n alone uses (so it may be rewritten). */
static ir_node *own_const(ir_graph *g, ir_node *n, int slot)
{
    ir_node *c = g->nodes[n->in[slot].node];
    if (c->op != IR_OP_CONST || !c->a.c.f || ir_use_count(g, c->id, 0) != 1)
        return NULL;
    return c;
}

/* The BatchNorm's m and a of every channel, and the layer's weights w and
 * bias b (NULL when none), are finite: the fold only reorders float
 * rounding then, while infinities would meet zeros (inf * 0) in another
 * order than MXNet's separate BatchNorm, so those layers are not folded. */
static int fold_is_finite(const ir_node *bn, const ir_node *gm, const ir_node *bt,
                          const ir_node *mn, const ir_node *vr, const ir_node *w,
                          const ir_node *b, int64_t ch)
{
    int64_t o, i, nw = ir_shape_count(&w->a.c.shape);
    for (o = 0; o < ch; o++) {
        double gamma = bn->a.bn.fix_gamma ? 1.0 : gm->a.c.f[o];
        double m = gamma / sqrt((double)vr->a.c.f[o] + bn->a.bn.eps);
        double a = (double)bt->a.c.f[o] - (double)mn->a.c.f[o] * m;
        if (!isfinite(m) || !isfinite(a) || (b && !isfinite(b->a.c.f[o])))
            return 0;
    }
    for (i = 0; i < nw; i++)
        if (!isfinite(w->a.c.f[i]))
            return 0;
    return 1;
}

double fold_sign_scale(double big)
{
    if (!(big > 0.0) || big >= 0x1p-64 || !isfinite(big))
        return 1.0;
    return ldexp(1.0, -ilogb(big));
}

/* Fold BatchNorm bn into conv/dense n. Returns 1 when done. When only
 * signs of the result are used (ir_only_binarized), a dead channel's
 * constants are scaled up by fold_sign_scale: see the file comment. */
static int fold_bn(ir_graph *g, ir_node *n, ir_node *bn)
{
    int64_t o, ch = n->shape[0].d[1], per, i;
    int signs;
    int axis = bn->a.bn.axis < 0 ? bn->a.bn.axis + n->shape[0].ndim : bn->a.bn.axis;
    const ir_node *gm = g->nodes[bn->in[1].node], *bt = g->nodes[bn->in[2].node];
    const ir_node *mn = g->nodes[bn->in[3].node], *vr = g->nodes[bn->in[4].node];
    ir_node *w = own_const(g, n, 1), *b;
    int no_bias = n->op == IR_OP_CONV ? n->a.conv.no_bias : n->a.dense.no_bias;
    if (axis != 1 || !w || gm->op != IR_OP_CONST || bt->op != IR_OP_CONST ||
        mn->op != IR_OP_CONST || vr->op != IR_OP_CONST)
        return 0;
    if (n->op == IR_OP_DENSE && (n->shape[0].ndim != 2 || !n->a.dense.flatten))
        return 0;
    if (!no_bias && !own_const(g, n, 2))
        return 0;
    if (!fold_is_finite(bn, gm, bt, mn, vr, w, no_bias ? NULL : own_const(g, n, 2), ch))
        return 0;
    if (no_bias) {
        /* a new bias constant, placed before n by ir_sort below */
        b = ir_node_add(g, IR_OP_CONST, bn->name, "constant", -1);
        b->a.c.shape.ndim = 1;
        b->a.c.shape.d[0] = ch;
        b->a.c.f = xcalloc((size_t)ch, sizeof(float));
        ir_graph_adopt(g, b->a.c.f);   /* constants' data is the graph's */
        b->shape = xcalloc(1, sizeof *b->shape);
        b->shape[0] = b->a.c.shape;
        {
            ir_ref in[3] = {n->in[0], n->in[1], {b->id, 0}};
            ir_node_set_inputs(g, n, 3, in);
        }
        if (n->op == IR_OP_CONV)
            n->a.conv.no_bias = 0;
        else
            n->a.dense.no_bias = 0;
    } else if ((b = own_const(g, n, 2)) == NULL) {
        return 0;
    }
    per = ir_shape_count(&w->a.c.shape) / ch;
    signs = ir_only_binarized(g, bn->id);
    for (o = 0; o < ch; o++) {
        double gamma = bn->a.bn.fix_gamma ? 1.0 : gm->a.c.f[o];
        double m = gamma / sqrt((double)vr->a.c.f[o] + bn->a.bn.eps);
        double a = (double)bt->a.c.f[o] - (double)mn->a.c.f[o] * m;
        double k = 1.0, big = fabs((double)b->a.c.f[o] * m + a);
        if (signs) {
            for (i = 0; i < per; i++)
                big = fmax(big, fabs((double)w->a.c.f[o * per + i] * m));
            k = fold_sign_scale(big);
        }
        for (i = 0; i < per; i++)
            w->a.c.f[o * per + i] = (float)((double)w->a.c.f[o * per + i] * m * k);
        b->a.c.f[o] = (float)(((double)b->a.c.f[o] * m + a) * k);
    }
    ir_node_merge_name(n, bn->name);
    ir_replace_uses(g, (ir_ref){bn->id, 0}, (ir_ref){n->id, 0});
    bn->dead = 1;
    return 1;
}

int pass_fold_float(ir_graph *g, bnnc_err *err)
{
    size_t i, count = g->n;
    int added = 0;
    (void)err;
    for (i = 0; i < count; i++) {
        ir_node *n = g->nodes[i], *u;
        if (n->dead || (n->op != IR_OP_CONV && n->op != IR_OP_DENSE))
            continue;
        u = ir_sole_consumer(g, n);
        if (u && u->op == IR_OP_BATCHNORM) {
            size_t before = g->n;
            if (fold_bn(g, n, u)) {
                added |= g->n != before;
                u = ir_sole_consumer(g, n);
            }
        }
        if (u && u->op == IR_OP_ACT && u->a.act.act == IR_ACT_RELU) {
            if (n->op == IR_OP_CONV)
                n->a.conv.relu = 1;
            else
                n->a.dense.relu = 1;
            ir_node_merge_name(n, u->name);
            ir_replace_uses(g, (ir_ref){u->id, 0}, (ir_ref){n->id, 0});
            u->dead = 1;
        }
    }
    ir_mark_dead(g);
    ir_compact(g);
    if (added)
        ir_sort(g);
    return 0;
}
