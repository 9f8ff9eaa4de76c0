/*
 * ir.c - graph construction, use rewriting, checking and dumping.
 */
#include "ir.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/mem.h"

static const char *const op_names[] = {
#define OP(id, name, kind, operands, attrs, shape, lower) name,
#include "ops.def"
#undef OP
};
static const char *const op_kinds[] = {
#define OP(id, name, kind, operands, attrs, shape, lower) kind,
#include "ops.def"
#undef OP
};
static const char *const op_operands[] = {
#define OP(id, name, kind, operands, attrs, shape, lower) operands,
#include "ops.def"
#undef OP
};
_Static_assert(sizeof op_operands / sizeof *op_operands == IR_OP_COUNT,
               "op operand table out of step with ops.def");
_Static_assert(sizeof op_names / sizeof *op_names == IR_OP_COUNT,
               "op name table out of step with ops.def");
_Static_assert(sizeof op_kinds / sizeof *op_kinds == IR_OP_COUNT,
               "op kind table out of step with ops.def");

const char *const ir_act_kind_names[] = {"none", "relu", "sigmoid", "tanh", "softrelu",
                                         "softsign", "leaky", "elu", "selu", "gelu",
                                         "prelu", NULL};
const char *const ir_pool_type_names[] = {"max", "avg", "sum", NULL};
const char *const ir_pool_conv_names[] = {"valid", "full", NULL};
const char *const ir_scalar_kind_names[] = {"add", "sub", "rsub", "mul", "div",
                                            "rdiv", "max", "min", "pow", NULL};
const char *const ir_softmax_mode_names[] = {"last", "axis", "all", "channel", NULL};

/* ---- attribute schemas (from ops.def's lists) --------------------------- */

typedef enum { AT_INT, AT_BOOL, AT_DOUBLE, AT_INT2, AT_ENUM, AT_INTS, AT_SHAPE } attr_type;

typedef struct {
    const char *name;
    attr_type type;
    size_t offset;
    const char *const *names; /* AT_ENUM */
} attr_field;

#define SCHEMA_NAMES_INT(x) NULL
#define SCHEMA_NAMES_BOOL(x) NULL
#define SCHEMA_NAMES_DOUBLE(x) NULL
#define SCHEMA_NAMES_INT2(x) NULL
#define SCHEMA_NAMES_ENUM(x) ir_##x##_names
#define SCHEMA_NAMES_INTS(x) NULL
#define SCHEMA_NAMES_SHAPE(x) NULL
#define SCHEMA_FIELD(st, type, f, x) {#f, AT_##type, offsetof(st, f), SCHEMA_NAMES_##type(x)},

/* schema_conv, schema_dense, ... one per IR_ATTR_STRUCTS entry */
#define SCHEMA(member, LIST)                                                   \
    static const attr_field schema_##member[] = {                              \
        IR_ATTRS_##LIST(SCHEMA_FIELD, ir_##member##_attr){NULL, AT_INT, 0, NULL}};
IR_ATTR_STRUCTS(SCHEMA)
#undef SCHEMA
static const attr_field schema_none[] = {{NULL, AT_INT, 0, NULL}};

