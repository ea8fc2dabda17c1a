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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "kata.h"
#include "proc.h"
#include "sha256.h"
#include "text.h"

typedef enum source { FROM_NOWHERE, FROM_GIT, FROM_PRISTINE } source;

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

static kata_status git_checkout(const kata *k, const kata_exercise *e,
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
    kata_status rc = KATA_OK;
    if (n > first) {
        kata_cmd cmd = {0};
        cmd.argv = argv;
        cmd.capture = true;
        kata_proc_result r;
        if (kata_run(&cmd, &r) != 0 || !kata_proc_ok(&r)) {
            rc = kata_fail(KATA_EFAIL,
                           "git checkout could not restore the files:\n%s",
                           r.output != NULL ? r.output : kata_errmsg());
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
 * reset's version of each). */
static kata_status back_up(const kata *k, const kata_exercise *e)
{
    for (size_t i = 0; i < e->edit_count; i++) {
        if (kata_exercise_file_is_stub(e, i))
            continue;
        char *file = kata_exercise_file(e, i);
        char *copy = backup_path(k, e, i);
        kata_status rc = kata_copy_file(file, copy);
        if (rc != KATA_OK)
            kata_fail(rc,
                      "could not keep a copy of your file: %s\n"
                      "Nothing was changed. Check that you may write in "
                      ".kata/, then run ./kata reset %d again.",
                      kata_errmsg(), e->number);
        free(copy);
        free(file);
        if (rc != KATA_OK)
            return rc;
    }
    return KATA_OK;
}

/* `reset N --undo`: the files of the last reset back in place. */
static kata_status undo(const kata *k, const kata_exercise *e)
{
    size_t found = 0;
    for (size_t i = 0; i < e->edit_count; i++) {
        char *copy = backup_path(k, e, i);
        found += kata_exists(copy);
        free(copy);
    }
    if (found == 0)
        return kata_fail(KATA_EFAIL,
                         "there is no backup of exercise %d: reset keeps one "
                         "when it puts the stub back, and it has not done so.",
                         e->number);
    kata_status rc = KATA_OK;
    for (size_t i = 0; i < e->edit_count; i++) {
        char *copy = backup_path(k, e, i);
        char *file = kata_exercise_file(e, i);
        char *shown = kata_exercise_shown_file(e, i);
        if (!kata_exists(copy)) {
            /* It was still the stub when it was reset. */
        } else if (kata_copy_file(copy, file) == 0) {
            printf("  %s is your version again\n", shown);
        } else {
            rc = kata_fail(KATA_EFAIL, "could not put back %s: %s", shown,
                           kata_errmsg());
        }
        free(shown);
        free(file);
        free(copy);
    }
    if (rc == KATA_OK)
        printf("Exercise %d is as it was before the reset. `./kata watch %d` "
               "picks up there.\n",
               e->number, e->number);
    return rc;
}

/* Where each file's stub comes from, in sources (one per edit file),
 * decided before anything is touched: KATA_EFAIL when one of them has
 * none. */
static kata_status find_sources(const kata *k, const kata_exercise *e,
                                source *sources)
{
    kata_buf missing = {0};
    bool have_git = kata_have_program("git");
    for (size_t i = 0; i < e->edit_count; i++) {
        char *copy = kata_pristine_path(k, e, i);
        if (kata_exercise_file_is_stub(e, i))
            sources[i] = FROM_NOWHERE; /* nothing to do */
        else if (have_git && git_has_stub(k, e, i))
            sources[i] = FROM_GIT;
        else if (kata_file_has_sum(copy, e->stub_sums[i]))
            sources[i] = FROM_PRISTINE;
        else {
            char *shown = kata_exercise_shown_file(e, i);
            if (missing.len > 0)
                kata_buf_putc(&missing, '\n');
            if (e->stub_sums[i] == NULL)
                kata_buf_printf(&missing,
                                "%s has no checksum in exercises/stubs.sha256, "
                                "so its stub cannot be recognised.",
                                shown);
            else
                kata_buf_printf(&missing,
                                "the stub of %s is neither in git (HEAD) nor "
                                "in %s/pristine/.",
                                shown, ".kata");
            free(shown);
        }
        free(copy);
    }
    if (missing.len == 0)
        return KATA_OK;
    kata_fail(KATA_EFAIL,
              "%s\nNothing was changed. Get the exercise's files as shipped "
              "from the kit (a fresh copy or download) and copy them over "
              "yours.",
              kata_buf_str(&missing));
    kata_buf_free(&missing);
    return KATA_EFAIL;
}

/* Says what reset is about to do, and asks (unless --yes). */
static bool confirmed(const kata *k, const kata_exercise *e)
{
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
    if (k->yes || kata_confirm("Reset it?"))
        return true;
    printf("Nothing was changed.\n");
    return false;
}

/* Backs the learner's files up, then puts every stub in place. */
static kata_status restore(const kata *k, const kata_exercise *e,
                           const source *sources)
{
    kata_status rc = back_up(k, e);
    if (rc == KATA_OK)
        rc = git_checkout(k, e, sources);
    for (size_t i = 0; i < e->edit_count && rc == KATA_OK; i++) {
        if (sources[i] != FROM_PRISTINE)
            continue;
        char *copy = kata_pristine_path(k, e, i);
        char *file = kata_exercise_file(e, i);
        if (kata_copy_file(copy, file) != KATA_OK) {
            char *shown = kata_exercise_shown_file(e, i);
            rc = kata_fail(KATA_EFAIL,
                           "could not put back the stub of %s: %s\n"
                           "Check that you may write it (ls -l %s), then run "
                           "./kata reset %d again.",
                           shown, kata_errmsg(), shown, e->number);
            free(shown);
        }
        free(file);
        free(copy);
    }
    return rc;
}

kata_status kata_cmd_reset(kata *k, int argc, char **argv)
{
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
    kata_exercise *e;
    kata_status rc =
        kata_exercise_needed(k, n, args, true, "the exercise to reset", &e);
    free(args);
    if (rc != KATA_OK)
        return rc;
    if (undoing)
        return undo(k, e);

    if (kata_exercise_untouched(e)) {
        printf("Exercise %d is already as shipped: nothing to reset.\n",
               e->number);
        return KATA_OK;
    }
    source *sources = kata_xcalloc(e->edit_count, sizeof(*sources));
    rc = find_sources(k, e, sources);
    if (rc == KATA_OK)
        /* A "no" is the learner's choice: no error to add. */
        rc = confirmed(k, e) ? restore(k, e, sources) : kata_not_done();
    free(sources);
    if (rc != KATA_OK)
        return rc;
    printf("Exercise %d is back to its stub; your version is in "
           ".kata/backup/%s/ (`./kata reset %d --undo` brings it back). "
           "Start again with `./kata watch %d`.\n",
           e->number, e->slug, e->number, e->number);
    return KATA_OK;
}
