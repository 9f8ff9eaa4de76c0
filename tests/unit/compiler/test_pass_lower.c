/*
 * test_pass_lower.c - the lower pass (passes/lower.c) on graphs built
 * directly: which runtime steps each operator becomes and the parameters
 * and constant tables lowering computes for them (the pixel gather maps of
 * transposed convolution, upsampling and crop; the flipped, transposed
 * weights; bits between binary layers).
 *
 * That the steps compute what the framework computes is the golden
 * fixtures' job; here the decisions themselves are pinned.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ir_build.h"
#include "passes/lower.h"

/* Every pass up to lower, with a checker after lower. */
static void lower(ir_graph *g, ir_shape in, lir_program *p)
{
    bnnc_err err;
    memset(&err, 0, sizeof err);
    lir_init(p);
    if (pass_legalize(g, &err) || ib_shapes(g, in, &err) || pass_fold_constants(g, &err) ||
        pass_operands(g, &err) || pass_expand(g, &err) || pass_binarize(g, &err) ||
        pass_fold_thresholds(g, &err) || pass_fold_float(g, &err) ||
        pass_lower(g, &(lower_options){0}, p, &err) || lir_check(p, &err))
        fail_msg("%s", err.msg);
}

/* The kinds of p's steps, in order, are `kinds` (n of them). */
static void expect_kinds(const lir_program *p, int n, const lir_kind *kinds)
{
    int i;
    if (p->ns != n) {
        for (i = 0; i < p->ns; i++)
            print_message("step %d: %s\n", i + 1, lir_kind_name(p->s[i].kind));
        fail_msg("%d steps, expected %d", p->ns, n);
    }
    for (i = 0; i < n; i++)
        if (p->s[i].kind != kinds[i])
            fail_msg("step %d is %s, expected %s", i + 1, lir_kind_name(p->s[i].kind),
                     lir_kind_name(kinds[i]));
}

static const int32_t *const_i32(const lir_program *p, const lir_step *s, int k, size_t count)
{
    const lir_const *c = &p->c[s->consts[k]];
    assert_int_equal(c->type, LC_I32);
    assert_int_equal(c->count, count);
    return (const int32_t *)c->data;
}

static void expect_map(const int32_t *got, const int32_t *want, int n)
{
    int i;
    for (i = 0; i < n; i++)
        if (got[i] != want[i])
            fail_msg("map[%d] = %d, expected %d", i, got[i], want[i]);
}

/* Kernel 3, stride 2, pad 1, adj 1 over 3 x 3: output 6 x 6, computed as
 * a stride-1 convolution of the input with a zero between pixels, 1 zero
 * before (k - 1 - pad) and 2 after. */
