/*
 * import.h - build the IR from an ONNX model (onnx.h reads the file).
 *
 * Every node the graph outputs depend on becomes generic IR operators
 * (ops.c: a row per ONNX operator). Values known at compile time
 * (initializers, Constant nodes, the weight branches of quantised and
 * PyTorch binary layers, shape sub-graphs) are evaluated here, in float32
 * as the oracle evaluates them, so that the IR only holds the computation
 * that depends on the inputs. The layout is NCHW as the model declares it.
 */
#ifndef BNNC_FRONTEND_ONNX_IMPORT_H
#define BNNC_FRONTEND_ONNX_IMPORT_H

#include "../../ir/ir.h"
#include "../../passes/passes.h"
#include "onnx.h"

/* 1 when path looks like an ONNX model: the .onnx extension, or a first
 * protobuf record that is ModelProto.ir_version (field 1, varint). */
int onnx_claims(const char *path);

/* Read path and import it; inputs are the --input shapes (a dynamic
 * dimension of a graph input must be fixed by one). On error g is freed
 * and err names the file and node. */
int onnx_import_file(const char *path, const bnnc_input *inputs, int n_inputs,
                     ir_graph *g, bnnc_err *err);

/* Import a model already read (onnx_model_parse/load); m is not kept. */
int onnx_import_model(const onnx_model *m, const bnnc_input *inputs, int n_inputs,
                      ir_graph *g, bnnc_err *err);

#endif
