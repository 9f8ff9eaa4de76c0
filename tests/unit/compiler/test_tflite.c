/*
 * test_tflite.c - the .tflite reader (frontend/tflite: flatbuf.c,
 * flexbuf.c, tflite.c, dump.c).
 *
 * Every committed fixture under tests/golden/tflite/ (converted by Larq
 * Compute Engine, see its README) is read and compared with the reading of
 * the same file by TensorFlow's generated Python schema code, recorded in
 * its meta.json: operator codes, tensors (type, shape, signature, buffer,
 * data hash, quantization) and operators (inputs, outputs, decoded builtin
 * and LCE options). FlexBuffers written by the flatbuffers package's own
 * encoder are compared with the values that went in. Hostile files -
 * truncations, bad offsets, vtables out of range, huge vector lengths,
 * offsets pointing at themselves, misaligned fields, a missing identifier,
 * too many or too deeply nested tables, broken custom options and graphs -
 * must give the exact error.
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "frontend/tflite/flatbuf.h"
#include "frontend/tflite/flexbuf.h"
#include "frontend/tflite/import.h"
#include "frontend/tflite/tflite.h"
#include "util/sha256.h"

#define TFL_DIR BNNC_TEST_DATA_DIR "/golden/tflite"

/* ------------------------------------------------------------- helpers */

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static cJSON *read_json(const char *path)
{
    size_t n;
    char *text = (char *)read_all(path, &n);
    cJSON *j;
    text[n] = '\0';
    j = cJSON_Parse(text);
    free(text);
    if (!j)
        fail_msg("%s: not JSON", path);
    return j;
}

static const cJSON *get(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v)
        fail_msg("meta.json lacks '%s'", key);
    return v;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    if (!cJSON_IsNumber(v))
        fail_msg("'%s' is not a number", key);
    return v->valuedouble;
}

/* Compare an int array with a JSON array of numbers. */
static void check_ints(const char *what, const cJSON *arr, const int32_t *v, size_t n)
{
    const cJSON *e;
    size_t i = 0;
    if (cJSON_GetArraySize(arr) != (int)n)
        fail_msg("%s: %zu values, expected %d", what, n, cJSON_GetArraySize(arr));
    cJSON_ArrayForEach(e, arr) {
        if ((double)v[i] != e->valuedouble)
            fail_msg("%s[%zu] = %ld, expected %.17g", what, i, (long)v[i], e->valuedouble);
        i++;
    }
}

/* ------------------------------------------- fixtures vs. the reference */

/* The value of option key of op as decoded (ints and floats), or 0 when
 * the reader has no such field (a test failure). */
static int option_value(const tfl_model *m, const tfl_operator *op, const char *key,
                        double *out, const int32_t **vec, size_t *vn)
{
    const char *name = tfl_op_name(m, op);
    *vec = NULL;
#define F(opname, field, expr) \
    if (!strcmp(name, opname) && !strcmp(key, field)) { *out = (double)(expr); return 1; }
#define V(opname, field, ptr, n) \
    if (!strcmp(name, opname) && !strcmp(key, field)) { *vec = (ptr); *vn = (n); return 1; }
    F("CONV_2D", "padding", op->opt.conv2d.padding)
    F("CONV_2D", "stride_w", op->opt.conv2d.stride_w)
    F("CONV_2D", "stride_h", op->opt.conv2d.stride_h)
    F("CONV_2D", "activation", op->opt.conv2d.activation)
    F("CONV_2D", "dilation_w", op->opt.conv2d.dilation_w)
    F("CONV_2D", "dilation_h", op->opt.conv2d.dilation_h)
    F("CONV_2D", "quantized_bias_type", op->opt.conv2d.quantized_bias_type)
    F("DEPTHWISE_CONV_2D", "padding", op->opt.depthwise.padding)
    F("DEPTHWISE_CONV_2D", "stride_w", op->opt.depthwise.stride_w)
    F("DEPTHWISE_CONV_2D", "stride_h", op->opt.depthwise.stride_h)
    F("DEPTHWISE_CONV_2D", "depth_multiplier", op->opt.depthwise.depth_multiplier)
    F("DEPTHWISE_CONV_2D", "activation", op->opt.depthwise.activation)
    F("DEPTHWISE_CONV_2D", "dilation_w", op->opt.depthwise.dilation_w)
    F("DEPTHWISE_CONV_2D", "dilation_h", op->opt.depthwise.dilation_h)
    if (!strcmp(name, "AVERAGE_POOL_2D") || !strcmp(name, "MAX_POOL_2D")) {
        F(name, "padding", op->opt.pool2d.padding)
        F(name, "stride_w", op->opt.pool2d.stride_w)
        F(name, "stride_h", op->opt.pool2d.stride_h)
        F(name, "filter_w", op->opt.pool2d.filter_w)
        F(name, "filter_h", op->opt.pool2d.filter_h)
        F(name, "activation", op->opt.pool2d.activation)
    }
    F("FULLY_CONNECTED", "activation", op->opt.fc.activation)
    F("FULLY_CONNECTED", "weights_format", op->opt.fc.weights_format)
    F("FULLY_CONNECTED", "keep_num_dims", op->opt.fc.keep_num_dims)
    F("FULLY_CONNECTED", "asymmetric_quantize_inputs", op->opt.fc.asymmetric_quantize_inputs)
    F("FULLY_CONNECTED", "quantized_bias_type", op->opt.fc.quantized_bias_type)
    F("SOFTMAX", "beta", op->opt.softmax.beta)
    F("CONCATENATION", "axis", op->opt.concat.axis)
    F("CONCATENATION", "activation", op->opt.concat.activation)
    if (!strcmp(name, "ADD") || !strcmp(name, "SUB")) {
        F(name, "activation", op->opt.add.activation)
        F(name, "pot_scale_int16", op->opt.add.pot_scale_int16)
    }
    if (!strcmp(name, "MUL") || !strcmp(name, "DIV"))
        F(name, "activation", op->opt.mul.activation)
    V("RESHAPE", "new_shape", op->opt.reshape.new_shape, op->opt.reshape.rank)
    F("MEAN", "keep_dims", op->opt.reducer.keep_dims)
    V("SQUEEZE", "dims", op->opt.squeeze.dims, op->opt.squeeze.count)
    F("STRIDED_SLICE", "begin_mask", op->opt.strided_slice.begin_mask)
    F("STRIDED_SLICE", "end_mask", op->opt.strided_slice.end_mask)
    F("STRIDED_SLICE", "ellipsis_mask", op->opt.strided_slice.ellipsis_mask)
    F("STRIDED_SLICE", "new_axis_mask", op->opt.strided_slice.new_axis_mask)
    F("STRIDED_SLICE", "shrink_axis_mask", op->opt.strided_slice.shrink_axis_mask)
    F("STRIDED_SLICE", "offset", op->opt.strided_slice.offset)
    F("SPLIT", "num_splits", op->opt.split.num_splits)
    F("LEAKY_RELU", "alpha", op->opt.leaky_relu.alpha)
    F("PACK", "values_count", op->opt.pack.values_count)
    F("PACK", "axis", op->opt.pack.axis)
    F("SHAPE", "out_type", op->opt.shape.out_type)
    F("LceBconv2d", "channels_in", op->opt.bconv2d.channels_in)
    F("LceBconv2d", "dilation_h", op->opt.bconv2d.dilation_h)
    F("LceBconv2d", "dilation_w", op->opt.bconv2d.dilation_w)
    F("LceBconv2d", "activation", op->opt.bconv2d.activation)
    F("LceBconv2d", "pad_values", op->opt.bconv2d.pad_values)
    F("LceBconv2d", "padding", op->opt.bconv2d.padding)
    F("LceBconv2d", "stride_h", op->opt.bconv2d.stride_h)
    F("LceBconv2d", "stride_w", op->opt.bconv2d.stride_w)
    F("LceBMaxPool2d", "filter_h", op->opt.bmaxpool2d.filter_h)
    F("LceBMaxPool2d", "filter_w", op->opt.bmaxpool2d.filter_w)
    F("LceBMaxPool2d", "padding", op->opt.bmaxpool2d.padding)
    F("LceBMaxPool2d", "stride_h", op->opt.bmaxpool2d.stride_h)
    F("LceBMaxPool2d", "stride_w", op->opt.bmaxpool2d.stride_w)
#undef F
#undef V
    return 0;
}

