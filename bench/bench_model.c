/*
 * bench_model.c - batch-1 latency and per-step profile of one network
 * compiled by bnnc with `--prefix net`, on one thread. Driven by
 * scripts/bench; prints one JSON object on stdout.
 *
 *   cc -O3 -march=native net.c bench_model.c -lm -o lat
 *   cc -O3 -march=native -DNET_PROFILE -DNET_PROFILE_USER_HOOK \
 *      net.c bench_model.c -lm -o prof
 *   lat INPUT.npy [--expect OUTPUT.npy] [--warmup S] [--min-time S]
 *       [--min-reps N] [--max-reps N] [--samples] [--threads N,M,...]
 *
 * Latency build: after `warmup` seconds of untimed runs (at least 3), each
 * of the timed runs is one net_run() call timed with CLOCK_MONOTONIC; the
 * number of runs is min-time divided by the warm-up estimate, clamped to
 * [min-reps, max-reps]. Reported: median, min, 10th and 90th percentile,
 * and with --samples every run's time in milliseconds, in run order.
 *
 * Profile build (NET_PROFILE_USER_HOOK): the generated code calls
 * net_profile_hook() after every step with the ticks the step took; this
 * file supplies the hook and the clock (the TSC on x86-64, calibrated
 * against CLOCK_MONOTONIC; CLOCK_MONOTONIC elsewhere) and keeps every
 * step's time of every timed run. Reported per step: median and min in
 * nanoseconds, and the median over runs of the sum of all steps.
 *
 * --expect compares the output of the last run with a float32 .npy file
 * (max |difference|, index of the largest element of each).
 *
 *   lat --top1 SAMPLES.bin N
 * runs the network once on each of the N inputs stored one after another
 * in SAMPLES.bin (raw float32, NET_INPUT_SIZE each) and prints
 * {"top1": [...]}, the index of each output's largest element: how
 * scripts/bench compares a --float-layers int8 build with the float one.
 *
 * --threads N,M,... (net.c compiled by bnnc --threads, linked with
 * -pthread): every timed run is a round of net_run_parallel() calls, one
 * per thread count in the order given, each timed alone; the rounds
 * interleave the counts so that load from other processes falls on all of
 * them alike. Reported per count: median and min, and the ratio of the
 * first count's median to this count's ("threads_summary"); with
 * --samples also every run's time per count, in run order ("threads"). The outputs of every
 * count must equal the first's bit for bit (exit 1 otherwise). The
 * warm-up and the top-level median are those of the first count.
 */
#define _POSIX_C_SOURCE 200809L
#include "net.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <x86intrin.h>
#define BENCH_TSC 1
#else
#define BENCH_TSC 0
#endif

static double mono_s(void)
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

static double quantile(double *sorted, long n, double q)
{
    double pos = q * (double)(n - 1);
    long i = (long)pos;
    double f = pos - (double)i;
    if (i + 1 >= n)
        return sorted[n - 1];
    return sorted[i] * (1.0 - f) + sorted[i + 1] * f;
}

/* Reads a float32 C-order .npy file of exactly `count` elements. */
static int read_npy_f32(const char *path, float *dst, size_t count)
{
    unsigned char head[10];
    char *hdr;
    size_t hlen, got;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench_model: cannot open %s\n", path);
        return -1;
    }
    if (fread(head, 1, 10, f) != 10 || memcmp(head, "\x93NUMPY", 6) != 0) {
        fprintf(stderr, "bench_model: %s is not a .npy file\n", path);
        fclose(f);
        return -1;
    }
    if (head[6] == 1) {
        hlen = (size_t)head[8] | (size_t)head[9] << 8;
    } else {
        unsigned char b[2];
        if (fread(b, 1, 2, f) != 2) {
            fclose(f);
            return -1;
        }
        hlen = (size_t)head[8] | (size_t)head[9] << 8 | (size_t)b[0] << 16 |
               (size_t)b[1] << 24;
    }
    hdr = (char *)calloc(hlen + 1, 1);
    if (!hdr || fread(hdr, 1, hlen, f) != hlen) {
        free(hdr);
        fclose(f);
        return -1;
    }
    if (!strstr(hdr, "'<f4'") || strstr(hdr, "'fortran_order': True")) {
        fprintf(stderr, "bench_model: %s is not float32 C-order\n", path);
        free(hdr);
        fclose(f);
        return -1;
    }
    free(hdr);
    got = fread(dst, sizeof(float), count, f);
    if (got != count || fgetc(f) != EOF) {
        fprintf(stderr, "bench_model: %s does not hold %zu floats\n", path, count);
        fclose(f);
        return -1;
    }
    fclose(f);
    return 0;
}

