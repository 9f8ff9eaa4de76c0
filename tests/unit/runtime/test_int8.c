/*
 * test_int8.c - the int8 kernels of bnn_int8.h (TFLite integer
 * semantics): the requantisation primitives against exact integer
 * arithmetic, QuantizeMultiplier and the activation range, the weight
 * packing, conv2d / dense (every compiled-in variant and the public
 * functions) and depthwise conv against naive references written from
 * TFLite's formulas (int8_test_util.h), element-wise ops, pooling,
 * padding, mean, conversions, hand-computed values and argument errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "int8_test_util.h"

static void test_primitives(void **state)
{
    (void)state;
    assert_int_equal(it_check_primitives(11u), 0);
    /* hand values: 3 * 2^30 / 2^31 = 1.5 -> 2; -1.5 -> -1 (ties toward
     * +infinity); -5 * 2^29 / 2^31 = -1.25 -> -1; saturation */
    assert_int_equal(bnn_i8_srdhm(3, 1 << 30), 2);
    assert_int_equal(bnn_i8_srdhm(-3, 1 << 30), -1);
    assert_int_equal(bnn_i8_srdhm(-5, 1 << 29), -1);
    assert_int_equal(bnn_i8_srdhm(-7, 1 << 29), -2);
    assert_int_equal(bnn_i8_srdhm(INT32_MIN, INT32_MIN), INT32_MAX);
    assert_int_equal(bnn_i8_rdbpot(5, 1), 3);   /* 2.5 -> 3 */
    assert_int_equal(bnn_i8_rdbpot(-5, 1), -3); /* -2.5 -> -3 */
    assert_int_equal(bnn_i8_rdbpot(-6, 2), -2); /* -1.5 -> -2 */
    assert_int_equal(bnn_i8_rdbpot(INT32_MIN, 31), -1);
    /* 100 * 0.75 (1610612736, 0) = 75; * 0.75 * 2^-3 = 9.375 -> 9 */
    assert_int_equal(bnn_i8_mbqm(100, 1610612736, 0), 75);
    assert_int_equal(bnn_i8_mbqm(100, 1610612736, -3), 9);
    /* double rounding: 3 * 0.5 = 1.5 -> 2 at the high mul, then 2/2 = 1;
     * a single rounding of 0.75 would also be 1; 5 * 0.5 = 2.5 -> 3,
     * 3 / 2 = 1.5 -> 2, where the exact 1.25 rounds to 1 */
    assert_int_equal(bnn_i8_mbqm(5, 1 << 30, -1), 2);
    /* left shift wraps modulo 2^32 */
    assert_int_equal(bnn_i8_mbqm(3, 1 << 30, 30), bnn_i8_srdhm((int32_t)0xC0000000u, 1 << 30));
}

static void test_quantize_multiplier(void **state)
{
    int32_t lo, hi;
    (void)state;
    assert_int_equal(it_check_quantize_multiplier(12u), 0);
    /* scale 0.1, zero point -10: RELU [-10, 127], RELU6 [-10, 50],
     * RELU_N1_TO_1 [-20, 0] */
    bnn_i8_act_range(1, 0.1f, -10, &lo, &hi);
    assert_int_equal(lo, -10);
    assert_int_equal(hi, 127);
    bnn_i8_act_range(3, 0.1f, -10, &lo, &hi);
    assert_int_equal(lo, -10);
    assert_int_equal(hi, 50);
    bnn_i8_act_range(2, 0.1f, -10, &lo, &hi);
    assert_int_equal(lo, -20);
    assert_int_equal(hi, 0);
    bnn_i8_act_range(0, 0.1f, -10, &lo, &hi);
    assert_int_equal(lo, -128);
    assert_int_equal(hi, 127);
    /* RELU6 beyond the int8 range, RELU below it */
    bnn_i8_act_range(3, 0.01f, 0, &lo, &hi);
    assert_int_equal(hi, 127);
    bnn_i8_act_range(1, 0.1f, -128, &lo, &hi);
    assert_int_equal(lo, -128);
}

static void test_conv_shape(void **state)
{
    const it_conv_shape *s = (const it_conv_shape *)*state;
    assert_int_equal(it_check_conv(s, 101u, 0), 0);
    assert_int_equal(it_check_conv(s, 102u, IT_ZP_MIN), 0);
    assert_int_equal(it_check_conv(s, 103u, IT_ZP_MAX | IT_NO_BIAS), 0);
    assert_int_equal(it_check_conv(s, 104u, IT_EXTREMES), 0);
}

/* Every variant's requantisation on rounding ties: multipliers 0.5 and
 * 0.75 with shifts 0..-8 over every int8 input. */
