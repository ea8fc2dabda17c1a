/*
 * seats.c - the seats projection: events in, rows out. Provided.
 *
 * A projection only translates: each event becomes a change to one row.
 * This one counts, and counting is not idempotent: the same event applied
 * twice counts twice (exercise 09 guarded each row with its last
 * position). Here nothing guards the rows but your runner (catch_up.c):
 * each event must be applied exactly once, and the transaction that holds
 * a batch's rows and its checkpoint is what makes it so.
 */
#include <stdio.h>
#include <string.h>

#include "read_model.h"
#include "seats.h"

esk_status seats_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    return read_model_exec(store,
                           "CREATE TABLE IF NOT EXISTS seats("
                           "workshop_id TEXT PRIMARY KEY, "
                           "title TEXT NOT NULL, "
                           "capacity INTEGER NOT NULL, "
                           "taken INTEGER NOT NULL, "
                           "waiting INTEGER NOT NULL)",
                           NULL);
}

esk_status seats_reset(void *ctx, esk_store *store)
{
    esk_status rc = read_model_exec(store, "DROP TABLE IF EXISTS seats", NULL);
    return rc != ESK_OK ? rc : seats_setup(ctx, store);
}

/* Change the counts of one workshop's row. */
static esk_status count(esk_store *store, const char *workshop_id,
                        const char *change)
{
    char sql[160];
    snprintf(sql, sizeof(sql),
             "UPDATE seats SET %s WHERE workshop_id = :workshop", change);
    return read_model_exec(store, sql, &(sql_values){.workshop = workshop_id});
}

static esk_status scheduled(esk_store *store, const esk_event *event)
{
    workshop_scheduled e;
    esk_status rc = esk_codec_decode_event(&workshop_scheduled_type, event, &e);
    if (rc != ESK_OK)
        return rc;
    /* A plain INSERT: a second WorkshopScheduled for the same workshop
     * fails on the primary key, which is how a runner that applies an
     * event twice shows itself. */
    return read_model_exec(store,
                           "INSERT INTO seats VALUES(:workshop, :title, "
                           ":capacity, 0, 0)",
                           &(sql_values){.workshop = e.workshop_id,
                                         .title = e.title,
                                         .capacity = e.capacity});
}

esk_status seats_handle(void *ctx, esk_store *store, const esk_event *event)
{
    (void)ctx;
    const char *type = event->type;
    esk_status rc = ESK_OK;

    if (strcmp(type, workshop_scheduled_type.name) == 0) {
        rc = scheduled(store, event);
    } else if (strcmp(type, attendee_registered_type.name) == 0) {
        attendee_registered e;
        rc = esk_codec_decode_event(&attendee_registered_type, event, &e);
        if (rc == ESK_OK)
            rc = count(store, e.workshop_id, "taken = taken + 1");
    } else if (strcmp(type, attendee_waitlisted_type.name) == 0) {
        attendee_waitlisted e;
        rc = esk_codec_decode_event(&attendee_waitlisted_type, event, &e);
        if (rc == ESK_OK)
            rc = count(store, e.workshop_id, "waiting = waiting + 1");
    } else if (strcmp(type, registration_cancelled_type.name) == 0) {
        registration_cancelled e;
        rc = esk_codec_decode_event(&registration_cancelled_type, event, &e);
        if (rc == ESK_OK)
            rc = count(store, e.workshop_id,
                       e.was_waitlisted ? "waiting = waiting - 1"
                                        : "taken = taken - 1");
    } else if (strcmp(type, waitlisted_attendee_promoted_type.name) == 0) {
        waitlisted_attendee_promoted e;
        rc = esk_codec_decode_event(&waitlisted_attendee_promoted_type, event,
                                    &e);
        if (rc == ESK_OK)
            rc = count(store, e.workshop_id,
                       "waiting = waiting - 1, taken = taken + 1");
    }
    /* Any other type changes no seat. */
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
