/*
 * runner/watch_screen.c - what watch mode shows: the exercise, its tests
 * (the first failing one in full), as many hints as fit, or the list of
 * exercises; the keys at the bottom.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hints.h"
#include "show.h"
#include "text.h"
#include "watch.h"

kata_exercise *kata_watch_current(const watcher *w)
{
    return &w->k->catalogue.items[w->index];
}

void kata_watch_flash(watcher *w, char *message)
{
    free(w->flash);
    w->flash = message;
}

void kata_watch_header(const watcher *w, kata_buf *out)
{
    const kata *k = w->k;
    const kata_term *s = &k->out;
    const kata_exercise *e = kata_watch_current(w);
    kata_buf_printf(out, "%sesk kata%swatching exercise %d of %zu: %s%s\n",
                    s->bold, s->sep, e->number, k->catalogue.count, e->title,
                    s->reset);
    kata_buf_printf(out, "%sedit:%s ", s->dim, s->reset);
    kata_show_edit_files(out, e);
    kata_buf_printf(out, "\n%stask:%s %s/README.md\n\n", s->dim, s->reset,
                    e->shown_dir);
}

static void footer(const watcher *w, kata_buf *out)
{
    const kata_term *s = &w->k->out;
    kata_buf_blank_line(out);
    if (w->flash != NULL)
        kata_buf_printf(out, "%s%s%s\n\n", s->yellow, w->flash, s->reset);
    kata_buf_printf(out,
                    "%sn%s next%s%sp%s previous%s%sh%s hint%s%sl%s list%s"
                    "%sr%s rerun%s%sq%s quit",
                    s->bold, s->reset, s->sep, s->bold, s->reset, s->sep,
                    s->bold, s->reset, s->sep, s->bold, s->reset, s->sep,
                    s->bold, s->reset, s->sep, s->bold, s->reset);
    kata_buf_putc(out, '\n');
    if (w->ran_at[0] != '\0')
        kata_buf_printf(out, "%stests ran at %s%swatching for saves%s\n",
                        s->dim, w->ran_at, s->sep, s->reset);
}

/* What the suite printed after its tests, as `run` shows it: exercise
 * 05's mutation score and the rules its survivors break. A long one is
 * cut to max_lines, so that the hints and the keys stay on the screen. */
static void suite_verdict(kata_buf *out, const kata *k, const kata_exercise *e,
                          const kata_results *r, int max_lines)
{
    const char *text = r->preamble;
    if (text == NULL || r->count == 0)
        return;
    while (*text == '\n')
        text++;
    if (*text == '\0')
        return;
    kata_buf_blank_line(out);
    for (int n = 0; *text; n++) {
        const char *end = strchr(text, '\n');
        size_t len = end ? (size_t)(end - text) : strlen(text);
        if (n == max_lines - 1 && text[len] != '\0' && text[len + 1] != '\0') {
            kata_buf_printf(out, "%s... (`./kata run %d` shows it whole)%s\n",
                            k->out.dim, e->number, k->out.reset);
            return;
        }
        kata_buf_add(out, text, len);
        kata_buf_putc(out, '\n');
        text += len + (end != NULL);
    }
}

/* Every test passes: say so, and which exercise comes next. */
static void done_view(const watcher *w, kata_buf *out)
{
    const kata *k = w->k;
    const kata_term *s = &k->out;
    const kata_exercise *e = kata_watch_current(w);
    size_t next = w->index + 1;
    kata_buf_printf(out, "%s%s All %zu tests pass: exercise %d is done.%s\n",
                    s->green, s->pass_mark, w->ev.results.total, e->number,
                    s->reset);
    if (next < k->catalogue.count)
        kata_buf_printf(out, "Press %sn%s for exercise %d: %s.\n", s->bold,
                        s->reset, k->catalogue.items[next].number,
                        k->catalogue.items[next].title);
    else
        kata_buf_puts(out, "That was the last exercise: well done. "
                           "`./kata` shows the whole board.\n");
}

