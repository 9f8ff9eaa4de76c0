/*
 * import.c - a TensorFlow Lite / Larq Compute Engine model as the IR: one
 * function per operator of the model (the table `ops` at the end), each
 * mapping it onto IR rows (ops.def).
 *
 * Layout (import.h). A model tensor is held as a `tval`: an IR value, and
 * whether that value is the NCHW transpose of the model's 4-D NHWC tensor
 * (`nchw`). Data inputs come in as the model has them (NHWC) and are
 * transposed once; outputs are transposed back. Weights are converted at
 * import: CONV_2D's OHWI filter to OIHW, DEPTHWISE_CONV_2D's (1, kh, kw,
 * C*M) to grouped OIHW, the columns of a FULLY_CONNECTED after a flatten
 * of a 4-D tensor from HWC to CHW order (the IR flattens NCHW values).
 *
 * Padding. TFLite's SAME pads (k_eff - 1 + ...)/2 rounded down before and
 * the rest after (tflite-lce section 3.1). When both sides are equal the
 * IR's symmetric pad attribute says it exactly; otherwise an explicit pad
 * op does (zeros for convolutions, -FLT_MAX for max pooling, which never
 * wins over an in-image element; average pooling over zero padding is
 * rescaled per output position by (window area / in-image taps)).
 *
 * Binary layers (LCE). A bitpacked tensor stands for the signs of a real
 * IR value (bit 1 = -1 = value < 0): LceQuantize is that value itself,
 * LceDequantize is a sign op. LceBconv2d becomes a BCONV whose +-1
 * weights are unpacked from the filter words (channel c = bit c % 32 of
 * word c / 32, bit 1 = -1) and whose output map is:
 *   float output: y = dot * multiplier + bias, where LCE computes
 *     clamp(acc << 1) * (-m) + (b + K m) with acc = (K - dot) / 2; the
 *     BCONV keeps LCE's float order (out_shift = K, ir.h) and a fused
 *     activation as a clamp of dot before the map, except with the
 *     padding correction below, where the activation and the map are
 *     ops after the correction.
 *   bitpacked output: bit = acc > tau, i.e. dot < K - 2 tau; the BCONV
 *     writes y = dot + (2 tau - K), negative exactly when the bit is 1
 *     (integers, exact in float), and fold_thresholds turns it back into
 *     one threshold per channel. tau >= K (never set) and tau < 0 (always
 *     set) become +-(K + 1).
 * SAME with pad_values 0 adds channels/2 to acc per out-of-image tap: a
 * contribution of exactly 0 to the dot product, i.e. the IR's PAD_ZERO;
 * pad_values 1 leaves out-of-image taps as +1 inputs (PAD_PLUS_ONE, or an
 * explicit pad with +1.0 when asymmetric).
 */
#include "import.h"
#include "fold.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../passes/requant_i8.h"
#include "../../util/mem.h"

/* tval kinds */
enum { TV_NONE, TV_VALUE, TV_INTS, TV_FLAT };

typedef struct {
    int kind;
    ir_ref ref;       /* TV_VALUE; TV_FLAT: the 4-D (NCHW) value flattened */
    int nchw;         /* ref is the NCHW transpose of this NHWC tensor */
    int packed;       /* LCE bitpacked: ref is real, its sign is the bits */
    int i8;           /* int8: ref is an int8 IR value in the model's NHWC
                         order, quantised as the tensor (ir_node.q) */
    ir_shape shape;   /* the tensor's shape (NHWC; packed: unpacked channels) */
    ir_shape src;     /* TV_FLAT: the NHWC shape of the flattened tensor */
    int64_t ints[IR_MAX_DIMS]; /* TV_INTS: values known at compile time */
    int nints, scalar;
} tval;

typedef struct {
    const tfl_model *m;
    const tfl_subgraph *sg;
    tfl_tensor *tensors; /* sg's, with the outputs of folded operators
                            (fold.h) as constants */
    uint8_t **folded;    /* per tensor: its folded data (owned) or NULL */
    size_t *last_use;    /* per tensor: the last operator reading it (SIZE_MAX:
                            a graph output, or never read) */
    ir_graph *g;
    bnnc_err *err;
    tval *tv;
    int64_t batch;
    size_t opi;
    const tfl_operator *op;
    const char *opname;
    char base[256];   /* name of the operator's first output */
} tim;

/* ---- messages ----------------------------------------------------------- */

/* the int8 operators' helpers (below), also used by the LCE operators */
static int input_i8(tim *im, int k, tval **out);
static int set_output_i8(tim *im, ir_node *n, const ir_shape *s);


static int op_err(tim *im, const char *fmt, ...) BNNC_PRINTF(2, 3);
static int op_err(tim *im, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!im->op) /* the graph's inputs and outputs */
        return bnnc_errf(im->err, "%s: %s %zu: %s", im->m->path, im->opname, im->opi, msg);
    return bnnc_errf(im->err, "%s: operator %zu (%s): %s", im->m->path, im->opi, im->opname,
                     msg);
}

static const char *tname(const tfl_tensor *t, int index)
{
    static char buf[32];
    if (t->name && t->name[0])
        return t->name;
    snprintf(buf, sizeof buf, "tensor %d", index);
    return buf;
}

/* ---- tensors ------------------------------------------------------------ */

/* Tensor i of the subgraph; an absent optional input (index -1) reads as
 * an empty tensor of no type with no data, which every accessor below
 * refuses by name. Indices are otherwise checked by the reader. */
static const tfl_tensor *tensor(tim *im, int32_t i)
{
    static const tfl_tensor absent_tensor = {.name = "(absent input)"};
    return i < 0 ? &absent_tensor : &im->tensors[i];
}

/* An error unless tensor index i is present. */
static int need_tensor(tim *im, int32_t i)
{
    return i < 0 ? op_err(im, "a required input is absent") : 0;
}

static int is_const(tim *im, int32_t i)
{
    return i >= 0 && tensor(im, i)->data != NULL;
}

/* The shape the tensor has in this run: the file's, with a dynamic batch
 * (shape_signature -1 on axis 0) set to the batch of the inputs. */
static int tshape(tim *im, int32_t i, ir_shape *s)
{
    const tfl_tensor *t = tensor(im, i);
    int k;
    int64_t count = 1;
    if (need_tensor(im, i))
        return -1;
    if (t->rank > IR_MAX_DIMS)
        return op_err(im, "tensor '%s' has rank %d (at most %d)", tname(t, i), t->rank,
                      IR_MAX_DIMS);
    memset(s, 0, sizeof *s);
    s->ndim = t->rank;
    for (k = 0; k < t->rank; k++) {
        s->d[k] = t->shape[k];
        if (t->has_signature && t->signature[k] < 0) {
            if (k != 0)
                return op_err(im, "tensor '%s' has a dynamic dimension %d; only the batch "
                              "(dimension 0) may be dynamic", tname(t, i), k);
            s->d[k] = im->batch;
        }
        if (s->d[k] < 1)
            return op_err(im, "tensor '%s' has an empty dimension %d", tname(t, i), k);
        if (s->d[k] > INT32_MAX || (count *= s->d[k]) > INT32_MAX)
            return op_err(im, "tensor '%s' has more than %d elements", tname(t, i),
                          INT32_MAX);
    }
    return 0;
}

/* Float values of constant tensor i (graph-owned), checked to be float32
 * with n elements (n < 0: any). */
static float *const_f32(tim *im, int32_t i, int64_t n)
{
    const tfl_tensor *t = tensor(im, i);
    float *f;
    size_t k;
    if (need_tensor(im, i))
        return NULL;
    if (!is_const(im, i) || t->type != TFL_FLOAT32) {
        op_err(im, "tensor '%s' must be a float32 constant, got %s%s", tname(t, i),
               tfl_type_name(t->type), is_const(im, i) ? "" : " computed at run time");
        return NULL;
    }
    if (n >= 0 && (int64_t)t->count != n) {
        op_err(im, "tensor '%s' has %zu elements, expected %lld", tname(t, i), t->count,
               (long long)n);
        return NULL;
    }
    f = ir_graph_floats(im->g, t->count ? t->count : 1);
    for (k = 0; k < t->count; k++) {
        uint32_t u = (uint32_t)t->data[4 * k] | (uint32_t)t->data[4 * k + 1] << 8 |
                     (uint32_t)t->data[4 * k + 2] << 16 | (uint32_t)t->data[4 * k + 3] << 24;
        memcpy(&f[k], &u, 4);
    }
    return f;
}

static int64_t read_int(const tfl_tensor *t, size_t k)
{
    const uint8_t *p = t->data + k * tfl_type_size(t->type);
    if (t->type == TFL_INT64) {
        uint64_t u = 0;
        int b;
        for (b = 7; b >= 0; b--)
            u = u << 8 | p[b];
        return (int64_t)u;
    }
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24);
}

/* Integer values of tensor i known at compile time (a constant int32 or
 * int64 tensor, or one folded here from SHAPE, STRIDED_SLICE, PACK). */
static int get_ints(tim *im, int32_t i, int64_t *v, int *n, int *scalar)
{
    const tfl_tensor *t;
    size_t k;
    if (i < 0)
        return op_err(im, "a required input is absent");
    t = tensor(im, i);
    if (im->tv[i].kind == TV_INTS) {
        memcpy(v, im->tv[i].ints, sizeof(int64_t) * (size_t)im->tv[i].nints);
        *n = im->tv[i].nints;
        *scalar = im->tv[i].scalar;
        return 0;
    }
    if (!is_const(im, i) || (t->type != TFL_INT32 && t->type != TFL_INT64))
        return op_err(im, "tensor '%s' must be an integer constant", tname(t, i));
    if (t->rank > 1 || t->count > IR_MAX_DIMS)
        return op_err(im, "tensor '%s' must be a scalar or a vector of at most %d integers",
                      tname(t, i), IR_MAX_DIMS);
    for (k = 0; k < t->count; k++)
        v[k] = read_int(t, k);
    *n = (int)t->count;
    *scalar = t->rank == 0;
    return 0;
}

/* ---- IR nodes ----------------------------------------------------------- */

static ir_node *node(tim *im, ir_op op, const char *suffix, int n_in, const ir_ref *in)
{
    char name[300];
    ir_node *n;
    snprintf(name, sizeof name, "%s%s", im->base, suffix);
    n = ir_node_add(im->g, op, name, im->opname, (int)im->opi);
    if (n_in)
        ir_node_set_inputs(im->g, n, n_in, in);
    return n;
}

static ir_ref ref_of(const ir_node *n)
{
    ir_ref r = {n->id, 0};
    return r;
}

static ir_ref const_node(tim *im, const char *name, const ir_shape *s, float *data,
                         size_t stored)
{
    ir_node *c = ir_node_add(im->g, IR_OP_CONST, name, "const", -1);
    c->a.c.shape = *s;
    c->a.c.f = data;
    c->a.c.stored_bytes = stored;
    c->a.c.source_name = xstrdup(name);
    return ref_of(c);
}

static ir_ref transpose(tim *im, ir_ref x, const int *perm, int nd, const char *suffix)
{
    ir_node *n = node(im, IR_OP_TRANSPOSE, suffix, 1, &x);
    int i;
    n->a.transpose.axes.n = nd;
    for (i = 0; i < nd; i++)
        n->a.transpose.axes.v[i] = perm[i];
    return ref_of(n);
}

static const int to_nchw[4] = {0, 3, 1, 2}, to_nhwc[4] = {0, 2, 3, 1};

static ir_ref reshape(tim *im, ir_ref x, const ir_shape *s, const char *suffix)
{
    ir_node *n = node(im, IR_OP_RESHAPE, suffix, 1, &x);
    int i;
    n->a.reshape.shape.n = s->ndim;
    for (i = 0; i < s->ndim; i++)
        n->a.reshape.shape.v[i] = (int)s->d[i];
    return ref_of(n);
}

static ir_ref clip(tim *im, ir_ref x, double lo, double hi, const char *suffix)
{
    ir_node *n = node(im, IR_OP_CLIP, suffix, 1, &x);
    n->a.clip.a_min = lo;
    n->a.clip.a_max = hi;
    return ref_of(n);
}

static ir_ref act(tim *im, ir_ref x, ir_act_kind k, double slope, const char *suffix)
{
    ir_node *n = node(im, IR_OP_ACT, suffix, 1, &x);
    n->a.act.act = k;
    n->a.act.slope = slope;
    return ref_of(n);
}

static ir_ref scalar(tim *im, ir_ref x, ir_scalar_kind k, double v, const char *suffix)
{
    ir_node *n = node(im, IR_OP_SCALAR, suffix, 1, &x);
    n->a.scalar.kind = k;
    n->a.scalar.value = v;
    return ref_of(n);
}

/* A 4-D pad of an NCHW value along H and W. */
static ir_ref pad_hw(tim *im, ir_ref x, const int *p, double value, const char *suffix)
{
    ir_node *n = node(im, IR_OP_PAD, suffix, 1, &x);
    int i;
    n->a.pad.width.n = 8;
    for (i = 0; i < 4; i++)
        n->a.pad.width.v[4 + i] = p[i];
    n->a.pad.value = value;
    return ref_of(n);
}

/* The fused activation of the operator after x. */
static int fused(tim *im, ir_ref *x, int a)
{
    switch (a) {
    case TFL_ACT_NONE: return 0;
    case TFL_ACT_RELU: *x = act(im, *x, IR_ACT_RELU, 0, "/relu"); return 0;
    case TFL_ACT_RELU6: *x = clip(im, *x, 0, 6, "/relu6"); return 0;
    case TFL_ACT_RELU_N1_TO_1: *x = clip(im, *x, -1, 1, "/relu_n1_to_1"); return 0;
    case TFL_ACT_TANH: *x = act(im, *x, IR_ACT_TANH, 0, "/tanh"); return 0;
    default:
        return op_err(im, "fused activation %s is not supported", tfl_activation_name(a));
    }
}

/* ---- values ------------------------------------------------------------- */

/* The tval of input k of the operator, a run-time float tensor (or a
 * bitpacked one when packed_ok), materialised. */
static int input(tim *im, int k, tval **out, int packed_ok)
{
    int32_t i;
    tval *v;
    const tfl_tensor *t;
    if ((size_t)k >= im->op->ninputs || (i = im->op->inputs[k]) < 0)
        return op_err(im, "input %d is absent", k);
    t = tensor(im, i);
    v = &im->tv[i];
    if (v->kind == TV_NONE || v->kind == TV_INTS) {
        if (is_const(im, i))
            return op_err(im, "input %d ('%s') is a constant; this operator needs a tensor "
                          "computed at run time there", k, tname(t, i));
        return op_err(im, "input %d ('%s') is not computed by any operator bnnc reads", k,
                      tname(t, i));
    }
    if (v->kind == TV_FLAT) {
        /* row-major flatten of an NHWC tensor: transpose back, reshape */
        ir_ref r = transpose(im, v->ref, to_nhwc, 4, "/nhwc");
        v->ref = reshape(im, r, &v->shape, "/flatten");
        v->kind = TV_VALUE;
        v->nchw = 0;
    }
    if (v->packed && !packed_ok)
        return op_err(im, "input %d ('%s') is bitpacked (LCE int32); this operator needs "
                      "real values", k, tname(t, i));
    if (!v->packed && packed_ok == 2)
        return op_err(im, "input %d ('%s') must be bitpacked (the output of LceQuantize or "
                      "a binary layer)", k, tname(t, i));
    if (!v->packed && t->type != TFL_FLOAT32)
        return op_err(im, "input %d ('%s') is %s; only float32 tensors are supported so far",
                      k, tname(t, i), tfl_type_name(t->type));
    *out = v;
    return 0;
}

/* Record output k of the operator. */
static int set_output(tim *im, int k, ir_ref r, int nchw, int packed, const ir_shape *s)
{
    int32_t i;
    tval *v;
    if ((size_t)k >= im->op->noutputs || (i = im->op->outputs[k]) < 0)
        return op_err(im, "output %d is absent", k);
    v = &im->tv[i];
    memset(v, 0, sizeof *v);
    v->kind = TV_VALUE;
    v->ref = r;
    v->nchw = nchw;
    v->packed = packed;
    v->shape = *s;
    return 0;
}

/* The file's shape of output k, checked against what the operator makes
 * (want: NHWC; NULL to take the file's). */
static int output_shape(tim *im, int k, const ir_shape *want, ir_shape *s)
{
    char a[96], b[96];
    int32_t i;
    const tfl_tensor *t;
    int d, ok;
    if ((size_t)k >= im->op->noutputs || (i = im->op->outputs[k]) < 0)
        return op_err(im, "output %d is absent", k);
    t = tensor(im, i);
    if (!want)
        return tshape(im, i, s);
    /* dimensions the file marks dynamic (-1) hold a placeholder in its
     * shape: only the static ones are checked */
    ok = t->rank == want->ndim;
    for (d = 0; ok && d < t->rank; d++)
        ok = (t->has_signature && t->signature[d] < 0) || t->shape[d] == want->d[d];
    if (!ok) {
        ir_shape fs;
        memset(&fs, 0, sizeof fs);
        fs.ndim = t->rank <= IR_MAX_DIMS ? t->rank : IR_MAX_DIMS;
        for (d = 0; d < fs.ndim; d++)
            fs.d[d] = t->shape[d];
        return op_err(im, "output '%s' has shape %s in the file, but the operator makes %s",
                      tname(t, i), ir_shape_str(&fs, a, sizeof a),
                      ir_shape_str(want, b, sizeof b));
    }
    *s = *want;
    return 0;
}

