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

typedef struct {
    const char *symbol_path;
    const char *params_path;
    bnnc_input inputs[BNNC_MAX_INPUTS];
    int n_inputs;
    int allow_extra_params;
    int input_u8;           /* --input-type u8 */
    float mean[64], std[64];/* --mean / --std (per channel or one value) */
    int n_mean, n_std;
    const char *dump_after; /* pass name, "all", or NULL */
    FILE *dump_file;        /* where --dump-after writes (stderr if NULL) */
} bnnc_options;

/* Read the model and run the frontend passes (import, legalize, shapes,
 * fold_constants, binarize). On error g is freed. */
int compile_frontend(const bnnc_options *o, ir_graph *g, bnnc_err *err);

/* The frontend passes after import (legalize .. binarize) on an imported
 * graph. On error g is freed. */
int compile_frontend_passes(const bnnc_options *o, ir_graph *g, bnnc_err *err);

/* The whole compiler up to code generation: frontend, fold_thresholds,
 * lower and plan. On error g and p are freed. */
int compile_model(const bnnc_options *o, ir_graph *g, lir_program *p,
                  bnnc_err *err);

/* compile_model on a graph already imported (from memory, by the fuzzer
 * or a frontend of another format). On error g and p are freed. */
int compile_imported(const bnnc_options *o, ir_graph *g, lir_program *p, bnnc_err *err);

/* The passes after the frontend (fold_thresholds .. plan). On error g and
 * p are freed. */
int compile_backend(const bnnc_options *o, ir_graph *g, lir_program *p, bnnc_err *err);

/* Names of the passes, in order, NULL-terminated (for --dump-after). */
extern const char *const bnnc_pass_names[];

#endif
