/*
 * workshop.c - the workshop decider: its functions, tied together, and
 * the names of its commands. Provided.
 *
 * A variant of ../domain/workshop.c, on purpose: the bus finds a handler by
 * the command's type, so this decider also names its commands, and its
 * decide() opens the race window of race.h.
 */
#include <stdio.h>

#include "race.h"
#include "workshop.h"

const char *const workshop_command_types[WORKSHOP_COMMAND_TYPE_COUNT] = {
    "ScheduleWorkshop",    "RegisterAttendee",  "CancelRegistration",
    "PromoteFromWaitlist", "CloseRegistration",
};

const char *workshop_command_type(workshop_command_kind kind)
{
    /* The kinds start at 1, in the order of the names. */
    if (kind < SCHEDULE_WORKSHOP || kind > CLOSE_REGISTRATION)
        return NULL;
    return workshop_command_types[kind - SCHEDULE_WORKSHOP];
}

/*
 * workshop_decide(), then the race window: the moment between a decision
 * and its append, where a test may make another server append to the
 * same stream (race.h). esk_context_handle() loads, decides and appends
 * in one call, so the end of decide() is the one place in between where
 * our code runs. Outside such a test the window does nothing, and this
 * is workshop_decide().
 */
static esk_status decide_then_open_the_race_window(const void *state,
                                                   const void *command,
                                                   esk_decision *decision)
{
    esk_status rc = workshop_decide(state, command, decision);
    race_window(command);
    return rc;
}

/* For test reports: "when register bob on w-1". */
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
        snprintf(buf, size, "promote from the waitlist of %s", c->workshop_id);
        return;
    case CLOSE_REGISTRATION:
        snprintf(buf, size, "close %s (%s)", c->workshop_id, c->reason);
        return;
    }
    snprintf(buf, size, "a command of unknown kind %d", (int)c->kind);
}

static const char *error_name(int code)
{
    switch (code) {
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
    .decide = decide_then_open_the_race_window,
    .is_terminal = workshop_is_terminal,
    .command_size = sizeof(workshop_command),
    .describe_command = describe_command,
    .error_name = error_name,
};
