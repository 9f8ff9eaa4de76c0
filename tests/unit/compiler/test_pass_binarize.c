/*
 * test_pass_binarize.c - the binarize pass (passes/binarize.c) on graphs
 * built directly: a convolution or dense layer with +-1 weights whose
 * input is a sign becomes one binary node reading the sign's input, with
 * the padding value the graph implies and the offset and divisor of the
 * scalar ops after it; the same weights on a float input stay a float
 * layer marked weight-only binary; other weights stay float.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ir_build.h"

/* The IR passes from shapes to binarize, as the pipeline runs them. */
static void run(ir_graph *g, ir_shape in)
{
    bnnc_err err;
    memset(&err, 0, sizeof err);
    if (pass_legalize(g, &err) || ib_shapes(g, in, &err) || pass_fold_constants(g, &err) ||
        pass_operands(g, &err) || pass_expand(g, &err) || pass_binarize(g, &err) ||
        ir_check(g, 1, &err))
        fail_msg("%s", err.msg);
}

static int count_op(const ir_graph *g, ir_op op)
{
    size_t i;
    int c = 0;
    for (i = 0; i < g->n; i++)
        c += !g->nodes[i]->dead && g->nodes[i]->op == op;
    return c;
}

static ir_node *scalar(ir_graph *g, const char *name, ir_node *x, ir_scalar_kind k, double v)
{
    ir_node *s = ib_op(g, IR_OP_SCALAR, name, 1, x);
    s->a.scalar.kind = k;
    s->a.scalar.value = v;
    return s;
}

/* data -> sign -> conv 3x3 pad 1 (+-1 weights) -> + 27 -> / 2 */
static void test_sign_conv_offset_divisor(void **state)
{
    ir_graph g;
    ir_node *x, *sgn, *w, *c, *plus, *div, *b;
    float wv[16 * 3 * 9];
    int i;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    sgn = ib_op(&g, IR_OP_SIGN, "sign0", 1, x);
    w = ib_const_pm1(&g, "w0", ib_shape(4, 16, 3, 3, 3));
    memcpy(wv, w->a.c.f, sizeof wv);
    c = ib_op(&g, IR_OP_CONV, "conv0", 2, sgn, w);
    c->a.conv = ib_conv(3, 1, 1, 16, 1, 1);
    plus = scalar(&g, "plus0", c, IR_SC_ADD, 27.0);
    div = scalar(&g, "div0", plus, IR_SC_DIV, 2.0);
    ib_heads(&g, 1, div);
    run(&g, ib_shape(4, 1, 3, 8, 8));

    assert_int_equal(count_op(&g, IR_OP_CONV), 0);
    assert_int_equal(count_op(&g, IR_OP_SCALAR), 0);
    assert_int_equal(count_op(&g, IR_OP_BCONV), 1);
    b = g.nodes[g.heads[0].node];
    assert_int_equal(b->op, IR_OP_BCONV);
    /* reads the real-valued tensor the sign took */
    assert_int_equal(g.nodes[b->in[0].node]->op, IR_OP_INPUT);
    assert_string_equal(b->a.b.origin, "sign-pattern");
    /* the convolution's own zero padding of a +-1 tensor */
    assert_int_equal(b->a.b.pad_mode, IR_PAD_ZERO);
    assert_int_equal(b->a.b.conv.pad[0], 1);
    assert_true(b->a.b.offset == 27.0);
    assert_true(b->a.b.divisor == 2.0);
    assert_null(b->a.b.scale);
    assert_null(b->a.b.bias);
    for (i = 0; i < 16 * 27; i++)
        assert_int_equal(b->a.b.w[i], wv[i] < 0 ? -1 : 1);
    ir_graph_free(&g);
}

/* sign -> Pad(-1) by 1 on H and W -> conv without padding: the pad
 * becomes the layer's, valued -1. */
