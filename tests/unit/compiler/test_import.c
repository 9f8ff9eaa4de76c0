/*
 * test_import.c - import, legalize, shapes, fold_constants and binarize on
 * small hand-written models: op defaults, spellings of every MXNet
 * generation, shape rules, the three BMXNet dialects, and the errors bad
 * models must produce.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model_builder.h"

#define VAR(name) "{\"op\": \"null\", \"name\": \"" name "\", \"inputs\": []}"
#define GRAPH(nodes, head) \
    "{\"nodes\": [" nodes "], \"heads\": [[" #head ", 0, 0]], " \
    "\"attrs\": {\"mxnet_version\": [\"int\", 10901]}}"

static const char *const in_1x4x6x6[] = {"data=1,4,6,6", NULL};

#define RUN_OK(json, p, in)                                    \
    do {                                                       \
        if (mb_run(json, p, in, &g, &err))                     \
            fail_msg("frontend failed: %s", err.msg);          \
    } while (0)

static void expect_fail(const char *json, mb_params *p, const char *const *inputs,
                        const char *substr)
{
    ir_graph g;
    bnnc_err err;
    err.msg[0] = '\0';
    assert_int_equal(mb_run(json, p, inputs, &g, &err), -1);
    if (!strstr(err.msg, substr))
        fail_msg("error \"%s\" does not contain \"%s\"", err.msg, substr);
}

static void shape_is(const ir_node *n, int ndim, int64_t a, int64_t b,
                     int64_t c, int64_t d)
{
    int64_t want[4] = {a, b, c, d};
    assert_non_null(n);
    assert_non_null(n->shape);
    assert_int_equal(n->shape[0].ndim, ndim);
    for (int i = 0; i < ndim; i++)
        assert_int_equal(n->shape[0].d[i], want[i]);
}

/* ------------------------------------------------------ op defaults */

static void test_defaults(void **state)
{
    static const char j[] = GRAPH(
        VAR("data") ","
        VAR("c_weight") "," VAR("c_bias") ","
        "{\"op\": \"Convolution\", \"name\": \"c\", \"attrs\": {\"kernel\": \"(3, 3)\", \"num_filter\": \"4\"}, \"inputs\": [[0,0,0],[1,0,0],[2,0,0]]},"
        VAR("bn_gamma") "," VAR("bn_beta") "," VAR("bn_moving_mean") "," VAR("bn_moving_var") ","
        "{\"op\": \"BatchNorm\", \"name\": \"bn\", \"attrs\": {}, \"inputs\": [[3,0,0],[4,0,0],[5,0,0],[6,0,1],[7,0,1]]},"
        "{\"op\": \"LeakyReLU\", \"name\": \"lr\", \"inputs\": [[8,0,0]]},"
        "{\"op\": \"Pooling\", \"name\": \"p\", \"attrs\": {\"kernel\": \"(2, 2)\"}, \"inputs\": [[9,0,0]]},"
        "{\"op\": \"Dropout\", \"name\": \"d\", \"attrs\": {\"p\": \"0.5\"}, \"inputs\": [[10,0,0]]},"
        "{\"op\": \"Flatten\", \"name\": \"f\", \"inputs\": [[11,0,0]]},"
        VAR("fc_weight") "," VAR("fc_bias") ","
        "{\"op\": \"FullyConnected\", \"name\": \"fc\", \"attrs\": {\"num_hidden\": \"3\"}, \"inputs\": [[12,0,0],[13,0,0],[14,0,0]]},"
        VAR("softmax_label") ","
        "{\"op\": \"SoftmaxOutput\", \"name\": \"sm\", \"inputs\": [[15,0,0],[16,0,0]]}",
        17);
    mb_params p = {0};
    ir_graph g;
    bnnc_err err;
    ir_node *n;
    (void)state;
    mb_add(&p, "arg:c_weight", 4, (int64_t[]){4, 4, 3, 3}, NULL);
    mb_add(&p, "arg:c_bias", 1, (int64_t[]){4}, NULL);
    mb_add(&p, "arg:bn_gamma", 1, (int64_t[]){4}, NULL);
    mb_add(&p, "arg:bn_beta", 1, (int64_t[]){4}, NULL);
    mb_add(&p, "aux:bn_moving_mean", 1, (int64_t[]){4}, NULL);
    mb_add(&p, "aux:bn_moving_var", 1, (int64_t[]){4}, (float[]){1, 2, 3, 4});
    mb_add(&p, "arg:fc_weight", 2, (int64_t[]){3, 36}, NULL);
    mb_add(&p, "arg:fc_bias", 1, (int64_t[]){3}, NULL);
    RUN_OK(j, &p, in_1x4x6x6);

    n = mb_node(&g, "c");
    assert_int_equal(n->op, IR_OP_CONV);
    assert_int_equal(n->a.conv.stride[0], 1);
    assert_int_equal(n->a.conv.dilate[1], 1);
    assert_int_equal(n->a.conv.pad[0], 0);
    assert_int_equal(n->a.conv.num_group, 1);
    assert_int_equal(n->a.conv.no_bias, 0);
    assert_int_equal(n->n_in, 3);
    shape_is(n, 4, 1, 4, 4, 4);
    n = mb_node(&g, "bn");
    assert_true(n->a.bn.eps == 1e-3);
    assert_int_equal(n->a.bn.fix_gamma, 1);
    assert_int_equal(n->a.bn.axis, 1);
    n = mb_node(&g, "lr");
    assert_int_equal(n->a.act.act, IR_ACT_LEAKY);
    assert_true(n->a.act.slope == 0.25);
    n = mb_node(&g, "p");
    assert_int_equal(n->a.pool.type, IR_POOL_MAX);
    assert_int_equal(n->a.pool.stride[0], 1); /* not the kernel */
    assert_int_equal(n->a.pool.stride[1], 1);
    assert_int_equal(n->a.pool.convention, IR_POOL_VALID);
    assert_int_equal(n->a.pool.count_include_pad, 1);
    shape_is(n, 4, 1, 4, 3, 3);
    assert_null(mb_node(&g, "d")); /* Dropout is gone */
    n = mb_node(&g, "fc");
    assert_int_equal(n->a.dense.flatten, 1);
    shape_is(n, 2, 1, 3, 0, 0);
    n = mb_node(&g, "sm");
    assert_int_equal(n->op, IR_OP_SOFTMAX);
    assert_int_equal(n->a.softmax.mode, IR_SOFTMAX_ALL);
    assert_int_equal(n->n_in, 1); /* label dropped */
    assert_null(mb_node(&g, "softmax_label"));
    /* the moving variance keeps its values (float32, exact) */
    n = mb_node(&g, "bn_moving_var");
    assert_int_equal(n->op, IR_OP_CONST);
    assert_true(n->a.c.f[3] == 4.0f);
    ir_graph_free(&g);
    mb_free(&p);
}

