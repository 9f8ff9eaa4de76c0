/*
 * plan.c - the static memory plan: every arena tensor gets a fixed offset
 * in one arena of p->arena_bytes bytes.
 *
 * Requires: lower. Establishes: offsets for arena tensors, no two buffers
 * that are live at the same step overlap, p->arena_bytes, p->lower_bound.
 *
 * 1. In place. An elementwise step (affine, activation, add, ...) whose
 *    input dies at that step writes over it: its output becomes a view of
 *    the input. A tensor that is only copied into a concatenation is
 *    written there directly by its producer (conv and binary conv take an
 *    output pixel stride), and the copy disappears.
 * 2. Lifetimes. A buffer is live from the first to the last step that
 *    touches it or any view of it (inclusive), so a step's inputs, outputs
 *    and scratch never share memory unless made views above.
 * 3. Placement, greedy by size as TensorFlow Lite Micro's planner: take
 *    buffers largest first; put each at the lowest offset where it does not
 *    overlap a placed buffer that is live at the same time. Not optimal
 *    (the problem is NP-complete), so the same greedy runs with three more
 *    orders (longest lifetime, earliest first use, size x lifetime) and the
 *    smallest arena wins.
 * 4. Lower bound: the largest sum of (aligned) buffer sizes live at one
 *    step; no placement can do better, and inspect --plan prints both.
 */
#include "lower.h"

#include <stdlib.h>
#include <string.h>

#include "../util/mem.h"

static size_t align_up(size_t v)
{
    return (v + LIR_ALIGN - 1) / LIR_ALIGN * LIR_ALIGN;
}

static int is_elementwise(lir_kind k)
{
    switch (k) {
    case LK_AFFINE: case LK_ACT: case LK_PRELU: case LK_UNARY:
    case LK_BINARY: case LK_BINARY_PIXEL: case LK_ADD: case LK_SOFTMAX:
        return 1;
    default:
        return 0;
    }
}

static int producer(const lir_program *p, int t)
{
    int i;
    for (i = 0; i < p->ns; i++)
        if (p->s[i].out == t)
            return i;
    return -1;
}

/* Byte offset of tensor t inside its base (views of views add up). */
static size_t base_offset(const lir_program *p, int t)
{
    size_t off = 0;
    while (p->t[t].storage == LIR_VIEW) {
        off += p->t[t].view_offset;
        t = p->t[t].view_of;
    }
    return off;
}

/* Step 1a: elementwise steps write over an input that dies there. */
static void plan_in_place(lir_program *p)
{
    int i, k;
    for (i = 0; i < p->ns; i++) {
        lir_step *s = &p->s[i];
        lir_tensor *o = &p->t[s->out];
        if (!is_elementwise(s->kind) || o->storage != LIR_ARENA)
            continue;
        for (k = 0; k < s->n_in; k++) {
            int in = s->in[k], base = lir_base(p, in);
            if (p->t[base].storage != LIR_ARENA || p->t[in].bytes != o->bytes ||
                base_offset(p, in) != 0 || p->t[base].bytes != o->bytes ||
                p->t[base].last != i || base == o->id)
                continue;
            /* binary_pixel may only overwrite its full-size operand */
            if (s->kind == LK_BINARY_PIXEL && k != 0)
                continue;
            o->storage = LIR_VIEW;
            o->view_of = base;
            o->view_offset = 0;
            lir_lifetimes(p);
            break;
        }
    }
}

/* Step 1b: producers write straight into a concatenation. */
static void plan_concat_in_place(lir_program *p)
{
    int i;
    for (i = 0; i < p->ns; i++) {
        lir_step *s = &p->s[i];
        lir_tensor *x, *y;
        lir_step *prod;
        int pi, bits;
        if (s->kind != LK_COPY_CH_F32 && s->kind != LK_COPY_CH_B)
            continue;
        x = &p->t[s->in[0]];
        y = &p->t[s->out];
        bits = s->kind == LK_COPY_CH_B;
        if (x->storage != LIR_ARENA || y->storage != LIR_ARENA ||
            s->p.copy.in_offset != 0 || s->p.copy.c != x->c ||
            lir_readers(p, x->id, NULL) != 1 || (pi = producer(p, x->id)) < 0)
            continue;
        prod = &p->s[pi];
        if (bits) {
            /* whole words only, and nothing after it shares its last word */
            if (prod->kind != LK_BCONV_B || s->p.copy.dst_offset % 32 ||
                (x->c % 32 && s->p.copy.dst_offset + x->c != y->c))
                continue;
            prod->p.bconv.out_pixel_stride = y->stride;
            x->view_offset = (size_t)(s->p.copy.dst_offset / 32) * 4;
        } else {
            if (prod->kind == LK_BCONV_F32)
                prod->p.bconv.out_pixel_stride = y->stride;
            else if (prod->kind == LK_CONV_F32)
                prod->p.conv.out_pixel_stride = y->stride;
            else
                continue;
            x->view_offset = (size_t)s->p.copy.dst_offset * 4;
        }
        x->storage = LIR_VIEW;
        x->view_of = y->id;
        x->stride = y->stride;
        /* drop the copy */
        memmove(s, s + 1, sizeof *s * (size_t)(p->ns - i - 1));
        p->ns--;
        i--;
        lir_lifetimes(p);
    }
}

