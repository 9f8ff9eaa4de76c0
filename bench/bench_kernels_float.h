/*
 * bench_kernels_float.h - the float half of bench_kernels.c (included by
 * it once, after its timing helpers): float convolutions against the
 * float32 peak measured by the same binary, the activations without libm
 * against libm, and the cost of subnormal activations with and without
 * bnn_fpenv_enter.
 *
 * Float peak: 12 independent chains of vector fused multiply-adds (and,
 * separately, of a multiply then an add: the ceiling of the sums that
 * round each product before adding it, bnnc compile --fma off and the
 * grouped and depthwise convolutions), written in
 * assembly so that the ceiling does not depend on register allocation;
 * 16 lanes (zmm) with AVX-512F, 8 (ymm) with AVX2 + FMA. FLOPs count 2
 * per multiply-accumulate. The peak is the best of measurements taken
 * before, between and after the convolutions.
 *
 * Convolutions: FLOPs = 2 * out_h * out_w * out_c * k_h * k_w * in_c/groups
 * (padded taps included, the usual convention), per compiled-in variant
 * of bnn_conv2d_f32 (bnn_conv2d_maxpool_f32 for the fused stem), each
 * checked bit-identical to the portable variant before it is timed. Each
 * shape is timed in the rounding bnnc compile gives it by default
 * (BNN_CONV_ORDER_FMA for one group, BNN_CONV_ORDER_SUM for grouped and
 * depthwise ones); rows marked "sep" time the --fma off rounding.
 */
#include "bnn_float_internal.h"

/* The variants of public kernel `kernel` compiled in (bnn_kernel_variants:
 * portable first, the public function's last): names and entry points,
 * at most max; returns their number. */
static int bench_variants(const char *kernel, const char **names, bnn_any_fn *fns, int max)
{
    int count, i, n = 0;
    const bnn_kernel_variant *all = bnn_kernel_variants(&count);
    for (i = 0; i < count && n < max; i++)
        if (!strcmp(all[i].kernel, kernel)) {
            names[n] = all[i].variant;
            fns[n++] = all[i].fn;
        }
    return n;
}

#if defined(BNN_FPENV_H) /* a runtime with the activations without libm */
#define BENCH_HAVE_ACT_FAST 1
#include "bnn_act_fast.h"
#endif

#include <math.h>

/* ---- float peak ---------------------------------------------------------- */

#define FP_ITERS 4096
static volatile float fp_sink;

#define FP_CHAINS_12(OP, R)                                                    \
    OP " %%" R "12, %%" R "13, %%" R "0\n" OP " %%" R "12, %%" R "13, %%" R "1\n"     \
    OP " %%" R "12, %%" R "13, %%" R "2\n" OP " %%" R "12, %%" R "13, %%" R "3\n"     \
    OP " %%" R "12, %%" R "13, %%" R "4\n" OP " %%" R "12, %%" R "13, %%" R "5\n"     \
    OP " %%" R "12, %%" R "13, %%" R "6\n" OP " %%" R "12, %%" R "13, %%" R "7\n"     \
    OP " %%" R "12, %%" R "13, %%" R "8\n" OP " %%" R "12, %%" R "13, %%" R "9\n"     \
    OP " %%" R "12, %%" R "13, %%" R "10\n" OP " %%" R "12, %%" R "13, %%" R "11\n"

