/*
 * runner/show.h - how results look: a test's failure with its hint, a
 * crash with the commands to debug it, the compiler's messages, progress
 * bars, and the board's table. Shared by board, run, watch and report.
 */
#ifndef KATA_SHOW_H
#define KATA_SHOW_H

#include <stddef.h>

#include "evaluate.h"
#include "kata.h"
#include "text.h"

/* One test: a pass or fail mark and its name as words; for a test that
 * did not pass, its message and HINT below, indented. */
void kata_show_test(kata_buf *out, const kata *k, const kata_test *t,
                    bool details, int width);
/* What to type to see where e's program crashes (a debugger, and the
 * sanitizer build). */
void kata_show_crash_help(kata_buf *out, const kata *k, const kata_exercise *e,
                          const kata_results *r);
/* The compiler's messages, at most max_lines of them (0: all), coloured. */
void kata_show_diagnostics(kata_buf *out, const kata *k, const char *text,
                           size_t max_lines);
/* "████░░░░ 3 of 9 tests pass<trailer>" on a terminal, "Progress: 3 of 9
 * tests pass (33%)<trailer>" in plain text; trailer may be NULL. */
void kata_show_progress(kata_buf *out, const kata *k, size_t passed,
                        size_t total, const char *unit, const char *trailer,
                        int width);
/* The table of exercises with their status. */
void kata_show_table(kata_buf *out, const kata *k, const kata_eval *evals,
                     int width);
/* The learner's next step, after the table: "next: ...". */
void kata_show_next(kata_buf *out, const kata *k, const kata_eval *evals);
/* "exercises/01-events/events.h, exercises/01-events/events.c" */
void kata_show_edit_files(kata_buf *out, const kata_exercise *e);

#endif