static void test_conv_requant_ties(void **state)
{
    (void)state;
    assert_int_equal(it_check_ties(61u), 0);
    assert_int_equal(it_check_ties(62u), 0);
}

static void test_conv_random_shapes(void **state)
{
    uint32_t seed = 4242u;
    int i, fails = 0;
    (void)state;
    for (i = 0; i < IT_NUM_RANDOM_SHAPES; i++) {
        it_conv_shape s;
        it_random_conv_shape(&seed, &s);
        fails += it_check_conv(&s, seed, i % 5 == 0 ? IT_EXTREMES : 0);
    }
    assert_int_equal(fails, 0);
}

/* A 1x1 image, 3 channels, 2 output channels, by hand:
 * in = (10, -20, 30), in_zp = 5 -> (5, -25, 25);
 * w0 = (1, 2, 3): 5 - 50 + 75 = 30, + bias 100 = 130;
 * w1 = (-1, 0, 4): -5 + 100 = 95, + bias -7 = 88;
 * requantised by 0.5 (2^30, 0) + out_zp -3: 65 - 3 = 62 and 44 - 3 = 41,
 * then clamped to [-128, 50]: 50 and 41. */
static void test_conv_hand_values(void **state)
{
    static const int8_t in[3] = {10, -20, 30}, w[6] = {1, 2, 3, -1, 0, 4};
    static const int32_t bias[2] = {100, -7}, mult[2] = {1 << 30, 1 << 30}, sh[2] = {0, 0};
    int8_t packed[128 + 64], out8[2];
    int32_t out32[2];
    unsigned char buf[4096 + 64];
    void *scratch = (void *)(((uintptr_t)buf + 63u) & ~(uintptr_t)63u);
    const char *vn[VT_MAX_VARIANTS];
    bnn_any_fn fn[VT_MAX_VARIANTS];
    bnn_conv2d_i8_params p;
    int v, nv;
    (void)state;
    assert_int_equal(bnn_i8_weight_bytes(2, 1, 3), sizeof packed - 64);
    bnn_i8_pack_weights(2, 1, 3, w, packed);
    memset(&p, 0, sizeof p);
    p.n = p.in_h = p.in_w = p.out_h = p.out_w = 1;
    p.in_c = 3;
    p.out_c = 2;
    p.k_h = p.k_w = p.stride_h = p.stride_w = p.dil_h = p.dil_w = p.groups = 1;
    p.in_zp = 5;
    p.out_zp = -3;
    p.act_min = -128;
    p.act_max = 50;
    p.weights = packed;
    p.bias = bias;
    p.out_mult = mult;
    p.out_shift = sh;
    p.out_pixel_stride = 2;
    assert_true(bnn_conv2d_i8_scratch_bytes(&p) <= 4096);
    nv = vt_variants("bnn_conv2d_i8_i8", vn, fn);
    assert_true(nv >= 1);
    for (v = 0; v < nv; v++) {
        it_conv_i32_fn f32 = (it_conv_i32_fn)bnn_variant_fn("bnn_conv2d_i8_i32", vn[v]);
        assert_non_null(f32);
        assert_int_equal(((it_conv_i8_fn)fn[v])(&p, in, out8, scratch), BNN_OK);
        assert_int_equal(out8[0], 50);
        assert_int_equal(out8[1], 41);
        assert_int_equal(f32(&p, in, out32, scratch), BNN_OK);
        assert_int_equal(out32[0], 130);
        assert_int_equal(out32[1], 88);
    }
}

