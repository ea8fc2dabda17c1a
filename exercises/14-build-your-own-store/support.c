/*
 * support.c - the parts of the SQLite backend that are not the lesson.
 * Provided.
 *
 * Opening the database, the records (checkpoints, command outcomes,
 * snapshots), the feed of all events, the replay check and the note of
 * where each append begins that it reads, the messages of a failed
 * insert, and small helpers over SQLite's C API. They follow the
 * library's own SQLite backend (src/store_sqlite.c), in fewer lines: one
 * records table instead of three, no schema migrations, and append
 * boundaries in a table of their own (the library keeps them in a column
 * of events; here the events table is yours).
 *
 * This file holds the errors, the statements, the feed, opening and
 * closing; the replay check, the notes and the failed inserts are in
 * support_appends.c, the records in support_records.c.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "store.h"
#include "support.h"

const esk_store_backend sqlite_exercise_backend = {
    .name = "sqlite (yours)",
    .append = store_append_noted,
    .read_stream = store_read_stream,
    .read_all = store_read_all,
    .stream_version = store_stream_version,
    .head_position = store_head_position,
    .begin = store_begin,
    .commit = store_commit,
    .rollback = store_rollback,
    .put_record = store_put_record,
    .get_record = store_get_record,
    .close = store_close,
};

/* ---- Errors -------------------------------------------------------------- */

/* The status a SQLite result code stands for; extended codes map as their
 * base code. */
static esk_status status_of(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
        return ESK_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ESK_EBUSY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return ESK_ECORRUPT;
    case SQLITE_READONLY:
        return ESK_EREADONLY;
    case SQLITE_NOMEM:
        return ESK_ENOMEM;
    case SQLITE_TOOBIG:
        return ESK_EINVAL; /* a value too long: the caller's data */
    default:
        return ESK_EIO;
    }
}

esk_status sql_fail(esk_store *store, sqlite_store *s, int rc,
                    const char *doing_format, ...)
{
    char doing[ESK_ERROR_MESSAGE_MAX];
    va_list args;
    va_start(args, doing_format);
    vsnprintf(doing, sizeof(doing), doing_format, args);
    va_end(args);

    esk_status status = status_of(rc);
    if (status == ESK_EBUSY)
        return esk_store_set_error(
            store, status,
            "%s: %s (another connection held the lock for more than %d ms)",
            doing, sqlite3_errmsg(s->db), s->busy_timeout_ms);
    return esk_store_set_error(store, status, "%s: %s", doing,
                               sqlite3_errmsg(s->db));
}

esk_status sql_script(sqlite3 *db, const char *sql)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        return ESK_OK;
    /* A plain SQL error here is SQL that does not fit the database. */
    esk_status status =
        (rc & 0xff) == SQLITE_ERROR ? ESK_ESCHEMA : status_of(rc);
    return esk_error_set(status, "%s", sqlite3_errmsg(db));
}

/* ---- Statements ---------------------------------------------------------- */

esk_status sql_prepare(esk_store *store, sqlite_store *s, const char *sql,
                       sqlite3_stmt **out)
{
    /* SQLite keeps each statement's text: it is the key. A store has a
     * few dozen statements at most, so a list is all it takes. */
    for (size_t i = 0; i < s->statement_count; i++) {
        if (strcmp(sqlite3_sql(s->statements[i]), sql) == 0) {
            sqlite3_reset(s->statements[i]);
            sqlite3_clear_bindings(s->statements[i]);
            *out = s->statements[i];
            return ESK_OK;
        }
    }
    if (s->statement_count == s->statement_capacity) {
        size_t capacity =
            s->statement_capacity == 0 ? 16 : 2 * s->statement_capacity;
        sqlite3_stmt **grown =
            realloc(s->statements, capacity * sizeof(*grown));
        if (grown == NULL)
            return esk_store_set_error(store, ESK_ENOMEM,
                                       "out of memory preparing '%s'", sql);
        s->statements = grown;
        s->statement_capacity = capacity;
    }
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                &stmt, NULL);
    if (rc != SQLITE_OK)
        return sql_fail(store, s, rc, "preparing \"%s\"", sql);
    s->statements[s->statement_count++] = stmt;
    *out = stmt;
    return ESK_OK;
}

esk_status sql_run(esk_store *store, sqlite_store *s, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    esk_status status = sql_prepare(store, s, sql, &stmt);
    if (status != ESK_OK)
        return status;
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        status = sql_fail(store, s, rc, "running \"%s\"", sql);
    sqlite3_reset(stmt);
    return status;
}

esk_status sql_query_int(esk_store *store, sqlite_store *s, const char *sql,
                         const char *param, int64_t *out)
{
    sqlite3_stmt *stmt = NULL;
    esk_status status = sql_prepare(store, s, sql, &stmt);
    if (status != ESK_OK)
        return status;
    int rc = param != NULL ? sql_bind_text(stmt, 1, param) : SQLITE_OK;
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(stmt, 0); /* NULL reads as 0 */
    } else if (rc == SQLITE_DONE) {
        *out = 0;
    } else {
        status = sql_fail(store, s, rc, "running \"%s\"", sql);
    }
    sqlite3_reset(stmt);
    return status;
}

