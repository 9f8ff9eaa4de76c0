/*
 * import.c - MXNet symbol + params -> IR (see import.h).
 *
 * Two passes over the JSON nodes. The first reads every operator's
 * attributes (ops.c: its row and reader) into a prototype node, so that
 * the role of every input slot is known; the second creates the IR nodes
 * in file order, binding each variable by its first use: a data input, or
 * a constant from the params (packed BMXNet words keep their bytes).
 * The constants' memory moves from the params into the graph.
 */
#include "import.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "../../util/mem.h"
#include "../../util/strmap.h"
#include "mxnet.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_LITTLE_ENDIAN 0
#else
#define HOST_LITTLE_ENDIAN 1
#endif

/* Role of an operator input slot, which decides how a variable feeding it
 * is bound. */
typedef enum {
    ROLE_DATA,   /* activation; a variable here is a data input or a const */
    ROLE_PARAM,  /* learned parameter: must be in the params file */
    ROLE_AUX,    /* auxiliary state (BatchNorm moving stats) */
    ROLE_PACKED, /* bit-packed BMXNet weights: bytes kept as stored */
    ROLE_LABEL   /* loss label: unused at inference */
} slot_role;

/* Role of input slot i of an imported node: its operand kind (ops.def, or
 * the frontend op's), and MXNet's loss labels, which inference ignores. */
static slot_role input_role(const ir_node *n, int i)
{
    if (i > 0 && (n->op == IR_OP_SOFTMAX || n->op == IR_OP_ACT || n->op == IR_OP_IDENTITY))
        return ROLE_LABEL; /* loss heads take (data, label) */
    switch (ir_node_slot_kind(n, i)) {
    case IR_SLOT_PARAM:
        return n->op == IR_OP_BATCHNORM && i >= 3 ? ROLE_AUX : ROLE_PARAM;
    case IR_SLOT_WEIGHTS:
        return bmx_slot_packed(n, i) ? ROLE_PACKED : ROLE_PARAM;
    case IR_SLOT_NONE:
    case IR_SLOT_DATA:
        break;
    }
    return ROLE_DATA;
}

typedef struct {
    ir_graph *g;
    const mx_symbol *sym;
    mx_params *params;
    const import_options *opt;
    bnnc_err *err;
    int *map;                  /* JSON node -> IR node, -1 for labels */
    unsigned char *param_used; /* per params array */
    strmap by_name, by_key;    /* params arrays by bare name and by key */
    slot_role *var_role;       /* per JSON variable: how it is used */
    int *var_user;             /* its deciding user (JSON node), or -1 */
    int *array_const;          /* per params array: the first CONST made of
                                  it (its bytes then belong to the graph) */
} importer;

/* The params array bound to variable `name` (mx_params_find's rule: the
 * first array of that bare name, else of that key), in O(1). */
static mx_array *find_param(const importer *im, const char *name)
{
    int i = strmap_get(&im->by_name, name);
    if (i < 0)
        i = strmap_get(&im->by_key, name);
    return i < 0 ? NULL : &im->params->arrays[i];
}

/* Make a CONST node holding params array `a` bound to a variable; the
 * array's memory goes to the graph when the constant uses it as is. */
static ir_node *make_const(importer *im, const char *name, mx_array *a, slot_role role,
                           int json_index)
{
    ir_node *c = ir_node_add(im->g, IR_OP_CONST, name, "variable", json_index);
    int i;
    c->a.c.shape.ndim = a->ndim;
    for (i = 0; i < a->ndim && i < IR_MAX_DIMS; i++)
        c->a.c.shape.d[i] = a->shape[i];
    c->a.c.stored_bytes = a->nbytes;
    c->a.c.source_name = xstrdup(a->key);
    if (im->array_const[a - im->params->arrays] >= 0) {
        /* the array is bound a second time: its bytes are the graph's
         * already; values are copied (passes may rewrite them in place) */
        const ir_const *first = &im->g->nodes[im->array_const[a - im->params->arrays]]->a.c;
        c->a.c.raw = first->raw;
        c->a.c.raw_bytes = first->raw_bytes;
        c->a.c.raw_elem_bytes = first->raw_elem_bytes;
        if (first->f) {
            c->a.c.f = ir_graph_floats(im->g, a->count);
            memcpy(c->a.c.f, first->f, sizeof(float) * a->count);
        }
    } else if (a->data &&
        (role == ROLE_PACKED ||
         (a->dtype == MX_F32 && (uintptr_t)a->data % sizeof(float) == 0 && HOST_LITTLE_ENDIAN))) {
        /* packed words are kept as stored; float32 as stored is already
         * the value: either way the array's bytes move to the graph */
        if (role == ROLE_PACKED) {
            c->a.c.raw = a->data;
            c->a.c.raw_bytes = a->nbytes;
            c->a.c.raw_elem_bytes = (int)mx_dtype_size(a->dtype);
        } else {
            c->a.c.f = (float *)(void *)a->data;
        }
        ir_graph_adopt(im->g, a->data);
        a->data = NULL;
    } else {
        c->a.c.f = ir_graph_floats(im->g, a->count);
        mx_array_to_f32(a, c->a.c.f);
    }
    im->param_used[a - im->params->arrays] = 1;
    if (im->array_const[a - im->params->arrays] < 0)
        im->array_const[a - im->params->arrays] = c->id;
    return c;
}

