/*
 * frontends.h - the model formats bnnc reads, one row each (frontends.c).
 *
 * A frontend turns model files into the IR (frontend/<format>/); its row
 * says how many file arguments it takes and whether a file is its format.
 * The import pass runs the frontend the model's files select.
 */
#ifndef BNNC_DRIVER_FRONTENDS_H
#define BNNC_DRIVER_FRONTENDS_H

#include "../ir/ir.h"
#include "../util/err.h"
#include "pipeline.h"

typedef struct {
    const char *name;   /* "mxnet" */
    const char *usage;  /* the file arguments, for the usage text */
    int n_files;        /* file arguments it takes: 1 or 2 */
    /* 1 when the file(s) look like this format (a magic number, an
     * extension); a frontend taking two files may leave it NULL */
    int (*claims)(const char *first_path);
    int (*import)(const bnnc_options *o, ir_graph *g, bnnc_err *err);
} bnnc_frontend;

/* The frontend for o's model files (o->params_path is empty for formats
 * of one file), or NULL with an error naming the file. */
const bnnc_frontend *bnnc_frontend_for(const bnnc_options *o, bnnc_err *err);

/* Every frontend, in the order they are tried. */
const bnnc_frontend *bnnc_frontends(int *count);

#endif
