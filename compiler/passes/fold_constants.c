/*
 * fold_constants.c - evaluate ops whose inputs are all constants.
 *
 * Requires: shapes. Establishes: every supported op with only CONST
 * inputs is replaced by a CONST holding its value (computed in double,
 * stored as float32 like MXNet's own float32 evaluation). This turns
 * det_sign(weight) into +-1 weights and the binet/xnor per-channel scale
 * mean|W| into a constant vector, so binarize can match layers by value
 * and structure alone. A folded constant remembers the parameter it was
 * derived from (for weight-size reporting).
 */
#include "passes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../util/mem.h"

/* Row-major strides of shape s. */
static void strides(const ir_shape *s, int64_t *st)
{
    int i;
    int64_t acc = 1;
    for (i = s->ndim - 1; i >= 0; i--) {
        st[i] = acc;
        acc *= s->d[i];
    }
}

/* Index into a broadcast operand of shape `in` for output index `idx` of
 * shape `out` (right-aligned NumPy broadcasting). */
static int64_t bcast_index(const ir_shape *out, const ir_shape *in, int64_t idx)
{
    int64_t ost[IR_MAX_DIMS], ist[IR_MAX_DIMS], r = 0;
    int i;
    strides(out, ost);
    strides(in, ist);
    for (i = 0; i < out->ndim; i++) {
        int64_t c = idx / ost[i];
        int j = in->ndim - out->ndim + i;
        idx %= ost[i];
        if (j >= 0 && in->d[j] != 1)
            r += c * ist[j];
    }
    return r;
}

static double scalar_op(ir_scalar_kind k, double x, double s)
{
    switch (k) {
    case IR_SC_ADD: return x + s;
    case IR_SC_SUB: return x - s;
    case IR_SC_RSUB: return s - x;
    case IR_SC_MUL: return x * s;
    case IR_SC_DIV: return x / s;
    case IR_SC_RDIV: return s / x;
    case IR_SC_MAX: return x > s ? x : s;
    case IR_SC_MIN: return x < s ? x : s;
    case IR_SC_POW: return pow(x, s);
    }
    return x;
}

/* Activation a of x in double precision (runtime_min's act_f32.c
 * formulas; the float32 result is the correctly rounded value). */
static double act_value(ir_act_kind a, double slope, double x)
{
    switch (a) {
    case IR_ACT_RELU: return x > 0 ? x : 0.0;
    case IR_ACT_SIGMOID: return 1.0 / (1.0 + exp(-x));
    case IR_ACT_TANH: return tanh(x);
    case IR_ACT_SOFTRELU: return x > 20.0 ? x : log1p(exp(x));
    case IR_ACT_SOFTSIGN: return x / (1.0 + fabs(x));
    case IR_ACT_LEAKY: return x > 0 ? x : slope * x;
    case IR_ACT_ELU: return x > 0 ? x : slope * expm1(x);
    case IR_ACT_SELU:
        return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * expm1(x));
    case IR_ACT_GELU: return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
    case IR_ACT_PRELU: break;
    }
    BNNC_BUG("cannot fold activation %d", (int)a);
}

static int foldable(const ir_node *n)
{
    switch (n->op) {
    case IR_OP_ACT:
    case IR_OP_LEAKY:
        return n->a.act.act != IR_ACT_PRELU;
    case IR_OP_SIGN: case IR_OP_SIGN3: case IR_OP_ABS: case IR_OP_CLIP:
    case IR_OP_SCALAR: case IR_OP_ADD: case IR_OP_SUB: case IR_OP_MUL:
    case IR_OP_DIV: case IR_OP_TRANSPOSE: case IR_OP_SWAPAXIS:
    case IR_OP_RESHAPE: case IR_OP_FLATTEN: case IR_OP_MEAN: case IR_OP_FULL:
        return 1;
    default:
        return 0;
    }
}

/* Evaluate n (all inputs CONST with float data) into out (count of n's
 * output). */
