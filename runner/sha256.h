/*
 * runner/sha256.h - SHA-256 (FIPS 180-4), to recognise a shipped stub by
 * the checksum recorded in exercises/stubs.sha256 without depending on
 * sha256sum (Linux) or shasum (macOS).
 */
#ifndef KATA_SHA256_H
#define KATA_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kit's one SHA-256 (src/sha256.h), which the runner compiles
 * itself: it builds without the library. */
#include "../src/sha256.h"

typedef esk__sha256_ctx kata_sha256;

void kata_sha256_init(kata_sha256 *h);
void kata_sha256_update(kata_sha256 *h, const void *data, size_t len);
/* Writes the digest as 64 lowercase hex digits and a NUL. */
void kata_sha256_hex(kata_sha256 *h, char hex[65]);

/* The checksum of a file's bytes, as sha256sum prints it; false when the
 * file cannot be read (a question: "is this the stub?", not a failure to
 * report). */
bool kata_sha256_file(const char *path, char hex[65]);

#endif