#if defined(__x86_64__) && defined(__AVX512F__)
#define HAVE_FP_ZMM 1
/* 12 zmm fused multiply-adds per iteration: 12 * 16 * 2 FLOPs. */
static void fp_fma_zmm(void *ctx)
{
    float out[16];
    int n = FP_ITERS;
    (void)ctx;
    __asm__ volatile("vbroadcastss %[a], %%zmm12\n"
                     "vbroadcastss %[b], %%zmm13\n"
                     "vmovaps %%zmm12, %%zmm0\n vmovaps %%zmm12, %%zmm1\n"
                     "vmovaps %%zmm12, %%zmm2\n vmovaps %%zmm12, %%zmm3\n"
                     "vmovaps %%zmm12, %%zmm4\n vmovaps %%zmm12, %%zmm5\n"
                     "vmovaps %%zmm12, %%zmm6\n vmovaps %%zmm12, %%zmm7\n"
                     "vmovaps %%zmm12, %%zmm8\n vmovaps %%zmm12, %%zmm9\n"
                     "vmovaps %%zmm12, %%zmm10\n vmovaps %%zmm12, %%zmm11\n"
                     "1:\n" FP_CHAINS_12("vfmadd231ps", "zmm")
                     "dec %[n]\n jnz 1b\n"
                     "vaddps %%zmm1, %%zmm0, %%zmm0\n"
                     "vmovups %%zmm0, %[out]\n"
                     : [out] "=m"(out), [n] "+r"(n)
                     : [a] "m"(*(const float[1]){0.999f}), [b] "m"(*(const float[1]){1e-7f})
                     : "zmm0", "zmm1", "zmm2", "zmm3", "zmm4", "zmm5", "zmm6", "zmm7", "zmm8",
                       "zmm9", "zmm10", "zmm11", "zmm12", "zmm13", "memory", "cc");
    fp_sink += out[0];
}
static const double fp_fma_zmm_flops = (double)FP_ITERS * 12.0 * 16.0 * 2.0;

/* 6 zmm multiplies and 6 adds per iteration (12 chains, each a multiply
 * or an add): the mix of the kernels, 6 * 16 * 2 FLOPs. */
static void fp_muladd_zmm(void *ctx)
{
    float out[16];
    int n = FP_ITERS;
    (void)ctx;
    __asm__ volatile("vbroadcastss %[a], %%zmm12\n"
                     "vbroadcastss %[b], %%zmm13\n"
                     "vmovaps %%zmm12, %%zmm0\n vmovaps %%zmm12, %%zmm1\n"
                     "vmovaps %%zmm12, %%zmm2\n vmovaps %%zmm12, %%zmm3\n"
                     "vmovaps %%zmm12, %%zmm4\n vmovaps %%zmm12, %%zmm5\n"
                     "vmovaps %%zmm12, %%zmm6\n vmovaps %%zmm12, %%zmm7\n"
                     "vmovaps %%zmm12, %%zmm8\n vmovaps %%zmm12, %%zmm9\n"
                     "vmovaps %%zmm12, %%zmm10\n vmovaps %%zmm12, %%zmm11\n"
                     "1:\n"
                     "vmulps %%zmm12, %%zmm0, %%zmm0\n vaddps %%zmm13, %%zmm1, %%zmm1\n"
                     "vmulps %%zmm12, %%zmm2, %%zmm2\n vaddps %%zmm13, %%zmm3, %%zmm3\n"
                     "vmulps %%zmm12, %%zmm4, %%zmm4\n vaddps %%zmm13, %%zmm5, %%zmm5\n"
                     "vmulps %%zmm12, %%zmm6, %%zmm6\n vaddps %%zmm13, %%zmm7, %%zmm7\n"
                     "vmulps %%zmm12, %%zmm8, %%zmm8\n vaddps %%zmm13, %%zmm9, %%zmm9\n"
                     "vmulps %%zmm12, %%zmm10, %%zmm10\n vaddps %%zmm13, %%zmm11, %%zmm11\n"
                     "dec %[n]\n jnz 1b\n"
                     "vaddps %%zmm1, %%zmm0, %%zmm0\n"
                     "vmovups %%zmm0, %[out]\n"
                     : [out] "=m"(out), [n] "+r"(n)
                     : [a] "m"(*(const float[1]){0.999f}), [b] "m"(*(const float[1]){1e-7f})
                     : "zmm0", "zmm1", "zmm2", "zmm3", "zmm4", "zmm5", "zmm6", "zmm7", "zmm8",
                       "zmm9", "zmm10", "zmm11", "zmm12", "zmm13", "memory", "cc");
    fp_sink += out[0];
}
static const double fp_muladd_zmm_flops = (double)FP_ITERS * 6.0 * 16.0 * 2.0;
#endif

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)
#define HAVE_FP_YMM 1
/* 12 ymm fused multiply-adds per iteration: 12 * 8 * 2 FLOPs. */
static void fp_fma_ymm(void *ctx)
{
    float out[8];
    int n = FP_ITERS;
    (void)ctx;
    __asm__ volatile("vbroadcastss %[a], %%ymm12\n"
                     "vbroadcastss %[b], %%ymm13\n"
                     "vmovaps %%ymm12, %%ymm0\n vmovaps %%ymm12, %%ymm1\n"
                     "vmovaps %%ymm12, %%ymm2\n vmovaps %%ymm12, %%ymm3\n"
                     "vmovaps %%ymm12, %%ymm4\n vmovaps %%ymm12, %%ymm5\n"
                     "vmovaps %%ymm12, %%ymm6\n vmovaps %%ymm12, %%ymm7\n"
                     "vmovaps %%ymm12, %%ymm8\n vmovaps %%ymm12, %%ymm9\n"
                     "vmovaps %%ymm12, %%ymm10\n vmovaps %%ymm12, %%ymm11\n"
                     "1:\n" FP_CHAINS_12("vfmadd231ps", "ymm")
                     "dec %[n]\n jnz 1b\n"
                     "vaddps %%ymm1, %%ymm0, %%ymm0\n"
                     "vmovups %%ymm0, %[out]\n"
                     : [out] "=m"(out), [n] "+r"(n)
                     : [a] "m"(*(const float[1]){0.999f}), [b] "m"(*(const float[1]){1e-7f})
                     : "ymm0", "ymm1", "ymm2", "ymm3", "ymm4", "ymm5", "ymm6", "ymm7", "ymm8",
                       "ymm9", "ymm10", "ymm11", "ymm12", "ymm13", "memory", "cc");
    fp_sink += out[0];
}
static const double fp_fma_ymm_flops = (double)FP_ITERS * 12.0 * 8.0 * 2.0;

