/*
 * import.h - build the IR from an MXNet symbol and its parameters.
 *
 * Every JSON node becomes one IR node (variables become INPUT or CONST
 * nodes) with its attributes parsed, defaults applied (mxnet-format.md
 * section 4), spellings of all MXNet versions mapped to one op, and
 * parameters bound by name ("arg:"/"aux:" stripped). Aux variables that
 * <= 0.8 files omit are synthesised. Unknown ops, unknown attribute
 * values, missing parameters and (unless allowed) unused parameters are
 * errors naming the file and node.
 */
#ifndef BNNC_FRONTEND_MXNET_IMPORT_H
#define BNNC_FRONTEND_MXNET_IMPORT_H

#include "../../ir/ir.h"
#include "params.h"
#include "symbol.h"

typedef struct {
    int allow_extra_params; /* unused params are a warning, not an error */
} import_options;

/* Read both files and import. */
int import_files(const char *symbol_path, const char *params_path,
                 const import_options *opt, ir_graph *g, bnnc_err *err);

/* Import an already parsed symbol and params; consumes *params (the
 * arrays constants use move into the graph; the rest is freed). On error
 * g is freed (both functions). */
int import_graph(const mx_symbol *sym, mx_params *params,
                 const import_options *opt, ir_graph *g, bnnc_err *err);

#endif
