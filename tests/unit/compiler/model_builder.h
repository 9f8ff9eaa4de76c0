/*
 * model_builder.h - test helper: write small MXNet models (symbol JSON text
 * and a V2 NDArray-list params file) and run the compiler frontend on them.
 * Test-only; everything is static.
 */
#ifndef BNNC_TEST_MODEL_BUILDER_H
#define BNNC_TEST_MODEL_BUILDER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/pipeline.h"
#include "driver/cli.h"

typedef struct {
    char name[128];
    int ndim;
    int64_t shape[8];
    int dtype;        /* 0 float32, 1 float64 */
    size_t count;     /* elements */
    uint8_t *bytes;   /* count * (4 or 8) bytes */
} mb_array;

typedef struct {
    mb_array a[64];
    int n;
} mb_params;

static inline size_t mb_count(int ndim, const int64_t *shape)
{
    size_t c = 1;
    for (int i = 0; i < ndim; i++)
        c *= (size_t)shape[i];
    return c;
}

/* Add a float32 array; v may be NULL for a deterministic pattern. */
static inline void mb_add(mb_params *p, const char *name, int ndim,
                   const int64_t *shape, const float *v)
{
    mb_array *a = &p->a[p->n++];
    snprintf(a->name, sizeof a->name, "%s", name);
    a->ndim = ndim;
    memcpy(a->shape, shape, sizeof(int64_t) * (size_t)ndim);
    a->dtype = 0;
    a->count = mb_count(ndim, shape);
    a->bytes = malloc(a->count * 4 + 4);
    for (size_t i = 0; i < a->count; i++) {
        float x = v ? v[i] : (float)((int)((i * 7919u + 13u) % 17u) - 8) / 8.0f;
        memcpy(a->bytes + 4 * i, &x, 4);
    }
}

/* Add raw words as a float32 (dtype 0) or float64 (dtype 1) array. */
static inline void mb_add_raw(mb_params *p, const char *name, int ndim,
                       const int64_t *shape, int dtype, const void *bytes)
{
    mb_array *a = &p->a[p->n++];
    size_t es = dtype ? 8 : 4;
    snprintf(a->name, sizeof a->name, "%s", name);
    a->ndim = ndim;
    memcpy(a->shape, shape, sizeof(int64_t) * (size_t)ndim);
    a->dtype = dtype;
    a->count = mb_count(ndim, shape);
    a->bytes = malloc(a->count * es + 8);
    memcpy(a->bytes, bytes, a->count * es);
}

static inline void mb_put(FILE *f, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, f) != n)
        abort();
}

static inline void mb_u32(FILE *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    mb_put(f, b, 4);
}

static inline void mb_u64(FILE *f, uint64_t v)
{
    mb_u32(f, (uint32_t)v);
    mb_u32(f, (uint32_t)(v >> 32));
}

/* Write p as an MXNet 1.x params file (V2 records, given names). */
static inline void mb_write_params(const mb_params *p, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    mb_u64(f, 0x112);
    mb_u64(f, 0);
    mb_u64(f, (uint64_t)p->n);
    for (int i = 0; i < p->n; i++) {
        const mb_array *a = &p->a[i];
        mb_u32(f, 0xF993FAC9u);
        mb_u32(f, 0); /* dense */
        mb_u32(f, (uint32_t)a->ndim);
        for (int d = 0; d < a->ndim; d++)
            mb_u64(f, (uint64_t)a->shape[d]);
        mb_u32(f, 1); /* cpu */
        mb_u32(f, 0);
        mb_u32(f, (uint32_t)a->dtype);
        mb_put(f, a->bytes, a->count * (a->dtype ? 8 : 4));
    }
    mb_u64(f, (uint64_t)p->n);
    for (int i = 0; i < p->n; i++) {
        mb_u64(f, strlen(p->a[i].name));
        mb_put(f, p->a[i].name, strlen(p->a[i].name));
    }
    fclose(f);
}

static inline void mb_free(mb_params *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->a[i].bytes);
    p->n = 0;
}

/* Write `json` and `p` as t-symbol.json / t-0000.params in the working
 * directory and run the frontend with the given --input specs
 * (NULL-terminated). Returns what compile_frontend returns. */
static inline int mb_run(const char *json, const mb_params *p, const char *const *inputs,
                  ir_graph *g, bnnc_err *err)
{
    bnnc_options o;
    FILE *f = fopen("t-symbol.json", "wb");
    if (!f)
        abort();
    mb_put(f, json, strlen(json));
    fclose(f);
    mb_write_params(p, "t-0000.params");
    memset(&o, 0, sizeof o);
    o.symbol_path = "t-symbol.json";
    o.params_path = "t-0000.params";
    for (; inputs && *inputs; inputs++)
        if (cli_parse_input(*inputs, &o.inputs[o.n_inputs++], err))
            return -1;
    bnnc_quiet = 1;
    return compile_frontend(&o, g, err);
}

/* First live node named `name`, or NULL. */
static inline ir_node *mb_node(const ir_graph *g, const char *name)
{
    for (size_t i = 0; i < g->n; i++)
        if (!g->nodes[i]->dead && !strcmp(g->nodes[i]->name, name))
            return g->nodes[i];
    return NULL;
}

#endif
