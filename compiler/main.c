/*
 * main.c - the bnnc command line.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/emit.h"
#include "codegen/footprint.h"
#include "driver/calibrate.h"
#include "driver/cli.h"
#include "util/version.h"
#include "driver/inspect.h"
#include "driver/pipeline.h"
#include "driver/verify.h"
#include "passes/lower.h"

static const char usage[] =
    "usage: bnnc <command> [options]\n"
    "\n"
    "Ahead-of-time compiler for binarized neural networks exported by\n"
    "MXNet / BMXNet (<prefix>-symbol.json + <prefix>-NNNN.params), Larq\n"
    "Compute Engine / TensorFlow Lite (.tflite) and ONNX (.onnx: QONNX,\n"
    "FINN, PyTorch exports).\n"
    "\n"
    "commands:\n"
    "  compile MODEL --input NAME=N,C,H,W [-o net.c] [--prefix net]\n"
    "          [--standalone] [--input-type f32|u8 --mean M,.. --std S,..]\n"
    "          [--weights auto|array|string|blob] [--denormals flush|keep]\n"
    "          [--threads] [--report [--target CORE]] [--fma on|off]\n"
    "          [--float-layers f32|int8 --calibrate X.npy]\n"
    "        write net.c and net.h: the network as C calling runtime_min\n"
    "        (-o names the .c file, which must end in .c; the .h goes next to\n"
    "        it; default: PREFIX.c, PREFIX defaults to net or to -o's stem;\n"
    "        --standalone: with the kernels it uses inlined; --input-type u8:\n"
    "        uint8 NCHW input, given to the network as (x - mean) / std, mean 0\n"
    "        and std 1 unless --mean/--std say otherwise; --weights: the\n"
    "        constants as arrays (readable), string literals (for compilers'\n"
    "        memory) or a net.c.bin file next to net.c (large models); auto:\n"
    "        arrays up to 1 MiB, strings up to 16 MiB, blob above; --denormals:\n"
    "        flush (default): each run sets flush-to-zero/denormals-are-zero\n"
    "        and restores the caller's FP mode, keep: it leaves the mode alone\n"
    "        (-DPREFIX_KEEP_DENORMALS / -DPREFIX_FLUSH_DENORMALS override it\n"
    "        when net.c is built); --threads: also PREFIX_run_parallel(in, out,\n"
    "        n), which divides every step among n threads (pthreads; results\n"
    "        bit-identical to PREFIX_run; -DPREFIX_NO_THREADS leaves them out);\n"
    "        --fma on (default): float convolutions of one group take each\n"
    "        product into a sum from the bias with one fused multiply-add\n"
    "        (one rounding per tap; TFLite models keep TFLite's roundings),\n"
    "        off: each product rounded, then added, bias last (for cores\n"
    "        without a fused multiply-add, where it is a library call);\n"
    "        --float-layers int8: float convolutions and dense layers in int8\n"
    "        (reduced precision, docs/int8-float-layers.md; default f32, exact),\n"
    "        activation ranges measured on the samples of X.npy (float32,\n"
    "        K x the input's shape) by a run built with the host compiler;\n"
    "        --report:\n"
    "        flash and RAM, with --target cortex-m0plus|m4|m7|m33|m55 an\n"
    "        estimate of code and stack for that core, -Os, standalone)\n"
    "  inspect MODEL --input NAME=N,C,H,W [--json] [--plan]\n"
    "        one row per layer: kind, output shape, binary and float MACs,\n"
    "        weight bytes as stored and as packed by bnnc; totals; whether\n"
    "        compile accepts the model, or why not (exit 2); --plan: the\n"
    "        memory plan instead (with --json: in the JSON as \"plan\")\n"
    ;
/* (in two strings: C99 compilers need only take 4095 characters in one) */
static const char usage_verify[] =
    "  verify MODEL --input NAME=N,C,H,W --in X.npy --expect Y.npy\n"
    "          (--in once per data input, in graph order)\n"
    "          [--cc CC] [--cflags FLAGS | --portable] [--atol A] [--rtol R]\n"
    "          [--keep DIR] [--profile [--profile-runs N]] [--denormals flush|keep]\n"
    "          [--threads N] [--fma on|off] [--float-layers f32|int8 --calibrate X.npy\n"
    "          [--min-top1 P]]\n"
    "        build the generated C with the host compiler, run it on X and\n"
    "        compare with Y: max |diff|, top-1 agreement, first mismatches;\n"
    "        exit 0 when within tolerance (default atol 1e-4, rtol 1e-4);\n"
    "        CC (default $CC or cc) and FLAGS are split at blanks and run\n"
    "        without a shell (no quoting); FLAGS default to -O3 -march=native\n"
    "        and warnings (the host's SIMD kernels, as scripts/bench builds);\n"
    "        --portable: -O2 -DBNN_FORCE_PORTABLE=1 and warnings instead (the\n"
    "        portable C kernels); an explicit --cflags wins over both;\n"
    "        --profile: also build it with -DNET_PROFILE and print the time\n"
    "        of every step and the kernel variant it ran (median of N runs,\n"
    "        default 21); --threads N: build with --threads, run\n"
    "        net_run_parallel on 1 to N threads and require each output to\n"
    "        equal net_run's bit for bit; --float-layers int8: compile as\n"
    "        compile does, report the deviation from Y and the top-1\n"
    "        agreement, and exit 0 when the agreement is at least P percent\n"
    "        (default 99; --atol/--rtol, when given, must hold too)\n"
    "\n"
    "MODEL is SYMBOL.json PARAMS, or PREFIX EPOCH (PREFIX-symbol.json and\n"
    "PREFIX-EPOCH.params with the epoch zero-padded to 4 digits), or one\n"
    "MODEL.tflite or MODEL.onnx file (docs/SUPPORTED.md).\n"
    "\n"
    "common options:\n"
    "  --input NAME=N,C,H,W    shape of a data input (repeatable)\n"
    "  --allow-extra-params    warn about, instead of rejecting, parameters\n"
    "                          no node uses\n"
    "  --dump-after PASS       print the IR or the program after PASS (or 'all')\n"
    "                          to stderr (bnnc --passes lists the passes)\n"
    "  --stop-after PASS       run the passes up to PASS only (with\n"
    "                          --dump-after PASS: see what it made)\n"
    "  -q, --quiet             no warnings\n"
    "  --help, --version\n";

