/*
 * test_error.c - where the runner's failures leave their message: the
 * last error (error.h), filled by the helpers that can fail, so that the
 * top level has one place to read it from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "fs.h"
#include "proc.h"

static void a_failure_that_adds_advice_keeps_the_inner_message(void **state)
{
    (void)state;
    kata_fail(KATA_EFAIL, "could not write %s: %s.", "notes.txt",
              "No space left on device");
    kata_status rc = kata_fail(
        KATA_EFAIL, "%s\nFree some space, then try again.", kata_errmsg());
    assert_int_equal(rc, KATA_EFAIL);
    assert_string_equal(kata_errmsg(),
                        "could not write notes.txt: No space left on device.\n"
                        "Free some space, then try again.");
    kata_error_clear();
    assert_string_equal(kata_errmsg(), "");
    assert_int_equal(kata_error_status(), KATA_OK);
}

static void each_status_has_its_exit_code(void **state)
{
    (void)state;
    assert_int_equal(kata_exit_code(KATA_OK), 0);
    assert_int_equal(kata_exit_code(KATA_FINISHED), 0);
    assert_int_equal(kata_exit_code(KATA_EFAIL), 1);
    assert_int_equal(kata_exit_code(KATA_EUSAGE), 2);
}

static void a_file_that_cannot_be_written_is_named_with_the_reason(void **state)
{
    (void)state;
    /* A regular file where a folder should be: the write cannot succeed,
     * whoever runs the test. */
    char dir[] = "/tmp/kata-error-XXXXXX";
    int fd = mkstemp(dir);
    assert_true(fd >= 0);
    close(fd);
    char path[256];
    snprintf(path, sizeof(path), "%s/notes.txt", dir);
    kata_error_clear();
    assert_int_equal(kata_write_file(path, "x", 1), KATA_EFAIL);
    assert_int_equal(kata_error_status(), KATA_EFAIL);
    assert_non_null(strstr(kata_errmsg(), "could not write"));
    assert_non_null(strstr(kata_errmsg(), dir));
    assert_non_null(strstr(kata_errmsg(), "Not a directory"));
    unlink(dir);
    kata_error_clear();
}

static void a_program_that_is_not_installed_is_said_so(void **state)
{
    (void)state;
    const char *argv[] = {"kata-no-such-program", NULL};
    kata_cmd cmd = {0};
    cmd.argv = argv;
    cmd.capture = true;
    kata_proc_result r;
    kata_error_clear();
    assert_int_equal(kata_run(&cmd, &r), KATA_EFAIL);
    assert_false(r.started);
    assert_non_null(
        strstr(kata_errmsg(), "could not run kata-no-such-program"));
    assert_non_null(strstr(kata_errmsg(), "not installed"));
    kata_proc_result_free(&r);
    kata_error_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_failure_that_adds_advice_keeps_the_inner_message),
        cmocka_unit_test(each_status_has_its_exit_code),
        cmocka_unit_test(
            a_file_that_cannot_be_written_is_named_with_the_reason),
        cmocka_unit_test(a_program_that_is_not_installed_is_said_so),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
