/*
 * workshop.c - the workshop decider: its functions, tied together, and
 * the words reports use for its commands and errors. Provided.
 *
 * A variant of ../domain/workshop.c, on purpose: the timeline of this
 * exercise narrates commands on two workshops, so a command is described
 * with its workshop ("register bob on w-1"), where a spec report of
 * ../domain/workshop.c needs no more than "RegisterAttendee bob".
 */
#include <stdio.h>

#include "workshop.h"

/* "register bob on w-1": what a report or a narration says of a command. */
static void describe_command(const void *command, char *buf, size_t size)
{
    const workshop_command *c = command;
    switch (c->kind) {
    case SCHEDULE_WORKSHOP:
        snprintf(buf, size, "schedule %s with %lld seats", c->workshop_id,
                 (long long)c->capacity);
        return;
    case REGISTER_ATTENDEE:
        snprintf(buf, size, "register %s on %s", c->attendee_id,
                 c->workshop_id);
        return;
    case CANCEL_REGISTRATION:
        snprintf(buf, size, "cancel %s on %s", c->attendee_id, c->workshop_id);
        return;
    case PROMOTE_FROM_WAITLIST:
        snprintf(buf, size, "promote the first waiting on %s", c->workshop_id);
        return;
    case CLOSE_REGISTRATION:
        snprintf(buf, size, "close %s (%s)", c->workshop_id, c->reason);
        return;
    }
    snprintf(buf, size, "a command of unknown kind %d", (int)c->kind);
}

/* The name of a workshop_error, for reports: "error 8 (NO_FREE_SEAT)". */
static const char *error_name(int code)
{
    switch ((enum workshop_error)code) {
    case WORKSHOP_NOT_SCHEDULED:
        return "WORKSHOP_NOT_SCHEDULED";
    case WORKSHOP_ALREADY_SCHEDULED:
        return "WORKSHOP_ALREADY_SCHEDULED";
    case INVALID_CAPACITY:
        return "INVALID_CAPACITY";
    case REGISTRATION_IS_CLOSED:
        return "REGISTRATION_IS_CLOSED";
    case ALREADY_REGISTERED:
        return "ALREADY_REGISTERED";
    case NOT_REGISTERED:
        return "NOT_REGISTERED";
    case NOBODY_WAITING:
        return "NOBODY_WAITING";
    case NO_FREE_SEAT:
        return "NO_FREE_SEAT";
    case WAITLIST_IS_FULL:
        return "WAITLIST_IS_FULL";
    }
    return NULL;
}

const esk_decider workshop_decider = {
    .name = "Workshop",
    .category = "workshop", /* streams "workshop-<id>" */
    .state_size = sizeof(workshop_state),
    .event_types = workshop_event_types,
    .event_type_count = WORKSHOP_EVENT_TYPE_COUNT,
    /* esk zeroes the state before folding, and the zero workshop_state is
     * "nothing has happened yet": no initial_state() is needed. */
    .initial_state = NULL,
    .evolve = workshop_evolve,
    .decide = workshop_decide,
    .is_terminal = workshop_is_terminal,
    .command_size = sizeof(workshop_command),
    .describe_command = describe_command,
    .error_name = error_name,
};
