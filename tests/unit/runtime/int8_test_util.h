/*
 * int8_test_util.h - independent references and checkers for the int8
 * kernels (bnn_int8.h), shared by the CMocka test test_int8.c and the
 * cross driver tests/cross/runtime_equivalence.c (no CMocka there).
 *
 * The references are written here from TFLite's formulas and share no
 * code with the kernels: the requantisation primitives are computed
 * exactly on magnitudes in 64-bit (products of two int32 fit), the
 * convolutions sum (q - zero_point) * w over unpacked OHWI weights in
 * int64 and wrap to int32 at the end. Every check runs every compiled-in
 * variant (variant_test_util.h) and the public function, compares each
 * with the reference exactly and with the portable variant, and returns
 * the number of mismatches, printing the first few to stderr.
 */
#ifndef INT8_TEST_UTIL_H
#define INT8_TEST_UTIL_H

#include "bnn.h"
#include "variant_test_util.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define IT_UNUSED __attribute__((unused))
#else
#define IT_UNUSED
#endif

/* ------------------------------------------------------------ helpers */

static IT_UNUSED uint32_t it_state = 1;

static IT_UNUSED void it_seed(uint32_t s)
{
    it_state = s ? s : 1;
}

static IT_UNUSED uint32_t it_rand(void)
{
    uint32_t x = it_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    it_state = x;
    return x;
}

/* Uniform in [lo, hi]. */
static IT_UNUSED int32_t it_range(int32_t lo, int32_t hi)
{
    return lo + (int32_t)(it_rand() % (uint32_t)(hi - lo + 1));
}

/* Two's-complement int32 of the low 32 bits of v. */
static IT_UNUSED int32_t it_wrap64(int64_t v)
{
    uint32_t u = (uint32_t)((uint64_t)v & 0xFFFFFFFFu);
    return u <= 0x7FFFFFFFu ? (int32_t)u : (int32_t)(u - 0x80000000u) + INT32_MIN;
}

/* 64-byte aligned, 0xA5-filled buffer (it_free); rounded up to 64 bytes. */
static IT_UNUSED void *it_alloc(size_t bytes)
{
    size_t n = (bytes + 63u) / 64u * 64u;
    unsigned char *raw = (unsigned char *)malloc(n + 64u + sizeof(void *)), *p;
    if (!raw) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    p = raw + sizeof(void *);
    p += (64u - (size_t)((uintptr_t)p % 64u)) % 64u;
    memcpy(p - sizeof(void *), &raw, sizeof raw);
    memset(p, 0xA5, n);
    return p;
}

static IT_UNUSED void it_free(void *p)
{
    void *raw;
    if (!p)
        return;
    memcpy(&raw, (unsigned char *)p - sizeof(void *), sizeof raw);
    free(raw);
}

static IT_UNUSED void it_report(int *fails, const char *what, const char *variant, size_t idx,
                                long long got, long long want)
{
    if (*fails < 8)
        fprintf(stderr, "  mismatch %s [%s] at %lu: got %lld, want %lld\n", what, variant,
                (unsigned long)idx, got, want);
    (*fails)++;
}

/* --------------------------------------------- exact requantisation */

/* round(a * b / 2^31) with ties toward +infinity (gemmlowp's nudge gives
 * 2.5 -> 3 and -2.5 -> -2), saturated to int32: the exact floor of
 * (a*b + 2^30) / 2^31, on the 64-bit product. */
static IT_UNUSED int32_t it_srdhm(int32_t a, int32_t b)
{
    int64_t t = (int64_t)a * (int64_t)b + ((int64_t)1 << 30);
    int64_t f = t >= 0 ? t / ((int64_t)1 << 31)
                       : -((-t + ((int64_t)1 << 31) - 1) / ((int64_t)1 << 31));
    return f > INT32_MAX ? INT32_MAX : (int32_t)f;
}

/* round(x / 2^e), ties away from zero, on the magnitude. */
static IT_UNUSED int32_t it_rdbpot(int32_t x, int32_t e)
{
    uint64_t mag = x < 0 ? (uint64_t)0 - (uint64_t)(int64_t)x : (uint64_t)x;
    uint64_t r = e == 0 ? mag : (mag + ((uint64_t)1 << (e - 1))) >> e;
    return x < 0 ? (int32_t)(0 - (int64_t)r) : (int32_t)r;
}

/* TFLite's MultiplyByQuantizedMultiplier: the left shift wraps. */
static IT_UNUSED int32_t it_mbqm(int32_t x, int32_t m, int32_t shift)
{
    int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    return it_rdbpot(it_srdhm(it_wrap64((int64_t)x * ((int64_t)1 << left)), m), right);
}

static IT_UNUSED int8_t it_out(int32_t acc, int32_t m, int32_t shift, int32_t zp, int32_t lo,
                               int32_t hi)
{
    int32_t v = it_wrap64((int64_t)it_mbqm(acc, m, shift) + zp);
    return (int8_t)(v < lo ? lo : v > hi ? hi : v);
}

/* A requantisation (mult, shift) for channel i: most from real scales,
 * some at the extremes (shift -31 and 30, mult 0, 1, -1, INT32_MIN,
 * INT32_MAX). */
static IT_UNUSED void it_requant(int32_t i, int extremes, int32_t *m, int32_t *s)
{
    if (extremes) {
        static const int32_t ms[] = {INT32_MAX, INT32_MIN, 1073741824, 0, 1, -1,
                                     2147483000, -1073741825};
        *m = ms[(uint32_t)i % 8u];
        *s = it_range(-31, 30);
        if (i % 5 == 0)
            *s = -31;
        if (i % 5 == 1)
            *s = 30;
        return;
    }
    /* real in (2^-14, 2^-4): the range of conv output multipliers */
    *m = (int32_t)(0x40000000u + (it_rand() & 0x3FFFFFFFu));
    *s = it_range(-13, -3);
}

/* ------------------------------------------------------ primitives */

/* The kernel-side primitives of bnn_int8.h against the exact ones on every
 * pair of a boundary set and on random values. */