int sql_bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
    return sqlite3_bind_text64(stmt, index, text, strlen(text),
                               SQLITE_TRANSIENT, SQLITE_UTF8);
}

int sql_bind_time(sqlite3_stmt *stmt, int index, esk_time time)
{
    char text[ESK_TIME_TEXT_SIZE];
    if (esk_time_format(time, text) != ESK_OK)
        return SQLITE_RANGE;
    return sql_bind_text(stmt, index, text);
}

const char *column_text(sqlite3_stmt *stmt, int column)
{
    return (const char *)sqlite3_column_text(stmt, column);
}

esk_status sql_read_events(esk_store *store, sqlite_store *s,
                           sqlite3_stmt *stmt, size_t max_count,
                           const esk_filter *filter, const char *doing,
                           esk_event_list *out)
{
    esk_status status = ESK_OK;
    int rc = SQLITE_OK;

    while (out->count < max_count) {
        rc = sqlite3_step(stmt);
        if (rc != SQLITE_ROW)
            break;
        rc = SQLITE_OK;
        esk_event event = {
            .position = sqlite3_column_int64(stmt, COL_POSITION),
            .event_id = column_text(stmt, COL_EVENT_ID),
            .stream_id = column_text(stmt, COL_STREAM_ID),
            .version = sqlite3_column_int64(stmt, COL_VERSION),
            .type = column_text(stmt, COL_TYPE),
            .schema_version = sqlite3_column_int(stmt, COL_SCHEMA_VERSION),
            .data = column_text(stmt, COL_DATA),
            .metadata = column_text(stmt, COL_METADATA),
        };
        const char *recorded_at = column_text(stmt, COL_RECORDED_AT);
        /* The columns are NOT NULL: a NULL is SQLite out of memory, or a
         * row that something other than this store wrote. */
        if (event.event_id == NULL || event.stream_id == NULL ||
            event.type == NULL || event.data == NULL ||
            event.metadata == NULL || recorded_at == NULL ||
            esk_time_parse(recorded_at, &event.recorded_at) != ESK_OK) {
            if (sqlite3_errcode(s->db) == SQLITE_NOMEM) {
                rc = SQLITE_NOMEM;
                break;
            }
            status = esk_store_set_error(store, ESK_ECORRUPT,
                                         "%s: the event at position %" PRId64
                                         " has an empty or unreadable column",
                                         doing, event.position);
            break;
        }
        if (filter != NULL &&
            (!esk_stream_in_category(event.stream_id, filter->category) ||
             !esk_filter_has_type(filter, event.type)))
            continue;
        status = esk_event_list_push(out, &event);
        if (status != ESK_OK) {
            status =
                esk_store_set_error(store, status, "%s: out of memory", doing);
            break;
        }
    }
    if (status == ESK_OK && rc != SQLITE_OK && rc != SQLITE_DONE)
        status = sql_fail(store, s, rc, "%s", doing);
    sqlite3_reset(stmt);
    if (status != ESK_OK)
        esk_event_list_clear(out);
    return status;
}

/* ---- The feed ------------------------------------------------------------ */

esk_status store_read_all(esk_store *store, void *impl, int64_t after_position,
                          size_t max_count, const esk_filter *filter,
                          esk_event_list *out)
{
    sqlite_store *s = impl;
    sqlite3_stmt *stmt = NULL;
    /* Ordered by the rowid: no sort, and stopping early costs nothing.
     * The filter is applied while stepping, so that max_count counts the
     * events that pass it. */
    esk_status status = sql_prepare(store, s,
                                    "SELECT " EVENT_COLUMNS " FROM events "
                                    "WHERE position > ?1 ORDER BY position",
                                    &stmt);
    if (status != ESK_OK)
        return status;
    int rc = sqlite3_bind_int64(stmt, 1, after_position);
    if (rc != SQLITE_OK)
        return sql_fail(store, s, rc, "reading all events");
    bool filtered = filter->category != NULL || filter->type_count > 0;
    return sql_read_events(store, s, stmt, max_count, filtered ? filter : NULL,
                           "reading all events", out);
}

/* ---- Opening and closing ------------------------------------------------- */

struct sqlite3 *store_db(void *impl)
{
    return ((sqlite_store *)impl)->db;
}

void store_close(void *impl)
{
    sqlite_store *s = impl;
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->statement_count; i++)
        sqlite3_finalize(s->statements[i]);
    free(s->statements);
    /* Every statement is finalized, so the connection closes now (and the
     * last connection to a file folds its WAL back into the database). */
    sqlite3_close(s->db);
    free(s);
}

/* The records of esk/store.h (checkpoints, command outcomes, snapshots),
 * one table for the three kinds; and where each append begins and ends,
 * for the replay check. */
