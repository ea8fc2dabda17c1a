/*
 * test_watch.c - watch mode as a learner sees it: in a pseudo-terminal
 * (posix_openpt and friends, POSIX: no extra package), it reruns on a
 * save, answers its keys, never moves on by itself, and gives the
 * terminal back as it found it on q, Ctrl-C and SIGTERM.
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

#define GREET "exercises/01-greet/greet.c"
#define WAIT_MS 20000

static kit the_kit;
static char *stub;
static char *count_stub;
/* The size of the next pseudo-terminal: rows, columns. */
static struct winsize window = {40, 100, 0, 0};

typedef struct pty_run {
    int master;
    int slave; /* kept open here too, to read the terminal's modes */
    pid_t pid;
    kata_buf screen; /* everything the runner wrote */
    size_t mark;     /* wait_for() looks after this */
    bool exited;
    int status;
} pty_run;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void start_command(pty_run *s, const char *command, const char *exercise,
                          const char *env);

static void start(pty_run *s, const char *exercise)
{
    start_command(s, "watch", exercise, NULL);
}

/* Runs `kata-runner COMMAND [EXERCISE]` in a new pseudo-terminal, with
 * env ("NAME=value" or NULL) added. */
static void start_command(pty_run *s, const char *command, const char *exercise,
                          const char *env)
{
    memset(s, 0, sizeof(*s));
    s->master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(s->master >= 0);
    assert_int_equal(grantpt(s->master), 0);
    assert_int_equal(unlockpt(s->master), 0);
    const char *name = ptsname(s->master);
    assert_non_null(name);
    char *slave_name = kata_xstrdup(name);
    s->slave = open(slave_name, O_RDWR | O_NOCTTY);
    assert_true(s->slave >= 0);
    ioctl(s->slave, TIOCSWINSZ, &window);

    const char *argv[] = {harness_runner(), "--root", the_kit.root, "--build",
                          the_kit.build,    command,  exercise,     NULL};
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        /* setsid(), with the pty as the controlling terminal, so that
         * Ctrl-C typed into it reaches the runner. */
        setsid();
        int tty = open(slave_name, O_RDWR);
        if (tty < 0)
            _exit(126);
#ifdef TIOCSCTTY
        ioctl(tty, TIOCSCTTY, 0);
#endif
        dup2(tty, 0);
        dup2(tty, 1);
        dup2(tty, 2);
        close(tty);
        close(s->master);
        close(s->slave);
        setenv("TERM", "xterm", 1);
        setenv("NO_COLOR", "1", 1);
        setenv("LC_ALL", "C", 1);
        if (env != NULL) {
            char *copy = kata_xstrdup(env);
            char *eq = strchr(copy, '=');
            *eq = '\0';
            setenv(copy, eq + 1, 1);
        }
        signal(SIGINT, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    free(slave_name);
}

/* Reads what is there, for up to ms milliseconds. */
static void pump(pty_run *s, int ms)
{
    struct pollfd p = {s->master, POLLIN, 0};
    if (poll(&p, 1, ms) > 0) {
        char chunk[4096];
        ssize_t n = read(s->master, chunk, sizeof(chunk));
        if (n > 0)
            kata_buf_add(&s->screen, chunk, (size_t)n);
    }
    if (!s->exited && waitpid(s->pid, &s->status, WNOHANG) == s->pid)
        s->exited = true;
}

static bool wait_for(pty_run *s, const char *text)
{
    long long deadline = now_ms() + WAIT_MS;
    while (now_ms() < deadline) {
        const char *from = kata_buf_str(&s->screen) + s->mark;
        const char *at = strstr(from, text);
        if (at != NULL) {
            s->mark = (size_t)(at - kata_buf_str(&s->screen)) + strlen(text);
            return true;
        }
        pump(s, 100);
    }
    const char *all = kata_buf_str(&s->screen);
    size_t len = strlen(all);
    fprintf(stderr,
            "---- \"%s\" did not appear; the screen ends with:\n%s\n----\n",
            text, len > 3000 ? all + len - 3000 : all);
    return false;
}

/* Nothing containing text appears for ms milliseconds. */
static bool stays_away(pty_run *s, const char *text, int ms)
{
    long long until = now_ms() + ms;
    while (now_ms() < until)
        pump(s, 50);
    return strstr(kata_buf_str(&s->screen) + s->mark, text) == NULL;
}

static void type(pty_run *s, const char *keys)
{
    assert_int_equal(write(s->master, keys, strlen(keys)),
                     (ssize_t)strlen(keys));
}

static int wait_exit(pty_run *s)
{
    long long deadline = now_ms() + WAIT_MS;
    while (!s->exited && now_ms() < deadline)
        pump(s, 50);
    if (!s->exited) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &s->status, 0);
        fail_msg("watch did not stop");
    }
    return WIFEXITED(s->status) ? WEXITSTATUS(s->status)
                                : 128 + WTERMSIG(s->status);
}

static bool cooked(const pty_run *s)
{
    struct termios t;
    assert_int_equal(tcgetattr(s->slave, &t), 0);
    return (t.c_lflag & ICANON) && (t.c_lflag & ECHO);
}

