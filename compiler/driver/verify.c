/*
 * verify.c - `bnnc verify`: compile a model, build the generated C with
 * the host compiler, run it on a recorded input and compare its output
 * with the recorded expected output (.npy files, e.g. written by MXNet).
 */
#include "verify.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../codegen/emit.h"
#include "../frontend/mxnet/params.h"
#include "../passes/lower.h"
#include "../util/mem.h"

/* The harness built with the model: reads the raw input file, runs the
 * network, writes the raw output. Built with -DNET_PROFILE it is one
 * translation unit with net.c (which it includes), runs the network
 * argv[3] more times, appends each run's NET_STEPS step ticks (uint64, the
 * default hook's nanoseconds) to the file argv[4], and writes to argv[5]
 * one line "kernel variant" per runtime kernel: the variant that kernel's
 * public function calls in this build (the BNN_<FAMILY>_BEST macros of
 * the inlined runtime; portable for every kernel when the model uses no
 * kernel that has variants). */
/* Bitpacked output (LCE's int32 words): every word must equal the
 * expected one bit for bit; prints the words and bits that differ. */
static int compare_bitpacked(const lir_program *p, const mx_array *exp, const char *outpath,
                             bnnc_err *err)
{
    FILE *f = fopen(outpath, "rb");
    size_t i, bad = 0, bits = 0, shown = 0;
    for (i = 0; i < p->output_elems; i++) {
        uint32_t got, want = (uint32_t)(int64_t)mx_array_get(exp, i), d;
        if (!f || fread(&got, 4, 1, f) != 1) {
            if (f)
                fclose(f);
            return bnnc_errf(err, "%s: short output", outpath);
        }
        if ((d = got ^ want) == 0)
            continue;
        bad++;
        for (; d; d &= d - 1)
            bits++;
        if (shown++ < 10)
            printf("  mismatch at word %zu: got 0x%08lx, expected 0x%08lx\n", i,
                   (unsigned long)got, (unsigned long)want);
    }
    fclose(f);
    printf("verify: bitpacked output: %zu words, %zu differ (%zu bits)\n", p->output_elems,
           bad, bits);
    printf("verify: arena %zu bytes (lower bound %zu), constants %zu bytes, %d steps\n",
           p->arena_bytes, p->lower_bound, emit_const_bytes(p), p->ns);
    if (bad) {
        bnnc_errf(err, "%zu of %zu output words differ", bad, p->output_elems);
        return 1;
    }
    return 0;
}

