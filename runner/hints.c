/*
 * runner/hints.c - tiers of hints, and the `hint` command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "fs.h"
#include "hints.h"
#include "term.h"

#define HINTS_VERSION 1

static char *state_path(const kata *k)
{
    return kata_path(k->state, "hints.json");
}

static json_t *load_state(const kata *k)
{
    char *path = state_path(k);
    json_t *state = json_load_file(path, 0, NULL);
    free(path);
    if (!json_is_object(state) ||
        !json_is_object(json_object_get(state, "revealed"))) {
        json_decref(state);
        state = json_pack("{s:i,s:{}}", "version", HINTS_VERSION, "revealed");
    }
    return state;
}

size_t kata_hints_revealed(const kata *k, const kata_exercise *e)
{
    json_t *state = load_state(k);
    json_int_t n = json_integer_value(
        json_object_get(json_object_get(state, "revealed"), e->slug));
    json_decref(state);
    if (n < 0)
        n = 0;
    if ((size_t)n > e->hint_count)
        n = (json_int_t)e->hint_count;
    return (size_t)n;
}

size_t kata_hints_reveal_next(const kata *k, const kata_exercise *e)
{
    size_t n = kata_hints_revealed(k, e);
    if (n >= e->hint_count)
        return n;
    n++;
    json_t *state = load_state(k);
    json_object_set_new(json_object_get(state, "revealed"), e->slug,
                        json_integer((json_int_t)n));
    char *text = json_dumps(state, JSON_INDENT(2) | JSON_SORT_KEYS);
    char *path = state_path(k);
    /* Not worth a stop: the hint is shown all the same. */
    if (text == NULL)
        kata_note("could not remember the hints shown in %s: the next "
                  "`./kata hint` will show this one again.",
                  path);
    else if (kata_write_file(path, text, strlen(text)) != KATA_OK)
        kata_note("could not remember the hints shown (%s): the next "
                  "`./kata hint` will show this one again.",
                  kata_errmsg());
    free(path);
    free(text);
    json_decref(state);
    return n;
}

void kata_hints_format(const kata *k, const kata_exercise *e, size_t shown,
                       kata_buf *out, int width)
{
    for (size_t i = 0; i < shown && i < e->hint_count; i++) {
        kata_buf_printf(out, "  %s%zu.%s", k->out.bold, i + 1, k->out.reset);
        /* The number sits in the indent of the hint's first line. */
        kata_buf text = {0};
        kata_wrap(&text, e->hints[i], 5, width);
        kata_buf_puts(out, kata_buf_str(&text) + 4);
        kata_buf_free(&text);
    }
}

kata_status kata_cmd_hint(kata *k, int argc, char **argv)
{
    kata_exercise *e;
    kata_status rc = kata_exercise_or_current(k, argc, argv, false, &e);
    if (rc != KATA_OK)
        return rc;
    if (e->hint_count == 0) {
        printf("Exercise %d has no hints; its README (%s/README.md) is the "
               "place to look.\n",
               e->number, e->shown_dir);
        return KATA_OK;
    }
    size_t before = kata_hints_revealed(k, e);
    size_t now = kata_hints_reveal_next(k, e);
    int width = k->out.tty ? kata_term_width(1) : 80;
    if (width > 100)
        width = 100;

    kata_buf out = {0};
    kata_buf_printf(&out, "%sExercise %d%s%s%s%shint%s %zu of %zu\n\n",
                    k->out.bold, e->number, k->out.sep, e->title, k->out.reset,
                    k->out.sep, now > 1 ? "s 1 to" : "", now, e->hint_count);
    kata_hints_format(k, e, now, &out, width);
    kata_buf_putc(&out, '\n');
    if (now == before)
        kata_buf_printf(&out,
                        "That was every hint. Still stuck? `./kata solution "
                        "%d` shows the reference answer as a diff.\n",
                        e->number);
    else if (now < e->hint_count)
        kata_buf_printf(&out,
                        "%zu more hint%s: `./kata hint %d` again. Then "
                        "`./kata watch %d` to try it.\n",
                        e->hint_count - now,
                        e->hint_count - now == 1 ? "" : "s", e->number,
                        e->number);
    else
        kata_buf_printf(&out,
                        "That was the last hint. If it is still not "
                        "clear, `./kata solution %d` shows the reference "
                        "answer.\n",
                        e->number);
    fputs(kata_buf_str(&out), stdout);
    kata_buf_free(&out);
    return KATA_OK;
}
