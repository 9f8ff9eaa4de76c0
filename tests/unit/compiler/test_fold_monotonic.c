/*
 * test_fold_monotonic.c - tanh/sigmoid + BatchNorm + sign folded into a
 * threshold on the activation's input (passes/fold_monotonic.c).
 *
 * Checked against the definition, not the derivation: the decision the
 * program made before the fold, D(act(y)) = act(y) * m + a < 0 in float
 * with act the runtime's own bnn_act_fast_f32 (linked from runtime_min,
 * the variant this build selects), must equal the folded one,
 * y * gamma + beta < 0, for every float y within 2^14 floats of the
 * threshold, 2^16 random floats, +-0, +-FLT_MAX, +-inf and NaN, and with
 * a pool in between for the all-NaN window (-FLT_MAX); all of it once
 * in the default floating-point mode and once with subnormals flushed
 * (bnn_fpenv_enter, as generated runs set by default). Cases: m > 0,
 * m < 0, m = 0 with a >= 0 (constant +1) and a < 0 (constant -1: no
 * fold), thresholds near 0, near the saturation of tanh and sigmoid,
 * tiny and subnormal ones, random ones (most must fold), and a
 * threshold at one of the inputs where the runtime's tanh decreases by
 * one ulp (the decision is no threshold there: no fold).
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bnn.h"
#include "bnn_fpenv.h"
#include "passes/passes.h"

static float act_rt(ir_act_kind k, float y)
{
    float z;
    bnn_act_params p = {.act = k == IR_ACT_TANH ? BNN_ACT_TANH : BNN_ACT_SIGMOID,
                        .alpha = 0.0f, .n = 1};
    assert_int_equal(bnn_act_fast_f32(&p, &y, &z), BNN_OK);
    return z;
}

static int decide(float z, float m, float a)
{
    float t = z * m;
    t = t + a;
    return t < 0.0f;
}

static float step_float(float x, int64_t n)
{
    while (n > 0 && x < INFINITY) {
        x = nextafterf(x, INFINITY);
        n--;
    }
    while (n < 0 && x > -INFINITY) {
        x = nextafterf(x, -INFINITY);
        n++;
    }
    return x;
}

static uint32_t rnd_state = 2463534242u;
static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}

/* One (act, m, a): fold it and, when folded, check every probe. Returns
 * whether it folded. */
static int check(ir_act_kind k, float m, float a, int with_pool)
{
    float g = NAN, b = NAN, t, y;
    int64_t i;
    static const float special[] = {0.0f, -0.0f, FLT_MAX, -FLT_MAX, INFINITY, -INFINITY,
                                    FLT_MIN, -FLT_MIN, 0x1p-149f, -0x1p-149f};
    if (!fold_monotonic_channel(k, m, a, with_pool, &g, &b))
        return 0;
    assert_true(g == 1.0f || g == -1.0f || (g == 0.0f && b == 1.0f));
    t = g == 1.0f ? -b : b;
    for (int mode = 0; mode < 2; mode++) {
        bnn_fpenv saved = {0};
        if (mode && !BNN_FPENV_SUPPORTED)
            break;
        if (mode)
            bnn_fpenv_enter(&saved); /* as generated runs do by default */
        y = step_float(t, -(1 << 14));
        for (i = -(1 << 14); i <= (1 << 14) && g != 0.0f; i++, y = step_float(y, 1)) {
            if (decide(act_rt(k, y), m, a) != decide(y, g, b))
                fail_msg("act %d m %a a %a flush %d: y %a gives %d before, %d folded (T %a)",
                         (int)k, (double)m, (double)a, mode, (double)y,
                         decide(act_rt(k, y), m, a), decide(y, g, b), (double)t);
        }
        for (i = 0; i < (1 << 16); i++) {
            uint32_t u = rnd();
            memcpy(&y, &u, sizeof y);
            if (isnan(y))
                continue;
            if (decide(act_rt(k, y), m, a) != decide(y, g, b))
                fail_msg("act %d m %a a %a flush %d: y %a differs", (int)k, (double)m,
                         (double)a, mode, (double)y);
        }
        for (i = 0; i < (int64_t)(sizeof special / sizeof *special); i++)
            assert_int_equal(decide(act_rt(k, special[i]), m, a), decide(special[i], g, b));
        /* NaN: +1 both ways */
        assert_int_equal(decide(act_rt(k, NAN), m, a), 0);
        assert_int_equal(decide(NAN, g, b), 0);
        /* a max pool over NaNs only gives -FLT_MAX */
        if (with_pool)
            assert_int_equal(decide(-FLT_MAX, m, a), decide(-FLT_MAX, g, b));
        if (mode)
            bnn_fpenv_leave(&saved);
    }
    return 1;
}

