/*
 * import.c - MXNet symbol + params -> IR (see import.h).
 *
 * Each operator's attributes are read by an attribute reader that applies
 * MXNet's defaults (mxnet-format.md section 4, bmxnet.md section 2.5) and
 * remembers which keys it consumed; keys nobody consumed are reported as
 * warnings, values that cannot be honoured are errors.
 */
#include "import.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "../util/mem.h"
#include "../util/strmap.h"
#include "attrs.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_LITTLE_ENDIAN 0
#else
#define HOST_LITTLE_ENDIAN 1
#endif

/* Role of an operator input slot, which decides how a variable feeding it
 * is bound. */
typedef enum {
    ROLE_DATA,   /* activation; a variable here is a data input or a const */
    ROLE_PARAM,  /* learned parameter: must be in the params file */
    ROLE_AUX,    /* auxiliary state (BatchNorm moving stats) */
    ROLE_PACKED, /* bit-packed BMXNet weights: bytes kept as stored */
    ROLE_LABEL   /* loss label: unused at inference */
} slot_role;

typedef struct {
    ir_graph *g;
    const mx_symbol *sym;
    const mx_node *mn;
    ir_node *n;
    bnnc_err *err;
    unsigned char *used;
} areader;

#define REQUIRED INT_MIN

static const char *a_find(areader *r, const char *key)
{
    int i;
    for (i = 0; i < r->mn->n_attrs; i++)
        if (!strcmp(r->mn->attrs[i].key, key)) {
            r->used[i] = 1;
            return r->mn->attrs[i].value;
        }
    return NULL;
}

static int a_bad(areader *r, const char *key, const char *value,
                 const char *what)
{
    char k[96], v[160];
    return ir_node_errf(r->g, r->n, r->err, "attribute %s=\"%s\" is not %s",
                        bnnc_excerpt(key, k, sizeof k), bnnc_excerpt(value, v, sizeof v), what);
}

static int a_missing(areader *r, const char *key)
{
    return ir_node_errf(r->g, r->n, r->err, "required attribute '%s' is missing",
                        key);
}

/* Mark keys that are accepted but do not affect inference. */
static void a_ignore(areader *r, const char *const *keys)
{
    for (; *keys; keys++)
        a_find(r, *keys);
}

static int a_int(areader *r, const char *key, int def, int *out)
{
    const char *v = a_find(r, key);
    long long x;
    if (!v) {
        if (def == REQUIRED)
            return a_missing(r, key);
        *out = def;
        return 0;
    }
    if (attr_parse_int(v, &x) || x < INT_MIN + 1 || x > INT_MAX)
        return a_bad(r, key, v, "an integer");
    *out = (int)x;
    return 0;
}

static int a_bool(areader *r, const char *key, int def, int *out)
{
    const char *v = a_find(r, key);
    if (!v) {
        *out = def;
        return 0;
    }
    if (attr_parse_bool(v, out))
        return a_bad(r, key, v, "a boolean");
    return 0;
}

/* Optional bool: None or absent gives def. */
static int a_opt_bool(areader *r, const char *key, int def, int *out)
{
    const char *v = a_find(r, key);
    if (!v || !strcmp(v, "None")) {
        *out = def;
        return 0;
    }
    if (attr_parse_bool(v, out))
        return a_bad(r, key, v, "a boolean or None");
    return 0;
}

static int a_double(areader *r, const char *key, double def, int required,
                    double *out)
{
    const char *v = a_find(r, key);
    if (!v) {
        if (required)
            return a_missing(r, key);
        *out = def;
        return 0;
    }
    if (attr_parse_double(v, out))
        return a_bad(r, key, v, "a number");
    return 0;
}

/* Enum by exact, case-sensitive name. names is NULL-terminated. */
static int a_enum(areader *r, const char *key, const char *const *names,
                  int def, int *out)
{
    const char *v = a_find(r, key);
    char list[256];
    size_t len = 0;
    int i;
    if (!v) {
        if (def == REQUIRED)
            return a_missing(r, key);
        *out = def;
        return 0;
    }
    for (i = 0; names[i]; i++)
        if (!strcmp(v, names[i])) {
            *out = i;
            return 0;
        }
    list[0] = '\0';
    for (i = 0; names[i] && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
                                i ? ", " : "", names[i]);
    return ir_node_errf(r->g, r->n, r->err,
                        "attribute %s=\"%s\" is not supported (expected one "
                        "of: %s)",
                        key, v, list);
}

/* Tuple attribute; absent gives *n = -2 (caller applies its default). */
static int a_tuple(areader *r, const char *key, int64_t *v, int max, int *n)
{
    const char *s = a_find(r, key);
    if (!s) {
        *n = -2;
        return 0;
    }
    if (attr_parse_tuple(s, v, max, n))
        return a_bad(r, key, s, "a shape tuple");
    return 0;
}

/* A 2-D spatial tuple (kernel, stride, pad, dilate): absent or "()" give
 * def; one value is rejected unless it is 2-D. */
static int a_spatial(areader *r, const char *key, int def, int *out2)
{
    int64_t v[8];
    int n, i;
    if (a_tuple(r, key, v, 8, &n))
        return -1;
    if (n == -2 || n == 0 || n == -1) {
        if (def == REQUIRED)
            return a_missing(r, key);
        out2[0] = out2[1] = def;
        return 0;
    }
    if (n != 2)
        return ir_node_errf(r->g, r->n, r->err,
                            "attribute %s has %d dimensions; only 2-D "
                            "(NCHW) operators are supported",
                            key, n);
    for (i = 0; i < 2; i++) {
        if (v[i] < 0 || v[i] > 1 << 20)
            return ir_node_errf(r->g, r->n, r->err,
                                "attribute %s has an invalid value %lld", key,
                                (long long)v[i]);
        out2[i] = (int)v[i];
    }
    return 0;
}

