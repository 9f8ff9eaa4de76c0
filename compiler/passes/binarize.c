/*
 * binarize.c - recognise binary layers by graph pattern, never by name.
 *
 * Requires: expand (frontends' own binary layers are BCONV/BDENSE nodes
 * already) and fold_constants (the sign of a weight constant is a constant
 * of +-1 values). Establishes: every binary convolution or dense layer is
 * one BCONV/BDENSE node whose single input is the real-valued tensor it
 * sign-binarizes, carrying its +-1 weights, padding semantics, offset,
 * divisor, per-channel scale and bias.
 *
 * The pattern: a Convolution / FullyConnected whose weights are all +-1
 * and whose input is +-1 valued (a sign, or a constant +-1 pad / max-pool
 * / reshape of one). It is what the BMXNet-v2 Gluon export writes (det_sign,
 * Pad(-1), conv, _plus_scalar, _div_scalar), what dabnn and PyTorch BNNs
 * export, and what any framework's sign-then-conv looks like. Padding:
 * Pad(c) in front with c = -1, 0, +1 gives MINUS_ONE, ZERO, PLUS_ONE; the
 * convolution's own zero padding of a +-1 tensor is PAD_ZERO.
 *
 * Then, for every binary layer (found here or made by a frontend):
 *   - a constant Pad(c) in front of it, when it has no padding of its own,
 *     becomes its padding with value sign(c) (the layer signs its input);
 *   - the single-consumer chain of _plus_scalar(s) / _div_scalar(d) / a
 *     per-channel multiply after it becomes its offset s, divisor d and
 *     scale (binet/xnor mean|W|); s is read from the graph (0 when the
 *     model was exported without a forward pass).
 *
 * A convolution with +-1 weights whose input is not +-1 valued (BMXNet's
 * QConv2D without QActivation) is weight-only binary: it stays a float
 * convolution and is marked weight_only_binary.
 */
#include "passes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../util/mem.h"

/* True when every value of output r is exactly -1 or +1 (looking through
 * at most `depth` shape-only ops). */
static int is_pm1_depth(const ir_graph *g, ir_ref r, int depth)
{
    const ir_node *n = g->nodes[r.node];
    int64_t i, cnt;
    int k;
    if (depth <= 0)
        return 0;
    switch (n->op) {
    case IR_OP_SIGN:
        return 1;
    case IR_OP_CONST:
        if (!n->a.c.f)
            return 0;
        cnt = ir_shape_count(&n->a.c.shape);
        for (i = 0; i < cnt; i++)
            if (n->a.c.f[i] != 1.0f && n->a.c.f[i] != -1.0f)
                return 0;
        return cnt > 0;
    case IR_OP_PAD:
        return (n->a.pad.value == 1.0 || n->a.pad.value == -1.0) &&
               is_pm1_depth(g, n->in[0], depth - 1);
    case IR_OP_POOL:
        return n->a.pool.type == IR_POOL_MAX &&
               is_pm1_depth(g, n->in[0], depth - 1);
    case IR_OP_RESHAPE:
    case IR_OP_FLATTEN:
    case IR_OP_TRANSPOSE:
    case IR_OP_SWAPAXIS:
    case IR_OP_SLICE_AXIS:
    case IR_OP_SPLIT:
        return is_pm1_depth(g, n->in[0], depth - 1);
    case IR_OP_CONCAT:
        for (k = 0; k < n->n_in; k++)
            if (!is_pm1_depth(g, n->in[k], depth - 1))
                return 0;
        return 1;
    default:
        return 0;
    }
}

static int is_pm1(const ir_graph *g, ir_ref r)
{
    return is_pm1_depth(g, r, 64);
}

/* A tensor whose sign equals the +-1 tensor r: the input of a sign node,
 * otherwise r itself (sign is the identity on +-1 values). */
static ir_ref sign_source(const ir_graph *g, ir_ref r, ir_node *into)
{
    const ir_node *n = g->nodes[r.node];
    if (n->op == IR_OP_SIGN) {
        ir_node_merge_name(into, n->name);
        return n->in[0];
    }
    return r;
}

/* A constant-padding node that only pads H and W, the same amount on both
 * sides; fills pad[2]. */
static int symmetric_hw_pad(const ir_node *p, int pad[2])
{
    const int *w = p->a.pad.width.v;
    if (p->op != IR_OP_PAD || p->a.pad.width.n != 8 || w[2] || w[3] || w[4] != w[5] ||
        w[6] != w[7])
        return 0;
    pad[0] = w[4];
    pad[1] = w[6];
    return 1;
}