static IT_UNUSED int it_check_primitives(uint32_t seed)
{
    static const int32_t special[] = {INT32_MIN, INT32_MIN + 1, -1073741825, -1073741824,
                                      -65537, -32768, -256, -255, -129, -128, -3, -2, -1,
                                      0, 1, 2, 3, 127, 255, 32767, 65536, 1073741823,
                                      1073741824, INT32_MAX - 1, INT32_MAX};
    const int ns = (int)(sizeof special / sizeof special[0]);
    int fails = 0, i, j;
    int32_t e;
    it_seed(seed);
    for (i = 0; i < ns; i++)
        for (j = 0; j < ns; j++) {
            int32_t a = special[i], b = special[j];
            if (bnn_i8_srdhm(a, b) != it_srdhm(a, b))
                it_report(&fails, "srdhm", "-", (size_t)(i * ns + j), bnn_i8_srdhm(a, b),
                          it_srdhm(a, b));
        }
    for (i = 0; i < ns; i++)
        for (e = 0; e <= 31; e++)
            if (bnn_i8_rdbpot(special[i], e) != it_rdbpot(special[i], e))
                it_report(&fails, "rdbpot", "-", (size_t)(i * 32 + e),
                          bnn_i8_rdbpot(special[i], e), it_rdbpot(special[i], e));
    for (i = 0; i < ns; i++)
        for (j = 0; j < ns; j++)
            for (e = -31; e <= 30; e++) {
                int32_t x = special[i], m = special[j];
                if (bnn_i8_mbqm(x, m, e) != it_mbqm(x, m, e))
                    it_report(&fails, "mbqm", "-", (size_t)((i * ns + j) * 62 + e + 31),
                              bnn_i8_mbqm(x, m, e), it_mbqm(x, m, e));
            }
    for (i = 0; i < 200000; i++) {
        int32_t x = (int32_t)it_rand(), m = (int32_t)it_rand();
        int32_t sh = it_range(-31, 30);
        if (i % 3 == 0)
            x >>= it_range(0, 31);
        if (i % 4 == 0)
            m = (int32_t)(0x40000000u + (it_rand() & 0x3FFFFFFFu));
        if (bnn_i8_srdhm(x, m) != it_srdhm(x, m))
            it_report(&fails, "srdhm random", "-", (size_t)i, bnn_i8_srdhm(x, m),
                      it_srdhm(x, m));
        if (bnn_i8_rdbpot(x, sh & 31) != it_rdbpot(x, sh & 31))
            it_report(&fails, "rdbpot random", "-", (size_t)i, bnn_i8_rdbpot(x, sh & 31),
                      it_rdbpot(x, sh & 31));
        if (bnn_i8_mbqm(x, m, sh) != it_mbqm(x, m, sh))
            it_report(&fails, "mbqm random", "-", (size_t)i, bnn_i8_mbqm(x, m, sh),
                      it_mbqm(x, m, sh));
    }
    return fails;
}

/* QuantizeMultiplier: mult in [2^30, 2^31), mult * 2^(shift-31) within
 * half a unit of the last place of the real value; exact cases. */
static IT_UNUSED int it_check_quantize_multiplier(uint32_t seed)
{
    int fails = 0, i;
    int32_t m, s;
    it_seed(seed);
    bnn_i8_quantize_multiplier(0.5, &m, &s);
    if (m != 1073741824 || s != 0)
        it_report(&fails, "QM(0.5)", "-", 0, m, s);
    bnn_i8_quantize_multiplier(1.0, &m, &s);
    if (m != 1073741824 || s != 1)
        it_report(&fails, "QM(1)", "-", 0, m, s);
    bnn_i8_quantize_multiplier(0.75, &m, &s);
    if (m != 1610612736 || s != 0)
        it_report(&fails, "QM(0.75)", "-", 0, m, s);
    /* 1 - 2^-40 rounds up to 2^31: halved, exponent + 1 */
    bnn_i8_quantize_multiplier(1.0 - ldexp(1.0, -40), &m, &s);
    if (m != 1073741824 || s != 1)
        it_report(&fails, "QM(1-2^-40)", "-", 0, m, s);
    bnn_i8_quantize_multiplier(ldexp(1.0, -40), &m, &s);
    if (m != 0 || s != 0)
        it_report(&fails, "QM(2^-40)", "-", 0, m, s);
    bnn_i8_quantize_multiplier(0.0, &m, &s);
    if (m != 0 || s != 0)
        it_report(&fails, "QM(0)", "-", 0, m, s);
    for (i = 0; i < 10000; i++) {
        double r = ldexp(1.0 + (double)(it_rand() & 0xFFFFFF) / 16777216.0, it_range(-30, 0));
        double back, err;
        bnn_i8_quantize_multiplier(r, &m, &s);
        back = ldexp((double)m, s - 31);
        err = fabs(back - r) / r;
        if (m < 1073741824 || err > ldexp(1.0, -31))
            it_report(&fails, "QM random", "-", (size_t)i, m, s);
    }
    return fails;
}

/* ------------------------------------------------------------ conv */

typedef struct {
    int32_t n, in_h, in_w, in_c, out_c;
    int32_t k_h, k_w, stride_h, stride_w, pad_top, pad_left, dil_h, dil_w;
    int32_t groups;
    int32_t pad_extra; /* extra bottom/right padding that sizes the output */
    int32_t extra_stride;
} it_conv_shape;

/* Flags of a conv check. */
#define IT_ZP_MIN 1     /* input zero point -128, output -128 */
#define IT_ZP_MAX 2     /* input zero point 127, output 127 */
#define IT_EXTREMES 4   /* requantisation at its extremes, biases near int32 limits */
#define IT_NO_BIAS 8
#define IT_TIES 16      /* multipliers 0.5 and 0.75: rounding ties everywhere */

typedef bnn_status (*it_conv_i8_fn)(const bnn_conv2d_i8_params *, const int8_t *, int8_t *,
                                    void *);
typedef bnn_status (*it_conv_i32_fn)(const bnn_conv2d_i8_params *, const int8_t *, int32_t *,
                                     void *);
typedef bnn_status (*it_dense_i8_fn)(const bnn_dense_i8_params *, const int8_t *, int8_t *,
                                     void *);
typedef bnn_status (*it_dense_i32_fn)(const bnn_dense_i8_params *, const int8_t *, int32_t *,
                                      void *);

static IT_UNUSED int32_t it_out_size(int32_t in, int32_t k, int32_t s, int32_t pad_total,
                                     int32_t d)
{
    return (in + pad_total - (d * (k - 1) + 1)) / s + 1;
}

/* The packed layout written out again, independently of bnn_int8.h's
 * helpers, for one weight. */
static IT_UNUSED size_t it_packed_index(int32_t out_c, int32_t groups, int32_t k, int32_t o,
                                        int32_t kk)
{
    int32_t og = out_c / groups, bpg = (og + 15) / 16, kq = (k + 3) / 4;
    int32_t block = (o / og) * bpg + (o % og) / 16, lane = (o % og) % 16;
    return (((size_t)block * (size_t)kq + (size_t)(kk / 4)) * 16u + (size_t)lane) * 4u +
           (size_t)(kk % 4);
}

