/*
 * test_pass_shapes.c - the shapes pass (passes/shapes.c) on graphs built
 * directly: output sizes by each operator's rule, attributes it resolves
 * (a transposed convolution's target size, a centred crop), and the
 * errors that name the node for shapes that do not fit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ir_build.h"

static void expect_shape(const ir_node *n, ir_shape want)
{
    char a[96], b[96];
    if (!ir_shape_equal(&n->shape[0], &want))
        fail_msg("%s: shape %s, expected %s", n->name, ir_shape_str(&n->shape[0], a, sizeof a),
                 ir_shape_str(&want, b, sizeof b));
}

/* Run shapes on g with input `in`; expect an error containing `text`. */
static void expect_error(ir_graph *g, ir_shape in, const char *text)
{
    bnnc_err err;
    memset(&err, 0, sizeof err);
    assert_int_not_equal(ib_shapes(g, in, &err), 0);
    if (!strstr(err.msg, text))
        fail_msg("error \"%s\" does not contain \"%s\"", err.msg, text);
}

static void run_ok(ir_graph *g, ir_shape in)
{
    bnnc_err err;
    memset(&err, 0, sizeof err);
    if (ib_shapes(g, in, &err))
        fail_msg("%s", err.msg);
}

static void test_conv_sizes(void **state)
{
    ir_graph g;
    ir_node *x, *c, *d;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    /* 3x3 stride 2 pad 1 over 10 x 12: (10 + 2 - 3) / 2 + 1 = 5, 6 */
    c = ib_op(&g, IR_OP_CONV, "conv0", 3, x, ib_const(&g, "w0", ib_shape(4, 8, 3, 3, 3), NULL),
              ib_const(&g, "b0", ib_shape(1, 8), NULL));
    c->a.conv = ib_conv(3, 2, 1, 8, 1, 0);
    /* dilation 2, grouped: effective kernel 5, (5 - 5) / 1 + 1 = 1 */
    d = ib_op(&g, IR_OP_CONV, "conv1", 2, c, ib_const(&g, "w1", ib_shape(4, 4, 4, 3, 3), NULL));
    d->a.conv = ib_conv(3, 1, 0, 4, 2, 1);
    d->a.conv.dilate[0] = d->a.conv.dilate[1] = 2;
    ib_heads(&g, 1, d);
    run_ok(&g, ib_shape(4, 1, 3, 10, 12));
    expect_shape(c, ib_shape(4, 1, 8, 5, 6));
    expect_shape(d, ib_shape(4, 1, 4, 1, 2));
    ir_graph_free(&g);
}

static void test_conv_weight_shape_named(void **state)
{
    ir_graph g;
    ir_node *x, *c;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    c = ib_op(&g, IR_OP_CONV, "conv0", 2, x, ib_const(&g, "w0", ib_shape(4, 8, 3, 3, 2), NULL));
    c->a.conv = ib_conv(3, 1, 1, 8, 1, 1);
    ib_heads(&g, 1, c);
    expect_error(&g, ib_shape(4, 1, 3, 8, 8),
                 "node 'conv0' (conv): weight 'w0' has shape (8, 3, 3, 2), expected (8, 3, 3, 3)");
    ir_graph_free(&g);
}

