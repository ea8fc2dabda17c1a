/*
 * runner/results.h - what an exercise's test program said, test by test.
 *
 * The exercises are cmocka suites. cmocka 1.1.5 writes its progress on
 * stdout ("[ RUN      ] name", "[       OK ] name", "[  FAILED  ] name")
 * and the failures on stderr; the exercises' checks add their own lines
 * (the expectation, "HINT: ..."). Read merged in the order they were
 * written, the lines between a test's RUN and its result are its story.
 * The TAP output of cmocka would lose the order of those lines, so the
 * standard one is read.
 */
#ifndef KATA_RESULTS_H
#define KATA_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

typedef enum kata_outcome {
    KATA_PASSED,
    KATA_FAILED,
    KATA_CRASHED, /* a signal, a timeout, or the program ending mid-test */
    KATA_SKIPPED
} kata_outcome;

typedef struct kata_test {
    char *name; /* as in the source: a_title_too_long_is_refused */
    kata_outcome outcome;
    char *message; /* what went wrong, without the hint; "" if none */
    char *hint;    /* the HINT's text, or NULL */
} kata_test;

typedef struct kata_results {
    kata_test *tests; /* in the order they ran */
    size_t count;
    size_t total; /* the number the suite announced (>= count: a crash
                     may stop it before the rest run) */
    size_t passed;
    bool finished;  /* the suite ran to its summary */
    char *stopped;  /* why it ended early ("Segmentation fault",
                       "timed out after 60 s"), or NULL */
    char *preamble; /* what it printed outside any test; "" if nothing */
} kata_results;

/* Reads a suite's merged output. Then kata_results_ended() adds how the
 * program ended. */
void kata_results_parse(kata_results *r, const char *output);
/* Records that the program ended by a signal (signal > 0), timed out
 * after timeout_s seconds, or exited with a status but mid-test. */
void kata_results_ended(kata_results *r, int signal, bool timed_out,
                        int timeout_s);
void kata_results_free(kata_results *r);
/* Every announced test ran and passed. */
bool kata_results_all_pass(const kata_results *r);
/* The first test that did not pass, or NULL. */
const kata_test *kata_results_first_failure(const kata_results *r);

/* "passed", "failed", "crashed", "skipped". */
const char *kata_outcome_name(kata_outcome outcome);

/* For the cache in .kata/results.json: a new JSON object, and back.
 * kata_results_from_json() says whether json was results of this shape;
 * when not (an older runner's file), the cache is only missed: it is not
 * a failure, and the last error is left alone. */
json_t *kata_results_to_json(const kata_results *r);
bool kata_results_from_json(kata_results *r, const json_t *json);

#endif
