/*
 * inspect.h - the per-layer report of `bnnc inspect`.
 */
#ifndef BNNC_DRIVER_INSPECT_H
#define BNNC_DRIVER_INSPECT_H

#include <stdio.h>

#include "../ir/ir.h"

/* Print the layer table and totals (text), or the JSON document
 * {"layers": [...], "totals": {...}} when json is set. */
void inspect_print(const ir_graph *g, int json, FILE *out);

#endif
