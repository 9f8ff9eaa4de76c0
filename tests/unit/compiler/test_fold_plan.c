/*
 * test_fold_plan.c - BatchNorm + sign folded into integer thresholds
 * (passes/fold_thresholds.c), and the static memory planner
 * (passes/plan.c).
 *
 * Thresholds are checked against the definition, not the derivation: for
 * every output channel and every reachable dot value, the bit the runtime
 * would write (dir 0: dot < thresh, dir 1: dot > thresh) must equal
 * sign(BatchNorm((dot + K) / 2)) < 0 evaluated directly in double, for
 * gamma > 0, gamma < 0, gamma = 0 with fix_gamma off, and channels whose
 * sign never changes. Planner cases are small enough to compute by hand.
 */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model_builder.h"
#include "passes/lower.h"

#define C 8
#define K (4 * 9)

/* sign -> Pad(-1) -> binary conv -> +K -> /2 -> BatchNorm -> sign -> conv */
static const char graph[] =
    "{\"nodes\": ["
    "{\"op\": \"null\", \"name\": \"data\", \"inputs\": []},"
    "{\"op\": \"det_sign\", \"name\": \"s0\", \"inputs\": [[0,0,0]]},"
    "{\"op\": \"Pad\", \"name\": \"pad0\", \"attrs\": {\"mode\": \"constant\", \"constant_value\": \"-1\", \"pad_width\": \"[0, 0, 0, 0, 1, 1, 1, 1]\"}, \"inputs\": [[1,0,0]]},"
    "{\"op\": \"null\", \"name\": \"w0\", \"inputs\": []},"
    "{\"op\": \"det_sign\", \"name\": \"ws0\", \"inputs\": [[3,0,0]]},"
    "{\"op\": \"Convolution\", \"name\": \"conv0\", \"attrs\": {\"kernel\": \"(3, 3)\", \"num_filter\": \"8\", \"no_bias\": \"True\"}, \"inputs\": [[2,0,0],[4,0,0]]},"
    "{\"op\": \"_plus_scalar\", \"name\": \"plus0\", \"attrs\": {\"scalar\": \"36\"}, \"inputs\": [[5,0,0]]},"
    "{\"op\": \"_div_scalar\", \"name\": \"div0\", \"attrs\": {\"scalar\": \"2\"}, \"inputs\": [[6,0,0]]},"
    "{\"op\": \"null\", \"name\": \"bn_gamma\", \"inputs\": []},"
    "{\"op\": \"null\", \"name\": \"bn_beta\", \"inputs\": []},"
    "{\"op\": \"null\", \"name\": \"bn_moving_mean\", \"inputs\": []},"
    "{\"op\": \"null\", \"name\": \"bn_moving_var\", \"inputs\": []},"
    "{\"op\": \"BatchNorm\", \"name\": \"bn\", \"attrs\": {\"fix_gamma\": \"False\", \"eps\": \"1e-5\"}, \"inputs\": [[7,0,0],[8,0,0],[9,0,0],[10,0,1],[11,0,1]]},"
    "{\"op\": \"det_sign\", \"name\": \"s1\", \"inputs\": [[12,0,0]]},"
    "{\"op\": \"null\", \"name\": \"w1\", \"inputs\": []},"
    "{\"op\": \"det_sign\", \"name\": \"ws1\", \"inputs\": [[14,0,0]]},"
    "{\"op\": \"Convolution\", \"name\": \"conv1\", \"attrs\": {\"kernel\": \"(1, 1)\", \"num_filter\": \"4\", \"no_bias\": \"True\"}, \"inputs\": [[13,0,0],[15,0,0]]}"
    "], \"heads\": [[16, 0, 0]], \"attrs\": {\"mxnet_version\": [\"int\", 10501]}}";

