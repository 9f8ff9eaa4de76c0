/*
 * pipeline.c - the order in which passes run. Read this file to see the
 * whole compiler.
 */
#include "pipeline.h"

#include <string.h>

#include "../frontend/import.h"

const char *const bnnc_pass_names[] = {
    "import", "legalize", "shapes", "fold_constants", "binarize", NULL};

/* After pass `name`: check invariants (an internal error aborts) and dump
 * the IR when asked. */
static void after_pass(const bnnc_options *o, ir_graph *g, const char *name,
                       int shapes)
{
    bnnc_err e;
    if (ir_check(g, shapes, &e))
        BNNC_BUG("IR invalid after %s: %s", name, e.msg);
    if (o->dump_after &&
        (!strcmp(o->dump_after, name) || !strcmp(o->dump_after, "all"))) {
        FILE *f = o->dump_file ? o->dump_file : stderr;
        fprintf(f, "; IR after %s\n", name);
        ir_dump(g, f);
    }
}

int compile_frontend(const bnnc_options *o, ir_graph *g, bnnc_err *err)
{
    import_options io = {o->allow_extra_params};

    /* import: symbol.json + params -> IR, defaults applied, params bound */
    if (import_files(o->symbol_path, o->params_path, &io, g, err)) {
        ir_graph_free(g);
        return -1;
    }
    return compile_frontend_passes(o, g, err);
}

int compile_frontend_passes(const bnnc_options *o, ir_graph *g, bnnc_err *err)
{
    after_pass(o, g, "import", 0);
    /* legalize: drop training-only ops, QActivation -> sign */
    if (pass_legalize(g, err))
        goto fail;
    after_pass(o, g, "legalize", 0);
    /* shapes: infer NCHW shapes from --input, check parameter shapes */
    if (pass_shapes(g, o->inputs, o->n_inputs, err))
        goto fail;
    after_pass(o, g, "shapes", 1);
    /* fold_constants: sign(W), mean|W| and _full become constants */
    if (pass_fold_constants(g, err))
        goto fail;
    after_pass(o, g, "fold_constants", 1);
    /* binarize: one BCONV/BDENSE node per binary layer, by pattern */
    if (pass_binarize(g, err))
        goto fail;
    after_pass(o, g, "binarize", 1);
    return 0;
fail:
    ir_graph_free(g);
    return -1;
}
