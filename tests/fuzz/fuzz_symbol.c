/*
 * fuzz_symbol.c - libFuzzer harness for the symbol JSON reader and the
 * whole frontend (import, legalize, shapes, fold_constants, binarize) and
 * the inspect report.
 *
 * Input format (so one input can carry a model):
 *     NAME=N,C,H,W\n        shape of the data input (optional line)
 *     <symbol JSON>
 *     \n#PARAMS\n<params file bytes>   (optional; default: no arrays)
 * Besides the sanitizers, it checks the contract: a failure frees the
 * graph and leaves a message; a success gives a graph that passes
 * ir_check with shapes and can be reported.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/cli.h"
#include "driver/inspect.h"
#include "driver/pipeline.h"
#include "frontend/mxnet/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t empty_params[24 + 8] = {0x12, 0x01};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char sep[] = "\n#PARAMS\n";
    static FILE *sink;
    const char *text = (const char *)data, *end = text + size;
    const uint8_t *pbytes = empty_params;
    size_t plen = sizeof empty_params;
    bnnc_options o;
    bnnc_err err;
    mx_symbol sym;
    mx_params params;
    import_options io = {1};
    ir_graph g;
    const char *nl;
    size_t i;

    bnnc_quiet = 1;
    if (!sink)
        sink = fopen("/dev/null", "w");
    memset(&o, 0, sizeof o);
    nl = memchr(text, '\n', size);
    if (nl && nl - text < 200 && memchr(text, '=', (size_t)(nl - text))) {
        char spec[256];
        memcpy(spec, text, (size_t)(nl - text));
        spec[nl - text] = '\0';
        if (cli_parse_input(spec, &o.inputs[0], &err) == 0)
            o.n_inputs = 1;
        text = nl + 1;
    }
    for (i = 0; text + i + sizeof sep - 1 <= end; i++)
        if (!memcmp(text + i, sep, sizeof sep - 1)) {
            pbytes = (const uint8_t *)text + i + sizeof sep - 1;
            plen = (size_t)(end - (const char *)pbytes);
            end = text + i;
            break;
        }

    err.msg[0] = '\0';
    if (mx_symbol_parse(text, (size_t)(end - text), "fuzz-symbol.json", &sym, &err)) {
        if (!err.msg[0])
            abort();
        mx_symbol_free(&sym);
        return 0;
    }
    if (mx_params_parse(pbytes, plen, "fuzz.params", &params, &err)) {
        mx_symbol_free(&sym);
        return 0;
    }
    if (import_graph(&sym, &params, &io, &g, &err) ||
        compile_run(&(compile_state){&o, &g, NULL, NULL, NULL, 0}, "legalize", "binarize",
                    &err)) {
        if (!err.msg[0] || g.nodes)
            abort(); /* failures leave a message and a freed graph */
        mx_symbol_free(&sym);
        return 0;
    }
    if (ir_check(&g, 1, &err))
        abort();
    inspect_print(&g, NULL, 0, NULL, sink);
    inspect_print(&g, NULL, 1, NULL, sink);
    ir_graph_free(&g);
    mx_symbol_free(&sym);
    return 0;
}
