/*
 * plan.c - the static memory plan: every arena tensor gets a fixed offset
 * in one arena of p->arena_bytes bytes.
 *
 * Requires: lower. Establishes: offsets for arena tensors, no two buffers
 * that are live at the same step overlap, p->arena_bytes, p->lower_bound.
 *
 * 1. In place. An elementwise step (affine, activation, add, ...) whose
 *    input dies at that step writes over it: its output becomes a view of
 *    the input; so does a binary convolution over the residual it adds
 *    (fuse_residual.c; the kernel reads each residual value before it
 *    writes the output value in its place). A tensor that is only copied into a concatenation is
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
    case LK_ACT_FAST: case LK_SOFTMAX_FAST:
        return 1;
    default:
        return 0;
    }
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
        /* a binary convolution may write over its residual (in[1]) */
        int residual = s->kind == LK_BCONV_F32_ADD;
        if ((!is_elementwise(s->kind) && !residual) || o->storage != LIR_ARENA)
            continue;
        for (k = residual; k < s->n_in; k++) {
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
            /* the base now lives as long as its new view (lir_lifetimes
             * would say the same; recomputing it here would be quadratic) */
            if (o->last > p->t[base].last)
                p->t[base].last = o->last;
            break;
        }
    }
}

/* Kinds that read their input through bnn_channels_params.in_pixel_stride
 * (so the input may be a strided view). */
static int reads_strided(lir_kind k)
{
    return k == LK_PACK || k == LK_PACK_AFFINE || k == LK_UNPACK || k == LK_COPY_CH_F32 ||
           k == LK_COPY_CH_B;
}

/* Kinds that write their output through an output pixel stride (so the
 * output may be a view of a wider tensor). */
static int writes_strided(lir_kind k)
{
    return k == LK_CONV_F32 || k == LK_CONV_MAXPOOL_F32 || k == LK_BCONV_F32 ||
           k == LK_BCONV_F32_ADD || k == LK_BCONV_B || k == LK_COPY_CH_F32 || k == LK_COPY_CH_B;
}

/* The pixel strides a step's parameters give for tensors whose stride
 * plan_concat_in_place changed. */
static void restride_step(lir_program *p, lir_step *s, const unsigned char *moved)
{
    if (s->kind == LK_CONV_F32 && moved[s->out])
        s->p.conv.out_pixel_stride = p->t[s->out].stride;
    else if (s->kind == LK_CONV_MAXPOOL_F32 && moved[s->out])
        s->p.conv_pool.conv.out_pixel_stride = p->t[s->out].stride;
    else if ((s->kind == LK_BCONV_F32 || s->kind == LK_BCONV_F32_ADD || s->kind == LK_BCONV_B) &&
             moved[s->out])
        s->p.bconv.out_pixel_stride = p->t[s->out].stride;
    else if (reads_strided(s->kind)) {
        if (moved[s->in[0]])
            s->p.copy.k.in_pixel_stride = p->t[s->in[0]].stride;
        if ((s->kind == LK_COPY_CH_F32 || s->kind == LK_COPY_CH_B) && moved[s->out])
            s->p.copy.k.out_pixel_stride = p->t[s->out].stride;
    }
}

/*
 * Step 1b: producers write straight into a concatenation. A tensor x
 * copied whole into channels [o, o + c) of a concatenation y becomes a
 * view of those channels (x's pixel stride becomes y's) and the copy
 * disappears when
 *   - every step writing x can write with a pixel stride (conv, conv with
 *     max pooling, binary conv, or the channel copies of x's own
 *     concatenation),
 *   - every other step reading x reads with a pixel stride (sign packing,
 *     channel copies), and no view of x exists (a reshaped or in-place
 *     alias would read or write x's bytes with x's old geometry),
 *   - y is an arena tensor or itself a concatenation placed this way.
 * The copies are taken last first, so in a chain y1 = concat(x0, a),
 * y2 = concat(y1, b), ... (a DenseNet block) the outer concatenation is
 * placed first and every inner one, and its parts, become views of the
 * outermost buffer with its stride. Nothing writes a channel range of y
 * but its own part, so a view's bytes hold the part from its writer to
 * its last reader. Binary tensors move by whole 32-bit words only.
 * Reader counts and producers are counted once; copies are dropped in one
 * sweep; the strides in the step parameters follow at the end.
 */
