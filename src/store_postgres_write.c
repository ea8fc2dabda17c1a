/*
 * src/store_postgres_write.c - appends: the replay rule's walk over the
 * stored events, and inserting a batch, all under the schema's write lock
 * that the outermost transaction holds (store_postgres_tx.c).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_postgres_internal.h"

/* An integer as a text parameter. */
typedef struct int_text {
    char text[24];
} int_text;

static int_text int_param(int64_t value)
{
    int_text t;
    snprintf(t.text, sizeof t.text, "%" PRId64, value);
    return t;
}

/* Where an event id is stored, if it is. */
typedef struct stored_event {
    bool found;
    char stream_id[ESK_STREAM_ID_MAX + 1];
    int64_t version;
    int64_t position;
} stored_event;

/* Which of the batch's ids are stored already: the first event's, and
 * the first of the others in the batch's order (its index in other_at). */
typedef struct stored_ids {
    stored_event first;
    stored_event other;
    size_t other_at;
} stored_ids;

static void take_stored(const PGresult *res, int row, stored_event *out)
{
    out->found = true;
    snprintf(out->stream_id, sizeof out->stream_id, "%s",
             PQgetvalue(res, row, 0));
    out->version = esk__pg_int(res, row, 1);
    out->position = esk__pg_int(res, row, 2);
}

/* Look up every id of the batch in one round trip. */
static esk_status find_stored_ids(pg_store *s,
                                  const esk_append_request *request,
                                  const char *ids, stored_ids *out)
{
    const char *params[1] = {ids};
    PGresult *res = esk__pg_exec(s, PG_STORED_IDS, 1, params);
    esk_status status = ESK_OK;
    out->first.found = false;
    out->other.found = false;
    if (!esk__pg_ok(res)) {
        status = esk__pg_fail(s, res, "appending to stream '%s'",
                              request->stream_id);
    } else {
        for (int row = 0; row < PQntuples(res); row++) {
            int64_t n = esk__pg_int(res, row, 3);
            if (n == 1) {
                take_stored(res, row, &out->first);
            } else if (!out->other.found) {
                take_stored(res, row, &out->other);
                out->other_at = (size_t)(n - 1);
            }
        }
    }
    PQclear(res);
    return status;
}

/* The replay rule's walk, a page of rows at a time. */
typedef struct replay_walk {
    pg_store *s;
    const char *stream_id; /* of the append, for messages */
    PGresult *page;
    int row;
    int64_t next_position; /* where the next page starts */
    int page_size;
    esk__pg_tags tags;
} replay_walk;

enum { COL_BATCH_START = PG_COL_COUNT };

static esk_status fetch_page(replay_walk *walk)
{
    int_text from = int_param(walk->next_position);
    int_text limit = int_param(walk->page_size);
    const char *params[2] = {from.text, limit.text};
    PQclear(walk->page);
    walk->page = esk__pg_exec(walk->s, PG_REPLAY_WALK, 2, params);
    walk->row = 0;
    if (!esk__pg_ok(walk->page))
        return esk__pg_fail(walk->s, walk->page, "appending to stream '%s'",
                            walk->stream_id);
    return ESK_OK;
}

static esk_status replay_walk_next(void *ctx, esk_stored_event *out)
{
    replay_walk *walk = ctx;
    if (walk->row >= PQntuples(walk->page)) {
        if (PQntuples(walk->page) < walk->page_size)
            return ESK_ENOTFOUND;
        esk_status status = fetch_page(walk);
        if (status != ESK_OK)
            return status;
        if (PQntuples(walk->page) == 0)
            return ESK_ENOTFOUND;
    }
    esk_event *e = &out->event;
    if (!esk__pg_row_event(walk->page, walk->row, e, &walk->tags))
        return esk__fail(ESK_ECORRUPT,
                         "appending to stream '%s': a stored event has an "
                         "empty column or damaged tags",
                         walk->stream_id);
    e->recorded_at = 0; /* not compared */
    out->batch_start = esk__pg_int(walk->page, walk->row, COL_BATCH_START);
    walk->next_position = e->position + 1;
    walk->row++;
    return ESK_OK;
}

/* The caller chose the ids: this append may be a retry of one already
 * stored. esk_store_check_replay() decides, walking from the event with
 * the batch's first id; the write lock keeps the answer true until the
 * commit. */
static esk_status check_replay(esk_store *store, pg_store *s,
                               esk_append_request *request,
                               const stored_event *first)
{
    /* The rule reads one event beyond the append it compares. */
    replay_walk walk = {s,
                        request->stream_id,
                        NULL,
                        0,
                        first->found ? first->position : 0,
                        (int)request->count + 1,
                        {{NULL}, {0}}};
    esk_status status = ESK_OK;
    if (first->found && (status = fetch_page(&walk)) != ESK_OK) {
        PQclear(walk.page);
        return status;
    }
    status = esk_store_check_replay(store, request, replay_walk_next, &walk);
    PQclear(walk.page);
    return status;
}

