/*
 * workshop.h - the Workshop aggregate. Provided: exercise 03's answer,
 * with the registration form of release 3.
 *
 * A variant of ../domain/aggregate/workshop.h, on purpose: the form of
 * release 3 registers an attendee with first and last name, e-mail and
 * ticket, the fields of AttendeeRegistered v3.
 *
 * An aggregate is the state of exercise 02 given an identity and a voice:
 *
 *   workshop
 *   ├── base   esk_aggregate: id "w-1", stream "workshop-w-1", version,
 *   │          and the events raised but not saved yet (esk manages it)
 *   └── state  workshop_state: the fold of the workshop's events
 *
 * A behaviour (workshop_register...) is a command: it reads the state,
 * refuses the command or raises events, and never writes the state itself.
 * esk_aggregate_raise() applies each raised event with evolve, so the
 * state after a command is exactly the state its events rebuild.
 */
#ifndef WORKSHOP_H
#define WORKSHOP_H

#include <stdint.h>

#include <esk/aggregate.h>

#include "events.h"
#include "state.h"

typedef struct workshop {
    esk_aggregate base; /* first: esk sees a workshop as an esk_aggregate */
    workshop_state state;
} workshop;

/* How esk loads, folds and saves a workshop (workshop_type.c). */
extern const esk_aggregate_type workshop_type;

/* Why a command is refused: the code esk_domain_error() records in the
 * last error (esk_error_last()->code). */
enum workshop_error {
    WORKSHOP_NOT_SCHEDULED = 1,
    WORKSHOP_ALREADY_SCHEDULED,
    INVALID_CAPACITY,
    REGISTRATION_IS_CLOSED,
    ALREADY_REGISTERED,
    NOT_REGISTERED,
    NOBODY_WAITING,
    NO_FREE_SEAT,
    WAITLIST_IS_FULL,
};

/* The name of an error code, for reports: "ALREADY_REGISTERED"
 * (workshop_type.c). */
const char *workshop_error_name(int code);

/*
 * The behaviours (workshop.c, where each says its rules). Each returns
 * ESK_OK after raising its event; ESK_EDOMAIN when the rules refuse the
 * command, having raised nothing, with the code and the reason in the last
 * error (esk_domain_error()); or the failure of esk_aggregate_raise().
 */

/* Put the workshop on the calendar: WorkshopScheduled. */
esk_status workshop_schedule(workshop *w, const char *title,
                             const char *starts_on, int64_t capacity);

/* Who registers, as the form of release 3 asks. */
typedef struct registration_form {
    const char *attendee_id;
    const char *first_name;
    const char *last_name;
    const char *email;
    const char *ticket; /* "standard" or "early-bird" */
} registration_form;

/* Take a seat, or a place on the waitlist when the workshop is full:
 * AttendeeRegistered (v3) or AttendeeWaitlisted. */
esk_status workshop_register(workshop *w, const registration_form *form);

/* Give up a seat or a place on the waitlist: RegistrationCancelled. */
esk_status workshop_cancel(workshop *w, const char *attendee_id);

/* Give a free seat to whoever waited longest: WaitlistedAttendeePromoted.
 * Written for you, as the model of a behaviour. */
esk_status workshop_promote_from_waitlist(workshop *w);

/* Stop taking registrations: RegistrationClosed. */
esk_status workshop_close(workshop *w, const char *reason);

#endif
