/*
 * src/store_memory.c - the in-memory backend.
 *
 * Built for speed: strings go into a chunked arena that never moves, so
 * reads hand out pointers into the store instead of copies; streams and
 * event ids are found through open-addressing hash tables, and so are the
 * positions of each type and tag that a query reads. An append first
 * makes sure every allocation it needs has succeeded, then writes, so a
 * failure leaves the store as it was.
 */
#include <string.h>

#include "esk/store_backend.h"
#include "internal.h"

#include "store_memory.h"

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

/* The length of the batch's id i: esk's own ids are all
 * ESK_EVENT_ID_LEN long, so only a caller's are measured. */
static size_t id_length(const esk_append_request *req, size_t i)
{
    return req->ids_supplied ? strlen(req->events[i].event_id)
                             : ESK_EVENT_ID_LEN;
}

/* Refuse a new batch that reuses a stored id, hashing each id of the
 * batch into m->batch_hashes for later. */
static esk_status check_new_ids(esk_store *store, mem_store *m,
                                const esk_append_request *req)
{
    if (esk__mem_grow((void **)&m->batch_hashes, &m->batch_hash_capacity,
                      req->count, sizeof(uint64_t)) != ESK_OK)
        return ESK_ENOMEM;
    /* Hash the whole batch first: the look-ups below are then short and
     * independent, and the processor overlaps their cache misses (random
     * ids land in random slots) instead of waiting for one at a time. */
    for (size_t i = 0; i < req->count; i++)
        m->batch_hashes[i] =
            esk__hash_bytes(req->events[i].event_id, id_length(req, i));
    for (size_t i = 0; i < req->count; i++) {
        const char *id = req->events[i].event_id;
        int64_t pos = esk__mem_find_id(m, id, m->batch_hashes[i]);
        if (pos != 0)
            return esk__store_reused_id(store, id, m->events[pos - 1].stream_id,
                                        m->events[pos - 1].version,
                                        req->events[0].event_id);
    }
    return ESK_OK;
}

static void free_stream(mem_stream *s)
{
    if (s == NULL)
        return;
    esk__free(s->positions);
    esk__free(s);
}

/* Every allocation an append of n events needs, so that nothing after it
 * can fail. *fresh receives a new stream when stream is NULL (not yet in
 * the table). */
static esk_status reserve_append(mem_store *m, const esk_append_request *req,
                                 mem_stream *stream, uint64_t stream_hash,
                                 mem_stream **fresh)
{
    size_t n = req->count;
    if (esk__mem_grow((void **)&m->events, &m->event_capacity,
                      m->event_count + n, sizeof(esk_event)) != ESK_OK ||
        esk__mem_grow((void **)&m->batch_starts, &m->batch_start_capacity,
                      m->event_count + n, sizeof(int64_t)) != ESK_OK ||
        esk__hash_reserve(&m->ids, n) != ESK_OK ||
        esk__hash_reserve(&m->streams, 1) != ESK_OK ||
        esk__mem_reserve_postings(m, req) != ESK_OK)
        return ESK_ENOMEM;
    if (stream == NULL) {
        stream = esk__calloc(1, sizeof(*stream));
        const char *id = esk__arena_strndup(&m->arena, req->stream_id,
                                            strlen(req->stream_id));
        if (stream == NULL || id == NULL) {
            esk__free(stream);
            return ESK_ENOMEM;
        }
        stream->id = id;
        stream->hash = stream_hash;
        *fresh = stream;
    }
    return esk__mem_grow((void **)&stream->positions, &stream->capacity,
                         stream->count + n, sizeof(int64_t));
}

/* Copy the batch's strings into the arena, as the events stored after the
 * last one (not yet counted). The event's strings go into one piece of
 * the arena: one reservation instead of four. A type or metadata that is
 * the very text of the event before (a batch mostly shares them) is not
 * copied again: the stored event points at the copy before it, which the
 * arena never moves. */
static esk_status copy_events(mem_store *m, const esk_append_request *req,
                              const mem_stream *target)
{
    esk_event *stored = &m->events[m->event_count];
    for (size_t i = 0; i < req->count; i++) {
        const esk_event *e = &req->events[i];
        bool same_type = i > 0 && e->type == e[-1].type;
        bool same_metadata = i > 0 && e->metadata == e[-1].metadata;
        size_t id_len = id_length(req, i) + 1;
        size_t type_len = same_type ? 0 : strlen(e->type) + 1;
        size_t data_len = strlen(e->data) + 1;
        size_t metadata_len = same_metadata ? 0 : strlen(e->metadata) + 1;
        char *text = esk__arena_alloc(&m->arena, id_len + type_len + data_len +
                                                     metadata_len);
        if (text == NULL)
            return ESK_ENOMEM; /* the arena keeps some unused bytes, no more */
        stored[i] = *e;
        stored[i].stream_id = target->id;
        stored[i].event_id = memcpy(text, e->event_id, id_len);
        text += id_len;
        stored[i].data = memcpy(text, e->data, data_len);
        text += data_len;
        stored[i].type =
            same_type ? stored[i - 1].type : memcpy(text, e->type, type_len);
        text += type_len;
        stored[i].metadata = same_metadata
                                 ? stored[i - 1].metadata
                                 : memcpy(text, e->metadata, metadata_len);
        if (e->tag_count > 0 && (stored[i].tags = esk__arena_copy_tags(
                                     &m->arena, e->tags, e->tag_count)) == NULL)
            return ESK_ENOMEM;
    }
    return ESK_OK;
}

