/*
 * runner/reset.c - putting an exercise's files back to the stub.
 *
 * The stub is known by its checksum in exercises/stubs.sha256. Two places
 * may hold it: git's HEAD (used only when its version has the stub's
 * checksum: a learner may have committed work), and the copy the runner
 * saved in .kata/pristine/ the first time it saw the untouched stub (a kit
 * unpacked from an archive has no git). Nothing is changed unless every
 * file of the exercise can be restored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "kata.h"
#include "proc.h"
#include "sha256.h"
#include "text.h"

static char *pristine_path(const kata *k, const kata_exercise *e, size_t i)
{
    return kata_format("%s/pristine/%s/%s", k->state, e->slug, e->edit[i]);
}

static bool has_sum(const char *path, const char *sum);

void kata_pristine_save(const kata *k)
{
    for (size_t n = 0; n < k->catalogue.count; n++) {
        const kata_exercise *e = &k->catalogue.items[n];
        for (size_t i = 0; i < e->edit_count; i++) {
            char *copy = pristine_path(k, e, i);
            /* A copy of an older stub (the kit was updated) is replaced
             * as soon as the new one is seen. */
            if (!has_sum(copy, e->stub_sums[i]) &&
                kata_exercise_file_is_stub(e, i)) {
                char *file = kata_exercise_file(e, i);
                /* Without the copy, reset needs git: not worth a stop. */
                kata_copy_file(file, copy);
                free(file);
            }
            free(copy);
        }
    }
}

typedef enum source { FROM_NOWHERE, FROM_GIT, FROM_PRISTINE } source;

static bool has_sum(const char *path, const char *sum)
{
    char hex[65];
    return sum != NULL && kata_sha256_file(path, hex) == 0 &&
           strcmp(hex, sum) == 0;
}

/* Whether git's HEAD holds the stub of edit file i. */
static bool git_has_stub(const kata *k, const kata_exercise *e, size_t i)
{
    if (e->stub_sums[i] == NULL)
        return false;
    char *spec = kata_format("HEAD:./%s/%s", e->shown_dir, e->edit[i]);
    const char *argv[] = {"git", "-C", k->root, "show", spec, NULL};
    kata_cmd cmd = {0};
    cmd.argv = argv;
    cmd.capture = true;
    kata_proc_result r;
    bool same = false;
    if (kata_run(&cmd, &r) == 0) {
        if (kata_proc_ok(&r)) {
            kata_sha256 h;
            char hex[65];
            kata_sha256_init(&h);
            kata_sha256_update(&h, r.output, r.output_len);
            kata_sha256_hex(&h, hex);
            same = strcmp(hex, e->stub_sums[i]) == 0;
        }
        kata_proc_result_free(&r);
    }
    free(spec);
    return same;
}

static int git_checkout(const kata *k, const kata_exercise *e,
                        const source *sources)
{
    const char **argv = kata_xcalloc(e->edit_count + 8, sizeof(*argv));
    char **paths = kata_xcalloc(e->edit_count, sizeof(*paths));
    size_t n = 0;
    argv[n++] = "git";
    argv[n++] = "-C";
    argv[n++] = k->root;
    argv[n++] = "checkout";
    argv[n++] = "HEAD";
    argv[n++] = "--";
    size_t first = n;
    for (size_t i = 0; i < e->edit_count; i++)
        if (sources[i] == FROM_GIT) {
            paths[i] = kata_format("./%s/%s", e->shown_dir, e->edit[i]);
            argv[n++] = paths[i];
        }
    int rc = 0;
    if (n > first) {
        kata_cmd cmd = {0};
        cmd.argv = argv;
        cmd.capture = true;
        kata_proc_result r;
        if (kata_run(&cmd, &r) != 0 || !kata_proc_ok(&r)) {
            kata_error("git checkout could not restore the files:");
            if (r.output != NULL)
                fputs(r.output, stderr);
            rc = -1;
        }
        kata_proc_result_free(&r);
    }
    for (size_t i = 0; i < e->edit_count; i++)
        free(paths[i]);
    free(paths);
    free(argv);
    return rc;
}

static char *backup_path(const kata *k, const kata_exercise *e, size_t i)
{
    return kata_format("%s/backup/%s/%s", k->state, e->slug, e->edit[i]);
}

/* Copies the learner's edited files to .kata/backup/<slug>/ (the last
 * reset's version of each); returns 0, or -1 after a message. */
