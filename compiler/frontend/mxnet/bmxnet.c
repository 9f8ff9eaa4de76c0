/*
 * bmxnet.c - BMXNet's binary layers, as frontend ops until the expand
 * pass makes each one a generic BCONV/BDENSE node (bmxnet.md section 5).
 *
 *  v1   QConvolution / QConvolution_v1 / QFullyConnected binarize their
 *       own input and weights: y = ((K + dot)/2 + bias) * s, s = mean|W|
 *       only with scaling_mode=forward. Their zero padding is applied
 *       before the sign, so padded taps are +1 (PAD_PLUS_ONE). Weights are
 *       real, or packed words when binarized_weights_only.
 *  v2 converted
 *       BinaryInferenceConvolution / ...FullyConnected also binarize their
 *       input, with packed weights; the output is the popcount (K + dot)/2.
 *
 * Packed words are BMXNet's: float32 arrays holding 32-bit words or
 * float64 arrays holding 64-bit words, bit 1 = +1, LSB first. The
 * constant keeps the file's bytes (ir_const.raw) until expand unpacks
 * them, because the unpacking needs the input channels (the shapes pass).
 * The BMXNet-v2 raw Gluon export (det_sign, Pad(-1), conv, offset ops) is
 * made of generic ops and recognised by the binarize pass.
 */
#include "mxnet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/mem.h"

/* ---- attributes ----------------------------------------------------------- */

static void free_bmx(void *attrs)
{
    free(attrs);
}

static bmx_attrs *new_attrs(areader *r, const ir_frontend_op *op)
{
    bmx_attrs *q = xcalloc(1, sizeof *q);
    r->n->op = IR_OP_FRONTEND;
    r->n->a.fe.op = op;
    r->n->a.fe.attrs = q;
    return q;
}

int bmx_read_qconv(areader *r)
{
    static const char *const modes[] = {"none", "forward", "backward", NULL};
    static const char *const keys[] = {"gradient_update_mode", "scaling_factor", NULL};
    bmx_attrs *q = new_attrs(r, &bmx_qconv);
    int mode = 0;
    if (read_bits(r, &q->act_bit, &q->weight_bit) ||
        a_bool(r, "binarized_weights_only", 0, &q->packed) ||
        a_enum(r, "scaling_mode", modes, 0, &mode) || read_conv(r, &q->conv, 1))
        return -1;
    a_ignore(r, keys);
    q->scaling_forward = mode == 1;
    return 0;
}

int bmx_read_qdense(areader *r)
{
    static const char *const keys[] = {"gradient_update_mode", NULL};
    bmx_attrs *q = new_attrs(r, &bmx_qdense);
    if (read_bits(r, &q->act_bit, &q->weight_bit) ||
        a_bool(r, "binarized_weights_only", 0, &q->packed) || read_dense(r, &q->dense, 1))
        return -1;
    a_ignore(r, keys);
    q->dense.flatten = 1; /* QFullyConnected always flattens */
    return 0;
}

int bmx_read_biconv(areader *r)
{
    bmx_attrs *q = new_attrs(r, &bmx_biconv);
    q->packed = 1;
    q->converted = 1;
    if (read_conv(r, &q->conv, 1))
        return -1;
    if (q->conv.num_group != 1)
        return ir_node_errf(r->g, r->n, r->err,
                            "num_group %d: packed binary convolutions have no groups",
                            q->conv.num_group);
    return 0;
}

int bmx_read_bidense(areader *r)
{
    bmx_attrs *q = new_attrs(r, &bmx_bidense);
    q->packed = 1;
    q->converted = 1;
    if (read_dense(r, &q->dense, 1))
        return -1;
    q->dense.flatten = 1; /* the operator flattens regardless */
    return 0;
}

int bmx_read_qact(areader *r)
{
    int backward_only, act_bit;
    if (a_bool(r, "backward_only", 0, &backward_only) || a_int(r, "act_bit", 1, &act_bit))
        return -1;
    if (!backward_only && act_bit != 1)
        return ir_node_errf(r->g, r->n, r->err,
                            "act_bit=%d: only 1-bit activations are supported", act_bit);
    /* a backward-only QActivation is the identity at inference */
    r->n->op = backward_only ? IR_OP_IDENTITY : IR_OP_SIGN;
    return expect_inputs(r, 1, 1);
}

int bmx_slot_packed(const ir_node *n, int i)
{
    const bmx_attrs *q;
    if (n->op != IR_OP_FRONTEND || i != 1)
        return 0;
    q = n->a.fe.attrs;
    return q->packed;
}

