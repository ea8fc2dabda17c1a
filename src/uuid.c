/*
 * src/uuid.c - random UUID v4 event ids.
 *
 * SQLite's generator is a ChaCha20 stream seeded from the operating system,
 * strong enough for ids that must never collide, and already a dependency.
 */
#include <string.h>

#include <sqlite3.h>

#include "internal.h"

void esk__random_bytes(void *buf, size_t n)
{
    /* sqlite3_randomness takes an int; callers ask for small amounts. */
    while (n > 0) {
        int chunk = n > 4096 ? 4096 : (int)n;
        sqlite3_randomness(chunk, buf);
        buf = (unsigned char *)buf + chunk;
        n -= (size_t)chunk;
    }
}

/* The two hex digits of every byte value, so that an id is written two
 * characters per lookup: an id is made for every appended event. */
static const char hex_pairs[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

void esk__uuid_v4_format(unsigned char bytes[16], char *out)
{
    /* Where each byte's two digits go in "8-4-4-4-12". */
    static const unsigned char at[16] = {0,  2,  4,  6,  9,  11, 14, 16,
                                         19, 21, 24, 26, 28, 30, 32, 34};
    bytes[6] = (unsigned char)((bytes[6] & 0x0F) | 0x40); /* version 4 */
    bytes[8] = (unsigned char)((bytes[8] & 0x3F) | 0x80); /* RFC 4122 */
    for (int i = 0; i < 16; i++)
        memcpy(out + at[i], hex_pairs + 2 * bytes[i], 2);
    out[8] = out[13] = out[18] = out[23] = '-';
    out[ESK_EVENT_ID_LEN] = '\0';
}

esk_status esk_uuid_v4(char *buf)
{
    unsigned char bytes[16];

    if (buf == NULL)
        return ESK_EINVAL;
    esk__random_bytes(bytes, sizeof(bytes));
    esk__uuid_v4_format(bytes, buf);
    return ESK_OK;
}