static void check_tensor(const char *where, const tfl_tensor *t, const cJSON *e)
{
    char what[1400];
    const cJSON *sig = get(e, "shape_signature"), *q = get(e, "quant"),
                *hash = get(e, "sha256");
    if (strcmp(t->name, get(e, "name")->valuestring))
        fail_msg("%s: name '%s', expected '%s'", where, t->name,
                 get(e, "name")->valuestring);
    assert_int_equal(t->type, (int)num(e, "type"));
    snprintf(what, sizeof what, "%s shape", where);
    check_ints(what, get(e, "shape"), t->shape, (size_t)t->rank);
    if (cJSON_IsNull(sig)) {
        assert_false(t->has_signature);
    } else {
        assert_true(t->has_signature);
        snprintf(what, sizeof what, "%s shape_signature", where);
        check_ints(what, sig, t->signature, (size_t)t->rank);
    }
    assert_int_equal(t->buffer, (uint32_t)num(e, "buffer"));
    assert_int_equal(t->nbytes, (size_t)num(e, "nbytes"));
    assert_int_equal(t->is_variable, (int)num(e, "is_variable"));
    if (cJSON_IsNull(hash)) {
        assert_null(t->data);
    } else {
        sha256_ctx c;
        char hex[65];
        assert_non_null(t->data);
        sha256_init(&c);
        sha256_update(&c, t->data, t->nbytes);
        sha256_hex(&c, hex);
        if (strcmp(hex, hash->valuestring))
            fail_msg("%s: data hash %s, expected %s", where, hex, hash->valuestring);
    }
    if (cJSON_IsNull(q)) {
        assert_int_equal(t->q.count, 0);
    } else {
        const cJSON *sc = get(q, "scale"), *zp = get(q, "zero_point"), *x;
        size_t i = 0;
        assert_int_equal(t->q.count, (size_t)cJSON_GetArraySize(sc));
        cJSON_ArrayForEach(x, sc) {
            if ((double)t->q.scale[i] != x->valuedouble)
                fail_msg("%s: scale[%zu] %.9g, expected %.9g", where, i,
                         (double)t->q.scale[i], x->valuedouble);
            i++;
        }
        i = 0;
        cJSON_ArrayForEach(x, zp) {
            assert_true((double)t->q.zero_point[i] == x->valuedouble);
            i++;
        }
        if (t->q.count > 1)
            assert_int_equal(t->q.quantized_dimension, (int)num(q, "quantized_dimension"));
    }
}

static void check_operator(const char *where, const tfl_model *m, const tfl_operator *op,
                           const cJSON *e)
{
    char what[1400];
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(e, "options"), *o;
    assert_int_equal(op->opcode_index, (uint32_t)num(e, "opcode_index"));
    if (strcmp(tfl_op_name(m, op), get(e, "name")->valuestring))
        fail_msg("%s: %s, expected %s", where, tfl_op_name(m, op),
                 get(e, "name")->valuestring);
    snprintf(what, sizeof what, "%s inputs", where);
    check_ints(what, get(e, "inputs"), op->inputs, op->ninputs);
    snprintf(what, sizeof what, "%s outputs", where);
    check_ints(what, get(e, "outputs"), op->outputs, op->noutputs);
    assert_int_equal(op->options_type, (int)num(e, "options_type"));
    if (!opts)
        return;
    cJSON_ArrayForEach(o, opts) {
        double v;
        const int32_t *vec;
        size_t vn = 0;
        if (!option_value(m, op, o->string, &v, &vec, &vn))
            fail_msg("%s (%s): the reader does not decode option '%s'", where,
                     tfl_op_name(m, op), o->string);
        snprintf(what, sizeof what, "%s option %s", where, o->string);
        if (cJSON_IsArray(o))
            check_ints(what, o, vec, vn);
        else if (v != o->valuedouble)
            fail_msg("%s = %.9g, expected %.9g", what, v, o->valuedouble);
    }
}

/* The dump has one line per operator with its name, inputs and outputs. */
static void check_dump(const tfl_model *m)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    tfl_model_dump(m, f);
    fclose(f);
    for (size_t i = 0; i < m->subgraphs[0].nops; i++) {
        const tfl_operator *op = &m->subgraphs[0].ops[i];
        char line[512];
        int n = snprintf(line, sizeof line, "  op%zu %s in [", i, tfl_op_name(m, op));
        for (size_t k = 0; k < op->ninputs; k++)
            n += snprintf(line + n, sizeof line - (size_t)n, "%s%ld", k ? "," : "",
                          (long)op->inputs[k]);
        snprintf(line + n, sizeof line - (size_t)n, "] out [");
        if (!strstr(text, line))
            fail_msg("dump lacks '%s'", line);
        if (op->lce == TFL_LCE_BCONV2D) {
            snprintf(line, sizeof line, "channels_in=%ld padding=%s pad_values=%ld",
                     (long)op->opt.bconv2d.channels_in,
                     tfl_padding_name(op->opt.bconv2d.padding),
                     (long)op->opt.bconv2d.pad_values);
            if (!strstr(text, line))
                fail_msg("dump lacks '%s'", line);
        }
    }
    free(text);
}

