/*
 * src/store_memory_index.c - the memory store's indexes: streams by id and
 * events by id, both in hash tables (hash_table.h) that hold pointers and
 * positions, never copies of the ids.
 */
#include <string.h>

#include "store_memory.h"

typedef struct id_key {
    const mem_store *m;
    const char *id;
} id_key;

static bool stream_is(const void *ctx, uint64_t value)
{
    const mem_stream *s = (const mem_stream *)(uintptr_t)value;
    return strcmp(s->id, ctx) == 0;
}

mem_stream *esk__mem_find_stream(const mem_store *m, const char *id,
                                 uint64_t hash)
{
    return (mem_stream *)(uintptr_t)esk__hash_find(&m->streams, hash, stream_is,
                                                   id);
}

static bool event_id_is(const void *ctx, uint64_t value)
{
    const id_key *key = ctx;
    return strcmp(key->m->events[value - 1].event_id, key->id) == 0;
}

int64_t esk__mem_find_id(const mem_store *m, const char *id, uint64_t hash)
{
    id_key key = {m, id};
    return (int64_t)esk__hash_find(&m->ids, hash, event_id_is, &key);
}
