/*
 * tests/pg/pg_support.h - what the PostgreSQL tests share: the server
 * under test (ESK_TEST_PG, a libpq conninfo; tests/pg/cluster.sh starts a
 * throwaway one), a connection of the test's own for looking at what the
 * store wrote, and fresh schemas.
 */
#ifndef ESK_TESTS_PG_SUPPORT_H
#define ESK_TESTS_PG_SUPPORT_H

#include <stdint.h>

#include <libpq-fe.h>

#include "esk/store_postgres.h"

/* The exit status ctest reads as "skipped" (SKIP_RETURN_CODE). */
enum { PG_SKIP = 77 };

/* ESK_TEST_PG, or NULL after printing why the tests are skipped. */
const char *pg_conninfo(const char *program);

/* A connection of the test's own; fails the test when it cannot. */
PGconn *pg_admin(const char *conninfo);
/* Run SQL on it, failing the test on an error. */
void pg_admin_exec(PGconn *admin, const char *sql);
/* A one-number query (-1 for no row or NULL). */
int64_t pg_admin_number(PGconn *admin, const char *sql);

/* Every row of every table of an esk store's schema, and the schema's
 * relations, as one digest (malloc'd text): equal digests mean nothing
 * was written. */
char *pg_schema_digest(PGconn *admin, const char *schema);

/* Drop the schema if it is there, with everything in it. */
void pg_drop_schema(const char *conninfo, const char *schema);

/* Open a store in schema with the given lock timeout; NULL (and the
 * reason on stderr) when it cannot. For child processes: no cmocka. */
esk_store *pg_open(const char *conninfo, const char *schema,
                   int busy_timeout_ms);

#endif
