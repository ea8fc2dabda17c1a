/*
 * unpaid.c - the payments process's table of unpaid seats. Provided.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "state.h"
#include "unpaid.h"

/* Prepare sql on the store's database, or say why not. */
static esk_status prepare(esk_store *store, const char *sql,
                          sqlite3_stmt **stmt)
{
    sqlite3 *db = esk_store_sqlite_db(store);
    if (db == NULL)
        return esk_error_set(ESK_EINVAL,
                             "the table of unpaid seats lives in SQLite: open "
                             "the store with esk_store_open_sqlite()");
    if (sqlite3_prepare_v2(db, sql, -1, stmt, NULL) != SQLITE_OK)
        return esk_error_set(ESK_EIO, "unpaid seats: %s", sqlite3_errmsg(db));
    return ESK_OK;
}

/* Step a statement that returns no rows, and finalize it. */
static esk_status finish(sqlite3_stmt *stmt)
{
    esk_status rc = ESK_OK;
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = esk_error_set(ESK_EIO, "unpaid seats: %s",
                           sqlite3_errmsg(sqlite3_db_handle(stmt)));
    sqlite3_finalize(stmt);
    return rc;
}

static void read_row(sqlite3_stmt *stmt, unpaid_seat *out)
{
    memset(out, 0, sizeof(*out));
    copy_text(out->workshop_id, sizeof(out->workshop_id),
              (const char *)sqlite3_column_text(stmt, 0));
    copy_text(out->attendee_id, sizeof(out->attendee_id),
              (const char *)sqlite3_column_text(stmt, 1));
    copy_text(out->seat_event_id, sizeof(out->seat_event_id),
              (const char *)sqlite3_column_text(stmt, 2));
    out->due = sqlite3_column_int64(stmt, 3);
}

esk_status unpaid_setup(esk_store *store)
{
    sqlite3_stmt *stmt = NULL;
    esk_status rc = prepare(store,
                            "CREATE TABLE IF NOT EXISTS unpaid("
                            "workshop_id TEXT NOT NULL, "
                            "attendee_id TEXT NOT NULL, "
                            "seat_event_id TEXT NOT NULL, "
                            "due INTEGER NOT NULL, "
                            "PRIMARY KEY(workshop_id, attendee_id))",
                            &stmt);
    return rc != ESK_OK ? rc : finish(stmt);
}

esk_status unpaid_track(esk_store *store, const unpaid_seat *seat)
{
    sqlite3_stmt *stmt = NULL;
    if (seat == NULL)
        return esk_error_set(ESK_EINVAL, "unpaid_track: the seat is NULL");
    esk_status rc = prepare(store,
                            "INSERT OR REPLACE INTO unpaid "
                            "VALUES(?1, ?2, ?3, ?4)",
                            &stmt);
    if (rc != ESK_OK)
        return rc;
    sqlite3_bind_text(stmt, 1, seat->workshop_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, seat->attendee_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, seat->seat_event_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 4, seat->due);
    return finish(stmt);
}

esk_status unpaid_forget(esk_store *store, const char *workshop_id,
                         const char *attendee_id)
{
    sqlite3_stmt *stmt = NULL;
    if (workshop_id == NULL || attendee_id == NULL)
        return esk_error_set(ESK_EINVAL,
                             "unpaid_forget: the workshop or attendee is NULL");
    esk_status rc = prepare(store,
                            "DELETE FROM unpaid "
                            "WHERE workshop_id = ?1 AND attendee_id = ?2",
                            &stmt);
    if (rc != ESK_OK)
        return rc;
    sqlite3_bind_text(stmt, 1, workshop_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, attendee_id, -1, SQLITE_STATIC);
    return finish(stmt);
}

esk_status unpaid_overdue(esk_store *store, esk_time now, unpaid_seat *out,
                          size_t max, size_t *count)
{
    sqlite3_stmt *stmt = NULL;
    if (out == NULL || count == NULL)
        return esk_error_set(ESK_EINVAL,
                             "unpaid_overdue: out or count is NULL");
    *count = 0;
    esk_status rc = prepare(store,
                            "SELECT workshop_id, attendee_id, seat_event_id, "
                            "due FROM unpaid WHERE due < ?1 "
                            "ORDER BY due, workshop_id, attendee_id",
                            &stmt);
    if (rc != ESK_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, now);
    while (*count < max && sqlite3_step(stmt) == SQLITE_ROW)
        read_row(stmt, &out[(*count)++]);
    sqlite3_finalize(stmt);
    return ESK_OK;
}

esk_status unpaid_find(esk_store *store, const char *workshop_id,
                       const char *attendee_id, unpaid_seat *out)
{
    sqlite3_stmt *stmt = NULL;
    if (workshop_id == NULL || attendee_id == NULL || out == NULL)
        return esk_error_set(ESK_EINVAL, "unpaid_find: an argument is NULL");
    esk_status rc = prepare(store,
                            "SELECT workshop_id, attendee_id, seat_event_id, "
                            "due FROM unpaid "
                            "WHERE workshop_id = ?1 AND attendee_id = ?2",
                            &stmt);
    if (rc != ESK_OK)
        return rc;
    sqlite3_bind_text(stmt, 1, workshop_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, attendee_id, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        read_row(stmt, out);
    else
        rc = esk_error_set(ESK_ENOTFOUND, "'%s' has no unpaid seat in '%s'",
                           attendee_id, workshop_id);
    sqlite3_finalize(stmt);
    return rc;
}
