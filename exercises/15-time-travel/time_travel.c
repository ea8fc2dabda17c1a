/*
 * time_travel.c - questions about the past. YOU EDIT THIS FILE.
 *
 * Each function's contract, with every status it returns, is in
 * time_travel.h. They all read a stream (or all events) and fold fewer
 * events than a command handler would: workshop_fold() in state.h folds
 * the first n events of a list.
 */
#include <stdio.h>
#include <string.h>

#include "exercise.h"
#include "time_travel.h"

/* Read "workshop-<workshop_id>" (esk_store_read_stream, at most version
 * events), check that it got that far, fold it. Version 0 reads nothing:
 * a max_count of 0 means "no limit". Free the list
 * (esk_event_list_release) on every path. */
esk_status workshop_as_of_version(esk_store *store, const char *workshop_id,
                                  int64_t version, workshop_state *out)
{
    (void)store;
    (void)workshop_id;
    (void)version;
    (void)out;
    return EXERCISE_TODO("workshop_as_of_version");
}

/* Read the whole stream, count the events from the first whose
 * recorded_at is <= at, stopping at the first that is not, and fold
 * those. */
esk_status workshop_as_of_time(esk_store *store, const char *workshop_id,
                               esk_time at, workshop_state *out,
                               int64_t *out_version)
{
    (void)store;
    (void)workshop_id;
    (void)at;
    (void)out;
    (void)out_version;
    return EXERCISE_TODO("workshop_as_of_time");
}

/* For version 1, 2... up to the stream's length: fold that many events
 * and ask holds(&state). */
esk_status first_version_where(esk_store *store, const char *workshop_id,
                               state_question holds, int64_t *out_version)
{
    (void)store;
    (void)workshop_id;
    (void)holds;
    (void)out_version;
    return EXERCISE_TODO("first_version_where");
}

/* A free seat (workshop_free_seats) and someone on the waitlist. */
bool seat_free_while_someone_waits(const workshop_state *state)
{
    (void)state;
    EXERCISE_TODO("seat_free_while_someone_waits");
    return false;
}

/* esk_store_read_all with a filter on the category "workshop"; keep the
 * events whose data's "attendeeId" (esk_metadata_get reads a key of any
 * JSON object) is attendee_id; one snprintf per line into buf. */
esk_status audit_trail_for(esk_store *store, const char *attendee_id, char *buf,
                           size_t size)
{
    (void)store;
    (void)attendee_id;
    (void)buf;
    (void)size;
    return EXERCISE_TODO("audit_trail_for");
}
