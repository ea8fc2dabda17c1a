/*
 * tests/decider_fixture.h - what the tests of esk_decider_handle share:
 * the workshop's commands, and handling one on workshop "w-1".
 */
#ifndef ESK_TESTS_DECIDER_FIXTURE_H
#define ESK_TESTS_DECIDER_FIXTURE_H

#include "esk/decider.h"
#include "workshop_decider.h"

extern const workshop_command schedule_ten;
extern const workshop_command schedule_two;

workshop_command register_(const char *attendee);

/* Handle a command on workshop "w-1" with the default options. */
esk_status handle(esk_store *store, const workshop_command *command,
                  esk_handle_result *result);

/* --- The tests, by file --------------------------------------------------- */

/* decider_handle.c */
void handle_appends_expecting_the_loaded_version(void **state);
void handle_returns_the_decision_it_appended(void **state);
void a_stream_created_meanwhile_is_a_conflict(void **state);
void handle_retries_a_conflict_and_decides_again(void **state);
void handle_with_one_attempt_returns_the_conflict(void **state);
void conflicts_on_every_attempt_give_up_after_max_attempts(void **state);
void a_refusal_writes_nothing_and_fills_the_decision(void **state);
void stored_events_carry_the_metadata_given(void **state);
void the_result_says_when_the_stream_has_ended(void **state);
void deciding_nothing_appends_nothing(void **state);

/* decider_handle_checks.c */
void a_decide_that_changes_the_state_is_caught(void **state);
void a_refusal_without_reject_is_explained(void **state);
void an_event_type_the_decider_does_not_know_is_refused(void **state);
void handle_stops_at_an_unknown_type_unless_told_to_skip(void **state);
void an_undecodable_stored_event_names_stream_and_version(void **state);
void upcasters_turn_old_events_into_todays_before_folding(void **state);
void a_long_stream_is_loaded_whole(void **state);
void handle_refuses_bad_arguments_with_a_message(void **state);
void success_leaves_an_empty_error(void **state);
void every_allocation_failure_is_reported_and_writes_nothing(void **state);

#endif
