/*
 * quantize_float.c - run the float convolutions and dense layers in int8
 * (bnnc compile --float-layers int8 --calibrate X.npy).
 *
 * Requires: fold_monotonic (BatchNorm and ReLU after a float layer are in
 * its weights, bias and relu flag), and the range of every tensor that
 * quant_float_refs() lists, measured by running the float network on the
 * calibration samples (driver/calibrate.c). Establishes: every such layer
 * is QUANTIZE -> CONV_I8 / DENSE_I8 -> DEQUANTIZE, except a dense
 * classifier (int8_classifier), which is QUANTIZE -> DENSE_I8 with float
 * output (q.elem F32, float bias in bias_f); a max pool of such a
 * layer's output moves before the DEQUANTIZE (it commutes with the
 * monotonic dequantisation), and a QUANTIZE of a DEQUANTIZE with the same
 * quantisation is removed, so consecutive int8 layers stay int8.
 *
 * The arithmetic is TFLite's (bnn_int8.h): activations asymmetric int8,
 * real = scale * (q - zp), weights symmetric per output channel, bias
 * int32 with scale in_scale * w_scale[o]. Parameters:
 *   activations  [lo, hi] = [min(min, 0), max(max, 0)] of the calibration
 *                values (0 exactly representable, as zero padding needs),
 *                scale = (hi - lo) / 255, zp = round(-128 - lo / scale);
 *   weights      w_scale[o] = max |w[o, ...]| / 127, q = round(w / w_scale),
 *                a channel of zeros (or below 1e-30) gets q = 0, scale 1;
 *   bias         round(b / (in_scale * w_scale[o])), clamped to int32;
 *   ReLU         the clamp of the output at its zero point.
 * The error this adds (half a step of each quantisation, and values
 * outside the calibration range clamped) is what `bnnc verify` reports;
 * it is not bounded in general, hence opt-in.
 */
#include "passes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/mem.h"

/* Whether output 0 of n is a graph output, or read only by a softmax
 * that is one. */
static int is_classifier(const ir_graph *g, const ir_node *n)
{
    int i, soft = 0, other = 0;
    for (i = 0; i < n->n_uses; i++) {
        const ir_use *u = &n->uses[i];
        if (u->user < 0)
            return 1;
        if (g->nodes[u->user]->dead)
            continue;
        if (g->nodes[u->user]->op == IR_OP_SOFTMAX) {
            const ir_node *sm = g->nodes[u->user];
            int j;
            for (j = 0; j < sm->n_uses; j++)
                soft |= sm->uses[j].user < 0;
        } else {
            other = 1;
        }
    }
    return soft && !other;
}

/* A float CONV on a 4-D input or DENSE on a 2-D one with constant
 * weights (and bias). */
static int float_layer(const ir_graph *g, const ir_node *n)
{
    const ir_node *x, *w;
    if (n->dead || (n->op != IR_OP_CONV && n->op != IR_OP_DENSE) || n->q.elem != IR_ELEM_F32)
        return 0;
    x = g->nodes[n->in[0].node];
    w = g->nodes[n->in[1].node];
    if (x->q.elem != IR_ELEM_F32 || w->op != IR_OP_CONST || !w->a.c.f)
        return 0;
    if (n->op == IR_OP_CONV)
        return x->shape[n->in[0].out].ndim == 4 && w->a.c.shape.ndim == 4;
    return x->shape[n->in[0].out].ndim == 2 && w->a.c.shape.ndim == 2;
}

/* The layers this pass takes to int8 output: every float layer but the
 * classifier, the layer that makes the network's output, directly or
 * through a softmax (its int8 output would round the logits to 256
 * levels). */
static int quantisable(const ir_graph *g, const ir_node *n)
{
    return float_layer(g, n) && !is_classifier(g, n);
}

/* The classifier, when it is a dense layer without ReLU: its product runs
 * in int8 too, with float output (int32 accumulators times in_scale *
 * w_scale[o], plus the float bias: DENSE_I8 with q.elem F32), so its
 * input is quantised and the logits are not. */
