/*
 * test_emit_names.c - MXNet node and input names may hold any characters;
 * the generated C quotes them in comments and strings (and the m4 model),
 * so codegen/emit.c must reduce them to text that cannot end a comment,
 * escape a string or form a C99 trigraph (two question marks then '/'
 * read as a backslash, then '=' as '#'...). The standalone file must then build warning-free with -std=c99.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codegen/emit.h"
#include "model_builder.h"

/* JSON string bodies (escaped for JSON) of the input and the two layers. */
#define IN_NAME "in*/put\?\?/<|x|>"
#define FC_NAME "fc*/\?\?=\\\"\?\?/\\n<|y|>"
#define SM_NAME "soft\?\?(max\?\?)"

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n;
    char *s;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    s = malloc((size_t)n + 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n)
        n = 0;
    s[n] = '\0';
    fclose(f);
    return s;
}

static void test_hostile_names(void **state)
{
    static const char json[] =
        "{\"nodes\": ["
        "{\"op\": \"null\", \"name\": \"" IN_NAME "\", \"inputs\": []},"
        "{\"op\": \"null\", \"name\": \"w\", \"inputs\": []},"
        "{\"op\": \"null\", \"name\": \"b\", \"inputs\": []},"
        "{\"op\": \"FullyConnected\", \"name\": \"" FC_NAME "\", "
        "\"attrs\": {\"num_hidden\": \"3\"}, \"inputs\": [[0,0,0],[1,0,0],[2,0,0]]},"
        "{\"op\": \"softmax\", \"name\": \"" SM_NAME "\", \"inputs\": [[3,0,0]]}"
        "], \"heads\": [[4, 0, 0]], \"attrs\": {\"mxnet_version\": [\"int\", 10901]}}";
    const char *in[] = {IN_NAME "=1,4", NULL};
    mb_params par = {0};
    bnnc_options o;
    emit_options eo;
    ir_graph g;
    lir_program p;
    bnnc_err err;
    char cmd[512], *c;
    const char *cc = getenv("CC") ? getenv("CC") : "cc";
    (void)state;

    mb_add(&par, "arg:w", 2, (int64_t[]){3, 4}, NULL);
    mb_add(&par, "arg:b", 1, (int64_t[]){3}, NULL);
    /* writes t-symbol.json and t-0000.params */
    if (mb_run(json, &par, in, &g, &err))
        fail_msg("%s", err.msg);
    ir_graph_free(&g);
    memset(&o, 0, sizeof o);
    o.symbol_path = "t-symbol.json";
    o.params_path = "t-0000.params";
    if (cli_parse_input(in[0], &o.inputs[o.n_inputs++], &err) ||
        compile_model(&o, &g, &p, &err))
        fail_msg("%s", err.msg);
    memset(&eo, 0, sizeof eo);
    eo.prefix = "net";
    eo.c_path = "t-net.c";
    eo.h_path = "t-net.h";
    eo.command_line = "bnnc compile t-symbol.json t-0000.params --input '" IN_NAME "=1,4'";
    eo.symbol_path = o.symbol_path;
    eo.params_path = o.params_path;
    eo.standalone = 1;
    if (emit_program(&g, &p, &eo, &err))
        fail_msg("%s", err.msg);
    lir_free(&p);
    ir_graph_free(&g);
    mb_free(&par);

    c = read_all("t-net.c");
    assert_non_null(c);
    assert_null(strstr(c, "\?\?"));
    assert_null(strstr(c, "in*/put"));
    assert_null(strstr(c, "fc*/"));
    free(c);
    snprintf(cmd, sizeof cmd,
             "%s -std=c99 -Wall -Wextra -Wpedantic -Werror -fsyntax-only t-net.c", cc);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
