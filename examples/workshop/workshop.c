/*
 * examples/workshop/workshop.c - the workshop decider: evolve and decide.
 */
#include <string.h>

#include "workshop.h"

/* --- Event types: a struct, a field table, a name and a version ----------- */

static const esk_field workshop_scheduled_fields[] = {
    ESK_FIELD_STRING(workshop_scheduled, workshop_id, "workshopId"),
    ESK_FIELD_STRING(workshop_scheduled, title, "title"),
    ESK_FIELD_STRING(workshop_scheduled, starts_on, "startsOn"),
    ESK_FIELD_INT64(workshop_scheduled, capacity, "capacity"),
};
const esk_event_type workshop_scheduled_type = ESK_EVENT_TYPE(
    workshop_scheduled, "WorkshopScheduled", 1, workshop_scheduled_fields);

static const esk_field attendee_registered_fields[] = {
    ESK_FIELD_STRING(attendee_registered, workshop_id, "workshopId"),
    ESK_FIELD_STRING(attendee_registered, attendee_id, "attendeeId"),
    ESK_FIELD_STRING(attendee_registered, name, "name"),
};
const esk_event_type attendee_registered_type = ESK_EVENT_TYPE(
    attendee_registered, "AttendeeRegistered", 1, attendee_registered_fields);

static const esk_field attendee_waitlisted_fields[] = {
    ESK_FIELD_STRING(attendee_waitlisted, workshop_id, "workshopId"),
    ESK_FIELD_STRING(attendee_waitlisted, attendee_id, "attendeeId"),
    ESK_FIELD_STRING(attendee_waitlisted, name, "name"),
};
const esk_event_type attendee_waitlisted_type = ESK_EVENT_TYPE(
    attendee_waitlisted, "AttendeeWaitlisted", 1, attendee_waitlisted_fields);

static const esk_field registration_cancelled_fields[] = {
    ESK_FIELD_STRING(registration_cancelled, workshop_id, "workshopId"),
    ESK_FIELD_STRING(registration_cancelled, attendee_id, "attendeeId"),
    ESK_FIELD_BOOL(registration_cancelled, was_waitlisted, "wasWaitlisted"),
};
const esk_event_type registration_cancelled_type =
    ESK_EVENT_TYPE(registration_cancelled, "RegistrationCancelled", 1,
                   registration_cancelled_fields);

static const esk_field waitlisted_attendee_promoted_fields[] = {
    ESK_FIELD_STRING(waitlisted_attendee_promoted, workshop_id, "workshopId"),
    ESK_FIELD_STRING(waitlisted_attendee_promoted, attendee_id, "attendeeId"),
};
const esk_event_type waitlisted_attendee_promoted_type =
    ESK_EVENT_TYPE(waitlisted_attendee_promoted, "WaitlistedAttendeePromoted",
                   1, waitlisted_attendee_promoted_fields);

static const esk_field registration_closed_fields[] = {
    ESK_FIELD_STRING(registration_closed, workshop_id, "workshopId"),
    ESK_FIELD_STRING(registration_closed, reason, "reason"),
};
const esk_event_type registration_closed_type = ESK_EVENT_TYPE(
    registration_closed, "RegistrationClosed", 1, registration_closed_fields);

static const esk_event_type *const workshop_events[] = {
    &workshop_scheduled_type,           &attendee_registered_type,
    &attendee_waitlisted_type,          &registration_cancelled_type,
    &waitlisted_attendee_promoted_type, &registration_closed_type,
};

const char *workshop_command_name(workshop_command_kind kind)
{
    switch (kind) {
    case SCHEDULE_WORKSHOP:
        return "ScheduleWorkshop";
    case REGISTER_ATTENDEE:
        return "RegisterAttendee";
    case CANCEL_REGISTRATION:
        return "CancelRegistration";
    case PROMOTE_FROM_WAITLIST:
        return "PromoteFromWaitlist";
    case CLOSE_REGISTRATION:
        return "CloseRegistration";
    }
    return "UnknownCommand";
}

