/*
 * ir.h - the graph every pass reads and rewrites.
 *
 * A graph is a vector of nodes in topological order (inputs always refer
 * to earlier nodes). Each node keeps the node of the model file it came
 * from (name, operator as spelled there, index) so that every later error
 * can point at the model. Passes never free nodes: they redirect uses with
 * ir_replace_uses() and mark nodes dead; ir_compact() drops dead nodes.
 *
 * The IR knows no file format. Frontends (frontend/<format>/) build it:
 * generic operators (ops.def), constants the graph owns, and, for a
 * format's own operators that need shapes before they can be expressed
 * generically, IR_OP_FRONTEND nodes that the expand pass rewrites.
 * Shapes are in the layout the model declares (graph.layout: NCHW for
 * MXNet and ONNX); lowering chooses the runtime's NHWC. Values are float32
 * unless a node says otherwise (binary layers carry +-1 weights until
 * code generation packs them).
 */
#ifndef BNNC_IR_IR_H
#define BNNC_IR_IR_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

#define IR_MAX_DIMS 8
#define IR_MAX_INTS 16

typedef enum {
#define OP(id, name, kind, operands, attrs, shape, lower) IR_OP_##id,
#include "ops.def"
#undef OP
    IR_OP_COUNT
} ir_op;

const char *ir_op_name(ir_op op);
const char *ir_op_kind(ir_op op);
/* What an input slot of an op takes (the operands column of ops.def). */
typedef enum {
    IR_SLOT_NONE,    /* the op has no such slot */
    IR_SLOT_DATA,    /* a tensor, computed or constant */
    IR_SLOT_PARAM,   /* a constant with values (weights, bias, statistics) */
    IR_SLOT_WEIGHTS  /* weights a frontend op interprets (e.g. packed words) */
} ir_slot_kind;
ir_slot_kind ir_slot_kind_of(ir_op op, int i);
/* The IR op named `name` (ops.def name column); -1 if none. */
int ir_op_from_name(const char *name);

typedef struct {
    int ndim;
    int64_t d[IR_MAX_DIMS];
} ir_shape;

int64_t ir_shape_count(const ir_shape *s);
/* Output size along one axis of a convolution or pooling window of size
 * k, stride s, padding p on each side and dilation d over `in` elements;
 * 0 when the window does not fit. */
int64_t ir_conv_out_size(int64_t in, int k, int s, int p, int d);
int ir_shape_equal(const ir_shape *a, const ir_shape *b);
/* "(1, 3, 8, 8)" into buf; returns buf. */
char *ir_shape_str(const ir_shape *s, char *buf, size_t size);

typedef struct {
    int node;
    int out;
} ir_ref;

/* Up to IR_MAX_INTS ints (axes, reshape codes, pad widths). */
typedef struct {
    int n;
    int v[IR_MAX_INTS];
} ir_ints;

/* ---- per-op attributes (lists in ops.def) --------------------------- */

/* Activation kinds; match bnn_act in runtime_min/include/bnn.h. */
typedef enum {
    IR_ACT_RELU = 1, IR_ACT_SIGMOID, IR_ACT_TANH, IR_ACT_SOFTRELU,
    IR_ACT_SOFTSIGN, IR_ACT_LEAKY, IR_ACT_ELU, IR_ACT_SELU, IR_ACT_GELU,
    IR_ACT_PRELU
} ir_act_kind;

typedef enum { IR_POOL_MAX, IR_POOL_AVG, IR_POOL_SUM } ir_pool_type;
/* output size: floor (valid) or ceil (full) of (in + 2 pad - k) / s + 1 */
typedef enum { IR_POOL_VALID, IR_POOL_FULL } ir_pool_conv;

typedef enum {
    IR_SC_ADD, IR_SC_SUB, IR_SC_RSUB, IR_SC_MUL, IR_SC_DIV, IR_SC_RDIV,
    IR_SC_MAX, IR_SC_MIN, IR_SC_POW
} ir_scalar_kind;

typedef enum {
    IR_SOFTMAX_LAST,     /* softmax over the last axis */
    IR_SOFTMAX_AXIS,     /* softmax over `axis` */
    IR_SOFTMAX_ALL,      /* over all non-batch elements */
    IR_SOFTMAX_CHANNEL   /* over axis 1 for every other position */
} ir_softmax_mode;

