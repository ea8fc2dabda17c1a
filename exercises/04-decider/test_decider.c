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
#include "test_decider.h"
#include "workshop.h"

/* --- The past: events every story starts from ----------------------------- */

void suite_given_scheduled(esk_spec *spec, int64_t capacity)
{
    esk_spec_given(spec, &workshop_scheduled_type,
                   &(workshop_scheduled){.workshop_id = "w-1",
                                         .title = "Event Sourcing 101",
                                         .starts_on = "2026-12-01",
                                         .capacity = capacity});
}

void suite_given_registered(esk_spec *spec, const char *attendee_id,
                            const char *name)
{
    attendee_registered e = {.workshop_id = "w-1"};
    snprintf(e.attendee_id, sizeof(e.attendee_id), "%s", attendee_id);
    snprintf(e.name, sizeof(e.name), "%s", name);
    esk_spec_given(spec, &attendee_registered_type, &e);
}

void suite_given_waitlisted(esk_spec *spec, const char *attendee_id,
                            const char *name)
{
    attendee_waitlisted e = {.workshop_id = "w-1"};
    snprintf(e.attendee_id, sizeof(e.attendee_id), "%s", attendee_id);
    snprintf(e.name, sizeof(e.name), "%s", name);
    esk_spec_given(spec, &attendee_waitlisted_type, &e);
}

void suite_given_cancelled(esk_spec *spec, const char *attendee_id,
                           bool was_waitlisted)
{
    registration_cancelled e = {.workshop_id = "w-1",
                                .was_waitlisted = was_waitlisted};
    snprintf(e.attendee_id, sizeof(e.attendee_id), "%s", attendee_id);
    esk_spec_given(spec, &registration_cancelled_type, &e);
}

void suite_given_closed(esk_spec *spec)
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
    suite_given_scheduled(spec, 12);
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
    suite_given_scheduled(spec, 12);
    suite_given_closed(spec);
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
    suite_given_scheduled(spec, 2);
    suite_given_registered(spec, "ada", "Ada Lovelace");
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
    suite_given_scheduled(spec, 1);
    suite_given_registered(spec, "ada", "Ada Lovelace");
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
    suite_given_scheduled(spec, 2);
    suite_given_registered(spec, "ada", "Ada Lovelace");
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
    suite_given_scheduled(spec, 1);
    suite_given_registered(spec, "ada", "Ada Lovelace");
    suite_given_waitlisted(spec, "bob", "Bob");
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
    suite_given_scheduled(spec, 12);
    suite_given_closed(spec);
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

/* --- A command of no known kind ------------------------------------------- */

static void a_command_of_no_known_kind_is_a_bug_of_the_caller(void **state)
{
    (void)state;
    workshop_state w = {0};
    suite_happened(&w, &workshop_scheduled_type,
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
