/*
 * act_fast_f32_neon.c - bnn_act_fast_f32, bnn_exp_fast_f32 and
 * bnn_softmax_fast_f32 on 4 lanes of AArch64 Advanced SIMD
 * (bnn_*__neon). Compiles to nothing unless BNN_ACT_neon.
 *
 * The functions come from bnn_vmath_impl.h, instantiated on float32x4_t:
 * the same operations as the portable kernel (src/act_fast_f32.c), so the
 * results are bit-identical (AArch64 vector arithmetic is IEEE, with
 * subnormals unless FPCR.FZ is set, which affects the portable code
 * alike). Tails go through a zero-padded vector. The activations that
 * need no transcendental function run the portable code.
 */
#include "bnn_act_fast.h"

#if BNN_ACT_neon

#include <arm_neon.h>
#include <math.h>
#include <string.h>

#define VM_F float32x4_t
#define VM_U uint32x4_t
#define VM_M uint32x4_t
#define VM_FN(name) bnn_vm_##name##_neon
#define vm_f(c) vdupq_n_f32(c)
#define vm_u(c) vdupq_n_u32((uint32_t)(c))
#define vm_add(a, b) vaddq_f32(a, b)
#define vm_sub(a, b) vsubq_f32(a, b)
#define vm_mul(a, b) vmulq_f32(a, b)
#define vm_div(a, b) vdivq_f32(a, b)
#define vm_lt(a, b) vcltq_f32(a, b)
#define vm_gt(a, b) vcgtq_f32(a, b)
#define vm_sel(m, a, b) vbslq_f32(m, a, b)
#define vm_bits(x) vreinterpretq_u32_f32(x)
#define vm_float(u) vreinterpretq_f32_u32(u)
#define vm_uadd(a, b) vaddq_u32(a, b)
#define vm_and(a, b) vandq_u32(a, b)
#define vm_or(a, b) vorrq_u32(a, b)
#define vm_shl23(a) vshlq_n_u32(a, 23)
#include "bnn_vmath_impl.h"

/* out = F(in) over n floats, 4 at a time; the tail through a padded
 * vector. */
#define MAP4(F)                                                                \
    do {                                                                       \
        size_t i_ = 0;                                                         \
        for (; i_ + 4 <= n; i_ += 4)                                           \
            vst1q_f32(out + i_, F(vld1q_f32(in + i_)));                        \
        if (i_ < n) {                                                          \
            float b_[4] = {0.0f, 0.0f, 0.0f, 0.0f};                            \
            memcpy(b_, in + i_, (n - i_) * sizeof(float));                     \
            vst1q_f32(b_, F(vld1q_f32(b_)));                                   \
            memcpy(out + i_, b_, (n - i_) * sizeof(float));                    \
        }                                                                      \
    } while (0)

BNN_ACT_FAST_ENTRIES(neon, MAP4)

/* One row, in the summation order of bnn_fl_fold_sum16: partial sums
 * 4q..4q+3 in a[q]; lanes past the row add +0 (a no-op). */
static void softmax_row_neon(int32_t len, const float *x, float *y)
{
    float m = x[0];
    for (int32_t i = 1; i < len; ++i)
        m = x[i] > m ? x[i] : m;
    const float32x4_t mv = vdupq_n_f32(m);
    float32x4_t a[4];
    for (int q = 0; q < 4; ++q)
        a[q] = vdupq_n_f32(0.0f);
    for (int32_t i = 0; i < len; i += 16) {
        const int32_t nb = len - i < 16 ? len - i : 16;
        for (int q = 0; q < 4; ++q) {
            const int32_t nq = nb - 4 * q;
            if (nq <= 0)
                break;
            if (nq >= 4) {
                float32x4_t e = bnn_vm_exp_neon(vsubq_f32(vld1q_f32(x + i + 4 * q), mv));
                vst1q_f32(y + i + 4 * q, e);
                a[q] = vaddq_f32(a[q], e);
            } else {
                float b[4] = {0.0f, 0.0f, 0.0f, 0.0f};
                memcpy(b, x + i + 4 * q, (size_t)nq * sizeof(float));
                float32x4_t e = bnn_vm_exp_neon(vsubq_f32(vld1q_f32(b), mv));
                vst1q_f32(b, e);
                for (int j = nq; j < 4; ++j)
                    b[j] = 0.0f;
                memcpy(y + i + 4 * q, b, (size_t)nq * sizeof(float));
                a[q] = vaddq_f32(a[q], vld1q_f32(b));
            }
        }
    }
    a[0] = vaddq_f32(a[0], a[2]);
    a[1] = vaddq_f32(a[1], a[3]);
    a[0] = vaddq_f32(a[0], a[1]);
    float32x2_t s2 = vadd_f32(vget_low_f32(a[0]), vget_high_f32(a[0]));
    const float sum = vget_lane_f32(s2, 0) + vget_lane_f32(s2, 1);
    const float32x4_t sv = vdupq_n_f32(sum);
    int32_t i = 0;
    for (; i + 4 <= len; i += 4)
        vst1q_f32(y + i, vdivq_f32(vld1q_f32(y + i), sv));
    for (; i < len; ++i)
        y[i] = y[i] / sum;
}

BNN_API bnn_status bnn_softmax_fast_f32__neon(const bnn_softmax_params *p,
                                              const float *in, float *out)
{
    if (!p || p->rows < 0 || p->len <= 0 || !in || !out)
        return BNN_ARG_ERROR;
    const int32_t rows = p->rows, len = p->len;
    for (int32_t r = 0; r < rows; ++r)
        softmax_row_neon(len, in + (ptrdiff_t)r * len, out + (ptrdiff_t)r * len);
    return BNN_OK;
}

#endif
