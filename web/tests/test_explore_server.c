/*
 * web/tests/test_explore_server.c - the explorer's HTTP answers, on a
 * fixture store: status codes, refusals, escaping, and a file left as it
 * was after a whole browsing session. With --postgres, the answers that
 * do not depend on the backend again on the same store in a PostgreSQL
 * schema (ESK_TEST_PG; 77 without one).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <esk/store.h>

#include "client.h"
#include "explore.h"
#include "explore_fixture.h"
#include "explore_server.h"

typedef struct served {
    explore_fixture f;
    esk_explore *explore;
    esk_explore_server *server;
} served;

static void serve_target(served *s, const char *target, const char *schema)
{
    assert_int_equal(esk_explore_open_in(&s->explore, target, schema), ESK_OK);
    assert_int_equal(esk_explore_server_start(&s->server, s->explore, 0),
                     ESK_OK);
}

static void serve_path(served *s, const char *path)
{
    serve_target(s, path, NULL);
}

static void serve(served *s)
{
    explore_fixture_make(&s->f);
    serve_target(s, s->f.target, s->f.schema);
}

static void stop(served *s)
{
    esk_explore_server_stop(s->server);
    esk_explore_free(s->explore);
    explore_fixture_remove(&s->f);
}

static int get(served *s, const char *target, esk_web_client_reply *out)
{
    char port[8], error[ESK_WEB_CLIENT_ERROR_MAX];
    snprintf(port, sizeof port, "%u",
             (unsigned)esk_explore_server_port(s->server));
    assert_int_equal(esk_web_client_request("127.0.0.1", port, "GET", target,
                                            NULL, NULL, 0, 5000, out, error),
                     0);
    return out->status;
}

/* The status of a GET, the answer dropped. */
static int status_of(served *s, const char *target)
{
    esk_web_client_reply r = {0};
    int status = get(s, target, &r);
    esk_web_client_reply_free(&r);
    return status;
}

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("'%s' not found in:\n%s", part, text);
}

static void every_view_answers_json(void **state)
{
    (void)state;
    served s;
    serve(&s);
    const char *targets[] = {
        "/api/streams",       "/api/stream?id=workshop-w-1",
        "/api/feed",          "/api/feed?after=2&limit=3",
        "/api/event?id=ev-2", "/api/correlation?id=req-2",
        "/api/checkpoints",   "/api/fold?id=workshop-w-1",
    };
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        esk_web_client_reply r = {0};
        assert_int_equal(get(&s, targets[i], &r), 200);
        assert_contains(r.headers, "application/json");
        assert_true(r.body[0] == '{');
        esk_web_client_reply_free(&r);
    }
    stop(&s);
}

static void the_page_and_its_files_are_served(void **state)
{
    (void)state;
    served s;
    serve(&s);
    esk_web_client_reply r = {0};
    assert_int_equal(get(&s, "/", &r), 200);
    assert_contains(r.headers, "text/html");
    assert_contains(r.body, "<script src=\"/explore.js\"></script>");
    esk_web_client_reply_free(&r);
    assert_int_equal(status_of(&s, "/explore.js"), 200);
    assert_int_equal(status_of(&s, "/explore.css"), 200);
    assert_int_equal(status_of(&s, "/../store.db"), 404);
    assert_int_equal(status_of(&s, "/store.db"), 404);
    stop(&s);
}

static void bad_requests_are_refused_with_a_reason(void **state)
{
    (void)state;
    served s;
    serve(&s);
    assert_int_equal(status_of(&s, "/api/stream"), 400);
    assert_int_equal(status_of(&s, "/api/feed?after=-1"), 400);
    assert_int_equal(status_of(&s, "/api/feed?after=x"), 400);
    assert_int_equal(status_of(&s, "/api/feed?limit=0"), 400);
    assert_int_equal(status_of(&s, "/api/feed?limit=100000"), 400);
    assert_int_equal(status_of(&s, "/api/stream?id=nobody-1"), 404);
    assert_int_equal(status_of(&s, "/api/event?id=cmd-1"), 404);
    assert_int_equal(status_of(&s, "/api/fold?id=period-2026"), 404);
    esk_web_client_reply r = {0};
    assert_int_equal(get(&s, "/api/stream?id=nobody-1", &r), 404);
    assert_contains(r.body, "{\"error\":\"stream 'nobody-1' has no event\"}");
    esk_web_client_reply_free(&r);
    stop(&s);
}

static void nothing_but_get_is_answered(void **state)
{
    (void)state;
    served s;
    serve(&s);
    char port[8], error[ESK_WEB_CLIENT_ERROR_MAX];
    snprintf(port, sizeof port, "%u",
             (unsigned)esk_explore_server_port(s.server));
    const char *methods[] = {"POST", "PUT", "DELETE"};
    for (size_t i = 0; i < 3; i++) {
        esk_web_client_reply r = {0};
        assert_int_equal(esk_web_client_request("127.0.0.1", port, methods[i],
                                                "/api/streams", NULL, "", 0,
                                                5000, &r, error),
                         0);
        assert_int_equal(r.status, 405);
        esk_web_client_reply_free(&r);
    }
    stop(&s);
}

/* The hostile id, as a query parameter. */
#define HOSTILE_QUERY                                                          \
    "/api/stream?id=%3Cscript%3Ealert(1)%3C%2Fscript%3E-%221%22"

