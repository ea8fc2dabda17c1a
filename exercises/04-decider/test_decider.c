/*
 * test_decider.c - the workshop's rules, told as stories.
 *
 * Each test is a spec: given the events that happened, when a command
 * arrives, then these events happen, or the command is refused with this
 * error, or nothing happens. No store is involved: decide() is a pure
 * function, so a story is all a test needs. Only the last test runs the
 * decider on a store, the way an application does.
 */
#include <stdio.h>
#include <string.h>

#include <esk/testing.h>

#include "exercise.h"
#include "workshop.h"

/* --- The past: events every story starts from ----------------------------- */

static void given_scheduled(esk_spec *spec, int64_t capacity)
{
    esk_spec_given(spec, &workshop_scheduled_type,
                   &(workshop_scheduled){.workshop_id = "w-1",
                                         .title = "Event Sourcing 101",
                                         .starts_on = "2026-12-01",
                                         .capacity = capacity});
}

static void given_registered(esk_spec *spec, const char *attendee_id,
                             const char *name)
{
    attendee_registered e = {.workshop_id = "w-1"};
    snprintf(e.attendee_id, sizeof(e.attendee_id), "%s", attendee_id);
    snprintf(e.name, sizeof(e.name), "%s", name);
    esk_spec_given(spec, &attendee_registered_type, &e);
}

static void given_waitlisted(esk_spec *spec, const char *attendee_id,
                             const char *name)
{
    attendee_waitlisted e = {.workshop_id = "w-1"};
    snprintf(e.attendee_id, sizeof(e.attendee_id), "%s", attendee_id);
    snprintf(e.name, sizeof(e.name), "%s", name);
    esk_spec_given(spec, &attendee_waitlisted_type, &e);
}

static void given_cancelled(esk_spec *spec, const char *attendee_id,
                            bool was_waitlisted)
{
    registration_cancelled e = {.workshop_id = "w-1",
                                .was_waitlisted = was_waitlisted};
    snprintf(e.attendee_id, sizeof(e.attendee_id), "%s", attendee_id);
    esk_spec_given(spec, &registration_cancelled_type, &e);
}

static void given_closed(esk_spec *spec)
{
    esk_spec_given(
        spec, &registration_closed_type,
        &(registration_closed){.workshop_id = "w-1", .reason = "trainer"});
}

/* --- ScheduleWorkshop ----------------------------------------------------- */

static void scheduling_puts_the_workshop_on_the_calendar(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_when(spec, &(workshop_command){.kind = SCHEDULE_WORKSHOP,
                                            .workshop_id = "w-1",
                                            .title = "Event Sourcing 101",
                                            .starts_on = "2026-12-01",
                                            .capacity = 12});
    esk_spec_then(spec, &workshop_scheduled_type,
                  &(workshop_scheduled){.workshop_id = "w-1",
                                        .title = "Event Sourcing 101",
                                        .starts_on = "2026-12-01",
                                        .capacity = 12});
    esk_spec_hint(spec,
                  "ScheduleWorkshop, with no past: emit WorkshopScheduled with "
                  "the command's id, title, date and capacity. Start "
                  "workshop_decide() with a switch on c->kind.");
    ESK_SPEC_CHECK(spec);
}

static void a_workshop_cannot_be_scheduled_twice(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 12);
    esk_spec_when(spec, &(workshop_command){.kind = SCHEDULE_WORKSHOP,
                                            .workshop_id = "w-1",
                                            .title = "Event Sourcing 102",
                                            .starts_on = "2026-12-02",
                                            .capacity = 20});
    esk_spec_then_error(spec, WORKSHOP_ALREADY_SCHEDULED);
    esk_spec_hint(
        spec,
        "ScheduleWorkshop again: the state remembers that it was scheduled "
        "(s->status), so refuse with WORKSHOP_ALREADY_SCHEDULED.");
    ESK_SPEC_CHECK(spec);
    spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 12);
    given_closed(spec);
    esk_spec_when(spec, &(workshop_command){.kind = SCHEDULE_WORKSHOP,
                                            .workshop_id = "w-1",
                                            .title = "Event Sourcing 102",
                                            .starts_on = "2026-12-02",
                                            .capacity = 20});
    esk_spec_then_error(spec, WORKSHOP_ALREADY_SCHEDULED);
    esk_spec_hint(spec, "ScheduleWorkshop of a closed workshop: closed is "
                        "still scheduled. Refuse whenever s->status is not "
                        "WORKSHOP_UNSCHEDULED, closed included.");
    ESK_SPEC_CHECK(spec);
}