/* Checks bnn_i8_pack_weights against the layout written here: every
 * weight in place, zeros elsewhere, the per-lane sums after the blocks. */
static IT_UNUSED int it_check_packing(int32_t out_c, int32_t groups, int32_t k,
                                      const int8_t *w, const int8_t *packed)
{
    int32_t og = out_c / groups, bpg = (og + 15) / 16, kq = (k + 3) / 4, o, kk;
    size_t nb = (size_t)groups * (size_t)bpg * ((size_t)kq * 64u + 64u), i;
    size_t wbytes = (size_t)groups * (size_t)bpg * (size_t)kq * 64u;
    unsigned char *seen = (unsigned char *)calloc(nb, 1);
    int fails = 0;
    if (bnn_i8_weight_bytes(out_c, groups, k) != nb)
        it_report(&fails, "packed bytes", "-", 0, (long long)bnn_i8_weight_bytes(out_c, groups, k),
                  (long long)nb);
    for (o = 0; o < out_c; o++) {
        int64_t sum = 0;
        size_t lane = (size_t)((o / og) * bpg + (o % og) / 16) * 16u + (size_t)((o % og) % 16);
        const unsigned char *sp = (const unsigned char *)packed + wbytes + lane * 4u;
        int32_t got;
        for (kk = 0; kk < k; kk++) {
            size_t at = it_packed_index(out_c, groups, k, o, kk);
            int8_t v = w[(size_t)o * (size_t)k + (size_t)kk];
            sum += v;
            seen[at] = 1;
            if (at != bnn_i8_weight_index(out_c, groups, k, o, kk) || packed[at] != v)
                it_report(&fails, "packed weight", "-", at, packed[at], v);
        }
        got = it_wrap64((int64_t)((uint32_t)sp[0] | (uint32_t)sp[1] << 8 |
                                  (uint32_t)sp[2] << 16 | (uint32_t)sp[3] << 24));
        if (got != it_wrap64(sum))
            it_report(&fails, "weight sum", "-", (size_t)o, got, sum);
        for (i = 0; i < 4; i++)
            seen[wbytes + lane * 4u + i] = 1;
    }
    for (i = 0; i < nb; i++)
        if (!seen[i] && packed[i] != 0)
            it_report(&fails, "packed padding", "-", i, packed[i], 0);
    free(seen);
    return fails;
}

/* Runs one conv shape through every variant and the public functions,
 * both outputs; dense (1x1 image, 1x1 kernel, one group) is also run
 * through the dense entry points. Returns the number of mismatches. */
