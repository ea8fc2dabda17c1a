/*
 * test_cli.c - the runner's commands on a copy of the fixture kit: the
 * board, run (passing, failing, not compiling, crashing, looping), hints,
 * report, solution, demo, help, and wrong command lines.
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
#include "harness.h"

#define GREET "exercises/01-greet/greet.c"
#define COUNT "exercises/02-count/count.c"

static kit the_kit;
static char *greet_stub;
static char *count_stub;

static int make_kit(void **state)
{
    (void)state;
    if (kit_create(&the_kit) != 0)
        return -1;
    greet_stub = kit_read(&the_kit, GREET);
    count_stub = kit_read(&the_kit, COUNT);
    return 0;
}

static int remove_kit(void **state)
{
    (void)state;
    kit_destroy(&the_kit);
    free(greet_stub);
    free(count_stub);
    return 0;
}

/* Every test leaves exercise 1 as shipped. */
static int restore_stub(void **state)
{
    (void)state;
    kit_write(&the_kit, GREET, greet_stub);
    return 0;
}

static void write_greet(const char *body)
{
    char *text = kata_format("#include <stdlib.h>\n#include \"greet.h\"\n"
                             "const char *greet(void)\n{\n%s\n}\n",
                             body);
    kit_write(&the_kit, GREET, text);
    free(text);
}

static void test_names_keep_their_apostrophes(void **state)
{
    (void)state;
    const char *names[][2] = {
        {"a_workshop_s_seats_can_t_go_below_zero",
         "a workshop's seats can't go below zero"},
        {"the_attendee_s", "the attendee's"},
        {"it_doesn_t", "it doesn't"},
        {"tests_pass", "tests pass"},
        {"a_seat_is_taken", "a seat is taken"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char *title = kata_test_title(names[i][0]);
        assert_string_equal(title, names[i][1]);
        free(title);
    }
}

static void the_board_lists_every_exercise_as_not_started(void **state)
{
    (void)state;
    outcome o = kit_run(&the_kit, NULL, NULL, NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "Greet: say hello"));
    assert_true(contains(&o, "Count: words in a line"));
    assert_true(contains(&o, "5 min"));
    assert_true(contains(&o, "not started"));
    assert_true(contains(&o, "0 of 5 tests pass"));
    assert_true(contains(&o, "next: read exercises/01-greet/README.md, then "
                             "`./kata watch 1`"));
    /* Piped output is plain text. */
    assert_null(strchr(o.out, '\033'));
    outcome_free(&o);
}

static void the_board_counts_progress_and_moves_the_next_step(void **state)
{
    (void)state;
    kit_copy(&the_kit, "solutions/01-greet/greet.c", GREET);
    kit_write(&the_kit, COUNT,
              "#include \"count.h\"\nint count_words(const char *t)\n"
              "{\n    return t[0] ? 1 : 0;\n}\n");
    outcome o = kit_run(&the_kit, NULL, NULL, "board", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "done"));
    assert_true(contains(&o, "2 of 3 tests passing"));
    assert_true(contains(&o, "4 of 5 tests pass"));
    assert_true(contains(&o, "1 of 2 exercises done"));
    assert_true(contains(&o, "carry on with exercise 2: `./kata watch 2`"));
    outcome_free(&o);
    kit_copy(&the_kit, "solutions/02-count/count.c", COUNT);
    o = kit_run(&the_kit, NULL, NULL, NULL);
    assert_true(contains(&o, "All 2 exercises are done."));
    outcome_free(&o);
    /* Back to the stub: the exercise is "not started" again. */
    kit_write(&the_kit, COUNT, count_stub);
    o = kit_run(&the_kit, NULL, NULL, NULL);
    assert_true(contains(&o, "next: read exercises/02-count/README.md"));
    outcome_free(&o);
}

static void run_of_the_stub_fails_with_its_todo_and_hint(void **state)
{
    (void)state;
    outcome o = kit_run(&the_kit, NULL, NULL, "run", "1", NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "FAIL greet returns a string"));
    assert_true(
        contains(&o, "TODO: write greet() in exercises/01-greet/greet.c"));
    assert_true(contains(&o, "HINT: greet() returns a string, never NULL."));
    assert_true(contains(&o, "at exercises/01-greet/test_01-greet.c:"));
    assert_true(contains(&o, "0 of 2 tests pass"));
    assert_true(contains(&o, "You have not changed the stub yet"));
    outcome_free(&o);
}

