/*
 * inspect.c - `bnnc inspect`: one row per layer of the imported graph with
 * its kind, output shape, work and weight sizes, and totals.
 *
 * MACs count multiply-accumulates of convolution, dense and BatchNorm
 * layers (one per output element for BatchNorm); binary layers count one
 * binary MAC per weight bit used. "stored" is the bytes the layer's
 * parameters occupy in the params file; "packed" is what bnnc emits:
 * binary weights as runtime words (bnn.h layout), float parameters as
 * float32.
 */
#include "inspect.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../passes/lower.h"
#include "../util/mem.h"
#include "bnn.h"
#include "bnn_int8.h"

typedef struct {
    int64_t binary_macs, float_macs;
    int64_t stored, packed;
    char note[256];
} layer_stats;

static const char *pad_mode_name(ir_pad_mode m)
{
    return m == IR_PAD_MINUS_ONE ? "-1" : m == IR_PAD_ZERO ? "0" : "+1";
}

/* Bytes of CONST inputs of n, each parameter counted once. */
static void const_bytes(const ir_graph *g, const ir_node *n, layer_stats *s)
{
    int i, j;
    for (i = 0; i < n->n_in; i++) {
        const ir_node *c = g->nodes[n->in[i].node];
        int dup = 0;
        if (c->op != IR_OP_CONST)
            continue;
        for (j = 0; j < i; j++)
            dup |= n->in[j].node == n->in[i].node;
        if (dup)
            continue;
        s->stored += (int64_t)c->a.c.stored_bytes;
        s->packed += 4 * ir_shape_count(&c->a.c.shape);
    }
}

