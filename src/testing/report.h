/*
 * src/testing/report.h - the text of a failed spec, shared by decider,
 * aggregate and projection specs. Not installed.
 */
#ifndef ESK_TESTING_REPORT_H
#define ESK_TESTING_REPORT_H

#include <stdbool.h>
#include <stddef.h>

/* Text written into a fixed buffer. Writing past its end cuts the text
 * and esk__report_end marks the cut, so that a report never overflows
 * and never silently loses its end. */
typedef struct esk__report {
    char *buf;
    size_t size;
    size_t len;
    bool cut;
} esk__report;

/* Start an empty report in buf (size >= 1). */
void esk__report_init(esk__report *r, char *buf, size_t size);

void esk__report_add(esk__report *r, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* printf into buf (size bytes); with keep_first, a buf that holds a
 * message already keeps it (the first problem of a spec is the one to
 * fix). */
void esk__report_format(char *buf, size_t size, bool keep_first,
                        const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Replace *slot (owned) with a copy of text, or nothing for NULL: false
 * when out of memory, and *slot is then NULL. */
bool esk__report_set_text(char **slot, const char *text);

/* Start a spec's report in buf: false, with the report saying so, when
 * the spec could not be created (spec_exists false). */
bool esk__report_start(esk__report *r, char *buf, size_t size,
                       bool spec_exists);

/* Mark a cut report as such, at its end. */
void esk__report_end(esk__report *r);

/* Print a report through cmocka, one line per call: cmocka cuts a single
 * message at about a kilobyte, which would lose a long story's outcome and
 * its HINT. */
void esk__report_print(const char *text);

/* A source path as the learner knows it: from "exercises/", "solutions/"
 * or "tests/" on, or the path itself. */
const char *esk__report_path(const char *file);

/* The end of a spec check: print the report of a failed spec (text, or
 * a fixed line when there was no memory for it: text NULL), free text,
 * and fail the cmocka test at file:line. Nothing printed when passed. */
void esk__report_conclude(bool passed, char *text, const char *file, int line);

/*
 * Compare expected and actual lines row by row under a label ("then"):
 * side by side when they are short, else one above the other with a
 * caret under the first differing character. The first differing row is
 * marked; a row missing on one side shows "(none)".
 */
void esk__report_compare(esk__report *r, const char *label,
                         const char *const *expected, size_t expected_count,
                         const char *const *actual, size_t actual_count);

/* The same for two texts, line by line; a final newline is ignored. */
void esk__report_compare_text(esk__report *r, const char *label,
                              const char *expected, const char *actual);

#endif
