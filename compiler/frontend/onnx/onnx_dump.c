/*
 * onnx_dump.c - a readable listing of a decoded ONNX model (onnx_dump).
 *
 * One line per opset, graph input/output, initializer and node, one per
 * attribute under its node; subgraphs (If/Loop/Scan bodies) are listed
 * under their attribute, indented. Tensors show dtype, shape, where the
 * values were stored and their first values; floats are printed with
 * %.9g so that a float32 reads back exactly. Every name goes through
 * bnnc_excerpt, so control characters in a hostile file cannot reach the
 * terminal.
 */
#include "onnx.h"

#include <inttypes.h>
#include <string.h>

#define DUMP_VALUES 8    /* values shown per tensor or list attribute */

static void dump_graph(FILE *f, const onnx_graph *g, int ind);

static const char *nm(const char *s, char *buf, size_t size)
{
    return bnnc_excerpt(s ? s : "", buf, size);
}

static void dump_type(FILE *f, const onnx_type *t)
{
    char b[256];
    switch (t->kind) {
    case ONNX_TYPE_NONE:
        fputs("(no type)", f);
        return;
    case ONNX_TYPE_SEQUENCE:
    case ONNX_TYPE_OPTIONAL:
        fputs(t->kind == ONNX_TYPE_SEQUENCE ? "sequence<" : "optional<", f);
        if (t->elem)
            dump_type(f, t->elem);
        fputc('>', f);
        return;
    case ONNX_TYPE_MAP:
        fprintf(f, "map<%s, ", onnx_dtype_name(t->elem_type));
        if (t->elem)
            dump_type(f, t->elem);
        fputc('>', f);
        return;
    case ONNX_TYPE_OPAQUE:
        fputs("opaque", f);
        return;
    default:
        break;
    }
    fprintf(f, "%s%s", t->kind == ONNX_TYPE_SPARSE_TENSOR ? "sparse " : "",
            t->elem_type ? onnx_dtype_name(t->elem_type) : "(no dtype)");
    if (!t->has_shape) {
        fputs(" [rank unknown]", f);
        return;
    }
    fputs(" [", f);
    for (size_t i = 0; i < t->ndim; i++) {
        const onnx_dim *d = &t->dims[i];
        if (i)
            fputc(',', f);
        if (d->param)
            fputs(nm(d->param, b, sizeof b), f);
        else if (d->has_value)
            fprintf(f, "%" PRId64, d->value);
        else
            fputc('?', f);
    }
    fputc(']', f);
}

static void dump_shape(FILE *f, size_t ndim, const int64_t *dims)
{
    fputc('[', f);
    for (size_t i = 0; i < ndim; i++)
        fprintf(f, "%s%" PRId64, i ? "," : "", dims[i]);
    fputc(']', f);
}

static void dump_bytes(FILE *f, const onnx_bytes *s)
{
    char b[256];
    /* a NUL inside shows as '?' through the excerpt of the whole buffer */
    char tmp[81];
    size_t n = s->len < 80 ? s->len : 80;
    for (size_t i = 0; i < n; i++)
        tmp[i] = s->s[i] ? s->s[i] : '?';
    tmp[n] = '\0';
    fprintf(f, "\"%s%s\"", nm(tmp, b, sizeof b), s->len > 80 ? "..." : "");
}

static void dump_tensor(FILE *f, const onnx_tensor *t)
{
    static const char *const src[] = {"empty", "raw_data", "typed field",
                                      "external"};
    char b[256];
    fprintf(f, "%s ", onnx_dtype_name(t->dtype));
    dump_shape(f, t->ndim, t->dims);
    fprintf(f, " %s", src[t->source]);
    if (t->source == ONNX_DATA_EXTERNAL)
        fprintf(f, " '%s' @%" PRIu64, nm(t->location, b, sizeof b),
                t->ext_offset);
    if (t->dtype != ONNX_STRING)
        fprintf(f, " %zu bytes", t->nbytes);
    if (!t->count)
        return;
    fputs(" = [", f);
    for (uint64_t i = 0; i < t->count && i < DUMP_VALUES; i++) {
        double d;
        int64_t x;
        if (i)
            fputs(", ", f);
        if (t->dtype == ONNX_STRING)
            dump_bytes(f, &t->strings[i]);
        else if (!onnx_tensor_get_i64(t, i, &x))
            fprintf(f, "%" PRId64, x);
        else if (!onnx_tensor_get_f64(t, i, &d))
            fprintf(f, "%.9g", d);
        else
            fputc('?', f);
    }
    fprintf(f, "%s]", t->count > DUMP_VALUES ? ", ..." : "");
}

