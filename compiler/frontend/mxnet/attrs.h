/*
 * attrs.h - parsing MXNet attribute strings (mxnet-format.md section 2.3).
 *
 * Values are strings written by Python str() or C++ operator<<:
 *   bool   True False true false 1 0 (any case)
 *   int    decimal with optional sign
 *   float  anything strtod accepts (inf, nan, 1e-05)
 *   shape  (3, 3)  (3,3)  [3, 3]  (3,)  ()  3  None  (8L, 3L)  "(64,2, 3, 3)"
 */
#ifndef BNNC_FRONTEND_ATTRS_H
#define BNNC_FRONTEND_ATTRS_H

#include <stdint.h>

int attr_parse_bool(const char *s, int *out);
int attr_parse_int(const char *s, long long *out);
int attr_parse_double(const char *s, double *out);
/* Parse a tuple of at most max integers into v, count into *n.
 * "None" gives *n = -1. Returns 0, or -1 when malformed or too long. */
int attr_parse_tuple(const char *s, int64_t *v, int max, int *n);

#endif
