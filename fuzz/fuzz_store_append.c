/*
 * fuzz/fuzz_store_append.c - appends in the store fuzz target: one event
 * or a batch, given or generated ids, replays of stored appends; each
 * checked against the model in both stores.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <esk/store.h>

#include "fuzz.h"
#include "fuzz_store.h"

/* ---- Appends ------------------------------------------------------------ */

/* The batch is stored: read it back from both stores, check it against
 * what was given, and add it to the model. */
static void record_batch(world *w, const char *stream_id, size_t n, bool closes,
                         const esk_append_result result[BACKENDS])
{
    model *m = &w->m;
    int64_t version = model_stream_version(m, stream_id);
    size_t head = m->count;

    for (int b = 0; b < BACKENDS; b++) {
        FUZZ_CHECK(result[b].version == version + (int64_t)n &&
                       result[b].position == (int64_t)(head + n),
                   "%s: the append landed at version %lld, position %lld; "
                   "expected %lld, %zu",
                   backend_names[b], (long long)result[b].version,
                   (long long)result[b].position,
                   (long long)(version + (int64_t)n), head + n);
        esk_status rc = esk_store_read_all(w->stores[b], (int64_t)head, 0, NULL,
                                           &w->lists[b]);
        FUZZ_CHECK(rc == ESK_OK && w->lists[b].count == n,
                   "%s: reading the batch back gave %d and %zu events",
                   backend_names[b], (int)rc, w->lists[b].count);
    }
    if (m->count + n > m->capacity) {
        size_t capacity = m->capacity == 0 ? 64 : m->capacity;
        while (capacity < m->count + n)
            capacity *= 2;
        model_event *grown = realloc(m->events, capacity * sizeof(*grown));
        FUZZ_CHECK(grown != NULL, "out of memory");
        m->events = grown;
        m->capacity = capacity;
    }
    for (size_t i = 0; i < n; i++) {
        const esk_new_event *given = &w->batch[i];
        model_event *e = &m->events[m->count];
        *e = (model_event){
            .stream_id = copy_text(stream_id),
            .type = copy_text(given->type),
            .schema_version = given->schema_version,
            .data = copy_text(given->data),
            .metadata = copy_text(given->metadata ? given->metadata : "{}"),
            .version = version + 1 + (int64_t)i,
            .recorded_at = w->now,
            .batch_start = head + 1,
            .closes = closes && i == n - 1,
        };
        for (size_t t = 0; w->has_tags && t < w->tags[i].count; t++)
            e->tags[e->tag_count++] = copy_text(w->tags[i].tags[t]);
        for (int b = 0; b < BACKENDS; b++) {
            const char *id = w->lists[b].events[i].event_id;
            if (given->event_id == NULL)
                FUZZ_CHECK(is_uuid_v7(id), "%s: generated id '%s'",
                           backend_names[b], id);
            e->event_id[b] = copy_text(given->event_id ? given->event_id : id);
        }
        m->count++;
        for (int b = 0; b < BACKENDS; b++)
            check_same_event(&w->lists[b].events[i], e, (int64_t)m->count, b);
    }
}

/* Whether an append that began at first_version passed expected. */
static bool model_passes(int64_t expected, int64_t first_version)
{
    if (expected >= 0)
        return first_version - 1 == expected;
    if (expected == ESK_NO_STREAM)
        return first_version == 1;
    if (expected == ESK_STREAM_EXISTS)
        return first_version > 1;
    return true;
}

/* Whether a stored event carries the tags w->tags[i] gives (none without
 * tags), in the same order. */
static bool same_tags(const world *w, const model_event *e, size_t i)
{
    size_t count = w->has_tags ? w->tags[i].count : 0;
    if (e->tag_count != count)
        return false;
    for (size_t t = 0; t < count; t++)
        if (strcmp(e->tags[t], w->tags[i].tags[t]) != 0)
            return false;
    return true;
}

/*
 * The replay rule, on the model: 0 when the batch's first id is not
 * stored; 1 when the batch is one stored append again (same stream, the
 * same ids in order with the same type, schema version, data, metadata
 * and tags, as many events, and an expected version that append passed);
 * -1 when it reuses the stored id otherwise.
 */
static int model_replay(const world *w, const char *stream_id, int64_t expected,
                        size_t n)
{
    const model *m = &w->m;
    const esk_new_event *batch = w->batch;
    size_t first = 0;
    for (size_t p = 1; p <= m->count && first == 0; p++)
        if (strcmp(m->events[p - 1].event_id[0], batch[0].event_id) == 0)
            first = p;
    if (first == 0)
        return 0;
    const model_event *f = &m->events[first - 1];
    if (strcmp(f->stream_id, stream_id) != 0 || f->batch_start != first ||
        !model_passes(expected, f->version))
        return -1;
    size_t last = first;
    while (last < m->count && m->events[last].batch_start == first)
        last++;
    if (last - first + 1 != n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const model_event *e = &m->events[first - 1 + i];
        const esk_new_event *sent = &batch[i];
        const char *metadata = sent->metadata ? sent->metadata : "{}";
        if (strcmp(e->event_id[0], sent->event_id) != 0 ||
            strcmp(e->type, sent->type) != 0 ||
            e->schema_version != sent->schema_version ||
            strcmp(e->data, sent->data) != 0 ||
            strcmp(e->metadata, metadata) != 0 || !same_tags(w, e, i))
            return -1;
    }
    return 1;
}

