/*
 * dump.c - names of TFLite enums and a text dump of a tfl_model.
 *
 * The dump is for people and tests: one line per operator code, tensor and
 * operator, with decoded options. Floats are printed with %.9g (exact for
 * float32), names with control characters replaced, so the output is
 * deterministic and safe to print.
 */
#include <stdio.h>
#include <string.h>

#include "tflite.h"

static const char *const builtin_names[] = {
    "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D",
    "DEPTH_TO_SPACE", "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED",
    "HASHTABLE_LOOKUP", "L2_NORMALIZATION", "L2_POOL_2D",
    "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC", "LSH_PROJECTION", "LSTM",
    "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1", "RELU6", "RESHAPE",
    "RESIZE_BILINEAR", "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH",
    "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL", "CUSTOM", "EMBEDDING_LOOKUP_SPARSE",
    "PAD", "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND",
    "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE",
    "UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN",
    "EXP", "TOPK_V2", "SPLIT", "LOG_SOFTMAX", "DELEGATE",
    "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM", "ARG_MAX", "MINIMUM",
    "LESS", "NEG", "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL", "SELECT",
    "SLICE", "SIN", "TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS",
    "EQUAL", "NOT_EQUAL", "LOG", "SUM", "SQRT", "RSQRT", "SHAPE", "POW", "ARG_MIN",
    "FAKE_QUANT", "REDUCE_PROD", "REDUCE_MAX", "PACK", "LOGICAL_OR", "ONE_HOT",
    "LOGICAL_AND", "LOGICAL_NOT", "UNPACK", "REDUCE_MIN", "FLOOR_DIV", "REDUCE_ANY",
    "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD", "RANGE", "RESIZE_NEAREST_NEIGHBOR",
    "LEAKY_RELU", "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS", "SPLIT_V", "UNIQUE",
    "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND", "COS", "WHERE", "RANK", "ELU",
    "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG", "ROUND",
    "HARD_SWISH", "IF", "WHILE", "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5",
    "SCATTER_ND", "SELECT_V2", "DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL",
    "PLACEHOLDER_FOR_GREATER_OP_CODES", "CUMSUM", "CALL_ONCE", "BROADCAST_TO",
    "RFFT2D", "CONV_3D", "IMAG", "REAL", "COMPLEX_ABS", "HASHTABLE", "HASHTABLE_FIND",
    "HASHTABLE_IMPORT", "HASHTABLE_SIZE", "REDUCE_ALL", "CONV_3D_TRANSPOSE",
    "VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "BROADCAST_ARGS",
    "RANDOM_STANDARD_NORMAL", "BUCKETIZE", "RANDOM_UNIFORM", "MULTINOMIAL", "GELU",
    "DYNAMIC_UPDATE_SLICE", "RELU_0_TO_1", "UNSORTED_SEGMENT_PROD",
    "UNSORTED_SEGMENT_MAX", "UNSORTED_SEGMENT_SUM", "ATAN2", "UNSORTED_SEGMENT_MIN",
    "SIGN", "BITCAST", "BITWISE_XOR", "RIGHT_SHIFT", "STABLEHLO_LOGISTIC",
    "STABLEHLO_ADD", "STABLEHLO_DIVIDE", "STABLEHLO_MULTIPLY", "STABLEHLO_MAXIMUM",
    "STABLEHLO_RESHAPE", "STABLEHLO_CLAMP", "STABLEHLO_CONCATENATE",
    "STABLEHLO_BROADCAST_IN_DIM", "STABLEHLO_CONVOLUTION", "STABLEHLO_SLICE",
    "STABLEHLO_CUSTOM_CALL", "STABLEHLO_REDUCE", "STABLEHLO_ABS", "STABLEHLO_AND",
    "STABLEHLO_COSINE", "STABLEHLO_EXPONENTIAL", "STABLEHLO_FLOOR", "STABLEHLO_LOG",
    "STABLEHLO_MINIMUM", "STABLEHLO_NEGATE", "STABLEHLO_OR", "STABLEHLO_POWER",
    "STABLEHLO_REMAINDER", "STABLEHLO_RSQRT", "STABLEHLO_SELECT", "STABLEHLO_SUBTRACT",
    "STABLEHLO_TANH", "STABLEHLO_SCATTER", "STABLEHLO_COMPARE", "STABLEHLO_CONVERT",
    "STABLEHLO_DYNAMIC_SLICE", "STABLEHLO_DYNAMIC_UPDATE_SLICE", "STABLEHLO_PAD",
    "STABLEHLO_IOTA", "STABLEHLO_DOT_GENERAL", "STABLEHLO_REDUCE_WINDOW",
    "STABLEHLO_SORT", "STABLEHLO_WHILE", "STABLEHLO_GATHER", "STABLEHLO_TRANSPOSE",
    "DILATE", "STABLEHLO_RNG_BIT_GENERATOR", "REDUCE_WINDOW",
};

