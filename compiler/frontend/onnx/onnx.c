/*
 * onnx.c - decoding ModelProto into the structs of onnx.h.
 *
 * Each decode_<message>() reads one message level: pb_scan() first (all
 * keys, wire types and lengths checked, fields counted), then exact
 * arrays from the arena, then pb_next() over the fields. Nested messages
 * recurse with a depth count (ONNX_MAX_DEPTH). Field numbers and types
 * are those of onnx.proto (IR version 14, onnx 1.23); unknown fields are skipped by
 * their wire type, as protobuf requires.
 *
 * All decoded memory comes from one arena owned by the model, so an error
 * at any depth is cleaned up by freeing the arena, and its total is
 * capped at ARENA_FACTOR times the file size (plus ARENA_SLACK): a small
 * hostile file cannot make the reader allocate gigabytes. Legitimate
 * models stay far below that: raw tensor data is not copied, and the
 * largest expansion, int64_data varints of one byte decoded to eight, is
 * 8x.
 */
#define _XOPEN_SOURCE 700   /* realpath */
#include "onnx.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pb.h"
#include "../../util/mem.h"

#define ARENA_FACTOR 16
#define ARENA_SLACK ((size_t)64 << 20)
#define ARENA_BLOCK ((size_t)64 << 10)

/* ------------------------------------------------------------ messages */

enum { MO_IR, MO_PRODUCER, MO_PRODUCER_VER, MO_DOMAIN, MO_MODEL_VER, MO_DOC,
       MO_GRAPH, MO_OPSET, MO_META, MO_TRAINING, MO_FUNCS, MO_CONFIG };
static const pb_field_desc model_fields[] = {
    [MO_IR] = {1, "ir_version", PB_K_VARINT},
    [MO_PRODUCER] = {2, "producer_name", PB_K_STR},
    [MO_PRODUCER_VER] = {3, "producer_version", PB_K_STR},
    [MO_DOMAIN] = {4, "domain", PB_K_STR},
    [MO_MODEL_VER] = {5, "model_version", PB_K_VARINT},
    [MO_DOC] = {6, "doc_string", PB_K_STR},
    [MO_GRAPH] = {7, "graph", PB_K_MSG},
    [MO_OPSET] = {8, "opset_import", PB_K_REP_LEN},
    [MO_META] = {14, "metadata_props", PB_K_REP_LEN},
    [MO_TRAINING] = {20, "training_info", PB_K_REP_LEN},
    [MO_FUNCS] = {25, "functions", PB_K_REP_LEN},
    [MO_CONFIG] = {26, "configuration", PB_K_REP_LEN},
};

enum { OS_DOMAIN, OS_VERSION };
static const pb_field_desc opset_fields[] = {
    [OS_DOMAIN] = {1, "domain", PB_K_STR},
    [OS_VERSION] = {2, "version", PB_K_VARINT},
};

enum { SS_KEY, SS_VALUE };
static const pb_field_desc pair_fields[] = {
    [SS_KEY] = {1, "key", PB_K_STR},
    [SS_VALUE] = {2, "value", PB_K_STR},
};

enum { GR_NODE, GR_NAME, GR_INIT, GR_SPARSE_INIT, GR_DOC, GR_INPUT,
       GR_OUTPUT, GR_VALUE_INFO, GR_QUANT, GR_META };
static const pb_field_desc graph_fields[] = {
    [GR_NODE] = {1, "node", PB_K_REP_LEN},
    [GR_NAME] = {2, "name", PB_K_STR},
    [GR_INIT] = {5, "initializer", PB_K_REP_LEN},
    [GR_SPARSE_INIT] = {15, "sparse_initializer", PB_K_REP_LEN},
    [GR_DOC] = {10, "doc_string", PB_K_STR},
    [GR_INPUT] = {11, "input", PB_K_REP_LEN},
    [GR_OUTPUT] = {12, "output", PB_K_REP_LEN},
    [GR_VALUE_INFO] = {13, "value_info", PB_K_REP_LEN},
    [GR_QUANT] = {14, "quantization_annotation", PB_K_REP_LEN},
    [GR_META] = {16, "metadata_props", PB_K_REP_LEN},
};

enum { ND_INPUT, ND_OUTPUT, ND_NAME, ND_OP, ND_ATTR, ND_DOC, ND_DOMAIN,
       ND_OVERLOAD, ND_META, ND_DEVICE };
static const pb_field_desc node_fields[] = {
    [ND_INPUT] = {1, "input", PB_K_REP_LEN},
    [ND_OUTPUT] = {2, "output", PB_K_REP_LEN},
    [ND_NAME] = {3, "name", PB_K_STR},
    [ND_OP] = {4, "op_type", PB_K_STR},
    [ND_ATTR] = {5, "attribute", PB_K_REP_LEN},
    [ND_DOC] = {6, "doc_string", PB_K_STR},
    [ND_DOMAIN] = {7, "domain", PB_K_STR},
    [ND_OVERLOAD] = {8, "overload", PB_K_STR},
    [ND_META] = {9, "metadata_props", PB_K_REP_LEN},
    [ND_DEVICE] = {10, "device_configurations", PB_K_REP_LEN},
};

enum { AT_NAME, AT_F, AT_I, AT_S, AT_T, AT_G, AT_FLOATS, AT_INTS,
       AT_STRINGS, AT_TENSORS, AT_GRAPHS, AT_DOC, AT_TP, AT_TYPE_PROTOS,
       AT_TYPE, AT_REF, AT_SPARSE, AT_SPARSES };
static const pb_field_desc attr_fields[] = {
    [AT_NAME] = {1, "name", PB_K_STR},
    [AT_F] = {2, "f", PB_K_I32},
    [AT_I] = {3, "i", PB_K_VARINT},
    [AT_S] = {4, "s", PB_K_STR},
    [AT_T] = {5, "t", PB_K_MSG},
    [AT_G] = {6, "g", PB_K_MSG},
    [AT_FLOATS] = {7, "floats", PB_K_REP_I32},
    [AT_INTS] = {8, "ints", PB_K_REP_VARINT},
    [AT_STRINGS] = {9, "strings", PB_K_REP_LEN},
    [AT_TENSORS] = {10, "tensors", PB_K_REP_LEN},
    [AT_GRAPHS] = {11, "graphs", PB_K_REP_LEN},
    [AT_DOC] = {13, "doc_string", PB_K_STR},
    [AT_TP] = {14, "tp", PB_K_MSG},
    [AT_TYPE_PROTOS] = {15, "type_protos", PB_K_REP_LEN},
    [AT_TYPE] = {20, "type", PB_K_VARINT},
    [AT_REF] = {21, "ref_attr_name", PB_K_STR},
    [AT_SPARSE] = {22, "sparse_tensor", PB_K_MSG},
    [AT_SPARSES] = {23, "sparse_tensors", PB_K_REP_LEN},
};

enum { TE_DIMS, TE_DATA_TYPE, TE_SEGMENT, TE_FLOAT, TE_INT32, TE_STRING,
       TE_INT64, TE_NAME, TE_DOC, TE_RAW, TE_EXT, TE_LOCATION, TE_DOUBLE,
       TE_UINT64, TE_META };
static const pb_field_desc tensor_fields[] = {
    [TE_DIMS] = {1, "dims", PB_K_REP_VARINT},
    [TE_DATA_TYPE] = {2, "data_type", PB_K_VARINT},
    [TE_SEGMENT] = {3, "segment", PB_K_MSG},
    [TE_FLOAT] = {4, "float_data", PB_K_REP_I32},
    [TE_INT32] = {5, "int32_data", PB_K_REP_VARINT},
    [TE_STRING] = {6, "string_data", PB_K_REP_LEN},
    [TE_INT64] = {7, "int64_data", PB_K_REP_VARINT},
    [TE_NAME] = {8, "name", PB_K_STR},
    [TE_DOC] = {12, "doc_string", PB_K_STR},
    [TE_RAW] = {9, "raw_data", PB_K_STR},
    [TE_EXT] = {13, "external_data", PB_K_REP_LEN},
    [TE_LOCATION] = {14, "data_location", PB_K_VARINT},
    [TE_DOUBLE] = {10, "double_data", PB_K_REP_I64},
    [TE_UINT64] = {11, "uint64_data", PB_K_REP_VARINT},
    [TE_META] = {16, "metadata_props", PB_K_REP_LEN},
};

enum { SP_VALUES, SP_INDICES, SP_DIMS };
static const pb_field_desc sparse_fields[] = {
    [SP_VALUES] = {1, "values", PB_K_MSG},
    [SP_INDICES] = {2, "indices", PB_K_MSG},
    [SP_DIMS] = {3, "dims", PB_K_REP_VARINT},
};

enum { VI_NAME, VI_TYPE, VI_DOC, VI_META };
static const pb_field_desc value_info_fields[] = {
    [VI_NAME] = {1, "name", PB_K_STR},
    [VI_TYPE] = {2, "type", PB_K_MSG},
    [VI_DOC] = {3, "doc_string", PB_K_STR},
    [VI_META] = {4, "metadata_props", PB_K_REP_LEN},
};

enum { TY_TENSOR, TY_SEQUENCE, TY_MAP, TY_DENOTATION, TY_OPAQUE,
       TY_SPARSE, TY_OPTIONAL };
static const pb_field_desc type_fields[] = {
    [TY_TENSOR] = {1, "tensor_type", PB_K_MSG},
    [TY_SEQUENCE] = {4, "sequence_type", PB_K_MSG},
    [TY_MAP] = {5, "map_type", PB_K_MSG},
    [TY_DENOTATION] = {6, "denotation", PB_K_STR},
    [TY_OPAQUE] = {7, "opaque_type", PB_K_MSG},
    [TY_SPARSE] = {8, "sparse_tensor_type", PB_K_MSG},
    [TY_OPTIONAL] = {9, "optional_type", PB_K_MSG},
};

/* TypeProto.Tensor and TypeProto.SparseTensor */
enum { TT_ELEM, TT_SHAPE };
static const pb_field_desc tensor_type_fields[] = {
    [TT_ELEM] = {1, "elem_type", PB_K_VARINT},
    [TT_SHAPE] = {2, "shape", PB_K_MSG},
};

/* TypeProto.Sequence and TypeProto.Optional */
enum { TS_ELEM };
static const pb_field_desc seq_type_fields[] = {
    [TS_ELEM] = {1, "elem_type", PB_K_MSG},
};

