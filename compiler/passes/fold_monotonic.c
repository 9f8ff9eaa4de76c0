/*
 * fold_monotonic.c - elementwise activations that a float value passes
 * through only to be binarized are not computed at all: the binarization
 * becomes one threshold per channel on the value itself.
 *
 * Requires: fold_float (a BatchNorm or ReLU that a float layer absorbed is
 * not this pass's). Establishes: no chain
 *     P -> (stage | max pool)+ -> [BatchNorm] -> only binarized
 * could be folded, except where a channel's decision is not a threshold
 * on P's value (below). P is any float value; each arrow is the only use;
 * a stage is a tanh, sigmoid, ReLU, leaky ReLU with a slope > 0, clip,
 * max or min with a scalar, scalar add/sub/mul/div, or a BatchNorm with
 * constant parameters on axis 1 (a per-channel affine map); every pool is
 * max without padding; the chain's end (the BatchNorm, else its last
 * node) is read only through signs, binary layers, max pools and flattens
 * (ir_only_binarized); tensors are 2-D or NCHW. The folded chain is
 *     P -> max pool* -> BatchNorm'
 * with BatchNorm' the map y -> y - T[c], T[c] - y or 1 per channel (gamma
 * +1, -1 or 0, beta -T, T or 1, mean 0, var 1, eps 0): the chain's
 * BatchNorm rewritten, or a new one in place of the last stage. Lowering
 * turns it into the pack_affine step it would have been.
 *
 * What is reproduced. The program before this pass computes, for a value
 * y of P's output (after pooling, see below), bit = E(s_n(...s_1(y))):
 * each stage s_i as its runtime kernel computes it (fm_kind in passes.h:
 * bnn_act_f32's relu and leaky, bnn_unary_f32's clip, max and min,
 * bnn_affine_f32's x * m + a in two roundings, bnn_act_fast_f32's tanh
 * and sigmoid, the portable instance of bnn_vmath_impl.h which every
 * variant reproduces bit for bit), then E(z) = fl(fl(z * m) + a) < 0 with
 * the float constants lower_batchnorm computes (m = 1, a = 0 without a
 * BatchNorm: z < 0 is the same bit, -0 + 0 being +0). The compiler
 * evaluates all of it exactly (the same template and expressions, ISO C,
 * no contraction into fused multiply-adds).
 *
 * The threshold. Every exact stage is weakly monotone on the extended
 * reals (increasing, or decreasing for an affine map with m < 0; m = 0
 * and slopes <= 0 are not stages), maps NaN to NaN, and is a function of
 * the real value (-0 and +0 may give different zeros, which every later
 * stage and E treat alike). So a chain of exact stages followed by E is a
 * monotone bit function of y over the floats in their order (-inf ... -0,
 * +0 ... +inf): it changes at most once, found by bisection over the 2^32
 * orderings, and -0 and +0 decide alike (checked). tanh and sigmoid are
 * within 2 ulp of the exact functions (proven on every float,
 * tests/unit/runtime/test_act_fast_exhaustive.c) but not monotone (tanh
 * decreases by 1 ulp at 22 inputs, sigmoid at 703471); at most one of
 * them per chain. The bit as a function of its output z (the exact
 * stages after it, E) changes at one float z_f; z_lo and z_hi, 8 floats
 * below and above z_f, are mapped back through the exact inverse (atanh,
 * the logit, in double) to u_lo, u_hi, widened by 2 floats. Below u_lo
 * the exact act is below z_lo, so the runtime's is below z_f; above u_hi
 * it is above z_hi, so the runtime's is at or above z_f. Between them (at
 * most 2^16 floats, else no fold) every float u is evaluated: the bit
 * must change exactly once. That set of u, a half-line, is pulled back
 * through the exact stages before the act by bisection as above. The
 * result: for every non-NaN y the bit is 1 exactly when y < T (the bit
 * falls from 1 to 0), when y > T (rises), or never. A chain whose bit is
 * 1 for every y is no affine map followed by < 0 at y = +-inf (0 * inf
 * is NaN): not folded. NaN: every stage gives NaN, E(NaN) is 0, and so is
 * BatchNorm'(NaN).
 *
 * Flush-to-zero. The program runs with subnormals flushed (FTZ/DAZ) by
 * default, or not (--denormals keep, -D<PREFIX>_KEEP_DENORMALS, targets
 * without the mode), and the fold must hold either way. The evaluation is
 * done three times: as IEEE (keep), and flushing every subnormal operand
 * (the constants included) and every result that is subnormal after
 * rounding, or before (the two ways processors detect tininess). Flushing
 * is weakly monotone, so each way is a monotone bit function as above;
 * the two flushing ways must give the same threshold. No constant of the
 * chain may be subnormal. The runtime's tanh and sigmoid give other
 * results under the flush only for inputs or results below 2^-125 in
 * magnitude, so with an act, the bit after it must be the same for every
 * z in [-2^-125, 2^-125] and, flushing, the band scanned must not meet
 * the subnormals. BatchNorm' is then checked the same way: its own
 * threshold, found by the same evaluation in each of the three ways,
 * must be the chain's.
 *
 * BatchNorm' is exact: y - T < 0 exactly when y < T (IEEE subtraction of
 * two floats is 0 only when they are equal and keeps the sign of the
 * exact difference; +-inf give +-inf); T - y < 0 exactly when y > T;
 * 0 * y + 1 is 1 (NaN for y = +-inf or NaN: bit 0, +1, as before).
 *
 * Max pooling. bnn_maxpool_f32 gives max(-FLT_MAX, the window's non-NaN
 * values). Pools move before the stages only when every stage before the
 * last pool is increasing (no affine map with m <= 0 there; a negative
 * scale would turn max into min). Then the bit after each stage is a
 * half-line of the same direction as the final one, S, and a window gives
 * the same bit before and after the move when its non-NaN values are
 * all in S or not (NaNs stay NaN and are skipped by both), except for
 * the -FLT_MAX every pool adds: pool k adds the value F_k = -FLT_MAX at
 * its place, whose bit (through the stages after it) must equal the bit
 * of -FLT_MAX at y, which is what the pool adds after the move. With the
 * bit monotone, equal bits at F_k and at the value -FLT_MAX reaches
 * there mean that every value between decides alike, so the maximum with
 * either gives the same bit; checked for every pool and every way.
 */