static int fail(const bnnc_err *err)
{
    fprintf(stderr, "error: %s\n", err->msg);
    return 1;
}

typedef struct {
    verify_options v;        /* verify */
    int json, plan;          /* inspect */
    const char *out;         /* compile: -o */
    const char *prefix;      /* compile: --prefix */
    int standalone, report;  /* compile */
    int threads;             /* compile: --threads */
    emit_weights weights;    /* compile: --weights */
    const char *target;      /* compile: --target (with --report) */
} cmd_flags;

/* Comma-separated finite floats into v (at most max); nan and inf are
 * refused, they would make every input element meaningless. */
static int parse_floats(const char *s, float *v, int max, int *n)
{
    char *end;
    *n = 0;
    while (*s) {
        if (*n == max)
            return -1;
        v[(*n)++] = strtof(s, &end);
        if (end == s || !isfinite(v[*n - 1]))
            return -1;
        s = end;
        if (*s == ',')
            s++;
        else if (*s)
            return -1;
    }
    return *n ? 0 : -1;
}

/* Parse the options of the model commands. Positional arguments are
 * collected into pos (at most 2). Returns 0, or 1 after printing. */
static int parse_common(int argc, char **argv, bnnc_options *o, cmd_flags *f,
                        const char **pos, int *npos)
{
    int i;
    bnnc_err err;
    int compile = !strcmp(argv[1], "compile");
    int verify = !strcmp(argv[1], "verify");
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--input") || !strncmp(a, "--input=", 8)) {
            const char *v = next;
            if (a[7] == '=')
                v = a + 8;
            else
                i++;
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
        } else if (!strcmp(a, "--json") && !compile) {
            f->json = 1;
        } else if (!strcmp(a, "--plan") && !compile) {
            f->plan = 1;
        } else if (compile && (!strcmp(a, "-o") || !strcmp(a, "--prefix") ||
                               !strcmp(a, "--target") || !strcmp(a, "--weights") ||
                               !strcmp(a, "--input-type") || !strcmp(a, "--mean") ||
                               !strcmp(a, "--std"))) {
            if (!next) {
                fprintf(stderr, "error: %s needs a value\n", a);
                return 1;
            }
            i++;
            if (!strcmp(a, "-o")) {
                f->out = next;
            } else if (!strcmp(a, "--weights")) {
                static const char *const modes[] = {"auto", "array", "string", "blob"};
                int m;
                for (m = 0; m < 4 && strcmp(next, modes[m]); m++)
                    ;
                if (m == 4) {
                    fprintf(stderr, "error: --weights is auto, array, string or blob\n");
                    return 1;
                }
                f->weights = (emit_weights)m;
            } else if (!strcmp(a, "--target")) {
                f->target = next;
            } else if (!strcmp(a, "--prefix")) {
                f->prefix = next;
            } else if (!strcmp(a, "--input-type")) {
                if (strcmp(next, "f32") && strcmp(next, "u8")) {
                    fprintf(stderr, "error: --input-type is f32 or u8\n");
                    return 1;
                }
                o->input_u8 = !strcmp(next, "u8");
            } else if (parse_floats(next, !strcmp(a, "--mean") ? o->mean : o->std, 64,
                                    !strcmp(a, "--mean") ? &o->n_mean : &o->n_std)) {
                fprintf(stderr, "error: %s needs comma-separated finite numbers\n", a);
                return 1;
            }
        } else if (verify && !strcmp(a, "--profile")) {
            if (!f->v.profile_runs)
                f->v.profile_runs = 21;
        } else if (verify && !strcmp(a, "--portable")) {
            f->v.portable = 1;
        } else if (verify && !strcmp(a, "--profile-runs")) {
            char *end = NULL;
            long n = next ? strtol(next, &end, 10) : 0;
            if (!next || !*next || *end || n < 1 || n > 100000) {
                fprintf(stderr, "error: --profile-runs needs a count from 1 to 100000\n");
                return 1;
            }
            f->v.profile_runs = (int)n;
            i++;
        } else if (verify && (!strcmp(a, "--in") || !strcmp(a, "--expect") ||
                              !strcmp(a, "--cc") || !strcmp(a, "--cflags") ||
                              !strcmp(a, "--keep") || !strcmp(a, "--atol") ||
                              !strcmp(a, "--rtol") || !strcmp(a, "--min-top1") ||
                              !strcmp(a, "--input-type") ||
                              !strcmp(a, "--mean") || !strcmp(a, "--std"))) {
            if (!next) {
                fprintf(stderr, "error: %s needs a value\n", a);
                return 1;
            }
            i++;
            if (!strcmp(a, "--in")) {
                if (f->v.n_in == 16) {
                    fprintf(stderr, "error: too many --in files\n");
                    return 1;
                }
                f->v.in_paths[f->v.n_in++] = next;
            } else if (!strcmp(a, "--expect")) {
                f->v.expect_path = next;
            } else if (!strcmp(a, "--cc")) {
                f->v.cc = next;
            } else if (!strcmp(a, "--cflags")) {
                f->v.cflags = next;
            } else if (!strcmp(a, "--keep")) {
                f->v.keep_dir = next;
            } else if (!strcmp(a, "--input-type")) {
                if (strcmp(next, "f32") && strcmp(next, "u8")) {
                    fprintf(stderr, "error: --input-type is f32 or u8\n");
                    return 1;
                }
                o->input_u8 = !strcmp(next, "u8");
            } else if (!strcmp(a, "--mean") || !strcmp(a, "--std")) {
                if (parse_floats(next, !strcmp(a, "--mean") ? o->mean : o->std, 64,
                                 !strcmp(a, "--mean") ? &o->n_mean : &o->n_std)) {
                    fprintf(stderr, "error: %s needs comma-separated finite numbers\n", a);
                    return 1;
                }
            } else {
                char *end;
                double d = strtod(next, &end);
                if (*end || !(d >= 0)) {
                    fprintf(stderr, "error: %s needs a non-negative number\n", a);
                    return 1;
                }
                if (!strcmp(a, "--atol"))
                    f->v.atol = d;
                else if (!strcmp(a, "--rtol"))
                    f->v.rtol = d;
                else if (d > 100) {
                    fprintf(stderr, "error: --min-top1 is a percentage from 0 to 100\n");
                    return 1;
                } else
                    f->v.min_top1 = d;
                f->v.tol_given |= strcmp(a, "--min-top1") != 0;
            }
        } else if ((compile || verify) && !strcmp(a, "--float-layers")) {
            if (!next || (strcmp(next, "f32") && strcmp(next, "int8"))) {
                fprintf(stderr, "error: --float-layers is f32 or int8\n");
                return 1;
            }
            o->float_layers_int8 = !strcmp(next, "int8");
            i++;
        } else if ((compile || verify) && !strcmp(a, "--fma")) {
            if (!next || (strcmp(next, "on") && strcmp(next, "off"))) {
                fprintf(stderr, "error: --fma is on or off\n");
                return 1;
            }
            o->separate_sums = !strcmp(next, "off");
            i++;
        } else if ((compile || verify) && !strcmp(a, "--calibrate")) {
            if (!next) {
                fprintf(stderr, "error: --calibrate needs a .npy file of input samples\n");
                return 1;
            }
            o->calibrate_path = next;
            i++;
        } else if ((compile || verify) && !strcmp(a, "--denormals")) {
            if (!next || (strcmp(next, "flush") && strcmp(next, "keep"))) {
                fprintf(stderr, "error: --denormals is flush or keep\n");
                return 1;
            }
            f->v.keep_denormals = !strcmp(next, "keep");
            i++;
        } else if (compile && !strcmp(a, "--standalone")) {
            f->standalone = 1;
        } else if (compile && !strcmp(a, "--threads")) {
            f->threads = 1;
        } else if (verify && !strcmp(a, "--threads")) {
            char *end = NULL;
            long n = next ? strtol(next, &end, 10) : 0;
            if (!next || !*next || *end || n < 1 || n > 64) {
                fprintf(stderr, "error: --threads needs a count from 1 to 64\n");
                return 1;
            }
            f->v.threads = (int)n;
            i++;
        } else if (compile && !strcmp(a, "--report")) {
            f->report = 1;
        } else if (!strcmp(a, "--allow-extra-params")) {
            o->allow_extra_params = 1;
        } else if (!strcmp(a, "--dump-after") || !strcmp(a, "--stop-after")) {
            if (!next) {
                fprintf(stderr, "error: %s needs a pass name\n", a);
                return 1;
            }
            if (!strcmp(a, "--dump-after"))
                o->dump_after = argv[++i];
            else
                o->stop_after = argv[++i];
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
    if (*npos < 1) {
        fprintf(stderr, "error: expected the model: SYMBOL PARAMS or PREFIX EPOCH\n");
        return 1;
    }
    if (o->float_layers_int8 && !o->calibrate_path) {
        fprintf(stderr, "error: --float-layers int8 needs --calibrate X.npy (input samples "
                        "the int8 ranges are measured on)\n");
        return 1;
    }
    if (o->calibrate_path && !o->float_layers_int8) {
        fprintf(stderr, "error: --calibrate goes with --float-layers int8\n");
        return 1;
    }
    if ((o->n_mean || o->n_std) && !o->input_u8) {
        fprintf(stderr, "error: --mean and --std apply to --input-type u8\n");
        return 1;
    }
    if (o->input_u8 && !o->n_mean && !o->n_std && !bnnc_quiet)
        fprintf(stderr, "warning: --input-type u8 without --mean/--std: the network gets "
                        "the bytes 0..255 as they are; give the normalisation it was "
                        "trained with, (x - mean) / std per channel\n");
    for (i = 0; i < o->n_std; i++)
        if (!(o->std[i] != 0.0f)) {
            fprintf(stderr, "error: --std values must be non-zero\n");
            return 1;
        }
    if (o->dump_after && strcmp(o->dump_after, "all") && bnnc_pass_index(o->dump_after) < 0) {
        fprintf(stderr, "error: --dump-after: no pass named '%s' (bnnc --passes lists them)\n",
                o->dump_after);
        return 1;
    }
    if (o->stop_after && bnnc_pass_index(o->stop_after) < 0) {
        fprintf(stderr, "error: --stop-after: no pass named '%s' (bnnc --passes lists them)\n",
                o->stop_after);
        return 1;
    }
    return 0;
}