static void test_deconv_sizes_and_target(void **state)
{
    ir_graph g;
    ir_node *x, *a, *b;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    a = ib_op(&g, IR_OP_DECONV, "deconv0", 2, x, ib_const(&g, "w0", ib_shape(4, 3, 2, 3, 3), NULL));
    memset(&a->a.deconv, 0, sizeof a->a.deconv);
    a->a.deconv.kernel[0] = a->a.deconv.kernel[1] = 3;
    a->a.deconv.stride[0] = a->a.deconv.stride[1] = 2;
    a->a.deconv.dilate[0] = a->a.deconv.dilate[1] = 1;
    a->a.deconv.target[0] = 10;
    a->a.deconv.target[1] = 12;
    a->a.deconv.num_filter = 2;
    a->a.deconv.num_group = 1;
    a->a.deconv.no_bias = 1;
    /* kernel 4 stride 2 pad 1 in 2 groups: out = 2 (in - 1) + 4 - 2 */
    b = ib_op(&g, IR_OP_DECONV, "deconv1", 3, a, ib_const(&g, "w1", ib_shape(4, 2, 2, 4, 4), NULL),
              ib_const(&g, "b1", ib_shape(1, 4), NULL));
    b->a.deconv = a->a.deconv;
    b->a.deconv.kernel[0] = b->a.deconv.kernel[1] = 4;
    b->a.deconv.pad[0] = b->a.deconv.pad[1] = 1;
    b->a.deconv.target[0] = b->a.deconv.target[1] = 0;
    b->a.deconv.num_filter = 4;
    b->a.deconv.num_group = 2;
    b->a.deconv.no_bias = 0;
    ib_heads(&g, 1, b);
    run_ok(&g, ib_shape(4, 1, 3, 5, 6));
    /* full sizes 11 and 13 for targets 10 and 12: excess 1, so pad 1 and
     * adj 1 on both axes (MXNet's rule), and the target is cleared */
    expect_shape(a, ib_shape(4, 1, 2, 10, 12));
    assert_int_equal(a->a.deconv.pad[0], 1);
    assert_int_equal(a->a.deconv.pad[1], 1);
    assert_int_equal(a->a.deconv.adj[0], 1);
    assert_int_equal(a->a.deconv.adj[1], 1);
    assert_int_equal(a->a.deconv.target[0], 0);
    expect_shape(b, ib_shape(4, 1, 4, 20, 24));
    ir_graph_free(&g);
}

static void test_deconv_target_too_large(void **state)
{
    ir_graph g;
    ir_node *x, *a;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    a = ib_op(&g, IR_OP_DECONV, "up", 2, x, ib_const(&g, "w", ib_shape(4, 3, 2, 2, 2), NULL));
    memset(&a->a.deconv, 0, sizeof a->a.deconv);
    a->a.deconv.kernel[0] = a->a.deconv.kernel[1] = 2;
    a->a.deconv.stride[0] = a->a.deconv.stride[1] = 2;
    a->a.deconv.dilate[0] = a->a.deconv.dilate[1] = 1;
    a->a.deconv.target[0] = a->a.deconv.target[1] = 11;
    a->a.deconv.num_filter = 2;
    a->a.deconv.num_group = 1;
    a->a.deconv.no_bias = 1;
    ib_heads(&g, 1, a);
    expect_error(&g, ib_shape(4, 1, 3, 5, 5), "node 'up' (deconv): target_shape (11, 11) is "
                                              "larger than 10 along axis 2");
    ir_graph_free(&g);
}

static void test_upsample(void **state)
{
    ir_graph g;
    ir_node *x, *p, *u3, *cat, *sum;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    p = ib_op(&g, IR_OP_POOL, "pool0", 1, x);
    memset(&p->a.pool, 0, sizeof p->a.pool);
    p->a.pool.type = IR_POOL_MAX;
    p->a.pool.kernel[0] = p->a.pool.kernel[1] = 2;
    p->a.pool.stride[0] = p->a.pool.stride[1] = 2;
    u3 = ib_op(&g, IR_OP_UPSAMPLE, "up3", 1, x);
    u3->a.upsample.scale = 3;
    /* 6x6 x 2 = 12x12; the pooled 3x3 is brought there by 4 */
    cat = ib_op(&g, IR_OP_UPSAMPLE, "cat", 2, x, p);
    cat->a.upsample.scale = 2;
    sum = ib_op(&g, IR_OP_UPSAMPLE, "sum", 2, p, x);
    sum->a.upsample.scale = 2;
    sum->a.upsample.sum = 1;
    ib_heads(&g, 3, u3, cat, sum);
    run_ok(&g, ib_shape(4, 1, 5, 6, 6));
    expect_shape(u3, ib_shape(4, 1, 5, 18, 18));
    expect_shape(cat, ib_shape(4, 1, 10, 12, 12));
    expect_shape(sum, ib_shape(4, 1, 5, 6, 6));
    ir_graph_free(&g);
}