/* An append of stored ids that succeeded without writing: it must point at
 * the batch stored with those ids, in that order, in that stream. */
static void check_replay(world *w, const char *stream_id, size_t n,
                         const esk_append_result result[BACKENDS])
{
    FUZZ_CHECK(w->batch[0].event_id != NULL,
               "an append without ids wrote nothing");
    for (int b = 0; b < BACKENDS; b++) {
        int64_t last = result[b].position;
        FUZZ_CHECK(last >= (int64_t)n && last <= (int64_t)w->m.count,
                   "%s: a replay points at position %lld", backend_names[b],
                   (long long)last);
        for (size_t i = 0; i < n; i++) {
            const model_event *e = &w->m.events[last - (int64_t)n + (int64_t)i];
            FUZZ_CHECK(strcmp(e->event_id[b], w->batch[i].event_id) == 0 &&
                           strcmp(e->stream_id, stream_id) == 0,
                       "%s: replayed id '%s' is stored as '%s' in '%s'",
                       backend_names[b], w->batch[i].event_id, e->event_id[b],
                       e->stream_id);
        }
        FUZZ_CHECK(result[b].version == w->m.events[last - 1].version,
                   "%s: a replay gives version %lld, the batch ends at %lld",
                   backend_names[b], (long long)result[b].version,
                   (long long)w->m.events[last - 1].version);
    }
}

/* Fills w->batch with n events and returns n. ids: 0 none, 1 every
 * event, 2 some (refused). */
static size_t choose_batch(world *w, bool bulk, size_t id_mode)
{
    size_t n;
    if (bulk) {
        /* Many events with ids "prefix-i": enough to collide in the memory
         * store's hash table of ids, which rollbacks then delete from. */
        char prefix[9];
        n = 1 + fuzz_below(&w->in, BATCH_MAX);
        fuzz_string(&w->in, prefix, sizeof(prefix) - 1);
        for (size_t i = 0; i < n; i++) {
            snprintf(w->ids[i], sizeof(w->ids[i]), "%s-%zu", prefix, i);
            w->batch[i] = (esk_new_event){
                .event_id = id_mode == 0 ? NULL : w->ids[i],
                .type = i % 2 ? "Registered" : "Cancelled",
                .schema_version = 1,
                .data = "{}",
                .metadata = NULL,
            };
        }
        if (id_mode == 2)
            w->batch[n - 1].event_id = NULL;
        return n;
    }
    static const char *const id_pool[] = {"e1", "e2", "e3", "e4"};
    static const char *const type_pool[] = {"Registered", "Cancelled"};
    n = 1 + fuzz_below(&w->in, SMALL_BATCH_MAX);
    for (size_t i = 0; i < n; i++) {
        const char *id = NULL;
        size_t pick = fuzz_below(&w->in, 5);
        if (pick < 4)
            id = id_pool[pick];
        else
            id = fuzz_string(&w->in, w->ids[i], 80);
        if (id_mode == 0 || (id_mode == 2 && i % 2 == 1))
            id = NULL;
        pick = fuzz_below(&w->in, 3);
        w->batch[i] = (esk_new_event){
            .event_id = id,
            .type = pick < 2 ? type_pool[pick]
                             : fuzz_string(&w->in, w->types[i], STRING_MAX),
            .schema_version = choose_schema_version(w),
            .data = choose_json(w, w->data[i], false),
            .metadata = choose_json(w, w->metadata[i], true),
        };
    }
    return n;
}

typedef enum append_kind { PLAIN, TAGGED, CLOSING } append_kind;

static const char *const kind_names[] = {"append", "append_if", "close"};

/* One call. */
typedef struct append_call {
    const char *stream_id;
    int64_t expected;
    size_t n;
    append_kind kind;
    /* Only for TAGGED: NULL for none. */
    const esk_append_condition *condition;
} append_call;

/* Whether an id of the batch is stored, or given twice. */
static bool reuses_ids(const world *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *id = w->batch[i].event_id;
        if (id == NULL)
            continue;
        for (size_t j = i + 1; j < n; j++)
            if (w->batch[j].event_id && strcmp(id, w->batch[j].event_id) == 0)
                return true;
        for (size_t p = 0; p < w->m.count; p++)
            if (strcmp(id, w->m.events[p].event_id[0]) == 0)
                return true;
    }
    return false;
}

/* What the rules of esk/store.h give for a call the store found valid (a
 * refusal as ESK_EINVAL is judged elsewhere), in the order they apply: a
 * replay first, whatever the stream and the condition say now; then a
 * closed stream, whatever the expected version; then the expected version;
 * then the condition; then ids stored by other appends. */
