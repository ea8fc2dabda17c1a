/*
 * src/store_sqlite.c - the SQLite backend of the event store.
 *
 * Every event is one row of one table, readable with the sqlite3 shell:
 *
 *   sqlite3 store.db 'select * from events'
 *
 * position is the table's rowid, so reading in global order is a walk of the
 * table's own B-tree, and UNIQUE(stream_id, version) gives the index that
 * stream reads and the stream version use. recorded_at is ISO 8601 text so
 * that a person reading the table sees a date, not a number.
 *
 * Writers serialise on SQLite's write lock: an append runs in BEGIN IMMEDIATE,
 * reads the stream version and the head position inside it, and gives the
 * batch the next versions and positions. Since only one transaction can hold
 * the lock, positions are gap-free and in commit order, also across
 * processes. The database runs in WAL mode, so readers never wait for the
 * writer.
 *
 * The file says what it is with two header fields: PRAGMA application_id
 * (ESK_APPLICATION_ID) and PRAGMA user_version (the schema version). Opening
 * refuses another application's database and a schema newer than this
 * build, and brings an older esk schema up to date with the migrations below.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "esk/store_backend.h"
#include "internal.h"
#include "store_internal.h"

/* "ESK1": marks a SQLite file as an esk event store. */
#define ESK_APPLICATION_ID 0x45534B31

/*
 * The schema, as the steps that build it: migrations[i] takes a database
 * from schema version i to i + 1, so a new database runs them all and an
 * older one runs the ones it misses. To change the schema, append a step;
 * never edit one that has shipped. The schema version is the number of steps.
 */
static const char *const migrations[] = {
    /* 0 -> 1: the events table. */
    "CREATE TABLE events("
    "position INTEGER PRIMARY KEY, "
    "event_id TEXT NOT NULL UNIQUE, "
    "stream_id TEXT NOT NULL, "
    "version INTEGER NOT NULL, "
    "type TEXT NOT NULL, "
    "schema_version INTEGER NOT NULL, "
    "data TEXT NOT NULL, "
    "metadata TEXT NOT NULL, "
    "recorded_at TEXT NOT NULL, "
    "UNIQUE(stream_id, version))",
    /* 1 -> 2: records kept beside the events, one table per kind. */
    "CREATE TABLE checkpoints("
    "name TEXT PRIMARY KEY, position INTEGER NOT NULL, "
    "version INTEGER NOT NULL, value TEXT NOT NULL, "
    "updated_at TEXT NOT NULL);"
    "CREATE TABLE commands("
    "command_id TEXT PRIMARY KEY, position INTEGER NOT NULL, "
    "status INTEGER NOT NULL, outcome TEXT NOT NULL, "
    "recorded_at TEXT NOT NULL);"
    "CREATE TABLE snapshots("
    "stream_id TEXT PRIMARY KEY, version INTEGER NOT NULL, "
    "layout_version INTEGER NOT NULL, state TEXT NOT NULL, "
    "recorded_at TEXT NOT NULL)",
    /* 2 -> 3: where each append begins, so that a retry can be told from
     * a batch that spans two appends or covers part of one: the position
     * of the first event of the append that wrote the row. Rows written
     * before this step keep NULL: their appends' boundaries were never
     * recorded, and guessing them (from recorded_at, say) could merge two
     * appends or split one. Adding a column with no default rewrites no
     * row, so the upgrade is instant on any size of file. */
    "ALTER TABLE events ADD COLUMN batch_start INTEGER",
};

#define SCHEMA_VERSION ((int64_t)(sizeof migrations / sizeof migrations[0]))

/* The statements prepared once at open and reused by every call. */
enum {
    STMT_BEGIN,
    STMT_COMMIT,
    STMT_ROLLBACK,
    STMT_STREAM_VERSION,
    STMT_HEAD,
    STMT_INSERT,
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

/* The columns every read selects, in the order read_rows() decodes them. */
#define EVENT_COLUMNS                                                          \
    "position, event_id, stream_id, version, type, schema_version, data, "     \
    "metadata, recorded_at"

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

static const char *const statement_sql[STMT_COUNT] = {
    [STMT_BEGIN] = "BEGIN IMMEDIATE",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK] = "ROLLBACK",
    /* SQLite answers max() with one seek into the (stream_id, version)
     * index. An absent stream gives NULL, which reads as 0. */
    [STMT_STREAM_VERSION] =
        "SELECT max(version) FROM events WHERE stream_id = ?1",
    [STMT_HEAD] = "SELECT max(position) FROM events",
    [STMT_INSERT] = "INSERT INTO events(" EVENT_COLUMNS ", batch_start) "
                    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [STMT_EVENT_BY_ID] =
        "SELECT stream_id, version, position FROM events WHERE event_id = ?1",
    /* The events from the one with id ?1 on, for the replay rule: one
     * seek into the event_id index, then a walk of the table's B-tree
     * that the rule stops after the append it looks at. No row when the
     * id is not stored (position >= NULL is never true). */
    [STMT_REPLAY_WALK] =
        "SELECT " EVENT_COLUMNS ", batch_start FROM events WHERE position >= "
        "(SELECT position FROM events WHERE event_id = ?1) ORDER BY position",
    /* A negative LIMIT means no limit. */
    [STMT_READ_FORWARD] = "SELECT " EVENT_COLUMNS " FROM events "
                          "WHERE stream_id = ?1 AND version >= ?2 "
                          "ORDER BY version LIMIT ?3",
    [STMT_READ_BACKWARD] = "SELECT " EVENT_COLUMNS " FROM events "
                           "WHERE stream_id = ?1 AND version <= ?2 "
                           "ORDER BY version DESC LIMIT ?3",
    /* No LIMIT on the global reads: filters applied while stepping decide
     * which rows count, and stepping stops at max_count. Ordering by the
     * rowid needs no sort, so stopping early costs nothing. */
    [STMT_READ_ALL] = "SELECT " EVENT_COLUMNS " FROM events "
                      "WHERE position > ?1 ORDER BY position",
    /* Keeps the streams whose id is the category or starts with the
     * category and a '-'. That is every stream of the category and perhaps
     * a few more (for a category that itself holds a '-'), so read_rows()
     * still asks esk_stream_in_category() about each row. */
    [STMT_READ_CATEGORY] = "SELECT " EVENT_COLUMNS " FROM events "
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

/* The status for a SQLite result code; extended codes map as their base. */
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
        /* A value beyond SQLITE_LIMIT_LENGTH: the caller's data. */
        return ESK_EINVAL;
    default:
        /* SQLITE_FULL, SQLITE_IOERR, SQLITE_CANTOPEN and the rest. */
        return ESK_EIO;
    }
}

/* The finer cause of a failure, for a caller that acts on it: SQLITE_FULL
 * (the disk, or PRAGMA max_page_count) wants space freed; a lock held past
 * the busy timeout may be tried again; a stale snapshot wants the whole
 * unit redone. */