static void stats_of(const ir_graph *g, const ir_node *n, layer_stats *s)
{
    const ir_shape *o = &n->shape[0];
    int64_t out = ir_shape_count(o);
    memset(s, 0, sizeof *s);
    switch (n->op) {
    case IR_OP_CONV: {
        const ir_conv_attr *c = &n->a.conv;
        const ir_shape *x = &g->nodes[n->in[0].node]->shape[n->in[0].out];
        s->float_macs = out * (x->d[1] / c->num_group) * c->kernel[0] * c->kernel[1];
        const_bytes(g, n, s);
        if (n->weight_only_binary)
            snprintf(s->note, sizeof s->note,
                     "weight-only binary: +-1 weights, float input");
        break;
    }
    case IR_OP_DECONV: {
        /* every input pixel meets each kernel tap of its group's filters */
        const ir_deconv_attr *c = &n->a.deconv;
        const ir_shape *x = &g->nodes[n->in[0].node]->shape[n->in[0].out];
        s->float_macs = ir_shape_count(x) * (c->num_filter / c->num_group) * c->kernel[0] *
                        c->kernel[1];
        const_bytes(g, n, s);
        break;
    }
    case IR_OP_DENSE: {
        const ir_shape *w = &g->nodes[n->in[1].node]->shape[0];
        s->float_macs = out * w->d[1];
        const_bytes(g, n, s);
        if (n->weight_only_binary)
            snprintf(s->note, sizeof s->note,
                     "weight-only binary: +-1 weights, float input");
        break;
    }
    case IR_OP_BCONV:
    case IR_OP_BDENSE: {
        const ir_bin_attr *b = &n->a.b;
        const ir_shape *x = &g->nodes[n->in[0].node]->shape[n->in[0].out];
        int64_t o_c = b->w_shape.d[0], k = ir_shape_count(&b->w_shape) / o_c;
        size_t n_words;
        int len;
        s->binary_macs = out * k;
        if (n->op == IR_OP_BCONV) {
            n_words = bnn_bconv2d_weight_words((int32_t)o_c, b->conv.kernel[0],
                                               b->conv.kernel[1],
                                               (int32_t)b->w_shape.d[1]);
        } else {
            /* input rows are NHWC pixels of channel words when 4-D */
            int64_t in_words = x->ndim == 4
                                   ? x->d[2] * x->d[3] * bnn_words((int32_t)x->d[1])
                                   : bnn_words((int32_t)k);
            n_words = bnn_bdense_weight_words((int32_t)o_c, (int32_t)in_words);
        }
        s->stored = (int64_t)b->stored_bytes;
        s->packed = (int64_t)n_words * 4 + (b->bias ? 4 * o_c : 0) +
                    (b->scale ? 4 * o_c : 0);
        len = snprintf(s->note, sizeof s->note, "%s", b->origin ? b->origin : "?");
        if (n->op == IR_OP_BCONV && (b->conv.pad[0] || b->conv.pad[1]))
            len += snprintf(s->note + len, sizeof s->note - (size_t)len,
                            ", pad %s", pad_mode_name(b->pad_mode));
        if (b->offset != 0 || b->divisor != 1)
            len += snprintf(s->note + len, sizeof s->note - (size_t)len,
                            ", (dot%+g)/%g", b->offset, b->divisor);
        if (b->scale)
            len += snprintf(s->note + len, sizeof s->note - (size_t)len,
                            ", scaled");
        if (b->xnor_input_scale)
            len += snprintf(s->note + len, sizeof s->note - (size_t)len,
                            ", xnor input scale");
        if (b->bias)
            len += snprintf(s->note + len, sizeof s->note - (size_t)len,
                            ", bias");
        if (b->word_bits)
            snprintf(s->note + len, sizeof s->note - (size_t)len,
                     ", %d-bit packed", b->word_bits);
        break;
    }
    case IR_OP_CONV_I8:
    case IR_OP_DWCONV_I8:
    case IR_OP_DENSE_I8: {
        /* int8 work counts with the other non-binary MACs; packed: the
         * runtime's weight layout, the bias, a multiplier and shift per
         * output channel */
        const ir_i8_attr *a = &n->a.i8;
        int64_t oc = a->out_c, k = oc ? ir_shape_count(&a->w_shape) / oc : 0;
        if (n->op == IR_OP_CONV_I8) {
            const ir_shape *x = &g->nodes[n->in[0].node]->shape[n->in[0].out];
            int32_t groups = (int32_t)(x->d[3] / a->w_shape.d[3]);
            s->packed = (int64_t)bnn_i8_weight_bytes((int32_t)oc, groups, (int32_t)k);
        } else if (n->op == IR_OP_DENSE_I8) {
            s->packed = (int64_t)bnn_i8_weight_bytes((int32_t)oc, 1, (int32_t)k);
        } else {
            k = (int64_t)a->kernel[0] * a->kernel[1];
            s->packed = k * oc;
        }
        s->float_macs = out * k;
        s->stored = (int64_t)a->stored_bytes;
        s->packed += (a->bias ? 4 * oc : 0) + 8 * oc;
        snprintf(s->note, sizeof s->note, "int8, %s weights",
                 a->n_w_scale > 1 ? "per-channel" : "per-tensor");
        break;
    }
    case IR_OP_BATCHNORM:
        s->float_macs = out;
        const_bytes(g, n, s);
        break;
    default:
        const_bytes(g, n, s);
        break;
    }
}

static int is_layer(const ir_node *n)
{
    return !n->dead && n->op != IR_OP_INPUT && n->op != IR_OP_CONST;
}

static cJSON *shape_json(const ir_shape *s)
{
    cJSON *a = cJSON_CreateArray();
    int i;
    for (i = 0; i < s->ndim; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber((double)s->d[i]));
    return a;
}

/* Channels whose threshold makes them constant (always +1 or -1). */
static int constant_channels(const ir_node *n)
{
    const ir_bin_attr *b = &n->a.b;
    int64_t c, ch = b->w_shape.d[0];
    int k = 0;
    if (!b->out_bits)
        return 0;
    for (c = 0; c < ch; c++)
        k += b->dir[c] == 0 && (b->thresh[c] == INT32_MIN || b->thresh[c] == INT32_MAX);
    return k;
}

