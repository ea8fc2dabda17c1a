/*
 * tests/testing_decider_specs.c - decider specs: the kit passes a good
 * decider, catches each kind of wrong one, and reports mistakes in the
 * spec itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "testing_fixture.h"

/* --- Decider specs that pass ---------------------------------------------- */

void a_free_seat_is_taken_by_whoever_registers(void **state)
{
    (void)state;
    ESK_SPEC_CHECK(ada_registers());
}

void a_full_workshop_waitlists_the_next_attendee(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &scheduled_w1);
    esk_spec_given(spec, &registered_type, &(attendee_event){"ada"});
    esk_spec_when(spec, &(register_attendee){"bob"});
    esk_spec_then(spec, &waitlisted_type, &(attendee_event){"bob"});
    ESK_SPEC_CHECK(spec);
}

void registering_for_an_unscheduled_workshop_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_then_error(spec, WORKSHOP_NOT_SCHEDULED);
    ESK_SPEC_CHECK(spec);
}

void registering_again_changes_nothing(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &scheduled_w1);
    esk_spec_given(spec, &registered_type, &(attendee_event){"ada"});
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_then_nothing(spec);
    ESK_SPEC_CHECK(spec);
}

void a_passing_run_reports_nothing(void **state)
{
    (void)state;
    esk_spec *spec = ada_registers();
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
    assert_true(report.passed);
    assert_string_equal(report.text, "");
}

/* --- Decider specs that catch a wrong decider ----------------------------- */

void a_wrong_event_is_shown_beside_the_expected_one(void **state)
{
    (void)state;
    run_with(ada_registers(), mutant(waitlists_everyone));
    assert_false(report.passed);
    assert_reported("Spec failed: Workshop\n");
    assert_reported("  given   1. WorkshopScheduled "
                    "{\"workshopId\":\"w-1\",\"capacity\":1}\n");
    assert_reported("  when    the command\n");
    assert_reported("AttendeeRegistered {\"attendee\":\"ada\"} | "
                    "AttendeeWaitlisted {\"attendee\":\"ada\"}   <- first "
                    "difference\n");
    assert_reported("  HINT: A free seat is taken by whoever registers.\n");
}

void a_missing_event_is_reported(void **state)
{
    (void)state;
    run_with(ada_registers(), mutant(decides_nothing));
    assert_false(report.passed);
    assert_reported("| (none)   <- first difference");
    assert_reported("1 expected event(s) did not happen");
}

void an_extra_event_is_reported(void **state)
{
    (void)state;
    run_with(ada_registers(), mutant(registers_twice));
    assert_false(report.passed);
    assert_reported("    2.    (none)");
    assert_reported("1 event(s) happened that were not expected");
}

static esk_spec *unscheduled_registration(void)
{
    static const register_attendee ada = {"ada"};
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_when(spec, &ada);
    esk_spec_then_error(spec, WORKSHOP_NOT_SCHEDULED);
    return spec;
}

void a_wrong_error_code_is_reported(void **state)
{
    (void)state;
    run_with(unscheduled_registration(), mutant(refuses_with_wrong_code));
    assert_false(report.passed);
    assert_reported("expected the command to be refused with error 1, but "
                    "it was refused with error 2: the workshop is already "
                    "scheduled");
}

void a_report_names_the_command_and_the_refusal(void **state)
{
    (void)state;
    run_with(unscheduled_registration(), described(refuses_with_wrong_code));
    assert_false(report.passed);
    assert_reported("  when    RegisterAttendee ada\n");
    assert_reported("expected the command to be refused with "
                    "WORKSHOP_NOT_SCHEDULED, but it was refused with "
                    "WORKSHOP_ALREADY_SCHEDULED: the workshop is already "
                    "scheduled");
}

void a_refusal_without_a_name_is_reported_by_its_number(void **state)
{
    (void)state;
    esk_decider d = described(refuses_with_wrong_code);
    d.error_name = NULL;
    run_with(unscheduled_registration(), d);
    assert_reported("expected the command to be refused with error 1, but "
                    "it was refused with error 2: the workshop is already "
                    "scheduled");
}

