/*
 * src/store_memory_tx.c - the in-memory backend's transactions and records.
 *
 * A transaction here is a list of marks: where the events and the record
 * journal stood at each begin. Rolling back walks back to the mark,
 * taking events off their streams and restoring records' old values.
 * Appends are made at the end, so undoing them is cutting the tail.
 */
#include <string.h>

#include "store_memory.h"

typedef struct mem_record {
    esk_record_kind kind;
    char *key; /* in the same block, after the struct */
    bool present;
    int64_t at;
    int tag;
    char *value;
} mem_record;

/* A record's state before a change made inside a transaction. */
typedef struct mem_undo {
    mem_record *record;
    bool present;
    int64_t at;
    int tag;
    char *value;
} mem_undo;

static uint64_t record_hash(esk_record_kind kind, const char *key)
{
    return esk__hash_text(key) ^
           ((uint64_t)kind * UINT64_C(0x9E3779B97F4A7C15));
}

typedef struct record_key {
    esk_record_kind kind;
    const char *key;
} record_key;

static bool record_is(const void *ctx, uint64_t value)
{
    const record_key *k = ctx;
    const mem_record *r = (const mem_record *)(uintptr_t)value;
    return r->kind == k->kind && strcmp(r->key, k->key) == 0;
}

static mem_record *find_record(const mem_store *m, esk_record_kind kind,
                               const char *key, uint64_t hash)
{
    record_key k = {kind, key};
    return (mem_record *)(uintptr_t)esk__hash_find(&m->records, hash, record_is,
                                                   &k);
}

static esk_status reserve_journal(mem_store *m)
{
    if (m->journal_count < m->journal_capacity)
        return ESK_OK;
    size_t n = m->journal_capacity == 0 ? 16 : m->journal_capacity * 2;
    mem_undo *grown = esk__realloc(m->journal, n * sizeof(*grown));
    if (grown == NULL)
        return ESK_ENOMEM;
    m->journal = grown;
    m->journal_capacity = n;
    return ESK_OK;
}

esk_status esk__mem_put_record(esk_store *store, void *impl,
                               esk_record_kind kind, const esk_record *record)
{
    (void)store;
    mem_store *m = impl;
    uint64_t hash = record_hash(kind, record->key);
    mem_record *r = find_record(m, kind, record->key, hash);
    mem_record *fresh = NULL;
    char *value = esk__strdup(record->value);

    /* Every allocation first, so that a failure changes nothing. */
    if (value == NULL || (m->depth > 0 && reserve_journal(m) != ESK_OK))
        goto nomem;
    if (r == NULL) {
        /* The key lives in the record's own block: one allocation. */
        size_t key_size = strlen(record->key) + 1;
        fresh = esk__calloc(1, sizeof(*fresh) + key_size);
        if (fresh == NULL || esk__hash_reserve(&m->records, 1) != ESK_OK)
            goto nomem;
        fresh->key = memcpy(fresh + 1, record->key, key_size);
        fresh->kind = kind;
        esk__hash_insert(&m->records, hash, (uint64_t)(uintptr_t)fresh);
        r = fresh;
    }
    if (m->depth > 0) {
        /* The journal takes over the old value. */
        m->journal[m->journal_count++] =
            (mem_undo){r, r->present, r->at, r->tag, r->value};
    } else {
        esk__free(r->value);
    }
    r->present = true;
    r->at = record->at;
    r->tag = record->tag;
    r->value = value;
    return ESK_OK;
nomem:
    esk__free(fresh);
    esk__free(value);
    return esk__fail(ESK_ENOMEM, "out of memory writing record '%s'",
                     record->key);
}

esk_status esk__mem_get_record(esk_store *store, void *impl,
                               esk_record_kind kind, const char *key,
                               esk_record *out, char **owned)
{
    (void)store;
    mem_store *m = impl;
    mem_record *r = find_record(m, kind, key, record_hash(kind, key));
    if (r == NULL || !r->present)
        return ESK_ENOTFOUND;
    /* One block holds both strings: one esk_free releases them. */
    size_t key_len = strlen(r->key) + 1;
    size_t value_len = strlen(r->value) + 1;
    char *block = esk__malloc(key_len + value_len);
    if (block == NULL)
        return esk__fail(ESK_ENOMEM, "out of memory reading record '%s'", key);
    memcpy(block, r->key, key_len);
    memcpy(block + key_len, r->value, value_len);
    *out = (esk_record){block, r->at, r->tag, block + key_len};
    *owned = block;
    return ESK_OK;
}

esk_status esk__mem_begin(esk_store *store, void *impl, int depth)
{
    (void)store;
    mem_store *m = impl;
    m->marks[depth] = (struct mem_mark){m->event_count, m->journal_count};
    m->depth = depth + 1;
    return ESK_OK;
}

esk_status esk__mem_commit(esk_store *store, void *impl, int depth)
{
    (void)store;
    mem_store *m = impl;
    m->depth = depth;
    if (depth == 0) {
        /* Nothing can be undone any more: drop the old values. */
        for (size_t i = 0; i < m->journal_count; i++)
            esk__free(m->journal[i].value);
        m->journal_count = 0;
    }
    return ESK_OK;
}

esk_status esk__mem_rollback(esk_store *store, void *impl, int depth)
{
    (void)store;
    mem_store *m = impl;
    struct mem_mark mark = m->marks[depth];

    while (m->journal_count > mark.journal) {
        mem_undo *u = &m->journal[--m->journal_count];
        esk__free(u->record->value);
        u->record->present = u->present;
        u->record->at = u->at;
        u->record->tag = u->tag;
        u->record->value = u->value;
    }
    /* The newest events first: each is the last of its stream. Their
     * strings stay in the arena, unused, until the store is closed. */
    while (m->event_count > mark.events) {
        esk_event *e = &m->events[m->event_count - 1];
        mem_stream *s =
            esk__mem_find_stream(m, e->stream_id, esk__hash_text(e->stream_id));
        if ((int64_t)s->count == s->closed_at)
            s->closed_at = 0;
        s->count--;
        esk__hash_remove(&m->ids, esk__hash_text(e->event_id),
                         (uint64_t)e->position);
        esk__mem_drop_postings(m, e);
        m->event_count--;
    }
    m->depth = depth;
    return ESK_OK;
}

void esk__mem_records_free(mem_store *m)
{
    for (size_t i = 0; i < m->journal_count; i++)
        esk__free(m->journal[i].value);
    esk__free(m->journal);
    for (size_t i = 0; i < m->records.capacity; i++) {
        mem_record *r = (mem_record *)(uintptr_t)m->records.slots[i].value;
        if (r != NULL) {
            esk__free(r->value);
            esk__free(r);
        }
    }
    esk__hash_free(&m->records);
}
