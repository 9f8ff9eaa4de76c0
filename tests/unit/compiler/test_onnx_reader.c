/*
 * test_onnx_reader.c - the ONNX model reader (frontend/onnx/).
 *
 * Models are built here byte by byte (a small protobuf writer) to cover
 * every wire form the reader must accept: packed and unpacked repeated
 * fields, negative varints, unknown fields, every tensor storage. Hostile
 * inputs must give the exact error, with byte offset and field. Every
 * fixture of tests/golden/onnx, written by the real exporters, must decode
 * to what the onnx package itself read from it (meta.json "reader").
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "frontend/onnx/onnx.h"
#include "frontend/mxnet/params.h"
#include "util/sha256.h"
#include "pb_build.h"

/* Node {op_type, inputs..., outputs...} with optional attributes. */
static void node(pb_t *g, const char *op, const char *in, const char *out,
                 pb_t *attrs, size_t nattrs)
{
    pb_t n = {0};
    if (in)
        f_str(&n, 1, in);
    if (out)
        f_str(&n, 2, out);
    f_str(&n, 3, op);
    f_str(&n, 4, op);
    for (size_t i = 0; i < nattrs; i++)
        f_msg(&n, 5, &attrs[i]);
    f_msg(g, 1, &n);
}

/* ValueInfo name: float [dims], "N" for a negative entry (symbolic). */
static void value_info(pb_t *g, unsigned field, const char *name,
                       const int64_t *dims, size_t nd)
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

/* ModelProto around graph g (consumed), default opset 13. */
static pb_t model_of(pb_t *g)
{
    pb_t m = {0}, os = {0};
    f_varint(&m, 1, 8);
    f_str(&m, 2, "test");
    f_msg(&m, 7, g);
    f_varint(&os, 2, 13);
    f_msg(&m, 8, &os);
    return m;
}

/* A graph "x -> Relu -> y" with initializer t (consumed if non-NULL). */
static pb_t model_with_init(pb_t *t)
{
    pb_t g = {0};
    int64_t d[] = {-1, 4};
    node(&g, "Relu", "x", "y", NULL, 0);
    f_str(&g, 2, "g");
    if (t)
        f_msg(&g, 5, t);
    value_info(&g, 11, "x", d, 2);
    value_info(&g, 12, "y", d, 2);
    return model_of(&g);
}

static int parse(const pb_t *b, onnx_model *m, bnnc_err *e)
{
    e->msg[0] = '\0';
    return onnx_model_parse(b->p, b->n, "t.onnx", NULL, m, e);
}

