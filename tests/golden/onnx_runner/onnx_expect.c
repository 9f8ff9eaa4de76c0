/*
 * onnx_expect.c - the expected output of an ONNX fixture for bnnc verify.
 *
 *   onnx_expect OUT.npy OUTPUT_0.npy [OUTPUT_1.npy ...]
 *
 * The generated code writes the graph outputs one after another; this
 * concatenates the oracle's output files (float32 .npy, C order; or all
 * int64, the indices of ArgMax/TopK) in graph order into OUT.npy (1-D, of
 * their type; a single output keeps its shape) and prints the largest
 * magnitude, the scale the comparison tolerance is relative to. Exit 1 on
 * a file that is not a little-endian float32 or int64 .npy, or on float32
 * and int64 files together.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char first_shape[256]; /* "(2, 10)" of the first file */
static int kind;              /* 0 none yet, 1 float32, 2 int64 */

/* Appends the elements of the .npy at path to *v (count *n). */
static int read_npy(const char *path, double **v, size_t *n)
{
    int this_kind;
    unsigned char pre[10];
    char hdr[4096];
    size_t hlen, count = 1, got;
    FILE *f = fopen(path, "rb");
    char *p;
    if (!f || fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) || pre[6] != 1) {
        fprintf(stderr, "%s: not a version 1.0 .npy file\n", path);
        if (f)
            fclose(f);
        return -1;
    }
    hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    if (hlen >= sizeof hdr || fread(hdr, 1, hlen, f) != hlen) {
        fprintf(stderr, "%s: bad header\n", path);
        fclose(f);
        return -1;
    }
    hdr[hlen] = '\0';
    this_kind = strstr(hdr, "'descr': '<f4'") ? 1 : strstr(hdr, "'descr': '<i8'") ? 2 : 0;
    if (!this_kind || !strstr(hdr, "'fortran_order': False") ||
        !(p = strstr(hdr, "'shape': ("))) {
        fprintf(stderr, "%s: expected little-endian float32 or int64 in C order: %s\n", path,
                hdr);
        fclose(f);
        return -1;
    }
    if (kind && kind != this_kind) {
        fprintf(stderr, "%s: float32 and int64 outputs together\n", path);
        fclose(f);
        return -1;
    }
    kind = this_kind;
    if (!first_shape[0]) {
        const char *e = strchr(p + 9, ')');
        if (e && (size_t)(e - (p + 9)) + 2 < sizeof first_shape)
            memcpy(first_shape, p + 9, (size_t)(e - (p + 9)) + 1);
    }
    for (p += 10; *p && *p != ')';) {
        char *end;
        unsigned long d = strtoul(p, &end, 10);
        if (end == p)
            break;
        count *= d;
        p = end;
        while (*p == ',' || *p == ' ')
            p++;
    }
    *v = realloc(*v, sizeof **v * (*n + count + 1));
    for (got = 0; *v && got < count; got++) {
        unsigned char b[8];
        size_t sz = kind == 2 ? 8 : 4, j;
        uint64_t u = 0;
        if (fread(b, 1, sz, f) != sz)
            break;
        for (j = sz; j-- > 0;)
            u = u << 8 | b[j];
        if (kind == 2) {
            (*v)[*n + got] = (double)(int64_t)u;
        } else {
            uint32_t u32 = (uint32_t)u;
            float fv;
            memcpy(&fv, &u32, 4);
            (*v)[*n + got] = fv;
        }
    }
    fclose(f);
    if (got != count) {
        fprintf(stderr, "%s: %zu of %zu elements\n", path, got, count);
        return -1;
    }
    *n += count;
    return 0;
}

/* The values in the type read, little-endian. */
static int write_values(FILE *f, const double *v, size_t n)
{
    size_t i, j;
    for (i = 0; i < n; i++) {
        unsigned char b[8];
        uint64_t u;
        size_t sz = kind == 2 ? 8 : 4;
        if (kind == 2) {
            u = (uint64_t)(int64_t)v[i];
        } else {
            float fv = (float)v[i];
            uint32_t u32;
            memcpy(&u32, &fv, 4);
            u = u32;
        }
        for (j = 0; j < sz; j++)
            b[j] = (unsigned char)(u >> (8 * j));
        if (fwrite(b, 1, sz, f) != sz)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    double *v = NULL;
    size_t n = 0, i;
    double scale = 0;
    char hdr[128];
    int len, k;
    FILE *f;
    if (argc < 3) {
        fprintf(stderr, "usage: onnx_expect OUT.npy OUTPUT.npy...\n");
        return 2;
    }
    for (k = 2; k < argc; k++)
        if (read_npy(argv[k], &v, &n))
            return 1;
    for (i = 0; i < n; i++)
        if (fabs((double)v[i]) > scale)
            scale = fabs((double)v[i]);
    /* one output keeps its shape (verify compares top-1 per row) */
    if (argc == 3 && first_shape[0])
        len = snprintf(hdr, sizeof hdr,
                       "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                       kind == 2 ? "<i8" : "<f4", first_shape);
    else
        len = snprintf(hdr, sizeof hdr,
                       "{'descr': '%s', 'fortran_order': False, 'shape': (%zu,), }",
                       kind == 2 ? "<i8" : "<f4", n);
    while ((len + 11) % 64)
        hdr[len++] = ' ';
    hdr[len++] = '\n';
    f = fopen(argv[1], "wb");
    if (!f || fwrite("\x93NUMPY\x01\x00", 1, 8, f) != 8 || fputc(len & 255, f) == EOF ||
        fputc(len >> 8, f) == EOF || fwrite(hdr, 1, (size_t)len, f) != (size_t)len ||
        write_values(f, v, n) || fclose(f)) {
        fprintf(stderr, "%s: cannot write\n", argv[1]);
        return 1;
    }
    free(v);
    printf("%.9g\n", scale);
    return 0;
}
