/*
 * web/explore_catalog_sqlite.c - the explorer's catalog of a SQLite
 * store: its tables, read on the store's own connection, each statement
 * stepped to the end and finalized at once, so that none holds a
 * snapshot of the file while the page polls.
 */
#include <stdio.h>

#include <esk/error.h>
#include <esk/store.h>

#include <sqlite3.h>

#include "explore_catalog.h"

/* Call fn for each row of sql (a name, and an optional second column). */
static esk_status each_row(esk_store *store, const char *sql,
                           esk__explore_row_fn *fn, void *ctx)
{
    sqlite3 *db = esk_store_sqlite_db(store);
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    esk_status status = ESK_OK;
    while (rc == SQLITE_OK && status == ESK_OK &&
           (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const unsigned char *name = sqlite3_column_text(stmt, 0);
        const unsigned char *extra = sqlite3_column_text(stmt, 1);
        status = fn(ctx, name != NULL ? (const char *)name : "",
                    extra != NULL ? (const char *)extra : "");
        rc = SQLITE_OK;
    }
    if (status == ESK_OK && rc != SQLITE_DONE)
        status =
            esk_error_set(ESK_EIO, "listing the store: %s", sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return status;
}

static esk_status each_stream(esk_store *store, const char *schema,
                              esk__explore_row_fn *fn, void *ctx)
{
    (void)schema;
    return each_row(store,
                    "SELECT DISTINCT stream_id, NULL FROM events "
                    "ORDER BY stream_id",
                    fn, ctx);
}

static esk_status each_checkpoint(esk_store *store, const char *schema,
                                  esk__explore_row_fn *fn, void *ctx)
{
    (void)schema;
    return each_row(store,
                    "SELECT name, updated_at FROM checkpoints ORDER BY name",
                    fn, ctx);
}

/* The UNIQUE index on events(event_id) finds it. */
static esk_status locate(esk_store *store, const char *schema,
                         const char *event_id, char *stream_id, size_t size,
                         int64_t *version)
{
    (void)schema;
    sqlite3 *db = esk_store_sqlite_db(store);
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT stream_id, version FROM events "
                                "WHERE event_id = ?1",
                                -1, &stmt, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(stmt, 1, event_id, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    esk_status status = ESK_OK;
    if (rc == SQLITE_ROW) {
        const unsigned char *id = sqlite3_column_text(stmt, 0);
        snprintf(stream_id, size, "%s", id != NULL ? (const char *)id : "");
        *version = sqlite3_column_int64(stmt, 1);
    } else if (rc == SQLITE_DONE) {
        status = esk__explore_no_event(event_id);
    } else {
        status = esk_error_set(ESK_EIO, "looking for event '%s': %s", event_id,
                               sqlite3_errmsg(db));
    }
    sqlite3_finalize(stmt);
    return status;
}

const esk__explore_catalog esk__explore_catalog_sqlite = {
    each_stream,
    each_checkpoint,
    locate,
};
