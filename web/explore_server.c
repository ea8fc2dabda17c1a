/*
 * web/explore_server.c - the explorer's routes on the web layer: each
 * API route calls one view of web/explore.h and answers its JSON.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <esk/error.h>
#include <esk/store.h>

#include "explore_server.h"
#include "html.h"
#include "http.h"

/* The page's files, compiled in by esk_web_embed (web/explore.cmake). */
extern const esk_web_asset explore_assets[];
extern const size_t explore_assets_count;

struct esk_explore_server {
    esk_web *web;
    esk_explore *explore;
    char *index; /* the page, with the store's path written in */
    esk_web_route routes[12];
};

/* The HTTP status for a view's failure. */
static unsigned http_status(esk_status status)
{
    switch (status) {
    case ESK_EINVAL:
        return 400;
    case ESK_ENOTFOUND:
        return 404;
    case ESK_EBUSY:
        return 503;
    default:
        return 500;
    }
}

static void answer(esk_web_response *response, esk_status status, json_t *view)
{
    if (status == ESK_OK)
        esk_web_reply_json(response, 200, view);
    else
        esk_web_reply_error(response, http_status(status), "%s", esk_errmsg());
}

/* A required text parameter; NULL after answering 400 when missing. */
static const char *need(const esk_web_request *request,
                        esk_web_response *response, const char *key)
{
    const char *value = esk_web_query(request, key);
    if (value == NULL || value[0] == '\0')
        esk_web_reply_error(response, 400, "the parameter '%s' is missing",
                            key);
    return value != NULL && value[0] != '\0' ? value : NULL;
}

/* An optional whole number >= 0; false after answering 400. */
static bool number(const esk_web_request *request, esk_web_response *response,
                   const char *key, int64_t *out)
{
    const char *text = esk_web_query(request, key);
    if (text == NULL || text[0] == '\0')
        return true;
    char *end = NULL;
    long long value = strtoll(text, &end, 10);
    if (*end != '\0' || value < 0 || text[0] == '-' || text[0] == '+') {
        esk_web_reply_error(response, 400,
                            "'%s' must be a whole number of 0 or more", key);
        return false;
    }
    *out = value;
    return true;
}

/* The store again: the file at the path now, reopened when an
 * application started over, or a PostgreSQL connection made again after
 * the server came back; false after answering why not. */
static bool refreshed(esk_explore_server *s, esk_web_response *response)
{
    esk_status rc = esk_explore_refresh(s->explore);
    if (rc != ESK_OK)
        answer(response, rc, NULL);
    return rc == ESK_OK;
}

static void get_streams(void *ctx, const esk_web_request *request,
                        esk_web_response *response)
{
    (void)request;
    esk_explore_server *s = ctx;
    if (!refreshed(s, response))
        return;
    json_t *view = NULL;
    esk_status rc = esk_explore_streams(s->explore, &view);
    answer(response, rc, view);
}

static void get_checkpoints(void *ctx, const esk_web_request *request,
                            esk_web_response *response)
{
    (void)request;
    esk_explore_server *s = ctx;
    if (!refreshed(s, response))
        return;
    json_t *view = NULL;
    esk_status rc = esk_explore_checkpoints(s->explore, &view);
    answer(response, rc, view);
}

static void get_feed(void *ctx, const esk_web_request *request,
                     esk_web_response *response)
{
    esk_explore_server *s = ctx;
    int64_t after = 0, limit = 20;
    if (!refreshed(s, response) ||
        !number(request, response, "after", &after) ||
        !number(request, response, "limit", &limit))
        return;
    json_t *view = NULL;
    esk_status rc = esk_explore_feed(s->explore, after, (size_t)limit, &view);
    answer(response, rc, view);
}

typedef esk_status by_id_fn(esk_explore *explore, const char *id, json_t **out);

static void by_id(esk_explore_server *s, const esk_web_request *request,
                  esk_web_response *response, by_id_fn *view_fn)
{
    const char *id = need(request, response, "id");
    if (id == NULL || !refreshed(s, response))
        return;
    json_t *view = NULL;
    /* Called before answer(): the order in which arguments are evaluated
     * is unspecified, and view must be read after the call fills it. */
    esk_status rc = view_fn(s->explore, id, &view);
    answer(response, rc, view);
}

static void get_stream(void *ctx, const esk_web_request *request,
                       esk_web_response *response)
{
    by_id(ctx, request, response, esk_explore_stream);
}