static void json_outputs(const ir_graph *f, cJSON *root)
{
    cJSON *arr = cJSON_AddArrayToObject(root, "binary_outputs");
    size_t k;
    int i;
    for (k = 0; k < f->n; k++) {
        const ir_node *n = f->nodes[k];
        cJSON *o, *m;
        if (n->op != IR_OP_BCONV && n->op != IR_OP_BDENSE)
            continue;
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", n->name);
        cJSON_AddStringToObject(o, "output", n->a.b.out_bits ? "bits" : "float");
        cJSON_AddNumberToObject(o, "channels", (double)n->a.b.w_shape.d[0]);
        cJSON_AddNumberToObject(o, "constant_channels", constant_channels(n));
        cJSON_AddNumberToObject(o, "near_ties", n->a.b.near_ties);
        m = cJSON_AddArrayToObject(o, "folded");
        for (i = 0; i < n->n_merged; i++)
            cJSON_AddItemToArray(m, cJSON_CreateString(n->merged[i]));
        cJSON_AddItemToArray(arr, o);
    }
    /* activations fold_monotonic dropped, by the BatchNorm that now
     * thresholds their input */
    arr = cJSON_AddArrayToObject(root, "folded_activations");
    for (k = 0; k < f->n; k++) {
        const ir_node *n = f->nodes[k];
        cJSON *o, *m;
        if (n->op != IR_OP_BATCHNORM || !n->n_merged)
            continue;
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "threshold", n->name);
        m = cJSON_AddArrayToObject(o, "folded");
        for (i = 0; i < n->n_merged; i++)
            cJSON_AddItemToArray(m, cJSON_CreateString(n->merged[i]));
        cJSON_AddItemToArray(arr, o);
    }
}

static void text_outputs(const ir_graph *f, FILE *out)
{
    size_t k;
    int i, first = 1;
    for (k = 0; k < f->n; k++) {
        const ir_node *n = f->nodes[k];
        const ir_bin_attr *b;
        if (n->op != IR_OP_BCONV && n->op != IR_OP_BDENSE)
            continue;
        b = &n->a.b;
        if (first)
            fprintf(out, "\nbinary layer outputs (after folding):\n");
        first = 0;
        fprintf(out, "  %s: %s", n->name,
                b->out_bits ? "bits, one integer threshold per channel"
                            : "float, per-channel multiply-add");
        if (b->out_bits)
            fprintf(out, " (%lld channels, %d constant, %d near ties)",
                    (long long)b->w_shape.d[0], constant_channels(n), b->near_ties);
        if (n->n_merged) {
            fprintf(out, "; merged:");
            for (i = 0; i < n->n_merged; i++)
                fprintf(out, " %s", n->merged[i]);
        }
        fputc('\n', out);
    }
    first = 1;
    for (k = 0; k < f->n; k++) {
        const ir_node *n = f->nodes[k];
        if (n->op != IR_OP_BATCHNORM || !n->n_merged)
            continue;
        if (first)
            fprintf(out, "\nactivations and elementwise maps folded into thresholds (never computed):\n");
        first = 0;
        fprintf(out, "  %s: one threshold per channel on the input of", n->name);
        for (i = 0; i < n->n_merged; i++)
            fprintf(out, " %s", n->merged[i]);
        fputc('\n', out);
    }
}

/* The memory plan as JSON: arena and lower bound, every arena buffer
 * (offset, bytes, live steps) and every step with the bytes live in it. */
