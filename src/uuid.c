/*
 * src/uuid.c - event ids: time-ordered UUID v7 for the store, random UUID
 * v4 on request.
 *
 * SQLite's generator is a ChaCha20 stream seeded from the operating system,
 * strong enough for ids that must never collide, and already a dependency.
 * It costs a lock and a few hundred instructions per draw, so v7 ids draw
 * from it only to seed a fast generator, once per thread and once after
 * each fork().
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
#include <stdbool.h>
#include <stdint.h>
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

/* How many fork()s this process descends from since esk registered its
 * handler: a thread's v7 state seeded under another count is a copy. */
static atomic_uint fork_generation = 0;

static void after_fork_in_child(void)
{
    atomic_store(&reseed_needed, true);
    atomic_fetch_add(&fork_generation, 1);
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

/* Write 16 bytes as "8-4-4-4-12" lowercase hex text, with a final NUL. */
static void format_uuid(const unsigned char bytes[16], char *out)
{
    /* Where each byte's two digits go. */
    static const unsigned char at[16] = {0,  2,  4,  6,  9,  11, 14, 16,
                                         19, 21, 24, 26, 28, 30, 32, 34};
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
    bytes[6] = (unsigned char)((bytes[6] & 0x0F) | 0x40); /* version 4 */
    bytes[8] = (unsigned char)((bytes[8] & 0x3F) | 0x80); /* RFC 9562 */
    format_uuid(bytes, buf);
    return esk__ok();
}

/*
 * UUID v7 (RFC 9562, section 6.2, method 1): 48 bits of Unix milliseconds,
 * the version, a 42-bit counter (the 12 bits of rand_a and the top 30 of
 * rand_b), the variant, then 32 random bits.
 *
 * The counter restarts at a random value below 2^32 when the millisecond
 * moves forward and counts up by one otherwise, so the ids of one state
 * keep increasing when the clock stands still or steps back; the 2^42 -
 * 2^32 ids of headroom are more than a millisecond can make. A random
 * start and random low bits keep ids of other states (threads, stores,
 * processes) apart.
 */
#define COUNTER_BITS 42
#define COUNTER_MAX ((UINT64_C(1) << COUNTER_BITS) - 1)
#define UNIX_MS_MAX ((INT64_C(1) << 48) - 1)

/* The state of esk_uuid_v7, one per thread, so that ids cost no lock and
 * no atomic write; a store keeps its own (store_internal.h). */
static _Thread_local esk__uuid_v7_state v7;

/* A word's bytes in the other order: the digits above are laid out for a
 * little-endian machine, and a big-endian one reverses them itself. */
static inline uint64_t bswap64(uint64_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return x;
#elif defined(__GNUC__) || defined(__clang__)
    return __builtin_bswap64(x);
#else
    x = (x & UINT64_C(0x00000000FFFFFFFF)) << 32 | x >> 32;
    x = (x & UINT64_C(0x0000FFFF0000FFFF)) << 16 |
        (x >> 16 & UINT64_C(0x0000FFFF0000FFFF));
    return (x & UINT64_C(0x00FF00FF00FF00FF)) << 8 |
           (x >> 8 & UINT64_C(0x00FF00FF00FF00FF));
#endif
}

static uint64_t next_random(esk__uuid_v7_state *st)
{
    uint64_t z = (st->rng += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static void seed(esk__uuid_v7_state *st)
{
    unsigned generation = atomic_load(&fork_generation);
    uint64_t drawn;
    esk__random_bytes(&drawn, sizeof(drawn));
    st->rng = drawn;
    st->generation = generation;
    /* Without the fork handler a fork would go unnoticed: seed again on
     * every call rather than risk a child repeating its parent. */
    st->seeded = atomic_load(&handler_state) == HANDLER_DONE;
    /* A child forked from this state must not follow its parent's counter
     * step for step: move it by a random amount, still upwards. */
    st->counter += 1 + (next_random(st) >> 24);
    if (st->counter > COUNTER_MAX) {
        st->ms++;
        st->counter = next_random(st) >> 32;
    }
}

/* The next id of st at millisecond ms, as its high and low 64 bits. */
static inline void next_v7(esk__uuid_v7_state *st, int64_t ms, uint64_t *hi,
                           uint64_t *lo)
{
    uint64_t r = next_random(st);
    if (ms > st->ms) {
        st->ms = ms;
        st->counter = r >> 32;
    } else if (st->counter < COUNTER_MAX) {
        st->counter++;
    } else if (st->ms < UNIX_MS_MAX) {
        /* The counter is spent: borrow the next millisecond. */
        st->ms++;
        st->counter = r >> 32;
    }
    uint64_t c = st->counter;
    /* unix_ts_ms, version 7, rand_a: the counter's top 12 bits. */
    *hi = (uint64_t)st->ms << 16 | UINT64_C(0x7000) | c >> 30;
    /* The variant (RFC 9562), the counter's other 30 bits, 32 random. */
    *lo = UINT64_C(0x8000000000000000) | (c & 0x3FFFFFFF) << 32 |
          (r & 0xFFFFFFFF);
}

/* The 8 lowercase hex digits of v, most significant first, as the bytes
 * of a word in memory order, computed in registers (no table): each
 * nibble is spread into a byte of its own, then turned into its digit. */
static inline uint64_t hex8(uint32_t v)
{
    uint64_t x = v;
    x = (x | x << 16) & UINT64_C(0x0000FFFF0000FFFF);
    x = (x | x << 8) & UINT64_C(0x00FF00FF00FF00FF);
    x = (x | x << 4) & UINT64_C(0x0F0F0F0F0F0F0F0F);
    /* Byte k holds nibble k, the least significant first: the text
     * wants the most significant first. */
    x = bswap64(x);
    /* 1 in each byte whose nibble is 10 or more: n + 6 carries into
     * the byte's high nibble, and never out of the byte. */
    uint64_t letters = ((x + UINT64_C(0x0606060606060606)) >> 4) &
                       UINT64_C(0x0101010101010101);
    /* '0' + n, and 'a' - '0' - 10 = 39 more for a letter. */
    return x + UINT64_C(0x3030303030303030) + letters * 39;
}

/* format_uuid() for the two halves of an id: no byte array between
 * them, since a v7 id is made for every appended event. */
static inline void format_words(uint64_t hi, uint64_t lo, char *out)
{
    uint64_t d[4] = {hex8((uint32_t)(hi >> 32)), hex8((uint32_t)hi),
                     hex8((uint32_t)(lo >> 32)), hex8((uint32_t)lo)};
    const char *text = (const char *)d;
    memcpy(out, text, 8);
    out[8] = '-';
    memcpy(out + 9, text + 8, 4);
    out[13] = '-';
    memcpy(out + 14, text + 12, 4);
    out[18] = '-';
    memcpy(out + 19, text + 16, 4);
    out[23] = '-';
    memcpy(out + 24, text + 20, 12);
    out[ESK_EVENT_ID_LEN] = '\0';
}

void esk__uuid_v7_generate(esk__uuid_v7_state *st, esk_time now,
                           char (*ids)[ESK_EVENT_ID_LEN + 1], size_t n)
{
    if (!st->seeded ||
        st->generation !=
            atomic_load_explicit(&fork_generation, memory_order_relaxed))
        seed(st);
    /* 48 bits hold no time before 1970 (nor after the year 10889, past
     * ESK_TIME_MAX): such a clock reading is clamped. */
    int64_t ms = now < 0 ? 0 : now / 1000;
    ms = ms > UNIX_MS_MAX ? UNIX_MS_MAX : ms;
    /* A local copy: the texts are written through char pointers, which
     * could alias *st and would make it reloaded at every byte. */
    esk__uuid_v7_state local = *st;
    for (size_t i = 0; i < n; i++) {
        uint64_t hi, lo;
        next_v7(&local, ms, &hi, &lo);
        format_words(hi, lo, ids[i]);
    }
    *st = local;
}

esk_status esk_uuid_v7(char *buf)
{
    if (buf == NULL)
        return esk__fail(ESK_EINVAL, "esk_uuid_v7: buf is NULL");
    esk__uuid_v7_generate(&v7, esk_clock_system(NULL),
                          (char(*)[ESK_EVENT_ID_LEN + 1]) buf, 1);
    return esk__ok();
}
