/*
 * runner/evaluate.c - building, running and summing up exercises.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "build.h"
#include "evaluate.h"
#include "fs.h"
#include "proc.h"
#include "text.h"

/* The shape of .kata/results.json; a file of another version is ignored,
 * and rewritten. */
#define CACHE_VERSION 1

const char *kata_state_name(kata_state state)
{
    switch (state) {
    case KATA_NOT_STARTED:
        return "not-started";
    case KATA_IN_PROGRESS:
        return "in-progress";
    case KATA_DONE:
        return "done";
    case KATA_BUILD_ERROR:
        return "build-error";
    }
    return "in-progress";
}

char *kata_exercise_binary(const kata *k, const kata_exercise *e)
{
    char *target = kata_exercise_target(e);
    char *path = kata_format("%s/exercises/%s", k->build, target);
    free(target);
    return path;
}

char *kata_exercise_workdir(const char *build, const kata_exercise *e)
{
    return kata_format("%s/exercises/%s-work", build, e->slug);
}

int kata_suite_timeout(void)
{
    const char *v = getenv("KATA_TIMEOUT");
    long s = v ? strtol(v, NULL, 10) : 0;
    return s > 0 && s < 86400 ? (int)s : 10;
}

#define RUN_MARK "[ RUN      ] "

typedef struct suite_watch {
    void (*on_line)(void *ctx, const char *line);
    void *ctx;
    kata_suite_tick *tick;
    void *tick_ctx;
    char running[256]; /* the test that started last */
    bool live_line;    /* something is on stderr's last line */
    int timeout_s;
} suite_watch;

static void watch_line(void *ctx, const char *line)
{
    suite_watch *w = ctx;
    if (kata_starts_with(line, RUN_MARK)) {
        char *title = kata_test_title(line + strlen(RUN_MARK));
        snprintf(w->running, sizeof(w->running), "%s", title);
        free(title);
    }
    if (w->on_line != NULL)
        w->on_line(w->ctx, line);
}

static bool stderr_is_terminal(void)
{
    const char *term = getenv("TERM");
    return isatty(2) && term != NULL && strcmp(term, "dumb") != 0;
}

static bool watch_tick(void *ctx, long long elapsed_ms)
{
    suite_watch *w = ctx;
    if (w->tick != NULL)
        return w->tick(w->tick_ctx, w->running, elapsed_ms);
    if (elapsed_ms < 1000 || !stderr_is_terminal())
        return true;
    fprintf(stderr, "\r\033[Krunning %s%s%s for %lld s (stopped after %d s)",
            w->running[0] ? "\"" : "the tests", w->running,
            w->running[0] ? "\"" : "", elapsed_ms / 1000, w->timeout_s);
    fflush(stderr);
    w->live_line = true;
    return true;
}

void kata_run_suite(const char *root, const char *binary, const char *workdir,
                    const char *const *env,
                    void (*on_line)(void *ctx, const char *line), void *ctx,
                    kata_results *out)
{
    kata_run_suite_watched(root, binary, workdir, env, on_line, ctx, NULL, NULL,
                           out);
}

void kata_run_suite_watched(const char *root, const char *binary,
                            const char *workdir, const char *const *env,
                            void (*on_line)(void *ctx, const char *line),
                            void *ctx, kata_suite_tick *tick, void *tick_ctx,
                            kata_results *out)
{
    /* cmocka's standard output, whatever the learner's environment asks
     * for: it is the one that is read here. */
    const char *vars[16] = {"CMOCKA_MESSAGE_OUTPUT=STDOUT",
                            "CMOCKA_TEST_ABORT=0"};
    size_t n = 2;
    for (; env != NULL && *env != NULL && n < 15; env++)
        vars[n++] = *env;
    vars[n] = NULL;
    const char *argv[] = {binary, NULL};
    kata_mkdirs(workdir);
    kata_cmd cmd = {0};
    cmd.argv = argv;
    cmd.cwd = workdir;
    cmd.env = vars;
    cmd.capture = true;
    suite_watch watch = {
        on_line, ctx, tick, tick_ctx, "", false, kata_suite_timeout()};
    cmd.on_line = watch_line;
    cmd.ctx = &watch;
    cmd.on_tick = watch_tick;
    cmd.timeout_ms = watch.timeout_s * 1000;
    /* A second chance, if the runner is killed before it can stop a
     * loop: the kernel ends the suite after its CPU time. */
    cmd.cpu_limit_s = watch.timeout_s + 2;
    kata_proc_result run;
    int started = kata_run(&cmd, &run);
    if (watch.live_line) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    if (started != 0) {
        memset(out, 0, sizeof(*out));
        out->preamble = kata_format("%s\n", kata_errmsg());
        out->stopped = kata_xstrdup("it could not be started");
        return;
    }
    char *output = kata_strip_root(run.output, root);
    kata_results_parse(out, output);
    free(output);
    if (run.cancelled) {
        free(out->stopped);
        out->stopped = kata_xstrdup(KATA_STOPPED_EARLY);
    } else {
        kata_results_ended(out, run.signal, run.timed_out,
                           kata_suite_timeout());
    }
    if (out->count == 0 && out->stopped == NULL && run.exit_code != 0)
        out->stopped = kata_format("it exited with status %d before any test "
                                   "ran",
                                   run.exit_code);
    kata_proc_result_free(&run);
}

