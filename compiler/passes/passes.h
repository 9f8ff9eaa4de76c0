/*
 * passes.h - the passes of the pipeline, in the order compile_model()
 * runs them (driver.c). Each pass states what it requires and what it
 * establishes; all return 0 or -1 with a message naming the node.
 */
#ifndef BNNC_PASSES_PASSES_H
#define BNNC_PASSES_PASSES_H

#include "../ir/ir.h"

/* A data input's shape given on the command line (--input NAME=N,C,H,W). */
typedef struct {
    char name[256];
    ir_shape shape;
} bnnc_input;

/* legalize: drop ops that are identities at inference (Dropout, BlockGrad,
 * gradient cancelling, backward-only QActivation, regression heads) and
 * turn 1-bit QActivation into sign.
 * Requires: import. Establishes: no IDENTITY or QACT nodes. */
int pass_legalize(ir_graph *g, bnnc_err *err);

/* shapes: infer every output shape (NCHW, MXNet semantics) from the input
 * shapes and check parameter shapes against the ops using them.
 * Requires: legalize. Establishes: every live node has shapes. */
int pass_shapes(ir_graph *g, const bnnc_input *inputs, int n_inputs,
                bnnc_err *err);

/* fold_constants: evaluate ops whose inputs are all constants (sign of
 * weights, mean |W| scale factors, _full).
 * Requires: shapes. Establishes: no op has only CONST inputs. */
int pass_fold_constants(ir_graph *g, bnnc_err *err);

/* operands: every input slot holds what its op takes (ops.def operands
 * column): parameters are constants with values, packed binary weights
 * only feed their binary layer, no used constant holds NaN (operands.c).
 * Requires: fold_constants. */
int pass_operands(ir_graph *g, bnnc_err *err);

/* expand: each frontend op (IR_OP_FRONTEND) replaced by generic ops
 * (expand.c). Requires: operands. Establishes: no IR_OP_FRONTEND. */
int pass_expand(ir_graph *g, bnnc_err *err);

/* binarize: recognise binary convolutions and dense layers of the three
 * BMXNet dialects by graph pattern and rewrite each into one BCONV/BDENSE
 * node (see binarize.c).
 * Requires: fold_constants. Establishes: no QCONV/QDENSE/BICONV/BIDENSE. */
int pass_binarize(ir_graph *g, bnnc_err *err);

/* fold_thresholds: fold per-channel affine ops after each binary layer
 * into its output map and, when the output is only binarized, into one
 * integer threshold per channel (derivation in fold_thresholds.c).
 * Requires: binarize. Establishes: every BCONV/BDENSE has out_a/out_b;
 * out_bits layers have thresh/dir. */
int pass_fold_thresholds(ir_graph *g, bnnc_err *err);

/* fold_float: BatchNorm and ReLU after a float conv/dense fold into it
 * (see fold_float.c). Requires: fold_thresholds. */
int pass_fold_float(ir_graph *g, bnnc_err *err);

/* The power of two k > 0 by which per-channel constants whose largest
 * magnitude is `big` are multiplied when only the sign of the channel is
 * used: 2^-e bringing big to [1, 2) when 0 < big < 2^-64 (a dead channel,
 * whose values would otherwise be subnormal and flushed to zero), else 1
 * (fold_float.c explains). */
double fold_sign_scale(double big);

/* fold_monotonic: a chain of monotonic elementwise operations (tanh,
 * sigmoid, ReLU, clip, leaky ReLU with a positive slope, max/min with a
 * scalar, scalar or per-channel affine maps), with max pools between,
 * from a float value to a binarization (through a BatchNorm or not)
 * becomes one threshold per channel on that value, in a BatchNorm (see
 * fold_monotonic.c). Requires: fold_float. */
int pass_fold_monotonic(ir_graph *g, bnnc_err *err);

/* One elementwise operation of such a chain on one channel, as the
 * runtime computes it (p, q: the float constants it uses). */
typedef enum {
    FM_AFFINE,  /* x * p + q, two roundings (affine, BatchNorm, scalar ops) */
    FM_RELU,    /* x > 0 or NaN ? x : 0 */
    FM_CLIP,    /* x > q ? q : x < p ? p : x */
    FM_LEAKY,   /* x > 0 ? x : p * x, p > 0 */
    FM_MAX_S,   /* NaN or x > p ? x : p */
    FM_MIN_S,   /* NaN or x < p ? x : p */
    FM_TANH,    /* bnn_act_fast_f32's */
    FM_SIGMOID
} fm_kind;

typedef struct {
    fm_kind kind;
    float p, q;
} fm_stage;

#define FM_MAX_STAGES 16

/* A chain on one channel: y -> s[0] -> ... -> s[n-1] -> z, max pools
 * after pool_at[i] stages, and the bit z * m + a < 0 (pack_affine: a
 * BatchNorm feeding only signs; m = 1, a = 0 for a sign alone). */
typedef struct {
    int n;
    fm_stage s[FM_MAX_STAGES];
    int n_pools;
    int pool_at[FM_MAX_STAGES];
    float m, a;
} fm_chain;

/* Whether the chain's bit is, for every float y (subnormals flushed or
 * not), the bit of y * gamma + beta < 0 with gamma 1, -1 or 0 (and the
 * same with the max pools moved before it). Returns 1 and sets gamma and
 * beta, or 0 when it is not (derivation in fold_monotonic.c). */
int fold_monotonic_chain(const fm_chain *c, float *gamma, float *beta);

/* The values a float tensor took over the calibration samples. */
typedef struct {
    double lo, hi;
} quant_range;

/* The float tensors quantize_float needs the range of (each float conv's
 * or dense layer's input and output, each once, in graph order), into
 * *refs (xmalloc'd; the caller frees it). Returns how many. */
int quant_float_refs(const ir_graph *g, ir_ref **refs);
/* How many float layers quantize_float would run in int8. */
int quant_float_count(const ir_graph *g);

/* quantize_float: every float conv and dense layer becomes QUANTIZE ->
 * CONV_I8 / DENSE_I8 -> DEQUANTIZE (quantize_float.c), ranges[i] being
 * the calibrated range of tensor i of quant_float_refs(g).
 * Requires: fold_monotonic. */
int pass_quantize_float(ir_graph *g, const quant_range *ranges, int n_ranges, bnnc_err *err);

/* The quantisation parameters quantize_float chooses (unit tests):
 * asymmetric int8 of the range [lo, hi] widened to hold 0; symmetric
 * per-output-channel int8 of out_c rows of k weights (q and scale
 * filled); an int32 bias of scale in_scale * w_scale. */
void quant_activation(double lo, double hi, ir_qtype *q);
void quant_weights(const float *w, int64_t out_c, int64_t k, int8_t *q, float *scale);
int32_t quant_bias(double b, double in_scale, double w_scale);

/* Shape of one node from its inputs' shapes (used by passes that create
 * nodes). */
int shape_infer_node(ir_graph *g, ir_node *n, bnnc_err *err);

#endif
