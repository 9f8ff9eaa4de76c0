/*
 * fold_monotonic.c - a tanh or sigmoid that a float layer's output passes
 * through only to be max-pooled, normalised by a BatchNorm and binarized
 * is not computed at all: the binarization becomes one threshold per
 * channel on the layer's output itself.
 *
 * Requires: fold_float (a BatchNorm that a float layer absorbed is not
 * this pass's). Establishes: no ACT tanh/sigmoid node whose chain
 *     P -> act -> max pool* -> BatchNorm -> only binarized
 * (P any float value, each arrow the only use, every pool max without
 * padding, the BatchNorm on axis 1 with constant parameters, its result
 * read only through signs, binary layers, max pools and flattens:
 * ir_only_binarized) could be folded, except where a channel's decision
 * is not a threshold on P's value (below). The folded chain is
 *     P -> max pool* -> BatchNorm'
 * with BatchNorm' the map y -> y - T[c], T[c] - y or 1 per channel
 * (gamma +1, -1 or 0, beta -T, T or 1, mean 0, var 1, eps 0), which
 * lowering turns into the same pack_affine step as before.
 *
 * What is reproduced. The program before this pass computes, for a
 * value y of P's output (after pooling, see below),
 *     bit = D(act(y)),  D(z) = fl(fl(z * m) + a) < 0
 * with act the runtime's bnn_act_fast_f32 (the portable instance of
 * bnn_vmath_impl.h, which every variant reproduces bit for bit, on every
 * target) and m, a the float constants lower_batchnorm computes. The
 * compiler evaluates both exactly: it instantiates the same template
 * (ISO C, no contraction into fused multiply-adds) and rounds m and a as
 * lowering does.
 *
 * The threshold. D is monotone in z (float multiplication by a constant
 * and addition of a constant are monotone, and so is < 0), so its
 * decision changes at one float z_f. The exact tanh and sigmoid increase
 * strictly, the runtime's versions are within 2 ulp of them (proven on
 * every float, tests/unit/runtime/test_act_fast_exhaustive.c) but not
 * monotone (tanh decreases by 1 ulp at 22 inputs, sigmoid at 703471).
 * So: z_lo and z_hi, 8 floats below and above z_f, are mapped back
 * through the exact inverse (atanh, the logit, in double) to y_lo, y_hi,
 * widened by 2 floats. Below y_lo the exact act is below z_lo, so the
 * runtime's is below z_f; above y_hi it is above z_hi, so the runtime's
 * is at or above z_f. Between them (at most 2^16 floats, else no fold)
 * every float y is evaluated: D(act(y)) must change exactly once, at T.
 * Then for every non-NaN float y, D(act(y)) is -1 exactly when y < T
 * (m > 0) or y > T (m < 0), or never (m = 0 and a >= 0, or T beyond the
 * floats). A channel whose decision is -1 for every y cannot be an
 * affine map followed by < 0 at y = +-inf (0 * inf is NaN), and a
 * decision that changes more than once is no threshold: the chain is
 * then left as it is.
 *
 * Flush-to-zero. The program runs with subnormals flushed (FTZ/DAZ) by
 * default, or not (--denormals keep, -D<PREFIX>_KEEP_DENORMALS, targets
 * without the mode), and the fold must hold either way. The runtime's
 * tanh and sigmoid give other results under the flush only for inputs
 * or results below 2^-125 in magnitude (tanh of a subnormal input is 0;
 * sigmoid below -87 is 0), and float products and sums only where they
 * would be subnormal. So: no constant m or a may be subnormal (nothing
 * folds otherwise; lowering scales dead channels out of that range), and
 * a threshold channel folds only when z_f and T are at least 2^-100 from
 * 0 (TINY). Then the values the flush changes decide as the values they
 * stand for (both lie on the same side of z_f), y - T is never a
 * nonzero difference below 2^-126 (floats within 2^-100 of T are 2^-123
 * apart), and a subnormal y read as 0 lies on the same side of T as y:
 * the scan done without the flush gives the decision of both modes.
 *
 * BatchNorm' is exact: y - T < 0 exactly when y < T (IEEE subtraction of
 * two floats is 0 only when they are equal and keeps the sign of the
 * exact difference; +-inf give +-inf); T - y < 0 exactly
 * when y > T; 0 * y + 1 is 1 (NaN for y = +-inf or NaN: bit 0, +1, as
 * before). NaN: act(NaN) is NaN and D(NaN) is +1; NaN - T is NaN: +1.
 *
 * Max pooling. bnn_maxpool_f32 gives max(-FLT_MAX, the window's non-NaN
 * values). With S = {y : D(act(y)) = -1} a half-line, for m > 0 a window
 * of values y_i gives -1 before iff every non-NaN act(y_i) is below z_f,
 * iff every non-NaN y_i is in S, iff their maximum is below T: after.
 * (m < 0: some act(y_i) above, some y_i above T.) A window of NaNs only
 * gives D(-FLT_MAX) before and the threshold at -FLT_MAX after; chains
 * with a pool fold only where the two agree.
 */
