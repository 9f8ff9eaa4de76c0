/*
 * fuzz_pipeline.c - libFuzzer harness for the whole compiler: a symbol
 * graph and its params, mutated together, through every pass to C.
 *
 * Input format (the one fuzz_symbol reads, so its corpus seeds this one):
 *     NAME=N,C,H,W\n            shape of a data input (0 to 4 lines)
 *     <symbol JSON>
 *     \n#PARAMS\n<params file bytes>     (optional; default: no arrays)
 *
 * A structure-aware mutator (LLVMFuzzerCustomMutator) edits the graph and
 * the params as a model author would get them wrong: it swaps an op for
 * another, sets attributes to edge values (0, -1, huge, nan, -inf, bad
 * tuples), rewires inputs and heads, duplicates nodes; it rewrites params
 * with new values (NaN, inf, denormals, huge), reshaped, retyped, renamed,
 * dropped or duplicated arrays; it changes the input shapes. Otherwise
 * libFuzzer's own byte mutations apply.
 *
 * The run: parse, import, every pass (compile_imported), then the C code
 * generator with its templates and m4, into a directory in /dev/shm (or
 * TMPDIR). Beyond the sanitizers it checks the contract: a failure leaves
 * a message and frees the graph; a success writes a complete net.c and
 * net.h.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codegen/emit.h"
#include "driver/cli.h"
#include "driver/pipeline.h"
#include "frontend/mxnet/import.h"
#include "frontend/mxnet/params.h"

#ifdef BNNC_LIBFUZZER
#include <cjson/cJSON.h>
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

static const uint8_t empty_params[24 + 8] = {0x12, 0x01};
static const char sep[] = "\n#PARAMS\n";

/* ---------------------------------------------------------------- input */

typedef struct {
    char shapes[4][256];
    int n_shapes;
    const char *json;
    size_t json_len;
    const uint8_t *params;
    size_t params_len;
} fuzz_input;

static void split_input(const uint8_t *data, size_t size, fuzz_input *in)
{
    const char *text = (const char *)data, *end = text + size;
    size_t i;
    memset(in, 0, sizeof *in);
    for (;;) {
        const char *nl = memchr(text, '\n', (size_t)(end - text));
        if (in->n_shapes == 4 || !nl || nl - text >= 200 || *text == '{' ||
            !memchr(text, '=', (size_t)(nl - text)))
            break;
        memcpy(in->shapes[in->n_shapes], text, (size_t)(nl - text));
        in->shapes[in->n_shapes++][nl - text] = '\0';
        text = nl + 1;
    }
    in->json = text;
    in->json_len = (size_t)(end - text);
    in->params = empty_params;
    in->params_len = sizeof empty_params;
    for (i = 0; text + i + sizeof sep - 1 <= end; i++)
        if (!memcmp(text + i, sep, sizeof sep - 1)) {
            in->params = (const uint8_t *)text + i + sizeof sep - 1;
            in->params_len = (size_t)(end - (const char *)in->params);
            in->json_len = i;
            break;
        }
}

/* ------------------------------------------------------------ the run */

static char outdir[256];

/* A generated file exists, holds `needle` and is complete (ends with a
 * newline: m4 stopping early would cut it). */
