/*
 * src/testing/projection_spec.c - given events, expect a read model.
 *
 * The events are appended to a real store and read back before the
 * handler sees them, so that positions and versions are what a catch-up
 * or inline run would pass. The handler is called directly, in order,
 * which keeps a spec deterministic and its failures easy to read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "esk/testing.h"
#include "internal.h"
#include "projection_internal.h"
#include "report.h"

typedef struct given_event {
    char *stream_id;
    const esk_event_type *type;
    char *json;
} given_event;

/* An expectation: rows of a query (sql set) or the text of render. */
typedef struct expectation {
    char *sql;
    esk_render_fn render;
    void *ctx;
    char *text;
} expectation;

struct esk_projection_spec {
    const esk_projection *projection;
    bool on_sqlite;
    given_event *given;
    size_t given_count;
    size_t given_capacity;
    expectation *expect;
    size_t expect_count;
    size_t expect_capacity;
    char *hint;
    /* The first mistake made while building the spec, or "". */
    char problem[ESK_ERROR_MESSAGE_MAX];
};

/* How a run of the story ended. */
typedef enum run_result {
    RUN_DONE,
    RUN_FAILED,
    RUN_SPEC_ERROR,
} run_result;

/* The most a render function may write, with its final NUL. */
#define RENDER_SIZE 8192
#define CHECK_REPORT_SIZE 16384
#define MESSAGE_SIZE (2 * ESK_ERROR_MESSAGE_MAX)

/* The spec's first problem is the one it reports. */
#define spec_problem(spec, ...)                                                \
    esk__report_format((spec)->problem, sizeof((spec)->problem), true,         \
                       __VA_ARGS__)

#define set_message(buf, ...)                                                  \
    esk__report_format((buf), MESSAGE_SIZE, false, __VA_ARGS__)

/* Make room for one more item in an array that grows by doubling. */
static bool reserve(void **items, size_t *capacity, size_t count,
                    size_t item_size)
{
    if (count < *capacity)
        return true;
    size_t grown = *capacity == 0 ? 4 : *capacity * 2;
    void *more = esk__realloc(*items, grown * item_size);
    if (more == NULL)
        return false;
    *items = more;
    *capacity = grown;
    return true;
}

/* --- Building a spec ------------------------------------------------------ */

esk_projection_spec *esk_projection_spec_new(const esk_projection *projection,
                                             bool on_sqlite)
{
    esk_projection_spec *spec = esk__calloc(1, sizeof(*spec));
    if (spec == NULL)
        return NULL;
    spec->projection = projection;
    spec->on_sqlite = on_sqlite;
    if (projection == NULL)
        spec_problem(spec, "esk_projection_spec_new: the projection is NULL");
    else if (projection->handle == NULL)
        spec_problem(spec, "the projection %s has no handle()",
                     projection->name != NULL ? projection->name : "");
    return spec;
}

void esk_projection_spec_given(esk_projection_spec *spec, const char *stream_id,
                               const esk_event_type *type, const void *event)
{
    char *json = NULL;
    char *stream_copy = NULL;

    if (spec == NULL)
        return;
    if (stream_id == NULL || type == NULL || event == NULL) {
        spec_problem(spec, "given event %zu: the %s is NULL",
                     spec->given_count + 1,
                     stream_id == NULL ? "stream id"
                     : type == NULL    ? "event type"
                                       : "event");
        return;
    }
    if (esk_codec_encode(type, event, &json) != ESK_OK) {
        spec_problem(spec, "given event %zu (%s) cannot be encoded: %s",
                     spec->given_count + 1, type->name, esk_errmsg());
        return;
    }
    stream_copy = esk__strdup(stream_id);
    if (stream_copy == NULL ||
        !reserve((void **)&spec->given, &spec->given_capacity,
                 spec->given_count, sizeof(*spec->given))) {
        spec_problem(spec, "out of memory building the spec");
        goto done;
    }
    spec->given[spec->given_count++] = (given_event){stream_copy, type, json};
    stream_copy = NULL;
    json = NULL;
done:
    esk__free(stream_copy);
    esk__free(json);
}

