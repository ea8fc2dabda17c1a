/*
 * test_messages.c - failure messages speak of the attendee's code.
 *
 * A failing test is read by someone who wrote decide.c minutes ago: it
 * must name their command, their refusal and their state in the words of
 * their files, not in numbers and byte offsets. These tests break an
 * exercise on purpose and read what the kit prints.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <esk/error.h>
#include <esk/testing.h>

#include "attendee.h"
#include "exercise.h"
#include "where.h"
#include "workshop.h"

/* Exercise 04's decider, with a decide() of this file: the one an
 * attendee got wrong. */
static esk_status (*attendee_decide)(const void *, const void *,
                                     esk_decision *);

esk_status workshop_decide(const void *state, const void *command,
                           esk_decision *decision)
{
    return attendee_decide(state, command, decision);
}

bool workshop_is_terminal(const void *state)
{
    (void)state;
    return false;
}

/* Refuses every command with the wrong one of the domain's codes. */
static esk_status refuses_with_the_wrong_code(const void *state,
                                              const void *command,
                                              esk_decision *decision)
{
    (void)state;
    (void)command;
    return esk_decision_reject(decision, NOT_REGISTERED, "not registered");
}

/* Promotes the first in line by taking them off the waitlist itself. */
static esk_status promotes_by_writing_the_state(const void *state,
                                                const void *command,
                                                esk_decision *decision)
{
    workshop_state *s = (workshop_state *)state;
    const workshop_command *c = command;
    waitlisted_attendee_promoted e = {0};
    copy_text(e.workshop_id, sizeof(e.workshop_id), c->workshop_id);
    copy_text(e.attendee_id, sizeof(e.attendee_id), s->waitlist[0]);
    id_list_remove(s->waitlist, &s->waitlist_count, e.attendee_id);
    return esk_decision_emit(decision, &waitlisted_attendee_promoted_type, &e);
}

static esk_spec_report report;

static bool reported(const char *words)
{
    if (strstr(report.text, words) != NULL)
        return true;
    print_error("the report does not say\n%s\nit says\n%s", words, report.text);
    return false;
}
#define assert_reported(words) assert_true(reported(words))

static void given_scheduled(esk_spec *spec, int64_t capacity)
{
    esk_spec_given(
        spec, &workshop_scheduled_type,
        &(workshop_scheduled){.workshop_id = "w-1", .capacity = capacity});
}

static void given(esk_spec *spec, const esk_event_type *type, const char *id)
{
    attendee_registered e = {.workshop_id = "w-1"};
    copy_text(e.attendee_id, sizeof(e.attendee_id), id);
    esk_spec_given(spec, type, &e);
}

static void a_refusal_is_named_with_its_command(void **state)
{
    (void)state;
    attendee_decide = refuses_with_the_wrong_code;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 2);
    given(spec, &attendee_registered_type, "ada");
    esk_spec_when(spec, &(workshop_command){.kind = REGISTER_ATTENDEE,
                                            .workshop_id = "w-1",
                                            .attendee_id = "ada"});
    esk_spec_then_error(spec, ALREADY_REGISTERED);
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
    assert_reported("  when    RegisterAttendee ada\n");
    assert_reported("refused with ALREADY_REGISTERED, but it was refused "
                    "with NOT_REGISTERED");
}

static void a_state_written_by_decide_is_shown_before_and_after(void **state)
{
    (void)state;
    attendee_decide = promotes_by_writing_the_state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    given_scheduled(spec, 1);
    given(spec, &attendee_waitlisted_type, "bob");
    given(spec, &attendee_waitlisted_type, "cleo");
    esk_spec_when(spec, &(workshop_command){.kind = PROMOTE_FROM_WAITLIST,
                                            .workshop_id = "w-1"});
    esk_spec_then(spec, &waitlisted_attendee_promoted_type,
                  &(waitlisted_attendee_promoted){.workshop_id = "w-1",
                                                  .attendee_id = "bob"});
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
    assert_reported("  when    PromoteFromWaitlist\n");
    assert_reported("    before  open, capacity 1, 0 seated: nobody; "
                    "2 waiting: bob, cleo\n"
                    "    after   open, capacity 1, 0 seated: nobody; "
                    "1 waiting: cleo\n");
}

/* --- Failures of whole tests, run in a child process and read ----------- */

/* What a group of tests printed, run in a child process, with its exit
 * status: the failures under test end the test they happen in. */
