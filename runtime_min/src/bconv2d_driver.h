/*
 * bconv2d_driver.h - everything of a per-ISA bconv2d variant but its
 * register tiles: the checks and the fallback to the portable kernel, the
 * scratch set-up, the walk over the output pixels and the entry points
 * bnn_bconv2d_b_{i32,f32,b}__<isa>. One pixel walk for every SIMD variant.
 *
 * The walk takes the output pixels in raster order and sorts them into two
 * batches:
 *   interior pixels, whose taps all lie in the image: step k of a pixel
 *     reads base[steps[k]] (the step offsets, one per (tap, input word),
 *     are computed once per call), one flat loop over all steps;
 *   border pixels: a table in scratch holds one pointer per (tap, pixel),
 *     out-of-image taps pointing at the pad pixel in scratch (bits 0 for
 *     PLUS_ONE and ZERO, the true channel bits set for MINUS_ONE).
 * A batch goes to the tiles when it holds BCONV2D_TILE_P pixels (they may
 * span rows and images). BNN_PAD_ZERO is computed as PLUS_ONE; the tiles
 * make it exact by subtracting, per padded tap of a border pixel, the
 * precomputed dot of a +1 tap (ctx->corr, bnn_fill_zero_corr): an integer
 * correction, so b_b output is exact too. Calls that are not
 * bnn_bconv2d_word_aligned() (groups whose channel counts are not
 * multiples of 32 in and 16 out) run the portable kernel.
 *
 * A template without include guard, included twice inside the arch
 * file's BNN_HAVE_* block:
 *
 *   #define BCONV2D_ISA avx2      suffix of every name: conv_ctx_avx2, ...,
 *                                 bnn_bconv2d_b_b__avx2
 *   #define BCONV2D_TILE_P 4      output pixels per register tile
 *   #define BCONV2D_BTHR          (optional) ctx->bthr: the b_b thresholds
 *                                 in the popcount domain (bnn_fill_bthr)
 *   #include "bconv2d_driver.h"   conv_ctx_avx2, conv_batch_avx2 and
 *                                 conv_tile_fn_avx2
 *   ... the tiles ...
 *   #define BCONV2D_TILE conv_tile_avx2
 *   #include "bconv2d_driver.h"   the walk, conv_entry_avx2 and the entry
 *                                 points; undefines every BCONV2D_* macro
 *
 * BCONV2D_TILE names an always-inline tile of np pixels (1 to 4) x one
 * block, (c, bt, np, indirect, blk, g); the second #include makes its
 * noinline copies conv_tile_<np>_<indirect> and conv_flush_<isa>, which
 * runs one copy per block. A variant with other tiles leaves BCONV2D_TILE
 * undefined and defines conv_flush_<isa>(c, bt, indirect) itself: every
 * block of every group for the batch's bt->np pixels, then bt->np = 0.
 *
 * A variant may define BCONV2D_FAST(p, in, out, scratch, kind) before
 * the second #include: an expression run on every checked, word-aligned
 * call, nonzero when it computed the whole call itself (special shapes,
 * such as 1x1 convolutions), 0 to let the walk do it.
 *
 * A variant with its own pixel loop (armv7em) defines BCONV2D_ISA and
 * BCONV2D_PIXELS, the name of that loop, (p, in, out, scratch, kind) of a
 * checked, word-aligned call, and includes this file once, after the loop:
 * it gets conv_entry_<isa> (checks, fallback) and the entry points.
 *
 * bnnc --standalone copies this file at every #include, as the
 * preprocessor does, since it has no include guard (codegen/emit.c).
 */
#include "bnn_internal.h"

#if !defined(BCONV2D_ISA) || defined(BCONV2D_TILE_P) == defined(BCONV2D_PIXELS)
#error "bconv2d_driver.h: define BCONV2D_ISA and one of BCONV2D_TILE_P, BCONV2D_PIXELS"
#endif

#define BCONV2D_CAT_(a, b) a##b
#define BCONV2D_CAT(a, b) BCONV2D_CAT_(a, b)
#define BCONV2D_N(name) BCONV2D_CAT(name##_, BCONV2D_ISA) /* name_<isa> */
#define BCONV2D_CTX BCONV2D_N(conv_ctx)
#define BCONV2D_BT BCONV2D_N(conv_batch)

#if defined(BCONV2D_TILE_P) && !defined(BCONV2D_TYPES_DONE)
/* ---------------------------------------------- first #include: types */
#define BCONV2D_TYPES_DONE

