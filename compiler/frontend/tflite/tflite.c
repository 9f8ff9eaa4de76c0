/*
 * tflite.c - decode a .tflite FlatBuffer into tfl_model (see tflite.h).
 *
 * Field ids are those of the TFLite schema (schema.fbs); a union takes two
 * ids, its type byte first. The reader visits Model -> OperatorCode,
 * Buffer, SubGraph -> Tensor -> QuantizationParameters, Operator ->
 * options, never more than four tables deep, so the FlatBuffers depth
 * limit is never the binding one; the table limit and the copy budget
 * below are what bound the work a hostile file can cause.
 */
#include "tflite.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../util/mem.h"
#include "flatbuf.h"
#include "flexbuf.h"

#define TFL_SCHEMA_VERSION 3u

/* Field ids */
enum { MODEL_VERSION, MODEL_OPCODES, MODEL_SUBGRAPHS, MODEL_DESCRIPTION, MODEL_BUFFERS };
enum { OPC_DEPRECATED_CODE, OPC_CUSTOM_CODE, OPC_VERSION, OPC_BUILTIN_CODE };
enum { SG_TENSORS, SG_INPUTS, SG_OUTPUTS, SG_OPERATORS, SG_NAME };
enum {
    TEN_SHAPE, TEN_TYPE, TEN_BUFFER, TEN_NAME, TEN_QUANT, TEN_IS_VARIABLE,
    TEN_SPARSITY, TEN_SIGNATURE, TEN_HAS_RANK
};
enum { Q_MIN, Q_MAX, Q_SCALE, Q_ZERO_POINT, Q_DETAILS_TYPE, Q_DETAILS, Q_QDIM };
enum { BUF_DATA, BUF_OFFSET, BUF_SIZE };
enum {
    OP_OPCODE_INDEX, OP_INPUTS, OP_OUTPUTS, OP_OPTIONS_TYPE, OP_OPTIONS,
    OP_CUSTOM_OPTIONS, OP_CUSTOM_FORMAT, OP_MUTATING, OP_INTERMEDIATES,
    OP_LARGE_CUSTOM_OFFSET, OP_LARGE_CUSTOM_SIZE
};

/* The options table each operator decoded here expects; operators not
 * listed are kept with their options undecoded. */
static const struct {
    int32_t code;
    uint8_t options;
} known_ops[] = {
    {TFL_OP_ADD, TFL_OPT_ADD}, {TFL_OP_AVERAGE_POOL_2D, TFL_OPT_POOL2D},
    {TFL_OP_CONCATENATION, TFL_OPT_CONCATENATION}, {TFL_OP_CONV_2D, TFL_OPT_CONV2D},
    {TFL_OP_DEPTHWISE_CONV_2D, TFL_OPT_DEPTHWISE_CONV2D},
    {TFL_OP_DEQUANTIZE, TFL_OPT_DEQUANTIZE},
    {TFL_OP_FULLY_CONNECTED, TFL_OPT_FULLY_CONNECTED}, {TFL_OP_LOGISTIC, TFL_OPT_NONE},
    {TFL_OP_MAX_POOL_2D, TFL_OPT_POOL2D}, {TFL_OP_MUL, TFL_OPT_MUL},
    {TFL_OP_RELU, TFL_OPT_NONE}, {TFL_OP_RELU_N1_TO_1, TFL_OPT_NONE},
    {TFL_OP_RELU6, TFL_OPT_NONE}, {TFL_OP_RESHAPE, TFL_OPT_RESHAPE},
    {TFL_OP_SOFTMAX, TFL_OPT_SOFTMAX}, {TFL_OP_TANH, TFL_OPT_NONE},
    {TFL_OP_PAD, TFL_OPT_PAD}, {TFL_OP_TRANSPOSE, TFL_OPT_TRANSPOSE},
    {TFL_OP_MEAN, TFL_OPT_REDUCER}, {TFL_OP_SUB, TFL_OPT_SUB}, {TFL_OP_DIV, TFL_OPT_DIV},
    {TFL_OP_SQUEEZE, TFL_OPT_SQUEEZE}, {TFL_OP_STRIDED_SLICE, TFL_OPT_STRIDED_SLICE},
    {TFL_OP_SPLIT, TFL_OPT_SPLIT}, {TFL_OP_PRELU, TFL_OPT_NONE},
    {TFL_OP_MAXIMUM, TFL_OPT_MAXIMUM_MINIMUM}, {TFL_OP_MINIMUM, TFL_OPT_MAXIMUM_MINIMUM},
    {TFL_OP_PADV2, TFL_OPT_PADV2}, {TFL_OP_SHAPE, TFL_OPT_SHAPE},
    {TFL_OP_PACK, TFL_OPT_PACK}, {TFL_OP_LEAKY_RELU, TFL_OPT_LEAKY_RELU},
    {TFL_OP_ABS, TFL_OPT_ABS}, {TFL_OP_QUANTIZE, TFL_OPT_QUANTIZE},
    {TFL_OP_ROUND, TFL_OPT_NONE}, {TFL_OP_HARD_SWISH, TFL_OPT_HARD_SWISH},
};

static const char *options_name(unsigned type)
{
    switch (type) {
    case TFL_OPT_NONE: return "none";
    case TFL_OPT_CONV2D: return "Conv2DOptions";
    case TFL_OPT_DEPTHWISE_CONV2D: return "DepthwiseConv2DOptions";
    case TFL_OPT_POOL2D: return "Pool2DOptions";
    case TFL_OPT_FULLY_CONNECTED: return "FullyConnectedOptions";
    case TFL_OPT_SOFTMAX: return "SoftmaxOptions";
    case TFL_OPT_CONCATENATION: return "ConcatenationOptions";
    case TFL_OPT_ADD: return "AddOptions";
    case TFL_OPT_RESHAPE: return "ReshapeOptions";
    case TFL_OPT_MUL: return "MulOptions";
    case TFL_OPT_PAD: return "PadOptions";
    case TFL_OPT_TRANSPOSE: return "TransposeOptions";
    case TFL_OPT_REDUCER: return "ReducerOptions";
    case TFL_OPT_SUB: return "SubOptions";
    case TFL_OPT_DIV: return "DivOptions";
    case TFL_OPT_SQUEEZE: return "SqueezeOptions";
    case TFL_OPT_STRIDED_SLICE: return "StridedSliceOptions";
    case TFL_OPT_SPLIT: return "SplitOptions";
    case TFL_OPT_DEQUANTIZE: return "DequantizeOptions";
    case TFL_OPT_MAXIMUM_MINIMUM: return "MaximumMinimumOptions";
    case TFL_OPT_PADV2: return "PadV2Options";
    case TFL_OPT_SHAPE: return "ShapeOptions";
    case TFL_OPT_PACK: return "PackOptions";
    case TFL_OPT_LEAKY_RELU: return "LeakyReluOptions";
    case TFL_OPT_ABS: return "AbsOptions";
    case TFL_OPT_QUANTIZE: return "QuantizeOptions";
    case TFL_OPT_HARD_SWISH: return "HardSwishOptions";
    default: return "another options table";
    }
}