static void check_file(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    if (!f)
        abort(); /* success must write it */
    do {
        if (len + 1 >= cap) {
            cap = cap ? 2 * cap : 1 << 16;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
    } while (got);
    fclose(f);
    buf[len] = '\0';
    if (!strstr(buf, needle) || len < 2 || buf[len - 1] != '\n')
        abort();
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    bnnc_options o;
    bnnc_err err;
    mx_symbol sym;
    mx_params params;
    import_options io = {1};
    ir_graph g;
    lir_program p;
    emit_options eo;
    char cpath[300], hpath[300];
    int i;

    bnnc_quiet = 1;
    if (!outdir[0]) {
        const char *base = access("/dev/shm", W_OK) ? getenv("TMPDIR") : "/dev/shm";
        snprintf(outdir, sizeof outdir, "%s/bnnc-fuzz-%ld", base ? base : "/tmp", (long)getpid());
        mkdir(outdir, 0700);
    }
    split_input(data, size, &in);
    memset(&o, 0, sizeof o);
    for (i = 0; i < in.n_shapes; i++)
        if (cli_parse_input(in.shapes[i], &o.inputs[o.n_inputs], &err) == 0)
            o.n_inputs++;
    err.msg[0] = '\0';
    if (mx_symbol_parse(in.json, in.json_len, "fuzz-symbol.json", &sym, &err)) {
        if (!err.msg[0])
            abort();
        mx_symbol_free(&sym);
        return 0;
    }
    if (mx_params_parse(in.params, in.params_len, "fuzz.params", &params, &err)) {
        mx_symbol_free(&sym);
        return 0;
    }
    if (import_graph(&sym, &params, &io, &g, &err) || compile_imported(&o, &g, &p, &err)) {
        if (!err.msg[0] || g.nodes)
            abort(); /* failures leave a message and a freed graph */
        mx_symbol_free(&sym);
        return 0;
    }
    mx_symbol_free(&sym);
    snprintf(cpath, sizeof cpath, "%s/net.c", outdir);
    snprintf(hpath, sizeof hpath, "%s/net.h", outdir);
    memset(&eo, 0, sizeof eo);
    eo.prefix = "net";
    eo.c_path = cpath;
    eo.h_path = hpath;
    eo.command_line = "bnnc compile (fuzz)";
    eo.symbol_path = "fuzz-symbol.json";
    eo.params_path = "fuzz.params";
    eo.symbol_sha256 = eo.params_sha256 = "0";
    eo.weights = (emit_weights)(size % 4); /* every form of constants */
    err.msg[0] = '\0';
    if (emit_program(&g, &p, &eo, &err)) {
        if (!err.msg[0])
            abort();
    } else {
        check_file(cpath, "int net_run(");
        check_file(hpath, "#define NET_INPUT_SIZE");
    }
    remove(cpath);
    remove(hpath);
    snprintf(cpath, sizeof cpath, "%s/net.c.bin", outdir);
    remove(cpath);
    lir_free(&p);
    ir_graph_free(&g);
    return 0;
}

/* ------------------------------------------------------------ mutator */
#ifdef BNNC_LIBFUZZER

static uint32_t rnd_state;

static uint32_t rnd(uint32_t n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return n ? (rnd_state >> 8) % n : 0;
}

static const char *const ops[] = {
    "Convolution", "FullyConnected", "BatchNorm", "Activation", "LeakyReLU", "Pooling",
    "Flatten", "Reshape", "Concat", "elemwise_add", "broadcast_add", "broadcast_mul",
    "elemwise_mul", "_plus_scalar", "_mul_scalar", "_div_scalar", "det_sign", "sign",
    "abs", "clip", "Pad", "transpose", "SwapAxis", "slice_axis", "SliceChannel", "mean",
    "SoftmaxOutput", "softmax", "SoftmaxActivation", "Dropout", "_copy", "QActivation",
    "QConvolution", "QFullyConnected", "BinaryInferenceConvolution",
    "BinaryInferenceFullyConnected", "_full", "_ones", "add_n", "null"};

static const char *const keys[] = {
    "kernel", "stride", "pad", "dilate", "num_filter", "num_group", "no_bias", "num_hidden",
    "flatten", "act_type", "pool_type", "global_pool", "pooling_convention", "eps",
    "fix_gamma", "axis", "dim", "shape", "axes", "scalar", "a_min", "a_max", "mode",
    "constant_value", "pad_width", "begin", "end", "num_outputs", "squeeze_axis",
    "keepdims", "exclude", "value", "slope", "act_bit", "weight_bit",
    "binarized_weights_only", "scaling_factor", "temperature", "count_include_pad", "bits_binary_word"};

static const char *const values[] = {
    "0", "1", "-1", "2", "3", "7", "32", "33", "64", "65", "1000000", "2147483647",
    "-2147483648", "9223372036854775807", "nan", "-nan", "inf", "-inf", "1e300", "-0",
    "0.5", "True", "False", "None", "relu", "sigmoid", "tanh", "leaky", "prelu", "max",
    "avg", "sum", "full", "valid", "channel", "instance", "constant", "edge",
    "(1, 1)", "(3, 3)", "(0, 0)", "(2, 2)", "(1, 3)", "(0,)", "(-1,)", "(0, -1)",
    "(-2,)", "(-3, -2)", "(-4, 1, -1)", "(1, 0, 2, 3)", "(0, 0, 0, 0, 1, 1, 1, 1)",
    "(0, 0, 1, 1, 1, 1, 1, 1)", "(99999, 99999)", "(", "", "()", "[1, 2]"};

/* cJSON edits that free the new item when they cannot place it */
static void set_key(cJSON *obj, const char *key, cJSON *item)
{
    if (!cJSON_IsObject(obj) || !item)
        cJSON_Delete(item);
    else if (cJSON_GetObjectItemCaseSensitive(obj, key)) {
        if (!cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item))
            cJSON_Delete(item);
    } else if (!cJSON_AddItemToObject(obj, key, item)) {
        cJSON_Delete(item);
    }
}