static void add_expectation(esk_projection_spec *spec, const char *sql,
                            esk_render_fn render, void *ctx, const char *text)
{
    expectation e = {NULL, render, ctx, NULL};

    e.sql = sql != NULL ? esk__strdup(sql) : NULL;
    e.text = esk__strdup(text);
    if ((sql != NULL && e.sql == NULL) || e.text == NULL ||
        !reserve((void **)&spec->expect, &spec->expect_capacity,
                 spec->expect_count, sizeof(*spec->expect))) {
        spec_problem(spec, "out of memory building the spec");
        esk__free(e.sql);
        esk__free(e.text);
        return;
    }
    spec->expect[spec->expect_count++] = e;
}

void esk_projection_spec_expect_rows(esk_projection_spec *spec, const char *sql,
                                     const char *rows)
{
    if (spec == NULL)
        return;
    if (sql == NULL || rows == NULL) {
        spec_problem(spec, "esk_projection_spec_expect_rows: the %s is NULL",
                     sql == NULL ? "query" : "expected text");
        return;
    }
    if (!spec->on_sqlite) {
        spec_problem(spec, "rows need a SQLite store: create the spec with "
                           "esk_projection_spec_new(projection, true)");
        return;
    }
    add_expectation(spec, sql, NULL, NULL, rows);
}

void esk_projection_spec_expect_text(esk_projection_spec *spec,
                                     esk_render_fn render, void *ctx,
                                     const char *text)
{
    if (spec == NULL)
        return;
    if (render == NULL || text == NULL) {
        spec_problem(spec, "esk_projection_spec_expect_text: the %s is NULL",
                     render == NULL ? "render function" : "expected text");
        return;
    }
    add_expectation(spec, NULL, render, ctx, text);
}

void esk_projection_spec_hint(esk_projection_spec *spec, const char *hint)
{
    if (spec == NULL)
        return;
    if (!esk__report_set_text(&spec->hint, hint))
        spec_problem(spec, "out of memory building the spec");
}

void esk_projection_spec_free(esk_projection_spec *spec)
{
    if (spec == NULL)
        return;
    for (size_t i = 0; i < spec->given_count; i++) {
        esk__free(spec->given[i].stream_id);
        esk__free(spec->given[i].json);
    }
    for (size_t i = 0; i < spec->expect_count; i++) {
        esk__free(spec->expect[i].sql);
        esk__free(spec->expect[i].text);
    }
    esk__free(spec->given);
    esk__free(spec->expect);
    esk__free(spec->hint);
    esk__free(spec);
}

/* --- Running it ----------------------------------------------------------- */

/* A growing string, for the rows of a query. */
typedef struct growing_text {
    char *buf;
    size_t len;
    size_t capacity;
} growing_text;

static bool text_append(growing_text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n + 1 > t->capacity) {
        size_t grown = t->capacity == 0 ? 256 : t->capacity;
        while (grown < t->len + n + 1)
            grown *= 2;
        char *more = esk__realloc(t->buf, grown);
        if (more == NULL)
            return false;
        t->buf = more;
        t->capacity = grown;
    }
    memcpy(t->buf + t->len, s, n + 1);
    t->len += n;
    return true;
}

