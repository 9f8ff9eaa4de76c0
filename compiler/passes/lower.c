/*
 * lower.c - turn the IR into a lowered program (ir/lir.h): one runtime
 * kernel call per step, NHWC tensors, binary tensors as packed bits.
 *
 * Requires: fold_thresholds. Establishes: a program whose first step reads
 * the caller's input (NCHW, as MXNet takes it) and whose steps write the
 * graph heads, in MXNet's (NCHW / row-major) order, into the caller's
 * output buffer, one head after another.
 *
 * Layout. MXNet tensors are NCHW; inside, 4-D activations are NHWC so that
 * channels are contiguous (and packable into words). Each IR value is held
 * in one of these forms:
 *   NHWC   a 4-D (N, C, H, W) value stored NHWC
 *   ROWS   a 2-D (N, C) value (NHWC with H = W = 1; also its plain order)
 *   FLAT   Flatten of a 4-D value, still stored NHWC: dense layers read it
 *          directly with their weight columns permuted to NHWC order;
 *          anything else first converts it to row-major order
 *   PLAIN  any other rank, row-major (only reshapes and elementwise ops)
 * Conversions happen only at the edges and where an op needs MXNet's
 * element order (Reshape, transpose, heads).
 *
 * Binary values: a sign (or a binary layer with thresholds) makes a value
 * "bits"; binary layers read bits, float ops read floats, and pack/unpack
 * steps are inserted where the representation changes.
 */
#include "lower.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/mem.h"
#include "bnn_ops.h"
#include "requant_i8.h"

typedef enum { F_NONE, F_NHWC, F_ROWS, F_FLAT, F_PLAIN } vform;

/* How an IR value (node, output) is held. */
typedef struct {
    int t;        /* tensor id */
    vform form;
    int bits;     /* LIR_BITS tensor */
    ir_shape shape; /* MXNet's logical shape */
} lval;

typedef struct {
    ir_graph *g;
    lir_program *p;
    const lower_options *o;
    bnnc_err *err;
    lval **vals;  /* per node, per output */
    int *packed;  /* per tensor id: its sign-packed copy, or -1 */
    size_t npacked;
} lower_ctx;

static int err_node(lower_ctx *x, const ir_node *n, const char *what)
{
    return ir_node_errf(x->g, n, x->err, "%s", what);
}

static lir_step *step(lower_ctx *x, lir_kind k, const ir_node *n)
{
    return lir_step_add(x->p, k, n ? n->id : -1, n ? n->name : "",
                        n ? n->src_op : "");
}

static void set_io(lir_step *s, int in0, int in1, int out)
{
    s->in[0] = in0;
    s->in[1] = in1;
    s->n_in = (in0 >= 0) + (in1 >= 0);
    s->out = out;
}

static int add_const(lower_ctx *x, lir_step *s, lir_ctype t, size_t count,
                     void *data, const char *role)
{
    int id = lir_const_add(x->p, t, count, data, role);
    x->p->c[id].step = (int)(s - x->p->s);
    s->consts[s->n_consts++] = id;
    return id;
}

static float *f32_copy_d(const double *v, int64_t n)
{
    float *f = xmalloc(sizeof(float) * (size_t)(n ? n : 1));
    int64_t i;
    for (i = 0; i < n; i++)
        f[i] = (float)v[i];
    return f;
}

static lval const_value(lower_ctx *x, const ir_node *n);
static int i8_tensor(lower_ctx *x, const ir_shape *s, const char *name);
static lval i8_value(int t, const ir_shape *s);

/* How the value r is held; a constant (operands: one with values) is
 * materialised as a read-only tensor the first time it is read. */
static lval value_of(lower_ctx *x, ir_ref r)
{
    const ir_node *n = x->g->nodes[r.node];
    if (n->op == IR_OP_CONST && x->vals[r.node][0].form == F_NONE)
        x->vals[r.node][0] = const_value(x, n);
    return x->vals[r.node][r.out];
}

static int32_t i32(int64_t v)
{
    return (int32_t)v;
}

/* A new arena tensor holding the 4-D value s in NHWC, or a 2-D (N, C). */
static int new_tensor(lower_ctx *x, lir_dtype dt, const ir_shape *s,
                      vform form, const char *name)
{
    switch (form) {
    case F_NHWC:
        return lir_tensor_add(x->p, dt, i32(s->d[0]), i32(s->d[2]), i32(s->d[3]),
                              i32(s->d[1]), name);
    case F_ROWS:
        return lir_tensor_add(x->p, dt, i32(s->d[0]), 1, 1,
                              i32(s->ndim > 1 ? s->d[1] : 1), name);
    default: {
        int64_t rest = ir_shape_count(s) / (s->ndim ? s->d[0] : 1);
        return lir_tensor_add(x->p, dt, i32(s->ndim ? s->d[0] : 1), 1, 1, i32(rest),
                              name);
    }
    }
}

static vform form_for(const ir_shape *s)
{
    return s->ndim == 4 ? F_NHWC : s->ndim == 2 ? F_ROWS : F_PLAIN;
}

/* Float version of v (unpacks bits). */
static lval as_float(lower_ctx *x, lval v, const ir_node *n)
{
    const lir_tensor *t;
    lir_step *s;
    lval r = v;
    if (!v.bits)
        return v;
    t = &x->p->t[v.t];
    r.t = lir_tensor_add(x->p, LIR_F32, t->n, t->h, t->w, t->c, t->name);
    r.bits = 0;
    t = &x->p->t[v.t];
    s = step(x, LK_UNPACK, n);
    set_io(s, v.t, -1, r.t);
    s->p.copy.k.pixels = t->n * t->h * t->w;
    s->p.copy.k.c = t->c;
    s->p.copy.k.in_pixel_stride = t->stride;
    s->p.copy.k.out_pixel_stride = x->p->t[r.t].stride;
    snprintf(s->what, sizeof s->what, "bits -> +-1.0f, %d channels", t->c);
    return r;
}

/* Record that tensor `bits` holds the sign-packed copy of tensor `t`. */
static void remember_pack(lower_ctx *x, int t, int bits)
{
    if ((size_t)t >= x->npacked) {
        size_t n = (size_t)t * 2 + 16, i;
        x->packed = xrealloc(x->packed, sizeof *x->packed * n);
        for (i = x->npacked; i < n; i++)
            x->packed[i] = -1;
        x->npacked = n;
    }
    x->packed[t] = bits;
}

/* Sign-packed version of v (x < 0 -> bit 1). */
static lval as_bits(lower_ctx *x, lval v, const ir_node *n)
{
    const lir_tensor *t;
    lir_step *s;
    lval r = v;
    if (v.bits)
        return v;
    if ((size_t)v.t < x->npacked && x->packed[v.t] >= 0) {
        /* packed before (several binary layers read one tensor) */
        r.t = x->packed[v.t];
        r.bits = 1;
        return r;
    }
    t = &x->p->t[v.t];
    r.t = lir_tensor_add(x->p, LIR_BITS, t->n, t->h, t->w, t->c, t->name);
    r.bits = 1;
    remember_pack(x, v.t, r.t);
    t = &x->p->t[v.t];
    s = step(x, LK_PACK, n);
    set_io(s, v.t, -1, r.t);
    s->p.copy.k.pixels = t->n * t->h * t->w;
    s->p.copy.k.c = t->c;
    s->p.copy.k.in_pixel_stride = t->stride;
    s->p.copy.k.out_pixel_stride = x->p->t[r.t].stride;
    snprintf(s->what, sizeof s->what, "sign-pack %d channels", t->c);
    return r;
}

/* A view of tensor t with another geometry (same bytes, same order). */
static int reinterpret(lower_ctx *x, int t, const ir_shape *s, vform form)
{
    lir_tensor *base = &x->p->t[t];
    lir_dtype dt = base->dt;
    int v = new_tensor(x, dt, s, form, base->name);
    lir_tensor *vt = &x->p->t[v];
    BNNC_ASSERT(vt->bytes == x->p->t[t].bytes);
    vt->storage = LIR_VIEW;
    vt->view_of = t;
    vt->view_offset = 0;
    return v;
}

/* Row-major (MXNet order) float tensor holding v. */
static int to_plain(lower_ctx *x, lval v, const ir_node *n)
{
    const lir_tensor *t;
    lir_step *s;
    int out;
    v = as_float(x, v, n);
    if (v.form == F_ROWS || v.form == F_PLAIN)
        return v.t;
    t = &x->p->t[v.t];
    out = lir_tensor_add(x->p, LIR_F32, t->n, 1, 1, t->c * t->h * t->w, t->name);
    t = &x->p->t[v.t];
    s = step(x, LK_NHWC_TO_NCHW, n);
    set_io(s, v.t, -1, out);
    s->p.layout.n = t->n;
    s->p.layout.c = t->c;
    s->p.layout.h = t->h;
    s->p.layout.w = t->w;
    snprintf(s->what, sizeof s->what, "NHWC -> NCHW");
    return out;
}

/* The canonical form of the row-major float tensor t holding shape s. */
static lval from_plain(lower_ctx *x, int t, const ir_shape *s, const ir_node *n)
{
    lval r;
    memset(&r, 0, sizeof r);
    r.shape = *s;
    r.form = form_for(s);
    if (r.form == F_NHWC) {
        lir_step *st;
        r.t = new_tensor(x, LIR_F32, s, F_NHWC, n->name);
        st = step(x, LK_NCHW_TO_NHWC, n);
        set_io(st, t, -1, r.t);
        st->p.layout.n = i32(s->d[0]);
        st->p.layout.c = i32(s->d[1]);
        st->p.layout.h = i32(s->d[2]);
        st->p.layout.w = i32(s->d[3]);
        snprintf(st->what, sizeof st->what, "NCHW -> NHWC");
    } else {
        r.t = reinterpret(x, t, s, r.form);
    }
    return r;
}

/* A float value in NHWC or ROWS form (FLAT and PLAIN are converted). */
static lval as_canonical(lower_ctx *x, lval v, const ir_node *n)
{
    if (v.form == F_NHWC || v.form == F_ROWS)
        return v;
    if (v.form == F_FLAT) {
        int t = to_plain(x, v, n);
        return from_plain(x, t, &v.shape, n);
    }
    return v;
}

/* Pixels and channels of a canonical value (axis 1 = channels). */
static void pixels_channels(const lower_ctx *x, lval v, int32_t *pixels, int32_t *c)
{
    const lir_tensor *t = &x->p->t[v.t];
    *pixels = t->n * t->h * t->w;
    *c = t->c;
}

/* ------------------------------------------------------------------ */

/* Runtime layout of binary conv weights from +-1 values (O, Cg, kh, kw). */
static uint32_t *pack_bconv_weights(const ir_bin_attr *b, size_t *words)
{
    int32_t o_c = i32(b->w_shape.d[0]), cg = i32(b->w_shape.d[1]);
    int32_t kh = b->conv.kernel[0], kw = b->conv.kernel[1];
    size_t nw = bnn_bconv2d_weight_words(o_c, kh, kw, cg);
    uint32_t *w = xcalloc(nw, sizeof *w);
    int32_t o, ci, ky, kx;
    for (o = 0; o < o_c; o++)
        for (ci = 0; ci < cg; ci++)
            for (ky = 0; ky < kh; ky++)
                for (kx = 0; kx < kw; kx++) {
                    int8_t v = b->w[((o * cg + ci) * kh + ky) * kw + kx];
                    if (v < 0)
                        w[bnn_bconv2d_weight_index(kh, kw, cg, o, ky, kx, ci / 32)] |=
                            1u << (ci % 32);
                }
    *words = nw;
    return w;
}

/* Runtime layout of binary dense weights. The input row is `in_words`
 * words: for a 4-D NHWC input (hh, ww, cc, stride words per pixel) bit j
 * of word q is channel (q % stride)*32 + j of pixel q / stride, which is
 * MXNet's flattened index c*hh*ww + pixel; for 2-D input it is q*32 + j. */
static uint32_t *pack_bdense_weights(const ir_bin_attr *b, int32_t in_words,
                                     int nhwc, int32_t hh, int32_t ww,
                                     int32_t cc, int32_t stride, size_t *words)
{
    int32_t o_c = i32(b->w_shape.d[0]);
    int64_t k = b->w_shape.d[1];
    size_t nw = bnn_bdense_weight_words(o_c, in_words);
    uint32_t *w = xcalloc(nw, sizeof *w);
    int32_t o, q, j;
    for (o = 0; o < o_c; o++)
        for (q = 0; q < in_words; q++)
            for (j = 0; j < 32; j++) {
                int64_t idx;
                if (nhwc) {
                    int32_t pix = q / stride, c = (q % stride) * 32 + j;
                    if (c >= cc)
                        continue;
                    idx = (int64_t)c * hh * ww + pix;
                } else {
                    idx = (int64_t)q * 32 + j;
                    if (idx >= k)
                        continue;
                }
                if (b->w[o * k + idx] < 0)
                    w[bnn_bdense_weight_index(in_words, o, q)] |= 1u << j;
            }
    *words = nw;
    return w;
}

/* Per-channel output transform constants of a binary layer: thresholds,
 * or mul and add, the latter in the order b->out_shift asks for (ir.h). */
static void binary_outputs(lower_ctx *x, lir_step *s, const ir_bin_attr *b,
                           int64_t ch)
{
    if (!b->out_bits && b->out_shift) {
        float *add = xmalloc(sizeof *add * (size_t)ch);
        int64_t c;
        for (c = 0; c < ch; c++)
            add[c] = (float)(b->out_b[c] + (double)b->out_shift * b->out_a[c]);
        add_const(x, s, LC_F32, (size_t)ch, f32_copy_d(b->out_a, ch), "mul");
        add_const(x, s, LC_F32, (size_t)ch, add, "add");
        return;
    }
    if (b->out_bits) {
        int32_t *t = xmalloc(sizeof *t * (size_t)ch);
        uint8_t *d = xmalloc((size_t)ch);
        memcpy(t, b->thresh, sizeof *t * (size_t)ch);
        memcpy(d, b->dir, (size_t)ch);
        add_const(x, s, LC_I32, (size_t)ch, t, "thr");
        add_const(x, s, LC_U8, (size_t)ch, d, "dir");
    } else {
        add_const(x, s, LC_F32, (size_t)ch, f32_copy_d(b->out_a, ch), "mul");
        add_const(x, s, LC_F32, (size_t)ch, f32_copy_d(b->out_b, ch), "add");
    }
}

static const char *pad_name(ir_pad_mode m)
{
    return m == IR_PAD_MINUS_ONE ? "-1" : m == IR_PAD_ZERO ? "0" : "+1";
}

/* The geometry fields, named alike in bnn_bconv2d_params and
 * bnn_conv2d_params, of a convolution from input tensor IT to output
 * shape SHAPE (NCHW) with attributes A (ir_conv_attr). */
