/*
 * runner/board.c - the board: every exercise with its status, the
 * progress, and the next step. What `./kata` shows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "show.h"
#include "text.h"

kata_exercise *kata_current_exercise(kata *k, bool build)
{
    kata_catalogue *c = &k->catalogue;
    if (c->count == 0) {
        kata_error("this kit has no exercises yet.");
        kata_advice("Read README.md to see what is here.");
        return NULL;
    }
    for (size_t i = 0; i < c->count; i++) {
        kata_eval ev;
        kata_evaluate(k, &c->items[i], build ? KATA_EVAL_BUILD : 0, &ev);
        bool done = ev.state == KATA_DONE;
        kata_eval_free(&ev);
        if (!done)
            return &c->items[i];
    }
    return &c->items[c->count - 1];
}

int kata_cmd_board(kata *k, int argc, char **argv)
{
    int code;
    if (!kata_parse_args(k, argc, argv, NULL, false, NULL, &code))
        return code;
    const kata_catalogue *c = &k->catalogue;
    kata_buf out = {0};
    kata_buf_printf(&out,
                    "\n%sesk kata%s%sCQRS and Event Sourcing, one exercise at "
                    "a time\n\n",
                    k->out.bold, k->out.reset, k->out.sep);
    if (c->count == 0) {
        kata_buf_puts(&out, "There are no exercises in this kit yet. README.md "
                            "says what is here; ./kata selftest runs the "
                            "test suite.\n");
        fputs(kata_buf_str(&out), stdout);
        kata_buf_free(&out);
        return KATA_EXIT_OK;
    }
    if (!kata_build_ready(k)) {
        kata_buf_free(&out);
        return KATA_EXIT_FAIL;
    }

    kata_eval *evals = kata_xcalloc(c->count, sizeof(*evals));
    if (kata_evaluate_all(k, evals, KATA_EVAL_BUILD) != 0) {
        kata_error("the exercises could not be built: cmake could not be run.");
        kata_advice("Run ./kata setup, which installs what is missing.");
        for (size_t i = 0; i < c->count; i++)
            kata_eval_free(&evals[i]);
        free(evals);
        kata_buf_free(&out);
        return KATA_EXIT_FAIL;
    }
    int width = k->out.tty ? kata_term_width(1) : 80;
    kata_show_table(&out, k, evals, width);

    size_t done = 0, passed = 0, total = 0;
    for (size_t i = 0; i < c->count; i++) {
        done += evals[i].state == KATA_DONE;
        if (evals[i].ran)
            passed += evals[i].results.passed;
        total += evals[i].total;
    }
    kata_buf_putc(&out, '\n');
    char *what =
        kata_format("%s%zu of %zu exercises done", k->out.sep, done, c->count);
    kata_show_progress(&out, k, passed, total, "tests pass", what, width);
    free(what);
    kata_buf_putc(&out, '\n');
    kata_show_next(&out, k, evals);
    fputs(kata_buf_str(&out), stdout);
    kata_buf_free(&out);
    for (size_t i = 0; i < c->count; i++)
        kata_eval_free(&evals[i]);
    free(evals);
    return KATA_EXIT_OK;
}