/* The rows of a query as "a|b\nc|d"; NULL with msg set on failure. */
static char *query_rows(esk_store *store, const char *sql, char *msg)
{
    sqlite3 *db = esk_store_sqlite_db(store);
    sqlite3_stmt *stmt = NULL;
    growing_text t = {NULL, 0, 0};
    bool ok = text_append(&t, "");
    int rc = SQLITE_OK;

    if (!ok) {
        set_message(msg, "out of memory reading the rows");
        goto done;
    }
    if (db == NULL) {
        ok = false;
        set_message(msg, "the store has no SQLite database to query");
        goto done;
    }
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        ok = false;
        set_message(msg, "the query failed: %s\n          %s",
                    sqlite3_errmsg(db), sql);
        goto done;
    }
    for (size_t row = 0; ok && (rc = sqlite3_step(stmt)) == SQLITE_ROW; row++) {
        if (row > 0)
            ok = text_append(&t, "\n");
        for (int col = 0; ok && col < sqlite3_column_count(stmt); col++) {
            const unsigned char *value = sqlite3_column_text(stmt, col);
            if (col > 0)
                ok = text_append(&t, "|");
            if (ok)
                ok = text_append(&t,
                                 value != NULL ? (const char *)value : "NULL");
        }
        if (!ok)
            set_message(msg, "out of memory reading the rows");
    }
    if (ok && rc != SQLITE_DONE) {
        ok = false;
        set_message(msg, "the query failed: %s\n          %s",
                    sqlite3_errmsg(db), sql);
    }
done:
    sqlite3_finalize(stmt);
    if (!ok) {
        esk__free(t.buf);
        return NULL;
    }
    return t.buf;
}

static char *render_text(const expectation *e, char *msg)
{
    char *buf = esk__malloc(RENDER_SIZE);
    if (buf == NULL) {
        set_message(msg, "out of memory rendering the read model");
        return NULL;
    }
    buf[0] = '\0';
    e->render(e->ctx, buf, RENDER_SIZE);
    buf[RENDER_SIZE - 1] = '\0';
    return buf;
}

static bool handles_type(const esk_projection *p, const char *type)
{
    if (p->event_types == NULL || p->event_type_count == 0)
        return true;
    for (size_t i = 0; i < p->event_type_count; i++)
        if (p->event_types[i] != NULL && strcmp(p->event_types[i], type) == 0)
            return true;
    return false;
}

/* Open the store the spec runs on; on failure the last error says why. */
static esk_status open_store(const esk_projection_spec *spec, esk_store **store)
{
    esk_status rc = spec->on_sqlite
                        ? esk_store_open_sqlite(store, ":memory:", NULL)
                        : esk_store_open_memory(store, NULL);
    if (rc != ESK_OK && esk_error_last()->status != rc)
        esk__fail(rc, "%s", esk_status_str(rc));
    return rc;
}

/* Call a projection's setup() or reset(): *failed says whether it did. */
static void run_callback(esk_status (*fn)(void *ctx, esk_store *store),
                         void *ctx, esk_store *store, const char *name,
                         char *msg, bool *failed)
{
    if (fn == NULL || *failed)
        return;
    esk_error_clear();
    esk_status rc = fn(ctx, store);
    if (rc != ESK_OK) {
        esk__callback_failed(rc);
        set_message(msg, "%s() failed: %s", name, esk_errmsg());
        *failed = true;
    }
}

/* Append given event i, read it back and hand it to the projection
 * `times` times. */
static run_result apply_given(const esk_projection_spec *spec, esk_store *store,
                              size_t i, int times, esk_event_list *list,
                              char *msg)
{
    const esk_projection *p = spec->projection;
    const given_event *g = &spec->given[i];
    esk_new_event e = {NULL, g->type->name, g->type->schema_version, g->json,
                       NULL};
    esk_append_result appended = {0, 0};

    esk_status rc =
        esk_store_append(store, g->stream_id, ESK_ANY, &e, 1, &appended);
    if (rc != ESK_OK) {
        set_message(msg, "given event %zu cannot be appended to '%s': %s",
                    i + 1, g->stream_id, esk_errmsg());
        return RUN_SPEC_ERROR;
    }
    rc = esk_store_read_stream(store, g->stream_id, appended.version, 1, list);
    if (rc != ESK_OK || list->count != 1) {
        set_message(msg, "given event %zu cannot be read back from '%s': %s",
                    i + 1, g->stream_id,
                    rc != ESK_OK ? esk_errmsg() : "it is not there");
        return RUN_SPEC_ERROR;
    }
    if (!handles_type(p, g->type->name))
        return RUN_DONE;
    for (int k = 0; k < times; k++) {
        esk_error_clear();
        rc = p->handle(p->ctx, store, &list->events[0]);
        if (rc != ESK_OK) {
            const char *why = esk_errmsg();
            set_message(msg,
                        "handle() failed on given event %zu (%s of "
                        "'%s')%s: %s%s%s",
                        i + 1, g->type->name, g->stream_id,
                        k > 0 ? " the second time" : "", esk_status_str(rc),
                        why[0] != '\0' ? ": " : "", why);
            return RUN_FAILED;
        }
    }
    return RUN_DONE;
}

