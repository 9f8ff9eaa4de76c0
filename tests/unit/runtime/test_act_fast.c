/*
 * test_act_fast.c - bnn_exp_fast_f32, bnn_act_fast_f32 and
 * bnn_softmax_fast_f32: against double-precision references within the
 * bounds bnn.h states, on the special values, every 4099th float bit
 * pattern (over a million inputs per function) and every float near the
 * implementation's thresholds; every SIMD variant compiled in bit-identical
 * to portable on all of those, on every length 0..40 and in place.
 * test_act_fast_exhaustive.c proves the bounds on all 2^32 inputs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "act_fast_test_util.h"

static void test_sampled(void **state)
{
    (void)state;
    assert_int_equal(af_check_sampled(4099u, 2048u), 0);
}

static void test_lengths(void **state)
{
    (void)state;
    assert_int_equal(af_check_lengths(), 0);
}

static void test_softmax(void **state)
{
    (void)state;
    assert_int_equal(af_check_softmax(7u), 0);
}

/* Values worked out by hand / libm, independent of the reference code. */
static void test_values(void **state)
{
    float x[6] = {0.0f, -0.0f, 1.0f, -1.0f, -100.0f, 30.0f}, y[6];
    (void)state;
    assert_int_equal(
        bnn_act_fast_f32(&(bnn_act_params){.act = BNN_ACT_SIGMOID, .alpha = 0.0f, .n = 6}, x, y),
        BNN_OK);
    assert_true(y[0] == 0.5f && y[1] == 0.5f && y[5] == 1.0f);
    assert_true(fabsf(y[2] - 0.7310585786f) <= 2e-7f && fabsf(y[3] - 0.2689414214f) <= 1e-7f);
    /* e^-100 / (1 + e^-100) = 3.72e-44 = 26.55 * 2^-149: subnormal,
     * rounded to 27 * 2^-149, not 0 */
    assert_true(y[4] == 0x1.bp-145f);
    assert_int_equal(
        bnn_act_fast_f32(&(bnn_act_params){.act = BNN_ACT_TANH, .alpha = 0.0f, .n = 6}, x, y),
        BNN_OK);
    assert_true(y[0] == 0.0f && !signbit(y[0]) && y[1] == 0.0f && signbit(y[1]));
    assert_true(fabsf(y[2] - 0.7615941560f) <= 1e-7f && y[3] == -y[2]);
    assert_true(y[4] == -1.0f && y[5] == 1.0f);
    assert_int_equal(
        bnn_act_fast_f32(&(bnn_act_params){.act = BNN_ACT_GELU, .alpha = 0.0f, .n = 6}, x, y),
        BNN_OK);
    assert_true(fabsf(y[2] - 0.8413447461f) <= 2e-7f && fabsf(y[3] + 0.1586552539f) <= 1e-7f);
    assert_true(y[4] == 0.0f && y[5] == 30.0f);
    assert_int_equal(bnn_exp_fast_f32(&(bnn_eltwise_params){.n = 6}, x, y), BNN_OK);
    assert_true(y[0] == 1.0f && y[1] == 1.0f && fabsf(y[2] - 2.718281828f) <= 3e-7f);
    assert_true(y[4] == 0x1.bp-145f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values), cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_softmax), cmocka_unit_test(test_sampled)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
