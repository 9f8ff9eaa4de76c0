/*
 * run_model.c - runs a generated model (prefix "net") on every sample of
 * input_data.h and prints each output as the bits of its float32 value,
 * so that runs on different targets can be compared byte for byte:
 *
 *     sample 0 rc 0 out 3f7ffe2c 3a0c1d00 ...
 *
 * Bare-metal Cortex-M builds (BNNC_SEMIHOST) print over semihosting and
 * add the stack the first run used (stack painting, see
 * examples/cortex-m/stack_usage.h):
 *
 *     stack 344
 *
 * With -DNET_PROFILE -DNET_PROFILE_USER_HOOK (Cortex-M only) the first
 * sample's run is timed per step by instruction count (insn_count.c) and
 * each step is printed after the run:
 *
 *     overhead 31
 *     step 5 digits0_qconv0_fwd 123456
 *     total 987654
 *
 * Step counts have the cost of reading the counter (overhead) taken
 * off; the total is net_run() as a whole.
 *
 * With -DNET_PROFILE alone the generated code's default hook times the
 * steps (DWT cycle counter or SysTick on Cortex-M, clock_gettime
 * elsewhere); after the first run every step's node and ticks are printed
 * from net_profile_node[] and net_profile_ticks[]:
 *
 *     hook 5 digits0_qconv0_fwd 123456
 *
 * Other builds print with stdio. The exit status is 0 when every run
 * returned 0.
 */
#include <stdint.h>
#include <string.h>

#include "input_data.h"
#include "net.h"

#if defined(BNNC_SEMIHOST)
#include "semihost.h"
#include "stack_usage.h"
#define put_str semihost_write
#else
#include <stdio.h>
static void put_str(const char *s)
{
    fputs(s, stdout);
}
#endif

static float input[NET_INPUT_SIZE];
static float output[NET_OUTPUT_SIZE];

static void put_hex32(uint32_t v)
{
    static const char digits[] = "0123456789abcdef";
    char buf[10];
    int i;
    buf[0] = ' ';
    for (i = 8; i >= 1; i--) {
        buf[i] = digits[v & 0xfu];
        v >>= 4;
    }
    buf[9] = '\0';
    put_str(buf);
}

static void put_uint(uint64_t v)
{
    char buf[24], *p = buf + sizeof buf - 1;
    *p = '\0';
    do {
        *--p = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v);
    put_str(p);
}

#if defined(NET_PROFILE) && defined(NET_PROFILE_USER_HOOK)
/* Per-step instruction counts of the first run (insn_count.h). */
#include "insn_count.h"
#define MAX_STEPS 256
static struct {
    int step;
    const char *node;
    uint64_t insns;
} prof[MAX_STEPS];
static int n_prof;

uint64_t net_profile_now(void)
{
    return insn_count_now();
}

void net_profile_hook(int step, const char *node, uint64_t ticks)
{
    if (n_prof < MAX_STEPS) {
        prof[n_prof].step = step;
        prof[n_prof].node = node;
        prof[n_prof].insns = ticks;
        n_prof++;
    }
}
#endif

int main(void)
{
    uint32_t s, samples = input_words_LEN / NET_INPUT_SIZE;
    int failed = 0;
#if defined(NET_PROFILE) && defined(NET_PROFILE_USER_HOOK)
    uint64_t overhead;
    insn_count_start();
    /* what a step costs with an empty body: the two counter reads */
    overhead = insn_count_now();
    overhead = insn_count_now() - overhead;
    put_str("overhead ");
    put_uint(overhead);
    put_str("\n");
#endif
    for (s = 0; s < samples; s++) {
        uint32_t i;
        int rc;
        memcpy(input, &input_words[s * NET_INPUT_SIZE], sizeof input);
#if defined(BNNC_SEMIHOST) && !defined(NET_PROFILE)
        if (s == 0) {
            uintptr_t top = stack_pointer();
            stack_paint();
            rc = net_run(input, output);
            put_str("stack ");
            put_uint(stack_used(top));
            put_str("\n");
        } else
#endif
        {
#if defined(NET_PROFILE) && defined(NET_PROFILE_USER_HOOK)
            uint64_t t0 = insn_count_now();
            rc = net_run(input, output);
            if (s == 0) {
                int k;
                uint64_t total = insn_count_now() - t0;
                for (k = 0; k < n_prof; k++) {
                    put_str("step ");
                    put_uint((uint64_t)prof[k].step);
                    put_str(" ");
                    put_str(prof[k].node);
                    put_str(" ");
                    put_uint(prof[k].insns - overhead);
                    put_str("\n");
                }
                put_str("total ");
                put_uint(total);
                put_str("\n");
            }
#elif defined(NET_PROFILE)
            rc = net_run(input, output);
            if (s == 0) {
                uint32_t k;
                for (k = 0; k < NET_STEPS; k++) {
                    put_str("hook ");
                    put_uint(k + 1u);
                    put_str(" ");
                    put_str(net_profile_node[k] ? net_profile_node[k] : "(none)");
                    put_str(" ");
                    put_uint(net_profile_ticks[k]);
                    put_str("\n");
                }
            }
#else
            rc = net_run(input, output);
#endif
        }
        failed |= rc != 0;
        put_str("sample ");
        put_uint(s);
        put_str(" rc ");
        put_uint((uint64_t)(rc < 0 ? 999 : rc));
        put_str(" out");
        for (i = 0; i < NET_OUTPUT_SIZE; i++) {
            uint32_t bits;
            memcpy(&bits, &output[i], sizeof bits);
            put_hex32(bits);
        }
        put_str("\n");
    }
    return failed;
}
