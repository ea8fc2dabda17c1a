/*
 * test_aggregate.c - the Workshop aggregate's rules, as stories.
 *
 * Each spec reads: given these events (the workshop's past), when this
 * behaviour runs, then these events are raised, or the command is refused
 * with this error. Every spec also rebuilds the workshop from the given
 * and the raised events, and checks that it equals the workshop the
 * behaviour left behind: the state changes only through events.
 *
 * The last two tests save and load workshops in an event store, to show
 * what the boundary of an aggregate is for.
 */
#include <stdio.h>

#include <esk/testing.h>

#include "exercise.h"
#include "test_aggregate.h"
#include "workshop.h"

/* --- The people, and the behaviours as the test kit calls them ----------- */

typedef struct schedule_args {
    const char *title;
    const char *starts_on;
    int64_t capacity;
} schedule_args;

/* esk_spec_when_call runs a behaviour as f(aggregate, argument). */

static esk_status schedules(void *w, const void *arg)
{
    const schedule_args *a = arg;
    return workshop_schedule(w, a->title, a->starts_on, a->capacity);
}

static esk_status registers(void *w, const void *arg)
{
    const person *p = arg;
    return workshop_register(w, p->id, p->name);
}

esk_status suite_cancels(void *w, const void *arg)
{
    const person *p = arg;
    return workshop_cancel(w, p->id);
}

static esk_status closes(void *w, const void *arg)
{
    return workshop_close(w, arg);
}

/* The behaviours as the when of a spec, named in its report as the
 * command they stand for ("when    RegisterAttendee bob"). */

static void when_schedules(esk_spec *spec, const schedule_args *a)
{
    char label[96];
    snprintf(label, sizeof(label), "ScheduleWorkshop, capacity %lld",
             (long long)a->capacity);
    esk_spec_when_call(spec, schedules, a);
    esk_spec_label(spec, label);
}

static void when_registers(esk_spec *spec, const person *p)
{
    char label[96];
    snprintf(label, sizeof(label), "RegisterAttendee %s", p->id);
    esk_spec_when_call(spec, registers, p);
    esk_spec_label(spec, label);
}

void suite_when_cancels(esk_spec *spec, const person *p)
{
    char label[96];
    snprintf(label, sizeof(label), "CancelRegistration %s", p->id);
    esk_spec_when_call(spec, suite_cancels, p);
    esk_spec_label(spec, label);
}

void suite_when_closes(esk_spec *spec, const char *reason)
{
    char label[96];
    snprintf(label, sizeof(label), "CloseRegistration (%s)", reason);
    esk_spec_when_call(spec, closes, reason);
    esk_spec_label(spec, label);
}

/* --- The past of workshop w-1 --------------------------------------------- */

esk_spec *suite_workshop_w1(void)
{
    return esk_spec_aggregate(&workshop_type, "w-1");
}

void suite_given_scheduled(esk_spec *spec, int64_t capacity)
{
    esk_spec_given(spec, &workshop_scheduled_type,
                   &(workshop_scheduled){.workshop_id = "w-1",
                                         .title = "Event Sourcing 101",
                                         .starts_on = "2026-12-01",
                                         .capacity = capacity});
}

void suite_given_registered(esk_spec *spec, const person *p)
{
    attendee_registered e = {.workshop_id = "w-1"};
    copy_text(e.attendee_id, sizeof(e.attendee_id), p->id);
    copy_text(e.name, sizeof(e.name), p->name);
    esk_spec_given(spec, &attendee_registered_type, &e);
}

void suite_given_waitlisted(esk_spec *spec, const person *p)
{
    attendee_waitlisted e = {.workshop_id = "w-1"};
    copy_text(e.attendee_id, sizeof(e.attendee_id), p->id);
    copy_text(e.name, sizeof(e.name), p->name);
    esk_spec_given(spec, &attendee_waitlisted_type, &e);
}

void suite_given_cancelled(esk_spec *spec, const person *p, bool was_waitlisted)
{
    registration_cancelled e = {.workshop_id = "w-1",
                                .was_waitlisted = was_waitlisted};
    copy_text(e.attendee_id, sizeof(e.attendee_id), p->id);
    esk_spec_given(spec, &registration_cancelled_type, &e);
}

void suite_given_closed(esk_spec *spec)
{
    esk_spec_given(
        spec, &registration_closed_type,
        &(registration_closed){.workshop_id = "w-1", .reason = "trainer"});
}

/* --- Scheduling ----------------------------------------------------------- */

