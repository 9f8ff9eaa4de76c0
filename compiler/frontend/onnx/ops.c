/*
 * ops.c - ONNX operators onto IR rows: a row per operator (domain,
 * op_type, importer).
 *
 * An operator whose inputs are all known at compile time is evaluated
 * here (in float32, operation by operation, as onnxruntime and qonnx's
 * executor do), so that weight branches (BipolarQuant(W), PyTorch's
 * alpha * Sign(W)) and shape sub-graphs (Shape, Gather, Unsqueeze,
 * Concat) become constants. Otherwise the row builds generic IR.
 *
 * Binarisation, exactly as each convention defines it:
 * - QONNX BipolarQuant(x, s) and Quant(bitwidth 1, signed) map x >= 0 to
 *   +1: that is the IR's sign (x < 0 -> -1, else +1), followed by the
 *   scale; so a BipolarQuant feeding a convolution with +-1 weights is a
 *   binary layer for the binarize pass.
 * - ONNX Sign maps 0 to 0: the IR's sign3, a float result, which no
 *   binary layer takes (an exact zero reaching it must give 0).
 * - FINN MultiThreshold with one threshold per channel and out_scale 2,
 *   out_bias -1 is sign(x - t): x - t is 0 exactly when x == t (IEEE
 *   subtraction), so x >= t <=> sign(x - t) = +1.
 */
#include "import_impl.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/mem.h"

#define MAXR IR_MAX_DIMS

/* ---- small helpers ------------------------------------------------------ */

/* Every present input is defined and constant (bad: one is undefined). */
static int all_const(onnx_imp *im, int *bad)
{
    size_t k;
    for (k = 0; k < im->cur->n_inputs; k++) {
        oval *v = onnx_in(im, (int)k, bad);
        if (*bad)
            return 0;
        if (v && v->state != V_CONST)
            return 0;
    }
    return 1;
}

static const char *out0(onnx_imp *im)
{
    return im->cur->n_outputs ? im->cur->outputs[0] : "";
}

/* Input k (what) must be present. Rows define output 0 only unless they
 * say otherwise; a use of another output is an error naming this node
 * (import.c marks them not computed). */
static int need_in(onnx_imp *im, oval *v, int k, const char *what)
{
    if (!v)
        return onnx_nerr(im, "input %d (%s) is missing", k, what);
    return 0;
}

static int norm_axis(int64_t ax, int nd)
{
    if (ax < 0)
        ax += nd;
    return ax < 0 || ax >= nd ? -1 : (int)ax;
}

static int is_scalar(const oval *v)
{
    return v->n == 1;
}

/* d as an int64, clamped (NaN gives 0): values from the model are never
 * converted out of range. */
static int64_t to_i64(double d)
{
    if (!(d == d))
        return 0;
    if (d >= 9.2e18)
        return INT64_MAX;
    if (d <= -9.2e18)
        return INT64_MIN;
    return (int64_t)d;
}

/* Int list from a constant (axes, pads, shapes). */
static int const_ints(onnx_imp *im, const oval *v, int64_t *out, int max, const char *what)
{
    int64_t k;
    if (v->state != V_CONST)
        return onnx_nerr(im, "%s must be known at compile time", what);
    if (v->n > max)
        return onnx_nerr(im, "%s has %lld values, at most %d are supported", what,
                         (long long)v->n, max);
    for (k = 0; k < v->n; k++)
        out[k] = v->is_int ? v->i[k] : to_i64(v->f[k]);
    return (int)v->n;
}

/* Axes from the attribute (before `input_from`) or input k. */
static int get_axes(onnx_imp *im, int64_t input_from, int k, int64_t *axes, int *bad)
{
    if (im->opset < input_from)
        return onnx_attr_ints(im, "axes", axes, MAXR);
    {
        oval *a = onnx_in(im, k, bad);
        if (*bad)
            return -1;
        return a ? const_ints(im, a, axes, MAXR, "axes") : 0;
    }
}

static ir_shape shape_of(int nd, const int64_t *d)
{
    ir_shape s;
    int i;
    memset(&s, 0, sizeof s);
    s.ndim = nd;
    for (i = 0; i < nd; i++)
        s.d[i] = d[i];
    return s;
}

/* A RESHAPE of x to s (IR), or a constant's new shape. */
static int reshape_to(onnx_imp *im, oval *x, const ir_shape *s)
{
    ir_node *n;
    ir_ref in;
    int i;
    if (ir_shape_count(s) != ir_shape_count(onnx_shape(im, x)))
        return onnx_nerr(im, "cannot reshape %lld elements into %lld",
                         (long long)ir_shape_count(onnx_shape(im, x)),
                         (long long)ir_shape_count(s));
    if (x->state == V_CONST) {
        oval *v = onnx_def_const(im, out0(im), s, x->is_int);
        if (!v)
            return -1;
        if (x->is_int)
            memcpy(v->i, x->i, sizeof *v->i * (size_t)x->n);
        else
            memcpy(v->f, x->f, sizeof *v->f * (size_t)x->n);
        return 0;
    }
    if (ir_shape_equal(s, onnx_shape(im, x)))
        return onnx_def_alias(im, out0(im), x);
    if (s->ndim > IR_MAX_INTS)
        return onnx_nerr(im, "rank %d output", s->ndim);
    n = onnx_new_node(im, IR_OP_RESHAPE, "");
    n->a.reshape.shape.n = s->ndim;
    for (i = 0; i < s->ndim; i++) {
        if (s->d[i] > 0x7fffffff)
            return onnx_nerr(im, "dimension too large");
        n->a.reshape.shape.v[i] = (int)s->d[i];
    }
    in = x->ref;
    if (onnx_finish(im, n, 1, &in))
        return -1;
    return onnx_def_ir(im, out0(im), (ir_ref){n->id, 0});
}

/* ---- constant evaluation ------------------------------------------------ */

static int bcast_shape(onnx_imp *im, const ir_shape *a, const ir_shape *b, ir_shape *o)
{
    int nd = a->ndim > b->ndim ? a->ndim : b->ndim, i;
    memset(o, 0, sizeof *o);
    o->ndim = nd;
    for (i = 0; i < nd; i++) {
        int ia = a->ndim - nd + i, ib = b->ndim - nd + i;
        int64_t da = ia >= 0 ? a->d[ia] : 1, db = ib >= 0 ? b->d[ib] : 1;
        if (da != db && da != 1 && db != 1) {
            char s1[96], s2[96];
            return onnx_nerr(im, "shapes %s and %s cannot be broadcast",
                             ir_shape_str(a, s1, sizeof s1), ir_shape_str(b, s2, sizeof s2));
        }
        o->d[i] = da == 1 ? db : da;
    }
    return 0;
}

/* Index into a (broadcast to o) of o's flat index k. */
static int64_t bcast_index(const ir_shape *a, const ir_shape *o, int64_t k)
{
    int64_t idx = 0, stride = 1;
    int i;
    for (i = o->ndim - 1; i >= 0; i--) {
        int64_t c = k % o->d[i];
        int ia = a->ndim - o->ndim + i;
        k /= o->d[i];
        if (ia >= 0) {
            if (a->d[ia] != 1)
                idx += c * stride;
            stride *= a->d[ia];
        }
    }
    return idx;
}

/* True when constant c, broadcast against x (of the output's shape),
 * holds one value per channel of axis 1 (its other axes are 1). */
static int is_per_channel(const oval *c, const ir_shape *x)
{
    int i;
    if (c->shape.ndim > x->ndim || x->ndim < 2)
        return 0;
    for (i = 0; i < c->shape.ndim; i++) {
        int ax = x->ndim - c->shape.ndim + i;
        if (c->shape.d[i] != 1 && (ax != 1 || c->shape.d[i] != x->d[1]))
            return 0;
    }
    return 1;
}

typedef enum { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_LESS, B_GREATER, B_EQUAL, B_MIN, B_MAX,
               B_AND, B_OR } bin_kind;

static int fold_binary(onnx_imp *im, oval *a, oval *b, bin_kind op)
{
    ir_shape o;
    oval *v;
    int64_t k;
    int cmp = op == B_LESS || op == B_GREATER || op == B_EQUAL || op == B_AND || op == B_OR;
    int is_int = (a->is_int && b->is_int) || cmp;
    if (bcast_shape(im, &a->shape, &b->shape, &o))
        return -1;
    v = onnx_def_const(im, out0(im), &o, is_int);
    if (!v)
        return -1;
    for (k = 0; k < v->n; k++) {
        int64_t ia = bcast_index(&a->shape, &o, k), ib = bcast_index(&b->shape, &o, k);
        if (a->is_int && b->is_int && !cmp) {
            int64_t x = a->i[ia], y = b->i[ib], r = 0;
            /* wrapping (two's complement) as onnxruntime's int64 */
            switch (op) {
            case B_ADD: r = (int64_t)((uint64_t)x + (uint64_t)y); break;
            case B_SUB: r = (int64_t)((uint64_t)x - (uint64_t)y); break;
            case B_MUL: r = (int64_t)((uint64_t)x * (uint64_t)y); break;
            case B_DIV:
                if (!y || (x == INT64_MIN && y == -1))
                    return onnx_nerr(im, "integer division by zero or overflow");
                r = x / y;
                break;
            case B_POW: r = to_i64(pow((double)x, (double)y)); break;
            case B_MIN: r = x < y ? x : y; break;
            case B_MAX: r = x > y ? x : y; break;
            default: break;
            }
            v->i[k] = r;
        } else {
            float x = (float)onnx_cget(a, ia), y = (float)onnx_cget(b, ib), r = 0;
            switch (op) {
            case B_ADD: r = x + y; break;
            case B_SUB: r = x - y; break;
            case B_MUL: r = x * y; break;
            case B_DIV: r = x / y; break;
            case B_POW: r = powf(x, y); break;
            case B_MIN: r = x < y ? x : y; break;
            case B_MAX: r = x > y ? x : y; break;
            case B_LESS: v->i[k] = x < y; continue;
            case B_GREATER: v->i[k] = x > y; continue;
            case B_EQUAL: v->i[k] = x == y; continue;
            case B_AND: v->i[k] = x != 0 && y != 0; continue;
            case B_OR: v->i[k] = x != 0 || y != 0; continue;
            }
            v->f[k] = r;
        }
    }
    return 0;
}

typedef enum { U_ABS, U_NEG, U_SIGN, U_SQRT, U_RELU, U_FLOOR, U_CEIL, U_EXP, U_NOT,
               U_RECIP, U_ROUND, U_SIGMOID, U_TANH } un_kind;

static int fold_unary(onnx_imp *im, oval *a, un_kind op)
{
    int to_float = op == U_SQRT || op == U_EXP || op == U_RECIP || op == U_SIGMOID ||
                   op == U_TANH;
    oval *v = onnx_def_const(im, out0(im), &a->shape, a->is_int && !to_float);
    int64_t k;
    if (!v)
        return -1;
    for (k = 0; k < v->n; k++) {
        if (v->is_int) {
            int64_t x = a->i[k];
            if (x == INT64_MIN && (op == U_ABS || op == U_NEG))
                return onnx_nerr(im, "integer overflow");
            v->i[k] = op == U_ABS ? (x < 0 ? -x : x) : op == U_NEG ? -x
                    : op == U_SIGN ? (x > 0) - (x < 0) : op == U_RELU ? (x > 0 ? x : 0)
                    : op == U_NOT ? !x : x;
        } else {
            float x = (float)onnx_cget(a, k);
            v->f[k] = op == U_ABS ? fabsf(x) : op == U_NEG ? -x
                    : op == U_SIGN ? (float)((x > 0) - (x < 0)) : op == U_SQRT ? sqrtf(x)
                    : op == U_RELU ? (x > 0 ? x : 0.0f) : op == U_FLOOR ? floorf(x)
                    : op == U_CEIL ? ceilf(x) : op == U_EXP ? expf(x)
                    : op == U_RECIP ? 1.0f / x : op == U_ROUND ? nearbyintf(x)
                    : op == U_SIGMOID ? 1.0f / (1.0f + expf(-x)) : op == U_TANH ? tanhf(x)
                    : (float)(x == 0);
        }
    }
    return 0;
}

/* ---- elementwise -------------------------------------------------------- */

static int op_binary(onnx_imp *im, bin_kind kind)
{
    int bad = 0;
    oval *a = onnx_in(im, 0, &bad), *b = onnx_in(im, 1, &bad);
    static const ir_op ops[] = {IR_OP_ADD, IR_OP_SUB, IR_OP_MUL, IR_OP_DIV};
    ir_node *n;
    ir_ref in[2];
    if (bad || need_in(im, a, 0, "A") || need_in(im, b, 1, "B"))
        return -1;
    if (a->state == V_CONST && b->state == V_CONST)
        return fold_binary(im, a, b, kind);
    if (kind == B_POW) {
        if (b->state != V_CONST || !is_scalar(b))
            return onnx_nerr(im, "Pow is supported with a constant scalar exponent");
        n = onnx_new_node(im, IR_OP_SCALAR, "");
        n->a.scalar.kind = IR_SC_POW;
        n->a.scalar.value = onnx_cget(b, 0);
        in[0] = a->ref;
        if (onnx_finish(im, n, 1, in))
            return -1;
        return onnx_def_ir(im, out0(im), (ir_ref){n->id, 0});
    }
    if (kind > B_DIV)
        return onnx_nerr(im, "%s of a computed tensor is not supported", im->cur->op_type);
    /* a scalar constant on one side that does not change the shape */
    {
        oval *c = b->state == V_CONST ? b : a, *x = c == b ? a : b;
        if (c->state == V_CONST && is_scalar(c) &&
            onnx_shape(im, x)->ndim >= c->shape.ndim) {
            static const ir_scalar_kind right[] = {IR_SC_ADD, IR_SC_SUB, IR_SC_MUL, IR_SC_DIV};
            static const ir_scalar_kind left[] = {IR_SC_ADD, IR_SC_RSUB, IR_SC_MUL, IR_SC_RDIV};
            n = onnx_new_node(im, IR_OP_SCALAR, "");
            n->a.scalar.kind = c == b ? right[kind] : left[kind];
            n->a.scalar.value = onnx_cget(c, 0);
            in[0] = x->ref;
            if (onnx_finish(im, n, 1, in))
                return -1;
            return onnx_def_ir(im, out0(im), (ir_ref){n->id, 0});
        }
    }
    /* a constant the code generator cannot broadcast (only one value per
     * channel of axis 1 is) is expanded to the output's shape */
    {
        oval *c = b->state == V_CONST ? b : a->state == V_CONST ? a : NULL;
        oval *x = c == b ? a : b;
        ir_shape o;
        if (c && bcast_shape(im, &a->shape, &b->shape, &o) == 0 &&
            !ir_shape_equal(&c->shape, &o) &&
            (!is_per_channel(c, onnx_shape(im, x)) || (kind == B_DIV && c == a))) {
            oval *e = onnx_def_const(im, "", &o, 0);
            int64_t k;
            if (!e)
                return -1;
            for (k = 0; k < e->n; k++)
                e->f[k] = (float)onnx_cget(c, bcast_index(&c->shape, &o, k));
            n = onnx_new_node(im, ops[kind], "");
            n->a.binary.broadcast = 1;
            in[0] = c == a ? onnx_ref(im, e) : x->ref;
            in[1] = c == b ? onnx_ref(im, e) : x->ref;
            e->state = V_UNDEF;
            if (onnx_finish(im, n, 2, in))
                return -1;
            return onnx_def_ir(im, out0(im), (ir_ref){n->id, 0});
        }
    }
    n = onnx_new_node(im, ops[kind], "");
    n->a.binary.broadcast = 1;
    in[0] = onnx_ref(im, a);
    in[1] = onnx_ref(im, b);
    if (onnx_finish(im, n, 2, in))
        return -1;
    return onnx_def_ir(im, out0(im), (ir_ref){n->id, 0});
}

static int op_add(onnx_imp *im) { return op_binary(im, B_ADD); }
static int op_sub(onnx_imp *im) { return op_binary(im, B_SUB); }
static int op_mul(onnx_imp *im) { return op_binary(im, B_MUL); }
static int op_div(onnx_imp *im) { return op_binary(im, B_DIV); }
static int op_pow(onnx_imp *im) { return op_binary(im, B_POW); }
static int op_less(onnx_imp *im) { return op_binary(im, B_LESS); }
static int op_greater(onnx_imp *im) { return op_binary(im, B_GREATER); }
static int op_equal(onnx_imp *im) { return op_binary(im, B_EQUAL); }
static int op_and(onnx_imp *im) { return op_binary(im, B_AND); }
static int op_or(onnx_imp *im) { return op_binary(im, B_OR); }

