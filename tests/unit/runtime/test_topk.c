/*
 * test_topk.c - bnn_topk_f32 (ONNX TopK, ArgMax, ArgMin) against a
 * reference that sorts each slice's (value, index) pairs by the documented
 * order: larger (smaller) value first, NaN as the largest value, equal
 * values lowest index first (highest with last_index). Exact: values and
 * indices are copied, never computed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bnn.h"

static unsigned rng_state;
/* few distinct values, so that ties are frequent */
static float small_int(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((int)((rng_state >> 16) % 7u) - 3);
}

typedef struct {
    float v;
    int64_t i;
} pair;

static int ref_largest, ref_last;

/* the reference order, written independently of the kernel's */
static int ref_cmp(const void *pa, const void *pb)
{
    const pair *a = pa, *b = pb;
    double ka = isnan(a->v) ? INFINITY : a->v, kb = isnan(b->v) ? INFINITY : b->v;
    int an = isnan(a->v), bn = isnan(b->v);
    if (an != bn)
        return ref_largest ? bn - an : an - bn;
    if (!an && ka != kb)
        return ref_largest ? (ka < kb ? 1 : -1) : (ka < kb ? -1 : 1);
    return ref_last ? (a->i < b->i ? 1 : -1) : (a->i < b->i ? -1 : 1);
}

static void check(int32_t outer, int32_t len, int32_t inner, int32_t k, int largest,
                  int last, int with_nan)
{
    size_t n = (size_t)outer * (size_t)len * (size_t)inner;
    size_t m = (size_t)outer * (size_t)k * (size_t)inner;
    float *in = malloc(n * sizeof *in), *vals = malloc(m * sizeof *vals);
    float *vals_only = malloc(m * sizeof *vals_only), *scratch = malloc((size_t)k * 4);
    int64_t *idx = malloc(m * sizeof *idx), *idx_only = malloc(m * sizeof *idx_only);
    pair *row = malloc((size_t)len * sizeof *row);
    bnn_topk_params p = {outer, len, inner, k, largest, last};
    size_t e;
    for (e = 0; e < n; e++)
        in[e] = with_nan && e % 5 == 2 ? NAN : small_int();
    assert_int_equal(bnn_topk_f32(&p, in, vals, idx, NULL), BNN_OK);
    assert_int_equal(bnn_topk_f32(&p, in, vals_only, NULL, NULL), BNN_OK);
    assert_int_equal(bnn_topk_f32(&p, in, NULL, idx_only, scratch), BNN_OK);
    ref_largest = largest;
    ref_last = last;
    for (int32_t o = 0; o < outer; o++)
        for (int32_t i = 0; i < inner; i++) {
            for (int32_t j = 0; j < len; j++) {
                row[j].v = in[((size_t)o * (size_t)len + (size_t)j) * (size_t)inner + (size_t)i];
                row[j].i = j;
            }
            qsort(row, (size_t)len, sizeof *row, ref_cmp);
            for (int32_t r = 0; r < k; r++) {
                size_t at = ((size_t)o * (size_t)k + (size_t)r) * (size_t)inner + (size_t)i;
                assert_int_equal(idx[at], row[r].i);
                assert_int_equal(idx_only[at], row[r].i);
                assert_memory_equal(&vals[at], &row[r].v, sizeof(float));
                assert_memory_equal(&vals_only[at], &row[r].v, sizeof(float));
            }
        }
    free(in);
    free(vals);
    free(vals_only);
    free(scratch);
    free(idx);
    free(idx_only);
    free(row);
}

static void test_topk_orders(void **state)
{
    (void)state;
    rng_state = 12345u;
    for (int largest = 0; largest < 2; largest++)
        for (int last = 0; last < 2; last++)
            for (int nan = 0; nan < 2; nan++) {
                check(3, 10, 1, 1, largest, last, nan);   /* ArgMax of rows */
                check(2, 9, 4, 3, largest, last, nan);    /* strided axis */
                check(1, 17, 6, 17, largest, last, nan);  /* a full sort */
                check(4, 1, 3, 1, largest, last, nan);    /* one element */
            }
}

static void test_topk_args(void **state)
{
    float in[6] = {1, 2, 3, 4, 5, 6}, v[6];
    int64_t ix[6];
    bnn_topk_params p = {1, 6, 1, 2, 1, 0};
    (void)state;
    assert_int_equal(bnn_topk_f32(NULL, in, v, ix, NULL), BNN_ARG_ERROR);
    assert_int_equal(bnn_topk_f32(&p, in, NULL, NULL, NULL), BNN_ARG_ERROR);
    assert_int_equal(bnn_topk_f32(&p, in, NULL, ix, NULL), BNN_ARG_ERROR); /* no scratch */
    p.k = 7;
    assert_int_equal(bnn_topk_f32(&p, in, v, ix, NULL), BNN_ARG_ERROR);
    p.k = 0;
    assert_int_equal(bnn_topk_f32(&p, in, v, ix, NULL), BNN_ARG_ERROR);
    p.k = 2;
    assert_int_equal(bnn_topk_f32(&p, in, v, ix, NULL), BNN_OK);
    assert_int_equal(ix[0], 5);
    assert_int_equal(ix[1], 4);
    assert_true(v[0] == 6.0f && v[1] == 5.0f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topk_orders),
        cmocka_unit_test(test_topk_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
