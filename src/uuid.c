/*
 * src/uuid.c - random UUID v4 event ids.
 *
 * SQLite's generator is a ChaCha20 stream seeded from the operating system,
 * strong enough for ids that must never collide, and already a dependency.
 */
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

esk_status esk_uuid_v4(char *buf)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char bytes[16];

    if (buf == NULL)
        return ESK_EINVAL;
    esk__random_bytes(bytes, sizeof(bytes));
    bytes[6] = (unsigned char)((bytes[6] & 0x0F) | 0x40); /* version 4 */
    bytes[8] = (unsigned char)((bytes[8] & 0x3F) | 0x80); /* RFC 4122 */

    char *p = buf;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[bytes[i] >> 4];
        *p++ = hex[bytes[i] & 0x0F];
    }
    *p = '\0';
    return ESK_OK;
}