static const struct {
    const attr_field *fields;
    size_t offset;
} op_attrs[] = {
#define OP(id, name, kind, operands, attrs, shape, lower) \
    {schema_##attrs, offsetof(ir_node, a.attrs)},
#include "ops.def"
#undef OP
};
_Static_assert(sizeof op_attrs / sizeof *op_attrs == IR_OP_COUNT,
               "op attribute table out of step with ops.def");

/* "name=value" for every attribute field of n, space-separated. */
static void dump_attrs(const ir_node *n, FILE *f)
{
    const attr_field *a = op_attrs[n->op].fields;
    const char *base = (const char *)n + op_attrs[n->op].offset;
    char buf[96];
    int first = 1, k;
    for (; a && a->name; a++) {
        const void *p = base + a->offset;
        fprintf(f, "%s%s=", first ? " [" : " ", a->name);
        first = 0;
        switch (a->type) {
        case AT_INT:
        case AT_BOOL:
            fprintf(f, "%d", *(const int *)p);
            break;
        case AT_DOUBLE:
            fprintf(f, "%.9g", *(const double *)p);
            break;
        case AT_INT2:
            fprintf(f, "%dx%d", ((const int *)p)[0], ((const int *)p)[1]);
            break;
        case AT_ENUM: {
            int v = *(const int *)p, i;
            for (i = 0; a->names[i] && i < v; i++)
                ;
            fprintf(f, "%s", i == v && a->names[i] ? a->names[i] : "?");
            break;
        }
        case AT_INTS: {
            const ir_ints *v = p;
            fputc('(', f);
            for (k = 0; k < v->n && k < IR_MAX_INTS; k++)
                fprintf(f, "%s%d", k ? "," : "", v->v[k]);
            fputc(')', f);
            break;
        }
        case AT_SHAPE:
            fputs(ir_shape_str(p, buf, sizeof buf), f);
            break;
        }
    }
    if (!first)
        fputc(']', f);
}

const char *ir_op_name(ir_op op)
{
    return (unsigned)op < IR_OP_COUNT ? op_names[op] : "?";
}

const char *ir_op_kind(ir_op op)
{
    return (unsigned)op < IR_OP_COUNT ? op_kinds[op] : "?";
}

int ir_op_from_name(const char *name)
{
    int op;
    for (op = 0; op < IR_OP_COUNT; op++)
        if (!strcmp(op_names[op], name))
            return op;
    return -1;
}

const char *ir_node_op_name(const ir_node *n)
{
    return n->op == IR_OP_FRONTEND ? n->a.fe.op->name : ir_op_name(n->op);
}

const char *ir_node_kind(const ir_node *n)
{
    return n->op == IR_OP_FRONTEND ? n->a.fe.op->kind : ir_op_kind(n->op);
}

/* Operand kind of slot i from an operands string (see ops.def). */
static ir_slot_kind slot_kind(const char *s, int i)
{
    size_t len = strlen(s);
    char c;
    if (!len || i < 0)
        return IR_SLOT_NONE;
    if (s[len - 1] == '*') {
        if ((size_t)i >= len - 1)
            i = (int)len - 2;
        len--;
    }
    if ((size_t)i >= len)
        return IR_SLOT_NONE;
    c = s[i];
    return c == 'd' ? IR_SLOT_DATA : c == 'p' ? IR_SLOT_PARAM : IR_SLOT_WEIGHTS;
}

ir_slot_kind ir_node_slot_kind(const ir_node *n, int i)
{
    return slot_kind(n->op == IR_OP_FRONTEND ? n->a.fe.op->operands : op_operands[n->op], i);
}

ir_slot_kind ir_slot_kind_of(ir_op op, int i)
{
    return slot_kind((unsigned)op < IR_OP_COUNT ? op_operands[op] : "", i);
}

int64_t ir_shape_count(const ir_shape *s)
{
    int64_t c = 1;
    int i;
    for (i = 0; i < s->ndim; i++)
        c *= s->d[i];
    return c;
}

int64_t ir_conv_out_size(int64_t in, int k, int s, int p, int d)
{
    int64_t span = (int64_t)d * (k - 1) + 1;
    if (in + 2 * (int64_t)p < span || s < 1)
        return 0;
    return (in + 2 * (int64_t)p - span) / s + 1;
}

int ir_shape_equal(const ir_shape *a, const ir_shape *b)
{
    int i;
    if (a->ndim != b->ndim)
        return 0;
    for (i = 0; i < a->ndim; i++)
        if (a->d[i] != b->d[i])
            return 0;
    return 1;
}

char *ir_shape_str(const ir_shape *s, char *buf, size_t size)
{
    size_t n = 0;
    int i;
    n += (size_t)snprintf(buf + n, size - n, "(");
    for (i = 0; i < s->ndim && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%lld", i ? ", " : "",
                              (long long)s->d[i]);
    if (n < size)
        snprintf(buf + n, size - n, s->ndim == 1 ? ",)" : ")");
    return buf;
}

void ir_graph_init(ir_graph *g)
{
    memset(g, 0, sizeof *g);
}

static void node_free(ir_node *n)
{
    int i;
    free(n->uses);
    free(n->name);
    free(n->src_op);
    free(n->in);
    free(n->shape);
    for (i = 0; i < n->n_merged; i++)
        free(n->merged[i]);
    free(n->merged);
    if (n->op == IR_OP_CONST) {
        free(n->a.c.source_name); /* the data is the graph's */
    } else if (n->op == IR_OP_FRONTEND) {
        if (n->a.fe.op->free_attrs)
            n->a.fe.op->free_attrs(n->a.fe.attrs);
    } else if (n->op == IR_OP_BCONV || n->op == IR_OP_BDENSE) {
        free(n->a.b.scale);
        free(n->a.b.bias);
        free(n->a.b.w);
        free(n->a.b.w_param);
        free(n->a.b.out_a);
        free(n->a.b.out_b);
        free(n->a.b.thresh);
        free(n->a.b.dir);
    }
    free(n);
}

/* The constants' memory of a graph and its snapshots. */
typedef struct ir_store {
    void **blobs;
    size_t n, cap;
    int refs;
} ir_store;

void ir_graph_free(ir_graph *g)
{
    size_t i;
    for (i = 0; i < g->n; i++)
        node_free(g->nodes[i]);
    free(g->nodes);
    free(g->heads);
    free(g->symbol_path);
    free(g->params_path);
    if (g->store && --g->store->refs == 0) {
        for (i = 0; i < g->store->n; i++)
            free(g->store->blobs[i]);
        free(g->store->blobs);
        free(g->store);
    }
    memset(g, 0, sizeof *g);
}

void ir_graph_adopt(ir_graph *g, void *mem)
{
    if (!mem)
        return;
    if (!g->store) {
        g->store = xcalloc(1, sizeof *g->store);
        g->store->refs = 1;
    }
    xgrow((void **)&g->store->blobs, &g->store->cap, g->store->n + 1, sizeof *g->store->blobs);
    g->store->blobs[g->store->n++] = mem;
}

float *ir_graph_floats(ir_graph *g, size_t n)
{
    float *f = xmalloc(sizeof(float) * (n ? n : 1));
    ir_graph_adopt(g, f);
    return f;
}

static void *dup_mem(const void *p, size_t n)
{
    void *q;
    if (!p)
        return NULL;
    q = xmalloc(n ? n : 1);
    memcpy(q, p, n);
    return q;
}

void ir_graph_snapshot(const ir_graph *g, ir_graph *c)
{
    size_t i;
    int j;
    ir_graph_init(c);
    c->symbol_path = g->symbol_path ? xstrdup(g->symbol_path) : NULL;
    c->params_path = g->params_path ? xstrdup(g->params_path) : NULL;
    c->layout = g->layout;
    c->store = g->store;
    if (c->store)
        c->store->refs++;
    c->n_heads = g->n_heads;
    c->bitpacked_heads = g->bitpacked_heads;
    c->heads = dup_mem(g->heads, sizeof *g->heads * (size_t)g->n_heads);
    for (i = 0; i < g->n; i++) {
        const ir_node *n = g->nodes[i];
        ir_node *m = ir_node_add(c, n->op, n->name, n->src_op, n->src_index);
        BNNC_ASSERT(n->op != IR_OP_FRONTEND);
        m->n_in = n->n_in;
        m->in = dup_mem(n->in, sizeof *n->in * (size_t)(n->n_in ? n->n_in : 1));
        m->n_out = n->n_out;
        m->shape = dup_mem(n->shape, n->shape ? sizeof *n->shape * (size_t)n->n_out : 0);
        m->dead = n->dead;
        m->weight_only_binary = n->weight_only_binary;
        for (j = 0; j < n->n_merged; j++)
            ir_node_merge_name(m, n->merged[j]);
        m->a = n->a;
        if (n->op == IR_OP_CONST) {
            m->a.c.source_name = n->a.c.source_name ? xstrdup(n->a.c.source_name) : NULL;
        } else if (n->op == IR_OP_BCONV || n->op == IR_OP_BDENSE) {
            const ir_bin_attr *b = &n->a.b;
            int64_t ch = b->w_shape.d[0];
            size_t chf = sizeof(float) * (size_t)ch, chd = sizeof(double) * (size_t)ch;
            m->a.b.scale = dup_mem(b->scale, chf);
            m->a.b.bias = dup_mem(b->bias, chf);
            m->a.b.w = dup_mem(b->w, (size_t)ir_shape_count(&b->w_shape));
            m->a.b.w_param = b->w_param ? xstrdup(b->w_param) : NULL;
            m->a.b.out_a = dup_mem(b->out_a, chd);
            m->a.b.out_b = dup_mem(b->out_b, chd);
            m->a.b.thresh = dup_mem(b->thresh, sizeof(int32_t) * (size_t)ch);
            m->a.b.dir = dup_mem(b->dir, (size_t)ch);
        }
    }
    ir_uses_rebuild(c);
}

ir_node *ir_node_add(ir_graph *g, ir_op op, const char *name,
                     const char *src_op, int src_index)
{
    ir_node *n = xcalloc(1, sizeof *n);
    xgrow((void **)&g->nodes, &g->cap, g->n + 1, sizeof *g->nodes);
    n->id = (int)g->n;
    n->op = op;
    n->name = xstrdup(name);
    n->src_op = xstrdup(src_op);
    n->src_index = src_index;
    n->n_out = 1;
    g->nodes[g->n++] = n;
    return n;
}

static void use_add(ir_graph *g, ir_ref def, int user, int slot)
{
    ir_node *d = g->nodes[def.node];
    size_t cap = (size_t)d->cap_uses;
    xgrow((void **)&d->uses, &cap, (size_t)d->n_uses + 1, sizeof *d->uses);
    d->cap_uses = (int)cap;
    d->uses[d->n_uses].user = user;
    d->uses[d->n_uses].slot = slot;
    d->uses[d->n_uses].out = def.out;
    d->n_uses++;
}

static void use_del(ir_graph *g, ir_ref def, int user, int slot)
{
    ir_node *d = g->nodes[def.node];
    int i;
    for (i = 0; i < d->n_uses; i++)
        if (d->uses[i].user == user && d->uses[i].slot == slot) {
            d->uses[i] = d->uses[--d->n_uses];
            return;
        }
    BNNC_BUG("use of '%s' by node %d slot %d not listed", d->name, user, slot);
}

void ir_node_set_inputs(ir_graph *g, ir_node *n, int n_in, const ir_ref *in)
{
    int i;
    for (i = 0; i < n->n_in; i++)
        use_del(g, n->in[i], n->id, i);
    free(n->in);
    n->in = xmalloc(sizeof *in * (size_t)(n_in ? n_in : 1));
    if (n_in)
        memcpy(n->in, in, sizeof *in * (size_t)n_in);
    n->n_in = n_in;
    for (i = 0; i < n_in; i++)
        use_add(g, in[i], n->id, i);
}

void ir_uses_rebuild(ir_graph *g)
{
    size_t i;
    int j;
    for (i = 0; i < g->n; i++)
        g->nodes[i]->n_uses = 0;
    for (i = 0; i < g->n; i++)
        for (j = 0; j < g->nodes[i]->n_in; j++)
            use_add(g, g->nodes[i]->in[j], (int)i, j);
    for (j = 0; j < g->n_heads; j++)
        use_add(g, g->heads[j], -1, j);
}

ir_node *ir_input_node(const ir_graph *g, const ir_node *n, int i)
{
    BNNC_ASSERT(i >= 0 && i < n->n_in);
    return g->nodes[n->in[i].node];
}

void ir_node_merge_name(ir_node *n, const char *name)
{
    n->merged = xrealloc(n->merged, sizeof *n->merged * (size_t)(n->n_merged + 1));
    n->merged[n->n_merged++] = xstrdup(name);
}

void ir_replace_uses(ir_graph *g, ir_ref from, ir_ref to)
{
    ir_node *f = g->nodes[from.node];
    int i = 0;
    if (from.node == to.node && from.out == to.out)
        return;
    while (i < f->n_uses) {
        ir_use u = f->uses[i];
        if (u.out != from.out) {
            i++;
            continue;
        }
        f->uses[i] = f->uses[--f->n_uses];
        if (u.user < 0)
            g->heads[u.slot] = to;
        else
            g->nodes[u.user]->in[u.slot] = to;
        use_add(g, to, u.user, u.slot);
    }
}

/* The use is by a live node or is a head. */
static int use_live(const ir_graph *g, const ir_use *u)
{
    return u->user < 0 || !g->nodes[u->user]->dead;
}

int ir_use_count(const ir_graph *g, int node, int out)
{
    const ir_node *d = g->nodes[node];
    int i, c = 0;
    for (i = 0; i < d->n_uses; i++)
        c += d->uses[i].out == out && use_live(g, &d->uses[i]);
    return c;
}

ir_node *ir_sole_consumer(const ir_graph *g, const ir_node *n)
{
    ir_node *u = NULL;
    int i, uses = 0;
    for (i = 0; i < n->n_uses; i++) {
        const ir_use *x = &n->uses[i];
        if (!use_live(g, x))
            continue;
        uses++;
        u = x->user < 0 ? NULL : g->nodes[x->user];
    }
    return uses == 1 ? u : NULL;
}

void ir_mark_dead(ir_graph *g)
{
    char *live = xcalloc(g->n ? g->n : 1, 1);
    size_t i;
    int j;
    for (j = 0; j < g->n_heads; j++)
        live[g->heads[j].node] = 1;
    for (i = g->n; i-- > 0;) {
        ir_node *n = g->nodes[i];
        if (!live[i] || n->dead)
            continue;
        for (j = 0; j < n->n_in; j++)
            live[n->in[j].node] = 1;
    }
    for (i = 0; i < g->n; i++)
        if (!live[i] && g->nodes[i]->op != IR_OP_INPUT)
            g->nodes[i]->dead = 1;
    free(live);
}

void ir_compact(ir_graph *g)
{
    int *map = xmalloc(sizeof *map * (g->n ? g->n : 1));
    size_t i, k = 0;
    int j;
    for (i = 0; i < g->n; i++) {
        ir_node *n = g->nodes[i];
        if (n->dead) {
            map[i] = -1;
            node_free(n);
            continue;
        }
        map[i] = (int)k;
        n->id = (int)k;
        g->nodes[k++] = n;
    }
    g->n = k;
    for (i = 0; i < g->n; i++) {
        ir_node *n = g->nodes[i];
        for (j = 0; j < n->n_in; j++) {
            BNNC_ASSERT(map[n->in[j].node] >= 0);
            n->in[j].node = map[n->in[j].node];
        }
    }
    for (j = 0; j < g->n_heads; j++) {
        BNNC_ASSERT(map[g->heads[j].node] >= 0);
        g->heads[j].node = map[g->heads[j].node];
    }
    free(map);
    ir_uses_rebuild(g);
}

int ir_check(const ir_graph *g, int shapes, bnnc_err *err)
{
    size_t i;
    int j;
    for (i = 0; i < g->n; i++) {
        const ir_node *n = g->nodes[i];
        if (n->id != (int)i)
            return bnnc_errf(err, "node %zu '%s' has id %d", i, n->name, n->id);
        if (n->dead)
            continue;
        for (j = 0; j < n->n_in; j++) {
            ir_ref r = n->in[j];
            if (r.node < 0 || (size_t)r.node >= i)
                return bnnc_errf(err, "node '%s' input %d refers to node %d",
                                 n->name, j, r.node);
            if (g->nodes[r.node]->dead)
                return bnnc_errf(err, "node '%s' uses dead node '%s'",
                                 n->name, g->nodes[r.node]->name);
            if (r.out < 0 || r.out >= g->nodes[r.node]->n_out)
                return bnnc_errf(err, "node '%s' uses output %d of '%s'",
                                 n->name, r.out, g->nodes[r.node]->name);
        }
        if (shapes && !n->shape)
            return bnnc_errf(err, "node '%s' has no shape", n->name);
    }
    for (j = 0; j < g->n_heads; j++)
        if (g->heads[j].node < 0 || (size_t)g->heads[j].node >= g->n ||
            g->nodes[g->heads[j].node]->dead)
            return bnnc_errf(err, "head %d is invalid", j);
    /* every use listed is the input or head it says, and every input and
     * head is listed once (counted: listed uses = inputs + heads) */
    {
        size_t listed = 0, edges = (size_t)g->n_heads;
        for (i = 0; i < g->n; i++) {
            const ir_node *n = g->nodes[i];
            edges += (size_t)n->n_in;
            for (j = 0; j < n->n_uses; j++) {
                const ir_use *u = &n->uses[j];
                ir_ref r;
                if (u->user < -1 || u->user >= (int)g->n)
                    return bnnc_errf(err, "node '%s' lists a use by node %d", n->name,
                                     u->user);
                if (u->user < 0 ? u->slot >= g->n_heads : u->slot >= g->nodes[u->user]->n_in)
                    return bnnc_errf(err, "node '%s' lists a use in slot %d", n->name,
                                     u->slot);
                r = u->user < 0 ? g->heads[u->slot] : g->nodes[u->user]->in[u->slot];
                if (r.node != (int)i || r.out != u->out)
                    return bnnc_errf(err, "node '%s' lists a use it does not have", n->name);
                listed++;
            }
        }
        if (listed != edges)
            return bnnc_errf(err, "%zu uses listed for %zu inputs and heads", listed, edges);
    }
    return 0;
}

int ir_node_errf(const ir_graph *g, const ir_node *n, bnnc_err *err,
                 const char *fmt, ...)
{
    char msg[BNNC_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char name[256];
    return bnnc_errf(err, "%s: node '%s' (%s): %s",
                     g->symbol_path ? g->symbol_path : "<graph>",
                     bnnc_excerpt(n->name, name, sizeof name), n->src_op, msg);
}

void ir_dump(const ir_graph *g, void *file)
{
    FILE *f = file;
    size_t i;
    int j;
    char buf[128];
    for (i = 0; i < g->n; i++) {
        const ir_node *n = g->nodes[i];
        if (n->dead)
            continue;
        fprintf(f, "%%%zu = %s", i, ir_node_op_name(n));
        for (j = 0; j < n->n_in; j++) {
            fprintf(f, "%s%%%d", j ? ", " : " ", n->in[j].node);
            if (n->in[j].out)
                fprintf(f, ".%d", n->in[j].out);
        }
        if (n->op == IR_OP_BCONV || n->op == IR_OP_BDENSE) {
            const ir_bin_attr *b = &n->a.b;
            fprintf(f, " [");
            if (n->op == IR_OP_BCONV)
                fprintf(f, "%dx%d s%d p%d pad %s, ", b->conv.kernel[0], b->conv.kernel[1],
                        b->conv.stride[0], b->conv.pad[0],
                        b->pad_mode == IR_PAD_MINUS_ONE ? "-1"
                        : b->pad_mode == IR_PAD_ZERO    ? "0" : "+1");
            if (b->clamp)
                fprintf(f, "clamp %d..%d, ", b->clamp_lo, b->clamp_hi);
            fprintf(f, "(dot%+g)/%g%s%s", b->offset, b->divisor, b->scale ? " *scale" : "",
                    b->bias ? " +bias" : "");
            if (b->out_shift)
                fprintf(f, ", float order of K=%d", b->out_shift);
            if (b->out_a)
                fprintf(f, ", %s out", b->out_bits ? "bits" : "float");
            fprintf(f, "]");
        } else if (n->op == IR_OP_CONST) {
            fprintf(f, " [%s%s]", n->a.c.f ? "values" : "raw",
                    n->a.c.source_name ? ", from the file" : "");
        } else if (n->op != IR_OP_FRONTEND) {
            dump_attrs(n, f);
            if (n->weight_only_binary)
                fprintf(f, " [+-1 weights]");
        }
        if (n->q.elem == IR_ELEM_I8)
            fprintf(f, " [int8 %.9g, %d]", n->q.scale, (int)n->q.zp);
        fprintf(f, "  ; %s (%s)", n->name, n->src_op);
        if (n->shape)
            fprintf(f, " -> %s", ir_shape_str(&n->shape[0], buf, sizeof buf));
        fputc('\n', f);
    }
    fprintf(f, "heads:");
    for (j = 0; j < g->n_heads; j++)
        fprintf(f, " %%%d", g->heads[j].node);
    fputc('\n', f);
}

/* Min-heap of node indices (ir_sort's ready set). */
static void heap_push(int *h, size_t *n, int v)
{
    size_t i = (*n)++;
    while (i && h[(i - 1) / 2] > v) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = v;
}

static int heap_pop(int *h, size_t *n)
{
    int top = h[0], v = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && h[c + 1] < h[c])
            c++;
        if (h[c] >= v)
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n)
        h[i] = v;
    return top;
}

