/*
 * onnx.h - reader for ONNX models (.onnx, protobuf ModelProto).
 *
 * Decodes the whole model into plain C structs: the opsets with their
 * domains, the main graph with its nodes (attributes of every type,
 * subgraphs included), initializers, inputs, outputs and value_info with
 * symbolic dimensions, and the model-local functions. Nothing is
 * interpreted: op semantics, opset differences and graph checks belong to
 * the importer.
 *
 * The protobuf wire format is read by a hand-written, bounds-checked
 * reader (pb.h) rather than by code generated with protobuf-c:
 * - weights stay where they are: a tensor's raw_data (and a packed
 *   float_data or double_data) points into the model file, which is
 *   mapped, not copied, and external data files are mapped the same way,
 *   so a model of hundreds of MB costs its page cache and the decoded
 *   structure, not a second copy of every weight (protobuf-c copies every
 *   bytes field into the heap);
 * - every error names the byte offset, the message and field, and the
 *   node or tensor it is in (protobuf-c's unpack returns NULL, no reason);
 *   message nesting (graphs inside If/Loop attributes) has a fixed depth
 *   limit, and the decoded structure is bounded in memory by a multiple of
 *   the file size;
 * - building bnnc needs no protobuf compiler, no generated code and no
 *   run-time library, on Debian or anywhere else, and the fuzzer covers
 *   the whole reader rather than a library outside the tree.
 *
 * Lifetime: everything is owned by the onnx_model and freed by
 * onnx_model_free(). Strings are NUL-terminated; names never contain a NUL
 * byte (refused). Tensor data is little-endian whatever the host, in the
 * layout ONNX's raw_data uses, whichever field the file stored it in.
 */
#ifndef BNNC_FRONTEND_ONNX_ONNX_H
#define BNNC_FRONTEND_ONNX_ONNX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../util/err.h"

/* Oldest and newest opset of the default domain that bnnc reads: 26 is
 * the newest that onnxruntime 1.31, the oracle of the fixtures, runs (the
 * onnx 1.23 package defines 28). */
#define ONNX_OPSET_MIN 7
#define ONNX_OPSET_MAX 26

#define ONNX_MAX_DIMS 64    /* rank limit for tensors and shapes */
#define ONNX_MAX_DEPTH 64   /* message nesting limit (a subgraph costs 3) */

/* TensorProto.DataType */
typedef enum {
    ONNX_UNDEFINED = 0, ONNX_FLOAT = 1, ONNX_UINT8 = 2, ONNX_INT8 = 3,
    ONNX_UINT16 = 4, ONNX_INT16 = 5, ONNX_INT32 = 6, ONNX_INT64 = 7,
    ONNX_STRING = 8, ONNX_BOOL = 9, ONNX_FLOAT16 = 10, ONNX_DOUBLE = 11,
    ONNX_UINT32 = 12, ONNX_UINT64 = 13, ONNX_COMPLEX64 = 14,
    ONNX_COMPLEX128 = 15, ONNX_BFLOAT16 = 16, ONNX_FLOAT8E4M3FN = 17,
    ONNX_FLOAT8E4M3FNUZ = 18, ONNX_FLOAT8E5M2 = 19, ONNX_FLOAT8E5M2FNUZ = 20,
    ONNX_UINT4 = 21, ONNX_INT4 = 22, ONNX_FLOAT4E2M1 = 23,
    ONNX_FLOAT8E8M0 = 24, ONNX_UINT2 = 25, ONNX_INT2 = 26,
    ONNX_FLOAT6E2M3 = 27, ONNX_FLOAT6E3M2 = 28,
    ONNX_DTYPE_COUNT
} onnx_dtype;

/* AttributeProto.AttributeType */
typedef enum {
    ONNX_ATTR_UNDEFINED = 0, ONNX_ATTR_FLOAT = 1, ONNX_ATTR_INT = 2,
    ONNX_ATTR_STRING = 3, ONNX_ATTR_TENSOR = 4, ONNX_ATTR_GRAPH = 5,
    ONNX_ATTR_FLOATS = 6, ONNX_ATTR_INTS = 7, ONNX_ATTR_STRINGS = 8,
    ONNX_ATTR_TENSORS = 9, ONNX_ATTR_GRAPHS = 10, ONNX_ATTR_SPARSE_TENSOR = 11,
    ONNX_ATTR_SPARSE_TENSORS = 12, ONNX_ATTR_TYPE_PROTO = 13,
    ONNX_ATTR_TYPE_PROTOS = 14,
    ONNX_ATTR_TYPE_COUNT
} onnx_attr_type;

/* A byte string (bytes fields, string attributes, string tensors): len
 * bytes, followed by a NUL that is not counted. May contain NULs. */
typedef struct {
    const char *s;
    size_t len;
} onnx_bytes;

