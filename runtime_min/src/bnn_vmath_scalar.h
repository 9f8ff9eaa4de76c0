/*
 * bnn_vmath_scalar.h - bnn_vmath_impl.h instantiated on one float: the
 * portable C vocabulary ("vectors" of one lane), written once for the
 * runtime's portable kernels (act_fast_f32.c) and for the compiler, which
 * evaluates the same functions to fold them (passes/fold_monotonic.c).
 *
 * Template without include guard, like the file it wraps: the includer
 * defines VM_FN(name), the names of the generated functions, and includes
 * this file once; everything is #undef'd again at the end.
 */
#ifndef VM_FN
#error "bnn_vmath_scalar.h: define VM_FN(name) first"
#endif

#include <stdint.h>

#define VM_F float
#define VM_U uint32_t
#define VM_M int
#define vm_f(c) (c)
#define vm_u(c) ((uint32_t)(c))
#define vm_add(a, b) ((a) + (b))
#define vm_sub(a, b) ((a) - (b))
#define vm_mul(a, b) ((a) * (b))
#define vm_div(a, b) ((a) / (b))
#define vm_lt(a, b) ((a) < (b))
#define vm_gt(a, b) ((a) > (b))
#define vm_sel(m, a, b) ((m) ? (a) : (b))
#define vm_bits(x) bnn_vm_f2u(x)
#define vm_float(u) bnn_vm_u2f(u)
#define vm_uadd(a, b) ((uint32_t)((a) + (b)))
#define vm_and(a, b) ((a) & (b))
#define vm_or(a, b) ((a) | (b))
#define vm_shl23(a) ((uint32_t)((a) << 23))
#include "bnn_vmath_impl.h"
