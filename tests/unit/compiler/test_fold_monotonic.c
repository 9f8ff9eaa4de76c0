/*
 * test_fold_monotonic.c - chains of monotonic activations (tanh, sigmoid,
 * ReLU, clip, leaky ReLU, max/min with a scalar, affine maps) before an
 * optional BatchNorm and a sign, folded into a threshold on the chain's
 * input (passes/fold_monotonic.c).
 *
 * Checked against the definition, not the derivation: the bit the program
 * computed before the fold, each stage run by the runtime's own kernel
 * (bnn_act_f32, bnn_act_fast_f32, bnn_unary_f32, bnn_affine_f32 linked
 * from runtime_min, the variants this build selects) and the end by
 * bnn_pack_affine_f32_b, must equal the folded one, bnn_pack_affine_f32_b
 * with gamma and beta, for every float within 2^12 floats of the
 * threshold, of 0 and of every clip bound, 2^14 random floats, +-0,
 * +-FLT_MIN, +-2^-149, +-FLT_MAX, +-inf and NaN; with a max pool
 * (bnn_maxpool_f32 over windows of two probes, and of NaNs only) in the
 * chain, pooled before and after the move. All of it once in the default
 * floating-point mode and once with subnormals flushed (bnn_fpenv_enter,
 * as generated runs set by default). A chain that is not folded must be
 * one the cases expect not to fold (a bit of -1 everywhere, a decreasing
 * map before a pool, a subnormal constant, the runtime's tanh where it
 * decreases by one ulp).
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
#include "bnn_ops.h"
#include "passes/passes.h"

/* One stage by its runtime kernel. */
static float stage_rt(const fm_stage *s, float x)
{
    float y = NAN;
    switch (s->kind) {
    case FM_AFFINE: {
        bnn_affine_params p = {.pixels = 1, .c = 1, .mul = &s->p, .add = &s->q};
        assert_int_equal(bnn_affine_f32(&p, &x, &y), BNN_OK);
        break;
    }
    case FM_RELU:
    case FM_LEAKY: {
        bnn_act_params p = {.act = s->kind == FM_RELU ? BNN_ACT_RELU : BNN_ACT_LEAKY,
                            .alpha = s->p, .n = 1};
        assert_int_equal(bnn_act_f32(&p, &x, &y), BNN_OK);
        break;
    }
    case FM_TANH:
    case FM_SIGMOID: {
        bnn_act_params p = {.act = s->kind == FM_TANH ? BNN_ACT_TANH : BNN_ACT_SIGMOID,
                            .n = 1};
        assert_int_equal(bnn_act_fast_f32(&p, &x, &y), BNN_OK);
        break;
    }
    case FM_CLIP:
    case FM_MAX_S:
    case FM_MIN_S: {
        bnn_unary_params p = {.op = s->kind == FM_CLIP    ? BNN_UN_CLIP
                                    : s->kind == FM_MAX_S ? BNN_UN_MAX_S
                                                          : BNN_UN_MIN_S,
                              .a = s->p, .b = s->q, .n = 1};
        assert_int_equal(bnn_unary_f32(&p, &x, &y), BNN_OK);
        break;
    }
    }
    return y;
}

/* The sign-pack of x * m + a (bnn_pack_affine_f32_b): 1 for -1. */
static int pack_rt(float x, float m, float a)
{
    uint32_t w = 0xFFFFFFFFu;
    bnn_channels_params p = {.pixels = 1, .c = 1, .in_pixel_stride = 1, .out_pixel_stride = 1,
                             .mul = &m, .add = &a};
    assert_int_equal(bnn_pack_affine_f32_b(&p, &x, &w), BNN_OK);
    return (int)(w & 1u);
}

/* bnn_maxpool_f32 over a window of n values. */
static float pool_rt(const float *v, int n)
{
    float y = NAN;
    bnn_pool2d_params p = {.n = 1, .in_h = 1, .in_w = n, .c = 1, .out_h = 1, .out_w = 1,
                           .k_h = 1, .k_w = n, .stride_h = 1, .stride_w = 1};
    assert_int_equal(bnn_maxpool_f32(&p, v, &y), BNN_OK);
    return y;
}

