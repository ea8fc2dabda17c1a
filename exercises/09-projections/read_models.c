/*
 * read_models.c - the read models' tables, the projections that fill
 * them, and the tools of read_models.h. Provided.
 */
#include <stdio.h>
#include <string.h>

#include <esk/codec.h>

#include "read_models.h"

/* --- Tools ---------------------------------------------------------------- */

esk_status sql_run(esk_store *store, const char *sql, const sql_value *values,
                   size_t count)
{
    sqlite3 *db = esk_store_sqlite_db(store);
    sqlite3_stmt *stmt = NULL;
    esk_status rc = ESK_OK;

    if (db == NULL)
        return esk_error_set(ESK_EINVAL,
                             "these read models live in SQLite: open the "
                             "store with esk_store_open_sqlite()");
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto failed;
    for (size_t i = 0; i < count; i++) {
        int at = (int)i + 1;
        int bound =
            values[i].text != NULL
                ? sqlite3_bind_text(stmt, at, values[i].text, -1, SQLITE_STATIC)
                : sqlite3_bind_int64(stmt, at, values[i].number);
        if (bound != SQLITE_OK)
            goto failed;
    }
    if (sqlite3_step(stmt) != SQLITE_DONE)
        goto failed;
    goto done;
failed:
    /* SQLite's message names the table or column; the SQL says where. */
    rc = esk_error_set(ESK_EIO, "read model: %s, in: %s", sqlite3_errmsg(db),
                       sql);
done:
    sqlite3_finalize(stmt);
    return rc;
}

void copy_column(char *to, size_t size, sqlite3_stmt *stmt, int column)
{
    const unsigned char *text = sqlite3_column_text(stmt, column);
    if (size == 0)
        return;
    snprintf(to, size, "%s", text != NULL ? (const char *)text : "");
}

esk_status decode_workshop_event(const esk_event *event,
                                 const esk_event_type **type, workshop_event *e)
{
    static const esk_event_type *const types[] = {
        &workshop_scheduled_type,           &attendee_registered_type,
        &attendee_waitlisted_type,          &registration_cancelled_type,
        &waitlisted_attendee_promoted_type, &registration_closed_type,
    };
    *type = NULL;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcmp(event->type, types[i]->name) == 0) {
            esk_status rc = esk_codec_decode_event(types[i], event, e);
            if (rc == ESK_OK)
                *type = types[i];
            return rc;
        }
    }
    return ESK_OK; /* not a workshop event: nothing to apply */
}

/* --- catalogue ------------------------------------------------------------ */

static esk_status catalogue_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    return sql_run(store,
                   "CREATE TABLE IF NOT EXISTS catalogue("
                   "workshop_id TEXT PRIMARY KEY, title TEXT NOT NULL, "
                   "starts_on TEXT NOT NULL, seats_left INTEGER NOT NULL, "
                   "waitlist_length INTEGER NOT NULL, "
                   "last_position INTEGER NOT NULL)",
                   NULL, 0);
}

/* Empty the read model, for a rebuild from the first event. The table
 * may not exist yet (a spec resets a fresh store before its setup), so
 * make sure it does first. */
static esk_status catalogue_reset(void *ctx, esk_store *store)
{
    esk_status rc = catalogue_setup(ctx, store);
    if (rc != ESK_OK)
        return rc;
    return sql_run(store, "DELETE FROM catalogue", NULL, 0);
}

/* The events that change the catalogue: closing does not (yet). */
static const char *const catalogue_events[] = {
    "WorkshopScheduled",     "AttendeeRegistered",         "AttendeeWaitlisted",
    "RegistrationCancelled", "WaitlistedAttendeePromoted",
};

const esk_projection catalogue_projection = {
    .name = "catalogue",
    .version = 1,
    .event_types = catalogue_events,
    .event_type_count = sizeof(catalogue_events) / sizeof(catalogue_events[0]),
    .handle = catalogue_handle,
    .setup = catalogue_setup,
    .reset = catalogue_reset,
};

/* --- agenda --------------------------------------------------------------- */

static esk_status agenda_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    esk_status rc = sql_run(store,
                            "CREATE TABLE IF NOT EXISTS agenda_workshops("
                            "workshop_id TEXT PRIMARY KEY, title TEXT NOT "
                            "NULL, starts_on TEXT NOT NULL)",
                            NULL, 0);
    if (rc != ESK_OK)
        return rc;
    return sql_run(store,
                   "CREATE TABLE IF NOT EXISTS agenda("
                   "attendee_id TEXT NOT NULL, workshop_id TEXT NOT NULL, "
                   "title TEXT NOT NULL, starts_on TEXT NOT NULL, "
                   "place TEXT NOT NULL, "
                   "PRIMARY KEY(attendee_id, workshop_id))",
                   NULL, 0);
}

/* As catalogue_reset(): the tables first, then empty them. */
static esk_status agenda_reset(void *ctx, esk_store *store)
{
    esk_status rc = agenda_setup(ctx, store);
    if (rc == ESK_OK)
        rc = sql_run(store, "DELETE FROM agenda", NULL, 0);
    if (rc == ESK_OK)
        rc = sql_run(store, "DELETE FROM agenda_workshops", NULL, 0);
    return rc;
}

/* Closing changes nobody's agenda. */
static const char *const agenda_events[] = {
    "WorkshopScheduled",          "AttendeeRegistered",    "AttendeeWaitlisted",
    "WaitlistedAttendeePromoted", "RegistrationCancelled",
};

const esk_projection agenda_projection = {
    .name = "agenda",
    .version = 1,
    .event_types = agenda_events,
    .event_type_count = sizeof(agenda_events) / sizeof(agenda_events[0]),
    .handle = agenda_handle,
    .setup = agenda_setup,
    .reset = agenda_reset,
};