enum { TM_KEY, TM_VALUE };
static const pb_field_desc map_type_fields[] = {
    [TM_KEY] = {1, "key_type", PB_K_VARINT},
    [TM_VALUE] = {2, "value_type", PB_K_MSG},
};

enum { SH_DIM };
static const pb_field_desc shape_fields[] = {
    [SH_DIM] = {1, "dim", PB_K_REP_LEN},
};

enum { DI_VALUE, DI_PARAM, DI_DENOTATION };
static const pb_field_desc dim_fields[] = {
    [DI_VALUE] = {1, "dim_value", PB_K_VARINT},
    [DI_PARAM] = {2, "dim_param", PB_K_STR},
    [DI_DENOTATION] = {3, "denotation", PB_K_STR},
};

enum { FN_NAME, FN_INPUT, FN_OUTPUT, FN_ATTR, FN_NODE, FN_DOC, FN_OPSET,
       FN_DOMAIN, FN_ATTR_PROTO, FN_VALUE_INFO, FN_OVERLOAD, FN_META };
static const pb_field_desc function_fields[] = {
    [FN_NAME] = {1, "name", PB_K_STR},
    [FN_INPUT] = {4, "input", PB_K_REP_LEN},
    [FN_OUTPUT] = {5, "output", PB_K_REP_LEN},
    [FN_ATTR] = {6, "attribute", PB_K_REP_LEN},
    [FN_NODE] = {7, "node", PB_K_REP_LEN},
    [FN_DOC] = {8, "doc_string", PB_K_STR},
    [FN_OPSET] = {9, "opset_import", PB_K_REP_LEN},
    [FN_DOMAIN] = {10, "domain", PB_K_STR},
    [FN_ATTR_PROTO] = {11, "attribute_proto", PB_K_REP_LEN},
    [FN_VALUE_INFO] = {12, "value_info", PB_K_REP_LEN},
    [FN_OVERLOAD] = {13, "overload", PB_K_STR},
    [FN_META] = {14, "metadata_props", PB_K_REP_LEN},
};

#define DESC(var, name, fields) \
    static const pb_msg_desc var = {name, fields, sizeof fields / sizeof fields[0]}
DESC(MODEL, "ModelProto", model_fields);
DESC(OPSET, "OperatorSetIdProto", opset_fields);
DESC(PAIR, "StringStringEntryProto", pair_fields);
DESC(GRAPH, "GraphProto", graph_fields);
DESC(NODE, "NodeProto", node_fields);
DESC(ATTR, "AttributeProto", attr_fields);
DESC(TENSOR, "TensorProto", tensor_fields);
DESC(SPARSE, "SparseTensorProto", sparse_fields);
DESC(VALUE_INFO, "ValueInfoProto", value_info_fields);
DESC(TYPE, "TypeProto", type_fields);
DESC(TENSOR_TYPE, "TypeProto.Tensor", tensor_type_fields);
DESC(SPARSE_TYPE, "TypeProto.SparseTensor", tensor_type_fields);
DESC(SEQ_TYPE, "TypeProto.Sequence", seq_type_fields);
DESC(OPT_TYPE, "TypeProto.Optional", seq_type_fields);
DESC(MAP_TYPE, "TypeProto.Map", map_type_fields);
DESC(SHAPE, "TensorShapeProto", shape_fields);
DESC(DIM, "TensorShapeProto.Dimension", dim_fields);
DESC(FUNCTION, "FunctionProto", function_fields);
/* oneof members and messages whose content bnnc does not read */
static const pb_msg_desc OPAQUE_TYPE = {"TypeProto.Opaque", NULL, 0};

/* -------------------------------------------------------------- dtypes */

static const struct {
    const char *name;
    unsigned bits;
} dtypes[ONNX_DTYPE_COUNT] = {
    [ONNX_UNDEFINED] = {"undefined", 0}, [ONNX_FLOAT] = {"float32", 32},
    [ONNX_UINT8] = {"uint8", 8}, [ONNX_INT8] = {"int8", 8},
    [ONNX_UINT16] = {"uint16", 16}, [ONNX_INT16] = {"int16", 16},
    [ONNX_INT32] = {"int32", 32}, [ONNX_INT64] = {"int64", 64},
    [ONNX_STRING] = {"string", 0}, [ONNX_BOOL] = {"bool", 8},
    [ONNX_FLOAT16] = {"float16", 16}, [ONNX_DOUBLE] = {"float64", 64},
    [ONNX_UINT32] = {"uint32", 32}, [ONNX_UINT64] = {"uint64", 64},
    [ONNX_COMPLEX64] = {"complex64", 64},
    [ONNX_COMPLEX128] = {"complex128", 128},
    [ONNX_BFLOAT16] = {"bfloat16", 16},
    [ONNX_FLOAT8E4M3FN] = {"float8e4m3fn", 8},
    [ONNX_FLOAT8E4M3FNUZ] = {"float8e4m3fnuz", 8},
    [ONNX_FLOAT8E5M2] = {"float8e5m2", 8},
    [ONNX_FLOAT8E5M2FNUZ] = {"float8e5m2fnuz", 8},
    [ONNX_UINT4] = {"uint4", 4}, [ONNX_INT4] = {"int4", 4},
    [ONNX_FLOAT4E2M1] = {"float4e2m1", 4},
    [ONNX_FLOAT8E8M0] = {"float8e8m0", 8},
    [ONNX_UINT2] = {"uint2", 2}, [ONNX_INT2] = {"int2", 2},
    [ONNX_FLOAT6E2M3] = {"float6e2m3", 6},
    [ONNX_FLOAT6E3M2] = {"float6e3m2", 6},
};

const char *onnx_dtype_name(int32_t dtype)
{
    return dtype >= 0 && dtype < ONNX_DTYPE_COUNT ? dtypes[dtype].name
                                                  : "unknown";
}

unsigned onnx_dtype_bits(int32_t dtype)
{
    return dtype >= 0 && dtype < ONNX_DTYPE_COUNT ? dtypes[dtype].bits : 0;
}

size_t onnx_dtype_nbytes(int32_t dtype, uint64_t count)
{
    unsigned bits = onnx_dtype_bits(dtype);
    if (!bits || count > (UINT64_MAX - 7) / bits)
        return 0;
    count = (count * bits + 7) / 8;
    return count > SIZE_MAX ? 0 : (size_t)count;
}

static const char *const attr_type_names[ONNX_ATTR_TYPE_COUNT] = {
    "UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH", "FLOATS",
    "INTS", "STRINGS", "TENSORS", "GRAPHS", "SPARSE_TENSOR",
    "SPARSE_TENSORS", "TYPE_PROTO", "TYPE_PROTOS",
};

const char *onnx_attr_type_name(int type)
{
    return type >= 0 && type < ONNX_ATTR_TYPE_COUNT ? attr_type_names[type]
                                                    : "unknown";
}

/* ------------------------------------------------------- model memory */

typedef struct block {
    struct block *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
} block;

/* An external data file, mapped once however many tensors use it. */
typedef struct ext_file {
    struct ext_file *next;
    const char *location;
    const uint8_t *map;
    size_t size;
} ext_file;

struct onnx_priv {
    block *blocks;
    size_t total, limit;
    ext_file *ext;
    void *model_map;           /* onnx_model_load's mapping, or NULL */
    size_t model_map_len;
    uint8_t *model_copy;       /* ... or its copy of an unmappable file */
    char *label;
};

/* The reader: the wire context plus what decoding needs. */
typedef struct {
    pb_ctx pb;
    struct onnx_priv *priv;
    const char *ext_dir;       /* NULL: external data refused */
    char *ext_dir_real;        /* realpath(ext_dir), on first use */
    int depth;
} rd;

/* count * size bytes, zeroed, 16-byte aligned, from the model's arena;
 * fails (naming off and the message) past the arena limit. */
static int alloc_at(rd *r, const pb_msg *m, size_t off, size_t count,
                    size_t size, void *out)
{
    struct onnx_priv *p = r->priv;
    block *b = p->blocks;
    size_t n;
    *(void **)out = NULL;
    if (count == 0 || size == 0)
        return 0;
    if (count > (SIZE_MAX - 15) / size)
        return pb_fail(&r->pb, off, m->desc, NULL,
                       "%zu elements of %zu bytes overflow the address space",
                       count, size);
    n = (count * size + 15) & ~(size_t)15;
    if (n > p->limit - p->total)
        return pb_fail(&r->pb, off, m->desc, NULL,
                       "the decoded model would need more than %zu bytes "
                       "of memory (%d times the file size plus %zu MiB); "
                       "the file is not a plausible model",
                       p->limit, ARENA_FACTOR, ARENA_SLACK >> 20);
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = xmalloc(sizeof *b + cap);
        b->used = 0;
        b->cap = cap;
        b->next = p->blocks;
        p->blocks = b;
    }
    memset(b->data + b->used, 0, n);
    *(void **)out = b->data + b->used;
    b->used += n;
    p->total += n;
    return 0;
}

#define ALLOC(r, m, off, count, ptr) \
    alloc_at((r), (m), (off), (count), sizeof *(ptr), &(ptr))

/* ------------------------------------------------------------ strings */

/* Printable excerpt of a name for error messages. */
static const char *pr(const char *s, char *buf, size_t size)
{
    return bnnc_excerpt(s ? s : "", buf, size);
}

/* The LEN payload of f copied with a trailing NUL. */
static int get_bytes(rd *r, const pb_msg *m, const pb_field *f,
                     onnx_bytes *out)
{
    char *s;
    if (alloc_at(r, m, f->key_off, f->len + 1, 1, &s))
        return -1;
    if (f->len)
        memcpy(s, r->pb.buf + f->val_off, f->len);
    s[f->len] = '\0';
    out->s = s;
    out->len = f->len;
    return 0;
}

/* A string field used as a name or identifier: no NUL bytes. */
static int get_str(rd *r, const pb_msg *m, const pb_field *f,
                   const char **out)
{
    onnx_bytes b;
    char nb[32];
    if (get_bytes(r, m, f, &b))
        return -1;
    if (memchr(b.s, '\0', b.len))
        return pb_fail(&r->pb, f->val_off, m->desc,
                       pb_field_name(m, f, nb, sizeof nb),
                       "contains a NUL byte");
    *out = b.s;
    return 0;
}

/* The last value of singular string field idx as pb_scan() saw it, or
 * dflt when absent. */