static IT_UNUSED int it_check_conv(const it_conv_shape *s, uint32_t seed, int flags)
{
    int32_t oh = it_out_size(s->in_h, s->k_h, s->stride_h, s->pad_top * 2 + s->pad_extra,
                             s->dil_h);
    int32_t ow = it_out_size(s->in_w, s->k_w, s->stride_w, s->pad_left * 2 + s->pad_extra,
                             s->dil_w);
    int32_t cg = s->in_c / s->groups, og = s->out_c / s->groups;
    int32_t k = s->k_h * s->k_w * cg, st = s->out_c + s->extra_stride;
    size_t nin = (size_t)s->n * (size_t)s->in_h * (size_t)s->in_w * (size_t)s->in_c;
    size_t npx = (size_t)s->n * (size_t)oh * (size_t)ow, nout = npx * (size_t)st;
    size_t nw = (size_t)s->out_c * (size_t)k, wbytes = bnn_i8_weight_bytes(s->out_c, s->groups, k);
    int8_t *x = (int8_t *)malloc(nin), *w = (int8_t *)malloc(nw);
    int8_t *packed = (int8_t *)malloc(wbytes);
    int32_t *bias = (int32_t *)malloc((size_t)s->out_c * 4u);
    int32_t *mult = (int32_t *)malloc((size_t)s->out_c * 4u);
    int32_t *shift = (int32_t *)malloc((size_t)s->out_c * 4u);
    int32_t *ref_i = (int32_t *)malloc(nout * 4u), *got_i = (int32_t *)malloc(nout * 4u);
    int8_t *ref_b = (int8_t *)malloc(nout), *got_b = (int8_t *)malloc(nout);
    int8_t *port_b = (int8_t *)malloc(nout);
    int32_t *port_i = (int32_t *)malloc(nout * 4u);
    bnn_conv2d_i8_params p;
    size_t scratch_bytes, i;
    void *scratch;
    int32_t nn, oy, ox, o, ky, kx, ci;
    int fails = 0, v, nv, dense;
    const char *vn[VT_MAX_VARIANTS];
    bnn_any_fn f8[VT_MAX_VARIANTS];

    it_seed(seed);
    memset(&p, 0, sizeof p);
    p.n = s->n;
    p.in_h = s->in_h;
    p.in_w = s->in_w;
    p.in_c = s->in_c;
    p.out_h = oh;
    p.out_w = ow;
    p.out_c = s->out_c;
    p.k_h = s->k_h;
    p.k_w = s->k_w;
    p.stride_h = s->stride_h;
    p.stride_w = s->stride_w;
    p.pad_top = s->pad_top;
    p.pad_left = s->pad_left;
    p.dil_h = s->dil_h;
    p.dil_w = s->dil_w;
    p.groups = s->groups;
    p.in_zp = flags & IT_ZP_MIN ? -128 : flags & IT_ZP_MAX ? 127 : it_range(-128, 127);
    p.out_zp = flags & IT_ZP_MIN ? -128 : flags & IT_ZP_MAX ? 127 : it_range(-128, 127);
    p.act_min = it_range(-128, -100);
    p.act_max = it_range(100, 127);
    if (flags & (IT_ZP_MIN | IT_ZP_MAX)) {
        p.act_min = -128;
        p.act_max = 127;
    }
    for (i = 0; i < nin; i++)
        x[i] = flags & IT_TIES ? (int8_t)(int32_t)(i % 256u - 128u) : (int8_t)it_range(-128, 127);
    for (i = 0; i < nw; i++)
        w[i] = (int8_t)it_range(-128, 127);
    for (o = 0; o < s->out_c; o++) {
        bias[o] = it_range(-(1 << 20), 1 << 20);
        if (flags & IT_EXTREMES) {
            int32_t kind = o % 4;
            bias[o] = kind == 0 ? INT32_MAX - it_range(0, 1000)
                      : kind == 1 ? INT32_MIN + it_range(0, 1000)
                      : kind == 2 ? INT32_MIN : bias[o];
            if (kind == 2) /* acc == INT32_MIN exactly: SRDHM saturates */
                for (i = 0; i < (size_t)k; i++)
                    w[(size_t)o * (size_t)k + i] = 0;
        }
        it_requant(o, (flags & IT_EXTREMES) != 0, &mult[o], &shift[o]);
        if (flags & IT_TIES) {
            mult[o] = o % 2 ? 1 << 30 : 3 << 29;
            shift[o] = -(o % 9);
            bias[o] = it_range(-300, 300);
        }
        if ((flags & IT_EXTREMES) && o % 4 == 2) {
            mult[o] = INT32_MIN;
            shift[o] = it_range(-31, 0);
        }
    }
    bnn_i8_pack_weights(s->out_c, s->groups, k, w, packed);
    fails += it_check_packing(s->out_c, s->groups, k, w, packed);
    p.weights = packed;
    p.bias = flags & IT_NO_BIAS ? NULL : bias;
    p.out_mult = mult;
    p.out_shift = shift;
    p.out_pixel_stride = st;

    /* the reference */
    for (i = 0; i < nout; i++) {
        ref_i[i] = 0x5A5A5A5A;
        ref_b[i] = 0x5A;
    }
    for (nn = 0; nn < s->n; nn++)
        for (oy = 0; oy < oh; oy++)
            for (ox = 0; ox < ow; ox++)
                for (o = 0; o < s->out_c; o++) {
                    int32_t g = o / og, a32;
                    int64_t acc = p.bias ? p.bias[o] : 0;
                    size_t at = (((size_t)nn * (size_t)oh + (size_t)oy) * (size_t)ow +
                                 (size_t)ox) * (size_t)st + (size_t)o;
                    for (ky = 0; ky < s->k_h; ky++)
                        for (kx = 0; kx < s->k_w; kx++) {
                            int32_t iy = oy * s->stride_h - s->pad_top + ky * s->dil_h;
                            int32_t ix = ox * s->stride_w - s->pad_left + kx * s->dil_w;
                            if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w)
                                continue;
                            for (ci = 0; ci < cg; ci++) {
                                int32_t q = x[(((size_t)nn * (size_t)s->in_h + (size_t)iy) *
                                                   (size_t)s->in_w + (size_t)ix) *
                                                  (size_t)s->in_c + (size_t)(g * cg + ci)];
                                int32_t wv = w[(size_t)o * (size_t)k +
                                               (size_t)((ky * s->k_w + kx) * cg + ci)];
                                acc += (int64_t)wv * (q - p.in_zp);
                            }
                        }
                    a32 = it_wrap64(acc);
                    ref_i[at] = a32;
                    ref_b[at] = it_out(a32, mult[o], shift[o], p.out_zp, p.act_min, p.act_max);
                }

    scratch_bytes = bnn_conv2d_i8_scratch_bytes(&p);
    scratch = it_alloc(scratch_bytes);
    nv = vt_variants("bnn_conv2d_i8_i8", vn, f8);
    if (nv < 1)
        it_report(&fails, "variant list", "-", 0, nv, 1);
    dense = s->in_h == 1 && s->in_w == 1 && s->k_h == 1 && s->k_w == 1 && s->groups == 1 &&
            s->pad_top == 0 && s->pad_left == 0 && s->pad_extra == 0;
    for (v = 0; v <= nv; v++) {
        /* v == nv: the public functions */
        const char *name = v < nv ? vn[v] : "public";
        it_conv_i8_fn c8 = v < nv ? (it_conv_i8_fn)f8[v] : bnn_conv2d_i8_i8;
        it_conv_i32_fn c32 = v < nv ? (it_conv_i32_fn)bnn_variant_fn("bnn_conv2d_i8_i32", name)
                                    : bnn_conv2d_i8_i32;
        int pass;
        if (!c32) {
            it_report(&fails, "no i32 entry point", name, 0, 0, 1);
            continue;
        }
        for (pass = 0; pass < (dense ? 2 : 1); pass++) {
            bnn_status r1, r2;
            for (i = 0; i < nout; i++) {
                got_i[i] = 0x5A5A5A5A;
                got_b[i] = 0x5A;
            }
            memset(scratch, 0xCD, scratch_bytes);
            if (pass == 0) {
                r1 = c8(&p, x, got_b, scratch);
                memset(scratch, 0xCD, scratch_bytes);
                r2 = c32(&p, x, got_i, scratch);
            } else {
                /* the same numbers through the dense entry points */
                bnn_dense_i8_params d;
                it_dense_i8_fn d8 = v < nv ? (it_dense_i8_fn)bnn_variant_fn("bnn_dense_i8_i8", name)
                                           : bnn_dense_i8_i8;
                it_dense_i32_fn d32 = v < nv ? (it_dense_i32_fn)bnn_variant_fn("bnn_dense_i8_i32",
                                                                                name)
                                             : bnn_dense_i8_i32;
                memset(&d, 0, sizeof d);
                d.n = s->n;
                d.in_c = s->in_c;
                d.out_c = s->out_c;
                d.in_zp = p.in_zp;
                d.out_zp = p.out_zp;
                d.act_min = p.act_min;
                d.act_max = p.act_max;
                d.weights = p.weights;
                d.bias = p.bias;
                d.out_mult = p.out_mult;
                d.out_shift = p.out_shift;
                d.out_row_stride = st;
                if (bnn_dense_i8_scratch_bytes(&d) != scratch_bytes)
                    it_report(&fails, "dense scratch", name, 0,
                              (long long)bnn_dense_i8_scratch_bytes(&d), (long long)scratch_bytes);
                if (!d8 || !d32) {
                    it_report(&fails, "no dense entry point", name, 0, 0, 1);
                    continue;
                }
                r1 = d8(&d, x, got_b, scratch);
                memset(scratch, 0xCD, scratch_bytes);
                r2 = d32(&d, x, got_i, scratch);
            }
            if (r1 != BNN_OK || r2 != BNN_OK)
                it_report(&fails, pass ? "dense status" : "status", name, 0, r1, r2);
            for (i = 0; i < nout; i++) {
                if (got_i[i] != ref_i[i])
                    it_report(&fails, pass ? "dense_i8_i32" : "conv2d_i8_i32", name, i, got_i[i],
                              ref_i[i]);
                if (got_b[i] != ref_b[i])
                    it_report(&fails, pass ? "dense_i8_i8" : "conv2d_i8_i8", name, i, got_b[i],
                              ref_b[i]);
            }
            if (v == 0 && pass == 0) {
                memcpy(port_b, got_b, nout);
                memcpy(port_i, got_i, nout * 4u);
            } else if (memcmp(port_b, got_b, nout) != 0 || memcmp(port_i, got_i, nout * 4u) != 0) {
                it_report(&fails, "vs portable", name, 0, 1, 0);
            }
        }
    }
    if (fails)
        fprintf(stderr,
                "int8 conv n%d %dx%dx%d->%d k%dx%d s%d,%d p%d,%d(+%d) d%d,%d g%d flags %d: "
                "%d mismatches\n",
                s->n, s->in_h, s->in_w, s->in_c, s->out_c, s->k_h, s->k_w, s->stride_h,
                s->stride_w, s->pad_top, s->pad_left, s->pad_extra, s->dil_h, s->dil_w,
                s->groups, flags, fails);
    free(x);
    free(w);
    free(packed);
    free(bias);
    free(mult);
    free(shift);
    free(ref_i);
    free(got_i);
    free(ref_b);
    free(got_b);
    free(port_b);
    free(port_i);
    it_free(scratch);
    return fails;
}

