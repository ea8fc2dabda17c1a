/*
 * web/tests/web_http.c - the server: routes, bodies, limits, refusals,
 * assets, and the port it listens on.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include <esk/error.h>

#include "html.h"
#include "http.h"
#include "web_fixture.h"

extern const esk_web_asset test_assets[];
extern const size_t test_assets_count;

/* What the handlers saw, for the tests to check. */
typedef struct seen {
    int calls;
    char body[256];
    size_t body_size;
    char name[64];
    char header[64];
    char path[64];
} seen;

static void echo(void *ctx, const esk_web_request *req, esk_web_response *res)
{
    seen *s = ctx;
    s->calls++;
    snprintf(s->body, sizeof(s->body), "%s", req->body);
    s->body_size = req->body_size;
    const char *name = esk_web_query(req, "name");
    const char *header = esk_web_header(req, "x-kata-code");
    snprintf(s->name, sizeof(s->name), "%s", name ? name : "");
    snprintf(s->header, sizeof(s->header), "%s", header ? header : "");
    snprintf(s->path, sizeof(s->path), "%s", req->path);
    esk_web_reply_json(res, 200, json_pack("{s:s}", "ok", "yes"));
}

static void silent(void *ctx, const esk_web_request *req, esk_web_response *res)
{
    (void)req;
    (void)res;
    ((seen *)ctx)->calls++;
}

static void asset(void *ctx, const esk_web_request *req, esk_web_response *res)
{
    (void)ctx;
    const esk_web_asset *a =
        esk_web_asset_find(test_assets, test_assets_count, req->path);
    if (a == NULL)
        esk_web_reply_error(res, 404, "no such page");
    else
        esk_web_reply_asset(res, a);
}

/* Tries the answers a handler must not give, then answers once, then
 * tries again: the first answer is the one sent. */
static void twice(void *ctx, const esk_web_request *req, esk_web_response *res)
{
    seen *s = ctx;
    (void)req;
    s->calls += esk_web_reply(res, 42, "text/plain", "x", 1) == ESK_EINVAL;
    s->calls += esk_web_reply(res, 200, NULL, "x", 1) == ESK_EINVAL;
    s->calls += esk_web_reply(res, 200, "text/plain", NULL, 1) == ESK_EINVAL;
    s->calls += esk_web_reply_json(res, 200, NULL) == ESK_EINVAL;
    s->calls += esk_web_reply_asset(res, NULL) == ESK_EINVAL;
    s->calls += esk_web_reply(res, 201, "text/plain", "first", 5) == ESK_OK;
    s->calls += esk_web_reply_error(res, 500, "second") == ESK_EINVAL;
    s->calls +=
        esk_web_reply_json(res, 200, json_pack("{s:i}", "n", 1)) == ESK_EINVAL;
}

static bool refuse_all(void *ctx, const esk_web_request *req)
{
    (void)req;
    ((seen *)ctx)->calls++;
    return false;
}

/* A server on a free loopback port with the test routes. */
static esk_web *start(seen *s, size_t max_body, esk_web_admit_fn *admit)
{
    static esk_web_route routes[5];
    esk_web_route table[] = {
        {"POST", "/echo", false, echo, NULL},
        {"GET", "/echo", false, echo, NULL},
        {"GET", "/silent", false, silent, NULL},
        {"GET", "/pages/", true, asset, NULL},
        {"GET", "/twice", false, twice, NULL},
    };
    memcpy(routes, table, sizeof(table));
    for (size_t i = 0; i < 5; i++)
        routes[i].ctx = s;
    esk_web_options o = ESK_WEB_OPTIONS_INIT;
    o.routes = routes;
    o.route_count = 5;
    o.max_body = max_body;
    o.admit = admit;
    o.admit_ctx = s;
    esk_web *web = NULL;
    assert_int_equal(esk_web_start(&web, &o), ESK_OK);
    assert_true(esk_web_port(web) > 0);
    return web;
}

static void a_route_answers_json_with_the_body_query_and_headers(void **state)
{
    (void)state;
    seen s = {0};
    esk_web *web = start(&s, 64, NULL);
    esk_web_client_reply r;
    web_request(esk_web_port(web), "POST", "/echo?name=ada%20l",
                "X-Kata-Code: K7Q2\r\n", "{\"a\":1}", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"ok\":\"yes\"}");
    test_assert_header(r.headers, "Content-Type: application/json");
    assert_string_equal(s.body, "{\"a\":1}");
    assert_int_equal(s.body_size, 7);
    assert_string_equal(s.name, "ada l");
    assert_string_equal(s.header, "K7Q2");
    esk_web_client_reply_free(&r);
    esk_web_stop(web);
}