#define SET_CONV_GEOMETRY(Q, IT, SHAPE, A)                                     \
    do {                                                                       \
        (Q)->n = (IT)->n;                                                      \
        (Q)->in_h = (IT)->h;                                                   \
        (Q)->in_w = (IT)->w;                                                   \
        (Q)->in_c = (IT)->c;                                                   \
        (Q)->out_h = i32((SHAPE)->d[2]);                                       \
        (Q)->out_w = i32((SHAPE)->d[3]);                                       \
        (Q)->out_c = i32((SHAPE)->d[1]);                                       \
        (Q)->k_h = (A)->kernel[0];                                             \
        (Q)->k_w = (A)->kernel[1];                                             \
        (Q)->stride_h = (A)->stride[0];                                        \
        (Q)->stride_w = (A)->stride[1];                                        \
        (Q)->pad_h = (A)->pad[0];                                              \
        (Q)->pad_w = (A)->pad[1];                                              \
        (Q)->dil_h = (A)->dilate[0];                                           \
        (Q)->dil_w = (A)->dilate[1];                                           \
        (Q)->groups = (A)->num_group;                                          \
    } while (0)

static int lower_bconv(lower_ctx *x, ir_node *n)
{
    const ir_bin_attr *b = &n->a.b;
    lval in = value_of(x, n->in[0]), out;
    bnn_bconv2d_params *q;
    lir_step *s;
    const lir_tensor *it;
    lir_tensor itv; /* snapshot: adding tensors may move the table */
    size_t words;
    uint32_t *w;

    if (in.form != F_NHWC)
        in = as_canonical(x, as_float(x, in, n), n);
    if (in.form != F_NHWC)
        return err_node(x, n, "binary convolution input is not 4-D");
    in = as_bits(x, in, n);
    memset(&out, 0, sizeof out);
    out.shape = n->shape[0];
    out.form = F_NHWC;
    out.bits = b->out_bits;
    out.t = new_tensor(x, b->out_bits ? LIR_BITS : LIR_F32, &out.shape, F_NHWC, n->name);
    s = step(x, b->out_bits ? LK_BCONV_B : LK_BCONV_F32, n);
    set_io(s, in.t, -1, out.t);
    itv = x->p->t[in.t];
    it = &itv;
    q = &s->p.bconv;
    SET_CONV_GEOMETRY(q, it, &out.shape, &b->conv);
    q->pad_mode = b->pad_mode == IR_PAD_MINUS_ONE ? BNN_PAD_MINUS_ONE
                  : b->pad_mode == IR_PAD_ZERO   ? BNN_PAD_ZERO
                                                 : BNN_PAD_PLUS_ONE;
    q->out_pixel_stride = x->p->t[out.t].stride;
    if (!b->out_bits) {
        q->dot_offset = -b->out_shift;
        q->dot_clamp = b->clamp;
        q->dot_lo = b->clamp_lo;
        q->dot_hi = b->clamp_hi;
    }
    w = pack_bconv_weights(b, &words);
    add_const(x, s, LC_U32, words, w, "w");
    binary_outputs(x, s, b, out.shape.d[1]);
    if (bnn_bconv2d_scratch_bytes(q)) {
        s->scratch = lir_tensor_add(x->p, LIR_U8, 1, 1, 1,
                                    i32((int64_t)bnn_bconv2d_scratch_bytes(q)), "scratch");
        x->p->t[s->scratch].scratch = 1;
    }
    snprintf(s->what, sizeof s->what,
             "%dx%d s%d p%d%s%s, %d->%d, binary in, %s out", q->k_h, q->k_w,
             q->stride_h, q->pad_h, q->pad_h || q->pad_w ? " pad " : "",
             q->pad_h || q->pad_w ? pad_name(b->pad_mode) : "", q->in_c, q->out_c,
             b->out_bits ? "bits" : "float");
    x->vals[n->id][0] = out;
    return 0;
}

static int lower_bdense(lower_ctx *x, ir_node *n)
{
    const ir_bin_attr *b = &n->a.b;
    lval in = value_of(x, n->in[0]), out;
    bnn_bdense_params *q;
    lir_step *s;
    const lir_tensor *it;
    lir_tensor itv; /* snapshot: adding tensors may move the table */
    int nhwc;
    size_t words;
    uint32_t *w;

    if (in.form == F_PLAIN)
        return err_node(x, n, "binary dense input is neither 2-D nor 4-D");
    in = as_bits(x, in, n);
    itv = x->p->t[in.t];
    it = &itv;
    nhwc = in.form == F_NHWC || in.form == F_FLAT;
    memset(&out, 0, sizeof out);
    out.shape = n->shape[0];
    out.form = F_ROWS;
    out.bits = b->out_bits;
    out.t = new_tensor(x, b->out_bits ? LIR_BITS : LIR_F32, &out.shape, F_ROWS, n->name);
    s = step(x, b->out_bits ? LK_BDENSE_B : LK_BDENSE_F32, n);
    set_io(s, in.t, -1, out.t);
    q = &s->p.bdense;
    q->n = it->n;
    q->in_words = it->h * it->w * it->stride;
    q->k = i32(b->w_shape.d[1]);
    q->out_c = i32(b->w_shape.d[0]);
    q->out_row_stride = x->p->t[out.t].stride;
    w = pack_bdense_weights(b, q->in_words, nhwc, it->h, it->w, it->c, it->stride, &words);
    add_const(x, s, LC_U32, words, w, "w");
    binary_outputs(x, s, b, q->out_c);
    snprintf(s->what, sizeof s->what, "%d->%d, binary in, %s out", q->k, q->out_c,
             b->out_bits ? "bits" : "float");
    x->vals[n->id][0] = out;
    return 0;
}

/* Float conv: weights [g][kh][kw][cg][og] from MXNet (O, Cg, kh, kw). */
/* A float convolution step of n reading `in` (float NHWC) with geometry c,
 * weights w in (O, C/g, kh, kw) order and an optional bias (both copied);
 * output shape out_shape. Sets n's value. */
static int conv_step(lower_ctx *x, ir_node *n, lval in, const ir_shape *out_shape,
                     const ir_conv_attr *c, const float *wsrc, const float *bias)
{
    bnn_conv2d_params *q;
    lir_step *s;
    const lir_tensor *it;
    lir_tensor itv; /* snapshot: adding tensors may move the table */
    int32_t g, oi, ci, ky, kx, cg, og;
    lval out;
    float *w;
    int fma;

    memset(&out, 0, sizeof out);
    out.shape = *out_shape;
    out.form = F_NHWC;
    out.t = new_tensor(x, LIR_F32, &out.shape, F_NHWC, n->name);
    s = step(x, LK_CONV_F32, n);
    set_io(s, in.t, -1, out.t);
    itv = x->p->t[in.t];
    it = &itv;
    q = &s->p.conv;
    SET_CONV_GEOMETRY(q, it, &out.shape, c);
    q->act = c->relu ? BNN_ACT_RELU : BNN_ACT_NONE;
    q->out_pixel_stride = x->p->t[out.t].stride;
    /* the frontend's rounding when it fixed one (TFLite's kernels);
     * otherwise single-group convolutions fuse each product into the sum
     * (the float peak of cores with fused multiply-add units) unless
     * --fma off */
    fma = c->order_fixed ? c->fma : !x->o->separate_sums && q->groups == 1;
    q->order = fma ? BNN_CONV_ORDER_FMA
               : c->bias_first && q->in_c == q->groups && q->out_c == q->groups
                   ? BNN_CONV_ORDER_BIAS
                   : BNN_CONV_ORDER_SUM;
    cg = q->in_c / q->groups;
    og = q->out_c / q->groups;
    w = xmalloc(sizeof(float) * (size_t)q->out_c * (size_t)cg * (size_t)q->k_h * (size_t)q->k_w);
    for (g = 0; g < q->groups; g++)
        for (oi = 0; oi < og; oi++)
            for (ci = 0; ci < cg; ci++)
                for (ky = 0; ky < q->k_h; ky++)
                    for (kx = 0; kx < q->k_w; kx++)
                        w[bnn_conv2d_weight_index(q->k_h, q->k_w, cg, og, g, ky, kx, ci, oi)] =
                            wsrc[(((size_t)(g * og + oi) * (size_t)cg + (size_t)ci) * (size_t)q->k_h +
                                  (size_t)ky) * (size_t)q->k_w + (size_t)kx];
    add_const(x, s, LC_F32, (size_t)q->out_c * (size_t)cg * (size_t)q->k_h * (size_t)q->k_w, w, "w");
    if (bias) {
        float *bv = xmalloc(sizeof(float) * (size_t)q->out_c);
        memcpy(bv, bias, sizeof(float) * (size_t)q->out_c);
        add_const(x, s, LC_F32, (size_t)q->out_c, bv, "b");
    }
    if (bnn_conv2d_f32_scratch_bytes(q)) {
        s->scratch = lir_tensor_add(x->p, LIR_U8, 1, 1, 1,
                                    i32((int64_t)bnn_conv2d_f32_scratch_bytes(q)), "scratch");
        x->p->t[s->scratch].scratch = 1;
    }
    snprintf(s->what, sizeof s->what, "%dx%d s%d p%d d%d g%d, %d->%d, float%s%s%s",
             q->k_h, q->k_w, q->stride_h, q->pad_h, q->dil_h, q->groups, q->in_c,
             q->out_c, n->weight_only_binary ? ", +-1 weights" : "",
             c->relu ? ", relu" : "",
             fma ? ", fused multiply-adds from the bias"
             : q->order == BNN_CONV_ORDER_BIAS ? ", sums from the bias" : "");
    x->vals[n->id][0] = out;
    return 0;
}

static int lower_conv(lower_ctx *x, ir_node *n)
{
    const ir_node *wn = x->g->nodes[n->in[1].node];
    lval in = as_canonical(x, as_float(x, value_of(x, n->in[0]), n), n);
    if (in.form != F_NHWC)
        return err_node(x, n, "convolution input is not 4-D");
    return conv_step(x, n, in, &n->shape[0], &n->a.conv, wn->a.c.f,
                     n->a.conv.no_bias ? NULL : x->g->nodes[n->in[2].node]->a.c.f);
}

/* One gather step: out (in's batch and channels, out_h x out_w) takes row
 * rows[y] and column cols[x] of in, or `fill` where either is -1. The maps
 * are taken (owned by the step's constants). */
static lval gather_hw(lower_ctx *x, const ir_node *n, lval in, int32_t out_h, int32_t out_w,
                      int32_t *rows, int32_t *cols, float fill, const char *what)
{
    lval out;
    lir_step *s;
    memset(&out, 0, sizeof out);
    out.shape = in.shape;
    out.shape.d[2] = out_h;
    out.shape.d[3] = out_w;
    out.form = F_NHWC;
    out.t = new_tensor(x, LIR_F32, &out.shape, F_NHWC, n->name);
    s = step(x, LK_GATHER_HW, n);
    set_io(s, in.t, -1, out.t);
    s->p.gather.n = i32(in.shape.d[0]);
    s->p.gather.in_h = i32(in.shape.d[2]);
    s->p.gather.in_w = i32(in.shape.d[3]);
    s->p.gather.c = i32(in.shape.d[1]);
    s->p.gather.out_h = out_h;
    s->p.gather.out_w = out_w;
    s->p.gather.fill = fill;
    add_const(x, s, LC_I32, (size_t)out_h, rows, "rows");
    add_const(x, s, LC_I32, (size_t)out_w, cols, "cols");
    snprintf(s->what, sizeof s->what, "%s", what);
    return out;
}

/* Transposed convolution as a convolution: its input, with stride - 1
 * zeros between pixels and dilate * (kernel - 1) - pad zeros around
 * (adj more at the end; a negative amount crops), is convolved with
 * stride 1 by the kernels flipped in both axes, input and output channels
 * exchanged within each group. The zeros and the crop are one gather step
 * whose maps say which input row/column each row/column comes from. */
static int lower_deconv(lower_ctx *x, ir_node *n)
{
    const ir_deconv_attr *d = &n->a.deconv;
    const ir_node *wn = x->g->nodes[n->in[1].node];
    lval in = as_canonical(x, as_float(x, value_of(x, n->in[0]), n), n), mid;
    const ir_shape *os = &n->shape[0];
    ir_conv_attr c;
    int32_t *maps[2], ext[2];
    int64_t cin, cig, cog, g, ci, co, ky, kx, kh, kw;
    char what[96];
    float *w;
    int a, j, rc;

    if (in.form != F_NHWC)
        return err_node(x, n, "transposed convolution input is not 4-D");
    for (a = 0; a < 2; a++) {
        int64_t before = (int64_t)d->dilate[a] * (d->kernel[a] - 1) - d->pad[a];
        ext[a] = i32(os->d[2 + a] + (int64_t)d->dilate[a] * (d->kernel[a] - 1));
        maps[a] = xmalloc(sizeof(int32_t) * (size_t)ext[a]);
        for (j = 0; j < ext[a]; j++) {
            int64_t k = j - before;
            maps[a][j] = k >= 0 && k % d->stride[a] == 0 && k / d->stride[a] < in.shape.d[2 + a]
                             ? i32(k / d->stride[a])
                             : -1;
        }
    }
    snprintf(what, sizeof what, "stride %dx%d zeros inserted, padded for the transposed "
             "convolution", d->stride[0], d->stride[1]);
    mid = gather_hw(x, n, in, ext[0], ext[1], maps[0], maps[1], 0.0f, what);

    /* weights (C, F/g, kh, kw) -> (F, C/g, kh, kw), flipped */
    cin = in.shape.d[1];
    cig = cin / d->num_group;
    cog = d->num_filter / d->num_group;
    kh = d->kernel[0];
    kw = d->kernel[1];
    w = xmalloc(sizeof(float) * (size_t)(d->num_filter * cig * kh * kw));
    for (g = 0; g < d->num_group; g++)
        for (co = 0; co < cog; co++)
            for (ci = 0; ci < cig; ci++)
                for (ky = 0; ky < kh; ky++)
                    for (kx = 0; kx < kw; kx++)
                        w[(((g * cog + co) * cig + ci) * kh + ky) * kw + kx] =
                            wn->a.c.f[(((g * cig + ci) * cog + co) * kh + (kh - 1 - ky)) * kw +
                                      (kw - 1 - kx)];
    memset(&c, 0, sizeof c);
    c.kernel[0] = d->kernel[0];
    c.kernel[1] = d->kernel[1];
    c.stride[0] = c.stride[1] = 1;
    c.dilate[0] = d->dilate[0];
    c.dilate[1] = d->dilate[1];
    c.num_filter = d->num_filter;
    c.num_group = d->num_group;
    c.no_bias = d->no_bias;
    rc = conv_step(x, n, mid, os, &c, w, d->no_bias ? NULL : x->g->nodes[n->in[2].node]->a.c.f);
    free(w);
    return rc;
}

/* Float dense; a 4-D (or flattened 4-D) input is read in NHWC order with
 * the weight columns permuted to match. */
