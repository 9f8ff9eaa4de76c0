/*
 * tflite.h - reader for TensorFlow Lite models (.tflite), including the
 * custom operators of Larq Compute Engine.
 *
 * tfl_model_load() maps the file (or reads it once, for non-regular files)
 * and decodes it into the plain structs below; tfl_model_parse() does the
 * same on a caller's buffer. Constant tensor data is not copied: a
 * tfl_tensor's data points into the file image, which the model keeps
 * until tfl_model_free(). Everything else (shapes, indices, quantization,
 * options) is decoded into owned arrays; names point into the image.
 *
 * The file is checked as the FlatBuffers verifier checks it (flatbuf.h),
 * and then for what makes the model safe to walk: operator code indices,
 * tensor indices (-1 only where an input is optional), buffer indices,
 * constant data sizes against shapes and types, quantization parameter
 * counts, data stored after the FlatBuffer (Buffer.offset/size) inside the
 * file, options tables of the type each known operator expects, Larq
 * Compute Engine options complete and in range, and in each subgraph every
 * tensor written before it is read and written once. Errors name the file,
 * the byte offset where one applies, and the subgraph, operator or tensor.
 *
 * Only the schema version 3 is accepted (every converter since TF 1.x).
 */
#ifndef BNNC_FRONTEND_TFLITE_TFLITE_H
#define BNNC_FRONTEND_TFLITE_TFLITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../util/err.h"

#define TFL_MAX_RANK 16

/* TensorType */
typedef enum {
    TFL_FLOAT32 = 0, TFL_FLOAT16 = 1, TFL_INT32 = 2, TFL_UINT8 = 3, TFL_INT64 = 4,
    TFL_STRING = 5, TFL_BOOL = 6, TFL_INT16 = 7, TFL_COMPLEX64 = 8, TFL_INT8 = 9,
    TFL_FLOAT64 = 10, TFL_COMPLEX128 = 11, TFL_UINT64 = 12, TFL_RESOURCE = 13,
    TFL_VARIANT = 14, TFL_UINT32 = 15, TFL_UINT16 = 16, TFL_INT4 = 17,
    TFL_BFLOAT16 = 18
} tfl_type;

/* Padding and ActivationFunctionType */
enum { TFL_PAD_SAME = 0, TFL_PAD_VALID = 1 };
enum {
    TFL_ACT_NONE = 0, TFL_ACT_RELU = 1, TFL_ACT_RELU_N1_TO_1 = 2, TFL_ACT_RELU6 = 3,
    TFL_ACT_TANH = 4, TFL_ACT_SIGN_BIT = 5
};

/* BuiltinOperator codes used by the models bnnc reads (the full list is
 * in tflite.c for names). */
enum {
    TFL_OP_ADD = 0, TFL_OP_AVERAGE_POOL_2D = 1, TFL_OP_CONCATENATION = 2,
    TFL_OP_CONV_2D = 3, TFL_OP_DEPTHWISE_CONV_2D = 4, TFL_OP_DEQUANTIZE = 6,
    TFL_OP_FULLY_CONNECTED = 9, TFL_OP_LOGISTIC = 14, TFL_OP_MAX_POOL_2D = 17,
    TFL_OP_MUL = 18, TFL_OP_RELU = 19, TFL_OP_RELU_N1_TO_1 = 20, TFL_OP_RELU6 = 21,
    TFL_OP_RESHAPE = 22, TFL_OP_SOFTMAX = 25, TFL_OP_TANH = 28, TFL_OP_CUSTOM = 32,
    TFL_OP_PAD = 34, TFL_OP_TRANSPOSE = 39, TFL_OP_MEAN = 40, TFL_OP_SUB = 41,
    TFL_OP_DIV = 42, TFL_OP_SQUEEZE = 43, TFL_OP_STRIDED_SLICE = 45,
    TFL_OP_SPLIT = 49, TFL_OP_PRELU = 54, TFL_OP_MAXIMUM = 55, TFL_OP_MINIMUM = 57,
    TFL_OP_PADV2 = 60, TFL_OP_SHAPE = 77, TFL_OP_PACK = 83, TFL_OP_LEAKY_RELU = 98,
    TFL_OP_ABS = 101, TFL_OP_QUANTIZE = 114, TFL_OP_ROUND = 116,
    TFL_OP_HARD_SWISH = 117, TFL_OP_PLACEHOLDER_FOR_GREATER_OP_CODES = 127
};

