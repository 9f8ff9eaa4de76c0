/*
 * params.h - reader for MXNet weight files.
 *
 * Accepts every container MXNet has written (reference: mxnet-format.md
 * section 1): the NDArray list (magic 0x112) with legacy, V1, V2 and V3
 * records, sparse records (row_sparse and csr, densified), MXNet 2.0 .npz
 * archives and single .npy files. Git LFS pointer files are recognised and
 * rejected with a clear message. Every length is bounds-checked with
 * overflow-safe arithmetic before it is used.
 *
 * Array payloads are kept as the exact bytes of the file (little-endian),
 * so bit-packed BMXNet weights stored as float32/float64 arrays are never
 * converted through float. Conversions to float happen only on request.
 */
#ifndef BNNC_FRONTEND_PARAMS_H
#define BNNC_FRONTEND_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "../../util/err.h"

#define MX_MAX_NDIM 32

/* mshadow dtype flags as stored in records. */
typedef enum {
    MX_F32 = 0, MX_F64 = 1, MX_F16 = 2, MX_U8 = 3, MX_I32 = 4, MX_I8 = 5,
    MX_I64 = 6, MX_BOOL = 7, MX_I16 = 8, MX_U16 = 9, MX_U32 = 10,
    MX_U64 = 11, MX_BF16 = 12
} mx_dtype;

typedef enum {
    MX_REC_LEGACY, MX_REC_V1, MX_REC_V2, MX_REC_V3, MX_REC_NPY
} mx_record_kind;

typedef enum {
    MX_KEY_BARE, /* no prefix (save_parameters, npz, unnamed lists) */
    MX_KEY_ARG,  /* "arg:" */
    MX_KEY_AUX   /* "aux:" */
} mx_key_kind;

typedef struct {
    char *key;              /* name as stored; "" when the file has no names */
    const char *name;       /* key without an "arg:"/"aux:" prefix */
    mx_key_kind key_kind;
    mx_record_kind record;
    int is_none;            /* uninitialised array (record ends after shape);
                               then ndim 0, count 0, dtype -1, data NULL */
    int sparse;             /* 0 dense, 1 row_sparse, 2 csr (densified;
                               dense forms over 256 MiB are refused) */
    int dtype;              /* mx_dtype */
    int ndim;               /* 0 = scalar (V3 / npy only) */
    int64_t shape[MX_MAX_NDIM];
    size_t count;           /* elements (product of shape; 1 for a scalar) */
    size_t nbytes;          /* count * mx_dtype_size(dtype) */
    uint8_t *data;          /* dense payload, exact file bytes (owned);
                               NULL when nbytes is 0 */
    size_t file_offset;     /* byte offset of the record in the file */
} mx_array;

typedef struct {
    char *path;
    mx_array *arrays;
    size_t count;
} mx_params;

/* Size in bytes of one element of dtype flag, or 0 for an unknown flag. */
size_t mx_dtype_size(int dtype);
/* "float32", "float16", ... or "unknown". */
const char *mx_dtype_name(int dtype);

/* Load a file. On error returns -1 with a message naming the file and the
 * byte offset (and the array name when known). */
int mx_params_load(const char *path, mx_params *out, bnnc_err *err);

/* Parse an in-memory image; label is used in messages. The buffer is not
 * retained. Duplicate keys keep the first array (with a warning). On error
 * *out is left empty. Not thread-safe (duplicate detection sorts through a
 * file-scope pointer). */
int mx_params_parse(const uint8_t *buf, size_t len, const char *label,
                    mx_params *out, bnnc_err *err);

void mx_params_free(mx_params *p);

/* Find an array by its name without prefix (then by exact key); NULL if
 * absent. When both "arg:x" and "aux:x" exist, the first one stored wins. */
const mx_array *mx_params_find(const mx_params *p, const char *name);

/* Element i converted to double (any dtype; f16/bf16 exact). */
double mx_array_get(const mx_array *a, size_t i);

/* Convert all elements to float32 (f64 rounded, f16/bf16 exact, integers
 * converted). dst holds a->count floats. */
void mx_array_to_f32(const mx_array *a, float *dst);

#endif
