/*
 * test_binary_pack.c - bnn_pack_f32_b (det_sign: x < 0 -> bit 1, so 0,
 * -0.0 and NaN are +1), bnn_unpack_b_f32 and bnn_copy_channels_b, with
 * exact expected words.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "bnn.h"
#include "variant_test_util.h"

/* both bnn_pack_f32_b and bnn_pack_affine_f32_b */
typedef bnn_status (*pack_fn)(const bnn_channels_params *, const float *, uint32_t *);

static float f_from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static void test_pack_special_values(void **state)
{
    float x[12];
    uint32_t out[2] = {0xDEADBEEFu, 0xDEADBEEFu};
    (void)state;
    x[0] = 0.0f;                     /* +1 */
    x[1] = -0.0f;                    /* +1: compare, not sign bit */
    x[2] = f_from_bits(0x7FC00000u); /* NaN: +1 */
    x[3] = f_from_bits(0xFFC00000u); /* NaN with sign bit: +1 */
    x[4] = INFINITY;                 /* +1 */
    x[5] = -INFINITY;                /* -1 */
    x[6] = f_from_bits(0x00000001u); /* smallest positive denormal: +1 */
    x[7] = f_from_bits(0x80000001u); /* smallest negative denormal: -1 */
    x[8] = -1.0f;                    /* -1 */
    x[9] = 1e-38f;                   /* +1 */
    x[10] = -3.5f;                   /* -1 */
    x[11] = f_from_bits(0x807FFFFFu); /* largest negative denormal: -1 */
    assert_int_equal(bnn_pack_f32_b(
                         &(bnn_channels_params){
                             .pixels = 1, .c = 12, .in_pixel_stride = 12, .out_pixel_stride = 1},
                         x, out),
                     BNN_OK);
    assert_int_equal(out[0], (1u << 5) | (1u << 7) | (1u << 8) | (1u << 10) | (1u << 11));
    assert_int_equal(out[1], 0xDEADBEEFu); /* nothing past the pixel */
}

/* 33 channels over 3 pixels with strides: tail bits 0, gaps untouched. */
static void test_pack_tail_and_strides(void **state)
{
    float x[3 * 40];
    uint32_t out[3 * 3], want[3 * 3];
    float back[3 * 35];
    int p, c;
    (void)state;
    for (p = 0; p < 3; p++) {
        want[p * 3 + 0] = want[p * 3 + 1] = 0;
        want[p * 3 + 2] = 0x5A5A5A5Au;
        for (c = 0; c < 40; c++) {
            float v = ((p * 7 + c * 3) % 5 < 2) ? -(float)(c + 1) : (float)c;
            x[p * 40 + c] = v;
            if (c < 33 && v < 0)
                want[p * 3 + c / 32] |= 1u << (c % 32);
        }
    }
    for (c = 0; c < 9; c++)
        out[c] = 0x5A5A5A5Au;
    assert_int_equal(bnn_pack_f32_b(
                         &(bnn_channels_params){
                             .pixels = 3, .c = 33, .in_pixel_stride = 40, .out_pixel_stride = 3},
                         x, out),
                     BNN_OK);
    assert_memory_equal(out, want, sizeof want);
    for (c = 0; c < 3 * 35; c++)
        back[c] = 7.0f;
    assert_int_equal(bnn_unpack_b_f32(
                         &(bnn_channels_params){
                             .pixels = 3, .c = 33, .in_pixel_stride = 3, .out_pixel_stride = 35},
                         out, back),
                     BNN_OK);
    for (p = 0; p < 3; p++) {
        for (c = 0; c < 33; c++)
            assert_true(back[p * 35 + c] == (x[p * 40 + c] < 0 ? -1.0f : 1.0f));
        assert_true(back[p * 35 + 33] == 7.0f);
    }
    assert_int_equal(bnn_pack_f32_b(
                         &(bnn_channels_params){
                             .pixels = 1, .c = 33, .in_pixel_stride = 32, .out_pixel_stride = 2},
                         x, out),
                     BNN_ARG_ERROR);
    assert_int_equal(bnn_pack_f32_b(
                         &(bnn_channels_params){
                             .pixels = 1, .c = 33, .in_pixel_stride = 40, .out_pixel_stride = 1},
                         x, out),
                     BNN_ARG_ERROR);
}

