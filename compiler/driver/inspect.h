/*
 * inspect.h - the per-layer report of `bnnc inspect`.
 */
#ifndef BNNC_DRIVER_INSPECT_H
#define BNNC_DRIVER_INSPECT_H

#include <stdio.h>

#include "../ir/ir.h"

/* Print the layer table and totals (text), or the JSON document
 * {"layers": [...], "totals": {...}, "binary_outputs": [...]} when json is
 * set. `folded` (may be NULL) is the same model after fold_thresholds: it
 * adds, per binary layer, what its output became (bits through integer
 * thresholds, or floats through a per-channel multiply-add), the
 * BatchNorm/scale nodes folded into it, constant channels and near ties. */
void inspect_print(const ir_graph *g, const ir_graph *folded, int json, FILE *out);

#endif
