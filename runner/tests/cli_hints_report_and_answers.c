/*
 * cli_hints_report_and_answers.c - hints, the JSON report, and the
 * answers: the solution and the demo.
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

void hints_come_one_tier_at_a_time_and_are_remembered(void **state)
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

void the_json_report_has_the_documented_shape(void **state)
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

void a_build_error_is_a_status_of_its_own_in_the_report(void **state)
{
    (void)state;
    write_greet("    return oops;");
    outcome o = kit_run(&the_kit, NULL, NULL, "report", "--json", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "\"status\": \"build-error\""));
    outcome_free(&o);
}

void the_board_total_stays_while_an_exercise_does_not_build(void **state)
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

void the_learner_is_asked_once_when_the_system_does_not_say(void **state)
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

void the_solution_asks_first_until_the_exercise_passes(void **state)
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

void the_demo_runs_the_reference_answer_in_its_own_build(void **state)
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