static const char records_schema[] =
    "CREATE TABLE IF NOT EXISTS records("
    "kind INTEGER NOT NULL, key TEXT NOT NULL, number INTEGER NOT NULL, "
    "version INTEGER NOT NULL, value TEXT NOT NULL, "
    "PRIMARY KEY(kind, key));"
    "CREATE TABLE IF NOT EXISTS batches("
    "first_position INTEGER PRIMARY KEY, last_position INTEGER NOT NULL)";

/* Whether the database already has its events table. */
static esk_status has_events_table(sqlite3 *db, bool *out)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT count(*) FROM sqlite_master "
                                "WHERE type = 'table' AND name = 'events'",
                                -1, &stmt, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int(stmt, 0) > 0;
    esk_status status = rc == SQLITE_ROW ? ESK_OK
                                         : esk_error_set(status_of(rc), "%s",
                                                         sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return status;
}

/* Create what a new database lacks, under the write lock, so that two
 * processes opening a new file at once create it once. */
static esk_status create_tables(sqlite3 *db)
{
    bool exists = false;
    esk_status status = sql_script(db, "BEGIN IMMEDIATE");
    if (status != ESK_OK)
        return status;
    status = has_events_table(db, &exists);
    if (status == ESK_OK && !exists) {
        status = store_create_schema(db);
        if (status == ESK_ENOTIMPL)
            esk_error_set(status,
                          "store_create_schema() is still a stub: write the "
                          "events table in exercises/14-build-your-own-store/"
                          "store.c");
        else if (status != ESK_OK)
            esk_error_set(status, "creating the events table: %s",
                          esk_errmsg());
    }
    if (status == ESK_OK)
        status = sql_script(db, records_schema);
    if (status == ESK_OK)
        status = sql_script(db, "COMMIT");
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return status;
}

/* The events table must have the columns that support.c reads. */
static esk_status check_columns(sqlite3 *db)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT " EVENT_COLUMNS " FROM events", -1,
                                &stmt, NULL);
    sqlite3_finalize(stmt);
    if (rc == SQLITE_OK)
        return ESK_OK;
    return esk_error_set(ESK_ESCHEMA,
                         "the events table does not have the columns of "
                         "EVENT_COLUMNS (store.h): %s",
                         sqlite3_errmsg(db));
}

static esk_status configure(sqlite_store *s, const char *path,
                            const esk_store_options *options)
{
    int rc = sqlite3_open_v2(
        path, &s->db,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (s->db == NULL)
        return esk_error_set(ESK_ENOMEM, "opening '%s': out of memory", path);
    if (rc != SQLITE_OK)
        return esk_error_set(status_of(rc), "opening '%s': %s", path,
                             sqlite3_errmsg(s->db));
    /* Constraint failures then say which constraint (UNIQUE, NOT NULL). */
    sqlite3_extended_result_codes(s->db, 1);
    rc = sqlite3_busy_timeout(s->db, options->busy_timeout_ms);
    if (rc != SQLITE_OK)
        return esk_error_set(status_of(rc), "opening '%s': %s", path,
                             sqlite3_errmsg(s->db));
    /* WAL: readers, in this process or another, never wait for the
     * writer, and a commit appends to the log instead of rewriting pages.
     * The mode is kept in the file. */
    esk_status status = sql_script(s->db, "PRAGMA journal_mode = WAL");
    if (status == ESK_OK)
        status = sql_script(s->db, options->durability == ESK_DURABILITY_FULL
                                       ? "PRAGMA synchronous = FULL"
                                       : "PRAGMA synchronous = NORMAL");
    if (status == ESK_OK)
        status = create_tables(s->db);
    if (status == ESK_OK)
        status = check_columns(s->db);
    return status;
}

esk_status store_connect(sqlite_store **out, const char *path,
                         const esk_store_options *options)
{
    static const esk_store_options defaults = ESK_STORE_OPTIONS_INIT;
    if (out == NULL || path == NULL || path[0] == '\0')
        return esk_error_set(ESK_EINVAL, "store_connect: no path");
    if (options == NULL)
        options = &defaults;
    if (options->busy_timeout_ms < 0)
        return esk_error_set(ESK_EINVAL,
                             "store_connect: busy_timeout_ms %d is negative",
                             options->busy_timeout_ms);

    sqlite_store *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return esk_error_set(ESK_ENOMEM, "opening '%s': out of memory", path);
    s->busy_timeout_ms = options->busy_timeout_ms;
    esk_status status = configure(s, path, options);
    if (status != ESK_OK) {
        store_close(s);
        return status;
    }
    *out = s;
    return ESK_OK;
}

esk_status store_open(esk_store **out, const char *path,
                      const esk_store_options *options)
{
    sqlite_store *s = NULL;
    esk_status status = store_connect(&s, path, options);
    if (status != ESK_OK)
        return status;
    /* From here the store owns s, and closes it on failure too. */
    status = esk_store_new(out, &sqlite_exercise_backend, s, options);
    if (status != ESK_OK)
        return esk_error_set(status, "opening '%s': %s", path,
                             esk_status_str(status));
    return ESK_OK;
}