/* The batch's array parameters, pointers into s->arrays. */
enum {
    ARRAY_EVENT_ID,
    ARRAY_TYPE,
    ARRAY_SCHEMA_VERSION,
    ARRAY_DATA,
    ARRAY_METADATA,
    ARRAY_RECORDED_AT,
    ARRAY_TAG_COUNT,
    ARRAY_TAG_EVENT,
    ARRAY_TAG_ORD,
    ARRAY_TAG,
    ARRAY_COUNT
};

/* Which arrays are made, in the order of their enum, and where each
 * starts in s->arrays. */
typedef struct batch_arrays {
    int made;
    size_t start[ARRAY_COUNT];
} batch_arrays;

static void add_event_array(esk__pg_arrays *a, int which,
                            const esk_event *events, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const esk_event *e = &events[i];
        switch (which) {
        case ARRAY_EVENT_ID:
            esk__pg_array_text(a, e->event_id);
            break;
        case ARRAY_TYPE:
            esk__pg_array_text(a, e->type);
            break;
        case ARRAY_SCHEMA_VERSION:
            esk__pg_array_int(a, e->schema_version);
            break;
        case ARRAY_DATA:
            esk__pg_array_text(a, e->data);
            break;
        case ARRAY_METADATA:
            esk__pg_array_text(a, e->metadata);
            break;
        case ARRAY_RECORDED_AT:
            esk__pg_array_int(a, e->recorded_at);
            break;
        default:
            esk__pg_array_int(a, (int64_t)e->tag_count);
            break;
        }
    }
}

/* The tags, one element per tag: the number of its event in the batch
 * (from 1), its place among the event's tags, the tag. */
static void add_tag_array(esk__pg_arrays *a, int which, const esk_event *events,
                          size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < events[i].tag_count; t++) {
            if (which == ARRAY_TAG_EVENT)
                esk__pg_array_int(a, (int64_t)i + 1);
            else if (which == ARRAY_TAG_ORD)
                esk__pg_array_int(a, (int64_t)t);
            else
                esk__pg_array_text(a, events[i].tags[t]);
        }
}

/* Make the arrays up to (not including) `upto` that are not made yet:
 * the ids alone for their look-up, all of them for the INSERT. */
static esk_status make_arrays(pg_store *s, const esk_append_request *request,
                              batch_arrays *arrays, int upto)
{
    if (arrays->made == 0)
        esk__pg_arrays_reset(&s->arrays);
    for (; arrays->made < upto; arrays->made++) {
        int which = arrays->made;
        arrays->start[which] = esk__pg_array_begin(&s->arrays);
        if (which < ARRAY_TAG_EVENT)
            add_event_array(&s->arrays, which, request->events, request->count);
        else
            add_tag_array(&s->arrays, which, request->events, request->count);
        esk__pg_array_end(&s->arrays);
    }
    if (s->arrays.failed)
        return esk__fail(ESK_ENOMEM,
                         "appending to stream '%s': out of memory for the "
                         "batch's %zu events",
                         request->stream_id, request->count);
    return ESK_OK;
}

/* One event without tags: the command handler's append, which needs no
 * array. */
static PGresult *insert_one(pg_store *s, const esk_append_request *request,
                            const int_text *position, const int_text *version)
{
    const esk_event *e = &request->events[0];
    int_text schema_version = int_param(e->schema_version);
    int_text at = int_param(e->recorded_at);
    const char *params[9] = {position->text, e->event_id, request->stream_id,
                             version->text,  e->type,     schema_version.text,
                             e->data,        e->metadata, at.text};
    return esk__pg_exec(s, PG_INSERT_ONE, 9, params);
}

/* Any other batch, events and tags, in one statement. */
static PGresult *insert_many(pg_store *s, const esk_append_request *request,
                             batch_arrays *arrays, const int_text *position,
                             const int_text *version)
{
    if (make_arrays(s, request, arrays, ARRAY_COUNT) != ESK_OK)
        return NULL;
    const char *params[13] = {position->text, request->stream_id,
                              version->text};
    for (int i = 0; i < ARRAY_COUNT; i++)
        params[3 + i] = s->arrays.text + arrays->start[i];
    return esk__pg_exec(s, PG_INSERT, 13, params);
}

static esk_status insert_batch(pg_store *s, const esk_append_request *request,
                               batch_arrays *arrays, int64_t head,
                               int64_t version)
{
    int_text first_position = int_param(head + 1);
    int_text first_version = int_param(version + 1);
    PGresult *res = NULL;
    if (request->count == 1 && request->events[0].tag_count == 0)
        res = insert_one(s, request, &first_position, &first_version);
    else if ((res = insert_many(s, request, arrays, &first_position,
                                &first_version)) == NULL &&
             s->arrays.failed)
        return ESK_ENOMEM; /* make_arrays said so */
    esk_status status = ESK_OK;
    if (!esk__pg_ok(res))
        status = esk__pg_fail(s, res, "appending to stream '%s'",
                              request->stream_id);
    PQclear(res);
    return status;
}

