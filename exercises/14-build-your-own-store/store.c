/*
 * store.c - the heart of an event store on SQLite. YOU EDIT THIS FILE.
 *
 * Each function's contract, with every status it returns, is in store.h;
 * the helpers (sql_prepare, sql_run, sql_query_int, sql_bind_text,
 * sql_bind_time, sql_read_events, sql_fail, sql_script) are described
 * there too. Write the functions in this order, which is the order in
 * which the tests need them:
 *
 *   1. store_create_schema    then the schema tests pass, and a few of
 *                             the suite's (those the front answers alone)
 *   2. store_stream_version,
 *      store_head_position
 *   3. store_begin, store_commit, store_rollback
 *                             the front wraps every append in a
 *                             transaction: needed before any append
 *   4. store_append
 *   5. store_read_stream
 */
#include <stdio.h>

#include "exercise.h"
#include "store.h"

/*
 * The events table, in one CREATE TABLE run with sql_script(db, ...).
 * The columns are those of EVENT_COLUMNS (store.h), each NOT NULL;
 * position is the INTEGER PRIMARY KEY; event_id is UNIQUE; and
 * UNIQUE(stream_id, version) makes the table refuse a second event at a
 * version already taken.
 */
esk_status store_create_schema(sqlite3 *db)
{
    (void)db;
    return EXERCISE_TODO("store_create_schema");
}

/* max(version) of the stream's events, with sql_query_int(). */
esk_status store_stream_version(esk_store *store, void *impl,
                                const char *stream_id, int64_t *out_version)
{
    (void)store;
    (void)impl;
    (void)stream_id;
    (void)out_version;
    return EXERCISE_TODO("store_stream_version");
}

/* max(position) of all events, with sql_query_int(). */
esk_status store_head_position(esk_store *store, void *impl,
                               int64_t *out_position)
{
    (void)store;
    (void)impl;
    (void)out_position;
    return EXERCISE_TODO("store_head_position");
}

/* Depth 0: "BEGIN IMMEDIATE". Deeper: "SAVEPOINT depth<N>". With
 * sql_run(). */
esk_status store_begin(esk_store *store, void *impl, int depth)
{
    (void)store;
    (void)impl;
    (void)depth;
    return EXERCISE_TODO("store_begin");
}

/* Depth 0: "COMMIT" (and, if it fails, store_rollback at depth 0).
 * Deeper: "RELEASE depth<N>". */
esk_status store_commit(esk_store *store, void *impl, int depth)
{
    (void)store;
    (void)impl;
    (void)depth;
    return EXERCISE_TODO("store_commit");
}

/* Depth 0: "ROLLBACK", unless sqlite3_get_autocommit() says SQLite has
 * rolled back already. Deeper: "ROLLBACK TO depth<N>", then
 * "RELEASE depth<N>". */
esk_status store_rollback(esk_store *store, void *impl, int depth)
{
    (void)store;
    (void)impl;
    (void)depth;
    return EXERCISE_TODO("store_rollback");
}

/* Replay check, version and head, esk_store_check_expected(), one INSERT
 * per event, then the versions, positions and result: see store.h. */
esk_status store_append(esk_store *store, void *impl,
                        esk_append_request *request)
{
    (void)store;
    (void)impl;
    (void)request;
    return EXERCISE_TODO("store_append");
}

/* A SELECT of EVENT_COLUMNS for one stream, forward or backward from
 * from_version, bound, then sql_read_events(). */
esk_status store_read_stream(esk_store *store, void *impl,
                             const char *stream_id, int64_t from_version,
                             size_t max_count, bool backward,
                             esk_event_list *out)
{
    (void)store;
    (void)impl;
    (void)stream_id;
    (void)from_version;
    (void)max_count;
    (void)backward;
    (void)out;
    return EXERCISE_TODO("store_read_stream");
}