static void a_workshop_without_seats_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_when(spec, &(workshop_command){.kind = SCHEDULE_WORKSHOP,
                                            .workshop_id = "w-1",
                                            .title = "Event Sourcing 101",
                                            .starts_on = "2026-12-01",
                                            .capacity = 0});
    esk_spec_then_error(spec, INVALID_CAPACITY);
    esk_spec_hint(spec,
                  "ScheduleWorkshop with capacity 0: a capacity is 1 to "
                  "MAX_SEATS, so refuse anything else with INVALID_CAPACITY.");
    ESK_SPEC_CHECK(spec);
}

static void a_capacity_above_max_seats_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_when(spec, &(workshop_command){.kind = SCHEDULE_WORKSHOP,
                                            .workshop_id = "w-1",
                                            .title = "Event Sourcing 101",
                                            .starts_on = "2026-12-01",
                                            .capacity = MAX_SEATS + 1});
    esk_spec_then_error(spec, INVALID_CAPACITY);
    esk_spec_hint(spec, "ScheduleWorkshop with MAX_SEATS + 1 seats: the "
                        "state holds MAX_SEATS seated at most, so a bigger "
                        "workshop would lose attendees. Refuse it with "
                        "INVALID_CAPACITY.");
    ESK_SPEC_CHECK(spec);
}

static void a_capacity_of_1_or_max_seats_is_accepted(void **state)
{
    (void)state;
    const int64_t bounds[] = {1, MAX_SEATS};
    for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
        esk_spec *spec = esk_spec_decider(&workshop_decider);
        esk_spec_when(spec, &(workshop_command){.kind = SCHEDULE_WORKSHOP,
                                                .workshop_id = "w-1",
                                                .title = "Event Sourcing 101",
                                                .starts_on = "2026-12-01",
                                                .capacity = bounds[i]});
        esk_spec_then(spec, &workshop_scheduled_type,
                      &(workshop_scheduled){.workshop_id = "w-1",
                                            .title = "Event Sourcing 101",
                                            .starts_on = "2026-12-01",
                                            .capacity = bounds[i]});
        char hint[256];
        snprintf(hint, sizeof(hint),
                 "ScheduleWorkshop with %lld seats: 1 and MAX_SEATS (%d) "
                 "are on the edge, not outside it. Refuse below 1 or above "
                 "MAX_SEATS (< and >, not <= or >=).",
                 (long long)bounds[i], MAX_SEATS);
        esk_spec_hint(spec, hint);
        ESK_SPEC_CHECK(spec);
    }
}

/* --- RegisterAttendee ----------------------------------------------------- */

static void registering_for_an_unscheduled_workshop_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_when(spec, &(workshop_command){.kind = REGISTER_ATTENDEE,
                                            .workshop_id = "w-1",
                                            .attendee_id = "ada",
                                            .name = "Ada Lovelace"});
    esk_spec_then_error(spec, WORKSHOP_NOT_SCHEDULED);
    esk_spec_hint(
        spec,
        "RegisterAttendee ada, with no WorkshopScheduled in the past: there is "
        "nothing to register for. Refuse with WORKSHOP_NOT_SCHEDULED.");
    ESK_SPEC_CHECK(spec);
}

static void a_free_seat_goes_to_whoever_registers(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 2);
    given_registered(spec, "ada", "Ada Lovelace");
    esk_spec_when(spec, &(workshop_command){.kind = REGISTER_ATTENDEE,
                                            .workshop_id = "w-1",
                                            .attendee_id = "bob",
                                            .name = "Bob"});
    esk_spec_then(spec, &attendee_registered_type,
                  &(attendee_registered){.workshop_id = "w-1",
                                         .attendee_id = "bob",
                                         .name = "Bob"});
    esk_spec_hint(
        spec,
        "RegisterAttendee bob, one of two seats taken: bob gets the other one "
        "(AttendeeRegistered). workshop_free_seats(s) counts the seats left.");
    ESK_SPEC_CHECK(spec);
}