/* Awkward conv shapes: channel counts 1, 3, 4, 15, 16, 17, 31, 33, 64 and
 * past a block, odd images, 1x1 to 7x7 kernels, stride 2, dilation 2,
 * padding (SAME-like asymmetric), groups, batches, strided outputs, dense
 * (1x1 images, several rows). */
static IT_UNUSED const it_conv_shape it_conv_shapes[] = {
    /* n ih iw ic oc kh kw sh sw pt pl dh dw g pe xs */
    {1, 5, 5, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0},
    {1, 7, 5, 3, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0},
    {1, 9, 9, 3, 64, 7, 7, 2, 2, 3, 3, 1, 1, 1, 1, 0},
    {1, 6, 7, 4, 15, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1, 2},
    {1, 5, 5, 15, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 1},
    {1, 8, 8, 16, 31, 3, 3, 1, 1, 1, 1, 2, 2, 1, 2, 0},
    {1, 3, 9, 17, 33, 1, 3, 1, 2, 0, 1, 1, 1, 1, 1, 0},
    {2, 5, 4, 31, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 3},
    {1, 7, 7, 33, 65, 5, 5, 2, 1, 2, 2, 1, 2, 1, 0, 0},
    {1, 9, 7, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0},
    {1, 4, 4, 64, 128, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0},
    {1, 6, 5, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 2, 0, 0},
    {1, 5, 5, 32, 48, 3, 3, 2, 2, 1, 1, 1, 1, 4, 1, 1},
    {1, 5, 6, 12, 12, 3, 3, 1, 1, 1, 1, 1, 1, 3, 0, 0},
    {1, 6, 6, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8, 0, 0},
    {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0},
    {5, 1, 1, 33, 17, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 2},
    {3, 1, 1, 256, 100, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0},
    {1, 1, 1, 1000, 10, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0},
    {1, 3, 3, 5, 7, 5, 5, 1, 1, 4, 4, 1, 1, 1, 0, 0},
    {1, 2, 2, 3, 5, 2, 2, 1, 1, 3, 3, 1, 1, 1, 0, 0}, /* windows wholly in padding */
    {1, 10, 3, 7, 20, 3, 1, 3, 1, 1, 0, 2, 1, 1, 1, 0},
};

#define IT_NUM_CONV_SHAPES ((int)(sizeof it_conv_shapes / sizeof it_conv_shapes[0]))

/* A dense layer whose 256 rows of one input take every int8 value, for
 * the requantisation of every variant on many rounding ties (IT_TIES). */
static IT_UNUSED const it_conv_shape it_ties_shape = {256, 1, 1, 1, 72, 1, 1, 1, 1,
                                                       0, 0, 1, 1, 1, 0, 0};

/* Checks it_ties_shape with every int8 value as input. */
static IT_UNUSED int it_check_ties(uint32_t seed)
{
    return it_check_conv(&it_ties_shape, seed, IT_TIES);
}

/* Random small conv shape number i from the generator state *seed. */
static IT_UNUSED void it_random_conv_shape(uint32_t *seed, it_conv_shape *s)
{
    int32_t g, cands[8], nc = 0;
    *seed = *seed * 1664525u + 1013904223u;
    s->n = 1 + (int32_t)((*seed >> 8) % 2u);
    s->in_c = 1 + (int32_t)((*seed >> 12) % 70u);
    *seed = *seed * 1664525u + 1013904223u;
    s->out_c = 1 + (int32_t)((*seed >> 8) % 70u);
    for (g = 1; g <= 8; g++)
        if (s->in_c % g == 0 && s->out_c % g == 0)
            cands[nc++] = g;
    s->groups = cands[(*seed >> 20) % (uint32_t)nc];
    *seed = *seed * 1664525u + 1013904223u;
    s->k_h = 1 + (int32_t)((*seed >> 8) % 5u);
    s->k_w = 1 + (int32_t)((*seed >> 11) % 5u);
    s->stride_h = 1 + (int32_t)((*seed >> 14) % 3u);
    s->stride_w = 1 + (int32_t)((*seed >> 16) % 3u);
    s->dil_h = 1 + (int32_t)((*seed >> 18) % 2u);
    s->dil_w = 1 + (int32_t)((*seed >> 19) % 2u);
    s->pad_top = (int32_t)((*seed >> 20) % 3u);
    s->pad_left = (int32_t)((*seed >> 22) % 3u);
    s->pad_extra = (int32_t)((*seed >> 24) % 2u);
    *seed = *seed * 1664525u + 1013904223u;
    s->in_h = 1 + (int32_t)((*seed >> 8) % 9u);
    s->in_w = 1 + (int32_t)((*seed >> 12) % 9u);
    s->extra_stride = (int32_t)((*seed >> 16) % 3u);
    while (s->in_h + 2 * s->pad_top + s->pad_extra < s->dil_h * (s->k_h - 1) + 1)
        s->in_h++;
    while (s->in_w + 2 * s->pad_left + s->pad_extra < s->dil_w * (s->k_w - 1) + 1)
        s->in_w++;
}

#define IT_NUM_RANDOM_SHAPES 40

/* ------------------------------------------------------- depthwise */

