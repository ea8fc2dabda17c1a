/*
 * src/store_memory_index.c - the memory store's indexes: streams by id,
 * events by id, and the positions of each type and tag, in hash tables
 * (hash_table.h) that hold pointers and positions, never copies of the
 * keys.
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

esk_status esk__mem_grow(void **array, size_t *capacity, size_t need,
                         size_t item_size)
{
    if (need <= *capacity)
        return ESK_OK;
    size_t n = *capacity == 0 ? 16 : *capacity;
    while (n < need)
        n *= 2;
    void *grown = esk__realloc(*array, n * item_size);
    if (grown == NULL)
        return ESK_ENOMEM;
    *array = grown;
    *capacity = n;
    return ESK_OK;
}

static bool postings_are(const void *ctx, uint64_t value)
{
    const mem_postings *p = (const mem_postings *)(uintptr_t)value;
    return strcmp(p->name, ctx) == 0;
}

mem_postings *esk__mem_find_postings(const esk__hash_table *table,
                                     const char *name)
{
    return (mem_postings *)(uintptr_t)esk__hash_find(
        table, esk__hash_text(name), postings_are, name);
}

/* The list of name, made if there is none, with room for `more`. */
static esk_status reserve_postings(mem_store *m, esk__hash_table *table,
                                   const char *name, size_t more)
{
    mem_postings *p = esk__mem_find_postings(table, name);
    if (p == NULL) {
        if (esk__hash_reserve(table, 1) != ESK_OK)
            return ESK_ENOMEM;
        p = esk__calloc(1, sizeof(*p));
        const char *copy = esk__arena_strndup(&m->arena, name, strlen(name));
        if (p == NULL || copy == NULL) {
            esk__free(p);
            return ESK_ENOMEM;
        }
        p->name = copy;
        esk__hash_insert(table, esk__hash_text(name), (uint64_t)(uintptr_t)p);
    }
    return esk__mem_grow((void **)&p->positions, &p->capacity, p->count + more,
                         sizeof(int64_t));
}

esk_status esk__mem_reserve_postings(mem_store *m,
                                     const esk_append_request *request)
{
    /* Room for the whole batch in each list: more than a list needs when
     * only some events have its key, but never too little. */
    size_t n = request->count;
    for (size_t i = 0; i < n; i++) {
        const esk_event *e = &request->events[i];
        /* A batch is mostly of one type: look each run of it up once. */
        bool same_type = i > 0 && (e->type == e[-1].type ||
                                   strcmp(e->type, e[-1].type) == 0);
        if (!same_type && reserve_postings(m, &m->types, e->type, n) != ESK_OK)
            return ESK_ENOMEM;
        for (size_t t = 0; t < e->tag_count; t++)
            if (reserve_postings(m, &m->tags, e->tags[t], n) != ESK_OK)
                return ESK_ENOMEM;
    }
    return ESK_OK;
}

void esk__mem_add_postings(mem_store *m, const esk_event *event,
                           const esk_event *previous)
{
    /* The previous event of the batch is most often of the same type: its
     * list is found without hashing the name again. */
    mem_postings *p = previous != NULL && m->last_postings != NULL &&
                              (event->type == previous->type ||
                               strcmp(event->type, previous->type) == 0)
                          ? m->last_postings
                          : esk__mem_find_postings(&m->types, event->type);
    m->last_postings = p;
    p->positions[p->count++] = event->position;
    for (size_t t = 0; t < event->tag_count; t++) {
        p = esk__mem_find_postings(&m->tags, event->tags[t]);
        p->positions[p->count++] = event->position;
    }
}

void esk__mem_drop_postings(mem_store *m, const esk_event *event)
{
    /* The newest event is the last of each of its lists. */
    esk__mem_find_postings(&m->types, event->type)->count--;
    for (size_t t = 0; t < event->tag_count; t++)
        esk__mem_find_postings(&m->tags, event->tags[t])->count--;
}

void esk__mem_postings_free(esk__hash_table *table)
{
    for (size_t i = 0; i < table->capacity; i++) {
        mem_postings *p = (mem_postings *)(uintptr_t)table->slots[i].value;
        if (p != NULL) {
            esk__free(p->positions);
            esk__free(p);
        }
    }
    esk__hash_free(table);
}
