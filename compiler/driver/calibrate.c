/*
 * calibrate.c - the ranges of the float tensors that --float-layers int8
 * quantises, measured on the calibration samples (--calibrate X.npy).
 *
 * The float network is compiled the usual way, with the tensors to
 * measure as its outputs (quant_float_refs), into a temporary directory;
 * a small harness built with the host C compiler runs it on every sample
 * of X.npy and prints each tensor's smallest and largest value; the
 * quantize_float pass then chooses the int8 parameters from them. Nothing
 * of this reaches the generated model: the runtime has no calibration
 * code, and the compiler runs no Python.
 *
 * The harness is built with the portable kernels and without floating
 * contraction (CALIBRATE_CFLAGS), so the ranges, and with them the
 * generated model, are the same on every host.
 */
#include "calibrate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../codegen/emit.h"
#include "../frontend/mxnet/params.h"
#include "../util/mem.h"
#include "verify.h"

#define CALIBRATE_CFLAGS "-O2 -ffp-contract=off -DBNN_FORCE_PORTABLE=1"

/* The harness: argv[1] the samples (raw floats, NET_INPUT_SIZE each),
 * argv[2] the sample count, argv[3] where to write one line "lo hi" per
 * output segment (the seg table the generator prepends). */
static const char harness_body[] =
    "#include \"net.h\"\n"
    "#include <math.h>\n"
    "#include <stdio.h>\n"
    "#include <stdlib.h>\n"
    "int main(int argc, char **argv)\n"
    "{\n"
    "    static net_input_t in[NET_INPUT_SIZE];\n"
    "    static net_output_t out[NET_OUTPUT_SIZE];\n"
    "    static double lo[NSEG], hi[NSEG];\n"
    "    long k, n;\n"
    "    unsigned long i, at;\n"
    "    int s;\n"
    "    FILE *f, *o;\n"
    "    if (argc != 4 || (n = atol(argv[2])) < 1 || !(f = fopen(argv[1], \"rb\")))\n"
    "        return 2;\n"
    "    for (s = 0; s < NSEG; s++)\n"
    "        lo[s] = INFINITY, hi[s] = -INFINITY;\n"
    "    for (k = 0; k < n; k++) {\n"
    "        if (fread(in, sizeof in[0], NET_INPUT_SIZE, f) != NET_INPUT_SIZE)\n"
    "            return 3;\n"
    "        if (net_run(in, out))\n"
    "            return 4;\n"
    "        for (s = 0, at = 0; s < NSEG; at += seg[s++])\n"
    "            for (i = 0; i < seg[s]; i++) {\n"
    "                double v = (double)out[at + i];\n"
    "                if (v < lo[s])\n"
    "                    lo[s] = v;\n"
    "                if (v > hi[s])\n"
    "                    hi[s] = v;\n"
    "            }\n"
    "    }\n"
    "    fclose(f);\n"
    "    if (!(o = fopen(argv[3], \"w\")))\n"
    "        return 5;\n"
    "    for (s = 0; s < NSEG; s++)\n"
    "        fprintf(o, \"%.17g %.17g\\n\", lo[s], hi[s]);\n"
    "    return fclose(o) ? 5 : 0;\n"
    "}\n";

/* The samples of X.npy as raw floats in dir/input.bin; their count in *n.
 * X must be float32 with the model input's shape but for the first axis,
 * a whole number of the model's batches. */
