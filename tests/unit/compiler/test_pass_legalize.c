/*
 * test_pass_legalize.c - the legalize pass (passes/legalize.c) removes
 * what only training needs: identity nodes (dropout, gradient stops,
 * regression heads), sums and concatenations of one input. Their users and
 * the graph's outputs read the node's input instead; nothing else changes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ir_build.h"

static int count_op(const ir_graph *g, ir_op op)
{
    size_t i;
    int c = 0;
    for (i = 0; i < g->n; i++)
        c += !g->nodes[i]->dead && g->nodes[i]->op == op;
    return c;
}

static void legalize(ir_graph *g)
{
    bnnc_err err;
    memset(&err, 0, sizeof err);
    if (pass_legalize(g, &err) || ir_check(g, 0, &err))
        fail_msg("%s", err.msg);
}

/* data -> dropout -> relu -> add(one input) -> concat(one input) ->
 * stop_gradient = output: only data and relu remain, the output is relu. */
static void test_identities_removed(void **state)
{
    ir_graph g;
    ir_node *x, *drop, *relu, *add, *cat, *stop;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    drop = ib_op(&g, IR_OP_IDENTITY, "drop0", 1, x);
    relu = ib_op(&g, IR_OP_ACT, "relu0", 1, drop);
    relu->a.act.act = IR_ACT_RELU;
    add = ib_op(&g, IR_OP_ADD, "sum0", 1, relu);
    cat = ib_op(&g, IR_OP_CONCAT, "cat0", 1, add);
    cat->a.concat.dim = 1;
    stop = ib_op(&g, IR_OP_IDENTITY, "stop0", 1, cat);
    ib_heads(&g, 1, stop);
    legalize(&g);
    assert_int_equal(g.n, 2);
    assert_int_equal(count_op(&g, IR_OP_IDENTITY), 0);
    relu = ib_find(&g, "relu0");
    assert_non_null(relu);
    assert_int_equal(g.nodes[relu->in[0].node]->op, IR_OP_INPUT);
    assert_int_equal(g.n_heads, 1);
    assert_int_equal(g.heads[0].node, relu->id);
    ir_graph_free(&g);
}

/* A sum of two inputs and a concatenation of two stay; an identity read
 * by both goes, each of them then reading its input. */
static void test_real_ops_stay(void **state)
{
    ir_graph g;
    ir_node *x, *id, *add, *cat;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    id = ib_op(&g, IR_OP_IDENTITY, "copy0", 1, x);
    add = ib_op(&g, IR_OP_ADD, "sum0", 2, id, x);
    cat = ib_op(&g, IR_OP_CONCAT, "cat0", 2, add, id);
    cat->a.concat.dim = 1;
    ib_heads(&g, 2, cat, id);
    legalize(&g);
    assert_int_equal(g.n, 3);
    add = ib_find(&g, "sum0");
    cat = ib_find(&g, "cat0");
    assert_non_null(add);
    assert_non_null(cat);
    assert_int_equal(add->n_in, 2);
    assert_int_equal(add->in[0].node, 0);
    assert_int_equal(add->in[1].node, 0);
    assert_int_equal(cat->in[0].node, add->id);
    assert_int_equal(cat->in[1].node, 0);
    /* the second output was the identity: it is the input now */
    assert_int_equal(g.heads[0].node, cat->id);
    assert_int_equal(g.heads[1].node, 0);
    ir_graph_free(&g);
}

/* Nodes no output depends on are removed with the identities. */
static void test_dead_branch_removed(void **state)
{
    ir_graph g;
    ir_node *x, *relu, *sig;
    (void)state;
    ir_graph_init(&g);
    x = ib_input(&g, "data");
    sig = ib_op(&g, IR_OP_ACT, "unused", 1, x);
    sig->a.act.act = IR_ACT_SIGMOID;
    relu = ib_op(&g, IR_OP_ACT, "relu0", 1, x);
    relu->a.act.act = IR_ACT_RELU;
    ib_heads(&g, 1, relu);
    legalize(&g);
    assert_int_equal(g.n, 2);
    assert_null(ib_find(&g, "unused"));
    ir_graph_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identities_removed),
        cmocka_unit_test(test_real_ops_stay),
        cmocka_unit_test(test_dead_branch_removed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
