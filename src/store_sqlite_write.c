/*
 * src/store_sqlite_write.c - appends: the replay rule's walk over the
 * stored events, and inserting a batch under the write lock.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sqlite_internal.h"

/* Where an event id is stored, if it is. */
typedef struct stored_event {
    bool found;
    /* Copied: SQLite's text is gone once the statement is reset. Longer
     * ids (written by something other than esk) are cut for messages. */
    char stream_id[ESK_STREAM_ID_MAX + 1];
    int64_t version;
    int64_t position;
} stored_event;

static int find_event(sqlite_store *s, const char *event_id, stored_event *out)
{
    sqlite3_stmt *stmt = s->stmt[STMT_EVENT_BY_ID];
    out->found = false;
    int rc = esk__sqlite_bind_text(stmt, 1, event_id);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) {
            const unsigned char *stream = sqlite3_column_text(stmt, 0);
            out->found = true;
            snprintf(out->stream_id, sizeof out->stream_id, "%s",
                     stream != NULL ? (const char *)stream : "");
            out->version = sqlite3_column_int64(stmt, 1);
            out->position = sqlite3_column_int64(stmt, 2);
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc;
}

/* The column after EVENT_SELECT in STMT_REPLAY_WALK, and the parameters
 * after EVENT_COLUMNS in STMT_INSERT. */
enum {
    COL_BATCH_START = COL_TAGS + 1,
    PARAM_BATCH_START = COL_RECORDED_AT + 2,
    PARAM_TAG_COUNT
};

/* The replay rule's walk: a step of STMT_REPLAY_WALK. */
typedef struct replay_walk {
    esk_store *store;
    sqlite_store *s;
    const char *stream_id; /* of the append, for messages */
    esk__sqlite_tags tags; /* of the event the walk stands on */
} replay_walk;

static esk_status replay_walk_next(void *ctx, esk_stored_event *out)
{
    replay_walk *walk = ctx;
    sqlite3_stmt *stmt = walk->s->stmt[STMT_REPLAY_WALK];
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE)
        return ESK_ENOTFOUND;
    if (rc != SQLITE_ROW)
        return esk__sqlite_fail(walk->s, rc, "appending to stream '%s'",
                                walk->stream_id);
    esk_event *e = &out->event;
    esk__sqlite_column_event(stmt, e);
    e->recorded_at = 0; /* not compared */
    /* NULL for rows written before schema 3: not known, which is 0. */
    out->batch_start = sqlite3_column_int64(stmt, COL_BATCH_START);
    if (e->event_id == NULL || e->stream_id == NULL || e->type == NULL ||
        e->data == NULL || e->metadata == NULL ||
        !esk__sqlite_column_tags(stmt, &walk->tags, e)) {
        if (sqlite3_errcode(walk->s->db) == SQLITE_NOMEM)
            return esk__fail(ESK_ENOMEM,
                             "out of memory appending to stream "
                             "'%s'",
                             walk->stream_id);
        return esk__fail(ESK_ECORRUPT,
                         "appending to stream '%s': the event at "
                         "position %" PRId64 " has an empty column or "
                         "damaged tags",
                         walk->stream_id, e->position);
    }
    return ESK_OK;
}

/*
 * The caller chose the ids, so this append may be a retry of one that
 * already succeeded: esk_store_check_replay() decides, walking the events
 * from the one with the batch's first id. Runs inside the write
 * transaction, so the answer cannot change under it.
 */
static esk_status check_replay(esk_store *store, sqlite_store *s,
                               esk_append_request *request)
{
    sqlite3_stmt *stmt = s->stmt[STMT_REPLAY_WALK];
    replay_walk walk = {store, s, request->stream_id, {{NULL}, {0}}};
    esk_status status = ESK_OK;
    int rc = esk__sqlite_bind_text(stmt, 1, request->events[0].event_id);
    if (rc == SQLITE_OK)
        status =
            esk_store_check_replay(store, request, replay_walk_next, &walk);
    else
        status = esk__sqlite_fail(s, rc, "appending to stream '%s'",
                                  request->stream_id);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return status;
}

/* Bind one event's own columns (the stream id and batch start are bound
 * once per batch) and insert it. */