/* Everything the tiles of one call share. */
typedef struct {
    const bnn_bconv2d_params *p;
    void *out;
    bnn_out_kind kind;
    int32_t cg, cwg, cwin, kt, nblk, bpg;
    int32_t nk;               /* dot = nk - 2 * sums (f32: + dot_offset) */
    int32_t lo, hi;           /* f32: clamp of the offset dot */
    ptrdiff_t rowoff, coloff; /* words between taps ky/ky+1 and kx/kx+1 */
    size_t wbs;               /* words between two weight blocks */
    const uint32_t *pad;      /* pad pixel (cwin words) */
    const uint32_t **taps;    /* border table [kt][BNN_BCONV2D_BATCH] */
    const int32_t *corr;      /* ZERO: [kt][nblk*16] */
    const ptrdiff_t *steps;   /* input word offset of each (tap, word) */
#if defined(BCONV2D_BTHR)
    const int32_t *bthr;      /* b_b: [2][nblk*16] popcount-domain T, M */
#endif
} BCONV2D_CTX;

/* Output pixels waiting for a tile. base[] is the input at tap (0, 0) of
 * each interior pixel; border pixels keep their taps in ctx->taps. */
typedef struct {
    int np;
    size_t pix[BCONV2D_TILE_P];
    const uint32_t *base[BCONV2D_TILE_P];
} BCONV2D_BT;

/* A tile of a batch: block blk (or blocks from blk) of group g. */
typedef void (*BCONV2D_N(conv_tile_fn))(const BCONV2D_CTX *, const BCONV2D_BT *, int32_t,
                                        int32_t);

#else
/* ------------- second #include: the walk, the entry and entry points */

#if defined(BCONV2D_TILE)
#if BCONV2D_TILE_P != 4
#error "bconv2d_driver.h: BCONV2D_TILE needs BCONV2D_TILE_P 4"
#endif

#define BCONV2D_TILE_FN(NP, IND)                                               \
    BNN_NOINLINE void conv_tile_##NP##_##IND(const BCONV2D_CTX *c, const BCONV2D_BT *bt, \
                                             int32_t blk, int32_t g)          \
    {                                                                          \
        BCONV2D_TILE(c, bt, NP, IND, blk, g);                                  \
    }
BCONV2D_TILE_FN(1, 0)
BCONV2D_TILE_FN(2, 0)
BCONV2D_TILE_FN(3, 0)
BCONV2D_TILE_FN(4, 0)
BCONV2D_TILE_FN(1, 1)
BCONV2D_TILE_FN(2, 1)
BCONV2D_TILE_FN(3, 1)
BCONV2D_TILE_FN(4, 1)

/* Computes every output channel of the batch's pixels and writes them. */
static void BCONV2D_N(conv_flush)(const BCONV2D_CTX *c, BCONV2D_BT *bt, int indirect)
{
    static const BCONV2D_N(conv_tile_fn) tab[2][BCONV2D_TILE_P] = {
        {conv_tile_1_0, conv_tile_2_0, conv_tile_3_0, conv_tile_4_0},
        {conv_tile_1_1, conv_tile_2_1, conv_tile_3_1, conv_tile_4_1}};
    int32_t g, bi;
    if (bt->np == 0)
        return;
    for (g = 0; g < c->p->groups; g++)
        for (bi = 0; bi < c->bpg; bi++)
            tab[indirect][bt->np - 1](c, bt, g * c->bpg + bi, g);
    bt->np = 0;
}
#endif /* BCONV2D_TILE */

#if defined(BCONV2D_TILE_P)
/* Adds the border pixel (n, oy, ox) to its batch: one tap table column. */
static void BCONV2D_N(conv_add_border)(BCONV2D_CTX *c, BCONV2D_BT *border,
                                       const uint32_t *img, int32_t oy, int32_t ox,
                                       size_t pix)
{
    const bnn_bconv2d_params *p = c->p;
    int32_t iy0 = oy * p->stride_h - p->pad_h, ix0 = ox * p->stride_w - p->pad_w;
    int32_t ky, kx;
    for (ky = 0; ky < p->k_h; ky++) {
        int32_t iy = iy0 + ky * p->dil_h;
        for (kx = 0; kx < p->k_w; kx++) {
            int32_t ix = ix0 + kx * p->dil_w;
            const uint32_t *a = c->pad;
            if (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w)
                a = img + ((size_t)iy * (size_t)p->in_w + (size_t)ix) * (size_t)c->cwin;
            c->taps[(ky * p->k_w + kx) * BNN_BCONV2D_BATCH + border->np] = a;
        }
    }
    border->pix[border->np] = pix;
    if (++border->np == BCONV2D_TILE_P)
        BCONV2D_N(conv_flush)(c, border, 1);
}