static void test_deconv(void **state)
{
    static const lir_kind kinds[] = {LK_NCHW_TO_NHWC, LK_GATHER_HW, LK_CONV_F32,
                                     LK_NHWC_TO_NCHW};
    static const int32_t rows[8] = {-1, 0, -1, 1, -1, 2, -1, -1};
    ir_graph g;
    lir_program p;
    ir_node *x, *w, *d;
    const lir_step *s;
    const float *wc;
    float wd[2 * 3 * 3 * 3];
    int co, ci, ky, kx;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    w = ib_const(&g, "w0", ib_shape(4, 2, 3, 3, 3), NULL);
    d = ib_op(&g, IR_OP_DECONV, "deconv0", 2, x, w);
    memset(&d->a.deconv, 0, sizeof d->a.deconv);
    d->a.deconv.kernel[0] = d->a.deconv.kernel[1] = 3;
    d->a.deconv.stride[0] = d->a.deconv.stride[1] = 2;
    d->a.deconv.dilate[0] = d->a.deconv.dilate[1] = 1;
    d->a.deconv.pad[0] = d->a.deconv.pad[1] = 1;
    d->a.deconv.adj[0] = d->a.deconv.adj[1] = 1;
    d->a.deconv.num_filter = 3;
    d->a.deconv.num_group = 1;
    d->a.deconv.no_bias = 1;
    memcpy(wd, w->a.c.f, sizeof wd);
    ib_heads(&g, 1, d);
    lower(&g, ib_shape(4, 1, 2, 3, 3), &p);
    expect_kinds(&p, 4, kinds);

    s = &p.s[1];
    assert_int_equal(s->p.gather.out_h, 8);
    assert_int_equal(s->p.gather.out_w, 8);
    assert_true(s->p.gather.fill == 0.0f);
    expect_map(const_i32(&p, s, 0, 8), rows, 8);
    expect_map(const_i32(&p, s, 1, 8), rows, 8);

    s = &p.s[2];
    assert_int_equal(s->p.conv.stride_h, 1);
    assert_int_equal(s->p.conv.pad_h, 0);
    assert_int_equal(s->p.conv.in_h, 8);
    assert_int_equal(s->p.conv.out_h, 6);
    assert_int_equal(s->p.conv.out_c, 3);
    /* the convolution's weight (co, ci, ky, kx), in the runtime's layout,
     * is the transposed one's (ci, co, 2 - ky, 2 - kx) */
    wc = (const float *)p.c[s->consts[0]].data;
    for (co = 0; co < 3; co++)
        for (ci = 0; ci < 2; ci++)
            for (ky = 0; ky < 3; ky++)
                for (kx = 0; kx < 3; kx++) {
                    float got = wc[bnn_conv2d_weight_index(3, 3, 2, 3, 0, ky, kx, ci, co)];
                    float want = wd[((ci * 3 + co) * 3 + (2 - ky)) * 3 + (2 - kx)];
                    if (got != want)
                        fail_msg("weight (%d, %d, %d, %d): %g, expected %g", co, ci, ky, kx,
                                 (double)got, (double)want);
                }
    lir_free(&p);
    ir_graph_free(&g);
}

/* An input and its max pooling upsampled to one size (by 2 and by 4) and
 * concatenated: a gather each, then a channel copy each into the output. */
static void test_upsample_concat(void **state)
{
    static const lir_kind kinds[] = {LK_NCHW_TO_NHWC, LK_MAXPOOL_F32, LK_GATHER_HW,
                                     LK_COPY_CH_F32, LK_GATHER_HW, LK_COPY_CH_F32,
                                     LK_NHWC_TO_NCHW};
    static const int32_t rows2[8] = {0, 0, 1, 1, 2, 2, 3, 3}, cols2[4] = {0, 0, 1, 1};
    static const int32_t rows4[8] = {0, 0, 0, 0, 1, 1, 1, 1}, cols4[4] = {0, 0, 0, 0};
    ir_graph g;
    lir_program p;
    ir_node *x, *pool, *u;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    pool = ib_op(&g, IR_OP_POOL, "pool0", 1, x);
    memset(&pool->a.pool, 0, sizeof pool->a.pool);
    pool->a.pool.type = IR_POOL_MAX;
    pool->a.pool.kernel[0] = pool->a.pool.kernel[1] = 2;
    pool->a.pool.stride[0] = pool->a.pool.stride[1] = 2;
    u = ib_op(&g, IR_OP_UPSAMPLE, "up0", 2, x, pool);
    u->a.upsample.scale = 2;
    ib_heads(&g, 1, u);
    /* 4 x 2 input: 8 x 4 out; the pooled 2 x 1 is brought there by 4 */
    lower(&g, ib_shape(4, 1, 3, 4, 2), &p);
    expect_kinds(&p, 7, kinds);
    expect_map(const_i32(&p, &p.s[2], 0, 8), rows2, 8);
    expect_map(const_i32(&p, &p.s[2], 1, 4), cols2, 4);
    expect_map(const_i32(&p, &p.s[4], 0, 8), rows4, 8);
    expect_map(const_i32(&p, &p.s[4], 1, 4), cols4, 4);
    assert_int_equal(p.s[3].p.copy.k.dst_c_offset, 0);
    assert_int_equal(p.s[5].p.copy.k.dst_c_offset, 3);
    lir_free(&p);
    ir_graph_free(&g);
}

