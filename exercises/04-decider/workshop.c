/*
 * workshop.c - the workshop decider: its functions, tied together. Provided.
 */
#include "workshop.h"

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
};
