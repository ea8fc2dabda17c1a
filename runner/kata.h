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
 *
 * The files, in layers; a file calls only files of the layers below it
 * (and of its own layer, below it in this list), never back up:
 *
 *   main.c      parses the global options, dispatches to a command
 *   commands    board.c run.c watch.c (its screen: watch_screen.c)
 *               room_cmd.c (join, leave, room; its queue: room_send.c;
 *               main and watch hand it each new report)
 *               report.c reset.c solution.c demo.c explore.c hints.c
 *               (watch and report read the hints it keeps)
 *   features    args.c (what every command checks first), help.c (the
 *               help texts, and `help`), show.c, evaluate.c, build.c,
 *               results.c, pristine.c, catalogue.c
 *   helpers     term.c, proc.c, fs.c, sha256.c, error.c, text.c, and
 *               web/client.c (HTTP)
 *
 * Watch mode's ticks (kata.suite_tick, kata.build_tick) are callbacks set
 * at run time, not calls back up.
 */
#ifndef KATA_H
#define KATA_H

#include <stdbool.h>

#include "catalogue.h"
#include "error.h"
#include "term.h"

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

/* A command: argv[0] is its name, the rest its arguments. It returns
 * KATA_OK (KATA_FINISHED after --help), or a failure with its message in
 * the last error (error.h); main() prints it and exits with
 * kata_exit_code(). */
typedef kata_status kata_command_fn(kata *k, int argc, char **argv);

kata_command_fn kata_cmd_board;
kata_command_fn kata_cmd_run;
kata_command_fn kata_cmd_watch;
kata_command_fn kata_cmd_hint;
kata_command_fn kata_cmd_reset;
kata_command_fn kata_cmd_solution;
kata_command_fn kata_cmd_demo;
kata_command_fn kata_cmd_report;
kata_command_fn kata_cmd_explore;
kata_command_fn kata_cmd_help;
kata_command_fn kata_cmd_room;
kata_command_fn kata_cmd_join;
kata_command_fn kata_cmd_leave;
kata_command_fn kata_cmd_room_send;

/* report.c. The report's JSON (docs/runner.md) of every exercise,
 * evaluated with flags (KATA_EVAL_BUILD...), dumped with json_flags
 * (jansson's: JSON_COMPACT, JSON_INDENT(2)); a new string in *out.
 * KATA_OK, or KATA_EFAIL with the last error. */
kata_status kata_report_text(const kata *k, unsigned flags, size_t json_flags,
                             char **out);
/* The learner's name as the report gives it (it may ask, once); NULL when
 * there is none. A new string. */
char *kata_learner_name(const kata *k);

/* room.c. When the learner joined a room (./kata join), sends the room
 * the current report in the background: a detached process queues it
 * and posts the queue, so the command never waits. Unless quiet, says
 * in one line why the last sending failed, if it did. */
void kata_room_notify(kata *k, bool quiet);

/* help.c. Prints the help of one command (its name as typed) to stdout;
 * the general help when name is NULL or no command. */
void kata_print_command_help(const char *name);
/* "The commands: board list ...\n./kata help explains them.", for a
 * message about a mistyped command; a new string. */
char *kata_command_list(void);

/* args.c: what the commands share before they start.
 *
 * kata_parse_args() accepts --help (prints the command's help and returns
 * KATA_FINISHED), -y/--yes (sets k->yes when yes_ok), --json (sets *json
 * when json is not NULL) and at most one positional argument
 * (*positional). KATA_OK: go on; KATA_EUSAGE: the arguments are wrong. */
kata_status kata_parse_args(kata *k, int argc, char **argv,
                            const char **positional, bool yes_ok, bool *json);
/* The exercise named by arg in *out; KATA_EUSAGE when there is none (the
 * message lists the ones there are). */
kata_status kata_exercise_arg(kata *k, const char *command, const char *arg,
                              kata_exercise **out);
/* Whether solutions/ holds the reference answer of every file the
 * learner edits in e; KATA_EFAIL if not: this copy of the kit comes
 * without the answers (a trainer's hand-out, or a learner who deleted
 * them), and the message says what to do instead. */
kata_status kata_answers_ready(const kata *k, const kata_exercise *e);
/* Whether the build folder is configured; KATA_EFAIL (how to fix it) if
 * not. */
kata_status kata_build_ready(const kata *k);
/* run, watch and hint: the arguments "[N]", and exercise N or, without
 * it, the current one (kata_current_exercise()). With build, the build
 * folder must be ready and the exercises on the way are built. */
kata_status kata_exercise_or_current(kata *k, int argc, char **argv, bool build,
                                     kata_exercise **out);
/* reset, solution and demo: the arguments "N" (and -y when yes_ok), and
 * exercise N; without N, KATA_EUSAGE ("<command> needs the number of
 * <what>"). */
kata_status kata_exercise_needed(kata *k, int argc, char **argv, bool yes_ok,
                                 const char *what, kata_exercise **out);
/* solution and demo: the same, and the answers of exercise N must be in
 * the kit (kata_answers_ready()). */
kata_status kata_answer_needed(kata *k, int argc, char **argv, bool yes_ok,
                               const char *what, kata_exercise **out);

/* evaluate.c. The exercise to work on, in *out: the first that is not
 * done (the last one when all are), building each on the way when build
 * is true; KATA_EFAIL when there are no exercises or cmake cannot be
 * run. */
kata_status kata_current_exercise(kata *k, bool build, kata_exercise **out);

/* pristine.c. Saves a copy of every learner file that is still the stub
 * in .kata/pristine/, once, so that `reset` works without git. */
void kata_pristine_save(const kata *k);
/* Where that copy of edit file i of e is kept; a new string. */
char *kata_pristine_path(const kata *k, const kata_exercise *e, size_t i);
/* Whether the file at path exists and its SHA-256 is sum (hex). */
bool kata_file_has_sum(const char *path, const char *sum);

#endif