static int check_layout(areader *r)
{
    const char *v = a_find(r, "layout");
    if (v && strcmp(v, "None") && strcmp(v, "NCHW"))
        return ir_node_errf(r->g, r->n, r->err,
                            "layout \"%s\" is not supported (only NCHW)", v);
    return 0;
}

static int expect_inputs(areader *r, int lo, int hi)
{
    int n = r->mn->n_inputs;
    if (n < lo || n > hi) {
        if (lo == hi)
            return ir_node_errf(r->g, r->n, r->err, "expects %d inputs, has %d",
                                lo, n);
        return ir_node_errf(r->g, r->n, r->err,
                            "expects %d to %d inputs, has %d", lo, hi, n);
    }
    return 0;
}

static const char *const cudnn_keys[] = {"workspace", "cudnn_tune",
                                         "cudnn_off", NULL};

/* Convolution geometry shared by Convolution, QConvolution and
 * BinaryInferenceConvolution. */
static int read_conv(areader *r, ir_conv_attr *c, int no_bias_default)
{
    if (a_spatial(r, "kernel", REQUIRED, c->kernel) ||
        a_spatial(r, "stride", 1, c->stride) ||
        a_spatial(r, "dilate", 1, c->dilate) ||
        a_spatial(r, "pad", 0, c->pad) ||
        a_int(r, "num_filter", REQUIRED, &c->num_filter) ||
        a_int(r, "num_group", 1, &c->num_group) ||
        a_bool(r, "no_bias", no_bias_default, &c->no_bias) || check_layout(r))
        return -1;
    a_ignore(r, cudnn_keys);
    if (c->kernel[0] < 1 || c->kernel[1] < 1 || c->stride[0] < 1 ||
        c->stride[1] < 1 || c->dilate[0] < 1 || c->dilate[1] < 1)
        return ir_node_errf(r->g, r->n, r->err,
                            "kernel, stride and dilate must be >= 1");
    if (c->num_filter < 1 || c->num_group < 1 ||
        c->num_filter % c->num_group)
        return ir_node_errf(r->g, r->n, r->err,
                            "num_filter %d must be >= 1 and divisible by "
                            "num_group %d",
                            c->num_filter, c->num_group);
    return expect_inputs(r, c->no_bias ? 2 : 3, c->no_bias ? 2 : 3);
}

static int read_dense(areader *r, ir_dense_attr *d, int no_bias_default)
{
    if (a_int(r, "num_hidden", REQUIRED, &d->num_hidden) ||
        a_bool(r, "no_bias", no_bias_default, &d->no_bias) ||
        a_bool(r, "flatten", 1, &d->flatten))
        return -1;
    if (d->num_hidden < 1)
        return ir_node_errf(r->g, r->n, r->err, "num_hidden must be >= 1");
    return expect_inputs(r, d->no_bias ? 2 : 3, d->no_bias ? 2 : 3);
}

/* BMXNet weight/activation bit widths: only 1-bit layers are binary. */
static int read_bits(areader *r, int *act_bit, int *weight_bit)
{
    if (a_int(r, "act_bit", 1, act_bit) ||
        (weight_bit && a_int(r, "weight_bit", 1, weight_bit)))
        return -1;
    if (*act_bit != 1 || (weight_bit && *weight_bit != 1))
        return ir_node_errf(r->g, r->n, r->err,
                            "act_bit=%d weight_bit=%d: only 1-bit "
                            "(binary) layers are supported",
                            *act_bit, weight_bit ? *weight_bit : 1);
    return 0;
}

static const char *const softmax_keys[] = {
    "grad_scale", "ignore_label", "use_ignore", "normalization",
    "out_grad", "smooth_alpha", NULL};