static int scanned_str(rd *r, const pb_msg *m, const pb_scan_result *s,
                       int idx, const char *dflt, const char **out)
{
    pb_field f;
    if (s->last_off[idx] == SIZE_MAX) {
        *out = dflt;
        return 0;
    }
    f.number = m->desc->fields[idx].number;
    f.wire = PB_LEN;
    f.index = idx;
    f.key_off = s->last_off[idx];
    f.val_off = s->last_val[idx];
    f.len = s->last_len[idx];
    f.u = 0;
    return get_str(r, m, &f, out);
}

static int fail_f(rd *r, const pb_msg *m, const pb_field *f, const char *fmt,
                  ...) BNNC_PRINTF(4, 5);

/* An error about field f of m, at its key. */
static int fail_f(rd *r, const pb_msg *m, const pb_field *f, const char *fmt,
                  ...)
{
    char text[BNNC_ERR_MAX], nb[32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return pb_fail(&r->pb, f->key_off, m->desc,
                   pb_field_name(m, f, nb, sizeof nb), "%s", text);
}

/* Enter a nested message level; fails past ONNX_MAX_DEPTH. */
static int enter(rd *r, const pb_msg *m)
{
    if (++r->depth > ONNX_MAX_DEPTH)
        return pb_fail(&r->pb, m->start, m->desc, NULL,
                       "messages nested deeper than %d levels (subgraphs "
                       "inside subgraphs?)", ONNX_MAX_DEPTH);
    return 0;
}

/* ------------------------------------------------------- small messages */

static int decode_pair(rd *r, const pb_msg *m, onnx_string_pair *out)
{
    pb_scan_result s;
    if (pb_scan(m, &s) || scanned_str(r, m, &s, SS_KEY, "", &out->key) ||
        scanned_str(r, m, &s, SS_VALUE, "", &out->value))
        return -1;
    return 0;
}

static int decode_opset(rd *r, const pb_msg *m, onnx_opset *out)
{
    pb_scan_result s;
    pb_msg cur = *m;
    pb_field f;
    int rc;
    if (pb_scan(m, &s) || scanned_str(r, m, &s, OS_DOMAIN, "", &out->domain))
        return -1;
    if (!strcmp(out->domain, "ai.onnx"))
        out->domain = "";
    out->version = 0;
    while ((rc = pb_next(&cur, &f)) > 0)
        if (f.index == OS_VERSION)
            out->version = (int64_t)f.u;
    if (rc < 0)
        return -1;
    if (s.count[OS_VERSION] == 0 || out->version < 1)
        return pb_fail(&r->pb, m->start, m->desc, "version",
                       "opset of domain '%s' has no valid version (%lld)",
                       out->domain, (long long)out->version);
    return 0;
}

/* A list of strings from repeated string field idx (no NULs). */
static int decode_str_list(rd *r, const pb_msg *m, const pb_scan_result *s,
                           int idx, const char *const **out)
{
    const char **v;
    pb_msg cur = *m;
    pb_field f;
    size_t n = 0;
    int rc;
    if (ALLOC(r, m, m->start, s->count[idx], v))
        return -1;
    while ((rc = pb_next(&cur, &f)) > 0)
        if (f.index == idx && get_str(r, m, &f, &v[n++]))
            return -1;
    *out = v;
    return rc;
}

/* dims of a TensorProto or SparseTensorProto (field idx), each >= 0. */
static int decode_dims(rd *r, const pb_msg *m, const pb_scan_result *s,
                       int idx, size_t *ndim, const int64_t **dims)
{
    int64_t *d;
    pb_msg cur = *m;
    pb_field f;
    size_t n = 0;
    int rc;
    if (s->count[idx] > ONNX_MAX_DIMS)
        return pb_fail(&r->pb, s->last_off[idx], m->desc,
                       m->desc->fields[idx].name,
                       "%zu dimensions (bnnc reads at most %d)",
                       s->count[idx], ONNX_MAX_DIMS);
    if (ALLOC(r, m, m->start, s->count[idx], d))
        return -1;
    while ((rc = pb_next(&cur, &f)) > 0) {
        pb_rep_iter it;
        uint64_t v;
        size_t off;
        int more;
        if (f.index != idx)
            continue;
        pb_rep_begin(&cur, &f, &it);
        while ((more = pb_rep_next(&it, &v, &off)) > 0) {
            if ((int64_t)v < 0)
                return pb_fail(&r->pb, off, m->desc,
                               m->desc->fields[idx].name,
                               "dimension %zu is negative (%lld)", n,
                               (long long)(int64_t)v);
            d[n++] = (int64_t)v;
        }
        if (more < 0)
            return -1;
    }
    *ndim = n;
    *dims = d;
    return rc;
}

/* -------------------------------------------------------------- tensors */

/* Which typed field holds a dtype's values when raw_data is not used,
 * and how many of its elements one tensor element takes (per 1, or
 * elements per field value for the sub-byte types). */
static int typed_field(int32_t dtype)
{
    switch (dtype) {
    case ONNX_FLOAT: case ONNX_COMPLEX64: return TE_FLOAT;
    case ONNX_DOUBLE: case ONNX_COMPLEX128: return TE_DOUBLE;
    case ONNX_INT64: return TE_INT64;
    case ONNX_UINT32: case ONNX_UINT64: return TE_UINT64;
    case ONNX_STRING: return TE_STRING;
    default: return TE_INT32;
    }
}

/* Number of typed-field values that hold count elements of dtype. */
static uint64_t typed_count(int32_t dtype, uint64_t count)
{
    switch (dtype) {
    case ONNX_COMPLEX64: case ONNX_COMPLEX128: return 2 * count;
    case ONNX_UINT4: case ONNX_INT4: case ONNX_FLOAT4E2M1:
        return (count + 1) / 2;
    case ONNX_UINT2: case ONNX_INT2: return (count + 3) / 4;
    default: return count;
    }
}

/* Range of one int32_data value for dtype (the 4- and 2-bit types hold
 * one packed byte per value, the 6-bit ones one element). */
static void int32_range(int32_t dtype, int64_t *lo, int64_t *hi)
{
    switch (dtype) {
    case ONNX_INT32: *lo = INT32_MIN; *hi = INT32_MAX; break;
    case ONNX_INT16: *lo = INT16_MIN; *hi = INT16_MAX; break;
    case ONNX_INT8: *lo = INT8_MIN; *hi = INT8_MAX; break;
    case ONNX_UINT16: case ONNX_FLOAT16: case ONNX_BFLOAT16:
        *lo = 0; *hi = UINT16_MAX; break;
    case ONNX_BOOL: *lo = 0; *hi = 1; break;
    case ONNX_FLOAT6E2M3: case ONNX_FLOAT6E3M2: *lo = 0; *hi = 63; break;
    default: *lo = 0; *hi = UINT8_MAX; break; /* 8-, 4-, 2-bit types */
    }
}

static void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Values of the typed field of t (already validated: count matches)
 * written into t's canonical little-endian layout; zero-copy when the
 * file holds them exactly so (one packed float_data or double_data). */
static int fill_typed(rd *r, const pb_msg *m, const pb_scan_result *s,
                      int fidx, onnx_tensor *t)
{
    uint8_t *dst;
    pb_msg cur = *m;
    pb_field f;
    size_t k = 0;
    unsigned width = onnx_dtype_bits(t->dtype) / 8;
    int rc;
    if ((fidx == TE_FLOAT || fidx == TE_DOUBLE) &&
        s->last_len[fidx] == t->nbytes && s->last_val[fidx] != SIZE_MAX) {
        t->data = r->pb.buf + s->last_val[fidx];
        t->zero_copy = 1;
        return 0;
    }
    if (alloc_at(r, m, m->start, t->nbytes, 1, &dst))
        return -1;
    if (fidx == TE_FLOAT || fidx == TE_DOUBLE)
        width = fidx == TE_FLOAT ? 4 : 8;  /* complex: per component */
    while ((rc = pb_next(&cur, &f)) > 0) {
        pb_rep_iter it;
        uint64_t v;
        size_t off;
        int more;
        if (f.index != fidx)
            continue;
        pb_rep_begin(&cur, &f, &it);
        while ((more = pb_rep_next(&it, &v, &off)) > 0) {
            if (fidx == TE_INT32) {
                int64_t x = (int64_t)v, lo, hi;
                int32_range(t->dtype, &lo, &hi);
                if (x < lo || x > hi)
                    return pb_fail(&r->pb, off, m->desc, "int32_data",
                                   "value %lld out of range for %s",
                                   (long long)x, onnx_dtype_name(t->dtype));
                if (t->dtype == ONNX_FLOAT6E2M3 ||
                    t->dtype == ONNX_FLOAT6E3M2) {
                    /* 6-bit elements form an LSB-first bit stream */
                    size_t bit = k * 6;
                    dst[bit / 8] |= (uint8_t)(x << (bit % 8));
                    if (bit % 8 > 2)
                        dst[bit / 8 + 1] |= (uint8_t)(x >> (8 - bit % 8));
                } else if (onnx_dtype_bits(t->dtype) < 8) {
                    dst[k] = (uint8_t)x;
                } else {
                    put_le(dst + k * width, (uint64_t)x, width);
                }
            } else if (fidx == TE_UINT64) {
                if (t->dtype == ONNX_UINT32 && v > UINT32_MAX)
                    return pb_fail(&r->pb, off, m->desc, "uint64_data",
                                   "value %llu out of range for uint32",
                                   (unsigned long long)v);
                put_le(dst + k * width, v, width);
            } else {
                put_le(dst + k * width, v, width);
            }
            k++;
        }
        if (more < 0)
            return -1;
    }
    t->data = dst;
    return rc;
}

/* A decimal string of external_data (offset, length). */
static int parse_decimal(const char *s, uint64_t *v)
{
    uint64_t x = 0;
    if (!*s || strlen(s) > 20)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10)
            return -1;
        x = x * 10 + (uint64_t)(*s - '0');
    }
    *v = x;
    return 0;
}

/* Can location be opened below the model's directory? Relative, no ".."
 * component. (Symbolic links are checked after opening.) */
static const char *bad_location(const char *loc)
{
    const char *p = loc;
    if (!*loc)
        return "is empty";
    if (*loc == '/')
        return "is an absolute path";
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return "leaves the model's directory ('..')";
        p += n;
        while (*p == '/')
            p++;
    }
    return NULL;
}

/* Map the external file at location (cached), checking that it is a
 * regular file inside the model's directory. */
