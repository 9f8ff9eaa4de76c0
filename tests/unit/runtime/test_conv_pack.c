/*
 * test_conv_pack.c - bnn_conv2d_pack_f32_b (convolution, per-element
 * steps, max or average pooling, sign-packing, row by row) against the
 * separate kernels run one after another on whole tensors: bnn_conv2d_f32,
 * bnn_act_f32 / bnn_act_fast_f32 / bnn_affine_f32, bnn_maxpool_f32 /
 * bnn_avgpool_f32, bnn_pack_f32_b / bnn_pack_affine_f32_b. Every
 * compiled-in variant must give the same words, bit for bit, and write
 * nothing past the output; the scratch is exactly the size asked for, so
 * sanitizer builds catch overruns. Shapes are awkward on purpose: channels
 * 1, 31, 33, 64, 65; odd images; overlapping windows (k > stride, the
 * ring), padded and `full` pooling, empty windows, strides wider than the
 * window (skipped rows), batches, a wider output pixel stride. Values are
 * drawn so that many of them are near 0 and some are exactly 0 and -0.0,
 * where the sign decides.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bnn.h"
#include "bnn_float_internal.h"
#include "bnn_ops.h"
#include "variant_test_util.h"

typedef bnn_status (*pack_fn)(const bnn_conv2d_pack_params *, const float *, uint32_t *,
                              void *);

#define SENTINEL 0xA5A5A5A5u

/* n, in_h, in_w, in_c, out_c, k, stride, pad, groups, relu;
 * pool kind, pk_h, pk_w, ps_h, ps_w, pp_h, pp_w, full, count_include_pad;
 * pre ops, post ops (strings of 't' tanh, 's' sigmoid, 'a' affine,
 * 'f' fast tanh, 'r' relu), pack affine, extra output words */
typedef struct {
    int n, in_h, in_w, in_c, out_c, k, s, p, groups, relu;
    int pool, pk_h, pk_w, ps_h, ps_w, pp_h, pp_w, full, cip;
    const char *pre, *post;
    int affine, extra;
} pack_case;

static const pack_case cases[] = {
    /* the LeNet stem: 5x5 conv, tanh, max pool 2/2, BatchNorm as pack_affine */
    {1, 28, 28, 1, 64, 5, 1, 0, 1, 0, BNN_POOL_MAX, 2, 2, 2, 2, 0, 0, 0, 0, "t", "", 1, 0},
    /* the digits stem: 3x3 pad 1, folded BatchNorm, plain pack, no pool */
    {1, 8, 8, 1, 32, 3, 1, 1, 1, 0, BNN_POOL_NONE, 0, 0, 0, 0, 0, 0, 0, 0, "", "", 0, 0},
    /* overlapping 3x3/2 windows with padding (ring), ReLU in the conv */
    {1, 13, 11, 3, 33, 3, 1, 1, 1, 1, BNN_POOL_MAX, 3, 3, 2, 2, 1, 1, 0, 0, "a", "a", 1, 0},
    /* average pooling, count_include_pad, full convention, batch of 2 */
    {2, 9, 10, 4, 31, 3, 1, 1, 1, 0, BNN_POOL_AVG, 3, 2, 2, 2, 1, 1, 1, 1, "s", "t", 0, 1},
    /* average pooling without count_include_pad, overlapping along y */
    {1, 11, 7, 5, 65, 3, 2, 1, 1, 0, BNN_POOL_AVG, 3, 3, 1, 2, 1, 1, 0, 0, "at", "ar", 1, 0},
    /* stride wider than the window: rows no window reads are skipped */
    {1, 12, 12, 2, 1, 3, 1, 1, 1, 0, BNN_POOL_MAX, 1, 1, 3, 2, 0, 0, 0, 0, "", "t", 0, 2},
    /* windows wider than the image (empty windows), grouped conv */
    {1, 5, 6, 4, 16, 3, 1, 1, 2, 1, BNN_POOL_MAX, 9, 4, 1, 3, 2, 1, 0, 0, "f", "", 0, 0},
    {1, 5, 6, 4, 16, 3, 1, 1, 2, 0, BNN_POOL_AVG, 9, 4, 1, 3, 2, 1, 0, 1, "", "f", 1, 0},
    /* 1x1 convolution (the kernel's flat path when separate) and four steps */
    {1, 7, 9, 32, 64, 1, 1, 0, 1, 0, BNN_POOL_NONE, 0, 0, 0, 0, 0, 0, 0, 0, "atat", "", 1, 1},
};