static void scheduling_puts_the_workshop_on_the_calendar(void **unused)
{
    (void)unused;
    esk_spec *spec = suite_workshop_w1();
    when_schedules(spec,
                   &(schedule_args){"Event Sourcing 101", "2026-12-01", 12});
    esk_spec_then(spec, &workshop_scheduled_type,
                  &(workshop_scheduled){.workshop_id = "w-1",
                                        .title = "Event Sourcing 101",
                                        .starts_on = "2026-12-01",
                                        .capacity = 12});
    esk_spec_hint(spec, "Raise a WorkshopScheduled with the arguments, and "
                        "w->base.id as its workshopId: fill a "
                        "workshop_scheduled, then return "
                        "esk_aggregate_raise(w, &workshop_scheduled_type, "
                        "&e).");
    ESK_SPEC_CHECK(spec);
}

static void a_capacity_outside_1_to_64_is_refused(void **unused)
{
    (void)unused;
    const int64_t wrong[] = {0, -1, MAX_SEATS + 1};
    for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
        esk_spec *spec = suite_workshop_w1();
        when_schedules(spec, &(schedule_args){"Event Sourcing 101",
                                              "2026-12-01", wrong[i]});
        esk_spec_then_error(spec, INVALID_CAPACITY);
        char hint[256];
        snprintf(hint, sizeof(hint),
                 "A workshop has 1 to MAX_SEATS (%d) seats: refuse a "
                 "capacity of %lld with esk_domain_error("
                 "INVALID_CAPACITY, ...), before raising anything.",
                 MAX_SEATS, (long long)wrong[i]);
        esk_spec_hint(spec, hint);
        ESK_SPEC_CHECK(spec);
    }
}

static void a_capacity_of_1_or_64_is_accepted(void **unused)
{
    (void)unused;
    const int64_t bounds[] = {1, MAX_SEATS};
    for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
        esk_spec *spec = suite_workshop_w1();
        esk_spec_when_call(
            spec, schedules,
            &(schedule_args){"Event Sourcing 101", "2026-12-01", bounds[i]});
        esk_spec_then(spec, &workshop_scheduled_type,
                      &(workshop_scheduled){.workshop_id = "w-1",
                                            .title = "Event Sourcing 101",
                                            .starts_on = "2026-12-01",
                                            .capacity = bounds[i]});
        char hint[256];
        snprintf(hint, sizeof(hint),
                 "1 and MAX_SEATS (%d) are both allowed: a capacity of "
                 "%lld is on the edge, not outside it. Refuse only below "
                 "1 or above MAX_SEATS (< and >, not <= or >=).",
                 MAX_SEATS, (long long)bounds[i]);
        esk_spec_hint(spec, hint);
        ESK_SPEC_CHECK(spec);
    }
}

static void scheduling_twice_is_refused(void **unused)
{
    (void)unused;
    esk_spec *spec = suite_workshop_w1();
    suite_given_scheduled(spec, 12);
    when_schedules(spec,
                   &(schedule_args){"Event Sourcing 102", "2027-01-15", 20});
    esk_spec_then_error(spec, WORKSHOP_ALREADY_SCHEDULED);
    esk_spec_hint(spec, "The past says it is scheduled: w->state.status is "
                        "no longer WORKSHOP_UNSCHEDULED. Refuse with "
                        "WORKSHOP_ALREADY_SCHEDULED.");
    ESK_SPEC_CHECK(spec);
    spec = suite_workshop_w1();
    suite_given_scheduled(spec, 12);
    suite_given_closed(spec);
    esk_spec_when_call(
        spec, schedules,
        &(schedule_args){"Event Sourcing 102", "2027-01-15", 20});
    esk_spec_then_error(spec, WORKSHOP_ALREADY_SCHEDULED);
    esk_spec_hint(spec, "Closed is still scheduled: a workshop is put on "
                        "the calendar once. Refuse whenever the status is "
                        "not WORKSHOP_UNSCHEDULED, closed included.");
    ESK_SPEC_CHECK(spec);
}

/* --- Registering ---------------------------------------------------------- */

static void registering_takes_a_free_seat(void **unused)
{
    (void)unused;
    esk_spec *spec = suite_workshop_w1();
    suite_given_scheduled(spec, 2);
    when_registers(spec, &ada);
    esk_spec_then(spec, &attendee_registered_type,
                  &(attendee_registered){.workshop_id = "w-1",
                                         .attendee_id = "ada",
                                         .name = "Ada Lovelace"});
    esk_spec_hint(spec, "A free seat (workshop_free_seats(&w->state) > 0) "
                        "goes to whoever registers: raise "
                        "AttendeeRegistered with workshopId, attendeeId and "
                        "name.");
    ESK_SPEC_CHECK(spec);
}

