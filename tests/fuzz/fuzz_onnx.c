/*
 * fuzz_onnx.c - libFuzzer harness for the ONNX model reader.
 *
 * Feeds arbitrary bytes to onnx_model_parse (from memory, so external
 * data is refused with a message) and lists every model that decodes
 * with onnx_dump. Besides the sanitizers, it checks the reader's
 * contract: a failure leaves an empty model and a message that names the
 * file; a success gives tensors whose byte counts match their types and
 * shapes, whose every element is readable, and initializers that can be
 * found by name. A model that decodes then goes through the importer and
 * every pass (compile_imported, with the shapes the graph declares): a
 * failure must leave a message and a freed graph.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/pipeline.h"
#include "frontend/onnx/import.h"
#include "frontend/onnx/onnx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_tensor(const onnx_tensor *t)
{
    uint64_t count = 1;
    for (size_t i = 0; i < t->ndim; i++) {
        if (t->dims[i] < 0)
            abort();
        count *= (uint64_t)t->dims[i];
    }
    if (count != t->count || !t->name)
        abort();
    if (t->dtype == ONNX_STRING) {
        if (t->count && !t->strings)
            abort();
        for (uint64_t i = 0; i < t->count; i++)
            if (t->strings[i].s[t->strings[i].len] != '\0')
                abort();
        return;
    }
    if (t->nbytes != onnx_dtype_nbytes(t->dtype, t->count) ||
        (t->nbytes && !t->data))
        abort();
    /* touch every byte (ASan catches reads outside the buffer) */
    {
        unsigned sum = 0;
        for (size_t i = 0; i < t->nbytes; i++)
            sum += t->data[i];
        (void)sum;
    }
    for (uint64_t i = 0; i < t->count && i < 4096; i++) {
        double d;
        int64_t x;
        (void)onnx_tensor_get_f64(t, i, &d);
        (void)onnx_tensor_get_i64(t, i, &x);
    }
}

static void check_graph(const onnx_graph *g, int depth)
{
    if (depth > ONNX_MAX_DEPTH)
        abort();
    for (size_t i = 0; i < g->n_initializers; i++) {
        check_tensor(&g->initializers[i]);
        if (onnx_graph_initializer(g, g->initializers[i].name) !=
            &g->initializers[i])
            abort();
    }
    for (size_t i = 0; i < g->n_nodes; i++) {
        const onnx_node *n = &g->nodes[i];
        if (!n->op_type[0])
            abort();
        for (size_t k = 0; k < n->n_attrs; k++) {
            const onnx_attr *a = &n->attrs[k];
            if (onnx_node_attr(n, a->name) != a)
                abort();
            if (a->type == ONNX_ATTR_TENSOR && !a->ref_attr_name)
                check_tensor(a->t);
            if (a->type == ONNX_ATTR_GRAPH && !a->ref_attr_name)
                check_graph(a->g, depth + 1);
            if (a->type == ONNX_ATTR_TENSORS)
                for (size_t j = 0; j < a->n; j++)
                    check_tensor(&a->tensors[j]);
            if (a->type == ONNX_ATTR_GRAPHS)
                for (size_t j = 0; j < a->n; j++)
                    check_graph(&a->graphs[j], depth + 1);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char label[] = "fuzz.onnx";
    static FILE *sink;
    onnx_model m;
    bnnc_err err;

    bnnc_quiet = 1;
    if (!sink)
        sink = fopen("/dev/null", "w");
    err.msg[0] = '\0';
    if (onnx_model_parse(data, size, label, NULL, &m, &err) != 0) {
        if (strncmp(err.msg, label, sizeof label - 1) || m.priv ||
            m.graph.nodes || m.n_opsets)
            abort();
        return 0;
    }
    check_graph(&m.graph, 0);
    (void)onnx_model_check_opsets(&m, &err);
    if (sink)
        onnx_dump(sink, &m);
    {
        bnnc_options o;
        ir_graph g;
        lir_program p;
        memset(&o, 0, sizeof o);
        memset(&p, 0, sizeof p);
        err.msg[0] = '\0';
        if (onnx_import_model(&m, NULL, 0, &g, &err) || compile_imported(&o, &g, &p, &err)) {
            if (!err.msg[0] || g.nodes)
                abort(); /* failures leave a message and a freed graph */
        } else {
            lir_free(&p);
            ir_graph_free(&g);
        }
    }
    onnx_model_free(&m);
    return 0;
}
