/*
 * test_ops_layout.c - bnn_u8_nchw_to_nhwc_f32 (uint8 input conversion
 * with per-channel mean and std) and bnn_permute_f32 (axis permutation).
 *
 * Both are exact. The u8 reference rounds (double)x - mean to float, then
 * divides in double and rounds to float: each step is the correctly
 * rounded float operation (53 >= 2*24 + 2), as the kernel computes it.
 * Permutation results are compared with an index-by-index reference and
 * with transposes recorded from MXNet 1.9.1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bnn_ops.h"

/*
 * Recorded from MXNet 1.9.1 (CPU), u8 of shape (2, 3, 2, 2) holding
 * [0, 1, 127, 128, 254, 255, 12, 200, 99, 3, 77, 250, 5, 6, 7, 8, 9, 10,
 *  11, 13, 14, 15, 16, 17]:
 *   x = mx.nd.array(u8, dtype='uint8').astype('float32')
 *   mean = mx.nd.array([123.675, 116.28, 103.53]).reshape((1, 3, 1, 1))
 *   std = mx.nd.array([58.395, 57.12, 57.375]).reshape((1, 3, 1, 1))
 *   mx.nd.transpose(mx.nd.broadcast_div(mx.nd.broadcast_sub(x, mean), std),
 *                   axes=(0, 2, 3, 1))            -> want_norm
 *   mx.nd.transpose(mx.nd.broadcast_sub(x, mean), axes=(0, 2, 3, 1))
 *                                                  -> want_sub
 */
static const uint8_t u8_in[24] = {0,  1,  127, 128, 254, 255, 12, 200,
                                  99, 3,  77,  250, 5,   6,   7,  8,
                                  9,  10, 11,  13,  14,  15,  16, 17};
static const float u8_mean[3] = {123.675f, 116.28f, 103.53f};
static const float u8_std[3] = {58.395f, 57.12f, 57.375f};
static const float want_norm[24] = {
    -2.11790395f, 2.41106439f,  -0.0789542273f, -2.10077929f, 2.42857146f,
    -1.75215685f, 0.0569397546f, -1.82563031f,  -0.462396502f, 0.0740645081f,
    1.46568632f,  2.55285406f,  -2.03228021f,  -1.8781513f,   -1.56043565f,
    -2.01515555f, -1.86064422f, -1.54300654f,  -1.99803066f,  -1.84313726f,
    -1.52557731f, -1.98090589f, -1.80812323f,  -1.50814807f};
static const float want_sub[24] = {
    -123.675003f, 137.720001f, -4.52999878f, -122.675003f, 138.720001f,
    -100.529999f, 3.32499695f, -104.279999f, -26.5299988f, 4.32499695f,
    83.7200012f,  146.470001f, -118.675003f, -107.279999f, -89.5299988f,
    -117.675003f, -106.279999f, -88.5299988f, -116.675003f, -105.279999f,
    -87.5299988f, -115.675003f, -103.279999f, -86.5299988f};

static void test_u8_mxnet_values(void **state)
{
    (void)state;
    float out[24];
    assert_int_equal(
        bnn_u8_nchw_to_nhwc_f32(
            &(bnn_layout_params){.n = 2, .c = 3, .h = 2, .w = 2, .mean = u8_mean, .std = u8_std},
            u8_in, out),
        BNN_OK);
    for (int i = 0; i < 24; ++i) {
        if (out[i] != want_norm[i])
            fprintf(stderr, "u8 norm %d: got %.9g want %.9g\n", i,
                    (double)out[i], (double)want_norm[i]);
        assert_true(out[i] == want_norm[i]);
    }
    assert_int_equal(
        bnn_u8_nchw_to_nhwc_f32(
            &(bnn_layout_params){.n = 2, .c = 3, .h = 2, .w = 2, .mean = u8_mean, .std = NULL},
            u8_in, out),
        BNN_OK);
    for (int i = 0; i < 24; ++i)
        assert_true(out[i] == want_sub[i]);
}