static const char harness[] =
    "#ifdef NET_PROFILE\n"
    "#include \"net.c\" /* first: it sets _POSIX_C_SOURCE for its clock */\n"
    "#include <stdio.h>\n"
    "static int net_variants(FILE *f)\n"
    "{\n"
    "#ifdef BNN_KERNELS\n"
    "#define NET_VARIANT_(FAM, k, args) \\\n"
    "    if (fprintf(f, \"%s %s\\n\", #k, BNN_STR(BNN_##FAM##_BEST)) < 0) \\\n"
    "        return -1;\n"
    "    BNN_KERNELS(NET_VARIANT_)\n"
    "#endif\n"
    "    return fprintf(f, \"* portable\\n\") < 0 ? -1 : 0;\n"
    "}\n"
    "#else\n"
    "#include \"net.h\"\n"
    "#endif\n"
    "#include <stdio.h>\n"
    "#include <stdlib.h>\n"
    "#include <string.h>\n"
    "int main(int argc, char **argv)\n"
    "{\n"
    "    static net_input_t in[NET_INPUT_SIZE];\n"
    "    static net_output_t out[NET_OUTPUT_SIZE];\n"
    "    FILE *f;\n"
    "    int rc;\n"
    "#ifdef NET_PROFILE\n"
    "    FILE *pf;\n"
    "    long r, runs;\n"
    "    if (argc != 6 || (runs = atol(argv[3])) < 1 || !(pf = fopen(argv[4], \"wb\")))\n"
    "        return 2;\n"
    "#else\n"
    "    if (argc != 3)\n"
    "        return 2;\n"
    "#endif\n"
    "    if (!(f = fopen(argv[1], \"rb\")))\n"
    "        return 2;\n"
    "    if (fread(in, sizeof in[0], NET_INPUT_SIZE, f) != NET_INPUT_SIZE)\n"
    "        return 3;\n"
    "    fclose(f);\n"
    "    rc = net_run(in, out);\n"
    "    if (rc) {\n"
    "        fprintf(stderr, \"net_run failed at step %d\\n\", rc);\n"
    "        return 4;\n"
    "    }\n"
    "#ifdef NET_VERIFY_THREADS\n"
    "    {\n"
    "        /* 1 to N threads (the pool grows), N to 1 (more pool threads\n"
    "         * than a run uses), after net_threads_shutdown with a pool from\n"
    "         * net_threads_init, then after a shutdown again (started by the\n"
    "         * runs) */\n"
    "        static net_output_t par[NET_OUTPUT_SIZE];\n"
    "        unsigned long j;\n"
    "        int t, i, nruns = 0, pool = 0;\n"
    "        for (i = 0; i < 4 * NET_VERIFY_THREADS; i++) {\n"
    "            int phase = i / NET_VERIFY_THREADS, k = i % NET_VERIFY_THREADS;\n"
    "            t = phase % 2 ? NET_VERIFY_THREADS - k : k + 1;\n"
    "            if (k == 0 && phase == 2) {\n"
    "                net_threads_shutdown();\n"
    "                pool = net_threads_init(NET_VERIFY_THREADS);\n"
    "            } else if (k == 0 && phase == 3) {\n"
    "                net_threads_shutdown();\n"
    "            }\n"
    "            memset(par, 0xff, sizeof par);\n"
    "            rc = net_run_parallel(in, par, t);\n"
    "            nruns++;\n"
    "            if (rc) {\n"
    "                fprintf(stderr, \"net_run_parallel failed at step %d\\n\", rc);\n"
    "                return 4;\n"
    "            }\n"
    "            for (j = 0; j < NET_OUTPUT_SIZE; j++)\n"
    "                if (memcmp(&par[j], &out[j], sizeof out[j])) {\n"
    "                    fprintf(stderr, \"net_run_parallel on %d threads (run %d): output %lu \"\n"
    "                            \"is %.9g, net_run gives %.9g\\n\", t, nruns, j, (double)par[j],\n"
    "                            (double)out[j]);\n"
    "                    return 6;\n"
    "                }\n"
    "        }\n"
    "        net_threads_shutdown();\n"
    "        printf(\"verify: net_run_parallel on 1 to %d threads: all %lu outputs equal \"\n"
    "               \"net_run's bit for bit (%d runs; net_threads_init gave %d workers)\\n\",\n"
    "               NET_VERIFY_THREADS, (unsigned long)NET_OUTPUT_SIZE, nruns, pool);\n"
    "    }\n"
    "#endif\n"
    "    if (!(f = fopen(argv[2], \"wb\")) ||\n"
    "        fwrite(out, sizeof out[0], NET_OUTPUT_SIZE, f) != NET_OUTPUT_SIZE || fclose(f))\n"
    "        return 5;\n"
    "#ifdef NET_PROFILE\n"
    "    for (r = 0; r < runs; r++) {\n"
    "        if (net_run(in, out))\n"
    "            return 4;\n"
    "        if (fwrite(net_profile_ticks, sizeof net_profile_ticks[0], NET_STEPS, pf) !=\n"
    "            NET_STEPS)\n"
    "            return 5;\n"
    "    }\n"
    "    if (fclose(pf) || !(f = fopen(argv[5], \"w\")) || net_variants(f) || fclose(f))\n"
    "        return 5;\n"
    "#endif\n"
    "    return 0;\n"
    "}\n";

/* Words of a command line given as one string (--cc, CC, --cflags):
 * split at blanks, nothing else interpreted (no quotes, no $, no
 * globbing), so no shell ever reads a path or a flag. */
typedef struct {
    char *buf;
    const char *argv[256];
    int argc;
} argv_list;

static int argv_add(argv_list *a, const char *w)
{
    if (a->argc >= (int)(sizeof a->argv / sizeof a->argv[0]) - 1)
        return -1;
    a->argv[a->argc++] = w;
    a->argv[a->argc] = NULL;
    return 0;
}

static int argv_words(argv_list *a, char *text)
{
    char *w = strtok(text, " \t\n");
    for (; w; w = strtok(NULL, " \t\n"))
        if (argv_add(a, w))
            return -1;
    return 0;
}

/* The command as printed in messages (words separated by blanks). */
static void argv_text(const argv_list *a, char *buf, size_t size)
{
    size_t len = 0;
    int i;
    buf[0] = '\0';
    for (i = 0; i < a->argc && len + 1 < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "", a->argv[i]);
}