static cJSON *plan_json(const lir_program *p)
{
    cJSON *o = cJSON_CreateObject(), *bufs, *steps;
    int i, s;
    cJSON_AddNumberToObject(o, "arena_bytes", (double)p->arena_bytes);
    cJSON_AddNumberToObject(o, "lower_bound", (double)p->lower_bound);
    cJSON_AddNumberToObject(o, "ratio", p->lower_bound ? (double)p->arena_bytes /
                                                             (double)p->lower_bound
                                                       : 1.0);
    if (p->unfused_bound) {
        cJSON *fu = cJSON_AddArrayToObject(o, "fusions");
        cJSON_AddNumberToObject(o, "lower_bound_unfused", (double)p->unfused_bound);
        for (i = 0; i < p->ns; i++) {
            cJSON *f;
            if (!p->s[i].fused_bytes)
                continue;
            f = cJSON_CreateObject();
            cJSON_AddNumberToObject(f, "step", i);
            cJSON_AddStringToObject(f, "node", p->s[i].node_name);
            cJSON_AddStringToObject(f, "kernel", lir_kind_name(p->s[i].kind));
            cJSON_AddNumberToObject(f, "bytes_not_written", (double)p->s[i].fused_bytes);
            cJSON_AddNumberToObject(f, "scratch_bytes", (double)p->s[i].fused_scratch);
            cJSON_AddItemToArray(fu, f);
        }
    }
    bufs = cJSON_AddArrayToObject(o, "buffers");
    for (i = 0; i < p->nt; i++) {
        const lir_tensor *t = &p->t[i];
        cJSON *b;
        if (t->storage != LIR_ARENA || t->first < 0)
            continue;
        b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "tensor", t->name);
        cJSON_AddNumberToObject(b, "offset", (double)t->offset);
        cJSON_AddNumberToObject(b, "bytes", (double)t->bytes);
        cJSON_AddNumberToObject(b, "first_step", t->first);
        cJSON_AddNumberToObject(b, "last_step", t->last);
        cJSON_AddBoolToObject(b, "scratch", t->scratch != 0);
        cJSON_AddItemToArray(bufs, b);
    }
    steps = cJSON_AddArrayToObject(o, "steps");
    for (s = 0; s < p->ns; s++) {
        cJSON *st = cJSON_CreateObject();
        cJSON_AddNumberToObject(st, "step", s);
        cJSON_AddStringToObject(st, "node", p->s[s].node_name);
        cJSON_AddStringToObject(st, "kernel", lir_kind_name(p->s[s].kind));
        cJSON_AddNumberToObject(st, "live_bytes", (double)plan_live_bytes(p, s));
        cJSON_AddItemToArray(steps, st);
    }
    return o;
}