/* Walks the output pixels of the call's rows in raster order, batching
 * interior and border pixels separately. Interior columns of a row whose taps all lie inside
 * the image form one range [ox_lo, ox_hi), walked with pointer steps. */
static void BCONV2D_N(conv_run)(BCONV2D_CTX *c, const uint32_t *in)
{
    const bnn_bconv2d_params *p = c->p;
    BCONV2D_BT inner, border;
    int32_t n, oy, ox, ox_lo, ox_hi, r, r0, r1;
    size_t img_words = (size_t)p->in_h * (size_t)p->in_w * (size_t)c->cwin;
    size_t xstep = (size_t)p->stride_w * (size_t)c->cwin;
    int32_t span_w = (p->k_w - 1) * p->dil_w;
    inner.np = border.np = 0;
    /* ox is interior iff ox*s - pad >= 0 and ox*s - pad + span_w < in_w */
    ox_lo = (p->pad_w + p->stride_w - 1) / p->stride_w;
    ox_hi = p->in_w - 1 - span_w + p->pad_w < 0
                ? 0
                : (p->in_w - 1 - span_w + p->pad_w) / p->stride_w + 1;
    if (ox_hi > p->out_w)
        ox_hi = p->out_w;
    if (ox_lo > ox_hi)
        ox_lo = ox_hi;
    bnn_bconv2d_rows(p, &r0, &r1);
    for (r = r0; r < r1; r++) { /* row oy of image n */
        const uint32_t *img;
        int32_t iy0;
        size_t pix = (size_t)r * (size_t)p->out_w;
        int row_in;
        n = r / p->out_h;
        oy = r - n * p->out_h;
        img = in + (size_t)n * img_words;
        iy0 = oy * p->stride_h - p->pad_h;
        row_in = iy0 >= 0 && iy0 + (p->k_h - 1) * p->dil_h < p->in_h;
        if (!row_in) {
            for (ox = 0; ox < p->out_w; ox++)
                BCONV2D_N(conv_add_border)(c, &border, img, oy, ox, pix + (size_t)ox);
            continue;
        }
        for (ox = 0; ox < ox_lo; ox++)
            BCONV2D_N(conv_add_border)(c, &border, img, oy, ox, pix + (size_t)ox);
        if (ox_lo < ox_hi) { /* then ox_lo*stride_w - pad_w >= 0 */
            const uint32_t *a =
                img + ((size_t)iy0 * (size_t)p->in_w +
                       (size_t)(ox_lo * p->stride_w - p->pad_w)) * (size_t)c->cwin;
            for (ox = ox_lo; ox < ox_hi; ox++, a += xstep) {
                inner.base[inner.np] = a;
                inner.pix[inner.np] = pix + (size_t)ox;
                if (++inner.np == BCONV2D_TILE_P)
                    BCONV2D_N(conv_flush)(c, &inner, 0);
            }
        }
        for (ox = ox_hi; ox < p->out_w; ox++)
            BCONV2D_N(conv_add_border)(c, &border, img, oy, ox, pix + (size_t)ox);
    }
    BCONV2D_N(conv_flush)(c, &inner, 0);
    BCONV2D_N(conv_flush)(c, &border, 1);
}
#endif /* BCONV2D_TILE_P */

