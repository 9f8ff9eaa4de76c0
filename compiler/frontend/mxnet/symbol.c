/*
 * symbol.c - MXNet symbol JSON reader (see symbol.h for what it accepts).
 *
 * Accepted shape (keys in brackets are optional):
 *   { "nodes": [ { "op": str, "name": str, "inputs": [[n, i(, v)]...],
 *                  [param|attr|attrs]: {str: str}, [subgraphs]: [...],
 *                  [backward_source_id], [control_deps] } ... ],
 *     "heads": [[n, i(, v)]...], [arg_nodes], [node_row_ptr],
 *     [attrs]: { "mxnet_version": ["int", 10901], ... } }
 */
#include "symbol.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/mem.h"

/* Position (line, column) of byte offset `off` in text. */
static void text_pos(const char *text, size_t len, size_t off, int *line,
                     int *col)
{
    size_t i;
    *line = 1;
    *col = 1;
    for (i = 0; i < off && i < len; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static int get_int(const cJSON *v, int *out)
{
    double d;
    if (!cJSON_IsNumber(v))
        return -1;
    d = v->valuedouble;
    if (!(d >= INT_MIN && d <= INT_MAX) || d != floor(d))
        return -1;
    *out = (int)d;
    return 0;
}

/* Parse an entry [node, index] or [node, index, version]. */
static int parse_entry(const cJSON *e, mx_entry *out)
{
    int n = cJSON_GetArraySize(e), v;
    if (!cJSON_IsArray(e) || n < 2 || n > 3)
        return -1;
    if (get_int(cJSON_GetArrayItem(e, 0), &out->node) ||
        get_int(cJSON_GetArrayItem(e, 1), &out->index))
        return -1;
    if (n == 3 && get_int(cJSON_GetArrayItem(e, 2), &v))
        return -1;
    return out->node >= 0 && out->index >= 0 ? 0 : -1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* Training-only user attributes that MXNet itself hides or moves to
 * variables; they never affect inference. */
static int is_training_attr(const char *key)
{
    static const char *const keys[] = {"ctx_group", "lr_mult", "wd_mult",
                                       "force_mirroring", "mirror_stage"};
    char bare[256];
    size_t n = strlen(key), i;
    if (n > 4 && !strncmp(key, "__", 2) && ends_with(key, "__") &&
        n - 4 < sizeof bare) {
        memcpy(bare, key + 2, n - 4);
        bare[n - 4] = '\0';
        key = bare;
    }
    for (i = 0; i < sizeof keys / sizeof *keys; i++)
        if (ends_with(key, keys[i]))
            return 1;
    return 0;
}

/* Append an attribute (duplicates are removed by dedupe_attrs once the
 * node's dictionaries are all read, so reading stays linear). */
static void add_attr(mx_node *n, size_t *cap, const char *key, const char *value)
{
    if (is_training_attr(key))
        return;
    xgrow((void **)&n->attrs, cap, (size_t)n->n_attrs + 1, sizeof *n->attrs);
    n->attrs[n->n_attrs].key = xstrdup(key);
    n->attrs[n->n_attrs].value = xstrdup(value);
    n->n_attrs++;
}

static const mx_attr *sort_attrs;

/* By key, then by position (so the first writer comes first). */
static int cmp_attr_index(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    int c = strcmp(sort_attrs[i].key, sort_attrs[j].key);
    return c ? c : (i > j) - (i < j);
}

/* Keep the first of attributes with the same key, as MXNet's merge of
 * attrs/attr/param does; order otherwise kept. O(n log n). */
static void dedupe_attrs(mx_node *n)
{
    int *idx, i, k = 0;
    unsigned char *drop;
    if (n->n_attrs < 2)
        return;
    idx = xmalloc(sizeof *idx * (size_t)n->n_attrs);
    drop = xcalloc((size_t)n->n_attrs, 1);
    for (i = 0; i < n->n_attrs; i++)
        idx[i] = i;
    sort_attrs = n->attrs;
    qsort(idx, (size_t)n->n_attrs, sizeof *idx, cmp_attr_index);
    for (i = 1; i < n->n_attrs; i++)
        if (!strcmp(n->attrs[idx[i]].key, n->attrs[idx[i - 1]].key))
            drop[idx[i]] = 1;
    for (i = 0; i < n->n_attrs; i++) {
        if (drop[i]) {
            free(n->attrs[i].key);
            free(n->attrs[i].value);
        } else {
            n->attrs[k++] = n->attrs[i];
        }
    }
    n->n_attrs = k;
    free(idx);
    free(drop);
}

static int merge_attrs(const mx_symbol *s, mx_node *n, size_t *cap, int idx,
                       const cJSON *dict, const char *which, bnnc_err *err)
{
    const cJSON *kv;
    if (!dict)
        return 0;
    if (!cJSON_IsObject(dict))
        return bnnc_errf(err, "%s: node %d '%s': \"%s\" must be an object",
                         s->path, idx, n->name, which);
    cJSON_ArrayForEach(kv, dict) {
        char num[64];
        const char *value;
        if (cJSON_IsString(kv)) {
            value = kv->valuestring;
        } else if (cJSON_IsNumber(kv)) {
            snprintf(num, sizeof num, "%.17g", kv->valuedouble);
            value = num;
        } else if (cJSON_IsBool(kv)) {
            value = cJSON_IsTrue(kv) ? "True" : "False";
        } else {
            return bnnc_errf(err,
                             "%s: node %d '%s': attribute '%s' is not a string",
                             s->path, idx, n->name, kv->string);
        }
        add_attr(n, cap, kv->string, value);
    }
    return 0;
}

static int parse_node(mx_symbol *s, const cJSON *jn, int idx, bnnc_err *err)
{
    mx_node *n = &s->nodes[idx];
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(jn, "op");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(jn, "name");
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(jn, "inputs");
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(jn, "subgraphs");
    const cJSON *e;
    int k = 0;
    size_t cap = 0;

    if (!cJSON_IsObject(jn))
        return bnnc_errf(err, "%s: node %d is not an object", s->path, idx);
    if (!cJSON_IsString(op) || !cJSON_IsString(name))
        return bnnc_errf(err, "%s: node %d has no string \"op\" and \"name\"",
                         s->path, idx);
    if (strlen(name->valuestring) > MX_MAX_NAME || strlen(op->valuestring) > MX_MAX_NAME)
        return bnnc_errf(err, "%s: node %d has a%s of %zu bytes; at most %d are accepted",
                         s->path, idx, strlen(op->valuestring) > MX_MAX_NAME ? "n op" : " name",
                         strlen(op->valuestring) > MX_MAX_NAME ? strlen(op->valuestring)
                                                               : strlen(name->valuestring),
                         MX_MAX_NAME);
    n->op = xstrdup(op->valuestring);
    n->name = xstrdup(name->valuestring);
    if (sub && cJSON_GetArraySize(sub) > 0)
        return bnnc_errf(err,
                         "%s: node %d '%s' (%s): graphs with subgraphs "
                         "(control flow or fused/partitioned operators) are "
                         "not supported; export the model without a "
                         "subgraph backend",
                         s->path, idx, n->name, n->op);
    if (merge_attrs(s, n, &cap, idx, cJSON_GetObjectItemCaseSensitive(jn, "attrs"),
                    "attrs", err) ||
        merge_attrs(s, n, &cap, idx, cJSON_GetObjectItemCaseSensitive(jn, "attr"),
                    "attr", err) ||
        merge_attrs(s, n, &cap, idx, cJSON_GetObjectItemCaseSensitive(jn, "param"),
                    "param", err))
        return -1;
    dedupe_attrs(n);
    if (inputs && !cJSON_IsArray(inputs))
        return bnnc_errf(err, "%s: node %d '%s': \"inputs\" must be a list",
                         s->path, idx, n->name);
    n->n_inputs = inputs ? cJSON_GetArraySize(inputs) : 0;
    n->inputs = xcalloc((size_t)(n->n_inputs ? n->n_inputs : 1),
                        sizeof *n->inputs);
    cJSON_ArrayForEach(e, inputs) {
        mx_entry *in = &n->inputs[k];
        if (parse_entry(e, in))
            return bnnc_errf(err,
                             "%s: node %d '%s' (%s): input %d is not a "
                             "[node, output(, version)] entry",
                             s->path, idx, n->name, n->op, k);
        if (in->node >= idx)
            return bnnc_errf(err,
                             "%s: node %d '%s' (%s): input %d refers to node "
                             "%d, which does not come before it (nodes must "
                             "be in topological order; the graph may have a "
                             "cycle)",
                             s->path, idx, n->name, n->op, k, in->node);
        k++;
    }
    return 0;
}

/* Byte offset of the first NUL in the text, raw or written as the escape
 * \u0000 inside a string (cJSON would end the C string there and cut a
 * name short silently); len when there is none. */
static size_t nul_offset(const char *text, size_t len)
{
    size_t i;
    int in_string = 0;
    for (i = 0; i < len; i++) {
        char c = text[i];
        if (!c)
            return i;
        if (!in_string) {
            in_string = c == '"';
        } else if (c == '"') {
            in_string = 0;
        } else if (c == '\\' && i + 1 < len) {
            if (text[i + 1] == 'u' && i + 5 < len && !memcmp(text + i + 2, "0000", 4))
                return i;
            i++;
        }
    }
    return len;
}

int mx_symbol_parse(const char *text, size_t len, const char *label,
                    mx_symbol *s, bnnc_err *err)
{
    cJSON *root;
    const cJSON *nodes, *heads, *attrs, *e;
    int i, k;

    memset(s, 0, sizeof *s);
    s->path = xstrdup(label);
    {
        size_t at = nul_offset(text, len);
        if (at < len) {
            int line, col;
            text_pos(text, len, at, &line, &col);
            return bnnc_errf(err,
                             "%s: line %d, column %d (byte %zu): a NUL character in the "
                             "text; names and attributes cannot hold one",
                             label, line, col, at);
        }
    }
    root = cJSON_ParseWithLength(text, len);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        size_t off = at && at >= text && at <= text + len ? (size_t)(at - text) : 0;
        int line, col;
        text_pos(text, len, off, &line, &col);
        return bnnc_errf(err, "%s: line %d, column %d (byte %zu): not valid JSON",
                         label, line, col, off);
    }
    nodes = cJSON_GetObjectItemCaseSensitive(root, "nodes");
    heads = cJSON_GetObjectItemCaseSensitive(root, "heads");
    if (!cJSON_IsObject(root) || !cJSON_IsArray(nodes) || !cJSON_IsArray(heads)) {
        cJSON_Delete(root);
        return bnnc_errf(err,
                         "%s: not an MXNet symbol file (expected an object "
                         "with \"nodes\" and \"heads\" lists)",
                         label);
    }
    s->n_nodes = cJSON_GetArraySize(nodes);
    if (s->n_nodes == 0) {
        cJSON_Delete(root);
        return bnnc_errf(err, "%s: the graph has no nodes", label);
    }
    s->nodes = xcalloc((size_t)s->n_nodes, sizeof *s->nodes);
    i = 0;
    cJSON_ArrayForEach(e, nodes) {
        if (parse_node(s, e, i, err)) {
            cJSON_Delete(root);
            return -1;
        }
        i++;
    }
    s->n_heads = cJSON_GetArraySize(heads);
    if (s->n_heads == 0) {
        cJSON_Delete(root);
        return bnnc_errf(err, "%s: the graph has no heads (outputs)", label);
    }
    s->heads = xcalloc((size_t)s->n_heads, sizeof *s->heads);
    k = 0;
    cJSON_ArrayForEach(e, heads) {
        if (parse_entry(e, &s->heads[k]) || s->heads[k].node >= s->n_nodes) {
            cJSON_Delete(root);
            return bnnc_errf(err, "%s: head %d is not a valid node entry", label, k);
        }
        k++;
    }
    s->mxnet_version = 800;
    s->legacy = 1;
    attrs = cJSON_GetObjectItemCaseSensitive(root, "attrs");
    if (cJSON_IsObject(attrs)) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(attrs, "mxnet_version");
        int ver;
        if (v) {
            if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2 ||
                get_int(cJSON_GetArrayItem(v, 1), &ver)) {
                cJSON_Delete(root);
                return bnnc_errf(err,
                                 "%s: graph attribute mxnet_version is not "
                                 "[\"int\", N]",
                                 label);
            }
            s->mxnet_version = ver;
            s->legacy = 0;
        }
    }
    cJSON_Delete(root);
    return 0;
}

