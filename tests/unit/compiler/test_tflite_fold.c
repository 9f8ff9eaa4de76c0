/*
 * test_tflite_fold.c - operators on constants computed at import
 * (frontend/tflite/fold.c), on tensors built in memory: each result
 * against values written out by hand (TFLite's kernels' definitions), the
 * XNOR-Net weight chain end to end (clip, |w|, mean over three axes, sign
 * through LceQuantize/LceDequantize, scale, transpose), MEAN's summation
 * order, what is left to the importer (run-time inputs, unknown
 * operators, fused activations it does not know) and inconsistent
 * constants reported.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frontend/tflite/fold.h"
#include "frontend/tflite/tflite.h"

#define MAXT 8

/* A little model: tensors with little-endian data, one operator. */
typedef struct {
    tfl_tensor t[MAXT];
    uint8_t buf[MAXT][4096];
    tfl_operator op;
    int32_t in[4], out[1];
} fix;

static void tensor(fix *f, int i, int type, int rank, const int32_t *shape)
{
    tfl_tensor *t = &f->t[i];
    memset(t, 0, sizeof *t);
    t->name = "t";
    t->type = (tfl_type)type;
    t->rank = rank;
    t->has_rank = 1;
    t->count = 1;
    for (int k = 0; k < rank; k++) {
        t->shape[k] = shape[k];
        t->count *= (size_t)shape[k];
    }
}

static void set_f32(fix *f, int i, const float *v)
{
    for (size_t k = 0; k < f->t[i].count; k++) {
        uint32_t u;
        memcpy(&u, &v[k], 4);
        for (int b = 0; b < 4; b++)
            f->buf[i][4 * k + (size_t)b] = (uint8_t)(u >> (8 * b));
    }
    f->t[i].data = f->buf[i];
    f->t[i].nbytes = 4 * f->t[i].count;
}

static void set_i32(fix *f, int i, const int32_t *v)
{
    set_f32(f, i, (const float *)(const void *)v);
}

static void op(fix *f, int builtin, int lce, int nin, int o)
{
    memset(&f->op, 0, sizeof f->op);
    f->op.builtin = builtin;
    f->op.lce = lce;
    for (int k = 0; k < nin; k++)
        f->in[k] = k;
    f->out[0] = o;
    f->op.inputs = f->in;
    f->op.ninputs = (size_t)nin;
    f->op.outputs = f->out;
    f->op.noutputs = 1;
}

static int run(fix *f, uint8_t **data, size_t *n, char *msg)
{
    return tfl_fold(&f->op, f->t, MAXT, data, n, msg, 256);
}

static float f32_at(const uint8_t *d, size_t k)
{
    uint32_t u = (uint32_t)d[4 * k] | (uint32_t)d[4 * k + 1] << 8 |
                 (uint32_t)d[4 * k + 2] << 16 | (uint32_t)d[4 * k + 3] << 24;
    float v;
    memcpy(&v, &u, 4);
    return v;
}

static uint32_t u32_at(const uint8_t *d, size_t k)
{
    return (uint32_t)d[4 * k] | (uint32_t)d[4 * k + 1] << 8 | (uint32_t)d[4 * k + 2] << 16 |
           (uint32_t)d[4 * k + 3] << 24;
}

static void test_unary(void **state)
{
    (void)state;
    static fix f;
    const int32_t s[2] = {2, 3};
    const float x[6] = {-2.5f, -1.0f, -0.0f, 0.25f, 1.5f, 7.0f};
    const int ops[4] = {TFL_OP_RELU_N1_TO_1, TFL_OP_ABS, TFL_OP_RELU, TFL_OP_RELU6};
    const float want[4][6] = {{-1.0f, -1.0f, -0.0f, 0.25f, 1.0f, 1.0f},
                              {2.5f, 1.0f, 0.0f, 0.25f, 1.5f, 7.0f},
                              {0.0f, 0.0f, -0.0f, 0.25f, 1.5f, 7.0f},
                              {0.0f, 0.0f, -0.0f, 0.25f, 1.5f, 6.0f}};
    for (int o = 0; o < 4; o++) {
        uint8_t *d = NULL;
        size_t n = 0;
        char msg[256];
        tensor(&f, 0, TFL_FLOAT32, 2, s);
        set_f32(&f, 0, x);
        tensor(&f, 1, TFL_FLOAT32, 2, s);
        op(&f, ops[o], TFL_LCE_NONE, 1, 1);
        assert_int_equal(run(&f, &d, &n, msg), 1);
        assert_int_equal(n, 24);
        for (int k = 0; k < 6; k++) {
            float g = f32_at(d, (size_t)k);
            assert_memory_equal(&g, &want[o][k], 4);
        }
        free(d);
    }
}