/* 6 ymm multiplies and 6 adds per iteration: 6 * 8 * 2 FLOPs. */
static void fp_muladd_ymm(void *ctx)
{
    float out[8];
    int n = FP_ITERS;
    (void)ctx;
    __asm__ volatile("vbroadcastss %[a], %%ymm12\n"
                     "vbroadcastss %[b], %%ymm13\n"
                     "vmovaps %%ymm12, %%ymm0\n vmovaps %%ymm12, %%ymm1\n"
                     "vmovaps %%ymm12, %%ymm2\n vmovaps %%ymm12, %%ymm3\n"
                     "vmovaps %%ymm12, %%ymm4\n vmovaps %%ymm12, %%ymm5\n"
                     "vmovaps %%ymm12, %%ymm6\n vmovaps %%ymm12, %%ymm7\n"
                     "vmovaps %%ymm12, %%ymm8\n vmovaps %%ymm12, %%ymm9\n"
                     "vmovaps %%ymm12, %%ymm10\n vmovaps %%ymm12, %%ymm11\n"
                     "1:\n"
                     "vmulps %%ymm12, %%ymm0, %%ymm0\n vaddps %%ymm13, %%ymm1, %%ymm1\n"
                     "vmulps %%ymm12, %%ymm2, %%ymm2\n vaddps %%ymm13, %%ymm3, %%ymm3\n"
                     "vmulps %%ymm12, %%ymm4, %%ymm4\n vaddps %%ymm13, %%ymm5, %%ymm5\n"
                     "vmulps %%ymm12, %%ymm6, %%ymm6\n vaddps %%ymm13, %%ymm7, %%ymm7\n"
                     "vmulps %%ymm12, %%ymm8, %%ymm8\n vaddps %%ymm13, %%ymm9, %%ymm9\n"
                     "vmulps %%ymm12, %%ymm10, %%ymm10\n vaddps %%ymm13, %%ymm11, %%ymm11\n"
                     "dec %[n]\n jnz 1b\n"
                     "vaddps %%ymm1, %%ymm0, %%ymm0\n"
                     "vmovups %%ymm0, %[out]\n"
                     : [out] "=m"(out), [n] "+r"(n)
                     : [a] "m"(*(const float[1]){0.999f}), [b] "m"(*(const float[1]){1e-7f})
                     : "ymm0", "ymm1", "ymm2", "ymm3", "ymm4", "ymm5", "ymm6", "ymm7", "ymm8",
                       "ymm9", "ymm10", "ymm11", "ymm12", "ymm13", "memory", "cc");
    fp_sink += out[0];
}
static const double fp_muladd_ymm_flops = (double)FP_ITERS * 6.0 * 8.0 * 2.0;
#endif

