/*
 * bench_machine.c - the single-thread ceilings scripts/bench compares the
 * float and data-movement steps of a network with (the binary steps are
 * compared with the popcount roofline of bench_kernels.c). Prints one
 * JSON object.
 *
 *   float_peak_gflops:  widest vector the build has (16 lanes with
 *                       AVX-512F, 8 with AVX, else 4 with SSE/scalar
 *                       code the compiler vectorises), 12 independent
 *                       chains kept in registers; "fma" is a fused
 *                       multiply-add per element, "muladd" a multiply
 *                       then an add (what runtime_min's float kernels do,
 *                       for results identical across variants). FLOPs
 *                       count 2 per multiply-accumulate.
 *   stream_gbps:        bytes read plus bytes written per second of
 *                       y[i] = x[i] * a + b (the access pattern of the
 *                       per-channel affine, activation and pack/unpack
 *                       steps), for working sets from L1-sized to
 *                       DRAM-sized, each warm: "copy" with x and y two
 *                       buffers of half the working set each, "inplace"
 *                       with y = x (no write-allocate traffic); "gbps" is
 *                       the larger of the two.
 *
 * Every figure is the best of 5 medians of repeated timed runs.
 *
 *   bench_machine --threads N  (N >= 2) instead: how the same loops scale
 *                       when N threads run them at once, each on its own
 *                       registers and buffers (the ceiling of any
 *                       N-thread speed-up on this machine: two logical
 *                       CPUs that share one core's units add little).
 *                       "threads": muladd and popcount (xor + popcount +
 *                       add on 64-bit words in registers) throughput of N
 *                       threads started together over one thread's, and
 *                       streaming bandwidth with a 256 KiB (cache-resident)
 *                       and a 64 MiB (memory) working set per thread.
 *
 *   bench_machine --threads N --probe  only the popcount scaling, from
 *                       one median of 3 runs each (about 1 s): whether
 *                       the N logical CPUs are on separate cores right
 *                       now. A virtual machine's CPUs can move: two that
 *                       ran on two cores may share one core a moment
 *                       later, and then integer SIMD code gains nothing
 *                       from the second thread.
 *
 *   cc -O3 -march=native -pthread bench_machine.c -o bench_machine
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__AVX__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static volatile float g_sink;

/* Best of 5 medians of 15 runs of fn(arg) (each lasting a few ms),
 * returning seconds per call. */
static double best_median(double (*fn)(void *, long), void *arg, long iters)
{
    double best = 1e30;
    int k, r;
    for (k = 0; k < 5; k++) {
        double t[15];
        for (r = 0; r < 15; r++)
            t[r] = fn(arg, iters);
        qsort(t, 15, sizeof t[0], cmp_double);
        if (t[7] < best)
            best = t[7];
    }
    return best / (double)iters;
}

#define CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

#if defined(__AVX512F__)
#define LANES 16
typedef __m512 vf;
#define VSET1(x) _mm512_set1_ps(x)
#define VADD(a, b) _mm512_add_ps(a, b)
#define VMUL(a, b) _mm512_mul_ps(a, b)
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define VFIRST(a) _mm512_cvtss_f32(a)
#define HAVE_FMA_VEC 1
#elif defined(__AVX__)
#define LANES 8
typedef __m256 vf;
#define VSET1(x) _mm256_set1_ps(x)
#define VADD(a, b) _mm256_add_ps(a, b)
#define VMUL(a, b) _mm256_mul_ps(a, b)
#if defined(__FMA__)
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define HAVE_FMA_VEC 1
#endif
#define VFIRST(a) _mm256_cvtss_f32(a)
#else
#define LANES 1
typedef float vf;
#define VSET1(x) (x)
#define VADD(a, b) ((a) + (b))
#define VMUL(a, b) ((a) * (b))
#define VFIRST(a) (a)
#endif

#define DECL(i) vf a##i = VSET1(1.0f + (float)(i));
#define SUM(i) s += VFIRST(a##i);
/* The product is pinned in a register between the multiply and the add:
 * compilers otherwise contract the two into one FMA (GCC does by default,
 * without -ffp-contract=off), which would report the FMA peak as this one. */
#if defined(__GNUC__) && defined(__x86_64__)
#define PIN(v) __asm__("" : "+v"(v))
#else
#define PIN(v) ((void)0)
#endif
#define MULADD(i) a##i = VMUL(a##i, x); PIN(a##i); a##i = VADD(a##i, y);
#define FMA(i) a##i = VFMA(a##i, x, y);

static double run_muladd(void *arg, long iters)
{
    const vf x = VSET1(0.999f), y = VSET1(1e-7f);
    float s = 0.0f;
    long it;
    double t0;
    CHAINS(DECL)
    (void)arg;
    t0 = now_s();
    for (it = 0; it < iters; it++) {
        CHAINS(MULADD)
    }
    t0 = now_s() - t0;
    CHAINS(SUM)
    g_sink = s;
    return t0;
}

