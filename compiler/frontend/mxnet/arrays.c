/*
 * arrays.c - what the params readers (params.c, npz.c) share: the element
 * types and the array list they build.
 */
#include "params_impl.h"

#include <stdlib.h>
#include <string.h>

#include "../../util/mem.h"


mx_array *mx__push(mx_list *l)
{
    void *p = l->a;
    mx_array *a;
    xgrow(&p, &l->cap, l->n + 1, sizeof *l->a);
    l->a = p;
    a = &l->a[l->n++];
    memset(a, 0, sizeof *a);
    a->dtype = -1;
    return a;
}

void mx__set_key(mx_array *a, const char *key, size_t n)
{
    free(a->key);
    a->key = xstrndup(key, n);
    a->name = a->key;
    a->key_kind = MX_KEY_BARE;
    if (n >= 4 && !memcmp(key, "arg:", 4)) {
        a->key_kind = MX_KEY_ARG;
        a->name = a->key + 4;
    } else if (n >= 4 && !memcmp(key, "aux:", 4)) {
        a->key_kind = MX_KEY_AUX;
        a->name = a->key + 4;
    }
}

/* ---------------------------------------------------------------- dtypes */

static const struct { size_t size; const char *name; } dtypes[] = {
    [MX_F32] = {4, "float32"}, [MX_F64] = {8, "float64"},
    [MX_F16] = {2, "float16"}, [MX_U8] = {1, "uint8"},
    [MX_I32] = {4, "int32"},   [MX_I8] = {1, "int8"},
    [MX_I64] = {8, "int64"},   [MX_BOOL] = {1, "bool"},
    [MX_I16] = {2, "int16"},   [MX_U16] = {2, "uint16"},
    [MX_U32] = {4, "uint32"},  [MX_U64] = {8, "uint64"},
    [MX_BF16] = {2, "bfloat16"},
};
#define N_DTYPES (sizeof dtypes / sizeof dtypes[0])

size_t mx_dtype_size(int dtype)
{
    return dtype >= 0 && (size_t)dtype < N_DTYPES ? dtypes[dtype].size : 0;
}

const char *mx_dtype_name(int dtype)
{
    return dtype >= 0 && (size_t)dtype < N_DTYPES ? dtypes[dtype].name
                                                  : "unknown";
}
