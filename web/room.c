/*
 * web/room.c - the room's life cycle and its HTTP routes (web/room.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <esk/error.h>

#include "room.h"

extern const esk_web_asset room_assets[];
extern const size_t room_assets_count;

int64_t room_now_ms(const room *r)
{
    if (r->options.clock != NULL)
        return r->options.clock(r->options.clock_ctx);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The store stamps events with the room's clock, so that tests can move
 * time (esk_time is in microseconds). */
static esk_time store_clock(void *ctx)
{
    return room_now_ms(ctx) * 1000;
}

/* Compares every byte whatever the first difference, so that the time
 * of a refusal does not tell how much of a guessed code was right. */
static bool code_matches(const char *expected, const char *given)
{
    if (given == NULL)
        return false;
    size_t n = strlen(expected), m = strlen(given);
    unsigned char diff = (unsigned char)(n != m);
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(expected[i] ^ (i < m ? given[i] : 0));
    return diff == 0;
}

static void catch_up(room *r)
{
    /* A failure leaves the view behind, not wrong: the next request
     * runs it again, from its checkpoint. */
    if (esk_catchup_run(r->catchup, NULL) != ESK_OK)
        fprintf(stderr, "room: the page's view is behind: %s\n", esk_errmsg());
}

static void post_report(void *ctx, const esk_web_request *req,
                        esk_web_response *res)
{
    room *r = ctx;
    const char *code = esk_web_header(req, "X-Room-Code");
    if (!code_matches(r->code, code)) {
        esk_web_reply_error(res, 401,
                            "the join code is missing or wrong: ask the "
                            "trainer for it (./kata join URL CODE)");
        return;
    }
    room_report report;
    char why[256];
    if (!room_report_parse(&report, req->body, req->body_size, why,
                           sizeof(why))) {
        esk_web_reply_error(res, 422, "this is not a kata report: %s", why);
        return;
    }
    if (!esk_web_rate_allow(r->rate, report.learner, room_now_ms(r))) {
        room_report_free(&report);
        esk_web_reply_error(res, 429, "too many reports: slow down");
        return;
    }
    size_t appended = 0;
    esk_status rc = room_record_report(r, &report, &appended);
    room_report_free(&report);
    if (rc != ESK_OK) {
        esk_web_reply_error(res, 503, "the room could not store it: %s",
                            esk_errmsg());
        return;
    }
    catch_up(r);
    esk_web_reply_json(res, 200,
                       json_pack("{s:I}", "events", (json_int_t)appended));
}

static void get_room(void *ctx, const esk_web_request *req,
                     esk_web_response *res)
{
    (void)req;
    room *r = ctx;
    catch_up(r);
    json_t *state = NULL;
    if (room_query_room(r, &state) != ESK_OK)
        esk_web_reply_error(res, 503, "%s", esk_errmsg());
    else
        esk_web_reply_json(res, 200, state);
}

static void get_attendee(void *ctx, const esk_web_request *req,
                         esk_web_response *res)
{
    room *r = ctx;
    const char *name = esk_web_query(req, "name");
    json_t *check = name != NULL ? json_string(name) : NULL;
    if (check == NULL) {
        esk_web_reply_error(res, 400, "give the attendee's name: ?name=...");
        return;
    }
    json_decref(check);
    json_t *state = NULL;
    esk_status rc = room_query_attendee(r, name, &state);
    if (rc == ESK_OK)
        esk_web_reply_json(res, 200, state);
    else
        esk_web_reply_error(res, rc == ESK_ENOTFOUND ? 404 : 503, "%s",
                            esk_errmsg());
}

static void get_asset(void *ctx, const esk_web_request *req,
                      esk_web_response *res)
{
    (void)ctx;
    const char *path = strcmp(req->path, "/") == 0 ? "/room.html" : req->path;
    const esk_web_asset *a =
        esk_web_asset_find(room_assets, room_assets_count, path);
    if (a == NULL)
        esk_web_reply_error(res, 404, "there is nothing at this path");
    else
        esk_web_reply_asset(res, a);
}

const esk_web_route *room_routes(room *r, size_t *count)
{
    const esk_web_route routes[] = {
        {"POST", "/api/report", false, post_report, r},
        {"GET", "/api/room", false, get_room, r},
        {"GET", "/api/attendee", false, get_attendee, r},
        {"GET", "/", true, get_asset, r},
    };
    memcpy(r->routes, routes, sizeof(routes));
    *count = sizeof(routes) / sizeof(routes[0]);
    return r->routes;
}

bool room_admit(void *ctx, const esk_web_request *request)
{
    room *r = ctx;
    return esk_web_rate_allow(r->client_rate, request->client, room_now_ms(r));
}

void room_web_options(room *r, const char *address, uint16_t port,
                      esk_web_options *out)
{
    size_t count = 0;
    esk_web_options o = ESK_WEB_OPTIONS_INIT;
    o.address = address;
    o.port = port;
    o.routes = room_routes(r, &count);
    o.route_count = count;
    o.max_body = ROOM_BODY_MAX;
    o.admit = room_admit;
    o.admit_ctx = r;
    *out = o;
}

static esk_status open_parts(room *r)
{
    esk_store_options so = ESK_STORE_OPTIONS_INIT;
    so.clock = store_clock;
    so.clock_ctx = r;
    esk_status rc = esk_store_open_sqlite(&r->store, r->options.db_path, &so);
    room_view_projection(&r->projection);
    if (rc == ESK_OK)
        rc = esk_catchup_new(&r->catchup, r->store, &r->projection, NULL);
    if (rc == ESK_OK)
        rc = esk_catchup_run(r->catchup, NULL);
    if (rc == ESK_OK)
        rc = esk_read_model_open(&r->read_model, r->store);
    if (rc == ESK_OK)
        rc = esk_web_rate_new(&r->rate, r->options.reports_per_second,
                              r->options.report_burst);
    if (rc == ESK_OK)
        rc = esk_web_rate_new(&r->client_rate, 30.0, 100);
    return rc;
}

esk_status room_open(room **out, const room_options *options)
{
    if (out == NULL || options == NULL || options->db_path == NULL ||
        options->code == NULL || options->code[0] == '\0')
        return esk_error_set(ESK_EINVAL, "the room needs a database path "
                                         "and a join code");
    room *r = calloc(1, sizeof(*r));
    char *code = malloc(strlen(options->code) + 1);
    if (r == NULL || code == NULL) {
        free(r);
        free(code);
        return esk_error_set(ESK_ENOMEM, "out of memory for a room");
    }
    strcpy(code, options->code);
    r->options = *options;
    r->code = code;
    esk_status rc = open_parts(r);
    if (rc != ESK_OK) {
        room_close(r);
        return rc;
    }
    *out = r;
    return ESK_OK;
}

void room_close(room *r)
{
    if (r == NULL)
        return;
    esk_read_model_free(r->read_model);
    esk_catchup_free(r->catchup);
    esk_store_free(r->store);
    esk_web_rate_free(r->rate);
    esk_web_rate_free(r->client_rate);
    free(r->code);
    free(r);
}