/* What inspect keeps of one pipeline run: the graph after binarize (the
 * layers as the model has them) and after fold_monotonic, the last pass
 * on the IR (what each binary layer's output became, which activations
 * became thresholds). */
typedef struct {
    ir_graph layers, folded;
    int have_layers, have_folded;
} inspect_snapshots;

static void keep_for_inspect(compile_state *s, const char *pass)
{
    inspect_snapshots *k = s->user;
    if (!strcmp(pass, "binarize")) {
        ir_graph_snapshot(s->g, &k->layers);
        k->have_layers = 1;
    } else if (!strcmp(pass, "fold_monotonic")) {
        ir_graph_snapshot(s->g, &k->folded);
        k->have_folded = 1;
    }
}

static int cmd_inspect(int argc, char **argv)
{
    bnnc_options o;
    cmd_flags f;
    const char *pos[2];
    int npos = 0, compiled, quiet;
    char sym[4096], params[4096];
    ir_graph g;
    lir_program p;
    inspect_codegen cg;
    inspect_snapshots k;
    compile_state s;
    bnnc_err err;

    memset(&o, 0, sizeof o);
    memset(&f, 0, sizeof f);
    memset(&k, 0, sizeof k);
    if (parse_common(argc, argv, &o, &f, pos, &npos))
        return 1;
    if (cli_model_paths(pos[0], npos > 1 ? pos[1] : NULL, sym, params, sizeof sym, &err))
        return fail(&err);
    o.symbol_path = sym;
    o.params_path = params;
    /* one run of the whole pipeline: the layers come from its snapshots,
     * and whether compile accepts the model from how far it got */
    memset(&s, 0, sizeof s);
    s.o = &o;
    s.g = &g;
    s.p = &p;
    s.hook = keep_for_inspect;
    s.user = &k;
    quiet = bnnc_quiet;
    compiled = !compile_run(&s, "import", "plan", &err);
    bnnc_quiet = quiet;
    if (compiled && s.stopped) {
        bnnc_errf(&err, "--stop-after %s: the later passes did not run", o.stop_after);
        lir_free(&p);
        ir_graph_free(&g);
        compiled = 0;
    }
    if (!k.have_layers || (!compiled && f.plan)) {
        if (k.have_layers)
            ir_graph_free(&k.layers);
        if (k.have_folded)
            ir_graph_free(&k.folded);
        return fail(&err);
    }
    if (f.plan && !f.json) {
        plan_print(&p, stdout);
    } else {
        cg.program = compiled ? &p : NULL;
        cg.error = compiled ? "" : err.msg;
        cg.with_plan = f.plan;
        inspect_print(&k.layers, k.have_folded ? &k.folded : NULL, f.json, &cg, stdout);
    }
    ir_graph_free(&k.layers);
    if (k.have_folded)
        ir_graph_free(&k.folded);
    if (compiled) {
        lir_free(&p);
        ir_graph_free(&g);
    }
    /* described, but compile rejects it: the reason is the last line of
     * the description (or the JSON's "error"), and the exit status says so */
    return compiled ? 0 : 2;
}

