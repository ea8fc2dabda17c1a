/*
 * watch_fixture.c - the kit, kata-runner in a new pseudo-terminal (start,
 * read, type, wait), and the process id of an exercise that loops.
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

kit the_kit;
char *stub;
static char *count_stub;
/* The size of the next pseudo-terminal: rows, columns. */
struct winsize window = {40, 100, 0, 0};

long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void start(pty_run *s, const char *exercise)
{
    start_command(s, "watch", exercise, NULL);
}

/* Runs `kata-runner COMMAND [EXERCISE]` in a new pseudo-terminal, with
 * env ("NAME=value" or NULL) added. */
void start_command(pty_run *s, const char *command, const char *exercise,
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
void pump(pty_run *s, int ms)
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

bool wait_for(pty_run *s, const char *text)
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
bool stays_away(pty_run *s, const char *text, int ms)
{
    long long until = now_ms() + ms;
    while (now_ms() < until)
        pump(s, 50);
    return strstr(kata_buf_str(&s->screen) + s->mark, text) == NULL;
}

void type(pty_run *s, const char *keys)
{
    assert_int_equal(write(s->master, keys, strlen(keys)),
                     (ssize_t)strlen(keys));
}

int wait_exit(pty_run *s)
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

bool cooked(const pty_run *s)
{
    struct termios t;
    assert_int_equal(tcgetattr(s->slave, &t), 0);
    return (t.c_lflag & ICANON) && (t.c_lflag & ECHO);
}

void finish(pty_run *s)
{
    close(s->master);
    close(s->slave);
    kata_buf_free(&s->screen);
}

int make_kit(void **state)
{
    (void)state;
    if (kit_create(&the_kit) != 0)
        return -1;
    stub = kit_read(&the_kit, GREET);
    count_stub = kit_read(&the_kit, "exercises/02-count/count.c");
    return 0;
}

int remove_kit(void **state)
{
    (void)state;
    kit_destroy(&the_kit);
    free(stub);
    free(count_stub);
    return 0;
}

int restore_stub(void **state)
{
    (void)state;
    kit_write(&the_kit, GREET, stub);
    return 0;
}

int restore_count(void **state)
{
    (void)state;
    kit_write(&the_kit, "exercises/02-count/count.c", count_stub);
    return 0;
}

/* The looping exercise's process id, once it has started. */
pid_t looping_exercise(pty_run *s)
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
bool gone(pid_t pid)
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

int remove_pid_file(void **state)
{
    char *path = kata_path(the_kit.root, PID_FILE);
    remove(path);
    free(path);
    return restore_stub(state);
}

/* The exercise's process id, once the looping suite has started. */
pid_t wait_for_pid_file(void)
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