#include "passes.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
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
#define VM_FN(name) fm_vm_##name
#include "../../runtime_min/src/bnn_vmath_scalar.h"

/* Floats in their order as integers: -inf ... -0, +0 ... +inf map to
 * increasing values (-0 and +0 to neighbours -1 and 0). */
static int64_t ord_of(float x)
{
    uint32_t u = bnn_vm_f2u(x);
    return u & 0x80000000u ? -(int64_t)(u & 0x7FFFFFFFu) - 1 : (int64_t)u;
}

static float float_of(int64_t o)
{
    return bnn_vm_u2f(o < 0 ? (uint32_t)(-(o + 1)) | 0x80000000u : (uint32_t)o);
}

static const int64_t ORD_NEG_INF = -(int64_t)0x7F800000 - 1, ORD_POS_INF = 0x7F800000;

/* Below this magnitude the runtime's tanh and sigmoid may give another
 * result when subnormals are flushed (see the top of the file). */
#define FLUSH_BAND 0x1p-125f

/* How floats are rounded: IEEE, or subnormals flushed to zero, with
 * tininess detected after rounding or before it. */
enum { KEEP, FLUSH_AFTER, FLUSH_BEFORE, N_WAYS };

/* Operand x as the processor reads it (denormals-are-zero). */
static float rd(float x, int way)
{
    return way != KEEP && x != 0.0f && fabsf(x) < FLT_MIN ? copysignf(0.0f, x) : x;
}

