/*
 * decide.c - the workshop's rules, as pure functions.
 *
 * decide() reads the state and the command and says what happens: events
 * to append, or a refusal with the domain's reason. It changes nothing,
 * so the same question always gets the same answer, and a test needs no
 * store: given events, when a command, then events.
 *
 * One function per command, each in two halves as in exercise 03: check
 * everything, refusing at the first rule broken; then emit.
 */
#include <esk/error.h>

#include "workshop.h"

static esk_status schedule(const workshop_state *s, const workshop_command *c,
                           esk_decision *d)
{
    if (s->status != WORKSHOP_UNSCHEDULED)
        return esk_decision_reject(d, WORKSHOP_ALREADY_SCHEDULED,
                                   "workshop '%s' is already scheduled",
                                   c->workshop_id);
    if (c->capacity < 1 || c->capacity > MAX_SEATS)
        return esk_decision_reject(d, INVALID_CAPACITY,
                                   "a workshop has 1 to %d seats, not %lld",
                                   MAX_SEATS, (long long)c->capacity);

    workshop_scheduled e = {.capacity = c->capacity};
    copy_text(e.workshop_id, sizeof(e.workshop_id), c->workshop_id);
    copy_text(e.title, sizeof(e.title), c->title);
    copy_text(e.starts_on, sizeof(e.starts_on), c->starts_on);
    return esk_decision_emit(d, &workshop_scheduled_type, &e);
}

/* The rule registrations and closing share: the workshop exists, and
 * still takes registrations. */
static esk_status refuse_unless_open(const workshop_state *s,
                                     const workshop_command *c, esk_decision *d)
{
    if (s->status == WORKSHOP_UNSCHEDULED)
        return esk_decision_reject(d, WORKSHOP_NOT_SCHEDULED,
                                   "workshop '%s' is not scheduled",
                                   c->workshop_id);
    if (s->status == WORKSHOP_CLOSED)
        return esk_decision_reject(d, REGISTRATION_IS_CLOSED,
                                   "registration for workshop '%s' is closed",
                                   c->workshop_id);
    return ESK_OK;
}

static esk_status register_attendee(const workshop_state *s,
                                    const workshop_command *c, esk_decision *d)
{
    esk_status rc = refuse_unless_open(s, c, d);
    if (rc != ESK_OK)
        return rc;
    /* Nobody holds two places: a seat and a place in line count alike. */
    if (workshop_is_seated(s, c->attendee_id) ||
        workshop_is_waiting(s, c->attendee_id))
        return esk_decision_reject(d, ALREADY_REGISTERED,
                                   "'%s' is already registered for workshop "
                                   "'%s'",
                                   c->attendee_id, c->workshop_id);

    /* A full workshop is not a refusal: it is another fact. */
    if (workshop_free_seats(s) > 0) {
        attendee_registered e = {0};
        copy_text(e.workshop_id, sizeof(e.workshop_id), c->workshop_id);
        copy_text(e.attendee_id, sizeof(e.attendee_id), c->attendee_id);
        copy_text(e.name, sizeof(e.name), c->name);
        return esk_decision_emit(d, &attendee_registered_type, &e);
    }
    if (s->waitlist_count >= MAX_WAITING)
        return esk_decision_reject(d, WAITLIST_IS_FULL,
                                   "workshop '%s' is full, and so is its "
                                   "waitlist",
                                   c->workshop_id);
    attendee_waitlisted e = {0};
    copy_text(e.workshop_id, sizeof(e.workshop_id), c->workshop_id);
    copy_text(e.attendee_id, sizeof(e.attendee_id), c->attendee_id);
    copy_text(e.name, sizeof(e.name), c->name);
    return esk_decision_emit(d, &attendee_waitlisted_type, &e);
}

/* Allowed after closing: closing stops new registrations, not the lives
 * of those already registered. */
static esk_status cancel(const workshop_state *s, const workshop_command *c,
                         esk_decision *d)
{
    bool waiting = workshop_is_waiting(s, c->attendee_id);
    if (!waiting && !workshop_is_seated(s, c->attendee_id))
        return esk_decision_reject(d, NOT_REGISTERED,
                                   "'%s' is not registered for workshop '%s'",
                                   c->attendee_id, c->workshop_id);

    registration_cancelled e = {.was_waitlisted = waiting};
    copy_text(e.workshop_id, sizeof(e.workshop_id), c->workshop_id);
    copy_text(e.attendee_id, sizeof(e.attendee_id), c->attendee_id);
    return esk_decision_emit(d, &registration_cancelled_type, &e);
}

/* Allowed after closing too: a seat freed late still goes to whoever has
 * waited longest. */
static esk_status promote(const workshop_state *s, const workshop_command *c,
                          esk_decision *d)
{
    if (s->waitlist_count == 0)
        return esk_decision_reject(d, NOBODY_WAITING,
                                   "nobody is waiting for workshop '%s'",
                                   c->workshop_id);
    if (workshop_free_seats(s) <= 0)
        return esk_decision_reject(d, NO_FREE_SEAT,
                                   "workshop '%s' has no free seat to give",
                                   c->workshop_id);

    waitlisted_attendee_promoted e = {0};
    copy_text(e.workshop_id, sizeof(e.workshop_id), c->workshop_id);
    copy_text(e.attendee_id, sizeof(e.attendee_id), s->waitlist[0]);
    return esk_decision_emit(d, &waitlisted_attendee_promoted_type, &e);
}

static esk_status close_registration(const workshop_state *s,
                                     const workshop_command *c, esk_decision *d)
{
    esk_status rc = refuse_unless_open(s, c, d);
    if (rc != ESK_OK)
        return rc;

    registration_closed e = {0};
    copy_text(e.workshop_id, sizeof(e.workshop_id), c->workshop_id);
    copy_text(e.reason, sizeof(e.reason), c->reason);
    return esk_decision_emit(d, &registration_closed_type, &e);
}

esk_status workshop_decide(const void *state, const void *command,
                           esk_decision *decision)
{
    const workshop_state *s = state;
    const workshop_command *c = command;

    if (c == NULL)
        return esk_error_set(ESK_EINVAL, "no workshop command to decide");
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
    /* Not a refusal: a command of no known kind is a bug of the caller. */
    return esk_error_set(ESK_EINVAL, "workshop command of unknown kind %d",
                         (int)c->kind);
}

bool workshop_is_terminal(const void *state)
{
    /* Terminal means that no command can change the stream any more.
     * Closing is not enough: whoever is seated or waiting may still
     * cancel, and a freed seat may still go to someone waiting. Closed
     * and empty, every command is refused. */
    const workshop_state *s = state;
    return s->status == WORKSHOP_CLOSED && s->seated_count == 0 &&
           s->waitlist_count == 0;
}
