/*
 * sha256.h - SHA-256 (FIPS 180-4) for the provenance header of generated
 * files.
 */
#ifndef BNNC_UTIL_SHA256_H
#define BNNC_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    size_t fill;
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
/* Finish and write the digest as 64 lowercase hex characters + NUL. */
void sha256_hex(sha256_ctx *c, char out[65]);
/* Hex digest of a whole file; returns -1 if it cannot be read. */
int sha256_file(const char *path, char out[65]);

#endif