/*
 * Tell the story on a fresh store, each event handled `times` times, and
 * read the read model: actual[i] receives what expectation i sees (owned).
 */
static run_result run_story(const esk_projection_spec *spec, int times,
                            char **actual, char *msg)
{
    const esk_projection *p = spec->projection;
    esk_store *store = NULL;
    esk_event_list list = ESK_EVENT_LIST_INIT;
    run_result result = RUN_DONE;
    bool failed = false;

    if (open_store(spec, &store) != ESK_OK) {
        set_message(msg, "cannot open a %s store: %s",
                    spec->on_sqlite ? "SQLite" : "memory", esk_errmsg());
        result = RUN_SPEC_ERROR;
        goto done;
    }
    /* Setup first, as on a real store: a reset may need the tables that
     * setup creates. Then reset, to empty a read model kept in ctx. */
    run_callback(p->setup, p->ctx, store, "setup", msg, &failed);
    run_callback(p->reset, p->ctx, store, "reset", msg, &failed);
    if (failed) {
        result = RUN_FAILED;
        goto done;
    }
    for (size_t i = 0; i < spec->given_count && result == RUN_DONE; i++)
        result = apply_given(spec, store, i, times, &list, msg);
    for (size_t i = 0; i < spec->expect_count && result == RUN_DONE; i++) {
        const expectation *e = &spec->expect[i];
        actual[i] = e->sql != NULL ? query_rows(store, e->sql, msg)
                                   : render_text(e, msg);
        if (actual[i] == NULL)
            result = RUN_FAILED;
    }
done:
    esk_event_list_release(&list);
    esk_store_free(store);
    return result;
}

/* Equal, but for one final newline on either side. */
static bool same_text(const char *a, const char *b)
{
    size_t la = strlen(a);
    size_t lb = strlen(b);
    if (la > 0 && a[la - 1] == '\n')
        la--;
    if (lb > 0 && b[lb - 1] == '\n')
        lb--;
    return la == lb && memcmp(a, b, la) == 0;
}

/* --- Writing the report ------------------------------------------------- */

static void add_comparison(esk__report *r, const expectation *e,
                           const char *actual, const char *when)
{
    if (e->sql != NULL)
        esk__report_add(r, "  then    rows of %s%s\n", e->sql, when);
    else
        esk__report_add(r, "  then    the text of render()%s\n", when);
    esk__report_compare_text(r, "", e->text, actual);
}

static void add_story(esk__report *r, const esk_projection_spec *spec)
{
    if (spec->given_count == 0)
        esk__report_add(r, "  given   no events\n");
    for (size_t i = 0; i < spec->given_count; i++) {
        const given_event *g = &spec->given[i];
        esk__report_add(r, i == 0 ? "  given   %zu. " : "          %zu. ",
                        i + 1);
        esk__report_add(r, "%s: %s %s\n", g->stream_id, g->type->name, g->json);
    }
}

static const char *name_of(const esk_projection_spec *spec)
{
    if (spec->projection == NULL || spec->projection->name == NULL)
        return "a projection";
    return spec->projection->name;
}

/* Whether every expectation saw what it expected. */
static bool all_as_expected(const esk_projection_spec *spec, char **actual)
{
    for (size_t i = 0; i < spec->expect_count; i++)
        if (!same_text(spec->expect[i].text, actual[i]))
            return false;
    return true;
}

