/*
 * operands.c - every operand is of the kind its op takes.
 *
 * Requires: fold_constants (a constant sub-graph feeding a parameter has
 * been evaluated by then). Establishes, for every live node, by the
 * operands column of ir/ops.def (ir_slot_kind_of):
 *   - a parameter slot holds a CONST with values;
 *   - a weights slot holds a CONST (BMXNet packed words or values);
 *   - a data slot holds a computed value or a CONST with values (a
 *     constant there is read like any tensor: lower materialises it);
 *   - a graph head is computed or a CONST with values;
 *   - no constant the graph uses holds a NaN.
 * Packed words have no values: a constant of packed binary weights used as
 * anything but the weights of its binary layer is an error. Infinities are
 * values (Pad(-inf) before max pooling, masks) and pass.
 *
 * Later passes rely on this instead of checking operands themselves.
 */
#include "passes.h"

#include <math.h>
#include <stdlib.h>

#include "../util/mem.h"

/* reaches[i]: node i depends on a data input. */
static unsigned char *input_reach(const ir_graph *g)
{
    unsigned char *r = xcalloc(g->n ? g->n : 1, 1);
    size_t i;
    int k;
    for (i = 0; i < g->n; i++) {
        const ir_node *n = g->nodes[i];
        r[i] = n->op == IR_OP_INPUT;
        for (k = 0; k < n->n_in && !r[i]; k++)
            r[i] = r[n->in[k].node];
    }
    return r;
}

static const char *slot_noun(ir_slot_kind k)
{
    return k == IR_SLOT_WEIGHTS ? "the binary weights" : "a parameter";
}

static int check_slot(const ir_graph *g, const ir_node *n, int k, const unsigned char *reach,
                      bnnc_err *err)
{
    ir_slot_kind kind = ir_node_slot_kind(n, k);
    const ir_node *src = g->nodes[n->in[k].node];
    if (kind == IR_SLOT_PARAM || kind == IR_SLOT_WEIGHTS) {
        if (src->op != IR_OP_CONST)
            return ir_node_errf(g, n, err,
                                "input %d is %s and must be a constant, but node '%s' (%s) "
                                "computes it%s",
                                k, slot_noun(kind), src->name, src->src_op,
                                reach[src->id] ? " from the network's input"
                                               : " with an operator bnnc cannot evaluate "
                                                 "at compile time");
        if (kind == IR_SLOT_PARAM && !src->a.c.f)
            return ir_node_errf(g, n, err,
                                "input %d is %s, but '%s' holds the packed words of binary "
                                "weights, not values",
                                k, slot_noun(kind), src->name);
        return 0;
    }
    if (src->op == IR_OP_CONST && !src->a.c.f)
        return ir_node_errf(g, n, err,
                            "input %d is a tensor, but '%s' holds the packed words of "
                            "binary weights, not values",
                            k, src->name);
    return 0;
}

/* The first NaN of constant c; 0 when none. */
static int has_nan(const ir_node *c, int64_t *at)
{
    int64_t i, cnt = ir_shape_count(&c->a.c.shape);
    if (!c->a.c.f)
        return 0;
    for (i = 0; i < cnt; i++)
        if (isnan(c->a.c.f[i])) {
            *at = i;
            return 1;
        }
    return 0;
}

int pass_operands(ir_graph *g, bnnc_err *err)
{
    unsigned char *reach = input_reach(g), *checked = xcalloc(g->n ? g->n : 1, 1);
    size_t i;
    int k, rc = 0;
    for (i = 0; i < g->n && !rc; i++) {
        const ir_node *n = g->nodes[i];
        if (n->dead)
            continue;
        for (k = 0; k < n->n_in && !rc; k++) {
            const ir_node *src = g->nodes[n->in[k].node];
            int64_t at;
            rc = check_slot(g, n, k, reach, err);
            if (!rc && src->op == IR_OP_CONST && !checked[src->id]) {
                checked[src->id] = 1;
                /* a separate weights file (MXNet's params) is named; a
                 * single-file model (ONNX, TFLite) is named by the node */
                int own = src->a.c.source_name && g->params_path && g->params_path[0];
                if (has_nan(src, &at))
                    rc = ir_node_errf(g, n, err, "constant '%s' holds NaN (element %lld)%s%s",
                                      src->name, (long long)at, own ? " in " : "",
                                      own ? g->params_path : "");
            }
        }
    }
    for (k = 0; k < g->n_heads && !rc; k++) {
        const ir_node *h = g->nodes[g->heads[k].node];
        int64_t at;
        if (h->op != IR_OP_CONST)
            continue;
        if (!h->a.c.f)
            rc = bnnc_errf(err,
                           "%s: output %d is '%s', the packed words of binary weights, "
                           "which have no values to output",
                           g->symbol_path, k, h->name);
        else if (has_nan(h, &at))
            rc = bnnc_errf(err, "%s: output %d is the constant '%s', which holds NaN",
                           g->symbol_path, k, h->name);
    }
    free(reach);
    free(checked);
    return rc ? -1 : 0;
}
