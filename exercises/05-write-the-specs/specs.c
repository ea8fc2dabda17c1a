/*
 * specs.c - the waitlist's rules, told as stories. YOU EDIT THIS FILE.
 *
 * Write one function per story, with the words of story.h:
 *
 *   static void a_full_workshop_waitlists_the_next_attendee(story *s)
 *   {
 *       given_scheduled(s, ...);      the past: what happened, in order
 *       ...
 *       when_register(s, ...);        the one command
 *       then_waitlisted(s, ...);      what must happen (or then_refused)
 *       hint(s, "...");               why, for whoever breaks it one day
 *   }
 *
 * and list it in your_specs below. Each spec is run against the reference
 * decider, where it must pass, and against six mutants, each with one
 * bug: a mutant is caught when one of your specs fails against it.
 */
#include "exercise.h"
#include "story.h"

/*
 * Your first story: a workshop with one seat, which someone has taken.
 * When someone else registers, they go on the waitlist.
 */
static void a_full_workshop_waitlists_the_next_attendee(story *s)
{
    (void)s;
    (void)EXERCISE_TODO("a_full_workshop_waitlists_the_next_attendee");
}

/* The specs the grader runs: a sentence for the report, and the function
 * that tells the story. Add a line for each function you write. */
const written_spec your_specs[] = {
    {"a full workshop waitlists the next attendee",
     a_full_workshop_waitlists_the_next_attendee},
};
const size_t your_spec_count = sizeof(your_specs) / sizeof(your_specs[0]);