static void when_every_seat_is_taken_the_next_attendee_waits(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 1);
    given_registered(spec, "ada", "Ada Lovelace");
    esk_spec_when(spec, &(workshop_command){.kind = REGISTER_ATTENDEE,
                                            .workshop_id = "w-1",
                                            .attendee_id = "bob",
                                            .name = "Bob"});
    esk_spec_then(spec, &attendee_waitlisted_type,
                  &(attendee_waitlisted){.workshop_id = "w-1",
                                         .attendee_id = "bob",
                                         .name = "Bob"});
    esk_spec_hint(
        spec,
        "RegisterAttendee bob, ada has the only seat: a full workshop does not "
        "refuse, it puts bob on the waitlist (AttendeeWaitlisted).");
    ESK_SPEC_CHECK(spec);
}

static void registering_twice_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 2);
    given_registered(spec, "ada", "Ada Lovelace");
    esk_spec_when(spec, &(workshop_command){.kind = REGISTER_ATTENDEE,
                                            .workshop_id = "w-1",
                                            .attendee_id = "ada",
                                            .name = "Ada Lovelace"});
    esk_spec_then_error(spec, ALREADY_REGISTERED);
    esk_spec_hint(spec, "RegisterAttendee ada again: she has a seat already "
                        "(workshop_is_seated), so refuse with "
                        "ALREADY_REGISTERED rather than seat her twice.");
    ESK_SPEC_CHECK(spec);
}

static void registering_again_while_waiting_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 1);
    given_registered(spec, "ada", "Ada Lovelace");
    given_waitlisted(spec, "bob", "Bob");
    esk_spec_when(spec, &(workshop_command){.kind = REGISTER_ATTENDEE,
                                            .workshop_id = "w-1",
                                            .attendee_id = "bob",
                                            .name = "Bob"});
    esk_spec_then_error(spec, ALREADY_REGISTERED);
    esk_spec_hint(spec,
                  "RegisterAttendee bob again, while he waits: a place in line "
                  "counts as a registration (workshop_is_waiting), so refuse "
                  "with ALREADY_REGISTERED.");
    ESK_SPEC_CHECK(spec);
}

static void registering_after_closing_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 12);
    given_closed(spec);
    esk_spec_when(spec, &(workshop_command){.kind = REGISTER_ATTENDEE,
                                            .workshop_id = "w-1",
                                            .attendee_id = "ada",
                                            .name = "Ada Lovelace"});
    esk_spec_then_error(spec, REGISTRATION_IS_CLOSED);
    esk_spec_hint(spec, "RegisterAttendee ada after RegistrationClosed: seats "
                        "are free, but registration is closed (s->status), so "
                        "refuse with REGISTRATION_IS_CLOSED.");
    ESK_SPEC_CHECK(spec);
}

/* --- CancelRegistration --------------------------------------------------- */

static void cancelling_a_seat_says_it_was_not_waitlisted(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 2);
    given_registered(spec, "ada", "Ada Lovelace");
    esk_spec_when(spec, &(workshop_command){.kind = CANCEL_REGISTRATION,
                                            .workshop_id = "w-1",
                                            .attendee_id = "ada"});
    esk_spec_then(spec, &registration_cancelled_type,
                  &(registration_cancelled){.workshop_id = "w-1",
                                            .attendee_id = "ada",
                                            .was_waitlisted = false});
    esk_spec_hint(
        spec,
        "CancelRegistration ada, who has a seat: RegistrationCancelled with "
        "wasWaitlisted false tells every reader that a seat is free again.");
    ESK_SPEC_CHECK(spec);
}

static void cancelling_from_the_waitlist_says_so(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 1);
    given_registered(spec, "ada", "Ada Lovelace");
    given_waitlisted(spec, "bob", "Bob");
    esk_spec_when(spec, &(workshop_command){.kind = CANCEL_REGISTRATION,
                                            .workshop_id = "w-1",
                                            .attendee_id = "bob"});
    esk_spec_then(spec, &registration_cancelled_type,
                  &(registration_cancelled){.workshop_id = "w-1",
                                            .attendee_id = "bob",
                                            .was_waitlisted = true});
    esk_spec_hint(spec, "CancelRegistration bob, who waits: wasWaitlisted is "
                        "true, and no seat is freed.");
    ESK_SPEC_CHECK(spec);
}