/* Bind variable node j of the symbol, used in `role` by `user`. */
static int bind_variable(importer *im, int j, slot_role role, const ir_node *user)
{
    const mx_node *mn = &im->sym->nodes[j];
    mx_array *a;
    ir_node *v;

    if (role == ROLE_LABEL) {
        im->map[j] = -1;
        return 0;
    }
    a = find_param(im, mn->name);
    if (!a && role != ROLE_DATA && im->params->count == 1 && !im->params->arrays[0].key[0] &&
        !im->param_used[0]) {
        /* a single unnamed array (bare .npy): the graph's one parameter */
        a = &im->params->arrays[0];
    }
    if (!a) {
        if (role != ROLE_DATA)
            return bnnc_errf(im->err, "%s: node '%s' (%s): parameter '%s' is missing from %s",
                             im->g->symbol_path, user->name, user->src_op, mn->name,
                             im->g->params_path);
        v = ir_node_add(im->g, IR_OP_INPUT, mn->name, "variable", j);
        im->map[j] = v->id;
        return 0;
    }
    if (a->is_none)
        return bnnc_errf(im->err,
                         "%s: parameter '%s' (used by node '%s') is an uninitialised (none) "
                         "array",
                         im->g->params_path, a->key, user->name);
    if (a->ndim > IR_MAX_DIMS)
        return bnnc_errf(im->err, "%s: parameter '%s' has %d dimensions", im->g->params_path,
                         a->key, a->ndim);
    if (role == ROLE_PACKED && a->dtype != MX_F32 && a->dtype != MX_F64)
        return bnnc_errf(im->err,
                         "%s: node '%s' (%s): packed weights '%s' are %s; BMXNet stores 32-bit "
                         "words as float32 and 64-bit words as float64",
                         im->g->symbol_path, user->name, user->src_op, a->key,
                         mx_dtype_name(a->dtype));
    v = make_const(im, mn->name, a, role, j);
    im->map[j] = v->id;
    return 0;
}

/* Role in which each variable is used (its first use decides; a variable
 * used as packed weights anywhere is packed; a label used as data too is
 * data), with the user that decided it, in one pass over the graph. */
static void variable_roles(importer *im, const ir_node *protos)
{
    int i, k;
    for (i = 0; i < im->sym->n_nodes; i++)
        im->var_user[i] = -1;
    for (i = 0; i < im->sym->n_nodes; i++) {
        const mx_node *mn = &im->sym->nodes[i];
        if (!strcmp(mn->op, "null"))
            continue;
        for (k = 0; k < mn->n_inputs; k++) {
            int j = mn->inputs[k].node;
            slot_role r;
            if (strcmp(im->sym->nodes[j].op, "null"))
                continue;
            r = input_role(&protos[i], k);
            if (im->var_user[j] < 0 || r == ROLE_PACKED ||
                (im->var_role[j] == ROLE_LABEL && r != ROLE_LABEL)) {
                im->var_role[j] = r;
                im->var_user[j] = i;
            }
        }
    }
}

/* Synthesise the aux inputs a <= 0.8 BatchNorm omits. */
static int synth_bn_aux(importer *im, const ir_node *bn, ir_ref *in, int *nin)
{
    static const char *const suffix[] = {"_moving_mean", "_moving_var"};
    int k;
    for (k = *nin - 3; k < 2; k++) {
        char name[1100];
        mx_array *a;
        ir_node *c;
        snprintf(name, sizeof name, "%s%s", bn->name, suffix[k]);
        a = find_param(im, name);
        if (!a)
            return bnnc_errf(im->err, "%s: node '%s' (%s): parameter '%s' is missing from %s",
                             im->g->symbol_path, bn->name, bn->src_op, name,
                             im->g->params_path);
        c = make_const(im, name, a, ROLE_AUX, -1);
        in[(*nin)++] = (ir_ref){c->id, 0};
    }
    return 0;
}

