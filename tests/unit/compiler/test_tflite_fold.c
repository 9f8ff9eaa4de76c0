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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unary),     cmocka_unit_test(test_binary),
        cmocka_unit_test(test_mean),      cmocka_unit_test(test_transpose),
        cmocka_unit_test(test_lce_pack),  cmocka_unit_test(test_not_folded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
