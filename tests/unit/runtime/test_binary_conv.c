/*
 * test_binary_conv.c - bnn_bconv2d_b_{i32,f32,b}: every compiled-in
 * variant and the public entry points, against an independent +-1 integer
 * convolution and bit for bit against the portable kernel, on awkward
 * shapes x every padding mode x all three output transforms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "binary_test_util.h"

static void test_conv_shape(void **state)
{
    const bt_conv_shape *s = (const bt_conv_shape *)*state;
    int pm;
    for (pm = 0; pm < 3; pm++)
        assert_int_equal(bt_check_conv(s, (bnn_pad_mode)pm, 1234u + (uint32_t)pm), 0);
}

/* A layer with 16 words per tap and K = 4608 (daBNN's 512-channel case
 * shrunk to a 3x4 image). */
static void test_conv_wide_k(void **state)
{
    static const bt_conv_shape s = {1, 3, 4, 512, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0};
    (void)state;
    assert_int_equal(bt_check_conv(&s, BNN_PAD_MINUS_ONE, 99u), 0);
    assert_int_equal(bt_check_conv(&s, BNN_PAD_ZERO, 98u), 0);
}

/* Exact values on a hand-computed case: 1x1 input of 3 channels
 * (+1, -1, -1), 3x3 kernel of all +1 weights, pad 1: the centre tap gives
 * 1 - 1 - 1 = -1 and each of the 8 padded taps gives 3*pad. */
static void test_conv_hand_values(void **state)
{
    uint32_t in[1] = {0x6u};
    uint32_t w[16 * 9];
    int32_t out[1];
    unsigned char scratch_buf[4096 + 64];
    void *scratch = (void *)(((uintptr_t)scratch_buf + 63u) & ~(uintptr_t)63u);
    bnn_bconv2d_params p;
    int v, nv;
    const char *names[VT_MAX_VARIANTS];
    bnn_any_fn fns[VT_MAX_VARIANTS];
    (void)state;
    memset(w, 0, sizeof w);
    memset(&p, 0, sizeof p);
    p.n = p.in_h = p.in_w = 1;
    p.in_c = 3;
    p.out_h = p.out_w = p.out_c = 1;
    p.k_h = p.k_w = 3;
    p.stride_h = p.stride_w = p.dil_h = p.dil_w = 1;
    p.pad_h = p.pad_w = 1;
    p.groups = 1;
    p.weights = w;
    p.out_pixel_stride = 1;
    assert_true(bnn_bconv2d_scratch_size(&p) <= 4096);
    nv = vt_variants("bnn_bconv2d_b_i32", names, fns);
    assert_true(nv >= 1);
    for (v = 0; v < nv; v++) {
        bt_conv_i32_fn f = (bt_conv_i32_fn)fns[v];
        p.pad_mode = BNN_PAD_PLUS_ONE;
        assert_int_equal(f(&p, in, out, scratch), BNN_OK);
        assert_int_equal(out[0], -1 + 8 * 3);
        p.pad_mode = BNN_PAD_MINUS_ONE;
        assert_int_equal(f(&p, in, out, scratch), BNN_OK);
        assert_int_equal(out[0], -1 - 8 * 3);
        p.pad_mode = BNN_PAD_ZERO;
        assert_int_equal(f(&p, in, out, scratch), BNN_OK);
        assert_int_equal(out[0], -1);
    }
}

