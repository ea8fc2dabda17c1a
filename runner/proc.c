/*
 * runner/proc.c - running the build, the exercises and other tools.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "proc.h"
#include "text.h"

#define TICK_MS 200

long long kata_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The group of the child that is running; 0 when none is. */
static volatile sig_atomic_t running_group;

void kata_proc_kill_running(void)
{
    pid_t group = (pid_t)running_group;
    if (group > 0)
        kill(-group, SIGKILL);
}

static void on_fatal(int sig)
{
    kata_proc_kill_running();
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    raise(sig);
}

void kata_proc_guard(void)
{
    static const int fatal[] = {SIGTERM, SIGHUP, SIGINT, SIGQUIT};
    for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
        struct sigaction old;
        /* A signal ignored by whoever started the runner stays ignored. */
        if (sigaction(fatal[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_fatal;
        sigemptyset(&sa.sa_mask);
        sigaction(fatal[i], &sa, NULL);
    }
}

/* Stops the child's whole group: at once, or with SIGTERM first and a
 * grace of cmd->stop_grace_ms. Sets *reaped when the child was waited
 * for meanwhile (its status is then in *wstatus). */
static void stop_group(const kata_cmd *cmd, pid_t pid, int *wstatus,
                       bool *reaped)
{
    if (cmd->stop_grace_ms > 0 && !*reaped) {
        kill(-pid, SIGTERM);
        long long until = kata_now_ms() + cmd->stop_grace_ms;
        while (kata_now_ms() < until) {
            pid_t done = waitpid(pid, wstatus, WNOHANG);
            if (done == pid || (done < 0 && errno != EINTR)) {
                *reaped = done == pid;
                break;
            }
            struct timespec nap = {0, 10 * 1000000};
            nanosleep(&nap, NULL);
        }
    }
    kill(-pid, SIGKILL);
}

/* Only async-signal-safe calls between fork and exec, apart from setenv:
 * the runner has a single thread, so no lock can be held by another. */
static void child(const kata_cmd *cmd, int out_fd, int status_fd)
{
    setpgid(0, 0);
    if (cmd->cpu_limit_s > 0) {
        struct rlimit cpu = {(rlim_t)cmd->cpu_limit_s,
                             (rlim_t)cmd->cpu_limit_s + 1};
        setrlimit(RLIMIT_CPU, &cpu);
    }
    int in = open("/dev/null", O_RDONLY);
    if (in >= 0) {
        dup2(in, 0);
        if (in != 0)
            close(in);
    }
    if (out_fd >= 0) {
        dup2(out_fd, 1);
        dup2(out_fd, 2);
        if (out_fd > 2)
            close(out_fd);
    }
    if (cmd->env != NULL)
        for (const char *const *e = cmd->env; *e != NULL; e++) {
            const char *eq = strchr(*e, '=');
            if (eq == NULL)
                continue;
            char name[256];
            size_t n = (size_t)(eq - *e);
            if (n >= sizeof(name))
                continue;
            memcpy(name, *e, n);
            name[n] = '\0';
            setenv(name, eq + 1, 1);
        }
    /* The runner ignores nothing, but a parent of the runner may have:
     * the exercises must crash like they would on their own. */
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    if (cmd->cwd == NULL || chdir(cmd->cwd) == 0)
        execvp(cmd->argv[0], (char *const *)cmd->argv);
    int e = errno;
    ssize_t ignored = write(status_fd, &e, sizeof(e));
    (void)ignored;
    _exit(127);
}

/* Feeds bytes to on_line, one complete line at a time. */
static void feed_lines(const kata_cmd *cmd, kata_buf *pending, const char *data,
                       size_t n, bool flush)
{
    if (cmd->on_line == NULL)
        return;
    kata_buf_add(pending, data, n);
    size_t start = 0;
    for (size_t i = 0; i < pending->len; i++)
        if (pending->data[i] == '\n') {
            pending->data[i] = '\0';
            if (i > start && pending->data[i - 1] == '\r')
                pending->data[i - 1] = '\0';
            cmd->on_line(cmd->ctx, pending->data + start);
            start = i + 1;
        }
    if (flush && start < pending->len) {
        cmd->on_line(cmd->ctx, pending->data + start);
        start = pending->len;
    }
    if (start > 0) {
        memmove(pending->data, pending->data + start, pending->len - start);
        pending->len -= start;
        pending->data[pending->len] = '\0';
    }
}

static kata_status cannot_run(const kata_cmd *cmd, int error)
{
    if (error == ENOENT)
        return kata_fail(KATA_EFAIL,
                         "could not run %s: it is not installed "
                         "(or not on PATH).",
                         cmd->argv[0]);
    return kata_fail(KATA_EFAIL, "could not run %s: %s.", cmd->argv[0],
                     strerror(error));
}

/* A child between its start and its end. */
typedef struct running {
    const kata_cmd *cmd;
    kata_proc_result *result;
    pid_t pid;
    int wstatus;
    bool reaped;
    long long started;
    long long deadline; /* 0: none */
} running;

/* Whether the child must stop now (its deadline passed, or on_tick says
 * so); if so, stops it and notes why. */
static bool must_stop(running *r)
{
    if (r->deadline && kata_now_ms() >= r->deadline) {
        r->result->timed_out = true;
        r->deadline = 0;
    } else if (r->cmd->on_tick && !r->result->cancelled &&
               !r->cmd->on_tick(r->cmd->ctx, kata_now_ms() - r->started)) {
        r->result->cancelled = true;
    } else
        return false;
    stop_group(r->cmd, r->pid, &r->wstatus, &r->reaped);
    return true;
}

/* Reads what the child prints until it closes its end of the pipe (or is
 * stopped), waking at least every TICK_MS for on_tick and the deadline. */
static void read_output(running *r, int fd, kata_buf *output)
{
    const kata_cmd *cmd = r->cmd;
    kata_buf pending = {0};
    while (!must_stop(r)) {
        int wait_ms = cmd->on_tick || r->deadline ? TICK_MS : -1;
        long long left = r->deadline - kata_now_ms();
        if (r->deadline && left < TICK_MS)
            wait_ms = left > 0 ? (int)left : 0;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, wait_ms) <= 0)
            continue; /* a signal, or time for the next tick */
        char chunk[4096];
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        kata_buf_add(output, chunk, (size_t)n);
        feed_lines(cmd, &pending, chunk, (size_t)n, false);
    }
    feed_lines(cmd, &pending, "", 0, true);
    kata_buf_free(&pending);
}

