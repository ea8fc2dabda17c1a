/*
 * seats.c - the seats projection: events in, rows out. YOU EDIT THIS FILE.
 *
 * A projection only translates: each event becomes a change to one row.
 * It decides nothing (the events are facts already) and reads nothing
 * but the event and its own table. The runner owns the transaction: do
 * not begin or commit one here.
 *
 * seats.h says what each function must do; the table is described in
 * read_model.h. The tools:
 *   read_model_exec(store, sql, &(sql_values){...})   (read_model.h)
 *   esk_codec_decode_event(&attendee_registered_type, event, &e)
 *                                                          (esk/codec.h)
 */
#include <stdio.h>
#include <string.h>

#include "exercise.h"
#include "read_model.h"
#include "seats.h"

/*
 * Create the table of read_model.h, if it is not there:
 *
 *   CREATE TABLE IF NOT EXISTS seats(workshop_id TEXT PRIMARY KEY,
 *       title TEXT NOT NULL, capacity INTEGER NOT NULL,
 *       taken INTEGER NOT NULL, waiting INTEGER NOT NULL,
 *       last_position INTEGER NOT NULL)
 */
esk_status seats_setup(void *ctx, esk_store *store)
{
    (void)ctx, (void)store;
    return EXERCISE_TODO("seats_setup");
}

/*
 * Drop the table (DROP TABLE IF EXISTS seats), then create it again with
 * seats_setup(): a rebuild starts from an empty read model.
 */
esk_status seats_reset(void *ctx, esk_store *store)
{
    (void)ctx, (void)store;
    return EXERCISE_TODO("seats_reset");
}

/*
 * One event, one change to its workshop's row:
 *
 *   WorkshopScheduled           a new row: workshop, title, capacity,
 *                               0 taken, 0 waiting, last_position
 *   AttendeeRegistered          taken + 1
 *   AttendeeWaitlisted          waiting + 1
 *   RegistrationCancelled       taken - 1; waiting - 1 if wasWaitlisted
 *   WaitlistedAttendeePromoted  waiting - 1 and taken + 1
 *
 * Decode the event with its type (the row's workshop is its workshopId),
 * and return any failure, so that the run stops at this event. Applying
 * an event twice must change nothing: an UPDATE sets last_position to
 * the event's position (event->position), and only touches a row whose
 * last_position is before it:
 *
 *   UPDATE seats SET taken = taken + 1, last_position = :position
 *   WHERE workshop_id = :workshop AND last_position < :position
 *
 * and a new row is INSERT OR IGNORE: if it is there, it has been made.
 */
esk_status seats_handle(void *ctx, esk_store *store, const esk_event *event)
{
    (void)ctx, (void)store, (void)event;
    return EXERCISE_TODO("seats_handle");
}

/* The projection, as the runner sees it. Provided. */
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
