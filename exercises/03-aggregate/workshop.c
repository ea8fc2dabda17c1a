/*
 * workshop.c - the workshop's behaviours: its rules, one command each.
 * YOU EDIT THIS FILE.
 *
 * Every behaviour has the same two halves:
 *
 *   1. check everything: read the state, and at the first rule the
 *      command breaks, refuse it with esk_domain_error(), which leaves
 *      the code and the message in the last error;
 *   2. then raise: fill the event and give it to esk_aggregate_raise(),
 *      which applies it to the state (with evolve) and keeps it, to be
 *      saved.
 *
 * No behaviour writes the state: it changes only through events, so that
 * it is always the state the stream will rebuild.
 * workshop_promote_from_waitlist(), at the end, is written: copy its
 * shape.
 */
#include "workshop.h"
#include "exercise.h"

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
    (void)w;
    (void)title;
    (void)starts_on;
    (void)capacity;
    return EXERCISE_TODO("workshop_schedule");
}

/*
 * Register an attendee: a seat if one is free, else a place at the end of
 * the waitlist. A full workshop is not a refusal: it is another fact.
 *
 * Refuse with:
 *   WORKSHOP_NOT_SCHEDULED  the workshop is not scheduled
 *   REGISTRATION_IS_CLOSED  registration is closed
 *   ALREADY_REGISTERED      attendee_id has a seat, or is waiting
 *   WAITLIST_IS_FULL        no seat is free and MAX_WAITING people wait
 * Else raise AttendeeRegistered when a seat is free
 * (workshop_free_seats() > 0), AttendeeWaitlisted when none is: each with
 * workshopId w->base.id, attendeeId and name.
 */
esk_status workshop_register(workshop *w, const char *attendee_id,
                             const char *name)
{
    (void)w;
    (void)attendee_id;
    (void)name;
    return EXERCISE_TODO("workshop_register");
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
    (void)w;
    (void)attendee_id;
    return EXERCISE_TODO("workshop_cancel");
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
    (void)w;
    (void)reason;
    return EXERCISE_TODO("workshop_close");
}