static int run_apart(int (*group)(void), char *out, size_t size)
{
    int fds[2];
    size_t used = 0;
    int status = 0;
    if (pipe(fds) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        _exit(group());
    }
    close(fds[1]);
    for (;;) {
        ssize_t n = read(fds[0], out + used, size - 1 - used);
        if (n <= 0)
            break;
        used += (size_t)n;
        if (used == size - 1)
            break;
    }
    out[used] = '\0';
    close(fds[0]);
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char printed[16384];

static bool printed_says(const char *words)
{
    if (strstr(printed, words) != NULL)
        return true;
    print_error("the output does not say\n%s\nit says\n%s", words, printed);
    return false;
}

static void a_test_that_leaks(void **state)
{
    (void)state;
    check_true(json_length_of_schedule("w-1") > 0, "It measures the JSON.");
}

static int group_that_leaks(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {cmocka_unit_test(a_test_that_leaks)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

static void a_leak_names_the_function_that_allocated(void **state)
{
    (void)state;
    if (!where_works())
        skip();
    int status = run_apart(group_that_leaks, printed, sizeof(printed));
    assert_int_equal(status, 1);
    assert_true(printed_says("1 block allocated by esk_codec_encode() "
                             "(through schedule_json()), called in "
                             "json_length_of_schedule(), was never freed"));
    assert_true(printed_says("exercises/common/tests/attendee.c:11"));
    assert_true(printed_says("HINT: What esk hands your code is yours to "
                             "free"));
    assert_true(printed_says("free what esk_codec_encode() gave with "
                             "esk_free()."));
    assert_null(strstr(printed, "exercise.c"));
}

/* A helper that states an expectation for the tests that call it. */
static void expect_positive(int64_t n)
{
    check_int(n > 0, 1, "A count is positive.");
}

enum { HELPER_CALLED_AT = __LINE__ + 4 };
static void a_test_whose_helper_fails(void **state)
{
    (void)state;
    expect_positive(-1);
}

static int group_with_a_failing_helper(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_test_whose_helper_fails)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

static void a_failure_in_a_helper_names_the_line_of_the_test(void **state)
{
    (void)state;
    if (!where_works())
        skip();
    assert_int_equal(
        run_apart(group_with_a_failing_helper, printed, sizeof(printed)), 1);
    char at[128];
    snprintf(at, sizeof(at), "exercises/common/tests/test_messages.c:%d",
             (int)HELPER_CALLED_AT);
    assert_true(printed_says(at));
    assert_true(printed_says("checked by expect_positive()"));
}

static void a_wrong_refusal_code_is_checked(void **state)
{
    (void)state;
    check_error_code(NOT_REGISTERED, ALREADY_REGISTERED,
                     workshop_decider.error_name, "The refusal's code.");
}

static int group_with_a_wrong_refusal_code(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_wrong_refusal_code_is_checked)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

static void a_wrong_refusal_code_is_named(void **state)
{
    (void)state;
    assert_int_equal(
        run_apart(group_with_a_wrong_refusal_code, printed, sizeof(printed)),
        1);
    assert_true(printed_says("NOT_REGISTERED is NOT_REGISTERED (6), expected "
                             "ALREADY_REGISTERED (5)"));
}

/* A stub fails as esk's calls do: what a test or esk prints of the last
 * error names the function still to write. */
static void a_stub_leaves_the_function_to_write_in_the_last_error(void **state)
{
    (void)state;
    esk_error_clear();
    assert_int_equal(EXERCISE_TODO("workshop_register"), ESK_ENOTIMPL);
    assert_int_equal(esk_error_last()->status, ESK_ENOTIMPL);
    assert_non_null(strstr(esk_errmsg(), "workshop_register()"));
}

/* A kit cloned into a folder of that name (~/exercises/esk) still names
 * the file from the kit's own exercises/ folder. */
static void a_stub_names_its_file_from_the_kits_own_folder(void **state)
{
    (void)state;
    esk_error_clear();
    exercise_todo("workshop_decide",
                  "/home/ada/exercises/esk/exercises/04-decider/decide.c");
    assert_non_null(strstr(esk_errmsg(), "(exercises/04-decider/decide.c)"));
    exercise_todo("workshop_cancel",
                  "/home/ada/exercises/esk/solutions/03-aggregate/workshop.c");
    assert_non_null(
        strstr(esk_errmsg(), "(solutions/03-aggregate/workshop.c)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_refusal_is_named_with_its_command),
        cmocka_unit_test(a_state_written_by_decide_is_shown_before_and_after),
        cmocka_unit_test(a_leak_names_the_function_that_allocated),
        cmocka_unit_test(a_failure_in_a_helper_names_the_line_of_the_test),
        cmocka_unit_test(a_wrong_refusal_code_is_named),
        cmocka_unit_test(a_stub_leaves_the_function_to_write_in_the_last_error),
        cmocka_unit_test(a_stub_names_its_file_from_the_kits_own_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