static void
run_of_a_half_done_exercise_shows_what_passes_and_what_not(void **state)
{
    (void)state;
    write_greet("    return \"hi\";");
    outcome o = kit_run(&the_kit, NULL, NULL, "run", "01-greet", NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "PASS greet returns a string"));
    assert_true(contains(&o, "FAIL greet says hello"));
    assert_true(contains(&o, "HINT: The greeting is exactly \"hello\"."));
    assert_true(contains(&o, "1 of 2 tests pass"));
    outcome_free(&o);
}

static void run_of_a_finished_exercise_exits_zero(void **state)
{
    (void)state;
    kit_copy(&the_kit, "solutions/01-greet/greet.c", GREET);
    outcome o = kit_run(&the_kit, NULL, NULL, "run", "1", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "2 of 2 tests pass"));
    assert_true(contains(&o, "Exercise 1 is done."));
    assert_true(contains(&o, "Next: `./kata watch 2`"));
    outcome_free(&o);
}

static void
a_compile_error_shows_the_compiler_lines_and_nothing_else(void **state)
{
    (void)state;
    write_greet("    return \"hello\"\n");
    outcome o = kit_run(&the_kit, NULL, NULL, "run", "1", NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "does not build"));
    assert_true(contains(&o, "exercises/01-greet/greet.c:5"));
    assert_true(contains(&o, "error"));
    /* The build tools' chatter is filtered out... */
    assert_null(strstr(o.out, "ninja"));
    assert_null(strstr(o.out, "make["));
    assert_null(strstr(o.out, "FAILED:"));
    assert_null(strstr(o.out, "Building C"));
    assert_null(strstr(o.out, " -o "));
    /* ... and the paths are the learner's, not the machine's. */
    assert_null(strstr(o.out, the_kit.root));
    outcome_free(&o);

    o = kit_run(&the_kit, NULL, NULL, NULL);
    assert_true(contains(&o, "does not build"));
    assert_true(contains(&o, "exercise 1 does not build: `./kata run 1`"));
    outcome_free(&o);
}

static void what_a_suite_prints_after_its_tests_is_shown_by_run(void **state)
{
    (void)state;
    outcome o = kit_run(&the_kit, NULL, NULL, "run", "2", NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "Sentences counted right: 0 of 3."));
    /* After the last test, before the progress. */
    const char *score = strstr(o.out, "Sentences counted right");
    const char *last = strstr(o.out, "spaces separate words");
    const char *progress = strstr(o.out, "0 of 3 tests pass");
    assert_non_null(last);
    assert_non_null(progress);
    assert_true(last < score && score < progress);
    outcome_free(&o);
}

static void a_crash_names_the_test_and_how_to_debug_it(void **state)
{
    (void)state;
    write_greet("    return *(const char *volatile *)NULL;");
    outcome o = kit_run(&the_kit, NULL, NULL, "run", "1", NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "greet returns a string (crashed)"));
    assert_true(contains(&o, "Segmentation fault"));
    assert_true(contains(&o, "build/dev/exercises/ex01"));
    assert_true(contains(&o, "--args") || contains(&o, "lldb --"));
    assert_true(contains(&o,
                         "cmake --preset asan && cmake --build --preset "
                         "asan --target ex01 && build/asan/exercises/ex01"));
    outcome_free(&o);
}

static void a_segfault_shows_as_crashed_on_the_board(void **state)
{
    (void)state;
    write_greet("    return *(const char *volatile *)NULL;");
    outcome o = kit_run(&the_kit, NULL, NULL, "board", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "0 of 2 tests passing, crashed"));
    outcome_free(&o);
}

static void an_abort_is_a_crash_in_the_test_that_was_running(void **state)
{
    (void)state;
    write_greet("    abort();");
    outcome o = kit_run(&the_kit, NULL, NULL, "run", "1", NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "greet returns a string (crashed)"));
    assert_true(contains(&o, "Aborted"));
    assert_true(contains(&o, "1 of the 2 tests did not run"));
    outcome_free(&o);

    outcome r = kit_run(&the_kit, NULL, NULL, "report", "--json", NULL);
    assert_true(contains(&r, "\"status\": \"crashed\""));
    outcome_free(&r);
}

static void an_endless_loop_is_stopped_and_said_so(void **state)
{
    (void)state;
    write_greet("    for (volatile int spin = 1; spin;)\n        ;\n"
                "    return NULL;");
    const char *env[] = {"KATA_TIMEOUT=1", NULL};
    outcome o = kit_run(&the_kit, NULL, env, "run", "1", NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "timed out after 1 s"));
    assert_true(contains(&o, "loop that never ends"));
    outcome_free(&o);
}

