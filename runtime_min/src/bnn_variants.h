/*
 * bnn_variants.h - the one variant system of runtime_min: which ISA
 * features the target has, which variant of each kernel family is
 * compiled in, which one each public function calls, and the list of every
 * dispatched kernel (from which variants.c builds the enumeration that
 * tests, benchmarks and bnn_variant_of() use).
 *
 * A dispatched kernel `name` has a portable C99 version `name__portable`
 * (the oracle) and optional per-ISA versions `name__<variant>` in
 * runtime_min/arch/. Everything is decided at compile time from the
 * compiler's predefined macros; there is no run-time CPU detection.
 * Defining BNN_FORCE_PORTABLE=1 (CMake: BNNC_RUNTIME_PORTABLE) compiles
 * out every SIMD variant, so the public functions are the portable ones.
 *
 * Adding a variant: an arch file guarded by `#if BNN_<FAMILY>_<variant>`
 * defining name__<variant> for every kernel of the family; adding a kernel
 * to a family: one BNN_KERNELS row. A public kernel without variants is a
 * NONE row, so that bnn_variant_of() knows every public kernel.
 */
#ifndef BNN_VARIANTS_H
#define BNN_VARIANTS_H

#include "bnn.h"

/* ------------------------------------------------------------------------
 * 1. ISA features of the target, 0 or 1. An extension implies its base.
 * ------------------------------------------------------------------------ */
#if defined(BNN_FORCE_PORTABLE) && BNN_FORCE_PORTABLE + 0
#define BNN_HAVE_AVX512 0
#define BNN_HAVE_AVX512_VPOPCNTDQ 0
#define BNN_HAVE_AVX512_VNNI 0
#define BNN_HAVE_AVX2 0
#define BNN_HAVE_NEON 0
#define BNN_HAVE_NEON_DOTPROD 0
#define BNN_HAVE_ARMV7EM 0
#else
/* x86 AVX-512 F + BW + VL (Skylake-SP, Ice Lake, Zen 4 and later): zmm
 * arithmetic, byte/word lanes and masked 128/256-bit accesses. */
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#define BNN_HAVE_AVX512 1
#else
#define BNN_HAVE_AVX512 0
#endif
/* AVX-512 with VPOPCNTD/Q (Ice Lake, Zen 4 and later). */
#if BNN_HAVE_AVX512 && defined(__AVX512VPOPCNTDQ__)
#define BNN_HAVE_AVX512_VPOPCNTDQ 1
#else
#define BNN_HAVE_AVX512_VPOPCNTDQ 0
#endif
/* AVX-512 with VNNI: vpdpbusd, u8 x s8 dot products of 4 (Cascade Lake,
 * Ice Lake, Zen 4 and later). */
#if BNN_HAVE_AVX512 && defined(__AVX512VNNI__)
#define BNN_HAVE_AVX512_VNNI 1
#else
#define BNN_HAVE_AVX512_VNNI 0
#endif
/* x86 AVX2 (Haswell, Zen and later). */
#if defined(__AVX2__)
#define BNN_HAVE_AVX2 1
#else
#define BNN_HAVE_AVX2 0
#endif
/* AArch64 Advanced SIMD. */
#if defined(__ARM_NEON) && defined(__aarch64__)
#define BNN_HAVE_NEON 1
#else
#define BNN_HAVE_NEON 0
#endif
/* AArch64 with the dot-product extension: sdot/udot (Armv8.2-A+dotprod,
 * Cortex-A55/A76 and later, Apple M1). */
#if BNN_HAVE_NEON && defined(__ARM_FEATURE_DOTPROD)
#define BNN_HAVE_NEON_DOTPROD 1
#else
#define BNN_HAVE_NEON_DOTPROD 0
#endif
/* Armv7E-M (Cortex-M4/M7/M33/M55 with DSP): SIMD32 (SMLAD, USADA8,
 * SXTB16). */
#if defined(__ARM_FEATURE_DSP) && defined(__ARM_ARCH_PROFILE) && \
    __ARM_ARCH_PROFILE == 'M'
#define BNN_HAVE_ARMV7EM 1
#else
#define BNN_HAVE_ARMV7EM 0
#endif
#endif

/* ------------------------------------------------------------------------
 * 2. Variants of each kernel family compiled in: BNN_<FAMILY>_<variant>.
 *    Families share their variant names and their entry points' suffixes:
 *      BIN   binary conv/dense (popcount)
 *      F32   float conv/dense
 *      PACK  float -> sign bit packing, float -> int8 quantisation
 *      I8    int8 conv/dense (integer dot products)
 *      ACT   float activations and softmax without libm (bnn_vmath_impl.h)
 *      NONE  no variants: the public function is the portable code
 * ------------------------------------------------------------------------ */