/* ---- profile hook ------------------------------------------------------ */

#ifdef NET_PROFILE
#define MAX_STEPS 4096

static double g_ns_per_tick = 1.0;
static int g_nsteps;                  /* highest step number seen */
static const char *g_names[MAX_STEPS + 1];
static uint64_t g_row_scratch[MAX_STEPS + 1];
static uint64_t *g_row = g_row_scratch; /* where the current run's ticks go */

uint64_t net_profile_now(void);
void net_profile_hook(int step, const char *node, uint64_t ticks);

uint64_t net_profile_now(void)
{
#if BENCH_TSC
    return __rdtsc();
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

void net_profile_hook(int step, const char *node, uint64_t ticks)
{
    if (step < 1 || step > MAX_STEPS)
        return;
    if (step > g_nsteps)
        g_nsteps = step;
    g_names[step] = node;
    g_row[step] += ticks;
}

static void calibrate_ticks(void)
{
#if BENCH_TSC
    double t0 = mono_s(), t1;
    uint64_t c0 = __rdtsc(), c1;
    do
        t1 = mono_s();
    while (t1 - t0 < 0.1);
    c1 = __rdtsc();
    g_ns_per_tick = (t1 - t0) * 1e9 / (double)(c1 - c0);
#else
    g_ns_per_tick = 1.0;
#endif
}
#endif

/* ---- main -------------------------------------------------------------- */

#ifdef NET_PROFILE
static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        if ((unsigned char)*s < 0x20)
            printf("\\u%04x", (unsigned)*s);
        else
            putchar(*s);
    }
    putchar('"');
}
#endif

#define BENCH_MAX_COUNTS 8

/* One run on n threads (n = 0: net_run). */
static int run_net(const float *input, float *output, int n)
{
#ifdef NET_WORKER_SCRATCH_SIZE
    if (n > 0)
        return net_run_parallel(input, output, n);
#else
    (void)n;
#endif
    return net_run(input, output);
}

