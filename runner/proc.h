/*
 * runner/proc.h - running the build, the exercises and other tools.
 *
 * A child always reads its input from /dev/null: the exercises never ask
 * for any, and in watch mode the keys the learner types belong to the
 * runner.
 */
#ifndef KATA_PROC_H
#define KATA_PROC_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct kata_cmd {
    const char *const *argv; /* argv[0] is looked up on PATH */
    const char *cwd;         /* NULL: the runner's own */
    const char *const *env;  /* "NAME=value" to set, NULL-terminated, or NULL */
    int timeout_ms;          /* the child is killed after this long; 0: never */
    /* Capture stdout and stderr, merged in the order they were written,
     * into the result; otherwise the child writes to the runner's. */
    bool capture;
    /* With capture: called with each line (without '\n') as it arrives;
     * the line is valid during the call only. */
    void (*on_line)(void *ctx, const char *line);
    void *ctx;
    /* Called about every 200 ms while the child runs, with the time since
     * it started; returning false stops it (result->cancelled). */
    bool (*on_tick)(void *ctx, long long elapsed_ms);
    /* A limit on the child's CPU time, in seconds (0: none): it ends a
     * loop even when the runner itself was killed without a chance to
     * stop it. */
    int cpu_limit_s;
    /* On a timeout or a cancel the group is sent SIGTERM and given this
     * long to end before SIGKILL (0: SIGKILL at once): make and ninja
     * then delete the file they were half-way through writing, which a
     * later build would otherwise take for up to date. */
    int stop_grace_ms;
} kata_cmd;

typedef struct kata_proc_result {
    bool started;   /* false: the program could not be run */
    int exit_code;  /* when it exited (signal == 0) */
    int signal;     /* the signal that ended it, or 0 */
    bool timed_out; /* killed by the runner after timeout_ms */
    bool cancelled; /* stopped because on_tick said so */
    char *output;   /* with capture: everything it printed (NUL-terminated) */
    size_t output_len;
} kata_proc_result;

/* Every child runs in a process group of its own, with everything it
 * starts: the runner stops the whole group on a timeout, and when the
 * runner itself is ended by SIGTERM, SIGHUP, SIGINT or SIGQUIT (a closed
 * terminal, Ctrl-C), so that no exercise is left running. */

/* Installs the handlers that do so (main() calls it once). */
void kata_proc_guard(void);
/* Kills the group of the child that is running, if any. Async-signal-safe:
 * for other signal handlers (the terminal's) to call. */
void kata_proc_kill_running(void);

/* Runs cmd to its end. Returns KATA_OK when the program ran (whatever
 * its exit status), KATA_EFAIL when it could not be started: the last
 * error says so ("could not run cmake: it is not installed..."), and
 * result->started is false. Free the result with kata_proc_result_free(). */
kata_status kata_run(const kata_cmd *cmd, kata_proc_result *result);
void kata_proc_result_free(kata_proc_result *result);
/* Exited with status 0. */
bool kata_proc_ok(const kata_proc_result *result);
/* A name for a signal number ("Segmentation fault", "Aborted"...). */
const char *kata_signal_name(int sig);

/* The monotonic clock, in milliseconds: for timeouts and ticks. */
long long kata_now_ms(void);

/* Whether a program is on PATH. */
bool kata_have_program(const char *name);

#endif
