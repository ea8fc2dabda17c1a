/*
 * events.h - the workshop's events, as C structs. Provided: exercise 01's
 * answer, and two events that payments bring (RegistrationPaid,
 * RegistrationLapsed).
 *
 * A variant of ../domain/events.h, on purpose: exercise 11 adds payments
 * (RegistrationPaid, RegistrationLapsed, the commands and the state that
 * lead to them), which the exercises before it must not see.
 *
 * An event is a fact: something that happened, named in the past tense.
 * Each struct holds what a reader of the event needs to know, and nothing
 * that can be worked out from earlier events.
 */
#ifndef EVENTS_H
#define EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include <esk/codec.h>

#define ID_SIZE 64     /* "w-1", "ada": ids, up to 63 bytes */
#define NAME_SIZE 96   /* a person's name */
#define TITLE_SIZE 128 /* a workshop's title */
#define DATE_SIZE 11   /* "2026-12-01" */

/* The trainer put a workshop on the calendar. */
typedef struct workshop_scheduled {
    char workshop_id[ID_SIZE];
    char title[TITLE_SIZE];
    char starts_on[DATE_SIZE];
    int64_t capacity;
} workshop_scheduled;

/* Someone took a seat. */
typedef struct attendee_registered {
    char workshop_id[ID_SIZE];
    char attendee_id[ID_SIZE];
    char name[NAME_SIZE];
} attendee_registered;

/* Someone wanted a seat when there was none, and waits for one. */
typedef struct attendee_waitlisted {
    char workshop_id[ID_SIZE];
    char attendee_id[ID_SIZE];
    char name[NAME_SIZE];
} attendee_waitlisted;

/* Someone gave up their seat, or their place on the waitlist. */
typedef struct registration_cancelled {
    char workshop_id[ID_SIZE];
    char attendee_id[ID_SIZE];
    bool was_waitlisted;
} registration_cancelled;

/* A freed seat went to the first person on the waitlist. */
typedef struct waitlisted_attendee_promoted {
    char workshop_id[ID_SIZE];
    char attendee_id[ID_SIZE];
} waitlisted_attendee_promoted;

/* No more registrations: the trainer closed it, or the deadline passed. */
typedef struct registration_closed {
    char workshop_id[ID_SIZE];
    char reason[NAME_SIZE];
} registration_closed;

/* The attendee paid for their seat. */
typedef struct registration_paid {
    char workshop_id[ID_SIZE];
    char attendee_id[ID_SIZE];
} registration_paid;

/* The seat was not paid for in time: the attendee lost it. */
typedef struct registration_lapsed {
    char workshop_id[ID_SIZE];
    char attendee_id[ID_SIZE];
} registration_lapsed;

extern const esk_event_type workshop_scheduled_type;
extern const esk_event_type attendee_registered_type;
extern const esk_event_type attendee_waitlisted_type;
extern const esk_event_type registration_cancelled_type;
extern const esk_event_type waitlisted_attendee_promoted_type;
extern const esk_event_type registration_closed_type;
extern const esk_event_type registration_paid_type;
extern const esk_event_type registration_lapsed_type;

/*
 * Whose registration an event is about. Every event about a registration
 * (AttendeeRegistered, AttendeeWaitlisted, RegistrationCancelled,
 * WaitlistedAttendeePromoted, RegistrationPaid, RegistrationLapsed) has a
 * workshopId and an attendeeId; a reader that needs only those two need
 * not know each type.
 */
typedef struct registration_ref {
    char workshop_id[ID_SIZE];
    char attendee_id[ID_SIZE];
} registration_ref;

/*
 * Read the workshopId and attendeeId of an event about a registration,
 * whatever its type: the codec ignores the keys it is not asked for (a
 * "tolerant reader").
 *
 * @param event a recorded event; borrowed.
 * @return ESK_OK; ESK_EDECODE (the event has no such fields: the last
 *         error says which); ESK_EINVAL.
 */
esk_status registration_of(const esk_event *event, registration_ref *out);

#endif