static void an_unknown_path_is_404_and_a_wrong_method_405(void **state)
{
    (void)state;
    seen s = {0};
    esk_web *web = start(&s, 64, NULL);
    esk_web_client_reply r;
    web_request(esk_web_port(web), "GET", "/nothing", NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "\"error\""));
    esk_web_client_reply_free(&r);
    web_request(esk_web_port(web), "DELETE", "/echo", NULL, NULL, &r);
    assert_int_equal(r.status, 405);
    esk_web_client_reply_free(&r);
    assert_int_equal(s.calls, 0);
    esk_web_stop(web);
}

static void a_body_over_the_limit_is_refused_before_any_handler(void **state)
{
    (void)state;
    seen s = {0};
    esk_web *web = start(&s, 8, NULL);
    esk_web_client_reply r;
    web_request(esk_web_port(web), "POST", "/echo", NULL, "123456789", &r);
    assert_int_equal(r.status, 413);
    esk_web_client_reply_free(&r);
    assert_int_equal(s.calls, 0);
    /* The limit itself is fine. */
    web_request(esk_web_port(web), "POST", "/echo", NULL, "12345678", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(s.body, "12345678");
    esk_web_client_reply_free(&r);
    esk_web_stop(web);
}

/* A chunked body announces no length: it is read, and refused once it
 * passes the limit. */
static void a_chunked_body_over_the_limit_is_refused(void **state)
{
    (void)state;
    seen s = {0};
    esk_web *web = start(&s, 8, NULL);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(esk_web_port(web));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    const char *req = "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n"
                      "6\r\n123456\r\n6\r\n789012\r\n0\r\n\r\n";
    assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    char answer[512] = "";
    size_t got = 0;
    ssize_t n;
    while ((n = read(fd, answer + got, sizeof(answer) - 1 - got)) > 0)
        got += (size_t)n;
    close(fd);
    assert_non_null(strstr(answer, " 413 "));
    assert_int_equal(s.calls, 0);
    esk_web_stop(web);
}

static void a_refusing_admit_hook_answers_429(void **state)
{
    (void)state;
    seen s = {0};
    esk_web *web = start(&s, 64, refuse_all);
    esk_web_client_reply r;
    web_request(esk_web_port(web), "GET", "/echo", NULL, NULL, &r);
    assert_int_equal(r.status, 429);
    esk_web_client_reply_free(&r);
    assert_int_equal(s.calls, 1); /* the hook's call, not the handler's */
    esk_web_stop(web);
}

static void a_handler_that_answers_nothing_gets_a_500(void **state)
{
    (void)state;
    seen s = {0};
    esk_web *web = start(&s, 64, NULL);
    esk_web_client_reply r;
    web_request(esk_web_port(web), "GET", "/silent", NULL, NULL, &r);
    assert_int_equal(r.status, 500);
    esk_web_client_reply_free(&r);
    esk_web_stop(web);
}

static void a_wrong_or_second_answer_is_refused_and_the_first_sent(void **state)
{
    (void)state;
    seen s = {0};
    esk_web *web = start(&s, 64, NULL);
    esk_web_client_reply r;
    web_request(esk_web_port(web), "GET", "/twice", NULL, NULL, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body, "first");
    esk_web_client_reply_free(&r);
    assert_int_equal(s.calls, 8);
    esk_web_stop(web);
}

static void assets_are_served_by_exact_path_only(void **state)
{
    (void)state;
    seen s = {0};
    esk_web *web = start(&s, 64, NULL);
    esk_web_client_reply r;
    /* The table's path is "/hello.html": under /pages/ nothing matches
     * exactly, and no path reaches the file system. */
    web_request(esk_web_port(web), "GET", "/pages/../hello.html", NULL, NULL,
                &r);
    assert_int_equal(r.status, 404);
    esk_web_client_reply_free(&r);
    web_request(esk_web_port(web), "GET", "/pages/../../../../etc/passwd", NULL,
                NULL, &r);
    assert_int_equal(r.status, 404);
    esk_web_client_reply_free(&r);
    assert_null(
        esk_web_asset_find(test_assets, test_assets_count, "/hello.html/"));
    const esk_web_asset *a =
        esk_web_asset_find(test_assets, test_assets_count, "/hello.html");
    assert_non_null(a);
    assert_string_equal(a->content_type, "text/html; charset=utf-8");
    assert_memory_equal(a->data, "<!doctype html>\n<p>hello</p>\n", a->size);
    esk_web_stop(web);
}

static void every_answer_says_nosniff_and_forbids_inline_scripts(void **state)
{
    (void)state;
    seen s = {0};
    esk_web *web = start(&s, 64, NULL);
    esk_web_client_reply r;
    web_request(esk_web_port(web), "GET", "/nothing", NULL, NULL, &r);
    test_assert_header(r.headers, "X-Content-Type-Options: nosniff");
    test_assert_header(r.headers,
                       "Content-Security-Policy: default-src 'self'");
    esk_web_client_reply_free(&r);
    esk_web_stop(web);
}

static void a_port_in_use_is_refused_with_its_number(void **state)
{
    (void)state;
    seen s = {0};
    esk_web *web = start(&s, 64, NULL);
    esk_web_route route = {"GET", "/", false, echo, &s};
    esk_web_options o = ESK_WEB_OPTIONS_INIT;
    o.routes = &route;
    o.route_count = 1;
    o.port = esk_web_port(web);
    esk_web *second = NULL;
    assert_int_equal(esk_web_start(&second, &o), ESK_EIO);
    assert_null(second);
    char port[16];
    snprintf(port, sizeof(port), ":%u", (unsigned)o.port);
    assert_non_null(strstr(esk_errmsg(), port));
    esk_web_stop(web);
}

static void start_checks_its_options(void **state)
{
    (void)state;
    seen s = {0};
    esk_web_route route = {"GET", "/", false, echo, &s};
    esk_web_options o = ESK_WEB_OPTIONS_INIT;
    esk_web *web = NULL;
    assert_int_equal(esk_web_start(&web, &o), ESK_EINVAL); /* no routes */
    o.routes = &route;
    o.route_count = 1;
    assert_int_equal(esk_web_start(NULL, &o), ESK_EINVAL);
    assert_int_equal(esk_web_start(&web, NULL), ESK_EINVAL);
    o.max_body = 0;
    assert_int_equal(esk_web_start(&web, &o), ESK_EINVAL);
    o.max_body = 1;
    o.address = "localhost";
    assert_int_equal(esk_web_start(&web, &o), ESK_EINVAL);
    o.address = NULL;
    o.version = 99;
    assert_int_equal(esk_web_start(&web, &o), ESK_EINVAL);
    route.handler = NULL;
    o.version = ESK_WEB_OPTIONS_VERSION;
    assert_int_equal(esk_web_start(&web, &o), ESK_EINVAL);
    assert_null(web);
    esk_web_stop(NULL);
    assert_int_equal(esk_web_port(NULL), 0);
}

/* An IPv4 address of this machine that is not loopback, if it has one. */
static bool outside_address(struct in_addr *out)
{
    struct ifaddrs *list = NULL;
    if (getifaddrs(&list) != 0)
        return false;
    bool found = false;
    for (struct ifaddrs *i = list; i != NULL && !found; i = i->ifa_next) {
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
            continue;
        *out = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
        found = (ntohl(out->s_addr) >> 24) != 127;
    }
    freeifaddrs(list);
    return found;
}

static void by_default_it_listens_on_loopback_only(void **state)
{
    (void)state;
    struct in_addr outside;
    if (!outside_address(&outside))
        skip(); /* no other interface: nothing to prove here */
    seen s = {0};
    esk_web *web = start(&s, 64, NULL);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(esk_web_port(web));
    a.sin_addr = outside;
    assert_int_not_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    close(fd);
    esk_web_stop(web);
}

int run_web_http_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_route_answers_json_with_the_body_query_and_headers),
        cmocka_unit_test(an_unknown_path_is_404_and_a_wrong_method_405),
        cmocka_unit_test(a_body_over_the_limit_is_refused_before_any_handler),
        cmocka_unit_test(a_chunked_body_over_the_limit_is_refused),
        cmocka_unit_test(a_refusing_admit_hook_answers_429),
        cmocka_unit_test(a_handler_that_answers_nothing_gets_a_500),
        cmocka_unit_test(
            a_wrong_or_second_answer_is_refused_and_the_first_sent),
        cmocka_unit_test(assets_are_served_by_exact_path_only),
        cmocka_unit_test(every_answer_says_nosniff_and_forbids_inline_scripts),
        cmocka_unit_test(a_port_in_use_is_refused_with_its_number),
        cmocka_unit_test(start_checks_its_options),
        cmocka_unit_test(by_default_it_listens_on_loopback_only),
    };
    return cmocka_run_group_tests_name("web http", tests, NULL, NULL);
}
