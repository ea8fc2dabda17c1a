/*
 * tests/test_event.c - the envelope's helpers: time, ids, JSON checks,
 * event lists, status names and the allocator hook.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <esk/event.h>
#include <esk/store.h>

static void times_format_as_iso_8601_utc_with_microseconds(void **state)
{
    (void)state;
    char text[ESK_TIME_TEXT_SIZE];
    assert_int_equal(esk_time_format(0, text), ESK_OK);
    assert_string_equal(text, "1970-01-01T00:00:00.000000Z");
    assert_int_equal(esk_time_format(INT64_C(1795770000123456), text), ESK_OK);
    assert_string_equal(text, "2026-11-27T09:00:00.123456Z");
    assert_int_equal(esk_time_format(-1, text), ESK_OK);
    assert_string_equal(text, "1969-12-31T23:59:59.999999Z");
    /* 2024-02-29, a leap day. */
    assert_int_equal(esk_time_format(INT64_C(1709208000000000), text), ESK_OK);
    assert_string_equal(text, "2024-02-29T12:00:00.000000Z");
    assert_int_equal(esk_time_format(0, NULL), ESK_EINVAL);
    assert_int_equal(esk_time_format(INT64_MAX, text), ESK_EINVAL);
}

static void formatted_times_parse_back_to_the_same_instant(void **state)
{
    (void)state;
    const esk_time samples[] = {0,
                                1,
                                -1,
                                INT64_C(951782400000000),
                                INT64_C(1795770000123456),
                                INT64_C(253402300799999999)};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        char text[ESK_TIME_TEXT_SIZE];
        esk_time back = 42;
        assert_int_equal(esk_time_format(samples[i], text), ESK_OK);
        assert_int_equal(esk_time_parse(text, &back), ESK_OK);
        assert_int_equal(back, samples[i]);
    }
}

static void shorter_fractions_and_an_explicit_offset_parse(void **state)
{
    (void)state;
    esk_time t = 0;
    assert_int_equal(esk_time_parse("2026-11-27T09:00:00Z", &t), ESK_OK);
    assert_int_equal(t, INT64_C(1795770000000000));
    assert_int_equal(esk_time_parse("2026-11-27T09:00:00.5+00:00", &t), ESK_OK);
    assert_int_equal(t, INT64_C(1795770000500000));
}

static void malformed_times_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {"",
                         "2026-11-27",
                         "2026-11-27 09:00:00Z",
                         "2026-13-01T00:00:00Z",
                         "2026-02-29T00:00:00Z",
                         "2026-04-31T00:00:00Z",
                         "2026-11-27T24:00:00Z",
                         "2026-11-27T09:00:00.Z",
                         "2026-11-27T09:00:00.1234567Z",
                         "2026-11-27T09:00:00+01:00",
                         "2026-11-27T09:00:00Zjunk"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        esk_time t = 7;
        if (esk_time_parse(bad[i], &t) != ESK_EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
        assert_int_equal(t, 7);
    }
    assert_int_equal(esk_time_parse(NULL, NULL), ESK_EINVAL);
}

static void the_system_clock_is_close_to_the_c_library_time(void **state)
{
    (void)state;
    esk_time now = esk_clock_system(NULL);
    int64_t secs = (int64_t)time(NULL);
    assert_true(now / 1000000 >= secs - 2 && now / 1000000 <= secs + 2);
}

static void uuids_are_version_4_and_differ(void **state)
{
    (void)state;
    char a[ESK_EVENT_ID_LEN + 1], b[ESK_EVENT_ID_LEN + 1];
    assert_int_equal(esk_uuid_v4(a), ESK_OK);
    assert_int_equal(esk_uuid_v4(b), ESK_OK);
    assert_int_equal(strlen(a), ESK_EVENT_ID_LEN);
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));
    assert_string_not_equal(a, b);
    assert_int_equal(esk_uuid_v4(NULL), ESK_EINVAL);
}

static void valid_json_of_every_kind_passes_the_check(void **state)
{
    (void)state;
    const char *good[] = {"{}",
                          "[]",
                          "0",
                          "-0.5e+10",
                          "1E3",
                          "true",
                          "false",
                          "null",
                          "\"\"",
                          " \t\n{ \"a\" : [ 1 , {\"b\":null} ] }\r\n",
                          "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"",
                          "\"\\ud83c\\udf89\"",
                          "\"caf\xc3\xa9 \xf0\x9f\x8e\x89\""};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        esk_error err;
        if (esk_json_validate(good[i], &err) != ESK_OK)
            fail_msg("'%s' was refused: %s", good[i], err.message);
    }
}

