/*
 * store.h - an event store on SQLite: the backend you build, and what is
 * provided around it.
 *
 * An esk_store is split in two (esk/store_backend.h). The front, in the
 * library, checks every argument, makes event ids, reads the clock, keeps
 * the error message, nests transactions and calls the subscribers. The
 * backend only stores and reads: it gets requests that are already valid.
 * Here the backend keeps every event as one row of one SQLite table, and
 * the front reaches it through a table of function pointers,
 * sqlite_exercise_backend, whose entries are the functions below.
 *
 *   YOU WRITE, in store.c                PROVIDED, in support*.c
 *   store_create_schema()   the table    store_connect(), store_open()
 *   store_stream_version()               store_read_all()    (the feed)
 *   store_head_position()                store_put_record(), get_record()
 *   store_begin()                        store_check_replay()
 *   store_commit()                       store_insert_failed()
 *                                        store_append_noted()
 *   store_rollback()                     the sql_* helpers
 *   store_append()                       store_close()
 *   store_read_stream()
 *
 * The grade is esk's own conformance suite (tests/conformance/), the very
 * tests that the library's memory and SQLite backends pass.
 */
#ifndef STORE_H
#define STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include <esk/store.h>
#include <esk/store_backend.h>

/*
 * The columns of the events table, in the order in which every SELECT of
 * events lists them and sql_read_events() reads them. Your schema must
 * have exactly these names (support.c reads the table too):
 *
 *   position        INTEGER  the event's place in the whole store: 1, 2...
 *   event_id        TEXT     unique in the whole store
 *   stream_id       TEXT     "workshop-w-1"
 *   version         INTEGER  the event's place in its stream: 1, 2...
 *   type            TEXT     "AttendeeRegistered"
 *   schema_version  INTEGER  the version of the type's JSON layout
 *   data            TEXT     the event, as JSON
 *   metadata        TEXT     a JSON object: correlationId, causationId...
 *   recorded_at     TEXT     ISO 8601, "2026-11-27T09:00:00.000000Z"
 */
#define EVENT_COLUMNS                                                          \
    "position, event_id, stream_id, version, type, schema_version, data, "     \
    "metadata, recorded_at"

/* The backend's state: one SQLite connection and its statements. */
typedef struct sqlite_store {
    sqlite3 *db;
    /* Every statement sql_prepare() has compiled, kept for reuse. */
    sqlite3_stmt **statements;
    size_t statement_count;
    size_t statement_capacity;
    /* For the message of a failure to get the lock. */
    int busy_timeout_ms;
} sqlite_store;

/* The operations, as the front calls them. */
extern const esk_store_backend sqlite_exercise_backend;

/* ==== What you write (store.c) ============================================ */

/*
 * Create the events table: the columns of EVENT_COLUMNS, and the
 * constraints that make the table itself refuse what must never be stored,
 * whatever code writes to it:
 *   - two events at the same position;
 *   - two events with the same event id, in any streams;
 *   - two events at the same version of the same stream;
 *   - a missing (NULL) value in any column.
 * Make position the table's INTEGER PRIMARY KEY (its rowid): reading the
 * feed in order is then a walk of the table itself.
 *
 * Called once, by store_connect(), on a new database, inside a
 * transaction. Run the DDL with sql_script().
 *
 * @return ESK_OK; else the status and message of sql_script().
 */
esk_status store_create_schema(sqlite3 *db);

/*
 * The stream's version: the highest version stored for stream_id, 0 when
 * it has no events. sql_query_int() runs a query that answers one number.
 *
 * @return ESK_OK; a SQLite failure (sql_query_int() says which).
 */
esk_status store_stream_version(esk_store *store, void *impl,
                                const char *stream_id, int64_t *out_version);

/*
 * The head: the highest position stored, 0 when the store is empty.
 *
 * @return as store_stream_version().
 */
esk_status store_head_position(esk_store *store, void *impl,
                               int64_t *out_position);

/*
 * Open a transaction at this depth. The front numbers them: depth 0 is
 * the outermost, 1 and more are nested in it, and every append comes
 * wrapped in one (at depth 0 when the caller has none open).
 *   depth 0:  take SQLite's write lock now, not at the first write:
 *             "BEGIN IMMEDIATE". What the append reads next (the stream's
 *             version, the head) then cannot change before it writes.
 *   depth 1+: a savepoint, named after its depth: "SAVEPOINT depth1"...
 * Run the statement with sql_run().
 *
 * @return ESK_OK; ESK_EBUSY (another connection kept the lock past the
 *         busy timeout); another failure of sql_run().
 */
esk_status store_begin(esk_store *store, void *impl, int depth);

/*
 * Make the transaction at this depth part of its parent, or durable.
 *   depth 0:  "COMMIT". If it fails, end the transaction anyway
 *             (store_rollback at depth 0) and return the failure: the
 *             front expects no transaction to be open after a failed
 *             outermost commit.
 *   depth 1+: "RELEASE depth<N>".
 *
 * @return ESK_OK; the failure of sql_run().
 */