/* MUL with a (1, 1, 1, C) scale, as XNOR-Net's; ADD and SUB with a
 * scalar-shaped and a trailing-axis operand; a fused RELU6. */
static void test_binary(void **state)
{
    (void)state;
    static fix f;
    uint8_t *d = NULL;
    size_t n = 0;
    char msg[256];
    const int32_t sa[4] = {1, 1, 1, 3}, sb[4] = {2, 1, 2, 3};
    const float a[3] = {0.5f, -2.0f, 3.0f};
    const float b[12] = {1, 2, 3, 4, 5, 6, -1, -2, -3, 0.1f, 0.2f, 0.3f};
    tensor(&f, 0, TFL_FLOAT32, 4, sa);
    set_f32(&f, 0, a);
    tensor(&f, 1, TFL_FLOAT32, 4, sb);
    set_f32(&f, 1, b);
    tensor(&f, 2, TFL_FLOAT32, 4, sb);
    op(&f, TFL_OP_MUL, TFL_LCE_NONE, 2, 2);
    assert_int_equal(run(&f, &d, &n, msg), 1);
    for (int k = 0; k < 12; k++)
        assert_true(f32_at(d, (size_t)k) == a[k % 3] * b[k]);
    free(d);

    const int32_t s1[1] = {3};
    tensor(&f, 0, TFL_FLOAT32, 4, sb);
    set_f32(&f, 0, b);
    tensor(&f, 1, TFL_FLOAT32, 1, s1);
    set_f32(&f, 1, a);
    op(&f, TFL_OP_SUB, TFL_LCE_NONE, 2, 2);
    f.op.opt.add.activation = 3; /* RELU6 */
    assert_int_equal(run(&f, &d, &n, msg), 1);
    for (int k = 0; k < 12; k++) {
        float v = b[k] - a[k % 3];
        v = v < 0.0f ? 0.0f : v > 6.0f ? 6.0f : v;
        assert_true(f32_at(d, (size_t)k) == v);
    }
    free(d);

    /* an activation TFLite's fused set does not have: left alone */
    f.op.opt.add.activation = 4;
    assert_int_equal(run(&f, &d, &n, msg), 0);
    /* shapes that do not broadcast */
    const int32_t s2[1] = {2};
    f.op.opt.add.activation = 0;
    tensor(&f, 1, TFL_FLOAT32, 1, s2);
    set_f32(&f, 1, a);
    assert_int_equal(run(&f, &d, &n, msg), -1);
    assert_non_null(strstr(msg, "do not broadcast"));
}

/* MEAN over axes (0, 1, 2) keeping dims, as XNOR-Net's scale: each
 * output the sum in row-major order from its first element, then / count
 * in float. Values chosen so that another order gives another float. */
