/*
 * src/store_sqlite_internal.h - the SQLite backend's state and the helpers
 * its files share. Layers, each using only those below it:
 *   store_sqlite.c          the backend table, opening and closing;
 *   store_sqlite_write.c    appends (the replay rule, inserting a batch);
 *   store_sqlite_query.c    reads by query (tags and types);
 *   store_sqlite_read.c     reads, checking every row;
 *   store_sqlite_tx.c       transactions and savepoints;
 *   store_sqlite_records.c  checkpoints, command outcomes, snapshots;
 *   store_sqlite_schema.c   the schema, its migrations, and the checks at
 *                           open (the statements must fit the tables);
 *   store_sqlite_statements.c  the prepared statements and running them;
 *   store_sqlite_errors.c   a SQLite failure in the user's terms.
 */
#ifndef ESK_STORE_SQLITE_INTERNAL_H
#define ESK_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "esk/store_backend.h"
#include "internal.h"

/* The statements prepared once at open and reused by every call. */
enum {
    STMT_BEGIN,
    STMT_COMMIT,
    STMT_ROLLBACK,
    STMT_STREAM_VERSION,
    STMT_HEAD,
    STMT_INSERT,
    STMT_INSERT_TAG,
    STMT_CLOSED_AT,
    STMT_CLOSE,
    STMT_EVENT_BY_ID,
    STMT_REPLAY_WALK,
    STMT_READ_FORWARD,
    STMT_READ_BACKWARD,
    STMT_READ_ALL,
    STMT_READ_CATEGORY,
    /* Records: put and get for each kind, in esk_record_kind order. */
    STMT_PUT_CHECKPOINT,
    STMT_PUT_COMMAND,
    STMT_PUT_SNAPSHOT,
    STMT_GET_CHECKPOINT,
    STMT_GET_COMMAND,
    STMT_GET_SNAPSHOT,
    STMT_COUNT
};

/* The columns of the events table, in the order read_rows() decodes them. */
#define EVENT_COLUMNS                                                          \
    "position, event_id, stream_id, version, type, schema_version, data, "     \
    "metadata, recorded_at"

/* What every read selects: the columns, and the event's tags as one text,
 * each tag as its length in bytes, ':' and the tag ("3:abc5:hello"), so
 * that a tag may hold any character; NULL for none. Only for an event
 * whose tag_count says it has tags: one seek into event_tags' primary key,
 * which walks the tags in the order they were given (ord); an untagged
 * event costs a read nothing more. The outer table must be named events. */
#define EVENT_SELECT                                                           \
    EVENT_COLUMNS ", CASE WHEN events.tag_count > 0 THEN (SELECT "             \
                  "group_concat(length(CAST(tag AS BLOB)) || ':' || tag, '') " \
                  "FROM event_tags WHERE event_tags.position = "               \
                  "events.position) END"

enum {
    COL_POSITION,
    COL_EVENT_ID,
    COL_STREAM_ID,
    COL_VERSION,
    COL_TYPE,
    COL_SCHEMA_VERSION,
    COL_DATA,
    COL_METADATA,
    COL_RECORDED_AT,
    COL_TAGS
};

/* An event's tags as read: pointers into text, valid until the next read
 * into the same buffer. */
typedef struct esk__sqlite_tags {
    const char *tags[ESK_EVENT_TAGS_MAX];
    char text[ESK_EVENT_TAGS_MAX * (ESK_TAG_MAX + 1)];
} esk__sqlite_tags;

/* Nested transactions are savepoints, one name per depth; undoing one is
 * ROLLBACK TO and then RELEASE. */
enum {
    SAVEPOINT_DEPTH_MAX = 32,
    SAVEPOINT_OPEN = 0,
    SAVEPOINT_RELEASE,
    SAVEPOINT_ROLLBACK_TO,
    SAVEPOINT_ACTIONS
};

/* The backend's state: one connection and its statements. */
typedef struct sqlite_store {
    sqlite3 *db;
    sqlite3_stmt *stmt[STMT_COUNT];
    /* The savepoint statements of each nesting depth, prepared on first
     * use (see nested()). */
    sqlite3_stmt *savepoint[SAVEPOINT_DEPTH_MAX][SAVEPOINT_ACTIONS];
    /* How long to wait for a lock, and since when this wait lasts. */
    int busy_timeout_ms;
    int64_t busy_since_us;
} sqlite_store;

/* --- store_sqlite_errors.c ------------------------------------------------ */

/* The status for a SQLite result code; extended codes map as their base. */
esk_status esk__sqlite_status(int rc);
/* The status for a failure while creating or checking the schema: SQLite's
 * plain "SQL error" there means the file's tables are not what esk
 * expects. */
esk_status esk__sqlite_schema_status(int rc);
/*
 * Record the SQLite failure rc as the last error: "<what esk was doing>:
 * <what happened and what to do>", e.g. "appending to stream 'x': the disk
 * is full...", with the status and extended code for rc. Call it before
 * anything else touches the connection, which would replace
 * sqlite3_errmsg().
 */
