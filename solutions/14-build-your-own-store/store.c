/*
 * store.c - the heart of an event store on SQLite: its table, its
 * transactions, its appends and its stream reads.
 *
 * Two guards keep a stream's history straight. The first is the order of
 * an append: take the write lock, read the stream's version, compare it
 * with the version the caller decided on, write. Nobody can write between
 * the read and the write, so two appends made from the same version
 * cannot both succeed. The second is the table itself: it refuses a
 * second event at a version already taken, whatever code tries.
 */
#include <stdio.h>

#include "store.h"

esk_status store_create_schema(sqlite3 *db)
{
    /* position is the rowid: the feed is read in the table's own order.
     * The UNIQUE constraints create the indexes that stream reads and
     * event id lookups use, and are the last guard against a bug. */
    return sql_script(db, "CREATE TABLE events("
                          "position INTEGER PRIMARY KEY, "
                          "event_id TEXT NOT NULL UNIQUE, "
                          "stream_id TEXT NOT NULL, "
                          "version INTEGER NOT NULL, "
                          "type TEXT NOT NULL, "
                          "schema_version INTEGER NOT NULL, "
                          "data TEXT NOT NULL, "
                          "metadata TEXT NOT NULL, "
                          "recorded_at TEXT NOT NULL, "
                          "UNIQUE(stream_id, version))");
}

esk_status store_stream_version(esk_store *store, void *impl,
                                const char *stream_id, int64_t *out_version)
{
    /* One seek into the (stream_id, version) index. */
    return sql_query_int(store, impl,
                         "SELECT max(version) FROM events WHERE stream_id = ?1",
                         stream_id, out_version);
}

esk_status store_head_position(esk_store *store, void *impl,
                               int64_t *out_position)
{
    /* The last row of the table's B-tree. */
    return sql_query_int(store, impl, "SELECT max(position) FROM events", NULL,
                         out_position);
}

/* "SAVEPOINT depth2", "RELEASE depth2"...: SQLite wants the name in the
 * text, so each depth has statements of its own. */
static esk_status run_at_depth(esk_store *store, void *impl, const char *verb,
                               int depth)
{
    char sql[48];
    snprintf(sql, sizeof(sql), "%s depth%d", verb, depth);
    return sql_run(store, impl, sql);
}

esk_status store_begin(esk_store *store, void *impl, int depth)
{
    /* IMMEDIATE: the lock is taken now, before the append reads the
     * version it will compare, not at its first write. */
    if (depth == 0)
        return sql_run(store, impl, "BEGIN IMMEDIATE");
    return run_at_depth(store, impl, "SAVEPOINT", depth);
}

esk_status store_commit(esk_store *store, void *impl, int depth)
{
    if (depth > 0)
        return run_at_depth(store, impl, "RELEASE", depth);
    esk_status status = sql_run(store, impl, "COMMIT");
    if (status != ESK_OK)
        store_rollback(store, impl, 0); /* leave no transaction open */
    return status;
}

esk_status store_rollback(esk_store *store, void *impl, int depth)
{
    sqlite_store *s = impl;
    if (depth == 0) {
        /* After a full disk or an I/O error SQLite may have rolled back
         * already: then nothing is left to undo. */
        if (sqlite3_get_autocommit(s->db))
            return ESK_OK;
        return sql_run(store, impl, "ROLLBACK");
    }
    /* ROLLBACK TO undoes the work but leaves the savepoint open. */
    esk_status status = run_at_depth(store, impl, "ROLLBACK TO", depth);
    if (status == ESK_OK)
        status = run_at_depth(store, impl, "RELEASE", depth);
    return status;
}

/* Insert the events of the batch at versions version + 1... and positions
 * head + 1..., and write those numbers into the request. */