static void test_pad_minus_one(void **state)
{
    ir_graph g;
    ir_node *x, *sgn, *pad, *c, *b;
    int i;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    sgn = ib_op(&g, IR_OP_SIGN, "sign0", 1, x);
    pad = ib_op(&g, IR_OP_PAD, "pad0", 1, sgn);
    pad->a.pad.width.n = 8;
    for (i = 4; i < 8; i++)
        pad->a.pad.width.v[i] = 1;
    pad->a.pad.value = -1.0;
    c = ib_op(&g, IR_OP_CONV, "conv0", 2, pad, ib_const_pm1(&g, "w0", ib_shape(4, 8, 4, 3, 3)));
    c->a.conv = ib_conv(3, 1, 0, 8, 1, 1);
    ib_heads(&g, 1, c);
    run(&g, ib_shape(4, 1, 4, 6, 6));
    assert_int_equal(count_op(&g, IR_OP_PAD), 0);
    b = g.nodes[g.heads[0].node];
    assert_int_equal(b->op, IR_OP_BCONV);
    assert_int_equal(b->a.b.pad_mode, IR_PAD_MINUS_ONE);
    assert_int_equal(b->a.b.conv.pad[0], 1);
    assert_int_equal(b->a.b.conv.pad[1], 1);
    /* output size as the padded convolution's */
    assert_int_equal(b->shape[0].d[2], 6);
    ir_graph_free(&g);
}

/* +-1 weights on a float input: a float convolution, weight-only binary. */
static void test_weight_only(void **state)
{
    ir_graph g;
    ir_node *x, *c;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    c = ib_op(&g, IR_OP_CONV, "conv0", 2, x, ib_const_pm1(&g, "w0", ib_shape(4, 4, 2, 3, 3)));
    c->a.conv = ib_conv(3, 1, 1, 4, 1, 1);
    ib_heads(&g, 1, c);
    run(&g, ib_shape(4, 1, 2, 5, 5));
    c = ib_find(&g, "conv0");
    assert_non_null(c);
    assert_int_equal(c->op, IR_OP_CONV);
    assert_int_equal(c->weight_only_binary, 1);
    ir_graph_free(&g);
}

/* A sign feeding weights that are not all +-1 is a float layer. */
static void test_real_weights_stay_float(void **state)
{
    ir_graph g;
    ir_node *x, *sgn, *c;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    sgn = ib_op(&g, IR_OP_SIGN, "sign0", 1, x);
    c = ib_op(&g, IR_OP_CONV, "conv0", 2, sgn, ib_const(&g, "w0", ib_shape(4, 4, 2, 3, 3), NULL));
    c->a.conv = ib_conv(3, 1, 1, 4, 1, 1);
    ib_heads(&g, 1, c);
    run(&g, ib_shape(4, 1, 2, 5, 5));
    assert_int_equal(count_op(&g, IR_OP_BCONV), 0);
    c = ib_find(&g, "conv0");
    assert_int_equal(c->op, IR_OP_CONV);
    assert_int_equal(c->weight_only_binary, 0);
    assert_int_equal(count_op(&g, IR_OP_SIGN), 1);
    ir_graph_free(&g);
}

/* sign -> dense with +-1 weights and a bias: a binary dense layer keeping
 * the bias. */
static void test_sign_dense_bias(void **state)
{
    ir_graph g;
    ir_node *x, *sgn, *d, *b;
    float bias[10];
    int i;
    (void)state;
    for (i = 0; i < 10; i++)
        bias[i] = 0.25f * (float)(i - 5);
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    sgn = ib_op(&g, IR_OP_SIGN, "sign0", 1, x);
    d = ib_op(&g, IR_OP_DENSE, "fc0", 3, sgn, ib_const_pm1(&g, "w0", ib_shape(2, 10, 70)),
              ib_const(&g, "b0", ib_shape(1, 10), bias));
    d->a.dense.num_hidden = 10;
    d->a.dense.flatten = 1;
    ib_heads(&g, 1, d);
    run(&g, ib_shape(2, 1, 70));
    b = g.nodes[g.heads[0].node];
    assert_int_equal(b->op, IR_OP_BDENSE);
    assert_non_null(b->a.b.bias);
    for (i = 0; i < 10; i++)
        assert_true(b->a.b.bias[i] == bias[i]);
    assert_int_equal(b->a.b.w_shape.d[1], 70);
    ir_graph_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_conv_offset_divisor),
        cmocka_unit_test(test_pad_minus_one),
        cmocka_unit_test(test_weight_only),
        cmocka_unit_test(test_real_weights_stay_float),
        cmocka_unit_test(test_sign_dense_bias),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
