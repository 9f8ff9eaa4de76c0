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
 * `plan` (may be NULL) adds the memory plan to the JSON document as
 * "plan": {"arena_bytes", "lower_bound", "ratio", "buffers": [...],
 * "steps": [...]}. */
void inspect_print(const ir_graph *g, const ir_graph *folded, int json,
                   const lir_program *plan, FILE *out);

#endif
