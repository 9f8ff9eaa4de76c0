/*
 * lir.c - construction helpers of the lowered program.
 */
#include "lir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/err.h"
#include "../util/mem.h"

static const char *const kind_names[] = {
#define KIND(id, name, kernel, params, emit, part) name,
#include "lir.def"
#undef KIND
};
static const char *const kind_kernels[] = {
#define KIND(id, name, kernel, params, emit, part) #kernel,
#include "lir.def"
#undef KIND
};
static const char *const kind_parts[] = {
#define KIND(id, name, kernel, params, emit, part) #part,
#include "lir.def"
#undef KIND
};
static const char *const kind_params[] = {
#define KIND(id, name, kernel, params, emit, part) #params,
#include "lir.def"
#undef KIND
};
/* Every parameter struct a row names is a type of the runtime's headers
 * (`none`, for the memcpy of COPY, stands for a type here only). */
#define none char
#define KIND(id, name, kernel, params, emit, part)                             \
    _Static_assert(sizeof(params) > 0, "lir.def: " #params);
#include "lir.def"
#undef KIND
#undef none
_Static_assert(sizeof kind_names / sizeof *kind_names == LK_COUNT,
               "kind name table out of step with lir.def");
_Static_assert(sizeof kind_kernels / sizeof *kind_kernels == LK_COUNT,
               "kernel table out of step with lir.def");
_Static_assert(sizeof kind_parts / sizeof *kind_parts == LK_COUNT,
               "part table out of step with lir.def");
_Static_assert(sizeof kind_params / sizeof *kind_params == LK_COUNT,
               "parameter table out of step with lir.def");

const char *lir_kind_params(lir_kind k)
{
    return (unsigned)k < LK_COUNT && strcmp(kind_params[k], "none") ? kind_params[k]
                                                                     : NULL;
}

const char *lir_kind_name(lir_kind k)
{
    return (unsigned)k < LK_COUNT ? kind_names[k] : "?";
}

const char *lir_kind_part(lir_kind k)
{
    return (unsigned)k < LK_COUNT && strcmp(kind_parts[k], "none") ? kind_parts[k] : NULL;
}

const char *lir_kind_kernel(lir_kind k)
{
    return (unsigned)k < LK_COUNT ? kind_kernels[k] : "?";
}

void lir_init(lir_program *p)
{
    memset(p, 0, sizeof *p);
    p->input = -1;
}

void lir_free(lir_program *p)
{
    int i;
    for (i = 0; i < p->nc; i++)
        free(p->c[i].data);
    free(p->t);
    free(p->s);
    free(p->c);
    memset(p, 0, sizeof *p);
}

int lir_tensor_add(lir_program *p, lir_dtype dt, int32_t n, int32_t h,
                   int32_t w, int32_t c, const char *name)
{
    lir_tensor *t;
    size_t cap = (size_t)p->capt;
    char copy[sizeof t->name];
    /* name may point into p->t, which growing can move */
    snprintf(copy, sizeof copy, "%s", name ? name : "");
    name = copy;
    xgrow((void **)&p->t, &cap, (size_t)p->nt + 1, sizeof *p->t);
    p->capt = (int)cap;
    t = &p->t[p->nt];
    memset(t, 0, sizeof *t);
    t->id = p->nt;
    t->dt = dt;
    t->n = n;
    t->h = h;
    t->w = w;
    t->c = c;
    t->stride = dt == LIR_BITS ? bnn_words(c) : c;
    t->bytes = (size_t)n * (size_t)h * (size_t)w * (size_t)t->stride * LIR_DTYPE_BYTES(dt);
    t->storage = LIR_ARENA;
    t->view_of = -1;
    t->const_id = -1;
    t->first = t->last = -1;
    snprintf(t->name, sizeof t->name, "%s", name);
    return p->nt++;
}

int lir_const_add(lir_program *p, lir_ctype type, size_t count, void *data,
                  const char *role)
{
    lir_const *c;
    size_t cap = (size_t)p->capc;
    xgrow((void **)&p->c, &cap, (size_t)p->nc + 1, sizeof *p->c);
    p->capc = (int)cap;
    c = &p->c[p->nc];
    memset(c, 0, sizeof *c);
    c->id = p->nc;
    c->type = type;
    c->count = count;
    c->data = data;
    c->step = p->ns;
    snprintf(c->role, sizeof c->role, "%s", role);
    return p->nc++;
}

lir_step *lir_step_add(lir_program *p, lir_kind kind, int node,
                       const char *node_name, const char *src_op)
{
    lir_step *s;
    size_t cap = (size_t)p->caps;
    xgrow((void **)&p->s, &cap, (size_t)p->ns + 1, sizeof *p->s);
    p->caps = (int)cap;
    s = &p->s[p->ns++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->in[0] = s->in[1] = -1;
    s->out = -1;
    s->scratch = -1;
    s->node = node;
    snprintf(s->node_name, sizeof s->node_name, "%s", node_name ? node_name : "");
    snprintf(s->src_op, sizeof s->src_op, "%s", src_op ? src_op : "");
    return s;
}

int lir_base(const lir_program *p, int t)
{
    int guard = 0;
    while (p->t[t].storage == LIR_VIEW) {
        t = p->t[t].view_of;
        BNNC_ASSERT(++guard < 1000);
    }
    return t;
}

void lir_lifetimes(lir_program *p)
{
    int i, k;
    for (i = 0; i < p->nt; i++)
        p->t[i].first = p->t[i].last = -1;
    for (i = 0; i < p->ns; i++) {
        const lir_step *s = &p->s[i];
        int ts[4] = {s->in[0], s->in[1], s->out, s->scratch};
        for (k = 0; k < 4; k++) {
            int t = ts[k];
            if (t < 0)
                continue;
            /* a view keeps its base alive */
            for (;;) {
                if (p->t[t].first < 0 || i < p->t[t].first)
                    p->t[t].first = i;
                if (i > p->t[t].last)
                    p->t[t].last = i;
                if (p->t[t].storage != LIR_VIEW)
                    break;
                t = p->t[t].view_of;
            }
        }
    }
}

int lir_readers(const lir_program *p, int t, int *last)
{
    int i, k, c = 0;
    for (i = 0; i < p->ns; i++)
        for (k = 0; k < p->s[i].n_in; k++)
            if (p->s[i].in[k] == t) {
                c++;
                if (last)
                    *last = i;
            }
    return c;
}

int lir_check(const lir_program *p, bnnc_err *err)
{
    int i, k;
    for (i = 0; i < p->nt; i++) {
        const lir_tensor *t = &p->t[i];
        int base = i, guard = 0;
        if (t->id != i)
            return bnnc_errf(err, "tensor %d has id %d", i, t->id);
        if (t->storage == LIR_CONST && (t->const_id < 0 || t->const_id >= p->nc))
            return bnnc_errf(err, "tensor %d '%s' names constant %d", i, t->name, t->const_id);
        while (p->t[base].storage == LIR_VIEW) {
            const lir_tensor *v = &p->t[base];
            if (v->view_of < 0 || v->view_of >= p->nt || v->view_of == base || ++guard > p->nt)
                return bnnc_errf(err, "tensor %d '%s' is a view of tensor %d", base, v->name,
                                 v->view_of);
            if (v->view_offset + v->bytes > p->t[v->view_of].bytes &&
                p->t[v->view_of].storage != LIR_VIEW)
                return bnnc_errf(err, "view %d '%s' [%zu, +%zu) outside tensor %d (%zu bytes)",
                                 base, v->name, v->view_offset, v->bytes, v->view_of,
                                 p->t[v->view_of].bytes);
            base = v->view_of;
        }
    }
    for (i = 0; i < p->ns; i++) {
        const lir_step *s = &p->s[i];
        if ((unsigned)s->kind >= LK_COUNT)
            return bnnc_errf(err, "step %d has kind %d", i + 1, (int)s->kind);
        if (s->n_in < 0 || s->n_in > 2)
            return bnnc_errf(err, "step %d has %d inputs", i + 1, s->n_in);
        for (k = 0; k < 2; k++)
            if (k < s->n_in ? s->in[k] < 0 || s->in[k] >= p->nt : s->in[k] != -1)
                return bnnc_errf(err, "step %d (%s) input %d is tensor %d", i + 1,
                                 lir_kind_name(s->kind), k, s->in[k]);
        if (s->out < 0 || s->out >= p->nt)
            return bnnc_errf(err, "step %d (%s) writes tensor %d", i + 1,
                             lir_kind_name(s->kind), s->out);
        if (s->scratch < -1 || s->scratch >= p->nt)
            return bnnc_errf(err, "step %d (%s) has scratch tensor %d", i + 1,
                             lir_kind_name(s->kind), s->scratch);
        if (s->n_consts < 0 || s->n_consts > LIR_STEP_CONSTS)
            return bnnc_errf(err, "step %d has %d constants", i + 1, s->n_consts);
        for (k = 0; k < s->n_consts; k++)
            if (s->consts[k] < 0 || s->consts[k] >= p->nc)
                return bnnc_errf(err, "step %d (%s) names constant %d", i + 1,
                                 lir_kind_name(s->kind), s->consts[k]);
        if (p->t[s->out].storage == LIR_INPUT || p->t[s->out].storage == LIR_CONST)
            return bnnc_errf(err, "step %d (%s) writes read-only tensor %d '%s'", i + 1,
                             lir_kind_name(s->kind), s->out, p->t[s->out].name);
    }
    for (i = 0; i < p->nc; i++)
        if (p->c[i].id != i || p->c[i].step < 0 || p->c[i].step > p->ns)
            return bnnc_errf(err, "constant %d has id %d, step %d", i, p->c[i].id, p->c[i].step);
    return 0;
}

void lir_dump(const lir_program *p, void *file)
{
    FILE *f = file;
    int i;
    for (i = 0; i < p->ns; i++) {
        const lir_step *s = &p->s[i];
        char in[32] = "";
        if (s->n_in == 2)
            snprintf(in, sizeof in, "t%d, t%d", s->in[0], s->in[1]);
        else if (s->n_in == 1)
            snprintf(in, sizeof in, "t%d", s->in[0]);
        fprintf(f, "%4d %-20s %-12s -> t%-4d ; %s: %s\n", i + 1, lir_kind_name(s->kind), in,
                s->out, s->node_name, s->what);
    }
}

const char *const lir_stream_kernels[LIR_STREAM_KERNELS] = {
    "bnn_act_f32", "bnn_act_fast_f32", "bnn_affine_f32", "bnn_pack_f32_b",
    "bnn_pack_affine_f32_b",
};

unsigned lir_stream_uses(const lir_step *s)
{
    const lir_conv_pack *q = &s->p.conv_pack;
    unsigned m = 0;
    int i;
    if (s->kind != LK_CONV_PACK_F32_B)
        return 0;
    for (i = 0; i < q->k.n_pre + q->k.n_post; i++) {
        const bnn_ew_op *o = i < q->k.n_pre ? &q->k.pre[i] : &q->k.post[i - q->k.n_pre];
        m |= o->kind == BNN_EW_ACT ? 1u : o->kind == BNN_EW_ACT_FAST ? 2u : 4u;
    }
    return m | (q->mul >= 0 ? 16u : 8u);
}

int lir_step_kernels(const lir_step *s, const char **fns, int deps)
{
    unsigned m = lir_stream_uses(s);
    int n = 0, i;
    fns[n++] = lir_kind_kernel(s->kind);
    if (s->kind == LK_CONV_PACK_F32_B && deps)
        fns[n++] = "bnn_conv2d_f32";
    for (i = 0; i < LIR_STREAM_KERNELS; i++)
        if (m & (1u << i))
            fns[n++] = lir_stream_kernels[i];
    return n;
}

void lir_drop_steps(lir_program *p, const unsigned char *drop)
{
    int *renum = xmalloc(sizeof *renum * (size_t)(p->ns ? p->ns : 1));
    int i, k, kept = 0;
    for (i = 0; i < p->ns; i++) {
        renum[i] = kept;
        if (!drop[i])
            p->s[kept++] = p->s[i];
    }
    for (k = 0; k < p->nc; k++)
        if (p->c[k].step < p->ns)
            p->c[k].step = renum[p->c[k].step];
    p->ns = kept;
    free(renum);
    lir_lifetimes(p);
}

int lir_uses_conv_fma(const lir_program *p)
{
    int i;
    for (i = 0; i < p->ns; i++) {
        const lir_step *st = &p->s[i];
        const bnn_conv2d_params *c = st->kind == LK_CONV_F32           ? &st->p.conv
                                     : st->kind == LK_CONV_MAXPOOL_F32 ? &st->p.conv_pool.conv
                                     : st->kind == LK_CONV_PACK_F32_B
                                         ? &st->p.conv_pack.k.conv
                                         : NULL;
        if (c && c->order == BNN_CONV_ORDER_FMA)
            return 1;
    }
    return 0;
}
