/*
 * workshop.c - the workshop decider: its functions, tied together, and the
 * words the test reports use for its commands, refusals and state.
 * Provided.
 */
#include <stdio.h>
#include <string.h>

#include "workshop.h"

/* "RegisterAttendee bob": how a spec report names the command. */
static void describe_command(const void *command, char *buf, size_t size)
{
    const workshop_command *c = command;
    switch (c->kind) {
    case SCHEDULE_WORKSHOP:
        snprintf(buf, size, "ScheduleWorkshop %s, capacity %lld",
                 c->workshop_id, (long long)c->capacity);
        return;
    case REGISTER_ATTENDEE:
        snprintf(buf, size, "RegisterAttendee %s", c->attendee_id);
        return;
    case CANCEL_REGISTRATION:
        snprintf(buf, size, "CancelRegistration %s", c->attendee_id);
        return;
    case PROMOTE_FROM_WAITLIST:
        snprintf(buf, size, "PromoteFromWaitlist");
        return;
    case CLOSE_REGISTRATION:
        snprintf(buf, size, "CloseRegistration (%s)", c->reason);
        return;
    }
    snprintf(buf, size, "a command of unknown kind %d", (int)c->kind);
}

/* A refusal by the name you wrote, not by its number. */
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

/* "ada, bob": the ids of a list, as far as size allows; "nobody". */
static void describe_ids(char *buf, size_t size, const char list[][ID_SIZE],
                         size_t count)
{
    size_t used = 0;
    snprintf(buf, size, "nobody");
    for (size_t i = 0; i < count && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i > 0 ? ", " : "",
                         list[i]);
        if (n < 0)
            return;
        used += (size_t)n;
    }
}

/* "open, capacity 1, 1 seated: ada; 2 waiting: bob, cleo": what a
 * report shows of the state when decide() changed it. */
static void describe_state(const void *state, char *buf, size_t size)
{
    static const char *const statuses[] = {"unscheduled", "open", "closed"};
    const workshop_state *s = state;
    char seated[256];
    char waiting[256];
    describe_ids(seated, sizeof(seated), s->seated, s->seated_count);
    describe_ids(waiting, sizeof(waiting), s->waitlist, s->waitlist_count);
    snprintf(buf, size, "%s, capacity %lld, %zu seated: %s; %zu waiting: %s",
             s->status <= WORKSHOP_CLOSED ? statuses[s->status] : "?",
             (long long)s->capacity, s->seated_count, seated, s->waitlist_count,
             waiting);
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
    .describe_state = describe_state,
};
