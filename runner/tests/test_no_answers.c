/*
 * test_no_answers.c - a kit handed out without solutions/ (or one whose
 * learner deleted it to avoid spoilers): it configures, and everything a
 * learner does works; the commands that need the reference answers say
 * that this copy has none, and what to do instead.
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

static kit the_kit;

static int make_kit(void **state)
{
    (void)state;
    return kit_create_without(&the_kit, "solutions");
}

static int remove_kit(void **state)
{
    (void)state;
    kit_destroy(&the_kit);
    return 0;
}

static void every_learner_command_works_without_the_answers(void **state)
{
    (void)state;
    outcome o = kit_run(&the_kit, NULL, NULL, "board", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "Greet: say hello"));
    assert_true(contains(&o, "0 of 5 tests pass"));
    outcome_free(&o);

    o = kit_run(&the_kit, NULL, NULL, "run", "1", NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "HINT: greet() returns a string, never NULL."));
    outcome_free(&o);

    o = kit_run(&the_kit, NULL, NULL, "hint", "1", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "greet() returns a string that lives"));
    outcome_free(&o);

    char *stub = kit_read(&the_kit, GREET);
    kit_write(&the_kit, GREET, "const char *greet(void) { return 0; }\n");
    o = kit_run(&the_kit, NULL, NULL, "reset", "1", "--yes", NULL);
    assert_int_equal(o.code, 0);
    outcome_free(&o);
    char *after = kit_read(&the_kit, GREET);
    assert_string_equal(after, stub);
    free(after);
    free(stub);

    o = kit_run(&the_kit, NULL, NULL, "report", "--json", NULL);
    assert_int_equal(o.code, 0);
    json_error_t error;
    json_t *report = json_loads(o.out, 0, &error);
    assert_non_null(report);
    assert_int_equal(json_array_size(json_object_get(report, "exercises")), 2);
    json_decref(report);
    outcome_free(&o);
}

static void the_solution_says_this_copy_has_no_answers(void **state)
{
    (void)state;
    outcome o = kit_run(&the_kit, NULL, NULL, "solution", "1", "--yes", NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "reference answers are not in this copy"));
    assert_true(contains(&o, "./kata hint 1"));
    /* It does not ask a question it cannot act on. */
    assert_null(strstr(o.out, "Show the reference answer anyway?"));
    outcome_free(&o);
}

static void the_demo_says_this_copy_has_no_answers(void **state)
{
    (void)state;
    char *demo = kata_path(the_kit.dir, "demo");
    char *var = kata_format("KATA_DEMO_BUILD=%s", demo);
    const char *env[] = {var, NULL};
    outcome o = kit_run(&the_kit, NULL, env, "demo", "1", NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "reference answers are not in this copy"));
    /* Nothing was configured for a demo that cannot run. */
    assert_false(kata_exists(demo));
    outcome_free(&o);
    free(var);
    free(demo);
}

int main(int argc, char **argv)
{
    harness_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_learner_command_works_without_the_answers),
        cmocka_unit_test(the_solution_says_this_copy_has_no_answers),
        cmocka_unit_test(the_demo_says_this_copy_has_no_answers),
    };
    return cmocka_run_group_tests(tests, make_kit, remove_kit);
}
