/*
 * main.c - the bnnc command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/cli.h"
#include "driver/inspect.h"
#include "driver/pipeline.h"

static const char usage[] =
    "usage: bnnc <command> [options]\n"
    "\n"
    "Ahead-of-time compiler for binarized neural networks exported by\n"
    "MXNet / BMXNet (<prefix>-symbol.json + <prefix>-NNNN.params).\n"
    "\n"
    "commands:\n"
    "  inspect MODEL --input NAME=N,C,H,W [--json]\n"
    "        one row per layer: kind, output shape, binary and float MACs,\n"
    "        weight bytes as stored and as packed by bnnc; totals\n"
    "\n"
    "MODEL is SYMBOL.json PARAMS, or PREFIX EPOCH (PREFIX-symbol.json and\n"
    "PREFIX-EPOCH.params with the epoch zero-padded to 4 digits).\n"
    "\n"
    "common options:\n"
    "  --input NAME=N,C,H,W    shape of a data input (repeatable)\n"
    "  --allow-extra-params    warn about, instead of rejecting, parameters\n"
    "                          no node uses\n"
    "  --dump-after PASS       print the IR after PASS (or 'all') to stderr;\n"
    "                          passes: import legalize shapes fold_constants\n"
    "                          binarize\n"
    "  -q, --quiet             no warnings\n"
    "  --help, --version\n";

static int fail(const bnnc_err *err)
{
    fprintf(stderr, "error: %s\n", err->msg);
    return 1;
}

/* Parse the options shared by all model commands. Positional arguments
 * are collected into pos (at most 2). Returns 0, or 1 after printing. */
static int parse_common(int argc, char **argv, bnnc_options *o, int *json,
                        const char **pos, int *npos)
{
    int i;
    bnnc_err err;
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--input") || !strncmp(a, "--input=", 8)) {
            const char *v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v) {
                fprintf(stderr, "error: --input needs NAME=N,C,H,W\n");
                return 1;
            }
            if (o->n_inputs == BNNC_MAX_INPUTS) {
                fprintf(stderr, "error: too many --input options\n");
                return 1;
            }
            if (cli_parse_input(v, &o->inputs[o->n_inputs++], &err))
                return fail(&err);
        } else if (!strcmp(a, "--json") && json) {
            *json = 1;
        } else if (!strcmp(a, "--allow-extra-params")) {
            o->allow_extra_params = 1;
        } else if (!strcmp(a, "--dump-after")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "error: --dump-after needs a pass name\n");
                return 1;
            }
            o->dump_after = argv[++i];
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            bnnc_quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "error: unknown option '%s' (see bnnc --help)\n", a);
            return 1;
        } else {
            if (*npos == 2) {
                fprintf(stderr, "error: unexpected argument '%s'\n", a);
                return 1;
            }
            pos[(*npos)++] = a;
        }
    }
    if (*npos != 2) {
        fprintf(stderr, "error: expected SYMBOL PARAMS or PREFIX EPOCH\n");
        return 1;
    }
    if (o->dump_after && strcmp(o->dump_after, "all")) {
        int k, ok = 0;
        for (k = 0; bnnc_pass_names[k]; k++)
            ok |= !strcmp(bnnc_pass_names[k], o->dump_after);
        if (!ok) {
            fprintf(stderr, "error: --dump-after: no pass named '%s'\n", o->dump_after);
            return 1;
        }
    }
    return 0;
}

static int cmd_inspect(int argc, char **argv)
{
    bnnc_options o;
    const char *pos[2];
    int npos = 0, json = 0;
    char sym[4096], params[4096];
    ir_graph g;
    bnnc_err err;

    memset(&o, 0, sizeof o);
    if (parse_common(argc, argv, &o, &json, pos, &npos))
        return 1;
    if (cli_model_paths(pos[0], pos[1], sym, params, sizeof sym, &err))
        return fail(&err);
    o.symbol_path = sym;
    o.params_path = params;
    if (compile_frontend(&o, &g, &err))
        return fail(&err);
    inspect_print(&g, json, stdout);
    ir_graph_free(&g);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("bnnc %s\n", BNNC_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "inspect"))
        return cmd_inspect(argc, argv);
    fprintf(stderr, "error: unknown command '%s' (see bnnc --help)\n", argv[1]);
    return 1;
}