static void test_thresholds(void **state)
{
    /* per channel: gamma, beta, mean, var */
    static const float gamma[C] = {1.0f, -0.5f, 0.0f, 2.0f, -3.0f, 0.25f, 1.0f, -1.0f};
    static const float beta[C] = {0.1f, 0.3f, -0.2f, 100.0f, -0.4f, 0.0f, -100.0f, 0.0f};
    static const float mean[C] = {18.0f, 17.5f, 18.0f, 18.0f, 20.25f, 10.0f, 18.0f, 18.0f};
    static const float var[C] = {4.0f, 9.0f, 1.0f, 1.0f, 0.5f, 2.0f, 1.0f, 16.0f};
    static const char *const in[] = {"data=1,4,5,5", NULL};
    mb_params p = {0};
    ir_graph g;
    bnnc_err err;
    ir_node *b = NULL;
    int c, dot, constant = 0;
    (void)state;

    mb_add(&p, "arg:w0", 4, (int64_t[]){C, 4, 3, 3}, NULL);
    mb_add(&p, "arg:bn_gamma", 1, (int64_t[]){C}, gamma);
    mb_add(&p, "arg:bn_beta", 1, (int64_t[]){C}, beta);
    mb_add(&p, "aux:bn_moving_mean", 1, (int64_t[]){C}, mean);
    mb_add(&p, "aux:bn_moving_var", 1, (int64_t[]){C}, var);
    mb_add(&p, "arg:w1", 4, (int64_t[]){4, C, 1, 1}, NULL);
    if (mb_run(graph, &p, in, &g, &err) || pass_fold_thresholds(&g, &err))
        fail_msg("%s", err.msg);
    for (size_t i = 0; i < g.n; i++)
        if (!strcmp(g.nodes[i]->name, "conv0"))
            b = g.nodes[i];
    assert_non_null(b);
    assert_int_equal(b->op, IR_OP_BCONV);
    assert_int_equal(b->a.b.out_bits, 1); /* BN and the sign folded */
    assert_null(mb_node(&g, "bn"));

    for (c = 0; c < C; c++) {
        double inv = 1.0 / sqrt((double)var[c] + 1e-5);
        int32_t t = b->a.b.thresh[c];
        int dir = b->a.b.dir[c], ones = 0;
        for (dot = -K; dot <= K; dot += 2) { /* dot has K's parity */
            double y = ((dot + 36.0) / 2.0 - mean[c]) * inv * gamma[c] + beta[c];
            int want = y < 0;
            int got = dir ? dot > t : dot < t;
            if (want != got)
                fail_msg("channel %d dot %d: bit %d, BatchNorm gives y = %g", c, dot, got, y);
            ones += got;
        }
        constant += ones == 0 || ones == K + 1;
    }
    /* gamma = 0: constant; beta = +-100: constant either way */
    assert_int_equal(b->a.b.dir[2], 0);
    assert_true(b->a.b.thresh[2] == INT32_MAX); /* beta < 0: always -1 */
    assert_true(b->a.b.thresh[3] == INT32_MIN); /* always +1 */
    assert_true(b->a.b.thresh[6] == INT32_MAX); /* always -1 */
    assert_int_equal(b->a.b.dir[1], 1);         /* gamma < 0 flips the compare */
    assert_int_equal(b->a.b.dir[0], 0);
    assert_true(constant >= 3);
    /* channel 0: y < 0 <=> (dot+36)/2 < 18 - 0.1*2 <=> dot < -0.4: ties? no */
    assert_int_equal(b->a.b.thresh[0], 0);
    ir_graph_free(&g);
    mb_free(&p);
}

/* ------------------------------------------------------------ planner */

static int tensor(lir_program *p, size_t bytes, const char *name)
{
    int t = lir_tensor_add(p, LIR_U8, 1, 1, 1, (int32_t)bytes, name);
    return t;
}

static void chain_step(lir_program *p, int in, int out)
{
    lir_step *s = lir_step_add(p, LK_COPY, -1, "x", "op");
    s->in[0] = in;
    s->n_in = in >= 0;
    s->out = out;
}

/* A chain a -> b -> c -> d: at most two buffers live; the arena equals
 * the lower bound and the 256-byte buffer sits at offset 0. */