/* Spellings of old MXNet versions map to one op each. */
static void test_spellings(void **state)
{
    static const char j[] = GRAPH(
        VAR("data") ","
        "{\"op\": \"_PlusScalar\", \"name\": \"a\", \"attr\": {\"scalar\": \"1.5\"}, \"inputs\": [[0,0]]},"
        "{\"op\": \"_MulScalar\", \"name\": \"b\", \"attr\": {\"scalar\": \"2\"}, \"inputs\": [[1,0]]},"
        "{\"op\": \"_Plus\", \"name\": \"c\", \"inputs\": [[1,0],[2,0]]},"
        "{\"op\": \"ElementWiseSum\", \"name\": \"d\", \"attr\": {\"num_args\": \"3\"}, \"inputs\": [[1,0],[2,0],[3,0]]},"
        "{\"op\": \"Pooling_v1\", \"name\": \"e\", \"attr\": {\"kernel\": \"(2, 2)\", \"stride\": \"(2, 2)\", \"pool_type\": \"avg\"}, \"inputs\": [[4,0]]},"
        "{\"op\": \"_rminus_scalar\", \"name\": \"f\", \"attr\": {\"scalar\": \"1\"}, \"inputs\": [[5,0]]},"
        "{\"op\": \"broadcast_plus\", \"name\": \"g\", \"inputs\": [[6,0],[6,0]]},"
        "{\"op\": \"Softmax\", \"name\": \"h\", \"inputs\": [[7,0]]}",
        8);
    mb_params p = {0};
    ir_graph g;
    bnnc_err err;
    ir_node *n;
    (void)state;
    RUN_OK(j, &p, in_1x4x6x6);
    n = mb_node(&g, "a");
    assert_int_equal(n->op, IR_OP_SCALAR);
    assert_int_equal(n->a.scalar.kind, IR_SC_ADD);
    assert_true(n->a.scalar.value == 1.5);
    assert_int_equal(mb_node(&g, "b")->a.scalar.kind, IR_SC_MUL);
    assert_int_equal(mb_node(&g, "c")->op, IR_OP_ADD);
    n = mb_node(&g, "d");
    assert_int_equal(n->op, IR_OP_ADD);
    assert_int_equal(n->n_in, 3);
    n = mb_node(&g, "e");
    assert_int_equal(n->op, IR_OP_POOL);
    assert_int_equal(n->a.pool.type, IR_POOL_AVG);
    shape_is(n, 4, 1, 4, 3, 3);
    assert_int_equal(mb_node(&g, "f")->a.scalar.kind, IR_SC_RSUB);
    assert_int_equal(mb_node(&g, "g")->a.binary.broadcast, 1);
    assert_int_equal(mb_node(&g, "h")->a.softmax.mode, IR_SOFTMAX_ALL);
    ir_graph_free(&g);
}

/* <= 0.8: `param` with every default written, 2-element entries, no aux
 * variables for BatchNorm (synthesised from the params names). */