static int lower_dense(lower_ctx *x, ir_node *n)
{
    const ir_dense_attr *d = &n->a.dense;
    const ir_node *wn = x->g->nodes[n->in[1].node];
    lval in = as_float(x, value_of(x, n->in[0]), n), out;
    bnn_dense_params *q;
    lir_step *s;
    const lir_tensor *it;
    lir_tensor itv;
    int32_t o, k, rows;
    float *w;

    if (wn->op != IR_OP_CONST)
        return err_node(x, n, "weights are not constant");
    if (!d->flatten && in.shape.ndim != 2) {
        /* over the last axis of a row-major tensor (a vector is one row) */
        int t = to_plain(x, in, n);
        k = i32(in.shape.d[in.shape.ndim - 1]);
        rows = i32(ir_shape_count(&in.shape) / k);
        in.t = reinterpret(x, t, &(ir_shape){2, {rows, k}}, F_ROWS);
        in.form = F_ROWS;
    }
    if (in.form == F_PLAIN) {
        ir_shape s2 = {2, {in.shape.d[0], ir_shape_count(&in.shape) / in.shape.d[0]}};
        in.t = reinterpret(x, in.t, &s2, F_ROWS);
        in.form = F_ROWS;
    }
    itv = x->p->t[in.t]; /* a copy: adding tensors below may move the table */
    it = &itv;
    rows = it->n;
    k = it->c * it->h * it->w;
    memset(&out, 0, sizeof out);
    out.shape = n->shape[0];
    out.form = form_for(&out.shape);
    if (out.form != F_ROWS) {
        out.form = F_PLAIN;
    }
    out.t = lir_tensor_add(x->p, LIR_F32, rows, 1, 1, d->num_hidden, n->name);
    s = step(x, LK_DENSE_F32, n);
    set_io(s, in.t, -1, out.t);
    q = &s->p.dense;
    q->n = rows;
    q->k = k;
    q->out_c = d->num_hidden;
    q->act = d->relu ? BNN_ACT_RELU : BNN_ACT_NONE;
    q->out_row_stride = d->num_hidden;
    w = xmalloc(sizeof(float) * (size_t)k * (size_t)q->out_c);
    for (o = 0; o < q->out_c; o++)
        for (k = 0; k < q->k; k++) {
            size_t src = (size_t)k;
            if (in.form == F_NHWC || in.form == F_FLAT) {
                int32_t pix = k / it->c, c = k % it->c;
                src = (size_t)c * (size_t)(it->h * it->w) + (size_t)pix;
            }
            w[(size_t)o * (size_t)q->k + (size_t)k] = wn->a.c.f[(size_t)o * (size_t)q->k + src];
        }
    add_const(x, s, LC_F32, (size_t)q->k * (size_t)q->out_c, w, "w");
    if (!d->no_bias) {
        const ir_node *bn = x->g->nodes[n->in[2].node];
        float *bv = xmalloc(sizeof(float) * (size_t)q->out_c);
        memcpy(bv, bn->a.c.f, sizeof(float) * (size_t)q->out_c);
        add_const(x, s, LC_F32, (size_t)q->out_c, bv, "b");
    }
    snprintf(s->what, sizeof s->what, "%d->%d, float%s", q->k, q->out_c,
             n->weight_only_binary ? ", +-1 weights" : "");
    x->vals[n->id][0] = out;
    return 0;
}

/* Output of an elementwise step: in place when the input dies here and is
 * an arena tensor (decided later by the planner through views), else new. */
static lval like(lower_ctx *x, lval in, const ir_node *n)
{
    lval out = in;
    const lir_tensor *t = &x->p->t[in.t];
    out.t = lir_tensor_add(x->p, LIR_F32, t->n, t->h, t->w, t->c, n->name);
    out.bits = 0;
    return out;
}

/* Per-channel y = x * mul[c] + add[c] over a canonical value; takes
 * ownership of mul and add (C floats each). */
static int lower_affine(lower_ctx *x, ir_node *n, lval in, float *mul,
                        float *add, const char *what)
{
    lir_step *s;
    lval out;
    int32_t pixels, c;
    out = like(x, in, n);
    s = step(x, LK_AFFINE, n);
    set_io(s, in.t, -1, out.t);
    pixels_channels(x, in, &pixels, &c);
    s->p.affine.pixels = pixels;
    s->p.affine.c = c;
    add_const(x, s, LC_F32, (size_t)c, mul, "mul");
    add_const(x, s, LC_F32, (size_t)c, add, "add");
    snprintf(s->what, sizeof s->what, "%s", what);
    x->vals[n->id][0] = out;
    return 0;
}

static int lower_batchnorm(lower_ctx *x, ir_node *n)
{
    lval in = as_canonical(x, as_float(x, value_of(x, n->in[0]), n), n);
    const ir_node *gm = x->g->nodes[n->in[1].node], *bt = x->g->nodes[n->in[2].node];
    const ir_node *mn = x->g->nodes[n->in[3].node], *vr = x->g->nodes[n->in[4].node];
    int axis = n->a.bn.axis < 0 ? n->a.bn.axis + in.shape.ndim : n->a.bn.axis;
    int64_t c, ch;
    int signs;
    float *mul, *add;
    if (axis != 1 || (in.form != F_NHWC && in.form != F_ROWS))
        return err_node(x, n, "BatchNorm is supported over axis 1 of 2-D and 4-D tensors");
    ch = in.shape.d[1];
    mul = xmalloc(sizeof(float) * (size_t)ch);
    add = xmalloc(sizeof(float) * (size_t)ch);
    signs = ir_only_binarized(x->g, n->id);
    for (c = 0; c < ch; c++) {
        /* feeding only signs, a dead channel is scaled out of the
         * subnormal range (the sign of k * y is the sign of y for k > 0;
         * fold_sign_scale) */
        double g = n->a.bn.fix_gamma ? 1.0 : gm->a.c.f[c];
        double m = g / sqrt((double)vr->a.c.f[c] + n->a.bn.eps);
        double a = (double)bt->a.c.f[c] - (double)mn->a.c.f[c] * m;
        double k = signs ? fold_sign_scale(fmax(fabs(m), fabs(a))) : 1.0;
        mul[c] = (float)(m * k);
        add[c] = (float)(a * k);
    }
    {
        /* BatchNorm on the network input, which nothing else reads: apply
         * it while changing the layout */
        const ir_node *src = x->g->nodes[n->in[0].node];
        int i;
        for (i = x->p->ns - 1; src->op == IR_OP_INPUT && i >= 0; i--) {
            lir_step *t = &x->p->s[i];
            if (t->out != in.t)
                continue;
            if (t->kind == LK_NCHW_TO_NHWC && ir_use_count(x->g, src->id, 0) == 1) {
                t->kind = LK_NCHW_TO_NHWC_AFFINE;
                add_const(x, t, LC_F32, (size_t)ch, mul, "mul");
                add_const(x, t, LC_F32, (size_t)ch, add, "add");
                snprintf(t->what, sizeof t->what, "NCHW -> NHWC with %s applied",
                         n->name);
                x->vals[n->id][0] = in;
                return 0;
            }
            break;
        }
    }
    if (signs) {
        /* BatchNorm feeding only signs: normalise and pack in one pass */
        lval out = in;
        const lir_tensor *t = &x->p->t[in.t];
        lir_step *s;
        out.bits = 1;
        out.t = lir_tensor_add(x->p, LIR_BITS, t->n, t->h, t->w, t->c, n->name);
        t = &x->p->t[in.t];
        s = step(x, LK_PACK_AFFINE, n);
        set_io(s, in.t, -1, out.t);
        s->p.copy.k.pixels = t->n * t->h * t->w;
        s->p.copy.k.c = t->c;
        s->p.copy.k.in_pixel_stride = t->stride;
        s->p.copy.k.out_pixel_stride = x->p->t[out.t].stride;
        add_const(x, s, LC_F32, (size_t)ch, mul, "mul");
        add_const(x, s, LC_F32, (size_t)ch, add, "add");
        snprintf(s->what, sizeof s->what, "BatchNorm and sign-pack in one pass, %lld channels",
                 (long long)ch);
        x->vals[n->id][0] = out;
        return 0;
    }
    {
        char what[64];
        snprintf(what, sizeof what, "BatchNorm as per-channel affine, %lld channels",
                 (long long)ch);
        return lower_affine(x, n, in, mul, add, what);
    }
}

static int lower_act(lower_ctx *x, ir_node *n)
{
    lval in = as_float(x, value_of(x, n->in[0]), n), out;
    lir_step *s;
    static const bnn_act map[] = {
        [IR_ACT_RELU] = BNN_ACT_RELU,       [IR_ACT_SIGMOID] = BNN_ACT_SIGMOID,
        [IR_ACT_TANH] = BNN_ACT_TANH,       [IR_ACT_SOFTRELU] = BNN_ACT_SOFTRELU,
        [IR_ACT_SOFTSIGN] = BNN_ACT_SOFTSIGN, [IR_ACT_LEAKY] = BNN_ACT_LEAKY,
        [IR_ACT_ELU] = BNN_ACT_ELU,         [IR_ACT_SELU] = BNN_ACT_SELU,
        [IR_ACT_GELU] = BNN_ACT_GELU};
    if (n->a.act.act == IR_ACT_PRELU) {
        const ir_node *gm = x->g->nodes[n->in[1].node];
        int32_t pixels, c, i;
        float *slope;
        in = as_canonical(x, in, n);
        if (in.form != F_NHWC && in.form != F_ROWS)
            return err_node(x, n, "PReLU is supported on 2-D and 4-D tensors");
        pixels_channels(x, in, &pixels, &c);
        slope = xmalloc(sizeof(float) * (size_t)c);
        for (i = 0; i < c; i++)
            slope[i] = gm->a.c.f[ir_shape_count(&gm->a.c.shape) == 1 ? 0 : i];
        out = like(x, in, n);
        s = step(x, LK_PRELU, n);
        set_io(s, in.t, -1, out.t);
        s->p.prelu.pixels = pixels;
        s->p.prelu.c = c;
        add_const(x, s, LC_F32, (size_t)c, slope, "slope");
        snprintf(s->what, sizeof s->what, "prelu, %d channels", c);
        x->vals[n->id][0] = out;
        return 0;
    }
    out = like(x, in, n);
    /* tanh and sigmoid: the vectorised kernel, within 2 ulp of the exact
     * function (bnn_vmath_impl.h; libm's are within 1), the same bits on
     * every target and variant */
    s = step(x, n->a.act.act == IR_ACT_TANH || n->a.act.act == IR_ACT_SIGMOID ? LK_ACT_FAST
                                                                             : LK_ACT,
             n);
    set_io(s, in.t, -1, out.t);
    s->p.act.act = map[n->a.act.act];
    s->p.act.alpha = (float)n->a.act.slope;
    s->p.act.n = x->p->t[in.t].bytes / 4;
    {
        static const char *const names[] = {"identity", "relu", "sigmoid", "tanh",
                                            "softrelu", "softsign", "leaky relu", "elu",
                                            "selu", "gelu"};
        unsigned a = (unsigned)s->p.act.act;
        snprintf(s->what, sizeof s->what, "%s",
                 a < sizeof names / sizeof *names ? names[a] : "activation");
    }
    x->vals[n->id][0] = out;
    return 0;
}

static int lower_unary(lower_ctx *x, ir_node *n, bnn_unary_op op, float a, float b,
                       const char *what)
{
    lval in = as_float(x, value_of(x, n->in[0]), n), out = like(x, in, n);
    lir_step *s = step(x, LK_UNARY, n);
    set_io(s, in.t, -1, out.t);
    s->p.unary.op = op;
    s->p.unary.a = a;
    s->p.unary.b = b;
    s->p.unary.n = x->p->t[in.t].bytes / 4;
    snprintf(s->what, sizeof s->what, "%s", what);
    x->vals[n->id][0] = out;
    return 0;
}

static int lower_scalar(lower_ctx *x, ir_node *n)
{
    lval in = as_float(x, value_of(x, n->in[0]), n);
    float v = (float)n->a.scalar.value;
    float *mul = xmalloc(sizeof(float)), *add = xmalloc(sizeof(float));
    switch (n->a.scalar.kind) {
    case IR_SC_ADD: *mul = 1; *add = v; break;
    case IR_SC_SUB: *mul = 1; *add = -v; break;
    case IR_SC_RSUB: *mul = -1; *add = v; break;
    case IR_SC_MUL: *mul = v; *add = 0; break;
    case IR_SC_DIV:
        /* x * (1/s): exact when s is a power of two (BMXNet's /2), else
         * within one rounding of MXNet's x / s */
        *mul = 1.0f / v;
        *add = 0;
        break;
    default:
        free(mul);
        free(add);
        if (n->a.scalar.kind == IR_SC_MAX)
            return lower_unary(x, n, BNN_UN_MAX_S, v, 0, "max(x, s)");
        if (n->a.scalar.kind == IR_SC_MIN)
            return lower_unary(x, n, BNN_UN_MIN_S, v, 0, "min(x, s)");
        if (n->a.scalar.kind == IR_SC_POW)
            return lower_unary(x, n, BNN_UN_POW_S, v, 0, "x ^ s");
        return lower_unary(x, n, BNN_UN_RDIV_S, v, 0, "s / x");
    }
    {
        lval out = like(x, in, n);
        lir_step *s = step(x, LK_AFFINE, n);
        set_io(s, in.t, -1, out.t);
        s->p.affine.pixels = (int32_t)(x->p->t[in.t].bytes / 4);
        s->p.affine.c = 1;
        add_const(x, s, LC_F32, 1, mul, "mul");
        add_const(x, s, LC_F32, 1, add, "add");
        snprintf(s->what, sizeof s->what, "x * %.9g + %.9g", (double)*mul, (double)*add);
        x->vals[n->id][0] = out;
    }
    return 0;
}

/* A constant used as an activation: a read-only tensor in canonical form
 * (4-D constants are transposed to NHWC at compile time). */
static lval const_value(lower_ctx *x, const ir_node *n)
{
    const ir_shape *s = &n->a.c.shape;
    lval v;
    BNNC_ASSERT(n->a.c.f); /* operands: no packed words as data */
    int64_t cnt = ir_shape_count(s), i;
    float *data = xmalloc(sizeof(float) * (size_t)(cnt ? cnt : 1));
    memset(&v, 0, sizeof v);
    v.shape = *s;
    v.form = form_for(s);
    if (s->ndim == 1) {
        /* (C,) broadcasts like (1, C) */
        v.shape.ndim = 2;
        v.shape.d[0] = 1;
        v.shape.d[1] = s->d[0];
        v.form = F_ROWS;
    }
    if (v.form == F_NHWC) {
        int64_t N = s->d[0], C = s->d[1], H = s->d[2], W = s->d[3], b, c, h, w;
        for (b = 0; b < N; b++)
            for (c = 0; c < C; c++)
                for (h = 0; h < H; h++)
                    for (w = 0; w < W; w++)
                        data[((b * H + h) * W + w) * C + c] = n->a.c.f[((b * C + c) * H + h) * W + w];
    } else {
        for (i = 0; i < cnt; i++)
            data[i] = n->a.c.f[i];
    }
    v.t = new_tensor(x, LIR_F32, &v.shape, v.form, n->name);
    x->p->t[v.t].storage = LIR_CONST;
    x->p->t[v.t].const_id = lir_const_add(x->p, LC_F32, (size_t)cnt, data, "k");
    return v;
}