static void test_mean(void **state)
{
    (void)state;
    static fix f;
    uint8_t *d = NULL;
    size_t n = 0;
    char msg[256];
    const int32_t s[4] = {2, 2, 1, 2}, sax[1] = {3}, so[4] = {1, 1, 1, 2};
    /* channel 0: 1e8, 1, -1e8, 1 -> ((1e8 + 1) - 1e8) + 1 = 1 (1e8 + 1
     * rounds to 1e8), while 1 + 1 + 1e8 - 1e8 would be 2 */
    const float x[8] = {1e8f, 0.5f, 1.0f, 0.25f, -1e8f, 0.75f, 1.0f, 1.0f};
    const int32_t axes[3] = {0, 1, -2};
    tensor(&f, 0, TFL_FLOAT32, 4, s);
    set_f32(&f, 0, x);
    tensor(&f, 1, TFL_INT32, 1, sax);
    set_i32(&f, 1, axes);
    tensor(&f, 2, TFL_FLOAT32, 4, so);
    op(&f, TFL_OP_MEAN, TFL_LCE_NONE, 2, 2);
    f.op.opt.reducer.keep_dims = 1;
    assert_int_equal(run(&f, &d, &n, msg), 1);
    assert_int_equal(n, 8);
    assert_true(f32_at(d, 0) == 1.0f / 4.0f);
    assert_true(f32_at(d, 1) == (0.5f + 0.25f + 0.75f + 1.0f) / 4.0f);
    free(d);
    /* without keep_dims the output is (2); a wrong output shape is an error */
    const int32_t s2[1] = {2};
    tensor(&f, 2, TFL_FLOAT32, 1, s2);
    f.op.opt.reducer.keep_dims = 0;
    assert_int_equal(run(&f, &d, &n, msg), 1);
    free(d);
    tensor(&f, 2, TFL_FLOAT32, 4, so);
    assert_int_equal(run(&f, &d, &n, msg), -1);
    const int32_t bad[3] = {0, 1, 4};
    set_i32(&f, 1, bad);
    f.op.opt.reducer.keep_dims = 1;
    assert_int_equal(run(&f, &d, &n, msg), -1);
    assert_non_null(strstr(msg, "axis 4"));
}

static void test_transpose(void **state)
{
    (void)state;
    static fix f;
    uint8_t *d = NULL;
    size_t n = 0;
    char msg[256];
    const int32_t s[4] = {2, 3, 1, 4}, sp[1] = {4}, so[4] = {4, 2, 3, 1};
    const int32_t perm[4] = {3, 0, 1, 2}, bad[4] = {3, 0, 0, 2};
    float x[24];
    for (int k = 0; k < 24; k++)
        x[k] = (float)k;
    tensor(&f, 0, TFL_FLOAT32, 4, s);
    set_f32(&f, 0, x);
    tensor(&f, 1, TFL_INT32, 1, sp);
    set_i32(&f, 1, perm);
    tensor(&f, 2, TFL_FLOAT32, 4, so);
    op(&f, TFL_OP_TRANSPOSE, TFL_LCE_NONE, 2, 2);
    assert_int_equal(run(&f, &d, &n, msg), 1);
    /* out[o][h][w][c] = in[h][w][c][o] */
    for (int o = 0; o < 4; o++)
        for (int h = 0; h < 2; h++)
            for (int w = 0; w < 3; w++)
                assert_true(f32_at(d, (size_t)((o * 2 + h) * 3 + w)) ==
                            x[(h * 3 + w) * 4 + o]);
    free(d);
    set_i32(&f, 1, bad);
    assert_int_equal(run(&f, &d, &n, msg), -1);
    assert_non_null(strstr(msg, "permutation"));
}

/* LceQuantize (bit = x < 0, 32 channels a word, tail bits 0; -0.0 and
 * 0 are +1) and LceDequantize back to +-1 floats, over 35 channels. */
static void test_lce_pack(void **state)
{
    (void)state;
    static fix f;
    uint8_t *d = NULL;
    size_t n = 0;
    char msg[256];
    const int32_t s[2] = {2, 35}, sw[2] = {2, 2};
    float x[70];
    uint32_t want[4] = {0, 0, 0, 0};
    for (int k = 0; k < 70; k++) {
        x[k] = (k * 7 % 5 == 0) ? -0.0f : (k * 13 % 3 == 0 ? -(float)k - 0.5f : (float)k);
        if (x[k] < 0.0f)
            want[(k / 35) * 2 + (k % 35) / 32] |= 1u << ((k % 35) % 32);
    }
    tensor(&f, 0, TFL_FLOAT32, 2, s);
    set_f32(&f, 0, x);
    tensor(&f, 1, TFL_INT32, 2, sw);
    op(&f, TFL_OP_CUSTOM, TFL_LCE_QUANTIZE, 1, 1);
    assert_int_equal(run(&f, &d, &n, msg), 1);
    assert_int_equal(n, 16);
    for (int k = 0; k < 4; k++)
        assert_int_equal(u32_at(d, (size_t)k), want[k]);
    free(d);

    tensor(&f, 0, TFL_INT32, 2, sw);
    set_i32(&f, 0, (const int32_t *)(const void *)want);
    tensor(&f, 1, TFL_FLOAT32, 2, s);
    op(&f, TFL_OP_CUSTOM, TFL_LCE_DEQUANTIZE, 1, 1);
    assert_int_equal(run(&f, &d, &n, msg), 1);
    for (int k = 0; k < 70; k++)
        assert_true(f32_at(d, (size_t)k) == (x[k] < 0.0f ? -1.0f : 1.0f));
    free(d);
}