/* --- evolve: the state follows the events, no questions asked ------------ */

static void add_id(char list[][ID_SIZE], size_t *count, const char *id)
{
    if (*count < MAX_SEATS) {
        memcpy(list[*count], id, ID_SIZE);
        (*count)++;
    }
}

static bool remove_id(char list[][ID_SIZE], size_t *count, const char *id)
{
    for (size_t i = 0; i < *count; i++) {
        if (strcmp(list[i], id) == 0) {
            memmove(list[i], list[i + 1], (*count - i - 1) * ID_SIZE);
            (*count)--;
            return true;
        }
    }
    return false;
}

static bool has_id(const char list[][ID_SIZE], size_t count, const char *id)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(list[i], id) == 0)
            return true;
    return false;
}

static void workshop_evolve(void *state, const esk_event_type *type,
                            const void *event)
{
    workshop_state *s = state;

    if (type == &workshop_scheduled_type) {
        const workshop_scheduled *e = event;
        s->status = WORKSHOP_OPEN;
        s->capacity = e->capacity;
    } else if (type == &attendee_registered_type) {
        const attendee_registered *e = event;
        add_id(s->seated, &s->seated_count, e->attendee_id);
    } else if (type == &attendee_waitlisted_type) {
        const attendee_waitlisted *e = event;
        add_id(s->waitlist, &s->waitlist_count, e->attendee_id);
    } else if (type == &registration_cancelled_type) {
        const registration_cancelled *e = event;
        if (!remove_id(s->seated, &s->seated_count, e->attendee_id))
            remove_id(s->waitlist, &s->waitlist_count, e->attendee_id);
    } else if (type == &waitlisted_attendee_promoted_type) {
        const waitlisted_attendee_promoted *e = event;
        remove_id(s->waitlist, &s->waitlist_count, e->attendee_id);
        add_id(s->seated, &s->seated_count, e->attendee_id);
    } else if (type == &registration_closed_type) {
        s->status = WORKSHOP_CLOSED;
    }
}

/* --- decide: from the state and a command, what happens ------------------ */

static esk_status schedule(const workshop_state *s, const workshop_command *c,
                           esk_decision *d)
{
    if (s->status != WORKSHOP_UNSCHEDULED)
        return esk_decision_reject(d, WORKSHOP_ALREADY_SCHEDULED,
                                   "workshop '%s' is already scheduled",
                                   c->workshop_id);
    if (c->capacity < 1 || c->capacity > MAX_SEATS)
        return esk_decision_reject(d, INVALID_CAPACITY,
                                   "capacity must be 1 to %d, not %lld",
                                   MAX_SEATS, (long long)c->capacity);
    workshop_scheduled e = {.capacity = c->capacity};
    memcpy(e.workshop_id, c->workshop_id, ID_SIZE);
    memcpy(e.title, c->title, TITLE_SIZE);
    memcpy(e.starts_on, c->starts_on, DATE_SIZE);
    return esk_decision_emit(d, &workshop_scheduled_type, &e);
}

static esk_status refuse_unless_open(const workshop_state *s,
                                     const workshop_command *c, esk_decision *d)
{
    if (s->status == WORKSHOP_UNSCHEDULED)
        return esk_decision_reject(d, WORKSHOP_NOT_SCHEDULED,
                                   "workshop '%s' is not scheduled",
                                   c->workshop_id);
    if (s->status == WORKSHOP_CLOSED)
        return esk_decision_reject(d, REGISTRATION_IS_CLOSED,
                                   "registration for '%s' is closed",
                                   c->workshop_id);
    return ESK_OK;
}

