/*
 * support_appends.c - what an append needs besides your INSERTs, provided:
 * the replay check (is this batch already stored, as it was?), the note of
 * where each append begins, and the messages of a refused insert.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "store.h"
#include "support.h"

/* ---- Appends: replays and refused inserts -------------------------------- */

/* Where an event id is stored, if it is. */
typedef struct stored_event {
    bool found;
    char stream_id[ESK_STREAM_ID_MAX + 1];
    int64_t version;
    int64_t position;
} stored_event;

static esk_status find_event(esk_store *store, sqlite_store *s,
                             const char *event_id, stored_event *out)
{
    sqlite3_stmt *stmt = NULL;
    esk_status status = sql_prepare(
        store, s,
        "SELECT stream_id, version, position FROM events WHERE event_id = ?1",
        &stmt);
    if (status != ESK_OK)
        return status;
    out->found = false;
    int rc = sql_bind_text(stmt, 1, event_id);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        const char *stream = column_text(stmt, 0);
        out->found = true;
        snprintf(out->stream_id, sizeof(out->stream_id), "%s",
                 stream != NULL ? stream : "");
        out->version = sqlite3_column_int64(stmt, 1);
        out->position = sqlite3_column_int64(stmt, 2);
    } else if (rc != SQLITE_DONE) {
        status = sql_fail(store, s, rc, "looking for event id '%s'", event_id);
    }
    sqlite3_reset(stmt);
    return status;
}

/* An id of the batch is stored, but not as this batch. why is "" or a
 * clause that starts with ", ". */
static esk_status duplicate(esk_store *store, const char *event_id,
                            const stored_event *where, const char *why)
{
    return esk_store_set_error(
        store, ESK_EDUPLICATE,
        "event id '%s' is already stored in stream '%s' at version %" PRId64
        "%s",
        event_id, where->stream_id, where->version, why);
}

/* The replay check's walk: the events from the one with the batch's first
 * id on, each with the first position of the append noted around it. */
typedef struct replay_walk {
    esk_store *store;
    sqlite_store *s;
    sqlite3_stmt *stmt;
} replay_walk;

static esk_status replay_walk_next(void *ctx, esk_stored_event *out)
{
    replay_walk *walk = ctx;
    int rc = sqlite3_step(walk->stmt);
    if (rc == SQLITE_DONE)
        return ESK_ENOTFOUND;
    if (rc != SQLITE_ROW)
        return sql_fail(walk->store, walk->s, rc, "looking for a stored batch");
    sqlite3_stmt *stmt = walk->stmt;
    out->event = (esk_event){
        .position = sqlite3_column_int64(stmt, COL_POSITION),
        .event_id = column_text(stmt, COL_EVENT_ID),
        .stream_id = column_text(stmt, COL_STREAM_ID),
        .version = sqlite3_column_int64(stmt, COL_VERSION),
        .type = column_text(stmt, COL_TYPE),
        .schema_version = sqlite3_column_int(stmt, COL_SCHEMA_VERSION),
        .data = column_text(stmt, COL_DATA),
        .metadata = column_text(stmt, COL_METADATA),
    };
    /* NULL (no note covers the event) reads as 0: not known. */
    out->batch_start = sqlite3_column_int64(stmt, COL_RECORDED_AT + 1);
    if (out->event.event_id == NULL || out->event.stream_id == NULL ||
        out->event.type == NULL || out->event.data == NULL ||
        out->event.metadata == NULL)
        return esk_store_set_error(walk->store, ESK_ECORRUPT,
                                   "looking for a stored batch: the event at "
                                   "position %" PRId64 " has an empty column",
                                   out->event.position);
    return ESK_OK;
}

esk_status store_check_replay(esk_store *store, sqlite_store *s,
                              esk_append_request *request)
{
    sqlite3_stmt *stmt = NULL;
    /* The nearest note at or before each event, if it reaches the event. */
    esk_status status = sql_prepare(
        store, s,
        "SELECT " EVENT_COLUMNS ", (SELECT CASE WHEN last_position >= "
        "events.position THEN first_position END FROM batches WHERE "
        "first_position <= events.position ORDER BY first_position DESC "
        "LIMIT 1) FROM events WHERE position >= (SELECT position FROM events "
        "WHERE event_id = ?1) ORDER BY position",
        &stmt);
    if (status != ESK_OK)
        return status;
    int rc = sql_bind_text(stmt, 1, request->events[0].event_id);
    if (rc != SQLITE_OK)
        return sql_fail(store, s, rc, "looking for a stored batch");
    replay_walk walk = {store, s, stmt};
    /* The library's rule, the one its own stores follow. */
    status = esk_store_check_replay(store, request, replay_walk_next, &walk);
    sqlite3_reset(stmt);
    return status;
}

esk_status store_append_noted(esk_store *store, void *impl,
                              esk_append_request *request)
{
    sqlite_store *s = impl;
    esk_status status = store_append(store, impl, request);
    if (status != ESK_OK || request->replayed)
        return status;
    sqlite3_stmt *stmt = NULL;
    status = sql_prepare(store, s,
                         "INSERT OR REPLACE INTO batches(first_position, "
                         "last_position) VALUES(?1, ?2)",
                         &stmt);
    if (status != ESK_OK)
        return status;
    int64_t last = request->result.position;
    int rc = sqlite3_bind_int64(stmt, 1, last - (int64_t)request->count + 1);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 2, last);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE)
        status =
            sql_fail(store, s, rc, "noting the batch appended to stream '%s'",
                     request->stream_id);
    sqlite3_reset(stmt);
    return status;
}

esk_status store_insert_failed(esk_store *store, sqlite_store *s,
                               const esk_append_request *request, size_t index,
                               int rc)
{
    const esk_event *event = &request->events[index];
    if (rc == SQLITE_RANGE)
        return esk_store_set_error(
            store, ESK_EINVAL,
            "appending to stream '%s': event %zu has a recorded_at outside "
            "the years 0000 to 9999, or a parameter number that the INSERT "
            "does not have",
            request->stream_id, index);
    if ((rc & 0xff) != SQLITE_CONSTRAINT)
        return sql_fail(store, s, rc, "appending to stream '%s'",
                        request->stream_id);

    /* Keep SQLite's words: looking the id up replaces them. */
    char why[ESK_ERROR_MESSAGE_MAX];
    snprintf(why, sizeof(why), "%s", sqlite3_errmsg(s->db));
    if (rc == SQLITE_CONSTRAINT_NOTNULL)
        return esk_store_set_error(
            store, ESK_EIO,
            "appending to stream '%s': %s: bind every column of the INSERT",
            request->stream_id, why);
    if (strstr(why, "events.event_id") != NULL) {
        stored_event where = {0};
        if (find_event(store, s, event->event_id, &where) == ESK_OK &&
            where.found)
            return duplicate(store, event->event_id, &where, "");
        return esk_store_set_error(store, ESK_EDUPLICATE,
                                   "appending to stream '%s': %s",
                                   request->stream_id, why);
    }
    if (strstr(why, "events.stream_id") != NULL)
        return esk_store_set_error(
            store, ESK_ECONCURRENCY,
            "appending to stream '%s': %s: the stream moved on after its "
            "version was read (was the write lock taken first?)",
            request->stream_id, why);
    return esk_store_set_error(store, ESK_EIO, "appending to stream '%s': %s",
                               request->stream_id, why);
}
