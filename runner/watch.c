/*
 * runner/watch.c - `watch [N]`: rebuild and rerun an exercise on every
 * save, showing the first failing test, its hint, the progress and the
 * file to edit; single keys move around.
 *
 * Saves are noticed by looking at the exercise's sources every 300 ms
 * (their times, sizes and inodes): that works the same on Linux and
 * macOS, whatever the editor (some write in place, others write a new
 * file and rename it), at the cost of nothing noticeable.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "evaluate.h"
#include "fs.h"
#include "hints.h"
#include "proc.h"
#include "show.h"
#include "text.h"
#include "watch.h"

#define POLL_MS 300
/* An editor may write a file in several steps: let it finish. */
#define SETTLE_MS 100

static bool is_source(const char *name)
{
    return name[0] != '.' &&
           (kata_ends_with(name, ".c") || kata_ends_with(name, ".h") ||
            strcmp(name, "exercise.json") == 0);
}

/* A line per source of the exercise's folder: name and stamp. Two equal
 * snapshots mean nothing was saved in between. */
static char *take_snapshot(const kata_exercise *e)
{
    char **names = NULL;
    size_t count = 0;
    kata_buf b = {0};
    if (kata_list_dir(e->dir, &names, &count) == 0) {
        for (size_t i = 0; i < count; i++) {
            if (!is_source(names[i]))
                continue;
            char *path = kata_path(e->dir, names[i]);
            kata_stamp s = kata_stamp_of(path);
            kata_buf_printf(&b, "%s %lld.%09ld %lld %llu\n", names[i],
                            s.seconds, s.nanoseconds, s.size, s.inode);
            free(path);
        }
        kata_free_names(names, count);
    }
    return kata_buf_take(&b);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* While the exercise builds or its suite runs: whether a key or a save
 * asks to stop (a loop or a slow build must not make the learner wait). */
static bool asked_to_stop(watcher *w)
{
    struct pollfd p = {0, POLLIN, 0};
    if (w->keys && poll(&p, 1, 0) > 0) {
        char key;
        ssize_t n = read(0, &key, 1);
        if (n == 1 && (key == 'q' || key == 'Q' || key == 4)) {
            w->quit = true;
            return true;
        }
        if (n == 1 && (key == 'n' || key == 'p' || key == 'r')) {
            w->pending_key = key;
            return true;
        }
    }
    long long now = kata_now_ms();
    if (now - w->last_look_ms >= POLL_MS) {
        w->last_look_ms = now;
        char *snapshot = take_snapshot(kata_watch_current(w));
        bool changed = strcmp(snapshot, w->snapshot) != 0;
        free(snapshot);
        if (changed) {
            w->saved = true;
            return true;
        }
    }
    return false;
}

/* While a suite runs: the live line, and the keys and saves that stop
 * it. */
static bool during_run(void *ctx, const char *running_test,
                       long long elapsed_ms)
{
    watcher *w = ctx;
    const kata_term *s = &w->k->out;
    if (elapsed_ms >= 1000 && s->tty) {
        printf("\r\033[K%srunning %s%s%s for %lld s (stopped after %d s); "
               "q quits, a save or r starts again%s",
               s->dim, running_test[0] ? "\"" : "the tests", running_test,
               running_test[0] ? "\"" : "", elapsed_ms / 1000,
               kata_suite_timeout(), s->reset);
        fflush(stdout);
    }
    return !asked_to_stop(w);
}

/* While the exercise builds (the build shows its own progress). */
static bool during_build(void *ctx, long long elapsed_ms)
{
    (void)elapsed_ms;
    return !asked_to_stop(ctx);
}

static void run_tests(watcher *w, unsigned flags)
{
    const kata_term *s = &w->k->out;
    w->saved = false;
    w->last_look_ms = kata_now_ms();
    if (s->tty) {
        kata_buf out = {0};
        kata_buf_puts(&out, "\033[H\033[2J");
        kata_watch_header(w, &out);
        kata_buf_printf(&out, "%sbuilding and running the tests...%s\n", s->dim,
                        s->reset);
        fputs(kata_buf_str(&out), stdout);
        fflush(stdout);
        kata_buf_free(&out);
    }
    if (w->have_eval)
        kata_eval_free(&w->ev);
    w->k->suite_tick = during_run;
    w->k->build_tick = during_build;
    w->k->tick_ctx = w;
    kata_evaluate(w->k, kata_watch_current(w), KATA_EVAL_BUILD | flags, &w->ev);
    w->k->suite_tick = NULL;
    w->k->build_tick = NULL;
    w->have_eval = true;
    /* Quiet: a line of its own would break the screen. */
    kata_room_notify(w->k, true);
    if (w->quit || w->pending_key)
        return;
    if (w->saved) {
        /* The run was stopped by a save: run the saved files. */
        sleep_ms(SETTLE_MS);
        free(w->snapshot);
        w->snapshot = take_snapshot(kata_watch_current(w));
        run_tests(w, KATA_EVAL_FRESH);
        return;
    }
    time_t now = time(NULL);
    struct tm local;
    localtime_r(&now, &local);
    strftime(w->ran_at, sizeof(w->ran_at), "%H:%M:%S", &local);
    kata_watch_draw(w);
}

static void go_to(watcher *w, size_t index)
{
    w->index = index;
    w->list_view = false;
    free(w->snapshot);
    w->snapshot = take_snapshot(kata_watch_current(w));
    run_tests(w, 0);
}

/* Handles one key; returns false to stop watching. One case per key, in
 * the order the help lists them: the switch reads best whole. */
static bool on_key(watcher *w, char key)
{
    kata *k = w->k;
    kata_exercise *e = kata_watch_current(w);
    switch (key) {
    case 'q':
    case 'Q':
    case 4: /* Ctrl-D */
        return false;
    case 'n':
        if (w->index + 1 < k->catalogue.count)
            go_to(w, w->index + 1);
        else {
            kata_watch_flash(
                w, kata_format("Exercise %d is the last one.", e->number));
            kata_watch_draw(w);
        }
        return true;
    case 'p':
        if (w->index > 0)
            go_to(w, w->index - 1);
        else {
            kata_watch_flash(
                w, kata_format("Exercise %d is the first one.", e->number));
            kata_watch_draw(w);
        }
        return true;
    case 'h': {
        size_t before = kata_hints_revealed(k, e);
        size_t now = kata_hints_reveal_next(k, e);
        if (e->hint_count == 0)
            kata_watch_flash(
                w, kata_format("Exercise %d has no hints: see its README.",
                               e->number));
        else if (now == before)
            kata_watch_flash(
                w, kata_format("That was every hint. `./kata solution %d` "
                               "shows the reference answer.",
                               e->number));
        w->list_view = false;
        kata_watch_draw(w);
        return true;
    }
    case 'l':
        w->list_view = !w->list_view;
        kata_watch_draw(w);
        return true;
    case 'r':
        w->list_view = false;
        run_tests(w, KATA_EVAL_FRESH);
        return true;
    case '\n':
    case '\r':
    case ' ':
        return true;
    default:
        kata_watch_flash(
            w, kata_xstrdup("Keys: n next, p previous, h hint, l list, r "
                            "rerun, q quit."));
        kata_watch_draw(w);
        return true;
    }
}

kata_status kata_cmd_watch(kata *k, int argc, char **argv)
{
    kata_exercise *e;
    kata_status rc = kata_exercise_or_current(k, argc, argv, true, &e);
    if (rc != KATA_OK)
        return rc;

    watcher w;
    memset(&w, 0, sizeof(w));
    w.k = k;
    w.keys = true;
    kata_raw_enter(0);
    go_to(&w, kata_catalogue_index(&k->catalogue, e));

    bool going = true;
    while (going && !w.quit) {
        if (w.pending_key) {
            char key = w.pending_key;
            w.pending_key = 0;
            going = on_key(&w, key);
            continue;
        }
        if (kata_redraw_requested) {
            kata_redraw_requested = 0;
            kata_watch_draw(&w);
        }
        struct pollfd p = {0, POLLIN, 0};
        int ready = poll(&p, w.keys ? 1 : 0, POLL_MS);
        if (ready > 0) {
            char key;
            ssize_t n = read(0, &key, 1);
            if (n == 1)
                going = on_key(&w, key);
            else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
                w.keys = false; /* input closed: watch until interrupted */
            continue;
        }
        char *now = take_snapshot(kata_watch_current(&w));
        if (strcmp(now, w.snapshot) != 0) {
            sleep_ms(SETTLE_MS);
            free(now);
            now = take_snapshot(kata_watch_current(&w));
            free(w.snapshot);
            w.snapshot = now;
            w.list_view = false; /* a save means: show me my tests */
            run_tests(&w, KATA_EVAL_FRESH);
        } else {
            free(now);
        }
    }
    kata_raw_leave();
    printf("\nStopped watching. `./kata` shows the board; `./kata watch %d` "
           "picks up here.\n",
           kata_watch_current(&w)->number);
    if (w.have_eval)
        kata_eval_free(&w.ev);
    free(w.snapshot);
    free(w.flash);
    return KATA_OK;
}
