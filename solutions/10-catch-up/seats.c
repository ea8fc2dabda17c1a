/*
 * seats.c - the seats projection: events in, rows out.
 *
 * A projection only translates: each event becomes a change to one row.
 * It decides nothing (the events are facts already) and reads nothing
 * but the event and its own table. The runner owns the transaction: the
 * changes made here commit with the checkpoint's move, or not at all.
 */
#include <stdio.h>
#include <string.h>

#include "read_model.h"
#include "seats.h"

esk_status seats_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    /* IF NOT EXISTS: every runner created on the store calls setup, and
     * the second one must find the first one's rows. */
    return read_model_exec(store,
                           "CREATE TABLE IF NOT EXISTS seats("
                           "workshop_id TEXT PRIMARY KEY, "
                           "title TEXT NOT NULL, "
                           "capacity INTEGER NOT NULL, "
                           "taken INTEGER NOT NULL, "
                           "waiting INTEGER NOT NULL, "
                           "last_position INTEGER NOT NULL)",
                           NULL);
}

esk_status seats_reset(void *ctx, esk_store *store)
{
    /* Dropped rather than emptied: a new version of the projection may
     * have a new layout, which CREATE TABLE IF NOT EXISTS alone would
     * never apply to a table that is there. */
    esk_status rc = read_model_exec(store, "DROP TABLE IF EXISTS seats", NULL);
    return rc != ESK_OK ? rc : seats_setup(ctx, store);
}

/*
 * Change the counts of one workshop's row, unless the row has seen this
 * event already. Counting is not idempotent (taken + 1, twice, is two
 * seats), so each row keeps the position of the last event it counted,
 * and an event at or before it changes nothing.
 */
static esk_status count(esk_store *store, const char *workshop_id,
                        int64_t position, const char *change)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "UPDATE seats SET %s, last_position = :position "
             "WHERE workshop_id = :workshop AND last_position < :position",
             change);
    return read_model_exec(
        store, sql,
        &(sql_values){.workshop = workshop_id, .position = position});
}

static esk_status scheduled(esk_store *store, const esk_event *event)
{
    workshop_scheduled e;
    esk_status rc = esk_codec_decode_event(&workshop_scheduled_type, event, &e);
    if (rc != ESK_OK)
        return rc;
    /* OR IGNORE: a workshop is scheduled once, so a row that is there
     * was made by this very event; it stays as it is, with whatever the
     * events after it counted. */
    return read_model_exec(store,
                           "INSERT OR IGNORE INTO seats VALUES(:workshop, "
                           ":title, :capacity, 0, 0, :position)",
                           &(sql_values){.workshop = e.workshop_id,
                                         .title = e.title,
                                         .capacity = e.capacity,
                                         .position = event->position});
}

esk_status seats_handle(void *ctx, esk_store *store, const esk_event *event)
{
    (void)ctx;
    const char *type = event->type;
    int64_t at = event->position;
    esk_status rc = ESK_OK;

    /* A failure is returned, never swallowed: the run stops at this
     * event and tries it again next time, rather than skip it and show
     * wrong counts for ever. */
    if (strcmp(type, workshop_scheduled_type.name) == 0) {
        rc = scheduled(store, event);
    } else if (strcmp(type, attendee_registered_type.name) == 0) {
        attendee_registered e;
        rc = esk_codec_decode_event(&attendee_registered_type, event, &e);
        if (rc == ESK_OK)
            rc = count(store, e.workshop_id, at, "taken = taken + 1");
    } else if (strcmp(type, attendee_waitlisted_type.name) == 0) {
        attendee_waitlisted e;
        rc = esk_codec_decode_event(&attendee_waitlisted_type, event, &e);
        if (rc == ESK_OK)
            rc = count(store, e.workshop_id, at, "waiting = waiting + 1");
    } else if (strcmp(type, registration_cancelled_type.name) == 0) {
        registration_cancelled e;
        rc = esk_codec_decode_event(&registration_cancelled_type, event, &e);
        if (rc == ESK_OK)
            rc = count(store, e.workshop_id, at,
                       e.was_waitlisted ? "waiting = waiting - 1"
                                        : "taken = taken - 1");
    } else if (strcmp(type, waitlisted_attendee_promoted_type.name) == 0) {
        waitlisted_attendee_promoted e;
        rc = esk_codec_decode_event(&waitlisted_attendee_promoted_type, event,
                                    &e);
        if (rc == ESK_OK)
            rc = count(store, e.workshop_id, at,
                       "waiting = waiting - 1, taken = taken + 1");
    }
    /* Any other type changes no seat: RegistrationClosed, and events
     * added to the domain after this projection was written. */
    return rc;
}

static const char *const seats_event_types[] = {
    "WorkshopScheduled",     "AttendeeRegistered",         "AttendeeWaitlisted",
    "RegistrationCancelled", "WaitlistedAttendeePromoted",
};

const esk_projection seats_projection = {
    .name = "seats",
    .version = 1,
    .event_types = seats_event_types,
    .event_type_count =
        sizeof(seats_event_types) / sizeof(seats_event_types[0]),
    .handle = seats_handle,
    .setup = seats_setup,
    .reset = seats_reset,
};