/* Count the copied events in: versions, positions, the indexes. Cannot
 * fail. */
static void commit_append(mem_store *m, esk_append_request *req,
                          mem_stream *target, bool is_new)
{
    esk_event *stored = &m->events[m->event_count];
    if (is_new)
        esk__hash_insert(&m->streams, target->hash,
                         (uint64_t)(uintptr_t)target);
    int64_t batch_start = (int64_t)m->event_count + 1;
    for (size_t i = 0; i < req->count; i++) {
        int64_t pos = (int64_t)m->event_count + 1;
        m->batch_starts[pos - 1] = batch_start;
        stored[i].version = (int64_t)target->count + 1;
        stored[i].position = pos;
        target->positions[target->count++] = pos;
        m->event_count++;
        esk__hash_insert(&m->ids, m->batch_hashes[i], (uint64_t)pos);
        esk__mem_add_postings(m, &stored[i], i > 0 ? &stored[i - 1] : NULL);
        req->events[i].version = stored[i].version;
        req->events[i].position = pos;
    }
    if (req->close)
        target->closed_at = (int64_t)target->count;
    req->result.version = (int64_t)target->count;
    req->result.position = (int64_t)m->event_count;
}

static esk_status mem_append(esk_store *store, void *impl,
                             esk_append_request *req)
{
    mem_store *m = impl;
    uint64_t stream_hash = esk__hash_text(req->stream_id);
    mem_stream *stream = esk__mem_find_stream(m, req->stream_id, stream_hash);
    int64_t version = stream ? (int64_t)stream->count : 0;
    esk_status rc;

    if (req->ids_supplied) {
        mem_walk walk = {
            m, esk__mem_find_id(m, req->events[0].event_id,
                                esk__hash_text(req->events[0].event_id))};
        if (walk.next != 0)
            return esk_store_check_replay(store, req, mem_walk_next, &walk);
    }
    if ((rc = esk_store_check_closed(store, req->stream_id,
                                     stream ? stream->closed_at : 0)) !=
            ESK_OK ||
        (rc = esk_store_check_expected(store, req->stream_id, req->expected,
                                       version)) != ESK_OK ||
        (rc = esk_store_check_condition(store, req)) != ESK_OK)
        return rc;
    rc = check_new_ids(store, m, req);
    if (rc != ESK_OK && rc != ESK_ENOMEM)
        return rc;
    mem_stream *fresh = NULL;
    if (rc == ESK_OK)
        rc = reserve_append(m, req, stream, stream_hash, &fresh);
    if (rc == ESK_OK)
        rc = copy_events(m, req, stream ? stream : fresh);
    if (rc != ESK_OK) {
        free_stream(fresh);
        return esk__fail(ESK_ENOMEM, "out of memory appending to stream '%s'",
                         req->stream_id);
    }
    commit_append(m, req, stream ? stream : fresh, fresh != NULL);
    return ESK_OK;
}

static esk_status mem_read_stream(esk_store *store, void *impl,
                                  const char *stream_id, int64_t from_version,
                                  size_t max_count, bool backward,
                                  esk_event_list *out)
{
    (void)store;
    mem_store *m = impl;
    mem_stream *s =
        esk__mem_find_stream(m, stream_id, esk__hash_text(stream_id));
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
        esk__mem_find_stream(m, stream_id, esk__hash_text(stream_id));
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
    for (size_t i = 0; i < m->streams.capacity; i++)
        free_stream((mem_stream *)(uintptr_t)m->streams.slots[i].value);
    esk__hash_free(&m->streams);
    esk__hash_free(&m->ids);
    esk__mem_postings_free(&m->types);
    esk__mem_postings_free(&m->tags);
    esk__free(m->batch_hashes);
    esk__free(m->events);
    esk__free(m->batch_starts);
    esk__arena_free(&m->arena);
    esk__mem_records_free(m);
    esk__free(m);
}

static esk_status mem_stream_closed(esk_store *store, void *impl,
                                    const char *stream_id, bool *out_closed)
{
    (void)store;
    const mem_stream *s =
        esk__mem_find_stream(impl, stream_id, esk__hash_text(stream_id));
    *out_closed = s != NULL && s->closed_at > 0;
    return ESK_OK;
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
    .read_query = esk__mem_read_query,
    .stream_closed = mem_stream_closed,
};

esk_status esk_store_open_memory(esk_store **out,
                                 const esk_store_options *options)
{
    if (out == NULL)
        return esk__fail(ESK_EINVAL, "esk_store_open_memory: out is NULL");
    mem_store *m = esk__calloc(1, sizeof(*m));
    if (m == NULL)
        return esk__fail(ESK_ENOMEM, "esk_store_open_memory: out of memory");
    esk_status rc = esk_store_new(out, &memory_backend, m, options);
    if (rc != ESK_OK)
        return esk__fail_within(rc, "esk_store_open_memory");
    return rc;
}
