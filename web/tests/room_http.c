/*
 * web/tests/room_http.c - the room's endpoints: refusals, limits, the
 * schema, the rate limit, and what it serves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "room_fixture.h"

static void
a_report_without_the_code_is_refused_and_stores_nothing(void **state)
{
    (void)state;
    room_fixture f;
    room_fixture_start(&f);
    json_t *report = room_report_of("ada", 1, 0);
    char *text = json_dumps(report, JSON_COMPACT);
    json_decref(report);
    char *answer = NULL;
    assert_int_equal(room_post(&f, NULL, text, &answer), 401);
    assert_non_null(strstr(answer, "join code"));
    free(answer);
    assert_int_equal(room_post(&f, "K7Q2XQ", text, NULL), 401);
    assert_int_equal(room_post(&f, "K7Q2X", text, NULL), 401);
    assert_int_equal(room_post(&f, "K7Q2XPP", text, NULL), 401);
    assert_int_equal(room_event_count(&f), 0);
    assert_int_equal(room_post(&f, ROOM_TEST_CODE, text, NULL), 200);
    assert_true(room_event_count(&f) > 0);
    free(text);
    room_fixture_end(&f);
}

static void a_body_over_the_limit_is_refused_with_413(void **state)
{
    (void)state;
    room_fixture f;
    room_fixture_start(&f);
    char *big = malloc(ROOM_BODY_MAX + 2);
    memset(big, ' ', ROOM_BODY_MAX + 1);
    big[ROOM_BODY_MAX + 1] = '\0';
    assert_int_equal(room_post(&f, ROOM_TEST_CODE, big, NULL), 413);
    free(big);
    assert_int_equal(room_event_count(&f), 0);
    room_fixture_end(&f);
}

/* Sets key of the first exercise (or of the report, when top) to value
 * (stolen), and posts the result. */
static int post_changed(room_fixture *f, bool top, const char *key,
                        json_t *value)
{
    json_t *report = room_report_of("ada", 1, 0);
    json_t *target =
        top ? report : json_array_get(json_object_get(report, "exercises"), 0);
    if (value == NULL)
        json_object_del(target, key);
    else
        json_object_set_new(target, key, value);
    return room_post_json(f, report);
}

static void a_body_that_is_not_a_report_is_refused_with_422(void **state)
{
    (void)state;
    room_fixture f;
    room_fixture_start(&f);
    char *answer = NULL;
    assert_int_equal(room_post(&f, ROOM_TEST_CODE, "{\"version\":", &answer),
                     422);
    assert_non_null(strstr(answer, "not a JSON object"));
    free(answer);
    assert_int_equal(room_post(&f, ROOM_TEST_CODE, "[1,2]", NULL), 422);
    assert_int_equal(post_changed(&f, true, "version", json_integer(2)), 422);
    assert_int_equal(post_changed(&f, true, "learner", json_null()), 422);
    assert_int_equal(post_changed(&f, true, "learner", json_string("")), 422);
    assert_int_equal(post_changed(&f, true, "learner", json_string("a\nb")),
                     422);
    assert_int_equal(post_changed(&f, true, "exercises", json_object()), 422);
    assert_int_equal(post_changed(&f, true, "summary", json_string("x")), 422);
    assert_int_equal(post_changed(&f, true, "generated_at", NULL), 422);
    assert_int_equal(post_changed(&f, false, "status", json_string("won")),
                     422);
    assert_int_equal(post_changed(&f, false, "passed", json_integer(4)), 422);
    assert_int_equal(post_changed(&f, false, "passed", json_integer(-1)), 422);
    assert_int_equal(post_changed(&f, false, "slug", NULL), 422);
    assert_int_equal(post_changed(&f, false, "tests", json_string("x")), 422);
    assert_int_equal(room_event_count(&f), 0);
    room_fixture_end(&f);
}

static void a_flood_from_one_attendee_is_limited_and_others_pass(void **state)
{
    (void)state;
    room_fixture f;
    room_fixture_start(&f);
    /* A burst of 10, then one a second. */
    int refused = 0;
    for (int i = 0; i < 30; i++)
        refused += room_post_json(&f, room_report_of("flood", 1, 0)) == 429;
    assert_int_equal(refused, 20);
    assert_int_equal(room_post_json(&f, room_report_of("bob", 1, 0)), 200);
    f.now_ms += 1000;
    assert_int_equal(room_post_json(&f, room_report_of("flood", 2, 0)), 200);
    room_fixture_end(&f);
}

