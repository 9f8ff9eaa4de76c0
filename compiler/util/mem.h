/*
 * mem.h - allocation helpers. Allocation failure is reported as a user
 * error ("out of memory") with exit status 1, never a crash.
 */
#ifndef BNNC_UTIL_MEM_H
#define BNNC_UTIL_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Grow *p (an array of elem-sized items with capacity *cap) to hold need
 * items. */
void xgrow(void **p, size_t *cap, size_t need, size_t elem);

#endif