const char *tfl_builtin_name(int32_t code)
{
    static char buf[32];   /* only for codes outside the table */
    if (code >= 0 && (size_t)code < sizeof builtin_names / sizeof builtin_names[0])
        return builtin_names[code];
    snprintf(buf, sizeof buf, "BUILTIN_%ld", (long)code);
    return buf;
}

const char *tfl_op_name(const tfl_model *m, const tfl_operator *op)
{
    if (op->builtin == TFL_OP_CUSTOM && op->opcode_index < m->nopcodes &&
        m->opcodes[op->opcode_index].custom_code)
        return m->opcodes[op->opcode_index].custom_code;
    return tfl_builtin_name(op->builtin);
}

const char *tfl_type_name(int type)
{
    static const char *const names[] = {
        "float32", "float16", "int32", "uint8", "int64", "string", "bool", "int16",
        "complex64", "int8", "float64", "complex128", "uint64", "resource", "variant",
        "uint32", "uint16", "int4", "bfloat16"};
    if (type >= 0 && (size_t)type < sizeof names / sizeof names[0])
        return names[type];
    return "unknown";
}

const char *tfl_padding_name(int padding)
{
    return padding == TFL_PAD_SAME ? "SAME" : padding == TFL_PAD_VALID ? "VALID" : "?";
}

const char *tfl_activation_name(int act)
{
    static const char *const names[] = {"NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH",
                                        "SIGN_BIT"};
    if (act >= 0 && act < 6)
        return names[act];
    return "?";
}

/* A name from the file, printable and bounded. */
static const char *safe(const char *s, char *buf, size_t size)
{
    return bnnc_excerpt(s ? s : "", buf, size);
}

