/*
 * pipeline.c - the passes, in the order they run. This table is the whole
 * compiler; everything else is the passes themselves (passes/), the IR
 * they share (ir/), the frontend that starts it (frontend/) and the code
 * generator that ends it (codegen/).
 *
 * After every pass the checker of its level runs (ir_check on the graph,
 * lir_check on the lowered program; a failure is a bnnc bug and aborts),
 * then --dump-after prints what the pass made, and --stop-after ends the
 * run there.
 */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "../passes/lower.h"
#include "frontends.h"

/* The frontend the model's files select (frontends.c) reads them. */
static int run_import(compile_state *s, bnnc_err *err)
{
    const bnnc_frontend *f = bnnc_frontend_for(s->o, err);
    if (!f) {
        ir_graph_init(s->g); /* the caller frees it */
        return -1;
    }
    return f->import(s->o, s->g, err);
}

static int run_legalize(compile_state *s, bnnc_err *err)
{
    return pass_legalize(s->g, err);
}

static int run_shapes(compile_state *s, bnnc_err *err)
{
    return pass_shapes(s->g, s->o->inputs, s->o->n_inputs, err);
}

static int run_fold_constants(compile_state *s, bnnc_err *err)
{
    return pass_fold_constants(s->g, err);
}

static int run_operands(compile_state *s, bnnc_err *err)
{
    return pass_operands(s->g, err);
}

static int run_expand(compile_state *s, bnnc_err *err)
{
    return pass_expand(s->g, err);
}

static int run_binarize(compile_state *s, bnnc_err *err)
{
    return pass_binarize(s->g, err);
}

static int run_fold_thresholds(compile_state *s, bnnc_err *err)
{
    return pass_fold_thresholds(s->g, err);
}

static int run_fold_float(compile_state *s, bnnc_err *err)
{
    return pass_fold_float(s->g, err);
}

static int run_fold_monotonic(compile_state *s, bnnc_err *err)
{
    return pass_fold_monotonic(s->g, err);
}

/* --float-layers int8: the ranges from the calibration run, then the
 * rewrite (without the option: nothing). */
static int run_quantize_float(compile_state *s, bnnc_err *err)
{
    quant_range *r;
    int n, rc;
    if (!s->o->float_layers_int8)
        return 0;
    BNNC_ASSERT(s->o->calibrate);
    if (s->o->calibrate(s->o, s->g, &r, &n, err))
        return -1;
    rc = pass_quantize_float(s->g, r, n, err);
    free(r);
    return rc;
}

static int run_lower(compile_state *s, bnnc_err *err)
{
    lower_options lo;
    memset(&lo, 0, sizeof lo);
    lo.input_u8 = s->o->input_u8;
    memcpy(lo.mean, s->o->mean, sizeof lo.mean);
    memcpy(lo.std, s->o->std, sizeof lo.std);
    lo.n_mean = s->o->n_mean;
    lo.n_std = s->o->n_std;
    lo.separate_sums = s->o->separate_sums;
    return pass_lower(s->g, &lo, s->p, err);
}

static int run_fuse_residual(compile_state *s, bnnc_err *err)
{
    return pass_fuse_residual(s->p, err);
}

static int run_fuse_pool(compile_state *s, bnnc_err *err)
{
    return pass_fuse_pool(s->p, err);
}

static int run_plan(compile_state *s, bnnc_err *err)
{
    return pass_plan(s->p, err);
}