static void get_event(void *ctx, const esk_web_request *request,
                      esk_web_response *response)
{
    by_id(ctx, request, response, esk_explore_event);
}

static void get_correlation(void *ctx, const esk_web_request *request,
                            esk_web_response *response)
{
    by_id(ctx, request, response, esk_explore_correlation);
}

static void get_fold(void *ctx, const esk_web_request *request,
                     esk_web_response *response)
{
    by_id(ctx, request, response, esk_explore_fold);
}

static void get_index(void *ctx, const esk_web_request *request,
                      esk_web_response *response)
{
    (void)request;
    esk_explore_server *s = ctx;
    esk_web_reply(response, 200, "text/html; charset=utf-8", s->index,
                  strlen(s->index));
}

static void get_asset(void *ctx, const esk_web_request *request,
                      esk_web_response *response)
{
    (void)ctx;
    const esk_web_asset *asset =
        esk_web_asset_find(explore_assets, explore_assets_count, request->path);
    if (asset == NULL)
        esk_web_reply_error(response, 404, "no such file: %s", request->path);
    else
        esk_web_reply_asset(response, asset);
}

/* The page with the store's path in its header: the one text the server
 * writes into HTML itself, so it is escaped (a file may be named
 * "<b>.db"). */
static esk_status make_index(esk_explore_server *s)
{
    const esk_web_asset *page = esk_web_asset_find(
        explore_assets, explore_assets_count, "/explore.html");
    if (page == NULL)
        return esk_error_set(ESK_EINVAL, "the explorer's page is missing");
    const char *html = (const char *)page->data;
    const char *slot = strstr(html, "{{STORE}}");
    char *path = NULL;
    esk_status rc = esk_html_escape(&path, esk_explore_path(s->explore));
    if (rc != ESK_OK)
        return rc;
    size_t before = slot != NULL ? (size_t)(slot - html) : page->size;
    const char *after = slot != NULL ? slot + strlen("{{STORE}}") : "";
    size_t size = before + strlen(path) + strlen(after) + 1;
    s->index = malloc(size);
    if (s->index != NULL)
        snprintf(s->index, size, "%.*s%s%s", (int)before, html, path, after);
    free(path);
    if (s->index == NULL)
        return esk_error_set(ESK_ENOMEM, "the explorer's page: out of memory");
    return ESK_OK;
}

static void set_routes(esk_explore_server *s)
{
    const esk_web_route routes[] = {
        {"GET", "/", false, get_index, s},
        {"GET", "/explore.js", false, get_asset, s},
        {"GET", "/explore.css", false, get_asset, s},
        {"GET", "/api/streams", false, get_streams, s},
        {"GET", "/api/stream", false, get_stream, s},
        {"GET", "/api/feed", false, get_feed, s},
        {"GET", "/api/event", false, get_event, s},
        {"GET", "/api/correlation", false, get_correlation, s},
        {"GET", "/api/checkpoints", false, get_checkpoints, s},
        {"GET", "/api/fold", false, get_fold, s},
    };
    _Static_assert(sizeof routes <= sizeof s->routes, "room for the routes");
    memcpy(s->routes, routes, sizeof routes);
}

esk_status esk_explore_server_start(esk_explore_server **out,
                                    esk_explore *explore, uint16_t port)
{
    if (out == NULL || explore == NULL)
        return esk_error_set(ESK_EINVAL, "esk_explore_server_start: %s is NULL",
                             out == NULL ? "out" : "explore");
    esk_explore_server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return esk_error_set(ESK_ENOMEM, "the explorer: out of memory");
    s->explore = explore;
    set_routes(s);
    esk_status rc = make_index(s);
    esk_web_options options = ESK_WEB_OPTIONS_INIT;
    options.port = port; /* address NULL: 127.0.0.1, loopback only */
    options.routes = s->routes;
    options.route_count = 10;
    /* The page only reads: no body is ever needed. */
    options.max_body = 1;
    if (rc == ESK_OK)
        rc = esk_web_start(&s->web, &options);
    if (rc != ESK_OK) {
        esk_explore_server_stop(s);
        return rc;
    }
    *out = s;
    return ESK_OK;
}

uint16_t esk_explore_server_port(const esk_explore_server *server)
{
    return server != NULL ? esk_web_port(server->web) : 0;
}

void esk_explore_server_stop(esk_explore_server *server)
{
    if (server == NULL)
        return;
    esk_web_stop(server->web);
    free(server->index);
    free(server);
}
