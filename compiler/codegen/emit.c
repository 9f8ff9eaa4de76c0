/*
 * emit.c - write the planned program as C through the m4 templates.
 *
 * bnnc describes the model to m4 as macro definitions (prefix, provenance,
 * sizes, and the steps as calls of the template macros bt_call_params,
 * bt_call_residual and bt_copy) and lets codegen_templates/net.c.m4 and
 * net.h.m4 decide what the files look like. The constant arrays and the
 * inlined runtime (--standalone) are written straight to files that the
 * templates splice in unscanned (m4_undivert), so megabytes of weights
 * never pass through m4's scanner. Everything is deterministic: the same
 * inputs give the same bytes.
 */
#include "emit.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/mem.h"
#include "../util/sha256.h"
#include "../util/strbuf.h"
#include "../util/strmap.h"
#include "../util/version.h"
#include "embedded.h"

const bnnc_embedded_file *bnnc_embedded_find(const char *path)
{
    size_t i;
    for (i = 0; i < bnnc_embedded_count; i++)
        if (!strcmp(bnnc_embedded[i].path, path))
            return &bnnc_embedded[i];
    return NULL;
}

/* Text safe inside a C comment, a C string and an m4 quoted argument:
 * printable ASCII without quotes, backslash, '<' and '|' (the m4 quote
 * delimiters are "<|" and "|>"), no comment delimiters and no "??" (a
 * C99 compiler reads "??/" as a backslash, "??=" as '#'...). */