typedef struct {
    int t;
    size_t size, offset;
    int first, last;
} buf;

static int overlap_time(const buf *a, const buf *b)
{
    return a->first <= b->last && b->first <= a->last;
}

/* Greedy placement in the given order; returns the arena size. */
static size_t place(buf *b, int n, const int *order)
{
    size_t end = 0;
    int i, j, k;
    int *placed = xmalloc(sizeof *placed * (size_t)(n ? n : 1));
    for (i = 0; i < n; i++) {
        buf *c = &b[order[i]];
        size_t off = 0;
        int moved = 1;
        /* lowest offset free of every placed, time-overlapping buffer */
        while (moved) {
            moved = 0;
            for (j = 0; j < i; j++) {
                const buf *d = &b[placed[j]];
                if (overlap_time(c, d) && off < d->offset + d->size &&
                    d->offset < off + c->size) {
                    off = d->offset + d->size;
                    moved = 1;
                }
            }
        }
        c->offset = off;
        placed[i] = order[i];
        if (off + c->size > end)
            end = off + c->size;
    }
    (void)k;
    free(placed);
    return end;
}

typedef int (*cmp_fn)(const void *, const void *);
static const buf *sort_base;

static int by_size(const void *x, const void *y)
{
    const buf *a = &sort_base[*(const int *)x], *b = &sort_base[*(const int *)y];
    if (a->size != b->size)
        return a->size < b->size ? 1 : -1;
    if (a->first != b->first)
        return a->first - b->first;
    return a->t - b->t;
}

static int by_length(const void *x, const void *y)
{
    const buf *a = &sort_base[*(const int *)x], *b = &sort_base[*(const int *)y];
    int la = a->last - a->first, lb = b->last - b->first;
    if (la != lb)
        return lb - la;
    return by_size(x, y);
}

static int by_first(const void *x, const void *y)
{
    const buf *a = &sort_base[*(const int *)x], *b = &sort_base[*(const int *)y];
    if (a->first != b->first)
        return a->first - b->first;
    return by_size(x, y);
}

static int by_area(const void *x, const void *y)
{
    const buf *a = &sort_base[*(const int *)x], *b = &sort_base[*(const int *)y];
    double aa = (double)a->size * (a->last - a->first + 1);
    double ab = (double)b->size * (b->last - b->first + 1);
    if (aa != ab)
        return aa < ab ? 1 : -1;
    return by_size(x, y);
}

int pass_plan(lir_program *p, bnnc_err *err)
{
    static const cmp_fn orders[] = {by_size, by_length, by_first, by_area};
    buf *b;
    int *order, *best_order;
    int n = 0, i, o, s;
    size_t best = (size_t)-1, lb = 0;

    lir_lifetimes(p);
    plan_in_place(p);
    plan_concat_in_place(p);
    lir_lifetimes(p);

    b = xmalloc(sizeof *b * (size_t)(p->nt ? p->nt : 1));
    for (i = 0; i < p->nt; i++) {
        const lir_tensor *t = &p->t[i];
        if (t->storage != LIR_ARENA || t->first < 0)
            continue;
        b[n].t = i;
        b[n].size = align_up(t->bytes);
        b[n].first = t->first;
        b[n].last = t->last;
        b[n].offset = 0;
        n++;
    }
    /* lower bound: the most bytes live at one step */
    for (s = 0; s < p->ns; s++) {
        size_t live = 0;
        for (i = 0; i < n; i++)
            if (b[i].first <= s && s <= b[i].last)
                live += b[i].size;
        if (live > lb)
            lb = live;
    }
    order = xmalloc(sizeof *order * (size_t)(n ? n : 1));
    best_order = xmalloc(sizeof *best_order * (size_t)(n ? n : 1));
    sort_base = b;
    for (o = 0; o < (int)(sizeof orders / sizeof *orders); o++) {
        size_t size;
        for (i = 0; i < n; i++)
            order[i] = i;
        qsort(order, (size_t)n, sizeof *order, orders[o]);
        size = place(b, n, order);
        if (size < best) {
            best = size;
            memcpy(best_order, order, sizeof *order * (size_t)n);
        }
        if (best == lb)
            break;
    }
    place(b, n, best_order);
    for (i = 0; i < n; i++)
        p->t[b[i].t].offset = b[i].offset;
    p->arena_bytes = n ? best : 0;
    p->lower_bound = lb;
    free(b);
    free(order);
    free(best_order);
    return plan_check_no_overlap(p, err);
}

