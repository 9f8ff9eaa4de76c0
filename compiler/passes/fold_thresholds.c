/*
 * fold_thresholds.c - fold everything per-channel and affine that follows
 * a binary layer into the layer, and BatchNorm + sign into one integer
 * threshold per output channel.
 *
 * Requires: binarize. Establishes: every BCONV/BDENSE has out_a/out_b
 * (its output is y[o] = out_a[o]*dot[o] + out_b[o]); BatchNorm, scalar
 * and per-channel constant add/sub/mul/div ops that directly follow a
 * binary layer (single consumer chain) are absorbed; a layer whose output
 * is only ever binarized (by a sign, by the next binary layer, or through
 * max-pooling/flattening into one) has out_bits with thresh/dir.
 *
 * Derivation. A binary layer computes the exact integer
 *     dot = K - 2*popcount(x XOR w)         (+-1 dot product, K terms)
 * and MXNet then applies, per output channel c, a chain of affine maps:
 *     BMXNet offset/divisor   y = (dot + s) / d
 *     per-channel scale       y = alpha * y           (binet / xnor)
 *     bias                    y = y + b
 *     BatchNorm               y = (y - mean) / sqrt(var + eps) * g + beta
 *                             (g = 1 when fix_gamma, whatever is stored)
 *     scalar ops              y = y + s,  y * s,  y / s,  s - y ...
 * Composed in double precision this is y = A*dot + B. The next layer
 * binarizes y: the value is -1 (bit 1) iff y < 0 (det_sign: 0 -> +1).
 *   A > 0:  A*dot + B < 0  <=>  dot < -B/A = t  <=>  dot < ceil(t)
 *           (dot is an integer; when t is an integer, dot < t exactly)
 *           -> thresh = ceil(t), dir = 0 ("dot < thresh")
 *   A < 0:  A*dot + B < 0  <=>  dot > t         <=>  dot > floor(t)
 *           -> thresh = floor(t), dir = 1 ("dot > thresh")
 *           (the compare flips instead of the weights)
 *   A = 0 (gamma = 0, or a zero scale): y = B, constant:
 *           B < 0 -> always -1: thresh = INT32_MAX, dir = 0
 *           else  -> always +1: thresh = INT32_MIN, dir = 0
 * A threshold outside [-K, K] likewise makes the channel constant; it is
 * clamped to the sentinels so it stays an int32. NaN in A or B (e.g. a
 * variance of -eps) is a model error.
 *
 * Max pooling between the layer and the sign is allowed: max is monotone,
 * so sign(max_i y_i) = +1 iff some y_i >= 0, i.e. the pooled bit is the
 * AND of the bits (what bnn_maxpool_b computes); the affine map is applied
 * before the pool, where this pass put it. Only maps that follow the layer
 * directly are folded, so nothing is moved across a pool.
 *
 * Rounding. MXNet evaluates the chain in float32, we decide exactly; the
 * two can only disagree when y is within float rounding of 0 for a
 * reachable dot. Channels whose t lies within 1e-6 (relative) of an
 * integer are counted as near ties and reported by inspect.
 */
#include "passes.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../util/mem.h"

/* Per-channel value c of a constant broadcast along axis 1 (or a
 * scalar-like constant of one element); 0 if the constant is not such a
 * vector for `channels` channels of an ndim-D tensor. */
static int channel_const(const ir_node *k, int ndim, int64_t channels)
{
    const ir_shape *s;
    int64_t cnt;
    int i, axis;
    if (k->op != IR_OP_CONST || !k->a.c.f)
        return 0;
    s = &k->a.c.shape;
    cnt = ir_shape_count(s);
    if (cnt == 1)
        return 1;
    if (cnt != channels)
        return 0;
    axis = 1 - (ndim - s->ndim);
    for (i = 0; i < s->ndim; i++)
        if (i != axis && s->d[i] != 1)
            return 0;
    return axis >= 0 && axis < s->ndim;
}

static double cval(const ir_node *k, int64_t c)
{
    return ir_shape_count(&k->a.c.shape) == 1 ? k->a.c.f[0] : k->a.c.f[c];
}

/* Compose the op u (consumer of the binary layer's current output) into
 * A/B. Returns 1 when absorbed, 0 when u is not a per-channel affine map
 * of that output. */