/* Expected options type of a builtin, or -1 when it is not decoded. */
static int expected_options(int32_t code)
{
    for (size_t i = 0; i < sizeof known_ops / sizeof known_ops[0]; i++)
        if (known_ops[i].code == code)
            return known_ops[i].options;
    return -1;
}

typedef struct {
    fb_reader fb;
    tfl_model *m;
    bnnc_err *err;
    const char *label;
    size_t budget;   /* bytes of vectors that may still be copied */
} rd;

int tfl_is_tflite(const uint8_t *head, size_t n)
{
    return n >= 8 && memcmp(head + 4, "TFL3", 4) == 0;
}

/* Message about the current context (no byte offset). */
static int fail_ctx(rd *r, const char *fmt, ...) BNNC_PRINTF(2, 3);
static int fail_ctx(rd *r, const char *fmt, ...)
{
    char msg[BNNC_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return bnnc_errf(r->err, "%s: %s%s%s", r->label, r->fb.ctx, r->fb.ctx[0] ? ": " : "",
                     msg);
}

/* Charge n bytes of decoded arrays against the budget: vectors may be
 * shared between tables, and copying a shared vector for each user must
 * not turn a small file into a large allocation. */
static int charge(rd *r, size_t pos, size_t n)
{
    if (n > r->budget)
        return fb_fail(&r->fb, pos, "decoded arrays would exceed the %zu bytes a "
                       "file of this size can hold (vectors shared between tables?)",
                       2 * r->fb.size + ((size_t)1 << 20));
    r->budget -= n;
    return 0;
}

/* Optional [int] field copied into *out (NULL when absent or empty). */
static int int_vec(rd *r, const fb_table *t, unsigned id, int32_t **out, size_t *n,
                   int *present)
{
    fb_vec v;
    int pres;
    *out = NULL;
    *n = 0;
    if (fb_vec_field(&r->fb, t, id, 4, &v, &pres))
        return -1;
    if (present)
        *present = pres;
    if (!pres || !v.count)
        return 0;
    if (charge(r, v.pos, v.count * 4))
        return -1;
    *out = xmalloc(v.count * sizeof **out);
    for (size_t i = 0; i < v.count; i++)
        (*out)[i] = fb_vec_i32(&r->fb, &v, i);
    *n = v.count;
    return 0;
}

/* Optional [float] field copied into *out. */
static int float_vec(rd *r, const fb_table *t, unsigned id, float **out, size_t *n)
{
    fb_vec v;
    int pres;
    *out = NULL;
    *n = 0;
    if (fb_vec_field(&r->fb, t, id, 4, &v, &pres))
        return -1;
    if (!pres || !v.count)
        return 0;
    if (charge(r, v.pos, v.count * 4))
        return -1;
    *out = xmalloc(v.count * sizeof **out);
    for (size_t i = 0; i < v.count; i++)
        (*out)[i] = fb_vec_f32(&r->fb, &v, i);
    *n = v.count;
    return 0;
}

/* A vector of tables may not claim more elements than the tables the
 * reader may still open (each element is one): checked before the
 * decoded array is allocated. */
static int table_count_ok(rd *r, const fb_vec *v)
{
    if (v->count > r->fb.max_tables - r->fb.tables)
        return fb_fail(&r->fb, v->pos, "vector of %zu tables: more than %zu tables in "
                       "all", v->count, r->fb.max_tables);
    return 0;
}

/* ------------------------------------------------------------ opcodes */

static int read_opcodes(rd *r, const fb_table *root)
{
    fb_vec v;
    int pres;
    tfl_model *m = r->m;
    fb_set_ctx(&r->fb, "operator codes");
    if (fb_vec_field(&r->fb, root, MODEL_OPCODES, 4, &v, &pres) ||
        table_count_ok(r, &v))
        return -1;
    if (!pres || !v.count)
        return 0;
    m->opcodes = xcalloc(v.count, sizeof *m->opcodes);
    m->nopcodes = v.count;
    for (size_t i = 0; i < v.count; i++) {
        tfl_opcode *oc = &m->opcodes[i];
        fb_table t;
        int8_t dep;
        int32_t code;
        size_t len;
        fb_set_ctx(&r->fb, "operator code %zu", i);
        if (fb_vec_table(&r->fb, &v, i, root->depth, &t) ||
            fb_i8(&r->fb, &t, OPC_DEPRECATED_CODE, 0, &dep) ||
            fb_i32(&r->fb, &t, OPC_VERSION, 1, &oc->version) ||
            fb_i32(&r->fb, &t, OPC_BUILTIN_CODE, 0, &code) ||
            fb_str_field(&r->fb, &t, OPC_CUSTOM_CODE, &oc->custom_code, &len, &pres))
            return -1;
        /* old files set only the int8 field, new ones both (127 in the int8
         * field for codes above 126); absent fields read as 0 */
        oc->builtin = code > dep ? code : dep;
        if (code < 0 || dep < 0)
            return fb_fail(&r->fb, t.pos, "negative builtin code %ld",
                           (long)(code < 0 ? code : dep));
        if (oc->builtin == TFL_OP_PLACEHOLDER_FOR_GREATER_OP_CODES)
            return fb_fail(&r->fb, t.pos, "builtin code 127 is a placeholder, and the "
                           "builtin_code field that should hold the real code is %ld",
                           (long)code);
        if (oc->builtin != TFL_OP_CUSTOM) {
            oc->custom_code = NULL;
            continue;
        }
        if (!pres)
            return fb_fail(&r->fb, t.pos, "CUSTOM operator code without a custom_code");
        if (strlen(oc->custom_code) != len)
            return fb_fail(&r->fb, t.pos, "custom_code contains a NUL byte");
        if (!strcmp(oc->custom_code, "LceQuantize"))
            oc->lce = TFL_LCE_QUANTIZE;
        else if (!strcmp(oc->custom_code, "LceDequantize"))
            oc->lce = TFL_LCE_DEQUANTIZE;
        else if (!strcmp(oc->custom_code, "LceBconv2d"))
            oc->lce = TFL_LCE_BCONV2D;
        else if (!strcmp(oc->custom_code, "LceBMaxPool2d"))
            oc->lce = TFL_LCE_BMAXPOOL2D;
    }
    return 0;
}

/* ------------------------------------------------------------ buffers */

/* Data stored after the FlatBuffer: offset > 1 (0 and 1 mean "none"; 1 is
 * the writer's placeholder) and the bytes inside the file. */
static int external_range(rd *r, size_t pos, uint64_t offset, uint64_t size,
                          int has_inline, const char *what, const uint8_t **data,
                          size_t *nbytes, size_t *file_offset)
{
    if (offset <= 1)
        return 0;
    if (has_inline)
        return fb_fail(&r->fb, pos, "%s has both inline data and a file offset (%llu)",
                       what, (unsigned long long)offset);
    if (offset > r->m->image_size || size > r->m->image_size - offset)
        return fb_fail(&r->fb, pos, "%s of %llu bytes at file offset %llu runs past the "
                       "end of the %zu-byte file", what, (unsigned long long)size,
                       (unsigned long long)offset, r->m->image_size);
    *data = size ? r->m->image + offset : NULL;
    *nbytes = (size_t)size;
    *file_offset = (size_t)offset;
    return 1;
}

static int read_buffers(rd *r, const fb_table *root)
{
    fb_vec v;
    int pres;
    tfl_model *m = r->m;
    fb_set_ctx(&r->fb, "buffers");
    if (fb_vec_field(&r->fb, root, MODEL_BUFFERS, 4, &v, &pres) ||
        table_count_ok(r, &v))
        return -1;
    if (!pres || !v.count)
        return 0;
    m->buffers = xcalloc(v.count, sizeof *m->buffers);
    m->nbuffers = v.count;
    for (size_t i = 0; i < v.count; i++) {
        tfl_buffer *b = &m->buffers[i];
        fb_table t;
        fb_vec d;
        uint64_t off, size;
        int rc;
        fb_set_ctx(&r->fb, "buffer %zu", i);
        if (fb_vec_table(&r->fb, &v, i, root->depth, &t) ||
            fb_vec_field(&r->fb, &t, BUF_DATA, 1, &d, &pres) ||
            fb_u64(&r->fb, &t, BUF_OFFSET, 0, &off) ||
            fb_u64(&r->fb, &t, BUF_SIZE, 0, &size))
            return -1;
        if (pres && d.count) {
            b->data = r->fb.buf + d.data;
            b->size = d.count;
            b->file_offset = d.data;
        }
        rc = external_range(r, t.pos, off, size, b->size != 0, "data", &b->data,
                            &b->size, &b->file_offset);
        if (rc < 0)
            return -1;
        b->external = rc;
    }
    return 0;
}

/* ------------------------------------------------------------ tensors */

size_t tfl_type_size(int type)
{
    switch (type) {
    case TFL_BOOL: case TFL_INT8: case TFL_UINT8: return 1;
    case TFL_FLOAT16: case TFL_INT16: case TFL_UINT16: case TFL_BFLOAT16: return 2;
    case TFL_FLOAT32: case TFL_INT32: case TFL_UINT32: return 4;
    case TFL_INT64: case TFL_UINT64: case TFL_FLOAT64: case TFL_COMPLEX64: return 8;
    case TFL_COMPLEX128: return 16;
    default: return 0;
    }
}

static int read_quant(rd *r, const fb_table *t, tfl_tensor *ten)
{
    fb_table q, details;
    fb_vec zp;
    int pres;
    uint8_t dtype;
    size_t nscale;
    tfl_quant *qu = &ten->q;
    if (fb_table_field(&r->fb, t, TEN_QUANT, &q, &pres))
        return -1;
    if (!pres)
        return 0;
    if (fb_union_field(&r->fb, &q, Q_DETAILS_TYPE, &dtype, &details, &pres))
        return -1;
    if (dtype != 0)
        return fb_fail(&r->fb, q.pos, "custom quantization details (type %u) are not "
                       "supported", dtype);
    if (float_vec(r, &q, Q_MIN, &qu->min, &qu->nmin) ||
        float_vec(r, &q, Q_MAX, &qu->max, &qu->nmax) ||
        float_vec(r, &q, Q_SCALE, &qu->scale, &nscale) ||
        fb_vec_field(&r->fb, &q, Q_ZERO_POINT, 8, &zp, &pres) ||
        fb_i32(&r->fb, &q, Q_QDIM, 0, &qu->quantized_dimension))
        return -1;
    if (!nscale)   /* as TFLite: no scale, no quantization */
        return 0;
    if (!pres || zp.count != nscale)
        return fb_fail(&r->fb, q.pos, "%zu scales but %zu zero points", nscale,
                       pres ? zp.count : 0);
    if (charge(r, zp.pos, nscale * 8))
        return -1;
    qu->zero_point = xmalloc(nscale * sizeof *qu->zero_point);
    for (size_t i = 0; i < nscale; i++)
        qu->zero_point[i] = fb_vec_i64(&r->fb, &zp, i);
    qu->count = nscale;
    if (nscale > 1) {
        int32_t d = qu->quantized_dimension;
        if (d < 0 || d >= ten->rank)
            return fb_fail(&r->fb, q.pos, "quantized_dimension %ld is outside the "
                           "tensor's %d dimensions", (long)d, ten->rank);
        if ((size_t)ten->shape[d] != nscale)
            return fb_fail(&r->fb, q.pos, "%zu per-channel scales for dimension %ld "
                           "of size %ld", nscale, (long)d, (long)ten->shape[d]);
    }
    return 0;
}

static int read_tensor(rd *r, const fb_table *t, tfl_tensor *ten)
{
    fb_vec shape, sig;
    fb_table sparsity;
    int pres, spres;
    int8_t type;
    size_t len;
    uint64_t count = 1;
    if (fb_str_field(&r->fb, t, TEN_NAME, &ten->name, &len, &pres))
        return -1;
    if (!pres)
        ten->name = "";
    if (fb_vec_field(&r->fb, t, TEN_SHAPE, 4, &shape, &pres) ||
        fb_i8(&r->fb, t, TEN_TYPE, 0, &type) ||
        fb_u32(&r->fb, t, TEN_BUFFER, 0, &ten->buffer) ||
        fb_bool(&r->fb, t, TEN_IS_VARIABLE, 0, &ten->is_variable) ||
        fb_bool(&r->fb, t, TEN_HAS_RANK, 0, &ten->has_rank) ||
        fb_vec_field(&r->fb, t, TEN_SIGNATURE, 4, &sig, &ten->has_signature) ||
        fb_table_field(&r->fb, t, TEN_SPARSITY, &sparsity, &spres))
        return -1;
    if (spres)
        return fb_fail(&r->fb, t->pos, "sparse tensors are not supported");
    if (type < 0 || type > TFL_BFLOAT16)
        return fb_fail(&r->fb, t->pos, "unknown tensor type %d", type);
    ten->type = (tfl_type)type;
    if (shape.count > TFL_MAX_RANK)
        return fb_fail(&r->fb, shape.pos, "%zu dimensions (at most %d)", shape.count,
                       TFL_MAX_RANK);
    ten->rank = (int)shape.count;
    for (int i = 0; i < ten->rank; i++) {
        int32_t d = fb_vec_i32(&r->fb, &shape, (size_t)i);
        if (d < 0)
            return fb_fail(&r->fb, shape.data + 4 * (size_t)i, "dimension %d is %ld",
                           i, (long)d);
        ten->shape[i] = d;
        if (d && count > ((uint64_t)1 << 62) / (uint64_t)d)
            return fb_fail(&r->fb, shape.pos, "more than 2^62 elements");
        count *= (uint64_t)d;
    }
    ten->count = (size_t)count;
    if (ten->has_signature) {
        if (sig.count != shape.count)
            return fb_fail(&r->fb, sig.pos, "shape_signature has %zu dimensions, shape "
                           "%zu", sig.count, shape.count);
        for (int i = 0; i < ten->rank; i++) {
            int32_t d = fb_vec_i32(&r->fb, &sig, (size_t)i);
            if (d != -1 && d != ten->shape[i])
                return fb_fail(&r->fb, sig.data + 4 * (size_t)i, "shape_signature "
                               "dimension %d is %ld, shape says %ld", i, (long)d,
                               (long)ten->shape[i]);
            ten->signature[i] = d;
        }
    }
    if (read_quant(r, t, ten))
        return -1;
    /* as TFLite: buffer 0 never holds data */
    if (ten->buffer) {
        const tfl_buffer *b;
        size_t want, esize = tfl_type_size(ten->type);
        if (ten->buffer >= r->m->nbuffers)
            return fb_fail(&r->fb, t->pos, "buffer %lu, but the model has %zu buffers",
                           (unsigned long)ten->buffer, r->m->nbuffers);
        b = &r->m->buffers[ten->buffer];
        if (b->size) {
            if (ten->type == TFL_INT4)
                want = (size_t)(count / 2 + count % 2);
            else if (!esize)
                return fb_fail(&r->fb, t->pos, "constant tensors of type %s are not "
                               "supported", tfl_type_name(ten->type));
            else if (count > SIZE_MAX / esize)
                return fb_fail(&r->fb, t->pos, "more elements than memory can hold");
            else
                want = (size_t)count * esize;
            if (b->size != want)
                return fb_fail(&r->fb, t->pos, "buffer %lu holds %zu bytes, but %s "
                               "[%zu elements] needs %zu", (unsigned long)ten->buffer,
                               b->size, tfl_type_name(ten->type), ten->count, want);
            ten->data = b->data;
            ten->nbytes = b->size;
        }
    }
    return 0;
}

/* ---------------------------------------------------------- operators */

static int check_act(rd *r, const fb_table *t, int act)
{
    if (act < TFL_ACT_NONE || act > TFL_ACT_SIGN_BIT)
        return fb_fail(&r->fb, t->pos, "unknown fused activation %d", act);
    return 0;
}

static int check_padding(rd *r, const fb_table *t, int padding)
{
    if (padding != TFL_PAD_SAME && padding != TFL_PAD_VALID)
        return fb_fail(&r->fb, t->pos, "unknown padding %d", padding);
    return 0;
}

static int check_positive(rd *r, const fb_table *t, const char *what, int32_t v)
{
    if (v < 1)
        return fb_fail(&r->fb, t->pos, "%s is %ld", what, (long)v);
    return 0;
}

static int get_i8(rd *r, const fb_table *t, unsigned id, int *out)
{
    int8_t v;
    int rc = fb_i8(&r->fb, t, id, 0, &v);
    *out = v;
    return rc;
}

static int get_i32(rd *r, const fb_table *t, unsigned id, int32_t def, int *out)
{
    int32_t v;
    int rc = fb_i32(&r->fb, t, id, def, &v);
    *out = v;
    return rc;
}

/* Decode the builtin options table t (present or not: an absent table
 * decodes to the defaults, so t is zeroed then and every read returns its
 * default) of op, whose type was checked against the operator. */
static int decode_options(rd *r, const fb_table *t, int type, tfl_operator *op)
{
    int pres;
    switch (type) {
    case TFL_OPT_CONV2D: {
        tfl_conv2d_options *o = &op->opt.conv2d;
        if (get_i8(r, t, 0, &o->padding) || get_i32(r, t, 1, 0, &o->stride_w) ||
            get_i32(r, t, 2, 0, &o->stride_h) || get_i8(r, t, 3, &o->activation) ||
            get_i32(r, t, 4, 1, &o->dilation_w) || get_i32(r, t, 5, 1, &o->dilation_h) ||
            get_i8(r, t, 6, &o->quantized_bias_type))
            return -1;
        return check_padding(r, t, o->padding) || check_act(r, t, o->activation) ||
               check_positive(r, t, "stride_w", o->stride_w) ||
               check_positive(r, t, "stride_h", o->stride_h) ||
               check_positive(r, t, "dilation_w_factor", o->dilation_w) ||
               check_positive(r, t, "dilation_h_factor", o->dilation_h) ? -1 : 0;
    }
    case TFL_OPT_DEPTHWISE_CONV2D: {
        tfl_depthwise_options *o = &op->opt.depthwise;
        if (get_i8(r, t, 0, &o->padding) || get_i32(r, t, 1, 0, &o->stride_w) ||
            get_i32(r, t, 2, 0, &o->stride_h) ||
            get_i32(r, t, 3, 0, &o->depth_multiplier) ||
            get_i8(r, t, 4, &o->activation) || get_i32(r, t, 5, 1, &o->dilation_w) ||
            get_i32(r, t, 6, 1, &o->dilation_h))
            return -1;
        return check_padding(r, t, o->padding) || check_act(r, t, o->activation) ||
               check_positive(r, t, "stride_w", o->stride_w) ||
               check_positive(r, t, "stride_h", o->stride_h) ||
               check_positive(r, t, "dilation_w_factor", o->dilation_w) ||
               check_positive(r, t, "dilation_h_factor", o->dilation_h) ? -1 : 0;
    }
    case TFL_OPT_POOL2D: {
        tfl_pool2d_options *o = &op->opt.pool2d;
        if (get_i8(r, t, 0, &o->padding) || get_i32(r, t, 1, 0, &o->stride_w) ||
            get_i32(r, t, 2, 0, &o->stride_h) || get_i32(r, t, 3, 0, &o->filter_w) ||
            get_i32(r, t, 4, 0, &o->filter_h) || get_i8(r, t, 5, &o->activation))
            return -1;
        return check_padding(r, t, o->padding) || check_act(r, t, o->activation) ||
               check_positive(r, t, "stride_w", o->stride_w) ||
               check_positive(r, t, "stride_h", o->stride_h) ||
               check_positive(r, t, "filter_width", o->filter_w) ||
               check_positive(r, t, "filter_height", o->filter_h) ? -1 : 0;
    }
    case TFL_OPT_FULLY_CONNECTED: {
        tfl_fc_options *o = &op->opt.fc;
        if (get_i8(r, t, 0, &o->activation) || get_i8(r, t, 1, &o->weights_format) ||
            fb_bool(&r->fb, t, 2, 0, &o->keep_num_dims) ||
            fb_bool(&r->fb, t, 3, 0, &o->asymmetric_quantize_inputs) ||
            get_i8(r, t, 4, &o->quantized_bias_type))
            return -1;
        return check_act(r, t, o->activation);
    }
    case TFL_OPT_SOFTMAX:
        return fb_f32(&r->fb, t, 0, 0.0f, &op->opt.softmax.beta);
    case TFL_OPT_CONCATENATION:
        if (get_i32(r, t, 0, 0, &op->opt.concat.axis) ||
            get_i8(r, t, 1, &op->opt.concat.activation))
            return -1;
        return check_act(r, t, op->opt.concat.activation);
    case TFL_OPT_ADD:
    case TFL_OPT_SUB:
        if (get_i8(r, t, 0, &op->opt.add.activation) ||
            fb_bool(&r->fb, t, 1, 1, &op->opt.add.pot_scale_int16))
            return -1;
        return check_act(r, t, op->opt.add.activation);
    case TFL_OPT_MUL:
    case TFL_OPT_DIV:
        if (get_i8(r, t, 0, &op->opt.mul.activation))
            return -1;
        return check_act(r, t, op->opt.mul.activation);
    case TFL_OPT_RESHAPE: {
        tfl_reshape_options *o = &op->opt.reshape;
        if (int_vec(r, t, 0, &o->new_shape, &o->rank, &pres))
            return -1;
        o->has_new_shape = pres;
        if (o->rank > TFL_MAX_RANK)
            return fb_fail(&r->fb, t->pos, "new_shape of %zu dimensions (at most %d)",
                           o->rank, TFL_MAX_RANK);
        return 0;
    }
    case TFL_OPT_REDUCER:
        return fb_bool(&r->fb, t, 0, 0, &op->opt.reducer.keep_dims);
    case TFL_OPT_SQUEEZE:
        return int_vec(r, t, 0, &op->opt.squeeze.dims, &op->opt.squeeze.count, NULL);
    case TFL_OPT_STRIDED_SLICE: {
        tfl_strided_slice_options *o = &op->opt.strided_slice;
        return get_i32(r, t, 0, 0, &o->begin_mask) || get_i32(r, t, 1, 0, &o->end_mask) ||
               get_i32(r, t, 2, 0, &o->ellipsis_mask) ||
               get_i32(r, t, 3, 0, &o->new_axis_mask) ||
               get_i32(r, t, 4, 0, &o->shrink_axis_mask) ||
               fb_bool(&r->fb, t, 5, 0, &o->offset) ? -1 : 0;
    }
    case TFL_OPT_SPLIT:
        return get_i32(r, t, 0, 0, &op->opt.split.num_splits);
    case TFL_OPT_LEAKY_RELU:
        return fb_f32(&r->fb, t, 0, 0.0f, &op->opt.leaky_relu.alpha);
    case TFL_OPT_PACK:
        return get_i32(r, t, 0, 0, &op->opt.pack.values_count) ||
               get_i32(r, t, 1, 0, &op->opt.pack.axis) ? -1 : 0;
    case TFL_OPT_SHAPE:
        return get_i8(r, t, 0, &op->opt.shape.out_type);
    default:   /* tables without fields */
        return 0;
    }
}

/* An integer key of an LCE options map into *out, within [lo, hi]. */
static int lce_int(rd *r, flx_reader *x, const flx_map *map, const char *key,
                   int32_t lo, int32_t hi, int32_t *out)
{
    flx_ref v;
    int64_t i;
    if (!flx_map_find(x, map, key, &v))
        return fail_ctx(r, "custom options lack the key '%s'", key);
    if (v.type != FLX_INT && v.type != FLX_UINT && v.type != FLX_INDIRECT_INT &&
        v.type != FLX_INDIRECT_UINT && v.type != FLX_BOOL)
        return flx_fail(x, v.pos, "%s is a %s, not an integer", key,
                        flx_type_name(v.type));
    if (flx_int(x, &v, &i))
        return -1;
    if (i < lo || i > hi)
        return flx_fail(x, v.pos, "%s is %lld (expected %ld..%ld)", key, (long long)i,
                        (long)lo, (long)hi);
    *out = (int32_t)i;
    return 0;
}

/* Decode the FlexBuffer custom options of an LCE operator. */
static int decode_lce(rd *r, tfl_operator *op)
{
    flx_reader x;
    flx_ref root;
    flx_map map;
    char ctx[200];
    snprintf(ctx, sizeof ctx, "%s%scustom options", r->fb.ctx, r->fb.ctx[0] ? ": " : "");
    if (op->custom_options_format != 0)
        return fail_ctx(r, "custom options format %d is not FlexBuffers (0)",
                        op->custom_options_format);
    if (op->lce == TFL_LCE_QUANTIZE || op->lce == TFL_LCE_DEQUANTIZE) {
        /* no options; anything present must still be a FlexBuffer */
        if (!op->custom_options_size)
            return 0;
        return flx_open(&x, op->custom_options, op->custom_options_size, r->label,
                        op->custom_options_offset, ctx, r->err, &root);
    }
    if (!op->custom_options_size)
        return fail_ctx(r, "custom options are missing");
    /* options shared by many operators are checked once per operator */
    if (charge(r, op->custom_options_offset, op->custom_options_size))
        return -1;
    if (flx_open(&x, op->custom_options, op->custom_options_size, r->label,
                 op->custom_options_offset, ctx, r->err, &root) ||
        flx_map_of(&x, &root, &map))
        return -1;
    x.ctx = ctx;
    if (op->lce == TFL_LCE_BCONV2D) {
        tfl_lce_bconv2d_options *o = &op->opt.bconv2d;
        return lce_int(r, &x, &map, "channels_in", 1, INT32_MAX, &o->channels_in) ||
               lce_int(r, &x, &map, "dilation_height_factor", 1, INT32_MAX,
                       &o->dilation_h) ||
               lce_int(r, &x, &map, "dilation_width_factor", 1, INT32_MAX,
                       &o->dilation_w) ||
               lce_int(r, &x, &map, "fused_activation_function", TFL_ACT_NONE,
                       TFL_ACT_RELU6, &o->activation) ||
               lce_int(r, &x, &map, "pad_values", 0, 1, &o->pad_values) ||
               lce_int(r, &x, &map, "padding", TFL_PAD_SAME, TFL_PAD_VALID,
                       &o->padding) ||
               lce_int(r, &x, &map, "stride_height", 1, INT32_MAX, &o->stride_h) ||
               lce_int(r, &x, &map, "stride_width", 1, INT32_MAX, &o->stride_w) ? -1 : 0;
    }
    {
        tfl_lce_bmaxpool2d_options *o = &op->opt.bmaxpool2d;
        return lce_int(r, &x, &map, "filter_height", 1, INT32_MAX, &o->filter_h) ||
               lce_int(r, &x, &map, "filter_width", 1, INT32_MAX, &o->filter_w) ||
               lce_int(r, &x, &map, "padding", TFL_PAD_SAME, TFL_PAD_VALID,
                       &o->padding) ||
               lce_int(r, &x, &map, "stride_height", 1, INT32_MAX, &o->stride_h) ||
               lce_int(r, &x, &map, "stride_width", 1, INT32_MAX, &o->stride_w) ? -1 : 0;
    }
}

static int read_operator(rd *r, const fb_table *t, tfl_operator *op, size_t ntensors)
{
    fb_table opts;
    fb_vec cv;
    int pres, want;
    int8_t fmt;
    uint64_t loff, lsize;
    const tfl_opcode *oc;
    op->file_offset = t->pos;
    if (fb_u32(&r->fb, t, OP_OPCODE_INDEX, 0, &op->opcode_index))
        return -1;
    if (op->opcode_index >= r->m->nopcodes)
        return fb_fail(&r->fb, t->pos, "operator code index %lu, but the model has %zu "
                       "operator codes", (unsigned long)op->opcode_index,
                       r->m->nopcodes);
    oc = &r->m->opcodes[op->opcode_index];
    op->builtin = oc->builtin;
    op->lce = oc->lce;
    {
        char name[64];
        size_t n = strlen(r->fb.ctx);
        snprintf(r->fb.ctx + n, sizeof r->fb.ctx - n, " (%s)",
                 bnnc_excerpt(tfl_op_name(r->m, op), name, sizeof name));
    }
    if (int_vec(r, t, OP_INPUTS, &op->inputs, &op->ninputs, NULL) ||
        int_vec(r, t, OP_OUTPUTS, &op->outputs, &op->noutputs, NULL) ||
        int_vec(r, t, OP_INTERMEDIATES, &op->intermediates, &op->nintermediates, NULL))
        return -1;
    for (size_t i = 0; i < op->ninputs; i++)
        if (op->inputs[i] < -1 || (op->inputs[i] >= 0 && (size_t)op->inputs[i] >= ntensors))
            return fb_fail(&r->fb, t->pos, "input %zu is tensor %ld, but the subgraph "
                           "has %zu tensors", i, (long)op->inputs[i], ntensors);
    for (size_t i = 0; i < op->noutputs; i++)
        if (op->outputs[i] < -1 || (op->outputs[i] >= 0 && (size_t)op->outputs[i] >= ntensors))
            return fb_fail(&r->fb, t->pos, "output %zu is tensor %ld, but the subgraph "
                           "has %zu tensors", i, (long)op->outputs[i], ntensors);
    for (size_t i = 0; i < op->nintermediates; i++)
        if (op->intermediates[i] < 0 || (size_t)op->intermediates[i] >= ntensors)
            return fb_fail(&r->fb, t->pos, "intermediate %zu is tensor %ld, but the "
                           "subgraph has %zu tensors", i, (long)op->intermediates[i],
                           ntensors);

    /* custom options: inline bytes or, in large files, a file range */
    if (fb_vec_field(&r->fb, t, OP_CUSTOM_OPTIONS, 1, &cv, &pres) ||
        fb_i8(&r->fb, t, OP_CUSTOM_FORMAT, 0, &fmt) ||
        fb_u64(&r->fb, t, OP_LARGE_CUSTOM_OFFSET, 0, &loff) ||
        fb_u64(&r->fb, t, OP_LARGE_CUSTOM_SIZE, 0, &lsize))
        return -1;
    op->custom_options_format = fmt;
    if (pres && cv.count) {
        op->custom_options = r->fb.buf + cv.data;
        op->custom_options_size = cv.count;
        op->custom_options_offset = cv.data;
    }
    if (external_range(r, t->pos, loff, lsize, op->custom_options_size != 0,
                       "custom options", &op->custom_options, &op->custom_options_size,
                       &op->custom_options_offset) < 0)
        return -1;

    if (fb_union_field(&r->fb, t, OP_OPTIONS_TYPE, &op->options_type, &opts, &pres))
        return -1;
    if (op->builtin == TFL_OP_CUSTOM)
        return op->lce ? decode_lce(r, op) : 0;
    want = expected_options(op->builtin);
    if (want < 0)
        return 0;
    if (op->options_type != 0 && op->options_type != want)
        return fb_fail(&r->fb, t->pos, "builtin options of union type %u (%s), "
                       "expected %d (%s)", op->options_type,
                       options_name(op->options_type), want, options_name((unsigned)want));
    if (!pres)
        memset(&opts, 0, sizeof opts);   /* absent: defaults */
    return decode_options(r, &opts, want, op);
}

/* ---------------------------------------------------------- subgraphs */

/* Every tensor an operator reads is a subgraph input, a constant, a
 * variable, empty, or written by an earlier operator; no operator writes a
 * subgraph input, a constant or a tensor already written; the subgraph's
 * outputs are defined by the end. Operators are stored in execution
 * order, so this also excludes cycles. */
static int check_dataflow(rd *r, const tfl_subgraph *sg, size_t index)
{
    enum { READABLE = 1, INPUT = 2, CONST = 4, WRITTEN = 8 };
    unsigned char *st = xcalloc(sg->ntensors ? sg->ntensors : 1, 1);
    int rc = 0;
    char name[80];
    for (size_t i = 0; i < sg->ntensors; i++) {
        const tfl_tensor *t = &sg->tensors[i];
        if (t->data)
            st[i] = READABLE | CONST;
        else if (t->is_variable || t->count == 0)
            st[i] = READABLE;
    }
    for (size_t i = 0; i < sg->ninputs; i++)
        st[sg->inputs[i]] |= READABLE | INPUT;
    for (size_t k = 0; k < sg->nops && !rc; k++) {
        const tfl_operator *op = &sg->ops[k];
        fb_set_ctx(&r->fb, "subgraph %zu, operator %zu (%s)", index, k,
                   bnnc_excerpt(tfl_op_name(r->m, op), name, sizeof name));
        for (size_t i = 0; i < op->ninputs && !rc; i++) {
            int32_t ti = op->inputs[i];
            if (ti >= 0 && !(st[ti] & READABLE))
                rc = fb_fail(&r->fb, op->file_offset, "reads tensor %ld '%s' before "
                             "any operator writes it", (long)ti,
                             bnnc_excerpt(sg->tensors[ti].name, name, sizeof name));
        }
        for (size_t i = 0; i < op->noutputs && !rc; i++) {
            int32_t ti = op->outputs[i];
            if (ti < 0)
                continue;
            if (st[ti] & (INPUT | CONST | WRITTEN))
                rc = fb_fail(&r->fb, op->file_offset, "writes tensor %ld '%s', which is "
                             "%s", (long)ti,
                             bnnc_excerpt(sg->tensors[ti].name, name, sizeof name),
                             st[ti] & INPUT ? "a subgraph input"
                             : st[ti] & CONST ? "a constant"
                                              : "written by an earlier operator");
            st[ti] |= READABLE | WRITTEN;
        }
    }
    for (size_t i = 0; i < sg->noutputs && !rc; i++)
        if (!(st[sg->outputs[i]] & READABLE)) {
            fb_set_ctx(&r->fb, "subgraph %zu", index);
            rc = fail_ctx(r, "output %zu (tensor %ld '%s') is never written", i,
                          (long)sg->outputs[i],
                          bnnc_excerpt(sg->tensors[sg->outputs[i]].name, name,
                                       sizeof name));
        }
    free(st);
    return rc;
}

static int read_subgraph(rd *r, const fb_table *t, size_t index, tfl_subgraph *sg)
{
    fb_vec tv, ov;
    int pres;
    size_t len;
    fb_set_ctx(&r->fb, "subgraph %zu", index);
    if (fb_str_field(&r->fb, t, SG_NAME, &sg->name, &len, &pres))
        return -1;
    if (!pres)
        sg->name = "";
    if (fb_vec_field(&r->fb, t, SG_TENSORS, 4, &tv, &pres) || table_count_ok(r, &tv))
        return -1;
    if (tv.count) {
        sg->tensors = xcalloc(tv.count, sizeof *sg->tensors);
        sg->ntensors = tv.count;
    }
    for (size_t i = 0; i < tv.count; i++) {
        fb_table tt;
        fb_set_ctx(&r->fb, "subgraph %zu, tensor %zu", index, i);
        if (fb_vec_table(&r->fb, &tv, i, t->depth, &tt) ||
            read_tensor(r, &tt, &sg->tensors[i]))
            return -1;
    }
    fb_set_ctx(&r->fb, "subgraph %zu", index);
    if (int_vec(r, t, SG_INPUTS, &sg->inputs, &sg->ninputs, NULL) ||
        int_vec(r, t, SG_OUTPUTS, &sg->outputs, &sg->noutputs, NULL))
        return -1;
    for (size_t i = 0; i < sg->ninputs; i++)
        if (sg->inputs[i] < 0 || (size_t)sg->inputs[i] >= sg->ntensors)
            return fb_fail(&r->fb, t->pos, "input %zu is tensor %ld, but the subgraph "
                           "has %zu tensors", i, (long)sg->inputs[i], sg->ntensors);
    for (size_t i = 0; i < sg->noutputs; i++)
        if (sg->outputs[i] < 0 || (size_t)sg->outputs[i] >= sg->ntensors)
            return fb_fail(&r->fb, t->pos, "output %zu is tensor %ld, but the subgraph "
                           "has %zu tensors", i, (long)sg->outputs[i], sg->ntensors);
    if (fb_vec_field(&r->fb, t, SG_OPERATORS, 4, &ov, &pres) || table_count_ok(r, &ov))
        return -1;
    if (ov.count) {
        sg->ops = xcalloc(ov.count, sizeof *sg->ops);
        sg->nops = ov.count;
    }
    for (size_t i = 0; i < ov.count; i++) {
        fb_table ot;
        fb_set_ctx(&r->fb, "subgraph %zu, operator %zu", index, i);
        if (fb_vec_table(&r->fb, &ov, i, t->depth, &ot) ||
            read_operator(r, &ot, &sg->ops[i], sg->ntensors))
            return -1;
    }
    return check_dataflow(r, sg, index);
}

/* -------------------------------------------------------------- model */

static int parse(rd *r)
{
    tfl_model *m = r->m;
    fb_table root;
    fb_vec sv;
    int pres;
    size_t len;
    if (fb_open(&r->fb, m->image, m->flatbuffer_size, r->label, "TFL3", r->err) ||
        fb_root(&r->fb, &root) ||
        fb_u32(&r->fb, &root, MODEL_VERSION, 0, &m->version))
        return -1;
    if (m->version != TFL_SCHEMA_VERSION)
        return fb_fail(&r->fb, root.pos, "schema version %lu (only %u is supported)",
                       (unsigned long)m->version, TFL_SCHEMA_VERSION);
    if (fb_str_field(&r->fb, &root, MODEL_DESCRIPTION, &m->description, &len, &pres))
        return -1;
    if (read_opcodes(r, &root) || read_buffers(r, &root))
        return -1;
    fb_set_ctx(&r->fb, "subgraphs");
    if (fb_vec_field(&r->fb, &root, MODEL_SUBGRAPHS, 4, &sv, &pres) ||
        table_count_ok(r, &sv))
        return -1;
    if (!sv.count)
        return fb_fail(&r->fb, root.pos, "the model has no subgraph");
    m->subgraphs = xcalloc(sv.count, sizeof *m->subgraphs);
    m->nsubgraphs = sv.count;
    for (size_t i = 0; i < sv.count; i++) {
        fb_table st;
        fb_set_ctx(&r->fb, "subgraph %zu", i);
        if (fb_vec_table(&r->fb, &sv, i, root.depth, &st) ||
            read_subgraph(r, &st, i, &m->subgraphs[i]))
            return -1;
    }
    return 0;
}

void tfl_model_free(tfl_model *m)
{
    if (!m)
        return;
    for (size_t s = 0; s < m->nsubgraphs; s++) {
        tfl_subgraph *sg = &m->subgraphs[s];
        for (size_t i = 0; i < sg->ntensors; i++) {
            tfl_quant *q = &sg->tensors[i].q;
            free(q->scale);
            free(q->zero_point);
            free(q->min);
            free(q->max);
        }
        for (size_t i = 0; i < sg->nops; i++) {
            tfl_operator *op = &sg->ops[i];
            free(op->inputs);
            free(op->outputs);
            free(op->intermediates);
            if (op->builtin == TFL_OP_RESHAPE)
                free(op->opt.reshape.new_shape);
            if (op->builtin == TFL_OP_SQUEEZE)
                free(op->opt.squeeze.dims);
        }
        free(sg->tensors);
        free(sg->inputs);
        free(sg->outputs);
        free(sg->ops);
    }
    free(m->subgraphs);
    free(m->opcodes);
    free(m->buffers);
    free(m->path);
    if (m->image_mapped == 1)
        munmap((void *)m->image, m->image_size);
    else if (m->image_mapped == 2)
        free((void *)m->image);
    memset(m, 0, sizeof *m);
}

int tfl_model_parse(const uint8_t *buf, size_t size, const char *label, tfl_model *m,
                    bnnc_err *err)
{
    rd r;
    memset(m, 0, sizeof *m);
    memset(&r, 0, sizeof r);
    m->path = xstrdup(label);
    m->image = buf;
    m->image_size = size;
    m->flatbuffer_size = size < FB_MAX_SIZE ? size : FB_MAX_SIZE;
    r.m = m;
    r.err = err;
    r.label = m->path;
    r.budget = 2 * m->flatbuffer_size + ((size_t)1 << 20);
    if (parse(&r)) {
        tfl_model_free(m);
        return -1;
    }
    return 0;
}

int tfl_model_load(const char *path, tfl_model *m, bnnc_err *err)
{
    struct stat st;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    int fd, mapped = 0, rc;
    memset(m, 0, sizeof *m);
    fd = open(path, O_RDONLY);
    if (fd < 0)
        return bnnc_errf(err, "%s: cannot open: %s", path, strerror(errno));
    if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size <= SIZE_MAX) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            buf = p;
            len = (size_t)st.st_size;
            mapped = 1;
        }
    }
    if (!mapped) {
        /* pipes and the like: read in growing pieces */
        for (;;) {
            ssize_t got;
            if (len == cap) {
                void *p = buf;
                xgrow(&p, &cap, cap ? 2 * cap : 65536, 1);
                buf = p;
            }
            got = read(fd, buf + len, cap - len);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0) {
                rc = bnnc_errf(err, "%s: read error: %s", path, strerror(errno));
                free(buf);
                close(fd);
                return rc;
            }
            if (got == 0)
                break;
            len += (size_t)got;
        }
        mapped = 2;
    }
    close(fd);
    rc = tfl_model_parse(buf, len, path, m, err);
    if (rc) {
        if (mapped == 1)
            munmap(buf, len);
        else
            free(buf);
        return rc;
    }
    m->image_mapped = mapped;
    return 0;
}