#include "passes.h"

#include <float.h>
#include <stdlib.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../util/mem.h"

/* The evaluation below is the runtime's only where float expressions are
 * evaluated in float (not x87 extended precision): elsewhere nothing is
 * folded. */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#define FM_FLOAT_EXACT 1
#else
#define FM_FLOAT_EXACT 0
#endif

/* The runtime's tanh and sigmoid (act_fast_f32.c, portable instance). */
#define VM_F float
#define VM_U uint32_t
#define VM_M int
#define VM_FN(name) fm_vm_##name
#define vm_f(c) (c)
#define vm_u(c) ((uint32_t)(c))
#define vm_add(a, b) ((a) + (b))
#define vm_sub(a, b) ((a) - (b))
#define vm_mul(a, b) ((a) * (b))
#define vm_div(a, b) ((a) / (b))
#define vm_lt(a, b) ((a) < (b))
#define vm_gt(a, b) ((a) > (b))
#define vm_sel(m, a, b) ((m) ? (a) : (b))
#define vm_bits(x) bnn_vm_f2u(x)
#define vm_float(u) bnn_vm_u2f(u)
#define vm_uadd(a, b) ((uint32_t)((a) + (b)))
#define vm_and(a, b) ((a) & (b))
#define vm_or(a, b) ((a) | (b))
#define vm_shl23(a) ((uint32_t)((a) << 23))
#include "../../runtime_min/src/bnn_vmath_impl.h"

/* Floats in their order as integers: -inf ... -0, +0 ... +inf map to
 * increasing values (-0 and +0 to neighbours). */
static int64_t ord_of(float x)
{
    uint32_t u = bnn_vm_f2u(x);
    return u & 0x80000000u ? -(int64_t)(u & 0x7FFFFFFFu) - 1 : (int64_t)u;
}

static float float_of(int64_t o)
{
    return bnn_vm_u2f(o < 0 ? (uint32_t)(-(o + 1)) | 0x80000000u : (uint32_t)o);
}

/* Thresholds (in z and in y) at least this far from 0 decide alike with
 * and without flush-to-zero (see the top of the file). */
#define TINY 0x1p-100f

static const int64_t ORD_NEG_INF = -(int64_t)0x7F800000 - 1, ORD_POS_INF = 0x7F800000;

static float act_of(ir_act_kind k, float y)
{
    return k == IR_ACT_TANH ? fm_vm_tanh(y) : fm_vm_sigmoid(y);
}

/* The exact inverse of the act, in double: -inf / +inf beyond its range. */
static double act_inverse(ir_act_kind k, double z)
{
    if (k == IR_ACT_TANH)
        return z <= -1.0 ? -INFINITY : z >= 1.0 ? INFINITY : atanh(z);
    return z <= 0.0 ? -INFINITY : z >= 1.0 ? INFINITY : log(z / (1.0 - z));
}

/* -1 (as 1) or +1 (as 0), as pack_affine decides z * m + a. */
static int decide(float z, float m, float a)
{
    float t = z * m;
    t = t + a;
    return t < 0.0f;
}

/* One channel: whether the decision D(act(y)) (D from m, a) is a
 * threshold on y (see the top of the file), and the BatchNorm' gamma and
 * beta that reproduce it. Returns 1 and sets *gamma, *beta, or 0 (no
 * fold). with_pool: a max pool sits between (the all-NaN window must
 * agree). */
