/*
 * bnn.h - public interface of runtime_min, the kernel runtime called by
 * code that bnnc generates.
 *
 * This header is the single truth for data layouts shared by the compiler
 * (which packs weights and sizes scratch at compile time) and the kernels.
 * The compiler includes it for the layout helpers below; it never links
 * the runtime.
 *
 * Rules for every kernel:
 *   - C99, no allocation, no I/O, no globals; memory comes from the caller.
 *   - Parameters arrive in a const struct; pointers in it are borrowed.
 *   - Kernels return BNN_OK, or BNN_ARG_ERROR when a documented constraint
 *     is violated (checked on entry, nothing written).
 *   - Activations are NHWC. Float tensors are float32. Binary tensors are
 *     bit-packed along channels (see "Bit conventions").
 *
 * Bit conventions (DESIGN.md section 3):
 *   - value -1 <=> bit 1, value +1 <=> bit 0.
 *   - sign of a float x: x < 0 -> -1, otherwise +1 (0, -0.0 and NaN -> +1).
 *   - words are uint32_t, element i of a group of 32 is bit i (LSB first).
 *   - a binary NHWC tensor with C channels stores bnn_words(C) words per
 *     pixel; bits of channels >= C (the tail) are always 0.
 *   - dot product of two +-1 vectors of K true bits:
 *         dot = K - 2 * popcount(a XOR w).
 */
#ifndef BNN_H
#define BNN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BNN_VERSION_STRING "0.1.0"

typedef enum {
    BNN_OK = 0,
    BNN_ARG_ERROR = -1
} bnn_status;

#define BNN_WORD_BITS 32

/* Number of 32-bit words holding n bits. */
static inline int32_t bnn_words(int32_t n)
{
    return (int32_t)(((uint32_t)n + 31u) / 32u);
}

/* ------------------------------------------------------------------------
 * Binary convolution and dense
 * ------------------------------------------------------------------------
 *
 * Padding of binary convolutions is explicit (DESIGN.md section 3):
 *   BNN_PAD_PLUS_ONE   out-of-image taps are +1 (BMXNet v1, bit 0).
 *   BNN_PAD_MINUS_ONE  out-of-image taps are -1 (BMXNet-v2 Pad(-1)).
 *   BNN_PAD_ZERO       out-of-image taps contribute exactly 0 to the dot.
 */
typedef enum {
    BNN_PAD_PLUS_ONE = 0,
    BNN_PAD_MINUS_ONE = 1,
    BNN_PAD_ZERO = 2
} bnn_pad_mode;

/*
 * Output channels of binary weights are stored in blocks of BNN_OC_BLOCK
 * lanes: the words of one (tap, word) position for 16 consecutive output
 * channels are contiguous, so a kernel can load them as one vector and
 * broadcast the matching input word. Lanes past the last output channel
 * hold zero words and are never read back.
 */
#define BNN_OC_BLOCK 16

/*
 * Binary conv2d. Input: n x in_h x in_w pixels of bnn_words(in_c) words.
 * Weights: output channel o covers the in_c/groups channels of its group
 * (group o / (out_c/groups)); layout
 *     [ceil(out_c/16)][k_h][k_w][bnn_words(in_c/groups)][16]
 * (index from bnn_bconv2d_weight_index). Bit j of word w at tap (ky, kx)
 * is input channel (group*cg + w*32 + j) of that tap; bits past cg are 0.
 * The true reduction length of every output is K = k_h*k_w*(in_c/groups);
 * "dot" below is the exact +-1 dot product over those K terms, with padded
 * taps valued according to pad_mode.
 *
 * Output transforms (one kernel each):
 *   _b_i32: out[c] = dot
 *   _b_f32: out[c] = (float)dot * mul[c] + add[c]   (two roundings, no fma)
 *   _b_b:   bit c = 1 (value -1) iff
 *              dir[c] == 0 ?  dot < thresh[c]  :  dot > thresh[c]
 *           so INT32_MIN with dir 0 means "always +1" and INT32_MAX with
 *           dir 0 means "always -1" for constant channels.
 *
 * Destinations are NHWC with out_pixel_stride elements (f32/i32) or words
 * (_b) between pixels, so a layer can write into a channel offset of a
 * wider tensor (concatenation in place). _b_b writes whole words: the
 * destination's first channel must be word aligned; tail bits are 0.
 *
 * Constraints: all sizes > 0; in_c and out_c divisible by groups;
 * out_h/out_w equal floor((in + 2*pad - (dil*(k-1)+1)) / stride) + 1;
 * BNN_PAD_ZERO requires nothing further (it is exact for any in_c).
 */
