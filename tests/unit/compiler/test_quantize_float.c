/*
 * test_quantize_float.c - the quantize_float pass (--float-layers int8):
 * activation, weight and bias quantisation, the graph it makes, and an
 * int8 convolution computed with the runtime's integer steps from what the
 * pass chose, against the float convolution, within the bound the
 * quantisation steps give.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bnn_int8.h"
#include "ir_build.h"
#include "passes/requant_i8.h"

static void test_activation_params(void **state)
{
    ir_qtype q;
    (void)state;
    quant_activation(-1.0, 3.0, &q);
    assert_int_equal(q.elem, IR_ELEM_I8);
    assert_true(q.scale == (double)(float)(4.0 / 255.0));
    assert_int_equal(q.zp, -64);
    /* the range is covered and 0 is exact */
    assert_true((-128 - q.zp) * q.scale <= -1.0 + q.scale / 2);
    assert_true((127 - q.zp) * q.scale >= 3.0 - q.scale / 2);
    /* a range above 0 is widened to hold it: zero point at the bottom */
    quant_activation(0.5, 2.0, &q);
    assert_int_equal(q.zp, -128);
    assert_true(q.scale == (double)(float)(2.0 / 255.0));
    /* below 0: zero point at the top */
    quant_activation(-3.0, -1.0, &q);
    assert_int_equal(q.zp, 127);
    /* nothing but zeros: any scale, zero point 0 */
    quant_activation(0.0, 0.0, &q);
    assert_int_equal(q.zp, 0);
    assert_true(q.scale == 1.0);
}

static void test_weight_params(void **state)
{
    const float w[9] = {0.5f, -1.0f, 0.25f, 0, 0, 0, 1e-35f, -2e-35f, 0};
    int8_t q[9];
    float s[3];
    (void)state;
    quant_weights(w, 3, 3, q, s);
    /* per output channel: the largest magnitude is +-127 */
    assert_true(s[0] == (float)(1.0 / 127.0));
    assert_int_equal(q[0], 64); /* 63.5 rounds away from zero */
    assert_int_equal(q[1], -127);
    assert_int_equal(q[2], 32); /* 31.75 */
    /* a channel of zeros, and one below 1e-30, are zeros of scale 1 */
    assert_true(s[1] == 1.0f && s[2] == 1.0f);
    assert_int_equal(q[3], 0);
    assert_int_equal(q[6], 0);
    assert_int_equal(q[7], 0);
}

static void test_bias_params(void **state)
{
    (void)state;
    assert_int_equal(quant_bias(1.0, 0.5, 0.01), 200);
    assert_int_equal(quant_bias(-0.3, 0.1, 0.1), -30);
    assert_int_equal(quant_bias(1e30, 1e-3, 1e-3), INT32_MAX);
    assert_int_equal(quant_bias(-1e30, 1e-3, 1e-3), INT32_MIN);
}

/* data (1, 3, 6, 6) -> conv 3x3 s1 p1, 5 filters, bias, ReLU (as
 * fold_float leaves it) -> max pool 3x3 s2 p1, or tanh -> head. Filter 4
 * is all zeros. */
static ir_node *conv_graph(ir_graph *g, int pool, ir_node **conv)
{
    ir_node *x, *w, *b, *c, *p = NULL;
    float wv[5 * 3 * 3 * 3];
    int i;
    ir_graph_init(g);
    x = ib_input(g, "data");
    for (i = 0; i < 135; i++)
        wv[i] = i >= 108 ? 0.0f : (float)((i * 37 + 11) % 23 - 11) / 16.0f;
    w = ib_const(g, "w", ib_shape(4, 5, 3, 3, 3), wv);
    b = ib_const(g, "b", ib_shape(1, 5), NULL);
    c = ib_op(g, IR_OP_CONV, "conv", 3, x, w, b);
    c->a.conv = ib_conv(3, 1, 1, 5, 1, 0);
    c->a.conv.relu = 1;
    if (pool) {
        p = ib_op(g, IR_OP_POOL, "pool", 1, c);
        memset(&p->a.pool, 0, sizeof p->a.pool);
        p->a.pool.type = IR_POOL_MAX;
        p->a.pool.kernel[0] = p->a.pool.kernel[1] = 3;
        p->a.pool.stride[0] = p->a.pool.stride[1] = 2;
        p->a.pool.pad[0] = p->a.pool.pad[1] = 1;
    } else {
        p = ib_op(g, IR_OP_ACT, "tanh", 1, c);
        p->a.act.act = IR_ACT_TANH;
    }
    ib_heads(g, 1, p);
    *conv = c;
    return x;
}

