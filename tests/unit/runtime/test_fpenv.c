/*
 * test_fpenv.c - bnn_fpenv_enter / bnn_fpenv_leave on the host: subnormal
 * operands and results are zero between them (also through runtime
 * kernels), normal arithmetic is unchanged, and the caller's mode comes
 * back (off, on, nested, and on x86 a partial FTZ-only mode, with the
 * rounding mode and exception masks untouched). The same check runs on
 * the cross targets (fpenv_test_util.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fpenv_test_util.h"

static void test_fpenv(void **state)
{
    (void)state;
    assert_int_equal(ft_check_fpenv(), 0);
#if defined(__x86_64__) || defined(__aarch64__)
    /* The host targets the project is tested on have the mode. */
    assert_int_equal(BNN_FPENV_SUPPORTED, 1);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_fpenv)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