static void test_conv_rejects_bad_args(void **state)
{
    int8_t in[64], packed[4096], out[64];
    static const int8_t w[4 * 9 * 4] = {0};
    int32_t mult[4] = {1 << 30, 1 << 30, 1 << 30, 1 << 30}, sh[4] = {0, 0, 0, 0};
    unsigned char buf[8192 + 64];
    void *scratch = (void *)(((uintptr_t)buf + 63u) & ~(uintptr_t)63u);
    const char *vn[VT_MAX_VARIANTS];
    bnn_any_fn fn[VT_MAX_VARIANTS];
    bnn_conv2d_i8_params p, q;
    int v, nv;
    (void)state;
    memset(in, 0, sizeof in);
    assert_true(bnn_i8_weight_bytes(4, 1, 36) <= sizeof packed);
    bnn_i8_pack_weights(4, 1, 36, w, packed);
    memset(&p, 0, sizeof p);
    p.n = 1;
    p.in_h = p.in_w = p.out_h = p.out_w = 4;
    p.in_c = p.out_c = 4;
    p.k_h = p.k_w = 3;
    p.stride_h = p.stride_w = p.dil_h = p.dil_w = p.groups = 1;
    p.pad_top = p.pad_left = 1;
    p.act_min = -128;
    p.act_max = 127;
    p.weights = packed;
    p.out_mult = mult;
    p.out_shift = sh;
    p.out_pixel_stride = 4;
    nv = vt_variants("bnn_conv2d_i8_i8", vn, fn);
    for (v = 0; v < nv; v++) {
        it_conv_i8_fn f = (it_conv_i8_fn)fn[v];
        assert_int_equal(f(&p, in, out, scratch), BNN_OK);
        q = p;
        q.groups = 3;
        assert_int_equal(f(&q, in, out, scratch), BNN_ARG_ERROR);
        q = p;
        q.in_zp = 128;
        assert_int_equal(f(&q, in, out, scratch), BNN_ARG_ERROR);
        q = p;
        q.out_zp = -129;
        assert_int_equal(f(&q, in, out, scratch), BNN_ARG_ERROR);
        q = p;
        q.act_min = 5;
        q.act_max = 4;
        assert_int_equal(f(&q, in, out, scratch), BNN_ARG_ERROR);
        q = p;
        q.out_pixel_stride = 3;
        assert_int_equal(f(&q, in, out, scratch), BNN_ARG_ERROR);
        q = p;
        q.pad_top = -1;
        assert_int_equal(f(&q, in, out, scratch), BNN_ARG_ERROR);
        q = p;
        q.out_mult = NULL;
        assert_int_equal(f(&q, in, out, scratch), BNN_ARG_ERROR);
        sh[2] = 31;
        assert_int_equal(f(&p, in, out, scratch), BNN_ARG_ERROR);
        sh[2] = -32;
        assert_int_equal(f(&p, in, out, scratch), BNN_ARG_ERROR);
        sh[2] = 0;
        assert_int_equal(f(&p, in, out, NULL), BNN_ARG_ERROR);
        assert_int_equal(f(&p, in, out, (char *)scratch + 16), BNN_ARG_ERROR);
        assert_int_equal(f(&p, NULL, out, scratch), BNN_ARG_ERROR);
    }
}

/* bnn_dense_i8_f32: the exact int32 accumulator of every output (an
 * independent int64 sum), times its scale and plus its bias in float,
 * bit for bit; without a bias; padded output rows left alone; bad
 * arguments refused. */
static void test_dense_f32_output(void **state)
{
    enum { N = 3, K = 100, O = 37, STRIDE = 40 };
    static int8_t w[O * K], x[N * K], packed[8192];
    static int32_t bias[O];
    static float scale[O], fbias[O], out[N * STRIDE];
    static unsigned char sbuf[16384 + 64];
    unsigned char *scratch = sbuf + (64u - (uintptr_t)sbuf % 64u) % 64u; /* 64-byte aligned */
    bnn_dense_i8_f32_params p;
    int32_t r, o, k, with_bias;
    uint32_t seed = 5u;
    (void)state;
    for (k = 0; k < O * K; k++) {
        seed = seed * 1664525u + 1013904223u;
        w[k] = (int8_t)((int32_t)(seed >> 24) % 255 - 127);
    }
    for (k = 0; k < N * K; k++) {
        seed = seed * 1664525u + 1013904223u;
        x[k] = (int8_t)(int32_t)((seed >> 16) & 0xFF);
    }
    for (o = 0; o < O; o++) {
        bias[o] = (o % 3 - 1) * 1000 * o;
        scale[o] = 0.001f * (float)(o + 1) / 7.0f;
        fbias[o] = (float)(o % 5) * 0.25f - 0.5f;
    }
    assert_true(bnn_i8_weight_bytes(O, 1, K) <= sizeof packed);
    assert_true(bnn_dense_i8_scratch_bytes(&(bnn_dense_i8_params){.n = N, .in_c = K, .out_c = O}) <=
                16384u);
    bnn_i8_pack_weights(O, 1, K, w, packed);
    for (with_bias = 0; with_bias < 2; with_bias++) {
        memset(&p, 0, sizeof p);
        p.d.n = N, p.d.in_c = K, p.d.out_c = O, p.d.in_zp = -7;
        p.d.weights = packed;
        p.d.bias = bias;
        p.d.out_row_stride = STRIDE;
        p.out_scale = scale;
        p.out_bias = with_bias ? fbias : NULL;
        for (k = 0; k < N * STRIDE; k++)
            out[k] = -99.0f;
        assert_int_equal(bnn_dense_i8_f32(&p, x, out, scratch), BNN_OK);
        for (r = 0; r < N; r++) {
            for (o = 0; o < O; o++) {
                int64_t acc = bias[o];
                float want;
                for (k = 0; k < K; k++)
                    acc += (int64_t)w[o * K + k] * ((int64_t)x[r * K + k] - p.d.in_zp);
                want = (float)(int32_t)acc * scale[o];
                if (with_bias)
                    want = want + fbias[o];
                if (memcmp(&out[r * STRIDE + o], &want, sizeof want) != 0)
                    fail_msg("row %d channel %d: got %.9g, want %.9g", (int)r, (int)o,
                             (double)out[r * STRIDE + o], (double)want);
            }
            for (o = O; o < STRIDE; o++)
                assert_true(out[r * STRIDE + o] == -99.0f);
        }
    }
    p.out_scale = NULL;
    assert_int_equal(bnn_dense_i8_f32(&p, x, out, scratch), BNN_ARG_ERROR);
    p.out_scale = scale;
    p.d.out_row_stride = O - 1;
    assert_int_equal(bnn_dense_i8_f32(&p, x, out, scratch), BNN_ARG_ERROR);
    assert_int_equal(bnn_dense_i8_f32(NULL, x, out, scratch), BNN_ARG_ERROR);
}