/* BuiltinOptions union types decoded here */
enum {
    TFL_OPT_NONE = 0, TFL_OPT_CONV2D = 1, TFL_OPT_DEPTHWISE_CONV2D = 2,
    TFL_OPT_POOL2D = 5, TFL_OPT_FULLY_CONNECTED = 8, TFL_OPT_SOFTMAX = 9,
    TFL_OPT_CONCATENATION = 10, TFL_OPT_ADD = 11, TFL_OPT_RESHAPE = 17,
    TFL_OPT_MUL = 21, TFL_OPT_PAD = 22, TFL_OPT_TRANSPOSE = 26, TFL_OPT_REDUCER = 27,
    TFL_OPT_SUB = 28, TFL_OPT_DIV = 29, TFL_OPT_SQUEEZE = 30,
    TFL_OPT_STRIDED_SLICE = 32, TFL_OPT_SPLIT = 35, TFL_OPT_DEQUANTIZE = 38,
    TFL_OPT_MAXIMUM_MINIMUM = 39, TFL_OPT_PADV2 = 43, TFL_OPT_SHAPE = 55,
    TFL_OPT_PACK = 59, TFL_OPT_LEAKY_RELU = 75, TFL_OPT_ABS = 78,
    TFL_OPT_QUANTIZE = 89, TFL_OPT_HARD_SWISH = 91
};

/* The Larq Compute Engine custom operators (custom_code strings
 * "LceQuantize", "LceDequantize", "LceBconv2d", "LceBMaxPool2d"). */
typedef enum {
    TFL_LCE_NONE = 0, TFL_LCE_QUANTIZE, TFL_LCE_DEQUANTIZE, TFL_LCE_BCONV2D,
    TFL_LCE_BMAXPOOL2D
} tfl_lce_op;

typedef struct {
    int32_t builtin;         /* max(builtin_code, deprecated_builtin_code) */
    const char *custom_code; /* CUSTOM only (else NULL); points into the image */
    int32_t version;
    tfl_lce_op lce;          /* which LCE op custom_code names, if any */
} tfl_opcode;

typedef struct {
    size_t count;            /* 0: not quantized */
    float *scale;            /* count entries */
    int64_t *zero_point;     /* count entries */
    int32_t quantized_dimension; /* meaningful when count > 1 */
    size_t nmin, nmax;       /* calibration ranges as stored (may be 0) */
    float *min, *max;
} tfl_quant;

typedef struct {
    const char *name;        /* "" if the file has none; into the image */
    tfl_type type;
    int rank;
    int32_t shape[TFL_MAX_RANK];
    int has_signature;       /* shape_signature present */
    int32_t signature[TFL_MAX_RANK]; /* -1 = dynamic dimension */
    uint32_t buffer;         /* index into the model's buffers (0 = none) */
    const uint8_t *data;     /* constant data or NULL; into the image */
    size_t nbytes;           /* bytes of data */
    size_t count;            /* elements: product of shape */
    tfl_quant q;
    int is_variable;
    int has_rank;
} tfl_tensor;

typedef struct {
    const uint8_t *data;     /* NULL when empty */
    size_t size;
    size_t file_offset;      /* position of data in the file */
    int external;            /* stored after the FlatBuffer (Buffer.offset) */
} tfl_buffer;

/* Decoded builtin options; the field named after the options table is the
 * one filled (see tfl_operator.options_type). Absent fields hold the
 * schema's defaults. */
typedef struct {
    int padding, stride_w, stride_h, activation, dilation_w, dilation_h;
    int quantized_bias_type;
} tfl_conv2d_options;
typedef struct {
    int padding, stride_w, stride_h, depth_multiplier, activation;
    int dilation_w, dilation_h;
} tfl_depthwise_options;
typedef struct {
    int padding, stride_w, stride_h, filter_w, filter_h, activation;
} tfl_pool2d_options;
typedef struct {
    int activation, weights_format, keep_num_dims, asymmetric_quantize_inputs;
    int quantized_bias_type;
} tfl_fc_options;
typedef struct {
    int32_t *new_shape;      /* owned; NULL when absent */
    size_t rank;
    int has_new_shape;
} tfl_reshape_options;
typedef struct {
    int32_t *dims;           /* owned */
    size_t count;
} tfl_squeeze_options;
typedef struct {
    int begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask;
    int offset;
} tfl_strided_slice_options;