static esk_ext ext_of(int rc)
{
    if ((rc & 0xff) == SQLITE_FULL)
        return ESK_EXT_DISK_FULL;
    if (rc == SQLITE_BUSY_SNAPSHOT)
        return ESK_EXT_BUSY_SNAPSHOT;
    if ((rc & 0xff) == SQLITE_BUSY)
        return ESK_EXT_BUSY_TIMEOUT;
    return ESK_EXT_NONE;
}

/* The status for a failure while creating or checking the schema: SQLite's
 * plain "SQL error" there means the file's tables are not what esk expects. */
static esk_status schema_status_of(int rc)
{
    return (rc & 0xff) == SQLITE_ERROR ? ESK_ESCHEMA : status_of(rc);
}

/* What a failure means in the user's terms, and what to do about it. */
typedef struct failure_text {
    int code; /* an extended code, or a primary one for the rest */
    const char *text;
    /* Whether SQLite's own words follow: they name the constraint, the
     * damage or the limit. */
    bool sqlite_words;
} failure_text;

/* Looked up by the extended code first, then by its primary code. Plain
 * SQLITE_BUSY is not here: its text names the busy timeout (explain()). */
static const failure_text failure_texts[] = {
    {SQLITE_FULL,
     "the disk is full, or the database reached its size limit (PRAGMA "
     "max_page_count): free some space, then try again",
     false},

    {SQLITE_IOERR_READ, "reading the database file or its log failed", false},
    {SQLITE_IOERR_SHORT_READ,
     "the database file ended before the page being read: was it truncated?",
     false},
    {SQLITE_IOERR_WRITE, "writing to the database file or its log failed",
     false},
    {SQLITE_IOERR_FSYNC, "flushing the database to the disk (fsync) failed",
     false},
    {SQLITE_IOERR_DIR_FSYNC,
     "flushing the database's folder to the disk (fsync) failed", false},
    {SQLITE_IOERR_TRUNCATE, "truncating the database file or its log failed",
     false},
    {SQLITE_IOERR_FSTAT, "reading the size of a database file (fstat) failed",
     false},
    {SQLITE_IOERR_LOCK, "taking a file lock failed", false},
    {SQLITE_IOERR_RDLOCK, "taking a file lock failed", false},
    {SQLITE_IOERR_UNLOCK, "releasing a file lock failed", false},
    {SQLITE_IOERR_CHECKRESERVEDLOCK, "checking a file lock failed", false},
    {SQLITE_IOERR_DELETE, "deleting a journal file failed", false},
    {SQLITE_IOERR_ACCESS, "checking whether a database file exists failed",
     false},
    {SQLITE_IOERR_SHMOPEN, "opening the log's shared-memory file failed",
     false},
    {SQLITE_IOERR_SHMSIZE, "growing the log's shared-memory file failed",
     false},
    {SQLITE_IOERR_SHMMAP, "mapping the log's shared-memory file failed", false},
    {SQLITE_IOERR_SHMLOCK, "locking the log's shared-memory file failed",
     false},
    {SQLITE_IOERR_SEEK, "seeking in a database file failed", false},
    {SQLITE_IOERR_MMAP, "memory-mapping the database file failed", false},
    {SQLITE_IOERR_CLOSE, "closing a database file failed", false},
    {SQLITE_IOERR_NOMEM, "out of memory while reading or writing the database",
     false},
    {SQLITE_IOERR, "an input/output error on the database's files", false},

    {SQLITE_BUSY_SNAPSHOT,
     "a statement left open on this store's connection (a query not finished "
     "or reset) reads an older snapshot than the last commit, so the write "
     "lock cannot be taken: finish or reset it, then try again",
     false},
    {SQLITE_BUSY_RECOVERY,
     "another connection holds the lock while it recovers the log after a "
     "crash: try again in a moment",
     false},
    {SQLITE_LOCKED,
     "another statement on this store's connection holds the table (a query "
     "not finished or reset): finish or reset it, then try again",
     false},

    {SQLITE_READONLY_DBMOVED,
     "the database file was moved or deleted while the store was open: "
     "reopen the store",
     false},
    {SQLITE_READONLY_DIRECTORY,
     "the database's folder is read-only, so SQLite cannot create its "
     "journal there: make the folder writable",
     false},
    {SQLITE_READONLY_ROLLBACK,
     "an interrupted write must be undone first, which needs write access: "
     "open the store once with write access",
     false},
    {SQLITE_READONLY_RECOVERY,
     "the log must be recovered first, which needs write access: open the "
     "store once with write access",
     false},
    {SQLITE_READONLY_CANTLOCK,
     "the log's shared-memory file is read-only: make it and its folder "
     "writable",
     false},
    {SQLITE_READONLY,
     "this connection cannot write the database (a read-only file or folder, "
     "or PRAGMA query_only): make it writable, then try again",
     false},

#ifdef SQLITE_CORRUPT_INDEX /* SQLite 3.35 */
    {SQLITE_CORRUPT_INDEX,
     "an index of the database is damaged: REINDEX may repair it", true},
#endif
    {SQLITE_CORRUPT,
     "the database file is damaged: restore it from a backup (PRAGMA "
     "integrity_check shows where)",
     true},
    {SQLITE_NOTADB, "the file is not a SQLite database (or it is encrypted)",
     false},
    {SQLITE_NOMEM, "out of memory", false},

    {SQLITE_CONSTRAINT_TRIGGER, "a trigger on the table refused the change",
     true},
    {SQLITE_CONSTRAINT_NOTNULL, "a value the table requires is missing", true},
    {SQLITE_CONSTRAINT_CHECK, "a CHECK rule of the table refused the row",
     true},
    {SQLITE_CONSTRAINT_FOREIGNKEY, "a foreign key refused the change", true},
    {SQLITE_CONSTRAINT_UNIQUE, "a row with the same key is already stored",
     true},
    {SQLITE_CONSTRAINT_PRIMARYKEY, "a row with the same key is already stored",
     true},
    {SQLITE_CONSTRAINT,
     "a rule of the table refused the change (was the schema edited?)", true},

    {SQLITE_INTERRUPT,
     "the operation was interrupted (sqlite3_interrupt() or a progress "
     "handler on the store's connection): try again",
     false},
    {SQLITE_TOOBIG, "a value is larger than SQLite's length limit", true},
    {SQLITE_CANTOPEN,
     "a file the database needs (its log, its shared memory, a temporary "
     "file) cannot be opened",
     false},
    {SQLITE_PROTOCOL,
     "the log's locks kept changing under other connections: try again", false},
    {SQLITE_SCHEMA,
     "the database schema changed under the statement: try again", false},
    {SQLITE_AUTH,
     "an authorizer set on the store's connection refused the statement", true},
};

static const failure_text *failure_text_of(int rc)
{
    size_t n = sizeof failure_texts / sizeof failure_texts[0];
    for (size_t i = 0; i < n; i++)
        if (failure_texts[i].code == rc)
            return &failure_texts[i];
    for (size_t i = 0; i < n; i++)
        if (failure_texts[i].code == (rc & 0xff))
            return &failure_texts[i];
    return NULL;
}