/* name, level, what it does (usage text and docs/compiler.md), run */
const bnnc_pass bnnc_passes[] = {
    {"import", PASS_IR, "read the model files into the IR", run_import},
    {"legalize", PASS_IR, "drop what only matters for training", run_legalize},
    {"shapes", PASS_IR, "infer every shape from --input, check parameter shapes", run_shapes},
    {"fold_constants", PASS_IR, "evaluate operators whose inputs are all constants",
     run_fold_constants},
    {"operands", PASS_IR, "check that every input slot holds what its operator takes",
     run_operands},
    {"expand", PASS_IR, "turn a frontend's own operators into generic ones", run_expand},
    {"binarize", PASS_IR, "recognise binary layers by graph pattern", run_binarize},
    {"fold_thresholds", PASS_IR,
     "fold what follows a binary layer into its output map or integer thresholds",
     run_fold_thresholds},
    {"fold_float", PASS_IR, "fold BatchNorm and ReLU into the float layer before them",
     run_fold_float},
    {"fold_monotonic", PASS_IR,
     "fold monotonic activations (tanh, ReLU, clip...) before a sign into its threshold",
     run_fold_monotonic},
    {"quantize_float", PASS_IR,
     "--float-layers int8: float convs and dense layers in int8, ranges from --calibrate",
     run_quantize_float},
    {"lower", PASS_PROGRAM, "one runtime call per step, NHWC tensors, packed bits", run_lower},
    {"fuse_residual", PASS_PROGRAM,
     "a residual add after a binary convolution becomes that convolution's output step",
     run_fuse_residual},
    {"fuse_pool", PASS_PROGRAM,
     "a float convolution only sign-packed, or only max-pooled, becomes one row-by-row step",
     run_fuse_pool},
    {"plan", PASS_PROGRAM, "place every buffer in one arena", run_plan},
    {NULL, PASS_IR, NULL, NULL},
};

int bnnc_pass_index(const char *name)
{
    int i;
    for (i = 0; bnnc_passes[i].name; i++)
        if (!strcmp(bnnc_passes[i].name, name))
            return i;
    return -1;
}

static int wants(const char *option, const char *name)
{
    return option && (!strcmp(option, name) || !strcmp(option, "all"));
}

/* After pass i: check its level's invariants, dump when asked. */
static void after_pass(compile_state *s, int i)
{
    const bnnc_pass *ps = &bnnc_passes[i];
    bnnc_err e;
    FILE *f = s->o->dump_file ? s->o->dump_file : stderr;
    if (ps->level == PASS_IR) {
        /* shapes are set from the shapes pass on */
        if (ir_check(s->g, i >= bnnc_pass_index("shapes"), &e))
            BNNC_BUG("IR invalid after %s: %s", ps->name, e.msg);
    } else if (lir_check(s->p, &e)) {
        BNNC_BUG("program invalid after %s: %s", ps->name, e.msg);
    }
    if (!wants(s->o->dump_after, ps->name))
        return;
    if (ps->level == PASS_IR) {
        fprintf(f, "; IR after %s\n", ps->name);
        ir_dump(s->g, f);
    } else {
        fprintf(f, "; program after %s: %d steps, %d tensors, %d constants\n", ps->name,
                s->p->ns, s->p->nt, s->p->nc);
        lir_dump(s->p, f);
        if (!strcmp(ps->name, "plan"))
            plan_print(s->p, f);
    }
}

int compile_run(compile_state *s, const char *first, const char *last, bnnc_err *err)
{
    int i = bnnc_pass_index(first), end = bnnc_pass_index(last);
    BNNC_ASSERT(i >= 0 && end >= i);
    if (s->o->stop_after) {
        int stop = bnnc_pass_index(s->o->stop_after);
        BNNC_ASSERT(stop >= 0);
        if (stop < end)
            end = stop;
    }
    if (s->p && bnnc_passes[i].level == PASS_IR)
        lir_init(s->p); /* the program starts empty (freeable whatever runs) */
    for (; i <= end; i++) {
        if (bnnc_passes[i].run(s, err)) {
            if (s->p)
                lir_free(s->p);
            ir_graph_free(s->g);
            return -1;
        }
        after_pass(s, i);
        if (s->hook)
            s->hook(s, bnnc_passes[i].name);
    }
    s->stopped = s->o->stop_after && bnnc_passes[end].name &&
                 !strcmp(bnnc_passes[end].name, s->o->stop_after) &&
                 bnnc_pass_index(last) > end;
    return 0;
}

int compile_model(const bnnc_options *o, ir_graph *g, lir_program *p, bnnc_err *err)
{
    compile_state s = {o, g, p, NULL, NULL, 0};
    return compile_run(&s, "import", "plan", err);
}

int compile_frontend(const bnnc_options *o, ir_graph *g, bnnc_err *err)
{
    compile_state s = {o, g, NULL, NULL, NULL, 0};
    return compile_run(&s, "import", "binarize", err);
}

int compile_imported(const bnnc_options *o, ir_graph *g, lir_program *p, bnnc_err *err)
{
    compile_state s = {o, g, p, NULL, NULL, 0};
    return compile_run(&s, "legalize", "plan", err);
}
