/*
 * variants.c - the list of binary kernel variants compiled into this
 * build of the runtime (bnn_variants.h), for tests and benchmarks.
 * Generated models never call it.
 */
#include "bnn_internal.h"

#define BNN_VARIANT_ENTRY(sfx)                                                 \
    {                                                                          \
        #sfx, bnn_bconv2d_b_i32__##sfx, bnn_bconv2d_b_f32__##sfx,              \
            bnn_bconv2d_b_b__##sfx, bnn_bdense_b_i32__##sfx,                   \
            bnn_bdense_b_f32__##sfx, bnn_bdense_b_b__##sfx                     \
    }

BNN_API int bnn_variant_count(void)
{
    return 1 + BNN_HAVE_AVX512 + BNN_HAVE_AVX2 + BNN_HAVE_NEON +
           BNN_HAVE_ARMV7EM;
}

bnn_variant bnn_variant_get(int i)
{
    static const bnn_variant all[] = {
        BNN_VARIANT_ENTRY(portable),
#if BNN_HAVE_ARMV7EM
        BNN_VARIANT_ENTRY(armv7em),
#endif
#if BNN_HAVE_NEON
        BNN_VARIANT_ENTRY(neon),
#endif
#if BNN_HAVE_AVX2
        BNN_VARIANT_ENTRY(avx2),
#endif
#if BNN_HAVE_AVX512
        BNN_VARIANT_ENTRY(avx512),
#endif
    };
    return all[i < 0 || i >= bnn_variant_count() ? 0 : i];
}
