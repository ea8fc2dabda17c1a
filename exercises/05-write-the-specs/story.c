/*
 * story.c - the words of story.h: each fills in an event or a command of
 * workshop "w-1" and makes one call of the test kit.
 */
#include "story.h"

#define WORKSHOP_ID "w-1"

/* --- given ---------------------------------------------------------------- */

void given_scheduled(story *s, int64_t capacity)
{
    workshop_scheduled e = {.workshop_id = WORKSHOP_ID,
                            .title = "Event Sourcing 101",
                            .starts_on = "2026-12-01",
                            .capacity = capacity};
    esk_spec_given(s->spec, &workshop_scheduled_type, &e);
}

void given_registered(story *s, const char *attendee_id)
{
    attendee_registered e = {.workshop_id = WORKSHOP_ID};
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee_id);
    copy_text(e.name, sizeof(e.name), attendee_id);
    esk_spec_given(s->spec, &attendee_registered_type, &e);
}

void given_waitlisted(story *s, const char *attendee_id)
{
    attendee_waitlisted e = {.workshop_id = WORKSHOP_ID};
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee_id);
    copy_text(e.name, sizeof(e.name), attendee_id);
    esk_spec_given(s->spec, &attendee_waitlisted_type, &e);
}

void given_cancelled(story *s, const char *attendee_id, bool was_waitlisted)
{
    registration_cancelled e = {.workshop_id = WORKSHOP_ID,
                                .was_waitlisted = was_waitlisted};
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee_id);
    esk_spec_given(s->spec, &registration_cancelled_type, &e);
}

void given_promoted(story *s, const char *attendee_id)
{
    waitlisted_attendee_promoted e = {.workshop_id = WORKSHOP_ID};
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee_id);
    esk_spec_given(s->spec, &waitlisted_attendee_promoted_type, &e);
}

void given_closed(story *s)
{
    registration_closed e = {.workshop_id = WORKSHOP_ID, .reason = "trainer"};
    esk_spec_given(s->spec, &registration_closed_type, &e);
}

/* --- when ----------------------------------------------------------------- */

/* The command lives in the story: the spec keeps a pointer to it. */
static void when(story *s, const workshop_command *command)
{
    s->command = *command;
    esk_spec_when(s->spec, &s->command);
}

void when_register(story *s, const char *attendee_id)
{
    workshop_command c = {.kind = REGISTER_ATTENDEE,
                          .workshop_id = WORKSHOP_ID};
    copy_text(c.attendee_id, sizeof(c.attendee_id), attendee_id);
    copy_text(c.name, sizeof(c.name), attendee_id);
    when(s, &c);
}

void when_cancel(story *s, const char *attendee_id)
{
    workshop_command c = {.kind = CANCEL_REGISTRATION,
                          .workshop_id = WORKSHOP_ID};
    copy_text(c.attendee_id, sizeof(c.attendee_id), attendee_id);
    when(s, &c);
}

void when_promote(story *s)
{
    when(s, &(workshop_command){.kind = PROMOTE_FROM_WAITLIST,
                                .workshop_id = WORKSHOP_ID});
}

void when_close(story *s)
{
    when(s, &(workshop_command){.kind = CLOSE_REGISTRATION,
                                .workshop_id = WORKSHOP_ID,
                                .reason = "trainer"});
}

/* --- then ----------------------------------------------------------------- */

void then_registered(story *s, const char *attendee_id)
{
    attendee_registered e = {.workshop_id = WORKSHOP_ID};
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee_id);
    copy_text(e.name, sizeof(e.name), attendee_id);
    esk_spec_then(s->spec, &attendee_registered_type, &e);
}

void then_waitlisted(story *s, const char *attendee_id)
{
    attendee_waitlisted e = {.workshop_id = WORKSHOP_ID};
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee_id);
    copy_text(e.name, sizeof(e.name), attendee_id);
    esk_spec_then(s->spec, &attendee_waitlisted_type, &e);
}

void then_cancelled(story *s, const char *attendee_id, bool was_waitlisted)
{
    registration_cancelled e = {.workshop_id = WORKSHOP_ID,
                                .was_waitlisted = was_waitlisted};
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee_id);
    esk_spec_then(s->spec, &registration_cancelled_type, &e);
}

void then_promoted(story *s, const char *attendee_id)
{
    waitlisted_attendee_promoted e = {.workshop_id = WORKSHOP_ID};
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee_id);
    esk_spec_then(s->spec, &waitlisted_attendee_promoted_type, &e);
}

void then_refused(story *s, int error)
{
    esk_spec_then_error(s->spec, error);
}

void then_nothing(story *s)
{
    esk_spec_then_nothing(s->spec);
}

void hint(story *s, const char *text)
{
    esk_spec_hint(s->spec, text);
}