int mx_symbol_load(const char *path, mx_symbol *out, bnnc_err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long size;
    size_t got;
    int rc;

    memset(out, 0, sizeof *out);
    if (!f)
        return bnnc_errf(err, "%s: cannot open symbol file: %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        int e = errno;
        fclose(f);
        return bnnc_errf(err, "%s: cannot read symbol file: %s", path, strerror(e));
    }
    buf = xmalloc((size_t)size + 1);
    got = fread(buf, 1, (size_t)size, f);
    fclose(f);
    if (got != (size_t)size) {
        free(buf);
        return bnnc_errf(err, "%s: short read", path);
    }
    buf[size] = '\0';
    if (size >= 8 && !memcmp(buf, "version ", 8)) {
        free(buf);
        return bnnc_errf(err,
                         "%s: this is a Git LFS pointer, not a symbol file; "
                         "fetch the real file (git lfs pull)",
                         path);
    }
    rc = mx_symbol_parse(buf, (size_t)size, path, out, err);
    free(buf);
    return rc;
}

void mx_symbol_free(mx_symbol *s)
{
    int i, j;
    for (i = 0; s->nodes && i < s->n_nodes; i++) {
        mx_node *n = &s->nodes[i];
        free(n->op);
        free(n->name);
        for (j = 0; j < n->n_attrs; j++) {
            free(n->attrs[j].key);
            free(n->attrs[j].value);
        }
        free(n->attrs);
        free(n->inputs);
    }
    free(s->nodes);
    free(s->heads);
    free(s->path);
    memset(s, 0, sizeof *s);
}

const char *mx_node_attr(const mx_node *n, const char *key)
{
    int i;
    for (i = 0; i < n->n_attrs; i++)
        if (!strcmp(n->attrs[i].key, key))
            return n->attrs[i].value;
    return NULL;
}