static IT_UNUSED int it_check_dwconv(const it_conv_shape *s, int32_t mult, uint32_t seed,
                                     int flags)
{
    int32_t oh = it_out_size(s->in_h, s->k_h, s->stride_h, s->pad_top * 2 + s->pad_extra,
                             s->dil_h);
    int32_t ow = it_out_size(s->in_w, s->k_w, s->stride_w, s->pad_left * 2 + s->pad_extra,
                             s->dil_w);
    int32_t oc = s->in_c * mult, st = oc + s->extra_stride;
    size_t nin = (size_t)s->n * (size_t)s->in_h * (size_t)s->in_w * (size_t)s->in_c;
    size_t nout = (size_t)s->n * (size_t)oh * (size_t)ow * (size_t)st, i;
    size_t nw = (size_t)s->k_h * (size_t)s->k_w * (size_t)oc;
    int8_t *x = (int8_t *)malloc(nin), *w = (int8_t *)malloc(nw);
    int8_t *ref = (int8_t *)malloc(nout), *got = (int8_t *)malloc(nout);
    int32_t *bias = (int32_t *)malloc((size_t)oc * 4u), *m = (int32_t *)malloc((size_t)oc * 4u);
    int32_t *sh = (int32_t *)malloc((size_t)oc * 4u);
    bnn_dwconv2d_i8_params p;
    int32_t nn, oy, ox, o, ky, kx;
    int fails = 0;
    bnn_status r;
    it_seed(seed);
    memset(&p, 0, sizeof p);
    p.n = s->n;
    p.in_h = s->in_h;
    p.in_w = s->in_w;
    p.in_c = s->in_c;
    p.out_h = oh;
    p.out_w = ow;
    p.mult = mult;
    p.k_h = s->k_h;
    p.k_w = s->k_w;
    p.stride_h = s->stride_h;
    p.stride_w = s->stride_w;
    p.pad_top = s->pad_top;
    p.pad_left = s->pad_left;
    p.dil_h = s->dil_h;
    p.dil_w = s->dil_w;
    p.in_zp = flags & IT_ZP_MIN ? -128 : flags & IT_ZP_MAX ? 127 : it_range(-128, 127);
    p.out_zp = flags & IT_ZP_MIN ? -128 : flags & IT_ZP_MAX ? 127 : it_range(-128, 127);
    p.act_min = it_range(-128, -90);
    p.act_max = it_range(90, 127);
    for (i = 0; i < nin; i++)
        x[i] = (int8_t)it_range(-128, 127);
    for (i = 0; i < nw; i++)
        w[i] = (int8_t)it_range(-128, 127);
    for (o = 0; o < oc; o++) {
        bias[o] = flags & IT_EXTREMES ? (o % 2 ? INT32_MAX - o : INT32_MIN + o)
                                      : it_range(-(1 << 16), 1 << 16);
        it_requant(o, (flags & IT_EXTREMES) != 0, &m[o], &sh[o]);
    }
    p.weights = w;
    p.bias = bias;
    p.out_mult = m;
    p.out_shift = sh;
    p.out_pixel_stride = st;
    memset(ref, 0x5A, nout);
    memset(got, 0x5A, nout);
    for (nn = 0; nn < s->n; nn++)
        for (oy = 0; oy < oh; oy++)
            for (ox = 0; ox < ow; ox++)
                for (o = 0; o < oc; o++) {
                    int64_t acc = bias[o];
                    for (ky = 0; ky < s->k_h; ky++)
                        for (kx = 0; kx < s->k_w; kx++) {
                            int32_t iy = oy * s->stride_h - s->pad_top + ky * s->dil_h;
                            int32_t ix = ox * s->stride_w - s->pad_left + kx * s->dil_w;
                            if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w)
                                continue;
                            acc += (int64_t)w[((size_t)ky * (size_t)s->k_w + (size_t)kx) *
                                                  (size_t)oc + (size_t)o] *
                                   (x[(((size_t)nn * (size_t)s->in_h + (size_t)iy) *
                                           (size_t)s->in_w + (size_t)ix) * (size_t)s->in_c +
                                      (size_t)(o / mult)] - p.in_zp);
                        }
                    ref[(((size_t)nn * (size_t)oh + (size_t)oy) * (size_t)ow + (size_t)ox) *
                            (size_t)st + (size_t)o] =
                        it_out(it_wrap64(acc), m[o], sh[o], p.out_zp, p.act_min, p.act_max);
                }
    r = bnn_dwconv2d_i8_i8(&p, x, got);
    if (r != BNN_OK)
        it_report(&fails, "dwconv status", "portable", 0, r, 0);
    for (i = 0; i < nout; i++)
        if (got[i] != ref[i])
            it_report(&fails, "dwconv2d_i8_i8", "portable", i, got[i], ref[i]);
    if (fails)
        fprintf(stderr, "int8 dwconv %dx%dx%d mult %d k%dx%d s%d,%d d%d,%d: %d mismatches\n",
                s->in_h, s->in_w, s->in_c, mult, s->k_h, s->k_w, s->stride_h, s->stride_w,
                s->dil_h, s->dil_w, fails);
    free(x);
    free(w);
    free(ref);
    free(got);
    free(bias);
    free(m);
    free(sh);
    return fails;
}

/* ------------------------------------------------- element-wise ops */

/* op 0 add, 1 sub, 2 mul; every (a, b) pair of int8 values once with
 * random requantisation, b broadcast over b_len. */
