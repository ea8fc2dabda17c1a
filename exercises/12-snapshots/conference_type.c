/*
 * conference_type.c - how esk sees a conference. Provided.
 *
 * The events and evolve, and no snapshot: a repository of this type
 * folds every event. Loading from a snapshot and writing one is what
 * snapshot.c does, with the store's records.
 */
#include "conference.h"

/* esk hands evolve the whole aggregate; the fold works on the state. */
static void evolve_conference(void *aggregate, const esk_event_type *type,
                              const void *event)
{
    conference *c = aggregate;
    conference_evolve(&c->state, type, event);
}

const esk_aggregate_type conference_type = {
    .name = "Conference",
    .category = "conference", /* streams "conference-<id>" */
    .state_size = sizeof(conference),
    .event_types = conference_event_types,
    .event_type_count = CONFERENCE_EVENT_TYPE_COUNT,
    .evolve = evolve_conference,
    .error_name = conference_error_name,
};