static void test_dwconv(void **state)
{
    static const it_conv_shape shapes[] = {
        /* n ih iw ic oc kh kw sh sw pt pl dh dw g pe xs */
        {1, 5, 5, 1, 0, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0},
        {1, 7, 6, 16, 0, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},
        {2, 6, 5, 17, 0, 3, 3, 1, 1, 1, 1, 2, 2, 1, 2, 0},
        {1, 9, 9, 64, 0, 5, 5, 1, 1, 2, 2, 1, 1, 1, 0, 0},
        {1, 4, 4, 100, 0, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 3},
        {1, 2, 3, 3, 0, 2, 2, 1, 1, 3, 3, 1, 1, 1, 0, 0},
    };
    int i;
    (void)state;
    for (i = 0; i < (int)(sizeof shapes / sizeof shapes[0]); i++) {
        assert_int_equal(it_check_dwconv(&shapes[i], 1, 300u + (uint32_t)i, 0), 0);
        assert_int_equal(it_check_dwconv(&shapes[i], 3, 310u + (uint32_t)i, IT_ZP_MIN), 0);
        assert_int_equal(it_check_dwconv(&shapes[i], 2, 320u + (uint32_t)i, IT_EXTREMES), 0);
        assert_int_equal(it_check_dwconv(&shapes[i], 1, 330u + (uint32_t)i, IT_ZP_MAX), 0);
    }
}

static void test_eltwise(void **state)
{
    (void)state;
    assert_int_equal(it_check_eltwise(0, 21u), 0);
    assert_int_equal(it_check_eltwise(1, 22u), 0);
    assert_int_equal(it_check_eltwise(2, 23u), 0);
}

/* ADD by hand: scales s_a = 0.5, s_b = 0.25, s_out = 1, zero points 0:
 * a = 10 (5.0), b = 8 (2.0) -> 7.0. TFLite's multipliers: twice_max = 1,
 * a: 0.5 (2^30, 0), b: 0.25 (2^30, -1), out: 1 / 2^20 (2^30, -19). */
static void test_add_hand(void **state)
{
    bnn_eltwise_i8_params p;
    int8_t a[2] = {10, -10}, b[2] = {8, 8}, out[2];
    int32_t m, s;
    (void)state;
    memset(&p, 0, sizeof p);
    p.left_shift = 20;
    bnn_i8_quantize_multiplier(0.5, &p.a_mult, &p.a_shift);
    bnn_i8_quantize_multiplier(0.25, &p.b_mult, &p.b_shift);
    bnn_i8_quantize_multiplier(1.0 / (double)(1 << 20), &p.out_mult, &p.out_shift);
    assert_int_equal(p.b_shift, -1);
    assert_int_equal(p.out_shift, -19);
    p.act_min = -128;
    p.act_max = 127;
    assert_int_equal(bnn_add_i8(&p, 2, a, 2, b, out), BNN_OK);
    assert_int_equal(out[0], 7);  /* 5 + 2 */
    assert_int_equal(out[1], -3); /* -5 + 2 */
    assert_int_equal(bnn_sub_i8(&p, 2, a, 1, b, out), BNN_OK);
    assert_int_equal(out[0], 3);  /* 5 - 2 */
    assert_int_equal(out[1], -7); /* -5 - 2 */
    /* MUL: 0.5 * 0.25 / 1 = 0.125: 10 * 8 * 0.125 = 10 */
    bnn_i8_quantize_multiplier(0.125, &m, &s);
    p.out_mult = m;
    p.out_shift = s;
    assert_int_equal(bnn_mul_i8(&p, 2, a, 2, b, out), BNN_OK);
    assert_int_equal(out[0], 10);
    assert_int_equal(out[1], -10);
    assert_int_equal(bnn_add_i8(&p, 2, a, 3, b, out), BNN_ARG_ERROR); /* 3 does not divide 2 */
    p.a_zp = 128;
    assert_int_equal(bnn_add_i8(&p, 2, a, 2, b, out), BNN_ARG_ERROR);
}