static IT_UNUSED int it_check_eltwise(int op, uint32_t seed)
{
    const size_t n = 256u * 256u;
    int8_t *a = (int8_t *)malloc(n), *b = (int8_t *)malloc(n), *got = (int8_t *)malloc(n);
    bnn_eltwise_i8_params p;
    size_t i, b_len;
    int fails = 0, round;
    it_seed(seed);
    for (i = 0; i < n; i++) {
        a[i] = (int8_t)(int32_t)((i & 255u) - 128u);
        b[i] = (int8_t)(int32_t)((i >> 8) - 128u);
    }
    for (round = 0; round < 6; round++) {
        bnn_status r;
        memset(&p, 0, sizeof p);
        p.a_zp = round == 0 ? -128 : round == 1 ? 127 : it_range(-128, 127);
        p.b_zp = round == 0 ? 127 : round == 1 ? -128 : it_range(-128, 127);
        p.out_zp = it_range(-128, 127);
        p.left_shift = 20;
        p.act_min = round == 2 ? -5 : -128;
        p.act_max = round == 2 ? 60 : 127;
        if (op == 2) {
            /* s_a s_b / s_out in (2^-12, 2^-2) */
            p.out_mult = (int32_t)(0x40000000u + (it_rand() & 0x3FFFFFFFu));
            p.out_shift = it_range(-11, -1);
        } else {
            /* TFLite's three multipliers: the inputs' < 1/2 and <= 1/2,
             * the output's for 2 max(s) / (2^20 s_out) */
            p.a_mult = (int32_t)(0x40000000u + (it_rand() & 0x3FFFFFFFu));
            p.a_shift = round == 3 ? 0 : it_range(-4, -1);
            p.b_mult = round == 3 ? 1073741824 : (int32_t)(0x40000000u + (it_rand() & 0x3FFFFFFFu));
            p.b_shift = round == 3 ? 0 : it_range(-4, -1);
            p.out_mult = (int32_t)(0x40000000u + (it_rand() & 0x3FFFFFFFu));
            p.out_shift = it_range(-22, -16);
        }
        b_len = round == 4 ? 256u : round == 5 ? 1u : n;
        memset(got, 0x5A, n);
        r = op == 0 ? bnn_add_i8(&p, n, a, b_len, b, got)
            : op == 1 ? bnn_sub_i8(&p, n, a, b_len, b, got)
                      : bnn_mul_i8(&p, n, a, b_len, b, got);
        if (r != BNN_OK)
            it_report(&fails, "eltwise status", "portable", 0, r, 0);
        for (i = 0; i < n; i++) {
            int32_t da = a[i] - p.a_zp, db = b[i % b_len] - p.b_zp, want;
            if (op == 2) {
                want = it_out(da * db, p.out_mult, p.out_shift, p.out_zp, p.act_min, p.act_max);
            } else {
                int32_t sa = it_mbqm(da * (1 << p.left_shift), p.a_mult, p.a_shift);
                int32_t sb = it_mbqm(db * (1 << p.left_shift), p.b_mult, p.b_shift);
                want = it_out(op == 0 ? sa + sb : sa - sb, p.out_mult, p.out_shift, p.out_zp,
                              p.act_min, p.act_max);
            }
            if (got[i] != want)
                it_report(&fails, op == 0 ? "add_i8" : op == 1 ? "sub_i8" : "mul_i8", "portable",
                          i, got[i], want);
        }
    }
    free(a);
    free(b);
    free(got);
    return fails;
}

/* -------------------------------------------------------- pooling */

