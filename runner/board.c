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

kata_status kata_cmd_board(kata *k, int argc, char **argv)
{
    kata_status rc = kata_parse_args(k, argc, argv, NULL, false, NULL);
    if (rc != KATA_OK)
        return rc;
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
        return KATA_OK;
    }
    rc = kata_build_ready(k);
    if (rc != KATA_OK) {
        kata_buf_free(&out);
        return rc;
    }

    kata_eval *evals = kata_xcalloc(c->count, sizeof(*evals));
    rc = kata_evaluate_all(k, evals, KATA_EVAL_BUILD);
    if (rc != KATA_OK) {
        for (size_t i = 0; i < c->count; i++)
            kata_eval_free(&evals[i]);
        free(evals);
        kata_buf_free(&out);
        return rc;
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
    return KATA_OK;
}