static int int8_classifier(const ir_graph *g, const ir_node *n)
{
    return float_layer(g, n) && is_classifier(g, n) && n->op == IR_OP_DENSE &&
           !n->a.dense.relu;
}

static int has_bias(const ir_node *n)
{
    return n->op == IR_OP_CONV ? !n->a.conv.no_bias : !n->a.dense.no_bias;
}

static int ref_index(const ir_ref *refs, int n, ir_ref r)
{
    int i;
    for (i = 0; i < n; i++)
        if (refs[i].node == r.node && refs[i].out == r.out)
            return i;
    return -1;
}

int quant_float_refs(const ir_graph *g, ir_ref **refs)
{
    size_t i;
    int n = 0;
    *refs = xmalloc(sizeof **refs * (2 * g->n + 1));
    for (i = 0; i < g->n; i++) {
        const ir_node *nd = g->nodes[i];
        ir_ref out;
        if (int8_classifier(g, nd) && ref_index(*refs, n, nd->in[0]) < 0)
            (*refs)[n++] = nd->in[0];
        if (!quantisable(g, nd))
            continue;
        if (ref_index(*refs, n, nd->in[0]) < 0)
            (*refs)[n++] = nd->in[0];
        out.node = nd->id, out.out = 0;
        (*refs)[n++] = out;
    }
    return n;
}

int quant_float_count(const ir_graph *g)
{
    size_t i;
    int n = 0;
    for (i = 0; i < g->n; i++)
        n += quantisable(g, g->nodes[i]) || int8_classifier(g, g->nodes[i]);
    return n;
}

void quant_activation(double lo, double hi, ir_qtype *q)
{
    double s;
    lo = lo < 0 ? lo : 0;
    hi = hi > 0 ? hi : 0;
    q->elem = IR_ELEM_I8;
    if (!(hi - lo > 1e-30) || !isfinite(hi - lo)) {
        q->scale = 1.0;
        q->zp = 0;
        return;
    }
    /* the scale the generated code holds is a float (bnn_quant_i8_params) */
    s = (double)(float)((hi - lo) / 255.0);
    q->scale = s;
    q->zp = (int32_t)lround(-128.0 - lo / s);
    if (q->zp < -128)
        q->zp = -128;
    if (q->zp > 127)
        q->zp = 127;
}

void quant_weights(const float *w, int64_t out_c, int64_t k, int8_t *q, float *scale)
{
    int64_t o, i;
    for (o = 0; o < out_c; o++) {
        const float *r = w + o * k;
        double m = 0, s;
        for (i = 0; i < k; i++)
            m = fabs((double)r[i]) > m ? fabs((double)r[i]) : m;
        if (!(m >= 1e-30)) {
            scale[o] = 1.0f;
            for (i = 0; i < k; i++)
                q[o * k + i] = 0;
            continue;
        }
        scale[o] = (float)(m / 127.0);
        s = (double)scale[o];
        for (i = 0; i < k; i++) {
            long v = lround((double)r[i] / s);
            q[o * k + i] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
        }
    }
}

int32_t quant_bias(double b, double in_scale, double w_scale)
{
    double v = nearbyint(b / (in_scale * w_scale));
    if (!(v > -2147483648.0))
        return INT32_MIN;
    if (!(v < 2147483647.0))
        return INT32_MAX;
    return (int32_t)v;
}

/* A new node named after n (for comments and messages), with shapes. */
static ir_node *add_node(ir_graph *g, ir_op op, const ir_node *n, const char *suffix,
                         ir_ref in, bnnc_err *err)
{
    char name[256];
    ir_node *m;
    snprintf(name, sizeof name, "%s%s", n->name, suffix);
    m = ir_node_add(g, op, name, n->src_op, n->src_index);
    ir_node_set_inputs(g, m, 1, &in);
    memset(&m->a.i8, 0, sizeof m->a.i8);
    m->a.i8.act_min = -128;
    m->a.i8.act_max = 127;
    return m;
    (void)err;
}

static int shape_of(ir_graph *g, ir_node *m, bnnc_err *err)
{
    return shape_infer_node(g, m, err);
}