void ir_sort(ir_graph *g)
{
    size_t n = g->n, i, k = 0, nh = 0;
    int j;
    int *map = xmalloc(sizeof *map * (n ? n : 1));
    int *pending = xcalloc(n ? n : 1, sizeof *pending);
    int *heap = xmalloc(sizeof *heap * (n ? n : 1));
    ir_node **out = xmalloc(sizeof *out * (n ? n : 1));
    /* Kahn's algorithm taking the lowest-numbered ready node each time:
     * nodes keep their relative order where dependencies allow */
    ir_uses_rebuild(g);
    for (i = 0; i < n; i++) {
        pending[i] = g->nodes[i]->n_in;
        if (!pending[i])
            heap_push(heap, &nh, (int)i);
    }
    while (nh) {
        int v = heap_pop(heap, &nh);
        const ir_node *m = g->nodes[v];
        map[v] = (int)k;
        out[k++] = g->nodes[v];
        for (j = 0; j < m->n_uses; j++)
            if (m->uses[j].user >= 0 && !--pending[m->uses[j].user])
                heap_push(heap, &nh, m->uses[j].user);
    }
    BNNC_ASSERT(k == n); /* a cycle would be a bug in a pass */
    for (i = 0; i < n; i++) {
        ir_node *m = out[i];
        m->id = (int)i;
        for (j = 0; j < m->n_in; j++)
            m->in[j].node = map[m->in[j].node];
    }
    for (j = 0; j < g->n_heads; j++)
        g->heads[j].node = map[g->heads[j].node];
    memcpy(g->nodes, out, sizeof *out * n);
    free(out);
    free(heap);
    free(pending);
    free(map);
    ir_uses_rebuild(g);
}

static int only_binarized_depth(const ir_graph *g, int node, int depth)
{
    const ir_node *d = g->nodes[node];
    int i, used = 0;
    if (depth > 32)
        return 0;
    for (i = 0; i < d->n_uses; i++) {
        const ir_use *u = &d->uses[i];
        const ir_node *m;
        if (u->user < 0)
            return 0; /* a head */
        m = g->nodes[u->user];
        if (m->dead)
            continue;
        used = 1;
        switch (m->op) {
        case IR_OP_SIGN:
        case IR_OP_BCONV:
        case IR_OP_BDENSE:
            break;
        case IR_OP_POOL:
            if (m->a.pool.type != IR_POOL_MAX || m->a.pool.v1 ||
                !only_binarized_depth(g, m->id, depth + 1))
                return 0;
            break;
        case IR_OP_FLATTEN:
            if (!only_binarized_depth(g, m->id, depth + 1))
                return 0;
            break;
        default:
            return 0;
        }
    }
    return used;
}

int ir_only_binarized(const ir_graph *g, int node)
{
    return only_binarized_depth(g, node, 0);
}