typedef struct {
    int32_t n, in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_h, pad_w;
    int32_t dil_h, dil_w;
    int32_t groups;
    bnn_pad_mode pad_mode;
    const uint32_t *weights;
    int32_t out_pixel_stride; /* elements (f32, i32) or words (b) */
    const float *mul, *add;   /* _b_f32: per output channel */
    const int32_t *thresh;    /* _b_b: per output channel */
    const uint8_t *dir;       /* _b_b: per output channel, 0 or 1 */
} bnn_bconv2d_params;

static inline size_t bnn_bconv2d_weight_words(int32_t out_c, int32_t k_h,
                                              int32_t k_w, int32_t cg)
{
    size_t blocks = ((size_t)out_c + BNN_OC_BLOCK - 1) / BNN_OC_BLOCK;
    return blocks * (size_t)k_h * (size_t)k_w * (size_t)bnn_words(cg) *
           BNN_OC_BLOCK;
}

/* Index of the word holding bits [32*w, 32*w+32) of output channel o's
 * filter at tap (ky, kx). */
static inline size_t bnn_bconv2d_weight_index(int32_t k_h, int32_t k_w,
                                              int32_t cg, int32_t o,
                                              int32_t ky, int32_t kx,
                                              int32_t w)
{
    size_t cw = (size_t)bnn_words(cg);
    size_t block = (size_t)(o / BNN_OC_BLOCK), lane = (size_t)(o % BNN_OC_BLOCK);
    return (((block * (size_t)k_h + (size_t)ky) * (size_t)k_w + (size_t)kx) *
                cw + (size_t)w) * BNN_OC_BLOCK + lane;
}

/* Bytes of caller scratch the bconv2d kernels need (every variant fits in
 * this size; the pointer passed must be non-null and 64-byte aligned,
 * otherwise the kernels return BNN_ARG_ERROR). The same value
 * is available to the compiler without linking the runtime as
 * bnn_bconv2d_scratch_bytes(); it is small: one pixel of pad words, a
 * table of BNN_BCONV2D_BATCH pointer slots (8 bytes each) per filter tap,
 * one 8-byte offset per filter tap and input word, two int32 per output
 * channel (rounded up to 16 channels), and, for BNN_PAD_ZERO
 * only, one int32 per filter tap and output channel (rounded up to 16
 * channels). */
#define BNN_BCONV2D_BATCH 8

static inline size_t bnn_bconv2d_scratch_bytes(const bnn_bconv2d_params *p)
{
    size_t kt = (size_t)p->k_h * (size_t)p->k_w;
    size_t s = ((size_t)bnn_words(p->in_c) + 15u) / 16u * 64u +
               kt * BNN_BCONV2D_BATCH * 8u +
               (kt * (size_t)bnn_words(p->in_c) * 8u + 63u) / 64u * 64u +
               2u * (((size_t)p->out_c + 15u) / 16u * 16u) * 4u;
    if (p->pad_mode == BNN_PAD_ZERO)
        s += kt * (((size_t)p->out_c + 15u) / 16u * 16u) * 4u;
    return s;
}

size_t bnn_bconv2d_scratch_size(const bnn_bconv2d_params *p);

bnn_status bnn_bconv2d_b_i32(const bnn_bconv2d_params *p, const uint32_t *in,
                             int32_t *out, void *scratch);
bnn_status bnn_bconv2d_b_f32(const bnn_bconv2d_params *p, const uint32_t *in,
                             float *out, void *scratch);
bnn_status bnn_bconv2d_b_b(const bnn_bconv2d_params *p, const uint32_t *in,
                           uint32_t *out, void *scratch);

/*
 * Binary dense (fully connected). Input: n rows of in_words words; the
 * true reduction length is k (bits of a row that carry values; all other
 * bits are 0 in input and weights, so they contribute nothing).
 * Weights: [ceil(out_c/16)][in_words][16] (bnn_bdense_weight_index).
 * Output transforms as for bconv2d; outputs are n rows of out_row_stride
 * elements (f32/i32) or words (_b).
 */