/* A name a report: 100 requests at once from one address pass, then 30
 * a second (the test's clock stands still). */
static void a_flood_under_changing_names_is_limited_by_address(void **state)
{
    (void)state;
    room_fixture f;
    room_fixture_start(&f);
    int refused = 0;
    for (int i = 0; i < 120; i++) {
        char name[32];
        snprintf(name, sizeof(name), "mask-%d", i);
        refused += room_post_json(&f, room_report_of(name, 1, 0)) == 429;
    }
    assert_int_equal(refused, 20);
    char *body = NULL;
    assert_int_equal(room_get(&f, "/api/room", &body), 429);
    free(body);
    f.now_ms += 1000;
    assert_int_equal(room_get(&f, "/api/room", &body), 200);
    free(body);
    room_fixture_end(&f);
}

static void it_serves_its_page_and_nothing_else(void **state)
{
    (void)state;
    room_fixture f;
    room_fixture_start(&f);
    char *body = NULL;
    assert_int_equal(room_get(&f, "/", &body), 200);
    assert_non_null(strstr(body, "<script src=\"/room.js\">"));
    free(body);
    assert_int_equal(room_get(&f, "/room.js", &body), 200);
    free(body);
    const char *outside[] = {"/../../../../etc/passwd", "/room.db",
                             "/%2e%2e/room.db", "/web/assets/room.js",
                             "/room.js/"};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(room_get(&f, outside[i], &body), 404);
        free(body);
    }
    room_fixture_end(&f);
}

/* The page builds its elements with textContent; markup parsed from a
 * string would run a hostile name. */
static void the_page_script_never_parses_markup(void **state)
{
    (void)state;
    room_fixture f;
    room_fixture_start(&f);
    char *js = NULL;
    assert_int_equal(room_get(&f, "/room.js", &js), 200);
    const char *sinks[] = {"innerHTML", "outerHTML", "insertAdjacentHTML",
                           "document.write", "eval("};
    for (size_t i = 0; i < 5; i++)
        if (strstr(js, sinks[i]) != NULL)
            fail_msg("room.js uses %s", sinks[i]);
    free(js);
    room_fixture_end(&f);
}

static void a_hostile_name_comes_back_as_the_same_text(void **state)
{
    (void)state;
    room_fixture f;
    room_fixture_start(&f);
    const char *names[] = {"<script>alert(1)</script>", "O'Hara \"Bo\" & co",
                           "Zoë \xF0\x9F\x8E\x89"};
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(room_post_json(&f, room_report_of(names[i], 1, 0)),
                         200);
    json_t *page = room_page(&f);
    json_t *attendees = json_object_get(page, "attendees");
    assert_int_equal(json_array_size(attendees), 3);
    /* Sorted by name: '<' < 'O' < 'Z'. */
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(attendees, i), "name")),
                            names[i]);
    json_decref(page);
    char *body = NULL;
    assert_int_equal(
        room_get(&f, "/api/attendee?name=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
                 &body),
        200);
    assert_non_null(strstr(body, "\"name\":\"<script>alert(1)</script>\""));
    free(body);
    assert_int_equal(room_get(&f, "/api/attendee?name=nobody", &body), 404);
    free(body);
    room_fixture_end(&f);
}

int run_room_http_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            a_report_without_the_code_is_refused_and_stores_nothing),
        cmocka_unit_test(a_body_over_the_limit_is_refused_with_413),
        cmocka_unit_test(a_body_that_is_not_a_report_is_refused_with_422),
        cmocka_unit_test(a_flood_from_one_attendee_is_limited_and_others_pass),
        cmocka_unit_test(a_flood_under_changing_names_is_limited_by_address),
        cmocka_unit_test(it_serves_its_page_and_nothing_else),
        cmocka_unit_test(the_page_script_never_parses_markup),
        cmocka_unit_test(a_hostile_name_comes_back_as_the_same_text),
    };
    return cmocka_run_group_tests_name("room http", tests, NULL, NULL);
}
