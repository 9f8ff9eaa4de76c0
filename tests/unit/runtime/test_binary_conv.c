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

/* 1x1 convolutions without padding (the shortcuts of residual networks;
 * the SIMD variants take a path of their own for them): channel counts
 * around the word and block sizes, up to and past the 31 words that path
 * takes, strides 1 and 2, two images, padded output pixels, every pad
 * mode, every variant against the reference. */
static void test_conv_1x1_shapes(void **state)
{
    static const int32_t in_cs[] = {1, 31, 32, 33, 64, 100, 128, 992, 1000};
    static const int32_t out_cs[] = {7, 16, 24, 64};
    uint32_t seed = 77u;
    int fails = 0;
    (void)state;
    for (size_t i = 0; i < sizeof in_cs / sizeof *in_cs; i++)
        for (size_t o = 0; o < sizeof out_cs / sizeof *out_cs; o++)
            for (int32_t st = 1; st <= 2; st++) {
                bt_conv_shape s = {2, 5, 4, in_cs[i], out_cs[o], 1, 1, st, st, 0, 0, 1, 1, 1,
                                   (int32_t)((i + o) % 3)};
                for (int pm = 0; pm < 3; pm++)
                    fails += bt_check_conv(&s, (bnn_pad_mode)pm, seed++);
            }
    assert_int_equal(fails, 0);
}

/* _b_f32 with offsets that put K + dot_offset at and beyond 2^24, where
 * a float no longer holds every integer (the AVX-512 kernel's float form
 * of the dot holds only up to 2^24 and falls back to the integer path
 * beyond): every variant, with and without a residual, on a 1x1 and a
 * 3x3 layer, bit for bit against (float)(dot + dot_offset) * mul + add
 * (+ res) computed from the portable b_i32 dot. */
static void test_conv_f32_offset_range(void **state)
{
    static const bt_conv_shape shapes[2] = {
        /* n ih iw ic  oc kh kw sh sw ph pw dh dw g extra */
        {1, 5, 6, 64, 64, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0},
        {1, 6, 6, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0}};
    const char *names[VT_MAX_VARIANTS];
    int nv = vt_variants("bnn_bconv2d_b_f32", names, NULL), fails = 0, si, oi, v, r;
    (void)state;
    assert_true(nv >= 1);
    for (si = 0; si < 2; si++) {
        const bt_conv_shape *s = &shapes[si];
        int32_t oh = bt_out_size(s->in_h, s->k_h, s->stride_h, s->pad_h, s->dil_h);
        int32_t ow = bt_out_size(s->in_w, s->k_w, s->stride_w, s->pad_w, s->dil_w);
        int32_t kk = s->k_h * s->k_w * s->in_c, cw = bnn_words(s->in_c);
        /* K + dot_offset: +-2^24 (the float form's limits; below -2^24
         * the dots round), 2^24 + 1, 2^24 + 3, -(2^24) - 1 and near 2^29 */
        const int32_t nks[6] = {(1 << 24), -(1 << 24), (1 << 24) + 1, (1 << 24) + 3,
                                -(1 << 24) - 1, (1 << 29) - 7};
        size_t npx = (size_t)s->in_h * (size_t)s->in_w, nout = (size_t)oh * (size_t)ow * 64u;
        size_t ww = bnn_bconv2d_weight_words(s->out_c, s->k_h, s->k_w, s->in_c), i;
        uint32_t *in = (uint32_t *)bt_alloc(npx * (size_t)cw * 4u);
        uint32_t *w = (uint32_t *)bt_alloc(ww * 4u);
        int32_t *dot = (int32_t *)bt_alloc(nout * 4u);
        float *res = (float *)bt_alloc(nout * 4u), *out = (float *)bt_alloc(nout * 4u);
        float mul[64], add[64];
        bnn_bconv2d_params p;
        void *scratch;
        bt_seed(77u + (uint32_t)si);
        for (i = 0; i < npx * (size_t)cw; i++)
            in[i] = bt_rand();
        for (i = 0; i < ww; i++)
            w[i] = bt_rand();
        for (i = 0; i < 64; i++) {
            mul[i] = (float)((int32_t)(bt_rand() % 2001u) - 1000) / 377.0f;
            add[i] = (float)((int32_t)(bt_rand() % 2001u) - 1000) / 13.0f;
        }
        for (i = 0; i < nout; i++)
            res[i] = (float)((int32_t)(bt_rand() % 4001u) - 2000) / 7.0f;
        memset(&p, 0, sizeof p);
        p.n = 1;
        p.in_h = s->in_h;
        p.in_w = s->in_w;
        p.in_c = s->in_c;
        p.out_h = oh;
        p.out_w = ow;
        p.out_c = s->out_c;
        p.k_h = s->k_h;
        p.k_w = s->k_w;
        p.stride_h = p.stride_w = p.dil_h = p.dil_w = 1;
        p.pad_h = s->pad_h;
        p.pad_w = s->pad_w;
        p.groups = 1;
        p.pad_mode = BNN_PAD_MINUS_ONE;
        p.weights = w;
        p.out_pixel_stride = 64;
        p.mul = mul;
        p.add = add;
        scratch = bt_alloc(bnn_bconv2d_scratch_size(&p));
        assert_int_equal(((bt_conv_i32_fn)bnn_variant_fn("bnn_bconv2d_b_i32", "portable"))(
                             &p, in, dot, scratch),
                         BNN_OK);
        for (oi = 0; oi < 6; oi++)
            for (r = 0; r < 2; r++)
                for (v = 0; v < nv; v++) {
                    bt_conv_f32_fn f =
                        (bt_conv_f32_fn)bnn_variant_fn("bnn_bconv2d_b_f32", names[v]);
                    p.dot_offset = nks[oi] - kk;
                    p.residual = r ? res : NULL;
                    p.residual_pixel_stride = r ? 64 : 0;
                    bt_fill(out, nout);
                    if (f(&p, in, out, scratch) != BNN_OK) {
                        bt_report(&fails, "offset range status", names[v], 0, 0, 0);
                        continue;
                    }
                    for (i = 0; i < nout; i++) {
                        volatile float e = bt_affine(dot[i] + p.dot_offset, mul[i % 64],
                                                     add[i % 64]);
                        if (r)
                            e = e + res[i];
                        if (memcmp(&out[i], (const void *)&e, 4) != 0)
                            bt_report(&fails, "b_f32 offset range", names[v], i,
                                      (long long)out[i], (long long)e);
                    }
                }
        bt_free(in);
        bt_free(w);
        bt_free(dot);
        bt_free(res);
        bt_free(out);
        bt_free(scratch);
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
    struct CMUnitTest tests[BT_NUM_CONV_SHAPES + 7];
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
        struct CMUnitTest t6 = cmocka_unit_test(test_conv_f32_offset_range);
        struct CMUnitTest t7 = cmocka_unit_test(test_conv_1x1_shapes);
        tests[i++] = t5;
        tests[i++] = t7;
        tests[i++] = t6;
        tests[i++] = t1;
        tests[i++] = t2;
        tests[i++] = t3;
        tests[i++] = t4;
    }
    return _cmocka_run_group_tests("binary_conv", tests, (size_t)i, NULL, NULL);
}
