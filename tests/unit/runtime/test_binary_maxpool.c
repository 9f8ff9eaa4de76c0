/*
 * test_binary_maxpool.c - bnn_maxpool_b against sign(maxpool(float)) of
 * the same +-1 tensor, with an independent float max pool written here
 * (MXNet window geometry, in-image elements only).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bnn.h"

typedef struct {
    int32_t n, h, w, c, k_h, k_w, s_h, s_w, p_h, p_w;
} mp_case;

static uint32_t rng = 99u;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static void check_case(const mp_case *m)
{
    int32_t oh = (m->h + 2 * m->p_h - m->k_h) / m->s_h + 1;
    int32_t ow = (m->w + 2 * m->p_w - m->k_w) / m->s_w + 1;
    int32_t cw = (m->c + 31) / 32, n, y, x, ch, oy, ox;
    size_t npx = (size_t)m->n * (size_t)m->h * (size_t)m->w;
    size_t nopx = (size_t)m->n * (size_t)oh * (size_t)ow;
    float *xf = malloc(npx * (size_t)m->c * sizeof(float));
    uint32_t *xb = calloc(npx * (size_t)cw, 4);
    uint32_t *ob = malloc(nopx * (size_t)cw * 4);
    uint32_t *want = calloc(nopx * (size_t)cw, 4);
    bnn_pool2d_params p;
    size_t i;
    /* +-1 values, mostly -1 so that all-(-1) windows occur */
    for (i = 0; i < npx * (size_t)m->c; i++) {
        xf[i] = next() % 4u == 0 ? 1.0f : -1.0f;
        if (xf[i] < 0)
            xb[(i / (size_t)m->c) * (size_t)cw + (i % (size_t)m->c) / 32] |=
                1u << ((i % (size_t)m->c) % 32);
    }
    for (n = 0; n < m->n; n++)
        for (oy = 0; oy < oh; oy++)
            for (ox = 0; ox < ow; ox++)
                for (ch = 0; ch < m->c; ch++) {
                    float best = -1e30f;
                    int32_t y0 = oy * m->s_h - m->p_h, x0 = ox * m->s_w - m->p_w;
                    for (y = y0; y < y0 + m->k_h && y < m->h + m->p_h; y++)
                        for (x = x0; x < x0 + m->k_w && x < m->w + m->p_w; x++)
                            if (y >= 0 && y < m->h && x >= 0 && x < m->w) {
                                float v = xf[(((size_t)n * (size_t)m->h + (size_t)y) *
                                                  (size_t)m->w + (size_t)x) *
                                                 (size_t)m->c + (size_t)ch];
                                if (v > best)
                                    best = v;
                            }
                    if (best < 0)
                        want[(((size_t)n * (size_t)oh + (size_t)oy) * (size_t)ow +
                              (size_t)ox) * (size_t)cw + (size_t)ch / 32] |= 1u << (ch % 32);
                }
    memset(&p, 0, sizeof p);
    p.n = m->n;
    p.in_h = m->h;
    p.in_w = m->w;
    p.c = m->c;
    p.out_h = oh;
    p.out_w = ow;
    p.k_h = m->k_h;
    p.k_w = m->k_w;
    p.stride_h = m->s_h;
    p.stride_w = m->s_w;
    p.pad_h = m->p_h;
    p.pad_w = m->p_w;
    memset(ob, 0x5A, nopx * (size_t)cw * 4);
    assert_int_equal(bnn_maxpool_b(&p, xb, ob), BNN_OK);
    assert_memory_equal(ob, want, nopx * (size_t)cw * 4);
    free(xf);
    free(xb);
    free(ob);
    free(want);
}

static void test_maxpool_cases(void **state)
{
    static const mp_case cases[] = {
        /* n  h  w   c  kh kw sh sw ph pw */
        {1, 4, 4, 1, 2, 2, 2, 2, 0, 0},
        {1, 7, 5, 33, 3, 3, 2, 2, 1, 1},
        {2, 6, 6, 64, 2, 2, 2, 2, 0, 0},
        {1, 9, 7, 65, 3, 3, 1, 1, 1, 1},
        {1, 1, 1, 130, 1, 1, 1, 1, 0, 0},
        {1, 5, 8, 31, 3, 2, 2, 3, 1, 0},
        {1, 3, 3, 96, 3, 3, 2, 2, 2, 2}, /* corner windows hold one pixel */
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i]);
}

static void test_maxpool_hand_values(void **state)
{
    /* 2x2 pixels of 3 channels, one 2x2 window: AND of the words. */
    uint32_t in[4] = {0x7u, 0x5u, 0x6u, 0x7u}, out[1] = {0};
    bnn_pool2d_params p;
    (void)state;
    memset(&p, 0, sizeof p);
    p.n = 1;
    p.in_h = p.in_w = 2;
    p.c = 3;
    p.out_h = p.out_w = 1;
    p.k_h = p.k_w = 2;
    p.stride_h = p.stride_w = 2;
    assert_int_equal(bnn_maxpool_b(&p, in, out), BNN_OK);
    assert_int_equal(out[0], 0x4u);
    /* a window entirely in the padding is rejected */
    p.pad_h = p.pad_w = 2;
    p.out_h = p.out_w = 3;
    assert_int_equal(bnn_maxpool_b(&p, in, out), BNN_ARG_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_maxpool_cases),
        cmocka_unit_test(test_maxpool_hand_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
