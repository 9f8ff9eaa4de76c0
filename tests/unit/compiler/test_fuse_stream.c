/*
 * test_fuse_stream.c - a float convolution whose result is only
 * sign-packed becomes one conv2d_pack_f32_b step (passes/fuse_pool.c):
 * activations and per-channel affine maps before and after a max or
 * average pooling, plain or affine packing; none of the chain's float
 * tensors is placed in the arena, and the plan reports what the fusion
 * saved. A chain with a second reader is left alone.
 *
 * The bits of the fused kernel against the separate kernels are tested in
 * tests/unit/runtime/test_conv_pack.c, fused models against MXNet by the
 * golden fixtures (bmx1_lenet, bmx1_lenet_mnist among them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model_builder.h"
#include "passes/lower.h"

/* What sits between conv0 (8 filters 3x3 p1 over 3 x 12 x 14) and the
 * QActivation -> QConvolution that binarises it. */
typedef struct {
    int tanh;          /* tanh after the conv */
    int bn_before;     /* BatchNorm before the pooling (after tanh) */
    const char *pool;  /* NULL, "max" or "avg" */
    int k, s, p;       /* pooling window, stride, padding */
    int bn_after;      /* BatchNorm after the pooling (becomes pack_affine) */
    int second_reader; /* conv0's last float tensor is also a head */
} chain;

#define VAR(n) "{\"op\": \"null\", \"name\": \"" n "\", \"inputs\": []}"

/* Appends a node reading node `in`; returns its index. */
static int node(char *json, size_t n, int *count, const char *text, int in)
{
    size_t len = strlen(json);
    snprintf(json + len, n - len, ",%s, \"inputs\": [[%d,0,0]", text, in);
    len = strlen(json);
    (void)len;
    return (*count)++;
}

static void close_inputs(char *json, size_t n, const char *extra)
{
    size_t len = strlen(json);
    snprintf(json + len, n - len, "%s]}", extra);
}

static void bn_node(char *json, size_t n, int *count, const char *name, int in, int first_var)
{
    char text[256];
    snprintf(text, sizeof text,
             "{\"op\": \"BatchNorm\", \"name\": \"%s\", \"attrs\": {\"fix_gamma\": \"False\", "
             "\"eps\": \"0.001\"}",
             name);
    node(json, n, count, text, in);
    {
        size_t len = strlen(json);
        snprintf(json + len, n - len, ",[%d,0,0],[%d,0,0],[%d,0,0],[%d,0,0]]}", first_var,
                 first_var + 1, first_var + 2, first_var + 3);
    }
}

static void bn_params(mb_params *par, const char *name)
{
    static const float gamma[8] = {1.5f, -0.5f, 0.75f, 2.0f, -1.25f, 0.5f, 1.0f, 0.25f};
    static const float beta[8] = {0.1f, -0.2f, 0.3f, 0.0f, -0.05f, 0.2f, -0.3f, 0.15f};
    static const float mean[8] = {0.05f, -0.1f, 0.2f, 0.0f, 0.1f, -0.2f, 0.0f, 0.3f};
    static const float var[8] = {1.0f, 0.5f, 2.0f, 0.25f, 1.5f, 0.75f, 1.0f, 3.0f};
    char k[64];
    snprintf(k, sizeof k, "arg:%s_gamma", name);
    mb_add(par, k, 1, (int64_t[]){8}, gamma);
    snprintf(k, sizeof k, "arg:%s_beta", name);
    mb_add(par, k, 1, (int64_t[]){8}, beta);
    snprintf(k, sizeof k, "aux:%s_moving_mean", name);
    mb_add(par, k, 1, (int64_t[]){8}, mean);
    snprintf(k, sizeof k, "aux:%s_moving_var", name);
    mb_add(par, k, 1, (int64_t[]){8}, var);
}