#define BNN_BIN_armv7em BNN_HAVE_ARMV7EM
#define BNN_BIN_neon BNN_HAVE_NEON
#define BNN_BIN_avx2 BNN_HAVE_AVX2
#define BNN_BIN_avx512 BNN_HAVE_AVX512_VPOPCNTDQ

#define BNN_F32_avx2 BNN_HAVE_AVX2
#define BNN_F32_avx512 BNN_HAVE_AVX512

#define BNN_PACK_avx2 BNN_HAVE_AVX2
#define BNN_PACK_avx512 BNN_HAVE_AVX512

#define BNN_I8_armv7em BNN_HAVE_ARMV7EM
#define BNN_I8_neon BNN_HAVE_NEON
#define BNN_I8_neondot BNN_HAVE_NEON_DOTPROD
#define BNN_I8_avx2 BNN_HAVE_AVX2
#define BNN_I8_avx512vnni BNN_HAVE_AVX512_VNNI

#define BNN_ACT_neon BNN_HAVE_NEON
#define BNN_ACT_avx2 BNN_HAVE_AVX2
#define BNN_ACT_avx512 BNN_HAVE_AVX512

/* BNN_IF_<FAMILY>_<variant>(x): x when that variant is compiled in. */
#if BNN_BIN_armv7em
#define BNN_IF_BIN_armv7em(x) x
#else
#define BNN_IF_BIN_armv7em(x)
#endif
#if BNN_BIN_neon
#define BNN_IF_BIN_neon(x) x
#else
#define BNN_IF_BIN_neon(x)
#endif
#if BNN_BIN_avx2
#define BNN_IF_BIN_avx2(x) x
#else
#define BNN_IF_BIN_avx2(x)
#endif
#if BNN_BIN_avx512
#define BNN_IF_BIN_avx512(x) x
#else
#define BNN_IF_BIN_avx512(x)
#endif
#if BNN_F32_avx2
#define BNN_IF_F32_avx2(x) x
#else
#define BNN_IF_F32_avx2(x)
#endif
#if BNN_F32_avx512
#define BNN_IF_F32_avx512(x) x
#else
#define BNN_IF_F32_avx512(x)
#endif
#if BNN_PACK_avx2
#define BNN_IF_PACK_avx2(x) x
#else
#define BNN_IF_PACK_avx2(x)
#endif
#if BNN_PACK_avx512
#define BNN_IF_PACK_avx512(x) x
#else
#define BNN_IF_PACK_avx512(x)
#endif
#if BNN_I8_armv7em
#define BNN_IF_I8_armv7em(x) x
#else
#define BNN_IF_I8_armv7em(x)
#endif
#if BNN_I8_neon
#define BNN_IF_I8_neon(x) x
#else
#define BNN_IF_I8_neon(x)
#endif
#if BNN_I8_neondot
#define BNN_IF_I8_neondot(x) x
#else
#define BNN_IF_I8_neondot(x)
#endif
#if BNN_I8_avx2
#define BNN_IF_I8_avx2(x) x
#else
#define BNN_IF_I8_avx2(x)
#endif
#if BNN_I8_avx512vnni
#define BNN_IF_I8_avx512vnni(x) x
#else
#define BNN_IF_I8_avx512vnni(x)
#endif
#if BNN_ACT_neon
#define BNN_IF_ACT_neon(x) x
#else
#define BNN_IF_ACT_neon(x)
#endif
#if BNN_ACT_avx2
#define BNN_IF_ACT_avx2(x) x
#else
#define BNN_IF_ACT_avx2(x)
#endif
#if BNN_ACT_avx512
#define BNN_IF_ACT_avx512(x) x
#else
#define BNN_IF_ACT_avx512(x)
#endif

/* BNN_<FAMILY>_EACH(F, name, args): F(name, variant, args) for every
 * variant of the family compiled in, portable first, then in increasing
 * order of preference (the last one is BNN_<FAMILY>_BEST). */
#define BNN_BIN_EACH(F, k, a)                                                  \
    F(k, portable, a)                                                          \
    BNN_IF_BIN_armv7em(F(k, armv7em, a)) BNN_IF_BIN_neon(F(k, neon, a))        \
        BNN_IF_BIN_avx2(F(k, avx2, a)) BNN_IF_BIN_avx512(F(k, avx512, a))
#define BNN_F32_EACH(F, k, a)                                                  \
    F(k, portable, a)                                                          \
    BNN_IF_F32_avx2(F(k, avx2, a)) BNN_IF_F32_avx512(F(k, avx512, a))
#define BNN_PACK_EACH(F, k, a)                                                 \
    F(k, portable, a) BNN_IF_PACK_avx2(F(k, avx2, a)) BNN_IF_PACK_avx512(F(k, avx512, a))
