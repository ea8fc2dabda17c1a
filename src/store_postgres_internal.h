/*
 * src/store_postgres_internal.h - the PostgreSQL backend's state and the
 * helpers its files share. Layers, each using only those below it:
 *   store_postgres.c            the backend table, connecting, closing;
 *   store_postgres_write.c      appends (the replay rule, inserting a batch);
 *   store_postgres_read.c       reads by stream, by position, by query;
 *   store_postgres_tx.c         transactions, savepoints, the write lock;
 *   store_postgres_wait.c       waiting for other connections' appends;
 *   store_postgres_records.c    checkpoints, command outcomes, snapshots;
 *   store_postgres_schema.c     creating and checking the schema;
 *   store_postgres_statements.c the prepared statements and running them;
 *   store_postgres_arrays.c     a batch's values as array parameters;
 *   store_postgres_errors.c     a libpq failure in the user's terms.
 * read_model_postgres.c, the query side, sits above them all.
 */
#ifndef ESK_STORE_POSTGRES_INTERNAL_H
#define ESK_STORE_POSTGRES_INTERNAL_H

#include <libpq-fe.h>

#include "esk/store_backend.h"
#include "esk/store_postgres.h"
#include "internal.h"

/* The statements prepared once per connection, by name ("esk<n>"). */
enum {
    PG_STREAM_STATE,
    PG_STREAM_VERSION,
    PG_HEAD,
    PG_INSERT,
    PG_INSERT_ONE,
    PG_CLOSE,
    PG_CLOSED_AT,
    PG_STORED_IDS,
    PG_REPLAY_WALK,
    PG_READ_FORWARD,
    PG_READ_BACKWARD,
    PG_READ_ALL,
    PG_READ_CATEGORY,
    PG_PUT_CHECKPOINT,
    PG_PUT_COMMAND,
    PG_PUT_SNAPSHOT,
    PG_GET_CHECKPOINT,
    PG_GET_COMMAND,
    PG_GET_SNAPSHOT,
    PG_STMT_COUNT
};

/* The columns every read selects, in this order; the tags come as one
 * text, each tag as its length in bytes, ':' and the tag, NULL for none
 * (a tag may hold any character). The outer table must be named events. */
#define PG_EVENT_SELECT                                                        \
    "position, event_id, stream_id, version, type, schema_version, data, "     \
    "metadata, (extract(epoch FROM recorded_at) * 1000000)::bigint, "          \
    "CASE WHEN events.tag_count > 0 THEN (SELECT string_agg("                  \
    "octet_length(tag) || ':' || tag, '' ORDER BY ord) FROM event_tags "       \
    "WHERE event_tags.position = events.position) END"

enum {
    PG_COL_POSITION,
    PG_COL_EVENT_ID,
    PG_COL_STREAM_ID,
    PG_COL_VERSION,
    PG_COL_TYPE,
    PG_COL_SCHEMA_VERSION,
    PG_COL_DATA,
    PG_COL_METADATA,
    PG_COL_RECORDED_AT,
    PG_COL_TAGS,
    PG_COL_COUNT
};

/* An event's tags as read: pointers into text. */
typedef struct esk__pg_tags {
    const char *tags[ESK_EVENT_TAGS_MAX];
    char text[ESK_EVENT_TAGS_MAX * (ESK_TAG_MAX + 1)];
} esk__pg_tags;

enum { PG_SCHEMA_NAME_MAX = 63 };

/* Array parameters as text, one after the other in one buffer that the
 * store keeps between appends. */
typedef struct esk__pg_arrays {
    char *text;
    size_t len;
    size_t cap;
    bool failed; /* out of memory: the text is incomplete */
} esk__pg_arrays;

