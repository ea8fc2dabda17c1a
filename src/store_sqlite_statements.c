/*
 * src/store_sqlite_statements.c - the SQL the backend runs, prepared once
 * at open and reused by every call, and the small helpers that run it.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sqlite_internal.h"

static const char *const statement_sql[STMT_COUNT] = {
    [STMT_BEGIN] = "BEGIN IMMEDIATE",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK] = "ROLLBACK",
    /* SQLite answers max() with one seek into the (stream_id, version)
     * index. An absent stream gives NULL, which reads as 0. */
    [STMT_STREAM_VERSION] =
        "SELECT max(version) FROM events WHERE stream_id = ?1",
    [STMT_HEAD] = "SELECT max(position) FROM events",
    [STMT_INSERT] = "INSERT INTO events(" EVENT_COLUMNS ", batch_start, "
                    "tag_count) "
                    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [STMT_INSERT_TAG] =
        "INSERT INTO event_tags(position, ord, tag) VALUES(?1, ?2, ?3)",
    [STMT_CLOSED_AT] =
        "SELECT version FROM closed_streams WHERE stream_id = ?1",
    [STMT_CLOSE] =
        "INSERT INTO closed_streams(stream_id, version) VALUES(?1, ?2)",
    [STMT_EVENT_BY_ID] =
        "SELECT stream_id, version, position FROM events WHERE event_id = ?1",
    /* The events from the one with id ?1 on, for the replay rule: one
     * seek into the event_id index, then a walk of the table's B-tree
     * that the rule stops after the append it looks at. No row when the
     * id is not stored (position >= NULL is never true). */
    [STMT_REPLAY_WALK] =
        "SELECT " EVENT_SELECT ", batch_start FROM events WHERE position >= "
        "(SELECT position FROM events WHERE event_id = ?1) ORDER BY position",
    /* A negative LIMIT means no limit. */
    [STMT_READ_FORWARD] = "SELECT " EVENT_SELECT " FROM events "
                          "WHERE stream_id = ?1 AND version >= ?2 "
                          "ORDER BY version LIMIT ?3",
    [STMT_READ_BACKWARD] = "SELECT " EVENT_SELECT " FROM events "
                           "WHERE stream_id = ?1 AND version <= ?2 "
                           "ORDER BY version DESC LIMIT ?3",
    /* No LIMIT on the global reads: filters applied while stepping decide
     * which rows count, and stepping stops at max_count. Ordering by the
     * rowid needs no sort, so stopping early costs nothing. */
    [STMT_READ_ALL] = "SELECT " EVENT_SELECT " FROM events "
                      "WHERE position > ?1 ORDER BY position",
    /* Keeps the streams whose id is the category or starts with the
     * category and a '-'. That is every stream of the category and perhaps
     * a few more (for a category that itself holds a '-'), so read_rows()
     * still asks esk_stream_in_category() about each row. */
    [STMT_READ_CATEGORY] = "SELECT " EVENT_SELECT " FROM events "
                           "WHERE position > ?1 AND (stream_id = ?2 OR "
                           "substr(stream_id, 1, length(?2) + 1) = ?2 || '-') "
                           "ORDER BY position",
    [STMT_PUT_CHECKPOINT] = "INSERT OR REPLACE INTO checkpoints(name, "
                            "position, version, value, updated_at) "
                            "VALUES(?1, ?2, ?3, ?4, ?5)",
    [STMT_PUT_COMMAND] = "INSERT OR REPLACE INTO commands(command_id, "
                         "position, status, outcome, recorded_at) "
                         "VALUES(?1, ?2, ?3, ?4, ?5)",
    [STMT_PUT_SNAPSHOT] = "INSERT OR REPLACE INTO snapshots(stream_id, "
                          "version, layout_version, state, recorded_at) "
                          "VALUES(?1, ?2, ?3, ?4, ?5)",
    [STMT_GET_CHECKPOINT] = "SELECT name, position, version, value "
                            "FROM checkpoints WHERE name = ?1",
    [STMT_GET_COMMAND] = "SELECT command_id, position, status, outcome "
                         "FROM commands WHERE command_id = ?1",
    [STMT_GET_SNAPSHOT] = "SELECT stream_id, version, layout_version, state "
                          "FROM snapshots WHERE stream_id = ?1",
};

