/*
 * verify.h - `bnnc verify`: generated code against recorded outputs.
 */
#ifndef BNNC_DRIVER_VERIFY_H
#define BNNC_DRIVER_VERIFY_H

#include "pipeline.h"

/* The flags verify builds the generated code with when --cflags is not
 * given: by default those of scripts/bench (the host's SIMD kernels);
 * --portable: the portable C kernels whatever the host. */
#define VERIFY_WARNINGS "-Wall -Wextra -Wpedantic -Werror"
#define VERIFY_CFLAGS_NATIVE "-O3 -march=native " VERIFY_WARNINGS
#define VERIFY_CFLAGS_PORTABLE "-O2 -DBNN_FORCE_PORTABLE=1 " VERIFY_WARNINGS

typedef struct {
    const char *in_paths[16];/* input .npy files (NCHW, as MXNet takes them),
                                one per data input in graph order */
    int n_in;
    const char *expect_path; /* expected output .npy */
    const char *cc;          /* compiler command (default $CC or cc) */
    const char *cflags;      /* default: VERIFY_CFLAGS_NATIVE, or with
                                portable VERIFY_CFLAGS_PORTABLE */
    int portable;            /* without cflags: build the portable kernels */
    const char *keep_dir;    /* build here and keep the files */
    double atol, rtol;       /* |got - expected| <= atol + rtol*|expected| */
    int profile_runs;        /* > 0: also time every step over that many
                                runs of a -DNET_PROFILE build */
    int keep_denormals;      /* --denormals keep (compile uses it too) */
    int threads;             /* > 1: compile with --threads and also run
                                net_run_parallel on 1 to that many threads;
                                each output must equal net_run's bit for bit */
} verify_options;

/* Returns 0 when every output is within tolerance, 1 when some are not
 * (message in err), -1 on any other failure (message in err). Prints the
 * comparison summary and the first mismatches to stdout, and with
 * profile_runs the per-step profile (median over the runs). */
int verify_run(const bnnc_options *o, const verify_options *v, bnnc_err *err);

#endif
