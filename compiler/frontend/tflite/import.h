/*
 * import.h - a TensorFlow Lite / Larq Compute Engine model as the IR.
 *
 * The model's 4-D tensors are NHWC; the IR's passes read 4-D shapes as
 * NCHW. The importer keeps the model's own layout at the graph's edges
 * (the data inputs and the outputs are NHWC, as the model declares them,
 * so generated code reads and writes the same bytes as the interpreter)
 * and expresses every 4-D activation inside as its NCHW transpose, with
 * weights and axis attributes converted to match. LCE's bitpacked tensors
 * are the real-valued tensors they are the signs of (bit 1 = -1), so that
 * the binary layers are the IR's BCONV with their thresholds.
 */
#ifndef BNNC_FRONTEND_TFLITE_IMPORT_H
#define BNNC_FRONTEND_TFLITE_IMPORT_H

#include "../../ir/ir.h"
#include "../../passes/passes.h"
#include "../../util/err.h"
#include "tflite.h"

/* Build g from subgraph 0 of m (label names the file in messages).
 * inputs override the shapes of data inputs (NHWC, as in the file); only
 * dimensions the file marks dynamic (shape_signature -1) may differ, and
 * only the batch. Returns 0, or -1 with a message naming the file and the
 * operator (index and name) that cannot be imported; g is then empty. */
int tfl_import_model(const tfl_model *m, const bnnc_input *inputs, int n_inputs,
                     ir_graph *g, bnnc_err *err);

/* Load path and import it. */
int tfl_import_file(const char *path, const bnnc_input *inputs, int n_inputs, ir_graph *g,
                    bnnc_err *err);

#endif