/* Read the attributes of JSON node j into proto (its row's reader) and
 * warn about keys nobody read. */
static int read_proto(importer *im, int j, ir_node *proto)
{
    const mx_node *mn = &im->sym->nodes[j];
    const mx_op_row *row = mx_op_find(mn->op);
    areader r;
    int i, k = 0, rc;
    if (!row)
        return bnnc_errf(im->err, "%s: node '%s' (%s): operator '%s' is not supported by bnnc",
                         im->sym->path, mn->name, mn->op, mn->op);
    proto->op = row->op;
    proto->name = (char *)mn->name;
    proto->src_op = (char *)mn->op;
    proto->n_out = 1;
    r.g = im->g;
    r.sym = im->sym;
    r.mn = mn;
    r.n = proto;
    r.err = im->err;
    r.used = xcalloc((size_t)(mn->n_attrs ? mn->n_attrs : 1), 1);
    rc = row->read(&r);
    for (i = 0; !rc && i < mn->n_attrs; i++) {
        const char *key = mn->attrs[i].key;
        char kb[96], vb[160], nb[160];
        if (r.used[i] || !strncmp(key, "__", 2))
            continue;
        if (++k <= 8)
            bnnc_warnf("%s: node '%s' (%s): ignoring unknown attribute %s=\"%s\"",
                       im->g->symbol_path, bnnc_excerpt(mn->name, nb, sizeof nb), mn->op,
                       bnnc_excerpt(key, kb, sizeof kb),
                       bnnc_excerpt(mn->attrs[i].value, vb, sizeof vb));
    }
    if (!rc && k > 8) {
        char nb[160];
        bnnc_warnf("%s: node '%s' (%s): ignoring %d more unknown attributes",
                   im->g->symbol_path, bnnc_excerpt(mn->name, nb, sizeof nb), mn->op, k - 8);
    }
    free(r.used);
    return rc;
}

static int import_op_node(importer *im, int j, ir_node *proto)
{
    const mx_node *mn = &im->sym->nodes[j];
    ir_node *n;
    ir_ref in[64];
    int nin = 0, k;

    if (mn->n_inputs > 60)
        return bnnc_errf(im->err, "%s: node '%s' (%s) has %d inputs", im->g->symbol_path,
                         mn->name, mn->op, mn->n_inputs);
    /* resolve inputs first so synthesized aux nodes come before the op */
    for (k = 0; k < mn->n_inputs; k++) {
        int src = mn->inputs[k].node;
        int idx = mn->inputs[k].index;
        int m = im->map[src];
        if (m < 0) {
            if (input_role(proto, k) == ROLE_LABEL)
                continue;
            return bnnc_errf(im->err, "%s: node '%s' (%s): input %d uses loss label '%s' as data",
                             im->g->symbol_path, mn->name, mn->op, k, im->sym->nodes[src].name);
        }
        if (input_role(proto, k) == ROLE_LABEL)
            continue; /* a bound label variable: ignored at inference */
        if (idx >= im->g->nodes[m]->n_out)
            return bnnc_errf(im->err,
                             "%s: node '%s' (%s): input %d uses output %d of '%s', which has %d "
                             "usable output%s",
                             im->g->symbol_path, mn->name, mn->op, k, idx,
                             im->g->nodes[m]->name, im->g->nodes[m]->n_out,
                             im->g->nodes[m]->n_out == 1 ? "" : "s");
        in[nin++] = (ir_ref){m, idx};
    }
    if (proto->op == IR_OP_BATCHNORM && nin == 3 && im->sym->legacy &&
        synth_bn_aux(im, proto, in, &nin))
        return -1;

    n = ir_node_add(im->g, proto->op, mn->name, mn->op, j);
    n->a = proto->a; /* the frontend op's attributes move to n */
    n->n_out = proto->n_out;
    proto->op = IR_OP_INPUT;
    ir_node_set_inputs(im->g, n, nin, in);
    im->map[j] = n->id;
    return 0;
}