static void hints_come_one_tier_at_a_time_and_are_remembered(void **state)
{
    (void)state;
    outcome o = kit_run(&the_kit, NULL, NULL, "hint", "2", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "hint 1 of 3"));
    assert_true(contains(&o, "A word starts where"));
    assert_null(strstr(o.out, "Walk the string once"));
    assert_true(contains(&o, "2 more hints"));
    outcome_free(&o);

    o = kit_run(&the_kit, NULL, NULL, "hint", "2", NULL);
    assert_true(contains(&o, "hints 1 to 2 of 3"));
    assert_true(contains(&o, "A word starts where"));
    assert_true(contains(&o, "Walk the string once"));
    outcome_free(&o);

    o = kit_run(&the_kit, NULL, NULL, "hint", "2", NULL);
    assert_true(contains(&o, "Count the transitions"));
    assert_true(contains(&o, "That was the last hint"));
    outcome_free(&o);

    o = kit_run(&the_kit, NULL, NULL, "hint", "2", NULL);
    assert_true(contains(&o, "hints 1 to 3 of 3"));
    assert_true(contains(&o, "./kata solution 2"));
    outcome_free(&o);

    char *saved = kit_read(&the_kit, ".kata/hints.json");
    assert_non_null(strstr(saved, "\"02-count\": 3"));
    free(saved);

    /* Without a number: the first exercise not done. */
    o = kit_run(&the_kit, NULL, NULL, "hint", NULL);
    assert_true(contains(&o, "Exercise 1"));
    assert_true(contains(&o, "hint 1 of 3"));
    outcome_free(&o);
}

static void expect_type(json_t *object, const char *key, json_type type)
{
    json_t *value = json_object_get(object, key);
    if (value == NULL || json_typeof(value) != type)
        fail_msg("\"%s\" is missing or of the wrong type", key);
}

static void the_json_report_has_the_documented_shape(void **state)
{
    (void)state;
    write_greet("    return \"hi\";");
    const char *env[] = {"KATA_LEARNER=ada", NULL};
    outcome o = kit_run(&the_kit, NULL, env, "report", "--json", NULL);
    assert_int_equal(o.code, 0);
    json_error_t err;
    json_t *report = json_loads(o.out, 0, &err);
    if (report == NULL)
        fail_msg("not JSON (line %d: %s):\n%s", err.line, err.text, o.out);
    assert_int_equal(json_integer_value(json_object_get(report, "version")), 1);
    expect_type(report, "generated_at", JSON_STRING);
    assert_string_equal(json_string_value(json_object_get(report, "learner")),
                        "ada");
    expect_type(report, "summary", JSON_OBJECT);
    json_t *summary = json_object_get(report, "summary");
    expect_type(summary, "exercises", JSON_INTEGER);
    expect_type(summary, "done", JSON_INTEGER);
    expect_type(summary, "passed", JSON_INTEGER);
    expect_type(summary, "total", JSON_INTEGER);
    assert_int_equal(json_integer_value(json_object_get(summary, "passed")), 1);

    json_t *exercises = json_object_get(report, "exercises");
    assert_true(json_is_array(exercises));
    assert_int_equal(json_array_size(exercises), 2);
    const char *states[] = {"in-progress", "not-started"};
    for (size_t i = 0; i < 2; i++) {
        json_t *e = json_array_get(exercises, i);
        expect_type(e, "number", JSON_INTEGER);
        expect_type(e, "slug", JSON_STRING);
        expect_type(e, "title", JSON_STRING);
        expect_type(e, "minutes", JSON_INTEGER);
        expect_type(e, "status", JSON_STRING);
        expect_type(e, "passed", JSON_INTEGER);
        expect_type(e, "total", JSON_INTEGER);
        expect_type(e, "hints_revealed", JSON_INTEGER);
        expect_type(e, "hints_total", JSON_INTEGER);
        expect_type(e, "tests", JSON_ARRAY);
        assert_string_equal(json_string_value(json_object_get(e, "status")),
                            states[i]);
        json_t *tests = json_object_get(e, "tests");
        for (size_t t = 0; t < json_array_size(tests); t++) {
            json_t *test = json_array_get(tests, t);
            expect_type(test, "name", JSON_STRING);
            expect_type(test, "status", JSON_STRING);
        }
    }
    json_t *first = json_array_get(exercises, 0);
    assert_int_equal(json_integer_value(json_object_get(first, "number")), 1);
    assert_string_equal(json_string_value(json_object_get(first, "slug")),
                        "01-greet");
    assert_int_equal(json_integer_value(json_object_get(first, "passed")), 1);
    assert_int_equal(json_integer_value(json_object_get(first, "total")), 2);
    json_t *tests = json_object_get(first, "tests");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(tests, 0), "name")),
        "greet_returns_a_string");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(tests, 0), "status")),
        "passed");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(tests, 1), "status")),
        "failed");
    json_decref(report);
    outcome_free(&o);

    o = kit_run(&the_kit, NULL, NULL, "report", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "1 - Greet: say hello (in-progress"));
    assert_true(contains(&o, "PASS greet returns a string"));
    assert_true(contains(&o, "FAIL greet says hello"));
    outcome_free(&o);
}

