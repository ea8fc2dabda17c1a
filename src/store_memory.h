/*
 * src/store_memory.h - the in-memory backend's state, shared by its files.
 */
#ifndef ESK_STORE_MEMORY_H
#define ESK_STORE_MEMORY_H

#include "esk/store_backend.h"
#include "hash_table.h"
#include "internal.h"

typedef struct mem_stream {
    const char *id; /* in the arena */
    uint64_t hash;
    int64_t *positions; /* positions[v - 1] is the position of version v */
    size_t count;
    size_t capacity;
} mem_stream;

typedef struct mem_store {
    esk__arena_block *arena;
    esk_event *events; /* events[p - 1] has position p */
    size_t event_count;
    size_t event_capacity;
    /* batch_starts[p - 1]: the position of the first event of the append
     * that stored position p, for the replay rule. */
    int64_t *batch_starts;
    size_t batch_start_capacity;

    /* Streams by id: each value is a mem_stream *, owned here. */
    esk__hash_table streams;
    /* Event ids: each value is the position of the event with the id. */
    esk__hash_table ids;
    /* Scratch for an append: the hash of each id of the batch, computed
     * once for the duplicate check and used again to place the id. */
    uint64_t *batch_hashes;
    size_t batch_hash_capacity;

    /* Records by kind and key: each value is a struct mem_record *, owned
     * here, never removed, only marked absent, so that a rollback can
     * restore it in place. */
    esk__hash_table records;

    /* Transactions: where the events and the record journal stood at each
     * begin, and the old values of records changed since the outermost
     * begin. */
    int depth;
    struct mem_mark {
        size_t events;
        size_t journal;
    } marks[32];
    struct mem_undo *journal;
    size_t journal_count;
    size_t journal_capacity;
} mem_store;

/* --- store_memory_index.c: the stream and event-id tables --------------- */

/* The stream with this id (hash: esk__hash_text(id)), or NULL. */
mem_stream *esk__mem_find_stream(const mem_store *m, const char *id,
                                 uint64_t hash);
/* The position of the event with this id (hash: esk__hash_text(id)), or
 * 0. */
int64_t esk__mem_find_id(const mem_store *m, const char *id, uint64_t hash);

/* --- store_memory_tx.c: transactions and records -------------------------- */

esk_status esk__mem_begin(esk_store *store, void *impl, int depth);
esk_status esk__mem_commit(esk_store *store, void *impl, int depth);
esk_status esk__mem_rollback(esk_store *store, void *impl, int depth);
esk_status esk__mem_put_record(esk_store *store, void *impl,
                               esk_record_kind kind, const esk_record *record);
esk_status esk__mem_get_record(esk_store *store, void *impl,
                               esk_record_kind kind, const char *key,
                               esk_record *out, char **owned);
void esk__mem_records_free(mem_store *m);

#endif