/* Parse attributes of one operator node into r->n. */
static int import_attrs(areader *r)
{
    ir_node *n = r->n;
    const char *op = r->mn->op;
    int nin = r->mn->n_inputs;

    switch (n->op) {
    case IR_OP_CONV:
        return read_conv(r, &n->a.conv, 0);
    case IR_OP_DENSE:
        return read_dense(r, &n->a.dense, 0);
    case IR_OP_BATCHNORM: {
        static const char *const keys[] = {"momentum", "cudnn_off",
                                           "min_calib_range",
                                           "max_calib_range", NULL};
        int omv;
        if (a_double(r, "eps", 1e-3, 0, &n->a.bn.eps) ||
            a_bool(r, "fix_gamma", 1, &n->a.bn.fix_gamma) ||
            a_bool(r, "use_global_stats", 0, &n->a.bn.use_global_stats) ||
            a_bool(r, "output_mean_var", 0, &omv) ||
            a_int(r, "axis", 1, &n->a.bn.axis))
            return -1;
        a_ignore(r, keys);
        if (!(n->a.bn.eps >= 0))
            return ir_node_errf(r->g, n, r->err, "eps must be >= 0");
        n->n_out = omv ? 3 : 1;
        /* <= 0.8 files omit the two aux inputs; they are synthesised */
        return expect_inputs(r, r->sym->legacy ? 3 : 5, 5);
    }
    case IR_OP_QCONV: {
        static const char *const modes[] = {"none", "forward", "backward", NULL};
        static const char *const keys[] = {"gradient_update_mode",
                                           "scaling_factor", NULL};
        int mode = 0;
        if (read_bits(r, &n->a.q.act_bit, &n->a.q.weight_bit) ||
            a_bool(r, "binarized_weights_only", 0, &n->a.q.packed) ||
            a_enum(r, "scaling_mode", modes, 0, &mode) ||
            read_conv(r, &n->a.q.conv, 1))
            return -1;
        a_ignore(r, keys);
        n->a.q.scaling_forward = mode == 1;
        return 0;
    }
    case IR_OP_QDENSE: {
        static const char *const keys[] = {"gradient_update_mode", NULL};
        if (read_bits(r, &n->a.q.act_bit, &n->a.q.weight_bit) ||
            a_bool(r, "binarized_weights_only", 0, &n->a.q.packed) ||
            read_dense(r, &n->a.q.dense, 1))
            return -1;
        a_ignore(r, keys);
        n->a.q.dense.flatten = 1; /* QFullyConnected always flattens */
        return 0;
    }
    case IR_OP_BICONV:
        n->a.q.packed = 1;
        if (read_conv(r, &n->a.q.conv, 1))
            return -1;
        if (n->a.q.conv.num_group != 1)
            return ir_node_errf(r->g, n, r->err,
                                "num_group %d: packed binary convolutions "
                                "have no groups",
                                n->a.q.conv.num_group);
        return 0;
    case IR_OP_BIDENSE:
        n->a.q.packed = 1;
        if (read_dense(r, &n->a.q.dense, 1))
            return -1;
        n->a.q.dense.flatten = 1; /* the operator flattens regardless */
        return 0;
    case IR_OP_QACT:
        if (a_bool(r, "backward_only", 0, &n->a.qact.backward_only) ||
            a_int(r, "act_bit", 1, &n->a.qact.act_bit))
            return -1;
        if (!n->a.qact.backward_only && n->a.qact.act_bit != 1)
            return ir_node_errf(r->g, n, r->err,
                                "act_bit=%d: only 1-bit activations are "
                                "supported",
                                n->a.qact.act_bit);
        return expect_inputs(r, 1, 1);
    case IR_OP_ACT: {
        static const char *const acts[] = {"relu", "sigmoid", "tanh",
                                           "softrelu", "softsign", NULL};
        static const ir_act_kind map[] = {IR_ACT_RELU, IR_ACT_SIGMOID,
                                          IR_ACT_TANH, IR_ACT_SOFTRELU,
                                          IR_ACT_SOFTSIGN};
        int k;
        if (!strcmp(op, "Activation")) {
            if (a_enum(r, "act_type", acts, REQUIRED, &k))
                return -1;
            n->a.act.act = map[k];
        } else if (!strcmp(op, "LogisticRegressionOutput")) {
            static const char *const keys[] = {"grad_scale", NULL};
            a_ignore(r, keys);
            n->a.act.act = IR_ACT_SIGMOID;
            return expect_inputs(r, 1, 2);
        } else {
            for (k = 0; acts[k] && strcmp(acts[k], op); k++)
                ;
            BNNC_ASSERT(acts[k]);
            n->a.act.act = map[k];
        }
        return expect_inputs(r, 1, 1);
    }
    case IR_OP_LEAKY: {
        static const char *const acts[] = {"leaky", "prelu", "rrelu", "elu",
                                           "selu", "gelu", NULL};
        static const ir_act_kind map[] = {IR_ACT_LEAKY, IR_ACT_PRELU,
                                          IR_ACT_LEAKY, IR_ACT_ELU,
                                          IR_ACT_SELU, IR_ACT_GELU};
        double lo, hi;
        int k;
        if (a_enum(r, "act_type", acts, 0, &k) ||
            a_double(r, "slope", 0.25, 0, &n->a.act.slope) ||
            a_double(r, "lower_bound", 0.125, 0, &lo) ||
            a_double(r, "upper_bound", 0.334, 0, &hi))
            return -1;
        n->a.act.act = map[k];
        if (k == 2) /* rrelu at inference: the mean slope */
            n->a.act.slope = (lo + hi) / 2;
        n->n_out = 1;
        return expect_inputs(r, k == 1 ? 2 : 1, k == 1 ? 2 : 1);
    }
    case IR_OP_SIGN:
    case IR_OP_SIGN3:
    case IR_OP_ABS:
    case IR_OP_FLATTEN:
        return expect_inputs(r, 1, 1);
    case IR_OP_CLIP:
        if (a_double(r, "a_min", 0, 1, &n->a.clip.a_min) ||
            a_double(r, "a_max", 0, 1, &n->a.clip.a_max))
            return -1;
        return expect_inputs(r, 1, 1);
    case IR_OP_SCALAR: {
        static const struct {
            const char *name;
            ir_scalar_kind kind;
        } sc[] = {{"plus", IR_SC_ADD},     {"Plus", IR_SC_ADD},
                  {"minus", IR_SC_SUB},    {"Minus", IR_SC_SUB},
                  {"rminus", IR_SC_RSUB},  {"RMinus", IR_SC_RSUB},
                  {"mul", IR_SC_MUL},      {"Mul", IR_SC_MUL},
                  {"div", IR_SC_DIV},      {"Div", IR_SC_DIV},
                  {"rdiv", IR_SC_RDIV},    {"RDiv", IR_SC_RDIV},
                  {"maximum", IR_SC_MAX},  {"Maximum", IR_SC_MAX},
                  {"minimum", IR_SC_MIN},  {"Minimum", IR_SC_MIN},
                  {"power", IR_SC_POW},    {"Power", IR_SC_POW}};
        static const char *const keys[] = {"is_int", NULL};
        static const struct {
            const char *name;
            ir_scalar_kind kind;
        } npi[] = {{"_npi_add_scalar", IR_SC_ADD},
                   {"_npi_subtract_scalar", IR_SC_SUB},
                   {"_npi_rsubtract_scalar", IR_SC_RSUB},
                   {"_npi_multiply_scalar", IR_SC_MUL},
                   {"_npi_true_divide_scalar", IR_SC_DIV},
                   {"_npi_rtrue_divide_scalar", IR_SC_RDIV}};
        size_t i, len;
        int found = 0;
        for (i = 0; i < sizeof npi / sizeof *npi; i++)
            if (!strcmp(op, npi[i].name)) {
                n->a.scalar.kind = npi[i].kind;
                found = 1;
            }
        for (i = 0; i < sizeof sc / sizeof *sc && !found; i++) {
            len = strlen(sc[i].name);
            if (!strncmp(op + 1, sc[i].name, len) &&
                (!strcmp(op + 1 + len, "_scalar") ||
                 !strcmp(op + 1 + len, "Scalar"))) {
                n->a.scalar.kind = sc[i].kind;
                found = 1;
                break;
            }
        }
        BNNC_ASSERT(found);
        a_ignore(r, keys);
        if (a_double(r, "scalar", 1.0, 0, &n->a.scalar.value))
            return -1;
        return expect_inputs(r, 1, 1);
    }
    case IR_OP_ADD:
        if (!strcmp(op, "add_n") || !strcmp(op, "ElementWiseSum")) {
            int num;
            if (a_int(r, "num_args", nin, &num))
                return -1;
            if (num != nin || nin < 1)
                return ir_node_errf(r->g, n, r->err,
                                    "num_args=%d but %d inputs", num, nin);
            return 0;
        }
        n->a.bin.broadcast = !strncmp(op, "broadcast_", 10) || !strncmp(op, "_npi_", 5);
        return expect_inputs(r, 2, 2);
    case IR_OP_SUB:
    case IR_OP_MUL:
    case IR_OP_DIV:
        n->a.bin.broadcast = !strncmp(op, "broadcast_", 10) || !strncmp(op, "_npi_", 5);
        return expect_inputs(r, 2, 2);
    case IR_OP_POOL: {
        static const char *const types[] = {"max", "avg", "sum", "lp", NULL};
        static const char *const convs[] = {"valid", "full", "same", NULL};
        static const char *const keys[] = {"cudnn_off", "p_value", NULL};
        ir_pool_attr *p = &n->a.pool;
        int t, c;
        if (a_bool(r, "global_pool", 0, &p->global) ||
            a_enum(r, "pool_type", types, 0, &t) ||
            a_enum(r, "pooling_convention", convs, 0, &c) ||
            a_spatial(r, "kernel", p->global ? 1 : REQUIRED, p->kernel) ||
            a_spatial(r, "stride", 1, p->stride) ||
            a_spatial(r, "pad", 0, p->pad) ||
            a_opt_bool(r, "count_include_pad", 1, &p->count_include_pad) ||
            check_layout(r))
            return -1;
        a_ignore(r, keys);
        if (t == 3)
            return ir_node_errf(r->g, n, r->err,
                                "pool_type=lp is not supported");
        if (c == 2)
            return ir_node_errf(r->g, n, r->err,
                                "pooling_convention=same is 1-D only and "
                                "not supported");
        p->type = (ir_pool_type)t;
        p->convention = c == 1 ? IR_POOL_FULL : IR_POOL_VALID;
        p->v1 = !strcmp(op, "Pooling_v1");
        if (p->v1)
            p->count_include_pad = 1;
        if (!p->global && (p->kernel[0] < 1 || p->kernel[1] < 1 ||
                           p->stride[0] < 1 || p->stride[1] < 1))
            return ir_node_errf(r->g, n, r->err,
                                "kernel and stride must be >= 1");
        return expect_inputs(r, 1, 1);
    }
    case IR_OP_CONCAT: {
        int num;
        if (a_int(r, "num_args", nin, &num) ||
            a_int(r, "dim", 1, &n->a.concat.dim))
            return -1;
        if (num != nin || nin < 1)
            return ir_node_errf(r->g, n, r->err, "num_args=%d but %d inputs",
                                num, nin);
        return 0;
    }
    case IR_OP_RESHAPE: {
        int64_t v[IR_MAX_DIMS + 4];
        int cnt, i, keep;
        if (a_tuple(r, "shape", v, IR_MAX_DIMS + 4, &cnt) ||
            a_bool(r, "reverse", 0, &n->a.reshape.reverse) ||
            a_bool(r, "keep_highest", 0, &keep))
            return -1;
        if (cnt <= 0) {
            /* deprecated target_shape: a 0 marks the one inferred dim */
            if (a_tuple(r, "target_shape", v, IR_MAX_DIMS + 4, &cnt))
                return -1;
            if (cnt <= 0)
                return ir_node_errf(r->g, n, r->err,
                                    "needs a non-empty 'shape'");
            if (keep)
                return ir_node_errf(r->g, n, r->err,
                                    "target_shape with keep_highest is not "
                                    "supported");
            for (i = 0; i < cnt; i++)
                if (v[i] == 0)
                    v[i] = -1;
        } else {
            a_find(r, "target_shape");
        }
        for (i = 0; i < cnt; i++) {
            if (v[i] < -4 || v[i] > INT_MAX)
                return ir_node_errf(r->g, n, r->err,
                                    "shape value %lld is invalid",
                                    (long long)v[i]);
            n->a.reshape.shape[i] = (int)v[i];
        }
        n->a.reshape.n = cnt;
        return expect_inputs(r, 1, 1);
    }
    case IR_OP_TRANSPOSE: {
        int64_t v[IR_MAX_DIMS];
        int cnt, i;
        if (a_tuple(r, "axes", v, IR_MAX_DIMS, &cnt))
            return -1;
        n->a.transpose.n = cnt > 0 ? cnt : 0;
        for (i = 0; i < n->a.transpose.n; i++)
            n->a.transpose.axes[i] = (int)v[i];
        return expect_inputs(r, 1, 1);
    }
    case IR_OP_SWAPAXIS:
        if (a_int(r, "dim1", 0, &n->a.swapaxis.dim1) ||
            a_int(r, "dim2", 0, &n->a.swapaxis.dim2))
            return -1;
        return expect_inputs(r, 1, 1);
    case IR_OP_PAD: {
        static const char *const modes[] = {"constant", "edge", "reflect", NULL};
        int64_t v[2 * IR_MAX_DIMS];
        int mode, cnt, i;
        if (a_enum(r, "mode", modes, REQUIRED, &mode) ||
            a_tuple(r, "pad_width", v, 2 * IR_MAX_DIMS, &cnt) ||
            a_double(r, "constant_value", 0.0, 0, &n->a.pad.value))
            return -1;
        if (mode != 0)
            return ir_node_errf(r->g, n, r->err,
                                "mode=%s is not supported (only constant)",
                                modes[mode]);
        if (cnt <= 0)
            return a_missing(r, "pad_width");
        for (i = 0; i < cnt; i++) {
            if (v[i] < 0 || v[i] > 1 << 20)
                return ir_node_errf(r->g, n, r->err, "pad_width is invalid");
            n->a.pad.width[i] = (int)v[i];
        }
        n->a.pad.n = cnt;
        return expect_inputs(r, 1, 1);
    }
    case IR_OP_SLICE_AXIS: {
        const char *e;
        if (a_int(r, "axis", REQUIRED, &n->a.slice.axis) ||
            a_int(r, "begin", REQUIRED, &n->a.slice.begin))
            return -1;
        e = a_find(r, "end");
        if (!e)
            return a_missing(r, "end");
        if (!strcmp(e, "None")) {
            n->a.slice.end = INT_MIN;
        } else {
            long long x;
            if (attr_parse_int(e, &x) || x <= INT_MIN || x > INT_MAX)
                return a_bad(r, "end", e, "an integer or None");
            n->a.slice.end = (int)x;
        }
        return expect_inputs(r, 1, 1);
    }
    case IR_OP_SPLIT:
        if (a_int(r, "num_outputs", REQUIRED, &n->a.split.num_outputs) ||
            a_int(r, "axis", 1, &n->a.split.axis) ||
            a_bool(r, "squeeze_axis", 0, &n->a.split.squeeze_axis))
            return -1;
        if (n->a.split.num_outputs < 1 || n->a.split.num_outputs > 4096)
            return ir_node_errf(r->g, n, r->err, "num_outputs is invalid");
        n->n_out = n->a.split.num_outputs;
        return expect_inputs(r, 1, 1);
    case IR_OP_MEAN: {
        int64_t v[IR_MAX_DIMS];
        int cnt, i;
        if (a_tuple(r, "axis", v, IR_MAX_DIMS, &cnt) ||
            a_bool(r, "keepdims", 0, &n->a.mean.keepdims) ||
            a_bool(r, "exclude", 0, &n->a.mean.exclude))
            return -1;
        n->a.mean.n = cnt > 0 ? cnt : 0;
        for (i = 0; i < n->a.mean.n; i++)
            n->a.mean.axes[i] = (int)v[i];
        return expect_inputs(r, 1, 1);
    }
    case IR_OP_FULL: {
        static const char *const keys[] = {"dtype", "ctx", NULL};
        int64_t v[IR_MAX_DIMS];
        int cnt, i;
        if (a_tuple(r, "shape", v, IR_MAX_DIMS, &cnt))
            return -1;
        if (cnt < 0)
            return a_missing(r, "shape");
        if (!strcmp(op, "_full")) {
            if (a_double(r, "value", 0, 1, &n->a.full.value))
                return -1;
        } else {
            n->a.full.value = !strcmp(op, "_ones") ? 1.0 : 0.0;
        }
        a_ignore(r, keys);
        n->a.full.shape.ndim = cnt;
        for (i = 0; i < cnt; i++) {
            if (v[i] < 0 || v[i] > INT_MAX)
                return ir_node_errf(r->g, n, r->err, "shape is invalid");
            n->a.full.shape.d[i] = v[i];
        }
        return expect_inputs(r, 0, 0);
    }
    case IR_OP_IDENTITY:
        if (!strcmp(op, "Dropout")) {
            static const char *const modes[] = {"training", "always", NULL};
            static const char *const keys[] = {"p", "axes", "cudnn_off", NULL};
            int mode;
            if (a_enum(r, "mode", modes, 0, &mode))
                return -1;
            a_ignore(r, keys);
            if (mode == 1)
                return ir_node_errf(r->g, n, r->err,
                                    "mode=always drops values at inference; "
                                    "this cannot be compiled to a "
                                    "deterministic network");
            return expect_inputs(r, 1, 1);
        }
        if (!strcmp(op, "_contrib_gradcancel")) {
            static const char *const keys[] = {"threshold", NULL};
            a_ignore(r, keys);
        }
        if (!strcmp(op, "LinearRegressionOutput") ||
            !strcmp(op, "MAERegressionOutput")) {
            static const char *const keys[] = {"grad_scale", NULL};
            a_ignore(r, keys);
            return expect_inputs(r, 1, 2);
        }
        return expect_inputs(r, 1, 1);
    case IR_OP_SOFTMAX: {
        ir_softmax_attr *s = &n->a.softmax;
        s->temperature = 1.0;
        if (!strcmp(op, "SoftmaxOutput") || !strcmp(op, "Softmax")) {
            int multi, preserve;
            if (a_bool(r, "multi_output", 0, &multi) ||
                a_bool(r, "preserve_shape", 0, &preserve))
                return -1;
            a_ignore(r, softmax_keys);
            s->mode = multi ? IR_SOFTMAX_CHANNEL
                            : preserve ? IR_SOFTMAX_LAST : IR_SOFTMAX_ALL;
            return expect_inputs(r, 1, 2);
        }
        if (!strcmp(op, "SoftmaxActivation")) {
            static const char *const modes[] = {"instance", "channel", NULL};
            int mode;
            if (a_enum(r, "mode", modes, 0, &mode))
                return -1;
            s->mode = mode ? IR_SOFTMAX_CHANNEL : IR_SOFTMAX_LAST;
            return expect_inputs(r, 1, 1);
        } else {
            static const char *const keys[] = {"dtype", NULL};
            const char *t;
            int use_length;
            if (a_int(r, "axis", -1, &s->axis) ||
                a_bool(r, "use_length", 0, &use_length))
                return -1;
            a_ignore(r, keys);
            t = a_find(r, "temperature");
            if (t && strcmp(t, "None") && attr_parse_double(t, &s->temperature))
                return a_bad(r, "temperature", t, "a number or None");
            if (!(s->temperature > 0) && !(s->temperature < 0))
                return ir_node_errf(r->g, n, r->err, "temperature must not be 0");
            if (use_length)
                return ir_node_errf(r->g, n, r->err,
                                    "use_length=True is not supported");
            s->mode = IR_SOFTMAX_AXIS;
            s->log = !strcmp(op, "log_softmax");
            return expect_inputs(r, 1, 1);
        }
    }
    case IR_OP_INPUT:
    case IR_OP_CONST:
    case IR_OP_BCONV:
    case IR_OP_BDENSE:
    case IR_OP_COUNT:
        break;
    }
    BNNC_BUG("op %s has no importer", ir_op_name(n->op));
}

