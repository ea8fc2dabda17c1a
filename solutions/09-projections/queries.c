/*
 * queries.c - what the screens ask, answered from the read model alone.
 *
 * Each query is one SELECT on one table that already has the shape of
 * the answer: no join, no count, no event in sight. The work was done
 * when the events were projected.
 */
#include "read_models.h"

/* How a query's steps ended: ESK_OK at SQLITE_ROW (stopped at max) or
 * SQLITE_DONE, else ESK_EIO with SQLite's message. */
static esk_status step_result(sqlite3_stmt *stmt, int stepped)
{
    if (stepped == SQLITE_ROW || stepped == SQLITE_DONE)
        return ESK_OK;
    return esk_error_set(ESK_EIO, "query: %s",
                         sqlite3_errmsg(sqlite3_db_handle(stmt)));
}

esk_status catalogue_list(esk_read_model *read_model, catalogue_entry *entries,
                          size_t max, size_t *count)
{
    sqlite3_stmt *stmt = NULL;
    int stepped = SQLITE_DONE;
    size_t n = 0;

    esk_status rc = esk_read_model_prepare(
        read_model,
        "SELECT workshop_id, title, starts_on, seats_left, waitlist_length "
        "FROM catalogue ORDER BY starts_on, workshop_id",
        &stmt);
    if (rc != ESK_OK)
        return rc;
    while (n < max && (stepped = sqlite3_step(stmt)) == SQLITE_ROW) {
        catalogue_entry *entry = &entries[n++];
        copy_column(entry->workshop_id, sizeof(entry->workshop_id), stmt, 0);
        copy_column(entry->title, sizeof(entry->title), stmt, 1);
        copy_column(entry->starts_on, sizeof(entry->starts_on), stmt, 2);
        entry->seats_left = sqlite3_column_int64(stmt, 3);
        entry->waitlist_length = sqlite3_column_int64(stmt, 4);
    }
    rc = step_result(stmt, stepped);
    sqlite3_finalize(stmt);
    *count = rc == ESK_OK ? n : 0;
    return rc;
}

esk_status agenda_for(esk_read_model *read_model, const char *attendee_id,
                      agenda_entry *entries, size_t max, size_t *count)
{
    sqlite3_stmt *stmt = NULL;
    int stepped = SQLITE_DONE;
    size_t n = 0;

    esk_status rc = esk_read_model_prepare(
        read_model,
        "SELECT workshop_id, title, starts_on, place FROM agenda "
        "WHERE attendee_id = ?1 ORDER BY starts_on, workshop_id",
        &stmt);
    if (rc != ESK_OK)
        return rc;
    /* Bound, never pasted into the SQL: an id is data, not code. */
    sqlite3_bind_text(stmt, 1, attendee_id, -1, SQLITE_STATIC);
    while (n < max && (stepped = sqlite3_step(stmt)) == SQLITE_ROW) {
        agenda_entry *entry = &entries[n++];
        copy_column(entry->workshop_id, sizeof(entry->workshop_id), stmt, 0);
        copy_column(entry->title, sizeof(entry->title), stmt, 1);
        copy_column(entry->starts_on, sizeof(entry->starts_on), stmt, 2);
        copy_column(entry->place, sizeof(entry->place), stmt, 3);
    }
    rc = step_result(stmt, stepped);
    sqlite3_finalize(stmt);
    *count = rc == ESK_OK ? n : 0;
    return rc;
}