/* The model must fail with exactly msg. */
static void expect_error(pb_t *b, const char *msg)
{
    onnx_model m;
    bnnc_err e;
    int rc = parse(b, &m, &e);
    if (rc == 0)
        onnx_model_free(&m);
    if (rc == 0 || strcmp(e.msg, msg))
        fail_msg("expected error\n  %s\ngot (rc %d)\n  %s", msg, rc, e.msg);
    assert_null(m.priv);
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* The model must fail with a message containing part. */
static void expect_error_part(pb_t *b, const char *part)
{
    onnx_model m;
    bnnc_err e;
    int rc = parse(b, &m, &e);
    if (rc == 0)
        onnx_model_free(&m);
    if (rc == 0 || !strstr(e.msg, part))
        fail_msg("expected an error containing\n  %s\ngot (rc %d)\n  %s", part,
                 rc, e.msg);
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ------------------------------------------------------ valid models */

static void test_minimal_model(void **state)
{
    pb_t g = {0}, m, a = {0};
    onnx_model om;
    bnnc_err e;
    int64_t d[] = {-1, 3, 8, 8};
    const onnx_node *n;
    (void)state;
    f_str(&a, 1, "kernel_shape");
    f_varint(&a, 20, ONNX_ATTR_INTS);
    key(&a, 8, 2);          /* packed ints */
    varint(&a, 2);
    varint(&a, 3);
    varint(&a, 3);
    node(&g, "MaxPool", "x", "y", &a, 1);
    f_str(&g, 2, "main");
    value_info(&g, 11, "x", d, 4);
    value_info(&g, 12, "y", d, 0);
    m = model_of(&g);
    assert_int_equal(parse(&m, &om, &e), 0);
    assert_int_equal(om.ir_version, 8);
    assert_string_equal(om.producer_name, "test");
    assert_int_equal(om.n_opsets, 1);
    assert_string_equal(om.opsets[0].domain, "");
    assert_int_equal(onnx_opset_version(&om, "ai.onnx"), 13);
    assert_int_equal(onnx_opset_version(&om, "qonnx.custom_op.general"), 0);
    assert_int_equal(onnx_model_check_opsets(&om, &e), 0);
    assert_string_equal(om.graph.name, "main");
    assert_int_equal(om.graph.n_nodes, 1);
    n = &om.graph.nodes[0];
    assert_string_equal(n->op_type, "MaxPool");
    assert_string_equal(n->domain, "");
    assert_int_equal(n->n_inputs, 1);
    assert_string_equal(n->inputs[0], "x");
    assert_int_equal(n->n_attrs, 1);
    assert_ptr_equal(onnx_node_attr(n, "kernel_shape"), &n->attrs[0]);
    assert_null(onnx_node_attr(n, "strides"));
    assert_int_equal(n->attrs[0].type, ONNX_ATTR_INTS);
    assert_int_equal(n->attrs[0].n, 2);
    assert_int_equal(n->attrs[0].ints[1], 3);
    assert_int_equal(om.graph.n_inputs, 1);
    assert_int_equal(om.graph.inputs[0].type.kind, ONNX_TYPE_TENSOR);
    assert_int_equal(om.graph.inputs[0].type.elem_type, ONNX_FLOAT);
    assert_int_equal(om.graph.inputs[0].type.ndim, 4);
    assert_string_equal(om.graph.inputs[0].type.dims[0].param, "N");
    assert_false(om.graph.inputs[0].type.dims[0].has_value);
    assert_true(om.graph.inputs[0].type.dims[3].has_value);
    assert_int_equal(om.graph.inputs[0].type.dims[3].value, 8);
    assert_true(om.graph.outputs[0].type.has_shape);
    assert_int_equal(om.graph.outputs[0].type.ndim, 0);
    onnx_model_free(&om);
    free(m.p);
}

/* Tensor {dims, data_type, name} helper: returns the message open for
 * the caller to add its data. */
static pb_t tensor_head(const char *name, int dtype, const int64_t *dims,
                        size_t nd, int packed_dims)
{
    pb_t t = {0};
    if (packed_dims) {
        pb_t p = {0};
        for (size_t i = 0; i < nd; i++)
            varint(&p, (uint64_t)dims[i]);
        f_msg(&t, 1, &p);
    } else {
        for (size_t i = 0; i < nd; i++)
            f_varint(&t, 1, (uint64_t)dims[i]);
    }
    f_varint(&t, 2, (uint64_t)dtype);
    f_str(&t, 8, name);
    return t;
}

/* Decode model m, find initializer name, call check. */
static const onnx_tensor *init_of(onnx_model *om, const char *name)
{
    const onnx_tensor *t = onnx_graph_initializer(&om->graph, name);
    assert_non_null(t);
    return t;
}

static void test_tensor_storage(void **state)
{
    int64_t d23[] = {2, 3}, d4[] = {4}, d3[] = {3}, d2[] = {2};
    pb_t t, m, p = {0};
    onnx_model om;
    bnnc_err e;
    const onnx_tensor *x;
    double v;
    int64_t iv;
    (void)state;

    /* float_data unpacked (not zero-copy), 2x3, packed dims */
    t = tensor_head("w", ONNX_FLOAT, d23, 2, 1);
    for (int i = 0; i < 6; i++)
        f_float(&t, 4, (float)i - 2.5f);
    m = model_with_init(&t);
    assert_int_equal(parse(&m, &om, &e), 0);
    x = init_of(&om, "w");
    assert_int_equal(x->ndim, 2);
    assert_int_equal(x->count, 6);
    assert_int_equal(x->nbytes, 24);
    assert_int_equal(x->source, ONNX_DATA_TYPED);
    assert_false(x->zero_copy);
    assert_int_equal(onnx_tensor_get_f64(x, 5, &v), 0);
    assert_true(v == 2.5);
    assert_int_equal(onnx_tensor_get_i64(x, 0, &iv), -1);
    assert_int_equal(onnx_tensor_get_f64(x, 6, &v), -1);
    onnx_model_free(&om);
    free(m.p);

    /* float_data packed: zero copy, pointing into the buffer */
    t = tensor_head("w", ONNX_FLOAT, d4, 1, 0);
    for (int i = 0; i < 4; i++) {
        float f = (float)i * 0.25f;
        uint32_t u;
        memcpy(&u, &f, 4);
        le32(&p, u);
    }
    f_msg(&t, 4, &p);
    m = model_with_init(&t);
    assert_int_equal(parse(&m, &om, &e), 0);
    x = init_of(&om, "w");
    assert_true(x->zero_copy);
    assert_true(x->data > m.p && x->data + 16 <= m.p + m.n);
    assert_int_equal(onnx_tensor_get_f64(x, 3, &v), 0);
    assert_true(v == 0.75);
    onnx_model_free(&om);
    free(m.p);

    /* raw_data: zero copy */
    {
        uint8_t raw[12];
        t = tensor_head("r", ONNX_INT32, d3, 1, 0);
        for (int i = 0; i < 3; i++) {
            int32_t k = -7 * i;
            memcpy(raw + 4 * i, &k, 4);   /* host little-endian in tests */
        }
        f_bytes(&t, 9, raw, sizeof raw);
        m = model_with_init(&t);
        assert_int_equal(parse(&m, &om, &e), 0);
        x = init_of(&om, "r");
        assert_int_equal(x->source, ONNX_DATA_RAW);
        assert_true(x->zero_copy);
        assert_int_equal(memcmp(x->data, raw, 12), 0);
        assert_int_equal(onnx_tensor_get_i64(x, 2, &iv), 0);
        assert_int_equal(iv, -14);
        onnx_model_free(&om);
        free(m.p);
    }

    /* int32_data for int8 with negative values (10-byte varints), both
     * forms mixed: one unpacked, then a packed record */
    t = tensor_head("i8", ONNX_INT8, d3, 1, 0);
    f_varint(&t, 5, (uint64_t)(int64_t)-128);
    {
        pb_t q = {0};
        varint(&q, 127);
        varint(&q, (uint64_t)(int64_t)-1);
        f_msg(&t, 5, &q);
    }
    m = model_with_init(&t);
    assert_int_equal(parse(&m, &om, &e), 0);
    x = init_of(&om, "i8");
    assert_int_equal(x->nbytes, 3);
    assert_int_equal(x->data[0], 0x80);
    assert_int_equal(x->data[1], 0x7f);
    assert_int_equal(x->data[2], 0xff);
    assert_int_equal(onnx_tensor_get_i64(x, 0, &iv), 0);
    assert_int_equal(iv, -128);
    onnx_model_free(&om);
    free(m.p);

    /* float16 bits, bool, uint32 via uint64_data, int64_data, double */
    t = tensor_head("h", ONNX_FLOAT16, d2, 1, 0);
    f_varint(&t, 5, 0x3e00);  /* 1.5 */
    f_varint(&t, 5, 0xc000);  /* -2 */
    {
        pb_t g = {0}, t2, t3, t4, t5, mm;
        int64_t dd[] = {-1};
        node(&g, "Relu", "x", "y", NULL, 0);
        f_msg(&g, 5, &t);
        t2 = tensor_head("b", ONNX_BOOL, d3, 1, 0);
        f_varint(&t2, 5, 1);
        f_varint(&t2, 5, 0);
        f_varint(&t2, 5, 1);
        f_msg(&g, 5, &t2);
        t3 = tensor_head("u32", ONNX_UINT32, d2, 1, 0);
        f_varint(&t3, 11, 4000000000u);
        f_varint(&t3, 11, 7);
        f_msg(&g, 5, &t3);
        t4 = tensor_head("i64", ONNX_INT64, d2, 1, 0);
        f_varint(&t4, 7, (uint64_t)INT64_MIN);
        f_varint(&t4, 7, 42);
        f_msg(&g, 5, &t4);
        t5 = tensor_head("f64", ONNX_DOUBLE, d2, 1, 0);
        key(&t5, 10, 1);
        {
            double dv = -0.125;
            uint64_t u;
            memcpy(&u, &dv, 8);
            le64(&t5, u);
        }
        key(&t5, 10, 1);
        le64(&t5, 0);
        f_msg(&g, 5, &t5);
        value_info(&g, 11, "x", dd, 1);
        mm = model_of(&g);
        assert_int_equal(parse(&mm, &om, &e), 0);
        x = init_of(&om, "h");
        assert_int_equal(onnx_tensor_get_f64(x, 0, &v), 0);
        assert_true(v == 1.5);
        assert_int_equal(onnx_tensor_get_f64(x, 1, &v), 0);
        assert_true(v == -2.0);
        x = init_of(&om, "b");
        assert_int_equal(x->nbytes, 3);
        assert_int_equal(x->data[0] + x->data[1] + x->data[2], 2);
        x = init_of(&om, "u32");
        assert_int_equal(onnx_tensor_get_i64(x, 0, &iv), 0);
        assert_int_equal(iv, 4000000000);
        x = init_of(&om, "i64");
        assert_int_equal(onnx_tensor_get_i64(x, 0, &iv), 0);
        assert_true(iv == INT64_MIN);
        x = init_of(&om, "f64");
        assert_int_equal(onnx_tensor_get_f64(x, 0, &v), 0);
        assert_true(v == -0.125);
        assert_null(onnx_graph_initializer(&om.graph, "nope"));
        onnx_model_free(&om);
        free(mm.p);
    }

    /* string tensor and an empty tensor (dims [0]) */
    {
        int64_t d0[] = {0};
        pb_t g = {0}, t2, mm;
        t = tensor_head("s", ONNX_STRING, d2, 1, 0);
        f_str(&t, 6, "ab");
        f_bytes(&t, 6, "c\0d", 3);
        node(&g, "Relu", "x", "y", NULL, 0);
        f_msg(&g, 5, &t);
        t2 = tensor_head("e", ONNX_FLOAT, d0, 1, 0);
        f_msg(&g, 5, &t2);
        mm = model_of(&g);
        assert_int_equal(parse(&mm, &om, &e), 0);
        x = init_of(&om, "s");
        assert_int_equal(x->strings[1].len, 3);
        assert_int_equal(memcmp(x->strings[1].s, "c\0d", 4), 0);
        x = init_of(&om, "e");
        assert_int_equal(x->count, 0);
        assert_int_equal(x->source, ONNX_DATA_NONE);
        assert_null(x->data);
        onnx_model_free(&om);
        free(mm.p);
    }
}

/* Unknown fields of every wire type are skipped; a repeated singular
 * scalar keeps its last value; "ai.onnx" is the default domain. */
static void test_unknown_fields_and_last_wins(void **state)
{
    pb_t g = {0}, m = {0}, n = {0}, os = {0};
    onnx_model om;
    bnnc_err e;
    (void)state;
    f_str(&n, 4, "Relu");
    f_varint(&n, 99, 5);
    key(&n, 98, 1);
    le64(&n, 1);
    key(&n, 97, 5);
    le32(&n, 1);
    f_str(&n, 96, "junk");
    f_str(&n, 7, "ai.onnx");
    f_msg(&g, 1, &n);
    f_str(&g, 2, "first");
    f_str(&g, 2, "second");
    f_varint(&g, 1000, 1);
    f_varint(&m, 1, 3);
    f_varint(&m, 1, 7);
    f_msg(&m, 7, &g);
    f_str(&os, 1, "ai.onnx");
    f_varint(&os, 2, 11);
    f_msg(&m, 8, &os);
    f_varint(&m, 536870911, 1);   /* the largest field number */
    assert_int_equal(parse(&m, &om, &e), 0);
    assert_int_equal(om.ir_version, 7);
    assert_string_equal(om.graph.name, "second");
    assert_string_equal(om.graph.nodes[0].domain, "");
    assert_int_equal(onnx_opset_version(&om, ""), 11);
    onnx_model_free(&om);
    free(m.p);
}

/* Attributes of every type, including a subgraph, and a Constant with a
 * tensor value. */
static void test_attribute_types(void **state)
{
    pb_t g = {0}, sub = {0}, a[8] = {{0}}, m, t;
    onnx_model om;
    bnnc_err e;
    const onnx_node *n;
    const onnx_attr *x;
    int64_t d1[] = {1};
    double v;
    (void)state;
    f_str(&a[0], 1, "alpha");
    f_float(&a[0], 2, 0.25f);            /* no type: inferred FLOAT */
    f_str(&a[1], 1, "axis");
    f_varint(&a[1], 20, ONNX_ATTR_INT);
    f_varint(&a[1], 3, (uint64_t)(int64_t)-1);
    f_str(&a[2], 1, "mode");
    f_varint(&a[2], 20, ONNX_ATTR_STRING);
    f_str(&a[2], 4, "SAME_UPPER");
    f_str(&a[3], 1, "scales");
    f_varint(&a[3], 20, ONNX_ATTR_FLOATS);
    f_float(&a[3], 7, 1.0f);             /* unpacked floats */
    f_float(&a[3], 7, -2.0f);
    f_str(&a[4], 1, "names");
    f_varint(&a[4], 20, ONNX_ATTR_STRINGS);
    f_str(&a[4], 9, "p");
    f_str(&a[4], 9, "");
    t = tensor_head("", ONNX_FLOAT, d1, 1, 0);
    f_float(&t, 4, 3.0f);
    f_str(&a[5], 1, "value");
    f_varint(&a[5], 20, ONNX_ATTR_TENSOR);
    f_msg(&a[5], 5, &t);
    node(&sub, "Identity", "x", "z", NULL, 0);
    f_str(&sub, 2, "body");
    f_str(&a[6], 1, "then_branch");
    f_varint(&a[6], 20, ONNX_ATTR_GRAPH);
    f_msg(&a[6], 6, &sub);
    f_str(&a[7], 1, "ints");
    f_varint(&a[7], 20, ONNX_ATTR_INTS);  /* empty list */
    node(&g, "Custom", "x", "y", a, 8);
    m = model_of(&g);
    assert_int_equal(parse(&m, &om, &e), 0);
    n = &om.graph.nodes[0];
    assert_int_equal(n->n_attrs, 8);
    x = onnx_node_attr(n, "alpha");
    assert_int_equal(x->type, ONNX_ATTR_FLOAT);
    assert_true(x->f == 0.25f);
    x = onnx_node_attr(n, "axis");
    assert_int_equal(x->i, -1);
    x = onnx_node_attr(n, "mode");
    assert_string_equal(x->s.s, "SAME_UPPER");
    assert_int_equal(x->s.len, 10);
    x = onnx_node_attr(n, "scales");
    assert_int_equal(x->n, 2);
    assert_true(x->floats[1] == -2.0f);
    x = onnx_node_attr(n, "names");
    assert_int_equal(x->n, 2);
    assert_int_equal(x->strings[1].len, 0);
    x = onnx_node_attr(n, "value");
    assert_int_equal(x->t->dtype, ONNX_FLOAT);
    assert_int_equal(onnx_tensor_get_f64(x->t, 0, &v), 0);
    assert_true(v == 3.0);
    x = onnx_node_attr(n, "then_branch");
    assert_string_equal(x->g->name, "body");
    assert_string_equal(x->g->nodes[0].op_type, "Identity");
    x = onnx_node_attr(n, "ints");
    assert_int_equal(x->type, ONNX_ATTR_INTS);
    assert_int_equal(x->n, 0);
    onnx_model_free(&om);
    free(m.p);
}

/* The listing: exact text for a small model; control characters in
 * names never reach the output. */
static void test_dump(void **state)
{
    pb_t g = {0}, m, t, a = {0};
    onnx_model om;
    bnnc_err e;
    int64_t d2[] = {2}, dx[] = {-1, 2};
    char *text = NULL;
    size_t len = 0;
    FILE *f;
    (void)state;
    t = tensor_head("w\x1b[31m", ONNX_FLOAT, d2, 1, 0);
    f_float(&t, 4, 0.5f);
    f_float(&t, 4, -1.0f);
    f_str(&a, 1, "axis");
    f_varint(&a, 20, ONNX_ATTR_INT);
    f_varint(&a, 3, 1);
    node(&g, "Softmax", "x", "y", &a, 1);
    f_str(&g, 2, "g");
    f_msg(&g, 5, &t);
    value_info(&g, 11, "x", dx, 2);
    m = model_of(&g);
    assert_int_equal(parse(&m, &om, &e), 0);
    f = open_memstream(&text, &len);
    assert_non_null(f);
    onnx_dump(f, &om);
    fclose(f);
    assert_string_equal(text,
        "model t.onnx: ir_version 8, producer 'test' ''\n"
        "opset ai.onnx 13\n"
        "graph 'g': 1 nodes, 1 initializers, 1 inputs, 0 outputs\n"
        "  input x: float32 [N,2]\n"
        "  initializer w?[31m: float32 [2] typed field 8 bytes = [0.5, -1]\n"
        "  node 0 'Softmax' Softmax (x) -> (y)\n"
        "      axis = INT 1\n");
    free(text);
    onnx_model_free(&om);
    free(m.p);
}

/* ------------------------------------------------------ hostile input */

static void test_wire_errors(void **state)
{
    pb_t b = {0};
    (void)state;

    /* a varint of 11 bytes in TensorProto.dims */
    {
        pb_t g = {0}, t = {0}, m;
        static const uint8_t long_v[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
        put(&t, long_v, sizeof long_v);
        f_msg(&g, 5, &t);
        m = model_of(&g);
        /* model: 08 08 (ir) 12 04 test 3a <len> [2a <len> [08 ff..]] */
        expect_error(&m, "t.onnx: byte 13: TensorProto.dims: varint longer "
                         "than 10 bytes");
    }
    /* the 10th byte carries bits beyond 64 */
    {
        static const uint8_t v[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                    0xff, 0xff, 0xff, 0x02};
        put(&b, v, sizeof v);
        expect_error(&b, "t.onnx: byte 1: ModelProto.ir_version: varint "
                         "overflows 64 bits");
    }
    /* truncated varint key */
    put(&b, "\x08\x80", 2);
    expect_error(&b, "t.onnx: byte 1: ModelProto.ir_version: varint "
                     "truncated at byte 2 (the field ends there)");
    /* length past the end */
    put(&b, "\x3a\x10\x0a", 3);
    expect_error(&b, "t.onnx: byte 0: ModelProto.graph: length 16 runs past "
                     "the end of the ModelProto (1 bytes left)");
    /* a huge length cannot wrap */
    {
        static const uint8_t v[] = {0x3a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                    0xff, 0xff, 0xff, 0x01, 0x00};
        put(&b, v, sizeof v);
        expect_error_part(&b, "length 18446744073709551615 runs past the end");
    }
    /* wrong wire type for a known field */
    put(&b, "\x38\x01", 2);     /* graph (7) as a varint */
    expect_error(&b, "t.onnx: byte 0: ModelProto.graph: wire type 0 (varint) "
                     "where graph is declared length-delimited");
    /* groups and invalid wire types */
    put(&b, "\x0b", 1);
    expect_error(&b, "t.onnx: byte 0: ModelProto.ir_version: wire type 3 "
                     "(group) is not used by ONNX");
    put(&b, "\x0e", 1);
    expect_error(&b, "t.onnx: byte 0: ModelProto.ir_version: invalid wire "
                     "type 6");
    put(&b, "\x00\x01", 2);
    expect_error(&b, "t.onnx: byte 0: ModelProto: invalid field number 0 in "
                     "key 0x0");
    /* truncated fixed-width values */
    put(&b, "\x09\x01\x02", 3);
    expect_error(&b, "t.onnx: byte 0: ModelProto.ir_version: 8-byte value "
                     "truncated (2 bytes left)");
    /* a packed float payload that is not whole values */
    {
        pb_t t = tensor_head("w", ONNX_FLOAT, NULL, 0, 0), m;
        f_bytes(&t, 4, "\x00\x00\x80", 3);
        m = model_with_init(&t);
        expect_error(&m, "t.onnx: byte 42: TensorProto.float_data: packed "
                         "payload of 3 bytes is not a whole number of 4-byte "
                         "values");
    }
    /* empty file, no graph */
    expect_error(&b, "t.onnx: byte 0: ModelProto.graph: the model has no "
                     "graph (is this an ONNX model?)");
    /* a message field twice */
    {
        pb_t g1 = {0}, g2 = {0}, m = {0};
        f_msg(&m, 7, &g1);
        f_msg(&m, 7, &g2);
        expect_error(&m, "t.onnx: byte 2: ModelProto.graph: appears twice "
                         "(message fields are not merged)");
    }
}

static void test_tensor_errors(void **state)
{
    int64_t d2[] = {2}, big[] = {(int64_t)1 << 40, (int64_t)1 << 40};
    pb_t t, m;
    (void)state;

    t = tensor_head("w", ONNX_FLOAT, d2, 1, 0);
    f_bytes(&t, 9, "\0\0\0\0\0\0\0", 7);
    m = model_with_init(&t);
    expect_error_part(&m, "initializer 'w': TensorProto.raw_data: 7 bytes "
                          "for 2 elements of float32, which take 8");

    t = tensor_head("w", ONNX_FLOAT, d2, 1, 0);
    f_float(&t, 4, 1.0f);
    m = model_with_init(&t);
    expect_error_part(&m, "TensorProto.float_data: 1 values for 2 elements "
                          "of float32 (2 expected)");

    t = tensor_head("w", ONNX_FLOAT, d2, 1, 0);
    m = model_with_init(&t);
    expect_error_part(&m, "initializer 'w': TensorProto: no values for the "
                          "2 elements of a float32 tensor");

    t = tensor_head("w", ONNX_FLOAT, d2, 1, 0);
    f_float(&t, 4, 1.0f);
    f_float(&t, 4, 1.0f);
    f_bytes(&t, 9, "\0\0\0\0\0\0\0\0", 8);
    m = model_with_init(&t);
    expect_error_part(&m, "values given twice: in float_data and in raw_data");

    t = tensor_head("w", ONNX_INT64, d2, 1, 0);
    f_float(&t, 4, 1.0f);
    f_float(&t, 4, 1.0f);
    m = model_with_init(&t);
    expect_error_part(&m, "a int64 tensor cannot store its values in "
                          "float_data");

    t = tensor_head("w", ONNX_INT8, d2, 1, 0);
    f_varint(&t, 5, 200);
    f_varint(&t, 5, 1);
    m = model_with_init(&t);
    expect_error_part(&m, "TensorProto.int32_data: value 200 out of range "
                          "for int8");

    t = tensor_head("w", ONNX_FLOAT, big, 2, 0);
    m = model_with_init(&t);
    expect_error_part(&m, "initializer 'w': TensorProto.dims: element count "
                          "overflows 64 bits");
    t = tensor_head("w", 99, d2, 1, 0);
    m = model_with_init(&t);
    expect_error_part(&m, "initializer 'w': TensorProto.data_type: unknown "
                          "data_type 99");

    t = tensor_head("w", ONNX_FLOAT, NULL, 0, 0);
    f_varint(&t, 1, (uint64_t)(int64_t)-3);
    m = model_with_init(&t);
    expect_error_part(&m, "TensorProto.dims: dimension 0 is negative (-3)");

    t = (pb_t){0};
    for (int i = 0; i < 65; i++)
        f_varint(&t, 1, 1);
    f_varint(&t, 2, ONNX_FLOAT);
    m = model_with_init(&t);
    expect_error_part(&m, "TensorProto.dims: 65 dimensions (bnnc reads at "
                          "most 64)");

    t = tensor_head("w", ONNX_FLOAT, d2, 1, 0);
    f_varint(&t, 14, 2);
    m = model_with_init(&t);
    expect_error_part(&m, "TensorProto.data_location: unknown data_location "
                          "2");

    t = tensor_head("", ONNX_FLOAT, NULL, 0, 0);
    f_float(&t, 4, 1.0f);
    m = model_with_init(&t);
    expect_error_part(&m, "initializer 0 has no name");

    t = tensor_head("w\0x", ONNX_FLOAT, NULL, 0, 0);
    {
        pb_t t2 = {0};
        f_varint(&t2, 2, ONNX_FLOAT);
        f_bytes(&t2, 8, "w\0x", 3);
        f_float(&t2, 4, 1.0f);
        free(t.p);
        m = model_with_init(&t2);
    }
    expect_error_part(&m, "TensorProto.name: contains a NUL byte");

    t = tensor_head("w", ONNX_FLOAT, NULL, 0, 0);
    {
        pb_t seg = {0};
        f_varint(&seg, 1, 0);
        f_msg(&t, 3, &seg);
    }
    m = model_with_init(&t);
    expect_error_part(&m, "TensorProto.segment: segmented tensors are not "
                          "supported");

    /* external data refused when reading from memory */
    t = tensor_head("w", ONNX_FLOAT, d2, 1, 0);
    {
        pb_t kv = {0};
        f_str(&kv, 1, "location");
        f_str(&kv, 2, "w.bin");
        f_msg(&t, 13, &kv);
        f_varint(&t, 14, 1);
    }
    m = model_with_init(&t);
    expect_error_part(&m, "external data ('w.bin') needs the model file's "
                          "directory, and this model was read from memory");
}

static void test_graph_errors(void **state)
{
    pb_t g, m, a[2];
    (void)state;

    /* sparse initializer */
    g = (pb_t){0};
    {
        pb_t sp = {0};
        f_varint(&sp, 3, 4);
        f_msg(&g, 15, &sp);
    }
    m = model_of(&g);
    expect_error(&m, "t.onnx: byte 10: GraphProto.sparse_initializer: sparse "
                     "initializers are not supported (store the tensor "
                     "dense, e.g. as a Constant or an initializer)");

    /* duplicate initializer */
    g = (pb_t){0};
    for (int i = 0; i < 2; i++) {
        pb_t t = tensor_head("w", ONNX_FLOAT, NULL, 0, 0);
        f_float(&t, 4, 1.0f);
        f_msg(&g, 5, &t);
    }
    m = model_of(&g);
    expect_error_part(&m, "TensorProto.name: initializer 'w' defined twice");

    /* node without op_type */
    g = (pb_t){0};
    {
        pb_t n = {0};
        f_str(&n, 1, "x");
        f_str(&n, 3, "n0");
        f_msg(&g, 1, &n);
    }
    m = model_of(&g);
    expect_error_part(&m, "node 0 'n0' (): NodeProto.op_type: node has no "
                          "op_type");

    /* duplicate attribute */
    g = (pb_t){0};
    for (int i = 0; i < 2; i++) {
        a[i] = (pb_t){0};
        f_str(&a[i], 1, "axis");
        f_varint(&a[i], 3, (uint64_t)i);
    }
    node(&g, "Softmax", "x", "y", a, 2);
    m = model_of(&g);
    expect_error_part(&m, "node 0 'Softmax' (Softmax): NodeProto.attribute: "
                          "attribute 'axis' given twice");

    /* attribute type disagreeing with its value */
    g = (pb_t){0};
    a[0] = (pb_t){0};
    f_str(&a[0], 1, "axis");
    f_varint(&a[0], 20, ONNX_ATTR_INT);
    f_float(&a[0], 7, 1.0f);
    node(&g, "Softmax", "x", "y", a, 1);
    m = model_of(&g);
    expect_error_part(&m, "attribute 'axis': AttributeProto.floats: attribute "
                          "of type INT also carries floats");

    g = (pb_t){0};
    a[0] = (pb_t){0};
    f_str(&a[0], 1, "axis");
    node(&g, "Softmax", "x", "y", a, 1);
    m = model_of(&g);
    expect_error_part(&m, "attribute 'axis': AttributeProto.type: attribute "
                          "has neither a type nor a value");

    g = (pb_t){0};
    a[0] = (pb_t){0};
    f_str(&a[0], 1, "g");
    f_varint(&a[0], 20, ONNX_ATTR_GRAPH);
    node(&g, "If", "c", "y", a, 1);
    m = model_of(&g);
    expect_error_part(&m, "attribute of type GRAPH has no value");

    g = (pb_t){0};
    a[0] = (pb_t){0};
    f_str(&a[0], 1, "x");
    f_varint(&a[0], 20, 15);
    node(&g, "If", "c", "y", a, 1);
    m = model_of(&g);
    expect_error_part(&m, "AttributeProto.type: unknown attribute type 15");

    /* opsets: duplicate domain, missing version, range check */
    {
        pb_t mm = {0}, gg = {0}, o1 = {0}, o2 = {0};
        f_msg(&mm, 7, &gg);
        f_varint(&o1, 2, 13);
        f_msg(&mm, 8, &o1);
        f_str(&o2, 1, "ai.onnx");
        f_varint(&o2, 2, 11);
        f_msg(&mm, 8, &o2);
        expect_error(&mm, "t.onnx: byte 6: ModelProto.opset_import: domain '' "
                          "imported twice");
    }
    {
        pb_t mm = {0}, gg = {0}, o1 = {0};
        f_msg(&mm, 7, &gg);
        f_str(&o1, 1, "x");
        f_msg(&mm, 8, &o1);
        expect_error(&mm, "t.onnx: byte 4: OperatorSetIdProto.version: opset "
                          "of domain 'x' has no valid version (0)");
    }
    {
        pb_t mm = {0}, gg = {0}, o1 = {0};
        onnx_model om;
        bnnc_err e;
        f_msg(&mm, 7, &gg);
        f_varint(&o1, 2, 6);
        f_msg(&mm, 8, &o1);
        assert_int_equal(parse(&mm, &om, &e), 0);
        assert_int_equal(onnx_model_check_opsets(&om, &e), -1);
        assert_string_equal(e.msg, "t.onnx: opset 6 of the default domain; "
                            "bnnc reads opsets 7 to 26 (convert the model "
                            "with onnx.version_converter)");
        onnx_model_free(&om);
        free(mm.p);
    }
    /* a type that sets two members of the oneof */
    {
        pb_t gg = {0}, vi = {0}, tp = {0}, tt = {0}, sq = {0};
        f_varint(&tt, 1, ONNX_FLOAT);
        f_msg(&tp, 1, &tt);
        f_msg(&tp, 4, &sq);
        f_str(&vi, 1, "x");
        f_msg(&vi, 2, &tp);
        f_msg(&gg, 11, &vi);
        m = model_of(&gg);
        expect_error_part(&m, "graph input 'x': TypeProto.sequence_type: type "
                              "sets both tensor_type and sequence_type");
    }
}

/* Subgraphs nested in If attributes, and TypeProto sequences, cannot
 * exhaust the stack: the depth limit answers first. */
static void test_deep_nesting(void **state)
{
    pb_t g = {0}, m;
    onnx_model om;
    bnnc_err e;
    (void)state;
    /* 20 levels of If: 1 + 20 * 3 + ... = within the limit */
    for (int depth = 0; depth < 21; depth++) {
        pb_t a = {0}, outer = {0};
        f_str(&a, 1, "then_branch");
        f_varint(&a, 20, ONNX_ATTR_GRAPH);
        f_msg(&a, 6, &g);
        node(&outer, "If", "c", "y", &a, 1);
        g = outer;
    }
    m = model_of(&g);
    assert_int_equal(parse(&m, &om, &e), 0);
    onnx_model_free(&om);
    free(m.p);

    g = (pb_t){0};
    for (int depth = 0; depth < 10000; depth++) {
        pb_t a = {0}, outer = {0};
        f_str(&a, 1, "then_branch");
        f_varint(&a, 20, ONNX_ATTR_GRAPH);
        f_msg(&a, 6, &g);
        node(&outer, "If", "c", "y", &a, 1);
        g = outer;
    }
    m = model_of(&g);
    expect_error_part(&m, "messages nested deeper than 64 levels");

    /* sequence<sequence<...>> */
    {
        pb_t tp = {0}, gg = {0}, vi = {0};
        for (int depth = 0; depth < 5000; depth++) {
            pb_t sq = {0}, outer = {0};
            f_msg(&sq, 1, &tp);
            f_msg(&outer, 4, &sq);
            tp = outer;
        }
        f_str(&vi, 1, "x");
        f_msg(&vi, 2, &tp);
        f_msg(&gg, 11, &vi);
        m = model_of(&gg);
        expect_error_part(&m, "graph input 'x': TypeProto: messages nested "
                              "deeper than 64 levels");
    }
}

/* A file that decodes into far more memory than its size is refused. */
static void test_memory_bound(void **state)
{
    pb_t g = {0}, m;
    size_t n = 4u << 20;   /* 56-byte value infos from 2 bytes each */
    (void)state;
    g.p = malloc(2 * n);
    assert_non_null(g.p);
    for (size_t i = 0; i < n; i++) {
        g.p[2 * i] = 0x5a;      /* GraphProto.input, empty ValueInfo */
        g.p[2 * i + 1] = 0x00;
    }
    g.n = g.cap = 2 * n;
    m = model_of(&g);
    expect_error_part(&m, "the decoded model would need more than");
}

/* Every prefix of a valid model either fails with a message naming the
 * file or, at a top-level record boundary only, decodes. */
static void test_truncations(void **state)
{
    pb_t t, m;
    int64_t d2[] = {2};
    size_t boundaries[16], nb = 0;
    (void)state;
    t = tensor_head("w", ONNX_FLOAT, d2, 1, 0);
    f_float(&t, 4, 1.0f);
    f_float(&t, 4, 2.0f);
    m = model_with_init(&t);
    /* the top-level records of model_of: ir_version, producer, graph,
     * opset_import */
    for (size_t pos = 0; pos < m.n && nb < 16;) {
        uint64_t k = 0, len = 0;
        unsigned sh = 0;
        boundaries[nb++] = pos;
        do
            k |= (uint64_t)(m.p[pos] & 0x7f) << sh, sh += 7;
        while (m.p[pos++] & 0x80);
        if ((k & 7) == 0) {
            while (m.p[pos++] & 0x80)
                ;
        } else {
            sh = 0;
            do
                len |= (uint64_t)(m.p[pos] & 0x7f) << sh, sh += 7;
            while (m.p[pos++] & 0x80);
            pos += (size_t)len;
        }
    }
    for (size_t cut = 0; cut < m.n; cut++) {
        onnx_model om;
        bnnc_err e;
        int at_boundary = 0;
        for (size_t i = 0; i < nb; i++)
            at_boundary |= boundaries[i] == cut;
        e.msg[0] = '\0';
        if (onnx_model_parse(m.p, cut, "t.onnx", NULL, &om, &e) == 0) {
            if (!at_boundary)
                fail_msg("prefix of %zu bytes decoded", cut);
            onnx_model_free(&om);
        } else {
            assert_int_equal(strncmp(e.msg, "t.onnx: byte ", 13), 0);
        }
    }
    free(m.p);
}

/* ------------------------------------------------------- external data */

static char tmpdir[256];

static void write_file(const char *dir, const char *name, const void *p,
                       size_t n)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

/* A model whose initializer w (float [4]) lives in location at offset,
 * length (NULL: not given). */
static void ext_model(const char *dir, const char *location,
                      const char *offset, const char *length)
{
    int64_t d4[] = {4};
    pb_t t = tensor_head("w", ONNX_FLOAT, d4, 1, 0), kv = {0}, m;
    f_str(&kv, 1, "location");
    f_str(&kv, 2, location);
    f_msg(&t, 13, &kv);
    if (offset) {
        f_str(&kv, 1, "offset");
        f_str(&kv, 2, offset);
        f_msg(&t, 13, &kv);
    }
    if (length) {
        f_str(&kv, 1, "length");
        f_str(&kv, 2, length);
        f_msg(&t, 13, &kv);
    }
    f_varint(&t, 14, 1);
    m = model_with_init(&t);
    write_file(dir, "m.onnx", m.p, m.n);
    free(m.p);
}

static void expect_ext(const char *location, const char *offset,
                       const char *length, const char *err_part)
{
    char path[512];
    onnx_model om;
    bnnc_err e;
    int rc;
    ext_model(tmpdir, location, offset, length);
    snprintf(path, sizeof path, "%s/m.onnx", tmpdir);
    e.msg[0] = '\0';
    rc = onnx_model_load(path, &om, &e);
    if (!err_part) {
        double v;
        const onnx_tensor *t;
        if (rc)
            fail_msg("%s", e.msg);
        t = init_of(&om, "w");
        assert_int_equal(t->source, ONNX_DATA_EXTERNAL);
        assert_true(t->zero_copy);
        assert_string_equal(t->location, location);
        assert_int_equal(onnx_tensor_get_f64(t, 3, &v), 0);
        assert_true(v == 3.5);
        onnx_model_free(&om);
        return;
    }
    if (rc == 0) {
        onnx_model_free(&om);
        fail_msg("expected an error containing '%s'", err_part);
    }
    if (!strstr(e.msg, err_part) || strncmp(e.msg, path, strlen(path)))
        fail_msg("expected an error containing\n  %s\ngot\n  %s", err_part,
                 e.msg);
}

static void test_external_data(void **state)
{
    float w[6] = {9, 9, 0.5f, 1.5f, 2.5f, 3.5f};
    char sub[512], outside[512], link[512];
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "%s/onnx_ext_XXXXXX", BNNC_BINARY_DIR);
    assert_non_null(mkdtemp(tmpdir));
    snprintf(sub, sizeof sub, "%s/d", tmpdir);
    assert_int_equal(mkdir(sub, 0700), 0);
    write_file(tmpdir, "w.bin", w, sizeof w);
    write_file(sub, "w.bin", w, sizeof w);
    snprintf(outside, sizeof outside, "%s.outside", tmpdir);
    write_file(BNNC_BINARY_DIR, strrchr(outside, '/') + 1, w, sizeof w);
    snprintf(link, sizeof link, "%s/link.bin", tmpdir);
    assert_int_equal(symlink(outside, link), 0);

    expect_ext("w.bin", "8", "16", NULL);
    expect_ext("d/w.bin", "8", NULL, NULL);        /* to the end of file */
    expect_ext("./d//w.bin", "8", "16", NULL);
    expect_ext("../x.bin", "0", "16", "location '../x.bin' leaves the "
               "model's directory ('..'); refused");
    expect_ext("d/../../x.bin", "0", "16", "leaves the model's directory");
    expect_ext("/etc/passwd", "0", "16", "location '/etc/passwd' is an "
               "absolute path; refused");
    expect_ext("link.bin", "8", "16", "location 'link.bin' resolves outside "
               "the model's directory (symbolic link?)");
    expect_ext("missing.bin", "0", "16", "location 'missing.bin': No such "
               "file or directory");
    expect_ext("d", "0", "16", "location 'd' is not a regular file");
    expect_ext("w.bin", "25", "16", "offset 25 is past the end of 'w.bin' "
               "(24 bytes)");
    expect_ext("w.bin", "16", "16", "offset 16 + length 16 runs past the "
               "end of 'w.bin' (24 bytes)");
    expect_ext("w.bin", "0", "24", "24 bytes in 'w.bin' for 4 elements of "
               "float32, which take 16");
    expect_ext("w.bin", "0x8", "16", "offset '0x8' is not a decimal number");
    expect_ext("w.bin", "8", "99999999999999999999999",
               "length '99999999999999999999999' is not a decimal number");
    expect_ext("", "8", "16", "location '' is empty; refused");

    {
        char path[1024];
        snprintf(path, sizeof path, "%s/m.onnx", tmpdir);
        unlink(path);
        unlink(link);
        snprintf(path, sizeof path, "%s/w.bin", tmpdir);
        unlink(path);
        snprintf(path, sizeof path, "%s/w.bin", sub);
        unlink(path);
        rmdir(sub);
        rmdir(tmpdir);
        unlink(outside);
    }
}

static void test_load_errors(void **state)
{
    onnx_model om;
    bnnc_err e;
    char path[512];
    (void)state;
    assert_int_equal(onnx_model_load("/nonexistent/m.onnx", &om, &e), -1);
    assert_string_equal(e.msg, "/nonexistent/m.onnx: cannot open: No such "
                        "file or directory");
    assert_int_equal(onnx_model_load(BNNC_BINARY_DIR, &om, &e), -1);
    assert_non_null(strstr(e.msg, "is a directory, not an ONNX model"));
    snprintf(path, sizeof path, "%s/empty.onnx", BNNC_BINARY_DIR);
    write_file(BNNC_BINARY_DIR, "empty.onnx", "", 0);
    assert_int_equal(onnx_model_load(path, &om, &e), -1);
    assert_non_null(strstr(e.msg, "empty.onnx: empty file, not an ONNX "
                           "model"));
    unlink(path);
}

/* ------------------------------------- fixtures from the real exporters */

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    assert_true(cJSON_IsString(v));
    return v->valuestring;
}

static double jnum(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    assert_true(cJSON_IsNumber(v));
    return v->valuedouble;
}

static const cJSON *jget(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!v)
        fail_msg("meta.json: no key '%s'", k);
    return v;
}