static int insert_event(sqlite3_stmt *stmt, const esk_event *event,
                        int64_t position, int64_t version,
                        const char *recorded_at)
{
    int rc = sqlite3_bind_int64(stmt, COL_POSITION + 1, position);
    if (rc == SQLITE_OK)
        rc = esk__sqlite_bind_text(stmt, COL_EVENT_ID + 1, event->event_id);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, COL_VERSION + 1, version);
    if (rc == SQLITE_OK)
        rc = esk__sqlite_bind_text(stmt, COL_TYPE + 1, event->type);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(stmt, COL_SCHEMA_VERSION + 1,
                              event->schema_version);
    if (rc == SQLITE_OK)
        rc = esk__sqlite_bind_text(stmt, COL_DATA + 1, event->data);
    if (rc == SQLITE_OK)
        rc = esk__sqlite_bind_text(stmt, COL_METADATA + 1, event->metadata);
    if (rc == SQLITE_OK)
        rc = esk__sqlite_bind_text(stmt, COL_RECORDED_AT + 1, recorded_at);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, PARAM_TAG_COUNT,
                                (int64_t)event->tag_count);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(stmt);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    /* A failure is reset by the caller, once it has read SQLite's words. */
    if (rc == SQLITE_OK)
        sqlite3_reset(stmt);
    return rc;
}

/* An insert refused by UNIQUE: versions and positions were read under the
 * write lock, so the event id is what collides. Say where it is stored. */
static esk_status refuse_stored_id(sqlite_store *s, sqlite3_stmt *insert,
                                   const esk_append_request *request,
                                   const esk_event *event)
{
    esk_status status =
        esk__fail(ESK_EDUPLICATE, "appending to stream '%s': %s",
                  request->stream_id, sqlite3_errmsg(s->db));
    sqlite3_reset(insert);
    stored_event where;
    if (find_event(s, event->event_id, &where) == SQLITE_OK && where.found)
        status =
            esk__store_reused_id(NULL, event->event_id, where.stream_id,
                                 where.version, request->events[0].event_id);
    return status;
}

/* recorded_at as text into buf, formatted again only when it differs
 * from the last one (*formatted; the events of a batch usually share
 * it). */
static esk_status format_recorded_at(const esk_append_request *request,
                                     esk_time at, esk_time *formatted,
                                     char buf[ESK_TIME_TEXT_SIZE])
{
    if (buf[0] != '\0' && at == *formatted)
        return ESK_OK;
    if (esk_time_format(at, buf) != ESK_OK)
        return esk__fail(ESK_EINVAL,
                         "appending to stream '%s': recorded_at %" PRId64
                         " is outside the years 0000 to 9999",
                         request->stream_id, at);
    *formatted = at;
    return ESK_OK;
}

/* Insert an event's tags, in their order. */
static int insert_tags(sqlite_store *s, const esk_event *event,
                       int64_t position)
{
    sqlite3_stmt *stmt = s->stmt[STMT_INSERT_TAG];
    int rc = sqlite3_bind_int64(stmt, 1, position);
    for (size_t i = 0; i < event->tag_count && rc == SQLITE_OK; i++) {
        rc = sqlite3_bind_int64(stmt, 2, (int64_t)i);
        if (rc == SQLITE_OK)
            rc = esk__sqlite_bind_text(stmt, 3, event->tags[i]);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(stmt);
            rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        }
        if (rc == SQLITE_OK)
            sqlite3_reset(stmt);
    }
    return rc;
}

/* Insert the batch at versions version + 1... and positions head + 1...,
 * inside the caller's transaction. */