static void print_json(const ir_graph *g, const ir_graph *folded,
                       const inspect_codegen *cg, FILE *out)
{
    cJSON *root = cJSON_CreateObject(), *layers, *inputs, *tot;
    int64_t bm = 0, fm = 0, st = 0, pk = 0;
    int nl = 0, nb = 0, i;
    size_t k;
    char *text;

    cJSON_AddStringToObject(root, "symbol", g->symbol_path);
    if (g->params_path && g->params_path[0])
        cJSON_AddStringToObject(root, "params", g->params_path);
    inputs = cJSON_AddArrayToObject(root, "inputs");
    for (k = 0; k < g->n; k++) {
        const ir_node *n = g->nodes[k];
        cJSON *in;
        if (n->op != IR_OP_INPUT)
            continue;
        in = cJSON_CreateObject();
        cJSON_AddStringToObject(in, "name", n->name);
        cJSON_AddItemToObject(in, "shape", shape_json(&n->shape[0]));
        cJSON_AddItemToArray(inputs, in);
    }
    layers = cJSON_AddArrayToObject(root, "layers");
    for (k = 0; k < g->n; k++) {
        const ir_node *n = g->nodes[k];
        layer_stats s;
        cJSON *l, *m;
        if (!is_layer(n))
            continue;
        stats_of(g, n, &s);
        l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "name", n->name);
        cJSON_AddStringToObject(l, "op", n->src_op);
        cJSON_AddStringToObject(l, "kind", ir_node_kind(n));
        cJSON_AddItemToObject(l, "output_shape", shape_json(&n->shape[0]));
        cJSON_AddNumberToObject(l, "macs", (double)(s.binary_macs + s.float_macs));
        cJSON_AddNumberToObject(l, "binary_macs", (double)s.binary_macs);
        cJSON_AddNumberToObject(l, "float_macs", (double)s.float_macs);
        cJSON_AddNumberToObject(l, "weight_bytes", (double)s.stored);
        cJSON_AddNumberToObject(l, "packed_weight_bytes", (double)s.packed);
        if (n->op == IR_OP_BCONV || n->op == IR_OP_BDENSE) {
            const ir_bin_attr *b = &n->a.b;
            cJSON_AddStringToObject(l, "dialect", b->origin ? b->origin : "?");
            if (n->op == IR_OP_BCONV)
                cJSON_AddStringToObject(l, "pad_value", pad_mode_name(b->pad_mode));
            cJSON_AddNumberToObject(l, "offset", b->offset);
            cJSON_AddNumberToObject(l, "divisor", b->divisor);
            cJSON_AddBoolToObject(l, "scaled", b->scale != NULL);
            cJSON_AddBoolToObject(l, "xnor_input_scale", b->xnor_input_scale);
            cJSON_AddNumberToObject(l, "word_bits", b->word_bits);
            nb++;
        }
        if (n->op == IR_OP_CONV || n->op == IR_OP_DENSE)
            cJSON_AddBoolToObject(l, "weight_only_binary", n->weight_only_binary);
        if (n->n_merged) {
            m = cJSON_AddArrayToObject(l, "merged");
            for (i = 0; i < n->n_merged; i++)
                cJSON_AddItemToArray(m, cJSON_CreateString(n->merged[i]));
        }
        cJSON_AddItemToArray(layers, l);
        bm += s.binary_macs;
        fm += s.float_macs;
        st += s.stored;
        pk += s.packed;
        nl++;
    }
    tot = cJSON_AddObjectToObject(root, "totals");
    cJSON_AddNumberToObject(tot, "layers", nl);
    cJSON_AddNumberToObject(tot, "binary_layers", nb);
    cJSON_AddNumberToObject(tot, "macs", (double)(bm + fm));
    cJSON_AddNumberToObject(tot, "binary_macs", (double)bm);
    cJSON_AddNumberToObject(tot, "float_macs", (double)fm);
    cJSON_AddNumberToObject(tot, "binary_mac_share",
                            bm + fm ? (double)bm / (double)(bm + fm) : 0.0);
    cJSON_AddNumberToObject(tot, "weight_bytes", (double)st);
    cJSON_AddNumberToObject(tot, "packed_weight_bytes", (double)pk);
    cJSON_AddNumberToObject(tot, "compression", pk ? (double)st / (double)pk : 0.0);
    if (folded)
        json_outputs(folded, root);
    if (cg) {
        cJSON *c = cJSON_AddObjectToObject(root, "compile");
        const lir_program *p = cg->program;
        cJSON_AddBoolToObject(c, "supported", p != NULL);
        if (p) {
            cJSON_AddNumberToObject(c, "steps", p->ns);
            cJSON_AddNumberToObject(c, "arena_bytes", (double)p->arena_bytes);
            cJSON_AddNumberToObject(c, "lower_bound", (double)p->lower_bound);
        } else {
            cJSON_AddStringToObject(c, "error", cg->error ? cg->error : "");
        }
        if (p && cg->with_plan)
            cJSON_AddItemToObject(root, "plan", plan_json(p));
    }
    text = cJSON_Print(root);
    fputs(text, out);
    fputc('\n', out);
    free(text);
    cJSON_Delete(root);
}

/* Human-readable count: 1234567 -> "1.23M". */
static const char *human(int64_t v, char *buf, size_t size)
{
    if (v >= 1000000000)
        snprintf(buf, size, "%.2fG", (double)v / 1e9);
    else if (v >= 1000000)
        snprintf(buf, size, "%.2fM", (double)v / 1e6);
    else if (v >= 10000)
        snprintf(buf, size, "%.1fk", (double)v / 1e3);
    else
        snprintf(buf, size, "%lld", (long long)v);
    return buf;
}

/* name in at most w (>= 8) columns: as it is when it fits, else its start,
 * "..." and its end (the end tells apart the nodes one source node became,
 * e.g. ".../Quant/clip" and ".../Quant/round"); buf holds >= w + 1 bytes. */