#define BNN_I8_EACH(F, k, a)                                                   \
    F(k, portable, a)                                                          \
    BNN_IF_I8_armv7em(F(k, armv7em, a)) BNN_IF_I8_neon(F(k, neon, a))          \
        BNN_IF_I8_neondot(F(k, neondot, a)) BNN_IF_I8_avx2(F(k, avx2, a))      \
            BNN_IF_I8_avx512vnni(F(k, avx512vnni, a))
#define BNN_ACT_EACH(F, k, a)                                                  \
    F(k, portable, a)                                                          \
    BNN_IF_ACT_neon(F(k, neon, a)) BNN_IF_ACT_avx2(F(k, avx2, a))              \
        BNN_IF_ACT_avx512(F(k, avx512, a))
#define BNN_NONE_EACH(F, k, a)

/* ------------------------------------------------------------------------
 * 3. The variant each public function calls: BNN_BEST(FAMILY, name) is
 *    name__<BNN_<FAMILY>_BEST>, the most preferred one compiled in.
 * ------------------------------------------------------------------------ */
#if BNN_BIN_avx512
#define BNN_BIN_BEST avx512
#elif BNN_BIN_avx2
#define BNN_BIN_BEST avx2
#elif BNN_BIN_neon
#define BNN_BIN_BEST neon
#elif BNN_BIN_armv7em
#define BNN_BIN_BEST armv7em
#else
#define BNN_BIN_BEST portable
#endif

#if BNN_F32_avx512
#define BNN_F32_BEST avx512
#elif BNN_F32_avx2
#define BNN_F32_BEST avx2
#else
#define BNN_F32_BEST portable
#endif

#if BNN_PACK_avx512
#define BNN_PACK_BEST avx512
#elif BNN_PACK_avx2
#define BNN_PACK_BEST avx2
#else
#define BNN_PACK_BEST portable
#endif

#if BNN_I8_avx512vnni
#define BNN_I8_BEST avx512vnni
#elif BNN_I8_avx2
#define BNN_I8_BEST avx2
#elif BNN_I8_neondot
#define BNN_I8_BEST neondot
#elif BNN_I8_neon
#define BNN_I8_BEST neon
#elif BNN_I8_armv7em
#define BNN_I8_BEST armv7em
#else
#define BNN_I8_BEST portable
#endif

#if BNN_ACT_avx512
#define BNN_ACT_BEST avx512
#elif BNN_ACT_avx2
#define BNN_ACT_BEST avx2
#elif BNN_ACT_neon
#define BNN_ACT_BEST neon
#else
#define BNN_ACT_BEST portable
#endif

#define BNN_NONE_BEST portable

/* Inlining control for the register tiles of the variants. */
#if defined(__GNUC__)
#define BNN_ALWAYS_INLINE static inline __attribute__((always_inline))
#define BNN_NOINLINE static __attribute__((noinline))
#else
#define BNN_ALWAYS_INLINE static inline
#define BNN_NOINLINE static
#endif

#define BNN_CAT3_(a, b, c) a##b##c
#define BNN_CAT3(a, b, c) BNN_CAT3_(a, b, c)
#define BNN_STR_(x) #x
#define BNN_STR(x) BNN_STR_(x)
#define BNN_BEST(FAM, name) BNN_CAT3(name, __, BNN_##FAM##_BEST)

/* ------------------------------------------------------------------------
 * 4. Every public kernel: X(FAMILY, name, (parameter types)).
 * ------------------------------------------------------------------------ */
