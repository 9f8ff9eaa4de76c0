/*
 * import_impl.h - what import.c, values.c and ops.c share: the
 * importer's state, the values of the ONNX graph (computed by the IR, or
 * known at compile time) and the helpers the operator rows are written
 * with.
 */
#ifndef BNNC_FRONTEND_ONNX_IMPORT_IMPL_H
#define BNNC_FRONTEND_ONNX_IMPORT_IMPL_H

#include "../../util/strmap.h"
#include "import.h"
#include "onnx.h"

/* A value (tensor name) of the ONNX graph. */
/* V_NOT_COMPUTED: an output its node's row does not compute (MaxPool's
 * Indices, Dropout's mask); `producer` is that node. */
typedef enum { V_UNDEF, V_IR, V_CONST, V_NOT_COMPUTED } oval_state;

typedef struct {
    const char *name;
    oval_state state;
    ir_ref ref;      /* V_IR; V_CONST once made a CONST node (node -1 before) */
    ir_shape shape;  /* V_CONST (V_IR: the IR node's) */
    int is_int;      /* V_CONST: integer values (i), else float32 (f) */
    float *f;        /* graph-owned */
    int64_t *i;      /* importer-owned */
    int64_t n;       /* element count */
    int producer;    /* V_NOT_COMPUTED: index of the node in the graph */
} oval;

typedef struct {
    const onnx_model *m;
    const onnx_graph *og;
    ir_graph *g;
    bnnc_err *err;
    int64_t opset;   /* of the default domain */
    strmap names;    /* value name -> index in vals */
    oval **vals;     /* each allocated once: pointers to values stay valid */
    size_t n_vals, cap_vals;
    const onnx_node *cur;  /* the node being imported (messages) */
    int cur_index;
    char cur_name[512];    /* its name, or its first output's */
    int64_t **ints;        /* every integer array made (freed at the end) */
    size_t n_ints, cap_ints;
} onnx_imp;

/* Error about the current node: "<file>: node 'name' (Op): message". */
int onnx_nerr(onnx_imp *im, const char *fmt, ...) BNNC_PRINTF(2, 3);

/* The slot of value name (made undefined when new). */
oval *onnx_slot(onnx_imp *im, const char *name);

/* Input k of the current node: NULL when absent or omitted (""); an
 * undefined name is an error (*bad set). */
oval *onnx_in(onnx_imp *im, int k, int *bad);
/* The value called name (defined), or NULL. */
oval *onnx_val(onnx_imp *im, const char *name);

/* Define output `name` as IR output r / as an alias of v / as a new
 * constant of shape s (values to fill, zeroed). Name "" is the one
 * anonymous slot: a constant made for an IR node, which the caller frees
 * (state V_UNDEF) once onnx_ref has made its CONST node. */
int onnx_def_ir(onnx_imp *im, const char *name, ir_ref r);
int onnx_def_alias(onnx_imp *im, const char *name, const oval *v);
oval *onnx_def_const(onnx_imp *im, const char *name, const ir_shape *s, int is_int);

/* Shape of a value (either state). */
const ir_shape *onnx_shape(onnx_imp *im, const oval *v);
/* Element k of a constant as a double. */
double onnx_cget(const oval *v, int64_t k);
/* The IR output holding v (a constant becomes a CONST node once). */
ir_ref onnx_ref(onnx_imp *im, oval *v);

/* A new IR node for the current node (name + suffix), attributes zeroed;
 * then onnx_finish sets its inputs and infers its shape. */
ir_node *onnx_new_node(onnx_imp *im, ir_op op, const char *suffix);
int onnx_finish(onnx_imp *im, ir_node *n, int n_in, const ir_ref *in);

/* Attributes of the current node with defaults. */
int64_t onnx_attr_i(onnx_imp *im, const char *name, int64_t def);
double onnx_attr_f(onnx_imp *im, const char *name, double def);
/* STRING attribute, or def. */
const char *onnx_attr_s(onnx_imp *im, const char *name, const char *def);
/* INTS attribute into v (up to max); returns the count, 0 when absent,
 * -1 (error set) when longer than max. */
int onnx_attr_ints(onnx_imp *im, const char *name, int64_t *v, int max);

/* Define constant `name` from tensor t (an initializer, a Constant's
 * value). */
int onnx_tensor_value(onnx_imp *im, const char *name, const onnx_tensor *t);

/* Import the current node (ops.c): its row by domain and op_type. */
int onnx_import_node(onnx_imp *im);

#endif
