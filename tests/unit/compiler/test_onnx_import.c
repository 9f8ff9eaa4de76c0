/*
 * test_onnx_import.c - the ONNX importer (frontend/onnx/import.c, ops.c).
 *
 * Small models built here byte by byte: errors that name the node and
 * the input; the dynamic batch fixed by --input; what the conventions of
 * binary networks become in the IR (QONNX's sign maps 0 to +1; ONNX Sign
 * feeding a +-1 layer becomes two binary layers; PyTorch's s - p + p is
 * s and p's sub-graph is never imported); constant evaluation of the
 * quantisers as qonnx defines them.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frontend/onnx/import.h"
#include "frontend/onnx/onnx.h"
#include "passes/passes.h"
#include "pb_build.h"

/* NodeProto: inputs and outputs are comma-separated ("" keeps an empty
 * name), domain may be NULL, up to one INTS attribute (name, values). */
static void node(pb_t *g, const char *name, const char *op, const char *domain,
                 const char *ins, const char *outs, const char *ints_name,
                 const int64_t *ints, size_t n_ints)
{
    pb_t n = {0};
    char buf[256], *tok, *save;
    snprintf(buf, sizeof buf, "%s", ins);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        f_str(&n, 1, strcmp(tok, "-") ? tok : "");
    snprintf(buf, sizeof buf, "%s", outs);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        f_str(&n, 2, tok);
    f_str(&n, 3, name);
    f_str(&n, 4, op);
    if (domain)
        f_str(&n, 7, domain);
    if (ints_name) {
        pb_t a = {0};
        f_str(&a, 1, ints_name);
        for (size_t i = 0; i < n_ints; i++)
            f_varint(&a, 8, (uint64_t)ints[i]);
        f_varint(&a, 20, 7);
        f_msg(&n, 5, &a);
    }
    f_msg(g, 1, &n);
}

/* ValueInfo: float [dims], -1 a symbolic "N". */
static void value_info(pb_t *g, unsigned field, const char *name, const int64_t *dims,
                       size_t nd)
{
    pb_t vi = {0}, tp = {0}, tt = {0}, sh = {0};
    for (size_t i = 0; i < nd; i++) {
        pb_t d = {0};
        if (dims[i] < 0)
            f_str(&d, 2, "N");
        else
            f_varint(&d, 1, (uint64_t)dims[i]);
        f_msg(&sh, 1, &d);
    }
    f_varint(&tt, 1, ONNX_FLOAT);
    f_msg(&tt, 2, &sh);
    f_msg(&tp, 1, &tt);
    f_str(&vi, 1, name);
    f_msg(&vi, 2, &tp);
    f_msg(g, field, &vi);
}

/* A float initializer (raw_data). */
static void init_f(pb_t *g, const char *name, const int64_t *dims, size_t nd,
                   const float *v, size_t n)
{
    pb_t t = {0};
    for (size_t i = 0; i < nd; i++)
        f_varint(&t, 1, (uint64_t)dims[i]);
    f_varint(&t, 2, ONNX_FLOAT);
    f_str(&t, 8, name);
    f_bytes(&t, 9, v, n * sizeof *v); /* the host is little-endian here */
    f_msg(g, 5, &t);
}

/* ModelProto around graph g (consumed): the default domain at `opset`,
 * and qonnx's domain. */
static pb_t model_of(pb_t *g, int opset)
{
    pb_t m = {0}, os = {0}, oq = {0};
    f_varint(&m, 1, 8);
    f_str(&m, 2, "test");
    f_msg(&m, 7, g);
    f_varint(&os, 2, (uint64_t)opset);
    f_msg(&m, 8, &os);
    f_str(&oq, 1, "qonnx.custom_op.general");
    f_varint(&oq, 2, 2);
    f_msg(&m, 8, &oq);
    return m;
}

/* Import b (consumed); returns the rc, err has the message. */
static int import(pb_t *b, const char *input, ir_graph *g, bnnc_err *err)
{
    onnx_model m;
    bnnc_input in;
    int rc, n_in = 0;
    err->msg[0] = '\0';
    memset(&in, 0, sizeof in);
    if (input) {
        /* "name=a,b,c" */
        const char *eq = strchr(input, '=');
        char *end;
        const char *p = eq + 1;
        memcpy(in.name, input, (size_t)(eq - input));
        while (*p) {
            in.shape.d[in.shape.ndim++] = strtol(p, &end, 10);
            p = *end ? end + 1 : end;
        }
        n_in = 1;
    }
    rc = onnx_model_parse(b->p, b->n, "t.onnx", NULL, &m, err);
    assert_int_equal(rc, 0);
    rc = onnx_import_model(&m, &in, n_in, g, err);
    onnx_model_free(&m);
    free(b->p);
    memset(b, 0, sizeof *b);
    return rc;
}