/* The int8 layer of float layer n, reading q_in (int8) and quantised as
 * out_q. */
static ir_node *int8_layer(ir_graph *g, ir_node *n, ir_ref q_in, const ir_qtype *in_q,
                           const ir_qtype *out_q, bnnc_err *err)
{
    const ir_node *wn = g->nodes[n->in[1].node];
    const float *w = wn->a.c.f;
    const float *b = has_bias(n) ? g->nodes[n->in[2].node]->a.c.f : NULL;
    const ir_shape *ws = &wn->a.c.shape;
    int64_t oc = ws->d[0], k = ir_shape_count(ws) / oc, o;
    ir_node *m = add_node(g, n->op == IR_OP_CONV ? IR_OP_CONV_I8 : IR_OP_DENSE_I8, n, "", q_in,
                          err);
    ir_i8_attr *a = &m->a.i8;
    int8_t *qw = xmalloc((size_t)(oc * k));
    float *sc = xmalloc(sizeof(float) * (size_t)oc);
    int32_t *qb = NULL;
    ir_node_merge_name(m, n->name);
    if (n->op == IR_OP_CONV) {
        /* OIHW -> OHWI */
        int64_t c = ws->d[1], kh = ws->d[2], kw = ws->d[3], y, x, ci;
        float *t = xmalloc(sizeof(float) * (size_t)(oc * k));
        for (o = 0; o < oc; o++)
            for (y = 0; y < kh; y++)
                for (x = 0; x < kw; x++)
                    for (ci = 0; ci < c; ci++)
                        t[((o * kh + y) * kw + x) * c + ci] = w[((o * c + ci) * kh + y) * kw + x];
        quant_weights(t, oc, k, qw, sc);
        free(t);
        a->kernel[0] = n->a.conv.kernel[0], a->kernel[1] = n->a.conv.kernel[1];
        a->stride[0] = n->a.conv.stride[0], a->stride[1] = n->a.conv.stride[1];
        a->dilate[0] = n->a.conv.dilate[0], a->dilate[1] = n->a.conv.dilate[1];
        a->pad[0] = a->pad[1] = n->a.conv.pad[0];
        a->pad[2] = a->pad[3] = n->a.conv.pad[1];
        a->groups = n->a.conv.num_group > 0 ? n->a.conv.num_group : 1;
        a->w_shape.ndim = 4;
        a->w_shape.d[0] = oc, a->w_shape.d[1] = kh, a->w_shape.d[2] = kw, a->w_shape.d[3] = c;
    } else {
        quant_weights(w, oc, k, qw, sc);
        a->w_shape = *ws;
    }
    a->out_c = (int)oc;
    a->w = qw;
    a->w_scale = sc;
    a->n_w_scale = (int)oc;
    ir_graph_adopt(g, qw);
    ir_graph_adopt(g, sc);
    if (b) {
        qb = xmalloc(sizeof(int32_t) * (size_t)oc);
        for (o = 0; o < oc; o++)
            qb[o] = quant_bias((double)b[o], in_q->scale, (double)sc[o]);
        ir_graph_adopt(g, qb);
    }
    a->bias = qb;
    m->q = *out_q;
    if (ir_only_binarized(g, n->id)) {
        /* only the sign is used: zero point 0 and a scale at which every
         * accumulator but 0 requantises to at least one step, so the
         * sign is the int32 accumulator's (ranges do not matter) */
        double lo = INFINITY, hi = 0;
        for (o = 0; o < oc; o++) {
            lo = fmin(lo, (double)sc[o]);
            hi = fmax(hi, (double)sc[o]);
        }
        m->q.zp = 0;
        m->q.scale = (double)(float)(in_q->scale * fmax(lo, hi * ldexp(1.0, -29)));
    }
    if ((n->op == IR_OP_CONV ? n->a.conv.relu : n->a.dense.relu) && m->q.zp > a->act_min)
        a->act_min = m->q.zp;
    if (shape_of(g, m, err))
        return NULL;
    return m;
}

