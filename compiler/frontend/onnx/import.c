/*
 * import.c - ONNX model -> IR (see import.h): the values of the graph,
 * which nodes are needed, and the graph's inputs and outputs. The
 * operators themselves are rows in ops.c.
 *
 * Only the nodes the graph outputs depend on are imported. One pattern is
 * resolved before that: PyTorch's straight-through estimators export
 * `s - p + p` (the forward value s, plus and minus a surrogate p whose
 * gradient is used): Add(Sub(s, p), p) is s, and p's sub-graph (Less,
 * Cast, Mul... on the activations) is then not needed at all.
 */
#include "import_impl.h"

#include <stdarg.h>
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

int onnx_nerr(onnx_imp *im, const char *fmt, ...)
{
    char msg[BNNC_ERR_MAX], name[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!im->cur)
        return bnnc_errf(im->err, "%s: %s", im->m->path, msg);
    return bnnc_errf(im->err, "%s: node '%s' (%s%s%s): %s", im->m->path,
                     bnnc_excerpt(im->cur_name, name, sizeof name),
                     im->cur->domain[0] ? im->cur->domain : "",
                     im->cur->domain[0] ? "." : "", im->cur->op_type, msg);
}

oval *onnx_val(onnx_imp *im, const char *name)
{
    int i = strmap_get(&im->names, name);
    return i < 0 || im->vals[i]->state == V_UNDEF || im->vals[i]->state == V_NOT_COMPUTED
               ? NULL : im->vals[i];
}

oval *onnx_in(onnx_imp *im, int k, int *bad)
{
    const char *name;
    oval *v;
    if (k >= (int)im->cur->n_inputs || !(name = im->cur->inputs[k])[0])
        return NULL;
    v = onnx_val(im, name);
    if (!v) {
        char nb[256];
        int i = strmap_get(&im->names, name);
        if (i >= 0 && im->vals[i]->state == V_NOT_COMPUTED) {
            const onnx_node *p = &im->og->nodes[im->vals[i]->producer];
            onnx_nerr(im, "input '%s' is an output of node '%s' (%s) that bnnc does not "
                      "compute", bnnc_excerpt(name, nb, sizeof nb),
                      p->name[0] ? p->name : p->outputs[0], p->op_type);
            *bad = 1;
            return NULL;
        }
        onnx_nerr(im, "input '%s' is not defined before the node (the graph is not "
                  "topologically sorted, or names a missing tensor)",
                  bnnc_excerpt(name, nb, sizeof nb));
        *bad = 1;
    }
    return v;
}

/* The slot for value name (created undefined). */
static oval *slot(onnx_imp *im, const char *name)
{
    int i = strmap_get(&im->names, name);
    if (i >= 0)
        return im->vals[i];
    xgrow((void **)&im->vals, &im->cap_vals, im->n_vals + 1, sizeof *im->vals);
    /* the map keeps pointers to names: they live in the model */
    im->vals[im->n_vals] = xcalloc(1, sizeof **im->vals);
    im->vals[im->n_vals]->name = name;
    strmap_put(&im->names, name, (int)im->n_vals);
    return im->vals[im->n_vals++];
}

static int redefined(onnx_imp *im, const char *name)
{
    char nb[256];
    return onnx_nerr(im, "tensor '%s' is defined twice", bnnc_excerpt(name, nb, sizeof nb));
}

int onnx_def_ir(onnx_imp *im, const char *name, ir_ref r)
{
    oval *v = slot(im, name);
    if (v->state != V_UNDEF)
        return redefined(im, name);
    v->state = V_IR;
    v->ref = r;
    v->shape = im->g->nodes[r.node]->shape[r.out];
    return 0;
}

int onnx_def_alias(onnx_imp *im, const char *name, const oval *src)
{
    oval copy = *src, *v = slot(im, name);
    if (v->state != V_UNDEF)
        return redefined(im, name);
    copy.name = v->name;
    *v = copy;
    return 0;
}

oval *onnx_def_const(onnx_imp *im, const char *name, const ir_shape *s, int is_int)
{
    oval *v = slot(im, name);
    int64_t n = 1;
    int k;
    for (k = 0; k < s->ndim; k++) {
        if (s->d[k] < 0 || (s->d[k] && n > ((int64_t)1 << 28) / s->d[k])) {
            onnx_nerr(im, "a constant of more than 2^28 elements is not supported");
            return NULL;
        }
        n *= s->d[k];
    }
    if (v->state != V_UNDEF) {
        redefined(im, name);
        return NULL;
    }
    v->state = V_CONST;
    v->ref = (ir_ref){-1, 0};
    v->shape = *s;
    v->is_int = is_int;
    v->n = n;
    if (is_int) {
        v->i = xcalloc((size_t)(n ? n : 1), sizeof *v->i);
        xgrow((void **)&im->ints, &im->cap_ints, im->n_ints + 1, sizeof *im->ints);
        im->ints[im->n_ints++] = v->i;
    } else {
        v->f = ir_graph_floats(im->g, (size_t)(n ? n : 1));
        memset(v->f, 0, sizeof(float) * (size_t)(n ? n : 1));
    }
    return v;
}

const ir_shape *onnx_shape(onnx_imp *im, const oval *v)
{
    return v->state == V_IR ? &im->g->nodes[v->ref.node]->shape[v->ref.out] : &v->shape;
}

double onnx_cget(const oval *v, int64_t k)
{
    return v->is_int ? (double)v->i[k] : (double)v->f[k];
}