static void dump_attr(FILE *f, const onnx_attr *a, int ind)
{
    char b[256];
    fprintf(f, "%*s%s = %s", ind, "", nm(a->name, b, sizeof b),
            onnx_attr_type_name(a->type));
    if (a->ref_attr_name) {
        fprintf(f, " ref '%s'\n", nm(a->ref_attr_name, b, sizeof b));
        return;
    }
    switch (a->type) {
    case ONNX_ATTR_FLOAT: fprintf(f, " %.9g", (double)a->f); break;
    case ONNX_ATTR_INT: fprintf(f, " %" PRId64, a->i); break;
    case ONNX_ATTR_STRING: fputc(' ', f); dump_bytes(f, &a->s); break;
    case ONNX_ATTR_TENSOR: fputc(' ', f); dump_tensor(f, a->t); break;
    case ONNX_ATTR_FLOATS: case ONNX_ATTR_INTS: case ONNX_ATTR_STRINGS:
        fputs(" [", f);
        for (size_t i = 0; i < a->n && i < DUMP_VALUES; i++) {
            if (i)
                fputs(", ", f);
            if (a->type == ONNX_ATTR_FLOATS)
                fprintf(f, "%.9g", (double)a->floats[i]);
            else if (a->type == ONNX_ATTR_INTS)
                fprintf(f, "%" PRId64, a->ints[i]);
            else
                dump_bytes(f, &a->strings[i]);
        }
        fprintf(f, "%s]", a->n > DUMP_VALUES ? ", ..." : "");
        break;
    case ONNX_ATTR_TENSORS:
        fprintf(f, " (%zu)\n", a->n);
        for (size_t i = 0; i < a->n; i++) {
            fprintf(f, "%*s", ind + 4, "");
            dump_tensor(f, &a->tensors[i]);
            fputc('\n', f);
        }
        return;
    case ONNX_ATTR_GRAPH:
        fputc('\n', f);
        dump_graph(f, a->g, ind + 4);
        return;
    case ONNX_ATTR_GRAPHS:
        fprintf(f, " (%zu)\n", a->n);
        for (size_t i = 0; i < a->n; i++)
            dump_graph(f, &a->graphs[i], ind + 4);
        return;
    case ONNX_ATTR_SPARSE_TENSOR:
    case ONNX_ATTR_SPARSE_TENSORS: {
        size_t n = a->type == ONNX_ATTR_SPARSE_TENSOR ? 1 : a->n;
        const onnx_sparse_tensor *sp = a->type == ONNX_ATTR_SPARSE_TENSOR
                                           ? a->sparse : a->sparse_tensors;
        fputc('\n', f);
        for (size_t i = 0; i < n; i++) {
            fprintf(f, "%*sdense ", ind + 4, "");
            dump_shape(f, sp[i].ndim, sp[i].dims);
            fputs(" values ", f);
            dump_tensor(f, &sp[i].values);
            fputs(" indices ", f);
            dump_tensor(f, &sp[i].indices);
            fputc('\n', f);
        }
        return;
    }
    case ONNX_ATTR_TYPE_PROTO:
        fputc(' ', f);
        dump_type(f, a->tp);
        break;
    case ONNX_ATTR_TYPE_PROTOS:
        for (size_t i = 0; i < a->n; i++) {
            fputs(i ? ", " : " ", f);
            dump_type(f, &a->types[i]);
        }
        break;
    default:
        break;
    }
    fputc('\n', f);
}

static void dump_names(FILE *f, const char *const *v, size_t n)
{
    char b[256];
    fputc('(', f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? ", " : "", v[i][0] ? nm(v[i], b, sizeof b)
                                                  : "\"\"");
    fputc(')', f);
}