/* Per-channel constant (1, C, 1, 1) / (C,) / (1, C) for C channels, or a
 * single value; fills a C-float array. */
static float *channel_vector(const ir_node *k, int ndim, int64_t ch)
{
    const ir_shape *s = &k->a.c.shape;
    int64_t cnt = ir_shape_count(s), c;
    int i, axis;
    float *v;
    if (k->op != IR_OP_CONST || (cnt != 1 && cnt != ch))
        return NULL;
    if (cnt == ch && ch != 1) {
        axis = 1 - (ndim - s->ndim);
        if (axis < 0 || axis >= s->ndim)
            return NULL;
        for (i = 0; i < s->ndim; i++)
            if (i != axis && s->d[i] != 1)
                return NULL;
    }
    v = xmalloc(sizeof(float) * (size_t)ch);
    for (c = 0; c < ch; c++)
        v[c] = k->a.c.f[cnt == 1 ? 0 : c];
    return v;
}

static int lower_binary_op(lower_ctx *x, ir_node *n)
{
    static const bnn_binary_op ops[] = {[IR_OP_ADD] = BNN_BIN_ADD, [IR_OP_SUB] = BNN_BIN_SUB,
                                        [IR_OP_MUL] = BNN_BIN_MUL, [IR_OP_DIV] = BNN_BIN_DIV};
    const ir_shape *os = &n->shape[0];
    lval acc;
    int i;

    if (n->n_in == 2) {
        /* one operand a per-channel constant: a per-channel affine map */
        int k;
        for (k = 0; k < 2; k++) {
            const ir_node *kn = x->g->nodes[n->in[k].node];
            const ir_shape *other = &x->g->nodes[n->in[1 - k].node]->shape[n->in[1 - k].out];
            float *v;
            int64_t ch = os->ndim >= 2 ? os->d[1] : os->d[0], c;
            if (kn->op != IR_OP_CONST || !ir_shape_equal(other, os) ||
                (v = channel_vector(kn, os->ndim, ch)) == NULL)
                continue;
            {
                lval in = as_canonical(x, as_float(x, value_of(x, n->in[1 - k]), n), n);
                float *mul = xmalloc(sizeof(float) * (size_t)ch);
                float *add = xmalloc(sizeof(float) * (size_t)ch);
                if (in.form != F_NHWC && in.form != F_ROWS) {
                    free(v);
                    free(mul);
                    free(add);
                    break;
                }
                for (c = 0; c < ch; c++) {
                    mul[c] = 1.0f;
                    add[c] = 0.0f;
                    switch (n->op) {
                    case IR_OP_ADD: add[c] = v[c]; break;
                    case IR_OP_SUB:
                        if (k == 1) {
                            add[c] = -v[c];
                        } else {
                            mul[c] = -1.0f;
                            add[c] = v[c];
                        }
                        break;
                    case IR_OP_MUL: mul[c] = v[c]; break;
                    default: mul[c] = 1.0f / v[c]; break;
                    }
                }
                free(v);
                if (n->op == IR_OP_DIV && k == 0) {
                    free(mul);
                    free(add);
                    return err_node(x, n, "constant / tensor is not supported");
                }
                return lower_affine(x, n, in, mul, add, "per-channel constant");
            }
        }
    }

    acc = as_canonical(x, as_float(x, value_of(x, n->in[0]), n), n);
    for (i = 1; i < n->n_in; i++) {
        lval b = as_canonical(x, as_float(x, value_of(x, n->in[i]), n), n), out;
        lir_step *s;
        if (ir_shape_equal(&acc.shape, &b.shape)) {
            if (acc.form != b.form)
                return err_node(x, n, "operands are held in different layouts");
            out = like(x, acc, n);
            out.shape = *os;
            s = step(x, n->op == IR_OP_ADD ? LK_ADD : LK_BINARY, n);
            set_io(s, acc.t, b.t, out.t);
            if (s->kind == LK_ADD) {
                s->p.add.n = x->p->t[acc.t].bytes / 4;
            } else {
                s->p.binary.op = ops[n->op];
                s->p.binary.n = x->p->t[acc.t].bytes / 4;
            }
            snprintf(s->what, sizeof s->what, "elementwise, %zu floats",
                     x->p->t[acc.t].bytes / 4);
        } else if (acc.form == F_NHWC && b.form == F_NHWC && b.shape.d[1] == 1 &&
                   b.shape.d[0] == acc.shape.d[0] && b.shape.d[2] == acc.shape.d[2] &&
                   b.shape.d[3] == acc.shape.d[3]) {
            out = like(x, acc, n);
            s = step(x, LK_BINARY_PIXEL, n);
            set_io(s, acc.t, b.t, out.t);
            s->p.binary_pixel.op = ops[n->op];
            pixels_channels(x, acc, &s->p.binary_pixel.pixels, &s->p.binary_pixel.c);
            snprintf(s->what, sizeof s->what, "broadcast a one-channel map over %d channels",
                     s->p.binary_pixel.c);
        } else if (acc.form == F_NHWC && b.form == F_NHWC && acc.shape.d[1] == 1 &&
                   (n->op == IR_OP_ADD || n->op == IR_OP_MUL) &&
                   b.shape.d[0] == acc.shape.d[0] && b.shape.d[2] == acc.shape.d[2] &&
                   b.shape.d[3] == acc.shape.d[3]) {
            out = like(x, b, n);
            s = step(x, LK_BINARY_PIXEL, n);
            set_io(s, b.t, acc.t, out.t);
            s->p.binary_pixel.op = ops[n->op];
            pixels_channels(x, b, &s->p.binary_pixel.pixels, &s->p.binary_pixel.c);
            snprintf(s->what, sizeof s->what, "broadcast a one-channel map over %d channels",
                     s->p.binary_pixel.c);
        } else {
            char a[96], c[96];
            char msg[256];
            snprintf(msg, sizeof msg, "broadcasting %s with %s is not supported by the code generator",
                     ir_shape_str(&acc.shape, a, sizeof a), ir_shape_str(&b.shape, c, sizeof c));
            return err_node(x, n, msg);
        }
        out.shape = *os;
        acc = out;
    }
    x->vals[n->id][0] = acc;
    return 0;
}

/* 1 when some window of a pooling axis (MXNet geometry: start o*s - p,
 * end min(start + k, in + p), clipped to [0, in)) holds no in-image
 * element, as `full` windows starting in the right padding do. */
static int pool_axis_has_empty(int64_t out, int k, int s, int p, int64_t in)
{
    int64_t o;
    for (o = 0; o < out; o++) {
        int64_t start = o * s - p;
        int64_t end = start + k < in + p ? start + k : in + p;
        if ((start > 0 ? start : 0) >= (end < in ? end : in))
            return 1;
    }
    return 0;
}

static int lower_pool(lower_ctx *x, ir_node *n)
{
    const ir_pool_attr *a = &n->a.pool;
    lval in = as_canonical(x, value_of(x, n->in[0]), n), out;
    bnn_pool2d_params *q;
    lir_step *s;
    const lir_tensor *it;
    lir_tensor itv; /* snapshot: adding tensors may move the table */
    int bits;
    if (in.form != F_NHWC)
        return err_node(x, n, "pooling input is not 4-D");
    if (a->type == IR_POOL_SUM)
        return err_node(x, n, "sum pooling is not supported by the code generator");
    if (a->type != IR_POOL_MAX || (a->v1 && (a->pad[0] || a->pad[1])))
        in = as_float(x, in, n);
    /* bnn_maxpool_b needs an in-image element in every window; MXNet
     * gives -FLT_MAX for an empty one, which the float kernel reproduces */
    if (in.bits && !a->global &&
        (pool_axis_has_empty(n->shape[0].d[2], a->kernel[0], a->stride[0],
                             a->pad[0], in.shape.d[2]) ||
         pool_axis_has_empty(n->shape[0].d[3], a->kernel[1], a->stride[1],
                             a->pad[1], in.shape.d[3])))
        in = as_float(x, in, n);
    if (a->v1 && !a->global && (a->pad[0] || a->pad[1])) {
        /* Pooling_v1 pads with zeros that take part: pad explicitly */
        lir_step *ps;
        const lir_tensor *pt = &x->p->t[in.t];
        ir_shape padded = in.shape;
        lval pv = in;
        padded.d[2] += 2 * a->pad[0];
        padded.d[3] += 2 * a->pad[1];
        pv.shape = padded;
        pv.t = new_tensor(x, LIR_F32, &padded, F_NHWC, n->name);
        ps = step(x, LK_PAD_F32, n);
        set_io(ps, in.t, -1, pv.t);
        pt = &x->p->t[in.t];
        ps->p.pad.n = pt->n;
        ps->p.pad.h = pt->h;
        ps->p.pad.w = pt->w;
        ps->p.pad.c = pt->c;
        ps->p.pad.top = ps->p.pad.bottom = a->pad[0];
        ps->p.pad.left = ps->p.pad.right = a->pad[1];
        ps->p.pad.value = 0.0f;
        snprintf(ps->what, sizeof ps->what, "Pooling_v1 zero padding");
        in = pv;
    }
    bits = in.bits;
    memset(&out, 0, sizeof out);
    out.shape = n->shape[0];
    out.form = F_NHWC;
    out.bits = bits;
    out.t = new_tensor(x, bits ? LIR_BITS : LIR_F32, &out.shape, F_NHWC, n->name);
    s = step(x, bits ? LK_MAXPOOL_B : a->type == IR_POOL_MAX ? LK_MAXPOOL_F32 : LK_AVGPOOL_F32, n);
    set_io(s, in.t, -1, out.t);
    itv = x->p->t[in.t];
    it = &itv;
    q = &s->p.pool;
    q->n = it->n;
    q->in_h = it->h;
    q->in_w = it->w;
    q->c = it->c;
    q->out_h = i32(out.shape.d[2]);
    q->out_w = i32(out.shape.d[3]);
    q->k_h = a->global ? it->h : a->kernel[0];
    q->k_w = a->global ? it->w : a->kernel[1];
    q->stride_h = a->global ? 1 : a->stride[0];
    q->stride_w = a->global ? 1 : a->stride[1];
    q->pad_h = a->global || a->v1 ? 0 : a->pad[0];
    q->pad_w = a->global || a->v1 ? 0 : a->pad[1];
    q->count_include_pad = a->count_include_pad;
    snprintf(s->what, sizeof s->what, "%s %s pool %dx%d s%d p%d%s",
             a->global ? "global" : a->convention == IR_POOL_FULL ? "full" : "valid",
             a->type == IR_POOL_MAX ? "max" : "avg", q->k_h, q->k_w, q->stride_h,
             q->pad_h, bits ? " on bits (AND)" : "");
    x->vals[n->id][0] = out;
    return 0;
}

/* Channel copy of `c` channels from `in` (starting at channel in_off) into
 * `out` at channel dst_off. */
static lir_step *copy_channels(lower_ctx *x, const ir_node *n, int in, int out,
                               int32_t c, int32_t in_off, int32_t dst_off)
{
    const lir_tensor *it = &x->p->t[in], *ot = &x->p->t[out];
    int bits = it->dt == LIR_BITS;
    lir_step *s = step(x, bits ? LK_COPY_CH_B : LK_COPY_CH_F32, n);
    set_io(s, in, -1, out);
    s->p.copy.k.pixels = it->n * it->h * it->w;
    s->p.copy.k.c = c;
    s->p.copy.k.in_pixel_stride = it->stride;
    s->p.copy.k.out_pixel_stride = ot->stride;
    s->p.copy.in_offset = in_off;
    s->p.copy.k.dst_c_offset = dst_off;
    snprintf(s->what, sizeof s->what, "channels [%d, %d) -> [%d, %d)", in_off, in_off + c,
             dst_off, dst_off + c);
    return s;
}

static int lower_concat(lower_ctx *x, ir_node *n)
{
    lval v[64], out;
    int i, bits = 1, nd = n->shape[0].ndim;
    int dim = n->a.concat.dim < 0 ? n->a.concat.dim + nd : n->a.concat.dim;
    int32_t off = 0;
    if (n->n_in > 64)
        return err_node(x, n, "concatenation of more than 64 tensors is not supported");
    if (dim != 1 || (nd != 4 && nd != 2)) {
        /* any other axis, in MXNet's row-major order: input i is `outer`
         * blocks of d_i * inner elements, written at offset off * inner
         * of each block of the output */
        int64_t outer = 1, inner = 1;
        int k, t;
        for (k = 0; k < dim; k++)
            outer *= n->shape[0].d[k];
        for (k = dim + 1; k < nd; k++)
            inner *= n->shape[0].d[k];
        t = lir_tensor_add(x->p, LIR_F32, i32(outer), 1, 1,
                           i32(n->shape[0].d[dim] * inner), n->name);
        for (i = 0; i < n->n_in; i++) {
            /* the input's MXNet shape (a value's own may be padded to 2-D) */
            const ir_shape *is = &x->g->nodes[n->in[i].node]->shape[n->in[i].out];
            int32_t w = i32(is->d[dim] * inner);
            int src = reinterpret(x, to_plain(x, value_of(x, n->in[i]), n),
                                  &(ir_shape){2, {outer, w}}, F_ROWS);
            copy_channels(x, n, src, t, w, 0, i32(off * inner));
            off += i32(is->d[dim]);
        }
        x->vals[n->id][0] = from_plain(x, t, &n->shape[0], n);
        return 0;
    }
    for (i = 0; i < n->n_in; i++) {
        v[i] = as_canonical(x, value_of(x, n->in[i]), n);
        bits &= v[i].bits;
    }
    memset(&out, 0, sizeof out);
    out.shape = n->shape[0];
    out.form = form_for(&out.shape);
    out.bits = bits;
    out.t = new_tensor(x, bits ? LIR_BITS : LIR_F32, &out.shape, out.form, n->name);
    for (i = 0; i < n->n_in; i++) {
        lval in = bits ? v[i] : as_float(x, v[i], n);
        int32_t c = i32(in.shape.d[1]);
        copy_channels(x, n, in.t, out.t, c, 0, off);
        off += c;
    }
    x->vals[n->id][0] = out;
    return 0;
}

/* Nearest upsampling: a gather per input whose maps repeat each row and
 * column scale times; several inputs are then concatenated along the
 * channels or added, in input order as MXNet does. */
