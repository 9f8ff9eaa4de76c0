/*
 * mxnet.h - inside the MXNet frontend: the operator rows (ops.c), the
 * attribute readers they use, and BMXNet's own layers (bmxnet.c). The
 * frontend's API is import.h.
 */
#ifndef BNNC_FRONTEND_MXNET_MXNET_H
#define BNNC_FRONTEND_MXNET_MXNET_H

#include <limits.h>
#include <stdint.h>

#include "../../ir/ir.h"
#include "symbol.h"

/* Reading the attributes of one JSON node into an IR node. */
typedef struct {
    ir_graph *g;
    const mx_symbol *sym;
    const mx_node *mn;
    ir_node *n;            /* op and attributes are filled in */
    bnnc_err *err;
    unsigned char *used;   /* per attribute of mn: consumed by a reader */
} areader;

typedef int (*mx_attr_reader)(areader *r);

/* One MXNet operator: every spelling of it, what it becomes, its reader. */
typedef struct {
    const char *spellings;          /* '|'-separated, all MXNet versions */
    ir_op op;                       /* IR_OP_FRONTEND: fop */
    const ir_frontend_op *fop;
    mx_attr_reader read;
} mx_op_row;

/* The row of an MXNet op name; NULL if bnnc does not read it. */
const mx_op_row *mx_op_find(const char *name);

/* ---- attribute reading (ops.c) -------------------------------------------- */

#define REQUIRED INT_MIN

/* Value of key (marking it consumed), or NULL. */
const char *a_find(areader *r, const char *key);
int a_bad(areader *r, const char *key, const char *value, const char *what);
int a_missing(areader *r, const char *key);
/* Mark keys that are accepted but do not affect inference. */
void a_ignore(areader *r, const char *const *keys);
int a_int(areader *r, const char *key, int def, int *out);
int a_bool(areader *r, const char *key, int def, int *out);
int a_opt_bool(areader *r, const char *key, int def, int *out);
int a_double(areader *r, const char *key, double def, int required, double *out);
/* Enum by exact name; names is NULL-terminated. */
int a_enum(areader *r, const char *key, const char *const *names, int def, int *out);
/* Tuple; absent gives *n = -2. */
int a_tuple(areader *r, const char *key, int64_t *v, int max, int *n);
/* A 2-D spatial tuple: absent or "()" give def. */
int a_spatial(areader *r, const char *key, int def, int *out2);
int check_layout(areader *r);
int expect_inputs(areader *r, int lo, int hi);
/* Convolution / FullyConnected geometry, shared with BMXNet's layers. */
int read_conv(areader *r, ir_conv_attr *c, int no_bias_default);
int read_dense(areader *r, ir_dense_attr *d, int no_bias_default);
/* BMXNet's act_bit/weight_bit: only 1-bit layers are binary. */
int read_bits(areader *r, int *act_bit, int *weight_bit);

/* ---- BMXNet's layers (bmxnet.c) ------------------------------------------- */

/* QConvolution, QFullyConnected (v1) and BinaryInferenceConvolution /
 * ...FullyConnected (v2 converter): frontend ops until expand makes them
 * BCONV/BDENSE nodes. Their attributes: */
typedef struct {
    ir_conv_attr conv;
    ir_dense_attr dense;
    int act_bit, weight_bit;
    int packed;          /* weights stored as packed words */
    int scaling_forward; /* v1 scaling_mode=forward: output * mean|W| */
    int converted;       /* BinaryInference* (v2 converter) */
} bmx_attrs;

extern const ir_frontend_op bmx_qconv, bmx_qdense, bmx_biconv, bmx_bidense;

int bmx_read_qconv(areader *r);
int bmx_read_qdense(areader *r);
int bmx_read_biconv(areader *r);
int bmx_read_bidense(areader *r);
/* QActivation: a sign, or (backward_only) the identity. */
int bmx_read_qact(areader *r);

/* True when input slot i of n holds packed words (as the file stores them:
 * the constant is kept raw for bmxnet.c to unpack). */
int bmx_slot_packed(const ir_node *n, int i);

#endif
