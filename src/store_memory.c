/*
 * src/store_memory.c - the in-memory backend.
 *
 * Built for speed: strings go into a chunked arena that never moves, so
 * reads hand out pointers into the store instead of copies; streams and
 * event ids are found through open-addressing hash tables. An append first
 * makes sure every allocation it needs has succeeded, then writes, so a
 * failure leaves the store as it was.
 */
#include <string.h>

#include "esk/store_backend.h"
#include "internal.h"

#include "store_memory.h"

/*
 * Hash a key 8 bytes at a time, then mix every bit into the low ones that
 * index the power-of-two tables. Byte at a time (FNV-1a, as before) cost
 * one dependent multiply per byte: some 50 ns for a 36-byte event id, on
 * every append of every event. The tables live in memory only, so the
 * function may change freely; words are read with memcpy (no alignment
 * needed), in the machine's byte order.
 */
uint64_t esk__mem_hash(const char *text)
{
    const uint64_t k = UINT64_C(0xff51afd7ed558ccd);
    size_t len = strlen(text);
    const unsigned char *p = (const unsigned char *)text;
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)len;
    uint64_t word;
    for (; len >= 8; p += 8, len -= 8) {
        memcpy(&word, p, 8);
        h = (h ^ word) * k;
        h ^= h >> 32;
    }
    /* The last 0 to 7 bytes, by hand: a memcpy of a variable size would be
     * a library call. */
    word = 0;
    for (size_t i = 0; i < len; i++)
        word |= (uint64_t)p[i] << (8 * i);
    h = (h ^ word) * k;
    /* The finaliser of MurmurHash3's 64-bit variant. */
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

mem_stream *esk__mem_find_stream(const mem_store *m, const char *id,
                                 uint64_t hash)
{
    if (m->stream_slots == 0)
        return NULL;
    size_t mask = m->stream_slots - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        mem_stream *s = m->streams[i];
        if (s == NULL)
            return NULL;
        if (s->hash == hash && strcmp(s->id, id) == 0)
            return s;
    }
}

static void place_stream(mem_stream **slots, size_t n, mem_stream *s)
{
    size_t mask = n - 1;
    size_t i = (size_t)s->hash & mask;
    while (slots[i] != NULL)
        i = (i + 1) & mask;
    slots[i] = s;
}

/* Keep the stream table at most half full. */
static esk_status reserve_stream_slot(mem_store *m)
{
    if ((m->stream_count + 1) * 2 <= m->stream_slots)
        return ESK_OK;
    size_t n = m->stream_slots == 0 ? 64 : m->stream_slots * 2;
    mem_stream **slots = esk__calloc(n, sizeof(*slots));
    if (slots == NULL)
        return ESK_ENOMEM;
    for (size_t i = 0; i < m->stream_slots; i++)
        if (m->streams[i] != NULL)
            place_stream(slots, n, m->streams[i]);
    esk__free(m->streams);
    m->streams = slots;
    m->stream_slots = n;
    return ESK_OK;
}

/* The position of the event with this id, or 0. */
static int64_t find_id(const mem_store *m, const char *id, uint64_t hash)
{
    if (m->id_slots == 0)
        return 0;
    size_t mask = m->id_slots - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        const mem_id_slot *slot = &m->ids[i];
        if (slot->position == 0)
            return 0;
        if (slot->hash == hash &&
            strcmp(m->events[slot->position - 1].event_id, id) == 0)
            return slot->position;
    }
}

static void place_id(mem_id_slot *slots, size_t n, uint64_t hash, int64_t pos)
{
    size_t mask = n - 1;
    size_t i = (size_t)hash & mask;
    while (slots[i].position != 0)
        i = (i + 1) & mask;
    slots[i] = (mem_id_slot){hash, pos};
}

void esk__mem_forget_id(mem_store *m, int64_t position)
{
    size_t mask = m->id_slots - 1;
    size_t i = (size_t)esk__mem_hash(m->events[position - 1].event_id) & mask;
    while (m->ids[i].position != position)
        i = (i + 1) & mask;
    /* Backward-shift deletion: pull later entries of the same probe run
     * into the hole, so that lookups never stop early at it. */
    for (size_t j = (i + 1) & mask; m->ids[j].position != 0;
         j = (j + 1) & mask) {
        size_t home = (size_t)m->ids[j].hash & mask;
        bool movable =
            i <= j ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            m->ids[i] = m->ids[j];
            i = j;
        }
    }
    m->ids[i] = (mem_id_slot){0, 0};
}

static esk_status reserve_ids(mem_store *m, size_t more)
{
    if ((m->event_count + more) * 2 <= m->id_slots)
        return ESK_OK;
    size_t n = m->id_slots == 0 ? 1024 : m->id_slots;
    while ((m->event_count + more) * 2 > n)
        n *= 2;
    mem_id_slot *slots = esk__calloc(n, sizeof(*slots));
    if (slots == NULL)
        return ESK_ENOMEM;
    /* The kept hashes move the ids without reading a single one. */
    for (size_t i = 0; i < m->id_slots; i++)
        if (m->ids[i].position != 0)
            place_id(slots, n, m->ids[i].hash, m->ids[i].position);
    esk__free(m->ids);
    m->ids = slots;
    m->id_slots = n;
    return ESK_OK;
}