static int nfail;

static void check(int ok, const char *where, const char *fmt, ...)
{
    va_list ap;
    if (ok)
        return;
    fprintf(stderr, "%s: ", where);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    nfail++;
}

static double jfloat(const cJSON *v)
{
    if (cJSON_IsString(v)) {
        if (!strcmp(v->valuestring, "nan"))
            return NAN;
        return v->valuestring[0] == '-' ? -INFINITY : INFINITY;
    }
    return v->valuedouble;
}

static int same_float(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static void check_tensor(const char *w, const onnx_tensor *t, const cJSON *e)
{
    static const char *const src[] = {"none", "raw", "typed", "external"};
    const cJSON *dims = jget(e, "dims"), *d;
    size_t i = 0;
    check(!strcmp(t->name, jstr(e, "name")), w, "tensor name '%s' != '%s'",
          t->name, jstr(e, "name"));
    check(t->dtype == (int)jnum(e, "dtype"), w, "dtype %d", t->dtype);
    check(t->ndim == (size_t)cJSON_GetArraySize(dims), w, "ndim %zu", t->ndim);
    cJSON_ArrayForEach(d, dims) {
        check(i < t->ndim && t->dims[i] == (int64_t)d->valuedouble, w,
              "dim %zu", i);
        i++;
    }
    check(!strcmp(src[t->source], jstr(e, "source")), w,
          "tensor '%s' source %s != %s", t->name, src[t->source],
          jstr(e, "source"));
    if (cJSON_GetObjectItemCaseSensitive(e, "sha256")) {
        sha256_ctx c;
        char hex[65];
        sha256_init(&c);
        sha256_update(&c, t->data ? (const void *)t->data : "", t->nbytes);
        sha256_hex(&c, hex);
        check(!strcmp(hex, jstr(e, "sha256")), w,
              "tensor '%s': values differ (sha256)", t->name);
        i = 0;
        cJSON_ArrayForEach(d, jget(e, "first")) {
            double v = 0;
            check(onnx_tensor_get_f64(t, i, &v) == 0 &&
                      same_float(v, jfloat(d)),
                  w, "tensor '%s' element %zu: %g != %g", t->name, i, v,
                  jfloat(d));
            i++;
        }
    }
    if (cJSON_GetObjectItemCaseSensitive(e, "strings")) {
        i = 0;
        cJSON_ArrayForEach(d, jget(e, "strings")) {
            check(cJSON_IsString(d) && i < t->count &&
                      !strcmp(t->strings[i].s, d->valuestring),
                  w, "string %zu", i);
            i++;
        }
    }
}

static void check_vi(const char *w, const onnx_value_info *v, const cJSON *e)
{
    const cJSON *dims, *d;
    size_t i = 0;
    check(!strcmp(v->name, jstr(e, "name")), w, "value '%s' != '%s'", v->name,
          jstr(e, "name"));
    if (strcmp(jstr(e, "kind"), "tensor")) {
        check(v->type.kind != ONNX_TYPE_TENSOR, w, "kind");
        return;
    }
    check(v->type.kind == ONNX_TYPE_TENSOR, w, "'%s' not a tensor", v->name);
    check(v->type.elem_type == (int)jnum(e, "elem_type"), w, "elem_type");
    dims = jget(e, "dims");
    check(v->type.has_shape == !cJSON_IsNull(dims), w, "'%s' has_shape",
          v->name);
    if (cJSON_IsNull(dims))
        return;
    check(v->type.ndim == (size_t)cJSON_GetArraySize(dims), w, "'%s' rank",
          v->name);
    cJSON_ArrayForEach(d, dims) {
        const onnx_dim *x = i < v->type.ndim ? &v->type.dims[i] : NULL;
        if (!x)
            break;
        if (cJSON_IsString(d))
            check(x->param && !strcmp(x->param, d->valuestring), w,
                  "'%s' dim %zu param", v->name, i);
        else if (cJSON_IsNull(d))
            check(!x->param && !x->has_value, w, "'%s' dim %zu", v->name, i);
        else
            check(x->has_value && x->value == (int64_t)d->valuedouble, w,
                  "'%s' dim %zu = %lld", v->name, i, (long long)x->value);
        i++;
    }
}

static void check_graph(const char *w, const onnx_graph *g, const cJSON *e);

static void check_attr(const char *w, const onnx_attr *a, const cJSON *e)
{
    const cJSON *v;
    size_t i = 0;
    check(!strcmp(a->name, jstr(e, "name")), w, "attribute name");
    check((int)a->type == (int)jnum(e, "type"), w, "attribute '%s' type %d",
          a->name, (int)a->type);
    if ((v = cJSON_GetObjectItemCaseSensitive(e, "f")))
        check(same_float(a->f, jfloat(v)), w, "'%s' f", a->name);
    if ((v = cJSON_GetObjectItemCaseSensitive(e, "i")))
        check(a->i == (int64_t)v->valuedouble, w, "'%s' i", a->name);
    if ((v = cJSON_GetObjectItemCaseSensitive(e, "s")))
        check(cJSON_IsString(v) && !strcmp(a->s.s, v->valuestring), w,
              "'%s' s", a->name);
    if ((v = cJSON_GetObjectItemCaseSensitive(e, "t")))
        check_tensor(w, a->t, v);
    if ((v = cJSON_GetObjectItemCaseSensitive(e, "g")))
        check_graph(w, a->g, v);
    if ((v = cJSON_GetObjectItemCaseSensitive(e, "floats"))) {
        const cJSON *x;
        check(a->n == (size_t)cJSON_GetArraySize(v), w, "'%s' n", a->name);
        cJSON_ArrayForEach(x, v) {
            check(i < a->n && same_float(a->floats[i], jfloat(x)), w,
                  "'%s' floats[%zu]", a->name, i);
            i++;
        }
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(e, "ints"))) {
        const cJSON *x;
        check(a->n == (size_t)cJSON_GetArraySize(v), w, "'%s' n", a->name);
        cJSON_ArrayForEach(x, v) {
            check(i < a->n && a->ints[i] == (int64_t)x->valuedouble, w,
                  "'%s' ints[%zu]", a->name, i);
            i++;
        }
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(e, "strings"))) {
        const cJSON *x;
        check(a->n == (size_t)cJSON_GetArraySize(v), w, "'%s' n", a->name);
        cJSON_ArrayForEach(x, v) {
            check(i < a->n && cJSON_IsString(x) &&
                      !strcmp(a->strings[i].s, x->valuestring),
                  w, "'%s' strings[%zu]", a->name, i);
            i++;
        }
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(e, "tensors"))) {
        const cJSON *x;
        cJSON_ArrayForEach(x, v) {
            if (i < a->n)
                check_tensor(w, &a->tensors[i], x);
            i++;
        }
        check(i == a->n, w, "'%s' n", a->name);
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(e, "graphs"))) {
        const cJSON *x;
        cJSON_ArrayForEach(x, v) {
            if (i < a->n)
                check_graph(w, &a->graphs[i], x);
            i++;
        }
        check(i == a->n, w, "'%s' n", a->name);
    }
}