static int map_external(rd *r, const pb_msg *m, const char *loc,
                        const ext_file **out)
{
    struct onnx_priv *p = r->priv;
    ext_file *e;
    char *path, *real;
    size_t dl, ll, rl;
    struct stat st;
    int fd;
    char nb[80];
    for (e = p->ext; e; e = e->next)
        if (!strcmp(e->location, loc)) {
            *out = e;
            return 0;
        }
    if (!r->ext_dir_real) {
        r->ext_dir_real = realpath(r->ext_dir, NULL);
        if (!r->ext_dir_real)
            return pb_fail(&r->pb, m->start, m->desc, "external_data",
                           "cannot resolve the model's directory '%s': %s",
                           pr(r->ext_dir, nb, sizeof nb), strerror(errno));
    }
    dl = strlen(r->ext_dir);
    ll = strlen(loc);
    path = xmalloc(dl + ll + 2);
    memcpy(path, r->ext_dir, dl);
    path[dl] = '/';
    memcpy(path + dl + 1, loc, ll + 1);
    real = realpath(path, NULL);
    free(path);
    if (!real)
        return pb_fail(&r->pb, m->start, m->desc, "external_data",
                       "location '%s': %s", pr(loc, nb, sizeof nb),
                       strerror(errno));
    rl = strlen(r->ext_dir_real);
    if (strncmp(real, r->ext_dir_real, rl) ||
        (real[rl] != '/' && strcmp(r->ext_dir_real, "/"))) {
        free(real);
        return pb_fail(&r->pb, m->start, m->desc, "external_data",
                       "location '%s' resolves outside the model's "
                       "directory (symbolic link?)",
                       pr(loc, nb, sizeof nb));
    }
    fd = open(real, O_RDONLY | O_CLOEXEC);
    free(real);
    if (fd < 0)
        return pb_fail(&r->pb, m->start, m->desc, "external_data",
                       "cannot open location '%s': %s",
                       pr(loc, nb, sizeof nb), strerror(errno));
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return pb_fail(&r->pb, m->start, m->desc, "external_data",
                       "location '%s' is not a regular file",
                       pr(loc, nb, sizeof nb));
    }
    e = xcalloc(1, sizeof *e);
    e->location = xstrdup(loc);
    e->size = (size_t)st.st_size;
    e->next = p->ext;
    p->ext = e;
    if (e->size) {
        void *map = mmap(NULL, e->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            close(fd);
            return pb_fail(&r->pb, m->start, m->desc, "external_data",
                           "cannot map location '%s': %s",
                           pr(loc, nb, sizeof nb), strerror(errno));
        }
        e->map = map;
    }
    close(fd);
    *out = e;
    return 0;
}

/* data_location EXTERNAL: find location/offset/length among the
 * external_data entries and point t->data into the mapped file. */
static int resolve_external(rd *r, const pb_msg *m, onnx_tensor *t)
{
    pb_msg cur = *m;
    pb_field f;
    const char *loc = NULL;
    uint64_t off = 0, len = 0;
    int have_len = 0, rc;
    const ext_file *e = NULL;
    char nb[80];
    while ((rc = pb_next(&cur, &f)) > 0) {
        pb_msg sub;
        onnx_string_pair kv;
        if (f.index != TE_EXT)
            continue;
        pb_enter(&cur, &f, &PAIR, &sub);
        if (decode_pair(r, &sub, &kv))
            return -1;
        if (!strcmp(kv.key, "location")) {
            loc = kv.value;
        } else if (!strcmp(kv.key, "offset")) {
            if (parse_decimal(kv.value, &off))
                return fail_f(r, m, &f, "offset '%s' is not a decimal "
                              "number", pr(kv.value, nb, sizeof nb));
        } else if (!strcmp(kv.key, "length")) {
            if (parse_decimal(kv.value, &len))
                return fail_f(r, m, &f, "length '%s' is not a decimal "
                              "number", pr(kv.value, nb, sizeof nb));
            have_len = 1;
        }
    }
    if (rc < 0)
        return -1;
    if (!loc)
        return pb_fail(&r->pb, m->start, m->desc, "external_data",
                       "data_location is EXTERNAL but no 'location' is "
                       "given");
    if (bad_location(loc))
        return pb_fail(&r->pb, m->start, m->desc, "external_data",
                       "location '%s' %s; refused",
                       pr(loc, nb, sizeof nb), bad_location(loc));
    if (!r->ext_dir)
        return pb_fail(&r->pb, m->start, m->desc, "external_data",
                       "external data ('%s') needs the model file's "
                       "directory, and this model was read from memory",
                       pr(loc, nb, sizeof nb));
    if (map_external(r, m, loc, &e))
        return -1;
    if (off > e->size)
        return pb_fail(&r->pb, m->start, m->desc, "external_data",
                       "offset %llu is past the end of '%s' (%zu bytes)",
                       (unsigned long long)off, pr(loc, nb, sizeof nb),
                       e->size);
    if (!have_len)
        len = e->size - off;
    if (len > e->size - off)
        return pb_fail(&r->pb, m->start, m->desc, "external_data",
                       "offset %llu + length %llu runs past the end of "
                       "'%s' (%zu bytes)", (unsigned long long)off,
                       (unsigned long long)len, pr(loc, nb, sizeof nb),
                       e->size);
    if (len != t->nbytes)
        return pb_fail(&r->pb, m->start, m->desc, "external_data",
                       "%llu bytes in '%s' for %llu elements of %s, "
                       "which take %zu", (unsigned long long)len,
                       pr(loc, nb, sizeof nb),
                       (unsigned long long)t->count,
                       onnx_dtype_name(t->dtype), t->nbytes);
    t->location = e->location;
    t->ext_offset = off;
    t->data = len ? e->map + off : NULL;
    t->zero_copy = 1;
    return 0;
}

/* Decode a TensorProto. what ("initializer", NULL...) names it in the
 * error path when the tensor has a name. */
static int decode_tensor(rd *r, const pb_msg *m, onnx_tensor *t,
                         const char *what)
{
    pb_scan_result s;
    pb_msg cur = *m;
    pb_field f;
    size_t mark = r->pb.where_len;
    int32_t location = 0;
    int have_type = 0, fidx, rc = -1;
    char nb[80];

    memset(t, 0, sizeof *t);
    t->file_offset = m->start;
    if (enter(r, m) || pb_scan(m, &s) ||
        scanned_str(r, m, &s, TE_NAME, "", &t->name))
        goto out;
    if (what)
        pb_where_push(&r->pb, "%s '%s'", what, pr(t->name, nb, sizeof nb));
    if (s.count[TE_SEGMENT]) {
        pb_fail(&r->pb, s.last_off[TE_SEGMENT], m->desc, "segment",
                "segmented tensors are not supported");
        goto out;
    }
    if (decode_dims(r, m, &s, TE_DIMS, &t->ndim, &t->dims))
        goto out;
    while ((rc = pb_next(&cur, &f)) > 0) {
        if (f.index == TE_DATA_TYPE) {
            if (pb_int32(&cur, &f, &t->dtype))
                goto fail;
            have_type = 1;
        } else if (f.index == TE_LOCATION) {
            if (pb_int32(&cur, &f, &location))
                goto fail;
            if (location != 0 && location != 1) {
                fail_f(r, m, &f, "unknown data_location %d", location);
                goto fail;
            }
        }
    }
    if (rc < 0)
        goto out;
    rc = -1;
    if (!have_type || t->dtype == ONNX_UNDEFINED) {
        pb_fail(&r->pb, m->start, m->desc, "data_type",
                "tensor has no data_type");
        goto out;
    }
    if (t->dtype < 0 || t->dtype >= ONNX_DTYPE_COUNT) {
        pb_fail(&r->pb, m->start, m->desc, "data_type",
                "unknown data_type %d", t->dtype);
        goto out;
    }
    t->count = 1;
    for (size_t i = 0; i < t->ndim; i++) {
        uint64_t d = (uint64_t)t->dims[i];
        if (d && t->count > UINT64_MAX / d) {
            pb_fail(&r->pb, m->start, m->desc, "dims",
                    "element count overflows 64 bits");
            goto out;
        }
        t->count *= d;
    }
    if (t->dtype != ONNX_STRING) {
        t->nbytes = onnx_dtype_nbytes(t->dtype, t->count);
        if (t->count && !t->nbytes) {
            pb_fail(&r->pb, m->start, m->desc, "dims",
                    "%llu elements of %s do not fit in memory",
                    (unsigned long long)t->count, onnx_dtype_name(t->dtype));
            goto out;
        }
    }

    /* exactly one source: raw_data, the dtype's typed field, or a file */
    fidx = typed_field(t->dtype);
    {
        static const int typed[] = {TE_FLOAT, TE_INT32, TE_STRING, TE_INT64,
                                    TE_DOUBLE, TE_UINT64};
        for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++) {
            int k = typed[i];
            if (s.last_off[k] == SIZE_MAX)
                continue;
            if (k != fidx) {
                pb_fail(&r->pb, s.last_off[k], m->desc, tensor_fields[k].name,
                        "a %s tensor cannot store its values in %s",
                        onnx_dtype_name(t->dtype), tensor_fields[k].name);
                goto out;
            }
            if (location == 1 || s.last_off[TE_RAW] != SIZE_MAX) {
                pb_fail(&r->pb, s.last_off[k], m->desc, tensor_fields[k].name,
                        "values given twice: in %s and in %s",
                        tensor_fields[k].name,
                        location == 1 ? "an external file" : "raw_data");
                goto out;
            }
        }
    }
    if (location == 1) {
        if (s.last_off[TE_RAW] != SIZE_MAX) {
            pb_fail(&r->pb, s.last_off[TE_RAW], m->desc, "raw_data",
                    "values given twice: in raw_data and in an external "
                    "file");
            goto out;
        }
        if (t->dtype == ONNX_STRING) {
            pb_fail(&r->pb, m->start, m->desc, "data_location",
                    "string tensors cannot be stored externally");
            goto out;
        }
        t->source = ONNX_DATA_EXTERNAL;
        if (resolve_external(r, m, t))
            goto out;
    } else if (s.last_off[TE_RAW] != SIZE_MAX) {
        if (t->dtype == ONNX_STRING) {
            pb_fail(&r->pb, s.last_off[TE_RAW], m->desc, "raw_data",
                    "string tensors cannot use raw_data");
            goto out;
        }
        if (s.last_len[TE_RAW] != t->nbytes) {
            pb_fail(&r->pb, s.last_off[TE_RAW], m->desc, "raw_data",
                    "%zu bytes for %llu elements of %s, which take %zu",
                    s.last_len[TE_RAW], (unsigned long long)t->count,
                    onnx_dtype_name(t->dtype), t->nbytes);
            goto out;
        }
        t->source = ONNX_DATA_RAW;
        t->data = t->nbytes ? r->pb.buf + s.last_val[TE_RAW] : NULL;
        t->zero_copy = 1;
    } else if (s.last_off[fidx] != SIZE_MAX ||
               (t->count && t->dtype == ONNX_STRING)) {
        uint64_t want = typed_count(t->dtype, t->count);
        if (s.count[fidx] != want) {
            pb_fail(&r->pb, s.last_off[fidx] == SIZE_MAX ? m->start
                                                         : s.last_off[fidx],
                    m->desc, tensor_fields[fidx].name,
                    "%zu values for %llu elements of %s (%llu expected)",
                    s.count[fidx], (unsigned long long)t->count,
                    onnx_dtype_name(t->dtype), (unsigned long long)want);
            goto out;
        }
        t->source = ONNX_DATA_TYPED;
        if (t->dtype == ONNX_STRING) {
            onnx_bytes *v;
            size_t n = 0;
            if (ALLOC(r, m, m->start, s.count[fidx], v))
                goto out;
            cur = *m;
            while ((rc = pb_next(&cur, &f)) > 0)
                if (f.index == TE_STRING && get_bytes(r, m, &f, &v[n++]))
                    goto fail;
            if (rc < 0)
                goto out;
            t->strings = v;
        } else if (fill_typed(r, m, &s, fidx, t)) {
            goto out;
        }
    } else if (t->count) {
        pb_fail(&r->pb, m->start, m->desc, NULL,
                "no values for the %llu elements of a %s tensor",
                (unsigned long long)t->count, onnx_dtype_name(t->dtype));
        goto out;
    }
    if (!t->count) {
        t->source = ONNX_DATA_NONE;
        t->data = NULL;
        t->zero_copy = 0;
    }
    rc = 0;
    goto out;