static void test_legacy_batchnorm(void **state)
{
    static const char j[] =
        "{\"nodes\": ["
        "{\"op\": \"null\", \"param\": {}, \"name\": \"data\", \"inputs\": [], \"backward_source_id\": -1},"
        "{\"op\": \"null\", \"param\": {}, \"name\": \"bn1_gamma\", \"inputs\": [], \"backward_source_id\": -1},"
        "{\"op\": \"null\", \"param\": {}, \"name\": \"bn1_beta\", \"inputs\": [], \"backward_source_id\": -1},"
        "{\"op\": \"BatchNorm\", \"param\": {\"eps\": \"0.001\", \"fix_gamma\": \"True\", \"momentum\": \"0.9\", \"use_global_stats\": \"False\"},"
        " \"name\": \"bn1\", \"inputs\": [[0, 0], [1, 0], [2, 0]], \"backward_source_id\": -1}"
        "], \"arg_nodes\": [0, 1, 2], \"heads\": [[3, 0]]}";
    mb_params p = {0};
    ir_graph g;
    bnnc_err err;
    ir_node *n;
    (void)state;
    mb_add(&p, "arg:bn1_gamma", 1, (int64_t[]){4}, NULL);
    mb_add(&p, "arg:bn1_beta", 1, (int64_t[]){4}, NULL);
    mb_add(&p, "aux:bn1_moving_mean", 1, (int64_t[]){4}, NULL);
    mb_add(&p, "aux:bn1_moving_var", 1, (int64_t[]){4}, NULL);
    RUN_OK(j, &p, in_1x4x6x6);
    n = mb_node(&g, "bn1");
    assert_int_equal(n->n_in, 5);
    assert_string_equal(g.nodes[n->in[3].node]->name, "bn1_moving_mean");
    assert_string_equal(g.nodes[n->in[4].node]->name, "bn1_moving_var");
    assert_int_equal(g.nodes[n->in[4].node]->op, IR_OP_CONST);
    ir_graph_free(&g);
    /* without the aux arrays: the synthesised name is reported missing */
    p.n = 2;
    expect_fail(j, &p, in_1x4x6x6,
                "node 'bn1' (BatchNorm): parameter 'bn1_moving_mean' is missing");
    p.n = 4;
    mb_free(&p);
}

/* Shape rules; each node is made the graph's head in turn (the pipeline
 * drops nodes that do not reach a head). */
static void test_shapes(void **state)
{
    static const char fmt[] = GRAPH(
        VAR("data") ","
        "{\"op\": \"Pooling\", \"name\": \"full\", \"attrs\": {\"kernel\": \"(3, 3)\", \"stride\": \"(2, 2)\", \"pad\": \"(1, 1)\", \"pooling_convention\": \"full\"}, \"inputs\": [[0,0,0]]},"
        "{\"op\": \"Pooling\", \"name\": \"valid\", \"attrs\": {\"kernel\": \"(3, 3)\", \"stride\": \"(2, 2)\", \"pad\": \"(1, 1)\"}, \"inputs\": [[0,0,0]]},"
        "{\"op\": \"Pooling\", \"name\": \"glob\", \"attrs\": {\"kernel\": \"(7, 7)\", \"global_pool\": \"True\", \"pool_type\": \"avg\"}, \"inputs\": [[0,0,0]]},"
        "{\"op\": \"Reshape\", \"name\": \"r1\", \"attrs\": {\"shape\": \"(0, -1)\"}, \"inputs\": [[0,0,0]]},"
        "{\"op\": \"Reshape\", \"name\": \"r2\", \"attrs\": {\"shape\": \"(0, -4, 2, -1, -2)\"}, \"inputs\": [[0,0,0]]},"
        "{\"op\": \"Reshape\", \"name\": \"r3\", \"attrs\": {\"shape\": \"(-3, -2)\"}, \"inputs\": [[0,0,0]]},"
        "{\"op\": \"Reshape\", \"name\": \"r4\", \"attrs\": {\"shape\": \"(-1, 0)\", \"reverse\": \"True\"}, \"inputs\": [[0,0,0]]},"
        "{\"op\": \"transpose\", \"name\": \"t\", \"attrs\": {\"axes\": \"(0, 2, 3, 1)\"}, \"inputs\": [[0,0,0]]},"
        "{\"op\": \"Concat\", \"name\": \"cat\", \"attrs\": {\"num_args\": \"2\"}, \"inputs\": [[0,0,0], [0,0,0]]},"
        "{\"op\": \"slice_axis\", \"name\": \"s\", \"attrs\": {\"axis\": \"1\", \"begin\": \"1\", \"end\": \"None\"}, \"inputs\": [[0,0,0]]},"
        "{\"op\": \"mean\", \"name\": \"m\", \"attrs\": {\"axis\": \"(2, 3)\", \"keepdims\": \"True\"}, \"inputs\": [[0,0,0]]},"
        "{\"op\": \"Pad\", \"name\": \"pad\", \"attrs\": {\"mode\": \"constant\", \"constant_value\": \"-1\", \"pad_width\": \"(0, 0, 0, 0, 1, 2, 3, 4)\"}, \"inputs\": [[0,0,0]]},"
        "{\"op\": \"add_n\", \"name\": \"sum\", \"attrs\": {\"num_args\": \"2\"}, \"inputs\": [[1,0,0], [1,0,0]]},"
        "{\"op\": \"Reshape\", \"name\": \"old\", \"attrs\": {\"target_shape\": \"(0, 36)\"}, \"inputs\": [[0,0,0]]}",
        %d);
    static const struct {
        int head;
        int ndim;
        int64_t d[5];
    } want[] = {
        {1, 4, {1, 4, 4, 4}},      /* full: ceil((6+2-3)/2)+1 */
        {2, 4, {1, 4, 3, 3}},      /* valid: floor((6+2-3)/2)+1 */
        {3, 4, {1, 4, 1, 1}},      /* global ignores the kernel */
        {4, 2, {1, 144}},          /* (0, -1) */
        {5, 5, {1, 2, 2, 6, 6}},   /* -4 splits 4 into (2, 2), -2 copies the rest */
        {6, 3, {4, 6, 6}},         /* -3 merges 1*4 */
        {7, 2, {24, 6}},           /* reverse (-1, 0) keeps the last dim */
        {8, 4, {1, 6, 6, 4}},
        {9, 4, {1, 8, 6, 6}},
        {10, 4, {1, 3, 6, 6}},
        {11, 4, {1, 4, 1, 1}},
        {12, 4, {1, 4, 9, 13}},
        {13, 4, {1, 4, 4, 4}},
        {14, 2, {4, 36}},          /* deprecated target_shape: 0 is inferred */
    };
    static const char *const in[] = {"data=1,4,6,6", NULL};
    mb_params p = {0};
    (void)state;
    for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
        char json[sizeof fmt + 16];
        ir_graph g;
        bnnc_err err;
        const ir_node *n;
        snprintf(json, sizeof json, fmt, want[k].head);
        if (mb_run(json, &p, in, &g, &err))
            fail_msg("head %d: %s", want[k].head, err.msg);
        n = g.nodes[g.heads[0].node];
        assert_int_equal(n->shape[0].ndim, want[k].ndim);
        for (int i = 0; i < want[k].ndim; i++)
            assert_int_equal(n->shape[0].d[i], want[k].d[i]);
        ir_graph_free(&g);
    }
}

