/*
 * runner/sha256.c - stub checksums as sha256sum prints them, over the one
 * SHA-256 of the kit (src/sha256.c).
 */
#include <stdio.h>

#include "sha256.h"

void kata_sha256_init(kata_sha256 *h)
{
    esk__sha256_init(h);
}

void kata_sha256_update(kata_sha256 *h, const void *data, size_t len)
{
    esk__sha256_update(h, data, len);
}

void kata_sha256_hex(kata_sha256 *h, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char digest[32];
    esk__sha256_final(h, digest);
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 0xf];
    }
    hex[64] = '\0';
}

bool kata_sha256_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    kata_sha256 h;
    kata_sha256_init(&h);
    unsigned char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        kata_sha256_update(&h, chunk, n);
    int failed = ferror(f);
    fclose(f);
    if (failed)
        return false;
    kata_sha256_hex(&h, hex);
    return true;
}