/* Explain the failure rc into buf, from what SQLite says about it now. */
static void explain(char *buf, size_t size, const sqlite_store *s, int rc)
{
    const failure_text *t = failure_text_of(rc);
    if (t == NULL && (rc & 0xff) == SQLITE_BUSY) {
        snprintf(buf, size,
                 "the database is locked: another connection held the write "
                 "lock for more than %d ms; try again, or raise "
                 "busy_timeout_ms",
                 s->busy_timeout_ms);
        return;
    }
    if (t == NULL) {
        snprintf(buf, size, "%s", sqlite3_errmsg(s->db));
        return;
    }
    /* Every I/O text says what failed; what to do is the same for all. */
    const char *then = (rc & 0xff) == SQLITE_IOERR && rc != SQLITE_IOERR_NOMEM
                           ? ": check the disk and its file system, then try "
                             "again"
                           : "";
    if (t->sqlite_words)
        snprintf(buf, size, "%s%s (SQLite: %s)", t->text, then,
                 sqlite3_errmsg(s->db));
    else
        snprintf(buf, size, "%s%s", t->text, then);
}

/*
 * Record the SQLite failure rc on the store as "<what esk was doing>: <what
 * happened and what to do>", e.g. "appending to stream 'x': the disk is
 * full...". Call it before anything else touches the connection, which
 * would replace sqlite3_errmsg().
 */
static esk_status fail(const sqlite_store *s, int rc, const char *doing_format,
                       ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static esk_status fail(const sqlite_store *s, int rc, const char *doing_format,
                       ...)
{
    char doing[ESK_ERROR_MESSAGE_MAX];
    char what[ESK_ERROR_MESSAGE_MAX];
    va_list args;
    va_start(args, doing_format);
    vsnprintf(doing, sizeof doing, doing_format, args);
    va_end(args);

    explain(what, sizeof what, s, rc);
    return esk__fail_ext(status_of(rc), ext_of(rc), "%s: %s", doing, what);
}

/* Run a statement that returns nothing of interest (BEGIN, COMMIT...) and
 * make it reusable. SQLITE_OK on success, else the error code, with
 * sqlite3_errmsg() still describing it. */
static int run(sqlite3_stmt *stmt)
{
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* End the transaction, if SQLite has not already ended it on an error. */
static void rollback(sqlite_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        run(s->stmt[STMT_ROLLBACK]);
}

/* Bind NUL-terminated text the caller keeps alive until the statement is
 * reset (SQLITE_STATIC: SQLite does not copy it). */
static int bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
    return sqlite3_bind_text64(stmt, index, text, strlen(text), SQLITE_STATIC,
                               SQLITE_UTF8);
}

/*
 * Run a one-row, one-integer query (stream version, head position) with an
 * optional text parameter ?1. A NULL result (an empty table) reads as 0.
 */
/* Step a one-integer query: its value, or 0 for no row or NULL. */
static int step_int(sqlite3_stmt *stmt, int64_t *out)
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

static int query_int(sqlite3_stmt *stmt, const char *param, int64_t *out)
{
    int rc = param != NULL ? bind_text(stmt, 1, param) : SQLITE_OK;
    if (rc == SQLITE_OK)
        rc = step_int(stmt, out);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc;
}

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
    int rc = bind_text(stmt, 1, event_id);
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

/* The column after EVENT_COLUMNS in STMT_REPLAY_WALK. */
enum { COL_BATCH_START = COL_RECORDED_AT + 1 };

/* The replay rule's walk: a step of STMT_REPLAY_WALK. */
typedef struct replay_walk {
    esk_store *store;
    sqlite_store *s;
    const char *stream_id; /* of the append, for messages */
} replay_walk;

static esk_status replay_walk_next(void *ctx, esk_stored_event *out)
{
    replay_walk *walk = ctx;
    sqlite3_stmt *stmt = walk->s->stmt[STMT_REPLAY_WALK];
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE)
        return ESK_ENOTFOUND;
    if (rc != SQLITE_ROW)
        return fail(walk->s, rc, "appending to stream '%s'", walk->stream_id);
    esk_event *e = &out->event;
    e->position = sqlite3_column_int64(stmt, COL_POSITION);
    e->event_id = (const char *)sqlite3_column_text(stmt, COL_EVENT_ID);
    e->stream_id = (const char *)sqlite3_column_text(stmt, COL_STREAM_ID);
    e->version = sqlite3_column_int64(stmt, COL_VERSION);
    e->type = (const char *)sqlite3_column_text(stmt, COL_TYPE);
    e->schema_version = sqlite3_column_int(stmt, COL_SCHEMA_VERSION);
    e->data = (const char *)sqlite3_column_text(stmt, COL_DATA);
    e->metadata = (const char *)sqlite3_column_text(stmt, COL_METADATA);
    e->recorded_at = 0; /* not compared */
    /* NULL for rows written before schema 3: not known, which is 0. */
    out->batch_start = sqlite3_column_int64(stmt, COL_BATCH_START);
    if (e->event_id == NULL || e->stream_id == NULL || e->type == NULL ||
        e->data == NULL || e->metadata == NULL) {
        if (sqlite3_errcode(walk->s->db) == SQLITE_NOMEM)
            return esk__fail(ESK_ENOMEM,
                             "out of memory appending to stream "
                             "'%s'",
                             walk->stream_id);
        return esk__fail(ESK_ECORRUPT,
                         "appending to stream '%s': the event at "
                         "position %" PRId64 " has an empty column",
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
    replay_walk walk = {store, s, request->stream_id};
    esk_status status = ESK_OK;
    int rc = bind_text(stmt, 1, request->events[0].event_id);
    if (rc == SQLITE_OK)
        status =
            esk_store_check_replay(store, request, replay_walk_next, &walk);
    else
        status = fail(s, rc, "appending to stream '%s'", request->stream_id);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return status;
}

/* Insert the batch at versions version + 1... and positions head + 1...,
 * inside the caller's transaction. */
static esk_status insert_batch(esk_store *store, sqlite_store *s,
                               const esk_append_request *request,
                               int64_t version, int64_t head)
{
    sqlite3_stmt *stmt = s->stmt[STMT_INSERT];
    const char *stream_id = request->stream_id;
    esk_status status = ESK_OK;

    /* The events of a batch usually share recorded_at: format it again
     * only when it changes. */
    char recorded_at[ESK_TIME_TEXT_SIZE] = "";
    esk_time formatted = 0;
    bool have_formatted = false;

    /* Bindings stay across resets: the stream id and where the batch
     * begins are bound once. */
    int rc = bind_text(stmt, COL_STREAM_ID + 1, stream_id);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, COL_BATCH_START + 1, head + 1);
    for (size_t i = 0; i < request->count && rc == SQLITE_OK; i++) {
        const esk_event *event = &request->events[i];
        if (!have_formatted || event->recorded_at != formatted) {
            if (esk_time_format(event->recorded_at, recorded_at) != ESK_OK) {
                status =
                    esk__fail(ESK_EINVAL,
                              "appending to stream '%s': recorded_at %" PRId64
                              " is outside the years 0000 to 9999",
                              stream_id, event->recorded_at);
                goto done;
            }
            formatted = event->recorded_at;
            have_formatted = true;
        }

        rc = sqlite3_bind_int64(stmt, COL_POSITION + 1, head + 1 + (int64_t)i);
        if (rc == SQLITE_OK)
            rc = bind_text(stmt, COL_EVENT_ID + 1, event->event_id);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int64(stmt, COL_VERSION + 1,
                                    version + 1 + (int64_t)i);
        if (rc == SQLITE_OK)
            rc = bind_text(stmt, COL_TYPE + 1, event->type);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int(stmt, COL_SCHEMA_VERSION + 1,
                                  event->schema_version);
        if (rc == SQLITE_OK)
            rc = bind_text(stmt, COL_DATA + 1, event->data);
        if (rc == SQLITE_OK)
            rc = bind_text(stmt, COL_METADATA + 1, event->metadata);
        if (rc == SQLITE_OK)
            rc = bind_text(stmt, COL_RECORDED_AT + 1, recorded_at);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(stmt);
            rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        }

        if (rc == SQLITE_CONSTRAINT_UNIQUE) {
            /* Versions and positions were read under the write lock, so
             * the event id is what collides: say where it is stored. */
            status = esk__fail(ESK_EDUPLICATE, "appending to stream '%s': %s",
                               stream_id, sqlite3_errmsg(s->db));
            sqlite3_reset(stmt);
            stored_event where;
            if (find_event(s, event->event_id, &where) == SQLITE_OK &&
                where.found)
                status = esk__store_reused_id(store, event->event_id,
                                              where.stream_id, where.version,
                                              request->events[0].event_id);
            goto done;
        }
        if (rc != SQLITE_OK) {
            status = fail(s, rc, "appending to stream '%s'", stream_id);
            goto done;
        }
        sqlite3_reset(stmt);
    }
    if (rc != SQLITE_OK)
        status = fail(s, rc, "appending to stream '%s'", stream_id);

done:
    sqlite3_reset(stmt);
    /* The bound text belongs to the caller: drop every pointer to it. */
    sqlite3_clear_bindings(stmt);
    return status;
}