static int compose(ir_graph *g, ir_node *u, int from, int ndim, int64_t ch,
                   double *A, double *B)
{
    int64_t c;
    switch (u->op) {
    case IR_OP_BATCHNORM: {
        const ir_node *gm = g->nodes[u->in[1].node], *bt = g->nodes[u->in[2].node];
        const ir_node *mn = g->nodes[u->in[3].node], *vr = g->nodes[u->in[4].node];
        int axis = u->a.bn.axis < 0 ? u->a.bn.axis + ndim : u->a.bn.axis;
        if (axis != 1 || gm->op != IR_OP_CONST || bt->op != IR_OP_CONST ||
            mn->op != IR_OP_CONST || vr->op != IR_OP_CONST)
            return 0;
        for (c = 0; c < ch; c++) {
            double gamma = u->a.bn.fix_gamma ? 1.0 : gm->a.c.f[c];
            double inv = 1.0 / sqrt((double)vr->a.c.f[c] + u->a.bn.eps);
            A[c] = A[c] * inv * gamma;
            B[c] = (B[c] - mn->a.c.f[c]) * inv * gamma + bt->a.c.f[c];
        }
        return 1;
    }
    case IR_OP_SCALAR: {
        double s = u->a.scalar.value;
        for (c = 0; c < ch; c++) {
            switch (u->a.scalar.kind) {
            case IR_SC_ADD: B[c] += s; break;
            case IR_SC_SUB: B[c] -= s; break;
            case IR_SC_RSUB: A[c] = -A[c]; B[c] = s - B[c]; break;
            case IR_SC_MUL: A[c] *= s; B[c] *= s; break;
            case IR_SC_DIV: A[c] /= s; B[c] /= s; break;
            default: return 0;
            }
        }
        return 1;
    }
    case IR_OP_ADD:
    case IR_OP_SUB:
    case IR_OP_MUL:
    case IR_OP_DIV: {
        int self = u->in[0].node == from ? 0 : 1;
        const ir_node *k = g->nodes[u->in[1 - self].node];
        if (u->n_in != 2 || u->in[1 - self].node == from ||
            !channel_const(k, ndim, ch))
            return 0;
        if (u->op == IR_OP_DIV && self == 1)
            return 0; /* k / y is not affine */
        for (c = 0; c < ch; c++) {
            double v = cval(k, c);
            if (u->op == IR_OP_ADD) {
                B[c] += v;
            } else if (u->op == IR_OP_SUB) {
                if (self == 0) {
                    B[c] -= v;
                } else {
                    A[c] = -A[c];
                    B[c] = v - B[c];
                }
            } else if (u->op == IR_OP_MUL) {
                A[c] *= v;
                B[c] *= v;
            } else {
                A[c] /= v;
                B[c] /= v;
            }
        }
        return 1;
    }
    default:
        return 0;
    }
}

/* Threshold of channel c from y = A*dot + B (see the derivation above). */
static void threshold(double A, double B, int64_t K, int32_t *thresh,
                      uint8_t *dir, int *near_tie)
{
    double t;
    *dir = 0;
    *near_tie = 0;
    if (A == 0) {
        *thresh = B < 0 ? INT32_MAX : INT32_MIN;
        return;
    }
    t = -B / A;
    if (fabs(t - nearbyint(t)) <= 1e-6 * (fabs(t) > 1 ? fabs(t) : 1) &&
        fabs(t) <= (double)K)
        *near_tie = 1;
    if (A > 0) {
        double c = ceil(t);
        if (c > (double)K)
            *thresh = INT32_MAX; /* dot < thresh always: constant -1 */
        else if (c <= (double)-K)
            *thresh = INT32_MIN; /* dot < -K never: constant +1 */
        else
            *thresh = (int32_t)c;
    } else {
        double f = floor(t);
        if (f >= (double)K) {
            *thresh = INT32_MIN; /* "dot < INT32_MIN": never, constant +1 */
        } else if (f < (double)-K) {
            *thresh = INT32_MAX; /* dot > f always: constant -1 */
        } else {
            *thresh = (int32_t)f;
            *dir = 1;
        }
    }
}

int pass_fold_thresholds(ir_graph *g, bnnc_err *err)
{
    size_t i;
    for (i = 0; i < g->n; i++) {
        ir_node *n = g->nodes[i], *u;
        ir_bin_attr *b;
        int64_t ch, c, K;
        int ndim;
        if (n->dead || (n->op != IR_OP_BCONV && n->op != IR_OP_BDENSE))
            continue;
        b = &n->a.b;
        ch = b->w_shape.d[0];
        K = ir_shape_count(&b->w_shape) / ch;
        ndim = n->shape[0].ndim;
        b->out_a = xmalloc(sizeof(double) * (size_t)ch);
        b->out_b = xmalloc(sizeof(double) * (size_t)ch);
        for (c = 0; c < ch; c++) {
            double s = b->scale ? b->scale[c] : 1.0;
            b->out_a[c] = s / b->divisor;
            b->out_b[c] = b->offset * s / b->divisor + (b->bias ? b->bias[c] : 0.0);
        }
        while ((u = ir_sole_consumer(g, n)) != NULL && ndim >= 2 &&
               ir_shape_equal(&u->shape[0], &n->shape[0]) &&
               compose(g, u, n->id, ndim, ch, b->out_a, b->out_b)) {
            ir_node_merge_name(n, u->name);
            ir_replace_uses(g, (ir_ref){u->id, 0}, (ir_ref){n->id, 0});
            u->dead = 1;
        }
        for (c = 0; c < ch; c++)
            if (isnan(b->out_a[c]) || isnan(b->out_b[c]) ||
                isinf(b->out_a[c]) || isinf(b->out_b[c]))
                return ir_node_errf(g, n, err,
                                    "output channel %lld has a non-finite "
                                    "scale or shift after folding (check "
                                    "BatchNorm variances and scales)",
                                    (long long)c);
        if (b->clamp || !ir_only_binarized(g, n->id))
            continue;
        b->out_bits = 1;
        b->thresh = xmalloc(sizeof(int32_t) * (size_t)ch);
        b->dir = xmalloc((size_t)ch);
        b->near_ties = 0;
        for (c = 0; c < ch; c++) {
            int tie;
            threshold(b->out_a[c], b->out_b[c], K, &b->thresh[c], &b->dir[c], &tie);
            b->near_ties += tie;
        }
    }
    ir_mark_dead(g);
    ir_compact(g);
    return 0;
}
