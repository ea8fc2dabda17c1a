/*
 * examples/workshop/workshop.h - the workshop domain, as a decider.
 *
 * A training company runs workshops. A workshop is scheduled with a title,
 * a start date and a capacity. Attendees register; when the workshop is
 * full they go on a waitlist. A cancellation frees a seat, which the first
 * person on the waitlist gets when promoted. Registration closes when the
 * trainer closes it.
 */
#ifndef WORKSHOP_H
#define WORKSHOP_H

#include <stdbool.h>
#include <stdint.h>

#include <esk/codec.h>
#include <esk/decider.h>

#define ID_SIZE 64
#define NAME_SIZE 96
#define TITLE_SIZE 128
#define DATE_SIZE 11 /* "2026-12-01" */
#define MAX_SEATS 64

/* --- Events: facts, in the past tense ------------------------------------ */

typedef struct workshop_scheduled {
    char workshop_id[ID_SIZE];
    char title[TITLE_SIZE];
    char starts_on[DATE_SIZE];
    int64_t capacity;
} workshop_scheduled;

typedef struct attendee_registered {
    char workshop_id[ID_SIZE];
    char attendee_id[ID_SIZE];
    char name[NAME_SIZE];
} attendee_registered;

typedef struct attendee_waitlisted {
    char workshop_id[ID_SIZE];
    char attendee_id[ID_SIZE];
    char name[NAME_SIZE];
} attendee_waitlisted;

typedef struct registration_cancelled {
    char workshop_id[ID_SIZE];
    char attendee_id[ID_SIZE];
    bool was_waitlisted;
} registration_cancelled;

typedef struct waitlisted_attendee_promoted {
    char workshop_id[ID_SIZE];
    char attendee_id[ID_SIZE];
} waitlisted_attendee_promoted;

typedef struct registration_closed {
    char workshop_id[ID_SIZE];
    char reason[NAME_SIZE];
} registration_closed;

extern const esk_event_type workshop_scheduled_type;
extern const esk_event_type attendee_registered_type;
extern const esk_event_type attendee_waitlisted_type;
extern const esk_event_type registration_cancelled_type;
extern const esk_event_type waitlisted_attendee_promoted_type;
extern const esk_event_type registration_closed_type;

/* --- Commands: requests, in the imperative ------------------------------- */

typedef enum workshop_command_kind {
    SCHEDULE_WORKSHOP,
    REGISTER_ATTENDEE,
    CANCEL_REGISTRATION,
    PROMOTE_FROM_WAITLIST,
    CLOSE_REGISTRATION,
} workshop_command_kind;

typedef struct workshop_command {
    workshop_command_kind kind;
    char workshop_id[ID_SIZE];
    char attendee_id[ID_SIZE]; /* register, cancel */
    char name[NAME_SIZE];      /* register: the attendee's; close: reason */
    char title[TITLE_SIZE];    /* schedule */
    char starts_on[DATE_SIZE]; /* schedule */
    int64_t capacity;          /* schedule */
} workshop_command;

/* The command type names the bus knows them by. */
const char *workshop_command_name(workshop_command_kind kind);

/* --- Domain errors ----------------------------------------------------------
 */

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

/* --- State: what decisions need, folded from the events ------------------ */

typedef enum workshop_status {
    WORKSHOP_UNSCHEDULED,
    WORKSHOP_OPEN,
    WORKSHOP_CLOSED,
} workshop_status;

typedef struct workshop_state {
    workshop_status status;
    int64_t capacity;
    char seated[MAX_SEATS][ID_SIZE];
    size_t seated_count;
    char waitlist[MAX_SEATS][ID_SIZE]; /* first come, first promoted */
    size_t waitlist_count;
} workshop_state;

extern const esk_decider workshop_decider;

#endif