/* The front has opened a transaction (the write lock is held), and undoes
 * it if this fails: nothing here begins or ends one. */
static esk_status sqlite_append(esk_store *store, void *impl,
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
    int rc = query_int(s->stmt[STMT_STREAM_VERSION], stream_id, &version);
    if (rc == SQLITE_OK)
        rc = query_int(s->stmt[STMT_HEAD], NULL, &head);
    if (rc != SQLITE_OK)
        return fail(s, rc, "appending to stream '%s'", stream_id);

    status =
        esk_store_check_expected(store, stream_id, request->expected, version);
    if (status != ESK_OK)
        return status;

    status = insert_batch(store, s, request, version, head);
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

/* ---- Transactions ------------------------------------------------------ */

/* Savepoint names by depth: SQLite wants them in the SQL text. */
static const char *const savepoint_sql[][SAVEPOINT_ACTIONS] = {
#define ESK__SAVEPOINT(n)                                                      \
    {                                                                          \
        "SAVEPOINT esk" #n, "RELEASE esk" #n, "ROLLBACK TO esk" #n             \
    }
    ESK__SAVEPOINT(0),  ESK__SAVEPOINT(1),  ESK__SAVEPOINT(2),
    ESK__SAVEPOINT(3),  ESK__SAVEPOINT(4),  ESK__SAVEPOINT(5),
    ESK__SAVEPOINT(6),  ESK__SAVEPOINT(7),  ESK__SAVEPOINT(8),
    ESK__SAVEPOINT(9),  ESK__SAVEPOINT(10), ESK__SAVEPOINT(11),
    ESK__SAVEPOINT(12), ESK__SAVEPOINT(13), ESK__SAVEPOINT(14),
    ESK__SAVEPOINT(15), ESK__SAVEPOINT(16), ESK__SAVEPOINT(17),
    ESK__SAVEPOINT(18), ESK__SAVEPOINT(19), ESK__SAVEPOINT(20),
    ESK__SAVEPOINT(21), ESK__SAVEPOINT(22), ESK__SAVEPOINT(23),
    ESK__SAVEPOINT(24), ESK__SAVEPOINT(25), ESK__SAVEPOINT(26),
    ESK__SAVEPOINT(27), ESK__SAVEPOINT(28), ESK__SAVEPOINT(29),
    ESK__SAVEPOINT(30), ESK__SAVEPOINT(31),
#undef ESK__SAVEPOINT
};

_Static_assert(sizeof savepoint_sql / sizeof savepoint_sql[0] ==
                   SAVEPOINT_DEPTH_MAX,
               "one row of savepoint statements per depth");

/* What nested() is asked to do: SAVEPOINT_OPEN, SAVEPOINT_RELEASE, or
 * this, which is ROLLBACK TO followed by RELEASE. */
enum { SAVEPOINT_UNDO = SAVEPOINT_ACTIONS };

/* Run one savepoint statement. They are prepared once per depth and kept:
 * a catch-up projection opens and releases a savepoint for every event it
 * applies, and sqlite3_exec() would compile the SQL text each time, which
 * cost more than the read-model write itself. */
static int run_savepoint(sqlite_store *s, int depth, int action)
{
    sqlite3_stmt **stmt = &s->savepoint[depth][action];
    if (*stmt == NULL) {
        int rc = sqlite3_prepare_v3(s->db, savepoint_sql[depth][action], -1,
                                    SQLITE_PREPARE_PERSISTENT, stmt, NULL);
        if (rc != SQLITE_OK)
            return rc;
    }
    return run(*stmt);
}

static esk_status nested(sqlite_store *s, int depth, int action,
                         const char *doing)
{
    if (depth < 1 || depth >= SAVEPOINT_DEPTH_MAX)
        return esk__fail(ESK_EINVAL, "%s: transactions nested too deep", doing);
    /* In autocommit mode SAVEPOINT would begin a new transaction, which
     * its RELEASE would commit: never run one once SQLite has ended the
     * transaction it belonged to (the front does not ask; this is the
     * backstop). */
    if (sqlite3_get_autocommit(s->db))
        return esk__fail(ESK_EIO,
                         "%s: SQLite has already rolled back the "
                         "transaction",
                         doing);
    int rc;
    if (action == SAVEPOINT_UNDO) {
        rc = run_savepoint(s, depth, SAVEPOINT_ROLLBACK_TO);
        if (rc == SQLITE_OK)
            rc = run_savepoint(s, depth, SAVEPOINT_RELEASE);
    } else {
        rc = run_savepoint(s, depth, action);
    }
    return rc == SQLITE_OK ? ESK_OK : fail(s, rc, "%s", doing);
}

/* The outermost transaction takes the write lock at once (IMMEDIATE):
 * what it reads then cannot change before it writes. */
static esk_status sqlite_begin(esk_store *store, void *impl, int depth)
{
    (void)store;
    sqlite_store *s = impl;
    if (depth > 0)
        return nested(s, depth, SAVEPOINT_OPEN,
                      "beginning a nested transaction");
    int rc = run(s->stmt[STMT_BEGIN]);
    return rc == SQLITE_OK ? ESK_OK : fail(s, rc, "beginning a transaction");
}

static esk_status sqlite_commit(esk_store *store, void *impl, int depth)
{
    (void)store;
    sqlite_store *s = impl;
    if (depth > 0)
        return nested(s, depth, SAVEPOINT_RELEASE,
                      "committing a nested transaction");
    int rc = run(s->stmt[STMT_COMMIT]);
    if (rc == SQLITE_OK)
        return ESK_OK;
    esk_status status = fail(s, rc, "committing");
    rollback(s); /* a failed COMMIT may leave the transaction open */
    return status;
}

static esk_status sqlite_rollback(esk_store *store, void *impl, int depth)
{
    (void)store;
    sqlite_store *s = impl;
    if (depth > 0)
        return nested(s, depth, SAVEPOINT_UNDO,
                      "rolling back a nested transaction");
    /* SQLite may have rolled back already, after an I/O error or a full
     * disk: then there is nothing left to undo. */
    rollback(s);
    return ESK_OK;
}

/* SQLite ends the whole transaction by itself after some failures (a
 * full disk, an I/O error, an interrupt, ON CONFLICT ROLLBACK or
 * RAISE(ROLLBACK)), then stays in autocommit mode. The last error on the
 * connection is the best guess at why, when the front did not see it
 * happen (a handler's own SQL). */
static esk_status sqlite_check_transaction(esk_store *store, void *impl)
{
    (void)store;
    sqlite_store *s = impl;
    if (!sqlite3_get_autocommit(s->db))
        return ESK_OK;
    int rc = sqlite3_extended_errcode(s->db);
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE)
        return esk__fail(ESK_EIO, "an error in SQL run inside the "
                                  "transaction");
    return fail(s, rc, "a statement run inside the transaction");
}

