/*
 * src/hash_table.h - a small open-addressing hash table, for esk's own
 * indexes (the memory store's streams, event ids and records).
 *
 * A slot holds a key's 64-bit hash and a non-zero value (a pointer, a
 * position): the table never sees the keys themselves. A look-up compares
 * hashes first and asks the caller whether a value with an equal hash is
 * the key it wants, so a probe reads the caller's data (a cache miss away)
 * only for a likely match. Linear probing, at most half full, deletion by
 * backward shift: no tombstones, so look-ups never slow down with churn.
 */
#ifndef ESK_HASH_TABLE_H
#define ESK_HASH_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esk/status.h"

typedef struct esk__hash_slot {
    uint64_t hash;
    uint64_t value; /* 0: a free slot */
} esk__hash_slot;

/* Zero-initialise; free with esk__hash_free(). Walk the entries by
 * reading slots[0 .. capacity) whose value is not 0. */
typedef struct esk__hash_table {
    esk__hash_slot *slots;
    size_t count;
    size_t capacity; /* 0 or a power of two */
} esk__hash_table;

/* A hash of NUL-terminated text for these tables. It may change between
 * builds: never store it. */
uint64_t esk__hash_text(const char *text);
/* The same hash of text's first len bytes (no NUL among them), for a
 * caller that knows the length: esk__hash_bytes(t, strlen(t)) ==
 * esk__hash_text(t). */
uint64_t esk__hash_bytes(const char *text, size_t len);

/* Whether value (with the hash being looked up) is the key in ctx. */
typedef bool (*esk__hash_match_fn)(const void *ctx, uint64_t value);

/* The value whose hash is hash and that match accepts, or 0. */
uint64_t esk__hash_find(const esk__hash_table *table, uint64_t hash,
                        esk__hash_match_fn match, const void *ctx);

/* Make room for `more` inserts, so that they cannot fail: ESK_OK, or
 * ESK_ENOMEM (no message) with the table unchanged. */
esk_status esk__hash_reserve(esk__hash_table *table, size_t more);

/* Add an entry; room must have been reserved. value is not 0, and the
 * caller makes sure no equal key is in the table already. */
void esk__hash_insert(esk__hash_table *table, uint64_t hash, uint64_t value);

/* Remove the entry with this hash and value; nothing if there is none. */
void esk__hash_remove(esk__hash_table *table, uint64_t hash, uint64_t value);

void esk__hash_free(esk__hash_table *table);

#endif