typedef struct {
    const char *name;
    void (*fn)(void *);
    double flops; /* per call */
    double best;  /* FLOP/s */
} fp_peak;

static int fp_peaks(fp_peak *pk)
{
    int n = 0;
#if defined(HAVE_FP_ZMM)
    pk[n].name = "fma zmm", pk[n].fn = fp_fma_zmm, pk[n].flops = fp_fma_zmm_flops, n++;
    pk[n].name = "mul+add zmm", pk[n].fn = fp_muladd_zmm, pk[n].flops = fp_muladd_zmm_flops, n++;
#endif
#if defined(HAVE_FP_YMM)
    pk[n].name = "fma ymm", pk[n].fn = fp_fma_ymm, pk[n].flops = fp_fma_ymm_flops, n++;
    pk[n].name = "mul+add ymm", pk[n].fn = fp_muladd_ymm, pk[n].flops = fp_muladd_ymm_flops,
    n++;
#endif
    for (int i = 0; i < n; i++)
        pk[i].best = 0.0;
    return n;
}

static void fp_measure(fp_peak *pk, int n)
{
    for (int i = 0; i < n; i++) {
        double r = pk[i].flops / time_median(pk[i].fn, NULL);
        if (r > pk[i].best)
            pk[i].best = r;
    }
}

/* The best of the entries whose name starts with `kind` ("fma": the FMA
 * peak; "mul+add": the peak of a separate multiply and add, the ceiling
 * of the exact sums every non-FMA kernel computes), FLOP/s. */
static double fp_peak_of(const fp_peak *pk, int n, const char *kind)
{
    double b = 0.0;
    for (int i = 0; i < n; i++)
        if (!strncmp(pk[i].name, kind, strlen(kind)) && pk[i].best > b)
            b = pk[i].best;
    return b;
}

/* ---- float convolutions --------------------------------------------------- */

typedef struct {
    const char *name;
    int32_t hw, in_c, out_c, k, stride, pad, groups;
    int pool; /* 1: the ResNet stem fused with its 3x3/2 max pooling */
    const char *kind; /* stem, dense, grouped, depthwise */
    bnn_conv_order order;
} fconv_shape;

#define FUSED BNN_CONV_ORDER_FMA
#define SEP BNN_CONV_ORDER_SUM

static const fconv_shape fshapes[] = {
    {"stem 7x7/2 224x224x3->64", 224, 3, 64, 7, 2, 3, 1, 0, "stem", FUSED},
    {"stem+maxpool 3x3/2", 224, 3, 64, 7, 2, 3, 1, 1, "stem", FUSED},
    {"stem 7x7/2 sep", 224, 3, 64, 7, 2, 3, 1, 0, "stem", SEP},
    {"stem+maxpool sep", 224, 3, 64, 7, 2, 3, 1, 1, "stem", SEP},
    {"3x3 56x56x64->64", 56, 64, 64, 3, 1, 1, 1, 0, "dense", FUSED},
    {"3x3 56x56x64->64 sep", 56, 64, 64, 3, 1, 1, 1, 0, "dense", SEP},
    {"3x3 28x28x128->128", 28, 128, 128, 3, 1, 1, 1, 0, "dense", FUSED},
    {"3x3 14x14x256->256", 14, 256, 256, 3, 1, 1, 1, 0, "dense", FUSED},
    {"3x3 7x7x512->512", 7, 512, 512, 3, 1, 1, 1, 0, "dense", FUSED},
    {"3x3/2 56x56x64->128", 56, 64, 128, 3, 2, 1, 1, 0, "dense", FUSED},
    {"1x1 56x56x64->64", 56, 64, 64, 1, 1, 0, 1, 0, "dense", FUSED},
    {"1x1 28x28x128->256", 28, 128, 256, 1, 1, 0, 1, 0, "dense", FUSED},
    {"1x1/2 56x56x64->128", 56, 64, 128, 1, 2, 0, 1, 0, "dense", FUSED},
    {"1x1 7x7x512->512", 7, 512, 512, 1, 1, 0, 1, 0, "dense", FUSED},
    {"g4 3x3 112x112x32->32", 112, 32, 32, 3, 1, 1, 4, 0, "grouped", SEP},
    {"g8 3x3 112x112x32->64", 112, 32, 64, 3, 1, 1, 8, 0, "grouped", SEP},
    {"dw 3x3 112x112x32", 112, 32, 32, 3, 1, 1, 32, 0, "depthwise", SEP},
    {"dw 3x3 56x56x128", 56, 128, 128, 3, 1, 1, 128, 0, "depthwise", SEP},
    {"dw 3x3/2 56x56x128", 56, 128, 128, 3, 2, 1, 128, 0, "depthwise", SEP},
};
#define N_FSHAPES ((int)(sizeof fshapes / sizeof fshapes[0]))
#undef FUSED
#undef SEP

