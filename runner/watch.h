/*
 * runner/watch.h - what watch.c (the loop: saves, keys, runs) and
 * watch_screen.c (what the screen shows) share; nothing else includes
 * it.
 */
#ifndef KATA_WATCH_H
#define KATA_WATCH_H

#include <stdbool.h>

#include "evaluate.h"
#include "kata.h"

typedef struct watcher {
    kata *k;
    size_t index;   /* the exercise watched, in the catalogue */
    char *snapshot; /* the state of its sources, to notice a save */
    kata_eval ev;   /* the last build and run */
    bool have_eval;
    bool list_view;  /* `l`: the list of exercises instead of the tests */
    char *flash;     /* a one-time message under the screen */
    bool keys;       /* stdin is still open */
    char ran_at[16]; /* when the tests last ran, for the footer */
    /* Set while the exercise builds or its tests run, by the keys and
     * saves that stop them. */
    bool quit;              /* q: stop watching at once */
    bool saved;             /* a save: run again */
    char pending_key;       /* n, p or r: handled once the run has stopped */
    long long last_look_ms; /* when the sources were last looked at */
} watcher;

/* The exercise watched. */
kata_exercise *kata_watch_current(const watcher *w);
/* The screen's top: the exercise, the files to edit, its task. */
void kata_watch_header(const watcher *w, kata_buf *out);
/* A one-time message under the next screen (taken over; NULL clears). */
void kata_watch_flash(watcher *w, char *message);
/* Draws the whole screen again: the exercise, its first failing test and
 * hints (or the list of exercises after `l`), and the keys. */
void kata_watch_draw(watcher *w);

#endif
