/*
 * import.c - ONNX model -> IR (see import.h): which nodes are needed, the
 * graph's initializers, inputs and outputs. The values are values.c's,
 * the operators rows in ops.c.
 *
 * Only the nodes the graph outputs depend on are imported. One pattern is
 * resolved before that: PyTorch's straight-through estimators export
 * `s - p + p` (the forward value s, plus and minus a surrogate p whose
 * gradient is used): Add(Sub(s, p), p) is s, and p's sub-graph (Less,
 * Cast, Mul... on the activations) is then not needed at all.
 */
#include "import_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/mem.h"

int onnx_claims(const char *path)
{
    size_t n = strlen(path);
    unsigned char b[2];
    FILE *f;
    if (n > 5 && !strcmp(path + n - 5, ".onnx"))
        return 1;
    f = fopen(path, "rb");
    if (!f)
        return 0;
    n = fread(b, 1, 2, f);
    fclose(f);
    /* ModelProto field 1 (ir_version), varint: key 0x08, a small version */
    return n == 2 && b[0] == 0x08 && b[1] >= 3 && b[1] < 0x40;
}

static const bnnc_input *find_input(const bnnc_input *in, int n, const char *name)
{
    int k;
    for (k = 0; k < n; k++)
        if (!strcmp(in[k].name, name))
            return &in[k];
    return NULL;
}

/* A graph input that no initializer gives: an IR INPUT whose shape is the
 * --input one, or the declared one when every dimension is a number. */
static int import_input(onnx_imp *im, const onnx_value_info *vi, const bnnc_input *inputs,
                        int n_inputs)
{
    const bnnc_input *given = find_input(inputs, n_inputs, vi->name);
    const onnx_type *t = &vi->type;
    ir_node *n;
    ir_shape s;
    size_t k;
    char nb[256];
    bnnc_excerpt(vi->name, nb, sizeof nb);
    if (t->kind != ONNX_TYPE_TENSOR)
        return bnnc_errf(im->err, "%s: graph input '%s' is not a tensor", im->m->path, nb);
    if (t->elem_type != ONNX_FLOAT && t->elem_type != 0)
        return bnnc_errf(im->err, "%s: graph input '%s' is %s; bnnc reads float32 inputs",
                         im->m->path, nb, onnx_dtype_name(t->elem_type));
    memset(&s, 0, sizeof s);
    if (given) {
        s = given->shape;
        if (t->has_shape && t->ndim != (size_t)s.ndim)
            return bnnc_errf(im->err, "%s: --input %s has %d dimensions, the graph declares %zu",
                             im->m->path, nb, s.ndim, t->ndim);
        for (k = 0; t->has_shape && k < t->ndim; k++)
            if (t->dims[k].has_value && t->dims[k].value != s.d[k])
                return bnnc_errf(im->err,
                                 "%s: --input %s: dimension %zu is %lld, the graph declares %lld",
                                 im->m->path, nb, k, (long long)s.d[k],
                                 (long long)t->dims[k].value);
    } else {
        if (!t->has_shape || t->ndim > IR_MAX_DIMS)
            return bnnc_errf(im->err, "%s: graph input '%s' has no usable shape; pass --input "
                             "%s=N,C,H,W", im->m->path, nb, nb);
        s.ndim = (int)t->ndim;
        for (k = 0; k < t->ndim; k++) {
            if (!t->dims[k].has_value || t->dims[k].value <= 0)
                return bnnc_errf(im->err,
                                 "%s: graph input '%s' has a dynamic dimension %zu (%s); fix "
                                 "it with --input %s=...", im->m->path, nb, k,
                                 t->dims[k].param ? t->dims[k].param : "unknown", nb);
            s.d[k] = t->dims[k].value;
        }
    }
    {
        int64_t count = 1;
        for (k = 0; k < (size_t)s.ndim; k++) {
            if (s.d[k] < 1 || s.d[k] > (1 << 24) || count > ((int64_t)1 << 31) / s.d[k])
                return bnnc_errf(im->err, "%s: graph input '%s' of this shape is too large",
                                 im->m->path, nb);
            count *= s.d[k];
        }
    }
    n = ir_node_add(im->g, IR_OP_INPUT, vi->name, "input", -1);
    n->n_out = 1;
    n->shape = xcalloc(1, sizeof *n->shape);
    n->shape[0] = s;
    return onnx_def_ir(im, vi->name, (ir_ref){n->id, 0});
}

