/*
 * workshop.c - the workshop's behaviours: its rules, one command each.
 * Provided: exercise 03's answer, with the registration form of release 3.
 *
 * A variant of ../domain/aggregate/workshop.c, on purpose: the form of
 * release 3 registers an attendee with first and last name, e-mail and
 * ticket, the fields of AttendeeRegistered v3.
 *
 * Every behaviour has the same two halves:
 *
 *   1. check everything: read the state, and at the first rule the
 *      command breaks, refuse it with esk_domain_error();
 *   2. then raise: fill the event and give it to esk_aggregate_raise(),
 *      which applies it to the state (with evolve) and keeps it, to be
 *      saved.
 *
 * No behaviour writes the state: it changes only through events, so that
 * it is always the state the stream will rebuild.
 */
#include <stdio.h>

#include "workshop.h"

/* The rule registrations and closing share: the workshop exists, and
 * still takes registrations. */
static esk_status refuse_unless_open(const workshop *w)
{
    if (w->state.status == WORKSHOP_UNSCHEDULED)
        return esk_domain_error(WORKSHOP_NOT_SCHEDULED,
                                "workshop '%s' is not scheduled", w->base.id);
    if (w->state.status == WORKSHOP_CLOSED)
        return esk_domain_error(REGISTRATION_IS_CLOSED,
                                "registration for workshop '%s' is closed",
                                w->base.id);
    return ESK_OK;
}

/*
 * Put the workshop on the calendar: a title, a start date ("2026-12-01")
 * and a number of seats.
 *
 * Refuse with:
 *   WORKSHOP_ALREADY_SCHEDULED  the status is not WORKSHOP_UNSCHEDULED
 *   INVALID_CAPACITY            capacity is not between 1 and MAX_SEATS
 * Else raise WorkshopScheduled: workshopId w->base.id, and the title,
 * startsOn and capacity given.
 */
esk_status workshop_schedule(workshop *w, const char *title,
                             const char *starts_on, int64_t capacity)
{
    if (w->state.status != WORKSHOP_UNSCHEDULED)
        return esk_domain_error(WORKSHOP_ALREADY_SCHEDULED,
                                "workshop '%s' is already scheduled",
                                w->base.id);
    if (capacity < 1 || capacity > MAX_SEATS)
        return esk_domain_error(INVALID_CAPACITY,
                                "a workshop has 1 to %d seats, not %lld",
                                MAX_SEATS, (long long)capacity);

    workshop_scheduled e = {.capacity = capacity};
    copy_text(e.workshop_id, sizeof(e.workshop_id), w->base.id);
    copy_text(e.title, sizeof(e.title), title);
    copy_text(e.starts_on, sizeof(e.starts_on), starts_on);
    return esk_aggregate_raise(w, &workshop_scheduled_type, &e);
}

/*
 * Register an attendee: a seat if one is free, else a place at the end of
 * the waitlist. A full workshop is not a refusal: it is another fact.
 *
 * Refuse with:
 *   WORKSHOP_NOT_SCHEDULED  the workshop is not scheduled
 *   REGISTRATION_IS_CLOSED  registration is closed
 *   ALREADY_REGISTERED      the attendee has a seat, or is waiting
 *   WAITLIST_IS_FULL        no seat is free and MAX_WAITING people wait
 * Else raise AttendeeRegistered (v3: the form's names, e-mail and ticket)
 * when a seat is free, AttendeeWaitlisted (still v1: one name) when none
 * is.
 */
