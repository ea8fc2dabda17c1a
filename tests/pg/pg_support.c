/*
 * tests/pg/pg_support.c - the server under test and the test's own
 * connection to it.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pg_support.h"

const char *pg_conninfo(const char *program)
{
    const char *conninfo = getenv("ESK_TEST_PG");
    if (conninfo == NULL || conninfo[0] == '\0') {
        printf("%s: SKIPPED: no PostgreSQL server is configured. Set "
               "ESK_TEST_PG to a libpq conninfo, e.g. from "
               "tests/pg/cluster.sh start\n",
               program);
        return NULL;
    }
    return conninfo;
}

PGconn *pg_admin(const char *conninfo)
{
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK)
        fail_msg("connecting to '%s': %s", conninfo, PQerrorMessage(conn));
    PQclear(PQexec(conn, "SET client_min_messages TO warning"));
    return conn;
}

void pg_admin_exec(PGconn *admin, const char *sql)
{
    PGresult *res = PQexec(admin, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        char message[512];
        snprintf(message, sizeof message, "%s", PQresultErrorMessage(res));
        PQclear(res);
        fail_msg("%s: %s", sql, message);
    }
    PQclear(res);
}

int64_t pg_admin_number(PGconn *admin, const char *sql)
{
    PGresult *res = PQexec(admin, sql);
    int64_t n = -1;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char message[512];
        snprintf(message, sizeof message, "%s", PQresultErrorMessage(res));
        PQclear(res);
        fail_msg("%s: %s", sql, message);
    }
    if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return n;
}

char *pg_schema_digest(PGconn *admin, const char *schema)
{
    static const char *const tables[] = {
        "events",   "event_tags", "closed_streams", "checkpoints",
        "commands", "snapshots",  "esk_schema"};
    char sql[2048];
    int len = snprintf(sql, sizeof sql,
                       "SELECT md5(coalesce(string_agg(row, '|' ORDER BY "
                       "row), '')) FROM (SELECT 'r' || relname AS row FROM "
                       "pg_class WHERE relnamespace = '%s'::regnamespace",
                       schema);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        len += snprintf(sql + len, sizeof sql - (size_t)len,
                        " UNION ALL SELECT '%s' || t::text FROM %s.%s t",
                        tables[i], schema, tables[i]);
    snprintf(sql + len, sizeof sql - (size_t)len, ") AS rows");
    PGresult *res = PQexec(admin, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char message[512];
        snprintf(message, sizeof message, "%s", PQresultErrorMessage(res));
        PQclear(res);
        fail_msg("digest of %s: %s", schema, message);
    }
    char *text = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    assert_non_null(text);
    return text;
}

void pg_drop_schema(const char *conninfo, const char *schema)
{
    PGconn *admin = pg_admin(conninfo);
    char sql[160];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS \"%s\" CASCADE", schema);
    pg_admin_exec(admin, sql);
    PQfinish(admin);
}

esk_store *pg_open(const char *conninfo, const char *schema,
                   int busy_timeout_ms)
{
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    options.schema = schema;
    options.store.busy_timeout_ms = busy_timeout_ms;
    esk_store *store = NULL;
    if (esk_store_open_postgres(&store, conninfo, &options) != ESK_OK) {
        fprintf(stderr, "opening schema %s: %s\n", schema, esk_errmsg());
        return NULL;
    }
    return store;
}
