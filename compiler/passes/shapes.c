/*
 * shapes.c - shape inference with MXNet's rules (mxnet-format.md section 4).
 *
 * Requires: legalize. Establishes: every live node has n_out shapes; every
 * parameter bound to an op has the shape that op needs (weights of packed
 * binary layers: the number of words their layout needs).
 */
#include "passes.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/mem.h"

/* Largest tensor bnnc handles: runtime kernels index with int32. */
#define MAX_ELEMENTS ((int64_t)INT32_MAX)
#define MAX_DIM ((int64_t)1 << 40)

static const ir_shape *in_shape(const ir_graph *g, const ir_node *n, int i)
{
    const ir_node *src = g->nodes[n->in[i].node];
    return &src->shape[n->in[i].out];
}

static int set_shape(ir_node *n, const ir_shape *s)
{
    int i;
    if (!n->shape)
        n->shape = xcalloc((size_t)n->n_out, sizeof *n->shape);
    for (i = 0; i < n->n_out; i++)
        n->shape[i] = *s;
    return 0;
}

static char *sstr(const ir_shape *s, char *buf)
{
    return ir_shape_str(s, buf, 96);
}

/* Normalise a possibly negative axis against ndim; -1 if out of range. */
static int norm_axis(int axis, int ndim)
{
    if (axis < 0)
        axis += ndim;
    return axis >= 0 && axis < ndim ? axis : -1;
}

/* The data input whose shape decides dimension 1 of a conv/dense weight
 * of n (input channels, or features per sample): the graph input reached
 * from n's data operand through ops that carry that dimension over (for a
 * dense layer, everything but another dense layer, a reshape or a global
 * reduction; for a conv, only ops that keep the channels). NULL when a
 * layer of the model decides it. */
static const ir_node *deciding_input(const ir_graph *g, const ir_node *n)
{
    int dense = n->op != IR_OP_CONV;
    const ir_node *x = g->nodes[n->in[0].node];
    while (x->op != IR_OP_INPUT) {
        switch (x->op) {
        case IR_OP_CONST: case IR_OP_DENSE: case IR_OP_BDENSE: case IR_OP_RESHAPE:
        case IR_OP_MEAN: case IR_OP_FULL: case IR_OP_FRONTEND:
        case IR_OP_TRANSPOSE: case IR_OP_SWAPAXIS: case IR_OP_SLICE_AXIS: case IR_OP_SPLIT:
            return NULL;
        case IR_OP_CONV: case IR_OP_BCONV: case IR_OP_CONCAT: case IR_OP_FLATTEN:
            if (!dense)
                return NULL;
            break;
        case IR_OP_POOL:
            if (dense && x->a.pool.global)
                return NULL;
            break;
        default:
            break;
        }
        if (x->n_in < 1)
            return NULL;
        x = g->nodes[x->in[0].node];
    }
    return x;
}

/* Check that parameter input i of n has shape `want`. A weight that does
 * not fit the data n gets from an --input shape is reported as that
 * input's mismatch; a weight computed from a parameter (det_sign(W)) is
 * named by the parameter. */
static int check_param(const ir_graph *g, const ir_node *n, int i,
                       const ir_shape *want, const char *what, bnnc_err *err)
{
    const ir_node *p = g->nodes[n->in[i].node];
    const ir_shape *have = in_shape(g, n, i);
    const ir_node *w = p, *input;
    char a[96], b[96], via[160] = "";
    int d;
    if (ir_shape_equal(have, want))
        return 0;
    /* a 1-D parameter with the right number of elements is accepted for
     * per-channel vectors written as (C, 1, 1) and the like */
    if (want->ndim == 1 && ir_shape_count(have) == want->d[0])
        return 0;
    while (w->op != IR_OP_CONST && w->n_in == 1)
        w = g->nodes[w->in[0].node];
    if (w != p && w->op == IR_OP_CONST)
        snprintf(via, sizeof via, " (through '%s')", p->name);
    else
        w = p;
    for (d = 0; d < want->ndim && have->ndim == want->ndim; d++)
        if (d != 1 && have->d[d] != want->d[d])
            break;
    if (i == 1 && want->ndim >= 2 && d == want->ndim && (input = deciding_input(g, n))) {
        const ir_shape *s = &input->shape[0];
        char dims[96] = "";
        size_t len = 0;
        for (d = 0; d < s->ndim && len < sizeof dims; d++)
            len += (size_t)snprintf(dims + len, sizeof dims - len, "%s%lld", d ? "," : "",
                                    (long long)s->d[d]);
        return ir_node_errf(g, n, err,
                            "input shape mismatch: --input %s=%s gives this node %lld %s "
                            "per sample, its %s '%s'%s takes %lld (shape %s); "
                            "is --input the shape the model was made for?",
                            input->name, dims, (long long)want->d[1],
                            want->ndim == 2 ? "features" : "channels", what, w->name, via,
                            (long long)have->d[1], sstr(have, a));
    }
    return ir_node_errf(g, n, err, "%s '%s'%s has shape %s, expected %s", what,
                        w->name, via, sstr(have, a), sstr(want, b));
}

