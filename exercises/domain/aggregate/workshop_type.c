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

/* esk hands evolve the whole aggregate; the fold of exercise 02 works on
 * the state inside it. */
static void evolve_workshop(void *aggregate, const esk_event_type *type,
                            const void *event)
{
    workshop *w = aggregate;
    workshop_evolve(&w->state, type, event);
}

const char *workshop_error_name(int code)
{
    static const char *const names[] = {
        NULL,
        "WORKSHOP_NOT_SCHEDULED",
        "WORKSHOP_ALREADY_SCHEDULED",
        "INVALID_CAPACITY",
        "REGISTRATION_IS_CLOSED",
        "ALREADY_REGISTERED",
        "NOT_REGISTERED",
        "NOBODY_WAITING",
        "NO_FREE_SEAT",
        "WAITLIST_IS_FULL",
    };
    if (code < 1 || code >= (int)(sizeof(names) / sizeof(names[0])))
        return NULL;
    return names[code];
}

const esk_aggregate_type workshop_type = {
    .name = "Workshop",
    .category = "workshop", /* streams "workshop-<id>" */
    .state_size = sizeof(workshop),
    .event_types = workshop_event_types,
    .event_type_count = WORKSHOP_EVENT_TYPE_COUNT,
    .evolve = evolve_workshop,
    .error_name = workshop_error_name,
};
