/*
 * expand.c - frontend operators become generic ones.
 *
 * Requires: shapes, fold_constants, operands (a frontend op's expansion may
 * need its input shapes and constant operands, e.g. BMXNet's packed
 * weights, unpacked once the input channels are known). Establishes: no
 * IR_OP_FRONTEND node remains; what each became (binary layers, mostly)
 * has its shapes.
 */
#include "passes.h"

int pass_expand(ir_graph *g, bnnc_err *err)
{
    size_t i, count = g->n;
    for (i = 0; i < count; i++) {
        ir_node *n = g->nodes[i];
        if (n->dead || n->op != IR_OP_FRONTEND)
            continue;
        if (n->a.fe.op->expand(g, n, err))
            return -1;
        BNNC_ASSERT(n->op != IR_OP_FRONTEND || n->dead);
    }
    ir_mark_dead(g);
    ir_compact(g);
    return 0;
}