typedef struct {
    const char *key, *value;
} onnx_string_pair;

/* Where a tensor's values were stored in the file. */
typedef enum {
    ONNX_DATA_NONE,      /* no elements (a dimension is 0) */
    ONNX_DATA_RAW,       /* raw_data */
    ONNX_DATA_TYPED,     /* float_data, int32_data, int64_data, ... */
    ONNX_DATA_EXTERNAL   /* data_location EXTERNAL */
} onnx_data_source;

typedef struct onnx_tensor {
    const char *name;          /* "" when unnamed */
    int32_t dtype;             /* onnx_dtype, never UNDEFINED */
    size_t ndim;               /* 0: a scalar */
    const int64_t *dims;       /* ndim sizes, each >= 0 */
    uint64_t count;            /* product of dims (1 for a scalar) */
    /* Elements in row-major order, fixed-width little-endian (BOOL one
     * byte each, FLOAT16/BFLOAT16/FLOAT8 their bits, 4-, 2- and 6-bit
     * types packed LSB first as ONNX's raw_data has them). nbytes is
     * onnx_dtype_nbytes(dtype, count). NULL for STRING tensors and when
     * nbytes is 0. Not aligned: read it with the accessors or memcpy. */
    const uint8_t *data;
    size_t nbytes;
    const onnx_bytes *strings; /* STRING tensors: count strings */
    onnx_data_source source;
    int zero_copy;             /* data points into the mapped model file
                                  or external data file */
    const char *location;      /* EXTERNAL: path relative to the model's
                                  directory, else NULL */
    uint64_t ext_offset;       /* EXTERNAL: byte offset in that file */
    size_t file_offset;        /* offset of the TensorProto in the model */
} onnx_tensor;

typedef struct {
    onnx_tensor values;        /* [NNZ] */
    onnx_tensor indices;       /* [NNZ] or [NNZ, rank], INT64 */
    size_t ndim;
    const int64_t *dims;       /* the dense shape */
} onnx_sparse_tensor;

/* One dimension of a TypeProto shape: a number, a symbol (dim_param,
 * e.g. a dynamic batch "N"), or neither (unknown). */
typedef struct {
    int64_t value;             /* >= 0 when has_value */
    int has_value;
    const char *param;         /* NULL unless symbolic */
} onnx_dim;

typedef enum {
    ONNX_TYPE_NONE = 0,        /* no type given */
    ONNX_TYPE_TENSOR, ONNX_TYPE_SPARSE_TENSOR, ONNX_TYPE_SEQUENCE,
    ONNX_TYPE_MAP, ONNX_TYPE_OPTIONAL, ONNX_TYPE_OPAQUE
} onnx_type_kind;

typedef struct onnx_type {
    onnx_type_kind kind;
    int32_t elem_type;         /* TENSOR, SPARSE_TENSOR: onnx_dtype (0 if
                                  not given); MAP: the key type */
    int has_shape;             /* TENSOR, SPARSE_TENSOR: 0 = rank unknown */
    size_t ndim;
    const onnx_dim *dims;
    const struct onnx_type *elem; /* SEQUENCE, OPTIONAL: element type;
                                     MAP: value type; NULL if not given */
} onnx_type;

typedef struct {
    const char *name;
    onnx_type type;            /* kind NONE when the file gives no type */
    size_t file_offset;
} onnx_value_info;

struct onnx_graph;

typedef struct {
    const char *name;
    onnx_attr_type type;       /* as stored, or inferred from the one value
                                  field present when the file omits it */
    const char *ref_attr_name; /* inside functions: refers to an attribute
                                  of the calling node; else NULL */
    float f;                   /* FLOAT */
    int64_t i;                 /* INT */
    onnx_bytes s;              /* STRING */
    const onnx_tensor *t;      /* TENSOR */
    const struct onnx_graph *g;            /* GRAPH */
    const onnx_sparse_tensor *sparse;      /* SPARSE_TENSOR */
    const onnx_type *tp;                   /* TYPE_PROTO */
    size_t n;                  /* element count of the list types below */
    const float *floats;       /* FLOATS */
    const int64_t *ints;       /* INTS */
    const onnx_bytes *strings; /* STRINGS */
    const onnx_tensor *tensors;            /* TENSORS */
    const struct onnx_graph *graphs;       /* GRAPHS */
    const onnx_sparse_tensor *sparse_tensors; /* SPARSE_TENSORS */
    const onnx_type *types;                /* TYPE_PROTOS */
    size_t file_offset;
} onnx_attr;

typedef struct {
    const char *name;          /* "" when unnamed */
    const char *op_type;       /* never empty */
    const char *domain;        /* "" is the default domain */
    const char *overload;      /* "" unless set */
    size_t n_inputs, n_outputs, n_attrs;
    const char *const *inputs; /* "" for an omitted optional input */
    const char *const *outputs;
    const onnx_attr *attrs;    /* names unique within the node */
    size_t file_offset;
} onnx_node;