/* The POOL_I8 equivalent of max pool p over an int8 NHWC value x of the
 * NCHW input shape in, or NULL (not a max pool the int8 kernel computes
 * identically: padding read as a value, global, or a window wholly in
 * the padding). */
static int pool_i8_fits(const ir_node *p, const ir_shape *in, int pad[4])
{
    const ir_pool_attr *a = &p->a.pool;
    const ir_shape *os = &p->shape[0];
    int d;
    if (a->type != IR_POOL_MAX || a->v1 || a->global || in->ndim != 4 || os->ndim != 4)
        return 0;
    for (d = 0; d < 2; d++) {
        int64_t h = in->d[2 + d], oh = os->d[2 + d], k = a->kernel[d], s = a->stride[d];
        int64_t top = a->pad[d], bot = (oh - 1) * s + k - h - top;
        if (s < 1 || k < 1 || top < 0 || top >= k || (oh - 1) * s - top >= h)
            return 0;
        if (bot < top)
            bot = top;
        if ((h + top + bot - k) / s + 1 != oh)
            return 0;
        pad[2 * d] = (int)top, pad[2 * d + 1] = (int)bot;
    }
    return 1;
}

/* The DEQUANTIZE node that is the only reader-side producer of input 0 of
 * n, used by n alone, or NULL. */
static ir_node *sole_dequantize(ir_graph *g, ir_node *n)
{
    ir_node *d = g->nodes[n->in[0].node];
    if (d->op != IR_OP_DEQUANTIZE || ir_use_count(g, d->id, 0) != 1)
        return NULL;
    return d;
}

