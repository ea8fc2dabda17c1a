/*
 * runner/show.c - how results look.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "proc.h"
#include "show.h"
#include "text.h"

typedef struct message_painter {
    kata_buf *out;
    const kata_term *t;
} message_painter;

static void paint_message_line(void *ctx, const char *line)
{
    message_painter *p = ctx;
    const kata_term *t = p->t;
    const char *colour = "";
    if (kata_starts_with(line, "TODO:"))
        colour = t->yellow;
    else if (kata_starts_with(line, "crashed:"))
        colour = t->red;
    else if (kata_starts_with(line, "at "))
        colour = t->dim;
    if (line[0] == '\0')
        kata_buf_putc(p->out, '\n');
    else
        kata_buf_printf(p->out, "      %s%s%s\n", colour, line,
                        *colour ? t->reset : "");
}

void kata_show_test(kata_buf *out, const kata *k, const kata_test *t,
                    bool details, int width)
{
    const kata_term *s = &k->out;
    char *title = kata_test_title(t->name);
    switch (t->outcome) {
    case KATA_PASSED:
        kata_buf_printf(out, "  %s%s%s %s\n", s->green, s->pass_mark, s->reset,
                        title);
        break;
    case KATA_SKIPPED:
        kata_buf_printf(out, "  %s- %s (skipped)%s\n", s->dim, title, s->reset);
        break;
    case KATA_FAILED:
        kata_buf_printf(out, "  %s%s%s %s%s%s\n", s->red, s->fail_mark,
                        s->reset, s->bold, title, s->reset);
        break;
    case KATA_CRASHED:
        kata_buf_printf(out, "  %s%s %s%s %s(crashed)%s\n", s->red,
                        s->fail_mark, s->bold, title, s->red, s->reset);
        break;
    }
    free(title);
    if (!details || t->outcome == KATA_PASSED || t->outcome == KATA_SKIPPED)
        return;
    if (t->message != NULL && t->message[0] != '\0') {
        message_painter p = {out, s};
        kata_each_line(t->message, paint_message_line, &p);
    }
    if (t->hint != NULL) {
        kata_buf hint = {0};
        kata_wrap(&hint, t->hint, 12, width);
        kata_buf_printf(out, "      %sHINT:%s %s", s->cyan, s->reset,
                        kata_buf_str(&hint) + 12);
        kata_buf_free(&hint);
    }
    /* A blank line between two failures' stories. */
    kata_buf_putc(out, '\n');
}

static void shown_path(kata_buf *out, const kata *k, const char *path)
{
    char *rel = kata_relative(k->root, path);
    kata_buf_puts(out, rel);
    free(rel);
}

void kata_show_crash_help(kata_buf *out, const kata *k, const kata_exercise *e,
                          const kata_results *r)
{
    const kata_term *s = &k->out;
    char *binary = kata_exercise_binary(k, e);
    char *target = kata_exercise_target(e);
    bool timed_out = r->stopped != NULL && strstr(r->stopped, "timed out");
    for (size_t i = 0; i < r->count; i++)
        if (r->tests[i].outcome == KATA_CRASHED) {
            char *title = kata_test_title(r->tests[i].name);
            kata_buf_printf(out, "%sIt %s in the test \"%s\".%s\n", s->red,
                            timed_out ? "stopped" : "crashed", title, s->reset);
            free(title);
            break;
        }
    if (timed_out)
        kata_buf_printf(out,
                        "It ran for %d s without finishing: look for a loop "
                        "that never ends.\n(KATA_TIMEOUT=120 ./kata run %d "
                        "gives it longer.)\n",
                        kata_suite_timeout(), e->number);
    kata_buf_puts(out, "To see where it stops, run it in a debugger:\n");
    bool lldb = !kata_have_program("gdb") && kata_have_program("lldb");
    kata_buf_printf(out, "  %s%s ", s->bold, lldb ? "lldb --" : "gdb --args");
    shown_path(out, k, binary);
    kata_buf_printf(out, "%s\nthen type %s, and %s when it stops%s.\n",
                    s->reset, "`run`", lldb ? "`bt`" : "`bt`",
                    timed_out ? " (Ctrl-C stops it)" : "");
    if (!timed_out) {
        kata_buf_puts(out, "Or build it with AddressSanitizer, which names "
                           "the bad memory access:\n");
        kata_buf_printf(out,
                        "  %scmake --preset asan && cmake --build "
                        "--preset asan --target %s && build/asan/exercises/"
                        "%s%s\n",
                        s->bold, target, target, s->reset);
    }
    free(target);
    free(binary);
}