int import_graph(const mx_symbol *sym, mx_params *params, const import_options *opt,
                 ir_graph *g, bnnc_err *err)
{
    importer im;
    ir_node *protos;
    int j, rc = -1;
    size_t i;
    static const import_options defaults = {0};

    ir_graph_init(g);
    g->symbol_path = xstrdup(sym->path);
    g->params_path = xstrdup(params->path ? params->path : "<params>");
    g->layout = IR_LAYOUT_NCHW;
    im.g = g;
    im.sym = sym;
    im.params = params;
    im.opt = opt ? opt : &defaults;
    im.err = err;
    im.map = xmalloc(sizeof *im.map * (size_t)sym->n_nodes);
    im.param_used = xcalloc(params->count ? params->count : 1, 1);
    im.var_role = xcalloc((size_t)sym->n_nodes, sizeof *im.var_role);
    im.var_user = xmalloc(sizeof *im.var_user * (size_t)sym->n_nodes);
    im.array_const = xmalloc(sizeof *im.array_const * (params->count ? params->count : 1));
    for (i = 0; i < params->count; i++)
        im.array_const[i] = -1;
    strmap_init(&im.by_name, params->count);
    strmap_init(&im.by_key, params->count);
    for (i = 0; i < params->count; i++) {
        const mx_array *a = &params->arrays[i];
        if (a->name)
            strmap_put(&im.by_name, a->name, (int)i);
        if (a->key)
            strmap_put(&im.by_key, a->key, (int)i);
    }

    /* Pass 1: every operator's attributes into prototypes, so that input
     * roles (which depend on attributes such as no_bias) are known before
     * variables are bound. */
    protos = xcalloc((size_t)sym->n_nodes, sizeof *protos);
    for (j = 0; j < sym->n_nodes; j++)
        if (strcmp(sym->nodes[j].op, "null") && read_proto(&im, j, &protos[j]))
            goto out;

    variable_roles(&im, protos);

    /* Pass 2: IR nodes in file order. */
    for (j = 0; j < sym->n_nodes; j++) {
        const mx_node *mn = &sym->nodes[j];
        if (!strcmp(mn->op, "null")) {
            const ir_node *user = im.var_user[j] < 0 ? NULL : &protos[im.var_user[j]];
            slot_role role = im.var_role[j];
            if (!user) {
                /* unused variable (e.g. a head itself): data or const */
                mx_array *a = find_param(&im, mn->name);
                ir_node *v = a ? make_const(&im, mn->name, a, ROLE_DATA, j)
                               : ir_node_add(g, IR_OP_INPUT, mn->name, "variable", j);
                im.map[j] = v->id;
                continue;
            }
            if (bind_variable(&im, j, role, user))
                goto out;
            continue;
        }
        if (import_op_node(&im, j, &protos[j]))
            goto out;
    }

    g->n_heads = sym->n_heads;
    g->heads = xmalloc(sizeof *g->heads * (size_t)sym->n_heads);
    for (j = 0; j < sym->n_heads; j++) {
        int m = im.map[sym->heads[j].node];
        if (m < 0) {
            bnnc_errf(err, "%s: head %d is a loss label", sym->path, j);
            goto out;
        }
        if (sym->heads[j].index >= g->nodes[m]->n_out) {
            bnnc_errf(err, "%s: head %d uses output %d of '%s'", sym->path, j,
                      sym->heads[j].index, g->nodes[m]->name);
            goto out;
        }
        g->heads[j] = (ir_ref){m, sym->heads[j].index};
    }
    ir_uses_rebuild(g);

    for (i = 0; i < params->count; i++) {
        const mx_array *a = &params->arrays[i];
        if (im.param_used[i])
            continue;
        if (!im.opt->allow_extra_params && !a->is_none) {
            bnnc_errf(err,
                      "%s: parameter '%s' is not used by any node of %s (pass "
                      "--allow-extra-params to ignore unused parameters)",
                      g->params_path, a->key, g->symbol_path);
            goto out;
        }
        bnnc_warnf("%s: ignoring parameter '%s', which no node uses", g->params_path, a->key);
    }
    rc = 0;
out:
    /* attributes of frontend ops not moved into a node */
    for (j = 0; j < sym->n_nodes; j++)
        if (protos[j].op == IR_OP_FRONTEND && protos[j].a.fe.op->free_attrs)
            protos[j].a.fe.op->free_attrs(protos[j].a.fe.attrs);
    free(protos);
    free(im.map);
    free(im.param_used);
    free(im.var_role);
    free(im.var_user);
    free(im.array_const);
    strmap_free(&im.by_name);
    strmap_free(&im.by_key);
    mx_params_free(params);
    if (rc)
        ir_graph_free(g);
    return rc;
}

int import_files(const char *symbol_path, const char *params_path, const import_options *opt,
                 ir_graph *g, bnnc_err *err)
{
    mx_symbol sym;
    mx_params params;
    int rc;

    ir_graph_init(g);
    if (mx_symbol_load(symbol_path, &sym, err)) {
        mx_symbol_free(&sym);
        return -1;
    }
    if (mx_params_load(params_path, &params, err)) {
        mx_symbol_free(&sym);
        mx_params_free(&params);
        return -1;
    }
    rc = import_graph(&sym, &params, opt, g, err);
    mx_symbol_free(&sym);
    return rc;
}