/* The type of output k, or -1 when the operator has no such output. */
static int output_type(tim *im, int k)
{
    int32_t i;
    if (k < 0 || (size_t)k >= im->op->noutputs)
        return -1;
    i = im->op->outputs[k];
    return i < 0 ? -1 : (int)tensor(im, i)->type;
}

static int float_output(tim *im)
{
    size_t k;
    for (k = 0; k < im->op->noutputs; k++)
        if (output_type(im, (int)k) != TFL_FLOAT32)
            return op_err(im, "output %zu is %s; only float32 tensors are supported so far", k,
                          tfl_type_name(output_type(im, (int)k)));
    return 0;
}

static int need_4d(tim *im, const tval *v)
{
    char a[96];
    if (!v->nchw || v->shape.ndim != 4)
        return op_err(im, "needs a 4-D (NHWC) input, got %s",
                      ir_shape_str(&v->shape, a, sizeof a));
    return 0;
}

/* ---- geometry ----------------------------------------------------------- */

/* TFLite output size and padding (before, after) along one axis. */
static int64_t window(int padding, int64_t in, int k, int s, int d, int *before, int *after)
{
    int64_t eff = (int64_t)(k - 1) * d + 1, out, total;
    if (padding == TFL_PAD_SAME)
        out = (in + s - 1) / s;
    else
        out = in >= eff ? (in - eff) / s + 1 : 0;
    total = (out - 1) * s + eff - in;
    if (total < 0 || padding != TFL_PAD_SAME)
        total = 0;
    *before = (int)(total / 2);
    *after = (int)(total - total / 2);
    return out;
}

static int check_geometry(tim *im, int kh, int kw, int sh, int sw, int dh, int dw)
{
    if (kh < 1 || kw < 1 || sh < 1 || sw < 1 || dh < 1 || dw < 1 || kh > 65535 ||
        kw > 65535 || sh > 65535 || sw > 65535 || dh > 65535 || dw > 65535)
        return op_err(im, "kernel %dx%d, stride %dx%d, dilation %dx%d: every value must be "
                      "between 1 and 65535", kh, kw, sh, sw, dh, dw);
    return 0;
}

/* ---- float layers ------------------------------------------------------- */

/* The geometry of a CONV_2D or DEPTHWISE_CONV_2D on input x: its options,
 * the filter's shape (fs, as the file stores it), output channels and
 * groups, and the output size with TFLite's padding (before, after). */
typedef struct {
    int act, sh, sw, dh, dw;
    int kh, kw;
    int64_t O, cg, groups;
    int64_t out_h, out_w;
    int ph[2], pw[2];
} conv_geometry;

static int conv_read_geometry(tim *im, const tval *x, conv_geometry *g, ir_shape *fs)
{
    const tfl_operator *op = im->op;
    int dw = op->builtin == TFL_OP_DEPTHWISE_CONV_2D, padding;
    const tfl_conv2d_options *co = &op->opt.conv2d;
    const tfl_depthwise_options *dwo = &op->opt.depthwise;
    int64_t C = x->shape.d[3];
    memset(g, 0, sizeof *g);
    padding = dw ? dwo->padding : co->padding;
    g->act = dw ? dwo->activation : co->activation;
    g->sh = dw ? dwo->stride_h : co->stride_h, g->sw = dw ? dwo->stride_w : co->stride_w;
    g->dh = dw ? dwo->dilation_h : co->dilation_h, g->dw = dw ? dwo->dilation_w : co->dilation_w;
    if (op->ninputs < 2 || !is_const(im, op->inputs[1]))
        return op_err(im, "the filter must be a constant");
    if (tshape(im, op->inputs[1], fs))
        return -1;
    if (fs->ndim != 4)
        return op_err(im, "the filter must be 4-D");
    if (fs->d[1] > 65535 || fs->d[2] > 65535)
        return op_err(im, "kernel %lldx%lld: every value must be between 1 and 65535",
                      (long long)fs->d[1], (long long)fs->d[2]);
    g->kh = (int)fs->d[1];
    g->kw = (int)fs->d[2];
    if (dw) {
        g->O = fs->d[3];
        if (fs->d[0] != 1 || g->O % C)
            return op_err(im, "depthwise filter (1, kh, kw, C*M) has %lld channels for %lld "
                          "inputs", (long long)g->O, (long long)C);
        g->groups = C;
        g->cg = 1;
    } else {
        g->O = fs->d[0];
        g->cg = fs->d[3];
        if (C % g->cg || g->O % (C / g->cg))
            return op_err(im, "%lld input channels and a filter of %lld channels per group "
                          "with %lld outputs do not form groups", (long long)C,
                          (long long)g->cg, (long long)g->O);
        g->groups = C / g->cg;
    }
    if (check_geometry(im, g->kh, g->kw, g->sh, g->sw, g->dh, g->dw))
        return -1;
    g->out_h = window(padding, x->shape.d[1], g->kh, g->sh, g->dh, &g->ph[0], &g->ph[1]);
    g->out_w = window(padding, x->shape.d[2], g->kw, g->sw, g->dw, &g->pw[0], &g->pw[1]);
    if (g->out_h < 1 || g->out_w < 1)
        return op_err(im, "the filter does not fit the input");
    return 0;
}

/* The weights (shape ws, values w) and the bias (O values, or NULL) of a
 * conv or dense layer as the IR constants in[1] and in[2], named and
 * sized as inputs 1 and 2 of the operator; returns the layer's number of
 * inputs. */
static int layer_params(tim *im, const ir_shape *ws, float *w, float *bias, int64_t O,
                        ir_ref *in)
{
    const tfl_operator *op = im->op;
    ir_shape bs;
    in[1] = const_node(im, tname(tensor(im, op->inputs[1]), op->inputs[1]), ws, w,
                       tensor(im, op->inputs[1])->nbytes);
    if (!bias)
        return 2;
    memset(&bs, 0, sizeof bs);
    bs.ndim = 1;
    bs.d[0] = O;
    in[2] = const_node(im, tname(tensor(im, op->inputs[2]), op->inputs[2]), &bs, bias,
                       tensor(im, op->inputs[2])->nbytes);
    return 3;
}

static int op_conv(tim *im)
{
    const tfl_operator *op = im->op;
    int dw = op->builtin == TFL_OP_DEPTHWISE_CONV_2D, n_in;
    conv_geometry cg;
    tval *x;
    ir_shape fs, ws, out;
    int64_t o, c, ky, kx, O, kh, kw, cgr;
    float *f, *w, *bias = NULL;
    int p[4];
    ir_ref in[3], y;
    ir_node *n;

    if (input(im, 0, &x, 0) || need_4d(im, x) || float_output(im) ||
        conv_read_geometry(im, x, &cg, &fs))
        return -1;
    O = cg.O, kh = cg.kh, kw = cg.kw, cgr = cg.cg;
    if (!(f = const_f32(im, op->inputs[1], O * kh * kw * cgr)))
        return -1;
    /* OHWI (depthwise: 1, kh, kw, O) to the IR's OIHW */
    w = ir_graph_floats(im->g, (size_t)(O * cgr * kh * kw));
    for (o = 0; o < O; o++)
        for (c = 0; c < cgr; c++)
            for (ky = 0; ky < kh; ky++)
                for (kx = 0; kx < kw; kx++)
                    w[((o * cgr + c) * kh + ky) * kw + kx] =
                        dw ? f[(ky * kw + kx) * O + o] : f[((o * kh + ky) * kw + kx) * cgr + c];
    if (op->ninputs > 2 && op->inputs[2] >= 0 && !(bias = const_f32(im, op->inputs[2], O)))
        return -1;

    out = x->shape;
    out.d[1] = cg.out_h;
    out.d[2] = cg.out_w;
    out.d[3] = O;
    if (output_shape(im, 0, &out, &out))
        return -1;
    in[0] = x->ref;
    if (cg.ph[0] != cg.ph[1] || cg.pw[0] != cg.pw[1]) {
        p[0] = cg.ph[0], p[1] = cg.ph[1], p[2] = cg.pw[0], p[3] = cg.pw[1];
        in[0] = pad_hw(im, in[0], p, 0.0, "/pad");
        cg.ph[0] = cg.pw[0] = 0;
    }
    memset(&ws, 0, sizeof ws);
    ws.ndim = 4;
    ws.d[0] = O, ws.d[1] = cgr, ws.d[2] = kh, ws.d[3] = kw;
    n_in = layer_params(im, &ws, w, bias, O, in);
    n = node(im, IR_OP_CONV, "", n_in, in);
    n->a.conv.kernel[0] = (int)kh, n->a.conv.kernel[1] = (int)kw;
    n->a.conv.stride[0] = cg.sh, n->a.conv.stride[1] = cg.sw;
    n->a.conv.dilate[0] = cg.dh, n->a.conv.dilate[1] = cg.dw;
    n->a.conv.pad[0] = cg.ph[0], n->a.conv.pad[1] = cg.pw[0];
    n->a.conv.num_filter = (int)O;
    n->a.conv.num_group = (int)cg.groups;
    n->a.conv.no_bias = !bias;
    /* TFLite computes a float CONV_2D with its GEMM: each output from its
     * bias, one fused multiply-add per tap (bnn.h, BNN_CONV_ORDER_FMA).
     * An output of one pixel goes through its matrix-vector product
     * instead, which sums from 0 and then adds the bias (the plain order
     * matches it whenever the partial sums are exact, as with XNOR-Net's
     * +-scale weights on +-1 inputs). DEPTHWISE_CONV_2D has a kernel of
     * its own: each output from its bias, every product rounded then
     * added, taps in (ky, kx) order (BNN_CONV_ORDER_BIAS). */
    n->a.conv.fma = !dw && cg.groups == 1 && out.d[0] * cg.out_h * cg.out_w > 1;
    n->a.conv.bias_first = dw && cg.groups == O;
    n->a.conv.order_fixed = 1;
    y = ref_of(n);
    if (fused(im, &y, cg.act))
        return -1;
    return set_output(im, 0, y, 1, 0, &out);
}

static int op_fully_connected(tim *im)
{
    const tfl_operator *op = im->op;
    int32_t xi = op->ninputs ? op->inputs[0] : -1;
    tval *x;
    ir_shape ws, out;
    int64_t O, K, o, h, w, c;
    float *f, *bias = NULL;
    ir_ref in[3], y;
    ir_node *n;

    if (xi >= 0 && im->tv[xi].kind == TV_FLAT && !im->tv[xi].packed) {
        x = &im->tv[xi];
    } else if (input(im, 0, &x, 0)) {
        return -1;
    }
    if (float_output(im))
        return -1;
    if (op->ninputs < 2 || !is_const(im, op->inputs[1]))
        return op_err(im, "the weights must be a constant");
    if (tshape(im, op->inputs[1], &ws))
        return -1;
    if (ws.ndim != 2)
        return op_err(im, "the weights must be 2-D");
    O = ws.d[0];
    K = ws.d[1];
    if (op->opt.fc.weights_format != 0)
        return op_err(im, "weights format %d is not supported", op->opt.fc.weights_format);
    if (!(f = const_f32(im, op->inputs[1], O * K)))
        return -1;
    if (op->ninputs > 2 && op->inputs[2] >= 0 && !(bias = const_f32(im, op->inputs[2], O)))
        return -1;
    memset(&out, 0, sizeof out);
    out.ndim = 2;
    if (x->kind == TV_FLAT || x->nchw) {
        /* the IR flattens the NCHW value in C, H, W order: permute the
         * weight columns from the model's H, W, C order */
        const ir_shape *s = x->kind == TV_FLAT ? &x->src : &x->shape;
        int64_t H = s->d[1], W = s->d[2], C = s->d[3];
        float *pw;
        if (H * W * C != K)
            return op_err(im, "the weights take %lld inputs, the input has %lld per row",
                          (long long)K, (long long)(H * W * C));
        pw = ir_graph_floats(im->g, (size_t)(O * K));
        for (o = 0; o < O; o++)
            for (h = 0; h < H; h++)
                for (w = 0; w < W; w++)
                    for (c = 0; c < C; c++)
                        pw[o * K + (c * H + h) * W + w] = f[o * K + (h * W + w) * C + c];
        f = pw;
        in[0] = ref_of(node(im, IR_OP_FLATTEN, "/flatten", 1, &x->ref));
        out.d[0] = s->d[0];
    } else {
        if (x->shape.ndim != 2 || x->shape.d[1] != K)
            return op_err(im, "input of shape (.., %lld) for weights taking %lld inputs; only "
                          "2-D and flattened 4-D inputs are supported",
                          (long long)x->shape.d[x->shape.ndim - 1], (long long)K);
        in[0] = x->ref;
        out.d[0] = x->shape.d[0];
    }
    out.d[1] = O;
    if (op->opt.fc.keep_num_dims && x->shape.ndim != 2)
        return op_err(im, "keep_num_dims on a %d-D input is not supported", x->shape.ndim);
    if (output_shape(im, 0, &out, &out))
        return -1;
    n = node(im, IR_OP_DENSE, "", layer_params(im, &ws, f, bias, O, in), in);
    n->a.dense.num_hidden = (int)O;
    n->a.dense.no_bias = !bias;
    n->a.dense.flatten = 1;
    y = ref_of(n);
    if (fused(im, &y, op->opt.fc.activation))
        return -1;
    return set_output(im, 0, y, 0, 0, &out);
}

/* A constant operand of an elementwise op beside a tensor of shape
 * `other` (NHWC; nchw when held transposed): broadcast dimensions are
 * right-aligned as in NumPy, then transposed like the tensor. */
static int const_operand(tim *im, int32_t ci, const tval *other, ir_ref *r)
{
    const tfl_tensor *t = tensor(im, ci);
    ir_shape s, o;
    float *f, *g;
    int k;
    if (tshape(im, ci, &s) || !(f = const_f32(im, ci, -1)))
        return -1;
    if (s.ndim > other->shape.ndim)
        return op_err(im, "constant '%s' has more dimensions than the tensor", tname(t, ci));
    if (other->nchw && s.ndim > 1) {
        int64_t d[4], n, h, w, c;
        for (k = 0; k < 4; k++)
            d[k] = k < 4 - s.ndim ? 1 : s.d[k - (4 - s.ndim)];
        memset(&o, 0, sizeof o);
        o.ndim = 4;
        o.d[0] = d[0], o.d[1] = d[3], o.d[2] = d[1], o.d[3] = d[2];
        g = ir_graph_floats(im->g, t->count ? t->count : 1);
        for (n = 0; n < d[0]; n++)
            for (h = 0; h < d[1]; h++)
                for (w = 0; w < d[2]; w++)
                    for (c = 0; c < d[3]; c++)
                        g[((n * d[3] + c) * d[1] + h) * d[2] + w] =
                            f[((n * d[1] + h) * d[2] + w) * d[3] + c];
        s = o;
        f = g;
    } else if (other->nchw && s.ndim == 1 && s.d[0] != 1) {
        /* (C,) along the last NHWC axis is (1, C, 1, 1) */
        memset(&o, 0, sizeof o);
        o.ndim = 4;
        o.d[0] = 1, o.d[1] = s.d[0], o.d[2] = 1, o.d[3] = 1;
        s = o;
    }
    *r = const_node(im, tname(t, ci), &s, f, t->nbytes);
    return 0;
}