static void print_ints(FILE *f, const int32_t *v, size_t n)
{
    fputc('[', f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%ld", i ? "," : "", (long)v[i]);
    fputc(']', f);
}

/* At most 8 values, then the count. */
static void print_floats(FILE *f, const float *v, size_t n)
{
    fputc('[', f);
    for (size_t i = 0; i < n && i < 8; i++)
        fprintf(f, "%s%.9g", i ? "," : "", (double)v[i]);
    if (n > 8)
        fprintf(f, ",... %zu values", n);
    fputc(']', f);
}

static void print_i64s(FILE *f, const int64_t *v, size_t n)
{
    fputc('[', f);
    for (size_t i = 0; i < n && i < 8; i++)
        fprintf(f, "%s%lld", i ? "," : "", (long long)v[i]);
    if (n > 8)
        fprintf(f, ",... %zu values", n);
    fputc(']', f);
}

static void dump_tensor(FILE *f, const tfl_tensor *t, size_t i)
{
    char name[160];
    fprintf(f, "  t%zu '%s' %s ", i, safe(t->name, name, sizeof name),
            tfl_type_name(t->type));
    print_ints(f, t->shape, (size_t)t->rank);
    if (t->has_signature) {
        fputs(" signature ", f);
        print_ints(f, t->signature, (size_t)t->rank);
    }
    if (t->data)
        fprintf(f, " const buffer %lu (%zu bytes)", (unsigned long)t->buffer, t->nbytes);
    if (t->is_variable)
        fputs(" variable", f);
    if (t->q.count) {
        fputs(" scale ", f);
        print_floats(f, t->q.scale, t->q.count);
        fputs(" zero_point ", f);
        print_i64s(f, t->q.zero_point, t->q.count);
        if (t->q.count > 1)
            fprintf(f, " axis %ld", (long)t->q.quantized_dimension);
    }
    fputc('\n', f);
}

static void dump_options(FILE *f, const tfl_operator *op)
{
    if (op->builtin == TFL_OP_CUSTOM) {
        if (op->lce == TFL_LCE_BCONV2D) {
            const tfl_lce_bconv2d_options *o = &op->opt.bconv2d;
            fprintf(f, " channels_in=%ld padding=%s pad_values=%ld stride=%ldx%ld "
                    "dilation=%ldx%ld activation=%s", (long)o->channels_in,
                    tfl_padding_name(o->padding), (long)o->pad_values,
                    (long)o->stride_h, (long)o->stride_w, (long)o->dilation_h,
                    (long)o->dilation_w, tfl_activation_name(o->activation));
        } else if (op->lce == TFL_LCE_BMAXPOOL2D) {
            const tfl_lce_bmaxpool2d_options *o = &op->opt.bmaxpool2d;
            fprintf(f, " filter=%ldx%ld padding=%s stride=%ldx%ld", (long)o->filter_h,
                    (long)o->filter_w, tfl_padding_name(o->padding), (long)o->stride_h,
                    (long)o->stride_w);
        } else if (op->custom_options_size) {
            fprintf(f, " custom_options=%zu bytes", op->custom_options_size);
        }
        return;
    }
    switch (op->builtin) {
    case TFL_OP_CONV_2D: {
        const tfl_conv2d_options *o = &op->opt.conv2d;
        fprintf(f, " padding=%s stride=%dx%d dilation=%dx%d activation=%s",
                tfl_padding_name(o->padding), o->stride_h, o->stride_w, o->dilation_h,
                o->dilation_w, tfl_activation_name(o->activation));
        break;
    }
    case TFL_OP_DEPTHWISE_CONV_2D: {
        const tfl_depthwise_options *o = &op->opt.depthwise;
        fprintf(f, " padding=%s stride=%dx%d dilation=%dx%d depth_multiplier=%d "
                "activation=%s", tfl_padding_name(o->padding), o->stride_h, o->stride_w,
                o->dilation_h, o->dilation_w, o->depth_multiplier,
                tfl_activation_name(o->activation));
        break;
    }
    case TFL_OP_AVERAGE_POOL_2D:
    case TFL_OP_MAX_POOL_2D: {
        const tfl_pool2d_options *o = &op->opt.pool2d;
        fprintf(f, " filter=%dx%d padding=%s stride=%dx%d activation=%s", o->filter_h,
                o->filter_w, tfl_padding_name(o->padding), o->stride_h, o->stride_w,
                tfl_activation_name(o->activation));
        break;
    }
    case TFL_OP_FULLY_CONNECTED: {
        const tfl_fc_options *o = &op->opt.fc;
        fprintf(f, " activation=%s weights_format=%d keep_num_dims=%d",
                tfl_activation_name(o->activation), o->weights_format, o->keep_num_dims);
        break;
    }
    case TFL_OP_SOFTMAX:
        fprintf(f, " beta=%.9g", (double)op->opt.softmax.beta);
        break;
    case TFL_OP_CONCATENATION:
        fprintf(f, " axis=%d activation=%s", op->opt.concat.axis,
                tfl_activation_name(op->opt.concat.activation));
        break;
    case TFL_OP_ADD:
    case TFL_OP_SUB:
        fprintf(f, " activation=%s", tfl_activation_name(op->opt.add.activation));
        break;
    case TFL_OP_MUL:
    case TFL_OP_DIV:
        fprintf(f, " activation=%s", tfl_activation_name(op->opt.mul.activation));
        break;
    case TFL_OP_RESHAPE:
        if (op->opt.reshape.has_new_shape) {
            fputs(" new_shape=", f);
            print_ints(f, op->opt.reshape.new_shape, op->opt.reshape.rank);
        }
        break;
    case TFL_OP_MEAN:
        fprintf(f, " keep_dims=%d", op->opt.reducer.keep_dims);
        break;
    case TFL_OP_SQUEEZE:
        fputs(" squeeze_dims=", f);
        print_ints(f, op->opt.squeeze.dims, op->opt.squeeze.count);
        break;
    case TFL_OP_STRIDED_SLICE: {
        const tfl_strided_slice_options *o = &op->opt.strided_slice;
        fprintf(f, " begin_mask=%d end_mask=%d ellipsis_mask=%d new_axis_mask=%d "
                "shrink_axis_mask=%d offset=%d", o->begin_mask, o->end_mask,
                o->ellipsis_mask, o->new_axis_mask, o->shrink_axis_mask, o->offset);
        break;
    }
    case TFL_OP_SPLIT:
        fprintf(f, " num_splits=%d", op->opt.split.num_splits);
        break;
    case TFL_OP_LEAKY_RELU:
        fprintf(f, " alpha=%.9g", (double)op->opt.leaky_relu.alpha);
        break;
    case TFL_OP_PACK:
        fprintf(f, " values_count=%d axis=%d", op->opt.pack.values_count,
                op->opt.pack.axis);
        break;
    case TFL_OP_SHAPE:
        fprintf(f, " out_type=%s", tfl_type_name(op->opt.shape.out_type));
        break;
    default:
        break;
    }
}

void tfl_model_dump(const tfl_model *m, FILE *f)
{
    char buf[160];
    fprintf(f, "tflite model, schema version %lu, %zu bytes", (unsigned long)m->version,
            m->image_size);
    if (m->description)
        fprintf(f, ", description '%s'", safe(m->description, buf, sizeof buf));
    fprintf(f, "\n%zu operator codes, %zu buffers, %zu subgraphs\n", m->nopcodes,
            m->nbuffers, m->nsubgraphs);
    for (size_t i = 0; i < m->nopcodes; i++) {
        const tfl_opcode *oc = &m->opcodes[i];
        fprintf(f, "opcode %zu: %s", i, oc->custom_code
                ? safe(oc->custom_code, buf, sizeof buf) : tfl_builtin_name(oc->builtin));
        if (oc->custom_code)
            fputs(" (custom)", f);
        fprintf(f, " version %ld\n", (long)oc->version);
    }
    for (size_t s = 0; s < m->nsubgraphs; s++) {
        const tfl_subgraph *sg = &m->subgraphs[s];
        fprintf(f, "subgraph %zu '%s': %zu tensors, %zu operators, inputs ", s,
                safe(sg->name, buf, sizeof buf), sg->ntensors, sg->nops);
        print_ints(f, sg->inputs, sg->ninputs);
        fputs(", outputs ", f);
        print_ints(f, sg->outputs, sg->noutputs);
        fputc('\n', f);
        for (size_t i = 0; i < sg->ntensors; i++)
            dump_tensor(f, &sg->tensors[i], i);
        for (size_t i = 0; i < sg->nops; i++) {
            const tfl_operator *op = &sg->ops[i];
            fprintf(f, "  op%zu %s in ", i, safe(tfl_op_name(m, op), buf, sizeof buf));
            print_ints(f, op->inputs, op->ninputs);
            fputs(" out ", f);
            print_ints(f, op->outputs, op->noutputs);
            dump_options(f, op);
            fputc('\n', f);
        }
    }
}