int fold_monotonic_channel(ir_act_kind k, float m, float a, int with_pool, float *gamma,
                           float *beta)
{
    int d_lo = decide(-FLT_MAX, m, a), d_hi = decide(FLT_MAX, m, a), before, after;
    int64_t lo, hi, o, sw = 0;
    int prev = -1, changes = 0;
    if (!FM_FLOAT_EXACT || isnan(m) || isnan(a) || (m != 0.0f && fabsf(m) < FLT_MIN) ||
        (a != 0.0f && fabsf(a) < FLT_MIN))
        return 0; /* a subnormal constant reads as 0 under denormals-are-zero */
    if (d_lo == d_hi) {
        /* D constant on finite z: the act's values are finite */
        if (d_lo)
            return 0; /* -1 everywhere: not an affine map at +-inf */
        *gamma = 0.0f;
        *beta = 1.0f;
    } else {
        /* z_f: the first float z with D(z) = d_hi (bisection, D monotone) */
        int64_t l = ord_of(-FLT_MAX), h = ord_of(FLT_MAX);
        float zl, zh;
        double yl, yh;
        while (h - l > 1) {
            int64_t mid = l + (h - l) / 2;
            if (decide(float_of(mid), m, a) == d_hi)
                h = mid;
            else
                l = mid;
        }
        if (fabsf(float_of(h)) < TINY)
            return 0; /* flush-to-zero would move the threshold (below) */
        zl = float_of(h - 8);
        zh = float_of(h + 8 < ORD_POS_INF ? h + 8 : ORD_POS_INF);
        yl = act_inverse(k, (double)zl);
        yh = act_inverse(k, (double)zh);
        lo = isinf(yl) ? (yl < 0 ? ORD_NEG_INF : ORD_POS_INF) : ord_of((float)yl) - 2;
        hi = isinf(yh) ? (yh < 0 ? ORD_NEG_INF : ORD_POS_INF) : ord_of((float)yh) + 2;
        if (lo < ORD_NEG_INF)
            lo = ORD_NEG_INF;
        if (hi > ORD_POS_INF)
            hi = ORD_POS_INF;
        if (hi < lo || hi - lo > ((int64_t)1 << 16))
            return 0;
        /* below lo every decision is d_lo, above hi d_hi; between, one
         * change at most */
        prev = d_lo;
        sw = hi + 1; /* the first y deciding d_hi */
        for (o = lo; o <= hi; o++) {
            int d = decide(act_of(k, float_of(o)), m, a);
            if (d != prev) {
                changes++;
                sw = o;
                prev = d;
            }
        }
        if (prev != d_hi) {
            /* the change is just above hi */
            changes++;
            sw = hi + 1;
        }
        if (changes != 1)
            return 0;
        if (sw > ORD_NEG_INF && sw <= ORD_POS_INF &&
            fabsf(float_of(d_lo ? sw : sw - 1)) < TINY)
            return 0;
        if (d_lo) {
            /* -1 for y < T = float_of(sw): y - T */
            if (sw > ORD_POS_INF)
                return 0; /* -1 everywhere */
            *gamma = 1.0f;
            *beta = -float_of(sw);
            if (sw == ORD_NEG_INF) {
                *gamma = 0.0f; /* never -1 */
                *beta = 1.0f;
            }
        } else {
            /* -1 for y > T = float_of(sw - 1): T - y */
            if (sw <= ORD_NEG_INF)
                return 0; /* -1 everywhere */
            *gamma = -1.0f;
            *beta = float_of(sw - 1);
            if (sw - 1 == ORD_POS_INF) {
                *gamma = 0.0f;
                *beta = 1.0f;
            }
        }
    }
    if (!with_pool)
        return 1;
    before = decide(-FLT_MAX, m, a);
    after = decide(-FLT_MAX, *gamma, *beta);
    return before == after;
}

/* The float constants lower_batchnorm gives channel c of BatchNorm bn
 * (its mul and add): recomputed here as it does, so that D is what the
 * program computed. */
static void bn_constants(const ir_graph *g, const ir_node *bn, int64_t c, float *m, float *a)
{
    const ir_node *gm = g->nodes[bn->in[1].node], *bt = g->nodes[bn->in[2].node];
    const ir_node *mn = g->nodes[bn->in[3].node], *vr = g->nodes[bn->in[4].node];
    double gg = bn->a.bn.fix_gamma ? 1.0 : gm->a.c.f[c];
    double mm = gg / sqrt((double)vr->a.c.f[c] + bn->a.bn.eps);
    double aa = (double)bt->a.c.f[c] - (double)mn->a.c.f[c] * mm;
    double k = fold_sign_scale(fmax(fabs(mm), fabs(aa))); /* only signs are read */
    *m = (float)(mm * k);
    *a = (float)(aa * k);
}