static void cancelling_someone_not_registered_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 2);
    given_registered(spec, "ada", "Ada Lovelace");
    esk_spec_when(spec, &(workshop_command){.kind = CANCEL_REGISTRATION,
                                            .workshop_id = "w-1",
                                            .attendee_id = "eve"});
    esk_spec_then_error(spec, NOT_REGISTERED);
    esk_spec_hint(spec,
                  "CancelRegistration eve, neither seated nor waiting: there "
                  "is nothing to cancel, so refuse with NOT_REGISTERED.");
    ESK_SPEC_CHECK(spec);
}

/* --- PromoteFromWaitlist -------------------------------------------------- */

static void promotion_gives_the_free_seat_to_the_first_in_line(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 1);
    given_registered(spec, "ada", "Ada Lovelace");
    given_waitlisted(spec, "bob", "Bob");
    given_waitlisted(spec, "cleo", "Cleo");
    given_cancelled(spec, "ada", false);
    esk_spec_when(spec, &(workshop_command){.kind = PROMOTE_FROM_WAITLIST,
                                            .workshop_id = "w-1"});
    esk_spec_then(spec, &waitlisted_attendee_promoted_type,
                  &(waitlisted_attendee_promoted){.workshop_id = "w-1",
                                                  .attendee_id = "bob"});
    esk_spec_hint(spec, "PromoteFromWaitlist, ada's seat free, bob then cleo "
                        "waiting: the command names nobody, the state does "
                        "(s->waitlist[0] has waited longest).");
    ESK_SPEC_CHECK(spec);
}

static void promoting_with_nobody_waiting_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 2);
    given_registered(spec, "ada", "Ada Lovelace");
    esk_spec_when(spec, &(workshop_command){.kind = PROMOTE_FROM_WAITLIST,
                                            .workshop_id = "w-1"});
    esk_spec_then_error(spec, NOBODY_WAITING);
    esk_spec_hint(spec, "PromoteFromWaitlist, a seat free but nobody waiting: "
                        "refuse with NOBODY_WAITING.");
    ESK_SPEC_CHECK(spec);
}

static void
promoting_in_a_full_workshop_with_nobody_waiting_says_so(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 1);
    given_registered(spec, "ada", "Ada Lovelace");
    esk_spec_when(spec, &(workshop_command){.kind = PROMOTE_FROM_WAITLIST,
                                            .workshop_id = "w-1"});
    esk_spec_then_error(spec, NOBODY_WAITING);
    esk_spec_hint(spec, "PromoteFromWaitlist, ada on the only seat and "
                        "nobody waiting: both rules are broken, and the "
                        "first one checked answers. Check for waiters "
                        "first (NOBODY_WAITING), then for a seat.");
    ESK_SPEC_CHECK(spec);
}

static void promoting_without_a_free_seat_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 1);
    given_registered(spec, "ada", "Ada Lovelace");
    given_waitlisted(spec, "bob", "Bob");
    esk_spec_when(spec, &(workshop_command){.kind = PROMOTE_FROM_WAITLIST,
                                            .workshop_id = "w-1"});
    esk_spec_then_error(spec, NO_FREE_SEAT);
    esk_spec_hint(
        spec,
        "PromoteFromWaitlist, bob waiting but ada on the only seat: refuse "
        "with NO_FREE_SEAT (check for waiters first, then for a seat).");
    ESK_SPEC_CHECK(spec);
}

/* --- CloseRegistration ---------------------------------------------------- */

static void closing_stops_registration(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 12);
    esk_spec_when(spec, &(workshop_command){.kind = CLOSE_REGISTRATION,
                                            .workshop_id = "w-1",
                                            .reason = "trainer"});
    esk_spec_then(
        spec, &registration_closed_type,
        &(registration_closed){.workshop_id = "w-1", .reason = "trainer"});
    esk_spec_hint(spec, "CloseRegistration: emit RegistrationClosed with the "
                        "command's reason.");
    ESK_SPEC_CHECK(spec);
}

static void closing_twice_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 12);
    given_closed(spec);
    esk_spec_when(spec, &(workshop_command){.kind = CLOSE_REGISTRATION,
                                            .workshop_id = "w-1",
                                            .reason = "deadline"});
    esk_spec_then_error(spec, REGISTRATION_IS_CLOSED);
    esk_spec_hint(spec, "CloseRegistration of a closed workshop: refuse with "
                        "REGISTRATION_IS_CLOSED, the rule RegisterAttendee "
                        "checks too.");
    ESK_SPEC_CHECK(spec);
}