static void expect_import_error(pb_t *b, const char *input, const char *part)
{
    ir_graph g;
    bnnc_err err;
    int rc = import(b, input, &g, &err);
    if (rc == 0)
        ir_graph_free(&g);
    if (rc == 0 || !strstr(err.msg, part))
        fail_msg("expected an error containing\n  %s\ngot (rc %d)\n  %s", part, rc, err.msg);
}

/* Number of live nodes of op. */
static int count_op(const ir_graph *g, ir_op op)
{
    int n = 0;
    for (size_t i = 0; i < g->n; i++)
        n += !g->nodes[i]->dead && g->nodes[i]->op == op;
    return n;
}

static const ir_node *find_op(const ir_graph *g, ir_op op)
{
    for (size_t i = 0; i < g->n; i++)
        if (!g->nodes[i]->dead && g->nodes[i]->op == op)
            return g->nodes[i];
    return NULL;
}

/* ------------------------------------------------------------- tests */

/* One-node models (x -> y, float [dims]; -1 a symbolic batch) whose import
 * must fail: --input given (or NULL) and a part of the message. */
static const struct {
    const char *name, *op, *domain, *ins, *input, *msg;
    int64_t dims[2];
} import_errors[] = {
    {"r", "Relu", NULL, "x", NULL,
     "t.onnx: graph input 'x' has a dynamic dimension 0 (N); fix it with --input x=...",
     {-1, 4}},
    {"r", "Relu", NULL, "x", "x=3,5", "--input x: dimension 1 is 5, the graph declares 4",
     {-1, 4}},
    {"r", "Relu", NULL, "x", "data=3,4", "--input data: the graph has no data input of that",
     {-1, 4}},
    {"mystery", "Foo", NULL, "x", NULL,
     "t.onnx: node 'mystery' (Foo): operator Foo is not supported by bnnc", {2, 4}},
    /* TopK's k computed from the input */
    {"tk", "TopK", NULL, "x,x", NULL, "node 'tk' (TopK): K must be a constant with one value",
     {2, 4}},
    {"c", "Relu", "com.example", "x", NULL,
     "node 'c' (com.example.Relu): operators of domain 'com.example' are not supported",
     {2, 4}},
    /* a node reading a tensor nothing defined */
    {"r", "Relu", NULL, "nowhere", NULL, "node 'r' (Relu): input 'nowhere' is not defined",
     {2, 4}},
    /* a computed right-hand side of MatMul */
    {"mm", "MatMul", NULL, "x,x", NULL,
     "node 'mm' (MatMul): MatMul is supported with a constant right-hand side", {2, 4}},
};

static void test_import_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof import_errors / sizeof *import_errors; i++) {
        pb_t gr = {0}, m;
        node(&gr, import_errors[i].name, import_errors[i].op, import_errors[i].domain,
             import_errors[i].ins, "y", NULL, NULL, 0);
        value_info(&gr, 11, "x", import_errors[i].dims, 2);
        value_info(&gr, 12, "y", import_errors[i].dims, 2);
        m = model_of(&gr, 13);
        expect_import_error(&m, import_errors[i].input, import_errors[i].msg);
    }
}

static void test_dynamic_batch(void **state)
{
    int64_t d[] = {-1, 4};
    ir_graph g;
    bnnc_err err;
    pb_t gr = {0}, m;
    (void)state;
    node(&gr, "r", "Relu", NULL, "x", "y", NULL, NULL, 0);
    value_info(&gr, 11, "x", d, 2);
    value_info(&gr, 12, "y", d, 2);
    m = model_of(&gr, 13);
    assert_int_equal(import(&m, "x=3,4", &g, &err), 0);
    {
        const ir_node *in = find_op(&g, IR_OP_INPUT), *r = find_op(&g, IR_OP_ACT);
        assert_non_null(in);
        assert_string_equal(in->name, "x");
        assert_int_equal(in->shape[0].d[0], 3);
        assert_non_null(r);
        assert_int_equal(r->a.act.act, IR_ACT_RELU);
        assert_int_equal(r->shape[0].d[0], 3);
        assert_int_equal(g.n_heads, 1);
        assert_int_equal(g.heads[0].node, r->id);
    }
    ir_graph_free(&g);
}

