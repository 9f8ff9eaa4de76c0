/*
 * test_variants.c - the one variant system (bnn_variants.h, variants.c):
 *   - the table: every kernel's variants are distinct entry points,
 *     portable first, the one the public function runs last, and
 *     bnn_variant_of() names it;
 *   - every public kernel of the runtime headers is known to
 *     bnn_variant_of() (so a tool can say which variant each step ran);
 *   - on a native SIMD build, every variant the host CPU can run is
 *     compiled in (read from /proc/cpuinfo), so that the variant-vs-
 *     portable tests cannot silently compare portable with itself. The
 *     portable build, a build that is not for the host CPU and a host
 *     without /proc/cpuinfo skip this check and say why.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bnn.h"
#include "variant_test_util.h"

static void test_table_consistent(void **state)
{
    int count, i, j;
    const bnn_kernel_variant *all = bnn_kernel_variants(&count);
    (void)state;
    assert_true(count > 0);
    for (i = 0; i < count; i++) {
        const char *names[VT_MAX_VARIANTS];
        int first = i == 0 || strcmp(all[i - 1].kernel, all[i].kernel) != 0;
        if (!first)
            continue;
        /* a kernel's rows are consecutive */
        for (j = i + 1; j < count; j++)
            if (!strcmp(all[j].kernel, all[i].kernel))
                assert_true(j == i + 1 || !strcmp(all[j - 1].kernel, all[i].kernel));
        assert_true(vt_variants(all[i].kernel, names, NULL) >= 1);
        for (j = 0; j < count; j++)
            if (!strcmp(all[j].kernel, all[i].kernel))
                assert_ptr_equal(bnn_variant_fn(all[j].kernel, all[j].variant), all[j].fn);
    }
    assert_null(bnn_variant_of("bnn_no_such_kernel"));
    assert_null(bnn_variant_of(NULL));
    assert_null(bnn_variant_fn("bnn_bconv2d_b_b", "no_such_variant"));
#if defined(BNN_FORCE_PORTABLE) && BNN_FORCE_PORTABLE + 0
    for (i = 0; i < count; i++)
        assert_string_equal(all[i].variant, "portable");
#endif
}

/* Every "BNN_API bnn_status name(" of the public headers. */
static void test_every_public_kernel_known(void **state)
{
    static const char *const headers[] = {"bnn.h", "bnn_ops.h", "bnn_int8.h"};
    int h, found = 0;
    (void)state;
    for (h = 0; h < (int)(sizeof headers / sizeof headers[0]); h++) {
        char path[1024], line[1024];
        FILE *f;
        snprintf(path, sizeof path, "%s/../runtime_min/include/%s", BNNC_TEST_DATA_DIR,
                 headers[h]);
        f = fopen(path, "r");
        if (!f) {
            assert_true(h == 2); /* only the int8 header may be absent */
            continue;
        }
        while (fgets(line, sizeof line, f)) {
            const char *s = strstr(line, "BNN_API bnn_status bnn_");
            char name[128];
            size_t n;
            if (!s)
                continue;
            s += strlen("BNN_API bnn_status ");
            n = strcspn(s, "(");
            assert_true(n < sizeof name && s[n] == '(');
            memcpy(name, s, n);
            name[n] = '\0';
            if (!bnn_variant_of(name))
                fprintf(stderr, "%s: public kernel %s is not in BNN_KERNELS\n", headers[h],
                        name);
            assert_non_null(bnn_variant_of(name));
            found++;
        }
        fclose(f);
    }
    assert_true(found >= 30);
}

#if defined(BNNC_TEST_NATIVE_SIMD) && !(defined(BNN_FORCE_PORTABLE) && BNN_FORCE_PORTABLE + 0)
/* What the host's CPU supports, and the variants that must then be in a
 * native build: `flags` all present in /proc/cpuinfo -> (kernel, variant)
 * compiled in. */
typedef struct {
    const char *flags;
    const char *kernel, *variant;
} host_rule;