static void test_plan_chain(void **state)
{
    lir_program p;
    bnnc_err err;
    int a, b, c, d;
    (void)state;
    lir_init(&p);
    a = tensor(&p, 100, "a"); /* 128 after alignment */
    b = tensor(&p, 200, "b"); /* 256 */
    c = tensor(&p, 64, "c");  /* 64 */
    d = tensor(&p, 20, "d");  /* 64 */
    chain_step(&p, -1, a);
    chain_step(&p, a, b);
    chain_step(&p, b, c);
    chain_step(&p, c, d);
    if (pass_plan(&p, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(p.lower_bound, 384);
    assert_int_equal(p.arena_bytes, 384);
    assert_int_equal(p.t[b].offset, 0);
    assert_int_equal(p.t[a].offset, 256);
    assert_int_equal(p.t[c].offset, 256);
    assert_int_equal(p.t[d].offset, 0);
    assert_int_equal(plan_check_no_overlap(&p, &err), 0);
    lir_free(&p);
}

/* A residual: x is kept alive across two steps while y and z come and go.
 * Lower bound max(x + y, x + y + z at the add) = 64 + 128 + 128. */
static void test_plan_residual(void **state)
{
    lir_program p;
    bnnc_err err;
    int x, y, z, w;
    lir_step *s;
    (void)state;
    lir_init(&p);
    x = tensor(&p, 64, "x");
    y = tensor(&p, 128, "y");
    z = tensor(&p, 128, "z");
    w = tensor(&p, 64, "w");
    chain_step(&p, -1, x);
    chain_step(&p, x, y);
    chain_step(&p, y, z);
    s = lir_step_add(&p, LK_COPY, -1, "add", "op");
    s->in[0] = x;
    s->in[1] = z;
    s->n_in = 2;
    s->out = w;
    if (pass_plan(&p, &err))
        fail_msg("%s", err.msg);
    /* live: s0 {x}, s1 {x,y}, s2 {x,y,z}, s3 {x,z,w} */
    assert_int_equal(p.lower_bound, 64 + 128 + 128);
    assert_int_equal(p.arena_bytes, p.lower_bound);
    assert_int_equal(plan_check_no_overlap(&p, &err), 0);
    /* a deliberately overlapping placement is caught */
    p.t[w].offset = p.t[x].offset;
    assert_int_equal(plan_check_no_overlap(&p, &err), -1);
    assert_non_null(strstr(err.msg, "overlap"));
    lir_free(&p);
}

/* An elementwise step whose input dies writes in place. */
static void test_plan_in_place(void **state)
{
    lir_program p;
    bnnc_err err;
    int a, b, c;
    lir_step *s;
    (void)state;
    lir_init(&p);
    a = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 8, "a");
    b = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 8, "b");
    c = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 8, "c");
    chain_step(&p, -1, a);
    s = lir_step_add(&p, LK_ACT, -1, "relu", "Activation");
    s->in[0] = a;
    s->n_in = 1;
    s->out = b;
    chain_step(&p, b, c);
    if (pass_plan(&p, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(p.t[b].storage, LIR_VIEW);
    assert_int_equal(p.t[b].view_of, a);
    assert_int_equal(p.arena_bytes, 2 * 512);
    lir_free(&p);
}

/* A residual add writes over the operand that dies there, never over the
 * one still read later; an affine map after it writes over the sum; and
 * the plan's lower bound knows it (two 512-byte tensors live at most). */
static void test_plan_in_place_residual(void **state)
{
    lir_program p;
    bnnc_err err;
    int x, y, sum, aff, out;
    lir_step *s;
    (void)state;
    lir_init(&p);
    x = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 8, "x");
    y = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 8, "y");
    sum = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 8, "sum");
    aff = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 8, "aff");
    out = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 8, "out");
    chain_step(&p, -1, x);
    chain_step(&p, x, y);
    s = lir_step_add(&p, LK_ADD, -1, "add", "elemwise_add");
    s->in[0] = x; /* read again below: must not be overwritten */
    s->in[1] = y; /* dies here */
    s->n_in = 2;
    s->out = sum;
    s = lir_step_add(&p, LK_AFFINE, -1, "bn", "BatchNorm");
    s->in[0] = sum;
    s->n_in = 1;
    s->out = aff;
    s = lir_step_add(&p, LK_ADD, -1, "add2", "elemwise_add");
    s->in[0] = aff;
    s->in[1] = x;
    s->n_in = 2;
    s->out = out;
    if (pass_plan(&p, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(p.t[sum].storage, LIR_VIEW);
    assert_int_equal(p.t[sum].view_of, y);
    assert_int_equal(p.t[aff].storage, LIR_VIEW);
    assert_int_equal(lir_base(&p, aff), y);
    assert_int_equal(p.t[out].storage, LIR_VIEW); /* both die at the last add */
    assert_int_equal(p.lower_bound, 2 * 512);
    assert_int_equal(p.arena_bytes, 2 * 512);
    assert_int_equal(plan_check_no_overlap(&p, &err), 0);
    lir_free(&p);
}

/* One step of kind k reading `in` (or nothing) into `out`. */
static lir_step *op_step(lir_program *p, lir_kind k, int in, int out)
{
    lir_step *s = lir_step_add(p, k, -1, "x", "op");
    s->in[0] = in;
    s->n_in = in >= 0;
    s->out = out;
    return s;
}

/* A channel copy of all of `in` into channels [off, ...) of `out`. */
static void concat_copy(lir_program *p, int in, int out, int32_t off)
{
    lir_step *s = op_step(p, LK_COPY_CH_F32, in, out);
    s->p.copy.k.pixels = 16;
    s->p.copy.k.c = p->t[in].c;
    s->p.copy.k.in_pixel_stride = p->t[in].stride;
    s->p.copy.k.out_pixel_stride = p->t[out].stride;
    s->p.copy.k.dst_c_offset = off;
}

/* A dense block: x0 = conv; y1 = concat(x0, bconv(pack(x0))); y2 =
 * concat(y1, bconv(pack(y1))); then an affine map of y2. Every part and
 * the inner concatenation become views of y2 with y2's pixel stride, the
 * copies are gone, and the writers and packers use that stride. With a
 * reader that cannot take a stride (an activation on y1), y1 keeps its
 * own buffer and its copy into y2 stays. */
static void dense_block(int y1_read_by_act)
{
    lir_program p;
    bnnc_err err;
    int x0, b0, a1, y1, b1, a2, y2, z, r = -1, i, copies = 0;
    lir_step *conv, *bc1, *bc2, *pk1;
    lir_init(&p);
    x0 = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 8, "x0");
    b0 = lir_tensor_add(&p, LIR_BITS, 1, 4, 4, 8, "b0");
    a1 = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 4, "a1");
    y1 = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 12, "y1");
    b1 = lir_tensor_add(&p, LIR_BITS, 1, 4, 4, 12, "b1");
    a2 = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 4, "a2");
    y2 = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "y2");
    z = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 16, "z");
    if (y1_read_by_act)
        r = lir_tensor_add(&p, LIR_F32, 1, 4, 4, 12, "r");
    conv = op_step(&p, LK_CONV_F32, -1, x0);
    conv->p.conv.out_pixel_stride = 8;
    op_step(&p, LK_PACK_AFFINE, x0, b0)->p.copy.k.in_pixel_stride = 8;
    bc1 = op_step(&p, LK_BCONV_F32, b0, a1);
    bc1->p.bconv.out_pixel_stride = 4;
    concat_copy(&p, x0, y1, 0);
    concat_copy(&p, a1, y1, 8);
    pk1 = op_step(&p, LK_PACK_AFFINE, y1, b1);
    pk1->p.copy.k.in_pixel_stride = 12;
    if (y1_read_by_act)
        op_step(&p, LK_ACT, y1, r);
    bc2 = op_step(&p, LK_BCONV_F32, b1, a2);
    bc2->p.bconv.out_pixel_stride = 4;
    concat_copy(&p, y1, y2, 0);
    concat_copy(&p, a2, y2, 12);
    op_step(&p, LK_AFFINE, y2, z);
    if (pass_plan(&p, &err))
        fail_msg("%s", err.msg);
    for (i = 0; i < p.ns; i++)
        copies += p.s[i].kind == LK_COPY_CH_F32;
    assert_int_equal(plan_check_no_overlap(&p, &err), 0);
    if (!y1_read_by_act) {
        assert_int_equal(copies, 0);
        assert_int_equal(lir_base(&p, x0), y2);
        assert_int_equal(lir_base(&p, a1), y2);
        assert_int_equal(lir_base(&p, y1), y2);
        assert_int_equal(lir_base(&p, a2), y2);
        assert_int_equal(p.t[x0].stride, 16);
        assert_int_equal(p.t[a1].stride, 16);
        assert_int_equal(p.t[a1].view_offset, 8 * 4); /* inside y1, at 0 of y2 */
        assert_int_equal(p.t[y1].view_offset, 0);
        assert_int_equal(p.t[a2].view_offset, 12 * 4);
        /* the steps' strides follow the tensors */
        assert_int_equal(p.s[0].p.conv.out_pixel_stride, 16);
        assert_int_equal(p.s[1].p.copy.k.in_pixel_stride, 16);
        assert_int_equal(p.s[2].p.bconv.out_pixel_stride, 16);
        assert_int_equal(p.s[3].kind, LK_PACK_AFFINE);
        assert_int_equal(p.s[3].p.copy.k.in_pixel_stride, 16);
        assert_int_equal(p.s[4].p.bconv.out_pixel_stride, 16);
        /* y2 (1024 B) and the z it becomes in place, plus the bits */
        assert_int_equal(p.t[z].storage, LIR_VIEW);
    } else {
        /* y1's copy into y2 stays; y1's own parts still go in place */
        assert_int_equal(copies, 1);
        assert_int_equal(lir_base(&p, y1), y1);
        assert_int_equal(lir_base(&p, x0), y1);
        assert_int_equal(p.t[x0].stride, 12);
        assert_int_equal(lir_base(&p, a2), y2);
    }
    assert_int_equal(p.arena_bytes, p.lower_bound);
    lir_free(&p);
}

static void test_plan_concat_chain(void **state)
{
    (void)state;
    dense_block(0);
}

static void test_plan_concat_chain_unstrided_reader(void **state)
{
    (void)state;
    dense_block(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thresholds),
        cmocka_unit_test(test_plan_chain),
        cmocka_unit_test(test_plan_residual),
        cmocka_unit_test(test_plan_in_place),
        cmocka_unit_test(test_plan_in_place_residual),
        cmocka_unit_test(test_plan_concat_chain),
        cmocka_unit_test(test_plan_concat_chain_unstrided_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
