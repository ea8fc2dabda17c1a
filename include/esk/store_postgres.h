/*
 * esk/store_postgres.h - the event store on PostgreSQL (libpq).
 *
 * The same store as esk_store_open_sqlite(), with the same rules (the
 * conformance suite runs on both), for applications that outgrow one
 * SQLite file: several processes or machines writing to one database.
 * Built when CMake finds libpq (option ESK_WITH_POSTGRES): the function
 * exists only in such a build, whose users see ESK_HAVE_POSTGRES defined
 * (a public compile definition of the esk target).
 *
 * The tables live in a PostgreSQL schema of their own (options->schema,
 * "esk" by default), created on first open and stamped with its version.
 *
 * With options->store.read_only (a viewer's store) nothing is created:
 * the schema must hold an esk store already. Every append, close and
 * record is refused with ESK_EREADONLY before the server is asked, the
 * session is read-only besides (default_transaction_read_only, so that a
 * statement run on esk_store_postgres_conn() cannot write either), and
 * transactions take no lock (tests/test_postgres_read_only.c).
 *
 * Global positions are gap-free and in commit order, also with many
 * writers in many processes: every outermost transaction takes one
 * transaction-scoped advisory lock of the schema before it reads or
 * writes, as SQLite's BEGIN IMMEDIATE takes its write lock, and
 * PostgreSQL makes a commit visible before it lets go of that lock.
 * Writers to one schema therefore take turns (docs/architecture.md gives
 * the cost); readers never wait.
 *
 * An append costs the same number of round trips whatever its size: the
 * batch's events and tags travel as array parameters of one INSERT. Outside
 * a transaction that is four: BEGIN with the lock, the stream's state, the
 * INSERT, COMMIT; one more when the caller chose the ids (one look-up of
 * them all), one more for a closing append (tests/test_store_postgres.c).
 *
 * One connection per store, used by one thread at a time, as every store.
 * Open the store in each process after fork(): a child must not use a
 * connection its parent opened.
 */
#ifndef ESK_STORE_POSTGRES_H
#define ESK_STORE_POSTGRES_H

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ESK_POSTGRES_OPTIONS_VERSION 1

/** Options of esk_store_open_postgres(). */
typedef struct esk_postgres_options {
    int version;
    /**
     * The store's options. clock as for every store; busy_timeout_ms is
     * how long a transaction waits for another writer's lock
     * (lock_timeout) before ESK_EBUSY, 0 for not waiting; durability FULL waits
     * for the commit to be flushed to disk (synchronous_commit = on), NORMAL
     * does not (synchronous_commit = off: a server crash may lose the last
     * commits acknowledged, never part of one, and never leaves a gap).
     */
    esk_store_options store;
    /** The PostgreSQL schema that holds the tables: 1 to 63 of
     *  [a-z0-9_], not starting with a digit; NULL for "esk". */
    const char *schema;
} esk_postgres_options;

/* clang-format off */
#define ESK_POSTGRES_OPTIONS_INIT \
    {ESK_POSTGRES_OPTIONS_VERSION, ESK_STORE_OPTIONS_INIT, NULL}
/* clang-format on */

/**
 * Connect to a PostgreSQL database and open (creating if needed) the event
 * store in options->schema.
 *
 * @param out      receives the store, owned by the caller (esk_store_free
 *                 closes the connection); untouched on failure.
 * @param conninfo a libpq connection string ("host=/run/postgresql
 *                 dbname=app") or URI; borrowed. A connection attempt
 *                 (this one, and each reconnection) gives up after
 *                 connect_timeout seconds: 10 unless the conninfo or
 *                 PGCONNECT_TIMEOUT says (libpq alone would wait for ever
 *                 on a server that never answers).
 * @param options  NULL for the defaults; borrowed.
 * @return ESK_OK;
 *         ESK_EINVAL: out or conninfo NULL, a conninfo libpq cannot parse,
 *         bad options or schema name;
 *         ESK_EIO: the server cannot be reached, refused the connection
 *         or did not answer in time (the message gives libpq's words);
 *         read_only, also a schema that is absent or holds no esk store
 *         (the message says to open it once without read_only);
 *         ESK_ESCHEMA: the schema holds tables that are not an esk store, or
 *         an esk store of another schema version (nothing is written to
 *         it);
 *         ESK_EREADONLY: the role may not create the schema or read the
 *         store's tables;
 *         ESK_ENOMEM.
 *
 * Failures afterwards, in every store function (tests/test_store_postgres.c):
 * a connection lost or a session terminated gives ESK_EIO, inside a
 * transaction with ESK_EXT_TRANSACTION_LOST: roll back the outermost
 * transaction and redo the unit; the store connects again at the next
 * call. A writer that waits for another's lock past busy_timeout_ms gets
 * ESK_EBUSY with ESK_EXT_BUSY_TIMEOUT. A statement the server refuses
 * inside an append fails that append alone; inside a transaction, any
 * other failed statement ends the transaction (PostgreSQL's rule), which
 * then fails as a lost one. Other server failures are mapped by SQLSTATE
 * (src/store_postgres_errors.c), with the server's words in the message.
 */
esk_status esk_store_open_postgres(esk_store **out, const char *conninfo,
                                   const esk_postgres_options *options);

struct pg_conn;

/**
 * The libpq connection of a PostgreSQL store (a PGconn *), NULL for any
 * other store or NULL. Borrowed: valid until the store is freed (the store
 * connects again on the same object). For a catch-up projection's read
 * model in the same database: a handler that writes through it writes in
 * the batch's transaction, so its rows and the checkpoint commit together
 * or not at all (tests/test_store_postgres.c). Keep each projection's
 * tables in a schema of its own (created by setup() with
 * esk_read_model_postgres_schema(), which reset() uses to start a rebuild
 * from an empty schema: esk/read_model_postgres.h shows both), and name
 * them with that schema: the connection's search_path is the store's
 * schema. Queries read the read model through a handle of
 * esk/read_model_postgres.h, not through this connection. Do not close it, do
 * not begin or end transactions on it, and leave no query running on it (no
 * PQsendQuery without its last PQgetResult). A failed statement ends
 * PostgreSQL's transaction: the store then fails the unit as a lost one
 * (ESK_EXT_TRANSACTION_LOST).
 */
struct pg_conn *esk_store_postgres_conn(esk_store *store);

#ifdef __cplusplus
}
#endif

#endif