static void set_at(cJSON *arr, int i, cJSON *item)
{
    if (!cJSON_IsArray(arr) || i < 0 || i >= cJSON_GetArraySize(arr) ||
        !cJSON_ReplaceItemInArray(arr, i, item))
        cJSON_Delete(item);
}

static void insert_at(cJSON *arr, int i, cJSON *item)
{
    if (!cJSON_IsArray(arr) || i < 0 || i > cJSON_GetArraySize(arr))
        cJSON_Delete(item);
    else if (i == cJSON_GetArraySize(arr) ? !cJSON_AddItemToArray(arr, item)
                                          : !cJSON_InsertItemInArray(arr, i, item))
        cJSON_Delete(item);
}

/* Structural edit of the graph. Returns 0 when nothing was changed. */
static int mutate_json(cJSON *root)
{
    cJSON *nodes = cJSON_GetObjectItemCaseSensitive(root, "nodes");
    cJSON *heads = cJSON_GetObjectItemCaseSensitive(root, "heads");
    int n = cJSON_GetArraySize(nodes), k;
    cJSON *node, *attrs;
    if (n < 1)
        return 0;
    k = (int)rnd((uint32_t)n);
    node = cJSON_GetArrayItem(nodes, k);
    switch (rnd(6)) {
    case 0: /* another op */
        set_key(node, "op", cJSON_CreateString(ops[rnd(sizeof ops / sizeof *ops)]));
        return 1;
    case 1: /* an attribute set to an edge value */
    case 2:
        attrs = cJSON_GetObjectItemCaseSensitive(node, "attrs");
        if (!attrs && cJSON_IsObject(node))
            attrs = cJSON_AddObjectToObject(node, "attrs");
        if (!cJSON_IsObject(attrs))
            return 0;
        set_key(attrs, keys[rnd(sizeof keys / sizeof *keys)],
                cJSON_CreateString(values[rnd(sizeof values / sizeof *values)]));
        return 1;
    case 3: { /* an input rewired to an earlier node */
        cJSON *ins = cJSON_GetObjectItemCaseSensitive(node, "inputs");
        int m = cJSON_GetArraySize(ins);
        cJSON *e;
        if (!m || k == 0)
            return 0;
        e = cJSON_GetArrayItem(ins, (int)rnd((uint32_t)m));
        if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) < 2)
            return 0;
        set_at(e, 0, cJSON_CreateNumber(rnd((uint32_t)k)));
        if (!rnd(4))
            set_at(e, 1, cJSON_CreateNumber(rnd(3)));
        return 1;
    }
    case 4: { /* a head moved */
        cJSON *h = cJSON_GetArrayItem(heads, 0);
        if (!cJSON_IsArray(h))
            return 0;
        set_at(h, 0, cJSON_CreateNumber(rnd((uint32_t)n)));
        if (!rnd(3))
            insert_at(heads, cJSON_GetArraySize(heads), cJSON_Duplicate(h, 1));
        return 1;
    }
    default: { /* a node duplicated after itself (inputs still earlier) */
        cJSON *copy = cJSON_Duplicate(node, 1);
        char name[64];
        int i, j;
        if (!copy)
            return 0;
        snprintf(name, sizeof name, "dup%u", rnd(1000));
        set_key(copy, "name", cJSON_CreateString(name));
        insert_at(nodes, k + 1, copy);
        /* later references move up by one, as in a file written this way */
        for (i = k + 2; i <= n; i++) {
            cJSON *ins = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(nodes, i), "inputs");
            for (j = 0; j < cJSON_GetArraySize(ins); j++) {
                cJSON *e = cJSON_GetArrayItem(ins, j), *t = cJSON_GetArrayItem(e, 0);
                if (cJSON_IsNumber(t) && t->valueint > k)
                    set_at(e, 0, cJSON_CreateNumber(t->valueint + 1));
            }
        }
        for (j = 0; j < cJSON_GetArraySize(heads); j++) {
            cJSON *e = cJSON_GetArrayItem(heads, j), *t = cJSON_GetArrayItem(e, 0);
            if (cJSON_IsNumber(t) && t->valueint > k)
                set_at(e, 0, cJSON_CreateNumber(t->valueint + 1));
        }
        return 1;
    }
    }
}

