/*
 * runner/term.h - colours, symbols and the terminal's modes.
 *
 * Colours, symbols and progress bars are for a person at a terminal; when
 * the output goes to a pipe or a file, or NO_COLOR is set
 * (https://no-color.org), the same information comes as plain words, so
 * that logs and scripts read it easily.
 */
#ifndef KATA_TERM_H
#define KATA_TERM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "text.h"

typedef struct kata_term {
    bool tty;     /* a terminal: progress bars, clearing the screen */
    bool colour;  /* escape sequences allowed */
    bool unicode; /* the locale says UTF-8: ✓ ✗ and block bars */
    /* Escape sequences, or "" without colour. */
    const char *bold, *dim, *red, *green, *yellow, *cyan, *reset;
    /* Marks for a passing and a failing line: "✓"/"✗" on a terminal,
     * "ok"/"FAIL" (or "PASS"/"FAIL") in plain text. */
    const char *pass_mark, *fail_mark;
    /* Between parts of a title: " · " in UTF-8, " - " otherwise. */
    const char *sep;
} kata_term;

/* Sets t for output on fd; plain forces plain text (--no-color). */
void kata_term_init(kata_term *t, int fd, bool plain);
/* The width of the terminal on fd (COLUMNS, else 80 when unknown). */
int kata_term_width(int fd);
/* The height of the terminal on fd (LINES, else 24 when unknown). */
int kata_term_height(int fd);

/* A progress bar of width cells for done out of total, appended to out:
 * "██████░░░░" (UTF-8) or "[#####-----]" (ASCII). */
void kata_progress_bar(kata_buf *out, const kata_term *t, size_t done,
                       size_t total, int width);

/* The last error (error.h) on stderr: "error: <its first line>", in red
 * on a terminal, and what to do next indented under it; every "<root>/"
 * in it is left out, so that paths read from the kit's root. Nothing
 * when there is no last error. */
void kata_error_show(const char *root);
/* "note: <message>" on stderr: a warning that stops nothing. */
void kata_note(const char *format, ...) KATA_PRINTF(1, 2);

/* Asks a yes/no question on stdout; only y or yes is a yes, and the end
 * of the input is a no. */
bool kata_confirm(const char *question);

/* Key-at-a-time input without echo on fd, for watch mode; the terminal's
 * previous mode is restored by kata_raw_leave(), at exit, and on SIGINT,
 * SIGTERM, SIGHUP and SIGTSTP (and re-entered on SIGCONT). Returns
 * whether it did: not when fd is not a terminal (watch then reads lines,
 * which is no failure). */
bool kata_raw_enter(int fd);
void kata_raw_leave(void);
/* Set by the signal handlers: the screen needs drawing again (after
 * SIGCONT or SIGWINCH). Cleared by the caller. */
extern volatile sig_atomic_t kata_redraw_requested;

#endif