static int back_up(const kata *k, const kata_exercise *e)
{
    for (size_t i = 0; i < e->edit_count; i++) {
        if (kata_exercise_file_is_stub(e, i))
            continue;
        char *file = kata_exercise_file(e, i);
        char *copy = backup_path(k, e, i);
        int rc = kata_copy_file(file, copy);
        if (rc != 0) {
            char *shown = kata_relative(k->root, copy);
            kata_error("could not keep a copy of your file in %s: %s.", shown,
                       strerror(errno));
            kata_advice("Nothing was changed. Check that you may write in "
                        ".kata/, then run ./kata reset %d again.",
                        e->number);
            free(shown);
        }
        free(copy);
        free(file);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* `reset N --undo`: the files of the last reset back in place. */
static int undo(const kata *k, const kata_exercise *e)
{
    size_t found = 0;
    for (size_t i = 0; i < e->edit_count; i++) {
        char *copy = backup_path(k, e, i);
        found += kata_exists(copy);
        free(copy);
    }
    if (found == 0) {
        kata_error("there is no backup of exercise %d: reset keeps one when "
                   "it puts the stub back, and it has not done so.",
                   e->number);
        return KATA_EXIT_FAIL;
    }
    int rc = KATA_EXIT_OK;
    for (size_t i = 0; i < e->edit_count; i++) {
        char *copy = backup_path(k, e, i);
        char *file = kata_exercise_file(e, i);
        char *shown = kata_exercise_shown_file(e, i);
        if (!kata_exists(copy)) {
            /* It was still the stub when it was reset. */
        } else if (kata_copy_file(copy, file) == 0) {
            printf("  %s is your version again\n", shown);
        } else {
            kata_error("could not write %s: %s.", shown, strerror(errno));
            rc = KATA_EXIT_FAIL;
        }
        free(shown);
        free(file);
        free(copy);
    }
    if (rc == KATA_EXIT_OK)
        printf("Exercise %d is as it was before the reset. `./kata watch %d` "
               "picks up there.\n",
               e->number, e->number);
    return rc;
}

int kata_cmd_reset(kata *k, int argc, char **argv)
{
    const char *arg = NULL;
    int code;
    /* --undo is reset's own option: take it out before the shared ones. */
    bool undoing = false;
    char **args = kata_xcalloc((size_t)argc + 1, sizeof(*args));
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (i > 0 && strcmp(argv[i], "--undo") == 0)
            undoing = true;
        else
            args[n++] = argv[i];
    }
    bool go_on = kata_parse_args(k, n, args, &arg, true, NULL, &code);
    free(args);
    if (!go_on)
        return code;
    if (arg == NULL) {
        kata_error("reset needs the number of the exercise to reset.");
        kata_advice("For example: ./kata reset 1");
        kata_list_exercises(k);
        return KATA_EXIT_USAGE;
    }
    kata_exercise *e = kata_exercise_arg(k, "reset", arg);
    if (e == NULL)
        return KATA_EXIT_USAGE;
    if (undoing)
        return undo(k, e);

    if (kata_exercise_untouched(e)) {
        printf("Exercise %d is already as shipped: nothing to reset.\n",
               e->number);
        return KATA_EXIT_OK;
    }

    /* Where each file's stub comes from, decided before anything is
     * touched. */
    source *sources = kata_xcalloc(e->edit_count, sizeof(*sources));
    bool complete = true;
    bool have_git = kata_have_program("git");
    for (size_t i = 0; i < e->edit_count; i++) {
        char *copy = pristine_path(k, e, i);
        if (kata_exercise_file_is_stub(e, i))
            sources[i] = FROM_NOWHERE; /* nothing to do */
        else if (have_git && git_has_stub(k, e, i))
            sources[i] = FROM_GIT;
        else if (has_sum(copy, e->stub_sums[i]))
            sources[i] = FROM_PRISTINE;
        else {
            char *shown = kata_exercise_shown_file(e, i);
            if (e->stub_sums[i] == NULL)
                kata_error("%s has no checksum in exercises/stubs.sha256, so "
                           "its stub cannot be recognised.",
                           shown);
            else
                kata_error("the stub of %s is neither in git (HEAD) nor in "
                           "%s/pristine/.",
                           shown, ".kata");
            complete = false;
            free(shown);
        }
        free(copy);
    }
    if (!complete) {
        kata_advice("Nothing was changed. Get the exercise's files as "
                    "shipped from the kit (a fresh copy or download) and "
                    "copy them over yours.");
        free(sources);
        return KATA_EXIT_FAIL;
    }

    printf("This puts back the stub of:\n");
    for (size_t i = 0; i < e->edit_count; i++)
        if (!kata_exercise_file_is_stub(e, i)) {
            char *shown = kata_exercise_shown_file(e, i);
            printf("  %s\n", shown);
            free(shown);
        }
    printf("Your version is kept in .kata/backup/%s/ (the last reset's "
           "only): `./kata reset %d --undo` brings it back.\n",
           e->slug, e->number);
    if (!k->yes && !kata_confirm("Reset it?")) {
        printf("Nothing was changed.\n");
        free(sources);
        return KATA_EXIT_FAIL;
    }

    if (back_up(k, e) != 0) {
        free(sources);
        return KATA_EXIT_FAIL;
    }
    int rc = git_checkout(k, e, sources);
    for (size_t i = 0; i < e->edit_count && rc == 0; i++) {
        if (sources[i] != FROM_PRISTINE)
            continue;
        char *copy = pristine_path(k, e, i);
        char *file = kata_exercise_file(e, i);
        if (kata_copy_file(copy, file) != 0) {
            char *shown = kata_exercise_shown_file(e, i);
            kata_error("could not write %s: %s.", shown, strerror(errno));
            kata_advice("Check that you may write it (ls -l %s), then run "
                        "./kata reset %d again.",
                        shown, e->number);
            free(shown);
            rc = -1;
        }
        free(file);
        free(copy);
    }
    free(sources);
    if (rc != 0)
        return KATA_EXIT_FAIL;
    printf("Exercise %d is back to its stub; your version is in "
           ".kata/backup/%s/ (`./kata reset %d --undo` brings it back). "
           "Start again with `./kata watch %d`.\n",
           e->number, e->slug, e->number, e->number);
    return KATA_EXIT_OK;
}