static void test_pool(void **state)
{
    static const bnn_pool2d_i8_params shapes[] = {
        /* n ih iw c oh ow kh kw sh sw pt pl lo hi */
        {1, 5, 5, 3, 3, 3, 2, 2, 2, 2, 0, 0, -128, 127},
        {2, 7, 6, 17, 4, 3, 3, 3, 2, 2, 1, 1, -128, 127},
        {1, 7, 7, 64, 1, 1, 7, 7, 1, 1, 0, 0, -128, 127},
        {1, 6, 6, 5, 6, 6, 3, 3, 1, 1, 1, 1, -20, 30},
        {1, 4, 5, 2, 2, 3, 3, 2, 2, 2, 1, 1, -128, 127},
    };
    int i;
    (void)state;
    for (i = 0; i < (int)(sizeof shapes / sizeof shapes[0]); i++)
        assert_int_equal(it_check_pool(&shapes[i], 40u + (uint32_t)i), 0);
}

/* Average by hand: (-1, -2) -> -1.5 -> -2 (away from zero), (1, 2) -> 2,
 * (1, 1, 1, 2) -> 1.25 -> 1, padding never counted. */
static void test_pool_hand(void **state)
{
    bnn_pool2d_i8_params p;
    int8_t in[4] = {-1, -2, 1, 2}, out[4];
    (void)state;
    memset(&p, 0, sizeof p);
    p.n = 1;
    p.in_h = 2;
    p.in_w = 2;
    p.c = 1;
    p.out_h = 2;
    p.out_w = 1;
    p.k_h = 1;
    p.k_w = 2;
    p.stride_h = p.stride_w = 1;
    p.act_min = -128;
    p.act_max = 127;
    assert_int_equal(bnn_avgpool_i8(&p, in, out), BNN_OK);
    assert_int_equal(out[0], -2);
    assert_int_equal(out[1], 2);
    assert_int_equal(bnn_maxpool_i8(&p, in, out), BNN_OK);
    assert_int_equal(out[0], -1);
    assert_int_equal(out[1], 2);
    /* a window wholly in the padding is an error */
    p.pad_left = 2;
    p.out_w = 2;
    assert_int_equal(bnn_avgpool_i8(&p, in, out), BNN_ARG_ERROR);
}

static void test_quant(void **state)
{
    (void)state;
    assert_int_equal(it_check_quant(51u), 0);
}

static void test_pad(void **state)
{
    bnn_pad2d_i8_params p;
    int8_t in[2 * 3 * 2], out[4 * 6 * 2];
    int32_t y, x, c;
    (void)state;
    for (y = 0; y < 12; y++)
        in[y] = (int8_t)(y - 6);
    memset(&p, 0, sizeof p);
    p.n = 1;
    p.h = 2;
    p.w = 3;
    p.c = 2;
    p.top = 1;
    p.bottom = 1;
    p.left = 2;
    p.right = 1;
    p.value = -128;
    assert_int_equal(bnn_pad2d_i8(&p, in, out), BNN_OK);
    for (y = 0; y < 4; y++)
        for (x = 0; x < 6; x++)
            for (c = 0; c < 2; c++) {
                int inside = y >= 1 && y < 3 && x >= 2 && x < 5;
                int8_t want = inside ? in[((y - 1) * 3 + (x - 2)) * 2 + c] : (int8_t)-128;
                assert_int_equal(out[(y * 6 + x) * 2 + c], want);
            }
    p.left = -1;
    assert_int_equal(bnn_pad2d_i8(&p, in, out), BNN_ARG_ERROR);
}

/* Concatenation: 3 channels of 4 pixels into channels 2..4 of a 6-wide
 * tensor; the other channels untouched. */
static void test_copy_channels(void **state)
{
    int8_t in[4 * 5], out[4 * 6];
    int32_t p, c;
    (void)state;
    for (p = 0; p < 20; p++)
        in[p] = (int8_t)(p - 10);
    memset(out, 0x5A, sizeof out);
    assert_int_equal(bnn_copy_channels_i8(4, 3, in, 5, out, 6, 2), BNN_OK);
    for (p = 0; p < 4; p++)
        for (c = 0; c < 6; c++)
            assert_int_equal(out[p * 6 + c], c >= 2 && c < 5 ? in[p * 5 + c - 2] : 0x5A);
    assert_int_equal(bnn_copy_channels_i8(4, 3, in, 5, out, 4, 2), BNN_ARG_ERROR);
    assert_int_equal(bnn_copy_channels_i8(4, 3, in, 2, out, 6, 2), BNN_ARG_ERROR);
}

