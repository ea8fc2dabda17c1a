/*
 * src/uuid.c - random UUID v4 event ids.
 *
 * SQLite's generator is a ChaCha20 stream seeded from the operating system,
 * strong enough for ids that must never collide, and already a dependency.
 *
 * Its state lives in the process's memory, so fork() hands the child a
 * copy: parent and children would then draw the same bytes, and so the same
 * ids, until SQLite reseeds (it does when it opens a file). esk reseeds it
 * itself, once in each process: a fork handler marks the child as needing
 * it, which costs a load per call instead of a getpid() system call.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include <sqlite3.h>

#include "internal.h"

/* Whether this process must reseed before its next draw. True at start:
 * a process forked before esk registered its handler, from a parent whose
 * generator someone else had seeded, must not trust the copy either. */
static atomic_bool reseed_needed = true;

/* The fork handler: not yet asked for, being registered, registered (or
 * failed to register, when every draw reseeds: slow, never repeating). */
enum { HANDLER_NONE, HANDLER_REGISTERING, HANDLER_DONE, HANDLER_FAILED };
static atomic_int handler_state = HANDLER_NONE;

static void after_fork_in_child(void)
{
    atomic_store(&reseed_needed, true);
}

static void reseed(void)
{
    int none = HANDLER_NONE;
    if (atomic_compare_exchange_strong(&handler_state, &none,
                                       HANDLER_REGISTERING))
        atomic_store(&handler_state,
                     pthread_atfork(NULL, NULL, after_fork_in_child) == 0
                         ? HANDLER_DONE
                         : HANDLER_FAILED);
    /* Until the handler is in place a fork would go unnoticed, so the
     * flag stays set and the next draw reseeds again. Clearing it before
     * reseeding means a fork in between leaves the child's flag set. */
    if (atomic_load(&handler_state) == HANDLER_DONE)
        atomic_store(&reseed_needed, false);
    sqlite3_randomness(0, NULL); /* the next draw seeds from the system */
}

void esk__random_bytes(void *buf, size_t n)
{
    if (atomic_load_explicit(&reseed_needed, memory_order_relaxed))
        reseed();
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
        return esk__fail(ESK_EINVAL, "esk_uuid_v4: buf is NULL");
    esk__random_bytes(bytes, sizeof(bytes));
    esk__uuid_v4_format(bytes, buf);
    return esk__ok();
}