/* Result r (exact value e, in double) as the processor writes it. */
static float wr(float r, double e, int way)
{
    if (way == KEEP || r == 0.0f)
        return r;
    if (fabsf(r) < FLT_MIN || (way == FLUSH_BEFORE && fabs(e) < (double)FLT_MIN))
        return copysignf(0.0f, r);
    return r;
}

/* A set of non-NaN floats v: bit 1 where (ord_of(v) < s ? lo : hi). */
typedef struct {
    int64_t s;
    int lo, hi;
} fm_set;

static int member(const fm_set *st, float v)
{
    return ord_of(v) < st->s ? st->lo : st->hi;
}

static float act_of(fm_kind k, float u)
{
    return k == FM_TANH ? fm_vm_tanh(u) : fm_vm_sigmoid(u);
}

/* The exact inverse of the act, in double: -inf / +inf beyond its range. */
static double act_inverse(fm_kind k, double z)
{
    if (k == FM_TANH)
        return z <= -1.0 ? -INFINITY : z >= 1.0 ? INFINITY : atanh(z);
    return z <= 0.0 ? -INFINITY : z >= 1.0 ? INFINITY : log(z / (1.0 - z));
}

/* The bit of value v entering stage i of c, through the exact stages
 * i .. end-1, then `tail` (a set on the value after them) or, when tail
 * is NULL, E; rounded `way`. */
static int run(const fm_chain *c, int i, int end, float v, int way, const fm_set *tail)
{
    float t, p, q;
    for (; i < end; i++) {
        const fm_stage *st = &c->s[i];
        v = rd(v, way);
        p = rd(st->p, way);
        q = rd(st->q, way);
        switch (st->kind) {
        case FM_AFFINE:
            t = wr(v * p, (double)v * p, way);
            v = wr(t + q, (double)t + q, way);
            break;
        case FM_RELU:
            v = (v > 0.0f || v != v) ? v : 0.0f;
            break;
        case FM_CLIP:
            v = v > q ? q : (v < p ? p : v);
            break;
        case FM_LEAKY:
            v = v > 0.0f ? v : wr(p * v, (double)p * v, way);
            break;
        case FM_MAX_S:
            v = (v != v || v > p) ? v : p;
            break;
        case FM_MIN_S:
            v = (v != v || v < p) ? v : p;
            break;
        default:
            return -1; /* not an exact stage */
        }
    }
    if (tail)
        return isnan(v) ? 0 : member(tail, rd(v, way));
    v = rd(v, way);
    p = rd(c->m, way);
    q = rd(c->a, way);
    t = wr(v * p, (double)v * p, way);
    t = wr(t + q, (double)t + q, way);
    return t < 0.0f;
}

/* The set of floats v whose bit is 1 through stages i .. end-1 (exact)
 * and tail (see run), by bisection: the bit is monotone in v. Returns 0
 * when -0 and +0 decide differently (no threshold expresses that). */
static int bisect(const fm_chain *c, int i, int end, const fm_set *tail, int way, fm_set *out)
{
    int64_t l = ORD_NEG_INF, h = ORD_POS_INF;
    int lo = run(c, i, end, -INFINITY, way, tail), hi = run(c, i, end, INFINITY, way, tail);
    if (lo < 0 || hi < 0)
        return 0;
    out->lo = lo;
    out->hi = hi;
    out->s = ORD_POS_INF + 1;
    if (lo == hi)
        return 1;
    while (h - l > 1) {
        int64_t mid = l + (h - l) / 2;
        if (run(c, i, end, float_of(mid), way, tail) == hi)
            h = mid;
        else
            l = mid;
    }
    out->s = h;
    return run(c, i, end, -0.0f, way, tail) == run(c, i, end, 0.0f, way, tail);
}