static void test_u8_exact(void **state)
{
    (void)state;
    enum { N = 2, C = 5, H = 7, W = 3 };
    static uint8_t in[N * C * H * W];
    static float out[N * C * H * W];
    const float mean[C] = {0.0f, 127.5f, 255.0f, 3.25f, 100.1f};
    const float std[C] = {1.0f, 127.5f, 0.017f, -2.0f, 0.0f};
    for (int i = 0; i < N * C * H * W; ++i)
        in[i] = (uint8_t)((i * 37 + 11) & 0xFF);
    in[0] = 0;
    in[1] = 255;
    for (int variant = 0; variant < 4; ++variant) {
        const float *m = (variant & 1) ? mean : NULL;
        const float *s = (variant & 2) ? std : NULL;
        assert_int_equal(
            bnn_u8_nchw_to_nhwc_f32(
                &(bnn_layout_params){.n = N, .c = C, .h = H, .w = W, .mean = m, .std = s}, in, out),
            BNN_OK);
        for (int n = 0; n < N; ++n)
            for (int c = 0; c < C; ++c)
                for (int y = 0; y < H; ++y)
                    for (int x = 0; x < W; ++x) {
                        double v = in[((n * C + c) * H + y) * W + x];
                        float t = (float)(v - (m ? m[c] : 0.0));
                        float want = (float)((double)t / (s ? s[c] : 1.0));
                        float got = out[((n * H + y) * W + x) * C + c];
                        /* std 0: +-inf, or NaN for 0/0. */
                        if (isnan(want))
                            assert_true(isnan(got));
                        else
                            assert_true(got == want &&
                                        !signbit(got) == !signbit(want));
                    }
    }
    /* No mean and no std: the plain conversion. */
    assert_int_equal(
        bnn_u8_nchw_to_nhwc_f32(
            &(bnn_layout_params){.n = 1, .c = 1, .h = 1, .w = 2, .mean = NULL, .std = NULL}, in,
            out),
        BNN_OK);
    assert_true(out[0] == 0.0f && !signbit(out[0]) && out[1] == 255.0f);
}

/* out[idx] = in[idx'] with idx'[perm[i]] = idx[i], one index at a time. */
static void ref_permute(int nd, const int32_t *shape, const int32_t *perm,
                        const float *in, float *out)
{
    size_t total = 1, istr[6], idx[6] = {0};
    for (int i = 0; i < nd; ++i)
        total *= (size_t)shape[i];
    istr[nd - 1] = 1;
    for (int i = nd - 1; i > 0; --i)
        istr[i - 1] = istr[i] * (size_t)shape[i];
    for (size_t o = 0; o < total; ++o) {
        size_t rem = o, src = 0;
        for (int i = nd - 1; i >= 0; --i) {
            size_t sz = (size_t)shape[perm[i]];
            idx[i] = rem % sz;
            rem /= sz;
        }
        for (int i = 0; i < nd; ++i)
            src += idx[i] * istr[perm[i]];
        out[o] = in[src];
    }
}

/* Next permutation in lexicographic order; 0 after the last. */
static int next_perm(int32_t *p, int n)
{
    int i = n - 2, j = n - 1;
    while (i >= 0 && p[i] >= p[i + 1])
        --i;
    if (i < 0)
        return 0;
    while (p[j] <= p[i])
        --j;
    int32_t t = p[i];
    p[i] = p[j];
    p[j] = t;
    for (int a = i + 1, b = n - 1; a < b; ++a, --b) {
        t = p[a];
        p[a] = p[b];
        p[b] = t;
    }
    return 1;
}

/* bnn_permute_f32 with the shape and the permutation as arrays of nd
 * entries (at most BNN_PERMUTE_MAX_DIMS of them are copied; ndim is
 * passed as given). */
