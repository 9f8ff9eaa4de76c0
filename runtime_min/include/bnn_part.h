/*
 * bnn_part.h - part entry points: one of several workers computes its
 * share of a kernel call.
 *
 * bnn_<kernel>_part(p, <the kernel's arguments>, part, nparts) computes
 * the output elements of part `part` (0 <= part < nparts) of the call
 * bnn_<kernel>(p, <arguments>) and writes nothing else. The nparts parts
 * of a call are disjoint and together are the whole call, so running all
 * of them, in any order or at the same time on different threads, writes
 * exactly what the kernel writes. Each part runs the kernel itself on a
 * sub-problem (a range of output channels, pixels or elements), so every
 * output element is computed by the same code, in the same order, as in
 * one call: the results are bit-identical, and the single-call path is
 * not touched.
 *
 * How a call is divided:
 *   - binary convolutions: output rows when the input is at least as
 *     large as the weights (grouped ones too), else as below;
 *   - other convolutions (float, streamed) and dense layers: blocks of
 *     output channels (32 for bit outputs, whole words; 16 for float
 *     outputs, the weight block), with a single group only;
 *   - per-element and per-pixel kernels: ranges of elements or pixels
 *     (multiples of 16 elements).
 * A call that cannot be divided (grouped float convolutions) is computed
 * whole by part 0; the other parts return BNN_OK without writing. A call with
 * fewer blocks than parts, or too little work for them (a minimum per
 * part, stated at each kernel: about 4096 floats for per-element work),
 * is divided among fewer parts, and the parts left over are empty the
 * same way.
 *
 * Scratch: a part that takes scratch needs its own, of the kernel's
 * scratch size for the whole call (enough for every part); parts that run
 * at the same time must not share it.
 *
 * Returns: what the kernel returns for the sub-problem; BNN_ARG_ERROR for
 * part outside [0, nparts) and, as the kernel would, for bad parameters
 * (a part checks the whole call's geometry before dividing it).
 *
 * BNN_PART_NO_MINIMUM (tests): ignore the minimum work per part, so that
 * even small calls are divided as finely as the blocks allow.
 *
 * BNN_PARTS: the part entry points are compiled (1) or left out (0).
 * Default 1, except on M-profile Arm (Cortex-M), where nothing runs two
 * workers; define it to 0 or 1 to choose.
 */
#ifndef BNN_PART_H
#define BNN_PART_H

#include "bnn.h"

#ifndef BNN_PARTS
#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#define BNN_PARTS 0
#else
#define BNN_PARTS 1
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Range [*lo, *hi) of part `part` of nparts over `units` units of work
 * split in whole blocks of `align` units (the last block may be short),
 * at most one part per `min_units` units (smaller calls go to fewer
 * parts). Parts get equal numbers of blocks, the first ones one fewer
 * when it does not divide; unused parts get an empty range. Returns 0
 * for an empty range. */
static inline int bnn_part_range(int64_t units, int64_t align, int64_t min_units,
                                 int32_t part, int32_t nparts, int64_t *lo, int64_t *hi)
{
    int64_t blocks = (units + align - 1) / align, np = nparts;
#ifdef BNN_PART_NO_MINIMUM
    min_units = 0;
#endif
    if (min_units > 0 && units / min_units < np)
        np = units / min_units;
    if (blocks < np)
        np = blocks;
    if (np < 1)
        np = 1;
    if (part >= np) {
        *lo = *hi = 0;
        return 0;
    }
    *lo = blocks * part / np * align;
    *hi = blocks * (part + 1) / np * align;
    if (*hi > units)
        *hi = units;
    return *hi > *lo;
}

/* binary convolutions: output rows or channel blocks; dense layers: channel blocks */
BNN_API bnn_status bnn_bconv2d_b_f32_part(const bnn_bconv2d_params *p, const uint32_t *in,
                                          float *out, void *scratch, int32_t part,
                                          int32_t nparts);
BNN_API bnn_status bnn_bconv2d_b_b_part(const bnn_bconv2d_params *p, const uint32_t *in,
                                        uint32_t *out, void *scratch, int32_t part,
                                        int32_t nparts);
BNN_API bnn_status bnn_bdense_b_f32_part(const bnn_bdense_params *p, const uint32_t *in,
                                         float *out, int32_t part, int32_t nparts);
BNN_API bnn_status bnn_bdense_b_b_part(const bnn_bdense_params *p, const uint32_t *in,
                                       uint32_t *out, int32_t part, int32_t nparts);

/* float convolutions and dense layers: output channel blocks */
BNN_API bnn_status bnn_conv2d_f32_part(const bnn_conv2d_params *p, const float *in,
                                       float *out, void *scratch, int32_t part,
                                       int32_t nparts);
BNN_API bnn_status bnn_conv2d_maxpool_f32_part(const bnn_conv2d_maxpool_params *p,
                                               const float *in, float *out, void *scratch,
                                               int32_t part, int32_t nparts);
BNN_API bnn_status bnn_conv2d_pack_f32_b_part(const bnn_conv2d_pack_params *p,
                                              const float *in, uint32_t *out, void *scratch,
                                              int32_t part, int32_t nparts);
BNN_API bnn_status bnn_dense_f32_part(const bnn_dense_params *p, const float *in,
                                      float *out, int32_t part, int32_t nparts);

/* per element and per pixel: ranges */
BNN_API bnn_status bnn_add_f32_part(const bnn_eltwise_params *p, const float *a,
                                    const float *b, float *out, int32_t part,
                                    int32_t nparts);
BNN_API bnn_status bnn_act_f32_part(const bnn_act_params *p, const float *in, float *out,
                                    int32_t part, int32_t nparts);
BNN_API bnn_status bnn_act_fast_f32_part(const bnn_act_params *p, const float *in,
                                         float *out, int32_t part, int32_t nparts);
BNN_API bnn_status bnn_affine_f32_part(const bnn_affine_params *p, const float *in,
                                       float *out, int32_t part, int32_t nparts);
BNN_API bnn_status bnn_pack_f32_b_part(const bnn_channels_params *p, const float *in,
                                       uint32_t *out, int32_t part, int32_t nparts);
BNN_API bnn_status bnn_pack_affine_f32_b_part(const bnn_channels_params *p,
                                              const float *in, uint32_t *out, int32_t part,
                                              int32_t nparts);
BNN_API bnn_status bnn_unpack_b_f32_part(const bnn_channels_params *p, const uint32_t *in,
                                         float *out, int32_t part, int32_t nparts);
BNN_API bnn_status bnn_copy_channels_f32_part(const bnn_channels_params *p,
                                              const float *in, float *out, int32_t part,
                                              int32_t nparts);

/* pooling: output rows */
BNN_API bnn_status bnn_maxpool_f32_part(const bnn_pool2d_params *p, const float *in,
                                        float *out, int32_t part, int32_t nparts);
BNN_API bnn_status bnn_avgpool_f32_part(const bnn_pool2d_params *p, const float *in,
                                        float *out, int32_t part, int32_t nparts);
BNN_API bnn_status bnn_maxpool_b_part(const bnn_pool2d_params *p, const uint32_t *in,
                                      uint32_t *out, int32_t part, int32_t nparts);

#ifdef __cplusplus
}
#endif

#endif /* BNN_PART_H */
