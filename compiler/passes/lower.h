/*
 * lower.h - lowering of the IR to a program of runtime kernel calls, and
 * the static memory plan of that program.
 */
#ifndef BNNC_PASSES_LOWER_H
#define BNNC_PASSES_LOWER_H

#include <stdio.h>

#include "../ir/lir.h"
#include "passes.h"

/* What lowering needs to know beyond the graph. */
typedef struct {
    int input_u8;            /* the input is uint8, normalised as (x - mean) / std */
    float mean[64], std[64]; /* per channel, or one value */
    int n_mean, n_std;
    int separate_sums;       /* --fma off: single-group float convolutions
                                sum products rounded one by one
                                (BNN_CONV_ORDER_SUM), not fused */
} lower_options;

/* lower: one step per runtime call, NHWC tensors, packed binary tensors,
 * layout changes only at the edges (see lower.c).
 * Requires: fold_thresholds. Establishes: p holds the program; tensors
 * have lifetimes. On error p is freed. */
int pass_lower(ir_graph *g, const lower_options *o, lir_program *p, bnnc_err *err);

/* fuse_residual: a residual add reading the float output of a binary
 * convolution becomes that convolution's output step (see
 * fuse_residual.c). Requires: lower, before fuse_pool and plan. */
int pass_fuse_residual(lir_program *p, bnnc_err *err);

/* fuse_pool: a float convolution read only by a max pooling becomes one
 * bnn_conv2d_maxpool_f32 step (see fuse_pool.c).
 * Requires: lower, before plan. */
int pass_fuse_pool(lir_program *p, bnnc_err *err);

/* plan: place every arena tensor (see plan.c); sets p->arena_bytes and
 * p->lower_bound. */
int pass_plan(lir_program *p, bnnc_err *err);

/* 0 when no two arena buffers that are live at the same step overlap;
 * otherwise -1 with the two tensors named. O(n^2), for tests and debug
 * builds. */
int plan_check_no_overlap(const lir_program *p, bnnc_err *err);

/* Bytes of the arena buffers live at step s (the timeline's right column;
 * its largest value over the steps is the lower bound). */
size_t plan_live_bytes(const lir_program *p, int s);

/* The lower bound pass_plan would report for p as it is (in-place views
 * included), computed on a copy; p is not changed. */
size_t plan_lower_bound(const lir_program *p);

/* What the fusions of fuse_pool saved: one line per fused step (the bytes
 * of the tensors it no longer writes, the scratch it takes instead), then
 * the lower bound without them. Nothing when nothing was fused. */
void plan_print_fusions(const lir_program *p, FILE *out);

/* The plan as a table and an ASCII timeline (inspect --plan). */
void plan_print(const lir_program *p, FILE *out);

#endif
