/*
 * runner/run.c - `run N`: build one exercise, run its tests, and show
 * each with its failure and its hint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "show.h"
#include "text.h"

/* The build failed: its messages, and what to do about them. */
static void show_build_error(kata_buf *out, const kata *k,
                             const kata_exercise *e, const kata_eval *ev,
                             int width)
{
    const kata_term *s = &k->out;
    kata_buf_printf(out, "\n%s%s It does not build:%s\n\n", s->red,
                    s->fail_mark, s->reset);
    kata_show_diagnostics(out, k, ev->diagnostics, 0);
    char *advice = kata_format(
        "Fix the first error (the next ones often follow from it), then "
        "`./kata run %d` again, or `./kata watch %d` to rebuild on every "
        "save.",
        e->number, e->number);
    kata_buf_putc(out, '\n');
    kata_wrap(out, advice, 0, width);
    free(advice);
}

/* Every test with its failure, what the suite printed around them, and
 * how to debug a crash or a stop. */
static void show_tests(kata_buf *out, const kata *k, const kata_exercise *e,
                       const kata_results *r, int width)
{
    const kata_term *s = &k->out;
    for (size_t i = 0; i < r->count; i++)
        kata_show_test(out, k, &r->tests[i], true, width);
    /* What the suite printed outside its tests: why none ran, or a
     * verdict of its own after them (exercise 05's mutation score and
     * the rules its survivors break). */
    if (r->preamble[0] != '\0') {
        if (r->count > 0)
            kata_buf_blank_line(out);
        kata_buf_printf(out, "%s", r->preamble);
    }
    if (r->stopped != NULL) {
        kata_buf_blank_line(out);
        kata_buf_printf(out, "%sThe tests stopped: %s.%s\n", s->red, r->stopped,
                        s->reset);
        if (r->count < r->total)
            kata_buf_printf(out, "%zu of the %zu tests did not run.\n",
                            r->total - r->count, r->total);
        kata_show_crash_help(out, k, e, r);
        return;
    }
    for (size_t i = 0; i < r->count; i++)
        if (r->tests[i].outcome == KATA_CRASHED) {
            kata_buf_blank_line(out);
            kata_show_crash_help(out, k, e, r);
            return;
        }
}

/* The progress, and the next step: the next exercise, or what to edit. */
static void show_next_step(kata_buf *out, const kata *k, const kata_exercise *e,
                           const kata_results *r, int width)
{
    const kata_term *s = &k->out;
    kata_buf_blank_line(out);
    kata_show_progress(out, k, r->passed, r->total, "tests pass", NULL, width);
    if (kata_results_all_pass(r)) {
        size_t i = kata_catalogue_index(&k->catalogue, e);
        kata_buf_printf(out, "\n%sExercise %d is done.%s ", s->green, e->number,
                        s->reset);
        if (i + 1 < k->catalogue.count)
            kata_buf_printf(out, "Next: `./kata watch %d` (%s).\n",
                            k->catalogue.items[i + 1].number,
                            k->catalogue.items[i + 1].title);
        else
            kata_buf_puts(out, "It was the last one: `./kata` shows the "
                               "whole board.\n");
        return;
    }
    kata_buf advice = {0};
    kata_buf_puts(&advice, "Edit ");
    kata_show_edit_files(&advice, e);
    kata_buf_printf(&advice,
                    "; `./kata watch %d` reruns the tests on every save, "
                    "`./kata hint %d` gives a hint.",
                    e->number, e->number);
    kata_buf_putc(out, '\n');
    kata_wrap(out, kata_buf_str(&advice), 0, width);
    kata_buf_free(&advice);
}

kata_status kata_cmd_run(kata *k, int argc, char **argv)
{
    kata_exercise *e;
    kata_status rc = kata_exercise_or_current(k, argc, argv, true, &e);
    if (rc != KATA_OK)
        return rc;

    const kata_term *s = &k->out;
    int width = s->tty ? kata_term_width(1) : 80;
    kata_eval ev;
    rc = kata_evaluate(k, e, KATA_EVAL_BUILD | KATA_EVAL_FRESH, &ev);
    if (rc != KATA_OK) {
        kata_eval_free(&ev);
        return rc;
    }

    kata_buf out = {0};
    kata_buf_printf(&out, "%sExercise %d%s%s%s\n", s->bold, e->number, s->sep,
                    e->title, s->reset);
    if (ev.build_failed)
        show_build_error(&out, k, e, &ev, width);
    else {
        if (ev.diagnostics[0] != '\0') {
            kata_buf_printf(&out, "\n%sThe compiler warns:%s\n", s->yellow,
                            s->reset);
            kata_show_diagnostics(&out, k, ev.diagnostics, 0);
        }
        if (ev.untouched)
            kata_buf_printf(&out,
                            "\nYou have not changed the stub yet: the task is "
                            "in %s/README.md.\n",
                            e->shown_dir);
        kata_buf_putc(&out, '\n');
        show_tests(&out, k, e, &ev.results, width);
        show_next_step(&out, k, e, &ev.results, width);
    }
    /* Not done: the output says why, no error to add. */
    rc = !ev.build_failed && kata_results_all_pass(&ev.results)
             ? KATA_OK
             : kata_not_done();
    fputs(kata_buf_str(&out), stdout);
    kata_buf_free(&out);
    kata_eval_free(&ev);
    return rc;
}