static const ir_node *only(const ir_graph *g, ir_op op)
{
    const ir_node *f = NULL;
    size_t i;
    for (i = 0; i < g->n; i++)
        if (!g->nodes[i]->dead && g->nodes[i]->op == op) {
            assert_null(f);
            f = g->nodes[i];
        }
    assert_non_null(f);
    return f;
}

static int count_op(const ir_graph *g, ir_op op)
{
    int k = 0;
    size_t i;
    for (i = 0; i < g->n; i++)
        k += !g->nodes[i]->dead && g->nodes[i]->op == op;
    return k;
}

static void test_conv_rewrite(void **state)
{
    ir_graph g;
    ir_node *conv;
    ir_ref *refs;
    bnnc_err err;
    const quant_range r[2] = {{-0.6, 0.6}, {0.0, 4.0}};
    float wf[135], bf[5], xin[108];
    const ir_node *q, *c, *d;
    ir_qtype qi, qo;
    int32_t mult[5], shift[5];
    int o, y, x, ci, ky, kx, i;
    (void)state;
    conv_graph(&g, 0, &conv);
    assert_int_equal(ib_shapes(&g, ib_shape(4, 1, 3, 6, 6), &err), 0);
    memcpy(wf, g.nodes[conv->in[1].node]->a.c.f, sizeof wf);
    memcpy(bf, g.nodes[conv->in[2].node]->a.c.f, sizeof bf);
    /* the tensors to calibrate: the conv's input, then its output */
    assert_int_equal(quant_float_refs(&g, &refs), 2);
    assert_int_equal(refs[0].node, conv->in[0].node);
    assert_int_equal(refs[1].node, conv->id);
    free(refs);
    assert_int_equal(pass_quantize_float(&g, r, 2, &err), 0);
    assert_int_equal(ir_check(&g, 1, &err), 0);

    q = only(&g, IR_OP_QUANTIZE);
    c = only(&g, IR_OP_CONV_I8);
    d = only(&g, IR_OP_DEQUANTIZE);
    assert_int_equal(c->in[0].node, q->id);
    assert_int_equal(d->in[0].node, c->id);
    assert_int_equal(ib_find(&g, "tanh")->in[0].node, d->id);
    quant_activation(-0.6, 0.6, &qi);
    quant_activation(0.0, 4.0, &qo);
    assert_true(q->q.scale == qi.scale && q->q.zp == qi.zp);
    assert_true(c->q.scale == qo.scale && c->q.zp == qo.zp);
    /* ReLU: the clamp at the output's zero point */
    assert_int_equal(c->a.i8.act_min, qo.zp);
    assert_int_equal(c->a.i8.act_max, 127);
    assert_int_equal(c->a.i8.n_w_scale, 5);
    for (o = 0; o < 5; o++) {
        double m = 0;
        for (i = 0; i < 27; i++)
            m = fmax(m, fabs((double)wf[o * 27 + i]));
        /* per-channel symmetric scales, OHWI weights */
        assert_true(c->a.i8.w_scale[o] == (m > 0 ? (float)(m / 127.0) : 1.0f));
        for (ky = 0; ky < 3; ky++)
            for (kx = 0; kx < 3; kx++)
                for (ci = 0; ci < 3; ci++) {
                    double v = wf[((o * 3 + ci) * 3 + ky) * 3 + kx];
                    long e = lround(v / (double)c->a.i8.w_scale[o]);
                    assert_int_equal(c->a.i8.w[((o * 3 + ky) * 3 + kx) * 3 + ci], e);
                }
        /* int32 bias of scale in_scale * w_scale */
        assert_int_equal(c->a.i8.bias[o],
                         (int32_t)nearbyint((double)bf[o] /
                                            (qi.scale * (double)c->a.i8.w_scale[o])));
    }
    /* requantisation multipliers: in_scale * w_scale / out_scale */
    assert_int_equal(requant_i8_channels(qi.scale, c->a.i8.w_scale, 5, qo.scale, 5, mult,
                                         shift), 0);
    for (o = 0; o < 5; o++) {
        double real = qi.scale * (double)c->a.i8.w_scale[o] / qo.scale;
        double got = (double)mult[o] * ldexp(1.0, shift[o] - 31);
        assert_true(fabs(got - real) <= real * ldexp(1.0, -30));
    }

    /* the int8 convolution with the runtime's integer steps against the
     * float one: within half a step of each quantisation */
    for (i = 0; i < 108; i++)
        xin[i] = (float)((i * 29 + 5) % 41 - 20) / 34.0f;
    for (o = 0; o < 5; o++)
        for (y = 0; y < 6; y++)
            for (x = 0; x < 6; x++) {
                double ref = bf[o], bound, sw = c->a.i8.w_scale[o], sumw = 0, sumx = 0, got;
                int32_t acc = c->a.i8.bias[o], v;
                int taps = 0;
                for (ci = 0; ci < 3; ci++)
                    for (ky = 0; ky < 3; ky++)
                        for (kx = 0; kx < 3; kx++) {
                            int yy = y + ky - 1, xx = x + kx - 1;
                            double xv, wv = wf[((o * 3 + ci) * 3 + ky) * 3 + kx];
                            long qx;
                            if (yy < 0 || yy >= 6 || xx < 0 || xx >= 6)
                                continue;
                            xv = xin[(ci * 6 + yy) * 6 + xx];
                            ref += wv * xv;
                            qx = lround(xv / qi.scale) + qi.zp;
                            qx = qx < -128 ? -128 : qx > 127 ? 127 : qx;
                            acc += c->a.i8.w[((o * 3 + ky) * 3 + kx) * 3 + ci] *
                                   (int32_t)(qx - qi.zp);
                            sumw += fabs(wv);
                            sumx += fabs(xv);
                            taps++;
                        }
                ref = ref > 0 ? ref : 0;
                v = bnn_i8_mbqm(acc, mult[o], shift[o]) + qo.zp;
                v = v < c->a.i8.act_min ? c->a.i8.act_min : v > 127 ? 127 : v;
                got = (v - qo.zp) * qo.scale;
                bound = sumw * qi.scale / 2 + sumx * sw / 2 + taps * qi.scale * sw / 4 +
                        qi.scale * sw / 2 + qo.scale * 0.5001;
                if (fabs(got - ref) > bound)
                    fail_msg("output (%d, %d, %d): int8 %.6g, float %.6g, bound %.3g", o, y, x,
                             got, ref, bound);
            }
    ir_graph_free(&g);
}

