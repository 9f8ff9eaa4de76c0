#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../frontend/mxnet/attrs.h"

int cli_parse_input(const char *arg, bnnc_input *in, bnnc_err *err)
{
    const char *eq = strchr(arg, '=');
    const char *dims = eq ? eq + 1 : arg;
    size_t nlen = eq ? (size_t)(eq - arg) : 4;
    int64_t v[IR_MAX_DIMS];
    int n, i;

    memset(in, 0, sizeof *in);
    if (nlen == 0 || nlen >= sizeof in->name)
        return bnnc_errf(err, "--input %s: the input name is empty or too long", arg);
    memcpy(in->name, eq ? arg : "data", nlen);
    if (attr_parse_tuple(dims, v, IR_MAX_DIMS, &n) || n <= 0)
        return bnnc_errf(err, "--input %s: expected NAME=N,C,H,W", arg);
    for (i = 0; i < n; i++) {
        if (v[i] <= 0 || v[i] > (1 << 24))
            return bnnc_errf(err, "--input %s: dimension %d is invalid", arg, i);
        in->shape.d[i] = v[i];
    }
    in->shape.ndim = n;
    return 0;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

/* What the first bytes of a file say it is: 'p' a params file (NDArray
 * list, .npz or .npy), 'j' JSON, 0 unknown or unreadable. */
static int file_kind(const char *path)
{
    unsigned char b[16];
    size_t n, i = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    n = fread(b, 1, sizeof b, f);
    fclose(f);
    if ((n >= 8 && !memcmp(b, "\x12\x01\0\0\0\0\0\0", 8)) ||
        (n >= 4 && !memcmp(b, "PK\x03\x04", 4)) || (n >= 6 && !memcmp(b, "\x93NUMPY", 6)))
        return 'p';
    while (i < n && isspace(b[i]))
        i++;
    return i < n && b[i] == '{' ? 'j' : 0;
}

int cli_model_paths(const char *a, const char *b, char *sym, char *params,
                    size_t size, bnnc_err *err)
{
    int ks, kp;
    if (!b) {
        if (strlen(a) >= size)
            return bnnc_errf(err, "model path is too long");
        strcpy(sym, a);
        params[0] = '\0';
        return 0;
    }
    if (all_digits(b) && strlen(b) <= 9) {
        int n1 = snprintf(sym, size, "%s-symbol.json", a);
        int n2 = snprintf(params, size, "%s-%04d.params", a, atoi(b));
        if (n1 < 0 || (size_t)n1 >= size || n2 < 0 || (size_t)n2 >= size)
            return bnnc_errf(err, "model prefix '%s' is too long", a);
        return 0;
    }
    if (strlen(a) >= size || strlen(b) >= size)
        return bnnc_errf(err, "model path is too long");
    strcpy(sym, a);
    strcpy(params, b);
    ks = file_kind(sym);
    kp = file_kind(params);
    if (ks == 'p' && kp == 'j')
        return bnnc_errf(err, "%s is a params file and %s a symbol JSON, given in swapped "
                         "order: the symbol file comes first (%s %s)", sym, params, params, sym);
    if (ks == 'p')
        return bnnc_errf(err, "%s is a params file, not a symbol JSON: give SYMBOL.json "
                         "PARAMS, or PREFIX EPOCH", sym);
    if (kp == 'j')
        return bnnc_errf(err, "%s is a symbol JSON, not a params file: give SYMBOL.json "
                         "PARAMS, or PREFIX EPOCH", params);
    return 0;
}