esk_status store_commit(esk_store *store, void *impl, int depth);

/*
 * Undo everything since the begin at this depth, and close it.
 *   depth 0:  "ROLLBACK", unless SQLite has already rolled back by itself
 *             (it does after some errors): sqlite3_get_autocommit() is
 *             then true, and there is nothing left to undo.
 *   depth 1+: "ROLLBACK TO depth<N>", which undoes but keeps the
 *             savepoint open, then "RELEASE depth<N>", which closes it.
 *
 * @return ESK_OK; the failure of sql_run().
 */
esk_status store_rollback(esk_store *store, void *impl, int depth);

/*
 * Store a batch of events at the end of a stream, or change nothing.
 * The front has opened a transaction around the call (the write lock is
 * held) and undoes it if this fails: do not begin or end one here.
 *
 *   1. When request->ids_supplied, the batch may be a retry of one already
 *      stored: store_check_replay() tells, and fills everything in when it
 *      is (request->replayed). Return at once then, or on its failure.
 *   2. Read the stream's version and the head position.
 *   3. esk_store_check_expected(store, stream_id, request->expected,
 *      version): ESK_ECONCURRENCY with the message when the stream is not
 *      where the caller expects it.
 *   4. INSERT each event of request->events (request->count of them) with
 *      version + 1 + i and position + 1 + i; its recorded_at was stamped
 *      by the front: store it with sql_bind_time(). Bind every value as a
 *      parameter (?1, ?2...), never paste it into the SQL text. When a
 *      bind or the step fails: return store_insert_failed().
 *   5. Write each event's version and position into request->events[i],
 *      and request->result: the stream's new version and the last
 *      event's position.
 *
 * @return ESK_OK; ESK_ECONCURRENCY; ESK_EDUPLICATE (an event id already
 *         stored, as store_check_replay() or store_insert_failed() say);
 *         a SQLite failure.
 */
esk_status store_append(esk_store *store, void *impl,
                        esk_append_request *request);

/*
 * Read up to max_count events of a stream into out (which the front has
 * emptied), in version order:
 *   forward:  versions from_version (>= 1) upwards;
 *   backward: versions from_version downwards, newest first. from_version
 *             is ESK_END for "from the last event", or a version (which
 *             may lie beyond the end: then read from the end).
 * max_count is at least 1, SIZE_MAX for "no limit". An absent stream
 * reads as empty. Select EVENT_COLUMNS, bind, and let sql_read_events()
 * step through the rows.
 *
 * @return ESK_OK; a SQLite failure; ESK_ECORRUPT; ESK_ENOMEM.
 */
esk_status store_read_stream(esk_store *store, void *impl,
                             const char *stream_id, int64_t from_version,
                             size_t max_count, bool backward,
                             esk_event_list *out);

/* ==== Provided (support.c, support_appends.c, support_records.c) ========== */

/*
 * Open (and create, when new) the database at path, ready to be wrapped
 * into a store: WAL mode, the busy timeout and durability of options,
 * your events table (store_create_schema(), on a new file), the records
 * table, and a check that the events table has the columns of
 * EVENT_COLUMNS.
 *
 * @param out     receives the backend's state, owned by the caller until
 *                given to esk_store_new(); untouched on failure.
 * @param options NULL for ESK_STORE_OPTIONS_INIT; borrowed.
 * @return ESK_OK; ESK_ENOTIMPL (store_create_schema() is still a stub);
 *         ESK_ESCHEMA (the events table lacks a column); ESK_EINVAL;
 *         ESK_EIO, ESK_EBUSY, ESK_ENOMEM.
 */
esk_status store_connect(sqlite_store **out, const char *path,
                         const esk_store_options *options);

/*
 * store_connect(), then esk_store_new() with sqlite_exercise_backend: a
 * store that esk_store_append() and every other function of esk/store.h
 * work on. Close it with esk_store_free().
 *
 * @return as store_connect(), and esk_store_new()'s failures.
 */
esk_status store_open(esk_store **out, const char *path,
                      const esk_store_options *options);

/* The operations that are not the lesson. */
esk_status store_read_all(esk_store *store, void *impl, int64_t after_position,
                          size_t max_count, const esk_filter *filter,
                          esk_event_list *out);
esk_status store_put_record(esk_store *store, void *impl, esk_record_kind kind,
                            const esk_record *record);
esk_status store_get_record(esk_store *store, void *impl, esk_record_kind kind,
                            const char *key, esk_record *out, char **owned);
/* The connection of one of these stores (esk_store_impl() gives impl):
 * for tests and read models on the same file. */
struct sqlite3 *store_db(void *impl);
void store_close(void *impl);

/*
 * For store_append(), step 1: whether a batch whose ids the caller chose
 * is already stored as this very batch: one stored append, with the same
 * stream, the same events in the same order with the same content, and
 * an expected version it passed (the library's rule,
 * esk_store_check_replay() in esk/store_backend.h, applied to your
 * table). If it is, the append is a retry that already succeeded:
 * request->replayed is set, with the versions, positions and result of
 * the first time, and nothing is to be written. If its first id is stored
 * otherwise: ESK_EDUPLICATE, saying what differs.
 *
 * @return ESK_OK (replayed or not); ESK_EDUPLICATE; a SQLite failure.
 */