void events_where_an_error_was_expected_are_reported(void **state)
{
    (void)state;
    run_with(unscheduled_registration(), mutant(waitlists_everyone));
    assert_false(report.passed);
    assert_reported("expected the command to be refused with error 1, but "
                    "it was accepted with these events:\n"
                    "          1. AttendeeWaitlisted {\"attendee\":\"ada\"}");
}

void an_error_where_events_were_expected_shows_its_message(void **state)
{
    (void)state;
    run_with(ada_registers(), mutant(refuses_everything));
    assert_false(report.passed);
    assert_reported("expected 1 event(s), but the command was refused with "
                    "error 1: the workshop is not scheduled");
    assert_reported("1. AttendeeRegistered {\"attendee\":\"ada\"}");
}

void events_where_nothing_was_expected_are_reported(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &(workshop_scheduled){"w-1", 5});
    esk_spec_given(spec, &registered_type, &(attendee_event){"ada"});
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_then_nothing(spec);
    run_with(spec, mutant(forgets_who_registered));
    assert_false(report.passed);
    assert_reported("expected nothing to happen, but 1 event(s) happened:\n"
                    "          1. AttendeeRegistered {\"attendee\":\"ada\"}");
}

void a_decide_that_writes_the_state_is_caught(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &scheduled_w1);
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_then_nothing(spec);
    run_with(spec, mutant(writes_the_state));
    assert_false(report.passed);
    assert_reported("decide() changed the state it was given");
    assert_null(strstr(report.text, "different answer"));
}

void a_state_written_by_decide_is_shown_before_and_after(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &scheduled_w1);
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_then_nothing(spec);
    esk_spec_hint(spec, "A free seat is taken by whoever registers.");
    run_with(spec, described(writes_the_state));
    assert_false(report.passed);
    assert_reported("  decide() changed the state it was given:\n"
                    "    before  scheduled, 0 of 1 seats taken, last: \n"
                    "    after   scheduled, 1 of 1 seats taken, last: \n");
    assert_null(strstr(report.text, "byte"));
}

void a_state_written_by_decide_is_named_by_its_field_offset(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &scheduled_w1);
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_then_nothing(spec);
    run_with(spec, mutant(writes_the_state));
    char where[160];
    snprintf(where, sizeof(where),
             "byte %zu of the %zu-byte state changed (give the decider a "
             "describe_state to see the state before and after)",
             offsetof(workshop_state, taken), sizeof(workshop_state));
    assert_reported(where);
}

void only_a_written_state_gives_a_hint_about_mutation(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &scheduled_w1);
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_then_nothing(spec);
    esk_spec_hint(spec, "A free seat is taken by whoever registers.");
    run_with(spec, described(writes_the_state));
    /* The outcome was right: the story's hint is about another mistake. */
    assert_null(strstr(report.text, "A free seat"));
    assert_reported("  HINT: decide() only reads the state: never write "
                    "through the pointer (no cast that drops const), and "
                    "work on a local copy when you need one. The state "
                    "changes in evolve(), when the events are applied.\n");
}

void a_decide_that_changes_its_mind_is_caught(void **state)
{
    (void)state;
    run_with(ada_registers(), mutant(changes_its_mind));
    assert_false(report.passed);
    assert_reported("decide() gave a different answer the second time: does "
                    "it read a clock, a global or random numbers?");
    assert_reported("first:  1 event(s)\n"
                    "          1. AttendeeRegistered");
    assert_reported("second: 1 event(s)\n"
                    "          1. AttendeeWaitlisted");
    /* The first answer was the expected one: the story's hint is not
     * about this mistake. */
    assert_null(strstr(report.text, "A free seat"));
    assert_reported("  HINT: decide() answers from the state and the command "
                    "alone");
}

void a_decide_not_written_yet_is_reported_as_such(void **state)
{
    (void)state;
    run_with(ada_registers(), mutant(not_written_yet));
    assert_false(report.passed);
    assert_reported("decide() is not written yet: it returned ESK_ENOTIMPL");
}

