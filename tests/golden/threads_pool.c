/*
 * threads_pool.c - the worker pool of a generated --threads file
 * (check-threads-pool.sh builds it with net.c, prefix net).
 *
 * Every parallel run's outputs must equal net_run's bit for bit. In order:
 *   1. net_threads_init(N) gives N workers and starts N - 1 threads (on
 *      Linux, counted in /proc/self/task against those before it); runs
 *      on 1..N and N..1 threads, many times, start no other thread;
 *   2. an idle pool sleeps: over 300 ms the process uses less than 30 ms
 *      of processor time (a pool thread polling would use all of it);
 *   3. two application threads making parallel runs at the same time, each
 *      with its own arena and scratch, get net_run's outputs (the runs are
 *      made one after the other);
 *   4. with FAIL_STEP (net.c built with
 *      -Dbnn_dense_f32_part=pool_dense_f32_part, FAIL_STEP the number of
 *      that step): a step failing in worker 0, in the last worker, or in
 *      all of them fails the run with that step's number on 2..N threads,
 *      and the next run succeeds;
 *   5. net_threads_shutdown joins the threads (twice is harmless); runs
 *      after it start the pool again, as does net_threads_init.
 * Built with -DNET_NO_THREADS: no thread is ever started, init gives 1.
 * Built with -DNET_PROFILE -DNET_PROFILE_USER_HOOK: also 6. a parallel
 * run on N threads calls the profile hook once per step, in order, from
 * the calling thread only.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __linux__
#include <dirent.h>
#endif

#include "net.h"

#ifdef NET_PROFILE
/* the hook's calls: steps in call order, and calls from another thread */
static int hook_steps[4 * NET_STEPS + 8], hook_calls, hook_foreign;
static pthread_t hook_owner;
uint64_t net_profile_now(void);
void net_profile_hook(int step, const char *node, uint64_t ticks);
uint64_t net_profile_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
void net_profile_hook(int step, const char *node, uint64_t ticks)
{
    (void)node;
    (void)ticks;
    if (!pthread_equal(pthread_self(), hook_owner))
        hook_foreign++;
    if (hook_calls < (int)(sizeof hook_steps / sizeof hook_steps[0]))
        hook_steps[hook_calls] = step;
    hook_calls++;
}
#endif

#ifndef N
#define N 4
#endif
#ifdef NET_NO_THREADS
#define POOL_THREADS(n) 0
#else
#define POOL_THREADS(n) ((n) - 1)
#endif

static net_input_t in[NET_INPUT_SIZE];
static net_output_t want[NET_OUTPUT_SIZE];
static int failures;

#define CHECK(cond, ...) \
    do { \
        if (!(cond)) { \
            printf("FAIL (line %d): ", __LINE__); \
            printf(__VA_ARGS__); \
            printf("\n"); \
            failures++; \
        } \
    } while (0)

#ifdef FAIL_STEP
#include "bnn.h"
#include "bnn_part.h"
bnn_status pool_dense_f32_part(const bnn_dense_params *p, const float *x, float *y,
                               int32_t part, int32_t nparts);
/* the part that fails: -1 none, -2 every part */
static int fail_part = -1;
bnn_status pool_dense_f32_part(const bnn_dense_params *p, const float *x, float *y,
                               int32_t part, int32_t nparts)
{
    if (fail_part == -2 || fail_part == part)
        return BNN_ARG_ERROR;
    return bnn_dense_f32_part(p, x, y, part, nparts);
}
#endif

/* Threads of this process, or -1 where they cannot be counted. */
static int threads_now(void)
{
#ifdef __linux__
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
#else
    return -1;
#endif
}

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* One parallel run on n threads, compared with net_run's outputs. */
static void run_check(int n, const char *what)
{
    static net_output_t out[NET_OUTPUT_SIZE];
    int rc;
    memset(out, 0xff, sizeof out);
    rc = net_run_parallel(in, out, n);
    CHECK(rc == 0, "%s: net_run_parallel on %d threads returned %d", what, n, rc);
    CHECK(!memcmp(out, want, sizeof out), "%s: %d threads: outputs differ from net_run's",
          what, n);
}

/* Threads before any parallel run (the main one, and a sanitizer's own). */
static int base_threads;

static void expect_threads(int pool_threads, const char *what)
{
    int t = threads_now();
    if (t >= 0 && base_threads >= 0)
        CHECK(t == base_threads + pool_threads, "%s: %d pool threads, expected %d", what,
              t - base_threads, pool_threads);
}

static void *idle_thread(void *arg)
{
    return arg;
}

/* 3: an application thread's parallel runs with its own memory. */
typedef struct {
    int n, rc, same;
} caller_job;

static void *caller(void *arg)
{
    caller_job *j = (caller_job *)arg;
    void *arena = NULL, *scratch = NULL;
    net_output_t *out = (net_output_t *)malloc(sizeof want);
    int r;
    j->rc = -100;
    j->same = 1;
    if (!out || posix_memalign(&arena, 64, NET_ARENA_SIZE) ||
        posix_memalign(&scratch, 64, (size_t)(N - 1) * NET_WORKER_SCRATCH_SIZE + 64)) {
        free(out);
        free(arena);
        return NULL;
    }
    for (r = 0; r < 10; r++) {
        memset(out, 0xff, sizeof want);
        j->rc = net_run_parallel_with_arena(in, out, arena, j->n, scratch);
        if (j->rc)
            break;
        if (memcmp(out, want, sizeof want))
            j->same = 0;
    }
    free(out);
    free(arena);
    free(scratch);
    return NULL;
}