static ir_shape shape1(int64_t a)
{
    ir_shape s;
    memset(&s, 0, sizeof s);
    s.ndim = 1;
    s.d[0] = a;
    return s;
}

static int need_4d(const ir_graph *g, const ir_node *n, const ir_shape *x,
                   bnnc_err *err)
{
    char a[96];
    if (x->ndim != 4)
        return ir_node_errf(g, n, err,
                            "needs a 4-D (N, C, H, W) input, got %s",
                            sstr(x, a));
    return 0;
}

/* Convolution output shape; weights (slot 1) and bias (slot 2) are
 * checked unless the node holds its own (check_params 0: BCONV). */
static int infer_conv(ir_graph *g, ir_node *n, const ir_conv_attr *c, int check_params,
                      bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    ir_shape out, w;
    char a[96];
    int64_t cg;
    if (need_4d(g, n, x, err))
        return -1;
    if (x->d[1] % c->num_group)
        return ir_node_errf(g, n, err,
                            "input has %lld channels, not divisible by "
                            "num_group %d",
                            (long long)x->d[1], c->num_group);
    cg = x->d[1] / c->num_group;
    out = *x;
    out.d[1] = c->num_filter;
    out.d[2] = ir_conv_out_size(x->d[2], c->kernel[0], c->stride[0], c->pad[0], c->dilate[0]);
    out.d[3] = ir_conv_out_size(x->d[3], c->kernel[1], c->stride[1], c->pad[1], c->dilate[1]);
    if (out.d[2] < 1 || out.d[3] < 1)
        return ir_node_errf(g, n, err,
                            "kernel (%d, %d) with dilation (%d, %d) and pad "
                            "(%d, %d) does not fit input %s",
                            c->kernel[0], c->kernel[1], c->dilate[0],
                            c->dilate[1], c->pad[0], c->pad[1], sstr(x, a));
    if (check_params) {
        memset(&w, 0, sizeof w);
        w.ndim = 4;
        w.d[0] = c->num_filter;
        w.d[1] = cg;
        w.d[2] = c->kernel[0];
        w.d[3] = c->kernel[1];
        if (check_param(g, n, 1, &w, "weight", err))
            return -1;
        if (!c->no_bias) {
            ir_shape b = shape1(c->num_filter);
            if (check_param(g, n, 2, &b, "bias", err))
                return -1;
        }
    }
    return set_shape(n, &out);
}

static int infer_dense(ir_graph *g, ir_node *n, const ir_dense_attr *d, int check_params,
                       bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    ir_shape out, w;
    int64_t k;
    char a[96];
    if (x->ndim < 1)
        return ir_node_errf(g, n, err, "input %s has no axes", sstr(x, a));
    memset(&out, 0, sizeof out);
    if (d->flatten) {
        /* axis 0 stays, the rest is one feature axis: a length-d vector
         * is d rows of one feature (MXNet 1.9.1: weight (h, 1), output
         * (d, h)) */
        k = x->ndim == 1 ? 1 : ir_shape_count(x) / (x->d[0] ? x->d[0] : 1);
        out.ndim = 2;
        out.d[0] = x->d[0];
        out.d[1] = d->num_hidden;
    } else {
        /* over the last axis, the others kept (a vector gives (h,)) */
        k = x->d[x->ndim - 1];
        out = *x;
        out.d[x->ndim - 1] = d->num_hidden;
    }
    if (check_params) {
        memset(&w, 0, sizeof w);
        w.ndim = 2;
        w.d[0] = d->num_hidden;
        w.d[1] = k;
        if (check_param(g, n, 1, &w, "weight", err))
            return -1;
        if (!d->no_bias) {
            ir_shape b = shape1(d->num_hidden);
            if (check_param(g, n, 2, &b, "bias", err))
                return -1;
        }
    }
    return set_shape(n, &out);
}

static int infer_pool(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_pool_attr *p = &n->a.pool;
    const ir_shape *x = in_shape(g, n, 0);
    ir_shape out;
    int i;
    char a[96];
    if (need_4d(g, n, x, err))
        return -1;
    out = *x;
    for (i = 0; i < 2; i++) {
        int64_t in = x->d[2 + i], padded = in + 2 * (int64_t)p->pad[i];
        int k = p->kernel[i], s = p->stride[i];
        if (p->global) {
            out.d[2 + i] = 1;
            continue;
        }
        if (padded < k)
            return ir_node_errf(g, n, err,
                                "kernel (%d, %d) with pad (%d, %d) is larger "
                                "than input %s",
                                p->kernel[0], p->kernel[1], p->pad[0],
                                p->pad[1], sstr(x, a));
        if (p->pad[i] >= k)
            return ir_node_errf(g, n, err,
                                "pad %d must be smaller than kernel %d",
                                p->pad[i], k);
        if (p->convention == IR_POOL_VALID)
            out.d[2 + i] = (padded - k) / s + 1;
        else
            out.d[2 + i] = (padded - k + s - 1) / s + 1;
    }
    return set_shape(n, &out);
}

