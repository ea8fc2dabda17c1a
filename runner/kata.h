/*
 * runner/kata.h - what every command of the kata runner shares.
 *
 * The runner works on a kit (the root, with exercises/ and solutions/)
 * and on a configured build folder of it (build/dev when ./kata starts
 * it). Both are options (--root, --build) or environment variables
 * (KATA_ROOT, KATA_BUILD), so that the runner's own tests can point it at
 * a small kit of their own. What it remembers lives in <root>/.kata/.
 *
 * Exit statuses, for every command: 0 done (for run: every test passes),
 * 1 it did not work out (a test fails, the build broke, the learner said
 * no) and the message says what to do, 2 the command line was wrong.
 */
#ifndef KATA_H
#define KATA_H

#include <stdbool.h>

#include "catalogue.h"
#include "term.h"

enum { KATA_EXIT_OK = 0, KATA_EXIT_FAIL = 1, KATA_EXIT_USAGE = 2 };

typedef struct kata {
    char *root;        /* absolute path of the kit */
    char *build;       /* absolute path of the learner's build folder */
    char *shown_build; /* build relative to root when inside it */
    char *state;       /* <root>/.kata */
    kata_catalogue catalogue;
    kata_term out; /* styles for stdout */
    bool plain;    /* --no-color */
    bool yes;      /* --yes: do not ask */
    /* Watch mode's: called while a suite runs (see kata_run_suite_watched)
     * and while an exercise builds (see kata_build), so that keys and
     * saves may stop either; NULL elsewhere. Both get tick_ctx. */
    bool (*suite_tick)(void *ctx, const char *running_test,
                       long long elapsed_ms);
    bool (*build_tick)(void *ctx, long long elapsed_ms);
    void *tick_ctx;
} kata;

/* A command: argv[0] is its name, the rest its arguments. */
typedef int kata_command_fn(kata *k, int argc, char **argv);

kata_command_fn kata_cmd_board;
kata_command_fn kata_cmd_run;
kata_command_fn kata_cmd_watch;
kata_command_fn kata_cmd_hint;
kata_command_fn kata_cmd_reset;
kata_command_fn kata_cmd_solution;
kata_command_fn kata_cmd_demo;
kata_command_fn kata_cmd_report;

/* Prints the help of one command (its name as typed) to stdout. */
void kata_print_command_help(const char *name);

/* Shared argument handling. kata_parse_args() accepts --help (prints the
 * command's help, *exit_code 0), -y/--yes (sets k->yes when yes_ok),
 * --json (sets *json when json is not NULL) and at most one positional
 * argument (*positional). Returns true when the command should go on;
 * otherwise *exit_code is set and a message was printed. */
bool kata_parse_args(kata *k, int argc, char **argv, const char **positional,
                     bool yes_ok, bool *json, int *exit_code);

/* The exercise named by arg, or NULL after telling the learner which
 * ones there are (exit status 2). */
kata_exercise *kata_exercise_arg(kata *k, const char *command, const char *arg);
/* Lists the valid exercises on stderr, after an error. */
void kata_list_exercises(const kata *k);
/* Whether solutions/ holds the reference answer of every file the
 * learner edits in e; if not, says that this copy of the kit comes
 * without the answers (a trainer's hand-out, or a learner who deleted
 * them), and what to do instead. */
bool kata_answers_ready(const kata *k, const kata_exercise *e);
/* Whether the build folder is configured; if not, says how to fix it. */
bool kata_build_ready(const kata *k);

/* The exercise to work on: the first that is not done (the last one when
 * all are), building each on the way when build is true; NULL (after a
 * message) when there are no exercises. */
kata_exercise *kata_current_exercise(kata *k, bool build);

/* Saves a copy of every learner file that is still the stub in
 * .kata/pristine/, once, so that `reset` works without git. */
void kata_pristine_save(const kata *k);

#endif