/* Run-time inputs, operators it does not fold, outputs already constant,
 * dynamic dimensions: 0, the importer decides. */
static void test_not_folded(void **state)
{
    (void)state;
    static fix f;
    uint8_t *d = NULL;
    size_t n = 0;
    char msg[256];
    const int32_t s[2] = {2, 3};
    const float x[6] = {1, 2, 3, 4, 5, 6};
    tensor(&f, 0, TFL_FLOAT32, 2, s); /* no data: computed at run time */
    tensor(&f, 1, TFL_FLOAT32, 2, s);
    op(&f, TFL_OP_ABS, TFL_LCE_NONE, 1, 1);
    assert_int_equal(run(&f, &d, &n, msg), 0);
    set_f32(&f, 0, x);
    op(&f, TFL_OP_SOFTMAX, TFL_LCE_NONE, 1, 1);
    assert_int_equal(run(&f, &d, &n, msg), 0);
    op(&f, TFL_OP_CUSTOM, TFL_LCE_BCONV2D, 1, 1);
    assert_int_equal(run(&f, &d, &n, msg), 0);
    op(&f, TFL_OP_ABS, TFL_LCE_NONE, 1, 1);
    f.t[1].has_signature = 1;
    f.t[1].signature[0] = -1;
    f.t[1].signature[1] = 3;
    assert_int_equal(run(&f, &d, &n, msg), 0);
    f.t[1].signature[0] = 2; /* a signature without a dynamic dimension */
    assert_int_equal(run(&f, &d, &n, msg), 1);
    free(d);
    f.t[0].type = TFL_INT32; /* ABS of int32 constants: not folded */
    assert_int_equal(run(&f, &d, &n, msg), 0);
}

/* ---- int8 constants (TFLite's integer kernels) ------------------------- */

static float qscale[MAXT];
static int64_t qzp[MAXT];

static void set_q(fix *f, int i, float scale, int zp)
{
    qscale[i] = scale;
    qzp[i] = zp;
    f->t[i].q.count = 1;
    f->t[i].q.scale = &qscale[i];
    f->t[i].q.zero_point = &qzp[i];
}

static void set_i8(fix *f, int i, const int8_t *v)
{
    memcpy(f->buf[i], v, f->t[i].count);
    f->t[i].data = f->buf[i];
    f->t[i].nbytes = f->t[i].count;
}

/* Runs the one operator of f and compares its n int8 results. */
static void expect_i8(fix *f, const int8_t *want, size_t n)
{
    uint8_t *d = NULL;
    size_t nb = 0;
    char msg[256];
    assert_int_equal(run(f, &d, &nb, msg), 1);
    assert_int_equal(nb, n);
    for (size_t k = 0; k < n; k++)
        if ((int8_t)d[k] != want[k])
            fail_msg("element %zu: got %d, expected %d", k, (int8_t)d[k], want[k]);
    free(d);
}

/* RELU_N1_TO_1, RELU6 and ABS of int8 constants: the requantisation by
 * QuantizeMultiplier(s_in / s_out) (the ratio divided in float), the
 * activation's quantised clamp, ABS's |q - z_in| + z_out without a rescale
 * when the scales are equal; XNOR-Net's kernel scales (0.000651256 zp 7 to
 * 0.0235294 zp -1). Expected values from TFLite's formulas evaluated apart. */