/* A C identifier from a file name stem ("out/my-net.c" -> "my_net"). */
static void prefix_from_path(const char *path, char *buf, size_t size)
{
    const char *b = strrchr(path, '/');
    size_t i = 0;
    b = b ? b + 1 : path;
    for (; *b && *b != '.' && i + 1 < size; b++) {
        int ok = (*b >= 'a' && *b <= 'z') || (*b >= 'A' && *b <= 'Z') ||
                 (*b >= '0' && *b <= '9' && i > 0) || *b == '_';
        buf[i++] = ok ? *b : '_';
    }
    buf[i] = '\0';
    if (!i)
        snprintf(buf, size, "net");
}

static int valid_identifier(const char *s)
{
    if (!*s || (*s >= '0' && *s <= '9'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static int cmd_compile(int argc, char **argv)
{
    bnnc_options o;
    cmd_flags f;
    const char *pos[2];
    int npos = 0, i;
    char sym[4096], params[4096], cpath[4096], hpath[4096], prefix[128], cmdline[4096];
    size_t n = 0;
    ir_graph g;
    lir_program p;
    emit_options eo;
    bnnc_err err;

    memset(&o, 0, sizeof o);
    memset(&f, 0, sizeof f);
    if (parse_common(argc, argv, &o, &f, pos, &npos))
        return 1;
    if (cli_model_paths(pos[0], npos > 1 ? pos[1] : NULL, sym, params, sizeof sym, &err))
        return fail(&err);
    o.symbol_path = sym;
    o.params_path = params;
    o.calibrate = calibrate_ranges;
    if (f.prefix && strlen(f.prefix) > EMIT_MAX_PREFIX) {
        fprintf(stderr, "error: --prefix is %zu characters long; at most %d are accepted\n",
                strlen(f.prefix), EMIT_MAX_PREFIX);
        return 1;
    }
    if (f.prefix)
        snprintf(prefix, sizeof prefix, "%s", f.prefix);
    else
        prefix_from_path(f.out ? f.out : "net", prefix, EMIT_MAX_PREFIX + 1);
    if (!valid_identifier(prefix)) {
        fprintf(stderr, "error: --prefix '%s' is not a C identifier\n", prefix);
        return 1;
    }
    if (f.out && (strlen(f.out) < 3 || strcmp(f.out + strlen(f.out) - 2, ".c") ||
                  f.out[strlen(f.out) - 3] == '/')) {
        fprintf(stderr, "error: -o %s: -o names the C file to write, which must end in .c "
                        "(the header goes next to it, ending in .h)\n", f.out);
        return 1;
    }
    snprintf(cpath, sizeof cpath, "%s", f.out ? f.out : prefix);
    if (!f.out)
        strncat(cpath, ".c", sizeof cpath - strlen(cpath) - 1);
    snprintf(hpath, sizeof hpath, "%.*sh", (int)(strlen(cpath) - 1), cpath);
    n += (size_t)snprintf(cmdline, sizeof cmdline, "bnnc");
    for (i = 1; i < argc && n < sizeof cmdline; i++)
        n += (size_t)snprintf(cmdline + n, sizeof cmdline - n, " %s", argv[i]);

    if (f.target && !f.report) {
        fprintf(stderr, "error: --target goes with --report\n");
        return 1;
    }
    if (compile_model(&o, &g, &p, &err))
        return fail(&err);
    if (o.stop_after) {
        /* the passes ran as far as asked (and dumped what was asked) */
        lir_free(&p);
        ir_graph_free(&g);
        return 0;
    }
    if (f.target) {
        footprint_estimate fe;
        if (footprint_estimate_for(&p, f.target, &fe)) {
            fprintf(stderr, "error: --target '%s': known targets are %s\n", f.target,
                    footprint_target_list());
            lir_free(&p);
            ir_graph_free(&g);
            return 1;
        }
    }
    memset(&eo, 0, sizeof eo);
    eo.prefix = prefix;
    eo.c_path = cpath;
    eo.h_path = hpath;
    eo.command_line = cmdline;
    eo.symbol_path = sym;
    eo.params_path = params;
    eo.standalone = f.standalone;
    eo.threads = f.threads;
    eo.keep_denormals = f.v.keep_denormals;
    eo.weights = f.weights;
    if (emit_program(&g, &p, &eo, &err)) {
        lir_free(&p);
        ir_graph_free(&g);
        return fail(&err);
    }
    if (f.report) {
        printf("%s: %d steps\n", cpath, p.ns);
        printf("  flash: constants %zu bytes\n", emit_const_bytes(&p));
        printf("  RAM:   arena %zu bytes (lower bound %zu)\n", p.arena_bytes, p.lower_bound);
        plan_print_fusions(&p, stdout);
        if (f.target) {
            footprint_estimate fe;
            size_t k = emit_const_bytes(&p);
            footprint_estimate_for(&p, f.target, &fe);
            printf("  estimate for %s (arm-none-eabi-gcc -Os, --standalone):\n", f.target);
            printf("    flash: code %zu + constants %zu = %zu bytes\n", fe.code, k, fe.code + k);
            printf("    RAM:   arena %zu + stack %zu = %zu bytes\n", p.arena_bytes, fe.stack,
                   p.arena_bytes + fe.stack);
            if (!footprint_target_has_fma(f.target) && lir_uses_conv_fma(&p))
                printf("    note: the float convolutions take fused multiply-adds, a library call\n"
                       "    on the %s several times the cost of a multiply and an add;\n"
                       "    --fma off rounds each product instead\n",
                       f.target);
        }
    }
    lir_free(&p);
    ir_graph_free(&g);
    return 0;
}

static int cmd_verify(int argc, char **argv)
{
    bnnc_options o;
    cmd_flags f;
    const char *pos[2];
    int npos = 0, rc;
    char sym[4096], params[4096];
    bnnc_err err;

    memset(&o, 0, sizeof o);
    memset(&f, 0, sizeof f);
    f.v.atol = 1e-4;
    f.v.rtol = 1e-4;
    f.v.min_top1 = 99.0;
    if (parse_common(argc, argv, &o, &f, pos, &npos))
        return 1;
    if (!f.v.n_in || !f.v.expect_path) {
        fprintf(stderr, "error: verify needs --in X.npy and --expect Y.npy\n");
        return 1;
    }
    if (cli_model_paths(pos[0], npos > 1 ? pos[1] : NULL, sym, params, sizeof sym, &err))
        return fail(&err);
    o.symbol_path = sym;
    o.params_path = params;
    o.cc = f.v.cc;
    o.calibrate = calibrate_ranges;
    rc = verify_run(&o, &f.v, &err);
    if (rc)
        fail(&err);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        fputs(usage_verify, argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    if (!strcmp(argv[1], "--passes")) {
        /* the pipeline, as pipeline.c runs it (docs/compiler.md lists the
         * same rows) */
        int i;
        for (i = 0; bnnc_passes[i].name; i++)
            printf("%-16s %-8s %s\n", bnnc_passes[i].name,
                   bnnc_passes[i].level == PASS_IR ? "IR" : "program", bnnc_passes[i].summary);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("bnnc %s (commit %s)\n", bnnc_version(), bnnc_commit());
        return 0;
    }
    if (!strcmp(argv[1], "inspect"))
        return cmd_inspect(argc, argv);
    if (!strcmp(argv[1], "compile"))
        return cmd_compile(argc, argv);
    if (!strcmp(argv[1], "verify"))
        return cmd_verify(argc, argv);
    fprintf(stderr, "error: unknown command '%s' (see bnnc --help)\n", argv[1]);
    return 1;
}