static int op_elementwise(tim *im)
{
    const tfl_operator *op = im->op;
    ir_op iop = op->builtin == TFL_OP_ADD   ? IR_OP_ADD
                : op->builtin == TFL_OP_SUB ? IR_OP_SUB
                : op->builtin == TFL_OP_MUL ? IR_OP_MUL
                                            : IR_OP_DIV;
    int act_fn = op->builtin == TFL_OP_ADD || op->builtin == TFL_OP_SUB ? op->opt.add.activation
                                                                        : op->opt.mul.activation;
    tval *a = NULL, *b = NULL;
    ir_ref in[2], y;
    ir_shape out;
    int k, kc = -1;
    if (op->ninputs != 2 || float_output(im))
        return op_err(im, "expects 2 float32 inputs");
    for (k = 0; k < 2; k++)
        if (is_const(im, op->inputs[k]))
            kc = k;
    if (is_const(im, op->inputs[0]) && is_const(im, op->inputs[1]))
        return op_err(im, "both inputs are constants");
    if (kc < 0) {
        char s1[96], s2[96];
        if (input(im, 0, &a, 0) || input(im, 1, &b, 0))
            return -1;
        in[0] = a->ref;
        in[1] = b->ref;
        for (k = 0; k < 2; k++) {
            /* (N, C) or (N, 1, 1, C) per image and channel, beside an
             * (N, H, W, C) tensor with H == W: the IR's nearest upsampling
             * repeats it over the pixels */
            tval *big = k ? a : b, *small = k ? b : a;
            const ir_shape *bs = &big->shape, *ss = &small->shape;
            if (big->nchw && bs->d[1] == bs->d[2] && ss->d[0] == bs->d[0] &&
                ss->d[ss->ndim - 1] == bs->d[3] &&
                (ss->ndim == 2 || (ss->ndim == 4 && ss->d[1] == 1 && ss->d[2] == 1))) {
                ir_shape s4;
                ir_ref r = in[k ? 1 : 0];
                ir_node *un;
                memset(&s4, 0, sizeof s4);
                s4.ndim = 4;
                s4.d[0] = bs->d[0], s4.d[1] = bs->d[3], s4.d[2] = 1, s4.d[3] = 1;
                if (ss->ndim == 2)
                    r = reshape(im, r, &s4, k ? "/b4d" : "/a4d");
                un = node(im, IR_OP_UPSAMPLE, k ? "/b_over_pixels" : "/a_over_pixels", 1, &r);
                un->a.upsample.scale = (int)bs->d[1];
                in[k ? 1 : 0] = ref_of(un);
                a = big;
                break;
            }
        }
        if (k < 2) {
            ir_node *n = node(im, iop, "", 2, in);
            y = ref_of(n);
            if (fused(im, &y, act_fn) || output_shape(im, 0, &a->shape, &out))
                return -1;
            return set_output(im, 0, y, 1, 0, &out);
        }
        if (!ir_shape_equal(&a->shape, &b->shape) || a->nchw != b->nchw)
            return op_err(im, "broadcasting %s with %s (two computed tensors) is not supported",
                          ir_shape_str(&a->shape, s1, sizeof s1),
                          ir_shape_str(&b->shape, s2, sizeof s2));
        in[0] = a->ref;
        in[1] = b->ref;
    } else {
        const tfl_tensor *t = tensor(im, op->inputs[kc]);
        if (input(im, 1 - kc, &a, 0))
            return -1;
        if (t->count == 1 && t->type == TFL_FLOAT32) {
            /* x op s, s op x: a scalar op */
            float *v = const_f32(im, op->inputs[kc], 1);
            ir_scalar_kind sk;
            if (!v)
                return -1;
            switch (iop) {
            case IR_OP_ADD: sk = IR_SC_ADD; break;
            case IR_OP_SUB: sk = kc == 1 ? IR_SC_SUB : IR_SC_RSUB; break;
            case IR_OP_MUL: sk = IR_SC_MUL; break;
            default: sk = kc == 1 ? IR_SC_DIV : IR_SC_RDIV; break;
            }
            y = scalar(im, a->ref, sk, (double)v[0], "");
            if (fused(im, &y, act_fn) || output_shape(im, 0, &a->shape, &out))
                return -1;
            return set_output(im, 0, y, a->nchw, 0, &out);
        }
        in[1 - kc] = a->ref;
        if (const_operand(im, op->inputs[kc], a, &in[kc]))
            return -1;
    }
    {
        ir_node *n = node(im, iop, "", 2, in);
        n->a.binary.broadcast = 1;
        y = ref_of(n);
    }
    if (fused(im, &y, act_fn) || output_shape(im, 0, &a->shape, &out))
        return -1;
    return set_output(im, 0, y, a->nchw, 0, &out);
}

static int op_pool(tim *im)
{
    const tfl_operator *op = im->op;
    const tfl_pool2d_options *po = &op->opt.pool2d;
    int is_max = op->builtin == TFL_OP_MAX_POOL_2D || op->lce == TFL_LCE_BMAXPOOL2D;
    int lce = op->lce == TFL_LCE_BMAXPOOL2D;
    int kh = lce ? op->opt.bmaxpool2d.filter_h : po->filter_h;
    int kw = lce ? op->opt.bmaxpool2d.filter_w : po->filter_w;
    int sh = lce ? op->opt.bmaxpool2d.stride_h : po->stride_h;
    int sw = lce ? op->opt.bmaxpool2d.stride_w : po->stride_w;
    int padding = lce ? op->opt.bmaxpool2d.padding : po->padding;
    int ph[2], pw[2], p[4], asym;
    tval *x;
    ir_shape out;
    ir_ref y;
    ir_node *n;

    if (input(im, 0, &x, lce ? 2 : 0) || need_4d(im, x))
        return -1;
    if (!lce && float_output(im))
        return -1;
    if (lce && output_type(im, 0) != TFL_INT32)
        return op_err(im, "the output must be bitpacked (int32)");
    if (check_geometry(im, kh, kw, sh, sw, 1, 1))
        return -1;
    out = x->shape;
    out.d[1] = window(padding, x->shape.d[1], kh, sh, 1, &ph[0], &ph[1]);
    out.d[2] = window(padding, x->shape.d[2], kw, sw, 1, &pw[0], &pw[1]);
    if (out.d[1] < 1 || out.d[2] < 1)
        return op_err(im, "window %dx%d does not fit the input", kh, kw);
    if (lce) {
        ir_shape fs;
        if (output_shape(im, 0, NULL, &fs))
            return -1;
        if (fs.ndim != 4 || fs.d[1] != out.d[1] || fs.d[2] != out.d[2] ||
            fs.d[3] != (x->shape.d[3] + 31) / 32)
            return op_err(im, "output shape in the file does not match the pooling");
    } else if (output_shape(im, 0, &out, &out)) {
        return -1;
    }
    y = x->ref;
    asym = ph[0] != ph[1] || pw[0] != pw[1];
    if (asym) {
        p[0] = ph[0], p[1] = ph[1], p[2] = pw[0], p[3] = pw[1];
        y = pad_hw(im, y, p, is_max ? -FLT_MAX : 0.0, "/pad");
    }
    n = node(im, IR_OP_POOL, "", 1, &y);
    n->a.pool.type = is_max ? IR_POOL_MAX : IR_POOL_AVG;
    n->a.pool.kernel[0] = kh, n->a.pool.kernel[1] = kw;
    n->a.pool.stride[0] = sh, n->a.pool.stride[1] = sw;
    n->a.pool.pad[0] = asym ? 0 : ph[0];
    n->a.pool.pad[1] = asym ? 0 : pw[0];
    n->a.pool.convention = IR_POOL_VALID;
    n->a.pool.count_include_pad = asym;
    y = ref_of(n);
    if (asym && !is_max) {
        /* divide by the in-image taps instead of the window area */
        ir_shape ms;
        float *mv;
        int64_t oy, ox;
        ir_ref in[2];
        memset(&ms, 0, sizeof ms);
        ms.ndim = 4;
        ms.d[0] = 1, ms.d[1] = 1, ms.d[2] = out.d[1], ms.d[3] = out.d[2];
        mv = ir_graph_floats(im->g, (size_t)(out.d[1] * out.d[2]));
        for (oy = 0; oy < out.d[1]; oy++)
            for (ox = 0; ox < out.d[2]; ox++) {
                int64_t y0 = oy * sh - ph[0], x0 = ox * sw - pw[0];
                int64_t y1 = y0 + kh < x->shape.d[1] ? y0 + kh : x->shape.d[1];
                int64_t x1 = x0 + kw < x->shape.d[2] ? x0 + kw : x->shape.d[2];
                int64_t cnt = (y1 - (y0 > 0 ? y0 : 0)) * (x1 - (x0 > 0 ? x0 : 0));
                mv[oy * out.d[2] + ox] = (float)((double)kh * (double)kw / (double)cnt);
            }
        in[0] = y;
        in[1] = const_node(im, "avg_pool_divisor", &ms, mv, 0);
        n = node(im, IR_OP_MUL, "/valid_taps", 2, in);
        n->a.binary.broadcast = 1;
        y = ref_of(n);
    }
    if (!lce && fused(im, &y, po->activation))
        return -1;
    return set_output(im, 0, y, 1, lce, &out);
}

static int op_mean(tim *im)
{
    tval *x;
    int64_t ax[IR_MAX_DIMS];
    int n_ax, sc, k, red[IR_MAX_DIMS] = {0}, nd;
    ir_shape out;
    ir_node *n;
    static const int nchw_axis[4] = {0, 2, 3, 1};
    if (input(im, 0, &x, 0) || float_output(im) ||
        get_ints(im, im->op->ninputs > 1 ? im->op->inputs[1] : -1, ax, &n_ax, &sc))
        return -1;
    nd = x->shape.ndim;
    n = node(im, IR_OP_MEAN, "", 1, &x->ref);
    for (k = 0; k < n_ax; k++) {
        int64_t a = ax[k] < 0 ? ax[k] + nd : ax[k];
        if (a < 0 || a >= nd)
            return op_err(im, "axis %lld is out of range", (long long)ax[k]);
        red[a] = 1;
        n->a.mean.axes.v[k] = x->nchw ? nchw_axis[a] : (int)a;
    }
    n->a.mean.axes.n = n_ax;
    n->a.mean.keepdims = im->op->opt.reducer.keep_dims;
    if (x->nchw && !n->a.mean.keepdims && !red[3] && (!red[1] || !red[2]))
        return op_err(im, "this reduction would reorder the remaining axes");
    out = x->shape;
    if (n->a.mean.keepdims) {
        for (k = 0; k < nd; k++)
            if (red[k])
                out.d[k] = 1;
    } else {
        out.ndim = 0;
        for (k = 0; k < nd; k++)
            if (!red[k])
                out.d[out.ndim++] = x->shape.d[k];
    }
    if (output_shape(im, 0, &out, &out))
        return -1;
    return set_output(im, 0, ref_of(n), x->nchw && out.ndim == 4, 0, &out);
}

static int op_pad(tim *im)
{
    tval *x;
    int64_t v[IR_MAX_DIMS];
    int k, p[4];
    double value = 0;
    ir_shape out;
    const tfl_tensor *pt;
    if (input(im, 0, &x, 0) || need_4d(im, x) || float_output(im))
        return -1;
    if (im->op->ninputs < 2 || !is_const(im, im->op->inputs[1]))
        return op_err(im, "the paddings must be a constant");
    pt = tensor(im, im->op->inputs[1]);
    if (pt->count != 8 || (pt->type != TFL_INT32 && pt->type != TFL_INT64))
        return op_err(im, "the paddings must be 4x2 integers");
    for (k = 0; k < 8; k++)
        v[k] = read_int(pt, (size_t)k);
    if (v[0] || v[1] || v[6] < 0 || v[7] < 0 || v[6] > 65535 || v[7] > 65535 ||
        ((v[6] || v[7]) && (v[2] || v[3] || v[4] || v[5] || im->op->builtin == TFL_OP_PADV2)))
        return op_err(im, "padding the batch axis, or the channels together with the image "
                      "or with a value, is not supported");
    if (v[6] || v[7]) {
        /* zero channels before and after (MeliusNet's improvement
         * blocks): filled at run time, nothing stored */
        ir_node *n;
        if (!x->nchw)
            return op_err(im, "channel padding of a tensor not in image layout");
        out = x->shape;
        out.d[3] += v[6] + v[7];
        if (output_shape(im, 0, &out, &out))
            return -1;
        n = node(im, IR_OP_PAD, "", 1, &x->ref);
        n->a.pad.width.n = 8;
        n->a.pad.width.v[2] = (int)v[6];
        n->a.pad.width.v[3] = (int)v[7];
        return set_output(im, 0, ref_of(n), 1, 0, &out);
    }
    for (k = 2; k < 6; k++) {
        if (v[k] < 0 || v[k] > 65535)
            return op_err(im, "padding %lld is out of range", (long long)v[k]);
        p[k - 2] = (int)v[k];
    }
    if (im->op->builtin == TFL_OP_PADV2 && im->op->ninputs > 2 && im->op->inputs[2] >= 0) {
        float *f = const_f32(im, im->op->inputs[2], 1);
        if (!f)
            return -1;
        value = f[0];
    }
    out = x->shape;
    out.d[1] += p[0] + p[1];
    out.d[2] += p[2] + p[3];
    if (output_shape(im, 0, &out, &out))
        return -1;
    return set_output(im, 0, pad_hw(im, x->ref, p, value, ""), 1, 0, &out);
}

static int op_reshape(tim *im)
{
    const tfl_operator *op = im->op;
    tval *x;
    int64_t v[IR_MAX_DIMS], count, known = 1;
    int n_v = 0, sc, k, infer = -1;
    ir_shape out;
    ir_ref y;
    char a[96];
    int32_t xi = op->ninputs ? op->inputs[0] : -1;

    if (xi >= 0 && im->tv[xi].kind == TV_FLAT && !im->tv[xi].packed)
        x = &im->tv[xi];
    else if (input(im, 0, &x, 0))
        return -1;
    if (float_output(im))
        return -1;
    if (op->ninputs > 1 && op->inputs[1] >= 0) {
        if (get_ints(im, op->inputs[1], v, &n_v, &sc))
            return -1;
    } else if (op->opt.reshape.has_new_shape) {
        if (op->opt.reshape.rank > IR_MAX_DIMS)
            return op_err(im, "new_shape has too many dimensions");
        n_v = (int)op->opt.reshape.rank;
        for (k = 0; k < n_v; k++)
            v[k] = op->opt.reshape.new_shape[k];
    } else {
        return op_err(im, "no target shape (neither an input nor new_shape)");
    }
    count = ir_shape_count(&x->shape);
    memset(&out, 0, sizeof out);
    out.ndim = n_v;
    for (k = 0; k < n_v; k++) {
        if (v[k] == -1 && infer < 0) {
            infer = k;
            continue;
        }
        if (v[k] < 1 || v[k] > count)
            return op_err(im, "target dimension %d is %lld", k, (long long)v[k]);
        out.d[k] = v[k];
        known *= v[k];
        if (known > count)
            break;
    }
    if (infer >= 0 && known > 0 && count % known == 0)
        out.d[infer] = count / known;
    if (ir_shape_count(&out) != count)
        return op_err(im, "cannot reshape %s to %d dimensions (%lld elements)",
                      ir_shape_str(&x->shape, a, sizeof a), n_v, (long long)count);
    if (output_shape(im, 0, &out, &out))
        return -1;
    if (x->kind != TV_FLAT && ir_shape_equal(&out, &x->shape))
        return set_output(im, 0, x->ref, x->nchw, 0, &out);
    if (x->kind == TV_FLAT || (x->nchw && out.ndim == 2 && out.d[0] == x->shape.d[0])) {
        /* a flatten: kept pending, for a dense layer to read directly */
        tval *o;
        ir_shape src = x->kind == TV_FLAT ? x->src : x->shape;
        ir_ref r = x->ref;
        if (x->kind == TV_FLAT && !(out.ndim == 2 && out.d[0] == src.d[0])) {
            if (input(im, 0, &x, 0))
                return -1;
            goto general;
        }
        if (set_output(im, 0, r, 0, 0, &out))
            return -1;
        o = &im->tv[op->outputs[0]];
        o->kind = TV_FLAT;
        o->src = src;
        return 0;
    }
general:
    y = x->ref;
    if (x->nchw) {
        if (x->shape.d[1] == 1 && x->shape.d[2] == 1) {
            /* N, 1, 1, C: the same order both ways */
        } else {
            y = transpose(im, y, to_nhwc, 4, "/nhwc");
        }
    }
    y = reshape(im, y, &out, "");
    if (out.ndim == 4)
        y = transpose(im, y, to_nchw, 4, "/nchw");
    return set_output(im, 0, y, out.ndim == 4, 0, &out);
}

static int op_softmax(tim *im)
{
    tval *x;
    ir_node *n;
    ir_shape out;
    float beta = im->op->opt.softmax.beta;
    if (input(im, 0, &x, 0) || float_output(im) || output_shape(im, 0, &x->shape, &out))
        return -1;
    if (!(beta > 0) || !isfinite(beta))
        return op_err(im, "beta %g is not supported", (double)beta);
    n = node(im, IR_OP_SOFTMAX, "", 1, &x->ref);
    n->a.softmax.mode = x->nchw ? IR_SOFTMAX_CHANNEL : IR_SOFTMAX_LAST;
    n->a.softmax.temperature = 1.0 / (double)beta;
    return set_output(im, 0, ref_of(n), x->nchw, 0, &out);
}