static const char *fit_name(const char *name, int w, char *buf)
{
    size_t n = strlen(name), head = (size_t)(w - 3) / 3, tail = (size_t)w - 3 - head;
    if (n <= (size_t)w)
        return name;
    memcpy(buf, name, head);
    memcpy(buf + head, "...", 3);
    memcpy(buf + head + 3, name + n - tail, tail + 1);
    return buf;
}

static void print_text(const ir_graph *g, FILE *out)
{
    int64_t bm = 0, fm = 0, st = 0, pk = 0;
    int nl = 0, nb = 0, wname = 4, wop = 2;
    size_t k;
    char sh[96], a[32], b[32], c[32], d[32], nm[80];

    for (k = 0; k < g->n; k++) {
        const ir_node *n = g->nodes[k];
        if (!is_layer(n))
            continue;
        if ((int)strlen(n->name) > wname)
            wname = (int)strlen(n->name);
        if ((int)strlen(n->src_op) > wop)
            wop = (int)strlen(n->src_op);
    }
    if (wname > 64)
        wname = 64;
    if (g->params_path && g->params_path[0])
        fprintf(out, "model: %s + %s\n", g->symbol_path, g->params_path);
    else
        fprintf(out, "model: %s\n", g->symbol_path);
    for (k = 0; k < g->n; k++)
        if (g->nodes[k]->op == IR_OP_INPUT)
            fprintf(out, "input: %s %s\n", g->nodes[k]->name,
                    ir_shape_str(&g->nodes[k]->shape[0], sh, sizeof sh));
    fprintf(out, "\n%4s  %-*s  %-*s  %-12s  %-18s  %9s  %9s  %9s  %9s  %s\n",
            "#", wname, "name", wop, "op", "kind", "output", "bin MACs",
            "fp MACs", "stored B", "packed B", "notes");
    for (k = 0; k < g->n; k++) {
        const ir_node *n = g->nodes[k];
        layer_stats s;
        if (!is_layer(n))
            continue;
        stats_of(g, n, &s);
        nl++;
        nb += n->op == IR_OP_BCONV || n->op == IR_OP_BDENSE;
        fprintf(out, "%4d  %-*s  %-*s  %-12s  %-18s  %9s  %9s  %9s  %9s  %s\n",
                nl, wname, fit_name(n->name, wname, nm), wop, n->src_op, ir_node_kind(n),
                ir_shape_str(&n->shape[0], sh, sizeof sh),
                human(s.binary_macs, a, sizeof a), human(s.float_macs, b, sizeof b),
                human(s.stored, c, sizeof c), human(s.packed, d, sizeof d),
                s.note);
        bm += s.binary_macs;
        fm += s.float_macs;
        st += s.stored;
        pk += s.packed;
    }
    fprintf(out, "\ntotals: %d layers, %d binary\n", nl, nb);
    fprintf(out, "  work:    %s binary MACs (%.1f%% of all MACs), %s float MACs\n",
            human(bm, a, sizeof a), bm + fm ? 100.0 * (double)bm / (double)(bm + fm) : 0.0,
            human(fm, b, sizeof b));
    fprintf(out, "  weights: %s bytes stored, %s bytes packed (%.1fx smaller)\n",
            human(st, c, sizeof c), human(pk, d, sizeof d),
            pk ? (double)st / (double)pk : 0.0);
}

void inspect_print(const ir_graph *g, const ir_graph *folded, int json,
                   const inspect_codegen *cg, FILE *out)
{
    if (json) {
        print_json(g, folded, cg, out);
        return;
    }
    print_text(g, out);
    if (folded)
        text_outputs(folded, out);
    if (cg && cg->program)
        fprintf(out, "\ncompile: supported, %d steps, arena %zu bytes (lower bound %zu)\n",
                cg->program->ns, cg->program->arena_bytes, cg->program->lower_bound);
    else if (cg)
        fprintf(out, "\ncompile: not supported: %s\n", cg->error ? cg->error : "");
}
