/*
 * test_symbol.c - symbol JSON reader (frontend/symbol.c) and attribute
 * value parsing (frontend/attrs.c): every JSON generation and spelling.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "frontend/mxnet/attrs.h"
#include "frontend/mxnet/symbol.h"

static int parse(const char *text, mx_symbol *s, bnnc_err *err)
{
    return mx_symbol_parse(text, strlen(text), "m-symbol.json", s, err);
}

static void test_tuples(void **state)
{
    int64_t v[8];
    int n;
    (void)state;
    assert_int_equal(attr_parse_tuple("(3, 3)", v, 8, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0], 3);
    assert_int_equal(v[1], 3);
    assert_int_equal(attr_parse_tuple("[0, 0, 1, 1]", v, 8, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(v[2], 1);
    assert_int_equal(attr_parse_tuple("(8L, 3L, 3L, 3L)", v, 8, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(v[0], 8);
    assert_int_equal(v[3], 3);
    assert_int_equal(attr_parse_tuple("(64,2, 3, 3)", v, 8, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(v[1], 2);
    assert_int_equal(attr_parse_tuple("  (3,)", v, 8, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(attr_parse_tuple("()", v, 8, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(attr_parse_tuple("7", v, 8, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0], 7);
    assert_int_equal(attr_parse_tuple("None", v, 8, &n), 0);
    assert_int_equal(n, -1);
    assert_int_equal(attr_parse_tuple("(-1, 0, -4, 2, -1)", v, 8, &n), 0);
    assert_int_equal(n, 5);
    assert_int_equal(v[2], -4);
    assert_int_equal(attr_parse_tuple("[1,2]", v, 8, &n), 0);
    assert_int_equal(n, 2);
    /* malformed */
    assert_int_equal(attr_parse_tuple("(3", v, 8, &n), -1);
    assert_int_equal(attr_parse_tuple("(a)", v, 8, &n), -1);
    assert_int_equal(attr_parse_tuple("(1,,2)", v, 8, &n), -1);
    assert_int_equal(attr_parse_tuple("(1 2)", v, 8, &n), -1);
    assert_int_equal(attr_parse_tuple("(1, 2))", v, 8, &n), -1);
    assert_int_equal(attr_parse_tuple("", v, 8, &n), -1);
    assert_int_equal(attr_parse_tuple("(1,2,3)", v, 2, &n), -1);
}