/* Builds and compiles the model of c up to the plan. */
static void compile(const chain *c, lir_program *p)
{
    char json[8192], text[256];
    const char *in[] = {"data=1,3,12,14", NULL};
    mb_params par = {0};
    ir_graph g;
    bnnc_err err;
    int count = 0, cur, oh = 12, ow = 14;
    /* variables first: data, w0, b0, two BatchNorms' four each, qc_weight */
    snprintf(json, sizeof json,
             "{\"nodes\": [" VAR("data") "," VAR("w0") "," VAR("b0") "," VAR("bn1_gamma") ","
             VAR("bn1_beta") "," VAR("bn1_moving_mean") "," VAR("bn1_moving_var") ","
             VAR("bn2_gamma") "," VAR("bn2_beta") "," VAR("bn2_moving_mean") ","
             VAR("bn2_moving_var") "," VAR("qc_weight"));
    count = 12;
    cur = node(json, sizeof json, &count,
               "{\"op\": \"Convolution\", \"name\": \"conv0\", \"attrs\": {\"kernel\": "
               "\"(3, 3)\", \"pad\": \"(1, 1)\", \"num_filter\": \"8\"}",
               0);
    close_inputs(json, sizeof json, ",[1,0,0],[2,0,0]");
    if (c->tanh) {
        cur = node(json, sizeof json, &count,
                   "{\"op\": \"Activation\", \"name\": \"act0\", \"attrs\": "
                   "{\"act_type\": \"tanh\"}",
                   cur);
        close_inputs(json, sizeof json, "");
    }
    if (c->bn_before) {
        bn_node(json, sizeof json, &count, "bn1", cur, 3);
        cur = count - 1;
    }
    if (c->pool) {
        snprintf(text, sizeof text,
                 "{\"op\": \"Pooling\", \"name\": \"pool0\", \"attrs\": {\"kernel\": "
                 "\"(%d, %d)\", \"stride\": \"(%d, %d)\", \"pad\": \"(%d, %d)\", "
                 "\"pool_type\": \"%s\"}",
                 c->k, c->k, c->s, c->s, c->p, c->p, c->pool);
        cur = node(json, sizeof json, &count, text, cur);
        close_inputs(json, sizeof json, "");
        oh = (oh + 2 * c->p - c->k) / c->s + 1;
        ow = (ow + 2 * c->p - c->k) / c->s + 1;
    }
    if (c->bn_after) {
        bn_node(json, sizeof json, &count, "bn2", cur, 7);
        cur = count - 1;
    }
    {
        int last_float = cur, qa;
        qa = node(json, sizeof json, &count,
                  "{\"op\": \"QActivation\", \"name\": \"qa\", \"attr\": "
                  "{\"backward_only\": \"True\"}",
                  cur);
        close_inputs(json, sizeof json, "");
        cur = node(json, sizeof json, &count,
                   "{\"op\": \"QConvolution\", \"name\": \"qc\", \"attr\": {\"kernel\": "
                   "\"(3, 3)\", \"pad\": \"(1, 1)\", \"num_filter\": \"16\", \"act_bit\": "
                   "\"1\", \"weight_bit\": \"1\"}",
                   qa);
        close_inputs(json, sizeof json, ",[11,0,0]");
        snprintf(json + strlen(json), sizeof json - strlen(json),
                 "], \"heads\": [[%d, 0, 0]", cur);
        if (c->second_reader)
            snprintf(json + strlen(json), sizeof json - strlen(json), ", [%d, 0, 0]",
                     last_float);
        snprintf(json + strlen(json), sizeof json - strlen(json),
                 "], \"attrs\": {\"mxnet_version\": [\"int\", 905]}}");
    }
    mb_add(&par, "arg:w0", 4, (int64_t[]){8, 3, 3, 3}, NULL);
    mb_add(&par, "arg:b0", 1, (int64_t[]){8}, NULL);
    bn_params(&par, "bn1");
    bn_params(&par, "bn2");
    mb_add(&par, "arg:qc_weight", 4, (int64_t[]){16, 8, 3, 3}, NULL);
    (void)oh;
    (void)ow;
    if (mb_run(json, &par, in, &g, &err) ||
        pass_fold_thresholds(&g, &err) || pass_fold_float(&g, &err) ||
        pass_lower(&g, &(lower_options){0}, p, &err) || pass_fuse_pool(p, &err) ||
        pass_plan(p, &err))
        fail_msg("%s\n%s", err.msg, json);
    ir_graph_free(&g);
    mb_free(&par);
}

