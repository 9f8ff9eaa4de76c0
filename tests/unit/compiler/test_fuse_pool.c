/*
 * test_fuse_pool.c - a float convolution read only by a max pooling
 * becomes one conv2d_maxpool_f32 step (passes/fuse_pool.c); a
 * convolution with a second reader, a depthwise convolution and an
 * average pooling stay as they are.
 *
 * Numerical equality of the fused kernel with the two separate ones is
 * tested in tests/unit/runtime/test_float_conv.c, and fused models against
 * MXNet by the golden fixtures (float_lenet among them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model_builder.h"
#include "passes/lower.h"

/* data -> conv0 (16 filters 5x5 p2) -> relu -> Pooling(max or avg) [-> a
 * second reader of relu0] */
static void make_graph(char *json, size_t n, const char *pool_type, int groups,
                       int second_reader)
{
    snprintf(json, n,
             "{\"nodes\": ["
             "{\"op\": \"null\", \"name\": \"data\", \"inputs\": []},"
             "{\"op\": \"null\", \"name\": \"w0\", \"inputs\": []},"
             "{\"op\": \"null\", \"name\": \"b0\", \"inputs\": []},"
             "{\"op\": \"Convolution\", \"name\": \"conv0\", \"attrs\": {\"kernel\": \"(5, 5)\", "
             "\"pad\": \"(2, 2)\", \"num_filter\": \"16\", \"num_group\": \"%d\"}, "
             "\"inputs\": [[0,0,0],[1,0,0],[2,0,0]]},"
             "{\"op\": \"Activation\", \"name\": \"relu0\", \"attrs\": {\"act_type\": \"relu\"}, "
             "\"inputs\": [[3,0,0]]},"
             "{\"op\": \"Pooling\", \"name\": \"pool0\", \"attrs\": {\"kernel\": \"(3, 3)\", "
             "\"stride\": \"(2, 2)\", \"pad\": \"(1, 1)\", \"pool_type\": \"%s\"}, "
             "\"inputs\": [[4,0,0]]}"
             "%s], \"heads\": [[5, 0, 0]%s], \"attrs\": {\"mxnet_version\": [\"int\", 10901]}}",
             groups, pool_type,
             second_reader ? ",{\"op\": \"sigmoid\", \"name\": \"sig0\", \"inputs\": [[4,0,0]]}" : "",
             second_reader ? ", [6, 0, 0]" : "");
}

static void compile(const char *json, int in_c, int groups, lir_program *p)
{
    char spec[64];
    const char *in[] = {spec, NULL};
    mb_params par = {0};
    ir_graph g;
    bnnc_err err;
    snprintf(spec, sizeof spec, "data=1,%d,20,24", in_c);
    mb_add(&par, "arg:w0", 4, (int64_t[]){16, in_c / groups, 5, 5}, NULL);
    mb_add(&par, "arg:b0", 1, (int64_t[]){16}, NULL);
    if (mb_run(json, &par, in, &g, &err) || pass_fold_thresholds(&g, &err) ||
        pass_fold_float(&g, &err) || pass_lower(&g, &(lower_options){0}, p, &err) ||
        pass_fuse_pool(p, &err) || pass_plan(p, &err))
        fail_msg("%s", err.msg);
    ir_graph_free(&g);
    mb_free(&par);
}

static int count_kind(const lir_program *p, lir_kind k)
{
    int i, c = 0;
    for (i = 0; i < p->ns; i++)
        c += p->s[i].kind == k;
    return c;
}

static const lir_step *find_kind(const lir_program *p, lir_kind k)
{
    int i;
    for (i = 0; i < p->ns; i++)
        if (p->s[i].kind == k)
            return &p->s[i];
    return NULL;
}

/* conv + relu + max pooling: one step with a ring of 3 conv rows (24 x 16
 * floats each) as scratch, and no 20 x 24 x 16 conv output in the arena. */
static void test_fused(void **state)
{
    char json[4096];
    lir_program p;
    const lir_step *s;
    bnnc_err err;
    int i, conv_out_placed = 0;
    (void)state;
    make_graph(json, sizeof json, "max", 1, 0);
    compile(json, 3, 1, &p);
    assert_int_equal(count_kind(&p, LK_CONV_F32), 0);
    assert_int_equal(count_kind(&p, LK_MAXPOOL_F32), 0);
    assert_int_equal(count_kind(&p, LK_CONV_MAXPOOL_F32), 1);
    s = find_kind(&p, LK_CONV_MAXPOOL_F32);
    assert_string_equal(s->node_name, "conv0");
    assert_int_equal(s->p.conv_pool.conv.act, BNN_ACT_RELU);
    assert_int_equal(s->p.conv_pool.conv.out_h, 20);
    assert_int_equal(s->p.conv_pool.conv.out_w, 24);
    assert_int_equal(s->p.conv_pool.pool.in_h, 20);
    assert_int_equal(s->p.conv_pool.pool.out_h, 10);
    assert_int_equal(s->p.conv_pool.pool.out_w, 12);
    assert_int_equal(s->n_consts, 2); /* weights and bias */
    assert_true(s->scratch >= 0);
    assert_int_equal(p.t[s->scratch].bytes, 3u * 24u * 16u * 4u);
    /* the input's layout change comes first and feeds the fused step */
    assert_int_equal(p.s[0].kind, LK_NCHW_TO_NHWC);
    assert_int_equal(s->in[0], p.s[0].out);
    for (i = 0; i < p.nt; i++)
        if (!strcmp(p.t[i].name, "conv0") && p.t[i].first >= 0)
            conv_out_placed = 1;
    assert_false(conv_out_placed);
    /* constants are attributed to the step that uses them */
    for (i = 0; i < s->n_consts; i++)
        assert_ptr_equal(&p.s[p.c[s->consts[i]].step], s);
    assert_int_equal(plan_check_no_overlap(&p, &err), 0);
    /* arena: the NHWC input, the ring; never the 20x24x16 conv output */
    assert_true(p.arena_bytes < 20u * 24u * 16u * 4u);
    lir_free(&p);
}

/* The activation is read by a second op: the conv output must exist. */
static void test_second_reader(void **state)
{
    char json[4096];
    lir_program p;
    (void)state;
    make_graph(json, sizeof json, "max", 1, 1);
    compile(json, 3, 1, &p);
    assert_int_equal(count_kind(&p, LK_CONV_MAXPOOL_F32), 0);
    assert_int_equal(count_kind(&p, LK_CONV_F32), 1);
    assert_int_equal(count_kind(&p, LK_MAXPOOL_F32), 1);
    lir_free(&p);
}

/* Average pooling and depthwise convolutions are not fused. */
static void test_not_fused(void **state)
{
    char json[4096];
    lir_program p;
    (void)state;
    make_graph(json, sizeof json, "avg", 1, 0);
    compile(json, 3, 1, &p);
    assert_int_equal(count_kind(&p, LK_CONV_MAXPOOL_F32), 0);
    assert_int_equal(count_kind(&p, LK_AVGPOOL_F32), 1);
    lir_free(&p);
    make_graph(json, sizeof json, "max", 16, 0);
    compile(json, 16, 16, &p);
    assert_int_equal(count_kind(&p, LK_CONV_MAXPOOL_F32), 0);
    assert_int_equal(count_kind(&p, LK_CONV_F32), 1);
    lir_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fused),
        cmocka_unit_test(test_second_reader),
        cmocka_unit_test(test_not_fused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