/* ---- The cache of results ------------------------------------------- */

static char *cache_path(const kata *k)
{
    return kata_path(k->state, "results.json");
}

static json_t *stamp_json(const kata_stamp *s)
{
    return json_pack("{s:I,s:I,s:I,s:I}", "seconds", (json_int_t)s->seconds,
                     "nanoseconds", (json_int_t)s->nanoseconds, "size",
                     (json_int_t)s->size, "inode", (json_int_t)s->inode);
}

static json_t *load_cache(const kata *k)
{
    char *path = cache_path(k);
    json_t *cache = json_load_file(path, 0, NULL);
    free(path);
    if (!json_is_object(cache) ||
        json_integer_value(json_object_get(cache, "version")) !=
            CACHE_VERSION ||
        !json_is_object(json_object_get(cache, "exercises"))) {
        json_decref(cache);
        cache = json_pack("{s:i,s:{}}", "version", CACHE_VERSION, "exercises");
    }
    return cache;
}

static bool cache_lookup(const kata *k, const kata_exercise *e,
                         const kata_stamp *stamp, kata_results *out)
{
    json_t *cache = load_cache(k);
    json_t *entry =
        json_object_get(json_object_get(cache, "exercises"), e->slug);
    json_t *want = stamp_json(stamp);
    bool hit = entry != NULL &&
               json_equal(json_object_get(entry, "binary"), want) &&
               kata_results_from_json(out, json_object_get(entry, "results"));
    json_decref(want);
    json_decref(cache);
    return hit;
}

static void cache_store(const kata *k, const kata_exercise *e,
                        const kata_stamp *stamp, const kata_results *r)
{
    json_t *cache = load_cache(k);
    json_t *entry = json_object();
    json_object_set_new(entry, "binary", stamp_json(stamp));
    json_object_set_new(entry, "results", kata_results_to_json(r));
    json_object_set_new(json_object_get(cache, "exercises"), e->slug, entry);
    char *text = json_dumps(cache, JSON_INDENT(1) | JSON_SORT_KEYS);
    char *path = cache_path(k);
    /* A cache that cannot be written only makes the next board slower. */
    if (text != NULL)
        kata_write_file(path, text, strlen(text));
    free(path);
    free(text);
    json_decref(cache);
}

/* ---- Evaluation --------------------------------------------------------- */

static void run_or_reuse(const kata *k, const kata_exercise *e, bool fresh,
                         kata_eval *out)
{
    char *binary = kata_exercise_binary(k, e);
    kata_stamp stamp = kata_stamp_of(binary);
    if (stamp.exists) {
        if (fresh || !cache_lookup(k, e, &stamp, &out->results)) {
            char *work = kata_exercise_workdir(k->build, e);
            kata_run_suite_watched(k->root, binary, work, NULL, NULL, NULL,
                                   k->suite_tick, k->tick_ctx, &out->results);
            free(work);
            /* A run stopped by the learner says nothing about the
             * program: it is not kept. */
            if (out->results.stopped == NULL ||
                strcmp(out->results.stopped, KATA_STOPPED_EARLY) != 0)
                cache_store(k, e, &stamp, &out->results);
        }
        out->ran = true;
    }
    free(binary);
}

/* The number of tests in the last results kept for e, whatever program
 * they came from. */
static size_t last_total(const kata *k, const kata_exercise *e)
{
    json_t *cache = load_cache(k);
    json_t *entry =
        json_object_get(json_object_get(cache, "exercises"), e->slug);
    kata_results r;
    memset(&r, 0, sizeof(r));
    size_t total = 0;
    if (entry != NULL &&
        kata_results_from_json(&r, json_object_get(entry, "results")))
        total = r.total;
    kata_results_free(&r);
    json_decref(cache);
    return total;
}

