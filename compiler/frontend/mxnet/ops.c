/*
 * ops.c - the MXNet operators bnnc reads: one row per operator (its
 * spellings in every MXNet version, the IR operator it becomes, and the
 * reader of its attributes), and the readers.
 *
 * A reader applies MXNet's defaults (mxnet-format.md section 4), checks
 * values and input counts, and marks the keys it consumed (a_find); keys
 * nobody consumed are reported as warnings, values that cannot be honoured
 * are errors naming the node. BMXNet's own layers are in bmxnet.c.
 */
#include "mxnet.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/mem.h"
#include "../../util/strmap.h"
#include "attrs.h"

static const char *const softmax_keys[] = {
    "grad_scale", "ignore_label", "use_ignore", "normalization",
    "out_grad", "smooth_alpha", NULL};

/* ---- the readers ---------------------------------------------------------- */

static int read_convolution(areader *r)
{
    ir_node *n = r->n;
    return read_conv(r, &n->a.conv, 0);
}

/* Deconvolution: MXNet's no_bias defaults to true; target_shape, when
 * set, replaces pad and adj (resolved with the input size by the shapes
 * pass). */
static int read_deconvolution(areader *r)
{
    static const char *const keys[] = {"workspace", "cudnn_tune", "cudnn_off", NULL};
    ir_deconv_attr *c = &r->n->a.deconv;
    if (a_spatial(r, "kernel", REQUIRED, c->kernel) || a_spatial(r, "stride", 1, c->stride) ||
        a_spatial(r, "dilate", 1, c->dilate) || a_spatial(r, "pad", 0, c->pad) ||
        a_spatial(r, "adj", 0, c->adj) || a_spatial(r, "target_shape", 0, c->target) ||
        a_int(r, "num_filter", REQUIRED, &c->num_filter) ||
        a_int(r, "num_group", 1, &c->num_group) || a_bool(r, "no_bias", 1, &c->no_bias) ||
        check_layout(r))
        return -1;
    a_ignore(r, keys);
    if (c->kernel[0] < 1 || c->kernel[1] < 1 || c->stride[0] < 1 || c->stride[1] < 1 ||
        c->dilate[0] < 1 || c->dilate[1] < 1)
        return ir_node_errf(r->g, r->n, r->err, "kernel, stride and dilate must be >= 1");
    if (c->num_filter < 1 || c->num_group < 1 || c->num_filter % c->num_group)
        return ir_node_errf(r->g, r->n, r->err,
                            "num_filter %d must be >= 1 and divisible by num_group %d",
                            c->num_filter, c->num_group);
    return expect_inputs(r, c->no_bias ? 2 : 3, c->no_bias ? 2 : 3);
}

/* UpSampling: nearest takes num_args inputs (concatenated or summed once
 * upsampled); bilinear is MXNet's transposed convolution of its (data,
 * weight) pair with kernel 2s - s % 2, stride s, pad ceil((s - 1) / 2) and
 * one group per filter, so it becomes that Deconvolution here, weights as
 * the file has them (the standard bilinear kernel or trained ones). */
static int read_upsampling(areader *r)
{
    static const char *const types[] = {"nearest", "bilinear", NULL};
    static const char *const modes[] = {"concat", "sum", NULL};
    static const char *const keys[] = {"workspace", NULL};
    ir_node *n = r->n;
    int nin = r->mn->n_inputs, scale, type, mode, num, filters;
    if (a_int(r, "scale", REQUIRED, &scale) || a_enum(r, "sample_type", types, REQUIRED, &type) ||
        a_enum(r, "multi_input_mode", modes, 0, &mode) || a_int(r, "num_args", 1, &num) ||
        a_int(r, "num_filter", 0, &filters))
        return -1;
    a_ignore(r, keys);
    if (scale < 1 || scale > 1000)
        return ir_node_errf(r->g, n, r->err, "scale %d is outside [1, 1000]", scale);
    if (type == 1) {
        ir_deconv_attr *d = &n->a.deconv;
        if (filters < 1)
            return ir_node_errf(r->g, n, r->err,
                                "bilinear upsampling needs num_filter (the channel count)");
        n->op = IR_OP_DECONV;
        memset(d, 0, sizeof *d);
        d->kernel[0] = d->kernel[1] = 2 * scale - scale % 2;
        d->stride[0] = d->stride[1] = scale;
        d->dilate[0] = d->dilate[1] = 1;
        d->pad[0] = d->pad[1] = scale / 2;
        d->num_filter = d->num_group = filters;
        d->no_bias = 1;
        return expect_inputs(r, 2, 2);
    }
    if (num != nin)
        return ir_node_errf(r->g, n, r->err, "num_args=%d but %d inputs", num, nin);
    n->a.upsample.scale = scale;
    n->a.upsample.sum = mode == 1;
    return expect_inputs(r, 1, nin);
}

