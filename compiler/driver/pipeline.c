/*
 * pipeline.c - the order in which passes run. Read this file to see the
 * whole compiler.
 */
#include "pipeline.h"

#include <string.h>

#include "../frontend/mxnet/import.h"
#include "../passes/lower.h"

const char *const bnnc_pass_names[] = {
    "import", "legalize", "shapes", "fold_constants", "operands", "expand", "binarize",
    "fold_thresholds", "fold_float", "lower", "fuse_pool", "plan", NULL};

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
    /* operands: parameters are constants with values, no NaN constants */
    if (pass_operands(g, err))
        goto fail;
    after_pass(o, g, "operands", 1);
    /* expand: frontend ops (BMXNet's layers) become generic ones */
    if (pass_expand(g, err))
        goto fail;
    after_pass(o, g, "expand", 1);
    /* binarize: one BCONV/BDENSE node per binary layer, by pattern */
    if (pass_binarize(g, err))
        goto fail;
    after_pass(o, g, "binarize", 1);
    return 0;
fail:
    ir_graph_free(g);
    return -1;
}

/* After lowering or planning: dump the program when asked. */
static void after_lir(const bnnc_options *o, const lir_program *p, const char *name)
{
    FILE *f;
    int i;
    if (!o->dump_after || (strcmp(o->dump_after, name) && strcmp(o->dump_after, "all")))
        return;
    f = o->dump_file ? o->dump_file : stderr;
    fprintf(f, "; program after %s: %d steps, %d tensors, %d constants\n", name, p->ns,
            p->nt, p->nc);
    for (i = 0; i < p->ns; i++) {
        const lir_step *s = &p->s[i];
        fprintf(f, "%4d %-18s t%d%s%s -> t%d  ; %s: %s\n", i + 1, lir_kind_name(s->kind),
                s->in[0], s->n_in > 1 ? ", t" : "", "", s->out, s->node_name, s->what);
    }
    if (!strcmp(name, "plan"))
        plan_print(p, f);
}

int compile_model(const bnnc_options *o, ir_graph *g, lir_program *p, bnnc_err *err)
{
    lir_init(p);
    if (compile_frontend(o, g, err))
        return -1;
    return compile_backend(o, g, p, err);
}

int compile_imported(const bnnc_options *o, ir_graph *g, lir_program *p, bnnc_err *err)
{
    lir_init(p);
    if (compile_frontend_passes(o, g, err))
        return -1;
    return compile_backend(o, g, p, err);
}

int compile_backend(const bnnc_options *o, ir_graph *g, lir_program *p, bnnc_err *err)
{
    lir_init(p);
    /* fold_thresholds: BatchNorm/scale/offset after binary layers -> one
     * affine map, or one integer threshold per channel when only signed */
    if (pass_fold_thresholds(g, err))
        goto fail;
    after_pass(o, g, "fold_thresholds", 1);
    /* fold_float: BatchNorm and ReLU into the float conv/dense before them */
    if (pass_fold_float(g, err))
        goto fail;
    after_pass(o, g, "fold_float", 1);
    /* lower: one runtime call per step, NHWC, packed bits */
    {
        lower_options lo;
        memset(&lo, 0, sizeof lo);
        lo.input_u8 = o->input_u8;
        memcpy(lo.mean, o->mean, sizeof lo.mean);
        memcpy(lo.std, o->std, sizeof lo.std);
        lo.n_mean = o->n_mean;
        lo.n_std = o->n_std;
        if (pass_lower(g, &lo, p, err))
            goto fail;
    }
    after_lir(o, p, "lower");
    /* fuse_pool: float conv + max pooling -> one step, no conv output */
    if (pass_fuse_pool(p, err))
        goto fail;
    after_lir(o, p, "fuse_pool");
    /* plan: in-place ops, concat in place, arena offsets */
    if (pass_plan(p, err))
        goto fail;
    after_lir(o, p, "plan");
    return 0;
fail:
    lir_free(p);
    ir_graph_free(g);
    return -1;
}