int pass_quantize_float(ir_graph *g, const quant_range *ranges, int n_ranges, bnnc_err *err)
{
    ir_ref *refs;
    int nr = quant_float_refs(g, &refs), *qin, *site, ns = 0, j, rc = -1;
    size_t i;
    ir_qtype *qt;
    if (nr != n_ranges)
        BNNC_BUG("quantize_float: %d ranges for %d tensors", n_ranges, nr);
    qt = xmalloc(sizeof *qt * (size_t)(nr ? nr : 1));
    qin = xmalloc(sizeof *qin * (size_t)(nr ? nr : 1));
    site = xmalloc(sizeof *site * 3 * (g->n ? g->n : 1));
    for (j = 0; j < nr; j++) {
        quant_activation(ranges[j].lo, ranges[j].hi, &qt[j]);
        qin[j] = -1; /* node id of the QUANTIZE of refs[j], once made */
    }
    /* the layers, before any is rewritten (a layer's input may become the
     * DEQUANTIZE of the one before it) */
    for (i = 0; i < g->n; i++)
        if (quantisable(g, g->nodes[i]) || int8_classifier(g, g->nodes[i])) {
            ir_ref out = {(int)i, 0};
            int cls = !quantisable(g, g->nodes[i]);
            site[3 * ns] = (int)i;
            site[3 * ns + 1] = ref_index(refs, nr, g->nodes[i]->in[0]);
            site[3 * ns + 2] = cls ? -1 : ref_index(refs, nr, out); /* -1: float output */
            BNNC_ASSERT(site[3 * ns + 1] >= 0 && (cls || site[3 * ns + 2] >= 0));
            ns++;
        }
    for (j = 0; j < ns; j++) {
        ir_node *n = g->nodes[site[3 * j]], *q, *m, *d;
        ir_ref out = {0, 0}, r;
        int ii = site[3 * j + 1], io = site[3 * j + 2];
        out.node = n->id;
        if (qin[ii] < 0) {
            /* a max pool of an int8 layer's output: that layer's
             * quantisation (the pool then moves into int8 below) */
            const ir_node *pn = g->nodes[n->in[0].node];
            if (pn->op == IR_OP_POOL && pn->a.pool.type == IR_POOL_MAX && !pn->a.pool.v1 &&
                g->nodes[pn->in[0].node]->op == IR_OP_DEQUANTIZE)
                qt[ii] = g->nodes[g->nodes[pn->in[0].node]->in[0].node]->q;
            q = add_node(g, IR_OP_QUANTIZE, n, "/quantize", n->in[0], err);
            q->q = qt[ii];
            if (shape_of(g, q, err))
                goto out;
            qin[ii] = q->id;
        }
        r.node = qin[ii], r.out = 0;
        if (io < 0) {
            /* the classifier: float logits straight from the int32
             * accumulators, the bias added in float */
            ir_qtype fq;
            float *bf = NULL;
            memset(&fq, 0, sizeof fq);
            fq.elem = IR_ELEM_F32;
            fq.scale = 1.0;
            m = int8_layer(g, n, r, &qt[ii], &fq, err);
            if (!m)
                goto out;
            if (has_bias(n)) {
                bf = xmalloc(sizeof(float) * (size_t)m->a.i8.out_c);
                memcpy(bf, g->nodes[n->in[2].node]->a.c.f, sizeof(float) * (size_t)m->a.i8.out_c);
                ir_graph_adopt(g, bf);
            }
            m->a.i8.bias = NULL;
            m->a.i8.bias_f = bf;
            ir_replace_uses(g, out, (ir_ref){m->id, 0});
            n->dead = 1;
            continue;
        }
        m = int8_layer(g, n, r, &qt[ii], &qt[io], err);
        if (!m)
            goto out;
        r.node = m->id;
        d = add_node(g, IR_OP_DEQUANTIZE, n, "/dequantize", r, err);
        if (shape_of(g, d, err))
            goto out;
        ir_replace_uses(g, out, (ir_ref){d->id, 0});
        n->dead = 1;
    }
    /* max pools of a dequantised value move before the dequantisation
     * (max commutes with the monotonic scale * (q - zp)): a quarter of
     * the values to dequantise after a 3x3/2 pool, and a quarter of the
     * bytes for the pool to read */
    for (i = 0; i < g->n; i++) {
        ir_node *p = g->nodes[i], *d, *m, *d2;
        int pad[4];
        ir_ref r;
        if (p->dead || p->op != IR_OP_POOL || !(d = sole_dequantize(g, p)) ||
            !pool_i8_fits(p, &d->shape[0], pad))
            continue;
        m = add_node(g, IR_OP_POOL_I8, p, "", d->in[0], err);
        m->a.i8.pool = IR_POOL_MAX;
        m->a.i8.kernel[0] = p->a.pool.kernel[0], m->a.i8.kernel[1] = p->a.pool.kernel[1];
        m->a.i8.stride[0] = p->a.pool.stride[0], m->a.i8.stride[1] = p->a.pool.stride[1];
        m->a.i8.dilate[0] = m->a.i8.dilate[1] = 1;
        memcpy(m->a.i8.pad, pad, sizeof pad);
        m->q = g->nodes[d->in[0].node]->q;
        if (shape_of(g, m, err))
            goto out;
        r.node = m->id, r.out = 0;
        d2 = add_node(g, IR_OP_DEQUANTIZE, p, "/dequantize", r, err);
        if (shape_of(g, d2, err))
            goto out;
        BNNC_ASSERT(ir_shape_equal(&d2->shape[0], &p->shape[0]));
        ir_replace_uses(g, (ir_ref){p->id, 0}, (ir_ref){d2->id, 0});
        p->dead = 1;
        d->dead = 1;
    }
    /* a quantisation of a dequantised value with the same parameters is
     * the int8 value itself */
    for (i = 0; i < g->n; i++) {
        ir_node *q = g->nodes[i], *d, *src;
        if (q->dead || q->op != IR_OP_QUANTIZE)
            continue;
        d = g->nodes[q->in[0].node];
        if (d->op != IR_OP_DEQUANTIZE)
            continue;
        src = g->nodes[d->in[0].node];
        if (src->q.scale == q->q.scale && src->q.zp == q->q.zp)
            ir_replace_uses(g, (ir_ref){q->id, 0}, d->in[0]);
    }
    /* the new nodes were appended after their users */
    ir_sort(g);
    ir_mark_dead(g);
    ir_compact(g);
    rc = 0;
out:
    free(refs);
    free(qt);
    free(qin);
    free(site);
    return rc;
}