/* Every variant of bnn_pack_f32_b on channel counts around the 8- and
 * 16-lane and 32-bit word boundaries, special values at every position: every bit
 * against the definition, tail bits 0, the padding words between pixels
 * untouched. */
static void test_pack_channel_counts(void **state)
{
    static const int32_t cs[] = {1, 7, 8, 9, 15, 16, 17, 23, 25, 31, 32, 33, 47, 48, 63, 64, 65, 130};
    static const uint32_t special[] = {
        0x00000000u, 0x80000000u, 0x7FC00000u, 0xFFC00000u, 0x7F800000u,
        0xFF800000u, 0x00000001u, 0x80000001u, 0xBF800000u, 0x3F800000u};
    const char *names[VT_MAX_VARIANTS];
    bnn_any_fn fns[VT_MAX_VARIANTS];
    int nv = vt_variants("bnn_pack_f32_b", names, fns);
    (void)state;
    assert_true(nv >= 1);
    for (int v = 0; v < nv; v++)
    for (size_t k = 0; k < sizeof cs / sizeof *cs; k++) {
        int32_t c = cs[k], pixels = 5, in_stride = c + 1, nw = bnn_words(c);
        int32_t out_stride = nw + 1;
        float *x = malloc(sizeof(float) * (size_t)(pixels * in_stride));
        uint32_t *o = malloc(sizeof(uint32_t) * (size_t)(pixels * out_stride));
        assert_non_null(x);
        assert_non_null(o);
        for (int32_t i = 0; i < pixels * in_stride; i++)
            x[i] = f_from_bits(special[(size_t)(i * 7 + (int32_t)k) % 10]);
        for (int32_t i = 0; i < pixels * out_stride; i++)
            o[i] = 0xA5A5A5A5u;
        const bnn_channels_params q = {
            .pixels = pixels, .c = c, .in_pixel_stride = in_stride, .out_pixel_stride = out_stride};
        assert_int_equal(((pack_fn)fns[v])(&q, x, o), BNN_OK);
        for (int32_t p = 0; p < pixels; p++) {
            for (int32_t ch = 0; ch < nw * 32; ch++) {
                uint32_t want = ch < c && x[p * in_stride + ch] < 0.0f;
                assert_int_equal((o[p * out_stride + ch / 32] >> (ch % 32)) & 1u, want);
            }
            assert_int_equal(o[p * out_stride + nw], 0xA5A5A5A5u);
        }
        free(x);
        free(o);
    }
}

/* Concatenation of binary tensors at bit offsets 0, 5 and 37. */
/* The fused affine + sign-pack (every variant) equals bnn_affine_f32
 * followed by bnn_pack_f32_b bit for bit, on awkward channel counts and
 * strides, with values that land exactly on 0 after the affine map and NaN
 * inputs. */