/* The set of act inputs u whose bit is 1, from the set z_set of act
 * outputs (see "The threshold" at the top of the file). */
static int pull_act(fm_kind k, const fm_set *zs, int way, fm_set *out)
{
    int64_t lo, hi, o, sw, zl, zh;
    double yl, yh;
    int prev, changes = 0;
    *out = *zs;
    if (zs->lo == zs->hi)
        return 1; /* the act's values are never NaN for non-NaN inputs */
    zl = zs->s - 8 > ORD_NEG_INF ? zs->s - 8 : ORD_NEG_INF;
    zh = zs->s + 8 < ORD_POS_INF ? zs->s + 8 : ORD_POS_INF;
    yl = act_inverse(k, (double)float_of(zl));
    yh = act_inverse(k, (double)float_of(zh));
    lo = isinf(yl) ? (yl < 0 ? ORD_NEG_INF : ORD_POS_INF) : ord_of((float)yl) - 2;
    hi = isinf(yh) ? (yh < 0 ? ORD_NEG_INF : ORD_POS_INF) : ord_of((float)yh) + 2;
    if (lo < ORD_NEG_INF)
        lo = ORD_NEG_INF;
    if (hi > ORD_POS_INF)
        hi = ORD_POS_INF;
    if (hi < lo || hi - lo > ((int64_t)1 << 16))
        return 0;
    if (way != KEEP && lo < ord_of(FLT_MIN) && hi > ord_of(-FLT_MIN))
        return 0; /* the band meets the subnormals, which the flush reads as 0 */
    /* below lo every bit is zs->lo, above hi zs->hi; between, one change */
    prev = zs->lo;
    sw = hi + 1;
    for (o = lo; o <= hi; o++) {
        int d = member(zs, act_of(k, rd(float_of(o), way)));
        if (d != prev) {
            changes++;
            sw = o;
            prev = d;
        }
    }
    if (prev != zs->hi) {
        changes++; /* the change is just above hi */
        sw = hi + 1;
    }
    if (changes != 1)
        return 0;
    out->s = sw;
    return 1;
}

/* The set of y whose bit is 1 through the whole chain, rounded `way`;
 * *at_act: the set on the act's input when the chain has an act. */
static int chain_set(const fm_chain *c, int way, fm_set *out, fm_set *at_act)
{
    int i, j = -1;
    fm_set zs, us;
    for (i = 0; i < c->n; i++)
        if (c->s[i].kind == FM_TANH || c->s[i].kind == FM_SIGMOID) {
            if (j >= 0)
                return 0; /* two approximate acts: not handled */
            j = i;
        }
    if (j < 0)
        return bisect(c, 0, c->n, NULL, way, out);
    if (!bisect(c, j + 1, c->n, NULL, way, &zs))
        return 0;
    if (way != KEEP && member(&zs, -FLUSH_BAND) != member(&zs, FLUSH_BAND))
        return 0; /* the flush may change the act's tiny results */
    if (!pull_act(c->s[j].kind, &zs, way, &us))
        return 0;
    *at_act = us;
    if (!bisect(c, 0, j, &us, way, out))
        return 0;
    return member(out, -0.0f) == member(out, 0.0f);
}

static int same_set(const fm_set *x, const fm_set *y)
{
    if (x->lo == x->hi || y->lo == y->hi)
        return x->lo == x->hi && y->lo == y->hi && x->lo == y->lo;
    return x->s == y->s && x->lo == y->lo && x->hi == y->hi;
}

/* Whether a stage's constants make it one of the monotone stages the
 * derivation covers, and whether it is increasing. */