fail:
    rc = -1;
out:
    pb_where_pop(&r->pb, mark);
    r->depth--;
    return rc;
}

static int decode_sparse(rd *r, const pb_msg *m, onnx_sparse_tensor *sp)
{
    pb_scan_result s;
    pb_msg cur = *m;
    pb_field f;
    int rc;
    memset(sp, 0, sizeof *sp);
    if (pb_scan(m, &s))
        return -1;
    if (!s.count[SP_VALUES] || !s.count[SP_INDICES])
        return pb_fail(&r->pb, m->start, m->desc, NULL,
                       "sparse tensor without %s",
                       s.count[SP_VALUES] ? "indices" : "values");
    if (decode_dims(r, m, &s, SP_DIMS, &sp->ndim, &sp->dims))
        return -1;
    while ((rc = pb_next(&cur, &f)) > 0) {
        pb_msg sub;
        if (f.index != SP_VALUES && f.index != SP_INDICES)
            continue;
        pb_enter(&cur, &f, &TENSOR, &sub);
        if (decode_tensor(r, &sub, f.index == SP_VALUES ? &sp->values
                                                        : &sp->indices,
                          NULL))
            return -1;
    }
    return rc;
}

/* ---------------------------------------------------------------- types */

static int decode_type(rd *r, const pb_msg *m, onnx_type *t);

static int decode_shape(rd *r, const pb_msg *m, onnx_type *t)
{
    pb_scan_result s;
    pb_msg cur = *m;
    pb_field f;
    onnx_dim *d;
    size_t n = 0;
    int rc;
    if (pb_scan(m, &s))
        return -1;
    if (s.count[SH_DIM] > ONNX_MAX_DIMS)
        return pb_fail(&r->pb, m->start, m->desc, "dim",
                       "%zu dimensions (bnnc reads at most %d)",
                       s.count[SH_DIM], ONNX_MAX_DIMS);
    if (ALLOC(r, m, m->start, s.count[SH_DIM], d))
        return -1;
    while ((rc = pb_next(&cur, &f)) > 0) {
        pb_msg dm;
        pb_scan_result ds;
        pb_field g;
        int rc2;
        if (f.index != SH_DIM)
            continue;
        pb_enter(&cur, &f, &DIM, &dm);
        if (pb_scan(&dm, &ds))
            return -1;
        if (ds.count[DI_VALUE] && ds.count[DI_PARAM])
            return pb_fail(&r->pb, dm.start, dm.desc, NULL,
                           "dimension %zu has both dim_value and dim_param",
                           n);
        if (scanned_str(r, &dm, &ds, DI_PARAM, NULL, &d[n].param))
            return -1;
        while ((rc2 = pb_next(&dm, &g)) > 0)
            if (g.index == DI_VALUE) {
                /* a negative size annotates nothing: treat as unknown */
                d[n].value = (int64_t)g.u;
                d[n].has_value = d[n].value >= 0;
                if (!d[n].has_value)
                    d[n].value = 0;
            }
        if (rc2 < 0)
            return -1;
        n++;
    }
    t->has_shape = 1;
    t->ndim = n;
    t->dims = d;
    return rc;
}

/* TypeProto.Tensor / SparseTensor */
static int decode_tensor_type(rd *r, const pb_msg *m, onnx_type *t)
{
    pb_scan_result s;
    pb_msg cur = *m;
    pb_field f;
    int rc;
    if (pb_scan(m, &s))
        return -1;
    while ((rc = pb_next(&cur, &f)) > 0) {
        if (f.index == TT_ELEM) {
            if (pb_int32(&cur, &f, &t->elem_type))
                return -1;
        } else if (f.index == TT_SHAPE) {
            pb_msg sub;
            pb_enter(&cur, &f, &SHAPE, &sub);
            if (decode_shape(r, &sub, t))
                return -1;
        }
    }
    return rc;
}

/* TypeProto.Sequence / Optional / Map: the element (value) type. */
static int decode_inner_type(rd *r, const pb_msg *m, onnx_type *t)
{
    pb_scan_result s;
    pb_msg cur = *m;
    pb_field f;
    int rc, elem = m->desc == &MAP_TYPE ? TM_VALUE : TS_ELEM;
    if (pb_scan(m, &s))
        return -1;
    while ((rc = pb_next(&cur, &f)) > 0) {
        if (m->desc == &MAP_TYPE && f.index == TM_KEY) {
            if (pb_int32(&cur, &f, &t->elem_type))
                return -1;
        } else if (f.index == elem) {
            pb_msg sub;
            onnx_type *e;
            if (ALLOC(r, m, f.key_off, 1, e))
                return -1;
            pb_enter(&cur, &f, &TYPE, &sub);
            if (decode_type(r, &sub, e))
                return -1;
            t->elem = e;
        }
    }
    return rc;
}

static int decode_type(rd *r, const pb_msg *m, onnx_type *t)
{
    static const struct {
        int idx;
        onnx_type_kind kind;
        const pb_msg_desc *desc;
    } members[] = {
        {TY_TENSOR, ONNX_TYPE_TENSOR, &TENSOR_TYPE},
        {TY_SPARSE, ONNX_TYPE_SPARSE_TENSOR, &SPARSE_TYPE},
        {TY_SEQUENCE, ONNX_TYPE_SEQUENCE, &SEQ_TYPE},
        {TY_MAP, ONNX_TYPE_MAP, &MAP_TYPE},
        {TY_OPTIONAL, ONNX_TYPE_OPTIONAL, &OPT_TYPE},
        {TY_OPAQUE, ONNX_TYPE_OPAQUE, &OPAQUE_TYPE},
    };
    pb_scan_result s;
    pb_msg cur = *m;
    pb_field f;
    int rc = -1, found = -1;
    memset(t, 0, sizeof *t);
    if (enter(r, m) || pb_scan(m, &s))
        goto out;
    for (int i = 0; i < (int)(sizeof members / sizeof members[0]); i++) {
        if (!s.count[members[i].idx])
            continue;
        if (found >= 0) {
            pb_fail(&r->pb, s.last_off[members[i].idx], m->desc,
                    type_fields[members[i].idx].name,
                    "type sets both %s and %s",
                    type_fields[members[found].idx].name,
                    type_fields[members[i].idx].name);
            goto out;
        }
        found = i;
    }
    rc = 0;
    if (found < 0)
        goto out;
    t->kind = members[found].kind;
    while ((rc = pb_next(&cur, &f)) > 0) {
        pb_msg sub;
        if (f.index != members[found].idx)
            continue;
        pb_enter(&cur, &f, members[found].desc, &sub);
        if (t->kind == ONNX_TYPE_TENSOR || t->kind == ONNX_TYPE_SPARSE_TENSOR)
            rc = decode_tensor_type(r, &sub, t);
        else if (t->kind != ONNX_TYPE_OPAQUE)
            rc = decode_inner_type(r, &sub, t);
        else
            rc = pb_scan(&sub, &s);  /* checked, content unused */
        if (rc)
            goto out;
    }
out:
    r->depth--;
    return rc < 0 ? -1 : 0;
}

static int decode_value_info(rd *r, const pb_msg *m, onnx_value_info *v,
                             const char *what)
{
    pb_scan_result s;
    pb_msg cur = *m;
    pb_field f;
    size_t mark;
    int rc;
    char nb[80];
    memset(v, 0, sizeof *v);
    v->file_offset = m->start;
    if (pb_scan(m, &s) || scanned_str(r, m, &s, VI_NAME, "", &v->name))
        return -1;
    mark = pb_where_push(&r->pb, "%s '%s'", what, pr(v->name, nb, sizeof nb));
    while ((rc = pb_next(&cur, &f)) > 0) {
        pb_msg sub;
        if (f.index != VI_TYPE)
            continue;
        pb_enter(&cur, &f, &TYPE, &sub);
        if ((rc = decode_type(r, &sub, &v->type)) != 0)
            break;
    }
    pb_where_pop(&r->pb, mark);
    return rc < 0 ? -1 : 0;
}

/* ---------------------------------------------------- attributes, nodes */

static int decode_graph(rd *r, const pb_msg *m, onnx_graph *g);