static int lower_upsample(lower_ctx *x, ir_node *n)
{
    const ir_shape *os = &n->shape[0];
    lval acc, out;
    int32_t off = 0;
    int i, a, j;

    memset(&out, 0, sizeof out);
    if (n->n_in > 1 && !n->a.upsample.sum) {
        out.shape = *os;
        out.form = F_NHWC;
        out.t = new_tensor(x, LIR_F32, os, F_NHWC, n->name);
    }
    for (i = 0; i < n->n_in; i++) {
        lval in = as_canonical(x, as_float(x, value_of(x, n->in[i]), n), n), up;
        int32_t *maps[2];
        int64_t scale;
        char what[96];
        if (in.form != F_NHWC)
            return err_node(x, n, "upsampling input is not 4-D");
        scale = os->d[2] / in.shape.d[2];
        for (a = 0; a < 2; a++) {
            maps[a] = xmalloc(sizeof(int32_t) * (size_t)os->d[2 + a]);
            for (j = 0; j < os->d[2 + a]; j++)
                maps[a][j] = i32(j / scale);
        }
        snprintf(what, sizeof what, "nearest, x%lld", (long long)scale);
        up = gather_hw(x, n, in, i32(os->d[2]), i32(os->d[3]), maps[0], maps[1], 0.0f, what);
        if (n->n_in == 1) {
            out = up;
        } else if (!n->a.upsample.sum) {
            copy_channels(x, n, up.t, out.t, i32(up.shape.d[1]), 0, off);
            off += i32(up.shape.d[1]);
        } else if (i == 0) {
            acc = up;
        } else {
            lir_step *s;
            out = like(x, acc, n);
            s = step(x, LK_ADD, n);
            set_io(s, acc.t, up.t, out.t);
            s->p.add.n = x->p->t[acc.t].bytes / 4;
            snprintf(s->what, sizeof s->what, "sum of the upsampled inputs, %zu floats",
                     s->p.add.n);
            acc = out;
        }
    }
    x->vals[n->id][0] = out;
    return 0;
}

/* Crop: one gather whose maps are the window's rows and columns. */
static int lower_crop(lower_ctx *x, ir_node *n)
{
    const ir_shape *os = &n->shape[0];
    lval in = as_canonical(x, as_float(x, value_of(x, n->in[0]), n), n);
    int32_t *maps[2];
    char what[96];
    int a, j;
    if (in.form != F_NHWC)
        return err_node(x, n, "crop input is not 4-D");
    for (a = 0; a < 2; a++) {
        maps[a] = xmalloc(sizeof(int32_t) * (size_t)os->d[2 + a]);
        for (j = 0; j < os->d[2 + a]; j++)
            maps[a][j] = i32(j + n->a.crop.offset[a]);
    }
    snprintf(what, sizeof what, "crop %lldx%lld at (%d, %d)", (long long)os->d[2],
             (long long)os->d[3], n->a.crop.offset[0], n->a.crop.offset[1]);
    x->vals[n->id][0] =
        gather_hw(x, n, in, i32(os->d[2]), i32(os->d[3]), maps[0], maps[1], 0.0f, what);
    return 0;
}

/* A gather node: its constant maps as the step's int32 maps. */
static int lower_gather_hw(lower_ctx *x, ir_node *n)
{
    const ir_shape *os = &n->shape[0];
    lval in = as_canonical(x, as_float(x, value_of(x, n->in[0]), n), n);
    int32_t *maps[2];
    char what[96];
    int a;
    int64_t j;
    if (in.form != F_NHWC)
        return err_node(x, n, "gather input is not 4-D");
    for (a = 0; a < 2; a++) {
        const float *m = x->g->nodes[n->in[1 + a].node]->a.c.f;
        maps[a] = xmalloc(sizeof(int32_t) * (size_t)os->d[2 + a]);
        for (j = 0; j < os->d[2 + a]; j++)
            maps[a][j] = (int32_t)m[j];
    }
    snprintf(what, sizeof what, "%lldx%lld pixels gathered from %lldx%lld (fill %g)",
             (long long)os->d[2], (long long)os->d[3], (long long)in.shape.d[2],
             (long long)in.shape.d[3], n->a.gather.fill);
    x->vals[n->id][0] = gather_hw(x, n, in, i32(os->d[2]), i32(os->d[3]), maps[0], maps[1],
                                  (float)n->a.gather.fill, what);
    return 0;
}

static int lower_slice(lower_ctx *x, ir_node *n)
{
    lval in = as_canonical(x, as_float(x, value_of(x, n->in[0]), n), n);
    int nd = in.shape.ndim, o;
    int axis = n->op == IR_OP_SLICE_AXIS ? n->a.slice.axis : n->a.split.axis;
    axis = axis < 0 ? axis + nd : axis;
    if (axis != 1 || (in.form != F_NHWC && in.form != F_ROWS))
        return err_node(x, n, "slicing is supported along the channel axis (1) of 2-D and 4-D tensors");
    for (o = 0; o < n->n_out; o++) {
        lval out;
        int32_t begin;
        memset(&out, 0, sizeof out);
        out.shape = n->shape[o];
        out.form = in.form;
        if (out.shape.ndim != nd)
            return err_node(x, n, "squeeze_axis is not supported by the code generator");
        out.t = new_tensor(x, LIR_F32, &out.shape, out.form, n->name);
        if (n->op == IR_OP_SLICE_AXIS)
            begin = n->a.slice.begin < 0 ? n->a.slice.begin + i32(in.shape.d[1]) : n->a.slice.begin;
        else
            begin = o * i32(out.shape.d[1]);
        copy_channels(x, n, in.t, out.t, i32(out.shape.d[1]), begin, 0);
        x->vals[n->id][o] = out;
    }
    return 0;
}

static int lower_permute(lower_ctx *x, ir_node *n)
{
    lval in = value_of(x, n->in[0]);
    int t = to_plain(x, in, n), out, i, nd = in.shape.ndim;
    lir_step *s;
    ir_shape flat;
    if (nd > 6)
        return err_node(x, n, "transposing more than 6 axes is not supported");
    memset(&flat, 0, sizeof flat);
    flat.ndim = 2;
    flat.d[0] = n->shape[0].d[0];
    flat.d[1] = ir_shape_count(&n->shape[0]) / flat.d[0];
    out = lir_tensor_add(x->p, LIR_F32, i32(flat.d[0]), 1, 1, i32(flat.d[1]), n->name);
    s = step(x, LK_PERMUTE, n);
    set_io(s, t, -1, out);
    s->p.permute.ndim = nd;
    for (i = 0; i < nd; i++) {
        s->p.permute.shape[i] = i32(in.shape.d[i]);
        if (n->op == IR_OP_TRANSPOSE) {
            int a = n->a.transpose.axes.n ? n->a.transpose.axes.v[i] : nd - 1 - i;
            s->p.permute.perm[i] = a < 0 ? a + nd : a;
        } else {
            s->p.permute.perm[i] = i;
        }
    }
    if (n->op == IR_OP_SWAPAXIS) {
        int d1 = n->a.swapaxis.dim1 < 0 ? n->a.swapaxis.dim1 + nd : n->a.swapaxis.dim1;
        int d2 = n->a.swapaxis.dim2 < 0 ? n->a.swapaxis.dim2 + nd : n->a.swapaxis.dim2;
        s->p.permute.perm[d1] = d2;
        s->p.permute.perm[d2] = d1;
    }
    snprintf(s->what, sizeof s->what, "axis permutation");
    x->vals[n->id][0] = from_plain(x, out, &n->shape[0], n);
    return 0;
}

static int lower_reshape(lower_ctx *x, ir_node *n)
{
    lval in = value_of(x, n->in[0]), out;
    const ir_shape *os = &n->shape[0];
    if (ir_shape_equal(&in.shape, os)) {
        x->vals[n->id][0] = in;
        return 0;
    }
    /* Flatten (and Reshape to (N, rest)) of a 4-D value stays NHWC */
    if (os->ndim == 2 && in.shape.ndim >= 1 && os->d[0] == in.shape.d[0] &&
        (in.form == F_NHWC || in.form == F_FLAT)) {
        out = in;
        out.form = F_FLAT;
        out.shape = *os;
        x->vals[n->id][0] = out;
        return 0;
    }
    if (os->ndim == 2 && in.form == F_ROWS) {
        /* row-major already: the same bytes with the new geometry */
        in = as_float(x, in, n);
        out = in;
        out.shape = *os;
        out.t = reinterpret(x, in.t, os, F_ROWS);
        x->vals[n->id][0] = out;
        return 0;
    }
    {
        int t = to_plain(x, in, n);
        x->vals[n->id][0] = from_plain(x, t, os, n);
    }
    return 0;
}

/* Padding of H and W, or of the channels (not both: the shapes pass
 * refuses it). Channels pad as a concatenation does: the input copied into
 * its channel range of the output (which the plan may turn into its
 * producer writing there directly) and each padded range filled from a
 * constant of its width read again for every pixel (in_pixel_stride 0),
 * so nothing of the image's size is stored. */
static int lower_pad(lower_ctx *x, ir_node *n)
{
    lval in = as_canonical(x, as_float(x, value_of(x, n->in[0]), n), n), out;
    const int *w = n->a.pad.width.v;
    lir_step *s;
    const lir_tensor *it;
    lir_tensor itv; /* snapshot: adding tensors may move the table */
    if (in.form != F_NHWC)
        return err_node(x, n, "padding is supported on 4-D tensors");
    memset(&out, 0, sizeof out);
    out.shape = n->shape[0];
    out.form = F_NHWC;
    out.t = new_tensor(x, LIR_F32, &out.shape, F_NHWC, n->name);
    if (w[2] || w[3]) {
        int32_t c = i32(in.shape.d[1]), pixels = x->p->t[in.t].n * x->p->t[in.t].h *
                                                 x->p->t[in.t].w;
        int side, k;
        for (side = 0; side < 2; side++) {
            int32_t width = w[2 + side];
            float *v;
            int t;
            if (!width)
                continue;
            v = xmalloc(sizeof(float) * (size_t)width);
            for (k = 0; k < width; k++)
                v[k] = (float)n->a.pad.value;
            t = lir_tensor_add(x->p, LIR_F32, 1, 1, 1, width, n->name);
            x->p->t[t].storage = LIR_CONST;
            x->p->t[t].const_id = lir_const_add(x->p, LC_F32, (size_t)width, v, "fill");
            s = copy_channels(x, n, t, out.t, width, 0, side ? w[2] + c : 0);
            s->p.copy.k.pixels = pixels;
            s->p.copy.k.in_pixel_stride = 0;
            snprintf(s->what, sizeof s->what, "channels [%d, %d) filled with %g",
                     side ? w[2] + c : 0, side ? w[2] + c + width : width, n->a.pad.value);
        }
        copy_channels(x, n, in.t, out.t, c, 0, w[2]);
        x->vals[n->id][0] = out;
        return 0;
    }
    s = step(x, LK_PAD_F32, n);
    set_io(s, in.t, -1, out.t);
    itv = x->p->t[in.t];
    it = &itv;
    s->p.pad.n = it->n;
    s->p.pad.h = it->h;
    s->p.pad.w = it->w;
    s->p.pad.c = it->c;
    s->p.pad.top = w[4];
    s->p.pad.bottom = w[5];
    s->p.pad.left = w[6];
    s->p.pad.right = w[7];
    s->p.pad.value = (float)n->a.pad.value;
    snprintf(s->what, sizeof s->what, "pad (%d, %d, %d, %d) with %g", w[4], w[5], w[6], w[7],
             n->a.pad.value);
    x->vals[n->id][0] = out;
    return 0;
}

static int lower_mean(lower_ctx *x, ir_node *n)
{
    const ir_mean_attr *m = &n->a.mean;
    lval in = as_canonical(x, as_float(x, value_of(x, n->in[0]), n), n), out;
    int reduce[IR_MAX_DIMS] = {0}, i, nd = in.shape.ndim;
    lir_step *s;
    for (i = 0; i < m->axes.n; i++)
        reduce[m->axes.v[i] < 0 ? m->axes.v[i] + nd : m->axes.v[i]] = 1;
    for (i = 0; i < nd; i++)
        reduce[i] = m->axes.n == 0 ? 1 : m->exclude ? !reduce[i] : reduce[i];
    if (in.form == F_NHWC && !reduce[0] && reduce[1] && !reduce[2] && !reduce[3] && m->keepdims) {
        memset(&out, 0, sizeof out);
        out.shape = n->shape[0];
        out.form = F_NHWC;
        out.t = new_tensor(x, LIR_F32, &out.shape, F_NHWC, n->name);
        s = step(x, LK_CHANNEL_MEAN, n);
        set_io(s, in.t, -1, out.t);
        pixels_channels(x, in, &s->p.mean.pixels, &s->p.mean.c);
        snprintf(s->what, sizeof s->what, "mean over %d channels", s->p.mean.c);
        x->vals[n->id][0] = out;
        return 0;
    }
    if (in.form == F_NHWC && !reduce[0] && !reduce[1] && reduce[2] && reduce[3]) {
        const lir_tensor itv = x->p->t[in.t], *it = &itv; /* a copy, see lower_dense */
        ir_shape s4 = {4, {in.shape.d[0], in.shape.d[1], 1, 1}};
        memset(&out, 0, sizeof out);
        out.shape = s4;
        out.form = F_NHWC;
        out.t = new_tensor(x, LIR_F32, &s4, F_NHWC, n->name);
        s = step(x, LK_AVGPOOL_F32, n);
        set_io(s, in.t, -1, out.t);
        s->p.pool.n = it->n;
        s->p.pool.in_h = s->p.pool.k_h = it->h;
        s->p.pool.in_w = s->p.pool.k_w = it->w;
        s->p.pool.c = it->c;
        s->p.pool.out_h = s->p.pool.out_w = 1;
        s->p.pool.stride_h = s->p.pool.stride_w = 1;
        s->p.pool.count_include_pad = 1;
        snprintf(s->what, sizeof s->what, "spatial mean");
        if (!m->keepdims) {
            out.t = reinterpret(x, out.t, &n->shape[0], F_ROWS);
            out.form = F_ROWS;
            out.shape = n->shape[0];
        }
        x->vals[n->id][0] = out;
        return 0;
    }
    return err_node(x, n, "this reduction is not supported by the code generator");
}

/* TopK/ArgMax on the row-major copy of the input: outer x len x inner
 * around the axis. Values stay a float value like any other; indices are
 * an int64 tensor, which only a graph output may take. */