/* NumPy broadcasting of two shapes (right-aligned). */
static int broadcast(const ir_graph *g, const ir_node *n, const ir_shape *a,
                     const ir_shape *b, ir_shape *out, bnnc_err *err)
{
    int nd = a->ndim > b->ndim ? a->ndim : b->ndim, i;
    char s1[96], s2[96];
    memset(out, 0, sizeof *out);
    out->ndim = nd;
    for (i = 0; i < nd; i++) {
        int ia = a->ndim - nd + i, ib = b->ndim - nd + i;
        int64_t da = ia >= 0 ? a->d[ia] : 1, db = ib >= 0 ? b->d[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return ir_node_errf(g, n, err,
                                "shapes %s and %s cannot be broadcast",
                                sstr(a, s1), sstr(b, s2));
        out->d[i] = da == 1 ? db : da;
    }
    return 0;
}

/* MXNet Reshape with special codes 0, -1, -2, -3, -4 (and reverse). */
static int infer_reshape(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_reshape_attr *r = &n->a.reshape;
    const ir_shape *x = in_shape(g, n, 0);
    int64_t src[IR_MAX_DIMS], par[IR_MAX_INTS], out[IR_MAX_INTS];
    int ns = x->ndim, np = r->shape.n, no = 0, si = 0, inf = -1, i;
    int64_t prod = 1, total = ir_shape_count(x);
    ir_shape res;
    char a[96];

    for (i = 0; i < ns; i++)
        src[i] = r->reverse ? x->d[ns - 1 - i] : x->d[i];
    for (i = 0; i < np; i++)
        par[i] = r->reverse ? r->shape.v[np - 1 - i] : r->shape.v[i];
    for (i = 0; i < np; i++) {
        int64_t v = par[i];
        if (no >= IR_MAX_DIMS)
            goto bad;
        if (v == 0) {
            if (si >= ns)
                goto bad;
            out[no++] = src[si++];
        } else if (v == -1) {
            if (inf >= 0)
                return ir_node_errf(g, n, err, "shape has more than one -1");
            inf = no;
            out[no++] = 1;
            si++;
        } else if (v == -2) {
            while (si < ns && no < IR_MAX_DIMS)
                out[no++] = src[si++];
        } else if (v == -3) {
            if (si + 1 >= ns)
                goto bad;
            out[no++] = src[si] * src[si + 1];
            si += 2;
        } else if (v == -4) {
            int64_t d0, d1, d2;
            if (i + 2 >= np || si >= ns || no + 1 >= IR_MAX_DIMS)
                goto bad;
            d0 = src[si++];
            d1 = par[++i];
            d2 = par[++i];
            if (d1 == -1 && d2 == -1)
                goto bad;
            if (d1 == -1)
                d1 = d2 ? d0 / d2 : 0;
            if (d2 == -1)
                d2 = d1 ? d0 / d1 : 0;
            if (d1 <= 0 || d2 <= 0 || d1 * d2 != d0)
                goto bad;
            out[no++] = d1;
            out[no++] = d2;
        } else if (v > 0) {
            out[no++] = v;
            si++;
        } else {
            goto bad;
        }
    }
    for (i = 0; i < no; i++)
        if (i != inf)
            prod *= out[i];
    if (inf >= 0) {
        if (prod == 0 || total % prod)
            goto bad;
        out[inf] = total / prod;
        prod *= out[inf];
    }
    if (prod != total)
        goto bad;
    memset(&res, 0, sizeof res);
    res.ndim = no;
    for (i = 0; i < no; i++)
        res.d[i] = r->reverse ? out[no - 1 - i] : out[i];
    return set_shape(n, &res);
bad:
    return ir_node_errf(g, n, err, "cannot reshape %s with the given shape",
                        sstr(x, a));
}

static int infer_mean(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_mean_attr *m = &n->a.mean;
    const ir_shape *x = in_shape(g, n, 0);
    int reduce[IR_MAX_DIMS] = {0}, i;
    ir_shape out;
    for (i = 0; i < m->axes.n; i++) {
        int ax = norm_axis(m->axes.v[i], x->ndim);
        if (ax < 0)
            return ir_node_errf(g, n, err, "axis %d is out of range",
                                m->axes.v[i]);
        reduce[ax] = 1;
    }
    for (i = 0; i < x->ndim; i++) {
        if (m->axes.n == 0)
            reduce[i] = 1;
        else if (m->exclude)
            reduce[i] = !reduce[i];
    }
    memset(&out, 0, sizeof out);
    for (i = 0; i < x->ndim; i++) {
        if (!reduce[i])
            out.d[out.ndim++] = x->d[i];
        else if (m->keepdims)
            out.d[out.ndim++] = 1;
    }
    if (out.ndim == 0) {
        out.ndim = 1;
        out.d[0] = 1;
    }
    return set_shape(n, &out);
}

/* ---- one shape function per op (the shape column of ops.def) ------------- */

static int shape_input(ir_graph *g, ir_node *n, bnnc_err *err)
{
    (void)g;
    (void)err;
    BNNC_ASSERT(n->shape); /* set from --input by pass_shapes */
    return 0;
}

static int shape_const(ir_graph *g, ir_node *n, bnnc_err *err)
{
    (void)g;
    (void)err;
    return set_shape(n, &n->a.c.shape);
}

static int shape_frontend(ir_graph *g, ir_node *n, bnnc_err *err)
{
    return n->a.fe.op->shape(g, n, err);
}

static int shape_conv(ir_graph *g, ir_node *n, bnnc_err *err)
{
    return infer_conv(g, n, &n->a.conv, 1, err);
}

/* Transposed convolution: out = stride * (in - 1) + dilate * (kernel - 1)
 * + 1 - 2 * pad + adj per axis. A target size sets pad and adj instead, as
 * MXNet derives them: the excess e = (full size - target) gives pad
 * ceil(e / 2) and adj e mod 2; the target is then cleared. */
static int shape_deconv(ir_graph *g, ir_node *n, bnnc_err *err)
{
    ir_deconv_attr *c = &n->a.deconv;
    const ir_shape *x = in_shape(g, n, 0);
    ir_shape out, w;
    char a[96];
    int i;
    if (need_4d(g, n, x, err))
        return -1;
    if (x->d[1] % c->num_group || c->num_filter % c->num_group)
        return ir_node_errf(g, n, err, "%lld input channels and num_filter %d are not both "
                            "divisible by num_group %d",
                            (long long)x->d[1], c->num_filter, c->num_group);
    out = *x;
    out.d[1] = c->num_filter;
    for (i = 0; i < 2; i++) {
        int64_t full = (int64_t)c->stride[i] * (x->d[2 + i] - 1) +
                       (int64_t)c->dilate[i] * (c->kernel[i] - 1) + 1;
        if (c->target[0] || c->target[1]) {
            if (c->target[i] > full)
                return ir_node_errf(g, n, err, "target_shape (%d, %d) is larger than %lld "
                                    "along axis %d", c->target[0], c->target[1],
                                    (long long)full, 2 + i);
            c->adj[i] = (int)((full - c->target[i]) % 2);
            c->pad[i] = (int)((full - c->target[i] + 1) / 2);
        }
        out.d[2 + i] = full - 2 * (int64_t)c->pad[i] + c->adj[i];
        if (out.d[2 + i] < 1)
            return ir_node_errf(g, n, err, "pad (%d, %d) leaves no output for input %s",
                                c->pad[0], c->pad[1], sstr(x, a));
    }
    c->target[0] = c->target[1] = 0;
    memset(&w, 0, sizeof w);
    w.ndim = 4;
    w.d[0] = x->d[1];
    w.d[1] = c->num_filter / c->num_group;
    w.d[2] = c->kernel[0];
    w.d[3] = c->kernel[1];
    if (check_param(g, n, 1, &w, "weight", err))
        return -1;
    if (!c->no_bias) {
        ir_shape b = shape1(c->num_filter);
        if (check_param(g, n, 2, &b, "bias", err))
            return -1;
    }
    return set_shape(n, &out);
}

static int shape_bconv(ir_graph *g, ir_node *n, bnnc_err *err)
{
    return infer_conv(g, n, &n->a.b.conv, 0, err);
}

static int shape_dense(ir_graph *g, ir_node *n, bnnc_err *err)
{
    return infer_dense(g, n, &n->a.dense, 1, err);
}

static int shape_bdense(ir_graph *g, ir_node *n, bnnc_err *err)
{
    return infer_dense(g, n, &n->a.b.dense, 0, err);
}

static int shape_batchnorm(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    int ax = norm_axis(n->a.bn.axis, x->ndim), i;
    ir_shape c;
    char a[96];
    if (ax < 0)
        return ir_node_errf(g, n, err, "axis %d is out of range for %s", n->a.bn.axis,
                            sstr(x, a));
    c = shape1(x->d[ax]);
    for (i = 1; i < 5; i++)
        if (check_param(g, n, i, &c,
                        i == 1   ? "gamma"
                        : i == 2 ? "beta"
                        : i == 3 ? "moving_mean"
                                 : "moving_var",
                        err))
            return -1;
    return set_shape(n, x);
}

static int shape_leaky(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    char a[96];
    if (n->a.act.act == IR_ACT_PRELU) {
        const ir_shape *gs = in_shape(g, n, 1);
        int64_t cnt = ir_shape_count(gs);
        if (x->ndim < 2 ? cnt != 1 : (cnt != 1 && cnt != x->d[1]))
            return ir_node_errf(g, n, err, "gamma has shape %s; PReLU needs 1 or %lld values",
                                sstr(gs, a), (long long)(x->ndim < 2 ? 1 : x->d[1]));
    }
    return set_shape(n, x);
}

/* The output is shaped like input 0. */
static int shape_same(ir_graph *g, ir_node *n, bnnc_err *err)
{
    (void)err;
    return set_shape(n, in_shape(g, n, 0));
}

static int shape_softmax(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    char a[96];
    if (n->a.softmax.mode == IR_SOFTMAX_AXIS && norm_axis(n->a.softmax.axis, x->ndim) < 0)
        return ir_node_errf(g, n, err, "axis %d is out of range for %s", n->a.softmax.axis,
                            sstr(x, a));
    if (n->a.softmax.mode == IR_SOFTMAX_CHANNEL && x->ndim < 2)
        return ir_node_errf(g, n, err, "channel softmax of %s", sstr(x, a));
    return set_shape(n, x);
}

/* Elementwise over equal shapes, or NumPy broadcasting (broadcast_*). */
static int shape_elementwise(ir_graph *g, ir_node *n, bnnc_err *err)
{
    ir_shape out = *in_shape(g, n, 0);
    char a[96], b[96];
    int i;
    for (i = 1; i < n->n_in; i++) {
        const ir_shape *y = in_shape(g, n, i);
        if (n->a.binary.broadcast && n->n_in == 2) {
            ir_shape lhs = out;
            if (broadcast(g, n, &lhs, y, &out, err))
                return -1;
        } else if (!ir_shape_equal(&out, y)) {
            return ir_node_errf(g, n, err, "input shapes %s and %s differ", sstr(&out, a),
                                sstr(y, b));
        }
    }
    return set_shape(n, &out);
}

static int shape_pool(ir_graph *g, ir_node *n, bnnc_err *err)
{
    return infer_pool(g, n, err);
}

static int shape_concat(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    int ax = norm_axis(n->a.concat.dim, x->ndim), i;
    ir_shape out;
    char a[96], b[96];
    if (ax < 0)
        return ir_node_errf(g, n, err, "dim %d is out of range for %s", n->a.concat.dim,
                            sstr(x, a));
    out = *x;
    for (i = 1; i < n->n_in; i++) {
        const ir_shape *y = in_shape(g, n, i);
        int k, ok = y->ndim == x->ndim;
        for (k = 0; ok && k < x->ndim; k++)
            ok = k == ax || y->d[k] == x->d[k];
        if (!ok)
            return ir_node_errf(g, n, err,
                                "input %d has shape %s, incompatible with %s along dim %d", i,
                                sstr(y, a), sstr(x, b), ax);
        out.d[ax] += y->d[ax];
    }
    return set_shape(n, &out);
}

/* Nearest upsampling: the first input's height and width times scale;
 * every other input must divide that size by one integer along both axes.
 * Channels add up (concatenation) or must agree (sum). */
static int shape_upsample(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    ir_shape out;
    char a[96];
    int i;
    if (need_4d(g, n, x, err))
        return -1;
    out = *x;
    out.d[2] = x->d[2] * n->a.upsample.scale;
    out.d[3] = x->d[3] * n->a.upsample.scale;
    for (i = 1; i < n->n_in; i++) {
        const ir_shape *y = in_shape(g, n, i);
        if (need_4d(g, n, y, err))
            return -1;
        if (y->d[0] != x->d[0] || y->d[2] < 1 || y->d[3] < 1 || out.d[2] % y->d[2] || out.d[3] % y->d[3] ||
            out.d[2] / y->d[2] != out.d[3] / y->d[3])
            return ir_node_errf(g, n, err, "input %d has shape %s: its height and width do not "
                                "divide the output's %lld x %lld by one integer", i, sstr(y, a),
                                (long long)out.d[2], (long long)out.d[3]);
        if (n->a.upsample.sum && y->d[1] != x->d[1])
            return ir_node_errf(g, n, err, "input %d has %lld channels, the first %lld: a sum "
                                "needs the same number", i, (long long)y->d[1],
                                (long long)x->d[1]);
        if (!n->a.upsample.sum)
            out.d[1] += y->d[1];
    }
    return set_shape(n, &out);
}

/* Crop: the window's size from the attribute or the second input; it must
 * fit in the input at its offset. A centred window's offset is resolved
 * here ((in - size) / 2 per axis) and center cleared. */
static int shape_crop(ir_graph *g, ir_node *n, bnnc_err *err)
{
    ir_crop_attr *c = &n->a.crop;
    const ir_shape *x = in_shape(g, n, 0);
    ir_shape out;
    char a[96];
    int i;
    if (need_4d(g, n, x, err))
        return -1;
    out = *x;
    for (i = 0; i < 2; i++) {
        int64_t size = c->size[i];
        if (n->n_in > 1) {
            const ir_shape *like = in_shape(g, n, 1);
            if (like->ndim != 4)
                return ir_node_errf(g, n, err, "the shape to crop like, %s, is not 4-D",
                                    sstr(like, a));
            size = like->d[2 + i];
        }
        if (size < 1 || size > x->d[2 + i])
            return ir_node_errf(g, n, err, "a crop of %lld along axis %d does not fit input %s",
                                (long long)size, 2 + i, sstr(x, a));
        if (c->center)
            c->offset[i] = (int)((x->d[2 + i] - size) / 2);
        if (c->offset[i] < 0 || c->offset[i] > x->d[2 + i] - size)
            return ir_node_errf(g, n, err, "offset %d along axis %d leaves the crop of %lld "
                                "outside input %s", c->offset[i], 2 + i, (long long)size,
                                sstr(x, a));
        out.d[2 + i] = size;
    }
    c->center = 0;
    return set_shape(n, &out);
}

static int shape_flatten(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    ir_shape out;
    (void)err;
    memset(&out, 0, sizeof out);
    out.ndim = 2;
    out.d[0] = x->ndim ? x->d[0] : 1;
    out.d[1] = x->ndim ? ir_shape_count(x) / (x->d[0] ? x->d[0] : 1) : 1;
    if (x->ndim == 1)
        out.d[1] = 1;
    return set_shape(n, &out);
}

static int shape_reshape(ir_graph *g, ir_node *n, bnnc_err *err)
{
    return infer_reshape(g, n, err);
}

static int shape_transpose(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    const ir_transpose_attr *t = &n->a.transpose;
    int seen[IR_MAX_DIMS] = {0}, i;
    ir_shape out = *x;
    char a[96];
    if (t->axes.n && t->axes.n != x->ndim)
        return ir_node_errf(g, n, err, "axes have %d entries for %s", t->axes.n, sstr(x, a));
    for (i = 0; i < x->ndim; i++) {
        int ax = t->axes.n ? norm_axis(t->axes.v[i], x->ndim) : x->ndim - 1 - i;
        if (ax < 0 || seen[ax]++)
            return ir_node_errf(g, n, err, "axes are not a permutation");
        out.d[i] = x->d[ax];
    }
    return set_shape(n, &out);
}

static int shape_swapaxis(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    int d1 = norm_axis(n->a.swapaxis.dim1, x->ndim);
    int d2 = norm_axis(n->a.swapaxis.dim2, x->ndim);
    ir_shape out = *x;
    int64_t t;
    char a[96];
    if (d1 < 0 || d2 < 0)
        return ir_node_errf(g, n, err, "dims out of range for %s", sstr(x, a));
    t = out.d[d1];
    out.d[d1] = out.d[d2];
    out.d[d2] = t;
    return set_shape(n, &out);
}

static int shape_topk(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    ir_topk_attr *t = &n->a.topk;
    ir_shape out;
    char a[96];
    int ax = norm_axis(t->axis, x->ndim), i;
    if (ax < 0)
        return ir_node_errf(g, n, err, "axis %d is out of range for %s", t->axis, sstr(x, a));
    if (t->k < 1 || t->k > x->d[ax])
        return ir_node_errf(g, n, err, "k = %d with %lld elements along axis %d", t->k,
                            (long long)x->d[ax], ax);
    if (!t->keepdims && t->k != 1)
        return ir_node_errf(g, n, err, "dropping the axis needs k = 1");
    t->axis = ax;
    out = *x;
    out.d[ax] = t->k;
    if (!t->keepdims) {
        for (i = ax; i + 1 < x->ndim; i++)
            out.d[i] = out.d[i + 1];
        out.ndim--;
    }
    return set_shape(n, &out);
}

/* (N, C, rows, cols) of a gather; every index is -1 or inside the input. */
static int shape_gather_hw(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    ir_shape out;
    int i;
    if (need_4d(g, n, x, err))
        return -1;
    out = *x;
    for (i = 0; i < 2; i++) {
        const ir_node *m = g->nodes[n->in[1 + i].node];
        int64_t k, cnt;
        if (m->op != IR_OP_CONST || !m->a.c.f)
            return ir_node_errf(g, n, err, "the %s map is not a constant", i ? "column" : "row");
        cnt = ir_shape_count(&m->a.c.shape);
        if (cnt < 1 || cnt > INT32_MAX / 4)
            return ir_node_errf(g, n, err, "the %s map has %lld entries", i ? "column" : "row",
                                (long long)cnt);
        for (k = 0; k < cnt; k++) {
            float v = m->a.c.f[k];
            if (!(v >= -1 && v < (float)x->d[2 + i]) || v != (float)(int32_t)v)
                return ir_node_errf(g, n, err, "%s map entry %lld (%g) is outside the input",
                                    i ? "column" : "row", (long long)k, (double)v);
        }
        out.d[2 + i] = cnt;
    }
    return set_shape(n, &out);
}

static int shape_pad(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    const ir_ints *w = &n->a.pad.width;
    ir_shape out;
    char a[96];
    int i;
    if (x->ndim != 4 && x->ndim != 5)
        return ir_node_errf(g, n, err, "needs a 4-D or 5-D input, got %s", sstr(x, a));
    if (w->n != 2 * x->ndim)
        return ir_node_errf(g, n, err, "pad_width has %d entries, expected %d", w->n,
                            2 * x->ndim);
    if (w->v[0] || w->v[1] || ((w->v[2] || w->v[3]) && x->ndim != 4))
        return ir_node_errf(g, n, err, "padding the batch or channel axis is not supported");
    if ((w->v[2] || w->v[3]) && (w->v[4] || w->v[5] || w->v[6] || w->v[7]))
        return ir_node_errf(g, n, err, "padding the channels together with the image is not "
                            "supported");
    out = *x;
    for (i = 0; i < x->ndim; i++)
        out.d[i] += w->v[2 * i] + w->v[2 * i + 1];
    return set_shape(n, &out);
}

static int shape_slice(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    const ir_slice_attr *s = &n->a.slice;
    int ax = norm_axis(s->axis, x->ndim);
    int64_t dim, lo, hi;
    ir_shape out;
    if (ax < 0)
        return ir_node_errf(g, n, err, "axis %d is out of range", s->axis);
    dim = x->d[ax];
    lo = s->begin < 0 ? s->begin + dim : s->begin;
    hi = s->end == INT_MIN ? dim : s->end < 0 ? s->end + dim : s->end;
    if (lo < 0 || hi > dim || lo >= hi)
        return ir_node_errf(g, n, err, "slice [%d, %d) is out of range for axis of size %lld",
                            s->begin, s->end, (long long)dim);
    out = *x;
    out.d[ax] = hi - lo;
    return set_shape(n, &out);
}

static int shape_split(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    const ir_split_attr *s = &n->a.split;
    int ax = norm_axis(s->axis, x->ndim), i;
    ir_shape out;
    char a[96];
    if (ax < 0 || x->d[ax] % s->num_outputs)
        return ir_node_errf(g, n, err, "cannot split %s into %d along axis %d", sstr(x, a),
                            s->num_outputs, s->axis);
    out = *x;
    out.d[ax] /= s->num_outputs;
    if (s->squeeze_axis) {
        if (out.d[ax] != 1)
            return ir_node_errf(g, n, err, "squeeze_axis needs outputs of size 1");
        for (i = ax; i + 1 < out.ndim; i++)
            out.d[i] = out.d[i + 1];
        out.ndim--;
    }
    return set_shape(n, &out);
}

static int shape_mean(ir_graph *g, ir_node *n, bnnc_err *err)
{
    return infer_mean(g, n, err);
}

static int shape_full(ir_graph *g, ir_node *n, bnnc_err *err)
{
    (void)g;
    (void)err;
    return set_shape(n, &n->a.full.shape);
}

/* ---- int8 operators: NHWC shapes (ops.def) ----------------------------- */

/* float (N, C, H, W) -> int8 (N, H, W, C); other ranks keep their shape */
static int shape_quantize(ir_graph *g, ir_node *n, bnnc_err *err)
{
    ir_shape out = *in_shape(g, n, 0);
    (void)err;
    if (out.ndim == 4) {
        const ir_shape *x = in_shape(g, n, 0);
        out.d[1] = x->d[2], out.d[2] = x->d[3], out.d[3] = x->d[1];
    }
    return set_shape(n, &out);
}

/* int8 (N, H, W, C) -> float (N, C, H, W) */
static int shape_dequantize(ir_graph *g, ir_node *n, bnnc_err *err)
{
    ir_shape out = *in_shape(g, n, 0);
    (void)err;
    if (out.ndim == 4) {
        const ir_shape *x = in_shape(g, n, 0);
        out.d[1] = x->d[3], out.d[2] = x->d[1], out.d[3] = x->d[2];
    }
    return set_shape(n, &out);
}

/* Convolution, depthwise convolution or pooling window over an NHWC
 * input with explicit padding (top, bottom, left, right). */
static int shape_window_i8(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    const ir_i8_attr *a = &n->a.i8;
    ir_shape out;
    char s[96];
    int64_t c;
    if (x->ndim != 4)
        return ir_node_errf(g, n, err, "needs a 4-D (NHWC) input, got %s", sstr(x, s));
    out = *x;
    out.d[1] = ir_conv_out_size(x->d[1] + a->pad[0] + a->pad[1], a->kernel[0], a->stride[0], 0,
                                a->dilate[0]);
    out.d[2] = ir_conv_out_size(x->d[2] + a->pad[2] + a->pad[3], a->kernel[1], a->stride[1], 0,
                                a->dilate[1]);
    if (out.d[1] < 1 || out.d[2] < 1)
        return ir_node_errf(g, n, err, "the window does not fit the input %s", sstr(x, s));
    c = n->op == IR_OP_POOL_I8 ? x->d[3] : a->out_c;
    if (n->op == IR_OP_CONV_I8 && (a->w_shape.d[3] < 1 || x->d[3] % a->w_shape.d[3]))
        return ir_node_errf(g, n, err, "the filter takes %lld channels per group, the input "
                            "has %lld", (long long)a->w_shape.d[3], (long long)x->d[3]);
    if (n->op == IR_OP_DWCONV_I8 && x->d[3] * a->mult != a->out_c)
        return ir_node_errf(g, n, err, "%d outputs for %lld channels at multiplier %d",
                            a->out_c, (long long)x->d[3], a->mult);
    out.d[3] = c;
    return set_shape(n, &out);
}

static int shape_dense_i8(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    ir_shape out;
    char s[96];
    if (x->ndim != 2 || x->d[1] != n->a.i8.w_shape.d[1])
        return ir_node_errf(g, n, err, "input %s for weights taking %lld inputs", sstr(x, s),
                            (long long)n->a.i8.w_shape.d[1]);
    out = *x;
    out.d[1] = n->a.i8.out_c;
    return set_shape(n, &out);
}

/* Padding along H and W (the widths of the other axes are 0). */
static int shape_pad_i8(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    const ir_ints *w = &n->a.i8.width;
    ir_shape out = *x;
    char s[96];
    int i;
    if (x->ndim != 4 || w->n != 8 || w->v[0] || w->v[1] || w->v[6] || w->v[7])
        return ir_node_errf(g, n, err, "only padding H and W of a 4-D tensor is supported, "
                            "got %s", sstr(x, s));
    for (i = 0; i < 4; i++)
        out.d[i] += w->v[2 * i] + w->v[2 * i + 1];
    return set_shape(n, &out);
}

/* Mean over H and W: (N, C), or (N, 1, 1, C) with keepdims. */
static int shape_mean_i8(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    ir_shape out = *x;
    char s[96];
    if (x->ndim != 4)
        return ir_node_errf(g, n, err, "needs a 4-D (NHWC) input, got %s", sstr(x, s));
    if (n->a.i8.keepdims) {
        out.d[1] = out.d[2] = 1;
    } else {
        out.ndim = 2;
        out.d[1] = x->d[3];
    }
    return set_shape(n, &out);
}

static int shape_concat_i8(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const ir_shape *x = in_shape(g, n, 0);
    int ax = norm_axis(n->a.i8.axis, x->ndim), i, k;
    ir_shape out = *x;
    char a[96], b[96];
    if (ax < 0)
        return ir_node_errf(g, n, err, "axis %d is out of range for %s", n->a.i8.axis,
                            sstr(x, a));
    for (i = 1; i < n->n_in; i++) {
        const ir_shape *y = in_shape(g, n, i);
        int ok = y->ndim == x->ndim;
        for (k = 0; ok && k < x->ndim; k++)
            ok = k == ax || y->d[k] == x->d[k];
        if (!ok)
            return ir_node_errf(g, n, err, "input %d has shape %s, incompatible with %s", i,
                                sstr(y, a), sstr(x, b));
        out.d[ax] += y->d[ax];
    }
    return set_shape(n, &out);
}

typedef int (*shape_fn)(ir_graph *g, ir_node *n, bnnc_err *err);

static const shape_fn shape_of[] = {
#define OP(id, name, kind, operands, attrs, shape, lower) shape,
#include "../ir/ops.def"
#undef OP
};
_Static_assert(sizeof shape_of / sizeof *shape_of == IR_OP_COUNT,
               "shape table out of step with ops.def");

int shape_infer_node(ir_graph *g, ir_node *n, bnnc_err *err)
{
    return shape_of[n->op](g, n, err);
}

/* Reject shapes whose element counts could overflow later arithmetic. */
static int check_size(ir_graph *g, ir_node *n, bnnc_err *err)
{
    int o, i;
    for (o = 0; o < n->n_out; o++) {
        const ir_shape *s = &n->shape[o];
        int64_t c = 1;
        for (i = 0; i < s->ndim; i++) {
            if (s->d[i] < 0 || s->d[i] > MAX_DIM || (c && s->d[i] > MAX_DIM / c))
                return ir_node_errf(g, n, err, "output shape is too large");
            c *= s->d[i];
        }
        if (c == 0 && n->op != IR_OP_CONST)
            return ir_node_errf(g, n, err, "output has no elements");
        if (c > MAX_ELEMENTS)
            return ir_node_errf(g, n, err,
                                "output has %lld elements; at most %lld are "
                                "supported",
                                (long long)c, (long long)MAX_ELEMENTS);
    }
    return 0;
}

int pass_shapes(ir_graph *g, const bnnc_input *inputs, int n_inputs,
                bnnc_err *err)
{
    size_t i;
    int k, found;
    char names[512];
    size_t len = 0;

    names[0] = '\0';
    for (i = 0; i < g->n; i++) {
        ir_node *n = g->nodes[i];
        if (n->op != IR_OP_INPUT)
            continue;
        len += (size_t)snprintf(names + len, len < sizeof names ? sizeof names - len : 0,
                                "%s%s", len ? ", " : "", n->name);
        if (len >= sizeof names)
            len = sizeof names - 1;
    }
    for (k = 0; k < n_inputs; k++) {
        found = 0;
        for (i = 0; i < g->n; i++) {
            ir_node *n = g->nodes[i];
            if (n->op == IR_OP_INPUT && !strcmp(n->name, inputs[k].name)) {
                free(n->shape);
                n->shape = xcalloc(1, sizeof *n->shape);
                n->shape[0] = inputs[k].shape;
                found = 1;
            }
        }
        if (!found)
            return bnnc_errf(err,
                             "%s: --input %s: the graph has no data input of "
                             "that name (data inputs: %s)",
                             g->symbol_path, inputs[k].name,
                             names[0] ? names : "none");
    }
    for (i = 0; i < g->n; i++) {
        ir_node *n = g->nodes[i];
        if (n->dead)
            continue;
        if (n->op == IR_OP_INPUT && !n->shape)
            return bnnc_errf(err,
                             "%s: data input '%s' has no shape; pass --input "
                             "%s=N,C,H,W",
                             g->symbol_path, n->name, n->name);
        if (shape_infer_node(g, n, err) || check_size(g, n, err))
            return -1;
    }
    return 0;
}