/* Run a statement that returns nothing of interest (BEGIN, COMMIT...) and
 * make it reusable. SQLITE_OK on success, else the error code, with
 * sqlite3_errmsg() still describing it. */
int esk__sqlite_run(sqlite3_stmt *stmt)
{
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* End the transaction, if SQLite has not already ended it on an error. */
void esk__sqlite_end_transaction(sqlite_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        esk__sqlite_run(s->stmt[STMT_ROLLBACK]);
}

/* Bind NUL-terminated text the caller keeps alive until the statement is
 * reset (SQLITE_STATIC: SQLite does not copy it). */
int esk__sqlite_bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
    return sqlite3_bind_text64(stmt, index, text, strlen(text), SQLITE_STATIC,
                               SQLITE_UTF8);
}

/*
 * Run a one-row, one-integer query (stream version, head position) with an
 * optional text parameter ?1. A NULL result (an empty table) reads as 0.
 */
/* Step a one-integer query: its value, or 0 for no row or NULL. */
int esk__sqlite_step_int(sqlite3_stmt *stmt, int64_t *out)
{
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(stmt, 0);
        return SQLITE_OK;
    }
    if (rc == SQLITE_DONE) {
        *out = 0;
        return SQLITE_OK;
    }
    return rc;
}

int esk__sqlite_query_int(sqlite3_stmt *stmt, const char *param, int64_t *out)
{
    int rc = param != NULL ? esk__sqlite_bind_text(stmt, 1, param) : SQLITE_OK;
    if (rc == SQLITE_OK)
        rc = esk__sqlite_step_int(stmt, out);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc;
}

const char *esk__sqlite_statement_sql(int statement)
{
    return statement_sql[statement];
}

void esk__sqlite_column_event(sqlite3_stmt *stmt, esk_event *e)
{
    e->position = sqlite3_column_int64(stmt, COL_POSITION);
    e->event_id = (const char *)sqlite3_column_text(stmt, COL_EVENT_ID);
    e->stream_id = (const char *)sqlite3_column_text(stmt, COL_STREAM_ID);
    e->version = sqlite3_column_int64(stmt, COL_VERSION);
    e->type = (const char *)sqlite3_column_text(stmt, COL_TYPE);
    e->schema_version = sqlite3_column_int(stmt, COL_SCHEMA_VERSION);
    e->data = (const char *)sqlite3_column_text(stmt, COL_DATA);
    e->metadata = (const char *)sqlite3_column_text(stmt, COL_METADATA);
}

/* Parse the next "<length>:<tag>" of text (at *at), copying the tag into
 * *out with its NUL: false when it is not one. */
static bool next_tag(const char *text, size_t *at, char **out,
                     const char *end_of_buf)
{
    size_t len = 0;
    const char *p = text + *at;
    while (*p >= '0' && *p <= '9' && len <= ESK_TAG_MAX)
        len = len * 10 + (size_t)(*p++ - '0');
    if (*p != ':' || len == 0 || len > ESK_TAG_MAX ||
        memchr(p + 1, '\0', len) != NULL ||
        (size_t)(end_of_buf - *out) < len + 1 ||
        !esk__utf8_valid_len(p + 1, len, ESK_TAG_MAX))
        return false;
    memcpy(*out, p + 1, len);
    (*out)[len] = '\0';
    *out += len + 1;
    *at = (size_t)(p + 1 + len - text);
    return true;
}

bool esk__sqlite_column_tags(sqlite3_stmt *stmt, esk__sqlite_tags *buf,
                             esk_event *e)
{
    e->tags = NULL;
    e->tag_count = 0;
    /* Most events have no tags: one call tells, before any text is asked
     * for (which would also be NULL, and need this call to tell it from
     * running out of memory). */
    if (sqlite3_column_type(stmt, COL_TAGS) == SQLITE_NULL)
        return true;
    const char *text = (const char *)sqlite3_column_text(stmt, COL_TAGS);
    if (text == NULL) /* out of memory: the caller asks SQLite */
        return false;
    char *out = buf->text;
    size_t at = 0;
    while (text[at] != '\0') {
        if (e->tag_count == ESK_EVENT_TAGS_MAX)
            return false;
        buf->tags[e->tag_count] = out;
        if (!next_tag(text, &at, &out, buf->text + sizeof buf->text))
            return false;
        e->tag_count++;
    }
    e->tags = e->tag_count > 0 ? buf->tags : NULL;
    return true;
}