static void plan_concat_in_place(lir_program *p)
{
    int i, k, dropped = 0;
    size_t nt = (size_t)(p->nt ? p->nt : 1);
    int *bad_readers = xcalloc(nt, sizeof *bad_readers);
    int *views = xcalloc(nt, sizeof *views);
    unsigned char *bad_writer = xcalloc(nt, 1), *written = xcalloc(nt, 1);
    unsigned char *chained = xcalloc(nt, 1), *moved = xcalloc(nt, 1);
    unsigned char *drop = xcalloc((size_t)(p->ns ? p->ns : 1), 1);
    for (i = 0; i < p->nt; i++)
        if (p->t[i].storage == LIR_VIEW)
            views[p->t[i].view_of]++;
    for (i = 0; i < p->ns; i++) {
        const lir_step *s = &p->s[i];
        for (k = 0; k < s->n_in; k++)
            bad_readers[s->in[k]] += !reads_strided(s->kind);
        written[s->out] = 1;
        if (!writes_strided(s->kind))
            bad_writer[s->out] = 1;
    }
    for (i = p->ns - 1; i >= 0; i--) {
        lir_step *s = &p->s[i];
        lir_tensor *x, *y;
        int bits;
        if (s->kind != LK_COPY_CH_F32 && s->kind != LK_COPY_CH_B)
            continue;
        x = &p->t[s->in[0]];
        y = &p->t[s->out];
        bits = s->kind == LK_COPY_CH_B;
        if (x->storage != LIR_ARENA || !written[x->id] || bad_writer[x->id] ||
            bad_readers[x->id] || views[x->id] || s->p.copy.in_offset != 0 ||
            s->p.copy.k.c != x->c || x->stride != (bits ? (int32_t)bnn_words(x->c) : x->c))
            continue;
        if (y->storage != LIR_ARENA && !(y->storage == LIR_VIEW && chained[y->id]))
            continue;
        if (bits) {
            /* whole words only, and nothing after it shares its last word */
            if (s->p.copy.k.dst_c_offset % BNN_WORD_BITS ||
                (x->c % BNN_WORD_BITS && s->p.copy.k.dst_c_offset + x->c != y->c))
                continue;
            x->view_offset = (size_t)bnn_word_of(s->p.copy.k.dst_c_offset) * sizeof(uint32_t);
        } else {
            x->view_offset = (size_t)s->p.copy.k.dst_c_offset * 4;
        }
        x->storage = LIR_VIEW;
        x->view_of = y->id;
        x->stride = y->stride;
        views[y->id]++;
        chained[x->id] = moved[x->id] = 1;
        drop[i] = 1;
        dropped = 1;
    }
    if (dropped) {
        /* drop the copies; constants follow their steps' new numbers */
        for (i = 0; i < p->ns; i++)
            if (!drop[i])
                restride_step(p, &p->s[i], moved);
        lir_drop_steps(p, drop);
    }
    free(bad_readers);
    free(views);
    free(bad_writer);
    free(written);
    free(chained);
    free(moved);
    free(drop);
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

static const buf *sort_base;

static int by_last_step(const void *x, const void *y)
{
    const buf *a = &sort_base[*(const int *)x], *b = &sort_base[*(const int *)y];
    return (a->last > b->last) - (a->last < b->last);
}

/* Free space of the arena in LIR_ALIGN units, as a segment tree ("hotel"
 * tree): each node knows the longest free run in its range and the free
 * runs touching its two ends, so first-fit queries and occupying or
 * freeing a range take O(log units). */
typedef struct {
    int *best, *pre, *suf;
    signed char *lazy; /* -1 none, 0 all free, 1 all used */
    int size;          /* leaves, a power of two */
} freemap;

static void fm_set(freemap *m, int x, int len, int used)
{
    m->best[x] = m->pre[x] = m->suf[x] = used ? 0 : len;
    m->lazy[x] = (signed char)used;
}

static void fm_push(freemap *m, int x, int len)
{
    if (m->lazy[x] >= 0) {
        fm_set(m, 2 * x, len / 2, m->lazy[x]);
        fm_set(m, 2 * x + 1, len / 2, m->lazy[x]);
        m->lazy[x] = -1;
    }
}

static void fm_pull(freemap *m, int x, int len)
{
    int l = 2 * x, r = 2 * x + 1, h = len / 2;
    m->pre[x] = m->pre[l] == h ? h + m->pre[r] : m->pre[l];
    m->suf[x] = m->suf[r] == h ? h + m->suf[l] : m->suf[r];
    m->best[x] = m->suf[l] + m->pre[r];
    if (m->best[l] > m->best[x])
        m->best[x] = m->best[l];
    if (m->best[r] > m->best[x])
        m->best[x] = m->best[r];
}

/* Mark units [a, b) used or free; node x covers [lo, lo + len). */
static void fm_update(freemap *m, int x, int lo, int len, int a, int b, int used)
{
    if (b <= lo || lo + len <= a)
        return;
    if (a <= lo && lo + len <= b) {
        fm_set(m, x, len, used);
        return;
    }
    fm_push(m, x, len);
    fm_update(m, 2 * x, lo, len / 2, a, b, used);
    fm_update(m, 2 * x + 1, lo + len / 2, len / 2, a, b, used);
    fm_pull(m, x, len);
}

/* Lowest unit starting a free run of k units (the tree must hold one). */
static int fm_first_fit(freemap *m, int x, int lo, int len, int k)
{
    int h = len / 2;
    if (len == 1)
        return lo;
    fm_push(m, x, len);
    if (m->best[2 * x] >= k)
        return fm_first_fit(m, 2 * x, lo, h, k);
    if (m->suf[2 * x] + m->pre[2 * x + 1] >= k)
        return lo + h - m->suf[2 * x];
    return fm_first_fit(m, 2 * x + 1, lo + h, h, k);
}

/* Placement in order of first use (order sorted by first): the buffers
 * placed before c that share a step with it are exactly those still live
 * at c's first step, so c goes to the lowest free run of the arena once
 * the buffers that died before c.first are freed. Gives what place() gives
 * for this order, in O(n log n). */
static size_t place_sweep(buf *b, int n, const int *order)
{
    freemap m;
    size_t total = 0, end = 0;
    int *by_last = xmalloc(sizeof *by_last * (size_t)(n ? n : 1));
    int i, j = 0, units = 1;
    for (i = 0; i < n; i++)
        total += b[i].size / LIR_ALIGN;
    while ((size_t)units < total + 1)
        units *= 2;
    m.size = units;
    m.best = xmalloc(sizeof *m.best * 2 * (size_t)units);
    m.pre = xmalloc(sizeof *m.pre * 2 * (size_t)units);
    m.suf = xmalloc(sizeof *m.suf * 2 * (size_t)units);
    m.lazy = xmalloc(2 * (size_t)units);
    fm_set(&m, 1, units, 0);
    /* placed buffers in order of their last step, to free them */
    for (i = 0; i < n; i++)
        by_last[i] = order[i];
    sort_base = b;
    qsort(by_last, (size_t)n, sizeof *by_last, by_last_step);
    for (i = 0; i < n; i++) {
        buf *c = &b[order[i]];
        int k = (int)(c->size / LIR_ALIGN), at;
        /* free the buffers that died before c starts (all were placed:
         * they started no later than they died, before c.first) */
        for (; j < n && b[by_last[j]].last < c->first; j++)
            fm_update(&m, 1, 0, units, (int)(b[by_last[j]].offset / LIR_ALIGN),
                      (int)(b[by_last[j]].offset / LIR_ALIGN) +
                          (int)(b[by_last[j]].size / LIR_ALIGN), 0);
        at = k ? fm_first_fit(&m, 1, 0, units, k) : 0;
        c->offset = (size_t)at * LIR_ALIGN;
        fm_update(&m, 1, 0, units, at, at + k, 1);
        if (c->offset + c->size > end)
            end = c->offset + c->size;
    }
    free(m.best);
    free(m.pre);
    free(m.suf);
    free(m.lazy);
    free(by_last);
    return end;
}

/* Beyond this many buffers only the first-use order is tried (by the
 * sweep): the other orders' placement is quadratic in the buffers. */
#define PLAN_ALL_ORDERS_MAX 4096

typedef int (*cmp_fn)(const void *, const void *);

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

/* The arena buffers of p (after in place and lifetimes) into b; returns
 * how many. */
static int collect(const lir_program *p, buf *b)
{
    int n = 0, i;
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
    return n;
}

/* Lower bound: the most bytes live at one step (sizes added at a buffer's
 * first step and removed after its last). */
static size_t bound_of(const lir_program *p, const buf *b, int n)
{
    size_t live = 0, lb = 0;
    size_t *delta = xcalloc((size_t)p->ns + 1, sizeof *delta);
    size_t *gone = xcalloc((size_t)p->ns + 1, sizeof *gone);
    int i, s;
    for (i = 0; i < n; i++) {
        delta[b[i].first] += b[i].size;
        gone[b[i].last + 1] += b[i].size;
    }
    for (s = 0; s < p->ns; s++) {
        live += delta[s];
        live -= gone[s];
        if (live > lb)
            lb = live;
    }
    free(delta);
    free(gone);
    return lb;
}

size_t plan_lower_bound(const lir_program *p)
{
    lir_program q = *p;
    buf *b;
    size_t lb;
    /* the steps and tensors are copied; constants are only renumbered by
     * plan_concat_in_place, so the copy has none */
    q.t = xmalloc(sizeof *q.t * (size_t)(p->nt ? p->nt : 1));
    q.s = xmalloc(sizeof *q.s * (size_t)(p->ns ? p->ns : 1));
    if (p->nt) /* a program without steps may have no arrays */
        memcpy(q.t, p->t, sizeof *q.t * (size_t)p->nt);
    if (p->ns)
        memcpy(q.s, p->s, sizeof *q.s * (size_t)p->ns);
    q.c = NULL;
    q.nc = 0;
    lir_lifetimes(&q);
    plan_in_place(&q);
    plan_concat_in_place(&q);
    lir_lifetimes(&q);
    b = xmalloc(sizeof *b * (size_t)(q.nt ? q.nt : 1));
    lb = bound_of(&q, b, collect(&q, b));
    free(b);
    free(q.t);
    free(q.s);
    return lb;
}

int pass_plan(lir_program *p, bnnc_err *err)
{
    static const cmp_fn orders[] = {by_size, by_length, by_first, by_area};
    buf *b;
    int *order, *best_order;
    int n = 0, i, o;
    size_t best = (size_t)-1, lb;

    lir_lifetimes(p);
    plan_in_place(p);
    plan_concat_in_place(p);
    lir_lifetimes(p);

    b = xmalloc(sizeof *b * (size_t)(p->nt ? p->nt : 1));
    n = collect(p, b);
    lb = bound_of(p, b, n);
    order = xmalloc(sizeof *order * (size_t)(n ? n : 1));
    best_order = xmalloc(sizeof *best_order * (size_t)(n ? n : 1));
    sort_base = b;
    for (o = 0; o < (int)(sizeof orders / sizeof *orders); o++) {
        size_t size;
        int sweep = n > PLAN_ALL_ORDERS_MAX;
        if (sweep && orders[o] != by_first)
            continue;
        for (i = 0; i < n; i++)
            order[i] = i;
        qsort(order, (size_t)n, sizeof *order, orders[o]);
        size = sweep ? place_sweep(b, n, order) : place(b, n, order);
        if (size < best) {
            best = size;
            memcpy(best_order, order, sizeof *order * (size_t)n);
        }
        if (best == lb)
            break;
    }
    if (n > PLAN_ALL_ORDERS_MAX)
        place_sweep(b, n, best_order);
    else
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

static const lir_program *check_prog;

static int by_last_tensor(const void *x, const void *y)
{
    const lir_tensor *a = &check_prog->t[*(const int *)x], *b = &check_prog->t[*(const int *)y];
    return (a->last > b->last) - (a->last < b->last);
}

static int by_first_tensor(const void *x, const void *y)
{
    const lir_tensor *a = &check_prog->t[*(const int *)x], *b = &check_prog->t[*(const int *)y];
    return a->first != b->first ? (a->first > b->first) - (a->first < b->first)
                                : (a->id > b->id) - (a->id < b->id);
}

/* Range add / range sum over arena units (two Fenwick trees), the
 * occupancy count that plan_check_no_overlap keeps. */
typedef struct {
    int64_t *b1, *b2;
    size_t n;
} rangesum;

static void rs_add1(int64_t *t, size_t n, size_t i, int64_t v)
{
    for (i++; i <= n; i += i & (~i + 1))
        t[i] += v;
}

static int64_t rs_sum1(const int64_t *t, size_t i)
{
    int64_t s = 0;
    for (; i; i -= i & (~i + 1))
        s += t[i];
    return s;
}

/* units [a, b) += v */
static void rs_add(rangesum *r, size_t a, size_t b, int64_t v)
{
    rs_add1(r->b1, r->n, a, v);
    rs_add1(r->b1, r->n, b, -v);
    rs_add1(r->b2, r->n, a, v * (int64_t)a);
    rs_add1(r->b2, r->n, b, -v * (int64_t)b);
}

/* sum of units [0, i) */
static int64_t rs_prefix(const rangesum *r, size_t i)
{
    return rs_sum1(r->b1, i) * (int64_t)i - rs_sum1(r->b2, i);
}

int plan_check_no_overlap(const lir_program *p, bnnc_err *err)
{
    /* Buffers enter in order of first use and leave after their last; a
     * buffer that enters where a live one is counted overlaps it. */
    int *ts = xmalloc(sizeof *ts * (size_t)(p->nt ? p->nt : 1));
    int *gone = xmalloc(sizeof *gone * (size_t)(p->nt ? p->nt : 1));
    rangesum r;
    int n = 0, i, j = 0, rc = 0;
    for (i = 0; i < p->nt; i++) {
        const lir_tensor *a = &p->t[i];
        if (a->storage != LIR_ARENA || a->first < 0)
            continue;
        if (a->offset + a->bytes > p->arena_bytes || a->offset % LIR_ALIGN) {
            rc = bnnc_errf(err, "plan: buffer %d '%s' [%zu, +%zu) outside the arena of %zu",
                           i, a->name, a->offset, a->bytes, p->arena_bytes);
            free(ts);
            free(gone);
            return rc;
        }
        ts[n] = gone[n] = i;
        n++;
    }
    check_prog = p;
    qsort(ts, (size_t)n, sizeof *ts, by_first_tensor);
    qsort(gone, (size_t)n, sizeof *gone, by_last_tensor);
    r.n = p->arena_bytes / LIR_ALIGN + 2;
    r.b1 = xcalloc(r.n + 1, sizeof *r.b1);
    r.b2 = xcalloc(r.n + 1, sizeof *r.b2);
    for (i = 0; i < n && !rc; i++) {
        const lir_tensor *c = &p->t[ts[i]];
        size_t a = c->offset / LIR_ALIGN, b = (c->offset + c->bytes + LIR_ALIGN - 1) / LIR_ALIGN;
        for (; j < n && p->t[gone[j]].last < c->first; j++) {
            const lir_tensor *d = &p->t[gone[j]];
            rs_add(&r, d->offset / LIR_ALIGN,
                   (d->offset + d->bytes + LIR_ALIGN - 1) / LIR_ALIGN, -1);
        }
        if (b > a && rs_prefix(&r, b) - rs_prefix(&r, a) != 0) {
            /* name the live buffer it collides with */
            int k;
            for (k = 0; k < i; k++) {
                const lir_tensor *d = &p->t[ts[k]];
                if (d->last >= c->first && d->offset < c->offset + c->bytes &&
                    c->offset < d->offset + d->bytes)
                    break;
            }
            rc = bnnc_errf(err, "plan: buffers %d '%s' and %d '%s' overlap while both live",
                           k < i ? p->t[ts[k]].id : -1, k < i ? p->t[ts[k]].name : "?",
                           c->id, c->name);
        }
        rs_add(&r, a, b, 1);
    }
    free(r.b1);
    free(r.b2);
    free(ts);
    free(gone);
    return rc;
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

void plan_print_fusions(const lir_program *p, FILE *out)
{
    int s;
    if (!p->unfused_bound)
        return;
    for (s = 0; s < p->ns; s++) {
        const lir_step *st = &p->s[s];
        if (!st->fused_bytes)
            continue;
        fprintf(out, "  fused step %d %s (%s): %zu bytes of float maps never written, "
                     "%zu bytes of scratch instead\n",
                s, lir_kind_name(st->kind), st->node_name, st->fused_bytes, st->fused_scratch);
    }
    fprintf(out, "  lower bound without these fusions: %zu bytes (they save %zu)\n",
            p->unfused_bound,
            p->unfused_bound > p->lower_bound ? p->unfused_bound - p->lower_bound : 0);
}

void plan_print(const lir_program *p, FILE *out)
{
    static const char letters[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    int i, s, col, k = 0;
    int map[4096];
    const int width = 64;
    char what[32];

    fprintf(out, "memory plan: arena %zu bytes, lower bound %zu bytes (%.3fx)\n",
            p->arena_bytes, p->lower_bound,
            p->lower_bound ? (double)p->arena_bytes / (double)p->lower_bound : 1.0);
    plan_print_fusions(p, out);
    fprintf(out, "\n  buf  offset     bytes  steps      tensor\n");
    for (i = 0; i < p->nt && i < 4096; i++) {
        const lir_tensor *t = &p->t[i];
        map[i] = -1;
        if (t->storage != LIR_ARENA || t->first < 0)
            continue;
        map[i] = k;
        if (t->scratch)
            snprintf(what, sizeof what, "scratch of step %d", t->first);
        fprintf(out, "  %c  %8zu  %8zu  %4d-%-4d  %s\n", letters[k % (int)(sizeof letters - 1)],
                t->offset, t->bytes, t->first, t->last, t->scratch ? what : t->name);
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
