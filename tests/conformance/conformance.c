/*
 * tests/conformance/conformance.c - every rule of esk/store.h, as tests.
 *
 * Each test opens a fresh store from the backend under test, so tests are
 * independent and can be read one at a time. The rules live in
 * conformance_<theme>.c; this file runs them in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <esk/store_backend.h>

#include "conformance.h"
#include "conformance_fixture.h"

int esk_conformance_run(const esk_conformance_backend *under_test)
{
    conformance_backend = under_test;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_new_stream_is_at_version_zero),
        cmocka_unit_test(the_first_event_of_a_stream_has_version_one),
        cmocka_unit_test(a_batch_gets_consecutive_versions_and_positions),
        cmocka_unit_test(positions_increase_without_gaps_across_streams),
        cmocka_unit_test(many_streams_keep_their_own_order),
        cmocka_unit_test(append_expecting_any_succeeds_whatever_the_version),
        cmocka_unit_test(
            append_expecting_no_stream_fails_once_the_stream_exists),
        cmocka_unit_test(expected_version_zero_means_no_stream),
        cmocka_unit_test(append_expecting_stream_exists_fails_on_a_new_stream),
        cmocka_unit_test(append_with_the_exact_version_succeeds),
        cmocka_unit_test(
            append_with_a_stale_version_is_rejected_naming_both_versions),
        cmocka_unit_test(append_with_a_version_ahead_of_the_stream_is_rejected),
        cmocka_unit_test(unknown_expected_version_values_are_invalid),
        cmocka_unit_test(null_arguments_are_refused_without_a_crash),
        cmocka_unit_test(an_empty_batch_is_refused),
        cmocka_unit_test(empty_and_over_long_stream_ids_are_refused),
        cmocka_unit_test(stream_ids_that_are_not_utf8_are_refused),
        cmocka_unit_test(
            data_that_is_not_json_is_refused_and_nothing_is_written),
        cmocka_unit_test(deeply_nested_data_is_refused),
        cmocka_unit_test(metadata_must_be_a_json_object),
        cmocka_unit_test(schema_versions_below_one_are_refused),
        cmocka_unit_test(quotes_percent_signs_and_unicode_are_stored_verbatim),
        cmocka_unit_test(a_stream_id_with_quotes_keeps_its_own_version),
        cmocka_unit_test(
            generated_event_ids_are_increasing_uuid_v7_of_the_recorded_millisecond),
        cmocka_unit_test(recorded_at_comes_from_the_injected_clock),
        cmocka_unit_test(times_before_1970_and_at_the_range_ends_read_back),
        cmocka_unit_test(every_envelope_field_reads_back_as_written),
        cmocka_unit_test(sending_the_same_batch_again_returns_the_first_result),
        cmocka_unit_test(sending_the_same_batch_again_with_any_writes_nothing),
        cmocka_unit_test(a_batch_that_partly_overlaps_stored_ids_is_refused),
        cmocka_unit_test(a_stored_id_sent_to_another_stream_is_refused),
        cmocka_unit_test(
            an_id_the_store_made_is_refused_when_a_caller_sends_it),
        cmocka_unit_test(
            a_batch_sharing_type_and_metadata_texts_keeps_each_event_its_own),
        cmocka_unit_test(
            a_stored_batch_sent_at_another_expected_version_is_refused),
        cmocka_unit_test(a_stored_id_sent_with_another_type_is_refused),
        cmocka_unit_test(a_stored_id_sent_with_other_data_is_refused),
        cmocka_unit_test(a_stored_id_sent_with_other_metadata_is_refused),
        cmocka_unit_test(
            a_stored_id_sent_with_another_schema_version_is_refused),
        cmocka_unit_test(part_of_a_stored_batch_sent_alone_is_refused),
        cmocka_unit_test(two_stored_batches_sent_as_one_are_refused),
        cmocka_unit_test(a_stored_batch_sent_in_another_order_is_refused),
        cmocka_unit_test(
            an_exact_resend_returns_the_first_result_after_other_appends),
        cmocka_unit_test(
            a_batch_that_created_its_stream_is_no_replay_for_an_existing_stream),
        cmocka_unit_test(the_same_id_twice_in_one_batch_is_refused),
        cmocka_unit_test(a_batch_mixing_given_and_missing_ids_is_refused),
        cmocka_unit_test(a_stream_reads_forward_from_a_version_up_to_a_count),
        cmocka_unit_test(an_absent_stream_reads_as_empty),
        cmocka_unit_test(a_stream_reads_backward_from_the_end_or_a_version),
        cmocka_unit_test(
            a_list_can_be_reused_and_keeps_earlier_strings_until_then),
        cmocka_unit_test(all_events_read_in_global_order_after_a_position),
        cmocka_unit_test(paging_through_all_events_sees_each_exactly_once),
        cmocka_unit_test(all_events_filter_by_category),
        cmocka_unit_test(all_events_filter_by_type_and_count_after_filtering),
        cmocka_unit_test(malformed_filters_are_refused),
        cmocka_unit_test(waiting_for_an_event_already_stored_returns_at_once),
        cmocka_unit_test(a_wait_that_times_out_leaves_the_head_as_it_was),
        cmocka_unit_test(
            waiting_inside_a_transaction_or_with_bad_arguments_is_refused),
        cmocka_unit_test(subscribers_see_each_committed_batch_once),
        cmocka_unit_test(a_subscriber_is_registered_once),
        cmocka_unit_test(
            a_subscriber_removing_itself_leaves_the_others_their_batch),
        cmocka_unit_test(a_subscriber_removed_before_its_turn_is_not_called),
        cmocka_unit_test(
            a_subscriber_added_during_a_call_hears_from_the_next_batch),
        cmocka_unit_test(the_message_is_cleared_by_a_success),
        cmocka_unit_test(a_committed_transaction_keeps_all_its_appends),
        cmocka_unit_test(a_rolled_back_transaction_keeps_none_of_its_appends),
        cmocka_unit_test(
            a_failed_append_inside_a_transaction_undoes_only_itself),
        cmocka_unit_test(a_nested_rollback_undoes_only_the_inner_part),
        cmocka_unit_test(commit_and_rollback_need_an_open_transaction),
        cmocka_unit_test(
            subscribers_hear_of_a_transaction_only_when_it_commits),
        cmocka_unit_test(records_of_each_kind_read_back_as_written),
        cmocka_unit_test(a_missing_record_is_not_found),
        cmocka_unit_test(a_record_is_replaced_and_a_rollback_restores_it),
        cmocka_unit_test(malformed_records_are_refused),
        cmocka_unit_test(an_inline_handler_runs_inside_the_append),
        cmocka_unit_test(
            a_failing_inline_handler_fails_the_append_and_writes_nothing),
        cmocka_unit_test(
            an_inline_handler_removing_itself_leaves_the_others_their_batch),
        cmocka_unit_test(
            an_inline_handler_removed_or_added_during_a_call_waits_its_turn),
        cmocka_unit_test(an_inline_handler_cannot_end_the_appends_transaction),
        cmocka_unit_test(
            an_inline_handler_leaving_a_transaction_open_fails_the_append),
    };
    return _cmocka_run_group_tests(conformance_backend->name, tests,
                                   sizeof(tests) / sizeof(tests[0]), NULL,
                                   NULL);
}