/* --top1: the index of the largest output of every sample of path. */
static int top1_run(const char *path, long n, float *input, float *output)
{
    FILE *f = fopen(path, "rb");
    long s;
    if (!f || n < 1)
        return 2;
    printf("{\"top1\": [");
    for (s = 0; s < n; s++) {
        size_t j, best = 0;
        if (fread(input, sizeof(float), NET_INPUT_SIZE, f) != NET_INPUT_SIZE ||
            net_run(input, output)) {
            fclose(f);
            return 1;
        }
        for (j = 1; j < NET_OUTPUT_SIZE; j++)
            if (output[j] > output[best])
                best = j;
        printf("%s%lu", s ? ", " : "", (unsigned long)best);
    }
    printf("]}\n");
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    static float input[NET_INPUT_SIZE], output[NET_OUTPUT_SIZE], first[NET_OUTPUT_SIZE];
    int counts[BENCH_MAX_COUNTS] = {0}, ncounts = 1, k;
    double *ctimes[BENCH_MAX_COUNTS] = {NULL};
    const char *in_path = NULL, *expect_path = NULL;
    double warmup = 0.5, min_time = 1.0, t0, est, *times;
    long min_reps = 21, max_reps = 2001, reps, warm_runs = 0, r;
    int i, rc, samples = 0;
    if (argc == 4 && !strcmp(argv[1], "--top1"))
        return top1_run(argv[2], atol(argv[3]), input, output);
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--expect") && i + 1 < argc)
            expect_path = argv[++i];
        else if (!strcmp(argv[i], "--warmup") && i + 1 < argc)
            warmup = atof(argv[++i]);
        else if (!strcmp(argv[i], "--min-time") && i + 1 < argc)
            min_time = atof(argv[++i]);
        else if (!strcmp(argv[i], "--min-reps") && i + 1 < argc)
            min_reps = atol(argv[++i]);
        else if (!strcmp(argv[i], "--max-reps") && i + 1 < argc)
            max_reps = atol(argv[++i]);
        else if (!strcmp(argv[i], "--samples"))
            samples = 1;
#ifdef NET_WORKER_SCRATCH_SIZE
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            char *e = argv[++i];
            for (ncounts = 0; ncounts < BENCH_MAX_COUNTS && *e;) {
                long n = strtol(e, &e, 10);
                if (n < 1 || n > 64 || (*e && *e != ','))
                    return 2;
                counts[ncounts++] = (int)n;
                if (*e == ',')
                    e++;
            }
        }
#endif
        else if (argv[i][0] != '-' && !in_path)
            in_path = argv[i];
        else {
            fprintf(stderr, "usage: %s INPUT.npy [--expect OUTPUT.npy] [--warmup S] "
                            "[--min-time S] [--min-reps N] [--max-reps N] [--samples] "
                            "[--threads N,M,...]\n",
                    argv[0]);
            return 2;
        }
    }
    if (!in_path || read_npy_f32(in_path, input, NET_INPUT_SIZE) != 0)
        return 2;
    if (min_reps < 1)
        min_reps = 1;
    if (max_reps < min_reps)
        max_reps = min_reps;

#ifdef NET_PROFILE
    calibrate_ticks();
#endif
    /* Warm-up (also sizes the profile table: the first run sees every step). */
    t0 = mono_s();
    do {
        if ((rc = run_net(input, output, counts[0])) != 0) {
            fprintf(stderr, "bench_model: net_run returned %d\n", rc);
            return 1;
        }
        warm_runs++;
    } while (warm_runs < 3 || mono_s() - t0 < warmup);
    est = (mono_s() - t0) / (double)warm_runs;
    reps = est > 0.0 ? (long)(min_time / est) : max_reps;
    if (reps < min_reps)
        reps = min_reps;
    if (reps > max_reps)
        reps = max_reps;

    times = (double *)malloc((size_t)reps * sizeof(double));
#ifdef NET_PROFILE
    uint64_t *ticks = (uint64_t *)calloc((size_t)reps * (size_t)(g_nsteps + 1), sizeof(uint64_t));
    if (!ticks) {
        fprintf(stderr, "bench_model: out of memory\n");
        return 1;
    }
#endif
    if (!times)
        return 1;
    for (k = 1; k < ncounts; k++)
        if (!(ctimes[k] = (double *)malloc((size_t)reps * sizeof(double))))
            return 1;
    ctimes[0] = times;
    memcpy(first, output, sizeof first);
    for (r = 0; r < reps; r++) {
        for (k = 0; k < ncounts; k++) {
            double s;
#ifdef NET_PROFILE
            g_row = ticks + (size_t)r * (size_t)(g_nsteps + 1);
#endif
            s = mono_s();
            run_net(input, output, counts[k]);
            ctimes[k][r] = mono_s() - s;
            if (k && memcmp(output, first, sizeof first)) {
                fprintf(stderr, "bench_model: %d threads: outputs differ from %d threads\n",
                        counts[k], counts[0]);
                return 1;
            }
        }
    }

    printf("{\"reps\": %ld, \"warmup_runs\": %ld", reps, warm_runs);