static void check_graph(const char *w, const onnx_graph *g, const cJSON *e)
{
    const cJSON *x, *arr;
    size_t i;
    check(!strcmp(g->name, jstr(e, "name")), w, "graph name");
    check(g->n_value_info == (size_t)jnum(e, "value_info"), w, "value_info");
#define LIST(key, n, fn, items)                                             \
    arr = jget(e, key);                                                     \
    check(n == (size_t)cJSON_GetArraySize(arr), w, "%s: %zu != %d", key, n, \
          cJSON_GetArraySize(arr));                                         \
    i = 0;                                                                  \
    cJSON_ArrayForEach(x, arr) {                                            \
        if (i < n)                                                          \
            fn(w, &items[i], x);                                            \
        i++;                                                                \
    }
    LIST("inputs", g->n_inputs, check_vi, g->inputs)
    LIST("outputs", g->n_outputs, check_vi, g->outputs)
    LIST("initializers", g->n_initializers, check_tensor, g->initializers)
    arr = jget(e, "nodes");
    check(g->n_nodes == (size_t)cJSON_GetArraySize(arr), w, "nodes");
    i = 0;
    cJSON_ArrayForEach(x, arr) {
        const onnx_node *n = &g->nodes[i];
        const cJSON *y, *ins = jget(x, "inputs"), *outs = jget(x, "outputs");
        size_t k = 0;
        if (i >= g->n_nodes)
            break;
        check(!strcmp(n->name, jstr(x, "name")), w, "node %zu name", i);
        check(!strcmp(n->op_type, jstr(x, "op_type")), w, "node %zu op", i);
        check(!strcmp(n->domain, jstr(x, "domain")), w, "node %zu domain", i);
        check(n->n_inputs == (size_t)cJSON_GetArraySize(ins), w, "inputs");
        cJSON_ArrayForEach(y, ins) {
            check(k < n->n_inputs && !strcmp(n->inputs[k], y->valuestring), w,
                  "node %zu input %zu", i, k);
            k++;
        }
        k = 0;
        check(n->n_outputs == (size_t)cJSON_GetArraySize(outs), w, "outputs");
        cJSON_ArrayForEach(y, outs) {
            check(k < n->n_outputs && !strcmp(n->outputs[k], y->valuestring),
                  w, "node %zu output %zu", i, k);
            k++;
        }
        k = 0;
        check(n->n_attrs == (size_t)cJSON_GetArraySize(jget(x, "attrs")), w,
              "node %zu attrs", i);
        cJSON_ArrayForEach(y, jget(x, "attrs")) {
            if (k < n->n_attrs)
                check_attr(w, &n->attrs[k], y);
            k++;
        }
        i++;
    }
#undef LIST
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* The npy files of a fixture agree with the graph's declared inputs and
 * outputs (dtype, rank, and every fixed dimension). */
static void check_io(const char *w, const char *dir, const onnx_model *m,
                     const cJSON *meta)
{
    static const struct { int onnx, mx; } map[] = {
        {ONNX_FLOAT, MX_F32}, {ONNX_INT64, MX_I64}, {ONNX_INT32, MX_I32},
        {ONNX_BOOL, MX_BOOL}, {ONNX_UINT8, MX_U8}, {ONNX_INT8, MX_I8},
    };
    const char *keys[] = {"inputs", "outputs"};
    for (int k = 0; k < 2; k++) {
        const cJSON *x;
        size_t i = 0;
        cJSON_ArrayForEach(x, jget(meta, keys[k])) {
            char path[1024];
            mx_params p;
            bnnc_err e;
            const onnx_value_info *v = NULL;
            for (size_t j = 0; j < (k ? m->graph.n_outputs : m->graph.n_inputs);
                 j++) {
                const onnx_value_info *c = k ? &m->graph.outputs[j]
                                             : &m->graph.inputs[j];
                if (!strcmp(c->name, jstr(x, "name")))
                    v = c;
            }
            check(v != NULL, w, "%s '%s' not in the graph", keys[k],
                  jstr(x, "name"));
            snprintf(path, sizeof path, "%s/%s", dir, jstr(x, "file"));
            if (mx_params_load(path, &p, &e)) {
                check(0, w, "%s", e.msg);
                continue;
            }
            check(p.count == 1, w, "%s: one array", path);
            if (v && v->type.elem_type) {
                int mx = -1;
                for (size_t j = 0; j < sizeof map / sizeof map[0]; j++)
                    if (map[j].onnx == v->type.elem_type)
                        mx = map[j].mx;
                check(p.arrays[0].dtype == mx, w, "%s: dtype", path);
            }
            if (v && v->type.has_shape) {
                check((size_t)p.arrays[0].ndim == v->type.ndim, w,
                      "%s: rank %d", path, p.arrays[0].ndim);
                for (size_t j = 0; j < v->type.ndim &&
                                   j < (size_t)p.arrays[0].ndim; j++)
                    if (v->type.dims[j].has_value)
                        check(p.arrays[0].shape[j] == v->type.dims[j].value,
                              w, "%s: dim %zu", path, j);
            }
            mx_params_free(&p);
            i++;
        }
    }
}

static void test_fixtures(void **state)
{
    char root[512];
    DIR *d;
    struct dirent *de;
    int cases = 0;
    (void)state;
    snprintf(root, sizeof root, "%s/golden/onnx", BNNC_TEST_DATA_DIR);
    d = opendir(root);
    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        char path[1024], dir[768];
        char *text;
        cJSON *meta, *rd, *x;
        onnx_model m;
        bnnc_err e;
        size_t i = 0;
        if (de->d_name[0] == '.')
            continue;
        snprintf(dir, sizeof dir, "%s/%s", root, de->d_name);
        snprintf(path, sizeof path, "%s/meta.json", dir);
        text = slurp(path);
        if (!text)
            continue;
        meta = cJSON_Parse(text);
        free(text);
        assert_non_null(meta);
        snprintf(path, sizeof path, "%s/model.onnx", dir);
        if (onnx_model_load(path, &m, &e)) {
            check(0, de->d_name, "%s", e.msg);
            cJSON_Delete(meta);
            continue;
        }
        rd = cJSON_GetObjectItemCaseSensitive(meta, "reader");
        assert_non_null(rd);
        check(m.ir_version == (int64_t)jnum(rd, "ir_version"), de->d_name,
              "ir_version");
        check(!strcmp(m.producer_name, jstr(rd, "producer_name")), de->d_name,
              "producer_name");
        check(!strcmp(m.producer_version, jstr(rd, "producer_version")),
              de->d_name, "producer_version");
        check(m.n_functions == (size_t)jnum(rd, "functions"), de->d_name,
              "functions");
        check(m.n_opsets == (size_t)cJSON_GetArraySize(jget(rd, "opsets")),
              de->d_name, "opsets");
        cJSON_ArrayForEach(x, jget(rd, "opsets")) {
            const cJSON *dom = cJSON_GetArrayItem(x, 0),
                        *ver = cJSON_GetArrayItem(x, 1);
            check(onnx_opset_version(&m, dom->valuestring) ==
                      (int64_t)ver->valuedouble,
                  de->d_name, "opset %s", dom->valuestring);
            i++;
        }
        check(onnx_model_check_opsets(&m, &e) == 0, de->d_name, "%s", e.msg);
        check_graph(de->d_name, &m.graph, jget(rd, "graph"));
        check_io(de->d_name, dir, &m, meta);
        onnx_model_free(&m);
        cJSON_Delete(meta);
        cases++;
    }
    closedir(d);
    printf("%d ONNX fixtures compared with the onnx package's reading\n",
           cases);
    assert_true(cases >= 30);
    assert_int_equal(nfail, 0);
}