/* A unary op: folded (kind) on a constant, else IR op `op` (IR_OP_COUNT:
 * not supported on a computed tensor). */
static int unary(onnx_imp *im, un_kind kind, ir_op op, ir_act_kind act)
{
    int bad = 0;
    oval *x = onnx_in(im, 0, &bad);
    ir_node *n;
    ir_ref in;
    if (bad || need_in(im, x, 0, "X"))
        return -1;
    if (x->state == V_CONST)
        return fold_unary(im, x, kind);
    if (op == IR_OP_COUNT)
        return onnx_nerr(im, "%s of a computed tensor is not supported", im->cur->op_type);
    n = onnx_new_node(im, op, "");
    if (op == IR_OP_ACT)
        n->a.act.act = act;
    if (op == IR_OP_SCALAR) {
        n->a.scalar.kind = kind == U_NEG ? IR_SC_MUL : kind == U_RECIP ? IR_SC_RDIV : IR_SC_POW;
        n->a.scalar.value = kind == U_NEG ? -1.0 : kind == U_RECIP ? 1.0 : 0.5;
    }
    in = x->ref;
    if (onnx_finish(im, n, 1, &in))
        return -1;
    return onnx_def_ir(im, out0(im), (ir_ref){n->id, 0});
}

static int op_abs(onnx_imp *im) { return unary(im, U_ABS, IR_OP_ABS, 0); }
static int op_neg(onnx_imp *im) { return unary(im, U_NEG, IR_OP_SCALAR, 0); }
static int op_sign(onnx_imp *im) { return unary(im, U_SIGN, IR_OP_SIGN3, 0); }
static int op_sqrt(onnx_imp *im) { return unary(im, U_SQRT, IR_OP_SCALAR, 0); }
static int op_reciprocal(onnx_imp *im) { return unary(im, U_RECIP, IR_OP_SCALAR, 0); }
static int op_relu(onnx_imp *im) { return unary(im, U_RELU, IR_OP_ACT, IR_ACT_RELU); }
static int op_sigmoid(onnx_imp *im) { return unary(im, U_SIGMOID, IR_OP_ACT, IR_ACT_SIGMOID); }
static int op_tanh(onnx_imp *im) { return unary(im, U_TANH, IR_OP_ACT, IR_ACT_TANH); }
static int op_floor(onnx_imp *im) { return unary(im, U_FLOOR, IR_OP_COUNT, 0); }
static int op_ceil(onnx_imp *im) { return unary(im, U_CEIL, IR_OP_COUNT, 0); }
static int op_exp(onnx_imp *im) { return unary(im, U_EXP, IR_OP_COUNT, 0); }
static int op_not(onnx_imp *im) { return unary(im, U_NOT, IR_OP_COUNT, 0); }
static int op_round(onnx_imp *im) { return unary(im, U_ROUND, IR_OP_COUNT, 0); }

/* x -> one SCALAR node (kind, value) on IR ref x; its ref in *out. */
static int scalar_node(onnx_imp *im, ir_ref x, ir_scalar_kind kind, double value,
                       const char *suffix, ir_ref *out)
{
    ir_node *n = onnx_new_node(im, IR_OP_SCALAR, suffix);
    n->a.scalar.kind = kind;
    n->a.scalar.value = value;
    if (onnx_finish(im, n, 1, &x))
        return -1;
    *out = (ir_ref){n->id, 0};
    return 0;
}

static int clip_node(onnx_imp *im, ir_ref x, double lo, double hi, const char *suffix,
                     ir_ref *out)
{
    ir_node *n = onnx_new_node(im, IR_OP_CLIP, suffix);
    n->a.clip.a_min = lo;
    n->a.clip.a_max = hi;
    if (onnx_finish(im, n, 1, &x))
        return -1;
    *out = (ir_ref){n->id, 0};
    return 0;
}

static int op_leaky(onnx_imp *im)
{
    int bad = 0;
    oval *x = onnx_in(im, 0, &bad);
    ir_node *n;
    ir_ref in;
    if (bad || need_in(im, x, 0, "X"))
        return -1;
    if (x->state == V_CONST)
        return onnx_nerr(im, "LeakyRelu of a constant is not supported");
    n = onnx_new_node(im, IR_OP_LEAKY, "");
    n->a.act.act = IR_ACT_LEAKY;
    n->a.act.slope = (float)onnx_attr_f(im, "alpha", 0.01);
    in = x->ref;
    if (onnx_finish(im, n, 1, &in))
        return -1;
    return onnx_def_ir(im, out0(im), (ir_ref){n->id, 0});
}

/* PRelu with one slope, or one per channel (axis 1) after broadcasting. */
static int op_prelu(onnx_imp *im)
{
    int bad = 0, i;
    oval *x = onnx_in(im, 0, &bad), *s = onnx_in(im, 1, &bad), *g;
    const ir_shape *xs;
    ir_node *n;
    ir_ref in[2];
    ir_shape gs;
    if (bad || need_in(im, x, 0, "X") || need_in(im, s, 1, "slope"))
        return -1;
    if (x->state == V_CONST || s->state != V_CONST)
        return onnx_nerr(im, "PRelu needs a computed input and a constant slope");
    xs = onnx_shape(im, x);
    if (s->shape.ndim > xs->ndim)
        return onnx_nerr(im, "slope has more dimensions than the input");
    if (s->n != 1) {
        /* right-aligned, the slope's only axis of size > 1 must be axis 1 */
        for (i = 0; i < s->shape.ndim; i++) {
            int ax = xs->ndim - s->shape.ndim + i;
            if (s->shape.d[i] != 1 && (ax != 1 || s->shape.d[i] != xs->d[1]))
                return onnx_nerr(im, "slope of shape (%s) is not one value per channel; "
                                 "only per-channel or single slopes are supported", "..");
        }
    }
    memset(&gs, 0, sizeof gs);
    gs.ndim = 1;
    gs.d[0] = s->n;
    g = onnx_def_const(im, "", &gs, 0);
    if (!g)
        return -1;
    for (i = 0; i < s->n; i++)
        g->f[i] = (float)onnx_cget(s, i);
    n = onnx_new_node(im, IR_OP_LEAKY, "");
    n->a.act.act = IR_ACT_PRELU;
    in[0] = x->ref;
    in[1] = onnx_ref(im, g);
    g->state = V_UNDEF; /* the anonymous slot is free again */
    if (onnx_finish(im, n, 2, in))
        return -1;
    return onnx_def_ir(im, out0(im), (ir_ref){n->id, 0});
}

static int op_hardsigmoid_like(onnx_imp *im, int swish)
{
    int bad = 0;
    oval *x = onnx_in(im, 0, &bad);
    double alpha = swish ? 1.0 / 6 : onnx_attr_f(im, "alpha", 0.2);
    double beta = swish ? 0.5 : onnx_attr_f(im, "beta", 0.5);
    ir_ref r;
    if (bad || need_in(im, x, 0, "X"))
        return -1;
    if (x->state == V_CONST)
        return onnx_nerr(im, "%s of a constant is not supported", im->cur->op_type);
    if (scalar_node(im, x->ref, IR_SC_MUL, (float)alpha, "/mul", &r) ||
        scalar_node(im, r, IR_SC_ADD, (float)beta, "/add", &r) ||
        clip_node(im, r, 0, 1, swish ? "/clip" : "", &r))
        return -1;
    if (swish) {
        ir_node *n = onnx_new_node(im, IR_OP_MUL, "");
        ir_ref in[2];
        in[0] = x->ref;
        in[1] = r;
        if (onnx_finish(im, n, 2, in))
            return -1;
        r = (ir_ref){n->id, 0};
    }
    return onnx_def_ir(im, out0(im), r);
}

static int op_hardsigmoid(onnx_imp *im) { return op_hardsigmoid_like(im, 0); }
static int op_hardswish(onnx_imp *im) { return op_hardsigmoid_like(im, 1); }

static int op_clip(onnx_imp *im)
{
    int bad = 0;
    oval *x = onnx_in(im, 0, &bad);
    double lo = -FLT_MAX, hi = FLT_MAX;
    ir_ref r;
    if (bad || need_in(im, x, 0, "input"))
        return -1;
    if (im->opset < 11) {
        lo = onnx_attr_f(im, "min", lo);
        hi = onnx_attr_f(im, "max", hi);
    } else {
        oval *a = onnx_in(im, 1, &bad), *b = onnx_in(im, 2, &bad);
        if (bad)
            return -1;
        if ((a && (a->state != V_CONST || !is_scalar(a))) ||
            (b && (b->state != V_CONST || !is_scalar(b))))
            return onnx_nerr(im, "min and max must be constant scalars");
        if (a)
            lo = onnx_cget(a, 0);
        if (b)
            hi = onnx_cget(b, 0);
    }
    if (!(lo <= hi))
        return onnx_nerr(im, "min %g is greater than max %g", lo, hi);
    if (x->state == V_CONST) {
        oval *v = onnx_def_const(im, out0(im), &x->shape, 0);
        int64_t k;
        if (!v)
            return -1;
        for (k = 0; k < v->n; k++) {
            float f = (float)onnx_cget(x, k);
            v->f[k] = f < (float)lo ? (float)lo : f > (float)hi ? (float)hi : f;
        }
        return 0;
    }
    if (clip_node(im, x->ref, lo, hi, "", &r))
        return -1;
    return onnx_def_ir(im, out0(im), r);
}

/* ---- layers with weights ------------------------------------------------ */

/* Padding of a 2-D window op: pads[4] = top, left, bottom, right from
 * pads / auto_pad (SAME_*: total (out-1)*s + (k-1)*d + 1 - in, the odd
 * one at the end for SAME_UPPER, at the start for SAME_LOWER). */
static int window_pads(onnx_imp *im, const ir_shape *x, const int *k, const int *s,
                       const int *d, int *pads)
{
    const char *ap = onnx_attr_s(im, "auto_pad", "NOTSET");
    int64_t p[4] = {0, 0, 0, 0};
    int i, n = onnx_attr_ints(im, "pads", p, 4);
    if (n < 0)
        return -1;
    if (n && n != 4)
        return onnx_nerr(im, "pads has %d values, expected 4", n);
    if (!strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER")) {
        for (i = 0; i < 2; i++) {
            int64_t in = x->d[2 + i], out = (in + s[i] - 1) / s[i];
            int64_t total = (out - 1) * s[i] + (int64_t)(k[i] - 1) * d[i] + 1 - in;
            if (total < 0)
                total = 0;
            p[i] = ap[5] == 'U' ? total / 2 : total - total / 2;
            p[2 + i] = total - p[i];
        }
    } else if (!strcmp(ap, "VALID")) {
        memset(p, 0, sizeof p);
    } else if (strcmp(ap, "NOTSET")) {
        return onnx_nerr(im, "auto_pad=%s is not supported", ap);
    }
    for (i = 0; i < 4; i++) {
        if (p[i] < 0 || p[i] > 4096)
            return onnx_nerr(im, "pads value %lld is not supported", (long long)p[i]);
        pads[i] = (int)p[i];
    }
    return 0;
}

static int int2_attr(onnx_imp *im, const char *name, int def, int *v)
{
    int64_t a[2] = {def, def};
    int n = onnx_attr_ints(im, name, a, 2);
    if (n < 0)
        return -1;
    if (n && n != 2)
        return onnx_nerr(im, "%s has %d values; bnnc supports 2-D windows", name, n);
    if (a[0] < 1 || a[1] < 1 || a[0] > 4096 || a[1] > 4096)
        return onnx_nerr(im, "%s (%lld, %lld) is not supported", name, (long long)a[0],
                         (long long)a[1]);
    v[0] = (int)a[0];
    v[1] = (int)a[1];
    return 0;
}

/* An explicit zero (or `value`) PAD of x by pads (top, left, bottom,
 * right), for asymmetric padding. */
static int pad_node(onnx_imp *im, ir_ref x, const int *pads, double value, ir_ref *out)
{
    ir_node *n = onnx_new_node(im, IR_OP_PAD, "/pad");
    int v[8] = {0, 0, 0, 0, pads[0], pads[2], pads[1], pads[3]}, i;
    n->a.pad.width.n = 8;
    for (i = 0; i < 8; i++)
        n->a.pad.width.v[i] = v[i];
    n->a.pad.value = value;
    if (onnx_finish(im, n, 1, &x))
        return -1;
    *out = (ir_ref){n->id, 0};
    return 0;
}

/* A GATHER_HW node of the 4-D IR value x: row y of the result is row
 * rows[y] of x, column c column cols[c]; -1 gives `fill`. */
static int gather_node(onnx_imp *im, ir_ref x, const int64_t *rows, int64_t n_rows,
                       const int64_t *cols, int64_t n_cols, double fill, const char *suffix,
                       ir_ref *out)
{
    ir_ref in[3];
    ir_node *n;
    int a;
    in[0] = x;
    for (a = 0; a < 2; a++) {
        const int64_t *m = a ? cols : rows;
        int64_t cnt = a ? n_cols : n_rows, k;
        ir_shape ms;
        oval *c;
        memset(&ms, 0, sizeof ms);
        ms.ndim = 1;
        ms.d[0] = cnt;
        c = onnx_def_const(im, "", &ms, 0);
        if (!c)
            return -1;
        for (k = 0; k < cnt; k++)
            c->f[k] = (float)m[k];
        in[1 + a] = onnx_ref(im, c);
        c->state = V_UNDEF; /* the anonymous slot is free again */
    }
    n = onnx_new_node(im, IR_OP_GATHER_HW, suffix);
    n->a.gather.fill = fill;
    if (onnx_finish(im, n, 3, in))
        return -1;
    *out = (ir_ref){n->id, 0};
    return 0;
}

/* True when IR output r is +-1 valued (a sign, maybe padded by +-1). */
static int is_sign_valued(onnx_imp *im, ir_ref r)
{
    const ir_node *n = im->g->nodes[r.node];
    while (n->op == IR_OP_PAD && (n->a.pad.value == 1 || n->a.pad.value == -1))
        n = im->g->nodes[n->in[0].node];
    return n->op == IR_OP_SIGN;
}

/* When every output channel o of w (count per channel `per`) is +-a[o]
 * with a[o] > 0 and the input is +-1 valued: w / a (+-1) into w1 and a,
 * so that the layer is binary with a per-channel scale. */
static int split_scaled_binary(const oval *w, int64_t m, int64_t per, float *w1, float *a)
{
    int64_t o, k;
    for (o = 0; o < m; o++) {
        float s = fabsf(w->f[o * per]);
        if (!(s > 0) || !isfinite(s))
            return 0;
        for (k = 0; k < per; k++)
            if (fabsf(w->f[o * per + k]) != s)
                return 0;
        a[o] = s;
        for (k = 0; k < per; k++)
            w1[o * per + k] = w->f[o * per + k] > 0 ? 1.0f : -1.0f;
    }
    return 1;
}

/* The constant weights w (m rows of per values) as +-1 times a positive
 * scale per row: returns 1 with the scales in a (m floats), *signs the IR
 * constant of the +-1 weights (w itself when every scale is 1) and *unit
 * set when every scale is 1; 0 when w is not of that form; -1 on error. */
static int binary_weights(onnx_imp *im, oval *w, int64_t m, int64_t per, float *a,
                          ir_ref *signs, int *unit)
{
    float *w1 = xmalloc(sizeof *w1 * (size_t)w->n);
    int64_t i;
    *unit = 1;
    if (!split_scaled_binary(w, m, per, w1, a)) {
        free(w1);
        return 0;
    }
    for (i = 0; i < m; i++)
        *unit &= a[i] == 1.0f;
    if (!*unit) {
        oval *c = onnx_def_const(im, "", &w->shape, 0);
        if (!c) {
            free(w1);
            return -1;
        }
        memcpy(c->f, w1, sizeof *w1 * (size_t)w->n);
        *signs = onnx_ref(im, c);
        c->state = V_UNDEF; /* the anonymous slot is free again */
    } else {
        *signs = onnx_ref(im, w);
    }
    free(w1);
    return 1;
}

/* y = x * a[c] per channel of axis 1 (ndim nd) then + b[c] when b: after
 * a binary layer split by split_scaled_binary. */