/* A max pool between two int8 layers moves before the dequantisation,
 * with the first layer's quantisation, and the second reads it in int8;
 * a max pool whose result goes on in float stays float. */
static void test_pool_moves(void **state)
{
    ir_graph g;
    ir_node *conv, *w2, *c2, *t;
    bnnc_err err;
    const quant_range r[4] = {{-1.0, 1.0}, {0.0, 2.0}, {0.0, 1.5}, {-1.0, 3.0}};
    const quant_range r2[2] = {{-1.0, 1.0}, {0.0, 2.0}};
    const ir_node *c, *p, *d, *q;
    ir_ref *refs;
    size_t i;
    int nc = 0;
    (void)state;
    conv_graph(&g, 1, &conv);
    /* pool -> conv 1x1 -> tanh */
    w2 = ib_const(&g, "w2", ib_shape(4, 2, 5, 1, 1), NULL);
    c2 = ib_op(&g, IR_OP_CONV, "conv2", 2, ib_find(&g, "pool"), w2);
    c2->a.conv = ib_conv(1, 1, 0, 2, 1, 1);
    t = ib_op(&g, IR_OP_ACT, "tanh2", 1, c2);
    t->a.act.act = IR_ACT_TANH;
    ib_heads(&g, 1, t);
    assert_int_equal(ib_shapes(&g, ib_shape(4, 1, 3, 6, 6), &err), 0);
    assert_int_equal(quant_float_refs(&g, &refs), 4);
    free(refs);
    assert_int_equal(pass_quantize_float(&g, r, 4, &err), 0);
    assert_int_equal(ir_check(&g, 1, &err), 0);
    c = ib_find(&g, "conv");
    p = only(&g, IR_OP_POOL_I8);
    q = only(&g, IR_OP_QUANTIZE);
    d = only(&g, IR_OP_DEQUANTIZE);
    for (i = 0; i < g.n; i++)
        nc += g.nodes[i]->op == IR_OP_CONV_I8;
    assert_int_equal(nc, 2);
    assert_ptr_equal(ib_find(&g, "pool"), p); /* the float pool is gone */
    assert_int_equal(c->in[0].node, q->id);
    assert_int_equal(p->in[0].node, c->id);
    assert_int_equal(ib_find(&g, "conv2")->in[0].node, p->id);
    assert_int_equal(d->in[0].node, ib_find(&g, "conv2")->id);
    assert_true(p->q.scale == c->q.scale && p->q.zp == c->q.zp);
    ir_graph_free(&g);

    /* conv -> pool -> head: the pool also moves into int8, before the
     * dequantisation that makes the float output */
    conv_graph(&g, 1, &conv);
    assert_int_equal(ib_shapes(&g, ib_shape(4, 1, 3, 6, 6), &err), 0);
    assert_int_equal(pass_quantize_float(&g, r2, 2, &err), 0);
    assert_int_equal(ir_check(&g, 1, &err), 0);
    c = only(&g, IR_OP_CONV_I8);
    d = only(&g, IR_OP_DEQUANTIZE);
    p = only(&g, IR_OP_POOL_I8);
    for (i = 0; i < g.n; i++)
        assert_true(g.nodes[i]->dead || g.nodes[i]->op != IR_OP_POOL);
    assert_int_equal(p->in[0].node, c->id);
    assert_int_equal(d->in[0].node, p->id);
    assert_true(p->q.scale == c->q.scale && p->q.zp == c->q.zp);
    assert_int_equal(g.heads[0].node, d->id);
    ir_graph_free(&g);
}