/* ---- shapes ------------------------------------------------------------- */

static const ir_shape *in_shape(const ir_graph *g, const ir_node *n, int i)
{
    return &g->nodes[n->in[i].node]->shape[n->in[i].out];
}

static int set_shape(ir_node *n, const ir_shape *s)
{
    if (!n->shape)
        n->shape = xcalloc(1, sizeof *n->shape);
    n->shape[0] = *s;
    return 0;
}

/* Word size of a packed weights constant: 64 when stored as float64. */
static int word_bits_of(const ir_node *c)
{
    return c->a.c.raw && c->a.c.raw_elem_bytes == 8 ? 64 : 32;
}

/* Weights declared packed that hold one float per weight instead: the
 * BMXNet converters leave a layer's weights unpacked when its input
 * channels are not a multiple of the word size (while still renaming the
 * op). Use them as real-valued weights (binarized like v1's). Returns 1
 * when n was switched to real-valued weights. */
static int unpacked_fallback(ir_graph *g, ir_node *n, int64_t count)
{
    ir_node *wn = g->nodes[n->in[1].node];
    bmx_attrs *q = n->a.fe.attrs;
    const ir_const *c = &wn->a.c;
    size_t i, elems;
    if (!c->raw || !c->raw_elem_bytes || ir_use_count(g, wn->id, 0) != 1)
        return 0;
    elems = c->raw_bytes / (size_t)c->raw_elem_bytes;
    if ((int64_t)elems != count)
        return 0;
    wn->a.c.f = ir_graph_floats(g, elems);
    for (i = 0; i < elems; i++) {
        if (c->raw_elem_bytes == 8) {
            double d;
            memcpy(&d, c->raw + 8 * i, 8);
            wn->a.c.f[i] = (float)d;
        } else {
            memcpy(&wn->a.c.f[i], c->raw + 4 * i, 4);
        }
    }
    wn->a.c.raw = NULL;
    q->packed = 0;
    bnnc_warnf("%s: node '%s' (%s): weights '%s' are not packed (%lld values); using them "
               "as real-valued weights",
               g->symbol_path, n->name, n->src_op, wn->name, (long long)count);
    return 1;
}

static int64_t packed_words(int64_t bits, int word_bits)
{
    return (bits + word_bits - 1) / word_bits;
}

static int shape_bconv(ir_graph *g, ir_node *n, bnnc_err *err)
{
    bmx_attrs *q = n->a.fe.attrs;
    const ir_conv_attr *c = &q->conv;
    const ir_shape *x = in_shape(g, n, 0);
    const ir_node *wn = g->nodes[n->in[1].node];
    ir_shape out;
    int64_t cg, bits;
    char a[96], b[96];
    if (x->ndim != 4)
        return ir_node_errf(g, n, err, "needs a 4-D (N, C, H, W) input, got %s",
                            ir_shape_str(x, a, sizeof a));
    if (x->d[1] % c->num_group)
        return ir_node_errf(g, n, err, "input has %lld channels, not divisible by num_group %d",
                            (long long)x->d[1], c->num_group);
    cg = x->d[1] / c->num_group;
    out = *x;
    out.d[1] = c->num_filter;
    out.d[2] = ir_conv_out_size(x->d[2], c->kernel[0], c->stride[0], c->pad[0], c->dilate[0]);
    out.d[3] = ir_conv_out_size(x->d[3], c->kernel[1], c->stride[1], c->pad[1], c->dilate[1]);
    if (out.d[2] < 1 || out.d[3] < 1)
        return ir_node_errf(g, n, err,
                            "kernel (%d, %d) with dilation (%d, %d) and pad (%d, %d) does not "
                            "fit input %s",
                            c->kernel[0], c->kernel[1], c->dilate[0], c->dilate[1], c->pad[0],
                            c->pad[1], ir_shape_str(x, a, sizeof a));
    bits = (int64_t)c->num_filter * cg * c->kernel[0] * c->kernel[1];
    if (q->packed) {
        int wb = word_bits_of(wn);
        int64_t have = ir_shape_count(in_shape(g, n, 1));
        if (have != packed_words(bits, wb) && unpacked_fallback(g, n, bits))
            return shape_bconv(g, n, err);
        if (have != packed_words(bits, wb))
            return ir_node_errf(g, n, err,
                                "packed weights '%s' hold %lld %d-bit words; %d filters of "
                                "%lld x %d x %d bits need %lld",
                                wn->name, (long long)have, wb, c->num_filter, (long long)cg,
                                c->kernel[0], c->kernel[1], (long long)packed_words(bits, wb));
    } else {
        ir_shape w = {4, {c->num_filter, cg, c->kernel[0], c->kernel[1]}};
        if (!ir_shape_equal(in_shape(g, n, 1), &w))
            return ir_node_errf(g, n, err, "weight '%s' has shape %s, expected %s", wn->name,
                                ir_shape_str(in_shape(g, n, 1), a, sizeof a),
                                ir_shape_str(&w, b, sizeof b));
    }
    if (!c->no_bias && ir_shape_count(in_shape(g, n, 2)) != c->num_filter)
        return ir_node_errf(g, n, err, "bias '%s' has shape %s, expected (%d,)",
                            g->nodes[n->in[2].node]->name,
                            ir_shape_str(in_shape(g, n, 2), a, sizeof a), c->num_filter);
    return set_shape(n, &out);
}