static void closing_an_unscheduled_workshop_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_when(spec, &(workshop_command){.kind = CLOSE_REGISTRATION,
                                            .workshop_id = "w-1",
                                            .reason = "trainer"});
    esk_spec_then_error(spec, WORKSHOP_NOT_SCHEDULED);
    esk_spec_hint(spec, "CloseRegistration with no past: there is no "
                        "workshop to close. Refuse with "
                        "WORKSHOP_NOT_SCHEDULED, as RegisterAttendee does: "
                        "the two commands share that rule.");
    ESK_SPEC_CHECK(spec);
}

static void cancelling_after_closing_is_still_allowed(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 2);
    given_registered(spec, "ada", "Ada Lovelace");
    given_closed(spec);
    esk_spec_when(spec, &(workshop_command){.kind = CANCEL_REGISTRATION,
                                            .workshop_id = "w-1",
                                            .attendee_id = "ada"});
    esk_spec_then(spec, &registration_cancelled_type,
                  &(registration_cancelled){.workshop_id = "w-1",
                                            .attendee_id = "ada",
                                            .was_waitlisted = false});
    esk_spec_hint(spec, "CancelRegistration ada after closing: closing stops "
                        "new registrations, not the lives of those registered. "
                        "Of the commands, only RegisterAttendee and "
                        "CloseRegistration care that it is closed.");
    ESK_SPEC_CHECK(spec);
}

static void a_seat_freed_after_closing_still_goes_to_the_waitlist(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 1);
    given_registered(spec, "ada", "Ada Lovelace");
    given_waitlisted(spec, "bob", "Bob");
    given_closed(spec);
    given_cancelled(spec, "ada", false);
    esk_spec_when(spec, &(workshop_command){.kind = PROMOTE_FROM_WAITLIST,
                                            .workshop_id = "w-1"});
    esk_spec_then(spec, &waitlisted_attendee_promoted_type,
                  &(waitlisted_attendee_promoted){.workshop_id = "w-1",
                                                  .attendee_id = "bob"});
    esk_spec_hint(spec,
                  "PromoteFromWaitlist after closing, ada's seat free: bob was "
                  "promised the next free seat when he joined the waitlist, "
                  "and closing does not break the promise.");
    ESK_SPEC_CHECK(spec);
}

static void a_full_waitlist_takes_nobody_else(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 1);
    given_registered(spec, "ada", "Ada Lovelace");
    for (int i = 0; i < MAX_WAITING; i++) {
        char id[ID_SIZE];
        snprintf(id, sizeof(id), "waiter-%d", i + 1);
        given_waitlisted(spec, id, "A. Waiter");
    }
    esk_spec_when(spec, &(workshop_command){.kind = REGISTER_ATTENDEE,
                                            .workshop_id = "w-1",
                                            .attendee_id = "late",
                                            .name = "Late Comer"});
    esk_spec_then_error(spec, WAITLIST_IS_FULL);
    esk_spec_hint(spec,
                  "RegisterAttendee late, MAX_WAITING people waiting: the "
                  "state holds no more, so refuse with WAITLIST_IS_FULL, or "
                  "evolve() would drop a fact that decide() let happen.");
    ESK_SPEC_CHECK(spec);
}

static void a_free_seat_is_taken_even_when_the_waitlist_is_full(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 1);
    given_registered(spec, "ada", "Ada Lovelace");
    for (int i = 0; i < MAX_WAITING; i++) {
        char id[ID_SIZE];
        snprintf(id, sizeof(id), "waiter-%d", i + 1);
        given_waitlisted(spec, id, "A. Waiter");
    }
    given_cancelled(spec, "ada", false);
    esk_spec_when(spec, &(workshop_command){.kind = REGISTER_ATTENDEE,
                                            .workshop_id = "w-1",
                                            .attendee_id = "late",
                                            .name = "Late Comer"});
    esk_spec_then(spec, &attendee_registered_type,
                  &(attendee_registered){.workshop_id = "w-1",
                                         .attendee_id = "late",
                                         .name = "Late Comer"});
    esk_spec_hint(spec, "RegisterAttendee late, ada's seat free, MAX_WAITING "
                        "people waiting: a free seat goes to whoever "
                        "registers. WAITLIST_IS_FULL is only for a workshop "
                        "with no free seat: ask for a seat first.");
    ESK_SPEC_CHECK(spec);
}

