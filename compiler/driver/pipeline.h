/*
 * pipeline.h - the compiler's pass pipeline and its options.
 */
#ifndef BNNC_DRIVER_PIPELINE_H
#define BNNC_DRIVER_PIPELINE_H

#include <stdio.h>

#include "../ir/ir.h"
#include "../ir/lir.h"
#include "../passes/passes.h"

#define BNNC_MAX_INPUTS 16

typedef struct bnnc_options bnnc_options;

struct bnnc_options {
    const char *symbol_path;
    const char *params_path;
    bnnc_input inputs[BNNC_MAX_INPUTS];
    int n_inputs;
    int allow_extra_params;
    int input_u8;           /* --input-type u8 */
    float mean[64], std[64];/* --mean / --std (per channel or one value) */
    int n_mean, n_std;
    const char *dump_after; /* pass name, "all", or NULL */
    const char *stop_after; /* pass name, or NULL: run every pass */
    FILE *dump_file;        /* where --dump-after writes (stderr if NULL) */
    int float_layers_int8;  /* --float-layers int8 (quantize_float.c) */
    int separate_sums;      /* --fma off (lower_options) */
    const char *calibrate_path; /* --calibrate X.npy: samples for the int8 ranges */
    const char *cc;         /* host C compiler of the calibration run (NULL: $CC
                               or cc) */
    /* --float-layers int8: measures the ranges quantize_float needs
     * (calibrate_ranges, calibrate.h; the command line sets it, so that
     * the pipeline does not depend on the host build) */
    int (*calibrate)(const bnnc_options *o, const ir_graph *g, quant_range **ranges,
                     int *n_ranges, bnnc_err *err);
};

/* Where a pass works: the graph, or the lowered program (lower makes the
 * program from the graph). */
typedef enum { PASS_IR, PASS_PROGRAM } pass_level;

typedef struct compile_state compile_state;

/* One row of the pipeline (pipeline.c). */
typedef struct {
    const char *name;
    pass_level level;
    const char *summary;  /* one line, for the usage text and the docs */
    int (*run)(compile_state *s, bnnc_err *err);
} bnnc_pass;

/* The passes in order, ending with a row whose name is NULL. */
extern const bnnc_pass bnnc_passes[];
/* Index of the pass called name in bnnc_passes, or -1. */
int bnnc_pass_index(const char *name);

struct compile_state {
    const bnnc_options *o;
    ir_graph *g;
    lir_program *p;
    /* called after every pass (and its checks and dump), e.g. for inspect
     * to keep what it reports from the point it reports it */
    void (*hook)(compile_state *s, const char *pass);
    void *user;
    int stopped;  /* compile_run ended early at o->stop_after */
};

/* Run the passes from `first` to `last` (names) on s->g and s->p, or up
 * to o->stop_after when it comes first. On error the graph and the
 * program are freed. */
int compile_run(compile_state *s, const char *first, const char *last, bnnc_err *err);

/* import .. binarize: read the model, as inspect describes it. */
int compile_frontend(const bnnc_options *o, ir_graph *g, bnnc_err *err);

/* Every pass, import .. plan: what code generation needs. */
int compile_model(const bnnc_options *o, ir_graph *g, lir_program *p, bnnc_err *err);

/* legalize .. plan on a graph a caller imported itself (from memory). */
int compile_imported(const bnnc_options *o, ir_graph *g, lir_program *p, bnnc_err *err);

#endif
