/*
 * runner/results.c - reading a cmocka suite's output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "results.h"
#include "text.h"

#define RUN_MARK "[ RUN      ] "
#define OK_MARK "[       OK ] "
#define FAILED_MARK "[  FAILED  ] "
#define SKIPPED_MARK "[  SKIPPED ] "
#define ERROR_MARK "[  ERROR   ] "
#define LINE_MARK "[   LINE   ] --- "
#define BANNER_MARK "[==========] "
#define EXCEPTION "Test failed with exception: "

typedef struct parser {
    kata_results *r;
    kata_test *current; /* a test that started and has no result yet */
    kata_buf message;
    kata_buf hint;
    kata_buf preamble;
    bool in_summary; /* the recap after "N test(s) run." names tests again */
    bool exception;  /* cmocka caught a signal in the current test */
} parser;

static kata_test *start_test(parser *p, const char *name)
{
    kata_results *r = p->r;
    r->tests = kata_xrealloc(r->tests, (r->count + 1) * sizeof(*r->tests));
    kata_test *t = &r->tests[r->count++];
    memset(t, 0, sizeof(*t));
    t->name = kata_xstrdup(name);
    t->outcome = KATA_CRASHED; /* until a result line says otherwise */
    p->exception = false;
    p->message.len = 0;
    p->hint.len = 0;
    if (p->message.data)
        p->message.data[0] = '\0';
    if (p->hint.data)
        p->hint.data[0] = '\0';
    return t;
}

/* Closes the current test with an outcome; a signal caught inside the
 * test makes it a crash even though cmocka then reports it as failed. */
static void end_test(parser *p, kata_outcome outcome)
{
    kata_test *t = p->current;
    if (t == NULL)
        return;
    t->outcome = p->exception ? KATA_CRASHED : outcome;
    if (outcome != KATA_PASSED) {
        /* Without the last newline, so that callers indent it easily. */
        char *msg = kata_buf_take(&p->message);
        size_t n = strlen(msg);
        while (n > 0 && msg[n - 1] == '\n')
            msg[--n] = '\0';
        t->message = msg;
        if (p->hint.len > 0)
            t->hint = kata_buf_take(&p->hint);
    }
    p->current = NULL;
}

static void add_message(parser *p, const char *line)
{
    kata_buf_puts(&p->message, line);
    kata_buf_putc(&p->message, '\n');
}

/* "exercises/01-events/test_events.c:49: error: Failure!" -> "at
 * exercises/01-events/test_events.c:49" */
static void add_location(parser *p, const char *rest)
{
    const char *cut = strstr(rest, ": error: Failure!");
    kata_buf_puts(&p->message, "at ");
    kata_buf_add(&p->message, rest, cut ? (size_t)(cut - rest) : strlen(rest));
    kata_buf_putc(&p->message, '\n');
}

/* One line of a suite's output. One branch per kind of line cmocka
 * prints (banner, RUN, OK, FAILED, an assertion's message...): the
 * grammar reads in one place, which is why this is longer than most. */
static void parse_line(void *ctx, const char *line)
{
    parser *p = ctx;
    kata_results *r = p->r;
    if (kata_starts_with(line, BANNER_MARK)) {
        const char *rest = line + strlen(BANNER_MARK);
        if (kata_starts_with(rest, "Running ")) {
            r->total += (size_t)strtoul(rest + strlen("Running "), NULL, 10);
            p->in_summary = false;
            r->finished = false;
        } else if (strstr(rest, " run.") != NULL) {
            p->in_summary = true;
            r->finished = true;
        }
        return;
    }
    if (p->in_summary)
        return;
    if (kata_starts_with(line, RUN_MARK)) {
        end_test(p, KATA_CRASHED);
        p->current = start_test(p, line + strlen(RUN_MARK));
    } else if (kata_starts_with(line, OK_MARK)) {
        end_test(p, KATA_PASSED);
    } else if (kata_starts_with(line, FAILED_MARK)) {
        end_test(p, KATA_FAILED);
    } else if (kata_starts_with(line, SKIPPED_MARK)) {
        end_test(p, KATA_SKIPPED);
    } else if (kata_starts_with(line, ERROR_MARK)) {
        const char *rest = line + strlen(ERROR_MARK);
        if (kata_starts_with(rest, "--- "))
            rest += 4;
        if (p->current == NULL) {
            kata_buf_puts(&p->preamble, rest);
            kata_buf_putc(&p->preamble, '\n');
        } else if (kata_starts_with(rest, LINE_MARK)) {
            add_location(p, rest + strlen(LINE_MARK));
        } else if (kata_starts_with(rest, EXCEPTION)) {
            p->exception = true;
            kata_buf_printf(&p->message, "crashed: %s\n",
                            rest + strlen(EXCEPTION));
        } else if (strcmp(rest, p->current->name) == 0) {
            end_test(p, KATA_FAILED);
        } else {
            add_message(p, rest);
        }
    } else if (kata_starts_with(line, LINE_MARK)) {
        if (p->current != NULL)
            add_location(p, line + strlen(LINE_MARK));
    } else if (p->current != NULL) {
        if (kata_starts_with(line, "HINT: ")) {
            if (p->hint.len > 0)
                kata_buf_putc(&p->hint, ' ');
            kata_buf_puts(&p->hint, line + strlen("HINT: "));
        } else if (line[0] != '\0' || p->message.len > 0) {
            add_message(p, line);
        }
    } else if (line[0] != '\0') {
        kata_buf_puts(&p->preamble, line);
        kata_buf_putc(&p->preamble, '\n');
    }
}

