/*
 * tests/workshop_decider.h - a small workshop, as a decider, for the tests
 * of deciders and of the command bus.
 *
 * A workshop is scheduled with a capacity; attendees register until it is
 * full, which closes it (the stream's life is then over).
 */
#ifndef WORKSHOP_DECIDER_H
#define WORKSHOP_DECIDER_H

#include <stdbool.h>
#include <stdint.h>

#include "esk/decider.h"

typedef struct workshop_scheduled {
    char title[32];
    int64_t capacity;
} workshop_scheduled;

typedef struct attendee_registered {
    char attendee[16];
} attendee_registered;

typedef struct workshop_closed {
    char reason[16];
} workshop_closed;

extern const esk_event_type workshop_scheduled_type;
extern const esk_event_type attendee_registered_type;
extern const esk_event_type workshop_closed_type;

typedef struct workshop_state {
    bool scheduled;
    int64_t capacity;
    int64_t seats_taken;
    bool closed;
    /* The last attendee registered, to see the order of the fold. */
    char last_attendee[16];
} workshop_state;

enum workshop_error {
    WORKSHOP_NOT_SCHEDULED = 1,
    WORKSHOP_ALREADY_SCHEDULED = 2,
    WORKSHOP_FULL = 3,
};

typedef enum workshop_action {
    SCHEDULE,
    REGISTER,
    /* Decides that nothing happens. */
    LOOK,
} workshop_action;

typedef struct workshop_command {
    workshop_action action;
    char title[32];
    int64_t capacity;
    char attendee[16];
} workshop_command;

/* The well-behaved decider. */
extern const esk_decider workshop_decider;

/*
 * Another writer: while it has appends left, each decide() of
 * workshop_decider first appends an AttendeeRegistered of "interloper" to
 * the stream, as if a second handler had won the race.
 */
typedef struct interloper {
    esk_store *store;
    const char *stream_id;
    int appends_left;
} interloper;
extern interloper workshop_interloper;

#endif