static esk_status register_attendee(const workshop_state *s,
                                    const workshop_command *c, esk_decision *d)
{
    esk_status rc = refuse_unless_open(s, c, d);
    if (rc != ESK_OK)
        return rc;
    if (has_id(s->seated, s->seated_count, c->attendee_id) ||
        has_id(s->waitlist, s->waitlist_count, c->attendee_id))
        return esk_decision_reject(d, ALREADY_REGISTERED,
                                   "'%s' is already registered for '%s'",
                                   c->attendee_id, c->workshop_id);
    if ((int64_t)s->seated_count < s->capacity) {
        attendee_registered e = {0};
        memcpy(e.workshop_id, c->workshop_id, ID_SIZE);
        memcpy(e.attendee_id, c->attendee_id, ID_SIZE);
        memcpy(e.name, c->name, NAME_SIZE);
        return esk_decision_emit(d, &attendee_registered_type, &e);
    }
    if (s->waitlist_count == MAX_SEATS)
        return esk_decision_reject(d, WAITLIST_IS_FULL,
                                   "the waitlist of '%s' is full",
                                   c->workshop_id);
    attendee_waitlisted e = {0};
    memcpy(e.workshop_id, c->workshop_id, ID_SIZE);
    memcpy(e.attendee_id, c->attendee_id, ID_SIZE);
    memcpy(e.name, c->name, NAME_SIZE);
    return esk_decision_emit(d, &attendee_waitlisted_type, &e);
}

static esk_status cancel(const workshop_state *s, const workshop_command *c,
                         esk_decision *d)
{
    bool seated = has_id(s->seated, s->seated_count, c->attendee_id);
    bool waiting = has_id(s->waitlist, s->waitlist_count, c->attendee_id);
    if (!seated && !waiting)
        return esk_decision_reject(d, NOT_REGISTERED,
                                   "'%s' is not registered for '%s'",
                                   c->attendee_id, c->workshop_id);
    registration_cancelled e = {.was_waitlisted = waiting};
    memcpy(e.workshop_id, c->workshop_id, ID_SIZE);
    memcpy(e.attendee_id, c->attendee_id, ID_SIZE);
    return esk_decision_emit(d, &registration_cancelled_type, &e);
}

static esk_status promote(const workshop_state *s, const workshop_command *c,
                          esk_decision *d)
{
    if (s->waitlist_count == 0)
        return esk_decision_reject(
            d, NOBODY_WAITING, "nobody is waiting for '%s'", c->workshop_id);
    if ((int64_t)s->seated_count >= s->capacity)
        return esk_decision_reject(d, NO_FREE_SEAT,
                                   "'%s' has no free seat to promote into",
                                   c->workshop_id);
    waitlisted_attendee_promoted e = {0};
    memcpy(e.workshop_id, c->workshop_id, ID_SIZE);
    memcpy(e.attendee_id, s->waitlist[0], ID_SIZE); /* first come */
    return esk_decision_emit(d, &waitlisted_attendee_promoted_type, &e);
}

static esk_status close_registration(const workshop_state *s,
                                     const workshop_command *c, esk_decision *d)
{
    esk_status rc = refuse_unless_open(s, c, d);
    if (rc != ESK_OK)
        return rc;
    registration_closed e = {0};
    memcpy(e.workshop_id, c->workshop_id, ID_SIZE);
    memcpy(e.reason, c->name, NAME_SIZE);
    return esk_decision_emit(d, &registration_closed_type, &e);
}

static esk_status workshop_decide(const void *state, const void *command,
                                  esk_decision *decision)
{
    const workshop_state *s = state;
    const workshop_command *c = command;

    switch (c->kind) {
    case SCHEDULE_WORKSHOP:
        return schedule(s, c, decision);
    case REGISTER_ATTENDEE:
        return register_attendee(s, c, decision);
    case CANCEL_REGISTRATION:
        return cancel(s, c, decision);
    case PROMOTE_FROM_WAITLIST:
        return promote(s, c, decision);
    case CLOSE_REGISTRATION:
        return close_registration(s, c, decision);
    }
    return ESK_EINVAL;
}

const esk_decider workshop_decider = {
    .name = "Workshop",
    .category = "workshop",
    .state_size = sizeof(workshop_state),
    .event_types = workshop_events,
    .event_type_count = sizeof(workshop_events) / sizeof(workshop_events[0]),
    .evolve = workshop_evolve,
    .decide = workshop_decide,
};
