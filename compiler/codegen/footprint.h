/*
 * footprint.h - flash and stack estimates of a generated model on a
 * chosen core (bnnc compile --report --target), from per-kernel sizes
 * measured on real builds (footprint_table.h, scripts/footprint).
 */
#ifndef BNNC_CODEGEN_FOOTPRINT_H
#define BNNC_CODEGEN_FOOTPRINT_H

#include <stddef.h>

#include "../ir/lir.h"

typedef struct {
    size_t code;   /* flash: generated code, kernels, library functions */
    size_t stack;  /* deepest stack of <prefix>_run */
} footprint_estimate;

/* Estimate for target (e.g. "cortex-m4"), for the program built
 * --standalone at -Os. Returns 0, or -1 when the target is unknown. */
int footprint_estimate_for(const lir_program *p, const char *target, footprint_estimate *e);

/* The targets known, comma-separated. */
const char *footprint_target_list(void);

/* 0 when target has no single-precision fused multiply-add instruction
 * (a fused order is then computed in software). */
int footprint_target_has_fma(const char *target);

#endif