static int write_samples(const bnnc_options *o, const char *path, const char *dir,
                         size_t per_run, long *n, bnnc_err *err)
{
    mx_params x;
    const mx_array *a;
    const ir_shape *s = &o->inputs[0].shape;
    char buf[4200], want[160];
    size_t len = 0, i, batch, per, k;
    FILE *f;
    int d, ok, rc = -1;

    memset(&x, 0, sizeof x);
    for (d = 1; d < s->ndim && len < sizeof want; d++)
        len += (size_t)snprintf(want + len, sizeof want - len, ", %lld", (long long)s->d[d]);
    f = fopen(path, "rb");
    if (!f)
        return bnnc_errf(err, "--calibrate %s: cannot open: %s", path, strerror(errno));
    fclose(f);
    if (mx_params_load(path, &x, err))
        return -1;
    if (x.count != 1 || x.arrays[0].is_none) {
        bnnc_errf(err, "--calibrate %s: expected one array (samples, as --in takes them)", path);
        goto out;
    }
    a = &x.arrays[0];
    if (a->dtype != MX_F32) {
        bnnc_errf(err, "--calibrate %s: the samples are %s, expected float32", path,
                  mx_dtype_name(a->dtype));
        goto out;
    }
    if (a->ndim != s->ndim || a->shape[0] < 1)
        goto shape;
    for (d = 1; d < s->ndim; d++)
        if (a->shape[d] != s->d[d])
            goto shape;
    batch = s->d[0] > 0 ? (size_t)s->d[0] : 1;
    per = per_run / batch;
    BNNC_ASSERT(per > 0 && per * batch == per_run && a->count % per == 0);
    for (i = 0; i < a->count; i++) {
        float v;
        memcpy(&v, a->data + i * 4u, 4);
        if (!isfinite(v)) {
            bnnc_errf(err, "--calibrate %s: value %zu is not finite", path, i);
            goto out;
        }
    }
    /* runs of the model's batch, the last one filled up with the first
     * samples again (a repeat changes no range) */
    k = a->count / per;
    *n = (long)((k + batch - 1) / batch);
    snprintf(buf, sizeof buf, "%s/input.bin", dir);
    f = fopen(buf, "wb");
    ok = f && fwrite(a->data, 4, a->count, f) == a->count;
    for (i = k; ok && i < (size_t)*n * batch; i++)
        ok = fwrite(a->data + (i - k) % k * per * 4u, 4, per, f) == per;
    if (f && fclose(f))
        ok = 0;
    if (!ok) {
        bnnc_errf(err, "%s: cannot write", buf);
        goto out;
    }
    rc = 0;
    goto out;
shape:
    {
        char got[160];
        size_t gl = 0;
        for (d = 0; d < a->ndim && gl < sizeof got; d++)
            gl += (size_t)snprintf(got + gl, sizeof got - gl, "%s%lld", d ? ", " : "",
                                   (long long)a->shape[d]);
        bnnc_errf(err, "--calibrate %s: shape (%s), expected (K%s): K samples of the input "
                  "'%s'", path, got, want, o->inputs[0].name);
    }
out:
    mx_params_free(&x);
    return rc;
}

