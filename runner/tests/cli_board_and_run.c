/*
 * cli_board_and_run.c - the board and run: passing, failing, not
 * compiling, crashing and looping exercises.
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

void test_names_keep_their_apostrophes(void **state)
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

void the_board_lists_every_exercise_as_not_started(void **state)
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

void the_board_counts_progress_and_moves_the_next_step(void **state)
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

void run_of_the_stub_fails_with_its_todo_and_hint(void **state)
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

void run_of_a_half_done_exercise_shows_what_passes_and_what_not(void **state)
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

void run_of_a_finished_exercise_exits_zero(void **state)
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

void a_compile_error_shows_the_compiler_lines_and_nothing_else(void **state)
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

void what_a_suite_prints_after_its_tests_is_shown_by_run(void **state)
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

void a_crash_names_the_test_and_how_to_debug_it(void **state)
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

void a_segfault_shows_as_crashed_on_the_board(void **state)
{
    (void)state;
    write_greet("    return *(const char *volatile *)NULL;");
    outcome o = kit_run(&the_kit, NULL, NULL, "board", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "0 of 2 tests passing, crashed"));
    outcome_free(&o);
}

void an_abort_is_a_crash_in_the_test_that_was_running(void **state)
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

void an_endless_loop_is_stopped_and_said_so(void **state)
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