/* Crop: num_args 1 crops to h_w, 2 to the second input's height and
 * width; at offset (y, x), or centred. */
static int read_crop(areader *r)
{
    ir_crop_attr *c = &r->n->a.crop;
    int nin = r->mn->n_inputs, num;
    if (a_int(r, "num_args", REQUIRED, &num) || a_spatial(r, "offset", 0, c->offset) ||
        a_spatial(r, "h_w", 0, c->size) || a_bool(r, "center_crop", 0, &c->center))
        return -1;
    if (num != nin || num < 1 || num > 2)
        return ir_node_errf(r->g, r->n, r->err, "num_args=%d with %d inputs (1 or 2 expected)",
                            num, nin);
    if (num == 1 && (c->size[0] < 1 || c->size[1] < 1))
        return ir_node_errf(r->g, r->n, r->err, "h_w (%d, %d) must be at least (1, 1)",
                            c->size[0], c->size[1]);
    return 0;
}

static int read_fully_connected(areader *r)
{
    ir_node *n = r->n;
    return read_dense(r, &n->a.dense, 0);
}

static int read_batchnorm(areader *r)
{
    ir_node *n = r->n;
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

static int read_act(areader *r)
{
    ir_node *n = r->n;
    const char *op = r->mn->op;
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

static int read_leaky(areader *r)
{
    ir_node *n = r->n;
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

static int read_one_input(areader *r)
{
    return expect_inputs(r, 1, 1);
}

static int read_clip(areader *r)
{
    ir_node *n = r->n;
    if (a_double(r, "a_min", 0, 1, &n->a.clip.a_min) ||
        a_double(r, "a_max", 0, 1, &n->a.clip.a_max))
        return -1;
    return expect_inputs(r, 1, 1);
}

static int read_scalar(areader *r)
{
    ir_node *n = r->n;
    const char *op = r->mn->op;
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

static int read_add(areader *r)
{
    ir_node *n = r->n;
    const char *op = r->mn->op;
    int nin = r->mn->n_inputs;
    if (!strcmp(op, "add_n") || !strcmp(op, "ElementWiseSum")) {
        int num;
        if (a_int(r, "num_args", nin, &num))
            return -1;
        if (num != nin || nin < 1)
            return ir_node_errf(r->g, n, r->err,
                                "num_args=%d but %d inputs", num, nin);
        return 0;
    }
    n->a.binary.broadcast = !strncmp(op, "broadcast_", 10) || !strncmp(op, "_npi_", 5);
    return expect_inputs(r, 2, 2);
}

static int read_elementwise(areader *r)
{
    ir_node *n = r->n;
    const char *op = r->mn->op;
    n->a.binary.broadcast = !strncmp(op, "broadcast_", 10) || !strncmp(op, "_npi_", 5);
    return expect_inputs(r, 2, 2);
}

static int read_pool(areader *r)
{
    ir_node *n = r->n;
    const char *op = r->mn->op;
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

static int read_concat(areader *r)
{
    ir_node *n = r->n;
    int nin = r->mn->n_inputs;
    int num;
    if (a_int(r, "num_args", nin, &num) ||
        a_int(r, "dim", 1, &n->a.concat.dim))
        return -1;
    if (num != nin || nin < 1)
        return ir_node_errf(r->g, n, r->err, "num_args=%d but %d inputs",
                            num, nin);
    return 0;
}

static int read_reshape(areader *r)
{
    ir_node *n = r->n;
    int64_t v[IR_MAX_INTS];
    int cnt, i, keep;
    if (a_tuple(r, "shape", v, IR_MAX_INTS, &cnt) ||
        a_bool(r, "reverse", 0, &n->a.reshape.reverse) ||
        a_bool(r, "keep_highest", 0, &keep))
        return -1;
    if (cnt <= 0) {
        /* deprecated target_shape: a 0 marks the one inferred dim */
        if (a_tuple(r, "target_shape", v, IR_MAX_INTS, &cnt))
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
        n->a.reshape.shape.v[i] = (int)v[i];
    }
    n->a.reshape.shape.n = cnt;
    return expect_inputs(r, 1, 1);
}

static int read_transpose(areader *r)
{
    ir_node *n = r->n;
    int64_t v[IR_MAX_DIMS];
    int cnt, i;
    if (a_tuple(r, "axes", v, IR_MAX_DIMS, &cnt))
        return -1;
    n->a.transpose.axes.n = cnt > 0 ? cnt : 0;
    for (i = 0; i < n->a.transpose.axes.n; i++)
        n->a.transpose.axes.v[i] = (int)v[i];
    return expect_inputs(r, 1, 1);
}

static int read_swapaxis(areader *r)
{
    ir_node *n = r->n;
    if (a_int(r, "dim1", 0, &n->a.swapaxis.dim1) ||
        a_int(r, "dim2", 0, &n->a.swapaxis.dim2))
        return -1;
    return expect_inputs(r, 1, 1);
}

static int read_pad(areader *r)
{
    ir_node *n = r->n;
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
        n->a.pad.width.v[i] = (int)v[i];
    }
    n->a.pad.width.n = cnt;
    return expect_inputs(r, 1, 1);
}

static int read_slice_axis(areader *r)
{
    ir_node *n = r->n;
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

static int read_split(areader *r)
{
    ir_node *n = r->n;
    if (a_int(r, "num_outputs", REQUIRED, &n->a.split.num_outputs) ||
        a_int(r, "axis", 1, &n->a.split.axis) ||
        a_bool(r, "squeeze_axis", 0, &n->a.split.squeeze_axis))
        return -1;
    if (n->a.split.num_outputs < 1 || n->a.split.num_outputs > 4096)
        return ir_node_errf(r->g, n, r->err, "num_outputs is invalid");
    n->n_out = n->a.split.num_outputs;
    return expect_inputs(r, 1, 1);
}

static int read_mean(areader *r)
{
    ir_node *n = r->n;
    int64_t v[IR_MAX_DIMS];
    int cnt, i;
    if (a_tuple(r, "axis", v, IR_MAX_DIMS, &cnt) ||
        a_bool(r, "keepdims", 0, &n->a.mean.keepdims) ||
        a_bool(r, "exclude", 0, &n->a.mean.exclude))
        return -1;
    n->a.mean.axes.n = cnt > 0 ? cnt : 0;
    for (i = 0; i < n->a.mean.axes.n; i++)
        n->a.mean.axes.v[i] = (int)v[i];
    return expect_inputs(r, 1, 1);
}

static int read_full(areader *r)
{
    ir_node *n = r->n;
    const char *op = r->mn->op;
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

static int read_identity(areader *r)
{
    ir_node *n = r->n;
    const char *op = r->mn->op;
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
}

static int read_softmax(areader *r)
{
    ir_node *n = r->n;
    const char *op = r->mn->op;
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

/* ---- the rows ------------------------------------------------------------ */

static const mx_op_row rows[] = {
    {"Convolution|Convolution_v1", IR_OP_CONV, NULL, read_convolution},
    {"Deconvolution", IR_OP_DECONV, NULL, read_deconvolution},
    {"UpSampling", IR_OP_UPSAMPLE, NULL, read_upsampling},
    {"Crop", IR_OP_CROP, NULL, read_crop},
    {"FullyConnected", IR_OP_DENSE, NULL, read_fully_connected},
    {"BatchNorm|BatchNorm_v1|CuDNNBatchNorm|_contrib_SyncBatchNorm", IR_OP_BATCHNORM, NULL,
     read_batchnorm},
    {"QConvolution|QConvolution_v1", IR_OP_FRONTEND, &bmx_qconv, bmx_read_qconv},
    {"QFullyConnected", IR_OP_FRONTEND, &bmx_qdense, bmx_read_qdense},
    {"BinaryInferenceConvolution", IR_OP_FRONTEND, &bmx_biconv, bmx_read_biconv},
    {"BinaryInferenceFullyConnected", IR_OP_FRONTEND, &bmx_bidense, bmx_read_bidense},
    {"QActivation", IR_OP_SIGN, NULL, bmx_read_qact},
    {"Activation|relu|sigmoid|tanh|softsign|LogisticRegressionOutput", IR_OP_ACT, NULL, read_act},
    {"LeakyReLU", IR_OP_LEAKY, NULL, read_leaky},
    {"det_sign|approx_sign", IR_OP_SIGN, NULL, read_one_input},
    {"sign", IR_OP_SIGN3, NULL, read_one_input},
    {"abs", IR_OP_ABS, NULL, read_one_input},
    {"clip", IR_OP_CLIP, NULL, read_clip},
    {"_plus_scalar|_PlusScalar|_minus_scalar|_MinusScalar|_rminus_scalar|_RMinusScalar|"
     "_mul_scalar|_MulScalar|_div_scalar|_DivScalar|_rdiv_scalar|_RDivScalar|"
     "_maximum_scalar|_MaximumScalar|_minimum_scalar|_MinimumScalar|_power_scalar|"
     "_PowerScalar|_npi_add_scalar|_npi_subtract_scalar|_npi_rsubtract_scalar|"
     "_npi_multiply_scalar|_npi_true_divide_scalar|_npi_rtrue_divide_scalar",
     IR_OP_SCALAR, NULL, read_scalar},
    {"elemwise_add|_Plus|_plus|_add|broadcast_add|broadcast_plus|add_n|ElementWiseSum|_npi_add",
     IR_OP_ADD, NULL, read_add},
    {"elemwise_sub|_Minus|_minus|_sub|broadcast_sub|broadcast_minus|_npi_subtract", IR_OP_SUB,
     NULL, read_elementwise},
    {"elemwise_mul|_Mul|_mul|broadcast_mul|_npi_multiply", IR_OP_MUL, NULL, read_elementwise},
    {"elemwise_div|_Div|_div|broadcast_div|_npi_true_divide", IR_OP_DIV, NULL, read_elementwise},
    {"Pooling|Pooling_v1", IR_OP_POOL, NULL, read_pool},
    {"Concat|concat", IR_OP_CONCAT, NULL, read_concat},
    {"Flatten|flatten", IR_OP_FLATTEN, NULL, read_one_input},
    {"Reshape|reshape", IR_OP_RESHAPE, NULL, read_reshape},
    {"transpose", IR_OP_TRANSPOSE, NULL, read_transpose},
    {"SwapAxis|swapaxes", IR_OP_SWAPAXIS, NULL, read_swapaxis},
    {"Pad|pad", IR_OP_PAD, NULL, read_pad},
    {"slice_axis", IR_OP_SLICE_AXIS, NULL, read_slice_axis},
    {"SliceChannel|split", IR_OP_SPLIT, NULL, read_split},
    {"mean", IR_OP_MEAN, NULL, read_mean},
    {"_full|_ones|_zeros", IR_OP_FULL, NULL, read_full},
    {"_copy|identity|BlockGrad|stop_gradient|Dropout|_contrib_gradcancel|"
     "LinearRegressionOutput|MAERegressionOutput",
     IR_OP_IDENTITY, NULL, read_identity},
    {"SoftmaxOutput|Softmax|softmax|SoftmaxActivation|log_softmax", IR_OP_SOFTMAX, NULL,
     read_softmax},
};

const mx_op_row *mx_op_find(const char *name)
{
    static strmap map;
    size_t i;
    int k;
    if (!map.cap) {
        /* every spelling -> its row (built once; the strings are static) */
        static char spellings[sizeof rows / sizeof *rows][512];
        strmap_init(&map, 256);
        for (i = 0; i < sizeof rows / sizeof *rows; i++) {
            char *s = spellings[i];
            BNNC_ASSERT(strlen(rows[i].spellings) < sizeof spellings[i]);
            strcpy(s, rows[i].spellings);
            for (;;) {
                char *bar = strchr(s, '|');
                if (bar)
                    *bar = '\0';
                strmap_put(&map, s, (int)i);
                if (!bar)
                    break;
                s = bar + 1;
            }
        }
    }
    k = strmap_get(&map, name);
    return k < 0 ? NULL : &rows[k];
}
