/*
 * src/status.c - status names, and UTF-8 checks shared by the modules.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

const char *esk_status_str(esk_status status)
{
    switch (status) {
    case ESK_OK:
        return "ok";
    case ESK_EINVAL:
        return "invalid argument";
    case ESK_ENOMEM:
        return "out of memory";
    case ESK_ECONCURRENCY:
        return "stream is not at the expected version";
    case ESK_ENOTFOUND:
        return "not found";
    case ESK_EDUPLICATE:
        return "event id already stored";
    case ESK_EIO:
        return "storage error";
    case ESK_EBUSY:
        return "database is locked by another process";
    case ESK_ECORRUPT:
        return "database is damaged or not a database";
    case ESK_ESCHEMA:
        return "database has an unknown schema";
    case ESK_EREADONLY:
        return "database is read-only";
    case ESK_EDECODE:
        return "event could not be decoded";
    case ESK_EEXISTS:
        return "already registered";
    case ESK_ENOHANDLER:
        return "no handler for this command";
    case ESK_EDOMAIN:
        return "the domain refused the command";
    case ESK_ECALLBACK:
        return "a callback failed";
    case ESK_ENOTIMPL:
        return "not implemented yet";
    case ESK_ECLOSED:
        return "stream is closed";
    }
    return "unknown status";
}

bool esk__utf8_valid(const char *text, size_t max_len)
{
    return esk__utf8_valid_len(text, strlen(text), max_len);
}

bool esk__utf8_valid_len(const char *text, size_t total, size_t max_len)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t len = 0;

    if (total == 0 || total > max_len)
        return false;
    /* Names and ids are nearly always ASCII: the store checks an event's
     * type on every append, so skip 8 ASCII bytes at a time, and decode
     * byte by byte only from the first byte with its high bit set. */
    uint64_t word;
    for (; total - len >= 8; len += 8) {
        memcpy(&word, p + len, 8);
        if (word & UINT64_C(0x8080808080808080))
            break;
    }
    /* Fewer than 8 bytes left, all before them ASCII: one more word,
     * overlapping the ones checked, covers them. */
    if (total - len < 8 && len > 0 && len < total) {
        memcpy(&word, p + total - 8, 8);
        if (!(word & UINT64_C(0x8080808080808080)))
            return true;
    }
    while (p[len] != 0) {
        unsigned char c = p[len];
        size_t extra;
        uint32_t cp;

        if (c < 0x80) {
            len++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            cp = c & 0x07u;
        } else {
            return false;
        }
        for (size_t i = 1; i <= extra; i++) {
            if ((p[len + i] & 0xC0) != 0x80)
                return false; /* also stops at the NUL */
            cp = (cp << 6) | (p[len + i] & 0x3Fu);
        }
        /* Reject overlong forms, UTF-16 surrogates and beyond U+10FFFF. */
        if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return false;
        len += extra + 1;
        if (len > max_len)
            return false;
    }
    return len >= 1 && len <= max_len;
}
