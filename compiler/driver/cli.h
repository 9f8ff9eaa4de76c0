/*
 * cli.h - command-line parsing shared by the bnnc subcommands.
 */
#ifndef BNNC_DRIVER_CLI_H
#define BNNC_DRIVER_CLI_H

#include "../util/err.h"
#include "pipeline.h"

/* Parse "NAME=N,C,H,W" (also "NAME=(1, 3, 8, 8)"; a missing "NAME=" means
 * "data") into in. */
int cli_parse_input(const char *arg, bnnc_input *in, bnnc_err *err);

/* Resolve the model arguments: either SYMBOL PARAMS, or PREFIX EPOCH
 * (PREFIX-symbol.json and PREFIX-%04d.params), or one model file (b NULL:
 * params is left empty). The paths are written to sym/params (buffers of
 * size bytes). SYMBOL PARAMS whose first bytes say they are the other kind
 * of file (given in swapped order) are refused. */
int cli_model_paths(const char *a, const char *b, char *sym, char *params,
                    size_t size, bnnc_err *err);

#endif
