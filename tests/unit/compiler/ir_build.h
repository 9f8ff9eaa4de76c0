/*
 * ir_build.h - test helper: build IR graphs directly, with no model file
 * and no frontend, so that each pass is tested on the graph it is given.
 * Test-only; everything is static.
 */
#ifndef BNNC_TEST_IR_BUILD_H
#define BNNC_TEST_IR_BUILD_H

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir.h"
#include "passes/passes.h"

/* A shape from its dimensions: ib_shape(4, 1, 3, 8, 8). */
static inline ir_shape ib_shape(int ndim, ...)
{
    ir_shape s;
    va_list ap;
    int i;
    memset(&s, 0, sizeof s);
    s.ndim = ndim;
    va_start(ap, ndim);
    for (i = 0; i < ndim; i++)
        s.d[i] = va_arg(ap, int);
    va_end(ap);
    return s;
}

/* A graph input; its shape comes from the bnnc_input given to the shapes
 * pass (ib_inputs). */
static inline ir_node *ib_input(ir_graph *g, const char *name)
{
    return ir_node_add(g, IR_OP_INPUT, name, "input", -1);
}

/* A constant of shape s holding v (count elements), or when v is NULL
 * the values pattern(i): small non-zero fractions. */
static inline ir_node *ib_const(ir_graph *g, const char *name, ir_shape s, const float *v)
{
    ir_node *c = ir_node_add(g, IR_OP_CONST, name, "const", -1);
    int64_t i, count = ir_shape_count(&s);
    c->a.c.shape = s;
    c->a.c.f = ir_graph_floats(g, (size_t)count + 1);
    for (i = 0; i < count; i++)
        c->a.c.f[i] = v ? v[i] : (float)((int)((i * 7919 + 13) % 17) - 8) / 8.0f + 0.03125f;
    c->a.c.stored_bytes = (size_t)count * 4;
    c->a.c.source_name = strdup(name);
    return c;
}

/* A +-1 constant (weights of a binary layer): the sign of the pattern. */
static inline ir_node *ib_const_pm1(ir_graph *g, const char *name, ir_shape s)
{
    ir_node *c = ib_const(g, name, s, NULL);
    int64_t i, count = ir_shape_count(&s);
    for (i = 0; i < count; i++)
        c->a.c.f[i] = c->a.c.f[i] < 0 ? -1.0f : 1.0f;
    return c;
}

/* An operator node reading output 0 of each of the n given nodes. */
static inline ir_node *ib_op(ir_graph *g, ir_op op, const char *name, int n, ...)
{
    ir_node *node = ir_node_add(g, op, name, ir_op_name(op), -1);
    ir_ref in[16];
    va_list ap;
    int i;
    va_start(ap, n);
    for (i = 0; i < n; i++)
        in[i] = (ir_ref){va_arg(ap, ir_node *)->id, 0};
    va_end(ap);
    ir_node_set_inputs(g, node, n, in);
    return node;
}

/* Make these nodes the graph's outputs, in order. */
static inline void ib_heads(ir_graph *g, int n, ...)
{
    va_list ap;
    int i;
    g->heads = realloc(g->heads, sizeof *g->heads * (size_t)n);
    g->n_heads = n;
    va_start(ap, n);
    for (i = 0; i < n; i++)
        g->heads[i] = (ir_ref){va_arg(ap, ir_node *)->id, 0};
    va_end(ap);
    ir_uses_rebuild(g);
}

/* Run the shapes pass with one input named "data" of shape s. */
static inline int ib_shapes(ir_graph *g, ir_shape s, bnnc_err *err)
{
    bnnc_input in;
    memset(&in, 0, sizeof in);
    strcpy(in.name, "data");
    in.shape = s;
    return pass_shapes(g, &in, 1, err);
}

/* A node of g by name (NULL if none, or dead). */
static inline ir_node *ib_find(const ir_graph *g, const char *name)
{
    size_t i;
    for (i = 0; i < g->n; i++)
        if (!g->nodes[i]->dead && !strcmp(g->nodes[i]->name, name))
            return g->nodes[i];
    return NULL;
}

/* Convolution attributes: kernel k x k, stride s, pad p, f filters. */
static inline ir_conv_attr ib_conv(int k, int s, int p, int f, int groups, int no_bias)
{
    ir_conv_attr c;
    memset(&c, 0, sizeof c);
    c.kernel[0] = c.kernel[1] = k;
    c.stride[0] = c.stride[1] = s;
    c.pad[0] = c.pad[1] = p;
    c.dilate[0] = c.dilate[1] = 1;
    c.num_filter = f;
    c.num_group = groups;
    c.no_bias = no_bias;
    return c;
}

#endif