typedef struct onnx_graph {
    const char *name;
    size_t n_nodes, n_initializers, n_inputs, n_outputs, n_value_info;
    const onnx_node *nodes;          /* in file order */
    const onnx_tensor *initializers; /* names unique and non-empty */
    const onnx_value_info *inputs;   /* may include initializers (IR < 4) */
    const onnx_value_info *outputs;
    const onnx_value_info *value_info;
    size_t file_offset;
    /* private: open-addressing index of initializers by name */
    const uint32_t *init_index;
    size_t init_index_cap;
} onnx_graph;

typedef struct {
    const char *domain;        /* "" for the default domain ("ai.onnx" is
                                  stored as "") */
    int64_t version;
} onnx_opset;

typedef struct {
    const char *name, *domain, *overload;
    size_t n_inputs, n_outputs, n_attr_names, n_attr_defaults, n_nodes,
        n_opsets;
    const char *const *inputs;
    const char *const *outputs;
    const char *const *attr_names;   /* attributes without default */
    const onnx_attr *attr_defaults;  /* attributes with a default value */
    const onnx_node *nodes;
    const onnx_opset *opsets;
    size_t file_offset;
} onnx_function;

struct onnx_priv;

typedef struct {
    const char *path;          /* the label given to the reader */
    int64_t ir_version;
    int64_t model_version;
    const char *producer_name, *producer_version, *domain, *doc_string;
    size_t n_opsets, n_metadata, n_functions;
    const onnx_opset *opsets;  /* domains unique */
    const onnx_string_pair *metadata;
    const onnx_function *functions;
    onnx_graph graph;
    struct onnx_priv *priv;    /* memory, mappings */
} onnx_model;

/* Read the model file at path. The file is mapped (read-only) and stays
 * mapped until onnx_model_free(); external data is looked up relative to
 * the file's directory. On error returns -1 with a message naming the
 * file and, for malformed content, the byte offset, message and field,
 * and the node or tensor; *out is then empty. */
int onnx_model_load(const char *path, onnx_model *out, bnnc_err *err);

/* Decode an in-memory model. label names it in messages. buf must stay
 * valid and unchanged until onnx_model_free() (tensors point into it).
 * ext_dir is the directory external data paths are relative to, or NULL
 * to refuse external data. */
int onnx_model_parse(const uint8_t *buf, size_t len, const char *label,
                     const char *ext_dir, onnx_model *out, bnnc_err *err);

void onnx_model_free(onnx_model *m);

/* Version imported for domain ("" and "ai.onnx" are the same domain), or
 * 0 when the model does not import it. */
int64_t onnx_opset_version(const onnx_model *m, const char *domain);

/* Check that the model imports the default domain at a version bnnc
 * reads (ONNX_OPSET_MIN..ONNX_OPSET_MAX). */
int onnx_model_check_opsets(const onnx_model *m, bnnc_err *err);

/* The attribute called name, or NULL. */
const onnx_attr *onnx_node_attr(const onnx_node *n, const char *name);

/* The initializer called name, or NULL (hashed: O(1)). */
const onnx_tensor *onnx_graph_initializer(const onnx_graph *g,
                                          const char *name);

/* "float32", "int64", ... ("dtype 99" style names are not returned:
 * unknown values give "unknown"). */
const char *onnx_dtype_name(int32_t dtype);
/* Bits per element (COMPLEX64 64, BOOL 8, INT4 4, FLOAT6* 6), 0 for
 * STRING, UNDEFINED and unknown values. */
unsigned onnx_dtype_bits(int32_t dtype);
/* Bytes of count packed elements (ceil(count * bits / 8)); 0 when that
 * does not fit in size_t or bits is 0. */
size_t onnx_dtype_nbytes(int32_t dtype, uint64_t count);
/* "FLOAT", "INTS", ... or "unknown". */
const char *onnx_attr_type_name(int type);

/* Element i (< count) of a numeric tensor as a double: FLOAT, DOUBLE,
 * FLOAT16, BFLOAT16, the integer types (INT64/UINT64 rounded beyond
 * 2^53) and BOOL. Returns -1 for other types (strings, complex, 8-, 6-
 * and 4-bit floats). */
int onnx_tensor_get_f64(const onnx_tensor *t, uint64_t i, double *v);
/* Element i of an integer or BOOL tensor (UINT64 above INT64_MAX
 * refused). Returns -1 for other types. */
int onnx_tensor_get_i64(const onnx_tensor *t, uint64_t i, int64_t *v);

/* Human-readable listing of the model: opsets, inputs and outputs with
 * shapes, initializers with types, shapes and first values, every node
 * with its attributes, subgraphs indented. For tests and inspect. */
void onnx_dump(FILE *f, const onnx_model *m);

#endif