static esk_status grow(void **array, size_t *capacity, size_t need,
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

/* A walk over the stored events for esk_store_check_replay(), from a
 * position (0: the first id is not stored, so there is nothing). */
typedef struct mem_walk {
    const mem_store *m;
    int64_t next;
} mem_walk;

static esk_status mem_walk_next(void *ctx, esk_stored_event *out)
{
    mem_walk *walk = ctx;
    if (walk->next == 0 || walk->next > (int64_t)walk->m->event_count)
        return ESK_ENOTFOUND;
    out->event = walk->m->events[walk->next - 1];
    out->batch_start = walk->m->batch_starts[walk->next - 1];
    walk->next++;
    return ESK_OK;
}

static esk_status mem_append(esk_store *store, void *impl,
                             esk_append_request *req)
{
    mem_store *m = impl;
    uint64_t stream_hash = esk__mem_hash(req->stream_id);
    mem_stream *stream = esk__mem_find_stream(m, req->stream_id, stream_hash);
    int64_t version = stream ? (int64_t)stream->count : 0;
    esk_status rc;

    if (req->ids_supplied) {
        mem_walk walk = {m, find_id(m, req->events[0].event_id,
                                    esk__mem_hash(req->events[0].event_id))};
        if (walk.next != 0)
            return esk_store_check_replay(store, req, mem_walk_next, &walk);
    }
    if ((rc = esk_store_check_expected(store, req->stream_id, req->expected,
                                       version)) != ESK_OK)
        return rc;
    if (grow((void **)&m->batch_hashes, &m->batch_hash_capacity, req->count,
             sizeof(uint64_t)) != ESK_OK)
        goto nomem;
    /* Hash the whole batch first: the look-ups below are then short and
     * independent, and the processor overlaps their cache misses (random
     * ids land in random slots) instead of waiting for one at a time. */
    for (size_t i = 0; i < req->count; i++)
        m->batch_hashes[i] = esk__mem_hash(req->events[i].event_id);
    for (size_t i = 0; i < req->count; i++) {
        const char *id = req->events[i].event_id;
        int64_t pos = find_id(m, id, m->batch_hashes[i]);
        if (pos != 0)
            return esk__store_reused_id(store, id, m->events[pos - 1].stream_id,
                                        m->events[pos - 1].version,
                                        req->events[0].event_id);
    }

    /* Every allocation first: after this block nothing can fail. */
    size_t n = req->count;
    if (grow((void **)&m->events, &m->event_capacity, m->event_count + n,
             sizeof(esk_event)) != ESK_OK ||
        grow((void **)&m->batch_starts, &m->batch_start_capacity,
             m->event_count + n, sizeof(int64_t)) != ESK_OK ||
        reserve_ids(m, n) != ESK_OK || reserve_stream_slot(m) != ESK_OK)
        goto nomem;
    mem_stream *fresh = NULL;
    if (stream == NULL) {
        fresh = esk__calloc(1, sizeof(*fresh));
        const char *id = esk__arena_strndup(&m->arena, req->stream_id,
                                            strlen(req->stream_id));
        if (fresh == NULL || id == NULL) {
            esk__free(fresh);
            goto nomem;
        }
        fresh->id = id;
        fresh->hash = stream_hash;
    }
    mem_stream *target = stream ? stream : fresh;
    if (grow((void **)&target->positions, &target->capacity, target->count + n,
             sizeof(int64_t)) != ESK_OK) {
        if (fresh != NULL) {
            esk__free(fresh->positions);
            esk__free(fresh);
        }
        goto nomem;
    }
    esk_event *stored = &m->events[m->event_count];
    for (size_t i = 0; i < n; i++) {
        const esk_event *e = &req->events[i];
        /* The event's four strings go into one piece of the arena: one
         * reservation instead of four. */
        size_t id_len = strlen(e->event_id) + 1;
        size_t type_len = strlen(e->type) + 1;
        size_t data_len = strlen(e->data) + 1;
        size_t metadata_len = strlen(e->metadata) + 1;
        char *text = esk__arena_alloc(&m->arena, id_len + type_len + data_len +
                                                     metadata_len);
        if (text == NULL) {
            if (fresh != NULL) {
                esk__free(fresh->positions);
                esk__free(fresh);
            }
            goto nomem; /* the arena keeps some unused bytes, no more */
        }
        stored[i] = *e;
        stored[i].stream_id = target->id;
        stored[i].event_id = memcpy(text, e->event_id, id_len);
        text += id_len;
        stored[i].type = memcpy(text, e->type, type_len);
        text += type_len;
        stored[i].data = memcpy(text, e->data, data_len);
        text += data_len;
        stored[i].metadata = memcpy(text, e->metadata, metadata_len);
    }

    /* Commit. */
    if (fresh != NULL) {
        place_stream(m->streams, m->stream_slots, fresh);
        m->stream_count++;
    }
    int64_t batch_start = (int64_t)m->event_count + 1;
    for (size_t i = 0; i < n; i++) {
        int64_t pos = (int64_t)m->event_count + 1;
        m->batch_starts[pos - 1] = batch_start;
        stored[i].version = (int64_t)target->count + 1;
        stored[i].position = pos;
        target->positions[target->count++] = pos;
        m->event_count++;
        place_id(m->ids, m->id_slots, m->batch_hashes[i], pos);
        req->events[i].version = stored[i].version;
        req->events[i].position = pos;
    }
    req->result.version = (int64_t)target->count;
    req->result.position = (int64_t)m->event_count;
    return ESK_OK;
nomem:
    return esk__fail(ESK_ENOMEM, "out of memory appending to stream '%s'",
                     req->stream_id);
}

static esk_status mem_read_stream(esk_store *store, void *impl,
                                  const char *stream_id, int64_t from_version,
                                  size_t max_count, bool backward,
                                  esk_event_list *out)
{
    (void)store;
    mem_store *m = impl;
    mem_stream *s =
        esk__mem_find_stream(m, stream_id, esk__mem_hash(stream_id));
    if (s == NULL)
        return ESK_OK;
    int64_t count = (int64_t)s->count;
    int64_t first, last, step;
    if (backward) {
        first = from_version == ESK_END || from_version > count ? count
                                                                : from_version;
        last = 1;
        step = -1;
    } else {
        first = from_version;
        last = count;
        step = 1;
    }
    size_t wanted = 0;
    if ((step > 0 && first <= last) || (step < 0 && first >= last))
        wanted = (size_t)((last - first) * step + 1);
    if (wanted > max_count)
        wanted = max_count;
    if (esk__event_list_reserve(out, wanted) != ESK_OK)
        return esk__fail(ESK_ENOMEM, "out of memory reading stream '%s'",
                         stream_id);
    for (size_t i = 0; i < wanted; i++) {
        int64_t v = first + step * (int64_t)i;
        out->events[out->count++] = m->events[s->positions[v - 1] - 1];
    }
    return ESK_OK;
}

static esk_status mem_read_all(esk_store *store, void *impl,
                               int64_t after_position, size_t max_count,
                               const esk_filter *filter, esk_event_list *out)
{
    (void)store;
    mem_store *m = impl;
    bool filtered = filter->category != NULL || filter->type_count > 0;
    for (size_t i = (size_t)after_position;
         i < m->event_count && out->count < max_count; i++) {
        const esk_event *e = &m->events[i];
        if (filtered &&
            (!esk_stream_in_category(e->stream_id, filter->category) ||
             !esk_filter_has_type(filter, e->type)))
            continue;
        if (esk__event_list_push_borrowed(out, e) != ESK_OK)
            return esk__fail(ESK_ENOMEM, "out of memory reading all events");
    }
    return ESK_OK;
}

static esk_status mem_stream_version(esk_store *store, void *impl,
                                     const char *stream_id, int64_t *out)
{
    (void)store;
    mem_store *m = impl;
    mem_stream *s =
        esk__mem_find_stream(m, stream_id, esk__mem_hash(stream_id));
    *out = s ? (int64_t)s->count : 0;
    return ESK_OK;
}

static esk_status mem_head_position(esk_store *store, void *impl, int64_t *out)
{
    (void)store;
    *out = (int64_t)((mem_store *)impl)->event_count;
    return ESK_OK;
}

static void mem_close(void *impl)
{
    mem_store *m = impl;
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->stream_slots; i++) {
        if (m->streams[i] != NULL) {
            esk__free(m->streams[i]->positions);
            esk__free(m->streams[i]);
        }
    }
    esk__free(m->streams);
    esk__free(m->ids);
    esk__free(m->batch_hashes);
    esk__free(m->events);
    esk__free(m->batch_starts);
    esk__arena_free(&m->arena);
    esk__mem_records_free(m);
    esk__free(m);
}

static const esk_store_backend memory_backend = {
    .name = "memory",
    .append = mem_append,
    .read_stream = mem_read_stream,
    .read_all = mem_read_all,
    .stream_version = mem_stream_version,
    .head_position = mem_head_position,
    .begin = esk__mem_begin,
    .commit = esk__mem_commit,
    .rollback = esk__mem_rollback,
    .put_record = esk__mem_put_record,
    .get_record = esk__mem_get_record,
    .close = mem_close,
};

esk_status esk_store_open_memory(esk_store **out,
                                 const esk_store_options *options)
{
    if (out == NULL)
        return ESK_EINVAL;
    mem_store *m = esk__calloc(1, sizeof(*m));
    if (m == NULL)
        return ESK_ENOMEM;
    return esk_store_new(out, &memory_backend, m, options);
}