/* ---- which nodes are needed ------------------------------------------- */

/* Marks the nodes the outputs depend on (need[i]) and, for
 * Add(Sub(s, p), p) nodes, the value they are (alias[i] = s). */
static int needed_nodes(onnx_imp *im, unsigned char *need, const char **alias)
{
    const onnx_graph *og = im->og;
    strmap producer;
    size_t i, *stack, sp = 0;
    int rc = 0;
    strmap_init(&producer, og->n_nodes * 2 + 1);
    for (i = 0; i < og->n_nodes; i++) {
        size_t k;
        for (k = 0; k < og->nodes[i].n_outputs; k++)
            if (og->nodes[i].outputs[k][0])
                strmap_put(&producer, og->nodes[i].outputs[k], (int)i);
    }
    for (i = 0; i < og->n_nodes; i++) {
        const onnx_node *n = &og->nodes[i];
        int s;
        if (strcmp(n->op_type, "Add") || n->domain[0] || n->n_inputs != 2)
            continue;
        for (s = 0; s < 2; s++) {
            int p = strmap_get(&producer, n->inputs[s]);
            const onnx_node *sub = p < 0 ? NULL : &og->nodes[p];
            if (sub && !strcmp(sub->op_type, "Sub") && !sub->domain[0] && sub->n_inputs == 2 &&
                !strcmp(sub->inputs[1], n->inputs[1 - s])) {
                alias[i] = sub->inputs[0];
                break;
            }
        }
    }
    stack = xmalloc(sizeof *stack * (og->n_nodes + 1));
    for (i = 0; i < og->n_outputs; i++) {
        int p = strmap_get(&producer, og->outputs[i].name);
        if (p >= 0 && !need[p]) {
            need[p] = 1;
            stack[sp++] = (size_t)p;
        }
    }
    while (sp) {
        const onnx_node *n = &og->nodes[stack[--sp]];
        size_t k, idx = (size_t)(n - og->nodes);
        size_t nin = alias[idx] ? 1 : n->n_inputs;
        for (k = 0; k < nin; k++) {
            const char *in = alias[idx] ? alias[idx] : n->inputs[k];
            int p = in[0] ? strmap_get(&producer, in) : -1;
            if (p >= 0 && !need[p]) {
                need[p] = 1;
                stack[sp++] = (size_t)p;
            }
        }
    }
    free(stack);
    strmap_free(&producer);
    return rc;
}

/* ---- the graph --------------------------------------------------------- */