static unsigned rng_state;
static float frand(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    unsigned r = rng_state >> 8;
    if ((r & 63u) == 0)
        return (r & 64u) ? -0.0f : 0.0f;
    return (float)(r & 0xFFFF) / 32768.0f - 1.0f;
}

static int conv_out(int in, int k, int s, int p)
{
    return (in + 2 * p - k) / s + 1;
}

static int pool_out(int in, int k, int s, int p, int full)
{
    int span = in + 2 * p - k;
    return (full ? (span + s - 1) / s : span / s) + 1;
}

/* One step of a chain from its letter; mul and add are per channel. */
static bnn_ew_op op_of(char ch, const float *mul, const float *add)
{
    bnn_ew_op o;
    memset(&o, 0, sizeof o);
    switch (ch) {
    case 'a': o.kind = BNN_EW_AFFINE; o.mul = mul; o.add = add; break;
    case 't': o.kind = BNN_EW_ACT; o.act = BNN_ACT_TANH; break;
    case 's': o.kind = BNN_EW_ACT; o.act = BNN_ACT_SIGMOID; break;
    case 'r': o.kind = BNN_EW_ACT; o.act = BNN_ACT_RELU; break;
    default: o.kind = BNN_EW_ACT_FAST; o.act = BNN_ACT_TANH; break;
    }
    return o;
}

/* The chain on a whole tensor with the separate kernels. */
static void run_chain(const bnn_ew_op *ops, int n, int pixels, int c, float *x)
{
    for (int i = 0; i < n; ++i) {
        if (ops[i].kind == BNN_EW_AFFINE) {
            bnn_affine_params a = {pixels, c, ops[i].mul, ops[i].add};
            assert_int_equal(bnn_affine_f32(&a, x, x), BNN_OK);
        } else {
            bnn_act_params a;
            a.act = ops[i].act;
            a.alpha = ops[i].alpha;
            a.n = (size_t)pixels * (size_t)c;
            assert_int_equal(ops[i].kind == BNN_EW_ACT_FAST ? bnn_act_fast_f32(&a, x, x)
                                                            : bnn_act_f32(&a, x, x),
                             BNN_OK);
        }
    }
}

/* The rounding order of the cases' convolutions (the FMA test sets it). */
static bnn_conv_order case_order = BNN_CONV_ORDER_SUM;