static esk_status model_status(const world *w, const append_call *call,
                               int replay)
{
    if (replay < 0)
        return ESK_EDUPLICATE;
    if (replay > 0) {
        /* A retried close must be the append that closed the stream. */
        size_t last = 0;
        for (size_t p = 0; p < w->m.count; p++)
            if (strcmp(w->m.events[p].event_id[0],
                       w->batch[call->n - 1].event_id) == 0)
                last = p;
        return call->kind == CLOSING && !w->m.events[last].closes
                   ? ESK_EDUPLICATE
                   : ESK_OK;
    }
    if (model_closed(&w->m, call->stream_id))
        return ESK_ECLOSED;
    int64_t version = model_stream_version(&w->m, call->stream_id);
    if (!model_passes(call->expected, version + 1))
        return ESK_ECONCURRENCY;
    if (call->condition != NULL &&
        model_conflicts(&w->m, &call->condition->query, call->condition->after))
        return ESK_ECONCURRENCY;
    return reuses_ids(w, call->n) ? ESK_EDUPLICATE : ESK_OK;
}

static esk_status call_store(world *w, int b, const append_call *call,
                             esk_append_result *result)
{
    esk_store *store = w->stores[b];
    if (call->kind == CLOSING)
        return esk_store_close_stream(store, call->stream_id, call->expected,
                                      w->batch, call->n, result);
    if (call->kind == TAGGED)
        return esk_store_append_if(store, call->stream_id, call->expected,
                                   w->batch, w->tags, call->n, call->condition,
                                   result);
    return esk_store_append(store, call->stream_id, call->expected, w->batch,
                            call->n, result);
}

/* The call succeeded: it wrote the batch, or found it stored already. */
static void check_written(world *w, const append_call *call, int replay,
                          const esk_append_result result[BACKENDS])
{
    FUZZ_CHECK(result[0].version == result[1].version &&
                   result[0].position == result[1].position,
               "the stores placed the append apart");
    int64_t head = -1;
    FUZZ_CHECK(esk_store_head_position(w->stores[0], &head) == ESK_OK,
               "head position");
    if (head == (int64_t)w->m.count) {
        FUZZ_CHECK(replay > 0, "an append that is no replay wrote nothing");
        check_replay(w, call->stream_id, call->n, result);
    } else {
        FUZZ_CHECK(head == (int64_t)(w->m.count + call->n),
                   "an append of %zu events moved the head from %zu to %lld",
                   call->n, w->m.count, (long long)head);
        record_batch(w, call->stream_id, call->n, call->kind == CLOSING,
                     result);
    }
}

void append(world *w, bool bulk)
{
    append_call call = {choose_stream(w), 0, 0, PLAIN, NULL};
    call.expected = choose_expected(w, call.stream_id);
    size_t id_mode = fuzz_below(&w->in, 3);
    call.n = choose_batch(w, bulk, id_mode);
    size_t pick = fuzz_below(&w->in, 4);
    call.kind = pick < 2 ? PLAIN : pick == 2 ? TAGGED : CLOSING;
    w->has_tags = false;
    esk_append_condition condition;
    if (call.kind == TAGGED) {
        choose_tags(w, call.n);
        if (fuzz_below(&w->in, 2) == 0) {
            condition.query = choose_query(w);
            condition.after = fuzz_below(&w->in, 16) == 0
                                  ? -1
                                  : (int64_t)fuzz_below(&w->in, w->m.count + 2);
            call.condition = &condition;
        }
    }

    esk_status rc[BACKENDS];
    esk_append_result result[BACKENDS];
    for (int b = 0; b < BACKENDS; b++) {
        result[b] = (esk_append_result){-1, -1};
        rc[b] = call_store(w, b, &call, &result[b]);
    }
    esk_status status = same_status(w, rc, kind_names[call.kind]);
    trace("%s %zu to '%s' expecting %lld, ids %s%s: %s (%s)\n",
          kind_names[call.kind], call.n, call.stream_id,
          (long long)call.expected,
          id_mode == 0   ? "none"
          : id_mode == 1 ? "all"
                         : "some",
          call.condition ? ", with a condition" : "", esk_status_str(status),
          esk_errmsg());
    /* "Some" ids may still be all of them (a batch of one). */
    bool all_ids = true;
    for (size_t i = 0; i < call.n; i++)
        all_ids = all_ids && w->batch[i].event_id != NULL;
    int replay =
        all_ids ? model_replay(w, call.stream_id, call.expected, call.n) : 0;
    /* Bad input is refused before any look at the stored events; what
     * the model does not judge (JSON, UTF-8, tags) may be refused too. */
    esk_status want = model_status(w, &call, replay);
    FUZZ_CHECK(status == ESK_EINVAL || status == want,
               "%s gave %s where the model expects %s: %s",
               kind_names[call.kind], esk_status_str(status),
               esk_status_str(want), esk_errmsg());
    if (status == ESK_OK)
        check_written(w, &call, replay, result);
    check_heads(w);
}