static int import_model(onnx_imp *im, const bnnc_input *inputs, int n_inputs)
{
    const onnx_graph *og = im->og;
    unsigned char *need;
    const char **alias;
    size_t i;
    int rc = -1, k;

    if (onnx_model_check_opsets(im->m, im->err))
        return -1;
    im->opset = onnx_opset_version(im->m, "");
    for (k = 0; k < n_inputs; k++) {
        for (i = 0; i < og->n_inputs; i++)
            if (!strcmp(og->inputs[i].name, inputs[k].name) &&
                !onnx_graph_initializer(og, inputs[k].name))
                break;
        if (i == og->n_inputs)
            return bnnc_errf(im->err, "%s: --input %s: the graph has no data input of that "
                             "name", im->m->path, inputs[k].name);
    }
    for (i = 0; i < og->n_initializers; i++)
        if (onnx_tensor_value(im, og->initializers[i].name, &og->initializers[i]))
            return -1;
    for (i = 0; i < og->n_inputs; i++) {
        if (onnx_graph_initializer(og, og->inputs[i].name))
            continue; /* an input with a default value: a constant for AOT */
        if (import_input(im, &og->inputs[i], inputs, n_inputs))
            return -1;
    }

    need = xcalloc(og->n_nodes + 1, 1);
    alias = xcalloc(og->n_nodes + 1, sizeof *alias);
    needed_nodes(im, need, alias);
    for (i = 0; i < og->n_nodes; i++) {
        const onnx_node *n = &og->nodes[i];
        if (!need[i])
            continue;
        im->cur = n;
        im->cur_index = (int)i;
        snprintf(im->cur_name, sizeof im->cur_name, "%s",
                 n->name[0] ? n->name : n->n_outputs ? n->outputs[0] : "");
        if (alias[i]) {
            oval *s = onnx_val(im, alias[i]);
            if (!s) {
                onnx_nerr(im, "input '%s' is not defined before the node", alias[i]);
                goto out;
            }
            if (onnx_def_alias(im, n->outputs[0], s))
                goto out;
            continue;
        }
        if (onnx_import_node(im))
            goto out;
        for (k = 0; k < (int)n->n_outputs; k++) {
            oval *o = n->outputs[k][0] ? onnx_slot(im, n->outputs[k]) : NULL;
            if (o && o->state == V_UNDEF) {
                o->state = V_NOT_COMPUTED;
                o->producer = (int)i;
            }
        }
    }
    im->cur = NULL;

    im->g->n_heads = (int)og->n_outputs;
    im->g->heads = xcalloc(og->n_outputs + 1, sizeof *im->g->heads);
    for (i = 0; i < og->n_outputs; i++) {
        oval *v = onnx_val(im, og->outputs[i].name);
        char nb[256];
        if (!v) {
            int j = strmap_get(&im->names, og->outputs[i].name);
            if (j >= 0 && im->vals[j]->state == V_NOT_COMPUTED) {
                const onnx_node *p = &og->nodes[im->vals[j]->producer];
                bnnc_errf(im->err, "%s: graph output '%s' is an output of node '%s' (%s) "
                          "that bnnc does not compute", im->m->path,
                          bnnc_excerpt(og->outputs[i].name, nb, sizeof nb),
                          p->name[0] ? p->name : p->outputs[0], p->op_type);
                goto out;
            }
            bnnc_errf(im->err, "%s: graph output '%s' is not computed by any node", im->m->path,
                      bnnc_excerpt(og->outputs[i].name, nb, sizeof nb));
            goto out;
        }
        if (v->state == V_CONST)
            onnx_ref(im, v); /* a constant output: its values are the output */
        im->g->heads[i] = v->ref;
    }
    if (!og->n_outputs) {
        bnnc_errf(im->err, "%s: the graph has no outputs", im->m->path);
        goto out;
    }
    /* constants are made when first used, after the node using them:
     * restore the topological order (stable) */
    ir_sort(im->g);
    rc = 0;
out:
    free(need);
    free(alias);
    return rc;
}

int onnx_import_model(const onnx_model *m, const bnnc_input *inputs, int n_inputs,
                      ir_graph *g, bnnc_err *err)
{
    onnx_imp im;
    size_t i;
    int rc;

    ir_graph_init(g);
    g->symbol_path = xstrdup(m->path);
    g->params_path = xstrdup(""); /* one file: the model holds the weights */
    g->layout = IR_LAYOUT_NCHW;
    memset(&im, 0, sizeof im);
    im.m = m;
    im.og = &m->graph;
    im.g = g;
    im.err = err;
    strmap_init(&im.names, m->graph.n_nodes * 2 + m->graph.n_initializers + 16);
    rc = import_model(&im, inputs, n_inputs);
    strmap_free(&im.names);
    for (i = 0; i < im.n_ints; i++)
        free(im.ints[i]);
    free(im.ints);
    for (i = 0; i < im.n_vals; i++)
        free(im.vals[i]);
    free(im.vals);
    if (rc)
        ir_graph_free(g);
    return rc;
}

int onnx_import_file(const char *path, const bnnc_input *inputs, int n_inputs, ir_graph *g,
                     bnnc_err *err)
{
    onnx_model m;
    int rc;

    ir_graph_init(g);
    if (onnx_model_load(path, &m, err))
        return -1;
    rc = onnx_import_model(&m, inputs, n_inputs, g, err);
    /* nothing in the graph points into the model: the names of IR nodes
     * and the constants' values are copies */
    onnx_model_free(&m);
    return rc;
}