typedef struct {
    bnn_conv2d_maxpool_params mp;
    const float *in;
    float *out;
    void *scratch;
    bnn_status (*conv)(const bnn_conv2d_params *, const float *, float *, void *);
    bnn_status (*convpool)(const bnn_conv2d_maxpool_params *, const float *, float *,
                           void *);
} fconv_ctx;

static void run_fconv(void *v)
{
    fconv_ctx *c = (fconv_ctx *)v;
    if (c->convpool)
        c->convpool(&c->mp, c->in, c->out, c->scratch);
    else
        c->conv(&c->mp.conv, c->in, c->out, c->scratch);
}

typedef struct {
    char shape[40];
    const char *kind;
    char variant[16];
    double t, gflops;
} fconv_result;

static float frand_pm1(void)
{
    return (float)((int)(rnd() % 2001u) - 1000) / 1000.0f;
}

/* Times every compiled-in variant on shape s; appends to res. */
static int bench_fconv(const fconv_shape *s, fconv_result *res, int nres)
{
    fconv_ctx c;
    bnn_conv2d_params *p = &c.mp.conv;
    const char *names[8];
    bnn_any_fn any[8];
    bnn_status (*fns[8])(const bnn_conv2d_params *, const float *, float *, void *);
    bnn_status (*pfns[8])(const bnn_conv2d_maxpool_params *, const float *, float *, void *);
    int nv, v;
    memset(&c, 0, sizeof c);
    p->n = 1;
    p->in_h = p->in_w = s->hw;
    p->in_c = s->in_c;
    p->out_c = s->out_c;
    p->k_h = p->k_w = s->k;
    p->stride_h = p->stride_w = s->stride;
    p->pad_h = p->pad_w = s->pad;
    p->dil_h = p->dil_w = 1;
    p->groups = s->groups;
    p->out_h = p->out_w = (s->hw + 2 * s->pad - s->k) / s->stride + 1;
    p->out_pixel_stride = s->out_c;
    p->act = BNN_ACT_RELU;
    p->order = s->order;
    size_t nin = (size_t)s->hw * (size_t)s->hw * (size_t)s->in_c;
    size_t nw = (size_t)s->k * (size_t)s->k * (size_t)(s->in_c / s->groups) *
                (size_t)s->out_c;
    size_t nout = (size_t)p->out_h * (size_t)p->out_w * (size_t)s->out_c;
    float *in = (float *)xalloc(nin * 4u), *w = (float *)xalloc(nw * 4u);
    float *bias = (float *)xalloc((size_t)s->out_c * 4u);
    float *ref = (float *)xalloc(nout * 4u), *out = (float *)xalloc(nout * 4u);
    for (size_t i = 0; i < nin; i++)
        in[i] = frand_pm1();
    for (size_t i = 0; i < nw; i++)
        w[i] = frand_pm1();
    for (int i = 0; i < s->out_c; i++)
        bias[i] = frand_pm1();
    p->weights = w;
    p->bias = bias;
    size_t ss;
    if (s->pool) {
        bnn_pool2d_params *q = &c.mp.pool;
        q->n = 1;
        q->in_h = p->out_h;
        q->in_w = p->out_w;
        q->c = s->out_c;
        q->k_h = q->k_w = 3;
        q->stride_h = q->stride_w = 2;
        q->pad_h = q->pad_w = 1;
        q->out_h = (p->out_h + 2 - 3) / 2 + 1;
        q->out_w = (p->out_w + 2 - 3) / 2 + 1;
        nout = (size_t)q->out_h * (size_t)q->out_w * (size_t)s->out_c;
        ss = bnn_conv2d_maxpool_f32_scratch_size(&c.mp);
        nv = bench_variants("bnn_conv2d_maxpool_f32", names, any, 8);
        for (v = 0; v < nv; v++)
            pfns[v] = (bnn_status(*)(const bnn_conv2d_maxpool_params *, const float *,
                                     float *, void *))any[v];
    } else {
        ss = bnn_conv2d_f32_scratch_size(p);
        nv = bench_variants("bnn_conv2d_f32", names, any, 8);
        for (v = 0; v < nv; v++)
            fns[v] = (bnn_status(*)(const bnn_conv2d_params *, const float *, float *,
                                    void *))any[v];
    }
    c.scratch = ss ? xalloc(ss) : NULL;
    c.in = in;
    double flops = 2.0 * (double)p->out_h * p->out_w * s->out_c * s->k * s->k *
                   (s->in_c / s->groups);
    for (v = nv - 1; v >= 0; v--) {
        fconv_result *r = &res[nres++];
        c.conv = s->pool ? NULL : fns[v];
        c.convpool = s->pool ? pfns[v] : NULL;
        c.out = v == 0 ? ref : out;
        run_fconv(&c);
        snprintf(r->shape, sizeof r->shape, "%s", s->name);
        snprintf(r->variant, sizeof r->variant, "%s", names[v]);
        r->kind = s->kind;
        r->t = time_median(run_fconv, &c);
        r->gflops = flops / r->t * 1e-9;
    }
    /* variants were run last to first: out holds variant 1's result (or
     * nothing when there is only portable) */
    if (nv > 1) {
        for (v = 1; v < nv; v++) {
            c.conv = s->pool ? NULL : fns[v];
            c.convpool = s->pool ? pfns[v] : NULL;
            c.out = out;
            run_fconv(&c);
            if (memcmp(out, ref, nout * 4u) != 0) {
                fprintf(stderr, "%s: %s differs from portable\n", s->name, names[v]);
                exit(1);
            }
        }
    }
    free(in);
    free(w);
    free(bias);
    free(ref);
    free(out);
    free(c.scratch);
    return nres;
}