/* ------------------------------------------------------ errors */

static void test_errors(void **state)
{
    mb_params p = {0};
    static const char *const none[] = {NULL};
    static const char *const wrong[] = {"image=1,4,6,6", NULL};
    static const char conv[] = GRAPH(
        VAR("data") "," VAR("w") ","
        "{\"op\": \"Convolution\", \"name\": \"conv3\", \"attrs\": {\"kernel\": \"(3, 3)\", \"num_filter\": \"16\", \"no_bias\": \"True\"}, \"inputs\": [[0,0,0],[1,0,0]]}",
        2);
    (void)state;

    expect_fail(GRAPH(VAR("data") ", {\"op\": \"round_ste\", \"name\": \"q\", \"inputs\": [[0,0,0]]}", 1),
                &p, in_1x4x6x6, "node 'q' (round_ste): operator 'round_ste' is not supported");
    expect_fail(GRAPH(VAR("data") ", {\"op\": \"Activation\", \"name\": \"a\", \"attrs\": {\"act_type\": \"swish\"}, \"inputs\": [[0,0,0]]}", 1),
                &p, in_1x4x6x6, "node 'a' (Activation): attribute act_type=\"swish\" is not supported (expected one of: relu, sigmoid, tanh, softrelu, softsign)");
    expect_fail(GRAPH(VAR("data") ", {\"op\": \"Activation\", \"name\": \"a\", \"inputs\": [[0,0,0]]}", 1),
                &p, in_1x4x6x6, "required attribute 'act_type' is missing");
    expect_fail(GRAPH(VAR("data") ", {\"op\": \"Dropout\", \"name\": \"drop\", \"attrs\": {\"mode\": \"always\"}, \"inputs\": [[0,0,0]]}", 1),
                &p, in_1x4x6x6, "node 'drop' (Dropout): mode=always");
    expect_fail(GRAPH(VAR("data") ", {\"op\": \"Pooling\", \"name\": \"p\", \"attrs\": {\"kernel\": \"(2, 2, 2)\"}, \"inputs\": [[0,0,0]]}", 1),
                &p, in_1x4x6x6, "only 2-D");
    expect_fail(GRAPH(VAR("data") ", {\"op\": \"Pooling\", \"name\": \"p\", \"attrs\": {\"kernel\": \"(9, 9)\"}, \"inputs\": [[0,0,0]]}", 1),
                &p, in_1x4x6x6, "node 'p' (Pooling): kernel (9, 9) with pad (0, 0) is larger than input (1, 4, 6, 6)");
    expect_fail(GRAPH(VAR("data") ", {\"op\": \"BatchNorm\", \"name\": \"bn\", \"attrs\": {\"fix_gamma\": \"maybe\"}, \"inputs\": [[0,0,0]]}", 1),
                &p, in_1x4x6x6, "attribute fix_gamma=\"maybe\" is not a boolean");
    /* a weight missing from the params file */
    expect_fail(conv, &p, in_1x4x6x6, "node 'conv3' (Convolution): parameter 'w' is missing from t-0000.params");
    /* a weight for another number of input channels than --input gives */
    mb_add(&p, "arg:w", 4, (int64_t[]){16, 8, 3, 3}, NULL);
    expect_fail(conv, &p, in_1x4x6x6,
                "t-symbol.json: node 'conv3' (Convolution): input shape mismatch: --input "
                "data=1,4,6,6 gives this node 4 channels per sample, its weight 'w' takes 8 "
                "(shape (16, 8, 3, 3)); is --input the shape the model was made for?");
    mb_free(&p);
    /* a weight for another number of filters: the model's own mismatch */
    mb_add(&p, "arg:w", 4, (int64_t[]){8, 4, 3, 3}, NULL);
    expect_fail(conv, &p, in_1x4x6x6,
                "t-symbol.json: node 'conv3' (Convolution): weight 'w' has shape (8, 4, 3, 3), expected (16, 4, 3, 3)");
    mb_free(&p);
    /* input shapes */
    mb_add(&p, "arg:w", 4, (int64_t[]){16, 4, 3, 3}, NULL);
    expect_fail(conv, &p, none, "data input 'data' has no shape; pass --input data=N,C,H,W");
    expect_fail(conv, &p, wrong, "--input image: the graph has no data input of that name (data inputs: data)");
    /* an extra parameter nobody uses */
    mb_add(&p, "arg:stale_weight", 1, (int64_t[]){3}, NULL);
    expect_fail(conv, &p, in_1x4x6x6,
                "t-0000.params: parameter 'arg:stale_weight' is not used by any node");
    mb_free(&p);
}

