/*
 * fuzz_params.c - libFuzzer harness for the weight-file reader.
 *
 * Feeds arbitrary bytes to mx_params_parse. Besides the sanitizers, it
 * checks the reader's contract: a failure leaves an empty result and a
 * message that names the file; a success gives arrays whose byte counts
 * match their shapes and dtypes, whose elements convert, and that can be
 * found by name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/mxnet/params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char label[] = "fuzz.params";
    mx_params p;
    bnnc_err err;

    bnnc_quiet = 1;
    err.msg[0] = '\0';
    if (mx_params_parse(data, size, label, &p, &err) != 0) {
        if (strncmp(err.msg, label, sizeof label - 1) || p.arrays || p.count)
            abort();
        return 0;
    }
    for (size_t i = 0; i < p.count; i++) {
        const mx_array *a = &p.arrays[i];
        if (!a->key || !a->name || !mx_params_find(&p, a->name))
            abort();
        if (a->is_none) {
            if (a->data || a->count || a->nbytes)
                abort();
            continue;
        }
        if (a->nbytes != a->count * mx_dtype_size(a->dtype) ||
            (a->nbytes && !a->data) || a->ndim < 0 || a->ndim > MX_MAX_NDIM)
            abort();
        if (a->count && a->count <= ((size_t)1 << 20)) {
            float *f = malloc(a->count * sizeof *f);
            if (!f)
                abort();
            mx_array_to_f32(a, f);
            (void)mx_array_get(a, a->count - 1);
            free(f);
        }
    }
    mx_params_free(&p);
    return 0;
}
