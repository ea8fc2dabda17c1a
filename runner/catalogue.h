/*
 * runner/catalogue.h - the exercises, as exercises/NN-topic/exercise.json
 * describes them, and the stubs' checksums of exercises/stubs.sha256.
 */
#ifndef KATA_CATALOGUE_H
#define KATA_CATALOGUE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct kata_exercise {
    int number;
    char *slug;      /* "01-events" */
    char *title;     /* "Events: facts in the past tense" */
    int minutes;     /* estimated time */
    char *dir;       /* absolute path of exercises/<slug> */
    char *shown_dir; /* "exercises/<slug>", for messages */
    char **edit;     /* the learner's files, names within dir */
    size_t edit_count;
    char **stub_sums; /* each edit file's stub checksum, or NULL if none */
    char **hints;     /* tiers, from a nudge to nearly the answer */
    size_t hint_count;
} kata_exercise;

typedef struct kata_catalogue {
    kata_exercise *items; /* in the order of their numbers */
    size_t count;
} kata_catalogue;

/* Reads every exercises/[0-9][0-9]-* folder of root. A folder whose
 * exercise.json cannot be used is left out, with a note on stderr that
 * says what is wrong with it (a warning: the others still work).
 * Returns KATA_OK, or KATA_EFAIL when root has no exercises folder. */
kata_status kata_catalogue_load(kata_catalogue *c, const char *root);
void kata_catalogue_free(kata_catalogue *c);

/* The exercise named by arg: its number ("3", "03") or its folder
 * ("03-aggregate", "exercises/03-aggregate/"); NULL when none is. */
kata_exercise *kata_catalogue_find(const kata_catalogue *c, const char *arg);
/* Index of e in c. */
size_t kata_catalogue_index(const kata_catalogue *c, const kata_exercise *e);

/* "ex03": the name of the exercise's build target and program. */
char *kata_exercise_target(const kata_exercise *e);
/* exercises/<slug>/<name>, absolute (new string). */
char *kata_exercise_file(const kata_exercise *e, size_t edit_index);
/* The same, as shown to the learner ("exercises/01-events/events.c"). */
char *kata_exercise_shown_file(const kata_exercise *e, size_t edit_index);
/* Whether every file the learner edits still has its stub's checksum:
 * the exercise has not been started. False when a checksum is unknown. */
bool kata_exercise_untouched(const kata_exercise *e);
/* Whether one edit file has its stub's checksum. */
bool kata_exercise_file_is_stub(const kata_exercise *e, size_t edit_index);

#endif