#ifdef NET_PROFILE
    {
        double *col = (double *)malloc((size_t)reps * sizeof(double));
        double *sums = (double *)calloc((size_t)reps, sizeof(double));
        int s;
        if (!col || !sums)
            return 1;
        printf(", \"ns_per_tick\": %.9g, \"steps\": [", g_ns_per_tick);
        for (s = 1; s <= g_nsteps; s++) {
            for (r = 0; r < reps; r++) {
                col[r] = (double)ticks[(size_t)r * (size_t)(g_nsteps + 1) + (size_t)s] *
                         g_ns_per_tick;
                sums[r] += col[r];
            }
            qsort(col, (size_t)reps, sizeof(double), cmp_double);
            printf("%s{\"step\": %d, \"node\": ", s > 1 ? ", " : "", s);
            json_str(g_names[s] ? g_names[s] : "");
            printf(", \"median_ns\": %.1f, \"min_ns\": %.1f}", quantile(col, reps, 0.5), col[0]);
        }
        qsort(sums, (size_t)reps, sizeof(double), cmp_double);
        printf("], \"steps_sum_median_ns\": %.1f", quantile(sums, reps, 0.5));
        free(col);
        free(sums);
        free(ticks);
    }
#endif
    if (samples) {
        printf(", \"times_ms\": [");
        for (r = 0; r < reps; r++)
            printf("%s%.6f", r ? ", " : "", times[r] * 1e3);
        printf("]");
    }
    if (counts[0] > 0) {
        double m0 = 0.0;
        if (samples) {
            printf(", \"threads\": [");
            for (k = 0; k < ncounts; k++) {
                printf("%s{\"threads\": %d, \"times_ms\": [", k ? ", " : "", counts[k]);
                for (r = 0; r < reps; r++)
                    printf("%s%.6f", r ? ", " : "", ctimes[k][r] * 1e3);
                printf("]}");
            }
            printf("]");
        }
        printf(", \"threads_summary\": [");
        for (k = 0; k < ncounts; k++) {
            double m;
            qsort(ctimes[k], (size_t)reps, sizeof(double), cmp_double);
            m = quantile(ctimes[k], reps, 0.5);
            if (!k)
                m0 = m;
            printf("%s{\"threads\": %d, \"median_ms\": %.6f, \"min_ms\": %.6f, "
                   "\"speedup\": %.4f}",
                   k ? ", " : "", counts[k], m * 1e3, ctimes[k][0] * 1e3, m > 0 ? m0 / m : 0.0);
        }
        printf("]");
    }
    for (k = 1; k < ncounts; k++)
        free(ctimes[k]);
    qsort(times, (size_t)reps, sizeof(double), cmp_double);
    printf(", \"median_ms\": %.6f, \"min_ms\": %.6f, \"p10_ms\": %.6f, \"p90_ms\": %.6f",
           quantile(times, reps, 0.5) * 1e3, times[0] * 1e3, quantile(times, reps, 0.1) * 1e3,
           quantile(times, reps, 0.9) * 1e3);
    if (expect_path) {
        static float expect[NET_OUTPUT_SIZE];
        double maxd = 0.0;
        unsigned j, top_e = 0, top_o = 0;
        if (read_npy_f32(expect_path, expect, NET_OUTPUT_SIZE) != 0)
            return 2;
        for (j = 0; j < NET_OUTPUT_SIZE; j++) {
            double d = fabs((double)output[j] - (double)expect[j]);
            if (!(d <= maxd))
                maxd = d;
            if (expect[j] > expect[top_e])
                top_e = j;
            if (output[j] > output[top_o])
                top_o = j;
        }
        printf(", \"max_abs_diff\": %.6g, \"top1_expected\": %u, \"top1\": %u", maxd, top_e, top_o);
    }
    printf("}\n");
    free(times);
    return 0;
}
