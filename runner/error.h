/*
 * runner/error.h - how the runner's functions say that they failed.
 *
 * The library's convention (include/esk/error.h), for a program with one
 * thread: a function that can fail returns a kata_status, and on failure
 * leaves its message in the runner's last error, set by kata_fail(). The
 * message's first line says what went wrong, in the learner's terms; the
 * lines after it say what to do next. Nothing below the top level prints
 * an error: main() prints the last error once, when the command failed
 * (kata_error_show() in term.h), and turns the status into the exit
 * status.
 *
 * A command whose own output already shows why it did not work out (a
 * failing test, a "no" to a question) returns kata_not_done(): no
 * message, not even one of a failure it passed by on the way (a cache it
 * could not write). Warnings that stop nothing ("exercise 3 is left out") are
 * not failures: they are printed where they happen, with kata_note().
 */
#ifndef KATA_ERROR_H
#define KATA_ERROR_H

#include "text.h"

typedef enum kata_status {
    KATA_FINISHED = 1, /* nothing more to do, all is well (--help shown) */
    KATA_OK = 0,
    KATA_EFAIL = -1, /* it did not work out: exit status 1 */
    KATA_EUSAGE = -2 /* the command line was wrong: exit status 2 */
} kata_status;

/* Records status and the formatted message as the last error, replacing
 * the one before (which may be an argument: kata_errmsg() is read first),
 * and returns status, so that a failure is one line:
 *     return kata_fail(KATA_EFAIL, "could not read %s: %s.", path, why);
 */
kata_status kata_fail(kata_status status, const char *format, ...)
    KATA_PRINTF(2, 3);
/* The last error's message ("" when there is none); valid until the next
 * kata_fail() or kata_error_clear(). */
const char *kata_errmsg(void);
/* The last error's status (KATA_OK when there is none). */
kata_status kata_error_status(void);
void kata_error_clear(void);
/* KATA_EFAIL with the last error cleared: for a command whose output has
 * said why it did not work out. */
kata_status kata_not_done(void);

/* The exit status of a command that returned status. */
int kata_exit_code(kata_status status);

#endif