esk_status workshop_register(workshop *w, const registration_form *form)
{
    const workshop_state *s = &w->state;

    esk_status rc = refuse_unless_open(w);
    if (rc != ESK_OK)
        return rc;
    if (workshop_is_seated(s, form->attendee_id) ||
        workshop_is_waiting(s, form->attendee_id))
        return esk_domain_error(ALREADY_REGISTERED,
                                "'%s' is already registered for workshop "
                                "'%s'",
                                form->attendee_id, w->base.id);

    if (workshop_free_seats(s) > 0) {
        attendee_registered e = {0};
        copy_text(e.workshop_id, sizeof(e.workshop_id), w->base.id);
        copy_text(e.attendee_id, sizeof(e.attendee_id), form->attendee_id);
        copy_text(e.first_name, sizeof(e.first_name), form->first_name);
        copy_text(e.last_name, sizeof(e.last_name), form->last_name);
        copy_text(e.email, sizeof(e.email), form->email);
        copy_text(e.ticket, sizeof(e.ticket), form->ticket);
        return esk_aggregate_raise(w, &attendee_registered_type, &e);
    }
    if (s->waitlist_count >= MAX_WAITING)
        return esk_domain_error(WAITLIST_IS_FULL,
                                "workshop '%s' is full, and so is its "
                                "waitlist",
                                w->base.id);
    /* AttendeeWaitlisted kept its one name: join the two. */
    attendee_waitlisted e = {0};
    copy_text(e.workshop_id, sizeof(e.workshop_id), w->base.id);
    copy_text(e.attendee_id, sizeof(e.attendee_id), form->attendee_id);
    snprintf(e.name, sizeof(e.name), "%s%s%s", form->first_name,
             form->last_name[0] != '\0' ? " " : "", form->last_name);
    return esk_aggregate_raise(w, &attendee_waitlisted_type, &e);
}

/*
 * Cancel a registration: the attendee gives up their seat or their place
 * on the waitlist. Cancelling is allowed after registration has closed.
 * The freed seat is not given away here: that is a command of its own,
 * workshop_promote_from_waitlist().
 *
 * Refuse with:
 *   NOT_REGISTERED  attendee_id neither has a seat nor is waiting
 * Else raise RegistrationCancelled: workshopId, attendeeId, and
 * wasWaitlisted true when the attendee was waiting, false when seated.
 */
esk_status workshop_cancel(workshop *w, const char *attendee_id)
{
    bool waiting = workshop_is_waiting(&w->state, attendee_id);
    if (!waiting && !workshop_is_seated(&w->state, attendee_id))
        return esk_domain_error(NOT_REGISTERED,
                                "'%s' is not registered for workshop '%s'",
                                attendee_id, w->base.id);

    registration_cancelled e = {.was_waitlisted = waiting};
    copy_text(e.workshop_id, sizeof(e.workshop_id), w->base.id);
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee_id);
    return esk_aggregate_raise(w, &registration_cancelled_type, &e);
}

/*
 * Give the free seat to whoever waited longest. Written for you: it is the
 * model of the other behaviours.
 *
 * Refuse with:
 *   NOBODY_WAITING  the waitlist is empty
 *   NO_FREE_SEAT    every seat is taken
 * Else raise WaitlistedAttendeePromoted for waitlist[0].
 */
esk_status workshop_promote_from_waitlist(workshop *w)
{
    const workshop_state *s = &w->state; /* read, never written */

    /* 1. Check everything... */
    if (s->waitlist_count == 0)
        return esk_domain_error(
            NOBODY_WAITING, "nobody is waiting for workshop '%s'", w->base.id);
    if (workshop_free_seats(s) <= 0)
        return esk_domain_error(
            NO_FREE_SEAT, "workshop '%s' has no free seat to give", w->base.id);

    /* 2. ...then raise. esk_aggregate_raise applies the event to the
     * state with evolve (the attendee moves from the waitlist to a seat)
     * and keeps it, to be saved. */
    waitlisted_attendee_promoted e = {0};
    copy_text(e.workshop_id, sizeof(e.workshop_id), w->base.id);
    copy_text(e.attendee_id, sizeof(e.attendee_id), s->waitlist[0]);
    return esk_aggregate_raise(w, &waitlisted_attendee_promoted_type, &e);
}

/*
 * Close registration, for a reason ("trainer", "deadline").
 *
 * Refuse with:
 *   WORKSHOP_NOT_SCHEDULED  the workshop is not scheduled
 *   REGISTRATION_IS_CLOSED  it is closed already
 * Else raise RegistrationClosed: workshopId and the reason.
 */
esk_status workshop_close(workshop *w, const char *reason)
{
    esk_status rc = refuse_unless_open(w);
    if (rc != ESK_OK)
        return rc;

    registration_closed e = {0};
    copy_text(e.workshop_id, sizeof(e.workshop_id), w->base.id);
    copy_text(e.reason, sizeof(e.reason), reason);
    return esk_aggregate_raise(w, &registration_closed_type, &e);
}