/* The first failing test in full, and how many more fail. */
static void failure_view(const watcher *w, kata_buf *out,
                         const kata_test *first, int width)
{
    const kata *k = w->k;
    const kata_term *s = &k->out;
    const kata_exercise *e = kata_watch_current(w);
    const kata_results *r = &w->ev.results;
    size_t failing = 0;
    for (size_t i = 0; i < r->count; i++)
        failing += r->tests[i].outcome == KATA_FAILED ||
                   r->tests[i].outcome == KATA_CRASHED;
    kata_show_test(out, k, first, true, width);
    if (first->outcome == KATA_CRASHED) {
        kata_buf_blank_line(out);
        kata_show_crash_help(out, k, e, r);
    }
    kata_buf_blank_line(out);
    if (failing > 1)
        kata_buf_printf(out,
                        "%s(%zu more failing; `./kata run %d` lists them "
                        "all)%s\n",
                        s->dim, failing - 1, e->number, s->reset);
}

static void tests_view(const watcher *w, kata_buf *out, int width, int height)
{
    const kata *k = w->k;
    const kata_term *s = &k->out;
    const kata_exercise *e = kata_watch_current(w);
    const kata_eval *ev = &w->ev;
    size_t revealed = kata_hints_revealed(k, e);
    /* Room for the compiler's messages: what the header, the hints and
     * the footer leave. */
    int room = height - 10 - (int)(revealed * 3);
    if (room < 8)
        room = 8;

    if (ev->build_failed) {
        kata_buf_printf(out, "%s%s It does not build:%s\n\n", s->red,
                        s->fail_mark, s->reset);
        kata_show_diagnostics(out, k, ev->diagnostics, (size_t)room);
    } else {
        const kata_results *r = &ev->results;
        kata_show_progress(out, k, r->passed, r->total, "tests pass", NULL,
                           width);
        kata_buf_putc(out, '\n');
        const kata_test *first = kata_results_first_failure(r);
        if (kata_results_all_pass(r))
            done_view(w, out);
        else if (first != NULL)
            failure_view(w, out, first, width);
        else {
            if (r->preamble != NULL && r->preamble[0] != '\0')
                kata_buf_puts(out, r->preamble);
            kata_buf_printf(out, "%sThe tests did not run%s%s.%s\n", s->red,
                            r->stopped ? ": " : "",
                            r->stopped ? r->stopped : "", s->reset);
            return;
        }
        suite_verdict(out, k, e, r, height / 4 > 3 ? height / 4 : 3);
    }
}

/* The rows text takes on a screen width columns wide: a line longer
 * than the screen wraps onto the next row. Escape sequences take no
 * room, a UTF-8 character one column. */
static int screen_rows(const char *text, int width)
{
    int rows = 0, col = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            rows += 1 + (col > 0 ? (col - 1) / width : 0);
            col = 0;
        } else if (p[0] == '\033' && p[1] == '[') {
            p += 2;
            while (*p && !(*p >= '@' && *p <= '~'))
                p++;
            if (*p == '\0')
                break;
        } else if (((unsigned char)*p & 0xC0) != 0x80) {
            col++;
        }
    }
    return rows;
}

/* Hint i, numbered: wrapped whole, or folded to its first line. */
static void one_hint(const watcher *w, size_t i, bool folded, int width,
                     kata_buf *out)
{
    const kata_term *s = &w->k->out;
    const char *hint = kata_watch_current(w)->hints[i];
    kata_buf_printf(out, "  %s%zu.%s ", s->bold, i + 1, s->reset);
    if (!folded) {
        kata_buf text = {0};
        kata_wrap(&text, hint, 5, width);
        kata_buf_puts(out, kata_buf_str(&text) + 5);
        kata_buf_free(&text);
        return;
    }
    size_t room = width > 12 ? (size_t)width - 9 : 3;
    size_t n = strlen(hint);
    if (n > room) {
        n = room;
        /* Not in the middle of a UTF-8 character. */
        while (n > 0 && ((unsigned char)hint[n] & 0xC0) == 0x80)
            n--;
    }
    kata_buf_add(out, hint, n);
    kata_buf_puts(out, n < strlen(hint) ? "...\n" : "\n");
}

/* The revealed hints in the lines the screen has left: every one whole
 * if they fit; else the earlier ones folded to a line each (or to one
 * line together), and the latest, the one just asked for, whole as far
 * as it fits. The failing test above them always stays in view. */
