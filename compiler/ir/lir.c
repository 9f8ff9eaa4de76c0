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
    "nchw_to_nhwc", "nhwc_to_nchw", "u8_to_f32", "copy",
    "pack", "unpack", "copy_channels_b", "maxpool_b",
    "bconv2d_b_b", "bconv2d_b_f32", "bdense_b_b", "bdense_b_f32",
    "conv2d_f32", "dense_f32", "affine_f32", "act_f32", "prelu_f32",
    "maxpool_f32", "avgpool_f32", "add_f32", "copy_channels_f32", "pad2d_f32",
    "softmax_f32", "unary_f32", "binary_f32", "binary_pixel_f32",
    "channel_mean_f32", "permute_f32", "pack_affine", "nchw_to_nhwc_affine",
    "conv2d_maxpool_f32"};
_Static_assert(sizeof kind_names / sizeof *kind_names == LK_COUNT,
               "kind name table out of step with lir_kind");

static const char *const kind_kernels[] = {
    "bnn_nchw_to_nhwc_f32", "bnn_nhwc_to_nchw_f32", "bnn_u8_nchw_to_nhwc_f32", "memcpy",
    "bnn_pack_f32_b", "bnn_unpack_b_f32", "bnn_copy_channels_b", "bnn_maxpool_b",
    "bnn_bconv2d_b_b", "bnn_bconv2d_b_f32", "bnn_bdense_b_b", "bnn_bdense_b_f32",
    "bnn_conv2d_f32", "bnn_dense_f32", "bnn_affine_f32", "bnn_act_f32", "bnn_prelu_f32",
    "bnn_maxpool_f32", "bnn_avgpool_f32", "bnn_add_f32", "bnn_copy_channels_f32",
    "bnn_pad2d_f32", "bnn_softmax_f32", "bnn_unary_f32", "bnn_binary_f32",
    "bnn_binary_pixel_f32", "bnn_channel_mean_f32", "bnn_permute_f32",
    "bnn_pack_affine_f32_b", "bnn_nchw_to_nhwc_affine_f32", "bnn_conv2d_maxpool_f32"};
_Static_assert(sizeof kind_kernels / sizeof *kind_kernels == LK_COUNT,
               "kernel table out of step with lir_kind");

const char *lir_kind_name(lir_kind k)
{
    return (unsigned)k < LK_COUNT ? kind_names[k] : "?";
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
    t->bytes = (size_t)n * (size_t)h * (size_t)w * (size_t)t->stride *
               (dt == LIR_U8 ? 1u : 4u);
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
                       const char *node_name, const char *mx_op)
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
    snprintf(s->mx_op, sizeof s->mx_op, "%s", mx_op ? mx_op : "");
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