static int stage_ok(const fm_stage *st, int *increasing)
{
    int sub_p = st->p != 0.0f && fabsf(st->p) < FLT_MIN;
    int sub_q = st->q != 0.0f && fabsf(st->q) < FLT_MIN;
    *increasing = 1;
    if (isnan(st->p) || isnan(st->q) || sub_p || sub_q)
        return 0;
    switch (st->kind) {
    case FM_AFFINE:
        *increasing = st->p > 0.0f;
        return st->p != 0.0f && isfinite(st->p) && isfinite(st->q);
    case FM_CLIP:
        return st->p <= st->q;
    case FM_LEAKY:
        return st->p > 0.0f && isfinite(st->p);
    case FM_RELU:
    case FM_MAX_S:
    case FM_MIN_S:
    case FM_TANH:
    case FM_SIGMOID:
        return 1;
    }
    return 0;
}

/* Whether y * g + b < 0 (BatchNorm', rounded and flushed as lowering
 * and the runtime do) is the chain's bit for every float y, in every
 * way s[way] was found, with the pools moved before it (see "Max
 * pooling" at the top of the file; j: the act's stage or -1). */
static int agrees(const fm_chain *c, int j, const fm_set *s, const fm_set *at_act, float g,
                  float b)
{
    fm_chain folded;
    fm_set f;
    int way, k;
    if (isnan(b) || (g != 0.0f && fabsf(g) < FLT_MIN) || (b != 0.0f && fabsf(b) < FLT_MIN) ||
        fmax(fabs((double)g), fabs((double)b)) < 0x1p-64)
        return 0; /* lowering would scale it (fold_sign_scale), or DAZ zero it */
    memset(&folded, 0, sizeof folded);
    folded.m = g;
    folded.a = b;
    for (way = 0; way < N_WAYS; way++) {
        if (g == 0.0f) {
            if (b < 0.0f)
                return 0;
            f.lo = f.hi = 0; /* 0 * y + b >= 0, NaN at +-inf */
            f.s = ORD_POS_INF + 1;
        } else if (!bisect(&folded, 0, 0, NULL, way, &f)) {
            return 0;
        }
        if (!same_set(&f, &s[way]))
            return 0;
        /* pools: the -FLT_MAX each adds decides as -FLT_MAX at y */
        for (k = 0; k < c->n_pools; k++) {
            int at = c->pool_at[k], d;
            if (j >= at)
                d = run(c, at, j, -FLT_MAX, way, &at_act[way]);
            else
                d = run(c, at, c->n, -FLT_MAX, way, NULL);
            if (d != member(&s[way], -FLT_MAX))
                return 0;
        }
    }
    return 1;
}

int fold_monotonic_chain(const fm_chain *c, float *gamma, float *beta)
{
    fm_set s[N_WAYS], at_act[N_WAYS];
    int i, k, way, inc, last_pool = 0, j = -1;
    float t, sign;
    if (!FM_FLOAT_EXACT || c->n < 0 || c->n > FM_MAX_STAGES || c->n_pools < 0 ||
        c->n_pools > FM_MAX_STAGES)
        return 0;
    for (k = 0; k < c->n_pools; k++) {
        if (c->pool_at[k] < 0 || c->pool_at[k] > c->n)
            return 0;
        if (c->pool_at[k] > last_pool)
            last_pool = c->pool_at[k];
    }
    for (i = 0; i < c->n; i++) {
        if (!stage_ok(&c->s[i], &inc) || (i < last_pool && !inc))
            return 0;
        if (c->s[i].kind == FM_TANH || c->s[i].kind == FM_SIGMOID)
            j = i;
    }
    if (isnan(c->m) || isnan(c->a) || !isfinite(c->m) || !isfinite(c->a) ||
        (c->m != 0.0f && fabsf(c->m) < FLT_MIN) || (c->a != 0.0f && fabsf(c->a) < FLT_MIN))
        return 0; /* a subnormal constant reads as 0 under denormals-are-zero */
    if (c->m == 0.0f) {
        /* E is a >= 0 for every z (0 * inf is NaN: 0 too) */
        if (c->a < 0.0f)
            return 0; /* -1 for finite z, +1 at +-inf: no threshold */
        *gamma = 0.0f;
        *beta = 1.0f;
        return 1;
    }
    for (way = 0; way < N_WAYS; way++)
        if (!chain_set(c, way, &s[way], &at_act[way]))
            return 0;
    if (!same_set(&s[FLUSH_AFTER], &s[FLUSH_BEFORE]))
        return 0;
    /* BatchNorm' from the IEEE threshold: y - T or T - y; failing that
     * (a leaky ReLU's slope makes the chain's threshold move with the
     * flush), g y - g T with g the slope of a leaky stage */
    if (s[KEEP].lo == s[KEEP].hi) {
        if (s[KEEP].lo)
            return 0; /* -1 everywhere */
        *gamma = 0.0f;
        *beta = 1.0f;
        return agrees(c, j, s, at_act, *gamma, *beta);
    }
    t = s[KEEP].lo ? float_of(s[KEEP].s) : float_of(s[KEEP].s - 1);
    sign = s[KEEP].lo ? 1.0f : -1.0f; /* 1 below T: y - T; above: T - y */
    for (i = -1; i < c->n; i++) {
        float g = sign * (i < 0 ? 1.0f : c->s[i].p);
        if (i >= 0 && c->s[i].kind != FM_LEAKY)
            continue;
        *gamma = g;
        *beta = -(g * t);
        if (agrees(c, j, s, at_act, *gamma, *beta))
            return 1;
    }
    return 0;
}

