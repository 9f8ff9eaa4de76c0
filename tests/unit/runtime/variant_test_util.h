/*
 * variant_test_util.h - the compiled-in variants of a kernel, for the
 * tests that compare every variant with the portable one (CMocka tests and
 * the cross driver tests/cross/runtime_equivalence.c, which has no
 * CMocka).
 *
 * vt_variants() refuses a list in which a "variant" could silently be the
 * portable code compared with itself: the first entry must be portable,
 * names must be distinct and no other entry may share the portable entry
 * point. The CMocka test test_variants.c checks, on a native SIMD build,
 * that the variants the host's CPU supports are all in the list.
 */
#ifndef VARIANT_TEST_UTIL_H
#define VARIANT_TEST_UTIL_H

#include "bnn.h"

#include <stdio.h>
#include <string.h>

#define VT_MAX_VARIANTS 8

#if defined(__GNUC__)
#define VT_UNUSED __attribute__((unused))
#else
#define VT_UNUSED
#endif

/* Fills names[] and fns[] (VT_MAX_VARIANTS entries each; fns may be
 * NULL) with the variants of public kernel `kernel`, portable first and
 * the one the public function calls last. Returns their number, or -1
 * (with a message on stderr) when the kernel is unknown or the list is
 * inconsistent. */
static VT_UNUSED int vt_variants(const char *kernel, const char **names, bnn_any_fn *fns)
{
    int count, i, j, n = 0;
    const bnn_kernel_variant *all = bnn_kernel_variants(&count);
    bnn_any_fn f[VT_MAX_VARIANTS];
    for (i = 0; i < count; i++) {
        if (strcmp(all[i].kernel, kernel) != 0)
            continue;
        if (n == VT_MAX_VARIANTS) {
            fprintf(stderr, "%s: more than %d variants\n", kernel, VT_MAX_VARIANTS);
            return -1;
        }
        names[n] = all[i].variant;
        f[n] = all[i].fn;
        if (!f[n]) {
            fprintf(stderr, "%s: variant %s has no entry point\n", kernel, names[n]);
            return -1;
        }
        for (j = 0; j < n; j++)
            if (!strcmp(names[j], names[n]) || f[j] == f[n]) {
                fprintf(stderr, "%s: variants %s and %s are the same\n", kernel,
                        names[j], names[n]);
                return -1;
            }
        if (fns)
            fns[n] = f[n];
        n++;
    }
    if (n == 0 || strcmp(names[0], "portable") != 0) {
        fprintf(stderr, "%s: not a kernel, or its first variant is not portable\n",
                kernel);
        return -1;
    }
    if (!bnn_variant_of(kernel) || strcmp(bnn_variant_of(kernel), names[n - 1]) != 0) {
        fprintf(stderr, "%s: runs %s, which is not its last listed variant %s\n", kernel,
                bnn_variant_of(kernel) ? bnn_variant_of(kernel) : "(null)", names[n - 1]);
        return -1;
    }
    return n;
}

#endif