#define BNN_KERNELS(X)                                                         \
    X(BIN, bnn_bconv2d_b_i32,                                                  \
      (const bnn_bconv2d_params *, const uint32_t *, int32_t *, void *))       \
    X(BIN, bnn_bconv2d_b_f32,                                                  \
      (const bnn_bconv2d_params *, const uint32_t *, float *, void *))         \
    X(BIN, bnn_bconv2d_b_b,                                                    \
      (const bnn_bconv2d_params *, const uint32_t *, uint32_t *, void *))      \
    X(BIN, bnn_bdense_b_i32,                                                   \
      (const bnn_bdense_params *, const uint32_t *, int32_t *))                \
    X(BIN, bnn_bdense_b_f32, (const bnn_bdense_params *, const uint32_t *, float *)) \
    X(BIN, bnn_bdense_b_b,                                                     \
      (const bnn_bdense_params *, const uint32_t *, uint32_t *))               \
    X(F32, bnn_conv2d_f32,                                                     \
      (const bnn_conv2d_params *, const float *, float *, void *))             \
    X(F32, bnn_conv2d_maxpool_f32,                                             \
      (const bnn_conv2d_maxpool_params *, const float *, float *, void *))     \
    X(F32, bnn_conv2d_pack_f32_b,                                              \
      (const bnn_conv2d_pack_params *, const float *, uint32_t *, void *))     \
    X(F32, bnn_dense_f32, (const bnn_dense_params *, const float *, float *))  \
    X(PACK, bnn_pack_f32_b,                                                    \
      (const bnn_channels_params *, const float *, uint32_t *))                \
    X(PACK, bnn_pack_affine_f32_b,                                             \
      (const bnn_channels_params *, const float *, uint32_t *))                \
    BNN_KERNELS_I8(X)                                                          \
    X(ACT, bnn_act_fast_f32, (const bnn_act_params *, const float *, float *)) \
    X(ACT, bnn_exp_fast_f32,                                                   \
      (const bnn_eltwise_params *, const float *, float *))                    \
    X(ACT, bnn_softmax_fast_f32,                                               \
      (const bnn_softmax_params *, const float *, float *))                    \
    X(NONE, bnn_maxpool_b, ())                                                 \
    X(NONE, bnn_unpack_b_f32, ())                                              \
    X(NONE, bnn_copy_channels_b, ())                                           \
    X(NONE, bnn_affine_f32, ())                                                \
    X(NONE, bnn_act_f32, ())                                                   \
    X(NONE, bnn_prelu_f32, ())                                                 \
    X(NONE, bnn_maxpool_f32, ())                                               \
    X(NONE, bnn_avgpool_f32, ())                                               \
    X(NONE, bnn_add_f32, ())                                                   \
    X(NONE, bnn_copy_channels_f32, ())                                         \
    X(NONE, bnn_pad2d_f32, ())                                                 \
    X(NONE, bnn_gather_hw_f32, ())                                             \
    X(NONE, bnn_softmax_f32, ())                                               \
    X(NONE, bnn_nchw_to_nhwc_f32, ())                                          \
    X(NONE, bnn_nchw_to_nhwc_affine_f32, ())                                   \
    X(NONE, bnn_nhwc_to_nchw_f32, ())                                          \
    X(NONE, bnn_unary_f32, ())                                                 \
    X(NONE, bnn_binary_f32, ())                                                \
    X(NONE, bnn_binary_pixel_f32, ())                                          \
    X(NONE, bnn_channel_mean_f32, ())                                          \
    X(NONE, bnn_u8_nchw_to_nhwc_f32, ())                                       \
    X(NONE, bnn_permute_f32, ())                                               \
    X(NONE, bnn_topk_f32, ())

/* The int8 kernels (bnn_int8.h). */
#define BNN_KERNELS_I8(X)                                                      \
    X(I8, bnn_conv2d_i8_i8,                                                    \
      (const bnn_conv2d_i8_params *, const int8_t *, int8_t *, void *))        \
    X(I8, bnn_conv2d_i8_i32,                                                   \
      (const bnn_conv2d_i8_params *, const int8_t *, int32_t *, void *))       \
    X(I8, bnn_dense_i8_i8,                                                     \
      (const bnn_dense_i8_params *, const int8_t *, int8_t *, void *))         \
    X(I8, bnn_dense_i8_i32,                                                    \
      (const bnn_dense_i8_params *, const int8_t *, int32_t *, void *))        \
    X(NONE, bnn_dense_i8_f32, ())                                              \
    X(NONE, bnn_dwconv2d_i8_i8, ())                                            \
    X(PACK, bnn_quantize_f32_i8,                                               \
      (const bnn_quant_i8_params *, const float *, int8_t *))                  \
    X(PACK, bnn_dequantize_i8_f32,                                             \
      (const bnn_quant_i8_params *, const int8_t *, float *))                  \
    X(NONE, bnn_requantize_i8_i8, ())                                          \
    X(NONE, bnn_copy_channels_i8, ())                                          \
    X(NONE, bnn_add_i8, ())                                                    \
    X(NONE, bnn_sub_i8, ())                                                    \
    X(NONE, bnn_mul_i8, ())                                                    \
    X(NONE, bnn_maxpool_i8, ())                                                \
    X(NONE, bnn_avgpool_i8, ())                                                \
    X(NONE, bnn_pad2d_i8, ())                                                  \
    X(NONE, bnn_mean_hw_i8, ())                                                \
    X(NONE, bnn_requantize_i8, ())                                             \
    X(NONE, bnn_copy_channels_p_i8, ())                                        \
    X(NONE, bnn_mean_i8, ())                                                   \
    X(NONE, bnn_prelu_i8, ())                                                  \
    X(NONE, bnn_softmax_i8, ())                                                \
    X(NONE, bnn_hard_swish_i8, ())                                             \
    X(NONE, bnn_lut_i8, ())

/* Declarations of every compiled-in variant of every kernel. */
#define BNN_DECLARE_ONE_(k, sfx, args) BNN_API bnn_status k##__##sfx args;
#define BNN_DECLARE_KERNEL_(FAM, k, args) BNN_##FAM##_EACH(BNN_DECLARE_ONE_, k, args)
BNN_KERNELS(BNN_DECLARE_KERNEL_)

#endif
