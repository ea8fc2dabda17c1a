/*
 * specs.c - the waitlist's rules, told as stories.
 *
 * Each story is the smallest past in which its rule decides the outcome:
 * one seat, so that "full" takes one registration; two waiters wherever
 * the order of the line matters, since with one nobody can tell first
 * from last.
 */
#include "story.h"

static void a_full_workshop_waitlists_the_next_attendee(story *s)
{
    given_scheduled(s, 1);
    given_registered(s, "ada");
    when_register(s, "bob");
    then_waitlisted(s, "bob");
    hint(s, "A workshop seats exactly its capacity: the attendee after the "
            "last seat waits.");
}

static void a_freed_seat_goes_to_whoever_waited_longest(story *s)
{
    given_scheduled(s, 1);
    given_registered(s, "ada");
    given_waitlisted(s, "bob");
    given_waitlisted(s, "cleo");
    given_cancelled(s, "ada", false);
    when_promote(s);
    then_promoted(s, "bob");
    hint(s, "First come, first served: bob joined the line before cleo.");
}

static void a_waiter_who_cancels_is_known_to_have_waited(story *s)
{
    given_scheduled(s, 1);
    given_registered(s, "ada");
    given_waitlisted(s, "bob");
    when_cancel(s, "bob");
    then_cancelled(s, "bob", true);
    hint(s, "wasWaitlisted tells every reader whether a seat was freed: bob "
            "had none.");
}

static void a_waiter_who_cancels_frees_no_seat(story *s)
{
    given_scheduled(s, 1);
    given_registered(s, "ada");
    given_waitlisted(s, "bob");
    given_cancelled(s, "bob", true);
    when_register(s, "cleo");
    then_waitlisted(s, "cleo");
    hint(s, "bob left the line, not a seat: ada still has the only one, so "
            "cleo waits.");
}

static void a_waiter_cannot_register_again(story *s)
{
    given_scheduled(s, 1);
    given_registered(s, "ada");
    given_waitlisted(s, "bob");
    when_register(s, "bob");
    then_refused(s, ALREADY_REGISTERED);
    hint(s, "A place in line is a registration: nobody waits twice.");
}

static void nobody_is_promoted_while_every_seat_is_taken(story *s)
{
    given_scheduled(s, 1);
    given_registered(s, "ada");
    given_waitlisted(s, "bob");
    when_promote(s);
    then_refused(s, NO_FREE_SEAT);
    hint(s, "Someone waits, but ada still has the only seat: a promotion "
            "needs a free one.");
}

const written_spec your_specs[] = {
    {"a full workshop waitlists the next attendee",
     a_full_workshop_waitlists_the_next_attendee},
    {"a freed seat goes to whoever waited longest",
     a_freed_seat_goes_to_whoever_waited_longest},
    {"a waiter who cancels is known to have waited",
     a_waiter_who_cancels_is_known_to_have_waited},
    {"a waiter who cancels frees no seat", a_waiter_who_cancels_frees_no_seat},
    {"a waiter cannot register again", a_waiter_cannot_register_again},
    {"nobody is promoted while every seat is taken",
     nobody_is_promoted_while_every_seat_is_taken},
};
const size_t your_spec_count = sizeof(your_specs) / sizeof(your_specs[0]);
