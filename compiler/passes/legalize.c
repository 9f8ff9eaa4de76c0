/*
 * legalize.c - remove what only matters for training.
 *
 * Requires: import. Establishes: no IDENTITY nodes remain (frontends map
 * dropout, gradient stops and regression heads to it); n-ary sums and
 * concatenations of one input are gone.
 */
#include "passes.h"

int pass_legalize(ir_graph *g, bnnc_err *err)
{
    size_t i;
    (void)err;
    for (i = 0; i < g->n; i++) {
        ir_node *n = g->nodes[i];
        int identity = 0;
        if (n->dead)
            continue;
        switch (n->op) {
        case IR_OP_IDENTITY:
            identity = 1;
            break;
        case IR_OP_ADD:
            identity = n->n_in == 1;
            break;
        case IR_OP_CONCAT:
            identity = n->n_in == 1;
            break;
        default:
            break;
        }
        if (identity) {
            ir_replace_uses(g, (ir_ref){n->id, 0}, n->in[0]);
            n->dead = 1;
        }
    }
    ir_mark_dead(g);
    ir_compact(g);
    return 0;
}
