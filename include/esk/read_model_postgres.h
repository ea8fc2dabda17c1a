/*
 * esk/read_model_postgres.h - the query side on PostgreSQL: a schema per
 * projection, and a handle whose queries read the read model only.
 *
 * What esk_read_model_prepare() (esk/projection.h) is on SQLite. Built
 * with the PostgreSQL backend only (ESK_HAVE_POSTGRES).
 *
 * A schema per projection. A catch-up projection keeps its tables in a
 * schema of its own, next to the store's, and writes them through the
 * store's connection (esk_store_postgres_conn), so its rows commit with
 * its checkpoint. setup() creates the schema and the tables; reset()
 * drops the schema with everything in it and creates it again, so a
 * rebuild (a new version of the projection) starts from the new tables
 * and touches no other projection's:
 *
 *   static esk_status seats_setup(void *ctx, esk_store *store)
 *   {
 *       esk_status rc = esk_read_model_postgres_schema(store, "seats",
 *                                                      false);
 *       return rc != ESK_OK ? rc : run(store,
 *           "CREATE TABLE IF NOT EXISTS seats.seats("
 *           "workshop_id text PRIMARY KEY, taken bigint)");
 *   }
 *   static esk_status seats_reset(void *ctx, esk_store *store)
 *   {
 *       esk_status rc = esk_read_model_postgres_schema(store, "seats",
 *                                                      true);
 *       return rc != ESK_OK ? rc : seats_setup(ctx, store);
 *   }
 *
 * (run() being the application's PQexec on esk_store_postgres_conn(store);
 * the handler names its tables with the schema, "seats.seats", since that
 * connection's search_path is the store's schema.)
 *
 * The query handle. esk_read_model_open_postgres() opens a connection of
 * its own to the store's database, for one projection's schema: queries
 * name that schema's tables plainly (search_path is that schema, then
 * pg_catalog). Each query runs alone in a fresh READ ONLY transaction of
 * that connection, rolled back when its rows are in (which undoes what it
 * set), after which a session advisory lock it took is let go. It costs
 * two round trips with libpq 14 or later (the checks below in one, the
 * run and the cleanup in the other, in libpq's pipeline mode), one a step
 * (seven) before. So:
 *
 *   - a query only reads: the server refuses a write in a READ ONLY
 *     transaction, made by the query or by a function it calls
 *     (ESK_EINVAL); a statement that returns no rows or that EXPLAIN does
 *     not plan (SET, BEGIN, COMMIT, DDL, SHOW) is refused before it runs,
 *     and so are two statements in one (the server parses the query as
 *     one prepared statement); a query whose plan writes (a data-modifying
 *     WITH) is refused before it runs;
 *   - a query leaves nothing behind for the next one: a search_path it
 *     sets (set_config) is undone, a session advisory lock it takes (which
 *     could stop the store's writers) is released;
 *   - a query does not read the store's tables: the server's plan of each
 *     query (EXPLAIN VERBOSE, views and inlined SQL functions expanded) is
 *     refused if a relation it reads (or a function it scans) lies in
 *     the store's schema, before the query runs. The plan does not show what a
 *     function of the application's own (PL/pgSQL, say) reads when it
 *     runs: to have the server refuse that too, open the handle with the
 *     conninfo of a role that has no rights on the store's schema (only
 *     USAGE on the read model's schema and SELECT on its tables);
 *   - a query sees what is committed, never a transaction the store has
 *     open (another connection);
 *   - a query waits for a lock on the read model's tables (a transaction
 *     of the store's changing them, as a rebuild does) no longer than the
 *     store's writers wait (its busy_timeout_ms), then fails with
 *     ESK_EBUSY: a thread that queries inside its own store's rebuild
 *     does not wait for itself for ever;
 *   - a lost connection fails the query that meets it (ESK_EIO); the next
 *     query connects again.
 *
 * One handle is used by one thread at a time, like a store.
 */
#ifndef ESK_READ_MODEL_POSTGRES_H
#define ESK_READ_MODEL_POSTGRES_H