static void invalid_json_is_refused_with_the_byte_offset(void **state)
{
    (void)state;
    esk_error err;
    assert_int_equal(esk_json_validate("{\"a\":1,}", &err), ESK_EINVAL);
    assert_string_equal(err.message,
                        "invalid JSON at byte 7: expected a string key");
    assert_int_equal(err.status, ESK_EINVAL);
    const char *bad[] = {"",
                         " ",
                         "{",
                         "[1 2]",
                         "tru",
                         "nul",
                         "+1",
                         "1.",
                         "1e",
                         ".5",
                         "0x10",
                         "\"a",
                         "\"\x01\"",
                         "\"\\x\"",
                         "\"\\u12\"",
                         "\"\xc3\"",
                         "\"\xe0\x80\x80\"",
                         "\"\\udc00\"",
                         "{1:2}",
                         "[]]",
                         "Infinity",
                         "{\"a\" 1}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (esk_json_validate(bad[i], NULL) != ESK_EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
    assert_int_equal(esk_json_validate(NULL, NULL), ESK_EINVAL);
}

static void only_objects_pass_the_object_check(void **state)
{
    (void)state;
    assert_int_equal(esk_json_validate_object(" {\"k\":[]}", NULL), ESK_OK);
    assert_int_equal(esk_json_validate_object("[]", NULL), ESK_EINVAL);
    assert_int_equal(esk_json_validate_object("\"{}\"", NULL), ESK_EINVAL);
}

static void a_pushed_event_is_copied_into_the_list(void **state)
{
    (void)state;
    esk_event_list list = ESK_EVENT_LIST_INIT;
    char data[16] = "{\"n\":1}";
    esk_event e = {"id", "s-1", 1, 1, "T", 1, data, "{}", 5};
    for (int i = 0; i < 1000; i++) {
        e.version = i + 1;
        assert_int_equal(esk_event_list_push(&list, &e), ESK_OK);
    }
    data[5] = '9'; /* the list holds its own copy */
    assert_int_equal(list.count, 1000);
    assert_string_equal(list.events[999].data, "{\"n\":1}");
    assert_int_equal(list.events[999].version, 1000);
    esk_event_list_clear(&list);
    assert_int_equal(list.count, 0);
    e.metadata = NULL;
    assert_int_equal(esk_event_list_push(&list, &e), ESK_EINVAL);
    assert_int_equal(esk_event_list_push(NULL, &e), ESK_EINVAL);
    esk_event_list_free(&list);
}

static void every_status_has_a_name(void **state)
{
    (void)state;
    for (int s = ESK_OK; s >= ESK_ENOTIMPL; s--)
        assert_string_not_equal(esk_status_str((esk_status)s),
                                "unknown status");
    assert_string_equal(esk_status_str((esk_status)-999), "unknown status");
    assert_string_equal(esk_status_str(ESK_ECONCURRENCY),
                        "stream is not at the expected version");
}

/* An allocator that fails from the k-th allocation on. */
static long allocations_left;
static void *failing_malloc(size_t size)
{
    return allocations_left-- > 0 ? malloc(size) : NULL;
}
static void *failing_realloc(void *ptr, size_t size)
{
    return allocations_left-- > 0 ? realloc(ptr, size) : NULL;
}

static void a_failing_allocator_gives_enomem_not_a_crash(void **state)
{
    (void)state;
    const esk_allocator failing = {failing_malloc, failing_realloc, free};
    assert_int_equal(esk_set_allocator(&failing), ESK_OK);
    esk_status rc = ESK_ENOMEM;
    long k;
    /* Fail the first, second, ... allocation until the whole scenario
     * gets through: every step in between must fail cleanly. */
    for (k = 0; k < 100; k++) {
        allocations_left = k;
        esk_store *store = NULL;
        esk_event_list list = ESK_EVENT_LIST_INIT;
        esk_new_event e = {NULL, "T", 1, "{}", NULL};
        rc = esk_store_open_memory(&store, NULL);
        if (rc == ESK_OK)
            rc = esk_store_append(store, "s-1", ESK_ANY, &e, 1, NULL);
        if (rc == ESK_OK)
            rc = esk_store_read_all(store, 0, 0, NULL, &list);
        if (rc == ESK_OK) {
            assert_int_equal(list.count, 1);
        } else {
            assert_int_equal(rc, ESK_ENOMEM);
            int64_t head = -1;
            if (store != NULL) {
                allocations_left = 1000;
                assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
                assert_true(head == 0 || head == 1);
            }
        }
        esk_event_list_free(&list);
        esk_store_close(store);
        if (rc == ESK_OK)
            break;
    }
    assert_int_equal(rc, ESK_OK);
    assert_true(k > 2);
    assert_int_equal(esk_set_allocator(NULL), ESK_OK);
    const esk_allocator incomplete = {malloc, NULL, free};
    assert_int_equal(esk_set_allocator(&incomplete), ESK_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(times_format_as_iso_8601_utc_with_microseconds),
        cmocka_unit_test(formatted_times_parse_back_to_the_same_instant),
        cmocka_unit_test(shorter_fractions_and_an_explicit_offset_parse),
        cmocka_unit_test(malformed_times_are_refused),
        cmocka_unit_test(the_system_clock_is_close_to_the_c_library_time),
        cmocka_unit_test(uuids_are_version_4_and_differ),
        cmocka_unit_test(valid_json_of_every_kind_passes_the_check),
        cmocka_unit_test(invalid_json_is_refused_with_the_byte_offset),
        cmocka_unit_test(only_objects_pass_the_object_check),
        cmocka_unit_test(a_pushed_event_is_copied_into_the_list),
        cmocka_unit_test(every_status_has_a_name),
        cmocka_unit_test(a_failing_allocator_gives_enomem_not_a_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