static int lower_topk(lower_ctx *x, ir_node *n)
{
    const ir_topk_attr *a = &n->a.topk;
    lval in = as_float(x, value_of(x, n->in[0]), n), out;
    const ir_shape *os = &n->shape[0];
    int nd = in.shape.ndim, i, t, o;
    int64_t outer = 1, inner = 1;
    lir_step *s;
    for (i = 0; i < n->n_uses; i++) {
        const ir_use *u = &n->uses[i];
        if (a->indices && u->user >= 0 && !x->g->nodes[u->user]->dead)
            return ir_node_errf(x->g, n, x->err, "its int64 indices are used by node '%s'; "
                                "bnnc computes them only as a graph output",
                                x->g->nodes[u->user]->name);
    }
    for (i = 0; i < a->axis; i++)
        outer *= in.shape.d[i];
    for (i = a->axis + 1; i < nd; i++)
        inner *= in.shape.d[i];
    t = to_plain(x, in, n);
    o = lir_tensor_add(x->p, a->indices ? LIR_I64 : LIR_F32, i32(os->ndim ? os->d[0] : 1), 1,
                       1, i32(ir_shape_count(os) / (os->ndim ? os->d[0] : 1)), n->name);
    s = step(x, LK_TOPK, n);
    set_io(s, t, -1, o);
    s->p.topk.outer = i32(outer);
    s->p.topk.len = i32(in.shape.d[a->axis]);
    s->p.topk.inner = i32(inner);
    s->p.topk.k = a->k;
    s->p.topk.largest = a->largest;
    s->p.topk.last_index = a->last_index;
    if (a->indices) {
        s->scratch = lir_tensor_add(x->p, LIR_F32, 1, 1, 1, a->k, "topk values");
        x->p->t[s->scratch].scratch = 1;
    }
    snprintf(s->what, sizeof s->what, "%s %d %s along axis %d of %lld%s",
             a->indices ? "indices of the" : "the", a->k, a->largest ? "largest" : "smallest",
             a->axis, (long long)in.shape.d[a->axis],
             a->last_index ? ", equal values highest index first" : "");
    if (a->indices) {
        memset(&out, 0, sizeof out);
        out.shape = *os;
        out.form = os->ndim == 2 ? F_ROWS : F_PLAIN;
        out.t = o;
    } else {
        out = from_plain(x, o, os, n);
    }
    x->vals[n->id][0] = out;
    return 0;
}

static int lower_softmax(lower_ctx *x, ir_node *n)
{
    const ir_softmax_attr *a = &n->a.softmax;
    lval in = as_float(x, value_of(x, n->in[0]), n), out;
    int nd = in.shape.ndim, axis;
    int32_t rows, len;
    lir_step *s;
    if (a->log)
        return err_node(x, n, "log_softmax is not supported by the code generator");
    if (a->temperature != 1.0) {
        /* an affine step: one multiplier and offset per channel */
        int32_t px, ch, k;
        float *mul, *add;
        pixels_channels(x, in, &px, &ch);
        mul = xmalloc(sizeof(float) * (size_t)(ch > 0 ? ch : 1));
        add = xcalloc((size_t)(ch > 0 ? ch : 1), sizeof(float));
        for (k = 0; k < ch; k++)
            mul[k] = (float)(1.0 / a->temperature);
        if (lower_affine(x, n, in, mul, add, "divide by the temperature"))
            return -1;
        in = x->vals[n->id][0];
    }
    axis = a->mode == IR_SOFTMAX_AXIS ? (a->axis < 0 ? a->axis + nd : a->axis) : -1;
    if (a->mode == IR_SOFTMAX_ALL || (a->mode == IR_SOFTMAX_AXIS && nd == 2 && axis == 1) ||
        (a->mode == IR_SOFTMAX_LAST && nd == 2)) {
        /* over all non-batch elements: element order does not matter */
        const lir_tensor *it;
        lir_tensor itv;
        if (in.form == F_PLAIN)
            in.t = reinterpret(x, in.t, &(ir_shape){2, {in.shape.d[0], ir_shape_count(&in.shape) / in.shape.d[0]}}, F_ROWS);
        itv = x->p->t[in.t];
        it = &itv;
        rows = it->n;
        len = it->h * it->w * it->c;
    } else if ((a->mode == IR_SOFTMAX_CHANNEL || (a->mode == IR_SOFTMAX_AXIS && axis == 1)) &&
               (in = as_canonical(x, in, n)).form == F_NHWC) {
        pixels_channels(x, in, &rows, &len);
    } else {
        /* along the last axis of the row-major tensor */
        int t = to_plain(x, in, n);
        if (!(a->mode == IR_SOFTMAX_LAST || axis == nd - 1))
            return err_node(x, n, "softmax along this axis is not supported by the code generator");
        len = i32(in.shape.d[nd - 1]);
        rows = i32(ir_shape_count(&in.shape) / len);
        out.t = lir_tensor_add(x->p, LIR_F32, rows, 1, 1, len, n->name);
        s = step(x, LK_SOFTMAX_FAST, n);
        set_io(s, t, -1, out.t);
        s->p.softmax.rows = rows;
        s->p.softmax.len = len;
        snprintf(s->what, sizeof s->what, "softmax over the last axis");
        x->vals[n->id][0] = from_plain(x, out.t, &n->shape[0], n);
        return 0;
    }
    out = like(x, in, n);
    s = step(x, LK_SOFTMAX_FAST, n);
    set_io(s, in.t, -1, out.t);
    s->p.softmax.rows = rows;
    s->p.softmax.len = len;
    snprintf(s->what, sizeof s->what, "softmax, %d rows of %d", rows, len);
    x->vals[n->id][0] = out;
    return 0;
}

static int lower_input(lower_ctx *x, ir_node *n)
{
    const ir_shape *s = &n->shape[0];
    int ext;
    lval v;
    if (n->q.elem == IR_ELEM_BITS) {
        /* signs given bitpacked (ir.h): the words are the packed tensor */
        if (x->p->input >= 0 && x->p->input_type != LIR_BITS)
            return err_node(x, n, "inputs of different element types are not supported");
        ext = lir_tensor_add(x->p, LIR_BITS, i32(s->d[0]), i32(s->d[2]), i32(s->d[3]),
                             i32(s->d[1]), n->name);
        x->p->t[ext].storage = LIR_INPUT;
        x->p->t[ext].ext_offset = x->p->input_elems * 4u;
        if (x->p->input < 0)
            x->p->input = ext;
        x->p->input_type = LIR_BITS;
        x->p->input_elems += x->p->t[ext].bytes / 4u;
        memset(&v, 0, sizeof v);
        v.t = ext;
        v.bits = 1;
        v.shape = *s;
        v.form = F_NHWC;
        x->vals[n->id][0] = v;
        return 0;
    }
    if (x->p->input >= 0 && x->p->input_type == LIR_BITS)
        return err_node(x, n, "inputs of different element types are not supported");
    if (n->q.elem == IR_ELEM_I8) {
        /* an int8 input, in the model's order: read where it is */
        if (x->p->input >= 0 && x->p->input_type != LIR_I8)
            return err_node(x, n, "inputs of different element types are not supported");
        ext = i8_tensor(x, s, n->name);
        x->p->t[ext].storage = LIR_INPUT;
        x->p->t[ext].ext_offset = x->p->input_elems;
        if (x->p->input < 0) {
            x->p->input = ext;
            x->p->in_scale = n->q.scale;
            x->p->in_zp = n->q.zp;
        } else if (x->p->in_scale != n->q.scale || x->p->in_zp != n->q.zp) {
            return err_node(x, n, "int8 inputs with different scales or zero points are not "
                                  "supported");
        }
        x->p->input_type = LIR_I8;
        x->p->input_elems += (size_t)ir_shape_count(s);
        x->vals[n->id][0] = i8_value(ext, s);
        return 0;
    }
    if (x->p->input >= 0 && x->p->input_type == LIR_I8)
        return err_node(x, n, "inputs of different element types are not supported");
    /* several data inputs are stored one after another in the input
     * buffer, in the order the graph lists them */
    ext = lir_tensor_add(x->p, x->o->input_u8 ? LIR_U8 : LIR_F32, i32(s->d[0]), 1, 1,
                         i32(ir_shape_count(s) / s->d[0]), n->name);
    x->p->t[ext].storage = LIR_INPUT;
    x->p->t[ext].ext_offset = x->p->input_elems * (x->o->input_u8 ? 1u : 4u);
    if (x->p->input < 0)
        x->p->input = ext;
    x->p->input_type = x->o->input_u8 ? LIR_U8 : LIR_F32;
    x->p->input_elems += (size_t)ir_shape_count(s);
    memset(&v, 0, sizeof v);
    v.shape = *s;
    v.form = form_for(s);
    if (x->o->input_u8) {
        lir_step *st;
        int32_t c = s->ndim >= 2 ? i32(s->d[1]) : 1, i;
        float *mean, *sd;
        if (s->ndim != 4 && s->ndim != 2)
            return err_node(x, n, "uint8 input must be 2-D or 4-D");
        if ((x->o->n_mean > 1 && x->o->n_mean != c) || (x->o->n_std > 1 && x->o->n_std != c))
            return err_node(x, n, "--mean/--std need 1 value or one per input channel");
        mean = xcalloc((size_t)c, sizeof(float));
        sd = xmalloc(sizeof(float) * (size_t)c);
        for (i = 0; i < c; i++) {
            mean[i] = x->o->n_mean ? x->o->mean[x->o->n_mean == 1 ? 0 : i] : 0.0f;
            sd[i] = x->o->n_std ? x->o->std[x->o->n_std == 1 ? 0 : i] : 1.0f;
        }
        v.t = new_tensor(x, LIR_F32, s, v.form, n->name);
        st = step(x, LK_U8_TO_F32, n);
        set_io(st, ext, -1, v.t);
        st->p.layout.n = i32(s->d[0]);
        st->p.layout.c = c;
        st->p.layout.h = s->ndim == 4 ? i32(s->d[2]) : 1;
        st->p.layout.w = s->ndim == 4 ? i32(s->d[3]) : 1;
        add_const(x, st, LC_F32, (size_t)c, mean, "mean");
        add_const(x, st, LC_F32, (size_t)c, sd, "std");
        snprintf(st->what, sizeof st->what, "uint8 NCHW -> float NHWC, (x - mean) / std");
        x->vals[n->id][0] = v;
        return 0;
    }
    if (v.form == F_NHWC) {
        x->vals[n->id][0] = from_plain(x, ext, s, n);
        return 0;
    }
    v.t = reinterpret(x, ext, s, v.form == F_ROWS ? F_ROWS : F_PLAIN);
    x->p->t[v.t].storage = LIR_VIEW;
    x->vals[n->id][0] = v;
    return 0;
}

/* A bits tensor with bnn_words(c) words per pixel holding bits value v
 * (which is a strided view, e.g. a part of a concatenation). */
static int to_dense_bits(lower_ctx *x, lval v, const ir_node *n)
{
    const lir_tensor *t = &x->p->t[v.t];
    int out = lir_tensor_add(x->p, LIR_BITS, t->n, t->h, t->w, t->c, t->name);
    copy_channels(x, n, v.t, out, x->p->t[v.t].c, 0, 0);
    return out;
}

/* Write head value v into the output buffer at element offset `at`
 * (bitpacked heads: the signs of v as packed words, `at` in words);
 * *count: the elements (words) written. */
static int lower_head(lower_ctx *x, const ir_node *n, lval v, size_t at, size_t *count)
{
    int bits = x->g->bitpacked_heads;
    lir_dtype dt = x->p->t[v.t].dt;
    int i8 = !bits && dt == LIR_I8, i64 = dt == LIR_I64;
    int t, out;
    lir_tensor *tt;
    lir_step *s;
    if (bits && i64)
        return err_node(x, n, "int64 indices cannot be a bitpacked output");
    if (bits) {
        v = as_bits(x, v, n);
        t = v.t;
        if (x->p->t[t].stride != bnn_words(x->p->t[t].c))
            t = to_dense_bits(x, v, n);
        x->p->output_type = LIR_BITS;
    } else {
        t = i8 || i64 ? v.t : to_plain(x, v, n);
    }
    tt = &x->p->t[t];
    if (!bits && at && x->p->output_type != (i8 ? LIR_I8 : i64 ? LIR_I64 : LIR_F32))
        return err_node(x, n, i64 || x->p->output_type == LIR_I64
                                  ? "int64 indices and float values are both graph outputs; "
                                    "bnnc's output buffer has one element type"
                                  : "outputs of different element types are not supported");
    if (i64)
        x->p->output_type = LIR_I64;
    if (i8) {
        if (at && (x->p->out_scale != n->q.scale || x->p->out_zp != n->q.zp))
            return err_node(x, n, "int8 outputs with different scales or zero points are not "
                                  "supported");
        x->p->output_type = LIR_I8;
        x->p->out_scale = n->q.scale;
        x->p->out_zp = n->q.zp;
    }
    out = lir_tensor_add(x->p, bits ? LIR_BITS : i8 ? LIR_I8 : i64 ? LIR_I64 : LIR_F32, tt->n,
                         tt->h, tt->w, tt->c, n->name);
    *count = x->p->t[out].bytes / LIR_DTYPE_BYTES(x->p->t[out].dt);
    x->p->t[out].storage = LIR_OUTPUT;
    x->p->t[out].ext_offset = at * LIR_DTYPE_BYTES(x->p->t[out].dt);
    tt = &x->p->t[t];
    /* the producer writes the output buffer itself when nothing else reads
     * its result and it is a plain arena tensor */
    if (tt->storage == LIR_ARENA && lir_readers(x->p, t, NULL) == 0) {
        int i, moved = 0;
        for (i = 0; i < x->p->ns; i++)
            if (x->p->s[i].out == t) {
                x->p->s[i].out = out;
                moved = 1;
            }
        if (moved)
            return 0;
    }
    s = step(x, LK_COPY, n);
    set_io(s, t, -1, out);
    s->p.mem.bytes = tt->bytes;
    snprintf(s->what, sizeof s->what, "copy to the output");
    return 0;
}

static int lower_const(lower_ctx *x, ir_node *n)
{
    (void)x;
    (void)n;
    return 0; /* materialised where used (value_of) */
}

/* An op that earlier passes remove (FULL is folded, IDENTITY legalized,
 * frontend ops expanded). */
static int lower_none(lower_ctx *x, ir_node *n)
{
    return err_node(x, n, "this operator is not supported by the code generator");
}

static int lower_sign(lower_ctx *x, ir_node *n)
{
    lval v = value_of(x, n->in[0]);
    v = as_bits(x, v.form == F_FLAT || v.form == F_NHWC || v.form == F_ROWS ? v
                                                                            : as_canonical(x, v, n),
                n);
    x->vals[n->id][0] = v;
    return 0;
}

static int lower_sign3(lower_ctx *x, ir_node *n)
{
    return lower_unary(x, n, BNN_UN_SIGN, 0, 0, "sign (-1, 0, +1)");
}

static int lower_abs(lower_ctx *x, ir_node *n)
{
    return lower_unary(x, n, BNN_UN_ABS, 0, 0, "|x|");
}

static int lower_round(lower_ctx *x, ir_node *n)
{
    return lower_unary(x, n, BNN_UN_ROUND, 0, 0, "round");
}

static int lower_clip(lower_ctx *x, ir_node *n)
{
    return lower_unary(x, n, BNN_UN_CLIP, (float)n->a.clip.a_min, (float)n->a.clip.a_max, "clip");
}

/* ---- int8 operators (TFLite's integer semantics, bnn_int8.h) ---------- */

/* An int8 value is held row-major in the model's order (NHWC for 4-D):
 * a LIR_I8 tensor of (N, H, W, C), or (N, 1, 1, rest) for other ranks. */
