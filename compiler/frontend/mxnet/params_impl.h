/*
 * params_impl.h - internals shared by the params readers (params.c for the
 * NDArray list, npz.c for .npz/.npy). Not part of the frontend's API.
 *
 * The readers walk the file with util/cursor.h; they build one array list
 * (arrays.c).
 */
#ifndef BNNC_FRONTEND_PARAMS_IMPL_H
#define BNNC_FRONTEND_PARAMS_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "params.h"
#include "../../util/cursor.h"

#define MX_MAX_ARRAYS 10000000u   /* N, K and zip entries */
#define MX_MAX_NAME   65536u      /* bytes in one name */

typedef bc_cursor mx_cursor;

/* The array list being built. */
typedef struct {
    mx_array *a;
    size_t n, cap;
} mx_list;

/* Append a zeroed array to the list and return it. */
mx_array *mx__push(mx_list *l);

/* Set key (n bytes, no NUL inside), name and key_kind of a. */
void mx__set_key(mx_array *a, const char *key, size_t n);

/* Parse a .npz (ZIP) or a single .npy image into l. */
int mx__parse_npz(const uint8_t *buf, size_t len, const char *label,
                  mx_list *l, bnnc_err *err);
int mx__parse_npy_file(const uint8_t *buf, size_t len, const char *label,
                       mx_list *l, bnnc_err *err);

#endif
