/*
 * calibrate.h - activation ranges for --float-layers int8 (calibrate.c).
 */
#ifndef BNNC_DRIVER_CALIBRATE_H
#define BNNC_DRIVER_CALIBRATE_H

#include "pipeline.h"

/* Run the float network g (after fold_monotonic) on the samples of
 * o->calibrate_path with the host C compiler (o->cc, else $CC or cc) and
 * return the smallest and largest value of every tensor of
 * quant_float_refs(g), in its order (*ranges xmalloc'd, or NULL when
 * there is none). Errors: no --calibrate, a model with several data
 * inputs, a sample file that is not float32 K x the input's shape, or a
 * failed build or run. */
int calibrate_ranges(const bnnc_options *o, const ir_graph *g, quant_range **ranges,
                     int *n_ranges, bnnc_err *err);

#endif
