/*
 * tests/pg/store_under_test_postgres.c - a PostgreSQL schema as the store
 * under test (store_under_test.h), looked at on a connection of the
 * test's own whose search path is the schema.
 */
#include <stdio.h>
#include <stdlib.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "esk/store_postgres.h"
#include "pg/pg_support.h"
#include "store_under_test.h"

static esk_status open_schema(esk_store **out, const char *schema,
                              const esk_store_options *options)
{
    esk_postgres_options pg = ESK_POSTGRES_OPTIONS_INIT;
    if (options != NULL)
        pg.store = *options;
    pg.schema = schema;
    const char *conninfo = getenv("ESK_TEST_PG");
    return esk_store_open_postgres(out, conninfo != NULL ? conninfo : "", &pg);
}

/* The server's own consistency is PostgreSQL's business: the tests check
 * what esk committed. */
static void *inspect(const char *schema, const char *when)
{
    (void)when;
    PGconn *admin = pg_admin(getenv("ESK_TEST_PG"));
    char sql[128];
    snprintf(sql, sizeof sql, "SET search_path TO \"%s\"", schema);
    pg_admin_exec(admin, sql);
    return admin;
}

static int64_t number(void *conn, const char *sql, int64_t if_none)
{
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char message[512];
        snprintf(message, sizeof message, "%s", PQresultErrorMessage(res));
        PQclear(res);
        fail_msg("%s: %s", sql, message);
    }
    int64_t value = if_none;
    if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        value = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return value;
}

static bool has_table(void *conn, const char *table)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT to_regclass('%s') IS NOT NULL", table);
    PGresult *res = PQexec(conn, sql);
    bool exists = PQresultStatus(res) == PGRES_TUPLES_OK &&
                  PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return exists;
}

static void close_conn(void *conn)
{
    PQfinish(conn);
}

const store_under_test postgres_schema_under_test = {
    open_schema, inspect, number, has_table, close_conn, 5000};