esk_status esk__sqlite_fail(const sqlite_store *s, int rc,
                            const char *doing_format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* An open-time failure: "opening '<path>': <SQLite's words>". */
esk_status esk__sqlite_open_fail(sqlite3 *db, int rc, const char *path);

/* --- store_sqlite_statements.c -------------------------------------------- */

/* The SQL text of a statement of STMT_COUNT. */
const char *esk__sqlite_statement_sql(int statement);
/* Run a statement that returns nothing of interest (BEGIN, COMMIT...) and
 * make it reusable. SQLITE_OK on success, else the error code, with
 * sqlite3_errmsg() still describing it. */
int esk__sqlite_run(sqlite3_stmt *stmt);
/* End the transaction, if SQLite has not already ended it on an error. */
void esk__sqlite_end_transaction(sqlite_store *s);
/* Bind NUL-terminated text the caller keeps alive until the statement is
 * reset (SQLITE_STATIC: SQLite does not copy it). */
int esk__sqlite_bind_text(sqlite3_stmt *stmt, int index, const char *text);
/* Step a one-integer query: its value, or 0 for no row or NULL. */
int esk__sqlite_step_int(sqlite3_stmt *stmt, int64_t *out);
/* Run a one-row, one-integer query (stream version, head position) with an
 * optional text parameter ?1, and reset it. */
int esk__sqlite_query_int(sqlite3_stmt *stmt, const char *param, int64_t *out);

/* Take the columns of EVENT_COLUMNS but recorded_at from the row stmt
 * stands on; the texts are SQLite's, valid until the next step or reset,
 * and NULL where SQLite ran out of memory (or the row is damaged). */
void esk__sqlite_column_event(sqlite3_stmt *stmt, esk_event *e);

/* Take the tags column of the row stmt stands on into buf, and point
 * e->tags into it. False when the text is not tags as esk writes them (a
 * damaged row), or SQLite ran out of memory converting it. */
bool esk__sqlite_column_tags(sqlite3_stmt *stmt, esk__sqlite_tags *buf,
                             esk_event *e);

/* --- store_sqlite_schema.c ------------------------------------------------ */

/* Accept the file as it is, upgrade it, or refuse it (ESK_ESCHEMA,
 * ESK_ECORRUPT, and what SQLite says). read_only refuses what would need
 * an upgrade instead. */
esk_status esk__sqlite_check_schema(sqlite3 *db, const char *path,
                                    bool read_only);
/* Prepare every statement of STMT_COUNT once, at open: ESK_ESCHEMA when the
 * tables do not fit them. */
esk_status esk__sqlite_prepare(sqlite_store *s, const char *path);

/* --- store_sqlite_read.c, for store_sqlite_query.c ----------------------- */

/* Step a bound read statement and push up to max_count rows into out,
 * checking each; names the read "reading <what>" in messages. Resets the
 * statement; on failure out is left empty. */
esk_status esk__sqlite_read_rows(sqlite_store *s, sqlite3_stmt *stmt,
                                 size_t max_count, esk_event_list *out,
                                 const char *what);

/* --- the backend's operations (esk_store_backend) ------------------------- */

esk_status esk__sqlite_append(esk_store *store, void *impl,
                              esk_append_request *request);
/* Whether a stream is closed (store_sqlite_write.c, beside the close). */
esk_status esk__sqlite_stream_closed(esk_store *store, void *impl,
                                     const char *stream_id, bool *out_closed);
esk_status esk__sqlite_read_stream(esk_store *store, void *impl,
                                   const char *stream_id, int64_t from_version,
                                   size_t max_count, bool backward,
                                   esk_event_list *out);
esk_status esk__sqlite_read_all(esk_store *store, void *impl,
                                int64_t after_position, size_t max_count,
                                const esk_filter *filter, esk_event_list *out);
esk_status esk__sqlite_stream_version(esk_store *store, void *impl,
                                      const char *stream_id,
                                      int64_t *out_version);
esk_status esk__sqlite_head_position(esk_store *store, void *impl,
                                     int64_t *out_position);
esk_status esk__sqlite_read_query(esk_store *store, void *impl,
                                  const esk_query *query,
                                  int64_t after_position, int64_t up_to,
                                  size_t max_count, esk_event_list *out);
esk_status esk__sqlite_begin(esk_store *store, void *impl, int depth);
esk_status esk__sqlite_commit(esk_store *store, void *impl, int depth);
esk_status esk__sqlite_rollback(esk_store *store, void *impl, int depth);
esk_status esk__sqlite_check_transaction(esk_store *store, void *impl);
esk_status esk__sqlite_put_record(esk_store *store, void *impl,
                                  esk_record_kind kind,
                                  const esk_record *record);
esk_status esk__sqlite_get_record(esk_store *store, void *impl,
                                  esk_record_kind kind, const char *key,
                                  esk_record *out, char **owned);

#endif
