/*
 * runtime_equivalence.c - self-contained check of the binary and int8
 * kernels for cross targets, where CMocka is not available: every
 * compiled-in variant and the public entry points against the independent
 * references and the portable kernel (tests/unit/runtime/
 * binary_test_util.h, int8_test_util.h), on the same fixed and random
 * shapes as the CMocka tests; the activations without libm
 * (act_fast_test_util.h); and the flush-to-zero mode of bnn_fpenv.h
 * (fpenv_test_util.h). Prints one line per failing case and ends with
 * "N passed, M failed"; exits 1 when anything failed.
 */
#include "act_fast_test_util.h"
#include "binary_test_util.h"
#include "fpenv_test_util.h"
#include "int8_test_util.h"

/* Counts one check. */
static void tally(int fails, int *passed, int *failed)
{
    if (fails == 0)
        (*passed)++;
    else
        (*failed)++;
}

/* The int8 checks of test_int8.c that have no CMocka dependency. */
static void int8_checks(int *passed, int *failed)
{
    static const it_conv_shape dw[] = {
        {1, 5, 5, 1, 0, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0},
        {1, 7, 6, 16, 0, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},
        {2, 6, 5, 17, 0, 3, 3, 1, 1, 1, 1, 2, 2, 1, 2, 0},
        {1, 2, 3, 3, 0, 2, 2, 1, 1, 3, 3, 1, 1, 1, 0, 0},
    };
    static const bnn_pool2d_i8_params pools[] = {
        {1, 5, 5, 3, 3, 3, 2, 2, 2, 2, 0, 0, -128, 127},
        {2, 7, 6, 17, 4, 3, 3, 3, 2, 2, 1, 1, -128, 127},
        {1, 6, 6, 5, 6, 6, 3, 3, 1, 1, 1, 1, -20, 30},
    };
    uint32_t seed = 4242u;
    int i, f;
    tally(it_check_primitives(11u), passed, failed);
    tally(it_check_quantize_multiplier(12u), passed, failed);
    for (i = 0; i < IT_NUM_CONV_SHAPES; i++)
        for (f = 0; f < 4; f++) {
            static const int flags[4] = {0, IT_ZP_MIN, IT_ZP_MAX | IT_NO_BIAS, IT_EXTREMES};
            tally(it_check_conv(&it_conv_shapes[i], 101u + (uint32_t)f, flags[f]), passed,
                  failed);
        }
    tally(it_check_ties(61u), passed, failed);
    tally(it_check_ties(62u), passed, failed);
    for (i = 0; i < IT_NUM_RANDOM_SHAPES; i++) {
        it_conv_shape s;
        it_random_conv_shape(&seed, &s);
        tally(it_check_conv(&s, seed, i % 5 == 0 ? IT_EXTREMES : 0), passed, failed);
    }
    for (i = 0; i < (int)(sizeof dw / sizeof dw[0]); i++) {
        tally(it_check_dwconv(&dw[i], 1, 300u + (uint32_t)i, 0), passed, failed);
        tally(it_check_dwconv(&dw[i], 3, 310u + (uint32_t)i, IT_EXTREMES), passed, failed);
    }
    for (i = 0; i < 3; i++)
        tally(it_check_eltwise(i, 21u + (uint32_t)i), passed, failed);
    for (i = 0; i < (int)(sizeof pools / sizeof pools[0]); i++)
        tally(it_check_pool(&pools[i], 40u + (uint32_t)i), passed, failed);
    tally(it_check_quant(51u), passed, failed);
}

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
    int8_checks(&passed, &failed);
    /* exp, sigmoid, tanh, gelu: bounds and variants on a coarse sample
     * (the host tests take every 4099th pattern), lengths, softmax */
    tally(af_check_sampled(4194301u, 256u) != 0, &passed, &failed);
    tally(af_check_lengths() != 0, &passed, &failed);
    tally(af_check_softmax(11u) != 0, &passed, &failed);
    tally(ft_check_fpenv(), &passed, &failed);
    printf("fpenv: flush-to-zero mode %s\n",
           BNN_FPENV_SUPPORTED ? "checked" : "not available (calls checked to be no-ops)");
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
