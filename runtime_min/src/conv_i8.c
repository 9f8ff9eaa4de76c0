/*
 * conv_i8.c - int8 conv2d and dense with TFLite's integer semantics
 * (bnn_int8.h): the portable C99 kernels (the oracle every variant is
 * tested against), the driver the SIMD variants run around their register
 * tiles, and the public entry points, which call the best variant
 * compiled in (family I8 of bnn_variants.h).
 *
 * The portable kernel reads the packed weights directly: for one output
 * pixel and one block of 16 output channels it walks the in-image taps
 * and their input channels, and adds (q - in_zp) * w to 16 accumulators
 * (modulo 2^32), then adds the bias and requantises each channel.
 *
 * The driver (bnn_conv2d_i8_run) gathers the inputs of up to
 * BNN_I8_TILE_ROWS output pixels into rows of scratch in the order of the
 * packed weights, with out-of-image taps set to the input zero point, so a
 * variant's tile is a plain product of those rows with the weight blocks.
 * The zero point is then a constant per output channel (a zero-point tap
 * adds w * 0): the driver folds it into an effective bias using the
 * weight sums stored after the packed blocks (bnn_i8_rows).
 */
#include "bnn_i8_internal.h"

/* The portable kernel for both outputs; assumes bnn_conv2d_i8_check. */
static void conv_i8_portable(const bnn_conv2d_i8_params *p, const int8_t *in, void *out,
                             bnn_i8_out_kind kind)
{
    int32_t cg = p->in_c / p->groups, og = p->out_c / p->groups;
    int32_t k = p->k_h * p->k_w * cg, kq = (k + 3) / 4;
    int32_t bpg = (og + BNN_I8_OC_BLOCK - 1) / BNN_I8_OC_BLOCK;
    int32_t n, oy, ox, g, j, ky, kx, ci, l;
    for (n = 0; n < p->n; n++)
        for (oy = 0; oy < p->out_h; oy++)
            for (ox = 0; ox < p->out_w; ox++) {
                size_t pix = ((size_t)n * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w +
                             (size_t)ox;
                for (g = 0; g < p->groups; g++)
                    for (j = 0; j < bpg; j++) {
                        const int8_t *wb =
                            p->weights + (size_t)(g * bpg + j) * (size_t)kq * 64u;
                        int32_t lanes = og - j * 16 < 16 ? og - j * 16 : 16;
                        uint32_t acc[16];
                        for (l = 0; l < 16; l++)
                            acc[l] = 0;
                        for (ky = 0; ky < p->k_h; ky++) {
                            int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
                            if (iy < 0 || iy >= p->in_h)
                                continue;
                            for (kx = 0; kx < p->k_w; kx++) {
                                int32_t ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
                                const int8_t *x;
                                int32_t k0 = (ky * p->k_w + kx) * cg;
                                if (ix < 0 || ix >= p->in_w)
                                    continue;
                                x = in + (((size_t)n * (size_t)p->in_h + (size_t)iy) *
                                              (size_t)p->in_w + (size_t)ix) * (size_t)p->in_c +
                                    (size_t)(g * cg);
                                for (ci = 0; ci < cg; ci++) {
                                    int32_t kk = k0 + ci, xv = x[ci] - p->in_zp;
                                    const int8_t *wq = wb + (size_t)(kk / 4) * 64u + (size_t)(kk % 4);
                                    for (l = 0; l < 16; l++)
                                        acc[l] += (uint32_t)(xv * wq[l * 4]);
                                }
                            }
                        }
                        for (l = 0; l < lanes; l++) {
                            int32_t o = g * og + j * 16 + l;
                            int32_t v = bnn_i8_wrap(acc[l] + (uint32_t)(p->bias ? p->bias[o] : 0));
                            size_t at = pix * (size_t)p->out_pixel_stride + (size_t)o;
                            if (kind == BNN_I8_OUT_I32)
                                ((int32_t *)out)[at] = v;
                            else
                                ((int8_t *)out)[at] =
                                    bnn_i8_out(v, p->out_mult[o], p->out_shift[o], p->out_zp,
                                               p->act_min, p->act_max);
                        }
                    }
            }
}

BNN_API bnn_status bnn_conv2d_i8_i8__portable(const bnn_conv2d_i8_params *p,
                                              const int8_t *in, int8_t *out, void *scratch)
{
    if (bnn_conv2d_i8_check(p, in, out, scratch, 1) != BNN_OK)
        return BNN_ARG_ERROR;
    conv_i8_portable(p, in, out, BNN_I8_OUT_I8);
    return BNN_OK;
}

BNN_API bnn_status bnn_conv2d_i8_i32__portable(const bnn_conv2d_i8_params *p,
                                               const int8_t *in, int32_t *out, void *scratch)
{
    if (bnn_conv2d_i8_check(p, in, out, scratch, 0) != BNN_OK)
        return BNN_ARG_ERROR;
    conv_i8_portable(p, in, out, BNN_I8_OUT_I32);
    return BNN_OK;
}

BNN_I8_DENSE_ENTRIES(portable)

/* ---------------------------------------------------------------- driver */

/* n bytes of input q (int8) into a gathered row, XOR-ed with flip (0, or
 * 0x80 for BNN_I8_ROWS_U8), 8 bytes at a time: the runs are short
 * (k_w * in_c for a stem), where a call to memcpy costs more than the
 * copy. */
static void i8_gather_copy(uint8_t *dst, const int8_t *src, size_t n, uint64_t flip)
{
    size_t i = 0;
    uint64_t v;
    if (n < 8u) {
        for (; i < n; i++)
            dst[i] = (uint8_t)((uint8_t)src[i] ^ (uint8_t)flip);
        return;
    }
    for (; i + 8u < n; i += 8u) {
        memcpy(&v, src + i, 8);
        v ^= flip;
        memcpy(dst + i, &v, 8);
    }
    /* the last 8 bytes, overlapping the previous chunk */
    memcpy(&v, src + n - 8u, 8);
    v ^= flip;
    memcpy(dst + n - 8u, &v, 8);
}

/* The kq*4 bytes of the row of output pixel (n, oy, ox), group g; pad is
 * the representation of the input zero point. The parameters are copied
 * into locals first: the byte stores into the row may alias *p. */
static void i8_gather_row(const bnn_conv2d_i8_params *p, const int8_t *in, int32_t n,
                          int32_t oy, int32_t ox, int32_t g, uint64_t flip, uint8_t pad,
                          uint8_t *r, int32_t kq, size_t r_room)
{
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c, k_h = p->k_h, k_w = p->k_w;
    const int32_t dil_h = p->dil_h, dil_w = p->dil_w;
    const int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
    const size_t seg = (size_t)(in_c / p->groups), row = (size_t)k_w * seg;
    const int contiguous = dil_w == 1 && p->groups == 1;
    const int8_t *img = in + (size_t)n * (size_t)in_h * (size_t)in_w * (size_t)in_c +
                        (size_t)g * seg;
    const size_t in_bytes = (size_t)p->n * (size_t)in_h * (size_t)in_w * (size_t)in_c;
    uint8_t *end = r + (size_t)kq * 4u;
    int32_t ky, kx, lo = 0, hi = 0;
    if (contiguous) {
        /* the taps of one kernel row are one segment of the input: the
         * in-image ones are kx in [lo, hi) */
        lo = ix0 < 0 ? (-ix0 < k_w ? -ix0 : k_w) : 0;
        hi = in_w - ix0 < k_w ? in_w - ix0 : k_w;
        if (hi < lo)
            hi = lo;
        /* A window inside the image whose kernel rows are short (a stem's
         * k_w x 3 bytes): each row is copied in whole 8-byte words, the
         * last one running past the row into the next row's place, which
         * the next copy overwrites (rows are written in order), or past
         * the last row into the tail zeroed below. Reads stay inside the
         * input (checked against its end), writes inside this pixel's row
         * buffer (k + 8 <= r_room). No partial or overlapping stores and
         * no branches per tap: 0.19 of the stem's time at 7 x 7 x 3. */
        if (lo == 0 && hi == k_w && iy0 >= 0 && iy0 + (k_h - 1) * dil_h < in_h && row >= 8u &&
            row <= 64u && r_room >= (size_t)k_h * row + 8u &&
            (size_t)((img - in) + ((ptrdiff_t)(iy0 + (k_h - 1) * dil_h) * in_w + ix0) * in_c) +
                    (row + 7u) / 8u * 8u <= in_bytes) {
            const int8_t *src0 = img + ((ptrdiff_t)iy0 * in_w + ix0) * in_c;
            const ptrdiff_t step = (ptrdiff_t)dil_h * in_w * in_c;
            for (ky = 0; ky < k_h; ky++, r += row, src0 += step) {
                size_t i;
                uint64_t v;
                for (i = 0; i < row; i += 8u) {
                    memcpy(&v, src0 + i, 8);
                    v ^= flip;
                    memcpy(r + i, &v, 8);
                }
            }
            for (; r < end; r++)
                *r = 0;
            return;
        }
    }
    for (ky = 0; ky < k_h; ky++, r += row) {
        int32_t iy = iy0 + ky * dil_h;
        const int8_t *src;
        if (iy < 0 || iy >= in_h) {
            memset(r, pad, row);
            continue;
        }
        src = img + (size_t)iy * (size_t)in_w * (size_t)in_c;
        if (contiguous) {
            if (lo > 0)
                memset(r, pad, (size_t)lo * seg);
            if (hi > lo)
                i8_gather_copy(r + (size_t)lo * seg, src + (size_t)(ix0 + lo) * (size_t)in_c,
                               (size_t)(hi - lo) * seg, flip);
            if (hi < k_w)
                memset(r + (size_t)hi * seg, pad, (size_t)(k_w - hi) * seg);
            continue;
        }
        for (kx = 0; kx < k_w; kx++) {
            int32_t ix = ix0 + kx * dil_w;
            if (ix < 0 || ix >= in_w)
                memset(r + (size_t)kx * seg, pad, seg);
            else
                i8_gather_copy(r + (size_t)kx * seg, src + (size_t)ix * (size_t)in_c, seg, flip);
        }
    }
    for (; r < end; r++)
        *r = 0;
}

BNN_API bnn_status bnn_conv2d_i8_run(const bnn_conv2d_i8_params *p, const int8_t *in,
                                     void *out, void *scratch, bnn_i8_out_kind kind,
                                     bnn_i8_rows rows, bnn_i8_tile_fn tile, int32_t tile_p,
                                     int32_t tile_nb)
{
    int32_t cg, og, k, kq, bpg, nblk, lanes, b, l, g, j, q;
    int32_t *bias, *mult, *lsh, *rsh;
    size_t a_stride, npix, pix, esize = kind == BNN_I8_OUT_I8 ? 1u : 4u;
    uint8_t *a, pad;
    int32_t zc;
    uint64_t flip = rows == BNN_I8_ROWS_U8 ? 0x8080808080808080u : 0u;
    bnn_i8_tile t;
    if (bnn_conv2d_i8_check(p, in, out, scratch, kind == BNN_I8_OUT_I8) != BNN_OK ||
        !tile || tile_p < 1 || tile_p > BNN_I8_TILE_ROWS || tile_nb < 1)
        return BNN_ARG_ERROR;
    cg = p->in_c / p->groups;
    og = p->out_c / p->groups;
    k = p->k_h * p->k_w * cg;
    kq = (k + 3) / 4;
    bpg = (og + BNN_I8_OC_BLOCK - 1) / BNN_I8_OC_BLOCK;
    nblk = p->groups * bpg;
    lanes = nblk * BNN_I8_OC_BLOCK;
    bias = (int32_t *)scratch;
    mult = bias + lanes;
    lsh = mult + lanes;
    rsh = lsh + lanes;
    a = (uint8_t *)(rsh + lanes);
    a_stride = ((size_t)kq * 4u + 63u) / 64u * 64u;
    zc = rows == BNN_I8_ROWS_S8 ? p->in_zp : rows == BNN_I8_ROWS_U8 ? p->in_zp + 128 : 0;
    pad = rows == BNN_I8_ROWS_U8 ? (uint8_t)(p->in_zp + 128) : (uint8_t)(int8_t)p->in_zp;
    for (b = 0; b < nblk; b++)
        for (l = 0; l < BNN_I8_OC_BLOCK; l++) {
            int32_t i = b * BNN_I8_OC_BLOCK + l, jj = (b % bpg) * BNN_I8_OC_BLOCK + l;
            int32_t o = (b / bpg) * og + jj, s;
            if (jj >= og) {
                bias[i] = mult[i] = lsh[i] = rsh[i] = 0;
                continue;
            }
            bias[i] = bnn_i8_wrap((uint32_t)(p->bias ? p->bias[o] : 0) -
                                  (uint32_t)zc *
                                      (uint32_t)bnn_i8_weight_sum(p->weights, nblk, kq, i));
            s = kind == BNN_I8_OUT_I8 ? p->out_shift[o] : 0;
            mult[i] = kind == BNN_I8_OUT_I8 ? p->out_mult[o] : 0;
            lsh[i] = s > 0 ? s : 0;
            rsh[i] = s > 0 ? 0 : -s;
        }
    memset(&t, 0, sizeof t);
    t.a = a;
    t.a_stride = a_stride;
    t.kq = kq;
    t.w_block = (size_t)kq * 64u;
    t.in_zp = p->in_zp;
    t.out_zp = p->out_zp;
    t.act_min = p->act_min;
    t.act_max = p->act_max;
    t.kind = kind;
    npix = (size_t)p->n * (size_t)p->out_h * (size_t)p->out_w;
    for (pix = 0; pix < npix; pix += (size_t)tile_p) {
        int32_t np = npix - pix < (size_t)tile_p ? (int32_t)(npix - pix) : tile_p;
        /* the tile's first pixel; the others follow in raster order */
        int32_t ox0 = (int32_t)(pix % (size_t)p->out_w);
        int32_t oy0 = (int32_t)(pix / (size_t)p->out_w % (size_t)p->out_h);
        int32_t n0 = (int32_t)(pix / ((size_t)p->out_w * (size_t)p->out_h));
        t.np = np;
        for (g = 0; g < p->groups; g++) {
            int32_t n = n0, oy = oy0, ox = ox0;
            for (q = 0; q < np; q++) {
                i8_gather_row(p, in, n, oy, ox, g, flip, pad, a + (size_t)q * a_stride, kq,
                              a_stride);
                if (++ox == p->out_w) {
                    ox = 0;
                    if (++oy == p->out_h) {
                        oy = 0;
                        n++;
                    }
                }
            }
            for (j = 0; j < bpg; j += tile_nb) {
                int32_t nb = bpg - j < tile_nb ? bpg - j : tile_nb;
                int32_t lane0 = (g * bpg + j) * BNN_I8_OC_BLOCK;
                int32_t c0 = g * og + j * BNN_I8_OC_BLOCK;
                t.nb = nb;
                t.w = p->weights + (size_t)(g * bpg + j) * t.w_block;
                t.bias = bias + lane0;
                t.mult = mult + lane0;
                t.lsh = lsh + lane0;
                t.rsh = rsh + lane0;
                t.nvalid = og - j * BNN_I8_OC_BLOCK < nb * BNN_I8_OC_BLOCK
                               ? og - j * BNN_I8_OC_BLOCK
                               : nb * BNN_I8_OC_BLOCK;
                for (q = 0; q < np; q++)
                    t.out[q] = (char *)out +
                               ((pix + (size_t)q) * (size_t)p->out_pixel_stride + (size_t)c0) *
                                   esize;
                tile(&t);
            }
        }
    }
    return BNN_OK;
}

/* ---------------------------------------------------------- entry points */

BNN_API bnn_status bnn_conv2d_i8_i8(const bnn_conv2d_i8_params *p, const int8_t *in,
                                    int8_t *out, void *scratch)
{
    return BNN_BEST(I8, bnn_conv2d_i8_i8)(p, in, out, scratch);
}

BNN_API bnn_status bnn_conv2d_i8_i32(const bnn_conv2d_i8_params *p, const int8_t *in,
                                     int32_t *out, void *scratch)
{
    return BNN_BEST(I8, bnn_conv2d_i8_i32)(p, in, out, scratch);
}

BNN_API bnn_status bnn_dense_i8_i8(const bnn_dense_i8_params *p, const int8_t *in,
                                   int8_t *out, void *scratch)
{
    return BNN_BEST(I8, bnn_dense_i8_i8)(p, in, out, scratch);
}

BNN_API bnn_status bnn_dense_i8_i32(const bnn_dense_i8_params *p, const int8_t *in,
                                    int32_t *out, void *scratch)
{
    return BNN_BEST(I8, bnn_dense_i8_i32)(p, in, out, scratch);
}

typedef char bnn_float_is_32_bits[sizeof(float) == sizeof(int32_t) ? 1 : -1];

/* The int32 accumulators go into out (int32 and float have the same size
 * and the rows the same stride), then each is read back through memcpy
 * (no aliasing of the two types) and replaced by its float value. */
BNN_API bnn_status bnn_dense_i8_f32(const bnn_dense_i8_f32_params *p, const int8_t *in,
                                    float *out, void *scratch)
{
    bnn_status st;
    int32_t r, o;
    if (!p || !p->out_scale || !out)
        return BNN_ARG_ERROR;
    st = bnn_dense_i8_i32(&p->d, in, (int32_t *)(void *)out, scratch);
    if (st != BNN_OK)
        return st;
    for (r = 0; r < p->d.n; r++) {
        float *row = out + (size_t)r * (size_t)p->d.out_row_stride;
        for (o = 0; o < p->d.out_c; o++) {
            int32_t acc;
            float v;
            memcpy(&acc, &row[o], sizeof acc);
            v = (float)acc * p->out_scale[o];
            if (p->out_bias)
                v = v + p->out_bias[o];
            row[o] = v;
        }
    }
    return BNN_OK;
}