static bnn_status permute(int32_t nd, const int32_t *shape, const int32_t *perm, const float *in,
                          float *out)
{
    bnn_permute_params p = {.ndim = nd};
    for (int32_t i = 0; i < nd && i < BNN_PERMUTE_MAX_DIMS; ++i) {
        p.shape[i] = shape[i];
        p.perm[i] = perm[i];
    }
    return bnn_permute_f32(&p, in, out);
}

/* Every permutation of every shape given, against the reference. */
static int check_all_perms(int nd, const int32_t *shape)
{
    static float in[4096], out[4096], want[4096];
    int32_t perm[6];
    size_t total = 1;
    int count = 0;
    for (int i = 0; i < nd; ++i)
        total *= (size_t)shape[i];
    assert_true(total <= 4096);
    for (size_t i = 0; i < total; ++i)
        in[i] = (float)i + 0.25f;
    for (int i = 0; i < nd; ++i)
        perm[i] = i;
    do {
        for (size_t i = 0; i < total; ++i)
            out[i] = -1.0f;
        ref_permute(nd, shape, perm, in, want);
        assert_int_equal(permute(nd, shape, perm, in, out), BNN_OK);
        if (memcmp(out, want, total * sizeof(float)) != 0) {
            fprintf(stderr, "permute nd=%d shape", nd);
            for (int i = 0; i < nd; ++i)
                fprintf(stderr, " %d", (int)shape[i]);
            fprintf(stderr, " perm");
            for (int i = 0; i < nd; ++i)
                fprintf(stderr, " %d", (int)perm[i]);
            fprintf(stderr, "\n");
            fail();
        }
        ++count;
    } while (next_perm(perm, nd));
    return count;
}

static void test_permute_all_small(void **state)
{
    (void)state;
    static const int32_t shapes[][6] = {
        {5},          {1},          {3, 4},       {1, 7},
        {7, 1},       {1, 1},       {2, 3, 4},    {1, 3, 1},
        {5, 1, 2},    {2, 3, 4, 5}, {1, 3, 1, 4}, {3, 1, 1, 2},
        {1, 1, 1, 1}, {2, 1, 3, 4, 5},
    };
    static const int nds[] = {1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5};
    int count = 0;
    for (size_t s = 0; s < sizeof nds / sizeof nds[0]; ++s)
        count += check_all_perms(nds[s], shapes[s]);
    assert_int_equal(count, 1 + 1 + 4 * 2 + 6 * 3 + 24 * 4 + 120);
}

static void test_permute_6d(void **state)
{
    (void)state;
    /* All 720 permutations of two 6-D shapes, one with size-1 axes. */
    static const int32_t a[6] = {2, 3, 1, 2, 3, 2};
    static const int32_t b[6] = {3, 2, 4, 2, 2, 3};
    assert_int_equal(check_all_perms(6, a), 720);
    assert_int_equal(check_all_perms(6, b), 720);
}

/*
 * Recorded from MXNet 1.9.1:
 *   mx.nd.transpose(mx.nd.arange(120).reshape((2, 1, 3, 4, 5)),
 *                   axes=(3, 1, 0, 4, 2))     shape (4, 1, 2, 5, 3)
 *   mx.nd.transpose(mx.nd.arange(24).reshape((2, 3, 4)), axes=(2, 0, 1))
 */
static const int16_t mx_t5[120] = {
    0,  20, 40,  1,  21, 41,  2,  22, 42,  3,  23, 43,  4,  24, 44,
    60, 80, 100, 61, 81, 101, 62, 82, 102, 63, 83, 103, 64, 84, 104,
    5,  25, 45,  6,  26, 46,  7,  27, 47,  8,  28, 48,  9,  29, 49,
    65, 85, 105, 66, 86, 106, 67, 87, 107, 68, 88, 108, 69, 89, 109,
    10, 30, 50,  11, 31, 51,  12, 32, 52,  13, 33, 53,  14, 34, 54,
    70, 90, 110, 71, 91, 111, 72, 92, 112, 73, 93, 113, 74, 94, 114,
    15, 35, 55,  16, 36, 56,  17, 37, 57,  18, 38, 58,  19, 39, 59,
    75, 95, 115, 76, 96, 116, 77, 97, 117, 78, 98, 118, 79, 99, 119};
