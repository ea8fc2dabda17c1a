/*
 * watch_interrupts.c - what stops a run: a test that loops, a slow or
 * locked build, q, a save, and signals or a closed terminal that must
 * take the exercise down with the runner.
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

void a_looping_test_is_stopped_with_a_live_line_naming_it(void **state)
{
    (void)state;
    kit_write(&the_kit, GREET, LOOPING_GREET);
    pty_run s;
    start_command(&s, "run", "1", "KATA_TIMEOUT=3");
    assert_true(wait_for(&s, "running \"greet returns a string\" for 1 s"));
    assert_true(wait_for(&s, "running \"greet returns a string\" for 2 s"));
    assert_true(wait_for(&s, "timed out after 3 s"));
    assert_int_equal(wait_exit(&s), 1);
    finish(&s);
}

void the_default_time_limit_is_ten_seconds(void **state)
{
    (void)state;
    kit_write(&the_kit, GREET, LOOPING_GREET);
    pty_run s;
    start_command(&s, "run", "1", NULL);
    assert_true(wait_for(&s, "(stopped after 10 s)"));
    assert_true(wait_for(&s, "timed out after 10 s"));
    assert_int_equal(wait_exit(&s), 1);
    finish(&s);
}

void q_quits_watch_at_once_while_a_test_loops(void **state)
{
    (void)state;
    kit_write(&the_kit, GREET, LOOPING_GREET);
    pty_run s;
    start_command(&s, "watch", "1", "KATA_TIMEOUT=60");
    pid_t exercise = looping_exercise(&s);
    assert_true(wait_for(&s, "running \"greet returns a string\""));
    long long asked = now_ms();
    type(&s, "q");
    assert_int_equal(wait_exit(&s), 0);
    assert_true(now_ms() - asked < 3000);
    assert_true(gone(exercise));
    assert_true(cooked(&s));
    finish(&s);
}

void a_save_restarts_a_run_that_loops(void **state)
{
    (void)state;
    kit_write(&the_kit, GREET, LOOPING_GREET);
    pty_run s;
    start_command(&s, "watch", "1", "KATA_TIMEOUT=60");
    pid_t exercise = looping_exercise(&s);
    assert_true(wait_for(&s, "running \"greet returns a string\""));
    kit_copy(&the_kit, "solutions/01-greet/greet.c", GREET);
    assert_true(wait_for(&s, "All 2 tests pass: exercise 1 is done."));
    assert_true(gone(exercise));
    type(&s, "q");
    assert_int_equal(wait_exit(&s), 0);
    finish(&s);
}

/* A cmake that hangs while the exercise's file asks for it (a comment
 * SLOW_BUILD), as a first build of the library or a slow compiler
 * would; otherwise the real one. It writes the process id of what it
 * waits on to SLOW_PID_FILE. */
#define SLOW_GREET "/* SLOW_BUILD */\n"
#define SLOW_PID_FILE "slow-build.pid"

static char *slow_cmake(void)
{
    char *script = kata_path(the_kit.dir, "slow-cmake");
    char *text = kata_format("#!/bin/sh\n"
                             "if grep -q SLOW_BUILD '%s/" GREET "'; then\n"
                             "    sleep 30 &\n"
                             "    echo $! >'%s/" SLOW_PID_FILE "'\n"
                             "    wait\n"
                             "fi\n"
                             "exec cmake \"$@\"\n",
                             the_kit.root, the_kit.dir);
    kata_write_file(script, text, strlen(text));
    chmod(script, 0755);
    free(text);
    char *env = kata_format("KATA_CMAKE=%s", script);
    free(script);
    return env;
}

/* The process id of what the slow build waits on, once it waits. */
static pid_t slow_build(pty_run *s)
{
    char *path = kata_path(the_kit.dir, SLOW_PID_FILE);
    long long deadline = now_ms() + WAIT_MS;
    pid_t pid = 0;
    while (pid == 0 && now_ms() < deadline) {
        char *text = NULL;
        size_t len = 0;
        if (kata_read_file(path, &text, &len) == 0)
            pid = (pid_t)atoi(text);
        free(text);
        if (pid == 0)
            pump(s, 100);
    }
    free(path);
    if (pid == 0)
        fail_msg("the slow build did not start");
    return pid;
}

int remove_slow_build(void **state)
{
    char *path = kata_path(the_kit.dir, SLOW_PID_FILE);
    remove(path);
    free(path);
    return restore_stub(state);
}