/* A sum of upsampled inputs: gathers, then one add. */
static void test_upsample_sum(void **state)
{
    static const lir_kind kinds[] = {LK_NCHW_TO_NHWC, LK_GATHER_HW, LK_GATHER_HW, LK_ADD,
                                     LK_NHWC_TO_NCHW};
    ir_graph g;
    lir_program p;
    ir_node *x, *u;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    u = ib_op(&g, IR_OP_UPSAMPLE, "up0", 2, x, x);
    u->a.upsample.scale = 3;
    u->a.upsample.sum = 1;
    ib_heads(&g, 1, u);
    lower(&g, ib_shape(4, 1, 2, 2, 2), &p);
    expect_kinds(&p, 5, kinds);
    assert_int_equal(p.s[3].p.add.n, 2 * 6 * 6);
    lir_free(&p);
    ir_graph_free(&g);
}

/* A centred crop of 2 x 3 from 5 x 6: rows 1..2, columns 1..3. */
static void test_crop(void **state)
{
    static const lir_kind kinds[] = {LK_NCHW_TO_NHWC, LK_GATHER_HW, LK_NHWC_TO_NCHW};
    static const int32_t rows[2] = {1, 2}, cols[3] = {1, 2, 3};
    ir_graph g;
    lir_program p;
    ir_node *x, *c;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    c = ib_op(&g, IR_OP_CROP, "crop0", 1, x);
    c->a.crop.size[0] = 2;
    c->a.crop.size[1] = 3;
    c->a.crop.center = 1;
    ib_heads(&g, 1, c);
    lower(&g, ib_shape(4, 1, 4, 5, 6), &p);
    expect_kinds(&p, 3, kinds);
    expect_map(const_i32(&p, &p.s[1], 0, 2), rows, 2);
    expect_map(const_i32(&p, &p.s[1], 1, 3), cols, 3);
    assert_int_equal(p.s[1].p.gather.c, 4);
    lir_free(&p);
    ir_graph_free(&g);
}

/* sign -> binary conv -> sign -> binary dense: the input is packed to bits
 * once, the convolution writes bits (its thresholds) for the dense layer,
 * and only the dense layer's output is float. */
static void test_binary_layers_keep_bits(void **state)
{
    ir_graph g;
    lir_program p;
    ir_node *x, *s0, *c, *s1, *d;
    const lir_step *conv = NULL, *dense = NULL;
    int i, unpacks = 0;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    s0 = ib_op(&g, IR_OP_SIGN, "sign0", 1, x);
    c = ib_op(&g, IR_OP_CONV, "conv0", 2, s0, ib_const_pm1(&g, "w0", ib_shape(4, 32, 16, 3, 3)));
    c->a.conv = ib_conv(3, 1, 1, 32, 1, 1);
    s1 = ib_op(&g, IR_OP_SIGN, "sign1", 1, c);
    d = ib_op(&g, IR_OP_DENSE, "fc0", 2, s1,
              ib_const_pm1(&g, "w1", ib_shape(2, 10, 32 * 4 * 4)));
    d->a.dense.num_hidden = 10;
    d->a.dense.flatten = 1;
    d->a.dense.no_bias = 1;
    ib_heads(&g, 1, d);
    lower(&g, ib_shape(4, 1, 16, 4, 4), &p);
    for (i = 0; i < p.ns; i++) {
        if (p.s[i].kind == LK_BCONV_B)
            conv = &p.s[i];
        if (p.s[i].kind == LK_BDENSE_F32)
            dense = &p.s[i];
        unpacks += p.s[i].kind == LK_UNPACK;
    }
    assert_non_null(conv);
    assert_non_null(dense);
    assert_int_equal(unpacks, 0);
    assert_int_equal(p.t[conv->out].dt, LIR_BITS);
    assert_int_equal(p.t[dense->in[0]].dt, LIR_BITS);
    assert_int_equal(p.t[dense->out].dt != LIR_BITS, 1);
    /* 32 channels fit one word per pixel */
    assert_int_equal(p.t[conv->out].stride, 1);
    lir_free(&p);
    ir_graph_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deconv),
        cmocka_unit_test(test_upsample_concat),
        cmocka_unit_test(test_upsample_sum),
        cmocka_unit_test(test_crop),
        cmocka_unit_test(test_binary_layers_keep_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
