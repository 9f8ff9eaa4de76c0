/*
 * test_requant_i8.c - the integer parameters of the int8 operators
 * (passes/requant_i8.c) against values worked out by hand from TFLite's
 * formulas, what they do through the runtime's requantisation, and the
 * NHWC shapes of the int8 operators (passes/shapes.c).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ir_build.h"
#include "passes/requant_i8.h"

/* in / out: equal scales give 2^30 * 2^(1 - 31) = 1, and requantising
 * through it is the identity on every int8 difference (RELU between
 * tensors of one scale loses nothing) */
static void test_ratio_identity(void **state)
{
    int32_t m, s, x;
    (void)state;
    assert_int_equal(requant_i8_ratio(0.0235294122248888, 0.0235294122248888, &m, &s), 0);
    assert_int_equal(m, 1073741824);
    assert_int_equal(s, 1);
    for (x = -255; x <= 255; x++)
        assert_int_equal(bnn_i8_mbqm(x, m, s), x);
}

/* TFLite's activations divide the scales in float: 0.1f / 0.3f rounded to
 * float has the multiplier 1431655680, the double quotient (QUANTIZE's)
 * 1431655730; PRELU's negative side is in * alpha / out, also in float:
 * 0.1f * 0.2f / 0.1f is 0.200000018f, multiplier 1717987072, shift -2. */
static void test_activation_ratios(void **state)
{
    int32_t m, s, md, sd, pm, ps, nm, ns;
    (void)state;
    assert_int_equal(requant_i8_ratio_f32(0.1f, 0.3f, &m, &s), 0);
    assert_int_equal(requant_i8_ratio((double)0.1f, (double)0.3f, &md, &sd), 0);
    assert_int_equal(s, -1);
    assert_int_equal(sd, -1);
    assert_int_equal(m, 1431655680);
    assert_int_equal(md, 1431655730);
    assert_int_equal(requant_i8_prelu(0.1f, 0.2f, 0.1f, &pm, &ps, &nm, &ns), 0);
    assert_int_equal(pm, 1073741824);
    assert_int_equal(ps, 1);
    assert_int_equal(ns, -2);
    assert_int_equal(nm, 1717987072);
    assert_int_equal(requant_i8_prelu(0.1f, 0.2f, 1e-30f, &pm, &ps, &nm, &ns), -1);
}

/* The weight scales are the model's floats: 0.005f is 0.64 * 2^-7 to 24
 * bits, so its multiplier is 1374389504 (the double 0.005 would give
 * 1374389535), shift -7; 0.01f has the same mantissa, shift -6. A
 * per-tensor scale applies to every channel; a ratio of 2^40 needs a
 * shift of 41, which no kernel takes. */
static void test_channels(void **state)
{
    const float ws[2] = {0.005f, 0.01f};
    int32_t m[3], s[3];
    (void)state;
    assert_int_equal(requant_i8_channels(1.0, ws, 2, 1.0, 2, m, s), 0);
    assert_int_equal(m[0], 1374389504);
    assert_int_equal(s[0], -7);
    assert_int_equal(m[1], 1374389504);
    assert_int_equal(s[1], -6);
    assert_int_equal(requant_i8_channels(0.5, ws + 1, 1, (double)0.01f, 3, m, s), 0);
    assert_int_equal(m[0], 1073741824);
    assert_int_equal(s[0], 0);
    assert_int_equal(m[2], m[0]);
    assert_int_equal(s[2], s[0]);
    assert_int_equal(requant_i8_channels(1099511627776.0, ws, 1, 1.0, 1, m, s), -1);
}

/* ADD of scales 0.02 and 0.04 into 0.05: twice the larger is 0.08, the
 * inputs are scaled by 0.25 (2^30, shift -1) and 0.5 (2^30, shift 0),
 * the sum by 0.08 / (2^20 * 0.05) = 0.8 * 2^-19 */
static void test_addsub(void **state)
{
    bnn_eltwise_i8_params p;
    (void)state;
    memset(&p, 0, sizeof p);
    assert_int_equal(requant_i8_addsub(0.02, 0.04, 0.05, &p), 0);
    assert_int_equal(p.left_shift, 20);
    assert_int_equal(p.a_mult, 1073741824);
    assert_int_equal(p.a_shift, -1);
    assert_int_equal(p.b_mult, 1073741824);
    assert_int_equal(p.b_shift, 0);
    assert_int_equal(p.out_mult, 1717986918);
    assert_int_equal(p.out_shift, -19);
    /* 10 steps of 0.02 plus 10 steps of 0.04 = 0.6 = 12 steps of 0.05 */
    {
        int32_t sa = bnn_i8_mbqm(10 << 20, p.a_mult, p.a_shift);
        int32_t sb = bnn_i8_mbqm(10 << 20, p.b_mult, p.b_shift);
        assert_int_equal(bnn_i8_mbqm(sa + sb, p.out_mult, p.out_shift), 12);
    }
}

/* MUL: 0.02 * 0.04 / 0.05 = 0.016 = 0.512 * 2^-5 */
static void test_mul(void **state)
{
    bnn_eltwise_i8_params p;
    (void)state;
    memset(&p, 0, sizeof p);
    assert_int_equal(requant_i8_mul(0.02, 0.04, 0.05, &p), 0);
    assert_int_equal(p.out_mult, 1099511628);
    assert_int_equal(p.out_shift, -5);
    /* 25 * 25 * 0.016 = 10 */
    assert_int_equal(bnn_i8_mbqm(25 * 25, p.out_mult, p.out_shift), 10);
}

static float lut_identity(float x)
{
    return x;
}