/* Waits for the child's end; without capture, the deadline and on_tick
 * are watched here. */
static void wait_for_end(running *r)
{
    while (!r->reaped) {
        bool watched =
            r->deadline || (r->cmd->on_tick && !r->result->cancelled);
        pid_t done = waitpid(r->pid, &r->wstatus, watched ? WNOHANG : 0);
        if (done == r->pid || (done < 0 && errno != EINTR))
            break;
        if (done == 0 && !must_stop(r)) {
            struct timespec nap = {0, 20 * 1000000};
            nanosleep(&nap, NULL);
        }
    }
}

/* Starts cmd in a group of its own; *out_fd is the read end of its
 * output (-1 without capture). Returns the child's pid, or -1 with
 * errno set. After the start, *child_errno is 0, or why exec failed. */
static pid_t start(const kata_cmd *cmd, int *out_fd, int *child_errno)
{
    int out[2] = {-1, -1};
    int status[2] = {-1, -1};
    pid_t pid = -1;
    if ((cmd->capture && pipe(out) != 0) || pipe(status) != 0)
        goto failed;
    fcntl(status[1], F_SETFD, FD_CLOEXEC);
    if (out[0] >= 0)
        fcntl(out[0], F_SETFD, FD_CLOEXEC);
    /* Whatever the runner printed must come before what the child
     * prints. */
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0)
        goto failed;
    if (pid == 0) {
        close(status[0]);
        child(cmd, out[1], status[1]);
    }
    /* Here too: the group must exist before the runner may kill it. */
    setpgid(pid, pid);
    running_group = pid;
    close(status[1]);
    if (out[1] >= 0)
        close(out[1]);
    /* The status pipe closes on exec, or brings exec's errno. */
    *child_errno = 0;
    ssize_t got;
    do
        got = read(status[0], child_errno, sizeof(*child_errno));
    while (got < 0 && errno == EINTR);
    close(status[0]);
    *out_fd = out[0];
    return pid;

failed:;
    int error = errno;
    for (int i = 0; i < 2; i++) {
        if (out[i] >= 0)
            close(out[i]);
        if (status[i] >= 0)
            close(status[i]);
    }
    errno = error;
    return -1;
}

kata_status kata_run(const kata_cmd *cmd, kata_proc_result *result)
{
    memset(result, 0, sizeof(*result));
    int out_fd = -1, child_errno = 0;
    pid_t pid = start(cmd, &out_fd, &child_errno);
    if (pid < 0)
        return cannot_run(cmd, errno);

    running r = {cmd, result, pid, 0, false, kata_now_ms(), 0};
    if (cmd->timeout_ms > 0)
        r.deadline = r.started + cmd->timeout_ms;
    kata_buf output = {0};
    if (out_fd >= 0) {
        read_output(&r, out_fd, &output);
        close(out_fd);
    }
    wait_for_end(&r);
    /* What the child left behind in its group (a test that forked) goes
     * with it. */
    kill(-pid, SIGKILL);
    running_group = 0;
    if (child_errno != 0) {
        kata_buf_free(&output);
        return cannot_run(cmd, child_errno);
    }
    result->started = true;
    if (WIFEXITED(r.wstatus))
        result->exit_code = WEXITSTATUS(r.wstatus);
    else if (WIFSIGNALED(r.wstatus))
        result->signal = WTERMSIG(r.wstatus);
    if (cmd->capture) {
        result->output_len = output.len;
        result->output = kata_buf_take(&output);
    }
    return KATA_OK;
}

void kata_proc_result_free(kata_proc_result *result)
{
    free(result->output);
    result->output = NULL;
}

bool kata_proc_ok(const kata_proc_result *result)
{
    return result->started && !result->timed_out && result->signal == 0 &&
           result->exit_code == 0;
}

const char *kata_signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "Segmentation fault";
    case SIGABRT:
        return "Aborted";
    case SIGBUS:
        return "Bus error";
    case SIGFPE:
        return "Floating point exception";
    case SIGILL:
        return "Illegal instruction";
    case SIGKILL:
        return "Killed";
    case SIGTERM:
        return "Terminated";
    case SIGINT:
        return "Interrupted";
    default:
        return "killed by a signal";
    }
}

bool kata_have_program(const char *name)
{
    const char *path = getenv("PATH");
    if (path == NULL || strchr(name, '/') != NULL)
        return kata_is_executable(name);
    bool found = false;
    char *copy = kata_xstrdup(path);
    for (char *dir = copy; dir != NULL && !found;) {
        char *colon = strchr(dir, ':');
        if (colon != NULL)
            *colon = '\0';
        char *candidate = kata_path(*dir ? dir : ".", name);
        found = kata_is_executable(candidate);
        free(candidate);
        dir = colon ? colon + 1 : NULL;
    }
    free(copy);
    return found;
}