static int check_case(const pack_case *pc, unsigned seed)
{
    bnn_conv2d_pack_params mp;
    bnn_conv2d_params *cp = &mp.conv;
    memset(&mp, 0, sizeof mp);
    cp->n = pc->n;
    cp->in_h = pc->in_h;
    cp->in_w = pc->in_w;
    cp->in_c = pc->in_c;
    cp->out_c = pc->out_c;
    cp->k_h = cp->k_w = pc->k;
    cp->stride_h = cp->stride_w = pc->s;
    cp->pad_h = cp->pad_w = pc->p;
    cp->dil_h = cp->dil_w = 1;
    cp->groups = pc->groups;
    cp->order = case_order;
    cp->out_h = conv_out(pc->in_h, pc->k, pc->s, pc->p);
    cp->out_w = conv_out(pc->in_w, pc->k, pc->s, pc->p);
    cp->out_pixel_stride = cp->out_c;
    cp->act = pc->relu ? BNN_ACT_RELU : BNN_ACT_NONE;
    mp.pool_kind = pc->pool;
    if (pc->pool != BNN_POOL_NONE) {
        bnn_pool2d_params *pp = &mp.pool;
        pp->n = cp->n;
        pp->in_h = cp->out_h;
        pp->in_w = cp->out_w;
        pp->c = cp->out_c;
        pp->k_h = pc->pk_h;
        pp->k_w = pc->pk_w;
        pp->stride_h = pc->ps_h;
        pp->stride_w = pc->ps_w;
        pp->pad_h = pc->pp_h;
        pp->pad_w = pc->pp_w;
        pp->count_include_pad = pc->cip;
        pp->out_h = pool_out(pp->in_h, pp->k_h, pp->stride_h, pp->pad_h, pc->full);
        pp->out_w = pool_out(pp->in_w, pp->k_w, pp->stride_w, pp->pad_w, pc->full);
    }
    const int oh = pc->pool ? mp.pool.out_h : cp->out_h;
    const int ow = pc->pool ? mp.pool.out_w : cp->out_w;
    const int c = pc->out_c, words = bnn_words(c);
    mp.out_pixel_stride = words + pc->extra;
    const size_t nin = (size_t)pc->n * pc->in_h * pc->in_w * pc->in_c;
    const size_t nw = (size_t)pc->k * pc->k * (size_t)(pc->in_c / pc->groups) * (size_t)c;
    const size_t nconv = (size_t)pc->n * cp->out_h * cp->out_w * (size_t)c;
    const size_t npool = (size_t)pc->n * oh * ow * (size_t)c;
    const size_t nout = (size_t)pc->n * oh * ow * (size_t)mp.out_pixel_stride;
    float *in = malloc(nin * sizeof(float)), *w = malloc(nw * sizeof(float));
    float *par = malloc((size_t)c * 8 * sizeof(float));
    float *conv = malloc(nconv * sizeof(float)), *pooled = malloc(npool * sizeof(float));
    uint32_t *want = malloc(nout * sizeof(uint32_t));
    uint32_t *got = malloc((nout + 1) * sizeof(uint32_t));
    assert_true(in && w && par && conv && pooled && want && got);
    rng_state = seed;
    for (size_t i = 0; i < nin; ++i)
        in[i] = frand();
    for (size_t i = 0; i < nw; ++i)
        w[i] = frand();
    for (int i = 0; i < c * 8; ++i)
        par[i] = frand();
    cp->weights = w;
    cp->bias = par;
    for (int i = 0; pc->pre[i]; ++i)
        mp.pre[mp.n_pre++] = op_of(pc->pre[i], par + c, par + 2 * c);
    for (int i = 0; pc->post[i]; ++i)
        mp.post[mp.n_post++] = op_of(pc->post[i], par + 3 * c, par + 4 * c);
    if (pc->affine) {
        mp.mul = par + 5 * c;
        mp.add = par + 6 * c;
    }

    /* the reference: the separate kernels on whole tensors */
    assert_int_equal(bnn_conv2d_f32(cp, in, conv, NULL), BNN_OK);
    run_chain(mp.pre, mp.n_pre, (int)(nconv / (size_t)c), c, conv);
    const float *last = conv;
    if (pc->pool == BNN_POOL_MAX)
        assert_int_equal(bnn_maxpool_f32(&mp.pool, conv, pooled), BNN_OK);
    if (pc->pool == BNN_POOL_AVG)
        assert_int_equal(bnn_avgpool_f32(&mp.pool, conv, pooled), BNN_OK);
    if (pc->pool) {
        run_chain(mp.post, mp.n_post, (int)(npool / (size_t)c), c, pooled);
        last = pooled;
    }
    for (size_t i = 0; i < nout; ++i)
        want[i] = SENTINEL; /* words past the channels are not written */
    bnn_channels_params k;
    memset(&k, 0, sizeof k);
    k.pixels = (int32_t)(npool / (size_t)c);
    k.c = c;
    k.in_pixel_stride = c;
    k.out_pixel_stride = mp.out_pixel_stride;
    k.mul = mp.mul;
    k.add = mp.add;
    assert_int_equal(pc->affine ? bnn_pack_affine_f32_b(&k, last, want)
                                : bnn_pack_f32_b(&k, last, want),
                     BNN_OK);

    const size_t sbytes = bnn_conv2d_pack_f32_b_scratch_size(&mp);
    assert_int_equal(sbytes, bnn_conv2d_pack_f32_b_scratch_bytes(&mp));
    /* rows kept: 1, or the window height when windows overlap along y */
    size_t ring = (size_t)bnn_conv2d_pack_ring_rows(&mp) * cp->out_w * (size_t)c * 4u;
    assert_int_equal(bnn_conv2d_pack_ring_rows(&mp),
                     pc->pool && pc->ps_h < pc->pk_h
                         ? (pc->pk_h < cp->out_h ? pc->pk_h : cp->out_h)
                         : 1);
    assert_int_equal(sbytes, (ring + 63u) / 64u * 64u +
                                 (pc->pool ? (size_t)ow * (size_t)c * 4u : 0u));
    void *scratch = NULL;
    assert_int_equal(posix_memalign(&scratch, 64, sbytes), 0);

    const char *names[1 + VT_MAX_VARIANTS] = {"bnn_conv2d_pack_f32_b"};
    bnn_any_fn fns[1 + VT_MAX_VARIANTS] = {(bnn_any_fn)bnn_conv2d_pack_f32_b};
    int nf = 1 + vt_variants("bnn_conv2d_pack_f32_b", names + 1, fns + 1);
    assert_true(nf >= 2);
    int bad = 0;
    for (int f = 0; f < nf; ++f) {
        for (size_t i = 0; i <= nout; ++i)
            got[i] = SENTINEL;
        assert_int_equal(((pack_fn)fns[f])(&mp, in, got, scratch), BNN_OK);
        if (memcmp(got, want, nout * sizeof(uint32_t)) != 0 || got[nout] != SENTINEL) {
            size_t i = 0;
            while (i < nout && got[i] == want[i])
                ++i;
            fprintf(stderr, "%s differs from the separate kernels at word %zu: %08x, want %08x\n",
                    names[f], i, i < nout ? (unsigned)got[i] : 0u,
                    i < nout ? (unsigned)want[i] : 0u);
            ++bad;
        }
    }
    free(scratch);
    free(in);
    free(w);
    free(par);
    free(conv);
    free(pooled);
    free(want);
    free(got);
    return bad;
}