/* MaxPool's Indices (int64) used by a node: named as not computed. */
static void test_unused_output(void **state)
{
    int64_t d4[] = {1, 1, 4, 4}, k[] = {2, 2};
    pb_t gr = {0}, m;
    (void)state;
    node(&gr, "mp", "MaxPool", NULL, "x", "p,idx", "kernel_shape", k, 2);
    node(&gr, "r", "Relu", NULL, "idx", "y", NULL, NULL, 0);
    value_info(&gr, 11, "x", d4, 4);
    value_info(&gr, 12, "y", d4, 4);
    m = model_of(&gr, 13);
    expect_import_error(&m, NULL, "node 'r' (Relu): input 'idx' is an output of node 'mp' "
                                  "(MaxPool) that bnnc does not compute");
}

/* A NaN in an initializer is named by node and constant; the model file
 * holds the weights, so no second file is named (no dangling " in "). */
static void test_nan_weight(void **state)
{
    int64_t xd[] = {1, 1, 2, 2}, wd[] = {1, 1, 1, 1};
    float w = NAN;
    ir_graph g;
    bnnc_err err;
    pb_t gr = {0}, m;
    (void)state;
    init_f(&gr, "w", wd, 4, &w, 1);
    node(&gr, "conv", "Conv", NULL, "x,w", "y", NULL, NULL, 0);
    value_info(&gr, 11, "x", xd, 4);
    value_info(&gr, 12, "y", xd, 4);
    m = model_of(&gr, 13);
    assert_int_equal(import(&m, NULL, &g, &err), 0);
    assert_int_not_equal(pass_operands(&g, &err), 0);
    assert_string_equal(err.msg, "t.onnx: node 'conv' (Conv): constant 'w' holds NaN "
                                 "(element 0)");
    ir_graph_free(&g);
}

/* y = Add(Sub(s, p), p) with s = Sign(x), p = Cast(Less(x, 0)): y is s,
 * and Less of a computed tensor (not supported) is never imported. */
static void test_straight_through(void **state)
{
    int64_t d[] = {2, 4}, sd[] = {0};
    float zero = 0;
    ir_graph g;
    bnnc_err err;
    pb_t gr = {0}, m;
    (void)state;
    init_f(&gr, "zero", sd, 0, &zero, 1);
    node(&gr, "sign", "Sign", NULL, "x", "s", NULL, NULL, 0);
    node(&gr, "less", "Less", NULL, "x,zero", "lt", NULL, NULL, 0);
    node(&gr, "cast", "Cast", NULL, "lt", "p", NULL, NULL, 0);
    node(&gr, "sub", "Sub", NULL, "s,p", "t", NULL, NULL, 0);
    node(&gr, "add", "Add", NULL, "t,p", "y", NULL, NULL, 0);
    value_info(&gr, 11, "x", d, 2);
    value_info(&gr, 12, "y", d, 2);
    m = model_of(&gr, 13);
    assert_int_equal(import(&m, NULL, &g, &err), 0);
    assert_int_equal(count_op(&g, IR_OP_SIGN3), 1);
    assert_int_equal(count_op(&g, IR_OP_SUB), 0);
    assert_int_equal(count_op(&g, IR_OP_ADD), 0);
    assert_int_equal(g.nodes[g.heads[0].node]->op, IR_OP_SIGN3);
    ir_graph_free(&g);
}

/* ONNX Sign -> Conv with +-2 weights: two convolutions, one on sign(x) and
 * one on sign(-x), halved difference, then the scale 2; with a 0 weight
 * it stays one float convolution on sign3. */