static int channel_affine(onnx_imp *im, ir_ref x, int nd, int64_t m, const float *a,
                          const float *b, ir_ref *out)
{
    ir_shape s;
    oval *c;
    ir_node *n;
    ir_ref in[2];
    int i, pass;
    memset(&s, 0, sizeof s);
    s.ndim = nd;
    for (i = 0; i < nd; i++)
        s.d[i] = 1;
    s.d[1] = m;
    for (pass = 0; pass < 2; pass++) {
        const float *v = pass ? b : a;
        if (!v)
            continue;
        c = onnx_def_const(im, "", &s, 0);
        if (!c)
            return -1;
        memcpy(c->f, v, sizeof(float) * (size_t)m);
        n = onnx_new_node(im, pass ? IR_OP_ADD : IR_OP_MUL, pass ? "/bias" : "/scale");
        n->a.binary.broadcast = 1;
        in[0] = x;
        in[1] = onnx_ref(im, c);
        c->state = V_UNDEF;
        if (onnx_finish(im, n, 2, in))
            return -1;
        x = (ir_ref){n->id, 0};
    }
    *out = x;
    return 0;
}

/*
 * ONNX Sign gives 0 for 0, a third value no +-1 bit holds. A layer with
 * +-1 weights W taking t = sign3(x) (maybe padded by c in {-1, 0, +1},
 * reshaped or flattened) is computed exactly by two binary layers:
 *     sign3(x) = (sign(x) - sign(-x)) / 2
 * with sign(v) = v < 0 ? -1 : +1 (x > 0: (1 + 1) / 2; x < 0: (-1 - 1) / 2;
 * x = 0 or -0: both signs are +1, so 0). The layer is linear, so
 *     layer(t) = (layer(sign(x) padded by c) - layer(sign(-x) padded by -c)) / 2,
 * both binary, their difference an exact integer and the halving exact.
 * A padding of zeros stays zeros in both (exact zero padding).
 */

/* True when IR output r is sign3 of something through at most `depth`
 * pads by -1, 0 or +1, reshapes and flattens. */
static int is_sign3_chain(onnx_imp *im, ir_ref r, int depth)
{
    const ir_node *n = im->g->nodes[r.node];
    if (depth <= 0)
        return 0;
    switch (n->op) {
    case IR_OP_SIGN3:
        return 1;
    case IR_OP_PAD:
        return (n->a.pad.value == 1 || n->a.pad.value == -1 || n->a.pad.value == 0) &&
               is_sign3_chain(im, n->in[0], depth - 1);
    case IR_OP_RESHAPE:
    case IR_OP_FLATTEN:
        return is_sign3_chain(im, n->in[0], depth - 1);
    default:
        return 0;
    }
}

/* The chain ending at r rebuilt on sign(x) (negate 0) or sign(-x)
 * (negate 1) with pads by c or -c; its output in *out. */
static int sign3_half(onnx_imp *im, ir_ref r, int negate, ir_ref *out)
{
    const ir_node *n = im->g->nodes[r.node];
    ir_node *m;
    ir_ref in;
    if (n->op == IR_OP_SIGN3) {
        in = n->in[0];
        if (negate && scalar_node(im, in, IR_SC_MUL, -1.0, "/negate", &in))
            return -1;
        m = onnx_new_node(im, IR_OP_SIGN, negate ? "/sign_neg" : "/sign_pos");
        if (onnx_finish(im, m, 1, &in))
            return -1;
        *out = (ir_ref){m->id, 0};
        return 0;
    }
    if (sign3_half(im, n->in[0], negate, &in))
        return -1;
    m = onnx_new_node(im, n->op, negate ? "/neg_path" : "/pos_path");
    m->a = n->a;
    if (m->op == IR_OP_PAD && negate)
        m->a.pad.value = -n->a.pad.value;
    if (onnx_finish(im, m, 1, &in))
        return -1;
    *out = (ir_ref){m->id, 0};
    return 0;
}

/* (pos - neg) / 2: the two halves of a sign3 layer joined. */
static int sign3_join(onnx_imp *im, ir_ref pos, ir_ref neg, ir_ref *out)
{
    ir_node *d = onnx_new_node(im, IR_OP_SUB, "/sign3");
    ir_ref in[2];
    in[0] = pos;
    in[1] = neg;
    if (onnx_finish(im, d, 2, in))
        return -1;
    return scalar_node(im, (ir_ref){d->id, 0}, IR_SC_MUL, 0.5, "/half", out);
}

/* Conv and ConvTranspose: the 2-D weights' extents in range, or an error
 * naming the node. */
static int conv_weights_bad(onnx_imp *im, const oval *w)
{
    int i;
    for (i = 0; i < 4; i++)
        if (w->shape.d[i] < 1 || w->shape.d[i] > (i < 2 ? 1 << 20 : 4096))
            return onnx_nerr(im, "weights of shape (%lld, %lld, %lld, %lld) are not supported",
                             (long long)w->shape.d[0], (long long)w->shape.d[1],
                             (long long)w->shape.d[2], (long long)w->shape.d[3]);
    return 0;
}

/* Conv and ConvTranspose: strides and dilations (default 1) and the four
 * pads (auto_pad applied) of a window of extent kernel over x of shape xs. */
static int conv_window(onnx_imp *im, const ir_shape *xs, const int kernel[2], int stride[2],
                       int dilate[2], int pads[4])
{
    if (int2_attr(im, "strides", 1, stride) || int2_attr(im, "dilations", 1, dilate))
        return -1;
    return window_pads(im, xs, kernel, stride, dilate, pads);
}

static int op_conv(onnx_imp *im)
{
    int bad = 0, pads[4];
    oval *x = onnx_in(im, 0, &bad), *w = onnx_in(im, 1, &bad), *b = onnx_in(im, 2, &bad);
    const ir_shape *xs;
    ir_node *n;
    ir_conv_attr *c;
    ir_ref in[3], xr;
    int64_t group;
    float *a = NULL;
    if (bad || need_in(im, x, 0, "X") || need_in(im, w, 1, "W"))
        return -1;
    if (x->state == V_CONST)
        return onnx_nerr(im, "a convolution of a constant input is not supported");
    if (w->state != V_CONST || (b && b->state != V_CONST))
        return onnx_nerr(im, "weights and bias must be known at compile time");
    xs = onnx_shape(im, x);
    if (xs->ndim != 4 || w->shape.ndim != 4)
        return onnx_nerr(im, "bnnc supports 2-D convolutions (4-D input and weights)");
    if (conv_weights_bad(im, w))
        return -1;
    group = onnx_attr_i(im, "group", 1);
    if (group < 1 || group > xs->d[1] || w->shape.d[0] % group)
        return onnx_nerr(im, "group %lld does not divide %lld output channels",
                         (long long)group, (long long)w->shape.d[0]);
    n = onnx_new_node(im, IR_OP_CONV, "");
    c = &n->a.conv;
    c->num_filter = (int)w->shape.d[0];
    c->num_group = (int)group;
    c->kernel[0] = (int)w->shape.d[2];
    c->kernel[1] = (int)w->shape.d[3];
    {
        int k[2];
        if (int2_attr(im, "kernel_shape", 1, k))
            return -1;
        if (onnx_node_attr(im->cur, "kernel_shape") &&
            (k[0] != c->kernel[0] || k[1] != c->kernel[1]))
            return onnx_nerr(im, "kernel_shape (%d, %d) differs from the weights' (%d, %d)",
                             k[0], k[1], c->kernel[0], c->kernel[1]);
    }
    if (conv_window(im, xs, c->kernel, c->stride, c->dilate, pads))
        return -1;
    if (b && (b->n != w->shape.d[0] || b->is_int))
        return onnx_nerr(im, "bias has %lld values for %lld output channels",
                         (long long)b->n, (long long)w->shape.d[0]);
    xr = x->ref;
    if (pads[0] != pads[2] || pads[1] != pads[3]) {
        if (pad_node(im, xr, pads, 0.0, &xr))
            return -1;
        memset(pads, 0, sizeof pads);
    }
    c->pad[0] = pads[0];
    c->pad[1] = pads[1];
    c->no_bias = !b;
    in[0] = xr;
    /* +-alpha weights on a +-1 input: +-1 weights and a channel scale; on an
     * ONNX Sign (0 -> 0), two binary layers */
    if (w->shape.d[0] > 0 && (is_sign3_chain(im, xr, 4) || is_sign_valued(im, xr))) {
        int sign3 = is_sign3_chain(im, xr, 4), unit, k;
        ir_ref ws;
        a = xmalloc(sizeof *a * (size_t)w->shape.d[0]);
        k = binary_weights(im, w, w->shape.d[0], w->n / w->shape.d[0], a, &ws, &unit);
        if (k < 0)
            goto fail;
        if (k && (sign3 || !unit)) {
            ir_ref r = {n->id, 0};
            c->no_bias = 1;
            in[1] = ws;
            if (sign3) {
                ir_node *n2;
                ir_ref pos, neg;
                if (sign3_half(im, xr, 0, &pos) || sign3_half(im, xr, 1, &neg))
                    goto fail;
                n2 = onnx_new_node(im, IR_OP_CONV, "/neg");
                n2->a = n->a;
                in[0] = pos;
                if (onnx_finish(im, n, 2, in))
                    goto fail;
                in[0] = neg;
                if (onnx_finish(im, n2, 2, in) ||
                    sign3_join(im, (ir_ref){n->id, 0}, (ir_ref){n2->id, 0}, &r))
                    goto fail;
            } else if (onnx_finish(im, n, 2, in)) {
                goto fail;
            }
            if ((!unit || b) &&
                channel_affine(im, r, 4, w->shape.d[0], unit ? NULL : a, b ? b->f : NULL, &r))
                goto fail;
            free(a);
            return onnx_def_ir(im, out0(im), r);
        }
        free(a);
        a = NULL;
    }
    in[1] = onnx_ref(im, w);
    if (b)
        in[2] = onnx_ref(im, b);
    if (onnx_finish(im, n, b ? 3 : 2, in))
        return -1;
    return onnx_def_ir(im, out0(im), (ir_ref){n->id, 0});
fail:
    free(a);
    return -1;
}

static int op_conv_transpose(onnx_imp *im)
{
    int bad = 0, pads[4];
    oval *x = onnx_in(im, 0, &bad), *w = onnx_in(im, 1, &bad), *b = onnx_in(im, 2, &bad);
    const ir_shape *xs;
    ir_node *n;
    ir_deconv_attr *c;
    ir_ref in[3];
    int64_t group, op[2] = {0, 0};
    int nop;
    const char *ap = onnx_attr_s(im, "auto_pad", "NOTSET");
    if (bad || need_in(im, x, 0, "X") || need_in(im, w, 1, "W"))
        return -1;
    if (x->state == V_CONST || w->state != V_CONST || (b && b->state != V_CONST))
        return onnx_nerr(im, "needs a computed input and constant weights and bias");
    xs = onnx_shape(im, x);
    if (xs->ndim != 4 || w->shape.ndim != 4)
        return onnx_nerr(im, "bnnc supports 2-D transposed convolutions");
    if (strcmp(ap, "NOTSET") && strcmp(ap, "VALID"))
        return onnx_nerr(im, "auto_pad=%s is not supported", ap);
    if (conv_weights_bad(im, w))
        return -1;
    if (onnx_node_attr(im->cur, "output_shape"))
        return onnx_nerr(im, "output_shape is not supported; give pads and output_padding");
    group = onnx_attr_i(im, "group", 1);
    if (group < 1 || xs->d[1] % group || w->shape.d[0] != xs->d[1])
        return onnx_nerr(im, "weights (%lld, ...) do not match %lld input channels / group "
                         "%lld", (long long)w->shape.d[0], (long long)xs->d[1],
                         (long long)group);
    n = onnx_new_node(im, IR_OP_DECONV, "");
    c = &n->a.deconv;
    c->kernel[0] = (int)w->shape.d[2];
    c->kernel[1] = (int)w->shape.d[3];
    c->num_group = (int)group;
    c->num_filter = (int)(w->shape.d[1] * group);
    if (conv_window(im, xs, c->kernel, c->stride, c->dilate, pads))
        return -1;
    if (pads[0] != pads[2] || pads[1] != pads[3])
        return onnx_nerr(im, "asymmetric pads are not supported for ConvTranspose");
    nop = onnx_attr_ints(im, "output_padding", op, 2);
    if (nop < 0 || (nop && nop != 2) || op[0] < 0 || op[1] < 0 || op[0] > 64 || op[1] > 64)
        return onnx_nerr(im, "output_padding is not supported as given");
    c->pad[0] = pads[0];
    c->pad[1] = pads[1];
    c->adj[0] = (int)op[0];
    c->adj[1] = (int)op[1];
    c->no_bias = !b;
    in[0] = x->ref;
    in[1] = onnx_ref(im, w);
    if (b)
        in[2] = onnx_ref(im, b);
    if (onnx_finish(im, n, b ? 3 : 2, in))
        return -1;
    return onnx_def_ir(im, out0(im), (ir_ref){n->id, 0});
}

/* A dense layer y = x W^T (+ bias) over the last axis of x, with wt the
 * (N, K) weights (row-major floats, owned by the caller); flatten as the
 * IR's. A +-1-valued input with +-alpha weights rows is split. */
static int dense(onnx_imp *im, ir_ref x, const float *wt, int64_t nn, int64_t kk,
                 const float *bias, int flatten, ir_ref *out)
{
    ir_shape ws;
    oval *w, *bv = NULL;
    ir_node *n;
    ir_ref in[3];
    float *a = NULL, *w1 = NULL;
    int split = 0, i;
    memset(&ws, 0, sizeof ws);
    ws.ndim = 2;
    ws.d[0] = nn;
    ws.d[1] = kk;
    w = onnx_def_const(im, "", &ws, 0);
    if (!w)
        return -1;
    memcpy(w->f, wt, sizeof(float) * (size_t)(nn * kk));
    /* the per-channel scale after a split layer is along axis 1: a 2-D output */
    int out2d = flatten || im->g->nodes[x.node]->shape[x.out].ndim == 2;
    if (out2d && is_sign3_chain(im, x, 4) && nn > 0 && kk > 0) {
        a = xmalloc(sizeof *a * (size_t)nn);
        w1 = xmalloc(sizeof *w1 * (size_t)(nn * kk));
        if (split_scaled_binary(w, nn, kk, w1, a)) {
            ir_node *n1, *n2;
            ir_ref pos, neg, r;
            int ones = 1;
            memcpy(w->f, w1, sizeof(float) * (size_t)(nn * kk));
            if (sign3_half(im, x, 0, &pos) || sign3_half(im, x, 1, &neg))
                goto fail;
            n1 = onnx_new_node(im, IR_OP_DENSE, "");
            n1->a.dense.num_hidden = (int)nn;
            n1->a.dense.flatten = flatten;
            n1->a.dense.no_bias = 1;
            n2 = onnx_new_node(im, IR_OP_DENSE, "/neg");
            n2->a = n1->a;
            in[0] = pos;
            in[1] = onnx_ref(im, w);
            w->state = V_UNDEF;
            if (onnx_finish(im, n1, 2, in))
                goto fail;
            in[0] = neg;
            if (onnx_finish(im, n2, 2, in) ||
                sign3_join(im, (ir_ref){n1->id, 0}, (ir_ref){n2->id, 0}, &r))
                goto fail;
            for (i = 0; i < nn; i++)
                ones &= a[i] == 1.0f;
            if ((!ones || bias) &&
                channel_affine(im, r, im->g->nodes[r.node]->shape[0].ndim, nn,
                               ones ? NULL : a, bias, &r))
                goto fail;
            *out = r;
            free(a);
            free(w1);
            return 0;
        }
        free(a);
        free(w1);
        a = w1 = NULL;
    }
    if (out2d && is_sign_valued(im, x) && nn > 0 && kk > 0) {
        a = xmalloc(sizeof *a * (size_t)nn);
        w1 = xmalloc(sizeof *w1 * (size_t)(nn * kk));
        if (split_scaled_binary(w, nn, kk, w1, a)) {
            split = 0;
            for (i = 0; i < nn; i++)
                split |= a[i] != 1.0f;
            if (split)
                memcpy(w->f, w1, sizeof(float) * (size_t)(nn * kk));
        }
    }
    n = onnx_new_node(im, IR_OP_DENSE, "");
    n->a.dense.num_hidden = (int)nn;
    n->a.dense.flatten = flatten;
    n->a.dense.no_bias = !bias || split;
    in[0] = x;
    in[1] = onnx_ref(im, w);
    w->state = V_UNDEF;
    if (bias && !split) {
        ir_shape bs;
        memset(&bs, 0, sizeof bs);
        bs.ndim = 1;
        bs.d[0] = nn;
        bv = onnx_def_const(im, "", &bs, 0);
        if (!bv)
            goto fail;
        memcpy(bv->f, bias, sizeof(float) * (size_t)nn);
        in[2] = onnx_ref(im, bv);
        bv->state = V_UNDEF;
    }
    if (onnx_finish(im, n, bias && !split ? 3 : 2, in))
        goto fail;
    *out = (ir_ref){n->id, 0};
    if (split && channel_affine(im, *out, im->g->nodes[n->id]->shape[0].ndim, nn, a, bias, out))
        goto fail;
    free(a);
    free(w1);
    return 0;
fail:
    free(a);
    free(w1);
    return -1;
}