static ir_node *new_vector(ir_graph *g, const char *name, int64_t ch, const float *v)
{
    ir_node *k = ir_node_add(g, IR_OP_CONST, name, "constant", -1);
    k->a.c.shape.ndim = 1;
    k->a.c.shape.d[0] = ch;
    k->a.c.f = ir_graph_floats(g, (size_t)ch);
    memcpy(k->a.c.f, v, sizeof(float) * (size_t)ch);
    k->shape = xcalloc(1, sizeof *k->shape);
    k->shape[0] = k->a.c.shape;
    return k;
}

static int is_const(const ir_graph *g, const ir_node *n, int slot)
{
    const ir_node *k = g->nodes[n->in[slot].node];
    return k->op == IR_OP_CONST && k->a.c.f;
}

/* Fold the chain from act node `act` when it has the form above.
 * Returns 1 when folded. */
static int fold_chain(ir_graph *g, ir_node *act)
{
    ir_node *u = ir_sole_consumer(g, act), *bn;
    int pools = 0, axis;
    int64_t ch, c;
    float *gamma, *beta;
    ir_node *kg, *kb, *km, *kv;
    if (act->n_in != 1 || act->shape[0].ndim != 4)
        return 0;
    while (u && u->op == IR_OP_POOL) {
        const ir_pool_attr *p = &u->a.pool;
        if (p->type != IR_POOL_MAX || p->v1 || p->global || p->pad[0] || p->pad[1])
            return 0;
        pools++;
        u = ir_sole_consumer(g, u);
    }
    bn = u;
    if (!bn || bn->op != IR_OP_BATCHNORM || bn->shape[0].ndim != 4)
        return 0;
    axis = bn->a.bn.axis < 0 ? bn->a.bn.axis + 4 : bn->a.bn.axis;
    if (axis != 1 || !is_const(g, bn, 1) ||
        !is_const(g, bn, 2) || !is_const(g, bn, 3) || !is_const(g, bn, 4) ||
        !ir_only_binarized(g, bn->id))
        return 0;
    ch = bn->shape[0].d[1];
    gamma = xmalloc(sizeof(float) * (size_t)ch);
    beta = xmalloc(sizeof(float) * (size_t)ch);
    for (c = 0; c < ch; c++) {
        float m, a;
        bn_constants(g, bn, c, &m, &a);
        if (!fold_monotonic_channel(act->a.act.act, m, a, pools > 0, &gamma[c], &beta[c])) {
            free(gamma);
            free(beta);
            return 0;
        }
    }
    /* BatchNorm' (mean 0, var 1, eps 0: lowering's mul is gamma, its add
     * beta, both exact) */
    kg = new_vector(g, bn->name, ch, gamma);
    kb = new_vector(g, bn->name, ch, beta);
    for (c = 0; c < ch; c++) {
        gamma[c] = 0.0f; /* mean */
        beta[c] = 1.0f;  /* var */
    }
    km = new_vector(g, bn->name, ch, gamma);
    kv = new_vector(g, bn->name, ch, beta);
    free(gamma);
    free(beta);
    {
        ir_ref in[5] = {bn->in[0], {kg->id, 0}, {kb->id, 0}, {km->id, 0}, {kv->id, 0}};
        ir_node_set_inputs(g, bn, 5, in);
    }
    bn->a.bn.eps = 0.0;
    bn->a.bn.fix_gamma = 0;
    /* the act's input goes where its output went */
    ir_node_merge_name(bn, act->name);
    ir_replace_uses(g, (ir_ref){act->id, 0}, act->in[0]);
    act->dead = 1;
    return 1;
}

int pass_fold_monotonic(ir_graph *g, bnnc_err *err)
{
    size_t i, count = g->n;
    int added = 0;
    (void)err;
    for (i = 0; i < count; i++) {
        ir_node *n = g->nodes[i];
        if (n->dead || n->op != IR_OP_ACT ||
            (n->a.act.act != IR_ACT_TANH && n->a.act.act != IR_ACT_SIGMOID))
            continue;
        added |= fold_chain(g, n);
    }
    ir_mark_dead(g);
    ir_compact(g);
    if (added)
        ir_sort(g);
    return 0;
}