static void test_upsample_sizes_must_divide(void **state)
{
    ir_graph g;
    ir_node *x, *p, *u;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    p = ib_op(&g, IR_OP_POOL, "pool0", 1, x);
    memset(&p->a.pool, 0, sizeof p->a.pool);
    p->a.pool.type = IR_POOL_MAX;
    p->a.pool.kernel[0] = p->a.pool.kernel[1] = 2;
    p->a.pool.stride[0] = p->a.pool.stride[1] = 2;
    u = ib_op(&g, IR_OP_UPSAMPLE, "up", 2, x, p);
    u->a.upsample.scale = 1;
    ib_heads(&g, 1, u);
    /* 7 x 7 and 3 x 3: 7 is no multiple of 3 */
    expect_error(&g, ib_shape(4, 1, 2, 7, 7), "node 'up' (upsample): input 1 has shape "
                                              "(1, 2, 3, 3): its height and width do not divide");
    ir_graph_free(&g);
}

static void test_upsample_sum_channels(void **state)
{
    ir_graph g;
    ir_node *x, *c, *u;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    c = ib_op(&g, IR_OP_CONV, "conv0", 2, x, ib_const(&g, "w0", ib_shape(4, 4, 2, 1, 1), NULL));
    c->a.conv = ib_conv(1, 1, 0, 4, 1, 1);
    u = ib_op(&g, IR_OP_UPSAMPLE, "up", 2, x, c);
    u->a.upsample.scale = 2;
    u->a.upsample.sum = 1;
    ib_heads(&g, 1, u);
    expect_error(&g, ib_shape(4, 1, 2, 4, 4), "input 1 has 4 channels, the first 2");
    ir_graph_free(&g);
}

static void test_crop(void **state)
{
    ir_graph g;
    ir_node *x, *p, *like, *centre, *hw;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    p = ib_op(&g, IR_OP_POOL, "pool0", 1, x);
    memset(&p->a.pool, 0, sizeof p->a.pool);
    p->a.pool.type = IR_POOL_MAX;
    p->a.pool.kernel[0] = p->a.pool.kernel[1] = 2;
    p->a.pool.stride[0] = p->a.pool.stride[1] = 2;
    like = ib_op(&g, IR_OP_CROP, "like", 2, x, p);
    like->a.crop.offset[0] = 6;
    like->a.crop.offset[1] = 0;
    centre = ib_op(&g, IR_OP_CROP, "centre", 2, x, p);
    centre->a.crop.center = 1;
    hw = ib_op(&g, IR_OP_CROP, "hw", 1, x);
    hw->a.crop.size[0] = 1;
    hw->a.crop.size[1] = 12;
    hw->a.crop.offset[0] = 10;
    ib_heads(&g, 3, like, centre, hw);
    /* 11 x 12, pooled 5 x 6 */
    run_ok(&g, ib_shape(4, 1, 3, 11, 12));
    expect_shape(like, ib_shape(4, 1, 3, 5, 6));
    expect_shape(centre, ib_shape(4, 1, 3, 5, 6));
    /* (11 - 5) / 2 = 3, (12 - 6) / 2 = 3; resolved and cleared */
    assert_int_equal(centre->a.crop.offset[0], 3);
    assert_int_equal(centre->a.crop.offset[1], 3);
    assert_int_equal(centre->a.crop.center, 0);
    expect_shape(hw, ib_shape(4, 1, 3, 1, 12));
    ir_graph_free(&g);
}

static void test_crop_outside(void **state)
{
    ir_graph g;
    ir_node *x, *c;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    c = ib_op(&g, IR_OP_CROP, "crop0", 1, x);
    c->a.crop.size[0] = c->a.crop.size[1] = 4;
    c->a.crop.offset[1] = 5;
    ib_heads(&g, 1, c);
    expect_error(&g, ib_shape(4, 1, 1, 8, 8), "node 'crop0' (crop): offset 5 along axis 3 "
                                              "leaves the crop of 4 outside input (1, 1, 8, 8)");
    ir_graph_free(&g);
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    c = ib_op(&g, IR_OP_CROP, "crop1", 1, x);
    c->a.crop.size[0] = 9;
    c->a.crop.size[1] = 1;
    ib_heads(&g, 1, c);
    expect_error(&g, ib_shape(4, 1, 1, 8, 8), "a crop of 9 along axis 2 does not fit");
    ir_graph_free(&g);
}

