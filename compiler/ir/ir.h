/*
 * ir.h - the graph every pass reads and rewrites.
 *
 * A graph is a vector of nodes in topological order (inputs always refer
 * to earlier nodes). Each node keeps the MXNet node it came from (name, op
 * as spelled in the file, index in symbol.json) so that every later error
 * can point at the model. Passes never free nodes: they redirect uses with
 * ir_replace_uses() and mark nodes dead; ir_compact() drops dead nodes.
 *
 * Shapes are MXNet's (NCHW) until the layout pass. Values are float32
 * unless a node says otherwise (binary layers carry +-1 weights as floats
 * until code generation packs them).
 */
#ifndef BNNC_IR_IR_H
#define BNNC_IR_IR_H

#include <stddef.h>
#include <stdint.h>

#include "../frontend/params.h"
#include "../util/err.h"

#define IR_MAX_DIMS 8

typedef enum {
#define OP(id, name, kind, operands, mx) IR_OP_##id,
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
    IR_SLOT_WEIGHTS  /* binary weights: a constant of packed words or values */
} ir_slot_kind;
ir_slot_kind ir_slot_kind_of(ir_op op, int i);

/* IR op for an MXNet op name (any version's spelling); -1 if unknown. */
int ir_op_from_mxnet(const char *mx_name);

typedef struct {
    int ndim;
    int64_t d[IR_MAX_DIMS];
} ir_shape;

int64_t ir_shape_count(const ir_shape *s);
int ir_shape_equal(const ir_shape *a, const ir_shape *b);
/* "(1, 3, 8, 8)" into buf; returns buf. */
char *ir_shape_str(const ir_shape *s, char *buf, size_t size);

typedef struct {
    int node;
    int out;
} ir_ref;

/* ---- per-op attributes ---------------------------------------------- */

typedef enum { IR_PAD_PLUS_ONE, IR_PAD_MINUS_ONE, IR_PAD_ZERO } ir_pad_mode;

typedef struct {
    int kernel[2], stride[2], dilate[2], pad[2];
    int num_filter, num_group;
    int no_bias;
    int relu; /* fold_float: a following ReLU is applied by the conv */
} ir_conv_attr;

typedef struct {
    int num_hidden;
    int no_bias;
    int flatten;
    int relu; /* fold_float: a following ReLU is applied by the layer */
} ir_dense_attr;

typedef struct {
    double eps;
    int fix_gamma;
    int axis;
    int use_global_stats;
} ir_bn_attr;

/* Activation kinds; match bnn_act in runtime_min/include/bnn.h. */
typedef enum {
    IR_ACT_RELU = 1, IR_ACT_SIGMOID, IR_ACT_TANH, IR_ACT_SOFTRELU,
    IR_ACT_SOFTSIGN, IR_ACT_LEAKY, IR_ACT_ELU, IR_ACT_SELU, IR_ACT_GELU,
    IR_ACT_PRELU
} ir_act_kind;

typedef struct {
    ir_act_kind act;
    double slope; /* leaky, elu, rrelu (mean of bounds) */
} ir_act_attr;

typedef enum { IR_POOL_MAX, IR_POOL_AVG, IR_POOL_SUM } ir_pool_type;
typedef enum { IR_POOL_VALID, IR_POOL_FULL } ir_pool_conv;

typedef struct {
    ir_pool_type type;
    int kernel[2], stride[2], pad[2];
    int global;
    ir_pool_conv convention;
    int count_include_pad;
    int v1; /* Pooling_v1: padding is zeros that take part in max and avg
               (avg always divides by the kernel area) */
} ir_pool_attr;

typedef enum {
    IR_SC_ADD, IR_SC_SUB, IR_SC_RSUB, IR_SC_MUL, IR_SC_DIV, IR_SC_RDIV,
    IR_SC_MAX, IR_SC_MIN, IR_SC_POW
} ir_scalar_kind;

typedef struct {
    ir_scalar_kind kind;
    double value;
} ir_scalar_attr;

typedef struct {
    int broadcast; /* broadcast_* spelling: NumPy broadcasting allowed */
} ir_binary_attr;

typedef struct {
    int dim;
} ir_concat_attr;

typedef struct {
    int shape[IR_MAX_DIMS + 4];
    int n;
    int reverse;
} ir_reshape_attr;

typedef struct {
    int axes[IR_MAX_DIMS];
    int n; /* 0 = reverse all */
} ir_transpose_attr;

typedef struct {
    int dim1, dim2;
} ir_swapaxis_attr;

typedef struct {
    int width[2 * IR_MAX_DIMS]; /* before/after per axis */
    int n;                      /* number of entries in width */
    double value;
} ir_pad_attr;

typedef struct {
    int axis, begin, end; /* end: INT32_MIN = None */
} ir_slice_attr;