/* The value field of each attribute type (-1: none). */
static const int attr_value_field[ONNX_ATTR_TYPE_COUNT] = {
    [ONNX_ATTR_UNDEFINED] = -1, [ONNX_ATTR_FLOAT] = AT_F,
    [ONNX_ATTR_INT] = AT_I, [ONNX_ATTR_STRING] = AT_S,
    [ONNX_ATTR_TENSOR] = AT_T, [ONNX_ATTR_GRAPH] = AT_G,
    [ONNX_ATTR_FLOATS] = AT_FLOATS, [ONNX_ATTR_INTS] = AT_INTS,
    [ONNX_ATTR_STRINGS] = AT_STRINGS, [ONNX_ATTR_TENSORS] = AT_TENSORS,
    [ONNX_ATTR_GRAPHS] = AT_GRAPHS, [ONNX_ATTR_SPARSE_TENSOR] = AT_SPARSE,
    [ONNX_ATTR_SPARSE_TENSORS] = AT_SPARSES, [ONNX_ATTR_TYPE_PROTO] = AT_TP,
    [ONNX_ATTR_TYPE_PROTOS] = AT_TYPE_PROTOS,
};

/* Decode a list-valued attribute field (tensors, graphs, ...). */
static int decode_attr_list(rd *r, const pb_msg *m, const pb_scan_result *s,
                            onnx_attr *a, int vf)
{
    pb_msg cur = *m;
    pb_field f;
    size_t n = 0, count = s->count[vf];
    onnx_tensor *tensors = NULL;
    onnx_graph *graphs = NULL;
    onnx_sparse_tensor *sparses = NULL;
    onnx_type *types = NULL;
    onnx_bytes *strings = NULL;
    float *floats = NULL;
    int64_t *ints = NULL;
    int rc;
    switch (vf) {
    case AT_FLOATS: rc = ALLOC(r, m, m->start, count, floats); break;
    case AT_INTS: rc = ALLOC(r, m, m->start, count, ints); break;
    case AT_STRINGS: rc = ALLOC(r, m, m->start, count, strings); break;
    case AT_TENSORS: rc = ALLOC(r, m, m->start, count, tensors); break;
    case AT_GRAPHS: rc = ALLOC(r, m, m->start, count, graphs); break;
    case AT_SPARSES: rc = ALLOC(r, m, m->start, count, sparses); break;
    default: rc = ALLOC(r, m, m->start, count, types); break;
    }
    if (rc)
        return -1;
    while ((rc = pb_next(&cur, &f)) > 0) {
        pb_msg sub;
        if (f.index != vf)
            continue;
        if (vf == AT_FLOATS || vf == AT_INTS) {
            pb_rep_iter it;
            uint64_t v;
            int more;
            pb_rep_begin(&cur, &f, &it);
            while ((more = pb_rep_next(&it, &v, NULL)) > 0) {
                if (vf == AT_FLOATS)
                    floats[n++] = pb_f32(v);
                else
                    ints[n++] = (int64_t)v;
            }
            if (more < 0)
                return -1;
            continue;
        }
        switch (vf) {
        case AT_STRINGS:
            rc = get_bytes(r, m, &f, &strings[n]);
            break;
        case AT_TENSORS:
            pb_enter(&cur, &f, &TENSOR, &sub);
            rc = decode_tensor(r, &sub, &tensors[n], NULL);
            break;
        case AT_GRAPHS:
            pb_enter(&cur, &f, &GRAPH, &sub);
            rc = decode_graph(r, &sub, &graphs[n]);
            break;
        case AT_SPARSES:
            pb_enter(&cur, &f, &SPARSE, &sub);
            rc = decode_sparse(r, &sub, &sparses[n]);
            break;
        default:
            pb_enter(&cur, &f, &TYPE, &sub);
            rc = decode_type(r, &sub, &types[n]);
            break;
        }
        if (rc)
            return -1;
        n++;
    }
    a->n = n;
    a->floats = floats;
    a->ints = ints;
    a->strings = strings;
    a->tensors = tensors;
    a->graphs = graphs;
    a->sparse_tensors = sparses;
    a->types = types;
    return rc;
}

static int decode_attr(rd *r, const pb_msg *m, onnx_attr *a)
{
    pb_scan_result s;
    pb_msg cur = *m;
    pb_field f;
    size_t mark = r->pb.where_len;
    int rc = -1, vf, present = -1;
    int32_t type = 0;
    char nb[80];

    memset(a, 0, sizeof *a);
    a->file_offset = m->start;
    if (enter(r, m) || pb_scan(m, &s) ||
        scanned_str(r, m, &s, AT_NAME, "", &a->name) ||
        scanned_str(r, m, &s, AT_REF, NULL, &a->ref_attr_name))
        goto out;
    pb_where_push(&r->pb, "attribute '%s'", pr(a->name, nb, sizeof nb));
    if (!a->name[0]) {
        pb_fail(&r->pb, m->start, m->desc, "name", "attribute has no name");
        goto out;
    }
    while ((rc = pb_next(&cur, &f)) > 0)
        if (f.index == AT_TYPE && pb_int32(&cur, &f, &type))
            goto fail;
    if (rc < 0)
        goto out;
    rc = -1;
    if (type < 0 || type >= ONNX_ATTR_TYPE_COUNT) {
        pb_fail(&r->pb, s.last_off[AT_TYPE], m->desc, "type",
                "unknown attribute type %d", type);
        goto out;
    }
    /* the value fields present must agree with the type */
    for (int t = 1; t < ONNX_ATTR_TYPE_COUNT; t++) {
        int k = attr_value_field[t];
        if (s.last_off[k] == SIZE_MAX)
            continue;
        if (type != ONNX_ATTR_UNDEFINED && t != type) {
            pb_fail(&r->pb, s.last_off[k], m->desc, attr_fields[k].name,
                    "attribute of type %s also carries %s",
                    onnx_attr_type_name(type), attr_fields[k].name);
            goto out;
        }
        if (type == ONNX_ATTR_UNDEFINED && present >= 0) {
            pb_fail(&r->pb, s.last_off[k], m->desc, attr_fields[k].name,
                    "attribute without a type carries both %s and %s",
                    attr_fields[attr_value_field[present]].name,
                    attr_fields[k].name);
            goto out;
        }
        present = t;
    }
    if (type == ONNX_ATTR_UNDEFINED) {
        if (present < 0) {
            pb_fail(&r->pb, m->start, m->desc, "type",
                    "attribute has neither a type nor a value");
            goto out;
        }
        type = present;
    }
    a->type = (onnx_attr_type)type;
    vf = attr_value_field[type];
    cur = *m;
    switch (type) {
    case ONNX_ATTR_FLOATS: case ONNX_ATTR_INTS: case ONNX_ATTR_STRINGS:
    case ONNX_ATTR_TENSORS: case ONNX_ATTR_GRAPHS:
    case ONNX_ATTR_SPARSE_TENSORS: case ONNX_ATTR_TYPE_PROTOS:
        if (decode_attr_list(r, m, &s, a, vf))
            goto out;
        break;
    default:
        while ((rc = pb_next(&cur, &f)) > 0) {
            pb_msg sub;
            if (f.index != vf)
                continue;
            switch (type) {
            case ONNX_ATTR_FLOAT: a->f = pb_f32(f.u); break;
            case ONNX_ATTR_INT: a->i = (int64_t)f.u; break;
            case ONNX_ATTR_STRING:
                if (get_bytes(r, m, &f, &a->s))
                    goto fail;
                break;
            case ONNX_ATTR_TENSOR: {
                onnx_tensor *t;
                if (ALLOC(r, m, f.key_off, 1, t))
                    goto fail;
                pb_enter(&cur, &f, &TENSOR, &sub);
                if (decode_tensor(r, &sub, t, NULL))
                    goto fail;
                a->t = t;
                break;
            }
            case ONNX_ATTR_GRAPH: {
                onnx_graph *g;
                if (ALLOC(r, m, f.key_off, 1, g))
                    goto fail;
                pb_enter(&cur, &f, &GRAPH, &sub);
                if (decode_graph(r, &sub, g))
                    goto fail;
                a->g = g;
                break;
            }
            case ONNX_ATTR_SPARSE_TENSOR: {
                onnx_sparse_tensor *sp;
                if (ALLOC(r, m, f.key_off, 1, sp))
                    goto fail;
                pb_enter(&cur, &f, &SPARSE, &sub);
                if (decode_sparse(r, &sub, sp))
                    goto fail;
                a->sparse = sp;
                break;
            }
            case ONNX_ATTR_TYPE_PROTO: {
                onnx_type *tp;
                if (ALLOC(r, m, f.key_off, 1, tp))
                    goto fail;
                pb_enter(&cur, &f, &TYPE, &sub);
                if (decode_type(r, &sub, tp))
                    goto fail;
                a->tp = tp;
                break;
            }
            default:
                break;
            }
        }
        if (rc < 0)
            goto out;
        if (!a->s.s)
            a->s.s = "";
        /* a single-value type whose field is absent: TENSOR, GRAPH,
         * SPARSE_TENSOR and TYPE_PROTO need their value (a reference to
         * a function attribute carries none) */
        if (!a->ref_attr_name &&
            ((type == ONNX_ATTR_TENSOR && !a->t) ||
             (type == ONNX_ATTR_GRAPH && !a->g) ||
             (type == ONNX_ATTR_SPARSE_TENSOR && !a->sparse) ||
             (type == ONNX_ATTR_TYPE_PROTO && !a->tp))) {
            pb_fail(&r->pb, m->start, m->desc, attr_fields[vf].name,
                    "attribute of type %s has no value",
                    onnx_attr_type_name(type));
            goto fail;
        }
    }
    rc = 0;
    goto out;
fail:
    rc = -1;
out:
    pb_where_pop(&r->pb, mark);
    r->depth--;
    return rc;
}

static int cmp_attr_name(const void *a, const void *b)
{
    return strcmp((*(const onnx_attr *const *)a)->name,
                  (*(const onnx_attr *const *)b)->name);
}

/* Refuse two attributes of one node (or function) with the same name. */
static int check_attr_names(rd *r, const pb_msg *m, const onnx_attr *attrs,
                            size_t n)
{
    const onnx_attr **v;
    char nb[80];
    if (n < 2)
        return 0;
    v = xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = &attrs[i];
    qsort(v, n, sizeof *v, cmp_attr_name);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(v[i - 1]->name, v[i]->name)) {
            size_t off = v[i - 1]->file_offset > v[i]->file_offset
                             ? v[i - 1]->file_offset : v[i]->file_offset;
            int rc = pb_fail(&r->pb, off, m->desc, "attribute",
                             "attribute '%s' given twice",
                             pr(v[i]->name, nb, sizeof nb));
            free(v);
            return rc;
        }
    free(v);
    return 0;
}