/* ---- Records ------------------------------------------------------------ */

static const char *const record_table[] = {"checkpoints", "commands",
                                           "snapshots"};

static esk_status sqlite_put_record(esk_store *store, void *impl,
                                    esk_record_kind kind,
                                    const esk_record *record)
{
    sqlite_store *s = impl;
    sqlite3_stmt *stmt = s->stmt[STMT_PUT_CHECKPOINT + (int)kind];
    char now[ESK_TIME_TEXT_SIZE];
    if (esk_time_format(esk_store_now(store), now) != ESK_OK)
        return esk__fail(ESK_EINVAL, "the clock gave a time outside years "
                                     "0000-9999");
    int rc = bind_text(stmt, 1, record->key);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 2, record->number);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(stmt, 3, record->version);
    if (rc == SQLITE_OK)
        rc = bind_text(stmt, 4, record->value);
    if (rc == SQLITE_OK)
        rc = bind_text(stmt, 5, now);
    if (rc == SQLITE_OK)
        rc = run(stmt);
    sqlite3_clear_bindings(stmt);
    return rc == SQLITE_OK ? ESK_OK
                           : fail(s, rc, "writing '%s' into %s", record->key,
                                  record_table[kind]);
}

static esk_status sqlite_get_record(esk_store *store, void *impl,
                                    esk_record_kind kind, const char *key,
                                    esk_record *out, char **owned)
{
    (void)store;
    sqlite_store *s = impl;
    sqlite3_stmt *stmt = s->stmt[STMT_GET_CHECKPOINT + (int)kind];
    esk_status status = ESK_OK;
    int rc = bind_text(stmt, 1, key);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        status = ESK_ENOTFOUND;
    } else if (rc != SQLITE_ROW) {
        status = fail(s, rc, "reading '%s' from %s", key, record_table[kind]);
    } else {
        const char *k = (const char *)sqlite3_column_text(stmt, 0);
        const char *v = (const char *)sqlite3_column_text(stmt, 3);
        if (k == NULL || v == NULL) {
            status = esk__fail(ESK_ECORRUPT,
                               "reading '%s' from %s: a column is NULL", key,
                               record_table[kind]);
            goto done;
        }
        /* One block for both strings: the caller frees it once. */
        size_t key_len = strlen(k) + 1;
        size_t value_len = strlen(v) + 1;
        char *block = esk__malloc(key_len + value_len);
        if (block == NULL) {
            status = esk__fail(ESK_ENOMEM, "out of memory reading '%s'", key);
            goto done;
        }
        memcpy(block, k, key_len);
        memcpy(block + key_len, v, value_len);
        *out = (esk_record){block, sqlite3_column_int64(stmt, 1),
                            sqlite3_column_int(stmt, 2), block + key_len};
        *owned = block;
    }
done:
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return status;
}

/* What a read was doing, for its failure message: the stream it read, or
 * NULL for the global feed. Only failures pay for the formatting. */
static void describe_read(char *buf, size_t size, const char *stream_id)
{
    if (stream_id != NULL)
        snprintf(buf, size, "reading stream '%s'", stream_id);
    else
        snprintf(buf, size, "reading all events");
}

/*
 * The numbers a read must meet in turn: positions have no gaps in the
 * global feed, nor versions in a stream. A read that skips one met a
 * damaged table or index (or rows edited by hand), not the store esk
 * wrote.
 */
typedef struct sequence {
    /* The number the next row must have; 0 when not known yet (a read
     * backward starts wherever the stream ends). */
    int64_t next;
    /* 1 forward, -1 backward. */
    int step;
    /* Whether positions or versions follow each other. */
    bool positions;
} sequence;

/*
 * Step a read statement (already bound) and push up to max_count rows that
 * pass the filter (NULL for none) into out. stream_id (NULL for the global
 * feed) only names the read in messages; seq (NULL for none) is checked on
 * every row read, filtered or not. The statement is reset and its bindings
 * cleared on every path; on failure out is left empty.
 */