/* Stages from..to-1 of c on x. */
static float stages_rt(const fm_chain *c, int from, int to, float x)
{
    for (int i = from; i < to; i++)
        x = stage_rt(&c->s[i], x);
    return x;
}

/* The bit before the fold for a window of n inputs (n = 1: no pooling;
 * else the chain's one pool, if any, pools the window). */
static int before(const fm_chain *c, const float *y, int n)
{
    if (c->n_pools == 0)
        return pack_rt(stages_rt(c, 0, c->n, y[0]), c->m, c->a);
    float v[4];
    int at = c->pool_at[0];
    for (int i = 0; i < n; i++)
        v[i] = stages_rt(c, 0, at, y[i]);
    return pack_rt(stages_rt(c, at, c->n, pool_rt(v, n)), c->m, c->a);
}

static int after(const fm_chain *c, const float *y, int n, float g, float b)
{
    return pack_rt(c->n_pools ? pool_rt(y, n) : y[0], g, b);
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

static void probe(const fm_chain *c, float y, float g, float b, int mode)
{
    if (before(c, &y, 1) != after(c, &y, 1, g, b))
        fail_msg("chain of %d (first kind %d p %a q %a) m %a a %a flush %d: y %a gives %d "
                 "before, %d folded (gamma %g beta %a)",
                 c->n, (int)c->s[0].kind, (double)c->s[0].p, (double)c->s[0].q, (double)c->m,
                 (double)c->a, mode, (double)y, before(c, &y, 1), after(c, &y, 1, g, b),
                 (double)g, (double)b);
}

/* 2^12 floats either side of x. */
static void probe_around(const fm_chain *c, float x, float g, float b, int mode)
{
    float y = step_float(x, -(1 << 12));
    for (int i = -(1 << 12); i <= (1 << 12); i++, y = step_float(y, 1))
        probe(c, y, g, b, mode);
}

/* Fold c and, when folded, check every probe. Returns whether it folded. */
static int check(const fm_chain *c)
{
    float g = NAN, b = NAN, t;
    static const float special[] = {0.0f,     -0.0f,     FLT_MAX,    -FLT_MAX,    INFINITY,
                                    -INFINITY, FLT_MIN,  -FLT_MIN,   0x1p-149f,   -0x1p-149f,
                                    1.0f,     -1.0f,     0x1p-126f * 1.5f, NAN};
    const int ns = (int)(sizeof special / sizeof *special);
    if (!fold_monotonic_chain(c, &g, &b))
        return 0;
    assert_true(g != 0.0f || b == 1.0f);
    t = g != 0.0f ? -b / g : 0.0f;
    for (int mode = 0; mode < 2; mode++) {
        bnn_fpenv saved = {0};
        if (mode && !BNN_FPENV_SUPPORTED)
            break;
        if (mode)
            bnn_fpenv_enter(&saved); /* as generated runs do by default */
        if (g != 0.0f)
            probe_around(c, t, g, b, mode);
        probe_around(c, 0.0f, g, b, mode);
        for (int i = 0; i < c->n; i++)
            if (c->s[i].kind == FM_CLIP || c->s[i].kind == FM_MAX_S ||
                c->s[i].kind == FM_MIN_S) {
                probe_around(c, c->s[i].p, g, b, mode);
                probe_around(c, c->s[i].q, g, b, mode);
            }
        for (int i = 0; i < (1 << 14); i++) {
            uint32_t u = rnd();
            float y;
            memcpy(&y, &u, sizeof y);
            probe(c, y, g, b, mode);
        }
        for (int i = 0; i < ns; i++)
            probe(c, special[i], g, b, mode);
        if (c->n_pools) {
            /* windows of two and three: specials and neighbours of T */
            float w[3], near[6] = {t, step_float(t, -1), step_float(t, 1), step_float(t, -2),
                                   step_float(t, 2), NAN};
            for (int i = 0; i < ns + 6; i++)
                for (int j = 0; j < ns + 6; j++) {
                    w[0] = i < ns ? special[i] : near[i - ns];
                    w[1] = j < ns ? special[j] : near[j - ns];
                    w[2] = NAN;
                    for (int n = 2; n <= 3; n++)
                        if (before(c, w, n) != after(c, w, n, g, b))
                            fail_msg("pool of %a %a (n %d) flush %d differs", (double)w[0],
                                     (double)w[1], n, mode);
                }
            w[0] = w[1] = NAN;
            assert_int_equal(before(c, w, 2), after(c, w, 2, g, b));
        }
        if (mode)
            bnn_fpenv_leave(&saved);
    }
    return 1;
}

static fm_stage st(fm_kind k, float p, float q)
{
    fm_stage s = {k, p, q};
    return s;
}

/* A chain of up to three stages, an end x * m + a and an optional pool
 * after `pool_at` stages (-1: none). */
static fm_chain chain(int n, const fm_stage *s, float m, float a, int pool_at)
{
    fm_chain c;
    memset(&c, 0, sizeof c);
    c.n = n;
    for (int i = 0; i < n; i++)
        c.s[i] = s[i];
    c.m = m;
    c.a = a;
    if (pool_at >= 0) {
        c.n_pools = 1;
        c.pool_at[0] = pool_at;
    }
    return c;
}

static int check1(fm_stage s, float m, float a, int pool_at)
{
    fm_chain c = chain(1, &s, m, a, pool_at);
    return check(&c);
}

/* tanh and sigmoid before a BatchNorm, as BMXNet v1's LeNet. */
static void test_tanh_sigmoid(void **state)
{
    static const float zs[] = {0.0f, 0.5f, -0.5f, 0.999f, -0.999f, 0.9999999f, 1e-30f,
                               -1e-30f, 0x1p-140f, 0.25f, 0.75f, 0.00001f};
    (void)state;
    for (int k = FM_TANH; k <= FM_SIGMOID; k++)
        for (int pool = -1; pool <= 1; pool++) {
            fm_stage s = st((fm_kind)k, 0, 0);
            /* constant channels */
            assert_int_equal(check1(s, 0.0f, 1.0f, pool), 1);
            assert_int_equal(check1(s, 0.0f, 0.0f, pool), 1);
            assert_int_equal(check1(s, 0.0f, -1.0f, pool), 0);
            /* a subnormal constant: no fold */
            assert_int_equal(check1(s, 0x1p-130f, -0x1p-131f, pool), 0);
            assert_int_equal(check1(s, 1.0f, -0x1p-140f, pool), 0);
            /* beyond the range: constant (+1 folds unless a pool after the
             * act adds -FLT_MAX, for which -FLT_MAX + 5 < 0 before) */
            assert_int_equal(check1(s, 1.0f, 5.0f, pool), pool != 1);
            assert_int_equal(check1(s, 1.0f, -5.0f, pool), 0);
            assert_int_equal(check1(s, -1.0f, 5.0f, pool), 1);
            for (size_t i = 0; i < sizeof zs / sizeof *zs; i++) {
                float z = k == FM_SIGMOID ? fabsf(zs[i]) : zs[i];
                check1(s, 1.0f, -z, pool);
                check1(s, -1.0f, z, pool);
                check1(s, 3.7f, -3.7f * z, pool);
                check1(s, -0.3f, 0.3f * z, pool);
            }
        }
}

/* ReLU: flat at 0 below 0. */
static void test_relu(void **state)
{
    fm_stage r = st(FM_RELU, 0, 0);
    (void)state;
    for (int pool = -1; pool <= 1; pool++) {
        /* relu(y) * 2 - 1 < 0: y < 0.5 */
        assert_int_equal(check1(r, 2.0f, -1.0f, pool), 1);
        /* relu(y) * -2 + 1 < 0: y > 0.5 */
        assert_int_equal(check1(r, -2.0f, 1.0f, pool), 1);
        /* a sign alone: relu is never < 0, +1 everywhere (but a pool
         * after it over NaNs only gave -FLT_MAX, -1: no fold then) */
        assert_int_equal(check1(r, 1.0f, 0.0f, pool), pool != 1);
        /* relu(y) + 3 >= 0 always; -relu(y) - 3 < 0 always: no fold */
        assert_int_equal(check1(r, 1.0f, 3.0f, pool), pool != 1);
        assert_int_equal(check1(r, -1.0f, -3.0f, pool), 0);
        /* thresholds near 0 and tiny */
        assert_int_equal(check1(r, 1.0f, -0x1p-120f, pool), 1);
        assert_int_equal(check1(r, 1.0f, -FLT_MIN, pool), 1);
        check1(r, 1.0f, -0x1p-125f, pool);
        check1(r, 0x1p-100f, -0x1p-120f, pool);
        assert_int_equal(check1(r, 3.0f, -FLT_MAX, pool), 1);
    }
}

static void test_clip(void **state)
{
    (void)state;
    for (int pool = -1; pool <= 1; pool++) {
        /* hard tanh before a sign: the sign of y */
        assert_int_equal(check1(st(FM_CLIP, -1.0f, 1.0f), 1.0f, 0.0f, pool), 1);
        /* a sign of a clip to [0.5, 2]: +1 (unless pooled after, as for
         * relu); to [-2, -0.5]: -1, no fold */
        assert_int_equal(check1(st(FM_CLIP, 0.5f, 2.0f), 1.0f, 0.0f, pool), pool != 1);
        assert_int_equal(check1(st(FM_CLIP, -2.0f, -0.5f), 1.0f, 0.0f, pool), 0);
        /* BatchNorm thresholds inside, at and beyond the bounds */
        assert_int_equal(check1(st(FM_CLIP, -1.0f, 1.0f), 1.0f, -0.25f, pool), 1);
        assert_int_equal(check1(st(FM_CLIP, -1.0f, 1.0f), -1.0f, 0.25f, pool), 1);
        check1(st(FM_CLIP, -1.0f, 1.0f), 1.0f, -1.0f, pool);
        check1(st(FM_CLIP, -1.0f, 1.0f), 1.0f, 1.0f, pool);
        check1(st(FM_CLIP, -1.0f, 1.0f), -1.0f, 1.0f, pool);
        check1(st(FM_CLIP, -1.0f, 1.0f), 0.5f, 0.7f, pool);
        assert_int_equal(check1(st(FM_CLIP, 0.0f, 6.0f), 1.0f, -3.0f, pool), 1);
        /* -inf and +inf bounds */
        assert_int_equal(check1(st(FM_CLIP, -INFINITY, 2.0f), 1.0f, -1.0f, pool), 1);
        /* max / min with a scalar */
        assert_int_equal(check1(st(FM_MAX_S, -0.5f, 0), 1.0f, 0.0f, pool), 1);
        assert_int_equal(check1(st(FM_MIN_S, 0.5f, 0), 1.0f, -0.25f, pool), 1);
        assert_int_equal(check1(st(FM_MAX_S, 0.5f, 0), 1.0f, 0.0f, pool), pool != 1);
    }
}

static void test_leaky(void **state)
{
    (void)state;
    for (int pool = -1; pool <= 1; pool++) {
        assert_int_equal(check1(st(FM_LEAKY, 0.1f, 0), 1.0f, 0.0f, pool), 1);
        assert_int_equal(check1(st(FM_LEAKY, 0.1f, 0), 1.0f, 0.05f, pool), 1);
        assert_int_equal(check1(st(FM_LEAKY, 0.01f, 0), -2.0f, 0.5f, pool), 1);
        check1(st(FM_LEAKY, 0x1p-100f, 0), 1.0f, 0x1p-110f, pool);
        /* a slope that is no stage */
        assert_int_equal(check1(st(FM_LEAKY, -0.5f, 0), 1.0f, 0.0f, pool), 0);
        assert_int_equal(check1(st(FM_LEAKY, 0.0f, 0), 1.0f, 0.0f, pool), 0);
    }
}

/* Chains: affine maps of both signs before the non-injective stages, and
 * no pool after a decreasing map. */
static void test_chains(void **state)
{
    fm_chain c;
    fm_stage s[3];
    (void)state;
    /* -2 y + 1 -> relu -> sign: +1 */
    s[0] = st(FM_AFFINE, -2.0f, 1.0f);
    s[1] = st(FM_RELU, 0, 0);
    c = chain(2, s, 1.0f, -0.5f, -1);
    assert_int_equal(check(&c), 1); /* relu(1 - 2y) < 0.5: y > 0.25 */
    c = chain(2, s, 1.0f, -0.5f, 2);
    assert_int_equal(check(&c), 0); /* pool after a decreasing map */
    c = chain(2, s, 1.0f, -0.5f, 0);
    assert_int_equal(check(&c), 1); /* pool before it: stays where it was */
    /* y + 0.5 -> clip(-1, 1) -> BN */
    s[0] = st(FM_AFFINE, 1.0f, 0.5f);
    s[1] = st(FM_CLIP, -1.0f, 1.0f);
    c = chain(2, s, 4.0f, -1.0f, 1);
    assert_int_equal(check(&c), 1);
    /* BN -> relu -> tanh -> BN (a dead-ish channel and a live one) */
    s[0] = st(FM_AFFINE, 0.37f, -0.11f);
    s[1] = st(FM_RELU, 0, 0);
    s[2] = st(FM_TANH, 0, 0);
    c = chain(3, s, 1.0f, -0.3f, 2);
    assert_int_equal(check(&c), 1);
    c = chain(3, s, -1.0f, 0.3f, 3);
    assert_int_equal(check(&c), 1);
    /* leaky -> scalar * -1 -> sign: y < 0 flips */
    s[0] = st(FM_LEAKY, 0.2f, 0);
    s[1] = st(FM_AFFINE, -1.0f, 0.0f);
    c = chain(2, s, 1.0f, 0.0f, -1);
    assert_int_equal(check(&c), 1);
    /* two approximate acts: not handled */
    s[0] = st(FM_TANH, 0, 0);
    s[1] = st(FM_SIGMOID, 0, 0);
    c = chain(2, s, 1.0f, -0.6f, -1);
    assert_int_equal(check(&c), 0);
}

/* Random chains: most fold, every folded one is exact. */
static void test_random(void **state)
{
    int folded = 0, total = 0;
    (void)state;
    for (int i = 0; i < 300; i++) {
        fm_stage s[3];
        int n = 1 + (int)(rnd() % 3), has_act = 0;
        for (int j = 0; j < n; j++) {
            float v = (float)((double)(rnd() % 2001) / 1000.0 - 1.0);
            switch (rnd() % 6) {
            case 0: s[j] = st(FM_AFFINE, v == 0.0f ? 1.0f : 3.0f * v, v / 2); break;
            case 1: s[j] = st(FM_RELU, 0, 0); break;
            case 2: s[j] = st(FM_CLIP, -fabsf(v) - 0.1f, fabsf(v) + 0.2f); break;
            case 3: s[j] = st(FM_LEAKY, fabsf(v) / 4 + 0.01f, 0); break;
            case 4: s[j] = st(rnd() % 2 ? FM_MAX_S : FM_MIN_S, v, 0); break;
            default:
                s[j] = has_act ? st(FM_RELU, 0, 0) : st(rnd() % 2 ? FM_TANH : FM_SIGMOID, 0, 0);
                has_act = 1;
                break;
            }
        }
        float m = (float)((double)(rnd() % 2001) / 100.0 - 10.0);
        float z = (float)((double)(rnd() % 2001) / 1000.0 - 1.0);
        if (m == 0.0f)
            continue;
        fm_chain c = chain(n, s, m, -(z * m), i % 3 == 0 ? (int)(rnd() % (unsigned)(n + 1)) : -1);
        total++;
        folded += check(&c);
    }
    print_message("folded %d of %d random chains\n", folded, total);
    assert_true(folded * 2 >= total);
}

/* Where the runtime's tanh decreases: y0 - ulp gives z1, y0 gives z1 - ulp.
 * The decision "z < z1" is -1 at y0 but +1 just below it: no threshold. */
static void test_not_monotone(void **state)
{
    float y0 = -0x1.d3de3cp-1f, ylow = nextafterf(y0, -INFINITY);
    fm_stage t = st(FM_TANH, 0, 0);
    float z1 = stage_rt(&t, ylow), z0 = stage_rt(&t, y0);
    (void)state;
    assert_true(z0 < z1); /* the runtime's tanh decreases here */
    assert_int_equal(check1(t, 1.0f, -z1, -1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tanh_sigmoid), cmocka_unit_test(test_relu),
        cmocka_unit_test(test_clip),         cmocka_unit_test(test_leaky),
        cmocka_unit_test(test_chains),       cmocka_unit_test(test_random),
        cmocka_unit_test(test_not_monotone)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