/* Mean over 2 x 2 by hand, in_zp 1, same scales (mult 2^30, shift 1 is
 * 1.0): channel 0 (1, 2, 3, 4) - 1 -> sum 6 -> 6/4 = 1.5 -> 2, + out_zp
 * -1 = 1; channel 1 (-5, -5, -5, -4) - 1 -> -23 -> -5.75 -> -6 - 1 = -7.
 * Then random tensors against the reference formula. */
static void test_mean(void **state)
{
    static const int8_t in[8] = {1, -5, 2, -5, 3, -5, 4, -4};
    int8_t out[2], *x, *got;
    int32_t m = 1 << 30, s = 1, round;
    (void)state;
    assert_int_equal(bnn_mean_hw_i8(1, 2, 2, 2, 1, -1, m, s, in, out), BNN_OK);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], -7);
    x = (int8_t *)malloc(2 * 7 * 5 * 9);
    got = (int8_t *)malloc(2 * 9);
    it_seed(77u);
    for (round = 0; round < 5; round++) {
        int32_t in_zp = it_range(-128, 127), out_zp = it_range(-128, 127), i, b, c;
        m = (int32_t)(0x40000000u + (it_rand() & 0x3FFFFFFFu));
        s = it_range(-2, 1);
        for (i = 0; i < 2 * 7 * 5 * 9; i++)
            x[i] = (int8_t)it_range(-128, 127);
        assert_int_equal(bnn_mean_hw_i8(2, 7, 5, 9, in_zp, out_zp, m, s, x, got), BNN_OK);
        for (b = 0; b < 2; b++)
            for (c = 0; c < 9; c++) {
                int32_t acc = 0, v;
                for (i = 0; i < 35; i++)
                    acc += x[(b * 35 + i) * 9 + c] - in_zp;
                v = it_mbqm(acc, m, s);
                v = v > 0 ? (v + 17) / 35 : (v - 17) / 35;
                v += out_zp;
                v = v < -128 ? -128 : v > 127 ? 127 : v;
                assert_int_equal(got[b * 9 + c], v);
            }
    }
    free(x);
    free(got);
}

/* PReLU by hand: in_zp -1, out_zp -1, identity for x >= 0 (2^30, shift
 * 1), (2^30, shift -2) = 1/8 for x * (alpha - alpha_zp) < 0 with alpha
 * (2, -4) and alpha_zp -2, i.e. slopes 4 and -2: q -9 (ch 0) -> x -8 ->
 * -32 / 8 = -4 -> -5; q -5 (ch 1) -> x -4 -> 8 / 8 = 1 -> 0; q 10 -> 10;
 * q -6 (ch 1) -> x -5 -> 10 / 8 = 1.25 -> 1 -> 0. Leaky ReLU (no alpha
 * tensor, neg (2^30, -1) = 1/4), in_zp 1, out_zp 3: q -7 -> x -8 -> -2
 * -> 1; q -5 -> x -6 -> -1.5 -> -2 (half away from zero) -> 1; q 127 ->
 * 126 + 3 clamps to 127. Then random tensors against the formula. */