static const int16_t mx_t3[24] = {0, 4, 8,  12, 16, 20, 1, 5, 9,  13, 17, 21,
                                  2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23};

static void test_permute_mxnet_values(void **state)
{
    (void)state;
    float in[120], out[120];
    for (int i = 0; i < 120; ++i)
        in[i] = (float)i;
    const int32_t s5[5] = {2, 1, 3, 4, 5}, p5[5] = {3, 1, 0, 4, 2};
    assert_int_equal(permute(5, s5, p5, in, out), BNN_OK);
    for (int i = 0; i < 120; ++i)
        assert_true(out[i] == (float)mx_t5[i]);
    const int32_t s3[3] = {2, 3, 4}, p3[3] = {2, 0, 1};
    assert_int_equal(permute(3, s3, p3, in, out), BNN_OK);
    for (int i = 0; i < 24; ++i)
        assert_true(out[i] == (float)mx_t3[i]);
}

/* Larger NCHW <-> NHWC style permutations and a long contiguous run; the
 * values are arbitrary bit patterns, so every copy must be exact. */
static void test_permute_large(void **state)
{
    (void)state;
    enum { T = 2 * 33 * 17 * 9 };
    static float in[T], out[T], want[T];
    for (int i = 0; i < T; ++i) {
        uint32_t u = (uint32_t)i * 2654435761u;
        u &= 0xBF7FFFFFu; /* keep it finite: clear the exponent's top bit */
        memcpy(&in[i], &u, sizeof u);
    }
    static const int32_t shape[4] = {2, 33, 17, 9};
    static const int32_t perms[][4] = {{0, 2, 3, 1}, {0, 3, 1, 2},
                                       {0, 1, 2, 3}, {3, 2, 1, 0},
                                       {1, 0, 2, 3}, {2, 3, 0, 1}};
    for (size_t k = 0; k < sizeof perms / sizeof perms[0]; ++k) {
        ref_permute(4, shape, perms[k], in, want);
        assert_int_equal(permute(4, shape, perms[k], in, out), BNN_OK);
        assert_memory_equal(out, want, sizeof out);
    }
}