/* Runs argv (argv[0] searched in PATH when it has no '/') in directory
 * `cwd` (or the current one) and returns its exit status, 128 when it
 * was killed, 127 when it could not be started, -1 when fork failed. */
static int run_argv(const char *cwd, const char *const *argv)
{
    pid_t pid;
    int status;
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (cwd && chdir(cwd))
            _exit(127);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int write_text(const char *path, const char *text, bnnc_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f))
        return bnnc_errf(err, "%s: cannot write", path);
    return 0;
}

/* Load the only array of a .npy file. */
static int load_npy(const char *path, mx_params *p, bnnc_err *err)
{
    if (mx_params_load(path, p, err))
        return -1;
    if (p->count != 1 || p->arrays[0].is_none)
        return bnnc_errf(err, "%s: expected one array", path);
    return 0;
}

/* mkdir -p: every missing directory of `dir`, mode 0777 less umask. */
static int mkdir_p(const char *dir)
{
    char path[4096];
    size_t i, n = strlen(dir);
    struct stat st;
    if (!n || n >= sizeof path)
        return -1;
    memcpy(path, dir, n + 1);
    for (i = 1; i <= n; i++)
        if (path[i] == '/' || path[i] == '\0') {
            char c = path[i];
            path[i] = '\0';
            if (mkdir(path, 0777) && errno != EEXIST)
                return -1;
            path[i] = c;
        }
    return stat(dir, &st) || !S_ISDIR(st.st_mode) ? -1 : 0;
}

/* Removes the files verify wrote into its temporary directory, then the
 * directory (it holds nothing else). */
static void remove_tree(const char *dir)
{
    static const char *const files[] = {"net.c", "net.h", "net.c.bin", "main.c", "input.bin",
                                        "output.bin", "net", "net-profile",
                                        "profile.bin", "output-profile.bin", "profile.inc",
                                        "variants.txt"};
    char path[4200];
    size_t i;
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (unlink(path) && errno != ENOENT)
            fprintf(stderr, "warning: could not remove %s\n", path);
    }
    if (rmdir(dir))
        fprintf(stderr, "warning: could not remove %s: %s\n", dir, strerror(errno));
}

/* The flags the generated code is built with (verify.h). */
static const char *build_flags(const verify_options *v)
{
    return v->cflags ? v->cflags : v->portable ? VERIFY_CFLAGS_PORTABLE : VERIFY_CFLAGS_NATIVE;
}

/* Builds dir/main.c, with dir/net.c unless main.c includes it (one_tu),
 * into dir/EXE with the host compiler `cc` and build_flags(v) (both split
 * into words at blanks) plus `defines`. */
static int build_net(const verify_options *v, const char *dir, const char *cc, int u8,
                     const char *defines, int one_tu, const char *exe, bnnc_err *err)
{
    char words[8192], text[8192];
    argv_list a;
    size_t len;
    memset(&a, 0, sizeof a);
    len = (size_t)snprintf(words, sizeof words, "%s -std=c99 %s -DNET_INPUT_T=%s %s", cc,
                           build_flags(v), u8 ? "uint8_t" : "float", defines);
    if (len >= sizeof words || argv_words(&a, words) || (!one_tu && argv_add(&a, "net.c")) ||
        argv_add(&a, "main.c") || argv_add(&a, "-o") || argv_add(&a, exe) ||
        argv_add(&a, "-lm") || (v->threads > 1 && argv_add(&a, "-pthread")))
        return bnnc_errf(err, "the compiler command (--cc, --cflags) is too long");
    if (run_argv(dir, a.argv)) {
        argv_text(&a, text, sizeof text);
        return bnnc_errf(err, "building the generated code in %s failed: %s", dir, text);
    }
    return 0;
}

/* The variant of runtime kernel `kernel` in the profiling build, from its
 * variants file (lines "kernel variant", then "* portable" for the rest);
 * "-" for a step that calls no runtime kernel (memcpy). */