/* The committed QONNX demo model decodes with the names, opsets and
 * custom-domain nodes its meta.json records. */
static void test_digits_example(void **state)
{
    char path[512], *text;
    cJSON *meta, *x;
    onnx_model m;
    bnnc_err e;
    size_t bq = 0;
    (void)state;
    snprintf(path, sizeof path, "%s/../examples/digits-onnx/meta.json",
             BNNC_TEST_DATA_DIR);
    text = slurp(path);
    assert_non_null(text);
    meta = cJSON_Parse(text);
    free(text);
    assert_non_null(meta);
    snprintf(path, sizeof path, "%s/../examples/digits-onnx/digits.onnx",
             BNNC_TEST_DATA_DIR);
    if (onnx_model_load(path, &m, &e))
        fail_msg("%s", e.msg);
    cJSON_ArrayForEach(x, jget(meta, "opsets"))
        assert_int_equal(onnx_opset_version(&m, x->string),
                         (int64_t)x->valuedouble);
    assert_string_equal(m.graph.outputs[0].name, jstr(meta, "output"));
    assert_non_null(cJSON_GetObjectItemCaseSensitive(jget(meta, "inputs"),
                                                     m.graph.inputs[0].name));
    for (size_t i = 0; i < m.graph.n_nodes; i++)
        if (!strcmp(m.graph.nodes[i].op_type, "BipolarQuant")) {
            assert_string_equal(m.graph.nodes[i].domain,
                                "qonnx.custom_op.general");
            bq++;
        }
    assert_int_equal(bq, 7);   /* 4 activations, 3 weights */
    onnx_model_free(&m);
    cJSON_Delete(meta);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_model),
        cmocka_unit_test(test_tensor_storage),
        cmocka_unit_test(test_unknown_fields_and_last_wins),
        cmocka_unit_test(test_attribute_types),
        cmocka_unit_test(test_dump),
        cmocka_unit_test(test_wire_errors),
        cmocka_unit_test(test_tensor_errors),
        cmocka_unit_test(test_graph_errors),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_memory_bound),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_external_data),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_digits_example),
    };
    bnnc_quiet = 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
