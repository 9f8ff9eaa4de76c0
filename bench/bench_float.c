/*
 * bench_float.c - single-thread throughput of the float kernels of
 * runtime_min on the shapes that dominate the float part of a binary
 * ImageNet network. Not a test: prints GFLOP/s, checks nothing.
 *
 * FLOPs are counted as 2 per multiply-accumulate of the mathematical
 * operation, padded taps included (the usual convention), so numbers are
 * comparable with other libraries. Each case is timed `reps` times after a
 * warm-up; the median is reported.
 *
 * The first lines report the machine's measured single-core peak for the
 * instruction mix the kernels use (separate multiply and add) and, where
 * the build has FMA, for fused multiply-add.
 */
#define _POSIX_C_SOURCE 199309L
#include "bnn.h"

typedef bnn_status (*bnn_conv2d_f32_fn)(const bnn_conv2d_params *, const float *,
                                        float *, void *);

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static float *rand_buf(size_t n, unsigned *seed)
{
    float *b = malloc(n * sizeof(float) + 64);
    if (!b) {
        fprintf(stderr, "bench_float: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; ++i) {
        *seed = *seed * 1103515245u + 12345u;
        b[i] = (float)((*seed >> 9) & 0xFFFF) / 32768.0f - 1.0f;
    }
    return b;
}

static volatile float sink;

#if defined(__AVX2__)
/* Measured single-core peak of 8-lane float arithmetic: 12 independent
 * chains (enough to hide latency) of either a multiply followed by an add
 * or one fused multiply-add, in GFLOP/s. The chains are named variables
 * so that they stay in registers. */
#define PEAK_CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define PEAK_DECL(i) __m256 a##i = _mm256_set1_ps(1.0f + (float)(i));
#define PEAK_SUM(i) s += _mm256_cvtss_f32(a##i);
#define PEAK_MULADD(i) a##i = _mm256_add_ps(_mm256_mul_ps(a##i, x), y);
#define PEAK_FMA(i) a##i = _mm256_fmadd_ps(a##i, x, y);

static double peak_muladd(void)
{
    const __m256 x = _mm256_set1_ps(0.999f), y = _mm256_set1_ps(1e-7f);
    PEAK_CHAINS(PEAK_DECL)
    const long iters = 20000000;
    double t0 = now_s();
    for (long it = 0; it < iters; ++it) {
        PEAK_CHAINS(PEAK_MULADD)
    }
    double t = now_s() - t0;
    float s = 0;
    PEAK_CHAINS(PEAK_SUM)
    sink = s;
    return (double)iters * 12 * 8 * 2 / t * 1e-9;
}
#endif

#if defined(__FMA__)
static double peak_fma(void)
{
    const __m256 x = _mm256_set1_ps(0.999f), y = _mm256_set1_ps(1e-7f);
    PEAK_CHAINS(PEAK_DECL)
    const long iters = 20000000;
    double t0 = now_s();
    for (long it = 0; it < iters; ++it) {
        PEAK_CHAINS(PEAK_FMA)
    }
    double t = now_s() - t0;
    float s = 0;
    PEAK_CHAINS(PEAK_SUM)
    sink = s;
    return (double)iters * 12 * 8 * 2 / t * 1e-9;
}
#endif

typedef struct {
    const char *name;
    int32_t in_hw, in_c, out_c, k, stride, pad, groups;
} conv_case;

static void bench_conv(const conv_case *c, const char *vname,
                       bnn_conv2d_f32_fn conv, int reps)
{
    unsigned seed = 1u;
    bnn_conv2d_params p;
    memset(&p, 0, sizeof p);
    p.n = 1;
    p.in_h = p.in_w = c->in_hw;
    p.in_c = c->in_c;
    p.out_c = c->out_c;
    p.k_h = p.k_w = c->k;
    p.stride_h = p.stride_w = c->stride;
    p.pad_h = p.pad_w = c->pad;
    p.dil_h = p.dil_w = 1;
    p.groups = c->groups;
    p.out_h = p.out_w = (c->in_hw + 2 * c->pad - c->k) / c->stride + 1;
    p.out_pixel_stride = c->out_c;
    p.act = BNN_ACT_RELU;
    size_t nin = (size_t)c->in_hw * (size_t)c->in_hw * (size_t)c->in_c;
    size_t nw = (size_t)c->k * (size_t)c->k * (size_t)(c->in_c / c->groups) *
                (size_t)c->out_c;
    size_t nout = (size_t)p.out_h * (size_t)p.out_w * (size_t)c->out_c;
    float *in = rand_buf(nin, &seed), *w = rand_buf(nw, &seed);
    float *bias = rand_buf((size_t)c->out_c, &seed);
    float *out = rand_buf(nout, &seed);
    p.weights = w;
    p.bias = bias;
    size_t ss = bnn_conv2d_f32_scratch_size(&p);
    void *scratch = ss ? malloc(ss) : NULL;
    double flops = 2.0 * (double)nout * c->k * c->k * (c->in_c / c->groups);
    double *t = malloc(sizeof(double) * (size_t)reps);
    if (conv(&p, in, out, scratch) != BNN_OK) {
        fprintf(stderr, "bench_float: %s rejected\n", c->name);
        exit(1);
    }
    for (int r = 0; r < reps; ++r) {
        double t0 = now_s();
        conv(&p, in, out, scratch);
        t[r] = now_s() - t0;
    }
    qsort(t, (size_t)reps, sizeof(double), cmp_double);
    printf("%-34s %-8s %9.3f ms %8.2f GFLOP/s\n", c->name, vname,
           t[reps / 2] * 1e3, flops / t[reps / 2] * 1e-9);
    free(t);
    free(in);
    free(w);
    free(bias);
    free(out);
    free(scratch);
}

static void bench_dense(int32_t k, int32_t out_c, int reps)
{
    unsigned seed = 2u;
    bnn_dense_params p;
    memset(&p, 0, sizeof p);
    p.n = 1;
    p.k = k;
    p.out_c = out_c;
    p.out_row_stride = out_c;
    float *in = rand_buf((size_t)k, &seed);
    float *w = rand_buf((size_t)k * (size_t)out_c, &seed);
    float *bias = rand_buf((size_t)out_c, &seed);
    float *out = rand_buf((size_t)out_c, &seed);
    p.weights = w;
    p.bias = bias;
    double *t = malloc(sizeof(double) * (size_t)reps);
    if (bnn_dense_f32(&p, in, out) != BNN_OK) {
        fprintf(stderr, "bench_float: dense rejected\n");
        exit(1);
    }
    for (int r = 0; r < reps; ++r) {
        double t0 = now_s();
        bnn_dense_f32(&p, in, out);
        t[r] = now_s() - t0;
    }
    qsort(t, (size_t)reps, sizeof(double), cmp_double);
    char name[64];
    snprintf(name, sizeof name, "dense %d->%d (batch 1)", (int)k, (int)out_c);
    printf("%-34s %-8s %9.3f ms %8.2f GFLOP/s  (%.1f GB/s of weights)\n",
           name, "",
           t[reps / 2] * 1e3, 2.0 * k * out_c / t[reps / 2] * 1e-9,
           4.0 * k * out_c / t[reps / 2] * 1e-9);
    free(t);
    free(in);
    free(w);
    free(bias);
    free(out);
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 21;
    if (reps < 1)
        reps = 1;
    printf("bench_float: runtime_min %s, single thread, median of %d\n",
           BNN_VERSION_STRING, reps);
#if defined(__AVX2__)
    printf("%-43s %8.2f GFLOP/s\n", "peak 8-lane mul+add (measured)",
           peak_muladd());
#endif
#if defined(__FMA__)
    printf("%-43s %8.2f GFLOP/s\n", "peak 8-lane fma (measured)",
           peak_fma());
#endif
    static const conv_case cases[] = {
        {"conv 7x7/2 224x224x3->64 (stem)", 224, 3, 64, 7, 2, 3, 1},
        {"conv 3x3/1 56x56x64->64", 56, 64, 64, 3, 1, 1, 1},
        {"conv 3x3/1 28x28x128->128", 28, 128, 128, 3, 1, 1, 1},
        {"conv 1x1/1 28x28x128->256", 28, 128, 256, 1, 1, 0, 1},
        {"conv 1x1/2 56x56x64->128", 56, 64, 128, 1, 2, 0, 1},
        {"dwconv 3x3/1 56x56x128", 56, 128, 128, 3, 1, 1, 128},
    };
    /* Every conv2d variant compiled into the library; the last one is
     * what bnn_conv2d_f32 calls. */
    const char *vnames[8];
    bnn_conv2d_f32_fn vfns[8];
    int nv = 0, count;
    const bnn_kernel_variant *all = bnn_kernel_variants(&count);
    for (int i = 0; i < count && nv < 8; ++i)
        if (!strcmp(all[i].kernel, "bnn_conv2d_f32")) {
            vnames[nv] = all[i].variant;
            vfns[nv++] = (bnn_conv2d_f32_fn)all[i].fn;
        }
    printf("conv2d_f32 calls the %s variant\n", vnames[nv - 1]);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i)
        for (int v = nv - 1; v >= 0; --v)
            bench_conv(&cases[i], vnames[v], vfns[v], reps);
    bench_dense(512, 1000, reps * 5);
    return 0;
}
