/*
 * footprint.c - estimate a model's code and stack on a core from the
 * per-kernel table measured by scripts/footprint --update-table.
 *
 * Code: the kernels the program's steps call share functions (a checker,
 * a pixel walk, libgcc's soft-float routines on the M0+...): the table
 * lists, per kernel, the symbols its probe build added to a bare firmware
 * with their sizes, so the estimate adds each symbol once, plus bytes the
 * probe added outside named symbols, plus a per-step cost of the
 * generated run function (call and constant parameter struct).
 * Stack: the run function's frame plus the deepest call chain of the
 * kernels used (GCC -fstack-usage frames along the probe's call graph);
 * the depthwise path of bnn_conv2d_f32 has its own, larger entry.
 */
#include "footprint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *kernel;
    int extra;            /* probe bytes outside the symbols below */
    int stack;            /* deepest chain from the kernel */
    const char *symbols;  /* space-separated "name=bytes", sizes as in this
                             kernel's probe build */
} fp_kernel;

typedef struct {
    const char *name;
    int step_bytes;       /* run function and parameter struct per step */
    int run_frame;        /* stack frames of <prefix>_run and _run_with_arena */
    const fp_kernel *kernels;
} fp_target;

#include "footprint_table.h"

static const fp_kernel *find_kernel(const fp_target *t, const char *name)
{
    const fp_kernel *k;
    for (k = t->kernels; k->kernel; k++)
        if (!strcmp(k->kernel, name))
            return k;
    return NULL;
}

/* Length of the name in a "name=bytes" item, and its bytes. */
static size_t item_name(const char *item, size_t len, int *bytes)
{
    size_t n = 0;
    while (n < len && item[n] != '=')
        n++;
    *bytes = n < len ? atoi(item + n + 1) : 0;
    return n;
}

/* Is a symbol named name[0..len) in the space-separated item list? */
static int listed(const char *list, const char *name, size_t len)
{
    while (*list) {
        size_t n = strcspn(list, " "), nl;
        int bytes;
        nl = item_name(list, n, &bytes);
        if (nl == len && !strncmp(list, name, len))
            return 1;
        list += n;
        while (*list == ' ')
            list++;
    }
    return 0;
}

/* Number of kernels named in a "a+b+c" set entry (1 for a single kernel). */
static int set_size(const char *name)
{
    int n = 1;
    for (; *name; name++)
        n += *name == '+';
    return n;
}

/* Replace single kernels of one runtime file by the largest probed set
 * entry ("a+b") they make up: kernels of a file share static helpers
 * that a single-kernel probe inlines into its caller, so the sum of
 * single probes counts them twice. Largest sets first, as scripts/footprint
 * does. Returns the new count of entries in used. */
static int cover_sets(const fp_target *t, const fp_kernel **used, int nused)
{
    const fp_kernel *k, *out[LK_COUNT + LIR_STREAM_KERNELS + 1];
    char taken[LK_COUNT + LIR_STREAM_KERNELS + 1] = {0};
    int nout = 0, i, size, best = 0;
    for (k = t->kernels; k->kernel; k++)
        if (set_size(k->kernel) > best)
            best = set_size(k->kernel);
    for (size = best; size >= 2; size--) {
        for (k = t->kernels; k->kernel; k++) {
            const char *m = k->kernel;
            int hit[LK_COUNT + LIR_STREAM_KERNELS + 1], nhit = 0, ok = set_size(m) == size;
            while (ok && *m) {
                size_t n = strcspn(m, "+");
                int found = -1;
                for (i = 0; i < nused && found < 0; i++)
                    if (!taken[i] && strlen(used[i]->kernel) == n &&
                        !strncmp(used[i]->kernel, m, n))
                        found = i;
                if (found < 0)
                    ok = 0;
                else
                    hit[nhit++] = found;
                m += n + (m[n] == '+');
            }
            if (!ok)
                continue;
            for (i = 0; i < nhit; i++)
                taken[hit[i]] = 1;
            out[nout++] = k;
        }
    }
    for (i = 0; i < nused; i++)
        if (!taken[i])
            out[nout++] = used[i];
    memcpy(used, out, sizeof *used * (size_t)nout);
    return nout;
}

int footprint_estimate_for(const lir_program *p, const char *target, footprint_estimate *e)
{
    const fp_target *t = NULL;
    const fp_kernel *used[LK_COUNT + LIR_STREAM_KERNELS + 1];
    int nused = 0, i, j;
    size_t code = 0, stack = 0;
    for (i = 0; i < (int)(sizeof fp_targets / sizeof *fp_targets); i++)
        if (!strcmp(fp_targets[i].name, target))
            t = &fp_targets[i];
    if (!t)
        return -1;
    for (i = 0; i < p->ns; i++) {
        const lir_step *s = &p->s[i];
        /* a streamed convolution's probe holds the rows driver it uses;
         * the per-element kernels it calls count as their own */
        const char *names[LIR_STREAM_KERNELS + 2];
        int nn = lir_step_kernels(s, names, 0), m;
        if (s->kind == LK_CONV_F32 && s->p.conv.groups == s->p.conv.in_c &&
            s->p.conv.groups == s->p.conv.out_c)
            names[0] = "bnn_conv2d_f32:depthwise";
        for (m = 0; m < nn; m++) {
            const fp_kernel *k = find_kernel(t, names[m]);
            int seen = 0;
            if (!k)
                continue;
            for (j = 0; j < nused; j++)
                seen |= used[j] == k;
            if (!seen && nused < LK_COUNT + LIR_STREAM_KERNELS)
                used[nused++] = k;
        }
    }
    nused = cover_sets(t, used, nused);
    for (i = 0; i < nused; i++) {
        const char *s = used[i]->symbols;
        code += (size_t)used[i]->extra;
        if ((size_t)used[i]->stack > stack)
            stack = (size_t)used[i]->stack;
        /* each symbol once: count it at its first listing kernel */
        while (*s) {
            size_t n = strcspn(s, " "), nl;
            int earlier = 0, bytes;
            nl = item_name(s, n, &bytes);
            for (j = 0; j < i && !earlier; j++)
                earlier = listed(used[j]->symbols, s, nl);
            if (!earlier)
                code += (size_t)bytes;
            s += n;
            while (*s == ' ')
                s++;
        }
    }
    e->code = code + (size_t)p->ns * (size_t)t->step_bytes;
    e->stack = stack + (size_t)t->run_frame;
    return 0;
}

/* Cores whose FPU has no single-precision fused multiply-add (or that
 * have no FPU): fmaf is a library call there. */
static const char *const no_fma_targets[] = {"cortex-m0plus"};

int footprint_target_has_fma(const char *target)
{
    size_t i;
    for (i = 0; i < sizeof no_fma_targets / sizeof *no_fma_targets; i++)
        if (!strcmp(no_fma_targets[i], target))
            return 0;
    return 1;
}

const char *footprint_target_list(void)
{
    static char buf[256];
    size_t i, n = 0;
    buf[0] = '\0';
    for (i = 0; i < sizeof fp_targets / sizeof *fp_targets && n < sizeof buf; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", i ? ", " : "", fp_targets[i].name);
    return buf;
}
