#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

void strmap_init(strmap *m, size_t expected)
{
    m->cap = 16;
    while (m->cap < 2 * expected + 2)
        m->cap *= 2;
    m->keys = xcalloc(m->cap, sizeof *m->keys);
    m->vals = xmalloc(sizeof *m->vals * m->cap);
    m->n = 0;
}

void strmap_free(strmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

static void grow(strmap *m)
{
    strmap bigger;
    size_t i;
    strmap_init(&bigger, m->cap);
    for (i = 0; i < m->cap; i++)
        if (m->keys[i])
            strmap_put(&bigger, m->keys[i], m->vals[i]);
    strmap_free(m);
    *m = bigger;
}

void strmap_put(strmap *m, const char *key, int val)
{
    size_t i;
    if (2 * (m->n + 1) > m->cap)
        grow(m);
    for (i = (size_t)hash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
        if (!strcmp(m->keys[i], key))
            return;
    m->keys[i] = key;
    m->vals[i] = val;
    m->n++;
}

int strmap_get(const strmap *m, const char *key)
{
    size_t i;
    if (!m->cap)
        return -1;
    for (i = (size_t)hash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
        if (!strcmp(m->keys[i], key))
            return m->vals[i];
    return -1;
}