/* Role of input slot i of an imported node: the op's operand kind
 * (ops.def), and MXNet's loss labels, which inference ignores. */
static slot_role input_role(const ir_node *n, int i)
{
    if (i > 0 && (n->op == IR_OP_SOFTMAX || n->op == IR_OP_ACT || n->op == IR_OP_IDENTITY))
        return ROLE_LABEL; /* loss heads take (data, label) */
    switch (ir_slot_kind_of(n->op, i)) {
    case IR_SLOT_PARAM:
        return n->op == IR_OP_BATCHNORM && i >= 3 ? ROLE_AUX : ROLE_PARAM;
    case IR_SLOT_WEIGHTS:
        return n->op == IR_OP_BICONV || n->op == IR_OP_BIDENSE || n->a.q.packed ? ROLE_PACKED
                                                                                : ROLE_PARAM;
    case IR_SLOT_NONE:
    case IR_SLOT_DATA:
        break;
    }
    return ROLE_DATA;
}

typedef struct {
    ir_graph *g;
    const mx_symbol *sym;
    const import_options *opt;
    bnnc_err *err;
    int *map;                  /* JSON node -> IR node, -1 for labels */
    unsigned char *param_used; /* per params array */
    strmap by_name, by_key;    /* params arrays by bare name and by key */
    slot_role *var_role;       /* per JSON variable: how it is used */
    int *var_user;             /* its deciding user (JSON node), or -1 */
} importer;

