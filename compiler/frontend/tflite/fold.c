/*
 * fold.c - constant operators of a .tflite model computed at import
 * (fold.h), each as TFLite's (or LCE's) kernel computes it, in float32:
 *   RELU, RELU_N1_TO_1, RELU6, ABS   one element at a time
 *   ADD, SUB, MUL                    one rounding per element, NumPy
 *                                    broadcasting, then the fused
 *                                    activation (NONE, RELU, RELU_N1_TO_1,
 *                                    RELU6)
 *   MEAN                             per output, the sum of its elements
 *                                    in row-major order of the input,
 *                                    starting from the first, then
 *                                    divided by their count (a float)
 *   TRANSPOSE, RESHAPE               data movement
 *   LceQuantize                      bit = x < 0, 32 channels a word
 *                                    (bit c % 32 of word c / 32), tail
 *                                    bits 0
 *   LceDequantize                    -1.0 for a bit 1, +1.0 for a bit 0
 * and in TFLite's integer semantics, on int8 constants with one scale
 * and zero point:
 *   RELU, RELU_N1_TO_1, RELU6, ABS   requantised by QuantizeMultiplier of
 *                                    s_in / s_out (divided in float), the
 *                                    activation's quantised clamp
 *   MEAN                             QuantizedMeanOrSum (all but the 4-D
 *                                    mean over H and W)
 *   QUANTIZE (float32 to int8), DEQUANTIZE (int8 to float32, per tensor
 *   or per channel), TRANSPOSE, RESHAPE, LceQuantize (bit = q < z)
 * Anything else, and any input computed at run time, is left to the
 * importer.
 */
#include "fold.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/mem.h"
#include "bnn_int8.h"

static int fail(char *msg, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, n, fmt, ap);
    va_end(ap);
    return -1;
}


static uint32_t get_u32(const uint8_t *p, size_t k)
{
    return (uint32_t)p[4 * k] | (uint32_t)p[4 * k + 1] << 8 | (uint32_t)p[4 * k + 2] << 16 |
           (uint32_t)p[4 * k + 3] << 24;
}

static void put_u32(uint8_t *p, size_t k, uint32_t u)
{
    p[4 * k] = (uint8_t)u;
    p[4 * k + 1] = (uint8_t)(u >> 8);
    p[4 * k + 2] = (uint8_t)(u >> 16);
    p[4 * k + 3] = (uint8_t)(u >> 24);
}

