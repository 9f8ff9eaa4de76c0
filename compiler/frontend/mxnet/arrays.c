/*
 * arrays.c - the array list the params readers (params.c, npz.c) build.
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