ir_ref onnx_ref(onnx_imp *im, oval *v)
{
    ir_node *c;
    int64_t k;
    if (v->state == V_IR || v->ref.node >= 0)
        return v->ref;
    if (v->name[0]) {
        c = ir_node_add(im->g, IR_OP_CONST, v->name, "initializer", -1);
    } else {
        /* an anonymous constant (the "" slot, reused once made a node):
         * named after the node it is made for */
        char name[600];
        snprintf(name, sizeof name, "%s/const", im->cur_name);
        c = ir_node_add(im->g, IR_OP_CONST, name, "initializer", -1);
    }
    c->a.c.shape = v->shape;
    c->a.c.source_name = xstrdup(c->name);
    c->a.c.stored_bytes = (size_t)v->n * 4;
    if (v->is_int) {
        c->a.c.f = ir_graph_floats(im->g, (size_t)(v->n ? v->n : 1));
        for (k = 0; k < v->n; k++)
            c->a.c.f[k] = (float)v->i[k];
    } else {
        c->a.c.f = v->f;
    }
    c->n_out = 1;
    c->shape = xcalloc(1, sizeof *c->shape);
    c->shape[0] = v->shape;
    v->ref = (ir_ref){c->id, 0};
    return v->ref;
}

ir_node *onnx_new_node(onnx_imp *im, ir_op op, const char *suffix)
{
    char name[600];
    ir_node *n;
    snprintf(name, sizeof name, "%s%s", im->cur_name, suffix);
    n = ir_node_add(im->g, op, name, im->cur->op_type, im->cur_index);
    n->n_out = 1;
    return n;
}

int onnx_finish(onnx_imp *im, ir_node *n, int n_in, const ir_ref *in)
{
    ir_node_set_inputs(im->g, n, n_in, in);
    return shape_infer_node(im->g, n, im->err);
}

int64_t onnx_attr_i(onnx_imp *im, const char *name, int64_t def)
{
    const onnx_attr *a = onnx_node_attr(im->cur, name);
    return a && a->type == ONNX_ATTR_INT ? a->i : def;
}

double onnx_attr_f(onnx_imp *im, const char *name, double def)
{
    const onnx_attr *a = onnx_node_attr(im->cur, name);
    return a && a->type == ONNX_ATTR_FLOAT ? (double)a->f : def;
}

const char *onnx_attr_s(onnx_imp *im, const char *name, const char *def)
{
    const onnx_attr *a = onnx_node_attr(im->cur, name);
    return a && a->type == ONNX_ATTR_STRING ? a->s.s : def;
}

int onnx_attr_ints(onnx_imp *im, const char *name, int64_t *v, int max)
{
    const onnx_attr *a = onnx_node_attr(im->cur, name);
    size_t i;
    if (!a || a->type != ONNX_ATTR_INTS)
        return 0;
    if (a->n > (size_t)max)
        return onnx_nerr(im, "attribute %s has %zu values, at most %d are supported", name,
                         a->n, max);
    for (i = 0; i < a->n; i++)
        v[i] = a->ints[i];
    return (int)a->n;
}

/* ---- initializers and inputs ----------------------------------------- */

/* An initializer (or Constant's tensor) as a constant value. */
int onnx_tensor_value(onnx_imp *im, const char *name, const onnx_tensor *t)
{
    ir_shape s;
    oval *v;
    uint64_t k;
    int is_int;
    char nb[256];
    if (t->ndim > IR_MAX_DIMS)
        return onnx_nerr(im, "tensor '%s' has %zu dimensions, at most %d are supported",
                         bnnc_excerpt(name, nb, sizeof nb), t->ndim, IR_MAX_DIMS);
    switch (t->dtype) {
    case ONNX_FLOAT: case ONNX_DOUBLE: case ONNX_FLOAT16: case ONNX_BFLOAT16:
        is_int = 0;
        break;
    case ONNX_INT8: case ONNX_UINT8: case ONNX_INT16: case ONNX_UINT16: case ONNX_INT32:
    case ONNX_INT64: case ONNX_UINT32: case ONNX_BOOL:
        is_int = 1;
        break;
    default:
        return onnx_nerr(im, "tensor '%s' is %s, which bnnc does not read",
                         bnnc_excerpt(name, nb, sizeof nb), onnx_dtype_name(t->dtype));
    }
    memset(&s, 0, sizeof s);
    s.ndim = (int)t->ndim;
    for (k = 0; k < t->ndim; k++)
        s.d[k] = t->dims[k];
    if (t->count > ((uint64_t)1 << 31))
        return onnx_nerr(im, "tensor '%s' has %llu elements; at most 2^31 are supported",
                         bnnc_excerpt(name, nb, sizeof nb), (unsigned long long)t->count);
    v = onnx_def_const(im, name, &s, is_int);
    if (!v)
        return -1;
    for (k = 0; k < t->count; k++) {
        if (is_int) {
            if (onnx_tensor_get_i64(t, k, &v->i[k]))
                return onnx_nerr(im, "tensor '%s': element %llu cannot be read",
                                 bnnc_excerpt(name, nb, sizeof nb), (unsigned long long)k);
        } else {
            double d;
            if (onnx_tensor_get_f64(t, k, &d))
                return onnx_nerr(im, "tensor '%s': element %llu cannot be read",
                                 bnnc_excerpt(name, nb, sizeof nb), (unsigned long long)k);
            v->f[k] = (float)d;
        }
    }
    return 0;
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
            oval *o = n->outputs[k][0] ? slot(im, n->outputs[k]) : NULL;
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
