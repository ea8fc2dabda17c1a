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

static esk_status find_event(pg_store *s, const char *event_id,
                             const char *stream_id, stored_event *out)
{
    const char *params[1] = {event_id};
    PGresult *res = esk__pg_exec(s, PG_EVENT_BY_ID, 1, params);
    esk_status status = ESK_OK;
    out->found = false;
    if (!esk__pg_ok(res)) {
        status = esk__pg_fail(s, res, "appending to stream '%s'", stream_id);
    } else if (PQntuples(res) > 0) {
        out->found = true;
        snprintf(out->stream_id, sizeof out->stream_id, "%s",
                 PQgetvalue(res, 0, 0));
        out->version = esk__pg_int(res, 0, 1);
        out->position = esk__pg_int(res, 0, 2);
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
                               esk_append_request *request)
{
    stored_event first;
    esk_status status =
        find_event(s, request->events[0].event_id, request->stream_id, &first);
    if (status != ESK_OK)
        return status;
    /* The rule reads one event beyond the append it compares. */
    replay_walk walk = {s,
                        request->stream_id,
                        NULL,
                        0,
                        first.found ? first.position : 0,
                        (int)request->count + 1,
                        {{NULL}, {0}}};
    if (first.found && (status = fetch_page(&walk)) != ESK_OK) {
        PQclear(walk.page);
        return status;
    }
    status = esk_store_check_replay(store, request, replay_walk_next, &walk);
    PQclear(walk.page);
    return status;
}

/* A new batch must reuse no stored id: the first was looked up by the
 * replay rule, the others are looked up here, before anything is
 * written (a failed INSERT would end PostgreSQL's transaction). */
static esk_status check_other_ids(pg_store *s,
                                  const esk_append_request *request)
{
    for (size_t i = 1; i < request->count; i++) {
        stored_event where;
        esk_status status = find_event(s, request->events[i].event_id,
                                       request->stream_id, &where);
        if (status != ESK_OK)
            return status;
        if (where.found)
            return esk__store_reused_id(NULL, request->events[i].event_id,
                                        where.stream_id, where.version,
                                        request->events[0].event_id);
    }
    return ESK_OK;
}

static esk_status insert_tags(pg_store *s, const esk_append_request *request,
                              const esk_event *event, int64_t position)
{
    int_text pos = int_param(position);
    for (size_t i = 0; i < event->tag_count; i++) {
        int_text ord = int_param((int64_t)i);
        const char *params[3] = {pos.text, ord.text, event->tags[i]};
        PGresult *res = esk__pg_exec(s, PG_INSERT_TAG, 3, params);
        esk_status status = ESK_OK;
        if (!esk__pg_ok(res))
            status = esk__pg_fail(s, res, "appending to stream '%s'",
                                  request->stream_id);
        PQclear(res);
        if (status != ESK_OK)
            return status;
    }
    return ESK_OK;
}

static esk_status insert_event(pg_store *s, const esk_append_request *request,
                               const esk_event *event, int64_t position,
                               int64_t version, int64_t batch_start)
{
    int_text pos = int_param(position);
    int_text ver = int_param(version);
    int_text schema_version = int_param(event->schema_version);
    int_text at = int_param(event->recorded_at);
    int_text start = int_param(batch_start);
    int_text tag_count = int_param((int64_t)event->tag_count);
    const char *params[11] = {pos.text,    event->event_id, request->stream_id,
                              ver.text,    event->type,     schema_version.text,
                              event->data, event->metadata, at.text,
                              start.text,  tag_count.text};
    PGresult *res = esk__pg_exec(s, PG_INSERT, 11, params);
    esk_status status = ESK_OK;
    if (!esk__pg_ok(res))
        status = esk__pg_fail(s, res, "appending to stream '%s'",
                              request->stream_id);
    PQclear(res);
    if (status == ESK_OK)
        status = insert_tags(s, request, event, position);
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
                             esk_append_request *request)
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
    if (status == ESK_OK && request->ids_supplied)
        status = check_other_ids(s, request);
    int64_t version = state[0];
    int64_t head = state[1];
    for (size_t i = 0; i < request->count && status == ESK_OK; i++)
        status =
            insert_event(s, request, &request->events[i], head + 1 + (int64_t)i,
                         version + 1 + (int64_t)i, head + 1);
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
    if (request->ids_supplied)
        status = check_replay(store, s, request);
    if (status == ESK_OK && !request->replayed) {
        status = append_new(store, s, request);
        s->appended = s->appended || status == ESK_OK;
    }
    if (status != ESK_OK)
        esk__pg_undo_failed_statement(s);
    return status;
}
