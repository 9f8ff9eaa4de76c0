/*
 * lir.h - the lowered program: a straight-line list of runtime kernel
 * calls over buffers, which the memory planner places and codegen writes.
 *
 * Tensors are NHWC (2-D tensors (N, C) have H = W = 1); float tensors hold
 * `stride` floats per pixel, binary tensors `stride` uint32 words per pixel
 * (DESIGN.md section 3). A tensor lives in the arena, or is the caller's
 * input/output buffer, or a constant in flash, or a view into another
 * arena tensor (in-place operations, concatenation written in place).
 * Kernel parameters are the runtime's own structs (bnn.h); pointers in
 * them are filled in by codegen from constant ids.
 */
#ifndef BNNC_IR_LIR_H
#define BNNC_IR_LIR_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"
#include "bnn.h"
#include "bnn_ops.h"
#include "bnn_int8.h"

/* float32, packed bits (uint32 words), bytes (uint8: an input, scratch),
 * int8 (TFLite's quantised tensors), int64 (indices: ONNX ArgMax, TopK) */
typedef enum { LIR_F32, LIR_BITS, LIR_U8, LIR_I8, LIR_I64 } lir_dtype;

/* Bytes of one element (of one word for LIR_BITS). */
#define LIR_DTYPE_BYTES(dt) ((dt) == LIR_U8 || (dt) == LIR_I8 ? 1u : (dt) == LIR_I64 ? 8u : 4u)

typedef enum {
    LIR_ARENA,   /* placed in the arena by the planner */
    LIR_INPUT,   /* the caller's input buffer (read only) */
    LIR_OUTPUT,  /* the caller's output buffer */
    LIR_CONST,   /* a constant array in flash (read only) */
    LIR_VIEW     /* bytes [view_offset, ...) of tensor view_of */
} lir_storage;

typedef struct {
    int id;
    lir_dtype dt;
    int32_t n, h, w, c;  /* logical NHWC extent */
    int32_t stride;      /* elements (f32/u8) or words (bits) per pixel */
    size_t bytes;
    lir_storage storage;
    int view_of;         /* LIR_VIEW: base tensor */
    size_t view_offset;  /* LIR_VIEW: bytes into the base */
    size_t ext_offset;   /* LIR_INPUT/LIR_OUTPUT: bytes into the caller's
                            buffer (several inputs or heads are stored one
                            after another) */
    int const_id;        /* LIR_CONST */
    int first, last;     /* first and last step touching it (-1: none) */
    size_t offset;       /* LIR_ARENA: arena offset after planning */
    int scratch;         /* scratch of one step */
    char name[96];       /* node it holds (for comments and the plan) */
} lir_tensor;

typedef enum {
#define KIND(id, name, kernel, params, emit, part) LK_##id,
#include "lir.def"
#undef KIND
    LK_COUNT
} lir_kind;

/* Pack, unpack, channel copies and slices: the runtime's parameters, and
 * the channels a slice skips at the start of each input pixel (codegen
 * offsets the input pointer by them; 0 for every kind but COPY_CH_F32). */
typedef struct {
    bnn_channels_params k;
    int32_t in_offset;
} lir_copy;

/* Most constants of one step. */
#define LIR_STEP_CONSTS 8

/* A streamed convolution to bits (fuse_pool.c): the runtime's parameters
 * with NULL pointers, and which constant slot of the step each pointer
 * takes (-1: NULL). */
typedef struct {
    bnn_conv2d_pack_params k;
    signed char weights, bias, mul, add;
    signed char pre_mul[BNN_STREAM_MAX_OPS], pre_add[BNN_STREAM_MAX_OPS];
    signed char post_mul[BNN_STREAM_MAX_OPS], post_add[BNN_STREAM_MAX_OPS];
} lir_conv_pack;

typedef struct {
    lir_kind kind;
    int in[2];
    int n_in;
    int out;
    int scratch;         /* tensor id or -1 */
    /* constants: weights, then per-channel arrays (kind-specific) */
    int consts[LIR_STEP_CONSTS];
    int n_consts;
    union {
        bnn_bconv2d_params bconv;
        bnn_bdense_params bdense;
        bnn_conv2d_params conv;
        bnn_conv2d_maxpool_params conv_pool;
        lir_conv_pack conv_pack;
        bnn_dense_params dense;
        bnn_pool2d_params pool;
        bnn_pad2d_params pad;
        bnn_gather_hw_params gather; /* src_h, src_w: constants 0 and 1 */
        lir_copy copy;                /* PACK_AFFINE mul, add: constants 0, 1 */
        bnn_layout_params layout;     /* mul, add or mean, std: constants 0, 1 */
        bnn_permute_params permute;
        bnn_affine_params affine;     /* mul, add: constants 0 and 1 */
        bnn_prelu_params prelu;       /* slope: constant 0 */
        bnn_act_params act;
        bnn_eltwise_params add;
        bnn_unary_params unary;
        bnn_binary_params binary;
        bnn_binary_pixel_params binary_pixel;
        bnn_channel_mean_params mean;
        bnn_softmax_params softmax;
        bnn_topk_params topk;         /* out: values, or indices (int64) */
        struct { size_t bytes; } mem;
        bnn_quant_i8_params quant;    /* scale, zero point: constants 0, 1 */
        bnn_requantize_i8_params requant;
        bnn_conv2d_i8_params conv_i8; /* w, bias?, mult, shift: constants */
        bnn_dwconv2d_i8_params dwconv_i8;
        bnn_dense_i8_params dense_i8;
        bnn_pool2d_i8_params pool_i8;
        struct {                      /* ADD/SUB/MUL_I8: n, b_len; b is in1 */
            bnn_eltwise_i8_params k;
            size_t n, b_len;
        } eltwise_i8;
        bnn_pad2d_i8_params pad_i8;
        bnn_mean_i8_params mean_i8;
        bnn_prelu_i8_params prelu_i8; /* alpha: constant 0 when set */
        bnn_softmax_i8_params softmax_i8; /* table: constant 0 */
        bnn_hard_swish_i8_params hswish_i8;
        bnn_lut_i8_params lut_i8;         /* table: constant 0 */
    } p;
    int node;            /* IR node id it implements (comments) */
    char node_name[128];
    char src_op[48];
    char what[160];      /* one-line description for the comment */
    size_t fused_bytes;  /* bytes of the tensors a fusion made this step no
                            longer write (inspect --plan) */
    size_t fused_scratch; /* scratch bytes that fusion added */
} lir_step;