static const host_rule host_rules[] = {
#if defined(__x86_64__)
    {"avx2", "bnn_bconv2d_b_b", "avx2"},
    {"avx2", "bnn_bdense_b_b", "avx2"},
    {"avx2", "bnn_conv2d_f32", "avx2"},
    {"avx2", "bnn_dense_f32", "avx2"},
    {"avx2", "bnn_pack_f32_b", "avx2"},
    {"avx2", "bnn_quantize_f32_i8", "avx2"},
    {"avx512f avx512bw avx512vl", "bnn_conv2d_f32", "avx512"},
    {"avx512f avx512bw avx512vl", "bnn_dense_f32", "avx512"},
    {"avx512f avx512bw avx512vl", "bnn_pack_f32_b", "avx512"},
    {"avx512f avx512bw avx512vl", "bnn_quantize_f32_i8", "avx512"},
    {"avx512f avx512bw avx512vl avx512_vpopcntdq", "bnn_bconv2d_b_b", "avx512"},
    {"avx512f avx512bw avx512vl avx512_vpopcntdq", "bnn_bdense_b_b", "avx512"},
    {"avx2", "bnn_conv2d_i8_i8", "avx2"},
    {"avx2", "bnn_dense_i8_i8", "avx2"},
    {"avx512f avx512bw avx512vl avx512_vnni", "bnn_conv2d_i8_i8", "avx512vnni"},
    {"avx512f avx512bw avx512vl avx512_vnni", "bnn_dense_i8_i8", "avx512vnni"},
#elif defined(__aarch64__)
    {"asimd", "bnn_bconv2d_b_b", "neon"},
    {"asimd", "bnn_bdense_b_b", "neon"},
    {"asimd", "bnn_conv2d_i8_i8", "neon"},
    {"asimd asimddp", "bnn_conv2d_i8_i8", "neondot"},
#endif
    {NULL, NULL, NULL}};

/* Whether the word need[0..n) is a whole word of `have`. */
static int has_word(const char *have, const char *need, size_t n)
{
    const char *p = have;
    while ((p = strstr(p, need)) != NULL) {
        if ((p == have || p[-1] == ' ' || p[-1] == '\t') &&
            (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
            return 1;
        p += 1;
    }
    return 0;
}

/* Whether every space-separated word of `need` is a word of `have`. */
static int has_flags(const char *have, const char *need)
{
    while (*need) {
        char word[64];
        size_t n = strcspn(need, " ");
        if (n >= sizeof word)
            return 0;
        memcpy(word, need, n);
        word[n] = '\0';
        if (n && !has_word(have, word, n))
            return 0;
        need += n;
        while (*need == ' ')
            need++;
    }
    return 1;
}

#endif

static void test_host_simd_compiled_in(void **state)
{
    (void)state;
#if defined(BNN_FORCE_PORTABLE) && BNN_FORCE_PORTABLE + 0
    fprintf(stderr, "skipped: portable build (BNN_FORCE_PORTABLE): no SIMD variant "
                    "is expected\n");
    skip();
#elif !defined(BNNC_TEST_NATIVE_SIMD)
    fprintf(stderr, "skipped: the runtime is not built for the host CPU "
                    "(BNNC_NATIVE=OFF or cross build)\n");
    skip();
#else
    {
        static char flags[16384];
        char line[16384];
        const char *key =
#if defined(__aarch64__)
            "Features";
#else
            "flags";
#endif
        FILE *f = fopen("/proc/cpuinfo", "r");
        int r, checked = 0;
        if (!f) {
            fprintf(stderr, "skipped: no /proc/cpuinfo to read the host's CPU features\n");
            skip();
            return;
        }
        flags[0] = '\0';
        while (fgets(line, sizeof line, f))
            if (!strncmp(line, key, strlen(key)) && strchr(line, ':')) {
                snprintf(flags, sizeof flags, "%s", strchr(line, ':') + 1);
                break;
            }
        fclose(f);
        assert_true(flags[0] != '\0');
        for (r = 0; host_rules[r].flags; r++) {
            if (!has_flags(flags, host_rules[r].flags))
                continue;
            checked++;
            if (!bnn_variant_fn(host_rules[r].kernel, host_rules[r].variant))
                fprintf(stderr,
                        "host has %s but %s has no %s variant: the native build "
                        "compiled out its SIMD code\n",
                        host_rules[r].flags, host_rules[r].kernel, host_rules[r].variant);
            assert_non_null(bnn_variant_fn(host_rules[r].kernel, host_rules[r].variant));
        }
        fprintf(stderr, "%d host SIMD variants required and present\n", checked);
        /* the public functions run the most capable variant the host has */
        for (r = 0; host_rules[r].flags; r++) {
            int later, best = 1;
            if (!has_flags(flags, host_rules[r].flags))
                continue;
            for (later = r + 1; host_rules[later].flags; later++)
                if (!strcmp(host_rules[later].kernel, host_rules[r].kernel) &&
                    has_flags(flags, host_rules[later].flags))
                    best = 0;
            if (best)
                assert_string_equal(bnn_variant_of(host_rules[r].kernel),
                                    host_rules[r].variant);
        }
    }
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_consistent),
        cmocka_unit_test(test_every_public_kernel_known),
        cmocka_unit_test(test_host_simd_compiled_in),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