static int op_gemm(onnx_imp *im)
{
    int bad = 0;
    oval *A = onnx_in(im, 0, &bad), *B = onnx_in(im, 1, &bad), *C = onnx_in(im, 2, &bad);
    double alpha = onnx_attr_f(im, "alpha", 1.0), beta = onnx_attr_f(im, "beta", 1.0);
    int64_t ta = onnx_attr_i(im, "transA", 0), tb = onnx_attr_i(im, "transB", 0);
    const ir_shape *as;
    int64_t K, N, i, j;
    float *wt, *bias = NULL;
    ir_ref r, ar;
    int rc;
    if (bad || need_in(im, A, 0, "A") || need_in(im, B, 1, "B"))
        return -1;
    if (A->state == V_CONST || B->state != V_CONST || (C && C->state != V_CONST))
        return onnx_nerr(im, "Gemm is supported with a computed A and constant B and C "
                         "(a product of two computed tensors is not)");
    as = onnx_shape(im, A);
    if (as->ndim != 2 || B->shape.ndim != 2)
        return onnx_nerr(im, "Gemm needs a 2-D A and a 2-D B");
    ar = A->ref;
    if (ta) {
        ir_node *t = onnx_new_node(im, IR_OP_TRANSPOSE, "/transA");
        t->a.transpose.axes.n = 2;
        t->a.transpose.axes.v[0] = 1;
        t->a.transpose.axes.v[1] = 0;
        if (onnx_finish(im, t, 1, &ar))
            return -1;
        ar = (ir_ref){t->id, 0};
        as = &t->shape[0];
    }
    K = as->d[1];
    N = tb ? B->shape.d[0] : B->shape.d[1];
    if ((tb ? B->shape.d[1] : B->shape.d[0]) != K)
        return onnx_nerr(im, "A has %lld columns, B %lld rows", (long long)K,
                         (long long)(tb ? B->shape.d[1] : B->shape.d[0]));
    wt = xmalloc(sizeof *wt * (size_t)(N * K + 1));
    for (i = 0; i < N; i++)
        for (j = 0; j < K; j++) {
            float v = (float)onnx_cget(B, tb ? i * K + j : j * N + i);
            wt[i * K + j] = alpha == 1.0 ? v : (float)alpha * v;
        }
    if (C && beta != 0) {
        /* C broadcast to (M, N) must be one row: a bias */
        int ok = C->n == N || C->n == 1;
        if (C->shape.ndim == 2 && C->shape.d[0] != 1)
            ok = 0;
        if (!ok) {
            free(wt);
            return onnx_nerr(im, "C must be one value or one row of N values");
        }
        bias = xmalloc(sizeof *bias * (size_t)N);
        for (i = 0; i < N; i++) {
            float c = (float)onnx_cget(C, C->n == 1 ? 0 : i);
            bias[i] = beta == 1.0 ? c : (float)beta * c;
        }
    }
    rc = dense(im, ar, wt, N, K, bias, 1, &r);
    free(wt);
    free(bias);
    return rc ? -1 : onnx_def_ir(im, out0(im), r);
}

static int op_matmul(onnx_imp *im)
{
    int bad = 0;
    oval *A = onnx_in(im, 0, &bad), *B = onnx_in(im, 1, &bad);
    const ir_shape *as;
    int64_t K, N, i, j;
    float *wt;
    ir_ref r;
    int rc;
    if (bad || need_in(im, A, 0, "A") || need_in(im, B, 1, "B"))
        return -1;
    if (A->state == V_CONST && B->state == V_CONST)
        return onnx_nerr(im, "MatMul of two constants is not supported");
    if (A->state == V_CONST || B->state != V_CONST)
        return onnx_nerr(im, "MatMul is supported with a constant right-hand side (a product "
                         "of two computed tensors is not)");
    as = onnx_shape(im, A);
    if (B->shape.ndim != 2 || as->ndim < 2)
        return onnx_nerr(im, "MatMul needs an input of rank >= 2 and 2-D weights");
    K = B->shape.d[0];
    N = B->shape.d[1];
    if (as->d[as->ndim - 1] != K)
        return onnx_nerr(im, "A has %lld columns, B %lld rows",
                         (long long)as->d[as->ndim - 1], (long long)K);
    wt = xmalloc(sizeof *wt * (size_t)(N * K + 1));
    for (i = 0; i < N; i++)
        for (j = 0; j < K; j++)
            wt[i * K + j] = (float)onnx_cget(B, j * N + i);
    rc = dense(im, A->ref, wt, N, K, NULL, as->ndim == 2, &r);
    free(wt);
    return rc ? -1 : onnx_def_ir(im, out0(im), r);
}

static int op_batchnorm(onnx_imp *im)
{
    int bad = 0, k;
    oval *v[5];
    ir_node *n;
    ir_ref in[5];
    for (k = 0; k < 5; k++)
        v[k] = onnx_in(im, k, &bad);
    if (bad)
        return -1;
    for (k = 0; k < 5; k++)
        if (need_in(im, v[k], k, k ? "parameter" : "X"))
            return -1;
    if (v[0]->state == V_CONST)
        return onnx_nerr(im, "BatchNormalization of a constant is not supported");
    for (k = 1; k < 5; k++)
        if (v[k]->state != V_CONST || v[k]->is_int)
            return onnx_nerr(im, "scale, B, mean and var must be float constants");
    if (onnx_attr_i(im, "training_mode", 0))
        return onnx_nerr(im, "training_mode=1 is not inference");
    if (im->opset < 9 && !onnx_attr_i(im, "spatial", 1))
        return onnx_nerr(im, "spatial=0 is not supported");
    if (im->cur->n_outputs > 1)
        for (k = 1; k < (int)im->cur->n_outputs; k++)
            if (im->cur->outputs[k][0])
                return onnx_nerr(im, "the training outputs (mean, var) are not supported");
    n = onnx_new_node(im, IR_OP_BATCHNORM, "");
    n->a.bn.eps = (float)onnx_attr_f(im, "epsilon", 1e-5);
    n->a.bn.axis = 1;
    n->a.bn.use_global_stats = 1;
    for (k = 0; k < 5; k++) {
        if (k && v[k]->shape.ndim != 1) {
            /* (C) expected; any shape of C values is accepted */
            ir_shape s1;
            oval *c;
            memset(&s1, 0, sizeof s1);
            s1.ndim = 1;
            s1.d[0] = v[k]->n;
            c = onnx_def_const(im, "", &s1, 0);
            if (!c)
                return -1;
            memcpy(c->f, v[k]->f, sizeof(float) * (size_t)v[k]->n);
            in[k] = onnx_ref(im, c);
            c->state = V_UNDEF;
            continue;
        }
        in[k] = onnx_ref(im, v[k]);
    }
    if (onnx_finish(im, n, 5, in))
        return -1;
    return onnx_def_ir(im, out0(im), (ir_ref){n->id, 0});
}

/* ---- pooling ------------------------------------------------------------ */

/* Dilated max pooling as a gather then a plain pooling: the gather lays
 * the k taps of each output's window (rows o*s - pad + t*d, -1 outside
 * the input) side by side, so that windows of k, stride k, no padding,
 * read exactly them. Outside taps hold the lowest finite float, which is
 * also what onnxruntime's maximum starts from: a window with no input
 * element gives the same value. Output size: floor or (ceil_mode) ceil
 * of (in + pads - (k - 1) d - 1) / s, plus one, without a last window
 * starting in the end padding. */
static int dilated_windows(onnx_imp *im, const ir_shape *xs, const int *k, const int *s,
                           const int *d, const int *pads, int ceil_mode, int64_t *maps[2],
                           int64_t *len)
{
    int a;
    for (a = 0; a < 2; a++) {
        int64_t in = xs->d[2 + a], ext = (int64_t)(k[a] - 1) * d[a] + 1;
        int64_t span = in + pads[a] + pads[2 + a] - ext, out, o, t;
        if (span < 0)
            return onnx_nerr(im, "the dilated window (%lld) is larger than the padded input "
                             "(%lld)", (long long)ext, (long long)(in + pads[a] + pads[2 + a]));
        out = (ceil_mode ? (span + s[a] - 1) / s[a] : span / s[a]) + 1;
        if (ceil_mode && (out - 1) * s[a] >= in + pads[a])
            out--;
        if (out * k[a] > 65536)
            return onnx_nerr(im, "%lld dilated windows of %d taps are too many", (long long)out,
                             k[a]);
        maps[a] = xmalloc(sizeof(int64_t) * (size_t)(out * k[a]));
        for (o = 0; o < out; o++)
            for (t = 0; t < k[a]; t++) {
                int64_t r = o * s[a] - pads[a] + t * d[a];
                maps[a][o * k[a] + t] = r >= 0 && r < in ? r : -1;
            }
        len[a] = out * k[a];
    }
    return 0;
}

/*
 * Dilated average pooling (opset 19) as a depthwise convolution with
 * weights 1 over the zero-padded input, then a division by each window's
 * count: the taps inside the input (count_include_pad 0) or inside the
 * declared padding (1), as onnxruntime divides. The convolution's sum
 * adds the window's taps from 0 in row-major order, padding zeros adding
 * nothing. ceil_mode's extra last window reads zeros past the declared
 * end padding, which no count includes.
 */
static int dilated_average(onnx_imp *im, oval *x, const int *k, const int *s, const int *d,
                           const int *pads, int ceil_mode, int include_pad)
{
    const ir_shape xsh = *onnx_shape(im, x), *xs = &xsh;
    int64_t ch = xs->d[1], out[2], *cnt[2] = {NULL, NULL}, i, o, t;
    int cpads[4], a, rc = -1;
    ir_shape ws, cs;
    oval *w, *c;
    ir_node *n;
    ir_ref in[2], xr = x->ref;
    for (a = 0; a < 2; a++) {
        int64_t in_ = xs->d[2 + a], ext = (int64_t)(k[a] - 1) * d[a] + 1;
        int64_t span = in_ + pads[a] + pads[2 + a] - ext, lo, hi;
        if (span < 0) {
            onnx_nerr(im, "the dilated window (%lld) is larger than the padded input (%lld)",
                      (long long)ext, (long long)(in_ + pads[a] + pads[2 + a]));
            goto done;
        }
        out[a] = (ceil_mode ? (span + s[a] - 1) / s[a] : span / s[a]) + 1;
        if (ceil_mode && (out[a] - 1) * s[a] >= in_ + pads[a])
            out[a]--;
        cpads[a] = pads[a];
        cpads[2 + a] = (int)((out[a] - 1) * s[a] + ext - in_ - pads[a]);
        if (cpads[2 + a] < pads[2 + a])
            cpads[2 + a] = pads[2 + a];
        lo = include_pad ? -pads[a] : 0;
        hi = include_pad ? in_ + pads[2 + a] : in_;
        cnt[a] = xmalloc(sizeof(int64_t) * (size_t)out[a]);
        for (o = 0; o < out[a]; o++)
            for (cnt[a][o] = 0, t = 0; t < k[a]; t++) {
                int64_t r = o * s[a] - pads[a] + t * d[a];
                cnt[a][o] += r >= lo && r < hi;
            }
    }
    if (ch * out[0] * out[1] > ((int64_t)1 << 26)) {
        onnx_nerr(im, "a dilated average pooling with %lld outputs is too large",
                  (long long)(ch * out[0] * out[1]));
        goto done;
    }
    if ((cpads[0] != cpads[2] || cpads[1] != cpads[3])) {
        if (pad_node(im, xr, cpads, 0.0, &xr))
            goto done;
        memset(cpads, 0, sizeof cpads);
    }
    memset(&ws, 0, sizeof ws);
    ws.ndim = 4;
    ws.d[0] = ch;
    ws.d[1] = 1;
    ws.d[2] = k[0];
    ws.d[3] = k[1];
    w = onnx_def_const(im, "", &ws, 0);
    if (!w)
        goto done;
    for (i = 0; i < w->n; i++)
        w->f[i] = 1.0f;
    n = onnx_new_node(im, IR_OP_CONV, "/sum");
    n->a.conv.num_filter = (int)ch;
    n->a.conv.num_group = (int)ch;
    n->a.conv.no_bias = 1;
    for (a = 0; a < 2; a++) {
        n->a.conv.kernel[a] = k[a];
        n->a.conv.stride[a] = s[a];
        n->a.conv.dilate[a] = d[a];
        n->a.conv.pad[a] = cpads[a];
    }
    in[0] = xr;
    in[1] = onnx_ref(im, w);
    w->state = V_UNDEF;
    if (onnx_finish(im, n, 2, in))
        goto done;
    cs = *xs;
    cs.d[2] = out[0];
    cs.d[3] = out[1];
    c = onnx_def_const(im, "", &cs, 0);
    if (!c)
        goto done;
    for (i = 0; i < c->n; i++) {
        int64_t oy = i / out[1] % out[0], ox = i % out[1];
        c->f[i] = (float)(cnt[0][oy] * cnt[1][ox]);
    }
    in[0] = (ir_ref){n->id, 0};
    n = onnx_new_node(im, IR_OP_DIV, "/count");
    n->a.binary.broadcast = 1;
    in[1] = onnx_ref(im, c);
    c->state = V_UNDEF;
    if (onnx_finish(im, n, 2, in))
        goto done;
    rc = onnx_def_ir(im, out0(im), (ir_ref){n->id, 0});
done:
    free(cnt[0]);
    free(cnt[1]);
    return rc;
}

static int pool(onnx_imp *im, ir_pool_type type, int global)
{
    int bad = 0, pads[4], dil[2] = {1, 1}, kernel[2] = {1, 1}, stride[2] = {1, 1};
    oval *x = onnx_in(im, 0, &bad);
    const ir_shape *xs;
    ir_node *n;
    ir_pool_attr *p;
    ir_ref in, xr;
    int64_t ceil_mode = 0;
    int i, dilated = 0;
    if (bad || need_in(im, x, 0, "X"))
        return -1;
    if (x->state == V_CONST)
        return onnx_nerr(im, "pooling a constant is not supported");
    xr = x->ref;
    xs = onnx_shape(im, x);
    if (xs->ndim != 4)
        return onnx_nerr(im, "bnnc supports 2-D pooling (4-D input)");
    memset(pads, 0, sizeof pads);
    if (!global) {
        ceil_mode = onnx_attr_i(im, "ceil_mode", 0);
        if (!onnx_node_attr(im->cur, "kernel_shape"))
            return onnx_nerr(im, "kernel_shape is required");
        if (int2_attr(im, "kernel_shape", 1, kernel) || int2_attr(im, "strides", 1, stride) ||
            int2_attr(im, "dilations", 1, dil) ||
            window_pads(im, xs, kernel, stride, dil, pads))
            return -1;
        dilated = dil[0] != 1 || dil[1] != 1;
        /* onnxruntime pads a dilated pooling for SAME as if undilated, and
         * its output is then smaller than ONNX's ceil(in / stride) */
        if (dilated && strncmp(onnx_attr_s(im, "auto_pad", "NOTSET"), "SAME", 4) == 0)
            return onnx_nerr(im, "auto_pad=%s with dilations is not supported (give pads)",
                             onnx_attr_s(im, "auto_pad", "NOTSET"));
        if (dilated && type == IR_POOL_AVG)
            return dilated_average(im, x, kernel, stride, dil, pads, (int)ceil_mode,
                                   (int)onnx_attr_i(im, "count_include_pad", 0));
        if (dilated) {
            int64_t *maps[2] = {NULL, NULL}, len[2];
            int rc = dilated_windows(im, xs, kernel, stride, dil, pads, (int)ceil_mode, maps,
                                     len) ||
                     gather_node(im, x->ref, maps[0], len[0], maps[1], len[1], -FLT_MAX,
                                 "/windows", &xr);
            free(maps[0]);
            free(maps[1]);
            if (rc)
                return -1;
            stride[0] = kernel[0];
            stride[1] = kernel[1];
            memset(pads, 0, sizeof pads);
            ceil_mode = 0;
        } else if (pads[0] != pads[2] || pads[1] != pads[3]) {
            /* an explicit pad the windows then read: zeros counted by an
             * average that counts the padding; for a maximum, the lowest
             * finite float (ONNX's -inf differs only where a window holds
             * nothing but -inf inputs and padding) */
            if (type == IR_POOL_AVG && !onnx_attr_i(im, "count_include_pad", 0))
                return onnx_nerr(im, "asymmetric pads (%d, %d, %d, %d) with "
                                 "count_include_pad=0 are not supported", pads[0], pads[1],
                                 pads[2], pads[3]);
            if (pad_node(im, x->ref, pads, type == IR_POOL_MAX ? -FLT_MAX : 0.0, &xr))
                return -1;
            memset(pads, 0, sizeof pads);
        }
        /* ONNX drops a last window that would start in the end padding */
        for (i = 0; ceil_mode && i < 2; i++) {
            int64_t in_ = xs->d[2 + i], padded = in_ + 2 * pads[i];
            int64_t out = (padded - kernel[i] + stride[i] - 1) / stride[i] + 1;
            if ((out - 1) * stride[i] >= in_ + pads[i])
                return onnx_nerr(im, "ceil_mode with a last window starting in the padding "
                                 "is not supported");
        }
    }
    n = onnx_new_node(im, IR_OP_POOL, "");
    p = &n->a.pool;
    p->type = type;
    p->global = global;
    p->convention = ceil_mode ? IR_POOL_FULL : IR_POOL_VALID;
    for (i = 0; i < 2; i++) {
        p->kernel[i] = kernel[i];
        p->stride[i] = stride[i];
        p->pad[i] = pads[i];
    }
    if (!global)
        p->count_include_pad = (int)onnx_attr_i(im, "count_include_pad", 0);
    in = xr;
    if (onnx_finish(im, n, 1, &in))
        return -1;
    return onnx_def_ir(im, out0(im), (ir_ref){n->id, 0});
}

