/*
 * runner/report.c - every exercise's and every test's status, as a table
 * for the learner or as JSON for a trainer who collects the room's
 * progress. The JSON's shape is documented in docs/runner.md and only
 * changes with its "version".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "evaluate.h"
#include "fs.h"
#include "hints.h"
#include "show.h"
#include "text.h"

#define REPORT_VERSION 1

/* The name typed at the question, without the end of the line; NULL
 * when nothing was typed. */
static char *ask_name(void)
{
    /* A script's input may hold the answer; only a person is asked. */
    if (isatty(0)) {
        fputs("Your name, for the trainer's report (asked once; "
              "KATA_LEARNER overrides it): ",
              stderr);
        fflush(stderr);
    }
    char line[128];
    if (fgets(line, sizeof(line), stdin) == NULL)
        return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    return line[0] != '\0' ? kata_xstrdup(line) : NULL;
}

/* KATA_LEARNER, else the system's user name; on a system that has none
 * (a container without USER), the name the learner gave once, kept in
 * .kata/learner. */
static json_t *learner(const kata *k)
{
    const char *names[] = {"KATA_LEARNER", "USER", "LOGNAME"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(names[i]);
        if (v != NULL && v[0] != '\0')
            return json_string(v);
    }
    char *path = kata_path(k->state, "learner");
    char *name = NULL;
    if (kata_read_file(path, &name, NULL) == 0)
        name[strcspn(name, "\r\n")] = '\0';
    if (name == NULL || name[0] == '\0') {
        free(name);
        name = ask_name();
        if (name != NULL)
            kata_write_file(path, name, strlen(name));
    }
    free(path);
    json_t *value = name != NULL ? json_string(name) : json_null();
    free(name);
    return value;
}

static json_t *report_json(const kata *k, const kata_eval *evals)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &utc);

    const kata_catalogue *c = &k->catalogue;
    json_t *exercises = json_array();
    size_t done = 0, passed = 0, total = 0;
    for (size_t i = 0; i < c->count; i++) {
        const kata_exercise *e = &c->items[i];
        const kata_eval *ev = &evals[i];
        json_t *tests = json_array();
        size_t ex_passed = 0, ex_total = 0;
        if (ev->ran) {
            for (size_t t = 0; t < ev->results.count; t++)
                json_array_append_new(
                    tests,
                    json_pack("{s:s,s:s}", "name", ev->results.tests[t].name,
                              "status",
                              kata_outcome_name(ev->results.tests[t].outcome)));
            ex_passed = ev->results.passed;
        }
        ex_total = ev->total;
        done += ev->state == KATA_DONE;
        passed += ex_passed;
        total += ex_total;
        json_array_append_new(
            exercises,
            json_pack("{s:i,s:s,s:s,s:i,s:s,s:I,s:I,s:I,s:I,s:o}", "number",
                      e->number, "slug", e->slug, "title", e->title, "minutes",
                      e->minutes, "status", kata_state_name(ev->state),
                      "passed", (json_int_t)ex_passed, "total",
                      (json_int_t)ex_total, "hints_revealed",
                      (json_int_t)kata_hints_revealed(k, e), "hints_total",
                      (json_int_t)e->hint_count, "tests", tests));
    }
    return json_pack("{s:i,s:s,s:o,s:{s:I,s:I,s:I,s:I},s:o}", "version",
                     REPORT_VERSION, "generated_at", stamp, "learner",
                     learner(k), "summary", "exercises", (json_int_t)c->count,
                     "done", (json_int_t)done, "passed", (json_int_t)passed,
                     "total", (json_int_t)total, "exercises", exercises);
}

static void report_table(const kata *k, const kata_eval *evals)
{
    const kata_term *s = &k->out;
    int width = s->tty ? kata_term_width(1) : 80;
    kata_buf out = {0};
    kata_show_table(&out, k, evals, width);
    const kata_catalogue *c = &k->catalogue;
    size_t done = 0, passed = 0, total = 0;
    for (size_t i = 0; i < c->count; i++) {
        const kata_eval *ev = &evals[i];
        done += ev->state == KATA_DONE;
        if (!ev->ran)
            continue;
        passed += ev->results.passed;
        total += ev->results.total;
    }
    for (size_t i = 0; i < c->count; i++) {
        const kata_eval *ev = &evals[i];
        const kata_exercise *e = &c->items[i];
        kata_buf_printf(&out, "\n%s%d%s%s%s", s->bold, e->number, s->sep,
                        e->title, s->reset);
        kata_buf_printf(&out, " (%s", kata_state_name(ev->state));
        size_t hints = kata_hints_revealed(k, e);
        if (hints > 0)
            kata_buf_printf(&out, ", %zu of %zu hints", hints, e->hint_count);
        kata_buf_puts(&out, ")\n");
        if (!ev->ran) {
            kata_buf_puts(&out, "  (no results: it does not build)\n");
            continue;
        }
        for (size_t t = 0; t < ev->results.count; t++)
            kata_show_test(&out, k, &ev->results.tests[t], false, width);
        if (ev->results.count < ev->results.total)
            kata_buf_printf(&out, "  %zu more did not run\n",
                            ev->results.total - ev->results.count);
    }
    kata_buf_putc(&out, '\n');
    char *what =
        kata_format("%s%zu of %zu exercises done", s->sep, done, c->count);
    kata_show_progress(&out, k, passed, total, "tests pass", what, width);
    free(what);
    fputs(kata_buf_str(&out), stdout);
    kata_buf_free(&out);
}

char *kata_learner_name(const kata *k)
{
    json_t *name = learner(k);
    char *text =
        json_is_string(name) ? kata_xstrdup(json_string_value(name)) : NULL;
    json_decref(name);
    return text;
}

kata_status kata_report_text(const kata *k, unsigned flags, size_t json_flags,
                             char **out)
{
    const kata_catalogue *c = &k->catalogue;
    kata_eval *evals = kata_xcalloc(c->count ? c->count : 1, sizeof(*evals));
    kata_status rc = kata_evaluate_all(k, evals, flags);
    if (rc == KATA_OK) {
        json_t *report = report_json(k, evals);
        *out = json_dumps(report, json_flags | JSON_PRESERVE_ORDER);
        json_decref(report);
        if (*out == NULL)
            rc = kata_fail(KATA_EFAIL, "could not write the report's JSON.");
    }
    for (size_t i = 0; i < c->count; i++)
        kata_eval_free(&evals[i]);
    free(evals);
    return rc;
}

kata_status kata_cmd_report(kata *k, int argc, char **argv)
{
    bool json = false;
    kata_status rc = kata_parse_args(k, argc, argv, NULL, false, &json);
    if (rc == KATA_OK)
        rc = kata_build_ready(k);
    if (rc != KATA_OK)
        return rc;
    if (json) {
        char *text = NULL;
        rc = kata_report_text(k, KATA_EVAL_BUILD, JSON_INDENT(2), &text);
        if (rc == KATA_OK)
            printf("%s\n", text);
        free(text);
        return rc;
    }
    const kata_catalogue *c = &k->catalogue;
    kata_eval *evals = kata_xcalloc(c->count ? c->count : 1, sizeof(*evals));
    rc = kata_evaluate_all(k, evals, KATA_EVAL_BUILD);
    if (rc == KATA_OK)
        report_table(k, evals);
    for (size_t i = 0; i < c->count; i++)
        kata_eval_free(&evals[i]);
    free(evals);
    return rc;
}