static esk_status read_rows(sqlite_store *s, sqlite3_stmt *stmt,
                            size_t max_count, const esk_filter *filter,
                            sequence *seq, esk_event_list *out,
                            const char *stream_id)
{
    esk_status status = ESK_OK;
    char doing[ESK_ERROR_MESSAGE_MAX];
    int rc = SQLITE_OK;
    /* Rows come in the order they were recorded: most recorded_at texts
     * share their second with the row before, and are read faster so. */
    esk__time_reader times;
    esk__time_reader_init(&times);

    while (out->count < max_count) {
        rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
            break;
        }
        if (rc != SQLITE_ROW)
            break;
        rc = SQLITE_OK;

        esk_event event;
        event.position = sqlite3_column_int64(stmt, COL_POSITION);
        event.event_id = (const char *)sqlite3_column_text(stmt, COL_EVENT_ID);
        event.stream_id =
            (const char *)sqlite3_column_text(stmt, COL_STREAM_ID);
        event.version = sqlite3_column_int64(stmt, COL_VERSION);
        event.type = (const char *)sqlite3_column_text(stmt, COL_TYPE);
        event.schema_version = sqlite3_column_int(stmt, COL_SCHEMA_VERSION);
        event.data = (const char *)sqlite3_column_text(stmt, COL_DATA);
        event.metadata = (const char *)sqlite3_column_text(stmt, COL_METADATA);
        const char *recorded_at =
            (const char *)sqlite3_column_text(stmt, COL_RECORDED_AT);

        /* The columns are NOT NULL, so a NULL here is SQLite running out
         * of memory converting a value, or a table esk did not write. */
        if (event.event_id == NULL || event.stream_id == NULL ||
            event.type == NULL || event.data == NULL ||
            event.metadata == NULL || recorded_at == NULL) {
            if (sqlite3_errcode(s->db) == SQLITE_NOMEM) {
                rc = SQLITE_NOMEM;
                break;
            }
            describe_read(doing, sizeof doing, stream_id);
            status = esk__fail(ESK_ECORRUPT,
                               "%s: the event at position %" PRId64
                               " has an empty column",
                               doing, event.position);
            goto done;
        }
        /* Each text is measured once, for the checks below and for the
         * copy into out: a read's time goes mostly into such per-row
         * work. */
        size_t lengths[5] = {strlen(event.event_id), strlen(event.stream_id),
                             strlen(event.type), 0, 0};
        /* SQLite keeps no checksum of a value: an envelope that esk
         * cannot have written is a damaged row, not an event. */
        if (event.position < 1 || event.version < 1 ||
            event.schema_version < 1 ||
            !esk__utf8_valid_len(event.event_id, lengths[0],
                                 ESK_EVENT_ID_MAX) ||
            !esk__utf8_valid_len(event.stream_id, lengths[1],
                                 ESK_STREAM_ID_MAX) ||
            !esk__utf8_valid_len(event.type, lengths[2], ESK_TYPE_MAX)) {
            describe_read(doing, sizeof doing, stream_id);
            status = esk__fail(ESK_ECORRUPT,
                               "%s: the event at position %" PRId64
                               " has a damaged envelope (its id, "
                               "stream, type or version)",
                               doing, event.position);
            goto done;
        }
        if (seq != NULL) {
            int64_t n = seq->positions ? event.position : event.version;
            if (seq->next != 0 && n != seq->next) {
                describe_read(doing, sizeof doing, stream_id);
                status =
                    esk__fail(ESK_ECORRUPT,
                              "%s: %s %" PRId64 " comes where %" PRId64
                              " was expected: an event is missing or damaged",
                              doing, seq->positions ? "position" : "version", n,
                              seq->next);
                goto done;
            }
            /* Nothing can follow a row at INT64_MAX (a row esk did not
             * write, or the last there can be); backward, n >= 1 here. */
            seq->next = n == INT64_MAX && seq->step > 0 ? 0 : n + seq->step;
        }
        if (esk__time_read(&times, recorded_at, &event.recorded_at) != ESK_OK) {
            describe_read(doing, sizeof doing, stream_id);
            status = esk__fail(ESK_ECORRUPT,
                               "%s: the event at position %" PRId64
                               " has an unreadable recorded_at '%s'",
                               doing, event.position, recorded_at);
            goto done;
        }

        if (filter != NULL &&
            (!esk_stream_in_category(event.stream_id, filter->category) ||
             !esk_filter_has_type(filter, event.type)))
            continue;

        lengths[3] = strlen(event.data);
        lengths[4] = strlen(event.metadata);
        status = esk__event_list_push_sized(out, &event, lengths);
        if (status != ESK_OK) {
            describe_read(doing, sizeof doing, stream_id);
            status = esk__fail(status, "%s: out of memory", doing);
            goto done;
        }
    }
    if (rc != SQLITE_OK) {
        describe_read(doing, sizeof doing, stream_id);
        status = fail(s, rc, "%s", doing);
    }

done:
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (status != ESK_OK)
        esk_event_list_clear(out);
    return status;
}

/* A LIMIT for max_count: SIZE_MAX (no limit) and anything SQLite cannot
 * hold become -1, which SQLite reads as no limit. */
static int64_t limit_of(size_t max_count)
{
    return (uint64_t)max_count > (uint64_t)INT64_MAX ? -1 : (int64_t)max_count;
}

static esk_status sqlite_read_stream(esk_store *store, void *impl,
                                     const char *stream_id,
                                     int64_t from_version, size_t max_count,
                                     bool backward, esk_event_list *out)
{
    (void)store;
    sqlite_store *s = impl;
    sqlite3_stmt *stmt =
        s->stmt[backward ? STMT_READ_BACKWARD : STMT_READ_FORWARD];
    if (backward && from_version == ESK_END)
        from_version = INT64_MAX;

    int rc = bind_text(stmt, 1, stream_id);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 2, from_version);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 3, limit_of(max_count));
    if (rc != SQLITE_OK) {
        esk_status status = fail(s, rc, "reading stream '%s'", stream_id);
        sqlite3_clear_bindings(stmt);
        esk_event_list_clear(out);
        return status;
    }
    sequence seq = {backward ? 0 : from_version, backward ? -1 : 1, false};
    return read_rows(s, stmt, max_count, NULL, &seq, out, stream_id);
}

static esk_status sqlite_read_all(esk_store *store, void *impl,
                                  int64_t after_position, size_t max_count,
                                  const esk_filter *filter, esk_event_list *out)
{
    (void)store;
    sqlite_store *s = impl;
    bool by_category = filter->category != NULL;
    sqlite3_stmt *stmt =
        s->stmt[by_category ? STMT_READ_CATEGORY : STMT_READ_ALL];
    int rc = sqlite3_bind_int64(stmt, 1, after_position);
    if (rc == SQLITE_OK && by_category)
        rc = bind_text(stmt, 2, filter->category);
    if (rc != SQLITE_OK) {
        esk_status status = fail(s, rc, "reading all events");
        sqlite3_clear_bindings(stmt);
        esk_event_list_clear(out);
        return status;
    }

    /* Checking rows in C is only needed when a filter is set. */
    bool filtered = by_category || filter->type_count > 0;
    /* The category is filtered by SQL, so only the whole feed can be
     * checked for gaps. */
    sequence seq = {after_position + 1, 1, true};
    return read_rows(s, stmt, max_count, filtered ? filter : NULL,
                     by_category ? NULL : &seq, out, NULL);
}

static esk_status sqlite_stream_version(esk_store *store, void *impl,
                                        const char *stream_id,
                                        int64_t *out_version)
{
    (void)store;
    sqlite_store *s = impl;
    int64_t version = 0;
    int rc = query_int(s->stmt[STMT_STREAM_VERSION], stream_id, &version);
    if (rc != SQLITE_OK)
        return fail(s, rc, "reading the version of stream '%s'", stream_id);
    *out_version = version;
    return ESK_OK;
}