/* MaxPool's Indices (int64) are not computed: a use of them is an error. */
static int op_maxpool(onnx_imp *im) { return pool(im, IR_POOL_MAX, 0); }
static int op_avgpool(onnx_imp *im) { return pool(im, IR_POOL_AVG, 0); }
static int op_gap(onnx_imp *im) { return pool(im, IR_POOL_AVG, 1); }
static int op_gmp(onnx_imp *im) { return pool(im, IR_POOL_MAX, 1); }

/* ---- shapes and structure ----------------------------------------------- */

static int op_identity(onnx_imp *im)
{
    int bad = 0;
    oval *x = onnx_in(im, 0, &bad);
    if (bad || need_in(im, x, 0, "input"))
        return -1;
    return onnx_def_alias(im, out0(im), x);
}

static int op_cast(onnx_imp *im)
{
    int bad = 0;
    oval *x = onnx_in(im, 0, &bad);
    int64_t to = onnx_attr_i(im, "to", 0);
    int to_int = to != ONNX_FLOAT && to != ONNX_DOUBLE && to != ONNX_FLOAT16 &&
                 to != ONNX_BFLOAT16;
    if (bad || need_in(im, x, 0, "input"))
        return -1;
    if (x->state == V_CONST) {
        oval *v = onnx_def_const(im, out0(im), &x->shape, to_int);
        int64_t k;
        if (!v)
            return -1;
        for (k = 0; k < v->n; k++) {
            double d = onnx_cget(x, k);
            if (to_int)
                v->i[k] = to == ONNX_BOOL ? d != 0 : to_i64(d);
            else
                v->f[k] = (float)d;
        }
        return 0;
    }
    if (to != ONNX_FLOAT)
        return onnx_nerr(im, "Cast of a computed tensor to %s is not supported",
                         onnx_dtype_name((int32_t)to));
    return onnx_def_alias(im, out0(im), x);
}

static int op_constant(onnx_imp *im)
{
    const onnx_attr *a;
    ir_shape s;
    oval *v;
    size_t k;
    memset(&s, 0, sizeof s);
    if ((a = onnx_node_attr(im->cur, "value")) && a->type == ONNX_ATTR_TENSOR)
        return onnx_tensor_value(im, out0(im), a->t);
    if ((a = onnx_node_attr(im->cur, "value_float")) ||
        (a = onnx_node_attr(im->cur, "value_int"))) {
        v = onnx_def_const(im, out0(im), &s, a->type == ONNX_ATTR_INT);
        if (!v)
            return -1;
        if (v->is_int)
            v->i[0] = a->i;
        else
            v->f[0] = a->f;
        return 0;
    }
    if ((a = onnx_node_attr(im->cur, "value_floats")) ||
        (a = onnx_node_attr(im->cur, "value_ints"))) {
        s.ndim = 1;
        s.d[0] = (int64_t)a->n;
        v = onnx_def_const(im, out0(im), &s, a->type == ONNX_ATTR_INTS);
        if (!v)
            return -1;
        for (k = 0; k < a->n; k++) {
            if (v->is_int)
                v->i[k] = a->ints[k];
            else
                v->f[k] = a->floats[k];
        }
        return 0;
    }
    return onnx_nerr(im, "only tensor, float and int values are supported");
}

static int op_constant_of_shape(onnx_imp *im)
{
    int bad = 0, n, i;
    oval *x = onnx_in(im, 0, &bad), *v;
    int64_t d[MAXR];
    const onnx_attr *a = onnx_node_attr(im->cur, "value");
    ir_shape s;
    double val = 0;
    int is_int = 0;
    if (bad || need_in(im, x, 0, "input") || (n = const_ints(im, x, d, MAXR, "shape")) < 0)
        return -1;
    if (a && a->type == ONNX_ATTR_TENSOR && a->t->count == 1) {
        onnx_tensor_get_f64(a->t, 0, &val);
        is_int = a->t->dtype != ONNX_FLOAT && a->t->dtype != ONNX_DOUBLE;
    }
    s = shape_of(n, d);
    v = onnx_def_const(im, out0(im), &s, is_int);
    if (!v)
        return -1;
    for (i = 0; i < v->n; i++) {
        if (is_int)
            v->i[i] = to_i64(val);
        else
            v->f[i] = (float)val;
    }
    return 0;
}

static int op_shape(onnx_imp *im)
{
    int bad = 0;
    oval *x = onnx_in(im, 0, &bad), *v;
    const ir_shape *xs;
    int64_t start, end, k;
    ir_shape s;
    if (bad || need_in(im, x, 0, "data"))
        return -1;
    xs = onnx_shape(im, x);
    start = onnx_attr_i(im, "start", 0);
    end = onnx_attr_i(im, "end", xs->ndim);
    if (start < 0)
        start += xs->ndim;
    if (end < 0)
        end += xs->ndim;
    start = start < 0 ? 0 : start > xs->ndim ? xs->ndim : start;
    end = end < start ? start : end > xs->ndim ? xs->ndim : end;
    memset(&s, 0, sizeof s);
    s.ndim = 1;
    s.d[0] = end - start;
    v = onnx_def_const(im, out0(im), &s, 1);
    if (!v)
        return -1;
    for (k = start; k < end; k++)
        v->i[k - start] = xs->d[k];
    return 0;
}

static int op_gather(onnx_imp *im)
{
    int bad = 0, ax, i;
    oval *x = onnx_in(im, 0, &bad), *idx = onnx_in(im, 1, &bad), *v;
    ir_shape s;
    int64_t outer = 1, inner = 1, k, j, t, dim;
    if (bad || need_in(im, x, 0, "data") || need_in(im, idx, 1, "indices"))
        return -1;
    if (!all_const(im, &bad))
        return bad ? -1 : onnx_nerr(im, "Gather of computed tensors is not supported");
    ax = norm_axis(onnx_attr_i(im, "axis", 0), x->shape.ndim);
    if (ax < 0 || x->shape.ndim + idx->shape.ndim - 1 > MAXR)
        return onnx_nerr(im, "axis out of range");
    memset(&s, 0, sizeof s);
    for (i = 0; i < ax; i++) {
        s.d[s.ndim++] = x->shape.d[i];
        outer *= x->shape.d[i];
    }
    for (i = 0; i < idx->shape.ndim; i++)
        s.d[s.ndim++] = idx->shape.d[i];
    for (i = ax + 1; i < x->shape.ndim; i++) {
        s.d[s.ndim++] = x->shape.d[i];
        inner *= x->shape.d[i];
    }
    dim = x->shape.d[ax];
    v = onnx_def_const(im, out0(im), &s, x->is_int);
    if (!v)
        return -1;
    for (k = 0; k < outer; k++)
        for (j = 0; j < idx->n; j++) {
            int64_t q = to_i64(onnx_cget(idx, j));
            if (q < 0)
                q += dim;
            if (q < 0 || q >= dim)
                return onnx_nerr(im, "index %lld is out of range", (long long)q);
            for (t = 0; t < inner; t++) {
                int64_t src = (k * dim + q) * inner + t, dst = (k * idx->n + j) * inner + t;
                if (x->is_int)
                    v->i[dst] = x->i[src];
                else
                    v->f[dst] = x->f[src];
            }
        }
    return 0;
}

static int op_unsqueeze(onnx_imp *im)
{
    int bad = 0, n, i, j, nd;
    oval *x = onnx_in(im, 0, &bad);
    int64_t axes[MAXR], d[MAXR];
    unsigned char at[MAXR] = {0};
    const ir_shape *xs;
    ir_shape s;
    if (bad || need_in(im, x, 0, "data") || (n = get_axes(im, 13, 1, axes, &bad)) < 0)
        return -1;
    xs = onnx_shape(im, x);
    nd = xs->ndim + n;
    if (nd > MAXR)
        return onnx_nerr(im, "rank %d is too large", nd);
    for (i = 0; i < n; i++) {
        int a = norm_axis(axes[i], nd);
        if (a < 0 || at[a])
            return onnx_nerr(im, "axes are out of range or repeated");
        at[a] = 1;
    }
    for (i = 0, j = 0; i < nd; i++)
        d[i] = at[i] ? 1 : xs->d[j++];
    s = shape_of(nd, d);
    return reshape_to(im, x, &s);
}

static int op_squeeze(onnx_imp *im)
{
    int bad = 0, n, i, nd = 0;
    oval *x = onnx_in(im, 0, &bad);
    int64_t axes[MAXR], d[MAXR];
    unsigned char at[MAXR] = {0};
    const ir_shape *xs;
    ir_shape s;
    if (bad || need_in(im, x, 0, "data") || (n = get_axes(im, 13, 1, axes, &bad)) < 0)
        return -1;
    xs = onnx_shape(im, x);
    for (i = 0; i < n; i++) {
        int a = norm_axis(axes[i], xs->ndim);
        if (a < 0 || xs->d[a] != 1)
            return onnx_nerr(im, "axis %lld cannot be squeezed", (long long)axes[i]);
        at[a] = 1;
    }
    for (i = 0; i < xs->ndim; i++)
        if (n ? !at[i] : xs->d[i] != 1)
            d[nd++] = xs->d[i];
    s = shape_of(nd, d);
    return reshape_to(im, x, &s);
}

static int op_reshape(onnx_imp *im)
{
    int bad = 0, n, i, infer = -1;
    oval *x = onnx_in(im, 0, &bad);
    int64_t sh[MAXR], known = 1, total;
    const ir_shape *xs;
    ir_shape s;
    int allowzero = (int)onnx_attr_i(im, "allowzero", 0);
    if (bad || need_in(im, x, 0, "data"))
        return -1;
    if (im->opset < 5) {
        n = onnx_attr_ints(im, "shape", sh, MAXR);
    } else {
        oval *sv = onnx_in(im, 1, &bad);
        if (bad || need_in(im, sv, 1, "shape"))
            return -1;
        n = const_ints(im, sv, sh, MAXR, "shape");
    }
    if (n < 0)
        return -1;
    xs = onnx_shape(im, x);
    total = ir_shape_count(xs);
    for (i = 0; i < n; i++) {
        if (sh[i] == 0 && !allowzero) {
            if (i >= xs->ndim)
                return onnx_nerr(im, "shape copies dimension %d of a rank %d input", i,
                                 xs->ndim);
            sh[i] = xs->d[i];
        }
        if (sh[i] == -1) {
            if (infer >= 0)
                return onnx_nerr(im, "shape has two -1 entries");
            infer = i;
        } else if (sh[i] < 0 || sh[i] > ((int64_t)1 << 31)) {
            return onnx_nerr(im, "shape entry %lld is invalid", (long long)sh[i]);
        } else {
            known *= sh[i];
            if (known > total && total > 0)
                return onnx_nerr(im, "cannot reshape %lld elements into this shape",
                                 (long long)total);
        }
    }
    if (infer >= 0) {
        if (!known || total % known)
            return onnx_nerr(im, "cannot infer the -1 dimension");
        sh[infer] = total / known;
    }
    s = shape_of(n, sh);
    return reshape_to(im, x, &s);
}

static int op_flatten(onnx_imp *im)
{
    int bad = 0, ax, i;
    oval *x = onnx_in(im, 0, &bad);
    const ir_shape *xs;
    int64_t d[2] = {1, 1};
    ir_shape s;
    if (bad || need_in(im, x, 0, "input"))
        return -1;
    xs = onnx_shape(im, x);
    ax = (int)onnx_attr_i(im, "axis", 1);
    if (ax < 0)
        ax += xs->ndim;
    if (ax < 0 || ax > xs->ndim)
        return onnx_nerr(im, "axis out of range");
    for (i = 0; i < xs->ndim; i++)
        d[i >= ax] *= xs->d[i];
    s = shape_of(2, d);
    return reshape_to(im, x, &s);
}

static int op_transpose(onnx_imp *im)
{
    int bad = 0, n, i;
    oval *x = onnx_in(im, 0, &bad);
    int64_t perm[MAXR];
    const ir_shape *xs;
    ir_node *nd;
    ir_ref in;
    if (bad || need_in(im, x, 0, "data") || (n = onnx_attr_ints(im, "perm", perm, MAXR)) < 0)
        return -1;
    xs = onnx_shape(im, x);
    if (!n) {
        n = xs->ndim;
        for (i = 0; i < n; i++)
            perm[i] = n - 1 - i;
    }
    if (n != xs->ndim)
        return onnx_nerr(im, "perm has %d entries for rank %d", n, xs->ndim);
    if (x->state == V_CONST) {
        ir_shape s;
        int64_t k, st[MAXR];
        oval *v;
        unsigned char seen[MAXR] = {0};
        for (i = 0; i < n; i++) {
            if (perm[i] < 0 || perm[i] >= n || seen[perm[i]]++)
                return onnx_nerr(im, "perm is not a permutation");
        }
        memset(&s, 0, sizeof s);
        s.ndim = n;
        for (i = 0; i < n; i++)
            s.d[i] = xs->d[perm[i]];
        st[n - 1] = 1;
        for (i = n - 2; i >= 0; i--)
            st[i] = st[i + 1] * xs->d[i + 1];
        v = onnx_def_const(im, out0(im), &s, x->is_int);
        if (!v)
            return -1;
        for (k = 0; k < v->n; k++) {
            int64_t r = k, src = 0;
            for (i = n - 1; i >= 0; i--) {
                src += (r % s.d[i]) * st[perm[i]];
                r /= s.d[i];
            }
            if (x->is_int)
                v->i[k] = x->i[src];
            else
                v->f[k] = x->f[src];
        }
        return 0;
    }
    nd = onnx_new_node(im, IR_OP_TRANSPOSE, "");
    nd->a.transpose.axes.n = n;
    for (i = 0; i < n; i++)
        nd->a.transpose.axes.v[i] = (int)perm[i];
    in = x->ref;
    if (onnx_finish(im, nd, 1, &in))
        return -1;
    return onnx_def_ir(im, out0(im), (ir_ref){nd->id, 0});
}