static int i8_tensor(lower_ctx *x, const ir_shape *s, const char *name)
{
    if (s->ndim == 4)
        return lir_tensor_add(x->p, LIR_I8, i32(s->d[0]), i32(s->d[1]), i32(s->d[2]),
                              i32(s->d[3]), name);
    return lir_tensor_add(x->p, LIR_I8, i32(s->ndim ? s->d[0] : 1), 1, 1,
                          i32(ir_shape_count(s) / (s->ndim ? s->d[0] : 1)), name);
}

static lval i8_value(int t, const ir_shape *s)
{
    lval v;
    memset(&v, 0, sizeof v);
    v.t = t;
    v.form = F_PLAIN;
    v.shape = *s;
    return v;
}

/* The int8 value of input i of n (a bnnc bug when it is not int8: the
 * frontend connects int8 operators only to int8 values). */
static lval i8_input(lower_ctx *x, const ir_node *n, int i, const ir_qtype **q)
{
    const ir_node *in = x->g->nodes[n->in[i].node];
    lval v = value_of(x, n->in[i]);
    BNNC_ASSERT(in->q.elem == IR_ELEM_I8 && x->p->t[v.t].dt == LIR_I8);
    if (q)
        *q = &in->q;
    return v;
}

static int i8_new_output(lower_ctx *x, ir_node *n)
{
    int t = i8_tensor(x, &n->shape[0], n->name);
    x->vals[n->id][0] = i8_value(t, &n->shape[0]);
    return t;
}

static int err_shift(lower_ctx *x, const ir_node *n)
{
    return err_node(x, n, "a requantisation multiplier of its scales is out of the int8 "
                          "kernels' range (shift outside [-31, 30])");
}

/* The scale and zero point of a (per-tensor) quantisation as the
 * constants of step s. */
static void quant_consts(lower_ctx *x, lir_step *s, const ir_qtype *q)
{
    float *sc = xmalloc(sizeof *sc);
    int32_t *zp = xmalloc(sizeof *zp);
    *sc = (float)q->scale;
    *zp = q->zp;
    add_const(x, s, LC_F32, 1, sc, "scale");
    add_const(x, s, LC_I32, 1, zp, "zp");
}

static int lower_quantize(lower_ctx *x, ir_node *n)
{
    lval in = as_float(x, value_of(x, n->in[0]), n);
    int out, t;
    lir_step *s;
    /* NHWC (4-D) or row-major: the int8 tensor's own order */
    t = in.form == F_NHWC || in.form == F_ROWS || in.form == F_PLAIN ? in.t : to_plain(x, in, n);
    if (in.form == F_NHWC && x->p->t[t].stride != x->p->t[t].c)
        return err_node(x, n, "quantising a strided tensor is not supported");
    out = i8_new_output(x, n);
    s = step(x, LK_QUANTIZE_I8, n);
    set_io(s, t, -1, out);
    s->p.quant.n = (size_t)ir_shape_count(&n->shape[0]);
    s->p.quant.channels = 1;
    s->p.quant.inner = 1;
    quant_consts(x, s, &n->q);
    snprintf(s->what, sizeof s->what, "float -> int8, scale %.9g, zero point %d", n->q.scale,
             (int)n->q.zp);
    return 0;
}

static int lower_dequantize(lower_ctx *x, ir_node *n)
{
    const ir_qtype *q;
    lval in = i8_input(x, n, 0, &q), out;
    lir_step *s;
    memset(&out, 0, sizeof out);
    out.shape = n->shape[0];
    out.form = form_for(&out.shape);
    out.t = new_tensor(x, LIR_F32, &out.shape, out.form, n->name);
    s = step(x, LK_DEQUANTIZE_I8, n);
    set_io(s, in.t, -1, out.t);
    s->p.quant.n = (size_t)ir_shape_count(&n->shape[0]);
    s->p.quant.channels = 1;
    s->p.quant.inner = 1;
    quant_consts(x, s, q);
    snprintf(s->what, sizeof s->what, "int8 -> float, scale %.9g, zero point %d", q->scale,
             (int)q->zp);
    x->vals[n->id][0] = out;
    return 0;
}

static int lower_requant_i8(lower_ctx *x, ir_node *n)
{
    const ir_qtype *q;
    lval in = i8_input(x, n, 0, &q);
    bnn_requantize_i8_params *r;
    lir_step *s;
    int out = i8_new_output(x, n);
    s = step(x, LK_REQUANT_I8, n);
    set_io(s, in.t, -1, out);
    r = &s->p.requant;
    r->n = (size_t)ir_shape_count(&n->shape[0]);
    r->in_zp = q->zp;
    r->out_zp = n->q.zp;
    r->act_min = n->a.i8.act_min;
    r->act_max = n->a.i8.act_max;
    if (n->a.i8.ratio_f32 ? requant_i8_ratio_f32((float)q->scale, (float)n->q.scale, &r->mult,
                                                 &r->shift)
                          : requant_i8_ratio(q->scale, n->q.scale, &r->mult, &r->shift))
        return err_shift(x, n);
    snprintf(s->what, sizeof s->what, "requantise, clamp [%d, %d]", (int)r->act_min,
             (int)r->act_max);
    return 0;
}

static int lower_prelu_i8(lower_ctx *x, ir_node *n)
{
    const ir_qtype *q;
    const ir_i8_attr *a = &n->a.i8;
    lval in = i8_input(x, n, 0, &q);
    bnn_prelu_i8_params *r;
    lir_step *s;
    int out = i8_new_output(x, n);
    s = step(x, LK_PRELU_I8, n);
    set_io(s, in.t, -1, out);
    r = &s->p.prelu_i8;
    r->n = (size_t)ir_shape_count(&n->shape[0]);
    r->c = a->b ? i32(a->b_len) : 1;
    r->in_zp = q->zp;
    r->out_zp = n->q.zp;
    if (a->b) {
        int8_t *al = xmalloc((size_t)a->b_len);
        memcpy(al, a->b, (size_t)a->b_len);
        add_const(x, s, LC_I8, (size_t)a->b_len, al, "alpha");
        r->alpha_zp = a->bq.zp;
    }
    if (requant_i8_prelu((float)q->scale, a->b ? (float)a->bq.scale : a->slope,
                         (float)n->q.scale, &r->pos_mult, &r->pos_shift, &r->neg_mult,
                         &r->neg_shift))
        return err_shift(x, n);
    if (r->n % (size_t)r->c)
        return err_node(x, n, "alpha does not repeat along the tensor");
    if (a->b)
        snprintf(s->what, sizeof s->what, "prelu, %d alphas, int8", r->c);
    else
        snprintf(s->what, sizeof s->what, "leaky relu, alpha %g, int8", (double)a->slope);
    return 0;
}

static int lower_hard_swish_i8(lower_ctx *x, ir_node *n)
{
    const ir_qtype *q;
    lval in = i8_input(x, n, 0, &q);
    bnn_hard_swish_i8_params *r;
    lir_step *st;
    int out = i8_new_output(x, n);
    st = step(x, LK_HSWISH_I8, n);
    set_io(st, in.t, -1, out);
    r = &st->p.hswish_i8;
    r->n = (size_t)ir_shape_count(&n->shape[0]);
    r->in_zp = q->zp;
    r->out_zp = n->q.zp;
    bnn_i8_hard_swish_multipliers((float)q->scale, (float)n->q.scale, r);
    if (r->out_exp > 0 || r->out_exp < -15 || r->relu_exp < -15 || r->relu_exp > 15)
        return err_node(x, n, "its input and output scales are too far apart for TFLite's "
                              "16-bit hard swish");
    snprintf(st->what, sizeof st->what, "hard swish, int8");
    return 0;
}

/* The table is the node's (the frontend computed it); it becomes the
 * step's constant. */
static int lower_lut_i8(lower_ctx *x, ir_node *n)
{
    const ir_qtype *q;
    lval in = i8_input(x, n, 0, &q);
    bnn_lut_i8_params *r;
    lir_step *st;
    int8_t *table;
    int out;
    if (!n->a.i8.b || n->a.i8.b_len != 256)
        return err_node(x, n, "has no 256-entry table");
    table = xmalloc(256);
    out = i8_new_output(x, n);
    st = step(x, LK_LUT_I8, n);
    set_io(st, in.t, -1, out);
    r = &st->p.lut_i8;
    r->n = (size_t)ir_shape_count(&n->shape[0]);
    memcpy(table, n->a.i8.b, 256);
    add_const(x, st, LC_I8, 256, table, "lut");
    snprintf(st->what, sizeof st->what, "256-entry table, int8");
    return 0;
}

/* The exponentials' table is computed here, with the compiler's expf, as
 * TFLite computes it when the model is prepared. */
static int lower_softmax_i8(lower_ctx *x, ir_node *n)
{
    const ir_qtype *q;
    lval in = i8_input(x, n, 0, &q);
    const ir_shape *s = &n->shape[0];
    bnn_softmax_i8_params *r;
    lir_step *st;
    float *table = xmalloc(sizeof(float) * 256);
    int out = i8_new_output(x, n);
    st = step(x, LK_SOFTMAX_I8, n);
    set_io(st, in.t, -1, out);
    r = &st->p.softmax_i8;
    r->len = i32(s->d[s->ndim - 1]);
    r->rows = i32(ir_shape_count(s) / s->d[s->ndim - 1]);
    r->out_scale = (float)n->q.scale;
    r->out_zp = n->q.zp;
    bnn_softmax_i8_table((float)q->scale, n->a.i8.slope, table);
    add_const(x, st, LC_F32, 256, table, "exp");
    snprintf(st->what, sizeof st->what, "softmax, %d rows of %d, int8", r->rows, r->len);
    return 0;
}

/* Per-channel multipliers and shifts of a conv/dense, as constants. */
static int channel_requant(lower_ctx *x, ir_node *n, lir_step *s, const ir_qtype *q,
                           int32_t out_c)
{
    int32_t *m = xmalloc(sizeof(int32_t) * (size_t)out_c);
    int32_t *sh = xmalloc(sizeof(int32_t) * (size_t)out_c);
    int rc = requant_i8_channels(q->scale, n->a.i8.w_scale, n->a.i8.n_w_scale, n->q.scale,
                                 out_c, m, sh);
    add_const(x, s, LC_I32, (size_t)out_c, m, "mult");
    add_const(x, s, LC_I32, (size_t)out_c, sh, "shift");
    return rc ? err_shift(x, n) : 0;
}

static void bias_const(lower_ctx *x, lir_step *s, const ir_i8_attr *a)
{
    if (a->bias) {
        int32_t *b = xmalloc(sizeof(int32_t) * (size_t)a->out_c);
        memcpy(b, a->bias, sizeof(int32_t) * (size_t)a->out_c);
        add_const(x, s, LC_I32, (size_t)a->out_c, b, "b");
    }
}

static int lower_conv_i8(lower_ctx *x, ir_node *n)
{
    const ir_qtype *q;
    const ir_i8_attr *a = &n->a.i8;
    lval in = i8_input(x, n, 0, &q);
    const ir_shape *is = &in.shape, *os = &n->shape[0];
    int out = i8_new_output(x, n);
    lir_step *s;
    if (n->op == IR_OP_DWCONV_I8) {
        bnn_dwconv2d_i8_params *d;
        int8_t *w;
        size_t nw = (size_t)a->kernel[0] * (size_t)a->kernel[1] * (size_t)a->out_c;
        s = step(x, LK_DWCONV_I8, n);
        set_io(s, in.t, -1, out);
        d = &s->p.dwconv_i8;
        d->n = i32(is->d[0]), d->in_h = i32(is->d[1]), d->in_w = i32(is->d[2]);
        d->in_c = i32(is->d[3]);
        d->out_h = i32(os->d[1]), d->out_w = i32(os->d[2]), d->mult = a->mult;
        d->k_h = a->kernel[0], d->k_w = a->kernel[1];
        d->stride_h = a->stride[0], d->stride_w = a->stride[1];
        d->pad_top = a->pad[0], d->pad_left = a->pad[2];
        d->dil_h = a->dilate[0], d->dil_w = a->dilate[1];
        d->in_zp = q->zp, d->out_zp = n->q.zp;
        d->act_min = a->act_min, d->act_max = a->act_max;
        d->out_pixel_stride = a->out_c;
        w = xmalloc(nw);
        memcpy(w, a->w, nw);
        add_const(x, s, LC_I8, nw, w, "w");
    } else {
        bnn_conv2d_i8_params *c;
        int32_t k, cg = i32(a->w_shape.d[3]);
        int8_t *w;
        size_t nb;
        s = step(x, LK_CONV_I8, n);
        set_io(s, in.t, -1, out);
        c = &s->p.conv_i8;
        c->n = i32(is->d[0]), c->in_h = i32(is->d[1]), c->in_w = i32(is->d[2]);
        c->in_c = i32(is->d[3]);
        c->out_h = i32(os->d[1]), c->out_w = i32(os->d[2]), c->out_c = a->out_c;
        c->k_h = a->kernel[0], c->k_w = a->kernel[1];
        c->stride_h = a->stride[0], c->stride_w = a->stride[1];
        c->pad_top = a->pad[0], c->pad_left = a->pad[2];
        c->dil_h = a->dilate[0], c->dil_w = a->dilate[1];
        c->groups = c->in_c / cg;
        c->in_zp = q->zp, c->out_zp = n->q.zp;
        c->act_min = a->act_min, c->act_max = a->act_max;
        c->out_pixel_stride = a->out_c;
        k = c->k_h * c->k_w * cg;
        nb = bnn_i8_weight_bytes(c->out_c, c->groups, k);
        w = xmalloc(nb);
        bnn_i8_pack_weights(c->out_c, c->groups, k, a->w, w);
        add_const(x, s, LC_I8, nb, w, "w");
        s->scratch = lir_tensor_add(x->p, LIR_U8, 1, 1, 1,
                                    i32((int64_t)bnn_conv2d_i8_scratch_bytes(c)), "scratch");
        x->p->t[s->scratch].scratch = 1;
    }
    bias_const(x, s, a);
    if (channel_requant(x, n, s, q, a->out_c))
        return -1;
    snprintf(s->what, sizeof s->what, "%dx%d s%d,%d d%d,%d pad %d,%d,%d,%d, %lld->%d%s, int8",
             a->kernel[0], a->kernel[1], a->stride[0], a->stride[1], a->dilate[0],
             a->dilate[1], a->pad[0], a->pad[1], a->pad[2], a->pad[3], (long long)is->d[3],
             a->out_c, n->op == IR_OP_DWCONV_I8 ? " depthwise" : "");
    return 0;
}

/* A DENSE_I8 with float output (quantize_float.c's classifier): the
 * int32 accumulators times in_scale * w_scale[o], plus the float bias. */
/* The parts of a DENSE_I8 step both outputs share: the shape and zero
 * point of step s reading `in` (quantised as q), its packed weights (the
 * first constant) and its scratch. */