typedef struct {
    int32_t n, in_words, k, out_c;
    const uint32_t *weights;
    int32_t out_row_stride;
    const float *mul, *add;
    const int32_t *thresh;
    const uint8_t *dir;
} bnn_bdense_params;

static inline size_t bnn_bdense_weight_words(int32_t out_c, int32_t in_words)
{
    return (((size_t)out_c + BNN_OC_BLOCK - 1) / BNN_OC_BLOCK) *
           (size_t)in_words * BNN_OC_BLOCK;
}

static inline size_t bnn_bdense_weight_index(int32_t in_words, int32_t o,
                                             int32_t w)
{
    return ((size_t)(o / BNN_OC_BLOCK) * (size_t)in_words + (size_t)w) *
               BNN_OC_BLOCK + (size_t)(o % BNN_OC_BLOCK);
}

bnn_status bnn_bdense_b_i32(const bnn_bdense_params *p, const uint32_t *in,
                            int32_t *out);
bnn_status bnn_bdense_b_f32(const bnn_bdense_params *p, const uint32_t *in,
                            float *out);
bnn_status bnn_bdense_b_b(const bnn_bdense_params *p, const uint32_t *in,
                          uint32_t *out);

/* ------------------------------------------------------------------------
 * Packing and binary pooling
 * ------------------------------------------------------------------------ */

/* Sign-pack `pixels` NHWC pixels of c floats (in_pixel_stride floats
 * apart) into bnn_words(c) words per pixel (out_pixel_stride words apart):
 * bit = (x < 0). Tail bits are 0. */
bnn_status bnn_pack_f32_b(int32_t pixels, int32_t c, const float *in,
                          int32_t in_pixel_stride, uint32_t *out,
                          int32_t out_pixel_stride);

/* Unpack bits to +-1.0f: bit 1 -> -1.0f, bit 0 -> +1.0f. */
bnn_status bnn_unpack_b_f32(int32_t pixels, int32_t c, const uint32_t *in,
                            int32_t in_pixel_stride, float *out,
                            int32_t out_pixel_stride);

/* Copy c channels of every pixel from a binary tensor into a wider binary
 * tensor at channel offset dst_c_offset (any bit offset); used for
 * concatenation of binary tensors. Bits outside the copied range are kept. */
bnn_status bnn_copy_channels_b(int32_t pixels, int32_t c, const uint32_t *in,
                               int32_t in_pixel_stride, uint32_t *out,
                               int32_t out_pixel_stride, int32_t dst_c_offset);

/*
 * Pooling geometry shared by binary and float pooling, MXNet semantics:
 * window of output o along an axis starts at o*stride - pad and ends at
 * min(start + k, in + pad); max pooling uses only in-image elements.
 */
typedef struct {
    int32_t n, in_h, in_w, c;
    int32_t out_h, out_w;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_h, pad_w;
    int32_t count_include_pad; /* avg only: 1 = divisor counts padding */
} bnn_pool2d_params;

/* Max pooling of sign bits = bitwise AND over the window (max of +-1 is
 * +1 = bit 0). Every window must contain at least one in-image element. */
bnn_status bnn_maxpool_b(const bnn_pool2d_params *p, const uint32_t *in,
                         uint32_t *out);

/* ------------------------------------------------------------------------
 * Float kernels
 * ------------------------------------------------------------------------ */

typedef enum {
    BNN_ACT_NONE = 0,
    BNN_ACT_RELU,
    BNN_ACT_SIGMOID,
    BNN_ACT_TANH,
    BNN_ACT_SOFTRELU, /* log(1 + e^x), x when x > 20 */
    BNN_ACT_SOFTSIGN, /* x / (1 + |x|) */
    BNN_ACT_LEAKY,    /* x > 0 ? x : alpha*x */
    BNN_ACT_ELU,      /* x > 0 ? x : alpha*(e^x - 1) */
    BNN_ACT_SELU,     /* lambda*(x > 0 ? x : alpha*(e^x - 1)), MXNet constants */
    BNN_ACT_GELU      /* 0.5 x (1 + erf(x / sqrt 2)) */
} bnn_act;

