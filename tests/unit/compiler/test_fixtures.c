/*
 * test_fixtures.c - the frontend and `inspect` on every golden fixture
 * exported by MXNet (tests/golden/fixtures, see its README).
 *
 * References are independent of bnnc: shapes.json holds MXNet's own shape
 * inference for every node, meta.json the binary layers the generator
 * built (node, padding value, scaling) and their counts. For each fixture
 * this checks that every surviving node has MXNet's shape, that exactly
 * the listed layers became binary with the listed padding, that
 * weight-only binary layers stayed float, and that the --json report is
 * well formed and agrees with the graph.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "driver/cli.h"
#include "driver/inspect.h"
#include "driver/pipeline.h"

#define FIXTURES BNNC_TEST_DATA_DIR "/golden/fixtures"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n;
    char *buf;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n)
        abort();
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static cJSON *load_json(const char *dir, const char *file)
{
    char path[1024];
    char *text;
    cJSON *j;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    text = slurp(path);
    if (!text)
        return NULL;
    j = cJSON_Parse(text);
    free(text);
    return j;
}

static const ir_node *find(const ir_graph *g, const char *name)
{
    for (size_t i = 0; i < g->n; i++)
        if (!strcmp(g->nodes[i]->name, name))
            return g->nodes[i];
    return NULL;
}

static int shape_matches(const ir_shape *s, const cJSON *arr)
{
    int i = 0;
    const cJSON *d;
    if (cJSON_GetArraySize(arr) != s->ndim)
        return 0;
    cJSON_ArrayForEach(d, arr) {
        if ((int64_t)d->valuedouble != s->d[i++])
            return 0;
    }
    return 1;
}

static ir_pad_mode pad_mode_of(double v)
{
    return v < 0 ? IR_PAD_MINUS_ONE : v > 0 ? IR_PAD_PLUS_ONE : IR_PAD_ZERO;
}

/* Run the frontend on one fixture and check it; returns checked nodes. */
static int check_fixture(const char *name)
{
    char dir[1024], sym[1400], params[1400];
    cJSON *meta, *shapes, *inputs, *in, *bin, *b;
    bnnc_options o;
    ir_graph g;
    bnnc_err err;
    int n_bin = 0, n_wob = 0, checked = 0;
    char *report;
    size_t len;
    FILE *mem;
    cJSON *rep;

    snprintf(dir, sizeof dir, "%s/%s", FIXTURES, name);
    meta = load_json(dir, "meta.json");
    shapes = load_json(dir, "shapes.json");
    assert_non_null(meta);
    assert_non_null(shapes);
    snprintf(sym, sizeof sym, "%s/%s-symbol.json", dir, name);
    snprintf(params, sizeof params, "%s/%s-0000.params", dir, name);
    memset(&o, 0, sizeof o);
    o.symbol_path = sym;
    o.params_path = params;
    inputs = cJSON_GetObjectItem(meta, "inputs");
    cJSON_ArrayForEach(in, inputs) {
        bnnc_input *bi = &o.inputs[o.n_inputs++];
        const cJSON *d;
        memset(bi, 0, sizeof *bi);
        snprintf(bi->name, sizeof bi->name, "%s", in->string);
        cJSON_ArrayForEach(d, in) {
            bi->shape.d[bi->shape.ndim++] = (int64_t)d->valuedouble;
        }
    }
    bnnc_quiet = 1;
    if (compile_frontend(&o, &g, &err))
        fail_msg("%s: %s", name, err.msg);

    /* every live node has MXNet's shape */
    for (size_t i = 0; i < g.n; i++) {
        const ir_node *n = g.nodes[i];
        const cJSON *want = cJSON_GetObjectItem(shapes, n->name);
        char buf[96];
        if (n->op == IR_OP_CONST || n->op == IR_OP_INPUT)
            continue;
        if (!want)
            fail_msg("%s: node '%s' has no MXNet shape", name, n->name);
        if (!shape_matches(&n->shape[0], want))
            fail_msg("%s: node '%s' has shape %s, MXNet says %s", name, n->name,
                     ir_shape_str(&n->shape[0], buf, sizeof buf), cJSON_PrintUnformatted(want));
        n_bin += n->op == IR_OP_BCONV || n->op == IR_OP_BDENSE;
        n_wob += n->weight_only_binary;
        checked++;
    }
    if (n_bin != cJSON_GetObjectItem(meta, "binary_layers")->valueint)
        fail_msg("%s: %d binary layers, expected %d", name, n_bin,
                 cJSON_GetObjectItem(meta, "binary_layers")->valueint);
    assert_int_equal(n_wob, cJSON_GetObjectItem(meta, "weight_only_binary")->valueint);

    /* the listed binary layers, with their padding and scaling */
    bin = cJSON_GetObjectItem(meta, "binary");
    cJSON_ArrayForEach(b, bin) {
        const char *node = cJSON_GetObjectItem(b, "node")->valuestring;
        const cJSON *binarized = cJSON_GetObjectItem(b, "input_binarized");
        const cJSON *pad = cJSON_GetObjectItem(b, "pad_value");
        const cJSON *scaled = cJSON_GetObjectItem(b, "scaled");
        const ir_node *n = find(&g, node);
        if (!n)
            fail_msg("%s: binary layer '%s' is missing", name, node);
        if (binarized && !cJSON_IsTrue(binarized)) {
            if (n->op != IR_OP_CONV || !n->weight_only_binary)
                fail_msg("%s: '%s' should stay a weight-only binary conv", name, node);
            continue;
        }
        if (n->op != IR_OP_BCONV && n->op != IR_OP_BDENSE)
            fail_msg("%s: '%s' is %s, not binary", name, node, ir_op_name(n->op));
        if (n->op == IR_OP_BCONV && pad && cJSON_IsNumber(pad) &&
            (n->a.b.conv.pad[0] || n->a.b.conv.pad[1]) &&
            n->a.b.pad_mode != pad_mode_of(pad->valuedouble))
            fail_msg("%s: '%s' pads with mode %d, expected value %g", name, node,
                     (int)n->a.b.pad_mode, pad->valuedouble);
        if (scaled && cJSON_IsString(scaled) && !n->a.b.scale)
            fail_msg("%s: '%s' lost its scale", name, node);
    }

    /* the JSON report parses and has one row per layer */
    mem = open_memstream(&report, &len);
    inspect_print(&g, NULL, 1, NULL, mem);
    fclose(mem);
    rep = cJSON_Parse(report);
    assert_non_null(rep);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(rep, "layers")), checked);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "totals"), "binary_layers")->valueint,
                     n_bin);
    cJSON_Delete(rep);
    free(report);

    ir_graph_free(&g);
    cJSON_Delete(meta);
    cJSON_Delete(shapes);
    return checked;
}

static void test_all_fixtures(void **state)
{
    DIR *d = opendir(FIXTURES);
    struct dirent *e;
    int n = 0;
    (void)state;
    assert_non_null(d);
    while ((e = readdir(d))) {
        char path[1200];
        FILE *f;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s/meta.json", FIXTURES, e->d_name);
        f = fopen(path, "r");
        if (!f)
            continue;
        fclose(f);
        print_message("fixture %s: %d nodes checked\n", e->d_name, check_fixture(e->d_name));
        n++;
    }
    closedir(d);
    assert_true(n >= 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_fixtures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