static int op_concat(tim *im)
{
    const tfl_operator *op = im->op;
    ir_ref in[64];
    tval *x = NULL, *first = NULL;
    size_t k;
    int axis = op->opt.concat.axis, nd;
    ir_shape out;
    ir_node *n;
    ir_ref y;
    static const int nchw_axis[4] = {0, 2, 3, 1};
    if (op->ninputs < 1 || op->ninputs > 64 || float_output(im))
        return op_err(im, "expects 1 to 64 float32 inputs");
    for (k = 0; k < op->ninputs; k++) {
        if (input(im, (int)k, &x, 0))
            return -1;
        if (!first)
            first = x;
        else if (x->nchw != first->nchw || x->shape.ndim != first->shape.ndim)
            return op_err(im, "inputs of different ranks");
        in[k] = x->ref;
    }
    nd = first->shape.ndim;
    if (axis < 0)
        axis += nd;
    if (axis < 0 || axis >= nd)
        return op_err(im, "axis %d is out of range", op->opt.concat.axis);
    out = first->shape;
    out.d[axis] = 0;
    for (k = 0; k < op->ninputs; k++) {
        const tval *v = &im->tv[op->inputs[k]];
        int d;
        for (d = 0; d < nd; d++)
            if (d != axis && v->shape.d[d] != out.d[d])
                return op_err(im, "input %zu differs in dimension %d", k, d);
        out.d[axis] += v->shape.d[axis];
    }
    if (output_shape(im, 0, &out, &out))
        return -1;
    n = node(im, IR_OP_CONCAT, "", (int)op->ninputs, in);
    n->a.concat.dim = first->nchw ? nchw_axis[axis] : axis;
    y = ref_of(n);
    if (fused(im, &y, op->opt.concat.activation))
        return -1;
    return set_output(im, 0, y, first->nchw, 0, &out);
}

/* SPLIT's axis, input 0: one constant integer, into av[0] (not yet
 * normalised against the rank). */
static int split_axis(tim *im, int64_t av[IR_MAX_DIMS])
{
    const tfl_operator *op = im->op;
    int na = 0, scalar = 0;
    if (op->ninputs != 2 || op->inputs[0] < 0 || !is_const(im, op->inputs[0]))
        return op_err(im, "the axis (input 0) must be a constant");
    if (get_ints(im, op->inputs[0], av, &na, &scalar) || na != 1)
        return op_err(im, "the axis must be one integer");
    return 0;
}

/* SPLIT (axis, x): num_splits equal parts of x along the constant axis,
 * the IR's split (MeliusNet's grouped convolutions). */
static int op_split(tim *im)
{
    const tfl_operator *op = im->op;
    static const int nchw_axis[4] = {0, 2, 3, 1};
    int64_t av[IR_MAX_DIMS];
    int axis, nd, parts = op->opt.split.num_splits;
    tval *x;
    ir_shape out;
    ir_ref in[1];
    ir_node *n;
    size_t k;
    if (split_axis(im, av))
        return -1;
    if (float_output(im) || input(im, 1, &x, 0))
        return -1;
    nd = x->shape.ndim;
    axis = (int)(av[0] < 0 ? av[0] + nd : av[0]);
    if (axis < 0 || axis >= nd)
        return op_err(im, "axis %lld is out of range", (long long)av[0]);
    if (parts < 1 || (size_t)parts != op->noutputs || x->shape.d[axis] % parts)
        return op_err(im, "%d splits of dimension %lld into %zu outputs", parts,
                      (long long)x->shape.d[axis], op->noutputs);
    in[0] = x->ref;
    n = node(im, IR_OP_SPLIT, "", 1, in);
    n->n_out = parts;
    n->a.split.num_outputs = parts;
    n->a.split.axis = x->nchw && nd == 4 ? nchw_axis[axis] : axis;
    out = x->shape;
    out.d[axis] /= parts;
    for (k = 0; k < (size_t)parts; k++) {
        ir_shape o;
        if (output_shape(im, (int)k, &out, &o) ||
            set_output(im, (int)k, (ir_ref){n->id, (int)k}, x->nchw, 0, &o))
            return -1;
    }
    return 0;
}

static int op_activation(tim *im)
{
    tval *x;
    ir_ref y;
    ir_shape out;
    if (input(im, 0, &x, 0) || float_output(im) || output_shape(im, 0, &x->shape, &out))
        return -1;
    switch (im->op->builtin) {
    case TFL_OP_RELU: y = act(im, x->ref, IR_ACT_RELU, 0, ""); break;
    case TFL_OP_RELU6: y = clip(im, x->ref, 0, 6, ""); break;
    case TFL_OP_RELU_N1_TO_1: y = clip(im, x->ref, -1, 1, ""); break;
    case TFL_OP_LOGISTIC: y = act(im, x->ref, IR_ACT_SIGMOID, 0, ""); break;
    case TFL_OP_TANH: y = act(im, x->ref, IR_ACT_TANH, 0, ""); break;
    case TFL_OP_LEAKY_RELU:
        y = act(im, x->ref, IR_ACT_LEAKY, (double)im->op->opt.leaky_relu.alpha, "");
        break;
    default: { /* HARD_SWISH: x * relu6(x + 3) / 6 */
        ir_ref in[2];
        ir_node *n;
        in[0] = x->ref;
        in[1] = clip(im, scalar(im, x->ref, IR_SC_ADD, 3.0, "/plus3"), 0, 6, "/relu6");
        n = node(im, IR_OP_MUL, "/mul", 2, in);
        y = scalar(im, ref_of(n), IR_SC_DIV, 6.0, "");
        break;
    }
    }
    return set_output(im, 0, y, x->nchw, 0, &out);
}

/* ROUND: the nearest integer, halves to the even one. */
static int op_round(tim *im)
{
    tval *x;
    ir_shape out;
    ir_node *n;
    if (input(im, 0, &x, 0) || float_output(im) || output_shape(im, 0, &x->shape, &out))
        return -1;
    n = node(im, IR_OP_ROUND, "", 1, &x->ref);
    return set_output(im, 0, ref_of(n), x->nchw, 0, &out);
}

/* MINIMUM and MAXIMUM of a tensor and a one-value float constant (either
 * input): a scalar min or max. */
static int op_minmax(tim *im)
{
    const tfl_operator *op = im->op;
    int kc = op->ninputs == 2 && is_const(im, op->inputs[1]) ? 1 : 0;
    const tfl_tensor *t;
    tval *x;
    ir_shape out;
    float *v;
    if (op->ninputs != 2 || float_output(im))
        return op_err(im, "expects 2 float32 inputs");
    if (!is_const(im, op->inputs[kc]) || is_const(im, op->inputs[1 - kc]))
        return op_err(im, "%s is supported between a tensor and a constant only", im->opname);
    t = tensor(im, op->inputs[kc]);
    if (t->count != 1)
        return op_err(im, "%s with a constant of %zu values is not supported (one value "
                      "only)", im->opname, t->count);
    if (input(im, 1 - kc, &x, 0) || !(v = const_f32(im, op->inputs[kc], 1)) ||
        output_shape(im, 0, &x->shape, &out))
        return -1;
    return set_output(im, 0,
                      scalar(im, x->ref, op->builtin == TFL_OP_MINIMUM ? IR_SC_MIN : IR_SC_MAX,
                             (double)v[0], ""),
                      x->nchw, 0, &out);
}

static int op_prelu(tim *im)
{
    tval *x;
    ir_shape as, out, gs;
    float *f, *g;
    int64_t C, cnt, i;
    ir_ref in[2];
    ir_node *n;
    if (input(im, 0, &x, 0) || float_output(im) || output_shape(im, 0, &x->shape, &out))
        return -1;
    if (im->op->ninputs < 2)
        return op_err(im, "PReLU needs its alpha input");
    if (tshape(im, im->op->inputs[1], &as) || !(f = const_f32(im, im->op->inputs[1], -1)))
        return -1;
    C = x->shape.d[x->shape.ndim - 1];
    cnt = ir_shape_count(&as);
    if (x->shape.ndim != 4 && x->shape.ndim != 2)
        return op_err(im, "PReLU is supported on 2-D and 4-D tensors");
    /* alpha must be one value per channel (or one): equal at every
     * position of the other axes */
    if (cnt != 1 && (as.d[as.ndim - 1] != C || cnt % C))
        return op_err(im, "alpha of %lld values is not per channel", (long long)cnt);
    for (i = 0; cnt != 1 && i < cnt; i++)
        if (f[i] != f[i % C])
            return op_err(im, "alpha varies along other axes than the channels");
    g = ir_graph_floats(im->g, (size_t)(cnt == 1 ? 1 : C));
    memcpy(g, f, sizeof(float) * (size_t)(cnt == 1 ? 1 : C));
    memset(&gs, 0, sizeof gs);
    gs.ndim = 1;
    gs.d[0] = cnt == 1 ? 1 : C;
    in[0] = x->ref;
    in[1] = const_node(im, tname(tensor(im, im->op->inputs[1]), im->op->inputs[1]), &gs, g,
                       tensor(im, im->op->inputs[1])->nbytes);
    n = node(im, IR_OP_LEAKY, "", 2, in);
    n->a.act.act = IR_ACT_PRELU;
    return set_output(im, 0, ref_of(n), x->nchw, 0, &out);
}

/* QUANTIZE / DEQUANTIZE between float32 tensors: the identity. */
static int op_requant(tim *im)
{
    tval *x;
    ir_shape out;
    int32_t i = im->op->ninputs ? im->op->inputs[0] : -1;
    if (i >= 0 && tensor(im, i)->type != TFL_FLOAT32)
        return op_err(im, "%s input: int8 models are not supported yet",
                      tfl_type_name(tensor(im, i)->type));
    if (input(im, 0, &x, 0) || float_output(im) || output_shape(im, 0, &x->shape, &out))
        return -1;
    return set_output(im, 0, x->ref, x->nchw, 0, &out);
}

/* ---- compile-time integer ops (Keras' Flatten: SHAPE, STRIDED_SLICE,
 * PACK feeding RESHAPE) ---------------------------------------------------- */

static int set_ints(tim *im, const int64_t *v, int n, int sc)
{
    int32_t o = im->op->noutputs ? im->op->outputs[0] : -1;
    tval *t;
    if (o < 0)
        return op_err(im, "output 0 is absent");
    if (tensor(im, o)->type != TFL_INT32 && tensor(im, o)->type != TFL_INT64)
        return op_err(im, "the output must be an integer tensor");
    t = &im->tv[o];
    memset(t, 0, sizeof *t);
    t->kind = TV_INTS;
    memcpy(t->ints, v, sizeof(int64_t) * (size_t)n);
    t->nints = n;
    t->scalar = sc;
    return 0;
}

static int op_shape(tim *im)
{
    int32_t i = im->op->ninputs ? im->op->inputs[0] : -1;
    ir_shape s;
    int k;
    int64_t v[IR_MAX_DIMS];
    if (i < 0)
        return op_err(im, "input 0 is absent");
    if (im->tv[i].kind == TV_VALUE || im->tv[i].kind == TV_FLAT) {
        s = im->tv[i].shape;
        if (im->tv[i].packed)
            s.d[s.ndim - 1] = (s.d[s.ndim - 1] + 31) / 32;
    } else if (tshape(im, i, &s)) {
        return -1;
    }
    for (k = 0; k < s.ndim; k++)
        v[k] = s.d[k];
    return set_ints(im, v, s.ndim, 0);
}

static int op_strided_slice(tim *im)
{
    const tfl_strided_slice_options *o = &im->op->opt.strided_slice;
    int64_t x[IR_MAX_DIMS], b[IR_MAX_DIMS], e[IR_MAX_DIMS], s[IR_MAX_DIMS], r[IR_MAX_DIMS];
    int nx, nb, ne, ns, sc, n = 0;
    int64_t i, begin, end, len;
    if (im->op->ninputs != 4 || get_ints(im, im->op->inputs[0], x, &nx, &sc) ||
        get_ints(im, im->op->inputs[1], b, &nb, &sc) ||
        get_ints(im, im->op->inputs[2], e, &ne, &sc) ||
        get_ints(im, im->op->inputs[3], s, &ns, &sc))
        return op_err(im, "only slices of integer vectors known at compile time (shapes) are "
                      "supported");
    if (nb != 1 || ne != 1 || ns != 1 || o->ellipsis_mask || o->new_axis_mask || o->offset)
        return op_err(im, "only one-axis slices without ellipsis or new axes are supported");
    len = nx;
    if (s[0] == 0)
        return op_err(im, "stride 0");
    begin = o->begin_mask & 1 ? (s[0] > 0 ? 0 : len - 1) : b[0] < 0 ? b[0] + len : b[0];
    end = o->end_mask & 1 ? (s[0] > 0 ? len : -1) : e[0] < 0 ? e[0] + len : e[0];
    if (o->shrink_axis_mask & 1) {
        if (begin < 0 || begin >= len)
            return op_err(im, "index %lld is out of range", (long long)b[0]);
        return set_ints(im, &x[begin], 1, 1);
    }
    begin = begin < 0 ? 0 : begin > len ? len : begin;
    end = end < -1 ? -1 : end > len ? len : end;
    for (i = begin; s[0] > 0 ? i < end : i > end; i += s[0])
        if (i >= 0 && i < len)
            r[n++] = x[i];
    return set_ints(im, r, n, 0);
}

static int op_pack(tim *im)
{
    int64_t v[IR_MAX_DIMS], r[IR_MAX_DIMS];
    int n, sc;
    size_t k;
    if (im->op->opt.pack.axis != 0 || im->op->ninputs > IR_MAX_DIMS)
        return op_err(im, "only packing up to %d scalars along axis 0 is supported",
                      IR_MAX_DIMS);
    for (k = 0; k < im->op->ninputs; k++) {
        if (get_ints(im, im->op->inputs[k], v, &n, &sc))
            return -1;
        if (n != 1 || !sc)
            return op_err(im, "input %zu is not a scalar", k);
        r[k] = v[0];
    }
    return set_ints(im, r, (int)im->op->ninputs, 0);
}

/* ---- Larq Compute Engine ------------------------------------------------ */

static int op_lce_quantize(tim *im)
{
    tval *x;
    ir_shape fs;
    int32_t i = im->op->ninputs ? im->op->inputs[0] : -1;
    if (i >= 0 && tensor(im, i)->type == TFL_INT8) {
        /* bit = (q < zero point): the sign of scale * (q - zero point),
         * which the dequantised value has exactly */
        ir_node *n;
        if (input_i8(im, 0, &x))
            return -1;
        n = node(im, IR_OP_DEQUANTIZE, "/real", 1, &x->ref);
        if (output_type(im, 0) != TFL_INT32 || output_shape(im, 0, NULL, &fs))
            return op_err(im, "the output must be an int32 (bitpacked) tensor");
        if (fs.ndim != x->shape.ndim ||
            fs.d[fs.ndim - 1] != (x->shape.d[x->shape.ndim - 1] + 31) / 32)
            return op_err(im, "the output shape does not pack the input's last axis");
        return set_output(im, 0, ref_of(n), x->shape.ndim == 4, 1, &x->shape);
    }
    if (i >= 0 && tensor(im, i)->type != TFL_FLOAT32)
        return op_err(im, "%s input: only float32 and int8 input are supported so far",
                      tfl_type_name(tensor(im, i)->type));
    if (input(im, 0, &x, 0))
        return -1;
    if (output_type(im, 0) != TFL_INT32 || output_shape(im, 0, NULL, &fs))
        return op_err(im, "the output must be an int32 (bitpacked) tensor");
    if (fs.ndim != x->shape.ndim || fs.d[fs.ndim - 1] != (x->shape.d[x->shape.ndim - 1] + 31) / 32)
        return op_err(im, "the output shape does not pack the input's last axis");
    return set_output(im, 0, x->ref, x->nchw, 1, &x->shape);
}

static int op_lce_dequantize(tim *im)
{
    tval *x;
    ir_shape out;
    ir_node *n;
    if (input(im, 0, &x, 2))
        return -1;
    if (output_type(im, 0) == TFL_INT8) {
        /* +-1 quantised: zp +- round(1 / scale), saturated, as LCE */
        if (output_shape(im, 0, &x->shape, &out) || (x->shape.ndim == 4 && !x->nchw))
            return -1;
        n = node(im, IR_OP_SIGN, "/pm1", 1, &x->ref);
        n = node(im, IR_OP_QUANTIZE, "", 1, (ir_ref[]){ref_of(n)});
        return set_output_i8(im, n, &out);
    }
    if (float_output(im) || output_shape(im, 0, &x->shape, &out))
        return -1;
    n = node(im, IR_OP_SIGN, "", 1, &x->ref);
    return set_output(im, 0, ref_of(n), x->nchw, 0, &out);
}