/* ------------------------------------------------------ binarize */

/* The BMXNet-v2 raw Gluon export of one QActivation + QConv2D(padding=1)
 * followed by BatchNorm. `offset` is the _plus_scalar value (K normally,
 * 0 when hybridised before a forward pass). */
static char *v2_raw_graph(const char *offset, int with_offset_ops)
{
    static char buf[8192];
    snprintf(buf, sizeof buf,
        "{\"nodes\": ["
        VAR("data") ","
        "{\"op\": \"_contrib_gradcancel\", \"name\": \"net_qactivation0__contrib_gradcancel0\", \"attrs\": {\"threshold\": \"1.0\"}, \"inputs\": [[0,0,0]]},"
        "{\"op\": \"det_sign\", \"name\": \"net_qactivation0_det_sign0\", \"inputs\": [[1,0,0]]},"
        "{\"op\": \"Pad\", \"name\": \"net_qconv0_pad0\", \"attrs\": {\"constant_value\": \"-1\", \"mode\": \"constant\", \"pad_width\": \"[0, 0, 0, 0, 1, 1, 1, 1]\"}, \"inputs\": [[2,0,0]]},"
        "{\"op\": \"null\", \"name\": \"net_qconv0_weight\", \"attrs\": {\"__shape__\": \"(8, 4, 3, 3)\", \"__wd_mult__\": \"0.0\"}, \"inputs\": []},"
        "{\"op\": \"det_sign\", \"name\": \"net_qconv0_det_sign0\", \"inputs\": [[4,0,0]]},"
        "{\"op\": \"Convolution\", \"name\": \"net_qconv0_fwd\", \"attrs\": {\"dilate\": \"(1, 1)\", \"kernel\": \"(3, 3)\", \"layout\": \"NCHW\", \"no_bias\": \"True\", \"num_filter\": \"8\", \"num_group\": \"1\", \"pad\": \"(0, 0)\", \"stride\": \"(1, 1)\"}, \"inputs\": [[3,0,0],[5,0,0]]}"
        "%s%s%s"
        "], \"heads\": [[%d, 0, 0]], \"attrs\": {\"mxnet_version\": [\"int\", 10501]}}",
        with_offset_ops ? ",{\"op\": \"_plus_scalar\", \"name\": \"net_qconv0__plusscalar0\", \"attrs\": {\"scalar\": \"" : "",
        with_offset_ops ? offset : "",
        with_offset_ops ? "\"}, \"inputs\": [[6,0,0]]},"
                          "{\"op\": \"_div_scalar\", \"name\": \"net_qconv0__divscalar0\", \"attrs\": {\"scalar\": \"2\"}, \"inputs\": [[7,0,0]]}"
                        : "",
        with_offset_ops ? 8 : 6);
    return buf;
}

static void expect_signs(const ir_node *b, const mb_array *w)
{
    for (size_t i = 0; i < w->count; i++) {
        float x;
        memcpy(&x, w->bytes + 4 * i, 4);
        if (b->a.b.w[i] != (x < 0 ? -1 : 1))
            fail_msg("weight %zu: %d for %g", i, b->a.b.w[i], (double)x);
    }
}

static void test_v2_raw(void **state)
{
    mb_params p = {0};
    ir_graph g;
    bnnc_err err;
    ir_node *b;
    (void)state;
    mb_add(&p, "arg:net_qconv0_weight", 4, (int64_t[]){8, 4, 3, 3}, NULL);

    RUN_OK(v2_raw_graph("36", 1), &p, in_1x4x6x6);
    b = mb_node(&g, "net_qconv0_fwd");
    assert_int_equal(b->op, IR_OP_BCONV);
    assert_int_equal(b->n_in, 1);
    assert_string_equal(g.nodes[b->in[0].node]->name, "data"); /* sign absorbed */
    assert_int_equal(b->a.b.pad_mode, IR_PAD_MINUS_ONE);
    assert_int_equal(b->a.b.conv.pad[0], 1);
    assert_int_equal(b->a.b.conv.pad[1], 1);
    assert_true(b->a.b.offset == 36.0);
    assert_true(b->a.b.divisor == 2.0);
    assert_null(b->a.b.scale);
    assert_string_equal(b->a.b.origin, "sign-pattern");
    assert_int_equal(b->a.b.word_bits, 0);
    assert_int_equal(b->a.b.stored_bytes, 8 * 4 * 9 * 4);
    expect_signs(b, &p.a[0]);
    shape_is(b, 4, 1, 8, 6, 6);
    assert_int_equal(g.heads[0].node, b->id); /* the scalar ops are gone */
    assert_int_equal(b->n_merged, 4); /* sign, pad, +K, /2 */
    ir_graph_free(&g);

    /* offset trap: exported before any forward pass, _plus_scalar(0) */
    RUN_OK(v2_raw_graph("0", 1), &p, in_1x4x6x6);
    b = mb_node(&g, "net_qconv0_fwd");
    assert_true(b->a.b.offset == 0.0);
    assert_true(b->a.b.divisor == 2.0);
    ir_graph_free(&g);

    /* no_offset: no scalar ops at all */
    RUN_OK(v2_raw_graph("", 0), &p, in_1x4x6x6);
    b = mb_node(&g, "net_qconv0_fwd");
    assert_int_equal(b->op, IR_OP_BCONV);
    assert_true(b->a.b.offset == 0.0);
    assert_true(b->a.b.divisor == 1.0);
    ir_graph_free(&g);
    mb_free(&p);
}

