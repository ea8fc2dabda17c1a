/*
 * conference_type.c - how esk sees a conference. Provided.
 *
 * Besides the events and evolve, the type names its snapshot: the field
 * table of snapshot.c. With it, a repository whose options ask for
 * snapshots writes the state now and then, and starts each load from the
 * latest one it can use.
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
    .snapshot = &conference_snapshot_type, /* snapshot.c */
    .error_name = conference_error_name,
};