static bnn_dense_i8_params *dense_i8_step(lower_ctx *x, const ir_node *n, lir_step *s,
                                          const lval *in, const ir_qtype *q)
{
    const ir_i8_attr *a = &n->a.i8;
    bnn_dense_i8_params *d = &s->p.dense_i8;
    size_t nb;
    int8_t *w;
    d->n = i32(in->shape.d[0]);
    d->in_c = i32(a->w_shape.d[1]);
    d->out_c = a->out_c;
    d->in_zp = q->zp;
    d->out_row_stride = a->out_c;
    nb = bnn_i8_weight_bytes(d->out_c, 1, d->in_c);
    w = xmalloc(nb);
    bnn_i8_pack_weights(d->out_c, 1, d->in_c, a->w, w);
    add_const(x, s, LC_I8, nb, w, "w");
    s->scratch = lir_tensor_add(x->p, LIR_U8, 1, 1, 1,
                                i32((int64_t)bnn_dense_i8_scratch_bytes(d)), "scratch");
    x->p->t[s->scratch].scratch = 1;
    return d;
}

static int lower_dense_i8_f32(lower_ctx *x, ir_node *n)
{
    const ir_qtype *q;
    const ir_i8_attr *a = &n->a.i8;
    lval in = i8_input(x, n, 0, &q), out;
    bnn_dense_i8_params *d;
    lir_step *s = step(x, LK_DENSE_I8_F32, n);
    float *sc;
    int32_t o;
    memset(&out, 0, sizeof out);
    out.shape = n->shape[0];
    out.form = form_for(&out.shape);
    out.t = new_tensor(x, LIR_F32, &out.shape, out.form, n->name);
    set_io(s, in.t, -1, out.t);
    memset(&s->p.dense_i8, 0, sizeof s->p.dense_i8);
    d = dense_i8_step(x, n, s, &in, q);
    d->act_min = -128, d->act_max = 127;
    sc = xmalloc(sizeof(float) * (size_t)a->out_c);
    for (o = 0; o < a->out_c; o++)
        sc[o] = (float)(q->scale * (double)a->w_scale[o]);
    add_const(x, s, LC_F32, (size_t)a->out_c, sc, "scale");
    if (a->bias_f) {
        float *b = xmalloc(sizeof(float) * (size_t)a->out_c);
        memcpy(b, a->bias_f, sizeof(float) * (size_t)a->out_c);
        add_const(x, s, LC_F32, (size_t)a->out_c, b, "b");
    }
    snprintf(s->what, sizeof s->what, "%d->%d, int8, float output", d->in_c, d->out_c);
    x->vals[n->id][0] = out;
    return 0;
}

static int lower_dense_i8_i8(lower_ctx *x, ir_node *n)
{
    const ir_qtype *q;
    const ir_i8_attr *a = &n->a.i8;
    lval in = i8_input(x, n, 0, &q);
    int out = i8_new_output(x, n);
    bnn_dense_i8_params *d;
    lir_step *s = step(x, LK_DENSE_I8, n);
    set_io(s, in.t, -1, out);
    d = dense_i8_step(x, n, s, &in, q);
    d->out_zp = n->q.zp;
    d->act_min = a->act_min, d->act_max = a->act_max;
    bias_const(x, s, a);
    if (channel_requant(x, n, s, q, a->out_c))
        return -1;
    snprintf(s->what, sizeof s->what, "%d->%d, int8", d->in_c, d->out_c);
    return 0;
}

static int lower_dense_i8(lower_ctx *x, ir_node *n)
{
    return n->q.elem == IR_ELEM_F32 ? lower_dense_i8_f32(x, n) : lower_dense_i8_i8(x, n);
}

static int lower_pool_i8(lower_ctx *x, ir_node *n)
{
    const ir_i8_attr *a = &n->a.i8;
    lval in = i8_input(x, n, 0, NULL);
    const ir_shape *is = &in.shape, *os = &n->shape[0];
    int out = i8_new_output(x, n), max = a->pool == IR_POOL_MAX;
    lir_step *s = step(x, max ? LK_MAXPOOL_I8 : LK_AVGPOOL_I8, n);
    bnn_pool2d_i8_params *p = &s->p.pool_i8;
    set_io(s, in.t, -1, out);
    p->n = i32(is->d[0]), p->in_h = i32(is->d[1]), p->in_w = i32(is->d[2]);
    p->c = i32(is->d[3]);
    p->out_h = i32(os->d[1]), p->out_w = i32(os->d[2]);
    p->k_h = a->kernel[0], p->k_w = a->kernel[1];
    p->stride_h = a->stride[0], p->stride_w = a->stride[1];
    p->pad_top = a->pad[0], p->pad_left = a->pad[2];
    p->act_min = a->act_min, p->act_max = a->act_max;
    snprintf(s->what, sizeof s->what, "%s pool %dx%d s%d,%d pad %d,%d, int8",
             max ? "max" : "average", p->k_h, p->k_w, p->stride_h, p->stride_w, p->pad_top,
             p->pad_left);
    return 0;
}

static int lower_eltwise_i8(lower_ctx *x, ir_node *n)
{
    const ir_i8_attr *a = &n->a.i8;
    const ir_qtype *qa, *qb = &a->bq;
    lval in = i8_input(x, n, 0, &qa);
    int b, out, rc;
    size_t count = (size_t)ir_shape_count(&n->shape[0]), b_len;
    lir_step *s;
    static const lir_kind kinds[] = {LK_ADD_I8, LK_SUB_I8, LK_MUL_I8};
    static const char *const names[] = {"add", "sub", "mul"};
    if (n->n_in > 1) {
        lval vb = i8_input(x, n, 1, &qb);
        b = vb.t;
        b_len = (size_t)ir_shape_count(&vb.shape);
    } else {
        int8_t *bv = xmalloc((size_t)a->b_len);
        int id;
        memcpy(bv, a->b, (size_t)a->b_len);
        id = lir_const_add(x->p, LC_I8, (size_t)a->b_len, bv, "b");
        b = lir_tensor_add(x->p, LIR_I8, 1, 1, 1, i32(a->b_len), n->name);
        x->p->t[b].storage = LIR_CONST;
        x->p->t[b].const_id = id;
        b_len = (size_t)a->b_len;
    }
    if (!b_len || count % b_len)
        return err_node(x, n, "the second operand does not repeat along the first");
    out = i8_new_output(x, n);
    s = step(x, kinds[a->kind], n);
    set_io(s, in.t, b, out);
    s->p.eltwise_i8.n = count;
    s->p.eltwise_i8.b_len = b_len;
    s->p.eltwise_i8.k.a_zp = qa->zp;
    s->p.eltwise_i8.k.b_zp = qb->zp;
    s->p.eltwise_i8.k.out_zp = n->q.zp;
    s->p.eltwise_i8.k.act_min = a->act_min;
    s->p.eltwise_i8.k.act_max = a->act_max;
    rc = a->kind == IR_I8_MUL ? requant_i8_mul(qa->scale, qb->scale, n->q.scale, &s->p.eltwise_i8.k)
                              : requant_i8_addsub(qa->scale, qb->scale, n->q.scale,
                                                  &s->p.eltwise_i8.k);
    if (rc)
        return err_shift(x, n);
    snprintf(s->what, sizeof s->what, "%s, %zu elements by %zu, int8", names[a->kind], count,
             b_len);
    return 0;
}

static int lower_pad_i8(lower_ctx *x, ir_node *n)
{
    const ir_qtype *q;
    lval in = i8_input(x, n, 0, &q);
    const int *w = n->a.i8.width.v;
    int out = i8_new_output(x, n);
    lir_step *s = step(x, LK_PAD_I8, n);
    bnn_pad2d_i8_params *p = &s->p.pad_i8;
    set_io(s, in.t, -1, out);
    p->n = i32(in.shape.d[0]), p->h = i32(in.shape.d[1]), p->w = i32(in.shape.d[2]);
    p->c = i32(in.shape.d[3]);
    p->top = w[2], p->bottom = w[3], p->left = w[4], p->right = w[5];
    p->value = (int8_t)n->q.zp;
    snprintf(s->what, sizeof s->what, "pad (%d, %d, %d, %d) with the zero point %d", w[2], w[3],
             w[4], w[5], (int)n->q.zp);
    return 0;
}

static int lower_mean_i8(lower_ctx *x, ir_node *n)
{
    const ir_qtype *q;
    lval in = i8_input(x, n, 0, &q);
    int out = i8_new_output(x, n);
    lir_step *s = step(x, LK_MEAN_I8, n);
    bnn_mean_i8_params *p = &s->p.mean_i8;
    set_io(s, in.t, -1, out);
    p->n = i32(in.shape.d[0]), p->h = i32(in.shape.d[1]), p->w = i32(in.shape.d[2]);
    p->c = i32(in.shape.d[3]);
    p->in_zp = q->zp;
    p->out_zp = n->q.zp;
    if (requant_i8_ratio(q->scale, n->q.scale, &p->mult, &p->shift))
        return err_shift(x, n);
    snprintf(s->what, sizeof s->what, "mean over %dx%d, int8", p->h, p->w);
    return 0;
}

/* Concatenation along the last axis: each input copied into its channel
 * slice (every input has the output's quantisation: the frontend checks). */
static int lower_concat_i8(lower_ctx *x, ir_node *n)
{
    const ir_shape *os = &n->shape[0];
    int out, i, ax = n->a.i8.axis < 0 ? n->a.i8.axis + os->ndim : n->a.i8.axis;
    int32_t off = 0, c, pixels;
    if (ax != os->ndim - 1)
        return err_node(x, n, "int8 concatenation is supported along the last axis only");
    out = i8_new_output(x, n);
    pixels = i32(ir_shape_count(os) / os->d[ax]);
    for (i = 0; i < n->n_in; i++) {
        lval in = i8_input(x, n, i, NULL);
        lir_step *s = step(x, LK_COPY_CH_I8, n);
        c = i32(in.shape.d[ax]);
        set_io(s, in.t, -1, out);
        s->p.copy.k.pixels = pixels;
        s->p.copy.k.c = c;
        s->p.copy.k.in_pixel_stride = c;
        s->p.copy.k.out_pixel_stride = i32(os->d[ax]);
        s->p.copy.k.dst_c_offset = off;
        snprintf(s->what, sizeof s->what, "channels -> [%d, %d), int8", off, off + c);
        off += c;
    }
    return 0;
}

/* Equal parts along the last axis: each output a copy of its channel
 * slice of every pixel (the outputs share the input's quantisation: the
 * frontend checks). */
static int lower_split_i8(lower_ctx *x, ir_node *n)
{
    lval in = i8_input(x, n, 0, NULL);
    int nd = in.shape.ndim, o;
    int ax = n->a.split.axis < 0 ? n->a.split.axis + nd : n->a.split.axis;
    int32_t c, pixels;
    if (ax != nd - 1 || n->a.split.squeeze_axis)
        return err_node(x, n, "int8 split is supported along the last axis only");
    c = i32(n->shape[0].d[ax]);
    pixels = i32(ir_shape_count(&in.shape) / in.shape.d[ax]);
    for (o = 0; o < n->n_out; o++) {
        int t = i8_tensor(x, &n->shape[o], n->name);
        lir_step *s = step(x, LK_COPY_CH_I8, n);
        set_io(s, in.t, -1, t);
        s->p.copy.k.pixels = pixels;
        s->p.copy.k.c = c;
        s->p.copy.k.in_pixel_stride = i32(in.shape.d[ax]);
        s->p.copy.k.out_pixel_stride = c;
        s->p.copy.k.dst_c_offset = 0;
        s->p.copy.in_offset = o * c;
        snprintf(s->what, sizeof s->what, "channels [%d, %d), int8", o * c, (o + 1) * c);
        x->vals[n->id][o] = i8_value(t, &n->shape[o]);
    }
    return 0;
}

/* Row-major data: the same bytes with the new shape. */
static int lower_reshape_i8(lower_ctx *x, ir_node *n)
{
    lval in = i8_input(x, n, 0, NULL);
    int t = i8_tensor(x, &n->shape[0], n->name);
    lir_tensor *vt = &x->p->t[t];
    BNNC_ASSERT(vt->bytes == x->p->t[in.t].bytes);
    vt->storage = LIR_VIEW;
    vt->view_of = lir_base(x->p, in.t);
    vt->view_offset = x->p->t[in.t].storage == LIR_VIEW ? x->p->t[in.t].view_offset : 0;
    x->vals[n->id][0] = i8_value(t, &n->shape[0]);
    return 0;
}

typedef int (*lower_fn)(lower_ctx *x, ir_node *n);

static const lower_fn lower_of[] = {
#define OP(id, name, kind, operands, attrs, shape, lower) lower,
#include "../ir/ops.def"
#undef OP
};
_Static_assert(sizeof lower_of / sizeof *lower_of == IR_OP_COUNT,
               "lowering table out of step with ops.def");

int pass_lower(ir_graph *g, const lower_options *o, lir_program *p, bnnc_err *err)
{
    lower_ctx x;
    size_t i;
    int j, rc = 0;
    size_t at = 0;

    lir_init(p);
    x.g = g;
    x.p = p;
    x.o = o;
    x.err = err;
    x.vals = xcalloc(g->n ? g->n : 1, sizeof *x.vals);
    x.packed = NULL;
    x.npacked = 0;
    for (i = 0; i < g->n; i++)
        x.vals[i] = xcalloc((size_t)g->nodes[i]->n_out, sizeof(lval));
    for (i = 0; i < g->n && !rc; i++)
        if (!g->nodes[i]->dead)
            rc = lower_of[g->nodes[i]->op](&x, g->nodes[i]);
    if (!rc && p->input < 0)
        rc = bnnc_errf(err, "%s: the graph has no data input", g->symbol_path);
    for (j = 0; j < g->n_heads && !rc; j++) {
        const ir_node *h = g->nodes[g->heads[j].node];
        lval v = value_of(&x, g->heads[j]);
        size_t count = 0;
        rc = lower_head(&x, h, v, at, &count);
        at += count;
    }
    p->output_elems = at;
    /* constants computed here from parameters (folded BatchNorm, scales)
     * must not be NaN: it would come from non-finite parameters (inf *
     * 0, inf - inf) that MXNet combines in another order */
    for (j = 0; j < p->nc && !rc; j++) {
        const lir_const *c = &p->c[j];
        size_t k;
        for (k = 0; c->type == LC_F32 && k < c->count && !rc; k++)
            if (isnan(((const float *)c->data)[k])) {
                int node = c->step < p->ns ? p->s[c->step].node : -1;
                rc = node >= 0 ? ir_node_errf(g, g->nodes[node], err,
                                              "its %s constants come out NaN (element "
                                              "%zu) from its parameters (infinities, or "
                                              "a variance below -eps)",
                                              c->role, k)
                               : bnnc_errf(err, "%s: a constant comes out NaN from the "
                                                "model's parameters",
                                           g->symbol_path);
            }
    }
    for (i = 0; i < g->n; i++)
        free(x.vals[i]);
    free(x.vals);
    free(x.packed);
    if (rc) {
        lir_free(p);
        return -1;
    }
    lir_lifetimes(p);
    return 0;
}