static void test_conv_pack_cases(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        int b = check_case(&cases[i], 3000u + (unsigned)i);
        if (b)
            fprintf(stderr, "conv+pack case %zu: %d mismatches\n", i, b);
        bad += b;
    }
    assert_int_equal(bad, 0);
}

/* The single-group cases in BNN_CONV_ORDER_FMA: the streamed convolution
 * rounds as bnn_conv2d_f32 does in that order. */
static void test_conv_pack_fma(void **state)
{
    (void)state;
    int bad = 0, n = 0;
    case_order = BNN_CONV_ORDER_FMA;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        if (cases[i].groups != 1)
            continue;
        int b = check_case(&cases[i], 5000u + (unsigned)i);
        if (b)
            fprintf(stderr, "fma conv+pack case %zu: %d mismatches\n", i, b);
        bad += b;
        ++n;
    }
    case_order = BNN_CONV_ORDER_SUM;
    assert_int_equal(n, 7);
    assert_int_equal(bad, 0);
}

/* A few bits checked by hand: a 1x1 conv with weights 1 and -1 and no
 * bias gives the input and its negation (tanh keeps the signs; -0.0 and 0
 * give bit 0), max-pooled 2x2. */
static void test_conv_pack_exact(void **state)
{
    (void)state;
    bnn_conv2d_pack_params mp;
    memset(&mp, 0, sizeof mp);
    const float w[2] = {1.0f, -1.0f};
    const float in[16] = {-1, -2, 3, -4, -5, -6, -0.0f, -8,
                          1, 2, -1, -1, 0.5f, 3, -1, 0.0f};
    mp.conv = (bnn_conv2d_params){1, 4, 4, 1, 4, 4, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1,
                                  w, NULL, BNN_ACT_NONE, 2, BNN_CONV_ORDER_SUM};
    mp.n_pre = 1;
    mp.pre[0].kind = BNN_EW_ACT;
    mp.pre[0].act = BNN_ACT_TANH;
    mp.pool_kind = BNN_POOL_MAX;
    mp.pool = (bnn_pool2d_params){1, 4, 4, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0};
    mp.out_pixel_stride = 1;
    uint32_t out[4] = {9, 9, 9, 9};
    float scratch[64];
    assert_true(bnn_conv2d_pack_f32_b_scratch_size(&mp) <= sizeof scratch);
    assert_int_equal(bnn_conv2d_pack_f32_b(&mp, in, out, scratch), BNN_OK);
    /* channel 0 (bit 0) and 1 (bit 1) maxima per window:
     * {-1,-2,-5,-6}: -1, 6; {3,-4,-0,-8}: 3, 8; {1,2,.5,3}: 3, -.5;
     * {-1,-1,-1,0}: 0, 1 */
    assert_int_equal(out[0], 1u);
    assert_int_equal(out[1], 0u);
    assert_int_equal(out[2], 2u);
    assert_int_equal(out[3], 0u);
}

