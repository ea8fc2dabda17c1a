/*
 * web/explore_catalog_postgres.c - the explorer's catalog of a PostgreSQL
 * store: its schema's tables, read on the store's own connection with
 * one PQexecParams each, outside any transaction (the session is
 * read-only), every result cleared before returning.
 *
 * Names are sorted by their bytes (COLLATE "C"), as SQLite sorts them,
 * so that the page lists streams in the same order on either store.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include <esk/error.h>
#include <esk/event.h>
#include <esk/store.h>
#include <esk/store_postgres.h>

#include "explore_catalog.h"

/* The store's connection, connected again through the store when it was
 * lost (a server restarted, a session terminated): the store connects
 * again at its next call, and the catalog asks nothing of it else. */
static PGconn *connection(esk_store *store)
{
    PGconn *conn = (PGconn *)esk_store_postgres_conn(store);
    if (conn != NULL && PQstatus(conn) != CONNECTION_OK) {
        int64_t head = 0;
        (void)esk_store_head_position(store, &head);
    }
    return conn;
}

static esk_status failed(PGconn *conn, const PGresult *res, const char *doing)
{
    char words[ESK_ERROR_MESSAGE_MAX];
    snprintf(words, sizeof words, "%s",
             res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(conn));
    size_t len = strlen(words);
    while (len > 0 && (words[len - 1] == '\n' || words[len - 1] == ' '))
        words[--len] = '\0';
    return esk_error_set(ESK_EIO,
                         "%s: PostgreSQL failed: %s (the page tries again "
                         "at its next refresh)",
                         doing, words);
}

/* Run sql (one text parameter or none) and call fn for each row. A
 * second column that is an esk time (microseconds) is given as text. */
static esk_status each_row(esk_store *store, const char *sql, bool time_column,
                           esk__explore_row_fn *fn, void *ctx)
{
    PGconn *conn = connection(store);
    if (conn == NULL)
        return esk_error_set(ESK_EINVAL, "the explorer's store is not on "
                                         "PostgreSQL");
    PGresult *res = PQexecParams(conn, sql, 0, NULL, NULL, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        esk_status status = failed(conn, res, "listing the store");
        PQclear(res);
        return status;
    }
    esk_status status = ESK_OK;
    for (int row = 0; row < PQntuples(res) && status == ESK_OK; row++) {
        const char *extra = PQgetvalue(res, row, 1);
        char when[ESK_TIME_TEXT_SIZE] = "";
        if (time_column && !PQgetisnull(res, row, 1)) {
            esk_time_format((esk_time)strtoll(extra, NULL, 10), when);
            extra = when;
        }
        status = fn(ctx, PQgetvalue(res, row, 0), extra);
    }
    PQclear(res);
    return status;
}

static esk_status each_stream(esk_store *store, const char *schema,
                              esk__explore_row_fn *fn, void *ctx)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT stream_id, NULL FROM (SELECT DISTINCT stream_id FROM "
             "\"%s\".events) AS ids ORDER BY stream_id COLLATE \"C\"",
             schema);
    return each_row(store, sql, false, fn, ctx);
}

static esk_status each_checkpoint(esk_store *store, const char *schema,
                                  esk__explore_row_fn *fn, void *ctx)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT name, (extract(epoch FROM updated_at) * 1000000)::bigint "
             "FROM \"%s\".checkpoints ORDER BY name COLLATE \"C\"",
             schema);
    return each_row(store, sql, true, fn, ctx);
}

static esk_status locate(esk_store *store, const char *schema,
                         const char *event_id, char *stream_id, size_t size,
                         int64_t *version)
{
    PGconn *conn = connection(store);
    if (conn == NULL)
        return esk_error_set(ESK_EINVAL, "the explorer's store is not on "
                                         "PostgreSQL");
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT stream_id, version FROM \"%s\".events WHERE event_id = $1",
             schema);
    const char *params[1] = {event_id};
    PGresult *res = PQexecParams(conn, sql, 1, NULL, params, NULL, NULL, 0);
    esk_status status = ESK_OK;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char doing[ESK_STREAM_ID_MAX + 32];
        snprintf(doing, sizeof doing, "looking for event '%s'", event_id);
        status = failed(conn, res, doing);
    } else if (PQntuples(res) == 0) {
        status = esk__explore_no_event(event_id);
    } else {
        snprintf(stream_id, size, "%s", PQgetvalue(res, 0, 0));
        *version = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    }
    PQclear(res);
    return status;
}

const esk__explore_catalog esk__explore_catalog_postgres = {
    each_stream,
    each_checkpoint,
    locate,
};

char *esk__explore_postgres_label(const char *conninfo, const char *schema)
{
    /* What the page shows names the database, never the password. */
    static const char *const shown[] = {"host", "hostaddr", "port", "dbname",
                                        "user"};
    char text[512];
    size_t len = (size_t)snprintf(text, sizeof text,
                                  "schema %s on PostgreSQL (", schema);
    PQconninfoOption *options = PQconninfoParse(conninfo, NULL);
    bool first = true;
    for (PQconninfoOption *o = options; o != NULL && o->keyword != NULL; o++) {
        bool show = false;
        for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
            show = show || strcmp(o->keyword, shown[i]) == 0;
        if (!show || o->val == NULL || o->val[0] == '\0' || len >= sizeof text)
            continue;
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%s=%s",
                                first ? "" : " ", o->keyword, o->val);
        first = false;
    }
    PQconninfoFree(options);
    if (len < sizeof text)
        snprintf(text + len, sizeof text - len, ")");
    return strdup(text);
}