static void test_pack_affine_equals_affine_then_pack(void **state)
{
    static const int32_t cs[] = {1, 31, 32, 33, 63, 64, 65, 130};
    const char *names[VT_MAX_VARIANTS];
    bnn_any_fn fns[VT_MAX_VARIANTS];
    int nv = vt_variants("bnn_pack_affine_f32_b", names, fns);
    (void)state;
    assert_true(nv >= 1);
    for (int vi = 0; vi < nv; vi++)
    for (size_t k = 0; k < sizeof cs / sizeof *cs; k++) {
        int32_t c = cs[k], pixels = 7, in_stride = c + 3, nw = bnn_words(c);
        int32_t out_stride = nw + 1;
        float *x = malloc(sizeof(float) * (size_t)(pixels * in_stride));
        float *y = malloc(sizeof(float) * (size_t)(pixels * c));
        float *mul = malloc(sizeof(float) * (size_t)c), *add = malloc(sizeof(float) * (size_t)c);
        uint32_t *a = calloc((size_t)(pixels * out_stride), 4), *b = calloc((size_t)(pixels * out_stride), 4);
        uint32_t *xc = calloc((size_t)(pixels * nw), 4);
        for (int32_t ch = 0; ch < c; ch++) {
            mul[ch] = ch % 5 == 0 ? -0.75f : ch % 7 == 0 ? 0.0f : 0.5f + (float)ch / 16.0f;
            add[ch] = (float)(ch % 9) / 4.0f - 1.0f;
        }
        for (int32_t p = 0; p < pixels; p++)
            for (int32_t ch = 0; ch < in_stride; ch++) {
                float v = (float)((p * 131 + ch * 17) % 23 - 11) / 8.0f;
                if (ch < c && (p + ch) % 6 == 0 && mul[ch] != 0.0f)
                    v = -add[ch] / mul[ch]; /* lands on (about) zero */
                if (ch < c && (p * 3 + ch) % 29 == 0)
                    v = NAN;
                x[p * in_stride + ch] = v;
            }
        for (int32_t p = 0; p < pixels; p++)
            for (int32_t ch = 0; ch < c; ch++)
                y[p * c + ch] = x[p * in_stride + ch];
        assert_int_equal(
            bnn_affine_f32(&(bnn_affine_params){.pixels = pixels, .c = c, .mul = mul, .add = add},
                           y, y),
            BNN_OK);
        assert_int_equal(bnn_pack_f32_b(&(bnn_channels_params){.pixels = pixels,
                                                               .c = c,
                                                               .in_pixel_stride = c,
                                                               .out_pixel_stride = nw},
                                        y, xc),
                         BNN_OK);
        for (int32_t p = 0; p < pixels; p++)
            memcpy(b + p * out_stride, xc + p * nw, (size_t)nw * 4);
        bnn_channels_params q = {.pixels = pixels,
                                 .c = c,
                                 .in_pixel_stride = in_stride,
                                 .out_pixel_stride = out_stride,
                                 .mul = mul,
                                 .add = add};
        assert_int_equal(((pack_fn)fns[vi])(&q, x, a), BNN_OK);
        assert_memory_equal(a, b, (size_t)(pixels * out_stride) * 4);
        /* and against the definition, every pixel (tail bits 0, the word
         * past the pixel untouched) */
        for (int32_t p = 0; p < pixels; p++) {
            const uint32_t *ap = a + p * out_stride;
            for (int32_t ch = 0; ch < nw * 32; ch++) {
                float v = ch < c ? x[p * in_stride + ch] * mul[ch] : 0.0f;
                v = ch < c ? v + add[ch] : 0.0f;
                assert_int_equal((ap[ch >> 5] >> (ch & 31)) & 1u, v < 0.0f);
            }
            assert_int_equal(ap[nw], 0u);
        }
        q.mul = NULL;
        assert_int_equal(((pack_fn)fns[vi])(&q, x, a), BNN_ARG_ERROR);
        q.mul = mul;
        q.add = NULL;
        assert_int_equal(((pack_fn)fns[vi])(&q, x, a), BNN_ARG_ERROR);
        assert_int_equal(((pack_fn)fns[vi])(NULL, x, a), BNN_ARG_ERROR);
        free(x); free(y); free(mul); free(add); free(a); free(b); free(xc);
    }
}

