/*
 * tests/workshop_decider.c - the workshop decider used by the tests.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "esk/codec.h"
#include "workshop_decider.h"

static const esk_field workshop_scheduled_fields[] = {
    ESK_FIELD_STRING(workshop_scheduled, title, "title"),
    ESK_FIELD_INT64(workshop_scheduled, capacity, "capacity"),
};
const esk_event_type workshop_scheduled_type = ESK_EVENT_TYPE(
    workshop_scheduled, "WorkshopScheduled", 1, workshop_scheduled_fields);

static const esk_field attendee_registered_fields[] = {
    ESK_FIELD_STRING(attendee_registered, attendee, "attendee"),
};
const esk_event_type attendee_registered_type = ESK_EVENT_TYPE(
    attendee_registered, "AttendeeRegistered", 2, attendee_registered_fields);

static const esk_field workshop_closed_fields[] = {
    ESK_FIELD_STRING(workshop_closed, reason, "reason"),
};
const esk_event_type workshop_closed_type = ESK_EVENT_TYPE(
    workshop_closed, "WorkshopClosed", 1, workshop_closed_fields);

static const esk_event_type *const workshop_events[] = {
    &workshop_scheduled_type,
    &attendee_registered_type,
    &workshop_closed_type,
};

interloper workshop_interloper;

static void workshop_initial(void *state)
{
    workshop_state *w = state;
    strcpy(w->last_attendee, "nobody");
}

static void workshop_evolve(void *state, const esk_event_type *type,
                            const void *event)
{
    workshop_state *w = state;
    if (type == &workshop_scheduled_type) {
        const workshop_scheduled *e = event;
        w->scheduled = true;
        w->capacity = e->capacity;
    } else if (type == &attendee_registered_type) {
        const attendee_registered *e = event;
        w->seats_taken++;
        snprintf(w->last_attendee, sizeof(w->last_attendee), "%s", e->attendee);
    } else if (type == &workshop_closed_type) {
        w->closed = true;
    }
}

static void interfere(void)
{
    interloper *i = &workshop_interloper;
    if (i->appends_left == 0)
        return;
    i->appends_left--;
    esk_new_event e = {NULL, "AttendeeRegistered", 2,
                       "{\"attendee\":\"interloper\"}", NULL};
    if (esk_store_append(i->store, i->stream_id, ESK_ANY, &e, 1, NULL) !=
        ESK_OK)
        fprintf(stderr, "the interloper could not append: %s\n", esk_errmsg());
}

static esk_status workshop_decide(const void *state, const void *command,
                                  esk_decision *decision)
{
    const workshop_state *w = state;
    const workshop_command *c = command;

    interfere();
    switch (c->action) {
    case SCHEDULE: {
        if (w->scheduled)
            return esk_decision_reject(decision, WORKSHOP_ALREADY_SCHEDULED,
                                       "the workshop is already scheduled");
        workshop_scheduled e = {{0}, c->capacity};
        snprintf(e.title, sizeof(e.title), "%s", c->title);
        return esk_decision_emit(decision, &workshop_scheduled_type, &e);
    }
    case REGISTER: {
        if (!w->scheduled)
            return esk_decision_reject(decision, WORKSHOP_NOT_SCHEDULED,
                                       "the workshop is not scheduled");
        if (w->closed)
            return esk_decision_reject(decision, WORKSHOP_FULL,
                                       "the workshop is full (%lld seats)",
                                       (long long)w->capacity);
        attendee_registered e = {{0}};
        snprintf(e.attendee, sizeof(e.attendee), "%s", c->attendee);
        esk_status rc =
            esk_decision_emit(decision, &attendee_registered_type, &e);
        if (rc == ESK_OK && w->seats_taken + 1 == w->capacity)
            rc = esk_decision_emit(decision, &workshop_closed_type,
                                   &(workshop_closed){"full"});
        return rc;
    }
    case LOOK:
        return ESK_OK;
    }
    return ESK_EINVAL;
}

static bool workshop_is_terminal(const void *state)
{
    const workshop_state *w = state;
    return w->closed;
}

const esk_decider workshop_decider = {
    .name = "Workshop",
    .category = "workshop",
    .state_size = sizeof(workshop_state),
    .event_types = workshop_events,
    .event_type_count = 3,
    .initial_state = workshop_initial,
    .evolve = workshop_evolve,
    .decide = workshop_decide,
    .is_terminal = workshop_is_terminal,
};