/* ---- the graph ------------------------------------------------------- */

static int is_const(const ir_graph *g, const ir_node *n, int slot)
{
    const ir_node *k = g->nodes[n->in[slot].node];
    return k->op == IR_OP_CONST && k->a.c.f;
}

static int bn_usable(const ir_graph *g, const ir_node *bn)
{
    int axis = bn->a.bn.axis < 0 ? bn->a.bn.axis + bn->shape[0].ndim : bn->a.bn.axis;
    return bn->n_in == 5 && axis == 1 && is_const(g, bn, 1) && is_const(g, bn, 2) &&
           is_const(g, bn, 3) && is_const(g, bn, 4);
}

/* The float constants lower_batchnorm gives channel c of BatchNorm bn
 * (its mul and add), recomputed as it does: scaled by fold_sign_scale
 * when the BatchNorm feeds only signs (signs), so that they are what the
 * program computed with. */
static void bn_constants(const ir_graph *g, const ir_node *bn, int64_t c, int signs, float *m,
                         float *a)
{
    const ir_node *gm = g->nodes[bn->in[1].node], *bt = g->nodes[bn->in[2].node];
    const ir_node *mn = g->nodes[bn->in[3].node], *vr = g->nodes[bn->in[4].node];
    double gg = bn->a.bn.fix_gamma ? 1.0 : gm->a.c.f[c];
    double mm = gg / sqrt((double)vr->a.c.f[c] + bn->a.bn.eps);
    double aa = (double)bt->a.c.f[c] - (double)mn->a.c.f[c] * mm;
    double k = signs ? fold_sign_scale(fmax(fabs(mm), fabs(aa))) : 1.0;
    *m = (float)(mm * k);
    *a = (float)(aa * k);
}

/* Node n as a stage of channel c (as lowering makes it: lower_act,
 * lower_clip, lower_scalar, lower_batchnorm). Returns 0 when n is no
 * stage. */