typedef struct diag_painter {
    kata_buf *out;
    const kata_term *t;
    size_t lines;
    size_t max;
} diag_painter;

static void paint_diagnostic(void *ctx, const char *line)
{
    diag_painter *p = ctx;
    const kata_term *t = p->t;
    p->lines++;
    if (p->max > 0 && p->lines > p->max)
        return;
    const char *colour = "";
    if (strstr(line, "error") != NULL && strstr(line, ": ") != NULL &&
        line[0] != ' ')
        colour = t->red;
    else if (strstr(line, ": warning:") != NULL)
        colour = t->yellow;
    else if (strstr(line, ": note:") != NULL)
        colour = t->cyan;
    kata_buf_printf(p->out, "  %s%s%s\n", colour, line,
                    *colour ? t->reset : "");
}

void kata_show_diagnostics(kata_buf *out, const kata *k, const char *text,
                           size_t max_lines)
{
    diag_painter p = {out, &k->out, 0, max_lines};
    kata_each_line(text, paint_diagnostic, &p);
    if (max_lines > 0 && p.lines > max_lines)
        kata_buf_printf(out,
                        "  %s(%zu more lines: ./kata run shows them "
                        "all)%s\n",
                        k->out.dim, p.lines - max_lines, k->out.reset);
}

void kata_show_progress(kata_buf *out, const kata *k, size_t passed,
                        size_t total, const char *unit, const char *trailer,
                        int width)
{
    if (k->out.tty) {
        int bar = width - 40;
        if (bar > 40)
            bar = 40;
        kata_buf_puts(out, "  ");
        kata_progress_bar(out, &k->out, passed, total, bar);
        kata_buf_putc(out, ' ');
    } else {
        kata_buf_puts(out, "Progress: ");
    }
    kata_buf_printf(out, "%zu of %zu %s", passed, total, unit);
    if (!k->out.tty && total > 0)
        kata_buf_printf(out, " (%zu%%)", passed * 100 / total);
    if (trailer != NULL)
        kata_buf_puts(out, trailer);
    kata_buf_putc(out, '\n');
}

void kata_show_edit_files(kata_buf *out, const kata_exercise *e)
{
    for (size_t i = 0; i < e->edit_count; i++)
        kata_buf_printf(out, "%s%s/%s", i ? ", " : "", e->shown_dir,
                        e->edit[i]);
}

/* Columns taken by UTF-8 text. */
static int text_columns(const char *text)
{
    int c = 0;
    for (const char *p = text; *p; p++)
        if (((unsigned char)*p & 0xC0) != 0x80)
            c++;
    return c;
}

/* Appends text in exactly w columns: padded, or cut with an ellipsis. */
static void cell(kata_buf *out, const kata_term *t, const char *text, int w)
{
    int c = text_columns(text);
    if (c <= w) {
        kata_buf_puts(out, text);
        for (; c < w; c++)
            kata_buf_putc(out, ' ');
        return;
    }
    int keep = w - (t->unicode ? 1 : 3);
    int taken = 0;
    const char *p = text;
    while (*p && taken < keep) {
        const char *q = p + 1;
        while (((unsigned char)*q & 0xC0) == 0x80)
            q++;
        kata_buf_add(out, p, (size_t)(q - p));
        p = q;
        taken++;
    }
    kata_buf_puts(out, t->unicode ? "…" : "...");
}

/* The program ended early, or cmocka caught a signal in a test (a
 * segfault it survived): either way the board says "crashed". */
static bool crashed(const kata_results *r)
{
    if (r->stopped != NULL)
        return true;
    for (size_t i = 0; i < r->count; i++)
        if (r->tests[i].outcome == KATA_CRASHED)
            return true;
    return false;
}