static float lut_logistic(float x)
{
    return 1.0f / (1.0f + expf(-x));
}

/* TFLite's LUTPopulate: entry q + 128 = clamp(roundf(fn(s_in (q - zp_in))
 * / s_out) + zp_out); halves round away from zero (0.5 -> 1, -0.5 -> -1,
 * -1.5 -> -2, where rint gives 0, 0 and -2), results clamp to int8.
 * LOGISTIC at the fixtures' input quantisation (6/255, -1) and TFLite's
 * output (1/256, -128): 0 -> 0.5 -> 0; q 0: 129.506 -> 2; q 127: 243.994
 * -> 116; q -128: 12.28 -> -116. */
static void test_lut(void **state)
{
    int8_t t[256];
    (void)state;
    requant_i8_lut(0.5f, 0, 1.0f, 0, lut_identity, t);
    assert_int_equal(t[128 + 1], 1);
    assert_int_equal(t[128 - 1], -1);
    assert_int_equal(t[128 - 3], -2);
    assert_int_equal(t[128 + 4], 2);
    assert_int_equal(t[0], -64);
    assert_int_equal(t[255], 64);
    requant_i8_lut(2.0f, 3, 1.0f, -5, lut_identity, t);
    assert_int_equal(t[128 + 3], -5);
    assert_int_equal(t[128 + 100], 127);
    assert_int_equal(t[128 - 100], -128);
    requant_i8_lut(0.0235294122248888f, -1, 1.0f / 256.0f, -128, lut_logistic, t);
    assert_int_equal(t[128 - 1], 0);
    assert_int_equal(t[128], 2);
    assert_int_equal(t[255], 116);
    assert_int_equal(t[0], -116);
}

/* int8 shapes are NHWC: a 3x3 stride-2 window with TFLite's SAME padding
 * (0 before, 1 after) on 9x8, a depthwise multiplier, the float <-> int8
 * bridges moving a 4-D shape between NCHW and NHWC */
static void test_shapes_i8(void **state)
{
    ir_graph g;
    ir_node *in, *q, *c, *d, *dq;
    bnnc_err err;
    (void)state;
    ir_graph_init(&g);
    in = ib_input(&g, "data");
    q = ib_op(&g, IR_OP_QUANTIZE, "q", 1, in);
    c = ib_op(&g, IR_OP_CONV_I8, "conv", 1, q);
    c->a.i8.kernel[0] = c->a.i8.kernel[1] = 3;
    c->a.i8.stride[0] = c->a.i8.stride[1] = 2;
    c->a.i8.dilate[0] = c->a.i8.dilate[1] = 1;
    c->a.i8.pad[0] = c->a.i8.pad[1] = c->a.i8.pad[3] = 1; /* 9: (1, 1), 8: (0, 1) */
    c->a.i8.out_c = 8;
    c->a.i8.w_shape = ib_shape(4, 8, 3, 3, 3);
    d = ib_op(&g, IR_OP_DWCONV_I8, "dw", 1, c);
    d->a.i8.kernel[0] = d->a.i8.kernel[1] = 1;
    d->a.i8.stride[0] = d->a.i8.stride[1] = 1;
    d->a.i8.dilate[0] = d->a.i8.dilate[1] = 1;
    d->a.i8.mult = 2;
    d->a.i8.out_c = 16;
    dq = ib_op(&g, IR_OP_DEQUANTIZE, "dq", 1, d);
    ib_heads(&g, 1, dq);
    memset(&err, 0, sizeof err);
    assert_int_equal(ib_shapes(&g, ib_shape(4, 1, 3, 9, 8), &err), 0);
    assert_true(ir_shape_equal(&q->shape[0], &(ir_shape){4, {1, 9, 8, 3}}));
    assert_true(ir_shape_equal(&c->shape[0], &(ir_shape){4, {1, 5, 4, 8}}));
    assert_true(ir_shape_equal(&d->shape[0], &(ir_shape){4, {1, 5, 4, 16}}));
    assert_true(ir_shape_equal(&dq->shape[0], &(ir_shape){4, {1, 16, 5, 4}}));
    ir_graph_free(&g);
}

/* a filter whose channels per group do not divide the input's */
static void test_shapes_i8_groups(void **state)
{
    ir_graph g;
    ir_node *in, *q, *c;
    bnnc_err err;
    (void)state;
    ir_graph_init(&g);
    in = ib_input(&g, "data");
    q = ib_op(&g, IR_OP_QUANTIZE, "q", 1, in);
    c = ib_op(&g, IR_OP_CONV_I8, "conv", 1, q);
    c->a.i8.kernel[0] = c->a.i8.kernel[1] = 1;
    c->a.i8.stride[0] = c->a.i8.stride[1] = 1;
    c->a.i8.dilate[0] = c->a.i8.dilate[1] = 1;
    c->a.i8.out_c = 4;
    c->a.i8.w_shape = ib_shape(4, 4, 1, 1, 2);
    ib_heads(&g, 1, c);
    memset(&err, 0, sizeof err);
    assert_int_not_equal(ib_shapes(&g, ib_shape(4, 1, 3, 4, 4), &err), 0);
    assert_non_null(strstr(err.msg, "node 'conv'"));
    assert_non_null(strstr(err.msg, "2 channels per group, the input has 3"));
    ir_graph_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ratio_identity),   cmocka_unit_test(test_channels),
        cmocka_unit_test(test_activation_ratios),
        cmocka_unit_test(test_addsub),           cmocka_unit_test(test_mul),
        cmocka_unit_test(test_shapes_i8),        cmocka_unit_test(test_shapes_i8_groups),
        cmocka_unit_test(test_lut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