/* The backend's state: one connection. */
typedef struct pg_store {
    PGconn *conn;
    char *conninfo;
    char schema[PG_SCHEMA_NAME_MAX + 1];
    int busy_timeout_ms;
    esk_durability durability;
    /* esk_store_options.read_only: the session refuses writes, nothing is
     * created, and transactions take no lock. */
    bool read_only;
    /* Whether this connection has its settings made (false again after
     * a reconnect), and which statements it has prepared. */
    bool ready;
    bool prepared[PG_STMT_COUNT];
    /* How many transactions are open (the outermost and its savepoints);
     * 0 outside one. */
    int depth;
    /* "BEGIN; SELECT pg_advisory_xact_lock(...)": the outermost
     * transaction and the schema's write lock, in one round trip. */
    char begin_sql[160];
    /* "NOTIFY <schema>; COMMIT": the commit of a transaction that
     * appended, which wakes the waiters of other connections
     * (store_postgres_wait.c) once it is committed, and never if not. */
    char notify_commit_sql[96];
    /* Whether the open transaction has appended. */
    bool appended;
    /* Whether this connection LISTENs to the schema's channel (false
     * again after a reconnect). */
    bool listening;
    /* The array parameters of the last append. */
    esk__pg_arrays arrays;
} pg_store;

/* The first key of the schema's advisory lock ("ESK1"); the second is
 * hashtext(schema name), so that stores in two schemas of one database
 * do not wait for each other (a rare collision only makes them share a
 * lock). */
#define ESK__PG_LOCK_CLASS 0x45534B31

/* --- store_postgres.c ------------------------------------------------- */

/* The backend's state of a PostgreSQL store, NULL for any other store or
 * NULL (for the read model's queries, read_model_postgres.c). */
pg_store *esk__pg_store_of(esk_store *store);
/* A schema name esk can put in SQL text without quoting anything inside:
 * [a-z_][a-z0-9_]*, 1 to 63 bytes (PostgreSQL's limit). */
bool esk__pg_schema_name_ok(const char *name);

/* --- store_postgres_errors.c ------------------------------------------- */

/* Record a failed result (or, for res NULL, the connection's failure) as
 * the last error: "<doing>: <what happened and what to do> (<server's
 * words>)", with the status and extended code the SQLSTATE gives. */