static void test_sign3_conv(void **state)
{
    int64_t xd[] = {1, 1, 3, 3}, wd[] = {1, 1, 3, 3}, yd[] = {1, 1, 1, 1};
    float w[9] = {2, -2, 2, -2, 2, -2, 2, -2, 2};
    ir_graph g;
    bnnc_err err;
    pb_t gr = {0}, m;
    (void)state;
    for (int zero_weight = 0; zero_weight < 2; zero_weight++) {
        w[4] = zero_weight ? 0.0f : 2.0f;
        init_f(&gr, "w", wd, 4, w, 9);
        node(&gr, "sign", "Sign", NULL, "x", "s", NULL, NULL, 0);
        node(&gr, "conv", "Conv", NULL, "s,w", "y", NULL, NULL, 0);
        value_info(&gr, 11, "x", xd, 4);
        value_info(&gr, 12, "y", yd, 4);
        m = model_of(&gr, 13);
        assert_int_equal(import(&m, NULL, &g, &err), 0);
        if (zero_weight) {
            assert_int_equal(count_op(&g, IR_OP_CONV), 1);
            assert_int_equal(count_op(&g, IR_OP_SIGN), 0);
        } else {
            const ir_node *c = find_op(&g, IR_OP_CONV);
            const float *cw = g.nodes[c->in[1].node]->a.c.f;
            assert_int_equal(count_op(&g, IR_OP_CONV), 2);
            assert_int_equal(count_op(&g, IR_OP_SIGN), 2);
            /* the weights are +-1 (the scale 2 comes after) */
            for (int i = 0; i < 9; i++)
                assert_true(cw[i] == (i % 2 ? -1.0f : 1.0f));
            assert_non_null(find_op(&g, IR_OP_SUB));
            assert_non_null(find_op(&g, IR_OP_MUL));
        }
        ir_graph_free(&g);
    }
}

/* A bias whose length is not the output channels is refused before any
 * path reads it, the binary split on a Sign included. */
static void test_conv_bias_length(void **state)
{
    int64_t xd[] = {1, 1, 3, 3}, wd[] = {2, 1, 3, 3}, bd[] = {1}, yd[] = {1, 2, 1, 1};
    float w[18], bias = 0.5f;
    (void)state;
    for (int i = 0; i < 18; i++)
        w[i] = i % 2 ? -2.0f : 2.0f;
    for (int on_sign = 0; on_sign < 2; on_sign++) {
        pb_t gr = {0}, m;
        init_f(&gr, "w", wd, 4, w, 18);
        init_f(&gr, "b", bd, 1, &bias, 1);
        if (on_sign)
            node(&gr, "sign", "Sign", NULL, "x", "s", NULL, NULL, 0);
        node(&gr, "conv", "Conv", NULL, on_sign ? "s,w,b" : "x,w,b", "y", NULL, NULL, 0);
        value_info(&gr, 11, "x", xd, 4);
        value_info(&gr, 12, "y", yd, 4);
        m = model_of(&gr, 13);
        expect_import_error(&m, NULL, "node 'conv' (Conv): bias has 1 values for 2 output "
                                      "channels");
    }
}

/* BipolarQuant on an activation is the IR's sign (0 -> +1); on an
 * initializer it is evaluated, 0 -> +scale. */
static void test_bipolar_quant(void **state)
{
    int64_t xd[] = {1, 3}, wd[] = {3, 2}, sd[] = {0}, yd[] = {1, 2};
    float w[6] = {0.5f, -0.25f, 0.0f, -0.0f, -3.0f, 7.0f}, one = 1.0f;
    ir_graph g;
    bnnc_err err;
    pb_t gr = {0}, m;
    const ir_node *dn;
    const float *dw;
    (void)state;
    init_f(&gr, "w", wd, 2, w, 6);
    init_f(&gr, "s", sd, 0, &one, 1);
    node(&gr, "qa", "BipolarQuant", "qonnx.custom_op.general", "x,s", "xa", NULL, NULL, 0);
    node(&gr, "qw", "BipolarQuant", "onnx.brevitas", "w,s", "wq", NULL, NULL, 0);
    node(&gr, "mm", "MatMul", NULL, "xa,wq", "y", NULL, NULL, 0);
    value_info(&gr, 11, "x", xd, 2);
    value_info(&gr, 12, "y", yd, 2);
    m = model_of(&gr, 13);
    assert_int_equal(import(&m, NULL, &g, &err), 0);
    assert_int_equal(count_op(&g, IR_OP_SIGN), 1);
    dn = find_op(&g, IR_OP_DENSE);
    assert_non_null(dn);
    assert_int_equal(g.nodes[dn->in[0].node]->op, IR_OP_SIGN);
    /* weights (N=2, K=3), transposed from (K, N): sign with 0 and -0 -> +1 */
    dw = g.nodes[dn->in[1].node]->a.c.f;
    assert_true(dw[0] == 1 && dw[1] == 1 && dw[2] == -1);
    assert_true(dw[3] == -1 && dw[4] == 1 && dw[5] == 1);
    ir_graph_free(&g);
}