void q_quits_watch_at_once_while_the_exercise_builds(void **state)
{
    (void)state;
    char *slow = slow_cmake();
    kata_buf text = {0};
    kata_buf_printf(&text, "%s%s", SLOW_GREET, stub);
    kit_write(&the_kit, GREET, kata_buf_str(&text));
    kata_buf_free(&text);
    pty_run s;
    start_command(&s, "watch", "1", slow);
    pid_t build = slow_build(&s);
    long long asked = now_ms();
    type(&s, "q");
    assert_int_equal(wait_exit(&s), 0);
    assert_true(now_ms() - asked < 3000);
    /* Not only cmake: everything the build started. */
    assert_true(gone(build));
    assert_true(cooked(&s));
    finish(&s);
    free(slow);
}

void a_save_restarts_a_build_in_progress(void **state)
{
    (void)state;
    char *slow = slow_cmake();
    kata_buf text = {0};
    kata_buf_printf(&text, "%s%s", SLOW_GREET, stub);
    kit_write(&the_kit, GREET, kata_buf_str(&text));
    kata_buf_free(&text);
    pty_run s;
    start_command(&s, "watch", "1", slow);
    pid_t build = slow_build(&s);
    kit_copy(&the_kit, "solutions/01-greet/greet.c", GREET);
    assert_true(wait_for(&s, "All 2 tests pass: exercise 1 is done."));
    assert_true(gone(build));
    type(&s, "q");
    assert_int_equal(wait_exit(&s), 0);
    finish(&s);
    free(slow);
}

/* Takes the build folder's lock as another build would (the mutant
 * harness of ./kata selftest takes it with flock(1) or perl's flock);
 * closing the descriptor gives it back. */
static int hold_build_lock(void)
{
    char *path = kata_path(the_kit.build, ".kata-build.lock");
    /* Not inherited by the runner, which would then hold it too. */
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    free(path);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
    return fd;
}

void watch_waits_for_another_build_and_still_answers_q(void **state)
{
    (void)state;
    int lock = hold_build_lock();
    pty_run s;
    start(&s, "1");
    assert_true(wait_for(&s, "waiting for another build of this folder"));
    assert_true(stays_away(&s, "tests pass", 1500));
    close(lock);
    assert_true(wait_for(&s, "FAIL greet returns a string"));

    lock = hold_build_lock();
    type(&s, "r");
    assert_true(wait_for(&s, "waiting for another build of this folder"));
    long long asked = now_ms();
    type(&s, "q");
    assert_int_equal(wait_exit(&s), 0);
    assert_true(now_ms() - asked < 3000);
    assert_true(cooked(&s));
    close(lock);
    finish(&s);
}

/* kill_how: a signal to send the runner, or 0 to close its terminal.
 * With a signal, the runner runs as from a shell: in the test's own
 * process group, not as the leader of a session (whose end would hang
 * up the terminal and signal everything in it). */
static void killing_the_runner_kills_the_exercise(int kill_how)
{
    kit_write(&the_kit, GREET, LOOPING_GREET);
    char *path = kata_path(the_kit.root, PID_FILE);
    remove(path);
    free(path);
    if (kill_how != 0) {
        pid_t runner = fork();
        assert_true(runner >= 0);
        if (runner == 0) {
            int null = open("/dev/null", O_RDWR);
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
            setenv("KATA_TIMEOUT", "60", 1);
            execl(harness_runner(), harness_runner(), "--root", the_kit.root,
                  "--build", the_kit.build, "run", "1", (char *)NULL);
            _exit(127);
        }
        pid_t exercise = wait_for_pid_file();
        kill(runner, kill_how);
        int status;
        assert_int_equal(waitpid(runner, &status, 0), runner);
        assert_true(gone(exercise));
        return;
    }
    pty_run s;
    start_command(&s, "run", "1", "KATA_TIMEOUT=60");
    pid_t exercise = looping_exercise(&s);
    close(s.master);
    close(s.slave);
    long long deadline = now_ms() + WAIT_MS;
    while (!s.exited && now_ms() < deadline)
        if (waitpid(s.pid, &s.status, WNOHANG) == s.pid)
            s.exited = true;
    assert_true(s.exited);
    assert_true(gone(exercise));
    kata_buf_free(&s.screen);
}

void sigterm_to_the_runner_kills_the_exercise(void **state)
{
    (void)state;
    killing_the_runner_kills_the_exercise(SIGTERM);
}

void sighup_to_the_runner_kills_the_exercise(void **state)
{
    (void)state;
    killing_the_runner_kills_the_exercise(SIGHUP);
}

void closing_the_terminal_kills_the_exercise(void **state)
{
    (void)state;
    killing_the_runner_kills_the_exercise(0);
}
