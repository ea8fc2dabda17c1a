/*
 * tests/testing_fixture.h - what the tests of the given/when/then kit
 * (esk/testing.h) share: a checked allocator that can fail one chosen
 * allocation, a small workshop modelled as a decider with its mutants,
 * and the last report, with a look at it.
 */
#ifndef ESK_TESTS_TESTING_FIXTURE_H
#define ESK_TESTS_TESTING_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esk/testing.h"

/* Route esk's allocations through cmocka's, so that every test also fails
 * if it leaks a block. */
void *test_malloc_fn(size_t size);
void *test_realloc_fn(void *ptr, size_t size);
void test_free_fn(void *ptr);
/* Fail every allocation of a story in turn: each run must report it
 * (never crash or leak), until a run without a failure passes. */
void fail_each_allocation_of(void (*run)(void));

/* --- The workshop's events ------------------------------------------------ */

typedef struct workshop_scheduled {
    char workshop_id[32];
    int64_t capacity;
} workshop_scheduled;

typedef struct attendee_event {
    char attendee[128];
} attendee_event;

extern const esk_event_type scheduled_type;
extern const esk_event_type registered_type;
extern const esk_event_type waitlisted_type;
extern const esk_event_type *const workshop_events[3];

enum { WORKSHOP_NOT_SCHEDULED = 1, WORKSHOP_ALREADY_SCHEDULED = 2 };

extern const workshop_scheduled scheduled_w1;

/* --- The workshop as a decider -------------------------------------------- */

typedef struct workshop_state {
    bool scheduled;
    int64_t capacity;
    int64_t taken;
    char last_attendee[128];
} workshop_state;

typedef struct register_attendee {
    char attendee[128];
} register_attendee;

extern const esk_decider workshop_decider;

/* The same decider with another decide(): a mutant with one mistake. */
esk_decider mutant(esk_status (*decide)(const void *, const void *,
                                        esk_decision *));
/* The mutants, each with one mistake its name says. */
esk_status waitlists_everyone(const void *state, const void *command,
                              esk_decision *decision);
esk_status decides_nothing(const void *state, const void *command,
                           esk_decision *decision);
esk_status registers_twice(const void *state, const void *command,
                           esk_decision *decision);
esk_status refuses_with_wrong_code(const void *state, const void *command,
                                   esk_decision *decision);
esk_status refuses_everything(const void *state, const void *command,
                              esk_decision *decision);
esk_status forgets_who_registered(const void *state, const void *command,
                                  esk_decision *decision);
esk_status writes_the_state(const void *state, const void *command,
                            esk_decision *decision);
esk_status changes_its_mind(const void *state, const void *command,
                            esk_decision *decision);
esk_status not_written_yet(const void *state, const void *command,
                           esk_decision *decision);
/* The same decider, with the hooks that let a report speak the domain's
 * words: the command, the refusal's name, the state. */
esk_decider described(esk_status (*decide)(const void *, const void *,
                                           esk_decision *));

/* The story most tests tell: a workshop with one seat, ada registers. */
esk_spec *ada_registers(void);

/* The last report, and running a spec against a decider into it. */
extern esk_spec_report report;
void run_with(esk_spec *spec, esk_decider d);

/* Whether the last report says this, with a look at it when not. */
bool reported(const char *words);
#define assert_reported(words) assert_true(reported(words))

/* --- The tests, by file --------------------------------------------------- */

/* testing_decider_specs.c */
void a_free_seat_is_taken_by_whoever_registers(void **state);
void a_full_workshop_waitlists_the_next_attendee(void **state);
void registering_for_an_unscheduled_workshop_is_refused(void **state);
void registering_again_changes_nothing(void **state);
void a_passing_run_reports_nothing(void **state);
void a_wrong_event_is_shown_beside_the_expected_one(void **state);
void a_missing_event_is_reported(void **state);
void an_extra_event_is_reported(void **state);
void a_wrong_error_code_is_reported(void **state);
void a_report_names_the_command_and_the_refusal(void **state);
void a_refusal_without_a_name_is_reported_by_its_number(void **state);
void events_where_an_error_was_expected_are_reported(void **state);
void an_error_where_events_were_expected_shows_its_message(void **state);
void events_where_nothing_was_expected_are_reported(void **state);
void a_decide_that_writes_the_state_is_caught(void **state);
void a_state_written_by_decide_is_shown_before_and_after(void **state);
void a_state_written_by_decide_is_named_by_its_field_offset(void **state);
void only_a_written_state_gives_a_hint_about_mutation(void **state);
void a_decide_that_changes_its_mind_is_caught(void **state);
void a_decide_not_written_yet_is_reported_as_such(void **state);
void long_events_are_compared_with_a_caret(void **state);
void a_spec_without_when_is_a_spec_error(void **state);
void a_spec_without_then_is_a_spec_error(void **state);
void expecting_events_and_an_error_is_a_spec_error(void **state);
void an_expected_event_the_codec_refuses_is_a_spec_error(void **state);
void a_mutant_with_another_state_is_a_spec_error(void **state);
void a_spec_that_could_not_be_created_is_reported(void **state);
void out_of_memory_in_a_decider_spec_is_reported(void **state);
void a_failing_spec_check_fails_the_test(void **state);

/* testing_aggregate_specs.c */
void an_aggregate_raises_the_expected_events(void **state);
void an_aggregate_refusal_is_checked_by_its_code(void **state);
void an_aggregate_refusal_shows_its_message(void **state);
void state_changed_outside_evolve_is_caught(void **state);
void raising_then_refusing_is_caught(void **state);
void an_aggregate_spec_refuses_a_decider_and_a_command(void **state);
void out_of_memory_in_an_aggregate_spec_is_reported(void **state);

/* testing_projection_specs.c */
void a_projection_builds_the_expected_rows(void **state);
void wrong_rows_are_shown_beside_the_expected_ones(void **state);
void a_handler_that_counts_twice_is_not_idempotent(void **state);
void rows_of_a_memory_store_are_a_spec_error(void **state);
void a_failing_handler_is_reported_with_its_event(void **state);
void a_read_model_in_ctx_gives_the_expected_text(void **state);
void a_read_model_in_ctx_that_counts_twice_is_caught(void **state);
void a_projection_spec_without_expectation_is_a_spec_error(void **state);
void out_of_memory_in_a_projection_spec_is_reported(void **state);
void a_failing_projection_check_fails_the_test(void **state);

#endif