int calibrate_ranges(const bnnc_options *o, const ir_graph *g, quant_range **ranges,
                     int *n_ranges, bnnc_err *err)
{
    ir_ref *refs;
    int nr = quant_float_refs(g, &refs), i, rc = -1;
    char dir[64], path[4200], cpath[4200], hpath[4200], arg_n[32], *harness = NULL;
    ir_graph c;
    lir_program p;
    bnnc_options co = *o;
    compile_state cs;
    emit_options eo;
    size_t len, cap;
    long n = 0;
    FILE *f;

    *ranges = NULL;
    *n_ranges = 0;
    if (!o->calibrate_path) {
        free(refs);
        return bnnc_errf(err, "--float-layers int8 needs --calibrate X.npy: samples of the "
                         "input to choose the int8 ranges from");
    }
    if (o->n_inputs != 1) {
        free(refs);
        return bnnc_errf(err, "--calibrate: the model has %d data inputs; calibration takes "
                         "models with one", o->n_inputs);
    }
    if (!nr) {
        free(refs);
        bnnc_warnf("--float-layers int8: the model has no float convolution or dense layer to "
                   "run in int8 (the classifier stays float32); nothing changes");
        return 0;
    }
    snprintf(dir, sizeof dir, "/tmp/bnnc-calibrate-XXXXXX");
    if (!mkdtemp(dir)) {
        free(refs);
        return bnnc_errf(err, "cannot create a temporary directory");
    }

    /* the float network, its outputs the tensors to measure */
    ir_graph_snapshot(g, &c);
    free(c.heads);
    c.heads = xmalloc(sizeof *c.heads * (size_t)nr);
    memcpy(c.heads, refs, sizeof *refs * (size_t)nr);
    c.n_heads = nr;
    ir_uses_rebuild(&c);
    ir_mark_dead(&c);
    ir_compact(&c);
    co.dump_after = co.stop_after = NULL;
    co.float_layers_int8 = 0;
    lir_init(&p);
    memset(&cs, 0, sizeof cs);
    cs.o = &co;
    cs.g = &c;
    cs.p = &p;
    if (compile_run(&cs, "lower", "plan", err))
        goto out_dir; /* compile_run freed c and p */
    snprintf(cpath, sizeof cpath, "%s/net.c", dir);
    snprintf(hpath, sizeof hpath, "%s/net.h", dir);
    memset(&eo, 0, sizeof eo);
    eo.prefix = "net";
    eo.c_path = cpath;
    eo.h_path = hpath;
    eo.command_line = "bnnc calibration build";
    eo.symbol_path = o->symbol_path;
    eo.params_path = o->params_path;
    eo.standalone = 1;
    if (emit_program(&c, &p, &eo, err))
        goto out_model;

    /* the harness, with the element count of every output */
    cap = 256 + (size_t)nr * 24 + sizeof harness_body;
    harness = xmalloc(cap);
    len = (size_t)snprintf(harness, cap, "#define NSEG %d\nstatic const unsigned long seg[] = {",
                           nr);
    for (i = 0; i < nr; i++) {
        const ir_node *h = c.nodes[c.heads[i].node];
        len += (size_t)snprintf(harness + len, cap - len, "%s%lldul", i ? ", " : "",
                                (long long)ir_shape_count(&h->shape[c.heads[i].out]));
    }
    len += (size_t)snprintf(harness + len, cap - len, "};\n%s", harness_body);
    snprintf(path, sizeof path, "%s/main.c", dir);
    f = fopen(path, "w");
    if (!f || fputs(harness, f) < 0 || fclose(f)) {
        bnnc_errf(err, "%s: cannot write", path);
        goto out_model;
    }
    if (write_samples(o, o->calibrate_path, dir, p.input_elems, &n, err))
        goto out_model;
    snprintf(arg_n, sizeof arg_n, "%ld", n);
    {
        char in[4200], out[4200];
        const char *args[] = {in, arg_n, out, NULL};
        snprintf(in, sizeof in, "%s/input.bin", dir);
        snprintf(out, sizeof out, "%s/output.bin", dir);
        if (verify_host_program(dir, o->cc, CALIBRATE_CFLAGS, args, err))
            goto out_model;
        f = fopen(out, "r");
        if (!f) {
            bnnc_errf(err, "%s: the calibration run wrote nothing", out);
            goto out_model;
        }
        *ranges = xmalloc(sizeof **ranges * (size_t)nr);
        for (i = 0; i < nr; i++)
            if (fscanf(f, "%lf %lf", &(*ranges)[i].lo, &(*ranges)[i].hi) != 2)
                break;
        fclose(f);
        if (i != nr) {
            free(*ranges);
            *ranges = NULL;
            bnnc_errf(err, "%s: %d of %d ranges", out, i, nr);
            goto out_model;
        }
    }
    for (i = 0; i < nr; i++)
        if (!isfinite((*ranges)[i].lo) || !isfinite((*ranges)[i].hi)) {
            const ir_node *h = g->nodes[refs[i].node];
            ir_node_errf(g, h, err, "its values on the calibration samples are not finite "
                         "([%g, %g]): it cannot be quantised", (*ranges)[i].lo,
                         (*ranges)[i].hi);
            free(*ranges);
            *ranges = NULL;
            goto out_model;
        }
    *n_ranges = nr;
    rc = 0;
out_model:
    lir_free(&p);
    ir_graph_free(&c);
out_dir:
    free(harness);
    free(refs);
    verify_remove_dir(dir);
    return rc;
}