/* Quant on a constant: x / s + z, clamped, rounded half to even, back. */
static void test_quant_constant(void **state)
{
    int64_t xd[] = {1, 6}, wd[] = {6, 1}, sd[] = {0}, yd[] = {1, 1};
    /* 2-bit signed, narrow (the default) 1: [-1, 1]; scale 0.5 */
    float w[6] = {0.25f, 0.75f, -0.25f, 5.0f, -5.0f, 0.3f}, s = 0.5f, z = 0.0f, bw = 2.0f;
    float want[6] = {0.0f, 0.5f, -0.0f, 0.5f, -0.5f, 0.5f};
    ir_graph g;
    bnnc_err err;
    pb_t gr = {0}, m;
    const ir_node *dn;
    const float *dw;
    (void)state;
    init_f(&gr, "w", wd, 2, w, 6);
    init_f(&gr, "s", sd, 0, &s, 1);
    init_f(&gr, "z", sd, 0, &z, 1);
    init_f(&gr, "b", sd, 0, &bw, 1);
    node(&gr, "q", "Quant", "qonnx.custom_op.general", "w,s,z,b", "wq", NULL, NULL, 0);
    node(&gr, "mm", "MatMul", NULL, "x,wq", "y", NULL, NULL, 0);
    value_info(&gr, 11, "x", xd, 2);
    value_info(&gr, 12, "y", yd, 2);
    m = model_of(&gr, 13);
    assert_int_equal(import(&m, NULL, &g, &err), 0);
    dn = find_op(&g, IR_OP_DENSE);
    assert_non_null(dn);
    dw = g.nodes[dn->in[1].node]->a.c.f;
    /* 0.25 / 0.5 = 0.5 rounds to even 0; 0.75 / 0.5 = 1.5 is clamped to 1
     * before rounding (qonnx's order); -0.5 rounds to -0; +-10 clamp */
    for (int i = 0; i < 6; i++)
        if (dw[i] != want[i])
            fail_msg("element %d: %g, expected %g", i, (double)dw[i], (double)want[i]);
    ir_graph_free(&g);
}

/* Quant (4-bit) on a computed input: x / s exactly (x * (1 / s) for a
 * power of two, else a true division by a tensor of s), clamp, round half
 * to even by adding and subtracting 1.5 * 2^23, times s. */
static void test_quant_activation(void **state)
{
    int64_t d[] = {2, 4}, sd[] = {0};
    float scales[2] = {0.25f, 0.1f}, z = 0.0f, bw = 4.0f;
    ir_graph g;
    bnnc_err err;
    (void)state;
    for (int k = 0; k < 2; k++) {
        pb_t gr = {0}, m;
        const ir_node *div, *clip;
        init_f(&gr, "s", sd, 0, &scales[k], 1);
        init_f(&gr, "z", sd, 0, &z, 1);
        init_f(&gr, "b", sd, 0, &bw, 1);
        node(&gr, "q", "Quant", "qonnx.custom_op.general", "x,s,z,b", "y", NULL, NULL, 0);
        value_info(&gr, 11, "x", d, 2);
        value_info(&gr, 12, "y", d, 2);
        m = model_of(&gr, 13);
        assert_int_equal(import(&m, NULL, &g, &err), 0);
        div = find_op(&g, k ? IR_OP_DIV : IR_OP_SCALAR);
        assert_non_null(div);
        if (k) {
            const ir_node *c = g.nodes[div->in[1].node];
            assert_int_equal(c->op, IR_OP_CONST);
            assert_int_equal(c->a.c.shape.d[1], 4);
            assert_true(c->a.c.f[7] == 0.1f);
        } else {
            assert_int_equal(div->a.scalar.kind, IR_SC_DIV);
            assert_true(div->a.scalar.value == 0.25);
        }
        /* signed 4-bit, narrow: [-7, 7] */
        clip = find_op(&g, IR_OP_CLIP);
        assert_non_null(clip);
        assert_true(clip->a.clip.a_min == -7 && clip->a.clip.a_max == 7);
        ir_graph_free(&g);
    }
}