/*
 * Float conv2d, NHWC. Weights: [groups][k_h][k_w][cg][og] with
 * cg = in_c/groups, og = out_c/groups (bnn_conv2d_weight_index);
 * bias: out_c floats or NULL. out = act(conv + bias) with act NONE or
 * RELU. Output pixels are out_pixel_stride floats apart.
 */
typedef struct {
    int32_t n, in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_h, pad_w;
    int32_t dil_h, dil_w;
    int32_t groups;
    const float *weights;
    const float *bias;
    bnn_act act;
    int32_t out_pixel_stride;
} bnn_conv2d_params;

static inline size_t bnn_conv2d_weight_index(int32_t k_h, int32_t k_w,
                                             int32_t cg, int32_t og,
                                             int32_t g, int32_t ky,
                                             int32_t kx, int32_t ci,
                                             int32_t oi)
{
    return ((((size_t)g * (size_t)k_h + (size_t)ky) * (size_t)k_w +
             (size_t)kx) * (size_t)cg + (size_t)ci) * (size_t)og +
           (size_t)oi;
}

size_t bnn_conv2d_f32_scratch_size(const bnn_conv2d_params *p);
bnn_status bnn_conv2d_f32(const bnn_conv2d_params *p, const float *in,
                          float *out, void *scratch);

/* Float dense: out[r][o] = act(sum_k in[r][k] * w[o][k] + bias[o]).
 * Weights row-major [out_c][k]; bias may be NULL; act NONE or RELU. */
typedef struct {
    int32_t n, k, out_c;
    const float *weights;
    const float *bias;
    bnn_act act;
    int32_t out_row_stride;
} bnn_dense_params;

bnn_status bnn_dense_f32(const bnn_dense_params *p, const float *in,
                         float *out);

/* Per-channel affine over `pixels` pixels of c channels:
 * y = x * mul[ch] + add[ch] (two roundings); mul or add may be NULL
 * (meaning 1 and 0). In place allowed. */
bnn_status bnn_affine_f32(int32_t pixels, int32_t c, const float *mul,
                          const float *add, const float *in, float *out);

/* Elementwise activation over n floats; alpha is used by LEAKY and ELU.
 * In place allowed. */
bnn_status bnn_act_f32(bnn_act act, float alpha, size_t n, const float *in,
                       float *out);

/* PReLU over pixels x c: x > 0 ? x : slope[ch] * x. In place allowed. */
bnn_status bnn_prelu_f32(int32_t pixels, int32_t c, const float *slope,
                         const float *in, float *out);

bnn_status bnn_maxpool_f32(const bnn_pool2d_params *p, const float *in,
                           float *out);
/* Average: divisor is the window size clipped to the padded extent when
 * count_include_pad, else the number of in-image elements. */
bnn_status bnn_avgpool_f32(const bnn_pool2d_params *p, const float *in,
                           float *out);

/* out[i] = a[i] + b[i], n floats; in place allowed. */
bnn_status bnn_add_f32(size_t n, const float *a, const float *b, float *out);

/* Copy c channels of every pixel into a wider tensor (concatenation):
 * out[p*out_pixel_stride + dst_c_offset + ch] = in[p*in_pixel_stride + ch]. */
bnn_status bnn_copy_channels_f32(int32_t pixels, int32_t c, const float *in,
                                 int32_t in_pixel_stride, float *out,
                                 int32_t out_pixel_stride,
                                 int32_t dst_c_offset);

/* Constant padding of an NHWC tensor: out is n x (h+top+bottom) x
 * (w+left+right) x c, border filled with value. */
typedef struct {
    int32_t n, h, w, c;
    int32_t top, bottom, left, right;
    float value;
} bnn_pad2d_params;

bnn_status bnn_pad2d_f32(const bnn_pad2d_params *p, const float *in,
                         float *out);

/* Softmax over rows: rows x len floats, each row normalised on its own
 * (max-subtracted). In place allowed. */
bnn_status bnn_softmax_f32(int32_t rows, int32_t len, const float *in,
                           float *out);

/* Layout changes at the edges of a network. */
bnn_status bnn_nchw_to_nhwc_f32(int32_t n, int32_t c, int32_t h, int32_t w,
                                const float *in, float *out);
bnn_status bnn_nhwc_to_nchw_f32(int32_t n, int32_t c, int32_t h, int32_t w,
                                const float *in, float *out);

#ifdef __cplusplus
}
#endif

#endif /* BNN_H */
