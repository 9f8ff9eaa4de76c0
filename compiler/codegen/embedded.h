/*
 * embedded.h - files built into the bnnc binary: the m4 templates of
 * codegen_templates/ and the runtime sources (for --standalone), so that
 * bnnc needs nothing but m4 at run time.
 */
#ifndef BNNC_CODEGEN_EMBEDDED_H
#define BNNC_CODEGEN_EMBEDDED_H

#include <stddef.h>

typedef struct {
    const char *path;          /* relative to the source tree */
    const unsigned char *data; /* NUL-terminated */
    size_t len;
} bnnc_embedded_file;

extern const bnnc_embedded_file bnnc_embedded[];
extern const size_t bnnc_embedded_count;

/* The embedded file with this path, or NULL. */
const bnnc_embedded_file *bnnc_embedded_find(const char *path);

#endif