static void test_prelu(void **state)
{
    static const int8_t alpha[2] = {2, -4};
    static const int8_t in[4] = {-9, -5, 10, -6};
    static const int8_t lin[3] = {-7, -5, 127};
    int8_t out[4], x[6 * 5], got[6 * 5], a[5];
    bnn_prelu_i8_params p;
    int round, i;
    (void)state;
    memset(&p, 0, sizeof p);
    p.n = 4, p.c = 2, p.in_zp = -1, p.out_zp = -1, p.alpha_zp = -2;
    p.pos_mult = 1 << 30, p.pos_shift = 1, p.neg_mult = 1 << 30, p.neg_shift = -2;
    p.alpha = alpha;
    assert_int_equal(bnn_prelu_i8(&p, in, out), BNN_OK);
    assert_int_equal(out[0], -5);
    assert_int_equal(out[1], 0);
    assert_int_equal(out[2], 10);
    assert_int_equal(out[3], 0);
    p.n = 3, p.c = 1, p.in_zp = 1, p.out_zp = 3, p.neg_shift = -1, p.alpha = NULL;
    assert_int_equal(bnn_prelu_i8(&p, lin, out), BNN_OK);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 1);
    assert_int_equal(out[2], 127);
    p.neg_shift = 31;
    assert_int_equal(bnn_prelu_i8(&p, lin, out), BNN_ARG_ERROR);
    it_seed(91u);
    for (round = 0; round < 20; round++) {
        p.n = 30, p.c = 5;
        p.in_zp = it_range(-128, 127), p.out_zp = it_range(-128, 127);
        p.alpha_zp = it_range(-128, 127);
        p.pos_mult = (int32_t)(0x40000000u + (it_rand() & 0x3FFFFFFFu));
        p.neg_mult = (int32_t)(0x40000000u + (it_rand() & 0x3FFFFFFFu));
        p.pos_shift = it_range(-3, 1), p.neg_shift = it_range(-9, 0);
        p.alpha = round % 2 ? a : NULL;
        for (i = 0; i < 5; i++)
            a[i] = (int8_t)it_range(-128, 127);
        for (i = 0; i < 30; i++)
            x[i] = (int8_t)it_range(-128, 127);
        assert_int_equal(bnn_prelu_i8(&p, x, got), BNN_OK);
        for (i = 0; i < 30; i++) {
            int32_t d = x[i] - p.in_zp, v;
            if (d >= 0)
                v = it_mbqm(d, p.pos_mult, p.pos_shift);
            else
                v = it_mbqm(p.alpha ? d * (a[i % 5] - p.alpha_zp) : d, p.neg_mult, p.neg_shift);
            v += p.out_zp;
            assert_int_equal(got[i], v < -128 ? -128 : v > 127 ? 127 : v);
        }
    }
}

/* Softmax with TFLite's output quantisation (1/256, -128): two equal
 * logits are 0.5 each = 128 / 256 -> 0; three equal ones 85.33 -> 85 ->
 * -43; at input scale 1, 127 against -128 is exp(-255) = 0: 256 clamps to
 * 127, the other -128. Rows are independent; a row's maximum sets its
 * table origin, so shifting every logit of a row changes nothing. */
static void test_softmax(void **state)
{
    static const int8_t in[9] = {5, 5, -7, -7, -7, 127, -128, 100, 99};
    static const int8_t shifted[2] = {90, 89};
    float table[256];
    int8_t out[9], out2[2];
    bnn_softmax_i8_params p;
    (void)state;
    bnn_softmax_i8_table(1.0f, 1.0f, table);
    assert_true(table[255] == 1.0f);
    memset(&p, 0, sizeof p);
    p.out_scale = 1.0f / 256.0f;
    p.out_zp = -128;
    p.table = table;
    p.rows = 1, p.len = 2;
    assert_int_equal(bnn_softmax_i8(&p, in, out), BNN_OK);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 0);
    p.len = 3;
    assert_int_equal(bnn_softmax_i8(&p, in + 2, out + 2), BNN_OK);
    assert_int_equal(out[2], -43);
    assert_int_equal(out[4], -43);
    p.len = 2;
    assert_int_equal(bnn_softmax_i8(&p, in + 5, out + 5), BNN_OK);
    assert_int_equal(out[5], 127);
    assert_int_equal(out[6], -128);
    /* e / (e + 1) = 0.731 -> 187.1 -> 187 - 128 = 59; 1 / (e + 1) -> -59 */
    assert_int_equal(bnn_softmax_i8(&p, in + 7, out + 7), BNN_OK);
    assert_int_equal(out[7], 59);
    assert_int_equal(out[8], -59);
    assert_int_equal(bnn_softmax_i8(&p, shifted, out2), BNN_OK);
    assert_int_equal(out2[0], out[7]);
    assert_int_equal(out2[1], out[8]);
    p.table = NULL;
    assert_int_equal(bnn_softmax_i8(&p, in, out), BNN_ARG_ERROR);
}

/* Hard swish at TFLite's fixture scales (in = out = 0.0235294122, zero
 * points -1): TFLite's 16-bit fixed point stays within 1 LSB of the real
 * x * relu6(x + 3) / 6 rounded to the output for every int8 input, is
 * exact at 0 (q -1 -> -1), above 3 (q 127, x = 3.01 -> 127) and near -3
 * (q -128, x = -2.99 -> -0.006 -> -1); multipliers: hires = s / 128,
 * out = QM(1 / 128) = (2^30, -6) -> 16384 as int16, exponent -6. */