static void test_scalars(void **state)
{
    int b;
    long long i;
    double d;
    (void)state;
    assert_int_equal(attr_parse_bool("True", &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(attr_parse_bool("false", &b), 0);
    assert_int_equal(b, 0);
    assert_int_equal(attr_parse_bool("1", &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(attr_parse_bool("0", &b), 0);
    assert_int_equal(b, 0);
    assert_int_equal(attr_parse_bool("TRUE", &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(attr_parse_bool("yes", &b), -1);
    assert_int_equal(attr_parse_int("-12", &i), 0);
    assert_int_equal(i, -12);
    assert_int_equal(attr_parse_int("12L", &i), 0);
    assert_int_equal(i, 12);
    assert_int_equal(attr_parse_int("1.5", &i), -1);
    assert_int_equal(attr_parse_double("1e-05", &d), 0);
    assert_true(d == 1e-05);
    assert_int_equal(attr_parse_double("2e-05", &d), 0);
    assert_true(d == 2e-05);
    assert_int_equal(attr_parse_double("-1", &d), 0);
    assert_true(d == -1.0);
    assert_int_equal(attr_parse_double("inf", &d), 0);
    assert_true(d > 1e300);
    assert_int_equal(attr_parse_double("0.5x", &d), -1);
}

/* 1.x file: attrs, 3-element entries, hidden keys, graph attrs */
static void test_nnvm_attrs(void **state)
{
    static const char j[] =
        "{\"nodes\": ["
        " {\"op\": \"null\", \"name\": \"data\", \"inputs\": []},"
        " {\"op\": \"null\", \"name\": \"w\", \"attrs\": {\"__shape__\": \"(8L, 3L, 3L, 3L)\", \"__lr_mult__\": \"1.0\", \"__wd_mult__\": \"0\"}, \"inputs\": []},"
        " {\"op\": \"Convolution\", \"name\": \"c\", \"attrs\": {\"kernel\": \"(3, 3)\", \"num_filter\": \"8\", \"no_bias\": \"True\", \"weight_lr_mult\": \"2\", \"ctx_group\": \"dev1\", \"__force_mirroring__\": \"True\"}, \"inputs\": [[0, 0, 0], [1, 0, 0]]}"
        "], \"arg_nodes\": [0, 1], \"node_row_ptr\": [0, 1, 2, 3], \"heads\": [[2, 0, 0]],"
        " \"attrs\": {\"mxnet_version\": [\"int\", 10901]}}";
    mx_symbol s;
    bnnc_err err;
    (void)state;
    assert_int_equal(parse(j, &s, &err), 0);
    assert_int_equal(s.n_nodes, 3);
    assert_int_equal(s.mxnet_version, 10901);
    assert_int_equal(s.legacy, 0);
    assert_string_equal(s.nodes[2].op, "Convolution");
    assert_int_equal(s.nodes[2].n_inputs, 2);
    assert_int_equal(s.nodes[2].inputs[1].node, 1);
    /* training-only keys dropped, hidden __shape__ kept */
    assert_int_equal(s.nodes[2].n_attrs, 3);
    assert_null(mx_node_attr(&s.nodes[2], "weight_lr_mult"));
    assert_null(mx_node_attr(&s.nodes[2], "ctx_group"));
    assert_null(mx_node_attr(&s.nodes[2], "__force_mirroring__"));
    assert_string_equal(mx_node_attr(&s.nodes[1], "__shape__"), "(8L, 3L, 3L, 3L)");
    assert_null(mx_node_attr(&s.nodes[1], "__lr_mult__"));
    assert_int_equal(s.n_heads, 1);
    assert_int_equal(s.heads[0].node, 2);
    mx_symbol_free(&s);
}

/* <= 0.8 file: param (with defaults) + attr, 2-element entries, no version */
static void test_legacy_param(void **state)
{
    static const char j[] =
        "{\"nodes\": ["
        " {\"op\": \"null\", \"param\": {}, \"name\": \"data\", \"inputs\": [], \"backward_source_id\": -1},"
        " {\"op\": \"Activation\", \"param\": {\"act_type\": \"relu\"}, \"attr\": {\"ctx_group\": \"g\", \"mood\": \"x\"}, \"name\": \"r\", \"inputs\": [[0, 0]], \"backward_source_id\": -1}"
        "], \"arg_nodes\": [0], \"heads\": [[1, 0]]}";
    mx_symbol s;
    bnnc_err err;
    (void)state;
    assert_int_equal(parse(j, &s, &err), 0);
    assert_int_equal(s.legacy, 1);
    assert_int_equal(s.mxnet_version, 800);
    assert_string_equal(mx_node_attr(&s.nodes[1], "act_type"), "relu");
    assert_string_equal(mx_node_attr(&s.nodes[1], "mood"), "x");
    assert_null(mx_node_attr(&s.nodes[1], "ctx_group"));
    assert_int_equal(s.nodes[1].inputs[0].node, 0);
    mx_symbol_free(&s);
}

/* 0.9-0.12: attr key; first of attrs/attr/param wins on a collision */
static void test_attr_merge(void **state)
{
    static const char j[] =
        "{\"nodes\": ["
        " {\"op\": \"null\", \"name\": \"data\", \"inputs\": []},"
        " {\"op\": \"LeakyReLU\", \"name\": \"l\", \"attrs\": {\"slope\": \"0.1\"}, \"attr\": {\"slope\": \"0.2\", \"act_type\": \"leaky\"}, \"inputs\": [[0, 0, 0]]}"
        "], \"heads\": [[1, 0, 0]], \"attrs\": {\"mxnet_version\": [\"int\", 905]}}";
    mx_symbol s;
    bnnc_err err;
    (void)state;
    assert_int_equal(parse(j, &s, &err), 0);
    assert_string_equal(mx_node_attr(&s.nodes[1], "slope"), "0.1");
    assert_string_equal(mx_node_attr(&s.nodes[1], "act_type"), "leaky");
    assert_int_equal(s.mxnet_version, 905);
    mx_symbol_free(&s);
}

static void expect_error(const char *json, const char *substr)
{
    mx_symbol s;
    bnnc_err err;
    err.msg[0] = '\0';
    assert_int_equal(parse(json, &s, &err), -1);
    if (!strstr(err.msg, substr))
        fail_msg("error \"%s\" does not contain \"%s\"", err.msg, substr);
    mx_symbol_free(&s);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("{\"nodes\": [", "line 1, column 11");
    expect_error("[1, 2]", "not an MXNet symbol file");
    expect_error("{\"nodes\": [], \"heads\": []}", "no nodes");
    expect_error("{\"nodes\": [{\"op\": \"null\", \"name\": \"a\", \"inputs\": []}], \"heads\": []}",
                 "no heads");
    /* forward reference = not topological (or a cycle) */
    expect_error("{\"nodes\": [{\"op\": \"relu\", \"name\": \"r\", \"inputs\": [[1, 0, 0]]},"
                 " {\"op\": \"null\", \"name\": \"a\", \"inputs\": []}], \"heads\": [[0, 0, 0]]}",
                 "node 0 'r' (relu): input 0 refers to node 1");
    expect_error("{\"nodes\": [{\"op\": \"relu\", \"name\": \"r\", \"inputs\": [[0, 0, 0]]}],"
                 " \"heads\": [[0, 0, 0]]}",
                 "topological order");
    expect_error("{\"nodes\": [{\"op\": \"null\", \"name\": \"a\", \"inputs\": []},"
                 " {\"op\": \"_foreach\", \"name\": \"loop\", \"inputs\": [[0, 0, 0]],"
                 " \"subgraphs\": [{\"nodes\": []}]}], \"heads\": [[1, 0, 0]]}",
                 "node 1 'loop' (_foreach): graphs with subgraphs");
    expect_error("{\"nodes\": [{\"op\": \"null\", \"name\": \"a\", \"inputs\": [[0]]}],"
                 " \"heads\": [[0, 0]]}",
                 "input 0 is not a [node, output(, version)] entry");
    expect_error("{\"nodes\": [{\"op\": \"null\", \"name\": \"a\", \"inputs\": []}],"
                 " \"heads\": [[3, 0]]}",
                 "head 0 is not a valid node entry");
    expect_error("{\"nodes\": [{\"op\": \"null\", \"name\": \"a\", \"inputs\": [],"
                 " \"attrs\": {\"k\": [1]}}], \"heads\": [[0, 0]]}",
                 "attribute 'k' is not a string");
    expect_error("{\"nodes\": [{\"op\": 3, \"name\": \"a\"}], \"heads\": [[0, 0]]}",
                 "node 0 has no string \"op\" and \"name\"");
    expect_error("{\"nodes\": [{\"op\": \"null\", \"name\": \"a\", \"inputs\": []}],"
                 " \"heads\": [[0, 0]], \"attrs\": {\"mxnet_version\": 10901}}",
                 "mxnet_version");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tuples),
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_nnvm_attrs),
        cmocka_unit_test(test_legacy_param),
        cmocka_unit_test(test_attr_merge),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