esk_status store_check_replay(esk_store *store, sqlite_store *s,
                              esk_append_request *request);

/*
 * The append as the front calls it (sqlite_exercise_backend.append):
 * store_append(), then, when it wrote a batch, a row of the batches table
 * with the batch's first and last positions, in the same transaction.
 * store_check_replay() reads those rows to tell a retry from a batch that
 * spans two appends or covers part of one.
 *
 * @return as store_append(); a SQLite failure of the note.
 */
esk_status store_append_noted(esk_store *store, void *impl,
                              esk_append_request *request);

/*
 * For store_append(), step 4: the INSERT of request->events[index] failed
 * with the SQLite code rc (of a bind or of the step). Call it before
 * anything else touches the connection, and return what it returns: the
 * status and message in the user's terms. A UNIQUE constraint on the
 * event id gives ESK_EDUPLICATE and says where that id is stored; one on
 * (stream_id, version) gives ESK_ECONCURRENCY; a NOT NULL constraint
 * names the column left unbound.
 */
esk_status store_insert_failed(esk_store *store, sqlite_store *s,
                               const esk_append_request *request, size_t index,
                               int rc);

/* ---- SQL helpers --------------------------------------------------------- */

/*
 * A statement for sql, ready to bind: compiled the first time, kept, and
 * reset with its bindings cleared every time it is handed out. The store
 * finalizes it at close: never finalize it yourself. Reset it
 * (sqlite3_reset) when you are done with its rows.
 *
 * @return ESK_OK; ESK_EIO with SQLite's words when sql does not compile
 *         ("no such column: ..."); ESK_ENOMEM.
 */
esk_status sql_prepare(esk_store *store, sqlite_store *s, const char *sql,
                       sqlite3_stmt **out);

/*
 * Run a statement that returns no rows ("BEGIN IMMEDIATE", "SAVEPOINT
 * depth1"...), through sql_prepare().
 *
 * @return ESK_OK; on failure, the status and message of sql_fail().
 */
esk_status sql_run(esk_store *store, sqlite_store *s, const char *sql);

/*
 * Run a query that answers one integer, with an optional text parameter
 * ?1 (NULL for none). A NULL answer (max() of no rows) reads as 0.
 *
 *   sql_query_int(store, s, "SELECT count(*) FROM events WHERE type = ?1",
 *                 "AttendeeRegistered", &n);
 *
 * @return ESK_OK; on failure, the status and message of sql_fail().
 */
esk_status sql_query_int(esk_store *store, sqlite_store *s, const char *sql,
                         const char *param, int64_t *out);

/*
 * Bind text to parameter index (1 for ?1). SQLite copies it. Returns a
 * SQLite code, as sqlite3_bind_int64() does.
 */
int sql_bind_text(sqlite3_stmt *stmt, int index, const char *text);

/*
 * Bind a time as the text the events table keeps, ISO 8601 UTC
 * ("2026-11-27T09:00:00.000000Z", esk_time_format()). Returns SQLITE_OK,
 * or SQLITE_RANGE when the time lies outside the years 0000 to 9999.
 */
int sql_bind_time(sqlite3_stmt *stmt, int index, esk_time time);

/*
 * Step through the rows of a bound SELECT of EVENT_COLUMNS and push a copy
 * of each into out, up to max_count events. The statement is reset at the
 * end. A row that passes filter (NULL: every row) counts.
 *
 * @param doing what the read is, for a failure's message ("reading stream
 *              'workshop-w-1'").
 * @return ESK_OK; ESK_ECORRUPT (a row esk cannot have written); ESK_ENOMEM;
 *         a SQLite failure. On failure out is left empty.
 */
esk_status sql_read_events(esk_store *store, sqlite_store *s,
                           sqlite3_stmt *stmt, size_t max_count,
                           const esk_filter *filter, const char *doing,
                           esk_event_list *out);

/*
 * Record the SQLite failure rc on the store, as "<what was being done>:
 * <SQLite's words>", with the status it stands for (SQLITE_BUSY is
 * ESK_EBUSY, SQLITE_CORRUPT is ESK_ECORRUPT, most others ESK_EIO), and
 * return that status. Call it before anything else touches the
 * connection, which would replace SQLite's message.
 */
esk_status sql_fail(esk_store *store, sqlite_store *s, int rc,
                    const char *doing_format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/*
 * Run SQL text, one or more statements, with no store to report to yet
 * (store_connect(), store_create_schema()). On failure the thread's last
 * error (esk_errmsg()) receives "<SQLite's words>" and the status.
 *
 * @return ESK_OK; ESK_ESCHEMA (the SQL is wrong: a syntax error, a table
 *         that already exists...); ESK_EBUSY, ESK_EIO, ESK_ENOMEM.
 */
esk_status sql_script(sqlite3 *db, const char *sql);

#endif
