/*
 * tests/conformance/conformance_fixture.h - what the store rules share:
 * the backend under test, a fresh store with a known clock, small helpers
 * to append and look, and the tests of each file, which
 * esk_conformance_run (conformance.c) lists in order.
 *
 * Internal to the esk_conformance library.
 */
#ifndef ESK_CONFORMANCE_FIXTURE_H
#define ESK_CONFORMANCE_FIXTURE_H

#include <stdint.h>

#include <esk/store_backend.h>

#include "conformance.h"

#define CLOCK_START INT64_C(1795770000000000)

typedef struct fixture {
    esk_store *store;
    esk_time now;
    esk_event_list list;
} fixture;

typedef struct recorder {
    int calls;
    size_t events;
    int64_t last_position;
    int64_t last_version;
    char last_type[32];
} recorder;

/* conformance_fixture.c */
extern const esk_conformance_backend *conformance_backend;
void conformance_open_fixture(fixture *f);
void conformance_close_fixture(fixture *f);
esk_new_event conformance_ev(const char *type, const char *data);
esk_status conformance_append1(fixture *f, const char *stream, int64_t expected,
                               const char *type, const char *data);
int64_t conformance_version_of(fixture *f, const char *stream);
int64_t conformance_head_of(fixture *f);
void conformance_assert_message_contains(fixture *f, const char *part);
void conformance_fill_stream(fixture *f, const char *stream, int n);

/* conformance_appends.c */
void a_new_stream_is_at_version_zero(void **state);
void the_first_event_of_a_stream_has_version_one(void **state);
void a_batch_gets_consecutive_versions_and_positions(void **state);
void positions_increase_without_gaps_across_streams(void **state);
void many_streams_keep_their_own_order(void **state);
void append_expecting_any_succeeds_whatever_the_version(void **state);
void append_expecting_no_stream_fails_once_the_stream_exists(void **state);
void expected_version_zero_means_no_stream(void **state);
void append_expecting_stream_exists_fails_on_a_new_stream(void **state);
void append_with_the_exact_version_succeeds(void **state);
void append_with_a_stale_version_is_rejected_naming_both_versions(void **state);
void append_with_a_version_ahead_of_the_stream_is_rejected(void **state);
void unknown_expected_version_values_are_invalid(void **state);
void null_arguments_are_refused_without_a_crash(void **state);
void an_empty_batch_is_refused(void **state);
void empty_and_over_long_stream_ids_are_refused(void **state);
void stream_ids_that_are_not_utf8_are_refused(void **state);
void data_that_is_not_json_is_refused_and_nothing_is_written(void **state);
void deeply_nested_data_is_refused(void **state);
void metadata_must_be_a_json_object(void **state);
void schema_versions_below_one_are_refused(void **state);
void quotes_percent_signs_and_unicode_are_stored_verbatim(void **state);
void a_stream_id_with_quotes_keeps_its_own_version(void **state);
void generated_event_ids_are_increasing_uuid_v7_of_the_recorded_millisecond(
    void **state);
void recorded_at_comes_from_the_injected_clock(void **state);
void times_before_1970_and_at_the_range_ends_read_back(void **state);
void every_envelope_field_reads_back_as_written(void **state);
void the_message_is_cleared_by_a_success(void **state);

/* conformance_idempotency.c */
void sending_the_same_batch_again_returns_the_first_result(void **state);
void sending_the_same_batch_again_with_any_writes_nothing(void **state);
void a_batch_that_partly_overlaps_stored_ids_is_refused(void **state);
void a_stored_id_sent_to_another_stream_is_refused(void **state);
void an_id_the_store_made_is_refused_when_a_caller_sends_it(void **state);
void a_batch_sharing_type_and_metadata_texts_keeps_each_event_its_own(
    void **state);
void a_stored_batch_sent_at_another_expected_version_is_refused(void **state);
void a_stored_id_sent_with_another_type_is_refused(void **state);
void a_stored_id_sent_with_other_data_is_refused(void **state);
void a_stored_id_sent_with_other_metadata_is_refused(void **state);
void a_stored_id_sent_with_another_schema_version_is_refused(void **state);
void part_of_a_stored_batch_sent_alone_is_refused(void **state);
void two_stored_batches_sent_as_one_are_refused(void **state);
void a_stored_batch_sent_in_another_order_is_refused(void **state);
void an_exact_resend_returns_the_first_result_after_other_appends(void **state);
void a_batch_that_created_its_stream_is_no_replay_for_an_existing_stream(
    void **state);
void the_same_id_twice_in_one_batch_is_refused(void **state);
void a_batch_mixing_given_and_missing_ids_is_refused(void **state);

/* conformance_reads.c */
void a_stream_reads_forward_from_a_version_up_to_a_count(void **state);
void an_absent_stream_reads_as_empty(void **state);
void a_stream_reads_backward_from_the_end_or_a_version(void **state);
void a_list_can_be_reused_and_keeps_earlier_strings_until_then(void **state);
void all_events_read_in_global_order_after_a_position(void **state);
void paging_through_all_events_sees_each_exactly_once(void **state);
void all_events_filter_by_category(void **state);
void all_events_filter_by_type_and_count_after_filtering(void **state);
void malformed_filters_are_refused(void **state);

/* conformance_wait.c */
void waiting_for_an_event_already_stored_returns_at_once(void **state);
void a_wait_that_times_out_leaves_the_head_as_it_was(void **state);
void waiting_inside_a_transaction_or_with_bad_arguments_is_refused(
    void **state);

/* conformance_hooks.c */
void conformance_record(void *ctx, const esk_event *events, size_t n);
void subscribers_see_each_committed_batch_once(void **state);
void a_subscriber_is_registered_once(void **state);
void a_subscriber_removing_itself_leaves_the_others_their_batch(void **state);
void a_subscriber_removed_before_its_turn_is_not_called(void **state);
void a_subscriber_added_during_a_call_hears_from_the_next_batch(void **state);
void an_inline_handler_runs_inside_the_append(void **state);
void an_inline_handler_removing_itself_leaves_the_others_their_batch(
    void **state);
void an_inline_handler_cannot_end_the_appends_transaction(void **state);
void an_inline_handler_leaving_a_transaction_open_fails_the_append(
    void **state);
void an_inline_handler_removed_or_added_during_a_call_waits_its_turn(
    void **state);
void a_failing_inline_handler_fails_the_append_and_writes_nothing(void **state);

/* conformance_transactions.c */
void a_committed_transaction_keeps_all_its_appends(void **state);
void a_rolled_back_transaction_keeps_none_of_its_appends(void **state);
void a_failed_append_inside_a_transaction_undoes_only_itself(void **state);
void a_nested_rollback_undoes_only_the_inner_part(void **state);
void commit_and_rollback_need_an_open_transaction(void **state);
void subscribers_hear_of_a_transaction_only_when_it_commits(void **state);

/* conformance_records.c */
void records_of_each_kind_read_back_as_written(void **state);
void a_missing_record_is_not_found(void **state);
void a_record_is_replaced_and_a_rollback_restores_it(void **state);
void malformed_records_are_refused(void **state);

#endif