static esk_status insert_batch(esk_store *store, sqlite_store *s,
                               esk_append_request *request, int64_t version,
                               int64_t head)
{
    sqlite3_stmt *insert = NULL;
    esk_status status =
        sql_prepare(store, s,
                    "INSERT INTO events(" EVENT_COLUMNS ") "
                    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    &insert);
    for (size_t i = 0; i < request->count && status == ESK_OK; i++) {
        esk_event *event = &request->events[i];
        event->version = version + 1 + (int64_t)i;
        event->position = head + 1 + (int64_t)i;

        /* Parameters, never text pasted into the SQL: a stream id may
         * hold quotes, and data is whatever the caller sent. */
        int rc = sqlite3_bind_int64(insert, 1, event->position);
        if (rc == SQLITE_OK)
            rc = sql_bind_text(insert, 2, event->event_id);
        if (rc == SQLITE_OK)
            rc = sql_bind_text(insert, 3, request->stream_id);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int64(insert, 4, event->version);
        if (rc == SQLITE_OK)
            rc = sql_bind_text(insert, 5, event->type);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int(insert, 6, event->schema_version);
        if (rc == SQLITE_OK)
            rc = sql_bind_text(insert, 7, event->data);
        if (rc == SQLITE_OK)
            rc = sql_bind_text(insert, 8, event->metadata);
        if (rc == SQLITE_OK)
            rc = sql_bind_time(insert, 9, event->recorded_at);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(insert);
        if (rc != SQLITE_DONE)
            status = store_insert_failed(store, s, request, i, rc);
        sqlite3_reset(insert);
    }
    return status;
}

esk_status store_append(esk_store *store, void *impl,
                        esk_append_request *request)
{
    sqlite_store *s = impl;
    esk_status status = ESK_OK;

    /* A retry of a batch that was stored already: answer as the first
     * time, write nothing. */
    if (request->ids_supplied) {
        status = store_check_replay(store, s, request);
        if (status != ESK_OK || request->replayed)
            return status;
    }

    /* Read under the write lock that store_begin() took: these numbers
     * cannot change before the insert. */
    int64_t version = 0;
    int64_t head = 0;
    status = store_stream_version(store, impl, request->stream_id, &version);
    if (status == ESK_OK)
        status = store_head_position(store, impl, &head);
    if (status == ESK_OK)
        status = esk_store_check_expected(store, request->stream_id,
                                          request->expected, version);
    if (status == ESK_OK)
        status = insert_batch(store, s, request, version, head);
    if (status != ESK_OK)
        return status;

    request->result.version = version + (int64_t)request->count;
    request->result.position = head + (int64_t)request->count;
    return ESK_OK;
}

esk_status store_read_stream(esk_store *store, void *impl,
                             const char *stream_id, int64_t from_version,
                             size_t max_count, bool backward,
                             esk_event_list *out)
{
    sqlite_store *s = impl;
    sqlite3_stmt *stmt = NULL;
    /* Both walk the (stream_id, version) index, one way or the other. */
    const char *sql = backward ? "SELECT " EVENT_COLUMNS " FROM events "
                                 "WHERE stream_id = ?1 AND version <= ?2 "
                                 "ORDER BY version DESC"
                               : "SELECT " EVENT_COLUMNS " FROM events "
                                 "WHERE stream_id = ?1 AND version >= ?2 "
                                 "ORDER BY version";
    if (backward && from_version == ESK_END)
        from_version = INT64_MAX;

    char doing[ESK_STREAM_ID_MAX + 32];
    snprintf(doing, sizeof(doing), "reading stream '%s'", stream_id);
    esk_status status = sql_prepare(store, s, sql, &stmt);
    if (status != ESK_OK)
        return status;
    int rc = sql_bind_text(stmt, 1, stream_id);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 2, from_version);
    if (rc != SQLITE_OK)
        return sql_fail(store, s, rc, "%s", doing);
    /* No LIMIT: sql_read_events() stops at max_count. */
    return sql_read_events(store, s, stmt, max_count, NULL, doing, out);
}
