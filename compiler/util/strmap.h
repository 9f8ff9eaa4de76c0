/*
 * strmap.h - a string -> int map (open addressing, FNV-1a), so that
 * looking names up stays O(1) however large a model is.
 */
#ifndef BNNC_UTIL_STRMAP_H
#define BNNC_UTIL_STRMAP_H

#include <stddef.h>

typedef struct {
    const char **keys; /* borrowed: must outlive the map */
    int *vals;
    size_t cap, n;
} strmap;

/* An empty map for about `expected` keys. */
void strmap_init(strmap *m, size_t expected);
void strmap_free(strmap *m);
/* Add key -> val unless key is present (the first value stays). */
void strmap_put(strmap *m, const char *key, int val);
/* The value of key, or -1. */
int strmap_get(const strmap *m, const char *key);

#endif