static int stage_of(const ir_graph *g, const ir_node *n, int64_t c, fm_stage *st)
{
    memset(st, 0, sizeof *st);
    switch (n->op) {
    case IR_OP_ACT:
    case IR_OP_LEAKY:
        if (n->n_in != 1)
            return 0;
        switch (n->a.act.act) {
        case IR_ACT_RELU: st->kind = FM_RELU; return 1;
        case IR_ACT_TANH: st->kind = FM_TANH; return 1;
        case IR_ACT_SIGMOID: st->kind = FM_SIGMOID; return 1;
        case IR_ACT_LEAKY: st->kind = FM_LEAKY; st->p = (float)n->a.act.slope; return 1;
        default: return 0;
        }
    case IR_OP_CLIP:
        st->kind = FM_CLIP;
        st->p = (float)n->a.clip.a_min;
        st->q = (float)n->a.clip.a_max;
        return n->n_in == 1;
    case IR_OP_SCALAR: {
        float v = (float)n->a.scalar.value;
        st->kind = FM_AFFINE;
        switch (n->a.scalar.kind) {
        case IR_SC_ADD: st->p = 1.0f; st->q = v; break;
        case IR_SC_SUB: st->p = 1.0f; st->q = -v; break;
        case IR_SC_RSUB: st->p = -1.0f; st->q = v; break;
        case IR_SC_MUL: st->p = v; st->q = 0.0f; break;
        case IR_SC_DIV: st->p = 1.0f / v; st->q = 0.0f; break;
        case IR_SC_MAX: st->kind = FM_MAX_S; st->p = v; break;
        case IR_SC_MIN: st->kind = FM_MIN_S; st->p = v; break;
        default: return 0;
        }
        return n->n_in == 1;
    }
    case IR_OP_BATCHNORM:
        if (!bn_usable(g, n))
            return 0;
        st->kind = FM_AFFINE;
        bn_constants(g, n, c, 0, &st->p, &st->q);
        return 1;
    default:
        return 0;
    }
}

