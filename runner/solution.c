/*
 * runner/solution.c - the reference answer, as a diff against the
 * learner's files: what to change to get there, rather than a second
 * file to compare by eye.
 */
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

/* Seeing the answer before trying teaches less: asks first, unless the
 * exercise already passes (or --yes). */
static bool may_show(kata *k, const kata_exercise *e)
{
    if (k->yes || kata_build_ready(k) != KATA_OK)
        return true;
    kata_eval eval;
    kata_evaluate(k, e, KATA_EVAL_BUILD, &eval);
    bool done = eval.state == KATA_DONE;
    kata_eval_free(&eval);
    if (done)
        return true;
    printf("Exercise %d does not pass yet. The hints (`./kata hint %d`) may "
           "be enough to get you there.\n",
           e->number, e->number);
    if (kata_confirm("Show the reference answer anyway?"))
        return true;
    printf("Not shown. Keep going with `./kata watch %d`.\n", e->number);
    return false;
}

/* The whole answer, when diff is not there to compare. */
static kata_status show_whole(const kata *k, const char *theirs)
{
    printf("%s== %s (the reference answer; diff is not installed, so here "
           "it is whole) ==%s\n",
           k->out.bold, theirs, k->out.reset);
    char *path = kata_path(k->root, theirs);
    char *text = NULL;
    kata_status rc = kata_read_file(path, &text, NULL);
    if (rc == KATA_OK)
        fputs(text, stdout);
    free(text);
    free(path);
    return rc;
}

kata_status kata_cmd_solution(kata *k, int argc, char **argv)
{
    kata_exercise *e;
    /* Also checks that every answer file is there. */
    kata_status rc = kata_answer_needed(k, argc, argv, true, "an exercise", &e);
    if (rc != KATA_OK)
        return rc;
    if (!may_show(k, e))
        return kata_not_done(); /* the learner said no */

    bool have_diff = kata_have_program("diff");
    for (size_t i = 0; i < e->edit_count; i++) {
        char *mine = kata_exercise_shown_file(e, i);
        char *theirs = kata_format("solutions/%s/%s", e->slug, e->edit[i]);
        /* One that cannot be read leaves the last error; the other files
         * are still worth showing. */
        if (!have_diff || !show_diff(k, mine, theirs))
            if (show_whole(k, theirs) != KATA_OK)
                rc = KATA_EFAIL;
        free(theirs);
        free(mine);
    }
    if (rc != KATA_OK)
        return rc;
    printf("\nLines with - are yours, lines with + the reference "
           "answer's. Copying is allowed, typing it yourself teaches "
           "more; then `./kata run %d`.\n",
           e->number);
    return KATA_OK;
}