static void registering_for_a_full_workshop_joins_the_waitlist(void **unused)
{
    (void)unused;
    esk_spec *spec = suite_workshop_w1();
    suite_given_scheduled(spec, 1);
    suite_given_registered(spec, &ada);
    when_registers(spec, &bob);
    esk_spec_then(spec, &attendee_waitlisted_type,
                  &(attendee_waitlisted){.workshop_id = "w-1",
                                         .attendee_id = "bob",
                                         .name = "Bob Kahn"});
    esk_spec_hint(spec, "No free seat is not a refusal: it is another fact. "
                        "Raise AttendeeWaitlisted instead of "
                        "AttendeeRegistered.");
    ESK_SPEC_CHECK(spec);
}

static void registering_twice_is_refused(void **unused)
{
    (void)unused;
    esk_spec *spec = suite_workshop_w1();
    suite_given_scheduled(spec, 1);
    suite_given_registered(spec, &ada);
    when_registers(spec, &ada);
    esk_spec_then_error(spec, ALREADY_REGISTERED);
    esk_spec_hint(spec, "ada has a seat already "
                        "(workshop_is_seated(&w->state, attendee_id)): "
                        "refuse with ALREADY_REGISTERED.");
    ESK_SPEC_CHECK(spec);

    spec = suite_workshop_w1();
    suite_given_scheduled(spec, 1);
    suite_given_registered(spec, &ada);
    suite_given_waitlisted(spec, &bob);
    when_registers(spec, &bob);
    esk_spec_then_error(spec, ALREADY_REGISTERED);
    esk_spec_hint(spec, "bob is on the waitlist already "
                        "(workshop_is_waiting): waiting counts as "
                        "registered. Refuse with ALREADY_REGISTERED.");
    ESK_SPEC_CHECK(spec);
}

static void registering_before_scheduling_is_refused(void **unused)
{
    (void)unused;
    esk_spec *spec = suite_workshop_w1();
    when_registers(spec, &ada);
    esk_spec_then_error(spec, WORKSHOP_NOT_SCHEDULED);
    esk_spec_hint(spec, "No past, no workshop: with status "
                        "WORKSHOP_UNSCHEDULED, refuse with "
                        "WORKSHOP_NOT_SCHEDULED (and do not put ada on a "
                        "waitlist of a workshop with 0 seats).");
    ESK_SPEC_CHECK(spec);
}

static void registering_after_closing_is_refused(void **unused)
{
    (void)unused;
    esk_spec *spec = suite_workshop_w1();
    suite_given_scheduled(spec, 12);
    suite_given_closed(spec);
    when_registers(spec, &ada);
    esk_spec_then_error(spec, REGISTRATION_IS_CLOSED);
    esk_spec_hint(spec, "With status WORKSHOP_CLOSED, refuse with "
                        "REGISTRATION_IS_CLOSED, even though seats are "
                        "free.");
    ESK_SPEC_CHECK(spec);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scheduling_puts_the_workshop_on_the_calendar),
        cmocka_unit_test(a_capacity_outside_1_to_64_is_refused),
        cmocka_unit_test(a_capacity_of_1_or_64_is_accepted),
        cmocka_unit_test(scheduling_twice_is_refused),
        cmocka_unit_test(registering_takes_a_free_seat),
        cmocka_unit_test(registering_for_a_full_workshop_joins_the_waitlist),
        cmocka_unit_test(registering_twice_is_refused),
        cmocka_unit_test(registering_before_scheduling_is_refused),
        cmocka_unit_test(registering_after_closing_is_refused),
        cmocka_unit_test(cancelling_a_seat_frees_it),
        cmocka_unit_test(cancelling_a_place_on_the_waitlist_says_so),
        cmocka_unit_test(cancelling_someone_not_registered_is_refused),
        cmocka_unit_test(cancelling_after_closing_is_allowed),
        cmocka_unit_test(closing_stops_registration_and_says_why),
        cmocka_unit_test(closing_twice_or_before_scheduling_is_refused),
        cmocka_unit_test(a_full_waitlist_takes_nobody_more),
        cmocka_unit_test(the_last_place_on_the_waitlist_is_taken),
        cmocka_unit_test(a_free_seat_is_taken_even_when_the_waitlist_is_full),
        cmocka_unit_test(a_workshop_is_saved_as_events_and_loaded_from_them),
        cmocka_unit_test(two_registrations_for_the_last_seat_cannot_both_win),
    };
    return cmocka_run_group_tests_name("03-aggregate", tests, NULL, NULL);
}