static void test_unary_i8(void **state)
{
    (void)state;
    static fix f;
    const int32_t s[1] = {7}, s8[1] = {8};
    const int8_t x[7] = {-128, -60, 7, 8, 40, 100, 127};
    const int8_t relu1[7] = {-5, -3, -1, -1, 0, 2, 2};
    const int8_t x2[8] = {-128, -60, -44, -43, 0, 41, 42, 127};
    const int8_t relu1_same[8] = {-44, -44, -44, -43, 0, 41, 42, 42};
    const int8_t x3[7] = {-128, 2, 3, 4, 50, 100, 127};
    const int8_t relu6[7] = {-100, -100, -100, -98, -22, 62, 100};
    const int8_t x4[8] = {-128, -2, 0, 3, 4, 30, 60, 127};
    const int8_t abs_rescaled[8] = {127, 3, -2, -10, -7, 58, 127, 127};
    const int8_t abs_same[8] = {127, 15, 13, 10, 11, 37, 67, 127};

    tensor(&f, 0, TFL_INT8, 1, s);
    tensor(&f, 1, TFL_INT8, 1, s);
    set_i8(&f, 0, x);
    set_q(&f, 0, 0.0006512560648843646f, 7);
    set_q(&f, 1, 0.0235294122f, -1);
    op(&f, TFL_OP_RELU_N1_TO_1, TFL_LCE_NONE, 1, 1);
    expect_i8(&f, relu1, 7);

    tensor(&f, 0, TFL_INT8, 1, s8);
    tensor(&f, 1, TFL_INT8, 1, s8);
    set_i8(&f, 0, x2);
    set_q(&f, 0, 0.0235294122f, -1);
    set_q(&f, 1, 0.0235294122f, -1);
    expect_i8(&f, relu1_same, 8);

    tensor(&f, 0, TFL_INT8, 1, s);
    tensor(&f, 1, TFL_INT8, 1, s);
    set_i8(&f, 0, x3);
    set_q(&f, 0, 0.05f, 3);
    set_q(&f, 1, 0.03f, -100);
    op(&f, TFL_OP_RELU6, TFL_LCE_NONE, 1, 1);
    expect_i8(&f, relu6, 7);

    tensor(&f, 0, TFL_INT8, 1, s8);
    tensor(&f, 1, TFL_INT8, 1, s8);
    set_i8(&f, 0, x4);
    set_q(&f, 0, 0.05f, 3);
    set_q(&f, 1, 0.02f, -10);
    op(&f, TFL_OP_ABS, TFL_LCE_NONE, 1, 1);
    expect_i8(&f, abs_rescaled, 8); /* ties of 2.5 |q - 3| round up: 0 -> 7.5 -> 8 */
    set_q(&f, 1, 0.05f, 10);
    expect_i8(&f, abs_same, 8);

    /* not per-tensor quantised: left to the importer */
    f.t[1].q.count = 0;
    {
        uint8_t *d = NULL;
        size_t n = 0;
        char msg[256];
        assert_int_equal(run(&f, &d, &n, msg), 0);
    }
}

/* MEAN of int8 over three axes with keep_dims (XNOR-Net's): TFLite's
 * QuantizedMeanOrSum, sum of (q - z_in) times QuantizeMultiplier(s_in /
 * s_out) * 2^e / count with e = floor(log2 count), + z_out; its 4-D mean
 * over (1, 2) (another kernel) is not folded. */
static void test_mean_i8(void **state)
{
    (void)state;
    static fix f;
    const int32_t s[4] = {2, 2, 2, 3}, so[4] = {1, 1, 1, 3}, sax[1] = {3}, sax2[1] = {2};
    const int8_t x[24] = {43,   78,  -123, 78,  -8,   3,    33,  -55, 122, -115, -57, -30,
                          18,   -24, -95,  -117, -128, -116, -90, 127, -80, 39,   64,  -68};
    const int32_t axes[3] = {0, 1, 2}, axes_hw[2] = {2, 1};
    const int8_t want[3] = {-24, 4, -93};
    uint8_t *d = NULL;
    size_t n = 0;
    char msg[256];
    tensor(&f, 0, TFL_INT8, 4, s);
    set_i8(&f, 0, x);
    set_q(&f, 0, 0.1f, -1);
    tensor(&f, 1, TFL_INT32, 1, sax);
    set_i32(&f, 1, axes);
    tensor(&f, 2, TFL_INT8, 4, so);
    set_q(&f, 2, 0.05f, 2);
    op(&f, TFL_OP_MEAN, TFL_LCE_NONE, 2, 2);
    f.op.opt.reducer.keep_dims = 1;
    expect_i8(&f, want, 3);

    tensor(&f, 1, TFL_INT32, 1, sax2);
    set_i32(&f, 1, axes_hw);
    {
        const int32_t shw[4] = {2, 1, 1, 3};
        tensor(&f, 2, TFL_INT8, 4, shw);
        set_q(&f, 2, 0.05f, 2);
    }
    assert_int_equal(run(&f, &d, &n, msg), 0);
}