static void test_pool_conventions(void **state)
{
    ir_graph g;
    ir_node *x, *v, *f, *gl;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    v = ib_op(&g, IR_OP_POOL, "valid", 1, x);
    memset(&v->a.pool, 0, sizeof v->a.pool);
    v->a.pool.type = IR_POOL_MAX;
    v->a.pool.kernel[0] = v->a.pool.kernel[1] = 3;
    v->a.pool.stride[0] = v->a.pool.stride[1] = 2;
    f = ib_op(&g, IR_OP_POOL, "full", 1, x);
    f->a.pool = v->a.pool;
    f->a.pool.convention = IR_POOL_FULL;
    gl = ib_op(&g, IR_OP_POOL, "global", 1, x);
    gl->a.pool = v->a.pool;
    gl->a.pool.global = 1;
    ib_heads(&g, 3, v, f, gl);
    run_ok(&g, ib_shape(4, 1, 2, 8, 10));
    /* floor((8 - 3) / 2) + 1 = 3, ceil(...) + 1 = 4; width 4 both ways */
    expect_shape(v, ib_shape(4, 1, 2, 3, 4));
    expect_shape(f, ib_shape(4, 1, 2, 4, 5));
    expect_shape(gl, ib_shape(4, 1, 2, 1, 1));
    ir_graph_free(&g);
}

static void test_concat_mismatch(void **state)
{
    ir_graph g;
    ir_node *x, *p, *c;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    p = ib_op(&g, IR_OP_POOL, "pool0", 1, x);
    memset(&p->a.pool, 0, sizeof p->a.pool);
    p->a.pool.type = IR_POOL_MAX;
    p->a.pool.kernel[0] = p->a.pool.kernel[1] = 2;
    p->a.pool.stride[0] = p->a.pool.stride[1] = 2;
    c = ib_op(&g, IR_OP_CONCAT, "cat0", 2, x, p);
    c->a.concat.dim = 1;
    ib_heads(&g, 1, c);
    expect_error(&g, ib_shape(4, 1, 2, 4, 4), "node 'cat0' (concat): input 1 has shape "
                                              "(1, 2, 2, 2), incompatible with (1, 2, 4, 4)");
    ir_graph_free(&g);
}

/* PAD widens the channels of a 4-D tensor (NCHW axis 1), or H and W, not
 * both at once; the batch axis and channels of other ranks are refused. */
static void test_pad_channels(void **state)
{
    ir_graph g;
    ir_node *x, *p;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    p = ib_op(&g, IR_OP_PAD, "padc", 1, x);
    p->a.pad.width.n = 8;
    p->a.pad.width.v[2] = 1, p->a.pad.width.v[3] = 3;
    ib_heads(&g, 1, p);
    run_ok(&g, ib_shape(4, 1, 8, 5, 6));
    expect_shape(p, ib_shape(4, 1, 12, 5, 6));
    p->a.pad.width.v[6] = 1;
    expect_error(&g, ib_shape(4, 1, 8, 5, 6), "node 'padc' (pad): padding the channels "
                                              "together with the image is not supported");
    p->a.pad.width.v[6] = 0;
    p->a.pad.width.v[1] = 1;
    expect_error(&g, ib_shape(4, 1, 8, 5, 6), "padding the batch or channel axis");
    ir_graph_free(&g);
}

static void test_too_many_elements(void **state)
{
    ir_graph g;
    ir_node *x, *u;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    u = ib_op(&g, IR_OP_UPSAMPLE, "up", 1, x);
    u->a.upsample.scale = 1000;
    ib_heads(&g, 1, u);
    /* 1024 channels of 2000 x 2000: over 2^31 elements */
    expect_error(&g, ib_shape(4, 1, 1024, 2, 2), "node 'up' (upsample): output has 4096000000 "
                                                  "elements; at most 2147483647");
    ir_graph_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_sizes),
        cmocka_unit_test(test_conv_weight_shape_named),
        cmocka_unit_test(test_deconv_sizes_and_target),
        cmocka_unit_test(test_deconv_target_too_large),
        cmocka_unit_test(test_upsample),
        cmocka_unit_test(test_upsample_sizes_must_divide),
        cmocka_unit_test(test_upsample_sum_channels),
        cmocka_unit_test(test_crop),
        cmocka_unit_test(test_crop_outside),
        cmocka_unit_test(test_pool_conventions),
        cmocka_unit_test(test_concat_mismatch),
        cmocka_unit_test(test_pad_channels),
        cmocka_unit_test(test_too_many_elements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