/* The report of a failed run; twice says which of the two it was. */
static void add_failure(esk__report *r, const esk_projection_spec *spec,
                        run_result result, const char *msg, char **actual,
                        bool twice)
{
    if (result == RUN_SPEC_ERROR) {
        esk__report_add(r, "Spec error in %s: %s\n", name_of(spec), msg);
        return;
    }
    esk__report_add(r, "Projection spec failed: %s\n", name_of(spec));
    add_story(r, spec);
    if (result != RUN_DONE) {
        esk__report_add(r, "  %s%s\n",
                        twice ? "with each event applied twice: " : "", msg);
    } else if (twice) {
        esk__report_add(r, "  applying each event twice changed the read "
                           "model: make the handler idempotent (e.g. INSERT "
                           "OR REPLACE, or check the event's position)\n");
        if (spec->projection->reset == NULL)
            esk__report_add(r, "  (if the read model lives in ctx, give the "
                               "projection a reset() that empties it: each "
                               "run starts from reset)\n");
    }
    for (size_t i = 0; result == RUN_DONE && i < spec->expect_count; i++)
        if (!same_text(spec->expect[i].text, actual[i]))
            add_comparison(r, &spec->expect[i], actual[i],
                           twice ? " (each event applied twice)" : "");
    if (spec->hint != NULL)
        esk__report_add(r, "  HINT: %s\n", spec->hint);
}

/* Check the spec, run it twice, report; whether it passed. */
static bool run_into(const esk_projection_spec *spec, char *buf, size_t size)
{
    esk__report r;
    char msg[MESSAGE_SIZE] = "";
    char **once = NULL;
    char **twice = NULL;
    run_result result = RUN_DONE;
    bool passed = false;

    if (!esk__report_start(&r, buf, size, spec != NULL))
        goto done;
    if (spec->problem[0] != '\0') {
        esk__report_add(&r, "Spec error in %s: %s\n", name_of(spec),
                        spec->problem);
        goto done;
    }
    if (spec->expect_count == 0) {
        esk__report_add(&r,
                        "Spec error in %s: the spec expects nothing: say "
                        "what the read model holds with "
                        "esk_projection_spec_expect_rows or _expect_text\n",
                        name_of(spec));
        goto done;
    }
    once = esk__calloc(spec->expect_count, sizeof(*once));
    twice = esk__calloc(spec->expect_count, sizeof(*twice));
    if (once == NULL || twice == NULL) {
        esk__report_add(&r, "Spec error: out of memory running the spec\n");
        goto done;
    }

    result = run_story(spec, 1, once, msg);
    if (result != RUN_DONE || !all_as_expected(spec, once)) {
        add_failure(&r, spec, result, msg, once, false);
        goto done;
    }
    /* Delivery is at least once: every event twice must change nothing. */
    result = run_story(spec, 2, twice, msg);
    passed = result == RUN_DONE && all_as_expected(spec, twice);
    if (!passed)
        add_failure(&r, spec, result, msg, twice, true);
done:
    for (size_t i = 0; spec != NULL && i < spec->expect_count; i++) {
        if (once != NULL)
            esk__free(once[i]);
        if (twice != NULL)
            esk__free(twice[i]);
    }
    esk__free(once);
    esk__free(twice);
    esk__report_end(&r);
    return passed;
}

void esk_projection_spec_run(const esk_projection_spec *spec,
                             esk_spec_report *report)
{
    if (report == NULL)
        return;
    report->passed = run_into(spec, report->text, sizeof(report->text));
}

void esk__projection_spec_check(esk_projection_spec *spec, const char *file,
                                int line)
{
    char *text = esk__malloc(CHECK_REPORT_SIZE);
    bool passed = false;

    if (text != NULL)
        passed = run_into(spec, text, CHECK_REPORT_SIZE);
    esk_projection_spec_free(spec);
    esk__report_conclude(passed, text, file, line);
}
