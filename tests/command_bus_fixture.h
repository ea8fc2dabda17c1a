/*
 * tests/command_bus_fixture.h - what the command bus tests share: a bus
 * with the workshop's handler, a trace of what ran, a log captured.
 */
#ifndef ESK_TESTS_COMMAND_BUS_FIXTURE_H
#define ESK_TESTS_COMMAND_BUS_FIXTURE_H

#include <stddef.h>

#include "esk/command_bus.h"
#include "workshop_decider.h"

esk_command command(const char *type, const char *id, const void *payload);

extern const workshop_command schedule_ten;

/* What the handlers and middleware below saw. */
extern int handler_calls;
extern char trace[128];
void trace_add(const char *step);

/* The handler learners write: a few lines. */
esk_status on_workshop(esk_context *ctx, const esk_command *cmd, void *data);
/* A handler that fails with ESK_EIO and no message. */
esk_status fail_quietly(esk_context *ctx, const esk_command *cmd, void *data);

/* A bus on store with on_workshop for ScheduleWorkshop and
 * RegisterAttendee; the counters above reset. */
esk_bus *new_bus(esk_store *store);
/* The same, behind the idempotency middleware. */
esk_bus *new_idempotent_bus(esk_store *store);

void metadata_of_first_event(esk_store *store, const char *key, char *buf,
                             size_t size);

/* A log sink's lines, the first four kept. */
typedef struct captured {
    char lines[4][512];
    int count;
} captured;

void capture(void *ctx, const char *line);
/* The line without its duration, which varies: "... (0.03 ms)". */
void assert_logged(const char *line, const char *expected);

/* --- The tests, by file --------------------------------------------------- */

/* command_bus_dispatch.c */
void registering_a_type_twice_is_refused(void **state);
void an_unknown_type_lists_the_registered_types(void **state);
void an_empty_bus_says_that_nothing_is_registered(void **state);
void the_list_of_types_is_cut_when_it_is_too_long(void **state);
void malformed_commands_are_invalid_and_say_why(void **state);
void null_arguments_are_refused(void **state);
void the_result_tells_what_the_handler_wrote(void **state);
void a_domain_refusal_fills_code_and_message(void **state);
void a_failing_handler_without_a_message_gets_one(void **state);
void a_handler_may_not_call_esk_next(void **state);
void failing_with_esk_ok_is_itself_an_error(void **state);

/* command_bus_middleware.c */
void a_refusing_before_middleware_keeps_the_handler_from_running(void **state);
void a_silent_refusal_names_the_middleware(void **state);
void a_before_middleware_can_set_the_correlation_id(void **state);
void a_before_middleware_can_map_a_type_to_another_handler(void **state);
void middleware_runs_in_registration_order(void **state);
void events_carry_the_correlation_and_causation_ids(void **state);
void a_command_without_correlation_starts_its_own(void **state);
void logging_writes_one_line_per_command(void **state);
void logging_names_empty_outcomes_and_attempts(void **state);
void retry_runs_a_conflicting_handler_again(void **state);
void retry_gives_up_after_max_attempts(void **state);
void each_retry_starts_from_a_fresh_outcome(void **state);

/* command_bus_idempotency.c */
void a_repeated_command_gets_its_first_outcome_and_writes_nothing(void **state);
void a_domain_refusal_is_recorded_too(void **state);
void a_conflict_is_not_recorded_so_the_command_can_be_sent_again(void **state);
void a_failed_handler_leaves_none_of_its_writes(void **state);
void a_command_id_reused_for_another_type_is_refused(void **state);
void a_command_id_reused_with_another_payload_is_refused(void **state);
void the_recorded_outcome_is_the_json_jansson_writes(void **state);
void a_command_id_resent_with_or_without_payload_json_is_refused(void **state);
void an_outcome_recorded_without_its_payload_is_compared_by_type(void **state);
void an_outcome_record_esk_did_not_write_is_reported(void **state);
void logging_marks_a_duplicate(void **state);

#endif