static int count_kind(const lir_program *p, lir_kind k)
{
    int i, n = 0;
    for (i = 0; i < p->ns; i++)
        n += p->s[i].kind == k;
    return n;
}

static const lir_step *find_kind(const lir_program *p, lir_kind k)
{
    int i;
    for (i = 0; i < p->ns; i++)
        if (p->s[i].kind == k)
            return &p->s[i];
    return NULL;
}

/* No float tensor of the chain (named after its nodes) is placed. */
static void assert_no_float_maps(const lir_program *p)
{
    static const char *const chain_nodes[] = {"conv0", "act0", "bn1", "pool0", "bn2"};
    int i;
    size_t k;
    for (i = 0; i < p->nt; i++) {
        const lir_tensor *t = &p->t[i];
        if (t->storage != LIR_ARENA || t->first < 0 || t->dt != LIR_F32)
            continue;
        for (k = 0; k < sizeof chain_nodes / sizeof *chain_nodes; k++)
            if (!strcmp(t->name, chain_nodes[k]))
                fail_msg("float tensor '%s' is placed", t->name);
    }
}

/* Checks shared by the fused cases; returns the fused step. */
static const lir_step *fused(const lir_program *p)
{
    const lir_step *s = find_kind(p, LK_CONV_PACK_F32_B);
    bnnc_err err;
    int i;
    assert_non_null(s);
    assert_int_equal(count_kind(p, LK_CONV_PACK_F32_B), 1);
    assert_int_equal(count_kind(p, LK_CONV_F32), 0);
    assert_int_equal(count_kind(p, LK_ACT), 0);
    assert_int_equal(count_kind(p, LK_ACT_FAST), 0);
    assert_int_equal(count_kind(p, LK_AFFINE), 0);
    assert_int_equal(count_kind(p, LK_MAXPOOL_F32), 0);
    assert_int_equal(count_kind(p, LK_AVGPOOL_F32), 0);
    assert_int_equal(count_kind(p, LK_PACK), 0);
    assert_int_equal(count_kind(p, LK_PACK_AFFINE), 0);
    assert_string_equal(s->node_name, "conv0");
    assert_int_equal(s->p.conv_pack.weights, 0);
    assert_int_equal(s->p.conv_pack.bias, 1);
    assert_int_equal(s->p.conv_pack.k.conv.out_c, 8);
    assert_int_equal(s->p.conv_pack.k.out_pixel_stride, 1);
    /* the fused step reads the NHWC input and feeds the binary conv */
    assert_int_equal(p->s[0].kind, LK_NCHW_TO_NHWC);
    assert_int_equal(s->in[0], p->s[0].out);
    assert_non_null(find_kind(p, LK_BCONV_F32)); /* qc is the head: float out */
    assert_int_equal(find_kind(p, LK_BCONV_F32)->in[0], s->out);
    for (i = 0; i < s->n_consts; i++)
        assert_ptr_equal(&p->s[p->c[s->consts[i]].step], s);
    assert_true(s->scratch >= 0);
    assert_int_equal(p->t[s->scratch].bytes,
                     bnn_conv2d_pack_f32_b_scratch_bytes(&s->p.conv_pack.k));
    assert_int_equal(s->fused_scratch, p->t[s->scratch].bytes);
    assert_no_float_maps(p);
    assert_int_equal(plan_check_no_overlap(p, &err), 0);
    /* the bound without the fusion held the 12 x 14 x 8 float map; at
     * the fused step less than that map is live */
    assert_true(p->unfused_bound >= 12u * 14u * 8u * 4u);
    assert_true(p->unfused_bound >= p->lower_bound);
    assert_true(plan_live_bytes(p, (int)(s - p->s)) < 12u * 14u * 8u * 4u);
    return s;
}

