/*
 * areader.c - reading a node's attributes: values with MXNet's defaults
 * (a_int, a_bool, a_spatial, ...), input counts, and the attribute sets
 * several operators share (convolution, dense, BMXNet's bit widths). The
 * operator rows and their readers are in ops.c and bmxnet.c; both use
 * these, so neither depends on the other's readers.
 */
#include "mxnet.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrs.h"

const char *a_find(areader *r, const char *key)
{
    int i;
    for (i = 0; i < r->mn->n_attrs; i++)
        if (!strcmp(r->mn->attrs[i].key, key)) {
            r->used[i] = 1;
            return r->mn->attrs[i].value;
        }
    return NULL;
}

int a_bad(areader *r, const char *key, const char *value,
                 const char *what)
{
    char k[96], v[160];
    return ir_node_errf(r->g, r->n, r->err, "attribute %s=\"%s\" is not %s",
                        bnnc_excerpt(key, k, sizeof k), bnnc_excerpt(value, v, sizeof v), what);
}

int a_missing(areader *r, const char *key)
{
    return ir_node_errf(r->g, r->n, r->err, "required attribute '%s' is missing",
                        key);
}

/* Mark keys that are accepted but do not affect inference. */
void a_ignore(areader *r, const char *const *keys)
{
    for (; *keys; keys++)
        a_find(r, *keys);
}

int a_int(areader *r, const char *key, int def, int *out)
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

int a_bool(areader *r, const char *key, int def, int *out)
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
int a_opt_bool(areader *r, const char *key, int def, int *out)
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

int a_double(areader *r, const char *key, double def, int required,
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
int a_enum(areader *r, const char *key, const char *const *names,
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
int a_tuple(areader *r, const char *key, int64_t *v, int max, int *n)
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
int a_spatial(areader *r, const char *key, int def, int *out2)
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

int check_layout(areader *r)
{
    const char *v = a_find(r, "layout");
    if (v && strcmp(v, "None") && strcmp(v, "NCHW"))
        return ir_node_errf(r->g, r->n, r->err,
                            "layout \"%s\" is not supported (only NCHW)", v);
    return 0;
}

int expect_inputs(areader *r, int lo, int hi)
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
int read_conv(areader *r, ir_conv_attr *c, int no_bias_default)
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

int read_dense(areader *r, ir_dense_attr *d, int no_bias_default)
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
int read_bits(areader *r, int *act_bit, int *weight_bit)
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