static esk_status insert_batch(sqlite_store *s,
                               const esk_append_request *request,
                               int64_t version, int64_t head)
{
    sqlite3_stmt *stmt = s->stmt[STMT_INSERT];
    esk_status status = ESK_OK;
    char recorded_at[ESK_TIME_TEXT_SIZE] = "";
    esk_time formatted = 0;

    /* Bindings stay across resets: the stream id and where the batch
     * begins are bound once. */
    int rc = esk__sqlite_bind_text(stmt, COL_STREAM_ID + 1, request->stream_id);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, PARAM_BATCH_START, head + 1);
    for (size_t i = 0; i < request->count && rc == SQLITE_OK; i++) {
        const esk_event *event = &request->events[i];
        status = format_recorded_at(request, event->recorded_at, &formatted,
                                    recorded_at);
        if (status != ESK_OK)
            break;
        rc = insert_event(stmt, event, head + 1 + (int64_t)i,
                          version + 1 + (int64_t)i, recorded_at);
        if (rc == SQLITE_CONSTRAINT_UNIQUE)
            status = refuse_stored_id(s, stmt, request, event);
        else if (rc == SQLITE_OK)
            rc = insert_tags(s, event, head + 1 + (int64_t)i);
    }
    if (status == ESK_OK && rc != SQLITE_OK)
        status = esk__sqlite_fail(s, rc, "appending to stream '%s'",
                                  request->stream_id);
    sqlite3_reset(stmt);
    /* The bound text belongs to the caller: drop every pointer to it. */
    sqlite3_clear_bindings(stmt);
    sqlite3_reset(s->stmt[STMT_INSERT_TAG]);
    sqlite3_clear_bindings(s->stmt[STMT_INSERT_TAG]);
    return status;
}

/* Record the close in the append's own transaction: a rollback drops both. */
static esk_status mark_closed(sqlite_store *s, const char *stream_id,
                              int64_t version)
{
    sqlite3_stmt *stmt = s->stmt[STMT_CLOSE];
    int rc = esk__sqlite_bind_text(stmt, 1, stream_id);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 2, version);
    if (rc == SQLITE_OK)
        rc = esk__sqlite_run(stmt);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (rc != SQLITE_OK)
        return esk__sqlite_fail(s, rc, "closing stream '%s'", stream_id);
    return ESK_OK;
}

esk_status esk__sqlite_stream_closed(esk_store *store, void *impl,
                                     const char *stream_id, bool *out_closed)
{
    (void)store;
    sqlite_store *s = impl;
    int64_t closed_at = 0;
    int rc =
        esk__sqlite_query_int(s->stmt[STMT_CLOSED_AT], stream_id, &closed_at);
    if (rc != SQLITE_OK)
        return esk__sqlite_fail(s, rc, "reading whether stream '%s' is closed",
                                stream_id);
    *out_closed = closed_at > 0;
    return ESK_OK;
}

/* The front has opened a transaction (the write lock is held), and undoes
 * it if this fails: nothing here begins or ends one. */
esk_status esk__sqlite_append(esk_store *store, void *impl,
                              esk_append_request *request)
{
    sqlite_store *s = impl;
    const char *stream_id = request->stream_id;
    esk_status status = ESK_OK;

    if (request->ids_supplied) {
        status = check_replay(store, s, request);
        if (status != ESK_OK || request->replayed)
            return status;
    }

    int64_t version = 0;
    int64_t head = 0;
    int rc = esk__sqlite_query_int(s->stmt[STMT_STREAM_VERSION], stream_id,
                                   &version);
    if (rc == SQLITE_OK)
        rc = esk__sqlite_query_int(s->stmt[STMT_HEAD], NULL, &head);
    if (rc != SQLITE_OK)
        return esk__sqlite_fail(s, rc, "appending to stream '%s'", stream_id);

    int64_t closed_at = 0;
    rc = esk__sqlite_query_int(s->stmt[STMT_CLOSED_AT], stream_id, &closed_at);
    if (rc != SQLITE_OK)
        return esk__sqlite_fail(s, rc, "appending to stream '%s'", stream_id);

    status = esk_store_check_closed(store, stream_id, closed_at);
    if (status == ESK_OK)
        status = esk_store_check_expected(store, stream_id, request->expected,
                                          version);
    if (status == ESK_OK)
        status = esk_store_check_condition(store, request);
    if (status != ESK_OK)
        return status;

    status = insert_batch(s, request, version, head);
    if (status != ESK_OK)
        return status;
    if (request->close &&
        (status = mark_closed(s, stream_id,
                              version + (int64_t)request->count)) != ESK_OK)
        return status;

    for (size_t i = 0; i < request->count; i++) {
        request->events[i].version = version + 1 + (int64_t)i;
        request->events[i].position = head + 1 + (int64_t)i;
    }
    request->result.version = version + (int64_t)request->count;
    request->result.position = head + (int64_t)request->count;
    return ESK_OK;
}