static int op_concat(onnx_imp *im)
{
    int bad = 0, k, ax, nin = (int)im->cur->n_inputs, consts = 1;
    oval *v[64];
    ir_ref in[64];
    ir_node *n;
    if (nin < 1 || nin > 64)
        return onnx_nerr(im, "%d inputs (1 to 64 supported)", nin);
    for (k = 0; k < nin; k++) {
        v[k] = onnx_in(im, k, &bad);
        if (bad || need_in(im, v[k], k, "input"))
            return -1;
        consts &= v[k]->state == V_CONST;
    }
    ax = norm_axis(onnx_attr_i(im, "axis", 0), onnx_shape(im, v[0])->ndim);
    if (ax < 0)
        return onnx_nerr(im, "axis out of range");
    if (consts) {
        ir_shape s = v[0]->shape;
        int64_t outer = 1, pos = 0, j, t, is_int = 1;
        oval *o;
        int i;
        for (k = 1; k < nin; k++) {
            int a2;
            if (v[k]->shape.ndim != s.ndim)
                return onnx_nerr(im, "inputs differ in rank");
            for (a2 = 0; a2 < s.ndim; a2++)
                if (a2 != ax && v[k]->shape.d[a2] != s.d[a2])
                    return onnx_nerr(im, "input %d differs from input 0 along axis %d", k, a2);
            s.d[ax] += v[k]->shape.d[ax];
        }
        for (k = 0; k < nin; k++)
            is_int &= v[k]->is_int;
        for (i = 0; i < ax; i++)
            outer *= s.d[i];
        o = onnx_def_const(im, out0(im), &s, (int)is_int);
        if (!o)
            return -1;
        for (j = 0; j < outer; j++)
            for (k = 0; k < nin; k++) {
                int64_t chunk = outer ? v[k]->n / outer : 0;
                for (t = 0; t < chunk; t++, pos++) {
                    if (is_int)
                        o->i[pos] = v[k]->i[j * chunk + t];
                    else
                        o->f[pos] = (float)onnx_cget(v[k], j * chunk + t);
                }
            }
        return 0;
    }
    for (k = 0; k < nin; k++)
        in[k] = onnx_ref(im, v[k]);
    if (nin == 1)
        return onnx_def_alias(im, out0(im), v[0]);
    n = onnx_new_node(im, IR_OP_CONCAT, "");
    n->a.concat.dim = ax;
    if (onnx_finish(im, n, nin, in))
        return -1;
    return onnx_def_ir(im, out0(im), (ir_ref){n->id, 0});
}

/* Padding other than constant, or with negative pads, as one gather of H
 * and W. Negative pads crop first (as onnxruntime does); the rest of the
 * axis is then padded: output row y reads row y - before of the cropped
 * axis, and a row outside it is, by mode, the fill value (constant), the
 * nearest edge row (edge), its mirror image about the edge row, which is
 * not repeated (reflect), or the row a whole number of lengths away
 * (wrap). */
static int pad_gather(onnx_imp *im, ir_ref x, const ir_shape *xs, const int64_t *full,
                      const char *mode, double value)
{
    int64_t *maps[2] = {NULL, NULL}, len[2];
    int nd = xs->ndim, a, rc = -1;
    ir_ref out;
    if (nd != 4)
        return onnx_nerr(im, "mode=%s or a negative pad needs a 4-D input, got %d-D", mode,
                         nd);
    if (full[0] || full[1] || full[nd] || full[nd + 1])
        return onnx_nerr(im, "mode=%s or a negative pad on the batch or channel axis is not "
                         "supported", mode);
    for (a = 0; a < 2; a++) {
        int64_t in = xs->d[2 + a], before = full[2 + a], after = full[nd + 2 + a], j;
        int64_t start = before < 0 ? -before : 0, keep = in - start - (after < 0 ? -after : 0);
        int64_t pb = before > 0 ? before : 0, pa = after > 0 ? after : 0;
        if (keep < 1) {
            onnx_nerr(im, "pads (%lld, %lld) leave nothing of axis %d (%lld)",
                      (long long)before, (long long)after, 2 + a, (long long)in);
            goto out;
        }
        if ((!strcmp(mode, "reflect") && (pb >= keep || pa >= keep)) ||
            (!strcmp(mode, "wrap") && (pb > keep || pa > keep))) {
            onnx_nerr(im, "mode=%s with pads (%lld, %lld) on axis %d, which keeps %lld "
                      "elements, is not supported", mode, (long long)before,
                      (long long)after, 2 + a, (long long)keep);
            goto out;
        }
        len[a] = keep + pb + pa;
        maps[a] = xmalloc(sizeof(int64_t) * (size_t)len[a]);
        for (j = 0; j < len[a]; j++) {
            int64_t k = j - pb;
            if (k < 0 || k >= keep) {
                if (!strcmp(mode, "edge"))
                    k = k < 0 ? 0 : keep - 1;
                else if (!strcmp(mode, "reflect"))
                    k = k < 0 ? -k : 2 * (keep - 1) - k;
                else if (!strcmp(mode, "wrap"))
                    k = (k % keep + keep) % keep;
                else
                    k = -1 - start;
            }
            maps[a][j] = start + k;
        }
    }
    if (!gather_node(im, x, maps[0], len[0], maps[1], len[1], value, "", &out))
        rc = onnx_def_ir(im, out0(im), out);
out:
    free(maps[0]);
    free(maps[1]);
    return rc;
}

static int op_pad(onnx_imp *im)
{
    int bad = 0, n, i, nd, neg;
    oval *x = onnx_in(im, 0, &bad);
    int64_t p[2 * MAXR], full[2 * MAXR], axes[MAXR];
    double value = 0;
    const char *mode = onnx_attr_s(im, "mode", "constant");
    const ir_shape *xs;
    ir_node *nn;
    ir_ref in;
    int na;
    if (bad || need_in(im, x, 0, "data"))
        return -1;
    xs = onnx_shape(im, x);
    nd = xs->ndim;
    if (strcmp(mode, "constant") && strcmp(mode, "edge") && strcmp(mode, "reflect") &&
        strcmp(mode, "wrap"))
        return onnx_nerr(im, "mode=%s is not supported", mode);
    if (im->opset < 11) {
        n = onnx_attr_ints(im, im->opset < 2 ? "paddings" : "pads", p, 2 * MAXR);
        value = onnx_attr_f(im, "value", 0.0);
        na = nd;
        for (i = 0; i < nd; i++)
            axes[i] = i;
    } else {
        oval *pv = onnx_in(im, 1, &bad), *cv = onnx_in(im, 2, &bad), *av = onnx_in(im, 3, &bad);
        if (bad || need_in(im, pv, 1, "pads"))
            return -1;
        n = const_ints(im, pv, p, 2 * MAXR, "pads");
        if (cv) {
            if (cv->state != V_CONST || cv->n != 1)
                return onnx_nerr(im, "constant_value must be a constant scalar");
            value = onnx_cget(cv, 0);
        }
        if (av) {
            na = const_ints(im, av, axes, MAXR, "axes");
            if (na < 0)
                return -1;
        } else {
            na = nd;
            for (i = 0; i < nd; i++)
                axes[i] = i;
        }
    }
    if (n < 0)
        return -1;
    if (n != 2 * na)
        return onnx_nerr(im, "pads has %d values for %d axes", n, na);
    memset(full, 0, sizeof full);
    for (i = 0; i < na; i++) {
        int a = norm_axis(axes[i], nd);
        if (a < 0)
            return onnx_nerr(im, "axis %lld out of range", (long long)axes[i]);
        full[a] = p[i];
        full[nd + a] = p[na + i];
    }
    for (i = 0; i < 2 * nd; i++)
        if (full[i] < -4096 || full[i] > 4096)
            return onnx_nerr(im, "pad %lld is not supported", (long long)full[i]);
    if (x->state == V_CONST)
        return onnx_nerr(im, "padding a constant is not supported");
    in = x->ref;
    neg = 0;
    for (i = 0; i < 2 * nd; i++)
        neg |= full[i] < 0;
    if (!strcmp(mode, "constant") && !neg) {
        nn = onnx_new_node(im, IR_OP_PAD, "");
        nn->a.pad.width.n = 2 * nd;
        for (i = 0; i < nd && 2 * i + 1 < IR_MAX_INTS; i++) {
            nn->a.pad.width.v[2 * i] = (int)full[i];
            nn->a.pad.width.v[2 * i + 1] = (int)full[nd + i];
        }
        nn->a.pad.value = (float)value;
        if (onnx_finish(im, nn, 1, &in))
            return -1;
        return onnx_def_ir(im, out0(im), (ir_ref){nn->id, 0});
    }
    return pad_gather(im, in, xs, full, mode, value);
}

static int op_softmax(onnx_imp *im)
{
    int bad = 0, ax, i;
    oval *x = onnx_in(im, 0, &bad);
    const ir_shape *xs;
    ir_node *n;
    ir_ref in;
    int log = !strcmp(im->cur->op_type, "LogSoftmax");
    if (bad || need_in(im, x, 0, "input"))
        return -1;
    if (x->state == V_CONST)
        return onnx_nerr(im, "softmax of a constant is not supported");
    xs = onnx_shape(im, x);
    ax = norm_axis(onnx_attr_i(im, "axis", im->opset < 13 ? 1 : -1), xs->ndim);
    if (ax < 0)
        return onnx_nerr(im, "axis out of range");
    in = x->ref;
    if (im->opset < 13 && ax < xs->ndim - 1) {
        /* the input is coerced to 2-D (prod(d[:axis]), prod(d[axis:])) */
        int64_t d[2] = {1, 1};
        ir_shape s2;
        ir_node *r1, *r2;
        for (i = 0; i < xs->ndim; i++)
            d[i >= ax] *= xs->d[i];
        s2 = shape_of(2, d);
        r1 = onnx_new_node(im, IR_OP_RESHAPE, "/2d");
        r1->a.reshape.shape.n = 2;
        r1->a.reshape.shape.v[0] = (int)s2.d[0];
        r1->a.reshape.shape.v[1] = (int)s2.d[1];
        if (onnx_finish(im, r1, 1, &in))
            return -1;
        in = (ir_ref){r1->id, 0};
        n = onnx_new_node(im, IR_OP_SOFTMAX, "");
        n->a.softmax.mode = IR_SOFTMAX_AXIS;
        n->a.softmax.axis = 1;
        n->a.softmax.temperature = 1.0;
        n->a.softmax.log = log;
        if (onnx_finish(im, n, 1, &in))
            return -1;
        in = (ir_ref){n->id, 0};
        r2 = onnx_new_node(im, IR_OP_RESHAPE, "/nd");
        r2->a.reshape.shape.n = xs->ndim;
        for (i = 0; i < xs->ndim; i++)
            r2->a.reshape.shape.v[i] = (int)xs->d[i];
        if (onnx_finish(im, r2, 1, &in))
            return -1;
        return onnx_def_ir(im, out0(im), (ir_ref){r2->id, 0});
    }
    if (ax != xs->ndim - 1 && !(xs->ndim == 4 && ax == 1)) {
        /* along another axis: swap it with the last one, and back */
        ir_node *t1 = onnx_new_node(im, IR_OP_TRANSPOSE, "/to_last"), *t2;
        t1->a.transpose.axes.n = xs->ndim;
        for (i = 0; i < xs->ndim; i++)
            t1->a.transpose.axes.v[i] = i == ax ? xs->ndim - 1 : i == xs->ndim - 1 ? ax : i;
        if (onnx_finish(im, t1, 1, &in))
            return -1;
        in = (ir_ref){t1->id, 0};
        n = onnx_new_node(im, IR_OP_SOFTMAX, "");
        n->a.softmax.mode = IR_SOFTMAX_AXIS;
        n->a.softmax.axis = xs->ndim - 1;
        n->a.softmax.temperature = 1.0;
        n->a.softmax.log = log;
        if (onnx_finish(im, n, 1, &in))
            return -1;
        in = (ir_ref){n->id, 0};
        t2 = onnx_new_node(im, IR_OP_TRANSPOSE, "/back");
        t2->a.transpose = t1->a.transpose;
        if (onnx_finish(im, t2, 1, &in))
            return -1;
        return onnx_def_ir(im, out0(im), (ir_ref){t2->id, 0});
    }
    n = onnx_new_node(im, IR_OP_SOFTMAX, "");
    n->a.softmax.mode = IR_SOFTMAX_AXIS;
    n->a.softmax.axis = ax;
    n->a.softmax.temperature = 1.0;
    n->a.softmax.log = log;
    if (onnx_finish(im, n, 1, &in))
        return -1;
    return onnx_def_ir(im, out0(im), (ir_ref){n->id, 0});
}

static int op_reduce_mean(onnx_imp *im)
{
    int bad = 0, n, i, keep = (int)onnx_attr_i(im, "keepdims", 1);
    oval *x = onnx_in(im, 0, &bad);
    int64_t axes[MAXR];
    unsigned char at[MAXR] = {0};
    const ir_shape *xs;
    if (bad || need_in(im, x, 0, "data") || (n = get_axes(im, 18, 1, axes, &bad)) < 0)
        return -1;
    xs = onnx_shape(im, x);
    for (i = 0; i < n; i++) {
        int a = norm_axis(axes[i], xs->ndim);
        if (a < 0)
            return onnx_nerr(im, "axis out of range");
        at[a] = 1;
    }
    if (!n) {
        if (onnx_attr_i(im, "noop_with_empty_axes", 0))
            return onnx_def_alias(im, out0(im), x);
        for (i = 0; i < xs->ndim; i++)
            at[i] = 1;
    }
    if (x->state == V_CONST) {
        ir_shape s;
        oval *v;
        int64_t k, cnt = 1;
        double *acc;
        memset(&s, 0, sizeof s);
        for (i = 0; i < xs->ndim; i++) {
            if (at[i])
                cnt *= xs->d[i];
            if (!at[i] || keep)
                s.d[s.ndim++] = at[i] ? 1 : xs->d[i];
        }
        v = onnx_def_const(im, out0(im), &s, 0);
        if (!v)
            return -1;
        acc = xcalloc((size_t)(v->n ? v->n : 1), sizeof *acc);
        for (k = 0; k < x->n; k++) {
            int64_t r = k, o = 0, st = 1;
            for (i = xs->ndim - 1; i >= 0; i--) {
                int64_t c = r % xs->d[i];
                r /= xs->d[i];
                if (!at[i]) {
                    o += c * st;
                    st *= xs->d[i];
                }
            }
            acc[o] += onnx_cget(x, k);
        }
        for (k = 0; k < v->n; k++)
            v->f[k] = (float)(acc[k] / (double)cnt);
        free(acc);
        return 0;
    }
    {
        ir_node *nd = onnx_new_node(im, IR_OP_MEAN, "");
        ir_ref in = x->ref;
        nd->a.mean.keepdims = keep;
        for (i = 0; i < xs->ndim; i++)
            if (at[i])
                nd->a.mean.axes.v[nd->a.mean.axes.n++] = i;
        if (onnx_finish(im, nd, 1, &in))
            return -1;
        return onnx_def_ir(im, out0(im), (ir_ref){nd->id, 0});
    }
}

static int op_where(onnx_imp *im)
{
    int bad = 0;
    oval *c = onnx_in(im, 0, &bad), *a = onnx_in(im, 1, &bad), *b = onnx_in(im, 2, &bad), *v;
    ir_shape s1, s;
    int64_t k;
    if (bad || need_in(im, c, 0, "condition") || need_in(im, a, 1, "X") ||
        need_in(im, b, 2, "Y"))
        return -1;
    if (!all_const(im, &bad))
        return bad ? -1 : onnx_nerr(im, "Where of computed tensors is not supported");
    if (bcast_shape(im, &c->shape, &a->shape, &s1) || bcast_shape(im, &s1, &b->shape, &s))
        return -1;
    v = onnx_def_const(im, out0(im), &s, a->is_int && b->is_int);
    if (!v)
        return -1;
    for (k = 0; k < v->n; k++) {
        int take = onnx_cget(c, bcast_index(&c->shape, &s, k)) != 0;
        double d = take ? onnx_cget(a, bcast_index(&a->shape, &s, k))
                        : onnx_cget(b, bcast_index(&b->shape, &s, k));
        if (v->is_int)
            v->i[k] = to_i64(d);
        else
            v->f[k] = (float)d;
    }
    return 0;
}

/* ---- Resize (nearest) ------------------------------------------------------- */

typedef enum {
    CT_HALF_PIXEL, CT_ASYMMETRIC, CT_PYTORCH_HALF_PIXEL, CT_TF_HALF_PIXEL_FOR_NN,
    CT_ALIGN_CORNERS, CT_HALF_PIXEL_SYMMETRIC
} resize_ct;
typedef enum { NM_ROUND_PREFER_FLOOR, NM_ROUND_PREFER_CEIL, NM_FLOOR, NM_CEIL, NM_SIMPLE } resize_nm;

