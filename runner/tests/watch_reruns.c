/*
 * watch_reruns.c - watch mode at work: it reruns on a save, answers its
 * keys, shows build errors and progress, fits a small terminal, and gives
 * the terminal back.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../fs.h"
#include "../text.h"
#include "harness.h"
#include "watch_fixture.h"

void watch_reruns_on_save_and_answers_its_keys(void **state)
{
    (void)state;
    pty_run s;
    start(&s, "1");
    assert_true(wait_for(&s, "watching exercise 1 of 2: Greet: say hello"));
    assert_true(wait_for(&s, "edit: exercises/01-greet/greet.c"));
    assert_true(wait_for(&s, "0 of 2 tests pass"));
    assert_true(wait_for(&s, "FAIL greet returns a string"));
    assert_true(wait_for(&s, "HINT: greet() returns a string, never NULL."));
    assert_true(wait_for(&s, "q quit"));
    assert_false(cooked(&s)); /* keys come one at a time, unechoed */

    kit_copy(&the_kit, "solutions/01-greet/greet.c", GREET);
    assert_true(wait_for(&s, "All 2 tests pass: exercise 1 is done."));
    assert_true(
        wait_for(&s, "Press n for exercise 2: Count: words in a line."));
    /* It waits for the learner. */
    assert_true(stays_away(&s, "watching exercise 2", 1000));

    type(&s, "h");
    assert_true(wait_for(&s, "Hints (1 of 3):"));
    assert_true(wait_for(&s, "greet() returns a string that lives"));

    type(&s, "l");
    assert_true(wait_for(&s, "Count: words in a line"));
    assert_true(wait_for(&s, "Press l to go back to exercise 1."));
    type(&s, "l");
    assert_true(wait_for(&s, "watching exercise 1 of 2"));

    type(&s, "n");
    assert_true(
        wait_for(&s, "watching exercise 2 of 2: Count: words in a line"));
    assert_true(wait_for(&s, "FAIL nothing has no words"));
    type(&s, "r");
    assert_true(wait_for(&s, "watching exercise 2 of 2"));
    assert_true(wait_for(&s, "FAIL nothing has no words"));

    type(&s, "q");
    assert_int_equal(wait_exit(&s), 0);
    assert_true(wait_for(&s, "Stopped watching."));
    assert_true(cooked(&s));
    finish(&s);
}

void watch_without_a_number_starts_where_the_learner_is(void **state)
{
    (void)state;
    kit_copy(&the_kit, "solutions/01-greet/greet.c", GREET);
    pty_run s;
    start(&s, NULL);
    assert_true(wait_for(&s, "watching exercise 2 of 2"));
    type(&s, "q");
    assert_int_equal(wait_exit(&s), 0);
    finish(&s);
}

void a_compile_error_shows_while_watching(void **state)
{
    (void)state;
    pty_run s;
    start(&s, "1");
    assert_true(wait_for(&s, "FAIL greet returns a string"));
    kit_write(&the_kit, GREET, "const char *greet(void) { return 42 }\n");
    assert_true(wait_for(&s, "It does not build:"));
    assert_true(wait_for(&s, "exercises/01-greet/greet.c:1"));
    kit_write(&the_kit, GREET, stub);
    assert_true(wait_for(&s, "FAIL greet returns a string"));
    type(&s, "q");
    assert_int_equal(wait_exit(&s), 0);
    finish(&s);
}

/* Exercise 05 of the kit prints its mutation score after its tests; the
 * fixture's exercise 2 prints a verdict of its own the same way. */
void watch_shows_what_a_suite_prints_after_its_tests(void **state)
{
    (void)state;
    pty_run s;
    start(&s, "2");
    assert_true(wait_for(&s, "watching exercise 2 of 2"));
    assert_true(wait_for(&s, "FAIL nothing has no words"));
    assert_true(wait_for(&s, "Sentences counted right: 0 of 3."));
    assert_true(wait_for(&s, "q quit"));

    kit_copy(&the_kit, "solutions/02-count/count.c",
             "exercises/02-count/count.c");
    assert_true(wait_for(&s, "All 3 tests pass: exercise 2 is done."));
    assert_true(wait_for(&s, "Sentences counted right: 3 of 3."));
    type(&s, "q");
    assert_int_equal(wait_exit(&s), 0);
    finish(&s);
}