static esk_status mark_closed(pg_store *s, const char *stream_id,
                              int64_t version)
{
    int_text ver = int_param(version);
    const char *params[2] = {stream_id, ver.text};
    PGresult *res = esk__pg_exec(s, PG_CLOSE, 2, params);
    esk_status status = ESK_OK;
    if (!esk__pg_ok(res))
        status = esk__pg_fail(s, res, "closing stream '%s'", stream_id);
    PQclear(res);
    return status;
}

esk_status esk__pg_stream_closed(esk_store *store, void *impl,
                                 const char *stream_id, bool *out_closed)
{
    (void)store;
    pg_store *s = impl;
    int64_t closed_at = 0;
    esk_status status = esk__pg_connected(s, "reading a stream's state");
    if (status == ESK_OK)
        status = esk__pg_query_int(s, PG_CLOSED_AT, stream_id, &closed_at,
                                   "reading whether a stream is closed");
    if (status == ESK_OK)
        *out_closed = closed_at > 0;
    return status;
}

/* The stream's version, the head and the version that closed the stream,
 * read under the write lock. */
static esk_status read_state(pg_store *s, const char *stream_id, int64_t out[3])
{
    const char *params[1] = {stream_id};
    PGresult *res = esk__pg_exec(s, PG_STREAM_STATE, 1, params);
    esk_status status = ESK_OK;
    if (!esk__pg_ok(res) || PQntuples(res) != 1)
        status = esk__pg_fail(s, res, "appending to stream '%s'", stream_id);
    else
        for (int i = 0; i < 3; i++)
            out[i] = esk__pg_int(res, 0, i);
    PQclear(res);
    return status;
}

static esk_status append_new(esk_store *store, pg_store *s,
                             esk_append_request *request, batch_arrays *arrays,
                             const stored_ids *stored)
{
    const char *stream_id = request->stream_id;
    int64_t state[3] = {0, 0, 0}; /* version, head, closed_at */
    esk_status status = read_state(s, stream_id, state);
    if (status == ESK_OK)
        status = esk_store_check_closed(store, stream_id, state[2]);
    if (status == ESK_OK)
        status = esk_store_check_expected(store, stream_id, request->expected,
                                          state[0]);
    if (status == ESK_OK)
        status = esk_store_check_condition(store, request);
    /* A new batch may reuse no stored id (the first is not stored, or
     * the replay rule would have taken the batch). */
    if (status == ESK_OK && stored->other.found)
        status = esk__store_reused_id(
            NULL, request->events[stored->other_at].event_id,
            stored->other.stream_id, stored->other.version,
            request->events[0].event_id);
    int64_t version = state[0];
    int64_t head = state[1];
    if (status == ESK_OK)
        status = insert_batch(s, request, arrays, head, version);
    if (status == ESK_OK && request->close)
        status = mark_closed(s, stream_id, version + (int64_t)request->count);
    if (status != ESK_OK)
        return status;

    for (size_t i = 0; i < request->count; i++) {
        request->events[i].version = version + 1 + (int64_t)i;
        request->events[i].position = head + 1 + (int64_t)i;
    }
    request->result.version = version + (int64_t)request->count;
    request->result.position = head + (int64_t)request->count;
    return ESK_OK;
}

/* The front has opened a transaction (the write lock is held), and undoes
 * it if this fails: nothing here begins or ends one. */
esk_status esk__pg_append(esk_store *store, void *impl,
                          esk_append_request *request)
{
    pg_store *s = impl;
    char doing[ESK_STREAM_ID_MAX + 40];
    snprintf(doing, sizeof doing, "%s stream '%s'",
             request->close ? "closing" : "appending to", request->stream_id);
    esk_status status = esk__pg_refuse_write(s, doing);
    if (status != ESK_OK)
        return status;
    batch_arrays arrays = {0, {0}};
    stored_ids stored = {{false, {0}, 0, 0}, {false, {0}, 0, 0}, 0};
    if (request->ids_supplied) {
        status = make_arrays(s, request, &arrays, ARRAY_EVENT_ID + 1);
        if (status == ESK_OK)
            status = find_stored_ids(
                s, request, s->arrays.text + arrays.start[ARRAY_EVENT_ID],
                &stored);
        if (status == ESK_OK)
            status = check_replay(store, s, request, &stored.first);
    }
    if (status == ESK_OK && !request->replayed) {
        status = append_new(store, s, request, &arrays, &stored);
        s->appended = s->appended || status == ESK_OK;
    }
    if (status != ESK_OK)
        esk__pg_undo_failed_statement(s);
    return status;
}
