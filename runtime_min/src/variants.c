/*
 * variants.c - the table of every kernel variant compiled into this build
 * of the runtime (bnn_variants.h), for tests, benchmarks and tools that
 * report which variant a public function runs. Generated models never
 * call it. The answers reflect the flags the library was built with, not
 * those of the caller.
 */
#include "bnn_internal.h"

#include <string.h>

#define BNN_ENTRY_(k, sfx, args) {#k, #sfx, (bnn_any_fn)k##__##sfx},
#define BNN_ENTRIES_(FAM, k, args) BNN_##FAM##_EACH(BNN_ENTRY_, k, args)
#define BNN_ENTRIES_NONE_(FAM, k, args) {#k, "portable", (bnn_any_fn)k},
/* A NONE row is the public function itself; every other family lists its
 * suffixed entry points. */
#define BNN_ROW_(FAM, k, args) BNN_ROW_##FAM(FAM, k, args)
#define BNN_ROW_BIN BNN_ENTRIES_
#define BNN_ROW_F32 BNN_ENTRIES_
#define BNN_ROW_PACK BNN_ENTRIES_
#define BNN_ROW_I8 BNN_ENTRIES_
#define BNN_ROW_ACT BNN_ENTRIES_
#define BNN_ROW_NONE BNN_ENTRIES_NONE_

static const bnn_kernel_variant all_variants[] = {BNN_KERNELS(BNN_ROW_)};

BNN_API const bnn_kernel_variant *bnn_kernel_variants(int *count)
{
    if (count)
        *count = (int)(sizeof all_variants / sizeof all_variants[0]);
    return all_variants;
}

#define BNN_BEST_OF_(FAM, k, args)                                             \
    if (!strcmp(kernel, #k))                                                   \
        return BNN_STR(BNN_##FAM##_BEST);

BNN_API const char *bnn_variant_of(const char *kernel)
{
    if (!kernel)
        return NULL;
    BNN_KERNELS(BNN_BEST_OF_)
    return NULL;
}

BNN_API bnn_any_fn bnn_variant_fn(const char *kernel, const char *variant)
{
    size_t i;
    if (!kernel || !variant)
        return NULL;
    for (i = 0; i < sizeof all_variants / sizeof all_variants[0]; i++)
        if (!strcmp(all_variants[i].kernel, kernel) &&
            !strcmp(all_variants[i].variant, variant))
            return all_variants[i].fn;
    return NULL;
}