/* +-1 copy of a weight constant (det_sign semantics for real weights). */
static int8_t *sign_weights(const ir_node *c)
{
    int64_t i, cnt = ir_shape_count(&c->a.c.shape);
    int8_t *w = xmalloc((size_t)cnt + 1);
    for (i = 0; i < cnt; i++)
        w[i] = c->a.c.f[i] < 0.0f ? -1 : 1;
    return w;
}

/* Copy a per-channel constant (count == channels) into a new float array. */
static float *copy_vector(const ir_node *c, int64_t channels)
{
    float *v = xmalloc(sizeof(float) * (size_t)channels);
    memcpy(v, c->a.c.f, sizeof(float) * (size_t)channels);
    return v;
}

/* Weights of node n's input slot 1, as given (for stored-size reporting). */
static void take_weight_info(ir_bin_attr *b, const ir_node *wc)
{
    b->w_shape = wc->a.c.shape;
    b->stored_bytes += wc->a.c.stored_bytes;
    free(b->w_param);
    b->w_param = wc->a.c.source_name ? xstrdup(wc->a.c.source_name) : NULL;
}

/* True when constant c is a per-channel vector for an output with
 * `channels` channels on axis 1 of an ndim-D tensor: shape (C,) only when
 * ndim == 2, or (1, C, 1, ...)/(C, 1, ...) broadcast along axis 1. */
static int per_channel_const(const ir_node *c, int ndim, int64_t channels)
{
    const ir_shape *s = &c->a.c.shape;
    int i, axis;
    if (c->op != IR_OP_CONST || !c->a.c.f || ir_shape_count(s) != channels)
        return 0;
    axis = 1 - (ndim - s->ndim); /* position of axis 1 in right-aligned s */
    for (i = 0; i < s->ndim; i++)
        if (i != axis && s->d[i] != 1)
            return 0;
    return axis >= 0 && axis < s->ndim;
}

/* Absorb the single-consumer chain of offset/divisor/scale ops after the
 * binary node n (the BMXNet-v2 output transform) into its attributes. */
static void absorb_output_ops(ir_graph *g, ir_node *n)
{
    ir_bin_attr *b = &n->a.b;
    int64_t channels = n->shape[0].d[1];
    int ndim = n->shape[0].ndim;
    for (;;) {
        ir_node *u = ir_sole_consumer(g, n);
        if (!u)
            return; /* several uses, or a head */
        if (u->op == IR_OP_SCALAR && !b->scale && !b->bias &&
            (u->a.scalar.kind == IR_SC_ADD || u->a.scalar.kind == IR_SC_SUB ||
             u->a.scalar.kind == IR_SC_DIV)) {
            double s = u->a.scalar.value;
            if (u->a.scalar.kind == IR_SC_DIV) {
                if (s == 0)
                    return;
                b->divisor *= s;
            } else {
                b->offset += (u->a.scalar.kind == IR_SC_ADD ? s : -s) * b->divisor;
            }
        } else if (u->op == IR_OP_MUL && !b->bias) {
            ir_node *other = g->nodes[u->in[u->in[0].node == n->id ? 1 : 0].node];
            int k;
            if (u->in[0].node == n->id && u->in[1].node == n->id)
                return;
            if (!per_channel_const(other, ndim, channels)) {
                /* XNOR-Net input scaling: an input-dependent K-map */
                const ir_shape *ks = &other->shape[0];
                if (other->op != IR_OP_CONST && ks->ndim == ndim && ks->d[1] == 1)
                    b->xnor_input_scale = 1;
                return;
            }
            if (!b->scale) {
                b->scale = copy_vector(other, channels);
            } else {
                for (k = 0; k < channels; k++)
                    b->scale[k] *= other->a.c.f[k];
            }
        } else {
            return;
        }
        /* n takes u's place: u's uses now read n */
        ir_node_merge_name(n, u->name);
        ir_replace_uses(g, (ir_ref){u->id, 0}, (ir_ref){n->id, 0});
        u->dead = 1;
        if (!ir_shape_equal(&u->shape[0], &n->shape[0]))
            BNNC_BUG("absorbed op changed the shape");
    }
}

/* Turn conv/dense node n into a BCONV/BDENSE with input `src`. */
static void make_binary(ir_graph *g, ir_node *n, ir_op op, ir_ref src)
{
    n->op = op;
    ir_node_set_inputs(g, n, 1, &src);
}

/* Take a constant pad in front of a layer that binarizes its own input
 * (v1, v2 converted): padding value c becomes sign(c). */