void kata_results_parse(kata_results *r, const char *output)
{
    memset(r, 0, sizeof(*r));
    parser p = {0};
    p.r = r;
    kata_each_line(output, parse_line, &p);
    /* A test that started and never ended: the program stopped in it. */
    end_test(&p, KATA_CRASHED);
    for (size_t i = 0; i < r->count; i++) {
        if (r->tests[i].outcome == KATA_PASSED)
            r->passed++;
    }
    if (r->total < r->count)
        r->total = r->count;
    r->preamble = kata_buf_take(&p.preamble);
    kata_buf_free(&p.message);
    kata_buf_free(&p.hint);
}

void kata_results_ended(kata_results *r, int signal, bool timed_out,
                        int timeout_s)
{
    kata_test *last = r->count ? &r->tests[r->count - 1] : NULL;
    char *why = NULL;
    if (timed_out)
        why = kata_format("timed out after %d s (an endless loop?)", timeout_s);
    else if (signal > 0)
        why = kata_format("%s (signal %d)", kata_signal_name(signal), signal);
    else if (last != NULL && last->outcome == KATA_CRASHED && !r->finished)
        why = kata_xstrdup("the program ended in the middle of the test");
    if (why == NULL)
        return;
    free(r->stopped);
    r->stopped = why;
    if (last != NULL && last->outcome == KATA_CRASHED && !r->finished) {
        /* Say it in the test, where the learner looks. */
        kata_buf b = {0};
        kata_buf_printf(&b, "crashed: %s", why);
        if (last->message != NULL && last->message[0] != '\0')
            kata_buf_printf(&b, "\n%s", last->message);
        free(last->message);
        last->message = kata_buf_take(&b);
    }
}

void kata_results_free(kata_results *r)
{
    for (size_t i = 0; i < r->count; i++) {
        free(r->tests[i].name);
        free(r->tests[i].message);
        free(r->tests[i].hint);
    }
    free(r->tests);
    free(r->stopped);
    free(r->preamble);
    memset(r, 0, sizeof(*r));
}

bool kata_results_all_pass(const kata_results *r)
{
    return r->total > 0 && r->passed == r->total && r->stopped == NULL;
}

const kata_test *kata_results_first_failure(const kata_results *r)
{
    for (size_t i = 0; i < r->count; i++)
        if (r->tests[i].outcome == KATA_FAILED ||
            r->tests[i].outcome == KATA_CRASHED)
            return &r->tests[i];
    return NULL;
}

const char *kata_outcome_name(kata_outcome outcome)
{
    switch (outcome) {
    case KATA_PASSED:
        return "passed";
    case KATA_FAILED:
        return "failed";
    case KATA_CRASHED:
        return "crashed";
    case KATA_SKIPPED:
        return "skipped";
    }
    return "failed";
}

static kata_outcome outcome_from_name(const char *name)
{
    if (name == NULL)
        return KATA_FAILED;
    if (strcmp(name, "passed") == 0)
        return KATA_PASSED;
    if (strcmp(name, "crashed") == 0)
        return KATA_CRASHED;
    if (strcmp(name, "skipped") == 0)
        return KATA_SKIPPED;
    return KATA_FAILED;
}

json_t *kata_results_to_json(const kata_results *r)
{
    json_t *tests = json_array();
    for (size_t i = 0; i < r->count; i++) {
        const kata_test *t = &r->tests[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(t->name));
        json_object_set_new(o, "status",
                            json_string(kata_outcome_name(t->outcome)));
        if (t->message != NULL)
            json_object_set_new(o, "message", json_string(t->message));
        if (t->hint != NULL)
            json_object_set_new(o, "hint", json_string(t->hint));
        json_array_append_new(tests, o);
    }
    json_t *o = json_object();
    json_object_set_new(o, "total", json_integer((json_int_t)r->total));
    json_object_set_new(o, "finished", json_boolean(r->finished));
    if (r->stopped != NULL)
        json_object_set_new(o, "stopped", json_string(r->stopped));
    json_object_set_new(o, "preamble",
                        json_string(r->preamble ? r->preamble : ""));
    json_object_set_new(o, "tests", tests);
    return o;
}

static char *optional_string(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? kata_xstrdup(s) : NULL;
}

bool kata_results_from_json(kata_results *r, const json_t *json)
{
    memset(r, 0, sizeof(*r));
    const json_t *tests = json_object_get(json, "tests");
    if (!json_is_array(tests) ||
        !json_is_integer(json_object_get(json, "total")))
        return false;
    r->count = json_array_size(tests);
    r->tests = kata_xcalloc(r->count, sizeof(*r->tests));
    for (size_t i = 0; i < r->count; i++) {
        const json_t *o = json_array_get(tests, i);
        kata_test *t = &r->tests[i];
        const char *name = json_string_value(json_object_get(o, "name"));
        t->name = kata_xstrdup(name ? name : "?");
        t->outcome =
            outcome_from_name(json_string_value(json_object_get(o, "status")));
        t->message = optional_string(o, "message");
        t->hint = optional_string(o, "hint");
        if (t->outcome == KATA_PASSED)
            r->passed++;
    }
    r->total = (size_t)json_integer_value(json_object_get(json, "total"));
    if (r->total < r->count)
        r->total = r->count;
    r->finished = json_is_true(json_object_get(json, "finished"));
    r->stopped = optional_string(json, "stopped");
    r->preamble = optional_string(json, "preamble");
    if (r->preamble == NULL)
        r->preamble = kata_xstrdup("");
    return true;
}
