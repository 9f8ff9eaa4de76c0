/*
 * values.c - the values of the ONNX graph while it is imported (see
 * import_impl.h): defining them, reading them as the current node's
 * inputs, making IR nodes and constants, attributes, errors naming the
 * node. Used by import.c (the graph) and ops.c (the operators); calls
 * neither.
 */
#include "import_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/mem.h"

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

oval *onnx_slot(onnx_imp *im, const char *name)
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
    oval *v = onnx_slot(im, name);
    if (v->state != V_UNDEF)
        return redefined(im, name);
    v->state = V_IR;
    v->ref = r;
    v->shape = im->g->nodes[r.node]->shape[r.out];
    return 0;
}

int onnx_def_alias(onnx_imp *im, const char *name, const oval *src)
{
    oval copy = *src, *v = onnx_slot(im, name);
    if (v->state != V_UNDEF)
        return redefined(im, name);
    copy.name = v->name;
    *v = copy;
    return 0;
}

oval *onnx_def_const(onnx_imp *im, const char *name, const ir_shape *s, int is_int)
{
    oval *v = onnx_slot(im, name);
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