/* Two dense layers in a row stay int8 between them: the second's
 * quantisation of the first's dequantised output is dropped. */
static void test_dense_chain(void **state)
{
    ir_graph g;
    ir_node *x, *w1, *w2, *d1, *d2, *t;
    bnnc_err err;
    ir_ref *refs;
    const quant_range r[3] = {{-1.0, 1.0}, {-2.0, 2.0}, {-3.0, 1.0}};
    const ir_node *q, *a, *b;
    size_t i;
    int nq = 0;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    w1 = ib_const(&g, "w1", ib_shape(2, 6, 4), NULL);
    w2 = ib_const(&g, "w2", ib_shape(2, 3, 6), NULL);
    d1 = ib_op(&g, IR_OP_DENSE, "fc1", 2, x, w1);
    d1->a.dense.num_hidden = 6, d1->a.dense.no_bias = 1, d1->a.dense.flatten = 1;
    d2 = ib_op(&g, IR_OP_DENSE, "fc2", 2, d1, w2);
    d2->a.dense.num_hidden = 3, d2->a.dense.no_bias = 1, d2->a.dense.flatten = 1;
    t = ib_op(&g, IR_OP_ACT, "tanh", 1, d2);
    t->a.act.act = IR_ACT_TANH;
    ib_heads(&g, 1, t);
    assert_int_equal(ib_shapes(&g, ib_shape(2, 2, 4), &err), 0);
    /* fc1's output is fc2's input: measured once */
    assert_int_equal(quant_float_refs(&g, &refs), 3);
    free(refs);
    assert_int_equal(pass_quantize_float(&g, r, 3, &err), 0);
    assert_int_equal(ir_check(&g, 1, &err), 0);
    for (i = 0; i < g.n; i++)
        nq += g.nodes[i]->op == IR_OP_QUANTIZE;
    assert_int_equal(nq, 1);
    q = only(&g, IR_OP_QUANTIZE);
    a = ib_find(&g, "fc1");
    b = ib_find(&g, "fc2");
    assert_int_equal(a->op, IR_OP_DENSE_I8);
    assert_int_equal(b->op, IR_OP_DENSE_I8);
    assert_int_equal(a->in[0].node, q->id);
    assert_int_equal(b->in[0].node, a->id);
    assert_int_equal(only(&g, IR_OP_DEQUANTIZE)->in[0].node, b->id);
    ir_graph_free(&g);
}

/* The classifier (a dense layer making the output through a softmax)
 * runs in int8 with float output: its input is quantised with the
 * calibrated range, the product is DENSE_I8 with q.elem F32 and the float
 * bias (no int32 bias, no DEQUANTIZE), and the softmax reads its float
 * logits. A classifier with ReLU, or a convolution, stays float. */
