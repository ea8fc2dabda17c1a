/*
 * cli_fixture.h - what the runner's command tests (test_cli.c) share: the
 * copied kit, the stubs as shipped, and the tests of each file.
 */
#ifndef KATA_TESTS_CLI_FIXTURE_H
#define KATA_TESTS_CLI_FIXTURE_H

#include "harness.h"

#define GREET "exercises/01-greet/greet.c"
#define COUNT "exercises/02-count/count.c"

/* cli_fixture.c */
extern kit the_kit;
extern char *count_stub;
int make_kit(void **state);
int remove_kit(void **state);
int restore_stub(void **state);
void write_greet(const char *body);

/* cli_board_and_run.c */
void test_names_keep_their_apostrophes(void **state);
void the_board_lists_every_exercise_as_not_started(void **state);
void the_board_counts_progress_and_moves_the_next_step(void **state);
void run_of_the_stub_fails_with_its_todo_and_hint(void **state);
void run_of_a_half_done_exercise_shows_what_passes_and_what_not(void **state);
void run_of_a_finished_exercise_exits_zero(void **state);
void a_compile_error_shows_the_compiler_lines_and_nothing_else(void **state);
void what_a_suite_prints_after_its_tests_is_shown_by_run(void **state);
void a_crash_names_the_test_and_how_to_debug_it(void **state);
void a_segfault_shows_as_crashed_on_the_board(void **state);
void an_abort_is_a_crash_in_the_test_that_was_running(void **state);
void an_endless_loop_is_stopped_and_said_so(void **state);

/* cli_hints_report_and_answers.c */
void hints_come_one_tier_at_a_time_and_are_remembered(void **state);
void the_json_report_has_the_documented_shape(void **state);
void a_build_error_is_a_status_of_its_own_in_the_report(void **state);
void the_board_total_stays_while_an_exercise_does_not_build(void **state);
void the_learner_is_asked_once_when_the_system_does_not_say(void **state);
void the_solution_asks_first_until_the_exercise_passes(void **state);
void the_demo_runs_the_reference_answer_in_its_own_build(void **state);

#endif