/* Checks, falls back to portable where needed, sets up scratch and runs. */
static bnn_status BCONV2D_N(conv_entry)(const bnn_bconv2d_params *p, const uint32_t *in,
                                        void *out, void *scratch, bnn_out_kind kind)
{
#if defined(BCONV2D_TILE_P)
    BCONV2D_CTX c;
    char *sc = (char *)scratch;
#endif
#if defined(BCONV2D_BTHR)
    /* the thresholds of up to BNN_BCONV2D_BTHR_STACK channels (8 KB) */
    int32_t bthr_stack[2 * BNN_BCONV2D_BTHR_STACK];
#endif
    if (bnn_bconv2d_check(p, in, out, scratch, kind) != BNN_OK)
        return BNN_ARG_ERROR;
    if (!bnn_bconv2d_word_aligned(p)) {
        if (kind == BNN_OUT_I32)
            return bnn_bconv2d_b_i32__portable(p, in, (int32_t *)out, scratch);
        if (kind == BNN_OUT_F32)
            return bnn_bconv2d_b_f32__portable(p, in, (float *)out, scratch);
        return bnn_bconv2d_b_b__portable(p, in, (uint32_t *)out, scratch);
    }
#if defined(BCONV2D_FAST)
    if (BCONV2D_FAST(p, in, out, scratch, kind))
        return BNN_OK;
#endif
#if defined(BCONV2D_PIXELS)
    BCONV2D_PIXELS(p, in, out, scratch, kind);
#else
    c.p = p;
    c.out = out;
    c.kind = kind;
    c.cg = p->in_c / p->groups;
    c.cwg = bnn_words(c.cg);
    c.cwin = bnn_words(p->in_c);
    c.kt = p->k_h * p->k_w;
    c.nblk = (p->out_c + 15) / 16;
    c.bpg = p->groups == 1 ? c.nblk : p->out_c / p->groups / 16;
    c.nk = c.kt * c.cg + bnn_bconv2d_f32_offset(p, kind);
    bnn_bconv2d_f32_clamp(p, kind, &c.lo, &c.hi);
    c.rowoff = (ptrdiff_t)p->dil_h * p->in_w * c.cwin;
    c.coloff = (ptrdiff_t)p->dil_w * c.cwin;
    c.wbs = (size_t)c.kt * (size_t)c.cwg * 16u;
    c.pad = (const uint32_t *)(void *)(sc + bnn_scratch_pad_off(p));
    bnn_fill_pad_pixel(p, (uint32_t *)(void *)(sc + bnn_scratch_pad_off(p)));
    c.taps = (const uint32_t **)(void *)(sc + bnn_scratch_taps_off(p));
    c.corr = NULL;
    if (p->pad_mode == BNN_PAD_ZERO) {
        int32_t *corr = (int32_t *)(void *)(sc + bnn_scratch_corr_off(p));
        bnn_fill_zero_corr(p, corr);
        c.corr = corr;
    }
    {
        ptrdiff_t *steps = (ptrdiff_t *)(void *)(sc + bnn_scratch_steps_off(p));
        int32_t ky, kx, wd, k = 0;
        for (ky = 0; ky < p->k_h; ky++)
            for (kx = 0; kx < p->k_w; kx++)
                for (wd = 0; wd < c.cwg; wd++)
                    steps[k++] = ky * c.rowoff + kx * c.coloff + wd;
        c.steps = steps;
    }
#if defined(BCONV2D_BTHR)
    c.bthr = NULL;
    if (kind == BNN_OUT_B) {
        int32_t *bthr = bnn_bthr_in_scratch(p)
                            ? (int32_t *)(void *)(sc + bnn_scratch_bthr_off(p))
                            : bthr_stack;
        bnn_fill_bthr(p, c.nk, bthr);
        c.bthr = bthr;
    }
#endif
    BCONV2D_N(conv_run)(&c, in);
#endif
    return BNN_OK;
}

BNN_API bnn_status BCONV2D_CAT(bnn_bconv2d_b_i32__, BCONV2D_ISA)(const bnn_bconv2d_params *p,
                                                                  const uint32_t *in,
                                                                  int32_t *out, void *scratch)
{
    return BCONV2D_N(conv_entry)(p, in, out, scratch, BNN_OUT_I32);
}

BNN_API bnn_status BCONV2D_CAT(bnn_bconv2d_b_f32__, BCONV2D_ISA)(const bnn_bconv2d_params *p,
                                                                  const uint32_t *in,
                                                                  float *out, void *scratch)
{
    return BCONV2D_N(conv_entry)(p, in, out, scratch, BNN_OUT_F32);
}

BNN_API bnn_status BCONV2D_CAT(bnn_bconv2d_b_b__, BCONV2D_ISA)(const bnn_bconv2d_params *p,
                                                                const uint32_t *in,
                                                                uint32_t *out, void *scratch)
{
    return BCONV2D_N(conv_entry)(p, in, out, scratch, BNN_OUT_B);
}

#undef BCONV2D_ISA
#undef BCONV2D_TILE_P
#undef BCONV2D_BTHR
#undef BCONV2D_TILE
#undef BCONV2D_PIXELS
#undef BCONV2D_FAST
#undef BCONV2D_TYPES_DONE
#undef BCONV2D_TILE_FN
#endif /* second #include */

#undef BCONV2D_CAT_
#undef BCONV2D_CAT
#undef BCONV2D_N
#undef BCONV2D_CTX
#undef BCONV2D_BT