static void test_classifier_int8_float_output(void **state)
{
    static const float bias[10] = {0.5f, -1, 2, 0, 0.25f, -0.125f, 3, -2, 1, 0.75f};
    const quant_range r[1] = {{-1.0, 3.0}};
    ir_graph g;
    ir_node *x, *w, *b, *d, *sm;
    const ir_node *q, *di;
    bnnc_err err;
    ir_ref *refs;
    int relu;
    (void)state;
    for (relu = 0; relu < 2; relu++) {
        ir_graph_init(&g);
        x = ib_input(&g, "data");
        w = ib_const(&g, "w", ib_shape(2, 10, 4), NULL);
        b = ib_const(&g, "b", ib_shape(1, 10), bias);
        d = ib_op(&g, IR_OP_DENSE, "fc", 3, x, w, b);
        d->a.dense.num_hidden = 10, d->a.dense.flatten = 1, d->a.dense.relu = relu;
        sm = ib_op(&g, IR_OP_SOFTMAX, "softmax", 1, d);
        sm->a.softmax.mode = IR_SOFTMAX_LAST;
        ib_heads(&g, 1, sm);
        assert_int_equal(ib_shapes(&g, ib_shape(2, 1, 4), &err), 0);
        assert_int_equal(quant_float_refs(&g, &refs), relu ? 0 : 1);
        if (!relu)
            assert_true(refs[0].node == x->id && refs[0].out == 0);
        free(refs);
        assert_int_equal(quant_float_count(&g), relu ? 0 : 1);
        assert_int_equal(pass_quantize_float(&g, r, relu ? 0 : 1, &err), 0);
        if (relu) {
            assert_int_equal(ib_find(&g, "fc")->op, IR_OP_DENSE);
            ir_graph_free(&g);
            continue;
        }
        q = only(&g, IR_OP_QUANTIZE);
        di = only(&g, IR_OP_DENSE_I8);
        assert_int_equal(q->q.elem, IR_ELEM_I8);
        assert_true(fabs(q->q.scale - (double)(float)(4.0 / 255.0)) < 1e-12);
        assert_int_equal(di->q.elem, IR_ELEM_F32);
        assert_null(di->a.i8.bias);
        assert_non_null(di->a.i8.bias_f);
        assert_memory_equal(di->a.i8.bias_f, bias, sizeof bias);
        assert_int_equal(di->in[0].node, q->id);
        assert_int_equal(count_op(&g, IR_OP_DEQUANTIZE), 0);
        assert_int_equal(ib_find(&g, "softmax")->in[0].node, di->id);
        ir_graph_free(&g);
    }
}

/* A layer whose output is only binarized: zero point 0 and a scale at
 * which the requantisation keeps the int32 accumulator's sign. */
static void test_sign_only_output(void **state)
{
    ir_graph g;
    ir_node *x, *w, *c, *sg;
    bnnc_err err;
    const quant_range r[2] = {{-1.0, 1.0}, {-5.0, 3.0}};
    const ir_node *q, *ci;
    int32_t mult[4], shift[4];
    double lo = INFINITY;
    int o;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    w = ib_const(&g, "w", ib_shape(4, 4, 2, 3, 3), NULL);
    c = ib_op(&g, IR_OP_CONV, "conv", 2, x, w);
    c->a.conv = ib_conv(3, 1, 1, 4, 1, 1);
    sg = ib_op(&g, IR_OP_SIGN, "sign", 1, c);
    ib_heads(&g, 1, sg);
    assert_int_equal(ib_shapes(&g, ib_shape(4, 1, 2, 5, 5), &err), 0);
    assert_int_equal(pass_quantize_float(&g, r, 2, &err), 0);
    q = only(&g, IR_OP_QUANTIZE);
    ci = only(&g, IR_OP_CONV_I8);
    assert_int_equal(ci->q.zp, 0);
    for (o = 0; o < 4; o++)
        lo = fmin(lo, (double)ci->a.i8.w_scale[o]);
    assert_true(ci->q.scale == (double)(float)(q->q.scale * lo));
    /* every channel's multiplier is at least 1: an accumulator of +-1
     * requantises to +-1 or beyond */
    assert_int_equal(requant_i8_channels(q->q.scale, ci->a.i8.w_scale, 4, ci->q.scale, 4, mult,
                                         shift), 0);
    for (o = 0; o < 4; o++) {
        assert_true(bnn_i8_mbqm(1, mult[o], shift[o]) >= 1);
        assert_true(bnn_i8_mbqm(-1, mult[o], shift[o]) <= -1);
    }
    ir_graph_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_activation_params),
        cmocka_unit_test(test_weight_params),
        cmocka_unit_test(test_bias_params),
        cmocka_unit_test(test_conv_rewrite),
        cmocka_unit_test(test_pool_moves),
        cmocka_unit_test(test_dense_chain),
        cmocka_unit_test(test_classifier_int8_float_output),
        cmocka_unit_test(test_sign_only_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
