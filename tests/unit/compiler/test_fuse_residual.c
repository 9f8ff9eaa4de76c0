/*
 * test_fuse_residual.c - a residual add after a binary convolution with
 * float output becomes that convolution's output step
 * (passes/fuse_residual.c), and the plan then writes the sum over the
 * residual when it dies there (passes/plan.c).
 *
 * Programs are built step by step: b is bits, a unit computes
 * c1 = bconv(b) (float), c2 = bconv(b) and add(c1, c2) or add(c1, r) with r
 * from elsewhere. The numerical equality of bnn_bconv2d_b_f32_add with
 * the convolution followed by bnn_add_f32 is tested with every variant in
 * tests/unit/runtime/binary_test_util.h; fused models against MXNet by the
 * full-size ResNets (scripts/verify-models) and the residual fixtures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "passes/lower.h"

static lir_step *op(lir_program *p, lir_kind k, int in0, int in1, int out)
{
    lir_step *s = lir_step_add(p, k, -1, "n", "op");
    s->in[0] = in0;
    s->in[1] = in1;
    s->n_in = (in0 >= 0) + (in1 >= 0);
    s->out = out;
    return s;
}

static lir_step *bconv(lir_program *p, int in, int out)
{
    lir_step *s = op(p, LK_BCONV_F32, in, -1, out);
    s->p.bconv.out_c = p->t[out].c;
    s->p.bconv.out_pixel_stride = p->t[out].stride;
    return s;
}

static int count(const lir_program *p, lir_kind k)
{
    int i, n = 0;
    for (i = 0; i < p->ns; i++)
        n += p->s[i].kind == k;
    return n;
}

/* Shortcut unit: x (float) -> pack -> b; c1 = bconv(b); c2 = bconv(b);
 * add(c1, c2) -> y; pack(y). The later convolution (c2) takes c1 as its
 * residual and writes y; with the plan, y is written over c1. */
static void test_two_convs(void **state)
{
    lir_program p;
    bnnc_err err;
    int x, b, c1, c2, y, yb;
    (void)state;
    lir_init(&p);
    x = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "x");
    b = lir_tensor_add(&p, LIR_BITS, 1, 4, 4, 16, "b");
    c1 = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "c1");
    c2 = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "c2");
    y = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "y");
    yb = lir_tensor_add(&p, LIR_BITS, 1, 4, 4, 16, "yb");
    op(&p, LK_COPY, -1, -1, x);
    op(&p, LK_PACK, x, -1, b);
    bconv(&p, b, c1);
    bconv(&p, b, c2);
    op(&p, LK_ADD, c1, c2, y);
    op(&p, LK_PACK, y, -1, yb);
    assert_int_equal(pass_fuse_residual(&p, &err), 0);
    assert_int_equal(p.ns, 5);
    assert_int_equal(count(&p, LK_ADD), 0);
    assert_int_equal(p.s[3].kind, LK_BCONV_F32_ADD);
    assert_int_equal(p.s[3].in[0], b);
    assert_int_equal(p.s[3].in[1], c1);
    assert_int_equal(p.s[3].n_in, 2);
    assert_int_equal(p.s[3].out, y);
    assert_int_equal(p.s[3].p.bconv.residual_pixel_stride, 16);
    assert_int_equal(p.s[3].fused_bytes, p.t[c2].bytes);
    assert_int_equal(p.s[2].kind, LK_BCONV_F32); /* the earlier one stays */
    assert_int_equal(pass_plan(&p, &err), 0);
    /* c1 dies where y is written: y takes its place */
    assert_int_equal(p.t[y].storage, LIR_VIEW);
    assert_int_equal(lir_base(&p, y), c1);
    assert_int_equal(plan_check_no_overlap(&p, &err), 0);
    lir_free(&p);
}

/* Identity shortcut: add(c, x) where x is still read after the add: the
 * convolution takes x as its residual but may not write over it. */
static void test_identity_kept(void **state)
{
    lir_program p;
    bnnc_err err;
    int x, b, c, y, z;
    (void)state;
    lir_init(&p);
    x = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "x");
    b = lir_tensor_add(&p, LIR_BITS, 1, 4, 4, 16, "b");
    c = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "c");
    y = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "y");
    z = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "z");
    op(&p, LK_COPY, -1, -1, x);
    op(&p, LK_PACK, x, -1, b);
    bconv(&p, b, c);
    op(&p, LK_ADD, x, c, y);
    op(&p, LK_ADD, y, x, z); /* x read again */
    assert_int_equal(pass_fuse_residual(&p, &err), 0);
    assert_int_equal(p.s[2].kind, LK_BCONV_F32_ADD);
    assert_int_equal(p.s[2].in[1], x);
    assert_int_equal(p.s[2].out, y);
    assert_int_equal(count(&p, LK_ADD), 1);
    assert_int_equal(pass_plan(&p, &err), 0);
    assert_true(lir_base(&p, y) != x);
    assert_int_equal(plan_check_no_overlap(&p, &err), 0);
    lir_free(&p);
}

/* Not fused: the convolution's output has a second reader; the other
 * operand is written after the convolution; the operands differ in
 * shape (the add would not be a plain sum of two dense tensors). */
static void test_not_fused(void **state)
{
    lir_program p;
    bnnc_err err;
    int x, b, c, y, r, q, s2;
    (void)state;
    /* second reader */
    lir_init(&p);
    x = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "x");
    b = lir_tensor_add(&p, LIR_BITS, 1, 4, 4, 16, "b");
    c = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "c");
    y = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "y");
    q = lir_tensor_add(&p, LIR_BITS, 1, 4, 4, 16, "q");
    op(&p, LK_COPY, -1, -1, x);
    op(&p, LK_PACK, x, -1, b);
    bconv(&p, b, c);
    op(&p, LK_PACK, c, -1, q);
    op(&p, LK_ADD, c, x, y);
    assert_int_equal(pass_fuse_residual(&p, &err), 0);
    assert_int_equal(count(&p, LK_ADD), 1);
    assert_int_equal(count(&p, LK_BCONV_F32_ADD), 0);
    lir_free(&p);
    /* the residual is written after the convolution */
    lir_init(&p);
    x = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "x");
    b = lir_tensor_add(&p, LIR_BITS, 1, 4, 4, 16, "b");
    c = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "c");
    r = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "r");
    y = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "y");
    op(&p, LK_COPY, -1, -1, x);
    op(&p, LK_PACK, x, -1, b);
    bconv(&p, b, c);
    op(&p, LK_AFFINE, x, -1, r);
    op(&p, LK_ADD, c, r, y);
    assert_int_equal(pass_fuse_residual(&p, &err), 0);
    assert_int_equal(count(&p, LK_ADD), 1);
    lir_free(&p);
    /* different extents */
    lir_init(&p);
    x = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "x");
    b = lir_tensor_add(&p, LIR_BITS, 1, 4, 4, 16, "b");
    c = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "c");
    s2 = lir_tensor_add(&p, LIR_F32, 1, 16, 1, 16, "s2");
    y = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "y");
    op(&p, LK_COPY, -1, -1, x);
    op(&p, LK_COPY, -1, -1, s2);
    op(&p, LK_PACK, x, -1, b);
    bconv(&p, b, c);
    op(&p, LK_ADD, c, s2, y);
    assert_int_equal(pass_fuse_residual(&p, &err), 0);
    assert_int_equal(count(&p, LK_ADD), 1);
    lir_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_convs),
        cmocka_unit_test(test_identity_kept),
        cmocka_unit_test(test_not_fused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
