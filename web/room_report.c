/*
 * web/room_report.c - the command side's first guard: a posted report
 * must be the documented JSON of `./kata report --json` (docs/runner.md,
 * version 1), within the room's limits, before anything is stored.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "room.h"

static bool refuse(char *why, size_t size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(why, size, format, args);
    va_end(args);
    return false;
}

/* A string of 1 to max bytes without control characters: a name or
 * title shown on the page, and a stream id. */
static bool is_text(const json_t *value, size_t max)
{
    if (!json_is_string(value))
        return false;
    const char *s = json_string_value(value);
    size_t n = json_string_length(value);
    if (n == 0 || n > max || strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static bool is_count(const json_t *value, json_int_t max)
{
    return json_is_integer(value) && json_integer_value(value) >= 0 &&
           json_integer_value(value) <= max;
}

static const char *const report_statuses[] = {"not-started", "in-progress",
                                              "done", "build-error"};

static bool known_status(const char *s)
{
    for (size_t i = 0; i < 4; i++)
        if (strcmp(s, report_statuses[i]) == 0)
            return true;
    return false;
}

/* The tests of exercise i: the names of those not passing go to
 * e->failing, and a crash turns the cell into "crashed". */
static bool read_tests(room_exercise *e, const json_t *tests, size_t i,
                       char *why, size_t size)
{
    if (!json_is_array(tests) || json_array_size(tests) > ROOM_TESTS_MAX)
        return refuse(why, size,
                      "exercises[%zu].tests must be an array of at most %d "
                      "tests",
                      i, ROOM_TESTS_MAX);
    size_t t;
    json_t *test;
    json_array_foreach(tests, t, test)
    {
        const json_t *name = json_object_get(test, "name");
        const json_t *status = json_object_get(test, "status");
        if (!is_text(name, ROOM_TEXT_MAX) || !is_text(status, 16))
            return refuse(why, size,
                          "exercises[%zu].tests[%zu] needs a name and a "
                          "status",
                          i, t);
        const char *s = json_string_value(status);
        if (strcmp(s, "crashed") == 0 && strcmp(e->status, "build-error"))
            e->status = "crashed";
        if (strcmp(s, "failed") == 0 || strcmp(s, "crashed") == 0)
            json_array_append(e->failing, (json_t *)name);
    }
    return true;
}

static bool read_exercise(room_exercise *e, const json_t *o, size_t i,
                          char *why, size_t size)
{
    const json_t *number = json_object_get(o, "number");
    const json_t *slug = json_object_get(o, "slug");
    const json_t *title = json_object_get(o, "title");
    const json_t *status = json_object_get(o, "status");
    if (!json_is_object(o) || !is_count(number, 999) ||
        !is_text(slug, ROOM_NAME_MAX) || !is_text(title, ROOM_TEXT_MAX) ||
        !json_is_string(status) || !known_status(json_string_value(status)))
        return refuse(why, size,
                      "exercises[%zu] needs a number, a slug, a title and a "
                      "status (not-started, in-progress, done, build-error)",
                      i);
    const char *counts[] = {"passed", "total", "hints_revealed", "hints_total"};
    json_int_t values[4];
    for (size_t c = 0; c < 4; c++) {
        const json_t *v = json_object_get(o, counts[c]);
        if (!is_count(v, ROOM_TESTS_MAX))
            return refuse(why, size,
                          "exercises[%zu].%s must be a whole number from 0 "
                          "to %d",
                          i, counts[c], ROOM_TESTS_MAX);
        values[c] = json_integer_value(v);
    }
    if (values[0] > values[1])
        return refuse(why, size, "exercises[%zu] passes more tests than it has",
                      i);
    e->number = json_integer_value(number);
    e->slug = json_string_value(slug);
    e->title = json_string_value(title);
    e->status = json_string_value(status);
    e->passed = values[0];
    e->total = values[1];
    e->hints = values[2];
    e->hints_total = values[3];
    e->failing = json_array();
    if (e->failing == NULL)
        return refuse(why, size, "out of memory");
    return read_tests(e, json_object_get(o, "tests"), i, why, size);
}

/* generated_at and summary: not shown, but part of the schema. */
static bool read_summary(const json_t *doc, char *why, size_t size)
{
    const json_t *summary = json_object_get(doc, "summary");
    const char *keys[] = {"exercises", "done", "passed", "total"};
    bool ok = is_text(json_object_get(doc, "generated_at"), 64) &&
              json_is_object(summary);
    for (size_t i = 0; ok && i < 4; i++)
        ok = is_count(json_object_get(summary, keys[i]),
                      ROOM_EXERCISES_MAX * ROOM_TESTS_MAX);
    if (!ok)
        return refuse(why, size,
                      "the report needs generated_at and a summary of "
                      "exercises, done, passed and total");
    return true;
}

static bool read_report(room_report *out, char *why, size_t size)
{
    const json_t *doc = out->doc;
    const json_t *version = json_object_get(doc, "version");
    if (!json_is_integer(version) || json_integer_value(version) != 1)
        return refuse(why, size, "the report must be of version 1");
    const json_t *learner = json_object_get(doc, "learner");
    if (!is_text(learner, ROOM_NAME_MAX))
        return refuse(why, size,
                      "the report needs the learner's name (1 to %d bytes): "
                      "set KATA_LEARNER",
                      ROOM_NAME_MAX);
    out->learner = json_string_value(learner);
    if (!read_summary(doc, why, size))
        return false;
    const json_t *exercises = json_object_get(doc, "exercises");
    if (!json_is_array(exercises) ||
        json_array_size(exercises) > ROOM_EXERCISES_MAX)
        return refuse(why, size, "exercises must be an array of at most %d",
                      ROOM_EXERCISES_MAX);
    for (size_t i = 0; i < json_array_size(exercises); i++) {
        out->count = i + 1;
        if (!read_exercise(&out->exercises[i], json_array_get(exercises, i), i,
                           why, size))
            return false;
        for (size_t j = 0; j < i; j++)
            if (strcmp(out->exercises[j].slug, out->exercises[i].slug) == 0)
                return refuse(why, size, "exercise '%s' comes twice",
                              out->exercises[i].slug);
    }
    return true;
}

bool room_report_parse(room_report *out, const char *body, size_t size,
                       char *why, size_t why_size)
{
    memset(out, 0, sizeof(*out));
    json_error_t error;
    out->doc = json_loadb(body, size, JSON_REJECT_DUPLICATES, &error);
    if (out->doc == NULL || !json_is_object(out->doc)) {
        refuse(why, why_size, "the body is not a JSON object: %s",
               out->doc == NULL ? error.text : "another JSON value");
        room_report_free(out);
        return false;
    }
    if (!read_report(out, why, why_size)) {
        room_report_free(out);
        return false;
    }
    return true;
}

void room_report_free(room_report *report)
{
    if (report == NULL)
        return;
    for (size_t i = 0; i < report->count; i++)
        json_decref(report->exercises[i].failing);
    json_decref(report->doc);
    memset(report, 0, sizeof(*report));
}