esk_status esk__pg_fail(const pg_store *s, const PGresult *res,
                        const char *doing_format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* The status for a result's SQLSTATE (ESK_EIO for none). */
esk_status esk__pg_status(const PGresult *res);
/* Whether the result's SQLSTATE is this one ("23505"). */
bool esk__pg_sqlstate_is(const PGresult *res, const char *sqlstate);

/* --- store_postgres_statements.c -------------------------------------- */

/* Make the session's settings: the search path, UTF-8, the lock timeout,
 * synchronous_commit. */
esk_status esk__pg_configure(pg_store *s);
/* Mark a new connection ready, with no statement prepared yet (each is
 * prepared on first use); after esk__pg_configure. */
esk_status esk__pg_prepare(pg_store *s);
/* Run prepared statement `which` with text parameters; the result, which
 * the caller clears with PQclear (NULL only when out of memory). */
PGresult *esk__pg_exec(pg_store *s, int which, int n, const char *const *p);
/* Run SQL text with parameters (NULL for none). */
PGresult *esk__pg_exec_sql(pg_store *s, const char *sql, int n,
                           const char *const *p);
/* Whether the result is a success. */
bool esk__pg_ok(const PGresult *res);
/* A column as an integer (0 for NULL). */
int64_t esk__pg_int(const PGresult *res, int row, int col);
/* A one-row, one-integer query with an optional text parameter: its value,
 * or 0 for no row or NULL. */
esk_status esk__pg_query_int(pg_store *s, int which, const char *param,
                             int64_t *out, const char *doing);
/* Take the event of row `row` (columns PG_EVENT_SELECT) into e, its tags
 * into tags: false when a column is not what esk writes. */
bool esk__pg_row_event(const PGresult *res, int row, esk_event *e,
                       esk__pg_tags *tags);
/* How long a connection attempt may take, in seconds, when neither the
 * conninfo nor PGCONNECT_TIMEOUT says: libpq's own default is for ever,
 * which would hang a store (or a viewer's poll) on a server that accepts
 * the connection and never answers. */
#define ESK__PG_CONNECT_TIMEOUT "10"

/* PQconnectdbParams on conninfo with esk's defaults under it (the connect
 * timeout) and the settings in keys/values (up to 4, NULL-terminated) on
 * top of it. NULL only when out of memory. */
PGconn *esk__pg_connect(const char *conninfo, const char *const *keys,
                        const char *const *values);

/* Connect again after the connection was lost, outside a transaction:
 * ESK_OK when the connection is good. */
esk_status esk__pg_connected(pg_store *s, const char *doing);

/* --- store_postgres_arrays.c ------------------------------------------ */

/* Empty the text for a new batch, keeping its memory. */
void esk__pg_arrays_reset(esk__pg_arrays *a);
void esk__pg_arrays_free(esk__pg_arrays *a);
/* Start an array: where it starts in a->text (a parameter points there
 * once every array is ended: the text may move until then). */
size_t esk__pg_array_begin(esk__pg_arrays *a);
/* Add an element (value is borrowed and copied). */
void esk__pg_array_text(esk__pg_arrays *a, const char *value);
void esk__pg_array_int(esk__pg_arrays *a, int64_t value);
/* End the array with its '\0'. Check a->failed once at the end. */
void esk__pg_array_end(esk__pg_arrays *a);

/* --- store_postgres_schema.c ------------------------------------------ */

/* Create the schema if absent, accept it when it is current, refuse it
 * otherwise (ESK_ESCHEMA). */
esk_status esk__pg_check_schema(pg_store *s);

/* Refuse a write of a store opened read_only (ESK_EREADONLY, saying
 * doing); ESK_OK for any other store. */
esk_status esk__pg_refuse_write(const pg_store *s, const char *doing);

/* --- store_postgres_tx.c ---------------------------------------------- */

/* After a statement of an append failed inside a savepoint: roll back to
 * it, so that the transaction around the append can go on. */
void esk__pg_undo_failed_statement(pg_store *s);

/* --- the backend's operations (esk_store_backend) ---------------------- */

esk_status esk__pg_append(esk_store *store, void *impl,
                          esk_append_request *request);
esk_status esk__pg_stream_closed(esk_store *store, void *impl,
                                 const char *stream_id, bool *out_closed);
esk_status esk__pg_read_stream(esk_store *store, void *impl,
                               const char *stream_id, int64_t from_version,
                               size_t max_count, bool backward,
                               esk_event_list *out);
esk_status esk__pg_read_all(esk_store *store, void *impl,
                            int64_t after_position, size_t max_count,
                            const esk_filter *filter, esk_event_list *out);
esk_status esk__pg_stream_version(esk_store *store, void *impl,
                                  const char *stream_id, int64_t *out_version);
esk_status esk__pg_head_position(esk_store *store, void *impl,
                                 int64_t *out_position);
esk_status esk__pg_read_query(esk_store *store, void *impl,
                              const esk_query *query, int64_t after_position,
                              int64_t up_to, size_t max_count,
                              esk_event_list *out);
esk_status esk__pg_begin(esk_store *store, void *impl, int depth);
esk_status esk__pg_commit(esk_store *store, void *impl, int depth);
esk_status esk__pg_rollback(esk_store *store, void *impl, int depth);
esk_status esk__pg_check_transaction(esk_store *store, void *impl);
esk_status esk__pg_wait_for(esk_store *store, void *impl,
                            int64_t after_position, int timeout_ms,
                            int64_t *out_head);
esk_status esk__pg_put_record(esk_store *store, void *impl,
                              esk_record_kind kind, const esk_record *record);
esk_status esk__pg_get_record(esk_store *store, void *impl,
                              esk_record_kind kind, const char *key,
                              esk_record *out, char **owned);

#endif
