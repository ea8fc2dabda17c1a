/*
 * mutants.c - six bugs that a workshop decider could plausibly have.
 *
 * Try not to read this file before your specs catch every mutant: the
 * exercise is finding, from the rules alone, the stories that tell a
 * right decider from a wrong one.
 *
 * Each mutant changes one thing and leaves the rest to the reference, so
 * that a spec fails against it only if it tells the story where that
 * thing matters. The reference is never changed: the mutants see the
 * state through a copy, or write their one event themselves.
 */
#include <string.h>

#include "mutants.h"
#include "workshop.h"

static const workshop_command *as_command(const void *command)
{
    return command;
}

/* --- The bugs ------------------------------------------------------------- */

/* Off by one: `seated <= capacity` where `seated < capacity` was meant. */
static esk_status seats_one_too_many(const void *state, const void *command,
                                     esk_decision *decision)
{
    if (as_command(command)->kind != REGISTER_ATTENDEE)
        return workshop_decide(state, command, decision);
    workshop_state seen = *(const workshop_state *)state;
    seen.capacity++;
    return workshop_decide(&seen, command, decision);
}

/* Promotes from the wrong end of the line: as if the waitlist were a
 * stack. Caught only by a story with two or more people waiting. */
static esk_status promotes_the_last_in_line(const void *state,
                                            const void *command,
                                            esk_decision *decision)
{
    if (as_command(command)->kind != PROMOTE_FROM_WAITLIST)
        return workshop_decide(state, command, decision);
    workshop_state seen = *(const workshop_state *)state;
    for (size_t i = 0, j = seen.waitlist_count; i + 1 < j; i++, j--) {
        char id[ID_SIZE];
        memcpy(id, seen.waitlist[i], ID_SIZE);
        memcpy(seen.waitlist[i], seen.waitlist[j - 1], ID_SIZE);
        memcpy(seen.waitlist[j - 1], id, ID_SIZE);
    }
    return workshop_decide(&seen, command, decision);
}

/* Cancels without asking which list the attendee was on. */
static esk_status says_a_waiter_had_a_seat(const void *state,
                                           const void *command,
                                           esk_decision *decision)
{
    const workshop_state *s = state;
    const workshop_command *c = command;
    if (c->kind != CANCEL_REGISTRATION ||
        !workshop_is_waiting(s, c->attendee_id))
        return workshop_decide(state, command, decision);
    registration_cancelled e = {.was_waitlisted = false};
    memcpy(e.workshop_id, c->workshop_id, sizeof(e.workshop_id));
    memcpy(e.attendee_id, c->attendee_id, sizeof(e.attendee_id));
    return esk_decision_emit(decision, &registration_cancelled_type, &e);
}

/* A model that counts free seats and adds one on every cancellation,
 * waiters' included. Here the extra seat shows as one more of capacity:
 * the same free seats, seen from outside. */
static void frees_a_seat_when_a_waiter_cancels(void *state,
                                               const esk_event_type *type,
                                               const void *event)
{
    workshop_evolve(state, type, event);
    if (type == &registration_cancelled_type &&
        ((const registration_cancelled *)event)->was_waitlisted)
        ((workshop_state *)state)->capacity++;
}

/* Checks for duplicates among the seated only. */
static esk_status lets_a_waiter_register_again(const void *state,
                                               const void *command,
                                               esk_decision *decision)
{
    const workshop_state *s = state;
    const workshop_command *c = command;
    if (c->kind != REGISTER_ATTENDEE || !workshop_is_waiting(s, c->attendee_id))
        return workshop_decide(state, command, decision);
    workshop_state seen = *s;
    seen.waitlist_count = 0; /* the check never looks at the line */
    return workshop_decide(&seen, command, decision);
}

/* Promotes whenever someone waits, seat or no seat. */
static esk_status promotes_without_a_free_seat(const void *state,
                                               const void *command,
                                               esk_decision *decision)
{
    const workshop_state *s = state;
    const workshop_command *c = command;
    if (c->kind != PROMOTE_FROM_WAITLIST || s->waitlist_count == 0 ||
        workshop_free_seats(s) > 0)
        return workshop_decide(state, command, decision);
    waitlisted_attendee_promoted e = {0};
    memcpy(e.workshop_id, c->workshop_id, sizeof(e.workshop_id));
    memcpy(e.attendee_id, s->waitlist[0], sizeof(e.attendee_id));
    return esk_decision_emit(decision, &waitlisted_attendee_promoted_type, &e);
}

/* --- The list ------------------------------------------------------------- */

const mutant mutants[] = {
    {"seats one attendee too many",
     "A workshop seats exactly its capacity: once every seat is taken, the "
     "next attendee goes on the waitlist.",
     seats_one_too_many, NULL},
    {"promotes the last in line",
     "When a seat is free and several people wait, the one who has waited "
     "longest is promoted.",
     promotes_the_last_in_line, NULL},
    {"says a waiter had a seat",
     "When someone on the waitlist cancels, the cancellation says so "
     "(wasWaitlisted: true).",
     says_a_waiter_had_a_seat, NULL},
    {"frees a seat when a waiter cancels",
     "Someone leaving the waitlist frees no seat: a workshop that was full "
     "stays full.",
     NULL, frees_a_seat_when_a_waiter_cancels},
    {"lets a waiter register again",
     "Someone on the waitlist who registers again is refused "
     "(ALREADY_REGISTERED): nobody waits in line twice.",
     lets_a_waiter_register_again, NULL},
    {"promotes without a free seat",
     "Nobody is promoted while every seat is taken (NO_FREE_SEAT), however "
     "many people wait.",
     promotes_without_a_free_seat, NULL},
};
const size_t mutant_count = sizeof(mutants) / sizeof(mutants[0]);

esk_decider mutant_decider(const mutant *m)
{
    esk_decider d = workshop_decider;
    d.name = "Workshop (a mutant)";
    if (m->decide != NULL)
        d.decide = m->decide;
    if (m->evolve != NULL)
        d.evolve = m->evolve;
    return d;
}
