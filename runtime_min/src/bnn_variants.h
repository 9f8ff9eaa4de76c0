/*
 * bnn_variants.h - compile-time selection of the binary kernel variants.
 *
 * Every binary conv/dense kernel has a portable C99 version (the oracle,
 * suffix __portable) and optional per-ISA versions in runtime_min/arch/,
 * each compiled only when the compiler's predefined macros say the target
 * has the instructions (BNN_HAVE_* below). The public function
 * (bnn_bconv2d_b_i32, ...) calls BNN_BEST(name): the best variant
 * compiled in, chosen at compile time; no run-time CPU detection.
 * Defining BNN_FORCE_PORTABLE=1 (CMake: BNNC_RUNTIME_PORTABLE) compiles
 * out every SIMD variant, so the public functions are the portable ones.
 *
 * Tests and the benchmark enumerate the compiled-in variants with
 * bnn_variant_count() / bnn_variant_get().
 */
#ifndef BNN_VARIANTS_H
#define BNN_VARIANTS_H

#include "bnn.h"

#if defined(BNN_FORCE_PORTABLE) && BNN_FORCE_PORTABLE + 0
#define BNN_HAVE_AVX512 0
#define BNN_HAVE_AVX2 0
#define BNN_HAVE_NEON 0
#define BNN_HAVE_ARMV7EM 0
#else
/* x86 AVX-512 with VPOPCNTD (Ice Lake, Zen 4 and later); BW and VL for
 * the byte/mask loads of the output stage. */
#if defined(__AVX512F__) && defined(__AVX512VPOPCNTDQ__) && \
    defined(__AVX512BW__) && defined(__AVX512VL__)
#define BNN_HAVE_AVX512 1
#else
#define BNN_HAVE_AVX512 0
#endif
/* x86 AVX2: popcount by a pshufb nibble table. */
#if defined(__AVX2__)
#define BNN_HAVE_AVX2 1
#else
#define BNN_HAVE_AVX2 0
#endif
/* AArch64 Advanced SIMD: vcnt. */
#if defined(__ARM_NEON) && defined(__aarch64__)
#define BNN_HAVE_NEON 1
#else
#define BNN_HAVE_NEON 0
#endif
/* Armv7E-M (Cortex-M4/M7/M33 with DSP): SWAR popcount with USADA8. */
#if defined(__ARM_FEATURE_DSP) && defined(__ARM_ARCH_PROFILE) && \
    __ARM_ARCH_PROFILE == 'M'
#define BNN_HAVE_ARMV7EM 1
#else
#define BNN_HAVE_ARMV7EM 0
#endif
#endif

/* BNN_BEST(name): the variant the public function `name` calls. */
#if BNN_HAVE_AVX512
#define BNN_BEST(name) name##__avx512
#elif BNN_HAVE_AVX2
#define BNN_BEST(name) name##__avx2
#elif BNN_HAVE_NEON
#define BNN_BEST(name) name##__neon
#elif BNN_HAVE_ARMV7EM
#define BNN_BEST(name) name##__armv7em
#else
#define BNN_BEST(name) name##__portable
#endif

/* Declares the six binary conv/dense entry points of one variant. */
#define BNN_DECLARE_VARIANT(sfx)                                               \
    BNN_API bnn_status bnn_bconv2d_b_i32__##sfx(const bnn_bconv2d_params *p,           \
                                        const uint32_t *in, int32_t *out,      \
                                        void *scratch);                        \
    BNN_API bnn_status bnn_bconv2d_b_f32__##sfx(const bnn_bconv2d_params *p,           \
                                        const uint32_t *in, float *out,        \
                                        void *scratch);                        \
    BNN_API bnn_status bnn_bconv2d_b_b__##sfx(const bnn_bconv2d_params *p,             \
                                      const uint32_t *in, uint32_t *out,       \
                                      void *scratch);                          \
    BNN_API bnn_status bnn_bdense_b_i32__##sfx(const bnn_bdense_params *p,             \
                                       const uint32_t *in, int32_t *out);      \
    BNN_API bnn_status bnn_bdense_b_f32__##sfx(const bnn_bdense_params *p,             \
                                       const uint32_t *in, float *out);        \
    BNN_API bnn_status bnn_bdense_b_b__##sfx(const bnn_bdense_params *p,               \
                                     const uint32_t *in, uint32_t *out);

BNN_DECLARE_VARIANT(portable)
#if BNN_HAVE_AVX512
BNN_DECLARE_VARIANT(avx512)
#endif
#if BNN_HAVE_AVX2
BNN_DECLARE_VARIANT(avx2)
#endif
#if BNN_HAVE_NEON
BNN_DECLARE_VARIANT(neon)
#endif
#if BNN_HAVE_ARMV7EM
BNN_DECLARE_VARIANT(armv7em)
#endif

/* One compiled-in variant, for tests and benchmarks. */
typedef struct {
    const char *name;
    bnn_status (*bconv2d_b_i32)(const bnn_bconv2d_params *, const uint32_t *,
                                int32_t *, void *);
    bnn_status (*bconv2d_b_f32)(const bnn_bconv2d_params *, const uint32_t *,
                                float *, void *);
    bnn_status (*bconv2d_b_b)(const bnn_bconv2d_params *, const uint32_t *,
                              uint32_t *, void *);
    bnn_status (*bdense_b_i32)(const bnn_bdense_params *, const uint32_t *,
                               int32_t *);
    bnn_status (*bdense_b_f32)(const bnn_bdense_params *, const uint32_t *,
                               float *);
    bnn_status (*bdense_b_b)(const bnn_bdense_params *, const uint32_t *,
                             uint32_t *);
} bnn_variant;

/* Number of variants compiled into the runtime library (at least 1:
 * portable). Defined in variants.c, so the answer reflects the flags the
 * library was built with, not those of the caller. */
BNN_API int bnn_variant_count(void);

/* Variant i (0 <= i < bnn_variant_count(); other i give portable); 0 is
 * portable, the last one is the one the public functions call. */
bnn_variant bnn_variant_get(int i);

#endif