#ifdef HAVE_FMA_VEC
static double run_fma(void *arg, long iters)
{
    const vf x = VSET1(0.999f), y = VSET1(1e-7f);
    float s = 0.0f;
    long it;
    double t0;
    CHAINS(DECL)
    (void)arg;
    t0 = now_s();
    for (it = 0; it < iters; it++) {
        CHAINS(FMA)
    }
    t0 = now_s() - t0;
    CHAINS(SUM)
    g_sink = s;
    return t0;
}
#endif

typedef struct {
    float *x, *y; /* y == x: in place */
    size_t n;
} stream_ctx;

static double run_stream(void *arg, long iters)
{
    stream_ctx *c = (stream_ctx *)arg;
    float *x = c->x, *y = c->y;
    const float a = 0.999f, b = 1e-7f;
    size_t n = c->n, i;
    long it;
    double t0 = now_s();
    for (it = 0; it < iters; it++) {
        for (i = 0; i < n; i++)
            y[i] = x[i] * a + b;
        __asm__ __volatile__("" ::: "memory");
    }
    t0 = now_s() - t0;
    g_sink = y[n / 2];
    return t0;
}

/* Independent xor + popcount + add chains on 64-bit words (the scalar
 * form of the binary kernels' inner step; enough to tell whether two
 * threads share one core's integer units). */
static volatile uint64_t g_sink64;

static double run_popcount(void *arg, long iters)
{
    uint64_t w0 = 0x9E3779B97F4A7C15u, w1 = 0xC2B2AE3D27D4EB4Fu, w2 = 0x165667B19E3779F9u;
    uint64_t w3 = 0xD6E8FEB86659FD93u, a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    uint64_t x = (uint64_t)(uintptr_t)arg | 1u;
    long it;
    double t0 = now_s();
    for (it = 0; it < iters; it++) {
        a0 += (uint64_t)__builtin_popcountll(w0 ^ x);
        a1 += (uint64_t)__builtin_popcountll(w1 ^ x);
        a2 += (uint64_t)__builtin_popcountll(w2 ^ x);
        a3 += (uint64_t)__builtin_popcountll(w3 ^ x);
        w0 += a3, w1 += a0, w2 += a1, w3 += a2;
        __asm__ __volatile__("" : "+r"(w0), "+r"(w1), "+r"(w2), "+r"(w3));
    }
    t0 = now_s() - t0;
    g_sink64 = a0 + a1 + a2 + a3;
    return t0;
}

/* ------------------------------------------------ --threads N: scaling */

typedef struct {
    double (*fn)(void *, long);
    void *arg;
    long iters;
    pthread_barrier_t *start;
} par_job;

static void *par_main(void *v)
{
    par_job *j = (par_job *)v;
    pthread_barrier_wait(j->start);
    j->fn(j->arg, j->iters);
    return NULL;
}

/* Wall seconds for nt threads each calling fn(args[t], iters) at once
 * (best of g_par_sets medians of 3), or -1 when a thread cannot be started. Each
 * call lasts 0.1 s or more: runs of a few ms measure how fast an idle core
 * wakes up more than what it computes. */
static int g_par_sets = 3; /* medians par_time takes the best of */

static double par_time(int nt, double (*fn)(void *, long), void **args, long iters)
{
    double best = 1e30;
    int k, r, t;
    for (k = 0; k < g_par_sets; k++) {
        double tm[3];
        for (r = 0; r < 3; r++) {
            pthread_t th[64];
            par_job jobs[64];
            pthread_barrier_t start;
            double t0;
            pthread_barrier_init(&start, NULL, (unsigned)nt + 1u);
            for (t = 0; t < nt; t++) {
                jobs[t].fn = fn;
                jobs[t].arg = args[t];
                jobs[t].iters = iters;
                jobs[t].start = &start;
                if (pthread_create(&th[t], NULL, par_main, &jobs[t]) != 0)
                    return -1.0;
            }
            pthread_barrier_wait(&start);
            t0 = now_s();
            for (t = 0; t < nt; t++)
                pthread_join(th[t], NULL);
            tm[r] = now_s() - t0;
            pthread_barrier_destroy(&start);
        }
        qsort(tm, 3, sizeof tm[0], cmp_double);
        if (tm[1] < best)
            best = tm[1];
    }
    return best;
}

/* Throughput of nt threads at once over one thread's (both through
 * par_time, so thread start-up is in both). */
static double scaling(int nt, double (*fn)(void *, long), void **args, long iters)
{
    double t1 = par_time(1, fn, args, iters), tn = par_time(nt, fn, args, iters);
    if (t1 < 0 || tn < 0)
        return -1.0;
    return (double)nt * t1 / tn;
}