static void test_conv_pack_arg_errors(void **state)
{
    (void)state;
    bnn_conv2d_pack_params mp;
    memset(&mp, 0, sizeof mp);
    const float w[16] = {1.0f};
    float in[16] = {0}, scratch[64];
    uint32_t out[16];
    mp.conv = (bnn_conv2d_params){1, 4, 4, 1, 4, 4, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1,
                                  w, NULL, BNN_ACT_NONE, 2, BNN_CONV_ORDER_SUM};
    mp.out_pixel_stride = 1;
    assert_int_equal(bnn_conv2d_pack_f32_b(&mp, in, out, scratch), BNN_OK);
    assert_int_equal(bnn_conv2d_pack_f32_b(NULL, in, out, scratch), BNN_ARG_ERROR);
    assert_int_equal(bnn_conv2d_pack_f32_b(&mp, NULL, out, scratch), BNN_ARG_ERROR);
    assert_int_equal(bnn_conv2d_pack_f32_b(&mp, in, NULL, scratch), BNN_ARG_ERROR);
    assert_int_equal(bnn_conv2d_pack_f32_b(&mp, in, out, NULL), BNN_ARG_ERROR);
    mp.n_post = 1; /* post steps without pooling */
    assert_int_equal(bnn_conv2d_pack_f32_b(&mp, in, out, scratch), BNN_ARG_ERROR);
    mp.n_post = 0;
    mp.n_pre = BNN_STREAM_MAX_OPS + 1;
    assert_int_equal(bnn_conv2d_pack_f32_b(&mp, in, out, scratch), BNN_ARG_ERROR);
    mp.n_pre = 0;
    mp.mul = w; /* pack_affine needs both */
    assert_int_equal(bnn_conv2d_pack_f32_b(&mp, in, out, scratch), BNN_ARG_ERROR);
    mp.mul = NULL;
    mp.pool_kind = BNN_POOL_MAX; /* pooling extents that do not match */
    mp.pool = (bnn_pool2d_params){1, 4, 5, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0};
    assert_int_equal(bnn_conv2d_pack_f32_b(&mp, in, out, scratch), BNN_ARG_ERROR);
    mp.pool_kind = BNN_POOL_NONE;
    /* depthwise */
    mp.conv.in_c = mp.conv.out_c = mp.conv.groups = 2;
    mp.conv.in_h = mp.conv.out_h = 2;
    assert_int_equal(bnn_conv2d_pack_f32_b(&mp, in, out, scratch), BNN_ARG_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_pack_cases),
        cmocka_unit_test(test_conv_pack_fma),
        cmocka_unit_test(test_conv_pack_exact),
        cmocka_unit_test(test_conv_pack_arg_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