/* Names of the enum values, for dumps (NULL-terminated, indexed by value). */
extern const char *const ir_act_kind_names[];
extern const char *const ir_pool_type_names[];
extern const char *const ir_pool_conv_names[];
extern const char *const ir_scalar_kind_names[];
extern const char *const ir_softmax_mode_names[];

#define IR_FIELD_INT(f, x) int f;
#define IR_FIELD_BOOL(f, x) int f;
#define IR_FIELD_DOUBLE(f, x) double f;
#define IR_FIELD_INT2(f, x) int f[2];
#define IR_FIELD_ENUM(f, x) ir_##x f;
#define IR_FIELD_INTS(f, x) ir_ints f;
#define IR_FIELD_SHAPE(f, x) ir_shape f;
#define IR_FIELD(st, type, f, x) IR_FIELD_##type(f, x)

#include "ops.def" /* the attribute lists only: no OP() is defined */

/* ir_conv_attr, ir_dense_attr, ... one per IR_ATTR_STRUCTS entry */
#define IR_DECLARE_ATTRS(member, LIST) \
    typedef struct { IR_ATTRS_##LIST(IR_FIELD, ir_##member##_attr) } ir_##member##_attr;
IR_ATTR_STRUCTS(IR_DECLARE_ATTRS)
#undef IR_DECLARE_ATTRS

/* ---- binary layers and constants ------------------------------------ */

typedef enum { IR_PAD_PLUS_ONE, IR_PAD_MINUS_ONE, IR_PAD_ZERO } ir_pad_mode;

/*
 * A binary conv or dense after binarize (or after a frontend op's
 * expansion): one node, one input (the real-valued tensor that is
 * sign-binarized: x < 0 -> -1, else +1), and its +-1 weights. Output:
 *     y[o] = ((dot[o] + offset) / divisor) * scale[o] + bias[o]
 * where dot is the exact +-1 dot product with out-of-image taps valued
 * per pad_mode; scale is NULL (= 1) unless the graph scales per channel
 * (binet/xnor, v1 scaling_mode=forward) and bias is NULL unless the layer
 * has one.
 */
typedef struct {
    ir_conv_attr conv;      /* BCONV geometry (pad = amount of padding) */
    ir_dense_attr dense;    /* BDENSE */
    ir_pad_mode pad_mode;
    double offset, divisor;
    float *scale;           /* per output channel or NULL; owned */
    float *bias;            /* per output channel or NULL; owned */
    int8_t *w;              /* +-1 weights, (O, C/g, kh, kw) or (O, K); owned */
    ir_shape w_shape;
    size_t stored_bytes;    /* bytes of weights (+ bias) in the model file */
    char *w_param;          /* the weights' name in the model file; owned */
    const char *origin;     /* how it was recognised, for inspect (static
                               text: "sign-pattern" for a sign-fed conv or
                               dense with +-1 weights, or the dialect of
                               the frontend that made it) */
    int word_bits;          /* 32/64 when the file stored the weights packed */
    int xnor_input_scale;   /* output is later multiplied by an input K-map */
    /* Set by fold_thresholds: the whole per-channel affine map after the
     * layer, y[o] = out_a[o] * dot[o] + out_b[o] (double), and, when every
     * consumer only takes the sign of y, one integer threshold per channel
     * so the layer writes bits: bit o = 1 (value -1) iff
     * dir[o] == 0 ? dot < thresh[o] : dot > thresh[o]. */
    double *out_a, *out_b;  /* owned; NULL before fold_thresholds */
    int out_bits;
    int32_t *thresh;        /* owned, when out_bits */
    uint8_t *dir;           /* owned, when out_bits */
    int near_ties;          /* channels whose threshold is within 1e-6 of
                               an integer dot value (float-rounding risk) */
    /* The order of the float output's roundings (BCONV with float output).
     * 0: (float)v * out_a + out_b. Otherwise Larq Compute Engine's: LCE
     * computes (float)(K - v) * (-m) + (float)(b + K m), which equals
     * (float)(v - out_shift) * out_a + (float)(out_b + out_shift * out_a)
     * bit for bit with out_shift = K (round to nearest is symmetric).
     * v is dot, or dot clamped to [clamp_lo, clamp_hi] when clamp is set
     * (a fused activation applied before the map); a clamped layer never
     * writes bits. */
    int32_t out_shift;
    int clamp;
    int32_t clamp_lo, clamp_hi;
} ir_bin_attr;

/* Data of a CONST node. Its memory belongs to the graph (ir_graph_adopt):
 * nothing frees a constant's data but ir_graph_free. */
typedef struct {
    ir_shape shape;
    float *f;               /* the values, float32 (NULL: only raw) */
    /* The bytes as the file stored them, for constants only a frontend op
     * can interpret (BMXNet's packed words); NULL otherwise. */
    const uint8_t *raw;
    size_t raw_bytes;
    int raw_elem_bytes;     /* bytes per stored element (4 or 8 for words) */
    size_t stored_bytes;    /* bytes this data occupied in the model file */
    char *source_name;      /* its name in the model file, or NULL; owned */
} ir_const;

/* ---- integer tensors ----------------------------------------------------- */

/* The element type of a node's output. Values are float32 (IR_ELEM_F32,
 * the zero value) unless the node says otherwise: int8 tensors of the
 * integer operators (the *_I8 rows of ops.def) hold q with real value
 * scale * (q - zp), TFLite's asymmetric activations. Integer tensors keep
 * the model's own axis order (NHWC for TFLite): only QUANTIZE and
 * DEQUANTIZE move a 4-D value between it and the graph's NCHW. */
typedef enum { IR_ELEM_F32, IR_ELEM_I8, IR_ELEM_BITS } ir_elem;
/* IR_ELEM_BITS: only on an INPUT, whose caller gives the signs of an NCHW
 * value bitpacked (LCE's int32 words, NHWC, bit 1 = -1); its other users
 * read it only through SIGN. */

typedef struct {
    ir_elem elem;
    double scale;           /* IR_ELEM_I8: > 0 */
    int32_t zp;             /* IR_ELEM_I8: in [-128, 127] */
} ir_qtype;

/* Kinds of the integer element-wise operator (ELTWISE_I8). */
typedef enum { IR_I8_ADD, IR_I8_SUB, IR_I8_MUL } ir_i8_eltwise;

/*
 * Attributes of the int8 operators (a.i8). Geometry is NHWC; every array
 * belongs to the graph (ir_graph_adopt), so snapshots share it.
 *   CONV_I8      OHWI int8 filter w (O, kh, kw, C/groups), per output
 *                channel (n_w_scale == O) or per tensor (1) symmetric scales
 *                w_scale, int32 bias (scale in_scale * w_scale, or NULL)
 *   DWCONV_I8    filter (kh, kw, O) with O = C * mult, as TFLite stores it
 *   DENSE_I8     filter (O, K), the input (N, K)
 *   POOL_I8      pool: IR_POOL_MAX or IR_POOL_AVG (input and output share
 *                their scale and zero point)
 *   ELTWISE_I8   kind: add, sub or mul of input 0 and input 1, or of input
 *                0 and the constant b (b_len values repeated along input 0,
 *                quantised as bq)
 *   REQUANT_I8   requantisation to the node's qtype (QUANTIZE between int8
 *                tensors, RELU, RELU6, RELU_N1_TO_1)
 *   PRELU_I8     x >= 0: x requantised; x < 0: x times the per-channel
 *                int8 alpha b (b_len channels, quantised as bq), or times
 *                slope (leaky ReLU, b NULL), requantised
 *   PAD_I8       pad, pad widths as IR_ATTRS_PAD, padded with the zero point
 *   MEAN_I8      mean over H and W of an NHWC tensor, keepdims
 *   CONCAT_I8    axis (of the NHWC shape); every input has the output's qtype
 *   SOFTMAX_I8   along the last axis, beta in slope
 *   HSWISH_I8    x * relu6(x + 3) / 6
 *   LUT_I8       out = b[q + 128], b the 256-entry table (b_len 256) the
 *                frontend computed (requant_i8_lut from the input's and
 *                the node's quantisation: LOGISTIC; min or max with a
 *                constant: MINIMUM, MAXIMUM)
 * act_min, act_max: the fused activation as a clamp of the quantised output
 * (TFLite's CalculateActivationRangeQuantized), [-128, 127] without one.
 */
typedef struct {
    int kernel[2], stride[2], dilate[2];
    int pad[4];             /* top, bottom, left, right */
    int groups, mult, out_c;
    int32_t act_min, act_max;
    const int8_t *w;
    ir_shape w_shape;
    const float *w_scale;
    int n_w_scale;
    const int32_t *bias;
    const float *bias_f;    /* DENSE_I8 with float output (q.elem F32): its
                               bias, added in float (bias is NULL) */
    size_t stored_bytes;    /* bytes of weights and bias in the model file */
    ir_pool_type pool;
    ir_i8_eltwise kind;
    const int8_t *b;
    int64_t b_len;
    ir_qtype bq;
    ir_ints width;          /* PAD_I8: before and after, per axis */
    int axis, keepdims;
    float slope;            /* PRELU_I8 without b: the leaky ReLU's alpha;
                               SOFTMAX_I8: beta */
    int ratio_f32;          /* REQUANT_I8: the ratio of the scales divided in
                               float (TFLite's int8 ReLU), not in double */
} ir_i8_attr;

/* One use of a node's output: input slot `slot` of node `user`, or graph
 * head number `slot` when user is -1. */
typedef struct {
    int user, slot, out;
} ir_use;

struct ir_graph;
struct ir_node;

/* A frontend's own operator (IR_OP_FRONTEND): defined in the frontend's
 * folder, it stands in the graph until the expand pass, which runs after
 * shapes and constant folding, replaces it by generic operators. */
typedef struct ir_frontend_op {
    const char *name;       /* in dumps: "mxnet.QConvolution" */
    const char *kind;       /* inspect's layer kind */
    const char *operands;   /* as ops.def's operands column ('w': weights
                               only this op interprets) */
    /* output shapes from the inputs' (the shapes pass) */
    int (*shape)(struct ir_graph *g, struct ir_node *n, bnnc_err *err);
    /* replace n by generic operators (redirecting its uses) */
    int (*expand)(struct ir_graph *g, struct ir_node *n, bnnc_err *err);
    void (*free_attrs)(void *attrs);
} ir_frontend_op;

typedef struct ir_node {
    int id;
    ir_op op;
    char *name;       /* name in the model file (owned) */
    char *src_op;     /* its operator as the file spells it (owned) */
    int src_index;    /* its index in the file's node list, -1 if made here */
    int n_in;
    ir_ref *in;
    int n_out;
    ir_shape *shape;  /* n_out output shapes, valid after the shape pass */
    int dead;
    /* Where the outputs are used (kept by ir.c: set inputs with
     * ir_node_set_inputs, move uses with ir_replace_uses); uses by dead
     * nodes stay listed and are skipped by the queries. */
    ir_use *uses;
    int n_uses, cap_uses;
    int weight_only_binary; /* CONV/DENSE with +-1 weights, float input */
    ir_qtype q;       /* element type of output 0 (float32 unless set) */
    /* Nodes of the model merged into this one by passes (names, owned). */
    char **merged;
    int n_merged;
    union {
        char none; /* ops without attributes */
#define IR_ATTR_MEMBER(member, LIST) ir_##member##_attr member;
        IR_ATTR_STRUCTS(IR_ATTR_MEMBER)
#undef IR_ATTR_MEMBER
        ir_bin_attr b;          /* BCONV, BDENSE */
        ir_i8_attr i8;          /* the *_I8 operators */
        ir_const c;             /* CONST */
        struct {                /* FRONTEND */
            const ir_frontend_op *op;
            void *attrs;        /* owned (op->free_attrs) */
        } fe;
    } a;
} ir_node;

/* The axis order of the model's 4-D tensors: NCHW (MXNet, ONNX) or NHWC
 * (TFLite). Shapes and attributes (batchnorm axis, concat dim...) are in
 * this order; lowering maps it onto the runtime's NHWC. */
typedef enum { IR_LAYOUT_NCHW, IR_LAYOUT_NHWC } ir_layout;

typedef struct ir_graph {
    ir_node **nodes;
    size_t n, cap;
    ir_ref *heads;
    int n_heads;
    /* 1: the heads are signs handed to the caller bitpacked (LCE's int32
     * words: NHWC, channel c is bit c % 32 of word c / 32 of its pixel,
     * bit 1 = -1, tail bits 0), as a .tflite model whose outputs are
     * bitpacked tensors; 0: values in their own element type */
    int bitpacked_heads;
    char *symbol_path;   /* the file naming the nodes (messages) */
    char *params_path;   /* the file holding the weights (messages) */
    ir_layout layout;
    struct ir_store *store; /* memory of the constants (ir_graph_adopt),
                               shared with snapshots (ir_graph_snapshot) */
} ir_graph;

void ir_graph_init(ir_graph *g);
void ir_graph_free(ir_graph *g);
/* The graph takes ownership of mem (freed by ir_graph_free, or by the
 * last snapshot of the graph freed). */
void ir_graph_adopt(ir_graph *g, void *mem);
/* A copy of g as it is now (nodes, attributes, heads); the constants'
 * data is shared, and stays until both are freed. For reports that keep
 * the graph of one point of the pipeline (inspect). g has no FRONTEND
 * nodes. */
void ir_graph_snapshot(const ir_graph *g, ir_graph *copy);
/* n floats owned by the graph (uninitialised). */
float *ir_graph_floats(ir_graph *g, size_t n);
/* Operator name, kind and operand kind of a node (a FRONTEND node's are
 * its frontend op's). */
const char *ir_node_op_name(const ir_node *n);
const char *ir_node_kind(const ir_node *n);
ir_slot_kind ir_node_slot_kind(const ir_node *n, int i);

/* Append a node; name and src_op are copied. Returns it (id = index). */
ir_node *ir_node_add(ir_graph *g, ir_op op, const char *name,
                     const char *src_op, int src_index);
/* Set n's inputs (the producers' use lists follow). */
void ir_node_set_inputs(ir_graph *g, ir_node *n, int n_in, const ir_ref *in);
/* Rebuild every use list from the inputs and heads (after a frontend
 * filled them directly). */
void ir_uses_rebuild(ir_graph *g);
ir_node *ir_input_node(const ir_graph *g, const ir_node *n, int i);
void ir_node_merge_name(ir_node *n, const char *name);

/* Redirect every use of `from` (inputs and heads) to `to`. Takes time in
 * the number of uses, as do the queries below, so that passes stay linear
 * in the size of the graph. */
void ir_replace_uses(ir_graph *g, ir_ref from, ir_ref to);
/* Number of uses of output `out` of node `node` (inputs + heads). */
int ir_use_count(const ir_graph *g, int node, int out);
/* The node that is the only use of node n (of any of its outputs; an
 * input slot or a head is one use each), or NULL: no use, several, or a
 * head. Assumes topological order (consumers come after n). */
ir_node *ir_sole_consumer(const ir_graph *g, const ir_node *n);
/* Mark nodes that do not reach a head dead. */
void ir_mark_dead(ir_graph *g);
/* Remove dead nodes, renumbering ids and references (order kept). */
void ir_compact(ir_graph *g);
/* Restore topological order after nodes were appended (stable: nodes keep
 * their relative order where dependencies allow), renumbering ids. */
void ir_sort(ir_graph *g);
/* True when every use of output 0 of `node` only takes its sign: a sign
 * node, a binary layer's input, or a max pool / flatten whose own uses do
 * (heads are not). */
int ir_only_binarized(const ir_graph *g, int node);

/* Check structural invariants (topological order, valid refs, shapes
 * when `shapes` is set). Returns 0 or an internal error message. */
int ir_check(const ir_graph *g, int shapes, bnnc_err *err);

/* Error about node n: "<symbol file>: node 'name' (mxop): <message>". */
int ir_node_errf(const ir_graph *g, const ir_node *n, bnnc_err *err,
                 const char *fmt, ...) BNNC_PRINTF(4, 5);

/* One line per node: id, op, name, inputs, shapes. */
void ir_dump(const ir_graph *g, void *file);

#endif
