/*
 * fpenv_run.c - what a generated run does to the caller's floating-point
 * mode (check-fpenv-run.sh builds it with net.c).
 *
 * net.c is compiled with -Dbnn_dense_f32=fpenv_dense_f32, so its dense
 * step calls the wrapper below: it records the mode the run is in and
 * either runs the real kernel or fails as a kernel rejecting its
 * arguments would. Each case sets a caller mode (rounding toward zero,
 * with and without flush-to-zero already on), runs, and checks:
 *   - the run's result (0, or the failing step's number, or -1);
 *   - the mode inside the run: flushing (default build) or the caller's
 *     (-DNET_KEEP_DENORMALS);
 *   - the mode after the run: the caller's, bit for bit (exception flags
 *     left out: the run may raise them).
 * Built with FAIL_STEP = the dense step's number, EXPECT_FLUSH 1 or 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bnn.h"
#include "net.h"

#if !BNN_FPENV_SUPPORTED
#error "fpenv_run.c needs a target with a flush-to-zero mode"
#endif

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86)
#define STATUS_BITS 0x3fu        /* MXCSR exception flags */
#define ROUND_ZERO 0x6000u       /* MXCSR RC = 11: toward zero */
#elif defined(__aarch64__) || defined(__arm__)
#define STATUS_BITS 0x0u         /* FPCR has no flags; FPSCR's are in bits 0-4, 7, 27-31 */
#define ROUND_ZERO 0xc00000u     /* FPCR/FPSCR RMode = 11 */
#endif

bnn_status fpenv_dense_f32(const bnn_dense_params *p, const float *in, float *out);

static int fail_now;
static uint64_t inside;
static volatile float tiny = 1e-20f;
static float flushed_product;

bnn_status fpenv_dense_f32(const bnn_dense_params *p, const float *in, float *out)
{
    inside = bnn_fpenv_read();
    flushed_product = tiny * tiny; /* 1e-40: subnormal unless flushed */
    if (fail_now)
        return BNN_ARG_ERROR;
    return bnn_dense_f32(p, in, out);
}

static float in[NET_INPUT_SIZE], out[NET_OUTPUT_SIZE];
static int fails;

static void check(const char *what, int fail, int expect_rc, uint64_t caller)
{
    uint64_t after;
    int rc;
    bnn_fpenv_write(caller);
    fail_now = fail;
    inside = 0xdeadu;
    rc = expect_rc == -1 ? net_run(NULL, out) : net_run(in, out);
    after = bnn_fpenv_read();
    bnn_fpenv_write(caller & ~(uint64_t)BNN_FPENV_MASK);
    if (rc != expect_rc) {
        printf("FAIL %s: run returned %d, expected %d\n", what, rc, expect_rc);
        fails++;
    }
    if ((after & ~(uint64_t)STATUS_BITS) != (caller & ~(uint64_t)STATUS_BITS)) {
        printf("FAIL %s: mode 0x%llx after the run, the caller's was 0x%llx\n", what,
               (unsigned long long)after, (unsigned long long)caller);
        fails++;
    }
    if (expect_rc == -1) {
        if (inside != 0xdeadu) {
            printf("FAIL %s: a step ran\n", what);
            fails++;
        }
    } else {
        uint64_t want = EXPECT_FLUSH ? (caller | BNN_FPENV_MASK) : caller;
        if ((inside & ~(uint64_t)STATUS_BITS) != (want & ~(uint64_t)STATUS_BITS)) {
            printf("FAIL %s: mode 0x%llx during the run, expected 0x%llx\n", what,
                   (unsigned long long)inside, (unsigned long long)want);
            fails++;
        }
        if ((EXPECT_FLUSH || (caller & BNN_FPENV_MASK)) != (flushed_product == 0.0f)) {
            printf("FAIL %s: 1e-20 * 1e-20 gave %g during the run\n", what,
                   (double)flushed_product);
            fails++;
        }
    }
    printf("%-44s rc %3d, mode 0x%llx -> 0x%llx (during 0x%llx)\n", what, rc,
           (unsigned long long)caller, (unsigned long long)after,
           (unsigned long long)inside);
}

int main(void)
{
    uint64_t base = bnn_fpenv_read() & ~(uint64_t)(BNN_FPENV_MASK | STATUS_BITS);
    size_t i;
    for (i = 0; i < NET_INPUT_SIZE; i++)
        in[i] = (float)(i % 7) - 3.0f;
    check("success, caller without FTZ", 0, 0, base | ROUND_ZERO);
    check("failing step, caller without FTZ", 1, FAIL_STEP, base | ROUND_ZERO);
    check("success, caller with FTZ", 0, 0, base | ROUND_ZERO | BNN_FPENV_MASK);
    check("failing step, caller with FTZ", 1, FAIL_STEP, base | ROUND_ZERO | BNN_FPENV_MASK);
    check("NULL input (before any step)", 0, -1, base | ROUND_ZERO);
    check("success, default caller mode", 0, 0, base);
    if (fails)
        printf("%d failures\n", fails);
    return fails != 0;
}