static void evaluate(const ir_graph *g, const ir_node *n, float *out)
{
    const ir_shape *os = &n->shape[0];
    int64_t cnt = ir_shape_count(os), i;
    const ir_node *x = n->n_in ? g->nodes[n->in[0].node] : NULL;
    const float *xf = x ? x->a.c.f : NULL;

    switch (n->op) {
    case IR_OP_ACT:
    case IR_OP_LEAKY:
        for (i = 0; i < cnt; i++)
            out[i] = (float)act_value(n->a.act.act, (float)n->a.act.slope, xf[i]);
        return;
    case IR_OP_SIGN:
        for (i = 0; i < cnt; i++)
            out[i] = xf[i] < 0.0f ? -1.0f : 1.0f;
        return;
    case IR_OP_SIGN3:
        for (i = 0; i < cnt; i++)
            out[i] = xf[i] < 0.0f ? -1.0f : xf[i] > 0.0f ? 1.0f : 0.0f;
        return;
    case IR_OP_ABS:
        for (i = 0; i < cnt; i++)
            out[i] = fabsf(xf[i]);
        return;
    case IR_OP_CLIP:
        for (i = 0; i < cnt; i++) {
            double v = xf[i];
            v = v < n->a.clip.a_min ? n->a.clip.a_min : v;
            v = v > n->a.clip.a_max ? n->a.clip.a_max : v;
            out[i] = (float)v;
        }
        return;
    case IR_OP_SCALAR:
        for (i = 0; i < cnt; i++)
            out[i] = (float)scalar_op(n->a.scalar.kind, xf[i],
                                      (float)n->a.scalar.value);
        return;
    case IR_OP_ADD:
    case IR_OP_SUB:
    case IR_OP_MUL:
    case IR_OP_DIV: {
        int k;
        for (i = 0; i < cnt; i++) {
            const ir_node *a0 = g->nodes[n->in[0].node];
            double acc = a0->a.c.f[bcast_index(os, &a0->a.c.shape, i)];
            for (k = 1; k < n->n_in; k++) {
                const ir_node *ak = g->nodes[n->in[k].node];
                double v = ak->a.c.f[bcast_index(os, &ak->a.c.shape, i)];
                acc = n->op == IR_OP_ADD ? (float)(acc + v)
                    : n->op == IR_OP_SUB ? (float)(acc - v)
                    : n->op == IR_OP_MUL ? (float)(acc * v)
                                         : (float)(acc / v);
            }
            out[i] = (float)acc;
        }
        return;
    }
    case IR_OP_RESHAPE:
    case IR_OP_FLATTEN:
        memcpy(out, xf, sizeof(float) * (size_t)cnt);
        return;
    case IR_OP_TRANSPOSE:
    case IR_OP_SWAPAXIS: {
        const ir_shape *is = &x->a.c.shape;
        int perm[IR_MAX_DIMS], d;
        int64_t ist[IR_MAX_DIMS], ost[IR_MAX_DIMS];
        for (d = 0; d < is->ndim; d++)
            perm[d] = d;
        if (n->op == IR_OP_TRANSPOSE) {
            for (d = 0; d < is->ndim; d++) {
                int a = n->a.transpose.axes.n ? n->a.transpose.axes.v[d]
                                         : is->ndim - 1 - d;
                perm[d] = a < 0 ? a + is->ndim : a;
            }
        } else {
            int d1 = n->a.swapaxis.dim1, d2 = n->a.swapaxis.dim2;
            d1 = d1 < 0 ? d1 + is->ndim : d1;
            d2 = d2 < 0 ? d2 + is->ndim : d2;
            perm[d1] = d2;
            perm[d2] = d1;
        }
        strides(is, ist);
        strides(os, ost);
        for (i = 0; i < cnt; i++) {
            int64_t rem = i, src = 0;
            for (d = 0; d < os->ndim; d++) {
                src += (rem / ost[d]) * ist[perm[d]];
                rem %= ost[d];
            }
            out[i] = xf[src];
        }
        return;
    }
    case IR_OP_MEAN: {
        /* out[j] = mean of the input elements mapping to j */
        const ir_shape *is = &x->a.c.shape;
        int reduce[IR_MAX_DIMS] = {0}, d;
        int64_t in_cnt = ir_shape_count(is), ist[IR_MAX_DIMS];
        double *acc = xcalloc((size_t)cnt, sizeof *acc);
        int64_t per = in_cnt / (cnt ? cnt : 1);
        for (d = 0; d < n->a.mean.axes.n; d++) {
            int ax = n->a.mean.axes.v[d];
            reduce[ax < 0 ? ax + is->ndim : ax] = 1;
        }
        for (d = 0; d < is->ndim; d++) {
            if (n->a.mean.axes.n == 0)
                reduce[d] = 1;
            else if (n->a.mean.exclude)
                reduce[d] = !reduce[d];
        }
        strides(is, ist);
        for (i = 0; i < in_cnt; i++) {
            int64_t rem = i, j = 0;
            for (d = 0; d < is->ndim; d++) {
                int64_t c = rem / ist[d];
                rem %= ist[d];
                if (!reduce[d])
                    j = j * is->d[d] + c;
            }
            acc[j] += xf[i];
        }
        for (i = 0; i < cnt; i++)
            out[i] = (float)(acc[i] / (double)per);
        free(acc);
        return;
    }
    case IR_OP_FULL:
        for (i = 0; i < cnt; i++)
            out[i] = (float)n->a.full.value;
        return;
    default:
        BNNC_BUG("cannot fold %s", ir_op_name(n->op));
    }
}

/* Constants are evaluated in memory; 64 Mi elements (256 MiB) is far
 * beyond any real model's largest weight. */
#define FOLD_MAX_ELEMENTS ((int64_t)1 << 26)

int pass_fold_constants(ir_graph *g, bnnc_err *err)
{
    size_t i;
    int k;
    for (i = 0; i < g->n; i++) {
        ir_node *n = g->nodes[i];
        const ir_node *src = NULL;
        int all_const = 1;
        float *v;
        if (n->dead || !foldable(n) || n->n_out != 1)
            continue;
        for (k = 0; k < n->n_in; k++) {
            const ir_node *in = g->nodes[n->in[k].node];
            if (in->op != IR_OP_CONST || !in->a.c.f)
                all_const = 0;
            else if (!src && in->a.c.source_name)
                src = in;
        }
        if (!all_const)
            continue;
        if (ir_shape_count(&n->shape[0]) > FOLD_MAX_ELEMENTS)
            return ir_node_errf(g, n, err,
                                "constant of %lld elements is too large",
                                (long long)ir_shape_count(&n->shape[0]));
        v = ir_graph_floats(g, (size_t)ir_shape_count(&n->shape[0]) + 1);
        evaluate(g, n, v);
        /* turn n itself into the constant so its id and uses stay */
        n->op = IR_OP_CONST;
        memset(&n->a, 0, sizeof n->a);
        n->a.c.shape = n->shape[0];
        n->a.c.f = v;
        if (src) {
            n->a.c.source_name = xstrdup(src->a.c.source_name);
            n->a.c.stored_bytes = src->a.c.stored_bytes;
        }
        ir_node_set_inputs(g, n, 0, NULL);
    }
    ir_mark_dead(g);
    ir_compact(g);
    return 0;
}