int plan_check_no_overlap(const lir_program *p, bnnc_err *err)
{
    int i, j;
    for (i = 0; i < p->nt; i++) {
        const lir_tensor *a = &p->t[i];
        if (a->storage != LIR_ARENA || a->first < 0)
            continue;
        if (a->offset + a->bytes > p->arena_bytes || a->offset % LIR_ALIGN)
            return bnnc_errf(err, "plan: buffer %d '%s' [%zu, +%zu) outside the arena of %zu",
                             i, a->name, a->offset, a->bytes, p->arena_bytes);
        for (j = i + 1; j < p->nt; j++) {
            const lir_tensor *c = &p->t[j];
            if (c->storage != LIR_ARENA || c->first < 0)
                continue;
            if (a->first <= c->last && c->first <= a->last &&
                a->offset < c->offset + c->bytes && c->offset < a->offset + a->bytes)
                return bnnc_errf(err,
                                 "plan: buffers %d '%s' and %d '%s' overlap while both live",
                                 i, a->name, j, c->name);
        }
    }
    return 0;
}

size_t plan_live_bytes(const lir_program *p, int s)
{
    size_t live = 0;
    int i;
    for (i = 0; i < p->nt; i++) {
        const lir_tensor *t = &p->t[i];
        if (t->storage == LIR_ARENA && t->first >= 0 && s >= t->first && s <= t->last)
            live += t->bytes;
    }
    return live;
}

void plan_print(const lir_program *p, FILE *out)
{
    static const char letters[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    int i, s, col, k = 0;
    int map[4096];
    const int width = 64;

    fprintf(out, "memory plan: arena %zu bytes, lower bound %zu bytes (%.3fx)\n",
            p->arena_bytes, p->lower_bound,
            p->lower_bound ? (double)p->arena_bytes / (double)p->lower_bound : 1.0);
    fprintf(out, "\n  buf  offset     bytes  steps      tensor\n");
    for (i = 0; i < p->nt && i < 4096; i++) {
        const lir_tensor *t = &p->t[i];
        map[i] = -1;
        if (t->storage != LIR_ARENA || t->first < 0)
            continue;
        map[i] = k;
        fprintf(out, "  %c  %8zu  %8zu  %4d-%-4d  %s%s\n", letters[k % (int)(sizeof letters - 1)],
                t->offset, t->bytes, t->first, t->last, t->scratch ? "(scratch) " : "", t->name);
        k++;
    }
    if (!p->arena_bytes)
        return;
    fprintf(out, "\n  step  |%*s| live bytes\n", width, "arena");
    for (s = 0; s < p->ns; s++) {
        char row[128];
        memset(row, '.', (size_t)width);
        row[width] = '\0';
        for (i = 0; i < p->nt && i < 4096; i++) {
            const lir_tensor *t = &p->t[i];
            size_t a, e;
            if (map[i] < 0 || s < t->first || s > t->last)
                continue;
            a = t->offset * (size_t)width / p->arena_bytes;
            e = (t->offset + t->bytes) * (size_t)width / p->arena_bytes;
            if (e == a)
                e = a + 1;
            for (col = (int)a; col < (int)e && col < width; col++)
                row[col] = letters[map[i] % (int)(sizeof letters - 1)];
        }
        fprintf(out, "  %4d  |%s| %zu  %s\n", s, row, plan_live_bytes(p, s),
                lir_kind_name(p->s[s].kind));
    }
}