static void finish(pty_run *s)
{
    close(s->master);
    close(s->slave);
    kata_buf_free(&s->screen);
}

static int make_kit(void **state)
{
    (void)state;
    if (kit_create(&the_kit) != 0)
        return -1;
    stub = kit_read(&the_kit, GREET);
    count_stub = kit_read(&the_kit, "exercises/02-count/count.c");
    return 0;
}

static int remove_kit(void **state)
{
    (void)state;
    kit_destroy(&the_kit);
    free(stub);
    free(count_stub);
    return 0;
}

static int restore_stub(void **state)
{
    (void)state;
    kit_write(&the_kit, GREET, stub);
    return 0;
}

static int restore_count(void **state)
{
    (void)state;
    kit_write(&the_kit, "exercises/02-count/count.c", count_stub);
    return 0;
}

static void watch_reruns_on_save_and_answers_its_keys(void **state)
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

static void watch_without_a_number_starts_where_the_learner_is(void **state)
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

static void a_compile_error_shows_while_watching(void **state)
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
static void watch_shows_what_a_suite_prints_after_its_tests(void **state)
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

static void ctrl_c_and_sigterm_give_the_terminal_back(void **state)
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

/* greet() that writes its process id to a file of its working folder,
 * then loops. */
#define LOOPING_GREET                                                          \
    "#include <stdio.h>\n#include <unistd.h>\n#include \"greet.h\"\n"          \
    "const char *greet(void)\n{\n"                                             \
    "    FILE *f = fopen(\"pid\", \"w\");\n"                                   \
    "    if (f) { fprintf(f, \"%d\", (int)getpid()); fclose(f); }\n"           \
    "    for (volatile int spin = 1; spin;)\n        ;\n"                      \
    "    return 0;\n}\n"
#define PID_FILE "build/dev/exercises/01-greet-work/pid"

/* The looping exercise's process id, once it has started. */
static pid_t looping_exercise(pty_run *s)
{
    long long deadline = now_ms() + WAIT_MS;
    while (now_ms() < deadline) {
        char *text = kit_read(&the_kit, PID_FILE);
        pid_t pid = (pid_t)atoi(text);
        free(text);
        if (pid > 0)
            return pid;
        pump(s, 100);
    }
    fail_msg("the looping exercise did not start");
    return 0;
}

/* Whether a process has ended (a zombie waiting for init counts). */
static bool gone(pid_t pid)
{
    long long deadline = now_ms() + 3000;
    while (now_ms() < deadline) {
        if (kill(pid, 0) != 0)
            return true;
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "r");
        if (f != NULL) {
            char state = 0;
            int got = fscanf(f, "%*d %*s %c", &state);
            fclose(f);
            if (got == 1 && state == 'Z')
                return true;
        }
        struct timespec nap = {0, 50 * 1000000};
        nanosleep(&nap, NULL);
    }
    kill(pid, SIGKILL);
    return false;
}

static int remove_pid_file(void **state)
{
    char *path = kata_path(the_kit.root, PID_FILE);
    remove(path);
    free(path);
    return restore_stub(state);
}

static void a_looping_test_is_stopped_with_a_live_line_naming_it(void **state)
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

static void the_default_time_limit_is_ten_seconds(void **state)
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

static void q_quits_watch_at_once_while_a_test_loops(void **state)
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

static void a_save_restarts_a_run_that_loops(void **state)
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

static int remove_slow_build(void **state)
{
    char *path = kata_path(the_kit.dir, SLOW_PID_FILE);
    remove(path);
    free(path);
    return restore_stub(state);
}

static void q_quits_watch_at_once_while_the_exercise_builds(void **state)
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

static void a_save_restarts_a_build_in_progress(void **state)
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

static void watch_waits_for_another_build_and_still_answers_q(void **state)
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

/* The exercise's process id, once the looping suite has started. */
static pid_t wait_for_pid_file(void)
{
    long long deadline = now_ms() + WAIT_MS;
    while (now_ms() < deadline) {
        char *text = kit_read(&the_kit, PID_FILE);
        pid_t pid = (pid_t)atoi(text);
        free(text);
        if (pid > 0)
            return pid;
        struct timespec nap = {0, 100 * 1000000};
        nanosleep(&nap, NULL);
    }
    fail_msg("the looping exercise did not start");
    return 0;
}

static void a_build_shows_the_build_tools_progress(void **state)
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

static void
a_small_terminal_keeps_the_failure_in_view_with_three_hints(void **state)
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

static void sigterm_to_the_runner_kills_the_exercise(void **state)
{
    (void)state;
    killing_the_runner_kills_the_exercise(SIGTERM);
}

static void sighup_to_the_runner_kills_the_exercise(void **state)
{
    (void)state;
    killing_the_runner_kills_the_exercise(SIGHUP);
}

static void closing_the_terminal_kills_the_exercise(void **state)
{
    (void)state;
    killing_the_runner_kills_the_exercise(0);
}

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
