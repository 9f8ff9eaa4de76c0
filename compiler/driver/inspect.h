/*
 * inspect.h - the per-layer report of `bnnc inspect`.
 */
#ifndef BNNC_DRIVER_INSPECT_H
#define BNNC_DRIVER_INSPECT_H

#include <stdio.h>

#include "../ir/ir.h"
#include "../ir/lir.h"

/* Print the layer table and totals (text), or the JSON document
 * {"layers": [...], "totals": {...}, "binary_outputs": [...]} when json is
 * set. `folded` (may be NULL) is the same model after fold_thresholds: it
 * adds, per binary layer, what its output became (bits through integer
 * thresholds, or floats through a per-channel multiply-add), the
 * BatchNorm/scale nodes folded into it, constant channels and near ties.
 * `cg` (may be NULL) says whether `bnnc compile` accepts the model: a
 * last text line, or "compile": {"supported", ...} in the JSON, plus the
 * memory plan as "plan": {"arena_bytes", "lower_bound", "ratio",
 * "buffers": [...], "steps": [...]} when cg->with_plan. */
typedef struct {
    const lir_program *program; /* compiled program; NULL: compile rejects */
    const char *error;          /* why compile rejects the model */
    int with_plan;              /* JSON: add the "plan" object */
} inspect_codegen;

void inspect_print(const ir_graph *g, const ir_graph *folded, int json,
                   const inspect_codegen *cg, FILE *out);

#endif
