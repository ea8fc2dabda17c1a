/*
 * src/sha256.h - SHA-256 (FIPS 180-4), written once for two users: the
 * library, for ids derived from text of any length (a process manager's
 * command and correlation ids), and the kata runner, for the checksums of
 * the shipped stubs. The runner compiles src/sha256.c itself, as it
 * builds without the library; so this file includes nothing of esk's.
 */
#ifndef ESK_SHA256_H
#define ESK_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* A hash being computed: init, update any number of times, final. */
typedef struct esk__sha256 {
    uint32_t state[8];
    uint64_t length; /* bytes hashed so far */
    unsigned char block[64];
    size_t used; /* bytes waiting in block */
} esk__sha256_ctx;

void esk__sha256_init(esk__sha256_ctx *h);
void esk__sha256_update(esk__sha256_ctx *h, const void *data, size_t len);
/* The 32 bytes of the digest; h is spent. */
void esk__sha256_final(esk__sha256_ctx *h, unsigned char digest[32]);

/* The digest of size bytes, in one call. */
void esk__sha256(const void *data, size_t size, unsigned char digest[32]);

#endif
