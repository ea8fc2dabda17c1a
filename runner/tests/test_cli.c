/*
 * test_cli.c - the runner's commands on a copy of the fixture kit: the
 * board, run (passing, failing, not compiling, crashing, looping), hints,
 * report, solution, demo, help, and wrong command lines.
 *
 * The board and run are tested in cli_board_and_run.c, hints, the report
 * and the answers in cli_hints_report_and_answers.c; this file holds help
 * and wrong command lines, and runs every test in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../fs.h"
#include "../text.h"
#include "cli_fixture.h"
#include "harness.h"

static void help_lists_every_command_and_explains_each(void **state)
{
    (void)state;
    outcome o = kit_run(&the_kit, NULL, NULL, "help", NULL);
    assert_int_equal(o.code, 0);
    const char *names[] = {"run [N]",         "watch [N]",  "hint [N]",
                           "reset N",         "solution N", "demo N",
                           "report [--json]", "selftest"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        assert_true(contains(&o, names[i]));
    /* Every key of watch, and every option, is in the overview. */
    assert_true(contains(&o, "p previous"));
    assert_true(contains(&o, "--no-color"));
    outcome_free(&o);
    o = kit_run(&the_kit, NULL, NULL, "help", "watch", NULL);
    assert_true(contains(&o, "p  the previous one"));
    outcome_free(&o);
    /* The script's own commands have their pages in the script. */
    o = kit_run(&the_kit, NULL, NULL, "help", "selftest", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "./kata help selftest describes it"));
    outcome_free(&o);
    const char *commands[] = {"board", "run",      "watch", "hint",
                              "reset", "solution", "demo",  "report"};
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        o = kit_run(&the_kit, NULL, NULL, commands[i], "--help", NULL);
        assert_int_equal(o.code, 0);
        assert_true(contains(&o, "Usage: ./kata"));
        outcome_free(&o);
    }
}

static void wrong_command_lines_say_what_is_valid_and_exit_2(void **state)
{
    (void)state;
    outcome o = kit_run(&the_kit, NULL, NULL, "frobnicate", NULL);
    assert_int_equal(o.code, 2);
    assert_true(contains(&o, "unknown command \"frobnicate\""));
    assert_true(contains(&o, "run watch hint reset solution demo report"));
    outcome_free(&o);

    o = kit_run(&the_kit, NULL, NULL, "run", "9", NULL);
    assert_int_equal(o.code, 2);
    assert_true(contains(&o, "there is no exercise \"9\""));
    assert_true(contains(&o, "01-greet"));
    assert_true(contains(&o, "02-count"));
    outcome_free(&o);

    const char *const bad[][3] = {
        {"run", "1", "2"},         {"hint", "--frob", NULL},
        {"reset", NULL, NULL},     {"solution", NULL, NULL},
        {"demo", "x", NULL},       {"board", "1", NULL},
        {"report", "--yes", NULL}, {"watch", "nope", NULL}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        o = kit_run(&the_kit, NULL, NULL, bad[i][0], bad[i][1], bad[i][2],
                    NULL);
        if (o.code != 2)
            fail_msg("`%s %s` exited %d:\n%s", bad[i][0],
                     bad[i][1] ? bad[i][1] : "", o.code, o.out);
        assert_true(contains(&o, "error:"));
        outcome_free(&o);
    }
}

static void an_unconfigured_build_folder_says_to_run_setup(void **state)
{
    (void)state;
    kit other = the_kit;
    other.build = kata_path(the_kit.dir, "nowhere");
    outcome o = kit_run(&other, NULL, NULL, "run", "1", NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "is not a configured build folder"));
    assert_true(contains(&o, "./kata setup"));
    outcome_free(&o);
    free(other.build);

    other = the_kit;
    other.root = the_kit.dir; /* no exercises/ in there */
    o = kit_run(&other, NULL, NULL, NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "has no exercises folder"));
    assert_true(contains(&o, "--root"));
    outcome_free(&o);
}

/* A failure the runner passes by (here: its cache of results cannot be
 * written, a folder is in the way) is not the reason a command did not
 * work out: a run whose tests fail says so, and no error of the cache. */
