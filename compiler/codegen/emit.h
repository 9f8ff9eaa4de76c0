/*
 * emit.h - code generation: the planned program as <prefix>.c and
 * <prefix>.h, through the m4 templates of codegen_templates/.
 */
#ifndef BNNC_CODEGEN_EMIT_H
#define BNNC_CODEGEN_EMIT_H

#include "../ir/ir.h"
#include "../ir/lir.h"

/* Longest symbol prefix: every generated name (prefix + suffix) stays
 * well inside the buffers that build it and the 63 significant initial
 * characters C99 guarantees for internal identifiers. */
#define EMIT_MAX_PREFIX 40

typedef struct {
    const char *prefix;       /* symbol prefix, a C identifier */
    const char *c_path;       /* output .c file */
    const char *h_path;       /* output .h file */
    const char *command_line; /* for the provenance header */
    const char *symbol_path, *params_path;
    int standalone;           /* inline the runtime kernels used */
    const char *m4;           /* m4 program (default "m4" or $BNNC_M4) */
} emit_options;

/* Write the files. Returns 0, or -1 with a message (I/O, m4 failure). */
int emit_program(const ir_graph *g, const lir_program *p, const emit_options *o,
                 bnnc_err *err);

/* Bytes of constant data the program stores (weights, thresholds...). */
size_t emit_const_bytes(const lir_program *p);

#endif