static IT_UNUSED int it_check_pool(const bnn_pool2d_i8_params *p, uint32_t seed)
{
    size_t nin = (size_t)p->n * (size_t)p->in_h * (size_t)p->in_w * (size_t)p->c;
    size_t nout = (size_t)p->n * (size_t)p->out_h * (size_t)p->out_w * (size_t)p->c, i;
    int8_t *x = (int8_t *)malloc(nin), *gm = (int8_t *)malloc(nout), *ga = (int8_t *)malloc(nout);
    int32_t nn, oy, ox, ch, y, xx;
    int fails = 0;
    it_seed(seed);
    for (i = 0; i < nin; i++)
        x[i] = (int8_t)it_range(-128, 127);
    if (bnn_maxpool_i8(p, x, gm) != BNN_OK || bnn_avgpool_i8(p, x, ga) != BNN_OK)
        it_report(&fails, "pool status", "portable", 0, 1, 0);
    for (nn = 0; nn < p->n; nn++)
        for (oy = 0; oy < p->out_h; oy++)
            for (ox = 0; ox < p->out_w; ox++)
                for (ch = 0; ch < p->c; ch++) {
                    int32_t mx = -1000, sum = 0, cnt = 0, av;
                    size_t at = (((size_t)nn * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w +
                                 (size_t)ox) * (size_t)p->c + (size_t)ch;
                    for (y = oy * p->stride_h - p->pad_top;
                         y < oy * p->stride_h - p->pad_top + p->k_h; y++)
                        for (xx = ox * p->stride_w - p->pad_left;
                             xx < ox * p->stride_w - p->pad_left + p->k_w; xx++) {
                            int32_t q;
                            if (y < 0 || y >= p->in_h || xx < 0 || xx >= p->in_w)
                                continue;
                            q = x[(((size_t)nn * (size_t)p->in_h + (size_t)y) * (size_t)p->in_w +
                                   (size_t)xx) * (size_t)p->c + (size_t)ch];
                            mx = q > mx ? q : mx;
                            sum += q;
                            cnt++;
                        }
                    /* TFLite: round half away from zero, C division */
                    av = sum > 0 ? (sum + cnt / 2) / cnt : (sum - cnt / 2) / cnt;
                    mx = mx < p->act_min ? p->act_min : mx > p->act_max ? p->act_max : mx;
                    av = av < p->act_min ? p->act_min : av > p->act_max ? p->act_max : av;
                    if (gm[at] != mx)
                        it_report(&fails, "maxpool_i8", "portable", at, gm[at], mx);
                    if (ga[at] != av)
                        it_report(&fails, "avgpool_i8", "portable", at, ga[at], av);
                }
    free(x);
    free(gm);
    free(ga);
    return fails;
}

/* ------------------------------------------------ quantize/dequantize */

typedef bnn_status (*it_quant_fn)(const bnn_quant_i8_params *, const float *, int8_t *);
typedef bnn_status (*it_dequant_fn)(const bnn_quant_i8_params *, const int8_t *, float *);

/* One variant (vn) of quantize and dequantize against the formula. */
static IT_UNUSED int it_check_quant_variant(uint32_t seed, const char *vn, it_quant_fn quant,
                                            it_dequant_fn dequant)
{
    static const float specials[] = {0.0f, -0.0f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f,
                                     127.49f, 127.5f, -128.5f, 1e30f, -1e30f};
    const size_t n = 4096;
    float *x = (float *)malloc(n * sizeof(float)), *back = (float *)malloc(n * sizeof(float));
    int8_t *q = (int8_t *)malloc(n), *qi = (int8_t *)malloc(n);
    float scale[3];
    int32_t zp[3];
    bnn_quant_i8_params p;
    size_t i;
    int fails = 0, round;
    it_seed(seed);
    for (round = 0; round < 3; round++) {
        int32_t c;
        memset(&p, 0, sizeof p);
        p.n = n;
        p.channels = round == 0 ? 1 : 3;
        p.inner = round == 2 ? 5 : 1;
        for (c = 0; c < 3; c++) {
            scale[c] = (float)ldexp(1.0 + (double)(it_rand() & 0xFFFF) / 65536.0, it_range(-8, 2));
            zp[c] = c == 0 ? -128 : c == 1 ? 127 : it_range(-128, 127);
        }
        if (round == 0)
            scale[0] = 1.0f, zp[0] = 3;
        p.scale = scale;
        p.zero_point = zp;
        for (i = 0; i < n; i++) {
            size_t ch = i / p.inner % (size_t)p.channels;
            x[i] = i < sizeof specials / sizeof specials[0]
                       ? specials[i]
                       : (float)((int32_t)(it_rand() % 4001u) - 2000) / 7.0f * scale[ch];
            qi[i] = (int8_t)it_range(-128, 127);
        }
        if (quant(&p, x, q) != BNN_OK ||
            dequant(&p, qi, back) != BNN_OK)
            it_report(&fails, "quant status", vn, 0, 1, 0);
        for (i = 0; i < n; i++) {
            size_t ch = i / p.inner % (size_t)p.channels;
            /* round half away from zero of the float quotient */
            float t = x[i] / scale[ch];
            double r = t < 0 ? -floor(-(double)t + 0.5) : floor((double)t + 0.5);
            double u = r + zp[ch];
            int32_t want = u < -128 ? -128 : u > 127 ? 127 : (int32_t)u;
            float dq = (float)((double)(qi[i] - zp[ch]) * (double)scale[ch]);
            if (q[i] != want)
                it_report(&fails, "quantize_f32_i8", vn, i, q[i], want);
            if (memcmp(&back[i], &dq, 4) != 0)
                it_report(&fails, "dequantize_i8_f32", vn, i,
                          (long long)(back[i] * 1000.0f), (long long)(dq * 1000.0f));
        }
        if (round == 0) {
            float nan = (float)NAN;
            int8_t qn = 0;
            bnn_quant_i8_params one = p;
            size_t tail;
            /* short and odd lengths: the vector kernels' masked tails */
            for (tail = 1; tail < 40; tail += 3) {
                one.n = tail;
                memset(back, 0xFF, tail * sizeof(float) + 4);
                if (dequant(&one, qi + 5, back) != BNN_OK)
                    it_report(&fails, "dequantize tail status", vn, tail, 1, 0);
                for (i = 0; i < tail; i++) {
                    float dq = (float)((double)(qi[5 + i] - zp[0]) * (double)scale[0]);
                    if (memcmp(&back[i], &dq, 4) != 0)
                        it_report(&fails, "dequantize_i8_f32 tail", vn, i,
                                  (long long)back[i], (long long)dq);
                }
                if (((const unsigned char *)back)[tail * sizeof(float)] != 0xFF)
                    it_report(&fails, "dequantize_i8_f32 wrote past n", vn, tail, 1, 0);
            }
            one.n = 1;
            if (quant(&one, &nan, &qn) != BNN_OK || qn != -128)
                it_report(&fails, "quantize NaN", vn, 0, qn, -128);
            /* scale 1, zero point 3: hand values */
            static const int8_t want0[] = {3, 3, 4, 2, 5, 1, 6, 0, 127, 127, -126, 127, -128};
            for (i = 0; i < sizeof want0; i++)
                if (q[i] != want0[i])
                    it_report(&fails, "quantize hand value", vn, i, q[i], want0[i]);
        }
    }
    /* quantize at and next to every half step: scale 0.5 makes x / scale
     * exact, so x = k/4 lands on halves and the neighbours of x one ulp
     * either side; infinities and huge values saturate */
    {
        float h[3 * 1201 + 4];
        int8_t qh[3 * 1201 + 4];
        float half = 0.5f;
        int32_t zh = -5;
        bnn_quant_i8_params ph;
        int k, m = 0;
        for (k = -600; k <= 600; k++) {
            float v = (float)k / 4.0f;
            h[m++] = v;
            h[m++] = nextafterf(v, 1000.0f);
            h[m++] = nextafterf(v, -1000.0f);
        }
        h[m++] = (float)INFINITY;
        h[m++] = -(float)INFINITY;
        h[m++] = 3.0e38f;
        h[m++] = -3.0e38f;
        memset(&ph, 0, sizeof ph);
        ph.n = (size_t)m;
        ph.channels = 1;
        ph.inner = 1;
        ph.scale = &half;
        ph.zero_point = &zh;
        if (quant(&ph, h, qh) != BNN_OK)
            it_report(&fails, "quant status (halves)", vn, 0, 1, 0);
        for (k = 0; k < m; k++) {
            double t = (double)(h[k] / half);
            double r = t < 0 ? -floor(-t + 0.5) : floor(t + 0.5);
            double u = r + zh;
            int32_t want = u < -128 ? -128 : u > 127 ? 127 : (int32_t)u;
            if (qh[k] != want)
                it_report(&fails, "quantize_f32_i8 (halves)", vn, (size_t)k, qh[k], want);
        }
    }
    free(x);
    free(back);
    free(q);
    free(qi);
    return fails;
}

/* Every variant of quantize and dequantize against the formula (plain,
 * per-channel, tails, NaN, halves), then the requantisation. */
static IT_UNUSED int it_check_quant(uint32_t seed)
{
    const char *vn[VT_MAX_VARIANTS];
    bnn_any_fn qf[VT_MAX_VARIANTS];
    int nv = vt_variants("bnn_quantize_f32_i8", vn, qf), v, fails = 0, round;
    int8_t *q = (int8_t *)malloc(256), *qi = (int8_t *)malloc(256);
    size_t i;
    for (v = 0; v < nv; v++) {
        it_dequant_fn dq = (it_dequant_fn)bnn_variant_fn("bnn_dequantize_i8_f32", vn[v]);
        if (!dq) {
            it_report(&fails, "dequantize_i8_f32 variant missing", vn[v], 0, 0, 1);
            continue;
        }
        fails += it_check_quant_variant(seed, vn[v], (it_quant_fn)qf[v], dq);
    }
    if (nv < 1)
        it_report(&fails, "quantize_f32_i8 variants", "none", 0, 0, 1);
    /* requantize: every int8 input, several multipliers, the full range
     * (QUANTIZE) and activation ranges (RELU, RELU6) */
    for (round = 0; round < 6; round++) {
        int32_t in_zp = it_range(-128, 127), out_zp = it_range(-128, 127);
        int32_t m = (int32_t)(0x40000000u + (it_rand() & 0x3FFFFFFFu));
        int32_t s = round == 0 ? 1 : round == 1 ? -31 : it_range(-3, 1);
        int32_t lo = round >= 4 ? out_zp : -128, hi = round == 5 ? out_zp + 20 : 127;
        if (hi > 127)
            hi = 127;
        for (i = 0; i < 256; i++)
            qi[i] = (int8_t)(int32_t)(i - 128);
        if (bnn_requantize_i8_i8(256, in_zp, out_zp, m, s, lo, hi, qi, q) != BNN_OK)
            it_report(&fails, "requantize status", "portable", 0, 1, 0);
        for (i = 0; i < 256; i++) {
            int8_t want = it_out(qi[i] - in_zp, m, s, out_zp, lo, hi);
            if (q[i] != want)
                it_report(&fails, "requantize_i8_i8", "portable", i, q[i], want);
        }
    }
    free(q);
    free(qi);
    return fails;
}

#endif