static void a_failing_run_reports_no_failure_it_passed_by(void **state)
{
    (void)state;
    kit own;
    assert_int_equal(kit_create(&own), 0);
    kit_write(&own, ".kata/results.json/in-the-way", "");
    outcome o = kit_run(&own, NULL, NULL, "run", "1", NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "0 of 2 tests pass"));
    assert_null(strstr(o.out, "error:"));
    outcome_free(&o);
    kit_destroy(&own);
}

static void explore_without_a_store_says_how_to_make_one(void **state)
{
    (void)state;
    /* The folder ./kata was called from, and the kit's root, hold no
     * workshop.db: nothing is built, and the message says what to run. */
    char *caller = kata_format("KATA_CALLER_DIR=%s", the_kit.dir);
    const char *env[] = {caller, NULL};
    outcome o = kit_run(&the_kit, NULL, env, "explore", NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "no store to explore"));
    assert_true(contains(&o, "workshop-demo demo"));
    assert_false(contains(&o, "Building the explorer"));
    outcome_free(&o);
    o = kit_run(&the_kit, NULL, NULL, "explore", "--help", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "Usage: ./kata explore [FILE | CONNINFO]"));
    outcome_free(&o);
    o = kit_run(&the_kit, NULL, NULL, "explore", "a.db", "b.db", NULL);
    assert_int_equal(o.code, 2);
    outcome_free(&o);
    free(caller);
}
int main(int argc, char **argv)
{
    harness_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_keep_their_apostrophes),
        cmocka_unit_test(a_failing_run_reports_no_failure_it_passed_by),
        cmocka_unit_test_teardown(the_board_lists_every_exercise_as_not_started,
                                  restore_stub),
        cmocka_unit_test_teardown(run_of_the_stub_fails_with_its_todo_and_hint,
                                  restore_stub),
        cmocka_unit_test_teardown(
            run_of_a_half_done_exercise_shows_what_passes_and_what_not,
            restore_stub),
        cmocka_unit_test_teardown(run_of_a_finished_exercise_exits_zero,
                                  restore_stub),
        cmocka_unit_test_teardown(
            a_compile_error_shows_the_compiler_lines_and_nothing_else,
            restore_stub),
        cmocka_unit_test(what_a_suite_prints_after_its_tests_is_shown_by_run),
        cmocka_unit_test_teardown(a_segfault_shows_as_crashed_on_the_board,
                                  restore_stub),
        cmocka_unit_test_teardown(a_crash_names_the_test_and_how_to_debug_it,
                                  restore_stub),
        cmocka_unit_test_teardown(
            an_abort_is_a_crash_in_the_test_that_was_running, restore_stub),
        cmocka_unit_test_teardown(an_endless_loop_is_stopped_and_said_so,
                                  restore_stub),
        cmocka_unit_test_teardown(
            the_board_counts_progress_and_moves_the_next_step, restore_stub),
        cmocka_unit_test_teardown(
            hints_come_one_tier_at_a_time_and_are_remembered, restore_stub),
        cmocka_unit_test_teardown(
            the_board_total_stays_while_an_exercise_does_not_build,
            restore_stub),
        cmocka_unit_test(
            the_learner_is_asked_once_when_the_system_does_not_say),
        cmocka_unit_test_teardown(the_json_report_has_the_documented_shape,
                                  restore_stub),
        cmocka_unit_test_teardown(
            a_build_error_is_a_status_of_its_own_in_the_report, restore_stub),
        cmocka_unit_test_teardown(
            the_solution_asks_first_until_the_exercise_passes, restore_stub),
        cmocka_unit_test_teardown(
            the_demo_runs_the_reference_answer_in_its_own_build, restore_stub),
        cmocka_unit_test(help_lists_every_command_and_explains_each),
        cmocka_unit_test(wrong_command_lines_say_what_is_valid_and_exit_2),
        cmocka_unit_test(an_unconfigured_build_folder_says_to_run_setup),
        cmocka_unit_test(explore_without_a_store_says_how_to_make_one),
    };
    return cmocka_run_group_tests(tests, make_kit, remove_kit);
}