static esk_status sqlite_head_position(esk_store *store, void *impl,
                                       int64_t *out_position)
{
    (void)store;
    sqlite_store *s = impl;
    int64_t head = 0;
    int rc = query_int(s->stmt[STMT_HEAD], NULL, &head);
    if (rc != SQLITE_OK)
        return fail(s, rc, "reading the head position");
    *out_position = head;
    return ESK_OK;
}

static void sqlite_close(void *impl)
{
    sqlite_store *s = impl;
    if (s == NULL)
        return;
    for (int i = 0; i < STMT_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    for (int d = 0; d < SAVEPOINT_DEPTH_MAX; d++)
        for (int a = 0; a < SAVEPOINT_ACTIONS; a++)
            sqlite3_finalize(s->savepoint[d][a]);
    /* The store's statements are finalized; one the user prepared on
     * esk_store_sqlite_db() may still be open, and then the connection
     * (and its files) go when that one is finalized. The last connection
     * to a file checkpoints its WAL as it closes. */
    sqlite3_close_v2(s->db);
    esk__free(s);
}

static const esk_store_backend sqlite_backend = {
    .name = "sqlite",
    .append = sqlite_append,
    .read_stream = sqlite_read_stream,
    .read_all = sqlite_read_all,
    .stream_version = sqlite_stream_version,
    .head_position = sqlite_head_position,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .put_record = sqlite_put_record,
    .get_record = sqlite_get_record,
    .check_transaction = sqlite_check_transaction,
    .close = sqlite_close,
};

/* ---- Opening ---------------------------------------------------------- */

/* An open-time failure: "opening '<path>': <SQLite's words>". */
static esk_status open_fail(sqlite3 *db, int rc, const char *path)
{
    return esk__fail_ext(status_of(rc), ext_of(rc), "opening '%s': %s", path,
                         sqlite3_errmsg(db));
}

/* Run one PRAGMA or statement that returns a single integer. */
static int pragma_int(sqlite3 *db, const char *sql, int64_t *out)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc == SQLITE_OK)
        rc = step_int(stmt, out);
    /* Finalize returns the step's error again, so errmsg still fits. */
    sqlite3_finalize(stmt);
    return rc;
}

/* What the file holds, read in one transaction so the three agree. */
typedef struct schema_state {
    int64_t application_id;
    int64_t user_version;
    int64_t objects; /* tables, indexes, views, triggers */
} schema_state;

static int read_schema_state(sqlite3 *db, schema_state *out)
{
    int rc = pragma_int(db, "PRAGMA application_id", &out->application_id);
    if (rc == SQLITE_OK)
        rc = pragma_int(db, "PRAGMA user_version", &out->user_version);
    if (rc == SQLITE_OK)
        rc =
            pragma_int(db, "SELECT count(*) FROM sqlite_master", &out->objects);
    return rc;
}

typedef enum schema_verdict {
    SCHEMA_CURRENT,
    SCHEMA_OLDER, /* an older esk schema, or a new empty database */
    SCHEMA_NEWER,
    SCHEMA_FOREIGN,
} schema_verdict;

static schema_verdict judge_schema(const schema_state *state)
{
    /* Our id with a negative version was not written by any esk: leave it
     * alone like any foreign file. */
    if (state->application_id == ESK_APPLICATION_ID &&
        state->user_version >= 0) {
        if (state->user_version == SCHEMA_VERSION)
            return SCHEMA_CURRENT;
        return state->user_version > SCHEMA_VERSION ? SCHEMA_NEWER
                                                    : SCHEMA_OLDER;
    }
    /* A brand new file: nothing in it, nothing stamped. */
    if (state->application_id == 0 && state->user_version == 0 &&
        state->objects == 0)
        return SCHEMA_OLDER;
    return SCHEMA_FOREIGN;
}

static esk_status refuse_schema(const char *path, const schema_state *state,
                                schema_verdict verdict)
{
    if (verdict == SCHEMA_NEWER)
        return esk__fail(ESK_ESCHEMA,
                         "'%s' was written by a newer esk (schema %" PRId64
                         "; this build reads up to %" PRId64 ")",
                         path, state->user_version, SCHEMA_VERSION);
    return esk__fail(ESK_ESCHEMA,
                     "'%s' is not an esk event store: it holds another "
                     "application's database (application_id %" PRId64
                     ", %" PRId64 " schema objects); esk leaves it as is",
                     path, state->application_id, state->objects);
}

/* Bring a new or older database to SCHEMA_VERSION, under the write lock so
 * that two processes opening a new file at once create it once. */
static esk_status migrate(sqlite3 *db, const char *path)
{
    esk_status status = ESK_OK;
    schema_state state = {0, 0, 0};
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return open_fail(db, rc, path);

    /* Look again: another process may have done it while we waited. */
    rc = read_schema_state(db, &state);
    if (rc != SQLITE_OK) {
        status = open_fail(db, rc, path);
        goto done;
    }
    schema_verdict verdict = judge_schema(&state);
    if (verdict == SCHEMA_CURRENT)
        goto done;
    if (verdict != SCHEMA_OLDER) {
        status = refuse_schema(path, &state, verdict);
        goto done;
    }

    for (int64_t step = state.user_version; step < SCHEMA_VERSION; step++) {
        rc = sqlite3_exec(db, migrations[step], NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            status = esk__fail(
                schema_status_of(rc),
                "opening '%s': upgrading the schema to version %" PRId64 ": %s",
                path, step + 1, sqlite3_errmsg(db));
            goto done;
        }
    }

    /* PRAGMA takes no parameters; both values are our own integers. */
    char stamp[96];
    snprintf(stamp, sizeof stamp,
             "PRAGMA application_id = %d; PRAGMA user_version = %" PRId64,
             ESK_APPLICATION_ID, SCHEMA_VERSION);
    rc = sqlite3_exec(db, stamp, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        status = open_fail(db, rc, path);

done:
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return status;
}

/* Accept the file as it is, upgrade it, or refuse it. Refusing writes
 * nothing: the schema is read before any PRAGMA that would write. */
static esk_status check_schema(sqlite3 *db, const char *path)
{
    schema_state state = {0, 0, 0};
    int rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = read_schema_state(db, &state);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        /* Reading two header fields and the schema fails with a plain
         * error only when the header is not one SQLite can read
         * ("unsupported file format"): damaged, or not a database. */
        esk_status status = (rc & 0xff) == SQLITE_ERROR
                                ? esk__fail(ESK_ECORRUPT, "opening '%s': %s",
                                            path, sqlite3_errmsg(db))
                                : open_fail(db, rc, path);
        if (!sqlite3_get_autocommit(db))
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return status;
    }

    schema_verdict verdict = judge_schema(&state);
    switch (verdict) {
    case SCHEMA_CURRENT:
        return ESK_OK;
    case SCHEMA_OLDER:
        return migrate(db, path);
    default:
        return refuse_schema(path, &state, verdict);
    }
}

