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
    int tol_given;           /* --atol or --rtol was given */
    double min_top1;         /* --float-layers int8: the least top-1
                                agreement (percent) that passes */
} verify_options;

/* With o->float_layers_int8 the outputs are compared as usual, but only
 * the top-1 agreement (at least v->min_top1 percent) and, when given,
 * --atol/--rtol decide: the int8 layers' deviation is reported, not
 * held to float32's tolerance.
 * Returns 0 when every output is within tolerance, 1 when some are not
 * (message in err), -1 on any other failure (message in err). Prints the
 * comparison summary and the first mismatches to stdout, and with
 * profile_runs the per-step profile (median over the runs). */
int verify_run(const bnnc_options *o, const verify_options *v, bnnc_err *err);

/* Builds dir/main.c and dir/net.c with the host compiler cc ($CC or cc
 * when NULL) and flags (split at blanks, no shell) into dir/net and runs
 * it with args (NULL-terminated, at most 14). Returns 0, or -1 with a
 * message when the build or the run fails. */
int verify_host_program(const char *dir, const char *cc, const char *flags,
                        const char *const *args, bnnc_err *err);

/* Removes a directory verify_host_program (or verify) built in. */
void verify_remove_dir(const char *dir);

#endif