/* binet scaling: broadcast_mul by transpose(mean(abs(W), exclude axis 0)) */
static void test_v2_binet_and_zero_pad(void **state)
{
    static const char j[] = GRAPH(
        VAR("data") ","
        "{\"op\": \"det_sign\", \"name\": \"s\", \"inputs\": [[0,0,0]]},"
        VAR("w") ","
        "{\"op\": \"det_sign\", \"name\": \"ws\", \"inputs\": [[2,0,0]]},"
        "{\"op\": \"Convolution\", \"name\": \"conv\", \"attrs\": {\"kernel\": \"(3, 3)\", \"pad\": \"(1, 1)\", \"num_filter\": \"2\", \"no_bias\": \"True\"}, \"inputs\": [[1,0,0],[3,0,0]]},"
        "{\"op\": \"abs\", \"name\": \"a\", \"inputs\": [[2,0,0]]},"
        "{\"op\": \"mean\", \"name\": \"m\", \"attrs\": {\"axis\": \"0\", \"exclude\": \"True\", \"keepdims\": \"True\"}, \"inputs\": [[5,0,0]]},"
        "{\"op\": \"transpose\", \"name\": \"t\", \"attrs\": {\"axes\": \"(1, 0, 2, 3)\"}, \"inputs\": [[6,0,0]]},"
        "{\"op\": \"broadcast_mul\", \"name\": \"mul\", \"inputs\": [[4,0,0],[7,0,0]]}",
        8);
    mb_params p = {0};
    ir_graph g;
    bnnc_err err;
    ir_node *b;
    float w[2 * 4 * 9];
    (void)state;
    for (int i = 0; i < 72; i++)
        w[i] = (i < 36 ? 0.5f : -0.25f) * (i % 3 ? 1.0f : -1.0f);
    w[5] = 0.0f; /* det_sign(0) = +1 */
    mb_add(&p, "arg:w", 4, (int64_t[]){2, 4, 3, 3}, w);
    RUN_OK(j, &p, in_1x4x6x6);
    b = mb_node(&g, "conv");
    assert_int_equal(b->op, IR_OP_BCONV);
    assert_int_equal(b->a.b.pad_mode, IR_PAD_ZERO); /* the conv's own zero pad */
    assert_non_null(b->a.b.scale);
    /* mean |W| per output channel: 35 of 36 weights are 0.5 in channel 0 */
    assert_true(fabsf(b->a.b.scale[0] - 0.5f * 35.0f / 36.0f) < 1e-7f);
    assert_true(b->a.b.scale[1] == 0.25f);
    assert_int_equal(b->a.b.w[5], 1);
    assert_int_equal(b->a.b.w[0], -1);
    assert_int_equal(g.heads[0].node, b->id);
    ir_graph_free(&g);
    mb_free(&p);
}

/* A QConv2D without QActivation: +-1 weights, real input: stays float. */
static void test_weight_only(void **state)
{
    static const char j[] = GRAPH(
        VAR("data") ","
        "{\"op\": \"Pooling\", \"name\": \"pool\", \"attrs\": {\"kernel\": \"(2, 2)\", \"stride\": \"(2, 2)\", \"pool_type\": \"avg\"}, \"inputs\": [[0,0,0]]},"
        VAR("sc_qconv0_weight") ","
        "{\"op\": \"det_sign\", \"name\": \"sc_qconv0_det_sign0\", \"inputs\": [[2,0,0]]},"
        "{\"op\": \"Convolution\", \"name\": \"sc_qconv0_fwd\", \"attrs\": {\"kernel\": \"(1, 1)\", \"num_filter\": \"8\", \"no_bias\": \"True\"}, \"inputs\": [[1,0,0],[3,0,0]]}",
        4);
    mb_params p = {0};
    ir_graph g;
    bnnc_err err;
    ir_node *c;
    (void)state;
    mb_add(&p, "arg:sc_qconv0_weight", 4, (int64_t[]){8, 4, 1, 1}, NULL);
    RUN_OK(j, &p, in_1x4x6x6);
    c = mb_node(&g, "sc_qconv0_fwd");
    assert_int_equal(c->op, IR_OP_CONV);
    assert_int_equal(c->weight_only_binary, 1);
    /* the weights were folded to +-1 */
    assert_true(fabsf(g.nodes[c->in[1].node]->a.c.f[0]) == 1.0f);
    ir_graph_free(&g);
    mb_free(&p);
}