static esk_status configure(sqlite3 *db, const char *path,
                            const esk_store_options *options)
{
    /* WAL lets readers (other processes too) go on while one writes. The
     * mode is stored in the file; a ":memory:" database stays in "memory"
     * mode, which is fine for a private database. */
    int rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db,
                          options->durability == ESK_DURABILITY_FULL
                              ? "PRAGMA synchronous = FULL"
                              : "PRAGMA synchronous = NORMAL",
                          NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return open_fail(db, rc, path);
    return ESK_OK;
}

static esk_status prepare_statements(sqlite_store *s, const char *path)
{
    for (int i = 0; i < STMT_COUNT; i++) {
        int rc =
            sqlite3_prepare_v3(s->db, statement_sql[i], -1,
                               SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL);
        if (rc != SQLITE_OK) {
            /* The file says it is an esk store of our version, yet the
             * table does not fit the statements. */
            return esk__fail(
                schema_status_of(rc),
                "opening '%s': the events table does not match schema "
                "%" PRId64 ": %s",
                path, SCHEMA_VERSION, sqlite3_errmsg(s->db));
        }
    }
    return ESK_OK;
}

/*
 * Wait for a lock another connection holds, up to busy_timeout_ms.
 * SQLite's own busy timeout backs off to 100 ms between tries, so a
 * waiting writer can miss every short window in which another process
 * lets go of the lock: a catch-up runner pausing between batches, a busy
 * writer between appends. This one tries again every millisecond or two,
 * which costs a few wake-ups a millisecond while waiting and nothing
 * otherwise.
 */
static int busy_wait(void *ctx, int tries)
{
    sqlite_store *s = ctx;
    int64_t now = esk__monotonic_us();
    if (tries == 0)
        s->busy_since_us = now;
    int64_t left_ms = s->busy_timeout_ms - (now - s->busy_since_us) / 1000;
    if (left_ms <= 0)
        return 0;
    sqlite3_sleep(tries < 4 || left_ms < 2 ? 1 : 2);
    return 1;
}

static esk_status open_database(sqlite_store *s, const char *path,
                                const esk_store_options *options)
{
    /* One thread at a time uses a store, so SQLite's own mutex is not
     * needed. */
    int rc = sqlite3_open_v2(
        path, &s->db,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (s->db == NULL)
        return esk__fail(ESK_ENOMEM, "opening '%s': out of memory", path);
    sqlite3_extended_result_codes(s->db, 1);
    if (rc != SQLITE_OK) {
        /* Name the system's reason: "Is a directory", "No such file or
         * directory"... */
        int sys = sqlite3_system_errno(s->db);
        if (sys != 0)
            return esk__fail(status_of(rc), "opening '%s': %s (%s)", path,
                             sqlite3_errmsg(s->db), strerror(sys));
        return open_fail(s->db, rc, path);
    }

    /* SQLite falls back to read-only when the file cannot be written. A
     * store must append, so say so now rather than at the first append. */
    if (sqlite3_db_readonly(s->db, "main") == 1)
        return esk__fail(ESK_EREADONLY,
                         "opening '%s': the file is read-only and an "
                         "event store must be able to write to it",
                         path);

    rc = sqlite3_busy_handler(s->db, busy_wait, s);
    if (rc != SQLITE_OK)
        return open_fail(s->db, rc, path);

    /* Processes creating one file at the same moment can meet a lock that
     * SQLite's busy handler does not wait for (it refuses to wait where
     * waiting could deadlock, and switching to WAL needs the file to
     * itself). Such a failure is transient: try again, within the same
     * busy timeout the caller chose. */
    esk_status status = ESK_OK;
    for (int waited_ms = 0;; waited_ms += 10) {
        status = check_schema(s->db, path);
        if (status == ESK_OK)
            status = configure(s->db, path, options);
        if (status != ESK_EBUSY || waited_ms >= options->busy_timeout_ms)
            break;
        if (!sqlite3_get_autocommit(s->db))
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_sleep(10);
    }
    if (status == ESK_OK)
        status = prepare_statements(s, path);
    return status;
}

esk_status esk_store_open_sqlite(esk_store **out, const char *path,
                                 const esk_store_options *options)
{
    static const esk_store_options defaults = ESK_STORE_OPTIONS_INIT;

    if (out == NULL || path == NULL)
        return esk__fail(ESK_EINVAL, "esk_store_open_sqlite: %s is NULL",
                         out == NULL ? "out" : "path");
    if (path[0] == '\0')
        return esk__fail(ESK_EINVAL,
                         "esk_store_open_sqlite: the path is empty");
    /* SQLite built with URI support (as Debian's is) reads such a name as
     * a URI whatever the open flags say, and a URI's options can turn off
     * locking or share one database between handles. A path must name a
     * file and nothing else. */
    if (strncmp(path, "file:", 5) == 0)
        return esk__fail(
            ESK_EINVAL,
            "esk_store_open_sqlite: '%s' is a SQLite URI; esk takes file "
            "names only (URI options can turn off locking): write './%s' "
            "for a file of that name",
            path, path);
    if (options == NULL)
        options = &defaults;
    /* Checked here as well as by esk_store_new(): they are needed before
     * the file is touched. */
    if (options->version < 1 || options->version > ESK_STORE_OPTIONS_VERSION)
        return esk__fail(ESK_EINVAL,
                         "esk_store_open_sqlite: options version %d is "
                         "not one this build knows (1 to %d)",
                         options->version, ESK_STORE_OPTIONS_VERSION);
    if (options->durability != ESK_DURABILITY_NORMAL &&
        options->durability != ESK_DURABILITY_FULL)
        return esk__fail(ESK_EINVAL,
                         "esk_store_open_sqlite: durability %d is "
                         "neither NORMAL nor FULL",
                         (int)options->durability);
    if (options->busy_timeout_ms < 0)
        return esk__fail(ESK_EINVAL,
                         "esk_store_open_sqlite: busy_timeout_ms %d is "
                         "negative",
                         options->busy_timeout_ms);

    sqlite_store *s = esk__calloc(1, sizeof *s);
    if (s == NULL)
        return esk__fail(ESK_ENOMEM, "opening '%s': out of memory", path);
    s->busy_timeout_ms = options->busy_timeout_ms;

    esk_status status = open_database(s, path, options);
    if (status != ESK_OK) {
        sqlite_close(s);
        return status;
    }

    /* From here the store owns s, and closes it on failure too. */
    esk_store *store = NULL;
    status = esk_store_new(&store, &sqlite_backend, s, options);
    if (status != ESK_OK)
        return esk__fail(status, "opening '%s': %s", path,
                         esk_status_str(status));
    *out = store;
    return ESK_OK;
}

struct sqlite3 *esk_store_sqlite_db(esk_store *store)
{
    if (store == NULL || esk__store_backend(store) != &sqlite_backend)
        return NULL;
    return ((sqlite_store *)esk_store_impl(store))->db;
}
