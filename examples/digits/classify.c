/*
 * classify.c - the README demo: runs the bnnc-generated digits network on
 * the held-out images and compares it with the training framework's
 * probabilities (MXNet's for examples/digits; an optional fourth argument
 * names another framework, e.g. PyTorch for examples/digits-onnx).
 *
 *   bnnc compile digits 0 --input data=1,1,8,8 --standalone -o digits.c
 *   cc -O2 digits.c classify.c -lm -o classify
 *   ./classify heldout_x.npy heldout_y.npy heldout_probs.npy [FRAMEWORK]
 *
 * Reads .npy files (little-endian float32 / int64, C order) itself, so the
 * demo needs nothing but a C compiler.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digits.h"

/* Load a .npy array of `want` ("<f4" or "<i8") with `count` elements. */
static void *load_npy(const char *path, const char *want, size_t *count)
{
    FILE *f = fopen(path, "rb");
    unsigned char head[10];
    char dict[1024], *p;
    size_t hlen, n = 1, esize = want[2] == '8' ? 8 : 4;
    void *data;
    if (!f || fread(head, 1, 10, f) != 10 || memcmp(head, "\x93NUMPY", 6) || head[6] != 1) {
        fprintf(stderr, "%s: not a version 1 .npy file\n", path);
        exit(1);
    }
    hlen = (size_t)head[8] | (size_t)head[9] << 8;
    if (hlen >= sizeof dict || fread(dict, 1, hlen, f) != hlen) {
        fprintf(stderr, "%s: bad header\n", path);
        exit(1);
    }
    dict[hlen] = '\0';
    if (!strstr(dict, want) || strstr(dict, "'fortran_order': True")) {
        fprintf(stderr, "%s: expected %s in C order\n", path, want);
        exit(1);
    }
    p = strstr(dict, "'shape': (");
    if (!p) {
        fprintf(stderr, "%s: no shape\n", path);
        exit(1);
    }
    for (p += 10; *p && *p != ')';) {
        char *end;
        long d = strtol(p, &end, 10);
        if (end == p)
            break;
        n *= (size_t)d;
        p = end;
        while (*p == ',' || *p == ' ')
            p++;
    }
    data = malloc(n * esize);
    if (!data || fread(data, esize, n, f) != n) {
        fprintf(stderr, "%s: short data\n", path);
        exit(1);
    }
    fclose(f);
    *count = n;
    return data;
}

static int argmax(const float *v, int n)
{
    int i, best = 0;
    for (i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

/* An 8x8 digit as text (pixel/16 in [0, 1]). */
static void draw(const float *img)
{
    static const char shades[] = " .:-=+*#%@";
    int y, x;
    for (y = 0; y < 8; y++) {
        printf("    ");
        for (x = 0; x < 8; x++) {
            int s = (int)(img[y * 8 + x] * 9.0f + 0.5f);
            s = s < 0 ? 0 : s > 9 ? 9 : s;
            putchar(shades[s]);
            putchar(shades[s]);
        }
        putchar('\n');
    }
}

int main(int argc, char **argv)
{
    size_t nx, ny, np_, i;
    float *x, *ref, out[DIGITS_OUTPUT_SIZE];
    long long *y;
    size_t n, correct = 0, correct_ref = 0, agree = 0;
    double maxdiff = 0;
    const char *framework = argc == 5 ? argv[4] : "MXNet";
    char label[64];

    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: %s heldout_x.npy heldout_y.npy heldout_probs.npy [FRAMEWORK]\n",
                argv[0]);
        return 2;
    }
    x = load_npy(argv[1], "<f4", &nx);
    y = load_npy(argv[2], "<i8", &ny);
    ref = load_npy(argv[3], "<f4", &np_);
    n = ny;
    if (nx != n * DIGITS_INPUT_SIZE || np_ != n * DIGITS_OUTPUT_SIZE) {
        fprintf(stderr, "inputs do not match the model's sizes\n");
        return 1;
    }
    for (i = 0; i < n; i++) {
        int rc = digits_run(x + i * DIGITS_INPUT_SIZE, out), k, pred, pref;
        if (rc) {
            fprintf(stderr, "digits_run failed at step %d\n", rc);
            return 1;
        }
        pred = argmax(out, DIGITS_OUTPUT_SIZE);
        pref = argmax(ref + i * DIGITS_OUTPUT_SIZE, DIGITS_OUTPUT_SIZE);
        correct += pred == y[i];
        correct_ref += pref == y[i];
        agree += pred == pref;
        for (k = 0; k < (int)DIGITS_OUTPUT_SIZE; k++) {
            double d = fabs((double)out[k] - ref[i * DIGITS_OUTPUT_SIZE + k]);
            maxdiff = d > maxdiff ? d : maxdiff;
        }
        if (i < 3) {
            printf("sample %zu: label %lld, bnnc predicts %d (p = %.3f), %s predicts %d\n", i,
                   y[i], pred, (double)out[pred], framework, pref);
            draw(x + i * DIGITS_INPUT_SIZE);
        }
    }
    printf("\nheld-out images:        %zu\n", n);
    printf("bnnc accuracy:          %.2f %% (%zu/%zu)\n", 100.0 * (double)correct / (double)n,
           correct, n);
    snprintf(label, sizeof label, "%s accuracy:", framework);
    printf("%-24s%.2f %% (%zu/%zu)\n", label, 100.0 * (double)correct_ref / (double)n,
           correct_ref, n);
    printf("top-1 agreement:        %zu/%zu\n", agree, n);
    printf("max |probability diff|: %.3g\n", maxdiff);
    printf("static RAM: %u bytes of arena\n", (unsigned)DIGITS_ARENA_SIZE);
    free(x);
    free(y);
    free(ref);
    return agree == n ? 0 : 1;
}
