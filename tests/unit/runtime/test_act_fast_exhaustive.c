/*
 * test_act_fast_exhaustive.c - exp, sigmoid, tanh and gelu of
 * bnn_exp_fast_f32 / bnn_act_fast_f32 on every one of the 2^32 float bit
 * patterns: the portable kernel within the bound bnn.h states against a
 * double-precision reference (act_fast_test_util.h), and every SIMD
 * variant compiled in bit-identical to portable on every input, so the
 * bound holds for each of them. Prints the largest error of each
 * function.
 *
 * It takes about a minute per function on one x86 core in a Release
 * build (2^32 inputs, about 2.5e8 libm references, every variant), so it
 * runs only when BNNC_EXHAUSTIVE=1 is set; otherwise it exits 77, which
 * CTest reports as skipped. test_act_fast.c runs the same checks on over
 * a million inputs per function every time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "act_fast_test_util.h"

#define BLOCK 65536u

static void check_all(af_func f)
{
    float *in = malloc(BLOCK * sizeof(float));
    float *ref = malloc(BLOCK * sizeof(float));
    float *out = malloc(BLOCK * sizeof(float));
    double worst = 0.0, worst_tight = 0.0;
    float worst_x = 0.0f;
    long fails = 0, printed = 0;
    clock_t t0 = clock();
    assert_non_null(in);
    assert_non_null(ref);
    assert_non_null(out);
    for (uint32_t hi = 0; hi < 65536u; ++hi) {
        for (uint32_t lo = 0; lo < BLOCK; ++lo)
            in[lo] = af_from_bits(hi << 16 | lo);
        fails += af_check_block(f, BLOCK, in, ref, out, &worst, &worst_x, &worst_tight,
                                &printed);
    }
    printf("%-8s max error %.4f ulp at %a (bound %g), %d variant(s), %.1f s\n",
           af_names[f], worst, (double)worst_x, af_bound[f], af_num_variants(),
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    if (f == AF_GELU)
        printf("gelu     max error %.4f ulp for x >= -0.5 (bound 2)\n", worst_tight);
    free(in);
    free(ref);
    free(out);
    assert_int_equal(fails, 0);
}

static void test_exp(void **state)
{
    (void)state;
    check_all(AF_EXP);
}

static void test_sigmoid(void **state)
{
    (void)state;
    check_all(AF_SIGMOID);
}

static void test_tanh(void **state)
{
    (void)state;
    check_all(AF_TANH);
}

static void test_gelu(void **state)
{
    (void)state;
    check_all(AF_GELU);
}

int main(void)
{
    const char *on = getenv("BNNC_EXHAUSTIVE");
    if (!on || strcmp(on, "1") != 0) {
        printf("skipped: set BNNC_EXHAUSTIVE=1 to check all 2^32 inputs\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exp), cmocka_unit_test(test_sigmoid),
        cmocka_unit_test(test_tanh), cmocka_unit_test(test_gelu)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