#if defined(BENCH_HAVE_ACT_FAST)
/* ---- activations ---------------------------------------------------------- */

#define ACT_N 16384 /* 64 KB in, 64 KB out: L2 resident */

typedef bnn_status (*bench_act_fn)(const bnn_act_params *, const float *, float *);
typedef bnn_status (*bench_softmax_fn)(const bnn_softmax_params *, const float *, float *);

typedef struct {
    bnn_act_params p;
    bench_act_fn fn; /* bnn_act_f32 (libm) or a variant of bnn_act_fast_f32 */
    const float *in;
    float *out;
} act_ctx;

static void run_act(void *v)
{
    act_ctx *c = (act_ctx *)v;
    c->fn(&c->p, c->in, c->out);
}

typedef struct {
    bnn_softmax_params p;
    bench_softmax_fn fn; /* bnn_softmax_f32 or a variant of bnn_softmax_fast_f32 */
    const float *in;
    float *out;
} smax_ctx;

static void run_smax(void *v)
{
    smax_ctx *c = (smax_ctx *)v;
    c->fn(&c->p, c->in, c->out);
}

/* ---- subnormal activations ------------------------------------------------ */

typedef struct {
    fconv_ctx conv;
    int ftz;
} sub_ctx;

static void run_sub(void *v)
{
    sub_ctx *c = (sub_ctx *)v;
    bnn_fpenv env = {0};
    if (c->ftz)
        bnn_fpenv_enter(&env);
    run_fconv(&c->conv);
    if (c->ftz)
        bnn_fpenv_leave(&env);
}

#endif /* BENCH_HAVE_ACT_FAST */

