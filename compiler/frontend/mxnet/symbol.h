/*
 * symbol.h - reader for MXNet symbol JSON files (every generation).
 *
 * Accepts the ≤0.8 "StaticGraph" form (`param`, 2-element entries,
 * `backward_source_id`), the nnvm forms (`attr` in 0.9-0.12, `attrs`
 * after) with 3-element entries, and graph attributes. The three
 * attribute dicts of a node are merged (first writer wins). Training-only
 * user attributes (ctx_group, lr_mult, wd_mult, force_mirroring,
 * mirror_stage, with or without the __x__ form) are dropped; other hidden
 * __key__ attributes are kept. Nodes must be in topological order.
 * Graphs with `subgraphs` are rejected with the node named.
 */
#ifndef BNNC_FRONTEND_SYMBOL_H
#define BNNC_FRONTEND_SYMBOL_H

#include <stddef.h>

#include "../../util/err.h"

/* Longest node name or op name read (real ones are tens of bytes; this
 * keeps every message that names a node readable). */
#define MX_MAX_NAME 1024

typedef struct {
    char *key, *value;
} mx_attr;

typedef struct {
    int node, index;
} mx_entry;

typedef struct {
    char *op;    /* "null" for variables */
    char *name;
    mx_attr *attrs;
    int n_attrs;
    mx_entry *inputs;
    int n_inputs;
} mx_node;

typedef struct {
    char *path;
    mx_node *nodes;
    int n_nodes;
    mx_entry *heads;
    int n_heads;
    int mxnet_version; /* from attrs.mxnet_version; 800 when absent */
    int legacy;        /* written by MXNet <= 0.8 (no mxnet_version) */
} mx_symbol;

int mx_symbol_load(const char *path, mx_symbol *out, bnnc_err *err);
int mx_symbol_parse(const char *text, size_t len, const char *label,
                    mx_symbol *out, bnnc_err *err);
void mx_symbol_free(mx_symbol *s);

/* Attribute value or NULL. */
const char *mx_node_attr(const mx_node *n, const char *key);

#endif