/* Append v little-endian. */
static void put(uint8_t **b, size_t *len, size_t *cap, const void *v, size_t n)
{
    if (*len + n > *cap) {
        *cap = (*len + n) * 2;
        *b = realloc(*b, *cap);
        if (!*b)
            abort();
    }
    memcpy(*b + *len, v, n);
    *len += n;
}

static void put_u32(uint8_t **b, size_t *len, size_t *cap, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, len, cap, x, 4);
}

static void put_u64(uint8_t **b, size_t *len, size_t *cap, uint64_t v)
{
    put_u32(b, len, cap, (uint32_t)v);
    put_u32(b, len, cap, (uint32_t)(v >> 32));
}

/* The params edited and written again as an NDArray list of V2 records
 * (float32, or the stored dtype). NULL when they do not parse. */
static uint8_t *mutate_params(const uint8_t *data, size_t size, size_t *out_len)
{
    static const float specials[] = {0.0f, -0.0f, 1.0f, -1.0f, 1e-40f, 3.4e38f, 1e30f};
    mx_params pa;
    bnnc_err err;
    uint8_t *b = NULL;
    size_t len = 0, cap = 0, i, pick;
    int action = (int)rnd(7);
    if (mx_params_parse(data, size, "fuzz.params", &pa, &err))
        return NULL;
    pick = pa.count ? rnd((uint32_t)pa.count) : 0;
    put_u64(&b, &len, &cap, 0x112);
    put_u64(&b, &len, &cap, 0);
    put_u64(&b, &len, &cap, pa.count + (action == 5 && pa.count));
    for (i = 0; i < pa.count + (action == 5 && pa.count); i++) {
        const mx_array *a = &pa.arrays[i < pa.count ? i : pick];
        int64_t shape[MX_MAX_NDIM];
        int ndim = a->ndim, d, dtype = a->dtype;
        size_t es, count = a->count;
        uint8_t *payload;
        if (a->is_none || dtype < 0 || !mx_dtype_size(dtype)) {
            free(b);
            mx_params_free(&pa);
            return NULL; /* kept as they are */
        }
        for (d = 0; d < ndim; d++)
            shape[d] = a->shape[d];
        if (i == pick && action == 1 && ndim > 0 && shape[0] > 1 && shape[0] % 2 == 0 &&
            ndim < MX_MAX_NDIM) {
            /* same elements, another shape */
            shape[0] /= 2;
            shape[ndim++] = 2;
        } else if (i == pick && action == 2 && ndim > 0) {
            /* one more row of the first axis */
            count += count / (size_t)(shape[0] ? shape[0] : 1);
            shape[0]++;
        }
        es = mx_dtype_size(dtype);
        if (i == pick && action == 3)
            dtype = dtype == 0 ? 1 : 0; /* float32 <-> float64, values converted */
        payload = calloc(count ? count : 1, mx_dtype_size(dtype));
        if (!payload)
            abort();
        if (dtype == a->dtype) {
            size_t n = a->nbytes < count * es ? a->nbytes : count * es;
            if (n) /* an empty array may have no data pointer */
                memcpy(payload, a->data, n);
        } else {
            size_t k;
            for (k = 0; k < a->count && k < count; k++) {
                double v = mx_array_get(a, k);
                if (dtype == 1) {
                    memcpy(payload + 8 * k, &v, 8);
                } else {
                    float fv = (float)v;
                    memcpy(payload + 4 * k, &fv, 4);
                }
            }
        }
        if (i == pick && action == 0 && count && (dtype == 0 || dtype == 1)) {
            size_t k = rnd((uint32_t)count);
            int which = (int)rnd(9);
            double v = which < 7 ? specials[which] : which == 7 ? (double)NAN : -(double)INFINITY;
            if (dtype == 0) {
                float fv = (float)v;
                memcpy(payload + 4 * k, &fv, 4);
            } else {
                memcpy(payload + 8 * k, &v, 8);
            }
        }
        put_u32(&b, &len, &cap, 0xF993FAC9u); /* V2 record */
        put_u32(&b, &len, &cap, 0);
        put_u32(&b, &len, &cap, (uint32_t)ndim);
        for (d = 0; d < ndim; d++)
            put_u64(&b, &len, &cap, (uint64_t)shape[d]);
        put_u32(&b, &len, &cap, 1);
        put_u32(&b, &len, &cap, 0);
        put_u32(&b, &len, &cap, (uint32_t)dtype);
        put(&b, &len, &cap, payload, count * mx_dtype_size(dtype));
        free(payload);
    }
    put_u64(&b, &len, &cap, pa.count + (action == 5 && pa.count));
    for (i = 0; i < pa.count + (action == 5 && pa.count); i++) {
        const mx_array *a = &pa.arrays[i < pa.count ? i : pick];
        char key[512];
        snprintf(key, sizeof key, "%s", a->key ? a->key : "");
        if (i == pick && action == 4 && !strncmp(key, "arg:", 4))
            memcpy(key, "aux:", 4); /* the other kind of parameter */
        if (i == pick && action == 6)
            snprintf(key, sizeof key, "arg:renamed%u", rnd(100));
        put_u64(&b, &len, &cap, strlen(key));
        put(&b, &len, &cap, key, strlen(key));
    }
    mx_params_free(&pa);
    *out_len = len;
    return b;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned seed)
{
    fuzz_input in;
    char *json, *text;
    uint8_t *params = NULL, *out;
    size_t params_len = 0, n = 0, i;
    cJSON *root;
    int what;

    rnd_state = seed;
    what = (int)rnd(10);
    if (what >= 7) /* plain byte mutations: parsers' corners */
        return LLVMFuzzerMutate(data, size, max_size);
    split_input(data, size, &in);
    json = malloc(in.json_len + 1);
    if (!json)
        return 0;
    memcpy(json, in.json, in.json_len);
    json[in.json_len] = '\0';
    root = cJSON_ParseWithLength(json, in.json_len);
    free(json);
    if (!root)
        return LLVMFuzzerMutate(data, size, max_size);
    if (what <= 3) {
        int tries = 1 + (int)rnd(3);
        while (tries--)
            mutate_json(root);
    } else if (what <= 5) {
        params = mutate_params(in.params, in.params_len, &params_len);
    } else if (in.n_shapes) {
        /* an input shape edited */
        char *eq = strchr(in.shapes[0], '=');
        static const char *const dims[] = {"1", "2", "3", "0", "1,3,8,8", "1,1,16,16",
                                           "2,3,8,8", "1,3,1,1", "1,64,4,4", "1,6",
                                           "1,3,224,224", "5", "1,2,3,4,5"};
        if (eq)
            snprintf(eq + 1, sizeof in.shapes[0] - (size_t)(eq - in.shapes[0]) - 1, "%s",
                     dims[rnd(sizeof dims / sizeof *dims)]);
    }
    text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text) {
        free(params);
        return 0;
    }
    if (!params) {
        params = malloc(in.params_len ? in.params_len : 1);
        if (!params)
            abort();
        memcpy(params, in.params, in.params_len);
        params_len = in.params_len;
    }
    out = malloc(max_size);
    if (!out)
        abort();
    for (i = 0; i < (size_t)in.n_shapes; i++) {
        size_t l = strlen(in.shapes[i]);
        if (n + l + 1 > max_size)
            break;
        memcpy(out + n, in.shapes[i], l);
        out[n + l] = '\n';
        n += l + 1;
    }
    if (n + strlen(text) + sizeof sep - 1 + params_len <= max_size) {
        memcpy(out + n, text, strlen(text));
        n += strlen(text);
        memcpy(out + n, sep, sizeof sep - 1);
        n += sizeof sep - 1;
        memcpy(out + n, params, params_len);
        n += params_len;
        memcpy(data, out, n);
    } else {
        n = LLVMFuzzerMutate(data, size, max_size);
    }
    free(out);
    free(text);
    free(params);
    return n;
}
#endif /* BNNC_LIBFUZZER */