/* The source coordinate of output index j along an axis (lr output and lo
 * input elements, scale the axis's float scale), in the float arithmetic
 * onnxruntime evaluates the ONNX formula with (each operation rounded to
 * float; half_pixel_symmetric ends in double). */
static float resize_coord(resize_ct ct, int64_t j, float scale, int64_t lr, int64_t lo)
{
    float x = (float)j, flr = (float)lr, flo = (float)lo, t;
    switch (ct) {
    case CT_ASYMMETRIC:
        return x / scale;
    case CT_PYTORCH_HALF_PIXEL:
        if (!(flr > 1))
            return 0.0f;
        t = (x + 0.5f) / scale;
        return t - 0.5f;
    case CT_TF_HALF_PIXEL_FOR_NN:
        return (x + 0.5f) / scale;
    case CT_ALIGN_CORNERS:
        if (lr == 1)
            return 0.0f;
        t = x * (flo - 1.0f);
        return t / (flr - 1.0f);
    case CT_HALF_PIXEL_SYMMETRIC: {
        float width = scale * flo, adjust = flr / width, center = flo / 2.0f;
        float offset = center * (1.0f - adjust);
        return (float)((double)offset + ((double)x + 0.5) / (double)scale - 0.5);
    }
    case CT_HALF_PIXEL:
    default:
        t = (x + 0.5f) / scale;
        return t - 0.5f;
    }
}

/* The same coordinate in double arithmetic (with the same float scale):
 * the value the float one approximates. */
static double resize_coord_exact(resize_ct ct, int64_t j, float scale, int64_t lr, int64_t lo)
{
    double x = (double)j, sc = (double)scale;
    switch (ct) {
    case CT_ASYMMETRIC:
        return x / sc;
    case CT_PYTORCH_HALF_PIXEL:
        return lr > 1 ? (x + 0.5) / sc - 0.5 : 0.0;
    case CT_TF_HALF_PIXEL_FOR_NN:
        return (x + 0.5) / sc;
    case CT_ALIGN_CORNERS:
        return lr == 1 ? 0.0 : x * (double)(lo - 1) / (double)(lr - 1);
    case CT_HALF_PIXEL_SYMMETRIC: {
        double width = sc * (double)lo, center = (double)lo / 2;
        return center * (1 - (double)lr / width) + (x + 0.5) / sc - 0.5;
    }
    case CT_HALF_PIXEL:
    default:
        return (x + 0.5) / sc - 0.5;
    }
}

/* The input index nearest_mode picks for coordinate c (before clamping). */
static int64_t resize_pick(resize_nm nm, float c, int down)
{
    switch (nm) {
    case NM_ROUND_PREFER_CEIL:
        return (int64_t)roundf(c);
    case NM_FLOOR:
        return (int64_t)floorf(c);
    case NM_CEIL:
        return (int64_t)ceilf(c);
    case NM_SIMPLE: /* Resize-10 and Upsample: ceil when shrinking, else truncation */
        return down ? (int64_t)ceilf(c) : (int64_t)c;
    case NM_ROUND_PREFER_FLOOR:
    default:
        if (c == (float)(int64_t)c + 0.5f)
            return (int64_t)floorf(c);
        return (int64_t)roundf(c);
    }
}

/* The input row of every output row along one axis (lo -> lr elements,
 * float scale): onnxruntime's mapping, identity where the scale is 1.
 * Refused (an error naming the output index) where the coordinate lies
 * within 1e-3 (plus 1e-6 of its size) of the point where nearest_mode changes its choice and the
 * float evaluation is not exact: there the chosen row depends on how the
 * float operations round, which bnnc does not promise to reproduce. */
static int resize_map(onnx_imp *im, resize_ct ct, resize_nm nm, const char *ct_name,
                      const char *nm_name, int axis, float scale, int64_t lo, int64_t lr,
                      int64_t *map)
{
    int64_t j;
    for (j = 0; j < lr; j++) {
        float c;
        double e, frac, dist;
        int64_t k;
        if (scale == 1.0f) {
            if (j >= lo)
                return onnx_nerr(im, "scale 1 on axis %d with %lld outputs for %lld inputs",
                                 axis, (long long)lr, (long long)lo);
            map[j] = j;
            continue;
        }
        c = resize_coord(ct, j, scale, lr, lo);
        e = resize_coord_exact(ct, j, scale, lr, lo);
        frac = e - floor(e);
        dist = nm == NM_ROUND_PREFER_FLOOR || nm == NM_ROUND_PREFER_CEIL
                   ? fabs(frac - 0.5)
                   : (frac < 1 - frac ? frac : 1 - frac);
        if (dist < 1e-3 + 1e-6 * fabs(e) && (double)c != e)
            return onnx_nerr(im, "coordinate_transformation_mode=%s with nearest_mode=%s: "
                             "output %lld of axis %d maps to %.9g, at a rounding tie that "
                             "float arithmetic decides; not supported", ct_name, nm_name,
                             (long long)j, axis, e);
        k = resize_pick(nm, c, scale < 1.0f);
        map[j] = k < 0 ? 0 : k >= lo ? lo - 1 : k;
    }
    return 0;
}

/* Resize and Upsample, mode nearest, of a 4-D tensor: N and C kept, H and
 * W each resized by its own scale (constant scales or sizes, opset 18's
 * axes placing them), every coordinate_transformation_mode onnxruntime
 * has but tf_crop_and_resize, every nearest_mode; one gather of the rows
 * and columns resize_map chooses. */
static int op_resize(onnx_imp *im)
{
    static const char *const ct_names[] = {"half_pixel", "asymmetric", "pytorch_half_pixel",
                                           "tf_half_pixel_for_nn", "align_corners",
                                           "half_pixel_symmetric"};
    static const char *const nm_names[] = {"round_prefer_floor", "round_prefer_ceil", "floor",
                                           "ceil"};
    int bad = 0, i, n_axes, ct = -1, nm = -1;
    oval *x = onnx_in(im, 0, &bad), *sc, *sz;
    const char *mode = onnx_attr_s(im, "mode", "nearest");
    const char *cts = onnx_attr_s(im, "coordinate_transformation_mode",
                                  im->opset < 11 ? "asymmetric" : "half_pixel");
    const char *nms = onnx_attr_s(im, "nearest_mode", "round_prefer_floor");
    const char *policy = onnx_attr_s(im, "keep_aspect_ratio_policy", "stretch");
    const ir_shape *xs;
    int64_t out[4], axes[4];
    float scale[4];
    int64_t *maps[2] = {NULL, NULL};
    ir_ref r;
    int rc;
    if (bad || need_in(im, x, 0, "X"))
        return -1;
    if (x->state == V_CONST)
        return onnx_nerr(im, "resizing a constant is not supported");
    xs = onnx_shape(im, x);
    if (strcmp(mode, "nearest") || xs->ndim != 4)
        return onnx_nerr(im, "mode=%s is not supported (nearest on 4-D tensors is)", mode);
    if (im->opset >= 11) {
        for (i = 0; i < 6; i++)
            if (!strcmp(cts, ct_names[i]))
                ct = i;
        for (i = 0; i < 4; i++)
            if (!strcmp(nms, nm_names[i]))
                nm = i;
        if (ct < 0)
            return onnx_nerr(im, "coordinate_transformation_mode=%s is not supported", cts);
        if (nm < 0)
            return onnx_nerr(im, "nearest_mode=%s is not supported", nms);
    } else {
        ct = CT_ASYMMETRIC;
        nm = NM_SIMPLE;
        nms = "(opset 10)";
    }
    if (onnx_attr_i(im, "antialias", 0))
        return onnx_nerr(im, "antialias=1 is not supported");
    if (!strcmp(im->cur->op_type, "Upsample") && im->opset < 9)
        return onnx_nerr(im, "Upsample before opset 9 (scales as an attribute) is not "
                         "supported");
    sc = onnx_in(im, im->opset < 11 ? 1 : 2, &bad);
    sz = im->opset < 11 ? NULL : onnx_in(im, 3, &bad);
    if (bad)
        return -1;
    if (sc && sc->n == 0)
        sc = NULL;
    if (sz && sz->n == 0)
        sz = NULL;
    n_axes = onnx_attr_ints(im, "axes", axes, 4);
    if (n_axes < 0)
        return -1;
    if (!n_axes)
        for (n_axes = 0; n_axes < 4; n_axes++)
            axes[n_axes] = n_axes;
    if ((!sc) == (!sz) || (sc && (sc->state != V_CONST || sc->n != n_axes)) ||
        (sz && (sz->state != V_CONST || sz->n != n_axes)))
        return onnx_nerr(im, "needs constant scales or sizes for %d axes", n_axes);
    if (sz && n_axes > 1 && strcmp(policy, "stretch"))
        return onnx_nerr(im, "keep_aspect_ratio_policy=%s is not supported", policy);
    for (i = 0; i < 4; i++) {
        out[i] = xs->d[i];
        scale[i] = 1.0f;
    }
    for (i = 0; i < n_axes; i++) {
        int a = norm_axis(axes[i], 4);
        if (a < 0)
            return onnx_nerr(im, "axis %lld out of range", (long long)axes[i]);
        if (sc) {
            scale[a] = (float)onnx_cget(sc, i);
            if (!(scale[a] > 0) || scale[a] > 4096)
                return onnx_nerr(im, "scale %g is not supported", (double)scale[a]);
            out[a] = (int64_t)(scale[a] * (float)xs->d[a]);
        } else {
            out[a] = to_i64(onnx_cget(sz, i));
            if (out[a] < 1 || out[a] > 65536)
                return onnx_nerr(im, "size %lld is not supported", (long long)out[a]);
            scale[a] = (float)out[a] / (float)xs->d[a];
        }
    }
    if (out[0] != xs->d[0] || out[1] != xs->d[1] || scale[0] != 1.0f || scale[1] != 1.0f)
        return onnx_nerr(im, "resizing the batch or channel axis is not supported");
    for (i = 2; i < 4; i++)
        if (out[i] < 1 || out[i] > 65536)
            return onnx_nerr(im, "axis %d would have %lld elements", i, (long long)out[i]);
    if (scale[2] == 1.0f && scale[3] == 1.0f && out[2] == xs->d[2] && out[3] == xs->d[3])
        return onnx_def_alias(im, out0(im), x);
    rc = -1;
    for (i = 0; i < 2; i++) {
        maps[i] = xmalloc(sizeof(int64_t) * (size_t)out[2 + i]);
        if (resize_map(im, (resize_ct)ct, (resize_nm)nm, ct_names[ct], nms, 2 + i,
                       scale[2 + i], xs->d[2 + i], out[2 + i], maps[i]))
            goto done;
    }
    if (!gather_node(im, x->ref, maps[0], out[2], maps[1], out[3], 0.0, "", &r))
        rc = onnx_def_ir(im, out0(im), r);
done:
    free(maps[0]);
    free(maps[1]);
    return rc;
}

/* ---- ArgMax, TopK --------------------------------------------------------- */

/* A TOPK node of x defining output `name` (indices or values). */
static int topk_node(onnx_imp *im, oval *x, int64_t axis, int64_t k, int largest,
                     int last_index, int indices, int keepdims, const char *name,
                     const char *suffix)
{
    ir_node *n;
    ir_ref in;
    if (axis < -IR_MAX_DIMS || axis >= IR_MAX_DIMS)
        return onnx_nerr(im, "axis %lld is out of range", (long long)axis);
    if (k < 1 || k > INT32_MAX)
        return onnx_nerr(im, "k = %lld is not supported", (long long)k);
    n = onnx_new_node(im, IR_OP_TOPK, suffix);
    n->a.topk.axis = (int)axis;
    n->a.topk.k = (int)k;
    n->a.topk.largest = largest;
    n->a.topk.last_index = last_index;
    n->a.topk.indices = indices;
    n->a.topk.keepdims = keepdims;
    in = x->ref;
    if (onnx_finish(im, n, 1, &in))
        return -1;
    return onnx_def_ir(im, name, (ir_ref){n->id, 0});
}

/* ArgMax/ArgMin: the int64 index of the largest (smallest) element along
 * axis, the first of equal ones unless select_last_index (opset 12). */
static int argmaxmin(onnx_imp *im, int largest)
{
    int bad = 0;
    oval *x = onnx_in(im, 0, &bad);
    if (bad || need_in(im, x, 0, "data"))
        return -1;
    if (x->state == V_CONST)
        return onnx_nerr(im, "%s of a constant is not supported", im->cur->op_type);
    return topk_node(im, x, onnx_attr_i(im, "axis", 0), 1, largest,
                     onnx_attr_i(im, "select_last_index", 0) != 0, 1,
                     onnx_attr_i(im, "keepdims", 1) != 0, out0(im), "");
}

static int op_argmax(onnx_imp *im) { return argmaxmin(im, 1); }
static int op_argmin(onnx_imp *im) { return argmaxmin(im, 0); }

/* TopK: values (output 0, float) and indices (output 1, int64) of the k
 * largest (smallest) along axis, best first, equal values lowest index
 * first. sorted=0 leaves the order to the implementation (onnxruntime's
 * is not sorted) and is refused unless k is 1. k is an attribute before
 * opset 10, then a constant input.
 * Each output that is used is its own node: the indices can only be a
 * graph output, and the graph outputs share one element type. */
static int op_topk(onnx_imp *im)
{
    int bad = 0, largest = (int)(onnx_attr_i(im, "largest", 1) != 0);
    oval *x = onnx_in(im, 0, &bad);
    int64_t k, axis = onnx_attr_i(im, "axis", -1);
    if (bad || need_in(im, x, 0, "X"))
        return -1;
    if (x->state == V_CONST)
        return onnx_nerr(im, "TopK of a constant is not supported");
    if (im->opset < 10) {
        k = onnx_attr_i(im, "k", 0);
    } else {
        oval *kv = onnx_in(im, 1, &bad);
        if (bad || need_in(im, kv, 1, "K"))
            return -1;
        if (kv->state != V_CONST || kv->n != 1)
            return onnx_nerr(im, "K must be a constant with one value");
        k = kv->is_int ? kv->i[0] : to_i64(kv->f[0]);
    }
    if (!onnx_attr_i(im, "sorted", 1) && k != 1)
        return onnx_nerr(im, "sorted=0 is not supported (its order is the implementation's; "
                         "bnnc's would be sorted)");
    if (im->cur->n_outputs > 0 && im->cur->outputs[0][0] &&
        topk_node(im, x, axis, k, largest, 0, 0, 1, im->cur->outputs[0], "/values"))
        return -1;
    if (im->cur->n_outputs > 1 && im->cur->outputs[1][0] &&
        topk_node(im, x, axis, k, largest, 0, 1, 1, im->cur->outputs[1], "/indices"))
        return -1;
    return 0;
}

/* ---- QONNX / FINN --------------------------------------------------------- */

/* sign (x >= 0 -> +1) of IR x, then * scale when it is not 1. */
static int bipolar(onnx_imp *im, ir_ref x, oval *scale, ir_ref *out)
{
    ir_node *n = onnx_new_node(im, IR_OP_SIGN, scale ? "/sign" : "");
    int64_t k;
    int ones = 1;
    if (onnx_finish(im, n, 1, &x))
        return -1;
    *out = (ir_ref){n->id, 0};
    if (!scale)
        return 0;
    for (k = 0; k < scale->n; k++)
        ones &= onnx_cget(scale, k) == 1.0;
    if (ones)
        return 0;
    if (is_scalar(scale))
        return scalar_node(im, *out, IR_SC_MUL, (float)onnx_cget(scale, 0), "", out);
    {
        ir_node *m = onnx_new_node(im, IR_OP_MUL, "");
        ir_ref in[2];
        m->a.binary.broadcast = 1;
        in[0] = *out;
        in[1] = onnx_ref(im, scale);
        if (onnx_finish(im, m, 2, in))
            return -1;
        *out = (ir_ref){m->id, 0};
    }
    return 0;
}

static int op_bipolar_quant(onnx_imp *im)
{
    int bad = 0;
    oval *x = onnx_in(im, 0, &bad), *s = onnx_in(im, 1, &bad);
    ir_ref r;
    if (bad || need_in(im, x, 0, "x") || need_in(im, s, 1, "scale"))
        return -1;
    if (s->state != V_CONST)
        return onnx_nerr(im, "the scale must be known at compile time");
    if (x->state == V_CONST) {
        ir_shape o;
        oval *v;
        int64_t k;
        if (bcast_shape(im, &x->shape, &s->shape, &o) ||
            !(v = onnx_def_const(im, out0(im), &o, 0)))
            return -1;
        for (k = 0; k < v->n; k++) {
            float xv = (float)onnx_cget(x, bcast_index(&x->shape, &o, k));
            float sv = (float)onnx_cget(s, bcast_index(&s->shape, &o, k));
            v->f[k] = (xv >= 0 ? 1.0f : -1.0f) * sv;
        }
        return 0;
    }
    if (bipolar(im, x->ref, s, &r))
        return -1;
    return onnx_def_ir(im, out0(im), r);
}