static int decode_node(rd *r, const pb_msg *m, onnx_node *n, size_t index)
{
    pb_scan_result s;
    pb_msg cur = *m;
    pb_field f;
    onnx_attr *attrs;
    size_t mark = r->pb.where_len, na = 0;
    int rc = -1;
    char nb[80], ob[80];

    memset(n, 0, sizeof *n);
    n->file_offset = m->start;
    if (enter(r, m) || pb_scan(m, &s) ||
        scanned_str(r, m, &s, ND_NAME, "", &n->name) ||
        scanned_str(r, m, &s, ND_OP, "", &n->op_type) ||
        scanned_str(r, m, &s, ND_DOMAIN, "", &n->domain) ||
        scanned_str(r, m, &s, ND_OVERLOAD, "", &n->overload))
        goto out;
    if (!strcmp(n->domain, "ai.onnx"))
        n->domain = "";
    pb_where_push(&r->pb, "node %zu '%s' (%s)", index,
                  pr(n->name, nb, sizeof nb), pr(n->op_type, ob, sizeof ob));
    if (!n->op_type[0]) {
        pb_fail(&r->pb, m->start, m->desc, "op_type", "node has no op_type");
        goto out;
    }
    if (decode_str_list(r, m, &s, ND_INPUT, &n->inputs) ||
        decode_str_list(r, m, &s, ND_OUTPUT, &n->outputs) ||
        ALLOC(r, m, m->start, s.count[ND_ATTR], attrs))
        goto out;
    n->n_inputs = s.count[ND_INPUT];
    n->n_outputs = s.count[ND_OUTPUT];
    while ((rc = pb_next(&cur, &f)) > 0) {
        pb_msg sub;
        if (f.index != ND_ATTR)
            continue;
        pb_enter(&cur, &f, &ATTR, &sub);
        if (decode_attr(r, &sub, &attrs[na++]))
            goto fail;
    }
    if (rc < 0)
        goto out;
    n->attrs = attrs;
    n->n_attrs = na;
    rc = check_attr_names(r, m, attrs, na);
    goto out;
fail:
    rc = -1;
out:
    pb_where_pop(&r->pb, mark);
    r->depth--;
    return rc;
}

/* ---------------------------------------------------------------- graph */

static uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* Index g's initializers by name (1-based slots); refuses duplicates. */
static int index_initializers(rd *r, const pb_msg *m, onnx_graph *g)
{
    uint32_t *slots;
    size_t cap = 16;
    char nb[80];
    while (cap < 2 * g->n_initializers)
        cap *= 2;
    if (g->n_initializers > UINT32_MAX - 1)
        return pb_fail(&r->pb, m->start, m->desc, "initializer",
                       "too many initializers");
    if (ALLOC(r, m, m->start, cap, slots))
        return -1;
    for (size_t i = 0; i < g->n_initializers; i++) {
        const onnx_tensor *t = &g->initializers[i];
        size_t h = hash_name(t->name) & (cap - 1);
        if (!t->name[0])
            return pb_fail(&r->pb, t->file_offset, &TENSOR, "name",
                           "initializer %zu has no name", i);
        while (slots[h]) {
            if (!strcmp(g->initializers[slots[h] - 1].name, t->name))
                return pb_fail(&r->pb, t->file_offset, &TENSOR, "name",
                               "initializer '%s' defined twice",
                               pr(t->name, nb, sizeof nb));
            h = (h + 1) & (cap - 1);
        }
        slots[h] = (uint32_t)(i + 1);
    }
    g->init_index = slots;
    g->init_index_cap = cap;
    return 0;
}

static int decode_graph(rd *r, const pb_msg *m, onnx_graph *g)
{
    pb_scan_result s;
    pb_msg cur = *m;
    pb_field f;
    onnx_node *nodes;
    onnx_tensor *inits;
    onnx_value_info *ins, *outs, *vis;
    size_t nn = 0, ni = 0, nin = 0, nout = 0, nvi = 0;
    int rc = -1;

    memset(g, 0, sizeof *g);
    g->file_offset = m->start;
    if (enter(r, m) || pb_scan(m, &s) ||
        scanned_str(r, m, &s, GR_NAME, "", &g->name))
        goto out;
    if (s.count[GR_SPARSE_INIT]) {
        pb_fail(&r->pb, s.last_off[GR_SPARSE_INIT], m->desc,
                "sparse_initializer",
                "sparse initializers are not supported (store the tensor "
                "dense, e.g. as a Constant or an initializer)");
        goto out;
    }
    if (ALLOC(r, m, m->start, s.count[GR_NODE], nodes) ||
        ALLOC(r, m, m->start, s.count[GR_INIT], inits) ||
        ALLOC(r, m, m->start, s.count[GR_INPUT], ins) ||
        ALLOC(r, m, m->start, s.count[GR_OUTPUT], outs) ||
        ALLOC(r, m, m->start, s.count[GR_VALUE_INFO], vis))
        goto out;
    while ((rc = pb_next(&cur, &f)) > 0) {
        pb_msg sub;
        int err = 0;
        switch (f.index) {
        case GR_NODE:
            pb_enter(&cur, &f, &NODE, &sub);
            err = decode_node(r, &sub, &nodes[nn], nn);
            nn++;
            break;
        case GR_INIT:
            pb_enter(&cur, &f, &TENSOR, &sub);
            err = decode_tensor(r, &sub, &inits[ni++], "initializer");
            break;
        case GR_INPUT:
            pb_enter(&cur, &f, &VALUE_INFO, &sub);
            err = decode_value_info(r, &sub, &ins[nin++], "graph input");
            break;
        case GR_OUTPUT:
            pb_enter(&cur, &f, &VALUE_INFO, &sub);
            err = decode_value_info(r, &sub, &outs[nout++], "graph output");
            break;
        case GR_VALUE_INFO:
            pb_enter(&cur, &f, &VALUE_INFO, &sub);
            err = decode_value_info(r, &sub, &vis[nvi++], "value_info");
            break;
        default:
            break;
        }
        if (err) {
            rc = -1;
            break;
        }
    }
    if (rc < 0)
        goto out;
    g->nodes = nodes;
    g->n_nodes = nn;
    g->initializers = inits;
    g->n_initializers = ni;
    g->inputs = ins;
    g->n_inputs = nin;
    g->outputs = outs;
    g->n_outputs = nout;
    g->value_info = vis;
    g->n_value_info = nvi;
    rc = index_initializers(r, m, g);
out:
    r->depth--;
    return rc;
}

/* ------------------------------------------------------ functions, model */

static int decode_function(rd *r, const pb_msg *m, onnx_function *fn)
{
    pb_scan_result s;
    pb_msg cur = *m;
    pb_field f;
    onnx_node *nodes;
    onnx_attr *defaults;
    onnx_opset *opsets;
    size_t mark = r->pb.where_len, nn = 0, nd = 0, no = 0;
    int rc = -1;
    char nb[80];

    memset(fn, 0, sizeof *fn);
    fn->file_offset = m->start;
    if (enter(r, m) || pb_scan(m, &s) ||
        scanned_str(r, m, &s, FN_NAME, "", &fn->name) ||
        scanned_str(r, m, &s, FN_DOMAIN, "", &fn->domain) ||
        scanned_str(r, m, &s, FN_OVERLOAD, "", &fn->overload))
        goto out;
    pb_where_push(&r->pb, "function '%s'", pr(fn->name, nb, sizeof nb));
    if (!fn->name[0]) {
        pb_fail(&r->pb, m->start, m->desc, "name", "function has no name");
        goto out;
    }
    if (decode_str_list(r, m, &s, FN_INPUT, &fn->inputs) ||
        decode_str_list(r, m, &s, FN_OUTPUT, &fn->outputs) ||
        decode_str_list(r, m, &s, FN_ATTR, &fn->attr_names) ||
        ALLOC(r, m, m->start, s.count[FN_NODE], nodes) ||
        ALLOC(r, m, m->start, s.count[FN_ATTR_PROTO], defaults) ||
        ALLOC(r, m, m->start, s.count[FN_OPSET], opsets))
        goto out;
    fn->n_inputs = s.count[FN_INPUT];
    fn->n_outputs = s.count[FN_OUTPUT];
    fn->n_attr_names = s.count[FN_ATTR];
    while ((rc = pb_next(&cur, &f)) > 0) {
        pb_msg sub;
        int err = 0;
        if (f.index == FN_NODE) {
            pb_enter(&cur, &f, &NODE, &sub);
            err = decode_node(r, &sub, &nodes[nn], nn);
            nn++;
        } else if (f.index == FN_ATTR_PROTO) {
            pb_enter(&cur, &f, &ATTR, &sub);
            err = decode_attr(r, &sub, &defaults[nd++]);
        } else if (f.index == FN_OPSET) {
            pb_enter(&cur, &f, &OPSET, &sub);
            err = decode_opset(r, &sub, &opsets[no++]);
        }
        if (err) {
            rc = -1;
            break;
        }
    }
    if (rc < 0)
        goto out;
    fn->nodes = nodes;
    fn->n_nodes = nn;
    fn->attr_defaults = defaults;
    fn->n_attr_defaults = nd;
    fn->opsets = opsets;
    fn->n_opsets = no;
    rc = 0;
out:
    pb_where_pop(&r->pb, mark);
    r->depth--;
    return rc;
}