/* QUANTIZE of float constants (round(x / s) half away from zero, + z,
 * saturated, NaN to -128), DEQUANTIZE per channel, TRANSPOSE of int8,
 * LceQuantize of int8 (bit = q < z). */
static void test_quant_i8(void **state)
{
    (void)state;
    static fix f;
    const int32_t s8[1] = {8}, s23[2] = {2, 3}, s32[2] = {3, 2}, s133[3] = {1, 1, 33},
                  s1w[3] = {1, 1, 2}, sp[1] = {2};
    float x[8] = {-1.0f, 0.0125f, 0.025f, 0.0375f, -0.0375f, 100.0f, -100.0f, 0.0f};
    const int8_t q[8] = {-39, 2, 2, 3, -1, 127, -128, -128};
    const int8_t d6[6] = {-128, 1, 127, 4, -3, 0};
    static float dsc[3] = {0.5f, 0.25f, 2.0f};
    static int64_t dzp[3] = {0, 1, -2};
    const float dq[6] = {-64.0f, 0.0f, 258.0f, 2.0f, -1.0f, 4.0f};
    const int32_t perm[2] = {1, 0};
    const int8_t tr[6] = {-128, 4, 1, -3, 127, 0};
    int8_t b[33];
    uint8_t *d = NULL;
    size_t n = 0;
    char msg[256];
    x[7] = nanf("");

    tensor(&f, 0, TFL_FLOAT32, 1, s8);
    set_f32(&f, 0, x);
    tensor(&f, 1, TFL_INT8, 1, s8);
    set_q(&f, 1, 0.025f, 1);
    op(&f, TFL_OP_QUANTIZE, TFL_LCE_NONE, 1, 1);
    expect_i8(&f, q, 8);

    tensor(&f, 0, TFL_INT8, 2, s23);
    set_i8(&f, 0, d6);
    f.t[0].q.count = 3;
    f.t[0].q.scale = dsc;
    f.t[0].q.zero_point = dzp;
    f.t[0].q.quantized_dimension = 1;
    tensor(&f, 1, TFL_FLOAT32, 2, s23);
    op(&f, TFL_OP_DEQUANTIZE, TFL_LCE_NONE, 1, 1);
    assert_int_equal(run(&f, &d, &n, msg), 1);
    assert_int_equal(n, 24);
    for (int k = 0; k < 6; k++)
        assert_true(f32_at(d, (size_t)k) == dq[k]);
    free(d);

    tensor(&f, 0, TFL_INT8, 2, s23);
    set_i8(&f, 0, d6);
    tensor(&f, 1, TFL_INT32, 1, sp);
    set_i32(&f, 1, perm);
    tensor(&f, 2, TFL_INT8, 2, s32);
    op(&f, TFL_OP_TRANSPOSE, TFL_LCE_NONE, 2, 2);
    expect_i8(&f, tr, 6);

    for (int k = 0; k < 33; k++)
        b[k] = (int8_t)(k % 5 == 0 ? 2 : k % 3 == 0 ? 3 : 4 - k);
    tensor(&f, 0, TFL_INT8, 3, s133);
    set_i8(&f, 0, b);
    set_q(&f, 0, 0.1f, 3);
    tensor(&f, 1, TFL_INT32, 3, s1w);
    op(&f, TFL_OP_CUSTOM, TFL_LCE_QUANTIZE, 1, 1);
    assert_int_equal(run(&f, &d, &n, msg), 1);
    assert_int_equal(n, 8);
    {
        uint32_t w[2] = {0, 0};
        for (int k = 0; k < 33; k++)
            if (b[k] < 3)
                w[k / 32] |= 1u << (k % 32);
        assert_int_equal(u32_at(d, 0), w[0]);
        assert_int_equal(u32_at(d, 1), w[1]);
    }
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unary),     cmocka_unit_test(test_binary),
        cmocka_unit_test(test_mean),      cmocka_unit_test(test_transpose),
        cmocka_unit_test(test_lce_pack),  cmocka_unit_test(test_not_folded),
        cmocka_unit_test(test_unary_i8),  cmocka_unit_test(test_mean_i8),
        cmocka_unit_test(test_quant_i8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