static int is_pool(const ir_node *n)
{
    const ir_pool_attr *p = &n->a.pool;
    return n->op == IR_OP_POOL && p->type == IR_POOL_MAX && !p->v1 && !p->global &&
           !p->pad[0] && !p->pad[1];
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

/* The chain from stage node `first` (see the top of the file): its nodes
 * in order (stages and pools), and its BatchNorm, if it ends in one. */
typedef struct {
    ir_node *node[2 * FM_MAX_STAGES];
    int n, n_stages;
    ir_node *bn;
} chain_nodes;

static int collect(ir_graph *g, ir_node *first, chain_nodes *cn)
{
    ir_node *n = first, *u;
    fm_stage st;
    int ndim = first->shape[0].ndim;
    memset(cn, 0, sizeof *cn);
    if (ndim != 2 && !(ndim == 4 && g->layout == IR_LAYOUT_NCHW))
        return 0;
    for (;;) {
        if (n->n_out != 1 || n->shape[0].ndim != ndim ||
            n->shape[0].d[0] != first->shape[0].d[0] || n->shape[0].d[1] != first->shape[0].d[1])
            return 0;
        if (n->op == IR_OP_BATCHNORM && ir_only_binarized(g, n->id) && bn_usable(g, n)) {
            cn->bn = n; /* the end: E */
            break;
        }
        if (cn->n >= 2 * FM_MAX_STAGES)
            return 0;
        if (is_pool(n)) {
            cn->node[cn->n++] = n;
        } else if (stage_of(g, n, 0, &st) && cn->n_stages < FM_MAX_STAGES) {
            cn->node[cn->n++] = n;
            cn->n_stages++;
        } else {
            return 0;
        }
        u = ir_sole_consumer(g, n);
        if (!u || (!is_pool(u) && !(u->op == IR_OP_BATCHNORM && bn_usable(g, u)) &&
                   !stage_of(g, u, 0, &st)))
            break;
        n = u;
    }
    if (cn->n_stages == 0)
        return 0;
    /* the pools and stages stay float: a sign reads only the end */
    return cn->bn || ir_only_binarized(g, cn->node[cn->n - 1]->id);
}

/* Fold the chain from stage node `first` when it has the form at the top
 * of the file. Returns 1 when folded. */
static int fold_chain(ir_graph *g, ir_node *first)
{
    chain_nodes cn;
    fm_chain fc;
    ir_node *bn, *last, *end, *kg, *kb, *km, *kv;
    int64_t ch, c;
    float *gamma, *beta;
    int i;
    if (!collect(g, first, &cn))
        return 0;
    ch = first->shape[0].d[1];
    gamma = xmalloc(sizeof(float) * (size_t)ch);
    beta = xmalloc(sizeof(float) * (size_t)ch);
    for (c = 0; c < ch; c++) {
        memset(&fc, 0, sizeof fc);
        for (i = 0; i < cn.n; i++) {
            if (is_pool(cn.node[i]))
                fc.pool_at[fc.n_pools++] = fc.n;
            else
                stage_of(g, cn.node[i], c, &fc.s[fc.n++]);
        }
        fc.m = 1.0f;
        fc.a = 0.0f;
        if (cn.bn)
            bn_constants(g, cn.bn, c, 1, &fc.m, &fc.a);
        if (!fold_monotonic_chain(&fc, &gamma[c], &beta[c])) {
            free(gamma);
            free(beta);
            return 0;
        }
    }
    /* BatchNorm' (mean 0, var 1, eps 0: lowering's mul is gamma, its add
     * beta, both exact) */
    bn = cn.bn;
    end = cn.node[cn.n - 1];
    last = NULL;
    for (i = cn.n - 1; i >= 0 && !last; i--)
        if (!is_pool(cn.node[i]))
            last = cn.node[i];
    kg = new_vector(g, bn ? bn->name : last->name, ch, gamma);
    kb = new_vector(g, bn ? bn->name : last->name, ch, beta);
    for (c = 0; c < ch; c++) {
        gamma[c] = 0.0f; /* mean */
        beta[c] = 1.0f;  /* var */
    }
    km = new_vector(g, bn ? bn->name : last->name, ch, gamma);
    kv = new_vector(g, bn ? bn->name : last->name, ch, beta);
    free(gamma);
    free(beta);
    if (!bn) {
        /* a new BatchNorm after the chain's end, named after its last stage */
        bn = ir_node_add(g, IR_OP_BATCHNORM, last->name, last->src_op, last->src_index);
        bn->n_out = 1;
        bn->shape = xcalloc(1, sizeof *bn->shape);
        bn->shape[0] = end->shape[0];
        bn->a.bn.axis = 1;
        bn->a.bn.use_global_stats = 1;
        ir_replace_uses(g, (ir_ref){end->id, 0}, (ir_ref){bn->id, 0});
        {
            ir_ref in[5] = {{end->id, 0}, {kg->id, 0}, {kb->id, 0}, {km->id, 0}, {kv->id, 0}};
            ir_node_set_inputs(g, bn, 5, in);
        }
    } else {
        ir_ref in[5] = {bn->in[0], {kg->id, 0}, {kb->id, 0}, {km->id, 0}, {kv->id, 0}};
        ir_node_set_inputs(g, bn, 5, in);
    }
    bn->a.bn.eps = 0.0;
    bn->a.bn.fix_gamma = 0;
    /* every stage's input goes where its output went; pools stay */
    for (i = 0; i < cn.n; i++) {
        ir_node *s = cn.node[i];
        if (is_pool(s))
            continue;
        ir_node_merge_name(bn, s->name);
        ir_replace_uses(g, (ir_ref){s->id, 0}, s->in[0]);
        s->dead = 1;
    }
    return 1;
}

int pass_fold_monotonic(ir_graph *g, bnnc_err *err)
{
    size_t i, count = g->n;
    int folded = 0;
    fm_stage st;
    (void)err;
    for (i = 0; i < count; i++) {
        ir_node *n = g->nodes[i];
        if (n->dead || !n->shape || !stage_of(g, n, 0, &st))
            continue;
        folded |= fold_chain(g, n);
    }
    if (folded)
        ir_sort(g); /* a new BatchNorm comes after its consumers until then */
    ir_mark_dead(g);
    ir_compact(g);
    return 0;
}