static void hostile_text_is_json_text_never_markup(void **state)
{
    (void)state;
    served s;
    serve(&s);
    esk_web_client_reply r = {0};
    assert_int_equal(get(&s, HOSTILE_QUERY, &r), 200);
    /* JSON that the page reads with textContent, and that a browser told
     * to open it shows as text: no sniffing into HTML. */
    assert_contains(r.headers, "Content-Type: application/json");
    assert_contains(r.headers, "X-Content-Type-Options: nosniff");
    assert_contains(r.body, "\"id\":\"<script>alert(1)</script>-\\\"1\\\"\"");
    esk_web_client_reply_free(&r);
    stop(&s);
}

/* A copy of the fixture's store under a name that is markup. */
static void copy_file(const char *from, const char *to)
{
    char *bytes = NULL;
    size_t size = explore_fixture_read(from, &bytes);
    FILE *out = fopen(to, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(bytes, 1, size, out), size);
    fclose(out);
    free(bytes);
}

static void the_store_path_is_escaped_in_the_page(void **state)
{
    (void)state;
    served s;
    explore_fixture_make(&s.f);
    char path[256];
    explore_fixture_file(&s.f, "<img src=x onerror=alert(1)>.db", path,
                         sizeof path);
    copy_file(s.f.path, path);
    serve_path(&s, path);
    esk_web_client_reply r = {0};
    assert_int_equal(get(&s, "/", &r), 200);
    assert_contains(r.body, "&lt;img src=x onerror=alert(1)&gt;.db");
    assert_null(strstr(r.body, "<img"));
    esk_web_client_reply_free(&r);
    stop(&s);
}

static void browsing_over_http_leaves_the_file_unchanged(void **state)
{
    (void)state;
    served s;
    serve(&s);
    char *before = NULL;
    size_t before_size = explore_fixture_read(s.f.path, &before);
    const char *targets[] = {"/",
                             "/api/streams",
                             "/api/stream?id=workshop-w-1",
                             HOSTILE_QUERY,
                             "/api/feed?after=0&limit=500",
                             "/api/checkpoints",
                             "/api/fold?id=workshop-w-1",
                             "/api/event?id=ev-3",
                             "/api/correlation?id=req-2"};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
        assert_int_equal(status_of(&s, targets[i]), 200);
    esk_explore_server_stop(s.server);
    esk_explore_free(s.explore);

    char *after = NULL;
    size_t after_size = explore_fixture_read(s.f.path, &after);
    assert_int_equal(after_size, before_size);
    assert_memory_equal(after, before, before_size);
    free(before);
    free(after);
    explore_fixture_remove(&s.f);
}

static void a_store_started_over_shows_without_a_restart(void **state)
{
    (void)state;
    served s;
    serve(&s);
    /* The application deletes its file and starts a new one. */
    unlink(s.f.path);
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, s.f.path, NULL), ESK_OK);
    const esk_new_event event = {NULL, "Started", 1, "{}", NULL};
    assert_int_equal(
        esk_store_append(store, "other-1", ESK_NO_STREAM, &event, 1, NULL),
        ESK_OK);
    esk_store_free(store);

    esk_web_client_reply r = {0};
    assert_int_equal(get(&s, "/api/streams", &r), 200);
    assert_contains(r.body, "\"other-1\"");
    assert_null(strstr(r.body, "workshop-w-1"));
    esk_web_client_reply_free(&r);
    unlink(s.f.path);
    assert_int_equal(get(&s, "/api/feed", &r), 404);
    assert_contains(r.body, "no such file");
    esk_web_client_reply_free(&r);
    stop(&s);
}

#ifdef ESK_HAVE_POSTGRES
static void the_page_names_the_schema_and_the_database(void **state)
{
    (void)state;
    served s;
    serve(&s);
    esk_web_client_reply r = {0};
    assert_int_equal(get(&s, "/", &r), 200);
    assert_contains(r.body, "schema explore_http on PostgreSQL (");
    esk_web_client_reply_free(&r);
    stop(&s);
}

static int run_on_postgres(void)
{
    const char *conninfo = getenv("ESK_TEST_PG");
    if (conninfo == NULL || conninfo[0] == '\0') {
        printf("test_explore_server --postgres: SKIPPED: no PostgreSQL "
               "server is configured. Set ESK_TEST_PG to a libpq conninfo, "
               "e.g. from tests/pg/cluster.sh start\n");
        return 77;
    }
    explore_fixture_use_postgres(conninfo, "explore_http");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_view_answers_json),
        cmocka_unit_test(bad_requests_are_refused_with_a_reason),
        cmocka_unit_test(hostile_text_is_json_text_never_markup),
        cmocka_unit_test(the_page_names_the_schema_and_the_database),
    };
    return cmocka_run_group_tests_name("explore_server on PostgreSQL", tests,
                                       NULL, NULL);
}
#endif

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--postgres") == 0) {
#ifdef ESK_HAVE_POSTGRES
        return run_on_postgres();
#else
        printf("test_explore_server --postgres: SKIPPED: built without "
               "libpq\n");
        return 77;
#endif
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_view_answers_json),
        cmocka_unit_test(the_page_and_its_files_are_served),
        cmocka_unit_test(bad_requests_are_refused_with_a_reason),
        cmocka_unit_test(nothing_but_get_is_answered),
        cmocka_unit_test(hostile_text_is_json_text_never_markup),
        cmocka_unit_test(the_store_path_is_escaped_in_the_page),
        cmocka_unit_test(browsing_over_http_leaves_the_file_unchanged),
        cmocka_unit_test(a_store_started_over_shows_without_a_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