/* A status word in its colour, after its mark where the terminal shows
 * marks (plain text has the word alone: "done", not "ok done"). */
static void marked_word(kata_buf *out, const kata_term *s, const char *colour,
                        const char *mark, const char *word)
{
    kata_buf_printf(out, "%s%s%s%s%s", colour, s->unicode ? mark : "",
                    s->unicode ? " " : "", word, s->reset);
}

void kata_show_table(kata_buf *out, const kata *k, const kata_eval *evals,
                     int width)
{
    const kata_term *s = &k->out;
    const kata_catalogue *c = &k->catalogue;
    int title_w = 8;
    for (size_t i = 0; i < c->count; i++) {
        int w = text_columns(c->items[i].title);
        if (w > title_w)
            title_w = w;
    }
    /* " NN  title  NN min   status": on a terminal, keep the status on
     * the line; a log keeps whole titles. */
    int room = width - 5 - 2 - 9 - 24;
    if (k->out.tty && title_w > room)
        title_w = room < 20 ? 20 : room;

    kata_buf_printf(out, "%s  #  ", s->dim);
    cell(out, s, "exercise", title_w);
    kata_buf_puts(out, "  ");
    cell(out, s, "time", 9);
    kata_buf_printf(out, "status%s\n", s->reset);
    for (size_t i = 0; i < c->count; i++) {
        const kata_exercise *e = &c->items[i];
        const kata_eval *ev = &evals[i];
        kata_buf_printf(out, " %2d  ", e->number);
        cell(out, s, e->title, title_w);
        char minutes[32] = "";
        if (e->minutes > 0)
            snprintf(minutes, sizeof(minutes), "%d min", e->minutes);
        kata_buf_puts(out, "  ");
        cell(out, s, minutes, 9);
        switch (ev->state) {
        case KATA_DONE:
            marked_word(out, s, s->green, s->pass_mark, "done");
            break;
        case KATA_NOT_STARTED:
            kata_buf_printf(out, "%snot started%s", s->dim, s->reset);
            break;
        case KATA_BUILD_ERROR:
            marked_word(out, s, s->red, s->fail_mark, "does not build");
            break;
        case KATA_IN_PROGRESS:
            if (ev->ran)
                kata_buf_printf(
                    out, "%s%zu of %zu tests passing%s%s", s->yellow,
                    ev->results.passed, ev->results.total,
                    crashed(&ev->results) ? ", crashed" : "", s->reset);
            else
                kata_buf_printf(out, "%sstarted%s", s->yellow, s->reset);
            break;
        }
        kata_buf_putc(out, '\n');
    }
}

void kata_show_next(kata_buf *out, const kata *k, const kata_eval *evals)
{
    const kata_term *s = &k->out;
    const kata_catalogue *c = &k->catalogue;
    for (size_t i = 0; i < c->count; i++) {
        const kata_exercise *e = &c->items[i];
        switch (evals[i].state) {
        case KATA_DONE:
            continue;
        case KATA_NOT_STARTED:
            kata_buf_printf(out,
                            "%snext:%s read %s/README.md, then `./kata watch "
                            "%d`\n",
                            s->bold, s->reset, e->shown_dir, e->number);
            return;
        case KATA_IN_PROGRESS:
            kata_buf_printf(out,
                            "%snext:%s carry on with exercise %d: `./kata "
                            "watch %d` (the task: %s/README.md)\n",
                            s->bold, s->reset, e->number, e->number,
                            e->shown_dir);
            return;
        case KATA_BUILD_ERROR:
            kata_buf_printf(out,
                            "%snext:%s exercise %d does not build: `./kata "
                            "run %d` shows where, `./kata watch %d` rebuilds "
                            "on every save\n",
                            s->bold, s->reset, e->number, e->number, e->number);
            return;
        }
    }
    if (c->count > 0)
        kata_buf_printf(out,
                        "%sAll %zu exercises are done.%s `./kata report` "
                        "sums it up; the READMEs' trade-offs sections are "
                        "worth a second read.\n",
                        s->green, c->count, s->reset);
}