/* Run a story whose expected and actual attendee names have `length`
 * characters and differ at `at`, and check that the caret of the report
 * stands under the first character that differs. */
static void check_caret(size_t length, size_t at)
{
    attendee_event expected = {{0}};
    register_attendee command = {{0}};
    memset(expected.attendee, 'a', length);
    memset(command.attendee, 'a', length);
    command.attendee[at] = 'b';

    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &(workshop_scheduled){"w-1", 5});
    esk_spec_when(spec, &command);
    esk_spec_then(spec, &registered_type, &expected);
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);

    assert_false(report.passed);
    const char *e = strstr(report.text, "    1.    expected ");
    const char *a = strstr(report.text, "          actual   ");
    const char *caret = strstr(report.text, "^ first difference");
    assert_non_null(e);
    assert_non_null(a);
    assert_non_null(caret);
    const char *caret_line = caret;
    while (caret_line[-1] != '\n')
        caret_line--;
    size_t diff = strlen("          actual   ");
    while (e[diff] == a[diff])
        diff++;
    assert_int_equal((size_t)(caret - caret_line), diff);
    assert_int_equal(e[diff], 'a');
    assert_int_equal(a[diff], 'b');
}

/* Long events go one above the other, with a caret under the first
 * character that differs; very long ones show the part around it. */
void long_events_are_compared_with_a_caret(void **state)
{
    (void)state;
    check_caret(60, 50);
    assert_null(strstr(report.text, "..."));
    check_caret(120, 110);
    assert_reported("    1.    expected ...aaa");
}

/* --- Mistakes in the spec itself ------------------------------------------ */

void a_spec_without_when_is_a_spec_error(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_then_nothing(spec);
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
    assert_false(report.passed);
    assert_reported("Spec error in Workshop: the spec has no when");
}

void a_spec_without_then_is_a_spec_error(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
    assert_false(report.passed);
    assert_reported("Spec error in Workshop: the spec has no then");
}

void expecting_events_and_an_error_is_a_spec_error(void **state)
{
    (void)state;
    esk_spec *spec = ada_registers();
    esk_spec_then_error(spec, WORKSHOP_NOT_SCHEDULED);
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
    assert_false(report.passed);
    assert_reported("Spec error in Workshop: the spec has both esk_spec_then "
                    "and esk_spec_then_error");
}

void an_expected_event_the_codec_refuses_is_a_spec_error(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_then(spec, &registered_type, &(attendee_event){"\xff"});
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
    assert_false(report.passed);
    assert_reported("Spec error in Workshop: then event 1 "
                    "(AttendeeRegistered) cannot be encoded: ");
}

void a_mutant_with_another_state_is_a_spec_error(void **state)
{
    (void)state;
    esk_decider other = workshop_decider;
    other.state_size = 8;
    run_with(ada_registers(), other);
    assert_false(report.passed);
    assert_reported("the other decider's state is 8 bytes");
}

void a_spec_that_could_not_be_created_is_reported(void **state)
{
    (void)state;
    esk_spec_given(NULL, &scheduled_type, &scheduled_w1);
    esk_spec_when(NULL, NULL);
    esk_spec_then_nothing(NULL);
    esk_spec_run(NULL, NULL, &report);
    assert_false(report.passed);
    assert_reported("the spec could not be created: out of memory");

    esk_projection_spec_given(NULL, "workshop-1", &scheduled_type,
                              &scheduled_w1);
    esk_projection_spec_run(NULL, &report);
    assert_false(report.passed);
    assert_reported("the spec could not be created: out of memory");
}

/* --- Out of memory -------------------------------------------------------- */

static void run_decider_story(void)
{
    esk_spec *spec = ada_registers();
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
}

void out_of_memory_in_a_decider_spec_is_reported(void **state)
{
    (void)state;
    fail_each_allocation_of(run_decider_story);
}

/* --- Checks that must fail the test --------------------------------------- */

void a_failing_spec_check_fails_the_test(void **state)
{
    (void)state;
    esk_spec *spec = ada_registers();
    esk_spec_then(spec, &registered_type, &(attendee_event){"bob"});
    ESK_SPEC_CHECK(spec);
}