static ir_ref absorb_sign_pad(ir_graph *g, ir_node *n, ir_ref data,
                              ir_bin_attr *b)
{
    ir_node *p = g->nodes[data.node];
    int pad[2];
    if (b->conv.pad[0] || b->conv.pad[1] || !symmetric_hw_pad(p, pad))
        return data;
    b->conv.pad[0] = pad[0];
    b->conv.pad[1] = pad[1];
    b->pad_mode = p->a.pad.value < 0 ? IR_PAD_MINUS_ONE : IR_PAD_PLUS_ONE;
    ir_node_merge_name(n, p->name);
    return p->in[0];
}

static int bias_of(ir_graph *g, ir_node *n, int slot, ir_bin_attr *b,
                   int64_t channels)
{
    ir_node *c;
    if (n->n_in <= slot)
        return 0;
    c = g->nodes[n->in[slot].node];
    if (c->op != IR_OP_CONST || !c->a.c.f)
        return ir_node_errf(g, n, NULL, "bias is not a constant");
    b->bias = copy_vector(c, channels);
    b->stored_bytes += c->a.c.stored_bytes;
    return 0;
}

/* Convolution / FullyConnected with +-1 weights (v2 raw and similar). */
static void rewrite_pattern(ir_graph *g, ir_node *n)
{
    int is_conv = n->op == IR_OP_CONV;
    ir_node *wc = g->nodes[n->in[1].node];
    ir_ref data = n->in[0];
    ir_node *d = g->nodes[data.node];
    ir_bin_attr b;
    int pad[2];
    int64_t channels;

    if (wc->op != IR_OP_CONST || !is_pm1(g, n->in[1]))
        return;
    memset(&b, 0, sizeof b);
    b.origin = "sign-pattern";
    b.divisor = 1;
    if (is_conv) {
        b.conv = n->a.conv;
        channels = b.conv.num_filter;
        if (!b.conv.pad[0] && !b.conv.pad[1] && symmetric_hw_pad(d, pad) &&
            (d->a.pad.value == -1.0 || d->a.pad.value == 0.0 ||
             d->a.pad.value == 1.0) &&
            is_pm1(g, d->in[0])) {
            b.conv.pad[0] = pad[0];
            b.conv.pad[1] = pad[1];
            b.pad_mode = d->a.pad.value < 0 ? IR_PAD_MINUS_ONE
                         : d->a.pad.value > 0 ? IR_PAD_PLUS_ONE : IR_PAD_ZERO;
            b.w_shape = wc->a.c.shape;
            ir_node_merge_name(n, d->name);
            data = sign_source(g, d->in[0], n);
        } else if (is_pm1(g, data)) {
            b.pad_mode = b.conv.pad[0] || b.conv.pad[1] ? IR_PAD_ZERO
                                                         : IR_PAD_PLUS_ONE;
            data = sign_source(g, data, n);
        } else {
            n->weight_only_binary = 1;
            return;
        }
    } else {
        const ir_shape *xs = &d->shape[data.out];
        b.dense = n->a.dense;
        channels = b.dense.num_hidden;
        if (!b.dense.flatten && xs->ndim > 2)
            return; /* per-row dense over the last axis stays float */
        if (!is_pm1(g, data)) {
            n->weight_only_binary = 1;
            return;
        }
        data = sign_source(g, data, n);
    }
    take_weight_info(&b, wc);
    b.w = sign_weights(wc);
    if (bias_of(g, n, 2, &b, channels))
        BNNC_BUG("bias of '%s' is not constant after folding", n->name);
    n->a.b = b;
    make_binary(g, n, is_conv ? IR_OP_BCONV : IR_OP_BDENSE, data);
}

int pass_binarize(ir_graph *g, bnnc_err *err)
{
    size_t i;
    (void)err;
    for (i = 0; i < g->n; i++) {
        ir_node *n = g->nodes[i];
        if (n->dead)
            continue;
        if (n->op == IR_OP_CONV || n->op == IR_OP_DENSE)
            rewrite_pattern(g, n);
        if (n->op == IR_OP_BCONV || n->op == IR_OP_BDENSE) {
            if (n->op == IR_OP_BCONV) {
                ir_ref data = absorb_sign_pad(g, n, n->in[0], &n->a.b);
                if (data.node != n->in[0].node || data.out != n->in[0].out)
                    make_binary(g, n, IR_OP_BCONV, data);
            }
            absorb_output_ops(g, n);
        }
    }
    ir_mark_dead(g);
    ir_compact(g);
    return 0;
}
