/*
 * runner/demo.c - the trainer's view: an exercise's suite against its
 * reference answer, narrated (EXERCISE_VERBOSE=1), so that a room sees the
 * commands, events and projections go by.
 *
 * It builds in a folder of its own (build/demo, configured like the dev
 * preset), so that neither the learner's files nor the learner's build
 * are touched: a demo in the middle of a workshop changes nothing for the
 * trainer's own attempt either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "evaluate.h"
#include "fs.h"
#include "proc.h"
#include "text.h"

static char *demo_dir(const kata *k)
{
    const char *dir = getenv("KATA_DEMO_BUILD");
    if (dir != NULL && dir[0] != '\0')
        return dir[0] == '/' ? kata_xstrdup(dir) : kata_path(k->root, dir);
    return kata_path(k->root, "build/demo");
}

static kata_status configure(const kata *k, const char *dir)
{
    char *cache = kata_path(dir, "CMakeCache.txt");
    bool ready = kata_exists(cache);
    free(cache);
    if (ready)
        return KATA_OK;
    char *shown = kata_relative(k->root, dir);
    printf("Preparing %s, once: it is configured like the dev preset.\n",
           shown);
    char *presets = kata_path(k->root, "CMakePresets.json");
    /* -B overrides the preset's folder (cmake 3.21 and newer). */
    const char *with_preset[] = {kata_cmake(), "--preset", "dev",
                                 "-B",         dir,        NULL};
    const char *plain[] = {kata_cmake(), "-S", k->root,
                           "-B",         dir,  "-DCMAKE_BUILD_TYPE=Debug",
                           NULL};
    kata_cmd cmd = {0};
    cmd.argv = kata_exists(presets) ? with_preset : plain;
    cmd.cwd = k->root;
    cmd.capture = true;
    free(presets);
    kata_proc_result r;
    kata_status rc = kata_run(&cmd, &r);
    if (rc != KATA_OK) {
        kata_fail(rc,
                  "%s\nInstall cmake (./kata deps), then run ./kata demo "
                  "again.",
                  kata_errmsg());
    } else if (!kata_proc_ok(&r)) {
        fputs(r.output, stderr);
        rc = kata_fail(KATA_EFAIL,
                       "cmake could not configure %s (its messages are "
                       "above).\n"
                       "Fix what it reports, delete %s, and run ./kata demo "
                       "again.",
                       shown, shown);
    }
    kata_proc_result_free(&r);
    free(shown);
    return rc;
}

typedef struct narrator {
    const kata_term *t;
    const char *root;
    bool in_summary;
} narrator;

/* The suite's own lines, turned into something a room can follow. */
static void narrate(void *ctx, const char *line)
{
    narrator *n = ctx;
    const kata_term *t = n->t;
    if (kata_starts_with(line, "[==========] ")) {
        n->in_summary = strstr(line, " run.") != NULL;
        return;
    }
    if (n->in_summary)
        return;
    if (kata_starts_with(line, "[ RUN      ] ")) {
        char *title = kata_test_title(line + 13);
        printf("\n%s%s %s%s\n", t->bold, t->unicode ? "▶" : "*", title,
               t->reset);
        free(title);
    } else if (kata_starts_with(line, "[       OK ] ")) {
        printf("  %s%s%spassed%s\n", t->green, t->unicode ? t->pass_mark : "",
               t->unicode ? " " : "", t->reset);
    } else if (kata_starts_with(line, "[  FAILED  ] ")) {
        printf("  %s%s%sFAILED%s\n", t->red, t->unicode ? t->fail_mark : "",
               t->unicode ? " " : "", t->reset);
    } else if (kata_starts_with(line, "[  SKIPPED ] ")) {
        printf("  skipped\n");
    } else if (kata_starts_with(line, "[  PASSED  ] ")) {
        return;
    } else if (strstr(line, "event ") != NULL &&
               kata_starts_with(line, "    event")) {
        printf("%s%s%s\n", t->cyan, line, t->reset);
    } else {
        char *relative = kata_strip_root(line, n->root);
        printf("%s\n", relative);
        free(relative);
    }
    fflush(stdout);
}

/* Builds target, the reference answer of e, in dir (shown: dir as the
 * learner reads it). */
static kata_status build_answer(const kata *k, const kata_exercise *e,
                                const char *dir, const char *shown,
                                const char *target)
{
    const char *targets[] = {target};
    kata_build_result b;
    printf("Building %s in %s...\n", target, shown);
    fflush(stdout);
    kata_status rc = kata_build(k, dir, targets, 1, &b);
    if (rc == KATA_OK && !b.ok) {
        fputs(b.diagnostics, stderr);
        rc = kata_fail(KATA_EFAIL,
                       "the reference answer of exercise %d does not build "
                       "in %s.\n"
                       "The messages above say why; check that solutions/%s/ "
                       "is complete, then run ./kata demo %d again.",
                       e->number, shown, e->slug, e->number);
    }
    kata_build_result_free(&b);
    return rc;
}

/* Runs the reference answer's suite, narrated, and sums it up. */
static kata_status narrate_suite(const kata *k, const kata_exercise *e,
                                 const char *dir, const char *target)
{
    printf("\n%sExercise %d%s%s%s%sthe reference answer, narrated\n",
           k->out.bold, e->number, k->out.sep, e->title, k->out.reset,
           k->out.sep);
    char *binary = kata_format("%s/exercises/%s", dir, target);
    char *work = kata_exercise_workdir(dir, e);
    const char *env[] = {"EXERCISE_VERBOSE=1", NULL};
    narrator n = {&k->out, k->root, false};
    kata_results r;
    kata_run_suite(k->root, binary, work, env, narrate, &n, &r);
    printf("\n");
    kata_status rc = KATA_OK;
    if (kata_results_all_pass(&r)) {
        printf("%sAll %zu tests pass%s against the reference answer.\n",
               k->out.green, r.total, k->out.reset);
    } else {
        if (r.preamble != NULL && r.preamble[0] != '\0')
            fputs(r.preamble, stdout);
        printf("%s%zu of %zu tests pass%s against the reference answer%s%s.\n",
               k->out.red, r.passed, r.total, k->out.reset,
               r.stopped ? ": it stopped, " : "", r.stopped ? r.stopped : "");
        rc = kata_fail(KATA_EFAIL,
                       "the reference answer of exercise %d does not pass "
                       "every test.\n"
                       "It should: check solutions/%s/ against exercises/%s/.",
                       e->number, e->slug, e->slug);
    }
    kata_results_free(&r);
    free(work);
    free(binary);
    return rc;
}

kata_status kata_cmd_demo(kata *k, int argc, char **argv)
{
    kata_exercise *e;
    kata_status rc =
        kata_answer_needed(k, argc, argv, false, "the exercise to show", &e);
    if (rc != KATA_OK)
        return rc;

    char *dir = demo_dir(k);
    char *shown = kata_relative(k->root, dir);
    char *target = kata_format("ex%.2s-solution", e->slug);
    rc = configure(k, dir);
    if (rc == KATA_OK)
        rc = build_answer(k, e, dir, shown, target);
    if (rc == KATA_OK)
        rc = narrate_suite(k, e, dir, target);
    free(target);
    free(shown);
    free(dir);
    return rc;
}