static void sanitize(const char *in, char *out, size_t size)
{
    static const char ok[] = "_-.:+=,;()[]{}^%#@!?~>*/ ";
    size_t i, j = 0;
    for (i = 0; in[i] && j + 1 < size; i++) {
        char ch = in[i];
        out[j++] = isalnum((unsigned char)ch) || strchr(ok, ch) ? ch : '_';
    }
    out[j] = '\0';
    for (j = 0; out[j]; j++)
        if ((out[j] == '/' && ((j && out[j - 1] == '*') || out[j + 1] == '*')) ||
            (out[j] == '?' && j && out[j - 1] == '?'))
            out[j] = '_';
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Float literal that reads back as exactly v; infinities as <math.h>'s
 * INFINITY (NaN never reaches code generation: operands and lower reject
 * it). */
static void float_lit(float v, char *buf, size_t size)
{
    BNNC_ASSERT(!isnan(v));
    if (isinf(v)) {
        snprintf(buf, size, "%sINFINITY", v < 0 ? "-" : "");
        return;
    }
    snprintf(buf, size, "%.9g", (double)v);
    if (!strpbrk(buf, ".e"))
        strncat(buf, ".0", size - strlen(buf) - 1);
    strncat(buf, "f", size - strlen(buf) - 1);
}

static const char *ctype_name(lir_ctype t)
{
    switch (t) {
    case LC_U32: return "uint32_t";
    case LC_I32: return "int32_t";
    case LC_F32: return "float";
    case LC_U8: return "uint8_t";
    case LC_I8: return "int8_t";
    }
    return "?";
}

/* Longest C name given to a constant or tensor (with its terminator). */
#define EMIT_IDENT_MAX 112

/* What the emitter needs besides the options: how constants are stored
 * and, for a blob, where each one starts in it. */
typedef struct {
    const emit_options *o;
    emit_weights mode;   /* resolved: never EMIT_WEIGHTS_AUTO */
    size_t *blob_off;    /* per constant, its byte offset in the blob */
    size_t blob_bytes;
    /* C names: per constant (<prefix>_<node>_<role>) and per arena tensor
     * a step uses (t_<node>; "" for tensors that are not named), unique
     * among themselves and the file's other symbols (`names`) */
    char (*cname)[EMIT_IDENT_MAX];
    char (*tname)[EMIT_IDENT_MAX];
    strmap names;
    char uprefix[128]; /* the prefix in upper case */
} emit_ctx;

static size_t const_bytes(const lir_const *c)
{
    return c->count * (c->type == LC_U8 || c->type == LC_I8 ? 1u : 4u);
}

static void const_name(const emit_ctx *e, const lir_const *c, char *buf, size_t size)
{
    snprintf(buf, size, "%s", e->cname[c->id]);
}

/* `name` as part of a C identifier: letters, digits and '_' kept, other
 * characters '_', at most `max` characters. */
static void ident_part(const char *name, char *out, size_t max)
{
    size_t i, j = 0;
    for (i = 0; name[i] && j < max; i++)
        out[j++] = isalnum((unsigned char)name[i]) ? name[i] : '_';
    out[j] = '\0';
}

/* Store in `slot` the identifier `base`, or base_2, base_3, ... when that
 * is taken, and record it as taken. The slot must outlive e->names. */
static void unique_ident(emit_ctx *e, const char *base, char *slot)
{
    int k;
    snprintf(slot, EMIT_IDENT_MAX, "%.99s", base);
    for (k = 2; strmap_get(&e->names, slot) >= 0; k++)
        snprintf(slot, EMIT_IDENT_MAX, "%.99s_%d", base, k);
    strmap_put(&e->names, slot, 0);
}

/* The tensor that holds t's bytes (through views) and t's offset in it. */
static const lir_tensor *storage_of(const lir_program *p, int t, size_t *off)
{
    const lir_tensor *x = &p->t[t];
    *off = 0;
    while (x->storage == LIR_VIEW) {
        *off += x->view_offset;
        x = &p->t[x->view_of];
    }
    return x;
}

/* Names for the constants and for the arena tensors the steps use, in id
 * order (so the same program always gets the same names). */
static void name_symbols(emit_ctx *e, const lir_program *p)
{
    /* the file's own symbols, after the prefix */
    static const char *const own[] = {"run", "run_with_arena", "arena_", "weights",
                                      "profile_now", "profile_hook", "profile_ticks",
                                      "profile_node", "run_parallel",
                                      "run_parallel_with_arena", "threads_init",
                                      "threads_shutdown", "pool_", "pool_t_",
                                      "thread_arg_", "wake_", "wait_", "load_", "set_",
                                      "start_", "barrier_", "fail_", "failed_",
                                      "worker_", "thread_", "worker_scratch_"};
    static char reserved[sizeof own / sizeof *own][EMIT_IDENT_MAX];
    char base[EMIT_IDENT_MAX], part[EMIT_IDENT_MAX];
    size_t i;
    int s, k;
    strmap_init(&e->names, (size_t)(p->nc + p->nt) + 16);
    for (i = 0; i < sizeof own / sizeof *own; i++) {
        snprintf(reserved[i], EMIT_IDENT_MAX, "%.48s_%.32s", e->o->prefix, own[i]);
        strmap_put(&e->names, reserved[i], 0);
    }
    e->cname = xcalloc((size_t)(p->nc ? p->nc : 1), sizeof *e->cname);
    for (k = 0; k < p->nc; k++) {
        const lir_const *c = &p->c[k];
        const char *node = c->step >= 0 && c->step < p->ns ? p->s[c->step].node_name : "";
        ident_part(node[0] ? node : "c", part, 32);
        snprintf(base, sizeof base, "%.40s_%.32s_%.23s", e->o->prefix, part, c->role);
        unique_ident(e, base, e->cname[k]);
    }
    e->tname = xcalloc((size_t)(p->nt ? p->nt : 1), sizeof *e->tname);
    for (s = 0; s < p->ns; s++) {
        const lir_step *st = &p->s[s];
        const int use[4] = {st->in[0], st->in[1], st->out, st->scratch};
        for (k = 0; k < 4; k++) {
            size_t off;
            if (use[k] >= 0 && storage_of(p, use[k], &off)->storage == LIR_ARENA)
                e->tname[use[k]][0] = 1; /* used: named below */
        }
    }
    for (k = 0; k < p->nt; k++) {
        if (!e->tname[k][0])
            continue;
        ident_part(p->t[k].name[0] ? p->t[k].name : "tensor", part, 40);
        snprintf(base, sizeof base, "t_%.40s", part);
        unique_ident(e, base, e->tname[k]);
    }
}

static const char *dtype_ctype(lir_dtype dt)
{
    return dt == LIR_BITS ? "uint32_t" : dt == LIR_U8 ? "uint8_t" : dt == LIR_I8 ? "int8_t"
         : dt == LIR_I64  ? "int64_t" : "float";
}

/* The run function's named tensors: a pointer each into the arena, with
 * what it holds and the steps it lives. */
static void write_tensors(const emit_ctx *e, const lir_program *p, strbuf *b)
{
    int k, any = 0;
    for (k = 0; k < p->nt; k++) {
        const lir_tensor *t = &p->t[k];
        size_t off;
        const lir_tensor *base = storage_of(p, k, &off);
        char shape[96];
        if (!e->tname[k][0])
            continue;
        if (!any++)
            sb_add(b, "\n    /* the tensors: where each is in the arena, its extent and bytes, "
                      "the steps using it */\n");
        if (t->n > 1)
            snprintf(shape, sizeof shape, "%dx%dx%dx%d", t->n, t->h, t->w, t->c);
        else
            snprintf(shape, sizeof shape, "%dx%dx%d", t->h, t->w, t->c);
        sb_printf(b, "    %s *const %s = (%s *)(arena + %zu); /* %s %s, %zu B", dtype_ctype(t->dt),
                  e->tname[k], dtype_ctype(t->dt), base->offset + off, shape,
                  t->dt == LIR_BITS ? "bits" : t->dt == LIR_F32 ? "floats" : "bytes", t->bytes);
        if (t->first >= 0 && t->last > t->first)
            sb_printf(b, ", steps %d-%d", t->first + 1, t->last + 1);
        else if (t->first >= 0)
            sb_printf(b, ", step %d", t->first + 1);
        sb_add(b, " */\n");
    }
}

/* The C expression for constant c: its array, the typed member of its
 * string (--weights string), or a typed pointer into the blob. All are
 * address constants, usable in the static parameter structs. */
static void const_ref(const emit_ctx *e, const lir_const *c, char *buf, size_t size)
{
    switch (e->mode) {
    case EMIT_WEIGHTS_STRING:
        snprintf(buf, size, "%s.v", e->cname[c->id]);
        return;
    case EMIT_WEIGHTS_BLOB:
        snprintf(buf, size, "((const %s *)(%s_weights + %zu))", ctype_name(c->type),
                 e->o->prefix, e->blob_off[c->id]);
        return;
    case EMIT_WEIGHTS_AUTO:
    case EMIT_WEIGHTS_ARRAY:
        break;
    }
    const_name(e, c, buf, size);
}

size_t emit_const_bytes(const lir_program *p)
{
    size_t b = 0;
    int i;
    for (i = 0; i < p->nc; i++)
        b += const_bytes(&p->c[i]);
    return b;
}

/* Byte k of constant c as stored: little-endian whatever the host. */
static unsigned char const_byte(const lir_const *c, size_t k)
{
    uint32_t w;
    if (c->type == LC_U8 || c->type == LC_I8)
        return ((const uint8_t *)c->data)[k];
    memcpy(&w, (const unsigned char *)c->data + (k & ~(size_t)3), 4);
    return (unsigned char)(w >> (8 * (k & 3)));
}

/* Constant c as a C string literal body, 64 bytes a line: printable
 * characters as themselves, the rest as octal escapes (three digits
 * when a digit follows), '"', '\' and '?' (trigraphs) escaped. */
static void write_string_bytes(FILE *f, const lir_const *c)
{
    size_t k, n = const_bytes(c);
    int octal = 0;
    for (k = 0; k < n; k++) {
        unsigned b = const_byte(c, k);
        if (k % 64 == 0) {
            fputs(k ? "\"\n    \"" : "    \"", f);
            octal = 0;
        }
        if (b == '"' || b == '\\' || b == '?') {
            fprintf(f, "\\%c", b);
            octal = 0;
        } else if (b >= 0x20 && b < 0x7f && !(octal && b >= '0' && b <= '7')) {
            fputc((int)b, f);
            octal = 0;
        } else {
            int next_digit = k + 1 < n && (k + 1) % 64 && const_byte(c, k + 1) >= '0' &&
                             const_byte(c, k + 1) <= '7';
            fprintf(f, next_digit ? "\\%03o" : "\\%o", b);
            octal = !next_digit;
        }
    }
    fputs(n ? "\"" : "    \"\"", f);
}

/* The constants section: one static const array (or string) per constant,
 * or, for a blob, the declaration of the blob and how it is pulled in. */
static void write_consts(const emit_ctx *e, const lir_program *p, FILE *f)
{
    int i;
    const char *prefix = e->o->prefix;
    if (e->mode != EMIT_WEIGHTS_ARRAY)
        fputs("#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__\n"
              "#error \"the constants are stored little-endian\"\n#endif\n", f);
    if (e->mode == EMIT_WEIGHTS_STRING)
        fputs("#if defined(__GNUC__)\n"
              "#pragma GCC diagnostic ignored \"-Woverlength-strings\"\n#endif\n\n", f);
    if (e->mode == EMIT_WEIGHTS_BLOB) {
        char up[64];
        size_t k;
        for (k = 0; prefix[k] && k + 1 < sizeof up; k++)
            up[k] = (char)toupper((unsigned char)prefix[k]);
        up[k] = '\0';
        fprintf(f,
                "/* All %zu bytes of constants are in %s.bin, next to this file\n"
                " * (little-endian, each constant at a multiple of 64 bytes). GCC and\n"
                " * Clang pull it in with the assembler's .incbin, by the path this\n"
                " * file was compiled under with \".bin\" appended. Define\n"
                " * %s_WEIGHTS_EXTERN to provide %s_weights yourself (64-byte\n"
                " * aligned: linked from the blob, or in external memory). */\n"
                "#if !defined(%s_WEIGHTS_EXTERN)\n"
                "#if (defined(__GNUC__) || defined(__clang__)) && defined(__ELF__)\n"
                "__asm__(\".section .rodata\\n.balign 64\\n.globl %s_weights\\n\"\n"
                "        \"%s_weights:\\n.incbin \\\"\" __FILE__ \".bin\\\"\\n.previous\");\n"
                "#else\n"
                "#error \"define %s_WEIGHTS_EXTERN and link %s_weights from the .bin file\"\n"
                "#endif\n#endif\n"
                "extern const unsigned char %s_weights[%zu];\n\n",
                e->blob_bytes, e->o->c_path ? base_name(e->o->c_path) : "net.c", up, prefix, up,
                prefix, prefix, up, prefix, prefix, e->blob_bytes ? e->blob_bytes : 1);
        return;
    }
    for (i = 0; i < p->nc; i++) {
        const lir_const *c = &p->c[i];
        char name[128], node[160];
        size_t k, per = c->type == LC_U32 ? 8 : c->type == LC_F32 ? 6 : 12;
        const lir_step *s = c->step < p->ns ? &p->s[c->step] : NULL;
        const_name(e, c, name, sizeof name);
        sanitize(s ? s->node_name : "", node, sizeof node);
        fprintf(f, "/* %s: %s, %zu x %s */\n", node, c->role, c->count, ctype_name(c->type));
        if (e->mode == EMIT_WEIGHTS_STRING) {
            fprintf(f, "static const union {\n    unsigned char b[%zu];\n    %s v[%zu];\n} %s = {\n",
                    const_bytes(c) ? const_bytes(c) : 1, ctype_name(c->type),
                    c->count ? c->count : 1, name);
            write_string_bytes(f, c);
            fputs("};\n\n", f);
            continue;
        }
        fprintf(f, "static const %s %s[%zu] = {", ctype_name(c->type), name,
                c->count ? c->count : 1);
        for (k = 0; k < c->count; k++) {
            char lit[48];
            if (k % per == 0)
                fputs("\n   ", f);
            switch (c->type) {
            case LC_U32:
                snprintf(lit, sizeof lit, " 0x%08xu", ((const uint32_t *)c->data)[k]);
                break;
            case LC_I32: {
                int32_t v = ((const int32_t *)c->data)[k];
                if (v == INT32_MIN)
                    snprintf(lit, sizeof lit, " (-2147483647 - 1)");
                else
                    snprintf(lit, sizeof lit, " %ld", (long)v);
                break;
            }
            case LC_F32:
                lit[0] = ' ';
                float_lit(((const float *)c->data)[k], lit + 1, sizeof lit - 1);
                break;
            case LC_U8:
                snprintf(lit, sizeof lit, " %u", ((const uint8_t *)c->data)[k]);
                break;
            case LC_I8:
                snprintf(lit, sizeof lit, " %d", ((const int8_t *)c->data)[k]);
                break;
            }
            fputs(lit, f);
            if (k + 1 < c->count)
                fputc(',', f);
        }
        if (!c->count)
            fputc('0', f);
        fputs("\n};\n\n", f);
    }
}

/* The blob: every constant's bytes, little-endian, each at a multiple of
 * 64 bytes (the offsets e->blob_off gives). */
static int write_blob(const emit_ctx *e, const lir_program *p, FILE *f)
{
    static const unsigned char zero[64];
    size_t at = 0;
    int i;
    for (i = 0; i < p->nc; i++) {
        const lir_const *c = &p->c[i];
        size_t k, n = const_bytes(c);
        unsigned char buf[4096];
        if (fwrite(zero, 1, e->blob_off[i] - at, f) != e->blob_off[i] - at)
            return -1;
        for (k = 0; k < n; k += sizeof buf) {
            size_t j, m = n - k < sizeof buf ? n - k : sizeof buf;
            for (j = 0; j < m; j++)
                buf[j] = const_byte(c, k + j);
            if (fwrite(buf, 1, m, f) != m)
                return -1;
        }
        at = e->blob_off[i] + n;
    }
    return 0;
}

/* C expression for tensor t, typed for reading (in) or writing. */
static void tensor_expr(const lir_program *p, const emit_ctx *e, int t, int in,
                        char *buf, size_t size)
{
    size_t off;
    const lir_tensor *x = storage_of(p, t, &off);
    (void)in;
    switch (x->storage) {
    case LIR_ARENA:
        snprintf(buf, size, "%s", e->tname[t]);
        break;
    case LIR_INPUT:
        off += x->ext_offset;
        /* a bitpacked input is int32_t words (LCE's type); kernels read
         * uint32_t words */
        if (off)
            snprintf(buf, size, "(%sinput + %zu)",
                     x->dt == LIR_BITS ? "(const uint32_t *)" : "",
                     off / LIR_DTYPE_BYTES(x->dt));
        else
            snprintf(buf, size, "%sinput", x->dt == LIR_BITS ? "(const uint32_t *)" : "");
        break;
    case LIR_OUTPUT:
        off += x->ext_offset;
        /* a bitpacked output is int32_t words (LCE's type); kernels write
         * uint32_t words */
        if (off)
            snprintf(buf, size, "(%soutput + %zu)", x->dt == LIR_BITS ? "(uint32_t *)" : "",
                     off / LIR_DTYPE_BYTES(x->dt));
        else
            snprintf(buf, size, "%soutput", x->dt == LIR_BITS ? "(uint32_t *)" : "");
        break;
    case LIR_CONST:
        const_ref(e, &p->c[x->const_id], buf, size);
        if (off)
            snprintf(buf + strlen(buf), size - strlen(buf), " + %zu",
                     off / LIR_DTYPE_BYTES(x->dt));
        break;
    case LIR_VIEW:
        BNNC_BUG("view of a view");
    }
}

static const char *act_name(bnn_act a)
{
    static const char *const n[] = {"BNN_ACT_NONE", "BNN_ACT_RELU", "BNN_ACT_SIGMOID",
                                    "BNN_ACT_TANH", "BNN_ACT_SOFTRELU", "BNN_ACT_SOFTSIGN",
                                    "BNN_ACT_LEAKY", "BNN_ACT_ELU", "BNN_ACT_SELU",
                                    "BNN_ACT_GELU"};
    return (unsigned)a < sizeof n / sizeof *n ? n[a] : "BNN_ACT_NONE";
}

static const char *unary_name(bnn_unary_op u)
{
    static const char *const n[] = {"BNN_UN_ABS", "BNN_UN_SIGN", "BNN_UN_CLIP",
                                    "BNN_UN_MAX_S", "BNN_UN_MIN_S", "BNN_UN_POW_S",
                                    "BNN_UN_RDIV_S", "BNN_UN_ROUND"};
    return (unsigned)u < sizeof n / sizeof *n ? n[u] : "?";
}

static const char *binary_name(bnn_binary_op u)
{
    static const char *const n[] = {"BNN_BIN_ADD", "BNN_BIN_SUB", "BNN_BIN_MUL", "BNN_BIN_DIV"};
    return (unsigned)u < sizeof n / sizeof *n ? n[u] : "?";
}

/* Designated initializers of the conv and pooling parameter structs
 * (weights and bias are constant names). */
static void conv_init(const bnn_conv2d_params *q, const char *w, const char *bias, char *buf,
                      size_t n)
{
    snprintf(buf, n,
             ".n = %d, .in_h = %d, .in_w = %d, .in_c = %d,\n"
             "            .out_h = %d, .out_w = %d, .out_c = %d, .k_h = %d, .k_w = %d,\n"
             "            .stride_h = %d, .stride_w = %d, .pad_h = %d, .pad_w = %d,\n"
             "            .dil_h = %d, .dil_w = %d, .groups = %d, .weights = %s,\n"
             "            .bias = %s, .act = %s, .out_pixel_stride = %d%s",
             q->n, q->in_h, q->in_w, q->in_c, q->out_h, q->out_w, q->out_c, q->k_h, q->k_w,
             q->stride_h, q->stride_w, q->pad_h, q->pad_w, q->dil_h, q->dil_w, q->groups, w,
             bias, act_name(q->act), q->out_pixel_stride,
             q->order == BNN_CONV_ORDER_FMA    ? ",\n            .order = BNN_CONV_ORDER_FMA"
             : q->order == BNN_CONV_ORDER_BIAS ? ",\n            .order = BNN_CONV_ORDER_BIAS"
                                               : "");
}

static void pool_init(const bnn_pool2d_params *q, char *buf, size_t n)
{
    snprintf(buf, n,
             ".n = %d, .in_h = %d, .in_w = %d, .c = %d, .out_h = %d, .out_w = %d,\n"
             "            .k_h = %d, .k_w = %d, .stride_h = %d, .stride_w = %d,\n"
             "            .pad_h = %d, .pad_w = %d, .count_include_pad = %d",
             q->n, q->in_h, q->in_w, q->c, q->out_h, q->out_w, q->k_h, q->k_w, q->stride_h,
             q->stride_w, q->pad_h, q->pad_w, q->count_include_pad);
}

static const char *pad_mode_name(bnn_pad_mode m)
{
    return m == BNN_PAD_MINUS_ONE ? "BNN_PAD_MINUS_ONE"
           : m == BNN_PAD_ZERO    ? "BNN_PAD_ZERO"
                                  : "BNN_PAD_PLUS_ONE";
}

/* A step's operands as C text, for its emitter: tensors (in0, in1, out,
 * scratch or "NULL") and constants k[]; the emitter fills init (the
 * designated initializer of the kind's parameter struct) and args (the
 * call's arguments after the struct), or sets copy and puts a memcpy's
 * byte count in args. */
typedef struct {
    const lir_step *s;
    char in0[160], in1[160], out[160], scr[160], k[LIR_STEP_CONSTS][128];
    char args[1024], init[4096];
    int copy;
    const char *residual; /* set at run time in a copy of the parameters */
} step_text;

/* n, c, h, w of a layout change: the start of its initializer */
static int layout_init(step_text *t)
{
    const bnn_layout_params *q = &t->s->p.layout;
    return snprintf(t->init, sizeof t->init, ".n = %d, .c = %d, .h = %d, .w = %d", q->n, q->c,
                    q->h, q->w);
}

static void emit_layout(step_text *t)
{
    layout_init(t);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

/* layout change with a per-channel map (uint8 input: mean and std; input
 * BatchNorm: mul and add), constants 0 and 1 */
static void emit_layout_affine(step_text *t)
{
    int u8 = t->s->kind == LK_U8_TO_F32;
    size_t n = (size_t)layout_init(t);
    snprintf(t->init + n, sizeof t->init - n, ",\n            %s = %s, %s = %s",
             u8 ? ".mean" : ".mul", t->k[0], u8 ? ".std" : ".add", t->k[1]);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

static void emit_copy(step_text *t)
{
    snprintf(t->args, sizeof t->args, "%zu", t->s->p.mem.bytes);
    t->copy = 1;
}

static void emit_permute(step_text *t)
{
    const bnn_permute_params *q = &t->s->p.permute;
    char shp[128], prm[128];
    int d, ns = 0, np = 0;
    for (d = 0; d < q->ndim; d++) {
        ns += snprintf(shp + ns, sizeof shp - (size_t)ns, "%s%d", d ? ", " : "", q->shape[d]);
        np += snprintf(prm + np, sizeof prm - (size_t)np, "%s%d", d ? ", " : "", q->perm[d]);
    }
    snprintf(t->init, sizeof t->init, ".ndim = %d, .shape = {%s}, .perm = {%s}", q->ndim, shp,
             prm);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

/* pack, unpack and channel copies: the geometry, dst_c_offset for the
 * copies; a slice (COPY_CH_F32 or COPY_CH_I8 with in_offset) starts
 * in_offset elements into each input pixel */
static void emit_channel_copy(step_text *t)
{
    const lir_copy *q = &t->s->p.copy;
    int copy = t->s->kind == LK_COPY_CH_B || t->s->kind == LK_COPY_CH_F32 ||
               t->s->kind == LK_COPY_CH_I8;
    size_t n = (size_t)snprintf(t->init, sizeof t->init,
                                ".pixels = %d, .c = %d, .in_pixel_stride = %d,\n"
                                "            .out_pixel_stride = %d",
                                q->k.pixels, q->k.c, q->k.in_pixel_stride,
                                q->k.out_pixel_stride);
    BNNC_ASSERT(q->in_offset == 0 || t->s->kind == LK_COPY_CH_F32 ||
                t->s->kind == LK_COPY_CH_I8);
    if (copy)
        snprintf(t->init + n, sizeof t->init - n, ", .dst_c_offset = %d", q->k.dst_c_offset);
    if (q->in_offset)
        snprintf(t->args, sizeof t->args, "%s + %d, %s", t->in0, q->in_offset, t->out);
    else
        snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

/* the map's mul and add are constants 0 and 1 */
static void emit_pack_affine(step_text *t)
{
    const lir_copy *q = &t->s->p.copy;
    snprintf(t->init, sizeof t->init,
             ".pixels = %d, .c = %d, .in_pixel_stride = %d,\n"
             "            .out_pixel_stride = %d, .mul = %s, .add = %s",
             q->k.pixels, q->k.c, q->k.in_pixel_stride, q->k.out_pixel_stride, t->k[0], t->k[1]);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

static void emit_pool(step_text *t)
{
    pool_init(&t->s->p.pool, t->init, sizeof t->init);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

static void emit_bconv(step_text *t)
{
    const bnn_bconv2d_params *q = &t->s->p.bconv;
    int bits = t->s->kind == LK_BCONV_B;
    snprintf(t->init, sizeof t->init,
             ".n = %d, .in_h = %d, .in_w = %d, .in_c = %d,\n"
             "            .out_h = %d, .out_w = %d, .out_c = %d, .k_h = %d, .k_w = %d,\n"
             "            .stride_h = %d, .stride_w = %d, .pad_h = %d, .pad_w = %d,\n"
             "            .dil_h = %d, .dil_w = %d, .groups = %d, .pad_mode = %s,\n"
             "            .weights = %s, .out_pixel_stride = %d,\n            %s = %s, %s = %s",
             q->n, q->in_h, q->in_w, q->in_c, q->out_h, q->out_w, q->out_c, q->k_h, q->k_w,
             q->stride_h, q->stride_w, q->pad_h, q->pad_w, q->dil_h, q->dil_w, q->groups,
             pad_mode_name(q->pad_mode), t->k[0], q->out_pixel_stride,
             bits ? ".thresh" : ".mul", t->k[1], bits ? ".dir" : ".add", t->k[2]);
    if (!bits && q->dot_offset) {
        size_t len = strlen(t->init);
        snprintf(t->init + len, sizeof t->init - len, ", .dot_offset = %d", q->dot_offset);
    }
    if (!bits && q->dot_clamp) {
        size_t len = strlen(t->init);
        snprintf(t->init + len, sizeof t->init - len,
                 ",\n            .dot_clamp = 1, .dot_lo = %d, .dot_hi = %d", q->dot_lo,
                 q->dot_hi);
    }
    if (t->s->kind == LK_BCONV_F32_ADD) { /* fuse_residual.c */
        size_t len = strlen(t->init);
        snprintf(t->init + len, sizeof t->init - len, ",\n            .residual_pixel_stride = %d",
                 q->residual_pixel_stride);
        t->residual = t->in1;
    }
    snprintf(t->args, sizeof t->args, "%s, %s, %s", t->in0, t->out, t->scr);
}

static void emit_bdense(step_text *t)
{
    const bnn_bdense_params *q = &t->s->p.bdense;
    int bits = t->s->kind == LK_BDENSE_B;
    snprintf(t->init, sizeof t->init,
             ".n = %d, .in_words = %d, .k = %d, .out_c = %d, .weights = %s,\n"
             "            .out_row_stride = %d, %s = %s, %s = %s",
             q->n, q->in_words, q->k, q->out_c, t->k[0], q->out_row_stride,
             bits ? ".thresh" : ".mul", t->k[1], bits ? ".dir" : ".add", t->k[2]);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

static void emit_conv(step_text *t)
{
    conv_init(&t->s->p.conv, t->k[0], t->s->n_consts > 1 ? t->k[1] : "NULL", t->init,
              sizeof t->init);
    snprintf(t->args, sizeof t->args, "%s, %s, %s", t->in0, t->out, t->scr);
}

static void emit_conv_maxpool(step_text *t)
{
    char ci[1024], pi[512];
    conv_init(&t->s->p.conv_pool.conv, t->k[0], t->s->n_consts > 1 ? t->k[1] : "NULL", ci,
              sizeof ci);
    pool_init(&t->s->p.conv_pool.pool, pi, sizeof pi);
    snprintf(t->init, sizeof t->init, ".conv = {%s},\n            .pool = {%s}", ci, pi);
    snprintf(t->args, sizeof t->args, "%s, %s, %s", t->in0, t->out, t->scr);
}

/* The constant of slot k, or NULL. */
static const char *slot(const step_text *t, int k)
{
    return k >= 0 ? t->k[k] : "NULL";
}

/* A chain of per-element steps as an initializer of bnn_ew_op. */
static int ew_init(const bnn_ew_op *ops, int n, const signed char *mul,
                   const signed char *add, const step_text *t, char *buf, size_t size)
{
    static const char *const kinds[] = {"BNN_EW_ACT", "BNN_EW_ACT_FAST", "BNN_EW_AFFINE"};
    int i, len = 0;
    for (i = 0; i < n && len < (int)size; i++) {
        char fl[64];
        float_lit(ops[i].alpha, fl, sizeof fl);
        if (ops[i].kind == BNN_EW_AFFINE)
            len += snprintf(buf + len, size - (size_t)len,
                            "%s{.kind = %s, .mul = %s, .add = %s}", i ? ",\n            " : "",
                            kinds[ops[i].kind], slot(t, mul[i]), slot(t, add[i]));
        else
            len += snprintf(buf + len, size - (size_t)len,
                            "%s{.kind = %s, .act = %s, .alpha = %s}",
                            i ? ",\n            " : "", kinds[ops[i].kind], act_name(ops[i].act),
                            fl);
    }
    if (!n)
        snprintf(buf, size, "{.kind = BNN_EW_ACT}");
    return len;
}

static void emit_conv_pack(step_text *t)
{
    const lir_conv_pack *q = &t->s->p.conv_pack;
    static const char *const pools[] = {"BNN_POOL_NONE", "BNN_POOL_MAX", "BNN_POOL_AVG"};
    char ci[1024], pi[512], pre[1024], post[1024];
    conv_init(&q->k.conv, slot(t, q->weights), slot(t, q->bias), ci, sizeof ci);
    pool_init(&q->k.pool, pi, sizeof pi);
    ew_init(q->k.pre, q->k.n_pre, q->pre_mul, q->pre_add, t, pre, sizeof pre);
    ew_init(q->k.post, q->k.n_post, q->post_mul, q->post_add, t, post, sizeof post);
    snprintf(t->init, sizeof t->init,
             ".conv = {%s},\n            .n_pre = %d, .n_post = %d,\n"
             "            .pre = {%s},\n            .post = {%s},\n"
             "            .pool_kind = %s,\n            .pool = {%s},\n"
             "            .mul = %s, .add = %s, .out_pixel_stride = %d",
             ci, q->k.n_pre, q->k.n_post, pre, post, pools[q->k.pool_kind], pi,
             slot(t, q->mul), slot(t, q->add), q->k.out_pixel_stride);
    snprintf(t->args, sizeof t->args, "%s, %s, %s", t->in0, t->out, t->scr);
}

static void emit_dense(step_text *t)
{
    const bnn_dense_params *q = &t->s->p.dense;
    snprintf(t->init, sizeof t->init,
             ".n = %d, .k = %d, .out_c = %d, .weights = %s, .bias = %s,\n"
             "            .act = %s, .out_row_stride = %d",
             q->n, q->k, q->out_c, t->k[0], t->s->n_consts > 1 ? t->k[1] : "NULL",
             act_name(q->act), q->out_row_stride);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

static void emit_pad(step_text *t)
{
    const bnn_pad2d_params *q = &t->s->p.pad;
    char fl[64];
    float_lit(q->value, fl, sizeof fl);
    snprintf(t->init, sizeof t->init,
             ".n = %d, .h = %d, .w = %d, .c = %d, .top = %d, .bottom = %d,\n"
             "            .left = %d, .right = %d, .value = %s",
             q->n, q->h, q->w, q->c, q->top, q->bottom, q->left, q->right, fl);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

/* the row and column maps are the step's constants 0 and 1 */
static void emit_gather(step_text *t)
{
    const bnn_gather_hw_params *q = &t->s->p.gather;
    char fl[64];
    float_lit(q->fill, fl, sizeof fl);
    snprintf(t->init, sizeof t->init,
             ".n = %d, .in_h = %d, .in_w = %d, .c = %d, .out_h = %d, .out_w = %d,\n"
             "            .src_h = %s, .src_w = %s, .fill = %s",
             q->n, q->in_h, q->in_w, q->c, q->out_h, q->out_w, t->k[0], t->k[1], fl);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

/* mul and add are constants 0 and 1 */
static void emit_affine(step_text *t)
{
    snprintf(t->init, sizeof t->init, ".pixels = %d, .c = %d, .mul = %s, .add = %s",
             t->s->p.affine.pixels, t->s->p.affine.c, t->k[0], t->k[1]);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

/* alpha only for the activations that use it */
static void emit_act(step_text *t)
{
    const bnn_act_params *q = &t->s->p.act;
    char fl[64];
    float_lit(q->alpha, fl, sizeof fl);
    if (q->act == BNN_ACT_LEAKY || q->act == BNN_ACT_ELU)
        snprintf(t->init, sizeof t->init, ".act = %s, .alpha = %s, .n = %zu", act_name(q->act),
                 fl, q->n);
    else
        snprintf(t->init, sizeof t->init, ".act = %s, .n = %zu", act_name(q->act), q->n);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

/* the slope is constant 0 */
static void emit_prelu(step_text *t)
{
    snprintf(t->init, sizeof t->init, ".pixels = %d, .c = %d, .slope = %s",
             t->s->p.prelu.pixels, t->s->p.prelu.c, t->k[0]);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

static void emit_add(step_text *t)
{
    snprintf(t->init, sizeof t->init, ".n = %zu", t->s->p.add.n);
    snprintf(t->args, sizeof t->args, "%s, %s, %s", t->in0, t->in1, t->out);
}

static void emit_unary(step_text *t)
{
    char fa[64], fb[64];
    float_lit(t->s->p.unary.a, fa, sizeof fa);
    float_lit(t->s->p.unary.b, fb, sizeof fb);
    snprintf(t->init, sizeof t->init, ".op = %s, .a = %s, .b = %s, .n = %zu",
             unary_name(t->s->p.unary.op), fa, fb, t->s->p.unary.n);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

static void emit_binary(step_text *t)
{
    snprintf(t->init, sizeof t->init, ".op = %s, .n = %zu", binary_name(t->s->p.binary.op),
             t->s->p.binary.n);
    snprintf(t->args, sizeof t->args, "%s, %s, %s", t->in0, t->in1, t->out);
}

/* in0 is the tensor, in1 the one-channel map */
static void emit_binary_pixel(step_text *t)
{
    const bnn_binary_pixel_params *q = &t->s->p.binary_pixel;
    snprintf(t->init, sizeof t->init, ".op = %s, .pixels = %d, .c = %d", binary_name(q->op),
             q->pixels, q->c);
    snprintf(t->args, sizeof t->args, "%s, %s, %s", t->in0, t->in1, t->out);
}

static void emit_channel_mean(step_text *t)
{
    snprintf(t->init, sizeof t->init, ".pixels = %d, .c = %d", t->s->p.mean.pixels,
             t->s->p.mean.c);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

static void emit_softmax(step_text *t)
{
    snprintf(t->init, sizeof t->init, ".rows = %d, .len = %d", t->s->p.softmax.rows,
             t->s->p.softmax.len);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

/* out is the values or the indices, by its type; scratch holds the values
 * when out is the indices */
static void emit_topk(step_text *t)
{
    const bnn_topk_params *q = &t->s->p.topk;
    int idx = t->s->scratch >= 0;
    snprintf(t->init, sizeof t->init,
             ".outer = %d, .len = %d, .inner = %d, .k = %d, .largest = %d, .last_index = %d",
             (int)q->outer, (int)q->len, (int)q->inner, (int)q->k, (int)q->largest,
             (int)q->last_index);
    snprintf(t->args, sizeof t->args, "%s, %s, %s, %s", t->in0, idx ? "NULL" : t->out,
             idx ? t->out : "NULL", idx ? t->scr : "NULL");
}

static void emit_quant_i8(step_text *t)
{
    snprintf(t->init, sizeof t->init,
             ".n = %zu, .channels = %d, .inner = %zu, .scale = %s, .zero_point = %s",
             t->s->p.quant.n, t->s->p.quant.channels, t->s->p.quant.inner, t->k[0], t->k[1]);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

static void emit_requant_i8(step_text *t)
{
    const bnn_requantize_i8_params *q = &t->s->p.requant;
    snprintf(t->init, sizeof t->init,
             ".n = %zu, .in_zp = %d, .out_zp = %d, .mult = %ld, .shift = %d,\n"
             "            .act_min = %d, .act_max = %d",
             q->n, (int)q->in_zp, (int)q->out_zp, (long)q->mult, (int)q->shift,
             (int)q->act_min, (int)q->act_max);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

/* constants: weights, the bias when the layer has one, multipliers, shifts */
static void i8_layer_consts(const step_text *t, const char **w, const char **b,
                            const char **m, const char **sh)
{
    int bias = t->s->n_consts == 4;
    *w = t->k[0];
    *b = bias ? t->k[1] : "NULL";
    *m = t->k[bias ? 2 : 1];
    *sh = t->k[bias ? 3 : 2];
}

static void emit_conv_i8(step_text *t)
{
    const bnn_conv2d_i8_params *q = &t->s->p.conv_i8;
    const char *w, *b, *m, *sh;
    i8_layer_consts(t, &w, &b, &m, &sh);
    snprintf(t->init, sizeof t->init,
             ".n = %d, .in_h = %d, .in_w = %d, .in_c = %d,\n"
             "            .out_h = %d, .out_w = %d, .out_c = %d, .k_h = %d, .k_w = %d,\n"
             "            .stride_h = %d, .stride_w = %d, .pad_top = %d, .pad_left = %d,\n"
             "            .dil_h = %d, .dil_w = %d, .groups = %d, .in_zp = %d, .out_zp = %d,\n"
             "            .act_min = %d, .act_max = %d, .weights = %s, .bias = %s,\n"
             "            .out_mult = %s, .out_shift = %s, .out_pixel_stride = %d",
             q->n, q->in_h, q->in_w, q->in_c, q->out_h, q->out_w, q->out_c, q->k_h, q->k_w,
             q->stride_h, q->stride_w, q->pad_top, q->pad_left, q->dil_h, q->dil_w, q->groups,
             q->in_zp, q->out_zp, q->act_min, q->act_max, w, b, m, sh, q->out_pixel_stride);
    snprintf(t->args, sizeof t->args, "%s, %s, %s", t->in0, t->out, t->scr);
}

static void emit_dwconv_i8(step_text *t)
{
    const bnn_dwconv2d_i8_params *q = &t->s->p.dwconv_i8;
    const char *w, *b, *m, *sh;
    i8_layer_consts(t, &w, &b, &m, &sh);
    snprintf(t->init, sizeof t->init,
             ".n = %d, .in_h = %d, .in_w = %d, .in_c = %d,\n"
             "            .out_h = %d, .out_w = %d, .mult = %d, .k_h = %d, .k_w = %d,\n"
             "            .stride_h = %d, .stride_w = %d, .pad_top = %d, .pad_left = %d,\n"
             "            .dil_h = %d, .dil_w = %d, .in_zp = %d, .out_zp = %d,\n"
             "            .act_min = %d, .act_max = %d, .weights = %s, .bias = %s,\n"
             "            .out_mult = %s, .out_shift = %s, .out_pixel_stride = %d",
             q->n, q->in_h, q->in_w, q->in_c, q->out_h, q->out_w, q->mult, q->k_h, q->k_w,
             q->stride_h, q->stride_w, q->pad_top, q->pad_left, q->dil_h, q->dil_w, q->in_zp,
             q->out_zp, q->act_min, q->act_max, w, b, m, sh, q->out_pixel_stride);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

static void emit_dense_i8(step_text *t)
{
    const bnn_dense_i8_params *q = &t->s->p.dense_i8;
    const char *w, *b, *m, *sh;
    i8_layer_consts(t, &w, &b, &m, &sh);
    snprintf(t->init, sizeof t->init,
             ".n = %d, .in_c = %d, .out_c = %d, .in_zp = %d, .out_zp = %d,\n"
             "            .act_min = %d, .act_max = %d, .weights = %s, .bias = %s,\n"
             "            .out_mult = %s, .out_shift = %s, .out_row_stride = %d",
             q->n, q->in_c, q->out_c, q->in_zp, q->out_zp, q->act_min, q->act_max, w, b, m, sh,
             q->out_row_stride);
    snprintf(t->args, sizeof t->args, "%s, %s, %s", t->in0, t->out, t->scr);
}

/* constants: weights, out_scale, then out_bias when the layer has one */
static void emit_dense_i8_f32(step_text *t)
{
    const bnn_dense_i8_params *q = &t->s->p.dense_i8;
    snprintf(t->init, sizeof t->init,
             ".d = {.n = %d, .in_c = %d, .out_c = %d, .in_zp = %d, .weights = %s,\n"
             "                  .out_row_stride = %d},\n"
             "            .out_scale = %s, .out_bias = %s",
             q->n, q->in_c, q->out_c, q->in_zp, t->k[0], q->out_row_stride, t->k[1],
             t->s->n_consts > 2 ? t->k[2] : "NULL");
    snprintf(t->args, sizeof t->args, "%s, %s, %s", t->in0, t->out, t->scr);
}

static void emit_pool_i8(step_text *t)
{
    const bnn_pool2d_i8_params *q = &t->s->p.pool_i8;
    snprintf(t->init, sizeof t->init,
             ".n = %d, .in_h = %d, .in_w = %d, .c = %d, .out_h = %d, .out_w = %d,\n"
             "            .k_h = %d, .k_w = %d, .stride_h = %d, .stride_w = %d,\n"
             "            .pad_top = %d, .pad_left = %d, .act_min = %d, .act_max = %d",
             q->n, q->in_h, q->in_w, q->c, q->out_h, q->out_w, q->k_h, q->k_w, q->stride_h,
             q->stride_w, q->pad_top, q->pad_left, q->act_min, q->act_max);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

/* in1 is the second operand (b_len elements, repeated) */
static void emit_eltwise_i8(step_text *t)
{
    const bnn_eltwise_i8_params *q = &t->s->p.eltwise_i8.k;
    snprintf(t->init, sizeof t->init,
             ".a_zp = %d, .b_zp = %d, .out_zp = %d, .left_shift = %d,\n"
             "            .a_mult = %ld, .a_shift = %d, .b_mult = %ld, .b_shift = %d,\n"
             "            .out_mult = %ld, .out_shift = %d, .act_min = %d, .act_max = %d",
             (int)q->a_zp, (int)q->b_zp, (int)q->out_zp, (int)q->left_shift, (long)q->a_mult,
             (int)q->a_shift, (long)q->b_mult, (int)q->b_shift, (long)q->out_mult,
             (int)q->out_shift, (int)q->act_min, (int)q->act_max);
    snprintf(t->args, sizeof t->args, "%zu, %s, %zu, %s, %s", t->s->p.eltwise_i8.n, t->in0,
             t->s->p.eltwise_i8.b_len, t->in1, t->out);
}

static void emit_pad_i8(step_text *t)
{
    const bnn_pad2d_i8_params *q = &t->s->p.pad_i8;
    snprintf(t->init, sizeof t->init,
             ".n = %d, .h = %d, .w = %d, .c = %d, .top = %d, .bottom = %d,\n"
             "            .left = %d, .right = %d, .value = %d",
             q->n, q->h, q->w, q->c, q->top, q->bottom, q->left, q->right, (int)q->value);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

/* alpha is constant 0 when the step has one */
static void emit_prelu_i8(step_text *t)
{
    const bnn_prelu_i8_params *q = &t->s->p.prelu_i8;
    snprintf(t->init, sizeof t->init,
             ".n = %zu, .c = %d, .in_zp = %d, .out_zp = %d, .alpha_zp = %d,\n"
             "            .pos_mult = %ld, .pos_shift = %d, .neg_mult = %ld, .neg_shift = %d,\n"
             "            .alpha = %s",
             q->n, (int)q->c, (int)q->in_zp, (int)q->out_zp, (int)q->alpha_zp,
             (long)q->pos_mult, (int)q->pos_shift, (long)q->neg_mult, (int)q->neg_shift,
             t->s->n_consts ? t->k[0] : "NULL");
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

static void emit_hard_swish_i8(step_text *t)
{
    const bnn_hard_swish_i8_params *q = &t->s->p.hswish_i8;
    snprintf(t->init, sizeof t->init,
             ".n = %zu, .in_zp = %d, .out_zp = %d, .out_mult = %d, .relu_mult = %d,\n"
             "            .out_exp = %d, .relu_exp = %d",
             q->n, (int)q->in_zp, (int)q->out_zp, (int)q->out_mult, (int)q->relu_mult,
             (int)q->out_exp, (int)q->relu_exp);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

/* the table is constant 0 */
static void emit_lut_i8(step_text *t)
{
    const bnn_lut_i8_params *q = &t->s->p.lut_i8;
    snprintf(t->init, sizeof t->init, ".n = %zu, .table = %s", q->n, t->k[0]);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

/* the table is constant 0 */
static void emit_softmax_i8(step_text *t)
{
    const bnn_softmax_i8_params *q = &t->s->p.softmax_i8;
    char fl[64];
    float_lit(q->out_scale, fl, sizeof fl);
    snprintf(t->init, sizeof t->init,
             ".rows = %d, .len = %d, .out_scale = %s, .out_zp = %d, .table = %s", q->rows,
             q->len, fl, (int)q->out_zp, t->k[0]);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

static void emit_mean_i8(step_text *t)
{
    const bnn_mean_i8_params *q = &t->s->p.mean_i8;
    snprintf(t->init, sizeof t->init,
             ".n = %d, .h = %d, .w = %d, .c = %d, .in_zp = %d, .out_zp = %d,\n"
             "            .mult = %ld, .shift = %d",
             q->n, q->h, q->w, q->c, (int)q->in_zp, (int)q->out_zp, (long)q->mult,
             (int)q->shift);
    snprintf(t->args, sizeof t->args, "%s, %s", t->in0, t->out);
}

typedef void (*emit_fn)(step_text *t);

static const emit_fn emitters[] = {
#define KIND(id, name, kernel, params, emit, part) emit,
#include "../ir/lir.def"
#undef KIND
};
_Static_assert(sizeof emitters / sizeof *emitters == LK_COUNT,
               "emitter table out of step with lir.def");

/* One step as a template macro call: its kind's emitter writes the
 * arguments, the row gives the function and the parameter struct. */
static void write_step(const lir_program *p, const emit_ctx *e, int i, strbuf *b)
{
    const lir_step *s = &p->s[i];
    step_text t;
    char node[160], what[200], srcop[64], part[1400];
    const char *fn = lir_kind_kernel(s->kind), *ptype = lir_kind_params(s->kind);
    int c;

    memset(&t, 0, sizeof t);
    t.s = s;
    if (s->in[0] >= 0)
        tensor_expr(p, e, s->in[0], 1, t.in0, sizeof t.in0);
    if (s->in[1] >= 0)
        tensor_expr(p, e, s->in[1], 1, t.in1, sizeof t.in1);
    tensor_expr(p, e, s->out, 0, t.out, sizeof t.out);
    if (s->scratch >= 0)
        tensor_expr(p, e, s->scratch, 0, t.scr, sizeof t.scr);
    else
        snprintf(t.scr, sizeof t.scr, "NULL");
    for (c = 0; c < s->n_consts; c++)
        const_ref(e, &p->c[s->consts[c]], t.k[c], sizeof t.k[c]);
    sanitize(s->node_name[0] ? s->node_name : "output", node, sizeof node);
    sanitize(s->what, what, sizeof what);
    sanitize(s->src_op, srcop, sizeof srcop);
    emitters[s->kind](&t);
    part[0] = '\0';
    if (lir_kind_part(s->kind)) {
        /* the same arguments, with the worker's scratch (<PREFIX>_SCRATCH_) */
        step_text w = t;
        if (s->scratch >= 0)
            snprintf(w.scr, sizeof w.scr, "%.40s_SCRATCH_(%.100s)", e->uprefix, t.scr);
        emitters[s->kind](&w);
        snprintf(part, sizeof part, "%s(&p, %s, part, nparts)", lir_kind_part(s->kind), w.args);
    }
    if (t.copy) {
        sb_printf(b, "bt_copy(<|%s|>, <|%s|>, <|%s|>, <|%d|>, <|%s|>, <|%s|>, <|%s|>)\n", t.out,
                  t.in0, t.args, i + 1, node, srcop, what);
        return;
    }
    BNNC_ASSERT(ptype && t.init[0]);
    if (t.residual) {
        sb_printf(b,
                  "bt_call_residual(<|%s|>, <|%s|>,\n    <|%s|>,\n    <|%s|>, <|%d|>, <|%s|>, "
                  "<|%s|>, <|%s|>, <|%s|>,\n    <|%s|>)\n",
                  fn, ptype, t.init, t.args, i + 1, node, srcop, what, t.residual, part);
        return;
    }
    sb_printf(b,
              "bt_call_params(<|%s|>, <|%s|>,\n    <|%s|>,\n"
              "    <|%s|>, <|%d|>, <|%s|>, <|%s|>, <|%s|>,\n    <|%s|>)\n",
              fn, ptype, t.init, t.args, i + 1, node, srcop, what, part);
}

/* Bytes of scratch a worker after the first needs in a parallel run
 * (bnnc compile --threads): the largest scratch of a step divided among
 * workers, a multiple of 64 bytes, at least 64. Every part of a step fits
 * in the scratch of the whole step (bnn_part.h). */
static size_t worker_scratch_bytes(const lir_program *p)
{
    size_t m = 64;
    int i;
    for (i = 0; i < p->ns; i++) {
        const lir_step *s = &p->s[i];
        if (s->scratch >= 0 && lir_kind_part(s->kind) && p->t[s->scratch].bytes > m)
            m = p->t[s->scratch].bytes;
    }
    return (m + 63) / 64 * 64;
}

/* ------------------------------------------------------- standalone */

/* Embedded source file defining public function `fn`: the src/ .c file
 * with a line "BNN_API bnn_status fn(" that opens a definition (the
 * parameter list is followed by a body, not by ';'). */
static const bnnc_embedded_file *defining_file(const char *fn)
{
    char pat[160];
    size_t i;
    snprintf(pat, sizeof pat, "\nBNN_API bnn_status %s(", fn);
    for (i = 0; i < bnnc_embedded_count; i++) {
        const bnnc_embedded_file *f = &bnnc_embedded[i];
        const char *s = (const char *)f->data, *hit;
        size_t len = strlen(f->path);
        if (strncmp(f->path, "runtime_min/src/", 16) || len < 2 || strcmp(f->path + len - 2, ".c"))
            continue;
        for (hit = strstr(s, pat); hit; hit = strstr(hit + 1, pat)) {
            const char *brace = strchr(hit, '{'), *semi = strchr(hit, ';');
            if (brace && (!semi || brace < semi))
                return f;
        }
    }
    return NULL;
}

/* Embedded runtime header named in an #include "name" line. */
static const bnnc_embedded_file *runtime_header(const char *line)
{
    char name[128], path[192];
    const char *q = strchr(line, '"'), *e;
    if (!q || !(e = strchr(q + 1, '"')) || (size_t)(e - q - 1) >= sizeof name)
        return NULL;
    snprintf(name, sizeof name, "%.*s", (int)(e - q - 1), q + 1);
    snprintf(path, sizeof path, "runtime_min/include/%s", name);
    if (bnnc_embedded_find(path))
        return bnnc_embedded_find(path);
    snprintf(path, sizeof path, "runtime_min/src/%s", name);
    return bnnc_embedded_find(path);
}

/* True for a runtime header without an include guard (its first two
 * directives are not "#ifndef NAME" and "#define NAME"): a template such
 * as bconv2d_driver.h, which an arch file includes twice. */
static int is_template(const bnnc_embedded_file *f)
{
    const char *s = (const char *)f->data, *d[2];
    size_t len = strlen(f->path), n;
    int k = 0;
    if (len < 2 || strcmp(f->path + len - 2, ".h"))
        return 0;
    while (*s && k < 2) {
        const char *e = strchr(s, '\n');
        if (*s == '#')
            d[k++] = s;
        s = e ? e + 1 : s + strlen(s);
    }
    if (k < 2 || strncmp(d[0], "#ifndef ", 8) || strncmp(d[1], "#define ", 8))
        return 1;
    n = strcspn(d[0] + 8, " \t\r\n");
    return n == 0 || strncmp(d[0] + 8, d[1] + 8, n) || !strchr(" \t\r\n", d[1][8 + n]);
}

/* Append a runtime file, replacing each #include of a runtime header by
 * that header's text (as the preprocessor would, so the inlined code keeps
 * the order the sources rely on): the first time for a file with an
 * include guard, every time for a template (its leading comment only the
 * first time). */
static void append_source(strbuf *b, const bnnc_embedded_file *f,
                          const bnnc_embedded_file **done, int *ndone)
{
    const char *s = (const char *)f->data;
    int i, seen = 0;
    for (i = 0; i < *ndone; i++)
        seen |= done[i] == f;
    if (seen && !is_template(f))
        return;
    if (!seen && *ndone < 128)
        done[(*ndone)++] = f;
    if (seen) {
        while (*s && *s != '#')
            s = strchr(s, '\n') ? strchr(s, '\n') + 1 : s + strlen(s);
        sb_printf(b, "/* ---- %s (again) ---- */\n", f->path);
    } else {
        sb_printf(b, "/* ---- %s ---- */\n", f->path);
    }
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s + 1) : strlen(s);
        if (n > 10 && !strncmp(s, "#include \"", 10)) {
            const bnnc_embedded_file *h = runtime_header(s);
            if (h)
                append_source(b, h, done, ndone);
        } else {
            sb_addn(b, s, n);
        }
        s += n;
    }
    sb_add(b, "\n");
}

/* The macro that leaves each of lir_stream_kernels out of
 * conv_pack_f32.c. */
static const char *const stream_macros[LIR_STREAM_KERNELS] = {
    "BNN_STREAM_NO_ACT", "BNN_STREAM_NO_ACT_FAST", "BNN_STREAM_NO_AFFINE",
    "BNN_STREAM_NO_PACK", "BNN_STREAM_NO_PACK_AFFINE",
};

/* The runtime kernels the program calls, with their per-ISA variants. */
static int write_runtime(const lir_program *p, strbuf *b, bnnc_err *err)
{
    const bnnc_embedded_file *used[64], *done[128];
    int nused = 0, ndone = 0, i, j;
    size_t k;
    sb_add(b, "/*\n * runtime_min kernels used by this model (inlined by --standalone).\n"
              " * They are static here, so this file exports only its own API; the\n"
              " * runtime headers also declare kernels this model does not call, so\n"
              " * -Wunused-function stays off to the end of the file (GCC reports\n"
              " * unused static declarations there).\n */\n"
              "#if defined(__GNUC__)\n"
              "#pragma GCC diagnostic ignored \"-Wunused-function\"\n#endif\n"
              "/* Kernels stay whole functions: specialising them for this model's\n"
              " * constant parameters gains nothing and makes GCC warn about code\n"
              " * paths the parameters rule out. */\n"
              "#if defined(__clang__)\n#define BNN_API static __attribute__((noinline))\n"
              "#elif defined(__GNUC__) && __GNUC__ >= 8\n"
              "#define BNN_API static __attribute__((noipa))\n"
              "#else\n#define BNN_API static\n#endif\n");
    {
        /* the kernels no streamed convolution calls stay out of the file */
        unsigned m = 0, any = 0;
        for (i = 0; i < p->ns; i++) {
            m |= lir_stream_uses(&p->s[i]);
            any |= p->s[i].kind == LK_CONV_PACK_F32_B;
        }
        for (k = 0; any && k < LIR_STREAM_KERNELS; k++)
            if (!(m & (1u << k)))
                sb_printf(b, "#define %s\n", stream_macros[k]);
    }
    {
        /* the float convolutions' fused multiply-add order stays out of
         * models that do not ask for it (--fma off) */
        if (!lir_uses_conv_fma(p))
            sb_add(b, "#define BNN_CONV_NO_ORDER_FMA\n");
    }
    append_source(b, bnnc_embedded_find("runtime_min/include/bnn.h"), done, &ndone);
    append_source(b, bnnc_embedded_find("runtime_min/include/bnn_ops.h"), done, &ndone);
    for (i = 0; i < p->ns; i++) {
        const char *fns[LIR_STREAM_KERNELS + 2];
        int nf = lir_step_kernels(&p->s[i], fns, 1), m;
        for (m = 0; m < nf; m++) {
            const bnnc_embedded_file *f;
            int seen = 0;
            if (strncmp(fns[m], "bnn_", 4))
                continue; /* memcpy */
            f = defining_file(fns[m]);
            if (!f)
                return bnnc_errf(err, "--standalone: no runtime source defines %s", fns[m]);
            for (j = 0; j < nused; j++)
                seen |= used[j] == f;
            if (!seen && nused < 64)
                used[nused++] = f;
        }
    }
    /* deterministic order: by path */
    for (i = 0; i < nused; i++)
        for (j = i + 1; j < nused; j++)
            if (strcmp(used[j]->path, used[i]->path) < 0) {
                const bnnc_embedded_file *t = used[i];
                used[i] = used[j];
                used[j] = t;
            }
    for (i = 0; i < nused; i++) {
        const char *path = used[i]->path;
        char stem[128];
        size_t len = strlen(path + 16) - 2;
        snprintf(stem, sizeof stem, "%.*s_", (int)len, path + 16);
        append_source(b, used[i], done, &ndone);
        /* per-ISA variants: runtime_min/arch/<isa>/<stem>_<isa>.c */
        for (k = 0; k < bnnc_embedded_count; k++) {
            const char *ap = bnnc_embedded[k].path, *base;
            if (strncmp(ap, "runtime_min/arch/", 17))
                continue;
            base = strrchr(ap, '/') + 1;
            if (!strncmp(base, stem, strlen(stem)))
                append_source(b, &bnnc_embedded[k], done, &ndone);
        }
    }
    return 0;
}

/* ------------------------------------------------------------ files */

static int write_file(const char *path, const char *text, size_t len, bnnc_err *err)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return bnnc_errf(err, "%s: cannot write: %s", path, strerror(errno));
    if (fwrite(text, 1, len, f) != len || fclose(f))
        return bnnc_errf(err, "%s: write failed", path);
    return 0;
}

static int write_embedded(const char *dir, const char *name, bnnc_err *err)
{
    char path[4096], src[256];
    const bnnc_embedded_file *f;
    snprintf(src, sizeof src, "codegen_templates/%s", name);
    f = bnnc_embedded_find(src);
    if (!f)
        return bnnc_errf(err, "template %s is not built into bnnc", name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return write_file(path, (const char *)f->data, f->len, err);
}

/* Run m4 on dir/model.m4 + template into out_path. */
static int run_m4(const emit_options *o, const char *dir, const char *tmpl,
                  const char *out_path, bnnc_err *err)
{
    pid_t pid;
    int status;
    char model[4096], errpath[4096];
    const char *m4 = o->m4 ? o->m4 : (getenv("BNNC_M4") ? getenv("BNNC_M4") : "m4");
    snprintf(model, sizeof model, "%s/model.m4", dir);
    snprintf(errpath, sizeof errpath, "%s/m4.err", dir);
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return bnnc_errf(err, "cannot start %s: %s", m4, strerror(errno));
    if (pid == 0) {
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0 || e < 0)
            _exit(126);
        dup2(out, 1);
        dup2(e, 2);
        if (chdir(dir))
            _exit(126);
        /* -E twice: the first warning stops m4 (bt_fatal relies on it) */
        execlp(m4, m4, "-P", "-E", "-E", "bnnc.m4", "model.m4", tmpl, (char *)NULL);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return bnnc_errf(err, "waiting for %s failed", m4);
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        char msg[512] = "";
        FILE *f = fopen(errpath, "r");
        if (f) {
            size_t n = fread(msg, 1, sizeof msg - 1, f);
            msg[n] = '\0';
            fclose(f);
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            return bnnc_errf(err, "cannot run '%s' (install m4, or set BNNC_M4)", m4);
        return bnnc_errf(err, "m4 failed on template %s: %s", tmpl, msg);
    }
    return 0;
}

static void remove_dir(const char *dir)
{
    static const char *const files[] = {"bnnc.m4", "net.c.m4", "net.h.m4", "model.m4",
                                        "weights.inc", "runtime.inc", "profile.inc", "m4.err"};
    char path[4096];
    size_t i;
    for (i = 0; i < sizeof files / sizeof *files; i++) {
        if (snprintf(path, sizeof path, "%s/%s", dir, files[i]) < (int)sizeof path)
            remove(path);
    }
    rmdir(dir);
}

/* The signs of NCHW value shape s as bitpacked NHWC words. */
static void bits_shape_str(const ir_shape *s, char *buf, size_t size)
{
    snprintf(buf, size, "(%lld, %lld, %lld, %lld) signs in (%lld, %lld, %lld, %lld) words",
             (long long)s->d[0], (long long)s->d[2], (long long)s->d[3], (long long)s->d[1],
             (long long)s->d[0], (long long)s->d[2], (long long)s->d[3],
             (long long)bnn_words((int32_t)s->d[1]));
}

static void shape_text(const ir_graph *g, int input, char *buf, size_t size)
{
    size_t i, n = 0;
    int j;
    buf[0] = '\0';
    if (input) {
        for (i = 0; i < g->n && n < size; i++)
            if (g->nodes[i]->op == IR_OP_INPUT) {
                const ir_shape *is = &g->nodes[i]->shape[0];
                char s[96];
                if (g->nodes[i]->q.elem == IR_ELEM_BITS)
                    bits_shape_str(is, s, sizeof s);
                else
                    ir_shape_str(is, s, sizeof s);
                n += (size_t)snprintf(buf + n, size - n, "%s%s %s", n ? " + " : "",
                                      g->nodes[i]->name, s);
            }
        return;
    }
    for (j = 0; j < g->n_heads && n < size; j++) {
        const ir_shape *hs = &g->nodes[g->heads[j].node]->shape[g->heads[j].out];
        char s[96];
        if (g->bitpacked_heads && hs->ndim == 4)
            bits_shape_str(hs, s, sizeof s);
        else
            ir_shape_str(hs, s, sizeof s);
        n += (size_t)snprintf(buf + n, size - n, "%s%s", j ? " + " : "", s);
    }
}


/* Define macro `name` of the model description as literal text: quoted
 * twice, so that expanding it anywhere in a template gives the text itself
 * and m4 never scans it for macros. Every piece of text that comes from the
 * model or the command line is sanitized first (no quote delimiters), so
 * the quoting cannot be closed early; a delimiter here is a bnnc bug. */
static void define_data(strbuf *b, const char *name, const char *fmt, ...) BNNC_PRINTF(3, 4);
static void define_data(strbuf *b, const char *name, const char *fmt, ...)
{
    strbuf v;
    va_list ap;
    sb_init(&v);
    va_start(ap, fmt);
    sb_vprintf(&v, fmt, ap);
    va_end(ap);
    BNNC_ASSERT(!strstr(v.s, "<|") && !strstr(v.s, "|>"));
    sb_printf(b, "m4_define(<|%s|>, <|<|%s|>|>)m4_dnl\n", name, v.s);
    sb_free(&v);
}

emit_weights emit_weights_for(const lir_program *p, emit_weights asked)
{
    size_t bytes = emit_const_bytes(p);
    if (asked != EMIT_WEIGHTS_AUTO)
        return asked;
    return bytes <= EMIT_ARRAY_MAX_BYTES    ? EMIT_WEIGHTS_ARRAY
           : bytes <= EMIT_STRING_MAX_BYTES ? EMIT_WEIGHTS_STRING
                                            : EMIT_WEIGHTS_BLOB;
}

/* Create an empty file beside `final` to be renamed over it later, with
 * the permissions a new file gets. */
static int make_temp_output(const char *final, char *tmp, size_t size, bnnc_err *err)
{
    int fd;
    mode_t mask;
    if (strlen(final) + 16 > size)
        return bnnc_errf(err, "%s: path too long", final);
    snprintf(tmp, size, "%s.tmp-XXXXXX", final);
    fd = mkstemp(tmp);
    if (fd < 0) {
        tmp[0] = '\0';
        return bnnc_errf(err, "%s: cannot write: %s", final, strerror(errno));
    }
    mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask)) {
        /* keep mkstemp's 0600 */
    }
    close(fd);
    return 0;
}

int emit_program(const ir_graph *g, const lir_program *p, const emit_options *o,
                 bnnc_err *err)
{
    /* outputs: 0 the .c, 1 the .h, 2 the blob (--weights blob) */
    char tmpl_dir[2048], tmp_out[3][4096 + 16], final_bin[4096 + 8];
    const char *final[3];
    char path[4096], hash_sym[65], hash_par[65], prov_cmd[2048], inshape[256], outshape[512];
    char prov_sym[512], prov_par[512], text[256];
    strbuf model, runtime;
    char uprefix[128];
    int i, rc = -1, n_bin = 0, n_layers = 0, n_out;
    size_t k;
    emit_ctx ctx;
    FILE *f;

    memset(&ctx, 0, sizeof ctx);
    memset(tmp_out, 0, sizeof tmp_out);
    ctx.o = o;
    ctx.mode = emit_weights_for(p, o->weights);
    if (strlen(o->prefix) > EMIT_MAX_PREFIX)
        return bnnc_errf(err, "the prefix '%.40s...' is longer than %d characters", o->prefix,
                         EMIT_MAX_PREFIX);
    {
        /* the header is named in an #include "..." line of the .c file:
         * characters that C or the quoting would read differently are
         * refused rather than silently changed */
        const char *h = base_name(o->h_path);
        for (k = 0; h[k]; k++)
            if (!isalnum((unsigned char)h[k]) && !strchr("_-.+ ", h[k]))
                return bnnc_errf(err,
                                 "%s: a header name that an #include line can hold needs "
                                 "letters, digits, '_', '-', '.', '+' or spaces only",
                                 o->h_path);
    }
    final[0] = o->c_path;
    final[1] = o->h_path;
    snprintf(final_bin, sizeof final_bin, "%s.bin", o->c_path);
    final[2] = final_bin;
    n_out = ctx.mode == EMIT_WEIGHTS_BLOB ? 3 : 2;
    if (ctx.mode == EMIT_WEIGHTS_BLOB) {
        /* the blob's path goes into an assembler string: keep it plain */
        for (k = 0; o->c_path[k]; k++)
            if (o->c_path[k] == '"' || o->c_path[k] == '\\' || o->c_path[k] == '\n')
                return bnnc_errf(err, "%s: --weights blob needs a path without quotes, "
                                      "backslashes or newlines", o->c_path);
        ctx.blob_off = xmalloc(sizeof *ctx.blob_off * (size_t)(p->nc ? p->nc : 1));
        for (i = 0; i < p->nc; i++) {
            ctx.blob_off[i] = (ctx.blob_bytes + 63) / 64 * 64;
            ctx.blob_bytes = ctx.blob_off[i] + const_bytes(&p->c[i]);
        }
    }
    /* Every output is written beside its final path under a temporary
     * name and renamed once all are complete, so a failure leaves what was
     * there before (and no half-written net.c). Creating them first also
     * fails early, with the reason, when an output cannot be written. */
    for (i = 0; i < n_out; i++)
        if (make_temp_output(final[i], tmp_out[i], sizeof tmp_out[i], err)) {
            while (i-- > 0)
                unlink(tmp_out[i]);
            free(ctx.blob_off);
            return -1;
        }
    {
        const char *tmp = getenv("TMPDIR");
        if (!tmp || !*tmp || strlen(tmp) > sizeof tmpl_dir - 64)
            tmp = "/tmp";
        snprintf(tmpl_dir, sizeof tmpl_dir, "%s/bnnc-XXXXXX", tmp);
    }
    if (!mkdtemp(tmpl_dir)) {
        int e = errno;
        for (i = 0; i < n_out; i++)
            unlink(tmp_out[i]);
        free(ctx.blob_off);
        return bnnc_errf(err, "cannot create a temporary directory: %s", strerror(e));
    }
    sb_init(&model);
    sb_init(&runtime);
    name_symbols(&ctx, p);
    if (write_embedded(tmpl_dir, "bnnc.m4", err) || write_embedded(tmpl_dir, "net.c.m4", err) ||
        write_embedded(tmpl_dir, "net.h.m4", err))
        goto out;

    /* constants: streamed, never held as text */
    snprintf(path, sizeof path, "%s/weights.inc", tmpl_dir);
    if (!(f = fopen(path, "wb"))) {
        bnnc_errf(err, "%s: cannot write: %s", path, strerror(errno));
        goto out;
    }
    write_consts(&ctx, p, f);
    if (ferror(f) | fclose(f)) {
        bnnc_errf(err, "%s: write failed", path);
        goto out;
    }
    if (ctx.mode == EMIT_WEIGHTS_BLOB) {
        if (!(f = fopen(tmp_out[2], "wb"))) {
            bnnc_errf(err, "%s: cannot write: %s", final[2], strerror(errno));
            goto out;
        }
        if (write_blob(&ctx, p, f) | fclose(f)) {
            bnnc_errf(err, "%s: write failed", final[2]);
            goto out;
        }
    }
    if (o->standalone) {
        if (write_runtime(p, &runtime, err))
            goto out;
        snprintf(path, sizeof path, "%s/runtime.inc", tmpl_dir);
        if (write_file(path, runtime.s, runtime.len, err))
            goto out;
        {
            /* the tick counter of profiling builds, inlined as well */
            const bnnc_embedded_file *pf = bnnc_embedded_find("runtime_min/include/bnn_profile.h");
            snprintf(path, sizeof path, "%s/profile.inc", tmpl_dir);
            if (!pf) {
                bnnc_errf(err, "runtime_min/include/bnn_profile.h is not built into bnnc");
                goto out;
            }
            if (write_file(path, (const char *)pf->data, pf->len, err))
                goto out;
        }
    }

    if (o->symbol_sha256 && (o->params_sha256 || !o->params_path[0])) {
        snprintf(hash_sym, sizeof hash_sym, "%.64s", o->symbol_sha256);
        snprintf(hash_par, sizeof hash_par, "%.64s", o->params_sha256 ? o->params_sha256 : "");
    } else if (sha256_file(o->symbol_path, hash_sym) ||
               (o->params_path[0] && sha256_file(o->params_path, hash_par))) {
        bnnc_errf(err, "cannot read the model files for their SHA-256");
        goto out;
    }
    for (k = 0; o->prefix[k] && k + 1 < sizeof uprefix; k++)
        uprefix[k] = (char)toupper((unsigned char)o->prefix[k]);
    uprefix[k] = '\0';
    snprintf(ctx.uprefix, sizeof ctx.uprefix, "%s", uprefix);
    for (k = 0; k < g->n; k++) {
        const ir_node *n = g->nodes[k];
        if (n->op == IR_OP_INPUT || n->op == IR_OP_CONST)
            continue;
        n_layers++;
        n_bin += n->op == IR_OP_BCONV || n->op == IR_OP_BDENSE;
    }
    sanitize(o->command_line, prov_cmd, sizeof prov_cmd);
    sanitize(base_name(o->symbol_path), prov_sym, sizeof prov_sym);
    sanitize(base_name(o->params_path), prov_par, sizeof prov_par);
    shape_text(g, 1, text, sizeof text);
    sanitize(text, inshape, sizeof inshape); /* holds input names */
    shape_text(g, 0, outshape, sizeof outshape);

    define_data(&model, "bt_prefix", "%s", o->prefix);
    define_data(&model, "bt_uprefix", "%s", uprefix);
    define_data(&model, "bt_header_name", "%s", base_name(o->h_path));
    define_data(&model, "bt_version", "%s (commit %s)", bnnc_version(), bnnc_commit());
    if (o->params_path[0])
        define_data(&model, "bt_provenance",
                    " * command: %s\n"
                    " * symbol:  %s\n *          sha256 %s\n"
                    " * params:  %s\n *          sha256 %s\n",
                    prov_cmd, prov_sym, hash_sym, prov_par, hash_par);
    else
        define_data(&model, "bt_provenance",
                    " * command: %s\n"
                    " * model:   %s\n *          sha256 %s\n",
                    prov_cmd, prov_sym, hash_sym);
    define_data(&model, "bt_summary",
                " * %d layers (%d binary) in %d steps; input %s, output %s\n"
                " * constants %zu bytes, arena %zu bytes (lower bound %zu)\n",
                n_layers, n_bin, p->ns, inshape, outshape, emit_const_bytes(p),
                p->arena_bytes, p->lower_bound);
    define_data(&model, "bt_input_ctype", "%s",
                p->input_type == LIR_U8     ? "uint8_t"
                : p->input_type == LIR_I8   ? "int8_t"
                : p->input_type == LIR_BITS ? "int32_t"
                                            : "float");
    define_data(&model, "bt_input_bitpacked", "%d", p->input_type == LIR_BITS);
    define_data(&model, "bt_output_ctype", "%s",
                p->output_type == LIR_I8     ? "int8_t"
                : p->output_type == LIR_BITS ? "int32_t"
                : p->output_type == LIR_I64  ? "int64_t"
                                             : "float");
    define_data(&model, "bt_output_bitpacked", "%d", p->output_type == LIR_BITS);
    /* the quantisation of int8 input and output (empty for float ones) */
    {
        char fl[64] = "", zp[32] = "";
        if (p->input_type == LIR_I8) {
            float_lit((float)p->in_scale, fl, sizeof fl);
            snprintf(zp, sizeof zp, "%d", (int)p->in_zp);
        }
        define_data(&model, "bt_input_scale", "%s", fl);
        define_data(&model, "bt_input_zp", "%s", zp);
        fl[0] = zp[0] = '\0';
        if (p->output_type == LIR_I8) {
            float_lit((float)p->out_scale, fl, sizeof fl);
            snprintf(zp, sizeof zp, "%d", (int)p->out_zp);
        }
        define_data(&model, "bt_output_scale", "%s", fl);
        define_data(&model, "bt_output_zp", "%s", zp);
    }
    define_data(&model, "bt_input_shape", "%s", inshape);
    define_data(&model, "bt_output_shape", "%s", outshape);
    define_data(&model, "bt_input_size", "%zu", p->input_elems);
    define_data(&model, "bt_output_size", "%zu", p->output_elems);
    define_data(&model, "bt_arena_size", "%zu", p->arena_bytes);
    define_data(&model, "bt_arena_words", "%zu",
                p->arena_bytes ? (p->arena_bytes + 7) / 8 : 1);
    define_data(&model, "bt_nsteps", "%d", p->ns);
    define_data(&model, "bt_standalone", "%d", o->standalone ? 1 : 0);
    {
        /* the int8 kernels (every one has _i8 in its name) are declared in
         * bnn_int8.h, included only by the models that call them */
        int i8 = 0;
        for (i = 0; i < p->ns; i++)
            i8 |= strstr(lir_kind_kernel(p->s[i].kind), "_i8") != NULL;
        define_data(&model, "bt_int8", "%d", i8);
    }
    define_data(&model, "bt_weights_file", "%s", "weights.inc");
    define_data(&model, "bt_runtime_file", "%s", "runtime.inc");
    define_data(&model, "bt_profile_file", "%s", "profile.inc");
    define_data(&model, "bt_denormals", "%s", o->keep_denormals ? "keep" : "flush");
    define_data(&model, "bt_threads", "%d", o->threads ? 1 : 0);
    define_data(&model, "bt_worker_scratch", "%zu", worker_scratch_bytes(p));
    sb_add(&model, "m4_define(<|bt_tensors|>, <|m4_dnl\n");
    write_tensors(&ctx, p, &model);
    sb_add(&model, "|>)m4_dnl\n");
    sb_add(&model, "m4_define(<|bt_steps|>, <|m4_dnl\n");
    for (i = 0; i < p->ns; i++)
        write_step(p, &ctx, i, &model);
    sb_add(&model, "|>)m4_dnl\n");
    snprintf(path, sizeof path, "%s/model.m4", tmpl_dir);
    if (write_file(path, model.s, model.len, err))
        goto out;
    if (run_m4(o, tmpl_dir, "net.c.m4", tmp_out[0], err) ||
        run_m4(o, tmpl_dir, "net.h.m4", tmp_out[1], err))
        goto out;
    for (i = n_out; i-- > 0;)
        if (rename(tmp_out[i], final[i])) {
            bnnc_errf(err, "%s: cannot write: %s", final[i], strerror(errno));
            goto out;
        }
    rc = 0;
out:
    if (rc)
        for (i = 0; i < n_out; i++)
            unlink(tmp_out[i]);
    remove_dir(tmpl_dir);
    sb_free(&model);
    sb_free(&runtime);
    free(ctx.blob_off);
    free(ctx.cname);
    free(ctx.tname);
    strmap_free(&ctx.names);
    return rc;
}
