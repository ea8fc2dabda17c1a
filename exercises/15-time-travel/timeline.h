/*
 * timeline.h - a store whose clock the tests set, and the morning of
 * Bob's report. Provided.
 *
 * An event's recorded_at comes from the store's clock, which a store takes
 * as an option (esk_store_options.clock). Here that clock answers whatever
 * time the story is at, so every event is recorded at a time known in
 * advance, and "the state at 10:42" is a question with one right answer:
 *
 *   timeline t;
 *   timeline_open(&t);
 *   timeline_handle(&t, "10:42:00", "bob", &register_bob);
 *       -> AttendeeWaitlisted, recorded at 2026-11-27T10:42:00Z, with
 *          the metadata {"correlationId":"req-6","causationId":"cmd-6",
 *          "user":"bob"} when it is the story's 6th command
 */
#ifndef TIMELINE_H
#define TIMELINE_H

#include <stdint.h>

#include <esk/event.h>
#include <esk/store.h>

#include "workshop.h"

typedef struct timeline {
    /* An in-memory store whose clock says `now`. */
    esk_store *store;
    esk_time now;
    /* Commands handled so far: numbers the next one's ids. */
    int commands;
} timeline;

/* The day of the story, 2026-11-27, at hh:mm:ss UTC: at("10:42:00"). */
esk_time at(const char *hhmmss);

/* Open the store (and watch it, for ./kata demo). */
void timeline_open(timeline *t);
void timeline_close(timeline *t);

/*
 * At hhmmss, user sends a command: it is handled as in production
 * (esk_decider_handle: load, decide, append), and its events are recorded
 * at that time, with the metadata {"correlationId": "req-<n>",
 * "causationId": "cmd-<n>", "user": user} for the n-th command. The
 * command must succeed: the test fails otherwise.
 */
void timeline_handle(timeline *t, const char *hhmmss, const char *user,
                     const workshop_command *command);

/* The commands of the story. */
workshop_command schedule_command(const char *workshop_id, const char *title,
                                  int64_t capacity);
workshop_command register_command(const char *workshop_id,
                                  const char *attendee_id, const char *name);
workshop_command cancel_command(const char *workshop_id,
                                const char *attendee_id);

/*
 * The morning of Bob's report (README), on workshops w-1 (2 seats) and w-2
 * (10 seats):
 *
 *   time      user       command              event                 stream
 *   09:00:00  trainer    schedule w-1         WorkshopScheduled     w-1 v1
 *   09:05:00  trainer    schedule w-2         WorkshopScheduled     w-2 v1
 *   09:15:00  ada        register ada on w-1  AttendeeRegistered    w-1 v2
 *   09:20:00  ada        register ada on w-2  AttendeeRegistered    w-2 v2
 *   10:30:00  cleo       register cleo on w-1 AttendeeRegistered    w-1 v3
 *   10:42:00  bob        register bob on w-1  AttendeeWaitlisted    w-1 v4
 *   10:42:01  frontdesk  cancel cleo on w-1   RegistrationCancelled w-1 v5
 *   10:50:00  ada        cancel ada on w-2    RegistrationCancelled w-2 v3
 *   11:05:00  dan        register dan on w-1  AttendeeRegistered    w-1 v6
 */
void timeline_bobs_morning(timeline *t);

#endif
