/*
 * parked.c - the table of parked events. Provided.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "parked.h"
#include "state.h"

bool failure_is_permanent(esk_status status)
{
    return status == ESK_EDECODE || status == ESK_EINVAL;
}

static esk_status prepare(esk_store *store, const char *sql,
                          sqlite3_stmt **stmt)
{
    sqlite3 *db = esk_store_sqlite_db(store);
    if (db == NULL)
        return esk_error_set(ESK_EINVAL,
                             "the table of parked events lives in SQLite: "
                             "open the store with esk_store_open_sqlite()");
    if (sqlite3_prepare_v2(db, sql, -1, stmt, NULL) != SQLITE_OK)
        return esk_error_set(ESK_EIO, "parked events: %s", sqlite3_errmsg(db));
    return ESK_OK;
}

static esk_status finish(sqlite3_stmt *stmt)
{
    esk_status rc = ESK_OK;
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = esk_error_set(ESK_EIO, "parked events: %s",
                           sqlite3_errmsg(sqlite3_db_handle(stmt)));
    sqlite3_finalize(stmt);
    return rc;
}

static const char *column_text(sqlite3_stmt *stmt, int i)
{
    const unsigned char *text = sqlite3_column_text(stmt, i);
    return text != NULL ? (const char *)text : "";
}

esk_status parked_setup(esk_store *store)
{
    sqlite3_stmt *stmt = NULL;
    esk_status rc = prepare(store,
                            "CREATE TABLE IF NOT EXISTS parked("
                            "process TEXT NOT NULL, "
                            "event_id TEXT NOT NULL, "
                            "position INTEGER NOT NULL, "
                            "type TEXT NOT NULL, "
                            "reason TEXT NOT NULL, "
                            "PRIMARY KEY(process, event_id))",
                            &stmt);
    return rc != ESK_OK ? rc : finish(stmt);
}

esk_status parked_add(esk_store *store, const char *process,
                      const esk_event *event, const char *reason)
{
    sqlite3_stmt *stmt = NULL;
    if (process == NULL || event == NULL || reason == NULL)
        return esk_error_set(ESK_EINVAL,
                             "parked_add needs a process, an event and a "
                             "reason");
    esk_status rc = prepare(store,
                            "INSERT OR REPLACE INTO parked VALUES(?1, ?2, ?3, "
                            "?4, ?5)",
                            &stmt);
    if (rc != ESK_OK)
        return rc;
    sqlite3_bind_text(stmt, 1, process, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, event->event_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 3, event->position);
    sqlite3_bind_text(stmt, 4, event->type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 5, reason, -1, SQLITE_TRANSIENT);
    return finish(stmt);
}

esk_status parked_find(esk_store *store, const char *event_id,
                       parked_event *out)
{
    sqlite3_stmt *stmt = NULL;
    if (event_id == NULL || out == NULL)
        return esk_error_set(ESK_EINVAL,
                             "parked_find needs an event id and a place for "
                             "the row");
    esk_status rc = prepare(store,
                            "SELECT process, event_id, position, type, reason "
                            "FROM parked WHERE event_id = ?1",
                            &stmt);
    if (rc != ESK_OK)
        return rc;
    sqlite3_bind_text(stmt, 1, event_id, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        copy_text(out->process, sizeof(out->process), column_text(stmt, 0));
        copy_text(out->event_id, sizeof(out->event_id), column_text(stmt, 1));
        out->position = sqlite3_column_int64(stmt, 2);
        copy_text(out->type, sizeof(out->type), column_text(stmt, 3));
        copy_text(out->reason, sizeof(out->reason), column_text(stmt, 4));
    } else if (step == SQLITE_DONE) {
        rc = esk_error_set(ESK_ENOTFOUND, "no parked event '%s'", event_id);
    } else {
        rc = esk_error_set(ESK_EIO, "parked events: %s",
                           sqlite3_errmsg(sqlite3_db_handle(stmt)));
    }
    sqlite3_finalize(stmt);
    return rc;
}

esk_status parked_count(esk_store *store, int64_t *out)
{
    sqlite3_stmt *stmt = NULL;
    if (out == NULL)
        return esk_error_set(ESK_EINVAL, "parked_count needs out");
    esk_status rc = prepare(store, "SELECT COUNT(*) FROM parked", &stmt);
    if (rc != ESK_OK)
        return rc;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *out = sqlite3_column_int64(stmt, 0);
    else
        rc = esk_error_set(ESK_EIO, "parked events: %s",
                           sqlite3_errmsg(sqlite3_db_handle(stmt)));
    sqlite3_finalize(stmt);
    return rc;
}
