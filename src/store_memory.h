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
    /* The version whose append closed the stream, or 0 while it is open: a
     * rollback that takes that version away reopens the stream. */
    int64_t closed_at;
} mem_stream;

/* The positions of the events with one type, or carrying one tag, in
 * increasing order: a query reads these instead of every event. */
typedef struct mem_postings {
    const char *name; /* in the arena */
    int64_t *positions;
    size_t count;
    size_t capacity;
} mem_postings;

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
    /* Types and tags: each value is a mem_postings *, owned here. A list
     * made for an append that is rolled back stays, empty. */
    esk__hash_table types;
    esk__hash_table tags;
    /* Scratch for an append: the hash of each id of the batch, computed
     * once for the duplicate check and used again to place the id. */
    uint64_t *batch_hashes;
    size_t batch_hash_capacity;
    /* The type list esk__mem_add_postings() added to last, for the next
     * event of the same batch. */
    mem_postings *last_postings;

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

/* --- store_memory_index.c: the stream, event-id, type and tag tables ---- */

/* Grow an array of item_size items to hold need: ESK_ENOMEM (no message)
 * leaves it as it was. */
esk_status esk__mem_grow(void **array, size_t *capacity, size_t need,
                         size_t item_size);
/* The postings of a type or tag, or NULL. */
mem_postings *esk__mem_find_postings(const esk__hash_table *table,
                                     const char *name);
/* Make every type and tag of the batch a list with room for the whole
 * batch, so that esk__mem_add_postings() cannot fail: ESK_ENOMEM (no
 * message). */
esk_status esk__mem_reserve_postings(mem_store *m,
                                     const esk_append_request *request);
/* Add a stored event (its position set) to its type's and tags' lists.
 * previous: the event added just before, of the same batch, or NULL. */
void esk__mem_add_postings(mem_store *m, const esk_event *event,
                           const esk_event *previous);
/* Take the newest stored event off its lists, for a rollback. */
void esk__mem_drop_postings(mem_store *m, const esk_event *event);
void esk__mem_postings_free(esk__hash_table *table);

/* The stream with this id (hash: esk__hash_text(id)), or NULL. */
mem_stream *esk__mem_find_stream(const mem_store *m, const char *id,
                                 uint64_t hash);
/* The position of the event with this id (hash: esk__hash_text(id)), or
 * 0. */
int64_t esk__mem_find_id(const mem_store *m, const char *id, uint64_t hash);

/* --- store_memory_query.c: reads by query ------------------------------ */

esk_status esk__mem_read_query(esk_store *store, void *impl,
                               const esk_query *query, int64_t after_position,
                               int64_t up_to, size_t max_count,
                               esk_event_list *out);

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
