/*
 * conv_pack_f32_avx2.c - bnn_conv2d_pack_f32_b__avx2: the streamed
 * convolution to bits (src/conv_pack_f32.c) with the AVX2 convolution
 * tiles of conv2d_f32_avx2.c; bit-identical to the portable kernel.
 */
#include "bnn_float_internal.h"

#if BNN_F32_avx2

BNN_API bnn_status bnn_conv2d_pack_f32_b__avx2(const bnn_conv2d_pack_params *p,
                                              const float *in, uint32_t *out,
                                              void *scratch)
{
    return bnn_conv2d_pack_f32_b_run(p, in, out, scratch, bnn_conv_kit__avx2());
}

#endif