/* The params array bound to variable `name` (mx_params_find's rule: the
 * first array of that bare name, else of that key), in O(1). */
static const mx_array *find_param(const importer *im, const char *name)
{
    int i = strmap_get(&im->by_name, name);
    if (i < 0)
        i = strmap_get(&im->by_key, name);
    return i < 0 ? NULL : &im->g->params.arrays[i];
}

/* Make a CONST node holding params array `a` bound to a variable. */
static ir_node *make_const(importer *im, const char *name, const mx_array *a,
                           slot_role role, int json_index)
{
    ir_node *c = ir_node_add(im->g, IR_OP_CONST, name, "null", json_index);
    int i;
    c->a.c.shape.ndim = a->ndim;
    for (i = 0; i < a->ndim && i < IR_MAX_DIMS; i++)
        c->a.c.shape.d[i] = a->shape[i];
    c->a.c.stored_bytes = a->nbytes;
    c->a.c.param_name = xstrdup(a->key);
    c->a.c.param_dtype = a->dtype;
    if (role == ROLE_PACKED) {
        c->a.c.packed = a;
    } else if (a->dtype == MX_F32 && a->data && (uintptr_t)a->data % sizeof(float) == 0 &&
               HOST_LITTLE_ENDIAN) {
        /* float32 as stored is already the value: share it (the params
         * stay alive with the graph) instead of holding the model twice */
        c->a.c.f = (float *)(void *)a->data;
        c->a.c.f_borrowed = 1;
    } else {
        c->a.c.f = xmalloc(sizeof(float) * (a->count ? a->count : 1));
        mx_array_to_f32(a, c->a.c.f);
    }
    im->param_used[a - im->g->params.arrays] = 1;
    return c;
}

