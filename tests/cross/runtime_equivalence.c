/*
 * runtime_equivalence.c - self-contained check of the binary kernels for
 * cross targets, where CMocka is not available: every compiled-in variant
 * and the public entry points against the independent +-1 oracle and the
 * portable kernel (tests/unit/runtime/binary_test_util.h), on the same
 * fixed and random shapes as the CMocka tests. Prints one line per failing case and ends
 * with "N passed, M failed"; exits 1 when anything failed.
 */
#include "binary_test_util.h"

int main(void)
{
    int i, pm, passed = 0, failed = 0;
    static const bt_conv_shape wide = {1, 3, 4, 512, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0};
    {
        int count;
        const bnn_kernel_variant *all = bnn_kernel_variants(&count);
        for (i = 0; i < count; i++)
            if (strcmp(all[i].variant, "portable") != 0)
                printf("variant: %s %s\n", all[i].kernel, all[i].variant);
    }
    for (i = 0; i <= BT_NUM_CONV_SHAPES; i++)
        for (pm = 0; pm < 3; pm++) {
            const bt_conv_shape *s = i < BT_NUM_CONV_SHAPES ? &bt_conv_shapes[i] : &wide;
            if (bt_check_conv(s, (bnn_pad_mode)pm, 1234u + (uint32_t)pm) == 0)
                passed++;
            else
                failed++;
        }
    {
        uint32_t seed = 2024u;
        for (i = 0; i < BT_NUM_RANDOM_SHAPES; i++) {
            bt_conv_shape s;
            bt_random_conv_shape(i, &seed, &s);
            for (pm = 0; pm < 3; pm++) {
                if (bt_check_conv(&s, (bnn_pad_mode)pm, seed + (uint32_t)pm) == 0)
                    passed++;
                else
                    failed++;
            }
        }
    }
    for (i = 0; i < BT_NUM_DENSE_SHAPES; i++) {
        if (bt_check_dense(&bt_dense_shapes[i], 777u) == 0)
            passed++;
        else
            failed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
