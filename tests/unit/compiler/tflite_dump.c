/*
 * tflite_dump.c - print a .tflite model as the TFLite reader decodes it.
 *
 *   tflite_dump MODEL.tflite
 *
 * Exits 1 with the reader's error message for a file it refuses. Used by
 * tests and by hand while the compiler has no TFLite import.
 */
#include <stdio.h>

#include "frontend/tflite/tflite.h"

int main(int argc, char **argv)
{
    tfl_model m;
    bnnc_err err;
    if (argc != 2) {
        fprintf(stderr, "usage: tflite_dump MODEL.tflite\n");
        return 2;
    }
    if (tfl_model_load(argv[1], &m, &err)) {
        fprintf(stderr, "error: %s\n", err.msg);
        return 1;
    }
    tfl_model_dump(&m, stdout);
    tfl_model_free(&m);
    return 0;
}