/* --threads N --probe */
static int probe_main(int nt)
{
    void *args[64];
    int t;
    for (t = 0; t < nt; t++)
        args[t] = (void *)(uintptr_t)(t + 1);
    g_par_sets = 1;
    printf("{\"threads\": {\"n\": %d, \"popcount_scaling\": %.4g}}\n", nt,
           scaling(nt, run_popcount, args, 200000000));
    return 0;
}

static int threads_main(int nt)
{
    static const size_t sets_kib[] = {256, 65536};
    void *args[64];
    stream_ctx ctx[64];
    float *bufs[64];
    size_t k;
    int t;
    printf("{\"threads\": {\"n\": %d", nt);
    for (t = 0; t < nt; t++)
        args[t] = (void *)(uintptr_t)(t + 1);
    printf(", \"muladd_scaling\": %.4g", scaling(nt, run_muladd, args, 40000000));
    printf(", \"popcount_scaling\": %.4g", scaling(nt, run_popcount, args, 200000000));
    for (k = 0; k < sizeof sets_kib / sizeof sets_kib[0]; k++) {
        size_t bytes = sets_kib[k] * 1024u, n = bytes / 2u / sizeof(float), i;
        long iters = (long)(200e-3 * 20e9 / (double)bytes);
        for (t = 0; t < nt; t++) {
            bufs[t] = (float *)aligned_alloc(64, 2u * n * sizeof(float));
            if (!bufs[t]) {
                fprintf(stderr, "bench_machine: out of memory\n");
                return 1;
            }
            for (i = 0; i < 2u * n; i++)
                bufs[t][i] = (float)(i % 97) * 0.01f;
            ctx[t].x = bufs[t];
            ctx[t].y = bufs[t] + n;
            ctx[t].n = n;
            args[t] = &ctx[t];
        }
        printf(", \"stream_scaling_%zu_kib\": %.4g", sets_kib[k],
               scaling(nt, run_stream, args, iters < 1 ? 1 : iters));
        for (t = 0; t < nt; t++)
            free(bufs[t]);
    }
    printf("}}\n");
    return 0;
}

int main(int argc, char **argv)
{
    static const size_t sizes_kib[] = {16, 32, 64, 128, 256, 512, 768, 1024, 1536, 2048,
                                       4096, 8192, 16384, 32768, 131072};
    const long peak_iters = 400000;
    size_t k;
    double t;
    if ((argc == 3 || (argc == 4 && !strcmp(argv[3], "--probe"))) &&
        !strcmp(argv[1], "--threads")) {
        int nt = atoi(argv[2]);
        if (nt < 2 || nt > 64) {
            fprintf(stderr, "bench_machine: --threads takes 2 to 64\n");
            return 2;
        }
        return argc == 4 ? probe_main(nt) : threads_main(nt);
    }
    if (argc != 1) {
        fprintf(stderr, "usage: bench_machine [--threads N [--probe]]\n");
        return 2;
    }
    printf("{\"lanes\": %d, \"float_peak_gflops\": {", LANES);
    t = best_median(run_muladd, NULL, peak_iters);
    printf("\"muladd\": %.4g", 12.0 * LANES * 2.0 / t * 1e-9);
#ifdef HAVE_FMA_VEC
    t = best_median(run_fma, NULL, peak_iters);
    printf(", \"fma\": %.4g", 12.0 * LANES * 2.0 / t * 1e-9);
#endif
    printf("}, \"stream_gbps\": [");
    for (k = 0; k < sizeof sizes_kib / sizeof sizes_kib[0]; k++) {
        size_t bytes = sizes_kib[k] * 1024u, n = bytes / 2u / sizeof(float), i;
        stream_ctx c;
        long iters;
        double copy, inplace;
        float *x = (float *)aligned_alloc(64, 2u * n * sizeof(float));
        if (!x) {
            fprintf(stderr, "bench_machine: out of memory\n");
            return 1;
        }
        for (i = 0; i < 2u * n; i++)
            x[i] = (float)(i % 97) * 0.01f;
        /* about 2 ms per timed call */
        iters = (long)(2e-3 * 20e9 / (double)bytes);
        if (iters < 1)
            iters = 1;
        /* copy: two buffers of n floats; bytes = 8n = working set */
        c.x = x;
        c.y = x + n;
        c.n = n;
        run_stream(&c, iters);
        copy = (double)bytes / best_median(run_stream, &c, iters) * 1e-9;
        /* in place over the whole working set: 2n floats, 16n bytes moved */
        c.y = x;
        c.n = 2u * n;
        run_stream(&c, iters);
        inplace = 2.0 * (double)bytes / best_median(run_stream, &c, iters) * 1e-9;
        printf("%s{\"bytes\": %zu, \"gbps\": %.4g, \"copy_gbps\": %.4g, "
               "\"inplace_gbps\": %.4g}", k ? ", " : "", bytes,
               copy > inplace ? copy : inplace, copy, inplace);
        free(x);
    }
    printf("]}\n");
    return 0;
}
