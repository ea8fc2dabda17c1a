/*
 * test_watch.c - watch mode as a learner sees it: in a pseudo-terminal
 * (posix_openpt and friends, POSIX: no extra package), it reruns on a
 * save, answers its keys, never moves on by itself, and gives the
 * terminal back as it found it on q, Ctrl-C and SIGTERM.
 *
 * The tests live in watch_reruns.c and watch_interrupts.c; this file runs
 * them in order.
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

int main(int argc, char **argv)
{
    harness_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(watch_reruns_on_save_and_answers_its_keys,
                                  restore_stub),
        cmocka_unit_test_teardown(
            watch_without_a_number_starts_where_the_learner_is, restore_stub),
        cmocka_unit_test_teardown(a_compile_error_shows_while_watching,
                                  restore_stub),
        cmocka_unit_test_teardown(
            watch_shows_what_a_suite_prints_after_its_tests, restore_count),
        cmocka_unit_test(ctrl_c_and_sigterm_give_the_terminal_back),
        cmocka_unit_test_teardown(
            a_looping_test_is_stopped_with_a_live_line_naming_it,
            remove_pid_file),
        cmocka_unit_test_teardown(the_default_time_limit_is_ten_seconds,
                                  remove_pid_file),
        cmocka_unit_test_teardown(q_quits_watch_at_once_while_a_test_loops,
                                  remove_pid_file),
        cmocka_unit_test_teardown(a_save_restarts_a_run_that_loops,
                                  remove_pid_file),
        cmocka_unit_test_teardown(
            q_quits_watch_at_once_while_the_exercise_builds, remove_slow_build),
        cmocka_unit_test_teardown(a_save_restarts_a_build_in_progress,
                                  remove_slow_build),
        cmocka_unit_test(watch_waits_for_another_build_and_still_answers_q),
        cmocka_unit_test_teardown(
            a_small_terminal_keeps_the_failure_in_view_with_three_hints,
            restore_stub),
        cmocka_unit_test_teardown(a_build_shows_the_build_tools_progress,
                                  restore_stub),
        cmocka_unit_test_teardown(sigterm_to_the_runner_kills_the_exercise,
                                  remove_pid_file),
        cmocka_unit_test_teardown(sighup_to_the_runner_kills_the_exercise,
                                  remove_pid_file),
        cmocka_unit_test_teardown(closing_the_terminal_kills_the_exercise,
                                  remove_pid_file),
    };
    return cmocka_run_group_tests(tests, make_kit, remove_kit);
}