static void a_build_error_is_a_status_of_its_own_in_the_report(void **state)
{
    (void)state;
    write_greet("    return oops;");
    outcome o = kit_run(&the_kit, NULL, NULL, "report", "--json", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "\"status\": \"build-error\""));
    outcome_free(&o);
}

static void the_board_total_stays_while_an_exercise_does_not_build(void **state)
{
    (void)state;
    const char *named[] = {"KATA_LEARNER=ada", NULL};
    outcome o = kit_run(&the_kit, NULL, NULL, "board", NULL);
    assert_true(contains(&o, "0 of 5 tests pass"));
    outcome_free(&o);
    write_greet("    return oops;");
    o = kit_run(&the_kit, NULL, NULL, "board", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "does not build"));
    assert_true(contains(&o, "0 of 5 tests pass"));
    outcome_free(&o);
    o = kit_run(&the_kit, NULL, named, "report", "--json", NULL);
    json_t *report = json_loads(o.out, 0, NULL);
    assert_non_null(report);
    json_t *summary = json_object_get(report, "summary");
    assert_int_equal(json_integer_value(json_object_get(summary, "total")), 5);
    json_decref(report);
    outcome_free(&o);
}

static void the_learner_is_asked_once_when_the_system_does_not_say(void **state)
{
    (void)state;
    const char *env[] = {"USER=", "LOGNAME=", "KATA_LEARNER=", NULL};
    outcome o = kit_run(&the_kit, "ada\n", env, "report", "--json", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "\"learner\": \"ada\""));
    outcome_free(&o);
    /* Remembered: the answer is not read again. */
    o = kit_run(&the_kit, "eve\n", env, "report", "--json", NULL);
    assert_true(contains(&o, "\"learner\": \"ada\""));
    outcome_free(&o);
    /* KATA_LEARNER still wins. */
    const char *named[] = {"USER=", "KATA_LEARNER=bob", NULL};
    o = kit_run(&the_kit, NULL, named, "report", "--json", NULL);
    assert_true(contains(&o, "\"learner\": \"bob\""));
    outcome_free(&o);
}

static void the_solution_asks_first_until_the_exercise_passes(void **state)
{
    (void)state;
    outcome o = kit_run(&the_kit, "n\n", NULL, "solution", "1", NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "does not pass yet"));
    assert_true(contains(&o, "Not shown"));
    assert_null(strstr(o.out, "return \"hello\""));
    outcome_free(&o);

    o = kit_run(&the_kit, "y\n", NULL, "solution", "1", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "--- exercises/01-greet/greet.c"));
    assert_true(contains(&o, "+++ solutions/01-greet/greet.c"));
    assert_true(contains(&o, "+    return \"hello\";"));
    outcome_free(&o);

    kit_copy(&the_kit, "solutions/01-greet/greet.c", GREET);
    o = kit_run(&the_kit, NULL, NULL, "solution", "1", NULL);
    assert_int_equal(o.code, 0);
    assert_null(strstr(o.out, "does not pass yet"));
    assert_true(contains(&o, "is the same as the reference answer"));
    outcome_free(&o);
}

static void the_demo_runs_the_reference_answer_in_its_own_build(void **state)
{
    (void)state;
    char *demo = kata_path(the_kit.dir, "demo");
    char *var = kata_format("KATA_DEMO_BUILD=%s", demo);
    const char *env[] = {var, NULL};
    outcome o = kit_run(&the_kit, NULL, env, "demo", "2", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "the reference answer, narrated"));
    assert_true(contains(&o, "* spaces separate words"));
    assert_true(contains(&o, "All 3 tests pass"));
    outcome_free(&o);
    /* The learner's file and build are untouched. */
    char *count = kit_read(&the_kit, COUNT);
    assert_non_null(strstr(count, "TODO"));
    free(count);
    char *solution = kata_path(demo, "exercises/ex02-solution");
    assert_true(kata_exists(solution));
    assert_false(kit_exists(&the_kit, "build/dev/exercises/ex02-solution"));
    free(solution);
    free(var);
    free(demo);
}

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
    };
    return cmocka_run_group_tests(tests, make_kit, remove_kit);
}
