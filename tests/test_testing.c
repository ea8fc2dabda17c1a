/*
 * tests/test_testing.c - the given/when/then kit: it passes good models,
 * and it catches every kind of wrong one, with a report that says how.
 *
 * A small workshop is modelled three ways (decider, aggregate, read
 * model); the wrong models are variants with one mistake each, run with
 * esk_spec_run so that their failure can be inspected. The tests are in
 * testing_decider_specs.c, testing_aggregate_specs.c and
 * testing_projection_specs.c; what they share is in testing_fixture.[ch].
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "testing_fixture.h"

int main(void)
{
    const esk_allocator checked = {test_malloc_fn, test_realloc_fn,
                                   test_free_fn};
    esk_set_allocator(&checked);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_free_seat_is_taken_by_whoever_registers),
        cmocka_unit_test(a_full_workshop_waitlists_the_next_attendee),
        cmocka_unit_test(registering_for_an_unscheduled_workshop_is_refused),
        cmocka_unit_test(registering_again_changes_nothing),
        cmocka_unit_test(a_passing_run_reports_nothing),
        cmocka_unit_test(a_wrong_event_is_shown_beside_the_expected_one),
        cmocka_unit_test(a_missing_event_is_reported),
        cmocka_unit_test(an_extra_event_is_reported),
        cmocka_unit_test(a_wrong_error_code_is_reported),
        cmocka_unit_test(a_report_names_the_command_and_the_refusal),
        cmocka_unit_test(a_refusal_without_a_name_is_reported_by_its_number),
        cmocka_unit_test(events_where_an_error_was_expected_are_reported),
        cmocka_unit_test(an_error_where_events_were_expected_shows_its_message),
        cmocka_unit_test(events_where_nothing_was_expected_are_reported),
        cmocka_unit_test(a_decide_that_writes_the_state_is_caught),
        cmocka_unit_test(a_state_written_by_decide_is_shown_before_and_after),
        cmocka_unit_test(
            a_state_written_by_decide_is_named_by_its_field_offset),
        cmocka_unit_test(only_a_written_state_gives_a_hint_about_mutation),
        cmocka_unit_test(a_decide_that_changes_its_mind_is_caught),
        cmocka_unit_test(a_decide_not_written_yet_is_reported_as_such),
        cmocka_unit_test(long_events_are_compared_with_a_caret),
        cmocka_unit_test(a_spec_without_when_is_a_spec_error),
        cmocka_unit_test(a_spec_without_then_is_a_spec_error),
        cmocka_unit_test(expecting_events_and_an_error_is_a_spec_error),
        cmocka_unit_test(an_expected_event_the_codec_refuses_is_a_spec_error),
        cmocka_unit_test(a_mutant_with_another_state_is_a_spec_error),
        cmocka_unit_test(a_spec_that_could_not_be_created_is_reported),
        cmocka_unit_test(an_aggregate_raises_the_expected_events),
        cmocka_unit_test(an_aggregate_refusal_is_checked_by_its_code),
        cmocka_unit_test(an_aggregate_refusal_shows_its_message),
        cmocka_unit_test(state_changed_outside_evolve_is_caught),
        cmocka_unit_test(raising_then_refusing_is_caught),
        cmocka_unit_test(an_aggregate_spec_refuses_a_decider_and_a_command),
        cmocka_unit_test(a_projection_builds_the_expected_rows),
        cmocka_unit_test(wrong_rows_are_shown_beside_the_expected_ones),
        cmocka_unit_test(a_handler_that_counts_twice_is_not_idempotent),
        cmocka_unit_test(rows_of_a_memory_store_are_a_spec_error),
        cmocka_unit_test(a_failing_handler_is_reported_with_its_event),
        cmocka_unit_test(a_read_model_in_ctx_gives_the_expected_text),
        cmocka_unit_test(a_read_model_in_ctx_that_counts_twice_is_caught),
        cmocka_unit_test(a_projection_spec_without_expectation_is_a_spec_error),
        cmocka_unit_test(out_of_memory_in_a_decider_spec_is_reported),
        cmocka_unit_test(out_of_memory_in_an_aggregate_spec_is_reported),
        cmocka_unit_test(out_of_memory_in_a_projection_spec_is_reported),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);

    /* These must fail: the report they print below is expected. */
    const struct CMUnitTest must_fail[] = {
        cmocka_unit_test(a_failing_spec_check_fails_the_test),
        cmocka_unit_test(a_failing_projection_check_fails_the_test),
    };
    fprintf(stderr, "\nThe next 2 tests must fail, printing their report:\n");
    int expected_failures = cmocka_run_group_tests_name("checks_that_must_fail",
                                                        must_fail, NULL, NULL);
    if (expected_failures != 2) {
        fprintf(stderr, "%d of the 2 checks that must fail did fail\n",
                expected_failures);
        failed++;
    }
    return failed;
}