/* Rounding of QONNX Quant (float32 in, float32 out). */
static float q_round(float y, const char *mode)
{
    if (!strcmp(mode, "ROUND") || !strcmp(mode, "HALF_EVEN"))
        return nearbyintf(y);
    if (!strcmp(mode, "CEIL"))
        return ceilf(y);
    if (!strcmp(mode, "FLOOR"))
        return floorf(y);
    if (!strcmp(mode, "UP"))
        return y < 0 ? -ceilf(-y) : ceilf(y);
    if (!strcmp(mode, "DOWN"))
        return truncf(y);
    if (!strcmp(mode, "HALF_UP"))
        return y < 0 ? -floorf(-y + 0.5f) : floorf(y + 0.5f);
    return y < 0 ? -ceilf(-y - 0.5f) : ceilf(y - 0.5f); /* HALF_DOWN */
}

static int op_quant(onnx_imp *im)
{
    int bad = 0;
    oval *x = onnx_in(im, 0, &bad), *s = onnx_in(im, 1, &bad), *z = onnx_in(im, 2, &bad),
         *bw = onnx_in(im, 3, &bad);
    int sgn = (int)onnx_attr_i(im, "signed", 1), narrow = (int)onnx_attr_i(im, "narrow", 1);
    const char *mode = onnx_attr_s(im, "rounding_mode", "ROUND");
    double bits, lo, hi;
    static const char *const modes[] = {"ROUND", "HALF_EVEN", "CEIL", "FLOOR", "UP", "DOWN",
                                        "HALF_UP", "HALF_DOWN", NULL};
    int k, zero_zp = 1;
    ir_ref r;
    if (bad || need_in(im, x, 0, "x") || need_in(im, s, 1, "scale") ||
        need_in(im, z, 2, "zeropt") || need_in(im, bw, 3, "bitwidth"))
        return -1;
    if (s->state != V_CONST || z->state != V_CONST || bw->state != V_CONST || bw->n != 1)
        return onnx_nerr(im, "scale, zero point and bit width must be known at compile time");
    for (k = 0; modes[k] && strcmp(modes[k], mode); k++)
        ;
    if (!modes[k])
        return onnx_nerr(im, "rounding_mode=%s is not supported", mode);
    bits = onnx_cget(bw, 0);
    if (!(bits >= 1 && bits <= 24))
        return onnx_nerr(im, "bit width %g is not supported", bits);
    lo = sgn ? -ldexp(1, (int)bits - 1) + narrow : 0;
    hi = sgn ? ldexp(1, (int)bits - 1) - 1 : ldexp(1, (int)bits) - 1 - narrow;
    for (k = 0; k < z->n; k++)
        zero_zp &= onnx_cget(z, k) == 0;
    if (x->state == V_CONST) {
        ir_shape o1, o2, o;
        oval *v;
        int64_t i;
        if (bcast_shape(im, &x->shape, &s->shape, &o1) || bcast_shape(im, &o1, &z->shape, &o2))
            return -1;
        o = o2;
        if (!(v = onnx_def_const(im, out0(im), &o, 0)))
            return -1;
        for (i = 0; i < v->n; i++) {
            float xv = (float)onnx_cget(x, bcast_index(&x->shape, &o, i));
            float sv = (float)onnx_cget(s, bcast_index(&s->shape, &o, i));
            float zv = (float)onnx_cget(z, bcast_index(&z->shape, &o, i));
            float y = xv / sv + zv;
            if (bits == 1 && sgn) {
                y = y >= 0 ? 1.0f : -1.0f;
            } else {
                y = y < (float)lo ? (float)lo : y > (float)hi ? (float)hi : y;
                y = q_round(y, mode);
            }
            v->f[i] = (y - zv) * sv;
        }
        return 0;
    }
    if (!is_scalar(s) || !is_scalar(z) || !(onnx_cget(s, 0) > 0))
        return onnx_nerr(im, "a computed input needs a positive scalar scale and zero point");
    if (bits == 1 && sgn) {
        if (!zero_zp)
            return onnx_nerr(im, "a 1-bit signed Quant with a zero point is not supported");
        if (bipolar(im, x->ref, s, &r))
            return -1;
        return onnx_def_ir(im, out0(im), r);
    }
    if (strcmp(mode, "ROUND") && strcmp(mode, "HALF_EVEN"))
        return onnx_nerr(im, "rounding_mode=%s on a computed input is not supported (ROUND "
                         "is)", mode);
    {
        /* y = clamp(x / s + z) rounded half to even: y + 1.5 * 2^23 - 1.5 * 2^23 in float32
         * rounds |y| < 2^22 to an integer, ties to even; out = (y - z) * s */
        const double magic = 12582912.0;
        double sv = (float)onnx_cget(s, 0), zv = (float)onnx_cget(z, 0);
        if (hi - lo > 4194304.0)
            return onnx_nerr(im, "bit width %g is too wide for exact rounding", bits);
        int e;
        r = x->ref;
        if (frexp(sv, &e) == 0.5) {
            /* x / s is x * (1 / s) exactly */
            if (scalar_node(im, r, IR_SC_DIV, sv, "/div", &r))
                return -1;
        } else {
            /* a true division, as qonnx's x / scale: x * (1 / s) can differ
             * by one rounding and move a value across a rounding boundary;
             * the code generator divides elementwise by a tensor of s */
            const ir_shape *xs = onnx_shape(im, x);
            oval *sc;
            ir_node *d;
            ir_ref in[2];
            int64_t j;
            if (ir_shape_count(xs) > ((int64_t)1 << 22))
                return onnx_nerr(im, "a scale that is not a power of two on a tensor of %lld "
                                 "elements is not supported (exact division needs a tensor "
                                 "of the scale)", (long long)ir_shape_count(xs));
            if (!(sc = onnx_def_const(im, "", xs, 0)))
                return -1;
            for (j = 0; j < sc->n; j++)
                sc->f[j] = (float)sv;
            d = onnx_new_node(im, IR_OP_DIV, "/div");
            in[0] = r;
            in[1] = onnx_ref(im, sc);
            sc->state = V_UNDEF;
            if (onnx_finish(im, d, 2, in))
                return -1;
            r = (ir_ref){d->id, 0};
        }
        if ((zv != 0 && scalar_node(im, r, IR_SC_ADD, zv, "/zp", &r)) ||
            clip_node(im, r, lo, hi, "/clip", &r) ||
            scalar_node(im, r, IR_SC_ADD, magic, "/round", &r) ||
            scalar_node(im, r, IR_SC_SUB, magic, "/round2", &r) ||
            (zv != 0 && scalar_node(im, r, IR_SC_SUB, zv, "/unzp", &r)) ||
            scalar_node(im, r, IR_SC_MUL, sv, "", &r))
            return -1;
        return onnx_def_ir(im, out0(im), r);
    }
}

/* MultiThreshold: out_scale * #(t : x >= thr[c][t]) + out_bias, c the
 * channel axis (data_layout, or by rank: NC, NWC, NCHW). Each threshold is
 * sign(x - thr) (+1 iff x >= thr, exactly); the count is
 * (sum of the T signs + T) / 2. */
static int op_multithreshold(onnx_imp *im)
{
    int bad = 0, t, cax = 1, i;
    oval *x = onnx_in(im, 0, &bad), *th = onnx_in(im, 1, &bad);
    double scale = onnx_attr_f(im, "out_scale", 1.0), bias = onnx_attr_f(im, "out_bias", 0.0);
    const char *layout = onnx_attr_s(im, "data_layout", "");
    const ir_shape *xs;
    int64_t C, T, c;
    ir_ref sum = {-1, 0};
    if (bad || need_in(im, x, 0, "v") || need_in(im, th, 1, "thresholds"))
        return -1;
    if (x->state == V_CONST || th->state != V_CONST || th->shape.ndim != 2)
        return onnx_nerr(im, "needs a computed input and constant (C, T) thresholds");
    xs = onnx_shape(im, x);
    if (layout[0]) {
        const char *p = strchr(layout, 'C');
        if (!p || (int)strlen(layout) != xs->ndim)
            return onnx_nerr(im, "data_layout %s does not fit a rank %d input", layout,
                             xs->ndim);
        cax = (int)(p - layout);
    } else {
        cax = xs->ndim == 3 ? 2 : 1;
    }
    if (xs->ndim < 2)
        return onnx_nerr(im, "needs an input of rank >= 2");
    C = xs->d[cax];
    T = th->shape.d[1];
    if ((th->shape.d[0] != C && th->shape.d[0] != 1) || T < 1 || T > 256)
        return onnx_nerr(im, "thresholds (%lld, %lld) do not fit %lld channels",
                         (long long)th->shape.d[0], (long long)T, (long long)C);
    for (t = 0; t < T; t++) {
        ir_shape s;
        oval *cv;
        ir_node *sub, *sg;
        ir_ref in[2];
        char pre[16] = "", sfx[3][32]; /* threshold t's nodes named apart when several */
        if (T > 1)
            snprintf(pre, sizeof pre, "/t%d", t);
        snprintf(sfx[0], sizeof sfx[0], "%s/sub", pre);
        snprintf(sfx[1], sizeof sfx[1], "%s/sign", pre);
        snprintf(sfx[2], sizeof sfx[2], "%s/count", pre);
        memset(&s, 0, sizeof s);
        s.ndim = xs->ndim;
        for (i = 0; i < xs->ndim; i++)
            s.d[i] = 1;
        s.d[cax] = C;
        cv = onnx_def_const(im, "", &s, 0);
        if (!cv)
            return -1;
        for (c = 0; c < C; c++)
            cv->f[c] = (float)onnx_cget(th, (th->shape.d[0] == 1 ? 0 : c) * T + t);
        sub = onnx_new_node(im, IR_OP_SUB, sfx[0]);
        sub->a.binary.broadcast = 1;
        in[0] = x->ref;
        in[1] = onnx_ref(im, cv);
        cv->state = V_UNDEF;
        if (onnx_finish(im, sub, 2, in))
            return -1;
        sg = onnx_new_node(im, IR_OP_SIGN, sfx[1]);
        in[0] = (ir_ref){sub->id, 0};
        if (onnx_finish(im, sg, 1, in))
            return -1;
        if (sum.node < 0) {
            sum = (ir_ref){sg->id, 0};
        } else {
            ir_node *a = onnx_new_node(im, IR_OP_ADD, sfx[2]);
            in[0] = sum;
            in[1] = (ir_ref){sg->id, 0};
            if (onnx_finish(im, a, 2, in))
                return -1;
            sum = (ir_ref){a->id, 0};
        }
    }
    /* out = scale * (sum + T) / 2 + bias = (scale / 2) * sum + (scale * T / 2 + bias) */
    if (!(scale == 2 && bias == 1 - (double)T)) {
        if (scale / 2 != 1 && scalar_node(im, sum, IR_SC_MUL, scale / 2, "/scale", &sum))
            return -1;
        if (scale * (double)T / 2 + bias != 0 &&
            scalar_node(im, sum, IR_SC_ADD, scale * (double)T / 2 + bias, "/bias", &sum))
            return -1;
    }
    return onnx_def_ir(im, out0(im), sum);
}

/* ---- the rows ------------------------------------------------------------- */

typedef enum { DOM_ONNX, DOM_QONNX } op_domain;

typedef struct {
    op_domain domain;
    const char *op_type;
    int (*import)(onnx_imp *im);
} onnx_op_row;

static const onnx_op_row rows[] = {
    {DOM_ONNX, "Conv", op_conv},
    {DOM_ONNX, "ConvTranspose", op_conv_transpose},
    {DOM_ONNX, "Gemm", op_gemm},
    {DOM_ONNX, "MatMul", op_matmul},
    {DOM_ONNX, "BatchNormalization", op_batchnorm},
    {DOM_ONNX, "Relu", op_relu},
    {DOM_ONNX, "PRelu", op_prelu},
    {DOM_ONNX, "LeakyRelu", op_leaky},
    {DOM_ONNX, "Clip", op_clip},
    {DOM_ONNX, "Sigmoid", op_sigmoid},
    {DOM_ONNX, "Tanh", op_tanh},
    {DOM_ONNX, "HardSigmoid", op_hardsigmoid},
    {DOM_ONNX, "HardSwish", op_hardswish},
    {DOM_ONNX, "Add", op_add},
    {DOM_ONNX, "Sub", op_sub},
    {DOM_ONNX, "Mul", op_mul},
    {DOM_ONNX, "Div", op_div},
    {DOM_ONNX, "Pow", op_pow},
    {DOM_ONNX, "Abs", op_abs},
    {DOM_ONNX, "Neg", op_neg},
    {DOM_ONNX, "Sign", op_sign},
    {DOM_ONNX, "Sqrt", op_sqrt},
    {DOM_ONNX, "Reciprocal", op_reciprocal},
    {DOM_ONNX, "Floor", op_floor},
    {DOM_ONNX, "Ceil", op_ceil},
    {DOM_ONNX, "Exp", op_exp},
    {DOM_ONNX, "Round", op_round},
    {DOM_ONNX, "Not", op_not},
    {DOM_ONNX, "Less", op_less},
    {DOM_ONNX, "Greater", op_greater},
    {DOM_ONNX, "Equal", op_equal},
    {DOM_ONNX, "And", op_and},
    {DOM_ONNX, "Or", op_or},
    {DOM_ONNX, "Where", op_where},
    {DOM_ONNX, "MaxPool", op_maxpool},
    {DOM_ONNX, "AveragePool", op_avgpool},
    {DOM_ONNX, "GlobalAveragePool", op_gap},
    {DOM_ONNX, "GlobalMaxPool", op_gmp},
    {DOM_ONNX, "Flatten", op_flatten},
    {DOM_ONNX, "Reshape", op_reshape},
    {DOM_ONNX, "Transpose", op_transpose},
    {DOM_ONNX, "Squeeze", op_squeeze},
    {DOM_ONNX, "Unsqueeze", op_unsqueeze},
    {DOM_ONNX, "Concat", op_concat},
    {DOM_ONNX, "Pad", op_pad},
    {DOM_ONNX, "Softmax", op_softmax},
    {DOM_ONNX, "LogSoftmax", op_softmax},
    {DOM_ONNX, "Identity", op_identity},
    {DOM_ONNX, "Dropout", op_identity},
    {DOM_ONNX, "Cast", op_cast},
    {DOM_ONNX, "Constant", op_constant},
    {DOM_ONNX, "ConstantOfShape", op_constant_of_shape},
    {DOM_ONNX, "Shape", op_shape},
    {DOM_ONNX, "Gather", op_gather},
    {DOM_ONNX, "ReduceMean", op_reduce_mean},
    {DOM_ONNX, "Resize", op_resize},
    {DOM_ONNX, "Upsample", op_resize},
    {DOM_ONNX, "ArgMax", op_argmax},
    {DOM_ONNX, "ArgMin", op_argmin},
    {DOM_ONNX, "TopK", op_topk},
    {DOM_QONNX, "BipolarQuant", op_bipolar_quant},
    {DOM_QONNX, "Quant", op_quant},
    {DOM_QONNX, "MultiThreshold", op_multithreshold},
};

/* QONNX's domain and the aliases qonnx resolves to it. */
static int is_qonnx_domain(const char *d)
{
    return !strcmp(d, "qonnx.custom_op.general") || !strcmp(d, "finn.custom_op.general") ||
           !strcmp(d, "finn") || !strcmp(d, "onnx.brevitas");
}

int onnx_import_node(onnx_imp *im)
{
    const char *d = im->cur->domain;
    op_domain dom;
    size_t i;
    if (!d[0] || !strcmp(d, "ai.onnx"))
        dom = DOM_ONNX;
    else if (is_qonnx_domain(d))
        dom = DOM_QONNX;
    else
        return onnx_nerr(im, "operators of domain '%s' are not supported", d);
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (rows[i].domain == dom && !strcmp(rows[i].op_type, im->cur->op_type))
            return rows[i].import(im);
    return onnx_nerr(im, "operator %s is not supported by bnnc", im->cur->op_type);
}
