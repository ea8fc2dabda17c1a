/*
 * unpaid.h - what the payments process remembers: the seats not paid for
 * yet, and until when they may be. Provided.
 *
 * A process manager reacts to one event at a time, but its decisions
 * depend on what it saw before: "ada registered on the 2nd, and has not
 * paid since". That memory is its own small state, a table beside the
 * events:
 *
 *   unpaid
 *   workshop_id  attendee_id  seat_event_id                          due
 *   "w-1"        "ada"        "1b4e28ba-...": the event that gave    the 9th
 *                             her the seat                           09:00
 *
 * It lives in the store's own SQLite database, so that a reaction's
 * changes to it commit with the process's checkpoint: a redelivered event
 * finds its change made already, and a crash loses neither. Writes are
 * idempotent all the same: tracking twice or forgetting twice is once.
 *
 * Like esk's own calls, each function that fails says why in the last
 * error (esk_errmsg()).
 */
#ifndef UNPAID_H
#define UNPAID_H

#include <stddef.h>

#include <esk/event.h>
#include <esk/store.h>

#include "events.h"

/* An unpaid seat, and its payment deadline. */
typedef struct unpaid_seat {
    char workshop_id[ID_SIZE];
    char attendee_id[ID_SIZE];
    /* The id of the event that gave the seat (AttendeeRegistered or
     * WaitlistedAttendeePromoted): names this seat, even if the same
     * attendee has another seat in the same workshop later. */
    char seat_event_id[ESK_EVENT_ID_MAX + 1];
    /* The deadline: the seat lapses when the clock is past it. */
    esk_time due;
} unpaid_seat;

/* The most seats unpaid_overdue() returns at once. */
#define UNPAID_BATCH 32

/*
 * Create the table if it is not there. The application calls it once,
 * before the process's runner is made (app.c).
 *
 * @return ESK_OK; ESK_EINVAL (not a SQLite store); ESK_EIO.
 */
esk_status unpaid_setup(esk_store *store);

/*
 * Remember an unpaid seat, or replace what was remembered for the same
 * workshop and attendee.
 *
 * @param seat copied.
 * @return ESK_OK; ESK_EINVAL (NULL, not a SQLite store); ESK_EIO.
 */
esk_status unpaid_track(esk_store *store, const unpaid_seat *seat);

/*
 * Forget the unpaid seat of an attendee in a workshop: paid for, given
 * up or lapsed. Forgetting what is not there is fine.
 *
 * @return ESK_OK; ESK_EINVAL (NULL, not a SQLite store); ESK_EIO.
 */
esk_status unpaid_forget(esk_store *store, const char *workshop_id,
                         const char *attendee_id);

/*
 * The unpaid seats whose deadline is before now, the oldest deadline
 * first, at most max of them.
 *
 * @param out   room for max seats.
 * @param count receives how many were written.
 * @return ESK_OK; ESK_EINVAL (NULL, not a SQLite store); ESK_EIO.
 */
esk_status unpaid_overdue(esk_store *store, esk_time now, unpaid_seat *out,
                          size_t max, size_t *count);

/*
 * The unpaid seat of an attendee in a workshop, if one is remembered.
 *
 * @return ESK_OK; ESK_ENOTFOUND; ESK_EINVAL; ESK_EIO.
 */
esk_status unpaid_find(esk_store *store, const char *workshop_id,
                       const char *attendee_id, unpaid_seat *out);

#endif
