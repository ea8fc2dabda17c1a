/*
 * tests/test_postgres_projection_crash.c - a catch-up projection killed
 * mid-batch, again and again, on PostgreSQL: the test of
 * projection_crash_tests.c (test_projection_crash.c says what is checked).
 *
 * The read model lives in a schema of its own beside the store's and is
 * written through the store's connection (esk_store_postgres_conn), so
 * its rows and the checkpoint commit together. PostgreSQL has no hook
 * after a commit: to stop right after one, the runner steps the
 * projection a batch (a commit) at a time.
 *
 * Needs a server: ESK_TEST_PG=conninfo (tests/pg/cluster.sh start prints
 * one); skipped otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "esk/error.h"
#include "esk/store_postgres.h"
#include "pg/pg_support.h"
#include "projection_crash_fixture.h"

#define STORE_SCHEMA "esk_pcrash"
#define READ_MODEL_SCHEMA "esk_pcrash_counters"

static const char *conninfo;

/* A failed statement ends the server's transaction: the store then
 * fails the batch as a lost unit, which is what the test wants. */
static esk_status result_status(esk_store *store, PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    esk_status rc = ESK_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = esk_error_set(ESK_EIO, "%s",
                           PQerrorMessage(esk_store_postgres_conn(store)));
    PQclear(res);
    return rc;
}

static esk_status exec_sql(esk_store *store, const char *sql)
{
    return result_status(store, PQexec(esk_store_postgres_conn(store), sql));
}

static esk_status count_event(esk_store *store, const char *table,
                              const esk_event *event, int n)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO %s AS t VALUES($1, 1, $2, $3, $4) "
             "ON CONFLICT(stream_id) DO UPDATE SET events = t.events + 1, "
             "total = t.total + excluded.total, "
             "last_version = excluded.last_version, "
             "last_position = excluded.last_position",
             table);
    char number[3][24];
    snprintf(number[0], sizeof number[0], "%d", n);
    snprintf(number[1], sizeof number[1], "%lld", (long long)event->version);
    snprintf(number[2], sizeof number[2], "%lld", (long long)event->position);
    const char *params[4] = {event->stream_id, number[0], number[1], number[2]};
    return result_status(store,
                         PQexecParams(esk_store_postgres_conn(store), sql, 4,
                                      NULL, params, NULL, NULL, 0));
}

static bool no_commit_hook(esk_store *store, runner *r)
{
    (void)store;
    (void)r;
    return false;
}

static const projection_crash_backend postgres_read_model = {
    exec_sql, count_event, no_commit_hook};
const projection_crash_backend *projection_crash_under_test =
    &postgres_read_model;
const store_under_test *under_test = &postgres_schema_under_test;

static int fresh_schemas(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, STORE_SCHEMA);
    pg_drop_schema(conninfo, READ_MODEL_SCHEMA);
    PGconn *admin = pg_admin(conninfo);
    pg_admin_exec(admin, "CREATE SCHEMA " READ_MODEL_SCHEMA);
    PQfinish(admin);
    return 0;
}

static int drop_schemas(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, STORE_SCHEMA);
    pg_drop_schema(conninfo, READ_MODEL_SCHEMA);
    return 0;
}

static void a_killed_projection_ends_as_if_it_had_run_once(void **state)
{
    (void)state;
    killed_projection_ends_as_if_it_had_run_once(
        STORE_SCHEMA, READ_MODEL_SCHEMA ".counters",
        READ_MODEL_SCHEMA ".counters_clean");
}

int main(void)
{
    conninfo = pg_conninfo("test_postgres_projection_crash");
    if (conninfo == NULL)
        return PG_SKIP;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            a_killed_projection_ends_as_if_it_had_run_once, fresh_schemas,
            drop_schemas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
