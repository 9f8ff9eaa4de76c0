/*
 * fold.h - operators of a .tflite model whose inputs are all constants,
 * computed while the model is imported (fold.c), as TFLite's kernels
 * compute them. Converters leave such chains in models: Larq's XNOR-Net
 * computes its weights' scales from the weights at run time
 * (RELU_N1_TO_1, ABS, MEAN, LceQuantize, LceDequantize, MUL, TRANSPOSE on
 * the kernel constant).
 */
#ifndef BNNC_TFLITE_FOLD_H
#define BNNC_TFLITE_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "tflite.h"

/*
 * If op can be folded (a foldable operator, every input a constant of the
 * types it takes), computes its one output: *data (malloc'ed, the
 * caller's) holds the output's bytes as a constant buffer of the file
 * would (little-endian), *nbytes their count. Returns 1 when folded, 0
 * when op is not foldable (the import then handles it as usual), -1 with
 * a message in msg for a foldable operator whose constants are
 * inconsistent (shapes, axes, permutation).
 */
int tfl_fold(const tfl_operator *op, const tfl_tensor *tensors, size_t ntensors,
             uint8_t **data, size_t *nbytes, char *msg, size_t msg_size);

#endif