typedef struct {
    int num_outputs, axis, squeeze_axis;
} ir_split_attr;

typedef struct {
    int axes[IR_MAX_DIMS];
    int n; /* 0 = all */
    int keepdims, exclude;
} ir_mean_attr;

typedef struct {
    ir_shape shape;
    double value;
} ir_full_attr;

typedef enum {
    IR_SOFTMAX_LAST,     /* softmax over the last axis */
    IR_SOFTMAX_AXIS,     /* softmax over `axis` */
    IR_SOFTMAX_ALL,      /* SoftmaxOutput: over all non-batch elements */
    IR_SOFTMAX_CHANNEL   /* over axis 1 for every other position */
} ir_softmax_mode;

typedef struct {
    ir_softmax_mode mode;
    int axis;
    double temperature;
    int log; /* log_softmax */
} ir_softmax_attr;

typedef struct {
    double a_min, a_max;
} ir_clip_attr;

/* Where a binary layer came from. */
typedef enum {
    IR_DIALECT_V1,           /* QConvolution / QFullyConnected */
    IR_DIALECT_V2_RAW,       /* det_sign + Convolution (+ offset ops) */
    IR_DIALECT_V2_CONVERTED, /* BinaryInference* with packed words */
    IR_DIALECT_PATTERN       /* sign-fed conv with +-1 weights, other ops */
} ir_dialect;

/*
 * A binary conv or dense after binarize: one node, one input (the
 * real-valued tensor that is sign-binarized: x < 0 -> -1, else +1), and
 * its +-1 weights. Output:
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
    int8_t *w;              /* +-1 weights, MXNet order (O, C/g, kh, kw) or
                               (O, K); owned */
    ir_shape w_shape;
    size_t stored_bytes;    /* bytes of weights (+ bias) in the params file */
    char *w_param;          /* params key of the weights; owned */
    ir_dialect dialect;
    int word_bits;          /* 32/64 when weights were stored packed, else 0 */
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
} ir_bin_attr;

/* Data of a CONST node (float32 values, MXNet shape). */
typedef struct {
    ir_shape shape;
    float *f;               /* owned, unless f_borrowed */
    int f_borrowed;         /* f is the params array's own float32 data */
    size_t stored_bytes;    /* bytes this data occupied in the params file */
    char *param_name;       /* params key it came from, or NULL; owned */
    int param_dtype;        /* mx_dtype of the stored array */
    /* Bit-packed BMXNet weights: the array in g->params holding the words
     * (f is NULL until binarize unpacks them). */
    const mx_array *packed;
} ir_const;

/* One use of a node's output: input slot `slot` of node `user`, or graph
 * head number `slot` when user is -1. */
typedef struct {
    int user, slot, out;
} ir_use;

typedef struct ir_node {
    int id;
    ir_op op;
    char *name;       /* MXNet node name (owned) */
    char *mx_op;      /* MXNet op as written in the file (owned) */
    int json_index;   /* node index in symbol.json, -1 if synthesized */
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
    /* MXNet nodes merged into this one by binarize (names, owned). */
    char **merged;
    int n_merged;
    union {
        ir_conv_attr conv;
        ir_dense_attr dense;
        ir_bn_attr bn;
        ir_act_attr act;
        ir_pool_attr pool;
        ir_scalar_attr scalar;
        ir_binary_attr bin;
        ir_concat_attr concat;
        ir_reshape_attr reshape;
        ir_transpose_attr transpose;
        ir_swapaxis_attr swapaxis;
        ir_pad_attr pad;
        ir_slice_attr slice;
        ir_split_attr split;
        ir_mean_attr mean;
        ir_full_attr full;
        ir_softmax_attr softmax;
        ir_clip_attr clip;
        ir_bin_attr b;          /* BCONV, BDENSE */
        struct {                /* QCONV/QDENSE/BICONV/BIDENSE (import) */
            ir_conv_attr conv;
            ir_dense_attr dense;
            int act_bit, weight_bit;
            int packed;         /* weights stored as packed words */
            int scaling_forward;
        } q;
        struct {
            int backward_only, act_bit;
        } qact;
        ir_const c;             /* CONST */
    } a;
} ir_node;

typedef struct {
    ir_node **nodes;
    size_t n, cap;
    ir_ref *heads;
    int n_heads;
    char *symbol_path;   /* for messages */
    char *params_path;
    mx_params params;    /* kept alive: CONST data may refer to it */
} ir_graph;

void ir_graph_init(ir_graph *g);
void ir_graph_free(ir_graph *g);

/* Append a node; name and mx_op are copied. Returns it (id = index). */
ir_node *ir_node_add(ir_graph *g, ir_op op, const char *name,
                     const char *mx_op, int json_index);
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
