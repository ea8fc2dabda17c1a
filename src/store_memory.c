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

/* FNV-1a: short keys, and good enough spread for power-of-two tables. */
uint64_t esk__mem_hash(const char *text)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        h ^= *p;
        h *= UINT64_C(1099511628211);
    }
    return h ^ (h >> 32);
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
        int64_t pos = m->ids[i];
        if (pos == 0)
            return 0;
        if (strcmp(m->events[pos - 1].event_id, id) == 0)
            return pos;
    }
}

static void place_id(int64_t *slots, size_t n, uint64_t hash, int64_t pos)
{
    size_t mask = n - 1;
    size_t i = (size_t)hash & mask;
    while (slots[i] != 0)
        i = (i + 1) & mask;
    slots[i] = pos;
}

void esk__mem_forget_id(mem_store *m, int64_t position)
{
    size_t mask = m->id_slots - 1;
    size_t i = (size_t)esk__mem_hash(m->events[position - 1].event_id) & mask;
    while (m->ids[i] != position)
        i = (i + 1) & mask;
    /* Backward-shift deletion: pull later entries of the same probe run
     * into the hole, so that lookups never stop early at it. */
    for (size_t j = (i + 1) & mask; m->ids[j] != 0; j = (j + 1) & mask) {
        size_t home =
            (size_t)esk__mem_hash(m->events[m->ids[j] - 1].event_id) & mask;
        bool movable =
            i <= j ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            m->ids[i] = m->ids[j];
            i = j;
        }
    }
    m->ids[i] = 0;
}

static esk_status reserve_ids(mem_store *m, size_t more)
{
    if ((m->event_count + more) * 2 <= m->id_slots)
        return ESK_OK;
    size_t n = m->id_slots == 0 ? 1024 : m->id_slots;
    while ((m->event_count + more) * 2 > n)
        n *= 2;
    int64_t *slots = esk__calloc(n, sizeof(*slots));
    if (slots == NULL)
        return ESK_ENOMEM;
    for (size_t i = 0; i < m->id_slots; i++) {
        int64_t pos = m->ids[i];
        if (pos != 0)
            place_id(slots, n, esk__mem_hash(m->events[pos - 1].event_id), pos);
    }
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

/* A batch whose first id is stored: fine if it is this very batch again,
 * whole and in order, where the caller expected it. */
static esk_status check_replay(esk_store *store, mem_store *m,
                               esk_append_request *req, int64_t first_pos)
{
    const esk_event *first = &m->events[first_pos - 1];
    bool same = strcmp(first->stream_id, req->stream_id) == 0;
    if (req->expected >= 0)
        same = same && first->version == req->expected + 1;
    if (req->expected == ESK_NO_STREAM)
        same = same && first->version == 1;
    int64_t last_pos = first_pos;
    for (size_t i = 1; same && i < req->count; i++) {
        const char *id = req->events[i].event_id;
        last_pos = find_id(m, id, esk__mem_hash(id));
        same = last_pos != 0 &&
               strcmp(m->events[last_pos - 1].stream_id, req->stream_id) == 0 &&
               m->events[last_pos - 1].version == first->version + (int64_t)i;
    }
    if (!same)
        return esk_store_set_error(
            store, ESK_EDUPLICATE,
            "event id '%s' is already stored as version %lld of stream '%s', "
            "and this batch is not the one stored there",
            first->event_id, (long long)first->version, first->stream_id);
    req->replayed = true;
    req->result.version = m->events[last_pos - 1].version;
    req->result.position = last_pos;
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
        int64_t pos = find_id(m, req->events[0].event_id,
                              esk__mem_hash(req->events[0].event_id));
        if (pos != 0)
            return check_replay(store, m, req, pos);
    }
    if ((rc = esk_store_check_expected(store, req->stream_id, req->expected,
                                       version)) != ESK_OK)
        return rc;
    for (size_t i = 0; i < req->count; i++) {
        const char *id = req->events[i].event_id;
        int64_t pos = find_id(m, id, esk__mem_hash(id));
        if (pos != 0)
            return esk_store_set_error(
                store, ESK_EDUPLICATE,
                "event id '%s' is already stored as version %lld of stream "
                "'%s'",
                id, (long long)m->events[pos - 1].version,
                m->events[pos - 1].stream_id);
    }

    /* Every allocation first: after this block nothing can fail. */
    size_t n = req->count;
    if (grow((void **)&m->events, &m->event_capacity, m->event_count + n,
             sizeof(esk_event)) != ESK_OK ||
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
        stored[i] = *e;
        stored[i].stream_id = target->id;
        stored[i].event_id =
            esk__arena_strndup(&m->arena, e->event_id, strlen(e->event_id));
        stored[i].type =
            esk__arena_strndup(&m->arena, e->type, strlen(e->type));
        stored[i].data =
            esk__arena_strndup(&m->arena, e->data, strlen(e->data));
        stored[i].metadata =
            esk__arena_strndup(&m->arena, e->metadata, strlen(e->metadata));
        if (!stored[i].event_id || !stored[i].type || !stored[i].data ||
            !stored[i].metadata) {
            if (fresh != NULL) {
                esk__free(fresh->positions);
                esk__free(fresh);
            }
            goto nomem; /* the arena keeps some unused bytes, no more */
        }
    }

    /* Commit. */
    if (fresh != NULL) {
        place_stream(m->streams, m->stream_slots, fresh);
        m->stream_count++;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t pos = (int64_t)m->event_count + 1;
        stored[i].version = (int64_t)target->count + 1;
        stored[i].position = pos;
        target->positions[target->count++] = pos;
        m->event_count++;
        place_id(m->ids, m->id_slots, esk__mem_hash(stored[i].event_id), pos);
        req->events[i].version = stored[i].version;
        req->events[i].position = pos;
    }
    req->result.version = (int64_t)target->count;
    req->result.position = (int64_t)m->event_count;
    return ESK_OK;
nomem:
    return esk_store_set_error(store, ESK_ENOMEM,
                               "out of memory appending to stream '%s'",
                               req->stream_id);
}

static esk_status mem_read_stream(esk_store *store, void *impl,
                                  const char *stream_id, int64_t from_version,
                                  size_t max_count, bool backward,
                                  esk_event_list *out)
{
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
        return esk_store_set_error(
            store, ESK_ENOMEM, "out of memory reading stream '%s'", stream_id);
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
            return esk_store_set_error(store, ESK_ENOMEM,
                                       "out of memory reading all events");
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
    esk__free(m->events);
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