/* Bind variable node j of the symbol, used in `role` by `user`. */
static int bind_variable(importer *im, int j, slot_role role,
                         const ir_node *user)
{
    const mx_node *mn = &im->sym->nodes[j];
    const mx_array *a;
    ir_node *v;

    if (role == ROLE_LABEL) {
        im->map[j] = -1;
        return 0;
    }
    a = find_param(im, mn->name);
    if (!a && role != ROLE_DATA && im->g->params.count == 1 &&
        !im->g->params.arrays[0].key[0] && !im->param_used[0]) {
        /* a single unnamed array (bare .npy): the graph's one parameter */
        a = &im->g->params.arrays[0];
    }
    if (!a) {
        if (role != ROLE_DATA)
            return bnnc_errf(im->err,
                             "%s: node '%s' (%s): parameter '%s' is missing "
                             "from %s",
                             im->g->symbol_path, user->name, user->mx_op,
                             mn->name, im->g->params_path);
        v = ir_node_add(im->g, IR_OP_INPUT, mn->name, "null", j);
        im->map[j] = v->id;
        return 0;
    }
    if (a->is_none)
        return bnnc_errf(im->err,
                         "%s: parameter '%s' (used by node '%s') is an "
                         "uninitialised (none) array",
                         im->g->params_path, a->key, user->name);
    if (a->ndim > IR_MAX_DIMS)
        return bnnc_errf(im->err, "%s: parameter '%s' has %d dimensions",
                         im->g->params_path, a->key, a->ndim);
    if (role == ROLE_PACKED && a->dtype != MX_F32 && a->dtype != MX_F64)
        return bnnc_errf(im->err,
                         "%s: node '%s' (%s): packed weights '%s' are %s; "
                         "BMXNet stores 32-bit words as float32 and 64-bit "
                         "words as float64",
                         im->g->symbol_path, user->name, user->mx_op, a->key,
                         mx_dtype_name(a->dtype));
    v = make_const(im, mn->name, a, role, j);
    im->map[j] = v->id;
    return 0;
}

