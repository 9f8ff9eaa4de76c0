/*
 * test_binary_dense.c - bnn_bdense_b_{i32,f32,b}: every compiled-in variant
 * and the public entry points against an independent +-1 dot product, on
 * row lengths around word edges, value bits spread over several word
 * segments (a flattened binary tensor), output counts around block edges
 * and strided outputs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "binary_test_util.h"

static void test_dense_shape(void **state)
{
    const bt_dense_shape *s = (const bt_dense_shape *)*state;
    assert_int_equal(bt_check_dense(s, 777u), 0);
}

/* Hand-computed: k = 3 bits (+1, -1, +1) against weights (+1, +1, -1):
 * dot = 1 - 1 - 1 = -1; a second channel with equal weights gives 3. */
static void test_dense_hand_values(void **state)
{
    uint32_t in[1] = {0x2u};
    uint32_t w[16];
    int32_t out[2];
    bnn_bdense_params p;
    int v, nv;
    const char *names[VT_MAX_VARIANTS];
    bnn_any_fn fns[VT_MAX_VARIANTS];
    (void)state;
    memset(w, 0, sizeof w);
    w[0] = 0x4u; /* channel 0: (+1, +1, -1) */
    w[1] = 0x2u; /* channel 1: (+1, -1, +1) */
    memset(&p, 0, sizeof p);
    p.n = 1;
    p.in_words = 1;
    p.k = 3;
    p.out_c = 2;
    p.weights = w;
    p.out_row_stride = 2;
    nv = vt_variants("bnn_bdense_b_i32", names, fns);
    assert_true(nv >= 1);
    for (v = 0; v < nv; v++) {
        assert_int_equal(((bt_dense_i32_fn)fns[v])(&p, in, out), BNN_OK);
        assert_int_equal(out[0], -1);
        assert_int_equal(out[1], 3);
    }
}

static void test_dense_rejects_bad_args(void **state)
{
    uint32_t in[4] = {0}, w[64] = {0};
    int32_t out[4];
    bnn_bdense_params p, q;
    int v, nv;
    const char *names[VT_MAX_VARIANTS];
    (void)state;
    memset(&p, 0, sizeof p);
    p.n = 1;
    p.in_words = 2;
    p.k = 40;
    p.out_c = 4;
    p.weights = w;
    p.out_row_stride = 4;
    nv = vt_variants("bnn_bdense_b_i32", names, NULL);
    assert_true(nv >= 1);
    for (v = 0; v < nv; v++) {
        bt_dense_i32_fn fi;
        bt_dense_f32_fn ff;
        bt_dense_b_fn fb;
        assert_true(bt_dense_fns(names[v], &fi, &ff, &fb));
        assert_int_equal(fi(&p, in, out), BNN_OK);
        q = p;
        q.k = 65; /* more bits than 2 words hold */
        assert_int_equal(fi(&q, in, out), BNN_ARG_ERROR);
        q = p;
        q.out_row_stride = 3;
        assert_int_equal(fi(&q, in, out), BNN_ARG_ERROR);
        q = p;
        q.n = 0;
        assert_int_equal(fi(&q, in, out), BNN_ARG_ERROR);
        assert_int_equal(ff(&p, in, (float *)out), BNN_ARG_ERROR);
        assert_int_equal(fb(&p, in, (uint32_t *)out), BNN_ARG_ERROR);
    }
}

int main(void)
{
    struct CMUnitTest tests[BT_NUM_DENSE_SHAPES + 2];
    int i;
    for (i = 0; i < BT_NUM_DENSE_SHAPES; i++) {
        struct CMUnitTest t = cmocka_unit_test_prestate(test_dense_shape,
                                                        (void *)&bt_dense_shapes[i]);
        tests[i] = t;
    }
    {
        struct CMUnitTest t1 = cmocka_unit_test(test_dense_hand_values);
        struct CMUnitTest t2 = cmocka_unit_test(test_dense_rejects_bad_args);
        tests[i++] = t1;
        tests[i++] = t2;
    }
    return _cmocka_run_group_tests("binary_dense", tests, (size_t)i, NULL, NULL);
}
