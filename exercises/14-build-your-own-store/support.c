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
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "store.h"

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

/* The columns of EVENT_COLUMNS, by index. */
enum {
    COL_POSITION,
    COL_EVENT_ID,
    COL_STREAM_ID,
    COL_VERSION,
    COL_TYPE,
    COL_SCHEMA_VERSION,
    COL_DATA,
    COL_METADATA,
    COL_RECORDED_AT
};

static const char *column_text(sqlite3_stmt *stmt, int column)
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

/* ---- Records ------------------------------------------------------------- */

esk_status store_put_record(esk_store *store, void *impl, esk_record_kind kind,
                            const esk_record *record)
{
    sqlite_store *s = impl;
    sqlite3_stmt *stmt = NULL;
    esk_status status = sql_prepare(
        store, s,
        "INSERT OR REPLACE INTO records(kind, key, number, version, value) "
        "VALUES(?1, ?2, ?3, ?4, ?5)",
        &stmt);
    if (status != ESK_OK)
        return status;
    int rc = sqlite3_bind_int(stmt, 1, (int)kind);
    if (rc == SQLITE_OK)
        rc = sql_bind_text(stmt, 2, record->key);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 3, record->at);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(stmt, 4, record->tag);
    if (rc == SQLITE_OK)
        rc = sql_bind_text(stmt, 5, record->value);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE)
        status = sql_fail(store, s, rc, "writing record '%s'", record->key);
    sqlite3_reset(stmt);
    return status;
}

/*
 * Memory that the caller frees with esk_free(). esk has no esk_malloc():
 * its documented promise (esk/status.h) is that jansson allocates through
 * the same functions as esk, so jansson's allocator is the one to use.
 */
static void *esk_compatible_malloc(size_t size)
{
    json_malloc_t allocate = NULL;
    json_free_t release = NULL;
    json_get_alloc_funcs(&allocate, &release);
    return allocate(size);
}

esk_status store_get_record(esk_store *store, void *impl, esk_record_kind kind,
                            const char *key, esk_record *out, char **owned)
{
    sqlite_store *s = impl;
    sqlite3_stmt *stmt = NULL;
    esk_status status =
        sql_prepare(store, s,
                    "SELECT number, version, value FROM records "
                    "WHERE kind = ?1 AND key = ?2",
                    &stmt);
    if (status != ESK_OK)
        return status;
    int rc = sqlite3_bind_int(stmt, 1, (int)kind);
    if (rc == SQLITE_OK)
        rc = sql_bind_text(stmt, 2, key);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        status = ESK_ENOTFOUND; /* the front words the message */
    } else if (rc != SQLITE_ROW) {
        status = sql_fail(store, s, rc, "reading record '%s'", key);
    } else {
        const char *value = column_text(stmt, 2);
        size_t key_size = strlen(key) + 1;
        size_t value_size = value != NULL ? strlen(value) + 1 : 0;
        /* One block for both strings: the caller frees it once. */
        char *block =
            value != NULL ? esk_compatible_malloc(key_size + value_size) : NULL;
        if (value == NULL || block == NULL) {
            status = esk_store_set_error(
                store, ESK_ENOMEM, "out of memory reading record '%s'", key);
        } else {
            memcpy(block, key, key_size);
            memcpy(block + key_size, value, value_size);
            *out = (esk_record){block, sqlite3_column_int64(stmt, 0),
                                sqlite3_column_int(stmt, 1), block + key_size};
            *owned = block;
        }
    }
    sqlite3_reset(stmt);
    return status;
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