static void dump_node(FILE *f, const onnx_node *n, size_t i, int ind)
{
    char b[256], o[80], d[80];
    fprintf(f, "%*snode %zu '%s' %s%s%s ", ind, "", i,
            nm(n->name, b, sizeof b), n->domain[0] ? nm(n->domain, d, sizeof d)
                                                   : "",
            n->domain[0] ? "." : "", nm(n->op_type, o, sizeof o));
    dump_names(f, n->inputs, n->n_inputs);
    fputs(" -> ", f);
    dump_names(f, n->outputs, n->n_outputs);
    fputc('\n', f);
    for (size_t k = 0; k < n->n_attrs; k++)
        dump_attr(f, &n->attrs[k], ind + 4);
}

static void dump_vi(FILE *f, const char *what, const onnx_value_info *v,
                    int ind)
{
    char b[256];
    fprintf(f, "%*s%s %s: ", ind, "", what, nm(v->name, b, sizeof b));
    dump_type(f, &v->type);
    fputc('\n', f);
}

static void dump_graph(FILE *f, const onnx_graph *g, int ind)
{
    char b[256];
    fprintf(f, "%*sgraph '%s': %zu nodes, %zu initializers, %zu inputs, "
            "%zu outputs\n", ind, "", nm(g->name, b, sizeof b), g->n_nodes,
            g->n_initializers, g->n_inputs, g->n_outputs);
    ind += 2;
    for (size_t i = 0; i < g->n_inputs; i++)
        dump_vi(f, "input", &g->inputs[i], ind);
    for (size_t i = 0; i < g->n_outputs; i++)
        dump_vi(f, "output", &g->outputs[i], ind);
    for (size_t i = 0; i < g->n_value_info; i++)
        dump_vi(f, "value_info", &g->value_info[i], ind);
    for (size_t i = 0; i < g->n_initializers; i++) {
        fprintf(f, "%*sinitializer %s: ", ind, "",
                nm(g->initializers[i].name, b, sizeof b));
        dump_tensor(f, &g->initializers[i]);
        fputc('\n', f);
    }
    for (size_t i = 0; i < g->n_nodes; i++)
        dump_node(f, &g->nodes[i], i, ind);
}

void onnx_dump(FILE *f, const onnx_model *m)
{
    char b[256], c[80], d[80];
    fprintf(f, "model %s: ir_version %" PRId64 ", producer '%s' '%s'\n",
            nm(m->path, b, sizeof b), m->ir_version,
            nm(m->producer_name, c, sizeof c),
            nm(m->producer_version, d, sizeof d));
    for (size_t i = 0; i < m->n_opsets; i++)
        fprintf(f, "opset %s %" PRId64 "\n",
                m->opsets[i].domain[0] ? nm(m->opsets[i].domain, b, sizeof b)
                                       : "ai.onnx",
                m->opsets[i].version);
    for (size_t i = 0; i < m->n_metadata; i++)
        fprintf(f, "metadata %s = %s\n", nm(m->metadata[i].key, b, sizeof b),
                nm(m->metadata[i].value, c, sizeof c));
    dump_graph(f, &m->graph, 0);
    for (size_t i = 0; i < m->n_functions; i++) {
        const onnx_function *fn = &m->functions[i];
        fprintf(f, "function %s%s%s ", fn->domain[0] ? nm(fn->domain, c, sizeof c) : "",
                fn->domain[0] ? "." : "", nm(fn->name, b, sizeof b));
        dump_names(f, fn->inputs, fn->n_inputs);
        fputs(" -> ", f);
        dump_names(f, fn->outputs, fn->n_outputs);
        fputc('\n', f);
        for (size_t k = 0; k < fn->n_opsets; k++)
            fprintf(f, "  opset %s %" PRId64 "\n",
                    fn->opsets[k].domain[0]
                        ? nm(fn->opsets[k].domain, b, sizeof b) : "ai.onnx",
                    fn->opsets[k].version);
        for (size_t k = 0; k < fn->n_attr_names; k++)
            fprintf(f, "  attribute %s\n", nm(fn->attr_names[k], b, sizeof b));
        for (size_t k = 0; k < fn->n_attr_defaults; k++)
            dump_attr(f, &fn->attr_defaults[k], 2);
        for (size_t k = 0; k < fn->n_nodes; k++)
            dump_node(f, &fn->nodes[k], k, 2);
    }
}