static void test_hard_swish(void **state)
{
    const float s = 0.0235294122f;
    bnn_hard_swish_i8_params p;
    int8_t in[256], out[256];
    int i, off = 0;
    (void)state;
    memset(&p, 0, sizeof p);
    bnn_i8_hard_swish_multipliers(s, s, &p);
    assert_int_equal(p.out_mult, 16384);
    assert_int_equal(p.out_exp, -6);
    p.n = 256, p.in_zp = -1, p.out_zp = -1;
    for (i = 0; i < 256; i++)
        in[i] = (int8_t)(i - 128);
    assert_int_equal(bnn_hard_swish_i8(&p, in, out), BNN_OK);
    for (i = 0; i < 256; i++) {
        double x = (double)s * (in[i] + 1), r = x + 3 < 0 ? 0 : x + 3 > 6 ? 6 : x + 3;
        long want = lround(x * r / 6 / s) - 1;
        want = want < -128 ? -128 : want > 127 ? 127 : want;
        assert_true(out[i] - want <= 1 && want - out[i] <= 1);
        off += out[i] != want;
    }
    assert_int_equal(out[127], -1);
    assert_int_equal(out[255], 127);
    assert_int_equal(out[0], -1);
    assert_true(off < 64);
    p.out_exp = 1;
    assert_int_equal(bnn_hard_swish_i8(&p, in, out), BNN_ARG_ERROR);
}

/* The value a table kernel must give for q, computed from q itself: a
 * function neither monotonic nor symmetric, so that an entry read one
 * place off, or the table indexed by the bits of q as unsigned (TFLite's
 * own order), gives another value. */
static int8_t lut_fn(int q)
{
    return (int8_t)(((q * q * 7 + q * 3 + 11) & 255) - 128);
}

/* bnn_lut_i8: out[i] = table[in[i] + 128] for every int8 value, random
 * inputs, in place, n = 0 with no buffers, and argument errors. */
static void test_lut(void **state)
{
    int8_t table[256], in[1000], out[1000];
    bnn_lut_i8_params p;
    uint32_t r = 12345u;
    int i;
    (void)state;
    for (i = 0; i < 256; i++)
        table[i] = lut_fn(i - 128);
    for (i = 0; i < 1000; i++) {
        r = r * 1103515245u + 12345u;
        in[i] = (int8_t)(i < 256 ? i - 128 : (int)((r >> 16) & 255u) - 128);
    }
    p.n = 1000, p.table = table;
    assert_int_equal(bnn_lut_i8(&p, in, out), BNN_OK);
    for (i = 0; i < 1000; i++)
        assert_int_equal(out[i], lut_fn(in[i]));
    /* by hand: (7 q^2 + 3 q + 11) mod 256 - 128 at q = -128, 0, 127 */
    assert_int_equal(out[0], 11);
    assert_int_equal(out[128], -117);
    assert_int_equal(out[255], 15);
    assert_int_equal(bnn_lut_i8(&p, in, in), BNN_OK);
    assert_memory_equal(in, out, sizeof out);
    p.n = 0;
    assert_int_equal(bnn_lut_i8(&p, NULL, NULL), BNN_OK);
    p.n = 1, p.table = NULL;
    assert_int_equal(bnn_lut_i8(&p, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_lut_i8(NULL, in, out), BNN_ARG_ERROR);
}

int main(void)
{
    struct CMUnitTest tests[IT_NUM_CONV_SHAPES + 24];
    int i, n = 0;
    {
        struct CMUnitTest t[] = {
            cmocka_unit_test(test_primitives),
            cmocka_unit_test(test_quantize_multiplier),
            cmocka_unit_test(test_conv_hand_values),
            cmocka_unit_test(test_conv_rejects_bad_args),
            cmocka_unit_test(test_conv_random_shapes),
            cmocka_unit_test(test_conv_requant_ties),
            cmocka_unit_test(test_dense_f32_output),
            cmocka_unit_test(test_dwconv),
            cmocka_unit_test(test_eltwise),
            cmocka_unit_test(test_add_hand),
            cmocka_unit_test(test_pool),
            cmocka_unit_test(test_pool_hand),
            cmocka_unit_test(test_quant),
            cmocka_unit_test(test_pad),
            cmocka_unit_test(test_mean),
            cmocka_unit_test(test_copy_channels),
            cmocka_unit_test(test_prelu),
            cmocka_unit_test(test_softmax),
            cmocka_unit_test(test_hard_swish),
            cmocka_unit_test(test_lut),
        };
        for (i = 0; i < (int)(sizeof t / sizeof t[0]); i++)
            tests[n++] = t[i];
    }
    for (i = 0; i < IT_NUM_CONV_SHAPES; i++) {
        struct CMUnitTest t = cmocka_unit_test_prestate(test_conv_shape,
                                                        (void *)&it_conv_shapes[i]);
        tests[n++] = t;
    }
    return _cmocka_run_group_tests("int8", tests, (size_t)n, NULL, NULL);
}