/* The LeNet stem: conv -> tanh -> max pool 2/2 -> BatchNorm -> sign. */
static void test_lenet_stem(void **state)
{
    chain c = {1, 0, "max", 2, 2, 0, 1, 0};
    lir_program p;
    const lir_step *s;
    (void)state;
    compile(&c, &p);
    s = fused(&p);
    assert_int_equal(s->p.conv_pack.k.n_pre, 1);
    /* tanh lowers to the vectorised activation */
    assert_int_equal(s->p.conv_pack.k.pre[0].kind, BNN_EW_ACT_FAST);
    assert_int_equal(s->p.conv_pack.k.pre[0].act, BNN_ACT_TANH);
    assert_int_equal(s->p.conv_pack.k.n_post, 0);
    assert_int_equal(s->p.conv_pack.k.pool_kind, BNN_POOL_MAX);
    assert_int_equal(s->p.conv_pack.k.pool.out_h, 6);
    assert_int_equal(s->p.conv_pack.k.pool.out_w, 7);
    assert_true(s->p.conv_pack.mul >= 0 && s->p.conv_pack.add >= 0);
    assert_int_equal(s->n_consts, 4); /* w, b, mul, add */
    /* one conv row (14 x 8 floats: 448 bytes, 64-byte aligned already)
     * and one pooled row */
    assert_int_equal(s->fused_scratch, 448u + 7u * 8u * 4u);
    /* the conv map and the pooled map are never written */
    assert_int_equal(s->fused_bytes, 12u * 14u * 8u * 4u + 6u * 7u * 8u * 4u);
    lir_free(&p);
}

/* BatchNorm between tanh and the pooling stays a per-channel affine step
 * of the chain; overlapping average windows keep a ring of 3 rows. */
static void test_affine_avg_ring(void **state)
{
    chain c = {1, 1, "avg", 3, 2, 1, 0, 0};
    lir_program p;
    const lir_step *s;
    (void)state;
    compile(&c, &p);
    s = fused(&p);
    assert_int_equal(s->p.conv_pack.k.n_pre, 2);
    assert_int_equal(s->p.conv_pack.k.pre[0].kind, BNN_EW_ACT_FAST);
    assert_int_equal(s->p.conv_pack.k.pre[1].kind, BNN_EW_AFFINE);
    assert_true(s->p.conv_pack.pre_mul[1] >= 2 && s->p.conv_pack.pre_add[1] >= 2);
    assert_int_equal(s->p.conv_pack.k.pool_kind, BNN_POOL_AVG);
    assert_int_equal(bnn_conv2d_pack_ring_rows(&s->p.conv_pack.k), 3);
    assert_int_equal(s->p.conv_pack.mul, -1); /* a plain sign-pack */
    assert_int_equal(s->n_consts, 4);         /* w, b, affine mul and add */
    lir_free(&p);
}

/* No pooling: conv -> tanh -> sign, one conv row of scratch. */
static void test_no_pool(void **state)
{
    chain c = {1, 0, NULL, 0, 0, 0, 0, 0};
    lir_program p;
    const lir_step *s;
    (void)state;
    compile(&c, &p);
    s = fused(&p);
    assert_int_equal(s->p.conv_pack.k.pool_kind, BNN_POOL_NONE);
    assert_int_equal(s->fused_scratch, 448u);
    assert_int_equal(s->fused_bytes, 12u * 14u * 8u * 4u);
    lir_free(&p);
}

/* The float result is also a head: nothing is streamed. */
static void test_second_reader(void **state)
{
    chain c = {1, 0, "max", 2, 2, 0, 0, 1};
    lir_program p;
    (void)state;
    compile(&c, &p);
    assert_int_equal(count_kind(&p, LK_CONV_PACK_F32_B), 0);
    assert_int_equal(p.unfused_bound, 0);
    lir_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lenet_stem),
        cmocka_unit_test(test_affine_avg_ring),
        cmocka_unit_test(test_no_pool),
        cmocka_unit_test(test_second_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