void ctrl_c_and_sigterm_give_the_terminal_back(void **state)
{
    (void)state;
    pty_run s;
    start(&s, "1");
    assert_true(wait_for(&s, "q quit"));
    assert_false(cooked(&s));
    type(&s, "\003"); /* Ctrl-C */
    assert_int_equal(wait_exit(&s), 128 + SIGINT);
    assert_true(cooked(&s));
    finish(&s);

    start(&s, "2");
    assert_true(wait_for(&s, "q quit"));
    assert_false(cooked(&s));
    kill(s.pid, SIGTERM);
    assert_int_equal(wait_exit(&s), 128 + SIGTERM);
    assert_true(cooked(&s));
    finish(&s);
}

void a_build_shows_the_build_tools_progress(void **state)
{
    (void)state;
    /* A new file to compile: the build has a step to show. */
    kit_write(&the_kit, GREET,
              "#include \"greet.h\"\n"
              "const char *greet(void) { return 0; }\n");
    pty_run s;
    start_command(&s, "run", "1", NULL);
    assert_true(wait_for(&s, "building ex01... ["));
    wait_exit(&s);
    finish(&s);
}

/* What is on the screen after its last clear. */
static const char *last_screen(pty_run *s)
{
    const char *all = kata_buf_str(&s->screen);
    const char *last = all;
    for (const char *p = all; (p = strstr(p, "\033[2J")) != NULL; p++)
        last = p + 4;
    return last;
}

static int screen_lines(const char *text)
{
    int lines = 1;
    for (; *text; text++)
        lines += *text == '\n';
    return lines;
}

void a_small_terminal_keeps_the_failure_in_view_with_three_hints(void **state)
{
    (void)state;
    char *hints = kata_path(the_kit.root, ".kata/hints.json");
    remove(hints);
    /* Hints as long as the real kit's last tiers (six lines each here). */
    const char *meta = "exercises/01-greet/exercise.json";
    char *shipped = kit_read(&the_kit, meta);
    kata_buf longer = {0};
    kata_buf_puts(&longer, "{\"number\": 1, \"title\": \"Greet: say hello\", "
                           "\"minutes\": 5, \"edit\": [\"greet.c\"], "
                           "\"hints\": [");
    for (int i = 0; i < 3; i++)
        kata_buf_printf(&longer,
                        "%s\"Tier %d. Start from the test that fails first, "
                        "read what it expected and what came instead, then "
                        "look at the one line of greet.c that decides it; "
                        "the string it returns must live as long as the "
                        "program, which a string literal does, while a local "
                        "array dies when the function returns and leaves the "
                        "caller with a pointer to nothing at all.\"",
                        i ? ", " : "", i + 1);
    kata_buf_puts(&longer, "]}\n");
    kit_write(&the_kit, meta, kata_buf_str(&longer));
    kata_buf_free(&longer);
    window = (struct winsize){30, 70, 0, 0};
    pty_run s;
    start(&s, "1");
    assert_true(wait_for(&s, "q quit"));
    type(&s, "h");
    assert_true(wait_for(&s, "Hints (1 of 3)"));
    type(&s, "h");
    assert_true(wait_for(&s, "Hints (2 of 3)"));
    type(&s, "h");
    assert_true(wait_for(&s, "Hints (3 of 3)"));
    assert_true(wait_for(&s, "q quit"));
    pump(&s, 300);
    const char *screen = last_screen(&s);
    if (screen_lines(screen) > 30)
        fprintf(stderr, "---- %d lines:\n%s\n----\n", screen_lines(screen),
                screen);
    assert_true(screen_lines(screen) <= 30);
    assert_non_null(strstr(screen, "watching exercise 1"));
    assert_non_null(strstr(screen, "FAIL greet returns a string"));
    assert_non_null(strstr(screen, "expected"));
    assert_non_null(strstr(screen, "q quit"));
    type(&s, "q");
    assert_int_equal(wait_exit(&s), 0);
    finish(&s);
    window = (struct winsize){40, 100, 0, 0};
    kit_write(&the_kit, meta, shipped);
    free(shipped);
    remove(hints);
    free(hints);
}