static void hints_view(const watcher *w, kata_buf *out, int width, int room)
{
    const kata_term *s = &w->k->out;
    const kata_exercise *e = kata_watch_current(w);
    size_t revealed = kata_hints_revealed(w->k, e);
    if (revealed == 0)
        return;
    kata_buf_blank_line(out);
    kata_buf_printf(out, "%sHints (%zu of %zu):%s\n", s->cyan, revealed,
                    e->hint_count, s->reset);
    room -= 2;
    kata_buf whole = {0};
    for (size_t i = 0; i < revealed; i++)
        one_hint(w, i, false, width, &whole);
    if (screen_rows(kata_buf_str(&whole), width) <= room) {
        kata_buf_puts(out, kata_buf_str(&whole));
        kata_buf_free(&whole);
        return;
    }
    kata_buf_free(&whole);

    kata_buf last = {0};
    one_hint(w, revealed - 1, false, width, &last);
    int last_lines = screen_rows(kata_buf_str(&last), width);
    int earlier = (int)revealed - 1;
    if (earlier > 0 && earlier + last_lines <= room)
        for (size_t i = 0; i + 1 < revealed; i++)
            one_hint(w, i, true, width, out);
    else if (earlier > 0)
        kata_buf_printf(out,
                        "  %s(hints 1-%d folded: `./kata hint %d` shows them "
                        "all)%s\n",
                        s->dim, earlier, e->number, s->reset);
    int left =
        room - (earlier > 0 && earlier + last_lines > room ? 1 : earlier);
    if (last_lines <= left) {
        kata_buf_puts(out, kata_buf_str(&last));
    } else {
        /* Cut it, and say where it is whole. */
        const char *text = kata_buf_str(&last);
        for (int n = 0; n < left - 1 && *text; n++) {
            const char *end = strchr(text, '\n');
            kata_buf_add(out, text, (size_t)(end - text) + 1);
            text = end + 1;
        }
        kata_buf_printf(out, "     %s... (`./kata hint %d` shows it whole)%s\n",
                        s->dim, e->number, s->reset);
    }
    kata_buf_free(&last);
}

static void list_view(const watcher *w, kata_buf *out, int width)
{
    const kata *k = w->k;
    size_t n = k->catalogue.count;
    kata_eval *evals = kata_xcalloc(n, sizeof(*evals));
    /* No build here: the list shows where each exercise stood when it was
     * last built. */
    kata_evaluate_all(k, evals, 0);
    kata_show_table(out, k, evals, width);
    kata_buf_putc(out, '\n');
    kata_show_next(out, k, evals);
    kata_buf_printf(out, "\n%sPress l to go back to exercise %d.%s\n",
                    k->out.dim, kata_watch_current(w)->number, k->out.reset);
    for (size_t i = 0; i < n; i++)
        kata_eval_free(&evals[i]);
    free(evals);
}

void kata_watch_draw(watcher *w)
{
    const kata_term *s = &w->k->out;
    int width = s->tty ? kata_term_width(1) : 80;
    int height = s->tty ? kata_term_height(1) : 40;
    kata_buf out = {0};
    if (s->tty)
        kata_buf_puts(&out, "\033[H\033[2J");
    else
        kata_buf_puts(&out, "\n----\n");
    kata_watch_header(w, &out);
    kata_buf foot = {0};
    footer(w, &foot);
    if (w->list_view) {
        list_view(w, &out, width);
    } else if (w->have_eval) {
        tests_view(w, &out, width, height);
        /* The screen's last line stays free for the cursor. */
        int room = height - 1 - screen_rows(kata_buf_str(&out), width) -
                   screen_rows(kata_buf_str(&foot), width) - 1;
        hints_view(w, &out, width, room < 4 ? 4 : room);
    }
    kata_buf_blank_line(&out);
    kata_buf_puts(&out, kata_buf_str(&foot));
    kata_buf_free(&foot);
    fputs(kata_buf_str(&out), stdout);
    fflush(stdout);
    kata_buf_free(&out);
    kata_watch_flash(w, NULL);
}