int main(void)
{
    size_t i;
    int n, r, got;
    for (i = 0; i < NET_INPUT_SIZE; i++)
        in[i] = (net_input_t)((int)(i * 37u % 17u) - 8);
    CHECK(net_run(in, want) == 0, "net_run failed");
    {
        /* ThreadSanitizer starts a thread of its own with the first
         * pthread_create: count it in the base */
        pthread_t t0;
        CHECK(!pthread_create(&t0, NULL, idle_thread, NULL), "pthread_create");
        pthread_join(t0, NULL);
    }
    base_threads = threads_now();

    /* 1 */
    got = net_threads_init(N);
    CHECK(got == POOL_THREADS(N) + 1, "net_threads_init(%d) gave %d workers", N, got);
    expect_threads(POOL_THREADS(N), "after net_threads_init");
    for (r = 0; r < 5; r++)
        for (n = 1; n <= 2 * N; n++)
            run_check(n <= N ? n : 2 * N + 1 - n, "repeated runs");
    expect_threads(POOL_THREADS(N), "after 40 runs");
    got = net_threads_init(2);
    CHECK(got == POOL_THREADS(2) + 1, "net_threads_init(2) on a pool of %d gave %d", N, got);
    expect_threads(POOL_THREADS(N), "after a second net_threads_init");

    /* 2 */
    {
        struct timespec pause = {0, 300000000L};
        double c0 = cpu_seconds(), used;
        nanosleep(&pause, NULL);
        used = cpu_seconds() - c0;
        printf("idle pool of %d threads: %.2f ms of processor time in 300 ms\n",
               POOL_THREADS(N), used * 1e3);
        CHECK(used < 0.030, "the idle pool used %.1f ms of processor time in 300 ms",
              used * 1e3);
    }

    /* 3 */
    {
        pthread_t t[2];
        caller_job j[2] = {{N, 0, 0}, {2, 0, 0}};
        for (r = 0; r < 2; r++)
            CHECK(!pthread_create(&t[r], NULL, caller, &j[r]), "pthread_create");
        for (r = 0; r < 2; r++) {
            pthread_join(t[r], NULL);
            CHECK(j[r].rc == 0 && j[r].same,
                  "concurrent caller %d (%d threads): rc %d, outputs %s", r, j[r].n, j[r].rc,
                  j[r].same ? "equal" : "differ");
        }
    }

#ifdef FAIL_STEP
    /* 4 */
    {
        static net_output_t out[NET_OUTPUT_SIZE];
        const int parts[3] = {0, -3, -2}; /* worker 0, the last worker, all */
        int k;
        for (n = 2; n <= N; n++) /* 1 thread: net_run, which calls bnn_dense_f32 */
            for (k = 0; k < 3; k++) {
                fail_part = parts[k] == -3 ? n - 1 : parts[k];
                r = net_run_parallel(in, out, n);
                fail_part = -1;
                CHECK(r == FAIL_STEP, "%d threads, part %d failing: run returned %d, not %d",
                      n, parts[k] == -3 ? n - 1 : parts[k], r, FAIL_STEP);
                run_check(n, "the run after a failed one");
            }
    }
#endif

#ifdef NET_PROFILE
    /* 6 */
    {
        static net_output_t out[NET_OUTPUT_SIZE];
        int s;
        hook_owner = pthread_self();
        hook_calls = hook_foreign = 0;
        CHECK(net_run_parallel(in, out, N) == 0, "profiled parallel run failed");
        CHECK(hook_calls == (int)NET_STEPS && !hook_foreign,
              "profiled run on %d threads: %d hook calls for %d steps, %d from pool threads",
              N, hook_calls, (int)NET_STEPS, hook_foreign);
        for (s = 0; s < hook_calls && s < (int)NET_STEPS; s++)
            CHECK(hook_steps[s] == s + 1, "hook call %d was for step %d", s, hook_steps[s]);
    }
#endif

    /* 5 */
    net_threads_shutdown();
    expect_threads(0, "after net_threads_shutdown");
    net_threads_shutdown();
    run_check(3, "after shutdown");
    expect_threads(POOL_THREADS(3), "a run on 3 threads after shutdown");
    run_check(N, "after shutdown");
    expect_threads(POOL_THREADS(N), "a run on N threads after shutdown");
    net_threads_shutdown();
    got = net_threads_init(2);
    CHECK(got == POOL_THREADS(2) + 1, "net_threads_init(2) after shutdown gave %d", got);
    expect_threads(POOL_THREADS(2), "net_threads_init(2) after shutdown");
    run_check(2, "after init");
    run_check(N, "after init, more threads");
    net_threads_shutdown();
    expect_threads(0, "at the end");

    if (failures) {
        printf("%d checks failed\n", failures);
        return 1;
    }
    printf("worker pool: every parallel run equal to net_run bit for bit\n");
    return 0;
}
