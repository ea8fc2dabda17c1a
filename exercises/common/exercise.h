/*
 * exercises/common/exercise.h - what every exercise's tests and stubs use.
 *
 * Stubs mark the code you have to write with EXERCISE_TODO: it prints
 * once which function to write and in which file, and makes the function
 * return ESK_ENOTIMPL, so that the tests fail with a message that tells
 * you where to go.
 *
 * Tests state each expectation with a HINT: the sentence printed when it
 * fails, which says what the behaviour is for rather than what the code
 * should look like.
 */
#ifndef EXERCISE_H
#define EXERCISE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <esk/status.h>

/* Say (once per function) that it is still to be written, and give the
 * status a stub returns. */
esk_status exercise_todo(const char *function, const char *file);
#define EXERCISE_TODO(function) exercise_todo((function), __FILE__)

/* Expectations with a hint. On failure they print what was expected, what
 * came, and "HINT: <hint>", then fail the test. */
#define check_true(condition, hint)                                            \
    exercise_expect_true((condition), #condition, (hint), __FILE__, __LINE__)
#define check_int(actual, expected, hint)                                      \
    exercise_expect_int((int64_t)(actual), (int64_t)(expected), #actual,       \
                        (hint), __FILE__, __LINE__)
#define check_string(actual, expected, hint)                                   \
    exercise_expect_string((actual), (expected), #actual, (hint), __FILE__,    \
                           __LINE__)
#define check_contains(text, part, hint)                                       \
    exercise_expect_contains((text), (part), #text, (hint), __FILE__, __LINE__)
#define check_status(actual, expected, hint)                                   \
    exercise_expect_status((actual), (expected), #actual, (hint), __FILE__,    \
                           __LINE__)
/* A domain error code, shown by the names error_name gives (a decider's
 * or an aggregate type's; NULL shows numbers): "esk_error_last()->code is
 * NOT_REGISTERED (6), expected ALREADY_REGISTERED (5)". */
#define check_error_code(actual, expected, error_name, hint)                   \
    exercise_expect_error_code((actual), (expected), (error_name), #actual,    \
                               (hint), __FILE__, __LINE__)

void exercise_expect_true(bool condition, const char *what, const char *hint,
                          const char *file, int line);
void exercise_expect_int(int64_t actual, int64_t expected, const char *what,
                         const char *hint, const char *file, int line);
void exercise_expect_string(const char *actual, const char *expected,
                            const char *what, const char *hint,
                            const char *file, int line);
void exercise_expect_contains(const char *text, const char *part,
                              const char *what, const char *hint,
                              const char *file, int line);
void exercise_expect_status(esk_status actual, esk_status expected,
                            const char *what, const char *hint,
                            const char *file, int line);
void exercise_expect_error_code(int actual, int expected,
                                const char *(*error_name)(int code),
                                const char *what, const char *hint,
                                const char *file, int line);

/* Route esk's allocations through cmocka's, so that a test also fails when
 * it leaks. Call it first in main(). A leak is reported by the function of
 * the exercise that called esk ("1 block allocated by esk_codec_encode(),
 * called in write_story(), was never freed"), with a HINT. */
void exercise_check_leaks(void);

/*
 * Run a group of tests as cmocka does, each through a wrapper that knows
 * which test runs: a failure found in a helper is reported at the test's
 * own line, and a leak at the line of the learner's file (one of edit,
 * the file names of exercise.json's "edit", space-separated) that called
 * esk. The cmocka macros below call it, so that a suite's main() stays
 * the usual one; the build defines EXERCISE_EDIT_FILES for each exercise.
 */
int exercise_run_tests(const char *name, const struct CMUnitTest *tests,
                       size_t count, CMFixtureFunction group_setup,
                       CMFixtureFunction group_teardown, const char *edit);
#ifndef EXERCISE_EDIT_FILES
#define EXERCISE_EDIT_FILES ""
#endif
#undef cmocka_run_group_tests
#define cmocka_run_group_tests(tests, setup, teardown)                         \
    exercise_run_tests(#tests, (tests), sizeof(tests) / sizeof((tests)[0]),    \
                       (setup), (teardown), EXERCISE_EDIT_FILES)
#undef cmocka_run_group_tests_name
#define cmocka_run_group_tests_name(name, tests, setup, teardown)              \
    exercise_run_tests((name), (tests), sizeof(tests) / sizeof((tests)[0]),    \
                       (setup), (teardown), EXERCISE_EDIT_FILES)

struct esk_store;
/* When EXERCISE_VERBOSE is set (as `./kata demo N` does), print every
 * event appended to this store as it is committed, so that a room can see
 * the story go by. Does nothing otherwise. Call it after opening a store. */
void exercise_watch_store(struct esk_store *store);

/* Print a line of narration when EXERCISE_VERBOSE is set ("command:
 * RegisterAttendee ada"). */
void exercise_say(const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