/* A shape sub-graph: Reshape(x, Concat(Gather(Shape(x), 0), [-1])) is a
 * reshape to (batch, rest) with the batch of --input. */
static void test_shape_subgraph(void **state)
{
    int64_t xd[] = {-1, 2, 3}, yd[] = {-1, 6}, ax0[] = {0};
    ir_graph g;
    bnnc_err err;
    pb_t gr = {0}, m, t = {0};
    const ir_node *r;
    (void)state;
    /* int64 initializers: index 0 (scalar) and [-1] */
    f_varint(&t, 2, ONNX_INT64);
    f_str(&t, 8, "i0");
    f_bytes(&t, 9, "\0\0\0\0\0\0\0\0", 8);
    f_msg(&gr, 5, &t);
    f_varint(&t, 1, 1);
    f_varint(&t, 2, ONNX_INT64);
    f_str(&t, 8, "m1");
    f_bytes(&t, 9, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
    f_msg(&gr, 5, &t);
    node(&gr, "shape", "Shape", NULL, "x", "sh", NULL, NULL, 0);
    node(&gr, "gather", "Gather", NULL, "sh,i0", "b", NULL, NULL, 0);
    node(&gr, "unsq", "Unsqueeze", NULL, "b", "b1", "axes", ax0, 1);
    node(&gr, "cat", "Concat", NULL, "b1,m1", "shape2", NULL, NULL, 0);
    node(&gr, "reshape", "Reshape", NULL, "x,shape2", "y", NULL, NULL, 0);
    value_info(&gr, 11, "x", xd, 3);
    value_info(&gr, 12, "y", yd, 2);
    m = model_of(&gr, 11);
    assert_int_equal(import(&m, "x=5,2,3", &g, &err), 0);
    r = find_op(&g, IR_OP_RESHAPE);
    assert_non_null(r);
    assert_int_equal(r->shape[0].ndim, 2);
    assert_int_equal(r->shape[0].d[0], 5);
    assert_int_equal(r->shape[0].d[1], 6);
    ir_graph_free(&g);
}

/* Operators on constants are evaluated: Add(x, Sigmoid(0) * Tanh(big)) is
 * x + 0.5 (a scalar add). */
static void test_constant_folding(void **state)
{
    int64_t d[] = {2, 4}, sd[] = {0};
    float zero = 0.0f, big = 30.0f;
    ir_graph g;
    bnnc_err err;
    pb_t gr = {0}, m;
    const ir_node *a;
    (void)state;
    init_f(&gr, "zero", sd, 0, &zero, 1);
    init_f(&gr, "big", sd, 0, &big, 1);
    node(&gr, "sg", "Sigmoid", NULL, "zero", "h", NULL, NULL, 0);
    node(&gr, "th", "Tanh", NULL, "big", "one", NULL, NULL, 0);
    node(&gr, "mul", "Mul", NULL, "h,one", "c", NULL, NULL, 0);
    node(&gr, "add", "Add", NULL, "x,c", "y", NULL, NULL, 0);
    value_info(&gr, 11, "x", d, 2);
    value_info(&gr, 12, "y", d, 2);
    m = model_of(&gr, 13);
    assert_int_equal(import(&m, NULL, &g, &err), 0);
    a = find_op(&g, IR_OP_SCALAR);
    assert_non_null(a);
    assert_int_equal(a->a.scalar.kind, IR_SC_ADD);
    assert_true(a->a.scalar.value == 0.5);
    assert_int_equal(count_op(&g, IR_OP_ACT), 0);
    ir_graph_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_errors),
        cmocka_unit_test(test_dynamic_batch),
        cmocka_unit_test(test_unused_output),
        cmocka_unit_test(test_nan_weight),
        cmocka_unit_test(test_straight_through),
        cmocka_unit_test(test_sign3_conv),
        cmocka_unit_test(test_conv_bias_length),
        cmocka_unit_test(test_bipolar_quant),
        cmocka_unit_test(test_quant_constant),
        cmocka_unit_test(test_quant_activation),
        cmocka_unit_test(test_shape_subgraph),
        cmocka_unit_test(test_constant_folding),
    };
    bnnc_quiet = 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