static void sum_up(const kata *k, const kata_exercise *e, kata_eval *out)
{
    out->total = out->ran ? out->results.total : last_total(k, e);
    if (out->build_failed)
        out->state = KATA_BUILD_ERROR;
    else if (out->untouched)
        out->state = KATA_NOT_STARTED;
    else if (out->ran && kata_results_all_pass(&out->results))
        out->state = KATA_DONE;
    else
        out->state = KATA_IN_PROGRESS;
}

static void begin(kata_eval *out, const kata_exercise *e)
{
    memset(out, 0, sizeof(*out));
    out->untouched = kata_exercise_untouched(e);
    out->diagnostics = kata_xstrdup("");
}

/* What the learner does when cmake itself cannot be run, after the
 * last error that says why. */
static kata_status cannot_build(const char *what)
{
    return kata_fail(KATA_EFAIL,
                     "%s could not be built: %s\n"
                     "Run ./kata setup, which installs what is missing.",
                     what, kata_errmsg());
}

static kata_status build_one(const kata *k, const kata_exercise *e,
                             kata_eval *out)
{
    char *target = kata_exercise_target(e);
    const char *targets[] = {target};
    kata_build_result b;
    kata_status rc = kata_build(k, k->build, targets, 1, &b);
    free(target);
    if (rc != KATA_OK) {
        char *what = kata_format("exercise %d", e->number);
        cannot_build(what);
        free(what);
    }
    out->build_failed = !b.ok;
    free(out->diagnostics);
    out->diagnostics = b.diagnostics;
    b.diagnostics = NULL;
    kata_build_result_free(&b);
    return rc;
}

kata_status kata_evaluate(const kata *k, const kata_exercise *e, unsigned flags,
                          kata_eval *out)
{
    begin(out, e);
    kata_status rc = KATA_OK;
    if (flags & KATA_EVAL_BUILD)
        rc = build_one(k, e, out);
    if (!out->build_failed)
        run_or_reuse(k, e, (flags & KATA_EVAL_FRESH) != 0, out);
    sum_up(k, e, out);
    return rc;
}

kata_status kata_evaluate_all(const kata *k, kata_eval *evals, unsigned flags)
{
    const kata_catalogue *c = &k->catalogue;
    for (size_t i = 0; i < c->count; i++)
        begin(&evals[i], &c->items[i]);
    kata_status rc = KATA_OK;
    if ((flags & KATA_EVAL_BUILD) && c->count > 0) {
        char **targets = kata_xcalloc(c->count, sizeof(*targets));
        for (size_t i = 0; i < c->count; i++)
            targets[i] = kata_exercise_target(&c->items[i]);
        kata_build_result b;
        rc =
            kata_build(k, k->build, (const char *const *)targets, c->count, &b);
        if (rc != KATA_OK)
            cannot_build("the exercises");
        else if (!b.ok)
            /* One build stops at the first broken exercise: build each
             * on its own to know which ones do not build. */
            for (size_t i = 0; i < c->count; i++)
                build_one(k, &c->items[i], &evals[i]);
        kata_build_result_free(&b);
        for (size_t i = 0; i < c->count; i++)
            free(targets[i]);
        free(targets);
    }
    for (size_t i = 0; i < c->count; i++) {
        if (!evals[i].build_failed && rc == KATA_OK)
            run_or_reuse(k, &c->items[i], (flags & KATA_EVAL_FRESH) != 0,
                         &evals[i]);
        sum_up(k, &c->items[i], &evals[i]);
    }
    return rc;
}

void kata_eval_free(kata_eval *eval)
{
    free(eval->diagnostics);
    kata_results_free(&eval->results);
    memset(eval, 0, sizeof(*eval));
}

kata_status kata_current_exercise(kata *k, bool build, kata_exercise **out)
{
    kata_catalogue *c = &k->catalogue;
    *out = NULL;
    if (c->count == 0)
        return kata_fail(KATA_EFAIL, "this kit has no exercises yet.\n"
                                     "Read README.md to see what is here.");
    for (size_t i = 0; i < c->count; i++) {
        kata_eval ev;
        kata_status rc =
            kata_evaluate(k, &c->items[i], build ? KATA_EVAL_BUILD : 0, &ev);
        bool done = ev.state == KATA_DONE;
        kata_eval_free(&ev);
        if (rc != KATA_OK)
            return rc;
        if (!done) {
            *out = &c->items[i];
            return KATA_OK;
        }
    }
    *out = &c->items[c->count - 1];
    return KATA_OK;
}