static int shape_bdense(ir_graph *g, ir_node *n, bnnc_err *err)
{
    bmx_attrs *q = n->a.fe.attrs;
    const ir_dense_attr *d = &q->dense;
    const ir_shape *x = in_shape(g, n, 0);
    const ir_node *wn = g->nodes[n->in[1].node];
    ir_shape out = {2, {0, 0}};
    int64_t k;
    char a[96], b[96];
    if (x->ndim < 1)
        return ir_node_errf(g, n, err, "input %s has no axes", ir_shape_str(x, a, sizeof a));
    k = x->ndim == 1 ? 1 : ir_shape_count(x) / (x->d[0] ? x->d[0] : 1);
    out.d[0] = x->d[0];
    out.d[1] = d->num_hidden;
    if (q->packed) {
        int wb = word_bits_of(wn);
        int64_t have = ir_shape_count(in_shape(g, n, 1));
        int64_t want = packed_words(k, wb) * d->num_hidden;
        if ((k % wb || have != want) && unpacked_fallback(g, n, k * d->num_hidden))
            return shape_bdense(g, n, err);
        if (k % wb)
            return ir_node_errf(g, n, err,
                                "%lld input features are not a multiple of the %d-bit word of "
                                "packed weights '%s'",
                                (long long)k, wb, wn->name);
        if (have != want)
            return ir_node_errf(g, n, err,
                                "packed weights '%s' hold %lld %d-bit words; %d outputs of %lld "
                                "bits need %lld",
                                wn->name, (long long)have, wb, d->num_hidden, (long long)k,
                                (long long)want);
    } else {
        ir_shape w = {2, {d->num_hidden, k}};
        if (!ir_shape_equal(in_shape(g, n, 1), &w))
            return ir_node_errf(g, n, err, "weight '%s' has shape %s, expected %s", wn->name,
                                ir_shape_str(in_shape(g, n, 1), a, sizeof a),
                                ir_shape_str(&w, b, sizeof b));
    }
    if (!d->no_bias && ir_shape_count(in_shape(g, n, 2)) != d->num_hidden)
        return ir_node_errf(g, n, err, "bias '%s' has shape %s, expected (%d,)",
                            g->nodes[n->in[2].node]->name,
                            ir_shape_str(in_shape(g, n, 2), a, sizeof a), d->num_hidden);
    return set_shape(n, &out);
}

/* ---- expansion to BCONV / BDENSE ------------------------------------------ */

/* Bit i of packed words (little-endian words; a 64-bit word equals two
 * consecutive 32-bit words, so the bit order is the same). */
static int packed_bit(const uint8_t *raw, int64_t i)
{
    return (raw[i >> 3] >> (i & 7)) & 1;
}

/* Conv weights: a flat LSB-first bit stream over the row-major
 * (O, C, kh, kw) array; bit 1 = +1. */
static int8_t *unpack_conv(const uint8_t *raw, int64_t count)
{
    int8_t *w = xmalloc((size_t)count + 1);
    int64_t i;
    for (i = 0; i < count; i++)
        w[i] = packed_bit(raw, i) ? 1 : -1;
    return w;
}

/* FC weights: word (j*O + o) holds W[o][j*wb + b] in bit b. */
static int8_t *unpack_dense(const uint8_t *raw, int64_t o_count, int64_t k, int wb)
{
    int8_t *w = xmalloc((size_t)(o_count * k) + 1);
    int64_t o, i;
    for (o = 0; o < o_count; o++)
        for (i = 0; i < k; i++) {
            int64_t word = (i / wb) * o_count + o;
            w[o * k + i] = packed_bit(raw, word * wb + i % wb) ? 1 : -1;
        }
    return w;
}

