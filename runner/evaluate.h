/*
 * runner/evaluate.h - where a learner stands on an exercise: build it,
 * run it (or reuse the results of the same program from .kata/), and
 * sum it up as not started, in progress, done, or not building.
 */
#ifndef KATA_EVALUATE_H
#define KATA_EVALUATE_H

#include <stdbool.h>

#include "kata.h"
#include "results.h"

typedef enum kata_state {
    KATA_NOT_STARTED, /* the learner's files are still the stubs */
    KATA_IN_PROGRESS,
    KATA_DONE,       /* every test passes */
    KATA_BUILD_ERROR /* the exercise does not compile or link */
} kata_state;

typedef struct kata_eval {
    kata_state state;
    bool untouched;    /* the learner's files are still the stubs */
    bool build_failed; /* the last build of it failed (diagnostics say why) */
    char *diagnostics; /* the compiler's messages: errors, or warnings of a
                          build that worked; "" when none */
    bool ran;          /* results holds the tests of the current program */
    kata_results results;
    /* The number of tests of the suite: this run's, or, while the
     * exercise does not build, the last run's (0 when it never ran), so
     * that the totals do not shrink with a compile error. */
    size_t total;
} kata_eval;

enum {
    KATA_EVAL_BUILD = 1, /* build before running */
    KATA_EVAL_FRESH = 2  /* run even when .kata/ has this program's results */
};

/* Evaluates one exercise. Returns KATA_OK (a compile error or a failing
 * test is in *out), or KATA_EFAIL when cmake could not even be run.
 * Free *out with kata_eval_free() either way. */
kata_status kata_evaluate(const kata *k, const kata_exercise *e, unsigned flags,
                          kata_eval *out);
/* Evaluates every exercise of the catalogue into evals (one per
 * exercise), building all of them in one go first when flags has
 * KATA_EVAL_BUILD; when that build fails, each exercise is built on its
 * own to find which ones do not build. */
kata_status kata_evaluate_all(const kata *k, kata_eval *evals, unsigned flags);
void kata_eval_free(kata_eval *eval);

/* "not-started", "in-progress", "done", "build-error": the words of the
 * report's JSON. */
const char *kata_state_name(kata_state state);

/* The exercise's program in the learner's build, and the folder it runs
 * in (exercises may write database files there). New strings. */
char *kata_exercise_binary(const kata *k, const kata_exercise *e);
char *kata_exercise_workdir(const char *build, const kata_exercise *e);

/* Runs a suite program and reads its results; paths under root in what
 * it prints are made relative to root. env adds variables (may be NULL).
 * The program's own output is passed to on_line as it comes when on_line
 * is not NULL. */
void kata_run_suite(const char *root, const char *binary, const char *workdir,
                    const char *const *env,
                    void (*on_line)(void *ctx, const char *line), void *ctx,
                    kata_results *out);

/* The same, while a live line on stderr (when it is a terminal) names
 * the test that runs and for how long, once it takes more than a second;
 * or, when tick is not NULL, tick is called instead about every 200 ms
 * with the same facts ("" before the first test starts), and may stop the
 * suite by returning false (out->stopped then says "stopped"). */
#define KATA_STOPPED_EARLY "stopped before its end"
typedef bool kata_suite_tick(void *ctx, const char *running_test,
                             long long elapsed_ms);
void kata_run_suite_watched(const char *root, const char *binary,
                            const char *workdir, const char *const *env,
                            void (*on_line)(void *ctx, const char *line),
                            void *ctx, kata_suite_tick *tick, void *tick_ctx,
                            kata_results *out);

/* The seconds a suite may run before it is stopped ($KATA_TIMEOUT, 10:
 * the suites run in under a second). */
int kata_suite_timeout(void);

#endif