static void test_permute_args(void **state)
{
    (void)state;
    float in[8] = {0}, out[8];
    const int32_t s2[2] = {2, 4}, p2[2] = {1, 0};
    const int32_t bad_dup[2] = {1, 1}, bad_rng[2] = {0, 2};
    const int32_t bad_neg[2] = {-1, 0};
    const int32_t s0[2] = {2, 0}, sn[2] = {-2, -4};
    const int32_t s7[7] = {1, 1, 1, 1, 1, 1, 8}, p7[7] = {0, 1, 2, 3, 4, 5, 6};
    assert_int_equal(permute(0, s2, p2, in, out), BNN_ARG_ERROR);
    assert_int_equal(permute(7, s7, p7, in, out), BNN_ARG_ERROR);
    assert_int_equal(permute(2, s2, bad_dup, in, out), BNN_ARG_ERROR);
    assert_int_equal(permute(2, s2, bad_rng, in, out), BNN_ARG_ERROR);
    assert_int_equal(permute(2, s2, bad_neg, in, out), BNN_ARG_ERROR);
    assert_int_equal(permute(2, s0, p2, in, out), BNN_ARG_ERROR);
    assert_int_equal(permute(2, sn, p2, in, out), BNN_ARG_ERROR);
    assert_int_equal(bnn_permute_f32(NULL, in, out), BNN_ARG_ERROR);
    assert_int_equal(permute(2, s2, p2, NULL, out), BNN_ARG_ERROR);
    assert_int_equal(permute(2, s2, p2, in, NULL), BNN_ARG_ERROR);
    /* entries past ndim are not read */
    {
        const bnn_permute_params q = {
            .ndim = 2, .shape = {2, 4, -7, 0, 0, 0}, .perm = {1, 0, 1, 1, 9, -1}};
        assert_int_equal(bnn_permute_f32(&q, in, out), BNN_OK);
    }
    assert_int_equal(permute(2, s2, p2, in, in), BNN_ARG_ERROR);
    /* 2^31 - 1 to the sixth power overflows any size_t. */
    const int32_t huge[6] = {INT32_MAX, INT32_MAX, INT32_MAX,
                             INT32_MAX, INT32_MAX, INT32_MAX};
    const int32_t p6[6] = {0, 1, 2, 3, 4, 5};
    assert_int_equal(permute(6, huge, p6, in, out), BNN_ARG_ERROR);
    /* The 6-D limit itself is accepted. */
    const int32_t s6[6] = {1, 2, 1, 2, 1, 2}, q6[6] = {5, 4, 3, 2, 1, 0};
    for (int i = 0; i < 8; ++i)
        in[i] = (float)i;
    assert_int_equal(permute(6, s6, q6, in, out), BNN_OK);
    /* reversing (2,2,2) axes: out[k][j][i] = in[i][j][k] */
    static const float want[8] = {0, 4, 2, 6, 1, 5, 3, 7};
    assert_memory_equal(out, want, sizeof want);
}

static void test_u8_args(void **state)
{
    (void)state;
    uint8_t in[4] = {1, 2, 3, 4};
    float out[4] = {9, 9, 9, 9};
    assert_int_equal(
        bnn_u8_nchw_to_nhwc_f32(
            &(bnn_layout_params){.n = 0, .c = 1, .h = 2, .w = 2, .mean = NULL, .std = NULL}, in,
            out),
        BNN_ARG_ERROR);
    assert_int_equal(
        bnn_u8_nchw_to_nhwc_f32(
            &(bnn_layout_params){.n = 1, .c = 0, .h = 2, .w = 2, .mean = NULL, .std = NULL}, in,
            out),
        BNN_ARG_ERROR);
    assert_int_equal(
        bnn_u8_nchw_to_nhwc_f32(
            &(bnn_layout_params){.n = 1, .c = 1, .h = -2, .w = 2, .mean = NULL, .std = NULL}, in,
            out),
        BNN_ARG_ERROR);
    assert_int_equal(
        bnn_u8_nchw_to_nhwc_f32(
            &(bnn_layout_params){.n = 1, .c = 1, .h = 2, .w = 0, .mean = NULL, .std = NULL}, in,
            out),
        BNN_ARG_ERROR);
    assert_int_equal(
        bnn_u8_nchw_to_nhwc_f32(
            &(bnn_layout_params){.n = 1, .c = 1, .h = 2, .w = 2, .mean = NULL, .std = NULL}, NULL,
            out),
        BNN_ARG_ERROR);
    assert_int_equal(
        bnn_u8_nchw_to_nhwc_f32(
            &(bnn_layout_params){.n = 1, .c = 1, .h = 2, .w = 2, .mean = NULL, .std = NULL}, in,
            NULL),
        BNN_ARG_ERROR);
    for (int i = 0; i < 4; ++i)
        assert_true(out[i] == 9.0f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_u8_mxnet_values),
        cmocka_unit_test(test_u8_exact),
        cmocka_unit_test(test_u8_args),
        cmocka_unit_test(test_permute_all_small),
        cmocka_unit_test(test_permute_6d),
        cmocka_unit_test(test_permute_mxnet_values),
        cmocka_unit_test(test_permute_large),
        cmocka_unit_test(test_permute_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