/* +-1 copy of real weights (det_sign: x < 0 -> -1, otherwise +1). */
static int8_t *sign_weights(const ir_node *c)
{
    int64_t i, cnt = ir_shape_count(&c->a.c.shape);
    int8_t *w = xmalloc((size_t)cnt + 1);
    for (i = 0; i < cnt; i++)
        w[i] = c->a.c.f[i] < 0.0f ? -1 : 1;
    return w;
}

static int expand_binary(ir_graph *g, ir_node *n, bnnc_err *err)
{
    const bmx_attrs *q = n->a.fe.attrs;
    int is_conv = n->a.fe.op == &bmx_qconv || n->a.fe.op == &bmx_biconv;
    const ir_node *wc = g->nodes[n->in[1].node];
    const ir_shape *xs = &g->nodes[n->in[0].node]->shape[n->in[0].out];
    ir_bin_attr b;
    ir_ref data = n->in[0];
    int64_t k, channels, i;

    memset(&b, 0, sizeof b);
    b.origin = q->converted ? "bmxnet-v2-converted" : "bmxnet-v1";
    b.divisor = 2;
    b.pad_mode = IR_PAD_PLUS_ONE;
    b.stored_bytes = wc->a.c.stored_bytes;
    b.w_param = wc->a.c.source_name ? xstrdup(wc->a.c.source_name) : NULL;
    if (is_conv) {
        b.conv = q->conv;
        channels = b.conv.num_filter;
        k = xs->d[1] / b.conv.num_group * b.conv.kernel[0] * b.conv.kernel[1];
        b.w_shape.ndim = 4;
        b.w_shape.d[0] = channels;
        b.w_shape.d[1] = xs->d[1] / b.conv.num_group;
        b.w_shape.d[2] = b.conv.kernel[0];
        b.w_shape.d[3] = b.conv.kernel[1];
    } else {
        b.dense = q->dense;
        channels = b.dense.num_hidden;
        k = ir_shape_count(xs) / (xs->ndim > 1 ? xs->d[0] : 1);
        b.w_shape.ndim = 2;
        b.w_shape.d[0] = channels;
        b.w_shape.d[1] = k;
    }
    b.offset = (double)k;
    if (q->packed) {
        if (q->scaling_forward) {
            free(b.w_param);
            return ir_node_errf(g, n, err,
                                "scaling_mode=forward with packed weights: the scale mean|W| "
                                "was computed from the real-valued weights, which the file no "
                                "longer holds");
        }
        b.word_bits = word_bits_of(wc);
        b.w = is_conv ? unpack_conv(wc->a.c.raw, channels * k)
                      : unpack_dense(wc->a.c.raw, channels, k, b.word_bits);
    } else {
        b.w = sign_weights(wc);
        if (q->scaling_forward) {
            int64_t cnt = ir_shape_count(&wc->a.c.shape);
            double s = 0;
            for (i = 0; i < cnt; i++)
                s += fabs(wc->a.c.f[i]);
            b.scale = xmalloc(sizeof(float) * (size_t)channels);
            for (i = 0; i < channels; i++)
                b.scale[i] = (float)(s / (double)cnt);
        }
    }
    if (n->n_in > 2) {
        const ir_node *bc = g->nodes[n->in[2].node];
        b.bias = xmalloc(sizeof(float) * (size_t)channels);
        memcpy(b.bias, bc->a.c.f, sizeof(float) * (size_t)channels);
        b.stored_bytes += bc->a.c.stored_bytes;
        if (b.scale) /* ((K + dot)/2 + bias) * s = ((K + dot)/2) * s + bias * s */
            for (i = 0; i < channels; i++)
                b.bias[i] *= b.scale[i];
    }
    free_bmx(n->a.fe.attrs);
    n->op = is_conv ? IR_OP_BCONV : IR_OP_BDENSE;
    n->a.b = b;
    ir_node_set_inputs(g, n, 1, &data);
    return 0;
}

const ir_frontend_op bmx_qconv = {"mxnet.QConvolution", "binary_conv", "dwp",
                                  shape_bconv, expand_binary, free_bmx};
const ir_frontend_op bmx_qdense = {"mxnet.QFullyConnected", "binary_dense", "dwp",
                                   shape_bdense, expand_binary, free_bmx};
const ir_frontend_op bmx_biconv = {"mxnet.BinaryInferenceConvolution", "binary_conv", "dwp",
                                   shape_bconv, expand_binary, free_bmx};
const ir_frontend_op bmx_bidense = {"mxnet.BinaryInferenceFullyConnected", "binary_dense",
                                    "dwp", shape_bdense, expand_binary, free_bmx};