static void test_cases(void **state)
{
    static const float zs[] = {0.0f, 0.5f, -0.5f, 0.999f, -0.999f, 0.9999999f, 1e-30f,
                               -1e-30f, 0x1p-140f, 0.25f, 0.75f, 0.00001f};
    (void)state;
    for (int k = IR_ACT_SIGMOID; k <= IR_ACT_TANH; k++)
        for (int pool = 0; pool < 2; pool++) {
            /* constant channels */
            assert_int_equal(check((ir_act_kind)k, 0.0f, 1.0f, pool), 1);
            assert_int_equal(check((ir_act_kind)k, 0.0f, 0.0f, pool), 1);
            assert_int_equal(check((ir_act_kind)k, 0.0f, -1.0f, pool), 0);
            /* a subnormal constant: no fold */
            assert_int_equal(check((ir_act_kind)k, 0x1p-130f, -0x1p-131f, pool), 0);
            assert_int_equal(check((ir_act_kind)k, 1.0f, -0x1p-140f, pool), 0);
            /* beyond the range: constant (+1 folds without a pool; with
             * one, a window of NaNs gave -FLT_MAX + 5 < 0 before) */
            assert_int_equal(check((ir_act_kind)k, 1.0f, 5.0f, pool), !pool);
            assert_int_equal(check((ir_act_kind)k, 1.0f, -5.0f, pool), 0);
            assert_int_equal(check((ir_act_kind)k, -1.0f, 5.0f, pool), 1);
            /* thresholds at z = zs[i], both signs of m */
            for (size_t i = 0; i < sizeof zs / sizeof *zs; i++) {
                float z = k == IR_ACT_SIGMOID ? fabsf(zs[i]) : zs[i];
                check((ir_act_kind)k, 1.0f, -z, pool);
                check((ir_act_kind)k, -1.0f, z, pool);
                check((ir_act_kind)k, 3.7f, -3.7f * z, pool);
                check((ir_act_kind)k, -0.3f, 0.3f * z, pool);
            }
        }
}

/* Random BatchNorm-like constants: most fold, all folded ones are exact. */
static void test_random(void **state)
{
    int folded = 0, total = 0;
    (void)state;
    for (int i = 0; i < 400; i++) {
        ir_act_kind k = i % 2 ? IR_ACT_TANH : IR_ACT_SIGMOID;
        float m = (float)((double)(rnd() % 20001) / 1000.0 - 10.0);
        float z = (float)((double)(rnd() % 20001) / 10000.0 - 1.0);
        if (k == IR_ACT_SIGMOID)
            z = (z + 1.0f) / 2.0f;
        if (m == 0.0f)
            continue;
        total++;
        folded += check(k, m, -(z * m), i % 3 == 0);
    }
    print_message("folded %d of %d random channels\n", folded, total);
    assert_true(folded * 10 >= total * 9);
}

/* Where the runtime's tanh decreases: y0 - ulp gives z1, y0 gives z1 - ulp.
 * The decision "z < z1" is -1 at y0 but +1 just below it: no threshold. */
static void test_not_monotone(void **state)
{
    float y0 = -0x1.d3de3cp-1f, ylow = nextafterf(y0, -INFINITY);
    float z1 = act_rt(IR_ACT_TANH, ylow), z0 = act_rt(IR_ACT_TANH, y0);
    float g, b;
    (void)state;
    assert_true(z0 < z1); /* the runtime's tanh decreases here */
    assert_int_equal(fold_monotonic_channel(IR_ACT_TANH, 1.0f, -z1, 0, &g, &b), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_cases),
                                       cmocka_unit_test(test_random),
                                       cmocka_unit_test(test_not_monotone)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