static void the_last_place_on_the_waitlist_is_taken(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 1);
    given_registered(spec, "ada", "Ada Lovelace");
    for (int i = 0; i < MAX_WAITING - 1; i++) {
        char id[ID_SIZE];
        snprintf(id, sizeof(id), "waiter-%d", i + 1);
        given_waitlisted(spec, id, "A. Waiter");
    }
    esk_spec_when(spec, &(workshop_command){.kind = REGISTER_ATTENDEE,
                                            .workshop_id = "w-1",
                                            .attendee_id = "late",
                                            .name = "Late Comer"});
    esk_spec_then(spec, &attendee_waitlisted_type,
                  &(attendee_waitlisted){.workshop_id = "w-1",
                                         .attendee_id = "late",
                                         .name = "Late Comer"});
    esk_spec_hint(spec, "RegisterAttendee late, MAX_WAITING - 1 people "
                        "waiting: one place is left, and late takes it. The "
                        "waitlist is full when waitlist_count reaches "
                        "MAX_WAITING, not one place before.");
    ESK_SPEC_CHECK(spec);
}

/* --- is_terminal ---------------------------------------------------------- */

/* Apply one event to a state, as esk does when it loads a stream. */
static void happened(workshop_state *w, const esk_event_type *type,
                     const void *event)
{
    workshop_decider.evolve(w, type, event);
}

static void only_a_closed_workshop_with_nobody_left_is_terminal(void **state)
{
    (void)state;
    workshop_state w = {0}; /* nothing has happened yet */
    const char *workshop_is_terminal_says = NULL;

    workshop_is_terminal_says = workshop_decider.is_terminal(&w) ? "yes" : "no";
    check_string(workshop_is_terminal_says, "no",
                 "An unscheduled workshop can still be scheduled: not "
                 "terminal.");

    happened(&w, &workshop_scheduled_type,
             &(workshop_scheduled){.workshop_id = "w-1", .capacity = 1});
    happened(
        &w, &attendee_registered_type,
        &(attendee_registered){.workshop_id = "w-1", .attendee_id = "ada"});
    happened(
        &w, &attendee_waitlisted_type,
        &(attendee_waitlisted){.workshop_id = "w-1", .attendee_id = "bob"});
    happened(&w, &registration_closed_type,
             &(registration_closed){.workshop_id = "w-1", .reason = "trainer"});
    workshop_is_terminal_says = workshop_decider.is_terminal(&w) ? "yes" : "no";
    check_string(workshop_is_terminal_says, "no",
                 "Closed, but ada is seated and bob waits: either may still "
                 "cancel, and that changes the stream. Closed alone is not "
                 "terminal.");

    happened(
        &w, &registration_cancelled_type,
        &(registration_cancelled){.workshop_id = "w-1", .attendee_id = "ada"});
    workshop_is_terminal_says = workshop_decider.is_terminal(&w) ? "yes" : "no";
    check_string(workshop_is_terminal_says, "no",
                 "Closed, nobody seated, but bob still waits: ada's seat is "
                 "free, so bob may be promoted, or cancel. A waiter keeps "
                 "the story going as much as a seated attendee.");

    happened(&w, &registration_cancelled_type,
             &(registration_cancelled){.workshop_id = "w-1",
                                       .attendee_id = "bob",
                                       .was_waitlisted = true});
    workshop_is_terminal_says = workshop_decider.is_terminal(&w) ? "yes" : "no";
    check_string(workshop_is_terminal_says, "yes",
                 "Closed, nobody seated, nobody waiting: every command is now "
                 "refused, so the story is over. Return true for exactly "
                 "that state.");

    workshop_state seated_only = {0};
    happened(&seated_only, &workshop_scheduled_type,
             &(workshop_scheduled){.workshop_id = "w-1", .capacity = 2});
    happened(
        &seated_only, &attendee_registered_type,
        &(attendee_registered){.workshop_id = "w-1", .attendee_id = "ada"});
    happened(&seated_only, &registration_closed_type,
             &(registration_closed){.workshop_id = "w-1", .reason = "trainer"});
    workshop_is_terminal_says =
        workshop_decider.is_terminal(&seated_only) ? "yes" : "no";
    check_string(workshop_is_terminal_says, "no",
                 "Closed, nobody waiting, but ada is seated: she may still "
                 "cancel, and that changes the stream. Terminal needs "
                 "nobody seated and nobody waiting.");
}

/* --- A command of no known kind ------------------------------------------- */

