/*
 * frontends.c - the model formats bnnc reads: a row per frontend.
 */
#include "frontends.h"

#include <stdio.h>
#include <string.h>

#include "../frontend/mxnet/import.h"
#include "../frontend/onnx/import.h"
#include "../frontend/tflite/import.h"

static int import_mxnet(const bnnc_options *o, ir_graph *g, bnnc_err *err)
{
    import_options io = {o->allow_extra_params};
    return import_files(o->symbol_path, o->params_path, &io, g, err);
}

static int import_onnx(const bnnc_options *o, ir_graph *g, bnnc_err *err)
{
    return onnx_import_file(o->symbol_path, o->inputs, o->n_inputs, g, err);
}

/* A TensorFlow Lite file: "TFL3" at bytes 4..7, whatever its name. */
static int claims_tflite(const char *path)
{
    unsigned char head[8];
    size_t n = 0;
    FILE *f = fopen(path, "rb");
    if (f) {
        n = fread(head, 1, sizeof head, f);
        fclose(f);
    }
    return tfl_is_tflite(head, n);
}

static int import_tflite(const bnnc_options *o, ir_graph *g, bnnc_err *err)
{
    return tfl_import_file(o->symbol_path, o->inputs, o->n_inputs, g, err);
}

static const bnnc_frontend frontends[] = {
    {"mxnet", "SYMBOL.json PARAMS, or PREFIX EPOCH", 2, NULL, import_mxnet},
    {"tflite", "MODEL.tflite", 1, claims_tflite, import_tflite},
    {"onnx", "MODEL.onnx", 1, onnx_claims, import_onnx},
};

const bnnc_frontend *bnnc_frontends(int *count)
{
    *count = (int)(sizeof frontends / sizeof *frontends);
    return frontends;
}

const bnnc_frontend *bnnc_frontend_for(const bnnc_options *o, bnnc_err *err)
{
    int files = o->params_path && o->params_path[0] ? 2 : 1;
    size_t i;
    for (i = 0; i < sizeof frontends / sizeof *frontends; i++) {
        const bnnc_frontend *f = &frontends[i];
        if (f->n_files == files && (!f->claims || f->claims(o->symbol_path)))
            return f;
    }
    {
        char forms[256];
        size_t used = 0;
        forms[0] = 0;
        for (i = 0; i < sizeof frontends / sizeof *frontends && used < sizeof forms; i++) {
            int k = snprintf(forms + used, sizeof forms - used, "%s%s: %s", i ? "; " : "",
                             frontends[i].name, frontends[i].usage);
            used += k > 0 ? (size_t)k : 0;
        }
        bnnc_errf(err, "%s: not a model format bnnc reads (%s)", o->symbol_path, forms);
    }
    return NULL;
}