static float get_f32(const uint8_t *p, size_t k)
{
    uint32_t u = get_u32(p, k);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static void put_f32(uint8_t *p, size_t k, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    put_u32(p, k, u);
}


/* An integer constant's element k (int32 or int64). */
static int64_t get_int(const tfl_tensor *t, size_t k)
{
    if (t->type == TFL_INT64) {
        uint64_t u = 0;
        for (int b = 7; b >= 0; b--)
            u = u << 8 | t->data[8 * k + (size_t)b];
        return (int64_t)u;
    }
    return (int32_t)get_u32(t->data, k);
}

/* Has t a dynamic dimension (shape_signature -1)? */
static int dynamic(const tfl_tensor *t)
{
    if (t->has_signature)
        for (int k = 0; k < t->rank; k++)
            if (t->signature[k] < 0)
                return 1;
    return 0;
}

/* A constant input with its whole data (nbytes = count * type size),
 * of type `type` (or int32/int64 when type is -1). */
static const tfl_tensor *const_in(const tfl_operator *op, const tfl_tensor *tensors,
                                  size_t ntensors, size_t k, int type)
{
    const tfl_tensor *t;
    if (k >= op->ninputs || op->inputs[k] < 0 || (size_t)op->inputs[k] >= ntensors)
        return NULL;
    t = &tensors[op->inputs[k]];
    if (!t->data || dynamic(t))
        return NULL;
    if (type >= 0 ? (int)t->type != type : t->type != TFL_INT32 && t->type != TFL_INT64)
        return NULL;
    if (t->nbytes != t->count * tfl_type_size(t->type))
        return NULL;
    return t;
}

/* TFLite's fused activation of float v. */
static float activate(float v, int act)
{
    if (act == 1)
        return v < 0.0f ? 0.0f : v;
    if (act == 2)
        return v > 1.0f ? 1.0f : v < -1.0f ? -1.0f : v;
    if (act == 3)
        return v > 6.0f ? 6.0f : v < 0.0f ? 0.0f : v;
    return v;
}

static int same_shape(const tfl_tensor *t, const int64_t *d, int rank)
{
    if (t->rank != rank)
        return 0;
    for (int k = 0; k < rank; k++)
        if (t->shape[k] != d[k])
            return 0;
    return 1;
}

/* Row-major strides of a shape. */
static void strides_of(const int64_t *d, int rank, int64_t *st)
{
    int64_t s = 1;
    for (int k = rank - 1; k >= 0; k--) {
        st[k] = s;
        s *= d[k];
    }
}

/* The per-tensor quantisation (scale, zero point) of an int8 tensor; -1
 * when it has none, several, or a zero point outside int8. */
/* The output element that input element i (strides st) adds to: its
 * coordinates times the output strides ost, 0 along a reduced axis. */
static int64_t reduced_index(int64_t i, const int64_t *st, const int64_t *ost, int rank)
{
    int64_t o = 0, c;
    int k;
    for (k = 0; k < rank; k++) {
        c = i / st[k];
        i -= c * st[k];
        o += c * ost[k];
    }
    return o;
}

static int qparams(const tfl_tensor *t, float *scale, int32_t *zp)
{
    if (t->q.count != 1 || !(t->q.scale[0] > 0.0f) || t->q.zero_point[0] < -128 ||
        t->q.zero_point[0] > 127)
        return -1;
    *scale = t->q.scale[0];
    *zp = (int32_t)t->q.zero_point[0];
    return 0;
}

static int8_t sat_i8(int32_t v)
{
    return (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
}

/* The int8 RELU, RELU_N1_TO_1, RELU6 and ABS of constant a into out, as
 * TFLite's kernels compute them (activations.cc QuantizedReluX, elementwise.cc
 * AbsEvalQuantized), each Prepare dividing the two scales in float:
 *   ReLUs: clamp(z_out + mbqm(q - z_in, QM(s_in / s_out)), the activation's
 *          quantised range);
 *   ABS:   |q - z_in| + z_out when the scales are equal, else
 *          mbqm(|q - z_in|, QM(s_in / s_out)) + z_out, saturated to int8.
 * 1 with *y (n bytes) filled, 0 when not per-tensor int8, -1 with msg. */
static int unary_i8(int builtin, const tfl_tensor *a, const tfl_tensor *out, uint8_t **y,
                    char *msg, size_t msg_size)
{
    float si, so;
    int32_t zi, zo, mult = 0, shift = 0, lo = -128, hi = 127;
    size_t i, n = out->count;
    int rescale;
    if (out->type != TFL_INT8 || qparams(a, &si, &zi) || qparams(out, &so, &zo))
        return 0;
    if (a->count != n)
        return fail(msg, msg_size, "%zu elements in, %zu out", a->count, n);
    rescale = builtin != TFL_OP_ABS || si != so;
    if (rescale) {
        bnn_i8_quantize_multiplier((double)(si / so), &mult, &shift);
        if (shift < -31 || shift > 30)
            return fail(msg, msg_size, "the scale ratio %g is out of range", (double)(si / so));
    }
    if (builtin != TFL_OP_ABS)
        bnn_i8_act_range(builtin == TFL_OP_RELU ? 1 : builtin == TFL_OP_RELU_N1_TO_1 ? 2 : 3,
                         so, zo, &lo, &hi);
    *y = xmalloc(n + 1);
    for (i = 0; i < n; i++) {
        int32_t q = (int8_t)a->data[i], v;
        if (builtin == TFL_OP_ABS) {
            v = q - zi < 0 ? zi - q : q - zi;
            v = (rescale ? bnn_i8_mbqm(v, mult, shift) : v) + zo;
        } else {
            v = zo + bnn_i8_mbqm(q - zi, mult, shift);
            v = v < lo ? lo : v > hi ? hi : v;
        }
        (*y)[i] = (uint8_t)sat_i8(v);
    }
    return 1;
}

int tfl_fold(const tfl_operator *op, const tfl_tensor *tensors, size_t ntensors,
             uint8_t **data, size_t *nbytes, char *msg, size_t msg_size)
{
    const tfl_tensor *a, *b, *out;
    int64_t d[TFL_MAX_RANK], st[TFL_MAX_RANK], sa[TFL_MAX_RANK], sb[TFL_MAX_RANK];
    int rank, k, lce = op->builtin == TFL_OP_CUSTOM ? op->lce : TFL_LCE_NONE;
    uint8_t *y = NULL;
    size_t i, n, esize = 4; /* bytes of an output element */

    if (op->noutputs != 1 || op->outputs[0] < 0 || (size_t)op->outputs[0] >= ntensors)
        return 0;
    for (i = 0; i < op->ninputs; i++)
        if (op->inputs[i] >= 0 && ((size_t)op->inputs[i] >= ntensors ||
                                   !tensors[op->inputs[i]].data))
            return 0;
    out = &tensors[op->outputs[0]];
    if (out->data || dynamic(out) || !out->has_rank)
        return 0;
    n = out->count;
    switch (op->builtin == TFL_OP_CUSTOM ? -1 : op->builtin) {
    case TFL_OP_RELU: case TFL_OP_RELU_N1_TO_1: case TFL_OP_RELU6: case TFL_OP_ABS:
        if ((a = const_in(op, tensors, ntensors, 0, TFL_INT8)) != NULL) {
            int rc = unary_i8(op->builtin, a, out, &y, msg, msg_size);
            if (rc <= 0)
                return rc;
            esize = 1;
            break;
        }
        /* fall through */
    case TFL_OP_RESHAPE:
        if (op->builtin == TFL_OP_RESHAPE && (a = const_in(op, tensors, ntensors, 0, TFL_INT8)) &&
            out->type == TFL_INT8) {
            if (a->count != n)
                return fail(msg, msg_size, "%zu elements in, %zu out", a->count, n);
            y = xmalloc(n + 1);
            memcpy(y, a->data, n);
            esize = 1;
            break;
        }
        if (!(a = const_in(op, tensors, ntensors, 0, TFL_FLOAT32)) ||
            out->type != TFL_FLOAT32)
            return 0;
        if (a->count != n)
            return fail(msg, msg_size, "%zu elements in, %zu out", a->count, n);
        y = xmalloc(4 * n + 1);
        for (i = 0; i < n; i++) {
            float v = get_f32(a->data, i);
            if (op->builtin == TFL_OP_ABS)
                v = v < 0.0f ? -v : v == 0.0f ? 0.0f : v;
            else if (op->builtin == TFL_OP_RELU)
                v = activate(v, 1);
            else if (op->builtin == TFL_OP_RELU_N1_TO_1)
                v = activate(v, 2);
            else if (op->builtin == TFL_OP_RELU6)
                v = activate(v, 3);
            put_f32(y, i, v);
        }
        break;
    case TFL_OP_ADD: case TFL_OP_SUB: case TFL_OP_MUL: {
        int act = op->builtin == TFL_OP_MUL ? op->opt.mul.activation : op->opt.add.activation;
        if (!(a = const_in(op, tensors, ntensors, 0, TFL_FLOAT32)) ||
            !(b = const_in(op, tensors, ntensors, 1, TFL_FLOAT32)) ||
            out->type != TFL_FLOAT32 || act < 0 || act > 3)
            return 0;
        /* NumPy broadcasting, shapes aligned at their last axes */
        rank = a->rank > b->rank ? a->rank : b->rank;
        for (k = 0; k < rank; k++) {
            int ka = k - (rank - a->rank), kb = k - (rank - b->rank);
            int64_t da = ka >= 0 ? a->shape[ka] : 1, db = kb >= 0 ? b->shape[kb] : 1;
            if (da != db && da != 1 && db != 1)
                return fail(msg, msg_size, "shapes do not broadcast (axis %d: %lld and %lld)",
                            k, (long long)da, (long long)db);
            d[k] = da > db ? da : db;
        }
        if (!same_shape(out, d, rank))
            return fail(msg, msg_size, "the output's shape is not the inputs' broadcast");
        strides_of(d, rank, st);
        {
            int64_t ta[TFL_MAX_RANK], tb[TFL_MAX_RANK];
            int64_t da[TFL_MAX_RANK], db[TFL_MAX_RANK];
            for (k = 0; k < rank; k++) {
                int ka = k - (rank - a->rank), kb = k - (rank - b->rank);
                da[k] = ka >= 0 ? a->shape[ka] : 1;
                db[k] = kb >= 0 ? b->shape[kb] : 1;
            }
            strides_of(da, rank, ta);
            strides_of(db, rank, tb);
            for (k = 0; k < rank; k++) {
                sa[k] = da[k] == 1 ? 0 : ta[k];
                sb[k] = db[k] == 1 ? 0 : tb[k];
            }
        }
        y = xmalloc(4 * n + 1);
        for (i = 0; i < n; i++) {
            int64_t r = (int64_t)i, ia = 0, ib = 0;
            for (k = 0; k < rank; k++) {
                int64_t c = r / st[k];
                r -= c * st[k];
                ia += c * sa[k];
                ib += c * sb[k];
            }
            float x = get_f32(a->data, (size_t)ia), z = get_f32(b->data, (size_t)ib);
            float v = op->builtin == TFL_OP_ADD ? x + z : op->builtin == TFL_OP_SUB ? x - z
                                                                                    : x * z;
            put_f32(y, i, activate(v, act));
        }
        break;
    }
    case TFL_OP_MEAN: {
        int red[TFL_MAX_RANK] = {0};
        int64_t ost[TFL_MAX_RANK], cnt = 1, od[TFL_MAX_RANK] = {0};
        float *sum;
        int64_t *isum = NULL;
        uint8_t *seen;
        size_t m;
        int orank = 0, i8 = 0;
        float si = 0.0f, so = 0.0f;
        int32_t zi = 0, zo = 0;
        if ((a = const_in(op, tensors, ntensors, 0, TFL_INT8)) != NULL) {
            /* int8 (reduce.cc EvalQuantizedMean, QuantizedMeanOrSum):
             * the 4-D mean over axes (1, 2) with keep_dims runs another
             * kernel and is left to the importer */
            if (!(b = const_in(op, tensors, ntensors, 1, TFL_INT32)) || out->type != TFL_INT8 ||
                qparams(a, &si, &zi) || qparams(out, &so, &zo))
                return 0;
            if (op->opt.reducer.keep_dims && a->rank == 4 && b->count == 2 &&
                ((get_int(b, 0) == 1 && get_int(b, 1) == 2) ||
                 (get_int(b, 0) == 2 && get_int(b, 1) == 1)))
                return 0;
            i8 = 1;
        } else if (!(a = const_in(op, tensors, ntensors, 0, TFL_FLOAT32)) ||
                   !(b = const_in(op, tensors, ntensors, 1, -1)) || out->type != TFL_FLOAT32)
            return 0;
        rank = a->rank;
        for (i = 0; i < b->count; i++) {
            int64_t ax = get_int(b, i);
            if (ax < -rank || ax >= rank)
                return fail(msg, msg_size, "axis %lld of a rank-%d tensor", (long long)ax,
                            rank);
            red[ax < 0 ? ax + rank : ax] = 1;
        }
        for (k = 0; k < rank; k++) {
            d[k] = a->shape[k];
            if (red[k])
                cnt *= d[k];
            if (!red[k] || op->opt.reducer.keep_dims)
                od[orank++] = red[k] ? 1 : d[k];
        }
        if (!same_shape(out, od, orank) && !(orank == 0 && out->rank == 0))
            return fail(msg, msg_size, "the output's shape is not the reduced input's");
        /* the output index of an input element: its kept coordinates */
        strides_of(d, rank, st);
        {
            int64_t s = 1;
            for (k = rank - 1; k >= 0; k--) {
                ost[k] = red[k] ? 0 : s;
                if (!red[k])
                    s *= d[k];
            }
        }
        m = n ? n : 1;
        if (i8) {
            int32_t mult, sh;
            int e = 0;
            if (cnt < 1 || cnt > ((int64_t)1 << 24))
                return fail(msg, msg_size, "a mean of %lld int8 elements", (long long)cnt);
            /* QuantizedMeanOrSum: the multiplier of s_in / s_out times
             * 2^e / count, e = floor(log2(count)) (at most 32 and
             * 31 + shift), applied to the sum of (q - z_in) */
            bnn_i8_quantize_multiplier((double)si / (double)so, &mult, &sh);
            while (e < 62 && ((int64_t)1 << (e + 1)) <= cnt)
                e++;
            e = e < 32 ? e : 32;
            e = e < 31 + sh ? e : 31 + sh;
            if (e < 0 || sh > 30)
                return fail(msg, msg_size, "the scale ratio %g is out of range",
                            (double)si / (double)so);
            mult = (int32_t)(((int64_t)mult << e) / cnt);
            sh -= e;
            isum = xcalloc(m, sizeof *isum);
            for (i = 0; i < a->count; i++)
                isum[reduced_index((int64_t)i, st, ost, rank)] += (int8_t)a->data[i];
            y = xmalloc(m + 1);
            for (i = 0; i < n; i++)
                y[i] = (uint8_t)sat_i8(bnn_i8_mbqm((int32_t)(isum[i] - (int64_t)zi * cnt), mult,
                                                   sh) + zo);
            free(isum);
            esize = 1;
            break;
        }
        sum = xcalloc(m, sizeof *sum);
        seen = xcalloc(m, 1);
        for (i = 0; i < a->count; i++) {
            int64_t o = reduced_index((int64_t)i, st, ost, rank);
            /* the first element, then + each next (0 + x would turn -0
             * into +0) */
            sum[o] = seen[o] ? sum[o] + get_f32(a->data, i) : get_f32(a->data, i);
            seen[o] = 1;
        }
        free(seen);
        y = xmalloc(4 * m + 1);
        for (i = 0; i < n; i++)
            put_f32(y, i, sum[i] / (float)cnt);
        free(sum);
        break;
    }
    case TFL_OP_QUANTIZE: {
        /* float32 to int8, one scale: clamp(round(x / s) + z), the
         * division in float, rounded half away from zero (quantize.cc
         * AffineQuantize) */
        float so;
        int32_t zo;
        if (!(a = const_in(op, tensors, ntensors, 0, TFL_FLOAT32)) || out->type != TFL_INT8 ||
            qparams(out, &so, &zo))
            return 0;
        if (a->count != n)
            return fail(msg, msg_size, "%zu elements in, %zu out", a->count, n);
        y = xmalloc(n + 1);
        for (i = 0; i < n; i++) {
            float r = roundf(get_f32(a->data, i) / so);
            /* NaN gives -128 (the int32 conversion of x86, as the
             * runtime's quantisation); values far outside int8 saturate */
            r = r > 1000.0f ? 1000.0f : r < -1000.0f ? -1000.0f : r;
            y[i] = (uint8_t)(r != r ? -128 : sat_i8((int32_t)r + zo));
        }
        esize = 1;
        break;
    }
    case TFL_OP_DEQUANTIZE: {
        /* int8 to float32: (float)(s * (q - z)), per tensor or per channel
         * of quantized_dimension (the product is exact in double) */
        size_t inner = 1, ch = 1;
        if (!(a = const_in(op, tensors, ntensors, 0, TFL_INT8)) || out->type != TFL_FLOAT32 ||
            a->q.count < 1)
            return 0;
        if (a->count != n)
            return fail(msg, msg_size, "%zu elements in, %zu out", a->count, n);
        if (a->q.count > 1) {
            int qd = a->q.quantized_dimension;
            if (qd < 0 || qd >= a->rank || (size_t)a->shape[qd] != a->q.count)
                return fail(msg, msg_size, "%zu scales for dimension %d", a->q.count, qd);
            ch = a->q.count;
            for (k = qd + 1; k < a->rank; k++)
                inner *= (size_t)a->shape[k];
        }
        for (i = 0; i < a->q.count; i++)
            if (a->q.zero_point[i] < -128 || a->q.zero_point[i] > 127)
                return fail(msg, msg_size, "zero point %lld outside int8",
                            (long long)a->q.zero_point[i]);
        y = xmalloc(4 * n + 1);
        for (i = 0; i < n; i++) {
            size_t c = ch > 1 ? i / inner % ch : 0;
            int32_t q = (int8_t)a->data[i];
            put_f32(y, i, (float)((double)a->q.scale[c] * (double)(q - a->q.zero_point[c])));
        }
        break;
    }
    case TFL_OP_TRANSPOSE: {
        int64_t perm[TFL_MAX_RANK], ist[TFL_MAX_RANK];
        int seen[TFL_MAX_RANK] = {0};
        if (!(a = const_in(op, tensors, ntensors, 0, TFL_FLOAT32)) &&
            !(a = const_in(op, tensors, ntensors, 0, TFL_INT8)))
            return 0;
        if (!(b = const_in(op, tensors, ntensors, 1, -1)) || out->type != a->type)
            return 0;
        esize = tfl_type_size(a->type);
        rank = a->rank;
        if ((int64_t)b->count != rank)
            return fail(msg, msg_size, "a permutation of %zu axes for a rank-%d tensor",
                        b->count, rank);
        for (k = 0; k < rank; k++) {
            perm[k] = get_int(b, (size_t)k);
            if (perm[k] < 0 || perm[k] >= rank || seen[perm[k]]++)
                return fail(msg, msg_size, "the permutation is not one of %d axes", rank);
            d[k] = a->shape[perm[k]];
        }
        if (!same_shape(out, d, rank))
            return fail(msg, msg_size, "the output's shape is not the permuted input's");
        {
            int64_t ad[TFL_MAX_RANK];
            for (k = 0; k < rank; k++)
                ad[k] = a->shape[k];
            strides_of(ad, rank, ist);
        }
        strides_of(d, rank, st);
        y = xmalloc(esize * n + 1);
        for (i = 0; i < n; i++) {
            int64_t r = (int64_t)i, src = 0;
            for (k = 0; k < rank; k++) {
                int64_t c = r / st[k];
                r -= c * st[k];
                src += c * ist[perm[k]];
            }
            memcpy(y + esize * i, a->data + esize * (size_t)src, esize);
        }
        break;
    }
    case -1:
        if (lce == TFL_LCE_QUANTIZE) {
            size_t c, words, rows, w;
            float si = 0.0f;
            int32_t zi = 0;
            if (!(a = const_in(op, tensors, ntensors, 0, TFL_FLOAT32)) &&
                (!(a = const_in(op, tensors, ntensors, 0, TFL_INT8)) || qparams(a, &si, &zi)))
                return 0;
            if (a->rank < 1 || out->type != TFL_INT32)
                return 0;
            c = (size_t)a->shape[a->rank - 1];
            words = (c + 31) / 32;
            rows = c ? a->count / c : 0;
            if (out->rank != a->rank || (size_t)out->shape[out->rank - 1] != words ||
                out->count != rows * words)
                return fail(msg, msg_size, "%zu channels do not pack into the output's "
                            "shape", c);
            y = xcalloc(4 * n + 1, 1);
            for (i = 0; i < rows; i++)
                for (w = 0; w < words; w++) {
                    uint32_t u = 0;
                    for (size_t j = 0; j < 32 && w * 32 + j < c; j++)
                        u |= (uint32_t)(a->type == TFL_INT8
                                            ? (int8_t)a->data[i * c + w * 32 + j] < zi
                                            : get_f32(a->data, i * c + w * 32 + j) < 0.0f)
                             << j;
                    put_u32(y, i * words + w, u);
                }
            break;
        }
        if (lce == TFL_LCE_DEQUANTIZE) {
            size_t c, words, rows, j;
            if (!(a = const_in(op, tensors, ntensors, 0, TFL_INT32)) || a->rank < 1 ||
                out->type != TFL_FLOAT32 || out->rank != a->rank)
                return 0;
            c = (size_t)out->shape[out->rank - 1];
            words = (size_t)a->shape[a->rank - 1];
            rows = words ? a->count / words : 0;
            if (words != (c + 31) / 32 || n != rows * c)
                return fail(msg, msg_size, "%zu words do not unpack into %zu channels", words,
                            c);
            y = xmalloc(4 * n + 1);
            for (i = 0; i < rows; i++)
                for (j = 0; j < c; j++)
                    put_f32(y, i * c + j,
                            get_u32(a->data, i * words + j / 32) >> (j % 32) & 1u ? -1.0f
                                                                                  : 1.0f);
            break;
        }
        return 0;
    default:
        return 0;
    }
    *data = y;
    *nbytes = esize * n;
    return 1;
}