static void test_conv_rejects_bad_args(void **state)
{
    uint32_t in[64], w[16 * 9 * 2];
    int32_t out[64];
    float mul[4] = {1, 1, 1, 1}, add[4] = {0, 0, 0, 0};
    unsigned char scratch_buf[8192 + 64];
    void *scratch = (void *)(((uintptr_t)scratch_buf + 63u) & ~(uintptr_t)63u);
    bnn_bconv2d_params p, q;
    int v, nv;
    const char *names[VT_MAX_VARIANTS];
    (void)state;
    memset(in, 0, sizeof in);
    memset(w, 0, sizeof w);
    memset(&p, 0, sizeof p);
    p.n = 1;
    p.in_h = p.in_w = 4;
    p.in_c = 4;
    p.out_h = p.out_w = 4;
    p.out_c = 4;
    p.k_h = p.k_w = 3;
    p.stride_h = p.stride_w = p.dil_h = p.dil_w = 1;
    p.pad_h = p.pad_w = 1;
    p.groups = 1;
    p.weights = w;
    p.out_pixel_stride = 4;
    nv = vt_variants("bnn_bconv2d_b_i32", names, NULL);
    assert_true(nv >= 1);
    for (v = 0; v < nv; v++) {
        bt_conv_i32_fn fi;
        bt_conv_f32_fn ff;
        bt_conv_b_fn fb;
        assert_true(bt_conv_fns(names[v], &fi, &ff, &fb));
        assert_int_equal(fi(&p, in, out, scratch), BNN_OK);
        q = p;
        q.out_h = 3; /* wrong output size */
        assert_int_equal(fi(&q, in, out, scratch), BNN_ARG_ERROR);
        q = p;
        q.groups = 3; /* does not divide 4 */
        assert_int_equal(fi(&q, in, out, scratch), BNN_ARG_ERROR);
        q = p;
        q.stride_h = 0;
        assert_int_equal(fi(&q, in, out, scratch), BNN_ARG_ERROR);
        q = p;
        q.out_pixel_stride = 3;
        assert_int_equal(fi(&q, in, out, scratch), BNN_ARG_ERROR);
        q = p;
        q.pad_mode = (bnn_pad_mode)7;
        assert_int_equal(fi(&q, in, out, scratch), BNN_ARG_ERROR);
        q = p;
        q.weights = NULL;
        assert_int_equal(fi(&q, in, out, scratch), BNN_ARG_ERROR);
        /* f32 needs mul and add, b needs thresh and dir */
        assert_int_equal(ff(&p, in, (float *)out, scratch),
                         BNN_ARG_ERROR);
        assert_int_equal(fb(&p, in, (uint32_t *)out, scratch),
                         BNN_ARG_ERROR);
        q = p;
        q.mul = mul;
        q.add = add;
        assert_int_equal(ff(&q, in, (float *)out, scratch), BNN_OK);
        /* the f32 offset and clamp stay within 2^29 and lo <= hi */
        q.dot_offset = -(1 << 29) - 1;
        assert_int_equal(ff(&q, in, (float *)out, scratch), BNN_ARG_ERROR);
        q.dot_offset = -36;
        q.dot_clamp = 1;
        q.dot_lo = 1;
        q.dot_hi = 0;
        assert_int_equal(ff(&q, in, (float *)out, scratch), BNN_ARG_ERROR);
        q.dot_hi = 1;
        assert_int_equal(ff(&q, in, (float *)out, scratch), BNN_OK);
        assert_int_equal(fi(&p, NULL, out, scratch), BNN_ARG_ERROR);
        /* scratch: required, 64-byte aligned */
        assert_int_equal(fi(&p, in, out, NULL), BNN_ARG_ERROR);
        assert_int_equal(fi(&p, in, out, (char *)scratch + 32),
                         BNN_ARG_ERROR);
    }
}

/* Random small shapes (bt_random_conv_shape), every pad mode. */
static void test_conv_random_shapes(void **state)
{
    uint32_t seed = 2024u;
    int i, pm, fails = 0;
    (void)state;
    for (i = 0; i < BT_NUM_RANDOM_SHAPES; i++) {
        bt_conv_shape s;
        bt_random_conv_shape(i, &seed, &s);
        for (pm = 0; pm < 3; pm++)
            fails += bt_check_conv(&s, (bnn_pad_mode)pm, seed + (uint32_t)pm);
    }
    assert_int_equal(fails, 0);
}

/* The binary variants: every transform of conv and dense has the same
 * list of variants (family BIN). */
static void test_variant_list(void **state)
{
    static const char *const kernels[] = {"bnn_bconv2d_b_f32", "bnn_bconv2d_b_b",
                                          "bnn_bdense_b_i32", "bnn_bdense_b_f32",
                                          "bnn_bdense_b_b"};
    const char *names[VT_MAX_VARIANTS], *other[VT_MAX_VARIANTS];
    int n = vt_variants("bnn_bconv2d_b_i32", names, NULL), i, k;
    (void)state;
    assert_true(n >= 1);
    for (k = 0; k < (int)(sizeof kernels / sizeof kernels[0]); k++) {
        assert_int_equal(vt_variants(kernels[k], other, NULL), n);
        for (i = 0; i < n; i++)
            assert_string_equal(other[i], names[i]);
    }
#if defined(BNN_FORCE_PORTABLE) && BNN_FORCE_PORTABLE + 0
    assert_int_equal(n, 1);
#endif
}

int main(void)
{
    struct CMUnitTest tests[BT_NUM_CONV_SHAPES + 5];
    int i;
    for (i = 0; i < BT_NUM_CONV_SHAPES; i++) {
        struct CMUnitTest t = cmocka_unit_test_prestate(test_conv_shape,
                                                        (void *)&bt_conv_shapes[i]);
        tests[i] = t;
    }
    {
        struct CMUnitTest t1 = cmocka_unit_test(test_conv_wide_k);
        struct CMUnitTest t2 = cmocka_unit_test(test_conv_hand_values);
        struct CMUnitTest t3 = cmocka_unit_test(test_conv_rejects_bad_args);
        struct CMUnitTest t4 = cmocka_unit_test(test_variant_list);
        struct CMUnitTest t5 = cmocka_unit_test(test_conv_random_shapes);
        tests[i++] = t5;
        tests[i++] = t1;
        tests[i++] = t2;
        tests[i++] = t3;
        tests[i++] = t4;
    }
    return _cmocka_run_group_tests("binary_conv", tests, (size_t)i, NULL, NULL);
}