/* LCE custom options (FlexBuffer maps) */
typedef struct {
    int32_t channels_in, dilation_h, dilation_w, activation, pad_values, padding;
    int32_t stride_h, stride_w;
} tfl_lce_bconv2d_options;
typedef struct {
    int32_t filter_h, filter_w, padding, stride_h, stride_w;
} tfl_lce_bmaxpool2d_options;

typedef struct {
    uint32_t opcode_index;
    int32_t builtin;          /* copied from the opcode */
    tfl_lce_op lce;
    int32_t *inputs;          /* owned; -1 = optional input absent */
    size_t ninputs;
    int32_t *outputs;         /* owned */
    size_t noutputs;
    int32_t *intermediates;   /* owned */
    size_t nintermediates;
    uint8_t options_type;     /* BuiltinOptions type as stored (0 = none) */
    union {
        tfl_conv2d_options conv2d;
        tfl_depthwise_options depthwise;
        tfl_pool2d_options pool2d;
        tfl_fc_options fc;
        struct { float beta; } softmax;
        struct { int axis, activation; } concat;
        struct { int activation, pot_scale_int16; } add;   /* ADD and SUB */
        struct { int activation; } mul;                    /* MUL and DIV */
        tfl_reshape_options reshape;
        struct { int keep_dims; } reducer;
        tfl_squeeze_options squeeze;
        tfl_strided_slice_options strided_slice;
        struct { int num_splits; } split;
        struct { float alpha; } leaky_relu;
        struct { int values_count, axis; } pack;
        struct { int out_type; } shape;
        tfl_lce_bconv2d_options bconv2d;
        tfl_lce_bmaxpool2d_options bmaxpool2d;
    } opt;
    const uint8_t *custom_options; /* into the image; NULL when none */
    size_t custom_options_size;
    size_t custom_options_offset;  /* position in the file */
    int custom_options_format;
    size_t file_offset;            /* position of the Operator table */
} tfl_operator;

typedef struct {
    const char *name;
    tfl_tensor *tensors;
    size_t ntensors;
    int32_t *inputs;
    size_t ninputs;
    int32_t *outputs;
    size_t noutputs;
    tfl_operator *ops;
    size_t nops;
} tfl_subgraph;

typedef struct {
    char *path;               /* owned copy of the label */
    uint32_t version;
    const char *description;  /* NULL if absent */
    tfl_opcode *opcodes;
    size_t nopcodes;
    tfl_subgraph *subgraphs;
    size_t nsubgraphs;
    tfl_buffer *buffers;
    size_t nbuffers;
    /* the file image every data pointer points into */
    const uint8_t *image;
    size_t image_size;
    size_t flatbuffer_size;   /* bytes checked as the FlatBuffer */
    int image_mapped;         /* 1: mmap'ed, 2: malloc'ed, 0: caller's */
} tfl_model;

/* Whether head (n bytes of a file's start) carries the TFLite file
 * identifier "TFL3" at bytes 4..7. */
int tfl_is_tflite(const uint8_t *head, size_t n);

/* Map or read path and decode it. On error returns -1 with a message, and
 * *m is left empty. */
int tfl_model_load(const char *path, tfl_model *m, bnnc_err *err);

/* Decode buf[0..size) (a whole .tflite file); label names it in messages.
 * The model points into buf, which must outlive it. */
int tfl_model_parse(const uint8_t *buf, size_t size, const char *label,
                    tfl_model *m, bnnc_err *err);

void tfl_model_free(tfl_model *m);

/* Names: "float32", "CONV_2D" ("BUILTIN_<n>" when unknown, in a static
 * buffer that the next such call overwrites), "LceBconv2d", "SAME",
 * "RELU6". */
const char *tfl_type_name(int type);
/* Bytes per element, 0 for types without a fixed size (string, resource,
 * variant, int4). */
size_t tfl_type_size(int type);
const char *tfl_builtin_name(int32_t code);
/* The operator's name: its custom code for CUSTOM, else the builtin's. */
const char *tfl_op_name(const tfl_model *m, const tfl_operator *op);
const char *tfl_padding_name(int padding);
const char *tfl_activation_name(int act);

/* Print the model: operator codes, per subgraph its inputs, outputs,
 * tensors (type, shape, signature, buffer, quantization) and operators
 * (inputs, outputs, decoded options). Deterministic. */
void tfl_model_dump(const tfl_model *m, FILE *f);

#endif