/* Role in which each variable is used (its first use decides; a variable
 * used as packed weights anywhere is packed; a label used as data too is
 * data), with the user that decided it, in one pass over the graph. */
static void variable_roles(importer *im, const ir_node *protos)
{
    int i, k;
    for (i = 0; i < im->sym->n_nodes; i++)
        im->var_user[i] = -1;
    for (i = 0; i < im->sym->n_nodes; i++) {
        const mx_node *mn = &im->sym->nodes[i];
        if (!strcmp(mn->op, "null"))
            continue;
        for (k = 0; k < mn->n_inputs; k++) {
            int j = mn->inputs[k].node;
            slot_role r;
            if (strcmp(im->sym->nodes[j].op, "null"))
                continue;
            r = input_role(&protos[i], k);
            if (im->var_user[j] < 0 || r == ROLE_PACKED ||
                (im->var_role[j] == ROLE_LABEL && r != ROLE_LABEL)) {
                im->var_role[j] = r;
                im->var_user[j] = i;
            }
        }
    }
}

/* Synthesise the aux inputs a <= 0.8 BatchNorm omits. */
static int synth_bn_aux(importer *im, ir_node *bn, ir_ref *in, int *nin)
{
    static const char *const suffix[] = {"_moving_mean", "_moving_var"};
    int k;
    for (k = *nin - 3; k < 2; k++) {
        char name[1024];
        const mx_array *a;
        ir_node *c;
        snprintf(name, sizeof name, "%s%s", bn->name, suffix[k]);
        a = find_param(im, name);
        if (!a)
            return bnnc_errf(im->err,
                             "%s: node '%s' (%s): parameter '%s' is missing "
                             "from %s",
                             im->g->symbol_path, bn->name, bn->mx_op, name,
                             im->g->params_path);
        c = make_const(im, name, a, ROLE_AUX, -1);
        in[(*nin)++] = (ir_ref){c->id, 0};
    }
    return 0;
}

static int import_op_node(importer *im, int j, ir_node *proto)
{
    const mx_node *mn = &im->sym->nodes[j];
    ir_node *n;
    ir_ref in[64];
    int nin = 0, k, i;
    areader r;

    if (mn->n_inputs > 60)
        return bnnc_errf(im->err, "%s: node '%s' (%s) has %d inputs",
                         im->g->symbol_path, mn->name, mn->op, mn->n_inputs);
    /* resolve inputs first so synthesized aux nodes come before the op */
    for (k = 0; k < mn->n_inputs; k++) {
        int src = mn->inputs[k].node;
        int idx = mn->inputs[k].index;
        int m = im->map[src];
        if (m < 0) {
            if (input_role(proto, k) == ROLE_LABEL)
                continue;
            return bnnc_errf(im->err,
                             "%s: node '%s' (%s): input %d uses loss label "
                             "'%s' as data",
                             im->g->symbol_path, mn->name, mn->op, k,
                             im->sym->nodes[src].name);
        }
        if (input_role(proto, k) == ROLE_LABEL)
            continue; /* a bound label variable: ignored at inference */
        if (idx >= im->g->nodes[m]->n_out)
            return bnnc_errf(im->err,
                             "%s: node '%s' (%s): input %d uses output %d of "
                             "'%s', which has %d usable output%s",
                             im->g->symbol_path, mn->name, mn->op, k, idx,
                             im->g->nodes[m]->name, im->g->nodes[m]->n_out,
                             im->g->nodes[m]->n_out == 1 ? "" : "s");
        in[nin++] = (ir_ref){m, idx};
    }
    if (proto->op == IR_OP_BATCHNORM && nin == 3 && im->sym->legacy &&
        synth_bn_aux(im, proto, in, &nin))
        return -1;

    n = ir_node_add(im->g, proto->op, mn->name, mn->op, j);
    n->a = proto->a;
    n->n_out = proto->n_out;
    ir_node_set_inputs(im->g, n, nin, in);
    im->map[j] = n->id;

    /* re-read attributes for warnings about unknown keys */
    r.g = im->g;
    r.sym = im->sym;
    r.mn = mn;
    r.n = n;
    r.err = im->err;
    r.used = xcalloc((size_t)(mn->n_attrs ? mn->n_attrs : 1), 1);
    if (import_attrs(&r)) {
        free(r.used);
        return -1;
    }
    for (i = 0, k = 0; i < mn->n_attrs; i++) {
        const char *key = mn->attrs[i].key;
        char kb[96], vb[160], nb[160];
        if (r.used[i] || !strncmp(key, "__", 2))
            continue;
        if (++k <= 8)
            bnnc_warnf("%s: node '%s' (%s): ignoring unknown attribute %s=\"%s\"",
                       im->g->symbol_path, bnnc_excerpt(mn->name, nb, sizeof nb), mn->op,
                       bnnc_excerpt(key, kb, sizeof kb),
                       bnnc_excerpt(mn->attrs[i].value, vb, sizeof vb));
    }
    if (k > 8) {
        char nb[160];
        bnnc_warnf("%s: node '%s' (%s): ignoring %d more unknown attributes",
                   im->g->symbol_path, bnnc_excerpt(mn->name, nb, sizeof nb), mn->op, k - 8);
    }
    free(r.used);
    return 0;
}