typedef enum { LC_U32, LC_I32, LC_F32, LC_U8, LC_I8 } lir_ctype;

typedef struct {
    int id;
    lir_ctype type;
    size_t count;
    void *data;          /* owned */
    char role[24];       /* "w", "b", "mul", "add", "thr", "dir", ... */
    int step;            /* first step using it */
} lir_const;

typedef struct {
    lir_tensor *t;
    int nt, capt;
    lir_step *s;
    int ns, caps;
    lir_const *c;
    int nc, capc;
    int input;              /* external input tensor */
    lir_dtype input_type;   /* LIR_F32, LIR_U8, LIR_I8 or LIR_BITS (bitpacked) */
    lir_dtype output_type;  /* LIR_F32, LIR_I8, LIR_I64 (indices) or LIR_BITS (bitpacked
                               heads) */
    /* the quantisation of an LIR_I8 input and output (real value =
     * scale * (q - zp)) */
    double in_scale, out_scale;
    int32_t in_zp, out_zp;
    size_t input_elems, output_elems;
    size_t arena_bytes;     /* after planning */
    size_t lower_bound;     /* max over steps of live bytes */
    size_t unfused_bound;   /* the lower bound before fuse_pool's fusions
                               (0: nothing was fused) */
} lir_program;

#define LIR_ALIGN 64

void lir_init(lir_program *p);
void lir_free(lir_program *p);
int lir_tensor_add(lir_program *p, lir_dtype dt, int32_t n, int32_t h,
                   int32_t w, int32_t c, const char *name);
int lir_const_add(lir_program *p, lir_ctype type, size_t count, void *data,
                  const char *role);
lir_step *lir_step_add(lir_program *p, lir_kind kind, int node,
                       const char *node_name, const char *src_op);
const char *lir_kind_name(lir_kind k);
/* The runtime function a step of kind k calls ("memcpy" for LK_COPY). */
const char *lir_kind_kernel(lir_kind k);
/* The part entry point of a kind (bnn_part.h), or NULL: not divided. */
const char *lir_kind_part(lir_kind k);
/* Number of steps reading tensor t (once per input slot naming it); the
 * index of the last of them in *last when last is not NULL and there is
 * one. */
int lir_readers(const lir_program *p, int t, int *last);
/* Sets every tensor's first and last step (-1 when no step touches it);
 * a step touching a view also touches the view's base. */
void lir_lifetimes(lir_program *p);
/* Remove the steps i with drop[i] != 0, keeping the order of the others;
 * constants follow their steps' new numbers and lifetimes are recomputed. */
void lir_drop_steps(lir_program *p, const unsigned char *drop);
/* Storage base of a tensor (follows views). */
int lir_base(const lir_program *p, int t);
/* The per-element and packing kernels a streamed convolution
 * (LK_CONV_PACK_F32_B) may call on its rows, in this order:
 * bnn_act_f32, bnn_act_fast_f32, bnn_affine_f32, bnn_pack_f32_b,
 * bnn_pack_affine_f32_b. */
#define LIR_STREAM_KERNELS 5
extern const char *const lir_stream_kernels[LIR_STREAM_KERNELS];
/* Which of lir_stream_kernels step s calls (bit i for entry i; 0 for
 * other kinds). */
unsigned lir_stream_uses(const lir_step *s);
/* The public runtime kernels step s calls, into fns (room for
 * LIR_STREAM_KERNELS + 2): its kind's, then for a streamed convolution
 * the ones it calls on its rows, with deps also bnn_conv2d_f32 (whose
 * file holds the row driver it uses). Returns how many. */
int lir_step_kernels(const lir_step *s, const char **fns, int deps);

/* 1 when a float convolution of p (alone, max-pooled or packed) is
 * rounded as BNN_CONV_ORDER_FMA. */
int lir_uses_conv_fma(const lir_program *p);
/* The runtime's parameter struct a step of kind k passes, or NULL. */
const char *lir_kind_params(lir_kind k);

/* Check the program's structure (tensor, constant and step references,
 * views inside their bases). Returns 0 or an internal error message. */
int lir_check(const lir_program *p, bnnc_err *err);
/* One line per step: number, kind, input and output tensors, node, what. */
void lir_dump(const lir_program *p, void *file);

#endif
