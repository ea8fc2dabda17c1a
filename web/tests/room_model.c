/*
 * web/tests/room_model.c - the room as an event-sourced application: the
 * events a report appends, the page's read model, and a restart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <esk/error.h>

#include "room_fixture.h"

/* The types of the attendee's events, joined by spaces. */
static void types_of(room_fixture *f, const char *name, char *out, size_t size)
{
    char stream[300];
    room_stream_of(name, stream, sizeof(stream));
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_stream(f->room->store, stream, 1, 0, &list),
                     ESK_OK);
    out[0] = '\0';
    for (size_t i = 0; i < list.count; i++) {
        strncat(out, list.events[i].type, size - strlen(out) - 2);
        if (i + 1 < list.count)
            strcat(out, " ");
    }
    esk_event_list_release(&list);
}

static void a_report_appends_what_changed_and_a_repeat_nothing(void **state)
{
    (void)state;
    room_fixture f;
    room_fixture_start(&f);
    char types[512];
    assert_int_equal(room_post_json(&f, room_report_of("ada", 1, 1)), 200);
    types_of(&f, "ada", types, sizeof(types));
    assert_string_equal(types, "AttendeeJoined TestsRan HintRevealed");
    /* A retry from the attendee's queue changes nothing. */
    assert_int_equal(room_post_json(&f, room_report_of("ada", 1, 1)), 200);
    assert_int_equal(room_event_count(&f), 3);
    assert_int_equal(room_post_json(&f, room_report_of("ada", 3, 1)), 200);
    assert_int_equal(room_post_json(&f, room_report_of("ada", 3, 1)), 200);
    types_of(&f, "ada", types, sizeof(types));
    assert_string_equal(types, "AttendeeJoined TestsRan HintRevealed "
                               "TestsRan ExerciseCompleted");
    room_fixture_end(&f);
}

static json_t *cell(json_t *page, size_t attendee, const char *slug)
{
    json_t *a = json_array_get(json_object_get(page, "attendees"), attendee);
    return json_object_get(json_object_get(a, "cells"), slug);
}

static void the_page_shows_each_attendee_and_what_the_room_fails(void **state)
{
    (void)state;
    room_fixture f;
    room_fixture_start(&f);
    assert_int_equal(room_post_json(&f, room_report_of("ada", 1, 0)), 200);
    assert_int_equal(room_post_json(&f, room_report_of("bob", 2, 2)), 200);
    json_t *page = room_page(&f);
    assert_int_equal(json_array_size(json_object_get(page, "exercises")), 2);
    assert_int_equal(json_integer_value(
                         json_object_get(cell(page, 0, "01-events"), "passed")),
                     1);
    assert_string_equal(json_string_value(json_object_get(
                            cell(page, 1, "01-events"), "status")),
                        "in-progress");
    assert_null(cell(page, 1, "02-store")); /* not started */
    json_t *hints = json_object_get(
        json_array_get(json_object_get(page, "attendees"), 1), "hints");
    assert_int_equal(json_integer_value(hints), 2);
    /* Both fail the third test; only ada the second. */
    json_t *first = json_array_get(json_object_get(page, "failing"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "test")),
                        "an_event_has_an_id");
    assert_int_equal(json_integer_value(json_object_get(first, "attendees")),
                     2);
    assert_int_equal(json_array_size(json_object_get(page, "failing")), 2);
    json_decref(page);
    room_fixture_end(&f);
}

static int64_t progress_at(room_fixture *f)
{
    json_t *page = room_page(f);
    json_t *a = json_array_get(json_object_get(page, "attendees"), 0);
    int64_t at = json_integer_value(json_object_get(a, "progress_at"));
    json_decref(page);
    return at;
}

static void only_more_passing_tests_restart_the_stuck_clock(void **state)
{
    (void)state;
    room_fixture f;
    room_fixture_start(&f);
    int64_t start = f.now_ms;
    assert_int_equal(room_post_json(&f, room_report_of("ada", 2, 0)), 200);
    f.now_ms += 11 * 60000;
    /* Fewer passing, a hint: activity, but no progress. */
    assert_int_equal(room_post_json(&f, room_report_of("ada", 1, 1)), 200);
    assert_int_equal(progress_at(&f), start);
    f.now_ms += 60000;
    assert_int_equal(room_post_json(&f, room_report_of("ada", 2, 1)), 200);
    assert_int_equal(progress_at(&f), start + 12 * 60000);
    json_t *page = room_page(&f);
    assert_int_equal(json_integer_value(json_object_get(page, "stuck_minutes")),
                     10);
    json_decref(page);
    room_fixture_end(&f);
}

static void
a_restart_loses_nothing_and_a_rebuild_gives_the_same_page(void **state)
{
    (void)state;
    room_fixture f;
    room_fixture_start(&f);
    assert_int_equal(room_post_json(&f, room_report_of("ada", 1, 1)), 200);
    assert_int_equal(room_post_json(&f, room_report_of("bob", 3, 0)), 200);
    json_t *before = room_page(&f);
    room_fixture_reopen(&f);
    json_t *after = room_page(&f);
    assert_true(json_equal(before, after));
    json_decref(after);
    /* The view thrown away: the events alone give it back. */
    esk_catchup_status st;
    assert_int_equal(esk_catchup_rebuild(f.room->catchup, &st), ESK_OK);
    assert_int_equal(st.applied, 6);
    after = room_page(&f);
    assert_true(json_equal(before, after));
    json_decref(after);
    json_decref(before);
    room_fixture_end(&f);
}

int run_room_model_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_report_appends_what_changed_and_a_repeat_nothing),
        cmocka_unit_test(the_page_shows_each_attendee_and_what_the_room_fails),
        cmocka_unit_test(only_more_passing_tests_restart_the_stuck_clock),
        cmocka_unit_test(
            a_restart_loses_nothing_and_a_rebuild_gives_the_same_page),
    };
    return cmocka_run_group_tests_name("room model", tests, NULL, NULL);
}