#include <stdbool.h>

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct esk_read_model_postgres esk_read_model_postgres;
struct pg_result;

/**
 * Create a projection's schema on the store's connection if it is missing
 * (CREATE SCHEMA IF NOT EXISTS), for setup(); with drop_first, drop it with
 * everything in it and create it empty, for reset(). Inside a transaction
 * (setup and reset run in one), it commits or rolls back with it; a
 * failure ends PostgreSQL's transaction as any failed statement on
 * esk_store_postgres_conn() does.
 *
 * @param store      a PostgreSQL store; borrowed.
 * @param schema     the projection's schema: 1 to 63 of [a-z0-9_], not
 *                   starting with a digit, and not the store's; borrowed.
 * @param drop_first whether to drop the schema and all it holds first.
 * @return ESK_OK;
 *         ESK_EINVAL: store or schema NULL, a store that is not PostgreSQL,
 *         a bad schema name, or the store's own schema;
 *         ESK_EREADONLY: the role may not create or drop the schema;
 *         ESK_EIO: the connection was lost, or the server failed (its
 *         words in the message).
 */
esk_status esk_read_model_postgres_schema(esk_store *store, const char *schema,
                                          bool drop_first);

/**
 * Open a query handle on the read model in `schema` of a PostgreSQL store's
 * database, connecting to the server.
 *
 * @param out      receives the handle, owned by the caller
 *                 (esk_read_model_postgres_free); untouched on failure.
 * @param store    a PostgreSQL store; borrowed, only during the call.
 * @param schema   the read model's schema (the rules of
 *                 esk_read_model_postgres_schema); it need not exist yet.
 *                 Borrowed.
 * @param conninfo NULL to connect as the store does (its conninfo); or a
 *                 libpq conninfo of the same database, for a role of the
 *                 query side's own (see above). Borrowed.
 * @return ESK_OK;
 *         ESK_EINVAL: out, store or schema NULL, a store that is not
 *         PostgreSQL, a bad schema name or the store's own schema, a
 *         conninfo libpq cannot parse;
 *         ESK_EIO: the server cannot be reached or refused the connection
 *         (libpq's words in the message);
 *         ESK_ENOMEM.
 */
esk_status esk_read_model_open_postgres(esk_read_model_postgres **out,
                                        esk_store *store, const char *schema,
                                        const char *conninfo);

/** Close the handle's connection and free it. NULL is a no-op. Results
 *  it gave stay the caller's (PQclear). */
void esk_read_model_postgres_free(esk_read_model_postgres *read_model);

/**
 * Run one query on the read model and give its rows.
 *
 * @param sql    one SELECT (or VALUES, TABLE, a read-only WITH), with
 *               parameters $1..$n; a trailing ';' is fine. Borrowed.
 * @param n      how many parameters, 0 or more.
 * @param params n texts, each NULL for SQL NULL (the server casts each to
 *               the type its place needs); NULL when n is 0. Borrowed.
 * @param out    receives the rows (a PGresult *, status PGRES_TUPLES_OK),
 *               owned by the caller: PQclear it. Untouched on failure.
 * @return ESK_OK;
 *         ESK_EINVAL: NULL arguments, empty SQL, n negative or params
 *         NULL with n > 0, SQL the server refuses (its words), more than
 *         one statement, a statement that is not a query or that writes
 *         ("queries only read: ..."), a query whose plan reads the store's
 *         schema ("queries read the read model only: ...");
 *         ESK_EREADONLY: the handle's role may not read a table the query
 *         names (the server's words);
 *         ESK_EBUSY with ESK_EXT_BUSY_TIMEOUT: the query waited for a lock
 *         on the read model past the store's busy_timeout_ms;
 *         ESK_EIO: the connection was lost (the next query connects
 *         again), or the server failed otherwise (its words);
 *         ESK_ENOMEM.
 */
esk_status esk_read_model_postgres_query(esk_read_model_postgres *read_model,
                                         const char *sql, int n,
                                         const char *const *params,
                                         struct pg_result **out);

#ifdef __cplusplus
}
#endif

#endif