static void a_command_of_no_known_kind_is_a_bug_of_the_caller(void **state)
{
    (void)state;
    workshop_state w = {0};
    happened(&w, &workshop_scheduled_type,
             &(workshop_scheduled){.workshop_id = "w-1", .capacity = 2});
    workshop_command unknown = {.kind = (workshop_command_kind)99,
                                .workshop_id = "w-1"};
    esk_decision decision = ESK_DECISION_INIT;

    esk_status rc = workshop_decide(&w, &unknown, &decision);
    size_t emitted = esk_decision_count(&decision);
    esk_decision_release(&decision);
    check_status(rc, ESK_EINVAL,
                 "A command whose kind is none of the five is not a "
                 "refusal of the domain, and not 'nothing to do': it is a "
                 "bug of whoever built it. After the switch on c->kind, "
                 "return ESK_EINVAL.");
    check_int(emitted, 0, "A command decide() does not know emits nothing.");
}

/* --- On a store: load, decide, append ------------------------------------- */

static const char *command_name(workshop_command_kind kind)
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
    return "?";
}

/* What an application does with a command: one call, which loads stream
 * workshop-w-1, decides, and appends expecting the version it loaded.
 * The handler's message is shown when the outcome is not the expected
 * one. */
static esk_status handle(esk_store *store, const workshop_command *command,
                         esk_status expected, esk_decision *decision,
                         esk_handle_result *result)
{
    exercise_say("command  %s%s%s", command_name(command->kind),
                 command->attendee_id[0] != '\0' ? " " : "",
                 command->attendee_id);
    esk_status rc = esk_decider_handle(&workshop_decider, store, "w-1", command,
                                       NULL, decision, result);
    if (rc != expected)
        print_message("    esk_decider_handle said: %s\n", esk_errmsg());
    else if (rc == ESK_EDOMAIN)
        exercise_say("refused  %s", esk_errmsg());
    return rc;
}