static void test_copy_channels(void **state)
{
    uint32_t src[2][2] = {{0x80000001u, 0x3u}, {0xFFFFFFFFu, 0x1u}}; /* 34 ch */
    uint32_t dst[2][3];
    int p;
    (void)state;
    memset(dst, 0xFF, sizeof dst);
    assert_int_equal(bnn_copy_channels_b(&(bnn_channels_params){.pixels = 2,
                                                                .c = 34,
                                                                .in_pixel_stride = 2,
                                                                .out_pixel_stride = 3,
                                                                .dst_c_offset = 5},
                                         &src[0][0], &dst[0][0]),
                     BNN_OK);
    for (p = 0; p < 2; p++) {
        uint64_t s = (uint64_t)src[p][0] | ((uint64_t)(src[p][1] & 3u) << 32);
        uint64_t lo = ((uint64_t)dst[p][1] << 32) | dst[p][0];
        /* bits 5..38 hold the 34 channels; bits 0..4 and 39.. kept (1) */
        assert_true(((lo >> 5) & ((1ull << 34) - 1)) == s);
        assert_int_equal(dst[p][0] & 0x1Fu, 0x1Fu);
        assert_int_equal(dst[p][1] >> 7, 0x1FFFFFFu);
        assert_int_equal(dst[p][2], 0xFFFFFFFFu);
    }
    memset(dst, 0, sizeof dst);
    assert_int_equal(bnn_copy_channels_b(&(bnn_channels_params){.pixels = 2,
                                                                .c = 34,
                                                                .in_pixel_stride = 2,
                                                                .out_pixel_stride = 3,
                                                                .dst_c_offset = 37},
                                         &src[0][0], &dst[0][0]),
                     BNN_OK);
    assert_int_equal(dst[0][0], 0u);
    assert_int_equal(dst[0][1], 0x20u);       /* ch 0 -> bit 37 */
    assert_int_equal(dst[0][2], 0x70u);       /* ch 31..33 -> bits 68..70 */
    assert_int_equal(dst[1][1], 0xFFFFFFE0u);
    assert_int_equal(dst[1][2], 0x3Fu);       /* ch 27..32 -> bits 64..69 */
    assert_int_equal(bnn_copy_channels_b(&(bnn_channels_params){.pixels = 2,
                                                                .c = 34,
                                                                .in_pixel_stride = 2,
                                                                .out_pixel_stride = 3,
                                                                .dst_c_offset = 63},
                                         &src[0][0], &dst[0][0]),
                     BNN_ARG_ERROR);
}

/* Every offset 0..70 and channel counts around word edges against a
 * bit-by-bit copy written here. */
static void test_copy_channels_all_offsets(void **state)
{
    static const int32_t counts[] = {1, 5, 31, 32, 33, 63, 64, 65, 96};
    uint32_t src[2 * 4], dst[2 * 6], want[2 * 6];
    uint32_t seed = 12345u;
    size_t i;
    int32_t off, ch, p;
    (void)state;
    for (i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        int32_t c = counts[i];
        for (off = 0; off <= 70; off++) {
            for (p = 0; p < 8; p++) {
                seed = seed * 1664525u + 1013904223u;
                src[p] = seed;
            }
            for (p = 0; p < 2; p++) /* zero the tails of the source */
                for (ch = c; ch < 128; ch++)
                    src[p * 4 + ch / 32] &= ~(1u << (ch % 32));
            for (p = 0; p < 12; p++) {
                seed = seed * 1664525u + 1013904223u;
                dst[p] = want[p] = seed;
            }
            for (p = 0; p < 2; p++)
                for (ch = 0; ch < c; ch++) {
                    int32_t d = off + ch;
                    uint32_t bit = (src[p * 4 + ch / 32] >> (ch % 32)) & 1u;
                    want[p * 6 + d / 32] = (want[p * 6 + d / 32] & ~(1u << (d % 32))) |
                                           (bit << (d % 32));
                }
            if (off + c <= 6 * 32) {
                assert_int_equal(bnn_copy_channels_b(&(bnn_channels_params){.pixels = 2,
                                                                            .c = c,
                                                                            .in_pixel_stride = 4,
                                                                            .out_pixel_stride = 6,
                                                                            .dst_c_offset = off},
                                                     src, dst),
                                 BNN_OK);
                assert_memory_equal(dst, want, sizeof want);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pack_special_values),
        cmocka_unit_test(test_pack_tail_and_strides),
        cmocka_unit_test(test_pack_channel_counts),
        cmocka_unit_test(test_pack_affine_equals_affine_then_pack),
        cmocka_unit_test(test_copy_channels),
        cmocka_unit_test(test_copy_channels_all_offsets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
