/*
 * runner/solution.c - the reference answer, as a diff against the
 * learner's files: what to change to get there, rather than a second
 * file to compare by eye.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "fs.h"
#include "proc.h"
#include "text.h"

typedef struct painter {
    const kata_term *t;
} painter;

static void paint_diff_line(void *ctx, const char *line)
{
    const kata_term *t = ((painter *)ctx)->t;
    const char *colour = "";
    if (kata_starts_with(line, "+++") || kata_starts_with(line, "---"))
        colour = t->bold;
    else if (line[0] == '+')
        colour = t->green;
    else if (line[0] == '-')
        colour = t->red;
    else if (kata_starts_with(line, "@@"))
        colour = t->cyan;
    printf("%s%s%s\n", colour, line, *colour ? t->reset : "");
}

/* Shows the differences of one file; returns false when diff is not
 * there. */
static bool show_diff(const kata *k, const char *mine, const char *theirs)
{
    const char *argv[] = {"diff", "-u", mine, theirs, NULL};
    kata_cmd cmd = {0};
    cmd.argv = argv;
    cmd.cwd = k->root;
    cmd.capture = true;
    kata_proc_result r;
    if (kata_run(&cmd, &r) != 0)
        return false;
    /* diff: 0 the same, 1 different, 2 trouble. */
    if (r.exit_code == 0 && r.signal == 0)
        printf("%s is the same as the reference answer.\n", mine);
    else if (r.exit_code == 1) {
        painter p = {&k->out};
        kata_each_line(r.output, paint_diff_line, &p);
    } else
        fputs(r.output, stdout);
    kata_proc_result_free(&r);
    return true;
}

int kata_cmd_solution(kata *k, int argc, char **argv)
{
    const char *arg = NULL;
    int code;
    if (!kata_parse_args(k, argc, argv, &arg, true, NULL, &code))
        return code;
    if (arg == NULL) {
        kata_error("solution needs the number of an exercise.");
        kata_advice("For example: ./kata solution 1");
        kata_list_exercises(k);
        return KATA_EXIT_USAGE;
    }
    kata_exercise *e = kata_exercise_arg(k, "solution", arg);
    if (e == NULL)
        return KATA_EXIT_USAGE;
    if (!kata_answers_ready(k, e))
        return KATA_EXIT_FAIL;

    /* Seeing the answer before trying teaches less: ask first, unless the
     * exercise already passes. */
    if (!k->yes && kata_build_ready(k)) {
        kata_eval eval;
        kata_evaluate(k, e, KATA_EVAL_BUILD, &eval);
        bool done = eval.state == KATA_DONE;
        kata_eval_free(&eval);
        if (!done) {
            printf("Exercise %d does not pass yet. The hints (`./kata hint "
                   "%d`) may be enough to get you there.\n",
                   e->number, e->number);
            if (!kata_confirm("Show the reference answer anyway?")) {
                printf("Not shown. Keep going with `./kata watch %d`.\n",
                       e->number);
                return KATA_EXIT_FAIL;
            }
        }
    }

    bool have_diff = kata_have_program("diff");
    int rc = KATA_EXIT_OK;
    for (size_t i = 0; i < e->edit_count; i++) {
        char *mine = kata_exercise_shown_file(e, i);
        char *theirs = kata_format("solutions/%s/%s", e->slug, e->edit[i]);
        char *theirs_abs = kata_path(k->root, theirs);
        if (!kata_exists(theirs_abs)) {
            kata_error("%s is missing from this kit.", theirs);
            kata_advice("Get the kit again, or ask the trainer for it.");
            rc = KATA_EXIT_FAIL;
        } else if (!have_diff || !show_diff(k, mine, theirs)) {
            char *text = NULL;
            printf("%s== %s (the reference answer; diff is not installed, "
                   "so here it is whole) ==%s\n",
                   k->out.bold, theirs, k->out.reset);
            if (kata_read_file(theirs_abs, &text, NULL) == 0)
                fputs(text, stdout);
            else
                kata_error("could not read %s: %s.", theirs, strerror(errno));
            free(text);
        }
        free(theirs_abs);
        free(theirs);
        free(mine);
    }
    if (rc == KATA_EXIT_OK)
        printf("\nLines with - are yours, lines with + the reference "
               "answer's. Copying is allowed, typing it yourself teaches "
               "more; then `./kata run %d`.\n",
               e->number);
    return rc;
}