static uint32_t word_at(const tfl_tensor *t, size_t k)
{
    const uint8_t *p = t->data + 4 * k;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int op_lce_bconv(tim *im)
{
    const tfl_operator *op = im->op;
    const tfl_lce_bconv2d_options *bo = &op->opt.bconv2d;
    tval *x;
    const tfl_tensor *ft, *tt = NULL;
    ir_shape fs, out, fo;
    int64_t O, kh, kw, wg, words, groups, cg, K, o, c, ky, kx;
    int ph[2], pw[2], p[4], bits_out, otype, crop_h = 0, crop_w = 0, corr = 0;
    int corr_top = 0, corr_left = 0, fused = 0;
    float *mult = NULL, *bias = NULL;
    ir_bin_attr b;
    ir_ref y;
    ir_node *n;

    if (op->ninputs != 5)
        return op_err(im, "expects 5 inputs, got %zu", op->ninputs);
    if (input(im, 0, &x, 2) || need_4d(im, x))
        return -1;
    if (x->shape.d[3] != bo->channels_in)
        return op_err(im, "channels_in is %d, the input has %lld channels", bo->channels_in,
                      (long long)x->shape.d[3]);
    if (!is_const(im, op->inputs[1]) || tensor(im, op->inputs[1])->type != TFL_INT32)
        return op_err(im, "the filter must be an int32 (bitpacked) constant");
    ft = tensor(im, op->inputs[1]);
    if (tshape(im, op->inputs[1], &fs))
        return -1;
    if (fs.ndim != 4)
        return op_err(im, "the filter must be 4-D");
    O = fs.d[0], kh = fs.d[1], kw = fs.d[2], wg = fs.d[3];
    words = (bo->channels_in + 31) / 32;
    if (wg == words) {
        groups = 1;
    } else {
        if (wg < 1 || words % wg)
            return op_err(im, "a filter of %lld words per tap does not divide %lld input "
                          "words into groups", (long long)wg, (long long)words);
        groups = words / wg;
        if (bo->channels_in % groups || (bo->channels_in / groups) % 32 || O % groups)
            return op_err(im, "%lld groups need channels_in / groups a multiple of 32 and "
                          "the outputs divisible by the groups", (long long)groups);
    }
    cg = bo->channels_in / groups;
    K = kh * kw * cg;
    if (check_geometry(im, (int)kh, (int)kw, bo->stride_h, bo->stride_w, bo->dilation_h,
                       bo->dilation_w))
        return -1;
    if (bo->pad_values != 0 && bo->pad_values != 1)
        return op_err(im, "pad_values %d (only 0 and 1 exist)", bo->pad_values);

    otype = output_type(im, 0);
    bits_out = otype == TFL_INT32;
    if (otype != TFL_FLOAT32 && otype != TFL_INT8 && !bits_out)
        return op_err(im, "%s output is not supported so far", tfl_type_name(otype));
    if (bits_out) {
        if (op->inputs[4] < 0 || !is_const(im, op->inputs[4]) ||
            (tt = tensor(im, op->inputs[4]))->type != TFL_INT32 || (int64_t)tt->count != O)
            return op_err(im, "bitpacked output needs %lld int32 thresholds", (long long)O);
    } else {
        if (op->inputs[2] < 0 || op->inputs[3] < 0)
            return op_err(im, "float and int8 output need a multiplier and a bias");
        if (!(mult = const_f32(im, op->inputs[2], O)) || !(bias = const_f32(im, op->inputs[3], O)))
            return -1;
    }

    out = x->shape;
    out.d[1] = window(bo->padding, x->shape.d[1], (int)kh, bo->stride_h, bo->dilation_h,
                      &ph[0], &ph[1]);
    out.d[2] = window(bo->padding, x->shape.d[2], (int)kw, bo->stride_w, bo->dilation_w,
                      &pw[0], &pw[1]);
    out.d[3] = O;
    if (out.d[1] < 1 || out.d[2] < 1)
        return op_err(im, "the filter does not fit the input");
    if (output_shape(im, 0, NULL, &fo))
        return -1;
    if (fo.ndim != 4 || fo.d[0] != out.d[0] || fo.d[1] != out.d[1] || fo.d[2] != out.d[2] ||
        fo.d[3] != (bits_out ? (O + 31) / 32 : O))
        return op_err(im, "the output shape in the file does not match the convolution");

    memset(&b, 0, sizeof b);
    b.origin = "lce";
    b.offset = 0;
    b.divisor = 1;
    b.word_bits = 32;
    b.conv.kernel[0] = (int)kh, b.conv.kernel[1] = (int)kw;
    b.conv.stride[0] = bo->stride_h, b.conv.stride[1] = bo->stride_w;
    b.conv.dilate[0] = bo->dilation_h, b.conv.dilate[1] = bo->dilation_w;
    b.conv.num_filter = (int)O;
    b.conv.num_group = (int)groups;
    b.conv.no_bias = 1;
    b.pad_mode = IR_PAD_PLUS_ONE;
    y = x->ref;
    if (ph[0] != ph[1] || pw[0] != pw[1]) {
        if (bo->pad_values == 1) {
            p[0] = ph[0], p[1] = ph[1], p[2] = pw[0], p[3] = pw[1];
            y = pad_hw(im, y, p, 1.0, "/pad");
            ph[0] = pw[0] = 0;
        } else {
            /* zero padding, one more after than before */
            if ((ph[0] == ph[1] || bo->stride_h == 1) && (pw[0] == pw[1] || bo->stride_w == 1)) {
                /* stride 1: pad one more on both sides, crop the first
                 * row / column */
                crop_h = ph[0] != ph[1];
                crop_w = pw[0] != pw[1];
                ph[0] = ph[1];
                pw[0] = pw[1];
            } else {
                /* pad with +1 and subtract, per output position, what
                 * the out-of-image taps added: the sum of their weights */
                corr = 1;
                corr_top = ph[0];
                corr_left = pw[0];
                p[0] = ph[0], p[1] = ph[1], p[2] = pw[0], p[3] = pw[1];
                y = pad_hw(im, y, p, 1.0, "/pad");
                ph[0] = pw[0] = 0;
            }
            b.pad_mode = corr ? IR_PAD_PLUS_ONE : IR_PAD_ZERO;
        }
    } else if (bo->padding == TFL_PAD_SAME) {
        b.pad_mode = bo->pad_values ? IR_PAD_PLUS_ONE : IR_PAD_ZERO;
    }
    if ((b.pad_mode == IR_PAD_ZERO || corr) && cg % 2)
        return op_err(im, "zero padding needs an even number of channels per group (LCE "
                      "adds channels/2 per out-of-image tap), got %lld", (long long)cg);
    b.conv.pad[0] = ph[0], b.conv.pad[1] = pw[0];

    /* +-1 weights (O, cg, kh, kw) from the words (O, kh, kw, wg) */
    b.w_shape.ndim = 4;
    b.w_shape.d[0] = O, b.w_shape.d[1] = cg, b.w_shape.d[2] = kh, b.w_shape.d[3] = kw;
    b.w = xmalloc((size_t)(O * K) + 1);
    for (o = 0; o < O; o++)
        for (ky = 0; ky < kh; ky++)
            for (kx = 0; kx < kw; kx++) {
                size_t w0 = (size_t)(((o * kh + ky) * kw + kx) * wg);
                for (c = 0; c < wg * 32; c++) {
                    int bit = (int)(word_at(ft, w0 + (size_t)(c / 32)) >> (c % 32) & 1u);
                    if (c >= cg) {
                        if (bit) {
                            free(b.w);
                            return op_err(im, "the filter has bits set past the %lld "
                                          "channels of a group (output %lld)", (long long)cg,
                                          (long long)o);
                        }
                        continue;
                    }
                    b.w[((o * cg + c) * kh + ky) * kw + kx] = bit ? -1 : 1;
                }
            }
    b.stored_bytes = ft->nbytes;
    b.w_param = xstrdup(tname(ft, op->inputs[1]));
    if (bits_out) {
        b.bias = xmalloc(sizeof(float) * (size_t)O);
        for (o = 0; o < O; o++) {
            int64_t t = read_int(tt, (size_t)o);
            b.bias[o] = (float)(t >= K ? K + 1 : t < 0 ? -(K + 1) : 2 * t - K);
        }
        b.stored_bytes += tt->nbytes;
    } else {
        int act = op->opt.bconv2d.activation;
        /* the clamp of the dot a fused activation makes, within +-K */
        int64_t lo = act == TFL_ACT_RELU_N1_TO_1 ? -1 : act == TFL_ACT_NONE ? -K : 0;
        int64_t hi = act == TFL_ACT_RELU6 ? 6 : act == TFL_ACT_RELU_N1_TO_1 ? 1 : K;
        fused = act == TFL_ACT_NONE ||
                (!corr && (act == TFL_ACT_RELU || act == TFL_ACT_RELU6 ||
                           act == TFL_ACT_RELU_N1_TO_1));
        if (fused) {
            b.scale = xmalloc(sizeof(float) * (size_t)O);
            b.bias = xmalloc(sizeof(float) * (size_t)O);
            memcpy(b.scale, mult, sizeof(float) * (size_t)O);
            memcpy(b.bias, bias, sizeof(float) * (size_t)O);
            b.stored_bytes += 8 * (size_t)O;
            b.out_shift = (int32_t)K;
            b.clamp = act != TFL_ACT_NONE;
            b.clamp_lo = (int32_t)(lo > -K ? lo : -K);
            b.clamp_hi = (int32_t)(hi < K ? hi : K);
        }
    }
    n = node(im, IR_OP_BCONV, "", 1, &y);
    n->a.b = b;
    y = ref_of(n);
    if (corr) {
        /* (1, O, Ho, Wo): the +1 taps' share of the dot product, times
         * the multiplier when the layer applies it */
        int scaled = !bits_out && op->opt.bconv2d.activation == TFL_ACT_NONE;
        int64_t Ho = out.d[1], Wo = out.d[2], oy, ox, H = x->shape.d[1], W = x->shape.d[2];
        float *cv = ir_graph_floats(im->g, (size_t)(O * Ho * Wo));
        ir_shape cs;
        ir_ref in[2];
        ir_node *sn;
        const int8_t *w = n->a.b.w;
        for (o = 0; o < O; o++)
            for (oy = 0; oy < Ho; oy++)
                for (ox = 0; ox < Wo; ox++) {
                    int64_t sum = 0;
                    for (ky = 0; ky < kh; ky++)
                        for (kx = 0; kx < kw; kx++) {
                            int64_t iy = oy * bo->stride_h - corr_top + ky * bo->dilation_h;
                            int64_t ix = ox * bo->stride_w - corr_left + kx * bo->dilation_w;
                            if (iy >= 0 && iy < H && ix >= 0 && ix < W)
                                continue;
                            for (c = 0; c < cg; c++)
                                sum += w[((o * cg + c) * kh + ky) * kw + kx];
                        }
                    cv[(o * Ho + oy) * Wo + ox] =
                        scaled ? (float)((double)sum * (double)mult[o]) : (float)sum;
                }
        memset(&cs, 0, sizeof cs);
        cs.ndim = 4;
        cs.d[0] = 1, cs.d[1] = O, cs.d[2] = Ho, cs.d[3] = Wo;
        in[0] = y;
        in[1] = const_node(im, "zero_padding_correction", &cs, cv, 0);
        sn = node(im, IR_OP_SUB, "/zero_padding", 2, in);
        sn->a.binary.broadcast = 1;
        y = ref_of(sn);
    }
    if (crop_h || crop_w) {
        ir_node *cn = node(im, IR_OP_CROP, "/crop", 1, &y);
        cn->a.crop.offset[0] = crop_h;
        cn->a.crop.offset[1] = crop_w;
        cn->a.crop.size[0] = (int)out.d[1];
        cn->a.crop.size[1] = (int)out.d[2];
        y = ref_of(cn);
    }
    if (!bits_out && !fused) {
        /* clamp the dot product, then the affine map */
        int plain = 1;
        if (op->opt.bconv2d.activation == TFL_ACT_RELU)
            y = act(im, y, IR_ACT_RELU, 0, "/relu");
        else if (op->opt.bconv2d.activation == TFL_ACT_RELU6)
            y = clip(im, y, 0, 6, "/relu6");
        else if (op->opt.bconv2d.activation == TFL_ACT_RELU_N1_TO_1)
            y = clip(im, y, -1, 1, "/relu_n1_to_1");
        else
            return op_err(im, "fused activation %s is not supported",
                          tfl_activation_name(op->opt.bconv2d.activation));
        for (o = 0; o < O; o++)
            if (mult[o] != 1.0f || bias[o] != 0.0f)
                plain = 0;
        if (!plain) {
            ir_shape cs;
            ir_ref in[2];
            ir_node *mn;
            memset(&cs, 0, sizeof cs);
            cs.ndim = 4;
            cs.d[0] = 1, cs.d[1] = O, cs.d[2] = 1, cs.d[3] = 1;
            in[0] = y;
            in[1] = const_node(im, tname(tensor(im, op->inputs[2]), op->inputs[2]), &cs, mult,
                               4 * (size_t)O);
            mn = node(im, IR_OP_MUL, "/multiplier", 2, in);
            mn->a.binary.broadcast = 1;
            in[0] = ref_of(mn);
            in[1] = const_node(im, tname(tensor(im, op->inputs[3]), op->inputs[3]), &cs, bias,
                               4 * (size_t)O);
            mn = node(im, IR_OP_ADD, "/bias", 2, in);
            mn->a.binary.broadcast = 1;
            y = ref_of(mn);
        }
    }
    if (otype == TFL_INT8) {
        /* LCE rounds its float result to the output's int8 */
        ir_node *qn = node(im, IR_OP_QUANTIZE, "/int8", 1, &y);
        return set_output_i8(im, qn, &out);
    }
    return set_output(im, 0, y, 1, bits_out, &out);
}

/* ---- int8 operators ------------------------------------------------------
 *
 * An int8 tensor is held in the model's own order (NHWC; tval.i8), as the
 * IR's int8 operators take it (ops.def, *_I8 rows), with the tensor's
 * scale and zero point on the IR node (ir_node.q). Every operator maps
 * onto the runtime's kernels with TFLite's integer semantics; the
 * requantisation parameters are derived from the scales when lowering
 * (passes/requant_i8.c). QUANTIZE and DEQUANTIZE are the only bridges
 * between int8 and float32 values.
 */

/* The per-tensor quantisation of run-time tensor i as an IR qtype. */
static int qtype_of(tim *im, int32_t i, ir_qtype *q)
{
    const tfl_tensor *t = tensor(im, i);
    memset(q, 0, sizeof *q);
    if (need_tensor(im, i))
        return -1;
    if (t->type != TFL_INT8)
        return op_err(im, "tensor '%s' is %s, expected int8", tname(t, i),
                      tfl_type_name(t->type));
    if (t->q.count != 1)
        return op_err(im, "int8 tensor '%s' needs one scale and zero point (it has %zu)",
                      tname(t, i), t->q.count);
    if (!(t->q.scale[0] > 0.0f) || !isfinite(t->q.scale[0]))
        return op_err(im, "int8 tensor '%s' has scale %g; it must be positive", tname(t, i),
                      (double)t->q.scale[0]);
    if (t->q.zero_point[0] < -128 || t->q.zero_point[0] > 127)
        return op_err(im, "int8 tensor '%s' has zero point %lld, outside [-128, 127]",
                      tname(t, i), (long long)t->q.zero_point[0]);
    q->elem = IR_ELEM_I8;
    q->scale = (double)t->q.scale[0];
    q->zp = (int32_t)t->q.zero_point[0];
    return 0;
}

static int is_i8(tim *im, int k, int out)
{
    const tfl_operator *op = im->op;
    int32_t i = out ? ((size_t)k < op->noutputs ? op->outputs[k] : -1)
                    : ((size_t)k < op->ninputs ? op->inputs[k] : -1);
    return i >= 0 && tensor(im, i)->type == TFL_INT8;
}

/* Input k, an int8 tensor computed at run time. */
static int input_i8(tim *im, int k, tval **out)
{
    int32_t i;
    tval *v;
    if ((size_t)k >= im->op->ninputs || (i = im->op->inputs[k]) < 0)
        return op_err(im, "input %d is absent", k);
    v = &im->tv[i];
    if (v->kind != TV_VALUE || !v->i8)
        return op_err(im, "input %d ('%s') is not an int8 tensor computed by an operator bnnc "
                      "reads", k, tname(tensor(im, i), i));
    *out = v;
    return 0;
}

/* Record node n as output 0 (int8 of the file's quantisation, NHWC). */
static int set_output_i8(tim *im, ir_node *n, const ir_shape *s)
{
    tval *v;
    if (!im->op->noutputs || im->op->outputs[0] < 0)
        return op_err(im, "output 0 is absent");
    if (qtype_of(im, im->op->outputs[0], &n->q))
        return -1;
    if (set_output(im, 0, ref_of(n), 0, 0, s))
        return -1;
    v = &im->tv[im->op->outputs[0]];
    v->i8 = 1;
    return 0;
}

/* The quantisation of output 0 (for checks before the node exists). */
static int out_qtype(tim *im, ir_qtype *q)
{
    if (!im->op->noutputs || im->op->outputs[0] < 0)
        return op_err(im, "output 0 is absent");
    return qtype_of(im, im->op->outputs[0], q);
}

/* TFLite's fused activation as a clamp of the quantised output
 * (CalculateActivationRangeQuantized): a bound v is zp + round(v / scale),
 * the division in float, intersected with [-128, 127]. */
static int act_bound_i8(int32_t zp, float v, float scale)
{
    /* past +-2^20 steps every bound clamps to [-128, 127] alike; a tiny
     * scale would otherwise overflow the conversion to int */
    float r = roundf(v / scale);
    if (r > 1048576.0f)
        r = 1048576.0f;
    if (r < -1048576.0f)
        r = -1048576.0f;
    return zp + (int32_t)r;
}

static int act_range_i8(tim *im, int act_fn, const ir_qtype *q, int32_t *lo, int32_t *hi)
{
    float scale = (float)q->scale;
    int32_t a = -128, b = 127;
    *lo = -128, *hi = 127;
    switch (act_fn) {
    case TFL_ACT_NONE: return 0;
    case TFL_ACT_RELU: a = act_bound_i8(q->zp, 0.0f, scale); break;
    case TFL_ACT_RELU6:
        a = act_bound_i8(q->zp, 0.0f, scale);
        b = act_bound_i8(q->zp, 6.0f, scale);
        break;
    case TFL_ACT_RELU_N1_TO_1:
        a = act_bound_i8(q->zp, -1.0f, scale);
        b = act_bound_i8(q->zp, 1.0f, scale);
        break;
    default:
        return op_err(im, "fused activation %s is not supported on int8 tensors",
                      tfl_activation_name(act_fn));
    }
    *lo = a > -128 ? a : -128;
    *hi = b < 127 ? b : 127;
    if (*lo > *hi)
        return op_err(im, "the fused activation's range is empty at the output's scale");
    return 0;
}

/* int8 values of constant tensor i (graph-owned), n elements. */
static int8_t *const_i8(tim *im, int32_t i, int64_t n)
{
    const tfl_tensor *t = tensor(im, i);
    int8_t *v;
    if (need_tensor(im, i))
        return NULL;
    if (!is_const(im, i) || t->type != TFL_INT8) {
        op_err(im, "tensor '%s' must be an int8 constant", tname(t, i));
        return NULL;
    }
    if ((int64_t)t->count != n) {
        op_err(im, "tensor '%s' has %zu elements, expected %lld", tname(t, i), t->count,
               (long long)n);
        return NULL;
    }
    v = xmalloc((size_t)n + 1);
    memcpy(v, t->data, (size_t)n);
    ir_graph_adopt(im->g, v);
    return v;
}

/* Symmetric weight scales of constant i: one, or one per output channel
 * along `axis` (its quantized_dimension), every zero point 0. */
static int weight_scales(tim *im, int32_t i, int axis, int64_t O, const float **scale, int *n)
{
    const tfl_tensor *t = tensor(im, i);
    size_t k;
    if (need_tensor(im, i))
        return -1;
    if (t->q.count != 1 && ((int64_t)t->q.count != O || t->q.quantized_dimension != axis))
        return op_err(im, "weights '%s' have %zu scales on axis %d; expected 1, or %lld on "
                      "axis %d", tname(t, i), t->q.count, (int)t->q.quantized_dimension,
                      (long long)O, axis);
    for (k = 0; k < t->q.count; k++) {
        if (t->q.zero_point[k] != 0)
            return op_err(im, "weights '%s' have zero point %lld (channel %zu); int8 weights "
                          "must be symmetric", tname(t, i), (long long)t->q.zero_point[k], k);
        if (!(t->q.scale[k] > 0.0f) || !isfinite(t->q.scale[k]))
            return op_err(im, "weights '%s' have scale %g (channel %zu)", tname(t, i),
                          (double)t->q.scale[k], k);
    }
    {
        float *sc = ir_graph_floats(im->g, t->q.count);
        memcpy(sc, t->q.scale, sizeof(float) * t->q.count);
        *scale = sc;
    }
    *n = (int)t->q.count;
    return 0;
}

/* The int32 bias of a conv/dense (input 2), O values, or NULL when absent. */
static int bias_i32(tim *im, int64_t O, const int32_t **bias)
{
    const tfl_operator *op = im->op;
    const tfl_tensor *t;
    int32_t *b;
    int64_t k;
    *bias = NULL;
    if (op->ninputs < 3 || op->inputs[2] < 0)
        return 0;
    t = tensor(im, op->inputs[2]);
    if (!is_const(im, op->inputs[2]) || t->type != TFL_INT32 || (int64_t)t->count != O)
        return op_err(im, "the bias must be an int32 constant of %lld values", (long long)O);
    b = xmalloc(sizeof(int32_t) * (size_t)O);
    for (k = 0; k < O; k++)
        b[k] = (int32_t)read_int(t, (size_t)k);
    ir_graph_adopt(im->g, b);
    *bias = b;
    return 0;
}

static int op_conv_i8(tim *im)
{
    const tfl_operator *op = im->op;
    int dw = op->builtin == TFL_OP_DEPTHWISE_CONV_2D;
    conv_geometry cg;
    tval *x;
    ir_qtype oq;
    ir_shape fs, out;
    ir_node *n;
    ir_i8_attr *a;
    int64_t O, C;

    if (input_i8(im, 0, &x) || out_qtype(im, &oq))
        return -1;
    if (x->shape.ndim != 4)
        return op_err(im, "needs a 4-D (NHWC) input");
    if (conv_read_geometry(im, x, &cg, &fs))
        return -1;
    O = cg.O;
    C = x->shape.d[3];
    n = node(im, dw ? IR_OP_DWCONV_I8 : IR_OP_CONV_I8, "", 1, &x->ref);
    a = &n->a.i8;
    a->kernel[0] = cg.kh, a->kernel[1] = cg.kw;
    a->stride[0] = cg.sh, a->stride[1] = cg.sw;
    a->dilate[0] = cg.dh, a->dilate[1] = cg.dw;
    a->pad[0] = cg.ph[0], a->pad[1] = cg.ph[1], a->pad[2] = cg.pw[0], a->pad[3] = cg.pw[1];
    a->out_c = (int)O;
    a->groups = (int)cg.groups;
    a->mult = dw ? (int)(O / C) : 1;
    a->w_shape = fs;
    if (!(a->w = const_i8(im, op->inputs[1], ir_shape_count(&fs))) ||
        weight_scales(im, op->inputs[1], dw ? 3 : 0, O, &a->w_scale, &a->n_w_scale) ||
        bias_i32(im, O, &a->bias))
        return -1;
    a->stored_bytes = tensor(im, op->inputs[1])->nbytes +
                      (a->bias ? tensor(im, op->inputs[2])->nbytes : 0);
    if (act_range_i8(im, cg.act, &oq, &a->act_min, &a->act_max))
        return -1;
    out = x->shape;
    out.d[1] = cg.out_h, out.d[2] = cg.out_w, out.d[3] = O;
    if (output_shape(im, 0, &out, &out))
        return -1;
    return set_output_i8(im, n, &out);
}

/* An int8 (N, ...) value as (N, K), row-major (TFLite's FULLY_CONNECTED
 * input). */
static ir_ref rows_i8(tim *im, tval *x, int64_t K, const ir_qtype *q)
{
    ir_shape s;
    ir_node *n;
    if (x->shape.ndim == 2)
        return x->ref;
    memset(&s, 0, sizeof s);
    s.ndim = 2;
    s.d[0] = ir_shape_count(&x->shape) / K;
    s.d[1] = K;
    n = node(im, IR_OP_RESHAPE_I8, "/rows", 1, &x->ref);
    n->a.reshape.shape.n = 2;
    n->a.reshape.shape.v[0] = (int)s.d[0];
    n->a.reshape.shape.v[1] = (int)s.d[1];
    n->q = *q;
    return ref_of(n);
}

static int op_fully_connected_i8(tim *im)
{
    const tfl_operator *op = im->op;
    tval *x;
    ir_qtype oq, xq;
    ir_shape ws, out;
    ir_node *n;
    ir_i8_attr *a;
    ir_ref r;
    int64_t O, K;
    if (input_i8(im, 0, &x) || out_qtype(im, &oq) || qtype_of(im, op->inputs[0], &xq))
        return -1;
    if (op->ninputs < 2 || !is_const(im, op->inputs[1]) || tshape(im, op->inputs[1], &ws) ||
        ws.ndim != 2)
        return op_err(im, "the weights must be a 2-D int8 constant");
    if (op->opt.fc.weights_format != 0)
        return op_err(im, "weights format %d is not supported", op->opt.fc.weights_format);
    O = ws.d[0], K = ws.d[1];
    if (ir_shape_count(&x->shape) % K)
        return op_err(im, "the input's %lld elements are not rows of %lld",
                      (long long)ir_shape_count(&x->shape), (long long)K);
    if (op->opt.fc.keep_num_dims && x->shape.ndim != 2)
        return op_err(im, "keep_num_dims on a %d-D input is not supported", x->shape.ndim);
    r = rows_i8(im, x, K, &xq);
    n = node(im, IR_OP_DENSE_I8, "", 1, &r);
    a = &n->a.i8;
    a->out_c = (int)O;
    a->w_shape = ws;
    if (!(a->w = const_i8(im, op->inputs[1], O * K)) ||
        weight_scales(im, op->inputs[1], 0, O, &a->w_scale, &a->n_w_scale) ||
        bias_i32(im, O, &a->bias) ||
        act_range_i8(im, op->opt.fc.activation, &oq, &a->act_min, &a->act_max))
        return -1;
    a->stored_bytes = tensor(im, op->inputs[1])->nbytes +
                      (a->bias ? tensor(im, op->inputs[2])->nbytes : 0);
    memset(&out, 0, sizeof out);
    out.ndim = 2;
    out.d[0] = ir_shape_count(&x->shape) / K;
    out.d[1] = O;
    if (output_shape(im, 0, &out, &out))
        return -1;
    return set_output_i8(im, n, &out);
}

/* A constant b beside tensor shape s repeats along it when its shape,
 * without leading 1s, is the trailing dimensions of s. */
static int repeats_along(const ir_shape *b, const ir_shape *s)
{
    int lead = 0, k;
    while (lead < b->ndim && b->d[lead] == 1)
        lead++;
    if (b->ndim - lead > s->ndim)
        return 0;
    for (k = lead; k < b->ndim; k++)
        if (b->d[k] != s->d[s->ndim - (b->ndim - k)])
            return 0;
    return 1;
}

static int op_elementwise_i8(tim *im)
{
    const tfl_operator *op = im->op;
    ir_i8_eltwise kind = op->builtin == TFL_OP_ADD   ? IR_I8_ADD
                         : op->builtin == TFL_OP_SUB ? IR_I8_SUB
                                                     : IR_I8_MUL;
    int act_fn = kind == IR_I8_MUL ? op->opt.mul.activation : op->opt.add.activation;
    tval *a = NULL, *b = NULL;
    ir_qtype oq;
    ir_ref in[2];
    ir_node *n;
    ir_shape out, bs;
    int kc = -1, k;
    char s1[96], s2[96];
    if (op->ninputs != 2 || out_qtype(im, &oq))
        return op_err(im, "expects 2 int8 inputs and an int8 output");
    for (k = 0; k < 2; k++)
        if (is_const(im, op->inputs[k]))
            kc = k;
    if (is_const(im, op->inputs[0]) && is_const(im, op->inputs[1]))
        return op_err(im, "both inputs are constants");
    if (kc == 0 && kind == IR_I8_SUB)
        return op_err(im, "a constant minus a tensor is not supported on int8 tensors");
    if (kc >= 0) {
        const tfl_tensor *t = tensor(im, op->inputs[kc]);
        if (input_i8(im, 1 - kc, &a) || tshape(im, op->inputs[kc], &bs))
            return -1;
        if (!repeats_along(&bs, &a->shape))
            return op_err(im, "constant %s does not repeat along %s",
                          ir_shape_str(&bs, s1, sizeof s1), ir_shape_str(&a->shape, s2, sizeof s2));
        n = node(im, IR_OP_ELTWISE_I8, "", 1, &a->ref);
        if (qtype_of(im, op->inputs[kc], &n->a.i8.bq) ||
            !(n->a.i8.b = const_i8(im, op->inputs[kc], (int64_t)t->count)))
            return -1;
        n->a.i8.b_len = (int64_t)t->count;
    } else {
        if (input_i8(im, 0, &a) || input_i8(im, 1, &b))
            return -1;
        if (!ir_shape_equal(&a->shape, &b->shape)) {
            if (repeats_along(&b->shape, &a->shape)) {
                /* b repeats along a */
            } else if (kind != IR_I8_SUB && repeats_along(&a->shape, &b->shape)) {
                tval *t = a;
                a = b;
                b = t;
            } else {
                return op_err(im, "broadcasting %s with %s is not supported on int8 tensors",
                              ir_shape_str(&a->shape, s1, sizeof s1),
                              ir_shape_str(&b->shape, s2, sizeof s2));
            }
        }
        in[0] = a->ref;
        in[1] = b->ref;
        n = node(im, IR_OP_ELTWISE_I8, "", 2, in);
    }
    n->a.i8.kind = kind;
    if (act_range_i8(im, act_fn, &oq, &n->a.i8.act_min, &n->a.i8.act_max) ||
        output_shape(im, 0, &a->shape, &out))
        return -1;
    return set_output_i8(im, n, &out);
}

static int same_qtype(tim *im, const ir_qtype *a, const ir_qtype *b, const char *what)
{
    if (a->scale != b->scale || a->zp != b->zp)
        return op_err(im, "%s (scale %g, zero point %d against %g, %d) is not supported",
                      what, a->scale, (int)a->zp, b->scale, (int)b->zp);
    return 0;
}

static int op_pool_i8(tim *im)
{
    const tfl_operator *op = im->op;
    const tfl_pool2d_options *po = &op->opt.pool2d;
    tval *x;
    ir_qtype xq, oq;
    ir_shape out;
    ir_node *n;
    ir_i8_attr *a;
    int ph[2], pw[2];
    if (input_i8(im, 0, &x) || qtype_of(im, op->inputs[0], &xq) || out_qtype(im, &oq) ||
        same_qtype(im, &xq, &oq, "pooling with an output quantised unlike its input"))
        return -1;
    if (x->shape.ndim != 4)
        return op_err(im, "needs a 4-D (NHWC) input");
    if (check_geometry(im, po->filter_h, po->filter_w, po->stride_h, po->stride_w, 1, 1))
        return -1;
    out = x->shape;
    out.d[1] = window(po->padding, x->shape.d[1], po->filter_h, po->stride_h, 1, &ph[0], &ph[1]);
    out.d[2] = window(po->padding, x->shape.d[2], po->filter_w, po->stride_w, 1, &pw[0], &pw[1]);
    if (out.d[1] < 1 || out.d[2] < 1)
        return op_err(im, "the window does not fit the input");
    n = node(im, IR_OP_POOL_I8, "", 1, &x->ref);
    a = &n->a.i8;
    a->pool = op->builtin == TFL_OP_MAX_POOL_2D ? IR_POOL_MAX : IR_POOL_AVG;
    a->kernel[0] = po->filter_h, a->kernel[1] = po->filter_w;
    a->stride[0] = po->stride_h, a->stride[1] = po->stride_w;
    a->dilate[0] = a->dilate[1] = 1;
    a->pad[0] = ph[0], a->pad[1] = ph[1], a->pad[2] = pw[0], a->pad[3] = pw[1];
    if (act_range_i8(im, po->activation, &oq, &a->act_min, &a->act_max) ||
        output_shape(im, 0, &out, &out))
        return -1;
    return set_output_i8(im, n, &out);
}

static int op_mean_i8(tim *im)
{
    tval *x;
    int64_t ax[IR_MAX_DIMS];
    int nax, sc, k, h = 0, w = 0;
    ir_shape out;
    ir_node *n;
    if (input_i8(im, 0, &x) || get_ints(im, im->op->ninputs > 1 ? im->op->inputs[1] : -1, ax,
                                        &nax, &sc))
        return -1;
    for (k = 0; k < nax; k++) {
        int64_t a = ax[k] < 0 ? ax[k] + x->shape.ndim : ax[k];
        h |= a == 1;
        w |= a == 2;
        if (a != 1 && a != 2)
            return op_err(im, "int8 MEAN is supported over height and width only");
    }
    if (x->shape.ndim != 4 || !h || !w)
        return op_err(im, "int8 MEAN is supported over height and width of a 4-D tensor");
    n = node(im, IR_OP_MEAN_I8, "", 1, &x->ref);
    n->a.i8.keepdims = im->op->opt.reducer.keep_dims != 0;
    out = x->shape;
    if (n->a.i8.keepdims) {
        out.d[1] = out.d[2] = 1;
    } else {
        out.ndim = 2;
        out.d[1] = x->shape.d[3];
    }
    if (output_shape(im, 0, &out, &out))
        return -1;
    return set_output_i8(im, n, &out);
}

static int op_pad_i8(tim *im)
{
    const tfl_operator *op = im->op;
    const tfl_tensor *pt;
    tval *x;
    ir_qtype xq, oq;
    ir_shape out;
    ir_node *n;
    int k;
    if (input_i8(im, 0, &x) || qtype_of(im, op->inputs[0], &xq) || out_qtype(im, &oq) ||
        same_qtype(im, &xq, &oq, "padding with an output quantised unlike its input"))
        return -1;
    if (op->builtin != TFL_OP_PAD)
        return op_err(im, "only PAD (padding with the zero point) is supported on int8 tensors");
    if (op->ninputs < 2 || !is_const(im, op->inputs[1]))
        return op_err(im, "the paddings must be a constant");
    pt = tensor(im, op->inputs[1]);
    if ((pt->type != TFL_INT32 && pt->type != TFL_INT64) || pt->count != 8 ||
        x->shape.ndim != 4)
        return op_err(im, "the paddings must be (4, 2) integers for a 4-D input");
    n = node(im, IR_OP_PAD_I8, "", 1, &x->ref);
    n->a.i8.width.n = 8;
    out = x->shape;
    for (k = 0; k < 8; k++) {
        int64_t v = read_int(pt, (size_t)k);
        if (v < 0 || v > 65535)
            return op_err(im, "padding %lld", (long long)v);
        n->a.i8.width.v[k] = (int)v;
    }
    if (n->a.i8.width.v[0] || n->a.i8.width.v[1] || n->a.i8.width.v[6] || n->a.i8.width.v[7])
        return op_err(im, "padding the batch or channel axis is not supported");
    for (k = 0; k < 4; k++)
        out.d[k] += n->a.i8.width.v[2 * k] + n->a.i8.width.v[2 * k + 1];
    if (output_shape(im, 0, &out, &out))
        return -1;
    return set_output_i8(im, n, &out);
}

/* SPLIT of an int8 tensor into equal parts along its last axis (a
 * constant axis); every output quantised as the input, as TFLite's
 * byte-copying kernel requires to mean the same values. */
static int op_split_i8(tim *im)
{
    const tfl_operator *op = im->op;
    int64_t av[IR_MAX_DIMS];
    int axis, nd, parts = op->opt.split.num_splits;
    tval *x;
    ir_qtype q, oq;
    ir_shape out;
    ir_ref in[1];
    ir_node *n;
    size_t k;
    if (split_axis(im, av))
        return -1;
    if (input_i8(im, 1, &x) || qtype_of(im, op->inputs[1], &q))
        return -1;
    nd = x->shape.ndim;
    axis = (int)(av[0] < 0 ? av[0] + nd : av[0]);
    if (axis < 0 || axis >= nd)
        return op_err(im, "axis %lld is out of range", (long long)av[0]);
    if (axis != nd - 1)
        return op_err(im, "int8 SPLIT is supported along the last axis only");
    if (parts < 1 || (size_t)parts != op->noutputs || x->shape.d[axis] % parts)
        return op_err(im, "%d splits of dimension %lld into %zu outputs", parts,
                      (long long)x->shape.d[axis], op->noutputs);
    for (k = 0; k < op->noutputs; k++)
        if (op->outputs[k] < 0 || qtype_of(im, op->outputs[k], &oq) ||
            same_qtype(im, &oq, &q, "an output quantised unlike the input"))
            return op->outputs[k] < 0 ? op_err(im, "output %zu is absent", k) : -1;
    in[0] = x->ref;
    n = node(im, IR_OP_SPLIT_I8, "", 1, in);
    n->n_out = parts;
    n->a.split.num_outputs = parts;
    n->a.split.axis = axis;
    n->q = q;
    out = x->shape;
    out.d[axis] /= parts;
    for (k = 0; k < (size_t)parts; k++) {
        ir_shape o;
        if (output_shape(im, (int)k, &out, &o) ||
            set_output(im, (int)k, (ir_ref){n->id, (int)k}, 0, 0, &o))
            return -1;
        im->tv[op->outputs[k]].i8 = 1;
    }
    return 0;
}

static int op_reshape_i8(tim *im)
{
    tval *x;
    ir_shape out;
    ir_node *n;
    int k;
    char a[96], b[96];
    if (input_i8(im, 0, &x) || output_shape(im, 0, NULL, &out))
        return -1;
    if (ir_shape_count(&out) != ir_shape_count(&x->shape))
        return op_err(im, "cannot reshape %s to %s", ir_shape_str(&x->shape, a, sizeof a),
                      ir_shape_str(&out, b, sizeof b));
    n = node(im, IR_OP_RESHAPE_I8, "", 1, &x->ref);
    n->a.reshape.shape.n = out.ndim;
    for (k = 0; k < out.ndim; k++)
        n->a.reshape.shape.v[k] = (int)out.d[k];
    return set_output_i8(im, n, &out);
}

static int op_concat_i8(tim *im)
{
    const tfl_operator *op = im->op;
    ir_ref in[64];
    ir_qtype oq, q;
    ir_shape out;
    ir_node *n;
    size_t k;
    int axis;
    tval *x = NULL;
    if (op->ninputs < 1 || op->ninputs > 64 || out_qtype(im, &oq))
        return op_err(im, "expects 1 to 64 int8 inputs");
    if (op->opt.concat.activation != TFL_ACT_NONE)
        return op_err(im, "a fused activation on an int8 concatenation is not supported");
    for (k = 0; k < op->ninputs; k++) {
        if (input_i8(im, (int)k, &x) || qtype_of(im, op->inputs[k], &q) ||
            same_qtype(im, &q, &oq, "concatenating an input quantised unlike the output"))
            return -1;
        in[k] = x->ref;
        if (!k)
            out = x->shape;
    }
    axis = op->opt.concat.axis < 0 ? op->opt.concat.axis + out.ndim : op->opt.concat.axis;
    if (axis != out.ndim - 1)
        return op_err(im, "int8 concatenation is supported along the last axis only");
    n = node(im, IR_OP_CONCAT_I8, "", (int)op->ninputs, in);
    n->a.i8.axis = axis;
    for (k = 1; k < op->ninputs; k++)
        out.d[axis] += im->tv[op->inputs[k]].shape.d[axis];
    if (output_shape(im, 0, &out, &out))
        return -1;
    return set_output_i8(im, n, &out);
}

/* RELU, RELU6, RELU_N1_TO_1 and QUANTIZE between int8 tensors: a
 * requantisation to the output's scale, clamped. */
static int op_requant_i8(tim *im)
{
    const tfl_operator *op = im->op;
    int act_fn = op->builtin == TFL_OP_RELU    ? TFL_ACT_RELU
                 : op->builtin == TFL_OP_RELU6 ? TFL_ACT_RELU6
                 : op->builtin == TFL_OP_RELU_N1_TO_1 ? TFL_ACT_RELU_N1_TO_1
                                                      : TFL_ACT_NONE;
    tval *x;
    ir_qtype oq;
    ir_shape out;
    ir_node *n;
    if (input_i8(im, 0, &x) || out_qtype(im, &oq) || output_shape(im, 0, &x->shape, &out))
        return -1;
    n = node(im, IR_OP_REQUANT_I8, "", 1, &x->ref);
    /* TFLite's ReLU Prepare divides the scales in float, QUANTIZE's in
     * double */
    n->a.i8.ratio_f32 = op->builtin != TFL_OP_QUANTIZE;
    if (act_range_i8(im, act_fn, &oq, &n->a.i8.act_min, &n->a.i8.act_max))
        return -1;
    return set_output_i8(im, n, &out);
}

static int op_hard_swish_i8(tim *im)
{
    tval *x;
    ir_qtype oq;
    ir_shape out;
    ir_node *n;
    if (input_i8(im, 0, &x) || out_qtype(im, &oq) || output_shape(im, 0, &x->shape, &out))
        return -1;
    n = node(im, IR_OP_HSWISH_I8, "", 1, &x->ref);
    return set_output_i8(im, n, &out);
}

/* TFLite's int8 LOGISTIC transform, in float as its Prepare evaluates it */
static float logistic_f32(float v)
{
    return 1.0f / (1.0f + expf(-v));
}

/* LOGISTIC: a table computed here from the quantisation (TFLite's
 * Prepare requires the output scale 1/256 and zero point -128). */
static int op_logistic_i8(tim *im)
{
    tval *x;
    ir_qtype iq, oq;
    ir_shape out;
    ir_node *n;
    int8_t *table;
    if (input_i8(im, 0, &x) || qtype_of(im, im->op->inputs[0], &iq) || out_qtype(im, &oq) ||
        output_shape(im, 0, &x->shape, &out))
        return -1;
    if ((float)oq.scale != 1.0f / 256.0f || oq.zp != -128)
        return op_err(im, "an int8 output of scale %g and zero point %d; TFLite's int8 "
                      "LOGISTIC requires scale 1/256 and zero point -128",
                      oq.scale, (int)oq.zp);
    table = xmalloc(256);
    ir_graph_adopt(im->g, table);
    requant_i8_lut((float)iq.scale, iq.zp, (float)oq.scale, oq.zp, logistic_f32, table);
    n = node(im, IR_OP_LUT_I8, "", 1, &x->ref);
    n->a.i8.b = table;
    n->a.i8.b_len = 256;
    return set_output_i8(im, n, &out);
}

/* MINIMUM and MAXIMUM of an int8 tensor and a one-value int8 constant:
 * TFLite compares the stored integers whatever the quantisation, which a
 * table of min(q, c) or max(q, c) reproduces exactly. */
static int op_minmax_i8(tim *im)
{
    const tfl_operator *op = im->op;
    int kc = op->ninputs == 2 && is_const(im, op->inputs[1]) ? 1 : 0;
    int is_min = op->builtin == TFL_OP_MINIMUM, q;
    tval *x;
    ir_qtype oq;
    ir_shape out;
    ir_node *n;
    int8_t *c, *table;
    if (op->ninputs != 2)
        return op_err(im, "expects 2 int8 inputs");
    if (!is_const(im, op->inputs[kc]) || is_const(im, op->inputs[1 - kc]))
        return op_err(im, "int8 %s is supported between a tensor and a constant only",
                      im->opname);
    if (tensor(im, op->inputs[kc])->count != 1)
        return op_err(im, "int8 %s with a constant of %zu values is not supported (one value "
                      "only)", im->opname, tensor(im, op->inputs[kc])->count);
    if (input_i8(im, 1 - kc, &x) || out_qtype(im, &oq) ||
        output_shape(im, 0, &x->shape, &out) || !(c = const_i8(im, op->inputs[kc], 1)))
        return -1;
    table = xmalloc(256);
    ir_graph_adopt(im->g, table);
    for (q = -128; q <= 127; q++)
        table[q + 128] = (int8_t)(is_min ? (q < c[0] ? q : c[0]) : (q > c[0] ? q : c[0]));
    n = node(im, IR_OP_LUT_I8, "", 1, &x->ref);
    n->a.i8.b = table;
    n->a.i8.b_len = 256;
    return set_output_i8(im, n, &out);
}

/* SOFTMAX along the last axis, beta from the options. */
static int op_softmax_i8(tim *im)
{
    tval *x;
    ir_qtype oq;
    ir_shape out;
    ir_node *n;
    if (input_i8(im, 0, &x) || out_qtype(im, &oq) || output_shape(im, 0, &x->shape, &out))
        return -1;
    if (!(im->op->opt.softmax.beta > 0.0f) || !isfinite(im->op->opt.softmax.beta))
        return op_err(im, "beta %g is not supported", (double)im->op->opt.softmax.beta);
    n = node(im, IR_OP_SOFTMAX_I8, "", 1, &x->ref);
    n->a.i8.slope = im->op->opt.softmax.beta;
    return set_output_i8(im, n, &out);
}

/* LEAKY_RELU (slope in the options) and PRELU (an int8 alpha constant,
 * one value or one per channel, equal along the other axes). */
static int op_prelu_i8(tim *im)
{
    const tfl_operator *op = im->op;
    tval *x;
    ir_qtype oq;
    ir_shape out, as;
    ir_node *n;
    int64_t C, cnt, i;
    if (input_i8(im, 0, &x) || out_qtype(im, &oq) || output_shape(im, 0, &x->shape, &out))
        return -1;
    n = node(im, IR_OP_PRELU_I8, "", 1, &x->ref);
    if (op->builtin == TFL_OP_LEAKY_RELU) {
        n->a.i8.slope = op->opt.leaky_relu.alpha;
        return set_output_i8(im, n, &out);
    }
    if (op->ninputs < 2 || !is_const(im, op->inputs[1]) || tshape(im, op->inputs[1], &as))
        return op_err(im, "alpha must be an int8 constant");
    C = x->shape.d[x->shape.ndim - 1];
    cnt = ir_shape_count(&as);
    if (cnt != 1 && (as.d[as.ndim - 1] != C || cnt % C))
        return op_err(im, "alpha of %lld values is not per channel", (long long)cnt);
    if (qtype_of(im, op->inputs[1], &n->a.i8.bq) ||
        !(n->a.i8.b = const_i8(im, op->inputs[1], cnt)))
        return -1;
    for (i = 0; cnt != 1 && i < cnt; i++)
        if (n->a.i8.b[i] != n->a.i8.b[i % C])
            return op_err(im, "alpha varies along other axes than the channels");
    n->a.i8.b_len = cnt == 1 ? 1 : C;
    return set_output_i8(im, n, &out);
}

/* QUANTIZE of a float32 tensor into int8 (NCHW values become NHWC). */
static int op_quantize_f32(tim *im)
{
    tval *x;
    ir_shape out;
    ir_node *n;
    if (input(im, 0, &x, 0))
        return -1;
    if (x->shape.ndim == 4 && !x->nchw)
        return op_err(im, "quantising this 4-D tensor is not supported");
    if (output_shape(im, 0, &x->shape, &out))
        return -1;
    n = node(im, IR_OP_QUANTIZE, "", 1, &x->ref);
    return set_output_i8(im, n, &out);
}

/* DEQUANTIZE of an int8 tensor into float32 (4-D: NCHW in the IR). */
static int op_dequantize_i8(tim *im)
{
    tval *x;
    ir_shape out;
    ir_node *n;
    if (input_i8(im, 0, &x) || float_output(im) || output_shape(im, 0, &x->shape, &out))
        return -1;
    n = node(im, IR_OP_DEQUANTIZE, "", 1, &x->ref);
    return set_output(im, 0, ref_of(n), out.ndim == 4, 0, &out);
}

/* The int8 operators by builtin code (the model's tensors are int8). */
static const struct {
    int32_t builtin;
    int (*import)(tim *im);
} builtin_ops_i8[] = {
    {TFL_OP_CONV_2D, op_conv_i8},
    {TFL_OP_DEPTHWISE_CONV_2D, op_conv_i8},
    {TFL_OP_FULLY_CONNECTED, op_fully_connected_i8},
    {TFL_OP_ADD, op_elementwise_i8},
    {TFL_OP_SUB, op_elementwise_i8},
    {TFL_OP_MUL, op_elementwise_i8},
    {TFL_OP_AVERAGE_POOL_2D, op_pool_i8},
    {TFL_OP_MAX_POOL_2D, op_pool_i8},
    {TFL_OP_MEAN, op_mean_i8},
    {TFL_OP_PAD, op_pad_i8},
    {TFL_OP_PADV2, op_pad_i8},
    {TFL_OP_RESHAPE, op_reshape_i8},
    {TFL_OP_CONCATENATION, op_concat_i8},
    {TFL_OP_SPLIT, op_split_i8},
    {TFL_OP_RELU, op_requant_i8},
    {TFL_OP_RELU6, op_requant_i8},
    {TFL_OP_RELU_N1_TO_1, op_requant_i8},
    {TFL_OP_LEAKY_RELU, op_prelu_i8},
    {TFL_OP_SOFTMAX, op_softmax_i8},
    {TFL_OP_HARD_SWISH, op_hard_swish_i8},
    {TFL_OP_LOGISTIC, op_logistic_i8},
    {TFL_OP_MINIMUM, op_minmax_i8},
    {TFL_OP_MAXIMUM, op_minmax_i8},
    {TFL_OP_PRELU, op_prelu_i8},
    {TFL_OP_QUANTIZE, op_requant_i8},
    {TFL_OP_DEQUANTIZE, op_dequantize_i8},
};

/* An operator whose input 0 or output 0 is an int8 tensor: its int8 form
 * (QUANTIZE of a float input included), or an error naming it. */
static int import_op_i8(tim *im)
{
    const tfl_operator *op = im->op;
    size_t k;
    if (op->builtin == TFL_OP_QUANTIZE && !is_i8(im, 0, 0))
        return op_quantize_f32(im);
    for (k = 0; k < sizeof builtin_ops_i8 / sizeof *builtin_ops_i8; k++)
        if (builtin_ops_i8[k].builtin == op->builtin)
            return builtin_ops_i8[k].import(im);
    return op_err(im, "int8 %s is not supported yet (int8 tensors: %s)", im->opname,
                  "see docs/SUPPORTED.md for the int8 operators");
}

/* ---- the operators ------------------------------------------------------ */

typedef struct {
    int32_t builtin;
    int (*import)(tim *im);
} tfl_op_row;

static const tfl_op_row builtin_ops[] = {
    {TFL_OP_CONV_2D, op_conv},
    {TFL_OP_SPLIT, op_split},
    {TFL_OP_DEPTHWISE_CONV_2D, op_conv},
    {TFL_OP_FULLY_CONNECTED, op_fully_connected},
    {TFL_OP_ADD, op_elementwise},
    {TFL_OP_SUB, op_elementwise},
    {TFL_OP_MUL, op_elementwise},
    {TFL_OP_DIV, op_elementwise},
    {TFL_OP_AVERAGE_POOL_2D, op_pool},
    {TFL_OP_MAX_POOL_2D, op_pool},
    {TFL_OP_MEAN, op_mean},
    {TFL_OP_PAD, op_pad},
    {TFL_OP_PADV2, op_pad},
    {TFL_OP_RESHAPE, op_reshape},
    {TFL_OP_SOFTMAX, op_softmax},
    {TFL_OP_CONCATENATION, op_concat},
    {TFL_OP_RELU, op_activation},
    {TFL_OP_RELU6, op_activation},
    {TFL_OP_RELU_N1_TO_1, op_activation},
    {TFL_OP_LOGISTIC, op_activation},
    {TFL_OP_TANH, op_activation},
    {TFL_OP_LEAKY_RELU, op_activation},
    {TFL_OP_HARD_SWISH, op_activation},
    {TFL_OP_PRELU, op_prelu},
    {TFL_OP_ROUND, op_round},
    {TFL_OP_MINIMUM, op_minmax},
    {TFL_OP_MAXIMUM, op_minmax},
    {TFL_OP_QUANTIZE, op_requant},
    {TFL_OP_DEQUANTIZE, op_requant},
    {TFL_OP_SHAPE, op_shape},
    {TFL_OP_STRIDED_SLICE, op_strided_slice},
    {TFL_OP_PACK, op_pack},
};

static int (*lce_ops[])(tim *im) = {
    [TFL_LCE_QUANTIZE] = op_lce_quantize,
    [TFL_LCE_DEQUANTIZE] = op_lce_dequantize,
    [TFL_LCE_BCONV2D] = op_lce_bconv,
    [TFL_LCE_BMAXPOOL2D] = op_pool,
};

static int import_op(tim *im)
{
    const tfl_operator *op = im->op;
    size_t k;
    if (op->builtin != TFL_OP_CUSTOM && (is_i8(im, 0, 0) || is_i8(im, 0, 1)))
        return import_op_i8(im);
    if (op->builtin == TFL_OP_CUSTOM) {
        if (op->lce != TFL_LCE_NONE)
            return lce_ops[op->lce](im);
        return op_err(im, "custom operator '%s' is not supported", im->opname);
    }
    for (k = 0; k < sizeof builtin_ops / sizeof *builtin_ops; k++)
        if (builtin_ops[k].builtin == op->builtin)
            return builtin_ops[k].import(im);
    return op_err(im, "operator %s is not supported", im->opname);
}

/* Every operator's run-time tensors are float32, int8, or int32 (LCE's
 * bitpacked tensors, shapes): anything else (uint8 quantized models,
 * float16...) is rejected up front, naming the first operator that
 * touches such a tensor. */
static int check_types(tim *im)
{
    size_t i, k;
    for (i = 0; i < im->sg->nops; i++) {
        const tfl_operator *op = &im->sg->ops[i];
        for (k = 0; k < op->ninputs + op->noutputs; k++) {
            int out = k >= op->ninputs;
            int32_t ti = out ? op->outputs[k - op->ninputs] : op->inputs[k];
            const tfl_tensor *t;
            if (ti < 0 || is_const(im, ti))
                continue;
            t = tensor(im, ti);
            if (t->type == TFL_FLOAT32 || t->type == TFL_INT32 || t->type == TFL_INT64 ||
                t->type == TFL_INT8)
                continue;
            im->opi = i;
            im->op = op;
            im->opname = tfl_op_name(im->m, op);
            return op_err(im, "%s %zu ('%s') is %s: %s tensors are not supported yet "
                          "(only float32 and int8 models)", out ? "output" : "input",
                          out ? k - op->ninputs : k, tname(t, ti), tfl_type_name(t->type),
                          tfl_type_name(t->type));
        }
    }
    return 0;
}

/* The data inputs: INPUT nodes shaped as in the file (NHWC) or as
 * --input says, transposed to NCHW when 4-D. */
/* The channel count of the bitpacked model input ti (LCE's int32 words
 * hold only ceil(C / 32) per pixel): channels_in of the LceBconv2d that
 * reads it, or the channels of the LceDequantize output, through any
 * LceBMaxPool2d in between. 0 when no reader says. */
static int64_t bitpacked_channels(tim *im, int32_t ti, int depth)
{
    size_t i, k;
    for (i = 0; i < im->sg->nops && depth < 64; i++) {
        const tfl_operator *op = &im->sg->ops[i];
        ir_shape s;
        for (k = 0; k < op->ninputs; k++) {
            if (op->inputs[k] != ti)
                continue;
            if (op->lce == TFL_LCE_BCONV2D && k == 0)
                return op->opt.bconv2d.channels_in;
            if (op->lce == TFL_LCE_DEQUANTIZE && op->noutputs && op->outputs[0] >= 0 &&
                !tshape(im, op->outputs[0], &s) && s.ndim == 4)
                return s.d[3];
            if (op->lce == TFL_LCE_BMAXPOOL2D && op->noutputs && op->outputs[0] >= 0)
                return bitpacked_channels(im, op->outputs[0], depth + 1);
        }
    }
    return 0;
}

/* Bitpacked model input ti of NHWC word shape s: an INPUT of the NCHW
 * value whose signs the words hold (ir.h, IR_ELEM_BITS). */
static int bitpacked_input(tim *im, int32_t ti, const ir_shape *s)
{
    const tfl_tensor *t = tensor(im, ti);
    tval *v = &im->tv[ti];
    int64_t c = bitpacked_channels(im, ti, 0);
    ir_node *n;
    if (s->ndim != 4)
        return bnnc_errf(im->err, "%s: input '%s' is int32 of %d dimensions; a bitpacked "
                         "input (LCE's int32 words) must be 4-D (NHWC)", im->m->path,
                         t->name, s->ndim);
    if (c < 1 || c > INT32_MAX || (c + 31) / 32 != s->d[3])
        return bnnc_errf(im->err, "%s: input '%s' is int32 of %lld words per pixel, but %s; "
                         "a bitpacked input needs an LceBconv2d or LceDequantize reader "
                         "whose channel count fills that many words", im->m->path, t->name,
                         (long long)s->d[3],
                         c ? "its reader has another channel count"
                           : "no LceBconv2d or LceDequantize reads it");
    n = ir_node_add(im->g, IR_OP_INPUT, t->name[0] ? t->name : "input", "input", -1);
    n->shape = xcalloc(1, sizeof *n->shape);
    n->shape[0].ndim = 4;
    n->shape[0].d[0] = s->d[0];
    n->shape[0].d[1] = c;
    n->shape[0].d[2] = s->d[1];
    n->shape[0].d[3] = s->d[2];
    n->q.elem = IR_ELEM_BITS;
    memset(v, 0, sizeof *v);
    v->kind = TV_VALUE;
    v->ref = ref_of(n);
    v->nchw = 1;
    v->packed = 1;
    v->shape = *s;
    v->shape.d[3] = c;
    return 0;
}

static int import_inputs(tim *im, const bnnc_input *inputs, int n_inputs)
{
    const tfl_subgraph *sg = im->sg;
    size_t i;
    int k, d;
    char a[96], b[96];
    im->batch = 1;
    im->opname = "input";
    /* the batch: from --input of any input with a dynamic batch */
    for (i = 0; i < sg->ninputs; i++) {
        const tfl_tensor *t = tensor(im, sg->inputs[i]);
        for (k = 0; k < n_inputs; k++)
            if (!strcmp(inputs[k].name, t->name) && t->has_signature && t->rank > 0 &&
                t->signature[0] < 0 && inputs[k].shape.ndim > 0)
                im->batch = inputs[k].shape.d[0];
    }
    for (i = 0; i < sg->ninputs; i++) {
        int32_t ti = sg->inputs[i];
        const tfl_tensor *t = tensor(im, ti);
        ir_shape s;
        ir_node *n;
        tval *v = &im->tv[ti];
        if (t->type != TFL_FLOAT32 && t->type != TFL_INT8 && t->type != TFL_INT32)
            return bnnc_errf(im->err, "%s: input '%s' is %s; only float32, int8 and "
                             "bitpacked (int32) inputs are supported so far", im->m->path,
                             t->name, tfl_type_name(t->type));
        im->opi = i;
        if (tshape(im, ti, &s))
            return -1;
        if (s.ndim < 1)
            return bnnc_errf(im->err, "%s: input '%s' is a scalar; inputs need at least "
                             "one dimension", im->m->path, t->name);
        for (k = 0; k < n_inputs; k++) {
            if (strcmp(inputs[k].name, t->name))
                continue;
            if (inputs[k].shape.ndim != s.ndim)
                return bnnc_errf(im->err, "%s: --input %s: %d dimensions given, the model's "
                                 "input is %s (NHWC)", im->m->path, t->name,
                                 inputs[k].shape.ndim, ir_shape_str(&s, a, sizeof a));
            for (d = 0; d < s.ndim; d++)
                if (inputs[k].shape.d[d] != s.d[d])
                    return bnnc_errf(im->err, "%s: --input %s: %s given, the model's input "
                                     "is %s (NHWC); only a dynamic batch may change",
                                     im->m->path, t->name,
                                     ir_shape_str(&inputs[k].shape, a, sizeof a),
                                     ir_shape_str(&s, b, sizeof b));
        }
        if (t->type == TFL_INT32) {
            if (bitpacked_input(im, ti, &s))
                return -1;
            continue;
        }
        n = ir_node_add(im->g, IR_OP_INPUT, t->name[0] ? t->name : "input", "input", -1);
        n->shape = xcalloc(1, sizeof *n->shape);
        n->shape[0] = s;
        memset(v, 0, sizeof *v);
        v->kind = TV_VALUE;
        v->ref = ref_of(n);
        v->shape = s;
        if (t->type == TFL_INT8) {
            /* int8 values stay in the model's order */
            if (qtype_of(im, ti, &n->q))
                return -1;
            v->i8 = 1;
            continue;
        }
        if (s.ndim == 4) {
            snprintf(im->base, sizeof im->base, "%s", n->name);
            v->ref = transpose(im, v->ref, to_nchw, 4, "/nchw");
            v->nchw = 1;
        }
    }
    return 0;
}

static int import_outputs(tim *im)
{
    const tfl_subgraph *sg = im->sg;
    size_t i;
    ir_graph *g = im->g;
    g->n_heads = (int)sg->noutputs;
    g->heads = xcalloc(sg->noutputs ? sg->noutputs : 1, sizeof *g->heads);
    im->opname = "output";
    im->op = NULL;
    for (i = 0; i < sg->noutputs; i++) {
        int32_t ti = sg->outputs[i];
        const tfl_tensor *t = tensor(im, ti);
        tval *v = &im->tv[ti];
        im->opi = i;
        snprintf(im->base, sizeof im->base, "%s", tname(t, ti));
        if (v->kind == TV_FLAT) {
            ir_ref r = transpose(im, v->ref, to_nhwc, 4, "/nhwc");
            v->ref = reshape(im, r, &v->shape, "/flatten");
            v->kind = TV_VALUE;
        }
        if (v->kind != TV_VALUE)
            return bnnc_errf(im->err, "%s: output '%s' is not computed by any operator bnnc "
                             "reads (a constant or a shape)", im->m->path, tname(t, ti));
        if (v->shape.ndim < 1)
            return bnnc_errf(im->err, "%s: output '%s' is a scalar; outputs need at least "
                             "one dimension", im->m->path, tname(t, ti));
        if (i && v->packed != g->bitpacked_heads)
            return bnnc_errf(im->err, "%s: output '%s' is %sbitpacked but output '%s' is "
                             "%sbitpacked; a model's outputs must all be bitpacked or none",
                             im->m->path, tname(t, ti), v->packed ? "" : "not ",
                             tname(tensor(im, sg->outputs[0]), sg->outputs[0]),
                             v->packed ? "not " : "");
        if (v->packed) {
            /* the signs of the real value, handed over as LCE's words */
            if (v->shape.ndim != 4 || !v->nchw)
                return bnnc_errf(im->err, "%s: bitpacked output '%s' must be 4-D (NHWC)",
                                 im->m->path, tname(t, ti));
            g->bitpacked_heads = 1;
            g->heads[i] = ref_of(node(im, IR_OP_SIGN, "/bitpacked", 1, &v->ref));
            continue;
        }
        if (v->i8 != (t->type == TFL_INT8))
            return bnnc_errf(im->err, "%s: output '%s' is %s, but bnnc computes it as %s",
                             im->m->path, tname(t, ti), tfl_type_name(t->type),
                             v->i8 ? "int8" : "float32");
        g->heads[i] = v->nchw ? transpose(im, v->ref, to_nhwc, 4, "/nhwc") : v->ref;
    }
    return 0;
}

/* Operator im->op computed at import when its inputs are all constants
 * (fold.h): its output becomes a constant. 1 when folded, 0 when not,
 * -1 on error. */
static int fold_op(tim *im)
{
    char msg[256];
    uint8_t *data = NULL;
    size_t nbytes = 0;
    int rc = tfl_fold(im->op, im->tensors, im->sg->ntensors, &data, &nbytes, msg, sizeof msg);
    if (rc < 0)
        return op_err(im, "computing it from its constants: %s", msg);
    if (rc > 0) {
        int32_t o = im->op->outputs[0];
        im->folded[o] = data;
        im->tensors[o].data = data;
        im->tensors[o].nbytes = nbytes;
    }
    return rc;
}

/* The folded data that no operator after operator i reads is freed. */
static void drop_folded(tim *im, size_t i)
{
    size_t k;
    for (k = 0; k < im->op->ninputs; k++) {
        int32_t t = im->op->inputs[k];
        if (t >= 0 && im->folded[t] && im->last_use[t] == i) {
            free(im->folded[t]);
            im->folded[t] = NULL;
            im->tensors[t].data = NULL;
            im->tensors[t].nbytes = 0;
        }
    }
}

/* last_use of every tensor (tim). */
static void find_last_uses(tim *im)
{
    size_t i, k;
    for (i = 0; i < im->sg->ntensors; i++)
        im->last_use[i] = SIZE_MAX;
    for (i = 0; i < im->sg->nops; i++)
        for (k = 0; k < im->sg->ops[i].ninputs; k++) {
            int32_t t = im->sg->ops[i].inputs[k];
            if (t >= 0)
                im->last_use[t] = i;
        }
    for (k = 0; k < im->sg->noutputs; k++)
        if (im->sg->outputs[k] >= 0)
            im->last_use[im->sg->outputs[k]] = SIZE_MAX;
}

int tfl_import_model(const tfl_model *m, const bnnc_input *inputs, int n_inputs,
                     ir_graph *g, bnnc_err *err)
{
    tim im;
    size_t i;
    int rc = -1;

    ir_graph_init(g);
    g->symbol_path = xstrdup(m->path);
    g->params_path = xstrdup("");
    g->layout = IR_LAYOUT_NCHW; /* inside; the edges stay NHWC (import.h) */
    if (m->nsubgraphs < 1)
        return bnnc_errf(err, "%s: the model has no subgraph", m->path);
    memset(&im, 0, sizeof im);
    im.m = m;
    im.sg = &m->subgraphs[0];
    im.g = g;
    im.err = err;
    im.tv = xcalloc(im.sg->ntensors ? im.sg->ntensors : 1, sizeof *im.tv);
    im.tensors = xcalloc(im.sg->ntensors ? im.sg->ntensors : 1, sizeof *im.tensors);
    if (im.sg->ntensors)
        memcpy(im.tensors, im.sg->tensors, im.sg->ntensors * sizeof *im.tensors);
    im.folded = xcalloc(im.sg->ntensors ? im.sg->ntensors : 1, sizeof *im.folded);
    im.last_use = xcalloc(im.sg->ntensors ? im.sg->ntensors : 1, sizeof *im.last_use);
    find_last_uses(&im);
    if (check_types(&im) || import_inputs(&im, inputs, n_inputs))
        goto out;
    for (i = 0; i < im.sg->nops; i++) {
        const tfl_operator *op = &im.sg->ops[i];
        int32_t o0 = op->noutputs ? op->outputs[0] : -1;
        im.opi = i;
        im.op = op;
        im.opname = tfl_op_name(m, op);
        if (o0 >= 0 && im.sg->tensors[o0].name[0])
            snprintf(im.base, sizeof im.base, "%s", im.sg->tensors[o0].name);
        else
            snprintf(im.base, sizeof im.base, "op%zu", i);
        int folded = fold_op(&im);
        if (folded < 0 || (!folded && import_op(&im)))
            goto out;
        drop_folded(&im, i);
    }
    if (import_outputs(&im))
        goto out;
    ir_uses_rebuild(g);
    rc = 0;
out:
    for (i = 0; i < im.sg->ntensors; i++)
        free(im.folded[i]);
    free(im.folded);
    free(im.last_use);
    free(im.tensors);
    free(im.tv);
    if (rc)
        ir_graph_free(g);
    return rc;
}

int tfl_import_file(const char *path, const bnnc_input *inputs, int n_inputs, ir_graph *g,
                    bnnc_err *err)
{
    tfl_model m;
    int rc;
    ir_graph_init(g);
    if (tfl_model_load(path, &m, err))
        return -1;
    rc = tfl_import_model(&m, inputs, n_inputs, g, err);
    tfl_model_free(&m);
    return rc;
}