int import_graph(const mx_symbol *sym, mx_params *params,
                 const import_options *opt, ir_graph *g, bnnc_err *err)
{
    importer im;
    ir_node *protos;
    int j, rc = -1;
    size_t i;
    static const import_options defaults = {0};

    ir_graph_init(g);
    g->symbol_path = xstrdup(sym->path);
    g->params_path = xstrdup(params->path ? params->path : "<params>");
    g->params = *params;
    memset(params, 0, sizeof *params);
    im.g = g;
    im.sym = sym;
    im.opt = opt ? opt : &defaults;
    im.err = err;
    im.map = xmalloc(sizeof *im.map * (size_t)sym->n_nodes);
    im.param_used = xcalloc(g->params.count ? g->params.count : 1, 1);
    im.var_role = xcalloc((size_t)sym->n_nodes, sizeof *im.var_role);
    im.var_user = xmalloc(sizeof *im.var_user * (size_t)sym->n_nodes);
    strmap_init(&im.by_name, g->params.count);
    strmap_init(&im.by_key, g->params.count);
    for (i = 0; i < g->params.count; i++) {
        const mx_array *a = &g->params.arrays[i];
        if (a->name)
            strmap_put(&im.by_name, a->name, (int)i);
        if (a->key)
            strmap_put(&im.by_key, a->key, (int)i);
    }

    /* Pass 1: parse every operator's attributes into prototypes so that
     * input roles (which depend on attributes such as no_bias) are known
     * before variables are bound. */
    protos = xcalloc((size_t)sym->n_nodes, sizeof *protos);
    for (j = 0; j < sym->n_nodes; j++) {
        const mx_node *mn = &sym->nodes[j];
        areader r;
        int op;
        if (!strcmp(mn->op, "null"))
            continue;
        op = ir_op_from_mxnet(mn->op);
        if (op < 0 || op == IR_OP_INPUT || op == IR_OP_CONST) {
            bnnc_errf(err,
                      "%s: node '%s' (%s): operator '%s' is not supported "
                      "by bnnc",
                      sym->path, mn->name, mn->op, mn->op);
            goto out;
        }
        protos[j].op = (ir_op)op;
        protos[j].name = mn->name;
        protos[j].mx_op = mn->op;
        protos[j].n_out = 1;
        r.g = g;
        r.sym = sym;
        r.mn = mn;
        r.n = &protos[j];
        r.err = err;
        r.used = xcalloc((size_t)(mn->n_attrs ? mn->n_attrs : 1), 1);
        if (import_attrs(&r)) {
            free(r.used);
            goto out;
        }
        free(r.used);
    }

    variable_roles(&im, protos);

    /* Pass 2: create IR nodes in file order. */
    for (j = 0; j < sym->n_nodes; j++) {
        const mx_node *mn = &sym->nodes[j];
        if (!strcmp(mn->op, "null")) {
            const ir_node *user = im.var_user[j] < 0 ? NULL : &protos[im.var_user[j]];
            slot_role role = im.var_role[j];
            if (!user) {
                /* unused variable (e.g. a head itself): data or const */
                const mx_array *a = find_param(&im, mn->name);
                ir_node *v = a ? make_const(&im, mn->name, a, ROLE_DATA, j)
                               : ir_node_add(g, IR_OP_INPUT, mn->name, "null", j);
                im.map[j] = v->id;
                continue;
            }
            if (bind_variable(&im, j, role, user))
                goto out;
            continue;
        }
        if (import_op_node(&im, j, &protos[j]))
            goto out;
    }

    g->n_heads = sym->n_heads;
    g->heads = xmalloc(sizeof *g->heads * (size_t)sym->n_heads);
    for (j = 0; j < sym->n_heads; j++) {
        int m = im.map[sym->heads[j].node];
        if (m < 0) {
            bnnc_errf(err, "%s: head %d is a loss label", sym->path, j);
            goto out;
        }
        if (sym->heads[j].index >= g->nodes[m]->n_out) {
            bnnc_errf(err, "%s: head %d uses output %d of '%s'", sym->path, j,
                      sym->heads[j].index, g->nodes[m]->name);
            goto out;
        }
        g->heads[j] = (ir_ref){m, sym->heads[j].index};
    }
    ir_uses_rebuild(g);

    for (i = 0; i < g->params.count; i++) {
        const mx_array *a = &g->params.arrays[i];
        if (im.param_used[i])
            continue;
        if (!im.opt->allow_extra_params && !a->is_none) {
            bnnc_errf(err,
                      "%s: parameter '%s' is not used by any node of %s "
                      "(pass --allow-extra-params to ignore unused "
                      "parameters)",
                      g->params_path, a->key, g->symbol_path);
            goto out;
        }
        bnnc_warnf("%s: ignoring parameter '%s', which no node uses",
                   g->params_path, a->key);
    }
    rc = 0;
out:
    free(protos);
    free(im.map);
    free(im.param_used);
    free(im.var_role);
    free(im.var_user);
    strmap_free(&im.by_name);
    strmap_free(&im.by_key);
    if (rc)
        ir_graph_free(g);
    return rc;
}

int import_files(const char *symbol_path, const char *params_path,
                 const import_options *opt, ir_graph *g, bnnc_err *err)
{
    mx_symbol sym;
    mx_params params;
    int rc;

    ir_graph_init(g);
    if (mx_symbol_load(symbol_path, &sym, err)) {
        mx_symbol_free(&sym);
        return -1;
    }
    if (mx_params_load(params_path, &params, err)) {
        mx_symbol_free(&sym);
        mx_params_free(&params);
        return -1;
    }
    rc = import_graph(&sym, &params, opt, g, err);
    mx_symbol_free(&sym);
    return rc;
}