/* Prints the float section (text, or the body of a JSON object). */
static void bench_float_section(int json)
{
    fp_peak pk[6];
    int npk = fp_peaks(pk);
    fconv_result res[128];
    int nres = 0;
    double t0 = now_s();
    while (now_s() - t0 < 0.2)
        for (int i = 0; i < npk; i++)
            pk[i].fn(NULL);
    fp_measure(pk, npk);
    for (int s = 0; s < N_FSHAPES; s++) {
        nres = bench_fconv(&fshapes[s], res, nres);
        fp_measure(pk, npk);
    }
    const double peak = fp_peak_of(pk, npk, "fma"), mpeak = fp_peak_of(pk, npk, "mul+add");

#if defined(BENCH_HAVE_ACT_FAST)
    /* activations: ns per element */
    static const bnn_act acts[3] = {BNN_ACT_SIGMOID, BNN_ACT_TANH, BNN_ACT_GELU};
    static const char *const act_names[3] = {"sigmoid", "tanh", "gelu"};
    const char *anames[8], *snames[8];
    bnn_any_fn aany[8], sany[8];
    bench_act_fn afns[8];
    bench_softmax_fn sfns[8];
    int nav = bench_variants("bnn_act_fast_f32", anames, aany, 8);
    (void)bench_variants("bnn_softmax_fast_f32", snames, sany, 8);
    for (int v = 0; v < nav; v++) {
        afns[v] = (bench_act_fn)aany[v];
        sfns[v] = (bench_softmax_fn)sany[v];
    }
    double act_ns[3][9], smax_us[9];
    float *ain = (float *)xalloc(ACT_N * 4u), *aout = (float *)xalloc(ACT_N * 4u);
    for (int i = 0; i < ACT_N; i++)
        ain[i] = 8.0f * frand_pm1();
    for (int a = 0; a < 3; a++)
        for (int v = -1; v < nav; v++) {
            act_ctx c = {{.act = acts[a], .n = ACT_N}, v < 0 ? bnn_act_f32 : afns[v], ain, aout};
            act_ns[a][v + 1] = time_median(run_act, &c) / ACT_N * 1e9;
        }
    for (int v = -1; v < nav; v++) {
        smax_ctx c = {{.rows = 1, .len = 1000}, v < 0 ? bnn_softmax_f32 : sfns[v], ain, aout};
        smax_us[v + 1] = time_median(run_smax, &c) * 1e6;
    }
    free(ain);
    free(aout);

    /* subnormal input through the 3x3 56x56x64 conv, plain and with FTZ/DAZ */
    double sub_t[3];
    {
        sub_ctx c;
        const char *names[8];
        bnn_any_fn any[8];
        int nv = bench_variants("bnn_conv2d_f32", names, any, 8);
        bnn_conv2d_params *p = &c.conv.mp.conv;
        memset(&c, 0, sizeof c);
        p->n = 1;
        p->in_h = p->in_w = p->out_h = p->out_w = 56;
        p->in_c = p->out_c = 64;
        p->k_h = p->k_w = 3;
        p->stride_h = p->stride_w = p->dil_h = p->dil_w = 1;
        p->pad_h = p->pad_w = 1;
        p->groups = 1;
        p->out_pixel_stride = 64;
        p->act = BNN_ACT_NONE;
        size_t nin = 56u * 56u * 64u, nw = 9u * 64u * 64u;
        float *in = (float *)xalloc(nin * 4u), *w = (float *)xalloc(nw * 4u);
        float *out = (float *)xalloc(nin * 4u);
        for (size_t i = 0; i < nw; i++)
            w[i] = frand_pm1();
        for (size_t i = 0; i < nin; i++)
            in[i] = frand_pm1();
        p->weights = w;
        c.conv.in = in;
        c.conv.out = out;
        c.conv.conv = (bnn_status(*)(const bnn_conv2d_params *, const float *, float *,
                                     void *))any[nv - 1];
        c.ftz = 0;
        sub_t[0] = time_median(run_sub, &c);
        for (size_t i = 0; i < nin; i++)
            in[i] *= 1e-38f; /* subnormal or tiny: products are subnormal */
        sub_t[1] = time_median(run_sub, &c);
        c.ftz = 1;
        sub_t[2] = time_median(run_sub, &c);
        free(in);
        free(w);
        free(out);
    }
#endif

    if (json) {
        printf("\"float_peak_gflops\": {");
        for (int i = 0; i < npk; i++)
            printf("%s\"%s\": %.2f", i ? ", " : "", pk[i].name, pk[i].best * 1e-9);
        printf("}, \"float_convs\": [");
        for (int i = 0; i < nres; i++)
            printf("%s{\"shape\": \"%s\", \"kind\": \"%s\", \"variant\": \"%s\", "
                   "\"time_ms\": %.4f, \"gflops\": %.2f, \"ratio_to_fma_peak\": %.3f, "
                   "\"ratio_to_muladd_peak\": %.3f}",
                   i ? ", " : "", res[i].shape, res[i].kind, res[i].variant,
                   res[i].t * 1e3, res[i].gflops, (peak > 0.0 ? res[i].gflops * 1e9 / peak : 0.0),
                   (mpeak > 0.0 ? res[i].gflops * 1e9 / mpeak : 0.0));
        printf("]");
#if defined(BENCH_HAVE_ACT_FAST)
        printf(", \"activations_ns_per_element\": {");
        for (int a = 0; a < 3; a++) {
            printf("%s\"%s\": {\"libm\": %.3f", a ? ", " : "", act_names[a], act_ns[a][0]);
            for (int v = 0; v < nav; v++)
                printf(", \"%s\": %.3f", anames[v], act_ns[a][v + 1]);
            printf("}");
        }
        printf(", \"softmax_1000_us\": {\"libm\": %.3f", smax_us[0]);
        for (int v = 0; v < nav; v++)
            printf(", \"%s\": %.3f", anames[v], smax_us[v + 1]);
        printf("}}, \"subnormal_conv_ms\": {\"normal\": %.4f, \"subnormal\": %.4f, "
               "\"subnormal_ftz\": %.4f}",
               sub_t[0] * 1e3, sub_t[1] * 1e3, sub_t[2] * 1e3);
#endif
        return;
    }
    printf("\nfloat32 peak (1 thread), GFLOP/s:");
    for (int i = 0; i < npk; i++)
        printf("  %s %.1f", pk[i].name, pk[i].best * 1e-9);
    printf("\n(single-group convolutions: one fused multiply-add per tap, bnnc's default,\n"
           " whose ceiling is \"of fma\"; grouped, depthwise and \"sep\" rows (--fma off):\n"
           " a multiply, then an add, whose ceiling is \"of mul+add\")\n");
    printf("\n%-28s %-9s %-9s %10s %9s %8s %10s\n", "float conv", "kind", "variant", "time ms",
           "GFLOP/s", "of fma", "of mul+add");
    for (int i = 0; i < nres; i++)
        printf("%-28s %-9s %-9s %10.4f %9.1f %8.3f %10.3f\n", res[i].shape, res[i].kind,
               res[i].variant, res[i].t * 1e3, res[i].gflops, (peak > 0.0 ? res[i].gflops * 1e9 / peak : 0.0),
               (mpeak > 0.0 ? res[i].gflops * 1e9 / mpeak : 0.0));
#if defined(BENCH_HAVE_ACT_FAST)
    printf("\nactivations, ns per element (%d elements):\n  %-8s %8s", ACT_N, "", "libm");
    for (int v = 0; v < nav; v++)
        printf(" %9s", anames[v]);
    printf("\n");
    for (int a = 0; a < 3; a++) {
        printf("  %-8s %8.3f", act_names[a], act_ns[a][0]);
        for (int v = 0; v < nav; v++)
            printf(" %9.3f", act_ns[a][v + 1]);
        printf("\n");
    }
    printf("  %-8s %8.3f", "softmax", smax_us[0] * 1e3 / 1000.0);
    for (int v = 0; v < nav; v++)
        printf(" %9.3f", smax_us[v + 1] * 1e3 / 1000.0);
    printf("   (one row of 1000)\n");
    printf("\n3x3 56x56x64->64 conv (%s), ms: normal input %.3f, subnormal input %.3f, "
           "subnormal input with bnn_fpenv_enter %.3f\n",
           "bnn_conv2d_f32", sub_t[0] * 1e3, sub_t[1] * 1e3, sub_t[2] * 1e3);
#endif
}