static void check_fixture(const char *dir)
{
    char path[1024];
    tfl_model m;
    bnnc_err err;
    cJSON *meta, *reading;
    const cJSON *sgs, *sge, *e;
    size_t s = 0;
    snprintf(path, sizeof path, "%s/meta.json", dir);
    meta = read_json(path);
    reading = cJSON_GetObjectItemCaseSensitive(meta, "reading");
    assert_non_null(reading);
    snprintf(path, sizeof path, "%s/model.tflite", dir);
    if (tfl_model_load(path, &m, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(m.version, (uint32_t)num(reading, "version"));
    assert_int_equal(m.nbuffers, (size_t)num(reading, "buffers"));
    assert_int_equal(m.nopcodes, (size_t)cJSON_GetArraySize(get(reading, "opcodes")));
    {
        size_t i = 0;
        cJSON_ArrayForEach(e, get(reading, "opcodes")) {
            const cJSON *cc = get(e, "custom_code");
            assert_int_equal(m.opcodes[i].builtin, (int32_t)num(e, "builtin"));
            assert_int_equal(m.opcodes[i].version, (int32_t)num(e, "version"));
            if (cJSON_IsNull(cc))
                assert_null(m.opcodes[i].custom_code);
            else
                assert_string_equal(m.opcodes[i].custom_code, cc->valuestring);
            i++;
        }
    }
    sgs = get(reading, "subgraphs");
    assert_int_equal(m.nsubgraphs, (size_t)cJSON_GetArraySize(sgs));
    cJSON_ArrayForEach(sge, sgs) {
        const tfl_subgraph *sg = &m.subgraphs[s];
        char where[1200];
        size_t i = 0;
        assert_string_equal(sg->name, get(sge, "name")->valuestring);
        check_ints("subgraph inputs", get(sge, "inputs"), sg->inputs, sg->ninputs);
        check_ints("subgraph outputs", get(sge, "outputs"), sg->outputs, sg->noutputs);
        assert_int_equal(sg->ntensors, (size_t)cJSON_GetArraySize(get(sge, "tensors")));
        cJSON_ArrayForEach(e, get(sge, "tensors")) {
            snprintf(where, sizeof where, "%s: tensor %zu", dir, i);
            check_tensor(where, &sg->tensors[i++], e);
        }
        i = 0;
        assert_int_equal(sg->nops, (size_t)cJSON_GetArraySize(get(sge, "operators")));
        cJSON_ArrayForEach(e, get(sge, "operators")) {
            snprintf(where, sizeof where, "%s: operator %zu", dir, i);
            check_operator(where, &m, &sg->ops[i++], e);
        }
        s++;
    }
    check_dump(&m);
    tfl_model_free(&m);
    cJSON_Delete(meta);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every case directory with a model.tflite under root, sorted. */
static char **case_dirs(const char *root, size_t *n)
{
    DIR *d = opendir(root);
    struct dirent *e;
    char **v = NULL;
    *n = 0;
    assert_non_null(d);
    while ((e = readdir(d))) {
        char path[1024];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s/model.tflite", root, e->d_name);
        if (e->d_name[0] == '.' || stat(path, &st))
            continue;
        v = realloc(v, (*n + 1) * sizeof *v);
        assert_non_null(v);
        v[*n] = malloc(strlen(root) + strlen(e->d_name) + 2);
        sprintf(v[*n], "%s/%s", root, e->d_name);
        (*n)++;
    }
    closedir(d);
    qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

static char **fixture_dirs(size_t *n)
{
    return case_dirs(TFL_DIR, n);
}

/* The Larq Zoo models of scripts/gen-tflite-fixtures --zoo (not committed)
 * when BNNC_TFLITE_MODELS names their directory, e.g. build/tflite-models. */
static void test_zoo_models_match_reference(void **state)
{
    const char *root = getenv("BNNC_TFLITE_MODELS");
    size_t n;
    char **dirs;
    (void)state;
    if (!root || !*root)
        skip();
    dirs = case_dirs(root, &n);
    if (!n)
        fail_msg("no models under %s", root);
    for (size_t i = 0; i < n; i++) {
        check_fixture(dirs[i]);
        free(dirs[i]);
    }
    free(dirs);
}

static void test_fixtures_match_reference(void **state)
{
    size_t n;
    char **dirs = fixture_dirs(&n);
    (void)state;
    /* 21 LCE cases, 38 builtin cases (float32 and int8), 3 others */
    if (n < 60)
        fail_msg("only %zu fixtures under %s", n, TFL_DIR);
    for (size_t i = 0; i < n; i++) {
        check_fixture(dirs[i]);
        free(dirs[i]);
    }
    free(dirs);
}

/* The committed fixtures cover every option the issue lists. */
static void test_fixtures_cover_options(void **state)
{
    size_t n;
    char **dirs = fixture_dirs(&n);
    int same0 = 0, same1 = 0, valid = 0, stride = 0, dil = 0, odd = 0, act[4] = {0},
        out_f = 0, out_i8 = 0, out_bits = 0, bmax = 0, q_f = 0, q_i8 = 0, deq = 0,
        groups = 0, ext = 0, sig = 0;
    (void)state;
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        tfl_model m;
        bnnc_err err;
        snprintf(path, sizeof path, "%s/model.tflite", dirs[i]);
        if (tfl_model_load(path, &m, &err))
            fail_msg("%s", err.msg);
        const tfl_subgraph *sg = &m.subgraphs[0];
        for (size_t k = 0; k < m.nbuffers; k++)
            ext += m.buffers[k].external;
        for (size_t k = 0; k < sg->ntensors; k++)
            sig += sg->tensors[k].has_signature && sg->tensors[k].signature[0] == -1;
        for (size_t k = 0; k < sg->nops; k++) {
            const tfl_operator *op = &sg->ops[k];
            if (op->lce == TFL_LCE_BCONV2D) {
                const tfl_lce_bconv2d_options *o = &op->opt.bconv2d;
                const tfl_tensor *out = &sg->tensors[op->outputs[0]];
                const tfl_tensor *w = &sg->tensors[op->inputs[1]];
                same0 += o->padding == TFL_PAD_SAME && o->pad_values == 0;
                same1 += o->padding == TFL_PAD_SAME && o->pad_values == 1;
                valid += o->padding == TFL_PAD_VALID;
                stride += o->stride_h != o->stride_w;
                dil += o->dilation_h > 1 || o->dilation_w > 1;
                odd += o->channels_in % 32 != 0;
                act[o->activation]++;
                groups += w->shape[3] != (o->channels_in + 31) / 32;
                out_f += out->type == TFL_FLOAT32;
                out_i8 += out->type == TFL_INT8;
                out_bits += out->type == TFL_INT32;
                /* optional inputs: multiplier/bias or thresholds */
                assert_int_equal(op->ninputs, 5);
                if (out->type == TFL_INT32)
                    assert_true(op->inputs[2] == -1 && op->inputs[3] == -1 &&
                                op->inputs[4] >= 0);
                else
                    assert_true(op->inputs[2] >= 0 && op->inputs[3] >= 0 &&
                                op->inputs[4] == -1);
            }
            bmax += op->lce == TFL_LCE_BMAXPOOL2D;
            if (op->lce == TFL_LCE_QUANTIZE) {
                q_f += sg->tensors[op->inputs[0]].type == TFL_FLOAT32;
                q_i8 += sg->tensors[op->inputs[0]].type == TFL_INT8;
            }
            deq += op->lce == TFL_LCE_DEQUANTIZE;
        }
        tfl_model_free(&m);
        free(dirs[i]);
    }
    free(dirs);
    assert_true(same0 && same1 && valid && stride && dil && odd && groups);
    assert_true(act[0] && act[1] && act[2] && act[3]);
    assert_true(out_f && out_i8 && out_bits && bmax && q_f && q_i8 && deq && ext && sig);
}

static void put16(uint8_t *p, uint16_t v);

/* ------------------------------------------------------- FlexBuffers */

static void check_flex(flx_reader *x, const flx_ref *ref, const cJSON *e, const char *path)
{
    const char *t = get(e, "t")->valuestring;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "v");
    if (strcmp(flx_type_name(ref->type), t))
        fail_msg("%s: type %s, expected %s", path, flx_type_name(ref->type), t);
    if (!strcmp(t, "null"))
        return;
    if (!strcmp(t, "int") || !strcmp(t, "uint") || !strcmp(t, "bool") ||
        !strcmp(t, "indirect int") || !strcmp(t, "indirect uint")) {
        int64_t i;
        assert_int_equal(flx_int(x, ref, &i), 0);
        if ((double)i != v->valuedouble)
            fail_msg("%s: %lld, expected %.17g", path, (long long)i, v->valuedouble);
    } else if (!strcmp(t, "float") || !strcmp(t, "indirect float")) {
        double d;
        assert_int_equal(flx_float(x, ref, &d), 0);
        if (d != v->valuedouble)
            fail_msg("%s: %.17g, expected %.17g", path, d, v->valuedouble);
    } else if (!strcmp(t, "string") || !strcmp(t, "key")) {
        const char *s;
        size_t len;
        assert_int_equal(flx_string(x, ref, &s, &len), 0);
        assert_int_equal(len, strlen(v->valuestring));
        assert_string_equal(s, v->valuestring);
    } else if (!strcmp(t, "blob")) {
        const char *s;
        size_t len, i = 0;
        const cJSON *b;
        assert_int_equal(flx_string(x, ref, &s, &len), 0);
        assert_int_equal(len, (size_t)cJSON_GetArraySize(v));
        cJSON_ArrayForEach(b, v)
            assert_int_equal((uint8_t)s[i++], (int)b->valuedouble);
    } else if (!strcmp(t, "map")) {
        flx_map map;
        const cJSON *kv;
        assert_int_equal(flx_map_of(x, ref, &map), 0);
        assert_int_equal(map.keys.count, (size_t)cJSON_GetArraySize(v));
        cJSON_ArrayForEach(kv, v) {
            flx_ref child;
            char sub[256];
            assert_int_equal(flx_map_find(x, &map, kv->string, &child), 1);
            snprintf(sub, sizeof sub, "%s.%s", path, kv->string);
            check_flex(x, &child, kv, sub);
        }
        {
            flx_ref none;
            assert_int_equal(flx_map_find(x, &map, "no such key", &none), 0);
        }
    } else {
        flx_vector vec;
        const cJSON *el;
        size_t i = 0;
        assert_int_equal(flx_vector_of(x, ref, &vec), 0);
        assert_int_equal(vec.count, (size_t)cJSON_GetArraySize(v));
        cJSON_ArrayForEach(el, v) {
            flx_ref child;
            char sub[256];
            flx_vector_at(x, &vec, i, &child);
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            if (cJSON_IsObject(el)) {
                check_flex(x, &child, el, sub);
            } else {
                double d;
                assert_int_equal(flx_float(x, &child, &d), 0);
                if (d != el->valuedouble)
                    fail_msg("%s: %.17g, expected %.17g", sub, d, el->valuedouble);
            }
            i++;
        }
    }
}

static void test_flexbuffer_vectors(void **state)
{
    cJSON *exp = read_json(TFL_DIR "/flexbuffers/expected.json"), *e;
    int n = 0;
    (void)state;
    cJSON_ArrayForEach(e, get(exp, "values")) {
        char path[1024];
        size_t len;
        uint8_t *buf;
        flx_reader x;
        flx_ref root;
        bnnc_err err;
        snprintf(path, sizeof path, "%s/flexbuffers/%s.flexbuf", TFL_DIR, e->string);
        buf = read_all(path, &len);
        if (flx_open(&x, buf, len, "vec", 0, "", &err, &root))
            fail_msg("%s", err.msg);
        check_flex(&x, &root, e, e->string);
        /* every truncation fails cleanly or reads a different root */
        for (size_t k = 0; k < len; k++) {
            flx_reader y;
            flx_ref r2;
            flx_map mm;
            if (flx_open(&y, buf, k, "vec", 0, "", &err, &r2) == 0 && r2.type == FLX_MAP)
                (void)flx_map_of(&y, &r2, &mm);
        }
        free(buf);
        n++;
    }
    assert_true(n >= 5);
    cJSON_Delete(exp);
}

/* Hand-made FlexBuffers: each hostile byte string gives its error. */
static void expect_flex_error(const uint8_t *buf, size_t len, int as_map, const char *want)
{
    flx_reader x;
    flx_ref root;
    flx_map m;
    bnnc_err err;
    int rc;
    err.msg[0] = '\0';
    rc = flx_open(&x, buf, len, "f.tflite", 100, "ctx", &err, &root);
    if (!rc && as_map)
        rc = flx_map_of(&x, &root, &m);
    if (!rc) {
        int64_t i;
        rc = flx_int(&x, &root, &i);
    }
    if (rc != -1 || !strstr(err.msg, want))
        fail_msg("expected an error with '%s', got rc %d '%s'", want, rc, err.msg);
}

static void test_flexbuffer_hostile(void **state)
{
    /* a map {"a": 1} as flatbuffers writes it: key "a\0", keys vector
     * [1 | off], map [off-to-keys, width, count | value | type], root */
    static const uint8_t good[] = {'a', 0, 1, 3, 1, 1, 1, 1, 4, 2, 36, 1};
    uint8_t b[sizeof good];
    flx_reader x;
    flx_ref root, v;
    flx_map m;
    bnnc_err err;
    int64_t i;
    (void)state;
    assert_int_equal(flx_open(&x, good, sizeof good, "f", 0, "", &err, &root), 0);
    assert_int_equal(flx_map_of(&x, &root, &m), 0);
    assert_int_equal(flx_map_find(&x, &m, "a", &v), 1);
    assert_int_equal(flx_int(&x, &v, &i), 0);
    assert_int_equal(i, 1);

    expect_flex_error(good, 2, 0, "byte 100: ctx: FlexBuffer of 2 bytes is too small");
    memcpy(b, good, sizeof b);
    b[11] = 3;
    expect_flex_error(b, sizeof b, 0, "byte 111: ctx: FlexBuffer root width 3 is not 1, 2, 4 or 8");
    memcpy(b, good, sizeof b);
    b[10] = 27 << 2;
    expect_flex_error(b, sizeof b, 0, "root has unknown type 27");
    memcpy(b, good, sizeof b);
    b[9] = 0;   /* root offset 0 */
    expect_flex_error(b, sizeof b, 1, "offset 0 points at itself");
    memcpy(b, good, sizeof b);
    b[9] = 200;
    expect_flex_error(b, sizeof b, 1, "offset 200 points before the start");
    memcpy(b, good, sizeof b);
    b[6] = 50;  /* element count */
    expect_flex_error(b, sizeof b, 1, "vector of 50 elements of 1 bytes and their types "
                      "runs past the end");
    memcpy(b, good, sizeof b);
    b[5] = 3;   /* key width */
    expect_flex_error(b, sizeof b, 1, "map key width 3 is not 1, 2, 4 or 8");
    memcpy(b, good, sizeof b);
    b[2] = 2;   /* two keys, one value */
    expect_flex_error(b, sizeof b, 1, "map has 2 keys but 1 values");
    memcpy(b, good, sizeof b);
    b[1] = 'b'; /* key without its NUL: runs into the following bytes, which hold no 0 */
    b[2] = 1;
    expect_flex_error(b, 9, 1, "");   /* truncated: any clean error */
    memcpy(b, good, sizeof b);
    b[8] = 9 << 2;  /* value typed as a map inside the map: not an integer */
    assert_int_equal(flx_open(&x, b, sizeof b, "f", 0, "", &err, &root), 0);
    assert_int_equal(flx_map_of(&x, &root, &m), 0);
    assert_int_equal(flx_map_find(&x, &m, "a", &v), 1);
    assert_int_equal(flx_int(&x, &v, &i), -1);
    assert_non_null(strstr(err.msg, "expected an integer, found a map"));
}

/* 100 keys that are suffixes of one string ("a", "aa", ...): sorted and
 * distinct, but checking them would be quadratic; refused. */
static void test_flexbuffer_overlapping_keys(void **state)
{
    uint8_t b[613] = {0};
    flx_reader x;
    flx_ref root;
    flx_map m;
    bnnc_err err;
    (void)state;
    memset(b, 'a', 100);                          /* b[100] = NUL */
    put16(b + 101, 100);                          /* key count, width 2 */
    for (int i = 0; i < 100; i++)                 /* key i: length i + 1 */
        put16(b + 103 + 2 * i, (uint16_t)(4 + 3 * i));
    put16(b + 303, 200);                          /* map: offset to the keys */
    put16(b + 305, 2);                            /* key width */
    put16(b + 307, 100);                          /* value count */
    memset(b + 509, FLX_INT << 2 | 1, 100);       /* types; values are 0 */
    put16(b + 609, 300);                          /* root: offset to the values */
    b[611] = FLX_MAP << 2 | 1;
    b[612] = 2;
    assert_int_equal(flx_open(&x, b, sizeof b, "f", 0, "", &err, &root), 0);
    assert_int_equal(flx_map_of(&x, &root, &m), -1);
    assert_non_null(strstr(err.msg, "map keys overlap"));
    put16(b + 101, 10);                           /* 10 keys: 65 bytes, accepted */
    put16(b + 307, 10);
    memmove(b + 329, b + 509, 10);                /* types right after 10 values */
    put16(b + 609, 300);
    assert_int_equal(flx_open(&x, b, sizeof b, "f", 0, "", &err, &root), 0);
    assert_int_equal(flx_map_of(&x, &root, &m), 0);
    assert_string_equal(flx_map_key(&x, &m, 9), "aaaaaaaaaa");
}

/* ------------------------------------------------------ hostile models */

typedef struct {
    uint8_t *buf;
    size_t len;
} image;

static image load_fixture(const char *name)
{
    char path[1024];
    image im;
    snprintf(path, sizeof path, "%s/%s/model.tflite", TFL_DIR, name);
    im.buf = read_all(path, &im.len);
    return im;
}

static void expect_error(const uint8_t *buf, size_t len, const char *want)
{
    tfl_model m;
    bnnc_err err;
    err.msg[0] = '\0';
    if (tfl_model_parse(buf, len, "bad.tflite", &m, &err) == 0) {
        tfl_model_free(&m);
        fail_msg("accepted; expected an error with '%s'", want);
    }
    if (strncmp(err.msg, "bad.tflite: ", 12) || !strstr(err.msg, want))
        fail_msg("error '%s' lacks '%s'", err.msg, want);
    assert_null(m.subgraphs);
    assert_null(m.opcodes);
}

static uint8_t *find_bytes(uint8_t *hay, size_t n, const char *needle, size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(hay + i, needle, k))
            return hay + i;
    return NULL;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* Positions inside a valid model, found with the FlatBuffers reader. */
typedef struct {
    fb_reader r;
    fb_table root, sg, op0, op1, tensor1;
    fb_vec buffers, ops, inputs1, tensors;
} layout;

static void find_layout(const image *im, layout *l)
{
    bnnc_err err;
    fb_vec sgs;
    int pres;
    assert_int_equal(fb_open(&l->r, im->buf, im->len, "x", "TFL3", &err), 0);
    assert_int_equal(fb_root(&l->r, &l->root), 0);
    assert_int_equal(fb_vec_field(&l->r, &l->root, 4, 4, &l->buffers, &pres), 0);
    assert_int_equal(fb_vec_field(&l->r, &l->root, 2, 4, &sgs, &pres), 0);
    assert_int_equal(fb_vec_table(&l->r, &sgs, 0, 1, &l->sg), 0);
    assert_int_equal(fb_vec_field(&l->r, &l->sg, 3, 4, &l->ops, &pres), 0);
    assert_int_equal(fb_vec_field(&l->r, &l->sg, 0, 4, &l->tensors, &pres), 0);
    assert_int_equal(fb_vec_table(&l->r, &l->ops, 0, 2, &l->op0), 0);
    assert_int_equal(fb_vec_table(&l->r, &l->tensors, 1, 2, &l->tensor1), 0);
    if (l->ops.count < 2)
        return;
    assert_int_equal(fb_vec_table(&l->r, &l->ops, 1, 2, &l->op1), 0);
    assert_int_equal(fb_vec_field(&l->r, &l->op1, 1, 4, &l->inputs1, &pres), 0);
}

static size_t field_at(const image *im, const fb_table *t, unsigned id)
{
    uint16_t off = fb_load_u16(im->buf + t->vt + 4 + 2 * id);
    assert_true(4 + 2 * id < t->vt_size && off);
    return t->pos + off;
}

static void test_hostile_flatbuffer(void **state)
{
    image im = load_fixture("lce_bconv_valid");
    uint8_t *b = malloc(im.len);
    layout l;
    char want[256];
    size_t p;
    (void)state;
    find_layout(&im, &l);

    expect_error(im.buf, 8, "bad.tflite: byte 0: file of 8 bytes is too small for a "
                 "FlatBuffer (at least 12)");
    memcpy(b, im.buf, im.len);
    memcpy(b + 4, "XYZW", 4);
    expect_error(b, im.len, "byte 4: file identifier is 'XYZW', not 'TFL3'");
    memcpy(b, im.buf, im.len);
    put32(b + 4, 0);
    expect_error(b, im.len, "file identifier is 00 00 00 00, not 'TFL3'");

    /* root offset: zero, huge, past the end, misaligned */
    memcpy(b, im.buf, im.len);
    put32(b, 0);
    expect_error(b, im.len, "bad.tflite: byte 0: offset 0 points at itself");
    put32(b, 0x80000000u);
    expect_error(b, im.len, "byte 0: offset 2147483648 is larger than 2^31 - 1");
    put32(b, (uint32_t)im.len + 8);
    snprintf(want, sizeof want, "byte 0: offset %zu points to byte %zu, past the end of "
             "the %zu-byte FlatBuffer", im.len + 8, im.len + 8, im.len);
    expect_error(b, im.len, want);
    put32(b, (uint32_t)l.root.pos + 2);
    snprintf(want, sizeof want, "byte %zu: table at a position that is not a multiple "
             "of 4", l.root.pos + 2);
    expect_error(b, im.len, want);

    /* vtable out of range, odd size, field outside the table, misaligned */
    memcpy(b, im.buf, im.len);
    put32(b + l.root.pos, (uint32_t)-0x70000000);
    snprintf(want, sizeof want, "byte %zu: vtable offset -1879048192 points to byte %lld, "
             "outside the %zu-byte FlatBuffer", l.root.pos,
             (long long)l.root.pos + 0x70000000, im.len);
    expect_error(b, im.len, want);
    memcpy(b, im.buf, im.len);
    put16(b + l.root.vt, (uint16_t)(l.root.vt_size + 1));
    expect_error(b, im.len, "has invalid size");
    memcpy(b, im.buf, im.len);
    put16(b + l.root.vt, 0xFFFE);
    expect_error(b, im.len, "of 65534 bytes runs past the end of the file");
    memcpy(b, im.buf, im.len);
    put16(b + l.root.vt + 4, (uint16_t)(l.root.inline_size));   /* version field */
    snprintf(want, sizeof want, "field 0 at table offset %u (4 bytes) lies outside the "
             "table's %u inline bytes", l.root.inline_size, l.root.inline_size);
    expect_error(b, im.len, want);
    memcpy(b, im.buf, im.len);
    p = field_at(&im, &l.root, 0) - l.root.pos;   /* version, a u32 */
    put16(b + l.root.vt + 4, (uint16_t)(p >= 6 ? p - 2 : p + 2));
    expect_error(b, im.len, "field 0 of 4 bytes is not aligned to 4");

    /* huge vector lengths */
    memcpy(b, im.buf, im.len);
    put32(b + l.buffers.pos, 4000000000u);
    snprintf(want, sizeof want, "bad.tflite: byte %zu: buffers: vector of 4000000000 "
             "elements of 4 bytes runs past the end of the file", l.buffers.pos);
    expect_error(b, im.len, want);
    memcpy(b, im.buf, im.len);
    put32(b + l.inputs1.pos, 0x40000000u);
    expect_error(b, im.len, "subgraph 0, operator 1 (LceBconv2d): vector of 1073741824 "
                 "elements of 4 bytes runs past the end of the file");

    /* a string without its NUL */
    {
        const char *s;
        size_t len;
        int pres;
        assert_int_equal(fb_str_field(&l.r, &l.root, 3, &s, &len, &pres), 0);
        assert_true(pres);
        memcpy(b, im.buf, im.len);
        b[(size_t)((const uint8_t *)s - im.buf) + len] = 'x';
        snprintf(want, sizeof want, "string of %zu bytes is not NUL-terminated", len);
        expect_error(b, im.len, want);
    }
    free(b);
    free(im.buf);
}

static void test_hostile_model(void **state)
{
    image im = load_fixture("lce_bconv_valid");
    uint8_t *b = malloc(im.len);
    layout l;
    tfl_model m;
    bnnc_err err;
    const tfl_operator *bconv;
    char want[256];
    (void)state;
    find_layout(&im, &l);
    assert_int_equal(tfl_model_parse(im.buf, im.len, "ok", &m, &err), 0);
    bconv = &m.subgraphs[0].ops[1];
    assert_int_equal(bconv->lce, TFL_LCE_BCONV2D);

    /* graph indices */
    memcpy(b, im.buf, im.len);
    put32(b + l.inputs1.data, 1000);
    expect_error(b, im.len, "subgraph 0, operator 1 (LceBconv2d): input 0 is tensor 1000, "
                 "but the subgraph has 6 tensors");
    memcpy(b, im.buf, im.len);
    put32(b + l.inputs1.data, (uint32_t)-2);
    expect_error(b, im.len, "input 0 is tensor -2");
    memcpy(b, im.buf, im.len);
    put32(b + field_at(&im, &l.op1, 0), 7);
    expect_error(b, im.len, "operator code index 7, but the model has 2 operator codes");
    memcpy(b, im.buf, im.len);
    put32(b + field_at(&im, &l.tensor1, 2), 1000);
    expect_error(b, im.len, "subgraph 0, tensor 1: buffer 1000, but the model has");
    memcpy(b, im.buf, im.len);
    put32(b + field_at(&im, &l.root, 0), 2);
    expect_error(b, im.len, "schema version 2 (only 3 is supported)");

    /* constant data that does not match its shape */
    {
        fb_table bt;
        fb_vec data;
        int pres;
        uint32_t bi = m.subgraphs[0].tensors[1].buffer;
        assert_int_equal(fb_vec_table(&l.r, &l.buffers, bi, 1, &bt), 0);
        assert_int_equal(fb_vec_field(&l.r, &bt, 0, 1, &data, &pres), 0);
        memcpy(b, im.buf, im.len);
        put32(b + data.pos, (uint32_t)data.count - 4);
        snprintf(want, sizeof want, "buffer %lu holds %zu bytes, but int32 [%zu "
                 "elements] needs %zu", (unsigned long)bi, data.count - 4,
                 data.count / 4, data.count);
        expect_error(b, im.len, want);
    }

    /* data flow: a tensor read before it is written, a graph input written */
    memcpy(b, im.buf, im.len);
    put32(b + l.inputs1.data, (uint32_t)bconv->outputs[0]);
    expect_error(b, im.len, "operator 1 (LceBconv2d): reads tensor 5");
    {
        fb_vec outs;
        int pres;
        assert_int_equal(fb_vec_field(&l.r, &l.op0, 2, 4, &outs, &pres), 0);
        memcpy(b, im.buf, im.len);
        put32(b + outs.data, 0);
        expect_error(b, im.len, "operator 0 (LceQuantize): writes tensor 0 "
                     "'serving_default_input_1:0', which is a subgraph input");
    }

    /* LCE custom options */
    {
        size_t base = bconv->custom_options_offset, len = bconv->custom_options_size;
        flx_reader x;
        flx_ref root, v;
        flx_map map;
        const uint8_t *opts = im.buf + base;
        uint8_t *key;
        assert_int_equal(flx_open(&x, opts, len, "x", base, "", &err, &root), 0);
        assert_int_equal(flx_map_of(&x, &root, &map), 0);

        memcpy(b, im.buf, im.len);
        b[base + len - 1] = 3;
        expect_error(b, im.len, "operator 1 (LceBconv2d): custom options: FlexBuffer root "
                     "width 3 is not 1, 2, 4 or 8");
        assert_int_equal(flx_map_find(&x, &map, "pad_values", &v), 1);
        memcpy(b, im.buf, im.len);
        b[base + v.pos] = 2;
        snprintf(want, sizeof want, "byte %zu: subgraph 0, operator 1 (LceBconv2d): custom "
                 "options: pad_values is 2 (expected 0..1)", base + v.pos);
        expect_error(b, im.len, want);
        assert_int_equal(flx_map_find(&x, &map, "stride_width", &v), 1);
        memcpy(b, im.buf, im.len);
        b[base + v.pos] = 0;
        expect_error(b, im.len, "stride_width is 0 (expected 1..2147483647)");
        memcpy(b, im.buf, im.len);   /* an integer option stored as a float */
        b[base + map.values.types + (v.pos - map.values.data) / map.values.width] =
            FLX_FLOAT << 2;
        expect_error(b, im.len, "custom options: stride_width is a float, not an integer");
        memcpy(b, im.buf, im.len);
        key = find_bytes(b + base, len, "padding", 8);
        assert_non_null(key);
        key[6] = 'h';   /* "paddinh": still sorted, "padding" missing */
        expect_error(b, im.len, "custom options lack the key 'padding'");
        memcpy(b, im.buf, im.len);
        key = find_bytes(b + base, len, "channels_in", 12);
        key[0] = 'z';   /* sorts after every other key */
        expect_error(b, im.len, "are not sorted");
        memcpy(b, im.buf, im.len);
        key = find_bytes(b + base, len, "padding", 8);
        memcpy(key, "pad_val", 7);   /* "pad_val" < "pad_values" */
        expect_error(b, im.len, "not sorted");
    }
    tfl_model_free(&m);

    /* a builtin operator whose options table is of another type */
    {
        image c = load_fixture("conv2d");
        layout lc;
        find_layout(&c, &lc);
        b = realloc(b, c.len);
        memcpy(b, c.buf, c.len);
        for (size_t k = 0; k < lc.ops.count; k++) {
            fb_table t;
            uint8_t type;
            assert_int_equal(fb_vec_table(&lc.r, &lc.ops, k, 2, &t), 0);
            assert_int_equal(fb_u8(&lc.r, &t, 3, 0, &type), 0);
            if (type == TFL_OPT_CONV2D)
                b[field_at(&c, &t, 3)] = TFL_OPT_POOL2D;
        }
        expect_error(b, c.len, "(CONV_2D): builtin options of union type 5 (Pool2DOptions), "
                     "expected 1 (Conv2DOptions)");
        free(c.buf);
    }
    free(b);
    free(im.buf);
}

/* Data stored after the FlatBuffer: read in place, or refused when out of
 * the file. */
static void test_external_buffers(void **state)
{
    image im = load_fixture("external_buffers");
    layout l;
    tfl_model m;
    bnnc_err err;
    uint8_t *b = malloc(im.len);
    int seen = 0;
    (void)state;
    assert_int_equal(tfl_model_parse(im.buf, im.len, "ext", &m, &err), 0);
    for (size_t i = 0; i < m.nbuffers; i++)
        if (m.buffers[i].external) {
            assert_true(m.buffers[i].file_offset % 16 == 0);
            assert_ptr_equal(m.buffers[i].data, im.buf + m.buffers[i].file_offset);
            seen++;
        }
    assert_true(seen >= 3);
    tfl_model_free(&m);
    find_layout(&im, &l);
    for (size_t i = 0; i < l.buffers.count; i++) {
        fb_table bt;
        assert_int_equal(fb_vec_table(&l.r, &l.buffers, i, 1, &bt), 0);
        if (!fb_has(&l.r, &bt, 1))
            continue;
        memcpy(b, im.buf, im.len);
        put32(b + field_at(&im, &bt, 1), (uint32_t)im.len - 8);
        expect_error(b, im.len, "runs past the end of the");
        break;
    }
    free(b);
    free(im.buf);
}

/* Every proper prefix of a valid model is refused with a message. */
static void test_truncations(void **state)
{
    const char *names[] = {"lce_bconv_valid", "lce_bmaxpool_same", "conv2d_int8"};
    (void)state;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        image im = load_fixture(names[k]);
        for (size_t n = 0; n < im.len; n++) {
            tfl_model m;
            bnnc_err err;
            uint8_t *cut = malloc(n ? n : 1);
            memcpy(cut, im.buf, n);
            err.msg[0] = '\0';
            if (tfl_model_parse(cut, n, "cut.tflite", &m, &err) == 0)
                fail_msg("%s cut to %zu bytes was accepted", names[k], n);
            if (strncmp(err.msg, "cut.tflite: byte ", 17) &&
                strncmp(err.msg, "cut.tflite: subgraph", 20))
                fail_msg("%s cut to %zu: '%s'", names[k], n, err.msg);
            free(cut);
        }
        free(im.buf);
    }
}

/* ------------------------------------------------ limits (hand-made) */

/* root -> T1 -> T2 -> T3, each table one offset field; with a depth limit
 * of 2 the third table is refused. */
static void test_depth_limit(void **state)
{
    uint8_t b[40] = {0};
    fb_reader r;
    fb_table t1, t2, t3;
    bnnc_err err;
    int pres;
    (void)state;
    put32(b, 16);                     /* root: T1 at 16 */
    put16(b + 8, 6);                  /* shared vtable at 8: size 6 */
    put16(b + 10, 8);                 /* inline size 8 */
    put16(b + 12, 4);                 /* field 0 at +4 */
    put32(b + 16, 8);                 /* T1: vtable at 16 - 8 */
    put32(b + 20, 4);                 /* -> T2 at 24 */
    put32(b + 24, 16);
    put32(b + 28, 4);                 /* -> T3 at 32 */
    put32(b + 32, 24);
    put32(b + 36, 0);
    assert_int_equal(fb_open(&r, b, sizeof b, "d", NULL, &err), 0);
    assert_int_equal(fb_root(&r, &t1), 0);
    assert_int_equal(fb_table_field(&r, &t1, 0, &t2, &pres), 0);
    assert_int_equal(fb_table_field(&r, &t2, 0, &t3, &pres), 0);
    assert_int_equal(t3.depth, 3);
    assert_int_equal(fb_table_field(&r, &t3, 0, &t1, &pres), -1);
    assert_string_equal(err.msg, "d: byte 36: offset 0 points at itself");

    assert_int_equal(fb_open(&r, b, sizeof b, "d", NULL, &err), 0);
    r.max_depth = 2;
    assert_int_equal(fb_root(&r, &t1), 0);
    assert_int_equal(fb_table_field(&r, &t1, 0, &t2, &pres), 0);
    assert_int_equal(fb_table_field(&r, &t2, 0, &t3, &pres), -1);
    assert_string_equal(err.msg, "d: byte 32: tables nested deeper than 2");

    assert_int_equal(fb_open(&r, b, sizeof b, "d", NULL, &err), 0);
    r.max_tables = 2;
    assert_int_equal(fb_root(&r, &t1), 0);
    assert_int_equal(fb_table_field(&r, &t1, 0, &t2, &pres), 0);
    assert_int_equal(fb_table_field(&r, &t2, 0, &t3, &pres), -1);
    assert_string_equal(err.msg, "d: byte 32: more than 2 tables: refusing to read further");
}

/* A model whose subgraph vector repeats one table 1,000,001 times is
 * refused before anything of that size is allocated. */
static void test_table_limit(void **state)
{
    const size_t n = 1000001;
    size_t len = 36 + 4 * n + 8, vec = 32, s = 36 + 4 * n + 4;
    uint8_t *b = calloc(len, 1);
    (void)state;
    assert_non_null(b);
    put32(b, 20);                    /* root table at 20 */
    memcpy(b + 4, "TFL3", 4);
    put16(b + 8, 10);                /* vtable: 3 fields */
    put16(b + 10, 12);
    put16(b + 12, 4);                /* version */
    put16(b + 14, 0);
    put16(b + 16, 8);                /* subgraphs */
    put32(b + 20, 12);
    put32(b + 24, 3);
    put32(b + 28, (uint32_t)(vec - 28));
    put32(b + vec, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        put32(b + vec + 4 + 4 * i, (uint32_t)(s - (vec + 4 + 4 * i)));
    put16(b + s - 4, 4);             /* the one subgraph table's vtable */
    put16(b + s - 2, 4);
    put32(b + s, 4);
    expect_error(b, len, "byte 32: subgraphs: vector of 1000001 tables: more than "
                 "1000000 tables in all");
    put32(b + vec, 3);               /* three empty subgraphs are a valid model */
    {
        tfl_model m;
        bnnc_err err;
        assert_int_equal(tfl_model_parse(b, len, "ok", &m, &err), 0);
        assert_int_equal(m.nsubgraphs, 3);
        assert_int_equal(m.subgraphs[2].ntensors, 0);
        tfl_model_free(&m);
    }
    free(b);
}

static void test_identifier_and_files(void **state)
{
    tfl_model m;
    bnnc_err err;
    (void)state;
    assert_true(tfl_is_tflite((const uint8_t *)"\x1c\0\0\0TFL3", 8));
    assert_false(tfl_is_tflite((const uint8_t *)"\x1c\0\0\0TFL2", 8));
    assert_false(tfl_is_tflite((const uint8_t *)"\x1c\0\0\0TF", 6));
    assert_int_equal(tfl_model_load(TFL_DIR "/no-such.tflite", &m, &err), -1);
    assert_non_null(strstr(err.msg, "no-such.tflite: cannot open"));
    assert_int_equal(tfl_model_load(TFL_DIR "/README.md", &m, &err), -1);
    assert_non_null(strstr(err.msg, "README.md: byte 4: file identifier is"));
    assert_string_equal(tfl_builtin_name(TFL_OP_HARD_SWISH), "HARD_SWISH");
    assert_string_equal(tfl_builtin_name(4000), "BUILTIN_4000");
    assert_string_equal(tfl_type_name(TFL_INT8), "int8");
    assert_int_equal(tfl_type_size(TFL_INT4), 0);
}

/* The importer on int8 models changed in memory: an int8 operator bnnc
 * does not compile names itself and its index, a LOGISTIC whose output
 * TFLite would refuse is refused; per-channel activations and a
 * non-positive scale are refused naming the tensor. */
static void test_int8_import_errors(void **state)
{
    image im = load_fixture("relu_int8");
    tfl_model m;
    ir_graph g;
    bnnc_err err;
    tfl_tensor *t;
    float scale;
    (void)state;
    assert_int_equal(tfl_model_parse(im.buf, im.len, "relu_int8.tflite", &m, &err), 0);
    assert_int_equal(m.subgraphs[0].nops, 1);
    assert_int_equal(tfl_import_model(&m, NULL, 0, &g, &err), 0);
    ir_graph_free(&g);
    m.subgraphs[0].ops[0].builtin = TFL_OP_TANH;
    m.opcodes[m.subgraphs[0].ops[0].opcode_index].builtin = TFL_OP_TANH;
    assert_int_not_equal(tfl_import_model(&m, NULL, 0, &g, &err), 0);
    assert_non_null(strstr(err.msg, "relu_int8.tflite: operator 0 (TANH): int8 TANH "
                                    "is not supported yet"));
    /* LOGISTIC into an output TFLite's int8 kernel refuses (the RELU's
     * output quantisation, not 1/256 and -128) */
    m.subgraphs[0].ops[0].builtin = TFL_OP_LOGISTIC;
    m.opcodes[m.subgraphs[0].ops[0].opcode_index].builtin = TFL_OP_LOGISTIC;
    assert_int_not_equal(tfl_import_model(&m, NULL, 0, &g, &err), 0);
    assert_non_null(strstr(err.msg, "relu_int8.tflite: operator 0 (LOGISTIC): an int8 output "
                                    "of scale"));
    assert_non_null(strstr(err.msg, "requires scale 1/256 and zero point -128"));
    m.subgraphs[0].ops[0].builtin = TFL_OP_RELU;
    m.opcodes[m.subgraphs[0].ops[0].opcode_index].builtin = TFL_OP_RELU;
    t = &m.subgraphs[0].tensors[m.subgraphs[0].ops[0].outputs[0]];
    scale = t->q.scale[0];
    t->q.scale[0] = -scale;
    assert_int_not_equal(tfl_import_model(&m, NULL, 0, &g, &err), 0);
    assert_non_null(strstr(err.msg, "operator 0 (RELU): int8 tensor"));
    assert_non_null(strstr(err.msg, "it must be positive"));
    t->q.scale[0] = scale;
    t->q.count = 0;
    assert_int_not_equal(tfl_import_model(&m, NULL, 0, &g, &err), 0);
    assert_non_null(strstr(err.msg, "needs one scale and zero point (it has 0)"));
    t->q.count = 1;
    tfl_model_free(&m);
    free(im.buf);
}

/* Bitpacked model I/O (lce_bitpacked_output: LceQuantize then an
 * LceBconv2d whose bitpacked output is the model output): the graph hands
 * its heads over bitpacked; changed in memory, a mix of bitpacked and
 * float outputs is refused by name, and a bitpacked input (the LceQuantize
 * dropped) takes its channel count from its reader or is refused. */
static void test_bitpacked_io(void **state)
{
    image im = load_fixture("lce_bitpacked_output");
    tfl_model m;
    ir_graph g;
    bnnc_err err;
    tfl_subgraph *sg;
    int32_t outs[2];
    (void)state;
    assert_int_equal(tfl_model_parse(im.buf, im.len, "bp.tflite", &m, &err), 0);
    sg = &m.subgraphs[0];
    assert_int_equal(sg->nops, 2);
    assert_int_equal(tfl_import_model(&m, NULL, 0, &g, &err), 0);
    assert_int_equal(g.bitpacked_heads, 1);
    assert_int_equal(g.n_heads, 1);
    assert_int_equal(g.nodes[g.heads[0].node]->op, IR_OP_SIGN);
    ir_graph_free(&g);
    /* two outputs: the bitpacked one and the float input */
    outs[0] = sg->outputs[0];
    outs[1] = sg->inputs[0];
    {
        int32_t *keep = sg->outputs;
        size_t nkeep = sg->noutputs;
        sg->outputs = outs;
        sg->noutputs = 2;
        assert_int_not_equal(tfl_import_model(&m, NULL, 0, &g, &err), 0);
        assert_non_null(strstr(err.msg, "bp.tflite: output 'serving_default_input_1:0' is not "
                                        "bitpacked but output"));
        assert_non_null(strstr(err.msg, "must all be bitpacked or none"));
        sg->outputs = keep;
        sg->noutputs = nkeep;
    }
    /* the LceQuantize's bitpacked output as the model input: an INPUT of
     * the 32-channel NCHW value whose signs the words are (channels_in of
     * the LceBconv2d reading it); with channels_in 64 the one word per
     * pixel cannot hold them */
    sg->inputs[0] = sg->ops[0].outputs[0];
    sg->ops++;
    sg->nops--;
    assert_int_equal(tfl_import_model(&m, NULL, 0, &g, &err), 0);
    {
        size_t i, found = 0;
        for (i = 0; i < g.n; i++)
            if (g.nodes[i]->op == IR_OP_INPUT) {
                assert_int_equal(g.nodes[i]->q.elem, IR_ELEM_BITS);
                assert_int_equal(g.nodes[i]->shape[0].d[1], 32);
                assert_int_equal(g.nodes[i]->shape[0].d[2], 8);
                found++;
            }
        assert_int_equal(found, 1);
    }
    ir_graph_free(&g);
    sg->ops[0].opt.bconv2d.channels_in = 64;
    assert_int_not_equal(tfl_import_model(&m, NULL, 0, &g, &err), 0);
    assert_non_null(strstr(err.msg, "is int32 of 1 words per pixel, but its reader has another "
                                    "channel count"));
    sg->ops[0].lce = TFL_LCE_NONE;
    assert_int_not_equal(tfl_import_model(&m, NULL, 0, &g, &err), 0);
    assert_non_null(strstr(err.msg, "no LceBconv2d or LceDequantize reads it"));
    sg->ops--;
    sg->nops++;
    tfl_model_free(&m);
    free(im.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_match_reference),
        cmocka_unit_test(test_fixtures_cover_options),
        cmocka_unit_test(test_zoo_models_match_reference),
        cmocka_unit_test(test_flexbuffer_vectors),
        cmocka_unit_test(test_flexbuffer_hostile),
        cmocka_unit_test(test_flexbuffer_overlapping_keys),
        cmocka_unit_test(test_hostile_flatbuffer),
        cmocka_unit_test(test_hostile_model),
        cmocka_unit_test(test_external_buffers),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_table_limit),
        cmocka_unit_test(test_identifier_and_files),
        cmocka_unit_test(test_int8_import_errors),
        cmocka_unit_test(test_bitpacked_io),
    };
    bnnc_quiet = 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
