/*
 * fuzz_tflite.c - libFuzzer harness for the .tflite reader.
 *
 * Feeds arbitrary bytes to tfl_model_parse and, independently, to the
 * FlexBuffers reader (custom options are FlexBuffers). Besides the
 * sanitizers, it checks the reader's contract: a failure leaves an empty
 * model and a message that names the file; a success gives a model whose
 * every index is in range and whose constant data lies inside the input
 * (every byte is read, so ASan sees any pointer that is not), and which
 * the dump prints.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/pipeline.h"
#include "frontend/tflite/flexbuf.h"
#include "frontend/tflite/import.h"
#include "frontend/tflite/tflite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink(void)
{
    static FILE *f;
    if (!f)
        f = fopen("/dev/null", "w");
    if (!f)
        abort();
    return f;
}

static unsigned touch(const uint8_t *p, size_t n)
{
    unsigned s = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i];
    return s;
}

static void check_model(const tfl_model *m, const uint8_t *data, size_t size)
{
    unsigned s = 0;
    for (size_t i = 0; i < m->nbuffers; i++) {
        const tfl_buffer *b = &m->buffers[i];
        if (b->size && (b->data < data || b->data + b->size > data + size ||
                        b->data != data + b->file_offset))
            abort();
        if (b->size)
            s += touch(b->data, b->size);
    }
    for (size_t g = 0; g < m->nsubgraphs; g++) {
        const tfl_subgraph *sg = &m->subgraphs[g];
        for (size_t i = 0; i < sg->ninputs; i++)
            if (sg->inputs[i] < 0 || (size_t)sg->inputs[i] >= sg->ntensors)
                abort();
        for (size_t i = 0; i < sg->noutputs; i++)
            if (sg->outputs[i] < 0 || (size_t)sg->outputs[i] >= sg->ntensors)
                abort();
        for (size_t i = 0; i < sg->ntensors; i++) {
            const tfl_tensor *t = &sg->tensors[i];
            if (t->rank < 0 || t->rank > TFL_MAX_RANK || !t->name ||
                (t->q.count && (!t->q.scale || !t->q.zero_point)))
                abort();
            if (t->data && (t->buffer >= m->nbuffers || t->data != m->buffers[t->buffer].data ||
                            t->nbytes != m->buffers[t->buffer].size))
                abort();
            s += (unsigned)strlen(t->name);
        }
        for (size_t k = 0; k < sg->nops; k++) {
            const tfl_operator *op = &sg->ops[k];
            if (op->opcode_index >= m->nopcodes)
                abort();
            for (size_t i = 0; i < op->ninputs; i++)
                if (op->inputs[i] < -1 || op->inputs[i] >= (int32_t)sg->ntensors)
                    abort();
            for (size_t i = 0; i < op->noutputs; i++)
                if (op->outputs[i] < -1 || op->outputs[i] >= (int32_t)sg->ntensors)
                    abort();
            if (op->custom_options_size)
                s += touch(op->custom_options, op->custom_options_size);
        }
    }
    tfl_model_dump(m, sink());
    if (s == 0xFFFFFFFFu)   /* keep the sums */
        fputc(0, sink());
}

/* The model into the IR and through every pass to the memory plan. */
static void import_and_compile(const tfl_model *m)
{
    bnnc_options o;
    ir_graph g;
    lir_program p;
    bnnc_err err;
    memset(&o, 0, sizeof o);
    o.symbol_path = m->path;
    o.params_path = "";
    err.msg[0] = '\0';
    if (tfl_import_model(m, NULL, 0, &g, &err) || compile_imported(&o, &g, &p, &err)) {
        if (!err.msg[0] || g.nodes)
            abort(); /* failures leave a message and a freed graph */
        return;
    }
    lir_free(&p);
    ir_graph_free(&g);
}

/* Walk a FlexBuffer value: every scalar read, maps and vectors entered
 * up to depth 8, at most 4096 values in all (values may be shared, so a
 * walk without a budget could be exponential). */
static void walk(flx_reader *x, const flx_ref *ref, int depth, unsigned *budget)
{
    int64_t i;
    double d;
    const char *s;
    size_t len;
    flx_map m;
    flx_vector v;
    if (depth > 8 || *budget == 0)
        return;
    --*budget;
    (void)flx_int(x, ref, &i);
    (void)flx_float(x, ref, &d);
    if (flx_string(x, ref, &s, &len) == 0 && len && touch((const uint8_t *)s, len) == 1)
        fputc(0, sink());
    if (flx_map_of(x, ref, &m) == 0) {
        for (size_t k = 0; k < m.keys.count && *budget; k++) {
            flx_ref c;
            if (flx_map_find(x, &m, flx_map_key(x, &m, k), &c) != 1)
                abort();
            walk(x, &c, depth + 1, budget);
        }
        return;
    }
    if (flx_vector_of(x, ref, &v) == 0)
        for (size_t k = 0; k < v.count && *budget; k++) {
            flx_ref c;
            flx_vector_at(x, &v, k, &c);
            walk(x, &c, depth + 1, budget);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char label[] = "fuzz.tflite";
    tfl_model m;
    bnnc_err err;
    flx_reader x;
    flx_ref root;

    bnnc_quiet = 1;
    err.msg[0] = '\0';
    if (tfl_model_parse(data, size, label, &m, &err) != 0) {
        if (strncmp(err.msg, label, sizeof label - 1) || m.subgraphs || m.opcodes ||
            m.buffers || m.nsubgraphs)
            abort();
    } else {
        check_model(&m, data, size);
        import_and_compile(&m);
        tfl_model_free(&m);
    }

    if (flx_open(&x, data, size, label, 0, "", &err, &root) == 0) {
        unsigned budget = 4096;
        walk(&x, &root, 0, &budget);
    }
    else if (strncmp(err.msg, label, sizeof label - 1))
        abort();
    return 0;
}
