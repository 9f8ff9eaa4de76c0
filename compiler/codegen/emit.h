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

/* How the constants are written (--weights):
 *   ARRAY   static const arrays, one hex or decimal literal per element:
 *           readable, but C compilers need ~50x the bytes in memory
 *   STRING  one string literal per constant in a union with its typed
 *           array: C compilers need ~10x the bytes
 *   BLOB    all constants in <file>.c.bin, pulled in by the assembler
 *           (.incbin) or provided by the user: the C file stays small
 *   AUTO    ARRAY up to EMIT_ARRAY_MAX_BYTES of constants, STRING up to
 *           EMIT_STRING_MAX_BYTES, BLOB above */
typedef enum {
    EMIT_WEIGHTS_AUTO,
    EMIT_WEIGHTS_ARRAY,
    EMIT_WEIGHTS_STRING,
    EMIT_WEIGHTS_BLOB
} emit_weights;
#define EMIT_ARRAY_MAX_BYTES ((size_t)1 << 20)
#define EMIT_STRING_MAX_BYTES ((size_t)16 << 20)

typedef struct {
    const char *prefix;       /* symbol prefix, a C identifier */
    const char *c_path;       /* output .c file */
    const char *h_path;       /* output .h file */
    const char *command_line; /* for the provenance header */
    const char *symbol_path, *params_path;
    /* SHA-256 of the model files for the provenance; NULL: read the files
     * (a caller compiling from memory passes its own) */
    const char *symbol_sha256, *params_sha256;
    int standalone;           /* inline the runtime kernels used */
    /* 0 (--denormals flush, the default): the run sets flush-to-zero and
     * denormals-are-zero and restores the caller's mode; 1 (keep): it
     * leaves the mode alone. A macro in the generated file overrides it. */
    int keep_denormals;
    /* 1 (--threads): also <prefix>_run_parallel, which divides every step
     * among worker threads (pthreads unless <PREFIX>_NO_THREADS) */
    int threads;
    emit_weights weights;     /* how constants are stored (AUTO: by size) */
    const char *m4;           /* m4 program (default "m4" or $BNNC_M4) */
} emit_options;

/* Write the files. Returns 0, or -1 with a message (I/O, m4 failure). */
int emit_program(const ir_graph *g, const lir_program *p, const emit_options *o,
                 bnnc_err *err);

/* The storage `asked` resolves to for program p (AUTO: by size). */
emit_weights emit_weights_for(const lir_program *p, emit_weights asked);

/* Bytes of constant data the program stores (weights, thresholds...). */
size_t emit_const_bytes(const lir_program *p);

#endif