static void on_a_store_each_command_appends_what_decide_said(void **state)
{
    (void)state;
    esk_store *store = NULL;
    esk_decision decision = ESK_DECISION_INIT;
    esk_handle_result result = {0, 0, 0, 0, 0, false};
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    esk_status rc = esk_store_open_memory(&store, NULL);
    check_status(rc, ESK_OK, "An in-memory store opens without a file.");
    exercise_watch_store(store);

    rc = handle(store,
                &(workshop_command){.kind = SCHEDULE_WORKSHOP,
                                    .workshop_id = "w-1",
                                    .title = "Event Sourcing 101",
                                    .starts_on = "2026-12-01",
                                    .capacity = 1},
                ESK_OK, &decision, &result);
    check_status(rc, ESK_OK,
                 "The handler loads an empty stream, asks decide() and "
                 "appends its WorkshopScheduled.");
    check_int(result.version, 1, "One event appended: the stream is at 1.");

    rc = handle(store,
                &(workshop_command){.kind = REGISTER_ATTENDEE,
                                    .workshop_id = "w-1",
                                    .attendee_id = "ada",
                                    .name = "Ada Lovelace"},
                ESK_OK, &decision, &result);
    check_status(rc, ESK_OK, "ada takes the only seat.");
    rc = handle(store,
                &(workshop_command){.kind = REGISTER_ATTENDEE,
                                    .workshop_id = "w-1",
                                    .attendee_id = "ada",
                                    .name = "Ada Lovelace"},
                ESK_EDOMAIN, &decision, &result);
    check_status(rc, ESK_EDOMAIN,
                 "Registering ada twice is refused: the handler returns "
                 "ESK_EDOMAIN and appends nothing.");
    check_error_code(esk_error_last()->code, ALREADY_REGISTERED,
                     workshop_decider.error_name,
                     "The refusal leaves the domain's code of "
                     "esk_decision_reject in the last error.");
    check_int(result.version, 2, "A refused command appends nothing.");

    rc = handle(store,
                &(workshop_command){.kind = REGISTER_ATTENDEE,
                                    .workshop_id = "w-1",
                                    .attendee_id = "bob",
                                    .name = "Bob"},
                ESK_OK, &decision, &result);
    check_status(rc, ESK_OK, "bob goes on the waitlist.");
    rc = handle(store,
                &(workshop_command){.kind = CLOSE_REGISTRATION,
                                    .workshop_id = "w-1",
                                    .reason = "trainer"},
                ESK_OK, &decision, &result);
    check_status(rc, ESK_OK, "The trainer closes registration.");
    check_true(
        !result.terminal,
        "result.terminal is what workshop_is_terminal() says of the state "
        "after the command: closed, with ada and bob on it, is not over.");
    rc = handle(store,
                &(workshop_command){.kind = CANCEL_REGISTRATION,
                                    .workshop_id = "w-1",
                                    .attendee_id = "ada"},
                ESK_OK, &decision, &result);
    check_status(rc, ESK_OK, "ada may cancel after closing.");
    rc = handle(store,
                &(workshop_command){.kind = PROMOTE_FROM_WAITLIST,
                                    .workshop_id = "w-1"},
                ESK_OK, &decision, &result);
    check_status(rc, ESK_OK, "bob gets ada's seat.");
    rc = handle(store,
                &(workshop_command){.kind = CANCEL_REGISTRATION,
                                    .workshop_id = "w-1",
                                    .attendee_id = "bob"},
                ESK_OK, &decision, &result);
    check_status(rc, ESK_OK, "bob cancels too.");
    check_true(result.terminal,
               "Closed and empty: esk_decider_handle asks is_terminal on the "
               "state after the command and says the story is over.");

    rc = esk_store_read_stream(store, "workshop-w-1", 1, 0, &stream);
    check_status(rc, ESK_OK, "The stream reads back.");
    const char *expected[] = {
        "WorkshopScheduled",     "AttendeeRegistered",
        "AttendeeWaitlisted",    "RegistrationClosed",
        "RegistrationCancelled", "WaitlistedAttendeePromoted",
        "RegistrationCancelled"};
    size_t n = sizeof(expected) / sizeof(expected[0]);
    check_int(stream.count, n,
              "Seven commands were accepted, each with one event; the "
              "refused one left no trace.");
    for (size_t i = 0; i < n; i++)
        check_string(stream.events[i].type, expected[i],
                     "The stream is the story, in the order it happened.");

    esk_event_list_release(&stream);
    esk_decision_release(&decision);
    esk_store_free(store);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scheduling_puts_the_workshop_on_the_calendar),
        cmocka_unit_test(a_workshop_cannot_be_scheduled_twice),
        cmocka_unit_test(a_workshop_without_seats_is_refused),
        cmocka_unit_test(a_capacity_above_max_seats_is_refused),
        cmocka_unit_test(a_capacity_of_1_or_max_seats_is_accepted),
        cmocka_unit_test(registering_for_an_unscheduled_workshop_is_refused),
        cmocka_unit_test(a_free_seat_goes_to_whoever_registers),
        cmocka_unit_test(when_every_seat_is_taken_the_next_attendee_waits),
        cmocka_unit_test(registering_twice_is_refused),
        cmocka_unit_test(registering_again_while_waiting_is_refused),
        cmocka_unit_test(registering_after_closing_is_refused),
        cmocka_unit_test(cancelling_a_seat_says_it_was_not_waitlisted),
        cmocka_unit_test(cancelling_from_the_waitlist_says_so),
        cmocka_unit_test(cancelling_someone_not_registered_is_refused),
        cmocka_unit_test(promotion_gives_the_free_seat_to_the_first_in_line),
        cmocka_unit_test(promoting_with_nobody_waiting_is_refused),
        cmocka_unit_test(promoting_without_a_free_seat_is_refused),
        cmocka_unit_test(
            promoting_in_a_full_workshop_with_nobody_waiting_says_so),
        cmocka_unit_test(closing_stops_registration),
        cmocka_unit_test(closing_twice_is_refused),
        cmocka_unit_test(closing_an_unscheduled_workshop_is_refused),
        cmocka_unit_test(cancelling_after_closing_is_still_allowed),
        cmocka_unit_test(a_seat_freed_after_closing_still_goes_to_the_waitlist),
        cmocka_unit_test(a_full_waitlist_takes_nobody_else),
        cmocka_unit_test(the_last_place_on_the_waitlist_is_taken),
        cmocka_unit_test(a_free_seat_is_taken_even_when_the_waitlist_is_full),
        cmocka_unit_test(only_a_closed_workshop_with_nobody_left_is_terminal),
        cmocka_unit_test(a_command_of_no_known_kind_is_a_bug_of_the_caller),
        cmocka_unit_test(on_a_store_each_command_appends_what_decide_said),
    };
    return cmocka_run_group_tests_name("04-decider", tests, NULL, NULL);
}
