/*
 * story.h - words for telling the workshop's specs as stories.
 *
 * Each word is one call of esk/testing.h with the details filled in: the
 * workshop is "w-1", and an attendee's name is their id ("ada"), since
 * the rules are about seats, not names. So a spec reads as the rule it
 * pins down:
 *
 *   given_scheduled(s, 1);          given   WorkshopScheduled, 1 seat
 *   given_registered(s, "ada");             AttendeeRegistered ada
 *   when_register(s, "bob");        when    RegisterAttendee bob
 *   then_waitlisted(s, "bob");      then    AttendeeWaitlisted bob
 *   hint(s, "A full workshop puts the next attendee on the waitlist.");
 *
 * The words cover what the waitlist's rules need; for anything else, call
 * esk_spec_given / esk_spec_then... on s->spec yourself.
 */
#ifndef STORY_H
#define STORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <esk/testing.h>

#include "workshop.h"

/* A spec being told, and the command of its when. */
typedef struct story {
    /* The spec of the reference decider, created before your function is
     * called and run after it returns. */
    esk_spec *spec;
    /* Where the when_ words keep the command: esk_spec_when borrows it
     * until the spec is run, so it lives here rather than on the stack of
     * your function. */
    workshop_command command;
} story;

/* --- given: the past, in order -------------------------------------------- */

/* WorkshopScheduled with this many seats. Every story starts here. */
void given_scheduled(story *s, int64_t capacity);
/* AttendeeRegistered: attendee_id took a seat. */
void given_registered(story *s, const char *attendee_id);
/* AttendeeWaitlisted: attendee_id joined the end of the waitlist. */
void given_waitlisted(story *s, const char *attendee_id);
/* RegistrationCancelled: attendee_id left their seat (was_waitlisted
 * false) or their place in line (true). */
void given_cancelled(story *s, const char *attendee_id, bool was_waitlisted);
/* WaitlistedAttendeePromoted: attendee_id moved from the line to a seat. */
void given_promoted(story *s, const char *attendee_id);
/* RegistrationClosed, by the trainer. */
void given_closed(story *s);

/* --- when: the one command ------------------------------------------------ */

void when_register(story *s, const char *attendee_id);
void when_cancel(story *s, const char *attendee_id);
void when_promote(story *s);
void when_close(story *s);

/* --- then: the outcome ---------------------------------------------------- */

/* Expect these events, in order (one call per event). */
void then_registered(story *s, const char *attendee_id);
void then_waitlisted(story *s, const char *attendee_id);
void then_cancelled(story *s, const char *attendee_id, bool was_waitlisted);
void then_promoted(story *s, const char *attendee_id);
/* Expect the command to be refused with this workshop_error. */
void then_refused(story *s, int error);
/* Expect the command to be accepted with no event. */
void then_nothing(story *s);

/* What the rule is for, printed when the spec fails. */
void hint(story *s, const char *text);

/* --- Your specs ----------------------------------------------------------- */

/* A spec as specs.c lists it: a sentence, and the function that tells it. */
typedef struct written_spec {
    const char *name;
    void (*tell)(story *s);
} written_spec;

/* In specs.c: the specs you wrote, and how many. */
extern const written_spec your_specs[];
extern const size_t your_spec_count;

#endif