static int decode_model(rd *r, const pb_msg *m, onnx_model *model)
{
    pb_scan_result s;
    pb_msg cur = *m;
    pb_field f;
    onnx_opset *opsets;
    onnx_string_pair *meta;
    onnx_function *funcs;
    size_t no = 0, nm = 0, nf = 0;
    int rc;

    if (pb_scan(m, &s))
        return -1;
    if (!s.count[MO_GRAPH])
        return pb_fail(&r->pb, 0, m->desc, "graph",
                       "the model has no graph (is this an ONNX model?)");
    if (scanned_str(r, m, &s, MO_PRODUCER, "", &model->producer_name) ||
        scanned_str(r, m, &s, MO_PRODUCER_VER, "",
                    &model->producer_version) ||
        scanned_str(r, m, &s, MO_DOMAIN, "", &model->domain) ||
        scanned_str(r, m, &s, MO_DOC, "", &model->doc_string) ||
        ALLOC(r, m, 0, s.count[MO_OPSET], opsets) ||
        ALLOC(r, m, 0, s.count[MO_META], meta) ||
        ALLOC(r, m, 0, s.count[MO_FUNCS], funcs))
        return -1;
    while ((rc = pb_next(&cur, &f)) > 0) {
        pb_msg sub;
        int err = 0;
        switch (f.index) {
        case MO_IR: model->ir_version = (int64_t)f.u; break;
        case MO_MODEL_VER: model->model_version = (int64_t)f.u; break;
        case MO_GRAPH:
            pb_enter(&cur, &f, &GRAPH, &sub);
            err = decode_graph(r, &sub, &model->graph);
            break;
        case MO_OPSET:
            pb_enter(&cur, &f, &OPSET, &sub);
            err = decode_opset(r, &sub, &opsets[no]);
            for (size_t i = 0; !err && i < no; i++)
                if (!strcmp(opsets[i].domain, opsets[no].domain))
                    err = fail_f(r, m, &f, "domain '%s' imported twice",
                                 opsets[no].domain);
            no++;
            break;
        case MO_META:
            pb_enter(&cur, &f, &PAIR, &sub);
            err = decode_pair(r, &sub, &meta[nm++]);
            break;
        case MO_FUNCS:
            pb_enter(&cur, &f, &FUNCTION, &sub);
            err = decode_function(r, &sub, &funcs[nf++]);
            break;
        default:
            break;
        }
        if (err)
            return -1;
    }
    if (rc < 0)
        return -1;
    model->opsets = opsets;
    model->n_opsets = no;
    model->metadata = meta;
    model->n_metadata = nm;
    model->functions = funcs;
    model->n_functions = nf;
    return 0;
}

/* --------------------------------------------------------- entry points */

static void priv_free(struct onnx_priv *p)
{
    if (!p)
        return;
    while (p->blocks) {
        block *b = p->blocks;
        p->blocks = b->next;
        free(b);
    }
    while (p->ext) {
        ext_file *e = p->ext;
        p->ext = e->next;
        if (e->map)
            munmap((void *)e->map, e->size);
        free((void *)e->location);
        free(e);
    }
    if (p->model_map)
        munmap(p->model_map, p->model_map_len);
    free(p->model_copy);
    free(p->label);
    free(p);
}

void onnx_model_free(onnx_model *m)
{
    if (!m)
        return;
    priv_free(m->priv);
    memset(m, 0, sizeof *m);
}

int onnx_model_parse(const uint8_t *buf, size_t len, const char *label,
                     const char *ext_dir, onnx_model *out, bnnc_err *err)
{
    rd r;
    pb_msg root;
    struct onnx_priv *p = xcalloc(1, sizeof *p);
    int rc;

    memset(out, 0, sizeof *out);
    p->label = xstrdup(label);
    p->limit = len > (SIZE_MAX - ARENA_SLACK) / ARENA_FACTOR
                   ? SIZE_MAX : len * ARENA_FACTOR + ARENA_SLACK;
    memset(&r, 0, sizeof r);
    r.pb.buf = buf;
    r.pb.len = len;
    r.pb.label = p->label;
    r.pb.err = err;
    r.priv = p;
    r.ext_dir = ext_dir;
    out->priv = p;
    out->path = p->label;
    pb_root(&r.pb, &MODEL, &root);
    rc = decode_model(&r, &root, out);
    free(r.ext_dir_real);
    if (rc) {
        onnx_model_free(out);
        return -1;
    }
    return 0;
}

int onnx_model_load(const char *path, onnx_model *out, bnnc_err *err)
{
    struct stat st;
    uint8_t *buf = NULL;
    void *map = NULL;
    size_t len = 0;
    char *dir;
    const char *slash;
    int fd, rc;

    memset(out, 0, sizeof *out);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return bnnc_errf(err, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(fd, &st)) {
        rc = bnnc_errf(err, "%s: cannot stat: %s", path, strerror(errno));
        close(fd);
        return rc;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return bnnc_errf(err, "%s: is a directory, not an ONNX model", path);
    }
    if (S_ISREG(st.st_mode)) {
        len = (size_t)st.st_size;
        if (len) {
            map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
            if (map == MAP_FAILED) {
                rc = bnnc_errf(err, "%s: cannot map: %s", path,
                               strerror(errno));
                close(fd);
                return rc;
            }
        }
    } else {
        /* a pipe or device: read it whole */
        size_t cap = 0;
        for (;;) {
            ssize_t got;
            if (len == cap) {
                void *q = buf;
                xgrow(&q, &cap, cap + 65536, 1);
                buf = q;
            }
            got = read(fd, buf + len, cap - len);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0) {
                rc = bnnc_errf(err, "%s: read error: %s", path,
                               strerror(errno));
                free(buf);
                close(fd);
                return rc;
            }
            if (got == 0)
                break;
            len += (size_t)got;
        }
    }
    close(fd);
    if (len == 0) {
        free(buf);
        return bnnc_errf(err, "%s: empty file, not an ONNX model", path);
    }
    slash = strrchr(path, '/');
    dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path))
                : xstrdup(".");
    rc = onnx_model_parse(map ? map : buf, len, path, dir, out, err);
    free(dir);
    if (rc) {
        if (map)
            munmap(map, len);
        free(buf);
        return -1;
    }
    out->priv->model_map = map;
    out->priv->model_map_len = map ? len : 0;
    out->priv->model_copy = buf;
    return 0;
}

/* ------------------------------------------------------------ lookups */

int64_t onnx_opset_version(const onnx_model *m, const char *domain)
{
    if (!strcmp(domain, "ai.onnx"))
        domain = "";
    for (size_t i = 0; i < m->n_opsets; i++)
        if (!strcmp(m->opsets[i].domain, domain))
            return m->opsets[i].version;
    return 0;
}

int onnx_model_check_opsets(const onnx_model *m, bnnc_err *err)
{
    int64_t v = onnx_opset_version(m, "");
    if (v == 0)
        return bnnc_errf(err, "%s: the model imports no opset of the "
                         "default ONNX domain (IR version %lld)", m->path,
                         (long long)m->ir_version);
    if (v < ONNX_OPSET_MIN || v > ONNX_OPSET_MAX)
        return bnnc_errf(err, "%s: opset %lld of the default domain; bnnc "
                         "reads opsets %d to %d (convert the model with "
                         "onnx.version_converter)", m->path, (long long)v,
                         ONNX_OPSET_MIN, ONNX_OPSET_MAX);
    return 0;
}

const onnx_attr *onnx_node_attr(const onnx_node *n, const char *name)
{
    for (size_t i = 0; i < n->n_attrs; i++)
        if (!strcmp(n->attrs[i].name, name))
            return &n->attrs[i];
    return NULL;
}

const onnx_tensor *onnx_graph_initializer(const onnx_graph *g,
                                          const char *name)
{
    size_t h;
    if (!g->init_index_cap)
        return NULL;
    h = hash_name(name) & (g->init_index_cap - 1);
    while (g->init_index[h]) {
        const onnx_tensor *t = &g->initializers[g->init_index[h] - 1];
        if (!strcmp(t->name, name))
            return t;
        h = (h + 1) & (g->init_index_cap - 1);
    }
    return NULL;
}

/* ------------------------------------------------------ element access */

static double half_to_double(uint16_t h)
{
    int e = (h >> 10) & 0x1f;
    double m = h & 0x3ff, v;
    if (e == 0)
        v = ldexp(m, -24);
    else if (e == 31)
        v = m ? NAN : INFINITY;
    else
        v = ldexp(m + 1024, e - 25);
    return h & 0x8000 ? -v : v;
}

int onnx_tensor_get_i64(const onnx_tensor *t, uint64_t i, int64_t *v)
{
    const uint8_t *p;
    if (i >= t->count || (!t->data && t->nbytes))
        return -1;
    switch (t->dtype) {
    case ONNX_INT4: case ONNX_UINT4: {
        unsigned nib = (t->data[i / 2] >> (4 * (i % 2))) & 0xf;
        *v = t->dtype == ONNX_INT4 && nib >= 8 ? (int64_t)nib - 16 : nib;
        return 0;
    }
    case ONNX_INT2: case ONNX_UINT2: {
        unsigned q = (t->data[i / 4] >> (2 * (i % 4))) & 3;
        *v = t->dtype == ONNX_INT2 && q >= 2 ? (int64_t)q - 4 : q;
        return 0;
    }
    default:
        break;
    }
    p = t->data + i * (onnx_dtype_bits(t->dtype) / 8);
    switch (t->dtype) {
    case ONNX_BOOL: case ONNX_UINT8: *v = p[0]; return 0;
    case ONNX_INT8: *v = (int8_t)p[0]; return 0;
    case ONNX_UINT16: *v = (uint16_t)(p[0] | p[1] << 8); return 0;
    case ONNX_INT16: *v = (int16_t)(uint16_t)(p[0] | p[1] << 8); return 0;
    case ONNX_INT32: *v = (int32_t)pb_le32(p); return 0;
    case ONNX_UINT32: *v = pb_le32(p); return 0;
    case ONNX_INT64: *v = (int64_t)pb_le64(p); return 0;
    case ONNX_UINT64:
        if (pb_le64(p) > INT64_MAX)
            return -1;
        *v = (int64_t)pb_le64(p);
        return 0;
    default:
        return -1;
    }
}

int onnx_tensor_get_f64(const onnx_tensor *t, uint64_t i, double *v)
{
    const uint8_t *p;
    int64_t x;
    if (i >= t->count || (!t->data && t->nbytes))
        return -1;
    p = t->data + i * (onnx_dtype_bits(t->dtype) / 8);
    switch (t->dtype) {
    case ONNX_FLOAT: *v = pb_f32(pb_le32(p)); return 0;
    case ONNX_DOUBLE: *v = pb_f64(pb_le64(p)); return 0;
    case ONNX_FLOAT16: *v = half_to_double((uint16_t)(p[0] | p[1] << 8));
        return 0;
    case ONNX_BFLOAT16: *v = pb_f32((uint32_t)(p[0] | p[1] << 8) << 16);
        return 0;
    case ONNX_UINT64: *v = (double)pb_le64(p); return 0;
    default:
        if (onnx_tensor_get_i64(t, i, &x))
            return -1;
        *v = (double)x;
        return 0;
    }
}