static const char *variant_of(const char *vtext, const char *kernel, char *buf, size_t size)
{
    size_t n = strlen(kernel);
    const char *l;
    if (strncmp(kernel, "bnn_", 4))
        return "-";
    for (l = vtext; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if ((!strncmp(l, kernel, n) && l[n] == ' ') || !strncmp(l, "* ", 2)) {
            const char *v = l + (l[0] == '*' ? 2 : n + 1);
            size_t k = strcspn(v, "\n");
            snprintf(buf, size, "%.*s", (int)(k < size ? k : size - 1), v);
            return buf;
        }
    return "?";
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Builds the generated code again with -DNET_PROFILE, runs it
 * v->profile_runs times and prints every step's median time and the
 * variant of the kernel it called. */
static int verify_profile(const lir_program *p, const verify_options *v, const char *dir,
                          const char *cc, const char *inpath, bnnc_err *err)
{
    char exe[4200], nruns[32], path[4200], outpath[4200], vpath[4200], vbuf[32];
    size_t n = (size_t)p->ns, runs = (size_t)v->profile_runs, r, i, got;
    uint64_t *t, *col, total = 0, *med;
    char *vtext;
    FILE *f;
    int rc = -1;

    snprintf(path, sizeof path, "%s/profile.bin", dir);
    snprintf(outpath, sizeof outpath, "%s/output-profile.bin", dir);
    snprintf(vpath, sizeof vpath, "%s/variants.txt", dir);
    if (build_net(v, dir, cc, p->input_type == LIR_U8, "-DNET_PROFILE -DNET_PROFILE_QUIET", 1,
                  "net-profile", err))
        return -1;
    snprintf(exe, sizeof exe, "%s/net-profile", dir);
    snprintf(nruns, sizeof nruns, "%zu", runs);
    {
        const char *const argv[] = {exe, inpath, outpath, nruns, path, vpath, NULL};
        if (run_argv(NULL, argv))
            return bnnc_errf(err, "the profiling build failed to run: %s", exe);
    }
    if (!n)
        return 0;
    t = xmalloc(sizeof *t * n * runs);
    col = xmalloc(sizeof *col * runs);
    med = xmalloc(sizeof *med * n);
    vtext = xcalloc(1, 65536);
    f = fopen(vpath, "r");
    if (!f || !fread(vtext, 1, 65535, f)) {
        if (f)
            fclose(f);
        bnnc_errf(err, "%s: no kernel variants", vpath);
        goto out;
    }
    fclose(f);
    f = fopen(path, "rb");
    got = f ? fread(t, sizeof *t, n * runs, f) : 0;
    if (f)
        fclose(f);
    if (got != n * runs) {
        bnnc_errf(err, "%s: %zu of %zu step times", path, got, n * runs);
        goto out;
    }
    for (i = 0; i < n; i++) {
        for (r = 0; r < runs; r++)
            col[r] = t[r * n + i];
        qsort(col, runs, sizeof *col, cmp_u64);
        med[i] = runs % 2 ? col[runs / 2] : (col[runs / 2 - 1] + col[runs / 2]) / 2;
        total += med[i];
    }
    printf("profile: %zu steps, median of %zu runs (%s %s -DNET_PROFILE), clock_gettime\n",
           n, runs, cc, build_flags(v));
    printf("%5s  %-28s %-22s %-9s %10s %6s  %s\n", "step", "node", "kernel", "variant", "us",
           "share", "what");
    for (i = 0; i < n; i++) {
        const lir_step *s = &p->s[i];
        const char *k = lir_kind_kernel(s->kind);
        printf("%5zu  %-28.28s %-22.22s %-9.9s %10.3f %5.1f%%  %s\n", i + 1,
               s->node_name[0] ? s->node_name : "(output)", strncmp(k, "bnn_", 4) ? k : k + 4,
               variant_of(vtext, k, vbuf, sizeof vbuf), (double)med[i] / 1e3,
               total ? 100.0 * (double)med[i] / (double)total : 0.0, s->what);
    }
    printf("%5s  %-28s %-22s %-9s %10.3f %5.1f%%\n", "", "total (sum of medians)", "", "",
           (double)total / 1e3, 100.0);
    rc = 0;
out:
    free(t);
    free(col);
    free(med);
    free(vtext);
    return rc;
}

/* When `have` input elements are a whole number of samples of a
 * single-input model that takes `want`, " (K samples of C,H,W): compile
 * for all of them with --input NAME=K,C,H,W" into buf; else "". */
static void batch_hint(const bnnc_options *o, size_t have, size_t want, char *buf,
                       size_t size)
{
    const ir_shape *s;
    size_t per, len;
    int d;
    buf[0] = '\0';
    if (o->n_inputs != 1 || !want)
        return;
    s = &o->inputs[0].shape;
    per = want / (size_t)(s->d[0] > 0 ? s->d[0] : 1);
    if (s->ndim < 2 || !per || have % per)
        return;
    len = (size_t)snprintf(buf, size, " (%zu samples", have / per);
    for (d = 1; d < s->ndim && len < size; d++)
        len += (size_t)snprintf(buf + len, size - len, "%s%lld", d == 1 ? " of " : ",",
                                (long long)s->d[d]);
    if (len < size)
        len += (size_t)snprintf(buf + len, size - len, "): to run them all, give --input %s=%zu",
                                o->inputs[0].name, have / per);
    for (d = 1; d < s->ndim && len < size; d++)
        len += (size_t)snprintf(buf + len, size - len, ",%lld", (long long)s->d[d]);
}

int verify_run(const bnnc_options *o, const verify_options *v, bnnc_err *err)
{
    char dir[4096], cpath[4200], hpath[4200], mpath[4200], inpath[4200], outpath[4200],
        exe[4200], cmdline[512], hint[256], defines[64];
    const char *const run[] = {exe, inpath, outpath, NULL};
    ir_graph g;
    lir_program p;
    emit_options eo;
    mx_params xin, xexp;
    double *got = NULL;
    const char *cc = v->cc ? v->cc : (getenv("CC") ? getenv("CC") : "cc");
    int rc = -1, u8 = o->input_u8;
    size_t i, rows, per, bad = 0, agree = 0, shown = 0, total = 0, lsb1 = 0;
    int k;
    double maxabs = 0, maxrel = 0, sumabs = 0, maxexp = 0;
    FILE *f;

    memset(&xin, 0, sizeof xin);
    memset(&xexp, 0, sizeof xexp);
    if (v->keep_dir) {
        snprintf(dir, sizeof dir, "%s", v->keep_dir);
        if (mkdir_p(dir))
            return bnnc_errf(err, "%s: cannot create directory", dir);
    } else {
        snprintf(dir, sizeof dir, "/tmp/bnnc-verify-XXXXXX");
        if (!mkdtemp(dir))
            return bnnc_errf(err, "cannot create a temporary directory");
    }
    snprintf(cpath, sizeof cpath, "%s/net.c", dir);
    snprintf(hpath, sizeof hpath, "%s/net.h", dir);
    snprintf(mpath, sizeof mpath, "%s/main.c", dir);
    snprintf(inpath, sizeof inpath, "%s/input.bin", dir);
    snprintf(outpath, sizeof outpath, "%s/output.bin", dir);

    if (compile_model(o, &g, &p, err))
        goto out_dir;
    memset(&eo, 0, sizeof eo);
    snprintf(cmdline, sizeof cmdline, "bnnc verify (standalone build)");
    eo.prefix = "net";
    eo.c_path = cpath;
    eo.h_path = hpath;
    eo.command_line = cmdline;
    eo.symbol_path = o->symbol_path;
    eo.params_path = o->params_path;
    eo.standalone = 1;
    eo.keep_denormals = v->keep_denormals;
    eo.threads = v->threads > 1;
    if (emit_program(&g, &p, &eo, err) || write_text(mpath, harness, err))
        goto out_model;

    /* inputs, one after another; checked before the expected output, which
     * must come from the same samples */
    f = fopen(inpath, "wb");
    if (!f) {
        bnnc_errf(err, "%s: cannot write", inpath);
        goto out_model;
    }
    for (k = 0; k < v->n_in; k++) {
        if (load_npy(v->in_paths[k], &xin, err)) {
            fclose(f);
            goto out_model;
        }
        total += xin.arrays[0].count;
        for (i = 0; i < xin.arrays[0].count; i++) {
            double x = mx_array_get(&xin.arrays[0], i);
            if (p.input_type == LIR_BITS) {
                /* bitpacked words, as the .npy holds them (int32) */
                uint32_t w = (uint32_t)(int64_t)x;
                fwrite(&w, 4, 1, f);
            } else if (p.input_type == LIR_I8) {
                /* the model's own int8 values (the .npy holds them) */
                signed char b = (signed char)(x < -128 ? -128 : x > 127 ? 127 : x);
                fwrite(&b, 1, 1, f);
            } else if (u8) {
                unsigned char b = (unsigned char)(x < 0 ? 0 : x > 255 ? 255 : x + 0.5);
                fwrite(&b, 1, 1, f);
            } else {
                float fx = (float)x;
                fwrite(&fx, 4, 1, f);
            }
        }
        mx_params_free(&xin);
    }
    fclose(f);
    if (total != p.input_elems) {
        batch_hint(o, total, p.input_elems, hint, sizeof hint);
        bnnc_errf(err, "%s hold%s %zu elements, the model takes %zu%s",
                  v->n_in == 1 ? v->in_paths[0] : "the --in files", v->n_in == 1 ? "s" : "",
                  total, p.input_elems, hint);
        goto out_model;
    }
    if (load_npy(v->expect_path, &xexp, err))
        goto out_model;
    if (xexp.arrays[0].count != p.output_elems) {
        bnnc_errf(err, "%s: %zu elements, the model produces %zu for the %s given%s",
                  v->expect_path, xexp.arrays[0].count, p.output_elems,
                  v->n_in == 1 ? v->in_paths[0] : "--in files",
                  xexp.arrays[0].count % (p.output_elems ? p.output_elems : 1) ? ""
                      : "; are the expected outputs for other inputs than --in?");
        goto out_model;
    }

    /* build and run */
    defines[0] = '\0';
    if (v->threads > 1)
        snprintf(defines, sizeof defines, "-DNET_VERIFY_THREADS=%d", v->threads);
    if (build_net(v, dir, cc, u8, defines, 0, "net", err))
        goto out_model;
    snprintf(exe, sizeof exe, "%s/net", dir);
    if ((rc = run_argv(NULL, run)) != 0) {
        bnnc_errf(err, "the generated program failed (exit %d)", rc);
        rc = -1;
        goto out_model;
    }
    rc = -1;
    if (p.output_type == LIR_BITS) {
        rc = compare_bitpacked(&p, &xexp.arrays[0], outpath, err);
        goto out_model;
    }
    got = xmalloc(sizeof(double) * (p.output_elems ? p.output_elems : 1));
    f = fopen(outpath, "rb");
    if (p.output_type == LIR_I64) {
        /* int64 output (indices): exact below 2^53, far beyond any axis */
        for (i = 0; f && i < p.output_elems; i++) {
            unsigned char b[8];
            uint64_t u = 0;
            int j;
            if (fread(b, 1, 8, f) != 8)
                break;
            for (j = 7; j >= 0; j--)
                u = u << 8 | b[j];
            got[i] = (double)(int64_t)u;
        }
        if (!f || i != p.output_elems) {
            if (f)
                fclose(f);
            bnnc_errf(err, "%s: short output", outpath);
            goto out_model;
        }
    } else if (p.output_type == LIR_I8) {
        /* int8 output: read the bytes, compare their values */
        for (i = 0; f && i < p.output_elems; i++) {
            int c = fgetc(f);
            if (c == EOF)
                break;
            got[i] = (float)(signed char)(unsigned char)c;
        }
        if (!f || i != p.output_elems) {
            if (f)
                fclose(f);
            bnnc_errf(err, "%s: short output", outpath);
            goto out_model;
        }
    } else {
        for (i = 0; f && i < p.output_elems; i++) {
            float fv;
            if (fread(&fv, sizeof fv, 1, f) != 1)
                break;
            got[i] = fv;
        }
        if (!f || i != p.output_elems) {
            if (f)
                fclose(f);
            bnnc_errf(err, "%s: short output", outpath);
            goto out_model;
        }
    }
    fclose(f);

    /* compare */
    rows = xexp.arrays[0].ndim >= 1 && xexp.arrays[0].shape[0] > 0
               ? (size_t)xexp.arrays[0].shape[0] : 1;
    per = p.output_elems / rows;
    for (i = 0; i < p.output_elems; i++) {
        double e = mx_array_get(&xexp.arrays[0], i), a = got[i];
        double d = fabs(a - e);
        /* equal infinities agree (their difference is NaN); int8 outputs
         * agree within one step of the quantisation (1 LSB: TFLite's and
         * bnnc's float roundings before an int8 rounding may differ) */
        int ok = a == e ||
                 (p.output_type != LIR_I64 &&
                  (d <= v->atol + v->rtol * fabs(e) || (isnan(a) && isnan(e)))) ||
                 (p.output_type == LIR_I8 && d <= 1.0) ||
                 (o->float_layers_int8 && !v->tol_given && p.output_type != LIR_I64);
        lsb1 += p.output_type == LIR_I8 && d == 1.0;
        if (a == e)
            d = 0;
        sumabs += isnan(d) ? 0 : d;
        if (fabs(e) > maxexp)
            maxexp = fabs(e);
        if (d > maxabs || isnan(d))
            maxabs = isnan(d) ? INFINITY : d;
        if (fabs(e) > 1e-6 && d / fabs(e) > maxrel)
            maxrel = d / fabs(e);
        if (!ok) {
            if (shown < 10)
                printf("  mismatch at %zu: got %.9g, expected %.9g (|diff| %.3g)\n", i, a, e, d);
            shown++;
            bad++;
        }
    }
    for (i = 0; i < rows; i++) {
        size_t j, ag = 0, ae = 0;
        for (j = 1; j < per; j++) {
            if (got[i * per + j] > got[i * per + ag])
                ag = j;
            if (mx_array_get(&xexp.arrays[0], i * per + j) >
                mx_array_get(&xexp.arrays[0], i * per + ae))
                ae = j;
        }
        agree += ag == ae;
    }
    printf("verify: %zu outputs, max |diff| %.3g, max rel %.3g, top-1 agreement %zu/%zu (%.2f%%), "
           "%zu outside atol %.3g + rtol %.3g\n",
           p.output_elems, maxabs, maxrel, agree, rows, 100.0 * (double)agree / (double)rows, bad,
           v->atol, v->rtol);
    if (p.output_type == LIR_I64)
        printf("verify: int64 output (indices): %zu of %zu equal, compared exactly\n",
               p.output_elems - bad, p.output_elems);
    if (p.output_type == LIR_I8)
        printf("verify: int8 output: %zu of %zu differ by 1 LSB (scale %.9g, zero point %d), "
               "%zu by more\n", lsb1, p.output_elems, p.out_scale, (int)p.out_zp, bad);
    if (o->float_layers_int8)
        printf("verify: --float-layers int8: deviation from the expected output: max |diff| "
               "%.3g (%.3g of max |expected| %.3g), mean |diff| %.3g; top-1 agreement %.2f%% "
               "(at least %.2f%% required)\n",
               maxabs, maxexp > 0 ? maxabs / maxexp : 0.0, maxexp,
               p.output_elems ? sumabs / (double)p.output_elems : 0.0,
               100.0 * (double)agree / (double)rows, v->min_top1);
    printf("verify: arena %zu bytes (lower bound %zu), constants %zu bytes, %d steps\n",
           p.arena_bytes, p.lower_bound, emit_const_bytes(&p), p.ns);
    rc = bad ? 1 : 0;
    if (bad)
        bnnc_errf(err, "%zu of %zu outputs differ beyond tolerance", bad, p.output_elems);
    else if (o->float_layers_int8 && 100.0 * (double)agree < v->min_top1 * (double)rows) {
        rc = 1;
        bnnc_errf(err, "top-1 agreement %.2f%% (%zu of %zu) is below --min-top1 %.2f%%",
                  100.0 * (double)agree / (double)rows, agree, rows, v->min_top1);
    }
    else if (v->profile_runs > 0 && verify_profile(&p, v, dir, cc, inpath, err))
        rc = -1;
out_model:
    free(got);
    mx_params_free(&xin);
    mx_params_free(&xexp);
    lir_free(&p);
    ir_graph_free(&g);
out_dir:
    if (!v->keep_dir)
        remove_tree(dir);
    return rc;
}

int verify_host_program(const char *dir, const char *cc, const char *flags,
                        const char *const *args, bnnc_err *err)
{
    verify_options v;
    char exe[4200], text[8192];
    const char *argv[16];
    int i, rc;
    memset(&v, 0, sizeof v);
    v.cflags = flags;
    if (!cc)
        cc = getenv("CC") ? getenv("CC") : "cc";
    if (build_net(&v, dir, cc, 0, "", 0, "net", err))
        return -1;
    snprintf(exe, sizeof exe, "%s/net", dir);
    argv[0] = exe;
    for (i = 0; args[i] && i < 14; i++)
        argv[i + 1] = args[i];
    argv[i + 1] = NULL;
    if ((rc = run_argv(NULL, argv)) != 0) {
        snprintf(text, sizeof text, "%s", exe);
        return bnnc_errf(err, "%s failed (exit %d)", text, rc);
    }
    return 0;
}

void verify_remove_dir(const char *dir)
{
    remove_tree(dir);
}