/* Pack +-1 values as BMXNet does: flat LSB-first stream, bit 1 = +1. */
static void pack_flat(const int8_t *v, size_t n, uint8_t *out, size_t nbytes)
{
    memset(out, 0, nbytes);
    for (size_t i = 0; i < n; i++)
        if (v[i] > 0)
            out[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* BMXNet v1: QActivation(backward_only) + QConvolution, real and packed. */
static void test_v1(void **state)
{
    static const char real[] =
        "{\"nodes\": ["
        VAR("data") ","
        "{\"op\": \"QActivation\", \"name\": \"qa\", \"attr\": {\"backward_only\": \"True\"}, \"inputs\": [[0,0,0]]},"
        VAR("qc_weight") ","
        "{\"op\": \"QConvolution\", \"name\": \"qc\", \"attr\": {\"kernel\": \"(3, 3)\", \"pad\": \"(1, 1)\", \"num_filter\": \"32\", \"act_bit\": \"1\", \"weight_bit\": \"1\"}, \"inputs\": [[1,0,0],[2,0,0]]}"
        "], \"heads\": [[3, 0, 0]], \"attrs\": {\"mxnet_version\": [\"int\", 905]}}";
    static const char packed[] =
        "{\"nodes\": ["
        VAR("data") ","
        "{\"op\": \"QActivation\", \"name\": \"qa\", \"attr\": {\"backward_only\": \"True\"}, \"inputs\": [[0,0,0]]},"
        VAR("qc_weight") ","
        "{\"op\": \"QConvolution\", \"name\": \"qc\", \"attr\": {\"kernel\": \"(3, 3)\", \"pad\": \"(1, 1)\", \"num_filter\": \"32\", \"binarized_weights_only\": \"True\"}, \"inputs\": [[1,0,0],[2,0,0]]},"
        "{\"op\": \"Flatten\", \"name\": \"f\", \"inputs\": [[3,0,0]]},"
        VAR("qf_weight") ","
        "{\"op\": \"QFullyConnected\", \"name\": \"qf\", \"attr\": {\"num_hidden\": \"3\", \"binarized_weights_only\": \"True\"}, \"inputs\": [[4,0,0],[5,0,0]]}"
        "], \"heads\": [[6, 0, 0]], \"attrs\": {\"mxnet_version\": [\"int\", 905]}}";
    static const char *const in[] = {"data=1,64,4,4", NULL};
    enum { O = 32, C = 64, K = C * 9, FK = O * 16, FO = 3 };
    int8_t wv[O * K], fv[FO * FK];
    float wr[O * K];
    uint8_t bytes[O * K / 8];
    uint8_t fbytes[FO * FK / 8];
    mb_params p = {0};
    ir_graph g;
    bnnc_err err;
    ir_node *b;
    (void)state;
    for (int i = 0; i < O * K; i++) {
        wv[i] = (int8_t)(((i * 2654435761u) >> 7) & 1 ? 1 : -1);
        wr[i] = (float)wv[i] * (float)(1 + i % 5) / 7.0f;
    }
    for (int i = 0; i < FO * FK; i++)
        fv[i] = (int8_t)(((i * 40503u) >> 5) & 1 ? 1 : -1);

    /* real-valued weights: sign applied by the op itself */
    mb_add(&p, "qc_weight", 4, (int64_t[]){O, C, 3, 3}, wr);
    RUN_OK(real, &p, in);
    b = mb_node(&g, "qc");
    assert_int_equal(b->op, IR_OP_BCONV);
    assert_string_equal(b->a.b.origin, "bmxnet-v1");
    assert_int_equal(b->a.b.pad_mode, IR_PAD_PLUS_ONE);
    assert_true(b->a.b.offset == (double)K);
    assert_true(b->a.b.divisor == 2.0);
    assert_string_equal(g.nodes[b->in[0].node]->name, "data");
    assert_memory_equal(b->a.b.w, wv, sizeof wv);
    ir_graph_free(&g);
    mb_free(&p);

    /* converter output, 32- and 64-bit words, old 1-D declared shapes */
    pack_flat(wv, O * K, bytes, sizeof bytes);
    /* FC: transpose to (I, O), word (j*O + o) holds W[o][j*wb + b] */
    for (int wb = 32; wb <= 64; wb += 32) {
        memset(fbytes, 0, sizeof fbytes);
        for (int o = 0; o < FO; o++)
            for (int i = 0; i < FK; i++)
                if (fv[o * FK + i] > 0) {
                    size_t bit = ((size_t)(i / wb) * FO + (size_t)o) * (size_t)wb + (size_t)(i % wb);
                    fbytes[bit / 8] |= (uint8_t)(1u << (bit % 8));
                }
        mb_add_raw(&p, "qc_weight", 1, (int64_t[]){O * K / wb}, wb == 64, bytes);
        mb_add_raw(&p, "qf_weight", 1, (int64_t[]){FO * FK / wb}, wb == 64, fbytes);
        RUN_OK(packed, &p, in);
        b = mb_node(&g, "qc");
        assert_int_equal(b->a.b.word_bits, wb);
        assert_memory_equal(b->a.b.w, wv, sizeof wv);
        b = mb_node(&g, "qf");
        assert_int_equal(b->op, IR_OP_BDENSE);
        assert_int_equal(b->a.b.word_bits, wb);
        assert_true(b->a.b.offset == (double)FK);
        assert_memory_equal(b->a.b.w, fv, sizeof fv);
        shape_is(b, 2, 1, 3, 0, 0);
        ir_graph_free(&g);
        mb_free(&p);
    }

    /* a word count that does not match the layer */
    mb_add_raw(&p, "qc_weight", 1, (int64_t[]){O * K / 32 - 1}, 0, bytes);
    mb_add_raw(&p, "qf_weight", 1, (int64_t[]){FO * FK / 32}, 0, fbytes);
    expect_fail(packed, &p, in,
                "node 'qc' (QConvolution): packed weights 'qc_weight' hold 575 32-bit words; 32 filters of 64 x 3 x 3 bits need 576");
    mb_free(&p);
}

/* BMXNet-v2 converter output: Pad(-1) + BinaryInferenceConvolution. */
static void test_v2_converted(void **state)
{
    static const char j[] = GRAPH(
        VAR("data") ","
        "{\"op\": \"Pad\", \"name\": \"net_qconv0_pad0\", \"attrs\": {\"constant_value\": \"-1\", \"mode\": \"constant\", \"pad_width\": \"[0, 0, 0, 0, 1, 1, 1, 1]\"}, \"inputs\": [[0,0,0]]},"
        "{\"op\": \"null\", \"name\": \"net_qconv0_weight\", \"attrs\": {\"__dtype__\": \"0\", \"__shape__\": \"(32,2, 3, 3)\"}, \"inputs\": []},"
        "{\"op\": \"BinaryInferenceConvolution\", \"name\": \"net_qconv0_fwd\", \"attrs\": {\"kernel\": \"(3, 3)\", \"num_filter\": \"32\", \"no_bias\": \"True\", \"pad\": \"(0, 0)\", \"stride\": \"(2, 2)\"}, \"inputs\": [[1,0,0],[2,0,0]]}",
        3);
    static const char *const in[] = {"data=1,64,7,7", NULL};
    enum { O = 32, K = 64 * 9 };
    int8_t wv[O * K];
    uint8_t bytes[O * K / 8];
    mb_params p = {0};
    ir_graph g;
    bnnc_err err;
    ir_node *b;
    (void)state;
    for (int i = 0; i < O * K; i++)
        wv[i] = (int8_t)((i % 7) < 3 ? 1 : -1);
    pack_flat(wv, O * K, bytes, sizeof bytes);
    mb_add_raw(&p, "arg:net_qconv0_weight", 4, (int64_t[]){O, 2, 3, 3}, 0, bytes);
    RUN_OK(j, &p, in);
    b = mb_node(&g, "net_qconv0_fwd");
    assert_int_equal(b->op, IR_OP_BCONV);
    assert_string_equal(b->a.b.origin, "bmxnet-v2-converted");
    assert_int_equal(b->a.b.pad_mode, IR_PAD_MINUS_ONE);
    assert_int_equal(b->a.b.conv.pad[0], 1);
    assert_true(b->a.b.offset == (double)K);
    assert_true(b->a.b.divisor == 2.0);
    assert_string_equal(g.nodes[b->in[0].node]->name, "data");
    assert_memory_equal(b->a.b.w, wv, sizeof wv);
    shape_is(b, 4, 1, 32, 4, 4);
    ir_graph_free(&g);
    mb_free(&p);
}

/* The converters leave a layer unpacked when its input channels are not a
 * multiple of the word size but still rename the op: real-valued weights
 * under BinaryInferenceConvolution are binarized like v1's. */
static void test_v2_converted_unpacked(void **state)
{
    static const char j[] = GRAPH(
        VAR("data") ","
        "{\"op\": \"Pad\", \"name\": \"pad0\", \"attrs\": {\"constant_value\": \"-1\", \"mode\": \"constant\", \"pad_width\": \"[0, 0, 0, 0, 1, 1, 1, 1]\"}, \"inputs\": [[0,0,0]]},"
        VAR("w") ","
        "{\"op\": \"BinaryInferenceConvolution\", \"name\": \"bconv\", \"attrs\": {\"kernel\": \"(3, 3)\", \"num_filter\": \"8\"}, \"inputs\": [[1,0,0],[2,0,0]]}",
        3);
    static const char *const in[] = {"data=1,3,6,6", NULL};
    mb_params p = {0};
    ir_graph g;
    bnnc_err err;
    ir_node *b;
    (void)state;
    mb_add(&p, "arg:w", 4, (int64_t[]){8, 3, 3, 3}, NULL);
    RUN_OK(j, &p, in);
    b = mb_node(&g, "bconv");
    assert_int_equal(b->op, IR_OP_BCONV);
    assert_int_equal(b->a.b.word_bits, 0);
    assert_int_equal(b->a.b.pad_mode, IR_PAD_MINUS_ONE);
    assert_true(b->a.b.offset == 27.0);
    expect_signs(b, &p.a[0]);
    ir_graph_free(&g);
    mb_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_spellings),
        cmocka_unit_test(test_legacy_batchnorm),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_v2_raw),
        cmocka_unit_test(test_v2_binet_and_zero_pad),
        cmocka_unit_test(test_weight_only),
        cmocka_unit_test(test_v1),
        cmocka_unit_test(test_v2_converted),
        cmocka_unit_test(test_v2_converted_unpacked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
