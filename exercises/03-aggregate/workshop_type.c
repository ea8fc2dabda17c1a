/*
 * workshop_type.c - how esk sees a workshop. Provided.
 *
 * esk knows nothing of workshops: this description tells it the size of
 * the struct, the events the stream holds, and how each one changes the
 * state. With it, esk can build a workshop from its stream (the
 * repository's load, the test kit's given) and keep what its behaviours
 * raise.
 */
#include "workshop.h"

/* A refusal by the name you wrote, not by its number, in test reports. */
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

/* esk hands evolve the whole aggregate; the fold of exercise 02 works on
 * the state inside it. */
static void evolve_workshop(void *aggregate, const esk_event_type *type,
                            const void *event)
{
    workshop *w = aggregate;
    workshop_evolve(&w->state, type, event);
}

const esk_aggregate_type workshop_type = {
    .name = "Workshop",
    .category = "workshop", /* streams "workshop-<id>" */
    .state_size = sizeof(workshop),
    .event_types = workshop_event_types,
    .event_type_count = WORKSHOP_EVENT_TYPE_COUNT,
    .evolve = evolve_workshop,
    .error_name = error_name,
};
