/*
 * web/tests/room_fixture.c - see room_fixture.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <esk/error.h>

#include "room_fixture.h"

static int64_t fake_clock(void *ctx)
{
    return ((room_fixture *)ctx)->now_ms;
}

static void serve(room_fixture *f)
{
    room_options o = {f->db, ROOM_TEST_CODE, 10, 1.0, 10, fake_clock, f};
    if (room_open(&f->room, &o) != ESK_OK)
        fail_msg("room_open: %s", esk_errmsg());
    esk_web_options w;
    room_web_options(f->room, NULL, 0, &w);
    if (esk_web_start(&f->web, &w) != ESK_OK)
        fail_msg("esk_web_start: %s", esk_errmsg());
}

void room_fixture_start(room_fixture *f)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "%s/esk-room-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof(f->db), "%s/room.db", f->dir);
    f->now_ms = INT64_C(1796000000000);
    serve(f);
}

void room_fixture_close(room_fixture *f)
{
    esk_web_stop(f->web);
    room_close(f->room);
    f->web = NULL;
    f->room = NULL;
}

void room_fixture_reopen(room_fixture *f)
{
    room_fixture_close(f);
    serve(f);
}

void room_fixture_end(room_fixture *f)
{
    room_fixture_close(f);
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char path[320];
        snprintf(path, sizeof(path), "%s%s", f->db, suffixes[i]);
        unlink(path);
    }
    rmdir(f->dir);
}

json_t *room_report_of(const char *learner, int passed, int hints)
{
    json_t *tests = json_array();
    const char *names[] = {"an_event_has_a_type", "an_event_has_data",
                           "an_event_has_an_id"};
    for (int i = 0; i < 3; i++)
        json_array_append_new(tests,
                              json_pack("{s:s,s:s}", "name", names[i], "status",
                                        i < passed ? "passed" : "failed"));
    return json_pack(
        "{s:i,s:s,s:s,s:{s:i,s:i,s:i,s:i},s:[{s:i,s:s,s:s,s:i,s:s,s:i,s:i,"
        "s:i,s:i,s:o},{s:i,s:s,s:s,s:i,s:s,s:i,s:i,s:i,s:i,s:[]}]}",
        "version", 1, "generated_at", "2026-12-06T10:00:00Z", "learner",
        learner, "summary", "exercises", 2, "done", passed == 3, "passed",
        passed, "total", 8, "exercises", "number", 1, "slug", "01-events",
        "title", "Events", "minutes", 30, "status",
        passed == 3 ? "done" : "in-progress", "passed", passed, "total", 3,
        "hints_revealed", hints, "hints_total", 3, "tests", tests, "number", 2,
        "slug", "02-store", "title", "The store", "minutes", 30, "status",
        "not-started", "passed", 0, "total", 5, "hints_revealed", 0,
        "hints_total", 2, "tests");
}

static int request(room_fixture *f, const char *method, const char *target,
                   const char *headers, const char *body, char **answer)
{
    char port[8], error[ESK_WEB_CLIENT_ERROR_MAX];
    snprintf(port, sizeof(port), "%u", (unsigned)esk_web_port(f->web));
    esk_web_client_reply r;
    if (esk_web_client_request("127.0.0.1", port, method, target, headers, body,
                               body ? strlen(body) : 0, 5000, &r, error) != 0)
        fail_msg("%s %s: %s", method, target, error);
    int status = r.status;
    if (answer != NULL) {
        *answer = r.body;
        r.body = NULL;
    }
    esk_web_client_reply_free(&r);
    return status;
}

int room_post(room_fixture *f, const char *code, const char *body,
              char **answer)
{
    char headers[128] = "";
    if (code != NULL)
        snprintf(headers, sizeof(headers), "X-Room-Code: %s\r\n", code);
    return request(f, "POST", "/api/report", headers, body, answer);
}

int room_post_json(room_fixture *f, json_t *report)
{
    char *text = json_dumps(report, JSON_COMPACT);
    json_decref(report);
    assert_non_null(text);
    int status = room_post(f, ROOM_TEST_CODE, text, NULL);
    free(text);
    return status;
}

int room_get(room_fixture *f, const char *target, char **answer)
{
    return request(f, "GET", target, NULL, NULL, answer);
}

json_t *room_page(room_fixture *f)
{
    char *body = NULL;
    assert_int_equal(room_get(f, "/api/room", &body), 200);
    json_t *page = json_loads(body, 0, NULL);
    free(body);
    assert_non_null(page);
    json_object_del(page, "now");
    return page;
}

int64_t room_event_count(room_fixture *f)
{
    int64_t head = -1;
    assert_int_equal(esk_store_head_position(f->room->store, &head), ESK_OK);
    return head;
}
