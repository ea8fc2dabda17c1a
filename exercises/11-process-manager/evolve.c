/*
 * evolve.c - a workshop's state, rebuilt from its events. Provided:
 * exercise 02's answer, and the two events of payments.
 *
 * A variant of ../domain/evolve.c, on purpose: exercise 11 adds payments
 * (RegistrationPaid, RegistrationLapsed, the commands and the state that
 * lead to them), which the exercises before it must not see.
 *
 * evolve answers one question: given the state so far and one more event,
 * what is the state now? Folding a stream is calling it once per event,
 * in order, from the zero state (workshop_fold() in state.c does that).
 */
#include "state.h"

void workshop_evolve(void *state, const esk_event_type *type, const void *event)
{
    workshop_state *s = state;

    if (type == &workshop_scheduled_type) {
        const workshop_scheduled *e = event;
        s->status = WORKSHOP_OPEN;
        s->capacity = e->capacity;
    } else if (type == &attendee_registered_type) {
        /* No check against the capacity: the decision was taken before
         * the event was recorded, and the event is the truth. */
        const attendee_registered *e = event;
        id_list_add(s->seated, &s->seated_count, MAX_SEATS, e->attendee_id);
    } else if (type == &attendee_waitlisted_type) {
        const attendee_waitlisted *e = event;
        id_list_add(s->waitlist, &s->waitlist_count, MAX_WAITING,
                    e->attendee_id);
    } else if (type == &registration_cancelled_type) {
        /* The event says which list the attendee leaves: that is what
         * wasWaitlisted is for. Someone on neither list leaves nothing. */
        const registration_cancelled *e = event;
        if (e->was_waitlisted) {
            id_list_remove(s->waitlist, &s->waitlist_count, e->attendee_id);
        } else {
            id_list_remove(s->seated, &s->seated_count, e->attendee_id);
            id_list_remove(s->paid, &s->paid_count, e->attendee_id);
        }
    } else if (type == &waitlisted_attendee_promoted_type) {
        const waitlisted_attendee_promoted *e = event;
        id_list_remove(s->waitlist, &s->waitlist_count, e->attendee_id);
        id_list_add(s->seated, &s->seated_count, MAX_SEATS, e->attendee_id);
    } else if (type == &registration_closed_type) {
        s->status = WORKSHOP_CLOSED;
    } else if (type == &registration_paid_type) {
        const registration_paid *e = event;
        id_list_add(s->paid, &s->paid_count, MAX_SEATS, e->attendee_id);
    } else if (type == &registration_lapsed_type) {
        /* Only an unpaid seat lapses: there is no payment to forget. */
        const registration_lapsed *e = event;
        id_list_remove(s->seated, &s->seated_count, e->attendee_id);
    }
    /* Any other type is news to this workshop: an event added later, or
     * one meant for someone else. It changes nothing here. */
}
